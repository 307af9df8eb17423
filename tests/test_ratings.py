"""Ratings stage: marks, printed labels and the comment rubric of rules/ratings.yaml."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import line_of, rules_copy_with
from pipeline.document import Line, Outline, Paragraph, RatingMark, Section
from pipeline.errors import RuleError
from pipeline.ratings import Rating, decide_comment, extract_ratings
from pipeline.rules import load_rules

RULES = load_rules()
VNR_KEY = "participation_vnr_process"
COORD_KEY = "participation_coordination_mechanisms"
BOILERPLATE = (
    "This assessment is based on the information collected in the VNRs and in the Global Taskforce "
    "of Local and Regional Governments' annual survey on the localization of the SDGs."
)


def para(*lines: str) -> Paragraph:
    return Paragraph(tuple(Line(text, lineno) for lineno, text in enumerate(lines, 1)))


def section(key: str | None, *paragraphs: Paragraph, section_id: str | None = None) -> Section:
    return Section(section_id or key or "x", None, key or "", key, 3, "2.1", 0, tuple(paragraphs))


def outline(*sections: Section) -> Outline:
    return Outline("Testland", tuple(sections))


def by_dimension(ratings) -> dict[str, Rating]:
    return {r.dimension: r for r in ratings}


# -- the rubric on comments -------------------------------------------------------------
RUBRIC_CASES = [
    # (id, comment, level, rule)
    ("kaz-discussions", "Local executive bodies took part in discussions for the 2022 VNR elaboration.", "weak", "weak_isolated"),
    ("kaz-no-evidence", "There is no evidence of LRG involvement in national coordination mechanisms.", "none", "none_no_evidence"),
    ("no-information", "No information available.", "no_information", "no_information"),
    ("no-data", "There is no data available on LRG involvement.", "no_information", "no_information"),
    ("not-possible", "It is not possible to assess LRG participation.", "no_information", "no_information"),
    ("info-unavailable", "Information on the process is unavailable.", "no_information", "no_information"),
    ("no-elected", "There are no elected local governments in the country.", "no_elected_lrgs", "no_elected_lrgs"),
    ("not-elected", "LRGs are not elected.", "no_elected_lrgs", "no_elected_lrgs"),
    ("appointed-governments", "Local governments are appointed by the central government.", "no_elected_lrgs", "no_elected_lrgs"),
    ("appointed-heads-only", "Local councils, whose heads are appointed, took part in workshops.", "weak", "weak_isolated"),
    ("not-consulted", "LRGs were not consulted.", "none", "none_negated_participation"),
    ("did-not-participate", "LRGs did not participate in the process.", "none", "none_negated_participation"),
    ("no-participation", "There was no LRG participation.", "none", "none_negated_participation"),
    ("not-involved", "LRGs are not involved in the coordination mechanism.", "none", "none_negated_participation"),
    ("not-yet-involved", "LRGs have not yet been involved.", "none", "none_negated_participation"),
    ("does-not-mention", "The VNR does not mention any LRG participation.", "none", "none_no_evidence"),
    ("lga-consulted", "The national association of municipalities was consulted and submitted written inputs.", "mid_high", "mid_high_association"),
    ("consulted-the-lga", "The ministry consulted the LGA on the draft.", "mid_high", "mid_high_association"),
    ("lga-member", "The LGA is a member of the National SDG Council.", "mid_high", "mid_high_association"),
    ("mayors-members", "Mayors are members of the SDG Commission.", "mid_high", "mid_high_member_of_body"),
    ("member-by-acronym", "ULAP has been a member of the SC-SDGs since 2019.", "mid_high", "mid_high_member_of_body"),
    ("league-invited-to-consultations", "The leagues of local governments were invited to the regional consultations.", "weak", "weak_isolated"),
    ("verb-and-association-in-other-clauses", "Some state governments sent contributions, but LGAs were not consulted.", "weak", "weak_isolated"),
    ("input-limited", "Their input to the report was limited to written comments.", "weak", "weak_isolated"),
    ("council-includes", "The SDG Council includes representatives of regional governments.", "mid_high", "mid_high_member_of_body"),
    ("drafting", "Regional authorities took part in the drafting of the report.", "mid_high", "mid_high_drafting"),
    ("chapter", "Regional governments contributed a chapter on localization.", "mid_high", "mid_high_drafting"),
    ("formally", "Elected mayors were formally consulted.", "mid_high", "mid_high_drafting"),
    ("workshop", "Some municipalities were invited to a validation workshop.", "weak", "weak_isolated"),
    ("consultations", "Local authorities took part in consultations organized by the ministry.", "weak", "weak_isolated"),
    ("some-cities", "Some cities sent comments.", "weak", "weak_isolated"),
    ("survey", "LRGs were consulted through an online survey.", "weak", "weak_generic"),
    ("consultation-noun", "A consultation with local authorities took place.", "weak", "weak_generic"),
    # contrast: what the comment asserts decides, not what it concedes
    ("while-concedes", "While LRGs were not consulted for the 2017 VNR, the national association contributed a chapter to the 2021 VNR.", "mid_high", "mid_high_association"),
    ("however-next-sentence", "LRGs were not consulted for the 2017 VNR. However, the LGA contributed a chapter in 2021.", "mid_high", "mid_high_association"),
    ("but-turns", "There was no information on the 2019 VNR, but in 2022 some regions took part in seminars.", "weak", "weak_isolated"),
    ("despite", "Despite no formal consultation, some cities sent contributions.", "weak", "weak_isolated"),
    ("not-only", "LRGs were not only consulted but also drafted a section of the report.", "mid_high", "mid_high_drafting"),
    ("turn-without-rule", "LRGs were consulted, but not formally.", "weak", "weak_generic"),
    ("positive-beats-negated-other", "A few state governments sent written contributions, but municipalities were not consulted.", "weak", "weak_isolated"),
    ("no-permanent-seat", "Associations of local governments are occasionally invited to meetings of the steering committee, but they have no permanent seat.", "weak", "weak_isolated"),
    ("regular-meetings-not-body", "KS takes part in the government's regular consultation meetings, but there is no dedicated coordination body with seats for LRGs.", "weak", "weak_isolated"),
    ("lga-not-consulted", "The LGA was not consulted.", "none", "none_negated_participation"),
    ("no-info-then-positive", "No information on the 2019 VNR; in 2022 regions participated in seminars.", "weak", "weak_isolated"),
    ("negated-list", "There is no information on LRG involvement, consultation or participation.", "no_information", "no_information"),
    ("appointed-but-took-part", "There are no elected local governments; appointed governors took part in discussions.", "no_elected_lrgs", "no_elected_lrgs"),
]


@pytest.mark.parametrize("comment, level, rule", [c[1:] for c in RUBRIC_CASES], ids=[c[0] for c in RUBRIC_CASES])
def test_rubric(comment, level, rule):
    decided = decide_comment(comment, RULES.ratings)
    assert decided is not None
    assert (decided.level, decided.rule_id) == (level, rule)
    assert decided.phrase.lower() in comment.lower()


def test_negation_beats_participation_words():
    """ "no evidence of LRG involvement" names involvement but says there was none."""
    decided = decide_comment("No evidence of LRG involvement or participation was found.", RULES.ratings)
    assert decided.level == "none"


def test_comment_without_rubric_words_is_no_information_with_reason():
    rating = extract_ratings(outline(section(VNR_KEY, para("Comments: The report was published in July."))), RULES)[0]
    assert (rating.level, rating.level_rank, rating.method) == ("no_information", None, "comment_rules")
    assert rating.comment == "The report was published in July."
    assert "no rubric rule" in rating.evidence


# -- Kazakhstan -------------------------------------------------------------------------
KAZ_EXPECTED = (
    Rating(
        "vnr_process", "weak", 1, "comment_rules",
        "Local executive bodies took part in discussions for the 2022 VNR elaboration.",
        'rule weak_isolated: "took part in discussions"',
    ),
    Rating(
        "coordination_mechanisms", "none", 0, "comment_rules",
        "There is no evidence of LRG involvement in national coordination mechanisms.",
        'rule none_no_evidence: "no evidence of"',
    ),
)


def kazakhstan_outline() -> Outline:
    return outline(
        section(None, para("Nothing to rate here."), section_id="2.1"),
        section(VNR_KEY, para("Comments: Local executive bodies took part in discussions for the 2022 VNR elaboration.")),
        section(
            COORD_KEY,
            para("Comments: There is no evidence of LRG involvement in national coordination mechanisms."),
            para(BOILERPLATE),
        ),
    )


def test_kazakhstan_inline():
    assert extract_ratings(kazakhstan_outline(), RULES) == KAZ_EXPECTED


def test_kazakhstan_from_raw_profile():
    """Golden: the real export, through ingest, normalize, sections and footnotes."""
    from pipeline.footnotes import extract_footnotes
    from pipeline.ingest import read_source
    from pipeline.normalize import normalize
    from pipeline.sections import build_outline

    raw = Path(__file__).resolve().parent.parent / "raw"
    source = read_source(raw / "kazakhstan.md", raw)
    profile = extract_footnotes(build_outline(normalize(source, RULES), RULES)).outline
    assert extract_ratings(profile, RULES) == KAZ_EXPECTED


# -- marks from the PDF reader decide ------------------------------------------------------
def test_mark_overrides_rubric_and_keeps_comment():
    marks = (RatingMark("coordination_mechanisms", "mid_high", "graphic", "filled box 3 of 3 (Mid/high participation)", page=2),)
    ratings = by_dimension(extract_ratings(kazakhstan_outline(), RULES, marks))
    coord = ratings["coordination_mechanisms"]
    assert (coord.level, coord.level_rank, coord.method) == ("mid_high", 2, "graphic")
    assert coord.evidence == "filled box 3 of 3 (Mid/high participation)"
    assert coord.comment == KAZ_EXPECTED[1].comment
    assert ratings["vnr_process"] == KAZ_EXPECTED[0]  # no mark: the rubric still decides


def test_graphic_mark_beats_label_mark():
    marks = (
        RatingMark("vnr_process", "none", "label", "highlighted 'None'"),
        RatingMark("vnr_process", "weak", "graphic", "filled box 2"),
    )
    rating = extract_ratings(kazakhstan_outline(), RULES, marks)[0]
    assert (rating.level, rating.method, rating.evidence) == ("weak", "graphic", "filled box 2")


def test_mark_decides_even_without_section():
    marks = (RatingMark("vnr_process", "no_elected_lrgs", "label", "highlighted 'No elected LRGs'"),)
    rating = extract_ratings(outline(), RULES, marks)[0]
    assert (rating.level, rating.level_rank, rating.method, rating.comment) == ("no_elected_lrgs", None, "label", None)


# -- printed labels -------------------------------------------------------------------------
LABEL_CASES = [
    ("prefixed", ["Level of participation: Mid/High"], "mid_high", "Level of participation: Mid/High"),
    ("bare-weak", ["Weak consultation"], "weak", "Weak consultation"),
    ("bare-mid-high", ["Mid/high participation"], "mid_high", "Mid/high participation"),
    ("bare-no-elected", ["No elected LRGs"], "no_elected_lrgs", "No elected LRGs"),
    ("checked-box", ["☐ None", "☒ Weak consultation", "☐ Mid/high participation"], "weak", "☒ Weak consultation"),
    ("checked-box-on-one-line", ["☐ None ☐ Weak ☒ Mid/High"], "mid_high", "☐ None ☐ Weak ☒ Mid/High"),
    ("prefix-beats-legend", ["None", "Weak consultation", "Mid/high participation", "Rating: None"], "none", "Rating: None"),
]


@pytest.mark.parametrize("lines, level, evidence", [c[1:] for c in LABEL_CASES], ids=[c[0] for c in LABEL_CASES])
def test_printed_label_decides(lines, level, evidence):
    sec = section(VNR_KEY, para(*lines), para("Comments: Local executive bodies took part in discussions."))
    rating = extract_ratings(outline(sec), RULES)[0]
    assert (rating.level, rating.method, rating.evidence) == (level, "label", evidence)
    assert rating.comment == "Local executive bodies took part in discussions."


def test_rating_graphic_as_an_image_with_alt_text(outline_of):
    """A markdown export keeps the rating graphic as an image; its alt text names the level
    (method label), and the image is no text of the section."""
    text = ("# PERU\n\n## TERRITORIAL ORGANIZATION\n\nPeru has 25 regions.\n\n## 2.1 LRGs PARTICIPATION\n\n"
            "### ► In the VNR process\n\n![Level of participation: Weak](images/vnr.png)\n\n"
            "Comments: Some regions took part in consultations.\n\n"
            "### ► In national coordination mechanisms for SDG implementation\n\n![A chart](images/chart.png)\n\n"
            "Comments: Mayors are members of the SDG Commission.")
    outline = outline_of(text).outline
    vnr, coordination = extract_ratings(outline, RULES)
    assert (vnr.level, vnr.method, vnr.evidence) == ("weak", "label", "image alt text 'Level of participation: Weak'")
    assert (coordination.level, coordination.method) == ("mid_high", "comment_rules")  # an alt text naming no level
    assert outline.by_key("participation_vnr_process").text == "Comments: Some regions took part in consultations."


def test_printed_legend_is_not_a_label():
    legend = para("None", "Weak consultation", "Mid/high participation", "No elected LRGs", "No information")
    sec = section(VNR_KEY, legend, para("Comments: The LGA took part in the drafting of the report."))
    rating = extract_ratings(outline(sec), RULES)[0]
    assert (rating.level, rating.method) == ("mid_high", "comment_rules")


def test_comment_words_are_not_read_as_label():
    sec = section(VNR_KEY, para("Comments:"), para("No information."))
    rating = extract_ratings(outline(sec), RULES)[0]
    assert (rating.level, rating.method, rating.comment) == ("no_information", "comment_rules", "No information.")


# -- finding the comment ---------------------------------------------------------------------
COMMENT_CASES = [
    ("own-paragraph", [para("Comments: LRGs were not consulted.")], "LRGs were not consulted."),
    ("wrapped-lines", [para("Comments: LRGs were not", "consulted at all.")], "LRGs were not consulted at all."),
    ("singular-spaced", [para("Comment : LRGs were not consulted.")], "LRGs were not consulted."),
    ("prefix-alone", [para("Comments:"), para("LRGs were not consulted.")], "LRGs were not consulted."),
    ("boilerplate-run-in", [para("Comments: LRGs were not consulted.", BOILERPLATE)], "LRGs were not consulted."),
    ("boilerplate-paragraph", [para("Comments: LRGs were not consulted."), para(BOILERPLATE)], "LRGs were not consulted."),
    ("label-line-before", [para("Weak consultation", "Comments: LRGs were not consulted.")], "LRGs were not consulted."),
]


@pytest.mark.parametrize("paragraphs, comment", [c[1:] for c in COMMENT_CASES], ids=[c[0] for c in COMMENT_CASES])
def test_comment_text(paragraphs, comment):
    rating = extract_ratings(outline(section(VNR_KEY, *paragraphs)), RULES)[0]
    assert rating.comment == comment


def test_always_two_rows_in_contract_order():
    ratings = extract_ratings(outline(section(COORD_KEY, para("Comments: LRGs were not consulted."))), RULES)
    assert [r.dimension for r in ratings] == ["vnr_process", "coordination_mechanisms"]


def test_missing_section_is_no_information():
    rating = extract_ratings(outline(), RULES)[0]
    assert (rating.level, rating.level_rank, rating.method, rating.comment) == ("no_information", None, "comment_rules", None)
    assert "no section" in rating.evidence


def test_section_without_comment_is_no_information():
    rating = extract_ratings(outline(section(VNR_KEY, para(BOILERPLATE), section_id="2.1/in-the-vnr-process")), RULES)[0]
    assert (rating.level, rating.method, rating.comment) == ("no_information", "comment_rules", None)
    assert "Comments:" in rating.evidence and "2.1/in-the-vnr-process" in rating.evidence


def test_inline_subheadings_in_parent_section():
    """Sub-headings printed as plain lines: each comment goes to the dimension above it."""
    parent = section(
        "lrg_participation",
        para("► In the VNR process"),
        para("Comments: The LGA was consulted."),
        para("► In national coordination mechanisms for SDG implementation", "Comments: LRGs were not consulted."),
        section_id="2.1",
    )
    vnr, coord = extract_ratings(outline(parent), RULES)
    assert (vnr.level, vnr.comment) == ("mid_high", "The LGA was consulted.")
    assert (coord.level, coord.comment) == ("none", "LRGs were not consulted.")


# -- the rule file ---------------------------------------------------------------------------
def test_broken_rule_file_reports_every_error_with_line(tmp_path):
    target = rules_copy_with(
        tmp_path / "rules",
        "ratings.yaml",
        [
            ("level: weak\n", "level: weakish\n"),
            ("    - '[;.:()!?]'", "    - '(unclosed'"),
            ("  - 'this \\s+ assessment", "  - '(?: x )?'\n  - 'this \\s+ assessment"),
        ],
    )
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path / "rules")
    errors = [e for e in caught.value.errors if e.startswith("rules/ratings.yaml:")]
    assert f"rules/ratings.yaml:{line_of(target, 'level: weakish')}: unknown level 'weakish'" in " ".join(errors)
    assert any(e.startswith(f"rules/ratings.yaml:{line_of(target, '(unclosed')}: bad pattern") for e in errors)
    assert any(e.startswith(f"rules/ratings.yaml:{line_of(target, '(?: x )?')}: vacuous pattern") for e in errors)


def test_empty_rubric_rule_is_refused(tmp_path):
    target = rules_copy_with(tmp_path / "rules", "ratings.yaml", [("  - id: weak_generic\n    level: weak\n    patterns:\n", "  - id: weak_generic\n    level: weak\n    patterns: []\n    old_patterns:\n")])
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path / "rules")
    line = line_of(target, "patterns: []")
    assert f"rules/ratings.yaml:{line}: 'patterns' must be a non-empty list of patterns" in caught.value.errors


def test_boilerplate_run_into_the_comment_paragraph_is_cut():
    """pdftotext export of kenya: 'This rating draws on the VNRs ...' stayed in the comment."""
    sec = Section("2.1/in-the-vnr-process", None, "In the VNR process", "participation_vnr_process", 3, "2.1", 0,
                  (Paragraph((Line("Comments: The council is a member of the group. This rating draws on the VNRs.", 1),)),))
    vnr, _ = extract_ratings(Outline("Kenya", (sec,)), RULES)
    assert vnr.comment == "The council is a member of the group."


def _every_rule_match(comment: str) -> list[tuple[int, str, str]]:
    """The rubric read in full, as before it stopped at the first rule: (order, rule, phrase)
    of every rule whose patterns match (negating rules on the text, the others on it with
    the negated clauses blanked)."""
    from pipeline.ratings import _whole_words, mask, negated_clauses

    silenced = mask(comment, negated_clauses(comment, RULES.ratings))
    out = []
    for order, rule in enumerate(RULES.ratings.rubric):
        found = next((m for p in rule.patterns if (m := p.search(comment if rule.negates else silenced))), None)
        if found is not None:
            out.append((order, rule.id, _whole_words(comment, found.start(), found.end())))
    return out


@pytest.mark.parametrize("comment", [c[1] for c in RUBRIC_CASES] + [
    "The report was published in July.", "",
    "While LRGs were not consulted, the LGA participated in two workshops and submitted a report.",
    "No elected local governments exist; no information on consultation; regions took part.",
])
def test_first_matching_rule_decides_as_the_full_rubric_did(comment):
    """``decide_comment`` stops at the first rule that matches: the same rule and phrase as
    the earliest of every rule's match."""
    decided = decide_comment(comment, RULES.ratings)
    full = _every_rule_match(comment)
    assert (None if decided is None else (decided.order, decided.rule_id, decided.phrase)) == (full[0] if full else None)

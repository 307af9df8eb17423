"""VNR years and SDG priorities (pipeline/vnrs.py, rules/vnrs.yaml)."""
from __future__ import annotations

from pathlib import Path

import pytest
import regex

from conftest import line_of, rules_copy_with
from pipeline.document import Footnote, Line, Outline, Paragraph, Section
from pipeline.errors import RuleError
from pipeline.rules import load_rules
from pipeline.vnrs import SdgPriority, extract_sdg_priorities, extract_vnr_years, vnr_year_mentions

RULES = load_rules()

KAZ_PRIORITY_SENTENCE = (
    "Based on the results of seminars in the regions, the top five SDGs of 2022 for Kazakhstan, "
    "SDGs 1, 3, 4, 6, 8 (compared to 3, 4, 6, 8, 11 in 2019), were selected."
)


def section(text: str, section_id: str = "1.2", key: str | None = "vnr_elaboration_process", title: str = "") -> Section:
    paragraphs = tuple(Paragraph((Line(p, i),)) for i, p in enumerate(text.split("\n\n"), 1))
    return Section(section_id, None, title, key, 2, None, 0, paragraphs)


def outline(*texts: str) -> Outline:
    return Outline("Testland", tuple(section(t, section_id=str(i)) for i, t in enumerate(texts, 1)))


def note(number: int, text: str) -> Footnote:
    return Footnote(number, text, (), None)


# -- VNR years ---------------------------------------------------------------------------
YEAR_CASES = [
    ("year-before", "The 2022 VNR mentions that direct elections were introduced.", [2022]),
    ("bare-year-vnr", "According to the 2019 VNR, the council met twice.", [2019]),
    ("vnrs-of-list", "The VNRs of 2017 and 2021 both mention LRGs.", [2017, 2021]),
    ("citation", "a dialogue with business structures (see VNR, 2022, p. 48).", [2022]),
    ("first-vnr-in", "The country presented its first VNR in 2016.", [2016]),
    ("vnr-then-year", "As VNR 2018 explains, the plan was adopted.", [2018]),
    ("comma-list", "The country presented VNRs in 2016, 2019 and 2022.", [2016, 2019, 2022]),
    ("years-before-plural", "The 2017 and 2021 VNRs differ.", [2017, 2021]),
    ("parenthesised", "It has presented three VNRs (2016, 2019, 2022).", [2016, 2019, 2022]),
    ("presented-to-hlpf", "The VNR presented to the HLPF in July 2019 lists them.", [2019]),
    ("year-then-presented", "In 2019, Kenya presented its first VNR to the HLPF.", [2019]),
    ("which-was-presented", "The VNR, which was presented in 2018, is short.", [2018]),
    ("long-form", "its second Voluntary National Review in 2021", [2021]),
    ("citation-country", "Voluntary National Review of Kenya, 2020", [2020]),
    ("and-the", "the 2016 and the 2021 VNRs", [2016, 2021]),
    ("acronym-of", "the Voluntary National Reviews (VNRs) of 2016 and 2023.", [2016, 2023]),
    ("that-country-presented", "the Voluntary National Reviews (VNRs) that Brazil presented in 2017 and 2024.", [2017, 2024]),
    ("possessive", "Mexico's 2021 Voluntary National Review (VNR).", [2021]),
    # negatives
    ("since-year", "Kazakhstan has engaged in a decentralization process since 2012.", []),
    ("other-event", "In 2020, the SDGs Integrated National Financing Framework (INFF) was launched.", []),
    ("later-year-same-sentence", "The 2022 VNR mentions that elections were held in 2021.", [2022]),
    ("agenda", "The VNR aligns the plan with the 2030 Agenda.", []),
    ("vlr", "The Voluntary Local Review of 2021 was the first.", []),
    ("implausible", "the 2010 VNR", []),
    ("count-not-year", "In the 2022 VNR, 2,500 citizens took part.", [2022]),
    ("url-folder", "See: https://hlpf.un.org/sites/default/files/vnrs/2021/23946KAZAKHSTAN_DNO_eng.pdf", []),
]


@pytest.mark.parametrize("text, years", [c[1:] for c in YEAR_CASES], ids=[c[0] for c in YEAR_CASES])
def test_vnr_year_mentions(text, years):
    assert sorted({m.year for m in vnr_year_mentions(text, RULES.vnrs)}) == years


def test_vnr_years_from_sections_titles_and_footnotes_sorted_unique():
    profile = Outline(
        "Testland",
        (
            section("The 2022 VNR was led by the council. Since 2012, reforms.", "1"),
            section("Nothing here.", "2", title="VNR 2016 AND LOCALIZATION"),
        ),
    )
    notes = (
        note(1, "See: https://hlpf.un.org/sites/default/files/vnrs/2021/KAZ.pdf (2019)"),
        note(2, 'the aim of "focusing on the regions" (see VNR, 2019, p. 137).'),
        note(3, "The Council was referred to as 'Board' in the 2022 VNR."),
    )
    assert extract_vnr_years(profile, RULES, notes) == (2016, 2019, 2022)
    assert extract_vnr_years(profile, RULES) == (2016, 2022)


def test_no_vnr_years():
    assert extract_vnr_years(outline("In 2020 a reform was implemented."), RULES) == ()


# -- SDG priorities ---------------------------------------------------------------------------
def rows(year: int, *sdgs: int) -> set[tuple[int, int]]:
    return {(year, s) for s in sdgs}


PRIORITY_CASES = [
    ("kazakhstan-compared", KAZ_PRIORITY_SENTENCE, rows(2022, 1, 3, 4, 6, 8) | rows(2019, 3, 4, 6, 8, 11)),
    ("prioritised", "The 2021 VNR prioritised SDGs 4, 5 and 13.", rows(2021, 4, 5, 13)),
    ("focused-goals", "The 2019 VNR focused on Goals 1, 2, 3, 8 and 17.", rows(2019, 1, 2, 3, 8, 17)),
    ("repeated-label-year-after", "SDG 6, SDG 7 and SDG 11 were selected as priorities in 2019.", rows(2019, 6, 7, 11)),
    ("goal-names", "The 2020 VNR prioritised SDG 1 (No Poverty), SDG 4 (Quality Education) and SDG 16.", rows(2020, 1, 4, 16)),
    ("colon-list", "The 2017 VNR selected six SDGs: 1, 2, 3, 5, 9 and 14.", rows(2017, 1, 2, 3, 5, 9, 14)),
    ("two-clauses", "In the 2019 VNR, SDGs 1 and 2 were prioritised, while the 2022 VNR focused on SDGs 3 and 4.", rows(2019, 1, 2) | rows(2022, 3, 4)),
    ("range-and-horizon", "The VNR 2016 prioritised SDGs 1-5 to be achieved by 2030.", rows(2016, 1, 2, 3, 4, 5)),
    ("priority-sdgs-were", "The priority SDGs for the 2019 VNR were SDG 4, 8, 10, 13, 16 and 17.", rows(2019, 4, 8, 10, 13, 16, 17)),
    ("duplicates", "The 2018 VNR prioritised SDG 6, SDG 6 and SDG 7.", rows(2018, 6, 7)),
    ("prominence", "The 2021 report gave particular prominence to SDGs 3, 5 and 10.", rows(2021, 3, 5, 10)),
    ("in-depth", "The 2024 VNR reviewed SDGs 1, 2, 13, 16 and 17 in depth.", rows(2024, 1, 2, 13, 16, 17)),
    ("reviewed-and-covered", "Goals 1, 2 and 17 were reviewed in 2017, while the 2019 VNR covered Goals 4 and 8.", rows(2017, 1, 2, 17) | rows(2019, 4, 8)),
    ("scattered-challenges", "The 2021 VNR identifies inequality (SDG 10), consumption (SDG 12) and biodiversity loss (SDG 15) as its greatest challenges.", rows(2021, 10, 12, 15)),
    ("goals-under-review", "It focused on the seven Goals under review at the 2017 HLPF: SDGs 1, 2, 3, 5, 9, 14 and 17.", rows(2017, 1, 2, 3, 5, 9, 14, 17)),
    # negatives
    ("indicators-not-goals", "SDG 11 indicators were selected for the 2020 VNR.", set()),
    ("all-seventeen", "All the 17 SDGs were prioritised in the 2019 VNR.", set()),
    ("indicator-code", "In the 2018 VNR, SDG 11.1.1 was selected for monitoring.", set()),
    ("no-cue", "The 2022 VNR reports on SDGs 1, 3 and 5.", set()),
    ("targets", "The 2022 VNR prioritised SDG 4 targets.", set()),
    ("percent", "The 2022 VNR focused on SDG 5: 30% of seats.", rows(2022, 5)),
    ("mention-in-vnr-name", "The Voluntary National Review mentions SDG 5 and SDG 6.", set()),
    ("local-project", "Strasbourg launched a budget whose projects must contribute to SDG 11 on sustainable cities.", set()),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in PRIORITY_CASES], ids=[c[0] for c in PRIORITY_CASES])
def test_sdg_priorities(text, expected):
    found = extract_sdg_priorities(outline(text), RULES)
    assert {(p.year, p.sdg) for p in found} == expected
    assert list(found) == sorted(found, key=lambda p: (p.year, p.sdg))


def test_kazakhstan_gives_ten_rows_sorted():
    found = extract_sdg_priorities(outline("The 2019 VNR process was prepared by the institute. " + KAZ_PRIORITY_SENTENCE), RULES)
    assert found == tuple(
        [SdgPriority(2019, s) for s in (3, 4, 6, 8, 11)] + [SdgPriority(2022, s) for s in (1, 3, 4, 6, 8)]
    )


def test_year_from_earlier_sentence_of_section():
    text = "The 2017 VNR was prepared by the ministry. It prioritised SDGs 2 and 6."
    assert {(p.year, p.sdg) for p in extract_sdg_priorities(outline(text), RULES)} == rows(2017, 2, 6)


def test_year_from_the_only_vnr_of_the_profile():
    profile = outline("The 2023 VNR was led by the council.", "The review focused on SDGs 6, 7 and 9.")
    assert {(p.year, p.sdg) for p in extract_sdg_priorities(profile, RULES)} == rows(2023, 6, 7, 9)


def test_no_year_and_several_vnrs_gives_no_rows():
    profile = outline("The 2019 and 2022 VNRs were led by the council.", "The review focused on SDGs 6, 7 and 9.")
    assert extract_sdg_priorities(profile, RULES) == ()


def test_kazakhstan_from_raw_profile():
    """Golden: the real export, through ingest, normalize, sections and footnotes."""
    from pipeline.footnotes import extract_footnotes
    from pipeline.ingest import read_source
    from pipeline.normalize import normalize
    from pipeline.sections import build_outline

    raw = Path(__file__).resolve().parent.parent / "raw"
    result = extract_footnotes(build_outline(normalize(read_source(raw / "kazakhstan.md", raw), RULES), RULES))
    assert extract_vnr_years(result.outline, RULES, result.footnotes) == (2019, 2022)
    found = extract_sdg_priorities(result.outline, RULES)
    assert {(p.year, p.sdg) for p in found} == rows(2022, 1, 3, 4, 6, 8) | rows(2019, 3, 4, 6, 8, 11)


# -- the rule file ------------------------------------------------------------------------------
def test_broken_rule_file_reports_every_error_with_line(tmp_path):
    target = rules_copy_with(
        tmp_path / "rules",
        "vnrs.yaml",
        [
            ("  min: 2015", "  min: twenty"),
            ("(?P<years> (?&year_list) ) (?: \\s+ (?: HLPF", "(?&year_list) (?: \\s+ (?: HLPF"),
            ("  month: '(?: january", "  month: '(?: [january"),
            ("    - '\\b singled \\s+ out \\b'", "    - ''  # emptied"),
        ],
    )
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path / "rules")
    errors = [e for e in caught.value.errors if e.startswith("rules/vnrs.yaml:")]
    expected_prefixes = [
        (f"rules/vnrs.yaml:{line_of(target, 'min: twenty')}:", "years.min"),
        (f"rules/vnrs.yaml:{line_of(target, '(?&year_list) (?: ')}:", "group named 'years'"),
        (f"rules/vnrs.yaml:{line_of(target, 'month:')}:", "bad define 'month'"),
        (f"rules/vnrs.yaml:{line_of(target, '# emptied')}:", "non-empty"),
    ]
    for prefix, words in expected_prefixes:
        assert any(e.startswith(prefix) and words in e for e in errors), (prefix, words, errors)


@pytest.mark.parametrize("text", [
    "No address here.", "See https://hlpf.un.org/countries/kenya/voluntary-national-review-2020 (2020).",
    "VNR at WWW.UN.ORG/VNR/2019, then HTTP://x.org/2022.", "Www.Example.org/2021 and ftp://host/2018",
    "a www-page, a http: link, ww. and :// alone", "",
])
def test_url_blanking_screen_gives_what_the_pattern_alone_gives(text):
    from pipeline.vnrs import _URL, _blank_urls
    assert _blank_urls(text) == _URL.sub(lambda m: " " * len(m.group()), text)


def test_url_blanking_runs_the_pattern_on_every_raw_profile_text_alike(rules, outline_of):
    from pipeline.vnrs import _URL, _blank_urls
    blanked = 0
    for path in sorted(Path("raw").glob("*.[mt][dx]*")):
        if path.name == "README.md":
            continue
        fmt = "markdown" if path.suffix == ".md" else "text"
        notes = outline_of(path.read_text(encoding="utf-8"), fmt)
        for text in [t for s in notes.outline.sections for t in (s.title, s.text)] + [f.text for f in notes.footnotes]:
            assert _blank_urls(text) == _URL.sub(lambda m: " " * len(m.group()), text)
            blanked += _blank_urls(text) != text
    assert blanked >= 5  # the footnotes print URLs: the screen is tried both ways


def _sample_texts() -> list[str]:
    """Titles, section texts and sentences of every text profile in raw/, plus hard cases."""
    from conftest import RAW, source
    from pipeline.normalize import normalize
    from pipeline.sections import build_outline
    from pipeline.sentences import sentence_bounds

    texts = ["SDGs one, three and four were prioritised.", "Goals ١١ and ٣ were selected.",
             "the VNR of twenty twenty", "VNR 12019 and VNR 2019x", "the 2014 VNR, the 2036 VNR",
             "VNR 120190", "VNR 9999920169", "VNR ٢٠١٩", "the 2014-2036 VNRs"]
    for path in sorted(RAW.glob("*.md")):
        outline = build_outline(normalize(source(path.read_text(encoding="utf-8")), RULES), RULES)
        for s in outline.sections:
            texts += [s.title, s.text]
            texts += [s.text[a:b] for a, b in sentence_bounds(s.text, RULES.normalize.abbreviations)]
    return texts


def test_texts_the_prefilters_skip_hold_nothing_the_patterns_would_find():
    """``extract_sdg_priorities`` skips sentences without a digit and ``vnr_year_mentions``
    texts without a year in range: run in full on those, the patterns find nothing."""
    from pipeline.vnrs import _DIGIT, _blank_urls, _may_hold_year, _years_in, goal_lists

    skipped_sentences = skipped_texts = 0
    for text in _sample_texts():
        if not _DIGIT.search(text):
            skipped_sentences += 1
            assert goal_lists(text, RULES.vnrs.priorities) == [], text
        blank = _blank_urls(text)
        four_digits = regex.findall(r"\d{4}", blank, overlapped=True)  # every four digits in a row
        assert _may_hold_year(blank, RULES.vnrs) == any(RULES.vnrs.min_year <= int(d) <= RULES.vnrs.max_year for d in four_digits)
        if not _may_hold_year(blank, RULES.vnrs):
            skipped_texts += 1
            found = [m for p in RULES.vnrs.mentions for m in p.finditer(blank)]
            assert not [y for m in found for y in _years_in(m.group("years"), RULES.vnrs)], text
    assert skipped_sentences > 100 and skipped_texts > 100

import pytest

from pipeline.normalize import normalize
from pipeline.sections import build_outline, slugify, title_case

from conftest import source

MIXED_DEPTHS = """# BRAZIL

### TERRITORIAL ORGANIZATION

Brazil is a federal republic.

# 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION

Text one.

1.1 NATIONAL COORDINATION MECHANISMS

Text two.

### 2. LRGs INVOLVEMENT IN SDG LOCALIZATION

# 2.1 LRGs PARTICIPATION

#### ► In the VNR process

Comments: Weak.

► In national coordination mechanisms for SDG implementation

Comments: None.

#### 2.3 LOCAL INITIATIVES AND CASES

▶ **Recife** did things.

▶ **Niterói** too.

SPECIFIC ANNEX NOTES

Annex text.
"""


def outline(rules, text, fmt="markdown"):
    return build_outline(normalize(source(text, fmt), rules), rules)


def test_hierarchy_comes_from_numbers_not_hash_depth(rules):
    o = outline(rules, MIXED_DEPTHS)
    got = [(s.section_id, s.level, s.parent_id, s.key) for s in o.sections]
    assert got == [
        ("territorial-organization", 1, None, "territorial_organization"),
        ("1", 1, None, "national_strategies"),
        ("1.1", 2, "1", "national_coordination_mechanisms"),
        ("2", 1, None, "lrg_involvement"),
        ("2.1", 2, "2", "lrg_participation"),
        ("2.1/in-the-vnr-process", 3, "2.1", "participation_vnr_process"),
        ("2.1/in-national-coordination-mechanisms-for-sdg-implementation", 3, "2.1", "participation_coordination_mechanisms"),
        ("2.3", 2, "2", "projects_and_cases"),
        ("2.3/specific-annex-notes", 3, "2.3", None),
    ]
    assert o.country_name == "Brazil"


def test_case_items_are_paragraphs_not_headings_and_lose_their_bullet(rules):
    cases = outline(rules, MIXED_DEPTHS).get("2.3")
    assert [p.text for p in cases.paragraphs] == ["Recife did things.", "Niterói too."]
    assert cases.text == "Recife did things. Niterói too."


def test_numbered_footnote_line_is_not_a_heading(rules):
    o = outline(rules, "# CHILE\n\n## TERRITORIAL ORGANIZATION\n\nText.\n\n1. They are elected by the council.\n\n## 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nMore.")
    assert [s.section_id for s in o.sections] == ["territorial-organization", "1"]


def test_plain_text_headings_without_hashes(rules):
    text = "NORWAY\n\nTERRITORIAL ORGANIZATION\n\nNorway is unitary.\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nSome text.\n\n1.2 VNR ELABORATION PROCESS\n\nMore text."
    o = outline(rules, text, "text")
    assert [(s.section_id, s.title) for s in o.sections] == [
        ("territorial-organization", "TERRITORIAL ORGANIZATION"),
        ("1", "NATIONAL STRATEGIES FOR SDG IMPLEMENTATION"),
        ("1.2", "VNR ELABORATION PROCESS"),
    ]
    assert o.country_name == "Norway"


def test_known_heading_without_number_is_placed_by_its_usual_number(rules):
    text = "# GHANA\n\n## 2. LRGs INVOLVEMENT IN SDG LOCALIZATION\n\nx\n\n## SPECIFIC PROJECTS AND CASES\n\ny"
    sec = outline(rules, text).sections[-1]
    assert (sec.section_id, sec.level, sec.parent_id, sec.key) == ("2/specific-projects-and-cases", 2, "2", "projects_and_cases")


@pytest.mark.parametrize("title", [
    "2.4 VOLUNTARY LOCAL REVIEWS", "2.4 LOCAL AND REGIONAL REVIEWS", "2.4 Subnational reviews",
    "2.4 VLRs and VSRs", "2.4 VOLUNTARY SUBNATIONAL AND/OR LOCAL REVIEWS (VSRs/VLRs)",
])
def test_local_reviews_under_their_several_names(rules, title):
    sec = outline(rules, f"# PERU\n\n## {title}\n\ntext").sections[0]
    assert sec.key == "local_reviews"


@pytest.mark.parametrize("title, key", [
    ("INSTITUTIONAL FRAMEWORK AND TERRITORIAL ORGANIZATION", "territorial_organization"),
    ("1.2 PREPARATION OF THE VNR", "vnr_elaboration_process"),
    ("2.5 FINANCING LOCALIZATION", "means_of_implementation"),
])
def test_renamed_sections_keep_their_key(rules, title, key):
    assert outline(rules, f"# PERU\n\n## {title}\n\ntext").sections[0].key == key


def test_marker_on_heading_is_recorded_and_title_is_clean(rules):
    sec = outline(rules, "# PERU\n\n## 4. SDG INDICATORS<sup>12</sup>\n\nrows").sections[0]
    assert (sec.title, sec.heading_markers) == ("SDG INDICATORS", (12,))


def test_text_before_any_heading_is_kept(rules):
    o = outline(rules, "Some loose introduction.\n\n# 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nx")
    assert o.sections[0].section_id == "introduction"
    assert o.sections[0].text == "Some loose introduction."


def test_duplicate_ids_are_made_unique(rules):
    o = outline(rules, "# MALI\n\n## ANNEX\n\na\n\n## ANNEX\n\nb")
    assert [s.section_id for s in o.sections] == ["annex", "annex-2"]


@pytest.mark.parametrize("raw, cased", [("KAZAKHSTAN", "Kazakhstan"), ("BOSNIA AND HERZEGOVINA", "Bosnia and Herzegovina"),
                                        ("TIMOR-LESTE", "Timor-Leste"), ("united republic of tanzania", "United Republic of Tanzania")])
def test_title_case(raw, cased):
    assert title_case(raw) == cased


def test_slugify_strips_accents_and_symbols():
    assert slugify("► Dans le processus VNR (2022)") == "dans-le-processus-vnr-2022"


def test_a_bad_bullet_range_is_reported_with_its_line(tmp_path):
    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    from conftest import line_of, rules_copy_with

    target = rules_copy_with(tmp_path / "rules", "headings.yaml", [('["U+F020-U+F0FF"]', '["U+F0FF-U+F020", "F0B7"]')])
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path / "rules")
    line = line_of(target, "U+F0FF-U+F020")
    assert [e.split(": ", 1)[0] for e in caught.value.errors] == [f"rules/headings.yaml:{line}"] * 2
    assert "bullet range 'F0B7' must read 'U+XXXX-U+YYYY'" in caught.value.errors[1]


@pytest.mark.parametrize("bullet", ["\uf0b7", "\uf0a7", "\uf076", "\uf0d8", "\uf0fc", "\u25aa", "\u25e6", "\u27a2"])
def test_symbol_bullets_open_items_and_sub_headings_and_leave_no_trace(rules, bullet):
    text = (f"# PERU\n\n## 2.1 LRGs PARTICIPATION\n\n{bullet}\tIn the VNR process\n\nComments: weak.\n\n"
            f"## 2.3 SPECIFIC PROJECTS AND CASES\n\n{bullet}\tLima did things.\n{bullet}\tCusco too.")
    o = outline(rules, text, "text")
    assert [(s.section_id, s.key) for s in o.sections] == [
        ("2.1", "lrg_participation"), ("2.1/in-the-vnr-process", "participation_vnr_process"), ("2.3", "projects_and_cases")]
    assert [p.text for p in o.get("2.3").paragraphs] == ["Lima did things.", "Cusco too."]


@pytest.mark.parametrize("heading, number, title, key", [
    ("2.4 VOLUNTARY SUBNATIONAL AND/OR LOCAL\nREVIEWS (VSRs / VLRs)", "2.4",
     "VOLUNTARY SUBNATIONAL AND/OR LOCAL REVIEWS (VSRs / VLRs)", "local_reviews"),
    ("2.4 VOLUNTARY\nSUBNATIONAL AND/OR LOCAL\nREVIEWS", "2.4", "VOLUNTARY SUBNATIONAL AND/OR LOCAL REVIEWS", "local_reviews"),
    ("1. NATIONAL STRATEGIES FOR SDG\nIMPLEMENTATION", "1", "NATIONAL STRATEGIES FOR SDG IMPLEMENTATION",
     "national_strategies"),
    ("2.1 LRGs\nparticipation", "2.1", "LRGs participation", "lrg_participation"),  # the join makes it known
    ("3.5 ANNEX ON THE\nFINANCES OF CITIES", "3.5", "ANNEX ON THE FINANCES OF CITIES", None),
    ("NATIONAL STRATEGIES FOR SDG\nIMPLEMENTATION", None, "NATIONAL STRATEGIES FOR SDG IMPLEMENTATION",
     "national_strategies"),
], ids=["two-lines", "three-lines", "known-on-the-first-line", "lower-case-rest", "numbered-unknown", "known-name"])
def test_a_heading_wrapped_onto_the_next_lines_is_one_heading(rules, heading, number, title, key):
    text = f"PERU\n\n1.1 NATIONAL COORDINATION MECHANISMS\n\nx\n\n{heading}\n\nBody text."
    sec = outline(rules, text, "text").sections[-1]
    assert (sec.number, sec.title, sec.key, sec.text) == (number, title, key, "Body text.")


@pytest.mark.parametrize("below", [
    "TERRITORIAL ORGANIZATION",  # a known heading of its own
    "2.2 VNR REFERENCES",  # numbered: its own heading
    "Not applicable",  # body text, not in capitals
    "ALMATY",  # capitals under a complete known heading: a sub-heading
    "\u25b6 LIMA did things",  # a list item
    "There is no reference to locally-led initiatives",  # 'covid 19 .*' would take it; the case decides
])
def test_a_line_below_a_heading_that_does_not_continue_it(rules, below):
    text = f"PERU\n\n2.3 SPECIFIC PROJECTS AND CASES\n3.2 COVID 19\n{below}\n\nBody text."
    titles = [s.title for s in outline(rules, text, "text").sections]
    assert titles[:2] == ["SPECIFIC PROJECTS AND CASES", "COVID 19"]


BODY = ("TERRITORIAL ORGANIZATION\n\nPeru is unitary.\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nA plan.\n\n"
        "1.1 NATIONAL COORDINATION MECHANISMS\n\nA council.\n\n2. LRGs INVOLVEMENT IN SDG LOCALIZATION\n\nSome.\n")
SECTIONS = [("territorial-organization", "Peru is unitary."), ("1", "A plan."), ("1.1", "A council."), ("2", "Some.")]


@pytest.mark.parametrize("contents", [
    "Table of contents\n\nTerritorial organization .......... 1\n1. National strategies for SDG implementation ..... 1\n"
    "1.1 National coordination mechanisms . . . . . . 2\n2. LRGs involvement in SDG localization …… 2\n",
    "CONTENTS\n1.\tNational strategies for SDG implementation\t1\n2.\tLRGs involvement in SDG localization\t2\n",
    "Contents:\n\nTERRITORIAL ORGANIZATION\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\n"
    "1.1 NATIONAL COORDINATION MECHANISMS\n\n2. LRGs INVOLVEMENT IN SDG LOCALIZATION\n",
    "Territorial organization\n1. National strategies for SDG implementation\n1.1 National coordination mechanisms\n",
    "  Table of Contents\n  Territorial organization ..................   1\n  1. National strategies for SDG\n"
    "     implementation ............................   1\n  1.1 National coordination mechanisms ......   2\n\f",
], ids=["dot-leaders", "word-tabs", "headings-repeated", "unlabelled", "entry-wrapped-before-its-page"])
def test_a_table_of_contents_is_neither_a_section_nor_the_headings(rules, contents):
    o = outline(rules, f"PERU\n\n{contents}\n{BODY}", "text")
    assert [(s.section_id, s.text) for s in o.sections] == SECTIONS
    assert o.country_name == "Peru" and o.warnings == ()


def test_a_contents_entry_no_heading_matches_is_a_warning(rules):
    contents = "Contents\nTerritorial organization 1\n3. Relevant information ...... 4\n"
    o = outline(rules, f"PERU\n\n{contents}\n{BODY}", "text")
    assert [(s.section_id, s.text) for s in o.sections] == SECTIONS
    assert o.warnings == ("table of contents lists '3. Relevant information', which no heading matches",)


def test_headings_in_a_row_that_do_not_come_back_are_no_contents(rules):
    text = ("PERU\n\n2. LRGs INVOLVEMENT IN SDG LOCALIZATION\n2.1 LRGs PARTICIPATION\n\u25ba In the VNR process\n\n"
            "Comments: weak.\n\n2.2 VNR REFERENCES\n\nNone.")
    assert [s.section_id for s in outline(rules, text, "text").sections] == ["2", "2.1", "2.1/in-the-vnr-process", "2.2"]


def test_the_real_heading_right_below_a_labelled_contents_is_kept(rules):
    # The contents lists only the numbered sections; the first real heading follows it directly.
    contents = "CONTENTS\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n1.1 NATIONAL COORDINATION MECHANISMS\n"
    o = outline(rules, f"PERU\n\n{contents}\n{BODY}", "text")
    assert [(s.section_id, s.text) for s in o.sections] == SECTIONS


def test_an_unlabelled_contents_may_list_a_section_the_document_lacks(rules):
    contents = ("Territorial organization ...... 1\n1. National strategies for SDG implementation ...... 1\n"
                "1.1 National coordination mechanisms ...... 2\nAnnex: figures ...... 9\n")
    o = outline(rules, f"PERU\n\n{contents}\n{BODY}", "text")
    assert [(s.section_id, s.text) for s in o.sections] == SECTIONS
    assert o.warnings == ("table of contents lists 'Annex: figures', which no heading matches",)


def test_heading_rules_joined_find_the_rule_each_in_turn_finds(rules):
    """``HeadingRules.match`` tries every heading pattern in one alternation: on every line
    of the samples, their titles cut short or run on, and mixed case, it names the rule that
    trying the patterns one by one names first."""
    from pathlib import Path

    headings = rules.headings
    assert headings._any_heading is not None  # the shipped rules can be joined
    root = Path(__file__).resolve().parent.parent / "raw"
    from pipeline.printed import section_number

    lines = {line.strip(" #*") for path in root.glob("*.md") for line in path.read_text(encoding="utf-8").splitlines()}
    titles = lines | {section_number(line)[1] for line in lines}
    titles |= {t[: len(t) // 2] for t in list(titles)} | {t + " AND LRGs" for t in list(titles)} | {t.lower() for t in list(titles)}
    matched = 0
    for title in titles:
        one_by_one = next((h for h in headings.headings if h.pattern.fullmatch(title.strip())), None)
        assert headings.match(title) == one_by_one, title
        matched += one_by_one is not None
    assert matched > 60


def test_heading_patterns_that_call_a_group_are_tried_one_by_one():
    import regex

    from pipeline.rules import HeadingRule, HeadingRules

    flags = regex.IGNORECASE | regex.VERBOSE
    rules = HeadingRules((HeadingRule("doubled", None, regex.compile(r"(\w+) \s+ \1", flags)),
                          HeadingRule("any", None, regex.compile(r"\w+ \s+ \w+", flags))), "", ())
    assert rules._any_heading is None
    assert rules.match("local local").key == "doubled" and rules.match("local regional").key == "any"


def test_joined_heading_rules_name_the_rule_whatever_groups_it_has():
    import regex

    from pipeline.rules import HeadingRule, HeadingRules

    flags = regex.IGNORECASE | regex.VERBOSE
    rules = HeadingRules((HeadingRule("named", None, regex.compile(r"(?P<what> local | regional ) \s+ (?P<end>plans)", flags)),
                          HeadingRule("plain", None, regex.compile(r"(local) \s+ \w+", flags))), "", ())
    assert rules._any_heading is not None
    assert rules.match("Local plans").key == "named" and rules.match("local budgets").key == "plain"
    assert rules.match("national plans") is None


def test_capitals_are_counted_alike_on_ascii_and_other_text():
    """_is_upper counts an ASCII title's letters and capitals by deleting bytes: on random
    titles the counts are those of a loop over the characters."""
    import random

    from pipeline.sections import _letters_and_capitals

    rnd = random.Random(3)
    pieces = ["LRG", "s ", "In ", "the ", "VNR", " ", "2.1", "(", ")", "-", "É", "é", "ß", "Ⅷ", "Ⓐ", "\t", "'", "_", "1"]
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        letters = [c for c in text if c.isalpha()]
        assert _letters_and_capitals(text) == (len(letters), sum(c.isupper() for c in letters)), text


def test_a_title_is_stripped_of_a_glued_note_only_where_one_may_end_it():
    """_known tries the title without a glued note number only where GLUED_NOTE may match:
    its end test never hides a match."""
    import random

    from pipeline.sections import GLUED_NOTE, _may_end_in_note

    rnd = random.Random(5)
    pieces = ["INDICATORS", "10", "3", " ", "[9]", "[", "]", ")", "\n", "²", "a", "١"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        if GLUED_NOTE.search(text):
            assert _may_end_in_note(text), repr(text)


def test_contents_are_found_alike_when_the_scan_skips_lines_that_open_no_entry(rules):
    """contents_entries tries a run only where an entry starts: over the raw profiles and the
    contents cases above, it skips what trying a run at every line skipped."""
    from pathlib import Path

    from pipeline import sections as module
    from pipeline.ingest import InputLimits, read_source

    raw = Path(__file__).resolve().parent.parent / "raw"
    docs = [normalize(read_source(p, raw, InputLimits(), rules), rules)
            for p in sorted(raw.iterdir()) if p.suffix in (".md", ".txt") and p.name != "README.md"]
    contents = ["Table of contents\n\nTerritorial organization .......... 1\n1. National strategies ..... 1\n\n\n",
                "Contents\nTerritorial organization 1\n3. Relevant information ...... 4\n",
                "CONTENTS\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n1.1 NATIONAL COORDINATION MECHANISMS\n",
                "Territorial organization ...... 1\n\n1.1 National coordination mechanisms ...... 2\n\nAnnex ...... 9\n"]
    docs += [normalize(source(f"PERU\n\n{text}\n{BODY}", "text"), rules) for text in contents]
    for doc in docs:
        items = module.read_items(doc.lines, rules.headings)
        assert module.contents_entries(items, rules.headings) == _contents_trying_every_line(items, rules.headings)


def _contents_trying_every_line(items, rules):
    from pipeline import sections as module

    entries = [None if item.is_blank else module._entry(item, i, rules) for i, item in enumerate(items)]
    last_heading = {module._title_key(item.title, None): i for i, item in enumerate(items)
                    if isinstance(item, module.HeadingLine)}

    def reappears(entry, after):
        return any(last_heading.get(key, -1) >= after for key in entry.keys)

    for i in range(len(items) - 1):
        wrapped = module._wrapped_entry(items, entries, i, rules)
        if wrapped and (entries[i] is None or reappears(wrapped, i + 2) and not reappears(entries[i], i + 1)):
            entries[i] = wrapped
    skip, warnings, i = set(), [], 0
    while i < len(items):
        run, end = module._entry_run(items, entries, i)
        while run and not run[-1].paged and not reappears(run[-1], run[-1].index + 1):
            end = run.pop().index
        label = module._label_above(items, run[0].start, rules) if run else None
        back = [e for e in run if reappears(e, end)]
        if run and (label is not None or len(back) >= module._MIN_UNLABELLED and all(e.paged for e in run if e not in back)):
            skip.update(range(label if label is not None else run[0].start, run[-1].index + 1))
            warnings += [f"table of contents lists {e.title!r}, which no heading matches" for e in run
                         if not reappears(e, end)]
            i = end
        else:
            i += 1
    return skip, warnings


def test_cheaper_line_tests_agree_with_their_plain_definitions():
    """_is_sentence splits no further than its word limit, _has_letters searches an ASCII
    line in C, and _TRAILING_PAGE is tried only on a title that may end in a digit: on
    random lines each gives what the plain definition gives."""
    import random

    import re

    from pipeline.sections import (
        _ACRONYM_PLURAL, _TRAILING_PAGE, _ends_in_page_number, _has_letters, _is_sentence, _may_end_in_digit)

    lookbehind_first = re.compile(r"(?<=[A-Z][A-Z])s\b")

    rnd = random.Random(9)
    pieces = ["word ", "a", ".", "..", ";", ",", " ", "  ", "\t", "\n", "1", "23", "é", "Ⅷ", "²", "_", "-", "١",
              "VLR", "s", "S", "iv", "X", "…", "·"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        plain = text.rstrip().endswith((".", ";", ",")) and not text.rstrip().endswith("..") or len(text.split()) > 20
        assert _is_sentence(text) == plain, repr(text)
        assert _has_letters(text) == any(c.isalpha() for c in text), repr(text)
        if _TRAILING_PAGE.search(text):
            assert _may_end_in_digit(text), repr(text)
        assert _ACRONYM_PLURAL.findall(text) == lookbehind_first.findall(text), repr(text)
        entry = text.strip()  # as _entry passes it
        last = entry[-8:].rsplit(None, 1)[-1].lstrip(".…·_") if entry else ""
        unguarded = 0 < len(last) <= 6 and (last.isdigit() or not last.strip("ivxlcIVXLC")) and len(entry) <= 320
        assert _ends_in_page_number(entry) == unguarded, repr(entry)

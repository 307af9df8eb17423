"""local_reviews: VLRs and VSRs of the VSR/VLR section, place by place and year by year."""
from __future__ import annotations

import pytest

from conftest import line_of, rules_copy_with
from pipeline.document import FootnoteRef, Outline
from pipeline.errors import RuleError
from pipeline.local_reviews import extract_local_reviews, find_names, read_reviews
from pipeline.rules import load_rules

RULES = load_rules()


def reviews(text: str, markers=()) -> list[tuple[str, str, int]]:
    result = read_reviews(text, RULES.local_reviews, RULES.normalize.abbreviations, list(markers))
    assert result.warnings == ()
    return [(r.place, r.kind, r.year) for r in result.rows]


@pytest.mark.parametrize("text, expected", [
    # years right after each place, in parentheses or after "in"
    ("Published VLRs include Lyon (2019 and 2022) and Nantes (2020).",
     [("Lyon", "VLR", 2019), ("Lyon", "VLR", 2022), ("Nantes", "VLR", 2020)]),
    ("Two cities have presented VLRs: Accra in 2020 and the city of Kumasi in 2021.",
     [("Accra", "VLR", 2020), ("Kumasi", "VLR", 2021)]),
    # the subject of the clause takes its years; a place prefix is dropped
    ("The state of Jalisco presented a Voluntary Subnational Review in 2022.", [("Jalisco", "VSR", 2022)]),
    ("In 2021, the Association of Municipalities prepared a VSR.", [("Association of Municipalities", "VSR", 2021)]),
    ("The provinces of North Holland and South Holland each published a VSR in 2023.",
     [("North Holland", "VSR", 2023), ("South Holland", "VSR", 2023)]),
    # a name after a preposition is not the subject
    ("Bhopal, the capital of Madhya Pradesh, presented a VLR of an Indian city in 2022.", [("Bhopal", "VLR", 2022)]),
    # a bare "review" takes the kind named last before it
    ("Quito presented a VLR in 2020, and Cuenca followed in 2022 with a review.",
     [("Quito", "VLR", 2020), ("Cuenca", "VLR", 2022)]),
])
def test_places_kinds_and_years(text, expected):
    assert reviews(text) == expected


@pytest.mark.parametrize("text", [
    "No province has published a Voluntary Subnational Review so far.",   # negated
    "The AMS intends to prepare a Voluntary Subnational Review in 2025.",  # planned
    "The FCM is preparing a VSR with the support of UCLG.",
    "Mérida has announced its first VLR.",
    "Lucknow released an SDG progress report in 2021 that follows the VSR format.",  # another document
    "Not applicable.",
    "In 2020, Lima hosted a regional forum.",  # no review named
])
def test_no_review_made_gives_no_row(text):
    assert reviews(text) == []


def test_footnote_is_the_sentences_marker_else_the_next_one():
    text = "Dakar presented a VLR in 2021. Thiès presented a VLR in 2023. It was a first."
    rows = read_reviews(text, RULES.local_reviews, RULES.normalize.abbreviations, [(text.index(" Thiès"), 4), (len(text), 5)]).rows
    assert [(r.place, r.footnote) for r in rows] == [("Dakar", 4), ("Thiès", 5)]
    assert rows[1].evidence == "Thiès presented a VLR in 2023."
    assert [r.ordinal for r in rows] == [0, 1]


def test_a_year_no_place_takes_is_a_warning_not_a_silent_loss():
    result = read_reviews("In 2022, a VLR was published in the north.", RULES.local_reviews, RULES.normalize.abbreviations, [])
    assert result.rows == ()
    assert result.warnings == ("local_reviews: no place for the VLR of 2022 in 'In 2022, a VLR was published in the north.'",)


def test_names_join_particles_and_drop_opening_function_words():
    names = [n.text for n in find_names("In 2023, the Council of Governors and Rio de Janeiro met.", RULES.local_reviews)]
    assert names == ["Council of Governors", "Rio de Janeiro"]


def test_a_profile_without_the_section_has_no_reviews(outline_of):
    outline = outline_of("# TERRITORIAL ORGANIZATION\n\nThe country has 10 regions.\n").outline
    assert extract_local_reviews(outline, RULES).rows == ()
    assert extract_local_reviews(Outline("X", ()), RULES, (FootnoteRef(1, "2.4", 0),)).rows == ()


def test_the_section_is_found_by_its_heading(outline_of):
    outline = outline_of("# TERRITORIAL ORGANIZATION\n\nText.\n\n## 2.4 VLRs AND VSRs\n\n"
                         "Surabaya presented a VLR in 2021.<sup>3</sup>\n\n3. See: https://example.org\n")
    (row,) = extract_local_reviews(outline.outline, RULES, outline.refs).rows
    assert (row.place, row.kind, row.year, row.footnote) == ("Surabaya", "VLR", 2021, 3)


def test_broken_rule_file_reports_every_error_with_line(tmp_path):
    target = rules_copy_with(tmp_path / "rules", "local_reviews.yaml", [
        ("  VSR: '", "  XYZ: '"),
        ("(?P<years> (?&year_list) )", "(?&year_list)"),
        ("(?P<years> (?&year_list) )", "(?&year_list)"),
        ("  - '\\b (?: (?<! \\b to \\s ) reports? (?! \\s+ (?: on | to | back ) \\b ) | format ) \\b'", "  - '(a|)'"),
    ])
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path / "rules")
    errors = [e for e in caught.value.errors if e.startswith("rules/local_reviews.yaml:")]
    for needle, words in [("XYZ:", "unknown review kind 'XYZ'"), ("direct_years:", "group named 'years'"), ("'(a|)'", "vacuous")]:
        prefix = f"rules/local_reviews.yaml:{line_of(target, needle)}:"
        assert any(e.startswith(prefix) and words in e for e in errors), (prefix, words, errors)

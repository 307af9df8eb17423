"""The sentence splitter admin-unit counts and SDG priorities share."""
from __future__ import annotations

import pytest

from pipeline.sentences import sentence_bounds


def _texts(text: str, rules) -> list[str]:
    return [text[s:e] for s, e in sentence_bounds(text, rules.normalize.abbreviations)]


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("See VNR, 2022, p. 48. Next one.", ["See VNR, 2022, p. 48.", "Next one."]),
        ("Goals, e.g. SDG 4. Then (see p. 4). End", ["Goals, e.g. SDG 4.", "Then (see p. 4).", "End"]),
        ('He said "done." 2019 was next.', ['He said "done."', "2019 was next."]),
        ("Units (e.g. Almaty) count 3 cities. No. 5 is a law", ["Units (e.g. Almaty) count 3 cities.", "No. 5 is a law"]),
        ("It was led by J. Smith. Then Élysée spoke!  Why?", ["It was led by J. Smith.", "Then Élysée spoke!", "Why?"]),
        ("The law (Art. 4) applies. «Quoted.» Next.", ["The law (Art. 4) applies.", "«Quoted.»", "Next."]),
        ("no capital after this. so one sentence", ["no capital after this. so one sentence"]),
    ],
    ids=["page-abbreviation", "eg-and-parenthesis", "quote-then-digit", "no-abbreviation",
         "initial-and-accented-capital", "bracketed-abbreviation-and-guillemets", "lowercase-goes-on"],
)
def test_sentence_bounds(rules, text, sentences):
    assert _texts(text, rules) == sentences


def test_bounds_stay_inside_the_range_given(rules):
    text = "First paragraph ends. Second one. Third."
    start = text.index("Second")
    assert [text[s:e] for s, e in sentence_bounds(text, rules.normalize.abbreviations, start, len(text))] == [
        "Second one.", "Third."]


def test_an_abbreviation_must_end_in_a_period(tmp_path):
    from conftest import line_of, rules_copy_with

    from pipeline.errors import RuleError
    from pipeline.rules import load_rules

    target = rules_copy_with(tmp_path / "rules", "normalize.yaml", [("abbreviations: [e.g.,", "abbreviations: [eg,")])
    with pytest.raises(RuleError, match=rf"rules/normalize.yaml:{line_of(target, 'abbreviations:')}: abbreviation 'eg'"):
        load_rules(tmp_path / "rules")

"""The admin-unit corpus measure: real sentences, pinned floors that only rise."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.admin_corpus import (
    CorpusSentence,
    below_floors,
    match_rows,
    read_corpus,
    read_floors,
    score_corpus,
)
from pipeline.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_corpus_stays_above_its_pinned_floors(rules):
    score = score_corpus(read_corpus(ROOT / "tests/corpus/admin_sentences.jsonl"), rules)
    assert score.sentences >= 30
    assert below_floors(score, read_floors(ROOT / "tests/corpus/admin_floors.json")) == [], score.summary()


def test_floors_name_every_measure():
    floors = read_floors(ROOT / "tests/corpus/admin_floors.json")
    assert set(floors) == {"precision", "recall", "tier_accuracy", "relation_accuracy"}
    assert all(0 < v <= 1 for v in floors.values())


def test_score_counts_misses_extras_and_wrong_tiers(rules):
    items = [
        CorpusSentence(1, "The country is divided into 17 regions and 179 districts.",
                       ({"count": 17, "tier": "regional"}, {"count": 179, "tier": "municipal"})),
        CorpusSentence(2, "Some 300 people live there.", ({"count": 12, "tier": None},)),
    ]
    score = score_corpus(items, rules)
    assert (score.expected, score.found, score.matched) == (3, 2, 2)
    assert score.recall == pytest.approx(2 / 3)
    assert score.precision == 1.0
    assert (score.tier_stated, score.tier_right) == (2, 1)  # districts carry no tier of their own
    assert any("missed 12" in m for m in score.misses)


def test_relations_are_compared_through_the_matching(rules):
    items = [CorpusSentence(1, "France has 18 regions, including 5 overseas regions, and 34 945 municipalities.", (
        {"count": 18, "tier": "regional", "is_total": True, "part_of": None},
        {"count": 5, "tier": "regional", "is_total": False, "part_of": 0},
        {"count": 34945, "tier": "municipal", "is_total": True, "part_of": None},  # wrong on purpose
    ))]
    score = score_corpus(items, rules)
    assert (score.matched, score.relations_right) == (3, 2)


def test_match_rows_uses_each_row_once():
    expected = ({"count": 5}, {"count": 5}, {"count": 7})
    found = [{"count": 5}, {"count": 7}]
    assert match_rows(expected, found) == [(0, 0), (2, 1)]


def test_below_floors_names_the_measure():
    class Score:
        precision, recall, tier_accuracy = 0.9, 0.5, 1.0
    assert below_floors(Score(), {"precision": 0.9, "recall": 0.6, "tier_accuracy": 0.9}) == [
        "admin-unit corpus: recall 0.500 below the pinned floor 0.600"
    ]


@pytest.mark.parametrize("line, message", [
    ("{not json", "not JSON"),
    (json.dumps({"sentence": "x"}), "needs a 'sentence' string and an 'expected' list"),
])
def test_bad_corpus_line_is_a_one_line_error(tmp_path, line, message):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"sentence": "ok", "expected": []}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"c.jsonl:2: {message}"):
        read_corpus(path)

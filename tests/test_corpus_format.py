"""The admin-sentence corpus is well formed, so that scores measured on it mean something."""
import json
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus" / "admin_sentences.jsonl"
KEYS = ["id", "country", "region", "source", "sentence", "expected"]
EXPECTED_KEYS = ["count", "unit_type", "tier", "qualifier", "is_total", "part_of"]
REGIONS = {"Africa", "Americas", "Asia", "Europe", "Middle East", "Oceania"}
TIERS = {"regional", "intermediate", "municipal", "sub_municipal", None}


def load_rows():
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [(number, json.loads(line)) for number, line in enumerate(lines, 1) if line.strip()]


ROWS = load_rows()


@pytest.mark.parametrize("number,row", ROWS, ids=[row["id"] for _, row in ROWS])
def test_row_has_the_documented_shape(number, row):
    where = f"{CORPUS.name}:{number}"
    assert list(row)[:6] == KEYS, where
    assert set(row) <= set(KEYS) | {"note"}, where
    assert row["id"].startswith(row["country"] + "-"), where
    assert len(row["country"]) == 3 and row["country"].isupper(), where
    assert row["region"] in REGIONS, where
    assert row["source"].startswith(("http://", "https://")), where
    assert row["sentence"].strip() == row["sentence"] and row["sentence"], where
    for index, unit in enumerate(row["expected"]):
        assert list(unit) == EXPECTED_KEYS, where
        assert isinstance(unit["count"], int) and unit["count"] > 0, where
        assert unit["unit_type"] == unit["unit_type"].lower() and unit["unit_type"], where
        assert unit["tier"] in TIERS, where
        assert unit["qualifier"] is None or unit["qualifier"] in row["sentence"].lower(), where
        assert isinstance(unit["is_total"], bool), where
        part_of = unit["part_of"]
        assert part_of is None or (isinstance(part_of, int) and 0 <= part_of < len(row["expected"])
                                   and part_of != index), where
        if part_of is not None:
            assert row["expected"][part_of]["is_total"], f"{where}: a count with parts is a total"


def test_corpus_is_large_and_varied_enough():
    rows = [row for _, row in ROWS]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len({row["sentence"] for row in rows}) == len(rows), "duplicate sentences"
    assert len(rows) >= 100
    assert len({row["country"] for row in rows}) >= 60
    assert {row["region"] for row in rows} == REGIONS
    assert sum(1 for row in rows if not row["expected"]) >= 10, "too few sentences without a unit count"

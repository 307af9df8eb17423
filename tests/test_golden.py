"""End to end: every profile in raw/ against tests/golden/, table by table."""
from __future__ import annotations

import pytest

from pipeline.extract import extract_document
from pipeline.golden import compare_tables, read_golden
from pipeline.ingest import read_source
from pipeline.run import discover_inputs
from pipeline.schema import TABLES

from conftest import GOLDEN, RAW

INPUTS = discover_inputs(RAW)


@pytest.fixture(scope="module")
def extractions(rules):
    out = {}
    for path in INPUTS:
        source = read_source(path, RAW, rules=rules)
        out[path.name] = extract_document(source, rules)
    return out


def test_every_golden_country_has_an_input_and_every_input_a_golden(extractions):
    produced = sorted(e.iso3 for e in extractions.values())
    golden = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
    assert produced == golden
    assert len(produced) >= 5


@pytest.mark.parametrize("name", [p.name for p in INPUTS])
@pytest.mark.parametrize("table", list(TABLES))
def test_table_matches_golden(extractions, name, table):
    result = extractions[name]
    golden = read_golden(GOLDEN, result.iso3)
    assert table in golden, f"{result.iso3}: no golden file for {table}"
    problems = compare_tables(result.iso3, {table: result.tables[table]}, {table: golden[table]})
    assert not problems, "\n".join(str(p) for p in problems[:25])

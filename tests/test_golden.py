"""End to end: every profile in raw/ against tests/golden/, table by table."""
from __future__ import annotations

import pytest

from pipeline.extract import extract_document
from pipeline.golden import compare_tables, judge, read_floors, read_golden
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
    mismatches = compare_tables(result.iso3, {table: result.tables[table]}, {table: golden[table]})
    failures, _ = judge(result.iso3, mismatches, {table: golden[table]}, read_floors(GOLDEN))
    assert not failures, "\n".join(failures[:25])


def test_pinned_floors_are_real_claims():
    """Every floor is a share in (0, 1] for a country that has golden files: lowering one is a reviewed change."""
    floors = read_floors(GOLDEN)
    countries = {p.name for p in GOLDEN.iterdir() if p.is_dir()}
    for table, by_country in floors.items():
        assert set(by_country) <= countries
        assert all(0 < f <= 1 for f in by_country.values())


MARKUP = ("**", "<sup>", "</sup>", "\\_", "\\*", "](")


@pytest.mark.parametrize("name", [p.name for p in INPUTS])
def test_text_columns_are_clean(extractions, name):
    """The contract's clean text: no markdown, no line breaks, whitespace collapsed, no heading hashes."""
    for table, arrow in extractions[name].tables.items():
        for column in TABLES[table].columns:
            if str(column.type) != "string":
                continue
            for value in arrow.column(column.name).to_pylist():
                if value is None:
                    continue
                where = f"{table}.{column.name}: {value[:80]!r}"
                assert not any(m in value for m in MARKUP), where
                assert "\n" not in value and "  " not in value and value == value.strip(), where
                assert not value.startswith("#"), where

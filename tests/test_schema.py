"""The one schema: contract coverage (snapshot), the data dictionary and datapackage.json.

tests/schema_snapshot.json keeps the contract's column lists and types so CI can
check TABLES without /work/shared; when the contract is present, the snapshot
must still equal what the contract says. Regenerate it with
``python tests/test_schema.py /path/to/data-contract.md``.
"""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.schema import (
    TABLES,
    Column,
    arrow_type_name,
    data_dictionary_markdown,
    datapackage_descriptor,
    frictionless_type,
)

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "tests" / "schema_snapshot.json"
CONTRACT = ROOT.parent / "shared" / "spec" / "data-contract.md"
DICTIONARY = ROOT / "docs" / "data-dictionary.md"

_HEADING = re.compile(r"^## (\w+)")
_ROW = re.compile(r"^\|(.+)\|\s*$")


def parse_contract(text: str) -> dict[str, dict[str, dict]]:
    """The contract's markdown tables -> {table: {column: {"type", "nullable"}}}."""
    tables: dict[str, dict[str, dict]] = {}
    current = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = heading.group(1)
            continue
        row = _ROW.match(line)
        if current is None or not row:
            continue
        cells = [c.strip() for c in row.group(1).split("|")]
        if cells[0] in {"column", ""} or set(cells[0]) <= {"-"}:
            continue
        kind, _, null = cells[1].partition(",")
        for name in cells[0].split(","):
            tables.setdefault(current, {})[name.strip()] = {"type": kind.strip(), "nullable": null.strip() == "null"}
    return tables


def contract_violations(tables: dict, snapshot: dict) -> list[str]:
    """Every contract column missing from TABLES or typed differently there."""
    problems = []
    for table, columns in snapshot.items():
        if table not in tables:
            problems.append(f"{table}: table missing")
            continue
        have = {c.name: c for c in tables[table].columns}
        for name, want in columns.items():
            column = have.get(name)
            if column is None:
                problems.append(f"{table}.{name}: column missing")
            elif arrow_type_name(column.type) != want["type"]:
                problems.append(f"{table}.{name}: type {arrow_type_name(column.type)}, contract says {want['type']}")
            elif column.nullable != want["nullable"]:
                problems.append(f"{table}.{name}: nullable {column.nullable}, contract says {want['nullable']}")
    return problems


def load_snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))["tables"]


# -- the contract ------------------------------------------------------------------------
def test_snapshot_covers_the_contract_tables():
    snapshot = load_snapshot()
    assert len(snapshot) == 10
    assert snapshot["admin_units"]["named_members"] == {"type": "list<string>", "nullable": False}
    assert snapshot["sections"]["page_end"] == {"type": "int16", "nullable": True}
    types = {c["type"] for cols in snapshot.values() for c in cols.values()}
    assert types == {"string", "int8", "int16", "int32", "double", "bool", "list<string>", "list<int16>"}


def test_tables_hold_every_contract_column_with_its_type():
    assert contract_violations(TABLES, load_snapshot()) == []


@pytest.mark.parametrize("change, expected", [
    (lambda t: t.pop("cases"), "cases: table missing"),
    (lambda t: _replace(t, "admin_units", "count", type=pa.int64()), "admin_units.count: type int64, contract says int32"),
    (lambda t: _replace(t, "indicators", "value", nullable=False), "indicators.value: nullable False"),
    (lambda t: _replace(t, "footnotes", "urls", name="links"), "footnotes.urls: column missing"),
])
def test_a_schema_that_breaks_the_contract_is_reported(change, expected):
    tables = copy.copy(TABLES)
    change(tables)
    problems = contract_violations(tables, load_snapshot())
    assert any(p.startswith(expected) for p in problems), problems


def _replace(tables, table, column, **changes):
    from dataclasses import replace

    spec = tables[table]
    columns = tuple(replace(c, **changes) if c.name == column else c for c in spec.columns)
    tables[table] = replace(spec, columns=columns)


@pytest.mark.skipif(not CONTRACT.exists(), reason="the shared contract is not in this checkout")
def test_snapshot_still_matches_the_contract():
    assert parse_contract(CONTRACT.read_text(encoding="utf-8")) == load_snapshot()


def test_parse_contract_splits_shared_rows_and_null_marks():
    text = "## t — x\n| column | type | meaning |\n|---|---|---|\n| a, b | int16, null | m |\n| c | list<string> | n |\nprose\n"
    assert parse_contract(text) == {"t": {
        "a": {"type": "int16", "nullable": True},
        "b": {"type": "int16", "nullable": True},
        "c": {"type": "list<string>", "nullable": False},
    }}


# -- type names ------------------------------------------------------------------------
@pytest.mark.parametrize("dtype, arrow, frictionless", [
    (pa.string(), "string", "string"),
    (pa.int8(), "int8", "integer"),
    (pa.int32(), "int32", "integer"),
    (pa.float64(), "double", "number"),
    (pa.bool_(), "bool", "boolean"),
    (pa.list_(pa.string()), "list<string>", "array"),
    (pa.list_(pa.int16()), "list<int16>", "array"),
])
def test_type_names(dtype, arrow, frictionless):
    assert arrow_type_name(dtype) == arrow
    assert frictionless_type(dtype) == frictionless


def test_an_arrow_type_without_a_table_schema_type_is_an_error():
    with pytest.raises(ValueError, match="timestamp"):
        frictionless_type(pa.timestamp("s"))


# -- the data dictionary -----------------------------------------------------------------
def test_data_dictionary_is_up_to_date():
    assert DICTIONARY.exists(), "run: python -m pipeline.schema > docs/data-dictionary.md"
    assert DICTIONARY.read_text(encoding="utf-8") == data_dictionary_markdown(), (
        "docs/data-dictionary.md is stale; run: python -m pipeline.schema > docs/data-dictionary.md")


def test_data_dictionary_is_deterministic_and_lists_every_column():
    text = data_dictionary_markdown()
    assert text == data_dictionary_markdown()
    for table in TABLES.values():
        assert f"\n## {table.name}\n" in text
        assert f"`output/{table.name}/country=<ISO3>/part-0.parquet`" in text
        for column in table.columns:
            assert re.search(rf"^\| `{column.name}` \| `{re.escape(arrow_type_name(column.type))}` \| "
                             rf"{'yes' if column.nullable else 'no'} \|", text, re.M), (table.name, column.name)


def test_data_dictionary_escapes_pipes_in_meanings(monkeypatch):
    import pipeline.schema as schema

    table = schema.Table("t", "a | b", (Column("c", pa.string(), "x | y"),))
    monkeypatch.setattr(schema, "TABLES", {"t": table})
    text = schema.data_dictionary_markdown()
    assert "| `c` | `string` | no | x \\| y |" in text


def test_python_m_pipeline_schema_prints_the_dictionary():
    import subprocess

    done = subprocess.run([sys.executable, "-m", "pipeline.schema"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout == data_dictionary_markdown()


# -- datapackage.json ----------------------------------------------------------------------
def test_datapackage_lists_every_table_and_column():
    descriptor = datapackage_descriptor(created="2026-01-01T00:00:00Z")
    json.dumps(descriptor)  # serialisable as is
    assert descriptor["name"] == "sdg-profiles"
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert descriptor["created"] == "2026-01-01T00:00:00Z"
    assert descriptor["version"] and descriptor["licenses"] and descriptor["sources"]
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert list(resources) == list(TABLES)
    for table in TABLES.values():
        resource = resources[table.name]
        assert resource["path"] == f"{table.name}/"
        assert resource["format"] == "parquet"
        assert resource["mediatype"] == "application/vnd.apache.parquet"
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == table.column_names + ["country"]
        for column, field in zip(table.columns, fields):
            assert field["type"] == frictionless_type(column.type)
            assert field["description"] == column.meaning
            assert field.get("constraints", {}).get("required", False) == (not column.nullable)
            assert field.get("constraints", {}).get("enum", []) == list(column.enum)
        assert fields[-1]["constraints"] == {"required": True, "pattern": "[A-Z]{3}"}
        assert resource["schema"]["primaryKey"] == list(table.primary_key)


def test_every_table_has_a_key_that_starts_with_country_and_names_its_columns():
    for table in TABLES.values():
        assert table.primary_key[0] == "country", table.name
        assert set(table.primary_key[1:]) <= set(table.column_names), table.name
        for fk in table.foreign_keys:
            assert set(fk.fields) - {"country"} <= set(table.column_names), (table.name, fk)
            assert fk.reference == TABLES[fk.table].primary_key or set(fk.reference) <= set(TABLES[fk.table].column_names) | {"country"}


def test_foreign_keys_the_issue_asks_for_are_declared():
    declared = {(t.name, fk.fields, fk.table) for t in TABLES.values() for fk in t.foreign_keys}
    assert ("footnote_refs", ("country", "number"), "footnotes") in declared
    assert ("footnote_refs", ("country", "section_id"), "sections") in declared
    assert ("entities", ("country", "section_id"), "sections") in declared
    assert ("admin_units", ("country", "part_of"), "admin_units") in declared
    package = datapackage_descriptor(created="x")
    units = next(r for r in package["resources"] if r["name"] == "admin_units")
    assert units["schema"]["foreignKeys"] == [{"fields": ["country", "part_of"], "reference": {"fields": ["country", "ordinal"]}}]


def test_enumerations_are_declared_with_the_order_of_level():
    from pipeline.rules import ADMIN_TIERS, RATING_LEVELS
    from pipeline.schema import LEVEL_SCALE, LEVELS, TIERS

    enums = {(t.name, c.name): c.enum for t in TABLES.values() for c in t.columns if c.enum}
    for table, column in [("ratings", "level"), ("ratings", "dimension"), ("ratings", "method"),
                          ("admin_units", "tier"), ("indicators", "disaggregation"), ("entities", "method")]:
        assert enums[(table, column)], (table, column)
    assert LEVEL_SCALE == ("mid_high", "weak", "none")
    assert set(LEVELS) == set(RATING_LEVELS)
    assert TIERS == ("regional", "intermediate", "municipal", "sub_municipal")
    assert set(ADMIN_TIERS) <= set(TIERS)
    text = data_dictionary_markdown()
    assert "`mid_high` > `weak` > `none`" in text
    level = next(r for r in datapackage_descriptor(created="x")["resources"] if r["name"] == "ratings")["schema"]["fields"][1]
    assert level["levelScale"] == ["mid_high", "weak", "none"]


def test_to_arrow_refuses_a_value_outside_its_enumeration():
    from pipeline.schema import to_arrow

    row = {"dimension": "vnr_process", "level": "strong", "method": "label"}
    with pytest.raises(ValueError, match="ratings.level: 'strong' is not one of mid_high"):
        to_arrow("ratings", [row])


def test_to_arrow_refuses_an_integer_outside_its_bounds():
    from pipeline.schema import to_arrow

    with pytest.raises(ValueError, match="sdg_priorities.sdg: 18 is outside 1-17"):
        to_arrow("sdg_priorities", [{"year": 2022, "sdg": 18}])
    goal = next(f for r in datapackage_descriptor(created="x")["resources"] if r["name"] == "indicators"
                for f in r["schema"]["fields"] if f["name"] == "goal")
    assert (goal["constraints"]["minimum"], goal["constraints"]["maximum"]) == (1, 17)


def test_nullable_integers_read_back_as_integers_in_pandas(tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    from pipeline.schema import to_arrow

    for iso3, year in (("AAA", 2020), ("BBB", None)):
        part = tmp_path / "sdg_priorities" / f"country={iso3}"
        part.mkdir(parents=True)
        rows = [{"indicator_code": "5.5.1", "goal": 5, "name": "n", "disaggregation": "total", "value": None,
                 "year": year, "raw_value": "-", "official": True, "ordinal": 0}]
        pq.write_table(to_arrow("indicators", rows), part / "part-0.parquet")
    frame = pd.read_parquet(tmp_path / "sdg_priorities")
    assert str(frame["year"].dtype) == "Int16" and str(frame["goal"].dtype) == "Int8"
    assert frame["year"].tolist()[0] == 2020 and frame["year"].isna().tolist() == [False, True]
    assert str(frame["ordinal"].dtype) == "int16"


def test_data_dictionary_states_keys_and_joins():
    text = data_dictionary_markdown()
    assert "Key: `country`, `section_id`" in text
    assert "`footnote_refs`.(`country`, `number`) -> `footnotes`.(`country`, `number`)" in text
    assert "`admin_units`.(`country`, `part_of`) -> `admin_units`.(`country`, `ordinal`)" in text


def test_created_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert datapackage_descriptor()["created"] == "1970-01-01T00:00:00Z"


def test_datapackage_types_match_frictionless_names():
    allowed = {"string", "integer", "number", "boolean", "array"}
    for resource in datapackage_descriptor()["resources"]:
        assert {f["type"] for f in resource["schema"]["fields"]} <= allowed


if __name__ == "__main__":  # regenerate the snapshot from the contract
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else CONTRACT
    data = {"source": "shared/spec/data-contract.md", "tables": parse_contract(source.read_text(encoding="utf-8"))}
    SNAPSHOT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} from {source}")


def test_to_arrow_enforces_the_documented_row_order():
    from pipeline.schema import to_arrow

    table = to_arrow("sdg_priorities", [{"year": 2022, "sdg": 3}, {"year": 2019, "sdg": 11}, {"year": 2022, "sdg": 1}])
    assert table.to_pylist() == [{"year": 2019, "sdg": 11}, {"year": 2022, "sdg": 1}, {"year": 2022, "sdg": 3}]

"""The library entry point: one file -> tables, nothing written."""
import pyarrow as pa

import pipeline
from pipeline.schema import TABLES

from conftest import RAW


def test_extract_file_returns_every_table_without_writing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tables = pipeline.extract_file(RAW / "kazakhstan.md")
    assert set(tables) == set(TABLES)
    assert all(isinstance(t, pa.Table) for t in tables.values())
    assert tables["admin_units"].num_rows == 9
    assert tables["profiles"].column("country_name").to_pylist() == ["Kazakhstan"]
    assert list(tmp_path.iterdir()) == []


def test_extract_file_accepts_str_paths_and_given_rules(rules):
    tables = pipeline.extract_file(str(RAW / "norway.txt"), rules=rules)
    assert tables["profiles"].column("source_format").to_pylist() == ["text"]

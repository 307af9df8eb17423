"""Golden comparison: extracted tables against tests/golden/<ISO3>/<table>.jsonl.

Golden rows are claims about the documents, written by reading them. Only the
columns a golden row names are compared (tables may gain columns); a mismatch
names table, row, field, expected and got.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from .schema import TABLES

# Fields that describe the run, not the document, or whose wording is free.
IGNORED_FIELDS = {
    "profiles": {"pipeline_version", "rules_digest"},
    "ratings": {"evidence"},
}
# Tables whose golden rows are the entities a reader is sure of, not all of them:
# each golden row must be in the output; more output rows are not differences.
SUBSET_TABLES = {"entities"}


@dataclass(frozen=True)
class Mismatch:
    country: str
    table: str
    row: int | None
    field: str | None
    expected: object
    got: object

    def __str__(self) -> str:
        where = f"{self.country} {self.table}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f" field {self.field}"
        return f"{where}: expected {self.expected!r}, got {self.got!r}"


def read_golden(golden_dir: Path, iso3: str) -> dict[str, list[dict]]:
    """Golden rows per table for one country; tables without a file are absent."""
    out = {}
    for name in TABLES:
        path = Path(golden_dir) / iso3 / f"{name}.jsonl"
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            out[name] = [json.loads(line) for line in lines if line.strip()]
    return out


def compare_tables(iso3: str, tables: dict[str, pa.Table], golden: dict[str, list[dict]]) -> list[Mismatch]:
    """Every difference between extracted tables and golden rows."""
    problems: list[Mismatch] = []
    for name, expected_rows in golden.items():
        got_rows = tables[name].to_pylist()
        if name in SUBSET_TABLES:
            problems += _missing_rows(iso3, name, expected_rows, got_rows)
            continue
        if len(got_rows) != len(expected_rows):
            problems.append(Mismatch(iso3, name, None, "row count", len(expected_rows), len(got_rows)))
        for i, (want, got) in enumerate(zip(expected_rows, got_rows)):
            for field, expected in want.items():
                if field in IGNORED_FIELDS.get(name, set()):
                    continue
                actual = got.get(field, "<missing column>")
                if not _same(expected, actual):
                    problems.append(Mismatch(iso3, name, i, field, expected, actual))
    return problems


def read_floors(golden_dir: Path) -> dict[str, dict[str, float]]:
    """Pinned recall floors of the subset tables: {table: {ISO3: floor}} from floors.json."""
    path = Path(golden_dir) / "floors.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {table: {k: float(v) for k, v in by_country.items()} for table, by_country in data.get("recall", {}).items()}


def judge(iso3: str, mismatches: list[Mismatch], golden: dict[str, list[dict]], floors: dict) -> tuple[list[str], list[str]]:
    """Split mismatches into failures and notes.

    Exact tables fail on any difference. A subset table (entities) fails when its
    recall, the share of golden rows found, drops below the floor pinned for that
    country in floors.json (1.0 when none is pinned); misses above the floor are
    notes, so the known gaps stay visible without turning every run red.
    """
    failures = [str(m) for m in mismatches if m.table not in SUBSET_TABLES]
    notes: list[str] = []
    for table in SUBSET_TABLES & set(golden):
        misses = [m for m in mismatches if m.table == table]
        total = len(golden[table])
        recall = 1.0 if not total else (total - len(misses)) / total
        floor = floors.get(table, {}).get(iso3, 1.0)
        lines = [str(m) for m in misses]
        if recall + 1e-9 < floor:
            failures += lines + [f"{iso3} {table}: recall {recall:.3f} below the pinned floor {floor:.3f}"]
        else:
            notes += lines
    return failures, notes


def _missing_rows(iso3: str, table: str, expected_rows: list[dict], got_rows: list[dict]) -> list[Mismatch]:
    present = {tuple(sorted((k, _hashable(v)) for k, v in row.items())) for row in got_rows}
    missing = []
    for i, want in enumerate(expected_rows):
        key = tuple(sorted((k, _hashable(v)) for k, v in want.items()))
        if not any(set(key) <= set(row) for row in present):
            missing.append(Mismatch(iso3, table, i, None, want, "no such row"))
    return missing


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _same(expected, actual) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        if expected is None or actual is None:
            return expected is actual
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    return expected == actual


def check_golden(input_dir: Path, golden_dir: Path, rules_dir: Path | None = None) -> tuple[list[str], list[str], list[str]]:
    """Extract every input of a folder and compare it with its golden rows.

    Returns (problem lines, note lines, ISO3 codes checked). A golden country
    without an input, or an input that fails, is a problem too.
    """
    from .errors import ProfileError
    from .extract import extract_document
    from .ingest import read_source
    from .rules import load_rules
    from .run import discover_inputs

    rules = load_rules(rules_dir)
    floors = read_floors(golden_dir)
    problems: list[str] = []
    notes: list[str] = []
    checked: list[str] = []
    for path in discover_inputs(Path(input_dir)):
        try:
            source = read_source(path, Path(input_dir), rules=rules)
            result = extract_document(source, rules)
        except ProfileError as exc:
            problems.append(f"{path.name}: {exc.line}")
            continue
        golden = read_golden(golden_dir, result.iso3)
        if not golden:
            problems.append(f"{result.iso3} ({path.name}): no golden files")
            continue
        checked.append(result.iso3)
        failures, seen = judge(result.iso3, compare_tables(result.iso3, result.tables, golden), golden, floors)
        problems += failures
        notes += seen
    missing = sorted({p.name for p in Path(golden_dir).iterdir() if p.is_dir()} - set(checked))
    problems += [f"{iso3}: golden files but no input in {input_dir}" for iso3 in missing]
    return problems, notes, checked

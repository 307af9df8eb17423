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
# A country whose entities golden is complete has this file too: the spans a reader leaves
# open (neither claimed nor denied). Every other output entity of a claimed label that is not
# a golden row is a false positive, so precision is measured for that country.
UNCLAIMED_FILE = "entities_unclaimed.jsonl"
CLAIMED_LABELS = frozenset({"GPE", "LOC", "ORG", "LAW", "PERCENT"})
EXTRA = "extra"  # Mismatch.field of an output row that no golden row claims


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
        if self.field == EXTRA:
            return f"{where}: not claimed by the complete golden: {self.got!r}"
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


def read_unclaimed(golden_dir: Path, iso3: str) -> list[dict] | None:
    """The open spans of a complete entities golden, or None when the golden is a subset claim.

    A row ``{"section_id", "text", "start", "end", "why"}`` leaves that span open (an output
    entity overlapping it is neither right nor wrong); a row without ``start`` leaves the
    whole section open.
    """
    path = Path(golden_dir) / iso3 / UNCLAIMED_FILE
    if not path.exists():
        return None
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if not isinstance(row.get("section_id"), str) or not row.get("why"):
                raise ValueError(f"{path}:{number}: a row needs 'section_id' and 'why'")
            rows.append(row)
    return rows


def compare_tables(
    iso3: str, tables: dict[str, pa.Table], golden: dict[str, list[dict]], unclaimed: list[dict] | None = None
) -> list[Mismatch]:
    """Every difference between extracted tables and golden rows; with ``unclaimed`` (a complete
    entities golden), also every entity the golden does not claim (field ``extra``)."""
    problems: list[Mismatch] = []
    for name, expected_rows in golden.items():
        got_rows = tables[name].to_pylist()
        if name in SUBSET_TABLES:
            problems += _missing_rows(iso3, name, expected_rows, got_rows)
            if unclaimed is not None:
                problems += _extra_rows(iso3, name, expected_rows, got_rows, unclaimed)
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


def read_floors(golden_dir: Path, measure: str = "recall") -> dict[str, dict[str, float]]:
    """Pinned floors of the subset tables: {table: {ISO3: floor}} from floors.json
    (``measure``: recall, or precision for countries with a complete entities golden)."""
    path = Path(golden_dir) / "floors.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {table: {k: float(v) for k, v in by_country.items()} for table, by_country in data.get(measure, {}).items()}


def judge(
    iso3: str, mismatches: list[Mismatch], golden: dict[str, list[dict]], floors: dict,
    precision_floors: dict | None = None,
) -> tuple[list[str], list[str]]:
    """Split mismatches into failures and notes.

    Exact tables fail on any difference. A subset table (entities) fails when its
    recall, the share of golden rows found, drops below the floor pinned for that
    country in floors.json (1.0 when none is pinned); misses above the floor are
    notes, so the known gaps stay visible without turning every run red. For a complete
    golden (pass ``precision_floors``), precision, the share of the claimed-label output
    rows the golden holds, is judged the same way.
    """
    failures = [str(m) for m in mismatches if m.table not in SUBSET_TABLES]
    notes: list[str] = []
    for table in SUBSET_TABLES & set(golden):
        precision, recall = subset_scores(mismatches, golden[table], table)
        measured = [("recall", recall, floors, [m for m in mismatches if m.table == table and m.field is None])]
        if precision_floors is not None:
            measured.append(("precision", precision, precision_floors,
                             [m for m in mismatches if m.table == table and m.field == EXTRA]))
        for measure, value, pinned, lines in measured:
            floor = pinned.get(table, {}).get(iso3, 1.0)
            if value + 1e-9 < floor:
                failures += [str(m) for m in lines] + [
                    f"{iso3} {table}: {measure} {value:.3f} below the pinned floor {floor:.3f}"]
            else:
                notes += [str(m) for m in lines]
    return failures, notes


def subset_scores(mismatches: list[Mismatch], golden_rows: list[dict], table: str = "entities") -> tuple[float, float]:
    """(precision, recall) of a subset table from compare_tables' mismatches; precision means
    something only when the golden is complete (extras were looked for)."""
    misses = sum(m.table == table and m.field is None for m in mismatches)
    extras = sum(m.table == table and m.field == EXTRA for m in mismatches)
    found = len(golden_rows) - misses
    return (found / (found + extras) if found + extras else 1.0, found / len(golden_rows) if golden_rows else 1.0)


def _missing_rows(iso3: str, table: str, expected_rows: list[dict], got_rows: list[dict]) -> list[Mismatch]:
    present = {tuple(sorted((k, _hashable(v)) for k, v in row.items())) for row in got_rows}
    missing = []
    for i, want in enumerate(expected_rows):
        key = tuple(sorted((k, _hashable(v)) for k, v in want.items()))
        if not any(set(key) <= set(row) for row in present):
            missing.append(Mismatch(iso3, table, i, None, want, "no such row"))
    return missing


def _extra_rows(
    iso3: str, table: str, expected_rows: list[dict], got_rows: list[dict], unclaimed: list[dict]
) -> list[Mismatch]:
    """Output rows of a claimed label that no golden row claims and no open span overlaps."""
    claimed = {(r["section_id"], r["label"], r["start"], r["end"]) for r in expected_rows}
    extras = []
    for i, row in enumerate(got_rows):
        if row["label"] not in CLAIMED_LABELS or (row["section_id"], row["label"], row["start"], row["end"]) in claimed:
            continue
        if any(span["section_id"] == row["section_id"] and _overlaps(row, span) for span in unclaimed):
            continue
        extras.append(Mismatch(iso3, table, i, EXTRA, None, {k: row[k] for k in ("section_id", "text", "label", "start")}))
    return extras


def _overlaps(row: dict, span: dict) -> bool:
    """An open span without offsets is its whole section."""
    return "start" not in span or (row["start"] < span["end"] and span["start"] < row["end"])


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
    from .extract import cached_rules, extract_document
    from .ingest import read_source
    from .run import discover_inputs

    rules = cached_rules(rules_dir)
    floors = read_floors(golden_dir)
    precision_floors = read_floors(golden_dir, "precision")
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
        unclaimed = read_unclaimed(golden_dir, result.iso3)
        mismatches = compare_tables(result.iso3, result.tables, golden, unclaimed)
        failures, seen = judge(result.iso3, mismatches, golden, floors,
                               precision_floors if unclaimed is not None else None)
        problems += failures
        notes += seen
        if unclaimed is not None and "entities" in golden:
            precision, recall = subset_scores(mismatches, golden["entities"])
            notes.append(f"{result.iso3} entities (complete golden): precision {precision:.3f}, recall {recall:.3f}")
    missing = sorted({p.name for p in Path(golden_dir).iterdir() if p.is_dir()} - set(checked))
    problems += [f"{iso3}: golden files but no input in {input_dir}" for iso3 in missing]
    return problems, notes, checked

"""output/datapackage.json passes the real `frictionless validate` on a fresh run of raw/.

Any error the project can fix fails the test. What remains are limits of the validator,
each asserted by name here and explained in the README ("The data package"):

- list columns (`list<string>`, `list<int16>`): frictionless reads Parquet through pandas,
  which hands a list cell over as a numpy array, and its `array` type accepts only Python
  lists or JSON text, so every list cell is a `type-error`;
- a composite foreign key with a null part (`sections.parent_id` of a top-level section,
  `admin_units.part_of` of a count that is part of nothing): frictionless skips a key only
  when all its cells are null, so `(country, null)` is a `foreign-key` error, though by SQL
  rules (MATCH SIMPLE) a key with a null part references nothing.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frictionless  # noqa: F401 - the test extra; its CLI runs below
import pytest

from pipeline.run import RunConfig, run_batch
from pipeline.schema import TABLES

from conftest import RAW

LIST_COLUMNS = {(t.name, c.name) for t in TABLES.values() for c in t.columns if str(c.type).startswith("list")}
NULLABLE_FOREIGN_KEYS = {("sections", "parent_id"), ("admin_units", "part_of")}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("package") / "output"
    result = run_batch(RunConfig(input_dir=RAW, out_dir=out, workers=1))
    assert result.exit_code == 0
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json", "--json"],
                          cwd=out, capture_output=True, text=True, timeout=600)
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout)


def test_every_resource_is_read(report):
    assert [t["name"] for t in report["tasks"]] == list(TABLES)
    assert not report["errors"], report["errors"]  # the descriptor itself is valid
    for task in report["tasks"]:
        assert task["stats"]["rows"] > 0 or task["name"] == "local_reviews", task["name"]


def _explained(resource: str, error: dict) -> bool:
    if error["type"] == "type-error":
        return (resource, error["fieldName"]) in LIST_COLUMNS
    if error["type"] == "foreign-key":
        names = [n for n in error["fieldNames"] if n != "country"]
        return len(names) == 1 and (resource, names[0]) in NULLABLE_FOREIGN_KEYS and error["fieldCells"][1] == ""
    return False


def test_the_only_errors_are_the_validators_known_limits(report):
    unexplained = [f"{t['name']}: {e['message']}" for t in report["tasks"] for e in t["errors"] if not _explained(t["name"], e)]
    assert not unexplained, "\n".join(unexplained[:20])


def test_the_known_limits_show_up_by_name(report):
    """If frictionless learns to read list cells or null key parts, this fails: drop the exception."""
    seen = {(t["name"], e["type"], e.get("fieldName") or [n for n in e["fieldNames"] if n != "country"][0])
            for t in report["tasks"] for e in t["errors"]}
    assert seen == {
        ("profiles", "type-error", "vnr_years"),
        ("countries", "type-error", "vnr_years"),
        ("footnotes", "type-error", "urls"),
        ("admin_units", "type-error", "named_members"),
        ("admin_units", "type-error", "footnotes"),
        ("cases", "type-error", "places"),
        ("sections", "foreign-key", "parent_id"),
        ("admin_units", "foreign-key", "part_of"),
    }


def test_tables_without_list_columns_or_nullable_keys_are_valid(report):
    limited = {t for t, _ in LIST_COLUMNS} | {t for t, _ in NULLABLE_FOREIGN_KEYS}
    for task in report["tasks"]:
        if task["name"] not in limited:
            assert task["valid"], (task["name"], task["errors"][:3])
    assert {t["name"] for t in report["tasks"] if t["valid"]} >= {"footnote_refs", "ratings", "indicators", "entities",
                                                                   "sdg_priorities", "local_reviews"}

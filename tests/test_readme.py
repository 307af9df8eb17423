"""The README's analyst examples give right answers on raw/: the golden counts.

Every ```python block of the README's "For analysts" section runs, in order and in one
namespace, in a folder whose output/ is a fresh run of raw/; the names they define are
then checked against values taken from tests/golden/, never from pipeline output.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from derive_countries_golden import country_dirs, derived_row
from pipeline.run import RunConfig, run_batch

from conftest import GOLDEN, RAW, ROOT

README = ROOT / "README.md"


def analyst_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def golden_rows(iso3: str, table: str) -> list[dict]:
    lines = (GOLDEN / iso3 / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def answers(tmp_path_factory, monkeypatch_module) -> dict:
    folder = tmp_path_factory.mktemp("analyst")
    assert run_batch(RunConfig(input_dir=RAW, out_dir=folder / "output", workers=1)).exit_code == 0
    monkeypatch_module.chdir(folder)
    namespace: dict = {}
    for block in analyst_blocks():
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - the README's own examples
    return namespace


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


GOLDEN_COUNTRIES = {d.name: derived_row(d) for d in country_dirs()}


def test_the_readme_has_pandas_and_duckdb_examples():
    blocks = analyst_blocks()
    assert len(blocks) >= 3
    assert any("countries" in b for b in blocks) and any("duckdb" in b for b in blocks)
    assert not any('groupby(["country", "tier"])' in b for b in blocks)  # the double-counting sum


def test_units_per_tier_are_the_golden_counts(answers):
    units = answers["units"]
    assert sorted(units.index) == sorted(GOLDEN_COUNTRIES)
    for iso3, row in GOLDEN_COUNTRIES.items():
        for tier in ("regional", "intermediate", "municipal", "sub_municipal"):
            got = units.loc[iso3, f"{tier}_units"]
            assert (None if pd.isna(got) else int(got)) == row[f"{tier}_units"], (iso3, tier)
    assert str(units["municipal_units"].dtype) == "Int32"  # nullable integers stay integers
    municipal = answers["municipal"]
    for iso3, row in GOLDEN_COUNTRIES.items():
        assert (None if pd.isna(municipal[iso3]) else int(municipal[iso3])) == row["municipal_units"], iso3


def test_ratings_answers_are_the_golden_ratings(answers):
    expected = sorted(iso3 for iso3 in GOLDEN_COUNTRIES
                      if any(r["dimension"] == "vnr_process" and r["level"] == "mid_high" for r in golden_rows(iso3, "ratings")))
    assert sorted(answers["strong_vnr"]) == expected
    got = {(r.country, r.dimension, r.level, r.method) for r in answers["ratings"].itertuples()}
    want = {(iso3, r["dimension"], r["level"], r["method"]) for iso3 in GOLDEN_COUNTRIES for r in golden_rows(iso3, "ratings")}
    assert got == want


def test_women_in_local_councils_with_their_years(answers):
    women = answers["women"]
    for iso3 in GOLDEN_COUNTRIES:
        (row,) = [r for r in golden_rows(iso3, "indicators") if r["indicator_code"] == "5.5.1" and r.get("series") == "b"]
        value, year = women.loc[iso3, "value"], women.loc[iso3, "year"]
        assert (None if pd.isna(value) else value) == row["value"], iso3
        assert (None if pd.isna(year) else int(year)) == row["year"], iso3
    assert str(women["year"].dtype) == "Int16"


def test_vlrs_per_country_are_the_golden_local_reviews(answers):
    want = {iso3: n for iso3 in GOLDEN_COUNTRIES
            if (n := sum(1 for r in golden_rows(iso3, "local_reviews") if r["kind"] == "VLR"))}
    assert {str(k): int(v) for k, v in answers["vlrs"].items() if v} == want

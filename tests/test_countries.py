"""countries: one row per profile, units per tier without double counting."""
from __future__ import annotations

import pytest

from derive_countries_golden import country_dirs, derived_text
from pipeline.extract import extract_document
from pipeline.ingest import read_source
from pipeline.run import discover_inputs
from pipeline.summary import country_row, units_of_tier

from conftest import RAW


def unit(tier, count, qualifier=None, part_of=None):
    return {"tier": tier, "count": count, "qualifier": qualifier, "part_of": part_of}


def test_a_total_beside_its_parts_is_counted_once():
    units = [unit("municipal", 2300, "about"), unit("municipal", 1160, part_of=0), unit("municipal", 850, part_of=0),
             unit("municipal", 300, part_of=0)]
    assert units_of_tier(units, "municipal") == (2300, "about")


def test_a_subset_inside_a_count_is_not_added_and_sub_municipal_units_stand_apart():
    units = [unit("municipal", 1634), unit("municipal", 146, part_of=0), unit("sub_municipal", 42046)]
    assert units_of_tier(units, "municipal") == (1634, None)
    assert units_of_tier(units, "sub_municipal") == (42046, None)


def test_a_tier_without_rows_is_null_not_zero():
    assert units_of_tier([unit(None, 47), unit("regional", 8)], "intermediate") == (None, None)


@pytest.mark.parametrize("qualifiers, expected", [
    ((None, None), None), (("over", None), "over"), (("over", "over"), "over"), (("over", "about"), "about"),
])
def test_qualifier_of_a_sum(qualifiers, expected):
    units = [unit("regional", 10, q) for q in qualifiers]
    assert units_of_tier(units, "regional") == (20, expected)


def test_country_row_counts_what_the_profile_holds():
    rows = {
        "profiles": [{"country_name": "X", "state_structure": "unitary", "subnational_tiers": 2, "vnr_years": [2019]}],
        "admin_units": [unit("regional", 8)],
        "ratings": [{"dimension": "vnr_process", "level": "weak", "method": "label"}],
        "footnotes": [{}, {}], "cases": [{}], "local_reviews": [],
        "indicators": [{"value": 1.0}, {"value": None}],
    }
    row = country_row(rows, warnings=3)
    assert row["regional_units"] == 8 and row["municipal_units"] is None
    assert (row["vnr_process_level"], row["vnr_process_method"]) == ("weak", "label")
    assert row["coordination_mechanisms_level"] is None
    assert (row["footnotes"], row["cases"], row["local_reviews"], row["indicators_with_value"], row["warnings"]) == (2, 1, 0, 1, 3)


@pytest.mark.parametrize("country_dir", country_dirs(), ids=lambda p: p.name)
def test_countries_golden_is_derived_from_the_other_golden_files(country_dir):
    assert (country_dir / "countries.jsonl").read_text(encoding="utf-8") == derived_text(country_dir), (
        f"{country_dir.name}/countries.jsonl is stale: run python tests/derive_countries_golden.py")


@pytest.mark.parametrize("path", discover_inputs(RAW), ids=lambda p: p.name)
def test_warnings_column_counts_the_extractions_warnings(path, rules):
    result = extract_document(read_source(path, RAW, rules=rules), rules)
    (row,) = result.tables["countries"].to_pylist()
    assert row["warnings"] == len(result.warnings)

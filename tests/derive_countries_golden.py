"""Write tests/golden/<ISO3>/countries.jsonl from the other golden files of that country.

The countries table only sums and counts other tables, so its golden rows are derived
from golden files that are already claims about the documents (never from pipeline
output), by the documented rule, written out here independently of pipeline/summary.py:

- `<tier>_units`: the sum of `count` over the golden admin_units rows of that tier whose
  `part_of` is null (a golden row without `part_of` counts as null); null when no row
  has that tier; `<tier>_qualifier`: null when those rows are all exact, their one
  qualifier when they share it, else `about`;
- ratings: `level` and `method` of each dimension; profiles: name, structure, tiers, VNR years;
- counts: footnotes, cases and local_reviews rows, indicators rows with a value.

`warnings` is not a claim about the document (it depends on the run), so it has no golden
value; tests/test_countries.py checks it against the extraction's warnings.

Run `python tests/derive_countries_golden.py` after changing any other golden file;
tests/test_countries.py fails while a countries.jsonl is stale.
"""
from __future__ import annotations

import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
TIERS = ("regional", "intermediate", "municipal", "sub_municipal")


def _rows(country_dir: Path, table: str) -> list[dict]:
    lines = (country_dir / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def derived_row(country_dir: Path) -> dict:
    profile = _rows(country_dir, "profiles")[0]
    units = _rows(country_dir, "admin_units")
    row = {k: profile[k] for k in ("country_name", "state_structure", "subnational_tiers")}
    for tier in TIERS:
        counted = [u for u in units if u.get("tier") == tier and u.get("part_of") is None]
        qualifiers = sorted({u["qualifier"] for u in counted if u.get("qualifier")})
        row[f"{tier}_units"] = sum(u["count"] for u in counted) if counted else None
        row[f"{tier}_qualifier"] = (qualifiers[0] if len(qualifiers) == 1 else "about") if qualifiers else None
    ratings = {r["dimension"]: r for r in _rows(country_dir, "ratings")}
    for dimension in ("vnr_process", "coordination_mechanisms"):
        row[f"{dimension}_level"] = ratings[dimension]["level"] if dimension in ratings else None
        row[f"{dimension}_method"] = ratings[dimension]["method"] if dimension in ratings else None
    row["vnr_years"] = profile["vnr_years"]
    for table in ("footnotes", "cases", "local_reviews"):
        row[table] = len(_rows(country_dir, table))
    row["indicators_with_value"] = sum(1 for i in _rows(country_dir, "indicators") if i.get("value") is not None)
    return row


def derived_text(country_dir: Path) -> str:
    return json.dumps(derived_row(country_dir), ensure_ascii=False) + "\n"


def country_dirs() -> list[Path]:
    return sorted(p for p in GOLDEN.iterdir() if p.is_dir())


if __name__ == "__main__":
    for country_dir in country_dirs():
        (country_dir / "countries.jsonl").write_text(derived_text(country_dir), encoding="utf-8")
        print(f"wrote {country_dir.name}/countries.jsonl")

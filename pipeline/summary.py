"""The countries table: one row per profile, summed from its other tables.

The first table an analyst opens, so it must not double count: units per tier add
up only rows whose ``part_of`` is null (the parts of a stated total, and a subset
stated inside a count, are already in another row).
"""
from __future__ import annotations

from .schema import TIERS

# Qualifier of a sum of counts whose qualifiers differ ("over 300" + "about 850").
MIXED_QUALIFIER = "about"


def units_of_tier(units: list[dict], tier: str) -> tuple[int | None, str | None]:
    """(units, qualifier) of one tier: the sum of ``count`` over its rows with no ``part_of``;
    null when no row has that tier. The qualifier is null when every summed count is exact,
    the one qualifier when they share it, else ``about``."""
    counted = [u for u in units if u["tier"] == tier and u.get("part_of") is None]
    if not counted:
        return None, None
    qualifiers = {u["qualifier"] for u in counted if u["qualifier"]}
    qualifier = None if not qualifiers else qualifiers.pop() if len(qualifiers) == 1 else MIXED_QUALIFIER
    return sum(u["count"] for u in counted), qualifier


def country_row(rows: dict[str, list[dict]], warnings: int) -> dict:
    """The ``countries`` row of one profile from its other tables' rows."""
    profile = rows["profiles"][0]
    out = {
        "country_name": profile["country_name"],
        "state_structure": profile["state_structure"],
        "subnational_tiers": profile["subnational_tiers"],
    }
    for tier in TIERS:
        out[f"{tier}_units"], out[f"{tier}_qualifier"] = units_of_tier(rows["admin_units"], tier)
    ratings = {r["dimension"]: r for r in rows["ratings"]}
    for dimension in ("vnr_process", "coordination_mechanisms"):
        rating = ratings.get(dimension, {})
        out[f"{dimension}_level"] = rating.get("level")
        out[f"{dimension}_method"] = rating.get("method")
    out.update(
        vnr_years=list(profile["vnr_years"]),
        footnotes=len(rows["footnotes"]),
        cases=len(rows["cases"]),
        local_reviews=len(rows["local_reviews"]),
        indicators_with_value=sum(1 for i in rows["indicators"] if i["value"] is not None),
        warnings=warnings,
    )
    return out

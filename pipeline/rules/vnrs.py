"""Rules for vnrs.yaml: how VNR years and SDG priority lists are phrased."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from .core import (
    LList,
    RuleChecker,
    _defined_pattern,
    _defined_patterns,
    _key_line,
    compile_defines,
    read_mapping,
    rule_file,
)


# --- sdg priorities, cases, vnr years: profile.yaml ----------------------------
# VNR years and SDG priorities live in vnrs.yaml (pipeline/vnrs.py).
@dataclass(frozen=True)
class PriorityRules:
    cues: tuple[regex.Pattern, ...]
    goal_lists: tuple[regex.Pattern, ...]  # group `list`
    comparison_lists: tuple[regex.Pattern, ...]  # group `list`
    not_goals: regex.Pattern | None
    horizon: regex.Pattern | None
    year: regex.Pattern | None


@dataclass(frozen=True)
class VnrRules:
    min_year: int
    max_year: int
    mentions: tuple[regex.Pattern, ...]  # group `years`
    priorities: PriorityRules
    mention_cue: regex.Pattern | None = None  # mentions are sought only near a cue ...
    cue_window: int = 200  # ... within this many characters


def _with_group(check: RuleChecker, pattern: regex.Pattern | None, group: str, line: int | None) -> regex.Pattern | None:
    if pattern is not None and group not in pattern.groupindex:
        check.error(line, f"pattern must capture a group named '{group}'")
        return None
    return pattern


def _grouped_patterns(check: RuleChecker, defines: dict[str, str], data: Any, key: str, group: str) -> tuple[regex.Pattern, ...]:
    items = data.get(key) if isinstance(data, dict) else None
    patterns = _defined_patterns(check, defines, data, key)
    if not isinstance(items, LList) or len(patterns) != len(items):
        return patterns  # compile errors already reported
    return tuple(p for p, line in zip(patterns, items.item_lines) if _with_group(check, p, group, line) is not None)


@rule_file("vnrs", "vnrs.yaml")
def parse_vnr_rules(rules_dir: Path, check: RuleChecker) -> VnrRules:
    data = read_mapping(rules_dir / "vnrs.yaml", check, "with 'years', 'vnr_mentions' and 'priorities'")
    defines = compile_defines(data, check)

    years = check.mapping(data, "years")
    bounds = []
    for key in ("min", "max"):
        value = years.get(key)
        if years and (not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2100):
            check.error(_key_line(years, key), f"years.{key} must be a year, got {value!r}")
            value = None
        bounds.append(value)
    low, high = (b if b is not None else d for b, d in zip(bounds, (2015, 2035)))
    if low > high:
        check.error(years.line, f"years.min {low} is after years.max {high}")

    mentions = _grouped_patterns(check, defines, data, "vnr_mentions", "years")

    raw = check.mapping(data, "priorities")
    cues = goal_lists = comparisons = ()
    not_goals = horizon = year = None
    if raw:
        cues = _defined_patterns(check, defines, raw, "cues")
        goal_lists = _grouped_patterns(check, defines, raw, "goal_lists", "list")
        comparisons = _grouped_patterns(check, defines, raw, "comparison_lists", "list")
        not_goals = _defined_pattern(check, defines, raw.get("not_goals"), _key_line(raw, "not_goals"))
        horizon = _defined_pattern(check, defines, raw.get("horizon"), _key_line(raw, "horizon"))
        year = _defined_pattern(check, defines, raw.get("year"), _key_line(raw, "year"))

    cue = _defined_pattern(check, defines, data.get("mention_cue"), _key_line(data, "mention_cue"))
    window = data.get("cue_window", 200)
    if not isinstance(window, int) or window < 20:
        check.error(_key_line(data, "cue_window"), f"'cue_window' must be a whole number of at least 20, got {window!r}")
        window = 200
    return VnrRules(
        low,
        high,
        mentions,
        PriorityRules(cues, goal_lists, comparisons, not_goals, horizon, year),
        cue,
        window,
    )

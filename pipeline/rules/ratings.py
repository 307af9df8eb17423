"""Rules for ratings.yaml: the participation rubric and printed labels."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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

# --- ratings: ratings.yaml ---------------------------------------------------
# Levels of the contract's ratings table and their rank (null rank: not on the scale).
RATING_LEVELS: dict[str, int | None] = {
    "mid_high": 2,
    "weak": 1,
    "none": 0,
    "no_elected_lrgs": None,
    "no_information": None,
}
RATING_DIMENSIONS = ("vnr_process", "coordination_mechanisms")



@dataclass(frozen=True)
class RubricRule:
    """One rubric rule: any of ``patterns`` in a comment gives ``level``."""

    id: str
    level: str
    patterns: tuple[regex.Pattern, ...]
    line: int
    negates: bool = False  # a match silences the rest of its clause for the other rules


@dataclass(frozen=True)
class RatingLabelRules:
    """Printed scale labels: ``prefix`` or a ``checked`` box assigns; a bare line may be the legend."""

    prefix: regex.Pattern | None
    checked: regex.Pattern | None
    levels: tuple[tuple[str, tuple[regex.Pattern, ...]], ...]
    unchecked: regex.Pattern | None = None  # an empty box on a printed scale ("☐ None ☒ Weak")


@dataclass(frozen=True)
class RatingRules:
    dimensions: tuple[tuple[str, str], ...]  # (dimension, section key), in output order
    fallback_section: str | None
    comment_prefix: regex.Pattern | None
    comment_end: tuple[regex.Pattern, ...]
    scope_end: tuple[regex.Pattern, ...]  # where a negated clause ends
    concessions: tuple[regex.Pattern, ...]  # openers whose first comma also ends it
    labels: RatingLabelRules
    rubric: tuple[RubricRule, ...]


@rule_file("ratings", "ratings.yaml")
def parse_rating_rules(rules_dir: Path, check: RuleChecker) -> RatingRules:
    data = read_mapping(rules_dir / "ratings.yaml", check, "with 'dimensions', 'labels' and 'rubric'")
    defines = compile_defines(data, check)

    dims = check.mapping(data, "dimensions")
    for dim in RATING_DIMENSIONS:
        if dims and dim not in dims:
            check.error(dims.line, f"missing dimension '{dim}'")
    dimensions = []
    for dim, key in dims.items():
        if check.choice(dim, set(RATING_DIMENSIONS), _key_line(dims, dim), "dimension") is None:
            continue
        if not isinstance(key, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", key):
            check.error(_key_line(dims, dim), f"section key {key!r} of '{dim}' must be snake_case")
            continue
        dimensions.append((dim, key))
    dimensions.sort(key=lambda d: RATING_DIMENSIONS.index(d[0]))

    fallback = data.get("fallback_section")
    if fallback is not None and (not isinstance(fallback, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", fallback)):
        check.error(_key_line(data, "fallback_section"), f"fallback_section {fallback!r} must be a snake_case key")
        fallback = None

    comment_prefix = _defined_pattern(check, defines, data.get("comment_prefix"), _key_line(data, "comment_prefix") or data.line)
    comment_end = _defined_patterns(check, defines, data, "comment_end")
    scope = check.mapping(data, "negation_scope")
    scope_end = _defined_patterns(check, defines, scope, "scope_end") if scope else ()
    concessions = _defined_patterns(check, defines, scope, "concede") if scope else ()

    raw_labels = check.mapping(data, "labels")
    prefix = checked = unchecked = None
    label_levels = []
    if raw_labels:
        prefix = _defined_pattern(check, defines, raw_labels.get("prefix"), _key_line(raw_labels, "prefix"))
        checked = _defined_pattern(check, defines, raw_labels.get("checked"), _key_line(raw_labels, "checked"))
        if "unchecked" in raw_labels:
            unchecked = _defined_pattern(check, defines, raw_labels.get("unchecked"), _key_line(raw_labels, "unchecked"))
        by_level = check.mapping(raw_labels, "levels")
        for level in by_level:
            if check.choice(level, set(RATING_LEVELS), _key_line(by_level, level), "level") is not None:
                label_levels.append((level, _defined_patterns(check, defines, by_level, level)))

    rubric = []
    items = data.get("rubric")
    if not isinstance(items, list) or not items:
        check.error(_key_line(data, "rubric") or data.line, "'rubric' must be a non-empty list of rules")
        items = LList()
    seen: set[str] = set()
    for i, item in enumerate(items):
        line = items.item_lines[i] if isinstance(items, LList) else None
        if not isinstance(item, dict):
            check.error(line, "each rubric rule needs 'id', 'level' and 'patterns'")
            continue
        rule_id = item.get("id")
        if not isinstance(rule_id, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", rule_id):
            check.error(item.key_lines.get("id", line), f"rubric id {rule_id!r} must be snake_case")
            rule_id = None
        elif rule_id in seen:
            check.error(item.key_lines.get("id", line), f"duplicate rubric id {rule_id!r}")
        seen.add(rule_id)
        level = check.choice(item.get("level"), set(RATING_LEVELS), item.key_lines.get("level", line), "level")
        patterns = _defined_patterns(check, defines, item, "patterns")
        negates = item.get("negates", False)
        if not isinstance(negates, bool):
            check.error(item.key_lines.get("negates", line), f"'negates' must be true or false, got {negates!r}")
        if rule_id and level and patterns:
            rubric.append(RubricRule(rule_id, level, patterns, line or 1, negates is True))

    return RatingRules(
        tuple(dimensions),
        fallback,
        comment_prefix,
        comment_end,
        scope_end,
        concessions,
        RatingLabelRules(prefix, checked, tuple(label_levels), unchecked),
        tuple(rubric),
    )

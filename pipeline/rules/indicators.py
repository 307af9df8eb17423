"""Rules for sdg_indicators.csv (the UN list) and indicators.yaml (table shapes)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from .core import (
    LList,
    RuleChecker,
    _key_line,
    alternation,
    read_csv,
    read_yaml,
    rule_file,
)

# --- indicators: sdg_indicators.csv -------------------------------------------

SDG_CODE_FORMAT = regex.compile(r"\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}")
SDG_GOALS = range(1, 18)
DISAGGREGATIONS = ("total", "urban", "rural")


@dataclass(frozen=True)
class SdgIndicatorList:
    """The UN global SDG indicator framework: code (``11.b.2``) -> official name."""

    names: Mapping[str, str]

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def __len__(self) -> int:
        return len(self.names)


@rule_file("sdg_indicators", "sdg_indicators.csv")
def parse_sdg_indicators(rules_dir: Path, check: RuleChecker) -> SdgIndicatorList:
    names: dict[str, str] = {}
    first_line: dict[str, int] = {}
    rows = read_csv(rules_dir / "sdg_indicators.csv", check, ["code", "name"])
    for lineno, row in rows:
        code, name = (row.get("code") or "").strip(), row.get("name") or ""
        if None in row:
            check.error(lineno, "more cells than the columns code,name (quote names that hold commas)")
        if not SDG_CODE_FORMAT.fullmatch(code):
            check.error(lineno, f"bad indicator code {code!r} (expected goal.target.indicator, e.g. 11.b.2)")
            continue
        if int(code.split(".")[0]) not in SDG_GOALS:
            check.error(lineno, f"indicator code {code!r}: goal must be 1-17")
            continue
        if code in first_line:
            check.error(lineno, f"duplicate indicator code {code!r} (first on line {first_line[code]})")
            continue
        if not name.strip():
            check.error(lineno, f"indicator {code!r} has an empty name")
        elif name != " ".join(name.split()):
            check.error(lineno, f"indicator {code!r}: name has stray whitespace")
        first_line[code] = lineno
        names[code] = name
    if not names and not check.errors:
        check.error(None, "no indicator codes")
    return SdgIndicatorList(MappingProxyType(names))


# --- indicators: indicators.yaml (shapes of the indicator table) ----------------
@dataclass(frozen=True)
class UnitRule:
    unit: str
    pattern: regex.Pattern


@dataclass(frozen=True)
class IndicatorTableRules:
    """Patterns and term lists that recognise the cells of an SDG indicator table."""

    row_start: regex.Pattern  # groups: code, series
    cell_separator: regex.Pattern
    skip_lines: tuple[regex.Pattern, ...]
    labels: Mapping[str, str]  # printed label (casefolded, single spaces) -> total|urban|rural
    header_words: frozenset[str]  # casefolded
    null_tokens: frozenset[str]  # casefolded
    value_body: regex.Pattern  # fullmatch: [qualifier] number [unit]; groups qualifier, number, unit
    year: regex.Pattern  # searched at the end of a cell; group year
    units: tuple[UnitRule, ...]
    fallback_min_rows: int

    @staticmethod
    def key(text: str) -> str:
        """How printed labels, header words and null tokens are compared."""
        return " ".join(text.split()).casefold().rstrip(":").strip()

    def label(self, cell: str) -> str | None:
        return self.labels.get(self.key(cell))

    @cached_property
    def any_skip_line(self) -> regex.Pattern | None:
        """Every ``skip_lines`` pattern as one alternation: it is found in a line where any
        of them is, in one call instead of one per rule (None: they cannot be joined)."""
        return alternation(list(self.skip_lines))

    def is_null(self, text: str) -> bool:
        return self.key(text) in self.null_tokens

    def is_header_word(self, cell: str) -> bool:
        return self.key(cell) in self.header_words


def _term_list(check: RuleChecker, data: Any, key: str) -> dict[str, int]:
    """Casefolded terms of a list -> their line; a term listed twice is an error."""
    out: dict[str, int] = {}
    check.strings(data, key)  # reports a missing/empty list and non-string items
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return out
    lines = items.item_lines if isinstance(items, LList) else []
    for i, term in enumerate(items):
        if not isinstance(term, str) or not term.strip():
            continue
        line = lines[i] if i < len(lines) else _key_line(data, key)
        folded = IndicatorTableRules.key(term)
        if not folded:
            check.error(line, f"'{key}' item {term!r} is empty once normalised")
        elif folded in out:
            check.error(line, f"'{key}' lists {term!r} twice (first on line {out[folded]})")
        else:
            out[folded] = line
    return out


def _named_pattern(check: RuleChecker, data: Any, key: str, groups: tuple[str, ...]) -> regex.Pattern | None:
    line = _key_line(data, key) or getattr(data, "line", None)
    if not isinstance(data, dict) or key not in data:
        check.error(getattr(data, "line", None), f"missing pattern '{key}'")
        return None
    compiled = check.pattern(data[key], line)
    if compiled is not None:
        missing = [g for g in groups if g not in compiled.groupindex]
        if missing:
            check.error(line, f"pattern '{key}' needs named group(s) {', '.join(missing)}")
            return None
    return compiled


@rule_file("indicators", "indicators.yaml")
def parse_indicator_table_rules(rules_dir: Path, check: RuleChecker) -> IndicatorTableRules:
    data = read_yaml(rules_dir / "indicators.yaml", check)
    if not isinstance(data, dict):
        if data is not None or not check.errors:
            check.error(None, "expected a mapping of indicator table rules")
        never = regex.compile(r"(?!)")
        return IndicatorTableRules(never, never, (), MappingProxyType({}), frozenset(), frozenset(), never, never, (), 1)
    row_start = _named_pattern(check, data, "row_start", ("code",))
    separator = _named_pattern(check, data, "cell_separator", ())
    number = _named_pattern(check, data, "number", ())
    value_unit = _named_pattern(check, data, "value_unit", ("unit",))
    qualifier = _named_pattern(check, data, "value_qualifier", ())
    year = _named_pattern(check, data, "year", ("year",))

    skips = []
    raw_skips = data.get("skip_lines") or LList()
    if not isinstance(raw_skips, list):
        check.error(_key_line(data, "skip_lines"), "'skip_lines' must be a list")
        raw_skips = LList()
    for i, src in enumerate(raw_skips):
        line = raw_skips.item_lines[i] if isinstance(raw_skips, LList) else _key_line(data, "skip_lines")
        compiled = check.pattern(src, line)
        if compiled is not None:
            skips.append(compiled)

    labels: dict[str, str] = {}
    label_lines: dict[str, int] = {}
    groups = check.mapping(data, "disaggregations")
    for canonical, terms in groups.items():
        line = groups.key_lines.get(canonical, groups.line)
        if check.choice(canonical, DISAGGREGATIONS, line, "disaggregation") is None:
            continue
        for term, term_line in _term_list(check, groups, canonical).items():
            if term in labels:
                check.error(term_line, f"label {term!r} is listed under both {labels[term]!r} and {canonical!r} (first on line {label_lines[term]})")
                continue
            labels[term], label_lines[term] = canonical, term_line
    if groups and not labels:
        check.error(groups.line, "'disaggregations' lists no labels")

    header_words = _term_list(check, data, "header_words")
    for word, line in header_words.items():
        if word in labels:
            check.error(line, f"header word {word!r} is also a disaggregation label")
    null_tokens = _term_list(check, data, "null_tokens")

    units = []
    raw_units = data.get("units")
    if not isinstance(raw_units, list) or not raw_units:
        check.error(_key_line(data, "units") or data.line, "'units' must be a non-empty list of {unit, pattern}")
        raw_units = LList()
    for i, item in enumerate(raw_units):
        line = raw_units.item_lines[i] if isinstance(raw_units, LList) else None
        if not isinstance(item, dict) or not isinstance(item.get("unit"), str) or not item["unit"].strip():
            check.error(line, "each unit needs a non-empty 'unit' and a 'pattern'")
            continue
        compiled = check.pattern(item.get("pattern"), item.key_lines.get("pattern", line))
        if compiled is not None:
            units.append(UnitRule(item["unit"].strip(), compiled))

    min_rows = data.get("fallback_min_rows")
    if isinstance(min_rows, bool) or not isinstance(min_rows, int) or min_rows < 1:
        check.error(_key_line(data, "fallback_min_rows") or data.line, f"'fallback_min_rows' must be a whole number >= 1, got {min_rows!r}")
        min_rows = 1

    value_body = None
    if number is not None and value_unit is not None and qualifier is not None:
        value_body = regex.compile(
            rf"(?:(?P<qualifier>{qualifier.pattern})\s*)?(?P<number>{number.pattern})\s*(?:{value_unit.pattern})?",
            regex.IGNORECASE | regex.VERBOSE,
        )
    never = regex.compile(r"(?!)")
    return IndicatorTableRules(
        row_start=row_start or never,
        cell_separator=separator or never,
        skip_lines=tuple(skips),
        labels=MappingProxyType(labels),
        header_words=frozenset(header_words),
        null_tokens=frozenset(null_tokens),
        value_body=value_body or never,
        year=year or never,
        units=tuple(units),
        fallback_min_rows=min_rows,
    )

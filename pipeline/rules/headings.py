"""Rules for headings.yaml and normalize.yaml: how sections and clean lines are found."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import regex

from .core import (
    LDict,
    LList,
    PATTERN_TIMEOUT,
    RuleChecker,
    _key_line,
    alternation,
    read_yaml,
    rule_file,
)


# --- sections: headings.yaml ------------------------------------------------
@dataclass(frozen=True)
class HeadingRule:
    key: str
    number: str | None
    pattern: regex.Pattern


@dataclass(frozen=True)
class HeadingRules:
    headings: tuple[HeadingRule, ...]
    bullet_chars: str
    title_skip: tuple[regex.Pattern, ...]
    notes_labels: tuple[regex.Pattern, ...] = ()  # a line that only announces the footnotes below it
    contents_labels: tuple[regex.Pattern, ...] = ()  # a line that announces a table of contents

    def match(self, title: str) -> HeadingRule | None:
        """The first heading rule whose pattern matches the whole title."""
        title = title.strip()
        if self._any_heading is None:
            return next((h for h in self.headings if h.pattern.fullmatch(title, timeout=PATTERN_TIMEOUT)), None)
        found = self._any_heading.fullmatch(title, timeout=PATTERN_TIMEOUT)
        if found is None:
            return None
        return self.headings[int(found.lastgroup[len("heading_"):])]  # the group closed last: the alternative

    @cached_property
    def _any_heading(self) -> regex.Pattern | None:
        """Every heading pattern as one alternation, tried in order: it fullmatches with the
        first pattern that does, in one call instead of one per rule (None: they cannot be joined)."""
        return alternation([h.pattern for h in self.headings], "heading_")


@rule_file("headings", "headings.yaml")
def parse_heading_rules(rules_dir: Path, check: RuleChecker) -> HeadingRules:
    data = read_yaml(rules_dir / "headings.yaml", check)
    if not isinstance(data, dict):
        check.error(None, "expected a mapping with 'headings'")
        return HeadingRules((), "", ())
    items = data.get("headings")
    out = []
    if not isinstance(items, list) or not items:
        check.error(_key_line(data, "headings"), "'headings' must be a non-empty list")
        items = []
    seen = set()
    for i, item in enumerate(items):
        line = items.item_lines[i]
        if not isinstance(item, dict) or "key" not in item or "pattern" not in item:
            check.error(line, "each heading needs 'key' and 'pattern'")
            continue
        key = item["key"]
        if not isinstance(key, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", key):
            check.error(item.key_lines.get("key", line), f"heading key {key!r} must be snake_case")
            continue
        if key in seen:
            check.error(line, f"duplicate heading key {key!r}")
        seen.add(key)
        number = item.get("number")
        if number is not None and not regex.fullmatch(r"\d+(\.\d+)*", str(number)):
            check.error(item.key_lines.get("number", line), f"bad section number {number!r}")
        pattern = check.pattern(item["pattern"], item.key_lines.get("pattern", line))
        if pattern is not None:
            out.append(HeadingRule(key, None if number is None else str(number), pattern))
    bullets = data.get("bullet_chars", "")
    if not isinstance(bullets, str):
        check.error(_key_line(data, "bullet_chars"), "'bullet_chars' must be a string")
        bullets = ""
    bullets += _bullet_ranges(check, data)
    return HeadingRules(tuple(out), bullets, _patterns(check, data, "title_skip"), _patterns(check, data, "notes_labels"),
                        _patterns(check, data, "contents_labels"))


_CODE_RANGE = regex.compile(r"U\+([0-9A-F]{4,6})-U\+([0-9A-F]{4,6})", regex.IGNORECASE)
MAX_RANGE = 4096  # a range of bullets is a font's block, not a plane


def _bullet_ranges(check: RuleChecker, data) -> str:
    """Every character of the listed code-point ranges ('U+F020-U+F0FF'), as one string."""
    listed = data.get("bullet_ranges") or LList()
    if not isinstance(listed, list):
        check.error(_key_line(data, "bullet_ranges"), "'bullet_ranges' must be a list such as ['U+F020-U+F0FF']")
        return ""
    out = []
    for i, item in enumerate(listed):
        line = listed.item_lines[i] if isinstance(listed, LList) else _key_line(data, "bullet_ranges")
        bounds = _CODE_RANGE.fullmatch(item.strip()) if isinstance(item, str) else None
        low, high = (int(b, 16) for b in bounds.groups()) if bounds else (1, 0)
        if not low <= high < low + MAX_RANGE or high > 0x10FFFF:
            check.error(line, f"bullet range {item!r} must read 'U+XXXX-U+YYYY', low to high, at most {MAX_RANGE} characters")
            continue
        out.append("".join(map(chr, range(low, high + 1))))
    return "".join(out)


def _patterns(check: RuleChecker, data, key: str) -> tuple[regex.Pattern, ...]:
    """An optional list of patterns, each compiled and checked on its own line."""
    listed = data.get(key) or LList()
    out = []
    for i, src in enumerate(listed):
        compiled = check.pattern(src, listed.item_lines[i] if isinstance(listed, LList) else _key_line(data, key))
        if compiled is not None:
            out.append(compiled)
    return tuple(out)


# --- normalize: normalize.yaml -------------------------------------------------
@dataclass(frozen=True)
class NormalizeRules:
    keep_hyphen_prefixes: frozenset[str]
    page_number: tuple[regex.Pattern, ...] = ()  # a page-edge line that is only a page number
    furniture_edge_lines: int = 3  # lines at the top and at the foot of a page that may be furniture
    furniture_min_share: float = 0.5  # share of pages an edge line must repeat on
    abbreviations: frozenset[str] = frozenset()  # tokens ending in '.' that end no sentence ('e.g.')


@rule_file("normalize", "normalize.yaml")
def parse_normalize_rules(rules_dir: Path, check: RuleChecker) -> NormalizeRules:
    data = read_yaml(rules_dir / "normalize.yaml", check) or LDict()
    prefixes = check.strings(data, "keep_hyphen_prefixes")
    furniture = check.mapping(data, "page_furniture")
    if not furniture.get("page_number"):
        check.error(_key_line(furniture, "page_number") or furniture.line, "'page_furniture.page_number' must list patterns")
    numbers = _patterns(check, furniture, "page_number")
    edge = furniture.get("edge_lines", 3)
    share = furniture.get("min_share", 0.5)
    if not isinstance(edge, int) or not 1 <= edge <= 10:
        check.error(_key_line(furniture, "edge_lines"), f"'edge_lines' must be 1-10, got {edge!r}")
        edge = 3
    if not isinstance(share, (int, float)) or not 0 < share <= 1:
        check.error(_key_line(furniture, "min_share"), f"'min_share' must be in (0, 1], got {share!r}")
        share = 0.5
    abbreviations = check.strings(data, "abbreviations")
    listed = data.get("abbreviations")
    for i, item in enumerate(listed if isinstance(listed, LList) else ()):
        if isinstance(item, str) and item.strip() and (not item.strip().endswith(".") or " " in item.strip()):
            check.error(listed.item_lines[i], f"abbreviation {item!r} must be one token ending in '.'")
    return NormalizeRules(frozenset(p.lower() for p in prefixes), numbers, edge, float(share),
                          frozenset(a.strip().lower() for a in abbreviations))

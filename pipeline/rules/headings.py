"""Rules for headings.yaml and normalize.yaml: how sections and clean lines are found."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from .core import (
    LDict,
    LList,
    RuleChecker,
    _key_line,
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

    def match(self, title: str) -> HeadingRule | None:
        """The first heading rule whose pattern matches the whole title."""
        return next((h for h in self.headings if h.pattern.fullmatch(title.strip())), None)


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
    skips = []
    raw_skips = data.get("title_skip") or LList()
    for i, src in enumerate(raw_skips):
        compiled = check.pattern(src, raw_skips.item_lines[i])
        if compiled is not None:
            skips.append(compiled)
    return HeadingRules(tuple(out), bullets, tuple(skips))


# --- normalize: normalize.yaml -------------------------------------------------
@dataclass(frozen=True)
class NormalizeRules:
    keep_hyphen_prefixes: frozenset[str]


@rule_file("normalize", "normalize.yaml")
def parse_normalize_rules(rules_dir: Path, check: RuleChecker) -> NormalizeRules:
    data = read_yaml(rules_dir / "normalize.yaml", check) or LDict()
    prefixes = check.strings(data, "keep_hyphen_prefixes")
    return NormalizeRules(frozenset(p.lower() for p in prefixes))

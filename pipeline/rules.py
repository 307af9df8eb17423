"""Loading and validating rules/: the patterns, term lists and rubric stages use.

Rules are data. Each file is parsed once into a frozen object and checked; every
problem in every file is collected and raised together as one ``RuleError`` whose
lines read ``rules/admin_units.yaml:14: unknown tier 'munic'``.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import regex
import yaml

from .errors import RuleError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


# ---------------------------------------------------------------------------
# Located YAML: plain data that remembers the line each value came from.
# ---------------------------------------------------------------------------
class LDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list


class _LocatedLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader, node):
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class RuleChecker:
    """Collects problems of one rule file; ``where`` names it in messages."""

    def __init__(self, path: Path):
        self.path = path
        self.errors: list[str] = []

    @property
    def where(self) -> str:
        parts = self.path.parts
        return "/".join(parts[-2:]) if len(parts) >= 2 else str(self.path)

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(f"{self.where}:{line or 1}: {message}")

    # -- typed getters that report instead of raising -------------------------
    def mapping(self, data: Any, key: str, line: int | None = None, required: bool = True) -> LDict:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.error(getattr(data, "line", line), f"missing mapping '{key}'")
            return LDict()
        if not isinstance(value, dict):
            self.error(_key_line(data, key), f"'{key}' must be a mapping")
            return LDict()
        return value

    def strings(self, data: Any, key: str, required: bool = True, non_empty: bool = True) -> list[str]:
        """A list of non-empty strings under ``key``; a vacuous entry is an error."""
        value = data.get(key) if isinstance(data, dict) else None
        line = _key_line(data, key)
        if value is None:
            if required:
                self.error(getattr(data, "line", None), f"missing list '{key}'")
            return []
        if not isinstance(value, list):
            self.error(line, f"'{key}' must be a list")
            return []
        if non_empty and not value:
            self.error(line, f"'{key}' is empty")
        out = []
        for i, item in enumerate(value):
            item_line = value.item_lines[i] if isinstance(value, LList) else line
            if not isinstance(item, str) or not item.strip():
                self.error(item_line, f"'{key}' item {i + 1} must be a non-empty string, got {item!r}")
            else:
                out.append(item)
        return out

    def pattern(self, source: Any, line: int | None, flags: int = regex.IGNORECASE | regex.VERBOSE) -> regex.Pattern | None:
        """Compile a regex, refusing one that fails or matches the empty string."""
        if not isinstance(source, str) or not source.strip():
            self.error(line, f"pattern must be a non-empty string, got {source!r}")
            return None
        try:
            compiled = regex.compile(source, flags)
        except regex.error as exc:
            self.error(line, f"bad pattern {source!r}: {exc}")
            return None
        if compiled.fullmatch("") is not None:
            self.error(line, f"vacuous pattern {source!r} matches the empty string")
            return None
        return compiled

    def choice(self, value: Any, allowed, line: int | None, what: str) -> Any:
        if value not in allowed:
            self.error(line, f"unknown {what} {value!r} (expected one of {', '.join(map(str, sorted(allowed)))})")
            return None
        return value


def _key_line(data: Any, key) -> int | None:
    if isinstance(data, LDict):
        return data.key_lines.get(key, data.line)
    return None


def read_yaml(path: Path, check: RuleChecker) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LocatedLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        check.error(mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}")
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
    return None


def read_csv(path: Path, check: RuleChecker, required_columns: list[str]) -> list[tuple[int, dict]]:
    """Rows of a CSV file with their line numbers; ``#`` lines are comments."""
    rows: list[tuple[int, dict]] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            numbered = [(i + 1, line) for i, line in enumerate(fh) if not line.startswith("#") and line.strip()]
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
        return rows
    if not numbered:
        check.error(None, "no rows")
        return rows
    reader = csv.DictReader([line for _, line in numbered])
    missing = [c for c in required_columns if c not in (reader.fieldnames or [])]
    if missing:
        check.error(numbered[0][0], f"missing column(s) {', '.join(missing)}")
        return rows
    for (lineno, _), row in zip(numbered[1:], reader):
        rows.append((lineno, row))
    return rows


def read_jsonl(path: Path, check: RuleChecker) -> list[tuple[int, Any]]:
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                if not line.strip() or line.lstrip().startswith("//"):
                    continue
                try:
                    out.append((i, json.loads(line)))
                except json.JSONDecodeError as exc:
                    check.error(i, f"not valid JSON: {exc.msg}")
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
    return out


# ---------------------------------------------------------------------------
# Per-file parsers. Each takes the rules folder and a checker, returns a frozen
# object for its stage, and reports problems through the checker. The decorator
# registers it: ``rules.<name>`` is what it returns.
# ---------------------------------------------------------------------------
RULE_PARSERS: dict[str, tuple[str, Callable[[Path, RuleChecker], Any]]] = {}

# Seconds any one rule pattern may run on one text: no line can hang a worker.
# Pass it to every regex call on document text: ``pattern.finditer(text, timeout=PATTERN_TIMEOUT)``.
PATTERN_TIMEOUT = 2.0


def rule_file(name: str, filename: str):
    """Register a parser for ``rules/<filename>``, loaded as ``rules.<name>``."""

    def register(parser):
        RULE_PARSERS[name] = (filename, parser)
        return parser

    return register


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


# --- country names: countries.yaml --------------------------------------------
@dataclass(frozen=True)
class CountryRules:
    aliases: dict  # folded name -> ISO3


def fold_name(name: str) -> str:
    """Case- and space-insensitive form of a country name, for lookups."""
    return " ".join(name.replace("’", "'").split()).casefold()


@rule_file("countries", "countries.yaml")
def parse_country_rules(rules_dir: Path, check: RuleChecker) -> CountryRules:
    data = read_yaml(rules_dir / "countries.yaml", check) or LDict()
    aliases = check.mapping(data, "aliases")
    out = {}
    for name, code in aliases.items():
        line = aliases.key_lines.get(name)
        if not isinstance(code, str) or not regex.fullmatch(r"[A-Z]{3}", code):
            check.error(line, f"alias {name!r} needs an ISO 3166-1 alpha-3 code, got {code!r}")
            continue
        out[fold_name(str(name))] = code
    return CountryRules(out)


# --- admin_units: admin_units.yaml --------------------------------------------
from collections.abc import Mapping  # noqa: E402 - kept inside this stage's section
from types import MappingProxyType  # noqa: E402

ADMIN_TIERS = ("regional", "intermediate", "municipal")  # tier_rank 1, 2, 3
_NOUN_GROUPS = ADMIN_TIERS + ("any",)
_CUE_TIERS = ADMIN_TIERS + ("national",)
_ADMIN_KEYS = (
    "number_words", "qualifiers", "qualifier_aliases", "unit_nouns", "max_modifiers", "stop_words", "complements",
    "local_term_prefixes", "member_prefixes", "not_counts", "nesting_markers", "nested_counts",
    "trailing_cue_gap", "tier_cues", "state_structure", "subnational_tiers", "abbreviations",
)
_NUMBER_KINDS = ("units", "tens", "scales", "phrases")
# A count printed in digits: 17, 2186, 2,186, 2 186 (collapsed thin/no-break space).
_DIGITS = r"(?:\d{1,3}(?:[,\x20\u00a0\u202f\u2009]\d{3})+(?!\d)|\d+)"


@dataclass(frozen=True)
class UnitNoun:
    """One printed form of a unit noun: its words, the tier it implies, its number."""

    words: tuple[str, ...]
    tier: str | None
    plural: bool


@dataclass(frozen=True)
class NotCountRule:
    """A reason a number is no unit count, judged on the text around it."""

    name: str
    before: regex.Pattern | None
    after: regex.Pattern | None
    years: bool


@dataclass(frozen=True)
class TierCueRule:
    """Words placing what follows in a tier (``tier``) or at a tier ``ordinal`` from the top."""

    pattern: regex.Pattern
    tier: str | None  # regional | intermediate | municipal | national
    ordinal: int | None


@dataclass(frozen=True)
class AdminUnitRules:
    number_values: Mapping  # "twenty" -> ("tens", 20)
    number_word: regex.Pattern  # one number word or phrase
    count: regex.Pattern  # a whole count in digits or words, not part of "3-tier"
    qualifiers: Mapping  # printed phrase -> value written ("approx." -> "approximately")
    qualifier: regex.Pattern  # a qualifier phrase ending where the search ends
    unit_nouns: Mapping  # ("autonomous", "communities") -> UnitNoun
    max_noun_words: int
    max_modifiers: int
    stop_words: frozenset[str]
    complements: tuple[regex.Pattern, ...]
    local_term_prefixes: tuple[regex.Pattern, ...]
    member_prefix: regex.Pattern
    not_counts: tuple[NotCountRule, ...]
    nesting_marker: regex.Pattern  # a marker ending at most two words before the search end
    nested_counts: str  # drop | keep
    trailing_cue_gap: regex.Pattern | None
    tier_cues: tuple[TierCueRule, ...]
    state_structure: tuple[tuple[str, regex.Pattern], ...]
    subnational_tiers: tuple[regex.Pattern, ...]
    abbreviations: frozenset[str]


def _phrase_regex(phrases) -> str:
    """An alternation of literal phrases, longest first, any whitespace between words."""
    parts = sorted({" ".join(p.lower().split()) for p in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(regex.escape(w) for w in p.split()) for p in parts) + ")"


def _plural(singular: str) -> str:
    """English plural of the last word: region -> regions, city -> cities, parish -> parishes."""
    head, _, last = singular.rpartition(" ")
    if regex.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    elif regex.search(r"(?:s|x|z|ch|sh)$", last):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def _located_items(check: RuleChecker, data: Any, key: str) -> list[tuple[Any, int | None]]:
    """Items of a required non-empty list with their lines."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        check.error(_key_line(data, key) or getattr(data, "line", None), f"'{key}' must be a non-empty list")
        return []
    lines = items.item_lines if isinstance(items, LList) else [_key_line(data, key)] * len(items)
    return list(zip(items, lines))


def _admin_number_words(check: RuleChecker, data: Any) -> dict[str, tuple[str, int]]:
    words = check.mapping(data, "number_words")
    out: dict[str, tuple[str, int]] = {}
    for kind in words:
        if kind not in _NUMBER_KINDS:
            check.error(_key_line(words, kind), f"unknown number word kind {kind!r} (expected one of {', '.join(_NUMBER_KINDS)})")
    for kind in _NUMBER_KINDS:
        group = check.mapping(words, kind, required=kind != "phrases")
        for word, value in group.items():
            line = _key_line(group, word)
            if not isinstance(word, str) or not word.strip():
                check.error(line, f"number word {word!r} must be a non-empty string")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 1:
                check.error(line, f"number word {word!r} needs a positive integer value, got {value!r}")
            elif " ".join(word.lower().split()) in out:
                check.error(line, f"duplicate number word {word!r}")
            else:
                out[" ".join(word.lower().split())] = (kind, value)
    return out


def _admin_unit_nouns(check: RuleChecker, data: Any) -> dict[tuple[str, ...], UnitNoun]:
    groups = check.mapping(data, "unit_nouns")
    out: dict[tuple[str, ...], UnitNoun] = {}
    for group, nouns in groups.items():
        line = _key_line(groups, group)
        if check.choice(group, _NOUN_GROUPS, line, "unit noun group") is None:
            continue
        for entry in check.strings(groups, group):
            singular, plural = _split_noun(entry)
            forms = [(singular, False), (plural, True)] if plural != singular else [(singular, True)]
            for form, is_plural in forms:
                words = tuple(form.split())
                if not words:
                    check.error(line, f"unit noun {entry!r} is empty")
                elif words in out and out[words].tier != (None if group == "any" else group):
                    check.error(line, f"unit noun {form!r} listed under two tiers")
                else:
                    out[words] = UnitNoun(words, None if group == "any" else group, is_plural)
    if not out and groups:
        check.error(getattr(groups, "line", None), "'unit_nouns' lists no noun")
    return out


def _split_noun(entry: str) -> tuple[str, str]:
    """'land | länder' -> ('land', 'länder'); 'city' -> ('city', 'cities')."""
    singular, sep, plural = (part.strip().lower() for part in entry.partition("|"))
    singular = " ".join(singular.split())
    plural = " ".join(plural.split()) if sep else _plural(singular)
    return singular, plural


def _admin_phrases(check: RuleChecker, data: Any, key: str) -> str | None:
    """A required list of literal phrases as one alternation (None when unusable)."""
    phrases = check.strings(data, key)
    return _phrase_regex(phrases) if phrases else None


@rule_file("admin_units", "admin_units.yaml")
def parse_admin_unit_rules(rules_dir: Path, check: RuleChecker) -> AdminUnitRules:
    data = read_yaml(rules_dir / "admin_units.yaml", check)
    if not isinstance(data, dict):
        if data is not None:
            check.error(getattr(data, "line", None), "expected a mapping of admin unit rules")
        data = LDict()
    for key in data:
        if key not in _ADMIN_KEYS:
            check.error(_key_line(data, key), f"unknown key {key!r}")

    values = _admin_number_words(check, data)
    word = _phrase_regex(values) + r"\b" if values else r"(?!)"
    scales = [w for w, (kind, _) in values.items() if kind == "scales"]
    joiner = r"(?:[\s-]+" + (rf"|(?<=\b{_phrase_regex(scales)})\s+and\s+" if scales else "") + ")"
    words = f"{word}(?:{joiner}{word})*"
    core = f"(?:{_DIGITS}|{words})"
    flags = regex.IGNORECASE
    count = regex.compile(
        rf"(?<![\w.,-])(?:{_DIGITS}(?![\w]|[.,]\d|-[^\W\d_])|{words}(?![\w-]))", flags
    )

    qualifiers = {" ".join(q.lower().split()): " ".join(q.lower().split()) for q in check.strings(data, "qualifiers")}
    aliases = check.mapping(data, "qualifier_aliases", required=False)
    for alias, phrase in aliases.items():
        canonical = " ".join(str(phrase).lower().split())
        if canonical not in qualifiers:
            check.error(_key_line(aliases, alias), f"qualifier alias {alias!r} names {phrase!r}, which is not in 'qualifiers'")
        else:
            qualifiers[" ".join(str(alias).lower().split())] = canonical
    qualifier = regex.compile(rf"(?<![\w-]){_phrase_regex(qualifiers)}\s+$", flags) if qualifiers else regex.compile(r"(?!)")

    nouns = _admin_unit_nouns(check, data)
    max_modifiers = data.get("max_modifiers")
    if not isinstance(max_modifiers, int) or isinstance(max_modifiers, bool) or not 0 <= max_modifiers <= 8:
        check.error(_key_line(data, "max_modifiers") or data.line, f"'max_modifiers' must be an integer 0-8, got {max_modifiers!r}")
        max_modifiers = 0
    stop_words = frozenset(w.lower() for w in check.strings(data, "stop_words"))

    complements = tuple(p for p in (check.pattern(s, line) for s, line in _located_items(check, data, "complements")) if p)
    prefixes = tuple(p for p in (check.pattern(s, line) for s, line in _located_items(check, data, "local_term_prefixes")) if p)
    member = _admin_phrases(check, data, "member_prefixes")
    member_prefix = regex.compile(rf"^\s*{member}\s*[:,]?\s*", flags) if member else regex.compile(r"(?!)")

    not_counts = []
    for item, line in _located_items(check, data, "not_counts"):
        if not isinstance(item, dict):
            check.error(line, "each not_counts rule is a mapping with 'name' and 'before' and/or 'after'")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", name):
            check.error(_key_line(item, "name"), f"not_counts name {name!r} must be snake_case")
        unknown = set(item) - {"name", "before", "after", "years"}
        if unknown:
            check.error(line, f"unknown not_counts field(s) {', '.join(sorted(map(str, unknown)))}")
        if "before" not in item and "after" not in item:
            check.error(line, f"not_counts rule {name!r} needs 'before' or 'after'")
            continue
        before = check.pattern(item["before"], _key_line(item, "before")) if "before" in item else None
        after = check.pattern(item["after"], _key_line(item, "after")) if "after" in item else None
        years = item.get("years", False)
        if not isinstance(years, bool):
            check.error(_key_line(item, "years"), f"'years' must be true or false, got {years!r}")
        not_counts.append(NotCountRule(str(name), before, after, years is True))

    nesting = _admin_phrases(check, data, "nesting_markers")
    # The marker must stand right before the count (a qualifier may come between):
    # "including 5 overseas regions", not "of which belong to one of about 1,250 bodies".
    nesting_marker = (
        regex.compile(rf"(?<![\w-]){nesting}(?![\w-])[\s,:]*(?:[^\s\d]+\s+){{0,2}}$", flags)
        if nesting
        else regex.compile(r"(?!)")
    )
    nested_counts = check.choice(data.get("nested_counts"), ("drop", "keep"), _key_line(data, "nested_counts") or data.line, "nested_counts policy") or "drop"

    trailing_cue_gap = check.pattern(data.get("trailing_cue_gap"), _key_line(data, "trailing_cue_gap") or data.line)
    cues = []
    for item, line in _located_items(check, data, "tier_cues"):
        if not isinstance(item, dict) or "pattern" not in item or ("tier" in item) == ("ordinal" in item):
            check.error(line, "each tier cue needs 'pattern' and exactly one of 'tier' or 'ordinal'")
            continue
        tier = ordinal = None
        if "tier" in item:
            tier = check.choice(item["tier"], _CUE_TIERS, _key_line(item, "tier"), "tier")
            if tier is None:
                continue
        else:
            ordinal = item["ordinal"]
            if not isinstance(ordinal, int) or isinstance(ordinal, bool) or not 1 <= ordinal <= 9:
                check.error(_key_line(item, "ordinal"), f"ordinal must be an integer 1-9, got {ordinal!r}")
                continue
        pattern = check.pattern(item["pattern"], _key_line(item, "pattern"))
        if pattern is not None:
            cues.append(TierCueRule(pattern, tier, ordinal))

    structures = []
    by_structure = check.mapping(data, "state_structure")
    for structure in by_structure:
        if check.choice(structure, ("unitary", "federal"), _key_line(by_structure, structure), "state structure") is None:
            continue
        for source, line in _located_items(check, by_structure, structure):
            pattern = check.pattern(source, line)
            if pattern is not None:
                structures.append((structure, pattern))

    tier_counts = []
    for source, line in _located_items(check, data, "subnational_tiers"):
        if not isinstance(source, str) or source.count("{number}") != 1:
            check.error(line, "a subnational_tiers pattern must contain '{number}' exactly once")
            continue
        pattern = check.pattern(source.replace("{number}", f"(?P<n>{core})"), line)
        if pattern is not None:
            tier_counts.append(pattern)

    abbreviations = set()
    for item, line in _located_items(check, data, "abbreviations"):
        if not isinstance(item, str) or not item.strip().endswith(".") or " " in item.strip():
            check.error(line, f"abbreviation {item!r} must be one token ending in '.'")
        else:
            abbreviations.add(item.strip().lower())

    return AdminUnitRules(
        number_values=MappingProxyType(values),
        number_word=regex.compile(word, flags),
        count=count,
        qualifiers=MappingProxyType(qualifiers),
        qualifier=qualifier,
        unit_nouns=MappingProxyType(nouns),
        max_noun_words=max((len(w) for w in nouns), default=1),
        max_modifiers=max_modifiers,
        stop_words=stop_words,
        complements=complements,
        local_term_prefixes=prefixes,
        member_prefix=member_prefix,
        not_counts=tuple(not_counts),
        nesting_marker=nesting_marker,
        nested_counts=nested_counts,
        trailing_cue_gap=trailing_cue_gap,
        tier_cues=tuple(cues),
        state_structure=tuple(structures),
        subnational_tiers=tuple(tier_counts),
        abbreviations=frozenset(abbreviations),
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


def compile_defines(data: Any, check: RuleChecker) -> dict[str, str]:
    """Named regex pieces from the file's ``define:`` mapping (name -> regex).

    Patterns call a piece with ``(?&name)``; the call is expanded in place as a
    non-capturing group. (A ``(?(DEFINE)...)`` prefix would do the same, but the
    regex module then runs 50-70x slower.) A broken piece is reported at its own line.
    """
    defines = data.get("define") if isinstance(data, dict) else None
    if defines is None:
        return {}
    if not isinstance(defines, dict) or not defines:
        check.error(_key_line(data, "define"), "'define' must be a non-empty mapping of name -> pattern")
        return {}
    pieces: dict[str, str] = {}
    for name, source in defines.items():
        line = _key_line(defines, name)
        if not isinstance(name, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", name):
            check.error(line, f"define name {name!r} must be snake_case")
        elif not isinstance(source, str) or not source.strip():
            check.error(line, f"define {name!r} must be a non-empty pattern")
        else:
            pieces[name] = source
    good: dict[str, str] = {}
    for name in pieces:
        try:
            expanded = expand_defines(pieces[name], pieces)
            regex.compile(expanded, regex.IGNORECASE | regex.VERBOSE)
            good[name] = pieces[name]
        except (regex.error, ValueError) as exc:
            check.error(_key_line(defines, name), f"bad define {name!r}: {exc}")
    # Broken pieces become never-matching stubs: patterns calling them are still checked for their own syntax.
    return {**{name: "(?!)" for name in pieces}, **good}


_CALL = regex.compile(r"\(\?&([a-z][a-z0-9_]*)\)")


def expand_defines(source: str, pieces: dict[str, str], depth: int = 0) -> str:
    """Replace every ``(?&name)`` by the named piece, recursively."""
    if depth > 20:
        raise ValueError("define pieces call each other in a cycle")

    def piece(m):
        name = m.group(1)
        if name not in pieces:
            raise ValueError(f"unknown piece (?&{name})")
        return "(?:" + expand_defines(pieces[name], pieces, depth + 1) + "\n)"  # newline ends a verbose comment

    return _CALL.sub(piece, source)


def _defined_pattern(check: RuleChecker, defines: dict[str, str], source: Any, line: int | None) -> regex.Pattern | None:
    """Compile ``source`` with its ``(?&name)`` calls expanded; refuses empty and vacuous patterns."""
    if not isinstance(source, str) or not source.strip():
        check.error(line, f"pattern must be a non-empty string, got {source!r}")
        return None
    try:
        expanded = expand_defines(source, defines)
    except ValueError as exc:
        check.error(line, str(exc))
        return None
    return check.pattern(expanded, line)


def _defined_patterns(check: RuleChecker, defines: dict[str, str], data: Any, key: str) -> tuple[regex.Pattern, ...]:
    """A non-empty list of patterns under ``key``, each compiled with the defines."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        check.error(_key_line(data, key) or getattr(data, "line", None), f"'{key}' must be a non-empty list of patterns")
        return ()
    out = []
    for i, source in enumerate(items):
        line = items.item_lines[i] if isinstance(items, LList) else _key_line(data, key)
        compiled = _defined_pattern(check, defines, source, line)
        if compiled is not None:
            out.append(compiled)
    return tuple(out)


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
    data = read_yaml(rules_dir / "ratings.yaml", check)
    if not isinstance(data, dict):
        if data is not None:
            check.error(None, "expected a mapping with 'dimensions', 'labels' and 'rubric'")
        data = LDict()
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
    prefix = checked = None
    label_levels = []
    if raw_labels:
        prefix = _defined_pattern(check, defines, raw_labels.get("prefix"), _key_line(raw_labels, "prefix"))
        checked = _defined_pattern(check, defines, raw_labels.get("checked"), _key_line(raw_labels, "checked"))
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
        RatingLabelRules(prefix, checked, tuple(label_levels)),
        tuple(rubric),
    )

# --- indicators: sdg_indicators.csv -------------------------------------------
from collections.abc import Mapping  # noqa: E402 - kept inside this stage's section
from types import MappingProxyType  # noqa: E402

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

# --- entities: entities.jsonl ---------------------------------------------------
# Labels a pattern may give: spaCy's English entity scheme (OntoNotes).
ENTITY_LABELS = frozenset({
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
    "LANGUAGE", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL",
})
# Token attributes a blank pipeline sets. POS, LEMMA, DEP, ENT_TYPE ... need a trained
# pipeline: a pattern using them would silently never match, so it is refused.
ENTITY_TOKEN_ATTRS = frozenset({
    "ORTH", "TEXT", "NORM", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "IS_ALPHA",
    "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
    "IS_STOP", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY",
    "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "SPACY", "OP", "_",
})
# Custom token attributes the entities stage defines, used as {"_": {"is_cap": true}}.
ENTITY_TOKEN_EXTENSIONS = {
    "is_cap": "the token starts with an upper-case letter (Unicode-aware, unlike IS_TITLE)",
    "name_part": "is_cap, or one of the 'connectors' words that join the words of one name",
}
# Pattern lists made from maintained data when the pipeline is built.
ENTITY_GENERATORS = {
    "countries": "ISO 3166-1 country names from pycountry (name, common and official names)",
    "subdivisions": "ISO 3166-2 subdivision names of the profile's own country, from pycountry",
}
_REQUIRED_OPS = {None, "+"}


@dataclass(frozen=True)
class EntityPattern:
    """One rule line: a phrase (str) or a spaCy token pattern (tuple of token dicts).

    ``context`` = (before, after): that many fixed leading/trailing tokens must match
    but are not part of the entity ("city of <Name>" gives just the name).
    """

    line: int
    label: str
    pattern: str | tuple
    context: tuple[int, int] = (0, 0)
    id: str | None = None


@dataclass(frozen=True)
class EntityGenerator:
    """Patterns made from pycountry at build time (``source`` names the list)."""

    line: int
    label: str
    source: str
    skip: frozenset[str] = frozenset()  # names never made ('Central', 'Lot')
    strip: frozenset[str] = frozenset()  # last words also dropped ('Nairobi City' -> 'Nairobi')


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cache key
class EntityRules:
    """Entity patterns in file order: on a tie in length the earlier line wins."""

    patterns: tuple[EntityPattern, ...]
    generators: tuple[EntityGenerator, ...]
    connectors: frozenset[str]


_ENTITY_LINE_KEYS = {"label", "pattern", "id", "context", "generate", "skip", "strip", "connectors"}


@rule_file("entities", "entities.jsonl")
def parse_entity_rules(rules_dir: Path, check: RuleChecker) -> EntityRules:
    patterns, generators, connectors = [], [], None
    for line, item in read_jsonl(rules_dir / "entities.jsonl", check):
        if not isinstance(item, dict):
            check.error(line, "each line must be a JSON object")
            continue
        unknown = sorted(set(item) - _ENTITY_LINE_KEYS)
        if unknown:
            check.error(line, f"unknown key(s) {', '.join(map(repr, unknown))}")
            continue
        if "connectors" in item:
            if connectors is not None:
                check.error(line, "'connectors' given twice")
            words = item["connectors"]
            if len(item) != 1 or not isinstance(words, list) or not words or not all(
                isinstance(w, str) and w.strip() and w == w.lower() for w in words
            ):
                check.error(line, "'connectors' must stand alone: a non-empty list of lower-case words")
                continue
            connectors = frozenset(words)
            continue
        label = check.choice(item.get("label"), ENTITY_LABELS, line, "label")
        if "generate" in item:
            generator = _entity_generator(item, line, check)
            if generator is not None and label is not None:
                generators.append(EntityGenerator(line, label, *generator))
            continue
        if "pattern" not in item:
            check.error(line, "a line needs 'pattern', 'generate' or 'connectors'")
            continue
        pattern = _entity_pattern(item["pattern"], line, check)
        context = _entity_context(item, pattern, line, check)
        ident = item.get("id")
        if ident is not None and (not isinstance(ident, str) or not ident.strip()):
            check.error(line, f"'id' must be a non-empty string, got {ident!r}")
        if label is not None and pattern is not None and context is not None:
            patterns.append(EntityPattern(line, label, pattern, context, ident))
    if connectors is None:
        check.error(None, "missing the 'connectors' line (words inside names, for 'name_part')")
    if not patterns and not generators:
        check.error(None, "no patterns")
    return EntityRules(tuple(patterns), tuple(generators), connectors or frozenset())


def _entity_generator(item: dict, line: int, check: RuleChecker) -> tuple | None:
    source = check.choice(item["generate"], ENTITY_GENERATORS, line, "generator")
    if "pattern" in item or "context" in item:
        check.error(line, "a 'generate' line takes no 'pattern' or 'context'")
        return None
    words = {}
    for key in ("skip", "strip"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            check.error(line, f"'{key}' must be a list of non-empty strings")
            return None
        words[key] = frozenset(value)
    return None if source is None else (source, words["skip"], words["strip"])


def _entity_pattern(pattern: Any, line: int, check: RuleChecker) -> str | tuple | None:
    """A non-empty phrase, or a token pattern spaCy accepts and a blank pipeline can match."""
    if isinstance(pattern, str):
        if not pattern.strip():
            check.error(line, "vacuous pattern: empty phrase")
            return None
        return pattern
    if not isinstance(pattern, list) or not pattern:
        check.error(line, f"pattern must be a non-empty string or a non-empty list of token dicts, got {pattern!r}")
        return None
    from spacy.schemas import validate_token_pattern  # spaCy's own schema; imported late (slow)

    problems = list(validate_token_pattern(pattern))
    for i, token in enumerate(pattern):
        if not isinstance(token, dict):
            continue
        for attr, value in token.items():
            if attr not in ENTITY_TOKEN_ATTRS:
                problems.append(f"token {i + 1}: attribute {attr!r} is not set by a blank pipeline"
                                f" (use one of {', '.join(sorted(ENTITY_TOKEN_ATTRS))})")
            elif attr == "_":
                problems += _entity_extension_problems(value, i)
            elif isinstance(value, dict):
                problems += _entity_value_problems(value, i, attr)
    if not problems and not any(_entity_token_required(t) for t in pattern):
        problems.append("vacuous pattern: no token is both required and constrained")
    for problem in problems:
        check.error(line, problem)
    return None if problems else tuple(pattern)


def _entity_extension_problems(value: Any, i: int) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"token {i + 1}: '_' must map extension names to true/false"]
    return [
        f"token {i + 1}: unknown extension {name!r} (known: {', '.join(sorted(ENTITY_TOKEN_EXTENSIONS))})"
        if name not in ENTITY_TOKEN_EXTENSIONS else f"token {i + 1}: extension {name!r} must be true or false"
        for name, flag in value.items()
        if name not in ENTITY_TOKEN_EXTENSIONS or not isinstance(flag, bool)
    ]


def _entity_value_problems(value: dict, i: int, attr: str) -> list[str]:
    import re  # spaCy runs REGEX values with the standard library engine

    problems = []
    for op, operand in value.items():
        if op in ("IN", "NOT_IN") and isinstance(operand, list) and not operand:
            problems.append(f"token {i + 1}: {attr} {op} list is empty")
        if op == "REGEX" and isinstance(operand, str):
            if not operand:
                problems.append(f"token {i + 1}: {attr} REGEX is empty")
                continue
            try:
                re.compile(operand)
            except re.error as exc:
                problems.append(f"token {i + 1}: bad {attr} REGEX {operand!r}: {exc}")
    return problems


def _entity_token_required(token: Any) -> bool:
    """A token that must be present and is constrained: the pattern cannot match nothing."""
    if not isinstance(token, dict) or not (set(token) - {"OP"}):
        return False
    op = token.get("OP")
    if op in _REQUIRED_OPS:
        return True
    counted = regex.fullmatch(r"\{(\d*)(?:,\d*)?\}", op or "")
    return bool(counted and counted.group(1) and int(counted.group(1)) > 0)


def _entity_context(item: dict, pattern: Any, line: int, check: RuleChecker) -> tuple[int, int] | None:
    """``context`` tokens must be fixed-width and leave a required token in the entity."""
    context = item.get("context", [0, 0])
    if context == [0, 0]:
        return (0, 0)
    if not (isinstance(context, list) and len(context) == 2 and all(isinstance(n, int) and n >= 0 for n in context)):
        check.error(line, f"'context' must be [tokens before, tokens after], got {context!r}")
        return None
    if not isinstance(pattern, tuple):
        if pattern is not None:
            check.error(line, "'context' needs a token pattern, not a phrase")
        return None
    before, after = context
    edges = pattern[:before] + pattern[len(pattern) - after:]
    core = pattern[before:len(pattern) - after]
    if any("OP" in t for t in edges):
        check.error(line, "'context' tokens must not take an 'OP' (they must have a fixed width)")
        return None
    if not any(_entity_token_required(t) for t in core):
        check.error(line, "'context' leaves no required token for the entity itself")
        return None
    return (before, after)

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
    abbreviations: frozenset[str]
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
    data = read_yaml(rules_dir / "vnrs.yaml", check)
    if not isinstance(data, dict):
        if data is not None:
            check.error(None, "expected a mapping with 'years', 'vnr_mentions' and 'priorities'")
        data = LDict()
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

    abbreviations = check.strings(data, "abbreviations")
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
        frozenset(a.lower().rstrip(".") for a in abbreviations),
        cue,
        window,
    )


# ---------------------------------------------------------------------------
# The loaded rule set
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """Every rule file, parsed and checked; ``digest`` changes when any file does."""

    directory: Path
    digest: str
    parsed: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["parsed"][name]
        except KeyError:
            raise AttributeError(name) from None


def rules_digest(rules_dir: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in Path(rules_dir).rglob("*") if p.is_file()):
        h.update(path.relative_to(rules_dir).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load_rules(rules_dir: Path | str | None = None) -> Rules:
    """Load and validate every rule file; raise one RuleError listing all problems."""
    rules_dir = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    if not rules_dir.is_dir():
        raise RuleError([f"{rules_dir}: rules folder not found"])
    errors: list[str] = []
    parsed = {}
    for name, (filename, parser) in RULE_PARSERS.items():
        check = RuleChecker(rules_dir / filename)
        parsed[name] = parser(rules_dir, check)
        errors.extend(check.errors)
    if errors:
        raise RuleError(errors)
    return Rules(rules_dir, rules_digest(rules_dir), parsed)

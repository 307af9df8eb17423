"""Rules for admin_units.yaml: tier cues, unit nouns, number words, qualifiers."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import regex

from .core import (
    LList,
    RuleChecker,
    _key_line,
    read_mapping,
    rule_file,
)

# --- admin_units: admin_units.yaml --------------------------------------------

ADMIN_TIERS = ("regional", "intermediate", "municipal", "sub_municipal")  # tier_rank 1, 2, 3, 4
_NOUN_GROUPS = ADMIN_TIERS + ("any",)
_CUE_TIERS = ADMIN_TIERS + ("national",)
_ADMIN_KEYS = (
    "number_words", "qualifiers", "qualifier_aliases", "unit_nouns", "max_modifiers", "stop_words", "complements",
    "local_term_prefixes", "member_prefixes", "not_counts", "nesting_markers", "parts_opener", "division_below",
    "not_unit_nouns", "territorial_context", "same_unit_subset", "adjective_endings", "verb_endings", "modifier_tiers", "not_administrative", "units_divided", "skip_before_phrase", "status_peers", "status_modifiers", "total_nouns", "unit_elsewhere", "trailing_cue_gap", "tier_cues", "state_structure", "subnational_tiers", "national_tier_listed",
    "thousands_separators", "shared_heads",
)
_NUMBER_KINDS = ("units", "tens", "scales", "phrases")


@dataclass(frozen=True)
class UnitNoun:
    """One printed form of a unit noun: its words, the tier it implies, its number."""

    words: tuple[str, ...]
    tier: str | None
    plural: bool


@dataclass(frozen=True, eq=False)  # one rule is itself: the stage keys its joined screens by the rules, hashed per number
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
class SharedHeadRules:
    """When counts of a coordination share the head noun of its last count."""

    list_link: regex.Pattern  # between two counts inside the list: ","
    last_link: regex.Pattern  # before the last count: "and", ", or", "&"
    max_words: int  # words from the first count to the end of the shared head


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
    nesting_marker_adjacent: regex.Pattern  # a marker ending right at the search end
    parts_opener: regex.Pattern  # between a total's unit and its first part: ":", "namely"
    division_below: regex.Pattern  # between a count and a later one: the later is one tier below
    same_unit_subset: regex.Pattern  # right before a subset count of the same unit: "only"
    not_unit_nouns: frozenset[str]  # head words of phrases that count no unit (people, seats, years)
    territorial_context: regex.Pattern  # a sentence about territorial units
    adjective_endings: regex.Pattern  # a word ending so is no head noun ("municipal", "elected")
    verb_endings: regex.Pattern  # a word ending so, after a noun, ends its phrase ("divided in", "known as")
    modifier_tiers: Mapping  # a modifier word -> the tier it gives an unlisted noun ("local" -> municipal)
    not_administrative: regex.Pattern  # a sentence saying its units are not administrative ones
    units_divided: regex.Pattern  # before a division: units (not the country) are divided
    skip_before_phrase: frozenset[str]  # words between a count and its phrase that belong to neither ("such")
    status_peers: frozenset[str]  # nouns of cities that may stand at the regional tier ("city", "metropolis")
    status_modifiers: frozenset[str]  # words giving such a city a status of its own ("chartered", "autonomous")
    total_nouns: frozenset[str]  # unit phrases that count units of several tiers at once ("local authorities")
    unit_elsewhere: Mapping  # name -> pattern: where a count with no noun of its own finds one
    trailing_cue_gap: regex.Pattern | None
    tier_cues: tuple[TierCueRule, ...]
    state_structure: tuple[tuple[str, regex.Pattern], ...]
    subnational_tiers: tuple[regex.Pattern, ...]
    shared_heads: SharedHeadRules | None
    national_tier_listed: regex.Pattern | None = None  # after a tier count: its tiers include the national one


def _digits(separators) -> str:
    """A count printed in digits: 17, or groups of three after one separator (2,186, 2 186, 1.103).

    One separator per number, a first group of 1-3 digits not starting with 0: "0.250"
    and "2.5" are decimals, not groups; "1,234.567" mixes two separators and is none.
    """
    grouped = [rf"[1-9]\d{{0,2}}(?:{regex.escape(sep)}\d{{3}})+(?!\d)" for sep in separators]
    return "(?:" + "|".join(grouped + [r"\d+"]) + ")"


def _admin_separators(check: RuleChecker, data: Any) -> list[str]:
    """Single characters that group thousands; a digit, letter or dash would swallow other text."""
    out = []
    for item, line in _located_items(check, data, "thousands_separators"):
        if not isinstance(item, str) or len(item) != 1 or regex.match(r"[\w\-]", item):
            check.error(line, f"a thousands separator is one character, not a digit, letter or dash; got {item!r}")
        elif item not in out:
            out.append(item)
    return out


def _admin_shared_heads(check: RuleChecker, data: Any) -> SharedHeadRules | None:
    group = check.mapping(data, "shared_heads")
    for key in group:
        if key not in ("list_link", "last_link", "max_words"):
            check.error(_key_line(group, key), f"unknown shared_heads key {key!r}")
    list_link = check.pattern(group.get("list_link"), _key_line(group, "list_link") or getattr(group, "line", None))
    last_link = check.pattern(group.get("last_link"), _key_line(group, "last_link") or getattr(group, "line", None))
    max_words = group.get("max_words")
    if not isinstance(max_words, int) or isinstance(max_words, bool) or not 3 <= max_words <= 40:
        check.error(_key_line(group, "max_words") or getattr(group, "line", None), f"'max_words' must be an integer 3-40, got {max_words!r}")
        return None
    if list_link is None or last_link is None:
        return None
    return SharedHeadRules(list_link, last_link, max_words)


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


UNIT_ELSEWHERE = ("of_which", "of_the", "are", "there_are", "changed_to", "change", "number_of")


def _admin_unit_elsewhere(check: RuleChecker, data: Any) -> dict[str, regex.Pattern]:
    """The ``unit_elsewhere`` patterns, each named once; a missing or unknown name is an error."""
    group = check.mapping(data, "unit_elsewhere")
    out = {}
    for key in group:
        if key not in UNIT_ELSEWHERE:
            check.error(_key_line(group, key), f"unknown unit_elsewhere key {key!r} (expected one of {', '.join(UNIT_ELSEWHERE)})")
    for key in UNIT_ELSEWHERE:
        pattern = check.pattern(group.get(key), _key_line(group, key) or getattr(group, "line", None))
        out[key] = pattern or regex.compile(r"(?!)")
    return out


def _admin_modifier_tiers(check: RuleChecker, data: Any) -> dict[str, str]:
    """{modifier word: tier} from ``modifier_tiers`` (tier -> words); a word under two tiers is an error."""
    groups = check.mapping(data, "modifier_tiers")
    out: dict[str, str] = {}
    for tier in groups:
        line = _key_line(groups, tier)
        if check.choice(tier, ADMIN_TIERS, line, "tier") is None:
            continue
        for word in check.strings(groups, tier):
            word = word.lower()
            if word in out and out[word] != tier:
                check.error(line, f"modifier {word!r} listed under two tiers")
            out[word] = tier
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
    data = read_mapping(rules_dir / "admin_units.yaml", check, "of admin unit rules")
    for key in data:
        if key not in _ADMIN_KEYS:
            check.error(_key_line(data, key), f"unknown key {key!r}")

    values = _admin_number_words(check, data)
    digits = _digits(_admin_separators(check, data))
    word = _phrase_regex(values) + r"\b" if values else r"(?!)"
    scales = [w for w, (kind, _) in values.items() if kind == "scales"]
    joiner = r"(?:[\s-]+" + (rf"|(?<=\b{_phrase_regex(scales)})\s+and\s+" if scales else "") + ")"
    words = f"{word}(?:{joiner}{word})*"
    core = f"(?:{digits}|{words})"
    flags = regex.IGNORECASE
    # A count starts a word: a digit or a number word's first letter, after no word
    # character. Two guards the rest implies say so to the regex engine, which then
    # passes over the inside of words, and over words that start with no such letter, at
    # once (half the scan): a leading \b, only where every number word starts with a
    # word character (every case variant of a letter is one), and the first characters
    # (also in the tier-count patterns' {number}).
    starts_word = r"\b" if all(regex.match(r"\w", w) for w in values) else ""
    first_character = rf"(?=[\d{regex.escape(''.join(sorted({w[0] for w in values})))}])"
    count = regex.compile(
        rf"{starts_word}(?<![\w.,-]){first_character}(?:{digits}(?![\w]|[.,]\d|-[^\W\d_])|{words}(?![\w-]))", flags
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
    parts_opener = check.pattern(data.get("parts_opener"), _key_line(data, "parts_opener") or data.line) or regex.compile(r"(?!)")
    division_below = check.pattern(data.get("division_below"), _key_line(data, "division_below") or data.line) or regex.compile(r"(?!)")
    same_unit_subset = check.pattern(data.get("same_unit_subset"), _key_line(data, "same_unit_subset") or data.line) or regex.compile(r"(?!)")
    territorial_context = check.pattern(data.get("territorial_context"), _key_line(data, "territorial_context") or data.line) or regex.compile(r"(?!)")
    not_unit_nouns = frozenset(w.lower() for w in check.strings(data, "not_unit_nouns"))
    nesting_marker_adjacent = (
        regex.compile(rf"(?<![\w-]){nesting}(?![\w-])[\s,:]*$", flags) if nesting else regex.compile(r"(?!)")
    )

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
        pattern = check.pattern(source.replace("{number}", f"(?P<n>{first_character}{core})"), line)
        if pattern is not None:
            tier_counts.append(pattern)

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
        nesting_marker_adjacent=nesting_marker_adjacent,
        parts_opener=parts_opener,
        division_below=division_below,
        not_unit_nouns=not_unit_nouns,
        territorial_context=territorial_context,
        same_unit_subset=same_unit_subset,
        verb_endings=check.pattern(data.get("verb_endings"), _key_line(data, "verb_endings") or data.line) or regex.compile(r"(?!)"),
        modifier_tiers=MappingProxyType(_admin_modifier_tiers(check, data)),
        unit_elsewhere=MappingProxyType(_admin_unit_elsewhere(check, data)),
        total_nouns=frozenset(" ".join(w.lower().split()) for w in check.strings(data, "total_nouns")),
        status_peers=frozenset(w.lower() for w in check.strings(data, "status_peers")),
        status_modifiers=frozenset(w.lower() for w in check.strings(data, "status_modifiers")),
        skip_before_phrase=frozenset(w.lower() for w in check.strings(data, "skip_before_phrase")),
        units_divided=check.pattern(data.get("units_divided"), _key_line(data, "units_divided") or data.line) or regex.compile(r"(?!)"),
        not_administrative=check.pattern(data.get("not_administrative"), _key_line(data, "not_administrative") or data.line) or regex.compile(r"(?!)"),
        adjective_endings=check.pattern(data.get("adjective_endings"), _key_line(data, "adjective_endings") or data.line) or regex.compile(r"(?!)"),
        trailing_cue_gap=trailing_cue_gap,
        tier_cues=tuple(cues),
        state_structure=tuple(structures),
        subnational_tiers=tuple(tier_counts),
        national_tier_listed=(check.pattern(data["national_tier_listed"], _key_line(data, "national_tier_listed"))
                              if "national_tier_listed" in data else None),
        shared_heads=_admin_shared_heads(check, data),
    )

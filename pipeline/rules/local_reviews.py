"""Rules for local_reviews.yaml: how a profile names its VLRs and VSRs."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from .core import RuleChecker, _defined_pattern, _defined_patterns, _key_line, compile_defines, read_mapping, rule_file

REVIEW_KINDS = ("VLR", "VSR")


@dataclass(frozen=True)
class LocalReviewRules:
    kinds: dict[str, regex.Pattern]  # VLR | VSR -> pattern
    generic_review: regex.Pattern | None
    year: regex.Pattern | None
    direct_years: regex.Pattern | None  # group `years`
    clause_breaks: regex.Pattern | None
    not_done: tuple[regex.Pattern, ...]
    place_prefixes: regex.Pattern | None
    name_joiners: frozenset[str]
    not_names: frozenset[str]
    not_subject_after: frozenset[str]


@rule_file("local_reviews", "local_reviews.yaml")
def parse_local_review_rules(rules_dir: Path, check: RuleChecker) -> LocalReviewRules:
    data = read_mapping(rules_dir / "local_reviews.yaml", check, "with 'kinds', 'not_done' and the name rules")
    defines = compile_defines(data, check)

    def one(key: str) -> regex.Pattern | None:
        return _defined_pattern(check, defines, data.get(key), _key_line(data, key))

    raw_kinds = check.mapping(data, "kinds")
    kinds = {}
    for kind, source in raw_kinds.items():
        if check.choice(kind, REVIEW_KINDS, _key_line(raw_kinds, kind), "review kind") is not None:
            pattern = _defined_pattern(check, defines, source, _key_line(raw_kinds, kind))
            if pattern is not None:
                kinds[kind] = pattern
    direct = one("direct_years")
    if direct is not None and "years" not in direct.groupindex:
        check.error(_key_line(data, "direct_years"), "pattern must capture a group named 'years'")
        direct = None
    words = {key: frozenset(w.lower() for w in check.strings(data, key)) for key in ("name_joiners", "not_names", "not_subject_after")}
    year = _defined_pattern(check, defines, "(?&year)", _key_line(data, "define")) if "year" in defines else None
    if "year" not in defines:
        check.error(_key_line(data, "define"), "'define' must name a 'year' piece")
    return LocalReviewRules(
        kinds=kinds,
        generic_review=one("generic_review"),
        year=year,
        direct_years=direct,
        clause_breaks=one("clause_breaks"),
        not_done=_defined_patterns(check, defines, data, "not_done"),
        place_prefixes=one("place_prefixes"),
        **words,
    )

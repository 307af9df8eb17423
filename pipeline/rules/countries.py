"""Rules for countries.yaml: country spellings ISO 3166 does not know."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex

from .core import (
    LDict,
    RuleChecker,
    read_yaml,
    rule_file,
)


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

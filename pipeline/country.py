"""Which country a profile is about: its printed title -> ISO 3166-1 alpha-3.

Output paths are built from this code only, never from document text, so a
title that is not a country stops the profile instead of naming a folder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import pycountry

from .errors import NotAProfile, UnknownCountry
from .rules import Rules, fold_name

# "COUNTRY PROFILE: KAZAKHSTAN", "Kazakhstan – Country profile 2023", "MALI | SDG localization"
_TITLE_PARTS = re.compile(r"\s*(?:[:|–—]|\s-\s)\s*")
_FILE_WORDS = re.compile(r"[^\W\d_]+(?:[ '][^\W\d_]+)*")


@dataclass(frozen=True)
class Country:
    iso3: str
    name: str  # as the profile titles it (title case), or the ISO name when taken from the file name
    warning: str | None = None


def lookup(name: str, rules: Rules) -> str | None:
    """ISO3 of a country name or code (aliases in rules/countries.yaml first), else None."""
    name = name.strip()
    if not name:
        return None
    alias = rules.countries.aliases.get(fold_name(name))
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def resolve_country(title: str | None, rules: Rules, source_path: str | None = None) -> Country:
    """The country a profile is about: its title, a part of its title, else its file name."""
    for candidate in ([title] + _TITLE_PARTS.split(title) if title else []):
        code = lookup(candidate, rules)
        if code:
            return Country(code, candidate.strip() if candidate != title else title)
    if source_path:
        stem = PurePosixPath(source_path).stem.replace("_", " ").replace("-", " ")
        for words in [stem] + _FILE_WORDS.findall(stem) + stem.split():
            # A name, or an upper-case ISO3 code ("KAZ_2023.pdf"); never a short word that happens to be a code.
            code = lookup(words, rules) if len(words) > 3 or (len(words) == 3 and words.isupper()) else None
            if code:
                name = pycountry.countries.get(alpha_3=code)
                found = getattr(name, "common_name", None) or (name.name if name else words)
                why = f"no country title ({title!r}); country taken from the file name" if title else \
                    "no country title; country taken from the file name"
                return Country(code, found, why)
    if not title:
        raise NotAProfile("no country title found")
    raise UnknownCountry(f"title {title!r} is not a country name")

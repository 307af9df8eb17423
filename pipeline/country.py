"""Which country a profile is about: its printed title -> ISO 3166-1 alpha-3.

Output paths are built from this code only, never from document text, so a
title that is not a country stops the profile instead of naming a folder.
"""
from __future__ import annotations

import pycountry

from .errors import NotAProfile, UnknownCountry
from .rules import Rules, fold_name


def resolve_country(title: str | None, rules: Rules) -> str:
    """ISO3 code of the country a title names; UnknownCountry when it names none."""
    if not title:
        raise NotAProfile("no country title found")
    alias = rules.countries.aliases.get(fold_name(title))
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(title.strip()).alpha_3
    except LookupError:
        raise UnknownCountry(f"title {title!r} is not a country name") from None

"""Sentences: where one ends, for the stages that read a text sentence by sentence
(admin-unit counts, SDG priorities).

Why one splitter: a count and the goals of a VNR are both tied to their sentence,
and the two stages must agree on where "e.g. Almaty" or "p. 48." ends one.
The abbreviations come from rules/normalize.yaml.
"""
from __future__ import annotations

import regex


# A sentence ends at . ! ? (with closing quotes/brackets) before a capital or digit.
_SENTENCE_END = regex.compile(r"[.!?]+[\"”’»)\]]*(?=\s+[\"“‘«(\[]?[\p{Lu}\d])")
_INITIAL = regex.compile(r"\p{Lu}\.")  # 'J. Smith'


def sentence_bounds(text: str, abbreviations: frozenset[str], start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text[start:end]``, white space between them left out.

    A sentence ends after . ! ? and any closing quotes or brackets, before a capital or
    a digit; not after a listed abbreviation ("e.g.", "p.", "No.") or an initial ("J.").
    """
    end = len(text) if end is None else end
    out, begin = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        if _is_abbreviation(text, m.start(), start, abbreviations):
            continue
        out.append((begin, m.end()))
        begin = m.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end and text[begin:end].strip():
        out.append((begin, end))
    return out


def _is_abbreviation(text: str, dot: int, floor: int, abbreviations: frozenset[str]) -> bool:
    if text[dot] != ".":
        return False
    token_start = max(text.rfind(" ", floor, dot) + 1, floor)
    token = text[token_start : dot + 1].lstrip("([\"“‘«")
    return token.lower() in abbreviations or (len(token) == 2 and bool(_INITIAL.fullmatch(token)))

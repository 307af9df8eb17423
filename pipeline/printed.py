"""How profiles print things, whatever the front end: one home for the conventions that
the text path and the PDF reader both read.

Why one module: a section number, a word broken at a line end or the end of a sentence
looks the same in a PDF and in a text export; two copies of one pattern drift apart.
Vocabulary (bullet characters, heading names) lives in rules/, not here.
"""
from __future__ import annotations

import re

# "2.1 NATIONAL COORDINATION", "3. Monitoring", "1.1.2": a section number opening a heading.
SECTION_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,3})\.?(?=\s|$)\s*(?P<title>.*)$")
# The piece of a word before a hyphen (or soft hyphen) that ends a line: "decen-", "self-govern-"
# (the piece is "govern"). Text is folded first: U+2010 and U+2011 are '-' by then.
LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)[-\u00ad]$")
# What opens an item of a numbered or lettered list: '1.', '1)', 'a)', '(i)', '(b)'. (A
# lone 'a.' or 'I.' is not one: too often a sentence's first word.)
LIST_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.)]|[a-z]\)|\((?:\d{1,2}|[a-z]|[ivx]{1,5})\)|[ivx]{1,5}\))\s+(?=\S)")
# Code points a symbol font (Symbol, Wingdings) prints its glyphs at in a text copy: never text.
PRIVATE_USE = "\ue000-\uf8ff"
# The end of a sentence or clause: a full stop, '!', '?', ':' or ';' (closing quotes and
# brackets after it allowed). Text ending otherwise is a sentence still running.
SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)\]*]*$")


# What may close a paragraph or an item: a sentence end, or a closing quote or bracket
# ('... the "Smart City"', '... (2021)'). Looser than SENTENCE_END: it decides whether the
# next paragraph carries this one on, where a wrong join costs more than a missed one.
CLOSERS = (".", "!", "?", "…", ":", ";", '"', "”", "’", ")")


def broken_word(text: str) -> str | None:
    """The word piece before a hyphen ending ``text`` ("decen" for "... decen-"), else None.
    Cheap on the many lines that end otherwise: the pattern runs only where one may match."""
    if not text.endswith(("-", "\u00ad")):
        return None
    m = LINE_END_HYPHEN.search(text, max(0, len(text) - 80))
    return m.group(1) if m else None


def section_number(text: str) -> tuple[str | None, str]:
    """('2.1', 'NATIONAL COORDINATION') for '2.1 NATIONAL COORDINATION'; (None, text) when
    no number opens it, or nothing follows the number."""
    numbered = SECTION_NUMBER.match(text)
    if numbered and numbered.group("title"):
        return numbered.group("number"), numbered.group("title").strip()
    return None, text


def closes_text(text: str) -> bool:
    """Whether a paragraph ending so may end there (see CLOSERS)."""
    return text.rstrip().endswith(CLOSERS)

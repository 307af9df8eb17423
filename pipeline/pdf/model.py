"""The plain data the PDF reader's steps pass along, and the layout constants they share.

Why one module: every step reads words, lines, tokens and blocks; keeping them (and
the typographic conventions that size them) apart from the steps lets each step
import only what it reads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import add, attrgetter, itemgetter

from ..normalize import NO_EVIDENCE, HyphenEvidence


# ---------------------------------------------------------------------------
# Layout constants: typographic conventions, not vocabulary (that lives in rules/)
# ---------------------------------------------------------------------------
LINE_END_DASH = re.compile(r"\w[\u2013\u2014]$")  # an en or em dash never splits a word
MAX_HEADING_WORDS = 12
SUPERSCRIPT_DIGITS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}$")
SUPERSCRIPT_TABLE = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUP_SIZE, SUP_RISE = 0.82, 0.12  # a superscript is smaller and raised (fractions of the line's size)
PARAGRAPH_GAP = 0.5  # vertical white space (x size) that separates paragraphs
CELL_GAP = 1.5  # horizontal white space (x size) that separates unruled table cells


# ---------------------------------------------------------------------------
# Plain data the steps pass along
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """A rating scale seen on a page: its labels and the one shown as chosen."""

    labels: tuple[str, ...]
    chosen: str | None
    method: str  # graphic | label
    page: int
    selected: int = 1  # how many shapes look selected: a choice needs exactly one


@dataclass(frozen=True)
class Word:
    """One word as printed: box, size, emphasis, colour (``scale`` for a drawn scale)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool = False
    italic: bool = False
    color: tuple = ()
    scale: Scale | None = None

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class TextLine:
    """Words on one line of one column, in reading order; ``cells`` for a table row."""

    words: tuple[Word, ...]
    page: int
    column: tuple[int, int]  # (segment, column) on the page
    col_x0: float
    col_x1: float
    band: bool = False
    cells: tuple[tuple[Word, ...], ...] | None = None

    @cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @cached_property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @cached_property
    def lettered(self) -> tuple[Word, ...]:
        """Its words that hold a letter (drawn scales left out): what emphasis is judged on."""
        return tuple(w for w in self.words if not w.scale and has_letter(w.text))


@dataclass(frozen=True)
class Token:
    """A word of output text; ``marker`` makes it a footnote reference."""

    text: str
    bold: bool = False
    italic: bool = False
    marker: int | None = None
    space_before: bool = True


@dataclass
class LayoutBlock:
    """A heading, paragraph, table row or scale being assembled from lines."""

    kind: str  # title | heading | para | table | scale
    tokens: list[Token]
    lines: list[TextLine]
    page: int
    cells: list[list[Token]] = field(default_factory=list)
    scale: Scale | None = None
    continues: bool = False  # a paragraph carried over from the previous page
    depth: int = 0


@dataclass(frozen=True)
class Vocabulary:
    """What the reader takes from rules/: hyphen prefixes, bullets, heading and level names."""

    keep_hyphen_prefixes: frozenset[str] = frozenset()
    bullets: str = ""
    headings: object = None  # HeadingRules
    ratings: object = None  # RatingRules
    hyphens: HyphenEvidence = NO_EVIDENCE  # the document's own evidence on line-end hyphens

    @classmethod
    def of(cls, keep_hyphen_prefixes=frozenset(), headings=None, ratings=None) -> "Vocabulary":
        """The reader's vocabulary from rules.normalize's prefixes and rules.headings and .ratings."""
        return cls(frozenset(keep_hyphen_prefixes), getattr(headings, "bullet_chars", "") or "", headings, ratings)


@dataclass(frozen=True)
class RawPage:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    shapes: tuple[dict, ...]  # rects and curves: box, fill, fill colour
    tables: tuple[tuple[tuple[tuple[float, float, float, float] | None, ...], ...], ...]  # rows of cell boxes
    unmapped: int = 0  # words that held glyph codes a font maps to no text ('(cid:12)'), dropped


def colour(value) -> tuple:
    """A fill colour as RGB rounded to 0.01, whatever space it was given in.

    Why RGB: pdfminer reports a colour in its own space ((0,) for gray black,
    four numbers for CMYK), PDFium always as RGB; one form makes a colour the
    same colour from either backend. Names (patterns) stay as they are.
    """
    if value is None:
        return (0.0, 0.0, 0.0)
    if isinstance(value, (int, float)):
        value = (value,)
    try:
        values = [float(v) for v in value]
    except (TypeError, ValueError):
        return (str(value),)
    if len(values) == 1:
        values = values * 3
    elif len(values) == 4:  # CMYK
        c, m, y, k = values
        values = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    return tuple(round(v, 2) for v in values)


@lru_cache(maxsize=65536)
def has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def is_white(color: tuple) -> bool:
    return bool(color) and all(isinstance(c, float) and c >= 0.95 for c in color)


@dataclass(frozen=True)
class Body:
    """How running text is printed: the size and colour most characters have."""

    size: float
    color: tuple


def group_rows(words) -> list[list[Word]]:
    """Words of one printed line: a word joins a row it overlaps by half its height.

    Called on every page by several steps, so written for speed: plain comparisons,
    not min/max calls (the same rows as ``min(bottoms) - max(tops)``)."""
    rows: list[list] = []  # [top, bottom, words]
    words = list(words)
    tops, bottoms = [w.top for w in words], [w.bottom for w in words]
    keys = list(zip(map(add, tops, bottoms), [w.x0 for w in words]))  # by centre (twice it: the same order), then left edge
    for i in sorted(range(len(words)), key=keys.__getitem__):
        w, top, bottom = words[i], tops[i], bottoms[i]
        height = bottom - top
        for row in reversed(rows[-3:]):
            row_top, row_bottom = row[0], row[1]
            overlap = (row_bottom if row_bottom < bottom else bottom) - (row_top if row_top > top else top)
            shorter = height if height < row_bottom - row_top else row_bottom - row_top
            if overlap >= 0.5 * (shorter if shorter > 0.1 else 0.1):
                row[2].append(w)
                if top < row_top:
                    row[0] = top
                if bottom > row_bottom:
                    row[1] = bottom
                break
        else:
            rows.append([top, bottom, [w]])
    rows.sort(key=_row_top)
    return [sorted(r[2], key=_left) for r in rows]


_row_top, _left = itemgetter(0), attrgetter("x0")

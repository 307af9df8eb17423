"""Characters grouped into words: pdfplumber's word algorithm, for the settings we use,
over plain character tuples.

Why our own: both backends group characters the way pdfplumber's ``WordExtractor``
does (so that they give the same words), but that class walks dicts through
generic, direction-agnostic code and was a third of the PDFium path's time. This is
the same algorithm written out for one setting (``x_tolerance_ratio=0.15``,
``y_tolerance=3``, words split by font name, size and colour, ligatures expanded)
over tuples. tests/test_pdf_words.py holds it to ``WordExtractor`` word by word on
every fixture PDF and the hostile corpus, from both backends.

A character is a plain tuple in the order of ``CHAR_FIELDS``: box (top-down page
coordinates), text, font name, size (to 0.01 pt), fill colour (RGB to 0.01) and upright
or not. The PDFium backend gives a page's characters as columns instead
(``CharColumns``: arrays, no tuple per character); the words are grouped over arrays
from either form, so the same code, held to ``WordExtractor``, serves both backends.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from heapq import merge
from itertools import groupby
from operator import itemgetter, not_

import numpy as np

CHAR_FIELDS = ("x0", "x1", "top", "bottom", "text", "fontname", "size", "colour", "upright")
X0, X1, TOP, BOTTOM, TEXT, FONT, SIZE, COLOUR, UPRIGHT = range(len(CHAR_FIELDS))
WORD_OPTIONS = {"x_tolerance_ratio": 0.15, "y_tolerance": 3, "extra_attrs": ["fontname", "size", "non_stroking_color"]}
X_TOLERANCE_RATIO = WORD_OPTIONS["x_tolerance_ratio"]  # of the previous character's size, along a line
Y_TOLERANCE = WORD_OPTIONS["y_tolerance"]  # across lines, and for clustering characters into lines
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}  # pdfplumber's

_run_key = itemgetter(UPRIGHT, FONT, SIZE, COLOUR)  # pdfplumber's grouping key: upright, then the extra attrs
_across = {True: itemgetter(TOP), False: itemgetter(X0)}  # what clusters characters into lines
_along = {True: itemgetter(X0), False: itemgetter(TOP, BOTTOM)}  # how a line's characters are sorted
_box = itemgetter(X0, X1, TOP, BOTTOM, SIZE)


@dataclass(frozen=True)
class CharColumns:
    """A page's characters as columns: what a backend that reads arrays gives (PDFium),
    so that no tuple is made per character. ``boxes`` holds x0, x1, top, bottom and size
    (rows, float); ``style`` each character's index into ``styles``, the distinct
    (upright, fontname, size, colour). Iterating gives the ``CHAR_FIELDS`` tuples."""

    boxes: np.ndarray
    texts: list[str]
    style: np.ndarray
    styles: list[tuple]

    @classmethod
    def of(cls, chars: list[tuple]) -> "CharColumns":
        """The columns of character tuples."""
        ids: dict[tuple, int] = {}
        style = [ids.setdefault(key, len(ids)) for key in map(_run_key, chars)]
        boxes = np.array(list(map(_box, chars)), dtype=float).reshape(len(chars), 5).T
        return cls(boxes, list(map(itemgetter(TEXT), chars)), np.array(style, dtype=np.int64), list(ids))

    @cached_property
    def tuples(self) -> list[tuple]:
        keys = list(map(self.styles.__getitem__, self.style.tolist()))
        return [(x0, x1, top, bottom, text, key[1], key[2], key[3], key[0])
                for (x0, x1, top, bottom, _), text, key in zip(self.boxes.T.tolist(), self.texts, keys)]

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self):
        return iter(self.tuples)

    def __getitem__(self, i):
        return self.tuples[i]


def group_words(chars) -> list[tuple]:
    """Words as (text, x0, x1, top, bottom, fontname, size, colour, upright), in
    pdfplumber's order: per run of characters with one style, per line, left to right.

    ``chars``: ``CHAR_FIELDS`` tuples, or ``CharColumns``. Upright runs, nearly every
    character, are grouped a page at a time over arrays (``_upright_words``); rotated
    runs, and a page with a coordinate that is not a number, character by character
    (``_line_words``)."""
    columns = chars if isinstance(chars, CharColumns) else CharColumns.of(chars)
    if not len(columns):
        return []
    if np.isnan(columns.boxes).any():  # NaN sorts apart in arrays: left to the reference's order
        return _char_words(list(chars))
    style = columns.style
    runs = np.zeros(len(style), dtype=np.int64)
    runs[1:] = np.cumsum(style[1:] != style[:-1])
    upright = np.array([bool(key[0]) for key in columns.styles], dtype=bool)[style]
    words = _upright_words(columns, runs, np.flatnonzero(upright))
    if upright.all():
        return [word for _, word in words]
    rotated = []
    tuples = list(chars)
    for run, positions in groupby(np.flatnonzero(~upright).tolist(), runs.__getitem__):
        rotated += [(run, word) for word in _char_words([tuples[i] for i in positions])]
    return [word for _, word in merge(words, rotated, key=itemgetter(0))]


def _char_words(chars: list[tuple]) -> list[tuple]:
    """``group_words`` character by character, as pdfplumber goes."""
    out: list[tuple] = []
    for _, run in groupby(chars, _run_key):
        run = list(run)
        upright = bool(run[0][UPRIGHT])
        for line in _lines(run, upright):
            _line_words(line, upright, out)
    return out


def _upright_words(columns: CharColumns, runs: np.ndarray, positions: np.ndarray) -> list[tuple[int, tuple]]:
    """(run, word) for the upright characters at ``positions``, all runs at once: what
    ``_lines`` and ``_line_words`` give them, over arrays.

    Lines: a run's tops sorted, a new line where one is more than ``Y_TOLERANCE`` below
    the one before. One stable sort by (line, x0) then puts each run's lines in order,
    each left to right. A word ends at a new line, at a blank (a space, or an empty text,
    which is a word of its own), or where the next character steps back, starts more
    than the tolerance after it or moves off its top (``_new_word``, pair by pair)."""
    n = len(positions)
    if not n:
        return []
    x0, x1, top, bottom, size = columns.boxes[:, positions]
    run = runs[positions]
    by_top = np.lexsort((top, run))
    new_line = np.ones(n, dtype=bool)
    new_line[1:] = (run[by_top][1:] != run[by_top][:-1]) | (top[by_top][1:] > top[by_top][:-1] + Y_TOLERANCE)
    line = np.empty(n, dtype=np.int64)
    line[by_top] = np.cumsum(new_line)
    order = np.lexsort((x0, line))  # stable
    x0, x1, top, bottom, size, line, run = x0[order], x1[order], top[order], bottom[order], size[order], line[order], run[order]
    where = positions[order]
    text = list(map(columns.texts.__getitem__, where.tolist()))
    space = np.fromiter(map(str.isspace, text), dtype=bool, count=n)
    blank = space | np.fromiter(map(not_, text), dtype=bool, count=n)
    cut = np.ones(n, dtype=bool)
    cut[1:] = ((line[1:] != line[:-1]) | blank[1:] | blank[:-1] | (x0[1:] < x0[:-1])
               | (x0[1:] > x1[:-1] + X_TOLERANCE_RATIO * size[:-1]) | (np.abs(top[1:] - top[:-1]) > Y_TOLERANCE))
    starts = np.flatnonzero(cut)  # a blank stands alone: a space is dropped here, an empty text is a word
    ends = np.append(starts[1:], n)
    right, upper, lower = np.maximum.reduceat(x1, starts), np.minimum.reduceat(top, starts), np.maximum.reduceat(bottom, starts)
    words = ~space[starts]
    starts, ends, right, upper, lower = starts[words], ends[words], right[words], upper[words], lower[words]
    page = "".join(text)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, text), dtype=np.int64, count=n), out=offsets[1:])
    texts = list(map(page.__getitem__, map(slice, offsets[starts].tolist(), offsets[ends].tolist())))
    for k in [k for k, word in enumerate(texts) if not word.isascii()]:  # a ligature glyph is not ASCII
        texts[k] = "".join([LIGATURES.get(t, t) for t in text[starts[k]:ends[k]]])
    keys = list(map(columns.styles.__getitem__, columns.style[where[starts]].tolist()))
    out = list(zip(run[starts].tolist(), zip(texts, x0[starts].tolist(), right.tolist(), upper.tolist(), lower.tolist(),
                                              map(itemgetter(1), keys), map(itemgetter(2), keys), map(itemgetter(3), keys),
                                              map(itemgetter(0), keys))))
    return out


def _lines(run: list[tuple], upright: bool) -> list[list[tuple]]:
    """The run's characters clustered into lines (values within ``Y_TOLERANCE`` of the
    previous one chain into a cluster), each sorted along the line; stable, as pdfplumber sorts."""
    across, along = _across[bool(upright)], _along[bool(upright)]
    values = sorted(set(map(across, run)))
    if len(values) == 1:
        return [sorted(run, key=along)]
    cluster, last, n = {}, values[0], 0
    for v in values:
        if v > last + Y_TOLERANCE:
            n += 1
        cluster[v] = n
        last = v
    ordered = sorted(run, key=lambda c: cluster[across(c)])
    return [sorted(line, key=along) for _, line in groupby(ordered, lambda c: cluster[across(c)])]


def _line_words(line: list[tuple], upright: bool, out: list[tuple]) -> None:
    """A line's characters split into words: at a space, at a gap wider than the
    tolerance, where a character steps back or off the line."""
    word: list[tuple] = []
    for c in line:
        text = c[TEXT]
        if text.isspace():
            if word:
                out.append(_merged(word))
            word = []
        elif not text:  # pdfplumber's punctuation split, with none given, still splits an empty text
            if word:
                out.append(_merged(word))
            out.append(_merged([c]))
            word = []
        elif not word:
            word = [c]
        elif _new_word(word[-1], c) if upright else _new_word_rotated(word[-1], c):
            out.append(_merged(word))
            word = [c]
        else:
            word.append(c)
    if word:
        out.append(_merged(word))


def _new_word(prev: tuple, c: tuple) -> bool:
    return (c[X0] < prev[X0] or c[X0] > prev[X1] + X_TOLERANCE_RATIO * prev[SIZE]
            or abs(c[TOP] - prev[TOP]) > Y_TOLERANCE)


def _new_word_rotated(prev: tuple, c: tuple) -> bool:
    """Down the page, the tolerances swap: along the line ``Y_TOLERANCE``, across it the ratio."""
    return (c[TOP] < prev[TOP] or c[TOP] > prev[BOTTOM] + Y_TOLERANCE
            or abs(c[X0] - prev[X0]) > X_TOLERANCE_RATIO * prev[SIZE])


def _merged(chars: list[tuple]) -> tuple:
    first = chars[0]
    if len(chars) == 1:
        text = first[TEXT]
        return (LIGATURES.get(text, text), first[X0], first[X1], first[TOP], first[BOTTOM],
                first[FONT], first[SIZE], first[COLOUR], first[UPRIGHT])
    return ("".join([LIGATURES.get(c[TEXT], c[TEXT]) for c in chars]),
            min([c[X0] for c in chars]), max([c[X1] for c in chars]),
            min([c[TOP] for c in chars]), max([c[BOTTOM] for c in chars]),
            first[FONT], first[SIZE], first[COLOUR], first[UPRIGHT])

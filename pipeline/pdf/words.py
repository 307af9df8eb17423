"""Characters grouped into words: pdfplumber's word algorithm, for the settings we use,
over plain character tuples.

Why our own: both backends group characters the way pdfplumber's ``WordExtractor``
does (so that they give the same words), but that class walks dicts through
generic, direction-agnostic code and was a third of the PDFium path's time. This is
the same algorithm written out for one setting (``x_tolerance_ratio=0.15``,
``y_tolerance=3``, words split by font name, size and colour, ligatures expanded)
over tuples. tests/test_pdf_words.py holds it to ``WordExtractor`` word by word on
every fixture PDF and the hostile corpus, from both backends.

A character is a plain tuple, made once per glyph by a backend, in the order of
``CHAR_FIELDS``: box (top-down page coordinates), text, font name, size (to 0.01 pt),
fill colour (RGB to 0.01) and upright or not.
"""
from __future__ import annotations

from itertools import groupby
from operator import itemgetter

CHAR_FIELDS = ("x0", "x1", "top", "bottom", "text", "fontname", "size", "colour", "upright")
X0, X1, TOP, BOTTOM, TEXT, FONT, SIZE, COLOUR, UPRIGHT = range(len(CHAR_FIELDS))
WORD_OPTIONS = {"x_tolerance_ratio": 0.15, "y_tolerance": 3, "extra_attrs": ["fontname", "size", "non_stroking_color"]}
X_TOLERANCE_RATIO = WORD_OPTIONS["x_tolerance_ratio"]  # of the previous character's size, along a line
Y_TOLERANCE = WORD_OPTIONS["y_tolerance"]  # across lines, and for clustering characters into lines
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}  # pdfplumber's

_run_key = itemgetter(UPRIGHT, FONT, SIZE, COLOUR)  # pdfplumber's grouping key: upright, then the extra attrs
_across = {True: itemgetter(TOP), False: itemgetter(X0)}  # what clusters characters into lines
_along = {True: itemgetter(X0), False: itemgetter(TOP, BOTTOM)}  # how a line's characters are sorted
_x0, _x1, _top, _bottom, _text = itemgetter(X0), itemgetter(X1), itemgetter(TOP), itemgetter(BOTTOM), itemgetter(TEXT)


def group_words(chars: list[tuple]) -> list[tuple]:
    """Words as (text, x0, x1, top, bottom, fontname, size, colour, upright), in
    pdfplumber's order: per run of characters with one style, per line, left to right."""
    out: list[tuple] = []
    for _, run in groupby(chars, _run_key):
        run = list(run)
        if run[0][UPRIGHT]:
            _upright_words(_upright_lines(run), out)
        else:
            for line in _lines(run, False):
                _line_words(line, False, out)
    return out


def _upright_lines(run: list[tuple]) -> list[tuple]:
    """The run's characters in pdfplumber's line order: clustered by top into lines (as
    ``_lines`` clusters), each left to right, stable; a line's end is where the cluster changes.
    One sort by (line, x0, place in the run) gives what sorting by line, then each line
    by x0, gives. Returns (cluster, char) pairs."""
    tops = sorted(set(map(_top, run)))
    if len(tops) == 1:
        return [(0, c) for c in sorted(run, key=_x0)]
    cluster, last, n = {}, tops[0], 0
    for v in tops:
        if v > last + Y_TOLERANCE:
            n += 1
        cluster[v] = n
        last = v
    lines = list(map(cluster.__getitem__, map(_top, run)))
    order = sorted(range(len(run)), key=list(zip(lines, map(_x0, run))).__getitem__)
    return [(lines[i], run[i]) for i in order]


def _upright_words(line_chars: list[tuple], out: list[tuple]) -> None:
    """``_line_words`` for upright lines given as (line, char) pairs, written out for speed."""
    word: list[tuple] = []
    line = None
    for n, c in line_chars:
        if n != line:
            if word:
                out.append(_merged_upright(word))
            word, line = [], n
        text = c[TEXT]
        if text.isspace():
            if word:
                out.append(_merged_upright(word))
            word = []
        elif not text:  # pdfplumber's punctuation split, with none given, still splits an empty text
            if word:
                out.append(_merged_upright(word))
            out.append(_merged([c]))
            word = []
        elif not word:
            word = [c]
        else:
            prev = word[-1]
            if (c[X0] < prev[X0] or c[X0] > prev[X1] + X_TOLERANCE_RATIO * prev[SIZE]
                    or abs(c[TOP] - prev[TOP]) > Y_TOLERANCE):
                out.append(_merged_upright(word))
                word = [c]
            else:
                word.append(c)
    if word:
        out.append(_merged_upright(word))


def _merged_upright(chars: list[tuple]) -> tuple:
    """``_merged`` for a word of an upright line: its characters go left to right, so the
    first one's x0 is the least."""
    first = chars[0]
    if len(chars) == 1:
        text = first[TEXT]
        return (LIGATURES.get(text, text), first[X0], first[X1], first[TOP], first[BOTTOM],
                first[FONT], first[SIZE], first[COLOUR], first[UPRIGHT])
    text = "".join(map(_text, chars))
    if not text.isascii():  # a ligature glyph is not ASCII
        text = "".join([LIGATURES.get(c[TEXT], c[TEXT]) for c in chars])
    return (text, first[X0], max(map(_x1, chars)), min(map(_top, chars)), max(map(_bottom, chars)),
            first[FONT], first[SIZE], first[COLOUR], first[UPRIGHT])


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

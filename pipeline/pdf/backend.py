"""Page backends: what the reader takes from a PDF, and the one place both backends meet.

A backend (``pdfium``, the default, or ``pdfplumber``, the reference) opens the file
and gives, per page, plain ``PageObjects``: characters as tuples (``words.CHAR_FIELDS``:
box, text, font name, size, fill colour, upright) and drawn paths (rects, lines,
curves, with fill and colours), in pdfplumber's shapes. Everything after that is
shared, so the two backends can differ only in those objects: words are grouped
(``words``: pdfplumber's word algorithm), doubled glyphs dropped and ruled tables
found (pdfplumber's table algorithm) by the same code, and glyphs the two libraries
report differently are folded here, in ``glyph_text``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from functools import lru_cache
from itertools import groupby
from operator import itemgetter

import numpy as np
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import cluster_objects, curve_to_edges, line_to_edge, rect_to_edges

from ..errors import UnreadablePdf
from ..normalize import fold_text
from .model import RawPage, Word, colour
from .tracking import join_tracked
from .words import FONT, SIZE, TEXT, TOP, UPRIGHT, X0, CharColumns, group_words

BACKENDS = ("pdfium", "pdfplumber")
DEFAULT_BACKEND = "pdfium"  # gives the same tables as pdfplumber on every fixture (tests/test_pdf_parity.py)
BACKEND_ENV = "SDG_PROFILES_PDF_BACKEND"  # set by ``--backend``; worker processes inherit it
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)  # font-name conventions
ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
CID_CODE = re.compile(r"\(cid:\d+\)")  # pdfminer's stand-in for a glyph with no Unicode mapping
COORD_DIGITS = 2  # PDFium measures in 32-bit floats, pdfminer in 64-bit: both agree to a hundredth of a point
TABLE_SETTINGS = TableSettings.resolve(None)


@dataclass(frozen=True)
class PageObjects:
    """One page as a backend reads it: the page box, its rotation, characters and paths."""

    number: int
    width: float
    height: float
    rotation: int
    chars: list[tuple] | CharColumns  # words.CHAR_FIELDS, as tuples or columns
    rects: list[dict]
    lines: list[dict]
    curves: list[dict]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, self.width, self.height)

    @property
    def edges(self) -> list[dict]:
        """Rule edges, as pdfplumber's ``Page.edges`` makes them (what ``TableFinder`` reads)."""
        out = [line_to_edge(line) for line in self.lines]
        for r in self.rects:
            out += rect_to_edges(r)
        for c in self.curves:
            out += curve_to_edges(c)
        return out


def chosen_backend(backend: str | None = None) -> str:
    """The backend asked for, else the one ``--backend`` chose for this run, else the default."""
    name = backend or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"unknown PDF backend '{name}' (one of {', '.join(BACKENDS)})")
    return name


def read_pages(path: Path, max_pages: int, backend: str | None = None) -> list[RawPage]:
    """Every page of the file as a ``RawPage``; a broken or locked file as the reader's errors."""
    check_file(path)
    if chosen_backend(backend) == "pdfium":
        from .pdfium import page_objects
    else:
        from .plumber import page_objects
    return [raw_page(objects) for objects in page_objects(path, max_pages)]


def check_file(path: Path) -> None:
    """Refuse what is not a whole PDF before a parser guesses its way through it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            tail = fh.read()
    except OSError as exc:
        raise UnreadablePdf(exc.strerror or str(exc)) from None
    if b"%PDF-" not in head:
        raise UnreadablePdf("not a PDF (no %PDF- header)")
    if b"%%EOF" not in tail:
        # "%%EOF" is the marker itself (PDF 32000-1, 7.5.5), not a printf escape: say so, as users took it for one
        raise UnreadablePdf('file is truncated (no end-of-file marker: every PDF ends with a line "%%EOF")')


def raw_page(page: PageObjects) -> RawPage:
    words, unmapped = [], 0
    for w in join_tracked(page_words(page.chars)):
        if "(cid:" in w.text:  # a glyph its font maps to no text: an unmapped bullet, or a whole font
            unmapped += 1
            w = replace(w, text=CID_CODE.sub("", w.text))
        if w.text.strip():
            words.append(w)
    shapes = tuple(_shape(r) for r in list(page.rects) + list(page.curves))
    return RawPage(page.number, round(page.width, COORD_DIGITS), round(page.height, COORD_DIGITS), tuple(words), shapes, ruled_tables(page), unmapped)


def _shape(r: dict) -> dict:
    box = {k: round(r[k], COORD_DIGITS) for k in ("x0", "x1", "top", "bottom")}
    stroke = bool(r.get("stroke"))
    return {**box, "fill": bool(r.get("fill")), "non_stroking_color": colour(r.get("non_stroking_color")),
            "stroke": stroke, "linewidth": round(float(r.get("linewidth") or 0), 1) if stroke else 0.0,
            "stroking_color": colour(r.get("stroking_color")) if stroke else ()}


def glyph_text(text: str) -> str:
    """A word's text with the glyphs the backends spell differently folded to one spelling.

    Ligatures ('ﬁ' -> 'fi'), invisible characters and odd spaces (fold_text), and
    U+0002 and U+FFFE, which PDFium reports for a hyphen it sees ending a line
    (per character and in a page's text), as the hyphen.
    """
    return fold_text(text.replace("\x02", "-").replace("\ufffe", "-"))


def page_words(chars: list[tuple] | CharColumns) -> list[Word]:
    """Upright words with size, emphasis (from the font name) and colour.

    Characters are grouped into words by font, size and colour, which the backends
    give comparable (a size to a hundredth of a point, a colour as RGB).
    """
    if doubled_glyphs(chars):
        chars = deduped(list(chars))
    out = []
    for text, x0, x1, top, bottom, font, size, rgb, upright in group_words(chars):
        if not upright:
            continue
        text = glyph_text(text)
        if not text.strip():
            continue
        bold, italic = emphasis(font)
        out.append(Word(text, round(x0, COORD_DIGITS), round(x1, COORD_DIGITS), round(top, COORD_DIGITS),
                        round(bottom, COORD_DIGITS), size, bold, italic, rgb))
    return out


@lru_cache(maxsize=1024)
def emphasis(fontname) -> tuple[bool, bool]:
    """(bold, italic) by the font name's conventions, its subset prefix left out."""
    font = SUBSET_PREFIX.sub("", str(fontname))
    return bool(BOLD_FONT.search(font)), bool(ITALIC_FONT.search(font))


def doubled_glyphs(chars: list[tuple], least: int = 3) -> bool:
    """Whether some glyphs are printed twice on themselves: a 'fake bold' (the text drawn
    again half a point aside) that would read 'TThhee'. Checked first because
    dropping the doubles costs more than looking."""
    if isinstance(chars, CharColumns) and not _stacked(chars):
        return False
    keys = list(zip(map(itemgetter(TEXT), chars), map(round, map(itemgetter(X0), chars)), map(round, map(itemgetter(TOP), chars))))
    if len(set(keys)) == len(keys):  # nothing stands twice in one place: most pages
        return False
    seen, doubled = set(), 0
    for key in keys:
        if key in seen and not key[0].isspace():
            doubled += 1
            if doubled >= least:
                return True
        seen.add(key)
    return False


def _stacked(chars: CharColumns) -> bool:
    """Whether two characters stand on one spot (x0 and top rounded, as ``doubled_glyphs``
    rounds them): without that no glyph is doubled; with it, ``doubled_glyphs`` looks closer."""
    spots = chars.boxes[[X0, TOP]]
    if not np.isfinite(spots).all():
        return True  # Python's round refuses these: left to it
    spots = np.rint(spots)  # half to even, as round()
    by_spot = spots[:, np.lexsort(spots)]
    return bool(((by_spot[:, 1:] == by_spot[:, :-1]).all(axis=0)).any())


def deduped(chars: list[tuple], tolerance: float = 1) -> list[tuple]:
    """pdfplumber's ``dedupe_chars`` over character tuples: of the characters alike in
    uprightness, text, font name and size that stand within ``tolerance`` of one
    another (top, then x0), the top-left one is kept; the rest keep their order."""
    def style(i):
        c = chars[i]
        return (c[UPRIGHT], c[TEXT], c[FONT], c[SIZE])

    kept = []
    for _, alike in groupby(sorted(range(len(chars)), key=style), style):
        for row in cluster_objects(list(alike), lambda i: chars[i][TOP], tolerance):
            for spot in cluster_objects(row, lambda i: chars[i][X0], tolerance):
                kept.append(min(spot, key=lambda i: (chars[i][TOP], chars[i][X0])))
    return [chars[i] for i in sorted(kept)]


def ruled_tables(page: PageObjects) -> tuple:
    """Cell boxes of ruled tables: two columns or more, and two rows or half the page wide.

    Why the width: the last row of a table split across pages stands alone, while a
    row of small boxes (a rating scale) is no table.
    """
    if len(page.rects) + len(page.lines) < 4:
        return ()
    out = []
    for table in TableFinder(page, TABLE_SETTINGS).tables:
        rows = [tuple(tuple(round(v, COORD_DIGITS) for v in c) if c else None for c in row.cells) for row in table.rows]
        x0, _, x1, _ = table.bbox
        if max(len(r) for r in rows) >= 2 and (len(rows) >= 2 or x1 - x0 >= 0.5 * float(page.width)):
            out.append(tuple(rows))
    return tuple(out)

"""Read a profile PDF into the markdown-like text the text path reads.

Why: one normalizer serves every format, so the PDF reader writes what a markdown
export would: ``#`` headings, ``**bold**``/``*italic*`` from font names,
``<sup>N</sup>`` markers where they stood, each page's footnotes as ``N. text``
paragraphs after that page's text, indicator-table rows with TAB-separated cells,
and a form feed between pages. The layout is undone on the way: columns are read
in order, running headers, footers and page numbers dropped, words broken at a
line end mended, paragraphs that run across a column or page joined. Rating scales
drawn as boxes or circles (the filled one chosen), or printed as a row of words
with one highlighted, become ``RatingMark``s; their labels leave the text.

Steps, each a small function: words -> furniture -> rating scales -> footnote zone
-> bands and ruled tables -> columns -> lines (superscripts) -> blocks -> markdown.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import pairwise
from pathlib import Path

import pdfplumber
from pdfminer.layout import LTChar
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes
from pdfplumber.utils import resolve_all, resolve_and_decode
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from .document import RatingMark
from .errors import EncryptedPdf, InputTooLarge, NoTextLayer, UnreadablePdf
from .normalize import (
    NO_EVIDENCE,
    HyphenEvidence,
    fold_text,
    hyphen_evidence,
    keeps_hyphen,
)
from .rules import PATTERN_TIMEOUT

__all__ = ["PdfText", "read_pdf"]


@dataclass(frozen=True)
class PdfText:
    """What ingest needs from a PDF: markdown-like text, page count, rating marks."""

    text: str
    pages: int
    rating_marks: tuple[RatingMark, ...] = ()


# ---------------------------------------------------------------------------
# Layout constants: typographic conventions, not vocabulary (that lives in rules/)
# ---------------------------------------------------------------------------
WORD_OPTIONS = {"x_tolerance_ratio": 0.15, "y_tolerance": 3, "extra_attrs": ["fontname", "size", "non_stroking_color"]}
BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)  # font-name conventions
ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)
SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")
CID_CODE = re.compile(r"\(cid:\d+\)")  # pdfminer's stand-in for a glyph with no Unicode mapping
PAGE_LABEL = re.compile(r"^(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE)
FOOTNOTE_NUMBER = re.compile(r"^(\d{1,3})[.)]?$")
TERMINAL = re.compile(r"[.!?:][\"'”’)\]*]*$")
LINE_END_DASH = re.compile(r"\w[\u2013\u2014]$")  # an en or em dash never splits a word
LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)[-\u2010\u00ad]$")
URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+(?=\S)")  # "1.", "2.1 ", "3.2.1 "
MAX_HEADING_WORDS = 12
URL_BREAK = "/_-.?&=#%~"
SUPERSCRIPT_DIGITS = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}$")
SUPERSCRIPT_TABLE = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
MARGIN_TOP, MARGIN_BOTTOM = 0.08, 0.07  # page-height fractions where furniture lives
SUP_SIZE, SUP_RISE = 0.82, 0.12  # a superscript is smaller and raised (fractions of the line's size)
PARAGRAPH_GAP = 0.5  # vertical white space (x size) that separates paragraphs
CELL_GAP = 1.5  # horizontal white space (x size) that separates unruled table cells
LONE_BULLETS = "•·▪◦»›‣⁃"  # punctuation used as bullets (symbol characters count anyway)


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

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Token:
    """A word of output text; ``marker`` makes it a footnote reference."""

    text: str
    bold: bool = False
    italic: bool = False
    marker: int | None = None
    space_before: bool = True


@dataclass
class Block:
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


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
def read_pdf(
    path: Path,
    max_pages: int = 60,
    *,
    keep_hyphen_prefixes: frozenset[str] = frozenset(),
    headings=None,
    ratings=None,
) -> PdfText:
    """Read one profile PDF into markdown-like text, page count and rating marks.

    ``keep_hyphen_prefixes`` (rules.normalize) decide which line-end hyphens are
    real; ``headings`` (rules.headings) give the bullet characters and let a scale
    find its dimension; ``ratings`` (rules.ratings) map a scale label to a level.
    Without ``headings`` and ``ratings`` no rating marks can be named and none
    are returned.
    """
    vocab = Vocabulary(
        frozenset(keep_hyphen_prefixes), getattr(headings, "bullet_chars", "") or "", headings, ratings
    )
    _check_file(Path(path))
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise InputTooLarge(f"{count} pages (limit {max_pages})")
            raw_pages = [_raw_page(lean_page(page), i + 1) for i, page in enumerate(pdf.pages)]
    except PdfminerException as exc:
        raise _pdf_error(exc.args[0] if exc.args else exc) from None
    except (PSException, PDFException, MalformedPDFException) as exc:
        raise _pdf_error(exc) from None
    words = sum(len(p.words) for p in raw_pages)
    unmapped = sum(p.unmapped for p in raw_pages)
    if unmapped and unmapped * 2 > words:
        raise UnreadablePdf(f"its fonts map glyphs to no text ({unmapped} words hold (cid:N) codes, {words} words kept)")
    if words == 0:
        raise NoTextLayer(f"no text on {count} page{'s' if count != 1 else ''}")
    vocab = replace(vocab, hyphens=hyphen_evidence((w.text for p in raw_pages for w in p.words), vocab.keep_hyphen_prefixes))
    return _assemble(raw_pages, vocab)


def _check_file(path: Path) -> None:
    """Refuse what is not a whole PDF before pdfminer guesses its way through it."""
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


def _pdf_error(exc: BaseException):
    if isinstance(exc, PDFPasswordIncorrect):
        return EncryptedPdf("a password is required")
    if isinstance(exc, PDFEncryptionError):
        return EncryptedPdf(str(exc) or "unsupported encryption")
    return UnreadablePdf(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


# ---------------------------------------------------------------------------
# Per page: what pdfplumber gives, read once
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RawPage:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    shapes: tuple[dict, ...]  # rects and curves: box, fill, fill colour
    tables: tuple[tuple[tuple[tuple[float, float, float, float] | None, ...], ...], ...]  # rows of cell boxes
    unmapped: int = 0  # words that held glyph codes a font maps to no text ('(cid:12)'), dropped


class LeanPage(Page):
    """pdfplumber's Page with a short path for characters: the same dicts, made faster.

    Why: pdfplumber turns every pdfminer object into a dict by walking all its
    attributes through ``resolve_all``; for characters, the bulk of a profile, that
    walk costs about as much as parsing the page. Characters hold plain numbers and
    strings, so only the rest needs resolving. tests/test_pdf.py checks that every
    object of every fixture page equals what ``Page`` makes.
    """

    def process_object(self, obj):
        if obj.__class__ is not LTChar:
            return super().process_object(obj)
        attr = {k: v for k, v in obj.__dict__.items() if k in ALL_ATTRS}
        for k, v in attr.items():
            if v.__class__ not in _PLAIN and not (v.__class__ is tuple and all(e.__class__ in _PLAIN for e in v)):
                attr[k] = resolve_all(v)
        attr["object_type"] = "char"
        attr["page_number"] = self.page_number
        for cs in ("ncs", "scs"):
            if hasattr(obj, cs):
                attr[cs] = _colour_space_name(getattr(obj, cs).name)
        text = obj.get_text()
        attr["text"] = text if self.pdf.unicode_norm is None else unicodedata.normalize(self.pdf.unicode_norm, text)
        state = obj.graphicstate
        attr["stroking_color"] = state.scolor if isinstance(state.scolor, tuple) else (state.scolor,)
        attr["non_stroking_color"] = state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,)
        if isinstance(attr["fontname"], bytes):
            attr["fontname"] = fix_fontname_bytes(attr["fontname"])
        mb_x0, top_of_y = self._char_frame
        attr["top"] = top_of_y - attr["y1"]
        attr["bottom"] = top_of_y - attr["y0"]
        attr["doctop"] = self.initial_doctop + attr["top"]
        if mb_x0 != 0:
            attr["x0"] += mb_x0
            attr["x1"] += mb_x0
        return attr

    @cached_property
    def _char_frame(self) -> tuple[float, float]:
        """(MediaBox x0, the y that top and bottom are measured down from): once per page."""
        return self.mediabox[0], self.height + self.mediabox[1]


_PLAIN = frozenset({int, float, str, bool, type(None)})


@lru_cache(maxsize=64)
def _colour_space_name(name) -> str:
    return resolve_and_decode(name)


def lean_page(page: Page) -> LeanPage:
    return LeanPage(page.pdf, page.page_obj, page.page_number, page.initial_doctop)


def _raw_page(page, number: int) -> RawPage:
    words, unmapped = [], 0
    for w in page_words(page):
        if "(cid:" in w.text:  # a glyph its font maps to no text: an unmapped bullet, or a whole font
            unmapped += 1
            w = replace(w, text=CID_CODE.sub("", w.text))
        if w.text.strip():
            words.append(w)
    shapes = tuple(
        {k: r.get(k) for k in ("x0", "x1", "top", "bottom", "fill", "non_stroking_color")}
        for r in list(page.rects) + list(page.curves)
    )
    return RawPage(number, float(page.width), float(page.height), tuple(words), shapes, ruled_tables(page), unmapped)


def page_words(page) -> list[Word]:
    """Upright words with size, emphasis (from the font name) and colour."""
    if doubled_glyphs(page.chars):
        page = page.dedupe_chars(tolerance=1)
    out = []
    for w in page.extract_words(**WORD_OPTIONS):
        text = fold_text(w["text"])  # 'ﬁnancial' -> 'financial'
        if not w.get("upright", True) or not text.strip():
            continue
        font = SUBSET_PREFIX.sub("", str(w.get("fontname", "")))
        out.append(Word(
            text, float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"]),
            round(float(w["size"]), 2), bool(BOLD_FONT.search(font)), bool(ITALIC_FONT.search(font)),
            _color(w.get("non_stroking_color")),
        ))
    return out


def doubled_glyphs(chars, least: int = 3) -> bool:
    """Whether some glyphs are printed twice on themselves: a 'fake bold' (the text drawn
    again half a point aside) that would read 'TThhee'. Checked first because pdfplumber's
    dedupe_chars costs more than looking."""
    seen, doubled = set(), 0
    for c in chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen and not c["text"].isspace():
            doubled += 1
            if doubled >= least:
                return True
        seen.add(key)
    return False


def _color(value) -> tuple:
    if value is None:
        return (0.0,)
    if isinstance(value, (int, float)):
        return (round(float(value), 2),)
    try:
        return tuple(round(float(v), 2) for v in value)
    except (TypeError, ValueError):
        return (str(value),)


def _is_white(color: tuple) -> bool:
    if not color or not all(isinstance(c, float) for c in color):
        return False
    if len(color) == 4:  # CMYK
        return all(c <= 0.05 for c in color)
    return all(c >= 0.95 for c in color)


def ruled_tables(page) -> tuple:
    """Cell boxes of ruled tables: two columns or more, and two rows or half the page wide.

    Why the width: the last row of a table split across pages stands alone, while a
    row of small boxes (a rating scale) is no table.
    """
    if len(page.rects) + len(page.lines) < 4:
        return ()
    out = []
    for table in page.find_tables():
        rows = [tuple(tuple(map(float, c)) if c else None for c in row.cells) for row in table.rows]
        x0, _, x1, _ = table.bbox
        if max(len(r) for r in rows) >= 2 and (len(rows) >= 2 or x1 - x0 >= 0.5 * float(page.width)):
            out.append(tuple(rows))
    return tuple(out)


# ---------------------------------------------------------------------------
# Document-wide facts: body size, running headers and footers
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Body:
    """How running text is printed: the size and colour most characters have."""

    size: float
    color: tuple


def body_style(pages: list[RawPage]) -> Body:
    """The size and colour most characters are printed in."""
    sizes: dict[float, int] = {}
    colors: dict[tuple, int] = {}
    for page in pages:
        for w in page.words:
            key = round(w.size * 2) / 2
            sizes[key] = sizes.get(key, 0) + len(w.text)
            colors[w.color] = colors.get(w.color, 0) + len(w.text)
    if not sizes:
        return Body(10.0, (0.0,))
    return Body(max(sizes, key=sizes.get), max(colors, key=colors.get))


def group_rows(words) -> list[list[Word]]:
    """Words of one printed line: a word joins a row it overlaps by half its height."""
    rows: list[list] = []  # [top, bottom, words]
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for row in reversed(rows[-3:]):
            overlap = min(row[1], w.bottom) - max(row[0], w.top)
            if overlap >= 0.5 * max(0.1, min(w.bottom - w.top, row[1] - row[0])):
                row[2].append(w)
                row[0], row[1] = min(row[0], w.top), max(row[1], w.bottom)
                break
        else:
            rows.append([w.top, w.bottom, [w]])
    rows.sort(key=lambda r: r[0])
    return [sorted(r[2], key=lambda w: w.x0) for r in rows]


def furniture(pages: list[RawPage]) -> set[tuple[int, int]]:
    """(page, word index) of running headers, footers and page numbers.

    A margin-zone line is furniture when it is a page label ("3", "Page 3 of 4")
    or when the same text (digits ignored) stands at the same height on at least
    half the pages (and on two or more).
    """
    seen: dict[str, list[tuple[int, float, list[int]]]] = {}
    out: set[tuple[int, int]] = set()
    for page in pages:
        index = {id(w): i for i, w in enumerate(page.words)}
        for row in group_rows(page.words):
            top, bottom = min(w.top for w in row), max(w.bottom for w in row)
            if not (bottom <= page.height * MARGIN_TOP or top >= page.height * (1 - MARGIN_BOTTOM)):
                continue
            text = " ".join(w.text for w in row)
            ids = [index[id(w)] for w in row]
            if PAGE_LABEL.match(text.strip()):
                out.update((page.number, i) for i in ids)
                continue
            key = re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()
            seen.setdefault(key, []).append((page.number, top, ids))
    need = max(2, (len(pages) + 1) // 2)
    for hits in seen.values():
        for _, top, _ in hits:
            same = [h for h in hits if abs(h[1] - top) <= 3]
            if len({h[0] for h in same}) >= need:
                out.update((p, i) for p, _, ids in same for i in ids)
    return out


# ---------------------------------------------------------------------------
# Rating scales drawn as boxes or circles
# ---------------------------------------------------------------------------
def drawn_scales(page: RawPage, words: list[Word], size: float) -> tuple[list[Word], list[Word]]:
    """Rows of two to six alike shapes (boxes, circles) with a label inside or right of each.

    The shape filled with a colour is the choice. Returns the words left over and
    one stand-in word per scale (``Word.scale``) so the scale keeps its place in
    reading order; the labels leave the text. A row with shapes stacked right
    above or below it is a table, not a scale.
    """
    tables = [_bbox_of_rows(t) for t in page.tables]
    shapes = [
        r for r in page.shapes
        if 4 <= r["bottom"] - r["top"] <= 40 and 4 <= r["x1"] - r["x0"] <= 200 and not any(_contains(t, r) for t in tables)
    ]
    rows = _shape_rows(shapes)
    used: set[int] = set()
    stand_ins = []
    for g in rows:
        if not 2 <= len(g) <= 6 or any(_stacked(g, other) for other in rows if other is not g):
            continue
        labels = [_shape_label(r, g[k + 1]["x0"] if k + 1 < len(g) else r["x1"] + 150, words, size) for k, r in enumerate(g)]
        if any(not label or len(label) > 4 for label in labels):
            continue
        names = tuple(" ".join(w.text for w in label) for label in labels)
        filled = [k for k, r in enumerate(g) if r["fill"] and not _is_white(_color(r["non_stroking_color"]))]
        chosen = names[filled[0]] if len(filled) == 1 else None
        used.update(id(w) for label in labels for w in label)
        scale = Scale(names, chosen, "graphic", page.number)
        top = min(min(r["top"] for r in g), min(w.top for label in labels for w in label))
        bottom = max(max(r["bottom"] for r in g), max(w.bottom for label in labels for w in label))
        right = max(max(r["x1"] for r in g), max(w.x1 for label in labels for w in label))
        stand_ins.append(Word("", g[0]["x0"], right, top, bottom, size, scale=scale))
    return [w for w in words if id(w) not in used], stand_ins


def _shape_rows(shapes: list[dict]) -> list[list[dict]]:
    """Shapes of one height side by side, left to right."""
    rows: list[list[dict]] = []
    for r in sorted(shapes, key=lambda r: (round(r["top"]), r["x0"])):
        g = rows[-1] if rows else None
        if g and abs(g[-1]["top"] - r["top"]) <= 2 and abs(g[-1]["bottom"] - r["bottom"]) <= 2 \
                and -1 <= r["x0"] - g[-1]["x1"] <= 150:
            g.append(r)
        else:
            rows.append([r])
    return rows


def _stacked(row: list[dict], other: list[dict]) -> bool:
    touch = any(abs(o["top"] - r["bottom"]) <= 2 or abs(r["top"] - o["bottom"]) <= 2 for r in row for o in other)
    overlap = min(row[-1]["x1"], other[-1]["x1"]) > max(row[0]["x0"], other[0]["x0"])
    return touch and overlap


def _shape_label(r: dict, limit: float, words: list[Word], size: float) -> list[Word]:
    """The words inside a shape, else the words just right of it (up to ``limit``)."""
    inside = [w for w in words if r["x0"] <= (w.x0 + w.x1) / 2 <= r["x1"] and r["top"] <= w.cy <= r["bottom"]]
    if inside:
        return inside
    height = r["bottom"] - r["top"]
    right = sorted(
        (w for w in words if r["top"] - height <= w.cy <= r["bottom"] + height and r["x1"] - 1 <= w.x0 < limit),
        key=lambda w: w.x0,
    )
    out: list[Word] = []
    for w in right:
        if w.x0 - (out[-1].x1 if out else r["x1"]) > 1.5 * size:
            break
        out.append(w)
    return out


def _bbox_of_rows(rows) -> tuple[float, float, float, float]:
    cells = [c for row in rows for c in row if c]
    return (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))


def _contains(bbox, r, slack: float = 1.0) -> bool:
    return bbox[0] - slack <= r["x0"] and r["x1"] <= bbox[2] + slack and bbox[1] - slack <= r["top"] and r["bottom"] <= bbox[3] + slack


# ---------------------------------------------------------------------------
# The footnote zone at the page foot
# ---------------------------------------------------------------------------
def footnote_zone(rows: list[list[Word]], size: float) -> tuple[list[list[Word]], list[list[Word]]]:
    """(zone rows, other rows): the small-type rows at the foot, from the first that opens a footnote."""
    i = len(rows)
    while i > 0 and _row_size(rows[i - 1]) < 0.95 * size and not any(w.scale for w in rows[i - 1]):
        i -= 1
    for k in range(i, len(rows)):
        if footnote_number(rows[k]) is not None:
            return rows[k:], rows[:k]
    return [], rows


def footnote_rows(words: list[Word], size: float, width: float) -> list[list[Word]]:
    """The page's footnote rows in reading order: across the page, or per column.

    Why: a layout may set its notes at the foot of the column that cites them
    (InDesign does), with the other column's text running on beside them, or set
    the notes themselves in two columns. With a gutter and no note line across it,
    each column's foot is read on its own, left then right.
    """
    rows = group_rows(words)
    zone, _ = footnote_zone(rows, size)
    gutter = find_gutter(rows, width) if len(rows) >= 6 else None
    if gutter is None or any(w.x0 < gutter < w.x1 for row in zone for w in row):
        return zone
    out: list[list[Word]] = []
    for column in ([w for w in words if w.x1 <= gutter], [w for w in words if w.x0 >= gutter]):
        out += footnote_zone(group_rows(column), size)[0]
    return out


def _row_size(row: list[Word]) -> float:
    return max(w.size for w in row)


def footnote_number(row: list[Word]) -> int | None:
    """The number a footnote line opens with ("12.", "12", or a superscript 12), if any."""
    if len(row) < 2:
        return None
    m = FOOTNOTE_NUMBER.match(row[0].text)
    return int(m.group(1)) if m else None


def footnotes(zone: list[list[Word]], vocab: Vocabulary) -> list[tuple[int, list[Token]]]:
    """Footnotes of one page: a numbered line opens the next footnote, others continue it.

    A line opening with a number continues the footnote above unless the number
    is the next one, or a higher one printed as "N." / "N)".
    """
    out: list[tuple[int, list[Token]]] = []
    for row in zone:
        number = footnote_number(row)
        opens = number is not None and (
            not out or number == out[-1][0] + 1 or (number > out[-1][0] and row[0].text[-1] in ".)")
        )
        if opens:
            out.append((number, line_tokens(row[1:], _row_size(row))))
        elif out:
            out[-1] = (out[-1][0], join_lines(out[-1][1], line_tokens(row, _row_size(row)), vocab.keep_hyphen_prefixes, vocab.hyphens))
    return out


# ---------------------------------------------------------------------------
# Columns and reading order
# ---------------------------------------------------------------------------
def bands(page: RawPage) -> list[tuple[float, float, float, float]]:
    """Coloured full-width strips that carry section headings."""
    return [
        (r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.shapes
        if r["fill"] and not _is_white(_color(r["non_stroking_color"]))
        and r["x1"] - r["x0"] >= 0.4 * page.width and 8 <= r["bottom"] - r["top"] <= 60
    ]


def find_gutter(rows: list[list[Word]], width: float) -> float | None:
    """The x of an empty vertical strip between two columns, if the rows have one.

    The strip in the middle of the page that the fewest rows cross is a gutter
    when few rows cross it and the text right of it looks like a column.
    """
    lo, hi = int(width * 0.3), int(width * 0.7)
    counts = _crossings_by_x(rows, lo, hi)
    least = min(counts)
    if least > max(1, 0.25 * len(rows)):
        return None
    runs, start = [], None
    for i, c in enumerate(counts + [least + 1]):
        if c == least and start is None:
            start = i
        elif c != least and start is not None:
            runs.append((i - start, start))
            start = None
    length, start = max(runs)
    x = lo + start + length / 2
    return x if _column_right_of(rows, x) else None


def _crossings_by_x(rows: list[list[Word]], lo: int, hi: int) -> list[int]:
    """For each x in [lo, hi], the number of rows with a word (padded 3pt) over it."""
    cover = [0] * (hi - lo + 2)
    for row in rows:
        spans = sorted((max(lo, int(w.x0) - 3), min(hi + 1, int(w.x1) + 4)) for w in row if w.x1 + 3 >= lo and w.x0 - 3 <= hi)
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            if a < b:
                cover[a - lo] += 1
                cover[b - lo] -= 1
    counts, running = [], 0
    for c in cover[:-1]:
        running += c
        counts.append(running)
    return counts


def _column_right_of(rows: list[list[Word]], x: float) -> bool:
    """Three or more lines on each side, the right ones starting at one left edge
    (not the gaps of one-column text) and carrying running text (not table cells)."""
    split = [row for row in rows if not any(w.x0 < x < w.x1 for w in row)]
    right_starts = [min(w.x0 for w in row if w.x0 > x) for row in split if any(w.x0 > x for w in row)]
    if len(right_starts) < 3 or sum(1 for row in split if any(w.x1 < x for w in row)) < 3:
        return False
    edge = min(right_starts)
    if sum(1 for s in right_starts if s - edge <= 2.5) < 3:
        return False
    per_row = sorted(sum(1 for w in row if w.x0 >= edge - 1) for row in rows if any(w.x0 >= edge - 1 for w in row))
    return per_row[len(per_row) // 2] >= 4


def crossing(rows: list[list[Word]], x: float) -> int:
    """How many rows have a word across ``x``."""
    return sum(1 for row in rows if any(w.x0 < x < w.x1 for w in row))


def page_gutter(rows: list[list[Word]], width: float, document_gutter: float | None) -> float | None:
    """The page's own gutter, else the document's when this page's lines respect it.

    Why: a page with a short two-column stretch has too few lines to show its
    gutter alone, but the layout is the document's.
    """
    own = find_gutter(rows, width)
    if own is not None or document_gutter is None or not rows:
        return own
    x = document_gutter
    left = any(w.x1 <= x for row in rows for w in row)
    right = any(w.x0 >= x for row in rows for w in row)
    return x if left and right and crossing(rows, x) <= max(1, 0.25 * len(rows)) else None


def table_lines(page: RawPage, words: list[Word]) -> list[TextLine]:
    """One line per row of each ruled table, its words sorted into the cells."""
    out = []
    for t, rows in enumerate(page.tables):
        for cells in rows:
            cell_words = tuple(
                tuple(w for w in words if c and c[0] <= (w.x0 + w.x1) / 2 <= c[2] and c[1] <= w.cy <= c[3])
                for c in cells
            )
            every = tuple(w for cw in cell_words for w in cw)
            if every:
                out.append(TextLine(every, page.number, (1000 + t, 0), 0, page.width, cells=cell_words))
    return out


def reading_order(page: RawPage, words: list[Word], size: float, document_gutter: float | None = None) -> list[TextLine]:
    """Lines of a page in reading order: full-width elements in place, columns left then right.

    A row is full-width when it crosses the gutter, is title size or lies in a
    band that crosses it; the rows between two full-width elements form a
    segment read column by column. Ruled tables keep their place by their top.
    """
    tables = table_lines(page, words)
    in_table = {id(w) for line in tables for w in line.words}
    flow = [w for w in words if id(w) not in in_table]
    rows = group_rows(flow)
    band_boxes = bands(page)
    banded = {id(w): b for w in flow for b in band_boxes if b[0] <= w.x0 and w.x1 <= b[2] + 1 and b[1] <= w.cy <= b[3]}
    gutter = page_gutter([r for r in rows if not any(id(w) in banded for w in r)], page.width, document_gutter)
    x0 = min((w.x0 for w in flow), default=0.0)
    x1 = max((w.x1 for w in flow), default=page.width)
    if gutter is None:
        columns = [(lambda w: True, x0, x1)]
    else:
        left_edge = max((w.x1 for w in flow if w.x1 <= gutter), default=gutter)
        columns = [(lambda w: w.x1 <= gutter, x0, left_edge), (lambda w: w.x1 > gutter, gutter, x1)]
    elements: list[tuple[float, list[TextLine]]] = [(line.top, [line]) for line in tables]
    segment: list[Word] = []
    for row in rows + [None]:  # None closes the last segment
        boxes = [banded[id(w)] for w in row or () if id(w) in banded]
        full = row is None or (gutter is None and bool(boxes)) or (gutter is not None and (
            any(w.x0 < gutter < w.x1 for w in row) or max(w.size for w in row) >= 1.4 * size
            or any(b[0] < gutter < b[2] for b in boxes)
        ))
        if not full:
            segment.extend(row)
            continue
        if segment:
            number = len(elements)
            elements.append((min(w.top for w in segment), [
                TextLine(tuple(r), page.number, (number, c), cx0, cx1, band=any(id(w) in banded for w in r))
                for c, (inside, cx0, cx1) in enumerate(columns) for r in group_rows([w for w in segment if inside(w)])
            ]))
            segment = []
        if row is not None:
            elements.append((min(w.top for w in row), [TextLine(tuple(row), page.number, (len(elements), 0), x0, x1, band=bool(boxes))]))
    elements.sort(key=lambda e: e[0])
    return [line for _, lines in elements for line in lines]


# ---------------------------------------------------------------------------
# Lines -> tokens: superscripts, spacing, hyphenation
# ---------------------------------------------------------------------------
def line_tokens(words, size: float | None = None) -> list[Token]:
    """Tokens of one line; small raised digits become markers, glued words stay glued."""
    words = [w for w in words if not w.scale]
    if not words:
        return []
    size = size or max(w.size for w in words)
    main = [w for w in words if w.size > SUP_SIZE * size] or words
    baseline = max(w.bottom for w in main)
    out: list[Token] = []
    prev = None
    for w in words:
        glued = prev is not None and w.x0 - prev.x1 <= 0.1 * size
        small_raised = w.size <= SUP_SIZE * size and w.bottom <= baseline - SUP_RISE * size
        lifted = glued and len(w.text) <= 3 and w.bottom <= baseline - 2 * SUP_RISE * size  # text rise, same size
        if (small_raised or lifted) and w.text.isdigit():
            out.append(Token("", marker=int(w.text), space_before=not glued and prev is not None))
        else:
            out.extend(_superscript_glyphs(Token(w.text, w.bold, w.italic, space_before=not glued)))
        prev = w
    return out


def _superscript_glyphs(token: Token) -> list[Token]:
    """A word ending in superscript digit characters ("them.⁴") as the word and its marker."""
    m = SUPERSCRIPT_DIGITS.search(token.text)
    if not m or m.start() == 0:
        return [token]
    number = int(m.group(0).translate(SUPERSCRIPT_TABLE))
    return [replace(token, text=token.text[: m.start()]), Token("", marker=number, space_before=False)]


def join_lines(
    a: list[Token], b: list[Token], keep: frozenset[str], evidence: HyphenEvidence = NO_EVIDENCE
) -> list[Token]:
    """Tokens of two lines of one paragraph, mending a word the line end broke.

    "decen-" + "tralization" joins without the hyphen; the hyphen stays when the
    left part is a keep-prefix ("locally-led") or the right part does not start
    lowercase ("Kazakhstan-2050"); a URL broken at / _ - . joins without a space.
    """
    if not a or not b:
        return a + b
    last, first = a[-1], b[0]
    if last.marker is None and first.marker is None and first.text:
        if URL.match(last.text) and not TERMINAL.search(last.text) and (
            last.text[-1] in URL_BREAK or first.text[0] in URL_BREAK
        ):
            return a[:-1] + _glue(last, last.text, first) + b[1:]
        if LINE_END_DASH.search(last.text) and first.text[0].isalnum():  # "2019–" / "2024": a range
            return a[:-1] + _glue(last, last.text, first) + b[1:]
        broken = LINE_END_HYPHEN.search(last.text)
        if broken and first.text[0].isalnum():
            drop = first.text[0].islower() and not keeps_hyphen(broken.group(1), keep, first.text, evidence)
            stem = last.text[:-1] if drop or last.text[-1] == "\u00ad" else last.text
            return a[:-1] + _glue(last, stem, first) + b[1:]
    return a + [replace(first, space_before=True)] + b[1:]


def _glue(last: Token, stem: str, first: Token) -> list[Token]:
    if (last.bold, last.italic) == (first.bold, first.italic):
        return [replace(last, text=stem + first.text)]
    return [replace(last, text=stem), replace(first, space_before=False)]


# ---------------------------------------------------------------------------
# Unruled tables: cells separated by wide gaps
# ---------------------------------------------------------------------------
def gap_cells(line: TextLine) -> list[list[Word]]:
    """The line's words split at gaps wider than ``CELL_GAP`` times its size."""
    cells: list[list[Word]] = []
    for w in line.words:
        if cells and w.x0 - cells[-1][-1].x1 <= CELL_GAP * line.size:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


def gap_tables(lines: list[TextLine]) -> list[TextLine]:
    """Replace runs of lines with wide-gap cells (two or more such lines) by table rows."""
    out: list[TextLine] = []
    i = 0
    while i < len(lines):
        j = i
        zone: list[TextLine] = []
        while j < len(lines) and lines[j].cells is None and not lines[j].band and lines[j].column == lines[i].column:
            line = lines[j]
            multi = len(gap_cells(line)) >= 2
            if not zone and not multi:
                break
            if zone and not multi and line.top - zone[-1].bottom > PARAGRAPH_GAP * line.size:
                break
            zone.append(line)
            j += 1
        if sum(len(gap_cells(z)) >= 2 for z in zone) >= 2:
            out.extend(_gap_rows(zone))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return out


def _gap_rows(zone: list[TextLine]) -> list[TextLine]:
    """Rows of one unruled table: cells go to the column whose left edge they start at."""
    starts = sorted(c[0].x0 for z in zone for c in gap_cells(z) if len(gap_cells(z)) >= 2)
    anchors: list[float] = []
    for s in starts:
        if not anchors or s - anchors[-1] > 6:
            anchors.append(s)
    rows: list[list[list[Word]]] = []
    for z in zone:
        cells = gap_cells(z)
        new_row = len(cells) >= 2 or not rows or cells[0][0].text[:1].isdigit()
        if new_row:
            rows.append([[] for _ in anchors])
        for c in cells:
            col = max([k for k, a in enumerate(anchors) if a <= c[0].x0 + 6] or [0])
            rows[-1][col].extend(c)
    first = zone[0]
    return [
        TextLine(tuple(w for c in row for w in c), first.page, first.column, first.col_x0, first.col_x1,
                 cells=tuple(tuple(c) for c in row))
        for row in rows
    ]


# ---------------------------------------------------------------------------
# Lines -> blocks
# ---------------------------------------------------------------------------
def _letters(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens if t.marker is None)


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def _starts_with_bullet(line: TextLine, vocab: Vocabulary) -> bool:
    """A line opening with a bullet glyph: one from rules, or any lone symbol character."""
    first = line.words[0].text if line.words else ""
    if not first:
        return False
    if first[0] in vocab.bullets:
        return True
    return len(first) == 1 and (unicodedata.category(first).startswith("S") or first in LONE_BULLETS)


def heading_like(line: TextLine, body: Body, vocab: Vocabulary) -> bool:
    """Bold or coloured apart from the body text, short, and set off: a band, a
    bigger size, capitals, a bullet, a section number or a known section name
    ("1.1 National coordination mechanisms" in bold at body size)."""
    words = [w for w in line.words if any(c.isalpha() for c in w.text) and not w.scale]
    if not words or len(line.text) > 200:
        return False
    coloured = len({w.color for w in words}) == 1 and words[0].color != body.color and not _is_white(body.color)
    if not (_all_bold(line) or coloured):
        return False
    return (line.band or line.size >= 1.1 * body.size or _starts_with_bullet(line, vocab)
            or _upper_ratio(line.text) >= 0.6 or _names_a_section(line.text, vocab))


def _names_a_section(text: str, vocab: Vocabulary) -> bool:
    """'1.1 National coordination mechanisms', 'Monitoring': numbered and short, or a known section."""
    numbered = SECTION_NUMBER.match(text)
    title = text[numbered.end():] if numbered else text
    if numbered and len(title.split()) <= MAX_HEADING_WORDS and not TERMINAL.search(title):
        return True
    return vocab.headings is not None and vocab.headings.match(title) is not None


def label_scale(line: TextLine, page: int) -> Scale | None:
    """A line of two to five short labels with exactly one highlighted (bold or coloured)."""
    cells = gap_cells(line)
    if not 2 <= len(cells) <= 5 or any(len(c) > 3 for c in cells):
        return None
    bold = [all(w.bold for w in c) for c in cells]
    colors = [c[0].color for c in cells]
    picked = [i for i, b in enumerate(bold) if b] if 0 < sum(bold) < len(cells) else []
    if len(picked) != 1:
        common = max(set(colors), key=colors.count)
        picked = [i for i, col in enumerate(colors) if col != common] if colors.count(common) == len(cells) - 1 else []
    if len(picked) != 1:
        return None
    names = tuple(" ".join(w.text for w in c) for c in cells)
    return Scale(names, names[picked[0]], "label", page)


def page_blocks(lines: list[TextLine], body: Body, title_size: float | None, vocab: Vocabulary) -> list[Block]:
    """Group a page's lines into headings, paragraphs, table rows and scales."""
    blocks: list[Block] = []
    lines = gap_tables(lines)
    for i, line in enumerate(lines):
        prev = blocks[-1] if blocks else None
        if any(w.scale for w in line.words):
            blocks.append(Block("scale", [], [line], line.page, scale=next(w.scale for w in line.words if w.scale)))
            continue
        if line.cells is not None:
            blocks.append(Block("table", [], [line], line.page, cells=[_cell_tokens(c, vocab) for c in line.cells]))
            continue
        if prev is not None and prev.kind in ("para", "heading") and _lone_calls(line, prev.lines[-1], body):
            prev.tokens = prev.tokens + [Token("", marker=int(w.text), space_before=False) for w in line.words]
            prev.lines.append(line)
            continue
        kind = line_kind(line, prev, lines[i + 1:], body, title_size, vocab)
        if kind == "para" and prev is not None and prev.kind == "heading" and (scale := label_scale(line, line.page)):
            blocks.append(Block("scale", [], [line], line.page, scale=scale))
        elif prev is not None and prev.kind == kind and _extends(prev, line, vocab):
            prev.tokens = join_lines(prev.tokens, line_tokens(line.words), vocab.keep_hyphen_prefixes, vocab.hyphens)
            prev.lines.append(line)
        else:
            blocks.append(Block(kind, line_tokens(line.words), [line], line.page))
    return blocks


def _lone_calls(line: TextLine, above: TextLine, body: Body) -> bool:
    """Footnote calls wrapped alone onto the next line ('localization.' / '7'): a line of
    nothing but small digits right under a line of text. A call has no line of its own,
    so they end the line above."""
    gap = vertical_gap(above, line)
    return (gap is not None and gap <= body.size
            and all(w.text.isdigit() and len(w.text) <= 3 and w.size <= SUP_SIZE * body.size for w in line.words))


def vertical_gap(a: TextLine, b: TextLine) -> float | None:
    """White space from line ``a`` down to ``b`` when ``b`` sits under it; None across columns."""
    if a.page != b.page:
        return None
    if a.column == b.column or (min(a.x1, b.x1) > max(a.x0, b.x0) and b.top >= a.top):
        return b.top - a.bottom
    return None


def line_kind(line: TextLine, prev: Block | None, following: list[TextLine], body: Body,
              title_size: float | None, vocab: Vocabulary) -> str:
    """title, heading or para, from size, boldness and the white space around the line."""
    if title_size and abs(line.size - title_size) < 0.5:
        return "title"
    if prev is not None and prev.kind == "heading" and _bold_run_goes_on(prev.lines[-1], line):
        return "heading"
    if heading_like(line, body, vocab) and _set_apart(line, prev, following, body.size):
        return "heading"
    return "para"


def _extends(prev: Block, line: TextLine, vocab: Vocabulary) -> bool:
    """Does ``line`` belong to the block above: the title or heading's next line, or the paragraph going on."""
    last = prev.lines[-1]
    gap = vertical_gap(last, line)
    if prev.kind in ("title", "heading"):
        return gap is not None and gap <= PARAGRAPH_GAP * line.size and abs(last.size - line.size) < 0.5
    return prev.kind == "para" and continues(prev, last, line, gap, vocab)


def _all_bold(line: TextLine) -> bool:
    words = [w for w in line.words if any(c.isalpha() for c in w.text) and not w.scale]
    return bool(words) and all(w.bold for w in words)


def _bold_run_goes_on(prev: TextLine, line: TextLine) -> bool:
    """The next line of a bold block: right under it, same size, all bold."""
    gap = vertical_gap(prev, line)
    return (
        gap is not None and gap <= PARAGRAPH_GAP * line.size and line.cells is None
        and _all_bold(line) and abs(prev.size - line.size) < 0.5
    )


def _set_apart(line: TextLine, prev: Block | None, following: list[TextLine], size: float) -> bool:
    """A body-size bold line is a heading only with white space around its bold run.

    Why: a paragraph may open with a whole line in bold; that line has regular
    text right under it, where a heading has a gap.
    """
    if line.band or line.size >= 1.1 * size:
        return True
    if prev is not None and prev.kind == "para":
        gap = vertical_gap(prev.lines[-1], line)
        if gap is not None and gap <= PARAGRAPH_GAP * line.size:
            return False
    last = line
    for nxt in following:
        if _bold_run_goes_on(last, nxt):
            last = nxt
            continue
        gap = vertical_gap(last, nxt)
        close = gap is not None and gap <= PARAGRAPH_GAP * 0.5 * last.size
        return not (close and nxt.cells is None and abs(nxt.size - last.size) < 0.5)
    return True


def continues(prev: Block, prev_line: TextLine, line: TextLine, gap, vocab: Vocabulary) -> bool:
    """Does ``line`` carry on the paragraph ``prev`` (same column, or the next column)?"""
    if _starts_with_bullet(line, vocab) or abs(prev_line.size - line.size) > 0.12 * line.size:
        return False
    if gap is not None:  # same column
        return gap <= PARAGRAPH_GAP * line.size and line.x0 >= prev_line.x0 - 0.8 * line.size
    return ends_open(prev.tokens) and prev_line.x1 >= prev_line.col_x1 - 0.3 * (prev_line.col_x1 - prev_line.col_x0)


def ends_open(tokens: list[Token]) -> bool:
    """A paragraph whose last word has no . ! ? : is a sentence still running."""
    words = [t for t in tokens if t.marker is None and t.text]
    return bool(words) and not TERMINAL.search(words[-1].text)


def _cell_tokens(words: tuple[Word, ...], vocab: Vocabulary) -> list[Token]:
    tokens: list[Token] = []
    for row in group_rows(words):
        tokens = join_lines(tokens, line_tokens(row), vocab.keep_hyphen_prefixes, vocab.hyphens)
    return tokens


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------
def render(tokens: list[Token], emphasis: bool = True) -> str:
    """Tokens as markdown: runs of bold/italic wrapped, markers as <sup>N</sup> after their word."""
    out: list[str] = []
    style = (False, False)
    held: list[str] = []

    def marks(s: tuple[bool, bool]) -> str:
        return {(True, True): "***", (True, False): "**", (False, True): "*"}.get(s, "")

    for t in tokens:
        if t.marker is not None:
            held.append(f"<sup>{t.marker}</sup>")
            continue
        new = (t.bold, t.italic) if emphasis else (False, False)
        if new != style:
            out.append(marks(style))
        out.extend(held)
        held = []
        if t.space_before and out:
            out.append(" ")
        if new != style:
            out.append(marks(new))
            style = new
        out.append(t.text)
    out.append(marks(style))
    out.extend(held)
    return "".join(out).strip()


def heading_depths(blocks: list[Block], size: float, vocab: Vocabulary) -> None:
    """Markdown depth by heading style: band/biggest -> 2, other sizes -> 3, bullets -> 4."""
    styles = sorted(
        {(not b.lines[0].band, -round(b.lines[0].size * 2) / 2) for b in blocks
         if b.kind == "heading" and not _starts_with_bullet(b.lines[0], vocab)}
    )
    for b in blocks:
        if b.kind == "title":
            b.depth = 1
        elif b.kind == "heading":
            if _starts_with_bullet(b.lines[0], vocab):
                b.depth = 4
            else:
                rank = styles.index((not b.lines[0].band, -round(b.lines[0].size * 2) / 2))
                b.depth = 2 if rank == 0 else 3


def block_markdown(block: Block) -> str | None:
    if block.kind in ("title", "heading"):
        return "#" * block.depth + " " + render(block.tokens, emphasis=False)
    if block.kind == "table":
        return "\t".join(render(c) for c in block.cells)
    if block.kind == "para":
        return render(block.tokens) or None
    return None


# ---------------------------------------------------------------------------
# Rating marks
# ---------------------------------------------------------------------------
def rating_marks(blocks: list[Block], vocab: Vocabulary) -> tuple[RatingMark, ...]:
    """A mark per scale whose heading names a dimension and whose chosen label names a level."""
    if vocab.headings is None or vocab.ratings is None:
        return ()
    dimension_of = {key: dim for dim, key in vocab.ratings.dimensions}
    out: dict[str, RatingMark] = {}
    heading = None
    for b in blocks:
        if b.kind in ("heading", "title"):
            heading = render(b.tokens, emphasis=False)
        if b.kind != "scale" or b.scale.chosen is None or heading is None:
            continue
        rule = vocab.headings.match(heading.lstrip(vocab.bullets + LONE_BULLETS + " ").strip())
        dimension = dimension_of.get(rule.key) if rule else None
        level = _level(b.scale.chosen, vocab)
        if dimension and level and dimension not in out:
            what = "filled box" if b.scale.method == "graphic" else "highlighted label"
            out[dimension] = RatingMark(dimension, level, b.scale.method,
                                        f"{what} '{b.scale.chosen}' on page {b.scale.page}", b.scale.page)
    return tuple(out.values())


def _level(label: str, vocab: Vocabulary) -> str | None:
    for level, patterns in vocab.ratings.labels.levels:
        if any(p.fullmatch(label.strip(), timeout=PATTERN_TIMEOUT) for p in patterns):
            return level
    return None


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PageParts:
    """A page split the way the reader sees it: body words (scales standing in), footnote rows."""

    body: list[Word]
    footnote_rows: list[list[Word]]
    furniture: list[Word]


def page_parts(pages: list[RawPage], size: float) -> list[PageParts]:
    """Each page without furniture, its scales as stand-in words, its footnote zone apart."""
    drop = furniture(pages)
    out = []
    for page in pages:
        words = [w for i, w in enumerate(page.words) if (page.number, i) not in drop]
        words, scales = drawn_scales(page, words, size)
        zone = footnote_rows(words + scales, size, page.width)
        zone_ids = {id(w) for row in zone for w in row}
        out.append(PageParts(
            [w for w in words + scales if id(w) not in zone_ids], zone,
            [w for i, w in enumerate(page.words) if (page.number, i) in drop],
        ))
    return out


def _assemble(pages: list[RawPage], vocab: Vocabulary) -> PdfText:
    body = body_style(pages)
    first_sizes = [w.size for w in pages[0].words]
    title_size = max(first_sizes) if first_sizes and max(first_sizes) >= 1.4 * body.size else None
    parts = page_parts(pages, body.size)
    gutter = document_gutter(pages, [p.body for p in parts], body.size)
    per_page: list[tuple[list[Block], list[tuple[int, list[Token]]]]] = []
    for page, part in zip(pages, parts):
        lines = reading_order(page, part.body, body.size, gutter)
        blocks = page_blocks(lines, body, title_size if page.number == 1 else None, vocab)
        per_page.append((blocks, footnotes(part.footnote_rows, vocab)))
    _join_across_pages(per_page, vocab)
    every = [b for blocks, _ in per_page for b in blocks]
    heading_depths(every, body.size, vocab)
    return PdfText(_page_texts(per_page), len(pages), rating_marks(every, vocab))


def document_gutter(pages: list[RawPage], bodies: list[list[Word]], size: float) -> float | None:
    """The gutter of the document's body pages taken together (same page width only)."""
    widths = {round(p.width) for p in pages}
    if len(widths) != 1:
        return None
    rows = []
    for page, words in zip(pages, bodies):
        inside = bands(page)
        rows += [r for r in group_rows(words) if not any(
            b[0] <= w.x0 and w.x1 <= b[2] + 1 and b[1] <= w.cy <= b[3] for w in r for b in inside
        ) and max(w.size for w in r) < 1.4 * size]
    return find_gutter(rows, pages[0].width) if rows else None


def _join_across_pages(per_page, vocab: Vocabulary) -> None:
    """Mark a page's first paragraph that carries on the last one of the page before."""
    for (prev_blocks, _), (blocks, _) in pairwise(per_page):
        if not prev_blocks or not blocks:
            continue
        prev, first = prev_blocks[-1], blocks[0]
        if prev.kind == first.kind == "para" and continues(prev, prev.lines[-1], first.lines[0], None, vocab):
            first.continues = True
            if LINE_END_HYPHEN.search(_letters(prev.tokens[-1:])) and first.tokens:
                # the broken word goes whole to the page where it starts
                prev.tokens = join_lines(prev.tokens, first.tokens[:1], vocab.keep_hyphen_prefixes, vocab.hyphens)
                first.tokens = first.tokens[1:]


def _page_texts(per_page) -> str:
    """Pages joined by form feeds; a paragraph running on is not split by a blank line."""
    out: list[str] = []
    for n, (blocks, notes) in enumerate(per_page):
        parts: list[str] = []
        previous = None
        for b in blocks:
            if (t := block_markdown(b)) is None:
                continue
            if previous is not None and previous.kind == b.kind == "table":
                parts[-1] += "\n" + t  # table rows stay one block, as in a text export
            else:
                parts.append(t)
            previous = b
        parts += [f"{number}. {render(tokens)}" for number, tokens in notes]
        text = "\n\n".join(parts)
        if n:
            runs_on = blocks and blocks[0].continues and not per_page[n - 1][1]
            out.append("\n\f" if runs_on else "\n\n\f")
        out.append(text)
    return "".join(out) + "\n"


# ---------------------------------------------------------------------------
# Seeing what the reader saw
# ---------------------------------------------------------------------------
def layout_overlay(path: Path, page_number: int, resolution: int = 100):
    """A picture of one page as the reader split it (a pdfplumber PageImage; ``.save(png)``).

    Blue: body words; grey: furniture; purple: footnote zone; orange: bands;
    green: ruled-table cells; red: rating scales; a red line: the column gutter.
    """
    _check_file(Path(path))
    with pdfplumber.open(path) as pdf:
        pages = [_raw_page(p, i + 1) for i, p in enumerate(pdf.pages)]
        size = body_style(pages).size
        parts = page_parts(pages, size)
        page, part = pages[page_number - 1], parts[page_number - 1]
        image = pdf.pages[page_number - 1].to_image(resolution=resolution)

    def boxes(words):
        return [(w.x0, w.top, w.x1, w.bottom) for w in words]

    image.draw_rects(boxes(w for w in part.body if not w.scale), stroke=(40, 90, 230), fill=None, stroke_width=1)
    image.draw_rects(boxes(part.furniture), stroke=(150, 150, 150), fill=(150, 150, 150, 60), stroke_width=1)
    image.draw_rects(boxes(w for row in part.footnote_rows for w in row), stroke=(140, 40, 160), fill=None, stroke_width=1)
    image.draw_rects(bands(page), stroke=(240, 140, 0), fill=None, stroke_width=2)
    image.draw_rects([c for t in page.tables for row in t for c in row if c], stroke=(0, 160, 60), fill=None, stroke_width=1)
    image.draw_rects(boxes(w for w in part.body if w.scale), stroke=(220, 0, 0), fill=None, stroke_width=2)
    gutter = page_gutter(group_rows([w for w in part.body if not w.scale]), page.width,
                         document_gutter(pages, [p.body for p in parts], size))
    if gutter is not None:
        image.draw_vline(gutter, stroke=(220, 0, 0), stroke_width=1)
    return image

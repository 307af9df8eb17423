"""The PDFium page backend (pypdfium2): the only module that touches PDFium objects.

Why: pdfminer spends most of a profile's time parsing characters in Python; PDFium
(C++) reads the same page in a few milliseconds. This module asks PDFium, through
``pypdfium2.raw`` where the helpers stop, for what pdfplumber would give: per
character its box (pdfminer's: the advance box from the baseline's descent up one
font size), text, font name, size and fill colour, and upright or not; per drawn
path its points, fill, stroke and colours, classed as pdfminer classes them (a
two-point path is a line, a closed axis-aligned four-point path a rect, anything
else a curve whose points are the segment ends). ``backend`` does the rest.
"""
from __future__ import annotations

import ctypes
import re
from itertools import repeat
from pathlib import Path

import pypdfium2 as pdfium
import numpy as np
from cffi import FFI
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS  # the standard 14 fonts' metrics, as the reference reads them

from ..errors import EncryptedPdf, InputTooLarge, UnreadablePdf
from .backend import SUBSET_PREFIX, PageObjects
from .words import CharColumns

TEXT_OBJECT, PATH_OBJECT, FORM_OBJECT = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
MOVETO, BEZIERTO = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD: "a password is required",
                   pdfium_c.FPDF_ERR_SECURITY: "unsupported encryption"}
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


_ffi = FFI()


def _by_address(signature: str, function):
    """A PDFium function pypdfium2 loaded, called through cffi: a call costs about a third of
    what it costs through ctypes, and the per-character calls are most of this module's time.
    Objects come back as addresses (plain ints), keys for the per-object caches."""
    return _ffi.cast(signature, ctypes.cast(function, ctypes.c_void_p).value)


_text_object = _by_address("uintptr_t(*)(void*, int)", pdfium_c.FPDFText_GetTextObject)
_char_origin = _by_address("int(*)(void*, int, double*, double*)", pdfium_c.FPDFText_GetCharOrigin)
_is_generated = _by_address("int(*)(void*, int)", pdfium_c.FPDFText_IsGenerated)
_unicode_map_error = _by_address("int(*)(void*, int)", pdfium_c.FPDFText_HasUnicodeMapError)
_object_font = _by_address("uintptr_t(*)(uintptr_t)", pdfium_c.FPDFTextObj_GetFont)
_char_matrix = _by_address("int(*)(void*, int, float*)", pdfium_c.FPDFText_GetMatrix)  # FS_MATRIX: six floats
_font_size = _by_address("double(*)(void*, int)", pdfium_c.FPDFText_GetFontSize)
_fill_colour = _by_address("int(*)(void*, int, unsigned int*, unsigned int*, unsigned int*, unsigned int*)",
                           pdfium_c.FPDFText_GetFillColor)
_count_page_objects = _by_address("int(*)(void*)", pdfium_c.FPDFPage_CountObjects)
_page_object = _by_address("uintptr_t(*)(void*, int)", pdfium_c.FPDFPage_GetObject)
_count_form_objects = _by_address("int(*)(uintptr_t)", pdfium_c.FPDFFormObj_CountObjects)
_form_object = _by_address("uintptr_t(*)(uintptr_t, unsigned long)", pdfium_c.FPDFFormObj_GetObject)
_object_type = _by_address("int(*)(uintptr_t)", pdfium_c.FPDFPageObj_GetType)
LINE_END_HYPHEN = 0x2D  # PDFium reports a hyphen that ends a line as U+0002 or U+FFFE; its glyph is the hyphen's
LINE_END_HYPHEN_CODES = ("\x02", "\ufffe")
INFERRED_BREAK = re.compile("[ \r\n]")  # what PDFium may add itself between words and lines
SURROGATE = re.compile("[\ud800-\udfff]")
CID_CODE = 0x110000  # past Unicode: the code of '(cid:0)', a glyph its font maps to no text


def page_objects(path: Path, max_pages: int) -> list[PageObjects]:
    """Every page's characters and drawn paths, read by PDFium."""
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in PASSWORD_ERRORS:
            raise EncryptedPdf(PASSWORD_ERRORS[code]) from None
        raise UnreadablePdf(f"PDFium: {exc}") from None
    try:
        count = len(doc)
        if count > max_pages:
            raise InputTooLarge(f"{count} pages (limit {max_pages})")
        return [_page_objects(doc, i) for i in range(count)]
    finally:
        doc.close()


def _page_objects(doc, index: int) -> PageObjects:
    page = doc[index]
    try:
        left, bottom, right, top = page.get_bbox()  # the MediaBox, inherited or not, clipped to the CropBox
        rotation = page.get_rotation()
        width, height = (top - bottom, right - left) if rotation in (90, 270) else (right - left, top - bottom)
        text_order, paths = _text_order_and_paths(page.raw)
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage, top, text_order)
        finally:
            textpage.close()
        rects, lines, curves = [], [], []
        for obj, matrix in paths:
            _classify(_path(obj, _times(_matrix(obj), matrix), top), rects, lines, curves)
        return PageObjects(index + 1, float(width), float(height), int(rotation), chars, rects, lines, curves)
    finally:
        page.close()


# ---------------------------------------------------------------------------
# Characters
# ---------------------------------------------------------------------------
class _TextStyle:
    """How one text object prints its characters: font name, size, fill colour, upright or
    not, the descent below the baseline and each glyph's advance (``advances``: text -> width
    on the page). Text objects alike in font, matrix, size and colour share one."""

    __slots__ = ("font", "fontname", "font_size", "size", "hscale", "descent", "advances", "colour", "upright")

    def __init__(self, font: tuple, matrix: tuple, font_size: float, rgb: tuple):
        self.font, self.fontname, descent = font
        a, b, c, d = matrix
        self.upright = a * d > 0 and b * c <= 0
        self.hscale, vscale = (abs(a), abs(d)) if self.upright else (abs(b) or 1.0, abs(c) or 1.0)
        self.font_size = font_size
        self.size = round(font_size * vscale, 2)  # as words.CHAR_FIELDS wants sizes
        self.descent = descent * self.size
        self.colour = tuple(round(v / 255, 2) for v in rgb)  # as model.colour gives it
        self.advances: dict[str, float] = {}


class _Styles:
    """Text object -> (its style, its place in the content stream), asked of PDFium once per object."""

    def __init__(self, textpage, order: dict[int, int]):
        self.textpage = textpage
        self.handle = _ffi.cast("void*", ctypes.cast(textpage, ctypes.c_void_p).value)
        self.order = order
        self.by_object: dict[int, tuple[_TextStyle, int]] = {}
        self.alike: dict[tuple, _TextStyle] = {}
        self.fonts: dict[int, tuple] = {}
        self.matrix = _ffi.new("float[6]")
        self.rgba = _ffi.new("unsigned int[4]")
        self.channels = [self.rgba + k for k in range(4)]

    def of(self, key: int, i: int) -> tuple[_TextStyle, int]:
        """The style of text object ``key``, asked through its character ``i``."""
        found = self.by_object.get(key)
        if found is not None:
            return found
        font_key = _object_font(key)
        font = self.fonts.get(font_key)
        if font is None:
            font = self.fonts[font_key] = self._font(font_key, i)
        matrix = _ffi.unpack(self.matrix, 4) if _char_matrix(self.handle, i, self.matrix) else [0.0, 0.0, 0.0, 0.0]
        rgb = _ffi.unpack(self.rgba, 3) if _fill_colour(self.handle, i, *self.channels) else [0, 0, 0]
        signature = (font_key, *matrix, _font_size(self.handle, i), *rgb)
        style = self.alike.get(signature)
        if style is None:
            style = self.alike[signature] = _TextStyle(font, signature[1:5], signature[5], signature[6:])
        found = self.by_object[key] = (style, self.order.get(key, len(self.order)))
        return found

    def _font(self, font_key: int, i: int) -> tuple:
        """(font handle, name, descent per unit of size), once per font."""
        buf = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        n = pdfium_c.FPDFText_GetFontInfo(self.textpage, i, buf, 256, flags)
        name = buf.raw[: max(0, n - 1)].decode("utf-8", "replace") if n else ""
        font = ctypes.cast(ctypes.c_void_p(font_key), pdfium_c.FPDF_FONT)
        return font, name, _descent(font, name)


def _descent(font, fontname: str) -> float:
    """The font's descent per unit of size, as pdfminer takes it: the standard metrics
    for a standard font name (embedded or not), else the font's own descriptor."""
    name = SUBSET_PREFIX.sub("", fontname)
    if name in FONT_METRICS:
        return (FONT_METRICS[name][0].get("Descent") or 0.0) / 1000
    value = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), value):
        return 0.0
    return value.value / 1000


def _chars(textpage, page_top: float, order: dict[int, int]) -> CharColumns:
    """The page's characters, in content-stream order, as columns (``words.CharColumns``).

    The box is pdfminer's: from the origin, one advance wide; from the baseline's
    descent, one font size high. A glyph PDFium reports as several characters at
    one origin (a ligature whose text is 'ff') is one character, as in pdfminer.
    Characters PDFium adds itself (spaces and line breaks it infers) are left out,
    and the rest are put in content-stream order (``order``: text object -> index).

    PDFium is asked per character its text object, origin and whether its font maps
    it to text (``_per_char``), the text of the page in one call, font, size and colour
    once per text object (``_Styles``), a glyph's advance once per style and text. The
    rest is done over arrays: a page has thousands of characters, a few hundred objects.
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return CharColumns(np.empty((5, 0)), [], np.empty(0, dtype=np.int64), [])
    handle = _ffi.cast("void*", ctypes.cast(raw, ctypes.c_void_p).value)
    text = _page_text(raw, count)
    keys, unmapped, xs, ys = _per_char(handle, count)
    inferred = np.zeros(count, dtype=bool)
    inferred[[m.start() for m in INFERRED_BREAK.finditer(text) if _is_generated(handle, m.start())]] = True
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    texts = list(text)
    for i in np.flatnonzero(unmapped == 1).tolist():
        texts[i], codes[i] = "(cid:0)", CID_CODE
    # a character at the origin of the one before, in the same text object: the same glyph
    joined = np.zeros(count, dtype=bool)
    joined[1:] = (keys[1:] == keys[:-1]) & (xs[1:] == xs[:-1]) & (ys[1:] == ys[:-1]) & ~inferred[1:] & ~inferred[:-1]
    glyphs = texts
    if joined.any():
        glyphs = list(texts)
        for i in reversed(np.flatnonzero(joined).tolist()):
            glyphs[i - 1] += glyphs[i]
    kept = np.flatnonzero(~(inferred | joined))
    objects, first, of_char = np.unique(keys[kept], return_index=True, return_inverse=True)
    styles = _Styles(raw, order)
    found = [styles.of(key, i) for key, i in zip(objects.tolist(), kept[first].tolist())]
    style_objects = list(dict.fromkeys(style for style, _ in found))
    style_index = {id(style): n for n, style in enumerate(style_objects)}
    style = np.array([style_index[id(style)] for style, _ in found], dtype=np.int64)[of_char]
    advance = _advances(raw, style_objects, style, codes[kept], [texts[i] for i in kept.tolist()], kept)
    descent, size = (np.array([getattr(s, k) for s in style_objects], dtype=float)[style] for k in ("descent", "size"))
    x0 = xs[kept]
    x1 = x0 + advance
    bottom = page_top - (ys[kept] + descent)
    top = bottom - size
    glyphs = [glyphs[i] for i in kept.tolist()]
    for n in [n for n, glyph in enumerate(glyphs) if len(glyph) > 1] if joined.any() or CID_CODE in codes else []:
        if n + 1 < len(glyphs) and top[n + 1] == top[n] and x0[n + 1] > x0[n]:
            x1[n] = x0[n + 1]  # a ligature's advance is its glyph's, not its first letter's
    boxes = np.vstack([x0, x1, top, bottom, size])
    places = np.array([place for _, place in found], dtype=np.int64)[of_char]
    if (places[1:] < places[:-1]).any():  # stable, as pdfminer's order is the stream's
        stream = np.argsort(places, kind="stable")
        boxes, style, glyphs = boxes[:, stream], style[stream], [glyphs[i] for i in stream.tolist()]
    distinct: dict[tuple, int] = {}  # styles alike to the word grouper (words._run_key) are one
    alike = [distinct.setdefault((s.upright, s.fontname, s.size, s.colour), len(distinct)) for s in style_objects]
    return CharColumns(boxes, glyphs, np.array(alike, dtype=np.int64)[style], list(distinct))


def _advances(textpage, style_objects: list, style: np.ndarray, codes: np.ndarray, texts: list[str], index: np.ndarray) -> np.ndarray:
    """Each character's advance on the page: per style and text, asked through the first
    character that has them (``index``: the page's character index)."""
    pairs, first, of_char = np.unique(style * (CID_CODE + 1) + codes, return_index=True, return_inverse=True)
    values = []
    for n, i in zip((pairs // (CID_CODE + 1)).tolist(), first.tolist()):
        s, text = style_objects[n], texts[i]
        value = s.advances.get(text)
        if value is None:
            value = s.advances[text] = _advance(textpage, int(index[i]), s, text) * s.hscale
        values.append(value)
    return np.array(values, dtype=float)[of_char]


class _OriginSlots:
    """Where PDFium writes characters' origins, a chunk at a time: one buffer, and a pointer
    to each slot made once (a pointer made per call would cost as much as the call; made
    per character of a page, as much memory as the page's characters)."""

    CHUNK = 4096

    def __init__(self):
        self.buffer = _ffi.new("double[]", 2 * self.CHUNK)
        self.xs = [self.buffer + 2 * i for i in range(self.CHUNK)]
        self.ys = [self.buffer + 2 * i + 1 for i in range(self.CHUNK)]

    def origins(self, handle, count: int) -> tuple[np.ndarray, np.ndarray]:
        both = np.empty(2 * count, dtype=np.float64)
        for start in range(0, count, self.CHUNK):
            n = min(self.CHUNK, count - start)
            for _ in map(_char_origin, repeat(handle, n), range(start, start + n), self.xs, self.ys):
                pass
            both[2 * start: 2 * (start + n)] = np.frombuffer(_ffi.buffer(self.buffer, 16 * n), dtype=np.float64)
        return both[0::2].copy(), both[1::2].copy()


_slots = _OriginSlots()


def _per_char(handle, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per character: its text object, whether its font maps it to no text, its origin (x, y)."""
    keys = np.fromiter(map(_text_object, repeat(handle, count), range(count)), dtype=np.uint64, count=count)
    unmapped = np.fromiter(map(_unicode_map_error, repeat(handle, count), range(count)), dtype=np.int64, count=count)
    return (keys, unmapped, *_slots.origins(handle, count))


def _page_text(textpage, count: int) -> str:
    """The text of every character index, one character each: in one call, or, when that
    does not line up one code unit per character (a character beyond the BMP), per character."""
    buf = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buf)
    text = bytes(buf)[: 2 * max(0, written - 1)].decode("utf-16-le", "surrogatepass")
    if len(text) == count and not SURROGATE.search(text):
        return text
    return "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))


def _advance(textpage, i: int, style: _TextStyle, text: str) -> float:
    """How far the glyph moves the pen at scale 1: its width in the font, else PDFium's loose box."""
    width = ctypes.c_float()
    glyph = LINE_END_HYPHEN if text in LINE_END_HYPHEN_CODES else ord(text[0]) if len(text) == 1 else 0
    if glyph and pdfium_c.FPDFFont_GetGlyphWidth(style.font, glyph, ctypes.c_float(style.font_size), width) and width.value > 0:
        return width.value
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)
    return (rect.right - rect.left) / (style.hscale or 1.0)


def _text_order_and_paths(page_raw) -> tuple[dict[int, int], list[tuple]]:
    """Text object address -> its place in the content stream, and the path objects with
    their matrices to page space, in one walk over the page's objects (forms opened in place)."""
    order: dict[int, int] = {}
    paths = []
    texts = 0
    for obj, kind, matrix in _objects(_ffi.cast("void*", ctypes.cast(page_raw, ctypes.c_void_p).value)):
        if kind == TEXT_OBJECT:
            order[obj] = texts  # a form drawn twice: its last place
            texts += 1
        elif kind == PATH_OBJECT:
            paths.append((_as_object(obj), matrix))
    return order, paths


def _objects(page, matrix=IDENTITY, container: int | None = None):
    """(object address, type, matrix to page space) for every page object in content order,
    forms opened in place. Through cffi: a page holds hundreds of objects."""
    if container is None:
        objects = map(_page_object, repeat(page), range(_count_page_objects(page)))
    else:
        objects = map(_form_object, repeat(container), range(_count_form_objects(container)))
    for obj in objects:
        kind = _object_type(obj)
        if kind == FORM_OBJECT:
            yield from _objects(page, _times(_matrix(_as_object(obj)), matrix), obj)
        else:
            yield obj, kind, matrix


def _as_object(address: int):
    """A page object's address as the handle pypdfium2's functions take."""
    return ctypes.cast(ctypes.c_void_p(address), pdfium_c.FPDF_PAGEOBJECT)


# ---------------------------------------------------------------------------
# Drawn paths
# ---------------------------------------------------------------------------
def _matrix(obj) -> tuple:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _times(inner: tuple, outer: tuple) -> tuple:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _colour(getter, obj) -> tuple:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return (0.0, 0.0, 0.0)
    return (r.value / 255, g.value / 255, b.value / 255)


def _path(obj, matrix: tuple, page_top: float) -> dict:
    """One path object: its subpaths as (operators, points in page space, top-down) and paint."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[str, list]] = []
    bezier = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (a * x.value + c * y.value + e, page_top - (b * x.value + d * y.value + f))
        if kind == MOVETO or not subpaths:
            subpaths.append(("m", [point]))
            bezier = 0
        elif kind == BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # the end point; the two before are control points
                subpaths[-1] = (subpaths[-1][0] + "c", subpaths[-1][1] + [point])
        else:
            subpaths[-1] = (subpaths[-1][0] + "l", subpaths[-1][1] + [point])
        if pdfium_c.FPDFPathSegment_GetClose(seg) and subpaths[-1][1][-1] != subpaths[-1][1][0]:
            subpaths[-1] = (subpaths[-1][0] + "h", subpaths[-1][1] + [subpaths[-1][1][0]])
    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj, fillmode, stroke)
    width = ctypes.c_float()
    pdfium_c.FPDFPageObj_GetStrokeWidth(obj, width)
    return {
        "subpaths": subpaths, "fill": fillmode.value != 0, "stroke": bool(stroke.value), "linewidth": width.value,
        "non_stroking_color": _colour(pdfium_c.FPDFPageObj_GetFillColor, obj),
        "stroking_color": _colour(pdfium_c.FPDFPageObj_GetStrokeColor, obj),
    }


def _classify(path: dict, rects: list, lines: list, curves: list) -> None:
    """Each subpath as pdfminer classes it: line, rect or curve (pdfplumber's dicts)."""
    paint = {k: path[k] for k in ("fill", "stroke", "linewidth", "non_stroking_color", "stroking_color")}
    for ops, pts in path["subpaths"]:
        if len(pts) < 2:
            continue
        box = _box(pts)
        if ops in ("ml", "mlh"):
            lines.append({"object_type": "line", **box, "pts": pts[:2], **paint})
        elif ops in ("mlllh", "mllll") and _axis_rect(pts):
            rects.append({"object_type": "rect", **box, "pts": pts, **paint})
        else:
            curves.append({"object_type": "curve", **box, "pts": pts, **paint})


def _axis_rect(pts: list) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts[:5]
    closed = last == pts[0]
    return closed and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))


def _box(pts: list) -> dict:
    xs = [p[0] for p in pts]
    tops = [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(tops), max(tops)
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
            "width": x1 - x0, "height": bottom - top, "y0": -bottom, "y1": -top}

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
from pathlib import Path

import pypdfium2 as pdfium
from cffi import FFI
import pypdfium2.raw as pdfium_c
from pdfminer.fontmetrics import FONT_METRICS  # the standard 14 fonts' metrics, as the reference reads them

from ..errors import EncryptedPdf, InputTooLarge, UnreadablePdf
from .backend import SUBSET_PREFIX, PageObjects
from .words import TEXT, TOP, X0

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
LINE_END_HYPHEN = 0x2D  # PDFium reports a hyphen that ends a line as U+0002 or U+FFFE; its glyph is the hyphen's
LINE_END_HYPHEN_CODES = ("\x02", "\ufffe")


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

    def of(self, key: int, i: int) -> tuple[_TextStyle, int]:
        """The style of text object ``key``, asked through its character ``i``."""
        found = self.by_object.get(key)
        if found is not None:
            return found
        font_key = _object_font(key)
        font = self.fonts.get(font_key)
        if font is None:
            font = self.fonts[font_key] = self._font(font_key, i)
        m, rgba = self.matrix, self.rgba
        matrix = (m[0], m[1], m[2], m[3]) if _char_matrix(self.handle, i, m) else (0.0, 0.0, 0.0, 0.0)
        rgb = (rgba[0], rgba[1], rgba[2]) if _fill_colour(self.handle, i, rgba, rgba + 1, rgba + 2, rgba + 3) else (0, 0, 0)
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


def _chars(textpage, page_top: float, order: dict[int, int]) -> list[tuple]:
    """Characters as ``words.CHAR_FIELDS`` tuples, in content-stream order.

    The box is pdfminer's: from the origin, one advance wide; from the baseline's
    descent, one font size high. A glyph PDFium reports as several characters at
    one origin (a ligature whose text is 'ff') is one character, as in pdfminer.
    Characters PDFium adds itself (spaces and line breaks it infers) are left out,
    and the rest are put in content-stream order (``order``: text object -> index).
    Per character PDFium is asked its text object and origin (and whether its font
    maps it to text); the text of the page comes in one call, font, size and colour
    once per text object.
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    texts = _page_text(raw, count)
    if texts is None:
        texts = [chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count)]
    out: list[tuple] = []
    runs: list[tuple[int, int]] = []  # (where in ``out`` a text object's characters start, its place in the stream)
    styles = _Styles(raw, order)
    by_object, handle = styles.by_object, styles.handle
    origin = _ffi.new("double[2]")
    x_at, y_at = origin, origin + 1
    text_object, char_origin, is_generated, map_error = _text_object, _char_origin, _is_generated, _unicode_map_error
    prev_key = prev_x = prev_y = run_key = None
    for i in range(count):
        text = texts[i]
        if text in " \r\n" and is_generated(handle, i):
            prev_key = None
            continue
        if map_error(handle, i) == 1:
            text = "(cid:0)"
        key = text_object(handle, i)
        char_origin(handle, i, x_at, y_at)
        x, y = origin[0], origin[1]
        if key == prev_key and x == prev_x and y == prev_y:
            last = out[-1]
            out[-1] = last[:TEXT] + (last[TEXT] + text,) + last[TEXT + 1:]  # one glyph, several characters of text
            continue
        prev_key, prev_x, prev_y = key, x, y
        style, place = by_object.get(key) or styles.of(key, i)
        if key != run_key:
            runs.append((len(out), place))
            run_key = key
        advance = style.advances.get(text)
        if advance is None:
            advance = style.advances[text] = _advance(raw, i, style, text) * style.hscale
        bottom = page_top - (y + style.descent)
        out.append((x, x + advance, bottom - style.size, bottom, text,
                    style.fontname, style.size, style.colour, style.upright))
    for n in range(len(out) - 1):
        char, after = out[n], out[n + 1]
        if len(char[TEXT]) > 1 and after[TOP] == char[TOP] and after[X0] > char[X0]:
            out[n] = (char[X0], after[X0]) + char[TOP:]  # a ligature's advance is its glyph's, not its first letter's
    if any(a[1] > b[1] for a, b in zip(runs, runs[1:])):  # stable, as pdfminer's order is the stream's
        ends = [start for start, _ in runs[1:]] + [len(out)]
        out = [c for (start, _), end in sorted(zip(runs, ends), key=lambda r: r[0][1]) for c in out[start:end]]
    return out


def _page_text(textpage, count: int) -> str | None:
    """The text of every character index in one call; None when it does not line up one
    code unit per character (a character beyond the BMP), to be asked per character."""
    buf = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buf)
    text = bytes(buf)[: 2 * max(0, written - 1)].decode("utf-16-le", "surrogatepass")
    return text if len(text) == count and not any("\ud800" <= c <= "\udfff" for c in text) else None


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
    for obj, kind, matrix in _objects(page_raw):
        if kind == TEXT_OBJECT:
            order[ctypes.cast(obj, ctypes.c_void_p).value or 0] = texts  # a form drawn twice: its last place
            texts += 1
        elif kind == PATH_OBJECT:
            paths.append((obj, matrix))
    return order, paths


def _objects(page_raw, matrix=IDENTITY, container=None):
    """(object, type, matrix to page space) for every page object in content order, forms opened in place."""
    count = (pdfium_c.FPDFFormObj_CountObjects(container) if container is not None
             else pdfium_c.FPDFPage_CountObjects(page_raw))
    for i in range(count):
        obj = (pdfium_c.FPDFFormObj_GetObject(container, i) if container is not None
               else pdfium_c.FPDFPage_GetObject(page_raw, i))
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == FORM_OBJECT:
            yield from _objects(page_raw, _times(_matrix(obj), matrix), obj)
        else:
            yield obj, kind, matrix


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

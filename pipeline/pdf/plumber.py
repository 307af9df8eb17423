"""The pdfplumber page backend: the reference reader, the only module that touches
pdfplumber and pdfminer objects.

Why keep it beside PDFium: pdfplumber is pure Python and reads every corner of the
format the way the tests were written against; ``--backend pdfplumber`` checks the
faster backend, and the parity test holds the two to identical tables.
"""
from __future__ import annotations

import unicodedata
from functools import cached_property, lru_cache
from pathlib import Path

import pdfplumber
from pdfminer.layout import LTChar
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pdfplumber.page import ALL_ATTRS, Page, fix_fontname_bytes
from pdfplumber.utils import resolve_all, resolve_and_decode
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from ..errors import EncryptedPdf, InputTooLarge, UnreadablePdf
from .backend import PageObjects
from .model import colour


def page_objects(path: Path, max_pages: int) -> list[PageObjects]:
    """Every page's characters and drawn paths as pdfplumber makes them."""
    try:
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
            if count > max_pages:
                raise InputTooLarge(f"{count} pages (limit {max_pages})")
            out = []
            for i, page in enumerate(pdf.pages):
                lean = lean_page(page)
                out.append(PageObjects(i + 1, float(lean.width), float(lean.height), int(lean.rotation or 0),
                                       char_tuples(lean.chars), lean.rects, lean.lines, lean.curves))
            return out
    except PdfminerException as exc:
        raise pdf_error(exc.args[0] if exc.args else exc) from None
    except (PSException, PDFException, MalformedPDFException) as exc:
        raise pdf_error(exc) from None


def char_tuples(chars: list[dict]) -> list[tuple]:
    """pdfplumber's character dicts as the backends' tuples (``words.CHAR_FIELDS``), made comparable
    with PDFium's: a size to a hundredth of a point (pdfminer derives it from the text matrix and
    may print 10 as 10.000000000000057 on one line and not the next), a colour as RGB."""
    colours: dict = {}
    out = []
    for c in chars:
        ncs = c.get("non_stroking_color")
        key = ncs if ncs.__class__ is tuple else (ncs,)
        rgb = colours.get(key)
        if rgb is None:
            rgb = colours[key] = colour(ncs)
        out.append((c["x0"], c["x1"], c["top"], c["bottom"], c["text"], c["fontname"], round(c["size"], 2), rgb, c["upright"]))
    return out


def pdf_error(exc: BaseException):
    if isinstance(exc, PDFPasswordIncorrect):
        return EncryptedPdf("a password is required")
    if isinstance(exc, PDFEncryptionError):
        return EncryptedPdf(str(exc) or "unsupported encryption")
    return UnreadablePdf(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


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




def page_image(path: Path, page_number: int, resolution: int = 100):
    """Page ``page_number`` rendered as a pdfplumber PageImage (draw on it, then ``.save(png)``)."""
    with pdfplumber.open(path) as pdf:
        return pdf.pages[page_number - 1].to_image(resolution=resolution)

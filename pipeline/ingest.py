"""Ingest: bytes on disk -> SourceDocument. The only stage besides write that reads files.

Text inputs are decoded by what their bytes say (BOM, NUL pattern, UTF-8 validity)
rather than by guessing from the platform; PDFs go through pipeline.pdf.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputTooLarge, ProfileError, UnreadableInput, UnreadablePdf, display_path

TEXT_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES) | PDF_SUFFIXES
# spaCy refuses a text over 1,000,000 characters (nlp.max_length); a profile holds about
# 100,000. Longer text is refused whole, with its own message, whatever --max-bytes allows.
MAX_TEXT_CHARS = 1_000_000
# Modules whose exceptions, when raised inside them, say the PDF is malformed, not that we erred.
PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "PIL")


@dataclass(frozen=True)
class InputLimits:
    """Bounds that keep one odd input from eating a worker."""

    max_bytes: int = 50_000_000
    max_pages: int = 60
    max_seconds: float = 120.0  # wall clock for one input, from reading to its tables

    def __post_init__(self):
        if self.max_bytes < 1 or self.max_pages < 1 or self.max_seconds <= 0:
            raise ValueError("input limits must be positive")


def source_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    return TEXT_SUFFIXES.get(suffix)


def decode_text(data: bytes) -> str:
    """Decode a text export: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), else Latin-1/cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:  # odd length, a lone surrogate
            raise UnreadableInput(f"not valid UTF-16 ({exc.reason} at byte {exc.start})") from None
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        even_nuls = data[0::2].count(0)
        odd_nuls = data[1::2].count(0)
        return data.decode("utf-16-be" if even_nuls > odd_nuls else "utf-16-le", errors="replace")
    if b"\x00" in data:
        raise UnreadableInput("binary data in a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def read_source(path: Path, root: Path, limits: InputLimits = InputLimits(), rules=None):
    """Read one input file into a SourceDocument (pdf, markdown or text).

    ``rules`` (pipeline.rules.Rules) tells the PDF reader which words keep their
    line-end hyphen, what bullets open headings and how rating labels read.
    """
    from .document import SourceDocument

    fmt = source_format(path)
    if fmt is None:
        raise UnreadableInput(f"unsupported file type '{path.suffix}'")
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputTooLarge(f"{size} bytes (limit {limits.max_bytes})")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(exc.strerror or str(exc)) from None
    if not data.strip():
        raise UnreadableInput("empty file")
    rel = display_path(path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name)
    sha = hashlib.sha256(data).hexdigest()
    if fmt == "pdf":
        pdf = _read_pdf(path, limits, rules)
        return SourceDocument(rel, sha, "pdf", _within_text_limit(pdf.text), pdf.pages, tuple(pdf.rating_marks),
                              tuple(pdf.warnings), pdf.blocks)
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    return SourceDocument(rel, sha, fmt, _within_text_limit(text))


def _within_text_limit(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise InputTooLarge(f"{len(text)} characters of text (limit {MAX_TEXT_CHARS}, a profile holds about 100,000)")
    return text


def _read_pdf(path: Path, limits: InputLimits, rules):
    """The PDF reader, with what a malformed file makes the libraries raise turned into E101.

    An exception raised inside pdfminer or pdfplumber (a page-tree cycle's TypeError,
    a RecursionError on deep nesting, a ValueError on a 5,000-digit integer) is a
    property of the file; one raised in our own code stays a bug (E999).
    """
    from .pdf import read_pdf

    _refuse_long_page_tree(path, limits.max_pages)
    try:
        return read_pdf(
            path,
            max_pages=limits.max_pages,
            keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes if rules else frozenset(),
            headings=rules.headings if rules else None,
            ratings=rules.ratings if rules else None,
        )
    except (ProfileError, MemoryError):
        raise
    except Exception as exc:
        where = raised_in(exc)
        if where.startswith(PDF_LIBRARIES):
            raise UnreadablePdf(f"malformed structure ({type(exc).__name__} in {where})") from None
        raise


def raised_in(exc: BaseException) -> str:
    """The module of the innermost Python frame an exception passed through."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals.get("__name__", "") if tb is not None else ""


def _refuse_long_page_tree(path: Path, max_pages: int) -> None:
    """Refuse a PDF whose page tree declares more than ``max_pages`` pages, before any page is built.

    Reading /Count costs the cross-reference table only; a 200,000-page tree is not
    walked. A file this cannot read goes on to the reader, which says what is wrong.
    """
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        with open(path, "rb") as fh:
            pages = resolve1(PDFDocument(PDFParser(fh)).catalog.get("Pages"))
            count = resolve1(pages.get("Count")) if isinstance(pages, dict) else None
    except Exception:  # noqa: BLE001 - the reader proper reports what is wrong with the file
        return
    if isinstance(count, int) and count > max_pages:
        raise InputTooLarge(f"{count} pages (limit {max_pages})")

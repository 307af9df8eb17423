"""Read a profile PDF into the typed blocks of the shared document model.

Why typed blocks: the layout already says what each piece is, so the reader says it
too, and no later stage guesses it again from markup. A ``PdfDocument`` holds, in
reading order, headings (number, level), paragraphs and list items (footnote markers
and bold/italic as offsets), indicator-table rows (cells), each page's footnotes
(number, page) and the page furniture (running heads, page numbers, kickers: kept
aside). The layout is undone on the way: columns are read in order, words broken at a
line end mended, paragraphs that run across a column or page marked as carried on.
Rating scales drawn as shapes (the one drawn differently chosen), or printed as a row
of words with one highlighted, become ``RatingMark``s with their evidence; their
labels leave the text.

Modules, in the order a page goes through them: ``pdfium`` or ``plumber`` (the
only ones that touch a PDF library) -> ``backend`` (words, grouped by ``words``,
shapes, ruled tables, shared by both) -> ``furniture`` -> ``scales`` -> ``footzone`` ->
``columns`` -> ``tokens`` and ``tables`` -> ``blocks`` -> ``reader`` (the entry,
``read_pdf``, and the typed blocks). ``model`` holds the data they pass along;
``markdown`` a view of the blocks for people and tests.
"""
from .plumber import lean_page
from .model import Token
from .reader import PdfDocument, read_pdf
from .tokens import join_lines, token_text
from .blocks import ends_open

__all__ = ["PdfDocument", "Token", "ends_open", "join_lines", "lean_page", "read_pdf", "token_text"]

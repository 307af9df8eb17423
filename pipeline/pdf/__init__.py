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

Modules, in the order a page goes through them: ``pdfium`` or ``plumber`` (the
only ones that touch a PDF library) -> ``backend`` (words, grouped by ``words``,
shapes, ruled tables, shared by both) -> ``furniture`` -> ``scales`` -> ``footzone`` ->
``columns`` -> ``tokens`` and ``tables`` -> ``blocks`` -> ``reader`` (the entry,
``read_pdf``, and the assembly). ``model`` holds the data they pass along.
"""
from .plumber import lean_page
from .model import Token
from .reader import PdfText, read_pdf
from .tokens import join_lines, render
from .blocks import ends_open

__all__ = ["PdfText", "Token", "ends_open", "join_lines", "lean_page", "read_pdf", "render"]

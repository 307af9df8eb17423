"""The PDF reader's entry: read a profile PDF into the typed blocks of the document model.

Steps, each in its module: backend (words, shapes, ruled tables) -> furniture ->
scales -> footzone -> columns (reading order) -> blocks -> typed blocks (here).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from ..document import Block, RatingMark, Span
from ..errors import NoTextLayer, UnreadablePdf
from ..normalize import hyphen_evidence
from ..printed import broken_word, section_number
from .backend import read_pages
from .blocks import continues, heading_depths, is_item, letters, page_blocks
from .columns import document_gutter, reading_order
from .footzone import footnote_rows, footnotes
from .furniture import body_style, furniture
from .markdown import blocks_markdown
from .model import LayoutBlock, RawPage, Token, Vocabulary, Word, group_rows
from .scales import drawn_scales, rating_marks
from .tokens import join_lines, token_text


@dataclass(frozen=True)
class PdfDocument:
    """What the reader typed of one PDF: blocks in reading order, page count, rating marks.

    ``blocks`` are the document model's (``pipeline.document.Block``): headings with their
    number and level, paragraphs and list items with markers and emphasis as offsets,
    table rows, each page's footnotes with their number, and the page furniture kept
    aside. ``markdown`` is a view of them for people and tests; no stage reads it.
    """

    blocks: tuple[Block, ...]
    pages: int
    rating_marks: tuple[RatingMark, ...] = ()
    warnings: tuple[str, ...] = ()  # what the reader saw but could not read (a scale with no single choice)

    @property
    def text(self) -> str:
        """The plain text of every block but the furniture, a line each."""
        return "".join(f"{b.text}\n" for b in self.blocks if b.kind != "furniture")

    @property
    def markdown(self) -> str:
        return blocks_markdown(self.blocks)


def read_pdf(
    path: Path,
    max_pages: int = 60,
    *,
    keep_hyphen_prefixes: frozenset[str] = frozenset(),
    headings=None,
    ratings=None,
    backend: str | None = None,
) -> PdfDocument:
    """Read one profile PDF into typed blocks, page count and rating marks.

    ``keep_hyphen_prefixes`` (rules.normalize) decide which line-end hyphens are
    real; ``headings`` (rules.headings) give the bullet characters and let a scale
    find its dimension; ``ratings`` (rules.ratings) map a scale label to a level.
    Without ``headings`` and ``ratings`` no rating marks can be named and none
    are returned. ``backend`` (pdfium or pdfplumber; default: ``backend.chosen_backend``)
    is the library that reads the pages.
    """
    vocab = Vocabulary.of(keep_hyphen_prefixes, headings, ratings)
    raw_pages = read_pages(Path(path), max_pages, backend)
    count = len(raw_pages)
    words = sum(len(p.words) for p in raw_pages)
    unmapped = sum(p.unmapped for p in raw_pages)
    if unmapped and unmapped * 2 > words:
        raise UnreadablePdf(f"its fonts map glyphs to no text ({unmapped} words hold (cid:N) codes, {words} words kept)")
    if words == 0:
        raise NoTextLayer(f"no text on {count} page{'s' if count != 1 else ''}")
    vocab = replace(vocab, hyphens=hyphen_evidence((w.text for p in raw_pages for w in p.words), vocab.keep_hyphen_prefixes))
    return _assemble(raw_pages, vocab)


@dataclass(frozen=True)
class PageParts:
    """A page split the way the reader sees it: body words (scales standing in), footnote rows."""

    page: int
    body: list[Word]
    footnote_rows: list[list[Word]]
    furniture: list[Word]


def page_parts(pages: list[RawPage], size: float, vocab: Vocabulary = Vocabulary()) -> list[PageParts]:
    """Each page without furniture, its scales as stand-in words, its footnote zone apart."""
    drop = furniture(pages)
    out = []
    for page in pages:
        words = [w for i, w in enumerate(page.words) if (page.number, i) not in drop]
        words, scales = drawn_scales(page, words, size, vocab)
        zone = footnote_rows(words + scales, size, page.width)
        zone_ids = {id(w) for row in zone for w in row}
        out.append(PageParts(
            page.number, [w for w in words + scales if id(w) not in zone_ids], zone,
            [w for i, w in enumerate(page.words) if (page.number, i) in drop],
        ))
    return out


def _assemble(pages: list[RawPage], vocab: Vocabulary) -> PdfDocument:
    body = body_style(pages)
    first_sizes = [w.size for w in pages[0].words]
    title_size = max(first_sizes) if first_sizes and max(first_sizes) >= 1.4 * body.size else None
    parts = page_parts(pages, body.size, vocab)
    body_rows = [group_rows(p.body) for p in parts]
    gutter = document_gutter(pages, [p.body for p in parts], body.size, body_rows)
    per_page: list[tuple[list[LayoutBlock], list[tuple[int, list[Token]]]]] = []
    for page, part, rows in zip(pages, parts, body_rows):
        lines = reading_order(page, part.body, body.size, gutter, rows)
        blocks = page_blocks(lines, body, title_size if page.number == 1 else None, vocab)
        per_page.append((blocks, footnotes(part.footnote_rows, vocab)))
    _join_across_pages(per_page, vocab)
    _carry_table_columns(per_page)
    _drop_repeated_headers(per_page)
    every = [b for blocks, _ in per_page for b in blocks]
    heading_depths(every, body.size, vocab)
    marks, warnings = rating_marks(every, vocab)
    return PdfDocument(_typed_blocks(per_page, parts, vocab), len(pages), marks, warnings)


def _join_across_pages(per_page, vocab: Vocabulary) -> None:
    """Mark a page's first paragraph that carries on the last one of the page before."""
    for (prev_blocks, _), (blocks, _) in pairwise(per_page):
        if not prev_blocks or not blocks:
            continue
        prev, first = prev_blocks[-1], blocks[0]
        if prev.kind == first.kind == "para" and continues(prev, prev.lines[-1], first.lines[0], None, vocab):
            first.continues = True
            if broken_word(letters(prev.tokens[-1:])) and first.tokens:
                # the broken word goes whole to the page where it starts
                prev.tokens = join_lines(prev.tokens, first.tokens[:1], vocab.keep_hyphen_prefixes, vocab.hyphens)
                first.tokens = first.tokens[1:]


def _carry_table_columns(per_page) -> None:
    """A table that goes on at the top of the next page keeps the columns of its part
    before: a row alone there ('11.b.2 ...' and its value, the disaggregation empty)
    shows too few columns to place its cells by itself. Its cells go to the column
    whose left edge they start at; a row whose cells no such column takes stays as read."""
    for (prev_blocks, _), (blocks, _) in pairwise(per_page):
        if not prev_blocks or not blocks or prev_blocks[-1].kind != "table":
            continue
        edges = _column_edges([b for b in prev_blocks if b.kind == "table"][-1:])
        for b in blocks:
            if b.kind != "table":
                break
            if len(b.cells) < len(edges):
                _place_cells(b, edges)


def _column_edges(tables: list[LayoutBlock]) -> list[float]:
    """The left edge of each column of a table's rows (the first word of any cell in it)."""
    rows = [b.lines[0].cells for b in tables]
    width = max((len(r) for r in rows), default=0)
    return [min((r[k][0].x0 for r in rows if k < len(r) and r[k]), default=float("inf")) for k in range(width)]


def _place_cells(row: LayoutBlock, edges: list[float]) -> None:
    words = row.lines[0].cells
    columns = [max([k for k, x in enumerate(edges) if x <= cell[0].x0 + 6] or [0]) if cell else None for cell in words]
    taken = [c for c in columns if c is not None]
    if len(set(taken)) != len(taken) or taken != sorted(taken):
        return
    cells: list[list[Token]] = [[] for _ in edges]
    for column, tokens in zip(columns, row.cells):
        if column is not None:
            cells[column] = tokens
    row.cells = cells


def _drop_repeated_headers(per_page) -> None:
    """A table's header row printed again where the table breaks onto the next column or
    page is a repeat of the one already read, not a row: it is dropped."""
    seen: set[tuple[str, ...]] = set()
    for blocks, _ in per_page:
        kept = []
        for b in blocks:
            if b.kind == "table" and b.lines[0].band:
                header = tuple(token_text(c, emphasis=False).text for c in b.cells)
                if header in seen:
                    continue
                seen.add(header)
            kept.append(b)
        blocks[:] = kept


def _typed_blocks(per_page, parts: list[PageParts], vocab: Vocabulary) -> tuple[Block, ...]:
    """The document model's blocks, page by page: the page's text, then its footnotes, then
    its furniture (kept aside). Scales left the text as rating marks."""
    out: list[Block] = []
    for (blocks, notes), part in zip(per_page, parts):
        for b in blocks:
            if (typed := _typed(b, vocab)) is not None:
                out.append(typed)
        for number, tokens in notes:
            clean = token_text(tokens)
            out.append(Block("footnote", clean.text, part.page, clean.markers, clean.spans, str(number)))
        for row in group_rows(part.furniture):
            out.append(Block("furniture", " ".join(w.text for w in row), part.page))
    return tuple(out)


def _typed(b: LayoutBlock, vocab: Vocabulary) -> Block | None:
    if b.kind in ("title", "heading"):
        clean = token_text(b.tokens, emphasis=False)
        number = section_number(clean.text)[0] if b.kind == "heading" else None
        return Block(b.kind, clean.text, b.page, clean.markers, (), number, b.depth)
    if b.kind == "table":
        return _table_row(b)
    if b.kind == "para":
        clean = token_text(b.tokens)
        if not clean.text and not clean.markers:
            return None
        kind = "list_item" if is_item(b.tokens, vocab) else "paragraph"
        return Block(kind, clean.text, b.page, clean.markers, clean.spans, continues=b.continues)
    return None  # a scale: its rating mark is read apart


def _table_row(b: LayoutBlock) -> Block:
    """A row's cells joined by TABs (an empty cell stays, so columns keep their place)."""
    text, markers, spans, pos = [], [], [], 0
    for i, cell in enumerate(b.cells):
        clean = token_text(cell)
        if i:
            text.append("\t")
            pos += 1
        text.append(clean.text)
        markers += [replace(m, offset=m.offset + pos) for m in clean.markers]
        spans += [Span(sp.start + pos, sp.end + pos, sp.kind) for sp in clean.spans]
        pos += len(clean.text)
    return Block("table_row", "".join(text), b.page, tuple(markers), tuple(spans))

"""The PDF reader's entry: read a profile PDF into the markdown-like text the text path reads.

Steps, each in its module: backend (words, shapes, ruled tables) -> furniture ->
scales -> footzone -> columns (reading order) -> blocks -> markdown.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path

from ..document import RatingMark
from ..errors import NoTextLayer, UnreadablePdf
from ..normalize import hyphen_evidence
from .backend import read_pages
from .blocks import block_markdown, continues, heading_depths, letters, page_blocks
from .columns import bands, document_gutter, page_gutter, reading_order
from .footzone import footnote_rows, footnotes
from .furniture import body_style, furniture
from .model import LINE_END_HYPHEN, Block, RawPage, Token, Vocabulary, Word, group_rows
from .scales import drawn_scales, rating_marks
from .tokens import join_lines, render


@dataclass(frozen=True)
class PdfText:
    """What ingest needs from a PDF: markdown-like text, page count, rating marks."""

    text: str
    pages: int
    rating_marks: tuple[RatingMark, ...] = ()
    warnings: tuple[str, ...] = ()  # what the reader saw but could not read (a scale with no single choice)


def read_pdf(
    path: Path,
    max_pages: int = 60,
    *,
    keep_hyphen_prefixes: frozenset[str] = frozenset(),
    headings=None,
    ratings=None,
    backend: str | None = None,
) -> PdfText:
    """Read one profile PDF into markdown-like text, page count and rating marks.

    ``keep_hyphen_prefixes`` (rules.normalize) decide which line-end hyphens are
    real; ``headings`` (rules.headings) give the bullet characters and let a scale
    find its dimension; ``ratings`` (rules.ratings) map a scale label to a level.
    Without ``headings`` and ``ratings`` no rating marks can be named and none
    are returned. ``backend`` (pdfium or pdfplumber; default: ``backend.chosen_backend``)
    is the library that reads the pages.
    """
    vocab = Vocabulary(
        frozenset(keep_hyphen_prefixes), getattr(headings, "bullet_chars", "") or "", headings, ratings
    )
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
    _drop_repeated_headers(per_page)
    every = [b for blocks, _ in per_page for b in blocks]
    heading_depths(every, body.size, vocab)
    marks, warnings = rating_marks(every, vocab)
    return PdfText(_page_texts(per_page), len(pages), marks, warnings)


def _join_across_pages(per_page, vocab: Vocabulary) -> None:
    """Mark a page's first paragraph that carries on the last one of the page before."""
    for (prev_blocks, _), (blocks, _) in pairwise(per_page):
        if not prev_blocks or not blocks:
            continue
        prev, first = prev_blocks[-1], blocks[0]
        if prev.kind == first.kind == "para" and continues(prev, prev.lines[-1], first.lines[0], None, vocab):
            first.continues = True
            if LINE_END_HYPHEN.search(letters(prev.tokens[-1:])) and first.tokens:
                # the broken word goes whole to the page where it starts
                prev.tokens = join_lines(prev.tokens, first.tokens[:1], vocab.keep_hyphen_prefixes, vocab.hyphens)
                first.tokens = first.tokens[1:]


def _drop_repeated_headers(per_page) -> None:
    """A table's header row printed again where the table breaks onto the next column or
    page is a repeat of the one already read, not a row: it is dropped."""
    seen: set[tuple[str, ...]] = set()
    for blocks, _ in per_page:
        kept = []
        for b in blocks:
            if b.kind == "table" and b.lines[0].band:
                header = tuple(render(c, emphasis=False) for c in b.cells)
                if header in seen:
                    continue
                seen.add(header)
            kept.append(b)
        blocks[:] = kept


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
# What the reader saw on one page, for ``sdg-profiles overlay``
# ---------------------------------------------------------------------------
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class PageLayout:
    """One page as the reader split it: boxes by kind, and the column gutter."""

    body: list[Box]
    furniture: list[Box]
    footnotes: list[Box]
    bands: list[Box]
    table_cells: list[Box]
    scales: list[Box]
    gutter: float | None


def page_layout(path: Path, page_number: int, max_pages: int = 60, backend: str | None = None) -> PageLayout:
    """How the reader splits page ``page_number`` (IndexError when there is no such page)."""
    pages = read_pages(Path(path), max_pages, backend)
    size = body_style(pages).size
    parts = page_parts(pages, size)
    page, part = pages[page_number - 1], parts[page_number - 1]

    def boxes(words) -> list[Box]:
        return [(w.x0, w.top, w.x1, w.bottom) for w in words]

    gutter = page_gutter(group_rows([w for w in part.body if not w.scale]), page.width,
                         document_gutter(pages, [p.body for p in parts], size))
    return PageLayout(
        boxes(w for w in part.body if not w.scale), boxes(part.furniture),
        boxes(w for row in part.footnote_rows for w in row), bands(page),
        [c for t in page.tables for row in t for c in row if c], boxes(w for w in part.body if w.scale), gutter,
    )

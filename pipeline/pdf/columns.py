"""Columns and reading order: bands, the gutter, ruled-table rows, lines in order."""
from __future__ import annotations

import numpy as np

from .model import RawPage, TextLine, Word, colour, group_rows, is_white


def bands(page: RawPage) -> list[tuple[float, float, float, float]]:
    """Coloured full-width strips that carry section headings."""
    return [
        (r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.shapes
        if r["fill"] and not is_white(colour(r["non_stroking_color"]))
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
    """For each x in [lo, hi], the number of rows with a word (padded 3pt) over it.

    A word within 3 pt of the range covers the whole points from int(x0) - 3 up to, not
    including, int(x1) + 4; a row counts once where its words overlap. Over arrays: the
    rows of a document are thousands of words."""
    width = hi - lo + 1
    row_of = np.fromiter((r for r, row in enumerate(rows) for _ in row), dtype=np.int64)
    x0 = np.fromiter((w.x0 for row in rows for w in row), dtype=float, count=len(row_of))
    x1 = np.fromiter((w.x1 for row in rows for w in row), dtype=float, count=len(row_of))
    near = (x1 + 3 >= lo) & (x0 - 3 <= hi)
    start = np.maximum(lo, np.trunc(x0[near]).astype(np.int64) - 3) - lo
    end = np.minimum(hi + 1, np.trunc(x1[near]).astype(np.int64) + 4) - lo
    some = start < end
    row_of, start, end = row_of[near][some], start[some], end[some]
    steps = np.zeros((len(rows), width + 1), dtype=np.int64)
    np.add.at(steps, (row_of, start), 1)
    np.add.at(steps, (row_of, end), -1)
    return (np.cumsum(steps, axis=1)[:, :width] > 0).sum(axis=0).tolist()


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


def reading_order(page: RawPage, words: list[Word], size: float, document_gutter: float | None = None,
                  rows: list[list[Word]] | None = None) -> list[TextLine]:
    """Lines of a page in reading order: full-width elements in place, columns left then right.

    A row is full-width when it crosses the gutter, is title size or lies in a
    band that crosses it; the rows between two full-width elements form a
    segment read column by column. Ruled tables keep their place by their top.
    ``rows``: the words' rows (``group_rows``), when the caller has them already.
    """
    tables = table_lines(page, words)
    in_table = {id(w) for line in tables for w in line.words}
    flow = [w for w in words if id(w) not in in_table]
    if rows is None or in_table:
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


def document_gutter(pages: list[RawPage], bodies: list[list[Word]], size: float,
                    body_rows: list[list[list[Word]]] | None = None) -> float | None:
    """The gutter of the document's body pages taken together (same page width only);
    ``body_rows``: the bodies' words in rows (``group_rows``), when the caller has them already."""
    widths = {round(p.width) for p in pages}
    if len(widths) != 1:
        return None
    rows = []
    for page, page_rows in zip(pages, body_rows if body_rows is not None else map(group_rows, bodies)):
        inside = bands(page)
        rows += [r for r in page_rows if not any(
            b[0] <= w.x0 and w.x1 <= b[2] + 1 and b[1] <= w.cy <= b[3] for w in r for b in inside
        ) and max(w.size for w in r) < 1.4 * size]
    return find_gutter(rows, pages[0].width) if rows else None

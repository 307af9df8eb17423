"""Unruled tables: runs of lines whose cells are set apart by wide gaps."""
from __future__ import annotations

from .model import CELL_GAP, PARAGRAPH_GAP, TextLine, Word


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

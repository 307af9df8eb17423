"""Unruled tables: runs of lines whose cells are set apart by wide gaps."""
from __future__ import annotations

import re

from .model import CELL_GAP, PARAGRAPH_GAP, TextLine, Word


def gap_cells(line: TextLine) -> list[list[Word]]:
    """The line's words split at gaps wider than ``CELL_GAP`` times its size.

    A justified line is one cell however wide its gaps: its word spaces are all
    stretched alike, where a table row has word spaces and a wider gap between cells.
    """
    if justified(line):
        return [list(line.words)]
    cells: list[list[Word]] = []
    widest = CELL_GAP * line.size  # ``size`` is a property over the words: taken once
    for w in line.words:
        if cells and w.x0 - cells[-1][-1].x1 <= widest:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


# A printed value: a number (maybe a percentage) or a dash or n/a, maybe with its year.
VALUE_CELL = re.compile(r"(?:[-–—]|n/?a\.?|\d[\d.,]*\s*%?)(?:\s*\(\d{4}\))?", re.IGNORECASE)


def gap_tables(lines: list[TextLine]) -> list[TextLine]:
    """Replace runs of lines with wide-gap cells by table rows: two or more such lines,
    or one whose last cell is a value (a table's last row alone on a page or column)."""
    out: list[TextLine] = []
    i = 0
    while i < len(lines):
        j = i
        zone: list[TextLine] = []
        # A header row on a band opens a table; the reader may set the band apart as a
        # segment of its own, so the rows' column is the first line's after it.
        column = lines[i + 1].column if lines[i].band and i + 1 < len(lines) else lines[i].column
        while (j < len(lines) and lines[j].cells is None and (lines[j].column == column or j == i)
               and (not lines[j].band or j == i)):
            line = lines[j]
            multi = len(gap_cells(line)) >= 2
            if not zone and not multi:
                break
            if zone and not multi and line.top - zone[-1].bottom > PARAGRAPH_GAP * line.size:
                break
            zone.append(line)
            j += 1
        if zone and zone[0].band and not _header_of(zone[0], zone[1:]):
            out.append(lines[i])  # a heading on a band, not the table's header row
            i += 1
            continue
        multi = [z for z in zone if len(gap_cells(z)) >= 2]
        if len(multi) >= 2 or (multi and _ends_in_value(multi[0])):
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
    previous = None
    for z in zone:
        cells = _split_at_anchors(gap_cells(z), anchors)
        if not rows or not _wraps_on(z, previous, cells):
            rows.append([[] for _ in anchors])
        for c in cells:
            col = max([k for k, a in enumerate(anchors) if a <= c[0].x0 + 6] or [0])
            rows[-1][col].extend(c)
        previous = z
    first = zone[0]
    return [  # a header row printed on a band keeps `band`: the reader drops its repeats
        TextLine(tuple(w for c in row for w in c), first.page, first.column, first.col_x0, first.col_x1,
                 band=first.band and k == 0, cells=tuple(tuple(c) for c in row))
        for k, row in enumerate(rows)
    ]


def justified(line: TextLine) -> bool:
    """Three or more word gaps, wider than a space, all of one width, across the column."""
    words = [w for w in line.words if not w.scale]
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:])]
    size = line.size
    spaces = [g for g in gaps if g > 0.1 * size]  # a footnote call sits glued to its word
    return (len(spaces) >= 3 and max(spaces) > CELL_GAP * size
            and max(spaces) - min(spaces) <= 0.25 * size and line.x1 >= line.col_x1 - size)


def _split_at_anchors(cells: list[list[Word]], anchors: list[float]) -> list[list[Word]]:
    """Cells also split where a word starts right at a column's left edge, however
    narrow the gap before it (a full cell runs close to the next column)."""
    out: list[list[Word]] = []
    for cell in cells:
        out.append([cell[0]])
        for w in cell[1:]:
            if any(abs(w.x0 - a) <= 1.5 and out[-1][-1].x1 < a for a in anchors[1:]):
                out.append([w])
            else:
                out[-1].append(w)
    return out


def _wraps_on(line: TextLine, previous: TextLine | None, cells: list[list[Word]]) -> bool:
    """A line that only carries on the row above: right under it, and every cell of it
    opening lowercase or with a bracket (a wrapped name, a year under its value)."""
    if previous is None or line.top - previous.bottom > PARAGRAPH_GAP * line.size:
        return False
    if all(c[0].text[:1].islower() or c[0].text[:1] == "(" for c in cells):
        return True
    return len(cells) == 1 and not cells[0][0].text[:1].isdigit()  # a name wrapped before a capital


def _ends_in_value(line: TextLine) -> bool:
    last = gap_cells(line)[-1]
    return VALUE_CELL.fullmatch(" ".join(w.text for w in last)) is not None


def _header_of(band: TextLine, rows: list[TextLine]) -> bool:
    """A header row on a band: two cells or more, the first and one more starting where
    a column of the rows under it starts (a row may leave a column empty). A header
    cell that runs close to the next column is split where the rows' column starts."""
    starts = [c[0].x0 for r in rows for c in gap_cells(r)]
    cells = _split_at_anchors(gap_cells(band), sorted(set(starts)))
    aligned = [any(abs(c[0].x0 - s) <= 6 for s in starts) for c in cells]
    return len(cells) >= 2 and aligned[0] and sum(aligned) >= 2

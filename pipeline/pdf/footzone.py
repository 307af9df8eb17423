"""The footnote zone at a page's foot (across the page or per column) and its notes."""
from __future__ import annotations

import re

from .columns import find_gutter
from .model import Token, Vocabulary, Word, group_rows
from .tokens import join_lines, line_tokens


FOOTNOTE_NUMBER = re.compile(r"^(\d{1,3})[.)]?$")


def footnote_zone(rows: list[list[Word]], size: float) -> tuple[list[list[Word]], list[list[Word]]]:
    """(zone rows, other rows): the small-type rows at the foot, from the first that opens a footnote."""
    i = len(rows)
    while i > 0 and _row_size(rows[i - 1]) < 0.95 * size and not any(w.scale for w in rows[i - 1]):
        i -= 1
    for k in range(i, len(rows)):
        if footnote_number(rows[k]) is not None:
            return rows[k:], rows[:k]
    return [], rows


def footnote_rows(words: list[Word], size: float, width: float) -> list[list[Word]]:
    """The page's footnote rows in reading order: across the page, or per column.

    Why: a layout may set its notes at the foot of the column that cites them
    (InDesign does), with the other column's text running on beside them, or set
    the notes themselves in two columns. With a gutter and no note line across it,
    each column's foot is read on its own, left then right.
    """
    rows = group_rows(words)
    zone, _ = footnote_zone(rows, size)
    gutter = find_gutter(rows, width) if len(rows) >= 6 else None
    if gutter is None or any(w.x0 < gutter < w.x1 for row in zone for w in row):
        return zone
    out: list[list[Word]] = []
    for column in ([w for w in words if w.x1 <= gutter], [w for w in words if w.x0 >= gutter]):
        out += footnote_zone(group_rows(column), size)[0]
    return out


def _row_size(row: list[Word]) -> float:
    return max(w.size for w in row)


def footnote_number(row: list[Word]) -> int | None:
    """The number a footnote line opens with ("12.", "12", or a superscript 12), if any."""
    if len(row) < 2:
        return None
    m = FOOTNOTE_NUMBER.match(row[0].text)
    return int(m.group(1)) if m else None


def footnotes(zone: list[list[Word]], vocab: Vocabulary) -> list[tuple[int, list[Token]]]:
    """Footnotes of one page: a numbered line opens the next footnote, others continue it.

    A line opening with a number continues the footnote above unless the number
    is the next one, or a higher one printed as "N." / "N)".
    """
    out: list[tuple[int, list[Token]]] = []
    for row in zone:
        number = footnote_number(row)
        opens = number is not None and (
            not out or number == out[-1][0] + 1 or (number > out[-1][0] and row[0].text[-1] in ".)")
        )
        if opens:
            out.append((number, line_tokens(row[1:], _row_size(row))))
        elif out:
            out[-1] = (out[-1][0], join_lines(out[-1][1], line_tokens(row, _row_size(row)), vocab.keep_hyphen_prefixes, vocab.hyphens))
    return out

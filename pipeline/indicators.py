"""The SDG indicator table: one row per printed value, its code checked against the UN list.

The table is read line by line, in three steps that can each be tested alone:

1. ``read_cells`` / ``read_table_lines``: split each line into cells (tabs, runs of
   spaces, pipes; a value glued to the name by one space is peeled off) and say what
   each cell is (text, disaggregation label, value, header word) and what each line is
   (an indicator ``row``, a ``slot`` line opening with a label, a lone ``value``, a
   column ``header``, ``text`` that may continue a wrapped name, or ``skip``).
2. ``assemble_indicators``: group lines into indicators (name parts, label slots, value
   cells).
3. ``indicator_rows``: decide each value's disaggregation (``label_header_or_total``)
   and unit (``unit_from_name_else_value``), and read the value.

Decisions about unparseable cells: a value cell that is a null token (``-``, ``n/a``)
or blank gives value null; a number with a qualifier (``<5 (2018)``, ``approx. 20``)
gives value null too, because the contract has no column for "less than", while year
and raw_value keep what was printed. Every shape (separators, labels, null tokens,
number and year forms, units) is data in rules/indicators.yaml.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .document import Line, Outline, Section
from .errors import ExtractionTimeout
from .normalize import join_wrapped
from .rules import PATTERN_TIMEOUT, IndicatorTableRules, Rules, SdgIndicatorList

SECTION_KEY = "sdg_indicators"
TOTAL = "total"
_MAX_VALUE_TOKENS = 5  # longest value printed as words: "less than 5 (2018)" is 4 tokens
_MAX_LABEL_TOKENS = 3  # longest label: "National total", "Urban areas"


@dataclass(frozen=True)
class IndicatorRow:
    """One printed value of the indicator table (the contract's ``indicators`` columns)."""

    indicator_code: str
    goal: int | None
    series: str | None
    name: str
    un_name: str | None
    disaggregation: str
    value: float | None
    year: int | None
    unit: str | None
    raw_value: str
    official: bool
    ordinal: int = 0  # position after sorting by code (code_order)


# ---------------------------------------------------------------------------
# 1. Cells and lines
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ValueReading:
    """What a value cell says; ``kind`` is number, inexact, null, year_only or unreadable."""

    value: float | None
    year: int | None
    unit: str | None
    kind: str


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str  # text | label | value | header
    position: int  # index among the line's cells, empty ones included
    label: str | None = None  # total | urban | rural, for kind == label
    reading: ValueReading | None = None  # for kind == value


@dataclass(frozen=True)
class TableLine:
    kind: str  # row | slot | value | header | text | skip
    cells: tuple[Cell, ...]
    width: int  # number of cells, empty ones included (for header positions)
    line: Line
    code: str | None = None
    series: str | None = None


def read_value(text: str, table: IndicatorTableRules) -> ValueReading | None:
    """Read a printed value cell (``22.3 (2020)``, ``-``, ``1,234.5``); None if it is no value."""
    cell = " ".join(text.split())
    if not cell:
        return None
    found = table.year.search(cell, timeout=PATTERN_TIMEOUT)
    year = int(found.group("year")) if found else None
    rest = cell[: found.start()].strip() if found else cell
    if not rest:
        return ValueReading(None, year, None, "year_only") if year is not None else None
    if table.is_null(rest):
        return ValueReading(None, year, None, "null")
    body = table.value_body.fullmatch(rest, timeout=PATTERN_TIMEOUT)
    if body is None:
        return None
    unit = body.group("unit").strip() if body.group("unit") else None
    if body.group("qualifier"):
        return ValueReading(None, year, unit, "inexact")
    number = body.group("number").replace(",", "").replace("−", "-").replace(" ", "")
    return ValueReading(float(number), year, unit, "number")


def classify_cell(text: str, position: int, table: IndicatorTableRules) -> Cell:
    """Say what one non-empty cell is: a label, a value, a header word or text."""
    text = " ".join(text.split())
    label = table.label(text)
    if label is not None:
        return Cell(text, "label", position, label=label)
    reading = read_value(text, table)
    if reading is not None:
        return Cell(text, "value", position, reading=reading)
    if table.is_header_word(text):
        return Cell(text, "header", position)
    return Cell(text, "text", position)


def peel_tail(cell: Cell, table: IndicatorTableRules) -> tuple[Cell, ...]:
    """Split a value (and a capitalised label) glued by single spaces to the end of a text cell.

    ``... services (%) Urban 91 (2020)`` -> text, label ``urban``, value. Only a value
    with a year or a null token is peeled, so numbers inside names stay ("per 100,000").
    A label is peeled only when printed capitalised (``Urban``), as table labels are,
    so "in urban areas" inside a name stays.
    """
    tokens = cell.text.split()
    value = None
    for k in range(min(_MAX_VALUE_TOKENS, len(tokens)), 0, -1):
        candidate = " ".join(tokens[-k:])
        reading = read_value(candidate, table)
        if reading is None or reading.kind == "year_only":
            continue
        if reading.year is None and reading.kind != "null":
            continue
        value, tokens = Cell(candidate, "value", cell.position, reading=reading), tokens[:-k]
        break
    if value is None:
        return (cell,)
    label = None
    for k in range(min(_MAX_LABEL_TOKENS, len(tokens)), 0, -1):
        candidate = " ".join(tokens[-k:])
        if candidate[:1].isupper() and table.label(candidate) is not None:
            label, tokens = Cell(candidate, "label", cell.position, label=table.label(candidate)), tokens[:-k]
            break
    rest = (Cell(" ".join(tokens), "text", cell.position),) if tokens else ()
    return rest + ((label,) if label else ()) + (value,)


def _merge_years(cells: list[Cell], table: IndicatorTableRules) -> list[Cell]:
    """A year printed in its own cell (``91  (2020)``) belongs to the value before it."""
    out: list[Cell] = []
    for cell in cells:
        prev = out[-1] if out else None
        if (
            cell.kind == "value" and cell.reading.kind == "year_only"
            and prev is not None and prev.kind == "value" and prev.reading.year is None
        ):
            text = f"{prev.text} {cell.text}"
            out[-1] = Cell(text, "value", prev.position, reading=read_value(text, table))
            continue
        out.append(cell)
    return out


def is_skipped(text: str, table: IndicatorTableRules) -> bool:
    """Whether a ``skip_lines`` pattern is found in the line (a rule, a source note)."""
    if table.any_skip_line is not None:
        return table.any_skip_line.search(text, timeout=PATTERN_TIMEOUT) is not None
    return any(p.search(text, timeout=PATTERN_TIMEOUT) for p in table.skip_lines)


def read_table_line(line: Line, table: IndicatorTableRules) -> TableLine:
    """Split one line into cells and say what kind of table line it is."""
    if is_skipped(line.text, table):
        return TableLine("skip", (), 0, line)
    parts = table.cell_separator.split(line.text, timeout=PATTERN_TIMEOUT)
    filled = [(i, p.strip()) for i, p in enumerate(parts) if p.strip()]
    if not filled:
        return TableLine("skip", (), len(parts), line)
    code = series = None
    first_pos, first = filled[0]
    start = table.row_start.match(first, timeout=PATTERN_TIMEOUT)
    cells: list[Cell] = []
    if start is not None:
        code = start.group("code")
        series = start.groupdict().get("series")
        series = series.lower() if series else None
        name = first[start.end():].strip()
        if name:
            cells.append(Cell(" ".join(name.split()), "text", first_pos))
        filled = filled[1:]
    cells += [classify_cell(text, pos, table) for pos, text in filled]
    cells = _merge_years(cells, table)
    if cells and cells[-1].kind == "text":
        cells[-1:] = peel_tail(cells[-1], table)
    kinds = [c.kind for c in cells]
    if code is not None:
        kind = "row"
    elif "value" not in kinds and ("header" in kinds or kinds.count("label") >= 2):
        kind = "header"
    elif kinds[0] == "label":
        kind = "slot"
    elif kinds[0] == "value":
        kind = "value"
    else:
        kind = "text"
    if kind != "header":
        cells = _unreadable_values(cells, kind, table)
    return TableLine(kind, tuple(cells), len(parts), line, code, series)


def _unreadable_values(cells: list[Cell], kind: str, table: IndicatorTableRules) -> list[Cell]:
    """Text in a cell of its own after the name (``2020: 22.3``, ``no data yet``) is a value nobody can read.

    Only the first text cell of a row (or of a wrapped-name line) is name; a later one
    sits where values stand, so it gives a row with value null and the printed raw_value.
    """
    out, name_seen = [], kind not in ("row", "text")
    for cell in cells:
        if cell.kind == "text" and (name_seen or out and out[-1].kind in ("label", "value")):
            found = table.year.search(cell.text, timeout=PATTERN_TIMEOUT)
            year = int(found.group("year")) if found else None
            cell = Cell(cell.text, "value", cell.position, reading=ValueReading(None, year, None, "unreadable"))
        elif cell.kind == "text":
            name_seen = True
        out.append(cell)
    return out


def read_table_lines(sections: tuple[Section, ...], table: IndicatorTableRules) -> tuple[TableLine, ...]:
    return tuple(read_table_line(line, table) for s in sections for line in s.lines)


def _has_table_cells(tl: TableLine) -> bool:
    """The line holds a label or a readable value (null tokens included), not just text."""
    return any(c.kind == "label" or (c.kind == "value" and c.reading.kind != "unreadable") for c in tl.cells)


def table_row_count(lines: tuple[TableLine, ...]) -> int:
    """How many indicator rows carry a label or a value: how table-like the lines are."""
    return sum(1 for t in lines if t.kind == "row" and _has_table_cells(t))


# ---------------------------------------------------------------------------
# 2. Indicators: name parts, slots, values
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Header:
    """Column labels of a header line, by cell position and in printed order."""

    by_position: dict
    labels: tuple[str, ...]
    width: int


@dataclass
class Slot:
    label: str | None  # the printed label's disaggregation; None when unlabelled
    values: list[tuple[Cell, int]] = field(default_factory=list)  # (cell, line width)


@dataclass
class Draft:
    code: str
    series: str | None
    header: Header | None
    name_parts: list[str] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    last_lineno: int = 0


def _adjacent(draft: Draft, line: Line) -> bool:
    """A wrapped name continues on the very next source line."""
    return line.lineno == draft.last_lineno + 1


def _take_cells(draft: Draft, tl: TableLine) -> None:
    """Add one line's cells to an indicator: leading text extends the name, then slots."""
    opened: Slot | None = None  # the slot this line opened or filled
    naming = tl.kind in ("row", "text")
    for cell in tl.cells:
        if cell.kind == "text" and naming:
            draft.name_parts.append(cell.text)
            continue
        naming = False
        if cell.kind == "label":
            opened = Slot(cell.label)
            draft.slots.append(opened)
        elif cell.kind == "value":
            if opened is None:
                last = draft.slots[-1] if draft.slots else None
                if last is not None and not last.values:
                    opened = last  # "Urban" then its value on the next line
                elif tl.kind in ("row", "text") or not draft.slots:
                    opened = Slot(None)
                    draft.slots.append(opened)
                else:
                    continue  # a stray number after a complete row (page number, note)
            opened.values.append((cell, tl.width))
    draft.last_lineno = tl.line.lineno


def _header(tl: TableLine) -> Header | None:
    labels = [c for c in tl.cells if c.kind == "label"]
    if not labels:
        return None
    return Header({c.position: c.label for c in labels}, tuple(c.label for c in labels), tl.width)


def assemble_indicators(lines: tuple[TableLine, ...]) -> tuple[Draft, ...]:
    """Group table lines into indicators, in printed order."""
    drafts: list[Draft] = []
    current: Draft | None = None
    header: Header | None = None
    for tl in lines:
        if tl.kind == "skip":
            continue
        if tl.kind == "row":
            current = Draft(tl.code, tl.series, header)
            drafts.append(current)
            _take_cells(current, tl)
        elif tl.kind == "header":
            header = _header(tl)
        elif current is None:
            continue
        elif tl.kind in ("slot", "value"):
            _take_cells(current, tl)
        elif _adjacent(current, tl.line):
            _take_cells(current, tl)  # a wrapped name, maybe with the row's cells
        else:
            current = None  # prose after the table: label or value lines no longer attach
    return tuple(drafts)


# ---------------------------------------------------------------------------
# 3. Decide and emit rows
# ---------------------------------------------------------------------------
def label_header_or_total(slot: Slot, index: int, header: Header | None) -> str:
    """Conflict rule for a value's disaggregation.

    The label printed before it on its row wins; else the column header above it (by
    cell position when the row has the header's shape, else by order when the row has
    as many values as the header has labels); else ``total``.
    """
    if slot.label is not None:
        return slot.label
    if header is not None:
        cell, width = slot.values[index]
        if width == header.width and cell.position in header.by_position:
            return header.by_position[cell.position]
        if len(slot.values) == len(header.labels):
            return header.labels[index]
    return TOTAL


def unit_from_name_else_value(name: str, reading: ValueReading | None, table: IndicatorTableRules) -> str | None:
    """The unit the name states (``(%)``); else a sign printed with the value; else null."""
    for rule in table.units:
        if rule.pattern.search(name, timeout=PATTERN_TIMEOUT):
            return rule.unit
    return reading.unit if reading is not None else None


def canonical_code(printed: str, official: SdgIndicatorList) -> str:
    """UN codes write target letters in lower case ("11.B.2" is 11.b.2); a code
    outside the list (a national "11.N.1") is kept as printed."""
    lowered = printed.lower()
    return lowered if lowered in official else printed


def goal_of(code: str) -> int | None:
    """The SDG a code belongs to: its first number, when that is a goal (1-17)."""
    head = code.split(".", 1)[0]
    return int(head) if head.isdigit() and 1 <= int(head) <= 17 else None


def code_order(code: str) -> tuple:
    """Sort key of a code by goal, target and indicator as numbers, so 5.5.1 comes before
    11.1.1 and 11.2.1 before 11.10.1; numbered targets come before lettered ones (11.7 < 11.a)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in code.split("."))


def in_code_order(rows: tuple[IndicatorRow, ...]) -> tuple[IndicatorRow, ...]:
    """Rows sorted by the code_order of UN codes (printed order kept within a code), numbered
    by ``ordinal``. Where a code outside the UN list belongs is unknown, so it keeps its place
    after the row printed before it."""
    groups: list[tuple[tuple, list[IndicatorRow]]] = [((), [])]  # rows printed before any UN code stay first
    for row in rows:
        if row.official:
            groups.append((code_order(row.indicator_code), [row]))
        else:
            groups[-1][1].append(row)
    groups.sort(key=lambda group: group[0])
    ordered = [row for _, group in groups for row in group]
    return tuple(dataclasses.replace(row, ordinal=i) for i, row in enumerate(ordered))


def indicator_rows(draft: Draft, table: IndicatorTableRules, official: SdgIndicatorList,
                   keep_hyphen_prefixes: frozenset[str] = frozenset()) -> tuple[IndicatorRow, ...]:
    """One row per printed value; a label or an indicator printed with no value gives a blank row."""
    name = join_wrapped(draft.name_parts, keep_hyphen_prefixes)
    code = canonical_code(draft.code, official)
    is_official = code in official

    def row(disaggregation: str, cell: Cell | None) -> IndicatorRow:
        reading = cell.reading if cell is not None else None
        return IndicatorRow(
            indicator_code=code,
            goal=goal_of(code),
            series=draft.series,
            name=name,
            un_name=official.names.get(code),
            disaggregation=disaggregation,
            value=reading.value if reading else None,
            year=reading.year if reading else None,
            unit=unit_from_name_else_value(name, reading, table),
            raw_value=cell.text if cell is not None else "",
            official=is_official,
        )

    if not draft.slots:
        return (row(TOTAL, None),)
    out = []
    for slot in draft.slots:
        if not slot.values:
            out.append(row(slot.label or TOTAL, None))
        for i, (cell, _) in enumerate(slot.values):
            out.append(row(label_header_or_total(slot, i, draft.header), cell))
    return tuple(out)


# ---------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------
def keyed_else_most_rows(outline: Outline, table: IndicatorTableRules) -> tuple[TableLine, ...]:
    """Conflict rule for where the table is.

    The section keyed ``sdg_indicators`` (with its children) when it holds an indicator
    row; else the section whose lines hold the most table rows, if at least
    ``fallback_min_rows``; the first such section wins a tie.
    """
    keyed_ids = [s.section_id for s in outline.sections if s.key == SECTION_KEY]
    keyed: list[Section] = []
    for section_id in keyed_ids:
        keyed += [s for s in outline.subtree(section_id) if s not in keyed]
    lines = read_table_lines(tuple(keyed), table)
    if any(t.kind == "row" for t in lines):
        return lines
    best: tuple[TableLine, ...] = ()
    best_count = 0
    for section in outline.sections:
        if section in keyed:
            continue
        candidate = read_table_lines((section,), table)
        count = table_row_count(candidate)
        if count >= table.fallback_min_rows and count > best_count:
            best, best_count = candidate, count
    return best


def extract_indicators(outline: Outline, rules: Rules) -> tuple[IndicatorRow, ...]:
    """The profile's SDG indicator table as rows, so analysts can compare values across countries."""
    table: IndicatorTableRules = rules.indicators
    try:
        lines = keyed_else_most_rows(outline, table)
        return in_code_order(tuple(
            row
            for draft in assemble_indicators(lines)
            for row in indicator_rows(draft, table, rules.sdg_indicators, rules.normalize.keep_hyphen_prefixes)
        ))
    except TimeoutError as exc:
        raise ExtractionTimeout(f"indicators: {exc}") from exc

"""Export: the Parquet dataset as one Excel workbook, a CSV folder, or a DuckDB or SQLite file.

For analysts outside Python (``sdg-profiles export``). It reads output/ like
`show` and `query` do and writes every table of pipeline/schema.py that the
dataset has, with `country` first, plus a data dictionary derived from the same
schema. Spreadsheet and CSV cells are flat: list items joined by "; ", nulls
empty. The databases keep types and declare each table's primary key, under
the names `query` uses, so the same SQL runs on them.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import OutputError
from .inspect import LIST_SEPARATOR, InspectError, check_dataset, flat_text, format_csv, import_duckdb, sql_type
from .schema import PARTITION, TABLES, Column, Table, arrow_type_name
from .write import read_manifest

FORMATS = ("xlsx", "csv", "duckdb", "sqlite")
SUFFIXES = {".xlsx": "xlsx", ".duckdb": "duckdb", ".ddb": "duckdb", ".sqlite": "sqlite", ".sqlite3": "sqlite"}
DICTIONARY = "dictionary"  # the extra sheet, file or table that describes every column
EXCEL_CELL_LIMIT = 32_767  # characters an Excel cell holds
MAX_WIDTH, MIN_WIDTH = 60, 8  # spreadsheet column widths, in characters


class ExportError(InspectError):
    """The dataset cannot be written in the asked format (a cell too long for Excel, a key violated)."""


class WriterMissing(InspectError):
    exit_code = 2  # the environment lacks an optional dependency


@dataclass(frozen=True)
class ExportTable:
    """One table as exported: every country's rows, `country` first, and its key."""

    name: str
    data: pa.Table
    spec: Table
    primary_key: tuple[str, ...]

    def column(self, name: str) -> Column | None:
        """The schema's column of that name (`country` included); None for a column the schema lacks."""
        return next((c for c in (PARTITION,) + self.spec.columns if c.name == name), None)


# -- reading the dataset ------------------------------------------------------------------
def load_tables(out_dir: Path) -> list[ExportTable]:
    """Every schema table that has a folder in the dataset, countries in code order, rows as stored."""
    check_dataset(out_dir)
    return [_load_table(out_dir / name, spec) for name, spec in TABLES.items() if (out_dir / name).is_dir()]


def _load_table(folder: Path, spec: Table) -> ExportTable:
    parts = []
    for path in sorted(folder.glob("country=*/*.parquet")):
        part = pq.read_table(path)
        iso3 = path.parent.name.split("=", 1)[1]
        parts.append(part.add_column(0, PARTITION.name, pa.array([iso3] * part.num_rows, pa.string())))
    empty = spec.arrow_schema.insert(0, pa.field(PARTITION.name, pa.string(), nullable=False)).empty_table()
    # "permissive": partitions written by two pipeline versions may differ in a column's width
    data = pa.concat_tables(parts, promote_options="permissive") if parts else empty
    order = [PARTITION.name] + [c for c in spec.column_names if c in data.column_names]
    data = data.select(order + [c for c in data.column_names if c not in order])  # columns the schema lacks: kept, last
    return ExportTable(spec.name, data, spec, key_columns(spec))


def key_columns(spec: Table) -> tuple[str, ...]:
    """The table's primary key over all countries: `country` and the schema's key (none when it declares none)."""
    declared = tuple(getattr(spec, "primary_key", ()) or ())
    return (PARTITION.name,) + tuple(c for c in declared if c != PARTITION.name) if declared else ()


# -- the data dictionary --------------------------------------------------------------------
DICTIONARY_COLUMNS = ["table", "column", "type", "nullable", "key", "references", "values", "written_as", "meaning"]


def dictionary_rows(tables: list[ExportTable], fmt: str) -> list[list[str]]:
    """One row per table (its meaning and key), then one per column, as written in `fmt`:
    with the rows a column joins to (`references`) and the values it may take, in order."""
    rows = []
    for table in tables:
        rows.append([table.name, "", "table", "", ", ".join(table.primary_key), "", "", f"{table.data.num_rows} rows",
                     table.spec.meaning])
        joins = _references(table.spec)
        for field in table.data.schema:
            column = table.column(field.name)
            nullable = column is None or column.nullable
            meaning = column.meaning if column else "Not in pipeline/schema.py (written by another version of the pipeline)."
            values = "; ".join(column.enum) if column is not None else ""
            rows.append([table.name, field.name, arrow_type_name(field.type), "yes" if nullable else "no",
                         "yes" if field.name in table.primary_key else "", joins.get(field.name, ""), values,
                         written_as(field.type, fmt), meaning])
    return rows


def _references(spec: Table) -> dict[str, str]:
    """Column -> 'table.column' it joins to (within the same country), from the schema's foreign keys."""
    out: dict[str, str] = {}
    for fk in getattr(spec, "foreign_keys", ()):
        for here, there in zip(fk.fields, fk.reference):
            if here != PARTITION.name:
                out.setdefault(here, f"{fk.table}.{there}")
    return out


def written_as(dtype: pa.DataType, fmt: str) -> str:
    """How a column's values look in the exported file, for the dictionary."""
    flat = fmt in ("xlsx", "csv")
    if pa.types.is_list(dtype) and (flat or fmt == "sqlite"):
        return f"text: items joined by {LIST_SEPARATOR!r}" if flat else "text: a JSON array"
    if pa.types.is_boolean(dtype) and fmt != "duckdb":
        return {"xlsx": "TRUE/FALSE", "csv": "true/false", "sqlite": "INTEGER 1/0"}[fmt]
    if not flat:
        return sql_type(dtype, fmt)
    return "number" if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) else "text"


# -- the entry function ----------------------------------------------------------------------
def export(out_dir, fmt: str, dest) -> list[ExportTable]:
    """Write the dataset at `out_dir` to `dest` (a file; a folder for csv) and return what was written."""
    out_dir, dest = Path(out_dir), Path(dest)
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    _check_destination(dest, fmt)
    tables = load_tables(out_dir)
    writers = {"xlsx": partial(_write_xlsx, created=_created(out_dir)), "csv": _write_csv,
               "duckdb": _write_duckdb, "sqlite": _write_sqlite}
    try:
        writers[fmt](tables, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: {exc.strerror or exc}") from None
    return tables


def format_of(dest: Path) -> str | None:
    """The format a destination's suffix names (`.xlsx`, `.duckdb`, `.sqlite` ...), else None."""
    return SUFFIXES.get(Path(dest).suffix.lower())


def _check_destination(dest: Path, fmt: str) -> None:
    if fmt == "csv" and dest.exists() and not dest.is_dir():
        raise OutputError(f"{dest}: is a file; csv export writes a folder")
    if fmt != "csv" and dest.is_dir():
        raise OutputError(f"{dest}: is a folder; {fmt} export writes one file")


def _created(out_dir: Path) -> dt.datetime:
    """When the dataset was written (the manifest's `finished`): the same dataset gives the same workbook."""
    try:
        return dt.datetime.strptime(read_manifest(out_dir)["finished"], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError):
        return dt.datetime(2000, 1, 1)


@contextmanager
def _aside(dest: Path):
    """A temporary path beside `dest`, moved into place once written: a reader never sees half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


# -- CSV ----------------------------------------------------------------------------------
def _write_csv(tables: list[ExportTable], folder: Path) -> None:
    """One <table>.csv per table and dictionary.csv, UTF-8, each written aside and moved into place."""
    files = {t.name: format_csv(t.data.column_names, _rows(t.data)) for t in tables}
    files[DICTIONARY] = format_csv(DICTIONARY_COLUMNS, dictionary_rows(tables, "csv"))
    for name, text in files.items():
        with _aside(folder / f"{name}.csv") as tmp:
            tmp.write_text(text, encoding="utf-8", newline="")


def _rows(data: pa.Table) -> list[tuple]:
    columns = [data.column(i).to_pylist() for i in range(data.num_columns)]
    return list(zip(*columns))


# -- Excel --------------------------------------------------------------------------------
def _write_xlsx(tables: list[ExportTable], dest: Path, created: dt.datetime) -> None:
    """One sheet per table and a dictionary sheet; frozen, filterable header rows; lists joined."""
    try:
        import xlsxwriter
    except ImportError:
        raise WriterMissing("XlsxWriter is not installed; install it with: pip install 'sdg-profiles[export]' (or pip install XlsxWriter)") from None
    for table in tables:
        _check_cell_lengths(table)
    with _aside(dest) as tmp:
        book = xlsxwriter.Workbook(tmp, {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": True})
        book.set_properties({"title": "GTF/UCLG country profiles on SDG localization, as tables",
                             "comments": "Written by sdg-profiles export", "created": created})
        header = book.add_format({"bold": True, "bottom": 1})
        for table in tables:
            cells = [_xlsx_column(table.data.column(i).to_pylist(), field.type)
                     for i, field in enumerate(table.data.schema)]
            _fill_sheet(book.add_worksheet(table.name), table.data.column_names, cells, header)
        rows = dictionary_rows(tables, "xlsx")
        _fill_sheet(book.add_worksheet(DICTIONARY), DICTIONARY_COLUMNS, [list(c) for c in zip(*rows)], header)
        book.close()


def _xlsx_column(values: list, dtype: pa.DataType) -> list:
    """Cells of one column: numbers and booleans as such, lists as joined text, null as None (blank)."""
    if pa.types.is_list(dtype) or pa.types.is_struct(dtype):
        return [None if v is None else flat_text(v) for v in values]
    return values


def _fill_sheet(sheet, names: list[str], columns: list[list], header) -> None:
    sheet.write_row(0, 0, names, header)
    for col, values in enumerate(columns):
        for row, value in enumerate(values, start=1):
            if value is None or value == "":
                continue  # a blank cell
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            else:
                sheet.write_number(row, col, value)
        sheet.set_column(col, col, column_width(names[col], values))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(columns[0]) if columns else 0, 1), max(len(names) - 1, 0))


def column_width(name: str, values: list) -> int:
    """Wide enough for the header and the longest value, within MIN_WIDTH..MAX_WIDTH characters."""
    longest = max([len(name) + 2] + [len(flat_text(v)) for v in values])  # +2: the filter button
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 1))


def _check_cell_lengths(table: ExportTable) -> None:
    """Excel cuts nothing: a longer cell is an error naming where it is, not a silent truncation."""
    for i, field in enumerate(table.data.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_list(field.type)):
            continue
        for row, value in enumerate(table.data.column(i).to_pylist()):
            if value is not None and len(flat_text(value)) > EXCEL_CELL_LIMIT:
                country = table.data.column(0)[row].as_py()
                raise ExportError(f"{table.name}.{field.name} of {country} (row {row + 2} of its sheet) has "
                                  f"{len(flat_text(value)):,} characters, more than an Excel cell holds "
                                  f"({EXCEL_CELL_LIMIT:,}); export csv, duckdb or sqlite instead")


# -- DuckDB and SQLite ------------------------------------------------------------------------
def create_table_sql(table: ExportTable, dialect: str) -> str:
    """CREATE TABLE with the exported columns, NOT NULL where the schema says so, and the key."""
    lines = []
    for field in table.data.schema:
        column = table.column(field.name)
        not_null = "" if column is None or column.nullable else " NOT NULL"
        lines.append(f'"{field.name}" {sql_type(field.type, dialect)}{not_null}')
    if table.primary_key:
        # SQL forbids NULL in a primary key; a key with a nullable part can only be UNIQUE
        optional = any(table.column(c) is None or table.column(c).nullable for c in table.primary_key)
        kind = "UNIQUE" if optional else "PRIMARY KEY"
        lines.append(f"{kind} (" + ", ".join(f'"{c}"' for c in table.primary_key) + ")")
    return f'CREATE TABLE "{table.name}" (\n  ' + ",\n  ".join(lines) + "\n)"


def _dictionary_table(tables: list[ExportTable], fmt: str) -> ExportTable:
    rows = dictionary_rows(tables, fmt)
    data = pa.table({name: [r[i] for r in rows] for i, name in enumerate(DICTIONARY_COLUMNS)},
                    schema=pa.schema([pa.field(c, pa.string(), nullable=False) for c in DICTIONARY_COLUMNS]))
    spec = Table(DICTIONARY, "Every exported column: type, key and meaning.", ())
    return ExportTable(DICTIONARY, data, spec, ())


def _write_duckdb(tables: list[ExportTable], dest: Path) -> None:
    duckdb = import_duckdb()
    with _aside(dest) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            for table in tables + [_dictionary_table(tables, "duckdb")]:
                con.execute(create_table_sql(table, "duckdb"))
                con.register("_rows", table.data)
                try:
                    con.execute(f'INSERT INTO "{table.name}" SELECT * FROM _rows')
                except duckdb.ConstraintException as exc:
                    raise ExportError(f"{table.name}: {_first_line(exc)}") from None
                finally:
                    con.unregister("_rows")
        finally:
            con.close()


def _write_sqlite(tables: list[ExportTable], dest: Path) -> None:
    with _aside(dest) as tmp:
        con = sqlite3.connect(tmp)
        try:
            with con:
                for table in tables + [_dictionary_table(tables, "sqlite")]:
                    con.execute(create_table_sql(table, "sqlite"))
                    marks = ", ".join("?" * table.data.num_columns)
                    rows = [tuple(_sqlite_value(v) for v in row) for row in _rows(table.data)]
                    try:
                        con.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', rows)
                    except sqlite3.IntegrityError as exc:
                        raise ExportError(f"{table.name}: {exc}") from None
        finally:
            con.close()


def _sqlite_value(value):
    """SQLite has no lists or structs: they are stored as JSON, which its json_each() reads."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split("\n", 1)[0].split())

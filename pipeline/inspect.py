"""Look at a written dataset: one country's extraction as text, or SQL over every table.

The debugging and analysis side of the pipeline (``sdg-profiles show`` and
``sdg-profiles query``). It only reads output/; loading is kept apart from
formatting so the formatting is a pure function of rows.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import math
import textwrap
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pycountry

from .rules import fold_name
from .schema import TABLES
from .write import read_manifest

MAX_CELL = 60  # widest cell printed in a text table; longer values end in "…"
WRAP = 96


class InspectError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits with exit_code."""

    exit_code = 1


class NoDataset(InspectError):
    exit_code = 2  # a wrong --out is a usage error


class CountryNotFound(InspectError):
    pass


class QueryError(InspectError):
    pass


class DuckDBMissing(InspectError):
    exit_code = 2  # the environment lacks an optional dependency


# -- loading -----------------------------------------------------------------------------
def check_dataset(out_dir: Path) -> None:
    if not (out_dir / "profiles").is_dir():
        raise NoDataset(f"no dataset in {out_dir} (no profiles/ folder); run `sdg-profiles run INPUT --out {out_dir}` first")


def countries_present(out_dir: Path) -> list[str]:
    """ISO3 codes that have a profiles partition."""
    return sorted(p.name.split("=", 1)[1] for p in (out_dir / "profiles").glob("country=*") if p.is_dir())


def _read_partition(out_dir: Path, table: str, iso3: str) -> list[dict] | None:
    path = out_dir / table / f"country={iso3}" / "part-0.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else None


def _manifest_entries(out_dir: Path) -> list[dict]:
    return read_manifest(out_dir).get("inputs", [])


def resolve_country(out_dir: Path, query: str) -> str:
    """ISO3 of a country in the dataset, given its code or its name (as printed, or as ISO 3166 knows it)."""
    present = countries_present(out_dir)
    wanted = query.strip()
    if wanted.upper() in present:
        return wanted.upper()
    names = _names_present(out_dir, present)
    if fold_name(wanted) in names:
        return names[fold_name(wanted)][1]
    iso3 = _iso3_of_name(wanted)
    if iso3 in present:
        return iso3
    listed = ", ".join(present) or "none"
    if iso3 is not None:  # a real country, only not in this dataset: no look-alike to suggest
        raise CountryNotFound(f"no profile of {query.strip()} ({iso3}) in {out_dir} (countries there: {listed})")
    hint = closest_country(wanted, present, names)
    raise CountryNotFound(f"no country {query!r} in {out_dir}{f'; did you mean {hint}?' if hint else ''} (countries there: {listed})")


def _names_present(out_dir: Path, present: list[str]) -> dict[str, tuple[str, str]]:
    """Folded country name -> (name as printed, ISO3), from the manifest and the profiles rows."""
    names = {fold_name(e["country_name"]): (e["country_name"], e["iso3"]) for e in _manifest_entries(out_dir)
             if e.get("iso3") in present and e.get("country_name")}
    for iso3 in present:
        for row in _read_partition(out_dir, "profiles", iso3) or []:
            names.setdefault(fold_name(row["country_name"]), (row["country_name"], iso3))
    return names


def closest_country(typed: str, present: list[str], names: dict[str, tuple[str, str]]) -> str | None:
    """`Kazakhstan (KAZ)` for a typo of a name or code in the dataset (`Kazakstan`, `KZA`), else None."""
    candidates = {code.casefold(): (code, code) for code in present} | names
    match = difflib.get_close_matches(fold_name(typed), candidates, n=1, cutoff=0.6)
    if not match:
        return None
    name, iso3 = candidates[match[0]]
    return iso3 if name == iso3 else f"{name} ({iso3})"


def _iso3_of_name(name: str) -> str | None:
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def show_country(out_dir, iso3_or_name: str) -> str:
    """A readable summary of one country's extraction, from its partitions and the manifest."""
    out_dir = Path(out_dir)
    check_dataset(out_dir)
    iso3 = resolve_country(out_dir, iso3_or_name)
    tables = {name: _read_partition(out_dir, name, iso3) for name in TABLES}
    profile = (tables["profiles"] or [{}])[0]
    entries = [e for e in _manifest_entries(out_dir) if e.get("iso3") == iso3]
    entry = next((e for e in entries if e.get("path") == profile.get("source_file")), entries[0] if entries else None)
    return format_country(iso3, entry, tables)


# -- formatting one country ------------------------------------------------------------------
def format_country(iso3: str, entry: dict | None, tables: dict[str, list[dict] | None]) -> str:
    """The text `sdg-profiles show` prints; `tables` maps each table to its rows (None: no partition)."""
    profile = (tables.get("profiles") or [{}])[0]
    out = _header(iso3, profile, entry)
    out += _section_tree(tables.get("sections"))
    out += _footnotes(tables.get("footnotes"), tables.get("footnote_refs"))
    out += _admin_units(tables.get("admin_units"), profile)
    out += _ratings(tables.get("ratings"))
    out += _indicators(tables.get("indicators"))
    out += _priorities(tables.get("sdg_priorities"))
    out += _cases(tables.get("cases"))
    out += _entities(tables.get("entities"))
    return "\n".join(out) + "\n"


def _header(iso3: str, profile: dict, entry: dict | None) -> list[str]:
    name = profile.get("country_name") or (entry or {}).get("country_name") or "?"
    pages = profile.get("pages")
    source = f"{profile.get('source_file', '?')} ({profile.get('source_format', '?')}"
    source += f", {pages} pages)" if pages is not None else ")"
    out = [f"{name} ({iso3})", f"source: {source}"]
    if profile.get("source_sha256"):
        out.append(f"sha256: {profile['source_sha256']}")
    if profile.get("pipeline_version"):
        out.append(f"pipeline: {profile['pipeline_version']}")
    if entry is None:
        out.append("status: (no manifest entry)")
    else:
        status = entry.get("status", "?")
        if status == "skipped":
            status += f" ({entry.get('reason', '')}; previously {entry.get('previous_status', '?')})"
        out.append(f"status: {status}")
        warnings = entry.get("warnings") or []
        out.append(f"warnings: {len(warnings) or 'none'}")
        out += [f"  - {w}" for w in warnings]
        if entry.get("error"):
            out.append(f"error: {entry['error']}")
    return out


def _title(name: str, rows: list | None, extra: str = "") -> list[str]:
    count = "no partition" if rows is None else str(len(rows))
    return ["", f"{name} ({count}){extra}"]


def _section_tree(rows: list[dict] | None) -> list[str]:
    out = _title("Sections", rows)
    for s in sorted(rows or [], key=lambda r: r["ordinal"]):
        indent = "  " * max(s["level"], 1)
        pages = ""
        if s.get("page_start") is not None:
            pages = f", p. {s['page_start']}" + (f"-{s['page_end']}" if s.get("page_end") not in (None, s["page_start"]) else "")
        numbered = s["section_id"] == s.get("number")
        label = f"{s['section_id']}  {s['title']}" if numbered else f"{s['title']}  <{s['section_id']}>"
        out.append(f"{indent}{label}  [{s.get('key') or 'no key'}]  ({len(s.get('text') or '')} chars{pages})")
    return out


def _footnotes(notes: list[dict] | None, refs: list[dict] | None) -> list[str]:
    placed = "" if refs is None else f", {len(refs)} marker(s) placed"
    return ["", f"Footnotes: {'no partition' if notes is None else len(notes)}{placed}"]


_TIER_ORDER = {"regional": 1, "intermediate": 2, "municipal": 3, "sub_municipal": 4}


def _admin_units(rows: list[dict] | None, profile: dict) -> list[str]:
    structure = [profile.get("state_structure") or "structure not stated"]
    if profile.get("subnational_tiers") is not None:
        structure.append(f"{profile['subnational_tiers']} subnational tier(s) stated")
    out = _title("Admin units", rows, f": {', '.join(structure)}")
    tiers: dict[str | None, list[dict]] = {}
    for row in rows or []:
        tiers.setdefault(row.get("tier"), []).append(row)
    for tier in sorted(tiers, key=lambda t: (_TIER_ORDER.get(t, 9), t or "")):
        units = tiers[tier]
        rank = units[0].get("tier_rank")
        # Parts and subsets (part_of set) are inside another row's count: summed once.
        total = sum(u["count"] for u in units if u.get("part_of") is None)
        out.append(f"  {tier or '(no tier)'}" + (f" (rank {rank})" if rank is not None else "") + f": {total:,} unit(s)")
        for u in units:
            line = f"    {'  of which ' if u.get('part_of') is not None else ''}{u['qualifier'] + ' ' if u.get('qualifier') else ''}{u['count']:,} {u['unit_type']}"
            if u.get("local_term"):
                line += f" ({u['local_term']})"
            if u.get("named_members"):
                line += ": " + ", ".join(u["named_members"])
            out.append(line)
    return out


def _ratings(rows: list[dict] | None) -> list[str]:
    out = _title("Ratings", rows)
    for r in rows or []:
        rank = f" (rank {r['level_rank']})" if r.get("level_rank") is not None else ""
        out.append(f"  {r['dimension']}: {r['level']}{rank} by {r['method']}")
        for field in ("comment", "evidence"):
            if r.get(field):
                out += textwrap.wrap(f"{field}: {r[field]}", WRAP, initial_indent="    ", subsequent_indent="      ")
    return out


def _indicators(rows: list[dict] | None) -> list[str]:
    out = _title("Indicator rows", rows)
    if rows:
        columns = ["indicator_code", "series", "disaggregation", "value", "year", "unit", "raw_value", "official", "name"]
        table = format_table(columns, [[r.get(c) for c in columns] for r in rows], max_cell=48)
        out += ["  " + line for line in table.splitlines()[:-1]]  # without the "(n rows)" footer
    return out


def _priorities(rows: list[dict] | None) -> list[str]:
    out = _title("SDG priorities", rows)
    years: dict[int, list[int]] = {}
    for r in rows or []:
        years.setdefault(r["year"], []).append(r["sdg"])
    out += [f"  {year}: SDGs {', '.join(str(g) for g in sorted(goals))}" for year, goals in sorted(years.items())]
    return out


def _cases(rows: list[dict] | None) -> list[str]:
    return ["", f"Cases: {'no partition' if rows is None else len(rows)}"]


def _entities(rows: list[dict] | None) -> list[str]:
    counts = Counter(r["label"] for r in rows or [])
    by_label = ", ".join(f"{label} {n}" for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return ["", f"Entities: {'no partition' if rows is None else len(rows)}" + (f" ({by_label})" if by_label else "")]


# -- SQL ------------------------------------------------------------------------------------
QUERY_FORMATS = ("table", "csv", "json")
LIST_SEPARATOR = "; "  # how a list cell reads in CSV (and in the xlsx/CSV exports)


def sql_type(dtype: pa.DataType, dialect: str = "duckdb") -> str:
    """The column type of an Arrow type in DuckDB or SQLite DDL (SQLite keeps lists as JSON text)."""
    if pa.types.is_dictionary(dtype):
        return sql_type(dtype.value_type, dialect)
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return sql_type(dtype.value_type, dialect) + "[]" if dialect == "duckdb" else "TEXT"
    if pa.types.is_struct(dtype):
        fields = ", ".join(f'"{f.name}" {sql_type(f.type, dialect)}' for f in dtype)
        return f"STRUCT({fields})" if dialect == "duckdb" else "TEXT"
    for is_type, duckdb_name, sqlite_name in _SQL_TYPES:
        if is_type(dtype):
            return (duckdb_name(dtype) if callable(duckdb_name) else duckdb_name) if dialect == "duckdb" else sqlite_name
    raise ValueError(f"no SQL type for Arrow type {dtype}")


_DUCKDB_INTS = {8: "TINYINT", 16: "SMALLINT", 32: "INTEGER", 64: "BIGINT"}
_SQL_TYPES = [
    (pa.types.is_boolean, "BOOLEAN", "INTEGER"),
    (pa.types.is_integer, lambda t: ("U" if pa.types.is_unsigned_integer(t) else "") + _DUCKDB_INTS[t.bit_width], "INTEGER"),
    (pa.types.is_floating, lambda t: "DOUBLE" if t.bit_width == 64 else "FLOAT", "REAL"),
    (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), "VARCHAR", "TEXT"),
]


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(out_dir):
    """An in-memory DuckDB connection with one view per table over the dataset's partitions."""
    duckdb = import_duckdb()
    out_dir = Path(out_dir)
    check_dataset(out_dir)
    con = duckdb.connect()
    for name, table in TABLES.items():
        if any((out_dir / name).glob("*/*.parquet")):
            source = (f"read_parquet({_sql_string((out_dir / name).as_posix() + '/*/*.parquet')}, "
                      "hive_partitioning=true, union_by_name=true, hive_types={'country': VARCHAR})")
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {source}')
        else:  # no partition yet: an empty view with the schema, so queries still bind
            columns = ", ".join(f'CAST(NULL AS {sql_type(c.type)}) AS "{c.name}"' for c in table.columns)
            con.execute(f'CREATE VIEW "{name}" AS SELECT {columns}, CAST(NULL AS VARCHAR) AS country WHERE false')
    return con


def import_duckdb():
    """The duckdb module, or a one-line error saying how to install it."""
    try:
        import duckdb
    except ImportError:
        raise DuckDBMissing("DuckDB is not installed; install it with: pip install 'sdg-profiles[analysis]' (or pip install duckdb)") from None
    return duckdb


def query(out_dir, sql: str, fmt: str = "table", limit: int | None = None) -> str:
    """Run SQL over the dataset (one view per table); the result as an aligned text table, CSV or JSON.

    With `limit`, at most that many rows are kept; a table says so in its footer, CSV and JSON
    have no place for it (the CLI says it on stderr, see `query_result`).
    """
    return render(*query_result(out_dir, sql, limit), fmt)


def query_result(out_dir, sql: str, limit: int | None = None) -> tuple[list[str], list[tuple], bool]:
    """Column names, rows (at most `limit`) and whether rows were left out by the limit."""
    con = connect(out_dir)  # first: it reports a missing DuckDB as one line
    import duckdb

    try:
        cursor = con.execute(sql)
        if cursor is None:  # DuckDB found no statement: empty, blank or only comments
            raise QueryError("no SQL statement given; try: sdg-profiles query \"SELECT * FROM profiles\"")
        if cursor.description is None:
            return [], [], False
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall() if limit is None else cursor.fetchmany(limit + 1)
    except duckdb.Error as exc:
        raise QueryError(_one_line(str(exc))) from None
    finally:
        con.close()
    more = limit is not None and len(rows) > limit
    return columns, rows[:limit] if more else rows, more


def render(columns: list[str], rows: list, more: bool, fmt: str) -> str:
    """A query result in one of QUERY_FORMATS; a statement without a result (no columns) is `OK`."""
    if not columns:
        return "OK\n"
    if fmt == "csv":
        return format_csv(columns, rows)
    if fmt == "json":
        return format_json(columns, rows)
    if fmt == "table":
        return format_table(columns, rows, more=more)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(QUERY_FORMATS)}")


def _one_line(message: str) -> str:
    """DuckDB messages span lines (a caret under the query); keep the words on one line."""
    parts = [line.strip() for line in message.splitlines() if line.strip() and set(line.strip()) != {"^"}]
    return " ".join(parts)


def _cell_text(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    text = str(value) if not isinstance(value, (list, tuple)) else "[" + ", ".join(_cell_text(v) for v in value) + "]"
    return " ".join(text.split())


def format_table(columns: list[str], rows: list, max_cell: int = MAX_CELL, more: bool = False) -> str:
    """An aligned text table: numbers right-aligned, text left; NULL for missing values; a row count last.

    `more`: rows were left out (by --limit), and the footer says so.
    """
    cells = [[_clip(_cell_text(v), max_cell) for v in row] for row in rows]
    numeric = [_is_numeric_column([row[i] for row in rows]) for i in range(len(columns))]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    count = f"{len(rows)} row{'s' if len(rows) != 1 else ''}"
    out.append(f"(first {count}; more with a higher --limit)" if more else f"({count})")
    return "\n".join(out) + "\n"


def flat_text(value) -> str:
    """A value as one CSV or spreadsheet cell: empty for null, list items joined by LIST_SEPARATOR."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(flat_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def format_csv(columns: list[str], rows: list) -> str:
    """RFC 4180 CSV with a header row; nulls empty, lists joined by LIST_SEPARATOR."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([flat_text(v) for v in row] for row in rows)
    return buffer.getvalue()


def format_json(columns: list[str], rows: list) -> str:
    """A JSON array with one object per row (one per line); lists stay arrays, nulls are null."""
    lines = [json.dumps(dict(zip(columns, (_json_value(v) for v in row))), ensure_ascii=False) for row in rows]
    return "[" + ",\n ".join(lines) + "]\n"


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)  # dates, times, UUIDs


def _is_numeric_column(values: list) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------
# What the PDF reader saw on one page, for ``sdg-profiles overlay``
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
    """How the reader splits page ``page_number`` (IndexError when there is no such page),
    with the package's rules (a drawn scale's labels must name levels)."""
    from .extract import cached_rules
    from .pdf.backend import read_pages
    from .pdf.columns import bands, document_gutter, page_gutter
    from .pdf.furniture import body_style
    from .pdf.model import Vocabulary, group_rows
    from .pdf.reader import page_parts

    rules = cached_rules()
    vocab = Vocabulary.of(rules.normalize.keep_hyphen_prefixes, rules.headings, rules.ratings)
    pages = read_pages(Path(path), max_pages, backend)
    size = body_style(pages).size
    parts = page_parts(pages, size, vocab)
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


def layout_overlay(path: Path, page_number: int, resolution: int = 100, backend: str | None = None):
    """A picture of one page as the PDF reader split it (a pdfplumber PageImage; ``.save(png)``).

    Blue: body words; grey: furniture; purple: footnote zone; orange: bands;
    green: ruled-table cells; red: rating scales; a red line: the column gutter.
    """
    from .pdf.plumber import page_image

    seen = page_layout(path, page_number, backend=backend)
    image = page_image(path, page_number, resolution)
    image.draw_rects(seen.body, stroke=(40, 90, 230), fill=None, stroke_width=1)
    image.draw_rects(seen.furniture, stroke=(150, 150, 150), fill=(150, 150, 150, 60), stroke_width=1)
    image.draw_rects(seen.footnotes, stroke=(140, 40, 160), fill=None, stroke_width=1)
    image.draw_rects(seen.bands, stroke=(240, 140, 0), fill=None, stroke_width=2)
    image.draw_rects(seen.table_cells, stroke=(0, 160, 60), fill=None, stroke_width=1)
    image.draw_rects(seen.scales, stroke=(220, 0, 0), fill=None, stroke_width=2)
    if seen.gutter is not None:
        image.draw_vline(seen.gutter, stroke=(220, 0, 0), stroke_width=1)
    return image

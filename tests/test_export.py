"""`sdg-profiles export`: every format read back with another library and compared with the Parquet."""
from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import sys

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import pipeline.export as export_module
from pipeline.cli import main
from pipeline.export import EXCEL_CELL_LIMIT, MAX_WIDTH, MIN_WIDTH, ExportError, WriterMissing, export, key_columns
from pipeline.inspect import NoDataset, query_result, sql_type
from pipeline.run import RunConfig, run_batch
from pipeline.schema import TABLES, Table

from conftest import RAW

# A few profiles of each input kind keep the run short; the checks below are per value, not per profile.
SAMPLES = ["argentina.txt", "kazakhstan.md", "kenya.txt", "brazil.md", "senegal.md"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for name in SAMPLES:
        shutil.copy(RAW / name, raw / name)
    out = tmp_path_factory.mktemp("export") / "output"
    result = run_batch(RunConfig(input_dir=raw, out_dir=out, workers=1))
    assert result.exit_code == 0, [e.get("error") for e in result.failed]
    return out


@pytest.fixture(scope="module")
def exported(dataset, tmp_path_factory):
    """Each format written once: format -> path."""
    folder = tmp_path_factory.mktemp("exports")
    paths = {"xlsx": folder / "profiles.xlsx", "csv": folder / "csv", "duckdb": folder / "profiles.duckdb",
             "sqlite": folder / "profiles.sqlite"}
    for fmt, path in paths.items():
        export(dataset, fmt, path)
    return paths


def parquet_rows(out, table: str) -> list[dict]:
    """The table as the Parquet dataset holds it, read by pyarrow's own Hive reader (not the exporter's)."""
    data = ds.dataset(out / table, format="parquet", partitioning="hive").to_table()
    return data.to_pylist()


def arrow_types(table: str) -> dict[str, pa.DataType]:
    return {"country": pa.string()} | {c.name: c.type for c in TABLES[table].columns}


def canonical(rows: list[dict]) -> list[str]:
    """Rows as sorted JSON, so two readers' row lists compare whatever their order."""
    return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)


def flat(value, dtype: pa.DataType):
    """What a spreadsheet or CSV cell holds for a Parquet value: lists joined by '; ', nulls and '' as None."""
    if pa.types.is_list(dtype):
        value = "; ".join(str(v) for v in value) if value is not None else None
    return None if value in (None, "") else value


# -- xlsx -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workbook(exported):
    return openpyxl.load_workbook(exported["xlsx"])


def test_xlsx_has_one_sheet_per_table_then_the_dictionary(workbook):
    assert workbook.sheetnames == list(TABLES) + ["dictionary"]


@pytest.mark.parametrize("table", list(TABLES))
def test_xlsx_round_trips_values_and_types(workbook, dataset, table):
    sheet = workbook[table]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == ["country"] + TABLES[table].column_names
    types = arrow_types(table)
    got, expected = [], []
    for values in body:
        row = dict(zip(header, values))
        for name, value in row.items():
            dtype = types[name]
            if value is None:
                continue
            if pa.types.is_boolean(dtype):
                assert isinstance(value, bool), (name, value)
            elif pa.types.is_integer(dtype):
                assert type(value) is int, (name, value)
            elif pa.types.is_floating(dtype):
                assert isinstance(value, (int, float)) and not isinstance(value, bool), (name, value)
                row[name] = float(value)  # Excel stores 12.0 as 12
            else:
                assert isinstance(value, str), (name, value)
        got.append(row)
    for row in parquet_rows(dataset, table):
        expected.append({name: flat(value, types[name]) for name, value in row.items()})
    assert len(got) == len(expected)
    assert canonical(got) == canonical(expected)


def test_xlsx_sheets_have_a_frozen_filtered_header_and_readable_widths(workbook):
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet["A1"].font.b, name
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(MIN_WIDTH <= round(w) <= MAX_WIDTH + 1 for w in widths), (name, widths)
    units = workbook["admin_units"]
    widths = {c.value: units.column_dimensions[c.column_letter].width for c in units[1]}
    assert widths["evidence"] > widths["count"]  # long sentences get wide columns, numbers narrow ones


def test_xlsx_reads_in_pandas_with_country_first(exported, dataset):
    sheets = pd.read_excel(exported["xlsx"], sheet_name=None)
    for table in TABLES:
        assert list(sheets[table].columns) == ["country"] + TABLES[table].column_names
        assert len(sheets[table]) == len(parquet_rows(dataset, table))
    kaz = sheets["admin_units"].query("country == 'KAZ' and count == 3").iloc[0]
    assert kaz["named_members"] == "Astana; Almaty; Shymkent"


def test_xlsx_dictionary_describes_every_column_from_the_schema(workbook):
    rows = list(workbook["dictionary"].iter_rows(values_only=True))
    assert rows[0] == ("table", "column", "type", "nullable", "key", "references", "values", "written_as", "meaning")
    described = {(r[0], r[1]): r for r in rows[1:]}
    for table in TABLES.values():
        assert described[(table.name, None)][8] == table.meaning
        for column in table.columns:
            row = described[(table.name, column.name)]
            assert row[8] == column.meaning
            assert row[3] == ("yes" if column.nullable else "no")
    assert described[("admin_units", "named_members")][7] == "text: items joined by '; '"


def test_xlsx_is_the_same_bytes_for_the_same_dataset(exported, dataset, tmp_path):
    again = tmp_path / "again.xlsx"
    export(dataset, "xlsx", again)
    assert again.read_bytes() == exported["xlsx"].read_bytes()


# -- CSV ------------------------------------------------------------------------------------
PANDAS_TYPES = {"int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "double": "Float64", "bool": "boolean"}


def pandas_type(arrow_type_name: str) -> str:
    return PANDAS_TYPES.get(arrow_type_name, "string")  # text, and lists as joined text


def read_csv_as_the_dictionary_types(folder, table: str) -> pd.DataFrame:
    """A CSV read with the types its dictionary.csv states: what an analyst's script would do."""
    dictionary = pd.read_csv(folder / "dictionary.csv", dtype=str, keep_default_na=False)
    columns = dictionary[(dictionary["table"] == table) & (dictionary["column"] != "")]
    dtypes = {c: pandas_type(t) for c, t in zip(columns["column"], columns["type"])}
    typed = [c for c, t in dtypes.items() if t != "string"]
    return pd.read_csv(folder / f"{table}.csv", dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in typed})


@pytest.mark.parametrize("table", list(TABLES))
def test_csv_round_trips_values_and_types(exported, dataset, table):
    frame = read_csv_as_the_dictionary_types(exported["csv"], table)
    types = arrow_types(table)
    assert {name: str(frame[name].dtype) for name in frame.columns} == {
        name: pandas_type("bool" if pa.types.is_boolean(t) else str(t)) for name, t in types.items()}
    got = [{k: None if v is pd.NA or v == "" else v for k, v in row.items()} for row in frame.to_dict("records")]
    expected = [{name: flat(value, types[name]) for name, value in row.items()} for row in parquet_rows(dataset, table)]
    assert canonical(got) == canonical(expected)


def test_csv_folder_has_one_file_per_table_and_the_dictionary(exported):
    assert sorted(p.name for p in exported["csv"].iterdir()) == sorted([f"{t}.csv" for t in TABLES] + ["dictionary.csv"])


# -- DuckDB and SQLite ------------------------------------------------------------------------
@pytest.mark.parametrize("table", list(TABLES))
def test_duckdb_round_trips_values_and_types(exported, dataset, table):
    import duckdb

    with duckdb.connect(str(exported["duckdb"]), read_only=True) as con:
        declared = {name: kind for name, kind, *_ in con.execute(f'DESCRIBE "{table}"').fetchall()}
        data = con.sql(f'SELECT * FROM "{table}"').to_arrow_table()
    assert declared == {name: sql_type(t, "duckdb") for name, t in arrow_types(table).items()}
    decoded = {name: t.value_type if pa.types.is_dictionary(t) else t for name, t in arrow_types(table).items()}
    assert dict(zip(data.schema.names, data.schema.types)) == decoded
    assert canonical(data.to_pylist()) == canonical(parquet_rows(dataset, table))


@pytest.mark.parametrize("table", list(TABLES))
def test_sqlite_round_trips_values_and_types(exported, dataset, table):
    con = sqlite3.connect(exported["sqlite"])
    try:
        declared = {row[1]: row[2] for row in con.execute(f'PRAGMA table_info("{table}")')}
        cursor = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    finally:
        con.close()
    types = arrow_types(table)
    assert declared == {n: "INTEGER" if pa.types.is_integer(t) or pa.types.is_boolean(t) else "REAL" if pa.types.is_floating(t) else "TEXT"
                        for n, t in types.items()}
    for row in rows:
        for name, value in row.items():
            if pa.types.is_list(types[name]):
                row[name] = json.loads(value)
            elif pa.types.is_boolean(types[name]):
                assert value in (0, 1)
                row[name] = bool(value)
    assert canonical(rows) == canonical(parquet_rows(dataset, table))


@pytest.mark.parametrize("sql", [
    "SELECT country, count(*) AS n FROM admin_units GROUP BY country ORDER BY country",
    "SELECT country, dimension, level FROM ratings ORDER BY country, dimension",
    "SELECT f.country, count(*) AS n FROM footnote_refs r JOIN footnotes f ON f.country = r.country AND f.number = r.number "
    "GROUP BY f.country ORDER BY f.country",
])
def test_the_sql_of_query_runs_on_the_exported_databases(exported, dataset, sql):
    import duckdb

    _, expected, _ = query_result(dataset, sql)
    with duckdb.connect(str(exported["duckdb"]), read_only=True) as con:
        assert con.execute(sql).fetchall() == expected
    with sqlite3.connect(exported["sqlite"]) as con:
        assert con.execute(sql).fetchall() == expected


def test_databases_hold_the_dictionary(exported):
    import duckdb

    with duckdb.connect(str(exported["duckdb"]), read_only=True) as con:
        assert con.execute("SELECT written_as FROM dictionary WHERE \"table\" = 'cases' AND \"column\" = 'places'").fetchone() == ("VARCHAR[]",)
    with sqlite3.connect(exported["sqlite"]) as con:
        assert con.execute("SELECT written_as FROM dictionary WHERE \"table\" = 'cases' AND \"column\" = 'places'").fetchone() == ("text: a JSON array",)


# -- primary keys, read from the schema when it declares them ---------------------------------
@dataclasses.dataclass(frozen=True)
class KeyedTable(Table):
    primary_key: tuple[str, ...] = ()


def with_keys(monkeypatch, **keys):
    """schema.TABLES with these primary keys and no others (whether or not schema.Table has the field yet)."""
    tables = {name: KeyedTable(**{**{f.name: getattr(t, f.name) for f in dataclasses.fields(t)}, "primary_key": keys.get(name, ())})
              for name, t in TABLES.items()}
    monkeypatch.setattr(export_module, "TABLES", tables)


def primary_keys(duckdb_file, kind: str = "PRIMARY KEY") -> dict[str, list[str]]:
    import duckdb

    with duckdb.connect(str(duckdb_file), read_only=True) as con:
        return dict(con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                                "WHERE constraint_type = ?", [kind]).fetchall())


def test_databases_declare_the_schema_primary_key_within_each_country(dataset, tmp_path, monkeypatch):
    with_keys(monkeypatch, footnotes=("number",), profiles=("country",))
    export(dataset, "duckdb", tmp_path / "keyed.duckdb")
    export(dataset, "sqlite", tmp_path / "keyed.sqlite")
    assert primary_keys(tmp_path / "keyed.duckdb") == {"footnotes": ["country", "number"], "profiles": ["country"]}
    with sqlite3.connect(tmp_path / "keyed.sqlite") as con:
        pk = sorted((r[5], r[1]) for r in con.execute('PRAGMA table_info("footnotes")') if r[5])
        assert pk == [(1, "country"), (2, "number")]
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("INSERT INTO footnotes SELECT * FROM footnotes LIMIT 1")


def test_a_key_with_a_nullable_column_is_unique_not_primary(dataset, tmp_path, monkeypatch):
    with_keys(monkeypatch, sections=("section_id", "number"))  # number is null for unnumbered headings
    export(dataset, "duckdb", tmp_path / "keyed.duckdb")
    assert primary_keys(tmp_path / "keyed.duckdb") == {}
    assert primary_keys(tmp_path / "keyed.duckdb", "UNIQUE") == {"sections": ["country", "section_id", "number"]}


def test_the_export_declares_the_keys_schema_py_declares(exported):
    declared = {name: list(key_columns(spec)) for name, spec in TABLES.items() if key_columns(spec)}
    found = primary_keys(exported["duckdb"]) | primary_keys(exported["duckdb"], "UNIQUE")
    assert found == declared  # none until the schema declares them


@pytest.mark.parametrize("fmt", ["duckdb", "sqlite"])
def test_a_key_the_rows_violate_is_a_one_line_error_and_no_file(dataset, tmp_path, monkeypatch, fmt):
    with_keys(monkeypatch, sdg_priorities=("sdg",))  # a goal recurs across VNR years
    with pytest.raises(ExportError, match=r"^sdg_priorities: ") as info:
        export(dataset, fmt, tmp_path / f"bad.{fmt}")
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# -- what the dataset has decides what is exported ---------------------------------------------
def test_missing_tables_are_left_out_and_unknown_columns_kept(dataset, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(dataset, out)
    shutil.rmtree(out / "cases")
    part = out / "ratings" / "country=KAZ" / "part-0.parquet"
    table = pq.read_table(part)
    pq.write_table(table.append_column("reviewer", pa.array(["x"] * table.num_rows)), part)
    export(out, "xlsx", tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert "cases" not in book.sheetnames
    header = [c.value for c in book["ratings"][1]]
    assert header == ["country"] + TABLES["ratings"].column_names + ["reviewer"]
    reviewers = [r[-1] for r in book["ratings"].iter_rows(min_row=2, values_only=True)]
    assert reviewers.count("x") == table.num_rows and reviewers.count(None) == len(reviewers) - table.num_rows
    described = {(r[0], r[1]): r for r in book["dictionary"].iter_rows(values_only=True)}
    assert "Not in pipeline/schema.py" in described[("ratings", "reviewer")][8]
    assert not any(r[0] == "cases" for r in described)


def test_a_cell_longer_than_excel_holds_is_an_error_not_a_cut(dataset, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(dataset, out)
    part = out / "cases" / "country=KAZ" / "part-0.parquet"
    table = pq.read_table(part)
    texts = table.column("text").to_pylist()
    texts[0] = "x" * (EXCEL_CELL_LIMIT + 1)
    pq.write_table(table.set_column(table.schema.get_field_index("text"), "text", pa.array(texts)), part)
    with pytest.raises(ExportError, match=r"cases\.text of KAZ .* 32,768 characters.*export csv"):
        export(out, "xlsx", tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
    export(out, "csv", tmp_path / "csv")  # CSV has no such limit
    assert texts[0] in (tmp_path / "csv" / "cases.csv").read_text(encoding="utf-8")


# -- the command ------------------------------------------------------------------------------
def invoke(*args):
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result, exit_code: int, *words: str):
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("sdg-profiles: ") and result.stderr.count("\n") == 1, result.stderr
    assert all(w in result.stderr for w in words), result.stderr


def test_cli_export_takes_the_format_from_the_suffix(dataset, tmp_path):
    result = invoke("export", "--dataset", str(dataset), "--out", str(tmp_path / "p.sqlite"))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"wrote {tmp_path / 'p.sqlite'} (sqlite): {len(TABLES)} tables (profiles {len(SAMPLES)}, ")
    with sqlite3.connect(tmp_path / "p.sqlite") as con:
        assert con.execute("SELECT count(*) FROM profiles").fetchone() == (len(SAMPLES),)


def test_cli_export_replaces_an_existing_file(dataset, tmp_path):
    target = tmp_path / "p.duckdb"
    for _ in range(2):
        assert invoke("export", "--dataset", str(dataset), "--out", str(target)).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["p.duckdb"]


@pytest.mark.parametrize("args, words", [
    (["--out", "{tmp}/p.out"], ["cannot tell the format", "--format"]),
    (["--out", "{tmp}", "--format", "xlsx"], ["is a folder"]),
    (["--out", "{tmp}/file.txt", "--format", "csv"], ["is a file"]),
])
def test_cli_export_usage_errors_are_one_line_and_exit_2(dataset, tmp_path, args, words):
    (tmp_path / "file.txt").write_text("x")
    result = invoke("export", "--dataset", str(dataset), *[a.format(tmp=tmp_path) for a in args])
    assert_one_line_error(result, 2, *words)


def test_cli_export_without_a_dataset_is_exit_2(tmp_path):
    assert_one_line_error(invoke("export", "--dataset", str(tmp_path / "none"), "--out", str(tmp_path / "x.xlsx")), 2, "no dataset")
    with pytest.raises(NoDataset):
        export(tmp_path / "none", "csv", tmp_path / "csv")


def test_missing_xlsxwriter_says_how_to_install_it(dataset, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)  # import xlsxwriter now raises ImportError
    with pytest.raises(WriterMissing, match=r"pip install 'sdg-profiles\[export\]'"):
        export(dataset, "xlsx", tmp_path / "x.xlsx")
    assert_one_line_error(invoke("export", "--dataset", str(dataset), "--out", str(tmp_path / "x.xlsx")), 2, "XlsxWriter")


# -- types the schema may grow ----------------------------------------------------------------
@pytest.mark.parametrize("dtype, duckdb_type, sqlite_type", [
    (pa.dictionary(pa.int8(), pa.string()), "VARCHAR", "TEXT"),  # an enumeration stored dictionary-encoded
    (pa.int64(), "BIGINT", "INTEGER"),
    (pa.list_(pa.float64()), "DOUBLE[]", "TEXT"),
    (pa.struct([("count", pa.int32()), ("qualifier", pa.string())]), 'STRUCT("count" INTEGER, "qualifier" VARCHAR)', "TEXT"),
])
def test_sql_types_of_arrow_types(dtype, duckdb_type, sqlite_type):
    assert sql_type(dtype, "duckdb") == duckdb_type
    assert sql_type(dtype, "sqlite") == sqlite_type


def test_a_struct_cell_is_json_in_spreadsheets_and_sqlite():
    from pipeline.export import _sqlite_value
    from pipeline.inspect import flat_text

    value = {"count": 2300, "qualifier": "about"}
    assert json.loads(flat_text(value)) == value
    assert json.loads(_sqlite_value(value)) == value
    assert flat_text([1, 2]) == "1; 2" and flat_text(None) == "" and flat_text(True) == "true"


def test_dictionary_names_each_columns_joins_and_values(exported):
    """An analyst in Excel sees what a column joins to and the values it may take, in order."""
    dictionary = pd.read_csv(exported["csv"] / "dictionary.csv", dtype=str, keep_default_na=False)
    row = {(r["table"], r["column"]): r for r in dictionary.to_dict("records")}
    assert row[("footnote_refs", "number")]["references"] == "footnotes.number"
    assert row[("entities", "section_id")]["references"] == "sections.section_id"
    level = next(c for c in TABLES["ratings"].columns if c.name == "level")
    assert row[("ratings", "level")]["values"] == "; ".join(level.enum) and level.enum[0] == "mid_high"
    assert row[("ratings", "comment")]["values"] == "" and row[("ratings", "comment")]["references"] == ""

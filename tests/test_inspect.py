"""`sdg-profiles show` and `sdg-profiles query` over a fresh run of raw/ into tmp_path."""
from __future__ import annotations

import csv
import io
import json
import shutil
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import click

from pipeline.cli import main
from pipeline.inspect import (
    CountryNotFound,
    DuckDBMissing,
    NoDataset,
    QueryError,
    format_table,
    query,
    show_country,
)
from pipeline.run import RunConfig, run_batch
from pipeline.schema import TABLES

from conftest import GOLDEN, RAW


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("inspect") / "output"
    result = run_batch(RunConfig(input_dir=RAW, out_dir=out, workers=1))
    assert result.exit_code == 0, [e.get("error") for e in result.failed]
    return out


def golden_rows(iso3: str, table: str) -> list[dict]:
    lines = (GOLDEN / iso3 / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def parse_table(text: str) -> list[list[str]]:
    """Rows of a printed text table (header, dashes and the row-count footer dropped)."""
    lines = text.splitlines()
    assert set(lines[1].replace(" ", "")) <= {"-"}, text
    return [line.split() for line in lines[2:-1]]


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result, exit_code: int, *words: str):
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("sdg-profiles: ")
    assert result.stderr.count("\n") == 1, result.stderr
    for word in words:
        assert word in result.stderr


# -- show -------------------------------------------------------------------------------
def test_show_lists_every_section_of_kaz_indented_by_level(dataset):
    text = show_country(dataset, "KAZ")
    lines = text.splitlines()
    assert lines[0] == "Kazakhstan (KAZ)"
    assert "status: ok" in lines
    sections = golden_rows("KAZ", "sections")
    assert f"Sections ({len(sections)})" in lines
    for section in sections:
        line = next((l for l in lines if f"  {section['title']}  " in l and f"[{section['key'] or 'no key'}]" in l), None)
        assert line is not None, section["title"]
        assert line.startswith("  " * section["level"]) and line[2 * section["level"]] != " ", line
        assert section["section_id"] in line


def test_show_lists_the_ratings_of_kaz(dataset):
    text = show_country(dataset, "KAZ")
    for rating in golden_rows("KAZ", "ratings"):
        assert f"  {rating['dimension']}: {rating['level']}" in text
        assert f"by {rating['method']}" in text
        assert " ".join(f"comment: {rating['comment']}".split()) in " ".join(text.split())


def test_show_counts_units_indicators_priorities_and_cases(dataset):
    text = show_country(dataset, "KAZ")
    units = golden_rows("KAZ", "admin_units")
    assert f"Admin units ({len(units)}): unitary, 3 subnational tier(s) stated" in text
    for unit in units:
        assert f"{unit['count']:,} {unit['unit_type']}" in text
    assert text.index("  regional (rank 1)") < text.index("  intermediate (rank 2)") < text.index("  municipal (rank 3)")
    assert f"Indicator rows ({len(golden_rows('KAZ', 'indicators'))})" in text
    assert "  2022: SDGs 1, 3, 4, 6, 8" in text
    assert f"Cases: {len(golden_rows('KAZ', 'cases'))}" in text
    assert f"Footnotes: {len(golden_rows('KAZ', 'footnotes'))}" in text
    assert "Entities: " in text and "GPE " in text


@pytest.mark.parametrize("spelling", ["KAZ", "kaz", " Kazakhstan ", "KAZAKHSTAN", "Republic of Kazakhstan"])
def test_show_takes_a_code_or_a_name(dataset, spelling):
    assert show_country(dataset, spelling).startswith("Kazakhstan (KAZ)\n")


def test_show_sums_a_tier_without_its_parts(dataset):
    text = show_country(dataset, "Argentina")
    assert "  municipal (rank 3): 2,300 unit(s)" in text  # 2,300 local governments; their parts are inside it
    assert "      of which approximately 1,160 municipalities" in text
    assert "  sub_municipal (rank 4): " in show_country(dataset, "Kenya")


def test_show_unknown_country_lists_those_present(dataset):
    with pytest.raises(CountryNotFound, match=r"no country 'Atlantis' .*BRA, .*KAZ"):
        show_country(dataset, "Atlantis")
    with pytest.raises(CountryNotFound):
        show_country(dataset, "Japan")  # a real country, but not in this dataset


def test_cli_show(dataset):
    result = invoke("show", "kazakhstan", "--out", str(dataset))
    assert result.exit_code == 0, result.output
    assert result.stdout == show_country(dataset, "KAZ")


def test_cli_show_unknown_country_is_one_line_and_exit_1(dataset):
    assert_one_line_error(invoke("show", "Atlantis", "--out", str(dataset)), 1, "Atlantis")


@pytest.mark.parametrize("typo, hint", [
    ("Kazakstan", "did you mean Kazakhstan (KAZ)?"),
    ("kazahkstan", "did you mean Kazakhstan (KAZ)?"),
    ("Phillipines", "did you mean Philippines (PHL)?"),
    ("KZA", "did you mean KAZ?"),
])
def test_show_suggests_the_closest_country_on_a_typo(dataset, typo, hint):
    with pytest.raises(CountryNotFound) as info:
        show_country(dataset, typo)
    assert hint in str(info.value)
    assert_one_line_error(invoke("show", typo, "--out", str(dataset)), 1, hint)


@pytest.mark.parametrize("name", ["Atlantis", "Japan", "XYZ"])
def test_show_suggests_nothing_unlike_any_country_there(dataset, name):
    with pytest.raises(CountryNotFound) as info:
        show_country(dataset, name)
    assert "did you mean" not in str(info.value)


def test_show_a_real_country_without_a_profile_says_so(dataset):
    with pytest.raises(CountryNotFound, match=r"no profile of Japan \(JPN\) in "):
        show_country(dataset, "Japan")


def test_cli_show_without_a_dataset_is_exit_2(tmp_path):
    assert_one_line_error(invoke("show", "KAZ", "--out", str(tmp_path / "none")), 2, "no dataset")


# -- query -------------------------------------------------------------------------------
def test_query_counts_admin_units_per_country_as_golden(dataset):
    text = query(dataset, "select country, count(*) n from admin_units group by 1 order by 1")
    assert text.splitlines()[0].split() == ["country", "n"]
    got = {country: int(n) for country, n in parse_table(text)}
    expected = {d.name: len(golden_rows(d.name, "admin_units")) for d in sorted(GOLDEN.iterdir()) if d.is_dir()}
    assert got == expected
    assert text.endswith(f"({len(expected)} rows)\n")


def test_query_sees_every_table_with_the_rows_the_manifest_counts(dataset):
    manifest = json.loads((dataset / "_manifest.json").read_text(encoding="utf-8"))
    for table in TABLES:
        rows = parse_table(query(dataset, f"select country, count(*) from {table} group by 1 order by 1"))
        expected = sorted([e["iso3"], str(e["rows"][table])] for e in manifest["inputs"] if e["rows"][table])
        assert rows == expected, table


def test_query_renders_nulls_lists_and_right_aligned_numbers(dataset):
    text = query(dataset, "select unit_type, count, qualifier, named_members from admin_units "
                          "where country = 'KAZ' and count in (3, 2186) order by count")
    lines = text.splitlines()
    assert lines[2].startswith("cities of national sub-ordination")
    assert "[Astana, Almaty, Shymkent]" in lines[2] and "NULL" in lines[2]
    assert lines[2].index("    3") < lines[3].index("2186")  # numbers end in the same column
    assert lines[2].index("3 ") == lines[3].index("6 ")


@pytest.mark.parametrize("sql, words", [
    ("selec country from profiles", ["Parser Error", "selec"]),
    ("select nope from ratings", ["nope"]),
    ("select * from no_such_table", ["no_such_table"]),
])
def test_bad_sql_is_a_one_line_query_error(dataset, sql, words):
    with pytest.raises(QueryError) as info:
        query(dataset, sql)
    assert "\n" not in str(info.value)
    assert all(w in str(info.value) for w in words)


def test_cli_query(dataset):
    result = invoke("query", "select country from profiles order by 1 limit 1", "--out", str(dataset))
    assert result.exit_code == 0, result.output
    first = min(d.name for d in GOLDEN.iterdir() if d.is_dir())  # every raw/ profile has a golden folder
    assert result.stdout == f"country\n-------\n{first}\n(1 row)\n"


def test_cli_bad_sql_is_one_line_and_exit_1(dataset):
    assert_one_line_error(invoke("query", "selec 1", "--out", str(dataset)), 1, "Parser Error")


UNITS_SQL = ("select country, unit_type, count, qualifier, named_members from admin_units "
             "where country = 'KAZ' and count in (3, 2186) order by count")


def test_query_as_csv_joins_lists_and_leaves_nulls_empty(dataset):
    rows = list(csv.reader(io.StringIO(query(dataset, UNITS_SQL, fmt="csv"))))
    assert rows == [["country", "unit_type", "count", "qualifier", "named_members"],
                    ["KAZ", "cities of national sub-ordination", "3", "", "Astana; Almaty; Shymkent"],
                    ["KAZ", "rural districts", "2186", "", ""]]


def test_query_as_json_keeps_lists_numbers_and_nulls(dataset):
    rows = json.loads(query(dataset, UNITS_SQL, fmt="json"))
    assert rows[0] == {"country": "KAZ", "unit_type": "cities of national sub-ordination", "count": 3,
                       "qualifier": None, "named_members": ["Astana", "Almaty", "Shymkent"]}
    assert [r["count"] for r in rows] == [3, 2186]
    assert json.loads(query(dataset, "select 1.5 d, avg(count) a from admin_units where false", fmt="json")) == [
        {"d": 1.5, "a": None}]
    assert query(dataset, "select 1 where false", fmt="json") == "[]\n"


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_limit_keeps_the_first_rows(dataset, fmt):
    sql = "select country from profiles order by 1"
    full, limited = query(dataset, sql, fmt=fmt), query(dataset, sql, fmt=fmt, limit=2)
    if fmt == "table":
        assert parse_table(limited) == parse_table(full)[:2]
        assert limited.endswith("(first 2 rows; more with a higher --limit)\n")
    elif fmt == "csv":
        assert limited.splitlines() == full.splitlines()[:3]
    else:
        assert json.loads(limited) == json.loads(full)[:2]


def test_a_limit_above_the_row_count_changes_nothing(dataset):
    sql = "select country from profiles order by 1"
    assert query(dataset, sql, limit=100) == query(dataset, sql)


def test_cli_query_format_and_limit(dataset):
    result = invoke("query", "select country from profiles order by 1", "--out", str(dataset), "--format", "csv", "--limit", "1")
    assert result.exit_code == 0, result.output
    first = min(d.name for d in GOLDEN.iterdir() if d.is_dir())
    assert result.stdout == f"country\n{first}\n"
    assert result.stderr == "sdg-profiles: only the first 1 row(s) printed (--limit 1)\n"
    result = invoke("query", "select country from profiles", "--out", str(dataset), "--format", "json", "--limit", "100")
    assert result.exit_code == 0 and result.stderr == ""
    assert invoke("query", "select 1", "--out", str(dataset), "--format", "xml").exit_code == 2


@pytest.mark.parametrize("sql", ["", "   ", " ; ", "-- nothing but a comment"])
def test_cli_empty_query_is_one_line_and_exit_1(dataset, sql):
    assert_one_line_error(invoke("query", "--out", str(dataset), "--", sql), 1, "no SQL statement")


def test_cli_query_without_a_dataset_is_exit_2(tmp_path):
    assert_one_line_error(invoke("query", "select 1", "--out", str(tmp_path)), 2, "no dataset")


def test_missing_duckdb_says_how_to_install_it(dataset, monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb now raises ImportError
    with pytest.raises(DuckDBMissing, match=r"pip install"):
        query(dataset, "select 1")
    assert_one_line_error(invoke("query", "select 1", "--out", str(dataset)), 2, "DuckDB is not installed")


def test_query_a_missing_table_is_an_empty_view_and_extra_columns_are_unioned(dataset, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(dataset, out)
    shutil.rmtree(out / "cases")
    rows = parse_table(query(out, "select count(*), count(places) from cases"))
    assert rows == [["0", "0"]]
    extra = pa.table({"year": pa.array([2030], pa.int16()), "sdg": pa.array([7], pa.int8()), "note": ["added later"]})
    (out / "sdg_priorities" / "country=ZZZ").mkdir()
    pq.write_table(extra, out / "sdg_priorities" / "country=ZZZ" / "part-0.parquet")
    rows = parse_table(query(out, "select country, sdg, note from sdg_priorities where year = 2030"))
    assert rows == [["ZZZ", "7", "added", "later"]]


def test_no_dataset_errors(tmp_path):
    with pytest.raises(NoDataset):
        query(tmp_path, "select 1")
    with pytest.raises(NoDataset):
        show_country(tmp_path, "KAZ")


# -- the text table --------------------------------------------------------------------------
def test_format_table_aligns_and_clips():
    text = format_table(["name", "n", "x"], [["a", 1, None], ["bbbbbbbbbb", 100, 2.5], ["c\nd", None, True]], max_cell=6)
    assert text.splitlines() == [
        "name       n  x",
        "------  ----  ----",
        "a          1  NULL",
        "bbbbb…   100  2.5",
        "c d     NULL  True",
        "(3 rows)",
    ]


def test_format_table_without_rows():
    assert format_table(["a"], []) == "a\n-\n(0 rows)\n"


# -- the command line as a whole --------------------------------------------------------------
def test_every_option_of_every_command_has_help_text():
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts[0]} has no help text"


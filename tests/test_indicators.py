"""The indicators stage: the SDG indicator table, one row per printed value."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.document import Line, Outline, Paragraph, Section
from pipeline.errors import RuleError
from pipeline.indicators import IndicatorRow, extract_indicators, read_value
from pipeline.rules import DEFAULT_RULES_DIR, Rules, load_rules

RAW = Path(__file__).resolve().parent.parent / "raw"
def section(lines: list[str], key: str | None = "sdg_indicators", start: int = 1, section_id: str = "4") -> Section:
    """A section from source lines; an empty string is a blank line between paragraphs."""
    paragraphs, current = [], []
    for i, text in enumerate(lines):
        if not text.strip():
            if current:
                paragraphs.append(Paragraph(tuple(current)))
            current = []
            continue
        current.append(Line(text, start + i))
    if current:
        paragraphs.append(Paragraph(tuple(current)))
    return Section(section_id, None, "SDG INDICATORS", key, 1, None, 0, tuple(paragraphs))


def extract(rules: Rules, *sections: Section) -> tuple[IndicatorRow, ...]:
    return extract_indicators(Outline("Testland", tuple(sections)), rules)


def brief(rows) -> list[tuple]:
    return [(r.indicator_code, r.series, r.disaggregation, r.value, r.year, r.raw_value) for r in rows]


# -- the real profile ---------------------------------------------------------------
def kazakhstan_table_lines() -> tuple[list[str], int]:
    """The lines under "4. SDG INDICATORS" in raw/kazakhstan.md, up to its footnote 12."""
    lines = (RAW / "kazakhstan.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "SDG INDICATORS" in line) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("12. "))
    return lines[start:end], start + 1


KAZAKHSTAN = [
    ("5.5.1", "b", "total", 22.3, 2020, "22.3 (2020)"),
    ("6.1.1", None, "urban", None, None, "-"),
    ("6.1.1", None, "rural", None, None, "-"),
    ("6.2.1", "a", "urban", 91.0, 2020, "91 (2020)"),
    ("6.2.1", "a", "rural", None, None, "-"),
    ("11.1.1", None, "total", None, None, "-"),
    ("11.6.1", None, "total", None, None, "-"),
    ("11.6.2", None, "total", 17.8, 2016, "17.8 (2016)"),
    ("11.b.2", None, "total", 100.0, 2020, "100 (2020)"),
]


def test_kazakhstan_table(rules):
    lines, first_lineno = kazakhstan_table_lines()
    rows = extract(rules, section(lines, start=first_lineno))
    assert brief(rows) == KAZAKHSTAN
    assert all(r.official for r in rows)
    by_code = {r.indicator_code: r for r in rows}
    assert by_code["5.5.1"].name == "Proportion of seats held by women (%) in local governments"
    assert by_code["11.6.2"].name == "Air pollution – annual means of particulate matter in cities (population weighted)"
    assert by_code["11.6.2"].unit is None
    assert {r.unit for r in rows if r.indicator_code != "11.6.2"} == {"%"}


# -- layouts ------------------------------------------------------------------------
SPACED = [
    "5.5.1. (b) Proportion of seats held by women (%) in local governments        22.3 (2020)",
    "6.1.1. Proportion of population using safely managed drinking water services (%)    Urban    -",
    "                                                                                    Rural    -",
    "6.2.1. (a) Proportion of population using safely managed sanitation services (%)    Urban    91 (2020)",
    "                                                                                    Rural    -",
    "11.1.1. Proportion of population living in slums, informal settlements or inadequate housing (%)    -",
    "11.6.1. Proportion of municipal solid waste collected and managed (%)    -",
    "11.6.2. Air pollution – annual means of particulate matter in cities (population weighted)    17.8 (2016)",
    "11.b.2. Proportion of local governments that have adopted local disaster risk reduction strategies in line with national strategies (%)    100 (2020)",
]
PIPES = [
    "| Indicator | | Value |",
    "|---|---|---|",
    "| 5.5.1. (b) Proportion of seats held by women (%) in local governments | | 22.3 (2020) |",
    "| 6.1.1. Proportion of population using safely managed drinking water services (%) | Urban | - |",
    "| | Rural | - |",
    "| 6.2.1. (a) Proportion of population using safely managed sanitation services (%) | Urban | 91 (2020) |",
    "| | Rural | - |",
    "| 11.1.1. Proportion of population living in slums, informal settlements or inadequate housing (%) | | - |",
    "| 11.6.1. Proportion of municipal solid waste collected and managed (%) | | - |",
    "| 11.6.2. Air pollution – annual means of particulate matter in cities (population weighted) | | 17.8 (2016) |",
    "| 11.b.2. Proportion of local governments that have adopted local disaster risk reduction strategies"
    " in line with national strategies (%) | | 100 (2020) |",
]
GLUED = [  # a PDF text layer that kept only single spaces between cells
    "5.5.1. (b) Proportion of seats held by women (%) in local governments 22.3 (2020)",
    "6.1.1. Proportion of population using safely managed drinking water services (%) Urban -",
    "Rural -",
    "6.2.1. (a) Proportion of population using safely managed sanitation services (%) Urban 91 (2020)",
    "Rural -",
    "11.1.1. Proportion of population living in slums, informal settlements or inadequate housing (%) -",
    "11.6.1. Proportion of municipal solid waste collected and managed (%) -",
    "11.6.2. Air pollution – annual means of particulate matter in cities (population weighted) 17.8 (2016)",
    "11.b.2. Proportion of local governments that have adopted local disaster risk reduction strategies in line with national strategies (%) 100 (2020)",
]


@pytest.mark.parametrize("lines", [SPACED, PIPES, GLUED], ids=["spaces", "markdown-pipes", "single-spaces"])
def test_other_layouts_give_the_same_rows(rules, lines):
    rows = extract(rules, section(lines))
    assert brief(rows) == KAZAKHSTAN
    assert rows[0].name == "Proportion of seats held by women (%) in local governments"


@pytest.mark.parametrize(
    "lines",
    [
        ["11.b.2. Proportion of local governments that have adopted local disaster risk\t\t100 (2020)",
         "reduction strategies in line with national strategies (%)"],
        ["11.b.2 Proportion of local governments that have adopted local disaster risk",
         "   reduction strategies in line with national strategies (%)      100 (2020)"],
        ["11.b.2. Proportion of local governments that have adopted local disaster risk",
         "reduction strategies in line with",
         "national strategies (%) 100 (2020)"],
    ],
    ids=["value-on-first-line", "value-on-last-line", "three-lines-glued-value"],
)
def test_wrapped_name_is_joined(rules, lines):
    (row,) = extract(rules, section(lines))
    assert row.name == ("Proportion of local governments that have adopted local disaster risk "
                        "reduction strategies in line with national strategies (%)")
    assert (row.indicator_code, row.value, row.year, row.unit) == ("11.b.2", 100.0, 2020, "%")


def test_prose_after_the_table_is_not_a_name(rules):
    lines = ["11.6.1. Proportion of municipal solid waste collected and managed (%)\t\t-",
             "",
             "The data used for this table come from the UN SDG Indicators Database."]
    (row,) = extract(rules, section(lines))
    assert row.name == "Proportion of municipal solid waste collected and managed (%)"


@pytest.mark.parametrize(
    "printed, code, series",
    [
        ("11.b.2. Proportion of local governments (%)\t\t100 (2020)", "11.b.2", None),
        ("11.b.2 Proportion of local governments (%)\t\t100 (2020)", "11.b.2", None),
        ("5.5.1. (b) Proportion of seats held by women (%)\t\t100 (2020)", "5.5.1", "b"),
        ("5.5.1 (b) Proportion of seats held by women (%)\t\t100 (2020)", "5.5.1", "b"),
        ("5.5.1(b) Proportion of seats held by women (%)\t\t100 (2020)", "5.5.1", "b"),
        ("Indicator 11.B.2: Proportion of local governments (%)\t\t100 (2020)", "11.b.2", None),
    ],
    ids=["trailing-dot", "no-dot", "dot-series", "series", "series-glued", "prefix-colon-upper"],
)
def test_code_variants(rules, printed, code, series):
    (row,) = extract(rules, section([printed]))
    assert (row.indicator_code, row.series, row.official) == (code, series, True)
    assert row.name.startswith("Proportion of")


def test_unknown_code_is_not_official(rules):
    rows = extract(rules, section([
        "11.1.9. Share of households connected to district heating (%)\t\t45 (2019)",
        "11.1.1. Proportion of population living in slums (%)\t\t12 (2019)",
    ]))
    assert [(r.indicator_code, r.official, r.value) for r in rows] == [("11.1.9", False, 45.0), ("11.1.1", True, 12.0)]


def test_value_without_year(rules):
    (row,) = extract(rules, section(["11.b.2. Proportion of local governments (%)\t\t100"]))
    assert (row.value, row.year, row.raw_value) == (100.0, None, "100")


def test_header_columns_give_the_disaggregation(rules):
    rows = extract(rules, section([
        "Indicator\tUrban\tRural",
        "6.1.1 Proportion of population using safely managed drinking water services (%)\t95 (2020)\t80 (2020)",
        "6.2.1 Proportion of population using safely managed sanitation services (%)\t\t70 (2019)",
    ]))
    assert [(r.indicator_code, r.disaggregation, r.value) for r in rows] == [
        ("6.1.1", "urban", 95.0), ("6.1.1", "rural", 80.0), ("6.2.1", "rural", 70.0)]


def test_label_synonyms_and_label_on_its_own_line(rules):
    rows = extract(rules, section([
        "6.1.1 Proportion of population using safely managed drinking water services (%)",
        "\tNational\t93 (2020)",
        "\tUrban areas\t98 (2020)",
        "\tRural",
        "\t\t86 (2020)",
        "4",  # a page number after the complete row
    ]))
    assert [(r.disaggregation, r.value) for r in rows] == [("total", 93.0), ("urban", 98.0), ("rural", 86.0)]


def test_lowercase_words_inside_a_name_are_not_labels(rules):
    (row,) = extract(rules, section(["11.2.1 Share of population with access to transport in urban areas 45 (2020)"]))
    assert row.name == "Share of population with access to transport in urban areas"
    assert (row.disaggregation, row.value, row.unit) == ("total", 45.0, None)


def test_blank_cell_gives_a_row_without_value(rules):
    rows = extract(rules, section(["6.1.1 Proportion of population using safely managed drinking water services (%)\tUrban\t",
                                   "\tRural\t-"]))
    assert [(r.disaggregation, r.value, r.raw_value) for r in rows] == [("urban", None, ""), ("rural", None, "-")]


@pytest.mark.parametrize(
    "printed, value, year, unit",
    [
        ("91 (2020)", 91.0, 2020, None),
        ("17.8 (2016)", 17.8, 2016, None),
        ("100", 100.0, None, None),
        ("1,234.5 (2019)", 1234.5, 2019, None),
        ("22.3% (2020)", 22.3, 2020, "%"),
        ("-", None, None, None),
        ("–", None, None, None),
        ("n/a", None, None, None),
        ("N/A (2019)", None, 2019, None),
        ("<5 (2018)", None, 2018, None),
        ("approx. 20", None, None, None),
    ],
)
def test_read_value(rules, printed, value, year, unit):
    reading = read_value(printed, rules.indicators)
    assert (reading.value, reading.year, reading.unit) == (value, year, unit)


@pytest.mark.parametrize("printed", ["", "Rural", "Proportion of seats", "2015–2030", "(population weighted)"])
def test_read_value_refuses_non_values(rules, printed):
    assert read_value(printed, rules.indicators) is None


def test_inexact_value_keeps_raw_and_year(rules):
    (row,) = extract(rules, section(["3.3.1 Number of new HIV infections per 1,000 uninfected population\t\t<0.1 (2018)"]))
    assert (row.value, row.year, row.raw_value) == (None, 2018, "<0.1 (2018)")


def test_unreadable_cell_keeps_raw_value(rules):
    rows = extract(rules, section([
        "5.5.1 (b) Proportion of seats held by women in local governments\t\t2020: 22.3",
        "6.1.1 Proportion of population using safely managed drinking water services (%)\tRural\tsee VNR (2019)",
    ]))
    assert [(r.name[:20], r.disaggregation, r.value, r.year, r.raw_value) for r in rows] == [
        ("Proportion of seats ", "total", None, None, "2020: 22.3"),
        ("Proportion of popula", "rural", None, 2019, "see VNR (2019)"),
    ]


def test_unit_printed_with_the_value(rules):
    (row,) = extract(rules, section(["5.5.1 (b) Proportion of seats held by women in local governments\t\t22.3% (2020)"]))
    assert (row.value, row.unit, row.raw_value) == (22.3, "%", "22.3% (2020)")


def test_repeated_header_and_justified_prose_make_no_rows(rules):
    rows = extract(rules, section([
        "SDG indicator\tValue (year)",
        "5.5.1 (b) Proportion of seats held by women (%) in local governments\t\t22.3 (2020)",
        "Indicator\tValue",
        "11.6.1 Proportion of municipal solid waste collected and managed (%)\t\t-",
        "",
        "Data  come  from  the  UN  SDG  Indicators  Database,  2022  edition.",
    ]))
    assert brief(rows) == [("5.5.1", "b", "total", 22.3, 2020, "22.3 (2020)"), ("11.6.1", None, "total", None, None, "-")]
    assert rows[1].name == "Proportion of municipal solid waste collected and managed (%)"


# -- finding the table --------------------------------------------------------------
def test_unkeyed_section_holding_a_table_is_used(rules):
    prose = section(["Indicators such as 11.b.2 are monitored nationally."], key="monitoring", section_id="1.3")
    table = section(["5.5.1 Proportion of seats held by women (%)\t\t22.3 (2020)",
                     "11.b.2 Proportion of local governments (%)\t\t100 (2020)"], key=None, section_id="indicators")
    assert [r.indicator_code for r in extract(rules, prose, table)] == ["5.5.1", "11.b.2"]


def test_no_table_gives_no_rows(rules):
    prose = section(["11.b.2 is mentioned in the VNR without a value."], key="monitoring", section_id="1.3")
    assert extract(rules, prose) == ()


# -- the UN list and the rule files -----------------------------------------------------
def test_un_indicator_list(rules):
    names = rules.sdg_indicators.names
    assert len(names) == 244  # the open-sdg list: 231 unique indicators, some under several targets
    assert names["5.5.1"] == "Proportion of seats held by women in (a) national parliaments and (b) local governments"
    assert names["11.b.2"] == names["1.5.4"] == names["13.1.3"]
    assert names["17.10.1"] == "Worldwide weighted tariff-average"
    assert {code.split(".")[0] for code in names} == {str(g) for g in range(1, 18)}


def _copy_rules(tmp_path: Path) -> Path:
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    return rules_dir


def test_broken_indicator_list_fails_with_file_and_line(tmp_path):
    rules_dir = _copy_rules(tmp_path)
    (rules_dir / "sdg_indicators.csv").write_text(
        "# broken copy\n"
        "code,name\n"
        "1.1.1,Proportion of population below the international poverty line\n"
        "1.1.1,Twice\n"
        "18.1.1,No goal 18\n"
        "5.5,Too short\n"
        "6.1.1,\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as exc:
        load_rules(rules_dir)
    errors = exc.value.errors
    assert "rules/sdg_indicators.csv:4: duplicate indicator code '1.1.1' (first on line 3)" in errors
    assert "rules/sdg_indicators.csv:5: indicator code '18.1.1': goal must be 1-17" in errors
    assert any(e.startswith("rules/sdg_indicators.csv:6: bad indicator code '5.5'") for e in errors)
    assert "rules/sdg_indicators.csv:7: indicator '6.1.1' has an empty name" in errors


def test_broken_table_rules_fail_with_file_and_line(tmp_path):
    rules_dir = _copy_rules(tmp_path)
    text = (DEFAULT_RULES_DIR / "indicators.yaml").read_text(encoding="utf-8")
    text = text.replace("  rural: [Rural,", "  rurall: [Rural,").replace("fallback_min_rows: 2", "fallback_min_rows: 0")
    text = text.replace("number: '[-−]?", "number: '(x?)|[-−]?")
    (rules_dir / "indicators.yaml").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line_of = lambda prefix: next(i for i, line in enumerate(lines, 1) if line.startswith(prefix))  # noqa: E731
    with pytest.raises(RuleError) as exc:
        load_rules(rules_dir)
    errors = exc.value.errors
    assert any(e.startswith(f"rules/indicators.yaml:{line_of('  rurall:')}: unknown disaggregation 'rurall'") for e in errors)
    assert any(e.startswith(f"rules/indicators.yaml:{line_of('number:')}: vacuous pattern") for e in errors)
    assert any(e.startswith(f"rules/indicators.yaml:{line_of('fallback_min_rows:')}: 'fallback_min_rows'") for e in errors)


# -- goal, UN name and code order ----------------------------------------------------------
def test_rows_sort_by_goal_target_and_indicator_as_numbers(rules):
    rows = extract(rules, section([
        "11.1.1. Proportion of population living in slums (%)\t\t12 (2019)",
        "11.N.1. Share of cities with a plan (%)\t\t40 (2020)",
        "5.5.1. (b) Women in local government (%)\t\t30 (2021)",
        "11.b.2. Proportion of local governments (%)\t\t-",
        "11.2.1. Proportion of population with convenient access to public transport (%)\t\t50 (2020)",
    ]))
    # 5 before 11, 11.2 before 11.b; the national 11.N.1 stays after the row printed before it
    assert [r.indicator_code for r in rows] == ["5.5.1", "11.1.1", "11.N.1", "11.2.1", "11.b.2"]
    assert [r.ordinal for r in rows] == [0, 1, 2, 3, 4]
    assert [r.goal for r in rows] == [5, 11, 11, 11, 11]


def test_un_name_stands_next_to_the_printed_name(rules):
    official, national = extract(rules, section([
        "11.1.1. Slum population (%)\t\t12 (2019)",
        "11.N.1. Share of cities with a plan (%)\t\t40 (2020)",
    ]))
    assert official.name == "Slum population (%)"
    assert official.un_name == rules.sdg_indicators.names["11.1.1"]
    assert official.un_name.startswith("Proportion of urban population living in slums")
    assert national.un_name is None and national.goal == 11


@pytest.mark.parametrize("code, goal", [("5.5.1", 5), ("17.18.1", 17), ("18.1.1", None), ("N.1.1", None)])
def test_goal_of_a_code(code, goal):
    from pipeline.indicators import goal_of

    assert goal_of(code) == goal


def test_code_order_compares_numbers_not_text():
    from pipeline.indicators import code_order

    codes = ["11.b.2", "11.10.1", "5.5.1", "11.2.1", "11.a.1", "1.1.1"]
    assert sorted(codes, key=code_order) == ["1.1.1", "5.5.1", "11.2.1", "11.10.1", "11.a.1", "11.b.2"]


def test_skip_lines_joined_find_what_any_of_them_finds():
    """``is_skipped`` asks the joined ``skip_lines`` once: the same answer as asking each,
    on every line of the samples and on lines made to hit or miss one pattern."""
    from conftest import RAW
    from pipeline.indicators import is_skipped

    table = load_rules().indicators
    assert table.any_skip_line is not None
    lines = ["| --- | --- |", "  |:---:|---|", "Sources: UN Stats", "  notes : see", "Data sources:", "no source here",
             "---", "--", "Source", "data  sources :", "| 11.1.1 | Urban | 23 (2020) |"]
    lines += [line for path in sorted(RAW.glob("*.md")) for line in path.read_text(encoding="utf-8").splitlines()]
    answers = [(is_skipped(line, table), any(p.search(line) for p in table.skip_lines)) for line in lines]
    assert all(joined == each for joined, each in answers)
    assert sum(joined for joined, _ in answers) >= 5 and not all(joined for joined, _ in answers)

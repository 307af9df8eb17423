"""One schema for every output table: Arrow types, column meanings, row order.

The writer, the golden comparison, docs/data-dictionary.md and datapackage.json
all derive from TABLES, so a column cannot change in one place only.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    sort_key: tuple[str, ...] = ()  # row order to_arrow enforces; () keeps extraction (document) order

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


S, I8, I16, I32, F64, B = pa.string(), pa.int8(), pa.int16(), pa.int32(), pa.float64(), pa.bool_()
LS, LI16 = pa.list_(pa.string()), pa.list_(pa.int16())

TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("profiles", "One row per profile.", (
            Column("country_name", S, "Country name as the profile titles it, in title case."),
            Column("source_file", S, "Input path relative to the input folder."),
            Column("source_sha256", S, "Hex SHA-256 digest of the input bytes."),
            Column("source_format", S, "`pdf`, `markdown` or `text`."),
            Column("pages", pa.int16(), "Page count (null for text inputs).", True),
            Column("state_structure", S, "`unitary` or `federal` when the profile says so.", True),
            Column("subnational_tiers", I8, "Number of subnational tiers the profile states.", True),
            Column("vnr_years", LI16, "Years of the VNRs the profile discusses, ascending."),
            Column("pipeline_version", S, "Version of sdg-profiles that wrote the row."),
            Column("rules_digest", S, "SHA-256 over every file in rules/ used for the run (extension)."),
        )),
        Table("sections", "The document tree, in document order.", (
            Column("section_id", S, "Section number when numbered, else parent id + `/` + slug of the title, or the slug at top level."),
            Column("number", S, "Printed section number (`1.1`), null when unnumbered.", True),
            Column("title", S, "Heading text as printed, clean."),
            Column("key", S, "Canonical key from rules/headings.yaml, null when the heading is unknown.", True),
            Column("level", I8, "1 for `1` and unnumbered top-level headings, 2 for `1.1`, 3 below a level-2 section."),
            Column("parent_id", S, "section_id of the parent section.", True),
            Column("ordinal", I16, "0, 1, 2 ... in document order."),
            Column("text", S, "The section's own body text (children excluded), clean."),
            Column("page_start", I16, "Page where the section starts (null for text inputs).", True),
            Column("page_end", I16, "Page where the section ends (null for text inputs).", True),
        ), ("ordinal",)),
        Table("footnotes", "Footnotes, lifted out of the body text.", (
            Column("number", I16, "Footnote number."),
            Column("text", S, "Clean text; markdown links reduced to their target URL."),
            Column("urls", LS, "Every URL in the footnote, unescaped."),
            Column("page", I16, "Page the footnote is printed on (null for text inputs).", True),
        ), ("number",)),
        Table("footnote_refs", "Where each footnote marker stood.", (
            Column("number", I16, "Footnote number."),
            Column("section_id", S, "Section whose text (or heading) carries the marker."),
            Column("char_offset", I32, "Offset in that section's clean text where the marker stood (0 on the heading)."),
        )),
        Table("admin_units", "Counts of subnational units (territorial organization).", (
            Column("tier", S, "`regional`, `intermediate`, `municipal` or `sub_municipal`, as the text places it (README, Admin units).", True),
            Column("tier_rank", I8, "1, 2, 3, 4 for those tiers.", True),
            Column("unit_type", S, "The unit's noun phrase as written, lower case, quotes removed."),
            Column("local_term", S, "Local name given in parentheses or italics.", True),
            Column("count", I32, "The number, from digits or words."),
            Column("qualifier", S, "`over`, `about`, `at least`, ... when the count is not exact.", True),
            Column("named_members", LS, "Members listed in parentheses, else empty."),
            Column("footnotes", LI16, "Footnote markers in the same sentence."),
            Column("evidence", S, "The clean sentence the count came from."),
            Column("ordinal", I16, "0, 1, 2 ... in document order; with country, the row's key."),
            Column("part_of", I16, "`ordinal` of the row this count is a part or subset of (parts of a stated total, a subset stated inside a count), else null.", True),
            Column("is_total", B, "The count is a total that other rows (its parts) break down, or a count over several tiers at once."),
        )),
        Table("ratings", "LRG participation ratings.", (
            Column("dimension", S, "`vnr_process` or `coordination_mechanisms`."),
            Column("level", S, "`mid_high`, `weak`, `none`, `no_elected_lrgs` or `no_information`."),
            Column("level_rank", I8, "2, 1, 0 for `mid_high`, `weak`, `none`; null otherwise.", True),
            Column("method", S, "`graphic`, `label` or `comment_rules`: how the level was found."),
            Column("comment", S, "The printed Comments: text, clean, without the prefix.", True),
            Column("evidence", S, "The label, graphic or rubric rule that decided the level.", True),
        )),
        Table("indicators", "The SDG indicator table; one row per printed value.", (
            Column("indicator_code", S, "`5.5.1`, `11.b.2` (no trailing dot)."),
            Column("series", S, "`a`, `b` from `(a)`/`(b)` after the code.", True),
            Column("name", S, "Indicator name as printed, clean."),
            Column("disaggregation", S, "`total`, `urban` or `rural`."),
            Column("value", F64, "Null when printed as `-` or blank.", True),
            Column("year", I16, "Year in parentheses after the value.", True),
            Column("unit", S, "`%` when the name says `(%)`, else null unless stated.", True),
            Column("raw_value", S, "The printed cell."),
            Column("official", B, "The code is in the UN global SDG indicator list in rules/."),
        )),
        Table("entities", "Named entities found in section text.", (
            Column("section_id", S, "Section whose text holds the entity."),
            Column("text", S, "The entity as it appears."),
            Column("label", S, "spaCy label (GPE, LOC, ORG, LAW, DATE, PERCENT, CARDINAL, ...)."),
            Column("start", I32, "Start offset in the section's clean text."),
            Column("end", I32, "End offset in the section's clean text."),
            Column("method", S, "`ruler` (rules/ patterns) or `model` (a statistical spaCy model)."),
        )),
        Table("cases", "Items of SPECIFIC PROJECTS AND CASES.", (
            Column("ordinal", I16, "0, 1, ... in document order."),
            Column("places", LS, "Places the item names (bold names, GPE/LOC entities)."),
            Column("text", S, "The item's clean text."),
        ), ("ordinal",)),
        Table("sdg_priorities", "The SDGs a VNR singled out.", (
            Column("year", I16, "VNR year."),
            Column("sdg", I8, "Goal number 1-17."),
        ), ("year", "sdg")),
    ]
}


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column) -> an Arrow table of exactly the schema."""
    spec = TABLES[table]
    if spec.sort_key:
        rows = sorted(rows, key=lambda row: tuple(row.get(k) for k in spec.sort_key))
    columns = {c.name: [row.get(c.name) for row in rows] for c in spec.columns}
    for column in spec.columns:
        if not column.nullable and any(v is None for v in columns[column.name]):
            raise ValueError(f"{table}.{column.name} is not nullable but a row has no value")
    return pa.Table.from_pydict(columns, schema=spec.arrow_schema)


# -- documentation derived from TABLES ------------------------------------------------
PARTITION = Column("country", S, "ISO 3166-1 alpha-3 code (`KAZ`), from the partition path `country=<ISO3>`; not stored inside the files.")
LAYOUT = "output/{table}/country=<ISO3>/part-0.parquet"
MEDIATYPE = "application/vnd.apache.parquet"


def arrow_type_name(dtype: pa.DataType) -> str:
    """The contract's spelling of an Arrow type: `string`, `int16`, `double`, `bool`, `list<int16>`."""
    if pa.types.is_list(dtype):
        return f"list<{arrow_type_name(dtype.value_type)}>"
    return "bool" if pa.types.is_boolean(dtype) else str(dtype)


def frictionless_type(dtype: pa.DataType) -> str:
    """Table Schema field type of an Arrow type; an unknown type is an error, not `any`."""
    if pa.types.is_string(dtype):
        return "string"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype):
        return "number"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_list(dtype):
        return "array"
    raise ValueError(f"no Table Schema type for Arrow type {dtype}")


def _row_order(table: Table) -> str:
    if table.sort_key:
        return "sorted by " + ", ".join(f"`{k}`" for k in table.sort_key)
    return "in extraction order (document order)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def data_dictionary_markdown() -> str:
    """docs/data-dictionary.md, generated so the documentation cannot drift from the writer."""
    out = [
        "# Data dictionary",
        "",
        "<!-- Generated from pipeline/schema.py by `python -m pipeline.schema > docs/data-dictionary.md`;",
        "     do not edit by hand (tests/test_schema.py fails when this file is stale). -->",
        "",
        "Each table is a Hive-partitioned Parquet dataset with one partition per country:",
        "",
        "    " + LAYOUT.format(table="<table>"),
        "",
        "Read the folder `output/<table>` (pandas, pyarrow) or the glob",
        "`output/<table>/*/*.parquet` with `hive_partitioning=true` (DuckDB) to get every",
        "country at once; the `country` column comes from the partition path and readers",
        "append it after the stored columns. A profile whose table has no rows still has a",
        "zero-row partition. `output/datapackage.json` describes the same tables as a",
        "Frictionless Data Package; `output/_manifest.json` lists every input with its status,",
        "ISO3 code, rows per table, warnings and errors.",
        "",
        "| table | meaning |",
        "|---|---|",
    ]
    out += [f"| [{t.name}](#{t.name}) | {_cell(t.meaning)} |" for t in TABLES.values()]
    for table in TABLES.values():
        out += [
            "",
            f"## {table.name}",
            "",
            table.meaning,
            "",
            f"Partitions: `{LAYOUT.format(table=table.name)}`; rows {_row_order(table)}.",
            "",
            "| column | Arrow type | nullable | meaning |",
            "|---|---|---|---|",
        ]
        for column in table.columns + (PARTITION,):
            name = f"`{column.name}`" + (" (partition)" if column is PARTITION else "")
            nullable = "yes" if column.nullable else "no"
            out.append(f"| {name} | `{arrow_type_name(column.type)}` | {nullable} | {_cell(column.meaning)} |")
    return "\n".join(out) + "\n"


def _field(column: Column) -> dict:
    field = {
        "name": column.name,
        "type": frictionless_type(column.type),
        "description": column.meaning,
        "arrowType": arrow_type_name(column.type),
    }
    if not column.nullable:
        field["constraints"] = {"required": True}
    return field


def datapackage_descriptor() -> dict:
    """A Frictionless Data Package descriptor of the dataset (written as output/datapackage.json)."""
    resources = []
    for table in TABLES.values():
        country = dict(_field(PARTITION), constraints={"required": True, "pattern": "[A-Z]{3}"})
        resources.append({
            "name": table.name,
            "path": f"{table.name}/",
            "format": "parquet",
            "mediatype": MEDIATYPE,
            "description": f"{table.meaning} Hive-partitioned: {table.name}/country=<ISO3>/part-0.parquet.",
            "partitioning": {"flavor": "hive", "fields": [PARTITION.name]},
            "schema": {"fields": [_field(c) for c in table.columns] + [country]},
        })
    return {
        "profile": "data-package",
        "name": "sdg-profiles",
        "title": "GTF/UCLG country profiles on SDG localization, as tables",
        "description": "Tables extracted by sdg-profiles; one Hive-partitioned Parquet dataset per table "
                       "(partition column `country`, ISO 3166-1 alpha-3). Column types in `arrowType`.",
        "resources": resources,
    }


if __name__ == "__main__":
    import sys

    sys.stdout.write(data_dictionary_markdown())

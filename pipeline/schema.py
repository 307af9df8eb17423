"""One schema for every output table: Arrow types, column meanings, keys, row order.

The writer, the golden comparison, docs/data-dictionary.md and datapackage.json
all derive from TABLES, so a column cannot change in one place only.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

from . import __version__
from .rules import RATING_DIMENSIONS, RATING_LEVELS, REVIEW_KINDS


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    meaning: str
    nullable: bool = False
    enum: tuple[str, ...] = ()  # the only values the column takes (besides null), in their documented order
    bounds: tuple[int, int] | None = None  # smallest and largest value of an integer column


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` of a row name a row of ``table`` by its ``reference`` columns (same country)."""

    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    sort_key: tuple[str, ...] = ()  # row order to_arrow enforces; () keeps extraction (document) order
    primary_key: tuple[str, ...] = ()  # columns that name one row; `country` (the partition) comes first
    foreign_keys: tuple[ForeignKey, ...] = ()
    row_order: str = ""  # how rows are ordered when the stage, not sort_key, orders them

    @cached_property
    def arrow_schema(self) -> pa.Schema:
        schema = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])
        return schema.with_metadata(pandas_metadata(self.columns))

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def pandas_metadata(columns: tuple[Column, ...]) -> dict[bytes, bytes]:
    """pandas metadata naming a nullable integer column's extension dtype (`Int16`), so that
    pandas reads it as integers with <NA>, not as float64 with NaN. Fixed text (no library
    versions), so the Parquet bytes stay the same from run to run."""
    described = [
        {"name": c.name, "field_name": c.name, "pandas_type": str(c.type), "numpy_type": "I" + str(c.type)[1:], "metadata": None}
        for c in columns
        if c.nullable and pa.types.is_integer(c.type)
    ]
    document = {"index_columns": [], "column_indexes": [], "columns": described}
    return {b"pandas": json.dumps(document, sort_keys=True).encode()}


S, I8, I16, I32, F64, B = pa.string(), pa.int8(), pa.int16(), pa.int32(), pa.float64(), pa.bool_()
LS, LI16 = pa.list_(pa.string()), pa.list_(pa.int16())

# Enumerations. `level` is ordered mid_high > weak > none; no_elected_lrgs and
# no_information stand apart from that scale (level_rank null).
LEVELS = tuple(RATING_LEVELS)
LEVEL_SCALE = tuple(sorted((lv for lv, rank in RATING_LEVELS.items() if rank is not None), key=lambda lv: -RATING_LEVELS[lv]))
DIMENSIONS = RATING_DIMENSIONS
TIERS = ("regional", "intermediate", "municipal", "sub_municipal")  # tier_rank 1, 2, 3, 4
RATING_METHODS = ("graphic", "label", "comment_rules")
ENTITY_METHODS = ("ruler", "model")
DISAGGREGATIONS = ("total", "urban", "rural")
SOURCE_FORMATS = ("pdf", "markdown", "text")
STATE_STRUCTURES = ("unitary", "federal")

_LEVEL_MEANING = ("`mid_high`, `weak`, `none`, `no_elected_lrgs` or `no_information`; ordered mid_high > weak > none, "
                  "no_elected_lrgs and no_information stand apart.")


def _tier_units(tier: str) -> tuple[Column, Column]:
    return (
        Column(f"{tier}_units", I32, f"Units of the {tier} tier: the sum of admin_units `count` over the rows of that tier whose `part_of` is null (parts of a total and subsets of a count are not counted twice); null when no row has that tier.", True),
        Column(f"{tier}_qualifier", S, f"Qualifier of `{tier}_units`: null when every summed count is exact, the qualifier when the summed rows share one, else `about`.", True),
    )


def _rating_of(dimension: str) -> tuple[Column, Column]:
    return (
        Column(f"{dimension}_level", S, f"ratings `level` of `{dimension}`; null when the profile has no rating for it.", True, LEVELS),
        Column(f"{dimension}_method", S, f"ratings `method` of `{dimension}`.", True, RATING_METHODS),
    )


PROFILE = ForeignKey(("country",), "profiles", ("country",))


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table("profiles", "One row per profile.", (
            Column("country_name", S, "Country name as the profile titles it, in title case."),
            Column("source_file", S, "Input path relative to the input folder."),
            Column("source_sha256", S, "Hex SHA-256 digest of the input bytes."),
            Column("source_format", S, "`pdf`, `markdown` or `text`.", False, SOURCE_FORMATS),
            Column("pages", pa.int16(), "Page count (null for text inputs).", True),
            Column("state_structure", S, "`unitary` or `federal` when the profile says so.", True, STATE_STRUCTURES),
            Column("subnational_tiers", I8, "Number of subnational tiers the profile states.", True),
            Column("vnr_years", LI16, "Years of the VNRs the profile discusses, ascending."),
            Column("pipeline_version", S, "Version of sdg-profiles that wrote the row."),
            Column("rules_digest", S, "SHA-256 over every file in rules/ used for the run (extension)."),
        ), primary_key=("country",)),
        Table("countries", "One row per profile: the figures an analyst compares across countries, summed without double counting (extension; derived from the other tables).", (
            Column("country_name", S, "Country name as the profile titles it, in title case."),
            Column("state_structure", S, "`unitary` or `federal` when the profile says so.", True, STATE_STRUCTURES),
            Column("subnational_tiers", I8, "Number of subnational tiers the profile states.", True),
            *_tier_units("regional"),
            *_tier_units("intermediate"),
            *_tier_units("municipal"),
            *_tier_units("sub_municipal"),
            *_rating_of("vnr_process"),
            *_rating_of("coordination_mechanisms"),
            Column("vnr_years", LI16, "Years of the VNRs the profile discusses, ascending."),
            Column("footnotes", I16, "Number of footnotes."),
            Column("cases", I16, "Number of items of SPECIFIC PROJECTS AND CASES."),
            Column("local_reviews", I16, "Number of rows in local_reviews (VLRs and VSRs the profile says were presented)."),
            Column("indicators_with_value", I16, "Number of indicator rows with a value (not printed as `-` or blank)."),
            Column("warnings", I16, "Number of warnings the extraction of this profile gave (listed in output/_manifest.json)."),
        ), primary_key=("country",), foreign_keys=(PROFILE,)),
        Table("sections", "The document tree, in document order.", (
            Column("section_id", S, "Section number when numbered, else parent id + `/` + slug of the title, or the slug at top level."),
            Column("number", S, "Printed section number (`1.1`), null when unnumbered.", True),
            Column("title", S, "Heading text as printed, clean."),
            Column("key", S, "Canonical key from rules/headings.yaml, null when the heading is unknown.", True),
            Column("level", I8, "1 for `1` and unnumbered top-level headings, 2 for `1.1`, 3 below a level-2 section."),
            Column("parent_id", S, "section_id of the parent section.", True),
            Column("ordinal", I16, "0, 1, 2 ... in document order."),
            Column("text", S, "The section's own body text (children excluded), clean; empty for a heading with no body of its own."),
            Column("page_start", I16, "Page where the section starts (null for text inputs).", True),
            Column("page_end", I16, "Page where the section ends (null for text inputs).", True),
        ), ("ordinal",), primary_key=("country", "section_id"),
            foreign_keys=(ForeignKey(("country", "parent_id"), "sections", ("country", "section_id")),)),
        Table("footnotes", "Footnotes, lifted out of the body text.", (
            Column("number", I16, "Footnote number."),
            Column("text", S, "Clean text; markdown links reduced to their target URL."),
            Column("urls", LS, "Every URL in the footnote, unescaped."),
            Column("page", I16, "Page the footnote is printed on (null for text inputs).", True),
        ), ("number",), primary_key=("country", "number")),
        Table("footnote_refs", "Where each footnote marker stood.", (
            Column("number", I16, "Footnote number."),
            Column("section_id", S, "Section whose text (or heading) carries the marker."),
            Column("char_offset", I32, "Offset in that section's clean text where the marker stood (0 on the heading)."),
        ), primary_key=("country", "number", "section_id", "char_offset"), foreign_keys=(
            ForeignKey(("country", "number"), "footnotes", ("country", "number")),
            ForeignKey(("country", "section_id"), "sections", ("country", "section_id")),
        )),
        Table("admin_units", "Counts of subnational units (territorial organization).", (
            Column("tier", S, "`regional`, `intermediate`, `municipal` or `sub_municipal` (units below the municipal level: barangays, wards, villages, neighbourhoods...), as the text places it (README, Admin units).", True, TIERS),
            Column("tier_rank", I8, "1, 2, 3, 4 for those tiers.", True, bounds=(1, 4)),
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
        ), primary_key=("country", "ordinal"),
            foreign_keys=(ForeignKey(("country", "part_of"), "admin_units", ("country", "ordinal")),)),
        Table("ratings", "LRG participation ratings.", (
            Column("dimension", S, "`vnr_process` or `coordination_mechanisms`.", False, DIMENSIONS),
            Column("level", S, _LEVEL_MEANING, False, LEVELS),
            Column("level_rank", I8, "2, 1, 0 for `mid_high`, `weak`, `none`; null otherwise.", True, bounds=(0, 2)),
            Column("method", S, "`graphic`, `label` or `comment_rules`: how the level was found.", False, RATING_METHODS),
            Column("comment", S, "The printed Comments: text, clean, without the prefix.", True),
            Column("evidence", S, "The label, graphic or rubric rule that decided the level.", True),
        ), primary_key=("country", "dimension")),
        Table("indicators", "The SDG indicator table; one row per printed value.", (
            Column("indicator_code", S, "`5.5.1`, `11.b.2` (no trailing dot)."),
            Column("goal", I8, "The SDG the code belongs to, 1-17 (its first number); sort by `goal` and row order, not by the code as text.", True, bounds=(1, 17)),
            Column("series", S, "`a`, `b` from `(a)`/`(b)` after the code.", True),
            Column("name", S, "Indicator name as printed, clean."),
            Column("un_name", S, "The UN's own name of the indicator (rules/sdg_indicators.csv); null for a code outside the UN list.", True),
            Column("disaggregation", S, "`total`, `urban` or `rural`.", False, DISAGGREGATIONS),
            Column("value", F64, "Null when printed as `-` or blank.", True),
            Column("year", I16, "Year in parentheses after the value.", True),
            Column("unit", S, "`%` when the name says `(%)`, else null unless stated.", True),
            Column("raw_value", S, "The printed cell."),
            Column("official", B, "The code is in the UN global SDG indicator list in rules/."),
            Column("ordinal", I16, "0, 1, 2 ... in row order; with country, the row's key."),
        ), primary_key=("country", "ordinal"),
            row_order="by goal, target and indicator, numerically (5.5.1 before 11.1.1, 11.2.1 before 11.10.1), printed order within a code; a code outside the UN list stays after the row printed before it"),
        Table("entities", "Named entities found in section text.", (
            Column("section_id", S, "Section whose text holds the entity."),
            Column("text", S, "The entity as it appears."),
            Column("label", S, "spaCy label (GPE, LOC, ORG, LAW, DATE, PERCENT, CARDINAL, ...)."),
            Column("start", I32, "Start offset in the section's clean text."),
            Column("end", I32, "End offset in the section's clean text."),
            Column("method", S, "`ruler` (rules/ patterns) or `model` (a statistical spaCy model).", False, ENTITY_METHODS),
        ), primary_key=("country", "section_id", "start", "end", "label"),
            foreign_keys=(ForeignKey(("country", "section_id"), "sections", ("country", "section_id")),)),
        Table("cases", "Items of SPECIFIC PROJECTS AND CASES.", (
            Column("ordinal", I16, "0, 1, ... in document order."),
            Column("places", LS, "Places the item names (bold names, GPE/LOC entities)."),
            Column("text", S, "The item's clean text."),
        ), ("ordinal",), primary_key=("country", "ordinal")),
        Table("sdg_priorities", "The SDGs a VNR singled out.", (
            Column("year", I16, "VNR year."),
            Column("sdg", I8, "Goal number 1-17.", bounds=(1, 17)),
        ), ("year", "sdg"), primary_key=("country", "year", "sdg")),
        Table("local_reviews", "Voluntary local and subnational reviews (VLRs, VSRs) the profile says were presented, from its VSR/VLR section; none when it says there are none (extension).", (
            Column("ordinal", I16, "0, 1, ... in document order; with country, the row's key."),
            Column("place", S, "The city, state or province that presented the review, without `the city of`; or the association that did (a VSR)."),
            Column("kind", S, "`VLR` (voluntary local review) or `VSR` (voluntary subnational review).", False, REVIEW_KINDS),
            Column("year", I16, "Year the review was presented or published."),
            Column("footnote", I16, "The footnote giving the review's source: the marker in its sentence, else the next one in the section.", True),
            Column("evidence", S, "The clean sentence the review came from."),
        ), ("ordinal",), primary_key=("country", "ordinal"),
            foreign_keys=(ForeignKey(("country", "footnote"), "footnotes", ("country", "number")),)),
    ]
}


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column; a list column's value a list or a tuple) -> an Arrow
    table of exactly the schema."""
    spec = TABLES[table]
    if spec.sort_key:
        rows = sorted(rows, key=lambda row: tuple(row.get(k) for k in spec.sort_key))
    columns = [[row.get(c.name) for row in rows] for c in spec.columns]
    for column, values in zip(spec.columns, columns):
        if not column.nullable and any(v is None for v in values):
            raise ValueError(f"{table}.{column.name} is not nullable but a row has no value")
        if column.enum:
            unknown = sorted({v for v in values if v is not None} - set(column.enum))
            if unknown:
                raise ValueError(f"{table}.{column.name}: {unknown[0]!r} is not one of {', '.join(column.enum)}")
        if column.bounds:
            outside = sorted(v for v in values if v is not None and not column.bounds[0] <= v <= column.bounds[1])
            if outside:
                raise ValueError(f"{table}.{column.name}: {outside[0]} is outside {column.bounds[0]}-{column.bounds[1]}")
    # Arrays, then the table: ``Table.from_pydict`` costs twice as much for these small tables.
    return pa.Table.from_arrays([pa.array(values, type=c.type) for c, values in zip(spec.columns, columns)],
                                schema=spec.arrow_schema)


# -- documentation derived from TABLES ------------------------------------------------
PARTITION = Column("country", S, "ISO 3166-1 alpha-3 code (`KAZ`), from the partition path `country=<ISO3>`; not stored inside the files.")
LAYOUT = "output/{table}/country=<ISO3>/part-0.parquet"
MEDIATYPE = "application/vnd.apache.parquet"
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TABLESCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
LICENSES = [{"name": "MIT", "path": "https://opensource.org/license/mit",
             "title": "MIT License (sdg-profiles and the tables it writes; the profiles keep their publishers' terms)"}]
SOURCES = [
    {"title": "GTF/UCLG country profiles on SDG localization (the input files; each with its path and sha256 in "
              "_manifest.json and in profiles.source_file, profiles.source_sha256)",
     "path": "https://www.global-taskforce.org/"},
    {"title": "UN global SDG indicator framework, via open-sdg/sdg-translations (rules/sdg_indicators.csv)",
     "path": "https://unstats.un.org/sdgs/indicators/indicators-list/"},
]


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
    return table.row_order or "in extraction order (document order)"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _names(columns: tuple[str, ...]) -> str:
    return ", ".join(f"`{c}`" for c in columns)


def join_lines(table: Table) -> list[str]:
    """Each foreign key of a table and each table whose foreign key names it, as prose."""
    out = [f"`{table.name}`.({_names(fk.fields)}) -> `{fk.table}`.({_names(fk.reference)})" for fk in table.foreign_keys]
    out += [
        f"`{other.name}`.({_names(fk.fields)}) -> `{table.name}`.({_names(fk.reference)})"
        for other in TABLES.values()
        for fk in other.foreign_keys
        if fk.table == table.name and other.name != table.name
    ]
    return out


def _meaning_with_enum(column: Column) -> str:
    if not column.enum or all(f"`{v}`" in column.meaning for v in column.enum):
        return column.meaning
    return f"{column.meaning} One of {_names(column.enum)}."


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
        "zero-row partition. Integer columns that can be null carry pandas metadata, so pandas",
        "reads them as nullable integers (`Int16`, with `<NA>`), not as floats.",
        "`output/datapackage.json` describes the same tables as a Frictionless Data Package",
        "(v2) with the same keys, joins and enumerations; `output/_manifest.json` lists every",
        "input with its status, ISO3 code, rows per table, warnings and errors.",
        "",
        "**Start with `countries`**: one row per profile with units per tier (summed without",
        "double counting), both ratings, VNR years and counts of what each profile holds.",
        "",
        "Every key includes `country`; every join is within one country (join on `country`",
        "too). Rating levels are ordered " + " > ".join(f"`{v}`" for v in LEVEL_SCALE) + "; "
        + " and ".join(f"`{v}`" for v in LEVELS if v not in LEVEL_SCALE) + " stand apart from that scale.",
        "",
        "| table | key | meaning |",
        "|---|---|---|",
    ]
    out += [f"| [{t.name}](#{t.name}) | {_names(t.primary_key)} | {_cell(t.meaning)} |" for t in TABLES.values()]
    for table in TABLES.values():
        out += [
            "",
            f"## {table.name}",
            "",
            table.meaning,
            "",
            f"Partitions: `{LAYOUT.format(table=table.name)}`; rows {_row_order(table)}.",
            "",
            f"Key: {_names(table.primary_key)} (one row per value of these columns).",
            "",
        ]
        joins = join_lines(table)
        if joins:
            out += ["Joins:", ""] + [f"- {line}" for line in joins] + [""]
        out += [
            "| column | Arrow type | nullable | meaning |",
            "|---|---|---|---|",
        ]
        for column in table.columns + (PARTITION,):
            name = f"`{column.name}`" + (" (partition)" if column is PARTITION else "")
            nullable = "yes" if column.nullable else "no"
            out.append(f"| {name} | `{arrow_type_name(column.type)}` | {nullable} | {_cell(_meaning_with_enum(column))} |")
    return "\n".join(out) + "\n"


def _field(column: Column) -> dict:
    field = {
        "name": column.name,
        "type": frictionless_type(column.type),
        "description": column.meaning,
        "arrowType": arrow_type_name(column.type),
    }
    constraints = {}
    if not column.nullable:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if pa.types.is_integer(column.type):
        bits = column.type.bit_width
        low, high = column.bounds or (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        constraints.update(minimum=low, maximum=high)
    if column.name == "level" and column.enum == LEVELS:
        field["categories"] = list(LEVELS)
        field["levelScale"] = list(LEVEL_SCALE)  # ordered, best first; the other levels stand apart
    if pa.types.is_list(column.type):
        field["itemType"] = frictionless_type(column.type.value_type)
    if constraints:
        field["constraints"] = constraints
    return field


def _schema(table: Table) -> dict:
    country = dict(_field(PARTITION), constraints={"required": True, "pattern": "[A-Z]{3}"})
    schema = {
        "$schema": TABLESCHEMA_PROFILE,
        "fields": [_field(c) for c in table.columns] + [country],
        "primaryKey": list(table.primary_key),
        # Nulls are Parquet nulls; an empty string is a value (the text of a heading with no body).
        "missingValues": [],
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [_foreign_key(table, fk) for fk in table.foreign_keys]
    return schema


def _foreign_key(table: Table, fk: ForeignKey) -> dict:
    reference = {"fields": list(fk.reference)}
    if fk.table != table.name:  # no resource: the table refers to itself
        reference = {"resource": fk.table, **reference}
    return {"fields": list(fk.fields), "reference": reference}


def created_timestamp() -> str:
    """When the data package was made: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def datapackage_descriptor(created: str | None = None) -> dict:
    """A Frictionless Data Package (v2) descriptor of the dataset (written as output/datapackage.json)."""
    resources = []
    for table in TABLES.values():
        resources.append({
            "name": table.name,
            "type": "table",
            "path": f"{table.name}/",
            "format": "parquet",
            "mediatype": MEDIATYPE,
            "description": f"{table.meaning} Hive-partitioned: {table.name}/country=<ISO3>/part-0.parquet.",
            "partitioning": {"flavor": "hive", "fields": [PARTITION.name]},
            "schema": _schema(table),
        })
    return {
        "$schema": DATAPACKAGE_PROFILE,
        "name": "sdg-profiles",
        "title": "GTF/UCLG country profiles on SDG localization, as tables",
        "description": "Tables extracted by sdg-profiles; one Hive-partitioned Parquet dataset per table "
                       "(partition column `country`, ISO 3166-1 alpha-3). Column types in `arrowType`. "
                       "Start with the `countries` table.",
        "version": __version__,
        "created": created or created_timestamp(),
        "licenses": LICENSES,
        "sources": SOURCES,
        "resources": resources,
    }


if __name__ == "__main__":
    import sys

    sys.stdout.write(data_dictionary_markdown())

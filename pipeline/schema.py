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
    sort_key: tuple[str, ...] = ()  # row order the writer guarantees; () keeps extraction order

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
            Column("tier", S, "`regional`, `intermediate` or `municipal`, as the text places it.", True),
            Column("tier_rank", I8, "1, 2, 3 for those tiers.", True),
            Column("unit_type", S, "The unit's noun phrase as written, lower case, quotes removed."),
            Column("local_term", S, "Local name given in parentheses or italics.", True),
            Column("count", I32, "The number, from digits or words."),
            Column("qualifier", S, "`over`, `about`, `at least`, ... when the count is not exact.", True),
            Column("named_members", LS, "Members listed in parentheses, else empty."),
            Column("footnotes", LI16, "Footnote markers in the same sentence."),
            Column("evidence", S, "The clean sentence the count came from."),
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
    columns = {c.name: [row.get(c.name) for row in rows] for c in spec.columns}
    for column in spec.columns:
        if not column.nullable and any(v is None for v in columns[column.name]):
            raise ValueError(f"{table}.{column.name} is not nullable but a row has no value")
    return pa.Table.from_pydict(columns, schema=spec.arrow_schema)

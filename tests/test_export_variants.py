"""The Kazakhstan profile as other export tools write it gives the same golden rows.

Each variant rewrites raw/kazakhstan.md the way another tool would print the same
document: pandoc footnotes (``[^4]`` and ``[^4]: text``), Unicode superscript markers
(``them.⁴``), plain text without markup (markers glued to words, no ``#``), and Windows
line ends with a BOM. Text copies from other tools add their own conventions: headings
wrapped onto two lines, Symbol-font bullets, a table of contents, pandoc grid tables,
and Unicode hyphens at line ends. Only the source fields may differ.
"""
from __future__ import annotations

import re
import textwrap

import pytest

from pipeline.document import SourceDocument
from pipeline.extract import extract_document
from pipeline.golden import compare_tables, read_golden

from conftest import GOLDEN, RAW

KAZ = (RAW / "kazakhstan.md").read_text(encoding="utf-8")
NOTE_LINE = re.compile(r"^(\d{1,2})\. ", re.M)
SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def pandoc(text: str) -> str:
    return NOTE_LINE.sub(r"[^\1]: ", re.sub(r"<sup>(\d+)</sup>", r"[^\1]", text))


def unicode_superscripts(text: str) -> str:
    return re.sub(r"<sup>(\d+)</sup>", lambda m: m.group(1).translate(SUPERSCRIPTS), text)


def plain_text(text: str) -> str:
    text = re.sub(r"<sup>(\d+)</sup>", r"\1", text)
    text = re.sub(r"^#+\s*", "", text, flags=re.M)
    text = re.sub(r"\[([^\]]*)\]\(([^)]*)\)", r"\2", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text)
    return text.replace("**", "").replace("*", "").replace("\\\\_", "_").replace("\\_", "_")


HEADING = re.compile(r"^#+\s+(.*)$", re.M)


def wrapped_headings(text: str) -> str:
    """A narrow plain-text copy: upper-case headings wrap onto the next lines
    ('2.4 VOLUNTARY SUBNATIONAL' / 'AND/OR LOCAL REVIEWS (VSRs /' / 'VLRs)')."""
    def wrap(m):
        title = m.group(1)
        if title[:1] in "►▶" or len(title) <= 30:
            return m.group(0)
        return "\n".join(textwrap.wrap(title, 30, break_on_hyphens=False))
    return plain_text(HEADING.sub(wrap, text))


def symbol_bullets(text: str) -> str:
    """Word's plain text: list items open with the Symbol font's private-use bullet and a tab,
    sub-headings with a Wingdings arrowhead."""
    return plain_text(text).replace("▶ ", "\uf0b7\t").replace("► ", "\uf0d8 ")


def lone_bullets(text: str) -> str:
    """Bullets of other fonts, each alone on its line above its item (a PDF-to-text copy)."""
    return text.replace("▶ ", "▪\n").replace("► ", "➢  ")


def _contents_entries(text: str) -> list[str]:
    return [re.sub(r"<sup>\d+</sup>", "", m.group(1)).lstrip("►▶ ") for m in HEADING.finditer(text)][1:]


def _after_title(text: str, block: str) -> str:
    return text.replace("# KAZAKHSTAN\n", "# KAZAKHSTAN\n\n" + block + "\n", 1)


def contents_with_pages(text: str) -> str:
    """A word processor's table of contents: the headings with dot leaders and page numbers."""
    entries = [f"{entry} {'.' * max(3, 60 - len(entry))} {1 + i // 4}"
               for i, entry in enumerate(_contents_entries(text))]
    return _after_title(text, "**Table of contents**\n\n" + "\n".join(entries) + "\n")


def contents_without_pages(text: str) -> str:
    """A plain-text copy whose contents block repeats the headings exactly, without page numbers."""
    return plain_text(_after_title(text, "CONTENTS\n\n" + "\n".join(_contents_entries(text)) + "\n"))


def contents_as_links(text: str) -> str:
    """A Google Docs export: an unlabelled contents block of links to the headings."""
    links = [f"[{entry}](#heading=h.{i:x}a{i})" for i, entry in enumerate(_contents_entries(text))]
    return _after_title(text, "\n\n".join(links) + "\n")


INDICATOR_ROW = re.compile(r"^[^\n]*\t[^\n]*$", re.M)


def grid_table(text: str) -> str:
    """pandoc's grid table for the indicator table: cells wrapped within their column, borders
    of '+' and '-' (the table prints no header row, so no '=' border: the unit tests have one)."""
    widths = (40, 16, 14)

    def border(char: str) -> str:
        return "+" + "+".join(char * (w + 2) for w in widths) + "+"

    def row(cells: list[str]) -> list[str]:
        wrapped = [textwrap.wrap(c, w, break_on_hyphens=False) or [""] for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped)
        return ["| " + " | ".join((w[i] if i < len(w) else "").ljust(n) for w, n in zip(wrapped, widths)) + " |"
                for i in range(height)]

    rows = [m.group(0).split("\t") for m in INDICATOR_ROW.finditer(text)]
    lines = [border("-")]
    for cells in rows:
        lines += row(cells) + [border("-")]
    first = INDICATOR_ROW.search(text)
    return text[: first.start()] + "\n".join(lines) + "\n\n" + INDICATOR_ROW.sub("", text[first.start():]).lstrip("\n")


LONG_WORD = re.compile(r"(?<=\s)([a-z]{6})([a-z]{5,})(?=[\s,.;:”)])")


def hyphens_at_line_ends(hyphen: str, compound: str = "-"):
    """A hard-wrapped copy whose typesetter breaks a long word on each body line with ``hyphen``
    (U+2010, U+2011, U+00AD) and prints compounds with ``compound``."""
    def rewrite(text: str) -> str:
        out = []
        for line in text.split("\n"):
            if len(line) > 80 and line[:1].isalpha() and "\t" not in line:
                line = LONG_WORD.sub(lambda m: f"{m.group(1)}{hyphen}\n{m.group(2)}", line, count=1)
            out.append(line)
        return re.sub(r"(?<=[a-z])-(?=[a-z])", compound, "\n".join(out))
    return rewrite


VARIANTS = {"pandoc": (pandoc, "markdown"), "unicode-superscripts": (unicode_superscripts, "markdown"),
            "plain-text": (plain_text, "text"), "wrapped-headings": (wrapped_headings, "text"),
            "symbol-bullets": (symbol_bullets, "text"), "lone-bullets": (lone_bullets, "markdown"),
            "contents-with-pages": (contents_with_pages, "markdown"),
            "contents-without-pages": (contents_without_pages, "text"),
            "contents-as-links": (contents_as_links, "markdown"), "grid-table": (grid_table, "markdown"),
            "u2010-hyphens": (hyphens_at_line_ends("\u2010", "\u2010"), "markdown"),
            "u2011-hyphens": (lambda text: plain_text(hyphens_at_line_ends("\u2011", "\u2011")(text)), "text"),
            "soft-hyphens": (lambda text: plain_text(hyphens_at_line_ends("\u00ad")(text)), "text")}
# Variants in plain text (no markup: bold lost).
PLAIN = {"plain-text", "wrapped-headings", "symbol-bullets", "contents-without-pages", "u2011-hyphens", "soft-hyphens"}
SOURCE_FIELDS = {"source_file", "source_sha256", "source_format"}
# Plain text has lost bold and italics: place names that were bold, and local terms that were
# only italic, cannot be told apart from the words around them.
LOST_IN_PLAIN = {"cases": {"places"}}


@pytest.fixture(scope="module")
def variants(rules):
    out = {}
    for name, (rewrite, fmt) in VARIANTS.items():
        source = SourceDocument(f"kazakhstan-{name}", "0" * 64, fmt, rewrite(KAZ))
        out[name] = extract_document(source, rules)
    return out


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("table", ["profiles", "sections", "footnotes", "footnote_refs", "admin_units", "ratings",
                                   "indicators", "cases", "sdg_priorities"])
def test_variant_matches_golden(variants, variant, table):
    result = variants[variant]
    skip = SOURCE_FIELDS | (LOST_IN_PLAIN.get(table, set()) if variant in PLAIN else set())
    golden = [{k: v for k, v in row.items() if k not in skip} for row in read_golden(GOLDEN, "KAZ")[table]]
    problems = compare_tables("KAZ", {table: result.tables[table]}, {table: golden})
    assert not problems, "\n".join(str(p) for p in problems[:10])


def test_windows_line_ends_and_bom_decode_the_same(tmp_path, rules):
    from pipeline.ingest import read_source

    path = tmp_path / "kazakhstan.md"
    path.write_bytes(b"\xef\xbb\xbf" + KAZ.replace("\n", "\r\n").encode("utf-8"))
    result = extract_document(read_source(path, tmp_path, rules=rules), rules)
    golden = read_golden(GOLDEN, "KAZ")
    assert not compare_tables("KAZ", {"sections": result.tables["sections"]}, {"sections": golden["sections"]})


def test_a_contents_entry_without_its_section_reaches_the_manifest_warnings(variants, rules):
    assert not any("table of contents" in w for name in VARIANTS for w in variants[name].warnings)
    text = contents_with_pages(KAZ).replace("3.2 COVID 19 ....", "3.3 LOCAL FINANCE ....", 1)
    result = extract_document(SourceDocument("kazakhstan-contents", "0" * 64, "markdown", text), rules)
    assert [w for w in result.warnings if "table of contents" in w] == [
        "table of contents lists '3.3 LOCAL FINANCE', which no heading matches"]

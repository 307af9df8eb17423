"""The Kazakhstan profile as other export tools write it gives the same golden rows.

Each variant rewrites raw/kazakhstan.md the way another tool would print the same
document: pandoc footnotes (``[^4]`` and ``[^4]: text``), Unicode superscript markers
(``them.⁴``), plain text without markup (markers glued to words, no ``#``), and Windows
line ends with a BOM. Only the source fields may differ.
"""
from __future__ import annotations

import re

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


VARIANTS = {"pandoc": (pandoc, "markdown"), "unicode-superscripts": (unicode_superscripts, "markdown"),
            "plain-text": (plain_text, "text")}
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
    skip = SOURCE_FIELDS | (LOST_IN_PLAIN.get(table, set()) if variant == "plain-text" else set())
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

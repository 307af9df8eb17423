"""A numbered list in the body is a list, never the footnotes: in a text export and in
PDFs of every fixture layout (and pdftotext's export of one), the list stays in its
section and the real notes keep their numbers and texts."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from pipeline.extract import extract_document
from pipeline.golden import read_golden
from pipeline.ingest import read_source

from conftest import GOLDEN, RAW
from test_pdf_parity import HAVE_WEASYPRINT, bp

LIST = ("The strategy names three priorities:\n\n1. Economic growth based on a diversified economy.\n\n"
        "2. Social modernization and a strong middle class.\n\n3. Efficient public administration.\n\n")
ITEMS = ("1. Economic growth based on a diversified economy.", "2. Social modernization and a strong middle class.",
         "3. Efficient public administration.")


@pytest.fixture(scope="module")
def kazakhstan_with_list(tmp_path_factory):
    text = (RAW / "kazakhstan.md").read_text(encoding="utf-8")
    at = text.index("The 2022 VNR reassures")
    folder = tmp_path_factory.mktemp("list")
    path = folder / "kazakhstan.md"
    path.write_text(text[:at] + LIST + text[at:], encoding="utf-8")
    return path


def _check(result, printed=lambda s: s):
    golden = read_golden(GOLDEN, "KAZ")
    assert [(f["number"], printed(f["text"])) for f in result.tables["footnotes"].to_pylist()] == [
        (f["number"], printed(f["text"])) for f in golden["footnotes"]]
    section = next(s for s in result.tables["sections"].to_pylist() if s["section_id"] == "1")
    for item in ITEMS:
        assert printed(item) in section["text"]
    assert not [w for w in result.warnings if "footnote" in w or "marker" in w]


def test_list_in_markdown_export(kazakhstan_with_list, rules):
    _check(extract_document(read_source(kazakhstan_with_list, kazakhstan_with_list.parent, rules=rules), rules))


LAYOUTS = sorted(bp.layouts()) + (["weasy"] if HAVE_WEASYPRINT else [])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_list_in_pdf(kazakhstan_with_list, rules, layout, tmp_path):
    pdf_rules = bp.load_pdf_rules()
    profile = bp.parse_profile(kazakhstan_with_list, pdf_rules, GOLDEN)
    target = tmp_path / f"kazakhstan.{layout}.pdf"
    if layout == "weasy":
        fx = bp.build_weasy(profile, target, pdf_rules)
    else:
        fx = bp.build_pdf(profile, bp.layouts()[layout], target, pdf_rules)
    result = extract_document(read_source(target, tmp_path, rules=rules), rules)
    _check(result, lambda s: bp.printed(s, fx.layout))
    if layout == "plain" and shutil.which("pdftotext"):
        text = tmp_path / "kazakhstan.txt"
        subprocess.run(["pdftotext", "-layout", str(target), str(text)], check=True)
        _check(extract_document(read_source(text, tmp_path, rules=rules), rules), lambda s: bp.printed(s, fx.layout))

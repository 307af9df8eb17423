"""PDF parity: every sample profile, typeset in both fixture layouts, read back
through the whole pipeline, gives the golden rows of the text path. So does the
plain-text export another tool makes of the one-column PDF (poppler's
``pdftotext -layout``: page breaks as form feeds, running headers, page numbers,
footnotes at the page foot, markers glued to words).

Fields that only a PDF knows (pages, source file) are left out; the one-column
layout's core fonts cannot print curly quotes and dashes, so golden text is
compared as that layout prints it (the builder's own ``printed``)."""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import ProfileError
from pipeline.extract import extract_document
from pipeline.golden import compare_tables, read_golden
from pipeline.ingest import read_source
from pipeline.pdf.backend import BACKEND_ENV, BACKENDS, chosen_backend
from pipeline.write import write_country

from conftest import GOLDEN
from test_golden import KNOWN_GAPS as TEXT_PATH_GAPS

PARITY_TABLES = ["sections", "footnotes", "footnote_refs", "admin_units", "indicators", "sdg_priorities", "cases", "ratings"]
PDF_ONLY_FIELDS = {"page", "page_start", "page_end", "evidence", "method"}
TEXT_FIELDS = {"text", "title", "name", "evidence", "comment", "unit_type", "raw_value"}


def _builder():
    path = Path(__file__).parent / "fixtures" / "build_pdfs.py"
    spec = importlib.util.spec_from_file_location("build_pdfs", path)
    module = sys.modules.get("build_pdfs") or importlib.util.module_from_spec(spec)
    if "build_pdfs" not in sys.modules:
        sys.modules["build_pdfs"] = module
        spec.loader.exec_module(module)
    return module


bp = _builder()
CASES = [(p.stem, layout) for p in bp.profile_paths() for layout in sorted(bp.layouts())]
# The third layout, typeset by WeasyPrint (HTML/CSS), another engine than fpdf2.
HAVE_WEASYPRINT = bp.have_weasyprint()
_NO_WEASY = pytest.mark.skipif(not HAVE_WEASYPRINT, reason="weasyprint (or pango) not installed")
WEASY = [pytest.param(p.stem, "weasy", marks=_NO_WEASY, id=f"{p.stem}-weasy") for p in bp.profile_paths()]
# What the text path still misses (tests/test_golden.py) is missed from every layout too:
# the stages after the reader are the same. (stem, table) -> reason; strict, so a fix
# that makes one pass must take it off the text path's list.
KNOWN_GAPS: dict[tuple[str, str], str] = {(Path(name).stem, table): f"as in the text path: {reason}"
                                          for (name, table), reason in TEXT_PATH_GAPS.items()}
# pdftotext (Debian: poppler-utils) makes the text exports; .ci/run installs it.
HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None
EXPORTS = [pytest.param(p.stem, "pdftotext", marks=pytest.mark.skipif(not HAVE_PDFTOTEXT, reason="pdftotext not installed"))
           for p in bp.profile_paths()]


@pytest.fixture(scope="module")
def built(tmp_path_factory, rules):
    out = tmp_path_factory.mktemp("pdfs")
    fixtures = bp.build_all(out, layout_names=[*bp.layouts(), *(["weasy"] if HAVE_WEASYPRINT else [])])
    results = {}
    for fx in fixtures:
        stem = Path(fx.path).name.split(".")[0]
        source = read_source(Path(fx.path), out, rules=rules)
        results[(stem, fx.layout.name)] = (extract_document(source, rules), fx)
        results[(stem, fx.layout.name, chosen_backend())] = results[(stem, fx.layout.name)]
        if fx.layout.name == "plain" and HAVE_PDFTOTEXT:
            text = out / f"{stem}.txt"
            subprocess.run(["pdftotext", "-layout", str(fx.path), str(text)], check=True)
            results[(stem, "pdftotext")] = (extract_document(read_source(text, out, rules=rules), rules), fx)
    return results


# The one-column layout prints each rating as words above its comment; the text export has no such line.
# ... and a source's own printed scale ("☐ None ☐ Weak ☒ Mid/High"), which the PDF shows its own way.
PRINTED_LABEL = re.compile(r"Level of participation: (?:None|Weak|Mid/High|No elected LRGs|No information) ?"
                           r"|(?:[☐☒☑□] ?(?:None|Weak|Mid/High) ?){2,}")


def _without_printed_labels(rows: list[dict]) -> list[dict]:
    return [{k: PRINTED_LABEL.sub("", v) if k == "text" else v for k, v in row.items()} for row in rows]


def _text_export_view(table: str, rows: list[dict]) -> list[dict]:
    """What a plain-text export can carry: no bold (cases name their places in bold), and
    the indicator table's cells in the order the tool laid them out (its rows are still
    compared, in the indicators table)."""
    if table == "cases":
        return [{k: v for k, v in row.items() if k != "places"} for row in rows]
    if table == "sections":
        return [{k: v for k, v in row.items() if not (k == "text" and row.get("key") == "sdg_indicators")} for row in rows]
    return rows


def _as_printed(rows: list[dict], layout) -> list[dict]:
    def conv(value):
        if isinstance(value, str):
            return bp.printed(value, layout)
        if isinstance(value, list):
            return [conv(v) for v in value]
        return value

    return [{k: (conv(v) if k in TEXT_FIELDS or k in {"places", "named_members", "urls", "local_term"} else v)
             for k, v in row.items() if k not in PDF_ONLY_FIELDS} for row in rows]


def _golden_cases():
    """(stem, layout, table) for every layout and parity table, a known gap marked strict xfail."""
    out = []
    for table in PARITY_TABLES:
        for case in [pytest.param(s, lay, id=f"{s}-{lay}") for s, lay in CASES] + EXPORTS + WEASY:
            stem, layout = case.values
            gap = KNOWN_GAPS.get((stem, table))
            marks = [*case.marks, *([pytest.mark.xfail(strict=True, reason=gap)] if gap else [])]
            out.append(pytest.param(stem, layout, table, marks=marks, id=f"{table}-{stem}-{layout}"))
    return out


@pytest.mark.parametrize("stem, layout, table", _golden_cases())
def test_pdf_matches_golden(built, stem, layout, table):
    result, fx = built[(stem, layout)]
    golden = read_golden(GOLDEN, result.iso3)
    want = _as_printed(_without_printed_labels(golden[table]) if table == "sections" else golden[table], fx.layout)
    if layout == "pdftotext":
        want = _text_export_view(table, want)
    got = result.tables[table].to_pylist()
    got_printed = _as_printed(_without_printed_labels(got) if table == "sections" else got, fx.layout)
    if layout == "pdftotext":
        got_printed = _text_export_view(table, got_printed)
    import pyarrow as pa

    problems = compare_tables(result.iso3, {table: pa.Table.from_pylist(got_printed) if got_printed else result.tables[table].select([])},
                              {table: want})
    assert not problems, "\n".join(str(p) for p in problems[:20])


@pytest.mark.parametrize("stem, layout", CASES + EXPORTS + WEASY,
                         ids=[f"{s}-{lay}" for s, lay in CASES] + [f"{e.values[0]}-pdftotext" for e in EXPORTS] + [w.id for w in WEASY])
def test_pdf_ratings_come_from_the_drawn_or_printed_scale(built, stem, layout):
    """A level on the None/Weak/Mid-High scale is read from it; any other level
    (no information, no elected LRGs) has an empty scale and falls back to the rubric."""
    result, fx = built[(stem, layout)]
    got = [(r["level"], r["method"]) for r in result.tables["ratings"].to_pylist()]
    shown = "graphic" if layout == "columns" else "label"  # the plain PDF and its text export print the level
    expected = [(r["level"], shown if r["level"] in {"none", "weak", "mid_high"} else "comment_rules")
                for r in read_golden(GOLDEN, result.iso3)["ratings"]]
    assert got == expected


@pytest.mark.parametrize("stem, layout", CASES + WEASY, ids=[f"{s}-{lay}" for s, lay in CASES] + [w.id for w in WEASY])
def test_pdf_profile_row_knows_its_pages(built, stem, layout):
    result, fx = built[(stem, layout)]
    profile = result.tables["profiles"].to_pylist()[0]
    assert profile["source_format"] == "pdf" and profile["pages"] == fx.pages
    sections = result.tables["sections"].to_pylist()
    assert all(s["page_start"] is not None and s["page_start"] <= s["page_end"] for s in sections)
    assert sections[-1]["page_end"] == fx.pages or sections[-1]["page_end"] == fx.pages - 0


def test_overlay_command_draws_a_page(built, tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    _, fx = built[CASES[0]]
    out = tmp_path / "page.png"
    result = CliRunner().invoke(main, ["overlay", str(fx.path), "--page", "1", "--out", str(out), "--resolution", "40"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = CliRunner().invoke(main, ["overlay", str(fx.path), "--page", "99", "--out", str(out)])
    assert missing.exit_code == 1 and "no page 99" in missing.output


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("stem, layout", WEASY)
def test_weasy_words_are_grouped_as_pdfplumber_groups_them(built, stem, layout, backend):
    """Another engine's PDFs (WeasyPrint: ligatures, subset fonts): pipeline.pdf.words gives WordExtractor's words."""
    from test_pdf_words import assert_words_as_pdfplumber

    assert assert_words_as_pdfplumber(Path(built[(stem, layout)][1].path), backend) > 100


@_NO_WEASY
def test_weasy_fixture_is_deterministic(tmp_path):
    """Two WeasyPrint builds of one profile are the same bytes (fixed dates, id, font stamps)."""
    rules = bp.load_pdf_rules()
    profile = bp.parse_profile(min(bp.profile_paths(), key=lambda p: p.stat().st_size), rules)
    one = bp.build_weasy(profile, tmp_path / "a.pdf", rules)
    two = bp.build_weasy(profile, tmp_path / "b.pdf", rules)
    assert one.path.read_bytes() == two.path.read_bytes()
    assert sorted(one.footnote_pages) == sorted(profile.footnotes)  # every note printed on some page


def test_weasy_html_places_a_note_once_and_refuses_out_of_order_numbers(tmp_path):
    """WeasyPrint numbers floats itself: a note is floated at its first citation only,
    and numbers not first cited in order 1..N are refused rather than printed wrong."""
    Run, Block = bp.Run, bp.Block
    para = Block("para", (Run("a"), Run("1", sup=True), Run(" b"), Run("2", sup=True), Run(" c"), Run("1", sup=True)))
    notes = {1: (Run("One."),), 2: (Run("Two."),)}
    html = bp.weasy_html(bp.Profile(tmp_path / "x.md", "X", None, (Block("title", (Run("X"),)), para), notes))
    assert html.count('class="fn"') == 2 and html.count("<sup>1</sup>") == 1
    assert html.index('data-n="1"') < html.index('data-n="2"')
    swapped = Block("para", (Run("a"), Run("2", sup=True), Run(" b"), Run("1", sup=True)))
    with pytest.raises(ValueError, match="order"):
        bp.weasy_html(bp.Profile(tmp_path / "x.md", "X", None, (swapped,), notes))


# -- the two page backends ------------------------------------------------------------
def _read_with(backend: str, path: Path, rules):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(BACKEND_ENV, backend)
        return read_source(path, path.parent, rules=rules)


@pytest.fixture(scope="module")
def other_backend(built, rules):
    """Every fixture PDF also read with the backend that is not the default."""
    other = next(b for b in BACKENDS if b != chosen_backend())
    for key, (_, fx) in list(built.items()):
        if len(key) == 2 and key[1] != "pdftotext":
            built[(*key, other)] = (extract_document(_read_with(other, Path(fx.path), rules), rules), fx)
    return built


@pytest.mark.parametrize("stem, layout", CASES + WEASY, ids=[f"{s}-{lay}" for s, lay in CASES] + [w.id for w in WEASY])
def test_backends_write_the_same_parquet_bytes(other_backend, stem, layout, tmp_path):
    """PDFium and pdfplumber give the same tables, page fields and rating evidence
    included: every Parquet file written is the same bytes."""
    written = {}
    for backend in BACKENDS:
        result, _ = other_backend[(stem, layout, backend)]
        write_country(tmp_path / backend, result.iso3, result.tables)
        written[backend] = {p.relative_to(tmp_path / backend): p.read_bytes() for p in sorted((tmp_path / backend).rglob("*.parquet"))}
    first, second = (written[b] for b in BACKENDS)
    assert first.keys() == second.keys() and len(first) == len(result.tables)
    assert [name for name in first if first[name] != second[name]] == []
    ratings = result.tables["ratings"].to_pylist()
    assert all(r["evidence"] for r in ratings if r["method"] == "graphic")  # evidence is compared, not empty


def _bad_pdfs(folder: Path, good: Path) -> dict[str, Path]:
    """One file per way a PDF goes bad: not a PDF, truncated, encrypted, no text layer."""
    from test_pdf import _tiny_pdf as tiny

    def locked(pdf):
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "Secret profile text.")
        pdf.set_encryption(owner_password="owner", user_password="user")

    files = {
        "not a PDF": b"GIF89a" + bytes(range(256)) * 8,
        "garbage after a header": b"%PDF-1.4\n" + b"garbage " * 500 + b"\n%%EOF\n",
        "truncated": good.read_bytes()[: good.stat().st_size // 2],
        "encrypted": tiny(locked),
        "no text layer": tiny(lambda pdf: pdf.rect(60, 60, 300, 40, style="F")),
    }
    out = {}
    for name, data in files.items():
        out[name] = folder / (name.replace(" ", "-") + ".pdf")
        out[name].write_bytes(data)
    return out


def test_bad_pdfs_fail_alike_from_both_backends(built, rules, tmp_path):
    """Each bad file fails with the same error code from PDFium and from pdfplumber."""
    _, fx = built[CASES[0]]
    codes = {}
    for name, path in _bad_pdfs(tmp_path, Path(fx.path)).items():
        for backend in BACKENDS:
            with pytest.raises(ProfileError) as failure:
                _read_with(backend, path, rules)
            codes.setdefault(name, set()).add(failure.value.code)
    assert codes == {"not a PDF": {"E101"}, "garbage after a header": {"E101"}, "truncated": {"E101"},
                     "encrypted": {"E102"}, "no text layer": {"E103"}}


def test_backend_option_on_overlay(built, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.setenv(BACKEND_ENV, "")  # the option sets it: unset now, and again after the test
    monkeypatch.delenv(BACKEND_ENV)
    _, fx = built[CASES[0]]
    for backend in BACKENDS:
        out = tmp_path / f"{backend}.png"
        result = CliRunner().invoke(main, ["overlay", str(fx.path), "--out", str(out), "--resolution", "30", "--backend", backend])
        assert result.exit_code == 0, result.output
    wrong = CliRunner().invoke(main, ["overlay", str(fx.path), "--backend", "poppler"])
    assert wrong.exit_code == 2 and "poppler" in wrong.output


def test_run_command_gives_the_same_parquet_with_either_backend(built, tmp_path, monkeypatch):
    """`sdg-profiles run` on a folder of PDFs, by default (PDFium) and with --backend
    pdfplumber, writes the same Parquet bytes."""
    import shutil

    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.setenv(BACKEND_ENV, "")  # the option sets it: unset now, and again after the test
    monkeypatch.delenv(BACKEND_ENV)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for stem, layout in CASES[:2]:
        shutil.copy(built[(stem, layout)][1].path, inputs)
    written = {}
    for name, extra in (("default", []), ("pdfplumber", ["--backend", "pdfplumber"])):
        out = tmp_path / name
        result = CliRunner().invoke(main, ["run", str(inputs), "--out", str(out), "--workers", "1", "--quiet", *extra])
        assert result.exit_code == 0, result.output
        written[name] = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}
    assert written["default"] and written["default"] == written["pdfplumber"]

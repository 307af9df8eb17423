"""pipeline.pdf: profile PDFs read back into the text path's markdown-like form.

Every profile in raw/ is typeset by tests/fixtures/build_pdfs.py in two layouts
(two columns with bands, drawn scales and a ruled table; one column in core fonts
with hyphenation and an unruled table); the reader must give back the source's
headings, words, markers, footnotes, table rows and ratings.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
from pathlib import Path

import pdfplumber
import pytest
from fpdf import FPDF

from pipeline.rules import load_rules
from pipeline.errors import EncryptedPdf, InputTooLarge, NoTextLayer, UnreadablePdf
from pipeline.pdf.backend import BACKENDS, glyph_text, read_pages
from pipeline.inspect import layout_overlay
from test_pdf_words import assert_words_as_pdfplumber
from pipeline.pdf import (
    Token,
    ends_open,
    join_lines,
    lean_page,
    read_pdf,
    token_text,
)
from pipeline.document import Block
from pipeline.pdf.markdown import inline


def render(tokens) -> str:
    """Tokens as the markdown view shows them: the offsets token_text gives, written back."""
    clean = token_text(tokens)
    return inline(Block("paragraph", clean.text, None, clean.markers, clean.spans))


def _load_builder():
    path = Path(__file__).parent / "fixtures" / "build_pdfs.py"
    spec = importlib.util.spec_from_file_location("build_pdfs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_pdfs"] = module
    spec.loader.exec_module(module)
    return module


bp = _load_builder()
PROFILES = [p.name for p in bp.profile_paths()]
LAYOUTS = sorted(bp.layouts())
CASES = [pytest.param(p, lay, id=f"{Path(p).stem}-{lay}") for p in PROFILES for lay in LAYOUTS]
# What the reader still gets wrong in a fixture, by (profile, layout, check): strict, so a
# fix that makes one pass must take it off this list.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}


def _cases(check: str) -> list:
    """CASES, each (profile, layout) this check knows the reader misses marked strict xfail."""
    return [pytest.param(p, lay, id=f"{Path(p).stem}-{lay}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[(p, lay, check)])]
                         if (p, lay, check) in KNOWN_GAPS else [])
            for p in PROFILES for lay in LAYOUTS]
SUP = re.compile(r"<sup>(\d+)</sup>")


@pytest.fixture(scope="module")
def pdf_rules():
    return bp.load_pdf_rules()


@pytest.fixture(scope="module")
def built(tmp_path_factory, pdf_rules):
    out = tmp_path_factory.mktemp("pdfs")
    return {(f.profile.source.name, f.layout.name): f for f in bp.build_all(out, rules=pdf_rules, layout_names=["columns", "plain"])}


@functools.cache
def _reader_rules():
    return load_rules()


def _read(path, _builder_conventions=None, **kw):
    """Read a PDF with the pipeline's own rules (the builder has its own conventions)."""
    rules = _reader_rules()
    return read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                    headings=rules.headings, ratings=rules.ratings, **kw)


@pytest.fixture(scope="module")
def read(built, pdf_rules):
    cache = {}

    def get(profile, layout):
        if (profile, layout) not in cache:
            fx = built[(profile, layout)]
            cache[(profile, layout)] = (fx, _read(fx.path, pdf_rules))
        return cache[(profile, layout)]

    return get


# -- helpers: what the source says, what the reader wrote ---------------------
def _printed(fx, text: str) -> str:
    return bp.printed(text, fx.layout, "►▶▸•")


def _plain(text: str) -> str:
    """Markdown-like text without emphasis and markers."""
    return SUP.sub("", text).replace("***", "").replace("**", "").replace("*", "")


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\f\n ") for p in re.split(r"\n\s*\n", text) if p.strip("\f\n ")]


def _body(fx, text: str) -> list[str]:
    """Output paragraphs that are body text: no headings, table rows or footnotes."""
    notes = set(fx.profile.footnotes)
    out = []
    for p in _paragraphs(text):
        m = re.match(r"(\d+)\. ", p)
        if p.startswith("#") or "\t" in p or (m and int(m.group(1)) in notes):
            continue
        out.append(p)
    return out


def _source_body(fx) -> list[str]:
    out = []
    for b in fx.profile.blocks:
        if b.kind == "para":
            out.append(_printed(fx, "".join(r.text for r in b.runs if not r.sup)))
        elif b.kind == "rating" and fx.layout.rating == "words" and b.choice:
            out.append(f"Level of participation: {dict(bp.SCALE)[b.choice]}")
    return out


def _runs_text(fx, runs) -> str:
    return _printed(fx, "".join(r.text for r in runs if not r.sup))


# -- the fixtures, read back ---------------------------------------------------
@pytest.mark.parametrize("profile,layout", CASES)
def test_headings_in_order_with_depth(read, profile, layout):
    fx, got = read(profile, layout)
    depth = {1: 2, 2: 3, 3: 4}
    blocks = list(fx.profile.blocks)
    title = next((i for i, b in enumerate(blocks) if b.kind == "title"), 0)
    want = [  # what is printed above the title ('COUNTRY PROFILE') is furniture, not a heading
        ("#" * (1 if b.kind == "title" else depth[b.level]), " ".join(_runs_text(fx, b.runs).split()))
        for b in blocks[title:] if b.kind in ("title", "heading")
    ]
    lines = [line.lstrip("\f") for line in got.markdown.split("\n")]
    have = [(m.group(1), SUP.sub("", m.group(2))) for line in lines if (m := re.match(r"(#+) (.*)", line))]
    assert have == want


@pytest.mark.parametrize("profile,layout", CASES)
def test_body_words_in_reading_order(read, profile, layout):
    """Columns read left then right, sentences joined across columns, hyphenation mended."""
    fx, got = read(profile, layout)
    want = " ".join(_source_body(fx)).split()
    have = " ".join(_plain(p) for p in _body(fx, got.markdown)).split()
    assert have == want


@pytest.mark.parametrize("profile,layout", CASES)
def test_paragraph_breaks_match_the_source(read, profile, layout):
    """Every source paragraph break is kept; an extra one only at a sentence end or a page break.

    Why the exceptions: a paragraph whose column or page ends at a full stop looks
    finished, and a page break with footnotes splits a paragraph as a markdown
    export does; both leave a section's text unchanged.
    """
    fx, got = read(profile, layout)
    want, pos = set(), 0
    for p in _source_body(fx):
        want.add(pos)
        pos += len(p.split())
    have, page_breaks, pos = set(), set(), 0
    for page in got.markdown.split("\f"):
        page_breaks.add(pos)
        for p in _body(fx, page):
            have.add(pos)
            pos += len(_plain(p).split())
    words = " ".join(_source_body(fx)).split()
    assert want <= have, "paragraph breaks lost"
    extra = sorted(have - want - page_breaks)
    assert all(re.search(r"[.!?:][\"'”’)\]]*$", words[i - 1]) for i in extra), [words[i - 1: i + 1] for i in extra]


@pytest.mark.parametrize("profile,layout", CASES)
def test_emphasis_from_font_names(read, profile, layout):
    fx, got = read(profile, layout)
    bold = re.compile(r"\*\*(.+?)\*\*")
    italic = re.compile(r"(?<!\*)\*([^*]+?)\*(?!\*)")
    body = [SUP.sub("", p) for p in _body(fx, got.markdown)]
    want_bold = [w for b in fx.profile.blocks if b.kind == "para" for r in b.runs if r.bold and not r.sup
                 for w in _printed(fx, r.text).split()]
    want_italic = [w for b in fx.profile.blocks if b.kind == "para" for r in b.runs if r.italic and not r.sup
                   for w in _printed(fx, r.text).split()]
    assert [w for p in body for m in bold.finditer(p) for w in m.group(1).split()] == want_bold
    assert [w for p in body for m in italic.finditer(p) for w in m.group(1).split()] == want_italic


@pytest.mark.parametrize("profile,layout", CASES)
def test_markers_become_sup_in_order(read, profile, layout):
    fx, got = read(profile, layout)
    want = []
    for b in fx.profile.blocks:
        runs = list(b.runs) + [r for cell in b.cells for r in cell]
        want += [int(r.text) for r in runs if r.sup]
    notes = set(fx.profile.footnotes)
    text = "\n\n".join(p for p in _paragraphs(got.markdown)
                       if not ((m := re.match(r"(\d+)\. ", p)) and int(m.group(1)) in notes))
    assert [int(n) for n in SUP.findall(text)] == want


@pytest.mark.parametrize("profile,layout", CASES)
def test_footnotes_close_the_page_that_cites_them(read, profile, layout):
    fx, got = read(profile, layout)
    pages = got.markdown.split("\f")
    assert len(pages) == fx.pages == got.pages
    for number, runs in fx.profile.footnotes.items():
        page = fx.footnote_pages[number]
        text = pages[page - 1]
        found = [p for p in _paragraphs(text) if p.startswith(f"{number}. ")]
        assert len(found) == 1, f"footnote {number} not on page {page}"
        assert _plain(found[0]).split()[1:] == _runs_text(fx, runs).split()
        if f"<sup>{number}</sup>" in got.markdown:
            assert text.index(f"<sup>{number}</sup>") < text.index(found[0])
        # nothing but other footnotes after it on its page
        tail = _paragraphs(text[text.index(found[0]):])
        assert all(re.match(r"\d+\. ", p) for p in tail)


@pytest.mark.parametrize("profile,layout", _cases("table_rows"))
def test_table_rows_with_tabs(read, profile, layout):
    fx, got = read(profile, layout)
    want = ["\t".join(" ".join(_runs_text(fx, c).split()) for c in b.cells)
            for b in fx.profile.blocks if b.kind == "table_row"]
    have = [SUP.sub("", line.lstrip("\f")) for line in got.markdown.split("\n") if "\t" in line]
    assert have == want


@pytest.mark.parametrize("profile,layout", CASES)
def test_no_running_header_or_page_numbers(read, profile, layout):
    _, got = read(profile, layout)
    assert "Country profile" not in got.markdown
    assert not [line for line in got.markdown.split("\n") if re.fullmatch(r"\s*(Page\s+)?\d{1,3}\s*", line.strip("\f"))]


@pytest.mark.parametrize("profile,layout", CASES)
def test_hyphenation_mended_and_real_hyphens_kept(read, profile, layout):
    fx, got = read(profile, layout)
    words = {w.strip(".,;:()\"'’”“") for w in _plain(got.markdown).split()}
    if layout == "plain":
        assert fx.hyphenations, "the plain layout must break words at line ends"
    for left, right, word in fx.hyphenations:
        assert word.strip(".,;:()\"'’”“") in words, (left, right)
    source = " ".join(_source_body(fx))
    compounds = {w.strip(".,;:()\"'’”“") for w in source.split() if re.search(r"[A-Za-z0-9]-[A-Za-z0-9]", w)}
    assert compounds <= words


@pytest.mark.parametrize("profile,layout", CASES)
def test_rating_marks(read, profile, layout):
    fx, got = read(profile, layout)
    if layout == "columns":
        assert {m.dimension: m.level for m in got.rating_marks} == fx.marks
        assert all(m.method == "graphic" and m.evidence.startswith("filled box '") for m in got.rating_marks)
        assert "Mid/High" not in got.markdown  # the scale's labels leave the text
    else:
        assert got.rating_marks == ()
        for level in fx.marks.values():
            assert f"Level of participation: {dict(bp.SCALE)[level]}" in got.markdown


def test_layout_overlay_draws_a_page(tmp_path, built):
    fx = built[(PROFILES[0], "columns")]
    layout_overlay(fx.path, 1, resolution=40).save(tmp_path / "page1.png")
    assert (tmp_path / "page1.png").stat().st_size > 1000


def _shifted_media_box(tmp_path) -> Path:
    """A page whose MediaBox does not start at (0, 0), in coloured text of two fonts."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_text_color(200, 30, 30)
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(text="Offset page")
    pdf.ln()
    pdf.set_font("times", size=9)
    pdf.cell(text="café, ½ and ²")
    data = bytes(pdf.output()).replace(b"/MediaBox [0 0 595.28 841.89]", b"/MediaBox [9 8 595.28 841.89]")
    path = tmp_path / "shifted.pdf"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("unicode_norm", [None, "NFKC"])
def test_lean_page_makes_the_objects_pdfplumber_makes(built, tmp_path, unicode_norm):
    paths = [built[(PROFILES[0], lay)].path for lay in LAYOUTS] + [_shifted_media_box(tmp_path)]
    chars = 0
    for path in paths:
        with pdfplumber.open(path, unicode_norm=unicode_norm) as pdf:
            for page in pdf.pages:
                assert lean_page(page).objects == page.objects, f"{path.name} page {page.page_number}"
                chars += len(page.chars)
    assert chars > 1000


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fixtures_are_deterministic(tmp_path, pdf_rules, layout):
    profile = bp.parse_profile(bp.profile_paths()[0], pdf_rules)
    one = bp.build_pdf(profile, bp.layouts()[layout], tmp_path / "a.pdf", pdf_rules)
    two = bp.build_pdf(profile, bp.layouts()[layout], tmp_path / "b.pdf", pdf_rules)
    assert one.path.read_bytes() == two.path.read_bytes()


# -- the builder reads each export convention ------------------------------------
def _parsed(tmp_path, pdf_rules, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return bp.parse_profile(path, pdf_rules, golden_dir=tmp_path)


def _outline(profile) -> list[tuple]:
    """Blocks as (kind, level, text with ^N markers), table rows as their cells, ratings as (dimension, choice)."""
    def text(runs):
        return "".join(f"^{r.text}" if r.sup else r.text for r in runs)

    out = []
    for b in profile.blocks:
        if b.kind == "table_row":
            out.append(("row", *(text(c) for c in b.cells)))
        elif b.kind == "rating":
            out.append(("rating", b.dimension, b.choice))
        else:
            out.append((b.kind, b.level, text(b.runs)))
    return out


def _notes(profile) -> dict:
    return {n: "".join(r.text for r in runs) for n, runs in profile.footnotes.items()}


def test_builder_reads_pandoc_markdown(tmp_path, pdf_rules):
    """Bold-line headings ("1.1." numbers, a sentence-case sub-heading), wrapped spans,
    [^N] references and end-of-file definitions with indented continuation lines."""
    profile = _parsed(tmp_path, pdf_rules, "chile.md", (
        "**CHILE**\n\n**1.1. NATIONAL COORDINATION MECHANISMS**[^2]\n\n"
        "The **SDG\nCouncil** was created in 2016.[^1] It *meets\ntwice* a year.\n\n"
        "**In the VNR process**\n\nLevel of participation: Weak\n\nComments: Municipalities were consulted.\n\n"
        "[^1]: See:\n    <https://example.org/a\\_b>\n\n[^2]: Decree\n    49.\n"
    ))
    assert _outline(profile) == [
        ("title", 0, "CHILE"),
        ("heading", 2, "1.1. NATIONAL COORDINATION MECHANISMS^2"),
        ("para", 0, "The SDG Council was created in 2016.^1 It meets twice a year."),
        ("heading", 3, "► In the VNR process"),
        ("rating", "vnr_process", "weak"),  # the printed label is the rating, not body text
        ("para", 0, "Comments: Municipalities were consulted."),
    ]
    para = profile.blocks[2]
    assert [r.text for r in para.runs if r.bold] == ["SDG Council"]
    assert [r.text for r in para.runs if r.italic] == ["meets twice"]
    assert _notes(profile) == {1: "See: https://example.org/a_b", 2: "Decree 49."}


def test_builder_reads_sup_definitions_and_bold_markdown_headings(tmp_path, pdf_rules):
    profile = _parsed(tmp_path, pdf_rules, "chile.md", (
        "# CHILE\n\n## **1. NATIONAL STRATEGIES**<sup>2</sup>\n\nThe plan cites a law.<sup>1</sup>\n\n"
        "<sup>1</sup> Law 20.500 of\n2011.\n\n#### ►In the VNR process\n\n<sup>2</sup> The strategy.\n"
    ))
    assert _outline(profile) == [
        ("title", 0, "CHILE"),
        ("heading", 1, "1. NATIONAL STRATEGIES^2"),
        ("para", 0, "The plan cites a law.^1"),
        ("heading", 3, "► In the VNR process"),
        ("rating", "vnr_process", None),
    ]
    assert _notes(profile) == {1: "Law 20.500 of 2011.", 2: "The strategy."}


def test_builder_reads_a_text_export_with_page_furniture(tmp_path, pdf_rules):
    """Form feeds, a running header and "Page N of M" go; a sentence runs on over the
    page break and its footnote block; "N text" footnote lines; glued markers, not
    numbers, codes, CO2 or PM2.5; an indicator name wrapped with its value."""
    page1 = (
        "Country Profile · Chile\n\nCHILE\n\nTERRITORIAL ORGANIZATION\n\n"
        "There are 16 regions.1 The VNRs date from 2019 and 2022.2 Emissions of CO2 and PM2.5 fell, and\n"
        "the plan aims to\n\n\n1 A note.\n2 A note wrapped\nonto two lines.\n\nPage 1 of 2\n"
    )
    page2 = (
        "Country Profile · Chile\n\n  reduce them further by 2030.\n\n4. SDG INDICATORS3\n\n"
        "11.1.1. Proportion of urban population living in slums,\n"
        "        or inadequate housing (%)                      12.5 (2020)\n"
        "11.b.2. Disaster risk reduction strategies (%)         40 (2021)\n\n\n3 The data.\n\nPage 2 of 2\n"
    )
    profile = _parsed(tmp_path, pdf_rules, "chile.txt", page1 + "\f" + page2 + "\f")
    assert _outline(profile) == [
        ("title", 0, "CHILE"),
        ("heading", 1, "TERRITORIAL ORGANIZATION"),
        ("para", 0, ("There are 16 regions.^1 The VNRs date from 2019 and 2022.^2 Emissions of CO2 and PM2.5 fell, "
                     "and the plan aims to reduce them further by 2030.")),
        ("heading", 1, "4. SDG INDICATORS^3"),
        ("row", "11.1.1. Proportion of urban population living in slums, or inadequate housing (%)", "", "12.5 (2020)"),
        ("row", "11.b.2. Disaster risk reduction strategies (%)", "", "40 (2021)"),
    ]
    assert _notes(profile) == {1: "A note.", 2: "A note wrapped onto two lines.", 3: "The data."}


def test_builder_reads_a_word_processor_text_export(tmp_path, pdf_rules):
    """'Save as Text': one paragraph per line and no blank line between them, a Contents
    block (navigation, not printed), a TAB after each list number, symbol-font bullets
    with a TAB, a marker after a year and a comma, TAB-separated table lines under a
    "Notes" list of "N text" lines."""
    lines = [
        "CHILE", "Contents", "TERRITORIAL ORGANIZATION\t1", "1.\tNATIONAL STRATEGIES\t1", "1.1\tMONITORING\t2",
        "TERRITORIAL ORGANIZATION",
        "There are 16 regions (regiones).1 The first VLR came in 2021,2 the next in 2,023 days.",
        "1.\tNATIONAL STRATEGIES", "The plans are:", "\uf0b7\tthe National Plan;", "\uf0a7\tthe regional plans.",
        "1.1\tMONITORING", "2024 brought a new plan.",
        "4.\tSDG INDICATORS3", "Indicator\tDisaggregation\tValue (year)", "6.1.1. Water services (%)\tUrban\t99.4 (2022)",
        "\tRural\t96.1 (2022)", "11.6.1. Solid waste (%)\t\t98.9",
        "", "Notes", "1 A note.", "2 See: https://example.org/vlr", "3 The data.",
    ]
    profile = _parsed(tmp_path, pdf_rules, "chile.txt", "\n".join(lines) + "\n")
    assert _outline(profile) == [
        ("title", 0, "CHILE"),
        ("heading", 1, "TERRITORIAL ORGANIZATION"),
        ("para", 0, "There are 16 regions (regiones).^1 The first VLR came in 2021,^2 the next in 2,023 days."),
        ("heading", 1, "1. NATIONAL STRATEGIES"),
        ("para", 0, "The plans are:"),
        ("para", 0, "• the National Plan;"),
        ("para", 0, "• the regional plans."),
        ("heading", 2, "1.1 MONITORING"),
        ("para", 0, "2024 brought a new plan."),
        ("heading", 1, "4. SDG INDICATORS^3"),
        ("row", "Indicator", "Disaggregation", "Value (year)"),
        ("row", "6.1.1. Water services (%)", "Urban", "99.4 (2022)"),
        ("row", "", "Rural", "96.1 (2022)"),
        ("row", "11.6.1. Solid waste (%)", "", "98.9"),
    ]
    assert _notes(profile) == {1: "A note.", 2: "See: https://example.org/vlr", 3: "The data."}


# -- small cases ---------------------------------------------------------------
KEEP = frozenset({"locally", "self", "co"})


def _t(text, **kw):
    return Token(text, **kw)


@pytest.mark.parametrize(
    "left,right,joined",
    [
        ("decen-", "tralization", "decentralization"),
        ("locally-", "led", "locally-led"),
        ("Kazakhstan-", "2050", "Kazakhstan-2050"),
        ("Nur-", "Sultan", "Nur-Sultan"),
        ("self-", "governments.", "self-governments."),
        ("https://gold.uclg.org/sites/", "default/files.pdf", "https://gold.uclg.org/sites/default/files.pdf"),
        ("https://x.org/a", "_b.pdf", "https://x.org/a_b.pdf"),
        ("end.", "Next", "end. Next"),
        ("pollution", "–", "pollution –"),
        ("-", "annual", "- annual"),
    ],
)
def test_join_lines(left, right, joined):
    assert render(join_lines([_t("a"), _t(left)], [_t(right), _t("z")], KEEP)) == f"a {joined} z"


def test_join_lines_keeps_emphasis_of_each_part():
    tokens = join_lines([_t("decen-", bold=True)], [_t("tralization", bold=True), _t("then")], KEEP)
    assert render(tokens) == "**decentralization** then"


@pytest.mark.parametrize(
    "tokens,text",
    [
        ([_t("The"), _t("SDG", bold=True), _t("Council", bold=True), _t(",", space_before=False),
          _t("", marker=7, space_before=False), _t("chaired")], "The **SDG Council**,<sup>7</sup> chaired"),
        ([_t("Council", bold=True), _t("", marker=7, space_before=False), _t("chaired")],
         "**Council**<sup>7</sup> chaired"),
        ([_t("("), _t("oblasts", italic=True, space_before=False), _t(")", space_before=False)], "(*oblasts*)"),
        ([_t("a", bold=True, italic=True), _t("b")], "***a*** b"),
    ],
)
def test_token_text_offsets_as_markup(tokens, text):
    assert render(tokens) == text


@pytest.mark.parametrize(
    "text,open_",
    [("Discussions took place in all", True), ("were selected.", False), ("as follows:", False),
     ('"remain relevant."', False), ("(see VNR, 2022, p. 48).", False), ("Not applicable", True)],
)
def test_ends_open(text, open_):
    assert ends_open([_t(w) for w in text.split()]) is open_


def _tiny_pdf(draw) -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(bp.CREATED)
    pdf.add_page()
    draw(pdf)
    return bytes(pdf.output())


def test_highlighted_label_scale(tmp_path, pdf_rules):
    """Scale printed as words, the chosen one in bold: a label mark, the words leave the text."""
    def draw(pdf):
        pdf.set_font("Helvetica", "B", 10)
        pdf.text(60, 100, "In the VNR process")
        pdf.set_font("Helvetica", "", 9)
        pdf.text(60, 125, "None")
        pdf.set_font("Helvetica", "B", 9)
        pdf.text(140, 125, "Weak")
        pdf.set_font("Helvetica", "", 9)
        pdf.text(220, 125, "Mid/High")
        pdf.text(60, 150, "Comments: Local governments were consulted.")
    path = tmp_path / "label.pdf"
    path.write_bytes(_tiny_pdf(draw))
    got = _read(path, pdf_rules)
    assert [(m.dimension, m.level, m.method) for m in got.rating_marks] == [("vnr_process", "weak", "label")]
    assert "Mid/High" not in got.markdown and "Comments: Local governments were consulted." in got.markdown


def test_drawn_scale_of_circles_with_labels_beside(tmp_path, pdf_rules):
    """Radio-button style: a filled circle before the chosen label, labels right of each knob."""
    def draw(pdf):
        pdf.set_font("Helvetica", "B", 10)
        pdf.text(60, 100, "In national coordination mechanisms")
        pdf.set_font("Helvetica", "", 9)
        pdf.set_fill_color(200, 30, 30)
        for i, label in enumerate(("None", "Weak", "Mid/High")):
            pdf.circle(x=66 + 90 * i, y=121, radius=4, style="DF" if label == "Mid/High" else "D")
            pdf.text(74 + 90 * i, 124, label)
        pdf.text(60, 150, "Comments: The association sits on the council.")
    path = tmp_path / "knobs.pdf"
    path.write_bytes(_tiny_pdf(draw))
    got = _read(path, pdf_rules)
    assert [(m.dimension, m.level, m.method) for m in got.rating_marks] == [("coordination_mechanisms", "mid_high", "graphic")]
    assert "Weak" not in got.markdown


def test_coloured_heading_and_superscript_glyphs(tmp_path, pdf_rules):
    def draw(pdf):
        pdf.set_text_color(0, 84, 147)
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "2.2 VNR REFERENCES")
        pdf.set_text_color(0, 0, 0)
        pdf.text(60, 124, "The reports mention them.\u00b9 Later ones too.")
        pdf.text(60, 136, "And more text follows here in black.")
    path = tmp_path / "colour.pdf"
    path.write_bytes(_tiny_pdf(draw))
    assert _read(path, pdf_rules).markdown == (
        "## 2.2 VNR REFERENCES\n\nThe reports mention them.<sup>1</sup> Later ones too. And more text follows here in black.\n"
    )


@pytest.mark.skipif(not bp._has_ttf(), reason="DejaVu fonts not installed")
def test_ligature_glyphs_and_invisible_characters_are_folded(tmp_path, pdf_rules):
    def draw(pdf):
        pdf.add_font("DejaVu", "", str(bp.FONT_DIR / "DejaVuSans.ttf"))
        pdf.set_font("DejaVu", "", 10)
        pdf.text(60, 100, "The \ufb01nancial o\ufb03ce of the multi\u00adlevel \u200bplan.")
    path = tmp_path / "ligatures.pdf"
    path.write_bytes(_tiny_pdf(draw))
    assert _read(path, pdf_rules).markdown == "The financial office of the multilevel plan.\n"


@pytest.mark.parametrize("offset", [0.3, 0.0])
def test_fake_bold_text_drawn_twice_is_read_once(tmp_path, pdf_rules, offset):
    """Some producers embolden by drawing the text again a fraction of a point aside."""
    def draw(pdf):
        pdf.set_font("Helvetica", "", 10)
        for dx in (0, offset):
            pdf.text(60 + dx, 100, "Local governments report every year.")
        pdf.text(60, 112, "Then the plan follows.")
    path = tmp_path / "fakebold.pdf"
    path.write_bytes(_tiny_pdf(draw))
    assert _read(path, pdf_rules).markdown == "Local governments report every year. Then the plan follows.\n"


@pytest.mark.parametrize("title", ["1.1 National coordination mechanisms", "Monitoring"])
def test_bold_body_size_heading_in_sentence_case(tmp_path, pdf_rules, title):
    """A heading printed in bold at the body's size and case: its number or its known name sets it apart."""
    def draw(pdf):
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "The plan was adopted in 2019 and runs to 2030.")
        pdf.set_font("Helvetica", "B", 10)
        pdf.text(60, 128, title)
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 146, "A council meets twice a year to follow it.")
    path = tmp_path / "heading.pdf"
    path.write_bytes(_tiny_pdf(draw))
    text = _read(path, pdf_rules).markdown
    assert re.search(rf"^#+ {re.escape(title)}$", text, re.MULTILINE), text
    assert "A council meets twice a year to follow it." in text


def test_subscript_and_lone_small_digits_are_not_markers(tmp_path, pdf_rules):
    def draw(pdf):
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "Emissions of CO")
        pdf.set_font("Helvetica", "", 6)
        pdf.text(60 + pdf.get_string_width("Emissions of CO") * 10 / 6 + 0.2, 102, "2")
        pdf.set_font("Helvetica", "", 10)
        pdf.text(160, 100, "fell, as the report says.")
        pdf.set_font("Helvetica", "", 6)
        pdf.text(160 + 104, 96, "3")
    path = tmp_path / "sub.pdf"
    path.write_bytes(_tiny_pdf(draw))
    text = _read(path, pdf_rules).markdown
    assert "<sup>2</sup>" not in text and "<sup>3</sup>" in text


@pytest.mark.parametrize("size, text", [
    # A call is alone on its line only at the end of a paragraph: the next line opens another.
    (6, "The survey covers SDG localization.<sup>7</sup>\n\nIts results follow in the next part.\n"),
    (10, "The survey covers SDG localization. 7 Its results follow in the next part.\n"),
], ids=["small-call-ends-the-line-above", "body-size-digit-is-text"])
def test_footnote_call_wrapped_alone_onto_the_next_line(tmp_path, pdf_rules, size, text):
    """Engines that may break a line before a footnote call (WeasyPrint) leave it alone at a line start."""
    def draw(pdf):
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "The survey covers SDG localization.")
        pdf.set_font("Helvetica", "", size)
        pdf.text(60, 110, "7")
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 122, "Its results follow in the next part.")
    path = tmp_path / "call.pdf"
    path.write_bytes(_tiny_pdf(draw))
    assert _read(path, pdf_rules).markdown == text


def _two_column_page(left_lines: int, right_lines: int, calls: dict, notes: list[tuple[str, float, str]]) -> bytes:
    """Two columns of 10pt text with raised 6pt calls ({(column, line): number}) and 7pt
    notes, each (column, y, text)."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(bp.CREATED)
    pdf.add_page()
    for column, x, count in (("left", 50, left_lines), ("right", 310, right_lines)):
        for i in range(count):
            pdf.set_font("Helvetica", "", 10)
            line = f"Local governments of the region {i} report each year"
            pdf.text(x, 100 + 12 * i, line)
            if (column, i) in calls:
                pdf.set_font("Helvetica", "", 6)
                pdf.text(x + 0.3 + pdf.get_string_width(line) * 10 / 6, 96 + 12 * i, str(calls[(column, i)]))
    pdf.set_font("Helvetica", "", 7)
    for column, y, text in notes:
        pdf.text(50 if column == "left" else 310, y, text)
    return bytes(pdf.output())


@pytest.mark.parametrize("left_lines, right_lines, calls, notes", [
    # InDesign-style: each column's notes at its own foot, the other column running on beside them.
    (12, 20, {("left", 2): 1, ("right", 4): 2},
     [("left", 250, "1. A note at the foot of the left column."),
      ("right", 350, "2. A note at the foot of the right column.")]),
    # The notes themselves set in two columns at the page foot.
    (20, 20, {("left", 2): 1, ("left", 6): 2, ("right", 3): 3, ("right", 9): 4},
     [("left", 350, "1. The first note, left."), ("left", 359, "2. The second note, left."),
      ("right", 350, "3. The third note, right."), ("right", 359, "4. The fourth note, right.")]),
], ids=["notes-at-each-column-foot", "notes-in-two-columns"])
def test_footnotes_set_per_column(tmp_path, pdf_rules, left_lines, right_lines, calls, notes):
    path = tmp_path / "columns.pdf"
    path.write_bytes(_two_column_page(left_lines, right_lines, calls, notes))
    text = _read(path, pdf_rules).markdown
    got = re.findall(r"^(\d+)\. (.*)$", text, re.MULTILINE)
    assert got == [tuple(note[2].split(". ", 1)) for note in notes]
    body = text[: text.index("\n1. ")]
    assert "note" not in body and body.count("report each year") == left_lines + right_lines
    assert [int(n) for n in SUP.findall(body)] == sorted(calls.values())


def _pages_pdf(pages: list[list[tuple[str, str]]]) -> bytes:
    """One line per (style, text), 12pt apart, Helvetica 10, on each page."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(bp.CREATED)
    for lines in pages:
        pdf.add_page()
        for i, (style, text) in enumerate(lines):
            pdf.set_font("Helvetica", style, 10)
            pdf.text(60, 100 + 12 * i, text)
    return bytes(pdf.output())


@pytest.mark.parametrize(
    "first,second,text",
    [
        ("Discussions took place in all", "regions of the country.",
         "Discussions took place in all\n\fregions of the country.\n"),
        ("The reform opened a long process of decen-", "tralization of the country.",
         "The reform opened a long process of decentralization\n\fof the country.\n"),
        ("The reform is complete.", "A new plan follows.", "The reform is complete.\n\n\fA new plan follows.\n"),
    ],
    ids=["sentence-runs-on", "broken-word-goes-whole-to-page-1", "finished-paragraph"],
)
def test_paragraph_across_a_page_break(tmp_path, pdf_rules, first, second, text):
    path = tmp_path / "two.pdf"
    path.write_bytes(_pages_pdf([[("", first)], [("", second)]]))
    assert _read(path, pdf_rules).markdown == text


def test_bold_capitals_opening_a_paragraph_are_no_heading(tmp_path, pdf_rules):
    path = tmp_path / "bold.pdf"
    path.write_bytes(_pages_pdf([[("B", "SDG COORDINATION COUNCIL (SCC) AND THE"), ("", "ministries work together.")]]))
    assert _read(path, pdf_rules).markdown == "**SDG COORDINATION COUNCIL (SCC) AND THE** ministries work together.\n"


def test_heading_with_white_space_under_it(tmp_path, pdf_rules):
    path = tmp_path / "heading.pdf"
    path.write_bytes(_pages_pdf([[("B", "1.1 NATIONAL COORDINATION MECHANISMS"), ("", ""), ("", "The council meets.")]]))
    assert _read(path, pdf_rules).markdown == "## 1.1 NATIONAL COORDINATION MECHANISMS\n\nThe council meets.\n"


def test_banded_header_whose_cells_run_close_opens_the_table():
    """A header row on a band where 'Disaggregation' runs close to 'Value (year)' (one
    gap cell) over rows that leave the middle column empty, as at the top of the next
    column where a table breaks: the header splits where the rows' column starts and
    opens the table; it is no heading."""
    from pipeline.pdf.model import TextLine, Word
    from pipeline.pdf.tables import gap_tables

    def line(top, *words, band=False):
        ws = tuple(Word(text, x0, x0 + 6 * len(text), top, top + 8, 8.0) for text, x0 in words)
        return TextLine(ws, 1, (0, 1), 300, 550, band=band)

    lines = [
        line(60, ("Indicator", 300), ("Disaggregation", 420), ("Value", 506), ("(year)", 538), band=True),
        line(76, ("11.1.1.", 300), ("Slums", 345), ("-", 506)),
        line(92, ("11.6.1.", 300), ("Waste", 345), ("98.9", 506)),
    ]
    rows = gap_tables(lines)
    cells = [[" ".join(w.text for w in c) for c in r.cells] for r in rows]
    assert cells == [["Indicator", "Disaggregation", "Value (year)"], ["11.1.1. Slums", "", "-"], ["11.6.1. Waste", "", "98.9"]]
    assert rows[0].band  # a repeat of a header already read is dropped by the reader


# -- bad inputs ----------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_random_bytes(tmp_path, pdf_rules, backend):
    path = tmp_path / "noise.pdf"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(UnreadablePdf, match="not a PDF"):
        _read(path, pdf_rules, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_garbage_after_a_pdf_header(tmp_path, pdf_rules, backend):
    path = tmp_path / "fake.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"garbage " * 500 + b"\n%%EOF\n")
    with pytest.raises(UnreadablePdf):
        _read(path, pdf_rules, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_pdf(tmp_path, built, pdf_rules, backend):
    data = next(iter(built.values())).path.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadablePdf, match="truncated") as info:
        _read(path, pdf_rules, backend=backend)
    assert 'no end-of-file marker: every PDF ends with a line "%%EOF"' in str(info.value)  # the marker, named as such


def _text_pdf(**encryption) -> bytes:
    def draw(pdf):
        pdf.set_font("Helvetica", "", 10)
        pdf.text(60, 100, "Secret profile text.")
        if encryption:
            pdf.set_encryption(**encryption)
    return _tiny_pdf(draw)


@pytest.mark.parametrize("backend", BACKENDS)
def test_encrypted_pdf_needs_a_password(tmp_path, pdf_rules, backend):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_text_pdf(owner_password="owner", user_password="user"))
    with pytest.raises(EncryptedPdf):
        _read(path, pdf_rules, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_owner_password_only_is_readable(tmp_path, pdf_rules, backend):
    path = tmp_path / "owner.pdf"
    path.write_bytes(_text_pdf(owner_password="owner"))
    assert "Secret profile text." in _read(path, pdf_rules, backend=backend).markdown


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_text_layer(tmp_path, pdf_rules, backend):
    from PIL import Image

    def draw(pdf):
        pdf.set_fill_color(20, 20, 20)
        pdf.rect(60, 60, 300, 40, style="F")
        pdf.image(Image.new("L", (60, 20), 128), x=60, y=120, w=300)
    path = tmp_path / "scan.pdf"
    path.write_bytes(_tiny_pdf(draw))
    with pytest.raises(NoTextLayer):
        _read(path, pdf_rules, backend=backend)


def _no_unicode_map(pdf_bytes: bytes) -> bytes:
    """The same PDF with its fonts' ToUnicode maps blanked out (same length, offsets intact)."""
    return re.sub(rb"/ToUnicode \d+ 0 R", lambda m: b" " * len(m.group(0)), pdf_bytes)


@pytest.mark.skipif(not bp._has_ttf(), reason="DejaVu fonts not installed")
@pytest.mark.parametrize("backend", BACKENDS)
def test_fonts_without_unicode_map_are_unreadable(tmp_path, pdf_rules, backend):
    def draw(pdf):
        pdf.add_font("DejaVu", "", str(bp.FONT_DIR / "DejaVuSans.ttf"))
        pdf.set_font("DejaVu", "", 10)
        for i in range(5):
            pdf.text(60, 100 + 12 * i, "Local governments report on the SDGs every year.")
    path = tmp_path / "cid.pdf"
    path.write_bytes(_no_unicode_map(_tiny_pdf(draw)))
    with pytest.raises(UnreadablePdf, match=r"fonts map glyphs to no text"):
        _read(path, pdf_rules, backend=backend)


@pytest.mark.skipif(not bp._has_ttf(), reason="DejaVu fonts not installed")
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unmapped_glyph_is_dropped_and_the_rest_read(tmp_path, pdf_rules, backend):
    """One font without a map (the bullets), the text in another: the codes leave, the words stay."""
    def draw(pdf):
        pdf.add_font("DejaVu", "", str(bp.FONT_DIR / "DejaVuSans.ttf"))
        for i in range(3):
            pdf.set_font("DejaVu", "", 10)
            pdf.text(60, 100 + 12 * i, "\u25a0")
            pdf.set_font("Helvetica", "", 10)
            pdf.text(72, 100 + 12 * i, f"Item {i} of the list of local reviews.")
    path = tmp_path / "bullets.pdf"
    path.write_bytes(_no_unicode_map(_tiny_pdf(draw)))
    text = _read(path, pdf_rules, backend=backend).markdown
    assert "cid" not in text and all(f"Item {i} of the list of local reviews." in text for i in range(3))


@pytest.mark.parametrize("backend", BACKENDS)
def test_too_many_pages(built, pdf_rules, backend):
    fx = next(f for f in built.values() if f.pages > 1)
    with pytest.raises(InputTooLarge, match="pages"):
        _read(fx.path, pdf_rules, max_pages=1, backend=backend)


# -- two backends, one reading ------------------------------------------------------
@pytest.mark.parametrize("text, folded", [
    ("decen\x02", "decen-"),  # PDFium's codes for a hyphen that ends a line
    ("decen\ufffe", "decen-"),
    ("\ufb01nancial o\ufb03ce", "financial office"),  # ligature glyphs
    ("multi\u00adlevel", "multilevel"),  # a soft hyphen inside a line is invisible
    ("multi\u00ad", "multi\u00ad"),  # ... and at its end stays for the line-end rules
    ("a\u200bb", "ab"),  # invisible characters
])
def test_glyph_text_folds_what_the_backends_spell_differently(text, folded):
    assert glyph_text(text) == folded


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.02


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("profile, layout", CASES)
def test_words_are_grouped_as_pdfplumber_groups_them(built, profile, layout, backend):
    """pipeline.pdf.words gives WordExtractor's words, one by one, on every page (tests/test_pdf_words.py)."""
    assert assert_words_as_pdfplumber(built[(profile, layout)].path, backend) > 100


@pytest.mark.parametrize("profile, layout", CASES)
def test_backends_read_the_same_page_objects(built, profile, layout):
    """Words (text, size, emphasis, colour; boxes to 0.02 pt), shapes and ruled tables
    are the same from PDFium and from pdfplumber on every page of every fixture."""
    path = built[(profile, layout)].path
    for ref, fast in zip(read_pages(path, 60, "pdfplumber"), read_pages(path, 60, "pdfium"), strict=True):
        assert (fast.number, fast.width, fast.height, fast.unmapped) == (ref.number, ref.width, ref.height, ref.unmapped)
        assert [(w.text, w.size, w.bold, w.italic, w.color) for w in fast.words] == \
            [(w.text, w.size, w.bold, w.italic, w.color) for w in ref.words]
        assert all(_close(getattr(a, k), getattr(b, k)) for a, b in zip(fast.words, ref.words) for k in ("x0", "x1", "top", "bottom"))
        assert [(s["fill"], s["non_stroking_color"]) for s in fast.shapes] == [(s["fill"], s["non_stroking_color"]) for s in ref.shapes]
        assert all(_close(a[k], b[k]) for a, b in zip(fast.shapes, ref.shapes) for k in ("x0", "x1", "top", "bottom"))
        assert fast.tables == ref.tables

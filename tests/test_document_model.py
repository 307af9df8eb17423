"""One document model, two front ends: the PDF reader types its blocks (headings with number
and level, paragraphs with markers and emphasis as offsets, footnotes with number and page,
furniture aside), and normalize turns them into the lines a text export gives, with no
markdown in between. Each page is drawn by two engines (fpdf2 and ReportLab), so the
test is about the class of layout, not one engine's way of writing it.
"""
from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from pipeline.document import SourceDocument
from pipeline.normalize import normalize
from pipeline.pdf import read_pdf
from pipeline.sections import build_outline

HEIGHT = A4[1]
# (x, top, size, bold, text): top is the baseline's distance from the page top, in points.
PAGES = [
    [
        (60, 40, 7, False, "SDG LOCALIZATION COUNTRY PROFILE"),
        (60, 90, 22, True, "FICTIONIA"),
        (60, 130, 12, True, "1. TERRITORIAL ORGANIZATION"),
        (60, 155, 10, False, "Fictionia counts 47 counties"),
        (60, 169, 10, False, "and rates *vary* by __region__ <sup>9</sup> # here."),
        (60, 790, 8, False, "1 See the County Governments Act of 2012."),
    ],
    [
        (60, 40, 7, False, "SDG LOCALIZATION COUNTRY PROFILE"),
        (60, 90, 12, True, "2. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION"),
        (60, 115, 10, False, "The plan names every county."),
    ],
]
# x, top, size, text: a raised small '1' right after 'counties'
MARKER = (60 + stringWidth("Fictionia counts 47 counties", "Helvetica", 10) + 0.5, 151, 6, "1")


def _fpdf() -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    for page in PAGES:
        pdf.add_page()
        for x, top, size, bold, text in page:
            pdf.set_font("Helvetica", "B" if bold else "", size)
            pdf.text(x, top, text)
        if page is PAGES[0]:
            x, top, size, text = MARKER
            pdf.set_font("Helvetica", "", size)
            pdf.text(x, top, text)
    return bytes(pdf.output())


def _reportlab() -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for page in PAGES:
        for x, top, size, bold, text in page:
            c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
            c.drawString(x, HEIGHT - top, text)
        if page is PAGES[0]:
            x, top, size, text = MARKER
            c.setFont("Helvetica", size)
            c.drawString(x, HEIGHT - top, text)
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(scope="module", params=["fpdf2", "reportlab"])
def typed(request, tmp_path_factory, rules):
    path = tmp_path_factory.mktemp("model") / f"{request.param}.pdf"
    path.write_bytes(_fpdf() if request.param == "fpdf2" else _reportlab())
    return read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                    headings=rules.headings, ratings=rules.ratings)


def test_the_reader_types_headings_paragraphs_footnotes_and_furniture(typed):
    text_blocks = [(b.kind, b.page, b.number, b.level) for b in typed.blocks if b.kind != "furniture"]
    assert text_blocks == [
        ("title", 1, None, 1),
        ("heading", 1, "1", 2),
        ("paragraph", 1, None, None),
        ("footnote", 1, "1", None),
        ("heading", 2, "2", 2),
        ("paragraph", 2, None, None),
    ]
    furniture = [(b.page, b.text) for b in typed.blocks if b.kind == "furniture"]
    assert furniture == [(1, "SDG LOCALIZATION COUNTRY PROFILE"), (2, "SDG LOCALIZATION COUNTRY PROFILE")]


def test_markers_are_offsets_and_printed_markup_characters_stay_text(typed):
    para = next(b for b in typed.blocks if b.kind == "paragraph")
    assert para.text == "Fictionia counts 47 counties and rates *vary* by __region__ <sup>9</sup> # here."
    assert [(m.offset, m.number) for m in para.markers] == [(len("Fictionia counts 47 counties"), 1)]
    note = next(b for b in typed.blocks if b.kind == "footnote")
    assert note.text == "See the County Governments Act of 2012."


def test_normalize_keeps_the_kinds_and_reads_no_markdown_from_a_pdf(typed, rules):
    source = SourceDocument("x.pdf", "0" * 64, "pdf", typed.text, typed.pages, blocks=typed.blocks)
    doc = normalize(source, rules)
    assert [line.kind for line in doc.lines] == ["title", "heading", "paragraph", "footnote", "heading", "paragraph"]
    assert [line.note for line in doc.lines if line.kind == "footnote"] == [1]
    outline = build_outline(doc, rules)
    assert outline.country_name == "Fictionia"
    first = outline.sections[0]
    assert (first.number, first.key) == ("1", "territorial_organization")
    # '*vary*', '__region__', '<sup>9</sup>' and '#' were printed: text, not emphasis, a marker or a heading
    assert "rates *vary* by __region__ <sup>9</sup> # here." in first.text
    assert [m.number for m in first.clean.markers] == [1]


def test_a_text_export_gives_untyped_lines(rules):
    doc = normalize(SourceDocument("x.md", "0" * 64, "markdown", "# FICTIONIA\n\nSome *text*.\n"), rules)
    assert {line.kind for line in doc.lines} == {None}


# A three-column indicator table whose last row goes alone onto the next page, its middle
# (disaggregation) cell empty: (x, top, text) per cell, page by page.
TABLE_PAGES = [
    [(60, 700, "Indicator"), (300, 700, "Disaggregation"), (450, 700, "Value (year)"),
     (60, 720, "1.1.1 Extreme poverty"), (300, 720, "Urban"), (450, 720, "0.4 (2021)"),
     (60, 740, "4.1.2 Completion rate"), (450, 740, "98.1 (2022)")],
    [(60, 60, "11.b.2 Local disaster risk strategies"), (450, 60, "41.5 (2022)")],
]


def _table_pdf(engine: str) -> bytes:
    if engine == "fpdf2":
        pdf = FPDF(unit="pt", format="A4")
        for page in TABLE_PAGES:
            pdf.add_page()
            pdf.set_font("Helvetica", "", 9)
            for x, top, text in page:
                pdf.text(x, top, text)
        return bytes(pdf.output())
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for page in TABLE_PAGES:
        c.setFont("Helvetica", 9)
        for x, top, text in page:
            c.drawString(x, HEIGHT - top, text)
        c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("engine", ["fpdf2", "reportlab"])
def test_a_table_row_alone_on_the_next_page_keeps_the_columns_of_the_table(engine, tmp_path, rules):
    path = tmp_path / f"{engine}.pdf"
    path.write_bytes(_table_pdf(engine))
    got = read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                   headings=rules.headings, ratings=rules.ratings)
    rows = [(b.page, b.cells) for b in got.blocks if b.kind == "table_row"]
    assert rows == [
        (1, ("Indicator", "Disaggregation", "Value (year)")),
        (1, ("1.1.1 Extreme poverty", "Urban", "0.4 (2021)")),
        (1, ("4.1.2 Completion rate", "", "98.1 (2022)")),
        (2, ("11.b.2 Local disaster risk strategies", "", "41.5 (2022)")),
    ]

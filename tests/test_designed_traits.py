"""Traits of designed reports, each drawn by two engines (fpdf2 and ReportLab) and read by
both page backends: tracked capitals and a kicker over the title, a run-in head, a heading
whose gap below a superscript narrows, a URL broken inside a footnote, a real hyphen at a
line end. The page is drawn by tests/two_engines.py, which holds no pipeline code."""
from __future__ import annotations

import pytest

from pipeline.pdf import read_pdf
from two_engines import ENGINES, HAVE_UNICODE_FONT, Run, after, draw, text_width

pytestmark = pytest.mark.skipif(not HAVE_UNICODE_FONT, reason="DejaVu fonts not installed")  # '►' needs them


ACCENT = (0.1, 0.3, 0.6)
head = Run(60, 250, "► In the VNR process", 10, True, colour=ACCENT)
PAGE = [
    Run(60, 60, "SDG LOCALIZATION · COUNTRY PROFILE", 7, tracking=1.5),
    Run(60, 95, "FICTIONIA", 22, True, tracking=4),
    Run(60, 140, "1. TERRITORIAL ORGANIZATION", 12, True, tracking=1.2, colour=ACCENT),
    Run(60, 156, "Fictionia has 47 counties and a national government with", 10),
    Run(60, 168, "an independent non-", 10),
    Run(60, 180, "governmental council of counties.", 10),
    Run(60, 208, "2.1 MONITORING AND REPORTING", 12, True, colour=ACCENT),
    Run(60, 221, "The council reports yearly", 10),
    Run(60 + text_width("The council reports yearly", 10, unicode=True) + 0.3, 216, "1", 6),
    Run(60, 233, "to parliament on every goal.", 10),
    head,
    after(head, "Comments: Local governments were consulted on the report.", unicode=True, size=10),
    Run(60, 262, "Another non-governmental body took part.", 10),
    Run(60, 790, "1 See https://www.fictionia-counties.example.org/reports/", 8),
    Run(66, 800, "annual_monitoring-2023.pdf", 8),
]


@pytest.fixture(scope="module", params=[(e, b) for e in ENGINES for b in ("pdfium", "pdfplumber")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def blocks(request, tmp_path_factory, rules):
    engine, backend = request.param
    path = tmp_path_factory.mktemp("traits") / f"{engine}.pdf"
    path.write_bytes(draw(engine, [PAGE], unicode=True))
    got = read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                   headings=rules.headings, ratings=rules.ratings, backend=backend)
    return [b for b in got.blocks if b.kind != "furniture"], got


def test_tracked_capitals_read_as_words_and_the_kicker_is_no_section(blocks):
    typed, _ = blocks
    assert [(b.kind, b.text) for b in typed[:2]] == [("title", "FICTIONIA"), ("heading", "1. TERRITORIAL ORGANIZATION")]
    assert not any("COUNTRY PROFILE" in b.text for b in typed)


def test_a_run_in_head_is_a_heading_followed_by_its_text(blocks):
    typed, _ = blocks
    i = next(k for k, b in enumerate(typed) if b.text.startswith("►"))
    assert (typed[i].kind, typed[i].text) == ("heading", "► In the VNR process")
    assert typed[i + 1].kind == "paragraph"
    assert typed[i + 1].text.startswith("Comments: Local governments were consulted on the report.")


def test_a_superscript_under_a_heading_does_not_make_it_body_text(blocks):
    typed, _ = blocks
    heading = next(b for b in typed if "MONITORING" in b.text)
    assert (heading.kind, heading.number) == ("heading", "2.1")
    para = typed[typed.index(heading) + 1]
    assert para.text == "The council reports yearly to parliament on every goal."
    assert [(m.offset, m.number) for m in para.markers] == [(len("The council reports yearly"), 1)]


def test_a_url_broken_inside_a_footnote_is_joined(blocks):
    typed, _ = blocks
    note = next(b for b in typed if b.kind == "footnote")
    assert (note.number, note.page) == ("1", 1)
    assert note.text == "See https://www.fictionia-counties.example.org/reports/annual_monitoring-2023.pdf"


def test_a_real_hyphen_at_a_line_end_is_kept(blocks):
    typed, _ = blocks
    body = " ".join(b.text for b in typed if b.kind == "paragraph")
    assert "an independent non-governmental council of counties." in body

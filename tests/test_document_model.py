"""One document model, two front ends: the PDF reader types its blocks (headings with number
and level, paragraphs with markers and emphasis as offsets, footnotes with number and page,
furniture aside), and normalize turns them into the lines a text export gives, with no
markdown in between. Each page is drawn by two engines (fpdf2 and ReportLab), so the
test is about the class of layout, not one engine's way of writing it.
"""
from __future__ import annotations

import pytest

from pipeline.document import SourceDocument
from pipeline.normalize import normalize
from pipeline.pdf import read_pdf
from pipeline.sections import build_outline
from two_engines import ENGINES, Run, draw, text_width

PAGES = [
    [
        Run(60, 40, "SDG LOCALIZATION COUNTRY PROFILE", 7),
        Run(60, 90, "FICTIONIA", 22, True),
        Run(60, 130, "1. TERRITORIAL ORGANIZATION", 12, True),
        Run(60, 155, "Fictionia counts 47 counties", 10),
        Run(60, 169, "and rates *vary* by __region__ <sup>9</sup> # here.", 10),
        Run(60, 790, "1 See the County Governments Act of 2012.", 8),
        Run(60 + text_width("Fictionia counts 47 counties", 10) + 0.5, 151, "1", 6),  # a raised small '1' after 'counties'
    ],
    [
        Run(60, 40, "SDG LOCALIZATION COUNTRY PROFILE", 7),
        Run(60, 90, "2. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION", 12, True),
        Run(60, 115, "The plan names every county.", 10),
    ],
]


@pytest.fixture(scope="module", params=ENGINES)
def typed(request, tmp_path_factory, rules):
    path = tmp_path_factory.mktemp("model") / f"{request.param}.pdf"
    path.write_bytes(draw(request.param, PAGES))
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
TABLE_PAGES = [[Run(x, top, text, 9) for x, top, text in page] for page in [
    [(60, 700, "Indicator"), (300, 700, "Disaggregation"), (450, 700, "Value (year)"),
     (60, 720, "1.1.1 Extreme poverty"), (300, 720, "Urban"), (450, 720, "0.4 (2021)"),
     (60, 740, "4.1.2 Completion rate"), (450, 740, "98.1 (2022)")],
    [(60, 60, "11.b.2 Local disaster risk strategies"), (450, 60, "41.5 (2022)")],
]]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_table_row_alone_on_the_next_page_keeps_the_columns_of_the_table(engine, tmp_path, rules):
    path = tmp_path / f"{engine}.pdf"
    path.write_bytes(draw(engine, TABLE_PAGES))
    got = read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                   headings=rules.headings, ratings=rules.ratings)
    rows = [(b.page, b.cells) for b in got.blocks if b.kind == "table_row"]
    assert rows == [
        (1, ("Indicator", "Disaggregation", "Value (year)")),
        (1, ("1.1.1 Extreme poverty", "Urban", "0.4 (2021)")),
        (1, ("4.1.2 Completion rate", "", "98.1 (2022)")),
        (2, ("11.b.2 Local disaster risk strategies", "", "41.5 (2022)")),
    ]


def test_derived_values_agree_with_the_long_way_round(rules):
    """A line's clean text is the line collapsed; a paragraph's and a section's clean text
    join their parts (one part: itself); with_paragraphs is dataclasses.replace. Over every
    line and section of the raw profiles."""
    from dataclasses import fields, replace
    from pathlib import Path

    from pipeline.document import Line, Marker, Paragraph, Span, collapse, join_clean
    from pipeline.ingest import InputLimits, read_source

    raw = Path(__file__).resolve().parent.parent / "raw"
    for path in sorted(p for p in raw.iterdir() if p.suffix in (".md", ".txt") and p.name != "README.md"):
        outline = build_outline(normalize(read_source(path, raw, InputLimits(), rules), rules), rules)
        for section in outline.sections:
            for paragraph in section.paragraphs:
                for line in paragraph.lines:
                    assert line.clean == collapse(line.text, line.markers, line.spans)
                    for n in (0, 1, 2, 5):
                        assert line.drop_prefix(n) == _drop_prefix_by_replace(line, n)
                parts = [collapse(line.text, line.markers, line.spans) for line in paragraph.lines]
                assert paragraph.clean == _join_shifting_every_part(parts)
            assert section.clean == _join_shifting_every_part([p.clean for p in section.paragraphs])
            moved = section.with_paragraphs(section.paragraphs[::-1])
            expected = replace(section, paragraphs=section.paragraphs[::-1])
            assert [getattr(moved, f.name) for f in fields(moved)] == [getattr(expected, f.name) for f in fields(expected)]
    assert join_clean([collapse("", (), ())]) == join_clean([]) == _join_shifting_every_part([])
    assert Paragraph(()).clean.text == ""
    marked = Line("\u25b6 Lagos adopted", 4, 2, (Marker(3, 1), Marker(15, 2)), (Span(0, 8, "bold"), Span(1, 2, "italic")),
                  None, "list_item", None, True)
    for n in range(5):
        assert marked.drop_prefix(n) == _drop_prefix_by_replace(marked, n)


def _drop_prefix_by_replace(line, n):
    """Line.drop_prefix as it was written, with dataclasses.replace."""
    from dataclasses import replace

    from pipeline.document import Marker, Span

    return replace(line, text=line.text[n:], markers=tuple(Marker(max(m.offset - n, 0), m.number) for m in line.markers),
                   spans=tuple(Span(max(s.start - n, 0), s.end - n, s.kind) for s in line.spans if s.end > n))


def _join_shifting_every_part(parts):
    """join_clean without its one-part shortcut."""
    from pipeline.document import CleanText, Marker, Span

    text, markers, spans, pos = [], [], [], 0
    for part in parts:
        if not part.text and not part.markers:
            continue
        if text:
            text.append(" ")
            pos += 1
        text.append(part.text)
        markers += [Marker(m.offset + pos, m.number) for m in part.markers]
        spans += [Span(s.start + pos, s.end + pos, s.kind) for s in part.spans]
        pos += len(part.text)
    return CleanText("".join(text), tuple(markers), tuple(spans))


def test_hand_written_inits_take_and_set_the_dataclass_fields():
    """Line and CleanText fill their dict in one update instead of the frozen dataclass's
    __init__: each takes every field, in order, with its default, sets it, and the result
    is equal, hashable and replaceable as the dataclass would make it."""
    import inspect
    from dataclasses import MISSING, fields, replace

    from pipeline.document import CleanText, Line, Marker, Span

    for cls in (Line, CleanText):
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert [(p.name, p.default) for p in params] == [
            (f.name, inspect.Parameter.empty if f.default is MISSING else f.default) for f in fields(cls)]
    values = dict(text="a  b", lineno=3, page=2, markers=(Marker(1, 4),), spans=(Span(0, 1, "bold"),),
                  heading_depth=2, kind="paragraph", note=5, continues=True)
    line = Line(**values)
    assert {f.name: getattr(line, f.name) for f in fields(Line)} == values
    assert line == Line(*values.values()) and hash(line) == hash(Line(*values.values()))
    assert replace(line, text="c") == Line(**{**values, "text": "c"})
    assert Line("x", 1) == Line("x", 1, None, (), (), None, None, None, False)
    with pytest.raises(AttributeError):
        line.text = "changed"  # still frozen
    clean = CleanText("a", (Marker(0, 1),))
    assert (clean.text, clean.markers, clean.spans) == ("a", (Marker(0, 1),), ()) and CleanText() == CleanText("", (), ())

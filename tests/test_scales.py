"""Rating scales of any shape, drawn by two engines (fpdf2 and ReportLab): a row or a
column of 2-7 alike shapes, labels inside, under, right or left of them, and the one
shape drawn differently (filled, tinted, ringed, larger) is the choice. A column of
drawn square bullets before list items is no scale: its items stay text. Both page
backends read every page alike."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from fpdf import FPDF
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from pipeline.pdf import read_pdf

HEIGHT = A4[1]
GREY, INK, ACCENT, RED, PALE, WHITE = (0.6, 0.6, 0.6), (0, 0, 0), (0.1, 0.3, 0.6), (0.8, 0.1, 0.1), (0.85, 0.85, 0.85), (1, 1, 1)


@dataclass(frozen=True)
class Shape:
    x0: float
    top: float
    w: float
    h: float
    kind: str = "box"  # box | circle | pill
    fill: tuple | None = None  # RGB 0-1, None: not filled
    stroke: tuple = GREY
    width: float = 0.6


@dataclass(frozen=True)
class Label:
    x: float
    baseline: float
    text: str
    size: float = 8


def centred(text: str, middle: float, baseline: float, size: float = 8) -> Label:
    return Label(middle - stringWidth(text, "Helvetica", size) / 2, baseline, text, size)


def five_circles_larger_chosen():
    names = ["No information", "None", "Weak", "Mid/High", "High"]
    shapes, labels = [], []
    for i, name in enumerate(names):
        r = 8 if name == "Weak" else 5
        cx = 90 + 95 * i
        shapes.append(Shape(cx - r, 130 - r, 2 * r, 2 * r, "circle"))
        labels.append(centred(name, cx, 150))
    return "In the VNR process", shapes, labels, ("vnr_process", "weak")


def four_boxes_labels_left_ringed_chosen():
    names = ["None", "Weak", "Mid/High", "No information"]
    shapes, labels = [], []
    for i, name in enumerate(names):
        x0 = 150 + 110 * i
        ringed = name == "Mid/High"
        shapes.append(Shape(x0, 124, 10, 10, "box", WHITE, RED if ringed else GREY, 2.5 if ringed else 0.6))
        labels.append(Label(x0 - 4 - stringWidth(name, "Helvetica", 8), 132, name))
    return "In national coordination mechanisms", shapes, labels, ("coordination_mechanisms", "mid_high")


def three_squares_in_a_column_tinted_chosen():
    names = ["None", "Weak", "Mid/High"]
    shapes = [Shape(80, 120 + 18 * i, 9, 9, "box", ACCENT if name == "None" else PALE) for i, name in enumerate(names)]
    labels = [Label(95, 128 + 18 * i, name) for i, name in enumerate(names)]
    return "In the VNR process", shapes, labels, ("vnr_process", "none")


def seven_pills_labels_inside_filled_chosen():
    names = ["N/A", "None", "Low", "Weak", "Some", "Mid/High", "Full"]
    shapes, labels = [], []
    for i, name in enumerate(names):
        x0 = 60 + 64 * i
        shapes.append(Shape(x0, 122, 56, 14, "pill", ACCENT if name == "Mid/High" else WHITE))
        labels.append(centred(name, x0 + 28, 132, 7))
    return "In national coordination mechanisms", shapes, labels, ("coordination_mechanisms", "mid_high")


def drawn_square_bullets():
    items = ["Almaty city hall", "Astana", "Shymkent region"]
    shapes = [Shape(80, 122 + 18 * i, 5, 5, "box", INK) for i in range(3)]
    labels = [Label(92, 128 + 18 * i, item) for i, item in enumerate(items)]
    return "In the VNR process", shapes, labels, None


CASES = [five_circles_larger_chosen, four_boxes_labels_left_ringed_chosen, three_squares_in_a_column_tinted_chosen,
         seven_pills_labels_inside_filled_chosen, drawn_square_bullets]
BODY = "Comments: Local governments took part in the process."


def _fpdf(heading, shapes, labels) -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.text(60, 100, heading)
    for s in shapes:
        pdf.set_line_width(s.width)
        pdf.set_draw_color(*(round(255 * c) for c in s.stroke))
        if s.fill is not None:
            pdf.set_fill_color(*(round(255 * c) for c in s.fill))
        style = "DF" if s.fill is not None else "D"
        if s.kind == "circle":
            pdf.ellipse(s.x0, s.top, s.w, s.h, style=style)
        else:
            pdf.rect(s.x0, s.top, s.w, s.h, style=style, round_corners=s.kind == "pill", corner_radius=s.h / 2)
    for label in labels:
        pdf.set_font("Helvetica", "", label.size)
        pdf.text(label.x, label.baseline, label.text)
    pdf.set_font("Helvetica", "", 10)
    pdf.text(60, 220, BODY)
    return bytes(pdf.output())


def _reportlab(heading, shapes, labels) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 10)
    c.drawString(60, HEIGHT - 100, heading)
    for s in shapes:
        c.setLineWidth(s.width)
        c.setStrokeColorRGB(*s.stroke)
        if s.fill is not None:
            c.setFillColorRGB(*s.fill)
        fill = int(s.fill is not None)
        bottom = HEIGHT - s.top - s.h
        if s.kind == "circle":
            c.ellipse(s.x0, bottom, s.x0 + s.w, bottom + s.h, stroke=1, fill=fill)
        elif s.kind == "pill":
            c.roundRect(s.x0, bottom, s.w, s.h, s.h / 2, stroke=1, fill=fill)
        else:
            c.rect(s.x0, bottom, s.w, s.h, stroke=1, fill=fill)
    c.setFillColorRGB(0, 0, 0)
    for label in labels:
        c.setFont("Helvetica", label.size)
        c.drawString(label.x, HEIGHT - label.baseline, label.text)
    c.setFont("Helvetica", 10)
    c.drawString(60, HEIGHT - 220, BODY)
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
@pytest.mark.parametrize("engine", ["fpdf2", "reportlab"])
@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_the_shape_drawn_differently_decides(case, engine, backend, tmp_path, rules):
    heading, shapes, labels, want = case()
    path = tmp_path / f"{case.__name__}.{engine}.pdf"
    path.write_bytes((_fpdf if engine == "fpdf2" else _reportlab)(heading, shapes, labels))
    got = read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                   headings=rules.headings, ratings=rules.ratings, backend=backend)
    text = got.text
    if want is None:  # no scale: no mark, and every item is still text
        assert got.rating_marks == ()
        assert all(label.text in text for label in labels), text
        return
    assert [(m.dimension, m.level, m.method) for m in got.rating_marks] == [(*want, "graphic")], got.warnings
    assert not any(label.text in text.split("\n") for label in labels)
    assert "Mid/High" not in text and BODY in text  # the labels left the text, the comment stayed

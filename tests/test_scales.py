"""Rating scales of any shape, drawn by two engines (fpdf2 and ReportLab): a row or a
column of 2-7 alike shapes, labels inside, under, right or left of them, and the one
shape drawn differently (filled, tinted, ringed, larger) is the choice. A column of
drawn square bullets before list items is no scale: its items stay text. Both page
backends read every page alike."""
from __future__ import annotations

import pytest

from pipeline.pdf import read_pdf
from two_engines import ENGINES, Run, Shape, centred, draw, text_width

GREY, INK, ACCENT, RED, PALE, WHITE = (0.6, 0.6, 0.6), (0, 0, 0), (0.1, 0.3, 0.6), (0.8, 0.1, 0.1), (0.85, 0.85, 0.85), (1, 1, 1)
LABEL = 8  # the labels' type size


def five_circles_larger_chosen():
    names = ["No information", "None", "Weak", "Mid/High", "High"]
    shapes, labels = [], []
    for i, name in enumerate(names):
        r = 8 if name == "Weak" else 5
        cx = 90 + 95 * i
        shapes.append(Shape(cx - r, 130 - r, 2 * r, 2 * r, "circle"))
        labels.append(centred(name, cx, 150, LABEL))
    return "In the VNR process", shapes, labels, ("vnr_process", "weak")


def four_boxes_labels_left_ringed_chosen():
    names = ["None", "Weak", "Mid/High", "No information"]
    shapes, labels = [], []
    for i, name in enumerate(names):
        x0 = 150 + 110 * i
        ringed = name == "Mid/High"
        shapes.append(Shape(x0, 124, 10, 10, "box", WHITE, RED if ringed else GREY, 2.5 if ringed else 0.6))
        labels.append(Run(x0 - 4 - text_width(name, LABEL), 132, name, LABEL))
    return "In national coordination mechanisms", shapes, labels, ("coordination_mechanisms", "mid_high")


def three_squares_in_a_column_tinted_chosen():
    names = ["None", "Weak", "Mid/High"]
    shapes = [Shape(80, 120 + 18 * i, 9, 9, "box", ACCENT if name == "None" else PALE) for i, name in enumerate(names)]
    labels = [Run(95, 128 + 18 * i, name, LABEL) for i, name in enumerate(names)]
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
    labels = [Run(92, 128 + 18 * i, item, LABEL) for i, item in enumerate(items)]
    return "In the VNR process", shapes, labels, None


CASES = [five_circles_larger_chosen, four_boxes_labels_left_ringed_chosen, three_squares_in_a_column_tinted_chosen,
         seven_pills_labels_inside_filled_chosen, drawn_square_bullets]
BODY = "Comments: Local governments took part in the process."


def _page(heading: str, shapes: list[Shape], labels: list[Run]) -> list[Run | Shape]:
    """The dimension's heading in bold, the scale, and a comment under it."""
    return [Run(60, 100, heading, 10, True), *shapes, *labels, Run(60, 220, BODY, 10)]


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_the_shape_drawn_differently_decides(case, engine, backend, tmp_path, rules):
    heading, shapes, labels, want = case()
    path = tmp_path / f"{case.__name__}.{engine}.pdf"
    path.write_bytes(draw(engine, [_page(heading, shapes, labels)]))
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

"""Pages drawn by two PDF engines, fpdf2 and ReportLab, from one plain description.

Why: a layout trait tested on one engine's PDFs tests that engine. The tests that check
a trait describe their page once, as text runs and shapes at positions in points from
the page's top, and read what both engines make of it. Nothing here imports the pipeline.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

ENGINES = ("fpdf2", "reportlab")
HEIGHT = A4[1]
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: '►' needs a Unicode font
_UNICODE = {False: ("TwoEnginesSans", "DejaVuSans.ttf"), True: ("TwoEnginesSans-Bold", "DejaVuSans-Bold.ttf")}
HAVE_UNICODE_FONT = all((FONT_DIR / file).is_file() for _, file in _UNICODE.values())
if HAVE_UNICODE_FONT:
    for _name, _file in _UNICODE.values():
        pdfmetrics.registerFont(TTFont(_name, str(FONT_DIR / _file)))


@dataclass(frozen=True)
class Run:
    """Text on one line: ``baseline`` is its distance from the page's top."""

    x: float
    baseline: float
    text: str
    size: float = 10
    bold: bool = False
    tracking: float = 0.0  # extra space after each character, in points
    colour: tuple = (0, 0, 0)  # RGB 0-1


@dataclass(frozen=True)
class Shape:
    """A drawn box, circle or pill: its box from the page's top."""

    x0: float
    top: float
    w: float
    h: float
    kind: str = "box"  # box | circle | pill
    fill: tuple | None = None  # RGB 0-1, None: not filled
    stroke: tuple = (0.6, 0.6, 0.6)
    width: float = 0.6


def text_width(text: str, size: float, bold: bool = False, unicode: bool = False) -> float:
    """Its width in points (Helvetica's where DejaVu is missing: its tests are skipped then)."""
    return pdfmetrics.stringWidth(text, _font(bold, unicode and HAVE_UNICODE_FONT), size)


def after(run: Run, text: str, unicode: bool = False, **kw) -> Run:
    """The run printed right after ``run`` on its line, one space between."""
    width = text_width(run.text, run.size, run.bold, unicode) + run.tracking * len(run.text)
    return Run(run.x + width + text_width(" ", run.size, False, unicode), run.baseline, text, **kw)


def centred(text: str, middle: float, baseline: float, size: float) -> Run:
    return Run(middle - text_width(text, size) / 2, baseline, text, size)


def draw(engine: str, pages: list[list[Run | Shape]], unicode: bool = False) -> bytes:
    """The pages as a PDF made by ``engine`` (fpdf2 or reportlab), in the order listed;
    ``unicode``: in DejaVu Sans (HAVE_UNICODE_FONT) instead of the core Helvetica."""
    return (_fpdf if engine == "fpdf2" else _reportlab)(pages, unicode)


def _font(bold: bool, unicode: bool) -> str:
    return _UNICODE[bold][0] if unicode else ("Helvetica-Bold" if bold else "Helvetica")


def _fpdf(pages, unicode: bool) -> bytes:
    pdf = FPDF(unit="pt", format="A4")
    family = _UNICODE[False][0] if unicode else "Helvetica"
    if unicode:
        for bold, (_, file) in _UNICODE.items():
            pdf.add_font(family, "B" if bold else "", str(FONT_DIR / file))
    for page in pages:
        pdf.add_page()
        for item in page:
            if isinstance(item, Shape):
                pdf.set_line_width(item.width)
                pdf.set_draw_color(*_bytes(item.stroke))
                if item.fill is not None:
                    pdf.set_fill_color(*_bytes(item.fill))
                style = "DF" if item.fill is not None else "D"
                if item.kind == "circle":
                    pdf.ellipse(item.x0, item.top, item.w, item.h, style=style)
                else:
                    pdf.rect(item.x0, item.top, item.w, item.h, style=style, round_corners=item.kind == "pill",
                             corner_radius=item.h / 2)
                continue
            pdf.set_font(family, "B" if item.bold else "", item.size)
            pdf.set_char_spacing(item.tracking)
            pdf.set_text_color(*_bytes(item.colour))
            pdf.text(item.x, item.baseline, item.text)
    return bytes(pdf.output())


def _reportlab(pages, unicode: bool) -> bytes:
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for page in pages:
        for item in page:
            if isinstance(item, Shape):
                c.setLineWidth(item.width)
                c.setStrokeColorRGB(*item.stroke)
                if item.fill is not None:
                    c.setFillColorRGB(*item.fill)
                fill = int(item.fill is not None)
                bottom = HEIGHT - item.top - item.h
                if item.kind == "circle":
                    c.ellipse(item.x0, bottom, item.x0 + item.w, bottom + item.h, stroke=1, fill=fill)
                elif item.kind == "pill":
                    c.roundRect(item.x0, bottom, item.w, item.h, item.h / 2, stroke=1, fill=fill)
                else:
                    c.rect(item.x0, bottom, item.w, item.h, stroke=1, fill=fill)
                continue
            t = c.beginText(item.x, HEIGHT - item.baseline)
            t.setFont(_font(item.bold, unicode), item.size)
            t.setCharSpace(item.tracking)
            t.setFillColorRGB(*item.colour)
            t.textOut(item.text)
            c.drawText(t)
        c.showPage()
    c.save()
    return out.getvalue()


def _bytes(rgb: tuple) -> tuple[int, ...]:
    return tuple(round(255 * v) for v in rgb)

"""Rating scales: drawn as a row of boxes or circles (the filled one chosen), or printed
as a row of labels with one highlighted; and the rating marks they give."""
from __future__ import annotations

from ..document import RatingMark
from ..rules import PATTERN_TIMEOUT
from .model import LayoutBlock, RawPage, Scale, TextLine, Vocabulary, Word, colour, group_rows, is_white
from .tables import gap_cells
from .tokens import token_text


def drawn_scales(page: RawPage, words: list[Word], size: float) -> tuple[list[Word], list[Word]]:
    """Rows of two to six alike shapes (boxes, circles) with a label inside or right of each.

    The shape filled with a colour is the choice. Returns the words left over and
    one stand-in word per scale (``Word.scale``) so the scale keeps its place in
    reading order; the labels leave the text. A row with shapes stacked right
    above or below it is a table, not a scale.
    """
    tables = [_bbox_of_rows(t) for t in page.tables]
    shapes = [
        r for r in page.shapes
        if 4 <= r["bottom"] - r["top"] <= 40 and 4 <= r["x1"] - r["x0"] <= 200 and not any(_contains(t, r) for t in tables)
    ]
    rows = _shape_rows(shapes)
    used: set[int] = set()
    stand_ins = []
    for g in rows:
        if not 2 <= len(g) <= 6 or any(_stacked(g, other) for other in rows if other is not g):
            continue
        labels = [_shape_label(r, g[k + 1]["x0"] if k + 1 < len(g) else r["x1"] + 150, words, size) for k, r in enumerate(g)]
        if any(not label or len(label) > 4 for label in labels):
            continue
        names = tuple(" ".join(w.text for w in label) for label in labels)
        filled = [k for k, r in enumerate(g) if r["fill"] and not is_white(colour(r["non_stroking_color"]))]
        chosen = names[filled[0]] if len(filled) == 1 else None
        used.update(id(w) for label in labels for w in label)
        scale = Scale(names, chosen, "graphic", page.number, len(filled))
        top = min(min(r["top"] for r in g), min(w.top for label in labels for w in label))
        bottom = max(max(r["bottom"] for r in g), max(w.bottom for label in labels for w in label))
        right = max(max(r["x1"] for r in g), max(w.x1 for label in labels for w in label))
        stand_ins.append(Word("", g[0]["x0"], right, top, bottom, size, scale=scale))
    return [w for w in words if id(w) not in used], stand_ins


def _shape_rows(shapes: list[dict]) -> list[list[dict]]:
    """Shapes of one height side by side, left to right."""
    rows: list[list[dict]] = []
    for r in sorted(shapes, key=lambda r: (round(r["top"]), r["x0"])):
        g = rows[-1] if rows else None
        if g and abs(g[-1]["top"] - r["top"]) <= 2 and abs(g[-1]["bottom"] - r["bottom"]) <= 2 \
                and -1 <= r["x0"] - g[-1]["x1"] <= 150:
            g.append(r)
        else:
            rows.append([r])
    return rows


def _stacked(row: list[dict], other: list[dict]) -> bool:
    touch = any(abs(o["top"] - r["bottom"]) <= 2 or abs(r["top"] - o["bottom"]) <= 2 for r in row for o in other)
    overlap = min(row[-1]["x1"], other[-1]["x1"]) > max(row[0]["x0"], other[0]["x0"])
    return touch and overlap


def _shape_label(r: dict, limit: float, words: list[Word], size: float) -> list[Word]:
    """The words inside a shape, else centred right under or over it, else just right of it (up to ``limit``)."""
    inside = [w for w in words if r["x0"] <= (w.x0 + w.x1) / 2 <= r["x1"] and r["top"] <= w.cy <= r["bottom"]]
    if inside:
        return inside
    for stacked in (_centred(r, words, size, below=True), _centred(r, words, size, below=False)):
        if stacked:
            return stacked
    height = r["bottom"] - r["top"]
    right = sorted(
        (w for w in words if r["top"] - height <= w.cy <= r["bottom"] + height and r["x1"] - 1 <= w.x0 < limit),
        key=lambda w: w.x0,
    )
    out: list[Word] = []
    for w in right:
        if w.x0 - (out[-1].x1 if out else r["x1"]) > 1.5 * size:
            break
        out.append(w)
    return out


def _centred(r: dict, words: list[Word], size: float, below: bool) -> list[Word]:
    """A label set right under (or over) a shape: one line, centred on it, within a line's height."""
    middle = (r["x0"] + r["x1"]) / 2
    near = [w for w in words
            if (0 <= w.top - r["bottom"] <= size if below else 0 <= r["top"] - w.bottom <= size)]
    for row in group_rows(near):
        for label in _clusters(row, size):
            x0, x1 = label[0].x0, label[-1].x1
            if abs((x0 + x1) / 2 - middle) <= max(2.0, 0.25 * (x1 - x0)) and x1 - x0 <= 12 * size:
                return label
    return []


def _clusters(row: list[Word], size: float) -> list[list[Word]]:
    """A line's words in groups set apart by more than a word space (labels side by side)."""
    out: list[list[Word]] = []
    for w in row:
        if out and w.x0 - out[-1][-1].x1 <= 0.6 * size:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def _bbox_of_rows(rows) -> tuple[float, float, float, float]:
    cells = [c for row in rows for c in row if c]
    return (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))


def _contains(bbox, r, slack: float = 1.0) -> bool:
    return bbox[0] - slack <= r["x0"] and r["x1"] <= bbox[2] + slack and bbox[1] - slack <= r["top"] and r["bottom"] <= bbox[3] + slack


def label_scale(line: TextLine, page: int) -> Scale | None:
    """A line of two to five short labels with exactly one highlighted (bold or coloured)."""
    cells = gap_cells(line)
    if not 2 <= len(cells) <= 5 or any(len(c) > 3 for c in cells):
        return None
    bold = [all(w.bold for w in c) for c in cells]
    colors = [c[0].color for c in cells]
    picked = [i for i, b in enumerate(bold) if b] if 0 < sum(bold) < len(cells) else []
    if len(picked) != 1:
        common = max(set(colors), key=colors.count)
        picked = [i for i, col in enumerate(colors) if col != common] if colors.count(common) == len(cells) - 1 else []
    if len(picked) != 1:
        return None
    names = tuple(" ".join(w.text for w in c) for c in cells)
    return Scale(names, names[picked[0]], "label", page)


def rating_marks(blocks: list[LayoutBlock], vocab: Vocabulary) -> tuple[tuple[RatingMark, ...], tuple[str, ...]]:
    """A mark per scale whose heading names a dimension and whose chosen label names a level;
    and a warning per drawn scale of a dimension that shows no choice, or more than one
    (the comment rubric then decides)."""
    if vocab.headings is None or vocab.ratings is None:
        return (), ()
    dimension_of = {key: dim for dim, key in vocab.ratings.dimensions}
    out: dict[str, RatingMark] = {}
    warnings: list[str] = []
    heading = None
    for b in blocks:
        if b.kind in ("heading", "title"):
            heading = token_text(b.tokens, emphasis=False).text
        if b.kind != "scale" or heading is None:
            continue
        rule = vocab.headings.match(heading.lstrip(vocab.bullets + " ").strip())
        dimension = dimension_of.get(rule.key) if rule else None
        if b.scale.chosen is None:
            if dimension and b.scale.method == "graphic":
                shown = "no shape" if b.scale.selected == 0 else f"{b.scale.selected} shapes"
                warnings.append(f"ratings: the {dimension} scale on page {b.scale.page} shows {shown} selected; "
                                "the comment rubric decides")
            continue
        level = _level(b.scale.chosen, vocab)
        if dimension and level and dimension not in out:
            what = "filled box" if b.scale.method == "graphic" else "highlighted label"
            out[dimension] = RatingMark(dimension, level, b.scale.method,
                                        f"{what} '{b.scale.chosen}' on page {b.scale.page}", b.scale.page)
    return tuple(out.values()), tuple(warnings)


def _level(label: str, vocab: Vocabulary) -> str | None:
    for level, patterns in vocab.ratings.labels.levels:
        if any(p.fullmatch(label.strip(), timeout=PATTERN_TIMEOUT) for p in patterns):
            return level
    return None

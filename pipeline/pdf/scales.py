"""Rating scales: drawn as a row or column of alike shapes (the one drawn differently
chosen), or printed as a row of labels with one highlighted; and the rating marks they give."""
from __future__ import annotations

from ..document import RatingMark
from ..rules import PATTERN_TIMEOUT
from .model import LayoutBlock, RawPage, Scale, TextLine, Vocabulary, Word, colour, group_rows, is_white
from .tables import gap_cells
from .tokens import token_text


MIN_SHAPES, MAX_SHAPES = 2, 7  # a scale of levels: from a yes/no pair to a seven-point scale
MAX_LABEL_WORDS = 4


def drawn_scales(page: RawPage, words: list[Word], size: float, vocab: Vocabulary = Vocabulary()) -> tuple[list[Word], list[Word]]:
    """Rows or columns of two to seven alike shapes (boxes, circles, pills) with a label
    inside, under, over, right or left of each.

    The one shape drawn differently is the choice (``odd_one_out``). Returns the words
    left over and one stand-in word per scale (``Word.scale``) so the scale keeps its
    place in reading order; the labels leave the text. A row with a row stacked right on
    it is a table; a column is read only from shapes that stand in no row. With the rating
    rules at hand, two labels at least must name a level: a list with drawn square
    bullets is no scale, and its items stay text.
    """
    tables = [_bbox_of_rows(t) for t in page.tables]
    shapes = [
        r for r in page.shapes
        if 0.4 * size <= r["bottom"] - r["top"] <= 4 * size and 0.4 * size <= r["x1"] - r["x0"] <= 20 * size
        and not any(_contains(t, r) for t in tables)
    ]
    rows, columns = _shape_lines(shapes, True, size), _shape_lines(shapes, False, size)
    in_rows = {id(r) for g in rows if len(g) >= 2 for r in g}
    candidates = [(g, True) for g in rows if not any(_stacked(g, other) for other in rows if other is not g)]
    candidates += [(g, False) for g in columns if not any(id(r) in in_rows for r in g)]  # rows first
    used: set[int] = set()
    stand_ins = []
    for g, across in candidates:
        if not MIN_SHAPES <= len(g) <= MAX_SHAPES:
            continue
        labels = _labels(g, across, [w for w in words if id(w) not in used], size)
        if labels is None:
            continue
        names = tuple(" ".join(w.text for w in label) for label in labels)
        if vocab.ratings is not None and sum(_level(n, vocab) is not None for n in names) < MIN_SHAPES:
            continue
        picked = odd_one_out(g)
        used.update(id(w) for label in labels for w in label)
        scale = Scale(names, names[picked[0]] if len(picked) == 1 else None, "graphic", page.number, len(picked))
        every = [(w.x0, w.top, w.x1, w.bottom) for label in labels for w in label] + [
            (r["x0"], r["top"], r["x1"], r["bottom"]) for r in g]
        stand_ins.append(Word("", min(b[0] for b in every), max(b[2] for b in every), min(b[1] for b in every),
                              max(b[3] for b in every), size, scale=scale))
    return [w for w in words if id(w) not in used], stand_ins


def _shape_lines(shapes: list[dict], across: bool, size: float) -> list[list[dict]]:
    """Shapes in a row (``across``, left to right) or a column (top to bottom): centres in
    line, sizes within 2x of each other (a chosen shape may be drawn larger), gaps of up to
    15 body sizes along a row or three shape heights down a column."""
    along, mid = (("x0", "x1"), ("top", "bottom")) if across else (("top", "bottom"), ("x0", "x1"))

    def centre(r, keys):
        return (r[keys[0]] + r[keys[1]]) / 2

    def extent(r, keys):
        return r[keys[1]] - r[keys[0]]

    lines: list[list[dict]] = []
    for r in sorted(shapes, key=lambda r: (round(centre(r, mid)), r[along[0]])):
        fits = None
        for g in reversed(lines[-4:]):
            last = g[-1]
            reach = 15 * size if across else 3 * max(extent(last, mid), extent(r, mid))
            if (abs(centre(last, mid) - centre(r, mid)) <= 0.3 * max(extent(last, mid), extent(r, mid))
                    and -1 <= r[along[0]] - last[along[1]] <= reach
                    and max(extent(last, mid), extent(r, mid)) <= 2 * min(extent(last, mid), extent(r, mid))):
                fits = g
                break
        if fits is not None:
            fits.append(r)
        else:
            lines.append([r])
    return lines


def _labels(g: list[dict], across: bool, words: list[Word], size: float) -> list[list[Word]] | None:
    """A label per shape: inside, under, over or right of each (up to the next shape), or
    else left of each (after the shape before), as the layout sets them; None when a
    shape has none, or one runs longer than a label does."""
    def complete(labels):
        ids = [id(w) for label in labels for w in label]
        return all(0 < len(label) <= MAX_LABEL_WORDS for label in labels) and len(ids) == len(set(ids))

    right = [_shape_label(r, _next_edge(g, k, across, size), words, size, stacked=across) for k, r in enumerate(g)]
    if complete(right):
        return right
    left = [_inside(r, words) or _beside(r, words, size, g[k - 1]["x1"] if k and across else r["x0"] - 15 * size, right=False)
            for k, r in enumerate(g)]
    return left if complete(left) else None


def _next_edge(g: list[dict], k: int, across: bool, size: float) -> float:
    return g[k + 1]["x0"] if across and k + 1 < len(g) else g[k]["x1"] + 15 * size


def odd_one_out(g: list[dict]) -> list[int]:
    """The shapes drawn as chosen: the one filled with a colour; else, when all or none are,
    the one of another fill (a tinted scale), stroke width or colour (a ringed one) or
    size (a larger one) than all the others, which agree. Several filled and the others
    not, or every shape alike, is no single choice: those filled are returned (the
    rubric then decides, with a warning)."""
    filled = [k for k, r in enumerate(g) if r["fill"] and not is_white(colour(r["non_stroking_color"]))]
    if len(filled) == 1 or 1 < len(filled) < len(g):
        return filled  # one coloured in; or several, the others not: no single choice
    features = (
        lambda r: colour(r["non_stroking_color"]) if r["fill"] else None,
        lambda r: round(r.get("linewidth", 0), 1) if r.get("stroke") else 0,
        lambda r: colour(r.get("stroking_color")) if r.get("stroke") else None,
        lambda r: round((r["x1"] - r["x0"]) * (r["bottom"] - r["top"]) / 4),
    )
    for feature in features:
        values = [feature(r) for r in g]
        odd = [k for k, v in enumerate(values) if values.count(v) == 1]
        if len(g) >= 3 and len(odd) == 1 and len(set(values)) == 2:
            return odd
    return filled


def _stacked(row: list[dict], other: list[dict]) -> bool:
    touch = any(abs(o["top"] - r["bottom"]) <= 2 or abs(r["top"] - o["bottom"]) <= 2 for r in row for o in other)
    overlap = min(row[-1]["x1"], other[-1]["x1"]) > max(row[0]["x0"], other[0]["x0"])
    return touch and overlap


def _shape_label(r: dict, limit: float, words: list[Word], size: float, stacked: bool = True) -> list[Word]:
    """The words inside a shape, else centred right under or over it (``stacked``: in a
    row, where nothing else is under a shape), else just right of it (up to ``limit``)."""
    inside = _inside(r, words)
    if inside:
        return inside
    if stacked and (under := _centred(r, words, size, below=True) or _centred(r, words, size, below=False)):
        return under
    return _beside(r, words, size, limit, right=True)


def _inside(r: dict, words: list[Word]) -> list[Word]:
    return [w for w in words if r["x0"] <= (w.x0 + w.x1) / 2 <= r["x1"] and r["top"] <= w.cy <= r["bottom"]]


def _beside(r: dict, words: list[Word], size: float, limit: float, right: bool) -> list[Word]:
    """The words on a shape's line right of it up to ``limit`` (the next shape), or left of it
    back to ``limit`` (the shape before), until a gap wider than one and a half sizes."""
    height = r["bottom"] - r["top"]
    near = [w for w in words if r["top"] - height <= w.cy <= r["bottom"] + height
            and (r["x1"] - 1 <= w.x0 < limit if right else limit <= w.x0 and w.x1 <= r["x0"] + 1)]
    near.sort(key=(lambda w: w.x0) if right else (lambda w: -w.x1))
    out: list[Word] = []
    edge = r["x1"] if right else r["x0"]
    for w in near:
        if (w.x0 - edge if right else edge - w.x1) > 1.5 * size:
            break
        out.append(w)
        edge = w.x1 if right else w.x0
    return out if right else out[::-1]


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
    """A line of two to seven short labels with exactly one highlighted (bold or coloured)."""
    cells = gap_cells(line)
    if not MIN_SHAPES <= len(cells) <= MAX_SHAPES or any(len(c) > 3 for c in cells):
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

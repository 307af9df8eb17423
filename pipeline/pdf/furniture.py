"""Document-wide facts: the body style, and page furniture (running headers, footers,
page numbers) found across pages."""
from __future__ import annotations

import re

from .model import Body, RawPage, group_rows


PAGE_LABEL = re.compile(r"^(page\s+)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.IGNORECASE)


MARGIN_TOP, MARGIN_BOTTOM = 0.08, 0.07  # page-height fractions where furniture lives


def body_style(pages: list[RawPage]) -> Body:
    """The size and colour most characters are printed in."""
    sizes: dict[float, int] = {}
    colors: dict[tuple, int] = {}
    for page in pages:
        for w in page.words:
            key = round(w.size * 2) / 2
            sizes[key] = sizes.get(key, 0) + len(w.text)
            colors[w.color] = colors.get(w.color, 0) + len(w.text)
    if not sizes:
        return Body(10.0, (0.0, 0.0, 0.0))
    return Body(max(sizes, key=sizes.get), max(colors, key=colors.get))


def furniture(pages: list[RawPage]) -> set[tuple[int, int]]:
    """(page, word index) of running headers, footers and page numbers.

    A margin-zone line is furniture when it is a page label ("3", "Page 3 of 4")
    or when the same text (digits ignored) stands at the same height on at least
    half the pages (and on two or more).
    """
    seen: dict[str, list[tuple[int, float, list[int]]]] = {}
    out: set[tuple[int, int]] = set()
    for page in pages:
        index = {id(w): i for i, w in enumerate(page.words)}
        for row in group_rows(page.words):
            top, bottom = min(w.top for w in row), max(w.bottom for w in row)
            if not (bottom <= page.height * MARGIN_TOP or top >= page.height * (1 - MARGIN_BOTTOM)):
                continue
            text = " ".join(w.text for w in row)
            ids = [index[id(w)] for w in row]
            if PAGE_LABEL.match(text.strip()):
                out.update((page.number, i) for i in ids)
                continue
            key = re.sub(r"\d+", "#", re.sub(r"\s+", " ", text.lower())).strip()
            seen.setdefault(key, []).append((page.number, top, ids))
    need = max(2, (len(pages) + 1) // 2)
    for hits in seen.values():
        for _, top, _ in hits:
            same = [h for h in hits if abs(h[1] - top) <= 3]
            if len({h[0] for h in same}) >= need:
                out.update((p, i) for p, _, ids in same for i in ids)
    return out

"""pipeline.pdf.columns: how many rows cross each x, counted over arrays, against the
definition counted point by point (rows of random words: before the range, across its
ends, empty and backwards boxes, whole and fractional edges)."""
from __future__ import annotations

import random

import pytest

from pipeline.pdf.columns import _crossings_by_x
from pipeline.pdf.model import Word


def crossings_point_by_point(rows: list[list[Word]], lo: int, hi: int) -> list[int]:
    """A word within 3 pt of the range covers the whole points from int(x0) - 3 up to, not
    including, int(x1) + 4."""
    near = [[w for w in row if w.x1 + 3 >= lo and w.x0 - 3 <= hi] for row in rows]
    return [sum(1 for row in near if any(int(w.x0) - 3 <= x < int(w.x1) + 4 for w in row)) for x in range(lo, hi + 1)]


def _random_rows(rng: random.Random) -> list[list[Word]]:
    rows = []
    for _ in range(rng.randint(0, 30)):
        row = []
        for _ in range(rng.randint(1, 8)):
            x0 = rng.choice([rng.uniform(-20, 620), float(rng.randint(0, 600)), rng.uniform(-5, 5)])
            row.append(Word("w", x0, x0 + rng.choice([rng.uniform(-3, 80), 0.0, 0.5]), 0.0, 1.0, 10.0))
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(20))
def test_crossings_are_counted_as_point_by_point(seed):
    rng = random.Random(seed)
    for lo, hi in [(180, 420), (0, 10), (5, 5), (300, 301)]:
        rows = _random_rows(rng)
        assert _crossings_by_x(rows, lo, hi) == crossings_point_by_point(rows, lo, hi)

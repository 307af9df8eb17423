"""pipeline.pdf.words: characters grouped into words exactly as pdfplumber's WordExtractor
groups them with our settings, word by word (text, box, font, size, colour, upright).

The fixture PDFs of every layout are checked in test_pdf.py and test_pdf_designed.py
through ``assert_words_as_pdfplumber``; here, seeded random pages that crowd the
edge cases (tolerance borders, lines that chain, rotated runs, spaces, empty texts,
ligatures), the hostile corpus, and the tuple form of pdfplumber's duplicate removal.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from pdfplumber.utils import dedupe_chars
from pdfplumber.utils.text import WordExtractor

from pipeline.pdf.backend import BACKENDS, deduped, doubled_glyphs
from pipeline.pdf.words import CHAR_FIELDS, WORD_OPTIONS, CharColumns, group_words

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from build_hostile import write_corpus  # noqa: E402

WORD_FIELDS = ("text", "x0", "x1", "top", "bottom", "fontname", "size", "non_stroking_color", "upright")


def as_dicts(chars: list[tuple]) -> list[dict]:
    """Character tuples as the dicts pdfplumber's algorithms read."""
    out = []
    for c in chars:
        d = dict(zip(CHAR_FIELDS, c))
        d["non_stroking_color"] = d.pop("colour")
        d["doctop"] = d["top"]
        out.append(d)
    return out


def reference_words(chars: list[tuple]) -> list[tuple]:
    return [tuple(w[k] for k in WORD_FIELDS) for w in WordExtractor(**WORD_OPTIONS).extract_words(as_dicts(chars))]


def page_objects(path: Path, backend: str, max_pages: int = 60):
    if backend == "pdfium":
        from pipeline.pdf.pdfium import page_objects as read
    else:
        from pipeline.pdf.plumber import page_objects as read
    return read(path, max_pages)


def assert_words_as_pdfplumber(path: Path, backend: str, pages=None) -> int:
    """Every page's words from ``group_words`` are WordExtractor's; returns how many words."""
    words = 0
    for page in pages if pages is not None else page_objects(path, backend):
        ours = group_words(page.chars)
        assert ours == reference_words(page.chars), f"{path.name} page {page.number} ({backend})"
        words += len(ours)
    return words


def _random_page(rng: random.Random, n: int) -> list[tuple]:
    texts = ["a", "b", "W", "1", ".", " ", "\t", "", "ﬁ", "ﬀ", "é"]
    fonts = ["Helvetica", "ABCDEF+Helvetica-Bold"]
    sizes = [8.0, 10.0, 10.01]
    colours = [(0.0, 0.0, 0.0), (0.2, 0.4, 0.6)]
    chars, x, top = [], 50.0, 100.0
    for _ in range(n):
        if rng.random() < 0.1:  # a new line, sometimes within the line tolerance, sometimes just past it
            top += rng.choice([0.0, 1.5, 3.0, 3.0000001, 2.9999, 12.0, -4.0])
            x = rng.choice([50.0, 120.0, 300.0])
        size = rng.choice(sizes)
        width = rng.choice([2.0, 5.0, 6.0])
        x += rng.choice([0.0, 0.1, 0.15 * size, 0.15 * size + 1e-9, 2.0, -1.0, -6.0])
        jitter = rng.choice([0.0, 0.0, 0.5, 2.9, 3.1])
        chars.append((x, x + width, top + jitter, top + jitter + size, rng.choice(texts), rng.choice(fonts[:1] * 6 + fonts),
                       size if rng.random() < 0.9 else rng.choice(sizes), colours[0] if rng.random() < 0.9 else colours[1],
                       rng.random() < 0.93))
        x += width
    return chars


@pytest.mark.parametrize("seed", range(40))
def test_random_pages_group_as_pdfplumber_groups(seed):
    chars = _random_page(random.Random(seed), 400)
    assert group_words(chars) == reference_words(chars)


def test_a_rotated_run_groups_down_the_page_and_splits_upright_runs():
    upright = [(10.0 + 6 * i, 16.0 + 6 * i, 100.0, 110.0, t, "F", 10.0, (0.0, 0.0, 0.0), True) for i, t in enumerate("ab")]
    rotated = [(5.0, 15.0, 50.0 + 7 * i, 57.0 + 7 * i, t, "F", 10.0, (0.0, 0.0, 0.0), False) for i, t in enumerate("xyz")]
    chars = upright[:1] + rotated + upright[1:]
    words = group_words(chars)
    assert [w[0] for w in words] == ["a", "xyz", "b"]  # a style run ends where the rotated text comes between
    assert words == reference_words(chars)


def test_hostile_corpus_groups_as_pdfplumber_groups(tmp_path):
    """The hostile PDFs that open at all give pdfplumber's words (the page-count and
    character bombs are left to tests/test_hostile.py: they are about limits)."""
    opened = 0
    for path in write_corpus(tmp_path):
        if path.suffix != ".pdf" or path.name in ("character-bomb.pdf", "huge-page-tree.pdf", "font-flood.pdf"):
            continue
        for backend in BACKENDS:
            try:
                pages = page_objects(path, backend)
            except Exception:  # noqa: BLE001 - how a broken file fails is tests/test_hostile.py's matter
                continue
            assert_words_as_pdfplumber(path, backend, pages)
            opened += 1
    assert opened >= 2


def test_font_flood_groups_as_pdfplumber_groups(tmp_path):
    """Thousands of characters in a font that is missing (PDFium reads them; pdfminer floods its log)."""
    path = next(p for p in write_corpus(tmp_path) if p.name == "font-flood.pdf")
    assert assert_words_as_pdfplumber(path, "pdfium") > 0


@pytest.mark.parametrize("seed", range(5))
def test_doubled_glyphs_are_dropped_as_pdfplumber_drops_them(seed):
    rng = random.Random(seed)
    chars = _random_page(rng, 300)
    chars += [(c[0] + rng.choice([0.0, 0.5, 1.0, 1.5]),) + c[1:2] + (c[2] + rng.choice([0.0, 0.4, 1.2]),) + c[3:]
              for c in rng.sample(chars, 120)]
    rng.shuffle(chars)
    kept = dedupe_chars(as_dicts(chars), tolerance=1)
    assert deduped(chars) == [tuple(d[k] for k in ("x0", "x1", "top", "bottom", "text", "fontname", "size", "non_stroking_color", "upright"))
                              for d in kept]


@pytest.mark.parametrize("seed", range(5))
def test_columns_give_the_tuples_and_words_of_the_tuples(seed):
    """CharColumns (what PDFium's reader makes) hold the same characters as the tuples, and
    the same words come from either form."""
    chars = _random_page(random.Random(seed), 400)
    columns = CharColumns.of(chars)
    assert list(columns) == chars and len(columns) == len(chars)
    assert group_words(columns) == group_words(chars) == reference_words(chars)


def test_a_coordinate_that_is_not_a_number_groups_as_pdfplumber_groups():
    chars = _random_page(random.Random(7), 200)
    chars[50] = (float("nan"),) + chars[50][1:]
    assert group_words(chars) == reference_words(chars)


@pytest.mark.parametrize("seed", range(5))
def test_doubled_glyphs_are_seen_alike_in_columns_and_tuples(seed):
    """``doubled_glyphs`` over columns first asks whether any two characters share a rounded
    spot; the answer is the tuples' either way (pages with doubles, and pages without)."""
    rng = random.Random(seed)
    plain = _random_page(rng, 300)
    near = [(c[0] + rng.choice([0.0, 0.4]),) + c[1:2] + (c[2] + rng.choice([0.0, 0.3]),) + c[3:] for c in rng.sample(plain, 5)]
    doubled = plain + near + rng.sample([c for c in plain if c[4].strip()], 3)  # three drawn twice on the spot
    lone = [(10.0 * i, 10.0 * i + 5, 100.0, 110.0, "a", "F", 10.0, (0.0, 0.0, 0.0), True) for i in range(50)]
    for chars in (plain, plain + near, doubled, lone):
        assert doubled_glyphs(CharColumns.of(chars)) == doubled_glyphs(chars)
    assert doubled_glyphs(CharColumns.of(doubled)) and not doubled_glyphs(CharColumns.of(lone))

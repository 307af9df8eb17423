"""PDF reading speed: our PDF path, on each page backend, against pdfplumber's bare extract_words.

Usage: python bench/bench_pdf.py [--rounds 3] [--backends pdfium,pdfplumber]

Builds the PDF fixtures (tests/fixtures/build_pdfs.py: every profile in raw/, in
every layout the machine can render) into a temporary folder, then times, in the
same run and over the same pages:

(a) opening each file with pdfplumber and calling ``page.extract_words()`` on
    every page: the baseline;
(b) PDFium's own text extraction (pypdfium2: every page's text page and its text),
    the floor for the PDFium backend;
(c) ``read_pdf``, the PDF reader alone, with the PDFium backend and with pdfplumber;
(d) every stage from the PDF file to the Arrow tables (nothing written), with each backend;
(e) ``extract_words()`` over ``pipeline.pdf.plumber.LeanPage``, which makes the same
    character dicts as pdfplumber's Page, faster (the pdfplumber backend reads through it).

Prints pages/second for each and the ratios, best of ``--rounds`` rounds that take every
measure in turn (a busy spell slows one round's measures alike). Before timing, one file
warms imports and caches; the first round then loads each further country's place names
(about 15-20 ms a country, once per process: a batch pays it once for each country it meets,
which bench_batch counts), so with 2 rounds or more the best round is a warm one. ``--backends pdfium``
times (c) and (d) with PDFium only (and skips (e)): quicker while working on that backend.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from build_pdfs import build_all

from pipeline.extract import extract_document
from pipeline.ingest import read_source
from pipeline.pdf import lean_page, read_pdf
from pipeline.pdf.backend import BACKEND_ENV, BACKENDS
from pipeline.rules import load_rules


def bare(paths: list[Path]) -> int:
    words = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                words += len(page.extract_words())
    return words


def lean_bare(paths: list[Path]) -> int:
    words = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                words += len(lean_page(page).extract_words())
    return words


def pdfium_text(paths: list[Path]) -> int:
    """PDFium's own text extraction: every page's text, nothing else."""
    chars = 0
    for path in paths:
        doc = pdfium.PdfDocument(str(path))
        for page in doc:
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        doc.close()
    return chars


def ours(paths: list[Path], rules, backend: str) -> int:
    chars = 0
    for path in paths:
        chars += len(read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                              headings=rules.headings, ratings=rules.ratings, backend=backend).text)
    return chars


def full(paths: list[Path], rules, backend: str) -> int:
    """Every stage, from the PDF file to the Arrow tables (nothing written)."""
    os.environ[BACKEND_ENV] = backend  # what --backend does
    rows = 0
    for path in paths:
        source = read_source(path, path.parent, rules=rules)
        rows += sum(t.num_rows for t in extract_document(source, rules).tables.values())
    return rows


def best_of(rounds: int, timed: dict[str, tuple]) -> dict[str, float]:
    """Best wall time of each named (fn, *args) over ``rounds`` interleaved rounds: a busy
    spell of the machine slows every measure of its round alike, so the ratios hold."""
    best = {name: float("inf") for name in timed}
    for _ in range(rounds):
        for name, (fn, *args) in timed.items():
            started = time.perf_counter()
            fn(*args)
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated, of: " + ", ".join(BACKENDS))
    args = parser.parse_args(argv)
    backends = [b for b in BACKENDS if b in args.backends.split(",")]
    if not backends:
        parser.error(f"--backends: none of {', '.join(BACKENDS)}")
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        fixtures = build_all(Path(tmp))
        build = time.perf_counter() - started
        paths = [f.path for f in fixtures]
        pages = sum(f.pages for f in fixtures)
        ours(paths[:1], rules, "pdfium")  # warm imports and caches before timing
        all_rules = load_rules()
        full(paths[:1], all_rules, backends[0])
        timed = {"bare": (bare, paths), "own": (pdfium_text, paths)}
        if "pdfplumber" in backends:
            timed["lean"] = (lean_bare, paths)
        for b in backends:
            timed[f"reader {b}"] = (ours, paths, rules, b)
            timed[f"full {b}"] = (full, paths, all_rules, b)
        best = best_of(args.rounds, timed)
        t_bare, t_own, t_lean = best["bare"], best["own"], best.get("lean")
        t_reader = {b: best[f"reader {b}"] for b in backends}
        t_full = {b: best[f"full {b}"] for b in backends}
    print(f"fixtures: {len(paths)} PDFs, {pages} pages, built in {build:.2f}s")
    print(f"pdfplumber extract_words:      {t_bare:6.2f}s  {pages / t_bare:7.1f} pages/s")
    print(f"PDFium text extraction:        {t_own:6.2f}s  {pages / t_own:7.1f} pages/s")
    if t_lean is not None:
        print(f"LeanPage extract_words:        {t_lean:6.2f}s  {pages / t_lean:7.1f} pages/s")
    for b in backends:
        print(f"read_pdf, {b:10} backend:  {t_reader[b]:6.2f}s  {pages / t_reader[b]:7.1f} pages/s")
        print(f"all stages, {b:10} backend: {t_full[b]:6.2f}s  {pages / t_full[b]:7.1f} pages/s")
    if "pdfium" in backends:
        print(f"ratio all stages (pdfium) / extract_words: {t_full['pdfium'] / t_bare:.2f}x (target <= 0.25x; best of {args.rounds})")
        print(f"ratio read_pdf (pdfium) / extract_words: {t_reader['pdfium'] / t_bare:.2f}x")
        print(f"ratio read_pdf (pdfium) / PDFium text extraction: {t_reader['pdfium'] / t_own:.1f}x")
    if "pdfplumber" in backends:
        print(f"ratio all stages (pdfplumber) / extract_words: {t_full['pdfplumber'] / t_bare:.2f}x")
        print(f"ratio read_pdf (pdfplumber) / extract_words: {t_reader['pdfplumber'] / t_bare:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

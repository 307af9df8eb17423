"""PDF reading speed: our PDF path against pdfplumber's bare extract_words.

Usage: python bench/bench_pdf.py [--rounds 3]

Builds the PDF fixtures (tests/fixtures/build_pdfs.py: every profile in raw/, in
every layout the machine can render) into a temporary folder, then times, in the
same run and over the same pages:

(a) opening each file with pdfplumber and calling ``page.extract_words()`` on
    every page: the issue's baseline;
(b) ``read_pdf``, the PDF reader alone;
(c) every stage from the PDF file to the Arrow tables (nothing written);
(d) ``extract_words()`` over ``pipeline.pdf.backend.LeanPage``, which makes the same
    character dicts as pdfplumber's Page, faster. The reader uses it, so the ratio
    against (d) shows what the reader and the stages add to word extraction from
    the same character source.

Prints pages/second for each and the ratios, best of ``--rounds``.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from build_pdfs import build_all

from pipeline.extract import extract_document
from pipeline.ingest import read_source
from pipeline.pdf import lean_page, read_pdf
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


def ours(paths: list[Path], rules) -> int:
    chars = 0
    for path in paths:
        chars += len(read_pdf(path, keep_hyphen_prefixes=rules.normalize.keep_hyphen_prefixes,
                              headings=rules.headings, ratings=rules.ratings).text)
    return chars


def full(paths: list[Path], rules) -> int:
    """Every stage, from the PDF file to the Arrow tables (nothing written)."""
    rows = 0
    for path in paths:
        source = read_source(path, path.parent, rules=rules)
        rows += sum(t.num_rows for t in extract_document(source, rules).tables.values())
    return rows


def best_of(rounds: int, fn, *args) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        fixtures = build_all(Path(tmp))
        build = time.perf_counter() - started
        paths = [f.path for f in fixtures]
        pages = sum(f.pages for f in fixtures)
        ours(paths[:1], rules)  # warm imports and caches before timing
        t_bare = best_of(args.rounds, bare, paths)
        t_lean = best_of(args.rounds, lean_bare, paths)
        t_ours = best_of(args.rounds, ours, paths, rules)
        all_rules = load_rules()
        full(paths[:1], all_rules)
        t_full = best_of(args.rounds, full, paths, all_rules)
    print(f"fixtures: {len(paths)} PDFs, {pages} pages, built in {build:.2f}s")
    print(f"pdfplumber extract_words: {t_bare:.2f}s  {pages / t_bare:6.1f} pages/s")
    print(f"LeanPage extract_words:   {t_lean:.2f}s  {pages / t_lean:6.1f} pages/s")
    print(f"pipeline.pdf.read_pdf:    {t_ours:.2f}s  {pages / t_ours:6.1f} pages/s")
    print(f"full pipeline (all stages):  {t_full:.2f}s  {pages / t_full:6.1f} pages/s")
    print(f"ratio read_pdf / extract_words: {t_ours / t_bare:.2f}x (best of {args.rounds})")
    print(f"ratio full pipeline / extract_words: {t_full / t_bare:.2f}x (best of {args.rounds})")
    print(f"ratio full pipeline / LeanPage extract_words: {t_full / t_lean:.2f}x (best of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

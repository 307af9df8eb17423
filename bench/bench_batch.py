"""Batch throughput: N generated text profiles (and PDFs when built) with 1 and 2 workers.

Usage: python bench/bench_batch.py [--profiles 500] [--pdfs 137] [--backend pdfium|pdfplumber]

``--profiles 0`` skips the text batch. PDFs are read with ``--backend`` (as
``sdg-profiles run --backend``); their pages are counted to print pages/s.

Inputs are made by varying the sample profiles in raw/: each copy is retitled with
another country's name (ISO 3166), so every input is a distinct profile. PDFs are
rendered from those by tests/fixtures/build_pdfs.py. Figures are ratios measured
in one run (2 workers against 1), plus wall time, files/s and peak memory (RSS)
of the runner and of its worker processes.
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.pdf.backend import BACKEND_ENV, BACKENDS  # noqa: E402
from pipeline.run import RunConfig, run_batch  # noqa: E402

TITLE = {".md": re.compile(r"^# .+$", re.M), ".txt": None}


def make_text_inputs(folder: Path, count: int) -> None:
    samples = sorted(p for p in (ROOT / "raw").iterdir() if p.suffix == ".md")
    names = [c.name.upper() for c in pycountry.countries if "," not in c.name and "(" not in c.name]
    for i, (sample, name) in enumerate(zip(itertools.cycle(samples), itertools.cycle(names))):
        if i >= count:
            break
        text = sample.read_text(encoding="utf-8")
        text = TITLE[".md"].sub(f"# {name}", text, count=1)
        (folder / f"{i:04d}-{sample.stem}.md").write_text(text, encoding="utf-8")


def make_pdf_inputs(folder: Path, count: int) -> int:
    try:
        sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
        from build_pdfs import build_all  # type: ignore
    except ImportError:
        return 0
    built = Path(tempfile.mkdtemp())
    paths = build_all(built)
    pdfs = [Path(p) for p in paths]
    for i, pdf in enumerate(itertools.islice(itertools.cycle(pdfs), count)):
        shutil.copy(pdf, folder / f"{i:04d}-{pdf.name}")
    return min(count, len(pdfs) and count)


def timed_run(folder: Path, workers: int) -> tuple[float, int, float]:
    """(wall seconds, inputs, CPU seconds of the runner and its workers): CPU time is what
    to compare when other jobs share the cores, as wall time then depends on them."""
    out = Path(tempfile.mkdtemp())
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    result = run_batch(RunConfig(folder, out, workers=workers, force=True))
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    shutil.rmtree(out)
    return elapsed, len(result.entries), cpu


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pdf_pages(folder: Path) -> int:
    import pypdfium2 as pdfium

    total = 0
    for path in folder.glob("*.pdf"):
        doc = pdfium.PdfDocument(str(path))
        total += len(doc)
        doc.close()
    return total


def report(label: str, folder: Path, pages: int = 0) -> None:
    one, n, cpu_one = timed_run(folder, 1)
    two, _, cpu_two = timed_run(folder, 2)
    per_page = f" | {pages} pages: {pages / one:.1f} pages/s with 1 worker, {pages / two:.1f} with 2" if pages else ""
    print(f"{label}: {n} inputs | 1 worker {one:.1f}s ({n / one:.1f}/s) | 2 workers {two:.1f}s ({n / two:.1f}/s) "
          f"| speed-up {one / two:.2f}x{per_page} | CPU time {cpu_one:.1f}s with 1 worker, {cpu_two:.1f}s with 2")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=500)
    parser.add_argument("--pdfs", type=int, default=137)
    parser.add_argument("--backend", choices=BACKENDS, default="pdfium")
    args = parser.parse_args()
    os.environ[BACKEND_ENV] = args.backend  # what `sdg-profiles run --backend` does; workers inherit it
    with tempfile.TemporaryDirectory() as tmp:
        if args.profiles:
            text_dir = Path(tmp) / "text"
            text_dir.mkdir()
            make_text_inputs(text_dir, args.profiles)
            report("text", text_dir)
        if args.pdfs:
            pdf_dir = Path(tmp) / "pdf"
            pdf_dir.mkdir()
            if make_pdf_inputs(pdf_dir, args.pdfs):
                report(f"pdf ({args.backend})", pdf_dir, pdf_pages(pdf_dir))
            else:
                print("pdf: fixture builder not available, skipped")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: runner {own:.0f} MiB, largest worker {children:.0f} MiB")


if __name__ == "__main__":
    main()

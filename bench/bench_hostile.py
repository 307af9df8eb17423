"""A batch of fuzzed and hostile PDFs: does it finish within its limits, and how much memory does it take?

Usage: python bench/bench_hostile.py [--mutants 300] [--scale 3] [--workers 2] [--max-seconds 20] [--max-memory 1GiB]

Inputs: the fixture PDFs (tests/fixtures/build_pdfs.py, every sample of raw/ in two
layouts), each mutated at random with a fixed seed (bytes flipped, a block cut,
doubled or moved, the tail truncated, a hostile token spliced in: deep brackets, a
5,000-digit integer, a reference to itself), plus the hostile corpus of
tests/fixtures/build_hostile.py at ``--scale`` and the unmutated fixtures. One CLI run
over all of them, in a subprocess; this script samples the resident memory of the
runner and every descendant of it every 50 ms from /proc.

Reports wall time, the codes the inputs ended with, whether any traceback or E999
appeared, and the peak memory of the whole process tree against the bound the
limits promise: runner + workers x (worker at rest + --max-memory).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

HOSTILE_TOKENS = [b"[" * 5000, b"7" * 5000, b" 3 0 R ", b"/Kids [2 0 R 2 0 R]", b"/Count 999999999", b"<<" * 2000,
                  b"/Filter /FlateDecode", b"(\\", b"\xfe\xff\xd8\x00", b"stream\r\nendstream", b"/MediaBox (x)"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of a PDF's bytes."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["flip", "cut", "double", "move", "truncate", "splice"])
        at = rng.randrange(len(data))
        width = rng.randint(1, max(1, min(4096, len(data) - at)))
        if kind == "flip":
            for i in rng.sample(range(len(data)), min(len(data), rng.randint(1, 64))):
                data[i] = rng.randrange(256)
        elif kind == "cut":
            del data[at : at + width]
        elif kind == "double":
            data[at:at] = data[at : at + width]
        elif kind == "move":
            block = data[at : at + width]
            del data[at : at + width]
            spot = rng.randrange(len(data) + 1)
            data[spot:spot] = block
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = rng.choice(HOSTILE_TOKENS)
        if not data:
            data = bytearray(b"%PDF-1.4\n")
    return bytes(data)


def build_inputs(folder: Path, mutants: int, scale: int) -> int:
    from build_hostile import write_corpus
    from build_pdfs import build_all

    sources = [f.path for f in build_all(Path(tempfile.mkdtemp()), layout_names=["columns", "plain"])]
    rng = random.Random(14)
    for i in range(mutants):
        source = sources[i % len(sources)]
        (folder / f"m{i:04d}-{source.name}").write_bytes(mutate(source.read_bytes(), rng))
    for source in sources:
        (folder / f"orig-{source.name}").write_bytes(source.read_bytes())
    return mutants + len(sources) + len(write_corpus(folder / "hostile", scale))


def tree_rss(pid: int) -> tuple[int, int, int]:
    """Resident bytes of a process and all its descendants: (total, the process's own, largest descendant)."""
    parents, rss = {}, {}
    page = os.sysconf("SC_PAGE_SIZE")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        p = int(stat.parent.name)
        parents[p] = int(fields[1])
        rss[p] = int(fields[21]) * page
    tree, frontier = {pid}, [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier and p not in tree]
        tree.update(frontier)
    descendants = [rss.get(p, 0) for p in tree if p != pid]
    return sum(rss.get(p, 0) for p in tree), rss.get(pid, 0), max(descendants, default=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutants", type=int, default=300)
    parser.add_argument("--scale", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", default="20")
    parser.add_argument("--max-memory", default="1GiB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "in", Path(tmp) / "out"
        folder.mkdir()
        count = build_inputs(folder, args.mutants, args.scale)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(folder), "--out", str(out), "-q",
                                 "--workers", str(args.workers), "--max-seconds", args.max_seconds,
                                 "--max-memory", args.max_memory],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
        peak = peak_runner = peak_worker = 0
        while proc.poll() is None:
            total, runner, worker = tree_rss(proc.pid)
            peak, peak_runner, peak_worker = max(peak, total), max(peak_runner, runner), max(peak_worker, worker)
            time.sleep(0.05)
        stdout, stderr = proc.communicate()
        elapsed = time.perf_counter() - started
        entries = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))["inputs"]
    codes = collections.Counter(e["error"][1:5] if e["status"] == "failed" else e["status"] for e in entries)
    text = (stdout + stderr).decode("utf-8", "replace")
    mib = 1 << 20
    print(f"{count} inputs ({args.mutants} mutated fixture PDFs, hostile corpus x{args.scale}), "
          f"{args.workers} workers, --max-seconds {args.max_seconds}, --max-memory {args.max_memory}")
    print(f"exit {proc.returncode} after {elapsed:.1f} s; {len(entries)} manifest entries; "
          f"traceback: {'yes' if 'Traceback' in text else 'no'}; stderr lines: {len(stderr.splitlines())}")
    print("outcomes: " + ", ".join(f"{code} {n}" for code, n in sorted(codes.items())))
    print(f"peak RSS: process tree {peak / mib:.0f} MiB (runner {peak_runner / mib:.0f} MiB, "
          f"largest worker {peak_worker / mib:.0f} MiB)")


if __name__ == "__main__":
    main()

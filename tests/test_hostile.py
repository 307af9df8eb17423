"""The hostile corpus in one batch: it finishes, every input is accounted for, nothing floods or crashes."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import RAW, ROOT

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from build_hostile import write_corpus  # noqa: E402

EXPECTED = {  # the code each input must end with; the character bomb may meet either limit first
    "cycle.pdf": ("E200",),
    "self-contents.pdf": ("E103",),
    "string-mediabox.pdf": ("E200",),
    "deep-mediabox.pdf": ("E101",),
    "huge-integer.pdf": ("E101",),
    "huge-page-tree.pdf": ("E104",),
    "character-bomb.pdf": ("E105", "E106"),
    "font-flood.pdf": ("E200",),
    "utf16-odd-length.txt": ("E100",),
    "utf16-lone-surrogate.txt": ("E100",),
    "over-spacy-limit.md": ("E104",),
    "long-title.md": ("E200",),
    "caf\\xe9-latin1-name.md": ("E201",),
}


@pytest.mark.parametrize("backend", ["pdfplumber", "pdfium"])
def test_hostile_corpus_runs_to_the_end_with_every_input_coded(tmp_path, backend):
    """The codes above are pdfplumber's (the corpus was built against pdfminer's failure
    modes, the log flood among them); PDFium, a C library, fails some of the same files
    elsewhere (a cyclic page tree is refused when opened, E101), so with it every input
    must still end with a code, the batch must finish and the good profile be right."""
    root = tmp_path / "in"
    write_corpus(root)
    (root / "kazakhstan.md").write_bytes((RAW / "kazakhstan.md").read_bytes())
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(root), "--out", str(out), "--workers", "2",
         "--max-seconds", "10", "--max-memory", "250MB", "--backend", backend],
        capture_output=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stdout + stderr and "Logging error" not in stderr
    lines = stderr.splitlines()
    assert len(lines) <= len(EXPECTED) + 3, lines[:20]  # one per input and the summary: no log flood
    assert max(len(line) for line in lines) < 400

    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    entries = {e["path"]: e for e in manifest["inputs"]}
    assert set(entries) == set(EXPECTED) | {"kazakhstan.md"}
    for name, codes in EXPECTED.items():
        entry = entries[name]
        assert entry["status"] == "failed", name
        assert re.match(r"\[E\d{3}\] ", entry["error"]), (name, entry["error"])
        assert backend == "pdfium" or entry["error"][1:5] in codes, (name, entry["error"])
        assert entry["error"][1:5] != "E999", (name, entry["error"])
        assert len(entry["error"]) <= 300 and "\x1b" not in entry["error"]
        assert f"FAILED {name}: {entry['error']}" in lines
    if backend == "pdfplumber":
        assert any("pdfminer" in w and "logged" in w for w in entries["font-flood.pdf"]["warnings"])

    assert entries["kazakhstan.md"]["status"] == "ok"
    units = pq.read_table(out / "admin_units" / "country=KAZ" / "part-0.parquet")
    assert units.column("count").to_pylist()[:2] == [17, 3]  # "17 regions", "3 cities of republican significance"
    assert sorted(p.name for p in (out / "profiles").iterdir()) == ["country=KAZ"]

"""The batch runner: manifest, isolation, incremental runs, conflicts, atomic output."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import UnreadablePdf
from pipeline.run import RunConfig, discover_inputs, run_batch
from pipeline.schema import TABLES

from conftest import RAW

KAZ = (RAW / "kazakhstan.md").read_text(encoding="utf-8")


def folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    root = tmp_path / "in"
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return root


def run(tmp_path, root, **options):
    return run_batch(RunConfig(root, tmp_path / "out", workers=options.pop("workers", 1), **options))


def manifest(tmp_path) -> dict:
    return {e["path"]: e for e in json.loads((tmp_path / "out" / "_manifest.json").read_text())["inputs"]}


def digest_tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*.parquet"))}


def test_every_table_gets_a_partition_even_when_empty(tmp_path):
    root = folder(tmp_path, {"kaz.md": KAZ})
    result = run(tmp_path, root)
    assert result.exit_code == 0
    for table in TABLES:
        part = tmp_path / "out" / table / "country=KAZ" / "part-0.parquet"
        assert part.exists(), table
        assert pq.read_schema(part).names == TABLES[table].column_names
    assert manifest(tmp_path)["kaz.md"]["rows"]["admin_units"] == 9


def test_same_input_gives_byte_identical_parquet_with_one_or_two_workers(tmp_path):
    a = run_batch(RunConfig(RAW, tmp_path / "a", workers=1))
    b = run_batch(RunConfig(RAW, tmp_path / "b", workers=2))
    assert a.exit_code == b.exit_code == 0
    assert digest_tree(tmp_path / "a") == digest_tree(tmp_path / "b")


BAD_TEXT_INPUTS = {
    "empty.md": b"",
    "no-known-section.md": "# KENYA\n\n## INTRODUCTION\n\nSome text about something else.\n",
    "not-a-country.md": "# ATLANTIS\n\n## TERRITORIAL ORGANIZATION\n\nAtlantis has 10 regions.\n",
    "binary.txt": bytes(range(256)) * 4,
}


def test_bad_inputs_fail_alone_with_one_line_each(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ, **BAD_TEXT_INPUTS})
    result = run(tmp_path, root)
    assert result.exit_code == 1
    entries = manifest(tmp_path)
    assert entries["kazakhstan.md"]["status"] == "ok"
    expected = {
        "empty.md": ("UnreadableInput", "empty file"),
        "no-known-section.md": ("NotAProfile", "not a country profile: no known profile section"),
        "not-a-country.md": ("UnknownCountry", "'Atlantis' is not a country name"),
        "binary.txt": ("UnreadableInput", "binary data"),
    }
    for name, (cls, words) in expected.items():
        entry = entries[name]
        assert entry["status"] == "failed"
        assert entry["error_class"] == cls
        assert words in entry["error"] and "\n" not in entry["error"]
    assert sorted(p.name for p in (tmp_path / "out" / "sections").iterdir()) == ["country=KAZ"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "latin-1"])
def test_text_encodings_decode_to_the_same_extraction(tmp_path, encoding):
    text = KAZ if encoding != "latin-1" else KAZ.encode("latin-1", "replace").decode("latin-1")
    root = folder(tmp_path, {"kazakhstan.md": text.encode(encoding)})
    assert run(tmp_path, root).exit_code == 0
    units = pq.read_table(tmp_path / "out" / "admin_units" / "country=KAZ" / "part-0.parquet")
    assert units.column("count").to_pylist()[:2] == [17, 3]


def test_names_with_spaces_and_non_ascii_and_a_symlink_loop(tmp_path):
    root = folder(tmp_path, {"sub dir/Kazakhstan – export é.md": KAZ})
    os.symlink(root, root / "sub dir" / "loop")
    assert [p.name for p in discover_inputs(root)] == ["Kazakhstan – export é.md"]
    assert run(tmp_path, root).exit_code == 0
    assert manifest(tmp_path)["sub dir/Kazakhstan – export é.md"]["iso3"] == "KAZ"


def test_a_file_name_that_is_not_utf8_is_written_with_escapes(tmp_path, capfd):
    root = folder(tmp_path, {})
    (Path(os.fsdecode(os.fsencode(root) + b"/kaz\xe9.md"))).write_text(KAZ, encoding="utf-8")
    (Path(os.fsdecode(os.fsencode(root) + b"/bad\xff.md"))).write_bytes(b"")
    result = CliRunner().invoke(main, ["run", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "FAILED bad\\xff.md: [E100] unreadable input: empty file" in result.output
    assert manifest(tmp_path)["kaz\\xe9.md"]["status"] == "ok"
    profile = pq.read_table(tmp_path / "out" / "profiles" / "country=KAZ" / "part-0.parquet")
    assert profile.column("source_file").to_pylist() == ["kaz\\xe9.md"]
    assert run(tmp_path, root).entries[1]["status"] == "skipped"  # the escaped name finds its entry again


def test_unchanged_inputs_are_skipped_until_forced_or_changed(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    run(tmp_path, root)
    part = tmp_path / "out" / "sections" / "country=KAZ" / "part-0.parquet"
    before = part.stat().st_mtime_ns
    run(tmp_path, root)
    assert manifest(tmp_path)["kazakhstan.md"]["status"] == "skipped"
    assert part.stat().st_mtime_ns == before
    run(tmp_path, root, force=True)
    assert manifest(tmp_path)["kazakhstan.md"]["status"] == "ok"
    (root / "kazakhstan.md").write_text(KAZ.replace("17 regions", "18 regions"), encoding="utf-8")
    run(tmp_path, root)
    assert manifest(tmp_path)["kazakhstan.md"]["status"] == "ok"
    units = pq.read_table(tmp_path / "out" / "admin_units" / "country=KAZ" / "part-0.parquet")
    assert units.column("count").to_pylist()[0] == 18


def test_prune_removes_partitions_of_vanished_inputs_only_when_asked(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ, "norway.txt": (RAW / "norway.txt").read_bytes()})
    run(tmp_path, root)
    (root / "norway.txt").unlink()
    run(tmp_path, root)
    assert (tmp_path / "out" / "sections" / "country=NOR").exists()
    run(tmp_path, root, prune=True)
    assert not (tmp_path / "out" / "sections" / "country=NOR").exists()
    assert (tmp_path / "out" / "sections" / "country=KAZ").exists()


def test_two_inputs_for_one_country_keep_a_deterministic_winner(tmp_path):
    plain = KAZ.replace("<sup>", "").replace("</sup>", "")
    root = folder(tmp_path, {"a_kazakhstan.txt": plain, "b_kazakhstan.md": KAZ})
    run(tmp_path, root)
    entries = manifest(tmp_path)
    assert entries["b_kazakhstan.md"]["status"] == "ok"  # markdown outranks text
    assert entries["a_kazakhstan.txt"]["status"] == "skipped"
    assert "b_kazakhstan.md" in entries["a_kazakhstan.txt"]["reason"]
    profile = pq.read_table(tmp_path / "out" / "profiles" / "country=KAZ" / "part-0.parquet")
    assert profile.column("source_file").to_pylist() == ["b_kazakhstan.md"]


def test_failed_rerun_keeps_the_earlier_partitions(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    run(tmp_path, root)
    before = digest_tree(tmp_path / "out")
    (root / "kazakhstan.md").write_text("# KAZAKHSTAN\n\nnothing here", encoding="utf-8")
    assert run(tmp_path, root).exit_code == 1
    assert digest_tree(tmp_path / "out") == before


def test_cli_exit_codes_and_one_line_per_failure(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ, "empty.md": b""})
    runner = CliRunner()
    result = runner.invoke(main, ["run", str(root), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert failed == ["FAILED empty.md: [E100] unreadable input: empty file"]
    assert "Traceback" not in result.output
    assert runner.invoke(main, ["run", str(root), "--workers", "0"]).exit_code == 2
    assert runner.invoke(main, ["run", str(tmp_path / "missing")]).exit_code == 2
    good = folder(tmp_path / "g", {"kazakhstan.md": KAZ})
    assert runner.invoke(main, ["run", str(good), "--out", str(tmp_path / "g" / "out")]).exit_code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; see test_output_folder_that_is_a_file")
def test_unwritable_output_folder(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    result = CliRunner().invoke(main, ["run", str(root), "--out", str(out)])
    assert result.exit_code == 2 and "cannot write output" in result.output


def test_output_folder_that_is_a_file(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = CliRunner().invoke(main, ["run", str(root), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("sdg-profiles: [E500] cannot write output")


def test_bad_rules_stop_the_run_with_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    (rules / "headings.yaml").write_text("headings:\n  - key: Bad Key\n    pattern: ''\n", encoding="utf-8")
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    result = CliRunner().invoke(main, ["run", str(root), "--out", str(tmp_path / "out"), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "rules/headings.yaml:2: heading key 'Bad Key' must be snake_case" in result.output


def test_killed_run_leaves_earlier_partitions_readable(tmp_path):
    """SIGKILL mid-run: every partition present is a complete Parquet file."""
    root = folder(tmp_path, {f"k{i:03d}.md": KAZ for i in range(1)})
    out = tmp_path / "out"
    run_batch(RunConfig(root, out, workers=1))
    before = digest_tree(out)
    many = folder(tmp_path / "many", {f"p{i:03d}/{name}": (RAW / name).read_bytes()
                                      for i in range(6) for name in ("kazakhstan.md", "norway.txt", "brazil.md")})
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(many), "--out", str(out), "--workers", "1", "-q", "--force"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and digest_tree(out) == before and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for part in out.rglob("*.parquet"):
        pq.read_table(part)  # raises if a file is partial
    assert not [p for p in out.rglob("part-0.parquet") if p.stat().st_size == 0]
    assert json.loads((out / "_manifest.json").read_text())["inputs"]


def test_prune_keeps_the_partitions_of_an_input_that_failed_this_time(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    run(tmp_path, root)
    (root / "kazakhstan.md").write_text("# KAZAKHSTAN\n\nbroken now", encoding="utf-8")
    assert run(tmp_path, root, prune=True).exit_code == 1
    assert (tmp_path / "out" / "sections" / "country=KAZ" / "part-0.parquet").exists()


def test_run_writes_a_datapackage_descriptor_of_every_table(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    run(tmp_path, root)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert sorted(r["name"] for r in package["resources"]) == sorted(TABLES)


def _pdf(draw_pages, **encryption) -> bytes:
    from datetime import datetime, timezone

    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    draw_pages(pdf)
    if encryption:
        pdf.set_encryption(**encryption)
    return bytes(pdf.output())


def _text_pages(lines_per_page: list[str]):
    def draw(pdf):
        for text in lines_per_page:
            pdf.add_page()
            pdf.set_font("Helvetica", "", 11)
            pdf.text(60, 100, text)
    return draw


def _scan(pdf):
    from PIL import Image

    pdf.add_page()
    pdf.image(Image.new("L", (60, 20), 128), x=60, y=120, w=300)


def test_bad_pdfs_fail_alone_with_the_documented_messages(tmp_path):
    import random

    good = _pdf(_text_pages(["Quarterly report of a water utility", "Revenue grew by 4% in 2023."]))
    files = {
        "kazakhstan.md": KAZ,
        "random.pdf": random.Random(7).randbytes(4096),
        "truncated.pdf": good[: len(good) // 2],
        "locked.pdf": _pdf(_text_pages(["Secret"]), owner_password="o", user_password="u"),
        "scan.pdf": _pdf(_scan),
        "long.pdf": _pdf(_text_pages([f"Annual report, page {i}" for i in range(300)])),
        "report.pdf": good,
    }
    root = folder(tmp_path, files)
    started = time.monotonic()
    result = run(tmp_path, root)
    assert time.monotonic() - started < 60  # the 300-page file is refused by its page count, not read
    assert result.exit_code == 1
    entries = manifest(tmp_path)
    assert entries["kazakhstan.md"]["status"] == "ok"
    expected = {
        "random.pdf": "[E101] unreadable PDF: ",
        "truncated.pdf": "[E101] unreadable PDF: ",
        "locked.pdf": "[E102] encrypted PDF",
        "scan.pdf": "[E103] no text layer (scanned PDF?)",
        "long.pdf": "[E104] input too large: ",
        "report.pdf": "[E200] not a country profile: ",
    }
    for name, start in expected.items():
        assert entries[name]["status"] == "failed", name
        assert entries[name]["error"].startswith(start), (name, entries[name]["error"])
        assert "\n" not in entries[name]["error"]


def _misbehave_on_norway(monkeypatch, act):
    """Make the work on norway.txt do ``act`` (in the worker, which is forked from this process)."""
    import pipeline.extract as extract

    real = extract.extract_document

    def patched(source, rules, model=None):
        if source.path.startswith("norway"):
            act()
        return real(source, rules, model=model)

    monkeypatch.setattr(extract, "extract_document", patched)


def _swallow_every_signal_forever():
    while True:  # what a library that catches everything does to an in-process alarm
        try:
            time.sleep(0.1)
        except BaseException:  # noqa: BLE001
            pass


THREE = {"a_kazakhstan.md": KAZ, "norway.txt": (RAW / "norway.txt").read_bytes(), "z_brazil.md": (RAW / "brazil.md").read_bytes()}


def test_an_input_over_its_time_limit_is_killed_from_outside(tmp_path, monkeypatch):
    """The runner holds the deadline: work that swallows every exception is still stopped, the batch goes on."""
    from pipeline.ingest import InputLimits

    _misbehave_on_norway(monkeypatch, _swallow_every_signal_forever)
    root = folder(tmp_path, THREE)
    result = run(tmp_path, root, limits=InputLimits(max_seconds=6))
    entries = manifest(tmp_path)
    assert entries["norway.txt"]["error"] == "[E105] input took too long: over 6 s (limit --max-seconds)"
    assert entries["a_kazakhstan.md"]["status"] == entries["z_brazil.md"]["status"] == "ok"  # a fresh worker took z_brazil
    assert result.exit_code == 1


@pytest.mark.parametrize("signum", [signal.SIGSEGV, signal.SIGKILL, signal.SIGABRT])
def test_a_worker_that_dies_fails_only_its_input_with_the_signal_named(tmp_path, monkeypatch, signum):
    _misbehave_on_norway(monkeypatch, lambda: os.kill(os.getpid(), signum))
    root = folder(tmp_path, THREE)
    result = run(tmp_path, root)
    entries = manifest(tmp_path)
    assert entries["norway.txt"]["error"].startswith(f"[E107] worker died: killed by {signal.Signals(signum).name}")
    assert entries["a_kazakhstan.md"]["status"] == entries["z_brazil.md"]["status"] == "ok"
    assert result.exit_code == 1


def test_an_input_over_the_memory_limit_fails_alone(tmp_path, monkeypatch):
    held = []
    _misbehave_on_norway(monkeypatch, lambda: [held.append(bytearray(16 << 20)) or time.sleep(0.01) for _ in range(100)])
    root = folder(tmp_path, THREE)
    run(tmp_path, root, max_memory=200 << 20)
    entries = manifest(tmp_path)
    assert entries["norway.txt"]["error"].startswith("[E106] input needed too much memory")
    assert entries["a_kazakhstan.md"]["status"] == entries["z_brazil.md"]["status"] == "ok"


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_slow_batch(tmp_path, monkeypatch_free_root) -> tuple[subprocess.Popen, list[int]]:
    """A CLI run in its own session whose two workers are up; returns it and the worker pids."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(monkeypatch_free_root), "--out", str(tmp_path / "out"),
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2
    return proc, workers


def _many_profiles(tmp_path, copies: int = 8) -> Path:
    """``copies`` of three profiles, each copy its own bytes (a line added), so none is a repeat."""
    return folder(tmp_path / "many", {f"p{i:03d}/{name}": (RAW / name).read_bytes() + f"\n\nCopy {i}.\n".encode()
                                      for i in range(copies) for name in ("kazakhstan.md", "norway.txt", "brazil.md")})


def _gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return not any(_alive(p) for p in pids)


def test_kill_9_of_the_runner_leaves_no_worker_behind(tmp_path):
    proc, workers = _start_slow_batch(tmp_path, _many_profiles(tmp_path))
    proc.kill()
    proc.wait()
    assert _gone(workers)


def test_ctrl_c_exits_130_with_one_line_and_no_worker_left(tmp_path):
    proc, workers = _start_slow_batch(tmp_path, _many_profiles(tmp_path, copies=40))  # still running a second later
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: to the runner and its workers
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    text = stderr.decode()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert text.strip().splitlines()[-1].startswith("sdg-profiles: interrupted;")
    assert _gone(workers)
    assert json.loads((tmp_path / "out" / "_manifest.json").read_text())["complete"] is False


def test_a_second_run_on_the_same_output_folder_exits_2_naming_the_holder(tmp_path):
    from pipeline.run import lock_output

    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    out = tmp_path / "out"
    out.mkdir()
    with lock_output(out):
        result = CliRunner().invoke(main, ["run", str(root), "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"sdg-profiles: [E501] output folder in use: {out} is held by sdg-profiles run, "
                                     f"pid {os.getpid()} on {__import__('socket').gethostname()}, since "
                                     + result.output.strip().rsplit("since ", 1)[1])
    assert CliRunner().invoke(main, ["run", str(root), "--out", str(out)]).exit_code == 0  # released


def test_a_killed_runs_finished_inputs_are_not_redone(tmp_path):
    root = _many_profiles(tmp_path, copies=3)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(root), "--out", str(out), "--workers", "1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done: list = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(done) < 2 and proc.poll() is None:
        time.sleep(0.05)
        try:
            done = [e["path"] for e in json.loads((out / "_manifest.json").read_text())["inputs"] if e["status"] == "ok"]
        except (OSError, ValueError):
            pass
    proc.kill()
    proc.wait()
    assert done
    run_batch(RunConfig(root, out, workers=1))
    entries = {e["path"]: e for e in json.loads((out / "_manifest.json").read_text())["inputs"]}
    assert all(entries[path]["status"] == "skipped" for path in done)
    assert len(entries) == 9 and all(e["status"] in ("ok", "skipped") for e in entries.values())


def test_failed_unchanged_inputs_are_skipped_until_retried(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ, "empty.md": b""})
    assert run(tmp_path, root).exit_code == 1
    second = run(tmp_path, root)
    entry = manifest(tmp_path)["empty.md"]
    assert (entry["status"], entry["previous_status"]) == ("skipped", "failed")
    assert entry["error"] == "[E100] unreadable input: empty file" and "--retry-failed" in entry["reason"]
    assert second.exit_code == 1  # still failed: the dataset lacks it
    run(tmp_path, root, retry_failed=True)
    assert manifest(tmp_path)["empty.md"]["status"] == "failed"
    (root / "empty.md").write_text(KAZ.replace("KAZAKHSTAN", "NORWAY", 1), encoding="utf-8")
    run(tmp_path, root)
    assert manifest(tmp_path)["empty.md"]["status"] != "skipped"  # changed bytes: redone


def test_links_that_are_not_followed_are_in_the_manifest_with_the_reason(tmp_path):
    outside = folder(tmp_path / "elsewhere", {"norway.txt": (RAW / "norway.txt").read_bytes()})
    root = folder(tmp_path, {"kazakhstan.md": KAZ, "sub/x.md": KAZ})
    os.symlink(outside / "norway.txt", root / "outside.txt")
    os.symlink(root / "missing.md", root / "dangling.md")
    os.symlink(root / "loop.md", root / "loop.md")
    os.symlink(root, root / "sub" / "up")
    os.symlink(root / "kazakhstan.md", root / "inside.md")
    run(tmp_path, root)
    entries = manifest(tmp_path)
    assert entries["outside.txt"]["reason"] == "symlink not followed: it points outside the input folder"
    assert entries["dangling.md"]["reason"] == "symlink not followed: it points to nothing (dangling)"
    assert entries["loop.md"]["reason"] == "symlink not followed: a symlink loop"
    assert entries["sub/up"]["reason"] == "symlinked folder not followed (a symlink loop)"
    assert all(entries[p]["status"] == "skipped" for p in ("outside.txt", "dangling.md", "loop.md", "sub/up"))
    assert not (tmp_path / "out" / "profiles" / "country=NOR").exists()  # the outside file was not read
    assert entries["inside.md"]["iso3"] == "KAZ"


def test_run_on_one_file_keeps_the_other_entries(tmp_path):
    root = folder(tmp_path, {"kazakhstan.md": KAZ, "norway.txt": (RAW / "norway.txt").read_bytes()})
    run(tmp_path, root)
    result = CliRunner().invoke(main, ["run", str(root / "norway.txt"), "--out", str(tmp_path / "out"), "--force"])
    assert result.exit_code == 0, result.output
    entries = manifest(tmp_path)
    assert entries["norway.txt"]["status"] == "ok" and entries["kazakhstan.md"]["status"] == "ok"
    assert "1 input(s)" in result.output.splitlines()[-1]


def test_sizes_take_units_and_warnings_are_printed_by_their_text(tmp_path):
    stub = "# KENYA\n\n## TERRITORIAL ORGANIZATION\n\nKenya has 47 counties.\n"
    root = folder(tmp_path, {"kenya.md": stub})
    result = CliRunner().invoke(main, ["run", str(root), "--out", str(tmp_path / "out"), "--max-bytes", "50MB",
                                       "--max-memory", "1.5GiB"])
    assert result.exit_code == 0, result.output
    entry = manifest(tmp_path)["kenya.md"]
    assert entry["status"] == "warning"
    assert "only 1 known section(s) of the profile template (territorial_organization)" in entry["warnings"][0]
    assert f"warning kenya.md: {entry['warnings'][0]}" in result.output
    bad = CliRunner().invoke(main, ["run", str(root), "--max-bytes", "fifty"])
    assert bad.exit_code == 2 and "'fifty' is not a size" in bad.output
    assert CliRunner().invoke(main, ["run", str(root), "--max-bytes", "2k", "--out", str(tmp_path / "o2")]).exit_code == 0


def test_messages_are_one_short_line_whatever_the_input_holds(tmp_path, monkeypatch):
    from pipeline.errors import NotAProfile

    def raise_long(source, rules, model=None):
        raise NotAProfile("\x1b[31m" + "title line\n" * 100_000)

    monkeypatch.setattr("pipeline.extract.extract_document", raise_long)
    root = folder(tmp_path, {"kazakhstan.md": KAZ})
    run(tmp_path, root)
    error = manifest(tmp_path)["kazakhstan.md"]["error"]
    assert error.startswith("[E200] not a country profile: \\x1b[31mtitle line\\ntitle line")
    assert len(error) <= 300 and error.endswith("more chars)")


def test_library_log_lines_are_counted_and_capped_not_printed():
    import logging

    from pipeline.run import LOG_LINES_COUNTED, LibraryLog

    log = LibraryLog()
    logger = logging.getLogger("pdfminer.test")
    logger.addHandler(log)
    try:
        for i in range(LOG_LINES_COUNTED + 5000):
            logger.warning("font %s has no widths", i)
        assert log.total == LOG_LINES_COUNTED  # switched off past the cap
        assert log.warnings() == [
            f"libraries logged {LOG_LINES_COUNTED} warning line(s) (then no longer counted)",
            f"pdfminer.test logged {LOG_LINES_COUNTED} line(s) like: font 0 has no widths",
        ]
    finally:
        logger.removeHandler(log)
        logging.disable(logging.NOTSET)


def test_an_exception_inside_the_pdf_libraries_is_e101_and_one_in_our_code_stays_e999(tmp_path, monkeypatch):
    import pdfminer.pdfpage

    import pipeline.pdf
    from pipeline.ingest import InputLimits, read_source

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_pdf(_text_pages(["Quarterly report"])))

    def ours(*args, **kwargs):
        raise TypeError("a bug of ours")

    monkeypatch.setattr(pipeline.pdf, "read_pdf", ours)
    with pytest.raises(TypeError):
        read_source(pdf, tmp_path, InputLimits())

    def theirs(*args, **kwargs):  # a function of pdfminer's module raising, as on a page-tree cycle
        exec("raise TypeError(\"'NoneType' object is not subscriptable\")", vars(pdfminer.pdfpage))

    monkeypatch.setattr(pipeline.pdf, "read_pdf", theirs)
    with pytest.raises(UnreadablePdf, match=r"malformed structure \(TypeError in pdfminer.pdfpage\)"):
        read_source(pdf, tmp_path, InputLimits())

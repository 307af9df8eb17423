"""The batch runner: a folder of profiles -> the dataset and its manifest.

The shell around the functional core. It alone catches stage errors: each input
gets one manifest entry and, when it fails, one line on stderr; a failure never
touches another country's partitions. Inputs unchanged since the last run
(same bytes, pipeline version and rules) are skipped unless forced.
"""
from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from contextlib import contextmanager
import traceback
import itertools
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .errors import InputTooSlow, OutputError, ProfileError
from .ingest import SUPPORTED_SUFFIXES, InputLimits, read_source, source_format
from .rules import Rules, load_rules
from .schema import datapackage_descriptor
from .write import (MANIFEST, partition_dir, read_manifest, remove_country, write_country, write_json_atomic,
                    written_countries)

# When two inputs name one country, the published PDF wins over exports of it;
# among equals, the path that sorts first. Documented in the README.
FORMAT_PREFERENCE = {"pdf": 0, "markdown": 1, "text": 2}
IGNORED_PREFIXES = ("README", "readme", ".", "_")


@dataclass(frozen=True)
class RunConfig:
    """Options of one batch run, checked once at the edge."""

    input_dir: Path
    out_dir: Path
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    prune: bool = False
    rules_dir: Path | None = None
    model: str | None = None
    limits: InputLimits = InputLimits()
    debug: bool = False

    def __post_init__(self):
        if not Path(self.input_dir).is_dir():
            raise ValueError(f"input folder not found: {self.input_dir}")
        if not 1 <= self.workers <= 64:
            raise ValueError(f"--workers must be between 1 and 64, got {self.workers}")


@dataclass
class RunResult:
    entries: list[dict]

    @property
    def failed(self) -> list[dict]:
        return [e for e in self.entries if e["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def discover_inputs(input_dir: Path) -> list[Path]:
    """Profile files below a folder, sorted; symlinked folders are not followed (no loops)."""
    found = []
    for root, dirs, files in os.walk(input_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in files:
            path = Path(root) / name
            if path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(IGNORED_PREFIXES) and path.is_file():
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(input_dir).as_posix())


# -- one input, in a worker ------------------------------------------------------------
_WORKER_RULES: Rules | None = None


def _init_worker(rules_dir) -> None:
    global _WORKER_RULES
    _WORKER_RULES = load_rules(rules_dir)


def process_input(path: Path, input_dir: Path, model: str | None, limits: InputLimits, debug: bool) -> dict:
    """Extract one input; never raises for a bad input, returns its manifest entry and tables."""
    from .extract import extract_document

    rel = path.relative_to(input_dir).as_posix()
    entry = {"path": rel, "format": source_format(path), "sha256": None, "iso3": None, "warnings": []}
    try:
        with deadline(limits.max_seconds):
            source = read_source(path, input_dir, limits, _WORKER_RULES)
            entry["sha256"] = source.sha256
            result = extract_document(source, _WORKER_RULES, model=model)
    except ProfileError as exc:
        return _failed(entry, exc, exc.line, debug)
    except TimeoutError as exc:  # a rule pattern ran past PATTERN_TIMEOUT
        return _failed(entry, exc, f"[E400] pattern timed out: {exc}", debug)
    except Exception as exc:  # noqa: BLE001 - isolation: one odd input must not stop the batch
        return _failed(entry, exc, f"[E999] internal error: {type(exc).__name__}: {exc}", debug)
    entry.update(iso3=result.iso3, country_name=result.country_name, warnings=list(result.warnings))
    entry["status"] = "warning" if result.warnings else "ok"
    return {"entry": entry, "tables": result.tables}


@contextmanager
def deadline(seconds: float):
    """Raise InputTooSlow in this process when the block runs longer than ``seconds``.

    A wall-clock bound per input, on top of the rule patterns' own timeout, so that
    no input (a pathological PDF, say) can hold a worker. Uses SIGALRM, so it is only
    armed in a process's main thread (workers and the single-worker run both are).
    """
    armed = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not armed:
        yield
        return

    def expire(signum, frame):
        raise InputTooSlow(f"over {seconds:g} s (limit --max-seconds)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _failed(entry: dict, exc: BaseException, message: str, debug: bool) -> dict:
    entry.update(status="failed", error_class=type(exc).__name__, error=message.splitlines()[0] if message else "")
    if debug:
        entry["traceback"] = traceback.format_exc()
    return {"entry": entry, "tables": None}


# -- the batch --------------------------------------------------------------------------
def run_batch(config: RunConfig, on_event: Callable[[str, dict], None] = lambda kind, entry: None) -> RunResult:
    """Run every input of a folder; write partitions as results arrive; write the manifest last."""
    rules = load_rules(config.rules_dir)
    out_dir = Path(config.out_dir)
    _check_writable(out_dir)
    previous = {e["path"]: e for e in read_manifest(out_dir).get("inputs", [])}
    inputs = discover_inputs(Path(config.input_dir))
    entries: dict[str, dict] = {}
    todo: list[Path] = []
    for path in inputs:
        rel = path.relative_to(config.input_dir).as_posix()
        unchanged = _unchanged(previous.get(rel), path, rules, out_dir)
        if unchanged and not config.force:
            entries[rel] = dict(previous[rel], status="skipped", reason="unchanged since last run", previous_status=previous[rel]["status"])
            on_event("skipped", entries[rel])
        else:
            todo.append(path)
    owners = {e["iso3"]: rel for rel, e in entries.items() if e.get("iso3")}
    for result in _results(todo, config, rules):
        entry = result["entry"]
        entry.update(pipeline_version=__version__, rules_digest=rules.digest)
        if result["tables"] is not None:
            entry = _claim(entry, result["tables"], owners, entries, out_dir)
        entries[entry["path"]] = entry
        on_event(entry["status"], entry)
    if config.prune:
        _prune(out_dir, previous, entries)
    ordered = [entries[p.relative_to(config.input_dir).as_posix()] for p in inputs]
    write_json_atomic(out_dir / "datapackage.json", datapackage_descriptor())
    write_json_atomic(out_dir / MANIFEST, {
        "pipeline_version": __version__,
        "rules_digest": rules.digest,
        "input_dir": str(config.input_dir),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": ordered,
    })
    return RunResult(ordered)


def _results(todo: list[Path], config: RunConfig, rules: Rules) -> Iterator[dict]:
    workers = min(config.workers, len(todo))
    args = (config.input_dir, config.model, config.limits, config.debug)
    if workers <= 1:
        global _WORKER_RULES
        _WORKER_RULES = rules
        for path in todo:
            yield process_input(path, *args)
        return
    # A bounded window of work in flight keeps memory flat however large the folder.
    pending = iter(todo)
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config.rules_dir,)) as pool:
        in_flight = {pool.submit(process_input, path, *args) for path in itertools.islice(pending, 2 * workers)}
        while in_flight:
            done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for path in itertools.islice(pending, len(done)):
                in_flight.add(pool.submit(process_input, path, *args))
            for future in done:
                yield future.result()


def _claim(entry: dict, tables, owners: dict, entries: dict, out_dir: Path) -> dict:
    """Write a result unless another input of the same country ranks first."""
    iso3 = entry["iso3"]
    rival = owners.get(iso3)
    if rival is not None and _rank(entries[rival]) < _rank(entry):
        return dict(entry, status="skipped", reason=f"{iso3} already comes from {rival} (preferred input)")
    try:
        entry["rows"] = write_country(out_dir, iso3, tables)
    except OutputError as exc:
        return dict(entry, status="failed", error_class="OutputError", error=exc.line)
    if rival is not None:
        loser = entries[rival]
        entries[rival] = dict(loser, status="skipped", reason=f"{iso3} now comes from {entry['path']} (preferred input)")
    owners[iso3] = entry["path"]
    return entry


def _rank(entry: dict) -> tuple:
    return (FORMAT_PREFERENCE.get(entry.get("format"), 9), entry["path"])


def _unchanged(old: dict | None, path: Path, rules: Rules, out_dir: Path) -> bool:
    good = {"ok", "warning"}
    if not old or (old.get("status") not in good and old.get("previous_status") not in good):
        return False
    if old.get("pipeline_version") != __version__ or old.get("rules_digest") != rules.digest or not old.get("iso3"):
        return False
    if not partition_dir(out_dir, "profiles", old["iso3"]).joinpath("part-0.parquet").exists():
        return False
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == old.get("sha256")
    except OSError:
        return False


def _prune(out_dir: Path, previous: dict, entries: dict) -> None:
    """Remove partitions of every country no current input produced.

    An input that failed this time keeps what an earlier run wrote for it.
    """
    live = {e.get("iso3") for e in entries.values() if e.get("status") in {"ok", "warning", "skipped"}}
    live |= {previous.get(rel, {}).get("iso3") for rel, e in entries.items() if e["status"] == "failed"}
    for iso3 in sorted(written_countries(out_dir) - live):
        remove_country(out_dir, iso3)


def _check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{out_dir}: {exc.strerror or exc}") from None


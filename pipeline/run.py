"""The batch runner: a folder of profiles -> the dataset and its manifest.

The shell around the functional core. It alone catches stage errors: each input
gets one manifest entry and, when it fails, one line on stderr; a failure never
touches another country's partitions. Each input runs in a worker process that
the runner watches from outside (pipeline.workers): past its time or memory
limit, or dead for any reason, the worker is killed or replaced and only its
input fails. The output folder is locked for the run and the manifest is
rewritten atomically as inputs finish, so a killed run's finished work is kept.
Inputs unchanged since the last run (same bytes, pipeline version and rules)
are skipped unless forced, failed ones too unless retried.
"""
from __future__ import annotations

import fcntl
import functools
import hashlib
import logging
import os
import socket
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from .errors import (InputTooSlow, InternalError, OutputError, OutputLocked, OverMemoryLimit, ProfileError,
                     WorkerDied, display_path, one_line)
from .ingest import SUPPORTED_SUFFIXES, InputLimits, read_source, source_format
from .rules import Rules, load_rules
from .schema import datapackage_descriptor
from .workers import Lost, WorkerLimits, run_supervised
from .write import (MANIFEST, partition_dir, read_manifest, remove_country, write_country, write_json_atomic,
                    written_countries)

# When two inputs name one country, the published PDF wins over exports of it;
# among equals, the path that sorts first. Documented in the README.
FORMAT_PREFERENCE = {"pdf": 0, "markdown": 1, "text": 2}
IGNORED_PREFIXES = ("README", "readme", ".", "_")
GOOD = {"ok", "warning"}
LOCK_FILE = ".lock"
MANIFEST_EVERY_SECONDS = 1.0  # how often a running batch rewrites its manifest, at most
LOG_LINES_COUNTED = 10_000  # library log lines counted per input; past that they are switched off
LOG_KINDS_KEPT = 5  # distinct library messages quoted in an entry's warnings
MIN_KNOWN_SECTIONS = 3  # a profile with fewer sections of the template is likely a stub or a fragment


@dataclass(frozen=True)
class RunConfig:
    """Options of one batch run, checked once at the edge. ``input_dir`` may be one file."""

    input_dir: Path
    out_dir: Path
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    force: bool = False
    retry_failed: bool = False
    prune: bool = False
    rules_dir: Path | None = None
    model: str | None = None
    limits: InputLimits = InputLimits()
    max_memory: int = 2 << 30  # bytes one worker may add to what it holds when ready
    debug: bool = False

    def __post_init__(self):
        path = Path(self.input_dir)
        if not (path.is_dir() or path.is_file()):
            raise ValueError(f"input folder not found: {self.input_dir}")
        if path.is_file() and source_format(path) is None:
            raise ValueError(f"not a profile file (.pdf, .md, .markdown, .txt, .text): {self.input_dir}")
        if path.is_file() and self.prune:
            raise ValueError("--prune needs an input folder, not one file")
        if not 1 <= self.workers <= 64:
            raise ValueError(f"--workers must be between 1 and 64, got {self.workers}")
        if self.max_memory < 1 << 20:
            raise ValueError(f"--max-memory must be at least 1 MiB, got {self.max_memory} bytes")

    @property
    def root(self) -> Path:
        """The folder manifest paths are relative to."""
        path = Path(self.input_dir)
        return path if path.is_dir() else path.parent


@dataclass
class RunResult:
    entries: list[dict]
    complete: bool = True

    @property
    def failed(self) -> list[dict]:
        """Inputs failed in this run, or failed before and skipped as unchanged."""
        return [e for e in self.entries if _outcome(e) == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class Inventory:
    """What a folder holds: the inputs to read, and paths refused with the reason."""

    root: Path
    inputs: list[Path]
    refused: dict[str, str]

    @property
    def total(self) -> int:
        return len(self.inputs) + len(self.refused)


def discover_inputs(input_dir: Path) -> list[Path]:
    """Profile files below a folder (or the one file given), sorted."""
    return take_inventory(input_dir).inputs


def take_inventory(input_path: Path) -> Inventory:
    """Every profile file below a folder; links that cannot or must not be followed, with why.

    Symlinked folders are never followed (no loops, no second copy); a file link is
    read only when it resolves inside the folder.
    """
    input_path = Path(input_path)
    if input_path.is_file():
        return Inventory(input_path.parent, [input_path], {})
    root = input_path.resolve()
    inputs, refused = [], {}
    for folder, dirs, files in os.walk(input_path, followlinks=False):
        linked = {d for d in dirs if (Path(folder) / d).is_symlink()}
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and d not in linked)
        for name in sorted(d for d in linked if not d.startswith((".", "_"))):
            path = Path(folder) / name
            why = _link_problem(path, root) or "its target is read where it lies"
            refused[_rel(path, input_path)] = f"symlinked folder not followed ({why})"
        for name in files:
            path = Path(folder) / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or name.startswith(IGNORED_PREFIXES):
                continue
            problem = _link_problem(path, root) if path.is_symlink() else None
            if problem:
                refused[_rel(path, input_path)] = f"symlink not followed: {problem}"
            elif path.is_file():
                inputs.append(path)
    inputs.sort(key=lambda p: _rel(p, input_path))
    return Inventory(input_path, inputs, refused)


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symlink is not read: a loop, a dangling link, or a target outside the input folder."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "a symlink loop"
    except OSError as exc:
        return "a symlink loop" if "loop" in str(exc).lower() else "it points to nothing (dangling)"
    if not target.is_relative_to(root):
        return "it points outside the input folder"
    if path.is_dir() and (root.is_relative_to(target) or path.parent.resolve().is_relative_to(target)):
        return "a symlink loop"
    return None


def _rel(path: Path, root: Path) -> str:
    return display_path(path.relative_to(root).as_posix())


# -- one input, in a worker ------------------------------------------------------------
_WORKER_RULES: Rules | None = None
_LIBRARY_LOG: "LibraryLog | None" = None


class LibraryLog(logging.Handler):
    """Counts the log lines libraries (pdfminer, fonts) write while one input is read.

    None reaches stderr: the entry's warnings say how many there were and quote
    the first few kinds. Past LOG_LINES_COUNTED the rest are switched off, so a
    flood costs little time. A failing emit is ignored (no '--- Logging error ---').
    """

    def __init__(self):
        super().__init__(logging.WARNING)
        self.reset()

    def reset(self) -> None:
        self.total = 0
        self.kinds: dict[tuple[str, str], list] = {}
        logging.disable(logging.NOTSET)

    def emit(self, record: logging.LogRecord) -> None:
        self.total += 1
        key = (record.name, str(record.msg))
        if key in self.kinds:
            self.kinds[key][0] += 1
        elif len(self.kinds) < LOG_KINDS_KEPT:
            self.kinds[key] = [1, record.getMessage()]
        if self.total >= LOG_LINES_COUNTED:
            logging.disable(logging.CRITICAL)

    def handleError(self, record) -> None:  # noqa: N802 - logging's name
        pass

    def warnings(self) -> list[str]:
        if not self.total:
            return []
        more = " (then no longer counted)" if self.total >= LOG_LINES_COUNTED else ""
        lines = [one_line(f"{name} logged {n} line(s) like: {text}", 200) for (name, _), (n, text) in self.kinds.items()]
        return [f"libraries logged {self.total} warning line(s){more}"] + lines


def _init_worker(rules: Rules | None, rules_dir, model: str | None) -> None:
    """Load rules (inherited when forked) and the entity pipeline, and take over library logs."""
    global _WORKER_RULES, _LIBRARY_LOG
    _WORKER_RULES = rules if rules is not None else load_rules(rules_dir)
    _LIBRARY_LOG = LibraryLog()
    logging.captureWarnings(True)
    root = logging.getLogger()
    root.handlers = [_LIBRARY_LOG]
    root.setLevel(logging.WARNING)
    warm_up(_WORKER_RULES, model)


# A tiny profile whose extraction loads every lazy cache (spaCy pipeline, gazetteer, word list).
WARM_UP_PROFILE = ("# KENYA\n\n## 1. TERRITORIAL ORGANIZATION\n\nKenya is a unitary country with 47 counties, "
                   "such as Nairobi and Mombasa. The Council of Governors (CoG) coordinates decen-\ntralization.\n")


def warm_up(rules: Rules, model: str | None, pdfs: bool = False) -> None:
    """Extract a tiny profile once, so no input's time limit pays for loading spaCy and the word lists.

    Called in the runner too: forked workers then share what it loaded, and a
    worker that replaces a killed one is ready at once. With ``pdfs`` in the batch, the
    PDF reader and its libraries are imported here too (about 0.3 s once, not per worker).
    """
    from .document import SourceDocument
    from .extract import extract_document

    if pdfs:
        import pipeline.pdf  # noqa: F401 - pdfplumber, pdfminer, pypdfium2 and the reader's modules

    try:
        extract_document(SourceDocument("warm-up.md", "0" * 64, "markdown", WARM_UP_PROFILE), rules, model=model)
    except Exception:  # noqa: BLE001 - a bad --model fails each input with its own message
        pass


def process_input(task: tuple[Path, Path, str | None, InputLimits, bool]) -> dict:
    """Extract one input; never raises for a bad input, returns its manifest entry and tables."""
    from .extract import extract_document

    path, root, model, limits, debug = task
    rel = _rel(path, root)
    entry = {"path": rel, "format": source_format(path), "sha256": None, "iso3": None, "warnings": []}
    log = _LIBRARY_LOG or LibraryLog()
    log.reset()
    try:
        source = read_source(path, root, limits, _WORKER_RULES)
        entry["sha256"] = source.sha256
        result = extract_document(source, _WORKER_RULES, model=model)
    except ProfileError as exc:
        return _failed(entry, exc, exc.line, debug, log)
    except TimeoutError as exc:  # a rule pattern ran past PATTERN_TIMEOUT
        return _failed(entry, exc, f"[E400] pattern timed out: {exc}", debug, log)
    except MemoryError as exc:  # the worker's address-space cap (--max-memory) was reached
        return _failed(entry, exc, OverMemoryLimit("the worker's address space is capped (--max-memory)").line, debug, log)
    except Exception as exc:  # noqa: BLE001 - isolation: one odd input must not stop the batch
        return _failed(entry, exc, InternalError(f"{type(exc).__name__}: {exc}").line, debug, log)
    finally:
        logging.disable(logging.NOTSET)
    warnings = [one_line(w) for w in result.warnings] + _stub_warning(result.tables) + log.warnings()
    entry.update(iso3=result.iso3, country_name=result.country_name, warnings=warnings)
    entry["status"] = "warning" if warnings else "ok"
    return {"entry": entry, "tables": result.tables}


def _stub_warning(tables) -> list[str]:
    """A warning when too little of the profile template was found to trust the result as whole."""
    keys = {k for k in tables["sections"].column("key").to_pylist() if k}
    if len(keys) >= MIN_KNOWN_SECTIONS:
        return []
    return [f"only {len(keys)} known section(s) of the profile template ({', '.join(sorted(keys))}); "
            f"a whole profile has at least {MIN_KNOWN_SECTIONS}"]


def _failed(entry: dict, exc: BaseException, message: str, debug: bool, log: LibraryLog) -> dict:
    entry.update(status="failed", error_class=type(exc).__name__, error=one_line(message), warnings=log.warnings())
    if debug:
        entry["traceback"] = traceback.format_exc()
    return {"entry": entry, "tables": None}


def _lost(path: Path, root: Path, lost: Lost) -> dict:
    """The entry of an input whose worker the runner had to kill, or found dead."""
    error = {"timeout": InputTooSlow, "memory": OverMemoryLimit, "died": WorkerDied}[lost.kind](lost.detail)
    entry = {"path": _rel(path, root), "format": source_format(path), "sha256": None, "iso3": None, "warnings": []}
    entry.update(status="failed", error_class=type(error).__name__, error=error.line)
    return {"entry": entry, "tables": None}


# -- the batch --------------------------------------------------------------------------
def run_batch(config: RunConfig, on_event: Callable[[str, dict], None] = lambda kind, entry: None) -> RunResult:
    """Run every input of a folder; write partitions and the manifest as results arrive.

    On Ctrl-C (KeyboardInterrupt) the workers are killed, the manifest keeps what
    finished, and the interrupt goes on to the caller.
    """
    rules = load_rules(config.rules_dir)
    out_dir = Path(config.out_dir)
    _check_writable(out_dir)
    with lock_output(out_dir):
        return _run_locked(config, rules, out_dir, on_event)


def _run_locked(config: RunConfig, rules: Rules, out_dir: Path, on_event) -> RunResult:
    inventory = take_inventory(Path(config.input_dir))
    manifest = read_manifest(out_dir)
    previous = {e["path"]: e for e in manifest.get("inputs", []) if isinstance(e, dict) and "path" in e}
    one_file = Path(config.input_dir).is_file()
    same_root = manifest.get("input_dir") == display_path(str(inventory.root))
    carried = {p: e for p, e in previous.items() if one_file and same_root}  # a one-file run keeps the others
    entries: dict[str, dict] = dict(carried)
    for rel, reason in inventory.refused.items():
        entries[rel] = {"path": rel, "format": None, "status": "skipped", "reason": reason, "warnings": []}
        on_event("skipped", entries[rel])
    todo, hashes = [], {}
    for path in inventory.inputs:
        rel = _rel(path, inventory.root)
        hashes[rel] = _sha256(path, config.limits.max_bytes)
        reused = _reuse(previous.get(rel), hashes[rel], rules, out_dir, config)
        if reused is None:
            todo.append(path)
        else:
            entries[rel] = reused
            on_event("skipped", reused)
    owners = {e["iso3"]: rel for rel, e in entries.items() if e.get("iso3") and _outcome(e) in GOOD}
    writer = _ManifestWriter(out_dir, rules, inventory.root, entries)
    complete = False
    try:
        for result in _results(todo, inventory.root, config, rules):
            entry = result["entry"]
            entry.update(pipeline_version=__version__, rules_digest=rules.digest)
            entry["sha256"] = entry.get("sha256") or hashes.get(entry["path"])
            if result["tables"] is not None:
                entry = _claim(entry, result["tables"], owners, entries, out_dir)
            entries[entry["path"]] = entry
            on_event(entry["status"], entry)
            writer.maybe_write()
        if config.prune:
            _prune(out_dir, previous, entries)
        write_json_atomic(out_dir / "datapackage.json", datapackage_descriptor())
        complete = True
    finally:
        writer.write(complete)
    mine = set(inventory.refused) | {_rel(p, inventory.root) for p in inventory.inputs}
    return RunResult([e for e in writer.ordered() if e["path"] in mine], complete)


class _ManifestWriter:
    """Rewrites the manifest atomically: at most every MANIFEST_EVERY_SECONDS while running, and last."""

    def __init__(self, out_dir: Path, rules: Rules, root: Path, entries: dict[str, dict]):
        self.out_dir, self.rules, self.root, self.entries = out_dir, rules, root, entries
        self.last = 0.0

    def ordered(self) -> list[dict]:
        return [self.entries[rel] for rel in sorted(self.entries)]

    def maybe_write(self) -> None:
        if time.monotonic() - self.last >= MANIFEST_EVERY_SECONDS:
            self.write(False)

    def write(self, complete: bool) -> None:
        write_json_atomic(self.out_dir / MANIFEST, {
            "pipeline_version": __version__,
            "rules_digest": self.rules.digest,
            "input_dir": display_path(str(self.root)),
            "complete": complete,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) if complete else None,
            "inputs": self.ordered(),
        })
        self.last = time.monotonic()


def _results(todo: list[Path], root: Path, config: RunConfig, rules: Rules) -> Iterator[dict]:
    """Each input's result as it finishes, from supervised worker processes."""
    if not todo:
        return
    tasks = [(path, root, config.model, config.limits, config.debug) for path in todo]
    limits = WorkerLimits(seconds=config.limits.max_seconds, memory=config.max_memory)
    init = functools.partial(_init_worker, rules, config.rules_dir, config.model)
    warm_up(rules, config.model, pdfs=any(source_format(path) == "pdf" for path in todo))
    for task, outcome in run_supervised(tasks, process_input, workers=min(config.workers, len(todo)),
                                        limits=limits, init=init, keep_stderr=config.debug):
        yield _lost(task[0], root, outcome) if isinstance(outcome, Lost) else outcome


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
    if rival is not None and rival != entry["path"]:
        loser = entries[rival]
        entries[rival] = dict(loser, status="skipped", reason=f"{iso3} now comes from {entry['path']} (preferred input)")
    owners[iso3] = entry["path"]
    return entry


def _rank(entry: dict) -> tuple:
    return (FORMAT_PREFERENCE.get(entry.get("format"), 9), entry["path"])


def _outcome(entry: dict) -> str | None:
    """What an entry's input came to: ok, warning or failed (also when skipped as unchanged)."""
    status = entry.get("status")
    if status == "skipped":
        return entry.get("previous_status")
    return status if status in GOOD | {"failed"} else None


def _reuse(old: dict | None, sha: str | None, rules: Rules, out_dir: Path, config: RunConfig) -> dict | None:
    """The skipped entry of an input unchanged since the last run, or None when it must be redone."""
    outcome = _outcome(old) if old else None
    if outcome is None or config.force or sha is None or old.get("sha256") != sha:
        return None
    if old.get("pipeline_version") != __version__ or old.get("rules_digest") != rules.digest:
        return None
    if outcome == "failed":
        if config.retry_failed:
            return None
        return dict(old, status="skipped", previous_status="failed",
                    reason="failed before and unchanged since (--retry-failed redoes it)")
    if not old.get("iso3") or not partition_dir(out_dir, "profiles", old["iso3"]).joinpath("part-0.parquet").exists():
        return None
    return dict(old, status="skipped", previous_status=outcome, reason="unchanged since last run")


def _sha256(path: Path, max_bytes: int) -> str | None:
    """The file's digest, or None when it cannot be read or is over the size limit (not worth reading)."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return None


def _prune(out_dir: Path, previous: dict, entries: dict) -> None:
    """Remove partitions of every country no current input produced.

    An input that failed this time keeps what an earlier run wrote for it.
    """
    live = {e.get("iso3") for e in entries.values() if e.get("status") in GOOD | {"skipped"}}
    live |= {previous.get(rel, {}).get("iso3") for rel, e in entries.items() if e["status"] == "failed"}
    for iso3 in sorted(written_countries(out_dir) - live):
        remove_country(out_dir, iso3)


@contextmanager
def lock_output(out_dir: Path):
    """Hold the output folder for one run: a second run on it stops with OutputLocked, naming the holder.

    An flock on ``OUT/.lock``: the system releases it when the holder dies, however it dies.
    """
    path = out_dir / LOCK_FILE
    try:
        handle = open(path, "a+", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputLocked(f"{display_path(str(out_dir))} is held by {holder}") from None
        handle.truncate(0)
        handle.write(f"sdg-profiles run, pid {os.getpid()} on {socket.gethostname()}, "
                     f"since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_writable(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"{out_dir}: {exc.strerror or exc}") from None


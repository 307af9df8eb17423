"""Worker processes that the runner supervises from outside: deadline, memory cap, any death.

Why not ``concurrent.futures``: one worker killed (by the OOM killer, a segfault in
a C library) breaks the whole ProcessPoolExecutor, and its timeouts do not stop the
work. Why not pebble: it kills a task on timeout and replaces the worker, but does
not tell which process runs a task, so a memory cap read from /proc cannot be laid
on it, nor can a death for memory be told from one for time. Here each worker is one
process with one pipe, and the parent alone holds deadlines and measures memory:
no alarm inside the work that a library can swallow.

Workers die with the runner (PR_SET_PDEATHSIG on Linux, checked after it is set),
ignore Ctrl-C (the runner alone handles it) and cap their own address space
(``resource.setrlimit``) as a backstop to the parent's measurement.
"""
from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

from .errors import InternalError

_READY = "ready"
_END = object()
_NOTHING = object()
_POLL_SECONDS = 0.05  # how often the parent reads a busy worker's memory
MAX_FAILED_STARTS = 3  # workers dead before ready, in a row, before the run gives up


@dataclass(frozen=True)
class WorkerLimits:
    seconds: float  # wall clock of one task, from handing it over
    memory: int  # bytes of resident memory one worker may use above what it held when ready


@dataclass(frozen=True)
class Lost:
    """A task whose worker did not come back: ``kind`` is timeout, memory or died."""

    kind: str
    detail: str


class _Worker:
    def __init__(self, ctx, work, init, limits: WorkerLimits, keep_stderr: bool):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, work, init, limits.memory, os.getpid(), keep_stderr),
                                   daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.baseline = 0  # resident bytes when ready
        self.task: Any = None
        self.started = 0.0

    def give(self, task) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self) -> None:
        if self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join()
        self.conn.close()


def run_supervised(tasks: Iterable, work: Callable, *, workers: int, limits: WorkerLimits,
                   init: Callable[[], None] | None = None, keep_stderr: bool = False) -> Iterator[tuple[Any, Any]]:
    """Yield ``(task, work(task))`` as tasks finish, or ``(task, Lost(...))`` for one whose worker was lost.

    A lost worker is replaced and the other tasks go on. Closing the iterator (or an
    exception in the caller, Ctrl-C included) kills every worker.
    """
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pending = iter(tasks)
    exhausted = False
    pool = [_Worker(ctx, work, init, limits, keep_stderr) for _ in range(workers)]
    failed_starts = 0
    try:
        while True:
            for worker in pool:
                if worker.ready and worker.task is None and not exhausted:
                    task = next(pending, _END)
                    exhausted = task is _END
                    if not exhausted:
                        worker.give(task)
            if exhausted and not any(w.task is not None for w in pool):
                return
            wait([w.conn for w in pool] + [w.process.sentinel for w in pool], _POLL_SECONDS)
            for i, worker in enumerate(pool):
                task, outcome = worker.task, _check(worker, limits)
                if outcome is None:
                    continue
                if isinstance(outcome, Lost):
                    worker.kill()
                    failed_starts = 0 if worker.ready else failed_starts + 1
                    if failed_starts >= MAX_FAILED_STARTS:
                        raise InternalError(f"worker processes cannot start ({outcome.detail})")
                    pool[i] = _Worker(ctx, work, init, limits, keep_stderr)
                if task is not None:  # an idle worker that died (the OOM killer's pick) is just replaced
                    yield task, outcome
    finally:
        for worker in pool:
            worker.kill()


def _check(worker: _Worker, limits: WorkerLimits):
    """What became of a worker since the last look: None (nothing new), a result, or Lost."""
    if worker.conn.poll():
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = _NOTHING
        if message == _READY and not worker.ready:
            worker.ready, worker.baseline = True, resident_bytes(worker.process.pid)
            return None
        if message is not _NOTHING:
            worker.task = None
            return message
    if not worker.process.is_alive():
        worker.process.join()
        return Lost("died", describe_exit(worker.process.exitcode))
    if worker.task is None:
        return None
    if time.monotonic() - worker.started > limits.seconds:
        return Lost("timeout", f"over {limits.seconds:g} s (limit --max-seconds)")
    used = resident_bytes(worker.process.pid) - worker.baseline
    if used > limits.memory:
        return Lost("memory", f"over {format_bytes(limits.memory)} (limit --max-memory)")
    return None


def describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = " (the system's out-of-memory killer?)" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    return f"exited with code {code}"


def resident_bytes(pid: int) -> int:
    """Resident memory of one process (Linux /proc; 0 where that cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def format_bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} B"


# -- in the worker ---------------------------------------------------------------------
def _serve(conn, work, init, memory: int, parent_pid: int, keep_stderr: bool) -> None:
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not keep_stderr:
        _silence_output()
        faulthandler.disable()  # a crash is reported by the parent, as E107 with the signal
    if init is not None:
        init()
    _cap_address_space(memory)
    conn.send(_READY)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(work(task))


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when the runner dies (even by kill -9)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the runner died before the request took hold
        os._exit(1)


def _silence_output() -> None:
    """A C library or a stray print must not write into the runner's terminal."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _cap_address_space(memory: int) -> None:
    """Let the address space grow by ``memory`` bytes past what the warm worker holds."""
    try:
        import resource

        with open("/proc/self/statm", "rb") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + memory, resource.RLIM_INFINITY))
    except (ImportError, OSError, ValueError):
        pass

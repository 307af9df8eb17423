"""Progress for batch runs: a bar on a terminal, plain lines otherwise, one line per failure."""
from __future__ import annotations

import sys
import time

import click


class Reporter:
    """Receives run events; draws a rich progress bar on a TTY, log lines when piped."""

    def __init__(self, total: int, quiet: bool = False, debug: bool = False, stream=None):
        self.total = total
        self.quiet = quiet
        self.debug = debug
        self.stream = stream or sys.stderr
        self.done = 0
        self._progress = None
        self._task = None

    def __enter__(self):
        if not self.quiet and self.stream.isatty():
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task("profiles", total=self.total, rate="")
            self._started = time.monotonic()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.__exit__(*exc)
        return False

    def event(self, status: str, entry: dict) -> None:
        self.done += 1
        line = self._line(status, entry)
        if status == "failed":
            self._echo(line)
            if self.debug and entry.get("traceback"):
                self._echo(entry["traceback"].rstrip())
        elif not self.quiet and self._progress is None:
            self._echo(line)
        if self._progress is not None:
            elapsed = max(time.monotonic() - self._started, 1e-6)
            self._progress.update(self._task, advance=1, rate=f"{self.done / elapsed:.1f} files/s")

    def _line(self, status: str, entry: dict) -> str:
        where = f"[{self.done}/{self.total}] {entry['path']}"
        if status == "failed":
            return f"FAILED {entry['path']}: {entry.get('error', '')}"
        if status == "skipped":
            return f"{where}: skipped ({entry.get('reason', '')})"
        warn = f", {len(entry['warnings'])} warning(s)" if entry.get("warnings") else ""
        return f"{where}: {status} -> {entry.get('iso3')}{warn}"

    def _echo(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            click.echo(line, file=self.stream)

    def summary(self, result, out_dir) -> None:
        """Each warning of this run by its text, then the count of inputs by status."""
        for entry in result.entries:
            if entry["status"] in ("ok", "warning"):
                for warning in entry.get("warnings", []):
                    click.echo(f"warning {entry['path']}: {warning}", file=self.stream)
        counts = {}
        for e in result.entries:
            counts[e["status"]] = counts.get(e["status"], 0) + 1
        still = sum(1 for e in result.entries if e["status"] == "skipped" and e.get("previous_status") == "failed")
        parts = ", ".join(f"{n} {s}" + (f" ({still} of them failed before)" if s == "skipped" and still else "")
                          for s, n in sorted(counts.items()))
        click.echo(f"{len(result.entries)} input(s): {parts or 'nothing to do'}; dataset in {out_dir}", file=self.stream)

"""Command line: ``sdg-profiles run | check | show | query | export | overlay`` (also ``python -m pipeline``).

Exit codes: 0 all inputs ok, 1 any input failed or golden differs, 2 usage or
configuration errors (bad options, bad rules, unwritable or locked output folder),
130 interrupted by Ctrl-C (143 by SIGTERM).
"""
from __future__ import annotations

import os
import re
import signal
import sys
import threading
from pathlib import Path

import click

from .errors import InternalError, OutputError, OutputLocked, RuleError


PDF_BACKENDS = ("pdfium", "pdfplumber")  # pipeline.pdf.backend.BACKENDS, named here to keep the CLI quick to load
BACKEND_OPTION = click.option("--backend", type=click.Choice(PDF_BACKENDS), default=None,
                              help="Library that reads PDF pages [default: pdfium].")


def _use_backend(backend: str | None) -> None:
    """The PDF reader takes the backend from the environment, which worker processes inherit."""
    if backend:
        from .pdf.backend import BACKEND_ENV

        os.environ[BACKEND_ENV] = backend


def _fail_usage(message: str) -> None:
    click.echo(f"sdg-profiles: {message}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sdg-profiles")
def main() -> None:
    """Turn GTF/UCLG country profiles on SDG localization into Parquet tables."""


class ByteSize(click.ParamType):
    """A size in bytes, written plainly or with a unit: 50000000, 50MB, 2GiB, 512k."""

    name = "size"
    UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
             "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
        unit = match and match.group(2).lower()
        if not match or unit not in self.UNITS:
            self.fail(f"{value!r} is not a size (examples: 50000000, 50MB, 2GiB)", param, ctx)
        return int(float(match.group(1)) * self.UNITS[unit])


class Interrupted(Exception):
    """SIGTERM, turned into an exception so the run stops as on Ctrl-C: workers killed, manifest kept."""


def _raise_interrupted(signum, frame):
    raise Interrupted()


@main.command()
@click.argument("input_dir", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help="Dataset folder.")
@click.option("--workers", type=int, default=None, help="Worker processes [default: CPU count].")
@click.option("--force", is_flag=True, help="Redo inputs unchanged since the last run.")
@click.option("--retry-failed", is_flag=True, help="Redo inputs that failed last time although unchanged.")
@click.option("--prune", is_flag=True, help="Remove partitions of inputs no longer present.")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=None, help="Rules folder [default: rules/ of the package].")
@click.option("--model", default=None, help="Installed spaCy model whose entities are merged (optional).")
@click.option("--max-pages", type=int, default=60, show_default=True, help="Refuse PDFs longer than this.")
@click.option("--max-bytes", type=ByteSize(), default="50MB", show_default=True, help="Refuse inputs larger than this (50MB, 2GiB, ...).")
@click.option("--max-seconds", type=float, default=120.0, show_default=True, help="Kill the work on one input after this long.")
@click.option("--max-memory", type=ByteSize(), default="2GiB", show_default=True, help="Kill a worker that needs this much more memory for one input.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@click.option("--debug", is_flag=True, help="Show tracebacks of failed inputs and the workers' stderr.")
@BACKEND_OPTION
def run(input_dir, out_dir, workers, force, retry_failed, prune, rules_dir, model, max_pages, max_bytes, max_seconds,
        max_memory, quiet, debug, backend):
    """Extract every profile in INPUT (a folder, or one file) into the dataset at --out."""
    _use_backend(backend)
    from .ingest import InputLimits
    from .progress import Reporter
    from .run import RunConfig, run_batch, take_inventory

    try:
        limits = InputLimits(max_bytes=max_bytes, max_pages=max_pages, max_seconds=max_seconds)
        config = RunConfig(input_dir, out_dir, **({"workers": workers} if workers is not None else {}), force=force,
                           retry_failed=retry_failed, prune=prune, rules_dir=rules_dir, model=model, limits=limits,
                           max_memory=max_memory, debug=debug)
    except ValueError as exc:
        _fail_usage(str(exc))
    reporter = Reporter(total=take_inventory(input_dir).total, quiet=quiet, debug=debug)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupted) if main_thread else None
    previous_int = signal.getsignal(signal.SIGINT) if main_thread else None
    try:
        with reporter:
            result = run_batch(config, on_event=reporter.event)
        if main_thread:  # the batch is done and its manifest written: a late Ctrl-C changes nothing
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        reporter.summary(result, out_dir)
    except (RuleError, OutputError, OutputLocked, InternalError) as exc:
        _fail_usage(exc.line)
    except (KeyboardInterrupt, Interrupted) as exc:
        click.echo(f"sdg-profiles: interrupted; {reporter.done} input(s) finished are kept in {out_dir}/_manifest.json",
                   err=True)
        sys.exit(130 if isinstance(exc, KeyboardInterrupt) else 143)
    finally:
        if main_thread:  # as they were: a caller in the same process (a test) keeps its own handlers
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)
    sys.exit(result.exit_code)


@main.command()
@click.option("--golden", "golden_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=Path("tests/golden"), show_default=True,
              help="Golden files: <ISO3>/<table>.jsonl, values read off the source profiles.")
@click.option("--input", "input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=Path("raw"), show_default=True,
              help="Folder of the profiles the golden files describe.")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=None, help="Rules folder [default: rules/ of the package].")
@BACKEND_OPTION
def check(golden_dir, input_dir, rules_dir, backend):
    """Extract the profiles of --input and compare every table with --golden."""
    _use_backend(backend)
    from .golden import check_golden

    try:
        problems, notes, checked = check_golden(input_dir, golden_dir, rules_dir)
    except RuleError as exc:
        _fail_usage(exc.line)
    for line in notes:
        click.echo(f"note (above the pinned floor): {line}")
    for line in problems:
        click.echo(line)
    click.echo(f"{len(checked)} profile(s) checked against {golden_dir}: {len(problems)} difference(s), {len(notes)} note(s)")
    problems += _check_admin_corpus(rules_dir)
    sys.exit(1 if problems else 0)


def _check_admin_corpus(rules_dir) -> list[str]:
    """Print the admin-unit corpus figures; a measure under its pinned floor is a problem."""
    from .admin_corpus import CORPUS_FILE, FLOORS_FILE, below_floors, read_corpus, read_floors, score_corpus
    from .extract import cached_rules

    if not CORPUS_FILE.exists():
        return []
    score = score_corpus(read_corpus(CORPUS_FILE), cached_rules(rules_dir))
    click.echo(score.summary())
    problems = below_floors(score, read_floors(FLOORS_FILE)) if FLOORS_FILE.exists() else []
    for line in problems:
        click.echo(line)
    return problems


DATASET_HELP = "Dataset folder (what `run` wrote)."


@main.command()
@click.argument("country")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help=DATASET_HELP)
def show(country, out_dir):
    """Print what was extracted for COUNTRY (ISO3 code or name) from the dataset at --out."""
    from .inspect import show_country

    _echo_or_fail(lambda: show_country(out_dir, country))


@main.command()
@click.argument("sql")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help=DATASET_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="An aligned text table; CSV (lists joined by '; ', nulls empty); or a JSON array of row objects.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Print at most this many rows [default: all].")
def query(sql, out_dir, fmt, limit):
    """Run SQL (DuckDB) over the dataset at --out; every table is a view, with a `country` column."""
    from .inspect import query_result, render

    def run_query():
        columns, rows, more = query_result(out_dir, sql, limit)
        if more and fmt != "table":  # a table says so in its footer; CSV and JSON have no room for it
            click.echo(f"sdg-profiles: only the first {limit} row(s) printed (--limit {limit})", err=True)
        return render(columns, rows, more, fmt)

    _echo_or_fail(run_query)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "duckdb", "sqlite"]), default=None,
              help="xlsx: one sheet per table; csv: a folder of <table>.csv; duckdb, sqlite: one database file. "
                   "[default: from the suffix of --out: .xlsx, .duckdb, .sqlite]")
@click.option("--out", "dest", type=click.Path(path_type=Path), required=True,
              help="File to write (a folder for csv); an existing one is replaced.")
@click.option("--dataset", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help=DATASET_HELP)
def export(fmt, dest, out_dir):
    """Write the dataset as an Excel workbook, CSV files, or a DuckDB or SQLite database, with a data dictionary."""
    from .export import export as export_dataset, format_of

    fmt = fmt or format_of(dest)
    if fmt is None:
        _fail_usage(f"cannot tell the format from {dest}; give --format xlsx, csv, duckdb or sqlite")

    def run_export():
        tables = export_dataset(out_dir, fmt, dest)
        counts = ", ".join(f"{t.name} {t.data.num_rows}" for t in tables)
        return f"wrote {dest} ({fmt}): {len(tables)} tables ({counts}) and the dictionary\n"

    _echo_or_fail(run_export)


def _echo_or_fail(produce) -> None:
    """Print what `produce` returns; a user-fixable problem is one line on stderr and its exit code."""
    from .inspect import InspectError

    try:
        click.echo(produce(), nl=False)
    except InspectError as exc:
        click.echo(f"sdg-profiles: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OutputError as exc:
        _fail_usage(exc.line)


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page to draw, from 1.")
@click.option("--out", "out_png", type=click.Path(path_type=Path), default=None, help="PNG to write [default: <pdf>.p<N>.png].")
@click.option("--resolution", type=click.IntRange(30, 300), default=100, show_default=True, help="Dots per inch of the PNG.")
@BACKEND_OPTION
def overlay(pdf, page, out_png, resolution, backend):
    """Draw what the PDF reader saw on one page: words, furniture, footnote zone, bands, tables, scales, gutter."""
    from .errors import ProfileError
    from .inspect import layout_overlay

    out_png = out_png or pdf.with_suffix(f".p{page}.png")
    try:
        layout_overlay(pdf, page, resolution, backend).save(out_png)
    except ProfileError as exc:
        click.echo(exc.line, err=True)
        sys.exit(1)
    except IndexError:
        click.echo(f"{pdf.name} has no page {page}", err=True)
        sys.exit(1)
    click.echo(f"wrote {out_png}")


if __name__ == "__main__":  # pragma: no cover
    main()

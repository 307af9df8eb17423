"""Command line: ``sdg-profiles run | check | show | query`` (also ``python -m pipeline``).

Exit codes: 0 all inputs ok, 1 any input failed or golden differs, 2 usage or
configuration errors (bad options, bad rules, unwritable output folder).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .errors import OutputError, RuleError


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


@main.command()
@click.argument("input_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help="Dataset folder.")
@click.option("--workers", type=int, default=None, help="Worker processes [default: CPU count].")
@click.option("--force", is_flag=True, help="Redo inputs unchanged since the last run.")
@click.option("--prune", is_flag=True, help="Remove partitions of inputs no longer present.")
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=None, help="Rules folder [default: rules/ of the package].")
@click.option("--model", default=None, help="Installed spaCy model whose entities are merged (optional).")
@click.option("--max-pages", type=int, default=60, show_default=True, help="Refuse PDFs longer than this.")
@click.option("--max-bytes", type=int, default=50_000_000, show_default=True, help="Refuse inputs larger than this.")
@click.option("--max-seconds", type=float, default=120.0, show_default=True, help="Give up on one input after this long.")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures and the summary.")
@click.option("--debug", is_flag=True, help="Show tracebacks of failed inputs.")
@BACKEND_OPTION
def run(input_dir, out_dir, workers, force, prune, rules_dir, model, max_pages, max_bytes, max_seconds, quiet, debug, backend):
    """Extract every profile in INPUT_DIR into the dataset at --out."""
    _use_backend(backend)
    from .ingest import InputLimits
    from .progress import Reporter
    from .run import RunConfig, discover_inputs, run_batch

    try:
        limits = InputLimits(max_bytes=max_bytes, max_pages=max_pages, max_seconds=max_seconds)
        config = RunConfig(input_dir, out_dir, **({"workers": workers} if workers is not None else {}), force=force, prune=prune,
                           rules_dir=rules_dir, model=model, limits=limits, debug=debug)
    except ValueError as exc:
        _fail_usage(str(exc))
    reporter = Reporter(total=len(discover_inputs(input_dir)), quiet=quiet, debug=debug)
    try:
        with reporter:
            result = run_batch(config, on_event=reporter.event)
    except (RuleError, OutputError) as exc:
        _fail_usage(exc.line)
    reporter.summary(result, out_dir)
    sys.exit(result.exit_code)


@main.command()
@click.option("--golden", "golden_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=Path("tests/golden"), show_default=True)
@click.option("--input", "input_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=Path("raw"), show_default=True)
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), default=None)
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
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("country")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help="Dataset folder.")
def show(country, out_dir):
    """Print what was extracted for COUNTRY (ISO3 code or name) from the dataset at --out."""
    from .inspect import InspectError, show_country

    try:
        click.echo(show_country(out_dir, country), nl=False)
    except InspectError as exc:
        click.echo(f"sdg-profiles: {exc}", err=True)
        sys.exit(exc.exit_code)


@main.command()
@click.argument("sql")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("output"), show_default=True, help="Dataset folder.")
def query(sql, out_dir):
    """Run SQL (DuckDB) over the dataset at --out; every table is a view, with a `country` column."""
    from .inspect import InspectError, query as run_query

    try:
        click.echo(run_query(out_dir, sql), nl=False)
    except InspectError as exc:
        click.echo(f"sdg-profiles: {exc}", err=True)
        sys.exit(exc.exit_code)


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--out", "out_png", type=click.Path(path_type=Path), default=None, help="PNG to write [default: <pdf>.p<N>.png].")
@click.option("--resolution", type=click.IntRange(30, 300), default=100, show_default=True)
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

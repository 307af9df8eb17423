"""Write: Arrow tables -> output/<table>/country=<ISO3>/part-0.parquet, atomically.

Every file is written beside its target under a dot-name (which dataset readers
skip) and moved into place with os.replace, so a reader, or a run killed at any
moment, sees either the old complete file or the new complete one. Paths are
built from table names and ISO3 codes only, never from document text.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import OutputError
from .schema import TABLES

_ISO3 = re.compile(r"[A-Z]{3}")
MANIFEST = "_manifest.json"


def partition_dir(out_dir: Path, table: str, iso3: str) -> Path:
    if table not in TABLES or not _ISO3.fullmatch(iso3):
        raise OutputError(f"refusing partition path for table {table!r}, country {iso3!r}")
    return out_dir / table / f"country={iso3}"


def write_country(out_dir: Path, iso3: str, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Write one country's partitions of every table; return row counts per table.

    All files are written aside first, then moved into place one after the other,
    so a failure while writing leaves the previous partitions untouched.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for name in TABLES:
            target = partition_dir(out_dir, name, iso3) / "part-0.parquet"
            staged.append((_write_aside(tables[name], target), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise OutputError(f"{out_dir}: {exc.strerror or exc}") from None
    return {name: tables[name].num_rows for name in TABLES}


def _write_aside(table: pa.Table, target: Path) -> Path:
    """Write beside the target under a dot-name that dataset readers skip."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    # Fixed options and no wall-clock metadata: the same table gives the same bytes.
    pq.write_table(table, tmp, compression="zstd", use_dictionary=True, write_statistics=True)
    return tmp


def remove_country(out_dir: Path, iso3: str) -> None:
    """Drop every partition of one country (used by --prune)."""
    for name in TABLES:
        shutil.rmtree(partition_dir(out_dir, name, iso3), ignore_errors=True)


def written_countries(out_dir: Path) -> set[str]:
    """ISO3 codes that have a partition of any table in the dataset."""
    found = set()
    for name in TABLES:
        for part in (out_dir / name).glob("country=*"):
            iso3 = part.name.split("=", 1)[1]
            if _ISO3.fullmatch(iso3):
                found.add(iso3)
    return found


def write_json_atomic(path: Path, data) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror or exc}") from None


def read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}

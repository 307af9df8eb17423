"""The functional core: one SourceDocument -> every table of the contract.

Each stage is a pure function of what earlier stages produced; this module only
wires them in order. Reading files (ingest) and writing them (write) stay at
the edges, in run.py.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from . import __version__
from .admin_units import extract_admin_units
from .cases import extract_cases
from .country import resolve_country
from .document import SourceDocument
from .entities import extract_entities
from .errors import NotAProfile
from .footnotes import extract_footnotes
from .indicators import extract_indicators
from .local_reviews import extract_local_reviews
from .ingest import InputLimits, read_source
from .normalize import normalize
from .ratings import extract_ratings
from .rules import DEFAULT_RULES_DIR, Rules, load_rules, rules_digest
from .schema import TABLES, to_arrow
from .sections import build_outline
from .summary import country_row
from .vnrs import add_footnote_years, extract_sdg_priorities, section_vnr_years


@dataclass(frozen=True)
class Extraction:
    """What one profile gave: its country code, its tables and what looked wrong."""

    iso3: str
    country_name: str
    tables: dict[str, pa.Table]
    warnings: tuple[str, ...] = ()


def extract_document(source: SourceDocument, rules: Rules, model: str | None = None) -> Extraction:
    """Run every stage on one source document."""
    doc = normalize(source, rules)
    outline = build_outline(doc, rules)
    if not any(s.key for s in outline.sections):
        raise NotAProfile("no known profile section (expected headings such as TERRITORIAL ORGANIZATION)")
    country = resolve_country(outline.country_name, rules, source.path)
    notes = extract_footnotes(outline, rules.normalize.keep_hyphen_prefixes, rules.headings.notes_labels)
    outline = notes.outline
    units = extract_admin_units(outline, rules)
    reviews = extract_local_reviews(outline, rules, notes.refs)
    entities = extract_entities(outline, rules, model=model, iso3=country.iso3)
    vnr_years = section_vnr_years(outline, rules)
    rows = {
        "profiles": [
            {
                "country_name": country.name,
                "source_file": source.path,
                "source_sha256": source.sha256,
                "source_format": source.format,
                "pages": source.pages,
                "state_structure": units.state_structure,
                "subnational_tiers": units.subnational_tiers,
                "vnr_years": list(add_footnote_years(vnr_years, notes.footnotes, rules)),
                "pipeline_version": __version__,
                "rules_digest": rules.digest,
            }
        ],
        "sections": [
            {
                "section_id": s.section_id,
                "number": s.number,
                "title": s.title,
                "key": s.key,
                "level": s.level,
                "parent_id": s.parent_id,
                "ordinal": s.ordinal,
                "text": s.text,
                "page_start": s.page_start,
                "page_end": s.page_end,
            }
            for s in outline.sections
        ],
        "footnotes": [
            {"number": f.number, "text": f.text, "urls": list(f.urls), "page": f.page} for f in notes.footnotes
        ],
        "footnote_refs": _rows(notes.refs),
        "admin_units": _rows(units.rows),
        "ratings": _rows(extract_ratings(outline, rules, source.rating_marks)),
        "indicators": _rows(extract_indicators(outline, rules)),
        "entities": _rows(entities),
        "cases": _rows(extract_cases(outline, entities)),
        "sdg_priorities": _rows(extract_sdg_priorities(outline, rules, vnr_years)),
        "local_reviews": _rows(reviews.rows),
    }
    warnings = (((country.warning,) if country.warning else ()) + source.warnings + outline.warnings
                + tuple(notes.warnings) + tuple(units.warnings) + reviews.warnings)
    rows["countries"] = [country_row(rows, len(warnings))]
    tables = {name: to_arrow(name, rows[name]) for name in TABLES}
    return Extraction(country.iso3, country.name, tables, warnings)


def _rows(items) -> list[dict]:
    """Flat row dataclasses (scalars and tuples of scalars) as dicts: what ``asdict`` gives
    for them, without its deep copy of every value (a tenth of a profile's time)."""
    return [{name: getattr(item, name) for name in _field_names(type(item))} for item in items]


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def extract_file(
    path, rules: Rules | Path | str | None = None, root=None, model: str | None = None
) -> dict[str, pa.Table]:
    """One profile file -> {table name: Arrow table}, without writing anything.

    ``rules``: loaded Rules, or a rules folder (default: the package's rules/); a folder's
    rules are loaded once per process (``cached_rules``), so calling this in a loop is cheap.

    >>> tables = extract_file("raw/kazakhstan.md")
    >>> tables["admin_units"].to_pandas()
    """
    rules = rules if isinstance(rules, Rules) else cached_rules(rules)
    path = Path(path)
    source = read_source(path, Path(root) if root else path.parent, InputLimits(), rules)
    return extract_document(source, rules, model=model).tables


_RULES_CACHE: dict[Path, tuple[tuple, str, Rules]] = {}  # folder -> (file stats, digest, its rules)


def cached_rules(rules_dir: Path | str | None = None) -> Rules:
    """The rules of a folder, loaded once per process and again only when a file in it changes.

    Keyed by the folder, its files' sizes and modification times, and its digest. While no
    file's size or time changed (a stat each, a few microseconds) the rules are reused;
    otherwise the files are hashed (about half a millisecond) and loaded again (about 250 ms)
    only when the digest changed. So a call without ``rules=`` costs what one with it does,
    and an edited rule file is still picked up. Entity pipelines are cached per rule set,
    so the same Rules object also reuses its spaCy pipeline.
    """
    folder = Path(rules_dir if rules_dir is not None else DEFAULT_RULES_DIR).resolve()
    if not folder.is_dir():
        return load_rules(folder)  # raises the usual 'rules folder not found'
    stats = _file_stats(folder)
    cached = _RULES_CACHE.get(folder)
    if cached is not None and cached[0] == stats:
        return cached[2]
    digest = rules_digest(folder)
    if cached is None or cached[1] != digest:
        cached = (stats, digest, load_rules(folder))
    _RULES_CACHE[folder] = (stats, digest, cached[2])
    return cached[2]


def _file_stats(folder: Path) -> tuple:
    """(path, size, modification time in ns, inode) of every file under ``folder``, sorted."""
    stats = []
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            st = os.stat(os.path.join(parent, name))
            stats.append((parent, name, st.st_size, st.st_mtime_ns, st.st_ino))
    return tuple(stats)

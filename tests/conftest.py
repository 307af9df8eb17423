"""Shared fixtures: the rules, loaded once per session, and small document builders."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import SourceDocument
from pipeline.footnotes import extract_footnotes
from pipeline.normalize import normalize
from pipeline.rules import load_rules
from pipeline.sections import build_outline

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


def source(text: str, fmt: str = "markdown") -> SourceDocument:
    return SourceDocument("test.md", "0" * 64, fmt, text)


@pytest.fixture
def outline_of(rules):
    """Text -> Outline after sections and footnotes, as later stages see it."""

    def build(text: str, fmt: str = "markdown"):
        outline = build_outline(normalize(source(text, fmt), rules), rules)
        return extract_footnotes(outline, rules.normalize.keep_hyphen_prefixes)

    return build


def rules_copy_with(rules_dir: Path, filename: str, replacements: list[tuple[str, str]]) -> Path:
    """A copy of rules/ at ``rules_dir`` (named rules/, as messages say) with one file edited."""
    import shutil

    from pipeline.rules import DEFAULT_RULES_DIR

    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    target = rules_dir / filename
    text = target.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")
    return target


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` containing ``needle``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)

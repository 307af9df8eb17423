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
        return extract_footnotes(build_outline(normalize(source(text, fmt), rules), rules))

    return build

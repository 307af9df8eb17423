"""Shared fixtures: the rules, loaded once per session, and small document builders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.document import Line, Outline, Paragraph, Section, SourceDocument, Span
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
        return extract_footnotes(outline, rules.normalize.keep_hyphen_prefixes, rules.headings.notes_labels)

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


# -- sections built by hand (entities, cases) ----------------------------------------
def md_line(text: str, lineno: int = 1) -> Line:
    """A markdown line as normalize leaves it: ``**bold**`` -> a bold span, ``<sup>`` dropped."""
    text = re.sub(r"<sup>\d+</sup>", "", text)
    out, spans, pos = [], [], 0
    for part in re.split(r"(\*\*[^*]+\*\*)", text):
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            spans.append(Span(pos, pos + len(part) - 4, "bold"))
            part = part[2:-2]
        part = re.sub(r"(?<!\*)\*([^*]+)\*(?!\*)", r"\1", part)  # italics: markup only
        out.append(part)
        pos += len(part)
    return Line("".join(out), lineno, spans=tuple(spans))


def section(texts, section_id="1", key=None, ordinal=0) -> Section:
    paragraphs = tuple(Paragraph((md_line(t, i + 1),)) for i, t in enumerate(texts))
    return Section(section_id, None, "T", key, 1, None, ordinal, paragraphs)


def raw_sections(headings: dict[str, str]) -> Outline:
    """Sections of raw/kazakhstan.md cut by hand: heading line -> section id; footnote lines dropped."""
    lines = (RAW / "kazakhstan.md").read_text(encoding="utf-8").splitlines()
    out, current, paragraphs = [], None, []
    for lineno, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            if current:
                out.append((current, paragraphs))
            title = stripped.lstrip("#").strip()
            current, paragraphs = headings.get(title), []
            continue
        if current and stripped and not re.match(r"^\d+\. ", stripped):
            text = re.sub(r"^[▶►]\s*", "", stripped)
            paragraphs.append(Paragraph((md_line(text, lineno),)))
    if current:
        out.append((current, paragraphs))
    return Outline(
        "Kazakhstan",
        tuple(Section(sid, None, "T", key, 1, None, i, tuple(ps)) for i, ((sid, key), ps) in enumerate(out)),
    )


KAZ_HEADINGS = {
    "1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION": ("1", "national_strategies"),
    "1.3 MONITORING": ("1.3", "monitoring"),
    "2.3 SPECIFIC PROJECTS AND CASES": ("2.3", "projects_and_cases"),
    "2.5 MEANS OF IMPLEMENTATION": ("2.5", "means_of_implementation"),
    "3. RELEVANT INFORMATION": ("3", "relevant_information"),
    "3.1 WOMEN PARTICIPATION": ("3.1", "women_participation"),
}

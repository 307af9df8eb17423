"""Footnotes: lift footnote blocks out of the body and record where markers stood.

Exports drop a page's footnote block wherever the page broke, often mid-sentence.
A paragraph opening with ``N.`` (or ``N)``, ``[N]``) is a candidate note, and
adjacent candidates numbered on form a run. A numbered list in the body looks the
same ("1. Economic growth ...", "2. ..."), so runs are not taken one by one: the
footnote sequence is the chain of runs, in document order, each starting where the
one before ended, that covers the most numbers (then has the most evidence of being
notes: a marker for each number before it, a sentence it interrupted, no lead-in
colon). Runs left out are lists and stay in their section. With explicit markers a
note needs its marker earlier in the text. "1. NATIONAL STRATEGIES ..." never gets
here: sections took it as a heading. The sentence a block interrupted is joined again.

Plain-text exports lose superscripts: a marker is then a number glued to a word
("regions.4") or bracketed ("[4]"); such a candidate is accepted only when it is
the next number of the footnote sequence, which keeps "PM2.5" and years out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from .document import Footnote, FootnoteRef, Line, Marker, Outline, Paragraph, Section, Span, collapse
from .normalize import mend_hyphenation, merge_broken_lines
from .printed import closes_text
from .sections import GLUED_NOTE
from .rules import PATTERN_TIMEOUT
from .urls import breaks_url

_NOTE_START = re.compile(r"^\s*(?:(?P<num>\d{1,3})[.)]|\[(?P<bracket>\d{1,3})\])\s+(?=\S)")
_BARE_NOTE_START = re.compile(r"^\s*(?P<num>\d{1,3})\s+(?=[A-Z\"“(]|See\b|https?://)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+")
# A number glued to the end of a word or closing punctuation, or in brackets: what
# r"(?:(?<=[a-z\)\].,;:\"”’'%])\d{1,3}|\[\d{1,3}\])(?=[\s,.;:)\]\"”’]|$)" matches, written to open
# with a character class (the lookbehind checks the character before the digit), so the
# engine skips in C from one digit or '[' to the next instead of trying every position.
_GLUED_MARKER = re.compile(r"[\d\[](?:(?<=[a-z\)\].,;:\"”’'%]\d)\d{0,2}|(?<=\[)\d{1,3}\])(?=[\s,.;:)\]\"”’]|$)")


def _marker_number(marker: re.Match) -> int:
    """The number of a _GLUED_MARKER match: '4' or '[4]'."""
    return int(marker.group().strip("[]"))


_MAY_BE_NOTE = (None, "paragraph", "list_item")  # line kinds: notes printed in the text flow look like these


@dataclass(frozen=True)
class FootnoteResult:
    outline: Outline
    footnotes: tuple[Footnote, ...]
    refs: tuple[FootnoteRef, ...]
    warnings: tuple[str, ...] = ()


def extract_footnotes(
    outline: Outline, keep_hyphen_prefixes: frozenset[str] = frozenset(), notes_labels: tuple = ()
) -> FootnoteResult:
    """Lift footnote blocks, re-join interrupted sentences, and list marker positions.

    ``keep_hyphen_prefixes`` (rules/normalize.yaml) mends a word that a block cut in two;
    ``notes_labels`` (rules/headings.yaml): a line announcing a block ("Notes") goes with it.
    """
    outline = _label_apart(outline, notes_labels)
    explicit = _explicit_marker_order(outline)
    typed = _typed_notes(outline)
    chosen = _footnote_chain(_candidate_runs(outline, explicit, keep_hyphen_prefixes), {n.number for n in typed.values()})
    chosen.update({where: (note,) for where, note in typed.items()})
    notes: list[Footnote] = []
    sections = []
    for s_index, section in enumerate(outline.sections):
        kept: list[Paragraph] = []
        lifted_after: set[int] = set()  # indexes in `kept` followed by a lifted block
        for p_index, paragraph in enumerate(section.paragraphs):
            found = chosen.get((s_index, p_index))
            if found:
                notes.extend(found)
                if kept and _is_notes_label(kept[-1], notes_labels):
                    kept.pop()
                lifted_after.add(len(kept) - 1)
            else:
                kept.append(paragraph)
        if len(kept) == len(section.paragraphs):
            sections.append(section)  # nothing lifted: the section as it was, its clean text kept
        else:
            sections.append(section.with_paragraphs(_rejoin(kept, lifted_after, keep_hyphen_prefixes)))
    if not explicit and notes:
        sections = _infer_plain_markers(sections, notes[0].number, notes[-1].number)
    outline = replace(outline, sections=tuple(sections))
    refs = tuple(_refs(outline))
    return FootnoteResult(outline, tuple(notes), refs, tuple(_check(notes, refs)))


@dataclass(frozen=True)
class _Run:
    """Adjacent candidate note paragraphs numbered on: ``first`` .. ``last``."""

    first: int
    last: int
    paragraphs: tuple[tuple[tuple[int, int], tuple[Footnote, ...]], ...]  # ((section, paragraph), notes)
    evidence: int  # signs that the run is notes rather than a numbered list


def _candidate_runs(outline: Outline, explicit: dict, keep_prefixes: frozenset[str]) -> list[_Run]:
    """Every run of paragraphs that could be footnotes, in document order."""
    plain_markers = {} if explicit else _plain_marker_order(outline)
    runs: list[_Run] = []
    for s_index, section in enumerate(outline.sections):
        paragraphs = section.paragraphs
        current: list = []
        for p_index, paragraph in enumerate(paragraphs):
            notes = _candidate_notes(paragraph, explicit, keep_prefixes)
            if notes and current and notes[0].number == current[-1][1][-1].number + 1:
                current.append(((s_index, p_index), notes))
                continue
            if current:
                runs.append(_make_run(current, paragraphs, plain_markers, explicit))
            current = [((s_index, p_index), notes)] if notes else []
        if current:
            runs.append(_make_run(current, paragraphs, plain_markers, explicit))
    return [run for run in runs if run is not None]


def _typed_notes(outline: Outline) -> dict[tuple[int, int], Footnote]:
    """The footnotes a PDF reader found at a page's or column's foot: (section, paragraph) -> note."""
    out = {}
    for s_index, section in enumerate(outline.sections):
        for p_index, paragraph in enumerate(section.paragraphs):
            first = paragraph.lines[0] if paragraph.lines else None
            if first is not None and first.kind == "footnote":
                text = collapse(first.text).text
                out[(s_index, p_index)] = Footnote(first.note, text, tuple(_urls(text)), first.page, first.lineno)
    return out


def _candidate_notes(paragraph: Paragraph, explicit: dict, keep_prefixes: frozenset[str]) -> tuple[Footnote, ...]:
    if not paragraph.lines or paragraph.lines[0].kind not in _MAY_BE_NOTE:
        return ()  # a footnote the reader typed already, a heading or a table row
    first = _note_number(paragraph.lines[0], allow_bare=True)
    return tuple(_take_notes(paragraph, first, explicit, keep_prefixes)) if first else ()


def _make_run(items: list, paragraphs: tuple[Paragraph, ...], plain_markers: dict, explicit: dict) -> _Run | None:
    (_, first_p), last_p = items[0][0], items[-1][0][1]
    before = paragraphs[first_p - 1].text.rstrip() if first_p > 0 else ""
    after = paragraphs[last_p + 1] if last_p + 1 < len(paragraphs) else None
    notes = [note for _, found in items for note in found]
    evidence = 0
    if before.endswith(":"):
        evidence -= 2  # "The strategy names three priorities:" introduces a list
    if before and not closes_text(before):
        evidence += 1  # the block cut a sentence, as a page break does
    if after is not None and before and _continues(paragraphs[first_p - 1], after):
        evidence += 1
    if not explicit:
        marked = sum(1 for note in notes if _seen_before(plain_markers.get(note.number), note.lineno))
        if not marked:
            return None  # no number of the block stands in the text before it: a list, not notes
        evidence += marked
    return _Run(notes[0].number, notes[-1].number, tuple((where, found) for where, found in items), evidence)


def _seen_before(where: int | None, lineno: int) -> bool:
    return where is not None and where < lineno


def _footnote_chain(runs: list[_Run], typed: set[int] = frozenset()) -> dict[tuple[int, int], tuple[Footnote, ...]]:
    """The runs that make the footnote sequence: (section, paragraph) -> its notes.

    The chain starts at note 1 (or, in a plain export that lost the first notes, at
    a run of two or more, or right after a note a PDF reader found at a page's foot:
    ``typed``), never takes a number the reader found, each next run starts one past the last, and the chain
    covering the most numbers wins; among equals, the one with the most evidence,
    then the later runs (notes follow their markers; a list sits in the flow).
    """
    best: list[tuple[tuple[int, int, int], int | None]] = []  # per run: (score, previous run)
    for i, run in enumerate(runs):
        size = run.last - run.first + 1
        if any(n in typed for n in range(run.first, run.last + 1)):
            best.append(((0, 0, i), None))  # a list numbered like notes the reader already has
            continue
        starts = run.first == 1 or size >= 2 or run.first - 1 in typed
        options = [((size, run.evidence, i), None)] if starts else []
        for j in range(i):
            if runs[j].last + 1 == run.first and best[j][0][0] > 0:
                (covered, evidence, _), _prev = best[j]
                options.append(((covered + size, evidence + run.evidence, i), j))
        best.append(max(options, default=((0, 0, i), None)))
    if not best or best[max(range(len(runs)), key=lambda k: best[k][0])][0][0] == 0:
        return {}
    end: int | None = max(range(len(runs)), key=lambda k: best[k][0])
    chosen: dict[tuple[int, int], tuple[Footnote, ...]] = {}
    while end is not None:
        chosen.update(dict(runs[end].paragraphs))
        end = best[end][1]
    return chosen

def _label_apart(outline: Outline, labels: tuple) -> Outline:
    """A notes label printed on the line right above its notes, with no blank line
    between ('Notes' / '1 The voivode ...'), is a paragraph of its own, as when a blank
    line parts them: the label then goes with the block it announces."""
    sections = []
    for section in outline.sections:
        paragraphs = []
        for paragraph in section.paragraphs:
            lines = paragraph.lines
            if (len(lines) >= 2 and _note_number(lines[1], allow_bare=True) is not None
                    and _is_notes_label(Paragraph(lines[:1]), labels)):
                paragraphs += [Paragraph(lines[:1]), Paragraph(lines[1:])]
            else:
                paragraphs.append(paragraph)
        sections.append(section.with_paragraphs(paragraphs) if len(paragraphs) != len(section.paragraphs) else section)
    return replace(outline, sections=tuple(sections))


def _is_notes_label(paragraph: Paragraph, labels: tuple) -> bool:
    return len(paragraph.lines) == 1 and any(p.fullmatch(paragraph.lines[0].text.strip(), timeout=PATTERN_TIMEOUT) for p in labels)


def _explicit_marker_order(outline: Outline) -> dict[int, tuple[int, int]]:
    """Footnote number -> (section ordinal, line number) of its first explicit marker."""
    first: dict[int, tuple[int, int]] = {}
    for section in outline.sections:
        for number in section.heading_markers:
            first.setdefault(number, (section.ordinal, section.heading_lineno or 0))
        for line in section.lines:
            for marker in line.markers:
                first.setdefault(marker.number, (section.ordinal, line.lineno))
    return first


def _plain_marker_order(outline: Outline) -> dict[int, int]:
    """Footnote number -> source line of its first glued or bracketed candidate marker."""
    first: dict[int, int] = {}
    for section in outline.sections:
        m = GLUED_NOTE.search(section.title)
        if m:
            first.setdefault(int(m.group("glued") or m.group("bracket")), section.heading_lineno or 0)
        for line in section.lines:
            for c in _GLUED_MARKER.finditer(line.text):
                first.setdefault(_marker_number(c), line.lineno)
    return first


def _note_number(line: Line, allow_bare: bool) -> int | None:
    m = _NOTE_START.match(line.text) or (_BARE_NOTE_START.match(line.text) if allow_bare else None)
    if not m:
        return None
    return int(m.group("num") or m.group("bracket"))


def _take_notes(paragraph: Paragraph, expected: int, explicit: dict, keep_prefixes: frozenset[str]) -> list[Footnote]:
    """The footnotes a paragraph holds, or [] when it is body text.

    Every line that opens with the next expected number starts a note; other lines
    continue the current one. The first line must open a note.
    """
    groups: list[tuple[int, list[Line]]] = []
    allow_bare = True  # '3 See: ...' as page-foot notes print; with explicit markers the note's marker must come first
    for line in paragraph.lines:
        number = _note_number(line, allow_bare)
        if number == expected and _marker_seen_before(number, line, explicit):
            groups.append((number, [line]))
            expected += 1
        elif groups:
            groups[-1][1].append(line)
        else:
            return []
    return [_make_note(number, lines, keep_prefixes) for number, lines in groups]


def _marker_seen_before(number: int, line: Line, explicit: dict) -> bool:
    if not explicit:
        return True
    where = explicit.get(number)
    return where is not None and where[1] <= line.lineno


def _make_note(number: int, lines: list[Line], keep_prefixes: frozenset[str]) -> Footnote:
    first = lines[0]
    body = _NOTE_START.sub("", first.text, count=1)
    if body == first.text:
        body = _BARE_NOTE_START.sub("", first.text, count=1)
    mended = mend_hyphenation([replace(first, text=body)] + list(lines[1:]), keep_prefixes)
    text = collapse(_join_keeping_urls([line.text for line in mended])).text
    return Footnote(number, text, tuple(_urls(text)), first.page, first.lineno)


_SPLIT_SCHEME = re.compile(r"\b(https?://)\s+(?=\S)")  # "https:// www.x.org": broken after the scheme
_SCHEME_THEN_SPACE = re.compile(r"://\s")  # what _SPLIT_SCHEME needs; a literal opening, searched for in C


def _join_keeping_urls(texts: list[str]) -> str:
    """Join note lines with spaces, except where a URL wrapped onto the next line
    (``breaks_url``: in its scheme, at a separator, or mid-word into a piece shaped as a URL)."""
    out = ""
    for text in texts:
        piece = text.strip()
        token = piece.split(" ", 1)[0]
        glue = bool(out) and breaks_url(out.rsplit(" ", 1)[-1], token)
        out = out + piece if glue else f"{out} {piece}".strip()
    return _SPLIT_SCHEME.sub(r"\1", out) if _SCHEME_THEN_SPACE.search(out) else out


def _urls(text: str) -> list[str]:
    out = []
    if "://" not in text and "www." not in text:
        return out  # no URL can start: most notes
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".,;:")
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;:")
        out.append(url)
    return out


def _rejoin(paragraphs: list[Paragraph], lifted_after: set[int], keep_prefixes: frozenset[str]) -> list[Paragraph]:
    """Join a paragraph cut by a footnote block with the lowercase text that continues it,
    mending a word the cut broke ("Econ-" / "omy")."""
    out: list[Paragraph] = []
    for i, paragraph in enumerate(paragraphs):
        if out and (i - 1) in lifted_after and _continues(out[-1], paragraph):
            before = out[-1].lines
            merged = merge_broken_lines(before[-1], paragraph.lines[0], keep_prefixes)
            if merged is not None:
                out[-1] = Paragraph(before[:-1] + (merged,) + paragraph.lines[1:])
            else:
                out[-1] = Paragraph(before + paragraph.lines)
        else:
            out.append(paragraph)
    return out


def _continues(before: Paragraph, after: Paragraph) -> bool:
    tail = before.text.rstrip()
    head = after.text.lstrip()
    return bool(tail) and bool(head) and not closes_text(tail) and (head[0].islower() or head[0].isdigit())


def _infer_plain_markers(sections: list[Section], first: int, last: int) -> list[Section]:
    """Turn glued or bracketed numbers into markers, in footnote-sequence order."""
    expected = first
    out = []
    for section in sections:
        section, expected = _infer_in_heading(section, expected, last)
        paragraphs = []
        for paragraph in section.paragraphs:
            lines = []
            for line in paragraph.lines:
                line, expected = _infer_in_line(line, expected, last)
                lines.append(line)
            same = all(a is b for a, b in zip(lines, paragraph.lines))
            paragraphs.append(paragraph if same else Paragraph(tuple(lines)))
        same = all(a is b for a, b in zip(paragraphs, section.paragraphs))
        out.append(section if same else section.with_paragraphs(paragraphs))  # unchanged: its clean text kept
    return out


def _infer_in_heading(section: Section, expected: int, last: int) -> tuple[Section, int]:
    m = GLUED_NOTE.search(section.title)
    if m and int(m.group("glued") or m.group("bracket")) == expected and expected <= last:
        title = section.title[: m.start()].rstrip()
        return replace(section, title=title, heading_markers=section.heading_markers + (expected,)), expected + 1
    return section, expected


def _infer_in_line(line: Line, expected: int, last: int) -> tuple[Line, int]:
    if expected > last or not _GLUED_MARKER.search(line.text):
        if len(line.markers) < 2 or all(a.offset <= b.offset for a, b in pairwise(line.markers)):
            return line, expected  # most lines: no glued number, nothing to move
    text, markers, spans = line.text, list(line.markers), list(line.spans)
    pos = 0
    while expected <= last:
        m = next((c for c in _GLUED_MARKER.finditer(text, pos) if _marker_number(c) == expected), None)
        if m is None:
            break
        start, end = m.start(), m.end()
        text = text[:start] + text[end:]
        cut = end - start
        markers = [Marker(mk.offset - cut if mk.offset >= end else mk.offset, mk.number) for mk in markers]
        markers.append(Marker(start, expected))
        spans = [_shift_span(s, start, cut) for s in spans]
        pos, expected = start, expected + 1
    markers.sort(key=lambda mk: mk.offset)
    if text is line.text and tuple(markers) == line.markers:
        return line, expected  # no glued number was the one expected, markers in order: the line as it was
    return replace(line, text=text, markers=tuple(markers), spans=tuple(spans)), expected


def _shift_span(span: Span, start: int, cut: int) -> Span:
    def move(offset):
        return offset - cut if offset >= start + cut else min(offset, start)

    return Span(move(span.start), move(span.end), span.kind)


def _refs(outline: Outline):
    for section in outline.sections:
        for number in section.heading_markers:
            yield FootnoteRef(number, section.section_id, 0)
        for marker in section.clean.markers:
            yield FootnoteRef(marker.number, section.section_id, marker.offset)


def _check(notes: list[Footnote], refs: tuple[FootnoteRef, ...]) -> list[str]:
    have = {n.number for n in notes}
    cited = {r.number for r in refs}
    warnings = [f"footnote {n} has no marker in the text" for n in sorted(have - cited)]
    warnings += [f"marker {n} has no footnote text" for n in sorted(cited - have)]
    return warnings

"""The shared document model: what every stage reads and extends.

Stages never mutate these objects; they derive new ones. Every piece of text keeps
its footnote markers and emphasis spans as offsets, so a value found late in the
pipeline still points at where it was printed (section, page, source line).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass


class derived:
    """``functools.cached_property`` without its lock: the first read computes the value and
    stores it in the instance, where later reads find it. On Python 3.11 the lock costs more
    than a line's clean text; a value computed twice by two threads is the same value.
    """

    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


# The runs of whitespace collapsing shortens: at an edge, or inner of two or more
# (r"\A\s+|\s+\Z|\s{2,}", written to open with a character class, which the engine skips to in C).
_SHORTENED_WS = re.compile(r"\s(?:\s+|\Z|(?<=\A\s))")


@dataclass(frozen=True)
class Marker:
    """A footnote reference: footnote ``number`` stood at ``offset`` of its text."""

    offset: int
    number: int


@dataclass(frozen=True)
class Span:
    """An emphasised stretch of text: ``kind`` is ``bold`` or ``italic``."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class RatingMark:
    """What a PDF showed of a rating scale (filled box, highlighted label ...)."""

    dimension: str  # vnr_process | coordination_mechanisms
    level: str
    method: str  # graphic | label
    evidence: str
    page: int | None = None


BLOCK_KINDS = ("title", "heading", "paragraph", "list_item", "table_row", "footnote", "furniture")


@dataclass(frozen=True)
class Block:
    """One piece of a document as a front end that sees the layout typed it (the PDF reader).

    ``text`` is plain: markers and emphasis are offsets into it, never markup. A heading
    carries its section ``number`` and its ``level`` by style (1 the title, 2 a section,
    3 a sub-section, 4 a bulleted head); a footnote its ``number``; a table row its cells
    separated by TABs; a paragraph that carries on the one before it across a page or
    column says so (``continues``). Furniture (running heads, page numbers, kickers) is
    kept aside: no stage reads it as text.
    """

    kind: str  # one of BLOCK_KINDS
    text: str
    page: int | None = None
    markers: tuple[Marker, ...] = ()
    spans: tuple[Span, ...] = ()
    number: str | None = None
    level: int | None = None
    continues: bool = False

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(self.text.split("\t")) if self.kind == "table_row" else ()


@dataclass(frozen=True)
class SourceDocument:
    """One input file as read from disk: decoded text plus what only the file knows.

    Two front ends, one model. A text or markdown export comes as ``text``, which
    normalize turns into lines. A PDF comes as typed ``blocks`` (its ``text`` is their
    plain text, for people), which normalize turns into the same lines, each keeping
    the kind the reader gave it; no PDF text passes through markdown.
    """

    path: str  # relative to the input folder
    sha256: str
    format: str  # pdf | markdown | text
    text: str
    pages: int | None = None
    rating_marks: tuple[RatingMark, ...] = ()
    warnings: tuple[str, ...] = ()  # what reading the file found wrong, for the manifest
    blocks: tuple[Block, ...] = ()  # what the PDF reader typed; empty for text exports


@dataclass(frozen=True, init=False)
class Line:
    """One source line after markup removal; tabs kept (tables need them)."""

    text: str
    lineno: int  # 1-based line in the source text
    page: int | None = None
    markers: tuple[Marker, ...] = ()
    spans: tuple[Span, ...] = ()
    heading_depth: int | None = None  # markdown ``#`` count or a PDF heading's level: a hint, never the truth
    kind: str | None = None  # the Block kind a PDF reader gave the line; None: later stages judge
    note: int | None = None  # a footnote line's number (kind ``footnote``)
    continues: bool = False  # the paragraph above, carried over a page or column break

    def __init__(self, text: str, lineno: int, page: int | None = None, markers: tuple[Marker, ...] = (),
                 spans: tuple[Span, ...] = (), heading_depth: int | None = None, kind: str | None = None,
                 note: int | None = None, continues: bool = False):
        # The fields as the dataclass's own __init__ would set them, in one update of the
        # instance's dict: a frozen dataclass sets each through object.__setattr__, twice the
        # cost, and every line of every profile is made here (test_document_model holds the two alike).
        self.__dict__.update(text=text, lineno=lineno, page=page, markers=markers, spans=spans,
                             heading_depth=heading_depth, kind=kind, note=note, continues=continues)

    @derived
    def is_blank(self) -> bool:
        """Read several times a line by the outline: kept once found."""
        return not self.text.strip()

    @derived
    def clean(self) -> CleanText:
        """The line whitespace-collapsed (``collapse``), markers and spans moved along: read
        by the outline (headings, contents) and its paragraph alike, computed once."""
        return collapse(self.text, self.markers, self.spans)

    def drop_prefix(self, n: int) -> "Line":
        """The line without its first ``n`` characters (a list bullet), offsets moved."""
        # Every field by name, as with_paragraphs: dataclasses.replace costs more than the line.
        return Line(self.text[n:], self.lineno, self.page,
                    tuple(Marker(max(m.offset - n, 0), m.number) for m in self.markers),
                    tuple(Span(max(s.start - n, 0), s.end - n, s.kind) for s in self.spans if s.end > n),
                    self.heading_depth, self.kind, self.note, self.continues)


@dataclass(frozen=True)
class Figure:
    """An image on a line of its own in a markdown export: no text of its section, but its
    alt text may say what the graphic showed ('Level of participation: Weak')."""

    lineno: int
    alt: str


@dataclass(frozen=True)
class NormalizedDocument:
    source: SourceDocument
    lines: tuple[Line, ...]
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True, init=False)
class CleanText:
    """Whitespace-collapsed text with markers and spans re-based onto it."""

    text: str = ""
    markers: tuple[Marker, ...] = ()
    spans: tuple[Span, ...] = ()

    def __init__(self, text: str = "", markers: tuple[Marker, ...] = (), spans: tuple[Span, ...] = ()):
        self.__dict__.update(text=text, markers=markers, spans=spans)  # as Line's: one made per line


def collapse(text: str, markers=(), spans=()) -> CleanText:
    """Collapse runs of whitespace to one space and strip, moving offsets along.

    An offset inside a collapsed run stays before its space ("Shymkent).<sup>1</sup> At"
    puts marker 1 right after the full stop).
    """
    new_text = text if _is_collapsed(text) else " ".join(text.split())
    if not markers and not spans:
        return CleanText(new_text)
    # Only the runs collapsing shortens move offsets: an inner run of one character becomes
    # one space in place. Most lines have none, as their length tells without a search.
    runs = [m.span() for m in _SHORTENED_WS.finditer(text)] if len(new_text) < len(text) else []
    if not runs:
        if " " in text or new_text != text:  # whitespace, kept in place: an offset past the end stops at it
            markers = [m if m.offset <= len(text) else Marker(len(text), m.number) for m in markers]
            spans = [sp if sp.end <= len(text) else Span(min(sp.start, len(text)), len(text), sp.kind) for sp in spans]
        return CleanText(new_text, tuple(markers), tuple(sp for sp in spans if sp.end > sp.start))
    starts = [start for start, _ in runs]
    # Characters removed before each run: leading and trailing runs vanish, inner ones keep one space.
    removed_before, total = [], 0
    for start, end in runs:
        removed_before.append(total)
        edge = start == 0 or end == len(text)
        total += (end - start) - (0 if edge else 1)

    def move(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset  # before the first shortened run: where it was (and inside the text)
        start, end = runs[i]
        if offset < end:  # inside a run: before its space
            return min(start - removed_before[i], len(new_text))
        edge = start == 0 or end == len(text)
        return min(offset - removed_before[i] - (end - start) + (0 if edge else 1), len(new_text))

    return CleanText(
        new_text,
        tuple(Marker(move(m.offset), m.number) for m in markers),
        tuple(Span(move(sp.start), move(sp.end), sp.kind) for sp in spans if move(sp.end) > move(sp.start)),
    )


def _is_collapsed(text: str) -> bool:
    """Whether ``text`` is its own collapse: no space at an edge nor two in a row, and no
    other whitespace (every whitespace character but the space is unprintable). Three
    scans in C, cheaper than splitting a long line into words and joining them again."""
    return "  " not in text and text[:1] != " " and text[-1:] != " " and text.isprintable()


def join_clean(parts: list[CleanText], sep: str = " ") -> CleanText:
    """Concatenate clean texts, shifting each part's offsets."""
    if len(parts) == 1 and (parts[0].text or parts[0].markers):
        return parts[0]  # one part (a one-line paragraph, a one-paragraph section): itself, nothing to shift
    text, markers, spans, pos = [], [], [], 0
    for part in parts:
        if not part.text and not part.markers:
            continue
        if text:
            text.append(sep)
            pos += len(sep)
        text.append(part.text)
        markers += [Marker(m.offset + pos, m.number) for m in part.markers]
        spans += [Span(s.start + pos, s.end + pos, s.kind) for s in part.spans]
        pos += len(part.text)
    return CleanText("".join(text), tuple(markers), tuple(spans))


@dataclass(frozen=True)
class Paragraph:
    """Consecutive body lines; the unit footnote blocks are lifted from."""

    lines: tuple[Line, ...]

    @derived
    def clean(self) -> CleanText:
        return join_lines(self.lines)

    @property
    def text(self) -> str:
        return self.clean.text

    @property
    def page(self) -> int | None:
        return self.lines[0].page if self.lines else None


def join_lines(lines: tuple[Line, ...]) -> CleanText:
    """Join the lines of one paragraph with single spaces (hyphenation is mended in normalize)."""
    return join_clean([line.clean for line in lines])


@dataclass(frozen=True)
class Section:
    """A heading and its own body (children excluded)."""

    section_id: str
    number: str | None
    title: str
    key: str | None
    level: int
    parent_id: str | None
    ordinal: int
    paragraphs: tuple[Paragraph, ...] = ()
    heading_markers: tuple[int, ...] = ()  # footnote numbers printed on the heading
    heading_page: int | None = None
    heading_lineno: int | None = None

    @derived
    def clean(self) -> CleanText:
        return join_clean([p.clean for p in self.paragraphs])

    @property
    def text(self) -> str:
        return self.clean.text

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for p in self.paragraphs for line in p.lines)

    def paragraph_ranges(self) -> tuple[tuple[int, int], ...]:
        """(start, end) of each paragraph in ``text`` (joined with one space)."""
        out, pos = [], 0
        for p in self.paragraphs:
            if not p.text and not p.clean.markers:
                out.append((pos, pos))
                continue
            start = pos + (1 if pos else 0)
            out.append((start, start + len(p.text)))
            pos = start + len(p.text)
        return tuple(out)

    @property
    def page_start(self) -> int | None:
        return self.heading_page

    @property
    def page_end(self) -> int | None:
        pages = [line.page for line in self.lines if line.page is not None]
        return max(pages + ([self.heading_page] if self.heading_page else []), default=None)

    def with_paragraphs(self, paragraphs) -> "Section":
        # Every field by name rather than dataclasses.replace, which costs three times more;
        # test_document_model holds the two to the same result.
        return Section(self.section_id, self.number, self.title, self.key, self.level, self.parent_id, self.ordinal,
                       tuple(paragraphs), self.heading_markers, self.heading_page, self.heading_lineno)


@dataclass(frozen=True)
class Outline:
    """The section tree of one profile, flat in document order."""

    country_name: str | None
    sections: tuple[Section, ...]
    title_lineno: int | None = None
    figures: tuple[Figure, ...] = ()
    warnings: tuple[str, ...] = ()  # what reading the outline set aside, for the manifest

    def figures_of(self, section: Section) -> tuple[Figure, ...]:
        """The figures printed under the section's heading, before the next heading."""
        starts = sorted(s.heading_lineno or 0 for s in self.sections)
        mine = section.heading_lineno or 0
        later = [n for n in starts if n > mine]
        end = later[0] if later else float("inf")
        return tuple(f for f in self.figures if mine < f.lineno < end)

    def get(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.section_id == section_id), None)

    def by_key(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def subtree(self, section_id: str) -> tuple[Section, ...]:
        """The section and all its descendants, in order."""
        ids = {section_id}
        out = []
        for s in self.sections:
            if s.section_id in ids or s.parent_id in ids:
                ids.add(s.section_id)
                out.append(s)
        return tuple(out)


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str
    urls: tuple[str, ...]
    page: int | None
    lineno: int | None = None


@dataclass(frozen=True)
class FootnoteRef:
    number: int
    section_id: str
    char_offset: int

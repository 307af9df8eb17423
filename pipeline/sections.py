"""Sections: clean lines -> Outline (country title + section tree in document order).

The hierarchy comes from the printed numbering (``2.3`` is level 2 whatever its
``#`` depth) and from canonical heading names in rules/headings.yaml; markdown
depth is only a hint that a line is a heading at all. Exports print ``## 2.3``
and ``# 3.`` in the same file, and plain-text exports have no ``#`` at all.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from .document import Line, Marker, NormalizedDocument, Outline, Paragraph, Section, Span, collapse
from .printed import SECTION_NUMBER, section_number
from .rules import PATTERN_TIMEOUT, HeadingRules, Rules

_FOOTNOTE_START = re.compile(r"^\s*(?:\d{1,3}[.)]|\[\d{1,3}\])\s+\S")
_MAX_HEADING_CHARS = 160
_MAY_BE_HEADING = (None, "title", "heading")  # line kinds: untyped (text exports) or typed as one
# A plain-text export glues a heading's footnote number to it: "SDG INDICATORS10", "INDICATORS [9]".
GLUED_NOTE = re.compile(r"(?:(?<=[A-Za-z)])(?P<glued>\d{1,3})|\s*\[(?P<bracket>\d{1,3})\])$")


@dataclass(frozen=True)
class HeadingLine:
    """A line judged to be a heading, before it is placed in the tree."""

    line: Line
    number: str | None
    title: str
    key: str | None
    bullet: bool
    usual_number: str | None = None  # from rules: where a known but unnumbered heading belongs
    is_blank = False  # read in a run of lines and headings alike


def build_outline(doc: NormalizedDocument, rules: Rules) -> Outline:
    """Find the country title and the section tree of one profile."""
    heading_rules: HeadingRules = rules.headings
    blocks, warnings = split_blocks(doc.lines, heading_rules)
    title, title_lineno, blocks = take_title(blocks, heading_rules)
    return Outline(title, place_sections(blocks), title_lineno, doc.figures, tuple(warnings))


# -- recognising headings ---------------------------------------------------------
def classify_heading(line: Line, rules: HeadingRules) -> HeadingLine | None:
    """Decide whether one line is a heading, from numbering, case, bullets and known names."""
    if line.kind not in _MAY_BE_HEADING:
        return None  # the PDF reader typed it as a paragraph, list item, table row or footnote
    text = line.clean.text
    if not text or len(text) > _MAX_HEADING_CHARS:
        return None
    bullet = text[0] in rules.bullet_chars
    body = text[1:].strip() if bullet else text
    number = None
    if not bullet:
        number, body = section_number(body)
        if _is_sentence(body):
            return None  # prose, whatever it names (only a bulleted head may end like a sentence)
        if number is None and (_FOOTNOTE_START.match(text) or not _has_letters(body)):
            return None  # a note ('3. See ...') or no words: no heading, whatever rule it would match
    known = _known(body, rules)
    key = known.key if known else None
    if bullet:
        # "► In the VNR process" is a heading; "▶ Almaty adopted ..." is a case item.
        is_heading = known is not None or (line.heading_depth is not None and not _is_sentence(body))
    elif number is not None:
        is_heading = (known is not None or _is_upper(body)) and not _is_sentence(body)
    else:
        # Without "#", capitals alone make a heading only on a line that opens like one:
        # "(VNR).3", the tail of a wrapped sentence, is no heading.
        is_heading = line.heading_depth is not None or known is not None or (body[:1].isalnum() and _is_upper(body))
    if not is_heading:
        return None
    return HeadingLine(line, number, body, key, bullet, known.number if known else None)


def continued_heading(heading: HeadingLine, nxt: Line, rules: HeadingRules) -> HeadingLine | None:
    """The heading with ``nxt`` as the rest of its title, when a narrow copy wrapped it
    ('2.4 VOLUNTARY SUBNATIONAL AND/OR LOCAL' / 'REVIEWS (VSRs / VLRs)'), else None.

    Only a numbered or known heading continues, on a line right below it that opens no
    heading, item or note of its own: a line in capitals when the heading is, or any line
    that makes an unknown title known ('2.1 LRGs' / 'participation'). A known title goes
    on only in capitals, and only where its rule reads the rest ('NATIONAL STRATEGIES FOR
    SDG' / 'IMPLEMENTATION'), or inside a parenthesis it opened: the rule for 'COVID 19'
    takes any words after it, so 'ALMATY' below it is a heading of its own.
    """
    if (heading.bullet or (heading.number is None and heading.key is None) or nxt.heading_depth is not None
            or nxt.kind is not None):  # a typed heading came whole from the PDF reader
        return None
    rest = nxt.clean.text
    if (not rest or "\t" in nxt.text or "   " in nxt.text.strip() or rest[0] in rules.bullet_chars
            or SECTION_NUMBER.match(rest) or _FOOTNOTE_START.match(rest)):
        return None
    title = f"{heading.title} {rest}"
    if len(title) > _MAX_HEADING_CHARS or _is_sentence(title):
        return None
    known = _known(title, rules)
    capitals = _is_upper(rest) and _is_upper(heading.title)
    if heading.key is None:
        goes_on = known or capitals and not _known(rest, rules)  # not a heading of its own below
    else:
        goes_on = capitals and known and not _known(rest, rules) and (
            heading.title.count("(") > heading.title.count(")") or not _known(f"{heading.title} {_ANY_WORD}", rules))
    if not goes_on:
        return None
    return replace(heading, line=_joined(heading.line, nxt), title=title, key=known.key if known else None,
                   usual_number=known.number if known else None)


_ANY_WORD = "QQQ"  # a word no heading name contains: a rule that still matches reads no rest


def _known(title: str, rules: HeadingRules):
    known = rules.match(title)
    if known is None and _may_end_in_note(title):
        bare = GLUED_NOTE.sub("", title)
        known = rules.match(bare) if bare != title else None
    return known


def _may_end_in_note(text: str) -> bool:
    """Whether GLUED_NOTE may match: it ends the text (or its last line) with a digit or ']'.
    A look at the end instead of a search that tries the pattern at every position."""
    return _last_character(text) == "]" or _may_end_in_digit(text)


def _may_end_in_digit(text: str) -> bool:
    r"""Whether a pattern ending in '\d$' (GLUED_NOTE, _TRAILING_PAGE) may match."""
    return _last_character(text).isdigit()


def _last_character(text: str) -> str:
    """The last character, or the one before a final newline (where '$' also matches)."""
    return text[-2:-1] if text.endswith("\n") else text[-1:]


def _joined(line: Line, nxt: Line) -> Line:
    """Two lines as one, with one space between and the second's markers moved along."""
    head, rest = line.text.rstrip(), nxt.text.lstrip()
    shift = len(head) + 1 - (len(nxt.text) - len(rest))
    return replace(line, text=f"{head} {rest}",
                   markers=line.markers + tuple(Marker(m.offset + shift, m.number) for m in nxt.markers),
                   spans=line.spans + tuple(Span(s.start + shift, s.end + shift, s.kind) for s in nxt.spans))


def _is_upper(text: str) -> bool:
    """Mostly capitals: "LRGs INVOLVEMENT IN SDG LOCALIZATION" is, a sentence is not
    (the plural 's' of an acronym, 'VLRs', counts as a capital)."""
    letters, upper = _letters_and_capitals(text)
    if letters < 3:
        return False
    return upper >= 0.8 * letters or upper + len(_ACRONYM_PLURAL.findall(text)) >= 0.8 * letters


def _letters_and_capitals(text: str) -> tuple[int, int]:
    """How many letters ``text`` has, and how many of them are capitals. An ASCII text is
    counted by deleting the other bytes (in C, five times faster than a loop of Python)."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_NON_LETTERS)), len(data.translate(None, _ASCII_NON_CAPITALS))
    letters = [c for c in text if c.isalpha()]
    return len(letters), sum(c.isupper() for c in letters)


_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_ASCII_NON_CAPITALS = bytes(c for c in range(128) if not chr(c).isupper())
_ACRONYM_PLURAL = re.compile(r"s(?<=[A-Z][A-Z]s)\b")  # 's' first: searched for in C, then the capitals before it


def _is_sentence(text: str) -> bool:
    """Body text ends like prose or runs long (over 20 words: split no further); headings do neither."""
    end = text.rstrip()
    return end.endswith((".", ";", ",")) and not end.endswith("..") or len(text.split(None, 20)) > 20


def _has_letters(text: str) -> bool:
    if text.isascii():
        return _ASCII_LETTER.search(text) is not None
    return any(c.isalpha() for c in text)


_ASCII_LETTER = re.compile("[A-Za-z]")


# -- blocks: headings and paragraphs in order ---------------------------------------
def split_blocks(lines: tuple[Line, ...], rules: HeadingRules) -> tuple[list[HeadingLine | Paragraph], list[str]]:
    """Group body lines into paragraphs between headings and blank lines, without the
    table of contents (see ``contents_entries``); warnings say what it listed in vain.

    A line that opens a list item (``▶``) or a numbered note (``3. See ...``) starts a
    new paragraph even without a blank line: page-break footnote blocks often
    follow text directly.
    """
    items = read_items(lines, rules)
    contents, warnings = contents_entries(items, rules)
    blocks: list[HeadingLine | Paragraph] = []
    current: list[Line] = []

    def flush():
        if current:
            blocks.append(Paragraph(tuple(current)))
            current.clear()

    for i, item in enumerate(items):
        if i in contents or item.is_blank:
            flush()
            continue
        if isinstance(item, HeadingLine):
            flush()
            blocks.append(item)
            continue
        if item.kind is not None and not _joins_typed(current, item):
            flush()
            if item.continues and _carry_on(blocks, item):
                continue
        stripped = item.text.lstrip()
        bullet = stripped[:1] in rules.bullet_chars
        if current and (bullet or _FOOTNOTE_START.match(stripped) or _starts_table_row(current, item)):
            flush()
        if bullet:  # list markup, not text: "▶ Almaty adopted ..." -> "Almaty adopted ..."
            item = item.drop_prefix(len(item.text) - len(stripped[1:].lstrip()))
        current.append(item)
    flush()
    return blocks, warnings


def _joins_typed(current: list[Line], line: Line) -> bool:
    """A typed line opens a paragraph of its own, but a table row goes on the rows above it."""
    return bool(current) and current[-1].kind == line.kind == "table_row"


def _carry_on(blocks: list, line: Line) -> bool:
    """Append a paragraph the reader saw carried over a page or column break to the one it
    carries on (past the footnotes of the page between); False when there is none."""
    for k in range(len(blocks) - 1, -1, -1):
        block = blocks[k]
        if isinstance(block, Paragraph) and block.lines[-1].kind == "footnote":
            continue
        if isinstance(block, Paragraph) and block.lines[-1].kind in ("paragraph", "list_item"):
            blocks[k] = Paragraph(block.lines + (line,))
            return True
        return False
    return False


def read_items(lines: tuple[Line, ...], rules: HeadingRules) -> list[HeadingLine | Line]:
    """Each line as a heading (a wrapped one joined: ``continued_heading``) or as a line."""
    items: list[HeadingLine | Line] = []
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        heading = None if line.is_blank else classify_heading(line, rules)
        while heading and i < len(lines) and (joined := continued_heading(heading, lines[i], rules)):
            heading, i = joined, i + 1
        items.append(heading or line)
    return items


# -- the table of contents ----------------------------------------------------------------
# An entry's page number after dot leaders, a TAB or a run of spaces: "Monitoring ...... 2".
_PAGE_REF = re.compile(r"^(?P<title>.*?\S)(?:[ \t]*(?:\.{3,}|…+|(?:\.[ \t]){2,}|·{2,}|_{3,})[ \t]*|[ \t]*\t[ \t]*|[ \t]{3,})"
                       r"(?P<page>\d{1,3}|[ivxlc]{1,6})[ \t]*$", re.IGNORECASE)
_TRAILING_PAGE = re.compile(r"\s+\d{1,3}$")


@dataclass(frozen=True)
class Entry:
    """A line that may list a section in a table of contents."""

    index: int  # its last line in the items of the document
    title: str
    keys: frozenset[str]  # with and without a trailing number that may be a page
    paged: bool  # printed with a page number
    first: int | None = None  # its first line, when the entry wraps over two

    @property
    def start(self) -> int:
        return self.index if self.first is None else self.first


def contents_entries(items: list[HeadingLine | Line], rules: HeadingRules) -> tuple[set[int], list[str]]:
    """Indexes of the table of contents (label and entries) and a warning per entry no
    heading of the document matches.

    A table of contents is a run of entries, each a heading or a title with its page
    number, blank lines between them allowed; it ends at a line that is neither, or at
    an entry it already listed (the real heading). It counts when a label such as
    'Table of contents' (rules: contents_labels) stands right above it, or when at least
    three entries reappear as headings after it and the others print page numbers.
    Trailing entries without a page number that no later heading repeats are the real
    headings, given back.
    """
    entries = [None if item.is_blank else _entry(item, i, rules) for i, item in enumerate(items)]
    last_heading = {_title_key(item.title, None): i for i, item in enumerate(items) if isinstance(item, HeadingLine)}

    def reappears(entry: Entry, after: int) -> bool:
        return any(last_heading.get(key, -1) >= after for key in entry.keys)

    for i in range(len(items) - 1):
        if entries[i + 1] is None or not entries[i + 1].paged:
            continue  # nothing below with a page number: no entry wrapped onto it (_wrapped_entry's first test)
        wrapped = _wrapped_entry(items, entries, i, rules)
        if wrapped and (entries[i] is None or reappears(wrapped, i + 2) and not reappears(entries[i], i + 1)):
            entries[i] = wrapped  # one entry over two lines, where the two read apart come back as no heading

    skip: set[int] = set()
    warnings: list[str] = []
    i = 0
    while i < len(items):
        if entries[i] is None:  # a blank line or no entry: a run starting at the next entry is found there
            i += 1
            continue
        run, end = _entry_run(items, entries, i)
        while run and not run[-1].paged and not reappears(run[-1], run[-1].index + 1):
            end = run.pop().index  # a real heading right below the table of contents
        label = _label_above(items, run[0].start, rules) if run else None
        back = [e for e in run if reappears(e, end)]
        if run and (label is not None or len(back) >= _MIN_UNLABELLED and all(e.paged for e in run if e not in back)):
            skip.update(range(label if label is not None else run[0].start, run[-1].index + 1))
            warnings += [f"table of contents lists {e.title!r}, which no heading matches" for e in run
                         if not reappears(e, end)]
            i = end
        else:
            i += 1
    return skip, warnings


_MIN_UNLABELLED = 3


def _entry_run(items, entries: list[Entry | None], start: int) -> tuple[list[Entry], int]:
    """The entries from ``start`` on, and the index after the last one."""
    run: list[Entry] = []
    seen: set[str] = set()
    i = end = start
    while i < len(items):
        if items[i].is_blank:
            i += 1
            continue
        entry = entries[i]
        if entry is None or entry.keys & seen:
            break
        run.append(entry)
        seen |= entry.keys
        i = end = entry.index + 1
    return run, end


def _wrapped_entry(items, entries: list[Entry | None], i: int, rules: HeadingRules) -> Entry | None:
    """An entry wrapped before its page number: '2. LRGs involvement in SDG' / 'localization .... 2'."""
    nxt = entries[i + 1]
    if items[i].is_blank or nxt is None or not nxt.paged or entries[i] is not None and entries[i].paged:
        return None
    head = (items[i].line if isinstance(items[i], HeadingLine) else items[i]).clean.text
    title = f"{head} {nxt.title}"
    if len(title) > _MAX_HEADING_CHARS or _is_sentence(title) or _is_contents_label(head, rules):
        return None
    return Entry(nxt.index, title, frozenset({_title_key(title, rules.bullet_chars)}), True, i)


def _entry(item: HeadingLine | Line, index: int, rules: HeadingRules) -> Entry | None:
    line = item.line if isinstance(item, HeadingLine) else item
    text = line.text.strip()
    paged = _PAGE_REF.match(text) if _ends_in_page_number(text) else None
    if paged:
        title = collapse(paged.group("title")).text
        return Entry(index, title, frozenset({_title_key(title, rules.bullet_chars)}), True)
    if not isinstance(item, HeadingLine):
        # "Territorial organization 1": a heading once its page number goes
        bare = _TRAILING_PAGE.sub("", text) if text[-1:].isdigit() and len(text) <= _MAX_HEADING_CHARS else text
        heading = bare != text and classify_heading(replace(line, text=bare, markers=(), spans=()), rules)
        return Entry(index, collapse(bare).text, frozenset({_title_key(bare, rules.bullet_chars)}), True) if heading else None
    title = line.clean.text
    untitled = _TRAILING_PAGE.sub("", title) if _may_end_in_digit(title) else title
    return Entry(index, title, frozenset({_title_key(title, rules.bullet_chars), _title_key(untitled, rules.bullet_chars)}), False)


def _ends_in_page_number(text: str) -> bool:
    """A cheap look at the last word before the full pattern is tried on a line."""
    end = text.rstrip()[-1:]
    if not (end.isdigit() or end and end in "ivxlcIVXLC"):
        return False  # the last word can be no number: most lines
    last = text[-8:].rsplit(None, 1)[-1].lstrip(".…·_") if text.strip() else ""
    return 0 < len(last) <= 6 and (last.isdigit() or not last.strip("ivxlcIVXLC")) and len(text) <= 2 * _MAX_HEADING_CHARS


@lru_cache(maxsize=4096)
def _title_key(title: str, bullets: str | None) -> str:
    """What an entry and its heading share: the words of the title without bullet, number,
    glued note number or case (``bullets``: the rules' bullet characters; None for a
    heading's title, which has neither bullet nor number). Cached: the standard section
    titles recur in every profile of a batch."""
    text = title.strip()
    if bullets is not None:
        text = text.lstrip(bullets + " ")
        text = section_number(text)[1]
    return " ".join(re.findall(r"[^\W_]+", GLUED_NOTE.sub("", text).casefold()))


def _label_above(items, index: int, rules: HeadingRules) -> int | None:
    """The index of a 'Table of contents' label right above ``index`` (blank lines between)."""
    i = index - 1
    while i >= 0 and items[i].is_blank:
        i -= 1
    if i < 0:
        return None
    text = items[i].title if isinstance(items[i], HeadingLine) else items[i].clean.text
    return i if _is_contents_label(text, rules) else None


def _is_contents_label(text: str, rules: HeadingRules) -> bool:
    return any(p.fullmatch(text.strip(" :"), timeout=PATTERN_TIMEOUT) for p in rules.contents_labels)


def _starts_table_row(current: list[Line], line: Line) -> bool:
    """Table rows (tab-separated cells) never merge with prose around them."""
    return ("\t" in line.text) != ("\t" in current[-1].text)


# -- the title ------------------------------------------------------------------------
def take_title(blocks, rules: HeadingRules):
    """The first unknown heading before any known section is the country's name.

    Front-matter headings such as "COUNTRY PROFILE" (rules: title_skip), above or
    below the name, are dropped until the first known section.
    """
    front = []  # headings before the first known, numbered or bulleted one
    for i, block in enumerate(blocks):
        if isinstance(block, HeadingLine):
            if block.key is not None or block.number is not None or block.bullet:
                break
            front.append(i)
    skipped = {i for i in front if any(p.fullmatch(blocks[i].title, timeout=PATTERN_TIMEOUT) for p in rules.title_skip)}
    title_at = next((i for i in front if i not in skipped), None)
    if title_at is None and _title_line(blocks, rules):
        line = blocks[0].lines[0]
        return title_case(line.clean.text), line.lineno, blocks[1:]
    rest = [b for j, b in enumerate(blocks) if j != title_at and j not in skipped]
    if title_at is None:
        return None, None, rest
    return title_case(blocks[title_at].title), blocks[title_at].line.lineno, rest


def _title_line(blocks, rules: HeadingRules) -> bool:
    """A copy-paste loses the title's type: the document then opens with one short line,
    not a sentence, right before its first heading ('Argentina' / 'Territorial organization')."""
    if len(blocks) < 2 or not isinstance(blocks[0], Paragraph) or not isinstance(blocks[1], HeadingLine):
        return False
    if len(blocks[0].lines) != 1:
        return False
    text = blocks[0].lines[0].clean.text
    return (0 < len(text.split()) <= _MAX_TITLE_WORDS and text[:1].isupper() and text[-1] not in ".!?:;,"
            and not any(p.fullmatch(text, timeout=PATTERN_TIMEOUT) for p in rules.title_skip))


_MAX_TITLE_WORDS = 8  # 'Saint Vincent and the Grenadines', 'Country Profile: Bosnia and Herzegovina'
_SMALL_WORDS = {"and", "of", "the", "de", "da", "do", "du", "des", "la", "le", "del", "y", "et", "in", "for"}


def title_case(text: str) -> str:
    """"KAZAKHSTAN" -> "Kazakhstan"; "BOSNIA AND HERZEGOVINA" -> "Bosnia and Herzegovina"."""
    words = collapse(text).text.split(" ")
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in _SMALL_WORDS:
            out.append(lower)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))
    return " ".join(out)


# -- the tree ---------------------------------------------------------------------------
def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-") or "section"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def place_sections(blocks) -> tuple[Section, ...]:
    """Give each heading its level, parent and id; attach following paragraphs to it."""
    sections: list[Section] = []
    seen_ids: set[str] = set()
    pending: list[Paragraph] = []  # body text before the first heading
    # Each heading's blocks: its paragraphs follow it; its section is made once they are all in.
    groups: list[tuple[HeadingLine, list[Paragraph]]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            (groups[-1][1] if groups else pending).append(block)
        else:
            groups.append((block, []))
    for block, paragraphs in groups:
        level, parent = place(block, sections)
        section_id = unique_id(block.number or _join_id(parent, slugify(block.title)), seen_ids)
        sections.append(
            Section(
                section_id=section_id,
                number=block.number,
                title=block.title,
                key=block.key,
                level=level,
                parent_id=parent.section_id if parent else None,
                ordinal=len(sections),
                paragraphs=tuple(paragraphs),
                heading_markers=tuple(m.number for m in block.line.markers),
                heading_page=block.line.page,
                heading_lineno=block.line.lineno,
            )
        )
    if pending:
        intro = Section("introduction", None, "", None, 1, None, 0, tuple(pending), heading_page=pending[0].page)
        sections = [intro] + [_shift(s) for s in sections]
    return tuple(sections)


def _shift(section: Section) -> Section:
    return replace(section, ordinal=section.ordinal + 1)


def _join_id(parent: Section | None, slug: str) -> str:
    return f"{parent.section_id}/{slug}" if parent else slug


def unique_id(section_id: str, seen: set[str]) -> str:
    candidate, n = section_id, 2
    while candidate in seen:
        candidate, n = f"{section_id}-{n}", n + 1
    seen.add(candidate)
    return candidate


def place(block: HeadingLine, sections: list[Section]) -> tuple[int, Section | None]:
    """Level and parent of a heading, from its number, bullet, or known place."""
    if block.number is not None:
        level = block.number.count(".") + 1
        prefix = block.number.rsplit(".", 1)[0] if level > 1 else None
        parent = _last(sections, lambda s: s.number == prefix) if prefix else None
        if prefix and parent is None:
            parent = _last(sections, lambda s: s.level < level)
        return level, parent
    if block.bullet:
        parent = _last(sections, lambda s: s.level < 3 and (s.number is not None or s.parent_id is None))
        return (parent.level + 1 if parent else 1), parent
    if block.usual_number is not None:
        level = block.usual_number.count(".") + 1
        parent = _last(sections, lambda s: s.level < level) if level > 1 else None
        return level, parent
    if not any(s.number is not None for s in sections):
        return 1, None
    current = _last(sections, lambda s: s.level < 3)
    return (min(current.level + 1, 3) if current else 1), current


def _last(sections: list[Section], predicate) -> Section | None:
    return next((s for s in reversed(sections) if predicate(s)), None)

"""Lines to blocks: title, headings, paragraphs, table rows and scales, with heading depths."""
from __future__ import annotations

import unicodedata
from dataclasses import replace

from .model import (
    MAX_HEADING_WORDS,
    PARAGRAPH_GAP,
    SUP_SIZE,
    LayoutBlock,
    Body,
    TextLine,
    Token,
    Vocabulary,
    Word,
    group_rows,
    is_white,
)
from ..printed import LIST_ENUMERATOR, SENTENCE_END, section_number
from .scales import label_scale
from .tables import gap_tables
from .tokens import join_lines, line_tokens, token_text


def same_size(a: float, b: float) -> bool:
    """One type size, to 5% (half a point at 10 pt): relative, as every threshold of the
    reader is, so a report set in 8 pt or in 12 pt reads alike."""
    return abs(a - b) < 0.05 * max(a, b)


def letters(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens if t.marker is None)


def _upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0


def starts_with_bullet(line: TextLine, vocab: Vocabulary) -> bool:
    """A line opening with a bullet glyph: one from rules, or any lone symbol character."""
    return bullet_word(line.words[0].text if line.words else "", vocab)


def bullet_word(first: str, vocab: Vocabulary) -> bool:
    if not first:
        return False
    if first[0] in vocab.bullets:
        return True
    return len(first) == 1 and unicodedata.category(first).startswith("S")


def opens_item(line: TextLine, vocab: Vocabulary, above: list[Token] | None = None) -> bool:
    """A line opening a list item: a bullet, or an enumerator ('1.', 'a)', '(ii)') after
    text that ended (``above``: the paragraph before; 'SDGs 14 and' / '17. For the' is a
    sentence wrapped before a number, not an item)."""
    if starts_with_bullet(line, vocab):
        return True
    return bool(LIST_ENUMERATOR.match(line.text)) and (above is None or not ends_open(above))


def is_item(tokens: list[Token], vocab: Vocabulary) -> bool:
    """A paragraph that is a list item: its first word a bullet, or an enumerator opening it
    (a paragraph after a run-in head is judged by its own words, not its line's)."""
    words = [t.text for t in tokens if t.marker is None and t.text]
    return bool(words) and (bullet_word(words[0], vocab) or bool(LIST_ENUMERATOR.match(" ".join(words[:2]))))


def heading_like(line: TextLine, body: Body, vocab: Vocabulary) -> bool:
    """Bold or coloured apart from the body text, short, and set off: a band, a
    bigger size, capitals, a bullet, a section number or a known section name
    ("1.1 National coordination mechanisms" in bold at body size)."""
    words = line.lettered
    if not words or len(line.text) > 200:
        return False
    coloured = len({w.color for w in words}) == 1 and words[0].color != body.color and not is_white(body.color)
    if not (_all_bold(line) or coloured):
        return False
    return (line.band or line.size >= 1.1 * body.size or starts_with_bullet(line, vocab)
            or _upper_ratio(line.text) >= 0.6 or _names_a_section(line.text, vocab))


def _names_a_section(text: str, vocab: Vocabulary) -> bool:
    """'1.1 National coordination mechanisms', 'Monitoring': numbered and short, or a known section."""
    number, title = section_number(text)
    if number and len(title.split()) <= MAX_HEADING_WORDS and not SENTENCE_END.search(title):
        return True
    return vocab.headings is not None and vocab.headings.match(title) is not None


def page_blocks(lines: list[TextLine], body: Body, title_size: float | None, vocab: Vocabulary) -> list[LayoutBlock]:
    """Group a page's lines into headings, paragraphs, table rows and scales."""
    blocks: list[LayoutBlock] = []
    lines = gap_tables(_without_running_head(_below_title(lines, title_size), body))
    for i, line in enumerate(lines):
        prev = blocks[-1] if blocks else None
        if any(w.scale for w in line.words):
            blocks.append(LayoutBlock("scale", [], [line], line.page, scale=next(w.scale for w in line.words if w.scale)))
            continue
        if line.cells is not None:
            blocks.append(LayoutBlock("table", [], [line], line.page, cells=[_cell_tokens(c, vocab) for c in line.cells]))
            continue
        if prev is not None and prev.kind in ("para", "heading") and _lone_calls(line, prev.lines[-1], body):
            prev.tokens = prev.tokens + [Token("", marker=int(w.text), space_before=False) for w in line.words]
            prev.lines.append(line)
            continue
        kind = line_kind(line, prev, lines[i + 1:], body, title_size, vocab)
        if kind == "para" and prev is not None and prev.kind == "heading" and (scale := label_scale(line, line.page)):
            blocks.append(LayoutBlock("scale", [], [line], line.page, scale=scale))
        elif prev is not None and prev.kind == kind and _extends(prev, line, vocab):
            prev.tokens = join_lines(prev.tokens, line_tokens(line.words), vocab.keep_hyphen_prefixes, vocab.hyphens)
            prev.lines.append(line)
        else:
            blocks.append(LayoutBlock(kind, line_tokens(line.words), [line], line.page))
    return run_in_heads(blocks, vocab)


def run_in_heads(blocks: list[LayoutBlock], vocab: Vocabulary) -> list[LayoutBlock]:
    """A run-in head ('► In the VNR process' in bold, the comment going on on the same
    line) is a heading followed by its paragraph.

    The bold run at a paragraph's start is a head when it opens with a bullet or names
    a known section; a bold run opening the line right under a bullet heading that
    has not ended goes on that heading (a head wrapped onto a second line).
    """
    out: list[LayoutBlock] = []
    for b in blocks:
        lead = _bold_lead(b.tokens) if b.kind == "para" else 0
        if lead and lead < len(b.tokens):
            head, rest = b.tokens[:lead], b.tokens[lead:]
            prev = out[-1] if out else None
            if prev is not None and prev.kind == "heading" and _head_goes_on(prev, b, vocab):
                prev.tokens = join_lines(prev.tokens, head, vocab.keep_hyphen_prefixes, vocab.hyphens)
                b.tokens = [replace(rest[0], space_before=False)] + rest[1:]
            elif _opens_head(head, vocab):
                out.append(LayoutBlock("heading", head, b.lines[:1], b.page))
                b.tokens = [replace(rest[0], space_before=False)] + rest[1:]
        out.append(b)
    return out


def _bold_lead(tokens: list[Token]) -> int:
    """How many tokens the bold run opening ``tokens`` holds (its footnote calls included)."""
    n = 0
    while n < len(tokens) and (tokens[n].bold or tokens[n].marker is not None):
        n += 1
    return n if n and tokens[0].bold else 0


def _opens_head(head: list[Token], vocab: Vocabulary) -> bool:
    text = token_text(head, emphasis=False).text
    if text[:1] in vocab.bullets or (text[:1] and unicodedata.category(text[0]).startswith("S")):
        return True
    return vocab.headings is not None and vocab.headings.match(text.rstrip(":.").strip()) is not None


def _head_goes_on(heading: LayoutBlock, para: LayoutBlock, vocab: Vocabulary) -> bool:
    gap = vertical_gap(heading.lines[-1], para.lines[0])
    return (starts_with_bullet(heading.lines[0], vocab) and ends_open(heading.tokens)
            and gap is not None and gap <= PARAGRAPH_GAP * para.lines[0].size)



def _below_title(lines: list[TextLine], title_size: float | None) -> list[TextLine]:
    """The page without what is printed above the title: a kicker or the report's name
    ('SDG LOCALIZATION · COUNTRY PROFILE') is page furniture, not a section."""
    title = next((line for line in lines if title_size and same_size(line.size, title_size)), None)
    if title is None:
        return lines
    return [line for line in lines if line is title or line.bottom > title.top]


def _without_running_head(lines: list[TextLine], body: Body) -> list[TextLine]:
    """The page without a running head: its first line in small type, short, and set
    well apart from the text under it. (A head on every page is also dropped as
    furniture by its repetition; this finds one printed on a single page.)"""
    if len(lines) < 2:
        return lines
    first = min(lines, key=lambda line: line.top)
    below = [line for line in lines if line.top > first.bottom]
    gap = min(line.top for line in below) - first.bottom if below else 0
    small = first.size <= 0.9 * body.size and len(first.words) <= MAX_HEADING_WORDS
    if small and gap >= 1.5 * body.size and not SENTENCE_END.search(first.text):
        return [line for line in lines if line is not first]
    return lines


def _lone_calls(line: TextLine, above: TextLine, body: Body) -> bool:
    """Footnote calls wrapped alone onto the next line ('localization.' / '7'): a line of
    nothing but small digits right under a line of text. A call has no line of its own,
    so they end the line above."""
    gap = vertical_gap(above, line)
    return (gap is not None and gap <= body.size
            and all(w.text.isdigit() and len(w.text) <= 3 and w.size <= SUP_SIZE * body.size for w in line.words))


def vertical_gap(a: TextLine, b: TextLine) -> float | None:
    """White space from line ``a`` down to ``b`` when ``b`` sits under it; None across columns."""
    if a.page != b.page:
        return None
    if a.column == b.column or (min(a.x1, b.x1) > max(a.x0, b.x0) and b.top >= a.top):
        return b.top - a.bottom
    return None


def line_kind(line: TextLine, prev: LayoutBlock | None, following: list[TextLine], body: Body,
              title_size: float | None, vocab: Vocabulary) -> str:
    """title, heading or para, from size, boldness and the white space around the line."""
    if title_size and same_size(line.size, title_size):
        return "title"
    if prev is not None and prev.kind == "heading" and _bold_run_goes_on(prev.lines[-1], line):
        return "heading"
    if heading_like(line, body, vocab) and _set_apart(line, prev, following, body.size):
        return "heading"
    return "para"


def _extends(prev: LayoutBlock, line: TextLine, vocab: Vocabulary) -> bool:
    """Does ``line`` belong to the block above: the title or heading's next line, or the paragraph going on."""
    last = prev.lines[-1]
    gap = vertical_gap(last, line)
    if prev.kind in ("title", "heading"):
        return gap is not None and gap <= PARAGRAPH_GAP * line.size and same_size(last.size, line.size)
    return prev.kind == "para" and continues(prev, last, line, gap, vocab)


def _all_bold(line: TextLine) -> bool:
    words = line.lettered
    return bool(words) and all(w.bold for w in words)


def _bold_run_goes_on(prev: TextLine, line: TextLine) -> bool:
    """The next line of a bold block: right under it, same size, all bold."""
    gap = vertical_gap(prev, line)
    return (
        gap is not None and gap <= PARAGRAPH_GAP * line.size and line.cells is None
        and _all_bold(line) and same_size(prev.size, line.size)
    )


def _set_apart(line: TextLine, prev: LayoutBlock | None, following: list[TextLine], size: float) -> bool:
    """A body-size bold line is a heading only with white space around its bold run.

    Why: a paragraph may open with a whole line in bold; that line has regular
    text right under it, where a heading has a gap.
    """
    if line.band or line.size >= 1.1 * size:
        return True
    if prev is not None and prev.kind == "para":
        gap = vertical_gap(prev.lines[-1], line)
        if gap is not None and gap <= PARAGRAPH_GAP * line.size:
            return False
    last = line
    for nxt in following:
        if _bold_run_goes_on(last, nxt):
            last = nxt
            continue
        gap = vertical_gap(last, nxt)
        close = gap is not None and gap <= PARAGRAPH_GAP * 0.5 * last.size
        return not (close and nxt.cells is None and same_size(nxt.size, last.size))
    return True


def continues(prev: LayoutBlock, prev_line: TextLine, line: TextLine, gap, vocab: Vocabulary) -> bool:
    """Does ``line`` carry on the paragraph ``prev`` (same column, or the next column)?"""
    if opens_item(line, vocab, prev.tokens) or abs(prev_line.size - line.size) > 0.12 * line.size:
        return False
    if gap is not None:  # same column
        return gap <= PARAGRAPH_GAP * line.size and line.x0 >= prev_line.x0 - 0.8 * line.size
    return ends_open(prev.tokens) and prev_line.x1 >= prev_line.col_x1 - 0.3 * (prev_line.col_x1 - prev_line.col_x0)


def ends_open(tokens: list[Token]) -> bool:
    """A paragraph whose last word has no . ! ? : is a sentence still running."""
    words = [t for t in tokens if t.marker is None and t.text]
    return bool(words) and not SENTENCE_END.search(words[-1].text)


def _cell_tokens(words: tuple[Word, ...], vocab: Vocabulary) -> list[Token]:
    tokens: list[Token] = []
    for row in group_rows(words):
        tokens = join_lines(tokens, line_tokens(row), vocab.keep_hyphen_prefixes, vocab.hyphens)
    return tokens


def heading_depths(blocks: list[LayoutBlock], size: float, vocab: Vocabulary) -> None:
    """Markdown depth by heading style: band/biggest -> 2, other sizes -> 3, bullets -> 4."""
    styles = sorted(
        {(not b.lines[0].band, -round(b.lines[0].size * 2) / 2) for b in blocks
         if b.kind == "heading" and not starts_with_bullet(b.lines[0], vocab)}
    )
    for b in blocks:
        if b.kind == "title":
            b.depth = 1
        elif b.kind == "heading":
            if starts_with_bullet(b.lines[0], vocab):
                b.depth = 4
            else:
                rank = styles.index((not b.lines[0].band, -round(b.lines[0].size * 2) / 2))
                b.depth = 2 if rank == 0 else 3

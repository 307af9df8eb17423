"""Normalize: SourceDocument -> NormalizedDocument of clean lines.

Markup becomes data instead of characters: ``<sup>N</sup>`` becomes a Marker at
its position, ``**x**``/``*x*`` become Spans, links shrink to their URL, markdown
escapes are undone, and words broken at a line end are mended. Form feeds
count pages. Everything later reads lines, never markup.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .document import (
    Block,
    Figure,
    Line,
    Marker,
    NormalizedDocument,
    SourceDocument,
    Span,
)
from .printed import PRIVATE_USE, broken_word
from .rules import PATTERN_TIMEOUT, Rules

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# One inline token per alternative; the scanner copies text between tokens, trying the
# pattern only where one may open (``_inline_tokens``).
_INLINE = re.compile(
    r"""(?P<sup><sup>\s*\[?(?P<supnum>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]?\s*</sup>)
      | (?P<pandoc>\[\^(?P<pandocnum>\d{1,3})\] | (?<=\S)\^(?P<caretnum>\d{1,3})\^)
      | (?P<unisup>(?<=[^\sm\d⁰¹²³⁴⁵⁶⁷⁸⁹])[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}(?![⁰¹²³⁴⁵⁶⁷⁸⁹]))
      | (?P<image>!\[[^\]\n]*\]\([^)\n]*\))
      | (?P<link>\[(?P<label>[^\]\n]*)\]\((?P<target><[^>\n]+>|[^)\s]+(?:\([^)\s]*\)[^)\s]*)*)(?:\s+"[^"]*")?\))
      | (?P<auto><(?P<autourl>(?:https?|ftp)://[^>\s]+|www\.[^>\s]+)>)
      | (?P<bare>(?:https?|ftp)://[^\s<>()\[\]]+(?:\([^\s()]*\)[^\s<>()\[\]]*)*)
      | (?P<br><br\s*/?>)
      | (?P<htmlem></?(?:b|strong|i|em)>)
      | (?P<tag></?(?:sup|sub|span|u|b|i|em|strong|p|div|font|mark|small)\b[^>]*>)
      | (?P<esc>\\+(?P<escaped>[\\`*_{}\[\]()#+\-.!|<>~"']))
      | (?P<strong>\*\*|__(?=\S)|(?<=\S)__)
      | (?P<em>(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<![\w\\])_(?=[^\s_])|(?<=[^\s_])_(?!\w))
    """,
    re.VERBOSE,
)


# Plain-text exports carry no markup; only their marker conventions are read.
_TEXT_MARKERS = re.compile(
    r"""(?P<pandoc>\[\^(?P<pandocnum>\d{1,3})\])
      | (?P<unisup>(?<=[^\sm\d⁰¹²³⁴⁵⁶⁷⁸⁹])[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}(?![⁰¹²³⁴⁵⁶⁷⁸⁹]))
    """,
    re.VERBOSE,
)

_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# A footnote definition that opens a paragraph, pandoc's "[^4]: text" or a word
# processor's "<sup>4</sup> text", reads as the footnote line "4. text".
_NOTE_DEFINITION = re.compile(r"^\s{0,3}(?:\[\^(\d{1,3})\]:|<sup>\s*(\d{1,3})\s*</sup>)\s*(?=\S)")
# A markdown link whose text wraps onto the next line: "[VNR\n    2021](https://…)".
# Characters PDF fonts and exports leave in text that no rule should have to spell:
# ligature glyphs ('ﬁnancial'), invisible joiners and spaces, and the Unicode hyphens
# (U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN) that are the ASCII hyphen to a reader, so
# one line-end rule (``hyphen_stem``) mends 'decen‐' / 'tralization' whichever was printed.
_FOLD = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u2010": "-", "\u2011": "-",
})
_INNER_SOFT_HYPHEN = re.compile(r"\u00ad(?!\s*$)")
# Any character fold_text changes: a line without one (most lines with an accent or a
# curly quote) is returned as it is, without a translate that looks up every character.
_FOLDED = re.compile("[\u00ad" + "".join(chr(c) for c in _FOLD) + "]")


def fold_text(text: str) -> str:
    """Ligatures spelled out, invisible characters dropped, and soft hyphens too, but the
    one ending the text: there the typesetter broke a word (see ``hyphen_stem``)."""
    if text.isascii() or not _FOLDED.search(text):  # nearly every line: nothing to fold
        return text
    return _INNER_SOFT_HYPHEN.sub("", text).translate(_FOLD)


# A markdown pipe table: its rows become TAB-separated cells, as the PDF reader writes
# table rows, and the rule under its header goes; so do the dash rules of pandoc's
# simple tables (and any other line of dashes alone).
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*(:?-{3,}:?\s*)?$|^\s*-{3,}(\s+-{3,})*\s*$")
_CELL_PIPE = re.compile(r"(?<!\\)\|")


# An HTML table left in a markdown export: one row per line, cells as TABs, the frame lines go.
_HTML_TABLE_FRAME = re.compile(r"^\s*(?:</?(?:table|thead|tbody|tfoot|colgroup|col|caption)\b[^>]*>\s*)+$", re.IGNORECASE)
_HTML_ROW = re.compile(r"^\s*<tr\b[^>]*>(.*?)(?:</tr>)?\s*$", re.IGNORECASE)
_HTML_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)(?:</t[dh]>|(?=<t[dh]\b)|$)", re.IGNORECASE)


def _html_cells(line: str) -> str:
    """'<tr><td>6.1.1. Water</td><td>Urban</td></tr>' -> '6.1.1. Water<TAB>Urban'."""
    row = _HTML_ROW.match(line)
    if not row:
        return line
    return "\t".join(cell.strip() for cell in _HTML_CELL.findall(row.group(1)))


def _pipe_cells(line: str) -> str:
    """'| 6.1.1. Water | Urban | 43.5 |' -> '6.1.1. Water<TAB>Urban<TAB>43.5' (an empty cell stays empty)."""
    row = _TABLE_ROW.match(line)
    if not row:
        return line
    return "\t".join(cell.strip().replace("\\|", "|") for cell in _CELL_PIPE.split(row.group(1)))


_IMAGE_LINE = re.compile(r"^\s*!\[(?P<alt>[^\]\n]*)\]\([^)\n]*\)\s*$")
_WRAPPED_LINK = re.compile(r"\[([^\[\]\n]{0,200})\n[ \t]*([^\[\]\n]{0,200})\]\(")


# What no alternative of _INLINE (or _TEXT_MARKERS) can match without, nor an HTML entity
# ('&amp;'): a markup character, or a URL's scheme. The characters are a class alone, which
# the engine skips to in C; a pattern opening with a lookahead, or with a class among other
# alternatives, is tried at every position instead. A URL needs '://', looked for first.
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TOKEN_OPENS = "<[!*_\\^" + _SUPERSCRIPTS  # the characters an _INLINE token opens with, but for a URL's scheme
_MARKUP_CHARACTER = re.compile("[" + re.escape(_TOKEN_OPENS + ">]&") + "]")
_URL_SCHEME = re.compile(r"https?://|ftp://")
_MAY_HOLD_MARKER = re.compile("|".join([r"\[\^", *_SUPERSCRIPTS]))  # alternatives opening with a literal: skipped to in C too
# Where an _INLINE token may start: at one of its characters, or at a URL's scheme.
_TOKEN_CHARACTER = re.compile("[" + re.escape(_TOKEN_OPENS) + "]")
_TOKEN_OPENER = re.compile("|".join([*map(re.escape, _TOKEN_OPENS), _URL_SCHEME.pattern]))


def _may_hold_markup(text: str) -> bool:
    return bool(_MARKUP_CHARACTER.search(text)) or "://" in text and bool(_URL_SCHEME.search(text))


def _inline_tokens(text: str) -> Iterator[re.Match]:
    """The matches of ``_INLINE.finditer(text)``, found by trying the pattern only where a
    token may start (three times faster on a markdown paragraph): at a token character, or
    also at an 'h' or 'f' that opens a URL where the text holds one."""
    opens = _TOKEN_OPENER if "://" in text else _TOKEN_CHARACTER
    pos = 0
    while opener := opens.search(text, pos):
        token = _INLINE.match(text, opener.start())  # lookbehinds still see the text before
        if token:
            yield token
            pos = token.end()
        else:
            pos = opener.start() + 1


def parse_inline(text: str, markdown: bool = True) -> tuple[str, tuple[Marker, ...], tuple[Span, ...]]:
    """Strip inline markdown from one line, returning text, markers and emphasis spans.

    With ``markdown=False`` (plain-text exports) asterisks, underscores, brackets and
    backslashes are text; only marker conventions are read.
    """
    if not (_may_hold_markup(text) if markdown else _MAY_HOLD_MARKER.search(text)):
        return text, (), ()  # most lines: plain words, nothing to scan
    out: list[str] = []
    markers: list[Marker] = []
    spans: list[Span] = []
    open_at: dict[str, int] = {}
    pos = 0
    length = 0

    def emit(s: str) -> None:
        nonlocal length
        out.append(s)
        length += len(s)

    def _toggle(style: str) -> None:
        if style in open_at:
            start = open_at.pop(style)
            if length > start:
                spans.append(Span(start, length, style))
        else:
            open_at[style] = length

    for m in _inline_tokens(text) if markdown else _TEXT_MARKERS.finditer(text):
        emit(html.unescape(text[pos : m.start()]))
        pos = m.end()
        kind = m.lastgroup  # the alternative's group: it closes after any group inside it
        if kind == "sup":
            for number in _expand_numbers(m.group("supnum")):
                markers.append(Marker(length, number))
        elif kind == "pandoc":
            markers.append(Marker(length, int(m.group("pandocnum") or m.groupdict().get("caretnum"))))
        elif kind == "unisup":  # "Shymkent).¹": not after "m" ("km²" is an area)
            markers.append(Marker(length, int(m.group("unisup").translate(_SUPERSCRIPT_DIGITS))))
        elif kind == "link":
            target = m.group("target").strip("<>")
            # A link into the document itself (a table of contents: "[1.1 Monitoring](#heading=h.x)")
            # reads as its text; any other as its address.
            emit(parse_inline(m.group("label"))[0] if target.startswith("#") else _unescape_url(target))
        elif kind == "auto":
            emit(_unescape_url(m.group("autourl")))
        elif kind == "bare":  # "…/_inhalt.html": an underscore in a URL is no emphasis
            emit(_unescape_url(m.group("bare")))
        elif kind == "br":
            emit(" ")  # a forced line break inside a paragraph
        elif kind == "htmlem":  # <b>Lagos</b> is **Lagos**
            _toggle("bold" if m.group("htmlem").strip("</>") in ("b", "strong") else "italic")
        elif kind == "esc":
            emit(m.group("escaped"))
        elif kind in ("strong", "em"):
            _toggle("bold" if kind == "strong" else "italic")
        # "image" (an image inside a line) and "tag" print nothing
    emit(html.unescape(text[pos:]))
    return "".join(out), tuple(markers), tuple(sorted(spans, key=lambda s: (s.start, s.end)))


def _expand_numbers(spec: str) -> list[int]:
    """``"3"`` -> [3]; ``"3, 4"`` -> [3, 4]; ``"3-5"`` -> [3, 4, 5]."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", spec):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and int(bounds[0]) < int(bounds[1]) <= int(bounds[0]) + 10:
            numbers.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            numbers.extend(int(b) for b in bounds)
    return numbers


def _unescape_url(url: str) -> str:
    return _URL_ESCAPE.sub(r"\1", url) if "\\" in url else url  # most URLs escape nothing


_URL_ESCAPE = re.compile(r"\\+([_*\[\]()#.~-])")


def normalize(source: SourceDocument, rules: Rules) -> NormalizedDocument:
    """Turn the source into clean lines with markers, spans and page numbers: a text
    export's text (``text_lines``), or the blocks a PDF reader typed (``block_lines``)."""
    if source.blocks:
        return NormalizedDocument(source, block_lines(source.blocks))
    return text_lines(source, rules)


def block_lines(blocks: tuple[Block, ...]) -> tuple[Line, ...]:
    """A line per typed block, keeping its kind: the reader already removed the furniture
    (kept aside in its blocks), read markers and emphasis, and mended broken words."""
    lines = []
    for lineno, block in enumerate((b for b in blocks if b.kind != "furniture"), start=1):
        heading = block.kind in ("title", "heading")
        lines.append(Line(block.text, lineno, block.page, block.markers, block.spans,
                          (block.level or 1) if heading else None, block.kind,
                          int(block.number) if block.kind == "footnote" else None, block.continues))
    return tuple(lines)


def text_lines(source: SourceDocument, rules: Rules) -> NormalizedDocument:
    """Clean lines of a text or markdown export: markup read, furniture dropped, words mended."""
    pages: list[list[Line]] = [[]]
    with_pages = source.format == "pdf"
    markdown = source.format != "text"
    text = _WRAPPED_LINK.sub(r"[\1 \2](", source.text) if markdown else source.text
    opens_paragraph = True  # a definition counts after a blank line or another definition
    figures: list[Figure] = []
    bullets = rules.headings.bullet_chars
    for lineno, raw in physical_lines(text.split("\n"), bullets, rules.normalize.keep_hyphen_prefixes):
        if not raw:  # an empty line (a third of a profile's): what the steps below make of it
            pages[-1].append(Line("", lineno, len(pages) if with_pages else None))
            opens_paragraph = True
            continue
        for _ in range(raw.count("\f")):
            pages.append([])
        raw = bullet_item(fold_text(raw.replace("\f", "")), bullets)
        # Each line pattern below opens (after spaces) with one character, its "lead": on
        # most lines, prose, none is tried.
        lead = _lead(raw)
        image = _IMAGE_LINE.match(raw) if markdown and lead == "!" else None
        if image:  # a graphic, not text: its alt text is kept aside (ratings read it)
            figures.append(Figure(lineno, image.group("alt").strip()))
            raw = lead = ""
        if lead in _TABLE_LEADS and (_TABLE_RULE.match(raw) or _HTML_TABLE_FRAME.match(raw)):
            continue  # the |---|---| line under a pipe table's header; <table>, </tbody> ...
        if lead == "|":
            raw = _pipe_cells(raw)
            lead = _lead(raw)
        if lead == "<":
            raw = _html_cells(raw)
            lead = _lead(raw)
        depth = None
        heading = _HEADING.match(raw) if lead == "#" else None  # also in .txt: markdown saved as text keeps its "#"
        if heading:
            depth, raw = len(heading.group(1)), heading.group(2)
            lead = _lead(raw)
        definition = markdown and opens_paragraph and lead in _DEFINITION_LEADS and _NOTE_DEFINITION.match(raw)
        if definition:
            raw = f"{definition.group(1) or definition.group(2)}. " + raw[definition.end():]
        opens_paragraph = not lead or bool(definition)
        clean, markers, spans = parse_inline(raw.rstrip(), markdown)
        pages[-1].append(Line(clean, lineno, len(pages) if with_pages else None, markers, spans, depth))
    # The PDF reader removes furniture itself, from positions; text exports only have repetition.
    lines = [line for page in pages for line in page] if with_pages else drop_page_furniture(pages, rules.normalize)
    return NormalizedDocument(source, tuple(mend_hyphenation(lines, rules.normalize.keep_hyphen_prefixes)), tuple(figures))


def _lead(text: str) -> str:
    """The first character that is no space ('' for a blank line)."""
    return text.lstrip()[:1]


_TABLE_LEADS = frozenset("|:-<")  # _TABLE_RULE, _HTML_TABLE_FRAME
_DEFINITION_LEADS = frozenset("[<")  # _NOTE_DEFINITION


def physical_lines(lines: list[str], bullets: str, keep_prefixes: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line as a reader sees it: a pandoc grid table gives one
    line per row (``grid_rows``), and a bullet alone on its line opens the line below it."""
    i = 0
    while i < len(lines):
        bare = lines[i].strip(" \t\f")
        table = grid_rows(lines, i, keep_prefixes) if bare[:1] == "+" and _GRID_BORDER.match(lines[i]) else None
        if table:
            rows, i = table
            yield from rows
            continue
        if len(bare) == 1 and bare in bullets and i + 1 < len(lines) and lines[i + 1].strip():
            feeds = "\f" * lines[i].count("\f")
            yield i + 1, f"{feeds}{bare} {lines[i + 1].lstrip(' ')}"  # "▪" / "Almaty adopted" -> "▪ Almaty adopted"
            i += 2
            continue
        yield i + 1, lines[i]
        i += 1


# A pandoc grid table: '+' at every column edge of its borders ('=' under a header row),
# '|' between the cells of its rows, a cell's text wrapped over several lines.
_GRID_BORDER = re.compile(r"^[ \t\f]*\+(?:[-=:]+\+)+[ \t]*$")
_GRID_ROW = re.compile(r"^[ \t\f]*\|.*\|[ \t]*$")


def grid_rows(lines: list[str], start: int, keep_prefixes: frozenset[str]) -> tuple[list[tuple[int, str]], int] | None:
    """The rows of the grid table whose top border is ``lines[start]``, as TAB-separated
    cells (the pipe table's form), and the index after its last border; None when no row
    follows the border (a rule of '+' and '-' alone is no table)."""
    edges = [i for i, ch in enumerate(lines[start]) if ch == "+"]
    rows: list[tuple[int, str]] = []
    cells: list[list[str]] = []
    first = None
    feeds = lines[start].count("\f")
    i = start + 1
    while i < len(lines) and (_GRID_ROW.match(lines[i]) or _GRID_BORDER.match(lines[i])):
        feeds += lines[i].count("\f")
        if _GRID_BORDER.match(lines[i]):
            if first is not None:
                rows.append((first, "\f" * feeds + "\t".join(join_wrapped(c, keep_prefixes) for c in cells)))
                first, cells, feeds = None, [], 0
        else:
            for column, text in enumerate(_grid_cells(lines[i].replace("\f", ""), edges)):
                if column == len(cells):
                    cells.append([])
                cells[column].append(text)
            first = first or i + 1
        i += 1
    if first is not None:  # a table cut off before its last border
        rows.append((first, "\t".join(join_wrapped(c, keep_prefixes) for c in cells)))
    return (rows, i) if rows else None


def _grid_cells(line: str, edges: list[int]) -> list[str]:
    """One line of a grid row cut into its cells at the border's '+' columns, or at its
    '|' when a cell spans columns (its edge is then no '|')."""
    if all(e < len(line) and line[e] == "|" for e in edges):
        return [line[a + 1 : b] for a, b in pairwise(edges)]
    return _CELL_PIPE.split(line.strip().strip("|"))


def bullet_item(text: str, bullets: str) -> str:
    """A list item as '▶ text': the tab or spaces after its bullet ("\uf0b7<TAB>Almaty")
    become one space (a TAB would read as table cells). A private-use symbol glyph left
    inside a line ('… done. \uf0b7 Next') is a bullet with no text: it goes."""
    item = _ITEM.match(text) if _lead(text) in bullets else None
    if item and item.group(2) in bullets:
        text = f"{item.group(1)}{item.group(2)} {text[item.end():]}"
    return _PRIVATE_USE.sub("", text) if not text.isascii() and _HAS_PRIVATE_USE.search(text) else text


_ITEM = re.compile(r"^(\s*)(\S)[ \t]+(?=\S)")
_PRIVATE_USE = re.compile(rf"(?<=\S)[ \t]*[{PRIVATE_USE}]+")
_HAS_PRIVATE_USE = re.compile(rf"[{PRIVATE_USE}]")  # a class alone: searched in C, unlike the lookbehind


def drop_page_furniture(pages: list[list[Line]], rules) -> list[Line]:
    """Running headers, footers and page numbers of a paginated text export.

    Only lines at a page's edges are candidates: one that recurs (digits masked)
    at the edges of enough pages, or that is only a page number, is dropped.
    """
    if len(pages) < 2:
        return [line for page in pages for line in page]
    edges = [_edge_indexes(page, rules.furniture_edge_lines) for page in pages]
    seen = Counter(key for page, idx in zip(pages, edges) for key in {_masked(page[i]) for i in idx})
    repeated = {key for key, n in seen.items() if n >= max(2, rules.furniture_min_share * len(pages))}
    out = []
    for page, idx in zip(pages, edges):
        for i, line in enumerate(page):
            furniture = i in idx and (_masked(line) in repeated or any(
                p.fullmatch(line.clean.text, timeout=PATTERN_TIMEOUT) for p in rules.page_number))
            if not furniture:
                out.append(line)
    return out


def _edge_indexes(page: list[Line], count: int) -> set[int]:
    filled = [i for i, line in enumerate(page) if not line.is_blank]
    return set(filled[:count] + filled[-count:])


def _masked(line: Line) -> str:
    return _DIGITS.sub("#", line.clean.text.lower())


_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class HyphenEvidence:
    """What a document says about its own line-end hyphens (see ``keeps_hyphen``)."""

    text: str = ""  # what it prints, lower case, its lines (or words) one a line
    breaks_words: bool = True  # its typesetter hyphenates, so an unsure line-end hyphen is soft

    def prints(self, word: str) -> bool:
        """Whether it prints ``word`` (lower case) whole: a word or compound of its own, not
        a piece of a longer one. A search for the few words asked about, not a set of all."""
        return bool(self.text and word) and _whole(word).search(self.text) is not None


@lru_cache(maxsize=4096)
def _whole(word: str) -> re.Pattern:
    """``word`` as a whole word or compound (a run of letters, single hyphens inside): no
    letter, nor a letter and a hyphen, right before it; no letter, nor a hyphen and a
    letter, right after it. The word comes first and the look behind it after (fixed
    widths: the word's own), so the search jumps from one place the word is printed to the
    next instead of testing every position: thirty times faster on a profile."""
    w = re.escape(word)
    return re.compile(rf"{w}(?<![^\W\d_]{w})(?<![^\W\d_]-{w})(?!-?[^\W\d_])")


NO_EVIDENCE = HyphenEvidence()  # a piece of text too small to judge: the old convention, hyphenated


def keeps_hyphen(fragment: str, keep: frozenset[str], right: str = "", evidence: HyphenEvidence = NO_EVIDENCE) -> bool:
    """Whether "fragment-" at a line end is a real compound.

    The document decides first: a compound it prints whole elsewhere ("re-elected")
    keeps its hyphen, a word it prints whole without one ("decentralization") loses
    it. Otherwise the typesetter decides: one that never breaks words ends a line
    with a hyphen only where the text has one ("land-" + "use"); in a document that
    does, a listed word ("locally", "three", "inter") or ending ("-ly") keeps it
    unless the two parts make one English word ("inter-" + "mediate"), and any
    other hyphen goes.
    """
    word = fragment.lower()
    tail = _FIRST_WORD.match(right.lower()) if right else None
    if tail and evidence.text:
        if evidence.prints(f"{word}-{tail.group(0)}"):
            return True
        if evidence.prints(f"{word}{tail.group(0)}"):
            return False
    if not evidence.breaks_words:
        return True
    if _listed(word, keep):
        # A typesetter that breaks words breaks 'inter-mediate' too: a listed prefix
        # keeps its hyphen unless prefix and rest make one English word.
        return not (tail and is_word(word + tail.group(0)))
    return False


def _listed(word: str, keep: frozenset[str]) -> bool:
    return word in keep or any(k.startswith("-") and word.endswith(k[1:]) for k in keep)


def hyphen_evidence(texts: Iterable[str], keep: frozenset[str]) -> HyphenEvidence:
    """The evidence in lines of text (or words of a PDF): what they print, and whether a
    line ends in a piece of a word ("decen-", "munici-": no word of the lexicon), which
    shows the typesetter breaks words."""
    texts = list(texts)
    fragments = {f.lower() for t in texts if (f := broken_word(t.rstrip())) and f[0].islower()}
    breaks = any(t.rstrip().endswith("\u00ad") for t in texts) or any(
        len(f) >= MIN_FRAGMENT and not _listed(f, keep) and not is_word(f) for f in fragments)
    return HyphenEvidence("\n".join(texts).lower(), breaks)


MIN_FRAGMENT = 3  # 're-', 'e-': a two-letter piece is as often a prefix as a syllable


def is_word(text: str) -> bool:
    """Whether ``text`` (lower case) is an English word: pyspellchecker's list (~160,000
    words with their frequencies, in its wheel; loaded once, on first use)."""
    return text in _english_words()


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    # Imported late: only a document with a line-end hyphen needs the list.
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


_FIRST_WORD = re.compile(r"[^\W\d_]+")


def hyphen_stem(left: str, right: str, keep_prefixes: frozenset[str], evidence: HyphenEvidence = NO_EVIDENCE) -> str | None:
    """``left`` as it joins ``right`` when a word broke between them, else None.

    "decen-" + "tralization" -> "decen"; "locally-" + "led" -> "locally-" (a real
    compound, kept); before a capital or digit the hyphen is real and kept, with no space.
    """
    left = left.rstrip()
    if left.endswith("\u00ad") and right[:1].isalnum():
        return left[:-1]  # a soft hyphen says itself that a word was broken
    broken = broken_word(left)
    if not broken or not right[:1].isalnum():
        return None
    if not right[:1].islower():
        return left  # "North Rhine-" + "Westphalia", "Kazakhstan-" + "2050": a real hyphen, kept
    return left if keeps_hyphen(broken, keep_prefixes, right, evidence) else left[:-1]


def join_wrapped(parts: list[str], keep_prefixes: frozenset[str]) -> str:
    """Pieces of one text wrapped over lines, joined with spaces or mended where a word broke."""
    out = ""
    for part in (" ".join(p.split()) for p in parts):
        stem = hyphen_stem(out, part, keep_prefixes) if out else None
        out = stem + part if stem is not None else f"{out} {part}".strip()
    return out


def merge_broken_lines(
    line: Line, nxt: Line, keep_prefixes: frozenset[str], evidence: HyphenEvidence = NO_EVIDENCE
) -> Line | None:
    """The two lines as one when a word broke between them ("decen-" / "tralization"), else None.

    The continuation may be indented (layout-preserving text exports indent it).
    """
    right = nxt.text.lstrip()
    stem = hyphen_stem(line.text, right, keep_prefixes, evidence)
    if stem is None or line.heading_depth is not None or nxt.heading_depth is not None:
        return None
    if any(m.offset >= len(line.text.rstrip()) - 1 for m in line.markers):
        return None  # "word-<sup>3</sup>": a marker, not a break
    shift = len(stem) - (len(nxt.text) - len(right))
    return Line(
        stem + right,
        line.lineno,
        line.page,
        line.markers + tuple(Marker(m.offset + shift, m.number) for m in nxt.markers),
        line.spans + tuple(Span(s.start + shift, s.end + shift, s.kind) for s in nxt.spans),
        None,
    )


def mend_hyphenation(lines: list[Line], keep_prefixes: frozenset[str]) -> list[Line]:
    """Join a word broken at a line end ("decen-" / "tralization"); keep real compounds."""
    if not any(line.text.rstrip().endswith(("-", "\u00ad")) for line in lines):
        return list(lines)  # no line ends in a hyphen: nothing to mend, no evidence to gather
    evidence = hyphen_evidence((line.text for line in lines), keep_prefixes)
    out: list[Line] = []
    for line in lines:
        merged = merge_broken_lines(out[-1], line, keep_prefixes, evidence) if out else None
        if merged is not None:
            out[-1] = merged
        else:
            out.append(line)
    return out

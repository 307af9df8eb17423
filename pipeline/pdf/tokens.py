"""Lines to tokens (superscript markers, glued words, mended line-end breaks), and tokens to the
document model's plain text with markers and emphasis as offsets."""
from __future__ import annotations

import re
from dataclasses import replace

from ..document import CleanText, Marker, Span
from ..normalize import NO_EVIDENCE, HyphenEvidence, keeps_hyphen
from .model import (
    LINE_END_DASH,
    SUP_RISE,
    SUP_SIZE,
    SUPERSCRIPT_DIGITS,
    SUPERSCRIPT_TABLE,
    Token,
)
from ..printed import PRIVATE_USE, broken_word
from ..urls import breaks_url


def line_tokens(words, size: float | None = None) -> list[Token]:
    """Tokens of one line; small raised digits become markers, glued words stay glued."""
    words = [w for w in words if not w.scale]
    if not words:
        return []
    size = size or max(w.size for w in words)
    main = [w for w in words if w.size > SUP_SIZE * size] or words
    baseline = max(w.bottom for w in main)
    out: list[Token] = []
    prev = None
    for w in words:
        glued = prev is not None and w.x0 - prev.x1 <= 0.1 * size
        small_raised = w.size <= SUP_SIZE * size and w.bottom <= baseline - SUP_RISE * size
        lifted = glued and len(w.text) <= 3 and w.bottom <= baseline - 2 * SUP_RISE * size  # text rise, same size
        if (small_raised or lifted) and w.text.isdigit():
            out.append(Token("", marker=int(w.text), space_before=not glued and prev is not None))
        else:
            out.extend(_superscript_glyphs(Token(w.text, w.bold, w.italic, space_before=not glued)))
        prev = w
    return out


def _superscript_glyphs(token: Token) -> list[Token]:
    """A word ending in superscript digit characters ("them.⁴") as the word and its marker."""
    m = SUPERSCRIPT_DIGITS.search(token.text)
    if not m or m.start() == 0:
        return [token]
    number = int(m.group(0).translate(SUPERSCRIPT_TABLE))
    return [replace(token, text=token.text[: m.start()]), Token("", marker=number, space_before=False)]


def join_lines(
    a: list[Token], b: list[Token], keep: frozenset[str], evidence: HyphenEvidence = NO_EVIDENCE
) -> list[Token]:
    """Tokens of two lines of one paragraph, mending a word the line end broke.

    "decen-" + "tralization" joins without the hyphen; the hyphen stays when the
    left part is a keep-prefix ("locally-led") or the right part does not start
    lowercase ("Kazakhstan-2050"); a URL broken anywhere, even in its scheme, joins without a space (``breaks_url``).
    """
    if not a or not b:
        return a + b
    last, first = a[-1], b[0]
    if last.marker is None and first.marker is None and first.text:
        if breaks_url(last.text, first.text):
            return a[:-1] + _glue(last, last.text, first) + b[1:]
        if LINE_END_DASH.search(last.text) and first.text[0].isalnum():  # "2019–" / "2024": a range
            return a[:-1] + _glue(last, last.text, first) + b[1:]
        broken = broken_word(last.text)
        if broken and first.text[0].isalnum():
            drop = first.text[0].islower() and not keeps_hyphen(broken, keep, first.text, evidence)
            stem = last.text[:-1] if drop or last.text[-1] == "\u00ad" else last.text
            return a[:-1] + _glue(last, stem, first) + b[1:]
    return a + [replace(first, space_before=True)] + b[1:]


def _glue(last: Token, stem: str, first: Token) -> list[Token]:
    if (last.bold, last.italic) == (first.bold, first.italic):
        return [replace(last, text=stem + first.text)]
    return [replace(last, text=stem), replace(first, space_before=False)]


def token_text(tokens: list[Token], emphasis: bool = True) -> CleanText:
    """Tokens as plain text with markers and emphasis spans as offsets (the document model's
    form): a marker stands right after the word it follows, a span covers a run of bold
    (or italic) words and the spaces inside it. A symbol-font glyph inside a line (a
    bullet with no text, U+F0B7) goes; one opening the line is its bullet."""
    text: list[str] = []
    length = 0
    markers: list[Marker] = []
    open_at: dict[str, int] = {}
    spans: list[Span] = []
    word_end = 0

    def close(kind: str) -> None:
        start = open_at.pop(kind, None)
        if start is not None and word_end > start:
            spans.append(Span(start, word_end, kind))

    for t in tokens:
        if t.marker is not None:
            markers.append(Marker(word_end, t.marker))
            continue
        if not t.text or (text and _PRIVATE_USE_ONLY.fullmatch(t.text)):
            continue
        bold, italic = emphasis and t.bold, emphasis and t.italic
        if open_at:
            if not bold:
                close("bold")
            if not italic:
                close("italic")
        if t.space_before and text:
            text.append(" ")
            length += 1
        if bold and "bold" not in open_at:
            open_at["bold"] = length
        if italic and "italic" not in open_at:
            open_at["italic"] = length
        text.append(t.text)
        length += len(t.text)
        word_end = length
    for kind in ("bold", "italic"):
        close(kind)
    return CleanText("".join(text), tuple(markers), tuple(sorted(spans, key=lambda s: (s.start, s.end))))


_PRIVATE_USE_ONLY = re.compile(f"[{PRIVATE_USE}]+")

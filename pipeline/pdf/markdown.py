"""A markdown view of what the reader typed, for people and tests: ``#`` headings by level,
``**bold**``, ``<sup>N</sup>`` markers, each page's notes as ``N. text``, a form feed
between pages. No stage reads it: normalize takes the blocks themselves."""
from __future__ import annotations

from ..document import Block

_MARKS = {"bold": "**", "italic": "*"}


def blocks_markdown(blocks: tuple[Block, ...]) -> str:
    pages: dict[int | None, list[Block]] = {}
    for b in blocks:
        if b.kind != "furniture":
            pages.setdefault(b.page, []).append(b)
    out: list[str] = []
    had_notes = False
    for n, (page, page_blocks) in enumerate(pages.items()):
        parts: list[str] = []
        previous = None
        for b in page_blocks:
            text = _markdown(b)
            if previous is not None and previous.kind == b.kind == "table_row":
                parts[-1] += "\n" + text  # table rows stay one block, as in a text export
            else:
                parts.append(text)
            previous = b
        if n:
            out.append("\n\f" if page_blocks[0].continues and not had_notes else "\n\n\f")
        out.append("\n\n".join(parts))
        had_notes = any(b.kind == "footnote" for b in page_blocks)
    return "".join(out) + "\n"


def _markdown(b: Block) -> str:
    if b.kind in ("title", "heading"):
        return "#" * (b.level or 1) + " " + inline(b)
    if b.kind == "footnote":
        return f"{b.number}. {inline(b)}"
    return inline(b)


def inline(b: Block) -> str:
    """The block's text with its spans and markers written back as markup."""
    edits: dict[int, list[str]] = {}
    for sp in b.spans:  # closing marks first, then markers, then opening marks at one offset
        edits.setdefault(sp.end, []).insert(0, _MARKS[sp.kind])
    for m in b.markers:
        edits.setdefault(m.offset, []).append(f"<sup>{m.number}</sup>")
    opens: dict[int, list[str]] = {}
    for sp in b.spans:
        opens.setdefault(sp.start, []).append(_MARKS[sp.kind])
    out, pos = [], 0
    for offset in sorted(set(edits) | set(opens)):
        out.append(b.text[pos:offset])
        out.extend(edits.get(offset, []))
        out.extend(opens.get(offset, []))
        pos = offset
    out.append(b.text[pos:])
    return "".join(out).strip(" ")

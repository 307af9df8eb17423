"""Ratings: how far LRGs took part in the VNR process and in national coordination.

Each dimension is decided by the first source that has something to say (conflict rule
``mark_then_label_then_rubric``): a mark the PDF reader saw on the drawn scale; a label
printed in the section's text; the rubric of rules/ratings.yaml applied to the printed
"Comments:" text. The comment is reported whichever source decided.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .document import Outline, Paragraph, RatingMark, Section, join_lines
from .rules import RATING_LEVELS, RatingRules, Rules, bounded

COMMENT_RULES = "comment_rules"
LABEL = "label"


@dataclass(frozen=True)
class Rating:
    """One row of the contract's ``ratings`` table."""

    dimension: str
    level: str
    level_rank: int | None
    method: str
    comment: str | None
    evidence: str | None


@dataclass(frozen=True)
class Block:
    """Where one dimension is printed: a section, or a stretch of its parent."""

    where: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Comment:
    text: str
    lines: frozenset[tuple[int, int]]  # (paragraph, line) in the block: not read as labels


@dataclass(frozen=True)
class LabelMatch:
    level: str
    text: str  # the printed line, clean
    assigned: bool  # after a prefix ("Level of participation:") or a checked box


@dataclass(frozen=True)
class RubricMatch:
    rule_id: str
    level: str
    phrase: str
    order: int  # the rule's place in the rubric


def extract_ratings(outline: Outline, rules: Rules, marks: tuple[RatingMark, ...] = ()) -> tuple[Rating, ...]:
    """One rating per contract dimension, in the rules' order (vnr_process first)."""
    rating_rules: RatingRules = rules.ratings
    return tuple(
        rate_dimension(dimension, find_block(outline, key, rules), rating_rules, marks + figure_marks(outline, dimension, key, rating_rules))
        for dimension, key in rating_rules.dimensions
    )


def figure_marks(outline: Outline, dimension: str, key: str, rules: RatingRules) -> tuple[RatingMark, ...]:
    """The rating graphic of an export, an image whose alt text names a level
    ('![Level of participation: Weak](rating.png)'): read as a printed label."""
    section = outline.by_key(key)
    if section is None:
        return ()
    out = []
    for figure in outline.figures_of(section):
        found = match_label(figure.alt, rules)
        if found is not None:
            out.append(RatingMark(dimension, found.level, LABEL, f"image alt text '{figure.alt}'"))
    return tuple(out)


def rate_dimension(dimension: str, block: Block | None, rules: RatingRules, marks) -> Rating:
    """Apply ``mark_then_label_then_rubric`` to one dimension."""
    comment = find_comment(block, rules) if block else None
    comment_text = comment.text if comment else None
    mark = choose_mark(marks, dimension)
    if mark is not None:
        return _rating(dimension, mark.level, mark.method, comment_text, mark.evidence)
    label = choose_label(find_labels(block, comment, rules)) if block else None
    if label is not None:
        return _rating(dimension, label.level, LABEL, comment_text, label.text)
    if block is None:
        return _rating(dimension, "no_information", COMMENT_RULES, None, f"no section for {dimension} in the profile")
    if comment is None:
        return _rating(dimension, "no_information", COMMENT_RULES, None, f"no 'Comments:' text in {block.where}")
    decided = decide_comment(comment.text, rules)
    if decided is None:
        return _rating(dimension, "no_information", COMMENT_RULES, comment_text, "no rubric rule matched the comment")
    return _rating(dimension, decided.level, COMMENT_RULES, comment_text, f'rule {decided.rule_id}: "{decided.phrase}"')


def _rating(dimension, level, method, comment, evidence) -> Rating:
    if level not in RATING_LEVELS:
        raise ValueError(f"unknown rating level {level!r} for {dimension}")
    return Rating(dimension, level, RATING_LEVELS[level], method, comment, evidence)


# -- where the dimension is printed --------------------------------------------------
def find_block(outline: Outline, key: str, rules: Rules) -> Block | None:
    """The dimension's own section; else its sub-heading printed as a line in the parent."""
    section = outline.by_key(key)
    if section is not None:
        return Block(f"section {section.section_id}", section.paragraphs)
    parent_key = rules.ratings.fallback_section
    parent = outline.by_key(parent_key) if parent_key else None
    return inline_block(parent, key, rules) if parent is not None else None


def inline_block(parent: Section, key: str, rules: Rules) -> Block | None:
    """Paragraphs after an inline heading of ``key``, up to the next known heading."""
    headings = rules.headings
    start, body = None, []
    for i, paragraph in enumerate(parent.paragraphs):
        first = paragraph.lines[0].text.strip().lstrip(headings.bullet_chars).strip() if paragraph.lines else ""
        known = headings.match(first) if first else None
        if start is None and known is not None and known.key == key:
            start = i
            rest = paragraph.lines[1:]
            body = [Paragraph(rest)] if rest else []
        elif start is not None and known is not None:
            break
        elif start is not None:
            body.append(paragraph)
    if start is None:
        return None
    return Block(f"section {parent.section_id} (inline heading)", tuple(body))


# -- the comment ---------------------------------------------------------------------
def find_comment(block: Block, rules: RatingRules) -> Comment | None:
    """Text after "Comments:" to the end of its paragraph (or the next one when empty)."""
    for i, paragraph in enumerate(block.paragraphs):
        for j, line in enumerate(paragraph.lines):
            if bounded("search", rules.comment_prefix, line.text, "ratings: comment_prefix") is None:
                continue
            rest = join_lines(paragraph.lines[j:]).text
            found = bounded("search", rules.comment_prefix, rest, "ratings: comment_prefix")
            text = cut_boilerplate(rest[found.end():], rules)
            used = {(i, k) for k in range(j, len(paragraph.lines))}
            if not text and i + 1 < len(block.paragraphs):
                following = block.paragraphs[i + 1]
                text = cut_boilerplate(following.text, rules)
                used |= {(i + 1, k) for k in range(len(following.lines))}
            return Comment(text, frozenset(used)) if text else None
    return None


def cut_boilerplate(text: str, rules: RatingRules) -> str:
    """Drop "This assessment is based on ..." when an export ran it into the comment."""
    ends = [m.start() for p in rules.comment_end if (m := bounded("search", p, text, "ratings: comment_end"))]
    return text[: min(ends, default=len(text))].strip(" \t:-–—")


# -- printed labels ------------------------------------------------------------------
def find_labels(block: Block, comment: Comment | None, rules: RatingRules) -> list[LabelMatch]:
    """Lines outside the comment that are a scale label, bare or assigned."""
    skip = comment.lines if comment else frozenset()
    out = []
    for i, paragraph in enumerate(block.paragraphs):
        for j, line in enumerate(paragraph.lines):
            if (i, j) in skip:
                continue
            found = match_label(" ".join(line.text.split()), rules)
            if found is not None:
                out.append(found)
    return out


def match_label(text: str, rules: RatingRules) -> LabelMatch | None:
    """A whole line reading as one scale label, after an optional checked box or prefix;
    or a line of boxed labels with exactly one box checked."""
    labels = rules.labels
    boxed = checked_on_scale(text.strip(), rules)
    if boxed is not None:
        return boxed
    body, assigned = text.strip(), False
    for opener in (labels.checked, labels.prefix):
        found = bounded("search", opener, body, "ratings: labels") if opener is not None else None
        if found is not None and found.start() == 0:
            body, assigned = body[found.end():], True
    body = body.strip().rstrip(".")
    for level, patterns in labels.levels:
        if any(bounded("fullmatch", p, body, "ratings: labels") for p in patterns):
            return LabelMatch(level, text.strip(), assigned)
    return None


def checked_on_scale(text: str, rules: RatingRules) -> LabelMatch | None:
    """'☐ None ☐ Weak ☒ Mid/High': the one label after a checked box, when every label
    of the line stands after a box and only one box is checked."""
    labels = rules.labels
    if labels.checked is None or labels.unchecked is None:
        return None
    boxes = sorted([(m.start(), m.end(), True) for m in bounded("finditer", labels.checked, text, "ratings: labels")]
                   + [(m.start(), m.end(), False) for m in bounded("finditer", labels.unchecked, text, "ratings: labels")])
    if len(boxes) < 2 or boxes[0][0] != 0 or sum(ticked for _, _, ticked in boxes) != 1:
        return None
    for (_, end, ticked), nxt in zip(boxes, boxes[1:] + [(len(text), 0, False)]):
        if ticked:
            found = match_label(text[end : nxt[0]].strip(), rules)
            return LabelMatch(found.level, text, True) if found is not None else None
    return None


def choose_label(labels: list[LabelMatch]) -> LabelMatch | None:
    """Rule ``assigned_or_single_label``: an assigned label wins; bare lines only when they
    name one level (several levels on separate lines are the printed legend)."""
    assigned = [label for label in labels if label.assigned]
    if assigned:
        return assigned[0]
    levels = {label.level for label in labels}
    return labels[0] if len(levels) == 1 else None


# -- marks from the PDF reader ---------------------------------------------------------
def choose_mark(marks, dimension: str) -> RatingMark | None:
    """Rule ``graphic_then_first``: a drawn mark beats a highlighted label; else the first."""
    mine = [m for m in marks if m.dimension == dimension]
    return next((m for m in mine if m.method == "graphic"), mine[0] if mine else None)


# -- the rubric ----------------------------------------------------------------------
def decide_comment(comment: str, rules: RatingRules) -> RubricMatch | None:
    """The rubric on a comment: negating rules read the text, the others read it with
    every negated clause blanked (``no evidence of LRG involvement`` is not involvement)."""
    return first_rule_wins(rubric_matches(comment, rules))


def negated_clauses(text: str, rules: RatingRules) -> list[tuple[int, int]]:
    """Spans from each negating rule's match to the end of its clause."""
    spans = []
    for rule in (r for r in rules.rubric if r.negates):
        for pattern in rule.patterns:
            for found in bounded("finditer", pattern, text, f"ratings: rubric rule {rule.id}"):
                spans.append((found.start(), clause_end(text, found.end(), rules)))
    return spans


def clause_end(text: str, pos: int, rules: RatingRules) -> int:
    """Where the clause holding ``pos`` ends: a `scope_end`, or the first comma of a
    sentence that opens with a concession ("While X, Y")."""
    ends = [m.start() for p in rules.scope_end if (m := bounded("search", p, text, "ratings: scope_end", pos))]
    sentence_start = max(text.rfind(".", 0, pos), text.rfind(";", 0, pos)) + 1
    sentence = text[sentence_start:pos]
    if "," in text[pos:] and any(bounded("search", p, sentence, "ratings: concede") for p in rules.concessions):
        comma = text.find(",", pos)
        if "," not in sentence:  # only the comma that closes the conceding clause
            ends.append(comma)
    return min(ends, default=len(text))


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank the spans, keeping every offset."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def rubric_matches(text: str, rules: RatingRules) -> Iterator[RubricMatch]:
    """Candidates in rubric order: each rubric rule's first match (negating rules on
    ``text``, the others on it with every negated clause blanked, made when first needed);
    the phrase is read from ``text``. Lazy: the first candidate decides."""
    silenced = None
    for order, rule in enumerate(rules.rubric):
        if not rule.negates and silenced is None:
            silenced = mask(text, negated_clauses(text, rules))
        for pattern in rule.patterns:
            found = bounded("search", pattern, text if rule.negates else silenced, f"ratings: rubric rule {rule.id}")
            if found is not None:
                yield RubricMatch(rule.id, rule.level, _whole_words(text, found.start(), found.end()), order)
                break


def _whole_words(text: str, start: int, end: int) -> str:
    """The matched phrase, widened to whole words ("consult" -> "consulted")."""
    while end < len(text) and (text[end].isalnum() or text[end] in "-'’") and text[end - 1].isalnum():
        end += 1
    return " ".join(text[start:end].split())


def first_rule_wins(matches: Iterator[RubricMatch]) -> RubricMatch | None:
    """Rule ``first_rule_wins``: the earliest rule in the rubric that matched decides
    (``rubric_matches`` yields in rubric order, so later rules are never tried)."""
    return next(matches, None)

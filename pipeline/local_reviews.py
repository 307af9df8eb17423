"""Local reviews: the VLRs and VSRs a profile's VSR/VLR section says were presented.

Profiles list them freely ("Bogotá (2021 and 2023) and Medellín (2022)", "Buenos
Aires in 2019 and 2022", "The Council of Governors prepared VSRs in 2020 and 2024",
"Kaduna State followed in 2024 with a review"), so the section is read clause by
clause with the rules of rules/local_reviews.yaml:

1. ``clause_kind``: the kind a clause speaks of (its own VLR/VSR, else the kind named
   last before a bare "review", else the kind named earlier in its sentence);
2. ``is_not_done``: a clause saying no review was made, or one is only planned, or
   naming another document ("an SDG progress report") gives no rows;
3. ``find_names``: runs of capitalised words, with "the city of" and the like dropped;
4. ``pair_years``: a year right after a name ("Dakar in 2021", "Bogotá (2021)") is that
   place's; any other year of the clause goes to the clause's subject and the names
   coordinated with it.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from .document import FootnoteRef, Outline
from .rules import LocalReviewRules, Rules, bounded
from .sentences import sentence_bounds

SECTION_KEY = "local_reviews"
_WORD = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’-]*(?<![-'’])")
_MASK = "\x00"  # stands in for a review mention, so it is never part of a name


@dataclass(frozen=True)
class LocalReview:
    """One row of the ``local_reviews`` table (``country`` excluded)."""

    ordinal: int
    place: str
    kind: str
    year: int
    footnote: int | None
    evidence: str


@dataclass(frozen=True)
class LocalReviewResult:
    rows: tuple[LocalReview, ...] = ()
    warnings: tuple[str, ...] = ()  # a review's year that no place took


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str
    can_be_subject: bool  # not right after a preposition ("in Peru", "of Madhya Pradesh")


def extract_local_reviews(outline: Outline, rules: Rules, refs: tuple[FootnoteRef, ...] = ()) -> LocalReviewResult:
    """Reviews of the section keyed ``local_reviews``; none when it is absent or says there are none."""
    section = outline.by_key(SECTION_KEY)
    if section is None or not section.text:
        return LocalReviewResult()
    markers = sorted((r.char_offset, r.number) for r in refs if r.section_id == section.section_id)
    return read_reviews(section.text, rules.local_reviews, rules.normalize.abbreviations, markers)


def read_reviews(text: str, r: LocalReviewRules, abbreviations: frozenset[str], markers: list[tuple[int, int]]) -> LocalReviewResult:
    """The section's text read sentence by sentence, clause by clause; ``markers`` are the
    (offset, number) footnote markers of the section, in order."""
    rows: list[LocalReview] = []
    warnings: list[str] = []
    last_kind = None
    for start, end in sentence_bounds(text, abbreviations):
        sentence = text[start:end]
        sentence_kind = None
        for clause in split_clauses(sentence, r):
            mentions = kind_mentions(clause, r)
            kind = clause_kind(clause, mentions, last_kind, sentence_kind, r)
            if mentions:
                last_kind = sentence_kind = mentions[-1][2]
            if kind is None or is_not_done(clause, r):
                continue
            footnote = footnote_of(markers, start)
            pairs, placeless = pair_years(mask(clause, mentions, r), r)
            for place, year in pairs:
                rows.append(LocalReview(len(rows), place, kind, year, footnote, sentence))
            warnings += [f"local_reviews: no place for the {kind} of {year} in {clause.strip()!r}" for year in placeless]
    return LocalReviewResult(tuple(rows), tuple(warnings))


def split_clauses(sentence: str, r: LocalReviewRules) -> list[str]:
    """The sentence cut at ", and", ";" and ":" (rule ``clause_breaks``)."""
    cuts = [m.span() for m in bounded("finditer", r.clause_breaks, sentence, "local_reviews: clause_breaks")]
    bounds = [0] + [x for span in cuts for x in span] + [len(sentence)]
    return [sentence[a:b] for a, b in zip(bounds[::2], bounds[1::2]) if sentence[a:b].strip()]


def kind_mentions(clause: str, r: LocalReviewRules) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every VLR/VSR the clause names, in order."""
    found = [(m.start(), m.end(), kind) for kind, pattern in r.kinds.items()
             for m in bounded("finditer", pattern, clause, "local_reviews: kinds")]
    return sorted(found)


def clause_kind(clause: str, mentions, last_kind: str | None, sentence_kind: str | None, r: LocalReviewRules) -> str | None:
    """The clause's own kind; a bare "review" takes the kind named last before it; a clause
    naming no review (a list after a colon) takes the kind named earlier in its sentence."""
    if mentions:
        return mentions[0][2]
    if r.generic_review is not None and bounded("search", r.generic_review, clause, "local_reviews: generic_review"):
        return last_kind
    return sentence_kind


def is_not_done(clause: str, r: LocalReviewRules) -> bool:
    return any(bounded("search", p, clause, "local_reviews: not_done") for p in r.not_done)


def mask(clause: str, mentions, r: LocalReviewRules) -> str:
    """The clause with every review mention blanked out, offsets kept."""
    spans = [(s, e) for s, e, _ in mentions]
    if r.generic_review is not None:
        spans += [m.span() for m in bounded("finditer", r.generic_review, clause, "local_reviews: generic_review")]
    chars = list(clause)
    for s, e in spans:
        chars[s:e] = _MASK * (e - s)
    return "".join(chars)


def find_names(text: str, r: LocalReviewRules) -> list[Name]:
    """Runs of capitalised words ("Council of Governors", "Rio de Janeiro"), opening
    function words dropped ("In", "The"), a place prefix ("the city of") left outside."""
    words = list(_WORD.finditer(text))
    names: list[Name] = []
    i = 0
    while i < len(words):
        if not words[i].group()[0].isupper():
            i += 1
            continue
        run = [words[i]]
        j = i + 1
        while j < len(words):
            gap = text[run[-1].end():words[j].start()]
            if gap == " " and words[j].group()[0].isupper():
                run.append(words[j])
                j += 1
            elif (gap == " " and words[j].group() in r.name_joiners and j + 1 < len(words)
                  and text[words[j].end():words[j + 1].start()] == " " and words[j + 1].group()[0].isupper()):
                run += [words[j], words[j + 1]]
                j += 2
            else:
                break
        while run and run[0].group().lower() in r.not_names:
            run = run[1:]
        if run:
            start, end = run[0].start(), run[-1].end()
            names.append(Name(start, end, text[start:end], _can_be_subject(text, start, r)))
        i = j
    return names


_LAST_WORD = regex.compile(r"(\p{L}+)\s+(?:the\s+)?$", regex.IGNORECASE)


def _can_be_subject(text: str, start: int, r: LocalReviewRules) -> bool:
    """A name is a subject unless the word right before it (a `the` skipped) is a
    preposition; a place prefix ("the city of") does not count as one."""
    before = text[:start]
    if r.place_prefixes is not None and bounded("search", r.place_prefixes, before, "local_reviews: place_prefixes"):
        return True
    last = _LAST_WORD.search(before)
    return last is None or last.group(1).lower() not in r.not_subject_after


def pair_years(clause: str, r: LocalReviewRules) -> tuple[list[tuple[str, int]], list[int]]:
    """(place, year) pairs of one clause, in the order the years stand, and the years no place took."""
    names = find_names(clause, r)
    years = [(m.start(), int(m.group())) for m in bounded("finditer", r.year, clause, "local_reviews: year")]
    pairs: list[tuple[int, int, str, int]] = []
    taken: set[int] = set()
    for name in names:
        direct = bounded("match", r.direct_years, clause, "local_reviews: direct_years", name.end) if r.direct_years else None
        if direct is None:
            continue
        lo, hi = direct.span("years")
        for at, year in years:
            if lo <= at < hi:
                pairs.append((at, name.start, name.text, year))
                taken.add(at)
    rest = [(at, year) for at, year in years if at not in taken]
    subject = subject_names(clause, names) if rest else []
    pairs += [(at, name.start, name.text, year) for at, year in rest for name in subject]
    placeless = [year for _, year in rest] if not subject else []
    return [(place, year) for _, _, place, year in sorted(pairs)], placeless


_COORDINATION = regex.compile(r"\s*(?:,\s*)?(?:(?:and|&)\s+)?(?:the\s+)?", regex.IGNORECASE)


def subject_names(clause: str, names: list[Name]) -> list[Name]:
    """The clause's first name that can be a subject, and the names coordinated with it."""
    first = next((i for i, n in enumerate(names) if n.can_be_subject), None)
    if first is None:
        return []
    out = [names[first]]
    for name in names[first + 1:]:
        if not _COORDINATION.fullmatch(clause[out[-1].end:name.start]):
            break
        out.append(name)
    return out


def footnote_of(markers: list[tuple[int, int]], start: int) -> int | None:
    """The marker in the sentence, else the next one in the section (a source note often
    closes the paragraph), else none."""
    return next((number for offset, number in markers if offset >= start), None)

"""Cases: the items of "SPECIFIC PROJECTS AND CASES" and the places each one names.

An item is a paragraph of that section (the sections stage has already taken the
``▶`` bullet off; other bullets such as ``- `` are taken off here). A paragraph that
continues a sentence cut by a page break joins the item before it; a lead-in ending
in ``:`` and a lone "not applicable" statement are not items. Places are the bold
names of the item plus the GPE/LOC entities inside it, in order of appearance.
Names the entities miss count too when the profile never writes their words in lower
case: a name after 'in', 'with', 'across' ... ('works with Kehl'), and, in plain-text
inputs that lost their bold, the item's opening name and lists of names.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Iterable

import regex
from spacy.lang.en.stop_words import STOP_WORDS

from .document import Outline, Section
from .entities import PLACE_LABELS, Entity
from .printed import closes_text

CASES_KEY = "projects_and_cases"

# List markup left in the text: a bullet glyph, a dash or an item number, then a space.
_BULLET = regex.compile(r"^(?:[▶►▸▹•◦▪‣●■➢➤→*]\s*|[-–—]\s+|\(?\d{1,2}[.)]\s+)")
# A section that says it has nothing: "Not applicable.", "No information available.",
# "There is no reference to locally-led initiatives."
_NOTHING = regex.compile(
    r"^(?:not\s+applicable|n/?a\b|none\b|no\s+(?:specific\s+|local\s+)?"
    r"(?:information|data|reference|evidence|examples?|projects?|cases?|initiatives?|mention)\b"
    r"|there\s+(?:is|are|was|were)\s+no\b)",
    regex.IGNORECASE,
)
_NOTHING_MAX_WORDS = 30
# Words and single punctuation marks of an item, for finding names in plain text.
_WORD = regex.compile(r"[\p{L}\p{M}\p{Nd}'’-]+|\S")
_LOWER_WORD = regex.compile(r"\b[\p{Ll}][\p{L}\p{M}'’-]*")
# Lower-case particles inside place names: "São Bernardo do Campo", "Ciudad de México".
_NAME_PARTICLES = frozenset({"de", "do", "da", "dos", "das", "del", "la", "le", "di", "von", "van", "der"})
_LIST_JOINS = ([","], ["and"], ["or"], [",", "and"], [",", "or"])
# Words after which an unknown name in a case item is a place: "works with Kehl".
_PLACE_PREPOSITIONS = frozenset({"in", "with", "from", "near", "across", "between", "including"})
_TRIM = " \t,.;:"  # around a bold span: "**Almaty**," is the place "Almaty"


@dataclass(frozen=True)
class Case:
    """One row of the cases table (``country`` comes from the partition)."""

    ordinal: int
    places: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Item:
    """One case item: a stretch [start, end) of its section's clean text."""

    section: Section
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.section.text[self.start : self.end]


def extract_cases(outline: Outline, entities: Iterable[Entity]) -> tuple[Case, ...]:
    """The profile's example projects, each with the places it names, for per-place questions."""
    entities = tuple(entities)
    items = [item for section in case_sections(outline) for item in case_items(section)]
    lowercase, emphasis = lowercase_words(outline), has_emphasis(outline)
    return tuple(Case(i, item_places(item, entities, lowercase, emphasis), item.text) for i, item in enumerate(items))


def has_emphasis(outline: Outline) -> bool:
    """Whether the input kept bold at all (plain-text exports lose it)."""
    return any(span.kind == "bold" for s in outline.sections for span in s.clean.spans)


def lowercase_words(outline: Outline) -> frozenset[str]:
    """Words the profile writes in lower case somewhere: evidence they are not names."""
    return frozenset(chain.from_iterable(_LOWER_WORD.findall(s.text) for s in outline.sections))


def case_sections(outline: Outline) -> list[Section]:
    """Every section keyed ``projects_and_cases`` and its sub-sections, in order."""
    seen: dict[str, Section] = {}
    for section in outline.sections:
        if section.key == CASES_KEY and section.section_id not in seen:
            seen.update((s.section_id, s) for s in outline.subtree(section.section_id))
    return list(seen.values())


def case_items(section: Section) -> list[Item]:
    """Paragraphs as items: bullets cut off, broken paragraphs joined, lead-ins and 'nothing' dropped."""
    items: list[Item] = []
    for start, end in section.paragraph_ranges():
        text = section.text[start:end]
        bullet = _BULLET.match(text)
        if bullet:
            start += bullet.end()
        if start >= end:
            continue
        if items and not bullet and continues(items[-1].text, section.text[start:end]):
            items[-1] = Item(section, items[-1].start, end)
        else:
            items.append(Item(section, start, end))
    items = [item for item in items if not item.text.rstrip().endswith(":")]
    if len(items) == 1 and says_nothing(items[0].text):
        return []
    return items


def continues(previous: str, text: str) -> bool:
    """A paragraph continues the one before when that one stops mid-sentence or this one
    starts in lower case (a page break cut it)."""
    return text[:1].islower() or not closes_text(previous)


def says_nothing(text: str) -> bool:
    return len(text.split()) <= _NOTHING_MAX_WORDS and bool(_NOTHING.match(text.strip()))


def item_places(
    item: Item, entities: tuple[Entity, ...], lowercase: frozenset[str] = frozenset(), emphasis: bool = True
) -> tuple[str, ...]:
    """Bold names, ``unknown_names`` no entity or bold name covers, then place entities not
    inside a listed name; exact duplicates dropped, in order of first appearance."""
    sid = item.section.section_id
    mine = [e for e in entities if e.section_id == sid and item.start <= e.start and e.end <= item.end]
    names = [b for b in bold_names(item) if is_place_name(b, mine)] if emphasis else []
    covered = names + [(e.start, e.end, e.text) for e in mine]
    names += [u for u in unknown_names(item, lowercase, emphasis) if not _overlaps_any(u, covered)]
    places = [(e.start, e.end, e.text) for e in mine if e.label in PLACE_LABELS]
    found = sorted(names + [p for p in places if not _overlaps_any(p, names)])
    out: list[str] = []
    for _, _, text in found:
        if text not in out:
            out.append(text)
    return tuple(out)


def _overlaps_any(span: tuple[int, int, str], others: list[tuple[int, int, str]]) -> bool:
    return any(span[0] < o[1] and o[0] < span[1] for o in others)


def bold_names(item: Item) -> list[tuple[int, int, str]]:
    """Bold spans inside the item, trimmed of spaces and punctuation: (start, end, text)."""
    out = []
    for span in item.section.clean.spans:
        if span.kind != "bold":
            continue
        start, end = max(span.start, item.start), min(span.end, item.end)
        raw = item.section.text[start:end]
        text = raw.strip(_TRIM)
        if text:
            start += len(raw) - len(raw.lstrip(_TRIM))
            out.append((start, start + len(text), text))
    return out


def unknown_names(item: Item, lowercase: frozenset[str], emphasis: bool) -> list[tuple[int, int, str]]:
    """Names made of words the profile never writes in lower case (and no acronyms):
    after a place preposition ('works with Kehl'), with the rest of their list; and,
    without bold, the name opening the item ('Asker merged ...') and every list of names
    ('... with Røyken and Hurum')."""
    found = _WORD.finditer(item.text)
    words = [(m.start() + item.start, m.end() + item.start, m.group()) for m in found]
    runs = _name_runs(words, lowercase)
    groups: list[list[tuple[int, int, int, int]]] = []
    for run in runs:
        if groups and _between(words, groups[-1][-1], run) in _LIST_JOINS:
            groups[-1].append(run)
        else:
            groups.append([run])
    chosen = {run for g in groups if _after_preposition(words, g[0]) for run in g}
    if not emphasis:
        chosen |= {run for run in runs if run[0] == item.start}
        lists = [g for g in groups if len(g) > 1 and _between(words, g[-2], g[-1])[-1] in ("and", "or")]
        chosen |= {run for g in lists for run in g}
    chosen = {run for run in chosen if not _before_number(words, run)}
    return [(start, end, item.section.text[start:end]) for start, end, _, _ in sorted(chosen)]


def _after_preposition(words, run) -> bool:
    return run[2] > 0 and words[run[2] - 1][2] in _PLACE_PREPOSITIONS


def _before_number(words, run) -> bool:
    """'Article 115', 'Goal 11': a name followed by a number is a reference, not a place."""
    return run[3] + 1 < len(words) and words[run[3] + 1][2][:1].isdigit()


def _between(words, left, right) -> list[str]:
    """The words between two runs, lower-cased: [","], ["and"] ..."""
    return [w[2].lower() for w in words[left[3] + 1 : right[2]]]


def _name_runs(words, lowercase: frozenset[str]) -> list[tuple[int, int, int, int]]:
    """Runs of name words (particles allowed inside): (start, end, first index, last index)."""
    runs, first, last = [], None, None
    for i, (_, _, word) in enumerate(words):
        if _is_name_word(word, lowercase):
            first, last = (i if first is None else first), i
        elif first is not None and word in _NAME_PARTICLES and _is_name_word(_word_at(words, i + 1), lowercase):
            continue
        elif first is not None:
            runs.append((words[first][0], words[last][1], first, last))
            first = last = None
    if first is not None:
        runs.append((words[first][0], words[last][1], first, last))
    return runs


def _is_name_word(word: str, lowercase: frozenset[str]) -> bool:
    """Capitalised, never written in lower case in the profile, no stop word ('The') and no
    acronym ('KS', 'U4SSC')."""
    lower = word.lower()
    if not word[:1].isupper() or lower in lowercase or lower in STOP_WORDS:
        return False
    return not any(_is_acronym(part) for part in word.split("-"))


def _word_at(words, i: int) -> str:
    return words[i][2] if i < len(words) else ""


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 2 >= len(letters)


def is_place_name(bold: tuple[int, int, str], entities: list[Entity]) -> bool:
    """A bold span names a place when it reads like a name and the entities do not call it
    something else ('**SDG Coordination Council**' is an ORG, '**localization**' no name).
    Bold on part of a longer name marks that part: '**Greater ABC** Intermunicipal Consortium'."""
    start, end, text = bold
    words = text.split()
    if not text[:1].isupper() or sum(w[:1].isupper() for w in words) * 2 < len(words):
        return False
    touching = [e for e in entities if e.start < end and start < e.end
                and not (e.start <= start and end <= e.end and e.end - e.start > end - start)]
    return not touching or any(e.label in PLACE_LABELS for e in touching)

"""VNR years and SDG priorities: which reviews a profile discusses, and the goals they singled out.

A year counts only where the text ties it to a VNR ("the 2022 VNR", "VNR, 2019, p. 137");
a goal list counts only in a sentence that speaks of priorities, and takes the year
nearest to it in its clause (rule ``nearest_year_same_clause``).
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from .document import Footnote, Outline
from .rules import PriorityRules, Rules, VnrRules, bounded
from .sentences import sentence_bounds

_URL = regex.compile(r"(?:https?://|www\.)\S+", regex.IGNORECASE)
_NUMBER = regex.compile(r"(?<![\d.])(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?(?!\d)")
_PARENTHETICAL = regex.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class SdgPriority:
    """One row of the contract's ``sdg_priorities`` table."""

    year: int
    sdg: int


@dataclass(frozen=True)
class YearMention:
    year: int
    phrase: str
    start: int  # offset of the phrase in the text searched


@dataclass(frozen=True)
class GoalList:
    """A candidate list of goals in one sentence: ``start``/``end`` are offsets in it."""

    start: int
    end: int
    goals: tuple[int, ...]


# -- VNR years --------------------------------------------------------------------------
def extract_vnr_years(outline: Outline, rules: Rules, footnotes: tuple[Footnote, ...] = ()) -> tuple[int, ...]:
    """Years of the VNRs the profile discusses, in headings, body text and footnotes."""
    return add_footnote_years(section_vnr_years(outline, rules), footnotes, rules)


def section_vnr_years(outline: Outline, rules: Rules) -> tuple[int, ...]:
    """Years of the VNRs the profile's headings and body text discuss (what the SDG
    priorities fall back on; the profile row adds the footnotes' with ``add_footnote_years``)."""
    return _mentioned_years([t for s in outline.sections for t in (s.title, s.text)], rules.vnrs)


def add_footnote_years(years: tuple[int, ...], footnotes: tuple[Footnote, ...], rules: Rules) -> tuple[int, ...]:
    return tuple(sorted(set(years) | set(_mentioned_years([f.text for f in footnotes], rules.vnrs))))


def _mentioned_years(texts: list[str], vnr: VnrRules) -> tuple[int, ...]:
    return tuple(sorted({m.year for text in texts for m in vnr_year_mentions(text, vnr)}))


def vnr_year_mentions(text: str, rules: VnrRules) -> list[YearMention]:
    """Every plausible year a VNR pattern ties to a review, URLs blanked first."""
    text = _blank_urls(text)
    if not _may_hold_year(text, rules):
        return []  # no window of a text without a year holds one (most titles, many sections)
    out = []
    for start, window in _cue_windows(text, rules):
        if not _may_hold_year(window, rules):
            continue  # a mention counts only the years in it (``_years_in``): a window without one has none
        for pattern in rules.mentions:
            for found in bounded("finditer", pattern, window, "vnrs: vnr_mentions"):
                for year in _years_in(found.group("years"), rules):
                    out.append(YearMention(year, " ".join(found.group().split()), start + found.start()))
    return sorted(set(out), key=lambda m: (m.start, m.year))


def _blank_urls(text: str) -> str:
    """URLs as spaces of the same length. Most texts hold none: a URL needs "://" or "www."
    (no other character folds to 'w'), and looking for those costs far less than the pattern."""
    if "://" not in text and "ww." not in text.lower():
        return text
    return _URL.sub(lambda m: " " * len(m.group()), text)


def _cue_windows(text: str, rules: VnrRules) -> list[tuple[int, str]]:
    """Stretches of text around each VNR cue, merged: the mention patterns are slow on whole sections."""
    spans: list[list[int]] = []
    for cue in bounded("finditer", rules.mention_cue, text, "vnrs: mention_cue"):
        lo, hi = max(0, cue.start() - rules.cue_window), min(len(text), cue.end() + rules.cue_window)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(lo, text[lo:hi]) for lo, hi in spans]


def _years_in(text: str, rules: VnrRules) -> list[int]:
    years = [int(y) for y in _FOUR_DIGITS.findall(text)]
    return [y for y in years if rules.min_year <= y <= rules.max_year]


_FOUR_DIGITS = regex.compile(r"(?<!\d)\d{4}(?!\d)")
_DIGIT_RUN = regex.compile(r"\d{4,}")


def _may_hold_year(window: str, rules: VnrRules) -> bool:
    """Whether any four digits in a row in the window (a mention's ``years`` may start or
    end inside a longer run) make a year ``_years_in`` would take."""
    return any(rules.min_year <= int(run[i : i + 4]) <= rules.max_year
               for run in _DIGIT_RUN.findall(window) for i in range(len(run) - 3))


# -- SDG priorities ---------------------------------------------------------------------
def extract_sdg_priorities(
    outline: Outline, rules: Rules, known: tuple[int, ...] | None = None
) -> tuple[SdgPriority, ...]:
    """The SDGs a VNR singled out, one row per (year, goal), sorted. ``known``: the years of
    ``section_vnr_years``, when the caller has them already."""
    vnr: VnrRules = rules.vnrs
    known = section_vnr_years(outline, rules) if known is None else known
    rows: set[SdgPriority] = set()
    for section in outline.sections:
        sentences = [section.text[start:end] for start, end in sentence_bounds(section.text, rules.normalize.abbreviations)]
        for i, sentence in enumerate(sentences):
            if not _DIGIT.search(sentence):
                continue  # a goal list's goals are digits (``goal_numbers``): without one, no list
            lists = goal_lists(sentence, vnr.priorities)  # rarer than a cue, and found faster
            if lists and any(bounded("search", cue, sentence, "vnrs: priorities.cues") for cue in vnr.priorities.cues):
                for goals in lists:
                    year = nearest_year(sentence, goals, vnr) or fallback_year(_before(sentences, i), known, vnr)
                    if year is not None:
                        rows.update(SdgPriority(year, goal) for goal in goals.goals)
    return tuple(sorted(rows, key=lambda r: (r.year, r.sdg)))


_DIGIT = regex.compile(r"\d")  # what ``_NUMBER`` needs at least once


def _before(sentences: list[str], i: int) -> str:
    """The section's sentences before the i-th, each after a space: the fallback's text."""
    return "".join(" " + sentence for sentence in sentences[:i])


def goal_lists(sentence: str, rules: PriorityRules) -> list[GoalList]:
    """Labelled goal lists and bare lists in a comparison, minus lists of indicators/targets."""
    out = []
    for pattern in rules.goal_lists + rules.comparison_lists:
        for found in bounded("finditer", pattern, sentence, "vnrs: priorities.lists"):
            start, end = found.span("list")
            if rules.not_goals is not None and bounded("match", rules.not_goals, sentence, "vnrs: not_goals", end):
                continue
            goals = goal_numbers(found.group("list"))
            if goals:
                out.append(GoalList(start, end, goals))
    return out


def goal_numbers(text: str) -> tuple[int, ...]:
    """Goal numbers of a printed list; "1-5" is a range; goal names in parentheses dropped."""
    text = _PARENTHETICAL.sub(lambda m: " " * len(m.group()), text)
    goals = []
    for found in _NUMBER.finditer(text):
        first = int(found.group(1))
        last = int(found.group(2)) if found.group(2) else first
        goals.extend(range(first, last + 1) if first <= last else (first, last))
    return tuple(dict.fromkeys(g for g in goals if 1 <= g <= 17))


def nearest_year(sentence: str, goals: GoalList, rules: VnrRules) -> int | None:
    """Rule ``nearest_year_same_clause``: the closest year in the list's parenthetical
    clause if there is one there, else the closest in the sentence; horizons excluded."""
    horizons = [m.span() for m in bounded("finditer", rules.priorities.horizon, sentence, "vnrs: priorities.horizon")] if rules.priorities.horizon else []
    candidates = []
    for found in bounded("finditer", rules.priorities.year, sentence, "vnrs: priorities.year") if rules.priorities.year else []:
        year = int(found.group())
        if not rules.min_year <= year <= rules.max_year or any(a <= found.start() < b for a, b in horizons):
            continue
        distance = goals.start - found.end() if found.end() <= goals.start else found.start() - goals.end
        same_clause = _clause(sentence, found.start()) == _clause(sentence, goals.start)
        candidates.append((not same_clause, max(distance, 0), found.start() > goals.start, year))
    return min(candidates)[3] if candidates else None


def fallback_year(before: str, known: tuple[int, ...], rules: VnrRules) -> int | None:
    """No year in the sentence: the VNR year named last earlier in the section, else the
    profile's only VNR year."""
    earlier = vnr_year_mentions(before, rules)
    if earlier:
        return max(earlier, key=lambda m: (m.start, m.year)).year
    return known[0] if len(known) == 1 else None


def _clause(text: str, offset: int) -> int:
    """Opening offset of the innermost parenthesis around ``offset`` (-1 outside any)."""
    stack = []
    for i, ch in enumerate(text[:offset]):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            stack.pop()
    return stack[-1] if stack else -1

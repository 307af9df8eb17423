"""Admin units: the counts of subnational units a profile's territorial organization states.

Profiles word these facts freely ("divided into 17 regions (oblasts)", "5 570
municipalities", "eleven counties (fylker)", "first tier: 34 provinces; second
tier: ..."), so the stage reads the shape of each statement and decides with
named rules, all driven by rules/admin_units.yaml (the README's "Admin units"
section states them):

1. ``find_count_candidates``: every number of a sentence, with the noun phrase
   read after it: a listed unit noun, else any noun phrase in a territorial
   sentence (``read_generic_phrase``, spaCy's tokenizer); ``reject_reason`` says
   why a number is no unit count (``not_counts``, ``not_unit_nouns``);
2. ``share_coordinated_head``: counts of one list that stop before their noun
   take the noun of the list's last count ("six metropolitan, 109 municipal and
   146 district assemblies");
3. ``adopt_earlier_unit``: a count with no noun of its own reads one the
   sentence names ("48 of the 50 states", "of which there are eleven");
4. ``find_parents``: parts and subsets (``part_of``) and totals (``is_total``);
5. ``place_tiers``: the tier, from cues, divisions, the noun and the order of
   tiers.

``state_structure`` and ``subnational_tiers`` take the first statement in the
section (``first_in_text``).
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from dataclasses import dataclass

import regex
import spacy
from spacy.tokenizer import Tokenizer
from spacy.vocab import Vocab

from .document import Outline, Section, Span
from .errors import ExtractionTimeout
from .rules import ADMIN_TIERS, PATTERN_TIMEOUT, AdminUnitRules
from .rules.admin_units import NotCountRule
from .rules.core import alternation
from .sentences import sentence_bounds

SECTION_KEY = "territorial_organization"
_INT32_MAX = 2**31 - 1
_YEARS = (1800, 2100)
_PLAIN_DIGITS = regex.compile(r"\d+")
# Fixed patterns called on each count, phrase or unit (compiled once: a module-level
# ``regex.sub(pattern, ...)`` looks its pattern up again, several microseconds a call).
_NOT_DIGIT = regex.compile(r"\D")
_DIGIT = regex.compile(r"\d")
_LIST_GOES_ON = regex.compile(r"\s*(?:,|and\b|or\b|&)", regex.IGNORECASE)
_WORD_START = regex.compile(r"(?<!\S)\S")
_CLOSING_PAREN = regex.compile(r"\s*\)")
_SUBJECT_WORD = regex.compile(r"[^\W\d_][\w-]*")

# The words after a count: quotes are see-through, other punctuation ends the phrase.
_TOKEN = regex.compile(r"\s*(?:(?P<quote>[\"“”„‘’'«»])|(?P<word>[^\W\d_](?:[\w’'-]*[^\W_])?)|(?P<other>\S))")
_QUOTES = regex.compile(r"[\"“”„‘’«»]")
_PARENTHESIS = regex.compile(r"[\s\"”’»]*\((?P<content>[^()]*)\)")
_LIST_SPLIT = regex.compile(r"\s*(?:[,;&]|\band\b)\s*")
_TERM_SPLIT = regex.compile(r"\s*(?:[,;&/]|\band\b|\bor\b)\s*")


@dataclass(frozen=True)
class AdminUnit:
    """One row of the contract's ``admin_units`` table (``country`` excluded)."""

    tier: str | None
    tier_rank: int | None
    unit_type: str
    local_term: str | None
    count: int
    qualifier: str | None
    named_members: tuple[str, ...]
    footnotes: tuple[int, ...]
    evidence: str
    ordinal: int = 0  # document order; with country, the row's key
    part_of: int | None = None  # ordinal of the row this count is a part or subset of
    is_total: bool = False  # a total that other rows break down, or a count over several tiers


@dataclass(frozen=True)
class AdminUnitResult:
    rows: tuple[AdminUnit, ...] = ()
    state_structure: str | None = None  # unitary | federal
    subnational_tiers: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    footnotes: tuple[int, ...] = ()


@dataclass(frozen=True)
class UnitPhrase:
    """The unit a count counts: offsets are into the section text."""

    start: int
    head_start: int
    end: int  # after the noun and its complement
    extent_end: int  # after a following parenthesis, if any
    unit_type: str
    noun_tier: str | None
    local_term: str | None = None
    named_members: tuple[str, ...] = ()
    head_end: int | None = None  # after the noun, before its complement
    plural: bool = True  # the head noun's form
    shared_end: int | None = None  # a shared head: where the list's last unit ends (its trailing cue)
    head_tier: str | None = None  # the head noun's tier when a complement unplaced it: the last resort


@dataclass(frozen=True)
class CountCandidate:
    """A number in a sentence, what follows it, and why it is not a unit count (if so)."""

    start: int
    end: int
    printed: str
    count: int
    qualifier: str | None
    phrase: UnitPhrase | None
    reason: str | None  # None: a unit count
    sentence: Sentence
    adopted: bool = False  # no unit of its own: counts the unit of the count before it ("5 of which")
    subset_of_next: bool = False  # "48 of the 50 states": a subset of the count after it


@dataclass(frozen=True)
class Conjunct:
    """A count of a list and the words it has of its own before the next link."""

    index: int  # into the candidates
    words: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Coordination:
    """Counts joined by list links; only the last one ("146 district assemblies") has its noun."""

    conjuncts: tuple[Conjunct, ...]
    last: int  # index of the count that has the unit noun
    last_link_is_conjunction: bool


@dataclass(frozen=True)
class TierCue:
    start: int
    end: int
    tier: str | None  # regional | intermediate | municipal | national
    ordinal: int | None


# ---------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------
def extract_admin_units(outline: Outline, rules) -> AdminUnitResult:
    """Counts of subnational units with their tier, plus the stated state structure and tier count."""
    section = territorial_section(outline)
    if section is None or not section.text:
        return AdminUnitResult()
    try:
        return _extract(section, rules.admin_units, rules.normalize.abbreviations)
    except TimeoutError as exc:
        raise ExtractionTimeout(f"admin_units: a rule pattern ran too long on section {section.section_id!r}") from exc


def _extract(section: Section, r: AdminUnitRules, abbreviations: frozenset[str]) -> AdminUnitResult:
    text = section.text
    structure, structure_warning = find_state_structure(text, r)
    tiers = find_subnational_tiers(text, r)
    cues = find_tier_cues(text, r)
    candidates = find_count_candidates(section, r, abbreviations)
    candidates = share_coordinated_head(text, candidates, find_coordinations(text, candidates, r), r)
    candidates = settle_open_conjuncts(candidates)
    accepted = [c for c in adopt_earlier_unit(text, candidates, r) if c.reason is None]
    parents = find_parents(text, accepted, r)
    # Ordinals read against the stated tier count, else against the highest ordinal
    # printed when it is 3 or more ("first ... second ... third tier"); a lone
    # "second level" is then intermediate, not the last tier.
    highest = max((c.ordinal or 0 for c in cues), default=0)
    tier_total = tiers or (highest if highest >= 3 else None)
    placed = place_tiers(text, accepted, parents, cues, r, tier_total, stated=tiers is not None)
    rows = [
        AdminUnit(
            tier=tier,
            tier_rank=ADMIN_TIERS.index(tier) + 1 if tier else None,
            unit_type=c.phrase.unit_type,
            local_term=c.phrase.local_term,
            count=c.count,
            qualifier=c.qualifier,
            named_members=c.phrase.named_members,
            footnotes=c.sentence.footnotes,
            evidence=c.sentence.text,
            ordinal=i,
            part_of=parents[i],
            is_total=i in parents or is_multi_kind(c.phrase, r),
        )
        for i, (c, tier) in enumerate(zip(accepted, placed))
    ]
    warnings = [structure_warning] if structure_warning else []
    # Units below the municipalities are administrative subdivisions, not a tier of government.
    found = {row.tier for row in rows if row.tier and row.tier != "sub_municipal" and row.part_of is None}
    if tiers is not None and len(found) > tiers:
        warnings.append(f"admin_units: profile states {tiers} subnational tier(s) but units were placed in {len(found)}")
    return AdminUnitResult(tuple(rows), structure, tiers, tuple(warnings))


def is_multi_kind(phrase: UnitPhrase, rules: AdminUnitRules) -> bool:
    """A count over several kinds at once: "257 metropolitan, district and local
    municipalities", or a ``total_nouns`` phrase ("333 local authorities")."""
    words = phrase.unit_type.replace(",", " , ").split()
    coordinated = len(words) > 2 and any(w in (",", "and", "or") for w in words[:-1])
    return coordinated or phrase.unit_type in rules.total_nouns


def territorial_section(outline: Outline) -> Section | None:
    """The territorial-organization section; profiles without that heading open with it."""
    return outline.by_key(SECTION_KEY) or (outline.sections[0] if outline.sections else None)


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------
def split_sentences(section: Section, abbreviations: frozenset[str]) -> tuple[Sentence, ...]:
    """Sentences of the section text, never across paragraphs; markers go to their sentence."""
    text = section.text
    ranges = [(s, e) for s, e in section.paragraph_ranges() if e > s] or [(0, len(text))]
    bounds = [b for start, end in ranges for b in sentence_bounds(text, abbreviations, start, end)]
    notes: list[list[int]] = [[] for _ in bounds]
    starts = [s for s, _ in bounds]
    for marker in section.clean.markers:
        # A marker belongs to the last sentence that began before it, so one printed
        # after the final period ("... Shymkent).¹ At ...") stays with its sentence.
        i = max(bisect.bisect_left(starts, marker.offset) - 1, 0)
        if bounds and marker.number not in notes[i]:
            notes[i].append(marker.number)
    return tuple(Sentence(s, e, text[s:e], tuple(n)) for (s, e), n in zip(bounds, notes))


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------
def find_count_candidates(
    section: Section, rules: AdminUnitRules, abbreviations: frozenset[str] = frozenset()
) -> list[CountCandidate]:
    """Every number in the section's sentences, read with the phrase after it
    (``abbreviations``: rules.normalize, tokens ending in '.' that end no sentence)."""
    text = section.text
    spans = tuple(s for s in section.clean.spans if s.kind == "italic")
    out = []
    for sentence in split_sentences(section, abbreviations):
        counts = list(rules.count.finditer(text, sentence.start, sentence.end, timeout=PATTERN_TIMEOUT))
        if not counts:
            continue  # most sentences: nothing to read their context for
        territorial = is_territorial(sentence.text, rules)
        not_administrative = rules.not_administrative.search(sentence.text, timeout=PATTERN_TIMEOUT)
        for m in counts:
            value = parse_count(m.group(), rules)
            # A year-like number ("the 2014 Village Law") heads no phrase of an unlisted noun.
            year_like = bool(_PLAIN_DIGITS.fullmatch(m.group())) and _YEARS[0] <= value <= _YEARS[1]
            phrase, phrase_reason = read_unit_phrase(text, m.end(), sentence.end, value, spans, rules, territorial and not year_like)
            reason = reject_reason(text, m.start(), m.end(), value, rules) or phrase_reason
            if not_administrative:
                reason = "not_administrative"  # "for census purposes; they do not represent an administrative structure"
            elif rules.number_values.get(m.group().lower(), ("",))[0] == "scales" and not text[max(0, m.start() - 2) : m.start()].lower().endswith("a "):
                reason = "vague"  # "several thousand union councils"
            qualifier = rules.qualifier.search(text, max(sentence.start, m.start() - 40), m.start(), timeout=PATTERN_TIMEOUT)
            out.append(
                CountCandidate(
                    start=m.start(),
                    end=m.end(),
                    printed=m.group(),
                    count=value,
                    qualifier=rules.qualifiers[" ".join(qualifier.group().lower().split())] if qualifier else None,
                    phrase=phrase,
                    reason=reason,
                    sentence=sentence,
                )
            )
    return out


def settle_open_conjuncts(candidates: list[CountCandidate]) -> list[CountCandidate]:
    """An open conjunct that shared no noun counts its own phrase when its head looks
    plural ("40 urban councils and 132 ...") or the next count's phrase is as short
    ("878 amphoe and 7,255 tambon": parallel nouns), not when that one has words before
    its noun ("3 large and 48 small cities": "large" is a modifier)."""
    out = list(candidates)
    for i, c in enumerate(candidates):
        if c.reason != OPEN_CONJUNCT:
            continue
        following = next((n for n in candidates[i + 1 :] if n.reason is None and n.phrase is not None), None)
        own = len(c.phrase.unit_type.split())
        if following is None or len(following.phrase.unit_type.split()) <= own or _looks_plural(c.phrase.unit_type.split()[-1]):
            out[i] = dataclasses.replace(c, reason=None)
    return out


def _looks_plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "is", "us"))


def parse_count(printed: str, rules: AdminUnitRules) -> int:
    """17, 2,186, 2 186, seventeen, twenty-six, one hundred and five -> int."""
    if printed[0].isdigit():
        return int(_NOT_DIGIT.sub("", printed))
    total = current = 0
    for m in rules.number_word.finditer(printed, timeout=PATTERN_TIMEOUT):
        kind, value = rules.number_values[" ".join(m.group().lower().split())]
        if kind == "scales" and value == 100:
            current = (current or 1) * value
        elif kind == "scales":
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return total + current


def reject_reason(text: str, start: int, end: int, value: int, rules: AdminUnitRules) -> str | None:
    """The name of the first ``not_counts`` rule the number's surroundings meet."""
    if value > _INT32_MAX or value < 1:
        return "out_of_range"
    if _no_rule_can_hold(text, start, end, rules.not_counts):
        return None
    printed = text[start:end]
    for rule in rules.not_counts:
        if rule.years and not (_PLAIN_DIGITS.fullmatch(printed) and _YEARS[0] <= value <= _YEARS[1]):
            continue
        before = rule.before is None or rule.before.search(text, max(0, start - 60), start, timeout=PATTERN_TIMEOUT)
        after = rule.after is None or rule.after.match(text, end, timeout=PATTERN_TIMEOUT)
        if before and after:
            return rule.name
    return None


def _no_rule_can_hold(text: str, start: int, end: int, not_counts: tuple[NotCountRule, ...]) -> bool:
    """Whether no ``not_counts`` rule can hold for the number at [start, end): none of their
    ``before`` patterns finds a match, nor any ``after`` of a rule without one. Three calls
    answer for the usual number, a real count, which each rule in turn took two dozen."""
    backward, forward, after_only = _not_count_screens(not_counts)
    if backward is None or forward is None or after_only is None:
        return False  # the patterns could not be joined: every rule is tried
    window = max(0, start - 60)
    return (not backward.search(text, window, start, timeout=PATTERN_TIMEOUT)
            and not forward.search(text, window, start, timeout=PATTERN_TIMEOUT)
            and not after_only.match(text, end, timeout=PATTERN_TIMEOUT))


_COMMITS = regex.compile(r"\(\?>|[*+?}]\+")  # an atomic group, a possessive quantifier
_ENDS_IN_RUN = regex.compile(r"\{\d*,\d*\}\s*\$\s*$")  # "[^.;]{0,60}$": any text up to the number


@functools.lru_cache(maxsize=8)
def _not_count_screens(
    not_counts: tuple[NotCountRule, ...],
) -> tuple[regex.Pattern | None, regex.Pattern | None, regex.Pattern | None]:
    """The ``before`` patterns of the rules joined in two, and the ``after`` patterns of the
    rules that have no ``before`` (a pattern that never matches where there are none).

    Most ``before`` patterns end in words right before the number (``\\s+$``): joined, they
    run right to left (``regex.REVERSE``) and fail at once where the number stands alone.
    Those that end in a run of any text ("former ... [^.;]{0,60}$") would try their words
    at every place of the run that way: they are joined apart and run forwards, as are
    atomic groups and possessive quantifiers, which commit to the first way they match.
    Whether a pattern finds a match in the window does not depend on the direction."""
    befores = [r.before for r in not_counts if r.before is not None]
    forwards = [p for p in befores if _COMMITS.search(p.pattern) or _ENDS_IN_RUN.search(p.pattern)]
    backwards = [p for p in befores if p not in forwards]
    afters = [r.after for r in not_counts if r.before is None and r.after is not None]
    never = regex.compile(r"(?!)")
    backward = alternation(backwards) if backwards else never
    if backward is not None and backwards:
        backward = regex.compile(backward.pattern, backward.flags | regex.REVERSE)
    return backward, (alternation(forwards) if forwards else never), (alternation(afters) if afters else never)


def is_territorial(sentence: str, rules: AdminUnitRules) -> bool:
    """The sentence is about territorial units: a ``territorial_context`` phrase or a listed unit noun."""
    if rules.territorial_context.search(sentence, timeout=PATTERN_TIMEOUT):
        return True
    words = [w.lower() for w in _WORD.findall(sentence)]
    return any(
        tuple(words[i : i + size]) in rules.unit_nouns
        for i in range(len(words))
        for size in range(1, rules.max_noun_words + 1)
    )


_WORD = regex.compile(r"[^\W\d_](?:[\w’'-]*[^\W_])?")


def read_unit_phrase(
    text: str, pos: int, limit: int, count: int, italics: tuple[Span, ...], rules: AdminUnitRules, territorial: bool = False
) -> tuple[UnitPhrase | None, str | None]:
    """The unit phrase starting after a count, or why there is none.

    A listed unit noun heads the phrase; failing one, in a ``territorial`` sentence,
    any noun phrase that ``read_generic_phrase`` accepts.
    """
    words = _words_after(text, pos, limit, rules.max_modifiers + rules.max_noun_words + 1)
    head = _find_head(words, rules)
    if head is None:
        return _generic_or(text, pos, limit, count, italics, rules, territorial, "no_unit_noun")
    first, head_first, head_last = head
    noun = rules.unit_nouns[tuple(w for w, _, _ in words[head_first : head_last + 1])]
    if not noun.plural and head_last + 1 < len(words) and words[head_last + 1][0] not in rules.stop_words:
        # "15 district hospitals": the unit noun only modifies; the phrase's own head decides
        return _generic_or(text, pos, limit, count, italics, rules, territorial, "compound_noun")
    start, head_start, end = words[first][1], words[head_first][1], words[head_last][2]
    head_end = end
    noun_tier = noun.tier
    head_tier = None
    for complement in rules.complements:
        m = complement.match(text, end, limit, timeout=PATTERN_TIMEOUT)
        if m:
            end = m.end()
            # "cities with county status" are no ordinary cities: a cue places them, the noun only when none does
            noun_tier, head_tier = None, noun_tier
            break
    unit_type = " ".join(_QUOTES.sub("", text[start:end]).lower().split())
    local_term, members, extent_end = _local_term_and_members(text, head_start, end, limit, count, italics, rules)
    return UnitPhrase(start, head_start, end, extent_end, unit_type, noun_tier, local_term, members, head_end, noun.plural,
                      head_tier=head_tier), None


def _generic_or(
    text: str, pos: int, limit: int, count: int, italics: tuple[Span, ...], rules: AdminUnitRules, territorial: bool, reason: str
) -> tuple[UnitPhrase | None, str | None]:
    """A phrase headed by a noun no rule lists, or ``reason`` when there is none."""
    found = read_generic_phrase(text, pos, limit, count, rules) if territorial else None
    if found is None:
        return None, reason
    start, head_start, end, open_conjunct = found
    head_end = end
    for complement in rules.complements:
        m = complement.match(text, end, limit, timeout=PATTERN_TIMEOUT)
        if m:
            end = m.end()
            break
    unit_type = " ".join(_QUOTES.sub("", text[start:end]).lower().split())
    local_term, members, extent_end = _local_term_and_members(text, head_start, end, limit, count, italics, rules)
    words = _WORD.findall(text[start:head_end].lower())  # modifiers and head: "local area councils"
    tier = next((rules.modifier_tiers[w] for w in words if w in rules.modifier_tiers), None)
    phrase = UnitPhrase(start, head_start, end, extent_end, unit_type, tier, local_term, members, head_end, True)
    return phrase, OPEN_CONJUNCT if open_conjunct else None


OPEN_CONJUNCT = "open_conjunct"


def read_generic_phrase(text: str, pos: int, limit: int, count: int, rules: AdminUnitRules) -> tuple[int, int, int, bool] | None:
    """(start, head start, end, open conjunct) of the noun phrase after a count, read from spaCy tokens.

    The phrase runs over words (a coordination of single modifiers allowed:
    "341 municipal, urban and divisional councils") up to a stop word or other
    punctuation; its head is its last word. None when there is no head, the head
    is a ``not_unit_nouns`` word (or its plural) or has an ``adjective_endings``
    ending, a count of one has a plural head ("single territorial collectivities"),
    or the phrase is longer than a noun phrase. The phrase stops before a list link
    and another count ("878 amphoe and 7,255 tambon"): an open conjunct, whose
    words may be a modifier that shares the next count's noun ("3 large and 48
    small cities", ``share_coordinated_head``); it is a phrase of its own only
    when they share none.
    """
    tokens = TokensAhead(text, pos, limit)
    words: list[tuple[str, int, int]] = []
    chunk = 0
    open_conjunct = False
    stopped_on = ""
    for k in itertools.count():
        if (token := tokens.get(k)) is None:
            break
        tok, start, end = token
        lower = tok.lower()
        if _QUOTES.fullmatch(tok):
            continue
        if lower in ("and", "or", ",") and words and _count_follows(text, words[-1][2], limit, rules):
            open_conjunct = True  # "878 amphoe and 7,255 tambon": the next count has its own phrase
            break
        if lower in ("and", "or", ",") and chunk == 1 and words and _is_phrase_word(tokens.get(k + 1), rules):
            chunk = 0
            continue
        if not words and lower in rules.skip_before_phrase:
            continue  # "330 such municipal corporations"
        if not _WORD.fullmatch(tok) or lower in rules.stop_words or lower in rules.number_values:
            stopped_on = lower
            break
        if words and rules.verb_endings.search(lower, timeout=PATTERN_TIMEOUT) and not _is_phrase_word(tokens.get(k + 1), rules):
            break  # "secretariats divided in": a clause opens (not "disputed territories")
        words.append((lower, start, end))
        chunk += 1
        if len(words) > rules.max_modifiers + 1:
            return None  # longer than a noun phrase, whatever follows
    if not words:
        return None
    head, head_start, end = words[-1]
    if _singulars(head) & rules.not_unit_nouns or rules.adjective_endings.search(head, timeout=PATTERN_TIMEOUT):
        return None
    if _singulars(stopped_on) & rules.not_unit_nouns:
        return None  # "three lower tiers": the phrase's real head is a non-unit stop word
    if count == 1 and _looks_plural(head):
        return None
    return words[0][1], head_start, end, open_conjunct


_LINK_BEFORE_COUNT = regex.compile(r"\s*(?:,\s*)?(?:(?:and|or|&)\s+)?(?:[^\W\d_]+\s+){0,2}", regex.IGNORECASE)


def _count_follows(text: str, end: int, limit: int, rules: AdminUnitRules) -> bool:
    """A list link (and maybe a qualifier) and then another count follow ``end``."""
    m = _LINK_BEFORE_COUNT.match(text, end, limit)
    if not m or m.end() == end or not _LIST_GOES_ON.match(text[end:limit]):
        return False
    return any(rules.count.match(text, p, limit, timeout=PATTERN_TIMEOUT) for p in _word_starts(text, end, m.end()))


def _word_starts(text: str, start: int, end: int) -> list[int]:
    return [m.start() for m in _WORD_START.finditer(text[:end], pos=start)] + [end]


def _is_phrase_word(token: tuple[str, int, int] | None, rules: AdminUnitRules) -> bool:
    """The token is a word that may go on a noun phrase (a word, no stop word)."""
    return token is not None and bool(_WORD.fullmatch(token[0])) and token[0].lower() not in rules.stop_words


@functools.lru_cache(maxsize=1)
def _tokenizer():
    """spaCy's rule-based English tokenizer (a blank pipeline: no model)."""
    return spacy.blank("en").tokenizer


@functools.lru_cache(maxsize=1)
def _special_case_tokens() -> frozenset[str]:
    """The tokens by which spaCy matches its special cases in a doc: each special case as
    prefixes, suffixes and infixes alone split it (a tokenizer with no special cases)."""
    tokenizer = _tokenizer()
    plain = Tokenizer(Vocab(), rules={}, prefix_search=tokenizer.prefix_search, suffix_search=tokenizer.suffix_search,
                      infix_finditer=tokenizer.infix_finditer, token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    return frozenset(token.text for rule in tokenizer.rules for token in plain(rule))


_CHUNK = re.compile(r"\S+")  # what spaCy splits a text into first: runs of characters not str.isspace() (re's \s)
_CHUNKS_AHEAD = 3  # a phrase after a count stops within a few words: tokenized this far first


class TokensAhead:
    """The tokens of ``text[pos:limit]`` (``_tokens``), tokenized as far as they are read.

    spaCy tokenizes each run of non-space characters on its own; only its special cases
    (":)", "a.m.") are then matched, by their tokens, across runs. So the tokens of a first
    stretch that ends after a run are those of the whole text, up to that run, when the
    run's last token is no token of a special case: no special case then spans the cut.
    The rest is tokenized whole when a token past the stretch is asked for.
    """

    def __init__(self, text: str, pos: int, limit: int):
        self._text, self._pos, self._limit = text, pos, limit
        cut = next((run.end() for i, run in enumerate(_CHUNK.finditer(text, pos, limit)) if i + 1 == _CHUNKS_AHEAD), limit)
        doc = _tokenizer()(text[pos:cut])
        self._complete = cut == limit
        if not self._complete and (not len(doc) or doc[-1].text in _special_case_tokens()):
            doc, self._complete = _tokenizer()(text[pos:limit]), True  # a special case might span the cut
        self._tokens = _token_spans(doc, pos)

    def get(self, k: int) -> tuple[str, int, int] | None:
        """Token ``k`` (text, start, end), None past the last."""
        if k >= len(self._tokens) and not self._complete:
            self._tokens, self._complete = _tokens(self._text, self._pos, self._limit), True
        return self._tokens[k] if k < len(self._tokens) else None


def _tokens(text: str, pos: int, limit: int) -> list[tuple[str, int, int]]:
    """Tokens of ``text[pos:limit]`` with offsets into ``text``; a hyphen inside a word
    ("sub-counties", "commune-level") joins its parts again."""
    return _token_spans(_tokenizer()(text[pos:limit]), pos)


def _token_spans(doc, pos: int) -> list[tuple[str, int, int]]:
    """(text, start, end) of the tokens of a spaCy doc of the text from ``pos`` (``_tokens``)."""
    out: list[tuple[str, int, int]] = []
    for tok in doc:
        if tok.is_space:
            continue
        start, end = pos + tok.idx, pos + tok.idx + len(tok.text)
        if out and out[-1][2] == start and (tok.text == "-" or out[-1][0].endswith("-")) and _WORD.match(out[-1][0]):
            out[-1] = (out[-1][0] + tok.text, out[-1][1], end)
            continue
        word = _WORD.match(tok.text)
        if word and word.end() < len(tok.text) and not tok.text[word.end()] in "-'’":
            # "sums.[1": a citation marker glued to the word stays apart from it
            out += [(word.group(), start, start + word.end()), (tok.text[word.end() :], start + word.end(), end)]
        else:
            out.append((tok.text, start, end))
    return out


def _words_after(text: str, pos: int, limit: int, most: int) -> list[tuple[str, int, int]]:
    """Up to ``most`` lower-cased words after ``pos``, stopping at punctuation other than quotes."""
    words: list[tuple[str, int, int]] = []
    if most < 1:
        return words
    for m in _TOKEN.finditer(text, pos, limit):  # back to back: each match takes the next character that is no space
        kind = m.lastgroup
        if kind == "other":
            break
        if kind == "word":
            words.append((m.group("word").lower(), m.start("word"), m.end("word")))
            if len(words) == most:
                break
    return words


def _find_head(words: list[tuple[str, int, int]], rules: AdminUnitRules) -> tuple[int, int, int] | None:
    """(first word, head's first word, head's last word) of the unit phrase.

    The head is the first unit noun within ``max_modifiers`` words, no stop word
    before it; a singular noun directly followed by another unit noun is a
    modifier of it ("city districts"), so the later noun heads.
    """
    for i in range(min(len(words), rules.max_modifiers + 1)):
        if words[i][0] in rules.stop_words:
            return None
        size = _noun_at(words, i, rules)
        if size:
            first, last = i, i + size - 1
            while not rules.unit_nouns[tuple(w for w, _, _ in words[first : last + 1])].plural:
                following = _noun_at(words, last + 1, rules)
                if not following:
                    break
                first, last = last + 1, last + following
            return 0, first, last
    return None


def _noun_at(words: list[tuple[str, int, int]], i: int, rules: AdminUnitRules) -> int:
    """Word count of the longest unit noun starting at word ``i`` (0: none)."""
    for size in range(min(rules.max_noun_words, len(words) - i), 0, -1):
        if tuple(w for w, _, _ in words[i : i + size]) in rules.unit_nouns:
            return size
    return 0


def _local_term_and_members(
    text: str, head_start: int, end: int, limit: int, count: int, italics: tuple[Span, ...], rules: AdminUnitRules
) -> tuple[str | None, tuple[str, ...], int]:
    """Local term and named members: from a parenthesis after the unit, else from italics."""
    m = _PARENTHESIS.match(text, end, limit)
    if m:
        content_italic = any(s.start < m.end("content") and s.end > m.start("content") for s in italics)
        term, members = read_parenthesis(m.group("content"), content_italic, count, rules)
        if term or members:
            return term, members, m.end()
    for span in italics:
        if span.start <= head_start < span.end:  # "17 *oblasts*": the noun itself is the local word
            return _clean_term(text[span.start : span.end]), (), end
        gap = text[end : span.start] if span.start >= end else None
        if gap is not None and span.start - end <= 40 and _is_term_gap(gap, rules):
            return _clean_term(text[span.start : span.end]), (), span.end
    return None, (), end


def _is_term_gap(gap: str, rules: AdminUnitRules) -> bool:
    """", or", " known as" between a unit and an italic local word."""
    gap = gap.lstrip(" ,")
    return any(p.fullmatch(gap, timeout=PATTERN_TIMEOUT) for p in rules.local_term_prefixes)


def read_parenthesis(content: str, italic: bool, count: int, rules: AdminUnitRules) -> tuple[str | None, tuple[str, ...]]:
    """(local term, members) a parenthesis gives: "(oblasts)" a term, "(Astana, Almaty and Shymkent)" members."""
    content = " ".join(_QUOTES.sub("", content).split()).strip(" .,;:")
    if not content or _DIGIT.search(content):
        return None, ()  # a nested count or a date, read on its own
    prefix = rules.member_prefix.match(content, timeout=PATTERN_TIMEOUT)
    if prefix:
        members = _members(content[prefix.end() :])
        return None, members if all(_capitalised(m) for m in members) else ()
    for p in rules.local_term_prefixes:
        m = p.match(content, timeout=PATTERN_TIMEOUT)
        if m:
            return _term(content[m.end() :], rules), ()
    members = _members(content)
    if not italic and all(_capitalised(m) for m in members) and (len(members) > 1 or count == 1):
        return None, members
    return _term(content, rules), ()


def _members(content: str) -> tuple[str, ...]:
    return tuple(item.strip(" .") for item in _LIST_SPLIT.split(content) if item.strip(" ."))


def _capitalised(item: str) -> bool:
    return item[:1].isupper()


_MAX_TERM_WORDS = 5


def _term(content: str, rules: AdminUnitRules) -> str | None:
    """A short name in the local language ('miasta na prawach powiatu' has four words); an
    explanation ("which are headed by ...") is none: it holds English function words."""
    content = _clean_term(content)
    items = [i for i in _TERM_SPLIT.split(content) if i]
    if not items or any(len(i.split()) > _MAX_TERM_WORDS or any(w.lower() in rules.stop_words for w in i.split()) for i in items):
        return None
    return content


def _clean_term(term: str) -> str:
    return " ".join(_QUOTES.sub("", term).split()).strip(" .,;:")


# ---------------------------------------------------------------------------
# Counts sharing one head noun ("six metropolitan, 109 municipal and 146 district assemblies")
# ---------------------------------------------------------------------------
def find_coordinations(text: str, candidates: list[CountCandidate], rules: AdminUnitRules) -> list[Coordination]:
    """Lists of counts in one sentence whose earlier counts stop before their unit noun.

    A list runs from a count with words of its own but no unit (``_open_words``),
    over list links, to the first count that has its own unit. Whether the earlier
    counts take its noun is decided by ``share_coordinated_head``.
    """
    if rules.shared_heads is None:
        return []
    out: list[Coordination] = []
    i = 0
    while i < len(candidates):
        conjuncts: list[Conjunct] = []
        link = None
        j = i
        while j + 1 < len(candidates):
            own = _open_words(text, j, candidates[j], rules)
            following = candidates[j + 1]
            if own is None:
                break
            link = _link_kind(text, own.end, following, rules) if following.sentence == candidates[j].sentence else None
            if link is None:
                break
            conjuncts.append(own)
            j += 1
        if conjuncts and link is not None and _open_words(text, j, candidates[j], rules) is None and candidates[j].reason is None:
            out.append(Coordination(tuple(conjuncts), j, link == "last"))
            i = j + 1
        else:
            i += 1
    return out


def _open_words(text: str, index: int, c: CountCandidate, rules: AdminUnitRules) -> Conjunct | None:
    """The words a count has before a list link when they name no unit of their own.

    "six metropolitan," has no unit noun; "three city and" has a singular noun after a
    count other than one, so "city" is a modifier waiting for its noun. A count a
    ``not_counts`` rule rejected (a year, a percentage) is never open, nor one with
    no word of its own ("in 2019, 45 municipalities").
    """
    if c.reason in ("no_unit_noun", OPEN_CONJUNCT):
        words = _words_after(text, c.end, c.sentence.end, rules.max_modifiers + 1)
        own = []
        for word in words:
            if word[0] in rules.stop_words:
                break
            own.append(word)
        if not 1 <= len(own) <= rules.max_modifiers:
            return None
        if c.reason == OPEN_CONJUNCT and _looks_plural(own[-1][0]):
            return None  # "40 urban councils and 132 ...": a plural head of its own is no modifier
    elif c.reason is None and not c.phrase.plural and c.count != 1 and c.phrase.extent_end == c.phrase.head_end:
        own = _words_after(text, c.phrase.start, c.phrase.head_end, rules.max_modifiers + rules.max_noun_words)
    else:
        return None
    return Conjunct(index, tuple(w for w, _, _ in own), own[0][1], own[-1][2])


def _link_kind(text: str, end: int, following: CountCandidate, rules: AdminUnitRules) -> str | None:
    """``list`` (", "), ``last`` (" and ", ", or ") or None for the text between a count's words and the next count."""
    qualifier = rules.qualifier.search(text, max(end, following.start - 40), following.start, timeout=PATTERN_TIMEOUT)
    stop = qualifier.start() if qualifier else following.start
    if rules.shared_heads.last_link.fullmatch(text, end, stop, timeout=PATTERN_TIMEOUT):
        return "last"
    if rules.shared_heads.list_link.fullmatch(text, end, stop, timeout=PATTERN_TIMEOUT):
        return "list"
    return None


def share_coordinated_head(
    text: str, candidates: list[CountCandidate], coordinations: list[Coordination], rules: AdminUnitRules
) -> list[CountCandidate]:
    """The candidates, with the open counts of each accepted list reading the list's shared noun.

    A list shares its last count's noun when the last link is a conjunction, the list
    spans at most ``max_words`` words up to that noun, and some ending of the last
    count's phrase, shorter than the phrase (the last count keeps a word of its own:
    the list is parallel), makes a unit phrase with every open count's words; the
    shortest such ending is shared. Otherwise the candidates stay as they were.
    """
    out = list(candidates)
    for co in coordinations:
        for conjunct, phrase in zip(co.conjuncts, _shared_phrases(text, co, candidates, rules)):
            out[conjunct.index] = dataclasses.replace(candidates[conjunct.index], phrase=phrase, reason=None)
    return out


def _shared_phrases(text: str, co: Coordination, candidates: list[CountCandidate], rules: AdminUnitRules) -> tuple[UnitPhrase, ...]:
    last = candidates[co.last].phrase
    first = candidates[co.conjuncts[0].index]
    if not co.last_link_is_conjunction or len(text[first.start : last.head_end].split()) > rules.shared_heads.max_words:
        return ()
    tail = _words_after(text, last.start, last.head_end, rules.max_modifiers + rules.max_noun_words)
    for k in range(len(tail) - 1, 0, -1):  # the shortest ending first
        ending = tuple(w for w, _, _ in tail[k:])
        nouns = [_whole_phrase_noun(c.words + ending, rules) for c in co.conjuncts]
        if all(nouns):
            break
    else:
        return ()
    complement = " ".join(_QUOTES.sub("", text[last.head_end : last.end]).lower().split())
    no_noun_tier = last.noun_tier is None and complement != ""  # the complement unplaced the noun
    return tuple(
        UnitPhrase(
            start=c.start,
            head_start=tail[k][1],
            end=c.end,
            extent_end=c.end,
            unit_type=" ".join(c.words + ending + ((complement,) if complement else ())),
            noun_tier=None if no_noun_tier else noun.tier,
            head_tier=noun.tier if no_noun_tier else None,
            head_end=c.end,
            plural=noun.plural,
            shared_end=last.extent_end,
        )
        for c, noun in zip(co.conjuncts, nouns)
    )


def _whole_phrase_noun(words: tuple[str, ...], rules: AdminUnitRules):
    """The unit noun heading ``words`` when it ends at the last word, else None."""
    head = _find_head([(w, 0, 0) for w in words], rules)
    if head is None or head[2] != len(words) - 1:
        return None
    return rules.unit_nouns[words[head[1] : head[2] + 1]]


# ---------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------
def adopt_earlier_unit(text: str, candidates: list[CountCandidate], rules: AdminUnitRules) -> list[CountCandidate]:
    """Counts with no unit of their own that count a unit the sentence names elsewhere.

    - the unit of the count before: followed by "of which" (them, these), or
      preceded by a nesting marker or a ``same_unit_subset`` word ("17 regions, 5 of
      which ...", "of which thirteen are ...", "Of the 17 regions, only one ...");
    - the unit after "of the": "48 of the 50 states" (a subset of the count that
      follows), "45 of these villages";
    - the unit after "are": "Of these, 19 are counties";
    - the unit before: "regional councils, of which there are eleven",
      "municipalities (324)".
    """
    out = list(candidates)
    for i, c in enumerate(candidates):
        if c.reason == "range":  # "reduced from 106 to 30": the end of a change, not of a range
            out[i] = _changed_to(text, dataclasses.replace(c, reason=None), candidates[:i], rules) or c
            continue
        if c.reason != "no_unit_noun":
            continue
        earlier = next((e for e in reversed(out[:i]) if e.sentence == c.sentence and e.reason is None), None)
        window = max(c.sentence.start, c.start - 30)
        marked = rules.nesting_marker_adjacent.search(text, window, _before_qualifier(text, window, c, rules), timeout=PATTERN_TIMEOUT)
        only = rules.same_unit_subset.search(text, window, c.start, timeout=PATTERN_TIMEOUT)
        if earlier is not None and (rules.unit_elsewhere["of_which"].match(text, c.end, c.sentence.end, timeout=PATTERN_TIMEOUT) or only or marked):
            out[i] = _adopt(c, earlier.phrase, subset=True)
            continue
        phrase = _unit_after(text, c, candidates[i + 1 :], rules) or _unit_before(text, c, rules) or _changed_to(text, c, candidates[:i], rules)
        if phrase is not None:
            out[i] = phrase
    return out


def _adopt(c: CountCandidate, phrase: UnitPhrase, subset: bool) -> CountCandidate:
    at = c.end
    own = dataclasses.replace(phrase, start=at, head_start=at, end=at, extent_end=at, head_end=at, shared_end=None, local_term=None, named_members=())
    return dataclasses.replace(c, phrase=own, reason=None, adopted=subset)


def _unit_after(text: str, c: CountCandidate, following: list[CountCandidate], rules: AdminUnitRules) -> CountCandidate | None:
    """"N of the (M) X" or "N are X": the unit read after the link."""
    of_the = rules.unit_elsewhere["of_the"].match(text, c.end, c.sentence.end, timeout=PATTERN_TIMEOUT)
    m = of_the or rules.unit_elsewhere["are"].match(text, c.end, c.sentence.end, timeout=PATTERN_TIMEOUT)
    if m is None or (of_the and c.printed.lower() == "one"):
        return None  # "one of the five centrally governed cities" names a member, counts nothing
    nxt = following[0] if following and following[0].sentence == c.sentence else None
    if of_the and nxt is not None and nxt.start == m.end() and nxt.reason is None:
        return dataclasses.replace(_adopt(c, nxt.phrase, subset=False), subset_of_next=True)
    phrase, reason = read_unit_phrase(text, m.end(), c.sentence.end, c.count, (), rules, True)
    if reason is not None or phrase is None:
        return None
    return dataclasses.replace(c, phrase=dataclasses.replace(phrase, start=m.end()), reason=None)


def _changed_to(text: str, c: CountCandidate, earlier: list[CountCandidate], rules: AdminUnitRules) -> CountCandidate | None:
    """"the number of districts was reduced from 106 to 30", "reduced 271 municipalities to 98":
    a count after "to" counts the unit whose number changed."""
    ways = rules.unit_elsewhere
    changed_to = ways["changed_to"].search(text, max(c.sentence.start, c.start - 10), c.start, timeout=PATTERN_TIMEOUT)
    if not changed_to or not ways["change"].search(text, c.sentence.start, c.start, timeout=PATTERN_TIMEOUT):
        return None
    number_of = ways["number_of"].search(text, c.sentence.start, c.start, timeout=PATTERN_TIMEOUT)
    if number_of is not None:
        phrase, reason = read_unit_phrase(text, number_of.end(), c.sentence.end, 2, (), rules, True)
        if reason is None and phrase is not None:
            return _adopt(c, phrase, subset=False)
    before = next((e for e in reversed(earlier) if e.sentence == c.sentence and e.phrase is not None), None)
    return _adopt(c, before.phrase, subset=False) if before is not None else None


_IN_PARENTHESIS = regex.compile(r"\s*\(\s*$")


def _unit_before(text: str, c: CountCandidate, rules: AdminUnitRules) -> CountCandidate | None:
    """"regional councils, of which there are eleven", "municipalities (324)": the words before."""
    s0 = c.sentence.start
    close = _CLOSING_PAREN.match(text[c.end : c.sentence.end])
    gap = _IN_PARENTHESIS.search(text, s0, c.start) if close else None
    if gap is None:
        gap = rules.unit_elsewhere["there_are"].search(text, s0, c.start, timeout=PATTERN_TIMEOUT)
        if gap is None or not text[gap.start() : gap.end()].lstrip(", ").lower().startswith("of which"):
            return None
    words = [w for w in _WORD.finditer(text, max(s0, gap.start() - 60), gap.start())]
    run = []
    for w in reversed(words):
        if w.end() != (run[-1].start() - 1 if run else gap.start()) and text[w.end() : (run[-1].start() if run else gap.start())].strip(" "):
            break
        if w.group().lower() in rules.stop_words or len(run) == 3:
            break
        run.append(w)
    if not run:
        return None
    run.reverse()
    start, end = run[0].start(), run[-1].end()
    head = run[-1].group().lower()
    if _singulars(head) & rules.not_unit_nouns or rules.adjective_endings.search(head, timeout=PATTERN_TIMEOUT):
        return None
    lowered = tuple(w.group().lower() for w in run)
    noun = next((rules.unit_nouns[lowered[k:]] for k in range(len(lowered)) if lowered[k:] in rules.unit_nouns), None)
    tier = noun.tier if noun else next((rules.modifier_tiers[w] for w in lowered[:-1] if w in rules.modifier_tiers), None)
    unit_type = " ".join(_QUOTES.sub("", text[start:end]).lower().split())
    phrase = UnitPhrase(c.end, c.end, c.end, c.end, unit_type, tier)
    return dataclasses.replace(c, phrase=phrase, reason=None)




def find_parents(text: str, accepted: list[CountCandidate], rules: AdminUnitRules) -> list[int | None]:
    """For each count, the index of the count it is a part or subset of (else None).

    Within one sentence, a count is a part of the count before it when a nesting
    marker stands right before it ("including 5 ..."), when ``parts_opener`` is the
    whole gap ("2,300 local governments of several kinds: 1,160 ..."), when it
    counts the earlier unit ("5 of which"), or when a ``same_unit_subset`` word
    stands before a count of the same head noun ("17 regions, but only one
    autonomous region"). Parts listed after the first part of a total (", ",
    "and"), and parts inside a parenthesis a part opened, share its parent.
    """
    out: list[int | None] = []
    listing: int | None = None  # the total whose parts are being listed
    same_head_only = False  # a list after a nesting marker goes on only with the same noun
    for i, c in enumerate(accepted):
        prev = accepted[i - 1] if i and accepted[i - 1].sentence == c.sentence else None
        parent, opens = None, False
        if c.subset_of_next and i + 1 < len(accepted):
            out.append(i + 1)  # "48 of the 50 states"
            listing = None
            continue
        if prev is not None:
            gap_end = _before_qualifier(text, prev.phrase.extent_end, c, rules)
            gap = text[prev.phrase.extent_end : gap_end]
            top = out[i - 1] if out[i - 1] is not None and out[i - 1] < i else i - 1
            marked = rules.nesting_marker.search(text, prev.phrase.extent_end, c.start, timeout=PATTERN_TIMEOUT)
            if c.adopted:
                parent = top
            elif marked:
                parent, opens = top, True
            elif out[i - 1] is not None and _in_open_parenthesis(text, accepted[out[i - 1]], c):
                parent = out[i - 1]
            elif listing is not None and out[i - 1] == listing and _is_list_link(gap, rules) and (not same_head_only or _same_head(prev, c)):
                parent = listing  # "including 145 ordinary districts, 109 municipal districts, and six ..."
            elif rules.parts_opener.fullmatch(gap, timeout=PATTERN_TIMEOUT):
                parent, opens = i - 1, True
            elif rules.same_unit_subset.search(gap, timeout=PATTERN_TIMEOUT) and _same_head(prev, c):
                parent = top
        if parent is None or parent != listing:
            listing = None
        if opens:
            listing, same_head_only = parent, bool(marked) and not c.adopted
        out.append(parent)
    return out


def _before_qualifier(text: str, start: int, c: CountCandidate, rules: AdminUnitRules) -> int:
    """Where the gap before a count ends: before its qualifier ("approximately"), if any."""
    q = rules.qualifier.search(text, max(start, c.start - 40), c.start, timeout=PATTERN_TIMEOUT)
    return q.start() if q else c.start


def _in_open_parenthesis(text: str, parent: CountCandidate, c: CountCandidate) -> bool:
    opened = text[parent.phrase.end : c.start]
    return opened.count("(") > opened.count(")")


def _is_list_link(gap: str, rules: AdminUnitRules) -> bool:
    if rules.shared_heads is None:
        return False
    links = rules.shared_heads
    return bool(links.list_link.fullmatch(gap, timeout=PATTERN_TIMEOUT) or links.last_link.fullmatch(gap, timeout=PATTERN_TIMEOUT))


def _same_head(a: CountCandidate, b: CountCandidate) -> bool:
    """The two units end in the same noun, singular or plural ("regions", "region")."""
    return bool(_singulars(a.phrase.unit_type.split()[-1]) & _singulars(b.phrase.unit_type.split()[-1]))


def _singulars(word: str) -> set[str]:
    """The word and the singulars it may be the plural of (states -> state, cities -> city)."""
    out = {word}
    for plural, singular in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(plural):
            out.add(word[: -len(plural)] + singular)
    return out


def find_tier_cues(text: str, rules: AdminUnitRules) -> list[TierCue]:
    """Tier cues in the text; where two overlap, the first and then longest wins (``first_longest``)."""
    found = [
        TierCue(m.start(), m.end(), cue.tier, cue.ordinal)
        for cue in rules.tier_cues
        for m in cue.pattern.finditer(text, timeout=PATTERN_TIMEOUT)
    ]
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[TierCue] = []
    for cue in found:
        if not out or cue.start >= out[-1].end:
            out.append(cue)
    return out


def place_tiers(
    text: str, accepted: list[CountCandidate], parents: list[int | None], cues: list[TierCue],
    rules: AdminUnitRules, tier_total: int | None, stated: bool,
) -> list[str | None]:
    """The tier of each count, by the rules the README's "Admin units" section states.

    A part or subset is at the tier of its set. Otherwise: a cue right after the
    unit > one tier below a count of its sentence that it divides ("which are in
    turn divided into") > an earlier cue in its sentence > the noun's own tier >
    a cue carried from an earlier sentence > the order of tiers
    (``order_of_tiers``).
    """
    out: list[str | None] = []
    for i, c in enumerate(accepted):
        parent = parents[i]
        if parent is not None and parent < i and out[parent] is not None:
            out.append(out[parent])
            continue
        below = _below_divided(text, accepted, parents, out, i, rules)
        tier = prefer_sentence_cue(c, cues, text, rules, tier_total, stated, below, _status_peer(accepted, out, i, rules))
        if tier is None and not _national_in_sentence(c, cues):
            first_stated = i == 0 and bool(rules.territorial_context.search(text, c.sentence.start, c.sentence.end, timeout=PATTERN_TIMEOUT))
            tier = order_of_tiers(accepted, parents, out, i, first_stated, single_tier=stated and tier_total == 1)
        out.append(tier)
    return out


def _status_peer(accepted: list[CountCandidate], placed: list[str | None], i: int, rules: AdminUnitRules) -> str | None:
    """A city with a status of its own listed with regional units is one of them.

    "63 provinces and five centrally governed cities", "twelve regional states and
    two chartered cities", "ten provinces and one capital city": a ``status_peers``
    noun with a ``status_modifiers`` word, after a regional count of its sentence.
    """
    c = accepted[i]
    words = c.phrase.unit_type.split()
    if not words or not _singulars(words[-1]) & rules.status_peers or not set(words[:-1]) & rules.status_modifiers:
        return None
    for j in range(i - 1, -1, -1):
        if accepted[j].sentence != c.sentence:
            return None
        if placed[j] == "regional":
            return "regional"
    return None


def _national_in_sentence(c: CountCandidate, cues: list[TierCue]) -> bool:
    """A ``national`` cue before the count in its sentence: the count is placed in no tier."""
    before = [cue for cue in cues if c.sentence.start <= cue.start and cue.end <= c.start]
    return bool(before) and before[-1].tier == "national"


def _below_divided(
    text: str, accepted: list[CountCandidate], parents: list[int | None], placed: list[str | None], i: int, rules: AdminUnitRules
) -> str | None:
    """One tier below the units this count divides.

    Those are the nearest placed count of its sentence when ``division_below``
    stands between the two ("149 cities ..., which are in turn divided into
    42,000 barangays"), else an earlier placed count whose noun the sentence names
    before ``division_below`` ("the counties are divided into 290 sub-counties").
    """
    c = accepted[i]
    for j in range(i - 1, -1, -1):
        earlier = accepted[j]
        if earlier.sentence != c.sentence:
            break
        if parents[j] is None and placed[j] is not None:
            if rules.division_below.search(text, earlier.phrase.extent_end, c.start, timeout=PATTERN_TIMEOUT):
                return _one_below(placed[j])
            return None
    division = rules.division_below.search(text, c.sentence.start, c.start, timeout=PATTERN_TIMEOUT)
    if division is None:
        return None
    subject = text[c.sentence.start : division.start()]
    named = {w for word in _SUBJECT_WORD.findall(subject.lower()) for w in _singulars(word)}
    for j in range(i - 1, -1, -1):
        if parents[j] is None and placed[j] is not None and _singulars(accepted[j].phrase.unit_type.split()[-1]) & named:
            return _one_below(placed[j])
    if rules.units_divided.search(subject, timeout=PATTERN_TIMEOUT):
        # "The counties are further subdivided into 174 districts": units, not the
        # country, are divided; one tier below their noun's tier, else below regional
        words = [w.lower() for w in _WORD.findall(subject)]
        tiers = [rules.unit_nouns[(w,)].tier for w in words if (w,) in rules.unit_nouns and rules.unit_nouns[(w,)].tier]
        return _one_below(tiers[-1] if tiers else "regional")
    return None


def order_of_tiers(
    accepted: list[CountCandidate], parents: list[int | None], placed: list[str | None], i: int,
    first_stated: bool, single_tier: bool = False,
) -> str | None:
    """The tier of a count nothing else places, from the order the text lists tiers in.

    Texts list a country's levels top-down. The first count of the section, in a
    sentence about the territorial structure (``first_stated``), is at the top
    subnational tier: regional, or municipal when the text states a single tier
    (as for ordinal cues). A later count is one tier below the nearest placed count
    before it (regional -> intermediate -> municipal), at its tier when it counts
    the same unit or that count is municipal or below: order alone never places a
    unit below the municipalities, only a noun or a division does.
    """
    if i == 0:
        return ("municipal" if single_tier else "regional") if first_stated else None
    for j in range(i - 1, -1, -1):
        if parents[j] is None and placed[j] is not None:
            same = _same_head(accepted[j], accepted[i])
            if same or ADMIN_TIERS.index(placed[j]) >= ADMIN_TIERS.index("municipal"):
                return placed[j]
            return _one_below(placed[j])
    return None


def _one_below(tier: str) -> str:
    return ADMIN_TIERS[min(ADMIN_TIERS.index(tier) + 1, len(ADMIN_TIERS) - 1)]


def prefer_sentence_cue(
    c: CountCandidate, cues: list[TierCue], text: str, rules: AdminUnitRules, tier_total: int | None, stated: bool,
    below: str | None = None, peer: str | None = None,
) -> str | None:
    """The unit's tier: trailing cue > ``below`` (the tier under a count it divides) >
    earlier cue in its sentence > the noun's own tier > carried cue > the tier of a head
    noun that a complement unplaced ('25 cities with county rights' and no cue: municipal).

    A ``national`` cue places nothing: it stops a carried tier and leaves the noun's.
    A count sharing its list's noun reads the cue that trails the whole list.
    """
    own = [cue for cue in cues if c.end <= cue.start and cue.end <= c.phrase.end and cue.tier != "national"]
    if own:  # "334 prefecture-level divisions", "11162 Commune-level units"
        return _cue_tier(own[0], tier_total, stated)
    unit_end = c.phrase.shared_end if c.phrase.shared_end is not None else c.phrase.extent_end
    trailing = next(
        (
            cue
            for cue in cues
            if cue.start >= unit_end
            and rules.trailing_cue_gap is not None
            and rules.trailing_cue_gap.fullmatch(text, unit_end, cue.start, timeout=PATTERN_TIMEOUT)
        ),
        None,
    )
    if trailing is not None and trailing.tier != "national":
        return _cue_tier(trailing, tier_total, stated)
    if below is not None:
        # one tier below the units it divides, or lower when its noun says so ("774 local government areas")
        lower = c.phrase.noun_tier if c.phrase.noun_tier and ADMIN_TIERS.index(c.phrase.noun_tier) > ADMIN_TIERS.index(below) else None
        return lower or below
    before = [cue for cue in cues if cue.end <= c.start]
    in_sentence = [cue for cue in before if cue.start >= c.sentence.start]
    if in_sentence and in_sentence[-1].tier != "national":
        tier = _cue_tier(in_sentence[-1], tier_total, stated)
        lone_ordinal = in_sentence[-1].ordinal is not None and tier_total is None
        if tier == "intermediate" and lone_ordinal and c.phrase.noun_tier in ("municipal", "sub_municipal"):
            return c.phrase.noun_tier  # "The second level of subdivision consists of 342 municipalities": no tier count says it is not the last
        return tier
    if peer is not None:
        return peer
    if c.phrase.noun_tier:
        return c.phrase.noun_tier
    if before and not in_sentence and before[-1].tier != "national":
        return _cue_tier(before[-1], tier_total, stated)
    return c.phrase.head_tier


def _cue_tier(cue: TierCue, tier_total: int | None, stated: bool) -> str | None:
    """A named tier as is; an ordinal counted from the top: 1 regional, the last municipal."""
    if cue.ordinal is None:
        return cue.tier
    if tier_total == 1 and stated:
        return "municipal"  # a single-tier country has municipalities only
    if cue.ordinal == 1:
        return "regional"
    if tier_total is not None and cue.ordinal >= tier_total or tier_total is None and cue.ordinal >= 3:
        return "municipal"
    return "intermediate"


def find_state_structure(text: str, rules: AdminUnitRules) -> tuple[str | None, str | None]:
    """``unitary`` or ``federal`` as the text first states it (``first_in_text``), and a warning on conflict."""
    found = sorted(
        (m.start(), i, structure)
        for i, (structure, pattern) in enumerate(rules.state_structure)
        for m in [pattern.search(text, timeout=PATTERN_TIMEOUT)]
        if m
    )
    if not found:
        return None, None
    kinds = {structure for _, _, structure in found}
    warning = None
    if len(kinds) > 1:
        warning = f"admin_units: the text calls the country both {' and '.join(sorted(kinds))}; took {found[0][2]!r}"
    return found[0][2], warning


def find_subnational_tiers(text: str, rules: AdminUnitRules) -> int | None:
    """The number of subnational tiers the text first states ("three-tiered" -> 3).

    A count whose tiers are then listed with the national one ("a three-tier federal
    system: federal, state and local") counts one subnational tier fewer. The first
    statement in the text decides unless its number is no tier count (1-9); then
    the first statement of each pattern is read in text order.
    """
    first = first_match(text, rules.subnational_tiers)
    if first is None:
        return None
    value = _tier_count(text, first[1], rules)
    if 1 <= value <= 9:
        return value
    found = sorted(
        (m.start(), i, m)
        for i, pattern in enumerate(rules.subnational_tiers)
        for m in [pattern.search(text, timeout=PATTERN_TIMEOUT)]
        if m
    )
    for _, _, m in found:
        value = _tier_count(text, m, rules)
        if 1 <= value <= 9:
            return value
    return None


def _tier_count(text: str, m: regex.Match, rules: AdminUnitRules) -> int:
    """The number a tier-count statement gives, less the national tier when it lists it."""
    value = parse_count(m.group("n"), rules)
    listed = rules.national_tier_listed
    if listed is not None and listed.match(text, m.end(), timeout=PATTERN_TIMEOUT):
        value -= 1
    return value


def first_match(text: str, patterns: tuple[regex.Pattern, ...]) -> tuple[int, regex.Match] | None:
    """(index, match) of the pattern whose first match in ``text`` starts first, the lower
    index on a tie: what searching each pattern and sorting the matches gives first.

    One search of the patterns joined does it (``_joined``): its match starts where the
    first match of any starts, and there the first alternative that matches wins, with
    the match that pattern's own search gives. A pattern each where they cannot be joined.
    """
    joined = _joined(patterns)
    if joined is None:
        found = [(m.start(), i, m) for i, p in enumerate(patterns) for m in [p.search(text, timeout=PATTERN_TIMEOUT)] if m]
        return min(found, key=lambda f: f[:2])[1:] if found else None
    m = joined.search(text, timeout=PATTERN_TIMEOUT)
    if m is None:
        return None
    return next(i for i in range(len(patterns)) if m.start(f"{_ALTERNATIVE}{i}") >= 0), m


_ALTERNATIVE = "_alternative"  # group prefix of the joined patterns


@functools.lru_cache(maxsize=32)
def _joined(patterns: tuple[regex.Pattern, ...]) -> regex.Pattern | None:
    """The patterns as one alternation, alternative ``i`` in the group ``_alternative<i>``."""
    if any(name.startswith(_ALTERNATIVE) for p in patterns for name in p.groupindex):
        return None
    try:
        return alternation(list(patterns), _ALTERNATIVE)
    except regex.error:
        return None  # e.g. a group name repeated with a different meaning

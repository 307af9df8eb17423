"""Entities: named entities (places, organisations, plans, dates, numbers) in section text.

Rules first: a blank spaCy pipeline with a SpanRuler whose patterns come from
rules/entities.jsonl proposes candidates; named conflict rules decide among them
(``longest_first``), two document-level rules add what patterns alone miss
(members of a place enumeration, acronyms defined in parentheses), and a
statistical model, when one is installed and asked for, only fills the gaps the
ruler leaves (``fill_gaps``). Offsets are characters of ``Section.text``.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

import pycountry
import spacy
from spacy.lang.char_classes import ALPHA
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import compile_infix_regex

from .country import resolve_country
from .document import Outline
from .errors import NotAProfile, UnknownCountry
from .rules import EntityGenerator, EntityRules, Rules

RULER_KEY = "ruler"  # doc.spans key of the ruler's raw matches
MODEL_KEY = "model"  # doc.spans key of a statistical model's entities
PLACE_LABELS = frozenset({"GPE", "LOC"})
NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
# Priorities of candidates no rule line made: they lose every tie with a rule line.
ENUMERATION_PRIORITY = 1_000_000
ALIAS_PRIORITY = 1_000_001
MAX_MEMBER_TOKENS = 4  # a longer capitalised run in a list is a title, not a place name

# spaCy splits "Nur-Sultan" and "UN-Habitat" at the hyphen; names must stay one token.
_HYPHEN_INFIX = r"(?<=[{a}0-9])(?:-|–|—|--|---|——|~)(?=[{a}])".format(a=ALPHA)
_DASH_INFIX = r"(?<=[{a}0-9])(?:–|—|--|---|——|~)(?=[{a}])".format(a=ALPHA)


@dataclass(frozen=True)
class Entity:
    """One row of the entities table (``country`` comes from the partition)."""

    section_id: str
    text: str
    label: str
    start: int
    end: int
    method: str  # ruler | model


@dataclass(frozen=True)
class Candidate:
    """A proposed entity: character offsets, label, and the rule line that made it."""

    start: int
    end: int
    label: str
    priority: int  # rule line; lower wins a tie in length
    method: str = "ruler"

    def overlaps(self, other: "Candidate") -> bool:
        return self.start < other.end and other.start < self.end


# -- the pipeline ------------------------------------------------------------------
def _is_cap(token: Token) -> bool:
    return token.text[:1].isupper()


def _is_name_part(token: Token) -> bool:
    """A capitalised word or a connector; 'the' right after 'and' opens a second name
    ('UNDP and the European Union' is two organisations, not one)."""
    if token.lower_ == "the" and token.i > 0 and token.doc[token.i - 1].lower_ == "and":
        return False
    return _is_cap(token) or token.lower_ in token.doc._.name_connectors


Token.set_extension("is_cap", getter=_is_cap, force=True)
Token.set_extension("name_part", getter=_is_name_part, force=True)
Doc.set_extension("name_connectors", default=frozenset(), force=True)


@Language.factory("sdg_name_connectors", default_config={"connectors": []})
def _make_name_connectors(nlp: Language, name: str, connectors: list[str]):
    """Tell each doc which lower-case words may join a name (for ``_.name_part``)."""
    words = frozenset(connectors)

    def set_connectors(doc: Doc) -> Doc:
        doc._.name_connectors = words
        return doc

    return set_connectors


@Language.factory("sdg_model_entities", default_config={"model": ""})
def _make_model_entities(nlp: Language, name: str, model: str):
    return ModelEntities(spacy.load(model))


class ModelEntities:
    """Run a statistical pipeline on the same text; keep its entities in doc.spans['model']."""

    def __init__(self, model: Language):
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        return self._annotate(doc, self.model(doc.text))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        docs = list(docs)
        for doc, model_doc in zip(docs, self.model.pipe((d.text for d in docs), batch_size=batch_size)):
            yield self._annotate(doc, model_doc)

    @staticmethod
    def _annotate(doc: Doc, model_doc: Doc) -> Doc:
        spans = (doc.char_span(e.start_char, e.end_char, e.label_, alignment_mode="expand") for e in model_doc.ents)
        doc.spans[MODEL_KEY] = [s for s in spans if s is not None]
        return doc


def build_nlp(rules: Rules, model: str | None = None) -> Language:
    """The ruler pipeline, built once per process (and per rule set and model)."""
    return _build_nlp(rules.entities, model or None)


@lru_cache(maxsize=8)
def _build_nlp(entity_rules: EntityRules, model: str | None) -> Language:
    if model is not None and not spacy.util.is_package(model):
        raise LookupError(f"spaCy model {model!r} is not installed (pip install it, or run without a model)")
    nlp = spacy.blank("en")
    _keep_hyphenated_names(nlp)
    nlp.add_pipe("sdg_name_connectors", config={"connectors": sorted(entity_rules.connectors)})
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": RULER_KEY, "validate": True})
    patterns = [
        {"label": p.label, "pattern": list(p.pattern) if isinstance(p.pattern, tuple) else p.pattern, "id": str(p.line)}
        for p in entity_rules.patterns
    ]
    for generator in entity_rules.generators:
        if generator.source == "countries":
            names = sorted(country_names(generator))
            patterns += [{"label": generator.label, "pattern": n, "id": str(generator.line)} for n in names]
    ruler.add_patterns(patterns)
    if model is not None:
        nlp.add_pipe("sdg_model_entities", config={"model": model})
    return nlp


def _country_aliases(rules: Rules) -> tuple[str, ...]:
    """Country names as profiles print them (rules/countries.yaml; stored case-folded)."""
    return tuple(sorted(rules.countries.aliases))


def _keep_hyphenated_names(nlp: Language) -> None:
    """Split at dashes but not at a plain hyphen, so 'Nur-Sultan' is one token."""
    infixes = list(nlp.Defaults.infixes)
    if _HYPHEN_INFIX not in infixes:
        raise RuntimeError("spaCy's English hyphen infix rule changed; update entities._HYPHEN_INFIX")
    infixes[infixes.index(_HYPHEN_INFIX)] = _DASH_INFIX
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


# -- names made from pycountry -------------------------------------------------------
def country_names(generator: EntityGenerator) -> set[str]:
    """Every way ISO 3166-1 names a country, readable forms only ('Bolivia', not 'Bolivia, ...')."""
    out: set[str] = set()
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)}:
            if name:
                out |= name_variants(name, generator.strip)
    return out - generator.skip


def subdivision_names(alpha_2: str, generator: EntityGenerator) -> set[str]:
    """ISO 3166-2 names of one country's subdivisions, with their readable variants."""
    out: set[str] = set()
    for sub in pycountry.subdivisions.get(country_code=alpha_2) or ():
        out |= name_variants(sub.name, generator.strip)
    return out - generator.skip


def name_variants(name: str, strip: frozenset[str] = frozenset()) -> set[str]:
    """Readable forms of an ISO name: 'Korea, Republic of' -> 'Korea', 'Republic of Korea';
    without '(...)', without accents, 'Taita/Taveta' -> 'Taita-Taveta', and without a last
    word listed in ``strip`` ('Nairobi City' -> 'Nairobi')."""
    base = name.split(" (")[0].strip()
    forms = {base}
    if ", " in base:
        head, tail = base.split(", ", 1)
        forms = {head, f"{tail} {head}"}
    forms |= {f[4:] for f in forms if f.lower().startswith("the ")}
    forms |= {f.replace("/", "-") for f in forms} | {f.replace("/", " ") for f in forms}
    forms |= {f.rsplit(" ", 1)[0] for f in forms if " " in f and f.rsplit(" ", 1)[1] in strip}
    forms |= {_fold_accents(f) for f in forms}
    return {f for f in forms if f}


def _fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=32)
def _subdivision_matcher(nlp: Language, generator: EntityGenerator, alpha_2: str) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab)
    names = sorted(subdivision_names(alpha_2, generator))
    matcher.add(str(generator.line), [nlp.make_doc(n) for n in names])
    return matcher


@lru_cache(maxsize=8)
def _alias_matcher(nlp: Language, aliases: tuple[str, ...]) -> PhraseMatcher:
    """Case-folded aliases match whatever the case; candidates must still start with a capital."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("aliases", [nlp.make_doc(a) for a in aliases])
    return matcher


def _profile_alpha_2(outline: Outline, rules: Rules) -> str | None:
    """The profile's country (ISO alpha-2), or None: subdivisions then add nothing."""
    try:
        alpha_3 = resolve_country(outline.country_name, rules)
    except (UnknownCountry, NotAProfile):
        return None
    country = pycountry.countries.get(alpha_3=alpha_3)
    return country.alpha_2 if country else None


# -- candidates ------------------------------------------------------------------------
def ruler_candidates(doc: Doc, contexts: dict[int, tuple[int, int]]) -> list[Candidate]:
    """The ruler's matches, context tokens cut off ('city of Almaty' -> 'Almaty')."""
    out = []
    for span in doc.spans[RULER_KEY]:
        line = int(span.id_)
        before, after = contexts.get(line, (0, 0))
        core = doc[span.start + before : span.end - after]
        if len(core):
            out.append(Candidate(core.start_char, core.end_char, span.label_, line))
    return out


def gazetteer_candidates(doc: Doc, matchers: list[tuple[PhraseMatcher, EntityGenerator]]) -> list[Candidate]:
    """Names from per-profile lists (subdivisions, country aliases); a name starts with a capital."""
    out = []
    for matcher, generator in matchers:
        for _, start, end in matcher(doc):
            span = doc[start:end]
            if span.text[:1].isupper() and span.text not in generator.skip:
                out.append(Candidate(span.start_char, span.end_char, generator.label, generator.line))
    return out


def split_at_known_names(doc: Doc, candidates: list[Candidate], known_lines: set[int]) -> list[Candidate]:
    """Decision rule: a shape match that ends in a listed name after 'and' or ',' is two names.

    'Government of Kenya and UN-Habitat' -> 'Government of Kenya' (the listed
    'UN-Habitat' then wins on its own); 'Ministry of Investment and Development' stays whole.
    """
    known = [c for c in candidates if c.priority in known_lines]
    out = []
    for cand in candidates:
        if cand.priority not in known_lines and cand.label not in NUMERIC_LABELS:
            for name in known:
                if name.end == cand.end and name.start > cand.start:
                    left = doc.char_span(cand.start, name.start, alignment_mode="expand")
                    if left is not None and len(left) > 1 and left[-1].lower_ in ("and", ","):
                        cand = Candidate(cand.start, left[-2].idx + len(left[-2]), cand.label, cand.priority)
                        break
        out.append(cand)
    return out


def drop_common_words(
    doc: Doc, candidates: list[Candidate], shape_priorities: set[int], lowercase: set[str]
) -> list[Candidate]:
    """Decision rule: a place found by its shape that opens a sentence with a word the
    profile also writes in lower case is that word, not a name ('Large cities ...')."""
    out = []
    for cand in candidates:
        if cand.priority in shape_priorities and cand.label in PLACE_LABELS:
            span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
            first = span[0] if span is not None and len(span) else None
            if first is not None and _opens_sentence(first) and first.lower_ in lowercase:
                continue
        out.append(cand)
    return out


def _opens_sentence(token: Token) -> bool:
    return token.i == 0 or token.doc[token.i - 1].text in (".", "!", "?", ":", ";", "•")


def lowercase_words(docs: Iterable[Doc]) -> set[str]:
    """Words the profile writes in lower case somewhere: evidence they are common words."""
    return {t.text for doc in docs for t in doc if t.is_alpha and t.text.islower()}


def longest_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Conflict rule: the longest candidate wins an overlap; on equal length the earlier
    start, then the earlier rule line. Returned in text order."""
    chosen: list[Candidate] = []
    for cand in sorted(set(candidates), key=lambda c: (c.start - c.end, c.start, c.priority, c.label)):
        if not any(cand.overlaps(c) for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def fill_gaps(ruler: list[Candidate], model: Iterable[Candidate]) -> list[Candidate]:
    """Conflict rule: a model entity is kept only where no ruler entity stands."""
    kept = [m for m in longest_first(model) if not any(m.overlaps(r) for r in ruler)]
    return sorted(ruler + kept, key=lambda c: c.start)


def name_runs(doc: Doc) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens (token indices), not opened by a stop word."""
    runs, start = [], None
    for i, token in enumerate(doc):
        if token._.is_cap and (start is not None or not token.is_stop):
            start = i if start is None else start
            continue
        if start is not None:
            runs.append((start, i))
        start = None
    if start is not None:
        runs.append((start, len(doc)))
    return runs


def enumerations(doc: Doc) -> list[list[tuple[int, int]]]:
    """Lists of names 'A, B, C and D' / 'A or B': runs joined by ',', 'and', 'or', ', and'."""
    groups: list[list[tuple[int, int]]] = []
    closed: list[bool] = []
    for run in name_runs(doc):
        between = [t.lower_ for t in doc[groups[-1][-1][1] : run[0]]] if groups else None
        if between in ([","], ["and"], ["or"], [",", "and"], [",", "or"]):
            groups[-1].append(run)
            closed[-1] = between[-1] in ("and", "or")
        else:
            groups.append([run])
            closed.append(False)
    return [g for g, done in zip(groups, closed) if done and all(e - s <= MAX_MEMBER_TOKENS for s, e in g)]


def enumeration_candidates(doc: Doc, resolved: list[Candidate]) -> list[Candidate]:
    """Decision rule: in a list that names a place and nothing else, every member is a place.

    'in East Kazakhstan, Kyzylorda, Mangystau and Aktobe': Kazakhstan is a known
    country, so the four members are places too.
    """
    out = []
    for group in enumerations(doc):
        members = [(doc[s:e].start_char, doc[s:e].end_char) for s, e in group]
        inside = [c for c in resolved if any(c.overlaps(Candidate(s, e, "", 0)) for s, e in members)]
        if not inside or any(c.label not in PLACE_LABELS for c in inside):
            continue
        label = inside[0].label
        out += [Candidate(s, e, label, ENUMERATION_PRIORITY) for s, e in members]
    return out


def acronym_definitions(doc: Doc, resolved: list[Candidate]) -> list[tuple[Candidate, str]]:
    """'Bureau of National Statistics (BNS)': the acronym right after a named entity. Not when
    the entity is only the end of a longer name ('Statistics Norway (SSB)' is no GPE)."""
    out = []
    for cand in resolved:
        if cand.label in NUMERIC_LABELS:
            continue
        span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
        if span is None or (span.start > 0 and doc[span.start - 1]._.is_cap and not doc[span.start - 1].is_stop):
            continue
        tokens = list(doc[span.end : span.end + MAX_MEMBER_TOKENS + 2])
        if len(tokens) < 3 or tokens[0].text != "(":
            continue
        close = next((i for i, t in enumerate(tokens) if t.text == ")"), None)
        if close is None or close < 2 or not all(_is_acronym(t.text) for t in tokens[1:close]):
            continue
        span = doc[tokens[1].i : tokens[close - 1].i + 1]
        out.append((Candidate(span.start_char, span.end_char, cand.label, ALIAS_PRIORITY), span.text))
    return out


def _is_acronym(text: str) -> bool:
    """'BNS', 'SEZs', 'ASPR': mostly capitals, at least two of them."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 3 >= len(letters) * 2 and all(c.isalnum() or c in "-&" for c in text)


def alias_candidates(doc: Doc, matcher: PhraseMatcher, labels: dict[str, str]) -> list[Candidate]:
    out = []
    for _, start, end in matcher(doc):
        span = doc[start:end]
        out.append(Candidate(span.start_char, span.end_char, labels[span.text], ALIAS_PRIORITY))
    return out


def model_candidates(doc: Doc) -> list[Candidate]:
    return [Candidate(s.start_char, s.end_char, s.label_, 0, "model") for s in doc.spans.get(MODEL_KEY, [])]


# -- the stage ---------------------------------------------------------------------------
def extract_entities(
    outline: Outline, rules: Rules, nlp: Language | None = None, *, model: str | None = None
) -> tuple[Entity, ...]:
    """Named entities of every section, so analysts can ask which places and bodies a profile names.

    ``nlp`` is a pipeline from ``build_nlp``; without one, ``build_nlp(rules, model)`` is used.
    """
    nlp = nlp or build_nlp(rules, model)
    entity_rules: EntityRules = rules.entities
    contexts = {p.line: p.context for p in entity_rules.patterns if p.context != (0, 0)}
    known_lines = {p.line for p in entity_rules.patterns if isinstance(p.pattern, str)}
    known_lines |= {g.line for g in entity_rules.generators}
    shape_lines = {p.line for p in entity_rules.patterns if not isinstance(p.pattern, str)} | {ENUMERATION_PRIORITY}
    alpha_2 = _profile_alpha_2(outline, rules)
    matchers = [
        (_subdivision_matcher(nlp, g, alpha_2), g)
        for g in entity_rules.generators
        if g.source == "subdivisions" and alpha_2
    ] + [(_alias_matcher(nlp, _country_aliases(rules)), g) for g in entity_rules.generators if g.source == "countries"]
    sections = [s for s in outline.sections if s.text]
    docs = list(nlp.pipe(s.text for s in sections))
    lowercase = lowercase_words(docs)

    # Pass 1: rule matches, then the members of place lists.
    resolved = []
    for doc in docs:
        found = ruler_candidates(doc, contexts) + gazetteer_candidates(doc, matchers)
        found = split_at_known_names(doc, found, known_lines)
        first = longest_first(drop_common_words(doc, found, shape_lines, lowercase))
        members = drop_common_words(doc, enumeration_candidates(doc, first), shape_lines, lowercase)
        resolved.append(longest_first(first + members))

    # Pass 2: acronyms defined anywhere in the profile name the same thing everywhere.
    definitions = [d for doc, found in zip(docs, resolved) for d in acronym_definitions(doc, found)]
    labels: dict[str, str] = {}
    for cand, text in definitions:
        labels.setdefault(text, cand.label)
    if labels:
        matcher = PhraseMatcher(nlp.vocab)
        matcher.add("alias", [nlp.make_doc(t) for t in labels])
        resolved = [longest_first(found + alias_candidates(doc, matcher, labels)) for doc, found in zip(docs, resolved)]

    out = []
    for section, doc, found in zip(sections, docs, resolved):
        for cand in fill_gaps(found, model_candidates(doc)):
            text = section.text[cand.start : cand.end]
            out.append(Entity(section.section_id, text, cand.label, cand.start, cand.end, cand.method))
    return tuple(out)

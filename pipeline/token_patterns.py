"""spaCy token patterns matched as regular expressions over one character per token.

spaCy's ``Matcher`` tries every pattern at every token and calls back into Python for
each set ('IN') and 'REGEX' test: most of a profile's entity time. Yet nearly every test a
pattern makes is a test of the word alone (its text, lower case, shape, stop word ...).
So each distinct word is given a class once per process: the set of the patterns' token
tests it passes, as spaCy's own ``Matcher`` decides on the word alone. A text becomes one
character per token (its class), each pattern a regular expression whose token tests are
classes of characters, and the regex engine scans a whole profile at once.

Same matches as spaCy's ``Matcher`` (no ``greedy``): every (start, end) whose tokens the
pattern accepts. A pattern testing anything beyond the word (NORM, SPACY, extension
attributes) or using the '!' operator is left to a spaCy ``Matcher``.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from typing import Hashable

import regex
from spacy.attrs import ORTH
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Token attributes of the word alone (spaCy keeps them on the lexeme).
WORD_ATTRS = frozenset({
    "ORTH", "TEXT", "LOWER", "LENGTH", "SHAPE", "PREFIX", "SUFFIX", "IS_ALPHA", "IS_ASCII", "IS_DIGIT",
    "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE", "IS_STOP", "IS_BRACKET", "IS_QUOTE",
    "IS_LEFT_PUNCT", "IS_RIGHT_PUNCT", "IS_CURRENCY", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL",
})
_COUNTS = regex.compile(r"\{(\d*)(,?)(\d*)\}")
_FIRST_CLASS = 0x100  # class characters start here; the separator between docs is below
_SEPARATOR = "\x00"
Match = tuple[Hashable, int, int]  # (key, start token, end token)


def quantifier(op: str | None) -> tuple[int, int | None] | None:
    """spaCy's 'OP' as (least, most) repeats (most None: unbounded); None if not one."""
    fixed = {None: (1, 1), "1": (1, 1), "?": (0, 1), "*": (0, None), "+": (1, None)}
    if op in fixed:
        return fixed[op]
    counts = _COUNTS.fullmatch(op or "")
    if counts is None or not (counts[1] or counts[3]):
        return None
    least = int(counts[1] or 0)
    most = int(counts[3]) if counts[3] else (None if counts[2] else least)
    return least, most


def _repeat(least: int, most: int | None) -> str:
    """A regex quantifier: '' for exactly once, '?', '*', '+', '{n,m}'."""
    return {(1, 1): "", (0, 1): "?", (0, None): "*", (1, None): "+"}.get(
        (least, most), f"{{{least},{'' if most is None else most}}}"
    )


def is_word_pattern(pattern: list[dict]) -> bool:
    """Every token of the pattern tests word attributes only, with an operator we translate."""
    return all(set(t) - {"OP"} <= WORD_ATTRS and quantifier(t.get("OP")) is not None for t in pattern)


class TokenPatternMatcher:
    """Every match of a set of token patterns, over all the docs of one profile at once."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.patterns: list[tuple[Hashable, list[tuple[int, int, int | None]]]] = []  # key, (test, least, most)
        self.tests: list[dict] = []
        self._test_ids: dict[str, int] = {}
        self._test_matcher = Matcher(vocab, validate=False)  # one-token patterns: which tests a word passes
        self._spacy = Matcher(vocab, validate=False)  # patterns that test more than the word
        self._spacy_keys: dict[int, Hashable] = {}
        self._class_of: dict[int, str] = {}  # word (orth id) -> its class character
        self._classes: dict[frozenset[int], str] = {}  # tests passed -> class character
        self._compiled: list | None = None

    def add(self, key: Hashable, pattern: list[dict]) -> None:
        """Add a pattern under ``key`` (any hashable); several patterns may share a key."""
        if not is_word_pattern(pattern):
            name = f"pattern-{len(self._spacy_keys)}"
            self._spacy.add(name, [pattern])
            self._spacy_keys[self.vocab.strings[name]] = key
            return
        steps = []
        for token in pattern:
            test = {k: v for k, v in token.items() if k != "OP"}
            steps.append((self._test_id(test), *quantifier(token.get("OP"))))
        self.patterns.append((key, steps))
        self._compiled = None

    def _test_id(self, test: dict) -> int:
        name = json.dumps(test, sort_keys=True, ensure_ascii=False)
        if name not in self._test_ids:
            self._test_ids[name] = len(self.tests)
            self.tests.append(test)
            self._test_matcher.add(str(len(self.tests) - 1), [[test]])
            self._class_of.clear()  # words must be classified again for the new test
            self._classes.clear()
        return self._test_ids[name]

    def __call__(self, docs: list[Doc]) -> list[list[Match]]:
        """Per doc, every (key, start, end) of every pattern, deduplicated, unordered."""
        codes = self._codes(docs)  # classifies new words first, so the patterns are up to date
        text = _SEPARATOR.join(codes) + _SEPARATOR
        starts = [0]
        for code in codes:
            starts.append(starts[-1] + len(code) + 1)
        backwards = text[::-1]
        out: list[set[Match]] = [set() for _ in docs]
        for key, pattern, reversed_pattern, extent, longest in self._patterns():
            firsts = [found.start() for found in pattern.finditer(text, overlapped=True)]
            if not firsts:
                continue
            # where some match ends: where the reversed pattern matches the reversed text
            ends = sorted(len(text) - found.start() for found in reversed_pattern.finditer(backwards, overlapped=True))
            for first in firsts:
                doc = bisect_right(starts, first) - 1
                last = extent.match(text, first).end()
                if longest is not None:
                    last = min(last, first + longest)
                for end in ends[bisect_right(ends, first) : bisect_right(ends, last)]:
                    if pattern.fullmatch(text, first, end):
                        out[doc].add((key, first - starts[doc], end - starts[doc]))
        if self._spacy_keys:
            for doc, found in zip(docs, out):
                found.update((self._spacy_keys[m], s, e) for m, s, e in self._spacy(doc))
        return [list(found) for found in out]

    # -- classes of words --------------------------------------------------------------
    def _codes(self, docs: list[Doc]) -> list[str]:
        """Each doc as one class character per token; words seen first are classified now."""
        orths = [doc.to_array(ORTH).tolist() if len(doc) else [] for doc in docs]
        class_of = self._class_of
        new = list(dict.fromkeys(o for doc in orths for o in doc if o not in class_of))
        if new:
            self._classify(new)
        self._patterns()  # may renumber the classes
        class_of = self._class_of
        return ["".join([class_of[o] for o in doc]) for doc in orths]

    def _classify(self, orths: list[int]) -> None:
        words = Doc(self.vocab, words=[self.vocab.strings[o] for o in orths])
        passed: list[set[int]] = [set() for _ in orths]
        for test, start, _ in self._test_matcher(words) if self.tests else ():
            passed[start].add(int(self.vocab.strings[test]))
        for orth, tests in zip(orths, passed):
            tests = frozenset(tests)
            if tests not in self._classes:
                self._classes[tests] = chr(_FIRST_CLASS + len(self._classes))
                self._compiled = None
            self._class_of[orth] = self._classes[tests]

    def _patterns(self) -> list:
        """Per pattern: its key, its regex and that of its tokens in reverse order, the regex of
        any run of tokens it could span, and its longest match in tokens (None: unbounded).
        Compiled again when new classes came."""
        if self._compiled is None:
            self._renumber_classes()
            members: list[list[str]] = [[] for _ in self.tests]
            for tests, char in self._classes.items():
                for test in tests:
                    members[test].append(char)
            sets = [_char_set(chars) for chars in members]
            self._compiled = []
            for key, steps in self.patterns:
                body = [sets[t] + _repeat(least, most) for t, least, most in steps]
                extent = _char_set({c for t, _, _ in steps for c in members[t]}) + "*"
                longest = None if any(most is None for _, _, most in steps) else sum(most for _, _, most in steps)
                self._compiled.append((key, regex.compile("".join(body)), regex.compile("".join(body[::-1])),
                                       regex.compile(extent), longest))
        return self._compiled

    def _renumber_classes(self) -> None:
        """Class characters in the order of the tests they pass, the tests most classes pass
        first: each test's characters then form few ranges, and the regexes compile fast."""
        popular = sorted(range(len(self.tests)), key=lambda t: -sum(t in tests for tests in self._classes))
        ordered = sorted(self._classes, key=lambda tests: [t not in tests for t in popular])
        renamed = {self._classes[tests]: chr(_FIRST_CLASS + i) for i, tests in enumerate(ordered)}
        self._classes = {tests: renamed[self._classes[tests]] for tests in ordered}
        self._class_of = {orth: renamed[char] for orth, char in self._class_of.items()}


def _char_set(chars) -> str:
    """A regex set of class characters, consecutive ones as ranges; one that matches nothing
    when there are none."""
    codes = sorted(map(ord, chars))
    if not codes:
        return "(?:(?!))"
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


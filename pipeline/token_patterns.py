"""spaCy token patterns matched by one automaton over classes of words.

spaCy's ``Matcher`` tries every pattern at every token and calls back into Python for
each set ('IN') and 'REGEX' test: most of a profile's entity time. Yet nearly every test a
pattern makes is a test of the word alone (its text, lower case, shape, stop word ...).
So each distinct word is given a class once per process: the set of the patterns' token
tests it passes, as spaCy's own ``Matcher`` decides on the word alone. A doc becomes one
class per token, and all patterns together one automaton over classes, built as texts
need it: one pass from the end of a doc finds where some match of each pattern starts
(every pattern at once), and a pass forward from each such start finds where those
matches end. The passes cost one dictionary look-up a token, whatever the number of
patterns (a regular expression a pattern scanned every token once per pattern).

Same matches as spaCy's ``Matcher`` (no ``greedy``): every (start, end) whose tokens the
pattern accepts. A pattern testing anything beyond the word (NORM, SPACY, extension
attributes) or using the '!' operator is left to a spaCy ``Matcher``.
"""
from __future__ import annotations

import json
from typing import Hashable

import regex
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
MAX_AUTOMATON_STATES = 50_000  # built lazily; past this many (a pathological pattern set) start afresh
Match = tuple[Hashable, int, int]  # (key, start token, end token)
Step = tuple[int, int, "int | None"]  # (test, least repeats, most repeats or None: unbounded)
NfaState = tuple[int, int, int]  # (pattern, step, tokens taken by that step)


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


def is_word_pattern(pattern: list[dict]) -> bool:
    """Every token of the pattern tests word attributes only, with an operator we translate."""
    return all(set(t) - {"OP"} <= WORD_ATTRS and quantifier(t.get("OP")) is not None for t in pattern)


class TokenPatternMatcher:
    """Every match of a set of token patterns, over all the docs of one profile at once."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.patterns: list[tuple[Hashable, list[Step]]] = []
        self.tests: list[dict] = []
        self._test_ids: dict[str, int] = {}
        self._test_matcher = Matcher(vocab, validate=False)  # one-token patterns: which tests a word passes
        self._spacy = Matcher(vocab, validate=False)  # patterns that test more than the word
        self._spacy_keys: dict[int, Hashable] = {}
        self._class_of: dict[str, int] = {}  # word -> its class
        self._classes: dict[frozenset[int], int] = {}  # tests passed -> class
        self._class_tests: list[frozenset[int]] = []  # class -> tests passed
        self._starts: Automaton | None = None
        self._ends: Automaton | None = None
        # state of the backward automaton -> its patterns of one length (key, tokens), and the others
        self._split: dict[int, tuple[list[tuple[Hashable, int]], tuple[int, ...]]] = {}

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
        self._starts = self._ends = None

    def _test_id(self, test: dict) -> int:
        name = json.dumps(test, sort_keys=True, ensure_ascii=False)
        if name not in self._test_ids:
            self._test_ids[name] = len(self.tests)
            self.tests.append(test)
            self._test_matcher.add(str(len(self.tests) - 1), [[test]])
            self._class_of.clear()  # words must be classified again for the new test
            self._classes.clear()
            self._class_tests.clear()
            self._starts = self._ends = None
        return self._test_ids[name]

    def __call__(self, docs: list[Doc], words: list[list[str]] | None = None) -> list[list[Match]]:
        """Per doc, every (key, start, end) of every pattern, deduplicated, unordered.
        ``words``: each doc's token texts, when the caller has them already."""
        if words is None:
            words = [[token.text for token in doc] for doc in docs]
        out = [self._matches(classes) for classes in self._class_lists(words)]
        if self._spacy_keys:
            for doc, found in zip(docs, out):
                found.update((self._spacy_keys[m], s, e) for m, s, e in self._spacy(doc))
        return [list(found) for found in out]

    def _matches(self, classes: list[int]) -> set[Match]:
        """Where some match starts, each pattern at once (backwards); then its ends (forwards)."""
        if self._starts is None or self._ends is None or self._starts.size() + self._ends.size() > MAX_AUTOMATON_STATES:
            self._starts = Automaton([steps[::-1] for _, steps in self.patterns], self._class_tests, anywhere=True)
            self._ends = Automaton([steps for _, steps in self.patterns], self._class_tests, anywhere=False)
            self._split = {}
        keys = [key for key, _ in self.patterns]
        out: set[Match] = set()
        ends = self._ends
        split = self._split
        for start, state in self._starts.accepting_positions(classes):
            fixed, varying = split.get(state) or self._split_by_length(state)
            for key, length in fixed:
                out.add((key, start, start + length))
            if varying:
                for end, found in ends.run(varying, classes, start):
                    for p in found:
                        out.add((keys[p], start, end))
        return out

    def _split_by_length(self, state: int) -> tuple[list[tuple[Hashable, int]], tuple[int, ...]]:
        """The patterns a match of begins at a backward ``state``: those of one length (key,
        tokens), whose match is known once its start is, and the others, whose ends a forward
        run finds."""
        patterns = self._starts.accepts[state]
        lengths = [sum(least for _, least, _ in self.patterns[p][1])
                   if all(least == most for _, least, most in self.patterns[p][1]) else None for p in patterns]
        split = self._split[state] = (
            [(self.patterns[p][0], n) for p, n in zip(patterns, lengths) if n],
            tuple(p for p, n in zip(patterns, lengths) if not n),
        )
        return split

    # -- classes of words --------------------------------------------------------------
    def _class_lists(self, docs: list[list[str]]) -> list[list[int]]:
        """Each doc (its token texts) as one class per token; words seen first are classified now."""
        get = self._class_of.get
        out = [list(map(get, doc)) for doc in docs]
        new = [w for doc, classes in zip(docs, out) if None in classes for w, c in zip(doc, classes) if c is None]
        if new:
            self._classify(list(dict.fromkeys(new)))
            out = [list(map(get, doc)) for doc in docs]
        return out

    def _classify(self, words: list[str]) -> None:
        passed: list[set[int]] = [set() for _ in words]
        for test, start, _ in self._test_matcher(Doc(self.vocab, words=words)) if self.tests else ():
            passed[start].add(int(self.vocab.strings[test]))
        for word, tests in zip(words, passed):
            tests = frozenset(tests)
            if tests not in self._classes:
                self._classes[tests] = len(self._class_tests)
                self._class_tests.append(tests)
            self._class_of[word] = self._classes[tests]


class Automaton:
    """A deterministic automaton over word classes for a list of patterns, its states made
    as texts reach them (subset construction; a state is the set of pattern positions).

    ``anywhere``: a match may begin at any token (each state also holds every pattern's
    start), for finding where matches are; else only where ``run`` starts it.
    """

    def __init__(self, patterns: list[list[Step]], class_tests: list[frozenset[int]], anywhere: bool):
        self.patterns = patterns
        self.class_tests = class_tests  # shared with the matcher: grows as it meets new classes
        self.anywhere = anywhere
        # State 0 stands for none, so that a state found is always true.
        self.sets: list[frozenset[NfaState]] = [frozenset()]
        self.ids: dict[frozenset[NfaState], int] = {}
        self.moves: list[dict[int, int]] = [{}]  # state -> {class: next state}
        self.accepts: list[tuple[int, ...]] = [()]  # state -> patterns a match of ends here
        self.dead = self._state(frozenset())
        self.begin = self._closure({(p, 0, 0) for p in range(len(patterns))})
        self.begins: dict[tuple[int, ...], int] = {}

    def size(self) -> int:
        return len(self.sets) - 1

    def accepting_positions(self, classes: list[int]) -> list[tuple[int, int]]:
        """Reading ``classes`` from the end: (token, state) wherever the state accepts, that
        is where a match of its ``accepts`` patterns begins."""
        out = []
        state, moves, accepts = self.dead, self.moves, self.accepts
        for i, cls in zip(range(len(classes) - 1, -1, -1), reversed(classes)):
            state = moves[state].get(cls) or self._move(state, cls)
            if accepts[state]:
                out.append((i, state))
        return out

    def run(self, patterns: tuple[int, ...], classes: list[int], start: int) -> list[tuple[int, tuple[int, ...]]]:
        """Reading forwards from ``start``, the patterns given only: (end, patterns a match ends at)."""
        state = self.begins.get(patterns) or self._begin(patterns)
        out, moves, accepts, dead = [], self.moves, self.accepts, self.dead
        for i in range(start, len(classes)):
            cls = classes[i]
            state = moves[state].get(cls) or self._move(state, cls)
            if state == dead:
                break
            if accepts[state]:
                out.append((i + 1, accepts[state]))
        return out

    def _begin(self, patterns: tuple[int, ...]) -> int:
        state = self.begins[patterns] = self._closure({(p, 0, 0) for p in patterns})
        return state

    def _move(self, state: int, cls: int) -> int:
        tests = self.class_tests[cls]
        current = self.sets[state] | self.sets[self.begin] if self.anywhere else self.sets[state]
        taken = set()
        for p, step, n in current:
            steps = self.patterns[p]
            if step < len(steps):
                test, least, most = steps[step]
                if test in tests and (most is None or n < most):
                    taken.add((p, step, min(n + 1, least) if most is None else n + 1))
        target = self._closure(taken)
        self.moves[state][cls] = target
        return target

    def _closure(self, states: set[NfaState]) -> int:
        """The state of these pattern positions and of all those reached by skipping steps
        already taken often enough."""
        todo, seen = list(states), set(states)
        while todo:
            p, step, n = todo.pop()
            steps = self.patterns[p]
            if step < len(steps) and n >= steps[step][1] and (p, step + 1, 0) not in seen:
                seen.add((p, step + 1, 0))
                todo.append((p, step + 1, 0))
        return self._state(frozenset(seen))

    def _state(self, nfa: frozenset[NfaState]) -> int:
        if nfa not in self.ids:
            self.ids[nfa] = len(self.sets)
            self.sets.append(nfa)
            self.moves.append({})
            self.accepts.append(tuple(sorted({p for p, step, _ in nfa if step == len(self.patterns[p])})))
        return self.ids[nfa]

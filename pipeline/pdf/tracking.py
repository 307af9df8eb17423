"""Letter-spaced (tracked) capitals: 'K A Z A K H S T A N' printed as one word.

Designed reports track titles, kicker lines and headings: every letter is set apart
by the same extra space, more than the word extractor's tolerance, so each letter
comes out a word of its own. A run of such one-letter words on one line, evenly
spaced, is put back together; a gap wider than the letter spacing by about a space
ends a word.
"""
from __future__ import annotations

from .model import Word

MAX_LETTER_GAP = 0.8  # a tracked letter gap, at most (x size); a word space is wider still
WORD_BREAK = 0.15  # extra white space (x size) over the letter gap that ends a word
MIN_LETTERS = 3


def join_tracked(words: list[Word]) -> list[Word]:
    """The words with every run of tracked letters joined into the words it spells."""
    out: list[Word] = []
    run: list[Word] = []
    for w in words:
        if run and not _continues_run(run[-1], w):
            out += _spelled(run)
            run = []
        if _letter(w):
            run.append(w)
        else:
            out.append(w)
    return out + _spelled(run)


def _letter(w: Word) -> bool:
    return len(w.text) == 1 and not w.scale


def _continues_run(last: Word, w: Word) -> bool:
    return (_letter(w) and abs(w.size - last.size) < 0.1 and abs(w.top - last.top) <= 0.2 * w.size
            and 0 <= w.x0 - last.x1 <= MAX_LETTER_GAP * w.size * 2)


def _spelled(run: list[Word]) -> list[Word]:
    """A run joined into words when it is tracked lettering, else left as it is."""
    if sum(c.isalnum() for w in run for c in w.text) < MIN_LETTERS or len(run) < MIN_LETTERS:
        return run
    gaps = [b.x0 - a.x1 for a, b in zip(run, run[1:])]
    size = run[0].size
    letter_gap = min(gaps)
    if letter_gap > MAX_LETTER_GAP * size:
        return run
    out, word = [], [run[0]]
    for gap, w in zip(gaps, run[1:]):
        if gap > letter_gap + WORD_BREAK * size:
            out.append(_merge(word))
            word = [w]
        else:
            word.append(w)
    out.append(_merge(word))
    # Single letters that stay alone after the split were words of their own ('a', 'I'): not tracking.
    return out if any(len(w.text) > 2 for w in out) else run


def _merge(letters: list[Word]) -> Word:
    first = letters[0]
    return Word("".join(w.text for w in letters), first.x0, letters[-1].x1, min(w.top for w in letters),
                max(w.bottom for w in letters), first.size, first.bold, first.italic, first.color)

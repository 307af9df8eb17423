"""Text path speed: ``pipeline.extract_file(path)`` with no ``rules=``, warm, against spaCy's
bare ``make_doc`` of the same texts.

Usage: python bench/bench_text.py [--rounds 5]

Over every text and markdown profile of raw/, in one run:

(a) ``spacy.blank("en").make_doc(text)`` of each file's text: the baseline (tokenizing
    only, what any spaCy-based reading of the text costs at least);
(b) ``extract_file(path)`` with no ``rules=``, warm: what an analyst's loop costs;
(c) ``extract_file(path, rules=rules)`` with rules loaded once: (b) must cost the same
    within 10% (the rules and the NLP pipeline are cached per process).

(d) (b) again with the rule patterns' timeout off, in this bench only: what the timeout the
    hostile-input issue asks for costs (the ``regex`` module reads the process clock at each
    call), for deciding how rule patterns should be bounded.

Prints the best of ``--rounds`` for each, the ratios (b)/(a) and (b)/(c), and the split of
(b) by stage (each stage function ``pipeline.extract`` calls, timed in place; per stage the
best of ``--rounds`` further rounds), each stage also as a ratio to (a). Times are
CPU seconds of this process (``time.process_time``): the machine is shared, and waiting
for a core is not what the pipeline costs. Rounds interleave (a), (b) and (c), so a busy
spell slows all three alike.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline.extract as extract_module  # noqa: E402
from pipeline.extract import extract_file  # noqa: E402
from pipeline.rules import PATTERN_TIMEOUT, load_rules  # noqa: E402

TEXT_SUFFIXES = (".md", ".txt")
WIRING_ROW = "(rest: rows, asdict, calls)"
WIRING = {"extract_document", "extract_file", "cached_rules", "load_rules", "rules_digest"}


def profiles() -> list[Path]:
    return sorted(p for p in (ROOT / "raw").iterdir() if p.suffix in TEXT_SUFFIXES and p.name != "README.md")


def cpu_time(fn, *args) -> float:
    started = time.process_time()
    fn(*args)
    return time.process_time() - started


def best_of(rounds: int, *timed) -> list[float]:
    """Best CPU time of each (fn, *args) over ``rounds`` interleaved rounds."""
    best = [float("inf")] * len(timed)
    for _ in range(rounds):
        for i, (fn, *args) in enumerate(timed):
            best[i] = min(best[i], cpu_time(fn, *args))
    return best


def make_docs(nlp, texts: list[str]) -> None:
    for text in texts:
        nlp.make_doc(text)


def extract_all(paths: list[Path], rules=None) -> None:
    for path in paths:
        extract_file(path, rules=rules) if rules is not None else extract_file(path)


@contextmanager
def timeouts_off():
    """Every module's PATTERN_TIMEOUT set to None (no timeout) for the duration."""
    modules = [m for name, m in list(sys.modules.items())
               if name.startswith("pipeline") and getattr(m, "PATTERN_TIMEOUT", None) is not None]
    for module in modules:
        module.PATTERN_TIMEOUT = None
    try:
        yield
    finally:
        for module in modules:
            module.PATTERN_TIMEOUT = PATTERN_TIMEOUT


def extract_all_without_timeouts(paths: list[Path]) -> None:
    with timeouts_off():
        extract_all(paths)


@contextmanager
def stage_timers(totals: dict[str, float]):
    """Wrap each stage function the extract module calls, adding its time to ``totals``."""
    stages = {
        name: fn for name, fn in vars(extract_module).items()
        if callable(fn) and getattr(fn, "__module__", "").startswith("pipeline.") and not isinstance(fn, type)
        and name not in WIRING and not name.startswith("_")
    }

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[name] += time.process_time() - started
        return wrapper

    for name, fn in stages.items():
        setattr(extract_module, name, timed(name, fn))
    try:
        yield
    finally:
        for name, fn in stages.items():
            setattr(extract_module, name, fn)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    paths = profiles()
    texts = [p.read_text(encoding="utf-8") for p in paths]
    nlp = spacy.blank("en")
    rules = load_rules()
    extract_all(paths)  # warm: imports, the cached rules and pipeline, gazetteers
    extract_all(paths, rules)
    t_doc, t_bare, t_rules, t_untimed = best_of(args.rounds, (make_docs, nlp, texts), (extract_all, paths),
                                                (extract_all, paths, rules), (extract_all_without_timeouts, paths))
    best_split: dict[str, float] = {}
    for _ in range(args.rounds):
        totals: dict[str, float] = defaultdict(float)
        with stage_timers(totals):
            totals[WIRING_ROW] = cpu_time(extract_all, paths)
        totals[WIRING_ROW] -= sum(spent for name, spent in totals.items() if name != WIRING_ROW)
        for name, spent in totals.items():
            best_split[name] = min(spent, best_split.get(name, spent))
    t_split = sum(best_split.values())
    chars = sum(map(len, texts))
    print(f"profiles: {len(paths)} text/markdown files of raw/, {chars:,} characters")
    print(f"CPU time, best of {args.rounds} interleaved rounds:")
    print(f"spaCy make_doc:                   {t_doc * 1000:8.1f} ms")
    print(f"extract_file(path), no rules=:    {t_bare * 1000:8.1f} ms  {t_bare / len(paths) * 1000:6.1f} ms/profile")
    print(f"extract_file(path, rules=rules):  {t_rules * 1000:8.1f} ms")
    print(f"ratio extract_file / make_doc: {t_bare / t_doc:.2f}x (best of {args.rounds}; target <= 3x)")
    print(f"ratio no rules= / rules=:      {t_bare / t_rules:.2f}x (target within 10%)")
    print(f"rule-pattern timeouts: {(t_bare - t_untimed) * 1000:.1f} ms, {(t_bare - t_untimed) / t_bare:.0%} of the path "
          f"(a run without them: {t_untimed / t_doc:.2f}x make_doc; measured here only, the pipeline keeps them)")
    print(f"split by stage (best of {args.rounds} rounds each; together {t_split * 1000:.1f} ms):")
    for name, spent in sorted(best_split.items(), key=lambda kv: -kv[1]):
        print(f"  {name:26s} {spent * 1000:8.1f} ms  {spent / t_split:6.1%}  {spent / t_doc:6.2f}x make_doc")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every rule pattern that runs on document text runs under the timeout (the hostile-input
issue: no line can hang a worker, whatever a rule file says).

The rules are loaded, every compiled pattern in them is swapped for a stand-in that notes
a call without ``timeout=``, and every stage runs over the sample profiles and the designed
PDF fixtures. A call site that forgets the timeout fails here, naming the pattern and the
line of code. Patterns joined from rule patterns (``rules.core.alternation``) are stand-ins too.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import regex

import pipeline.rules.core as rules_core
from pipeline.extract import extract_document
from pipeline.ingest import InputLimits, read_source
from pipeline.rules import Rules, load_rules

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "splititer")


class GuardedPattern:
    """A rule pattern that records each call made without a timeout, then makes it."""

    calls = 0  # every call seen: the stand-ins are really the patterns the stages use

    def __init__(self, pattern: regex.Pattern, unguarded: list):
        self._pattern, self._unguarded = pattern, unguarded

    def __getattr__(self, name):
        attr = getattr(self._pattern, name)
        if name not in METHODS:
            return attr

        def call(*args, **kwargs):
            GuardedPattern.calls += 1
            if kwargs.get("timeout") is None:
                caller = sys._getframe(1)
                self._unguarded.append(
                    f"{Path(caller.f_code.co_filename).name}:{caller.f_lineno} {name} {self._pattern.pattern[:50]!r}")
            return attr(*args, **kwargs)
        return call

    # Never equal to the bare pattern: a cache keyed by rule patterns (a joined screen) must
    # not hand this run what an earlier run built from unguarded ones.
    def __hash__(self):
        return hash((GuardedPattern, self._pattern))

    def __eq__(self, other):
        return isinstance(other, GuardedPattern) and self._pattern == other._pattern


def guarded(value, unguarded: list, seen: dict):
    """``value`` with every regex.Pattern inside (dataclass fields, tuples, lists, dicts) guarded."""
    if isinstance(value, regex.Pattern):
        return GuardedPattern(value, unguarded)
    if id(value) in seen:
        return seen[id(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = dataclasses.replace(value, **{f.name: guarded(getattr(value, f.name), unguarded, seen)
                                            for f in dataclasses.fields(value) if f.init})
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        out = type(value)(*(guarded(v, unguarded, seen) for v in value))
    elif isinstance(value, (tuple, list)):
        out = type(value)(guarded(v, unguarded, seen) for v in value)
    elif isinstance(value, dict):
        out = type(value)(value)  # a copy of the same kind (the rules' LDict keeps its lines)
        for key, item in value.items():
            out[key] = guarded(item, unguarded, seen)
    else:
        out = value
    seen[id(value)] = out
    return out


def _designed_pdfs(folder: Path) -> list[Path]:
    """The designed-report fixtures (rating scales drawn, bands, boxes): the PDF reader's rules too."""
    from test_pdf_designed import bd  # the fixture builder, loaded as that test loads it

    return [Path(fx.path) for fx in bd.build_all(folder)]


def test_every_rule_pattern_call_on_document_text_carries_the_timeout(monkeypatch, tmp_path):
    unguarded: list[str] = []
    rules = load_rules()
    parsed = {name: guarded(value, unguarded, {}) for name, value in rules.parsed.items()}
    rules = Rules(rules.directory, rules.digest, parsed)
    joined = rules_core.alternation

    def guarded_alternation(*args, **kwargs):
        pattern = joined(*args, **kwargs)
        return pattern and GuardedPattern(pattern, unguarded)

    for module in [rules_core] + [m for name, m in list(sys.modules.items()) if name.startswith("pipeline")]:
        if getattr(module, "alternation", None) is joined:
            monkeypatch.setattr(module, "alternation", guarded_alternation)
    monkeypatch.setattr(GuardedPattern, "calls", 0)
    paths = sorted(p for p in (ROOT / "raw").iterdir() if p.suffix in (".md", ".txt") and p.name != "README.md")
    for path in paths + _designed_pdfs(tmp_path):
        extract_document(read_source(path, path.parent, InputLimits(), rules), rules)
    assert GuardedPattern.calls > 1000
    assert not unguarded, "rule patterns called without the timeout:\n" + "\n".join(sorted(set(unguarded)))

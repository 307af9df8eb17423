"""Loading and validating rules/: the patterns, term lists and rubric stages use.

Rules are data. Each file is parsed once into a frozen object and checked; every
problem in every file is collected and raised together as one ``RuleError`` whose
lines read ``rules/admin_units.yaml:14: unknown tier 'munic'``.
"""
from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import regex
import yaml

from ..errors import ExtractionTimeout, RuleError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent.parent / "rules"


# ---------------------------------------------------------------------------
# Located YAML: plain data that remembers the line each value came from.
# ---------------------------------------------------------------------------
class LDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict = {}


class LList(list):
    """A list that knows its own line and the line of each item (1-based)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.line = 0
        self.item_lines: list = []


class _LocatedLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader, node):
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class RuleChecker:
    """Collects problems of one rule file; ``where`` names it in messages."""

    def __init__(self, path: Path):
        self.path = path
        self.errors: list[str] = []

    @property
    def where(self) -> str:
        parts = self.path.parts
        return "/".join(parts[-2:]) if len(parts) >= 2 else str(self.path)

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(f"{self.where}:{line or 1}: {message}")

    # -- typed getters that report instead of raising -------------------------
    def mapping(self, data: Any, key: str, line: int | None = None, required: bool = True) -> LDict:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.error(getattr(data, "line", line), f"missing mapping '{key}'")
            return LDict()
        if not isinstance(value, dict):
            self.error(_key_line(data, key), f"'{key}' must be a mapping")
            return LDict()
        return value

    def strings(self, data: Any, key: str, required: bool = True, non_empty: bool = True) -> list[str]:
        """A list of non-empty strings under ``key``; a vacuous entry is an error."""
        value = data.get(key) if isinstance(data, dict) else None
        line = _key_line(data, key)
        if value is None:
            if required:
                self.error(getattr(data, "line", None), f"missing list '{key}'")
            return []
        if not isinstance(value, list):
            self.error(line, f"'{key}' must be a list")
            return []
        if non_empty and not value:
            self.error(line, f"'{key}' is empty")
        out = []
        for i, item in enumerate(value):
            item_line = value.item_lines[i] if isinstance(value, LList) else line
            if not isinstance(item, str) or not item.strip():
                self.error(item_line, f"'{key}' item {i + 1} must be a non-empty string, got {item!r}")
            else:
                out.append(item)
        return out

    def pattern(self, source: Any, line: int | None, flags: int = regex.IGNORECASE | regex.VERBOSE) -> regex.Pattern | None:
        """Compile a regex, refusing one that fails or matches the empty string."""
        if not isinstance(source, str) or not source.strip():
            self.error(line, f"pattern must be a non-empty string, got {source!r}")
            return None
        try:
            compiled = regex.compile(source, flags)
        except regex.error as exc:
            self.error(line, f"bad pattern {source!r}: {exc}")
            return None
        if compiled.fullmatch("") is not None:
            self.error(line, f"vacuous pattern {source!r} matches the empty string")
            return None
        return compiled

    def choice(self, value: Any, allowed, line: int | None, what: str) -> Any:
        if value not in allowed:
            self.error(line, f"unknown {what} {value!r} (expected one of {', '.join(map(str, sorted(allowed)))})")
            return None
        return value


def _key_line(data: Any, key) -> int | None:
    if isinstance(data, LDict):
        return data.key_lines.get(key, data.line)
    return None


def read_yaml(path: Path, check: RuleChecker) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LocatedLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        check.error(mark.line + 1 if mark else None, f"not valid YAML: {getattr(exc, 'problem', exc)}")
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
    return None


def read_mapping(path: Path, check: RuleChecker, what: str) -> LDict:
    """A YAML file whose top level must be a mapping (``what`` says of what); {} on any problem."""
    data = read_yaml(path, check)
    if isinstance(data, dict):
        return data
    if data is not None or not check.errors:
        check.error(getattr(data, "line", None), f"expected a mapping {what}")
    return LDict()


def read_csv(path: Path, check: RuleChecker, required_columns: list[str]) -> list[tuple[int, dict]]:
    """Rows of a CSV file with their line numbers; ``#`` lines are comments."""
    rows: list[tuple[int, dict]] = []
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            numbered = [(i + 1, line) for i, line in enumerate(fh) if not line.startswith("#") and line.strip()]
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
        return rows
    if not numbered:
        check.error(None, "no rows")
        return rows
    reader = csv.DictReader([line for _, line in numbered])
    missing = [c for c in required_columns if c not in (reader.fieldnames or [])]
    if missing:
        check.error(numbered[0][0], f"missing column(s) {', '.join(missing)}")
        return rows
    for (lineno, _), row in zip(numbered[1:], reader):
        rows.append((lineno, row))
    return rows


def read_jsonl(path: Path, check: RuleChecker) -> list[tuple[int, Any]]:
    out = []
    try:
        with open(path, encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                if not line.strip() or line.lstrip().startswith("//"):
                    continue
                try:
                    out.append((i, json.loads(line)))
                except json.JSONDecodeError as exc:
                    check.error(i, f"not valid JSON: {exc.msg}")
    except OSError as exc:
        check.error(None, f"cannot read: {exc.strerror}")
    return out


# ---------------------------------------------------------------------------
# Per-file parsers. Each takes the rules folder and a checker, returns a frozen
# object for its stage, and reports problems through the checker. The decorator
# registers it: ``rules.<name>`` is what it returns.
# ---------------------------------------------------------------------------
RULE_PARSERS: dict[str, tuple[str, Callable[[Path, RuleChecker], Any]]] = {}

# Seconds any one rule pattern may run on one text: no line can hang a worker.
# Pass it to every call of a rule pattern on document text (``bounded`` does):
# ``pattern.finditer(text, timeout=PATTERN_TIMEOUT)``. The code's own fixed patterns are
# linear and go without: the timeout costs about a microsecond a call and a match, more
# than many of those calls cost in all.
PATTERN_TIMEOUT = 2.0


def bounded(method: str, pattern: regex.Pattern, text: str, what: str, pos: int = 0):
    """Run ``pattern.<method>(text, pos)`` under PATTERN_TIMEOUT; a runaway pattern
    becomes an ExtractionTimeout naming the rule (``what``) and the text it ran on."""
    try:
        result = getattr(pattern, method)(text, pos, timeout=PATTERN_TIMEOUT)
        return list(result) if method == "finditer" else result
    except TimeoutError:
        raise ExtractionTimeout(f"{what} on {text[:60]!r}") from None


_GROUP_CALL = regex.compile(r"\\[1-9]|\\g<|\(\?P[=>]|\(\?&|\(\?[+-]?\d|\(\?R\)")  # a back-reference or a call


def alternation(patterns: list[regex.Pattern], group_prefix: str | None = None) -> regex.Pattern | None:
    """Rule patterns as one alternation, tried in order: one call finds a match where any of
    them does (and a fullmatch takes the first pattern that fullmatches), instead of one call
    each. With ``group_prefix``, alternative ``i`` is the group ``<prefix><i>``, which tells
    which pattern matched. None where they cannot be joined: flags that differ, or a group
    called by number or name, which joining would renumber."""
    if not patterns or len({p.flags for p in patterns}) != 1 or any(_GROUP_CALL.search(p.pattern) for p in patterns):
        return None
    end = "\n" if patterns[0].flags & regex.VERBOSE else ""  # a '#' comment stops at the line end
    opener = (lambda i: f"(?P<{group_prefix}{i}>") if group_prefix else (lambda i: "(?:")
    return regex.compile("|".join(f"{opener(i)}{p.pattern}{end})" for i, p in enumerate(patterns)), patterns[0].flags)


def rule_file(name: str, filename: str):
    """Register a parser for ``rules/<filename>``, loaded as ``rules.<name>``."""

    def register(parser):
        RULE_PARSERS[name] = (filename, parser)
        return parser

    return register



def compile_defines(data: Any, check: RuleChecker) -> dict[str, str]:
    """Named regex pieces from the file's ``define:`` mapping (name -> regex).

    Patterns call a piece with ``(?&name)``; the call is expanded in place as a
    non-capturing group. (A ``(?(DEFINE)...)`` prefix would do the same, but the
    regex module then runs 50-70x slower.) A broken piece is reported at its own line.
    """
    defines = data.get("define") if isinstance(data, dict) else None
    if defines is None:
        return {}
    if not isinstance(defines, dict) or not defines:
        check.error(_key_line(data, "define"), "'define' must be a non-empty mapping of name -> pattern")
        return {}
    pieces: dict[str, str] = {}
    for name, source in defines.items():
        line = _key_line(defines, name)
        if not isinstance(name, str) or not regex.fullmatch(r"[a-z][a-z0-9_]*", name):
            check.error(line, f"define name {name!r} must be snake_case")
        elif not isinstance(source, str) or not source.strip():
            check.error(line, f"define {name!r} must be a non-empty pattern")
        else:
            pieces[name] = source
    good: dict[str, str] = {}
    for name in pieces:
        try:
            expanded = expand_defines(pieces[name], pieces)
            regex.compile(expanded, regex.IGNORECASE | regex.VERBOSE)
            good[name] = pieces[name]
        except (regex.error, ValueError) as exc:
            check.error(_key_line(defines, name), f"bad define {name!r}: {exc}")
    # Broken pieces become never-matching stubs: patterns calling them are still checked for their own syntax.
    return {**{name: "(?!)" for name in pieces}, **good}


_CALL = regex.compile(r"\(\?&([a-z][a-z0-9_]*)\)")


def expand_defines(source: str, pieces: dict[str, str], depth: int = 0) -> str:
    """Replace every ``(?&name)`` by the named piece, recursively."""
    if depth > 20:
        raise ValueError("define pieces call each other in a cycle")

    def piece(m):
        name = m.group(1)
        if name not in pieces:
            raise ValueError(f"unknown piece (?&{name})")
        return "(?:" + expand_defines(pieces[name], pieces, depth + 1) + "\n)"  # newline ends a verbose comment

    return _CALL.sub(piece, source)


def _defined_pattern(check: RuleChecker, defines: dict[str, str], source: Any, line: int | None) -> regex.Pattern | None:
    """Compile ``source`` with its ``(?&name)`` calls expanded; refuses empty and vacuous patterns."""
    if not isinstance(source, str) or not source.strip():
        check.error(line, f"pattern must be a non-empty string, got {source!r}")
        return None
    try:
        expanded = expand_defines(source, defines)
    except ValueError as exc:
        check.error(line, str(exc))
        return None
    return check.pattern(expanded, line)


def _defined_patterns(check: RuleChecker, defines: dict[str, str], data: Any, key: str) -> tuple[regex.Pattern, ...]:
    """A non-empty list of patterns under ``key``, each compiled with the defines."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        check.error(_key_line(data, key) or getattr(data, "line", None), f"'{key}' must be a non-empty list of patterns")
        return ()
    out = []
    for i, source in enumerate(items):
        line = items.item_lines[i] if isinstance(items, LList) else _key_line(data, key)
        compiled = _defined_pattern(check, defines, source, line)
        if compiled is not None:
            out.append(compiled)
    return tuple(out)


# ---------------------------------------------------------------------------
# The loaded rule set
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """Every rule file, parsed and checked; ``digest`` changes when any file does."""

    directory: Path
    digest: str
    parsed: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.__dict__["parsed"][name]
        except KeyError:
            raise AttributeError(name) from None


def rules_digest(rules_dir: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in Path(rules_dir).rglob("*") if p.is_file()):
        h.update(path.relative_to(rules_dir).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def load_rules(rules_dir: Path | str | None = None) -> Rules:
    """Load and validate every rule file; raise one RuleError listing all problems."""
    rules_dir = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    if not rules_dir.is_dir():
        raise RuleError([f"{rules_dir}: rules folder not found"])
    errors: list[str] = []
    parsed = {}
    for name, (filename, parser) in RULE_PARSERS.items():
        check = RuleChecker(rules_dir / filename)
        parsed[name] = parser(rules_dir, check)
        errors.extend(check.errors)
    if errors:
        raise RuleError(errors)
    return Rules(rules_dir, rules_digest(rules_dir), parsed)

"""Admin-unit corpus measure: the stage on real sentences nobody here wrote.

``tests/corpus/admin_sentences.jsonl`` holds sentences about countries'
subnational structure, each with the rows a careful reader takes from it
(count, unit_type, tier, qualifier, is_total, part_of). Each sentence is read
as a territorial-organization section of its own, and the stage's rows are
matched to the expected rows by count, so the score says how well the rules
generalize: precision, recall and tier accuracy. ``check`` prints it; a test
holds it above the floors pinned in ``tests/corpus/admin_floors.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .admin_units import SECTION_KEY, extract_admin_units
from .document import Line, Outline, Paragraph, Section

CORPUS_FILE = Path("tests/corpus/admin_sentences.jsonl")
FLOORS_FILE = Path("tests/corpus/admin_floors.json")
MEASURES = ("precision", "recall", "tier_accuracy", "relation_accuracy")


@dataclass(frozen=True)
class CorpusSentence:
    line: int
    sentence: str
    expected: tuple[dict, ...]


@dataclass(frozen=True)
class CorpusScore:
    sentences: int
    expected: int  # rows a reader takes
    found: int  # rows the stage gives
    matched: int  # found rows with an expected row of the same count
    tier_stated: int  # matched rows whose expected tier is not null
    tier_right: int
    relations_right: int = 0  # matched rows whose is_total and part_of agree with the reader's
    misses: tuple[str, ...] = ()  # one line per missed or extra row, for reading

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def tier_accuracy(self) -> float:
        return self.tier_right / self.tier_stated if self.tier_stated else 1.0

    @property
    def relation_accuracy(self) -> float:
        return self.relations_right / self.matched if self.matched else 1.0

    def summary(self) -> str:
        return (
            f"admin-unit corpus: {self.sentences} sentences, {self.expected} expected rows, {self.found} found: "
            f"precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"tier accuracy {self.tier_accuracy:.3f} ({self.tier_right}/{self.tier_stated}), "
            f"relations (is_total, part_of) {self.relation_accuracy:.3f} ({self.relations_right}/{self.matched})"
        )


def read_corpus(path: Path) -> list[CorpusSentence]:
    """The corpus lines; a line without a sentence or expected rows is an error naming it."""
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("sentence"), str) or not isinstance(item.get("expected"), list):
            raise ValueError(f"{path}:{number}: needs a 'sentence' string and an 'expected' list")
        out.append(CorpusSentence(number, item["sentence"], tuple(item["expected"])))
    return out


def sentence_rows(sentence: str, rules) -> list[dict]:
    """The stage's rows for one sentence read as a territorial-organization section."""
    line = Line(sentence, 1, None, (), ())
    section = Section("territorial-organization", None, "TERRITORIAL ORGANIZATION", SECTION_KEY, 1, None, 0, (Paragraph((line,)),))
    result = extract_admin_units(Outline("Corpus", (section,)), rules)
    return [row.__dict__ for row in result.rows]


def match_rows(expected: tuple[dict, ...], found: list[dict]) -> list[tuple[int, int]]:
    """(expected index, found index) pairs of equal count, each row used once, in order."""
    pairs, used = [], set()
    for i, want in enumerate(expected):
        j = next((j for j, got in enumerate(found) if j not in used and got["count"] == want.get("count")), None)
        if j is not None:
            used.add(j)
            pairs.append((i, j))
    return pairs


def relation_agrees(want: dict, got: dict, pairs: list[tuple[int, int]]) -> bool:
    """is_total equal, and part_of pointing at the found row matched to the expected parent."""
    to_found = dict(pairs)
    parent = want.get("part_of")
    return bool(want.get("is_total")) == bool(got["is_total"]) and (
        got["part_of"] is None if parent is None else got["part_of"] == to_found.get(parent, -1)
    )


def score_corpus(items: list[CorpusSentence], rules) -> CorpusScore:
    expected = found = matched = tier_stated = tier_right = relations_right = 0
    misses: list[str] = []
    for item in items:
        rows = sentence_rows(item.sentence, rules)
        pairs = match_rows(item.expected, rows)
        expected += len(item.expected)
        found += len(rows)
        matched += len(pairs)
        for i, j in pairs:
            relations_right += relation_agrees(item.expected[i], rows[j], pairs)
            want = item.expected[i].get("tier")
            if want is not None:
                tier_stated += 1
                tier_right += rows[j]["tier"] == want
                if rows[j]["tier"] != want:
                    misses.append(f"line {item.line}: tier of {want!r} row {item.expected[i].get('count')}: got {rows[j]['tier']!r}")
        hit_e = {i for i, _ in pairs}
        hit_f = {j for _, j in pairs}
        misses += [f"line {item.line}: missed {e.get('count')} {e.get('unit_type')!r}" for i, e in enumerate(item.expected) if i not in hit_e]
        misses += [f"line {item.line}: extra {r['count']} {r['unit_type']!r}" for j, r in enumerate(rows) if j not in hit_f]
    return CorpusScore(len(items), expected, found, matched, tier_stated, tier_right, relations_right, tuple(misses))


def read_floors(path: Path = FLOORS_FILE) -> dict[str, float]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: float(data[k]) for k in MEASURES if k in data}


def below_floors(score: CorpusScore, floors: dict[str, float]) -> list[str]:
    """One line per measure under its pinned floor."""
    return [
        f"admin-unit corpus: {name} {getattr(score, name):.3f} below the pinned floor {floor:.3f}"
        for name, floor in floors.items()
        if getattr(score, name) + 1e-9 < floor
    ]

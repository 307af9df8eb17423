"""extract_file without rules=: the rules and the NLP pipeline are loaded once per process,
and again when a file in the rules folder changes."""
from __future__ import annotations

import shutil

import pytest

from pipeline.entities import build_nlp
from pipeline.errors import RuleError
from pipeline.extract import cached_rules, extract_file
from pipeline.rules import DEFAULT_RULES_DIR

from conftest import RAW

# A lower-case word of raw/kenya.txt no pattern names: a pattern for it shows a reloaded rule set.
MARKED_WORD = "devolution"


@pytest.fixture
def rules_dir(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, folder)
    return folder


def entity_texts(tables) -> set[tuple[str, str]]:
    return {(row["label"], row["text"]) for row in tables["entities"].to_pylist()}


def test_the_same_folder_gives_the_same_rules_and_pipeline(rules_dir):
    first = cached_rules(rules_dir)
    assert cached_rules(rules_dir) is first
    assert cached_rules(str(rules_dir)) is first
    assert build_nlp(cached_rules(rules_dir)) is build_nlp(first)


def test_default_folder_is_cached_too():
    assert cached_rules() is cached_rules(DEFAULT_RULES_DIR)


def test_an_edited_rule_file_is_picked_up(rules_dir):
    before = extract_file(RAW / "kenya.txt", rules=rules_dir)
    first = cached_rules(rules_dir)
    assert ("EVENT", MARKED_WORD) not in entity_texts(before)
    with (rules_dir / "entities.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"label": "EVENT", "pattern": "%s"}\n' % MARKED_WORD)
    edited = cached_rules(rules_dir)
    assert edited is not first
    assert build_nlp(edited) is not build_nlp(first)
    assert ("EVENT", MARKED_WORD) in entity_texts(extract_file(RAW / "kenya.txt", rules=rules_dir))


def test_a_broken_edit_fails_with_the_rule_error_not_the_old_rules(rules_dir):
    cached_rules(rules_dir)
    with (rules_dir / "entities.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"label": "NOPE", "pattern": "x"}\n')
    with pytest.raises(RuleError, match="entities.jsonl"):
        cached_rules(rules_dir)


def test_a_missing_folder_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError, match="not found"):
        cached_rules(tmp_path / "absent")


def test_an_edit_that_keeps_the_file_size_is_picked_up(rules_dir):
    """The cache looks at each file's size and time first: an edit of one character
    changes the time, and the digest then tells the rules changed."""
    import os

    first = cached_rules(rules_dir)
    path = rules_dir / "entities.jsonl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"GPE"', '"LOC"', 1), encoding="utf-8")
    assert len(path.read_bytes()) == len(text.encode("utf-8"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a later time, whatever the clock's grain
    assert cached_rules(rules_dir) is not first


def test_a_touched_but_unchanged_file_keeps_the_rules(rules_dir):
    import os

    first = cached_rules(rules_dir)
    stat = (rules_dir / "vnrs.yaml").stat()
    os.utime(rules_dir / "vnrs.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert cached_rules(rules_dir) is first

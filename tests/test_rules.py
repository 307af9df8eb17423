"""The rules loader: every problem of every file at once, each with file and line."""
from __future__ import annotations

import shutil

import pytest

from pipeline.errors import RuleError
from pipeline.rules import DEFAULT_RULES_DIR, expand_defines, load_rules, rules_digest


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target)
    return target


def errors_of(rules_dir) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load_rules(rules_dir)
    return caught.value.errors


def test_shipped_rules_load_and_have_a_digest():
    rules = load_rules()
    assert len(rules.digest) == 64
    assert rules.headings.match("SPECIFIC PROJECTS AND CASES").key == "projects_and_cases"


def test_problems_in_several_files_are_reported_together(rules_copy):
    (rules_copy / "headings.yaml").write_text(
        "headings:\n  - key: territorial_organization\n    pattern: 'territorial'\n  - key: Bad-Key\n    pattern: 'x'\n"
        "  - key: empty_one\n    pattern: '(a|)'\n  - key: broken\n    pattern: '(unclosed'\n", encoding="utf-8")
    (rules_copy / "normalize.yaml").write_text("keep_hyphen_prefixes: []\n", encoding="utf-8")
    (rules_copy / "countries.yaml").write_text("aliases:\n  Atlantis: ATL1\n", encoding="utf-8")
    errors = errors_of(rules_copy)
    assert "rules/headings.yaml:4: heading key 'Bad-Key' must be snake_case" in errors
    assert any(e.startswith("rules/headings.yaml:7: vacuous pattern") for e in errors)
    assert any(e.startswith("rules/headings.yaml:9: bad pattern '(unclosed'") for e in errors)
    assert "rules/normalize.yaml:1: 'keep_hyphen_prefixes' is empty" in errors
    assert any(e.startswith("rules/countries.yaml:2: alias 'Atlantis' needs an ISO 3166-1 alpha-3 code") for e in errors)


def test_invalid_yaml_names_its_line(rules_copy):
    (rules_copy / "normalize.yaml").write_text("keep_hyphen_prefixes:\n  - self\n  - [unclosed\n", encoding="utf-8")
    assert any(e.startswith("rules/normalize.yaml:") and "not valid YAML" in e for e in errors_of(rules_copy))


def test_missing_rule_file_and_missing_folder(rules_copy, tmp_path):
    (rules_copy / "countries.yaml").unlink()
    assert any(e.startswith("rules/countries.yaml:1: cannot read") for e in errors_of(rules_copy))
    with pytest.raises(RuleError, match="rules folder not found"):
        load_rules(tmp_path / "nowhere")


def test_digest_changes_with_any_rule_file(rules_copy):
    before = rules_digest(rules_copy)
    with open(rules_copy / "normalize.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment\n")
    assert rules_digest(rules_copy) != before


def test_define_pieces_expand_in_place_and_refuse_cycles():
    assert expand_defines("a (?&x) b", {"x": "c|d"}) == "a (?:c|d\n) b"
    with pytest.raises(ValueError, match="cycle"):
        expand_defines("(?&x)", {"x": "(?&x)"})
    with pytest.raises(ValueError, match="unknown piece"):
        expand_defines("(?&y)", {})

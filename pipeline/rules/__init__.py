"""Loading and validating rules/: the patterns, term lists and rubric stages use.

``core`` holds the machinery (line-aware YAML, the checker that collects
``rules/<file>:<line>: what`` errors, the registry, ``load_rules``); each other
module parses and checks one stage's rule files and registers its parser on import.
"""
from .admin_units import ADMIN_TIERS, AdminUnitRules
from .core import (
    DEFAULT_RULES_DIR,
    PATTERN_TIMEOUT,
    RULE_PARSERS,
    LDict,
    LList,
    RuleChecker,
    Rules,
    expand_defines,
    load_rules,
    read_csv,
    read_jsonl,
    read_yaml,
    bounded,
    rule_file,
    rules_digest,
)
from .countries import CountryRules, fold_name
from .entities import EntityGenerator, EntityPattern, EntityRules
from .headings import HeadingRule, HeadingRules, NormalizeRules
from .indicators import IndicatorTableRules, SdgIndicatorList
from .local_reviews import REVIEW_KINDS, LocalReviewRules
from .ratings import RATING_DIMENSIONS, RATING_LEVELS, RatingRules
from .vnrs import PriorityRules, VnrRules

__all__ = [
    "ADMIN_TIERS", "DEFAULT_RULES_DIR", "REVIEW_KINDS", "LocalReviewRules", "PATTERN_TIMEOUT", "RATING_DIMENSIONS", "RATING_LEVELS", "RULE_PARSERS",
    "AdminUnitRules", "CountryRules", "EntityGenerator", "EntityPattern", "EntityRules", "HeadingRule",
    "HeadingRules", "IndicatorTableRules", "LDict", "LList", "NormalizeRules", "PriorityRules", "RatingRules",
    "RuleChecker", "Rules", "SdgIndicatorList", "VnrRules", "expand_defines", "fold_name", "load_rules",
    "read_csv", "read_jsonl", "read_yaml", "rule_file", "rules_digest", "bounded",
]

"""The admin_units stage: unit counts, tiers, state structure and tier count."""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.admin_units import (
    AdminUnit,
    extract_admin_units,
    find_count_candidates,
    split_sentences,
)
from pipeline.document import Line, Marker, Outline, Paragraph, Section, Span
from pipeline.errors import RuleError
from pipeline.rules import DEFAULT_RULES_DIR, RULE_PARSERS, RuleChecker, Rules, load_rules

ROOT = Path(__file__).resolve().parent.parent
KEY = "territorial_organization"


@pytest.fixture(scope="module")
def rules() -> Rules:
    """Only this stage's rule file and normalize.yaml (the sentence splitter's
    abbreviations), so the tests do not depend on other stages' files."""
    parsed = {}
    for name in ("admin_units", "normalize"):
        filename, parser = RULE_PARSERS[name]
        check = RuleChecker(DEFAULT_RULES_DIR / filename)
        parsed[name] = parser(DEFAULT_RULES_DIR, check)
        if check.errors:
            raise RuleError(check.errors)
    return Rules(DEFAULT_RULES_DIR, "test", parsed)


def para(markup: str) -> Paragraph:
    """A one-line paragraph from light markup: ``*italic*`` and ``<sup>N</sup>`` markers."""
    text, markers, spans = "", [], []
    for piece in re.split(r"(<sup>\d+</sup>|\*[^*]+\*)", markup):
        if piece.startswith("<sup>"):
            markers.append(Marker(len(text), int(piece[5:-6])))
        elif piece.startswith("*"):
            spans.append(Span(len(text), len(text) + len(piece) - 2, "italic"))
            text += piece[1:-1]
        else:
            text += piece
    return Paragraph((Line(text, 1, None, tuple(markers), tuple(spans)),))


def section(*paragraphs: str, key: str | None = KEY, title: str = "TERRITORIAL ORGANIZATION") -> Section:
    return Section(title.lower().replace(" ", "-"), None, title, key, 1, None, 0, tuple(para(p) for p in paragraphs))


def run(rules, *paragraphs: str):
    return extract_admin_units(Outline("Testland", (section(*paragraphs),)), rules)


def brief(row: AdminUnit) -> tuple:
    return (row.tier, row.unit_type, row.local_term, row.count, row.qualifier, row.named_members)


# -- unit counts ------------------------------------------------------------------------
# (id, paragraphs, rows as (tier, unit_type, local_term, count, qualifier, named_members))
UNIT_CASES = [
    (
        "kaz-regional-term-and-members",
        ["At the regional level, the country is divided into 17 regions (*oblasts*) and 3 cities of national sub-ordination (Astana, Almaty and Shymkent)."],
        [("regional", "regions", "oblasts", 17, None, ()),
         ("regional", "cities of national sub-ordination", None, 3, None, ("Astana", "Almaty", "Shymkent"))],
    ),
    (
        "quoted-unit-with-comma-inside-quotes",
        ["At the municipal level, Kazakhstan counts 48 small “cities of district significance,” 2186 rural districts, and 4593 rural settlements (*aul*)."],
        [("municipal", "small cities of district significance", None, 48, None, ()),
         ("municipal", "rural districts", None, 2186, None, ()),
         ("municipal", "rural settlements", "aul", 4593, None, ())],
    ),
    (
        "federal-states-and-one-federal-district",
        ["Brazil is a federal republic divided into 26 states and one Federal District. At the local level, there are 5 570 municipalities."],
        [("regional", "states", None, 26, None, ()),
         ("regional", "federal district", None, 1, None, ()),
         ("municipal", "municipalities", None, 5570, None, ())],
    ),
    (
        "digit-groups-comma-space-nbsp-thin-space",
        ["The country has 2,186 villages, 34 945 communes, 1\u00a0200 towns and 3\u202f100 settlements."],
        [("sub_municipal", "villages", None, 2186, None, ()),
         ("municipal", "communes", None, 34945, None, ()),
         ("municipal", "towns", None, 1200, None, ()),
         ("municipal", "settlements", None, 3100, None, ())],  # order: municipal stays municipal
    ),
    (
        "number-words",
        ["Norway has eleven counties (fylker), twenty-six cantons, one hundred and five municipalities and a dozen cities."],
        [(None, "counties", "fylker", 11, None, ()),
         ("regional", "cantons", None, 26, None, ()),
         ("municipal", "municipalities", None, 105, None, ()),
         ("municipal", "cities", None, 12, None, ())],
    ),
    (
        "qualifiers-as-printed-abbreviation-spelled-out",
        ["There are over 300 communes, some 2,136 villages, approx. 40 districts, Almost 90 towns, at least 12 regions and more  than 1,000 settlements."],
        [("municipal", "communes", None, 300, "over", ()),
         ("sub_municipal", "villages", None, 2136, "some", ()),
         ("sub_municipal", "districts", None, 40, "approximately", ()),  # order: at the tier of the villages before it
         ("municipal", "towns", None, 90, "almost", ()),
         ("regional", "regions", None, 12, "at least", ()),
         ("intermediate", "settlements", None, 1000, "more than", ())],  # order: one tier below the regions
    ),
    (
        "nested-count-is-a-row-at-its-sets-tier",
        ["France is composed of 18 regions, including 5 overseas regions, 101 departments (including 5 overseas departments) and 34 945 municipalities."],
        [("regional", "regions", None, 18, None, ()),
         ("regional", "overseas regions", None, 5, None, ()),
         ("intermediate", "departments", None, 101, None, ()),
         ("intermediate", "overseas departments", None, 5, None, ()),
         ("municipal", "municipalities", None, 34945, None, ())],
    ),
    (
        "of-which-far-from-count-is-no-nesting",
        ["At the municipal level, there are 34 945 municipalities (*communes*), almost all of which belong to one of about 1,250 intercommunal bodies (*intercommunalités*)."],
        [("municipal", "municipalities", "communes", 34945, None, ()),
         ("municipal", "intercommunal bodies", "intercommunalités", 1250, "about", ())],
    ),
    (
        "of-which-right-before-count-is-nesting",
        ["The country has 308 municipalities, of which more than 20 cities."],
        [("municipal", "municipalities", None, 308, None, ()), ("municipal", "cities", None, 20, "more than", ())],
    ),
    (
        "four-tiers-by-ordinal",
        ["Indonesia has four levels of subnational government. First tier: 34 provinces; second tier: 416 regencies (kabupaten) and 98 cities (kota); third tier: 7,277 districts (kecamatan); fourth tier: 83,763 villages (desa/kelurahan)."],
        [("regional", "provinces", None, 34, None, ()),
         ("intermediate", "regencies", "kabupaten", 416, None, ()),
         ("intermediate", "cities", "kota", 98, None, ()),
         ("intermediate", "districts", "kecamatan", 7277, None, ()),
         ("municipal", "villages", "desa/kelurahan", 83763, None, ())],
    ),
    (
        "two-tiers-second-tier-is-municipal",
        ["The country has a two-tier system. The first tier comprises 13 regions; the second tier comprises 308 towns."],
        [("regional", "regions", None, 13, None, ()), ("municipal", "towns", None, 308, None, ())],
    ),
    (
        "upper-tier-cue-carries-to-next-sentence",
        ["The upper tier consists of 17 counties.", "There are also 3 cities with county status."],
        [("regional", "counties", None, 17, None, ()), ("regional", "cities with county status", None, 3, None, ())],
    ),
    (
        "sentence-cue-beats-noun-tier",
        ["At the intermediate level, there are 107 provinces and 14 metropolitan cities."],
        [("intermediate", "provinces", None, 107, None, ()), ("intermediate", "metropolitan cities", None, 14, None, ())],
    ),
    (
        "noun-tier-beats-carried-cue",
        ["At the regional level, there are 13 regions. These are divided into 308 municipalities and 40 districts."],
        [("regional", "regions", None, 13, None, ()),
         ("municipal", "municipalities", None, 308, None, ()),
         ("regional", "districts", None, 40, None, ())],
    ),
    (
        "trailing-cue-binds-to-its-unit",
        ["There are 17 regions at the regional level and 179 districts at the intermediate level."],
        [("regional", "regions", None, 17, None, ()), ("intermediate", "districts", None, 179, None, ())],
    ),
    (
        "national-cue-stops-carried-tier",
        ["At the municipal level, there are 85 villages.", "At the national level, 12 districts are deconcentrated units."],
        [("municipal", "villages", None, 85, None, ()), (None, "districts", None, 12, None, ())],
    ),
    (
        "first-count-of-a-territorial-sentence-is-regional",
        ["The country is divided into 120 districts."],
        [("regional", "districts", None, 120, None, ())],
    ),
    (
        "italic-noun-and-or-italic-term",
        ["The country has 14 *oblasts* and 170 districts, or *rayons*."],
        [("regional", "oblasts", "oblasts", 14, None, ()), ("intermediate", "districts", "rayons", 170, None, ())],
    ),
    (
        "capitalised-local-term-and-single-member",
        ["Germany has 16 federal states (Länder) and one federal district (Berlin)."],
        [("regional", "federal states", "Länder", 16, None, ()), ("regional", "federal district", None, 1, None, ("Berlin",))],
    ),
    (
        "explanation-in-parenthesis-is-no-term",
        ["The country has 47 counties (which are headed by elected governors)."],
        [(None, "counties", None, 47, None, ())],
    ),
    (
        "e-g-members-and-no-split-on-abbreviation",
        ["The country is divided into 10 regions (e.g. Centre, Littoral), 58 departments and 360 communes."],
        [("regional", "regions", None, 10, None, ("Centre", "Littoral")),
         ("intermediate", "departments", None, 58, None, ()),
         ("municipal", "communes", None, 360, None, ())],
    ),
    (
        "year-like-count-without-year-preposition",
        ["There are 12 towns and 1999 villages."],
        [("municipal", "towns", None, 12, None, ()), ("sub_municipal", "villages", None, 1999, None, ())],
    ),
    (
        "single-tier-hyphenated-noun",
        ["Kenya has one level of devolved government: 47 counties, divided into 290 sub-counties and approximately 1,450 wards."],
        [("municipal", "counties", None, 47, None, ()),  # one stated tier: the first count is municipal
         ("sub_municipal", "sub-counties", None, 290, None, ()),  # "divided into": one tier below
         ("sub_municipal", "wards", None, 1450, "approximately", ())],
    ),
    (
        "compound-noun-city-districts",
        ["The capital has 12 city districts."],
        [(None, "city districts", None, 12, None, ())],
    ),
]


@pytest.mark.parametrize("paragraphs, expected", [c[1:] for c in UNIT_CASES], ids=[c[0] for c in UNIT_CASES])
def test_unit_counts(rules, paragraphs, expected):
    assert [brief(r) for r in run(rules, *paragraphs).rows] == expected


def test_tier_rank_follows_tier(rules):
    four_tiers = next(c[1][0] for c in UNIT_CASES if c[0] == "four-tiers-by-ordinal")
    rows = run(rules, four_tiers).rows
    assert [(r.tier, r.tier_rank) for r in rows] == [
        ("regional", 1), ("intermediate", 2), ("intermediate", 2), ("intermediate", 2), ("municipal", 3)
    ]
    assert run(rules, "The capital has 12 city districts.").rows[0].tier_rank is None
    assert run(rules, "There are 42,000 barangays.").rows[0].tier_rank == 4


# -- how rows relate: ordinal, part_of, is_total ---------------------------------------
# (id, paragraph, rows as (count, part_of, is_total))
RELATION_CASES = [
    ("total-with-parts-after-a-colon",
     "At the municipal level, there are about 2,300 local governments of several kinds: approximately 1,160 municipalities, about 850 communes and around 300 other local bodies.",
     [(2300, None, True), (1160, 0, False), (850, 0, False), (300, 0, False)]),
    ("subset-after-including",
     "France is composed of 18 regions, including 5 overseas regions, and 34 945 municipalities.",
     [(18, None, True), (5, 0, False), (34945, None, False)]),
    ("parts-inside-a-parenthesis",
     "There are 101 departments (including 5 overseas and 2 Corsican departments) and 34 945 municipalities.",
     [(101, None, True), (5, 0, False), (2, 0, False), (34945, None, False)]),
    ("subset-with-no-unit-of-its-own",
     "The country has 17 regions, 5 of which are overseas.",
     [(17, None, True), (5, 0, False)]),
    ("only-before-a-count-of-the-same-noun",
     "The country is grouped into 17 administrative regions, but only one autonomous region has a parliament.",
     [(17, None, True), (1, 0, False)]),
    ("only-before-another-noun-is-no-subset",
     "There are 16 regions and only 2 cities.",
     [(16, None, False), (2, None, False)]),
    ("a-figure-that-includes",
     "There are 2,478 municipalities, a figure that includes 302 urban municipalities.",
     [(2478, None, True), (302, 0, False)]),
    ("a-subset-of-the-count-after-it",
     "In 48 of the 50 states, the county is the level below the state.",
     [(48, 1, False), (50, None, True)]),
    ("parts-after-with",
     "There are 11162 commune-level units with 8978 communes, 1581 wards and 603 townships.",
     [(11162, None, True), (8978, 0, False), (1581, 0, False), (603, 0, False)]),
    ("parts-in-a-parenthesis-right-after-the-unit",
     "Ukraine has 27 regions (24 oblasts, two cities with special status and one autonomous republic) and 136 raions.",
     [(27, None, True), (24, 0, False), (2, 0, False), (1, 0, False), (136, None, False)]),
    ("a-list-after-including-goes-on-with-the-same-noun",
     "There are 216 districts including 145 ordinary districts, 109 municipal districts, and six metropolitan districts.",
     [(216, None, True), (145, 0, False), (109, 0, False), (6, 0, False)]),
    ("several-kinds-under-one-count-is-a-total",
     "South Africa has 257 metropolitan, district and local municipalities and 9 provinces.",
     [(257, None, True), (9, None, False)]),
    ("a-parenthesis-after-other-words-opens-no-parts",
     "Each of the 51 provinces is divided into municipalities (324).",
     [(51, None, False), (324, None, False)]),
    ("a-colon-list-without-a-total-is-no-part",
     "Kenya has one level of devolved government, established by the 2010 Constitution: 47 counties.",
     [(47, None, False)]),
]


@pytest.mark.parametrize("paragraph, expected", [c[1:] for c in RELATION_CASES], ids=[c[0] for c in RELATION_CASES])
def test_rows_say_how_they_relate(rules, paragraph, expected):
    rows = run(rules, paragraph).rows
    assert [(r.count, r.part_of, r.is_total) for r in rows] == expected
    assert [r.ordinal for r in rows] == list(range(len(rows)))


def test_a_part_takes_the_tier_of_its_set(rules):
    rows = run(rules, "Poland has 16 voivodeships, 380 counties (including 66 cities with county rights) and 2,477 gminas.").rows
    assert [(r.count, r.tier) for r in rows] == [
        (16, "regional"), (380, "intermediate"), (66, "intermediate"), (2477, "municipal")
    ]


def test_division_places_the_divided_units_one_tier_below(rules):
    rows = run(rules, "At the municipal level, there are 149 cities, which are in turn divided into some 42,000 barangays.").rows
    assert [(r.count, r.tier) for r in rows] == [(149, "municipal"), (42000, "sub_municipal")]
    rows = run(rules, "At the regional level, there are 47 counties.", "For administrative purposes, the counties are divided into 290 sub-counties.").rows
    assert [(r.count, r.tier) for r in rows] == [(47, "regional"), (290, "intermediate")]


# -- counts sharing one head noun across a coordination ---------------------------------
# (id, paragraphs, rows as in UNIT_CASES)
SHARED_HEAD_CASES = [
    (
        "gha-three-assemblies-one-noun",
        ["At the municipal level, local government rests with the metropolitan, municipal and district assemblies (MMDAs): there are six metropolitan, 109 municipal and 146 district assemblies.<sup>2</sup>"],
        [("municipal", "metropolitan assemblies", None, 6, None, ()),
         ("municipal", "municipal assemblies", None, 109, None, ()),
         ("municipal", "district assemblies", None, 146, None, ())],
    ),
    (
        "assemblies-tier-from-their-noun",
        ["There are six metropolitan, 109 municipal and 146 district assemblies."],
        [("municipal", "metropolitan assemblies", None, 6, None, ()),
         ("municipal", "municipal assemblies", None, 109, None, ()),
         ("municipal", "district assemblies", None, 146, None, ())],
    ),
    (
        "urban-and-rural-municipalities",
        ["The country has 12 urban and 30 rural municipalities."],
        [("municipal", "urban municipalities", None, 12, None, ()), ("municipal", "rural municipalities", None, 30, None, ())],
    ),
    (
        "singular-unit-word-after-count-above-one-is-a-modifier",
        ["There are three city and 25 county councils."],
        [("municipal", "city councils", None, 3, None, ()), ("municipal", "county councils", None, 25, None, ())],
    ),
    (
        "each-count-keeps-its-qualifier",
        ["There are about 40 urban and some 300 rural communes."],
        [("municipal", "urban communes", None, 40, "about", ()), ("municipal", "rural communes", None, 300, "some", ())],
    ),
    (
        "complement-is-shared",
        ["Kazakhstan counts 3 large and 48 small cities of district significance."],
        # no cue places them, so the head noun does: cities are municipal
        [("municipal", "large cities of district significance", None, 3, None, ()),
         ("municipal", "small cities of district significance", None, 48, None, ())],
    ),
    (
        "shortest-ending-that-names-a-unit",
        ["There are 12 urban and 30 rural local government units."],
        [("municipal", "urban local government units", None, 12, None, ()),
         ("municipal", "rural local government units", None, 30, None, ())],
    ),
    (
        "trailing-cue-places-the-whole-list",
        ["There are 12 urban and 30 rural districts at the intermediate level."],
        [("intermediate", "urban districts", None, 12, None, ()), ("intermediate", "rural districts", None, 30, None, ())],
    ),
    (
        "ampersand-and-term-of-last-count-only",
        ["There are 5 urban & 20 rural municipalities (*kommuner*)."],
        [("municipal", "urban municipalities", None, 5, None, ()), ("municipal", "rural municipalities", "kommuner", 20, None, ())],
    ),
    (
        "council-after-unit-word-is-a-unit",
        ["Malta has 68 local councils and 5 regional councils."],
        [("municipal", "local councils", None, 68, None, ()), ("regional", "regional councils", None, 5, None, ())],
    ),
    # negative: nothing is glued
    (
        "year-before-list-stays-apart",
        ["In 2019, 45 municipalities and 3 regions were merged."],
        [("municipal", "municipalities", None, 45, None, ()), ("regional", "regions", None, 3, None, ())],
    ),
    (
        "comma-list-of-complete-counts-unchanged",
        ["The country has 17 regions, 179 districts."],
        [("regional", "regions", None, 17, None, ()), ("intermediate", "districts", None, 179, None, ())],
    ),
    (
        "count-without-words-of-its-own",
        ["Of the 300, 45 municipalities have a plan."],
        [("municipal", "municipalities", None, 45, None, ())],
    ),
    (
        "measure-before-comma-is-no-modifier",
        ["Within 5 years, 30 municipalities merged."],
        [("municipal", "municipalities", None, 30, None, ())],
    ),
    (
        "structure-word-is-no-modifier",
        ["It has 3 levels and 45 rural municipalities."],
        [("municipal", "rural municipalities", None, 45, None, ())],
    ),
    (
        "no-conjunction-before-last-count",
        ["The country has 12 urban, 30 rural municipalities."],
        [("municipal", "rural municipalities", None, 30, None, ())],
    ),
    (
        "last-count-without-own-word-is-not-parallel",
        ["The country has 12 urban and 30 municipalities."],
        [("municipal", "municipalities", None, 30, None, ())],
    ),
    (
        "list-longer-than-the-cap",
        ["There are 2 large old northern, 3 small old southern, 4 large new eastern and 5 small new western municipalities."],
        [("municipal", "small new western municipalities", None, 5, None, ())],
    ),
    (
        "percentages-never-share",
        ["About 40 percent rural and 60 percent urban municipalities lack a plan."],
        [],
    ),
    (
        "one-city-keeps-its-singular-noun",
        ["The country has one city and 25 county councils."],
        [("municipal", "city", None, 1, None, ()), ("municipal", "county councils", None, 25, None, ())],
    ),
    (
        "no-unit-noun-to-share",
        ["There are 6 elected and 12 appointed governors."],
        [],
    ),
]


@pytest.mark.parametrize("paragraphs, expected", [c[1:] for c in SHARED_HEAD_CASES], ids=[c[0] for c in SHARED_HEAD_CASES])
def test_counts_sharing_one_head_noun(rules, paragraphs, expected):
    assert [brief(r) for r in run(rules, *paragraphs).rows] == expected


def test_shared_head_rows_keep_sentence_evidence_and_footnotes(rules):
    sentence = "There are six metropolitan, 109 municipal and 146 district assemblies.<sup>2</sup>"
    rows = run(rules, sentence).rows
    assert {(r.evidence, r.footnotes) for r in rows} == {("There are six metropolitan, 109 municipal and 146 district assemblies.", (2,))}
    assert [r.tier_rank for r in rows] == [3, 3, 3]


def test_shared_heads_off_when_rules_have_none(rules):
    off = Rules(rules.directory, "test", {"admin_units": dataclasses.replace(rules.admin_units, shared_heads=None), "normalize": rules.normalize})
    rows = run(off, "The country has 12 urban and 30 rural municipalities.").rows
    assert [(r.unit_type, r.count) for r in rows] == [("rural municipalities", 30)]


# -- thousands written with a dot -------------------------------------------------------
# (id, sentence, rows as (unit_type, count, qualifier))
DOT_GROUP_CASES = [
    ("col-municipios", "The municipal level comprises 1.103 municipalities (*municipios*).", [("municipalities", 1103, None)]),
    ("deu-gemeinden", "At the municipal level, there are about 10.800 municipalities (Gemeinden).", [("municipalities", 10800, "about")]),
    ("two-dot-groups", "The country has 1.234.567 settlements.", [("settlements", 1234567, None)]),
    ("year-before-dot-count", "Since 2019, 5.570 municipalities report.", [("municipalities", 5570, None)]),
    # negative
    ("decimal-million", "Some 2.5 million people live in 12 regions.", [("regions", 12, None)]),
    ("decimal-with-leading-zero", "There are 0.250 municipalities per thousand people.", []),
    ("mixed-separators", "There are 1,234.567 municipalities.", []),
    ("dot-then-decimal-comma", "There are 1.103,5 municipalities.", []),
    ("two-digit-group", "There are 1.10 municipalities.", []),
    ("dot-group-without-unit", "The rate rose to 22.250 in 2020.", []),
]


@pytest.mark.parametrize("sentence, expected", [c[1:] for c in DOT_GROUP_CASES], ids=[c[0] for c in DOT_GROUP_CASES])
def test_thousands_written_with_a_dot(rules, sentence, expected):
    assert [(r.unit_type, r.count, r.qualifier) for r in run(rules, sentence).rows] == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Their powers vary from one province to another.", []),
        ("There are about 850 communes and around 300 other local bodies.",
         [("communes", 850, "about"), ("other local bodies", 300, "around")]),
        ("There are over 255,000 gram panchayats and around 4,800 urban local bodies.",
         [("gram panchayats", 255000, "over"), ("urban local bodies", 4800, "around")]),
        ("There are 25 regional governments and some 2,800 populated centres.",
         [("regional governments", 25, None), ("populated centres", 2800, "some")]),
    ],
    ids=["one-to-another-is-no-count", "local-bodies", "panchayats", "regional-governments-and-populated-centres"],
)
def test_idioms_and_local_bodies(rules, sentence, expected):
    assert [(r.unit_type, r.count, r.qualifier) for r in run(rules, sentence).rows] == expected


@pytest.mark.parametrize(
    "sentence, printed",
    [("The budget is 2.5 million.", []), ("It was adopted in 2019.", ["2019"]), ("Law 3.100 applies.", ["3.100"])],
    ids=["decimal-is-no-count", "year-before-period", "label-dot-group"],
)
def test_dot_groups_in_candidates(rules, sentence, printed):
    found = [c for c in find_count_candidates(section(sentence), rules.admin_units, rules.normalize.abbreviations)]
    assert [c.printed for c in found] == printed
    assert run(rules, sentence).rows == ()


# -- numbers that are not unit counts ---------------------------------------------------
# (id, sentence, printed number, reason)
NOT_UNIT_CASES = [
    ("year-after-in", "Elections were held in 2021, the first in decades.", "2021", "year"),
    ("year-before-unit-noun", "Since 2013 municipalities have elected their mayors.", "2013", "year"),
    ("people", "Discussions engaged more than 2,500 citizens including representatives of civil society.", "2,500", "no_unit_noun"),
    ("heads-of-administrations", "The reform led to the first direct elections of over 700 rural heads of local administrations.", "700", "no_unit_noun"),
    ("percent-sign", "The share of women was 22 % in local councils.", "22", "percent"),
    ("percent-of-municipalities", "About 30 percent municipalities lack a plan.", "30", "percent"),
    ("indicators", "The national list includes 262 indicators.", "262", "no_unit_noun"),
    ("sdgs", "All the 17 SDGs are covered.", "17", "no_unit_noun"),
    ("money", "The fund gave USD 5 municipalities grants.", "5", "money"),
    ("sdg-label", "SDG 11 cities are a priority.", "11", "label"),
    ("range-dash", "Some 10–20 municipalities merge each year.", "20", "range"),
    ("range-to", "From 10 to 20 municipalities merge each year.", "20", "range"),
    ("compound-noun", "In 2019, 15 district hospitals were renovated.", "15", "compound_noun"),
    ("bare-councils-count-no-units", "The mayor chairs 12 councils and boards.", "12", "no_unit_noun"),
    ("people-in-regions", "Some 3 million people live in regions.", "3", "no_unit_noun"),
]


@pytest.mark.parametrize("sentence, printed, reason", [c[1:] for c in NOT_UNIT_CASES], ids=[c[0] for c in NOT_UNIT_CASES])
def test_numbers_that_are_not_unit_counts(rules, sentence, printed, reason):
    candidates = {c.printed: c for c in find_count_candidates(section(sentence), rules.admin_units, rules.normalize.abbreviations)}
    assert candidates[printed].reason == reason
    assert run(rules, sentence).rows == ()


@pytest.mark.parametrize(
    "sentence",
    ["The country has a three-tiered structure.", "Clinics are within a 20-minute walk.", "It is the 2nd region to adopt it.", "The rate rose to 22.2 in 2020."],
    ids=["three-tiered", "twenty-minute", "ordinal", "decimal"],
)
def test_hyphenated_ordinal_and_decimal_numbers_are_no_candidates(rules, sentence):
    printed = [c.printed for c in find_count_candidates(section(sentence), rules.admin_units, rules.normalize.abbreviations)]
    assert all(p in {"2020"} for p in printed), printed


# -- sentences, footnotes, evidence -----------------------------------------------------
def test_footnote_after_final_period_belongs_to_its_sentence(rules):
    rows = run(
        rules,
        "At the regional level, there are 17 regions (*oblasts*).<sup>1</sup> At the intermediate level, there are 179 districts<sup>2</sup> and 37 cities.<sup>3</sup>",
    ).rows
    assert [(r.count, r.footnotes) for r in rows] == [(17, (1,)), (179, (2, 3)), (37, (2, 3))]
    assert rows[0].evidence == "At the regional level, there are 17 regions (oblasts)."
    assert rows[1].evidence == "At the intermediate level, there are 179 districts and 37 cities."


def test_sentences_split_at_paragraphs_and_not_at_abbreviations(rules):
    sec = section("Units (e.g. Almaty) count 3 cities. No. 5 is a law", "second paragraph")
    texts = [s.text for s in split_sentences(sec, rules.normalize.abbreviations)]
    assert texts == ["Units (e.g. Almaty) count 3 cities.", "No. 5 is a law", "second paragraph"]


# -- state structure and tier count -----------------------------------------------------
@pytest.mark.parametrize(
    "sentence, structure",
    [
        ("Kazakhstan is a unitary country with a three-tiered subnational government structure.", "unitary"),
        ("Portugal is a decentralised unitary state.", "unitary"),
        ("Brazil is a federal republic.", "federal"),
        ("Switzerland is a federation of 26 cantons.", "federal"),
        ("Spain is a unitary country, though quasi-federal in practice.", "unitary"),
        ("The capital is a Federal District.", None),
        ("The country has 13 regions.", None),
    ],
    ids=["unitary-country", "unitary-state", "federal-republic", "federation-of", "quasi-federal", "federal-district-only", "silent"],
)
def test_state_structure(rules, sentence, structure):
    assert run(rules, sentence).state_structure == structure


def test_conflicting_structure_takes_first_and_warns(rules):
    result = run(rules, "Once a federal republic, the country is now a unitary state.")
    assert result.state_structure == "federal"
    assert any("both federal and unitary" in w for w in result.warnings)


@pytest.mark.parametrize(
    "sentence, tiers",
    [
        ("It has a three-tiered subnational government structure.", 3),
        ("It has a two-tier system of local government.", 2),
        ("Local government is organised in 3 tiers.", 3),
        ("There are four levels of subnational government.", 4),
        ("There is a single tier of local government.", 1),
        ("Kenya has one level of devolved government.", 1),
        ("Local government has three levels below the regions.", 3),
        ("It is a three-tier federal system: federal, state and local.", 2),
        ("There are three levels of government.", None),
        ("Each tier of government is subordinate to the tier above.", None),
    ],
    ids=["three-tiered", "two-tier", "3-tiers", "four-levels", "single-tier", "one-level-devolved", "local-government-has-levels",
         "national-tier-listed",
         "levels-of-government", "no-number"],
)
def test_subnational_tiers(rules, sentence, tiers):
    assert run(rules, sentence).subnational_tiers == tiers


# -- which section ----------------------------------------------------------------------
def test_reads_the_territorial_section_else_the_first(rules):
    other = section("The 2022 VNR covers 14 regions.", key="national_strategies", title="NATIONAL STRATEGIES")
    territorial = section("The country has 17 regions.")
    rows = extract_admin_units(Outline("X", (other, territorial)), rules).rows
    assert [r.count for r in rows] == [17]
    untitled = section("The country has 5 provinces.", key=None, title="OVERVIEW")
    assert [r.count for r in extract_admin_units(Outline("X", (untitled, other)), rules).rows] == [5]
    assert extract_admin_units(Outline("X", ()), rules).rows == ()


# -- the real profile -------------------------------------------------------------------
def _kazakhstan_section() -> Section:
    """The territorial section of raw/kazakhstan.md, built from its markdown paragraphs."""
    raw = (ROOT / "raw" / "kazakhstan.md").read_text(encoding="utf-8")
    body = raw.split("## TERRITORIAL ORGANIZATION", 1)[1].split("\n## ", 1)[0]
    return section(*[p.strip() for p in body.split("\n\n") if p.strip()])


def test_kazakhstan_matches_golden(rules):
    result = extract_admin_units(Outline("Kazakhstan", (_kazakhstan_section(),)), rules)
    golden = [json.loads(line) for line in (ROOT / "tests/golden/KAZ/admin_units.jsonl").read_text(encoding="utf-8").splitlines()]
    got = [{k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(r).items()} for r in result.rows]
    assert [{k: row.get(k) for k in want} for row, want in zip(got, golden)] == golden  # the golden's columns
    assert len(got) == len(golden)
    assert len(got) == 9
    profile = json.loads((ROOT / "tests/golden/KAZ/profiles.jsonl").read_text(encoding="utf-8"))
    assert (result.state_structure, result.subnational_tiers) == (profile["state_structure"], profile["subnational_tiers"])
    assert result.warnings == ()


# -- the rule file ----------------------------------------------------------------------
def test_broken_rule_file_fails_with_file_and_line(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    text = (DEFAULT_RULES_DIR / "admin_units.yaml").read_text(encoding="utf-8")
    text = (
        text.replace("  - tier: intermediate\n", "  - tier: munic\n")
        .replace("same_unit_subset: '", "same_unit_subset: '(?:")
        .replace("  - '\\s+ with \\s+ (?:[\\w-]+\\s+){0,2}? (?:status|rights|powers|prerogatives)\\b'", "  - '(x?)'")
        .replace("    - commune\n", "    - ''\n")
        .replace("  - name: percent\n", "  - name: Percent Sign\n")
        .replace("{approx.: approximately,", "{approx.: approximatly,")
    )
    (rules_dir / "admin_units.yaml").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line_of = lambda needle: next(i for i, line in enumerate(lines, 1) if line.startswith(needle))  # noqa: E731
    with pytest.raises(RuleError) as exc:
        load_rules(rules_dir)
    errors = [e for e in exc.value.errors if e.startswith("rules/admin_units.yaml:")]
    vacuous, empty_noun = line_of("  - '(x?)'"), line_of("    - ''")
    expected = [
        f"rules/admin_units.yaml:{line_of('  - tier: munic')}: unknown tier 'munic'",
        f"rules/admin_units.yaml:{line_of('same_unit_subset:')}: bad pattern",
        f"rules/admin_units.yaml:{vacuous}: vacuous pattern",
        f"rules/admin_units.yaml:{empty_noun}: 'municipal' item",
        f"rules/admin_units.yaml:{line_of('  - name: Percent Sign')}: not_counts name 'Percent Sign' must be snake_case",
        f"rules/admin_units.yaml:{line_of('qualifier_aliases:')}: qualifier alias 'approx.' names 'approximatly'",
    ]
    for prefix in expected:
        assert any(e.startswith(prefix) for e in errors), (prefix, errors)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('thousands_separators: [",", " ",', 'thousands_separators: [",", "ab",', "a thousands separator is one character"),
        ('thousands_separators: [",", " ",', 'thousands_separators: [",", "0",', "a thousands separator is one character"),
        ("  max_words: 16", "  max_words: 0", "'max_words' must be an integer 3-40"),
        ("  list_link: '\\s* , \\s*'", "  list_link: '\\s*'", "vacuous pattern"),
        ("  max_words: 16", "  max_words: 16\n  gap: 3", "unknown shared_heads key 'gap'"),
        ("  changed_to: '\\b to \\s+ $'", "  changed_to: '\\b to \\s+ $'\n  numbr_of: 'x'", "unknown unit_elsewhere key 'numbr_of'"),
        ("status_peers: [city,", "status_peers: [[city],", "'status_peers'"),
        ("modifier_tiers:\n  regional:", "modifier_tiers:\n  regionall:", "unknown tier 'regionall'"),
    ],
    ids=["two-chars", "digit", "max-words", "vacuous-link", "unknown-key", "unknown-unit-elsewhere", "peers-not-words", "modifier-tier"],
)
def test_bad_separator_or_shared_head_rule_fails_with_line(tmp_path, old, new, message):
    text = (DEFAULT_RULES_DIR / "admin_units.yaml").read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    (tmp_path / "admin_units.yaml").write_text(text, encoding="utf-8")
    check = RuleChecker(tmp_path / "admin_units.yaml")
    RULE_PARSERS["admin_units"][1](tmp_path, check)
    needle = new.split("\n")[-1]
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith(needle))
    assert len(check.errors) == 1 and check.errors[0].startswith(f"{tmp_path.name}/admin_units.yaml:{line}: {message}"), check.errors


def test_number_placeholder_is_required_in_tier_count_patterns(tmp_path):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    text = (DEFAULT_RULES_DIR / "admin_units.yaml").read_text(encoding="utf-8")
    text = text.replace("  - '(?<![\\w-]){number} [\\s-]+ tier(?:s|ed)?\\b'", "  - 'three [\\s-]+ tiered'")
    (rules_dir / "admin_units.yaml").write_text(text, encoding="utf-8")
    check = RuleChecker(rules_dir / "admin_units.yaml")
    RULE_PARSERS["admin_units"][1](rules_dir, check)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("  - 'three"))
    assert check.errors == [f"rules/admin_units.yaml:{line}: a subnational_tiers pattern must contain '{{number}}' exactly once"]


# -- counts from the shape of the statement (issue 13) ---------------------------------
# (id, paragraph, rows as (tier, unit_type, count)); the nouns here are in no rule list.
SHAPE_CASES = [
    ("unlisted-noun-in-a-territorial-sentence",
     "Sri Lanka is divided into 9 provinces and 331 divisional secretariats.",
     [("regional", "provinces", 9), ("intermediate", "divisional secretariats", 331)]),
    ("local-language-noun",
     "Thailand's provinces are divided into 878 amphoe and 7,255 tambon.",
     [("intermediate", "amphoe", 878), ("municipal", "tambon", 7255)]),  # provinces are divided: one tier below
    ("one-count-for-a-coordinated-list-of-kinds",
     "Sri Lanka has 341 municipal, urban and divisional councils at the local level.",
     [("municipal", "municipal, urban and divisional councils", 341)]),
    ("modifier-gives-an-unlisted-noun-its-tier",
     "There are currently a total of 774 local area councils in Nigeria.",
     [("municipal", "local area councils", 774)]),
    ("participle-ends-the-phrase",
     "There are 36 divisional secretariats divided in Central Province.",
     [("regional", "divisional secretariats", 36)]),
    ("known-modifier-then-unlisted-head",
     "At the intermediate level, the 25 districts are administered through 25 District Secretariats.",
     [("intermediate", "districts", 25), ("intermediate", "district secretariats", 25)]),
    ("no-territorial-context-no-unlisted-noun",
     "The association trained 45 facilitators.",
     []),
    ("not-a-unit-people-seats-years-members",
     "The country is divided into 14 regions with 12 million inhabitants, 120 seats, 25 years and 300 members.",
     [("regional", "regions", 14)]),
    ("a-year-names-a-law",
     "The territory is organized by the 2014 Village Law and the 1992 Districts of Kenya.",
     []),
    ("a-bound-is-no-count",
     "Each LGA is further subdivided into a minimum of ten and a maximum of twenty wards.",
     []),
    ("a-former-structure-is-no-count",
     "This system replaced the previous provincial structure, which consisted of eight provinces.",
     []),
    ("ordinal-counted-from-the-national-level",
     "The eight provinces have been replaced by the 47 counties that are the second level of governance after the national government.",
     [("regional", "counties", 47)]),
    ("singular-count-of-a-plural-noun-is-none",
     "Corsica and Martinique are single territorial collectivities.",
     []),
]


SHAPE_CASES += [
    ("count-in-parenthesis-after-its-noun",
     "The local levels include metropolises (6), sub metropolises (11), municipalities (276) & gaupalikas (460).",
     [("municipal", "metropolises", 6), ("municipal", "sub metropolises", 11), ("municipal", "municipalities", 276), ("municipal", "gaupalikas", 460)]),
    ("of-which-there-are",
     "The top tier consists of regional councils, of which there are eleven.",
     [("regional", "regional councils", 11)]),
    ("count-then-are-then-its-noun",
     "Of these, 19 are counties and 22 are so-called urban counties.",
     [(None, "counties", 19), (None, "urban counties", 22)]),
    ("unit-level-cue-inside-the-phrase",
     "As of 2017, China administers 33 provincial-level regions, 334 prefecture-level divisions and 41,034 township-level administrations.",
     [("regional", "provincial-level regions", 33), ("intermediate", "prefecture-level divisions", 334), ("municipal", "township-level administrations", 41034)]),
    ("units-not-the-country-divided",
     "The counties are further subdivided into 174 districts.",
     [("intermediate", "districts", 174)]),
    ("not-administrative-units",
     "The provinces are organized into 7 regions for census purposes; however, they do not represent an administrative structure.",
     []),
    ("vague-scale-word-and-dates-and-ranges",
     "Since the election of 3 August 2016, there are several thousand union councils and as few as 3 or as many as 30 villages per commune.",
     []),
    ("three-lower-tiers-is-no-count",
     "Pakistan has three lower tiers of government.",
     []),
    ("a-city-with-a-status-listed-with-regional-units",
     "Vietnam is divided into 63 provinces and five centrally governed cities.",
     [("regional", "provinces", 63), ("regional", "centrally governed cities", 5)]),
    ("the-number-changed-to",
     "In 2006, the number of districts was reduced from 106 to 30.",
     [(None, "districts", 30)]),
    ("a-lone-second-level-is-intermediate",
     "In Morocco, the 75 second-level administrative subdivisions are 13 prefectures and 62 provinces.",
     [("intermediate", "second-level administrative subdivisions", 75), ("intermediate", "prefectures", 13), ("intermediate", "provinces", 62)]),
    ("former-period-and-one-of",
     "From 1985 to 1994 it was divided into eleven island regions. Ho Chi Minh City is one of the five centrally governed cities.",
     [("municipal", "centrally governed cities", 5)]),  # no regional count beside it: the noun's tier
    ("unlisted-councils-are-local-government-bodies",
     "In mainland Tanzania there are 25 regions, 40 urban councils and 132 rural district councils.",
     [("regional", "regions", 25), ("municipal", "urban councils", 40), ("municipal", "rural district councils", 132)]),
    ("a-lone-second-level-yields-to-a-municipal-noun",
     "The second level of subdivision consists of 342 municipalities.",
     [("municipal", "municipalities", 342)]),
    ("a-number-per-unit",
     "The regions have 8-12 sectors each, and the cells are divided into about 10 umudugudus each.",
     []),
]


@pytest.mark.parametrize("paragraph, expected", [c[1:] for c in SHAPE_CASES], ids=[c[0] for c in SHAPE_CASES])
def test_counts_from_the_shape_of_the_statement(rules, paragraph, expected):
    assert [(r.tier, r.unit_type, r.count) for r in run(rules, paragraph).rows] == expected


def test_the_not_counts_screen_passes_only_numbers_no_rule_rejects(rules):
    """The joined screen answers "no rule holds" for a number only where trying every
    not_counts rule in turn finds none: on every number the count pattern finds in the
    samples, and on numbers in the contexts each rule names."""
    from pipeline import admin_units as module

    r = rules.admin_units
    root = Path(__file__).resolve().parent.parent / "raw"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md")))
    text += (" in 2019 there were 12 regions; SDG 11 and 14; $ 40 million; 3 to 5 cities; between 4 and 9;"
             " each of the 12 regions; their 17 districts; 5 January; 4 % of; from 12 to 14 provinces")
    screened = rejected = 0
    for found in r.count.finditer(text):
        value = module.parse_count(found.group(), r)
        if module._no_rule_can_hold(text, found.start(), found.end(), r.not_counts):
            screened += 1
            saved = module._no_rule_can_hold
            try:
                module._no_rule_can_hold = lambda *args: False  # every rule in turn
                assert module.reject_reason(text, found.start(), found.end(), value, r) in (None, "out_of_range")
            finally:
                module._no_rule_can_hold = saved
        else:
            rejected += 1
    assert screened > 200 and rejected > 50  # both answers were put to the test


def _sample_texts() -> list[str]:
    """Every sample the mechanism tests hold a faster way to the plain one on: each raw
    profile whole, each of its paragraphs, and every sentence of the admin corpus."""
    texts = []
    for path in sorted((ROOT / "raw").iterdir()):
        if path.suffix in (".md", ".txt") and path.name != "README.md":
            whole = path.read_text(encoding="utf-8")
            texts += [whole] + [p for p in whole.split("\n\n") if p.strip()]
    with open(ROOT / "tests" / "corpus" / "admin_sentences.jsonl", encoding="utf-8") as lines:
        texts += [json.loads(line)["sentence"] for line in lines if line.strip()]
    return texts


def test_first_match_is_the_first_of_each_pattern_searched_alone(rules):
    """One search of the patterns joined finds what searching each pattern and taking the
    earliest match (the lower index on a tie) finds: the same pattern, the same match."""
    from pipeline.admin_units import first_match

    r = rules.admin_units
    groups = [r.subnational_tiers, tuple(p for _, p in r.state_structure), tuple(c.pattern for c in r.tier_cues)]
    hits = 0
    for text in _sample_texts():
        for patterns in groups:
            found = [(m.start(), i, m) for i, p in enumerate(patterns) for m in [p.search(text)] if m]
            expected = min(found, key=lambda f: f[:2]) if found else None
            got = first_match(text, patterns)
            if expected is None:
                assert got is None
                continue
            hits += 1
            assert got[0] == expected[1] and got[1].span() == expected[2].span()
            assert got[1].groupdict().get("n") == expected[2].groupdict().get("n")
    assert hits > 150  # the samples put the joined search to the test


def test_the_count_pattern_guards_change_no_match(rules):
    """The count pattern's guards (a leading \\b, then a lookahead for the first characters,
    which the tier-count patterns' number has too) are implied by the rest: every character
    a number word can start with, in any case, is a word character and one the lookahead
    lets pass; and the patterns without them find the same counts in every sample."""
    import regex

    r = rules.admin_units
    firsts = "".join(sorted({w[0] for w in r.number_values}))
    guard = rf"(?=[\d{regex.escape(firsts)}])"
    assert r.count.pattern.startswith(r"\b(?<![\w.,-])" + guard)
    every_character = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    literal_starts = set(regex.findall("|".join(regex.escape(f) for f in firsts), every_character, regex.IGNORECASE))
    assert len(literal_starts) >= 2 * len(firsts) and all(regex.fullmatch(r"\w", c) for c in literal_starts)
    passes = regex.compile(guard, regex.IGNORECASE)
    assert all(passes.match(c) for c in literal_starts)
    unguarded = regex.compile(r.count.pattern[2:].replace(guard, "", 1), r.count.flags)
    assert "(?=" not in unguarded.pattern[:20]
    tier_counts = [(p, regex.compile(p.pattern.replace("(?P<n>" + guard, "(?P<n>", 1), p.flags)) for p in r.subnational_tiers]
    assert all(guard not in plain.pattern for _, plain in tier_counts)
    found = 0
    for text in _sample_texts():
        spans = [m.span() for m in r.count.finditer(text)]
        assert spans == [m.span() for m in unguarded.finditer(text)]
        found += len(spans)
        for pattern, plain in tier_counts:  # the tier-count patterns' {number} has the lookahead too
            assert [(m.span(), m.group("n")) for m in pattern.finditer(text)] == [(m.span(), m.group("n")) for m in plain.finditer(text)]
    assert found > 1000


def test_tokens_ahead_are_the_tokens_of_the_whole_rest(rules):
    """Tokenized a stretch at a time, the tokens after a count are those of the whole rest of
    the sentence, token by token: after every other number end and word start of the samples, and
    where a special case (":)", "a.m.", "'em") stands at the cut."""
    from pipeline.admin_units import TokensAhead, _CHUNKS_AHEAD, _tokens

    import regex

    texts = _sample_texts() + [
        "with 3 regions :) and more", "about 5 a.m. districts here", "four 'em councils and", "12 : ) x y z",
        "7 provinces (oblasts), 2 cities.[1] and", "9 sub - counties : - ) go on", "40 and/or 50 wards and so on",
    ]
    starts = regex.compile(r"(?<=\d)(?!\d)|(?<!\S)(?=\S)")
    checked = 0
    for text in texts:
        for start in sorted({m.start() for m in starts.finditer(text)})[::2] if len(text) < 3000 else []:
            limit = min(len(text), start + 400)
            whole = _tokens(text, start, limit)
            ahead = TokensAhead(text, start, limit)
            assert [ahead.get(k) for k in range(len(whole) + 1)] == whole + [None]
            checked += len(whole) > 2 * _CHUNKS_AHEAD
    assert checked > 1000


def test_words_after_read_in_one_scan_as_match_by_match(rules):
    """The words after a place, read with one scan, are those read match by match from there:
    at every seventh place of every sample, for several word counts."""
    from pipeline.admin_units import _TOKEN, _words_after

    def match_by_match(text, pos, limit, most):
        words = []
        while len(words) < most:
            m = _TOKEN.match(text, pos, limit)
            if m is None or m.group("other"):
                break
            if m.group("word"):
                words.append((m.group("word").lower(), m.start("word"), m.end("word")))
            pos = m.end()
        return words

    read = 0
    for text in _sample_texts():
        for pos in range(0, len(text), 7):
            for most in (0, 1, 4, 9):
                limit = min(len(text), pos + 150)
                words = _words_after(text, pos, limit, most)
                assert words == match_by_match(text, pos, limit, most)
                read += len(words)
    assert read > 10000

"""Cases: items of SPECIFIC PROJECTS AND CASES and the places each names."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import KAZ_HEADINGS, raw_sections, section

from pipeline.cases import Case, extract_cases
from pipeline.document import Outline, Section
from pipeline.entities import Entity, extract_entities

GOLDEN = Path(__file__).resolve().parent / "golden" / "KAZ" / "cases.jsonl"


def cases_outline(*paragraphs: str, key: str = "projects_and_cases") -> Outline:
    return Outline("Testland", (section(["Intro text."], "2.2", ordinal=0), section(list(paragraphs), "2.3", key, 1)))


def ent(sec: Section, text: str, label: str = "GPE", nth: int = 0) -> Entity:
    """An entity over the nth occurrence of ``text`` in the section."""
    start = -1
    for _ in range(nth + 1):
        start = sec.text.index(text, start + 1)
    return Entity(sec.section_id, text, label, start, start + len(text), "ruler")


def test_kazakhstan_matches_golden(rules):
    outline = raw_sections(KAZ_HEADINGS)
    got = [
        {"ordinal": c.ordinal, "places": list(c.places), "text": c.text}
        for c in extract_cases(outline, extract_entities(outline, rules))
    ]
    expected = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert got == expected


@pytest.mark.parametrize(
    "paragraphs,expected_texts",
    [
        (["**Almaty** did this.", "**Astana** did that."], ["Almaty did this.", "Astana did that."]),
        (["- Nakuru built roads.", "• Kisumu built schools."], ["Nakuru built roads.", "Kisumu built schools."]),
        (["1. Nakuru built roads.", "2) Kisumu built schools."], ["Nakuru built roads.", "Kisumu built schools."]),
        (["Nakuru built roads and", "schools in two years."], ["Nakuru built roads and schools in two years."]),
        (["Nakuru built roads.", "then schools followed."], ["Nakuru built roads. then schools followed."]),
        (["The VNR lists these initiatives:", "Nakuru built roads."], ["Nakuru built roads."]),
        (["Not applicable."], []),
        (["No information available."], []),
        (["There is no reference to locally-led initiatives."], []),
        (["There is no doubt Nakuru built roads.", "Kisumu built schools."],
         ["There is no doubt Nakuru built roads.", "Kisumu built schools."]),
    ],
    ids=["bold-led", "dash-and-dot-bullets", "numbered", "broken-sentence-joined", "lowercase-continuation",
         "lead-in-dropped", "not-applicable", "no-information", "no-reference", "negation-among-items-kept"],
)
def test_items(paragraphs, expected_texts):
    cases = extract_cases(cases_outline(*paragraphs), ())
    assert [c.text for c in cases] == expected_texts
    assert [c.ordinal for c in cases] == list(range(len(expected_texts)))


def test_places_bold_then_entities_in_order_deduplicated():
    outline = cases_outline(
        "In **Shymkent city** and in Aktobe, then Shymkent again and Aktobe again.",
        "The **SDG Coordination Council** of **localization** met in Kisumu.",
    )
    sec = outline.get("2.3")
    entities = (
        ent(sec, "Shymkent"),  # inside the bold name: not repeated
        ent(sec, "Aktobe"),
        ent(sec, "Shymkent", nth=1),  # same string as the entity above, outside bold: kept once
        ent(sec, "Aktobe", nth=1),  # exact duplicate string: dropped
        ent(sec, "SDG Coordination Council", "ORG"),  # bold ORG: not a place
        ent(sec, "Kisumu", "LOC"),
        Entity("2.2", "Intro", "GPE", 0, 5, "ruler"),  # another section: ignored
    )
    cases = extract_cases(outline, entities)
    assert cases == (
        Case(0, ("Shymkent city", "Aktobe", "Shymkent"), sec.text[: sec.text.index(" The SDG")]),
        Case(1, ("Kisumu",), "The SDG Coordination Council of localization met in Kisumu."),
    )


def test_bold_trimmed_of_punctuation():
    outline = cases_outline("**Almaty,** and **Astana.** work together.")
    assert extract_cases(outline, ())[0].places == ("Almaty", "Astana")


def test_only_place_entities_count():
    outline = cases_outline("In 2020 the Ministry of Health worked in Nakuru.")
    sec = outline.get("2.3")
    entities = (ent(sec, "2020", "DATE"), ent(sec, "Ministry of Health", "ORG"), ent(sec, "Nakuru"))
    assert extract_cases(outline, entities)[0].places == ("Nakuru",)


def test_no_projects_section_gives_no_cases():
    assert extract_cases(cases_outline("Almaty did this.", key="covid_19"), ()) == ()


def test_sub_sections_of_projects_are_items_too():
    parent = section(["**Almaty** did this."], "2.3", "projects_and_cases", 0)
    child = Section("2.3/urban", None, "Urban", None, 3, "2.3", 1, section(["**Astana** did that."]).paragraphs)
    other = section(["Nothing here."], "2.4", "local_reviews", 2)
    cases = extract_cases(Outline("Testland", (parent, child, other)), ())
    assert [(c.places, c.text) for c in cases] == [(("Almaty",), "Almaty did this."), (("Astana",), "Astana did that.")]


def plain_outline(*paragraphs: str, elsewhere: str = "") -> Outline:
    """A plain-text profile: no bold anywhere; ``elsewhere`` is text of another section."""
    other = section([elsewhere or "Intro text."], "2.2", ordinal=0)
    return Outline("Testland", (other, section(list(paragraphs), "2.3", "projects_and_cases", 1)))


@pytest.mark.parametrize(
    "paragraph,elsewhere,expected",
    [
        ("Asker merged with Røyken and Hurum in 2020.", "", ("Asker", "Røyken", "Hurum")),
        ("Trondheim hosts the centre.", "", ("Trondheim",)),
        ("São Bernardo do Campo built roads.", "", ("São Bernardo do Campo",)),
        ("Participatory budgeting began.", "Cities use participatory budgeting.", ()),  # word seen in lower case
        ("KS runs a network.", "", ()),  # an acronym, not a place
        ("The county grew, as Article 5 allows.", "", ()),
        ("Local plans and Budgets grew.", "budgets and local plans", ()),
    ],
    ids=["lead-and-list", "lead-only", "lead-with-particle", "common-word", "acronym", "name-before-number",
         "no-list-of-common-words"],
)
def test_plain_text_names(paragraph, elsewhere, expected):
    assert extract_cases(plain_outline(paragraph, elsewhere=elsewhere), ())[0].places == expected


@pytest.mark.parametrize(
    "paragraph,expected",
    [
        ("**Strasbourg** works with Kehl, across the border in Germany.", ("Strasbourg", "Kehl", "Germany")),
        ("**Almaty** hosts SDG-related events in Article 5 areas.", ("Almaty",)),
        ("Projects were located in **Shymkent city** and in Aktau.", ("Shymkent city", "Aktau")),
        ("Aktau adopted a plan.", ()),  # with bold in the profile, only prepositions signal a name
    ],
    ids=["after-with", "no-acronym-or-reference", "bold-wins-over-name", "no-lead-rule-with-bold"],
)
def test_names_after_place_prepositions(paragraph, expected):
    outline = cases_outline(paragraph, "**Bold** elsewhere.")
    sec = outline.get("2.3")
    entities = (ent(sec, "Germany"),) if "Germany" in sec.text else ()
    assert extract_cases(outline, entities)[0].places == expected

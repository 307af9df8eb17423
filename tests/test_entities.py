"""Entities: rule patterns, conflict rules, the model-merge path and rules/entities.jsonl checks."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import regex
import spacy
from conftest import KAZ_HEADINGS, raw_sections, section
from spacy.language import Language

from pipeline import entities as E
from pipeline.document import Outline
from pipeline.entities import (
    Candidate,
    Entity,
    build_nlp,
    extract_entities,
    longest_first,
)
from pipeline.errors import RuleError
from pipeline.rules import DEFAULT_RULES_DIR, load_rules


# -- builders ---------------------------------------------------------------------------
def outline(*texts: str, country: str | None = None) -> Outline:
    return Outline(country, tuple(section([t], str(i), ordinal=i) for i, t in enumerate(texts)))


def found(text: str, country: str | None = None, rules=None) -> list[tuple[str, str]]:
    return [(e.label, e.text) for e in extract_entities(outline(text, country=country), rules)]


# -- inline examples --------------------------------------------------------------------
EXAMPLES = [
    # organisations by shape
    ("org-suffix", "The SDG Coordination Council met twice.", [("ORG", "SDG Coordination Council")]),
    ("org-prefix-and", "It was led by the Ministry of Local Government and Rural Development.",
     [("ORG", "Ministry of Local Government and Rural Development")]),
    ("org-suffix-tail", "The Economic Research Institute of the Ministry of National Economy wrote it.",
     [("ORG", "Economic Research Institute of the Ministry of National Economy")]),
    ("org-association-of", "The National Association of Local Authorities of Ghana took part.",
     [("ORG", "National Association of Local Authorities of Ghana")]),
    ("org-programme", "with the UN Development Programme in the country", [("ORG", "UN Development Programme")]),
    ("org-united-nations", "the United Nations Joint SDG Fund", [("ORG", "United Nations Joint SDG Fund")]),
    ("law-number-with-hyphen", "under Law No. 2016-01 and Decree 2021/45,", [("LAW", "Law No. 2016-01"), ("LAW", "Decree 2021/45")]),
    ("law-head-first-foreign", "the Plan Nacional de Desarrollo guides it", [("LAW", "Plan Nacional de Desarrollo")]),
    ("law-name-year-head", "under the Egypt 2030 Vision adopted then", [("LAW", "Egypt 2030 Vision")]),
    ("org-head-general", "the Secretariat General for Planning leads", [("ORG", "Secretariat General for Planning")]),
    ("org-ministry-of-several-fields", "the Ministry of Finance, Planning and Economic Development leads",
     [("ORG", "Ministry of Finance, Planning and Economic Development")]),
    ("law-head-of-year", "the Local Government Code of 1991 applies", [("LAW", "Local Government Code of 1991")]),
    ("law-short-words-inside", "under the Right to Information Act of", [("LAW", "Right to Information Act")]),
    ("org-department-of-fields", "the Department of Budget and Management and the Sub-Committee on Urban Affairs",
     [("ORG", "Department of Budget and Management"), ("ORG", "Sub-Committee on Urban Affairs")]),
    ("org-and-then-connector-opens-a-name", "based on the VNRs and on the Global Taskforce of Local and Regional Governments",
     [("ORG", "Global Taskforce of Local and Regional Governments")]),
    ("law-spanish-connectors", "the Plan Argentina contra el Hambre and the", [("LAW", "Plan Argentina contra el Hambre")]),
    ("name-spelled-out-before-its-acronym",
     "The Office of the Senior Special Assistant to the President on SDGs (OSSAP-SDGs) leads. OSSAP-SDGs reports.",
     [("ORG", "Office of the Senior Special Assistant to the President on SDGs"), ("ORG", "OSSAP-SDGs"), ("ORG", "OSSAP-SDGs")]),
    ("spelled-out-thing-is-no-body", "The Voluntary National Reviews (VNRs) and Special Economic Zones (SEZs) grew.", []),
    ("short-name-of-acronym-and-word", "The National Institution for Transforming India (NITI Aayog) leads. NITI Aayog reports.",
     [("ORG", "National Institution for Transforming India"), ("ORG", "NITI Aayog"), ("ORG", "NITI Aayog")]),
    ("law-head-first-with-horizon-year", "the Plan Estratégico de Desarrollo Nacional al 2050 and the Catholic Church",
     [("LAW", "Plan Estratégico de Desarrollo Nacional al 2050"), ("ORG", "Catholic Church")]),
    ("legislatures-by-name", "after a request from the Storting, as the Verkhovna Rada and the Lok Sabha did",
     [("ORG", "Storting"), ("ORG", "Verkhovna Rada"), ("ORG", "Lok Sabha")]),
    ("org-listed", "UN-Habitat, UNDP and UCLG", [("ORG", "UN-Habitat"), ("ORG", "UNDP"), ("ORG", "UCLG")]),
    ("org-and-the-is-two", "UNDP and the European Union signed.", [("ORG", "UNDP"), ("ORG", "European Union")]),
    ("org-split-at-listed-name", "the Government of Kenya and UN-Habitat launched",
     [("ORG", "Government of Kenya"), ("ORG", "UN-Habitat")]),
    ("org-no-leading-the", "The Secretariat and The National Treasury Office", [("ORG", "National Treasury Office")]),
    ("acronym-defined", "the Kenya Urban Support Programme (KUSP). Later KUSP grew.",
     [("ORG", "Kenya Urban Support Programme"), ("ORG", "KUSP"), ("ORG", "KUSP")]),
    ("acronym-of-longer-name-not-copied", "Statistics Norway (SSB) and the Agency. Ghana (GH) too.",
     [("ORG", "Statistics Norway"), ("ORG", "SSB"), ("GPE", "Ghana"), ("GPE", "GH")]),
    # plans and laws
    ("law-strategy-name-year", "The Strategy Kazakhstan-2050 defines goals.", [("LAW", "Strategy Kazakhstan-2050")]),
    ("law-year-plan", "the new 2025 Strategic Development Plan", [("LAW", "2025 Strategic Development Plan")]),
    ("law-plan-of", "the National Development Plan of the Republic of Kazakhstan 2025, while",
     [("LAW", "National Development Plan of the Republic of Kazakhstan 2025")]),
    ("law-on", "The Law on Local Self-Government was passed.", [("LAW", "Law on Local Self-Government")]),
    ("law-act-year", "The County Governments Act 2012 applies.", [("LAW", "County Governments Act 2012")]),
    ("law-act-number", "see (Act 936) for details", [("LAW", "Act 936")]),
    ("law-constitution", "under the Constitution, counties", [("LAW", "Constitution")]),
    ("law-vision", "Vision 2030 and the 2030 Agenda", [("LAW", "Vision 2030"), ("LAW", "2030 Agenda")]),
    # countries and regions
    ("country-pycountry", "Kazakhstan, Kyrgyzstan and Uzbekistan",
     [("GPE", "Kazakhstan"), ("GPE", "Kyrgyzstan"), ("GPE", "Uzbekistan")]),
    ("country-common-name", "Bolivia and Viet Nam", [("GPE", "Bolivia"), ("GPE", "Viet Nam")]),
    ("country-alias-from-countries-yaml", "Russia and Türkiye, not a turkey",
     [("GPE", "Russia"), ("GPE", "Türkiye")]),
    ("country-official-name", "the Plurinational State of Bolivia", [("GPE", "Plurinational State of Bolivia")]),
    ("country-accents-folded", "Cote d'Ivoire and Côte d'Ivoire",
     [("GPE", "Cote d'Ivoire"), ("GPE", "Côte d'Ivoire")]),
    ("region-loc", "countries of Central Asia and Latin America", [("LOC", "Central Asia"), ("LOC", "Latin America")]),
    # places by shape
    ("place-before-noun", "using the example of the Akmola region.", [("GPE", "Akmola")]),
    ("place-city-of", "In the city of Nur-Sultan, clinics", [("GPE", "Nur-Sultan")]),
    ("place-settlements-of", "the informal settlements of Mukuru, together", [("GPE", "Mukuru")]),
    ("place-capitalised-noun", "Mexico City and the City of Cape Town",
     [("GPE", "Mexico City"), ("GPE", "City of Cape Town")]),
    ("place-list-member", "programmes in Upper Nile, Jonglei and South Sudan",
     [("GPE", "Upper Nile"), ("GPE", "Jonglei"), ("GPE", "South Sudan")]),
    ("place-list-extends-country", "in East Kazakhstan, Kyzylorda and Aktobe",
     [("GPE", "East Kazakhstan"), ("GPE", "Kyzylorda"), ("GPE", "Aktobe")]),
    ("no-place-list-without-place", "the pillars People, Planet and Prosperity", []),
    ("no-place-list-with-org", "UNDP, UNICEF and Kampala", [("ORG", "UNDP"), ("ORG", "UNICEF")]),
    ("no-sentence-start-adjective", "Large cities grew. Some large towns shrank.", []),
    ("no-nationality-place", "the first Mexican cities and Norwegian municipalities",
     [("NORP", "Mexican"), ("NORP", "Norwegian")]),
    ("no-title-words", "Member States and the Head of State", []),
    # numbers and dates
    ("percent", "The share was 22.2% and a 30 per cent quota", [("PERCENT", "22.2%"), ("PERCENT", "30 per cent")]),
    ("date-year", "the 2022 VNR", [("DATE", "2022")]),
    ("date-month-range", "in June 2021 and over 2019-2023", [("DATE", "June 2021"), ("DATE", "2019-2023")]),
    ("cardinal", "2,500 citizens, 2 186 districts, seventeen regions",
     [("CARDINAL", "2,500"), ("CARDINAL", "2 186"), ("CARDINAL", "seventeen")]),
    ("no-indicator-code", "5.5.1. Proportion of seats", []),
    # organisations: more body nouns, a title with its year inside, Romance names
    ("org-front-of", "the National Front of Mayors and the FNP", [("ORG", "National Front of Mayors")]),
    ("org-consortium", "The Greater ABC Intermunicipal Consortium coordinates projects.",
     [("ORG", "Greater ABC Intermunicipal Consortium")]),
    ("org-council-for-the-year-agenda", "The National Council for the 2030 Agenda for Sustainable Development met.",
     [("ORG", "National Council for the 2030 Agenda for Sustainable Development")]),
    ("no-org-year-without-the", "the Ministry of Finance 2020 Report", [("ORG", "Ministry of Finance"), ("DATE", "2020")]),
    ("org-romance-head", "loans from the Banque des Territoires.", [("ORG", "Banque des Territoires")]),
    # plans and laws: numbered regulations, a period in a title, a title naming another by its year
    ("law-numbered-regulation", "Presidential Regulation No. 59/2017 on the SDGs and Law No. 23/2014.",
     [("LAW", "Presidential Regulation No. 59/2017"), ("LAW", "Law No. 23/2014")]),
    ("no-law-head-without-number", "The Regulation was adopted.", []),
    ("law-plan-period", "The National Development Plan 2019–2024 is the main instrument.",
     [("LAW", "National Development Plan 2019–2024")]),
    ("law-strategy-for-the-year-agenda", "A National Strategy for the Implementation of the 2030 Agenda was published.",
     [("LAW", "National Strategy for the Implementation of the 2030 Agenda")]),
    # short names and acronyms defined once, found again
    ("alias-one-word", "The Ministry of National Development Planning (Bappenas) leads. Reports go to Bappenas.",
     [("ORG", "Ministry of National Development Planning"), ("ORG", "Bappenas"), ("ORG", "Bappenas")]),
    ("no-alias-year-lowercase-or-known-name",
     "The Ministry of Finance (2019) and the Ministry of Health (kommuner) and the Ministry of Justice (Norway).",
     [("ORG", "Ministry of Finance"), ("DATE", "2019"), ("ORG", "Ministry of Health"), ("ORG", "Ministry of Justice"),
      ("GPE", "Norway")]),
    ("no-alias-word-written-lowercase", "The Law on Cities (Amended) was amended.", [("LAW", "Law on Cities")]),
    ("no-alias-after-place", "Paraná (Curitiba) acts.", []),
    ("acronym-before-period", "The Council of Governors (CoG) met. Data collected by the CoG.",
     [("ORG", "Council of Governors"), ("ORG", "CoG"), ("ORG", "CoG")]),
    ("acronym-apposition", "KS, the association of local and regional authorities, was consulted. KS wrote.",
     [("ORG", "KS"), ("ORG", "KS")]),
    ("acronym-apposition-adjectives", "KS, the national municipal association, was consulted.", [("ORG", "KS")]),
    ("no-acronym-apposition-without-body", "KS, the report says, was late. KS wrote.", []),
    # a place found by its context is that place wherever it recurs
    ("place-context-recurs", "The province of West Java created a centre. In West Java, schools open.",
     [("GPE", "West Java"), ("GPE", "West Java")]),
    ("no-recurrence-of-lowercase-word", "The region of Lakes reported. The Lakes report says lakes dried.",
     [("GPE", "Lakes")]),
    ("place-capital-apposition", "The new capital, Nusantara, is being built.", [("GPE", "Nusantara")]),
    ("no-capital-without-apposition", "human capital, Education, and health", []),
    # a body only ever introduced with 'a'/'an' is a kind of body; named again with 'the', a name
    ("no-indefinite-body", "An SDGs Liaison Office at the Council of Governors coordinates it.",
     [("ORG", "Council of Governors")]),
    ("no-indefinite-body-each", "Each region is run by a Regional Coordinating Council.", []),
    ("indefinite-body-named-again", "It set up a SDG Coordination Council. The SDG Coordination Council met.",
     [("ORG", "SDG Coordination Council"), ("ORG", "SDG Coordination Council")]),
    ("indefinite-plan-keeps-its-name", "A National Strategy for the Implementation of the Goals was published.",
     [("LAW", "National Strategy for the Implementation of the Goals")]),
    # a name found by its place noun right before a programme noun names the programme
    ("no-place-before-programme-noun", "such as the Global Sustainable Municipality initiative in Hesse", []),
    ("place-before-other-noun", "the Kisumu City government", [("GPE", "Kisumu City")]),
    # a local government by its kind and place is a body, not two places
    ("org-kind-municipality-of", "the Metropolitan Municipality of Lima exercises regional competences",
     [("ORG", "Metropolitan Municipality of Lima")]),
    ("place-municipality-of", "the Municipality of Lima", [("GPE", "Municipality of Lima")]),
    # an apostrophe joins the words of one name
    ("org-possessive-plural-inside", "The State Secretaries' Committee for Sustainable Development met.",
     [("ORG", "State Secretaries' Committee for Sustainable Development")]),
    ("no-lowercase-compound-at-sentence-start", "Sub-metropolitan district councils operate below them.", []),
]


@pytest.mark.parametrize("text,expected", [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES])
def test_examples(rules, text, expected):
    assert found(text, rules=rules) == expected


@pytest.mark.parametrize(
    "country,text,expected",
    [
        ("Kenya", "Kisumu and Nairobi City work with counties.", [("GPE", "Kisumu"), ("GPE", "Nairobi City")]),
        ("Kenya", "Nairobi hosts it.", [("GPE", "Nairobi")]),  # 'City' stripped from the ISO name
        (None, "Kisumu works with counties.", []),  # no country: no subdivision list
        ("Ghana", "Central banks lend in Ashanti.", [("GPE", "Ashanti")]),  # 'Central' is a skipped common word
        ("Brazil", "Sao Paulo and São Paulo", [("GPE", "Sao Paulo"), ("GPE", "São Paulo")]),
        # A 'Department of' a listed place is that place; of anything else, a body.
        ("Colombia", "The Department of Antioquia and the Department of Planning met.",
         [("GPE", "Antioquia"), ("ORG", "Department of Planning")]),
    ],
    ids=["kenya-counties", "kenya-strip-city", "no-country", "ghana-skip-central", "brazil-accents",
         "colombia-department-of-a-place"],
)
def test_subdivisions_of_the_profile_country(rules, country, text, expected):
    assert found(text, country, rules) == expected


@pytest.mark.parametrize(
    "country,text,expected",
    [
        ("Norway", "Bergen and Trondheim adopted plans.", [("GPE", "Bergen"), ("GPE", "Trondheim")]),
        (None, "Bergen and Trondheim adopted plans.", []),  # no country: no city list
        ("Brazil", "VLRs of Niterói, Niteroi and Belo Horizonte.",
         [("GPE", "Niterói"), ("GPE", "Niteroi"), ("GPE", "Belo Horizonte")]),
        ("Kazakhstan", "Nur-Sultan hosts the forum.", [("GPE", "Nur-Sultan")]),  # a GeoNames alternate name
        ("France", "Strasbourg works with Kehl on mobility.", [("GPE", "Strasbourg")]),
        ("France", "Strasbourg works with Kehl, across the border in Germany.",
         [("GPE", "Strasbourg"), ("GPE", "Kehl"), ("GPE", "Germany")]),
        ("France", "Strasbourg works with Kehl. Germany agreed.", [("GPE", "Strasbourg"), ("GPE", "Germany")]),
        ("Norway", "Time matters. It takes time.", []),  # a town named like a word the profile writes
        ("Norway", "The Bergen Kunsthall opened.", []),  # part of a longer name
        ("Argentina", "Federal transfers rose in Rosario.", [("GPE", "Rosario")]),  # 'skip'
        ("Indonesia", "It is built in East Kalimantan now.", [("GPE", "East Kalimantan")]),  # prefix + ISO name
        (None, "It is built in East Kalimantan now.", []),
    ],
    ids=["own-cities", "no-country", "accents", "alternate-name", "foreign-city-alone", "foreign-city-with-country",
         "foreign-country-other-sentence", "lowercase-word", "inside-longer-name", "skip-word", "compass-prefix",
         "compass-prefix-needs-country"],
)
def test_cities_and_regions_of_the_profile_country(rules, country, text, expected):
    assert found(text, country, rules) == expected


def test_city_names_keep_readable_names_only(rules):
    cities = next(g for g in rules.entities.generators if g.source == "cities")
    names = E.city_names("BR", cities)
    assert {"São Paulo", "Sao Paulo", "Belo Horizonte", "Santo André"} <= names
    assert not {n for n in names if n.isupper() or any(c.isdigit() for c in n) or n.lower() in {"of", "the"}}
    assert not names & cities.skip
    assert "Nur-Sultan" in E.city_names("KZ", cities) and "Kehl" in E.city_names("DE", cities)


def test_offsets_are_characters_of_section_text(rules):
    sec = section(["The **SDG Coordination Council** met.", "In 2022, 22.2% of seats in the Akmola region."])
    ents = extract_entities(Outline(None, (sec,)), rules)
    assert ents
    for e in ents:
        assert sec.text[e.start : e.end] == e.text
        assert e.section_id == "1" and e.method == "ruler"


def test_hyphenated_names_stay_one_token(rules):
    doc = build_nlp(rules).make_doc("Nur-Sultan, UN-Habitat and decision-making - 2019–2023")
    assert [t.text for t in doc][:5] == ["Nur-Sultan", ",", "UN-Habitat", "and", "decision-making"]


# -- conflict rules ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "candidates,expected",
    [
        ([Candidate(0, 4, "DATE", 5), Candidate(0, 30, "LAW", 9)], [Candidate(0, 30, "LAW", 9)]),
        ([Candidate(0, 10, "GPE", 9), Candidate(0, 10, "ORG", 3)], [Candidate(0, 10, "ORG", 3)]),
        ([Candidate(0, 10, "ORG", 1), Candidate(5, 15, "GPE", 1)], [Candidate(0, 10, "ORG", 1)]),
        ([Candidate(20, 25, "GPE", 1), Candidate(0, 10, "ORG", 1)],
         [Candidate(0, 10, "ORG", 1), Candidate(20, 25, "GPE", 1)]),
        ([Candidate(5, 5, "GPE", 1), Candidate(0, 10, "ORG", 1)], [Candidate(0, 10, "ORG", 1)]),
        ([Candidate(20, 20, "GPE", 1), Candidate(0, 10, "ORG", 1), Candidate(0, 10, "ORG", 1)],
         [Candidate(0, 10, "ORG", 1), Candidate(20, 20, "GPE", 1)]),
        ([Candidate(0, 10, "ORG", 1), Candidate(10, 12, "GPE", 1), Candidate(11, 30, "LAW", 2)],
         [Candidate(0, 10, "ORG", 1), Candidate(11, 30, "LAW", 2)]),
    ],
    ids=["longer-wins", "tie-earlier-line-wins", "tie-earlier-start-wins", "no-overlap-keeps-both-in-order",
         "empty-inside-loses", "empty-outside-and-duplicate-kept-once", "overlap-after-touching-pair"],
)
def test_longest_first(candidates, expected):
    assert longest_first(candidates) == expected


def test_year_inside_plan_is_not_a_separate_date(rules):
    assert found("the 2025 Strategic Development Plan", rules=rules) == [("LAW", "2025 Strategic Development Plan")]


def test_country_inside_organisation_is_not_separate(rules):
    text = "The Agency for Strategic Planning and Reforms of the Republic of Kazakhstan collected data."
    assert found(text, rules=rules) == [("ORG", text[4 : text.index(" collected")])]


# -- the model path -----------------------------------------------------------------------
@Language.component("fake_ner_for_tests")
def _fake_ner(doc):
    """Labels 'Jane Doe' PERSON and 'Kazakhstan' NORP (the ruler already calls it GPE)."""
    spans = []
    for name, label in (("Jane Doe", "PERSON"), ("Kazakhstan", "NORP")):
        start = doc.text.find(name)
        if start >= 0:
            spans.append(doc.char_span(start, start + len(name), label))
    doc.ents = [s for s in spans if s is not None]
    return doc


def test_model_entities_fill_gaps_only(rules, monkeypatch):
    def fake_load(name, *args, **kwargs):
        assert name == "xx_fake_model"
        fake = spacy.blank("en")
        fake.add_pipe("fake_ner_for_tests")
        return fake

    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "xx_fake_model")
    monkeypatch.setattr(spacy, "load", fake_load)
    nlp = build_nlp(rules, "xx_fake_model")
    assert build_nlp(rules, "xx_fake_model") is nlp  # built once per process
    ents = extract_entities(outline("Jane Doe visited Kazakhstan in 2022."), rules, nlp)
    assert [(e.label, e.text, e.method) for e in ents] == [
        ("PERSON", "Jane Doe", "model"),
        ("GPE", "Kazakhstan", "ruler"),
        ("DATE", "2022", "ruler"),
    ]
    via_keyword = extract_entities(outline("Jane Doe visited Kazakhstan in 2022."), rules, model="xx_fake_model")
    assert via_keyword == ents


def test_missing_model_is_an_error(rules):
    with pytest.raises(LookupError, match="not installed"):
        build_nlp(rules, "xx_no_such_model_installed")


def test_ruler_builds_fast(rules):
    E._build_nlp.cache_clear()
    started = time.perf_counter()
    build_nlp(rules)
    assert time.perf_counter() - started < 2.0


# -- real text ------------------------------------------------------------------------------
def test_kazakhstan_sections(rules):
    ents = extract_entities(raw_sections(KAZ_HEADINGS), rules)
    got = {(e.section_id, e.label, e.text) for e in ents}
    expected = {
        ("1", "LAW", "Strategy Kazakhstan-2050"),
        ("1", "LAW", "2025 Strategic Development Plan"),
        ("1", "LAW", "National Development Plan of the Republic of Kazakhstan 2025"),
        ("1", "LAW", "National Security Strategy of the Republic of Kazakhstan"),
        ("1.3", "ORG", "Bureau of National Statistics of the Agency for Strategic Planning and Reforms"
                       " of the Republic of Kazakhstan"),
        ("1.3", "ORG", "BNS ASPR RK"),
        ("1.3", "ORG", "SDG Coordination Council"),
        ("1.3", "CARDINAL", "262"),
        ("2.3", "GPE", "Almaty"),
        ("2.3", "GPE", "Nur-Sultan"),
        ("2.3", "GPE", "East Kazakhstan"),
        ("2.3", "GPE", "Kyzylorda"),
        ("2.3", "GPE", "Aktobe"),
        ("2.3", "GPE", "Akmola"),
        ("2.3", "ORG", "Ministry of Investment and Development"),
        ("2.5", "ORG", "United Nations Joint SDG Fund"),
        ("2.5", "ORG", "UN Development Programme"),
        ("3", "ORG", "UNDP"),
        ("3", "ORG", "European Union"),
        ("3", "GPE", "Turkmenistan"),
        ("3.1", "PERCENT", "22.2%"),
        ("3.1", "PERCENT", "30%"),
        ("3.1", "DATE", "2019"),
        ("3", "NORP", "Central Asian"),
    }
    assert expected <= got
    assert not {(s, l, t) for s, l, t in got if t in {"SEZ Pavlodar", "UNDP and the European Union", "Ontustik"}}
    by_section = {}
    for e in ents:  # ordered by section, then start; offsets point into the section text
        by_section.setdefault(e.section_id, []).append(e.start)
    assert all(starts == sorted(starts) for starts in by_section.values())


# -- rules/entities.jsonl checks --------------------------------------------------------------
BAD_LINES = [
    ('{"label": "PLACE", "pattern": "Almaty"}', "unknown label 'PLACE'"),
    ('{"label": "GPE", "pattern": ""}', "vacuous pattern: empty phrase"),
    ('{"label": "ORG", "pattern": []}', "non-empty list"),
    ('{"label": "ORG", "pattern": [{"LOWR": "council"}]}', "LOWR"),
    ('{"label": "ORG", "pattern": [{"POS": "PROPN"}]}', "not set by a blank pipeline"),
    ('{"label": "ORG", "pattern": [{"OP": "*"}]}', "vacuous pattern"),
    ('{"label": "ORG", "pattern": [{"_": {"is_capital": true}}]}', "unknown extension 'is_capital'"),
    ('{"label": "ORG", "pattern": [{"TEXT": {"REGEX": "(unclosed"}}]}', "bad TEXT REGEX"),
    ('{"label": "ORG", "pattern": [{"LOWER": "x", "OP": "&"}]}', "OP"),
    ('{"label": "GPE", "pattern": [{"LOWER": "city"}], "context": [1, 0]}', "leaves no required token"),
    ('{"label": "GPE", "pattern": "Almaty", "context": [1, 0]}', "needs a token pattern"),
    ('{"label": "GPE", "patern": "Almaty"}', "unknown key(s) 'patern'"),
    ('{"label": "GPE", "generate": "towns"}', "unknown generator 'towns'"),
    ('{"label": "GPE", "generate": "cities", "min_population": 2000}', "'min_population' must be one of"),
    ('{"label": "GPE", "generate": "cities", "foreign": "yes"}', "'foreign' must be true or false"),
    ('{"label": "GPE", "generate": "countries", "foreign": true}', "generator 'countries' takes no 'foreign'"),
    ('{"label": "GPE", "generate": "subdivisions", "prefixes": ["north"]}', "'prefixes' must be capitalised"),
    ('{"label": "GPE", "pattern": "Almaty"', "not valid JSON"),
    ('["GPE", "Almaty"]', "must be a JSON object"),
    ('{"programme_nouns": ["Initiative"]}', "'programme_nouns' must stand alone: a non-empty list of lower-case words"),
    ('{"programme_nouns": ["award"]}', "'programme_nouns' given twice"),
]


def test_bad_entities_file_reports_every_line(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    good = (DEFAULT_RULES_DIR / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    first_bad = len(good) + 1
    broken = "\n".join(good + [line for line, _ in BAD_LINES]) + "\n"
    (rules_dir / "entities.jsonl").write_text(broken, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(rules_dir)
    mine = [e for e in caught.value.errors if e.startswith("rules/entities.jsonl:")]
    for offset, (_, message) in enumerate(BAD_LINES):
        prefix = f"rules/entities.jsonl:{first_bad + offset}: "
        assert any(e.startswith(prefix) and message in e for e in mine), (prefix, message, mine)
    assert len({e.split(":")[1] for e in mine}) == len(BAD_LINES)


def test_entities_file_needs_connectors(tmp_path):
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir)
    lines = (rules_dir / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    (rules_dir / "entities.jsonl").write_text("\n".join(l for l in lines if '"connectors"' not in l), encoding="utf-8")
    with pytest.raises(RuleError, match=r"rules/entities.jsonl:1: missing the 'connectors' line"):
        load_rules(rules_dir)


def test_shipped_rules_load(rules):
    entity_rules = rules.entities
    assert {p.label for p in entity_rules.patterns} >= {"GPE", "LOC", "ORG", "LAW", "DATE", "PERCENT", "CARDINAL"}
    assert {g.source for g in entity_rules.generators} == {"countries", "subdivisions", "cities"}
    assert isinstance(extract_entities(Outline(None, ()), rules), tuple)
    assert Entity.__dataclass_fields__.keys() == {"section_id", "text", "label", "start", "end", "method"}


@pytest.mark.parametrize("word", ["Almaty", "Örebro", "Ñuñoa", "SDGs", "UN-Habitat", "of", "Of", "the", "and", "'",
                                  "’", "&", "city", "élan", "2030", "(", "De", "del", "x"])
def test_native_token_tests_mean_the_extensions(rules, word):
    """The Matcher gets is_cap/name_part as a TEXT regex; it must accept exactly what the extensions do."""
    import re

    nlp = build_nlp(rules)
    doc = nlp(f"x {word}")
    token = doc[1]
    for ext, want in (("is_cap", E._is_cap(token)), ("name_part", E._is_name_part(token))):
        native = E._native_token({"_": {ext: True}}, rules.entities.connectors)
        assert "_" not in native
        assert bool(re.search(native["TEXT"]["REGEX"], token.text)) == want, (ext, word)


def test_a_token_with_its_own_text_test_keeps_the_extension(rules):
    token = {"_": {"is_cap": True}, "TEXT": {"REGEX": "^A"}}
    assert E._native_token(token, rules.entities.connectors) == token


def test_indefinite_article_found_backwards_as_forwards():
    """_INDEFINITE_BEFORE searches backwards from a name's start; a forward search of the same
    pattern must agree at every word start of a profile."""
    forward = regex.compile(E._INDEFINITE_BEFORE.pattern.replace("(?r)", "", 1))
    text = Path("raw/ghana.md").read_text(encoding="utf-8") + " an SDGs Liaison Office, a Regional Council"
    starts = [m.start() for m in regex.finditer(r"(?<!\w)\w", text)] + [len(text)]
    found = [E._after_indefinite_article(text, s) for s in starts]
    assert found == [forward.search(text, max(0, s - 200), s) is not None for s in starts]
    assert 10 < sum(found) < len(found)


@pytest.mark.parametrize("alpha_2", ["ID", "KZ", "NG", "FR", "US"])
def test_subdivision_prefixes_matched_before_a_name_find_the_phrases_of_every_prefixed_name(alpha_2):
    """The subdivision gazetteer matches a prefix word before a name, instead of holding
    every prefix times every name as a phrase: on text that names the subdivisions with and
    without each prefix, it finds exactly the (start, end) a matcher of all the phrases finds."""
    from spacy.matcher import PhraseMatcher

    rules = load_rules()
    nlp = E.build_nlp(rules)
    generator = next(g for g in rules.entities.generators if g.source == "subdivisions")
    gazetteer = E._subdivision_matcher(nlp, generator, alpha_2)
    assert gazetteer.prefixes == generator.prefixes  # the shipped prefixes are one token each
    every = PhraseMatcher(nlp.vocab)
    every.add("x", list(nlp.tokenizer.pipe(sorted(E.subdivision_names(alpha_2, generator)))))
    names = sorted(E.base_subdivision_names(alpha_2, generator))[:60]
    prefixes = sorted(generator.prefixes)
    text = ". ".join(f"In {name}, {prefixes[i % len(prefixes)]} {name} and {prefixes[(i + 3) % len(prefixes)]}-{name}"
                     f" or the {name} {prefixes[i % len(prefixes)]}" for i, name in enumerate(names))
    doc = nlp.make_doc(text)
    expected = sorted({(start, end) for _, start, end in every(doc)})
    assert gazetteer(doc) == expected
    assert any(doc[start].text in generator.prefixes for start, _ in expected)  # prefixed names were found


def test_alias_search_finds_what_a_phrase_matcher_of_the_names_finds():
    """``alias_candidates`` looks names up by their tokens instead of building a PhraseMatcher
    a profile: over a profile's sections, with names that overlap, repeat, share a first
    word or differ only in spacing, it finds exactly the candidates the matcher's matches give."""
    from spacy.matcher import PhraseMatcher

    rules = load_rules()
    nlp = E.build_nlp(rules)
    text = Path("raw/ghana.md").read_text(encoding="utf-8")
    docs = list(nlp.pipe(text.split("\n\n")[:200] + ["A A A and A A, the (BNS) and ( BNS ) of Ghana Ghana."]))
    names = ["A A", "A", "Ghana", "Ghana Ghana", "(BNS)", "( BNS )", "National Development Planning Commission",
             "Local Government", "the", "Ghana Statistical Service", "SDGs", "  "]
    labels = {name: "ORG" for name in names}
    every = PhraseMatcher(nlp.vocab)
    every.add("alias", [nlp.make_doc(name) for name in names])
    phrases = E.alias_phrases(nlp, labels)
    found = 0
    for doc in docs:
        words, doc_text = E.doc_words(doc), doc.text
        expected = set()
        for _, start, end in every(doc):
            first, last = words.start[start], words.end(end - 1)
            if doc_text[first:last] in labels:
                expected.add(E.Candidate(first, last, "ORG", E.ALIAS_PRIORITY))
        got = E.alias_candidates(doc, phrases, labels)
        assert len(got) == len(set(got)) and set(got) == expected
        found += len(expected)
    assert found > 50


@pytest.mark.parametrize(
    "text,expected",
    [
        ("in Almaty, Astana, and Shymkent today", [[(1, 2), (3, 4), (6, 7)]]),
        ("Almaty or East Astana", [[(0, 1), (2, 4)]]),
        ("Almaty, Astana. Then Aktobe and Kyzylorda", [[(5, 6), (7, 8)]]),  # 'Almaty, Astana' never closes
        ("Almaty and the Astana, or Aktobe", [[(3, 4), (6, 7)]]),  # 'and the' joins nothing
        ("Almaty , , Astana and Aktobe", [[(3, 4), (5, 6)]]),  # two commas are no joiner
        ("The Bb Cc Dd Ee Ff and Aktobe", []),  # a member longer than MAX_MEMBER_TOKENS: a title
    ],
)
def test_enumerations_join_runs_by_commas_and_a_closing_and_or(rules, text, expected):
    assert E.enumerations(build_nlp(rules).make_doc(text)) == expected

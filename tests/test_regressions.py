"""One test per bug found, named for it, with its minimal input."""
from pipeline.normalize import normalize
from pipeline.sections import build_outline

from conftest import source


def test_front_matter_heading_before_the_title_is_not_a_section(rules):
    """kenya.txt: "COUNTRY PROFILE" above the country name became section 0."""
    o = build_outline(normalize(source("COUNTRY PROFILE\n\nKENYA\n\nTERRITORIAL ORGANIZATION\n\nText.", "text"), rules), rules)
    assert o.country_name == "Kenya"
    assert [s.section_id for s in o.sections] == ["territorial-organization"]


def test_plain_text_heading_with_a_glued_marker_keeps_its_key(outline_of):
    """norway.txt: "4. SDG INDICATORS10" lost its canonical key."""
    result = outline_of("NORWAY\n\nTERRITORIAL ORGANIZATION\n\nText.1\n\n4. SDG INDICATORS2\n\nrows\n\n1. One.\n2. Two.", "text")
    section = result.outline.get("4")
    assert (section.title, section.key, section.heading_markers) == ("SDG INDICATORS", "sdg_indicators", (2,))


def test_marker_before_a_space_stays_after_the_punctuation(outline_of):
    """kazakhstan.md: markers followed by a space were placed one character late."""
    result = outline_of("# PERU\n\n## TERRITORIAL ORGANIZATION\n\nOne.<sup>1</sup> Two.")
    assert result.refs[0].char_offset == len("One.")


def test_national_indicator_code_keeps_its_printed_case(outline_of, rules):
    """brazil.md: 11.N.1 was lower-cased to 11.n.1; UN codes still fold (11.B.2 -> 11.b.2)."""
    from pipeline.indicators import extract_indicators

    text = "# PERU\n\n## 4. SDG INDICATORS\n\n11.N.1. Share of towns (%)\t\t5 (2020)\n11.B.2. Local strategies (%)\t\t7 (2020)\n"
    rows = extract_indicators(outline_of(text).outline, rules)
    assert [(r.indicator_code, r.official) for r in rows] == [("11.N.1", False), ("11.b.2", True)]


def test_bold_place_at_the_start_of_an_organisation_name_stays_a_place(outline_of, rules):
    """brazil.md: '**Greater ABC** Intermunicipal Consortium' lost its place once the ORG was found."""
    from pipeline.cases import extract_cases
    from pipeline.entities import extract_entities

    text = "# BRAZIL\n\n## 2.3 SPECIFIC PROJECTS AND CASES\n\n▶ The **Greater ABC** Intermunicipal Consortium coordinates waste projects.\n"
    outline = outline_of(text).outline
    cases = extract_cases(outline, extract_entities(outline, rules))
    assert cases[0].places[0] == "Greater ABC"


def test_wrapped_acronym_tail_is_not_a_heading(rules):
    """pdftotext export: a wrapped line '(VNR).3' was read as an upper-case heading."""
    text = "MEXICO\n\nTERRITORIAL ORGANIZATION\n\nThe information comes from the Voluntary National Review\n(VNR).3\n\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nx"
    o = build_outline(normalize(source(text, "text"), rules), rules)
    assert [s.section_id for s in o.sections] == ["territorial-organization", "1"]


def test_indicator_name_broken_at_a_wrap_is_mended(outline_of, rules):
    """pdftotext -layout export: 'servi-' / 'ces (%)' gave the name 'servi- ces (%)'."""
    from pipeline.indicators import extract_indicators

    text = ("# PERU\n\n## 4. SDG INDICATORS\n\n6.1.1. Proportion of population using safely managed servi-   Urban     -\n"
            "ces (%)\n                                                                 Rural     -\n")
    rows = extract_indicators(outline_of(text, "text").outline, rules)
    assert {r.name for r in rows} == {"Proportion of population using safely managed services (%)"}
    assert [r.disaggregation for r in rows] == ["urban", "rural"]


def test_plain_text_keeps_underscores_and_asterisks(rules):
    """germany.txt: '/_inhalt.html' lost its underscore to markdown emphasis."""
    doc = normalize(source("See: https://www.destatis.de/Gemeindeverzeichnis/_inhalt.html and 5 * 3 = 15", "text"), rules)
    assert doc.lines[0].text == "See: https://www.destatis.de/Gemeindeverzeichnis/_inhalt.html and 5 * 3 = 15"


def test_underscore_in_a_bare_markdown_url_is_no_emphasis(rules):
    doc = normalize(source("See https://x.org/files/_inhalt_neu.html for *more*."), rules)
    assert doc.lines[0].text == "See https://x.org/files/_inhalt_neu.html for more."


def test_superscript_number_opening_a_paragraph_is_a_footnote_definition(outline_of):
    """ghana.md: footnotes printed as '<sup>1</sup> text' were not found."""
    result = outline_of("# GHANA\n\n## TERRITORIAL ORGANIZATION\n\nGhana has 16 regions.<sup>1</sup>\n\n<sup>1</sup> Six were created in 2018.\n")
    assert [(f.number, f.text) for f in result.footnotes] == [(1, "Six were created in 2018.")]
    assert result.outline.get("territorial-organization").text == "Ghana has 16 regions."


def test_link_text_wrapped_onto_the_next_line(outline_of):
    """colombia.md: '[VNR\\n    2021](url)' stayed as markdown."""
    text = "# COLOMBIA\n\n## TERRITORIAL ORGANIZATION\n\nText.[^1]\n\n[^1]: See: [VNR\n    2021](https://hlpf.un.org/vnr_2021.pdf) (2021)\n"
    assert [f.text for f in outline_of(text).footnotes] == ["See: https://hlpf.un.org/vnr_2021.pdf (2021)"]


def test_goals_listed_in_parentheses_after_the_label(outline_of, rules):
    """colombia.md: 'the six Goals under review at that year's forum (6, 7, 11, 12, 15 and 17)'."""
    from pipeline.vnrs import extract_sdg_priorities

    text = ("# COLOMBIA\n\n## 1.2 VNR ELABORATION PROCESS\n\nFor the 2018 VNR, the report examined in depth the six Goals "
            "under review at that year's High-Level Political Forum (6, 7, 11, 12, 15 and 17).\n")
    rows = extract_sdg_priorities(outline_of(text).outline, rules)
    assert [(r.year, r.sdg) for r in rows] == [(2018, g) for g in (6, 7, 11, 12, 15, 17)]


def test_renamed_cases_heading_keeps_its_key(rules):
    """germany.txt: '2.3 SPECIFIC PROJECTS AND INITIATIVES' had no key, so no cases."""
    assert rules.headings.match("SPECIFIC PROJECTS AND INITIATIVES").key == "projects_and_cases"
    assert rules.headings.match("GOOD PRACTICES").key == "projects_and_cases"


def test_real_hyphens_at_line_ends_after_adverbs_and_number_words(rules):
    """A PDF made by another tool (WeasyPrint) broke 'directly-/elected' and 'three-/tiered'."""
    from pipeline.normalize import join_wrapped

    keep = rules.normalize.keep_hyphen_prefixes
    assert join_wrapped(["a directly-", "elected council"], keep) == "a directly-elected council"
    assert join_wrapped(["a three-", "tiered structure"], keep) == "a three-tiered structure"
    assert join_wrapped(["the decen-", "tralization"], keep) == "the decentralization"
    assert join_wrapped(["the app-", "ly function"], keep) == "the apply function"


def test_url_broken_after_its_scheme_is_joined(outline_of):
    text = "# PERU\n\n## TERRITORIAL ORGANIZATION\n\nText.<sup>1</sup>\n\n1. See https://\nwww.gold.uclg.org/x.pdf\n"
    note = outline_of(text).footnotes[0]
    assert note.urls == ("https://www.gold.uclg.org/x.pdf",)


def test_the_document_decides_a_line_end_hyphen_it_prints_elsewhere(rules):
    """WeasyPrint PDFs: 're-|elected' became 'reelected' although the profile prints 're-elected'."""
    text = ("Mayors may be re-elected once.\n\nIn 2024 most mayors were re-\nelected, and the decentral-\n"
            "ization law was decen-\ntralization in name only.\n\nThe decentralization law.")
    lines = [l.text for l in normalize(source(text, "text"), rules).lines if not l.is_blank]
    assert lines[1] == "In 2024 most mayors were re-elected, and the decentralization law was decentralization in name only."


def test_front_matter_heading_below_the_title_is_dropped_too(rules):
    """kenya PDF (WeasyPrint): 'COUNTRY PROFILE' set under the name became a section."""
    o = build_outline(normalize(source("# KENYA\n\n## COUNTRY PROFILE\n\n## TERRITORIAL ORGANIZATION\n\nText."), rules), rules)
    assert o.country_name == "Kenya"
    assert [s.section_id for s in o.sections] == ["territorial-organization"]

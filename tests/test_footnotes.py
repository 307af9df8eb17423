from pipeline.document import FootnoteRef

INTERRUPTED = """# KENYA

## TERRITORIAL ORGANIZATION

Kenya has 47 counties.<sup>1</sup>

## 1.2 VNR ELABORATION PROCESS

The review was led by the Treasury.<sup>2</sup> Consultations took place in all

1. Created by the 2010 Constitution.

2. See: [https://example.org/vnr\\\\_2020.pdf](https://example.org/vnr_2020.pdf)

counties, with **county assemblies** taking part.
"""


def test_block_is_lifted_and_sentence_joined(outline_of):
    result = outline_of(INTERRUPTED)
    sec = result.outline.get("1.2")
    assert sec.text == "The review was led by the Treasury. Consultations took place in all counties, with county assemblies taking part."
    assert [(f.number, f.text) for f in result.footnotes] == [
        (1, "Created by the 2010 Constitution."),
        (2, "See: https://example.org/vnr_2020.pdf"),
    ]
    assert result.footnotes[1].urls == ("https://example.org/vnr_2020.pdf",)


def test_refs_point_into_clean_text(outline_of):
    result = outline_of(INTERRUPTED)
    assert result.refs == (FootnoteRef(1, "territorial-organization", 22), FootnoteRef(2, "1.2", 35))
    sec = result.outline.get("1.2")
    assert sec.text[:35].endswith("Treasury.")
    span = [s for s in sec.clean.spans if s.kind == "bold"][0]
    assert sec.text[span.start:span.end] == "county assemblies"


def test_numbered_list_before_its_marker_is_body_text(outline_of):
    text = "# KENYA\n\n## 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nPriorities:\n\n1. Reduce poverty.\n\n2. Build roads.<sup>1</sup>\n\n1. A footnote."
    result = outline_of(text)
    assert [f.number for f in result.footnotes] == [1]
    assert result.outline.get("1").text == "Priorities: 1. Reduce poverty. 2. Build roads."


def test_sentence_ending_before_block_is_not_joined(outline_of):
    text = "# KENYA\n\n## 2.2 VNR REFERENCES\n\nIt ends here.<sup>1</sup>\n\n1. Note.\n\nanother paragraph starts lowercase."
    sec = outline_of(text).outline.get("2.2")
    assert [p.text for p in sec.paragraphs] == ["It ends here.", "another paragraph starts lowercase."]


def test_a_notes_label_goes_with_the_block_it_announces(outline_of):
    text = ("Argentina\n\nTerritorial organization\n\nThere are 23 provinces.[1]\n\n4. SDG indicators[2]\n\nrows\n\n"
            "Notes\n\n[1] Each has a constitution.\n\n[2] UN database.")
    result = outline_of(text, "text")
    assert result.outline.country_name == "Argentina"
    assert result.outline.get("4").text == "rows"
    assert [n.number for n in result.footnotes] == [1, 2]


def test_page_foot_notes_without_a_period_after_unicode_markers(outline_of):
    text = ("INDIA\n\nTERRITORIAL ORGANIZATION\n\nThere are 28 states.¹ The 2020 VNR² covered\n\n\n"
            "1 The number fell from nine to eight.\n2 See: https://example.org/\n\nPage 1\n"
            "\fall 17 Goals. More text.\n\nPage 2\n")
    result = outline_of(text, "text")
    assert [(n.number, n.text) for n in result.footnotes] == [(1, "The number fell from nine to eight."),
                                                              (2, "See: https://example.org/")]
    assert result.outline.sections[0].text == "There are 28 states. The 2020 VNR covered all 17 Goals. More text."
    assert [(r.number, r.char_offset) for r in result.refs] == [(1, 20), (2, 33)]


def test_plain_text_glued_and_bracket_markers(outline_of):
    text = (
        "GHANA\n\nTERRITORIAL ORGANIZATION\n\nGhana has 16 regions.1 The PM2.5 level rose in 2019 and 261 districts[2] exist.\n\n"
        "4. SDG INDICATORS3\n\nrows\n\n1. Since 2018.\n2. Local Government Act.\n3. UN database."
    )
    result = outline_of(text, "text")
    sec = result.outline.get("territorial-organization")
    assert sec.text == "Ghana has 16 regions. The PM2.5 level rose in 2019 and 261 districts exist."
    assert [(r.number, r.section_id, r.char_offset) for r in result.refs] == [
        (1, "territorial-organization", 21), (2, "territorial-organization", 68), (3, "4", 0)]
    assert result.outline.get("4").title == "SDG INDICATORS"


def test_unmatched_markers_and_notes_warn(outline_of):
    result = outline_of("# PERU\n\n## TERRITORIAL ORGANIZATION\n\nText.<sup>1</sup> More.<sup>2</sup>\n\n1. Only one note.")
    assert result.warnings == ("marker 2 has no footnote text",)


def test_plain_export_that_lost_its_first_note_still_finds_the_rest(outline_of):
    """pdftotext glued note 1 to the line above; notes 2 and 3 still form the sequence."""
    text = (
        "GHANA\n\nTERRITORIAL ORGANIZATION\n\nGhana has 16 regions.1 It has 261 districts.2 Each has an assembly.3\n\n"
        "The assembly is elect1. Created in 2018.\n2. Local Government Act.\n3. See the 2020 report."
    )
    result = outline_of(text, "text")
    assert [f.number for f in result.footnotes] == [2, 3]
    assert [(r.number, r.char_offset) for r in result.refs] == [(2, 44), (3, 66)]  # "regions.1" stays: no note 1
    assert result.warnings == ()


# A numbered list in the body after the markers it could be mistaken for: the real
# notes come later, numbered from 1 again, so the list is not the footnote sequence.
LIST_THEN_NOTES = """# KENYA

## TERRITORIAL ORGANIZATION

Kenya has 47 counties.<sup>1</sup> Each has an assembly.<sup>2</sup> Wards elect members.<sup>3</sup>

## 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION

The plan names three priorities{lead}

1. Economic growth based on a diversified economy.

2. Social modernization and a strong middle class.

3. Efficient public administration.

The plan runs to 2030, and the counties

1. Created by the 2010 Constitution.

2. County Governments Act, 2012.

3. See: https://example.org/wards

align their own plans with it.
"""


def test_numbered_list_stays_in_its_section_and_notes_stay_intact(outline_of):
    for lead in (":", "."):  # with a lead-in colon or without: the chain of notes decides
        result = outline_of(LIST_THEN_NOTES.format(lead=lead))
        assert [(f.number, f.text) for f in result.footnotes] == [
            (1, "Created by the 2010 Constitution."),
            (2, "County Governments Act, 2012."),
            (3, "See: https://example.org/wards"),
        ]
        text = result.outline.get("1").text
        assert "1. Economic growth based on a diversified economy. 2. Social modernization" in text
        assert text.endswith("The plan runs to 2030, and the counties align their own plans with it.")
        assert result.warnings == ()


def test_numbered_list_in_plain_text_is_not_the_notes(outline_of):
    text = (LIST_THEN_NOTES.format(lead=":").replace("<sup>1</sup>", "1").replace("<sup>2</sup>", "2")
            .replace("<sup>3</sup>", "3").replace("# ", "").replace("#", ""))
    result = outline_of(text, fmt="text")
    assert [f.number for f in result.footnotes] == [1, 2, 3]
    assert result.footnotes[0].text == "Created by the 2010 Constitution."
    assert "1. Economic growth" in result.outline.get("1").text
    assert [r.number for r in result.refs] == [1, 2, 3]


def test_list_numbered_with_parentheses_is_kept_when_its_numbers_have_no_markers(outline_of):
    text = "# KENYA\n\n## 1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\n\nThe aims:\n\n1) Reduce poverty.\n\n2) Build roads.\n\nNo notes here."
    result = outline_of(text)
    assert result.footnotes == ()
    assert result.outline.get("1").text == "The aims: 1) Reduce poverty. 2) Build roads. No notes here."


def test_notes_printed_after_the_final_table_are_footnotes_not_sections(outline_of):
    """An export that prints every note at the end, after the indicator table: a note in
    capitals ('12. UN SDG INDICATORS DATABASE ...') is neither a heading nor table text."""
    text = ("KENYA\n\nTERRITORIAL ORGANIZATION\n\nKenya has 47 counties.1\n\n4. SDG INDICATORS2\n\n"
            "5.5.1. (b) Proportion of seats held by women (%) in local governments\t\t33.5 (2022)\n\n"
            "1. Created by the 2010 Constitution.\n\n2. UN SDG INDICATORS DATABASE. See: https://unstats.un.org/sdgs\n")
    result = outline_of(text, fmt="text")
    assert [(f.number, f.text) for f in result.footnotes] == [
        (1, "Created by the 2010 Constitution."), (2, "UN SDG INDICATORS DATABASE. See: https://unstats.un.org/sdgs")]
    assert [s.section_id for s in result.outline.sections] == ["territorial-organization", "4"]
    assert "Created" not in result.outline.get("4").text and "DATABASE" not in result.outline.get("4").text


def test_glued_marker_pattern_finds_what_the_lookbehind_first_pattern_found():
    """_GLUED_MARKER opens with a character class (so the engine skips to a digit or '[' in
    C) and checks the character before the digit after it: on random lines it finds the
    same spans and numbers as the pattern written lookbehind first."""
    import random
    import re

    from pipeline.footnotes import _GLUED_MARKER, _marker_number

    readable = re.compile(r"(?:(?<=[a-z\)\].,;:\"”’'%])(?P<glued>\d{1,3})|\[(?P<bracket>\d{1,3})\])(?=[\s,.;:)\]\"”’]|$)")
    pieces = ["regions", ".", "4", "12", "1234", "[", "]", "[5]", "(", ")", " ", "PM2.5", "%", "”", "’", ",", ";",
              "\n", "A", "a", "١", "2021", ":"]
    rng = random.Random(13)
    for _ in range(20000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        got = [(m.span(), _marker_number(m)) for m in _GLUED_MARKER.finditer(line)]
        want = [(m.span(), int(m.group("glued") or m.group("bracket"))) for m in readable.finditer(line)]
        assert got == want, repr(line)


def test_url_patterns_are_tried_only_where_they_may_match():
    """A note's URLs are looked for only where it holds '://' or 'www.', and a scheme broken
    from its address is mended only where '://' meets a space: on random notes neither test
    hides a match."""
    import random

    from pipeline.footnotes import _SCHEME_THEN_SPACE, _SPLIT_SCHEME, _URL

    pieces = ["https://", "http:", "//", "://", " ", "\t", "www", ".", "x.org", "See ", "ftp://", "\u00a0", "w"]
    rng = random.Random(17)
    for _ in range(20000):
        note = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if _URL.search(note):
            assert "://" in note or "www." in note, repr(note)
        if _SPLIT_SCHEME.search(note):
            assert _SCHEME_THEN_SPACE.search(note), repr(note)

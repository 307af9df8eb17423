import pytest
from conftest import source

from pipeline.document import Marker, SourceDocument, Span, collapse
from pipeline.normalize import hyphen_evidence, normalize, parse_inline


@pytest.mark.parametrize(
    "raw, text",
    [
        ("plain words", "plain words"),
        ("**Strategy Kazakhstan-2050** defines", "Strategy Kazakhstan-2050 defines"),
        ("regions (*oblasts*)", "regions (oblasts)"),
        ("See: <https://www.sng-wofi.org/country-profiles/>", "See: https://www.sng-wofi.org/country-profiles/"),
        ("[https://x.org/a\\\\_b.pdf](https://x.org/a_b.pdf) (2019)", "https://x.org/a_b.pdf (2019)"),
        ("[the report](https://x.org/r.pdf)", "https://x.org/r.pdf"),
        ("https://gold.uclg.org/hlpf\\_2022.pdf", "https://gold.uclg.org/hlpf_2022.pdf"),
        ("AT&amp;T and 5 \\* 3", "AT&T and 5 * 3"),
        ("snake_case_name and hlpf_2022.pdf", "snake_case_name and hlpf_2022.pdf"),
        ("line<br>break", "line break"),  # a forced line break still parts two words
    ],
    ids=["plain", "bold", "italic-in-parens", "autolink", "link-escaped-underscore", "link-with-label",
         "escaped-underscore", "html-entity-and-escape", "intraword-underscore", "html-tag"],
)
def test_inline_markup_is_removed(raw, text):
    assert parse_inline(raw)[0] == text


def test_sup_becomes_marker_at_its_position():
    text, markers, _ = parse_inline("Shymkent).<sup>1</sup> At the")
    assert text == "Shymkent). At the"
    assert markers == (Marker(10, 1),)


def test_sup_lists_and_ranges_expand():
    assert [m.number for m in parse_inline("x<sup>3,4</sup>")[1]] == [3, 4]
    assert [m.number for m in parse_inline("x<sup>5-7</sup>")[1]] == [5, 6, 7]


def test_emphasis_spans_point_at_clean_text():
    text, _, spans = parse_inline("The **SDG Council** met in *Almaty*.")
    assert [(text[s.start:s.end], s.kind) for s in spans] == [("SDG Council", "bold"), ("Almaty", "italic")]


def test_headings_keep_depth_as_hint_only(rules):
    doc = normalize(source("## 2.3 SPECIFIC PROJECTS\n# 3. RELEVANT INFORMATION\n"), rules)
    assert [(l.text, l.heading_depth) for l in doc.lines[:2]] == [("2.3 SPECIFIC PROJECTS", 2), ("3. RELEVANT INFORMATION", 1)]


def test_form_feeds_count_pages_for_pdf_only(rules):
    pdf = normalize(source("one\n\fTwo\nthree\n\ffour", "pdf"), rules)
    assert [l.page for l in pdf.lines] == [1, 2, 2, 3]
    md = normalize(source("one\n\fTwo"), rules)
    assert [l.page for l in md.lines] == [None, None]


@pytest.mark.parametrize(
    "lines, joined",
    [
        (["the decen-", "tralization process"], "the decentralization process"),
        (["locally-", "led initiatives"], "locally-led initiatives"),
        (["Strategy Kazakhstan-", "2050 defines"], "Strategy Kazakhstan-2050 defines"),
        (["North Rhine-", "Westphalia has"], "North Rhine-Westphalia has"),
        (["a list -", "item"], None),
        # U+2010 HYPHEN and U+2011 NON-BREAKING HYPHEN are read as the ASCII hyphen, by the same rule.
        (["the decen\u2010", "tralization process"], "the decentralization process"),
        (["locally\u2011", "led initiatives"], "locally-led initiatives"),
        (["Strategy Kazakhstan\u2010", "2050 and a three\u2010tiered state"], "Strategy Kazakhstan-2050 and a three-tiered state"),
    ],
    ids=["broken-word", "real-compound", "before-digit", "before-capital", "spaced-dash", "u2010-broken-word",
         "u2011-real-compound", "u2010-before-digit"],
)
def test_line_end_hyphenation(rules, lines, joined):
    doc = normalize(source("\n".join(lines), "text"), rules)
    if joined is None:
        assert len(doc.lines) == 2
    else:
        assert [l.text for l in doc.lines] == [joined]


@pytest.mark.parametrize(
    "lines, joined",
    [
        # No line ends in a piece of a word: the typesetter breaks lines only at real hyphens.
        (["the land-", "use plan and full-", "time staff were re-", "elected"],
         "the land-use plan and full-time staff were re-elected"),
        # 'munici-' is no word, so this typesetter hyphenates: an unsure hyphen is soft.
        (["the land-", "use plan of the munici-", "palities"], "the landuse plan of the municipalities"),
        # A compound the document prints whole elsewhere keeps its hyphen all the same.
        (["the land-use law; the land-", "use plan of the munici-", "palities"],
         "the land-use law; the land-use plan of the municipalities"),
        # A two-letter piece ('re-', 'e-') is as often a prefix as a syllable: no evidence.
        (["they were re-", "elected by e-", "voting"], "they were re-elected by e-voting"),
        # A listed prefix ('inter') in a document that breaks words: one English word joins.
        (["the inter-", "mediate tier and the munici-", "palities, inter-", "municipal"],
         "the intermediate tier and the municipalities, inter-municipal"),
    ],
    ids=["never-breaks-words", "breaks-words", "printed-whole-elsewhere", "short-prefixes", "listed-prefix-in-a-word"],
)
def test_the_typesetter_decides_an_unsure_line_end_hyphen(rules, lines, joined):
    doc = normalize(source("\n".join(lines), "text"), rules)
    assert [l.text for l in doc.lines] == [joined]


def test_hyphen_evidence_reads_pdf_words_and_lines_alike(rules):
    keep = rules.normalize.keep_hyphen_prefixes
    assert not hyphen_evidence(["the", "knowledge-", "sharing", "self-", "governing"], keep).breaks_words
    assert hyphen_evidence(["the", "knowledge-", "sharing", "govern-", "ment", "secto-", "ral"], keep).breaks_words
    assert not hyphen_evidence(["North Rhine-", "Westphalia"], keep).breaks_words  # a name, no syllable
    assert hyphen_evidence(["decen\u00ad"], keep).breaks_words


@pytest.mark.parametrize("text, lines", [
    ("the \ufb01nancial o\ufb03ce and the work\ufb02ow", ["the financial office and the workflow"]),
    ("a zero\u200bwidth space, a joiner\u2060 and a BOM\ufeff", ["a zerowidth space, a joiner and a BOM"]),
    ("multi\u00adlevel governance", ["multilevel governance"]),
    ("the decen\u00ad\ntralization process", ["the decentralization process"]),
    # A soft hyphen is the typesetter saying it breaks words: 'land-' is taken as soft too.
    ("the decen\u00ad\ntralization of land-\nuse", ["the decentralization of landuse"]),
], ids=["ligatures", "invisible", "soft-hyphen-inside", "soft-hyphen-at-line-end", "soft-hyphen-is-evidence"])
def test_pdf_characters_are_folded(rules, text, lines):
    assert [l.text for l in normalize(source(text, "text"), rules).lines] == lines


def test_pipe_table_rows_become_tab_separated_cells(rules):
    text = ("| Indicator | Disaggregation | Value |\n|---|:---:|---:|\n| 6.1.1. Water<sup>3</sup> | Urban | 43.5 |\n"
            "|  | Rural | a \\| b |\nNot | a table")
    lines = normalize(source(text), rules).lines
    assert [l.text for l in lines] == ["Indicator\tDisaggregation\tValue", "6.1.1. Water\tUrban\t43.5", "\tRural\ta | b",
                                       "Not | a table"]
    assert [m.number for m in lines[1].markers] == [3]


def test_simple_table_dash_rules_go(rules):
    text = "  Indicator        Value\n  ---------------- -------\n  6.1.1. Water     43.5\n  ---------------- -------\nText after."
    assert [l.text.strip() for l in normalize(source(text), rules).lines] == ["Indicator        Value", "6.1.1. Water     43.5",
                                                                           "Text after."]


def test_html_left_in_a_markdown_export(rules):
    text = ("<p>Zones,<br>with state offices &amp; the FCT&nbsp;team.</p>\n\n▶ In <b>Lagos</b> and <i>Ogun</i>.\n\n"
            "<table>\n<tr><td>6.1.1. Water</td><td>Urban</td><td>36.4</td></tr>\n<tr><td></td><td>Rural</td><td>n/a</td></tr>\n</table>")
    lines = [l for l in normalize(source(text), rules).lines if not l.is_blank]
    assert [collapse(l.text).text for l in lines[:2]] == ["Zones, with state offices & the FCT team.", "▶ In Lagos and Ogun."]
    assert [(s.kind, lines[1].text[s.start:s.end]) for s in lines[1].spans] == [("bold", "Lagos"), ("italic", "Ogun")]
    assert [l.text for l in lines[2:]] == ["6.1.1. Water\tUrban\t36.4", "\tRural\tn/a"]


def test_images_are_no_text_and_keep_their_alt_text_aside(rules):
    doc = normalize(source("Text before ![logo](l.png) after.\n\n![Level of participation: Weak](r.png)\n"), rules)
    assert [l.text for l in doc.lines if not l.is_blank] == ["Text before  after."]
    assert [(f.lineno, f.alt) for f in doc.figures] == [(3, "Level of participation: Weak")]


def test_collapse_moves_markers_and_keeps_them_before_spaces():
    clean = collapse("  a  b.\t c ", [Marker(7, 1)], [Span(2, 3, "bold")])
    assert clean.text == "a b. c"
    assert clean.markers == (Marker(4, 1),)
    assert clean.spans == (Span(0, 1, "bold"),)


PAGED = (
    "Country profile - Peru\n\nPERU\nTERRITORIAL ORGANIZATION\nPeru has 25 regions.\nIt continues\n\nPage 1\n\f"
    "Country profile - Peru\n\non the next page.\n1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION\nText.\n\n2\n\f"
    "Country profile - Peru\n\nMore text.\n- 3 -\n"
)


def test_running_headers_and_page_numbers_of_a_paged_text_export_are_dropped(rules):
    lines = [l.text for l in normalize(source(PAGED, "text"), rules).lines if not l.is_blank]
    assert lines == ["PERU", "TERRITORIAL ORGANIZATION", "Peru has 25 regions.", "It continues", "on the next page.",
                     "1. NATIONAL STRATEGIES FOR SDG IMPLEMENTATION", "Text.", "More text."]


def test_a_single_page_keeps_its_edge_lines(rules):
    lines = [l.text for l in normalize(source("Country profile - Peru\n\nPERU\nText.\n2\n", "text"), rules).lines if not l.is_blank]
    assert lines == ["Country profile - Peru", "PERU", "Text.", "2"]


def _collapse_reference(text, markers, spans):
    """Character by character, as the definition reads: the fast collapse must agree."""
    out, index_map, pending = [], [], False
    for ch in text:
        if ch.isspace():
            pending = bool(out)
            index_map.append(len(out))
            continue
        if pending:
            out.append(" ")
            pending = False
        index_map.append(len(out))
        out.append(ch)
    index_map.append(len(out))

    def move(offset):
        return min(index_map[min(offset, len(text))], len(out))

    return ("".join(out), tuple(Marker(move(m.offset), m.number) for m in markers),
            tuple(Span(move(s.start), move(s.end), s.kind) for s in spans if move(s.end) > move(s.start)))


def test_collapse_agrees_with_the_character_by_character_definition():
    import random

    rnd = random.Random(7)
    for _ in range(5000):
        text = "".join(rnd.choice("ab  \t\n.\u00a0") for _ in range(rnd.randint(0, 16)))
        markers = [Marker(rnd.randint(0, len(text)), 1) for _ in range(3)]
        spans = [Span(*sorted((rnd.randint(0, len(text)), rnd.randint(0, len(text)))), "bold") for _ in range(2)]
        got = collapse(text, markers, spans)
        assert (got.text, got.markers, got.spans) == _collapse_reference(text, markers, spans), repr(text)


def _collapse_run_by_run(text, markers, spans):
    """collapse as it was before only the shortened runs were looked at: every run of
    whitespace found, each offset moved past the runs before it."""
    import re
    from bisect import bisect_right

    if not markers and not spans:
        return " ".join(text.split()), (), ()
    runs = [(m.start(), m.end()) for m in re.finditer(r"\s+", text)]
    if not runs:
        return text, tuple(markers), tuple(sp for sp in spans if sp.end > sp.start)
    new_text = " ".join(text.split())
    starts = [start for start, _ in runs]
    removed_before, total = [], 0
    for start, end in runs:
        removed_before.append(total)
        total += (end - start) - (0 if start == 0 or end == len(text) else 1)

    def move(offset):
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        start, end = runs[i]
        if offset < end:
            return min(start - removed_before[i], len(new_text))
        edge = start == 0 or end == len(text)
        return min(offset - removed_before[i] - (end - start) + (0 if edge else 1), len(new_text))

    return (new_text, tuple(Marker(move(m.offset), m.number) for m in markers),
            tuple(Span(move(sp.start), move(sp.end), sp.kind) for sp in spans if move(sp.end) > move(sp.start)))


def test_a_text_taken_as_collapsed_is_its_own_collapse():
    """collapse skips splitting a text that has no space at an edge, no two in a row and is
    printable: every whitespace character but the space is unprintable, so such a text is
    its own collapse (the other way round need not hold: an unprintable letter is split)."""
    import random
    import sys

    from pipeline.document import _is_collapsed

    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [" "]
    rnd = random.Random(23)
    pieces = ["ab", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u2028", "\x1c", "\u200b", "é", ".", "\x00"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        if _is_collapsed(text):
            assert " ".join(text.split()) == text, repr(text)


def test_collapse_moves_offsets_as_the_run_by_run_version_did():
    """collapse looks only at the runs it shortens (an inner single space or TAB stays in
    place): on random texts, offsets past the end included, it gives what moving every
    offset past every run gave."""
    import random
    import re

    from pipeline.document import _SHORTENED_WS

    readable = re.compile(r"\A\s+|\s+\Z|\s{2,}")
    rnd = random.Random(11)
    for _ in range(20000):
        text = "".join(rnd.choice(["ab", "c", " ", " ", "  ", "\t", "\n", ".", "\u00a0", "\x1c", "\u2003"])
                       for _ in range(rnd.randint(0, 14)))
        markers = [Marker(rnd.randint(0, len(text) + 2), n) for n in range(rnd.randint(0, 3))]
        spans = [Span(*sorted((rnd.randint(0, len(text) + 2), rnd.randint(0, len(text) + 2))), "bold")
                 for _ in range(rnd.randint(0, 2))]
        got = collapse(text, markers, spans)
        assert (got.text, got.markers, got.spans) == _collapse_run_by_run(text, markers, spans), repr(text)
        assert [m.span() for m in _SHORTENED_WS.finditer(text)] == [m.span() for m in readable.finditer(text)]


@pytest.mark.parametrize("text, lines", [
    ("\uf0b7\tAlmaty adopted a plan.", ["\uf0b7 Almaty adopted a plan."]),  # Symbol's bullet, then a TAB
    ("  \uf0a7  Nur-Sultan opened clinics.", ["  \uf0a7 Nur-Sultan opened clinics."]),  # Wingdings' square
    ("\u25aa\nAkmola tried budgeting.", ["\u25aa Akmola tried budgeting."]),  # a bullet alone above its item
    ("\u27a2\n\nnext paragraph", ["\u27a2", "", "next paragraph"]),  # ... but not across a blank line
    ("done. \uf0d8 Then more", ["done. Then more"]),  # a symbol glyph inside a line is no text
    ("\u2610 None \u2612 Weak", ["\u2610 None \u2612 Weak"]),  # check boxes print a rating: no bullets
    ("a\tb", ["a\tb"]),
], ids=["symbol-tab", "wingdings-indented", "lone-bullet", "lone-bullet-before-blank", "glyph-inside-line",
        "check-boxes", "table-row"])
def test_bullets_of_symbol_fonts_open_list_items(rules, text, lines):
    assert [l.text for l in normalize(source(text, "text"), rules).lines] == lines


GRID = """Before.

+--------------------------+---------+-------------+
| Indicator                | Disagg. | Value       |
+==========================+=========+=============+
| 6.1.1. Proportion of     | Urban   | 43.5 (2020) |
| population using safely  |         |             |
| managed services<sup>3</sup> (%) |  |          |
+--------------------------+---------+-------------+
|                          | Rural   | -           |
+--------------------------+---------+-------------+

After.
"""


def test_grid_table_rows_become_tab_separated_cells(rules):
    lines = [l for l in normalize(source(GRID), rules).lines if not l.is_blank]
    assert [l.text for l in lines] == [
        "Before.", "Indicator\tDisagg.\tValue",
        "6.1.1. Proportion of population using safely managed services (%)\tUrban\t43.5 (2020)", "\tRural\t-", "After."]
    assert [l.lineno for l in lines] == [1, 4, 6, 10, 13]
    assert [m.number for m in lines[2].markers] == [3]  # markup inside a cell is read as anywhere else


def test_a_rule_of_plus_and_dashes_alone_is_no_grid_table(rules):
    assert [l.text for l in normalize(source("+----+----+\ntext", "text"), rules).lines] == ["+----+----+", "text"]


def test_a_link_into_the_document_reads_as_its_text(rules):
    text = "[1.1 NATIONAL COORDINATION MECHANISMS](#heading=h.3znysh7)\n[**Monitoring**](#monitoring) and [the VNR](https://x.org/v.pdf)"
    assert [l.text for l in normalize(source(text), rules).lines] == ["1.1 NATIONAL COORDINATION MECHANISMS",
                                                                      "Monitoring and https://x.org/v.pdf"]


def test_inline_scan_loses_no_token():
    """The scanner tries the token pattern only where _TOKEN_OPENER finds an opening: on
    random markdown-ish lines it finds exactly the tokens the pattern finds tried everywhere."""
    import random

    from pipeline import normalize as module

    pieces = ["**", "*", "_", "__", "\\_", "\\*", "[^3]", "^4^", "<sup>5</sup>", "<sup>[1, 2-4]</sup>", "²",
              "km²", "<b>", "</b>", "<br/>", "<span class='x'>", "[label](#h.x)", "[VNR](https://a.org/x_(y))",
              "![alt](img.png)", "<https://b.org>", "http://c.org/a_b", "ftp://d.org", "www.e.org", "&amp;",
              "word", " ", "hf", "(", ")", "!", "[", "]", "<", ">", "1", "m", "\\", "\t"]
    rng = random.Random(7)
    for _ in range(3000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert [m.span() for m in module._inline_tokens(line)] == [m.span() for m in module._INLINE.finditer(line)], line


def test_hyphen_evidence_prints_a_word_where_it_is_a_word_or_compound_of_its_own():
    """``HyphenEvidence.prints`` answers as the set of every word and compound printed
    would (runs of letters joined by single hyphens, lower case), for whole words, pieces
    of words and compounds, and compounds cut short."""
    import re
    from pathlib import Path

    texts = [line for path in sorted((Path(__file__).resolve().parent.parent / "raw").glob("*.md"))
             for line in path.read_text(encoding="utf-8").splitlines()]
    written = {w for text in texts for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower())}
    evidence = hyphen_evidence(texts, frozenset())
    asked = set(list(sorted(written))[::7])
    asked |= {w[1:] for w in asked} | {w[:-1] for w in asked} | {w.split("-")[0] for w in asked if "-" in w}
    asked |= {w.split("-")[-1] for w in written if "-" in w} | {w.replace("-", "") for w in written if "-" in w}
    assert len(asked) > 500
    for word in asked:
        assert evidence.prints(word) == (word in written), word


def _random_lines(pieces: list[str], count: int, seed: int = 11) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 10))) for _ in range(count)]


_LINE_PIECES = ["#", "## ", "|", " | ", "---", ":--", "-", "+", "+---+", "<tr>", "<td>", "</table>", "<sup>4</sup>",
                "[^3]:", "![alt](x.png)", "!", "[", "]", "*", "_", "\\", "&amp;", "²", "http://a.org", "ftp://b",
                "h", "f", "word", " ", "  ", "\t", "\f", "\u00a0", "\u2003", "\x1c", "\uf0b7", "\u25aa", "▶",
                "\ufb01", "\u00ad", "\u200b", "\u2010", "é", "’", "1.", "\ue000"]


def test_a_line_pattern_is_tried_only_where_its_lead_allows_it():
    """text_lines tries a line pattern only when the line's first character that is no space
    (its lead) is one the pattern can open with: on random lines, no pattern matches a line
    whose lead the gate leaves out, so no match is lost."""
    from pipeline import normalize as module

    gates = [(module._IMAGE_LINE, "!"), (module._TABLE_RULE, module._TABLE_LEADS),
             (module._HTML_TABLE_FRAME, module._TABLE_LEADS), (module._TABLE_ROW, "|"), (module._HTML_ROW, "<"),
             (module._HEADING, "#"), (module._NOTE_DEFINITION, module._DEFINITION_LEADS), (module._GRID_BORDER, "+"),
             (module._ITEM, None)]
    lines = _random_lines(_LINE_PIECES, 20000)
    for pattern, leads in gates:
        for line in lines:
            lead = module._lead(line)
            if pattern.match(line):
                assert lead and (leads is None or lead in leads), (pattern.pattern, line)
                if pattern is module._ITEM:
                    assert pattern.match(line).group(2) == lead
                if pattern is module._GRID_BORDER:
                    assert line.strip(" \t\f")[:1] == "+"


def test_cheap_gates_agree_with_the_patterns_they_skip():
    """A gate only says where its pattern or table may change a line: the markup and marker
    gates fire wherever the character classes they replaced did, fold_text and bullet_item
    return a line without the characters they change untouched."""
    import re

    from pipeline import normalize as module

    old_markup = re.compile(r"[<>\[\]!*_\\&^⁰¹²³⁴⁵⁶⁷⁸⁹]|https?://|ftp://")
    old_marker = re.compile(r"\[\^|[⁰¹²³⁴⁵⁶⁷⁸⁹]")
    for line in _random_lines(_LINE_PIECES + ["^", ">", "[^", "https", "://"], 20000):
        assert module._may_hold_markup(line) == bool(old_markup.search(line)), line
        assert bool(module._MAY_HOLD_MARKER.search(line)) == bool(old_marker.search(line)), line
        assert module.fold_text(line) == module._INNER_SOFT_HYPHEN.sub("", line).translate(module._FOLD), line
        assert module.bullet_item(line, "▶\uf0b7\u25aa") == _bullet_item_ungated(line, "▶\uf0b7\u25aa"), line
        assert module._unescape_url(line) == module._URL_ESCAPE.sub(r"\1", line), line


def _bullet_item_ungated(text: str, bullets: str) -> str:
    from pipeline import normalize as module

    item = module._ITEM.match(text)
    if item and item.group(2) in bullets:
        text = f"{item.group(1)}{item.group(2)} {text[item.end():]}"
    return module._PRIVATE_USE.sub("", text)


def test_an_empty_line_takes_the_short_way_to_what_the_long_way_made(rules):
    """text_lines makes an empty line's Line at once: over the raw profiles, each empty
    line turned into a line of one space (which takes every step, and ends the same)
    gives the same lines."""
    from pathlib import Path

    from pipeline.ingest import InputLimits, read_source

    raw = Path(__file__).resolve().parent.parent / "raw"
    empty = 0
    for path in sorted(p for p in raw.iterdir() if p.suffix in (".md", ".txt") and p.name != "README.md"):
        doc = read_source(path, raw, InputLimits(), rules)
        spaced = SourceDocument(doc.path, doc.sha256, doc.format, "\n".join(line or " " for line in doc.text.split("\n")))
        empty += doc.text.split("\n").count("")
        assert normalize(doc, rules).lines == normalize(spaced, rules).lines, path.name
    assert empty > 100

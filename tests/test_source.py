"""Reading statements: every shape a coalition publishes, and broken ones with every problem
located."""

from __future__ import annotations

import pytest

from pipeline.errors import PipelineError
from pipeline.source import StatementDate, parse_statement
from pipeline.text import normalise

from .conftest import FIXTURE_PROJECT

VALID = b"""id: demo
title: A title
date: 2020-05-01
language: en
issuer: Someone
body:
  - First paragraph.
signatories:
  - An organisation
"""


def parse(data: bytes, name: str = "demo"):
    return parse_statement(data, f"sources/{name}.yaml", name)


def problems(data: bytes, name: str = "demo") -> list[str]:
    with pytest.raises(PipelineError) as caught:
        parse(data, name)
    return [str(p) for p in caught.value.problems]


def with_field(name: str, value: str) -> bytes:
    """VALID with one field replaced (or added when absent)."""
    lines = VALID.decode().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{name}:"):
            end = i + 1
            while end < len(lines) and lines[end].startswith(" "):
                end += 1
            lines[i:end] = [f"{name}: {value}"] if value else []
            break
    else:
        lines.append(f"{name}: {value}")
    return ("\n".join(lines) + "\n").encode()


# --- the fixture statements ---------------------------------------------------------------------

def fixture(statement_id: str):
    path = FIXTURE_PROJECT / "sources" / f"{statement_id}.yaml"
    return parse_statement(path.read_bytes(), f"sources/{statement_id}.yaml", statement_id)


def test_the_sochi_fixture_is_the_seed_word_for_word(seed):
    statement = fixture("sochi-2018")
    assert statement.title.value == seed["title"]
    assert statement.subtitle is not None and statement.subtitle.value == seed["subtitle"]
    assert statement.date == StatementDate(2018, 1, 3)
    assert [p.value for p in statement.body] == seed["paragraphs"]
    assert [s.value for s in statement.signatories] == seed["signatories"]


def test_a_statement_of_another_shape():
    statement = fixture("ghouta-2017")
    assert statement.subtitle is None and statement.short_title is None
    assert statement.date == StatementDate(2017, 11) and statement.date.precision == "month"
    assert statement.date.isoformat() == "2017-11"
    assert [s.value for s in statement.signatories] == [
        "Baytna Syria", "Syrian Network for Human Rights", "Women Now for Development",
        "تجمع المحامين السوريين الأحرار"]
    assert statement.signatories[1].given == (("ar", "الشبكة السورية لحقوق الإنسان"),)
    assert statement.signatories[1].given_in("ar") == "الشبكة السورية لحقوق الإنسان"
    # a literal block keeps its lines: the list stays a list
    assert statement.body[2].value.splitlines() == [
        "We ask the members of the Security Council to:",
        "- demand that every siege in Syria be lifted;",
        "- ensure the safe evacuation of the sick and the wounded;",
        "- hold to account those who starve civilians as a method of war."]
    # a folded block reads as one line, as before
    assert "\n" not in statement.body[1].value and "**immediate" in statement.body[1].value


def test_a_statement_by_one_organisation():
    statement = fixture("one-voice-2019")
    assert statement.signatories == ()
    assert statement.date == StatementDate(2019) and statement.date.precision == "year"
    assert len(statement.title.value) > 180


# --- fields -------------------------------------------------------------------------------------

def test_lines_are_remembered_for_references():
    statement = parse(VALID)
    assert statement.title.line == 2
    assert statement.body[0].line == 7
    assert statement.signatories[0].line == 9


def test_whitespace_is_normalised():
    assert normalise("  two\n   lines\tand  spaces ") == "two lines and spaces"
    rewrapped = VALID.replace(b"  - First paragraph.", b"  - >-\n    First\n    paragraph.")
    assert parse(rewrapped).body[0].value == "First paragraph."


def test_a_literal_block_keeps_its_line_breaks_and_loses_only_extra_spaces():
    data = VALID.replace(b"  - First paragraph.", b"  - |\n    First  line\n    second line\n")
    assert parse(data).body[0].value == "First line\nsecond line"


@pytest.mark.parametrize(("value", "expected"), [
    ("2018-01-03", StatementDate(2018, 1, 3)),
    ("2017-08", StatementDate(2017, 8)),
    ("2019", StatementDate(2019)),
    ("'2017-08'", StatementDate(2017, 8)),
])
def test_a_date_is_a_day_a_month_or_a_year(value, expected):
    assert parse(with_field("date", value)).date == expected


@pytest.mark.parametrize(("value", "message"), [
    ("2017-02-30", "'date' 2017-02-30: that day does not exist: February 2017 has 28 days"),
    ("2016-02-30", "'date' 2016-02-30: that day does not exist: February 2016 has 29 days"),
    ("2017-13", "'date' 2017-13: there is no month 13; months go from 01 to 12"),
    ("3 January 2018", "'date' must be a day such as 2018-01-03, a month such as 2017-08 or a "
                       "year such as 2017, not '3 January 2018'"),
    ("[2018]", "'date' must be a day such as 2018-01-03, a month such as 2017-08 or a year such "
               "as 2017, not a list"),
])
def test_a_date_that_does_not_exist_is_named(value, message):
    assert problems(with_field("date", value)) == [f"sources/demo.yaml:3: {message}"]


def test_signatories_may_be_absent_or_an_empty_list():
    assert parse(with_field("signatories", "")).signatories == ()
    assert parse(with_field("signatories", "[]")).signatories == ()


def test_a_name_given_in_several_languages():
    data = VALID.replace(b"  - An organisation",
                         "  - {en: Baytna Syria, ar: بيتنا}".encode())
    [signatory] = parse(data).signatories
    assert signatory.value == "Baytna Syria" and signatory.given_in("ar") == "بيتنا"
    assert signatory.given_in("fr") is None


def test_a_name_given_in_several_languages_needs_the_statements_own():
    data = VALID.replace(b"  - An organisation", b"  - {fr: Baytna, ar: Baytna2}")
    assert problems(data) == ["sources/demo.yaml:9: the signatory 'Baytna' is given in fr, ar but "
                              "not in en, the statement's language: add 'en: ...'"]


def test_a_name_given_twice_in_one_language_or_in_an_unknown_one():
    data = VALID.replace(b"  - An organisation", b"  - {en: A, en: B, xx: C}")
    assert problems(data) == [
        "sources/demo.yaml:9: signatories item 1: the name in 'en' is given twice: keep one",
        "sources/demo.yaml:9: signatories item 1: 'xx' is not a language code known to CLDR: use "
        "a code such as 'ar', 'fa', 'fr' or 'pt_BR'"]


def test_a_short_title_for_the_running_header():
    statement = parse(with_field("short-title", "Short"))
    assert statement.short_title is not None and statement.short_title.value == "Short"


# --- problems -----------------------------------------------------------------------------------

def test_every_problem_of_a_file_is_reported_at_once():
    data = b"id: demo\ntitel: x\ndate: someday\nlanguage: en\nissuer: ''\nbody: []\n"
    assert problems(data) == [
        "sources/demo.yaml:2: unknown field 'titel': did you mean 'title'?",
        "sources/demo.yaml:3: 'date' must be a day such as 2018-01-03, a month such as 2017-08 or a "
        "year such as 2017, not 'someday'",
        "sources/demo.yaml:5: 'issuer' is empty: write the text, or remove the field if it is "
        "optional",
        "sources/demo.yaml:6: 'body' is an empty list: give at least one item",
        "sources/demo.yaml:1: the field 'title' is missing: add the headline",
    ]


def test_a_duplicate_key_is_an_error_not_a_silent_loss():
    assert problems(VALID + b"title: Again\n") == [
        "sources/demo.yaml:10: 'title' is given twice (first on line 2); YAML would keep only the "
        "last one: merge them into one"]


def test_tabs_in_indentation_get_a_clear_message():
    assert problems(VALID.replace(b"  - First", b"\t- First")) == [
        "sources/demo.yaml:7: a tab is used for indentation: YAML needs spaces, so replace the "
        "tabs with spaces"]


def test_a_file_that_is_not_utf8_is_named_with_its_line():
    assert problems(VALID.replace(b"Someone", b"Some\xffone")) == [
        "sources/demo.yaml:5: the file is not UTF-8 text: save it with the UTF-8 encoding"]


def test_the_identifier_must_match_the_file_name():
    assert problems(VALID, "other") == [
        "sources/other.yaml:1: 'id' is 'demo' but the file is named other.yaml: make them the same"]


def test_yaml_tags_are_not_executed():
    data = VALID.replace(b"title: A title", b"title: !!python/object/apply:os.system ['true']")
    assert problems(data) == [
        "sources/demo.yaml:2: 'title' carries the YAML tag !!python/object/apply:os.system: tags "
        "are not allowed in a statement; write plain text"]


def test_anchors_and_aliases_are_refused():
    bomb = VALID + b"x: &a [lol, lol]\ny: &b [*a, *a]\nz: [*b, *b]\n"
    assert problems(bomb) == ["sources/demo.yaml:10: anchors and aliases (&name, *name) are not "
                              "allowed in a statement: write the text out"]


@pytest.mark.parametrize(("char", "name"), [
    ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
    ("\U000e0041", "U+E0041 (TAG LATIN CAPITAL LETTER A)"),
    ("\u180e", "U+180E (MONGOLIAN VOWEL SEPARATOR)"),
    ("\u206a", "U+206A (INHIBIT SYMMETRIC SWAPPING)"),
    ("\U0001d173", "U+1D173 (MUSICAL SYMBOL BEGIN BEAM)"),
])
def test_invisible_characters_are_refused_with_their_line(char, name):
    data = VALID.replace(b"A title", f"A{char} title".encode())
    assert problems(data) == [f"sources/demo.yaml:2: the invisible or control character {name} is "
                              "not allowed: delete it"]


def test_an_escaped_invisible_character_is_refused_too():
    data = VALID.replace(b"title: A title", b'title: "A\\u202e title"')
    assert problems(data) == ["sources/demo.yaml:2: 'title': the invisible or control character "
                              "U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed: delete it"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_hidden_line_separator_is_named_on_the_line_an_editor_shows(separator):
    data = VALID.replace(b"Someone", f"Some{separator}one".encode())
    [message] = problems(data)
    assert message.startswith("sources/demo.yaml:5: the line separator U+")


def test_joiners_are_spelling_not_tricks():
    data = VALID.replace(b"An organisation", "می\u200cخواهم".encode())
    assert parse(data).signatories[0].value == "می\u200cخواهم"


def test_a_word_too_long_for_a_line_is_refused():
    data = VALID.replace(b"First paragraph.", b"x" * 200)
    assert problems(data) == ["sources/demo.yaml:7: 'body item 1' has a word of 200 characters "
                              "(xxxxxxxxxxxxxxxxxxxx...), too long to fit a line: break it with "
                              "spaces"]


def test_two_documents_in_one_file():
    assert problems(VALID + b"---\n" + VALID) == [
        "sources/demo.yaml:10: the file holds more than one YAML document ('---'): keep one "
        "statement per file"]


def test_a_byte_order_mark_and_windows_line_endings_are_fine():
    data = b"\xef\xbb\xbf" + VALID.replace(b"\n", b"\r\n")
    statement = parse(data)
    assert statement.title.value == "A title" and statement.signatories[0].line == 9


@pytest.mark.parametrize("name", ["NO", "2011", "Yes", "3.14", "null"])
def test_a_name_yaml_would_read_as_a_boolean_number_or_nothing_is_taken_as_written(name):
    data = VALID.replace(b"An organisation", name.encode())
    if name == "null":  # YAML's nothing is no name at all
        assert problems(data) == ["sources/demo.yaml:9: 'signatories item 1' is empty: write the "
                                  "text, or remove the field if it is optional"]
    else:
        assert parse(data).signatories[0].value == name


# --- the text rules, on every field (text.text_problems) -----------------------------------------

FIELD_OF = {  # a field, how to put a text in it, and the line it is then on
    "title": (lambda v: VALID.replace(b"title: A title", b"title: " + v), 2),
    "subtitle": (lambda v: VALID + b"subtitle: " + v + b"\n", 10),
    "short-title": (lambda v: VALID + b"short-title: " + v + b"\n", 10),
    "issuer": (lambda v: VALID.replace(b"issuer: Someone", b"issuer: " + v), 5),
    "body item 1": (lambda v: VALID.replace(b"  - First paragraph.", b"  - " + v), 7),
    "signatories item 1": (lambda v: VALID.replace(b"  - An organisation", b"  - " + v), 9),
    "signatories item 1 (ar)": (
        lambda v: VALID.replace(b"  - An organisation", b"  - {en: Baytna, ar: " + v + b"}"), 9),
}
ONLY_INVISIBLE = ["\\u200f", "\\u200e", "\\u061c", "\\u200d", "\\u200c", "\\u00ad", "\\u034f",
                  "\\u200f\\u200c", "\\u064b", "\\u3164", "\\u2800", " \\u200c "]


@pytest.mark.parametrize("field", FIELD_OF)
@pytest.mark.parametrize("escaped", ONLY_INVISIBLE)
def test_a_field_made_only_of_invisible_characters_is_refused_with_its_line(field, escaped):
    data_of, line = FIELD_OF[field]
    [message] = problems(data_of(f'"{escaped}"'.encode()))
    assert message.startswith(f"sources/demo.yaml:{line}: '{field}' holds only invisible "
                              "characters (U+"), message
    assert message.endswith("which print nothing: write the text")


@pytest.mark.parametrize("field", FIELD_OF)
def test_invisible_characters_typed_raw_are_refused_too(field):
    data_of, line = FIELD_OF[field]
    [message] = problems(data_of("\u200f\u200c".encode()))
    assert message == (f"sources/demo.yaml:{line}: '{field}' holds only invisible characters "
                       "(U+200C (ZERO WIDTH NON-JOINER), U+200F (RIGHT-TO-LEFT MARK)), which print "
                       "nothing: write the text")


def test_a_paragraph_whose_link_prints_nothing_is_refused():
    [message] = problems(FIELD_OF["body item 1"][0](b'"[\\u200f](https://example.org)"'))
    assert "'body item 1' holds only invisible characters (U+200F" in message


LONG_ADDRESS = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/" + "a" * 150


def test_a_link_to_a_200_character_address_is_accepted_in_every_field():
    assert len(LONG_ADDRESS) == 200
    link = f"'See [the commission]({LONG_ADDRESS})'".encode()
    for field, (data_of, _) in FIELD_OF.items():
        statement = parse(data_of(link))
        assert LONG_ADDRESS in repr(statement), field


def test_the_statement_of_issue_18_with_its_long_link_is_accepted():
    target = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/independent-international-commission"
    data = VALID.replace(b"  - First paragraph.", f"  - >-\n    \u062a\u062f\u0639\u0648 "
                         f"[\u0644\u062c\u0646\u0629 \u0627\u0644\u062a\u062d\u0642\u064a\u0642]"
                         f"({target}) \u0625\u0644\u0649 \u0627\u0644\u0639\u0645\u0644."
                         .encode()).replace(b"language: en", b"language: ar")
    assert target in parse(data).body[0].value


@pytest.mark.parametrize("field", FIELD_OF)
def test_a_long_address_printed_as_text_is_refused_without_saying_break_it_with_spaces(field):
    data_of, line = FIELD_OF[field]
    [message] = problems(data_of(LONG_ADDRESS.encode()))
    assert message == (f"sources/demo.yaml:{line}: '{field}' prints an address of 200 characters "
                       "(https://www.ohchr.or...), too long to fit a line: make it a link with words "
                       "for its text, [words](address); a link's address is never printed")


@pytest.mark.parametrize("field", FIELD_OF)
def test_a_long_word_is_refused_in_every_field(field):
    data_of, line = FIELD_OF[field]
    assert problems(data_of(b"'*" + b"y" * 81 + b"*'")) == [
        f"sources/demo.yaml:{line}: '{field}' has a word of 81 characters "
        f"({'y' * 20}...), too long to fit a line: break it with spaces"]


@pytest.mark.parametrize("field", FIELD_OF)
def test_nested_emphasis_is_bounded_in_every_field(field):
    data_of, line = FIELD_OF[field]
    assert parse(data_of(b"'" + b"*a " * 8 + b"x" + b" a*" * 8 + b"'"))
    [message] = problems(data_of(b"'" + b"*a " * 9 + b"x" + b" a*" * 9 + b"'"))
    assert message.startswith(f"sources/demo.yaml:{line}: '{field}' nests emphasis or links 9 "
                              "deep; at most 8 levels are allowed")


@pytest.mark.parametrize("nested", [b"*" * 6_000 + b"x" + b"*" * 6_000,
                                    b"*a " * 3_000 + b"x" + b" a*" * 3_000,
                                    b"_" * 10_000 + b"x" + b"_" * 10_000])
def test_thousands_of_nested_emphases_are_refused_at_parse_time(nested):
    for field, (data_of, line) in FIELD_OF.items():
        [message] = problems(data_of(b"'" + nested + b"'"))
        assert message.startswith(f"sources/demo.yaml:{line}: '{field}' "), message
        assert " nests emphasis or links " in message or " characters; a " in message


def test_a_paragraph_and_a_list_are_bounded():
    from pipeline.text import MAX_LIST_ITEMS, MAX_TEXT_CHARACTERS

    long = b"word " * (MAX_TEXT_CHARACTERS // 5 + 1)
    assert problems(FIELD_OF["body item 1"][0](long)) == [
        f"sources/demo.yaml:7: 'body item 1' has {len(long.strip()):,} characters; a paragraph "
        f"may hold at most {MAX_TEXT_CHARACTERS:,}: split it"]
    items = b"|\n" + b"    - a demand\n" * (MAX_LIST_ITEMS + 1)
    assert problems(FIELD_OF["body item 1"][0](items)) == [
        f"sources/demo.yaml:7: 'body item 1' has a list of {MAX_LIST_ITEMS + 1} items; a list may "
        f"hold at most {MAX_LIST_ITEMS}: split it into several lists or paragraphs"]
    assert parse(FIELD_OF["body item 1"][0](b"|\n" + b"    - a demand\n" * MAX_LIST_ITEMS))


def test_signatories_and_paragraphs_per_statement_are_bounded():
    from pipeline.source import MAX_PARAGRAPHS, MAX_SIGNATORIES

    many = VALID.replace(b"  - An organisation\n", b"".join(
        f"  - Organisation {n}\n".encode() for n in range(1, MAX_SIGNATORIES + 2)))
    assert problems(many) == [
        f"sources/demo.yaml:{9 + MAX_SIGNATORIES}: 'signatories' has {MAX_SIGNATORIES + 1:,} "
        f"items; a statement may have at most {MAX_SIGNATORIES:,} signatories (item "
        f"{MAX_SIGNATORIES + 1:,} is on this line)"]
    paragraphs = VALID.replace(b"  - First paragraph.\n", b"".join(
        f"  - Paragraph {n}.\n".encode() for n in range(1, MAX_PARAGRAPHS + 2)))
    assert problems(paragraphs) == [
        f"sources/demo.yaml:{7 + MAX_PARAGRAPHS}: 'body' has {MAX_PARAGRAPHS + 1:,} items; a "
        f"statement may have at most {MAX_PARAGRAPHS:,} paragraphs (item {MAX_PARAGRAPHS + 1:,} "
        "is on this line)"]


def test_a_thousand_signatories_are_read_in_well_under_a_second():
    import time

    many = VALID.replace(b"  - An organisation\n", b"".join(
        f"  - Organisation number {n} for [Syria](https://example.org/{n})\n".encode()
        for n in range(1, 1001)))
    start = time.perf_counter()
    assert len(parse(many).signatories) == 1000
    assert time.perf_counter() - start < 2


def test_the_paragraphs_of_a_statement_are_bounded_in_all():
    from pipeline.source import MAX_BODY_CHARACTERS
    from pipeline.text import MAX_TEXT_CHARACTERS

    paragraph = ("word " * (MAX_TEXT_CHARACTERS // 5 - 1)).strip().encode()
    count = MAX_BODY_CHARACTERS // len(paragraph) + 1
    data = VALID.replace(b"  - First paragraph.\n", b"".join(
        b"  - " + paragraph + b"\n" for _ in range(count)))
    assert problems(data) == [
        f"sources/demo.yaml:7: 'body' holds {count * len(paragraph):,} characters; the "
        f"paragraphs of a statement may hold at most {MAX_BODY_CHARACTERS:,} in all (about sixty "
        "pages): shorten them, or publish the text in parts"]


@pytest.mark.parametrize(("value", "message"), [
    ("0000", "'date' 0000: there is no year 0; years go from 0001 to 9999"),
    ("0000-01", "'date' 0000-01: there is no year 0; years go from 0001 to 9999"),
    ("0000-02-29", "'date' 0000-02-29: there is no year 0; years go from 0001 to 9999"),
    ("'0000'", "'date' 0000: there is no year 0; years go from 0001 to 9999"),
    ("\u0660\u0660\u0660\u0660", "'date' \u0660\u0660\u0660\u0660: there is no year 0; years go "
                                 "from 0001 to 9999"),
    ("0001-00", "'date' 0001-00: there is no month 0; months go from 01 to 12"),
    ("2020-01-00", "'date' 2020-01-00: that day does not exist: January 2020 has 31 days"),
    ("10000", "'date' must be a day such as 2018-01-03, a month such as 2017-08 or a year such "
              "as 2017, not '10000'"),
    ("-2020", "'date' must be a day such as 2018-01-03, a month such as 2017-08 or a year such "
              "as 2017, not '-2020'"),
])
def test_a_date_no_edition_could_print_is_refused_with_its_line(value, message):
    assert problems(with_field("date", value)) == [f"sources/demo.yaml:3: {message}"]


@pytest.mark.parametrize("value", ["0001", "0001-01-01", "9999-12-31", "1900-02", "2000-02-29"])
def test_the_first_and_last_dates_build_can_print_are_accepted(value):
    from pipeline.language import language

    date = parse(with_field("date", value)).date
    for code, locale in (("en", "en_GB"), ("ar", "ar_SY"), ("fa", None), ("ckb", None)):
        assert language(code, locale).format_date(date.first_day(), date.precision)


def test_an_organisation_listed_twice_with_two_names_in_one_language_is_an_error_naming_both():
    data = VALID.replace(b"  - An organisation", "\n".join([
        "  - {en: Baytna Syria, ar: بيتنا سوريا}",
        "  - Another",
        "  - en: Baytna Syria",
        "    ar: منظمة بيتنا سوريا",
    ]).encode())
    assert problems(data) == [
        "sources/demo.yaml:12: the signatory 'Baytna Syria' is listed twice with two names in ar: "
        "'بيتنا سوريا' (line 9) and 'منظمة بيتنا سوريا' (line 12); an edition can print only one: "
        "keep one of the two entries"]


@pytest.mark.parametrize("second", [
    "{en: Baytna Syria, ar: بيتنا سوريا}",  # the same names twice: nothing is lost
    "Baytna Syria",  # no name of its own in Arabic
    "{en: Baytna Syria, fr: Baytna Syrie}",  # a name in another language
    "{en: Baytna, ar: بيتنا سوريا}",  # another organisation with the same Arabic name
])
def test_an_organisation_listed_twice_without_conflicting_names_is_not_this_error(second):
    data = VALID.replace(b"  - An organisation",
                         f"  - {{en: Baytna Syria, ar: بيتنا سوريا}}\n  - {second}".encode())
    assert len(parse(data).signatories) == 2


def test_every_conflicting_language_is_named_and_three_listings_give_two_errors():
    data = VALID.replace(b"  - An organisation", "\n".join([
        "  - {en: X, ar: ا, fr: Xa}",
        "  - {en: X, ar: ب, fr: Xb}",
        "  - {en: X, ar: ت}",
    ]).encode())
    found = problems(data)
    assert [m.split(": the signatory")[0] for m in found] == [
        "sources/demo.yaml:10", "sources/demo.yaml:10", "sources/demo.yaml:11"]
    assert "two names in ar" in found[0] and "two names in fr" in found[1]
    assert "'ا' (line 9) and 'ت' (line 11)" in found[2]


@pytest.mark.parametrize("value", ["0000", "0000-06", "\u0660\u0660\u0660\u0660-01-01"])
def test_an_updated_date_no_edition_could_print_is_refused_under_its_own_name(value):
    [message] = problems(with_field("updated", value))
    assert message.startswith(f"sources/demo.yaml:10: 'updated' {value}: there is no year 0")

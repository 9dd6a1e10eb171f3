"""The rules every printed text follows, sources and translations alike (`text.text_problems`):
something visible, a word limit on what is printed (a link's text, never its target), bounded
size, lists and nesting. Unit tests, in memory."""

from __future__ import annotations

import time

import pytest

from pipeline import markup
from pipeline.text import (
    MAX_LIST_ITEMS,
    MAX_NESTING,
    MAX_TEXT_CHARACTERS,
    MAX_WORD,
    describe,
    text_problems,
    visible,
)

LONG_ADDRESS = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/" + "a" * 150  # 200 characters


def only(value: str, block: bool = False) -> str:
    """The one problem a text has."""
    found = text_problems(value, block=block)
    assert len(found) == 1, found
    return found[0]


# --- something visible ---------------------------------------------------------------------------

INVISIBLE = ["\u200f", "\u200e", "\u061c", "\u200c", "\u200d", "\u00ad", "\u034f", "\ufe0f",
             "\u064b", "\u0651", "\u20dd", "\u3164", "\u115f", "\u2800", "\u200f\u200e\u200c",
             " \u200f ", "\u200c \u200d", "\u00ad\u00ad\u00ad"]


@pytest.mark.parametrize("value", INVISIBLE)
@pytest.mark.parametrize("block", [False, True])
def test_a_text_made_only_of_invisible_characters_is_refused(value, block):
    problem = only(value, block)
    assert problem.startswith("holds only invisible characters (")
    assert describe(value.strip()[0]) in problem and problem.endswith("print nothing: write the text")


@pytest.mark.parametrize("value", [
    "[\u200f](https://example.org)",  # a link whose text prints nothing
    "*\u200c*", "**\u200d**", "_\u00ad_",
])
def test_markup_around_nothing_visible_prints_nothing(value):
    assert only(value).startswith("holds only invisible characters")


def test_a_list_item_made_only_of_invisible_characters_is_refused():
    assert only("We ask:\n- to lift the siege\n- \u200f", block=True).startswith(
        "holds only invisible characters (U+200F (RIGHT-TO-LEFT MARK))")


@pytest.mark.parametrize("value", [
    "بيتنا\u200cسوريا", "\u200fبيتنا سوريا", "a\u00adb", "e\u0301", "ـ", "-", "*", "...", "٢٠١٨",
    "[Baytna](https://example.org)\u200f",
])
def test_a_text_with_anything_visible_passes(value):
    assert text_problems(value) == []


def test_visible_is_what_prints():
    assert [c for c in "a\u200f \u00ad\u0651\u3164\t." if visible(c)] == ["a", "."]


# --- the word limit counts what is printed --------------------------------------------------------

def test_a_link_to_an_address_of_any_length_is_accepted():
    assert len(LONG_ADDRESS) == 200
    assert text_problems(f"See [the commission's page]({LONG_ADDRESS}).") == []
    assert text_problems(f"انظر [صفحة اللجنة]({LONG_ADDRESS}).", block=True) == []
    assert text_problems(f"We ask:\n1. to read [this]({LONG_ADDRESS})", block=True) == []


def test_a_word_as_long_as_a_line_holds_passes_and_one_more_character_is_refused():
    assert text_problems("x" * MAX_WORD) == []
    assert only("a " + "x" * (MAX_WORD + 1)) == (
        f"has a word of {MAX_WORD + 1} characters ({'x' * 20}...), too long to fit a line: "
        "break it with spaces")


@pytest.mark.parametrize("value", [
    "[" + "y" * (MAX_WORD + 1) + "](https://example.org)",  # a link's text is printed
    "*" + "y" * (MAX_WORD + 1) + "*",  # emphasis marks are not, but the word is
    "**a" + "y" * MAX_WORD + "**",
    "\u03bb" * (MAX_WORD + 1),  # Greek letters
    "y" * 41 + "*" + "y" * 41,  # an unpaired mark prints
])
def test_a_long_printed_word_is_refused_however_it_is_marked(value):
    assert "too long to fit a line" in only(value)


def test_a_long_address_printed_as_text_says_to_make_it_a_link_never_to_break_it_with_spaces():
    for value in (LONG_ADDRESS, f"see {LONG_ADDRESS}.", f"[{LONG_ADDRESS}]({LONG_ADDRESS})",
                  "www." + "a" * 90 + ".org", "mailto:" + "a" * 90 + "@example.org",
                  "a" * 90 + "@example.org", "example.org/" + "a" * 90):
        problem = only(value)
        assert "break it with spaces" not in problem, value
        assert problem.endswith("too long to fit a line: make it a link with words for its text, "
                                "[words](address); a link's address is never printed")


def test_a_link_the_subset_refuses_prints_as_text_and_counts():
    """A ``javascript:`` target is not a link: the whole of it prints, target included."""
    assert "too long" in only("[a](javascript:" + "x" * MAX_WORD + ")")


# --- bounds --------------------------------------------------------------------------------------

def test_a_text_may_hold_up_to_the_limit_of_characters():
    words = ("word " * (MAX_TEXT_CHARACTERS // 5)).strip()
    assert len(words) < MAX_TEXT_CHARACTERS and text_problems(words, block=True) == []
    assert only(words + " and more", block=True) == (
        f"has {len(words) + 9:,} characters; a paragraph may hold at most "
        f"{MAX_TEXT_CHARACTERS:,}: split it")
    assert only("x " * MAX_TEXT_CHARACTERS).startswith("has 40,000 characters; a text may hold")


def test_a_list_may_hold_up_to_the_limit_of_items():
    items = "We ask:\n" + "- a demand\n" * MAX_LIST_ITEMS
    assert text_problems(items, block=True) == []
    assert only(items + "- one more", block=True) == (
        f"has a list of {MAX_LIST_ITEMS + 1} items; a list may hold at most {MAX_LIST_ITEMS}: "
        "split it into several lists or paragraphs")
    numbered = "".join(f"{n}. a demand\n" for n in range(1, MAX_LIST_ITEMS + 2))
    assert "a list of 501 items" in only(numbered, block=True)


def test_two_lists_are_counted_apart():
    half = "- a\n" * MAX_LIST_ITEMS
    assert text_problems(half + "\nBetween.\n\n" + half, block=True) == []


@pytest.mark.parametrize(("open_mark", "close_mark"), [
    ("*a ", " a*"), ("_a ", " a_"), ("**a ", " a**"), ("__a ", " a__"),
    ("[a ", " a](https://example.org)"),
])
def test_each_kind_of_nesting_counts(open_mark, close_mark):
    """Links do not nest in Markdown: one level of link with emphasis inside it."""
    inner = "*b " * (MAX_NESTING - 1) + "x" + " b*" * (MAX_NESTING - 1)
    assert text_problems(open_mark + inner + close_mark) == []
    deeper = open_mark + "*b " + inner + " b*" + close_mark
    assert only(deeper).startswith(f"nests emphasis or links {MAX_NESTING + 1} deep")


@pytest.mark.parametrize("value", [
    "*" * 10_000 + "x" + "*" * 10_000,  # too long as well: refused before parsing
    "*a " * 3_000 + "x" + " a*" * 3_000,
    "_a " * 3_000 + "x" + " a_" * 3_000,
    "**a " * 2_000 + "x" + " a**" * 2_000,
    "[a *b " * 1_000 + "x" + "* c](https://example.org)" * 1_000,
])
@pytest.mark.parametrize("block", [False, True])
def test_thousands_of_nested_emphases_are_refused_quickly(value, block):
    start = time.perf_counter()
    found = text_problems(value, block=block)
    assert found and any("nests" in p or "characters;" in p for p in found), found
    assert time.perf_counter() - start < 2


def test_exactly_the_limit_of_nesting_passes_and_one_more_is_refused():
    def nested(depth: int) -> str:
        return "*a " * depth + "x" + " a*" * depth

    assert text_problems(nested(MAX_NESTING)) == []
    assert only(nested(MAX_NESTING + 1)) == (
        f"nests emphasis or links {MAX_NESTING + 1} deep; at most {MAX_NESTING} levels are "
        "allowed: remove the extra '*', '_' or '[...](...)' marks")


def test_rendering_never_nests_emphasis_beyond_the_safety_net():
    """A draft prints a refused translation anyway: its HTML still nests no deeper than the
    limit, and every tag it opens it closes."""
    html = markup.to_html("*a " * 5_000 + "x" + " a*" * 5_000)
    assert html.count("<em>") == html.count("</em>") == markup.MAX_EMPHASIS_DEPTH
    html = markup.to_html("*" * 10_000 + "x" + "*" * 10_000)
    assert html.count("<strong>") == html.count("</strong>") == markup.MAX_EMPHASIS_DEPTH
    assert "x" in html
    assert markup.to_html("*a **b x** c*") == "<p><em>a <strong>b x</strong> c</em></p>"


# --- Arabic words, and words an element divides -------------------------------------------------

def test_an_arabic_word_may_hold_up_to_the_limit_of_letters():
    from pipeline.text import MAX_JOINED_WORD

    assert text_problems("ص" * MAX_JOINED_WORD) == []
    assert text_problems("وباستراتيجياتهم") == []  # 15 letters: real words are shorter
    assert text_problems("(" + "ص" * MAX_JOINED_WORD + ")،") == []  # punctuation is no letter
    assert text_problems("بِسْمِ" * 2) == []  # marks are no letters
    assert only("ص" * (MAX_JOINED_WORD + 1)) == (
        f"has a word of {MAX_JOINED_WORD + 1} Arabic letters ({'ص' * 17}), too long to fit a "
        "column: Arabic letters change shape where a word is broken, so a word may hold at most "
        f"{MAX_JOINED_WORD}; check for a missing space")


@pytest.mark.parametrize("word", [
    "م" * 80, "ـ" * 20, "ܐ" * 20,  # Syriac joins too
    "\ufdfa\ufdfa",  # a ligature counts its letters (two of 15)
    "ص" * 10 + "\u200c" + "ص" * 10,  # a non-joiner does not make two words
    "[" + "ص" * 20 + "](https://example.org)",
])
def test_a_long_arabic_word_is_refused_however_it_is_written(word):
    assert "Arabic letters" in only(word)


def test_breaks_are_written_where_an_element_divides_a_long_word():
    zwsp = markup.ZWSP
    assert markup.to_html("y" * 60 + "**" + "W" * 15 + "**") == (
        f"<p>{'y' * 60}{zwsp}<strong>{'W' * 15}</strong></p>")
    assert markup.to_html("**" + "y" * 60 + "**z") == f"<p><strong>{'y' * 60}{zwsp}</strong>z</p>"
    assert zwsp in markup.to_html("[" + "y" * 20 + "](https://example.org).")
    # short words, whole words and Arabic words are left as they are
    for text in ("*un*believable", "**2254**(2015)", "[UN](https://example.org)'s",
                 "**a** b", "و**" + "ص" * 10 + "**" + "ص" * 5):
        assert zwsp not in markup.to_html(text), text


def test_a_latin_run_glued_into_a_long_word_gets_a_break_where_the_edition_isolates_it():
    from pipeline.text import FSI, PDI, isolate_latin

    zwsp = markup.ZWSP
    assert isolate_latin("نص x" + "ن" * 10 + "y" * 60) == (
        f"نص {FSI}x{PDI}{zwsp}{'ن' * 10}{zwsp}{FSI}{'y' * 60}{PDI}")
    assert isolate_latin("«Help4Syria»") == f"«{FSI}Help4Syria{PDI}»"  # short: as before
    assert isolate_latin("شبكة (SNHR) السورية") == f"شبكة {FSI}(SNHR){PDI} السورية"


def test_the_last_two_words_are_bound_unless_they_could_not_then_be_broken():
    nbsp = markup.NBSP

    def bound(text: str) -> bool:
        return nbsp in markup.to_html(text, keep_last_words=True)

    assert bound("We call on the Council to act.")
    assert bound("ندعو إلى الإفراج عن المعتقلين والمفقودين.")  # 19 letters, as Sochi's
    assert bound("as *the capital.*") and bound("as [resolution 2139](https://example.org).")
    assert not bound("نص " + "ص" * 16 + " " + "ص" * 16)  # too wide to keep on one line
    assert not bound("نص " + "y" * 60)  # a change of script: the edition divides it
    assert not bound("see **" + "y" * 30 + "**")  # an element divides it
    assert bound("x " + "W" * 80)  # one run: it can still be broken anywhere


def test_a_latin_name_with_a_semicolon_or_colon_stays_one_phrase_in_arabic_text():
    """A reader found «Hand in Hand for Aid; Development» printed as «Development ;Hand in Hand
    for Aid» in an Arabic list: the phrase was isolated as two runs around the semicolon."""
    from pipeline.text import FSI, PDI, isolate_latin

    for name in ("Hand in Hand for Aid; Development", "Relief: Syria", "Yalla! Syria"):
        assert isolate_latin(name) == f"{FSI}{name}{PDI}"
        assert isolate_latin(f"منظمة {name} للإغاثة") == f"منظمة {FSI}{name}{PDI} للإغاثة"
    # an e-mail address is one phrase: two would print example.org@info in an Arabic line
    for address in ("info@example.org", "press_office@syria-ngo.org"):
        assert f"على {FSI}{address}{PDI}" in isolate_latin(f"راسلونا على {address}.")
    # punctuation after a phrase stays outside it: the Arabic sentence goes on from there
    assert isolate_latin("قال Human Rights Watch: إن").startswith(f"قال {FSI}Human Rights Watch{PDI}")


def test_a_heading_made_only_of_invisible_characters_or_of_nothing_is_refused():
    from pipeline.text import text_problems

    assert "only invisible" in text_problems("## \u200f\u200d\u00ad", block=True)[0]
    assert text_problems("## ", block=True) == [
        "is an empty section heading: write its words after '## '"]
    assert text_problems("## Our demands", block=True) == []

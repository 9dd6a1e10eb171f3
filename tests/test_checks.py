"""How far a catalog serves an edition, and what is wrong with its translations.

`check_edition` counts the messages an edition needs (translated, fuzzy, untranslated, or printed
as in the source) and gathers every problem with its catalog file and line (that of the
translation, its msgstr, as msgfmt reports it); each checker yields the problems of one
translation, as errors (the edition is not released) or warnings.
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from pipeline import markup
from pipeline.catalogs.checks import Needed, Status, check_edition
from pipeline.catalogs.merge import new_catalog
from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.errors import PipelineError, Problem
from pipeline.language import plural_forms
from pipeline.messages import SourceMessage, build_template
from pipeline.render import PAGE, PAGES
from pipeline.text import describe

from . import helpers
from .helpers import ARABIC_SOURCE, add_arabic_statement, add_entry, cli, edit

FILE = "locales/ar/LC_MESSAGES/statements.po"
SOURCE = "sources/ghouta-2017.yaml"
LINK = "https://undocs.org/S/RES/2139(2014)"
LINKED = ("The undersigned organisations call for **immediate** humanitarian access, as "
          f"[Security Council resolution 2139]({LINK}) demands.")
LINKED_AR = ("تطالب المنظمات الموقعة بوصول إنساني **فوري**، كما يقتضي "
             f"[قرار مجلس الأمن ٢١٣٩]({LINK}).")
COUNT = ("%(num)s organisation signed this statement.",
         "%(num)s organisations signed this statement.")


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def header(code: str) -> str:
    forms, expression = plural_forms(code)
    return (f'msgid ""\nmsgstr ""\n"Language: {code}\\n"\n'
            f'"Plural-Forms: nplurals={forms}; plural={expression};\\n"\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n')


def entry(context: str | None, msgid: str | tuple[str, str], msgstr: str | tuple[str, ...],
          flags: str = "") -> str:
    lines = [f"#, {flags}"] if flags else []
    if context is not None:
        lines.append(f"msgctxt {quoted(context)}")
    if isinstance(msgid, tuple):
        lines += [f"msgid {quoted(msgid[0])}", f"msgid_plural {quoted(msgid[1])}"]
        lines += [f"msgstr[{n}] {quoted(form)}" for n, form in enumerate(msgstr)]
    else:
        lines += [f"msgid {quoted(msgid)}", f"msgstr {quoted(str(msgstr))}"]
    return "\n".join(lines) + "\n"


def catalog_of(entries: list[str], code: str = "ar"):
    return read_catalog("\n".join([header(code), *entries]).encode(), FILE, code)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def translation_line(text: str, needle: str) -> int:
    """The line of the translation (msgstr, or msgstr[0]) of the entry whose msgid line holds
    ``needle``."""
    start = line_of(text, needle)
    return next(n for n, line in enumerate(text.splitlines(), 1)
                if n > start and line.startswith("msgstr"))


def needed(context: str | None, msgid: str | tuple[str, str], line: int = 12,
           source_language: str = "en", as_written: bool = False) -> Needed:
    singular = msgid if isinstance(msgid, str) else msgid[0]
    return Needed((context, singular), source_language, f"{SOURCE}:{line}", as_written)


def problems_of(context: str | None, msgid: str | tuple[str, str], msgstr: str | tuple[str, ...],
                code: str = "ar", script: str = "Arab", flags: str = "") -> list[Problem]:
    """The problems of one translated message."""
    status = check_edition(catalog_of([entry(context, msgid, msgstr, flags)], code), FILE, code,
                           script, [needed(context, msgid)])
    assert (status.translated, status.fuzzy, status.untranslated) == (1, 0, 0)
    return status.problems


def errors(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[str]:
    return [p.message for p in problems if p.severity == "warning"]


ARABIC_FORMS = ("لم توقع أي منظمة على هذا البيان.", "وقعت منظمة واحدة على هذا البيان.",
                "وقعت منظمتان على هذا البيان.", "وقعت %(num)s منظمات على هذا البيان.",
                "وقعت %(num)s منظمة على هذا البيان.", "وقعت %(num)s منظمة على هذا البيان.")


# --- counting -----------------------------------------------------------------------------------

def test_check_edition_counts_translated_fuzzy_and_untranslated_messages_with_their_lines():
    text = "\n".join([header("ar"),
                      entry("title", "End the Siege of Eastern Ghouta", "إنهاء حصار الغوطة الشرقية"),
                      entry("signatory", "Baytna Syria", "بيتنا سوريا"),
                      entry("paragraph", LINKED, LINKED_AR, flags="fuzzy"),
                      entry("signatory", "Women Now for Development", ""),
                      entry(None, COUNT, ("", "وقعت منظمة واحدة على هذا البيان.", "", "", "", ""))])
    catalog = read_catalog(text.encode(), FILE, "ar")
    status = check_edition(catalog, FILE, "ar", "Arab", [
        needed("title", "End the Siege of Eastern Ghouta", 5),
        needed("signatory", "Baytna Syria", 28),
        needed("paragraph", LINKED, 15),
        needed("signatory", "Women Now for Development", 31),
        needed(None, COUNT, 64, "en"),
        needed("signatory", "Kesh Malek", 32),  # not in the catalog at all
    ])
    assert (status.translated, status.fuzzy, status.untranslated, status.total) == (2, 1, 3, 6)
    assert status.percent == pytest.approx(100 * 2 / 6)
    assert not status.releasable
    assert len(status.problems) == 4 and all(p.severity == "error" for p in status.problems)
    assert all(p.file == FILE for p in status.problems)
    fuzzy = next(p for p in status.problems if "is fuzzy" in p.message)
    assert fuzzy.line == translation_line(text, f"msgid {quoted(LINKED)[:30]}")
    assert fuzzy.message.startswith("paragraph 'The undersigned organisations call")
    empty = next(p for p in status.problems if "Women Now" in p.message)
    assert empty.line == translation_line(text, 'msgid "Women Now for Development"')
    assert empty.message.endswith("is untranslated")
    forms = next(p for p in status.problems if "organisation signed" in p.message)
    assert forms.line == translation_line(text, f"msgid {quoted(COUNT[0])}")
    assert text.splitlines()[forms.line - 1].startswith("msgstr[0]")
    assert "some plural forms are empty" in forms.message
    missing = next(p for p in status.problems if "Kesh Malek" in p.message)
    assert missing.line is None, "a message the catalog lacks has no line in it"
    assert f"({SOURCE}:32)" in missing.message and "python -m pipeline update" in missing.message
    assert str(missing) == f"{FILE}: {missing.message}"
    assert str(fuzzy) == f"{FILE}:{fuzzy.line}: {fuzzy.message}"


def test_in_the_source_language_an_empty_or_missing_entry_is_the_source_text():
    catalog = catalog_of([entry("title", "End the Siege of Eastern Ghouta", ""),
                          entry("paragraph", LINKED, "", flags="fuzzy"),
                          entry("signatory", "Baytna Syria", "Baytna Syria (Our Home)")], "en")
    status = check_edition(catalog, "locales/en/LC_MESSAGES/statements.po", "en", "Latn", [
        needed("title", "End the Siege of Eastern Ghouta"), needed("paragraph", LINKED),
        needed("signatory", "Baytna Syria"), needed("signatory", "Kesh Malek")])
    assert (status.translated, status.fuzzy, status.untranslated) == (4, 0, 0)
    assert status.problems == [] and status.releasable and status.percent == 100.0


def test_the_templates_words_need_a_translation_in_another_language():
    catalog = catalog_of([entry(None, "Signatories", "")])
    status = check_edition(catalog, FILE, "ar", "Arab", [needed(None, "Signatories", 63, "en")])
    assert (status.translated, status.untranslated) == (0, 1)


def test_a_name_printed_as_written_needs_no_translation():
    """A name the organisation gives in Arabic, or writes in Arabic script, prints as written in
    the Arabic edition, whether or not the catalog has an entry for it."""
    catalog = catalog_of([entry("signatory", "Syrian Network for Human Rights", "")])
    status = check_edition(catalog, FILE, "ar", "Arab", [
        needed("signatory", "Syrian Network for Human Rights", as_written=True),
        needed("signatory", "تجمع المحامين السوريين الأحرار", as_written=True)])
    assert (status.translated, status.fuzzy, status.untranslated) == (2, 0, 0)
    assert status.problems == []


def test_an_empty_catalog_entry_is_untranslated_when_the_name_is_not_as_written():
    catalog = catalog_of([entry("signatory", "Syrian Network for Human Rights", "")])
    status = check_edition(catalog, FILE, "ar", "Arab",
                           [needed("signatory", "Syrian Network for Human Rights")])
    assert (status.translated, status.untranslated) == (0, 1)


# --- placeholders -------------------------------------------------------------------------------

@pytest.mark.parametrize(("msgid", "msgstr"), [
    ("Page %(page)s of %(pages)s", "صفحة %(page)s"),  # dropped
    ("Page %(page)s of %(pages)s", "صفحة %(page)s من %(pages)s %(total)s"),  # added
    ("Page %(page)s of %(pages)s", "صفحة %(pagez)s من %(pages)s"),  # misspelt
    ("Signatories", "الموقعون (%(num)s)"),  # added to a text that has none
])
def test_a_placeholder_dropped_or_added_is_an_error(msgid, msgstr):
    found = errors(problems_of(None, msgid, msgstr))
    assert len(found) == 1 and "placeholders differ from the source text" in found[0]


def test_a_percent_sign_is_text_from_the_template_to_the_check():
    """"50% of voters" gets no python-format flag in the template, so «٥٠٪ من الناخبين» is a
    translation the reader accepts (msgfmt would refuse it, were the entry flagged) and the
    check passes."""
    source = build_template([SourceMessage("paragraph", "Turnout fell to 50% of voters.",
                                           SOURCE, 14, ("Paragraph 1 of 1.",))])
    catalog = new_catalog("ar", source)
    [message] = catalog.entries
    assert message.flags == set()
    message.msgstr = "انخفضت المشاركة إلى ٥٠٪ من الناخبين."
    catalog = read_catalog(serialise(catalog), FILE, "ar")  # as every run reads it
    status = check_edition(catalog, FILE, "ar", "Arab",
                           [needed("paragraph", "Turnout fell to 50% of voters.", 14)])
    assert (status.translated, status.problems) == (1, [])

    message = catalog.entries[0]
    message.flags.add("python-format")  # as Babel flagged it
    with pytest.raises(PipelineError, match="remove the python-format flag"):
        read_catalog(serialise(catalog), FILE, "ar")


@pytest.mark.parametrize(("msgid", "msgstr"), [
    ("Only 50% of voters took part.", "لم يشارك سوى ٥٠٪ من الناخبين."),
    ("Only 50% of voters took part.", "لم يشارك سوى 50% من الناخبين."),
    ("Aid reached 5 %of the besieged.", "وصلت المساعدات إلى ٥٪ من المحاصرين."),
    ("Page %(page)s of %(pages)s", "%(pages)s / %(page)s"),  # reordered
])
def test_a_percent_sign_is_text_and_reordered_placeholders_are_fine(msgid, msgstr):
    assert errors(problems_of("paragraph" if "%(" not in msgid else None, msgid, msgstr)) == []


def test_a_plural_form_may_leave_the_number_out_but_never_add_one():
    assert errors(problems_of(None, COUNT, ARABIC_FORMS)) == []
    added = ARABIC_FORMS[:2] + ("وقعت %(count)s منظمتان على هذا البيان.",) + ARABIC_FORMS[3:]
    found = errors(problems_of(None, COUNT, added))
    assert len(found) == 1 and "%(num)s" in found[0]


@pytest.mark.parametrize("msgstr", [
    "صفحة %(page)d من %(pages)s",  # another conversion: the page number is text (digits)
    "صفحة %(page)s من %(pages)s ١٠٠%",  # a lone % where the text is formatted
    "صفحة %(page)s من %(pages)s % تقريبا",
])
def test_a_translation_that_the_formatting_would_reject_is_an_error(msgstr):
    """The templates format these words with their values (``word % variables``, all of them
    text): a translation that cannot be formatted would stop the build with a template error
    that `check` must have named first."""
    with pytest.raises((TypeError, ValueError)):
        escape(msgstr) % {"page": PAGE, "pages": PAGES}  # what rendering does
    found = errors(problems_of(None, "Page %(page)s of %(pages)s", msgstr))
    assert found, f"{msgstr!r} passes the check but cannot be formatted"


# --- markup -------------------------------------------------------------------------------------

def test_a_translation_that_keeps_the_links_and_emphasis_has_no_problem():
    assert problems_of("paragraph", LINKED, LINKED_AR) == []


@pytest.mark.parametrize("translation", [
    LINKED_AR.replace(f"[قرار مجلس الأمن ٢١٣٩]({LINK})", "قرار مجلس الأمن ٢١٣٩"),  # dropped
    LINKED_AR.replace(LINK, "https://example.org/2139"),  # another target
    LINKED_AR.replace("**فوري**", "فوري"),  # strong emphasis dropped
    LINKED_AR.replace("](", "] ("),  # a broken link prints its brackets
])
def test_a_translation_that_breaks_the_markdown_is_an_error_as_markup_compare_says(translation):
    expected = [i.message for i in markup.compare(LINKED, translation) if i.severity == "error"]
    assert expected, "the case must break the markup"
    found = errors(problems_of("paragraph", LINKED, translation))
    assert found == [f"paragraph {LINKED[:57] + '...'!r}: {message}" for message in expected]


def test_a_different_number_of_emphases_is_a_warning():
    source = "Civilians are *besieged* and *starving*."
    problems = problems_of("paragraph", source, "المدنيون *محاصرون وجائعون*.")
    assert errors(problems) == []
    assert len(warnings(problems)) == 1 and "emphasis" in warnings(problems)[0]


def test_a_name_is_inline_markup_only():
    """A list marker at the start of a name is text, so a translation with one matches."""
    assert errors(problems_of("signatory", "1. Syrian Forum", "1. المنتدى السوري")) == []


@pytest.mark.parametrize(("msgid", "msgstr"), [
    ("Baytna Syria", "<b>بيتنا</b> سوريا"),
    ("Signatories", "الموقعون<br>"),
    ("Syrian <Forum> for Democracy", "المنتدى السوري للديمقراطية"),
])
def test_html_tags_that_differ_from_the_source_are_an_error(msgid, msgstr):
    found = errors(problems_of("signatory", msgid, msgstr))
    assert "the markup differs from the source text" in " ".join(found)


# --- characters and white space -----------------------------------------------------------------

@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\U000e0041", "\u180e", "\u206a", "\u2066",
                                  "\x07", "\ufeff"])
def test_a_forbidden_invisible_character_is_an_error(char):
    found = errors(problems_of("signatory", "Baytna Syria", f"بيتنا{char} سوريا"))
    assert len(found) == 1 and describe(char) in found[0]


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u061c"])
def test_a_direction_mark_is_a_warning(mark):
    problems = problems_of("signatory", "Baytna Syria", f"بيتنا {mark}سوريا")
    assert errors(problems) == []
    assert len(warnings(problems)) == 1 and describe(mark) in warnings(problems)[0]


@pytest.mark.parametrize("char", ["\u00ad", "\u200c", "\u200d"])
def test_spelling_characters_are_allowed(char):
    assert problems_of("signatory", "Baytna Syria", f"بيتنا{char}سوريا") == []


def test_a_forbidden_character_in_any_plural_form_is_an_error_even_after_a_direction_mark():
    """The first form's harmless mark must not hide an override in another form."""
    forms = (f"\u200e{ARABIC_FORMS[0]}", ARABIC_FORMS[1], ARABIC_FORMS[2],
             ARABIC_FORMS[3].replace("منظمات", "\u202eمنظمات"), *ARABIC_FORMS[4:])
    found = errors(problems_of(None, COUNT, forms))
    assert any(describe("\u202e") in message for message in found), found


@pytest.mark.parametrize("msgstr", [" بيتنا سوريا", "بيتنا سوريا ", "بيتنا سوريا\t"])
def test_leading_or_trailing_white_space_that_the_source_lacks_is_an_error(msgstr):
    found = errors(problems_of("signatory", "Baytna Syria", msgstr))
    assert found == ["signatory 'Baytna Syria': leading or trailing white space differs from "
                     "the source text"]


@pytest.mark.parametrize("msgstr", ["بيتنا سوريا\n", "\nبيتنا سوريا"])
def test_a_line_break_the_source_lacks_at_either_end_makes_the_catalog_unreadable(msgstr):
    """msgfmt --check refuses such a catalog, so the reader does, on the translation's line."""
    text = "\n".join([header("ar"), entry("signatory", "Baytna Syria", msgstr)])
    with pytest.raises(PipelineError) as caught:
        catalog_of([entry("signatory", "Baytna Syria", msgstr)])
    [problem] = caught.value.problems
    assert problem.file == FILE and problem.line == translation_line(text, 'msgid "Baytna Syria"')
    assert "line break" in problem.message and "'msgstr'" in problem.message


# --- copies -------------------------------------------------------------------------------------

def test_a_copy_of_a_name_in_another_script_is_a_warning():
    problems = problems_of("signatory", "Women Now for Development", "Women Now for Development")
    assert errors(problems) == []
    assert len(warnings(problems)) == 1 and "likely a copy" in warnings(problems)[0]
    assert "add the flag 'ignore-same' (a line '#, ignore-same' right above the entry's msgctxt)" \
        in warnings(problems)[0]


@pytest.mark.parametrize(("text", "code", "script", "flags"), [
    ("Scotland4Syria", "ar", "Arab", "ignore-same"),  # meant to stay as it is
    ("Women Now for Development", "fr", "Latn", ""),  # the same script: names often stay
    ("2254", "ar", "Arab", ""),  # no letter to translate
])
def test_no_copy_warning_when_it_is_meant_latin_or_letterless(text, code, script, flags):
    assert problems_of("signatory", text, text, code, script, flags) == []


@pytest.mark.parametrize("comment", ["# ignore-same\n", "#   ignore-same  \n",
                                     "# ignore-same\n# the translator's own note\n"])
def test_a_translators_comment_marks_a_copy_as_meant_as_the_flag_does(comment):
    """msgcat (and Poedit saving through it) drops the flag and keeps the comment."""
    marked = check_edition(catalog_of([comment + entry("title", "Help4Syria", "Help4Syria")]),
                           FILE, "ar", "Arab", [needed("title", "Help4Syria")])
    assert marked.problems == [] and marked.releasable
    unmarked = check_edition(catalog_of(["# a note\n" + entry("title", "Help4Syria", "Help4Syria")]),
                             FILE, "ar", "Arab", [needed("title", "Help4Syria")])
    assert not unmarked.releasable


@pytest.mark.parametrize("comment", ["# ignore-same: please translate!\n",
                                     "# do not ignore-same\n", "# ignore-same?\n"])
def test_a_comment_that_only_mentions_ignore_same_marks_nothing(comment):
    """Only a comment line that is exactly 'ignore-same' marks a copy: a translator's note
    asking for a translation is no mark, and the copy is still refused; check says that the
    comment marks an entry too, so that a translator unmarking one removes both."""
    status = check_edition(catalog_of([comment + entry("title", "Help4Syria", "Help4Syria")]),
                           FILE, "ar", "Arab", [needed("title", "Help4Syria")])
    assert not status.releasable
    assert "the comment line '# ignore-same', which marks it too: to unmark an entry, remove " \
           "both" in status.errors[0].message


# --- severity -----------------------------------------------------------------------------------

def test_severity_is_a_typed_field_and_only_errors_block_an_edition():
    """Severity is set by the checker, never read back from a message's words: a source text
    that says "warning" does not make its error a warning."""
    source = "warning: Page %(page)s of %(pages)s"
    catalog = catalog_of([entry(None, source, "تحذير: صفحة %(page)s"),
                          entry("signatory", "Baytna Syria", "\u200fبيتنا سوريا"),
                          entry("signatory", "Kesh Malek", "Kesh Malek")])
    status = check_edition(catalog, FILE, "ar", "Arab", [
        needed(None, source), needed("signatory", "Baytna Syria"),
        needed("signatory", "Kesh Malek")])
    assert sorted(p.severity for p in status.problems) == ["error", "warning", "warning"]
    error = status.errors[0]
    assert "placeholders differ" in error.message and error.message.startswith("'warning:")
    assert all(not p.message.startswith("warning") for p in status.problems
               if p.severity == "warning")
    assert all(str(p).startswith(f"{FILE}:{p.line}: warning: ") for p in status.problems
               if p.severity == "warning")
    assert not status.releasable

    only_warnings = Status("ar", FILE, translated=2, problems=[
        p for p in status.problems if p.severity == "warning"])
    assert only_warnings.releasable and only_warnings.errors == []


@pytest.mark.parametrize("context", ["paragraph", "title", "short-title", "subtitle"])
@pytest.mark.parametrize("copy", [LINKED, "End the Siege of Eastern Ghouta",
                                  "We ask:\n- to lift the siege\n- to let aid in"])
def test_a_paragraph_or_title_copied_into_another_script_is_refused_with_its_line(context, copy):
    text = "\n".join([header("ar"), entry(context, copy, copy)])
    status = check_edition(catalog_of([entry(context, copy, copy)]), FILE, "ar", "Arab",
                           [needed(context, copy)])
    assert not status.releasable
    [error] = status.errors
    assert error.line == translation_line(text, f"msgid {quoted(copy)}")
    assert error.message.endswith(": untranslated: identical to the source text although the "
                                  "language is written in another script (Arab); translate it, "
                                  "or add the flag 'ignore-same' (a line '#, ignore-same' right "
                                  "above the entry's msgctxt) if it is meant to stay as it is; "
                                  "update adds the comment line '# ignore-same', which marks it "
                                  "too: to unmark an entry, remove both")


def test_a_section_heading_copied_into_another_script_is_refused():
    found = errors(problems_of("heading", "## Our demands", "## Our demands"))
    assert any("untranslated: identical to the source text" in e for e in found), found


@pytest.mark.parametrize("context", ["paragraph", "title"])
def test_a_copy_differing_only_in_white_space_is_a_copy_still(context):
    found = errors(problems_of(context, "End the Siege of Eastern Ghouta",
                               "End  the Siege of Eastern Ghouta"))
    assert any("untranslated: identical to the source text" in e for e in found), found


@pytest.mark.parametrize(("context", "text", "code", "script", "flags"), [
    ("title", "Help4Syria", "ar", "Arab", "ignore-same"),  # meant to stay as it is
    ("paragraph", "End the Siege of Eastern Ghouta", "fr", "Latn", ""),  # the same script
    ("paragraph", "2254 (2015)", "ar", "Arab", ""),  # no letter to translate
    ("issuer", "Syrian Civil Society Coalition", "ar", "Arab", ""),  # a name: a warning only
])
def test_a_copy_is_not_refused_when_meant_in_the_same_script_letterless_or_a_name(
        context, text, code, script, flags):
    assert errors(problems_of(context, text, text, code, script, flags)) == []


# --- the text rules, on translations as on sources ----------------------------------------------

LONG_ADDRESS = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/" + "a" * 150


@pytest.mark.parametrize("context", ["paragraph", "title", "signatory", "issuer", "subtitle",
                                     None])
@pytest.mark.parametrize("msgstr", ["\u200f", "\u200c", "\u200d", "\u00ad", "\u034f",
                                    "\u061c\u200e", "\u064b", "\u2800"])
def test_a_translation_made_only_of_invisible_characters_is_refused_with_its_line(
        context, msgstr):
    source = "Baytna Syria"
    text = "\n".join([header("ar"), entry(context, source, msgstr)])
    status = check_edition(catalog_of([entry(context, source, msgstr)]), FILE, "ar", "Arab",
                           [needed(context, source)])
    assert not status.releasable
    found = [e for e in status.errors if "holds only invisible characters" in e.message]
    assert len(found) == 1, status.errors
    assert found[0].line == translation_line(text, f"msgid {quoted(source)}")
    assert describe(msgstr[-1]) in found[0].message


def test_a_plural_form_made_only_of_invisible_characters_is_refused():
    forms = (*ARABIC_FORMS[:3], "\u200f", *ARABIC_FORMS[4:])
    found = errors(problems_of(None, COUNT, forms))
    assert any("holds only invisible characters (U+200F" in e for e in found), found


def test_a_translated_link_to_a_200_character_address_is_accepted():
    source = f"Read [the commission's page]({LONG_ADDRESS}) today."
    translation = f"اقرؤوا [صفحة اللجنة]({LONG_ADDRESS}) اليوم."
    assert problems_of("paragraph", source, translation) == []


def test_an_arabic_translation_with_a_word_too_long_for_a_column_is_refused():
    found = errors(problems_of("paragraph", "We call for peace.", "ندعو إلى " + "س" * 17 + "."))
    assert found == ["paragraph 'We call for peace.': has a word of 17 Arabic letters "
                     f"({'س' * 17}.), too long to fit a column: Arabic letters change shape where "
                     "a word is broken, so a word may hold at most 16; check for a missing space"]


def test_a_translation_with_a_word_too_long_for_a_line_is_refused_with_its_line():
    source, translation = "We call for peace.", "ندعو إلى " + "W" * 90 + "."
    text = "\n".join([header("ar"), entry("paragraph", source, translation)])
    status = check_edition(catalog_of([entry("paragraph", source, translation)]), FILE, "ar",
                           "Arab", [needed("paragraph", source)])
    [error] = status.errors
    assert error.line == translation_line(text, f"msgid {quoted(source)}")
    assert not status.releasable
    assert error.message == ("paragraph 'We call for peace.': has a word of 91 characters "
                             f"({'W' * 20}...), too long to fit a line: break it with spaces")


def test_a_long_address_printed_as_text_in_a_translation_says_to_keep_the_link():
    source = f"Read [the page]({LONG_ADDRESS})."
    translation = f"اقرؤوا [{LONG_ADDRESS}]({LONG_ADDRESS})."
    found = errors(problems_of("paragraph", source, translation))
    assert len(found) == 1 and "break it with spaces" not in found[0]
    assert "prints an address of 201 characters" in found[0]  # with its full stop
    assert "make it a link with words for its text" in found[0]


@pytest.mark.parametrize("context", ["paragraph", "title", "signatory"])
@pytest.mark.parametrize("nested", ["*a " * 9 + "x" + " a*" * 9,
                                    "*" * 6_000 + "x" + "*" * 6_000,
                                    "_a " * 3_000 + "x" + " a_" * 3_000])
def test_a_translation_with_deeply_nested_emphasis_is_refused(context, nested):
    found = errors(problems_of(context, "*a* b", nested))
    assert any("nests emphasis or links" in e and "at most 8 levels" in e for e in found), found


def test_a_translation_longer_than_a_paragraph_may_be_is_refused():
    found = errors(problems_of("paragraph", "Short.", "كلمة " * 5_000))
    assert any("characters; a paragraph may hold at most 20,000: split it" in e
               for e in found), found


def test_the_text_rules_leave_a_good_translation_alone():
    assert problems_of("paragraph", LINKED, LINKED_AR) == []
    assert problems_of("signatory", "Baytna Syria", "بيتنا سوريا") == []


def test_an_entry_translating_a_statement_into_its_own_language_is_only_a_warning(small, capsys):
    """A statement written in Arabic: its Arabic edition prints the source, so an Arabic entry
    for one of its messages is never read. `check` warns at the entry's line, naming the
    statement and where the source is, and checks it no further (a copy of the source is no
    "untranslated" error); an entry the English statements read too gets no such warning."""
    source = add_arabic_statement(small)
    title = "نداء من أجل المعتقلين"
    copy_line = add_entry(small, "ar", "title", title, title)
    issuer_line = add_entry(small, "ar", "issuer", "تحالف المجتمع المدني السوري", "تحالف آخر")
    status, lines = cli(capsys, small, "check", "--lang", "ar")
    assert status == 0, lines
    assert (f"{FILE}:{copy_line}: warning: this message is the Arabic source of nidaa-2020 "
            f"({source}:{helpers.line_of(small, source, 'title:')}): the Arabic edition prints the "
            "source; change the source instead") in lines
    assert any(line.startswith(f"{FILE}:{issuer_line}: warning: this message is the Arabic "
                               "source of nidaa-2020") for line in lines)
    assert not any("Baytna Syria" in line or "untranslated" in line for line in lines), lines


def test_a_check_of_one_statement_does_not_call_unread_an_entry_another_statement_reads(
        small, capsys):
    """``check nidaa-2020``: the Arabic entry of "Baytna Syria", which the Arabic statement
    signs and the English ones read, is no unread entry (a new user's finding: the check of one
    statement said it was, plain ``check`` said nothing); the copy of its title still is."""
    add_arabic_statement(small)
    title = "نداء من أجل المعتقلين"
    add_entry(small, "ar", "title", title, title)
    assert cli(capsys, small, "update")[0] == 0
    catalog = small.catalog_path("ar").read_text("utf-8").splitlines()
    for scope in (["nidaa-2020"], []):
        status, lines = cli(capsys, small, "check", *scope, "--lang", "ar")
        assert status == 0, lines
        warned = [line for line in lines if "source of nidaa-2020" in line]
        assert len(warned) == 1, (scope, warned)
        assert catalog[int(warned[0].split(":")[1]) - 1] == f'msgstr "{title}"', warned


def test_a_check_of_one_statement_still_warns_of_an_entry_only_a_removed_statement_named(
        small, capsys):
    """``check nidaa-2020`` after another statement that used its title was removed (the
    catalog's references still name it until ``update``): nobody reads the Arabic copy of the
    title, and the check of the one statement says so, as plain ``check`` does; a statement
    that is still there is left alone (it may read it)."""
    add_arabic_statement(small)
    title = "نداء من أجل المعتقلين"
    add_entry(small, "ar", "title", title, title)
    assert cli(capsys, small, "update")[0] == 0
    path = small.catalog_path("ar")
    text = path.read_text("utf-8")
    assert text.count("#: sources/nidaa-2020.yaml:2\n") == 1
    for other, warned in (("gone-2019", 1), ("ghouta-2017", 0)):
        path.write_text(text.replace("#: sources/nidaa-2020.yaml:2\n",
                                     f"#: sources/nidaa-2020.yaml:2 sources/{other}.yaml:2\n"),
                        "utf-8")
        for scope in (["nidaa-2020"], []):
            status, lines = cli(capsys, small, "check", *scope, "--lang", "ar")
            assert status == 0, lines
            found = [line for line in lines if "source of nidaa-2020" in line]
            assert len(found) == (warned if scope else 1), (other, scope, found)


def test_the_rules_of_arabic_running_text_hold_for_a_source_written_in_arabic_as_for_a_translation(
        small, capsys):
    """"37" in running Arabic text, or a Latin comma after an Arabic word, is a warning with its
    line, whether a translator wrote it (in the Arabic catalog) or an editor (in a statement
    written in Arabic); a name, a list number, a Latin phrase ("COVID-19") and a link's target
    are not running text. Warnings only: `check` passes."""
    text = ARABIC_SOURCE.replace(
        "  - نطالب بالإفراج الفوري عن جميع المعتقلين تعسفياً في سوريا.\n",
        "  - نطالب بالإفراج عن 37 معتقلاً, كما [يطالب القرار](https://undocs.org/2139).\n"
        "  - |\n    1. خلال جائحة COVID-19 ازداد الخطر.\n").replace(
        "  - Baytna Syria\n", "  - Baytna Syria\n  - مجموعة 2011\n")
    source = add_arabic_statement(small, text)
    catalog = small.catalog_path("ar")
    old = 'msgstr "أنهوا حصار الغوطة الشرقية"'
    assert old in catalog.read_text("utf-8")
    edit(small, "locales/ar/LC_MESSAGES/statements.po", old,
         'msgstr "أنهوا حصار الغوطة الشرقية منذ 2013"')
    status, lines = cli(capsys, small, "check", "--lang", "ar")
    assert status == 0, lines
    paragraph = helpers.line_of(small, source, "37")
    assert (f"{source}:{paragraph}: warning: paragraph writes the number 37 in the digits 0-9: "
            "write it as the language writes its digits, ٣٧") in lines
    assert (f"{source}:{paragraph}: warning: paragraph writes the Latin mark ',' after a word: "
            "write '،'") in lines
    title = helpers.line_of(small, "locales/ar/LC_MESSAGES/statements.po", "منذ 2013")
    assert (f"{FILE}:{title}: title 'End the Siege of Eastern Ghouta': writes the number 2013 "
            "in the digits 0-9: write it as the language writes its digits, ٢٠١٣") in [
                line.replace("warning: ", "") for line in lines]
    assert not any("2011" in line or "19" in line or "2139" in line for line in lines), lines


def test_an_english_entry_for_a_templates_word_is_a_warning_naming_the_template(small, capsys):
    """The templates are written in English: the English editions print their words as written,
    so an English entry for one is never read."""
    edit(small, "locales/en/LC_MESSAGES/statements.po", 'msgid "Signatories"\nmsgstr ""',
         'msgid "Signatories"\nmsgstr "Signed by"')
    status, lines = cli(capsys, small, "check", "--lang", "en")
    assert status == 0, lines
    [warning] = [line for line in lines if "source of" in line]
    assert re.fullmatch(r"locales/en/LC_MESSAGES/statements\.po:\d+: warning: this message is "
                        r"the English source of templates/[\w.]+\.j2:\d+: the English edition "
                        r"prints the source; change the source instead", warning), warning

"""The PO model (pipeline/catalogs/: model, read, validate, write) on its own: reading every part
of an entry, errors with their lines, writing byte for byte as `msgcat --no-wrap` writes (checked
against msgcat on generated catalogs, derandomized), round trips, plural expressions, placeholders,
and the fixture project's catalogs.

GNU gettext (msgcat, msgmerge) is required: `make test` installs it (`tools/system-packages
test`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from pipeline.catalogs.model import (
    PluralError,
    PoCatalog,
    PoEntry,
    parse_plural,
    plural_problem,
)
from pipeline.catalogs.pofile import read_catalog
from pipeline.catalogs.read import read_po
from pipeline.catalogs.validate import find_placeholders, wants_python_format
from pipeline.catalogs.write import serialise
from pipeline.errors import PipelineError

from .conftest import FIXTURE_PROJECT

MSGCAT = shutil.which("msgcat") or "msgcat: GNU gettext is missing, run tools/system-packages test"
MSGMERGE = shutil.which("msgmerge") or "msgmerge: GNU gettext is missing"
LOCALES = FIXTURE_PROJECT / "locales"
AR_PLURAL = ("(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 : "
             "n % 100 >= 11 && n % 100 <= 99 ? 4 : 5)")
HEADER = (
    'msgid ""\n'
    'msgstr ""\n'
    '"Project-Id-Version: statements 1\\n"\n'
    '"PO-Revision-Date: 2026-11-28 18:40+0000\\n"\n'
    '"Last-Translator: Team <team@example.org>\\n"\n'
    '"Language-Team: Arabic <team@example.org>\\n"\n'
    '"Language: ar\\n"\n'
    '"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n'
    f'"Plural-Forms: nplurals=6; plural={AR_PLURAL};\\n"\n'
)


EXAMPLES = 40
"""Generated examples per property (the same ones in every run: derandomized): enough to cover the
cases in the unit layer (which must stay fast); raise it locally when changing the writer."""


def po(body: str) -> bytes:
    return (HEADER + "\n" + body).encode("utf-8")


def msgcat(data: bytes) -> bytes:
    """What `msgcat --no-wrap` writes for ``data``: the layout ``serialise`` must give."""
    return subprocess.run([MSGCAT, "--no-wrap", "-"], input=data, capture_output=True,
                          check=True).stdout


# --- reading -------------------------------------------------------------------------------------

SAMPLE = po('''# translator's note
#. extracted note
#: templates/statement.html.j2:63 templates/other.j2:1
#, fuzzy, python-format
#| msgctxt "old"
#| msgid "%(num)s organisation signed."
#| msgid_plural "%(num)s organisations signed."
msgctxt "ui"
msgid "%(num)s organisation signed this statement."
msgid_plural "%(num)s organisations signed this statement."
msgstr[0] "a"
msgstr[1] "b"
msgstr[2] "c"
msgstr[3] "%(num)s d"
msgstr[4] "%(num)s e"
msgstr[5] "%(num)s f"

#, ignore-same
msgctxt "signatory"
msgid "FSCSO"
msgstr "FSCSO"

#, fuzzy
#~| msgctxt "title"
#~| msgid "Old title"
#~ msgctxt "title"
#~ msgid "Older title"
#~ msgstr "عنوان"
''')


def test_reads_every_part_of_an_entry() -> None:
    catalog = read_po(SAMPLE, "ar.po", language="ar")
    assert catalog.warnings == []
    assert catalog.nplurals == 6 and catalog.header_field("Language") == "ar"
    first, second = catalog.entries
    assert first.translator_comments == ["translator's note"]
    assert first.extracted_comments == ["extracted note"]
    assert first.references == ["templates/statement.html.j2:63", "templates/other.j2:1"]
    assert first.flags == {"fuzzy", "python-format"} and first.fuzzy
    assert (first.previous_msgctxt, first.previous_msgid, first.previous_msgid_plural) == (
        "old", "%(num)s organisation signed.", "%(num)s organisations signed.")
    assert first.msgctxt == "ui" and first.msgid_plural is not None
    assert first.msgstr_plural == ["a", "b", "c", "%(num)s d", "%(num)s e", "%(num)s f"]
    assert (first.line, first.msgid_line, first.msgid_plural_line, first.msgstr_line) == (
        13, 21, 22, 23)
    assert second.flags == {"ignore-same"} and second.key == ("signatory", "FSCSO")
    [obsolete] = catalog.obsolete
    assert obsolete.obsolete and obsolete.fuzzy and obsolete.msgstr == "عنوان"
    assert (obsolete.previous_msgctxt, obsolete.previous_msgid) == ("title", "Old title")
    assert (obsolete.line, obsolete.msgid_line, obsolete.msgstr_line) == (35, 39, 40)
    assert catalog.header is not None and catalog.header.msgstr_line == 2


def test_serialise_writes_previous_ids_and_obsolete_previous_ids_like_msgcat() -> None:
    catalog = read_po(SAMPLE, "ar.po", language="ar")
    text = serialise(catalog)
    assert b'#| msgctxt "old"\n#| msgid "%(num)s organisation signed."\n' in text
    assert b'#~| msgctxt "title"\n#~| msgid "Old title"\n#~ msgctxt "title"\n' in text
    # msgcat drops 'ignore-same' (gettext does not know the flag); all else is equal
    assert msgcat(text) == text.replace(b"#, ignore-same\n", b"")


def test_every_error_is_reported_with_its_line_and_advice() -> None:
    data = po('msgid "a"\nmsgstr "b" junk\n\nmsgid "c\\q"\nmsgstr "d"\n\n'
              'msgid "e"\nmsgstr "f"\n\nmsgid "e"\nmsgstr "g"\n')
    with pytest.raises(PipelineError) as caught:
        read_po(data, "locales/ar/LC_MESSAGES/statements.po", language="ar")
    problems = caught.value.problems
    assert [p.line for p in problems] == [14, 16, 22]
    assert all(p.file == "locales/ar/LC_MESSAGES/statements.po" for p in problems)
    assert "junk" in problems[0].message and "\\q" in problems[1].message
    assert "defined twice" in problems[2].message and "line 19" in problems[2].message
    assert str(caught.value).startswith("locales/ar/LC_MESSAGES/statements.po:14: ")


def test_a_previous_string_after_a_syntax_error_is_one_error_not_a_traceback() -> None:
    """A syntax error drops the previous lines read so far; a `#|` string after it has no keyword
    (the reader of the first catalog model raised KeyError here)."""
    data = po('#| msgid "a"\n"stray"\n#| "x"\nmsgid "b"\nmsgstr "c"\n')
    with pytest.raises(PipelineError) as caught:
        read_po(data, "ar.po", language="ar")
    assert [(p.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        (14, "a quoted string with no keyword before it"),
        (15, "a quoted string in the previous (#|) lines with no keyword before it")]


def test_second_header_with_a_context_is_refused() -> None:
    data = po('msgctxt "title"\nmsgid ""\nmsgstr "Plural-Forms: nplurals=1; plural=0;\\n"\n')
    with pytest.raises(PipelineError, match="second header") as caught:
        read_po(data, "ar.po", language="ar")
    assert caught.value.line == 14


def test_duplicate_with_another_translation_is_refused_not_merged() -> None:
    data = po('msgid "a"\nmsgstr "one"\n\nmsgid "a"\nmsgstr "two"\n')
    with pytest.raises(PipelineError, match="defined twice"):
        read_po(data, "ar.po", language="ar")


def test_language_header_must_match() -> None:
    data = po("").replace(b"Language: ar", b"Language: fr")
    with pytest.raises(PipelineError, match="'Language: fr'.*'ar'"):
        read_po(data, "ar.po", language="ar")
    assert read_po(data, "fr.po", language="fr").header_field("Language") == "fr"


def test_crlf_is_read_like_lf_and_written_as_lf() -> None:
    lf = SAMPLE
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = read_po(lf, "x.po", language="ar"), read_po(crlf, "x.po", language="ar")
    assert a == b and b.line_ending == "\r\n"
    assert [e.msgid_line for e in a.entries] == [e.msgid_line for e in b.entries]
    assert serialise(b) == serialise(a)


def test_cr_only_is_refused_with_advice() -> None:
    with pytest.raises(PipelineError, match="CR only") as caught:
        read_po(SAMPLE.replace(b"\n", b"\r"), "x.po", language="ar")
    assert caught.value.line == 1


@pytest.mark.parametrize("data,what", [
    (SAMPLE.decode().encode("utf-16"), "UTF-16"),
    (b"\xef\xbb\xbf" + SAMPLE, "byte-order mark"),
    (SAMPLE.replace("عنوان".encode(), "caf\u00e9".encode("latin-1")), "not UTF-8"),
])
def test_encoding_problems_are_one_clear_error(data: bytes, what: str) -> None:
    with pytest.raises(PipelineError, match=what):
        read_po(data, "x.po", language="ar")


def test_a_template_is_read_without_a_language_and_untranslated() -> None:
    data = (LOCALES / "statements.pot").read_bytes()
    catalog = read_po(data, "statements.pot", template=True)
    assert catalog.header_field("Language") is None and len(catalog.entries) > 100
    assert all(not e.translated for e in catalog.entries)


# --- read_catalog: what the project adds (CLDR's plural forms) ----------------------------------------

ARABIC = "locales/ar/LC_MESSAGES/statements.po"


def fixture(name: str = ARABIC) -> str:
    return (FIXTURE_PROJECT / name).read_text("utf-8")


def number_of(text: str, needle: str) -> int:
    """The first line of ``text`` holding ``needle`` (1-based)."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("plural_forms", [
    "nplurals=2; plural=(n != 1);",  # the English rule, copied into the Arabic catalog
    "nplurals=3; plural=(n==0 ? 0 : n==1 ? 1 : 2);",
])
def test_read_catalog_refuses_plural_forms_that_are_not_cldrs_naming_the_line(plural_forms):
    """msgfmt accepts any consistent rule; the pipeline wants the language's own (CLDR's), and
    says where the header is wrong and what to write instead."""
    start = number_of(fixture(), '"Plural-Forms:')
    lines = fixture().splitlines()
    lines[start - 1:start + 2] = [f'"Plural-Forms: {plural_forms}\\n"']
    with pytest.raises(PipelineError) as caught:
        read_catalog("\n".join(lines).encode(), ARABIC, "ar")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (ARABIC, start)
    assert f"gives {plural_forms[9]} plural forms, but ar has 6 in CLDR" in problem.message
    assert "nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1" in problem.message
    assert read_catalog(fixture().encode(), ARABIC, "ar").nplurals == 6


def test_read_catalog_refuses_plural_forms_split_over_lines_that_are_not_cldrs():
    """A rule msgfmt accepts, written over two lines (as an editor may wrap it)."""
    lines = fixture().splitlines()
    start = number_of(fixture(), '"Plural-Forms:')
    lines[start - 1:start + 2] = ['"Plural-Forms: nplurals="', '"2; plural=(n != 1);\\n"']
    text = "\n".join(lines)
    with pytest.raises(PipelineError, match="gives 2 plural forms, but ar has 6") as caught:
        read_catalog(text.encode(), ARABIC, "ar")
    assert number_of(text, 'msgstr ""') <= (caught.value.line or 0) <= start, "in the header"


def test_read_catalog_refuses_a_second_header_given_a_context():
    """An entry with msgctxt and an empty msgid is a second header to other tools, whose
    Plural-Forms they may take for the catalog's: msgfmt accepts it, the pipeline does not."""
    text = fixture().replace('msgctxt "title"\nmsgid "End the Siege', 'msgctxt "title"\nmsgid ""\n'
                             'msgstr "Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
                             'msgctxt "title"\nmsgid "End the Siege', 1)
    with pytest.raises(PipelineError) as caught:
        read_catalog(text.encode(), ARABIC, "ar")
    [problem] = caught.value.problems
    assert problem.line == number_of(text, 'msgstr "Plural-Forms: nplurals=1') - 1  # its msgid
    assert "second header" in problem.message and "'title'" in problem.message


def test_read_catalog_refuses_a_duplicate_entry_naming_both_lines():
    text = fixture() + '\nmsgid "Signatories"\nmsgstr "الموقعون والموقعات"\n'
    first = number_of(text, 'msgid "Signatories"')
    second = len(text.splitlines()) - 1
    with pytest.raises(PipelineError) as caught:
        read_catalog(text.encode(), ARABIC, "ar")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (ARABIC, second)
    assert f"msgid 'Signatories' is defined twice (the first, an active one, is at line {first})" \
        in problem.message
    assert str(caught.value).startswith(f"{ARABIC}:{second}: ")


# --- the real catalogs (the fixture project's) -----------------------------------------------------

REAL = [("ar/LC_MESSAGES/statements.po", "ar", False), ("en/LC_MESSAGES/statements.po", "en", False),
        ("statements.pot", None, True)]


@pytest.mark.parametrize("name,language,template", REAL)
def test_real_catalogs_read_and_serialise_like_msgcat_no_wrap(name: str, language: str | None,
                                                             template: bool) -> None:
    """The fixture catalogs are written as `msgcat --no-wrap` writes them (but for the flag
    'ignore-same', which msgcat drops), and read back the same."""
    data = (LOCALES / name).read_bytes()
    catalog = read_po(data, name, language=language, template=template)
    assert all(w.severity == "warning" for w in catalog.warnings)
    text = serialise(catalog)
    assert text == data
    assert read_po(text, name, language=language, template=template) == catalog
    assert msgcat(text) == text.replace(b"#, ignore-same\n", b"")


# --- serialising: byte for byte `msgcat --no-wrap`, checked on generated catalogs ---------------------

WORDS = st.sampled_from([
    "the", "Syrian", "civil", "society", "organisation", "statement", "Sochi", "2254", "UN-led",
    "arbitrarily-held", "(SJA)", "“Syrian", "Congress”", "«مؤتمر", "الحوار»", "الوطني", "السوري",
    "وقّعت", "منظمةً", "٢٢٥٤", "٥٠٪", "،", "؟", "50%", "of", "%(num)s", "%(page)s", "%%", "e.g.",
    "a/b", "http://example.org/x", "—", "–", "…", "’s", "\"quoted\"", "back\\slash", "tab\there",
    "x" * 30, "ب" * 25, "Mr.", "!", "?", ";", ":", "-", "--", "[1]", "{x}", "#", "$5", "€5", "+1",
    "日本語", "ＡＢＣ", "😀", "\u200f", "\u00a0", "e\u0301",
])


@st.composite
def texts(draw: st.DrawFn, lines: bool = True) -> str:
    separators = st.sampled_from([" ", " ", " ", "  ", "\n", ""] if lines else [" ", " ", ""])
    return "".join(w + s for w, s in draw(st.lists(st.tuples(WORDS, separators), max_size=30)))


@st.composite
def entries(draw: st.DrawFn) -> PoEntry:
    msgid = draw(texts())
    assume(msgid)
    plural = draw(st.booleans())
    flags = {f for f in (draw(st.sampled_from([None, "python-format", "no-python-format",
                                                "c-format"])),
                         draw(st.sampled_from([None, "no-wrap"]))) if f}
    translated = draw(st.booleans())
    entry = PoEntry(msgid=msgid, msgctxt=draw(st.none() | texts(lines=False)), flags=flags)
    if plural:
        entry.msgid_plural = draw(texts())
        forms = [draw(texts()) for _ in range(3)] if translated else [""]  # 3 drawn, 6 written
        entry.msgstr_plural = [forms[n % len(forms)] for n in range(6)]
        if any(entry.msgstr_plural) and not entry.msgstr_plural[0]:
            entry.msgstr_plural[0] = "x"  # msgcat drops 'fuzzy' when msgstr[0] is empty
    elif translated:
        entry.msgstr = draw(texts())
    if entry.translated:
        entry.flags.add("fuzzy")  # fuzzy entries are not format-checked; msgcat keeps the flag
        if draw(st.booleans()):
            entry.previous_msgid = draw(texts())
            entry.previous_msgctxt = draw(st.none() | texts(lines=False))
            if plural:
                entry.previous_msgid_plural = draw(texts())
    entry.translator_comments = draw(st.lists(texts(lines=False), max_size=2))
    entry.extracted_comments = draw(st.lists(texts(lines=False), max_size=2))
    entry.references = draw(st.lists(REFERENCES, max_size=8, unique=True))
    return entry


REFERENCES = st.builds("{}:{}".format, st.sampled_from([
    "sources/sochi-2018.yaml", "sources/a-statement-with-a-rather-long-name-2026.yaml",
    "templates/statement.html.j2", "templates/bilingual.html.j2", "t/x.py", "a"]),
    st.integers(1, 9999))
"""File positions, of several lengths, so that the references wrap in several ways."""


def header_entry() -> PoEntry:
    return HEADER_ENTRY


HEADER_ENTRY = read_po(HEADER.encode(), "h.po", language="ar").header or PoEntry(msgid="")


@st.composite
def catalogs(draw: st.DrawFn) -> PoCatalog:
    active = draw(st.lists(entries(), min_size=1, max_size=5, unique_by=lambda e: e.key))
    obsolete = draw(st.lists(entries(), max_size=2, unique_by=lambda e: e.key))
    keys = {e.key for e in active}
    obsolete = [e for e in obsolete if e.key not in keys and e.strings[0]]  # msgcat drops others
    for entry in obsolete:
        entry.obsolete = True
        entry.references = []
    return PoCatalog(header=header_entry(), entries=active, obsolete=obsolete)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
@example(PoCatalog(header=HEADER_ENTRY, obsolete=[PoEntry(  # the case the old wrapping got wrong
    msgid="%s " * 30, msgstr="x %d " * 20, flags={"c-format", "fuzzy"}, obsolete=True)]))
def test_serialise_is_what_msgcat_no_wrap_writes_and_reads_back_the_same(catalog: PoCatalog) -> None:
    """One generated catalog for both checks: generating them is most of the cost."""
    text = serialise(catalog)
    assert msgcat(text) == text
    again = read_po(text, "x.po", language="ar")
    assert again == catalog
    assert serialise(again) == text


ANY_TEXT = st.text(st.characters(codec="utf-8", blacklist_characters="\0"), max_size=200)
LINE_TEXT = st.text(st.characters(codec="utf-8", blacklist_characters="\0\n\r"), max_size=80)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(msgid=ANY_TEXT.filter(bool), msgstr=ANY_TEXT, msgctxt=st.none() | ANY_TEXT,
       previous=st.none() | ANY_TEXT, comment=LINE_TEXT,
       flags=st.sets(st.from_regex(r"[a-z][a-z-]{0,15}", fullmatch=True), max_size=4),
       obsolete=st.booleans())
def test_round_trip_of_any_text(msgid: str, msgstr: str, msgctxt: str | None,
                                previous: str | None, comment: str, flags: set[str],
                                obsolete: bool) -> None:
    flags = {f for f in flags if not f.endswith("-format")} | {"fuzzy"}
    entry = PoEntry(msgid=msgid, msgstr=msgstr, msgctxt=msgctxt, flags=flags,
                    translator_comments=[comment], extracted_comments=[comment],
                    previous_msgid=previous, obsolete=obsolete)
    catalog = PoCatalog(header=header_entry(), entries=[] if obsolete else [entry],
                        obsolete=[entry] if obsolete else [])
    again = read_po(serialise(catalog), "x.po", language="ar")
    assert again == catalog


def test_one_line_per_string_and_a_line_per_line_break() -> None:
    """A long string stays on its keyword's line whatever its script or flags; a string holding
    line breaks is split after each, as msgcat writes it; the result is what msgcat writes."""
    long = "word " * 30 + "%(num)s " + "كلمة " * 30 + "日本語" * 20
    entry = PoEntry(msgid=long, msgstr=long, flags={"python-format", "fuzzy"}, msgctxt="title")
    lines = PoEntry(msgid="one\ntwo\n", msgstr="\nواحد\nاثنان\n\n")
    text = serialise(PoCatalog(header=HEADER_ENTRY, entries=[entry, lines]))
    assert f'msgctxt "title"\nmsgid "{long}"\nmsgstr "{long}"\n'.encode() in text
    assert 'msgid ""\n"one\\n"\n"two\\n"\nmsgstr ""\n"\\n"\n"واحد\\n"\n"اثنان\\n"\n"\\n"\n'.encode() \
        in text
    assert msgcat(text) == text


def test_references_are_broken_at_79_columns_as_msgcat_no_wrap_breaks_them() -> None:
    references = [f"sources/a-statement-with-a-rather-long-name-2026.yaml:{n}" for n in range(9)]
    text = serialise(PoCatalog(header=HEADER_ENTRY, entries=[
        PoEntry(msgid="x", references=references + ["a:1", "b:2"])]))
    lines = [line for line in text.decode().split("\n") if line.startswith("#:")]
    assert len(lines) == 9 and lines[-1].endswith(":8 a:1 b:2")
    assert msgcat(text) == text


# --- the previous msgid across two updates: what msgmerge --previous does -----------------------------

def test_msgmerge_previous_keeps_the_last_translated_baseline(tmp_path: Path) -> None:
    """The reference for the pipeline's update: after two edits of a message, each followed by
    an update, '#| msgid' is still the text that was last translated (not the intermediate)."""
    def pot(text: str) -> bytes:
        return (HEADER.replace("Language: ar", "Language: ") + f'\nmsgid "{text}"\nmsgstr ""\n'
                ).encode()
    po_file, pot_file = tmp_path / "ar.po", tmp_path / "t.pot"
    po_file.write_bytes(po('msgid "Sochi Conference Threatens Syria Peace Process"\n'
                           'msgstr "مؤتمر سوتشي يهدد عملية السلام في سوريا"\n'))
    for version in ("Sochi Conference Threatens the Syria Peace Process",
                    "Sochi Conference Threatens the Syrian Peace Process"):
        pot_file.write_bytes(pot(version))
        subprocess.run([MSGMERGE, "--quiet", "--no-wrap", "--previous", "-U", "--backup=off",
                        str(po_file), str(pot_file)], check=True)
    catalog = read_po(po_file.read_bytes(), "ar.po", language="ar")
    [entry] = catalog.entries
    assert entry.fuzzy
    assert entry.msgid == "Sochi Conference Threatens the Syrian Peace Process"
    assert entry.previous_msgid == "Sochi Conference Threatens Syria Peace Process"
    assert serialise(catalog) == po_file.read_bytes()


# --- plural expressions --------------------------------------------------------------------------

COUNTS = (0, 1, 2, 5, 11, 21, 22, 101, 120)
EXPRESSIONS = {  # an expression (as headers write it): the index it gives each n of COUNTS
    "0;": [0] * 9, "n != 1": [1, 0, 1, 1, 1, 1, 1, 1, 1], "(n != 1);": [1, 0, 1, 1, 1, 1, 1, 1, 1],
    "n > 1": [0, 0, 1, 1, 1, 1, 1, 1, 1], "!n": [1, 0, 0, 0, 0, 0, 0, 0, 0],
    "n/10%3": [0, 0, 0, 0, 1, 2, 2, 1, 0],
    "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)":  # Russian
        [2, 0, 1, 2, 2, 0, 1, 0, 2],
    "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)": [1, 0, 1, 1, 1, 2, 2, 1, 2],  # Romanian
    "(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2": [2, 0, 1, 2, 2, 2, 2, 2, 2],  # Czech
}


@pytest.mark.parametrize("expression,indices", EXPRESSIONS.items())
def test_plural_expressions_give_the_forms_gettext_gives(expression: str, indices: list[int]) -> None:
    assert [parse_plural(expression)(n) for n in COUNTS] == indices


def test_arabic_plural_forms() -> None:
    assert [parse_plural(AR_PLURAL)(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)] == [
        0, 1, 2, 3, 3, 4, 4, 5, 5, 3, 4]
    assert read_po(SAMPLE, "ar.po", language="ar").plural_index(11) == 4


@pytest.mark.parametrize("expression", [
    "__import__('os').system('true')", "n.real", "-n", "n ** 2", "n; 1", "lambda: 1", "n if n else 0",
    "(n", "n ?", "n ? 1", "", "n 1", "1n",
])
def test_plural_expressions_outside_the_grammar_are_refused(expression: str) -> None:
    with pytest.raises(PluralError):
        parse_plural(expression)
    assert plural_problem(expression, 2) is not None


def test_plural_problems_are_those_msgfmt_refuses() -> None:
    assert plural_problem("n/0", 2) == "the plural expression divides by zero (for n = 0)"
    assert "divides by zero (for n = 0)" in (plural_problem("n%(n-n)", 2) or "")
    assert "index 2 for n = 2" in (plural_problem("n", 2) or "")
    assert "negative" in (plural_problem("n-1", 2) or "")
    assert plural_problem(AR_PLURAL, 6) is None and plural_problem(AR_PLURAL, 5) is not None
    with pytest.raises(ZeroDivisionError):
        parse_plural("1/(n-3)")(3)
    assert parse_plural("1/(n-3)")(4) == 1


def test_a_header_claiming_a_huge_number_of_plural_forms_is_read_without_allocating_them() -> None:
    """nplurals comes from the file: a template claiming 10**12 forms must not make the reader
    build a list of that many (a MemoryError traceback, or the machine's memory exhausted)."""
    data = (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            b'"Plural-Forms: nplurals=1000000000000; plural=n;\\n"\n\n'
            b'msgid "%(num)s organisation"\nmsgid_plural "%(num)s organisations"\n'
            b'msgstr[0] ""\nmsgstr[1] ""\n')
    assert read_po(data, "statements.pot", template=True).nplurals == 10**12


# --- placeholders -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,found", [
    ("Turnout Fell to 50% of Voters", []),
    ("انخفضت المشاركة إلى ٥٠٪ من الناخبين", []),
    ("100% sure, 20 %d", []),
    ("%s and %d", []),
    ("%(num)s organisation signed this statement.", ["%(num)s"]),
    ("Page %(page)s of %(pages)s", ["%(page)s", "%(pages)s"]),
    ("%(n)5.2f%% of %(total)d", ["%(n)5.2f", "%(total)d"]),
    ("%%(num)s is literal", []),
    ("%(num) s", ["%(num) s"]),  # a space flag: Python formats it
    ("%(num)", []),
    ("%(na me)s", []),
])
def test_find_placeholders(text: str, found: list[str]) -> None:
    assert find_placeholders(text) == found


def test_babel_flags_percent_text_and_the_pipeline_must_not() -> None:
    from babel.messages.catalog import Message
    title = "Turnout Fell to 50% of Voters"
    assert "python-format" in Message(title, context="title").flags  # Babel's false positive
    assert not wants_python_format(title)
    assert wants_python_format("%(num)s organisation signed this statement.",
                               "%(num)s organisations signed this statement.")


def test_percent_text_flagged_python_format_is_refused_with_the_right_advice() -> None:
    data = po('#, python-format\nmsgctxt "title"\nmsgid "Turnout Fell to 50% of Voters"\n'
              'msgstr "انخفضت المشاركة إلى ٥٠٪ من الناخبين"\n')
    with pytest.raises(PipelineError, match="remove the python-format flag"):
        read_po(data, "ar.po", language="ar")
    accepted = read_po(data.replace(b"#, python-format\n", b""), "ar.po", language="ar")
    assert accepted.entries[0].msgstr.startswith("انخفضت")

"""Extraction: every translatable text of the statements and templates, with its context,
references and the comment the translator sees, flagged python-format only when it has a
placeholder; and the messages one statement's editions need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.catalogs.pofile import Key, PoEntry, read_catalog
from pipeline.catalogs.read import read_po
from pipeline.commands.update import extract, update
from pipeline.messages import (
    EditionMessage,
    SourceMessage,
    build_template,
    edition_messages,
    statement_messages,
    template_messages,
)
from pipeline.project import Project
from pipeline.snapshot import take
from pipeline.source import Statement, parse_statement

from .conftest import STATEMENTS, make_project
from .helpers import cli, edit, line_of

COUNT = ("%(num)s organisation signed this statement.",
         "%(num)s organisations signed this statement.")
TEMPLATE_WORDS = {(None, "Signatories"), (None, "Page %(page)s of %(pages)s"), (None, COUNT[0]),
                  (None, "Draft – translation incomplete"), (None, "Updated %(date)s"),
                  (None, "Printed from source version %(source)s and translation version "
                         "%(catalog)s."), (None, "Printed from source version %(source)s."),
                  (None, "Editions"), (None, "Every statement, and the languages it is published in."),
                  (None, "Both languages side by side"), (None, "PDF"), (None, "All statements"),
                  (None, "Statements")}
SNHR_ARABIC = "الشبكة السورية لحقوق الإنسان"
LAWYERS = "تجمع المحامين السوريين الأحرار"


def template_of(project: Project) -> dict[Key, PoEntry]:
    """The messages of the project's template (POT), by key."""
    return read_catalog(project.template_path.read_bytes(), "statements.pot").index()


def at(file: str, line: int) -> str:
    """A reference as the template writes it."""
    return f"{file}:{line}"


def statement(project: Project, statement_id: str) -> Statement:
    path = project.source_path(statement_id)
    return parse_statement(path.read_bytes(), project.relative(path), statement_id)


@pytest.fixture
def updated(project: Project) -> Project:
    """The fixture project after `update`."""
    update(project)
    return project


# --- the template -------------------------------------------------------------------------------

def test_the_template_has_every_statement_text_and_template_word(updated, seed):
    messages = template_of(updated)
    assert ("title", seed["title"]) in messages
    assert ("subtitle", seed["subtitle"]) in messages
    for paragraph in seed["paragraphs"]:
        assert ("paragraph", paragraph) in messages
    for name in seed["signatories"]:
        assert ("signatory", name) in messages
    everything = set(TEMPLATE_WORDS)
    for statement_id in STATEMENTS:
        keys = {m.key for m in statement_messages(statement(updated, statement_id))}
        assert keys <= set(messages), statement_id
        everything |= keys
    assert set(messages) == everything
    assert (messages[(None, COUNT[0])].msgid, messages[(None, COUNT[0])].msgid_plural) == COUNT
    assert messages[(None, COUNT[0])].msgstr_plural == ["", ""]


def test_messages_carry_their_references_and_comments(updated, seed):
    messages = template_of(updated)
    sochi = "sources/sochi-2018.yaml"
    help4syria = messages[("signatory", "Help4Syria, UK")]
    assert help4syria.references == [at(sochi, line_of(updated, sochi, "Help4Syria, UK"))]
    number = seed["signatories"].index("Help4Syria, UK") + 1
    assert number > 1
    assert help4syria.extracted_comments[0].startswith(
        "Signatory of sochi-2018: the name of an organisation")

    ghouta = "sources/ghouta-2017.yaml"
    baytna = messages[("signatory", "Baytna Syria")]
    assert baytna.references == [at(ghouta, line_of(updated, ghouta, "- Baytna Syria")),
                                 at(sochi, line_of(updated, sochi, "- Baytna Syria"))]
    assert " ".join(baytna.extracted_comments).count("Signatory") == 2, "both statements' comments"
    snhr = " ".join(messages[("signatory", "Syrian Network for Human Rights")].extracted_comments)
    assert f"ar ({SNHR_ARABIC})" in snhr

    assert messages[("paragraph", seed["paragraphs"][0])].extracted_comments == [
        "Paragraph 1 of 6."]
    assert messages[("title", seed["title"])].references == [at(sochi, line_of(updated, sochi,
                                                                                "title:"))]

    page = messages[(None, "Page %(page)s of %(pages)s")]
    template = "templates/statement.html.j2"
    assert at(template, line_of(updated, template, '_("Page %(page)s')) in page.references
    assert "page numbers" in " ".join(page.extracted_comments), "the Translators: comment"
    assert page.flags == {"python-format"}
    assert all(not entry.flags for key, entry in messages.items() if "%(" not in key[1])


def test_rewrapping_a_paragraph_changes_no_message(updated):
    before = set(template_of(updated))
    edit(updated, "sources/sochi-2018.yaml", "Russia has announced that it will host",
         "Russia has announced\n    that it   will host")
    extract(updated)
    assert set(template_of(updated)) == before


def test_a_name_and_a_sentence_never_collide(project):
    edit(project, "sources/sochi-2018.yaml", "issuer: Syrian Civil Society",
         "issuer: Baytna Syria")
    extract(project)
    messages = template_of(project)
    assert ("issuer", "Baytna Syria") in messages and ("signatory", "Baytna Syria") in messages
    assert messages[("issuer", "Baytna Syria")].references == [
        at("sources/sochi-2018.yaml", line_of(project, "sources/sochi-2018.yaml", "issuer:"))]


def entries_of(path: Path) -> tuple[list[tuple], list[str]]:
    """A POT's messages as the strict reader reads them (their comments joined: pybabel wraps
    a long comment over several lines, msgcat never), and the flag lines of its messages as
    written (after the header, which pybabel marks fuzzy)."""
    catalog = read_po(path.read_bytes(), path.name, template=True)
    content = [(m.msgctxt, m.msgid, m.msgid_plural, m.references, " ".join(m.extracted_comments),
                sorted(m.flags)) for m in catalog]
    body = path.read_text("utf-8").split("\n\n", 1)[1]
    flags = [line for line in body.splitlines() if line.startswith("#,")]
    return content, flags


def test_pybabel_extract_gives_the_same_messages(project):
    """The same messages, references, comments and flags as `pybabel extract` (the files differ
    in how they wrap: ours is written as msgcat writes, at width 79). The fixture has no text
    such as "50% of", which pybabel would flag python-format (see below)."""
    extract(project)
    pybabel = Path(sys.executable).parent / "pybabel"
    if not pybabel.exists():
        pytest.skip("no pybabel beside the interpreter")
    result = subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-c", "Translators:",
                             "-o", "pybabel.pot", "."], cwd=project.root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    theirs, their_flags = entries_of(project.root / "pybabel.pot")
    ours, our_flags = entries_of(project.template_path)
    assert len(ours) == len(theirs) > 150
    assert ours == theirs
    assert our_flags == their_flags


def test_only_a_message_with_a_named_placeholder_is_flagged_python_format(project):
    """"50% of voters" has no placeholder: flagged python-format (as pybabel flags it), msgfmt
    and Poedit would refuse its translation «٥٠٪ من الناخبين», which has no directive either."""
    edit(project, "sources/ghouta-2017.yaml", "Nearly 400,000 people",
         "Only 50% of voters took part. Nearly 400,000 people")
    extract(project)
    paragraph = next(entry for key, entry in template_of(project).items()
                     if key[1].startswith("Only 50% of voters"))
    assert paragraph.flags == set()
    written = project.template_path.read_text("utf-8")
    assert written.count("#, python-format\n") == len(
        [key for key in template_of(project) if "%(" in key[1]])

    found = build_template([
        SourceMessage("title", "Turnout Fell to 50% of Voters", "sources/x.yaml", 5, ()),
        SourceMessage(None, "100%% sure, %(num)s left", "templates/x.j2", 3, ()),
        SourceMessage(None, ("%(num)s organisation", "%(num)s organisations"), "templates/x.j2", 4,
                      ()),
        SourceMessage(None, ("One organisation", "%(num)s organisations"), "templates/x.j2", 6, ()),
        SourceMessage(None, "%s and %d, 20 %d", "templates/x.j2", 7, ())]).index()
    assert {key[1]: entry.flags for key, entry in found.items()} == {
        "Turnout Fell to 50% of Voters": set(), "100%% sure, %(num)s left": {"python-format"},
        "%(num)s organisation": {"python-format"}, "One organisation": {"python-format"},
        "%s and %d, 20 %d": set()}


TEMPLATE_CALL = re.compile(r'\b(?:_|gettext|ngettext|pgettext)\(\s*"((?:[^"\\]|\\.)*)"')


def test_every_word_of_every_template_is_extracted(updated):
    messages = template_of(updated)
    templates = sorted(updated.templates_dir.rglob("*.j2"))
    assert "bilingual.html.j2" in [path.name for path in templates]
    found = 0
    for path in templates:
        name = updated.relative(path)
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for word in TEMPLATE_CALL.findall(line):
                found += 1
                message = messages.get((None, word))
                assert message is not None, f"{name}:{number}: {word!r} is not in the template"
                assert at(name, number) in message.references, f"{name}:{number}: {word!r}"
    assert found >= 9
    assert any(reference.startswith("templates/bilingual.html.j2:")
               for word in TEMPLATE_WORDS for reference in messages[word].references)


def test_a_statement_that_cannot_be_read_keeps_its_messages_and_translations(updated, capsys):
    """While a statement is being fixed, its messages are carried over from the previous
    template, so `update` does not make its translations obsolete; it still reports the error."""
    before = template_of(updated)
    ghouta = "sources/ghouta-2017.yaml"
    edit(updated, ghouta, "date: 2017-11", "date: 2017-13")
    status, lines = cli(capsys, updated, "update")
    assert status == 1
    line = line_of(updated, ghouta, "date: 2017-13")
    assert any(text.startswith(f"{ghouta}:{line}: ") for text in lines), lines

    after = template_of(updated)
    assert set(after) == set(before)
    title = ("title", "End the Siege of Eastern Ghouta")
    assert after[title].references == before[title].references
    assert after[title].extracted_comments == before[title].extracted_comments
    arabic = read_catalog(updated.catalog_path("ar").read_bytes(), "ar.po", "ar")
    message = arabic.index()[title]
    assert message.msgstr and not message.fuzzy
    assert not arabic.obsolete


# --- what one statement's editions need ---------------------------------------------------------

def sochi_needs(project: Project) -> list[EditionMessage]:
    snapshot = take(project, languages=[])
    return edition_messages(statement(project, "sochi-2018"), template_messages(snapshot))


def test_the_messages_of_a_statement_do_not_depend_on_other_statements(project, tmp_path):
    alone = make_project(tmp_path / "alone", ("sochi-2018",))
    needs = sochi_needs(project)
    assert needs == sochi_needs(alone)
    keys = [m.key for m in needs]
    assert len(keys) == len(set(keys)) == 1 + 1 + 1 + 6 + 133 + len(TEMPLATE_WORDS)
    baytna = next(m for m in needs if m.key == ("signatory", "Baytna Syria"))
    sochi = "sources/sochi-2018.yaml"
    assert baytna.reference == f"{sochi}:{line_of(project, sochi, '- Baytna Syria')}"
    assert {m.source_language for m in needs} == {"en"}


def test_a_new_signatory_changes_only_its_own_entry(project):
    """A signatory's comment names its statement but neither its position nor the count: one
    more signatory rewrote every other signatory's "Signatory N of M" in every catalog."""
    def comments(project: Project) -> dict[tuple[str | None, str], tuple[str, ...]]:
        return {(m.context, m.id): m.comments
                for m in statement_messages(statement(project, "ghouta-2017"))
                if m.context == "signatory"}

    before = comments(project)
    edit(project, "sources/ghouta-2017.yaml", "signatories:\n  - Baytna Syria\n",
         "signatories:\n  - Adopt a Revolution\n  - Baytna Syria\n")
    after = comments(project)
    assert after.keys() - before.keys() == {("signatory", "Adopt a Revolution")}
    assert {key: after[key] for key in before} == before
    assert after[("signatory", "Adopt a Revolution")][0].startswith(
        "Signatory of ghouta-2017: the name of an organisation.")


def test_a_name_given_in_another_language_is_printed_as_given(project):
    needs = {m.key: m for m in edition_messages(statement(project, "ghouta-2017"), [])}
    snhr = needs[("signatory", "Syrian Network for Human Rights")]
    assert snhr.given == (("ar", SNHR_ARABIC),)
    assert snhr.as_written_in("ar") == SNHR_ARABIC
    assert snhr.as_written_in("en") == snhr.key[1], "the source, in its own language's edition"
    assert snhr.as_written_in("fr") is None
    in_sochi = {m.key: m for m in edition_messages(statement(project, "sochi-2018"), [])}
    assert in_sochi[snhr.key].given == (), "Sochi's list does not give the Arabic name"
    assert in_sochi[snhr.key].as_written_in("ar") is None


def test_a_name_written_only_in_arabic_is_printed_as_written_in_an_arabic_script_edition(project):
    needs = {m.key: m for m in edition_messages(statement(project, "ghouta-2017"), [])}
    lawyers = needs[("signatory", LAWYERS)]
    assert lawyers.as_written_in("ar") == LAWYERS
    assert lawyers.as_written_in("fa") == LAWYERS  # Persian is written in Arabic script
    assert lawyers.as_written_in("en") == LAWYERS  # the statement's own language: its source
    assert lawyers.as_written_in("fr") is None  # to be transliterated by the translator
    assert needs[("signatory", "Baytna Syria")].as_written_in("ar") is None


def test_only_names_are_printed_as_written():
    paragraph = EditionMessage(("paragraph", "بيان"), "en", "sources/x.yaml:3")
    assert paragraph.as_written_in("ar") is None
    name = EditionMessage(("signatory", "بيتنا سوريا"), "en", "sources/x.yaml:9")
    assert name.as_written_in("ar") == "بيتنا سوريا"
    mixed = EditionMessage(("signatory", "Syrian Forum المنتدى السوري"), "en", "sources/x.yaml:9")
    assert mixed.as_written_in("ar") is None, "partly Latin: the translator decides"


def test_the_edition_in_a_texts_own_language_prints_it_as_written():
    """Whatever the catalog of its language holds: a paragraph of an Arabic statement in the
    Arabic edition, a Latin name it writes, a template's word in the English edition."""
    assert EditionMessage(("paragraph", "بيان"), "ar", "sources/x.yaml:3").as_written_in("ar") \
        == "بيان"
    name = EditionMessage(("signatory", "Baytna Syria"), "ar", "sources/x.yaml:9")
    assert name.as_written_in("ar") == "Baytna Syria" == name.as_written_in("en")
    assert name.as_written_in("fr") == "Baytna Syria", "Latin letters, in a Latin edition"
    assert name.as_written_in("fa") is None, "to the Persian translator to decide"
    assert EditionMessage((None, "Signatories"), "en", "templates/x:1").as_written_in("en") \
        == "Signatories"

"""The robustness standard, one test per class of bad input:

    Bad input gets a clear error that names the file, the line and what to do, never a
    traceback, and nothing is lost: no half-written PDF or PO file, no translation dropped, the
    previous good output kept. Untrusted text never becomes markup, and rendering never reaches
    the network or files outside the project.

Every test drives the command line (``pipeline.cli.main``) on a private copy of the project and
checks the one-line ``file:line: message`` it reports, its exit status, and what it left on disk.
Expected lines are computed from the files as edited, so the tests follow the real sources,
catalogs and templates as they change.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from pypdf import PdfReader

from pipeline.build import build, update
from pipeline.catalogs import Lookup, read_catalog, write_catalog
from pipeline.cli import main
from pipeline.errors import PipelineError
from pipeline.language import language
from pipeline.project import Project
from pipeline.render import FSI, PDI, Provenance, render_edition
from pipeline.source import FORBIDDEN, Text, load_statements, normalise, parse_statement

from .conftest import copy_project

SOURCE = "sources/sochi-2018.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
EN = "locales/en/LC_MESSAGES/statements.po"
POT = "locales/statements.pot"
TEMPLATE = "templates/statement.html.j2"
CSS = "templates/statement.css"
EDITIONS = ("sochi-2018.ar.html", "sochi-2018.ar.pdf", "sochi-2018.en.html", "sochi-2018.en.pdf")

HOSTILE = ("<script>alert(1)</script> <img src=file:///etc/passwd> {{ 7*7 }} </style> "
           "url(file:///etc/passwd)")
PASSWD = Path("/etc/passwd")


# --- helpers ------------------------------------------------------------------------------------

def cli(capsys, project: Project, *args: str) -> tuple[int, list[str]]:
    """Run the command line; its exit status and the lines it wrote to stderr. An exception
    escaping ``main`` fails the test with the traceback, as the user would see it."""
    capsys.readouterr()
    try:
        status = main([*args, "-C", str(project.root)])
    except Exception:  # the standard: never a traceback
        seen = capsys.readouterr().err
        pytest.fail(f"`python -m pipeline {' '.join(args)}` crashed instead of reporting an "
                    f"error:\n{seen}{traceback.format_exc(limit=-3)}", pytrace=False)
    return status, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text("utf-8")
    assert old in text, f"{name} no longer contains {old!r}: update the test"
    path.write_text(text.replace(old, new, 1), "utf-8")


def edit_bytes(project: Project, name: str, old: bytes, new: bytes) -> None:
    path = project.root / name
    data = path.read_bytes()
    assert old in data, f"{name} no longer contains {old!r}: update the test"
    path.write_bytes(data.replace(old, new, 1))


def line_of(project: Project, name: str, needle: str) -> int:
    """The first line of a project file that contains ``needle`` (1-based)."""
    text = (project.root / name).read_bytes().decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def temp_files(project: Project) -> list[str]:
    return sorted(project.relative(p) for folder in (project.output_dir, project.locales_dir)
                  if folder.is_dir() for p in folder.rglob("*.tmp"))


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))


def is_complete_pdf(data: bytes) -> bool:
    if not (data.startswith(b"%PDF-") and data.endswith(b"%%EOF\n")):
        return False
    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except Exception:
        return False


def assert_no_attachment(data: bytes, where: str) -> None:
    """No embedded file, no file attachment or launch action, nothing of /etc/passwd."""
    reader = PdfReader(io.BytesIO(data))
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object(), where
    assert not reader.attachments, f"{where} has attachments: {list(reader.attachments)}"
    assert b"/EmbeddedFile" not in data and b"/Launch" not in data, where
    for page in reader.pages:
        for annotation in page.get("/Annots", None) or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment", where
    if PASSWD.is_file():
        secret = PASSWD.read_bytes().splitlines()[0]
        streams = [data]
        for number in range(1, reader.trailer.get("/Size", 0)):
            try:
                obj = reader.get_object(number)
                if hasattr(obj, "get_data"):
                    streams.append(obj.get_data())
            except Exception:
                continue
        assert not any(secret in stream for stream in streams), f"{where} holds /etc/passwd"


def squash(text: str) -> str:
    """Text without white space, hyphenation hyphens and bidi isolates, for comparisons."""
    return "".join(c for c in text if not c.isspace() and c not in "\u2010\u00ad\u2068\u2069")


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def good(built, tmp_path) -> Project:
    """A private copy of a project with every edition built: the previous good output."""
    shutil.copytree(built.root, tmp_path / "good", symlinks=True)
    return Project.at(tmp_path / "good")


# --- 1. statement sources ----------------------------------------------------------------------

def test_a_yaml_syntax_error_names_the_file_and_line(project, capsys):
    edit(project, SOURCE, "issuer: Syrian Civil Society", "issuer: Syrian: Civil Society")
    line = line_of(project, SOURCE, "issuer: Syrian: Civil")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:{line}: YAML syntax error: mapping values are not allowed here; "
                     "check the indentation and quoting on this line and the one before"]


def test_a_pasted_second_key_is_refused_not_silently_dropped(project, capsys):
    first = line_of(project, SOURCE, "body:")
    path = project.root / SOURCE
    path.write_text(path.read_text("utf-8") + "body:\n  - A paragraph pasted again.\n", "utf-8")
    second = line_of(project, SOURCE, "  - A paragraph pasted again.") - 1
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:{second}: 'body' is given twice (first on line {first}); YAML "
                     "would keep only the last one: merge them into one"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("title: Sochi Conference Threatens Syria Peace Process", "title: [a, list]",
     "'title' must be text, not a list"),
    ("date: 2018-01-03", "date: {day: 3}",
     "'date' must be an ISO date such as 2018-01-03, not a mapping"),
    ("date: 2018-01-03", "date: 3 January 2018",
     "'date' must be an ISO date such as 2018-01-03, not '3 January 2018'"),
    ("issuer: Syrian Civil Society", "issuer:\n  - Syrian Civil Society",
     "'issuer' must be text, not a list"),
], ids=["title-list", "date-mapping", "date-prose", "issuer-list"])
def test_wrong_types_are_named_with_their_line(project, capsys, old, new, expected):
    edit(project, SOURCE, old, new)
    line = line_of(project, SOURCE, new.split("\n")[0]) + new.count("\n")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:{line}: {expected}"]


@pytest.mark.parametrize("name", ["NO", "2011", "Yes", "3.14"])
def test_a_signatory_yaml_would_read_as_a_boolean_or_number_is_taken_as_written(project, name):
    """YAML 1.1 reads an organisation called NO as false and 2011 as a number. A statement's
    fields are text, so the name is taken exactly as the editor wrote it."""
    edit(project, SOURCE, "signatories:\n", f"signatories:\n  - {name}\n")
    [statement] = load_statements(project)
    assert statement.signatories[0].value == name


def test_a_missing_field_says_what_to_add(project, capsys):
    edit(project, SOURCE, "issuer: Syrian Civil Society\n", "")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:1: the field 'issuer' is missing: add who issues it, printed at "
                     "the foot of each page"]


def test_an_unknown_field_suggests_the_known_one(project, capsys):
    edit(project, SOURCE, "issuer: Syrian Civil Society", "isuser: Syrian Civil Society")
    line = line_of(project, SOURCE, "isuser:")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert f"{SOURCE}:{line}: unknown field 'isuser': did you mean 'issuer'?" in lines
    assert f"{SOURCE}:1: the field 'issuer' is missing: add who issues it, printed at the foot of " \
           "each page" in lines


def test_empty_strings_are_refused(project, capsys):
    edit(project, SOURCE, "subtitle: Joint Statement by Syrian Civil Society", "subtitle: ''")
    edit(project, SOURCE, "signatories:\n", "signatories:\n  - '   '\n")
    subtitle = line_of(project, SOURCE, "subtitle: ''")
    signatory = line_of(project, SOURCE, "  - '   '")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [
        f"{SOURCE}:{subtitle}: 'subtitle' is empty: write the text, or remove the field if it is "
        "optional",
        f"{SOURCE}:{signatory}: 'signatories item 1' is empty: write the text, or remove the "
        "field if it is optional"]


def test_a_file_that_is_not_utf8_names_the_line(project, capsys):
    edit_bytes(project, SOURCE, b"issuer: Syrian Civil Society",
               "issuer: Société civile syrienne".encode("latin-1"))
    line = line_of(project, SOURCE, "issuer: Soci")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:{line}: the file is not UTF-8 text: save it with the UTF-8 "
                     "encoding"]


def test_tabs_in_indentation_are_named(project, capsys):
    edit(project, SOURCE, "body:\n  - ", "body:\n\t- ")
    line = line_of(project, SOURCE, "\t- ")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == [f"{SOURCE}:{line}: a tab is used for indentation: YAML needs spaces, so "
                     "replace the tabs with spaces"]


def test_an_unknown_statement_on_the_command_line(project, capsys):
    status, lines = cli(capsys, project, "build", "nosuch", "-j1")
    assert status == 1
    assert lines == ["no statement 'nosuch': there is no sources/nosuch.yaml "
                     "(statements: sochi-2018)"]


def test_an_empty_sources_folder(project, capsys):
    (project.root / SOURCE).unlink()
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == ["sources: there is no statement to build: add one as "
                     "sources/<identifier>.yaml"]


def test_an_invalid_statement_file_name(project, capsys):
    shutil.copy(project.root / SOURCE, project.sources_dir / "Bad Name.yaml")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == ["sources/Bad Name.yaml: 'Bad Name' is not a valid statement identifier: use "
                     "lower-case letters, digits and single hyphens, such as 'sochi-2018'"]
    assert not project.output_dir.exists()


def test_three_problems_in_one_statement_are_reported_in_one_run(project, capsys):
    edit(project, SOURCE, "title: ", "titel: ")
    edit(project, SOURCE, "date: 2018-01-03", "date: soon")
    edit(project, SOURCE, "language: en", "language: xx")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    title, date, lang = (line_of(project, SOURCE, n) for n in ("titel:", "date:", "language:"))
    assert f"{SOURCE}:{title}: unknown field 'titel': did you mean 'title'?" in lines
    assert f"{SOURCE}:{date}: 'date' must be an ISO date such as 2018-01-03, not 'soon'" in lines
    assert f"{SOURCE}:{lang}: 'xx' is not a language code known to CLDR: use a code such as " \
           "'ar', 'fa', 'fr' or 'pt_BR'" in lines


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/name:os.system"])
def test_unsafe_yaml_tags_are_refused_not_executed(project, capsys, tmp_path, tag):
    marker = tmp_path / "executed"
    value = f"{tag} ['touch {marker}']" if "apply" in tag else tag
    edit(project, SOURCE, "title: Sochi Conference Threatens Syria Peace Process",
         f"title: {value}")
    line = line_of(project, SOURCE, tag)
    status, lines = cli(capsys, project, "build", "-j1")
    assert not marker.exists(), "the YAML tag was executed"
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{SOURCE}:{line}: "), lines
    # The message must name what is wrong: a tag, which is not allowed (not "must be text").
    assert "tag" in lines[0] and tag.lstrip("!").split(":")[0] in lines[0], lines[0]


def test_a_control_character_pasted_into_the_text_is_named(project, capsys):
    """A line break copied from a word processor arrives as U+000B (vertical tab)."""
    edit(project, SOURCE, "issuer: Syrian Civil Society", "issuer: Syrian\x0bCivil Society")
    line = line_of(project, SOURCE, "issuer:")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{SOURCE}:{line}: "), lines
    assert "U+000B" in lines[0], lines[0]


def test_an_escaped_surrogate_is_refused_before_it_reaches_the_catalogs(project, capsys):
    """JSON-style escapes of an emoji (\\ud83d\\ude00) are two lone surrogates in YAML."""
    edit(project, SOURCE, "title: Sochi Conference Threatens Syria Peace Process",
         'title: "Sochi \\ud83d\\ude00 Conference"')
    line = line_of(project, SOURCE, "title:")
    pot = (project.root / POT).read_bytes()
    status, lines = cli(capsys, project, "extract")
    assert status == 1, "the lone surrogates were accepted"
    assert len(lines) == 1 and lines[0].startswith(f"{SOURCE}:{line}: "), lines
    assert (project.root / POT).read_bytes() == pot
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1 and lines[0].startswith(f"{SOURCE}:{line}: "), lines


def test_absurdly_nested_yaml_is_an_error_not_a_crash(project, capsys):
    (project.root / SOURCE).write_text("body: " + "[" * 5000 + "\n", "utf-8")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines and all(line.startswith(f"{SOURCE}:") for line in lines), lines


# --- 2. catalogs and templates ------------------------------------------------------------------

SUBTITLE_MSGSTR = 'msgstr "بيان مشترك صادر عن المجتمع المدني السوري"'


@pytest.mark.parametrize(("old", "new", "bad_line"), [
    ('msgctxt "subtitle"\nmsgid ', 'msgctxt "subtitle"\nmsgidd ', "msgidd "),
    (SUBTITLE_MSGSTR, SUBTITLE_MSGSTR.replace('msgstr "', 'msgstr oops "'), "msgstr oops"),
    (SUBTITLE_MSGSTR, SUBTITLE_MSGSTR[:-1], SUBTITLE_MSGSTR[:-1]),
    (SUBTITLE_MSGSTR, SUBTITLE_MSGSTR + '\nmsgstr "بيان ثان"', 'msgstr "بيان ثان"'),
], ids=["misspelled-keyword", "junk-after-keyword", "unterminated-string", "second-msgstr"])
def test_a_po_syntax_error_names_the_line_and_the_catalog_is_kept(project, capsys, old, new,
                                                                   bad_line):
    """msgfmt refuses every one of these at the given line; none may be read as something else
    (a translation cut short, a translation silently dropped) and written back by update."""
    edit(project, AR, old, new)
    line = line_of(project, AR, bad_line)
    before = snapshot(project.locales_dir / "ar")
    status, lines = cli(capsys, project, "update")
    assert status == 1, "the broken catalog was accepted"
    assert any(x.startswith(f"{AR}:{line}: PO syntax error") for x in lines), lines
    assert snapshot(project.locales_dir / "ar") == before
    status, lines = cli(capsys, project, "check", "--lang", "ar")
    assert status == 1 and any(x.startswith(f"{AR}:{line}: PO syntax error") for x in lines), lines


@pytest.mark.parametrize("kind", ["declared", "bytes"])
def test_a_wrong_charset_in_a_catalog(project, capsys, kind):
    if kind == "declared":
        edit(project, AR, "charset=utf-8", "charset=ISO-8859-1")
        line = line_of(project, AR, "charset=ISO-8859-1")
        expected = (f"{AR}:{line}: the catalog declares charset ISO-8859-1: save it as UTF-8 and "
                    "declare 'charset=UTF-8'")
    else:
        edit_bytes(project, AR, "بيان مشترك".encode(), "Déclaration".encode("latin-1"))
        line = line_of(project, AR, "claration")
        expected = (f"{AR}:{line}: the catalog is not UTF-8: save it as UTF-8 and declare "
                    "'charset=UTF-8' in its Content-Type header")
    status, lines = cli(capsys, project, "build", "--lang", "ar", "-j1")
    assert status == 1
    assert lines == [expected]


@pytest.mark.parametrize("wrong", [2, 7])
def test_a_wrong_number_of_plural_forms_in_the_arabic_header(project, capsys, wrong):
    edit(project, AR, "nplurals=6;", f"nplurals={wrong};")
    line = line_of(project, AR, "Plural-Forms:")
    status, lines = cli(capsys, project, "build", "--lang", "ar", "-j1")
    assert status == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"{AR}:{line}: the Plural-Forms header gives {wrong} plural forms, but ar has 6 in CLDR: "
        "set it to 'nplurals=6; plural="), lines[0]


def test_a_language_without_a_catalog(project, capsys):
    status, lines = cli(capsys, project, "build", "--lang", "fr", "-j1")
    assert status == 1
    assert lines == ["locales/fr/LC_MESSAGES/statements.po: there is no catalog for 'fr': create "
                     "it with `python -m pipeline init fr`"]


def test_a_template_syntax_error_names_the_file_and_line(project, capsys):
    edit(project, TEMPLATE, "<h1{% if ", "<h1{% iff ")
    line = line_of(project, TEMPLATE, "<h1{% iff ")
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert status == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{TEMPLATE}:{line}: template error: Encountered unknown tag "
                               "'iff'"), lines[0]
    assert not project.output_dir.joinpath("sochi-2018").exists()


def test_a_template_that_uses_an_undefined_variable_names_the_line(project, capsys):
    edit(project, TEMPLATE, "<h1", "{{ nosuchvariable }}<h1")
    line = line_of(project, TEMPLATE, "nosuchvariable")
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert status == 1
    assert lines == [f"{TEMPLATE}:{line}: template error: 'nosuchvariable' is undefined"]


def test_a_template_that_fails_while_rendering_names_the_line(project, capsys):
    edit(project, TEMPLATE, "<h1", "{{ 1 / 0 }}<h1")
    line = line_of(project, TEMPLATE, "1 / 0")
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{TEMPLATE}:{line}: template error"), lines


def test_a_template_cannot_include_a_file_outside_templates(project, capsys):
    edit(project, TEMPLATE, "<h1", "{% include '../../../../../../etc/passwd' %}<h1")
    line = line_of(project, TEMPLATE, "etc/passwd")
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"{TEMPLATE}:{line}: "), lines
    assert "etc/passwd" in lines[0]
    assert not project.output_dir.joinpath("sochi-2018").exists()


# --- 3. untrusted text --------------------------------------------------------------------------

@pytest.mark.slow
def test_untrusted_text_in_a_statement_and_a_catalog_prints_literally(project, capsys):
    quoted = "'" + HOSTILE.replace("'", "''") + "'"
    edit(project, SOURCE, "title: Sochi Conference Threatens Syria Peace Process", f"title: {quoted}")
    edit(project, SOURCE, "issuer: Syrian Civil Society", f"issuer: {quoted}")
    edit(project, SOURCE, "body:\n", f"body:\n  - {quoted}\n")
    edit(project, SOURCE, "signatories:\n", f"signatories:\n  - {quoted}\n")
    update(project)
    # The Arabic translator keeps the same (hostile) text: the markup check has nothing to flag.
    path = project.catalog_path("ar")
    catalog = read_catalog(path, AR, "ar")
    translated = 0
    for message in catalog:
        if message.id == HOSTILE:
            message.string = "نص عربي " + HOSTILE
            message.flags.discard("fuzzy")
            translated += 1
    assert translated == 4  # title, issuer, paragraph, signatory
    write_catalog(project, path, catalog)

    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 0, lines
    folder = project.output_dir / "sochi-2018"
    for code in ("en", "ar"):
        html = (folder / f"sochi-2018.{code}.html").read_text("utf-8").replace(FSI, "").replace(PDI, "")
        assert "<script" not in html and "<img" not in html, code
        assert html.count("</style>") == 1, f"{code}: a </style> from the text closed the sheet"
        assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4, code
        assert html.count("{{ 7*7 }}") >= 4, code
        data = (folder / f"sochi-2018.{code}.pdf").read_bytes()
        assert_no_attachment(data, f"sochi-2018.{code}.pdf")
        reader = PdfReader(folder / f"sochi-2018.{code}.pdf")
        expected = HOSTILE if code == "en" else "نص عربي " + HOSTILE
        assert reader.metadata.title.replace(FSI, "").replace(PDI, "") == expected
        assert reader.metadata.author.replace(FSI, "").replace(PDI, "") == expected
        text = squash(pdf_text(folder / f"sochi-2018.{code}.pdf"))
        if code == "en":  # left to right: extracted in reading order, word for word
            assert text.count(squash(HOSTILE)) >= 3, text[:400]
        else:  # in the right-to-left edition the extractor reorders runs; every piece is there
            for piece in ("script", "alert", "{{", "7*7", "}}", "etc/passwd", "style", "url"):
                assert piece in text, piece


@pytest.mark.slow
def test_a_translation_with_markup_the_source_lacks_is_refused_and_printed_literally_in_a_draft(
        project, capsys):
    edit(project, AR, 'msgstr "الموقعون"', f'msgstr "الموقعون {HOSTILE}"')
    line = line_of(project, AR, 'msgid "Signatories"')
    status, lines = cli(capsys, project, "build", "--lang", "ar", "-j1")
    assert status == 1
    assert f"{AR}:{line}: 'Signatories': the markup differs from the source text" in lines, lines
    assert not (project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf").exists()
    status, lines = cli(capsys, project, "build", "--lang", "ar", "--draft", "-j1")
    assert status == 0, lines
    html = (project.output_dir / "sochi-2018" / "sochi-2018.ar.html").read_text("utf-8")
    html = html.replace(FSI, "").replace(PDI, "")
    assert "<script" not in html and "<img" not in html and html.count("</style>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_no_attachment((project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf").read_bytes(),
                         "sochi-2018.ar.pdf")


def _hostile_template(project: Project, kind: str) -> str:
    """Apply one hostile edit to the templates; the URL the build must refuse."""
    css = project.root / CSS
    if kind == "link-attachment":
        edit(project, TEMPLATE, '<link rel="stylesheet"',
             '<link rel="attachment" href="file:///etc/passwd">\n<link rel="stylesheet"')
        return "file:///etc/passwd"
    if kind == "img":
        edit(project, TEMPLATE, "<h1", '<img src="file:///etc/passwd"><h1')
        return "file:///etc/passwd"
    if kind == "anchor-attachment":
        edit(project, TEMPLATE, "<h1", '<a rel="attachment" href="file:///etc/passwd">x</a><h1')
        return "file:///etc/passwd"
    if kind == "css-import":
        css.write_text("@import url(http://example.com/x.css);\n" + css.read_text("utf-8"), "utf-8")
        return "http://example.com/x.css"
    if kind == "css-background":
        css.write_text(css.read_text("utf-8") + "\nbody { background: url(file:///etc/passwd); }\n",
                       "utf-8")
        return "file:///etc/passwd"
    if kind == "css-font":
        css.write_text(css.read_text("utf-8") + '\n@font-face { font-family: "X"; '
                       "src: url(file:///etc/passwd); }\n", "utf-8")
        return "file:///etc/passwd"
    raise AssertionError(kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["link-attachment", "img", "anchor-attachment", "css-import",
                                  "css-background", "css-font"])
def test_a_hostile_template_cannot_load_files_or_reach_the_network(project, capsys, kind):
    url = _hostile_template(project, kind)
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert status == 1
    assert any(f"refused to load {url!r}" in line for line in lines), lines
    folder = project.output_dir / "sochi-2018"
    assert not (folder / "sochi-2018.en.pdf").exists()
    assert not (folder / "sochi-2018.en.html").exists()
    for pdf in project.output_dir.rglob("*.pdf"):
        assert_no_attachment(pdf.read_bytes(), pdf.name)


# --- 4. paths -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    (["build", "../../etc"], "'../../etc' is not a valid statement identifier: use lower-case "
     "letters, digits and single hyphens, such as 'sochi-2018'"),
    (["check", "../sources/sochi-2018"], "'../sources/sochi-2018' is not a valid statement "
     "identifier: use lower-case letters, digits and single hyphens, such as 'sochi-2018'"),
    (["init", "../x"], "'../x' is not a language code known to CLDR: use a code such as 'ar', "
     "'fa', 'fr' or 'pt_BR'"),
    (["build", "--lang", "../x"], "'../x' is not a language code known to CLDR: use a code such "
     "as 'ar', 'fa', 'fr' or 'pt_BR'"),
    (["update", "--lang", "../../x"], "'../../x' is not a language code known to CLDR: use a "
     "code such as 'ar', 'fa', 'fr' or 'pt_BR'"),
], ids=["build-statement", "check-statement", "init-lang", "build-lang", "update-lang"])
def test_identifiers_and_language_codes_are_validated(project, capsys, args, expected):
    before = snapshot(project.root.parent)
    status, lines = cli(capsys, project, *args)
    assert status == 1
    assert lines == [expected]
    assert snapshot(project.root.parent) == before


@pytest.mark.slow
@pytest.mark.parametrize("link", ["statement-folder", "pdf-file", "assets-folder"])
def test_a_symbolic_link_out_of_output_is_not_followed(project, capsys, tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.pdf").write_bytes(b"not yours to overwrite\n")
    (outside / "fonts").mkdir()
    before = snapshot(outside)
    folder = project.output_dir / "sochi-2018"
    if link == "statement-folder":
        project.output_dir.mkdir()
        folder.symlink_to(outside, target_is_directory=True)
    elif link == "assets-folder":
        project.output_dir.mkdir()
        (project.output_dir / "_assets").symlink_to(outside, target_is_directory=True)
    else:
        folder.mkdir(parents=True)
        (folder / "sochi-2018.en.pdf").symlink_to(outside / "precious.pdf")
    status, lines = cli(capsys, project, "build", "--lang", "en", "-j1")
    assert snapshot(outside) == before, "a file outside the project was written"
    if link == "pdf-file":  # the link is replaced by the edition, never written through
        assert status == 0, lines
        assert not (folder / "sochi-2018.en.pdf").is_symlink()
        assert is_complete_pdf((folder / "sochi-2018.en.pdf").read_bytes())
        return
    assert status == 1
    name = "output/sochi-2018" if link == "statement-folder" else "output/_assets"
    assert any("outside the project" in line and name in line for line in lines), \
        f"no clear message naming {name} as a link out of the project: {lines}"


# --- 5. nothing lost ----------------------------------------------------------------------------

def _break(project: Project, how: str) -> None:
    if how == "template-syntax":
        edit(project, TEMPLATE, "<h1{% if ", "<h1{% iff ")
    elif how == "template-undefined":
        edit(project, TEMPLATE, "<h1", "{{ nosuchvariable }}<h1")
    elif how == "stylesheet-refused":
        _hostile_template(project, "css-import")
    elif how == "catalog-syntax":
        edit(project, AR, 'msgctxt "subtitle"\nmsgid ', 'msgctxt "subtitle"\nmsgidd ')
    else:
        raise AssertionError(how)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["template-syntax", "template-undefined", "stylesheet-refused",
                                 "catalog-syntax"])
def test_a_failed_build_keeps_the_last_good_output_byte_for_byte(good, capsys, how):
    before = snapshot(good.output_dir)
    assert {f"sochi-2018/{name}" for name in EDITIONS} <= before.keys()
    _break(good, how)
    catalogs = snapshot(good.locales_dir)
    status, lines = cli(capsys, good, "build", "-j1")
    assert status == 1, lines
    assert changed(before, snapshot(good.output_dir)) == [], \
        "a failed build changed the previous good output (the HTML editions use _assets/ too)"
    assert snapshot(good.locales_dir) == catalogs
    assert temp_files(good) == []


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "update"])
def test_stale_temporary_files_of_an_interrupted_run_are_cleaned_up(project, capsys, command):
    """SIGKILL (or a power cut) between the temporary file's creation and its rename leaves
    `.NAME.XXXXXXXX.tmp` behind, half written; the next run must not leave it there for ever."""
    (project.output_dir / "sochi-2018").mkdir(parents=True)
    planted = [project.output_dir / "sochi-2018" / ".sochi-2018.en.pdf.k1ll3d_x.tmp",
               project.locales_dir / "ar" / "LC_MESSAGES" / ".statements.po.k1ll3d_x.tmp"]
    planted[0].write_bytes(b"%PDF-1.7\n% half written")
    planted[1].write_bytes(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ut')
    args = ["build", "--lang", "en", "-j1"] if command == "build" else ["update"]
    status, lines = cli(capsys, project, *args)
    assert status == 0, lines
    folder = project.output_dir if command == "build" else project.locales_dir
    left = [project.relative(p) for p in planted if p.is_relative_to(folder) and p.exists()]
    assert left == [], f"stale temporary files survive `{command}`: {left}"


def _run_and_kill(args: list[str], trigger, timeout: float = 90) -> bool:
    """Start the pipeline, SIGKILL it as soon as ``trigger()`` holds; whether it was killed."""
    process = subprocess.Popen([sys.executable, "-m", "pipeline", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None:
            if trigger():
                process.kill()
                process.wait()
                return True
            assert time.monotonic() < deadline, f"{args} did not finish in {timeout} s"
            time.sleep(0.0005)
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _after(delay: float):
    started = time.monotonic()
    return lambda: time.monotonic() - started >= delay


def _replaced(path: Path):
    def identity():
        try:
            stat = path.stat()
            return stat.st_ino, stat.st_mtime_ns
        except FileNotFoundError:
            return None
    initial = identity()
    return lambda: identity() != initial


def _temp_appears(folder: Path):
    def found() -> bool:
        for _, _, files in os.walk(folder):
            if any(name.endswith(".tmp") for name in files):
                return True
        return False
    return found


def printed_files(output: Path) -> dict[str, bytes]:
    """Every PDF and HTML file a build put in ``output/`` (editions, bilingual edition, index)."""
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*"))
            if p.suffix in (".pdf", ".html") and p.is_file()}


@pytest.mark.slow
def test_a_killed_build_leaves_each_edition_old_or_new_and_complete(good, tmp_path):
    old = printed_files(good.output_dir)
    saved_output = tmp_path / "saved-output"
    shutil.copytree(good.output_dir, saved_output, symlinks=True)
    # A new printing: a stylesheet and a template change alter every language edition (HTML
    # and PDF). What the new files must be, byte for byte: a build of the same inputs elsewhere.
    css = good.root / CSS
    css.write_text(css.read_text("utf-8") + "\n.date { color: #333; }\n", "utf-8")
    edit(good, TEMPLATE, "</body>", "<!-- second printing -->\n</body>")
    shutil.copytree(good.root, tmp_path / "twin", ignore=shutil.ignore_patterns("output"))
    twin = Project.at(tmp_path / "twin")
    assert not build(twin, jobs=1).refused
    new = printed_files(twin.output_dir)
    assert new.keys() == old.keys()
    assert all(new[f"sochi-2018/{name}"] != old[f"sochi-2018/{name}"] for name in EDITIONS), \
        "the new printing changes nothing"

    moments = [(f"after {d} s", lambda d=d: _after(d)) for d in
               (0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0, 3.5)]
    moments += [(f"once {name} is replaced", lambda name=name: _replaced(good.output_dir / name))
                for name in ("_assets/statement.css", "sochi-2018/sochi-2018.ar.html",
                             "sochi-2018/sochi-2018.ar.pdf", "sochi-2018/sochi-2018.en.html")]
    moments += [("while a temporary file is being written", lambda: _temp_appears(good.output_dir))]
    kills, checked, outcomes, leftovers = 0, 0, [], []
    for label, make_trigger in moments:
        shutil.rmtree(good.output_dir)
        shutil.copytree(saved_output, good.output_dir, symlinks=True)
        killed = _run_and_kill(["build", "-C", str(good.root), "--force", "-j1"], make_trigger())
        kills += killed
        states = []
        now = printed_files(good.output_dir)
        assert now.keys() == old.keys(), f"kill {label}: {sorted(now.keys() ^ old.keys())}"
        for name, data in now.items():
            checked += 1
            short = name.rsplit("/", 1)[-1].removeprefix("sochi-2018.")
            if data == old[name]:
                states.append(f"{short} old" if data != new[name] else f"{short} unchanged")
            elif data == new[name]:
                states.append(f"{short} new")
            else:
                pytest.fail(f"kill {label}: {name} is neither the previous edition nor the new "
                            f"one ({len(data)} bytes, complete PDF: {is_complete_pdf(data)})")
            if name.endswith(".pdf"):
                assert is_complete_pdf(data), f"kill {label}: {name} is not a complete PDF"
            else:
                assert data.rstrip().endswith(b"</html>"), f"kill {label}: {name} is cut short"
        leftovers += temp_files(good)
        outcomes.append(f"{label}: {'killed' if killed else 'finished'} ({', '.join(states)})")
    summary = (f"{len(moments)} runs, {kills} killed, {checked} files checked, "
               f"{len(leftovers)} temporary files left by kills: {leftovers}\n  "
               + "\n  ".join(outcomes))
    print(summary)
    assert kills >= 5, summary

    # Whatever the kills left, one more build completes the new printing and leaves no debris.
    assert not build(good, jobs=1).refused
    assert printed_files(good.output_dir) == new, f"not the new printing after a build; {summary}"
    assert temp_files(good) == [], f"temporary files left in output/: {temp_files(good)}; {summary}"


def _mask(data: bytes) -> bytes:
    """A catalog without its POT-Creation-Date header line (the time a template was written)."""
    return b"\n".join(line for line in data.split(b"\n")
                      if not line.startswith(b'"POT-Creation-Date:'))


@pytest.mark.slow
def test_a_killed_update_leaves_each_catalog_old_or_new_and_readable(project, tmp_path):
    files = {POT: None, AR: "ar", EN: "en"}
    old = {name: (project.root / name).read_bytes() for name in files}
    saved = tmp_path / "saved-locales"
    shutil.copytree(project.locales_dir, saved)
    edit(project, SOURCE, "repeated use of the veto", "repeated abuse of the veto")
    shutil.copytree(project.root, tmp_path / "twin")
    twin = Project.at(tmp_path / "twin")
    update(twin)
    new = {name: (twin.root / name).read_bytes() for name in files}
    assert all(_mask(new[name]) != _mask(old[name]) for name in (AR, EN))

    moments = [(f"after {d} s", lambda d=d: _after(d)) for d in
               (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.6)]
    moments += [(f"once {name} is replaced", lambda name=name: _replaced(project.root / name))
                for name in (POT, AR)]
    moments += [("while a temporary file is being written",
                 lambda: _temp_appears(project.locales_dir))]
    kills, checked, outcomes, leftovers = 0, 0, [], []
    for label, make_trigger in moments:
        shutil.rmtree(project.locales_dir)
        shutil.copytree(saved, project.locales_dir)
        killed = _run_and_kill(["update", "-C", str(project.root)], make_trigger())
        kills += killed
        states = []
        for name, code in files.items():
            data = (project.root / name).read_bytes()
            checked += 1
            short = name.rsplit("/", 1)[-1] if name == POT else name.split("/")[1]
            if data == old[name]:
                states.append(f"{short} old")
            elif _mask(data) == _mask(new[name]):
                states.append(f"{short} new")
            else:
                pytest.fail(f"kill {label}: {name} is neither the previous catalog nor the new one")
            read_catalog(project.root / name, name, code)  # parses, strictly
        leftovers += temp_files(project)
        outcomes.append(f"{label}: {'killed' if killed else 'finished'} ({', '.join(states)})")
    summary = (f"{len(moments)} runs, {kills} killed, {checked} files checked, "
               f"{len(leftovers)} temporary files left by kills: {leftovers}\n  "
               + "\n  ".join(outcomes))
    print(summary)
    assert kills >= 5, summary
    update(project)
    for name in (AR, EN):
        assert (project.root / name).read_bytes() == new[name], summary
    assert temp_files(project) == [], f"temporary files left in locales/: {summary}"


# --- 6. properties ------------------------------------------------------------------------------

def _statement_yaml(title: str, paragraph: str, signatory: str, quote) -> bytes:
    return (f"id: demo\ntitle: {quote(title)}\ndate: 2020-05-01\nlanguage: en\n"
            f"issuer: Someone\nbody:\n  - {quote(paragraph)}\n  - Second paragraph.\n"
            f"signatories:\n  - {quote(signatory)}\n").encode()


def _double_quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly ``text``: every non-ASCII or special
    character escaped, so YAML's reader and line folding never see it."""
    out = []
    for char in text:
        if 0x20 <= ord(char) < 0x7F and char not in '"\\':
            out.append(char)
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _single_quoted(text: str) -> str:
    """A YAML single-quoted scalar with the raw text (line folding only touches white space)."""
    return "'" + text.replace("'", "''") + "'"


def _round_trip(title: str, paragraph: str, signatory: str, quote) -> None:
    data = _statement_yaml(title, paragraph, signatory, quote)
    try:
        statement = parse_statement(data, "sources/demo.yaml", "demo")
    except PipelineError as error:
        assert all(str(p).startswith("sources/demo.yaml:") for p in error.problems), str(error)
        if quote is _double_quoted:  # only empty text or a forbidden character is refused
            assert any(not normalise(t) or FORBIDDEN.search(t)
                       for t in (title, paragraph, signatory)), str(error)
        return
    assert statement.title.value == normalise(title)
    assert statement.body[0].value == normalise(paragraph)
    assert statement.signatories[0].value == normalise(signatory)


@settings(max_examples=100, deadline=None)
@given(title=st.text(), paragraph=st.text(), signatory=st.text())
def test_any_text_escaped_in_double_quotes_round_trips_or_is_refused_cleanly(title, paragraph,
                                                                            signatory):
    _round_trip(title, paragraph, signatory, _double_quoted)


@settings(max_examples=100, deadline=None)
@given(title=st.text(), paragraph=st.text(), signatory=st.text())
def test_any_raw_text_in_single_quotes_round_trips_or_is_refused_cleanly(title, paragraph,
                                                                        signatory):
    _round_trip(title, paragraph, signatory, _single_quoted)


@settings(max_examples=100, deadline=None)
@given(data=st.one_of(
    st.binary(max_size=300),
    st.builds(lambda head, noise: head + noise, st.sampled_from([
        b"id: demo\ntitle: ", b"body:\n  - ", b"signatories: [", b"date: ", b"title: '"]),
        st.binary(max_size=100))))
def test_any_bytes_are_a_statement_or_a_pipeline_error(data):
    try:
        parse_statement(data, "sources/demo.yaml", "demo")
    except PipelineError as error:
        assert all(str(p).startswith("sources/demo.yaml") for p in error.problems), str(error)


@pytest.fixture(scope="module")
def render_setup(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("render") / "project")
    [statement] = load_statements(project)
    catalog = read_catalog(project.catalog_path("en"), EN, "en")
    return project, statement, catalog, language("en", project.formatting_locale("en"))


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1))
def test_no_text_ever_becomes_a_tag_in_the_html(render_setup, text):
    project, statement, catalog, english = render_setup

    def render(value: str) -> str:
        piece = Text(value, 1)
        hostile = dataclasses.replace(
            statement, title=piece, issuer=piece, body=(piece,) + statement.body[1:],
            signatories=(piece,) + statement.signatories[1:])
        return render_edition(project, hostile, english, Lookup("en", catalog),
                              Provenance("source123456", "catalog12345")).html

    html, baseline = render(text), render("x")
    assert html.count("<") == baseline.count("<"), "the text added or removed markup"
    assert html.count("</style>") == 1
    body = html.split('<div class="body">', 1)[1]
    assert body.lstrip().startswith(f"<p>{escape(text)}</p>")
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style


def test_settings_are_checked(project, capsys):
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace("formatting-locales =",
                                                              "formatting-locale ="), "utf-8")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines == ["pyproject.toml: unknown setting [tool.pipeline] formatting-locale: did you "
                     "mean 'formatting-locales'?"]


def test_a_catalog_folder_that_is_not_a_language_code(project, capsys):
    shutil.copytree(project.locales_dir / "ar", project.locales_dir / "ar-SY")
    status, lines = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert lines[0].startswith("locales/ar-SY: 'ar-SY' is not a language code known to CLDR")

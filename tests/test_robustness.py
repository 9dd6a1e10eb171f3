"""The robustness standard, one test per class of bad input:

    Bad input gets a clear error that names the file, the line and what to do, never a
    traceback, and nothing is lost: no half-written PDF or PO file, no translation dropped, the
    previous good output kept. Untrusted text never becomes markup, and rendering never reaches
    the network or files outside the project.

Every case drives the command line (``helpers.cli``) on a private project and checks the exact
one-line ``file:line: message`` it reports (the line computed from the files as edited), its exit
status, and what it left on disk. Most cases edit ``sources/ghouta-2017.yaml`` of the ``small``
project and build that statement alone in English: a source error is reported before anything
prints, so those tests print nothing and are not slow. The tests that print are marked ``slow``.
"""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pipeline import markup, webfonts
from pipeline.catalogs.lookup import Lookup
from pipeline.catalogs.pofile import PoCatalog, read_catalog, serialise
from pipeline.cli import main
from pipeline.commands.build import build
from pipeline.errors import PipelineError
from pipeline.files import DIGESTS
from pipeline.language import Language, language, plural_forms
from pipeline.messages import edition_messages, template_messages
from pipeline.model import PrintOptions, Provenance
from pipeline.plan import Request
from pipeline.project import Project
from pipeline.render import Side, render_edition
from pipeline.snapshot import Snapshot, take
from pipeline.source import MAX_WORD, Signatory, Statement, Text, parse_statement
from pipeline.state import EditionState
from pipeline.text import FSI, PDI, forbidden_message, normalise

from .conftest import FIXTURES, LANGUAGES, SMALL, keep_languages, make_project
from .helpers import (
    PASSWD,
    assert_no_attachment,
    changed,
    cli,
    edit,
    edit_bytes,
    files_of,
    is_complete_pdf,
    line_of,
    pdf_text,
    squash,
    temp_files,
)

G = "sources/ghouta-2017.yaml"
V = "sources/one-voice-2019.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
EN = "locales/en/LC_MESSAGES/statements.po"
POT = "locales/statements.pot"
TEMPLATE = "templates/statement.html.j2"
CSS = "templates/statement.css"
GHOUTA_EN_PDF = "output/ghouta-2017/ghouta-2017.en.pdf"
KILL = Path(__file__).parent / "fixtures" / "robustness" / "kill.py"

HOSTILE = ("<script>alert(1)</script> <b>bold</b> {{ 7*7 }} </style> url(file:///etc/passwd) "
           "[x](javascript:alert(1))")
"""Text that would be markup, a template expression, a way out of a stylesheet, a file address
and a script link, if anything treated it as more than text."""
REFUSED_ADDRESS = ("which a template or stylesheet asks for: an edition may only use the "
                   "stylesheet and fonts in templates/")
SECRET = PASSWD.read_text("utf-8").splitlines()[0] if PASSWD.is_file() else "root:x:0:0"


# --- helpers ------------------------------------------------------------------------------------

def build_ghouta(capsys: pytest.CaptureFixture[str], project: Project) -> tuple[int, list[str]]:
    """Build ghouta-2017 in English, reporting errors only: what a source error stops before
    anything prints."""
    return cli(capsys, project, "build", "ghouta-2017", "--lang", "en", "-j1", "-q")


def editions(project: Project) -> list[str]:
    """Every edition file (PDF or HTML, the index aside) in ``output/``."""
    if not project.output_dir.is_dir():
        return []
    return sorted(project.relative(p) for p in project.output_dir.rglob("*")
                  if p.suffix in (".pdf", ".html") and p.name != "index.html")


def assert_nothing_printed(project: Project) -> None:
    assert editions(project) == [], "a refused build left editions behind"
    assert temp_files(project) == [], "a refused build left temporary files behind"


class Hung(BaseException):
    """A run that did not end (a BaseException, so that ``cli`` does not take it for a crash)."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail a run that blocks (on a FIFO, a device) instead of hanging the test suite."""
    def expire(signum: int, frame: object) -> None:
        raise Hung(f"the run was still going after {seconds} s: it blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def printed_small(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The small project with every edition printed, once for this module: read it, never change
    it (``good_small`` gives a copy)."""
    project = make_project(tmp_path_factory.mktemp("printed") / "small", SMALL)
    report = build(project, Request(), jobs=1)
    assert not report.refused, [str(error) for error in report.refused]
    return project


@pytest.fixture
def good_small(printed_small: Project, tmp_path: Path) -> Project:
    """A private copy of the small project with every edition printed: the previous good output."""
    shutil.copytree(printed_small.root, tmp_path / "good", symlinks=True)
    return Project.at(tmp_path / "good")


@pytest.fixture
def listener() -> Iterator[tuple[str, list[object]]]:
    """An HTTP server on 127.0.0.1 that records every connection made to it: a template or a
    stylesheet that reached the network would show up here."""
    connections: list[object] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"h1 { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def verify_request(self, request, client_address) -> bool:
            connections.append(client_address)
            return True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", connections
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- 1. statement sources -----------------------------------------------------------------------

def test_a_yaml_syntax_error_names_the_file_and_the_line(small, capsys):
    edit(small, G, "issuer: Syrian Civil Society Coalition", "issuer: Syrian: Civil Society Coalition")
    line = line_of(small, G, "issuer: Syrian: Civil")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: YAML syntax error: mapping values are not allowed here; check the "
        "indentation and quoting on this line and the one before"])
    assert_nothing_printed(small)


def test_a_pasted_second_key_is_refused_not_silently_dropped(small, capsys):
    first = line_of(small, G, "body:")
    path = small.root / G
    path.write_text(path.read_text("utf-8") + "body:\n  - A paragraph pasted again.\n", "utf-8")
    second = line_of(small, G, "  - A paragraph pasted again.") - 1
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{second}: 'body' is given twice (first on line {first}); YAML would keep only the "
        "last one: merge them into one"])
    assert_nothing_printed(small)


DATE_FORMS = "'date' must be a day such as 2018-01-03, a month such as 2017-08 or a year such as 2017"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("title: End the Siege of Eastern Ghouta", "title: [a, list]", "'title' must be text, not a list"),
    ("date: 2017-11", "date: {day: 3}", f"{DATE_FORMS}, not a mapping"),
    ("date: 2017-11", "date: November 2017", f"{DATE_FORMS}, not 'November 2017'"),
    ("date: 2017-11", "date: 2017-02-30",
     "'date' 2017-02-30: that day does not exist: February 2017 has 28 days"),
    ("date: 2017-11", "date: 2016-02-30",
     "'date' 2016-02-30: that day does not exist: February 2016 has 29 days"),
    ("date: 2017-11", "date: 2017-11-00",
     "'date' 2017-11-00: that day does not exist: November 2017 has 30 days"),
    ("date: 2017-11", "date: 2017-13", "'date' 2017-13: there is no month 13; months go from 01 to 12"),
    ("date: 2017-11", "date: 2017-0", "'date' 2017-0: there is no month 0; months go from 01 to 12"),
    ("issuer: Syrian Civil Society Coalition", "issuer:\n  - Syrian Civil Society Coalition",
     "'issuer' must be text, not a list"),
    ("language: en", "language: xx",
     "'xx' is not a language code known to CLDR: use a code such as 'ar', 'fa', 'fr' or 'pt_BR'"),
    ("id: ghouta-2017", "id: ghouta-2018",
     "'id' is 'ghouta-2018' but the file is named ghouta-2017.yaml: make them the same"),
], ids=["title-list", "date-mapping", "date-prose", "date-30-february", "date-leap-year",
        "date-day-0", "date-month-13", "date-month-0", "issuer-list", "language", "id"])
def test_a_wrong_value_is_named_with_its_line(small, capsys, old, new, expected):
    edit(small, G, old, new)
    line = line_of(small, G, new.split("\n")[0]) + new.count("\n")
    assert build_ghouta(capsys, small) == (1, [f"{G}:{line}: {expected}"])
    assert_nothing_printed(small)


@pytest.mark.parametrize("name", ["NO", "2011", "Yes", "3.14", "2017-11-01", "off"])
def test_a_signatory_yaml_would_read_as_a_boolean_a_number_or_a_date_is_taken_as_written(
        small, capsys, name):
    """YAML 1.1 reads an organisation called NO as false and 2011 as a number. A statement's
    fields are text, so the name reaches the translators exactly as the editor wrote it."""
    edit(small, G, "signatories:\n", f"signatories:\n  - {name}\n")
    assert cli(capsys, small, "extract", "-q") == (0, [])
    template = (small.root / POT).read_text("utf-8")
    assert f'msgctxt "signatory"\nmsgid "{name}"\n' in template


def test_a_missing_field_says_what_to_add(small, capsys):
    edit(small, G, "issuer: Syrian Civil Society Coalition\n", "")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:1: the field 'issuer' is missing: add who issues it, printed at the foot of each page"])


def test_an_unknown_field_suggests_the_known_one(small, capsys):
    edit(small, G, "issuer: Syrian Civil Society Coalition", "isuser: Syrian Civil Society Coalition")
    line = line_of(small, G, "isuser:")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: unknown field 'isuser': did you mean 'issuer'?",
        f"{G}:1: the field 'issuer' is missing: add who issues it, printed at the foot of each page"])


def test_empty_texts_are_refused(small, capsys):
    edit(small, G, "title: End the Siege of Eastern Ghouta", "title: ''")
    edit(small, G, "signatories:\n", "signatories:\n  - '   '\n")
    title, signatory = line_of(small, G, "title: ''"), line_of(small, G, "  - '   '")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{title}: 'title' is empty: write the text, or remove the field if it is optional",
        f"{G}:{signatory}: 'signatories item 1' is empty: write the text, or remove the field if "
        "it is optional"])


@pytest.mark.parametrize("content", [b"", b"# only a comment\n"], ids=["no-bytes", "comment"])
def test_an_empty_statement_says_which_fields_it_needs(small, capsys, content):
    (small.root / G).write_bytes(content)
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:1: the file is empty: a statement needs the fields id, title, date, language, "
        "issuer, body"])


def test_a_statement_that_is_a_list_is_refused(small, capsys):
    (small.root / G).write_text("- id: ghouta-2017\n- title: End the Siege\n", "utf-8")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:1: a statement must be a mapping of fields (id, title, short-title, subtitle, date, "
        "updated, "
        "language, issuer, body, signatories), not a list"])


def test_a_file_that_is_not_utf8_names_the_line(small, capsys):
    edit_bytes(small, G, b"issuer: Syrian Civil Society Coalition",
               "issuer: Société civile syrienne".encode("latin-1"))
    line = line_of(small, G, "issuer: Soci")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: the file is not UTF-8 text: save it with the UTF-8 encoding"])


def test_tabs_in_indentation_are_named(small, capsys):
    edit(small, G, "body:\n  - ", "body:\n\t- ")
    line = line_of(small, G, "\t- ")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: a tab is used for indentation: YAML needs spaces, so replace the tabs with "
        "spaces"])


def test_an_unknown_statement_on_the_command_line(small, capsys):
    assert cli(capsys, small, "build", "nosuch", "-j1", "-q") == (1, [
        "no statement 'nosuch': there is no sources/nosuch.yaml (statements: ghouta-2017, "
        "one-voice-2019)"])
    assert_nothing_printed(small)


def test_an_empty_sources_folder(small, capsys):
    for name in (G, V):
        (small.root / name).unlink()
    assert cli(capsys, small, "build", "-j1", "-q") == (1, [
        "sources: there is no statement to build: add one as sources/<identifier>.yaml"])


def test_an_invalid_statement_file_name(small, capsys):
    shutil.move(small.root / G, small.sources_dir / "Bad Name.yaml")
    (small.root / V).unlink()
    assert cli(capsys, small, "build", "-j1", "-q") == (1, [
        "sources/Bad Name.yaml: 'Bad Name' is not a valid statement identifier: use lower-case "
        "letters, digits and single hyphens, such as 'sochi-2018': rename the file"])
    assert_nothing_printed(small)


def test_every_problem_of_a_statement_is_reported_in_one_run(small, capsys):
    edit(small, G, "title: ", "titel: ")
    edit(small, G, "date: 2017-11", "date: soon")
    edit(small, G, "language: en", "language: xx")
    title, date, lang = (line_of(small, G, n) for n in ("titel:", "date:", "language:"))
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{title}: unknown field 'titel': did you mean 'title'?",
        f"{G}:{date}: {DATE_FORMS}, not 'soon'",
        f"{G}:{lang}: 'xx' is not a language code known to CLDR: use a code such as 'ar', 'fa', "
        "'fr' or 'pt_BR'",
        f"{G}:1: the field 'title' is missing: add the headline"])


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/name:os.system",
                                 "!!binary", "!custom"])
def test_yaml_tags_are_refused_never_executed(small, capsys, tmp_path, tag):
    marker = tmp_path / "executed"
    value = f"{tag} ['touch {marker}']" if "apply" in tag else f"{tag} aGVsbG8="
    edit(small, G, "title: End the Siege of Eastern Ghouta", f"title: {value}")
    line = line_of(small, G, tag)
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: 'title' carries the YAML tag {tag}: tags are not allowed in a statement; "
        "write plain text"])
    assert not marker.exists(), "the YAML tag was executed"


def test_an_escaped_surrogate_is_refused_before_it_reaches_the_catalogs(small, capsys):
    """JSON-style escapes of an emoji (\\ud83d\\ude00) are two lone surrogates in YAML."""
    edit(small, G, "title: End the Siege of Eastern Ghouta", 'title: "\\ud83d\\ude00"')
    line = line_of(small, G, "title:")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: 'title': the invisible or control character U+D83D (surrogate) is not "
        "allowed: delete it"])
    assert cli(capsys, small, "update", "-q")[0] == 1
    assert "\ud83d" not in (small.root / POT).read_text("utf-8", "surrogatepass")


@pytest.mark.parametrize(("char", "name"), [
    ("\x0b", "control"),  # a line break pasted from a word processor
    ("\U000E0041", "TAG LATIN CAPITAL LETTER A"),  # invisible "ASCII smuggling"
    ("\u180e", "MONGOLIAN VOWEL SEPARATOR"),
    ("\u206a", "INHIBIT SYMMETRIC SWAPPING"),
    ("\U0001d173", "MUSICAL SYMBOL BEGIN BEAM"),
    ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),  # Trojan Source
    ("\u200b", "ZERO WIDTH SPACE"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),  # a byte order mark in the middle of the file
    ("\ue000", "private use"),
])
def test_an_invisible_or_control_character_is_refused_with_its_line(small, capsys, char, name):
    edit(small, G, "and fuel are running out", f"and fuel{char} are running out")
    line = line_of(small, G, "and fuel")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: the invisible or control character U+{ord(char):04X} ({name}) is not "
        "allowed: delete it"])
    assert_nothing_printed(small)


@pytest.mark.parametrize(("char", "name"), [("\u2028", "LINE SEPARATOR"),
                                            ("\u2029", "PARAGRAPH SEPARATOR"),
                                            ("\x85", "control")])
def test_a_line_separator_no_editor_shows_is_refused_on_the_right_line(small, capsys, char, name):
    """YAML reads U+2028, U+2029 and U+0085 as line breaks although no editor shows one: the line
    reported must be the one the editor shows."""
    edit(small, G, "language: en", f"language: en # a{char}comment")
    edit(small, G, "and fuel are running out", f"and fuel{char}are running out")
    line = line_of(small, G, "language: en")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: the line separator U+{ord(char):04X} ({name}) is not allowed: replace it "
        "with an ordinary line break or a space"])


def test_a_word_too_long_for_a_line_is_refused(small, capsys):
    word = "x" * (MAX_WORD + 1)
    edit(small, G, "title: End the Siege of Eastern Ghouta", f"title: End the Siege {word}")
    line = line_of(small, G, "title:")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: 'title' has a word of {MAX_WORD + 1} characters ({'x' * 20}...), too long to "
        "fit a line: break it with spaces"])


def test_a_word_as_long_as_a_line_holds_is_accepted(small, capsys):
    word = "x" * MAX_WORD
    edit(small, G, "title: End the Siege of Eastern Ghouta", f"title: End the Siege {word}")
    assert cli(capsys, small, "extract", "-q") == (0, [])
    assert word in (small.root / POT).read_text("utf-8")


def test_absurdly_nested_yaml_is_an_error_not_a_crash(small, capsys):
    (small.root / G).write_text("body: " + "[" * 5000 + "\n", "utf-8")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:1: lists or mappings are nested too deeply: a statement needs a mapping of fields "
        "and lists of texts"])


def test_a_billion_laughs_is_refused_at_once(small, capsys):
    """Nine levels of nine aliases: a billion copies of 'lol' if anything expanded them."""
    lines = ["id: ghouta-2017", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append("title: *a8")
    (small.root / G).write_text("\n".join(lines) + "\n", "utf-8")
    with time_limit(20):
        status, errors = build_ghouta(capsys, small)
    assert (status, errors) == (1, [
        f"{G}:2: anchors and aliases (&name, *name) are not allowed in a statement: write the "
        "text out"])


def test_a_second_yaml_document_is_refused_at_its_marker(small, capsys):
    path = small.root / G
    path.write_text(path.read_text("utf-8") + "---\nid: another-statement\n", "utf-8")
    line = line_of(small, G, "---")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{line}: the file holds more than one YAML document ('---'): keep one statement per "
        "file"])


@pytest.mark.parametrize("form", ["bom", "crlf", "cr", "bom-crlf", "document-markers"])
def test_a_byte_order_mark_and_any_line_endings_read_as_the_same_statement(small, capsys, form):
    """Saved by another editor (a byte order mark, Windows or old Mac line endings, explicit
    document markers), the statement gives exactly the same messages, references included."""
    path = small.root / G
    data = path.read_bytes()
    if form == "document-markers":
        data = b"--- " + data + b"...\n"  # on the first line: the lines stay where they were
    if "crlf" in form:
        data = data.replace(b"\n", b"\r\n")
    if form == "cr":
        data = data.replace(b"\n", b"\r")
    if "bom" in form:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    reference = make_project(small.root.parent / "reference", ("ghouta-2017", "one-voice-2019"))
    assert cli(capsys, reference, "extract", "-q") == (0, [])
    assert cli(capsys, small, "extract", "-q") == (0, [])
    assert (small.root / POT).read_bytes() == (reference.root / POT).read_bytes()


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_with_other_line_endings_errors_name_the_line_the_editor_shows(small, capsys, ending):
    path = small.root / G
    path.write_bytes(path.read_bytes().replace(b"\n", ending))
    edit_bytes(small, G, b"issuer: Syrian Civil", "issuer: Syrian\u200bCivil".encode())
    edit_bytes(small, G, b"date: 2017-11", b"date: 2017-1l")
    issuer = line_of(small, G, "issuer:")
    assert build_ghouta(capsys, small) == (1, [
        f"{G}:{issuer}: the invisible or control character U+200B (ZERO WIDTH SPACE) is not "
        "allowed: delete it"])
    edit_bytes(small, G, "Syrian\u200bCivil".encode(), b"Syrian Civil")
    date = line_of(small, G, "date:")
    assert build_ghouta(capsys, small) == (1, [f"{G}:{date}: {DATE_FORMS}, not '2017-1l'"])


# --- 1b. what a source is -----------------------------------------------------------------------

def test_a_statement_over_the_size_limit_is_refused_before_it_is_read(small, capsys):
    path = small.root / G
    path.write_bytes(path.read_bytes() + b"# padding\n" * (3 * 1024 * 1024 // 10))
    size = path.stat().st_size / 1024 / 1024
    assert build_ghouta(capsys, small) == (1, [
        f"{G}: is {size:.1f} MB, more than the 2 MB a statement may have: is it the right file?"])
    assert_nothing_printed(small)


@pytest.mark.parametrize("target", ["/etc/shadow", "/etc/passwd"])
def test_a_statement_linked_from_outside_the_project_is_refused_unread(small, capsys, target):
    (small.sources_dir / "x.yaml").symlink_to(target)
    expected = (f"sources/x.yaml: is a symbolic link to {target}, outside the project: the pipeline "
                "reads only the project's own files; copy the statement here instead")
    assert cli(capsys, small, "build", "x", "--lang", "en", "-j1", "-q") == (1, [expected])
    assert cli(capsys, small, "check", "x", "-q") == (1, [expected])
    status, lines = cli(capsys, small, "extract", "-q")
    assert (status, lines) == (1, [expected])
    assert SECRET not in (small.root / POT).read_text("utf-8")
    assert_nothing_printed(small)


@pytest.mark.parametrize(("name", "args", "what"), [
    (G, ("build", "ghouta-2017", "--lang", "en"), "statement"),
    (AR, ("build", "ghouta-2017", "--lang", "ar"), "catalog"),
    ("pyproject.toml", ("build",), "settings file"),
    (TEMPLATE, ("build", "ghouta-2017", "--lang", "en"), "template file"),
])
def test_a_fifo_is_refused_without_waiting_for_a_writer(small, capsys, name, args, what):
    path = small.root / name
    path.unlink()
    os.mkfifo(path)
    with time_limit(20):
        status, lines = cli(capsys, small, *args, "-j1", "-q")
    assert (status, lines) == (1, [
        f"{name}: is not a regular file (a device, a FIFO or a socket): the pipeline reads only "
        f"regular files; replace it with the {what}"])
    assert_nothing_printed(small)


@pytest.mark.parametrize(("name", "args", "what"), [
    (G, ("build", "ghouta-2017", "--lang", "en"), "statement"),
    (AR, ("build", "ghouta-2017", "--lang", "ar"), "catalog"),
    ("pyproject.toml", ("build",), "settings file"),
    ("templates/fonts/NotoSerif-Regular.ttf", ("build", "ghouta-2017", "--lang", "en"),
     "template file"),
])
def test_a_link_to_dev_zero_is_refused_without_reading_it(small, capsys, name, args, what):
    path = small.root / name
    path.unlink()
    path.symlink_to("/dev/zero")
    with time_limit(20):
        status, lines = cli(capsys, small, *args, "-j1", "-q")
    assert (status, lines) == (1, [
        f"{name}: is a symbolic link to /dev/zero, outside the project: the pipeline reads only "
        f"the project's own files; copy the {what} here instead"])
    assert_nothing_printed(small)


def test_a_device_inside_the_project_is_refused(small, capsys):
    path = small.root / G
    path.unlink()
    try:
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # what /dev/zero is
    except OSError as error:
        pytest.skip(f"cannot make a device here: {error}")
    with time_limit(20):
        status, lines = build_ghouta(capsys, small)
    assert (status, lines) == (1, [
        f"{G}: is not a regular file (a device, a FIFO or a socket): the pipeline reads only "
        "regular files; replace it with the statement"])


def test_a_statement_that_is_a_folder_is_refused(small, capsys):
    path = small.root / G
    path.unlink()
    path.mkdir()
    assert build_ghouta(capsys, small) == (1, [
        f"{G}: is a folder, not a statement: remove or rename it"])


@pytest.mark.slow
def test_one_broken_statement_does_not_stop_the_others(small, capsys):
    edit(small, G, "issuer: Syrian Civil Society Coalition", "isuser: Syrian Civil Society Coalition")
    problems = [f"{G}:{line_of(small, G, 'isuser:')}: unknown field 'isuser': did you mean 'issuer'?",
                f"{G}:1: the field 'issuer' is missing: add who issues it, printed at the foot of "
                "each page"]
    # Building the other statement alone: the broken one is not even read.
    assert cli(capsys, small, "build", "one-voice-2019", "--lang", "en", "-j1", "-q") == (0, [])
    first = (small.output_dir / "one-voice-2019" / "one-voice-2019.en.pdf").read_bytes()
    # Building everything: the other statement's editions print, the broken one is reported.
    assert cli(capsys, small, "build", "-j1", "-q") == (1, problems)
    folder = small.output_dir / "one-voice-2019"
    for variant in ("en", "ar", "bilingual"):
        assert is_complete_pdf((folder / f"one-voice-2019.{variant}.pdf").read_bytes()), variant
        assert (folder / f"one-voice-2019.{variant}.html").is_file(), variant
    assert (folder / "one-voice-2019.en.pdf").read_bytes() == first
    assert not (small.output_dir / "ghouta-2017").exists()
    assert "one-voice-2019/one-voice-2019.en.html" in (small.output_dir / "index.html").read_text()
    # ... and still not affected at all.
    assert cli(capsys, small, "build", "one-voice-2019", "-j1", "-q") == (0, [])


def test_update_keeps_the_translations_of_a_statement_it_cannot_read(small, capsys):
    """While a statement is broken, its messages stay in the template and its translations stay
    active: nothing is made obsolete, nothing dropped."""
    edit(small, G, "issuer: Syrian Civil Society Coalition", "issuer: Syrian: Civil Society Coalition")
    line = line_of(small, G, "issuer: Syrian: Civil")
    assert cli(capsys, small, "update", "-q") == (1, [
        f"{G}:{line}: YAML syntax error: mapping values are not allowed here; check the "
        "indentation and quoting on this line and the one before"])
    before = read_catalog((FIXTURES / "project" / AR).read_bytes(), AR, "ar")
    ghouta = {entry.key: entry.strings for entry in before
              if any(reference.startswith(f"{G}:") for reference in entry.references)}
    assert len(ghouta) > 5
    after = read_catalog((small.root / AR).read_bytes(), AR, "ar").index()
    for key, strings in ghouta.items():
        assert key in after and after[key].strings == strings and not after[key].fuzzy, key
    assert 'msgid "End the Siege of Eastern Ghouta"' in (small.root / POT).read_text("utf-8")


# --- 2. catalogs and settings -------------------------------------------------------------------

TITLE_MSGSTR = 'msgstr "أنهوا حصار الغوطة الشرقية"'
KEYWORDS = "the keywords are msgctxt, msgid, msgid_plural, msgstr and msgstr[N]"


@pytest.mark.parametrize(("old", "new", "bad_line", "expected"), [
    ('msgctxt "title"\nmsgid "End', 'msgctxt "title"\nmsgidd "End', 'msgidd "End',
     [f"unknown keyword 'msgidd': {KEYWORDS}"]),
    (TITLE_MSGSTR, TITLE_MSGSTR.replace('msgstr "', 'msgstr oops "'), "msgstr oops",
     ['msgstr is not followed by a quoted string: write msgstr "…" (an empty text is "")',
      f"unknown keyword 'oops': {KEYWORDS}"]),
    (TITLE_MSGSTR, TITLE_MSGSTR[:-1], TITLE_MSGSTR[:-1],
     ['a string is not closed before the end of the line: add the closing " (a " inside a text '
      'is written \\")']),
    (TITLE_MSGSTR, TITLE_MSGSTR + '\nmsgstr "بيان ثان"', 'msgstr "بيان ثان"',
     ["a second msgstr in one entry: keep one translation and delete the other (or start a new "
      "entry with msgid)"]),
], ids=["misspelled-keyword", "junk-after-keyword", "unterminated-string", "second-msgstr"])
def test_a_po_syntax_error_names_the_line_and_the_catalog_is_kept(small, capsys, old, new,
                                                                  bad_line, expected):
    """msgfmt refuses every one of these at the given line; none may be read as something else
    (a translation cut short, a translation silently dropped) and written back by update."""
    edit(small, AR, old, new)
    line = line_of(small, AR, bad_line)
    messages = [f"{AR}:{line}: {message}" for message in expected]
    before = files_of(small.locales_dir / "ar")
    assert cli(capsys, small, "update", "-q") == (1, messages)
    assert files_of(small.locales_dir / "ar") == before
    assert cli(capsys, small, "check", "--lang", "ar", "-q") == (1, messages)
    assert cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q") == (1, messages)
    assert_nothing_printed(small)


@pytest.mark.parametrize("kind", ["declared", "bytes"])
def test_a_catalog_in_another_charset_is_refused(small, capsys, kind):
    if kind == "declared":
        edit(small, AR, "charset=utf-8", "charset=ISO-8859-1")
        line = line_of(small, AR, "charset=ISO-8859-1")
        expected = (f"{AR}:{line}: the catalog declares charset ISO-8859-1: the pipeline reads "
                    "UTF-8 only; save the file as UTF-8 and declare 'charset=UTF-8' in the "
                    "Content-Type header")
    else:
        edit_bytes(small, AR, "أنهوا حصار".encode(), "Déclaration".encode("latin-1"))
        line = line_of(small, AR, "claration")
        expected = (f"{AR}:{line}: bytes that are not UTF-8 on this line (the file was saved in "
                    "another encoding, e.g. Latin-1): save the file as UTF-8")
    assert cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q") == (1, [expected])


@pytest.mark.parametrize("wrong", [2, 7])
def test_a_wrong_number_of_plural_forms_in_the_arabic_header(small, capsys, wrong):
    edit(small, AR, "nplurals=6;", f"nplurals={wrong};")
    line = line_of(small, AR, "Plural-Forms:")
    count, expression = plural_forms("ar")
    assert cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q") == (1, [
        f"{AR}:{line}: the Plural-Forms header gives {wrong} plural forms, but ar has {count} in "
        f"CLDR: set it to 'nplurals={count}; plural={expression};'"])


def test_a_language_without_a_catalog(small, capsys):
    assert cli(capsys, small, "build", "--lang", "de", "-j1", "-q") == (1, [
        "there is no catalog for 'de': create it with `python -m pipeline init de`"])


def test_a_catalog_that_is_a_folder_is_named(small, capsys):
    """Not silently skipped (the language would vanish from every build), nor 'there is no
    catalog: create it' (init would then say it exists)."""
    path = small.root / AR
    path.unlink()
    path.mkdir()
    expected = [f"{AR}: is a folder, not a catalog: remove or rename it"]
    assert cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q") == (1, expected)
    assert cli(capsys, small, "update", "-q") == (1, expected)
    assert cli(capsys, small, "check", "-q") == (1, expected)
    assert path.is_dir()


def test_every_mistake_in_the_settings_is_reported_at_once(small, capsys):
    edit(small, "pyproject.toml", "formatting-locales =", "formatting-locale =")
    edit(small, "pyproject.toml", 'bilingual = ["en", "ar"]', 'bilingual = ["en"]')
    edit(small, "pyproject.toml", 'released = ["en"', 'released = ["xx"')
    locales, bilingual, released = (line_of(small, "pyproject.toml", key) for key in (
        "formatting-locale =", "bilingual =", "released ="))
    assert cli(capsys, small, "build", "-j1", "-q") == (1, [
        f"pyproject.toml:{locales}: unknown setting [tool.pipeline] formatting-locale: did you mean "
        "'formatting-locales'?",
        f"pyproject.toml:{bilingual}: [tool.pipeline] bilingual must name two languages, not 1",
        f"pyproject.toml:{released}: [tool.pipeline] released: 'xx' is not a language code known "
        "to CLDR: use a code such as 'ar', 'fa', 'fr' or 'pt_BR'"])
    assert not small.output_dir.exists()


def test_a_bilingual_edition_of_one_language_twice_is_refused(small, capsys):
    edit(small, "pyproject.toml", 'bilingual = ["en", "ar"]', 'bilingual = ["en", "en"]')
    line = line_of(small, "pyproject.toml", "bilingual =")
    assert cli(capsys, small, "build", "-j1", "-q") == (1, [
        f"pyproject.toml:{line}: [tool.pipeline] bilingual names a language twice: name each once"])


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--bleed", "99.99in", "'99.99in' is not a bleed such as 3mm, 9pt or 0.125in (at most 10 mm)"),
    ("--bleed", "11mm", "'11mm' is not a bleed such as 3mm, 9pt or 0.125in (at most 10 mm)"),
    ("--bleed", "3cm;}", "'3cm;}' is not a bleed such as 3mm, 9pt or 0.125in (at most 10 mm)"),
    ("--paper", "B5", "unknown paper size 'B5': use one of A4, A5, A3, letter, legal"),
])
def test_an_impossible_print_option_is_refused_before_anything_runs(small, capsys, option, value,
                                                                    expected):
    """argparse's own report: the usage, then one line naming the option; exit status 2."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        main(["build", option, value, "-C", str(small.root)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert stop.value.code == 2
    assert errors[-1] == f"python -m pipeline build: error: argument {option}: {expected}"
    assert not small.output_dir.exists()


# --- 3. templates ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("attack", "expected"), [
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}",
     "access to attribute '__init__' of 'type' object is unsafe."),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}",
     "access to attribute '__class__' of 'str' object is unsafe."),
    ('{{ "{0.__class__}".format(title) }}',
     "access to attribute '__class__' of 'Localised' object is unsafe."),
    ("{{ cycler|attr('__globals__') }}", "'type object' has no attribute '__globals__'"),
    ("{{ lipsum.__globals__['os'].popen('id').read() }}",
     "access to attribute '__globals__' of 'function' object is unsafe."),
    ("{{ self.__init__.__globals__ }}",
     "access to attribute '__init__' of 'TemplateReference' object is unsafe."),
    ("{{ side.__dict__ }}", "access to attribute '__dict__' of 'Side' object is unsafe."),
], ids=["cycler-globals", "subclasses", "format-string", "attr-filter", "lipsum", "self", "dict"])
def test_a_template_cannot_reach_python_internals(small, capsys, attack, expected):
    """The templates run sandboxed: the attack fails the build with its line, and nothing of what
    it would have shown (the output of `id`) is printed anywhere."""
    edit(small, TEMPLATE, "<h1", attack + "<h1")
    line = line_of(small, TEMPLATE, attack)
    status, lines = build_ghouta(capsys, small)
    assert (status, lines) == (1, [f"{TEMPLATE}:{line}: template error: {expected}"])
    assert not any("uid=" in text for text in lines)
    assert_nothing_printed(small)


@pytest.mark.parametrize(("expression", "expected"), [
    ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
    ('{{ "{}".format() }}', "IndexError: tuple index out of range"),
    ("{{ number('x') }}", None),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", None),
], ids=["division", "format", "number", "recursion"])
def test_a_template_that_fails_while_rendering_names_the_line(small, capsys, expression, expected):
    edit(small, TEMPLATE, "<h1", expression + "<h1")
    line = line_of(small, TEMPLATE, expression)
    status, lines = build_ghouta(capsys, small)
    assert status == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{TEMPLATE}:{line}: template error: {expected or ''}"), lines
    assert_nothing_printed(small)


def test_a_template_syntax_error_names_the_file_and_the_line(small, capsys):
    edit(small, TEMPLATE, "<h1", "{% iff %}<h1")
    line = line_of(small, TEMPLATE, "{% iff %}")
    assert build_ghouta(capsys, small) == (1, [
        f"{TEMPLATE}:{line}: template error: Encountered unknown tag 'iff'."])
    assert_nothing_printed(small)


def test_a_template_that_uses_an_undefined_variable_names_the_line(small, capsys):
    edit(small, TEMPLATE, "<h1", "{{ nosuchvariable }}<h1")
    line = line_of(small, TEMPLATE, "nosuchvariable")
    assert build_ghouta(capsys, small) == (1, [
        f"{TEMPLATE}:{line}: template error: 'nosuchvariable' is undefined"])


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd"])
def test_a_template_cannot_include_a_file_outside_templates(small, capsys, name):
    edit(small, TEMPLATE, "<h1", f"{{% include '{name}' %}}<h1")
    line = line_of(small, TEMPLATE, "etc/passwd")
    status, lines = build_ghouta(capsys, small)
    assert (status, lines) == (1, [f"{TEMPLATE}:{line}: template error: no template {name!r} in templates/"])
    assert not any(SECRET in text for text in lines)
    assert_nothing_printed(small)


def test_a_template_linked_to_a_file_outside_the_project_is_refused_unread(small, capsys):
    (small.templates_dir / "evil.html.j2").symlink_to(PASSWD)
    edit(small, TEMPLATE, "<h1", "{% include 'evil.html.j2' %}<h1")
    status, lines = build_ghouta(capsys, small)
    assert (status, lines) == (1, [
        f"templates/evil.html.j2: is a symbolic link to {PASSWD}, outside the project: the "
        "pipeline reads only the project's own files; copy the template file here instead"])
    assert not any(SECRET in text for text in lines)
    assert_nothing_printed(small)


# --- 4. untrusted text --------------------------------------------------------------------------

class Tags(HTMLParser):
    """Every start tag of an HTML document with its attributes, and the text of its <style>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def shown(html: str) -> str:
    """The HTML without the invisible marks the text rules add (isolates around Latin runs,
    zero-width break opportunities in long or mixed words), which change no character shown."""
    return html.replace(FSI, "").replace(PDI, "").replace("\u200b", "")


def assert_text_stayed_text(html: str, where: str) -> None:
    html = shown(html)
    tags = Tags(html)
    names = [tag for tag, _ in tags.tags]
    assert "script" not in names and "b" not in names and "img" not in names, f"{where}: {names}"
    assert html.count("</style>") == names.count("style"), f"{where}: a </style> closed the sheet"
    hrefs = [attrs.get("href") or "" for _, attrs in tags.tags]
    assert not any(href.startswith("javascript") for href in hrefs), f"{where}: {hrefs}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; {{ 7*7 }}" in html, where
    assert "[x](javascript:alert(1))" in html, where


def assert_pdf_has_no_script(data: bytes, where: str) -> None:
    assert_no_attachment(data, where)
    assert b"/JavaScript" not in data, where
    for page in PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots", None) or []:
            action = annotation.get_object().get("/A")
            uri = str(action.get_object().get("/URI", "")) if action else ""
            assert not uri.startswith("javascript"), f"{where}: a link to {uri}"


@pytest.mark.slow
def test_untrusted_text_in_a_statement_and_a_catalog_prints_literally(small, capsys):
    small = keep_languages(small, "en", "ar")  # the Arabic translator's story
    quoted = "'" + HOSTILE.replace("'", "''") + "'"
    edit(small, G, "title: End the Siege of Eastern Ghouta", f"title: {quoted}")
    edit(small, G, "issuer: Syrian Civil Society Coalition", f"issuer: {quoted}")
    edit(small, G, "body:\n", f"body:\n  - {quoted}\n")
    edit(small, G, "signatories:\n", f"signatories:\n  - {quoted}\n")
    assert cli(capsys, small, "update", "-q") == (0, [])
    # The Arabic translator keeps the same (hostile) text: the markup check has nothing to flag.
    catalog = read_catalog((small.root / AR).read_bytes(), AR, "ar")
    translated = 0
    for entry in catalog:
        if entry.msgid == HOSTILE:
            entry.msgstr = "نص عربي " + HOSTILE
            entry.flags.discard("fuzzy")
            translated += 1
    assert translated == 4  # title, issuer, paragraph, signatory
    (small.root / AR).write_bytes(serialise(catalog))

    assert cli(capsys, small, "build", "ghouta-2017", "-j1", "-q") == (0, [])
    folder = small.output_dir / "ghouta-2017"
    for variant in ("en", "ar", "bilingual"):
        name = f"ghouta-2017.{variant}"
        assert_text_stayed_text((folder / f"{name}.html").read_text("utf-8"), name)
        data = (folder / f"{name}.pdf").read_bytes()
        assert_pdf_has_no_script(data, f"{name}.pdf")
        text = squash(pdf_text(folder / f"{name}.pdf"))
        if variant == "en":  # title, paragraph and footer word for word (the names are in columns)
            assert text.count(squash(HOSTILE)) >= 3, text[:600]
        else:  # right to left, the extractor reorders runs and mirrors brackets; every word is there
            text = re.sub("[\u202a-\u202e]", "", text)
            for piece in ("نصعربي", "script", "alert", "bold", "7*7", "style", "etc/passwd",
                          "javascript"):
                assert piece in text, f"{name}: {piece}"
    reader = PdfReader(folder / "ghouta-2017.en.pdf")
    assert reader.metadata.title == HOSTILE
    assert reader.metadata.author == HOSTILE


@pytest.mark.slow
def test_a_translation_with_markup_the_source_lacks_is_refused_and_printed_literally_in_a_draft(
        small, capsys):
    edit(small, AR, 'msgstr "الجهات الموقّعة"', f'msgstr "الجهات الموقّعة {HOSTILE}"')
    line = line_of(small, AR, 'msgstr "الجهات الموقّعة')
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q")
    assert status == 1
    assert f"{AR}:{line}: 'Signatories': the markup differs from the source text" in lines, lines
    assert_nothing_printed(small)
    assert cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "--draft", "-j1", "-q") == (0, [])
    draft = small.output_dir / "drafts" / "ghouta-2017"
    html = shown((draft / "ghouta-2017.ar.html").read_text("utf-8"))
    names = [tag for tag, _ in Tags(html).tags]
    assert "script" not in names and "b" not in names
    assert html.count("</style>") == names.count("style")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_pdf_has_no_script((draft / "ghouta-2017.ar.pdf").read_bytes(), "draft ghouta-2017.ar.pdf")


def _hostile_look(project: Project, kind: str, server: str) -> str:
    """One hostile edit of the templates or the stylesheet; the address the build must refuse."""
    css = project.root / CSS
    if kind == "link-attachment":
        edit(project, TEMPLATE, '<link rel="stylesheet"',
             '<link rel="attachment" href="file:///etc/passwd">\n<link rel="stylesheet"')
        return "file:///etc/passwd"
    if kind == "img":
        edit(project, TEMPLATE, "<h1", '<img src="file:///etc/passwd"><h1')
        return "file:///etc/passwd"
    if kind == "img-http":
        edit(project, TEMPLATE, "<h1", f'<img src="{server}/pixel.png"><h1')
        return f"{server}/pixel.png"
    if kind == "anchor-attachment":
        edit(project, TEMPLATE, "<h1", '<a rel="attachment" href="file:///etc/passwd">x</a><h1')
        return "file:///etc/passwd"
    if kind == "stylesheet-http":
        edit(project, TEMPLATE, '<link rel="stylesheet"',
             f'<link rel="stylesheet" href="{server}/x.css">\n<link rel="stylesheet"')
        return f"{server}/x.css"
    if kind == "css-import":
        css.write_text(f"@import url({server}/x.css);\n" + css.read_text("utf-8"), "utf-8")
        return f"{server}/x.css"
    if kind == "style-import":
        edit(project, TEMPLATE, "<style>", f"<style>\n@import url({server}/y.css);")
        return f"{server}/y.css"
    if kind == "css-background":
        css.write_text(css.read_text("utf-8") + "\nbody { background: url(file:///etc/passwd); }\n",
                       "utf-8")
        return "file:///etc/passwd"
    if kind == "css-relative":
        css.write_text(css.read_text("utf-8") + "\nbody { background: url(../../../../../../../../"
                       "etc/passwd); }\n", "utf-8")
        return "file:///etc/passwd"
    if kind == "css-project-file":
        css.write_text(css.read_text("utf-8") + "\nbody { background: url(../../sources/"
                       "ghouta-2017.yaml); }\n", "utf-8")
        return (project.root / G).as_uri()
    if kind == "font-file":
        css.write_text(css.read_text("utf-8") + '\n@font-face { font-family: "X"; '
                       'src: url(file:///etc/passwd); }\nh1 { font-family: "X"; }\n', "utf-8")
        return "file:///etc/passwd"
    if kind == "font-http":
        css.write_text(css.read_text("utf-8") + f'\n@font-face {{ font-family: "X"; '
                       f'src: url({server}/font); }}\nh1 {{ font-family: "X"; }}\n', "utf-8")
        return f"{server}/font"
    raise AssertionError(kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["link-attachment", "img", "img-http", "anchor-attachment",
                                  "stylesheet-http", "css-import", "style-import", "css-background",
                                  "css-relative", "css-project-file", "font-file", "font-http"])
def test_a_hostile_template_or_stylesheet_cannot_load_files_or_reach_the_network(
        small, capsys, listener, kind):
    server, connections = listener
    address = _hostile_look(small, kind, server)
    if kind.startswith(("css-", "font-")):  # the stylesheet's own addresses: refused before printing
        if kind == "css-import":
            expected = (f"{CSS}:1: an @import is not allowed: an edition uses only this "
                        "stylesheet and the fonts in templates/; copy the rules here")
        else:
            text = (small.root / CSS).read_text("utf-8")
            written = text[text.rindex("url(") + 4: text.index(")", text.rindex("url("))]
            expected = (f"{CSS}:{line_of(small, CSS, 'url(' + written)}: url({written}) is not "
                        "a file of templates/: an edition may only use the stylesheet and the "
                        "fonts in templates/")
        assert build_ghouta(capsys, small) == (1, [expected])
    else:
        assert build_ghouta(capsys, small) == (1, [
            f"{GHOUTA_EN_PDF}: refused to load {address!r}, {REFUSED_ADDRESS}"])
    assert connections == [], "the build reached the network"
    assert_nothing_printed(small)


def test_a_font_from_the_network_is_refused_before_printing(small, capsys, listener):
    server, connections = listener
    css = small.root / CSS
    css.write_text(css.read_text("utf-8") + f'\n@font-face {{ font-family: "X"; '
                   f'src: url({server}/evil.ttf); }}\n', "utf-8")
    line = line_of(small, CSS, "evil.ttf")
    assert build_ghouta(capsys, small) == (1, [
        f"{CSS}:{line}: url({server}/evil.ttf) is not a file of templates/: an edition may only "
        "use the stylesheet and the fonts in templates/"])
    assert connections == []


# --- 5. paths -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "expected"), [
    (["build", "../../etc"], "'../../etc' is not a valid statement identifier: use lower-case "
     "letters, digits and single hyphens, such as 'sochi-2018'"),
    (["check", "../sources/ghouta-2017"], "'../sources/ghouta-2017' is not a valid statement "
     "identifier: use lower-case letters, digits and single hyphens, such as 'sochi-2018'"),
    (["init", "../x"], "'../x' is not a language code known to CLDR: use a code such as 'ar', "
     "'fa', 'fr' or 'pt_BR'"),
    (["build", "--lang", "../x"], "'../x' is not a language code known to CLDR: use a code such "
     "as 'ar', 'fa', 'fr' or 'pt_BR'"),
    (["update", "--lang", "../../x"], "'../../x' is not a language code known to CLDR: use a "
     "code such as 'ar', 'fa', 'fr' or 'pt_BR'"),
    (["check", "--lang", "../../x"], "'../../x' is not a language code known to CLDR: use a "
     "code such as 'ar', 'fa', 'fr' or 'pt_BR'"),
], ids=["build-statement", "check-statement", "init-lang", "build-lang", "update-lang", "check-lang"])
def test_identifiers_and_language_codes_are_validated_before_they_name_a_file(small, capsys, args,
                                                                            expected):
    """A code such as ../../x would name locales/../../x/LC_MESSAGES/statements.po, outside the
    project: one is planted there, and it is never read."""
    planted = small.root.parent / "x" / "LC_MESSAGES" / "statements.po"
    planted.parent.mkdir(parents=True)
    planted.write_text('msgid ""\nmsgstr "planted"\n', "utf-8")
    before = files_of(small.root.parent)
    assert cli(capsys, small, *args, "-q") == (1, [expected])
    assert changed(before, files_of(small.root.parent)) in ([], ["small/output/.lock"])


def test_output_linked_out_of_the_project_is_refused(small, capsys, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    small.output_dir.symlink_to(outside, target_is_directory=True)
    assert cli(capsys, small, "build", "-j1", "-q") == (1, [
        f"output/.lock: refusing to write outside the project: the folder leads to "
        f"{outside.resolve()} (a symbolic link?); remove the link"])
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("link", ["ghouta-2017", "_assets", "drafts"])
def test_a_folder_of_output_linked_out_of_it_is_not_written_through(small, capsys, tmp_path, link):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.pdf").write_bytes(b"not yours to overwrite\n")
    before = files_of(outside)
    small.output_dir.mkdir()
    (small.output_dir / link).symlink_to(outside, target_is_directory=True)
    assert build_ghouta(capsys, small) == (1, [
        f"output/{link}: is a symbolic link to {outside.resolve()}, outside the project's output "
        "folder: the pipeline does not write through it; remove the link (a plain folder is made "
        "in its place)"])
    assert files_of(outside) == before


@pytest.mark.slow
def test_a_pdf_linked_out_of_output_is_replaced_never_written_through(small, capsys, tmp_path):
    outside = tmp_path / "precious.pdf"
    outside.write_bytes(b"not yours to overwrite\n")
    pdf = small.root / GHOUTA_EN_PDF
    pdf.parent.mkdir(parents=True)
    pdf.symlink_to(outside)
    assert build_ghouta(capsys, small) == (0, [])
    assert outside.read_bytes() == b"not yours to overwrite\n"
    assert not pdf.is_symlink() and is_complete_pdf(pdf.read_bytes())


@pytest.mark.slow
def test_a_statement_folder_linked_out_of_output_is_found_before_the_edition_is_written(
        small, capsys, tmp_path):
    """Building every statement (no statement named), the link is found before anything is
    printed: refused, nothing written through it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    small.output_dir.mkdir()
    (small.output_dir / "ghouta-2017").symlink_to(outside, target_is_directory=True)
    assert cli(capsys, small, "build", "--lang", "en", "-j1", "-q") == (1, [
        f"output/ghouta-2017: is a symbolic link to {outside.resolve()}, outside the project's "
        "output folder: the pipeline does not write through it; remove the link (a plain folder "
        "is made in its place)"])
    assert list(outside.iterdir()) == []


def test_a_lock_file_linked_elsewhere_is_refused_and_its_target_untouched(small, capsys, tmp_path):
    precious = tmp_path / "precious"
    precious.write_text("keep me\n", "utf-8")
    small.output_dir.mkdir()
    (small.output_dir / ".lock").symlink_to(precious)
    assert build_ghouta(capsys, small) == (1, [
        "output/.lock: cannot take the lock: it is a symbolic link; replace it with a regular file"])
    (small.locales_dir / ".lock").unlink(missing_ok=True)
    (small.locales_dir / ".lock").symlink_to(precious)
    catalogs = files_of(small.locales_dir)
    assert cli(capsys, small, "update", "-q") == (1, [
        "locales/.lock: cannot take the lock: it is a symbolic link; replace it with a regular file"])
    assert precious.read_text("utf-8") == "keep me\n"
    assert files_of(small.locales_dir) == catalogs


def test_a_read_only_output_folder_is_one_line(small, capsys):
    small.output_dir.mkdir()
    small.output_dir.chmod(0o555)
    try:
        if os.access(small.output_dir, os.W_OK):
            pytest.skip("running as root: a read-only folder is writable anyway")
        assert build_ghouta(capsys, small) == (1, [
            "output/.lock: cannot take the lock: permission denied; check the permissions of the "
            "file and its folder"])
    finally:
        small.output_dir.chmod(0o755)


def test_previews_into_a_file_is_one_line(small, capsys, monkeypatch):
    monkeypatch.chdir(small.root)
    before = files_of(small.root)
    assert cli(capsys, small, "preview", "--into", "pyproject.toml") == (1, [
        "pyproject.toml: is not a folder: name a folder for the pictures"])
    assert files_of(small.root) == before


# --- 6. nothing lost ----------------------------------------------------------------------------

def _break(project: Project, how: str) -> None:
    if how == "template-syntax":
        edit(project, TEMPLATE, "<h1", "{% iff %}<h1")
    elif how == "template-undefined":
        edit(project, TEMPLATE, "<h1", "{{ nosuchvariable }}<h1")
    elif how == "stylesheet-refused":
        css = project.root / CSS
        css.write_text("@import url(http://127.0.0.1:9/x.css);\n" + css.read_text("utf-8"), "utf-8")
    elif how == "catalog-syntax":
        edit(project, AR, 'msgctxt "title"\nmsgid "End', 'msgctxt "title"\nmsgidd "End')
    elif how == "statement-syntax":
        edit(project, G, "issuer: Syrian Civil Society Coalition", "issuer: Syrian: Civil")
    else:
        raise AssertionError(how)


def published(project: Project) -> dict[str, bytes]:
    """What ``output/`` shows the world: every file but the build's own hidden records."""
    return {name: data for name, data in files_of(project.output_dir).items()
            if not name.rsplit("/", 1)[-1].startswith(".")}


@pytest.mark.slow
@pytest.mark.parametrize("how", ["template-syntax", "template-undefined", "stylesheet-refused",
                                 "catalog-syntax", "statement-syntax"])
def test_a_failed_build_keeps_the_last_good_output_byte_for_byte(good_small, capsys, how):
    """Every edition, the index that links them and the assets they use stay as they were."""
    before = published(good_small)
    assert "ghouta-2017/ghouta-2017.ar.pdf" in before
    _break(good_small, how)
    catalogs = files_of(good_small.locales_dir)
    status, lines = cli(capsys, good_small, "build", "-j1", "-q")
    assert status == 1 and lines, lines
    differences = changed(before, published(good_small))
    assert differences == [], f"a failed build changed the previous good output: {differences}"
    assert files_of(good_small.locales_dir) == catalogs
    assert temp_files(good_small) == []


def test_stale_temporary_files_of_a_killed_update_are_cleared(small, capsys):
    """SIGKILL between a temporary file's creation and its rename leaves `.NAME.XXXXXXXX.tmp`,
    half written; the next run clears it."""
    planted = small.locales_dir / "ar" / "LC_MESSAGES" / ".statements.po.k1ll3d_x.tmp"
    planted.write_bytes(b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ut')
    assert cli(capsys, small, "update", "-q") == (0, [])
    assert not planted.exists()
    assert temp_files(small) == []


@pytest.mark.slow
def test_stale_temporary_files_of_a_killed_build_are_cleared(good_small, capsys):
    planted = good_small.output_dir / "ghouta-2017" / ".ghouta-2017.en.pdf.k1ll3d_x.tmp"
    planted.write_bytes(b"%PDF-1.7\n% half written")
    before = files_of(good_small.output_dir)
    assert cli(capsys, good_small, "build", "-j1", "-q") == (0, [])
    assert not planted.exists()
    assert changed(before, files_of(good_small.output_dir)) == [
        planted.relative_to(good_small.output_dir).as_posix()]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated", "list", "other-version", "wrong-types",
                                    "empty"])
def test_a_damaged_state_file_makes_its_edition_print_again(good_small, capsys, damage):
    state_file = good_small.output_dir / "ghouta-2017" / ".ghouta-2017.en.state.json"
    sound = state_file.read_bytes()
    raw = json.loads(sound)
    damaged = {
        "garbage": b"\x00\xff not json",
        "truncated": sound[: len(sound) // 2],
        "list": b"[1, 2, 3]",
        "other-version": json.dumps({**raw, "version": 99}).encode(),
        "wrong-types": json.dumps({**raw, "languages": 5, "files": [], "options": "A4"}).encode(),
        "empty": b"",
    }[damage]
    state_file.write_bytes(damaged)
    pdf = good_small.root / GHOUTA_EN_PDF
    pdf.write_bytes(b"%PDF-1.7\n% a stale, damaged edition")
    assert cli(capsys, good_small, "build", "--lang", "en", "-j1", "-q") == (0, [])
    assert is_complete_pdf(pdf.read_bytes())
    assert EditionState.from_bytes(state_file.read_bytes()) is not None
    status, lines = cli(capsys, good_small, "build", "--lang", "en", "-j1")
    assert status == 0 and "ghouta-2017.en: up to date" in lines, lines
    assert lines[-1].startswith("0 printed (0 pages, 0 KB), 2 up to date, 0 refused"), lines


@pytest.mark.slow
@pytest.mark.parametrize("damage", [b"{not json", b"[[1, 2]]", b'{"files": 5}'])
def test_a_damaged_site_state_or_journal_is_not_a_traceback(good_small, capsys, damage):
    (good_small.output_dir / ".site.state.json").write_bytes(damage)
    (good_small.output_dir / ".publish.json").write_bytes(damage)
    before = files_of(good_small.output_dir)
    assert cli(capsys, good_small, "build", "-j1", "-q") == (0, [])
    assert not (good_small.output_dir / ".publish.json").exists()
    assert changed(before, files_of(good_small.output_dir)) == [".publish.json", ".site.state.json"]


@pytest.mark.slow
@pytest.mark.parametrize("target", ["../sources/ghouta-2017.yaml", "../pyproject.toml",
                                    "../../outside.txt"])
def test_a_planted_journal_cannot_rename_a_file_out_of_output(good_small, capsys, target):
    """The journal of an interrupted publication names renames to finish; one planted in
    ``output/`` must not make the next build replace a source, the settings or any other file
    outside ``output/``."""
    planted = good_small.output_dir / ".evil.tmp"
    planted.write_text("id: pwned\n", "utf-8")
    (good_small.output_dir / ".publish.json").write_text(json.dumps([[".evil.tmp", target]]), "utf-8")
    outside = good_small.root.parent / "outside.txt"
    outside.write_text("untouched\n", "utf-8")
    inputs = {name: (good_small.root / name).read_bytes() for name in (G, "pyproject.toml")}
    status, lines = cli(capsys, good_small, "build", "-j1", "-q")
    assert {name: (good_small.root / name).read_bytes() for name in inputs} == inputs
    assert outside.read_text("utf-8") == "untouched\n"
    assert (status, lines) == (0, [])
    assert not (good_small.output_dir / ".publish.json").exists()


@pytest.mark.slow
def test_output_assets_hold_only_what_the_build_publishes(good_small, capsys):
    assets = good_small.output_dir / "_assets"
    (assets / ".env").write_text("SECRET=1\n", "utf-8")
    (assets / "x").symlink_to(PASSWD)
    assert cli(capsys, good_small, "build", "-j1", "-q") == (0, [])
    assert not (assets / ".env").exists() and not (assets / "x").is_symlink()
    published = sorted(p.relative_to(assets).as_posix() for p in assets.rglob("*") if p.is_file())
    expected = sorted(webfonts.for_browsers({
        p.relative_to(good_small.templates_dir).as_posix(): p.read_bytes()
        for p in good_small.templates_dir.rglob("*") if p.is_file() and p.suffix != ".j2"}))
    assert "statement.css" in expected and not [n for n in expected if n.endswith(".ttf")]
    web_fonts = [name for name in published if re.fullmatch(
        r"webfonts\.css|fonts/[A-Za-z-]+\.[0-9a-f]{10}\.woff2", name)]
    assert sorted(set(published) - set(web_fonts)) == expected and "webfonts.css" in web_fonts
    # dist never bundles them either, even when they are planted again.
    (assets / ".env").write_text("SECRET=1\n", "utf-8")
    (assets / "x").symlink_to(PASSWD)
    assert cli(capsys, good_small, "dist", "-j1", "-q") == (0, [])
    bundles = sorted(good_small.dist_dir.glob("*.zip"))
    assert [b.name.split("-")[0] for b in bundles] == ["ghouta", "one"]
    for bundle in bundles:
        with zipfile.ZipFile(bundle) as archive:
            names = archive.namelist()
        assert not [n for n in names if n.endswith(("/.env", "/x"))], f"{bundle.name}: {names}"
        with zipfile.ZipFile(bundle) as archive:
            assert not any(SECRET.encode() in archive.read(name) for name in names), bundle.name


# --- 7. killed runs -----------------------------------------------------------------------------

def _kill_at_every_moment(project: Project, folder: str, runs: Path, *args: str) -> dict:
    """Run the command once to its end, then again from the same start, killed (SIGKILL) at each
    moment it renames a file into place or writes a temporary file; see fixtures/robustness/kill.py."""
    subprocess.run([sys.executable, str(KILL), str(project.root), folder, str(runs), *args, "-q"],
                   check=True, timeout=600, cwd=Path(__file__).parent.parent)
    report = json.loads((runs / "runs.json").read_text("utf-8"))
    moments = ([f"before-rename-{n}" for n in range(1, report["renames"] + 1)]
               + [f"after-rename-{report['renames']}"]
               + [f"half-written-{n}" for n in range(1, report["temporaries"] + 1)])
    assert [run["moment"] for run in report["runs"]] == moments
    for run in report["runs"]:
        assert run["killed"], f"the run meant to die {run['moment']} finished: {run['log']}"
        assert run["recovery_status"] == 0, f"after a kill {run['moment']}: {run['recovery_log']}"
    return report


def _is_debris(name: str) -> bool:
    """What a killed run may leave for the next one to clear: temporary files and the journal."""
    return name.endswith(".tmp") or name.rsplit("/", 1)[-1] == ".publish.json"


@pytest.mark.slow
def test_a_killed_build_leaves_each_edition_old_or_new_and_complete(small, capsys, tmp_path):
    """One statement, one language, and the index and assets: a full build publishes the edition
    (HTML, PDF and state together, through a journal) and then the site. Killed before or after
    any rename, or half-way through any temporary file, every file is the previous printing or
    the new one, never a mix within an edition without the journal that completes it; and the
    next build finishes the new printing and leaves no debris."""
    (small.root / G).unlink()
    small = keep_languages(small, "en", "ar")
    edit(small, "pyproject.toml", 'bilingual = ["en", "ar"]\n', "")
    edit(small, "pyproject.toml", 'released = ["en", "ar"]', 'released = ["en"]')
    assert cli(capsys, small, "build", "-j1", "-q") == (0, [])
    # A new printing: the stylesheet changes the PDF, the template the HTML.
    css = small.root / CSS
    css.write_text(css.read_text("utf-8") + "\n.date { color: #333; }\n", "utf-8")
    edit(small, TEMPLATE, "</body>", "<!-- second printing -->\n</body>")

    runs = tmp_path / "runs"
    report = _kill_at_every_moment(small, "output", runs, "build", "-j1")
    old, new = files_of(runs / "saved"), files_of(runs / "complete")
    edition = [f"one-voice-2019/{name}" for name in (
        "one-voice-2019.en.html", "one-voice-2019.en.pdf", ".one-voice-2019.en.state.json")]
    assert all(old[name] != new[name] for name in [*edition, "_assets/statement.css"]), \
        "the new printing changes nothing"
    for run in report["runs"]:
        moment = run["moment"]
        killed = files_of(runs / moment / "killed")
        for name in sorted(old.keys() | new.keys() | killed.keys()):
            if _is_debris(name) or name == DIGESTS:  # the stat record: this disk's, no output
                continue
            assert killed.get(name) in (old.get(name), new.get(name)), \
                f"killed {moment}: {name} is neither the previous printing nor the new one"
            if name.endswith(".pdf"):
                assert is_complete_pdf(killed[name]), f"killed {moment}: {name} is not complete"
            if name.endswith(".html"):
                assert killed[name].rstrip().endswith(b"</html>"), f"killed {moment}: {name} cut"
        ages = {killed[name] == new[name] for name in edition}
        assert len(ages) == 1 or ".publish.json" in killed, \
            f"killed {moment}: the edition's files disagree and no journal says how to finish"
        recovered = files_of(runs / moment / "recovered")
        assert [n for n in recovered if _is_debris(n)] == [], f"after a kill {moment}"
        assert changed(new, recovered) == [], f"after a kill {moment}, the next build differs"


def test_a_killed_update_leaves_each_catalog_old_or_new_and_readable(small, tmp_path):
    edit(small, G, "Food, medicine", "Food, water, medicine")
    runs = tmp_path / "runs"
    report = _kill_at_every_moment(small, "locales", runs, "update")
    catalogs: dict[str, str | None] = {"statements.pot": None} | {
        f"{code}/LC_MESSAGES/statements.po": code for code in LANGUAGES}
    assert report["renames"] == len(catalogs) + 1  # the template, every catalog, the stamp
    old, new = files_of(runs / "saved"), files_of(runs / "complete")
    assert all(old[name] != new[name] for name in catalogs)
    for run in report["runs"]:
        moment = run["moment"]
        killed = files_of(runs / moment / "killed")
        for name, code in catalogs.items():
            assert killed[name] in (old[name], new[name]), \
                f"killed {moment}: {name} is neither the previous catalog nor the new one"
            read_catalog(killed[name], name, code)  # strictly, every line
        # the catalogs, and the stamp of a complete update only once it is complete
        assert {n for n in killed if not _is_debris(n)} - {".update.json"} == set(old), \
            f"killed {moment}"
        if ".update.json" in killed:
            assert all(killed[name] == new[name] for name in catalogs), f"killed {moment}"
        assert changed(new, files_of(runs / moment / "recovered")) == [], f"after a kill {moment}"


# --- 8. properties ------------------------------------------------------------------------------

ALLOWED_INVISIBLE = {"\u00ad", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
"""The soft hyphen, the zero-width (non-)joiners of Persian spelling and the direction marks."""
LINE_SEPARATORS = {"\u2028", "\u2029", "\x85"}


def refused_character(text: str) -> str | None:
    """The first character the standard refuses in a text (controls other than tab and line
    breaks, invisible format characters, surrogates, private use, unassigned; line separators
    no editor shows), by a rule of this test's own."""
    for char in text:
        if char in "\t\n\r" or char in ALLOWED_INVISIBLE:
            continue
        if char in LINE_SEPARATORS or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return char
    return None


MARKUP_MARKS = set("*_[]()!\\-+.)0123456789")
"""Characters that may be markup (emphasis, links, list markers) and then print nothing."""


def _prints(char: str) -> bool:
    """Whether a character prints something, by this test's own rule."""
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me")
                or char in "\u115f\u1160\u3164\uffa0\u2800")


def expected_problem(name: str, text: str, normalised: str) -> str | None:
    """The one refusal a field's text deserves, or None: a refused character, nothing left to
    print, nothing visible, or a printed word too long for a line. A text whose only visible
    characters may be markup, or whose long word may be, is left out (``assume``): what it
    prints depends on how Markdown reads it, which the unit tests of the text rules cover."""
    if char := refused_character(text):
        return f"'{name}': {forbidden_message(char)}"
    if not normalised:
        return f"'{name}' is empty: write the text, or remove the field if it is optional"
    for line in normalised.split("\n"):
        assume(not any(not _prints(c) for c in line)
               or any(_prints(c) and c not in MARKUP_MARKS for c in line)
               or not any(_prints(c) for c in line))
    if not any(_prints(char) for char in normalised):
        assume("\n" not in normalised)
        return f"'{name}' holds only invisible characters"  # the start: the names follow
    assume(all(any(_prints(c) for c in line) for line in normalised.split("\n") if line))
    assume(all(sum(unicodedata.name(c, "").startswith(("ARABIC", "SYRIAC", "NKO", "MONGOLIAN"))
                   for c in unicodedata.normalize("NFKD", word)) <= 16
               for word in normalised.split()))  # the Arabic word rule: its own unit tests
    if long := next((word for word in normalised.split() if len(word) > MAX_WORD), None):
        assume(not set(long) & MARKUP_MARKS and not re.search(r"://|^www\.|@|mailto:", long))
        return (f"'{name}' has a word of {len(long)} characters ({long[:20]}...), too long to fit "
                "a line: break it with spaces")
    return None


def _statement_yaml(title: str, paragraph: str, signatory: str, quote) -> bytes:
    return (f"id: demo\ntitle: {quote(title)}\ndate: 2020-05-01\nlanguage: en\n"
            f"issuer: Someone\nbody:\n  - {quote(paragraph)}\n  - Second paragraph.\n"
            f"signatories:\n  - {quote(signatory)}\n").encode()


FIELD_LINES = {"title": 2, "body item 1": 7, "signatories item 1": 10}


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
    """A YAML single-quoted scalar with the raw text."""
    return "'" + text.replace("'", "''") + "'"


def _round_trip(title: str, paragraph: str, signatory: str, quote) -> None:
    """The text comes back normalised, or the refusal is exactly the one it deserves."""
    fields = {"title": (title, normalise(title)),
              "body item 1": (paragraph, markup.normalise(paragraph)),
              "signatories item 1": (signatory, normalise(signatory))}
    expected = [(FIELD_LINES[name], problem) for name, (text, value) in fields.items()
                if (problem := expected_problem(name, text, value))]
    if quote is _single_quoted and (first := next((c for text, _ in fields.values()
                                                   if (c := refused_character(text))), None)):
        # Raw in the file, the first refused character stops the whole file, at its line.
        line = next(FIELD_LINES[name] for name, (text, _) in fields.items()
                    if refused_character(text))
        expected = [(line, forbidden_message(first))]
    data = _statement_yaml(title, paragraph, signatory, quote)
    try:
        statement = parse_statement(data, "sources/demo.yaml", "demo")
    except PipelineError as error:
        found = [(p.line, p.message) for p in error.problems]
        assert all(p.file == "sources/demo.yaml" for p in error.problems), str(error)
        found = [(line, message if not (message.startswith("'") and " holds only invisible "
                                         "characters (" in message)
                  else message.split(" (", 1)[0]) for line, message in found]
        assert found == expected, f"refused for the wrong reason: {found}, not {expected}"
        return
    assert expected == [], f"accepted although {expected}"
    assert statement.title.value == fields["title"][1]
    assert statement.body[0].value == fields["body item 1"][1]
    assert statement.signatories[0].value == fields["signatories item 1"][1]


@settings(max_examples=150, deadline=None)
@given(title=st.text(), paragraph=st.text(), signatory=st.text())
@example(title="x" * 81, paragraph="y", signatory="z")
@example(title="\u2028", paragraph="\U000e0041", signatory="   ")
@example(title="NO", paragraph="* a\n* b", signatory="2011")
def test_any_text_escaped_in_double_quotes_round_trips_or_is_refused_for_its_reason(
        title, paragraph, signatory):
    _round_trip(title, paragraph, signatory, _double_quoted)


LINE_TEXT = st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)))


@settings(max_examples=150, deadline=None)
@given(title=LINE_TEXT, paragraph=LINE_TEXT, signatory=LINE_TEXT)
@example(title="it's", paragraph="\x0b", signatory="\u202e")
@example(title="#", paragraph="- item", signatory="a: b")
def test_any_raw_text_in_single_quotes_round_trips_or_is_refused_for_its_reason(
        title, paragraph, signatory):
    _round_trip(title, paragraph, signatory, _single_quoted)


@settings(max_examples=150, deadline=None)
@given(data=st.one_of(
    st.binary(max_size=300),
    st.builds(lambda head, noise: head + noise, st.sampled_from([
        b"id: demo\ntitle: ", b"body:\n  - ", b"signatories: [", b"date: ", b"title: '",
        b"\xef\xbb\xbfid: demo\r\ntitle: ", b"a: &x [1]\nb: *x\n"]),
        st.binary(max_size=100))))
def test_any_bytes_are_a_statement_or_a_pipeline_error_with_its_line(data):
    try:
        parse_statement(data, "sources/demo.yaml", "demo")
    except PipelineError as error:
        lines = len(re.split(rb"\r\n|\r|\n", data))
        for problem in error.problems:
            assert problem.file == "sources/demo.yaml", str(error)
            assert problem.line is not None and 1 <= problem.line <= lines, str(error)
            assert "\n" not in problem.message, str(error)


class RenderSetup:
    """What rendering ghouta-2017's English edition needs (short in hypothesis' reports)."""

    def __init__(self, snapshot: Snapshot, statement: Statement, catalog: PoCatalog, words: list,
                 english: Language):
        self.snapshot, self.statement, self.catalog = snapshot, statement, catalog
        self.words, self.english = words, english

    def __repr__(self) -> str:
        return "RenderSetup(ghouta-2017, en)"


@pytest.fixture(scope="module")
def render_setup(tmp_path_factory) -> RenderSetup:
    project = make_project(tmp_path_factory.mktemp("render") / "project", ("ghouta-2017",))
    snapshot = take(project, ["ghouta-2017"], ["en"])
    statement = parse_statement(snapshot.sources["ghouta-2017"].data, G, "ghouta-2017")
    catalog = read_catalog(snapshot.catalogs["en"].data, EN, "en")
    return RenderSetup(snapshot, statement, catalog, template_messages(snapshot),
                       language("en", "en_GB"))


MARKDOWN_TAGS = {"p", "ul", "ol", "li", "em", "strong", "a", "br"}
"""The only tags a text may become: the Markdown subset's (docs/formatting.md)."""


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1))
@example(text=HOSTILE)
@example(text='" } body { background: url(file:///etc/passwd) } "')
@example(text="</style><script>alert(1)</script>")
def test_no_text_ever_becomes_a_tag_in_the_html(render_setup, text):
    """A title, an issuer, a paragraph and a signatory of any text: the HTML gains no tag but the
    Markdown subset's (with links to http, https and mailto only), and the stylesheet in the page
    stays one stylesheet whose strings hold the text."""
    setup = render_setup
    if refused_character(text) or not normalise(text) or not markup.normalise(text):
        return  # refused when the statement is read: never rendered

    def render(value: str) -> str:
        piece = Text(normalise(value), 1)
        hostile = dataclasses.replace(
            setup.statement, title=piece, issuer=piece,
            body=(Text(markup.normalise(value), 1),) + setup.statement.body[1:],
            signatories=(Signatory(piece),) + setup.statement.signatories[1:])
        side = Side(hostile, setup.english, Lookup("en", setup.catalog),
                    edition_messages(hostile, setup.words))
        return render_edition(setup.snapshot, side, Provenance("source123456", "catalog12345"), False,
                              PrintOptions(), (), "../_assets").html

    html, baseline = Tags(render(text)), Tags(render("x"))
    names = {tag for tag, _ in baseline.tags} | MARKDOWN_TAGS
    attributes = {name for _, attrs in baseline.tags for name in attrs} | {"href", "start"}
    assert {tag for tag, _ in html.tags} <= names, "the text became a tag"
    assert {name for _, attrs in html.tags for name in attrs} <= attributes, \
        "the text became an attribute"
    for loads in ("script", "style", "link", "img", "iframe", "object", "embed", "base"):
        assert [a for t, a in html.tags if t == loads] == [a for t, a in baseline.tags if t == loads]
    assert [sorted(a) for t, a in html.tags if t == "meta"] == \
        [sorted(a) for t, a in baseline.tags if t == "meta"]
    for tag, attrs in html.tags:
        if tag in MARKDOWN_TAGS and (tag, attrs) not in baseline.tags:
            assert set(attrs) <= {"href", "start"}, (tag, attrs)
            assert (attrs.get("href") or "https://").startswith(("http://", "https://", "mailto:")), attrs
    style, base = "".join(html.styles), "".join(baseline.styles)
    assert "<" not in style
    assert style.count('"') == base.count('"'), "the text broke out of a CSS string"


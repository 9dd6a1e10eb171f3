"""The statement the repository ships: the Sochi statement of 3 January 2018, word for word as
published, and its Arabic translation. These are the only tests that read the repository's own
``sources/`` and ``locales/`` (looked up by the statement's identifier; skipped where a checkout
does not ship it): every other test works on the fixture project.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.catalogs.pofile import read_catalog
from pipeline.commands.check import check
from pipeline.commands.update import UPDATE_STAMP, update
from pipeline.language import language
from pipeline.project import Project
from pipeline.source import Statement, parse_statement

from .conftest import ROOT

STATEMENT_ID = "sochi-2018"
SOURCE = ROOT / "sources" / f"{STATEMENT_ID}.yaml"
pytestmark = pytest.mark.skipif(not SOURCE.is_file(),
                                reason=f"this checkout does not ship sources/{STATEMENT_ID}.yaml")

LATIN_PUNCTUATION = ",;?“”\""
"""Marks Arabic writes in its own form (، ؛ ؟ « »): none of these belongs in Arabic text."""
LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
PLACEHOLDER = re.compile(r"%\([a-z]+\)s")


@pytest.fixture(scope="module")
def repository() -> Project:
    return Project.at(ROOT)


@pytest.fixture(scope="module")
def statement() -> Statement:
    return parse_statement(SOURCE.read_bytes(), f"sources/{STATEMENT_ID}.yaml", STATEMENT_ID)


@pytest.fixture(scope="module")
def arabic(repository: Project):
    path = repository.catalog_path("ar")
    return read_catalog(path.read_bytes(), repository.relative(path), "ar")


def translations(catalog, statement: Statement, context: str) -> dict[str, str]:
    """The Arabic of each of the statement's texts in one context (paragraph, signatory...)."""
    wanted = {"paragraph": [t.value for t in statement.body],
              "signatory": [s.value for s in statement.signatories],
              "title": [statement.title.value]}[context]
    found = {}
    for text in wanted:
        message = catalog.get(text, context)
        assert message is not None, f"{context} {text!r} is not in the Arabic catalog"
        found[text] = message.msgstr
    return found


def arabic_text(text: str) -> str:
    """An Arabic text without the Latin brand names it keeps and without placeholders."""
    return LATIN_RUN.sub("", PLACEHOLDER.sub("", text))


# --- the source -----------------------------------------------------------------------------------

def test_the_source_is_the_published_statement_word_for_word(statement, seed):
    assert statement.title.value == seed["title"]
    assert statement.subtitle is not None and statement.subtitle.value == seed["subtitle"]
    assert statement.date.isoformat() == "2018-01-03"
    english = language("en", "en_GB")
    assert english.format_date(statement.date.first_day(), statement.date.precision) == seed["date"]
    assert [p.value for p in statement.body] == seed["paragraphs"]
    assert [s.value for s in statement.signatories] == seed["signatories"]
    assert len(statement.signatories) == 133
    assert statement.language == "en"


# --- its Arabic translation -----------------------------------------------------------------------

def test_the_arabic_catalog_serves_the_statement_completely(repository):
    report = check(repository, [STATEMENT_ID], ["ar"])
    assert not report.unreadable
    [edition] = [e for e in report.editions if e.status.language == "ar"]
    status = edition.status
    assert (status.fuzzy, status.untranslated) == (0, 0), [str(p) for p in status.problems]
    assert status.releasable, [str(p) for p in status.errors]
    assert status.translated == status.total > 133


def test_the_arabic_catalog_has_six_plural_forms_all_filled(arabic):
    assert arabic.nplurals == 6
    plurals = [m for m in arabic if m.is_plural]
    assert plurals, "the signatory count is a plural message"
    for message in plurals:
        assert len(message.strings) == 6 and all(message.strings), message.msgid
    assert not [m.msgid for m in arabic if m.fuzzy]


def test_arabic_text_uses_arabic_punctuation(arabic, statement):
    paragraphs = " ".join(translations(arabic, statement, "paragraph").values())
    assert "،" in paragraphs and "«" in paragraphs and "»" in paragraphs
    every = [s for m in arabic for s in m.strings if s]
    for text in every:
        left = [mark for mark in LATIN_PUNCTUATION if mark in arabic_text(text)]
        assert not left, f"Latin punctuation {left} in Arabic text: {text!r}"


def test_names_are_written_in_arabic_except_latin_brands(arabic, statement):
    names = translations(arabic, statement, "signatory")
    assert names["Syrian Civil Defence (The White Helmets)"] == "الدفاع المدني السوري (الخوذ البيضاء)"
    assert names["Local Council of Nawa"] == "المجلس المحلي في نوى"
    assert names["Scotland4Syria"] == "Scotland4Syria"
    assert names["Help4Syria, UK"] == "Help4Syria، المملكة المتحدة"
    for source, name in names.items():
        if not ARABIC_LETTER.search(name):  # a brand kept as the organisation writes it
            assert name == source and " " not in name, f"{source!r} is not written in Arabic: {name!r}"
        for run in LATIN_RUN.findall(name):  # the Latin left in an Arabic name is the brand's own
            assert run in source, f"{source!r}: {run!r} in {name!r} is not a brand of the name"
    assert len(set(names.values())) == 133, "two organisations share an Arabic name"


def test_the_arabic_title_and_paragraphs_are_arabic(arabic, statement):
    [title] = translations(arabic, statement, "title").values()
    assert title == "مؤتمر سوتشي يهدد عملية السلام في سوريا"
    for source, text in translations(arabic, statement, "paragraph").items():
        assert not re.search(r"[A-Za-z]{3,}", text), f"English left in the translation of {source[:40]!r}"
        assert not re.search("[0-9]", text), "numbers in running Arabic text use Arabic-Indic digits"


# --- the repository's catalogs as files ---------------------------------------------------------

def test_gnu_msgfmt_accepts_the_repositorys_catalogs_written_as_msgcat_no_wrap_writes(repository):
    """GNU gettext is required (`make test` installs it). The files are one line per string."""
    catalogs = sorted(repository.locales_dir.glob("*/LC_MESSAGES/*.po"))
    assert {p.parts[-3] for p in catalogs} >= {"ar", "en"}
    for path in [*catalogs, repository.template_path]:
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{path.relative_to(ROOT)}: {result.stderr}"
        data = path.read_bytes()
        written = subprocess.run(["msgcat", "--no-wrap", str(path)], capture_output=True,
                                 check=True).stdout
        assert written == data.replace(b"#, ignore-same\n", b""), path.relative_to(ROOT)


def messages_of(path: Path, code: str | None) -> dict:
    catalog = read_catalog(path.read_bytes(), path.name, code)
    return {(m.msgctxt, m.msgid, m.msgid_plural): (tuple(m.strings), sorted(m.flags))
            for m in catalog}, sorted((m.msgctxt, m.msgid, tuple(m.strings)) for m in catalog.obsolete)


def test_the_repositorys_catalogs_are_up_to_date_with_its_sources(tmp_path):
    """`update` on a copy of the repository's inputs adds, changes and retires no message (the
    `#:` references may move with the templates' lines: that is no message)."""
    copy = tmp_path / "repository"
    copy.mkdir()
    for name in ("sources", "locales", "templates"):
        shutil.copytree(ROOT / name, copy / name)
    for name in ("babel.cfg", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    project = Project.at(copy)
    # The stamp of the last update (which `make` leaves) would skip the merge this test is about.
    (project.locales_dir / UPDATE_STAMP).unlink(missing_ok=True)
    files = {code: project.catalog_path(code) for code in ("ar", "en")}
    files[None] = project.template_path
    before = {code: messages_of(path, code) for code, path in files.items()}
    reports = update(project)
    assert {code: (r.new, r.fuzzy, r.obsolete) for code, r in reports.items()} == {
        "ar": (0, 0, 0), "en": (0, 0, 0)}
    assert {code: messages_of(path, code) for code, path in files.items()} == before

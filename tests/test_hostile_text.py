"""Hostile texts on the printed page: whatever the text rules accept prints inside the text area
(every word's box inside the margins, measured as `test_every_word_stands_inside_the_text_area`
does), in the English, Arabic and bilingual editions; what they refuse never reaches the printer,
and a draft printed anyway from a refused translation still prints.

Runs the line breaker cannot break (UAX #14 keeps an opening bracket with what follows it, a
closing one or a full stop with what precedes it, and em dashes together, spaces or not) would
run off the page; the stylesheet lets a line break anywhere when it has no other place to break
(``overflow-wrap: anywhere``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.build import build
from pipeline.markup import MAX_MARKED_WORD
from pipeline.plan import Request
from pipeline.project import Project
from pipeline.text import MAX_JOINED_WORD, MAX_WORD, text_problems

from .conftest import keep_languages, make_project
from .helpers import cli, edit, pdf_blocks
from .test_typography import text_area

pytestmark = pytest.mark.slow

HOSTILE = "sources/hostile.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"

PARAGRAPHS = [
    " ".join(["—"] * 200),  # spaced em dashes: no break between them
    " ".join(["["] * 300),  # opening brackets: no break after one
    " ".join(["]"] * 300),  # closing brackets: no break before one
    " ".join(["("] * 300),
    " ".join(["."] * 300),
    " ".join(["«"] * 300),
    " ".join(["»"] * 300),
    " ".join(["/"] * 300),
    " ".join(["…"] * 300),
    " ".join(["—[", "]—", "«»", "(", ")", "—", "–", "/", "…", "”“", "!", "?", "%"] * 30),
    "x " + " ".join(["-"] * 300),  # not a list: hyphens
    "W" * MAX_WORD,  # the longest word the rules accept, in the widest letter
    "—" * MAX_WORD,
    "**" + "W" * MAX_WORD + "**",  # and in bold
    "*" + "M" * MAX_WORD + "*",
    " ".join(["a—b"] * 100),
    "We ask:\n" + "\n".join("- " + " ".join(["—"] * 60) for _ in range(3)),
    "1. " + " ".join(["["] * 100) + "\n2. " + "W" * MAX_WORD,
    "*" + " ".join(["—"] * 100) + "*",
    "[" + " ".join(["\\["] * 100) + "](https://example.org/" + "a" * 150 + ")",
    "*a " * 8 + " ".join(["—"] * 60) + " a*" * 8,  # as deep as nesting may go
    # words marked in part, as long as may run on after the mark
    "y" * 60 + "**" + "W" * MAX_MARKED_WORD + "**",
    "**" + "y" * 60 + "**" + "W" * MAX_MARKED_WORD,
    "[" + "y" * 60 + "](https://example.org)" + "W" * MAX_MARKED_WORD,
    "x" + "ن" * 10 + "y" * 60,  # a word that changes script
    " ".join(["ص" * MAX_JOINED_WORD] * 12),  # the longest Arabic words, in the widest letter
    "**" + " ".join(["ض" * MAX_JOINED_WORD] * 12) + "**",
]
SIGNATORIES = [" ".join(["—"] * 40), "W" * MAX_WORD, " ".join(["["] * 60), "M" * MAX_WORD,
               "ص" * MAX_JOINED_WORD, " ".join(["ض" * MAX_JOINED_WORD] * 4)]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def hostile_statement() -> str:
    body = "\n".join(f"  - {_quoted(p)}" for p in PARAGRAPHS)
    names = "\n".join(f"  - {_quoted(s)}" for s in SIGNATORIES)
    return (f"id: hostile\ntitle: {_quoted(' '.join(['—'] * 60) + ' ' + 'W' * MAX_WORD)}\n"
            f"subtitle: {_quoted(' '.join(['['] * 150))}\n"
            f"short-title: {_quoted(' '.join([']'] * 150))}\n"
            f"date: 2020-05\nlanguage: en\nissuer: {_quoted(' '.join(['«'] * 150))}\n"
            f"body:\n{body}\nsignatories:\n{names}\n")


def arabic(context: str | None, msgid: str) -> str:
    """A hostile Arabic translation that keeps the source's markup."""
    wide = "ص" * MAX_JOINED_WORD
    if context == "signatory" and re.fullmatch(r"[A-Z]+", msgid):
        return " ".join([wide] * 5)
    if msgid.startswith(("- ", "We ask:", "1. ")):
        return msgid.replace("We ask:", "نطالب:").replace("W" * MAX_WORD, wide)
    return "نص " + msgid.replace("W" * MAX_WORD, f"{wide} {wide} {wide} {wide} {wide}")


def translate(project: Project) -> None:
    """Every message of the hostile statement translated, hostilely, into Arabic."""
    path = project.root / AR
    catalog = read_catalog(path.read_bytes(), AR, "ar")
    for entry in catalog.entries:
        if any(reference.startswith(HOSTILE) for reference in entry.references):
            entry.msgstr = arabic(entry.msgctxt, entry.msgid)
            entry.flags.discard("fuzzy")
            entry.previous_msgid = entry.previous_msgctxt = None
    path.write_bytes(serialise(catalog))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = keep_languages(make_project(tmp_path_factory.mktemp("hostile") / "project", ()),
                             "en", "ar")
    (project.root / HOSTILE).write_text(hostile_statement(), "utf-8")
    assert [p for p in PARAGRAPHS if text_problems(p, block=True)] == []
    from pipeline.cli import main

    assert main(["update", "-q", "-C", str(project.root)]) == 0
    translate(project)
    report = build(project, Request(), jobs=2)
    assert not report.refused, [str(e) for e in report.refused]
    return project


@pytest.mark.parametrize("variant", ["en", "ar", "bilingual"])
def test_every_word_of_a_hostile_statement_stands_inside_the_text_area(hostile, variant):
    pdf = hostile.output_dir / "hostile" / f"hostile.{variant}.pdf"
    left, right = text_area(hostile, pdf)
    words = [w for block in pdf_blocks(pdf) for line in block for w in line]
    assert sum("—" in w[4] for w in words) > 100  # the hostile runs are printed, not dropped
    outside = [f"{w[4][:20]} ({w[0]:.1f}-{w[2]:.1f} pt)" for w in words
               if w[0] < left - 0.5 or w[2] > right + 0.5]
    assert outside == [], f"the text area is {left:.1f}-{right:.1f} pt"
    if variant == "bilingual":  # and no word crosses from one column into the other
        middle = (left + right) / 2
        body = [w for block in pdf_blocks(pdf)  # the colophon (versions) spans both columns
                if not any(re.fullmatch(r"[0-9a-f]{12}\.?", word[4])
                           for line in block for word in line)
                for line in block for w in line if 80 < w[1] < 760]
        across = [f"{w[4][:20]} ({w[0]:.1f}-{w[2]:.1f} pt)" for w in body
                  if w[0] < middle - 1 and w[2] > middle + 1]
        assert across == [], f"the columns meet at {middle:.1f} pt"


NESTED = "*" * 6_000 + "x" + "*" * 6_000


def test_a_translation_nested_ten_thousand_deep_is_refused_and_its_draft_still_prints(
        tmp_path, capsys):
    """Refused from the release with its PO line; printed as a draft when asked, without the
    printer's recursion running out (the renderer nests no deeper than the rules allow)."""
    project = make_project(tmp_path / "project", ("one-voice-2019",))
    path = project.root / AR
    catalog = read_catalog(path.read_bytes(), AR, "ar")
    [entry] = [e for e in catalog.entries if e.msgctxt == "paragraph"
               and e.msgid.startswith("We urge the Council")]
    entry.msgstr = NESTED
    path.write_bytes(serialise(catalog))
    line = next(e.msgstr_line for e in read_catalog(path.read_bytes(), AR, "ar").entries
                if e.msgstr == NESTED)
    status, errors = cli(capsys, project, "build", "-q")
    assert status == 1
    assert any(f"{AR}:{line}: paragraph 'We urge the Council" in e
               and "nests emphasis or links" in e for e in errors), errors
    assert not (project.root / "output/one-voice-2019/one-voice-2019.ar.pdf").exists()
    status, errors = cli(capsys, project, "build", "-q", "--draft", "--lang", "ar")
    assert not any("RecursionError" in e or "bug" in e for e in errors), errors
    drafts = list((project.root / "output/drafts").rglob("one-voice-2019.ar.pdf"))
    assert len(drafts) == 1 and drafts[0].stat().st_size > 1000


def test_a_source_with_a_long_link_prints_it_as_a_link(tmp_path, capsys):
    """Issue 18: a link to a 200-character address prints, clickable, in every edition."""
    project = make_project(tmp_path / "project", ("ghouta-2017",))
    old = "https://undocs.org/S/RES/2139(2014)"
    new = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/" + "a" * 150
    edit(project, "sources/ghouta-2017.yaml", old, new)
    assert cli(capsys, project, "update", "-q")[0] == 0
    for code in ("ar", "fa", "fr"):  # each translator reviews the changed paragraph
        path = project.catalog_path(code)
        catalog = read_catalog(path.read_bytes(), project.relative(path), code)
        [entry] = [e for e in catalog.entries if new in e.msgid]
        entry.msgstr = entry.msgstr.replace(old, new)
        entry.flags.discard("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
        path.write_bytes(serialise(catalog))
    status, errors = cli(capsys, project, "build", "-q")
    assert (status, errors) == (0, [])
    for variant in ("en", "ar", "fa", "fr", "bilingual"):
        pdf = project.root / f"output/ghouta-2017/ghouta-2017.{variant}.pdf"
        assert new.encode() in Path(pdf).read_bytes() or new in _links(pdf), variant


def _links(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    found = []
    for page in PdfReader(pdf).pages:
        for annotation in page.get("/Annots") or ():
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                found.append(str(action["/URI"]))
    return found

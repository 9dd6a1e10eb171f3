"""Section headings (a body item ``## words``) from the source to the PDF's tags and bookmarks,
the translation check that keeps a heading a heading, and the warnings for Markdown-like writing
that prints literally."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from pipeline import markup
from pipeline.catalogs.checks import Needed, check_edition
from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.check import check
from pipeline.errors import PipelineError
from pipeline.messages import body_context, statement_messages
from pipeline.project import Project
from pipeline.source import parse_statement

from . import pdfua
from .conftest import keep_languages
from .helpers import cli, edit, line_of, pdf_words
from .test_render import html_of

GHOUTA = "sources/ghouta-2017.yaml"
HEADING = "## Our demands"
ARABIC_HEADING = "## مطالبنا"
BEFORE_THE_LIST = "  - |\n    We ask the members"


def add_section(project: Project, capsys: pytest.CaptureFixture[str], before: str = "") -> None:
    """A section heading in ghouta's copy, over its last paragraph (after ``before``, more body
    items), and its translations."""
    edit(project, GHOUTA, BEFORE_THE_LIST, f"{before}  - '{HEADING}'\n{BEFORE_THE_LIST}")
    assert cli(capsys, project, "update", "-q") == (0, [])
    for code, translation in (("ar", ARABIC_HEADING), ("fa", "## مطالبات ما"),
                              ("fr", "## Nos demandes")):
        path = project.catalog_path(code)
        if not path.exists():
            continue
        catalog = read_catalog(path.read_bytes(), project.relative(path), code)
        [entry] = [e for e in catalog.entries if e.msgctxt == "heading"]
        entry.msgstr = translation
        path.write_bytes(serialise(catalog))


STATEMENT = b"""id: demands
title: Our Demands
date: 2021-03
language: en
issuer: A Coalition
body:
  - An opening paragraph.
  - '## Background'
  - A paragraph about the background.
  - "## What we ask"
  - |
    We ask:
    - one thing;
    - another.
"""


# --- the source: what is a heading ----------------------------------------------------------------

@pytest.mark.parametrize(("text", "words"), [
    ("## Our demands", "Our demands"),
    ("##   Our    demands  ", "Our demands"),
    ("## **Our** demands", "**Our** demands"),
    ("# Our demands", None),  # one level only: a title is the statement's own
    ("### Our demands", None),
    ("##Our demands", None),  # CommonMark's rule: a space after the marks
    ("\\## Our demands", None),  # escaped: printed as written
    ("## ", None),
    ("## Our demands\nWe ask", None),  # a heading is a body item of its own
    ("We ask\n## Our demands", None),
])
def test_a_section_heading_is_one_line_starting_with_two_hashes(text, words):
    assert markup.section_heading(text) == words
    assert body_context(text) == ("heading" if words else "paragraph")


def test_a_heading_is_a_message_of_its_own_with_a_comment_for_translators():
    statement = parse_statement(STATEMENT, "sources/demands.yaml", "demands")
    body = [m for m in statement_messages(statement) if m.context in ("paragraph", "heading")]
    assert [(m.context, m.id, m.line) for m in body] == [
        ("paragraph", "An opening paragraph.", 7),
        ("heading", "## Background", 8),
        ("paragraph", "A paragraph about the background.", 9),
        ("heading", "## What we ask", 10),
        ("paragraph", "We ask:\n- one thing;\n- another.", 11),
    ]
    comments = [m.comments[0] for m in body]
    assert comments[0] == "Paragraph 1 of 3." and comments[4] == "Paragraph 3 of 3."
    assert comments[3].startswith("Section heading 2 of 2, over the paragraphs that follow it.")
    assert "Keep the '## ' at the start" in comments[1]


def test_a_heading_left_unquoted_is_a_yaml_comment_and_the_error_says_so():
    data = STATEMENT.replace(b"  - '## Background'", b"  - ## Background")
    with pytest.raises(PipelineError) as raised:
        parse_statement(data, "sources/demands.yaml", "demands")
    assert [str(p) for p in raised.value.problems] == [
        "sources/demands.yaml:8: 'body item 2' is empty: write the text; a section heading goes "
        "in quotes, - '## Our demands' (after '- ', a '#' starts a YAML comment)"]


def test_the_documented_section_example_is_a_heading_over_its_paragraph():
    text = (Path(__file__).resolve().parent.parent / "docs" / "formatting.md").read_text("utf-8")
    [example] = [b for b in text.split("```")[1::2] if "## Our demands" in b]
    header = b"id: x\ntitle: T\ndate: 2021\nlanguage: en\nissuer: I\n"
    statement = parse_statement(header + example.removeprefix("yaml\n").encode(),
                                "sources/x.yaml", "x")
    assert [body_context(t.value) for t in statement.body] == ["paragraph", "heading", "paragraph"]


# --- what prints literally -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "line", "found", "advice"), [
    ("# Background", 0, "# Background", "'# ' is not a heading"),
    ("### Background", 0, "### Background", "'### ' is not a heading"),
    ("We ask:\n## Our demands", 1, "## Our demands", "must be a body item of its own"),
    ("> a quotation", 0, "> a quotation", "quotes ('> ') are not in the subset"),
    ("One.\n---\nTwo.", 1, "---", "rules"),
    ("One.\n* * *", 1, "* * *", "rules"),
    ("| a | b |\n| 1 | 2 |", 0, "| a | b |", "tables"),
    ("```\ncode\n```", 0, "```", "code blocks"),
    ("See ![a map](https://example.org/map.png).", 0, "![a map](https://example.org/map.png)",
     "images"),
    ("A <b>bold</b> claim.", 0, "<b>", "HTML"),
    ("A <!-- note --> claim.", 0, "<!--", "HTML"),
    ("Tom &amp; Jerry", 0, "&amp;", "entities"),
    ("Read <https://example.org>.", 0, "<https://example.org>", "angle brackets"),
])
def test_markdown_outside_the_subset_is_found_with_its_line(text, line, found, advice):
    [literal] = markup.literal_markdown(text)[:1]
    assert (literal.line, literal.found) == (line, found)
    assert advice in literal.advice


@pytest.mark.parametrize("text", [
    "## Our demands",  # a section heading
    "\\# Background, \\> not a quote, \\![not an image](https://example.org)",  # escaped
    "We ask:\n- one thing;\n1. another",  # lists are in the subset
    "*Emphasis*, **strong** and [a link](https://example.org); 3 > 2 and 2 < 3; AT&T",
    "A #hashtag, a # in the middle and a - dash.",
])
def test_the_subset_and_escaped_forms_are_not_reported(text):
    assert markup.literal_markdown(text) == []


@pytest.mark.parametrize("line", ["![" * 50_000, "![a](" * 20_000, "<https://" * 12_000,
                                  "<a " * 40_000])
def test_a_long_line_of_openings_is_read_in_one_pass(line):
    import time

    start = time.perf_counter()
    markup.literal_markdown(line)
    assert time.perf_counter() - start < 1.0  # once per opening, it took minutes


def test_in_a_title_or_a_name_a_heading_is_not_possible():
    [literal] = markup.literal_markdown("## A title", inline_only=True)
    assert "only a body item can be a section heading" in literal.advice


def test_check_warns_of_literal_markdown_at_its_line_in_the_source(small, capsys):
    edit(small, GHOUTA, "    - hold to account", "    > hold to account")
    edit(small, GHOUTA, "title: End the Siege", "title: End the <b>Siege</b>")
    edit(small, GHOUTA, "  - >-\n    The undersigned", "  - '# Background'\n  - >-\n    The undersigned")
    report = check(small, ["ghouta-2017"], ["en"])
    assert [(p.line, p.severity, p.message.split(":")[0]) for p in report.sources] == [
        (line_of(small, GHOUTA, "title:"), "warning", "HTML is not in the subset"),
        (line_of(small, GHOUTA, "# Background"), "warning", "'# ' is not a heading"),
        (line_of(small, GHOUTA, "> hold to account"), "warning", "quotes ('> ') are not in the "
                                                                 "subset"),
    ]
    assert all(p.file == GHOUTA for p in report.sources)
    status, lines = cli(capsys, small, "check", "ghouta-2017", "--lang", "en")
    assert f"{GHOUTA}:{line_of(small, GHOUTA, '> hold')}: warning: quotes ('> ') are not in the " \
        "subset: write the quotation in «…» or “…”, or write '\\>' (prints literally: '> hold " \
        "to account those who starve ci...')" in lines
    assert status == 0  # warnings: the text prints literally, nothing is refused


# --- the translation ------------------------------------------------------------------------------

def problems(context: str, msgid: str, msgstr: str) -> list[str]:
    text = (f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Language: ar\\n"\n'
            f'"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && '
            f'n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"\n\n'
            f'msgctxt "{context}"\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n')
    catalog = read_catalog(text.encode(), "ar.po", "ar")
    status = check_edition(catalog, "ar.po", "ar", "Arab",
                           [Needed((context, msgid), "en", "sources/x.yaml:3")])
    assert status.translated == 1
    return [f"{p.severity}: {p.message}" for p in status.problems]


def test_a_heading_translated_as_a_heading_passes():
    assert problems("heading", HEADING, ARABIC_HEADING) == []
    assert problems("heading", "## Our *urgent* demands", "## مطالبنا *العاجلة*") == []


def test_a_heading_whose_translation_is_not_a_heading_is_refused():
    for translation in ("مطالبنا", "# مطالبنا", "### مطالبنا", "##مطالبنا"):
        assert problems("heading", HEADING, translation) == [
            "error: heading '## Our demands': the translation is no longer a section heading: "
            "write it on one line, starting with '## ' as the source does"], translation


def test_a_paragraph_whose_translation_adds_a_heading_is_refused():
    assert problems("paragraph", "We ask for this.", "## نطالب بهذا.") == [
        "error: paragraph 'We ask for this.': adds a section heading ('## ' at the start), which "
        "the source does not have: translate it as the source is written"]


def test_a_heading_keeps_its_inline_markup_as_a_title_does():
    [problem] = problems("heading", "## Read [the report](https://example.org/r)", "## اقرؤوا")
    assert "drops the link to https://example.org/r" in problem and problem.startswith("error")


def test_a_translation_that_adds_literal_markdown_is_warned():
    assert problems("paragraph", "We ask for this.", "> نطالب بهذا.") == [
        "warning: paragraph 'We ask for this.': the source does not have this: quotes ('> ') "
        "are not in the subset: write the quotation in «…» or “…”, or write '\\>' (prints "
        "literally: '> نطالب بهذا.')"]


# --- the editions -------------------------------------------------------------------------------

def test_a_heading_is_an_h2_in_each_edition_and_on_both_sides_of_the_bilingual_one(small, capsys):
    add_section(small, capsys)
    english = html_of(small, "ghouta-2017", "en")
    assert '<h2 data-paragraph="3" class="section">Our demands</h2>' in english
    assert "##" not in english
    arabic = html_of(small, "ghouta-2017", "ar")
    assert '<h2 data-paragraph="3" class="section">مطالبنا</h2>' in arabic
    assert '<html lang="ar-SY" dir="rtl"' in arabic
    bilingual = html_of(small, "ghouta-2017", "bilingual")
    assert ('<h2 class="left-heading" data-bookmark="Our demands / مطالبنا">Our demands</h2>'
            in bilingual)
    assert '<div lang="ar-SY" dir="rtl" data-script="Arab" class="cell"><h2 class="right-heading">' \
        'مطالبنا</h2></div>' in bilingual


def test_an_untranslated_heading_in_a_draft_falls_back_to_the_source_words(small, capsys):
    edit(small, GHOUTA, BEFORE_THE_LIST, f"  - '{HEADING}'\n{BEFORE_THE_LIST}")
    assert cli(capsys, small, "update", "-q") == (0, [])
    arabic = html_of(small, "ghouta-2017", "ar", draft=True)
    assert '<h2 data-paragraph="3" class="section fallback" lang="en" dir="ltr">Our demands' \
        '</h2>' in arabic


def outline(path) -> list[tuple[int, str]]:
    """The bookmarks, each with its level, their no-break spaces read as spaces."""
    with pikepdf.open(path) as pdf, pdf.open_outline() as tree:
        found: list[tuple[int, str]] = []

        def walk(items, level):
            for item in items:
                found.append((level, " ".join(item.title.replace("\u2068", "")
                                              .replace("\u2069", "").split())))
                walk(item.children, level + 1)

        walk(tree.root, 1)
        return found


def structure_types(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        found: list[str] = []

        def walk(element):
            if isinstance(element, pikepdf.Array):
                for kid in element:
                    walk(kid)
            elif isinstance(element, pikepdf.Dictionary):
                if "/S" in element:
                    found.append(str(element.S))
                if "/K" in element:
                    walk(element.K)

        walk(pdf.Root.StructTreeRoot)
        return found


@pytest.mark.slow
def test_a_heading_prints_as_a_tagged_h2_and_a_bookmark_in_every_edition(small, capsys):
    add_section(small, capsys)
    status, lines = cli(capsys, small, "build", "ghouta-2017", "-j1", "-q")
    assert status == 0, lines
    folder = small.output_dir / "ghouta-2017"
    for variant, title, heading, signatories in (
            ("en", "End the Siege of Eastern Ghouta", "Our demands", "Signatories"),
            ("ar", "أنهوا حصار الغوطة الشرقية", "مطالبنا", "الجهات الموقّعة"),
            ("fa", "به محاصرهٔ غوطهٔ شرقی پایان دهید", "مطالبات ما", "امضاکنندگان"),
            ("fr", "Levez le siège de la Ghouta orientale", "Nos demandes", "Signataires"),
            ("bilingual", "End the Siege of Eastern Ghouta / أنهوا حصار الغوطة الشرقية",
             "Our demands / مطالبنا", "Signatories / الجهات الموقّعة")):
        path = folder / f"ghouta-2017.{variant}.pdf"
        assert outline(path) == [(1, title), (2, heading), (2, signatories)], variant
        types = structure_types(path)
        # en, ar: the section's and the signatories' h2; bilingual: the section on both sides
        # (the signatories' headings there are spans with the heading role, as before)
        assert types.count("/H2") == 2, (variant, types)
        assert pdfua.check(path, pdfua.EDITION_SCRIPTS.get(variant, pdfua.DEFAULT_SCRIPTS)) == [], \
            variant
        html = (folder / f"ghouta-2017.{variant}.html").read_text("utf-8")
        assert html.count("<h2") == 2
    # Arabic: the heading reads right to left, set against the right margin as the paragraphs
    words = pdf_words(folder / "ghouta-2017.ar.pdf")
    [heading] = [w for w in words if "مطالبنا" in (w[4], w[4][::-1])]  # poppler: visual order
    right_edge = max(w[2] for w in words if w[1] > heading[1])
    assert abs(heading[2] - right_edge) < 2, (heading, right_edge)
    assert heading[0] > 300  # a short heading, far from the left margin


def fillers(count: int, words: int = 0) -> str:
    text = "".join(
        f"  - >-\n    Paragraph {n}: the siege has cut every road into the area, and the convoys "
        "that the United Nations has prepared wait at the checkpoints for permissions that never "
        "come, while the winter makes every shortage worse.\n" for n in range(count))
    return text + ("  - " + " ".join(["word"] * words) + "\n" if words else "")


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "before"), [("en", fillers(8, 40)),
                                                 ("bilingual", fillers(4))])
def test_a_heading_is_kept_with_the_paragraph_that_follows(small, capsys, variant, before):
    """Paragraphs fill the first page so that the heading would fit at its foot but the list
    under it would not: it goes to the next page with the list (without ``break-after: avoid``
    it is stranded at the foot of page 1, on both sides of the bilingual edition)."""
    add_section(small, capsys, before=before)
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--draft", "-j1", "-q")
    assert status == 0, lines
    # English, complete, is released; the bilingual edition, its paragraphs untranslated, a draft
    folder = small.output_dir / ("drafts" if variant == "bilingual" else "") / "ghouta-2017"
    path = folder / f"ghouta-2017.{variant}.pdf"
    first, second = ([w[4] for w in pdf_words(path, page)] for page in (1, 2))
    assert "Paragraph" in first  # the first page is full
    assert "demands" not in first and "مطالبنا"[::-1] not in first  # (poppler: visual order)
    start = second.index("Our")
    if variant == "en":
        assert second[start:start + 4] == ["Our", "demands", "We", "ask"]
    else:  # the two columns: each heading over its side of the list
        assert second[start:start + 2] == ["Our", "demands"]
        assert "مطالبنا"[::-1] in second and "ask" in second


# --- check, for the people who run it ---------------------------------------------------------------

def test_a_catalog_in_progress_that_cannot_be_read_is_reported_without_failing_check(small, capsys):
    small = keep_languages(small, "en", "ar")  # then French, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    fr = "locales/fr/LC_MESSAGES/statements.po"
    edit(small, fr, 'msgstr ""\n\n', 'msgstr "Mettre fin\n\n')  # the first entry's, left open
    status, lines = cli(capsys, small, "check")
    assert status == 0
    assert lines[0].startswith(f"{fr}:") and "a string is not closed" in lines[0]
    # the same mistake in a released language's catalog fails it
    edit(small, "pyproject.toml", 'released = ["en", "ar"]', 'released = ["en", "ar", "fr"]')
    assert cli(capsys, small, "check")[0] == 1

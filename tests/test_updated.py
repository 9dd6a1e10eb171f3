"""The optional ``updated:`` date: read like ``date``, never before it, printed under the date in
every edition as each language writes dates, and listed in the index; a statement without it
prints as it did."""

from __future__ import annotations

import json

import pytest

from pipeline.errors import PipelineError
from pipeline.render import render_index
from pipeline.site import index_listing
from pipeline.snapshot import take
from pipeline.source import StatementDate, parse_statement

from .helpers import cli, edit, line_of, pdf_text, squash
from .test_distribute import contents
from .test_render import html_of

G = "sources/ghouta-2017.yaml"


def with_updated(project, value: str) -> None:
    edit(project, G, "date: 2017-11\n", f"date: 2017-11\nupdated: {value}\n")


def parsed(project):
    return parse_statement((project.root / G).read_bytes(), G, "ghouta-2017")


@pytest.mark.parametrize(("value", "expected"), [
    ("2018-02-05", StatementDate(2018, 2, 5)), ("2018-02", StatementDate(2018, 2)),
    ("2018", StatementDate(2018)), ("2017-11", StatementDate(2017, 11)),
    ("2017-11-30", StatementDate(2017, 11, 30)),
])
def test_updated_is_a_day_a_month_or_a_year(small, value, expected):
    with_updated(small, value)
    statement = parsed(small)
    assert statement.updated == expected
    assert statement.date == StatementDate(2017, 11)


def test_a_statement_without_updated_has_none(small):
    assert parsed(small).updated is None


@pytest.mark.parametrize(("value", "message"), [
    ("2017-10-31", "'updated' 2017-10-31 is before 'date' 2017-11: an update comes after the "
                   "statement; correct one of the two"),
    ("2016", "'updated' 2016 is before 'date' 2017-11: an update comes after the statement; "
             "correct one of the two"),
    ("2018-13", "'updated' 2018-13: there is no month 13; months go from 01 to 12"),
    ("2018-02-30", "'updated' 2018-02-30: that day does not exist: February 2018 has 28 days"),
    ("soon", "'updated' must be a day such as 2018-01-03, a month such as 2017-08 or a year such "
             "as 2017, not 'soon'"),
])
def test_a_wrong_updated_date_is_reported_on_its_line(small, capsys, value, message):
    with_updated(small, value)
    line = line_of(small, G, "updated:")
    with pytest.raises(PipelineError) as raised:
        parsed(small)
    assert [str(p) for p in raised.value.problems] == [f"{G}:{line}: {message}"]
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--lang", "en", "-j1", "-q")
    assert (status, lines) == (1, [f"{G}:{line}: {message}"])


def test_updated_prints_under_the_date_in_each_language(small):
    with_updated(small, "2018-02-05")
    en = html_of(small, "ghouta-2017", "en")
    ar = html_of(small, "ghouta-2017", "ar")
    bilingual = html_of(small, "ghouta-2017", "bilingual")
    english = ('<p class="date updated">Updated <time datetime="2018-02-05">5 February 2018'
               '</time></p>')
    arabic = ('<p class="date updated">آخر تحديث: <time datetime="2018-02-05">٥ شباط ٢٠١٨'
              '</time></p>')
    assert english in en and arabic in ar
    assert en.index('<time datetime="2017-11">') < en.index(english)
    assert ar.index('<time datetime="2017-11">') < ar.index(arabic)
    assert ('<br><span class="updated">Updated <time datetime="2018-02-05">5 February 2018'
            '</time></span></p>') in bilingual
    assert ('<br><span class="updated">آخر تحديث: <time datetime="2018-02-05">٥ شباط ٢٠١٨'
            '</time></span></p>') in bilingual
    for html in (en, ar, bilingual):
        assert '<meta name="dcterms.modified" content="2018-02-05">' in html
        assert '<meta name="dcterms.created" content="2017-11">' in html


@pytest.mark.parametrize(("value", "english", "arabic"), [
    ("2018-02", "Updated <time datetime=\"2018-02\">February 2018</time>",
     "آخر تحديث: <time datetime=\"2018-02\">شباط ٢٠١٨</time>"),
    ("2018", "Updated <time datetime=\"2018\">2018</time>",
     "آخر تحديث: <time datetime=\"2018\">٢٠١٨</time>"),
])
def test_a_month_or_a_year_updated_is_written_as_the_locale_writes_it(small, value, english,
                                                                      arabic):
    with_updated(small, value)
    assert english in html_of(small, "ghouta-2017", "en")
    assert arabic in html_of(small, "ghouta-2017", "ar")


def test_without_updated_no_line_and_the_same_html(small):
    before = {v: html_of(small, "ghouta-2017", v) for v in ("en", "ar", "bilingual")}
    for html in before.values():
        assert "updated" not in html and "آخر تحديث" not in html
        assert '<meta name="dcterms.modified" content="2017-11">' in html
    with_updated(small, "2018-02-05")
    edit(small, G, "updated: 2018-02-05\n", "")
    assert {v: html_of(small, "ghouta-2017", v) for v in before} == before


def test_an_update_changes_the_source_version(small):
    """A new updated date prints the editions again: their colophon's source code changes."""
    before = html_of(small, "ghouta-2017", "en")
    with_updated(small, "2018-02-05")
    after = html_of(small, "ghouta-2017", "en")
    code = 'name="source-version" content="'
    assert before.split(code)[1][:12] != after.split(code)[1][:12]


def test_the_index_lists_the_update(small):
    snapshot = take(small, [], ["en"])
    from pipeline.site import IndexEdition

    editions = [IndexEdition("ghouta-2017", "en", "End the Siege", ("en",), ("en_GB",))]
    sources = {"ghouta-2017": ("en", ("2017-11", "November 2017"))}
    plain = render_index(snapshot, index_listing(editions, sources))
    assert "Updated" not in plain
    listed = render_index(snapshot, index_listing(editions, sources, {
        "ghouta-2017": ("2018-02-05", "5 February 2018")}))
    assert ('<p class="date"><time datetime="2017-11">November 2017</time></p>\n'
            '  <p class="date updated">Updated <time datetime="2018-02-05">5 February 2018</time>'
            '</p>') in listed


def test_the_index_labels_the_bilingual_row_one_language_a_line_with_no_stray_dot(project):
    """The bilingual row's label in every released language wraps in its narrow column: a "·"
    between two of them was left at the end of a line. Each language is on a line of its own."""
    from pipeline.catalogs.pofile import read_catalog
    from pipeline.site import IndexEdition, index_words

    snapshot = take(project, ["ghouta-2017"])
    catalogs = {code: read_catalog(entry.data, entry.name, code)
                for code, entry in snapshot.catalogs.items()}
    editions = [IndexEdition("ghouta-2017", "en", "End the Siege", ("en",), ("en_GB",)),
                IndexEdition("ghouta-2017", "bilingual", "End the Siege", ("en", "ar"),
                             ("en_GB", "ar_SY"))]
    sources = {"ghouta-2017": ("en", ("2017-11", "November 2017"))}
    page = render_index(snapshot, index_listing(editions, sources), index_words(snapshot, catalogs))
    label = page.split('class="language both">')[1].split("</th>")[0]
    assert label.startswith('<span lang="en-GB" dir="ltr">Both languages side by side</span><br>')
    assert '<span lang="ar-SY" dir="rtl">النص باللغتين جنبًا إلى جنب</span><br>' in label
    assert "·" not in label
    # The page's heading keeps its separators: one line, in every language.
    assert " · " in page.split("<h1>")[1].split("</h1>")[0]


@pytest.mark.slow
def test_a_build_prints_the_update_in_the_pdfs_and_the_index(small, capsys):
    with_updated(small, "2018-02-05")
    assert cli(capsys, small, "build", "-j1", "-q") == (0, [])
    folder = small.output_dir / "ghouta-2017"
    assert "Updated 5 February 2018" in pdf_text(folder / "ghouta-2017.en.pdf")
    arabic = "".join(c for c in squash(pdf_text(folder / "ghouta-2017.ar.pdf"))
                     if c not in "\u202a\u202b\u202c:")  # poppler's embeddings, the colon
    assert "تشرينالثاني٢٠١٧آخرتحديث٥شباط٢٠١٨" in arabic
    index = (small.output_dir / "index.html").read_text("utf-8")
    assert 'Updated <time datetime="2018-02-05">5 February 2018</time>' in index
    assert cli(capsys, small, "dist", "-j1", "-q", "ghouta-2017") == (0, [])
    bundle, = small.dist_dir.glob("ghouta-2017-*.zip")
    manifest = json.loads(contents(bundle)["manifest.json"])
    assert (manifest["date"], manifest["updated"]) == ("2017-11", "2018-02-05")

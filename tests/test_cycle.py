"""The edit and translation cycle, end to end through the command line: an edit of the source
becomes a fuzzy message, the build refuses that one edition and prints the rest, the translator's
revision brings it back; drafts, new languages (in progress, then released), checks, and words
added to the templates.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from html import unescape

import pytest
from pypdf import PdfReader

from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.check import check
from pipeline.project import Project

from .conftest import LANGUAGES, SMALL, STATEMENTS, _shared_build, keep_languages
from .helpers import cli, edit, pdf_text, squash

AR = "locales/ar/LC_MESSAGES/statements.po"
EN = "locales/en/LC_MESSAGES/statements.po"
GHOUTA = "sources/ghouta-2017.yaml"
EDITED = ("fuel are running out", "fuel are running low")  # one word of ghouta's first paragraph
def catalog(project: Project, code: str = "ar"):
    path = project.catalog_path(code)
    return read_catalog(path.read_bytes(), project.relative(path), code)


def fuzzy_of(project: Project, code: str = "ar") -> list:
    return [m for m in catalog(project, code) if m.fuzzy]


def pdf(project: Project, statement_id: str, variant: str, draft: bool = False):
    folder = project.output_dir / "drafts" if draft else project.output_dir
    return folder / statement_id / f"{statement_id}.{variant}.pdf"


def released_html(project: Project) -> dict[str, str]:
    """Every HTML file a reader of the released site can reach (not drafts)."""
    return {project.relative(p): p.read_text("utf-8") for p in sorted(project.output_dir.rglob("*.html"))
            if "drafts" not in p.relative_to(project.output_dir).parts}


def shown(html: str) -> str:
    """The text a piece of HTML shows, without tags and white space."""
    return squash(unescape(re.sub(r"<[^>]+>", "", html)))


@pytest.fixture
def printed(tmp_path_factory, tmp_path) -> Project:
    """A private copy of a build of the two short statements (made once per session and shared,
    as conftest's ``built`` is)."""
    shared = _shared_build(tmp_path_factory, "+".join(SMALL), SMALL)
    shutil.copytree(shared.root, tmp_path / "printed", symlinks=True)
    return Project.at(tmp_path / "printed")


def remove_fuzzy_flag(project: Project, code: str = "ar") -> None:
    """What the translator does after revising the translation of the changed message."""
    path = project.catalog_path(code)
    text = path.read_text("utf-8")
    assert text.count("#, fuzzy\n") == 1
    path.write_text(text.replace("#, fuzzy\n", "", 1), "utf-8")


# --- the edit cycle -------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_whole_edit_cycle(printed, capsys):
    old = {m.key: m.msgstr for m in catalog(printed)}
    arabic_before = pdf(printed, "ghouta-2017", "ar").read_bytes()
    source_before = PdfReader(pdf(printed, "ghouta-2017", "en")).metadata["/sourceversion"]

    # a one-word edit -> update -> exactly one fuzzy entry, which kept its old translation
    edit(printed, GHOUTA, *EDITED)
    status, errors = cli(capsys, printed, "update")
    assert status == 0, errors
    assert any(line.startswith(f"{AR}: 0 new, 1 fuzzy, ") for line in errors), errors
    [changed] = fuzzy_of(printed)
    assert changed.msgctxt == "paragraph" and "running low" in changed.msgid
    assert changed.previous_msgid and "running out" in changed.previous_msgid
    assert changed.msgstr == old[("paragraph", changed.previous_msgid)]
    assert '#| msgid "Nearly 400,000 people' in printed.catalog_path("ar").read_text("utf-8")
    for message in catalog(printed):  # every other translation untouched
        if not message.fuzzy:
            assert message.msgstr == old[message.key]
    assert not fuzzy_of(printed, "en"), "the source language's catalog has nothing to review"

    # the build refuses ghouta's translations only (Arabic, Persian, French), keeps their last
    # printed editions, prints the English
    status, errors = cli(capsys, printed, "build", "-j1")
    assert status == 1
    assert sorted(e.split(" ")[1] for e in errors if " is not printed: " in e) == [
        "ghouta-2017.ar", "ghouta-2017.fa", "ghouta-2017.fr"], errors
    assert any(e.startswith("sources/ghouta-2017.yaml: ghouta-2017.ar is not printed: 0 "
                            "untranslated, 1 fuzzy") for e in errors), errors
    assert any(e.startswith(f"{AR}:{changed.msgstr_line}: paragraph 'Nearly 400,000 people")
               and "is fuzzy" in e for e in errors), errors
    assert not any("one-voice-2019.ar is not" in e for e in errors)
    assert "one-voice-2019.ar: up to date" in errors and "one-voice-2019.bilingual: up to date" in errors
    assert pdf(printed, "ghouta-2017", "ar").read_bytes() == arabic_before
    english = PdfReader(pdf(printed, "ghouta-2017", "en"))
    assert english.metadata["/sourceversion"] != source_before
    assert "running low" in pdf_text(pdf(printed, "ghouta-2017", "en"))

    # the Arabic translator revises the translation -> the build prints it, from the new source;
    # the other translations wait for their translators
    remove_fuzzy_flag(printed)
    status, errors = cli(capsys, printed, "build", "-j1")
    assert status == 1 and not any("ghouta-2017.ar is not" in e for e in errors), errors
    for code in ("fa", "fr"):
        remove_fuzzy_flag(printed, code)
    status, errors = cli(capsys, printed, "build", "-j1")
    assert status == 0, errors
    arabic = PdfReader(pdf(printed, "ghouta-2017", "ar"))
    assert arabic.metadata["/sourceversion"] == english.metadata["/sourceversion"]
    assert arabic.metadata["/catalogversion"] != english.metadata["/catalogversion"]
    bilingual = PdfReader(pdf(printed, "ghouta-2017", "bilingual"))
    assert bilingual.metadata["/sourceversion"] == english.metadata["/sourceversion"]


@pytest.mark.slow
def test_provenance_is_printed_on_the_last_page(built):
    """The source version in every edition; the translation version in a translation's only (the
    edition in the statement's own language was printed from none)."""
    for code in ("en", "ar"):
        reader = PdfReader(pdf(built, "sochi-2018", code))
        version = reader.metadata["/sourceversion"]
        assert version in reader.pages[-1].extract_text()
        printed = reader.metadata["/catalogversion"] in reader.pages[-1].extract_text()
        assert printed == (code == "ar"), code


@pytest.mark.slow
def test_a_draft_marks_every_page_and_every_fallback(small, capsys):
    edit(small, GHOUTA, *EDITED)
    assert cli(capsys, small, "update")[0] == 0
    status, errors = cli(capsys, small, "build", "--draft", "--lang", "ar", "ghouta-2017", "-j1")
    assert status == 0, errors
    assert not pdf(small, "ghouta-2017", "ar").exists(), "a draft is never a release"
    html = pdf(small, "ghouta-2017", "ar", draft=True).with_suffix(".html").read_text("utf-8")
    assert re.search(r'<div data-paragraph="1" class="paragraph fallback" lang="en" dir="ltr"><p>'
                     r'Nearly 400,000 people [^<]*running low', html), html
    assert html.count("fallback") == 1
    reader = PdfReader(pdf(small, "ghouta-2017", "ar", draft=True))
    for page in reader.pages:
        assert "مسودة" in page.extract_text()


@pytest.mark.slow
def test_a_draft_printed_for_a_released_edition_is_not_called_a_refusal(small, capsys):
    """With --draft (what serve builds), a released language whose translation is behind keeps
    its released edition and prints a draft: nothing is refused, and the log says so once."""
    assert cli(capsys, small, "build", "--lang", "ar", "ghouta-2017", "-j1")[0] == 0
    edit(small, GHOUTA, *EDITED)
    assert cli(capsys, small, "update")[0] == 0
    status, lines = cli(capsys, small, "build", "--draft", "--lang", "ar", "ghouta-2017", "-j1")
    assert status == 0, lines
    assert "ghouta-2017.ar: not ready for release: the edition released earlier is kept, and " \
        "the draft shows the translation as it is" in lines
    [summary] = [line for line in lines if " printed (" in line]
    assert re.match(r"1 printed .*, 0 refused, in ", summary), lines
    assert not any("refused" in line for line in lines if line != summary), lines
    assert pdf(small, "ghouta-2017", "ar", draft=True).exists()
    assert pdf(small, "ghouta-2017", "ar").exists()
    index = (small.output_dir / "index.html").read_text("utf-8")
    assert re.findall(r'href="([^"]+)"[^<]*</a> <span lang="en" dir="ltr" class="behind">',
                      index) == ["ghouta-2017/ghouta-2017.ar.html"], "the kept edition lags"

    # without --draft the same edition is refused, and said to be
    status, lines = cli(capsys, small, "build", "--lang", "ar", "ghouta-2017", "-j1")
    assert status == 1
    assert "ghouta-2017.ar: the edition printed earlier is kept while it is refused" in lines
    # (the summary counts the editions a reader still gets as printed before, not only refusals)
    assert any(re.match(r"0 printed \(0 pages, 0 KB\), .*1 kept as printed before, 1 refused, in ",
                        line) for line in lines), lines


@pytest.mark.slow
def test_a_name_an_organisation_gives_wins_over_the_catalog(small, capsys):
    """The Arabic name Syrian Network for Human Rights gives itself in the source prints, even
    when the catalog (shared with other statements) translates the name otherwise."""
    edit(small, AR, 'msgstr "الشبكة السورية لحقوق الإنسان"', 'msgstr "شبكة حقوق الإنسان"')
    status, errors = cli(capsys, small, "build", "--lang", "ar", "ghouta-2017", "-j1")
    assert status == 0, errors
    html = pdf(small, "ghouta-2017", "ar").with_suffix(".html").read_text("utf-8")
    names = [shown(item) for item in re.findall(r"<li value=[^>]*>(.*?)</li>", html)]
    assert names[1] == "٢.الشبكةالسوريةلحقوقالإنسان", names
    assert "شبكة حقوق الإنسان" not in html


# --- new languages --------------------------------------------------------------------------------

@pytest.mark.slow
def test_init_a_right_to_left_language_prints_a_draft(small, capsys):
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fa")[0] == 0
    text = small.catalog_path("fa").read_text("utf-8")
    assert '"Language: fa\\n"' in text and "nplurals=2" in text
    status, errors = cli(capsys, small, "build", "--lang", "fa", "one-voice-2019", "-j1")
    assert status == 1 and not (small.output_dir / "one-voice-2019").exists()
    status, errors = cli(capsys, small, "build", "--draft", "--lang", "fa", "one-voice-2019", "-j1")
    assert status == 0, errors
    html = pdf(small, "one-voice-2019", "fa", draft=True).with_suffix(".html").read_text("utf-8")
    assert '<html lang="fa" dir="rtl" data-script="Arab">' in html
    assert '<time datetime="2019">۲۰۱۹</time>' in html  # Persian digits


@pytest.mark.slow
def test_init_a_left_to_right_language_prints_a_draft(small, capsys):
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    status, errors = cli(capsys, small, "build", "--draft", "--lang", "fr", "ghouta-2017", "-j1")
    assert status == 0, errors
    html = pdf(small, "ghouta-2017", "fr", draft=True).with_suffix(".html").read_text("utf-8")
    assert '<html lang="fr" dir="ltr" data-script="Latn">' in html
    assert '<time datetime="2017-11">novembre 2017</time>' in html


@pytest.mark.slow
def test_a_language_in_progress_is_only_ever_a_draft(printed, capsys):
    """`init de`: the released languages build and bundle as before; German prints only as a
    draft on request, in output/drafts/, linked from nothing released and never bundled."""
    released_before = released_html(printed)
    assert cli(capsys, printed, "init", "de")[0] == 0
    status, errors = cli(capsys, printed, "build", "-j1")
    assert status == 0, errors
    assert "0 printed" in errors[-1], "a catalog in progress changes no released edition"
    status, errors = cli(capsys, printed, "dist", "-j1")
    assert status == 0, errors

    status, errors = cli(capsys, printed, "build", "--lang", "de", "-j1")
    assert status == 1
    assert errors == ["de is a language in progress: print a draft with `python -m pipeline build "
                      "--draft --lang de`, or release it by adding it to [tool.pipeline] released "
                      "in pyproject.toml"]
    assert not list(printed.output_dir.rglob("*.de.*"))

    status, errors = cli(capsys, printed, "build", "--draft", "--lang", "de", "ghouta-2017", "-j1")
    assert status == 0, errors
    assert sorted(p.relative_to(printed.output_dir).as_posix() for p in printed.output_dir.rglob("*.de.*")
                  if not p.name.startswith(".")) == ["drafts/ghouta-2017/ghouta-2017.de.html",
                                                     "drafts/ghouta-2017/ghouta-2017.de.pdf",
                                                     "drafts/ghouta-2017/ghouta-2017.de.png"]
    draft = pdf(printed, "ghouta-2017", "de", draft=True).with_suffix(".html").read_text("utf-8")
    assert 'href="../../_assets/statement.css"' in draft

    status, errors = cli(capsys, printed, "build", "-j1")  # a full build keeps the draft, links it nowhere
    assert status == 0 and "0 printed" in errors[-1], errors
    assert pdf(printed, "ghouta-2017", "de", draft=True).is_file()
    assert released_html(printed) == released_before
    for name, html in released_html(printed).items():
        assert ".de." not in html and 'hreflang="de' not in html and "drafts/" not in html, name

    shutil.rmtree(printed.dist_dir)
    status, errors = cli(capsys, printed, "dist", "-j1")
    assert status == 0, errors
    bundles = sorted(printed.dist_dir.glob("*.zip"))
    assert len(bundles) == 2
    for path in bundles:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert not [n for n in names if ".de." in n or "drafts" in n], names
            manifest = json.loads(archive.read(next(n for n in names if n.endswith("manifest.json"))))
            assert set(manifest["translations"]) == set(LANGUAGES)


@pytest.mark.slow
def test_dist_of_one_language_bundles_only_that_language(printed, capsys):
    status, errors = cli(capsys, printed, "dist", "--lang", "en", "-j1")
    assert status == 0, errors
    bundles = sorted(printed.dist_dir.glob("*.zip"))
    assert [p.name.rsplit("-", 1)[0] for p in bundles] == ["ghouta-2017", "one-voice-2019"]
    for path in bundles:
        statement_id = path.name.rsplit("-", 1)[0]
        with zipfile.ZipFile(path) as archive:
            names = [name.split("/", 1)[1] for name in archive.namelist()]
            editions = {n for n in names if n.endswith((".pdf", ".html"))}
            assert editions == {f"{statement_id}.en.pdf",
                                f"html/{statement_id}/{statement_id}.en.html"}, names
            manifest = json.loads(archive.read(f"{path.stem}/manifest.json"))
        assert list(manifest["editions"]) == ["en"] and list(manifest["translations"]) == ["en"]


def release_french(project: Project) -> None:
    edit(project, "pyproject.toml", 'released = ["en", "ar"]', 'released = ["en", "ar", "fr"]')


def test_a_refused_language_lists_a_dozen_problems_then_points_to_check(small, capsys):
    """Adding fr to `released` makes French a released language: refused while incomplete,
    with the first twelve problems and a pointer to `check` for the rest."""
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    release_french(small)
    status, errors = cli(capsys, small, "build", "--lang", "fr", "ghouta-2017", "-j1", "-q")
    assert status == 1
    heading = re.fullmatch(r"sources/ghouta-2017\.yaml: ghouta-2017\.fr is not printed: (\d+) "
                           r"untranslated, 0 fuzzy, (\d+) problem\(s\) in its catalog \(listed "
                           r"below\); print a draft with `python -m pipeline build --draft`", errors[0])
    assert heading and heading.group(1) == heading.group(2), errors[0]
    total = int(heading.group(1))
    assert total > 12 and len(errors) == 1 + 12 + 1, errors
    assert all(re.match(r"locales/fr/LC_MESSAGES/statements\.po:\d+: .* is untranslated$", e)
               for e in errors[1:13]), errors
    assert errors[-1] == (f"locales/fr/LC_MESSAGES/statements.po: ... and {total - 12} more: "
                          "`python -m pipeline check --lang fr` lists them all")
    assert not small.output_dir.exists() or not list(small.output_dir.rglob("*.fr.*"))


@pytest.mark.slow
def test_a_released_language_is_refused_while_incomplete_and_the_others_print(small, capsys):
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    release_french(small)
    status, errors = cli(capsys, small, "build", "--lang", "fr", "--lang", "en", "one-voice-2019",
                         "-j1", "-q")
    assert status == 1
    assert errors[0].startswith("sources/one-voice-2019.yaml: one-voice-2019.fr is not printed")
    assert pdf(small, "one-voice-2019", "en").is_file()
    assert not pdf(small, "one-voice-2019", "fr").exists()
    assert not pdf(small, "one-voice-2019", "fr", draft=True).exists()


# --- check ----------------------------------------------------------------------------------------

def test_the_fixture_catalogs_pass_check(project):
    report = check(project)
    assert not report.unreadable
    assert len(report.editions) == len(STATEMENTS) * len(LANGUAGES)
    for edition in report.editions:
        assert edition.status.problems == [], (edition.statement, edition.status.language)
        assert edition.status.percent == 100


def test_check_reports_counts_and_problems_with_lines(small, capsys):
    edit(small, AR, 'msgstr "الجهات الموقّعة"', 'msgstr "الجهات الموقّعة\u202e"')
    edit(small, AR, 'msgstr "بيتنا سوريا"', 'msgstr "<b>بيتنا سوريا</b>"')
    edit(small, AR, 'msgstr "النساء الآن من أجل التنمية"', 'msgstr "Women Now for Development"')
    edit(small, AR, 'msgstr "أنهوا حصار الغوطة الشرقية"', 'msgstr " أنهوا حصار الغوطة الشرقية"')
    report = check(small, ["ghouta-2017"], ["ar"])
    [edition] = report.editions
    messages = [str(p) for p in edition.status.problems]
    expected = [  # (the message, the problem, reported on the line of its translation)
        ((None, "Signatories"), "'Signatories': contains the invisible or control character U+202E"),
        (("signatory", "Baytna Syria"), "signatory 'Baytna Syria': the markup differs"),
        (("signatory", "Women Now for Development"),
         "warning: signatory 'Women Now for Development': likely a copy"),
        (("title", "End the Siege of Eastern Ghouta"),
         "title 'End the Siege of Eastern Ghouta': leading or trailing white space"),
    ]
    entries = catalog(small).index()
    for key, text in expected:
        line = entries[key].msgstr_line
        assert line and any(m.startswith(f"{AR}:{line}: {text}") for m in messages), (text, messages)
    assert len(messages) == len(expected), messages
    assert not edition.status.releasable

    status, errors = cli(capsys, small, "check", "ghouta-2017", "--lang", "ar")
    assert status == 1
    assert re.fullmatch(r"ar: released, (\d+) of \1 translated - not releasable", errors[0]), \
        errors[0]
    assert errors[1:] == messages
    assert cli(capsys, small, "check", "--lang", "en")[0] == 0

    # a placeholder the source lacks makes the catalog unusable, as msgfmt --check says
    line = catalog(small).get("Page %(page)s of %(pages)s").msgstr_line
    edit(small, AR, "%(page)s من %(pages)s", "%(page)s من %(total)s")
    status, errors = cli(capsys, small, "check", "ghouta-2017", "--lang", "ar")
    assert status == 1
    assert any(e.startswith(f"{AR}:{line}: ") and "%(total)s" in e for e in errors), errors


def test_check_json_lists_each_language_once_with_its_statements(small, capsys):
    edit(small, AR, 'msgstr "بيتنا سوريا"', 'msgstr ""')
    from pipeline.cli import main

    capsys.readouterr()
    assert main(["check", "--json", "-C", str(small.root)]) == 1  # an untranslated message is a problem
    out = json.loads(capsys.readouterr().out)
    languages = {entry["language"]: entry for entry in out["languages"]}
    assert set(languages) == set(LANGUAGES) and out["sources"] == []
    arabic = languages["ar"]
    assert (arabic["untranslated"], arabic["releasable"], arabic["released"]) == (1, False, True)
    [problem] = arabic["problems"]
    assert problem["line"] == catalog(small).get("Baytna Syria", "signatory").msgstr_line
    statements = {e["statement"]: e for e in arabic["statements"]}
    assert set(statements) == {"ghouta-2017", "one-voice-2019"}
    assert statements["ghouta-2017"]["untranslated"] == 1
    assert statements["one-voice-2019"]["releasable"]
    # the words of the page and the issuer, which both statements use, are counted once
    assert arabic["total"] < sum(e["total"] for e in statements.values())


def test_check_with_a_statement_it_cannot_read_claims_no_language_releasable(small, capsys):
    """The counts cover the statements read: a broken statement is named in each language's
    line, which says the language is not releasable, and the check fails."""
    edit(small, GHOUTA, "date: 2017-11", "date: 2017-02-30")
    status, lines = cli(capsys, small, "check")
    assert status == 1
    assert lines[0].startswith(f"{GHOUTA}:") and "February 2017 has 28 days" in lines[0]
    summaries = {line.split(":")[0]: line for line in lines[1:]}
    assert set(summaries) == set(LANGUAGES), lines
    for line in summaries.values():
        assert line.endswith(", not counting 'ghouta-2017', which cannot be read - not "
                             "releasable")

    from pipeline.cli import main
    capsys.readouterr()
    assert main(["check", "--json", "-C", str(small.root)]) == 1
    for entry in json.loads(capsys.readouterr().out)["languages"]:
        assert (entry["releasable"], entry["unread"]) == (False, ["ghouta-2017"])
        assert [e["statement"] for e in entry["statements"]] == ["one-voice-2019"]


def test_check_quotes_the_name_of_a_statement_it_cannot_read(small, capsys):
    """A file named with a line break is named quoted, on its language's line: it cannot forge
    a line of its own."""
    (small.root / "sources" / "x\nen: released, 1 of 1 translated.yaml").write_text(
        "id: [\n", "utf-8")
    status, lines = cli(capsys, small, "check")
    assert status == 1
    assert not any(line.startswith("en: released, 1 of 1") for line in lines), lines
    summary = next(line for line in lines if line.startswith("en: "))
    assert "not counting 'x\\nen: released, 1 of 1 translated', which cannot be read" in summary


def test_a_copy_meant_as_such_survives_msgcat_and_poedit_dropping_the_flag(small, capsys):
    """``#, ignore-same`` marks a translation that is the source on purpose (a code kept in
    Latin letters); msgcat, and Poedit saving through it, drop a flag gettext does not know.
    ``update`` writes the mark as a translator comment too, which they keep: after msgcat the
    check still takes the copy as meant, and the next update brings the flag back."""
    import shutil

    edit(small, "sources/one-voice-2019.yaml", "date: 2019", "subtitle: Help4Syria\ndate: 2019")
    assert cli(capsys, small, "update")[0] == 0
    for code in ("ar", "fa", "fr"):  # as a translator writes it: the copy, and the flag by hand
        path = small.catalog_path(code)
        found = catalog(small, code)
        [entry] = [e for e in found.entries if e.key == ("subtitle", "Help4Syria")]
        entry.msgstr = "Help4Syria"
        if code != "fr":
            entry.flags.add("ignore-same")
        path.write_bytes(serialise(found))
    assert cli(capsys, small, "update")[0] == 0
    def subtitle(code: str):
        [entry] = [e for e in catalog(small, code).entries if e.key == ("subtitle", "Help4Syria")]
        return entry

    msgcat = shutil.which("msgcat")
    for code in ("ar", "fa"):
        assert "ignore-same" in subtitle(code).flags
        assert subtitle(code).translator_comments == ["ignore-same"]
        path = small.catalog_path(code)
        data = path.read_bytes()
        saved = (subprocess.run([msgcat, "--no-wrap", "-"], input=data, capture_output=True,
                                check=True).stdout if msgcat
                 else data.replace(b"#, ignore-same\n", b""))  # what msgcat does (test_po)
        path.write_bytes(saved)
        assert "ignore-same" not in subtitle(code).flags
        assert subtitle(code).translator_comments == ["ignore-same"]
    status, lines = cli(capsys, small, "check")
    assert status == 0, lines
    assert not any("identical to the source" in line for line in lines), lines
    assert cli(capsys, small, "update")[0] == 0
    entry = subtitle("ar")
    assert (entry.msgstr, "ignore-same" in entry.flags, entry.fuzzy) == ("Help4Syria", True, False)
    assert entry.translator_comments == ["ignore-same"]


def test_a_language_in_progress_is_reported_as_such_and_never_fails_check(small, capsys):
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    status, lines = cli(capsys, small, "check")
    assert status == 0, lines
    # every message of the editions (the index's own words are not an edition's)
    total = len([e for e in catalog(small, "fr").entries
                 if not all(r.startswith("templates/index.html.j2") for r in e.references)])
    assert lines == [f"ar: released, {total} of {total} translated",
                     f"en: released, {total} of {total} translated",
                     f"fr: in progress, 0 of {total} translated, 0 fuzzy, {total} untranslated "
                     "(`python -m pipeline check --lang fr` lists them)"]

    # asked for, it lists each of its messages once (the page's words are used by both
    # statements), and still does not fail
    status, lines = cli(capsys, small, "check", "--lang", "fr")
    assert status == 0
    assert lines[0] == f"fr: in progress, 0 of {total} translated, 0 fuzzy, {total} untranslated"
    assert len(lines) == 1 + total and len(set(lines)) == len(lines), lines
    assert sum("'Signatories' is untranslated" in line for line in lines) == 1

    from pipeline.cli import main
    capsys.readouterr()
    assert main(["check", "--json", "-C", str(small.root)]) == 0
    [french] = [e for e in json.loads(capsys.readouterr().out)["languages"] if e["language"] == "fr"]
    assert (french["released"], french["untranslated"], len(french["problems"])) == \
        (False, total, total)

    # a released language with a problem still fails it, beside the language in progress
    edit(small, AR, 'msgstr "بيتنا سوريا"', 'msgstr ""')
    status, lines = cli(capsys, small, "check")
    assert status == 1
    assert f"ar: released, {total - 1} of {total} translated, 0 fuzzy, 1 untranslated - " \
        "not releasable" in lines


def test_a_translated_message_of_a_language_in_progress_shows_its_problem_without_failing(
        small, capsys):
    small = keep_languages(small, "en", "ar")  # then a new language, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    fr = "locales/fr/LC_MESSAGES/statements.po"
    french = catalog(small, "fr")
    [entry] = [e for e in french.entries if e.msgid.startswith("The undersigned organisations")]
    entry.msgstr = "Les organisations soussignées demandent un accès humanitaire."
    small.catalog_path("fr").write_bytes(serialise(french))
    status, lines = cli(capsys, small, "check")
    assert status == 0
    problems = [line for line in lines if line.startswith(fr)]
    assert len(problems) == 2, lines  # the link and the strong emphasis; nothing untranslated
    assert "drops the link to https://undocs.org/S/RES/2139(2014)" in problems[0]


def drop_the_link(project: Project) -> None:
    """The Arabic of ghouta's second paragraph, its link's text kept but the link dropped."""
    path = project.catalog_path("ar")
    arabic = read_catalog(path.read_bytes(), AR, "ar")
    [entry] = [e for e in arabic.entries if e.msgid.startswith("The undersigned organisations")]
    assert "](https://undocs.org/S/RES/2139(2014))" in entry.msgstr, \
        "the fixture's translation of ghouta's second paragraph changed"
    entry.msgstr = re.sub(r"\[([^\]]*)\]\([^)]*\)\)", r"\1", entry.msgstr)
    path.write_bytes(serialise(arabic))


def test_check_flags_a_translation_that_drops_a_link_and_build_refuses_it(small, capsys):
    drop_the_link(small)
    status, errors = cli(capsys, small, "check", "ghouta-2017", "--lang", "ar")
    assert status == 1
    line = next(m.msgstr_line for m in catalog(small) if m.msgid.startswith("The undersigned"))
    assert any(e.startswith(f"{AR}:{line}: paragraph 'The undersigned organisations")
               and "drops the link to https://undocs.org/S/RES/2139(2014)" in e for e in errors), errors
    status, errors = cli(capsys, small, "build", "ghouta-2017", "--lang", "ar", "-j1", "-q")
    assert status == 1
    assert errors[0].startswith("sources/ghouta-2017.yaml: ghouta-2017.ar is not printed: 0 "
                                "untranslated, 0 fuzzy, 1 problem(s)")
    assert not pdf(small, "ghouta-2017", "ar").exists()


# --- update ---------------------------------------------------------------------------------------

def test_update_says_how_many_messages_are_new_fuzzy_and_obsolete(project, capsys):
    edit(project, GHOUTA, *EDITED)
    edit(project, GHOUTA, "  - Women Now for Development\n",
         "  - Women Now for Development\n  - Violations Documentation Center\n")
    path = project.source_path("one-voice-2019")
    text = path.read_text("utf-8")
    path.write_text(text[:text.index("  - >-\n    We urge")], "utf-8")
    status, errors = cli(capsys, project, "update")
    assert status == 0, errors
    assert f"{AR}: 1 new, 1 fuzzy, 1 obsolete" in errors
    assert f"{EN}: 2 new, 0 fuzzy, 0 obsolete" in errors  # empty entries: nothing to review or keep
    assert any(re.fullmatch(r"locales/statements\.pot: \d+ messages", e) for e in errors), errors
    obsolete = project.catalog_path("ar").read_text("utf-8").split("#~ ", 1)[1]
    assert "We urge the Council" in obsolete.replace('"\n#~ "', "")


def test_a_small_rename_of_a_signatory_keeps_its_translation_as_fuzzy(small, capsys):
    edit(small, GHOUTA, "  - Women Now for Development\n", "  - Women Now For Development\n")
    assert cli(capsys, small, "update")[0] == 0
    [renamed] = fuzzy_of(small)
    assert renamed.key == ("signatory", "Women Now For Development")
    assert renamed.msgstr == "النساء الآن من أجل التنمية"
    assert renamed.previous_msgid == "Women Now for Development"


def test_a_new_signatory_never_inherits_a_neighbours_translation(small, capsys):
    edit(small, GHOUTA, "  - Women Now for Development\n",
         "  - Women Now for Development\n  - Women Now for Democracy\n")
    assert cli(capsys, small, "update")[0] == 0
    new = catalog(small).get("Women Now for Democracy", "signatory")
    assert new is not None and new.msgstr == "" and not new.fuzzy
    assert not fuzzy_of(small)


def test_a_signatory_that_leaves_and_returns_gets_its_translation_back(small, capsys):
    edit(small, GHOUTA, "  - Baytna Syria\n", "")
    assert cli(capsys, small, "update")[0] == 0
    assert '#~ msgctxt "signatory"\n#~ msgid "Baytna Syria"\n#~ msgstr "بيتنا سوريا"' in \
        small.catalog_path("ar").read_text("utf-8")
    edit(small, GHOUTA, "signatories:\n", "signatories:\n  - Baytna Syria\n")
    assert cli(capsys, small, "update")[0] == 0
    returned = catalog(small).get("Baytna Syria", "signatory")
    assert returned.msgstr == "بيتنا سوريا" and not returned.fuzzy


def test_a_previous_msgid_survives_another_update(small, capsys):
    edit(small, GHOUTA, *EDITED)
    assert cli(capsys, small, "update")[0] == 0
    assert cli(capsys, small, "update")[0] == 0
    [changed] = fuzzy_of(small)
    assert "running out" in changed.previous_msgid


def test_update_rewrites_nothing_when_nothing_changed(small, capsys):
    assert cli(capsys, small, "update")[0] == 0
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in small.locales_dir.rglob("*.po*")}
    status, errors = cli(capsys, small, "update")
    assert status == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in small.locales_dir.rglob("*.po*")} == stamps
    assert all("(unchanged)" in e or "0 new, 0 fuzzy, 0 obsolete" in e for e in errors
               if "statements.po" in e), errors


def test_updated_catalogs_stay_standard(small, capsys, tmp_path):
    edit(small, GHOUTA, *EDITED)
    assert cli(capsys, small, "update")[0] == 0
    for code in ("ar", "en"):
        po = small.catalog_path(code)
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(po),
                        "-o", str(tmp_path / f"{code}.mo"), "-l", code], check=True,
                       capture_output=True)


def test_a_catalog_written_by_msgmerge_is_accepted(small, capsys):
    """A translator's tools merge with GNU msgmerge: its output (wrapping, fuzzy entries with
    their previous msgid, obsolete ones) reads as the pipeline's own would."""
    edit(small, GHOUTA, *EDITED)
    assert cli(capsys, small, "extract")[0] == 0
    po = small.catalog_path("ar")
    subprocess.run(["msgmerge", "--quiet", "--previous", "--update", "--backup=off", str(po),
                    str(small.template_path)], check=True, capture_output=True)
    po.write_text(po.read_text("utf-8") + '\n#, fuzzy\n#~| msgid "Old text"\n#~ msgid "Newer text"\n'
                  '#~ msgstr "نص"\n', "utf-8")
    report = check(small, ["ghouta-2017", "one-voice-2019"], ["ar"])
    assert not report.unreadable
    statuses = {e.statement: e.status for e in report.editions}
    assert statuses["one-voice-2019"].releasable and not statuses["one-voice-2019"].problems
    ghouta = statuses["ghouta-2017"]
    assert ghouta.fuzzy == 1 and [p for p in ghouta.errors if "is fuzzy" not in p.message] == []
    [merged] = fuzzy_of(small)
    assert "running low" in merged.msgid and "running out" in merged.previous_msgid
    remove_all = po.read_text("utf-8").replace("#, fuzzy\n#| ", "#| ")
    po.write_text(remove_all, "utf-8")
    assert cli(capsys, small, "check", "--lang", "ar")[0] == 0
    status, errors = cli(capsys, small, "update")
    assert status == 0, errors


# --- the templates' own words ---------------------------------------------------------------------

SIGNED_BY_MACRO = '{% macro signed_by(_) %}{{ _("Signed by") }}{% endmacro %}\n'


def add_a_word_to_the_bilingual_template(project: Project) -> None:
    """`{{ _("Signed by") }}` in a macro taking the side's gettext, under both headings."""
    name = "templates/bilingual.html.j2"
    edit(project, name, "{% macro signatories_heading(_) %}",
         SIGNED_BY_MACRO + "{% macro signatories_heading(_) %}")
    for side in ("left", "right"):
        text = (project.root / name).read_text("utf-8")
        heading = f">{{{{ signatories_heading({side}.gettext) }}}}<"
        assert heading in text, "the bilingual template's headings changed: update the test"
        (project.root / name).write_text(text.replace(
            heading, f">{{{{ signatories_heading({side}.gettext) }}}} "
                     f"{{{{ signed_by({side}.gettext) }}}}<", 1), "utf-8")


@pytest.mark.slow
def test_a_word_added_to_a_template_is_extracted_and_never_printed_untranslated(small, capsys):
    add_a_word_to_the_bilingual_template(small)
    status, errors = cli(capsys, small, "update")
    assert status == 0, errors
    assert any(e.startswith(f"{AR}: 1 new, 0 fuzzy") for e in errors), errors
    word = catalog(small).get("Signed by")
    assert word is not None and word.msgstr == "" and any(
        "bilingual.html.j2" in reference for reference in word.references)

    status, errors = cli(capsys, small, "build", "ghouta-2017", "-j1")
    assert status == 1
    assert any(e.startswith(f"{AR}:{word.msgstr_line}: 'Signed by' is untranslated") for e in errors), errors
    assert not pdf(small, "ghouta-2017", "bilingual").exists(), \
        "the bilingual edition must never print English in the Arabic column"
    assert not pdf(small, "ghouta-2017", "bilingual").with_suffix(".html").exists()
    assert pdf(small, "ghouta-2017", "en").is_file()
    # a word only the bilingual edition shows never stops the Arabic edition
    assert pdf(small, "ghouta-2017", "ar").is_file()

    status, errors = cli(capsys, small, "build", "--draft", "ghouta-2017", "-j1")
    assert status == 0, errors
    draft = pdf(small, "ghouta-2017", "bilingual", draft=True)
    html = draft.with_suffix(".html").read_text("utf-8")
    right = re.search(r'class="right-heading"[^>]*>(.*?)</', html).group(1)
    assert right == "الجهات الموقّعة \u2068Signed by\u2069", right  # the source's words, isolated
    assert "Draft – translation incomplete" in html
    text = pdf_text(draft)
    assert "Signed by" in text and "Signatories Signed by" in text


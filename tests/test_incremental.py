"""Fast and reproducible regeneration: a build prints only what an edit affects, every edition is
independent of the other statements, the same inputs give the same bytes, and `verify` proves
what `output/` holds.

Most tests start from a private copy of a build of one or two short statements, made once per
session, so they print as little as possible; Sochi is printed only where it is the point.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.commands.build import build
from pipeline.commands.verify import verify
from pipeline.files import DIGESTS
from pipeline.plan import Request
from pipeline.project import Project
from pipeline.site import WEBFONT_CACHE

from .conftest import FIXTURE_PROJECT, LANGUAGES, _shared_build, make_project
from .helpers import cli, edit, files_of

pytestmark = pytest.mark.slow

SOCHI = "sochi-2018"
GHOUTA = "ghouta-2017"
ONE_VOICE = "one-voice-2019"
SHARED_NAME = "Kesh Malek"  # a Sochi signatory that does not sign ghouta-2017


def built_copy(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
               statement_ids: tuple[str, ...]) -> Project:
    """A private copy of a build of the fixture statements given, made once per session (and
    shared by pytest-xdist's workers, as conftest's ``built`` is)."""
    shared = _shared_build(tmp_path_factory, "+".join(statement_ids), statement_ids)
    shutil.copytree(shared.root, tmp_path / "copy", symlinks=True)
    return Project.at(tmp_path / "copy")


@pytest.fixture
def both(tmp_path_factory, tmp_path) -> Project:
    """ghouta-2017 and one-voice-2019, every edition built."""
    return built_copy(tmp_path_factory, tmp_path, (GHOUTA, ONE_VOICE))


def stamps(project: Project, statement_id: str | None = None) -> dict[str, tuple[int, int]]:
    """Each published file (of one statement, or all; not the hidden states, which a build
    refreshes with the new inputs' hashes) with its inode and modification time: a rewrite
    changes both."""
    folder = project.output_dir / statement_id if statement_id else project.output_dir
    return {p.relative_to(project.output_dir).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def printed(report) -> list[str]:
    return sorted(p.target.name for p in report.printed)


def every(statement_id: str) -> list[str]:
    """The names of every edition of a statement: each language's and the bilingual."""
    return sorted(f"{statement_id}.{variant}" for variant in (*LANGUAGES, "bilingual"))


def editions(project: Project, statement_id: str) -> dict[str, bytes]:
    """The HTML and PDF files of a statement's editions, with their bytes."""
    return {name: data for name, data in files_of(project.output_dir / statement_id).items()
            if name.endswith((".html", ".pdf"))}


# --- what a build prints -------------------------------------------------------------------------

def test_a_build_with_nothing_to_do_rewrites_nothing_and_never_imports_weasyprint(good):
    before = stamps(good)
    code = ("import sys; from pipeline.cli import main; status = main(['build', '-C', sys.argv[1]]); "
            "print('weasyprint' in sys.modules); sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", code, str(good.root)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert "sochi-2018.ar: up to date" in result.stderr
    assert "0 printed" in result.stderr
    assert stamps(good) == before


def test_editing_the_arabic_catalog_reprints_only_what_shows_that_arabic(both):
    project = both
    before = stamps(project)
    edit(project, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "بيتنا سوريا"', 'msgstr "بيتنا سورية"')
    report = build(project, Request(statement_ids=(GHOUTA, ONE_VOICE)), jobs=1)
    assert printed(report) == ["ghouta-2017.ar", "ghouta-2017.bilingual"]
    after = stamps(project)
    for name in ("ghouta-2017/ghouta-2017.en.pdf", "ghouta-2017/ghouta-2017.en.html",
                 "one-voice-2019/one-voice-2019.ar.pdf", "one-voice-2019/one-voice-2019.bilingual.pdf"):
        assert after[name] == before[name], name
    assert after["ghouta-2017/ghouta-2017.ar.pdf"] != before["ghouta-2017/ghouta-2017.ar.pdf"]
    assert "بيتنا سورية" in (project.output_dir / GHOUTA / "ghouta-2017.ar.html").read_text("utf-8")


def test_a_template_change_reprints_every_edition_and_force_reprints_all(both):
    project = both
    only = Request(statement_ids=(ONE_VOICE,))  # one statement is enough, and prints less
    edit(project, "templates/statement.css", "color: #111;", "color: #000;")
    assert printed(build(project, only, jobs=1)) == every(ONE_VOICE)
    assert printed(build(project, only, jobs=1)) == []
    forced = build(project, Request(statement_ids=(ONE_VOICE,), languages=("en",), force=True), jobs=1)
    assert printed(forced) == ["one-voice-2019.en"]


def test_a_damaged_output_file_is_printed_again(both):
    project = both
    pdf = project.output_dir / ONE_VOICE / "one-voice-2019.en.pdf"
    whole = pdf.read_bytes()
    pdf.write_bytes(whole[:100])
    assert printed(build(project, Request(), jobs=1)) == ["one-voice-2019.en"]
    assert pdf.read_bytes() == whole


def test_an_output_file_changed_with_its_size_and_times_kept_is_printed_again(both):
    """The build knows a published file by its stat while it is as recorded when it was hashed
    (output/.files.state.json): a file whose bytes changed but not its size nor its modification
    time still has another change time, and is read and found changed."""
    project = both
    assert printed(build(project, Request(), jobs=1)) == []  # records every file's stat
    pdf = project.output_dir / ONE_VOICE / "one-voice-2019.en.pdf"
    whole, info = pdf.read_bytes(), pdf.stat()
    pdf.write_bytes(whole[:-8] + b"%damaged")
    os.utime(pdf, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert printed(build(project, Request(), jobs=1)) == ["one-voice-2019.en"]
    assert pdf.read_bytes() == whole


def test_a_touched_output_file_is_read_again_and_printed_never(both):
    project = both
    assert printed(build(project, Request(), jobs=1)) == []
    before = stamps(project)
    for path in (project.output_dir / ONE_VOICE).iterdir():
        os.utime(path, ns=(1, 1_000_000_000))
    assert printed(build(project, Request(), jobs=1)) == []
    after = stamps(project)
    assert {name: inode for name, (inode, _) in after.items()} == {
        name: inode for name, (inode, _) in before.items()}


def test_reordering_signatories_reprints_every_edition_of_that_statement(both):
    project = both
    edit(project, "sources/ghouta-2017.yaml", "  - Baytna Syria\n", "")
    edit(project, "sources/ghouta-2017.yaml", "  - Women Now for Development\n",
         "  - Women Now for Development\n  - Baytna Syria\n")
    assert printed(build(project, Request(), jobs=1)) == every(GHOUTA)


def test_an_editors_backup_file_in_templates_changes_nothing(both):
    project = both
    (project.templates_dir / ".statement.css.swp").write_bytes(b"vim swap")
    (project.templates_dir / "statement.css~").write_bytes(b"backup")
    report = build(project, Request(), jobs=1)
    assert printed(report) == [] and not report.refused
    assert not [p.name for p in (project.output_dir / "_assets").rglob("*") if p.name.endswith(
        ("~", ".swp"))]


def test_building_one_language_keeps_the_language_links_to_the_others(both, capsys):
    project = both
    page = project.output_dir / GHOUTA / "ghouta-2017.en.html"
    page.unlink()  # the English edition is printed again (an English catalog entry would not
    # do: the English edition of an English statement prints its source and templates as written)
    status, errors = cli(capsys, project, "build", GHOUTA, "--lang", "en", "-j1")
    assert status == 0, errors
    html = page.read_text("utf-8")
    assert "<h2>Signatories</h2>" in html
    assert ('<link rel="alternate" hreflang="ar-SY" '
            'href="https://example.org/statements/ghouta-2017/ghouta-2017.ar.html">') in html
    assert '<a href="ghouta-2017.ar.html" hreflang="ar-SY" lang="ar-SY">العربية</a>' in html


# --- the same inputs, the same bytes -------------------------------------------------------------

def test_separate_processes_in_separate_folders_give_identical_bytes(tmp_path):
    first = make_project(tmp_path / "first", (GHOUTA,))
    second = make_project(tmp_path / "second" / "elsewhere", (GHOUTA,))
    runs = [subprocess.Popen([sys.executable, "-m", "pipeline", "build", "-j", jobs, "-C",
                              str(project.root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for project, jobs in ((first, "1"), (second, "2"))]
    for run in runs:
        _, errors = run.communicate(timeout=300)
        assert run.returncode == 0, errors
    a, b = files_of(first.output_dir), files_of(second.output_dir)
    assert sorted(a) == sorted(b)
    assert [name for name in a if name.endswith(".pdf")] == [
        f"ghouta-2017/{name}.pdf" for name in every(GHOUTA)]
    for name in a:
        if name in (".lock", DIGESTS):  # the lock; the files' stat on this disk (as git's index)
            continue
        assert a[name] == b[name], name
        assert str(tmp_path).encode() not in a[name], f"{name} records the folder it was built in"


def test_verify_names_a_file_that_differs_one_no_input_gives_and_one_missing(both, capsys):
    project = both
    folder = project.output_dir / GHOUTA
    html = folder / "ghouta-2017.ar.html"
    html.write_text(html.read_text("utf-8").replace("الجهات الموقّعة", "الجهات الموقعة"), "utf-8")
    (folder / "ghouta-2017.en.html").unlink()
    shutil.copy2(folder / "ghouta-2017.en.pdf", folder / "ghouta-2017.de.pdf")
    status, errors = cli(capsys, project, "verify", "-j1", "-q")
    assert status == 1
    assert errors == [
        "output/ghouta-2017/ghouta-2017.ar.html: differs from a fresh build of the same inputs",
        "output/ghouta-2017/ghouta-2017.de.pdf: is not given by the inputs (left from a removed "
        "statement or language?): `python -m pipeline build` removes it",
        "output/ghouta-2017/ghouta-2017.en.html: is missing: `python -m pipeline build` prints it",
    ]


def test_verify_rebuilds_each_edition_with_the_options_it_was_printed_with(both, capsys):
    """After `build ghouta-2017 --print-shop`, verify compares ghouta's editions with a fresh
    print-shop build and one-voice's with a fresh build with the default options (it compared
    every statement with a print-shop build, and named one-voice's untouched files); a file
    that really differs is still named."""
    project = both
    status, errors = cli(capsys, project, "build", GHOUTA, "--print-shop", "-j1", "-q")
    assert status == 0, errors
    assert cli(capsys, project, "verify", "-j1", "-q") == (0, [])
    html = project.output_dir / ONE_VOICE / "one-voice-2019.en.html"
    printed = html.read_bytes()
    html.write_bytes(printed + b"\n")
    status, errors = cli(capsys, project, "verify", "-j1", "-q")
    assert (status, errors) == (1, ["output/one-voice-2019/one-voice-2019.en.html: differs from a "
                                    "fresh build of the same inputs"])
    # The print-shop statement's source removed: its files are named, not built or crashed on.
    html.write_bytes(printed)
    project.source_path(GHOUTA).unlink()
    status, errors = cli(capsys, project, "verify", "-j1", "-q")
    assert status == 1
    assert ("output/ghouta-2017/ghouta-2017.ar.pdf: is not given by the inputs (left from a "
            "removed statement or language?): `python -m pipeline build` removes it") in errors
    assert not [line for line in errors if ONE_VOICE in line], errors


# --- editions are independent (the acceptance test of the issue) --------------------------------

def test_adding_a_statement_never_touches_another_statements_editions(good, capsys):
    """With only Sochi built, adding ghouta-2017 (its statement and its translations) prints
    ghouta and leaves every Sochi edition as it was, byte for byte and file for file; so does a
    signatory that ghouta comes to share with Sochi, and a change of references alone prints
    nothing at all. `verify` agrees with everything the builds left."""
    project = good
    for statement_id in (GHOUTA, ONE_VOICE):
        project.source_path(statement_id).unlink()
    assert cli(capsys, project, "update")[0] == 0
    status, errors = cli(capsys, project, "build", "-j1")
    assert status == 0, errors
    assert sorted(p.name for p in project.output_dir.iterdir() if p.is_dir()
                  and p.name != WEBFONT_CACHE) == ["_assets", SOCHI]
    index = (project.output_dir / "index.html").read_text("utf-8")
    assert "sochi-2018/sochi-2018.en.html" in index and GHOUTA not in index
    sochi_bytes, sochi_files = editions(project, SOCHI), stamps(project, SOCHI)
    assert len(sochi_bytes) == 2 * len(every(SOCHI))  # HTML and PDF

    # add ghouta-2017: its statement, and the catalogs that hold its translations
    shutil.copy2(FIXTURE_PROJECT / "sources" / "ghouta-2017.yaml", project.source_path(GHOUTA))
    for code in LANGUAGES:
        shutil.copy2(FIXTURE_PROJECT / "locales" / code / "LC_MESSAGES" / "statements.po",
                     project.catalog_path(code))
    status, errors = cli(capsys, project, "update")
    assert status == 0, errors
    report = build(project, Request(), jobs=1)
    assert not report.refused, [str(e) for e in report.refused]
    assert printed(report) == every(GHOUTA)
    assert editions(project, SOCHI) == sochi_bytes
    assert stamps(project, SOCHI) == sochi_files, "a Sochi edition was written again"
    assert "ghouta-2017/ghouta-2017.ar.html" in (project.output_dir / "index.html").read_text("utf-8")

    # ghouta comes to share one more signatory with Sochi: translated once, for both
    edit(project, "sources/ghouta-2017.yaml", "  - Women Now for Development\n",
         f"  - Women Now for Development\n  - {SHARED_NAME}\n")
    status, errors = cli(capsys, project, "update")
    assert status == 0, errors
    assert "locales/ar/LC_MESSAGES/statements.po: 0 new, 0 fuzzy, 0 obsolete" in errors
    report = build(project, Request(), jobs=1)
    assert not report.refused, [str(e) for e in report.refused]
    assert printed(report) == every(GHOUTA)
    html = (project.output_dir / GHOUTA / "ghouta-2017.ar.html").read_text("utf-8")
    assert "كش ملك" in re.findall(r"<li value=\"4\">(.*?)</li>", html)[0]
    assert editions(project, SOCHI) == sochi_bytes
    assert stamps(project, SOCHI) == sochi_files, "a Sochi edition was written again"

    # references alone move (a comment shifts every line of ghouta): nothing is printed
    catalog_before = project.catalog_path("ar").read_bytes()
    edit(project, "sources/ghouta-2017.yaml", "id: ghouta-2017\n",
         "# Signed in November 2017.\n\nid: ghouta-2017\n")
    status, errors = cli(capsys, project, "update")
    assert status == 0, errors
    assert project.catalog_path("ar").read_bytes() != catalog_before, "the references moved"
    everything = stamps(project)
    report = build(project, Request(), jobs=1)
    assert printed(report) == [] and not report.refused
    assert stamps(project) == everything

    assert verify(project, jobs=2) == []


def test_removing_a_statement_removes_its_editions_and_its_index_entry(both, capsys):
    project = both
    project.source_path(ONE_VOICE).unlink()
    status, errors = cli(capsys, project, "build", "-j1")
    assert status == 0, errors
    assert not (project.output_dir / ONE_VOICE).exists()
    assert not list(project.output_dir.rglob("*one-voice*"))
    index = (project.output_dir / "index.html").read_text("utf-8")
    assert ONE_VOICE not in index and "ghouta-2017/ghouta-2017.en.html" in index
    assert any("one-voice-2019.en: removed" in e for e in errors), errors
    assert verify(project, jobs=1) == []


def test_removing_a_released_languages_catalog_alone_is_refused_and_keeps_its_editions(both,
                                                                                        capsys):
    """The settings still release Arabic: its editions are not silently deleted."""
    project = both
    before = sorted(p.name for p in (project.output_dir / GHOUTA).iterdir())
    shutil.rmtree(project.locales_dir / "ar")
    status, errors = cli(capsys, project, "build", "-j1")
    assert status == 1
    assert any(e.startswith("pyproject.toml:8: [tool.pipeline] released names 'ar', which has no "
                            "catalog") for e in errors), errors
    assert sorted(p.name for p in (project.output_dir / GHOUTA).iterdir()) == before


def test_removing_a_language_removes_its_editions(both, capsys):
    project = both
    shutil.rmtree(project.locales_dir / "ar")
    edit(project, "pyproject.toml", 'bilingual = ["en", "ar"]\n', "")
    edit(project, "pyproject.toml", 'released = ["en", "ar", "fa", "fr"]',
         'released = ["en", "fa", "fr"]')
    status, errors = cli(capsys, project, "build", "-j1")
    assert status == 0, errors
    for statement_id in (GHOUTA, ONE_VOICE):
        assert sorted(p.name for p in (project.output_dir / statement_id).iterdir()) == sorted(
            name for code in LANGUAGES if code != "ar"
            for name in (f".{statement_id}.{code}.state.json", f"{statement_id}.{code}.html",
                         f"{statement_id}.{code}.pdf", f"{statement_id}.{code}.png"))
    # Exactly ar's editions and the bilingual are removed (HTML, PDF, share image, state); the
    # other languages' pages link their Arabic edition, so those links change and each of the
    # six en/fa/fr editions IS reprinted (and nothing else).
    assert errors[-1].startswith("6 printed"), errors[-1]
    assert sorted(line.split(":")[0] for line in errors if ": removed: " in line) == sorted(
        f"{statement_id}.{edition}" for statement_id in (GHOUTA, ONE_VOICE)
        for edition in ("ar", "bilingual"))
    index = (project.output_dir / "index.html").read_text("utf-8")
    assert ".ar." not in index and "bilingual" not in index
    english = (project.output_dir / ONE_VOICE / "one-voice-2019.en.html").read_text("utf-8")
    assert "one-voice-2019.ar.html" not in english, "no link to an edition that is gone"
    assert verify(Project.at(project.root), jobs=1) == []  # with the new settings


"""The planner decides once: a pure plan (it opens no file), one honest view of what ``output/``
holds (a link, a folder or a FIFO in an edition's place is stale, never "up to date" and never a
hang), and pages that link only what is there, in ``output/`` and in every bundle, whatever
was refused, removed or left unreleased."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.build import build, catalog_translations
from pipeline.commands.dist import bundle
from pipeline.commands.update import update
from pipeline.errors import PipelineError
from pipeline.model import BILINGUAL, Target
from pipeline.parse import parse
from pipeline.plan import DEFAULT_REQUEST, Request, make_plan, quick_check
from pipeline.project import Project
from pipeline.snapshot import catalog_languages, take
from pipeline.state import Published, read_published_editions, read_translations

from .conftest import LANGUAGES, SMALL, keep_languages, make_project
from .helpers import edit

# --- the plan is pure ---------------------------------------------------------------------------

_watching: list[str] = []
_FILE_EVENTS = ("open", "os.listdir", "os.scandir", "os.stat", "os.remove", "os.rename",
                "os.mkdir", "shutil.", "glob.glob", "os.walk")


def _audit(event: str, args: tuple) -> None:
    if _watching and event.startswith(_FILE_EVENTS):
        _watching.append(f"{event} {args[:1]!r}")


sys.addaudithook(_audit)


def test_make_plan_opens_no_file_and_changes_no_module_state(project):
    parsed = parse(take(project), tuple(catalog_languages(project)))
    modules = {name: dict(vars(module)) for name, module in sys.modules.items()
               if name.startswith("pipeline")}
    for request in (DEFAULT_REQUEST, Request(draft=True), Request(languages=("en",))):
        _watching[:] = ["watching"]
        try:
            plan = make_plan(parsed, request)
        finally:
            seen, _watching[:] = _watching[1:], []
        assert seen == [], f"make_plan({request}) touched the file system: {seen[:5]}"
        assert plan.editions
    after = {name: dict(vars(module)) for name, module in sys.modules.items()
             if name.startswith("pipeline")}
    assert after.keys() == modules.keys()
    for name, names in modules.items():
        assert after[name].keys() == names.keys(), f"{name}'s names changed"
        changed = [key for key, value in names.items() if after[name][key] is not value]
        assert changed == [], f"make_plan rebound {name}.{changed}"


def test_the_audit_hook_sees_a_file_being_opened(tmp_path):
    """The purity test would pass vacuously if the hook saw nothing."""
    _watching[:] = ["watching"]
    try:
        (tmp_path / "x").write_text("x")
    finally:
        seen, _watching[:] = _watching[1:], []
    assert any(event.startswith("open") for event in seen)


# --- an edition's files, honestly ----------------------------------------------------------------

def _published(project: Project) -> tuple[Published, Target]:
    """A plan's states written to ``output/`` with files holding the recorded bytes."""
    parsed = parse(take(project), tuple(catalog_languages(project)))
    plan = make_plan(parsed, DEFAULT_REQUEST)
    output = project.output_dir
    for edition in plan.editions:
        files = {}
        for kind, path in edition.target.paths(output).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"{edition.target.name} {kind}".encode())
            files[kind] = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
        state = dataclasses.replace(edition.state, files=files, pages=1)
        edition.target.state_path(output).write_bytes(state.to_bytes())
    return read_published_editions(output, output / "drafts"), Target("ghouta-2017", "en")


@pytest.mark.parametrize("replacement", ["symlink", "folder", "fifo", "changed", "removed"])
def test_an_edition_file_that_is_not_as_printed_is_stale_never_up_to_date(small, replacement):
    published, target = _published(small)
    assert target in published.intact
    assert len(published.intact) == len(published.states) == len(SMALL) * (len(LANGUAGES) + 1)
    pdf = target.paths(small.output_dir)["pdf"]
    pdf.unlink()
    if replacement == "symlink":
        pdf.symlink_to("/etc/passwd")
    elif replacement == "folder":
        pdf.mkdir()
    elif replacement == "fifo":
        os.mkfifo(pdf)  # reading it would block for ever: it must not be opened for reading
    elif replacement == "changed":
        pdf.write_bytes(b"%PDF- something else")
    after = read_published_editions(small.output_dir, small.output_dir / "drafts")
    assert target in after.states and target not in after.intact
    assert after.fresh(target) is None
    assert after.intact == published.intact - {target}
    snapshot = take(small)
    quick = quick_check(snapshot, tuple(catalog_languages(small)), ["en", "ar"],
                        DEFAULT_REQUEST, after, lambda: True, catalog_translations(small, snapshot))
    assert quick.reasons == ["ghouta-2017.en: its inputs changed or its files are not as printed"]
    assert quick.statements == {"ghouta-2017"}
    plan = make_plan(parse(snapshot), DEFAULT_REQUEST, after)
    [edition] = [e for e in plan.editions if e.target == target]
    assert not edition.up_to_date
    assert edition.reason == "its files in output/ are not as printed (changed, removed or replaced)"


def test_a_catalog_changed_for_one_statement_looks_at_that_statement_alone(small):
    """Phase one compares each edition's own translations, not its catalog's bytes: a
    translation of one statement changed (and the catalog's other entries moved about) leaves
    the other statement unparsed and up to date, as the full plan finds it too."""
    published, _ = _published(small)
    path = small.catalog_path("ar")
    catalog = read_catalog(path.read_bytes(), "ar", "ar")
    [changed] = [entry for entry in catalog.entries if entry.msgctxt == "title"
                 and any("one-voice-2019" in reference for reference in entry.references)]
    changed.msgstr += " (مراجعة)"
    catalog.entries.reverse()  # every entry on other lines: no edition's concern
    path.write_bytes(serialise(catalog))
    snapshot = take(small)
    available = tuple(catalog_languages(small))
    quick = quick_check(snapshot, available, ["en", "ar"], DEFAULT_REQUEST, published,
                        lambda: True, catalog_translations(small, snapshot))
    assert quick.statements == {"one-voice-2019"}
    assert sorted(quick.reasons) == [f"one-voice-2019.{variant}: its inputs changed or its files "
                                     "are not as printed" for variant in ("ar", "bilingual")]
    plan = make_plan(parse(snapshot, available), DEFAULT_REQUEST, published)
    stale = {edition.target.name for edition in plan.stale}
    assert stale == {"one-voice-2019.ar", "one-voice-2019.bilingual"}, stale
    assert quick_check(snapshot, available, ["en", "ar"], DEFAULT_REQUEST, published,
                       lambda: True, catalog_translations(small, snapshot)).statements == {
        "one-voice-2019"}, "the second run reads the catalog's record, and finds the same"
    assert read_translations(small.output_dir, snapshot.toolchain)["ar"].digest == \
        snapshot.catalogs["ar"].digest
    assert read_translations(small.output_dir, "another pipeline") == {}, \
        "a record made by another version of the code is not trusted"


# --- every page links only what is there ---------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]
        found = dict(attrs)
        if tag == "meta" and (found.get("property") or found.get("name")) in (
                "og:image", "twitter:image") and found.get("content"):
            self.found.append(found["content"] or "")  # the share image


SITE_URL = "https://example.org/statements/"
"""The fixture project's ``site-url``: a page names its canonical address, its other languages
and its share image under it."""


def _targets(html: str, css: bool = False, site_url: str = "") -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = parser.found
    if css:
        found += re.findall(r"url\(\s*['\"]?([^'\")]+)", html)
    return [link for link in found if (not urlsplit(link).scheme and not link.startswith("#"))
            or (site_url and link.startswith(site_url))]


def broken_links(files: dict[str, bytes], site_url: str = "") -> list[str]:
    """Every relative ``href``/``src`` (and stylesheet ``url()``) of the pages among ``files``
    (by POSIX path) that names no file among them; with ``site_url`` (``files`` are the site
    published there), every absolute address below it too (a folder's is its index.html)."""
    broken = []
    for name, data in files.items():
        if not name.endswith((".html", ".css")):
            continue
        for link in _targets(data.decode("utf-8", "replace"), css=True, site_url=site_url):
            if site_url and link.startswith(site_url):
                path = unquote(urlsplit(link.removeprefix(site_url)).path)
                target = os.path.normpath(path + "index.html" if path.endswith("/") or not path
                                          else path)
            else:
                path = unquote(urlsplit(link).path)
                if not path:
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(name), path))
            if target not in files:
                broken.append(f"{name} -> {link}")
    return broken


def output_files(project: Project) -> dict[str, bytes]:
    root = project.output_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def zip_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def make_fuzzy(project: Project) -> None:
    edit(project, "sources/ghouta-2017.yaml", "Nearly 400,000 people", "Almost 400,000 people")
    update(project)


def clear_fuzzy(project: Project, code: str) -> None:
    path = project.root / f"locales/{code}/LC_MESSAGES/statements.po"
    catalog = read_catalog(path.read_bytes(), path.name, code)
    for entry in catalog.entries:
        entry.flags.discard("fuzzy")
        entry.previous_msgid = None
    path.write_bytes(serialise(catalog))


def released(project: Project, codes: list[str]) -> Project:
    text = (project.root / "pyproject.toml").read_text()
    text = re.sub(r"released = \[[^\]]*\]", "released = [" + ", ".join(f'"{c}"' for c in codes)
                  + "]", text)
    (project.root / "pyproject.toml").write_text(text)
    return Project.at(project.root)


@pytest.mark.slow
def test_every_page_links_only_what_is_there(tmp_path):
    project = keep_languages(make_project(tmp_path / "p", ("ghouta-2017", "one-voice-2019")),
                             "en", "ar")
    index = project.output_dir / "index.html"

    # A language refused on the first build: nothing links its edition, never printed.
    make_fuzzy(project)
    report = build(project)
    assert [t for e in report.refused for t in [str(e)] if "ghouta-2017.ar is not printed" in t]
    assert not (project.output_dir / "ghouta-2017/ghouta-2017.ar.html").exists()
    files = output_files(project)
    assert broken_links(files, SITE_URL) == []
    assert "ghouta-2017.en.html" in index.read_text()
    assert "ghouta-2017.ar." not in files["ghouta-2017/ghouta-2017.en.html"].decode()
    assert "one-voice-2019.ar.html" in files["one-voice-2019/one-voice-2019.en.html"].decode()

    # Translated again: the English edition now links the Arabic one.
    clear_fuzzy(project, "ar")
    report = build(project)
    assert {p.target for p in report.printed} >= {Target("ghouta-2017", "ar"),
                                                  Target("ghouta-2017", "en")}
    assert broken_links(output_files(project), SITE_URL) == []
    assert "ghouta-2017.ar.html" in (project.output_dir / "ghouta-2017/ghouta-2017.en.html"
                                     ).read_text()

    # Refused once more: the last good Arabic edition is kept, linked, and shown as behind.
    make_fuzzy_again = "Almost 400,000 people"
    edit(project, "sources/ghouta-2017.yaml", make_fuzzy_again, "Some 400,000 people")
    update(project)
    build(project)
    assert broken_links(output_files(project), SITE_URL) == []
    assert (project.output_dir / "ghouta-2017/ghouta-2017.ar.pdf").exists()
    behind = re.findall(r'href="([^"]+)"[^<]*</a> <span lang="en" dir="ltr" class="behind">',
                        index.read_text())
    assert behind == ["ghouta-2017/ghouta-2017.ar.html"], "the index shows which edition lags"

    # A bundle of one language links nothing outside itself.
    clear_fuzzy(project, "ar")
    [english] = bundle(project, ["ghouta-2017"], ["en"])
    inside = zip_files(english)
    assert "ghouta-2017.en.pdf" in inside and "ghouta-2017.ar.pdf" not in inside
    # As unpacked: the PDFs at the top, the web pages below html/ (a page links its PDF).
    assert broken_links(inside) == []
    assert 'href="../../ghouta-2017.en.pdf"' in inside["html/ghouta-2017/ghouta-2017.en.html"].decode()
    bundles = bundle(project)
    for path in bundles:
        assert broken_links(zip_files(path)) == []

    # Arabic no longer released: its editions go, and nothing links them.
    project = released(project, ["en"])
    report = build(project)
    files = output_files(project)
    assert not any(".ar." in name or BILINGUAL in name for name in files), sorted(files)
    assert broken_links(files, SITE_URL) == []
    assert "ar" not in re.findall(r'hreflang="([^"]+)"', files["ghouta-2017/ghouta-2017.en.html"]
                                  .decode())

    # Nothing released: refused as a setting, with its line, before anything is done.
    with pytest.raises(PipelineError, match="released names no language"):
        released(project, [])
    assert broken_links(output_files(project)) == []

    # A statement removed: its editions go, and the index no longer names it.
    project = released(project, ["en", "ar"])
    (project.root / "sources/one-voice-2019.yaml").unlink()
    build(project)
    files = output_files(project)
    assert not any(name.startswith("one-voice-2019/") for name in files)
    assert "one-voice-2019" not in files["index.html"].decode()
    assert broken_links(files) == []

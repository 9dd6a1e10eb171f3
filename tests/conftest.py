"""The test suite's own projects and shared builds.

Tests never read the repository's ``sources/`` or ``locales/``: they copy the statements,
catalogs and settings of ``tests/fixtures/project`` into a temporary project, beside the
repository's templates and extraction mapping (the product under test). The fixture project
holds three statements of different shapes:

- ``sochi-2018``: a day for a date, a subtitle, six paragraphs, 133 signatories (the seed);
- ``ghouta-2017``: a month for a date, no subtitle, emphasis, a link and a list in its
  paragraphs, four signatories (one that also signed Sochi, one that gives its own Arabic name,
  one whose name is written in Arabic);
- ``one-voice-2019``: a year for a date, a long title and no signatories.

It releases four languages, every statement translated: English (the source) and French, left to
right in the Latin script, and Arabic and Persian, right to left in the Arabic script with digits
of their own. Tests about a story of two languages (a new language started with ``init fr``) make
a project of English and Arabic only with ``keep_languages``. Its ``site-url`` is
``https://example.org/statements/``: its pages name their canonical address, language alternates
and share image absolutely, as a published site's pages do (search engines and Lighthouse take
no relative alternate).

Layers: tests that print PDFs are marked ``slow`` (``make test-fast`` leaves them out); a build of
every edition is made once per session and shared, read-only, by the tests that only read it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.commands.build import build
from pipeline.plan import Request
from pipeline.project import Project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_PROJECT = FIXTURES / "project"
PRODUCT_FILES = ("templates", "babel.cfg")
STATEMENTS = ("ghouta-2017", "one-voice-2019", "sochi-2018")
LANGUAGES = ("en", "ar", "fa", "fr")
"""The languages the fixture project releases, each with a complete catalog."""
SMALL = ("ghouta-2017", "one-voice-2019")
"""The statements that print in a fraction of a second: for tests where the seed is not the point."""


def make_project(destination: Path, statements: tuple[str, ...] = STATEMENTS) -> Project:
    """A project of the fixture's settings, catalogs and the named statements, with the
    repository's templates."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PRODUCT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy2(source, destination / name)
    shutil.copy2(FIXTURE_PROJECT / "pyproject.toml", destination / "pyproject.toml")
    shutil.copytree(FIXTURE_PROJECT / "locales", destination / "locales")
    (destination / "sources").mkdir()
    for statement_id in statements:
        shutil.copy2(FIXTURE_PROJECT / "sources" / f"{statement_id}.yaml",
                     destination / "sources" / f"{statement_id}.yaml")
    return Project.at(destination)


def keep_languages(project: Project, *codes: str) -> Project:
    """The project with only the catalogs of ``codes`` (the others removed) and those languages
    released: ``keep_languages(small, "en", "ar")`` is a project of English and Arabic, where
    French can be started anew with ``init fr``."""
    for folder in sorted(project.locales_dir.iterdir()):
        if folder.is_dir() and folder.name not in codes:
            shutil.rmtree(folder)
    settings = project.root / "pyproject.toml"
    text = settings.read_text("utf-8")
    locales = re.search(r"^formatting-locales = \{(.*)\}$", text, re.M)
    released = re.search(r"^released = \[.*\]$", text, re.M)
    assert locales and released, "the fixture's pyproject.toml changed: update keep_languages"
    kept = [pair.strip() for pair in locales.group(1).split(",")
            if pair.split("=")[0].strip() in codes]
    text = text.replace(locales.group(0), f"formatting-locales = {{ {', '.join(kept)} }}")
    text = text.replace(released.group(0),
                        "released = [" + ", ".join(f'"{code}"' for code in codes) + "]")
    settings.write_text(text, "utf-8")
    return Project.at(project.root)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A private project with all three fixture statements, free to edit."""
    return make_project(tmp_path / "project")


@pytest.fixture
def small(tmp_path: Path) -> Project:
    """A private project with the two short statements: fast to print."""
    return make_project(tmp_path / "small", SMALL)


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str,
              make: Callable[[Path], None]) -> Project:
    """``make(folder)`` run once per test session, shared by pytest-xdist's workers (the first to
    come makes it, under a lock; the others wait and use it): the project it made in
    ``folder / "project"``. Read it, never change it (copy it)."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / f"shared-{name}"
    with open(base / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            if folder.exists():
                shutil.rmtree(folder)
            make(folder)
            (folder / "done").write_text("made")
    return Project.at(folder / "project")


def build_or_fail(project: Project, jobs: int = 2) -> None:
    """Print every edition of ``project``, failing the test if any is refused."""
    report = build(project, Request(), jobs=jobs)
    assert not report.refused, [str(e) for e in report.refused]


def _shared_build(tmp_path_factory: pytest.TempPathFactory, name: str,
                  statements: tuple[str, ...]) -> Project:
    """The fixture's ``statements`` built once per test session (see made_once)."""
    return made_once(tmp_path_factory, name,
                     lambda folder: build_or_fail(make_project(folder / "project", statements)))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Every fixture statement built in every language: read it, never change it (copy it)."""
    return _shared_build(tmp_path_factory, "all", STATEMENTS)


@pytest.fixture
def good(built: Project, tmp_path: Path) -> Project:
    """A private copy of a project with every edition built: the previous good output."""
    shutil.copytree(built.root, tmp_path / "good", symlinks=True)
    return Project.at(tmp_path / "good")


@pytest.fixture(scope="session")
def seed() -> dict:
    """The Sochi statement's original text: title, subtitle, date, paragraphs and signatories."""
    text = (FIXTURES / "sochi-2018.seed.txt").read_text("utf-8")
    lines = [line for line in (line.strip() for line in text.splitlines()) if line]
    heading = lines.index("Signatories:")
    return {
        "title": lines[0], "subtitle": lines[1], "date": lines[2],
        "paragraphs": lines[3:heading],
        "signatories": [re.sub(r"^\d+\.\s+", "", line) for line in lines[heading + 1:]],
    }

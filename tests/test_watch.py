"""The watcher: on every save it brings the catalogs up to date and reprints what the save
affects; a bad save is reported and the watcher keeps watching; its own catalog writes start no
further round.

The watcher runs in a thread on a copy of a build of the two short statements (nothing to print
when it starts); each test waits for what the watcher does, with a generous deadline, and
asserts nothing about how long it took.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from pipeline import log
from pipeline.catalogs.pofile import read_catalog
from pipeline.commands.watch import watch
from pipeline.plan import Request
from pipeline.project import Project

from .conftest import SMALL, _shared_build
from .helpers import edit

pytestmark = pytest.mark.slow

GHOUTA = "sources/ghouta-2017.yaml"
DEADLINE = 60.0


def wait_for(condition: Callable[[], bool], seconds: float = DEADLINE) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def inode(path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


@pytest.fixture
def short(tmp_path_factory, tmp_path) -> Project:
    """A private copy of a build of the two short statements (made once per session and shared,
    as conftest's ``built`` is): the watcher starts with nothing to print."""
    shared = _shared_build(tmp_path_factory, "+".join(SMALL), SMALL)
    shutil.copytree(shared.root, tmp_path / "short", symlinks=True)
    return Project.at(tmp_path / "short")


@pytest.fixture
def watching(short: Project, caplog: pytest.LogCaptureFixture) -> Iterator[Project]:
    """The watcher running on the project; stopped (and checked to stop) after the test."""
    caplog.set_level(logging.INFO, logger=log.name)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(short, Request()), kwargs={"stop": stop},
                               daemon=True)
    watcher.start()
    try:
        assert wait_for(lambda: "watching" in caplog.text), caplog.text
        yield short
        assert watcher.is_alive(), "the watcher stopped by itself"
    finally:
        stop.set()
        watcher.join(timeout=DEADLINE)
    assert not watcher.is_alive(), "the watcher does not stop when asked"


def rounds(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What started each round after the first: the watcher's "changed: ..." lines."""
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("changed: ")]


def builds(caplog: pytest.LogCaptureFixture) -> int:
    """How many builds have finished (each ends with its summary line)."""
    return sum(1 for r in caplog.records if " printed (" in r.getMessage())


def test_a_save_reprints_the_edition_and_a_bad_save_is_reported(watching, caplog):
    project = watching
    pdf = project.output_dir / "ghouta-2017" / "ghouta-2017.ar.pdf"
    first = inode(pdf)
    edit(project, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "بيتنا سوريا"', 'msgstr "بيتنا سورية"')
    assert wait_for(lambda: inode(pdf) != first), "the edit was not printed"
    assert wait_for(lambda: "بيتنا سورية" in pdf.with_suffix(".html").read_text("utf-8"))
    source = project.root / GHOUTA
    source.write_text(source.read_text("utf-8") + "junk: [\n", "utf-8")
    assert wait_for(lambda: "YAML syntax error" in caplog.text), caplog.text
    assert any(r.levelno == logging.ERROR and r.getMessage().startswith(f"{GHOUTA}:")
               and "YAML syntax error" in r.getMessage() for r in caplog.records)
    assert pdf.is_file(), "a bad save leaves the last good editions in place"


def test_an_edited_paragraph_becomes_fuzzy_and_the_english_is_reprinted(watching, caplog):
    project = watching
    english = project.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    arabic = project.output_dir / "ghouta-2017" / "ghouta-2017.ar.pdf"
    first, arabic_before = inode(english), arabic.read_bytes()
    done = builds(caplog)
    seen = len(caplog.records)
    edit(project, GHOUTA, "fuel are running out", "fuel are running low")
    assert wait_for(lambda: inode(english) != first and builds(caplog) > done), caplog.text
    assert "running low" in english.with_suffix(".html").read_text("utf-8")

    # the watcher brought the catalogs up to date: the edit is a fuzzy message to review
    path = project.catalog_path("ar")
    catalog = read_catalog(path.read_bytes(), "ar.po", "ar")
    [fuzzy] = [m for m in catalog if m.fuzzy]
    assert "running low" in fuzzy.msgid and "running out" in fuzzy.previous_msgid
    said = [r.getMessage() for r in caplog.records[seen:]]
    assert any("paragraph 'Nearly 400,000 people" in line and "is fuzzy" in line for line in said), said
    assert not any("is not in the catalog" in line for line in said), said
    assert arabic.read_bytes() == arabic_before, "the refused Arabic edition is kept as it was"

    # the catalogs the watcher wrote itself start no round: the next round is the next save's
    mark = len(caplog.records)
    edit(project, GHOUTA, "signatories:\n", "signatories:\n  - Sentinel Association\n")
    assert wait_for(lambda: finished_after(caplog, mark)), caplog.text
    assert "Sentinel Association" in project.template_path.read_text("utf-8")
    started = rounds(caplog)
    assert started and all(line == f"changed: {GHOUTA}" for line in started), started


def finished_after(caplog: pytest.LogCaptureFixture, mark: int) -> bool:
    """Whether, after the first ``mark`` records, an update wrote the message template (it logs
    it only when it changes: a save of a statement's text) and a build then finished."""
    messages = [r.getMessage() for r in caplog.records[mark:]]
    written = [i for i, m in enumerate(messages) if m.startswith("locales/statements.pot: ")]
    return bool(written) and any(" printed (" in m for m in messages[written[0]:])


def test_warm_workers_print_the_same_bytes_as_a_cold_build(small: Project, tmp_path) -> None:
    """The pool ``watch`` and ``serve`` keep between saves (WeasyPrint, the fonts and the
    stylesheet loaded before the first job) prints every build given it, each edition byte for
    byte as a build with its own workers does, and ends with the command, not the build."""
    from pipeline.commands.build import build
    from pipeline.commands.watch import warm_printers

    twin = Project.at(shutil.copytree(small.root, tmp_path / "twin"))
    cold = build(twin, Request(), jobs=1)
    with warm_printers(small) as printers:
        workers = [worker.process for worker in printers.workers]
        assert workers
        warm = build(small, Request(), printers=printers)
        assert [w.process for w in printers.workers] == workers, "the build keeps them for the next"
        assert all(process.is_alive() for process in workers)
        cards = {name: image for name, (_, image) in printers.cards.items()}
        assert len(cards) == 10
        again = build(small, Request(force=True), printers=printers)
    assert printers.workers == [] and not any(process.is_alive() for process in workers), \
        "the workers end with their command"
    assert not cold.refused and not warm.refused and not again.refused
    assert len(warm.printed) == len(cold.printed) == len(again.printed) == 10  # 2 × (4 + bilingual)
    for edition in cold.printed:
        relative = edition.pdf.relative_to(twin.root)
        assert (small.root / relative).read_bytes() == edition.pdf.read_bytes(), relative
        image = relative.with_suffix(".png")
        assert (small.root / image).read_bytes() == (twin.root / image).read_bytes(), image
    # The second build reprinted every edition but drew no card again: the same title, date and
    # issuer give the image the pool kept (the very bytes object, not one drawn anew).
    assert all(edition.files["png"] is cards[edition.target.name] for edition in again.printed)

"""A command that prints (``build``, ``build --update``) starts its first worker as soon as the
bytes show that something changed, so that WeasyPrint loads on a core of its own while the
command still merges, parses and plans; a command with nothing to do starts none, and a worker
that was started for nothing is ended at once, not waited for."""

from __future__ import annotations

import signal

import pytest

import pipeline.printing
from pipeline.cli import main
from pipeline.printing import Printers
from pipeline.project import Project

from .helpers import edit

G = "sources/ghouta-2017.yaml"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each ``start_early`` of a command did: ``started`` or ``not started``, with two
    cores, whatever the machine has."""
    calls: list[str] = []
    start_early = Printers.start_early

    def recording(self: Printers) -> None:
        before = len(self.workers)
        start_early(self)
        calls.append("started" if len(self.workers) > before else "not started")

    monkeypatch.setattr(pipeline.printing.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(Printers, "start_early", recording)
    return calls


def test_a_worker_starts_when_something_changed_and_not_otherwise(project: Project,
                                                                  started: list[str]):
    root = str(project.root)
    assert main(["--project", root, "build", "--update", "-q"]) == 0
    assert started and started[0] == "started", "the first build has everything to print"
    started.clear()
    assert main(["--project", root, "build", "--update", "-q"]) == 0
    assert started == [], "nothing changed: no worker, not even asked for"
    edit(project, G, "Food, medicine", "Food, water, medicine")
    pdf = project.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    before = pdf.read_bytes()
    main(["--project", root, "build", "--update", "-q"])  # (the other editions wait: fuzzy)
    assert started[:1] == ["started"], "the update saw the edit: the worker started then"
    assert len(started) == 1 or set(started[1:]) == {"not started"}, started
    assert pdf.read_bytes() != before and b"Food, water, medicine" not in before


def test_one_core_prints_here(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pipeline.printing.os, "cpu_count", lambda: 1)
    with Printers.on_standby() as printers:
        printers.start_early()
        assert printers.workers == [] and not printers.pooled


def test_a_worker_started_for_nothing_is_ended_not_waited_for(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pipeline.printing.os, "cpu_count", lambda: 2)
    with Printers.on_standby() as printers:
        assert printers.workers == [], "on standby, a pool costs nothing"
        printers.start_early()
        printers.start_early()  # asked again (by the build, after the update): still one
        assert len(printers.workers) == 1 and printers.pooled
        process = printers.workers[0].process
    assert process.exitcode == -signal.SIGTERM, "terminated while it loaded WeasyPrint"


def test_a_language_left_refused_starts_no_worker_the_next_time(project: Project,
                                                               started: list[str]):
    """The edit leaves ghouta's Arabic and bilingual editions refused (fuzzy): every later build
    plans them again and refuses them again, printing nothing; the inputs are those the last
    build read, so none of them starts a worker for it."""
    root = str(project.root)
    assert main(["--project", root, "build", "--update", "-q"]) == 0
    edit(project, G, "Food, medicine", "Food, water, medicine")
    assert main(["--project", root, "build", "--update", "-q"]) == 1, "refused: fuzzy"
    assert started[-1:] in (["started"], ["not started"]) and "started" in started
    for command in (["build", "--update"], ["build"]):
        started.clear()
        assert main(["--project", root, *command, "-q"]) == 1, "refused again"
        assert started == [], f"{command}: the same inputs, nothing new to print: no worker"
    edit(project, G, "Food, water, medicine", "Food, water and medicine")
    started.clear()
    main(["--project", root, "build", "-q"])
    assert started == ["started"], "a new edit: the build started its worker early"

"""A command that prints (``build``, ``build --update``) starts its first worker as soon as the
bytes show that something changed, so that WeasyPrint loads on a core of its own while the
command still merges, parses and plans; a command with nothing to do starts none, and a worker
that was started for nothing is ended at once, not waited for."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

import pipeline.printing
from pipeline.cli import main
from pipeline.files import DIGESTS, MAX_PLANS, PublishedDigests
from pipeline.printing import Printers
from pipeline.project import Project
from pipeline.snapshot import short_hash

from .helpers import edit, pdf_text, squash

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

    monkeypatch.setattr(pipeline.printing, "cores", lambda: 2)
    monkeypatch.setattr(Printers, "start_early", recording)
    return calls


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many workers each pool of a command started, in all (early, grown, replaced)."""
    counts: dict[int, int] = {}
    start = Printers._start

    def counting(self: Printers) -> None:
        start(self)
        counts[id(self)] = counts.get(id(self), 0) + 1
        found[:] = list(counts.values())

    found: list[int] = []
    monkeypatch.setattr(Printers, "_start", counting)
    return found


@pytest.mark.slow
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
    monkeypatch.setattr(pipeline.printing, "cores", lambda: 1)
    with Printers.on_standby() as printers:
        printers.start_early()
        assert printers.workers == [] and not printers.pooled


def test_a_worker_started_for_nothing_is_ended_not_waited_for(monkeypatch: pytest.MonkeyPatch):
    """Ended at once, even just started: it then still blocks SIGTERM (until it has its orders,
    see ``Printers._start``), which took the command a tenth of a second to wait out."""
    monkeypatch.setattr(pipeline.printing, "cores", lambda: 2)
    with Printers.on_standby() as printers:
        assert printers.workers == [], "on standby, a pool costs nothing"
        printers.start_early()
        printers.start_early()  # asked again (by the build, after the update): still one
        assert len(printers.workers) == 1 and printers.pooled
        process = printers.workers[0].process
    assert process.exitcode == -signal.SIGKILL, "killed, not asked to end"


def test_a_core_this_process_may_not_run_on_is_no_core_to_spare(monkeypatch: pytest.MonkeyPatch):
    """``taskset -c 0 python -m pipeline build`` on a machine of four cores: one for the
    command, and a worker started early would only take turns with it."""
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert pipeline.printing.cores() == 1
    with Printers.on_standby() as printers:
        printers.start_early()
        assert printers.workers == [] and not printers.pooled


@pytest.mark.slow
def test_j1_starts_no_worker_early_and_prints_the_edit_here(good: Project, started: list[str],
                                                            spawned: list[int]):
    """``-j 1`` asks for one process at a time: no worker starts early (the edition is printed
    in the command's own process, as before the pool on standby)."""
    edit(good, G, "Food, medicine", "Food, water, medicine")
    pdf = good.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    before = pdf.read_bytes()
    main(["--project", str(good.root), "build", "--update", "-j", "1", "-q"])
    assert started and set(started) == {"not started"}, started
    assert spawned == [], "-j 1: no worker at all"
    assert pdf.read_bytes() != before


@pytest.mark.slow
def test_j4_with_one_edition_to_print_starts_one_worker(good: Project, started: list[str],
                                                        spawned: list[int]):
    """The worker started early is the pool: with one stale edition, ``-j 4`` grows it to
    no more than the one worker its one job needs."""
    edit(good, G, "Food, medicine", "Food, water, medicine")
    pdf = good.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    before = pdf.read_bytes()
    main(["--project", str(good.root), "build", "--update", "-j", "4", "-q"])
    assert started[:1] == ["started"], started
    assert spawned == [1], f"workers started: {spawned}"
    assert pdf.read_bytes() != before


@pytest.mark.slow
def test_force_with_the_same_inputs_starts_a_worker_early(good: Project, started: list[str]):
    """``--force`` prints everything again, whatever the last build read: the same inputs and
    the same request as the last build's is no reason to start no worker for it."""
    command = ["--project", str(good.root), "build", "ghouta-2017", "--lang", "en", "--force",
               "-q"]
    for run in ("first", "second"):
        started.clear()
        assert main(command) == 0
        assert started == ["started"], f"{run} --force: {started}"


def test_only_the_index_to_write_starts_no_worker(good: Project, started: list[str]):
    """``build --lang en`` after ``build``, and ``build`` after it, nothing changed: each plans
    in full (the other left the index as its request gives it), but no edition is stale by its
    bytes: nothing to print, no worker (one started for it loaded WeasyPrint for nothing: on a
    busy machine of two cores, 0.1 to 0.3 s more, and 0.4 s of processor time)."""
    root = str(good.root)
    assert main(["--project", root, "build", "-q"]) == 0  # (the copy's stats)
    started.clear()
    for command in (["build", "--lang", "en"], ["build"], ["build", "--lang", "en"]):
        assert main(["--project", root, *command, "-q"]) == 0
        assert started == [], command


@pytest.mark.slow
def test_requests_in_turn_start_no_worker_once_each_was_planned(good: Project,
                                                               started: list[str]):
    """A translation in progress (fuzzy after the edit), ``build --lang ar`` and ``build`` in
    turn, nothing changed: each plans in full and refuses again. Once each was planned on these
    inputs, neither starts a worker again (one record, the last request's, started one for each
    in turn), and the record stays as it is."""
    root = str(good.root)
    record = good.output_dir / DIGESTS
    edit(good, G, "Food, medicine", "Food, water, medicine")
    assert main(["--project", root, "build", "--update", "-q"]) == 1, "fuzzy: refused"
    for command in (["build", "--lang", "ar"], ["build"]):
        assert main(["--project", root, *command, "-q"]) == 1
    plans = json.loads(record.read_bytes())["plans"]
    assert len(plans) == 2, plans
    started.clear()
    for _ in range(2):
        for command in (["build", "--lang", "ar"], ["build"]):
            assert main(["--project", root, *command, "-q"]) == 1
            assert started == [], command
            assert json.loads(record.read_bytes())["plans"] == plans, command


@pytest.mark.slow
def test_an_edit_undone_starts_a_worker_early(good: Project, started: list[str]):
    """Inputs planned before are no reason to start no worker once something was printed since:
    an edit printed, then undone, gives inputs the record knew (the first build's), but the
    edition is stale again (it holds the edit), and is printed again."""
    root = str(good.root)
    assert main(["--project", root, "build", "-q"]) == 0  # (the copy's stats)
    pdf = good.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    before = pdf.read_bytes()
    edit(good, G, "Food, medicine", "Food, water, medicine")
    main(["--project", root, "build", "-q"])  # (the translations wait for an update: refused)
    assert pdf.read_bytes() != before
    edit(good, G, "Food, water, medicine", "Food, medicine")
    started.clear()
    main(["--project", root, "build", "-q"])
    assert started == ["started"]
    assert pdf.read_bytes() == before


@pytest.mark.slow
def test_the_inputs_record_never_decides_what_is_printed(good: Project, started: list[str],
                                                         monkeypatch: pytest.MonkeyPatch):
    """The record says only whether to start a worker early: an edition deleted since the last
    build of the same inputs (which starts none) is printed again all the same, and so is one
    whose record says every build was planned already."""
    root = str(good.root)
    edit(good, G, "Food, medicine", "Food, water, medicine")
    assert main(["--project", root, "build", "--update", "-q"]) == 1, "fuzzy: refused"
    pdf = good.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    printed = pdf.read_bytes()
    pdf.unlink()
    started.clear()
    assert main(["--project", root, "build", "-q"]) == 1, "refused again"
    assert started == [], "the same inputs as the last full plan's: no worker asked for"
    assert pdf.read_bytes() == printed, "printed again all the same"
    # A record forged to hold every plan there could be: the edit is printed all the same.
    record = good.output_dir / DIGESTS
    edit(good, G, "Food, water, medicine", "Food, water and medicine")
    raw = json.loads(record.read_text("utf-8"))
    forged = {**raw, "plans": [short_hash(str(n)) for n in range(MAX_PLANS)]}
    monkeypatch.setattr(PublishedDigests, "planned", lambda self, inputs: True)
    record.write_text(json.dumps(forged), "utf-8")
    started.clear()
    assert main(["--project", root, "build", "-q"]) == 1
    assert started == [] and pdf.read_bytes() != printed and b"water and" not in printed
    assert "waterandmedicine" in squash(pdf_text(pdf))


@pytest.mark.slow
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


REFUSED_PROCESSES = """
import errno, sys
import multiprocessing.popen_spawn_posix as spawn

def refused(self, process_obj):  # as fork does with no process or memory left to the user
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

spawn.Popen._launch = refused
from pipeline.cli import main
sys.exit(main(sys.argv[1:]))
"""
SHORT = ("could not start a printing process (Resource temporarily unavailable): the editions "
         "are printed here, one at a time")


@pytest.mark.slow
def test_a_system_that_starts_no_process_gets_its_editions_printed_here(good: Project):
    """``ulimit -u`` reached, or no memory to fork: a worker started early only to save time
    failed the build with a traceback (an edit's one edition, which -j 1 printed); and a pool
    left with no worker waited for one forever. Said once, printed here."""
    root = str(good.root)
    edit(good, G, "Food, medicine", "Food, water, medicine")
    pdf = good.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    before = pdf.read_bytes()
    for command, printed in ((["build", "--update"], 1),  # (the translations: fuzzy, refused)
                             (["build", "one-voice-2019", "--lang", "en", "--lang", "fr", "--force",
                               "-j", "2"], 2)):
        result = subprocess.run([sys.executable, "-c", REFUSED_PROCESSES, *command, "-C", root],
                                capture_output=True, text=True, timeout=120)
        assert "Traceback" not in result.stderr, result.stderr
        lines = result.stderr.splitlines()
        assert lines.count(SHORT) == 1, result.stderr
        assert any(line.startswith(f"{printed} printed") for line in lines), result.stderr
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes() != before

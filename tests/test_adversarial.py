"""The standing adversarial suite: the pipeline's promises, held while it is attacked.

1. Workers end with their build: a build signalled (SIGTERM, SIGINT, SIGHUP) or killed
   (SIGKILL) while its printing workers run leaves no worker behind, no process holding its
   caller's stderr, and no file that a worker wrote afterwards.
2. A kill at any moment (SIGKILL or SIGTERM, of ``build``, ``update`` and ``dist``, after delays
   spread over a run) leaves every edition whole and vouched for by its state (once the journal
   is completed), every catalog readable by the pipeline and by ``msgfmt --check``, every bundle
   a valid zip whose SHA256SUMS verify; the next run succeeds and ``verify`` passes.
3. Five builds and an update started at once all succeed, and the output is what a fresh build
   gives.
4. One snapshot per build: inputs rewritten every few milliseconds during thirty builds never
   make a released Arabic edition show English or disagree with the state it records.
5. A full or read-only disk is one line naming the file, and nothing is half-written.
6. Hostile inputs (YAML bombs, deep nesting, oversize, binary, odd encodings and line ends, huge
   catalogs, links) each end, under a memory limit and a timeout, in one line or success.

``tests/test_robustness.py`` owns the classes of bad input one at a time (syntax, hostile text,
the template sandbox, links, the counted SIGKILL moments of ``kill.py``); this file attacks with
signals, timing, concurrency and resources, and repeats none of it. Every case is bounded: a
subprocess has a timeout and memory and CPU limits (``resource.setrlimit`` before it starts), and
every process started here is killed, by its process group, when its test ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline import files
from pipeline.catalogs import read_catalog
from pipeline.commands.build import build
from pipeline.commands.verify import verify
from pipeline.errors import PipelineError
from pipeline.model import Target
from pipeline.plan import Request
from pipeline.project import Project
from pipeline.site import SITE_STATE
from pipeline.state import read_states

from .conftest import FIXTURE_PROJECT, SMALL, build_or_fail, keep_languages, made_once, make_project
from .helpers import cli, ctrl_c_as_at_a_terminal, files_of, is_complete_pdf

G = "sources/ghouta-2017.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
KILLER = Path(__file__).parent / "fixtures" / "adversarial" / "killer.py"

SOURCE_A = (FIXTURE_PROJECT / G).read_bytes()
SOURCE_B = SOURCE_A.replace(b"Nearly 400,000 people", b"Almost 400,000 people")
"""The ghouta-2017 statement with its first paragraph in one of two wordings."""
assert SOURCE_A != SOURCE_B

GIGABYTE = 1 << 30
BUILD_MEMORY = 3 * GIGABYTE
"""Address space for a build and each of its workers (WeasyPrint maps fonts and libraries)."""
CHECK_MEMORY = 1 * GIGABYTE


# --- processes, bounded and cleaned up ----------------------------------------------------------

def limited(memory: int, cpu: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child (and every process it starts) gets at most ``memory`` bytes
    of address space and ``cpu`` seconds of processor time, and takes Ctrl-C as at a terminal
    (even when this test run ignores it, started in the background)."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        ctrl_c_as_at_a_terminal()
    return apply


class Processes:
    """Start ``python -m pipeline`` in its own process group (bounded); at the end of the test,
    every group started here that still has a member is killed."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[str]] = []

    def start(self, project: Project, *args: str, memory: int = BUILD_MEMORY,
              cpu: int = 120) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args, "-C", str(project.root)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, start_new_session=True, preexec_fn=limited(memory, cpu))
        self.started.append(process)
        return process

    def end_all(self) -> None:
        """Kill each group started here and what it started (a worker that outlived a failed
        test may hold the stderr pipe open), then reap the process and close its pipe: a
        ``Popen`` left running or a pipe left open would surface as an unraisable
        ResourceWarning in whichever test runs next on this worker."""
        for process in self.started:
            alive = process.poll() is None  # else its id may be another process's by now
            for pid in descendants(process.pid) if alive else ():  # what this test started
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)  # the group this test created
            try:
                process.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError):
                pass
            finally:
                if process.stderr is not None:
                    process.stderr.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.end_all()


def parents() -> dict[int, int]:
    """Every process's parent, from /proc (the kernel here has no /proc/PID/task/*/children)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def descendants(pid: int) -> set[int]:
    children_of: dict[int, set[int]] = {}
    for child, parent in parents().items():
        children_of.setdefault(parent, set()).add(child)
    found, todo = set(), [pid]
    while todo:
        for child in children_of.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def running(pid: int) -> bool:
    """Whether a process still runs (a zombie waiting for its parent to reap it does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def ignores_ctrl_c(pid: int) -> bool:
    """Whether a process ignores SIGINT: a printing worker does once the build has handed it
    its orders and it has asked to die with the build (``printing._start_worker``)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ignored = next(line for line in status.splitlines() if line.startswith("SigIgn:"))
    return bool(int(ignored.split()[1], 16) & (1 << (signal.SIGINT - 1)))


def signal_state(pid: int) -> str:
    """What /proc says of a process's state and signals (blocked, ignored, caught, pending)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError as error:
        return str(error)
    return " ".join(line.replace(":\t", "=") for line in status.splitlines()
                    if line.split(":")[0] in ("State", "SigBlk", "SigIgn", "SigCgt", "SigPnd",
                                              "ShdPnd", "Threads"))


def wait_for_workers(process: subprocess.Popen[str], count: int, seconds: float = 90) -> set[int]:
    """The build's printing workers (spawned interpreters), once ``count`` of them run: started,
    given their orders, bound to end with the build."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = {pid for pid in descendants(process.pid)
                   if "spawn_main" in command_line(pid) and ignores_ctrl_c(pid)}
        if len(workers) >= count:
            return workers
        assert process.poll() is None, f"the build ended ({process.returncode}) before its " \
                                       f"{count} workers ran:\n{process.communicate()[1]}"
        time.sleep(0.005)
    pytest.fail(f"the build did not start {count} workers in {seconds:.0f} s")


def still_running(pids: set[int], seconds: float) -> list[str]:
    """The processes of ``pids`` still running after ``seconds`` (each with its command line)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(running(pid) for pid in pids):
            return []
        time.sleep(0.02)
    return [f"{pid}: {command_line(pid)}" for pid in sorted(pids) if running(pid)]


# --- projects -----------------------------------------------------------------------------------

def make_english(destination: Path, statements: tuple[str, ...] = SMALL) -> Project:
    """The small project with English its only released language and no bilingual edition: a
    full build (two short editions, the index and the assets) prints two one-page PDFs."""
    keep_languages(make_project(destination, statements), "en", "ar")
    settings = destination / "pyproject.toml"
    text = settings.read_text("utf-8")
    for old, new in (('bilingual = ["en", "ar"]\n', ""),
                     ('released = ["en", "ar"]', 'released = ["en"]')):
        assert old in text, f"the fixture's settings no longer hold {old!r}: update the test"
        text = text.replace(old, new)
    settings.write_text(text, "utf-8")
    return Project.at(destination)


@pytest.fixture(scope="session")
def english_built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The English-only small project, built once per session (read it, never change it)."""
    return made_once(tmp_path_factory, "adversarial-english",
                     lambda folder: build_or_fail(make_english(folder / "project"), jobs=1))


@pytest.fixture
def english(english_built: Project, tmp_path: Path) -> Project:
    """A private copy of the built English-only project: its output is the previous printing."""
    shutil.copytree(english_built.root, tmp_path / "english", symlinks=True)
    return Project.at(tmp_path / "english")


def put(path: Path, data: bytes) -> None:
    """Save a file as a careful editor does: the whole new file, renamed into place."""
    temp = path.with_name(f".{path.name}.saving")
    temp.write_bytes(data)
    os.replace(temp, path)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- what must hold after anything --------------------------------------------------------------

def is_debris(name: str) -> bool:
    """What an interrupted run may leave for the next one to clear: temporary files, a journal."""
    return name.endswith(files.TEMPORARY_SUFFIX) or name.rsplit("/", 1)[-1] == files.JOURNAL


def debris(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if is_debris(p.relative_to(folder).as_posix()))


def linked(source: str, destination: str) -> None:
    """Copy a file as a hard link where it can (the pipeline only ever renames files into
    place, never writes into one), or as a copy from another file system (a tmpfs)."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


_seen: dict[tuple[int, ...], tuple[str, bool]] = {}


def examined(path: Path) -> tuple[str, bool]:
    """A file's SHA-256 and whether it is complete (a PDF pypdf reads to its end, an HTML file
    to its closing tag), once per file: the copies kept after each kill are hard links."""
    info = path.stat()
    key = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
    if key not in _seen:
        data = path.read_bytes()
        complete = (is_complete_pdf(data) if path.suffix == ".pdf" else
                    data.rstrip().endswith(b"</html>") if path.suffix == ".html" else True)
        _seen[key] = (sha(data), complete)
    return _seen[key]


def assert_whole(output: Path, where: str, known: dict[str, set[str]] | None = None) -> None:
    """Every PDF and HTML file in ``output`` is complete (and, with ``known``, one of the
    versions a complete run gave); and once the journal a run may have left is completed (on a
    copy), every edition's files are exactly those its state records, every edition has its
    state, and the index and assets are those the site's state records."""
    if not output.is_dir():
        return
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        if path.is_symlink() or not path.is_file() or is_debris(name):
            continue
        digest, complete = examined(path)
        assert complete, f"{where}: {name} is not complete"
        if known is not None and (path.suffix in (".pdf", ".html") or name.startswith("_assets/")):
            assert digest in known.get(name, set()), \
                f"{where}: {name} is neither the previous printing nor the new one"
    with tempfile.TemporaryDirectory(prefix="adversarial-") as scratch:
        copy = Path(scratch) / "output"
        shutil.copytree(output, copy, symlinks=True, copy_function=linked)
        files.recover(copy, Path(scratch))
        states = read_states(copy, copy / "drafts")
        vouched = set()
        for target, state in states.items():
            for kind, path in target.paths(copy).items():
                name = path.relative_to(copy).as_posix()
                vouched.add(name)
                assert path.is_file() and examined(path)[0] == state.files.get(kind), \
                    f"{where}: {name} is not the file its state records"
        editions = {p.relative_to(copy).as_posix() for p in copy.rglob("*")
                    if p.suffix in (".pdf", ".html") and p.name != "index.html"
                    and not is_debris(p.name)}
        assert editions <= vouched, f"{where}: editions without a state: {editions - vouched}"
        site = copy / SITE_STATE
        if site.is_file():
            for name, recorded in json.loads(site.read_bytes())["files"].items():
                assert (copy / name).is_file() and examined(copy / name)[0] == recorded, \
                    f"{where}: {name} is not the file the site's state records"


def assert_catalogs_whole(locales: Path, where: str) -> None:
    """Every catalog is read by the pipeline, strictly, and passes ``msgfmt --check``; the
    template is read too."""
    for path in sorted(locales.rglob("*.po*")):
        name = path.relative_to(locales).as_posix()
        if is_debris(name) or path.suffix not in (".po", ".pot"):
            continue
        code = path.parent.parent.name if path.suffix == ".po" else None
        read_catalog(path.read_bytes(), f"{where}: locales/{name}", code)
        if path.suffix == ".po":
            result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)],
                                    capture_output=True, text=True, timeout=30)
            assert result.returncode == 0, f"{where}: msgfmt --check refuses {name}:\n" \
                                           f"{result.stderr}"


def assert_bundles_whole(dist: Path, where: str) -> None:
    """Every zip in ``dist`` is a valid zip, lists every file in its SHA256SUMS, and the sums
    verify (each zip once: the copies kept after each kill are hard links)."""
    for path in sorted(dist.glob("*.zip")) if dist.is_dir() else []:
        info = path.stat()
        key = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)
        if key in _seen:
            continue
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None, f"{where}: {path.name} has a damaged member"
            members = {info.filename.split("/", 1)[1]: archive.read(info)
                       for info in archive.infolist() if not info.is_dir()}
        sums = {}
        for line in members.pop("SHA256SUMS").decode().splitlines():
            digest, name = line.split("  ", 1)
            sums[name] = digest
        assert set(sums) == set(members), f"{where}: {path.name}'s SHA256SUMS and files differ"
        for name, data in members.items():
            assert sha(data) == sums[name], f"{where}: {path.name}: {name} fails its sum"
        _seen[key] = ("", True)


# --- 1. workers end with their build ------------------------------------------------------------

ENDED_BY = {signal.SIGTERM: 128 + signal.SIGTERM, signal.SIGINT: 130,
            signal.SIGHUP: 128 + signal.SIGHUP, signal.SIGKILL: -signal.SIGKILL}
SAID = {signal.SIGTERM: "stopped by signal 15", signal.SIGINT: "interrupted",
        signal.SIGHUP: "stopped by signal 1"}


@pytest.mark.slow
@pytest.mark.parametrize("signum", list(ENDED_BY), ids=lambda s: signal.Signals(s).name)
def test_the_workers_end_with_their_build_when_only_the_build_is_signalled(
        english, processes, signum):
    """The signal goes to the build process alone (not its group) as soon as both its workers
    run, while they still load WeasyPrint or print: the build exits with its status, every
    process it started ends, none keeps the caller's stderr open (SIGKILL leaves only
    PR_SET_PDEATHSIG to end them), nothing in output/ changes once the build has ended, and
    every file there is whole; the next run that takes the lock clears what was left."""
    put(english.root / G, SOURCE_B)
    for _attempt in range(3):
        process = processes.start(english, "build", "--force", "-j2")
        workers = wait_for_workers(process, 2)
        # Frozen first, so that a test process slowed down by a busy machine cannot send the
        # signal after the build's work is done: the signal lands mid-build if the workers
        # are still alive with the build held still.
        os.kill(process.pid, signal.SIGSTOP)
        if all(running(pid) for pid in workers):
            break
        os.kill(process.pid, signal.SIGCONT)
        process.communicate(timeout=60)
    else:
        pytest.fail("three builds ended before they could be signalled mid-work")
    family = descendants(process.pid)  # the workers, and multiprocessing's resource tracker
    held = signal_state(process.pid)
    os.kill(process.pid, signum)
    sent = signal_state(process.pid)
    os.kill(process.pid, signal.SIGCONT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build did not end within 60 s of {signal.Signals(signum).name}")
    at_exit = files_of(english.output_dir)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"30 s after the build ended, its stderr is still open in: "
                    f"{still_running(family, 0)}")
    assert process.returncode == ENDED_BY[signum], f"{stderr}\nheld: {held}\nsent: {sent}"
    assert still_running(family, 30) == [], "processes of the build outlived it"
    assert "Traceback" not in stderr, stderr
    if signum in SAID:
        assert SAID[signum] in stderr.strip().splitlines()[-1], stderr
    assert files_of(english.output_dir) == at_exit, "a file changed after the build ended"
    assert_whole(english.output_dir, f"after {signal.Signals(signum).name}")
    with files.exclusive(english.output_dir, english.root, "waiting"):
        assert debris(english.output_dir) == []
    assert_whole(english.output_dir, f"after {signal.Signals(signum).name} and recovery")


@pytest.mark.slow
def test_a_worker_killed_mid_edition_fails_that_edition_and_the_build_goes_on():
    """A printing worker that dies while it prints (the kernel's OOM killer, a crash in a
    library) fails its edition with a message: the build does not wait for an answer that will
    never come, the other worker's edition comes back, and every worker ends with the build."""
    from pipeline.fonts import FontSet
    from pipeline.model import PrintOptions
    from pipeline.pdf import PrintJob
    from pipeline.printing import Printers

    jobs = [PrintJob(name=f"job-{i}", where=f"output/job-{i}.pdf", html="<p>x</p>",
                     base_url="file:///nowhere/", assets_url="file:///nowhere/_assets/",
                     assets={}, fonts=FontSet((), frozenset()), options=PrintOptions())
            for i in range(2)]
    with Printers(2) as printers:
        processes = [worker.process for worker in printers.workers]
        victim = processes[0]  # the first job goes to the first worker
        assert victim.pid is not None
        os.kill(victim.pid, signal.SIGSTOP)  # it takes its job and never answers...
        killer = threading.Timer(1.0, os.kill, (victim.pid, signal.SIGKILL))  # ...then dies
        killer.start()
        try:
            outcomes = {job.name: outcome for job, outcome in printers.run(jobs)}
        finally:
            killer.cancel()
        assert not victim.is_alive() and processes[1].is_alive()
    assert not any(process.is_alive() for process in processes), "the workers end with the build"
    lost = outcomes["job-0"]
    assert isinstance(lost, PipelineError), lost
    assert str(lost).startswith("output/job-0.pdf: not printed: the process printing it was "
                                f"killed by signal {signal.SIGKILL}"), lost
    assert "killed" not in str(outcomes["job-1"]), outcomes["job-1"]


INTERRUPTED_WHILE_LOADING = """
import runpy, sys

class Interrupt:
    # Ctrl-C while the command line loads its modules, raised where the signal would land.
    def find_spec(self, name, path=None, target=None):
        if name == "pipeline.plan":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv = ["pipeline", "check", "-C", sys.argv[1]]
runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_while_the_command_line_loads_is_status_130_without_a_traceback(small):
    """The first half second of ``python -m pipeline`` imports its modules, before ``main``
    handles Ctrl-C: an interrupt then ends it quietly too (only the interpreter's own start,
    before the package loads, is beyond reach)."""
    result = subprocess.run([sys.executable, "-c", INTERRUPTED_WHILE_LOADING, str(small.root)],
                            capture_output=True, text=True, timeout=60,
                            preexec_fn=limited(CHECK_MEMORY, 60))
    # pipeline.plan is loaded by the command itself now (phase one imports only phase one):
    # then main's own handler says so, in its one line.
    assert result.returncode == 130, result.stderr
    assert result.stderr in ("", "interrupted: the files written so far are complete, the rest "
                                 "untouched\n"), result.stderr


TERMINATED_IN_A_FINALIZER = """
import os, signal, sys, time
import pipeline.commands.build as build
from pipeline.cli import main

class Finalized:
    def __del__(self):  # as WeasyPrint's FontConfiguration.__del__ removes its folder
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)  # the signal's handler runs here, in the finalizer

real = build._build
def _build(*args, **kwargs):
    Finalized()  # dropped at once: its finalizer runs now
    time.sleep(120)  # the build would go on from here
    return real(*args, **kwargs)

build._build = _build
sys.exit(main(["build", "ghouta-2017", "--lang", "en", "-j1", "-C", sys.argv[1]]))
"""


def test_sigterm_while_python_runs_a_finalizer_still_stops_the_run(small):
    """Python ignores an exception raised in a ``__del__`` (printing its traceback), so a
    SIGTERM that lands while a finalizer runs, as WeasyPrint's font configuration cleans up
    after each PDF, was lost: the build printed a traceback and went on to the end. It stops,
    at once (the run waits two minutes after the finalizer, the test one)."""
    try:
        result = subprocess.run([sys.executable, "-c", TERMINATED_IN_A_FINALIZER, str(small.root)],
                                capture_output=True, text=True, timeout=60,
                                preexec_fn=limited(BUILD_MEMORY, 60))
    except subprocess.TimeoutExpired:
        pytest.fail("the run was still going after 60 s")
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.splitlines() == [
        "stopped by signal 15: the files written so far are complete, the rest untouched"]


# --- 2. a kill at any moment --------------------------------------------------------------------

KILL_MOMENTS = 20
"""Moments per command, spread evenly over a run, SIGKILL and SIGTERM in turn (two runs each)."""
KILLED_COMMANDS = {
    "build": (["build", "--force", "-j1"], ["output"], SMALL),
    "update": (["update"], ["locales"], SMALL),
    # a bundle takes a while; dist prints into a folder of its own, never into output/
    "dist": (["dist", "-j1"], ["dist"], ("ghouta-2017",)),
}


def kill_at_moments(project: Project, runs: Path, args: list[str], watched: list[str]) -> dict:
    """Run ``killer.py`` (see its docstring) on ``project``, its first paragraph toggled."""
    versions = runs.parent / "versions"
    versions.mkdir()
    (versions / "A.yaml").write_bytes(SOURCE_A)
    (versions / "B.yaml").write_bytes(SOURCE_B)
    spec = runs.parent / "spec.json"
    spec.write_text(json.dumps({
        "project": str(project.root), "args": args, "watched": watched, "runs": str(runs),
        "toggle": {G: [str(versions / "A.yaml"), str(versions / "B.yaml")]},
        "moments": KILL_MOMENTS, "signals": ["SIGKILL", "SIGTERM"],
        "verify": "output" in watched}), "utf-8")
    killer = subprocess.Popen([sys.executable, str(KILLER), str(spec)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True,
                              preexec_fn=limited(BUILD_MEMORY, 600))
    try:
        _, stderr = killer.communicate(timeout=600)
    finally:  # the killer and any child it forked, should the test end before them
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killer.pid, signal.SIGKILL)
        killer.wait(timeout=30)
    assert killer.returncode == 0, stderr[-3000:]
    return json.loads((runs / "runs.json").read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("command", list(KILLED_COMMANDS))
def test_a_kill_at_any_moment_leaves_every_file_whole_and_the_next_run_succeeds(tmp_path, command,
                                                                                record_property):
    """SIGKILL and SIGTERM after each of twenty delays spread over a run, each run starting
    from what the previous kill left, with the statement toggled between two wordings so that
    every run has something new to write. After every kill: the invariants, whatever the kill
    interrupted (nothing is assumed about where it landed); every run ends killed, stopped
    (143) or done (0), never failed or hung; the last run, to the end, succeeds; and the output
    is then exactly what a fresh build gives."""
    args, watched, statements = KILLED_COMMANDS[command]
    project = make_english(tmp_path / "project", statements)
    report = kill_at_moments(project, tmp_path / "runs", args, watched)
    known: dict[str, set[str]] = {}
    for version in report["reference"].values():
        for name, digest in version.get("output", {}).items():
            known.setdefault(name, set()).add(digest)
    for run in report["runs"]:
        where = f"{run['signal']} {run['delay']} s into `{' '.join(args)}` (run {run['number']})"
        assert "Traceback" not in run["log"], f"{where}:\n{run['log']}"
        allowed = [("signal", signal.SIGKILL), ("exit", 0)] if run["signal"] == "SIGKILL" else \
            [("exit", 128 + signal.SIGTERM), ("signal", signal.SIGTERM), ("exit", 0)]
        assert (run["ended"], run["code"]) in allowed, \
            f"{where}: ended {run['ended']} {run['code']}:\n{run['log']}"
        kept = tmp_path / "runs" / str(run["number"])
        if "output" in watched:
            assert_whole(kept / "output", where, known)
        if "dist" in watched:
            assert_bundles_whole(kept / "dist", where)
        if "locales" in watched:
            assert_catalogs_whole(kept / "locales", where)
    outcomes = Counter(f"{run['signal']} {run['ended']} {run['code']}" for run in report["runs"])
    mid_write = sum(1 for run in report["runs"] if any(
        debris(tmp_path / "runs" / str(run["number"]) / name) for name in watched))
    record_property("kills", {"outcomes": dict(outcomes), "left debris": mid_write})
    print(f"\n{command}: {dict(outcomes)}; {mid_write} left a temporary file or a journal")
    final = report["final"]
    assert (final["ended"], final["code"]) == ("exit", 0), final["log"]
    for name in watched:
        assert debris(project.root / name) == [], f"{name}/ after the last, complete run"
    assert_catalogs_whole(project.locales_dir, "at the end")
    if "output" in watched:
        assert_whole(project.output_dir, "at the end", known)
        checked = report["verify"]  # `verify`, run where the caches are warm
        assert (checked["ended"], checked["code"]) == ("exit", 0), checked["log"]
    if "dist" in watched:
        assert_bundles_whole(project.dist_dir, "at the end")


@pytest.mark.slow
def test_the_next_dist_clears_the_temporary_file_a_killed_one_left(english, capsys):
    """A dist killed while it writes a bundle leaves its temporary file (``.NAME.zip.XXXX.tmp``);
    the kills above seldom land there (a zip is written in a moment), so one is planted."""
    english.dist_dir.mkdir()
    (english.dist_dir / ".ghouta-2017-0123456789.zip.k1ll3d00.tmp").write_bytes(b"PK\x03\x04half")
    status, lines = cli(capsys, english, "dist", "-j1", "-q")
    assert status == 0, lines
    assert debris(english.dist_dir) == []
    assert_bundles_whole(english.dist_dir, "after dist")


# --- 3. concurrency -----------------------------------------------------------------------------

@pytest.mark.slow
def test_five_builds_and_an_update_started_at_once_all_succeed(english, processes):
    """Builds of every kind (up to date, forced, one language, one statement) and an update of
    the catalogs, on one project at the same moment: the lock makes them take turns, each ends
    with 0 and no traceback, and the output is what a fresh build of the inputs gives."""
    put(english.root / G, SOURCE_B)
    commands = [("build", "-j2"), ("build", "--force", "-j2"), ("build", "-j1"),
                ("build", "--lang", "en", "-j1"), ("build", "ghouta-2017", "-j1"), ("update",)]
    started = [processes.start(english, *command) for command in commands]
    for command, process in zip(commands, started, strict=True):
        try:
            _, stderr = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            pytest.fail(f"`{' '.join(command)}` did not end in 240 s")
        assert process.returncode == 0, f"{' '.join(command)}:\n{stderr}"
        assert "Traceback" not in stderr, stderr
    assert debris(english.output_dir) == [] and debris(english.locales_dir) == []
    assert_catalogs_whole(english.locales_dir, "after the concurrent runs")
    assert_whole(english.output_dir, "after the concurrent runs")
    # The update may have finished after the last build read the English catalog: one more
    # build brings the output up to those inputs, and then it must be what a fresh build gives.
    build(english, Request(), jobs=1)
    assert verify(english, jobs=1) == []


# --- 4. one snapshot per build ------------------------------------------------------------------

PARAGRAPH_ENTRY = re.compile(rb'#\. Paragraph 1 of 3\.\n#: sources/ghouta-2017\.yaml:\d+\n'
                             rb'msgctxt "paragraph"\nmsgid "Nearly 400,000 people.*?\n\n',
                             re.S)
ARABIC_A = "يعيش قرابة"
ARABIC_B = "يعيش نحو"
ENGLISH_TEXTS = ("Nearly 400,000 people", "Almost 400,000 people", "Food, medicine and fuel",
                 "The undersigned organisations", "We ask the members of the Security Council",
                 "End the Siege of Eastern Ghouta")
"""The English of ghouta-2017 that an Arabic release must never show (a fallback would)."""
RACE_RUNS = 30


def race_catalogs() -> tuple[bytes, bytes]:
    """The Arabic catalog complete for both wordings of the first paragraph, and incomplete: the
    second wording's translation fuzzy."""
    catalog = (FIXTURE_PROJECT / AR).read_bytes()
    entry = PARAGRAPH_ENTRY.search(catalog)
    assert entry, "the fixture's Arabic catalog changed: update the test"
    arabic_a = ARABIC_A.encode()
    assert arabic_a in entry.group()
    second = entry.group().replace(b"Nearly 400,000", b"Almost 400,000").replace(
        arabic_a, ARABIC_B.encode())
    complete = catalog.replace(entry.group(), entry.group() + second)
    fuzzy = second.replace(b'msgctxt "paragraph"', b'#, fuzzy\nmsgctxt "paragraph"')
    return complete, catalog.replace(entry.group(), entry.group() + fuzzy)


def site_file(name: str) -> bool:
    """The lock, or a file of the site rather than of an edition: the index, its state, the
    assets (and the web fonts' cache); or the build's records of the catalogs it read and of the
    published files' stat."""
    return name in (".lock", "index.html", ".site.state.json", ".catalogs.state.json",
                    ".files.state.json") or name.startswith(("_assets/", ".webfonts/"))


@pytest.mark.slow
def test_one_snapshot_per_build_while_source_and_catalog_change_every_few_milliseconds(
        small, record_property):
    """A thread saves the statement in its two wordings and the Arabic catalog complete and
    incomplete, each every few milliseconds on its own rhythm, while the Arabic release of
    ghouta-2017 is forced thirty times. Whatever a build read, it read once: a printed edition
    shows no English (no fallback), its files are those its state records, its state records
    a source and a catalog that both existed, never the second wording with the incomplete
    catalog, and it shows the translation of the wording it records; the same inputs give the
    same bytes; a refused build keeps the previous edition."""
    complete, incomplete = race_catalogs()
    versions = {G: (SOURCE_A, SOURCE_B), AR: (complete, incomplete)}
    known_source = {sha(SOURCE_A): "A", sha(SOURCE_B): "B"}
    known_catalog = {sha(complete): "complete", sha(incomplete): "incomplete"}
    stop, failures = threading.Event(), []

    def toggle() -> None:
        tick = 0
        try:
            while not stop.is_set():
                tick += 1
                if tick % 3 == 0:
                    put(small.root / G, versions[G][tick // 3 % 2])
                if tick % 5 == 0:
                    put(small.root / AR, versions[AR][tick // 5 % 2])
                time.sleep(0.002)
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    target = Target("ghouta-2017", "ar")
    paths = target.paths(small.output_dir)
    printed, refused, by_inputs = 0, 0, {}
    put(small.root / G, SOURCE_A)
    put(small.root / AR, complete)
    thread = threading.Thread(target=toggle, daemon=True)
    thread.start()
    try:
        for run in range(RACE_RUNS):
            before = files_of(small.output_dir) if small.output_dir.is_dir() else {}
            report = build(small, Request(("ghouta-2017",), ("ar",), force=True), jobs=1)
            where = f"run {run + 1}"
            if not report.printed:
                refused += 1
                # the one refusal there is: the second wording read with its translation fuzzy
                assert len(report.refused) == 1 and "ghouta-2017.ar is not printed: 0 untranslated, " \
                    "1 fuzzy" in str(report.refused[0]), f"{where}: {[str(e) for e in report.refused]}"
                # the edition's files; the index (and the web fonts cut to its text) may now
                # say that the Arabic edition lags: the site is not the edition
                after = files_of(small.output_dir)
                assert {k: v for k, v in after.items() if not site_file(k)} == \
                    {k: v for k, v in before.items() if not site_file(k)}, \
                    f"{where}: a refused build changed the previous edition"
                continue
            printed += 1
            assert not report.refused, f"{where}: {[str(e) for e in report.refused]}"
            state = read_states(small.output_dir, small.output_dir / "drafts")[target]
            html, pdf = paths["html"].read_bytes(), paths["pdf"].read_bytes()
            assert sha(html) == state.files["html"] and sha(pdf) == state.files["pdf"], where
            source = known_source.get(state.inputs["source"])
            catalog = known_catalog.get(state.inputs["catalog ar"])
            assert source and catalog, f"{where}: the state records inputs that never existed"
            assert (source, catalog) != ("B", "incomplete"), \
                f"{where}: printed the second wording from the catalog that lacks it"
            text = html.decode("utf-8")
            assert not re.search(r'class="[^"]*fallback', text), f"{where}: a fallback"
            assert not [e for e in ENGLISH_TEXTS if e in text], f"{where}: English in Arabic"
            shown = ARABIC_A if source == "A" else ARABIC_B
            hidden = ARABIC_B if source == "A" else ARABIC_A
            assert shown in text and hidden not in text, \
                f"{where}: the edition shows another wording than the one its state records"
            assert is_complete_pdf(pdf), where
            assert by_inputs.setdefault((source, catalog), (html, pdf)) == (html, pdf), \
                f"{where}: the same inputs gave other bytes"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not failures, failures
    record_property("race", {"printed": printed, "refused": refused,
                             "combinations printed": sorted(by_inputs)})
    print(f"\nrace: {printed} printed, {refused} refused, inputs printed: {sorted(by_inputs)}")


# --- 5. a full or read-only disk ----------------------------------------------------------------

@contextlib.contextmanager
def tmpfs(folder: Path, size: int, keep: Path | None = None) -> Iterator[Path]:
    """``folder`` on a tmpfs of ``size`` bytes (skipped where mounting is not permitted), with
    the files of ``keep`` copied in; unmounted at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                  str(folder)], capture_output=True, text=True, timeout=30)
    except OSError as error:
        pytest.skip(f"cannot mount a tmpfs here: {error}")
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        if keep is not None:
            shutil.copytree(keep, folder, symlinks=True, dirs_exist_ok=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)


def remount(folder: Path, options: str) -> None:
    result = subprocess.run(["mount", "-o", f"remount,{options}", str(folder)],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.skip(f"cannot remount a tmpfs {options} here: {result.stderr.strip()}")


def used(folder: Path) -> int:
    info = os.statvfs(folder)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def moved_aside(folder: Path, tmp_path: Path) -> Path:
    aside = tmp_path / f"{folder.name}-aside"
    shutil.move(folder, aside)
    return aside


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_no_partial_file(tmp_path, capsys):
    """Nothing built yet, output/ on a 16 KB disk: the first edition (a 20 KB PDF) does not
    fit."""
    project = make_english(tmp_path / "project")
    with tmpfs(project.output_dir, 16 * 1024):
        status, lines = cli(capsys, project, "build", "-j1", "-q")
        assert status == 1 and len(lines) == 1, lines
        assert re.match(r"output/\S+: cannot [^:]+: the disk is full; free some space, then run "
                        r"again$", lines[0]), lines
        assert debris(project.output_dir) == []
        assert_whole(project.output_dir, "on a full disk")


@pytest.mark.slow
def test_a_full_disk_keeps_the_previous_editions(english, tmp_path, capsys):
    """The previous printing on a disk with a few kilobytes left: the new printing does not fit,
    and the previous editions stay byte for byte."""
    saved = moved_aside(english.output_dir, tmp_path)
    with tmpfs(english.output_dir, 64 << 20, keep=saved):
        remount(english.output_dir, f"size={used(english.output_dir) + 8192}")
        before = files_of(english.output_dir)
        put(english.root / G, SOURCE_B)
        status, lines = cli(capsys, english, "build", "-j1", "-q")
        assert status == 1 and len(lines) == 1, lines
        assert re.match(r"output/ghouta-2017/\S+: cannot [^:]+: the disk is full; ", lines[0]), lines
        assert files_of(english.output_dir) == before
        assert_whole(english.output_dir, "on a full disk")


def test_a_full_disk_under_the_catalogs_is_one_line_and_keeps_them(tmp_path, capsys):
    project = make_english(tmp_path / "project")
    saved = moved_aside(project.locales_dir, tmp_path)
    with tmpfs(project.locales_dir, 16 << 20, keep=saved):
        remount(project.locales_dir, f"size={used(project.locales_dir) + 4096}")
        before = files_of(project.locales_dir)
        put(project.root / G, SOURCE_B)
        status, lines = cli(capsys, project, "update", "-q")
        assert status == 1 and len(lines) == 1, lines
        assert re.match(r"locales/\S+: cannot [^:]+: the disk is full; ", lines[0]), lines
        assert files_of(project.locales_dir) == before


def assert_read_only_refused(project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                             folder: str, *command: str) -> None:
    """``folder`` on a file system mounted read-only (as root, chmod 555 would not stop a write;
    ``test_robustness`` has the chmod case): one line, nothing changed."""
    where = project.root / folder
    saved = moved_aside(where, tmp_path)
    with tmpfs(where, 64 << 20, keep=saved):
        remount(where, "ro")
        before = files_of(where)
        put(project.root / G, SOURCE_B)
        status, lines = cli(capsys, project, *command, "-q")
        assert status == 1 and len(lines) == 1, lines
        assert re.match(rf"{folder}/\S+: cannot [^:]+: the file system is read-only; ",
                        lines[0]), lines
        assert files_of(where) == before


@pytest.mark.slow
def test_a_read_only_output_is_one_line_and_keeps_the_previous_editions(english, tmp_path, capsys):
    assert_read_only_refused(english, tmp_path, capsys, "output", "build", "-j1")


def test_read_only_catalogs_are_one_line_and_unchanged(tmp_path, capsys):
    project = make_english(tmp_path / "project")
    assert_read_only_refused(project, tmp_path, capsys, "locales", "update")


# --- 6. hostile inputs under resource limits ----------------------------------------------------

def _billion_laughs() -> bytes:
    lines = [b'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level).encode(), chr(ord("a") + level - 1).encode()
        lines.append(name + b": &" + name + b" [" + b", ".join([b"*" + previous] * 9) + b"]")
    return b"\n".join(lines) + b"\n"


def _edited(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert old in data, f"the fixture no longer holds {old!r}: update the test"
        return data.replace(old, new, 1)
    return edit


def _many_entries(count: int) -> Callable[[bytes], bytes]:
    def add(data: bytes) -> bytes:
        return data + b"".join(b'\nmsgid "unused message number %d"\nmsgstr "\xd8\xb1\xd8\xb3'
                               b'\xd8\xa7\xd9\x84\xd8\xa9 %d"\n' % (n, n) for n in range(count))
    return add


ISSUER = b"issuer: Syrian Civil Society Coalition\n"
CORPUS = [
    # name, file, new bytes (from the old), exit status, what the one line says
    ("alias-bomb", G, lambda _: _billion_laughs(), 1, "anchors and aliases"),
    ("nested-lists-100k", G, lambda _: b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", 1,
     "nested too deeply"),
    ("3-megabytes", G, lambda data: data + b"# " + b"x" * (3 << 20) + b"\n", 1,
     "more than the 2 MB a statement may have"),
    ("binary-garbage", G, lambda _: random.Random(2017).randbytes(8192), 1,
     "not UTF-8"),
    ("byte-order-mark", G, lambda data: b"\xef\xbb\xbf" + data, 0, None),
    ("crlf", G, lambda data: data.replace(b"\n", b"\r\n"), 0, None),
    ("two-documents", G, lambda data: data + b"---\n" + data, 1, "more than one YAML document"),
    ("merge-key-alias", G, _edited(ISSUER, b"base: &b\n  issuer: Syrian Civil Society Coalition\n"
                                          b"<<: *b\n"), 1, "anchors and aliases"),
    ("merge-key-inline", G, _edited(b"  - Baytna Syria\n", b"  - <<: {en: Baytna Syria}\n"), 1,
     "'<<'"),
    ("tag-binary", G, _edited(b"title: End the Siege of Eastern Ghouta", b"title: !!binary RW5k"), 1,
     "tags are not allowed"),
    ("po-utf16", AR, lambda data: data.decode("utf-8").encode("utf-16"), 1, "UTF-16"),
    ("po-100k-entries", AR, _many_entries(100_000), 0, None),
    ("po-cr-only", AR, lambda data: data.replace(b"\n", b"\r"), 1, "CR only"),
    ("po-crlf", AR, lambda data: data.replace(b"\n", b"\r\n"), 0, None),
    ("po-17-megabytes", AR, lambda data: data + b"# " + b"x" * (17 << 20) + b"\n", 1,
     "more than the 16 MB a catalog may have"),
    ("po-plural-nesting", AR, lambda data: re.sub(
        rb'"Plural-Forms: [^"]*"\n(?:"[^"]*"\n)*?(?="MIME)',
        lambda _: b'"Plural-Forms: nplurals=6; plural=' + b"(" * 50_000 + b"n" + b")" * 50_000
        + b';\\n"\n', data), 1, "Plural-Forms"),
]


def _check(project: Project, seconds: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "pipeline", "check", "-q", "-C",
                               str(project.root)], capture_output=True, text=True,
                              timeout=seconds, preexec_fn=limited(CHECK_MEMORY, 60))
    except subprocess.TimeoutExpired:
        pytest.fail(f"`check` was still running after {seconds:.0f} s")


def _assert_outcome(result: subprocess.CompletedProcess[str], file: str, status: int,
                    says: str | None) -> None:
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == status, result.stderr
    if status == 0:
        assert [line for line in lines if "error" in line.lower()] == [], lines
    else:
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"{file}:") and says in lines[0], lines


@pytest.mark.slow  # a process each, under limits
@pytest.mark.parametrize(("name", "file", "change", "status", "says"), CORPUS,
                         ids=[case[0] for case in CORPUS])
def test_a_hostile_input_ends_in_one_line_or_success_within_bounds(small, name, file, change,
                                                                   status, says):
    """``check`` in a process limited to 1 GB of address space and 60 s of CPU, and given 30 s
    (a machine busy with the rest of the suite; 15 s for the 100,000 messages, which take one or
    two: a cost that grew faster than the catalog would take minutes): a bomb, a deep nest or a
    huge file that it tried to hold would end in MemoryError or a timeout instead of one line."""
    path = small.root / file
    path.write_bytes(change(path.read_bytes()))
    _assert_outcome(_check(small, 15 if name == "po-100k-entries" else 30), file, status, says)


@pytest.mark.parametrize(("inside", "status"), [(True, 0), (False, 1)], ids=["inside", "outside"])
def test_a_catalog_that_is_a_symbolic_link(small, tmp_path, inside, status):
    """A link to a catalog elsewhere in the project is read; one out of the project is refused
    unread."""
    path = small.root / AR
    target = (small.root / "ar-catalog.po") if inside else (tmp_path / "ar-catalog.po")
    shutil.move(path, target)
    path.symlink_to(target)
    _assert_outcome(_check(small, 30), AR, status, None if inside else "outside the project")

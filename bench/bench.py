"""How fast the pipeline prints, on the machine at hand: `make bench`.

Prints figures and the targets they are compared with; it never fails on timing. It works on a
copy of the project's sources, catalogs and templates in a temporary folder, so the repository's
own output/, sources/ and locales/ are never touched. Builds that a user starts from the shell are
measured in fresh processes (Python start-up and the WeasyPrint import included); printing alone
is measured in this one warm process.

First come issue 19's figures, each next to its target: the full build of Sochi's 3 editions side
by side with Debian's Chromium (`--print-to-pdf`) and WeasyPrint's own CLI printing the same 3 HTML
files (wall and CPU time, from getrusage of the children), `watch`, `make` with nothing to do, and
generated projects of N statements of Sochi's shape (BENCH_SIZES, default 1,24); then the earlier
figures that still make sense; last, the issue's two tables with this run's figures. The load
average is printed at the start and the end: on a shared machine every figure is slower.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import queue
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("sources", "locales", "templates", "babel.cfg", "pyproject.toml")
STATEMENT = "sochi-2018"
LANGUAGES = ("en", "ar")
CORES = os.cpu_count() or 1
REPEAT = 3  # short measurements are repeated; the median is reported
ROUNDS = 5  # the side-by-side full builds and `make` with nothing to do: the median of 5
EDITIONS = ("en", "ar", "bilingual")
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1,24").split(",") if n.strip())
"""How many statements the generated projects have: `make bench BENCH_SIZES=1,24,100` adds the
100-statement project of issue 19 (minutes more on 2 cores, so not by default)."""
ONLY = tuple(n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip())
"""`make bench BENCH_ONLY=versus_others,watch_latency` runs only the measures named (and the summary)."""
SIGNATORIES = 40  # each generated statement's, drawn from Sochi's
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, as tests/webcheck.py finds it
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-pdf-header-footer")  # tests/webcheck.py's, and no header or footer
WEASYPRINT_CLI = Path(sys.executable).with_name("weasyprint")  # the CLI of the WeasyPrint we use
NO_COLUMNS = ".signatories ol { columns: auto !important; column-count: auto !important; }"

# Edits used by the rebuild and watch measures: the Arabic heading above the signatories (a
# template message, used by the Arabic edition only) and a few words of the first English paragraph.
AR_HEADING = re.compile(r'^(msgid "Signatories"\nmsgstr ")([^"\n]*)(")$', re.MULTILINE)
AR_HEADINGS = ("الموقعون على البيان", "المنظمات الموقعة", "قائمة الموقعين")
EN_PHRASE = "Russia has announced that it will host"
EN_PHRASES = ("Russia has announced that it would host", "Russia has announced that it is to host",
              "Russia has announced that it plans to host")


# --- helpers ------------------------------------------------------------------------------------

def median(values: list[float]) -> float:
    return statistics.median(values)


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def row(label: str, value: str, note: str = "", target: str | None = None,
        met: bool | None = None) -> None:
    text = f"  {label:<30}{value:>10}"
    if note:
        text += f"   ({note})"
    if target is not None:
        text += f"   target {target}: {'met' if met else 'NOT met'}"
    print(text, flush=True)


SECTIONS = iter(range(1, 100))


def section(title: str) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{next(SECTIONS)}. {title}\n  (load average {load})", flush=True)


BASELINE = Path(os.environ["BENCH_BASELINE"]).resolve() if os.environ.get("BENCH_BASELINE") else None
"""Another checkout of the pipeline (``git worktree add /tmp/before main``, or ``git archive``'s
copy) whose figures the generated projects' measures print too, before this checkout's, in the
same run: ``make bench BENCH_SIZES=1,100 BENCH_BASELINE=/tmp/before``."""
ONLY = tuple(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
"""The measures to run (``BENCH_ONLY=generated_projects``), every one when empty."""
CHECKOUT = [REPO]
"""The checkout whose pipeline package the commands the benchmark starts run."""


@contextlib.contextmanager
def using(checkout: Path) -> Iterator[None]:
    CHECKOUT.append(checkout)
    try:
        yield
    finally:
        CHECKOUT.pop()


def subprocess_env() -> dict[str, str]:
    """This checkout's pipeline package (or the one ``using`` names), whatever is installed in
    the interpreter's environment."""
    paths = [str(CHECKOUT[-1]), *filter(None, [os.environ.get("PYTHONPATH")])]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def copy_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, folder / name)
    return folder


def pipeline_command(folder: Path, command: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", command, "-C", str(folder), *args]


def run_command(folder: Path, command: str, *args: str) -> None:
    """A `python -m pipeline COMMAND -q` in a fresh process; it must succeed."""
    arguments = pipeline_command(folder, command, "-q", *args)
    done = subprocess.run(arguments, cwd=folder, env=subprocess_env(), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} exited with {done.returncode}:\n{done.stderr}")


def run_build(folder: Path, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    """A `python -m pipeline build -q` in a fresh process: its wall time; it must succeed."""
    command = pipeline_command(folder, "build", "-q", *args)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=subprocess_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr}")
    return elapsed, done


def edition_files(folder: Path, statement: str = STATEMENT) -> list[Path]:
    out = folder / "output" / statement
    return sorted([*out.glob("*.pdf"), *out.glob("*.html")])


def snapshot(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Each edition file's inode, modification time and content hash."""
    shots = {}
    for path in edition_files(folder):
        info = path.stat()
        shots[path.name] = (info.st_ino, info.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
    return shots


def rewritten(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def pdf_path(folder: Path, code: str, statement: str = STATEMENT) -> Path:
    return folder / "output" / statement / f"{statement}.{code}.pdf"


def html_path(folder: Path, code: str, statement: str = STATEMENT) -> Path:
    return folder / "output" / statement / f"{statement}.{code}.html"


def file_identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return info.st_ino, info.st_mtime_ns


def catalog_path(folder: Path, code: str) -> Path:
    return folder / "locales" / code / "LC_MESSAGES" / "statements.po"


def source_path(folder: Path, statement: str = STATEMENT) -> Path:
    return folder / "sources" / f"{statement}.yaml"


def set_ar_heading(text: str, heading: str) -> str:
    changed, count = AR_HEADING.subn(lambda m: m.group(1) + heading + m.group(3), text)
    if count != 1:
        raise RuntimeError(f'expected one msgid "Signatories" in the Arabic catalog, found {count}')
    return changed


def set_en_phrase(text: str, phrase: str) -> str:
    if text.count(EN_PHRASE) != 1:
        raise RuntimeError(f"expected {EN_PHRASE!r} once in sources/{STATEMENT}.yaml")
    return text.replace(EN_PHRASE, phrase)


def edits_for(folder: Path, code: str) -> tuple[Path, list[bytes]]:
    """The file a one-language edit changes and its successive contents (the last restores it)."""
    if code == "ar":
        path = catalog_path(folder, "ar")
        original = path.read_text("utf-8")
        versions = [set_ar_heading(original, heading) for heading in AR_HEADINGS]
    else:
        path = source_path(folder)
        original = path.read_text("utf-8")
        versions = [set_en_phrase(original, phrase) for phrase in EN_PHRASES]
    return path, [v.encode("utf-8") for v in versions] + [original.encode("utf-8")]


@dataclass
class Bench:
    root: Path  # the temporary folder everything happens in
    project: Path  # the copy of the project the measures share
    figures: dict[str, float] = field(default_factory=dict)
    table: list[tuple[str, str, str, bool]] = field(default_factory=list)  # figure, measured, target, met
    scale: dict[str, dict[str, tuple[str, bool | None]]] = field(default_factory=dict)  # N: figure: ...


# --- the measures -------------------------------------------------------------------------------

def header() -> None:
    print("Statement pipeline benchmark", flush=True)
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        changes = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True,
                                 text=True, check=True).stdout.splitlines()
        if changes:
            commit += f" + {len(changes)} uncommitted change(s) in the working tree"
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    print(f"  machine     {CORES} cores (os.cpu_count()), {platform.platform()}, {platform.machine()}")
    print(f"  python      {platform.python_implementation()} {platform.python_version()} "
          f"({sys.executable})")
    print(f"  weasyprint  {package_version('weasyprint')}   (pydyf {package_version('pydyf')}, "
          f"babel {package_version('babel')}, jinja2 {package_version('jinja2')})")
    print(f"  project     {REPO} at {commit}")
    load = os.getloadavg()
    busy = (f"; above {CORES}, the number of cores: other work shares this machine, so every figure "
            "is slower than on a quiet one (ratios measured side by side suffer less)"
            if load[0] > CORES else "")
    print(f"  load        {' '.join(f'{x:.2f}' for x in load)} (1, 5, 15 min averages{busy})")
    print(f"  method      wall time with time.perf_counter; 'median of {REPEAT}' unless said otherwise",
          flush=True)


def noop_rebuild(bench: Bench) -> None:
    section("No-op rebuild, fresh process (nothing changed)")
    before = snapshot(bench.project)
    times = [run_build(bench.project)[0] for _ in range(5)]
    noop = median(times)
    share = 100 * noop / bench.figures["full"]
    row("no-op rebuild", seconds(noop), f"{share:.1f} % of full; median of 5", "<= 0.3 s and <= 5 %",
        noop <= 0.3 and share <= 5)
    changed = rewritten(before, snapshot(bench.project))
    row("files rewritten", str(len(changed)), ", ".join(changed) or "none")
    # The same check in a warm process, as the watcher runs it: no interpreter start, no imports.
    from pipeline.commands.build import build
    from pipeline.project import Project

    project = Project.at(bench.project)
    build(project, jobs=1)
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        build(project, jobs=1)
        warm.append(time.perf_counter() - started)
    row("no-op, warm process", seconds(median(warm)),
        f"{100 * median(warm) / bench.figures['full']:.1f} % of full; median of 5; "
        "what the watcher pays when a save changes nothing")


def arabic_edit_rebuild(bench: Bench) -> None:
    section('Arabic-only edit, fresh process (msgstr of "Signatories" in the ar catalog)')
    path, versions = edits_for(bench.project, "ar")
    times, rewrites = [], []
    for content in versions[:-1]:
        before = snapshot(bench.project)
        path.write_bytes(content)
        times.append(run_build(bench.project)[0])
        rewrites.append(tuple(rewritten(before, snapshot(bench.project))))
    path.write_bytes(versions[-1])
    run_build(bench.project)  # back to the real translation, for the measures that follow
    row("rebuild after the edit", seconds(median(times)),
        f"median of {len(times)}: {', '.join(f'{t:.2f}' for t in times)}; "
        f"{100 * median(times) / bench.figures['full']:.0f} % of full")
    files = sorted(set().union(*rewrites))
    # The English edition must be left alone; an edition with Arabic in it (ar, bilingual) may change.
    only_arabic = any(".ar." in name for name in files) and not any(".en." in name for name in files)
    consistent = len(set(rewrites)) == 1
    row("files rewritten", str(len(files)),
        ", ".join(files) + ("" if consistent else f"; differs between edits: {rewrites}"),
        "only the Arabic outputs", only_arabic)


class Watcher:
    """`python -m pipeline watch` in a subprocess, its log lines collected by a thread."""

    def __init__(self, folder: Path, code: str):
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.process = subprocess.Popen(
            pipeline_command(folder, "watch", "--lang", code), cwd=folder, env=subprocess_env(),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            # Ctrl-C stops it even when the benchmark runs in the background (`make bench &`),
            # where the shell has it ignore SIGINT, and its children after it.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the watcher did not log {pattern!r} in {timeout:.0f} s; "
                                   f"it logged: {self.log[-5:]}")
            try:
                line = self.lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    raise RuntimeError(f"the watcher exited ({self.process.returncode}): "
                                       f"{self.log[-5:]}") from None
                continue
            self.log.append(line)
            if re.search(pattern, line):
                return line

    def stop(self, timeout: float = 10) -> int:
        """SIGINT, as Ctrl-C would, once it is idle; killed if still running after ``timeout``."""
        if self.process.poll() is None:
            time.sleep(0.5)  # a Ctrl-C during a rebuild is an interruption (exit status 130)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        self.reader.join(timeout=2)
        while not self.lines.empty():
            self.log.append(self.lines.get())
        return self.process.returncode


def save(path: Path, content: bytes) -> None:
    """As an editor saves: a hidden temporary file beside it, renamed over it (one change event)."""
    temp = path.with_name(f".{path.name}.bench.tmp")
    temp.write_bytes(content)
    os.replace(temp, path)


def edit_to_pdf(path: Path, content: bytes, pdf: Path, timeout: float = 20) -> float:
    """Save ``content`` to ``path``; the time until ``pdf`` is replaced, polled every 10 ms."""
    before = file_identity(pdf)
    started = time.perf_counter()
    save(path, content)
    deadline = started + timeout
    while file_identity(pdf) == before:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{pdf.name} was not replaced within {timeout:.0f} s of the edit")
        time.sleep(0.01)
    return time.perf_counter() - started


def watch_latency(bench: Bench) -> None:
    section("Watch mode: edit saved -> edition's PDF replaced (watch --lang LANG, one per language)")
    for code, what, target in (("en", f"first paragraph of sources/{STATEMENT}.yaml", 0.4),
                               ("ar", 'msgstr of "Signatories" in the ar catalog', 0.6)):
        path, versions = edits_for(bench.project, code)
        watcher = Watcher(bench.project, code)
        latencies, problems = [], []
        try:
            started = time.perf_counter()
            watcher.wait_for(r"^watching ", timeout=60)
            ready = time.perf_counter() - started
            for content in versions[:-1]:
                time.sleep(0.5)  # let the watcher arm itself and settle
                latencies.append(edit_to_pdf(path, content, pdf_path(bench.project, code)))
                said = watcher.wait_for(r" printed \(", timeout=30)  # the rebuild is complete
                if " 0 refused" not in said:
                    problems.append(said)
        finally:
            status = watcher.stop()
            save(path, versions[-1])
        latency = median(latencies)
        row(f"{code}: edit -> PDF", seconds(latency),
            f"median of {len(latencies)}: {', '.join(f'{t:.2f}' for t in latencies)}; edit: {what}",
            f"<= {target} s", latency <= target)
        language = {"en": "an English edit to the English", "ar": "an Arabic translation edit to the Arabic"}
        bench.table.append((f"`watch --lang {code}`: {language[code]} PDF on disk", seconds(latency),
                            f"<= {target} s", latency <= target))
        rebuilds = sum(line.startswith("changed: ") for line in watcher.log)
        row(f"{code}: watcher start-up", seconds(ready), f"until it logged 'watching'; {rebuilds} "
            f"rebuild(s) for {len(latencies)} edits; stopped with SIGINT, exit status {status}"
            + ("" if status == 0 else " (not clean)"))
        for problem in problems + ([] if status == 0 else watcher.log[-6:]):
            row(f"{code}: watcher said", "", problem)
    # Back to the real texts. The watcher's `update` retired the original English paragraph
    # to the catalogs' obsolete entries; the next `update` revives it as it was.
    run_command(bench.project, "update")
    run_build(bench.project)


def warm_timings(functions: dict[str, Callable[[], object]], repeat: int = REPEAT) -> dict[str, list[float]]:
    """Each function once to warm up, then ``repeat`` rounds, interleaved to share any drift."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return times


def raw_floor(bench: Bench) -> None:
    section("Raw WeasyPrint floor vs. the pipeline, one warm process (jobs=1, --force)")
    import weasyprint

    from pipeline.commands.build import build
    from pipeline.plan import Request
    from pipeline.project import Project

    project = Project.at(bench.project)
    for code in LANGUAGES:
        html = html_path(bench.project, code)
        printing: list[float] = []

        def raw(html=html):  # the same output: a tagged PDF/UA-1 edition, as the pipeline prints
            weasyprint.HTML(filename=str(html), base_url=str(html)).write_pdf(pdf_variant="pdf/ua-1")

        def untagged(html=html):
            weasyprint.HTML(filename=str(html), base_url=str(html)).write_pdf()

        def pipeline(code=code, printing=printing):
            report = build(project, Request(languages=(code,), force=True), jobs=1)
            if report.refused or len(report.printed) != 1:
                raise RuntimeError(f"the in-process build of {code} refused: {report.refused}")
            printing.append(report.printed[0].seconds)

        times = warm_timings({"raw": raw, "untagged": untagged, "pipeline": pipeline})
        raw_time, pipe_time = median(times["raw"]), median(times["pipeline"])
        overhead = pipe_time / raw_time - 1
        row(f"{code}: raw write_pdf", seconds(raw_time), f"PDF/UA-1 like the pipeline's; median of "
            f"{REPEAT} after one warm-up: " + ", ".join(f"{t:.2f}" for t in times["raw"]))
        row(f"{code}: raw, untagged", seconds(median(times["untagged"])),
            "what accessibility tagging costs on top: the difference")
        row(f"{code}: pipeline build", seconds(pipe_time), f"median of {REPEAT}: "
            + ", ".join(f"{t:.2f}" for t in times["pipeline"])
            + f"; of which print_pdf {median(printing[1:]):.2f} s")
        row(f"{code}: overhead", f"{100 * overhead:.0f} %", "pipeline / raw - 1", "<= 10 %",
            overhead <= 0.10)


def pdf_sizes(bench: Bench) -> None:
    section("PDF size of each edition")
    for path in edition_files(bench.project):
        if path.suffix == ".pdf":
            size = path.stat().st_size / 1024
            row(path.name, f"{size:.1f} KB", "", "<= 80 KB", size <= 80)


MAXRSS = """\
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if done.returncode:
    sys.exit(done.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory(bench: Bench) -> None:
    section("Peak memory of the full build, fresh process and its workers (build --force)")
    # A wrapper process of its own, so that the figure is this build's and no earlier child's.
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KB
    for label, args in (("max RSS, default jobs", ()), ("max RSS, -j1", ("-j1",))):
        command = [sys.executable, "-c", MAXRSS, *pipeline_command(bench.project, "build", "-q",
                                                                   "--force", *args)]
        done = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True,
                              check=True)
        row(label, f"{int(done.stdout) / unit:.0f} MB",
            "RUSAGE_CHILDREN ru_maxrss: the largest single process, not a sum over the workers")


# --- the figures: side by side with Chromium and WeasyPrint's CLI; a generated project ----

def become_subreaper() -> bool:
    """Linux: the processes our children leave behind (a browser's helpers) become our children
    when their parent exits, so that their CPU time too is counted once we reap them."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER


def reap_orphans(timeout: float = 5) -> None:
    """Wait for the descendants left behind by the commands just run (none of ours is running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no child left
        if pid == 0:
            time.sleep(0.01)


def run_timed(commands: list[list[str]], cwd: Path, allowed: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Start ``commands`` together in fresh processes and wait for all of them: the wall time, and
    the CPU time (user + system) of them and of every descendant they waited for, from
    resource.getrusage(RUSAGE_CHILDREN). Each must exit with a status in ``allowed``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=cwd, env=subprocess_env(), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for command in commands]
    errors = [process.communicate()[1] for process in processes]
    wall = time.perf_counter() - started
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for command, process, error in zip(commands, processes, errors, strict=True):
        if process.returncode not in allowed:
            raise RuntimeError(f"{' '.join(map(str, command))} exited with {process.returncode}:\n"
                               f"{error[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def times_of(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


def versus_others(bench: Bench) -> None:
    section("Full build of Sochi's 3 editions vs Chromium and WeasyPrint's CLI printing the same 3 "
            "HTML files, fresh processes, interleaved")
    folder = bench.project
    run_build(folder, "--force")  # the HTML files the others print
    htmls = [html_path(folder, code) for code in EDITIONS]
    others = bench.root / "others"
    others.mkdir()
    commands = {"pipeline": [pipeline_command(folder, "build", "-q", "--force")],
                "WeasyPrint CLI": [[str(WEASYPRINT_CLI), str(html), str(others / f"w.{html.stem}.pdf")]
                                   for html in htmls]}
    if CHROMIUM.is_file():
        commands["Chromium"] = [[str(CHROMIUM), *CHROMIUM_ARGS, f"--user-data-dir={others / f'c{i}'}",
                                 f"--print-to-pdf={others / f'c.{html.stem}.pdf'}", html.as_uri()]
                                for i, html in enumerate(htmls)]
    else:
        row("Chromium", "missing", f"{CHROMIUM}: run `tools/system-packages browser` as root")
    for group in commands.values():  # one warm-up each (Chromium creates its profiles)
        run_timed(group, folder)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, group in commands.items():
            wall, cpu = run_timed(group, folder)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall = {name: median(values) for name, values in walls.items()}
    cpu = {name: median(values) for name, values in cpus.items()}
    bench.figures["full"] = wall["pipeline"]
    for name in commands:
        how = ("build --force, default jobs" if name == "pipeline" else "3 processes in parallel")
        row(f"{name}: wall", seconds(wall[name]), f"median of {ROUNDS}: {times_of(walls[name])}; {how}")
        row(f"{name}: CPU", seconds(cpu[name]), f"user + system, its processes and their children; "
            f"median of {ROUNDS}: {times_of(cpus[name])}")
    if "Chromium" in commands:
        ratio = wall["pipeline"] / wall["Chromium"]
        row("vs Chromium, wall", f"{ratio:.2f} x", f"{wall['pipeline']:.2f} s vs {wall['Chromium']:.2f} s",
            "<= 0.6 x", ratio <= 0.6)
        bench.table.append(("full build vs Chromium, same 3 HTML files",
                            f"{ratio:.2f}x ({wall['pipeline']:.2f} s vs {wall['Chromium']:.2f} s; "
                            f"CPU {cpu['pipeline'] / cpu['Chromium']:.2f}x Chromium's)",
                            "<= 0.6x", ratio <= 0.6))
        row("vs Chromium, CPU", f"{cpu['pipeline'] / cpu['Chromium']:.2f} x",
            "Chromium's CPU includes the helpers it leaves behind, reaped by this process on Linux")
        floor = wall["WeasyPrint CLI"] / wall["Chromium"]
        row("WeasyPrint CLI vs Chromium", f"{floor:.2f} x", "wall: the floor of the ratio above "
            "for any WeasyPrint build (untagged, no share cards, no fixes)")
    weasy_wall = wall["pipeline"] / wall["WeasyPrint CLI"]
    weasy_cpu = cpu["pipeline"] / cpu["WeasyPrint CLI"]
    row("vs WeasyPrint CLI, wall", f"{weasy_wall:.2f} x", "the CLI prints the HTML untagged, plain PDF")
    row("vs WeasyPrint CLI, CPU", f"{weasy_cpu:.2f} x", "", "<= 1.05 x", weasy_cpu <= 1.05)
    bench.table.append(("the same vs WeasyPrint's CLI, 3 in parallel",
                        f"{weasy_wall:.2f}x wall, {weasy_cpu:.2f}x CPU", "CPU <= 1.05x",
                        weasy_cpu <= 1.05))


def make_nothing_to_do(folder: Path, rounds: int = ROUNDS, warm_up: bool = True
                       ) -> dict[str, list[float]]:
    """`make` with nothing to do, as the Makefile runs it (`build --update`, one fresh process),
    and `update` and `build` each in a process of its own; the wall time of each, ``rounds``
    times, after one untimed round (``warm_up``); and the CPU time (user + system) of each
    `make` (``cpu``: on a shared machine, wall times measure the neighbours as much as the
    pipeline)."""
    update, build = pipeline_command(folder, "update", "-q"), pipeline_command(folder, "build", "-q")
    make = pipeline_command(folder, "build", "--update", "-q")
    for command in (update, build, make) if warm_up else ():
        run_timed([command], folder)
    found: dict[str, list[float]] = {"update": [], "build": [], "make": [], "cpu": []}
    for _ in range(rounds):
        found["update"].append(run_timed([update], folder)[0])
        found["build"].append(run_timed([build], folder)[0])
        wall, cpu = run_timed([make], folder)
        found["make"].append(wall)
        found["cpu"].append(cpu)
    return found


def make_noop(bench: Bench) -> None:
    section("`make` with nothing to do on Sochi: `build --update`, as the Makefile runs it, and "
            "`update` and `build` each alone, fresh processes")
    before = snapshot(bench.project)
    found = make_nothing_to_do(bench.project)
    updates, builds, makes = found["update"], found["build"], found["make"]
    total = median(makes)
    row("update", seconds(median(updates)), f"median of {ROUNDS}: {times_of(updates)}")
    row("build", seconds(median(builds)), f"median of {ROUNDS}: {times_of(builds)}")
    row("make, nothing to do", seconds(total), f"build --update; median of {ROUNDS}: "
        f"{times_of(makes)}", "<= 0.15 s", total <= 0.15)
    changed = rewritten(before, snapshot(bench.project))
    row("files rewritten", str(len(changed)), ", ".join(changed) or "none")
    bench.table.append(("`make` with nothing to do (build --update; update, build alone)",
                        f"{total:.2f} s ({median(updates):.2f}, {median(builds):.2f})", "<= 0.15 s",
                        total <= 0.15))


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
MARKED = re.compile(r"(.*) \((\d+)\)", re.DOTALL)


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a double-quoted YAML scalar


def generated_statement(sochi: dict, number: int) -> str:
    """Statement ``number`` of a generated project: Sochi's, each of its texts (title, paragraphs)
    marked with the number so that it is a message of its own, and 40 of Sochi's signatories,
    a different run of them for each statement. Its Arabic translation: Sochi's, marked alike."""
    lines = [f"id: {statement_name(number)}", "title: " + yaml_string(f"{sochi['title']} ({number})")]
    for key in ("subtitle", "date", "language", "issuer"):
        if key in sochi:
            value = sochi[key]
            lines.append(f"{key}: {value if key == 'date' else yaml_string(str(value))}")
    lines.append("body:")
    lines += [f"  - {yaml_string(f'{paragraph} ({number})')}" for paragraph in sochi["body"]]
    lines.append("signatories:")
    names = sochi["signatories"]
    for i in range(SIGNATORIES):
        name = names[(number * 17 + i) % len(names)]
        if isinstance(name, dict):
            lines += [f"  - {key}: {yaml_string(value)}" if j == 0 else f"    {key}: {yaml_string(value)}"
                      for j, (key, value) in enumerate(name.items())]
        else:
            lines.append(f"  - {yaml_string(name)}")
    return "\n".join(lines) + "\n"


def statement_name(number: int) -> str:
    return f"statement-{number:03d}"


def generate_project(root: Path, count: int) -> Path:
    """A project of ``count`` statements of Sochi's shape, every one complete in both languages."""
    import yaml

    from pipeline.catalogs.pofile import read_catalog, serialise

    folder = copy_project(root / f"generated-{count}")
    sochi = yaml.safe_load(source_path(folder).read_text("utf-8"))
    if len(sochi["signatories"]) < SIGNATORIES:
        raise RuntimeError(f"sources/{STATEMENT}.yaml has fewer than {SIGNATORIES} signatories")
    source_path(folder).unlink()
    for number in range(1, count + 1):
        source_path(folder, statement_name(number)).write_text(generated_statement(sochi, number), "utf-8")
    run_command(folder, "update")
    # The Arabic of each marked message: Sochi's translation, marked with the same number.
    path = catalog_path(folder, "ar")
    sochi_ar = read_catalog(catalog_path(REPO, "ar").read_bytes(), "ar", "ar").index()
    catalog = read_catalog(path.read_bytes(), str(path), "ar")
    missing = []
    for entry in catalog.entries:
        marked = MARKED.fullmatch(entry.msgid)
        if entry.msgctxt not in ("title", "paragraph") or not marked:
            continue
        original = sochi_ar.get((entry.msgctxt, marked.group(1)))
        if original is None or not original.msgstr:
            missing.append(entry.msgid[:60])
            continue
        entry.msgstr = f"{original.msgstr} ({marked.group(2).translate(ARABIC_DIGITS)})"
        entry.flags.discard("fuzzy")
        entry.previous_msgctxt = entry.previous_msgid = entry.previous_msgid_plural = None
    if missing:
        raise RuntimeError(f"no Arabic translation in Sochi's catalog for {missing[:3]}")
    catalog.obsolete = []  # Sochi's own messages, retired by the update
    path.write_bytes(serialise(catalog))
    run_command(folder, "update")  # the catalogs as `update` writes them, so that the next has nothing to do
    return folder


EDIT_ROUNDS = len(EN_PHRASES) * 2  # each phrase as `make` runs it (one process), then as two


def one_paragraph_edit(folder: Path, count: int, round_: int, found: dict[str, list[float]]) -> None:
    """A few words of the first paragraph of one statement changed (round ``round_`` of
    ``EDIT_ROUNDS``), then `update` and `build`, fresh processes, as `make` runs them, until its
    English PDF is on disk; and WeasyPrint's own CLI printing that edition's HTML (untimed: the
    text put back, and everything printed again). The figures go into ``found``."""
    statement = statement_name((count + 1) // 2)
    path = source_path(folder, statement)
    original = path.read_text("utf-8")
    if original.count(EN_PHRASE) != 1:
        raise RuntimeError(f"expected {EN_PHRASE!r} once in {path.name}")
    pdf = pdf_path(folder, "en", statement)
    phrase = (EN_PHRASES * 2)[round_]
    before = file_identity(pdf)
    path.write_text(original.replace(EN_PHRASE, phrase), "utf-8")
    # The build refuses the Arabic and bilingual editions (their paragraph is now fuzzy): status 1.
    if round_ < len(EN_PHRASES):  # as the Makefile runs it: one process
        wall, cpu = run_timed([pipeline_command(folder, "build", "--update", "-q")], folder, (0, 1))
        found["make"].append(wall)
        found["make cpu"].append(cpu)
    else:  # and as two
        found["update"].append(run_timed([pipeline_command(folder, "update", "-q")], folder)[0])
        found["build"].append(run_timed([pipeline_command(folder, "build", "-q")], folder,
                                        (0, 1))[0])
    if file_identity(pdf) == before:
        raise RuntimeError(f"{pdf.name} was not printed again after the edit")
    html = html_path(folder, "en", statement)
    wall, cpu = run_timed([[str(WEASYPRINT_CLI), str(html), str(folder / "weasyprint.pdf")]],
                          folder)
    found["weasyprint"].append(wall)
    found["weasyprint cpu"].append(cpu)
    path.write_text(original, "utf-8")
    run_command(folder, "update")
    run_timed([pipeline_command(folder, "build", "-q")], folder)


def generated_projects(bench: Bench) -> None:
    section(f"Generated projects of N statements of Sochi's shape ({SIGNATORIES} signatories each, "
            f"drawn from Sochi's), N = {', '.join(map(str, SIZES))} (BENCH_SIZES)"
            + (f"; before (BENCH_BASELINE={BASELINE}) and after (this checkout), each in a "
               "project of its own, measured in turn, round by round" if BASELINE else ""))
    checkouts = [("before ", BASELINE), ("after ", REPO)] if BASELINE else [("", REPO)]
    for count in SIZES:
        generated_project(bench, count, checkouts)


def interleaved(checkouts: list[tuple[str, Path]], rounds: int,
                measure: Callable[[str, int], None]) -> None:
    """``measure(label, round)`` for every round, each checkout in turn within a round: a
    neighbour's burst of work on a shared machine then slows both sides, not one."""
    for round_ in range(rounds):
        for label, checkout in checkouts:
            with using(checkout):
                measure(label, round_)


def generated_project(bench: Bench, count: int, checkouts: list[tuple[str, Path]]) -> None:
    """The figures of a generated project of ``count`` statements, for each checkout (a project
    of its own each, printed by it), measured in turn."""
    folders: dict[str, Path] = {}
    fulls: dict[str, tuple[float, int]] = {}
    for label, checkout in checkouts:
        with using(checkout):
            started = time.perf_counter()
            name = f"{label}N={count}"
            folder = folders[label] = generate_project(bench.root / (label.strip() or "this"), count)
            entries = sum(1 for line in catalog_path(folder, "ar").read_text("utf-8").splitlines()
                          if line.startswith("msgid ")) - 1
            row(f"{name}: generated", seconds(time.perf_counter() - started),
                f"sources, 2 updates, the Arabic filled in; {entries} catalog entries")
            full, _ = run_timed([pipeline_command(folder, "build", "-q", "-j", "2")], folder)
            pdfs = len(list((folder / "output").glob("*/*.pdf")))
            if pdfs != count * len(EDITIONS):
                raise RuntimeError(f"{name}: {pdfs} PDFs printed, not {count * len(EDITIONS)}")
            fulls[label] = (full, pdfs)
            row(f"{name}: full build -j 2", seconds(full), f"one run from scratch; {pdfs} PDFs, "
                f"{full / pdfs:.2f} s a PDF")
            make_nothing_to_do(folder, 0)  # the untimed round
    noops: dict[str, dict[str, list[float]]] = {
        label: {"update": [], "build": [], "make": [], "cpu": []} for label, _ in checkouts}

    def nothing_to_do(label: str, _: int) -> None:
        for key, values in make_nothing_to_do(folders[label], 1, warm_up=False).items():
            noops[label][key] += values

    interleaved(checkouts, ROUNDS, nothing_to_do)
    edits: dict[str, dict[str, list[float]]] = {
        label: {"update": [], "build": [], "make": [], "weasyprint": [], "make cpu": [],
                "weasyprint cpu": []} for label, _ in checkouts}
    interleaved(checkouts, EDIT_ROUNDS,
                lambda label, round_: one_paragraph_edit(folders[label], count, round_, edits[label]))
    for label, _ in checkouts:
        report_generated(bench, f"{label}N={count}", count, fulls[label], noops[label],
                         edits[label])
        shutil.rmtree(folders[label])


def report_generated(bench: Bench, name: str, count: int, full_pdfs: tuple[float, int],
                     noops: dict[str, list[float]], edits: dict[str, list[float]]) -> None:
    full, pdfs = full_pdfs
    noop = median(noops["make"])
    rounds = len(noops["make"])
    row(f"{name}: update, nothing to do", seconds(median(noops["update"])), f"median of {rounds}: "
        f"{times_of(noops['update'])}")
    row(f"{name}: build, nothing to do", seconds(median(noops["build"])), f"median of {rounds}: "
        f"{times_of(noops['build'])}")
    row(f"{name}: make, nothing to do", seconds(noop), f"build --update; median of {rounds}: "
        f"{times_of(noops['make'])}", "<= 0.15 s", noop <= 0.15)
    noop_cpu = median(noops["cpu"])
    row(f"{name}: its CPU", seconds(noop_cpu), f"user + system; median of {rounds}: "
        f"{times_of(noops['cpu'])}")
    edit = median(edits["make"])
    weasy = median(edits["weasyprint"])
    row(f"{name}: edit, update", seconds(median(edits["update"])),
        f"one paragraph of {statement_name((count + 1) // 2)}; median of {len(EN_PHRASES)}: "
        f"{times_of(edits['update'])}")
    row(f"{name}: edit, build", seconds(median(edits["build"])),
        f"median of {len(EN_PHRASES)}: {times_of(edits['build'])}")
    row(f"{name}: edit, WeasyPrint CLI", seconds(weasy), "the same English edition's HTML, "
        f"fresh process; median of {len(edits['weasyprint'])}: {times_of(edits['weasyprint'])}")
    row(f"{name}: edit, make to PDF", seconds(edit), f"build --update; median of "
        f"{len(edits['make'])}: {times_of(edits['make'])}",
        f"<= WeasyPrint + 0.2 s = {weasy + 0.2:.2f} s", edit <= weasy + 0.2)
    edit_cpu, weasy_cpu = median(edits["make cpu"]), median(edits["weasyprint cpu"])
    row(f"{name}: edit, CPU", seconds(edit_cpu), f"make to PDF, user + system with its workers; "
        f"WeasyPrint CLI's {weasy_cpu:.2f} s; medians of {len(edits['make cpu'])}: "
        f"{times_of(edits['make cpu'])}")
    bench.scale[name] = {
        "full build (-j 2)": (f"{full:.1f} s ({full / pdfs:.2f} s a PDF)", None),
        "`update` with nothing to do": (seconds(median(noops["update"])), None),
        "`build` with nothing to do": (seconds(median(noops["build"])), None),
        "`make` with nothing to do": (seconds(noop), noop <= 0.15),
        "the same, CPU": (seconds(noop_cpu), None),
        "one paragraph edited: `update` + `build`":
            (f"{median(edits['update']):.2f} + {median(edits['build']):.2f} s", None),
        "one paragraph edited: `build --update`": (seconds(edit), None),
        "the same, vs WeasyPrint CLI + 0.2 s": (f"{edit:.2f} vs {weasy + 0.2:.2f} s",
                                               edit <= weasy + 0.2),
        "the same, CPU vs WeasyPrint CLI's": (f"{edit_cpu:.2f} vs {weasy_cpu:.2f} s", None),
    }


SCALE_TARGETS = {"`make` with nothing to do": "<= 0.15 s",
                 "the same, vs WeasyPrint CLI + 0.2 s": "make <= WeasyPrint + 0.2 s"}


def summary(bench: Bench) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nIssue 19's tables, measured in this run (load average now {load}; on a shared machine "
          "a busy neighbour slows every figure, so compare ratios, not seconds)\n")
    print("| figure | measured | target | |\n|---|---|---|---|")
    for figure, measured, target, met in bench.table:
        print(f"| {figure} | {measured} | {target} | {'met' if met else 'NOT met'} |")
    if bench.scale:
        sizes = list(bench.scale)
        print(f"\n| figure | {' | '.join(sizes)} | target |")
        print("|---|" + "---|" * (len(sizes) + 1))
        for figure in bench.scale[sizes[0]]:
            cells = []
            for n in sizes:
                text, met = bench.scale[n][figure]
                cells.append(text + ("" if met is None else " (met)" if met else " (NOT met)"))
            print(f"| {figure} | {' | '.join(cells)} | {SCALE_TARGETS.get(figure, '')} |")

IMPORT_TIME = "import time; t=time.perf_counter(); import weasyprint; print(time.perf_counter()-t)"


def print_phases(html: str, stylesheets: list) -> tuple[float, float, int]:
    """Raw WeasyPrint: the layout (render) time, the whole print time and the page count."""
    import weasyprint

    started = time.perf_counter()
    document = weasyprint.HTML(filename=html, base_url=html).render(stylesheets=stylesheets)
    laid_out = time.perf_counter()
    document.write_pdf()
    return laid_out - started, time.perf_counter() - started, len(document.pages)


def where_the_time_goes(bench: Bench) -> None:
    section("Where the time goes: balancing the two-column signatory list; importing WeasyPrint")
    import weasyprint

    variants = {"two columns": [], "columns off": [weasyprint.CSS(string=NO_COLUMNS)]}
    for code in ("ar", "en"):
        html = str(html_path(bench.project, code))
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in variants}
        for round_ in range(REPEAT + 1):  # the first round warms up, interleaved to share drift
            for name, stylesheets in variants.items():
                measured = print_phases(html, stylesheets)
                if round_:
                    runs[name].append(measured)
        layout = {name: median([r[0] for r in found]) for name, found in runs.items()}
        whole = {name: median([r[1] for r in found]) for name, found in runs.items()}
        for name, found in runs.items():
            row(f"{code}: {name}", seconds(whole[name]),
                f"raw write_pdf, {found[0][2]} pages, of which layout (render) {layout[name]:.2f} s; "
                f"median of {REPEAT} after one warm-up")
        saved = layout["two columns"] - layout["columns off"]
        row(f"{code}: balancing the columns", seconds(saved),
            f"{100 * saved / layout['two columns']:.0f} % of the layout time, "
            f"{100 * saved / whole['two columns']:.0f} % of the print time"
            + ("; the issue says about two thirds of the Arabic layout time" if code == "ar" else ""))
    env = subprocess_env()
    imports = [float(subprocess.run([sys.executable, "-c", IMPORT_TIME], env=env, capture_output=True,
                                    text=True, check=True).stdout) for _ in range(REPEAT)]
    startup = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        startup.append(time.perf_counter() - started)
    row("import weasyprint", seconds(median(imports)),
        f"fresh process, median of {REPEAT}; "
        + (f"{100 * median(imports) / bench.figures['full']:.0f} % of the full build, "
           if "full" in bench.figures else "")
        + "paid once per process (so once per worker)")
    row("python start-up", seconds(median(startup)), f"python -c pass, median of {REPEAT}")


def compile_package() -> None:
    """Python caches a module's bytecode at its first import unless told not to (the environment
    variable PYTHONDONTWRITEBYTECODE): then every fresh process the benchmark starts would
    compile the pipeline's sources again, which a user's second run never does. They are
    compiled once here (into __pycache__, which git ignores)."""
    import compileall

    compileall.compile_dir(REPO / "pipeline", quiet=1)
    if BASELINE is not None:
        compileall.compile_dir(BASELINE / "pipeline", quiet=1)
    if sys.dont_write_bytecode:
        print("  bytecode    PYTHONDONTWRITEBYTECODE is set: the pipeline's modules were compiled "
              "once, beforehand")


def main() -> int:
    started = time.perf_counter()
    sys.path.insert(0, str(REPO))  # the in-process measures use this checkout's pipeline package
    subreaper = become_subreaper()
    header()
    compile_package()
    if not subreaper:
        print("  (not Linux: the CPU time of processes a command leaves behind is not counted)")
    with tempfile.TemporaryDirectory(prefix="statement-bench-") as folder:
        root = Path(folder)
        bench = Bench(root, copy_project(root / "project"))
        if ONLY and not html_path(bench.project, LANGUAGES[0]).exists():
            run_build(bench.project)  # the measures that read built editions expect a first build
        for measure in (versus_others, make_noop, watch_latency, generated_projects, noop_rebuild,
                        arabic_edit_rebuild, raw_floor, pdf_sizes, peak_memory, where_the_time_goes):
            if not ONLY or measure.__name__ in ONLY:
                measure(bench)
        summary(bench)
    print(f"\nbenchmark done in {time.perf_counter() - started:.0f} s; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast the pipeline prints, on the machine at hand: `make bench`.

Prints figures and the targets they are compared with; it never fails on timing. It works on a
copy of the project's sources, catalogs and templates in a temporary folder, so the repository's
own output/, sources/ and locales/ are never touched. Builds that a user starts from the shell are
measured in fresh processes (Python start-up and the WeasyPrint import included); printing alone
is measured in this one warm process.
"""

from __future__ import annotations

import hashlib
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("sources", "locales", "templates", "babel.cfg", "pyproject.toml")
STATEMENT = "sochi-2018"
LANGUAGES = ("en", "ar")
CORES = os.cpu_count() or 1
REPEAT = 3  # short measurements are repeated; the median is reported
SCALES = (1, 4, 16)
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


def section(number: int, title: str) -> None:
    print(f"\n{number}. {title}", flush=True)


def subprocess_env() -> dict[str, str]:
    """This checkout's pipeline package, whatever is installed in the interpreter's environment."""
    paths = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
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
    print(f"  load        {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min averages)")
    print(f"  method      wall time with time.perf_counter; 'median of {REPEAT}' unless said otherwise",
          flush=True)


def cold_full_build(bench: Bench) -> None:
    section(1, "Cold full build, both languages, fresh process (build --force)")
    times = [run_build(bench.project, "--force")[0] for _ in range(REPEAT)]
    bench.figures["full"] = median(times)
    row("full build", seconds(median(times)),
        f"median of {REPEAT}: {', '.join(f'{t:.2f}' for t in times)}; the first was in a fresh copy")
    pdfs = sorted(path.name for path in edition_files(bench.project) if path.suffix == ".pdf")
    row("editions printed", str(len(pdfs)), ", ".join(pdfs))


def noop_rebuild(bench: Bench) -> None:
    section(2, "No-op rebuild, fresh process (nothing changed)")
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
    section(3, 'Arabic-only edit, fresh process (msgstr of "Signatories" in the ar catalog)')
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
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
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
    section(4, "Watch mode: edit saved -> edition's PDF replaced (watch --lang LANG, one per language)")
    for code, what in (("ar", 'msgstr of "Signatories" in the ar catalog'),
                       ("en", f"first paragraph of sources/{STATEMENT}.yaml")):
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
                summary = watcher.wait_for(r" printed \(", timeout=30)  # the rebuild is complete
                if " 0 refused" not in summary:
                    problems.append(summary)
        finally:
            status = watcher.stop()
            save(path, versions[-1])
        latency = median(latencies)
        row(f"{code}: edit -> PDF", seconds(latency),
            f"median of {len(latencies)}: {', '.join(f'{t:.2f}' for t in latencies)}; edit: {what}",
            "<= 0.5 s", latency <= 0.5)
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
    section(5, "Raw WeasyPrint floor vs. the pipeline, one warm process (jobs=1, --force)")
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


def sequential_parallel(bench: Bench) -> None:
    section(6, "Sequential vs. parallel full build, fresh processes (build --force -j1 / -j2)")
    times: dict[str, list[float]] = {"-j1": [], "-j2": []}
    for _ in range(REPEAT):
        for jobs in times:
            times[jobs].append(run_build(bench.project, "--force", jobs)[0])
    one, two = median(times["-j1"]), median(times["-j2"])
    for jobs, value in (("-j1", one), ("-j2", two)):
        row(f"full build {jobs}", seconds(value),
            f"median of {REPEAT}: {', '.join(f'{t:.2f}' for t in times[jobs])}")
    row("parallel / sequential", f"{two / one:.2f} x", "", "<= 0.65 x", two / one <= 0.65)


def pdf_sizes(bench: Bench) -> None:
    section(7, "PDF size of each edition")
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
    section(8, "Peak memory of the full build, fresh process and its workers (build --force)")
    # A wrapper process of its own, so that the figure is this build's and no earlier child's.
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KB
    for label, args in (("max RSS, default jobs", ()), ("max RSS, -j1", ("-j1",))):
        command = [sys.executable, "-c", MAXRSS, *pipeline_command(bench.project, "build", "-q",
                                                                   "--force", *args)]
        done = subprocess.run(command, env=subprocess_env(), capture_output=True, text=True,
                              check=True)
        row(label, f"{int(done.stdout) / unit:.0f} MB",
            "RUSAGE_CHILDREN ru_maxrss: the largest single process, not a sum over the workers")


def make_scale_project(root: Path, count: int) -> Path:
    folder = copy_project(root / f"scale-{count}")
    original = source_path(folder).read_text("utf-8")
    if len(re.findall(rf"^id: {STATEMENT}$", original, flags=re.MULTILINE)) != 1:
        raise RuntimeError(f"sources/{STATEMENT}.yaml has no single 'id: {STATEMENT}' line")
    for k in range(1, count):
        name = f"{STATEMENT}-copy-{k}"
        copy = re.sub(rf"^id: {STATEMENT}$", f"id: {name}", original, flags=re.MULTILINE)
        source_path(folder, name).write_text(copy, "utf-8")
    return folder


def scale(bench: Bench) -> None:
    section(9, f"Scale: N statements (copies of {STATEMENT}), fresh process, build --force, default jobs")
    totals, editions = {}, 0
    for count in SCALES:
        folder = make_scale_project(bench.root, count)
        repeat = 1 if count == SCALES[-1] else REPEAT  # the largest once: it takes long enough
        runs = [run_build(folder, "--force") for _ in range(repeat)]
        said = [done.stderr.strip() for _, done in runs if done.stderr.strip()]
        per_folder = {len(list(sub.glob("*.pdf"))) for sub in (folder / "output").iterdir()
                      if sub.is_dir() and not sub.name.startswith("_")}
        pdfs = len(list((folder / "output").glob("*/*.pdf")))
        if said or len(per_folder) != 1 or pdfs < count * len(LANGUAGES):
            raise RuntimeError(f"N={count}: {pdfs} PDFs ({per_folder} per statement); the build "
                               f"said: {said[:1]}")
        total = totals[count] = median([t for t, _ in runs])
        editions = pdfs // count
        how = f"median of {repeat}: " + ", ".join(f"{t:.2f}" for t, _ in runs) if repeat > 1 else "one run"
        row(f"N={count:<2} total", seconds(total), f"{how}; {pdfs} PDFs, nothing refused")
        row(f"N={count:<2} per statement", seconds(total / count),
            f"x {CORES} cores = {total / count * CORES:.2f} s per statement per core")
        shutil.rmtree(folder)
    first, last = SCALES[0], SCALES[-1]
    ratio = (totals[last] / last) / (totals[first] / first)
    row(f"N={last} vs N={first} per statement", f"{ratio:.2f} x",
        "below 1: the start-up is paid once, not per statement; the target asks that many "
        "statements cost no more each than one", "<= 1.15 x", ratio <= 1.15)
    for count in SCALES[1:]:
        added = (totals[count] - totals[first]) / (count - first)
        row(f"each statement N={first}->{count}", seconds(added),
            f"marginal cost of one more statement ({editions} editions); x {CORES} cores = "
            f"{added * CORES:.2f} s")


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
    section(10, "Where the time goes: balancing the two-column signatory list; importing WeasyPrint")
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
        f"fresh process, median of {REPEAT}; {100 * median(imports) / bench.figures['full']:.0f} % "
        "of the full build, paid once per process (so once per worker)")
    row("python start-up", seconds(median(startup)), f"python -c pass, median of {REPEAT}")


def main() -> int:
    started = time.perf_counter()
    sys.path.insert(0, str(REPO))  # the in-process measures use this checkout's pipeline package
    header()
    with tempfile.TemporaryDirectory(prefix="statement-bench-") as folder:
        root = Path(folder)
        bench = Bench(root, copy_project(root / "project"))
        for measure in (cold_full_build, noop_rebuild, arabic_edit_rebuild, watch_latency, raw_floor,
                        sequential_parallel, pdf_sizes, peak_memory, scale, where_the_time_goes):
            measure(bench)
    print(f"\nbenchmark done in {time.perf_counter() - started:.0f} s; load average now "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line: a thin layer over the commands. ``main(argv) -> exit status``.

Each sub-command maps its arguments onto one function of ``pipeline.commands`` (argparse's
``set_defaults(func=...)``). Expected failures print as ``file:line: message`` lines and exit 1;
anything else is a bug and keeps its traceback. SIGTERM and SIGHUP end a run as Ctrl-C does:
files written so far are complete, workers are stopped, the rest is untouched.
"""

from __future__ import annotations

import _thread
import argparse
import functools
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from . import log
from .errors import STOPS, PipelineError, Terminated, stop_if_stopped
from .model import PAPER_SIZES, PrintOptions
from .project import Project

if TYPE_CHECKING:
    from .commands.update import Left
    from .plan import Request

MAX_BLEED_MM = 10.0
UNIT_MM = {"mm": 1.0, "pt": 25.4 / 72, "in": 25.4}


def paper_size(value: str) -> str:
    sizes = {size.lower(): size for size in PAPER_SIZES}
    if value.lower() not in sizes:
        raise argparse.ArgumentTypeError(f"unknown paper size {value!r}: use one of "
                                         f"{', '.join(PAPER_SIZES)}")
    return sizes[value.lower()]


def bleed_length(value: str) -> str:
    match = re.fullmatch(r"(\d{1,3}(?:\.\d{1,3})?)(mm|pt|in)", value.strip())
    if not match or float(match.group(1)) * UNIT_MM[match.group(2)] > MAX_BLEED_MM:
        raise argparse.ArgumentTypeError(f"{value!r} is not a bleed such as 3mm, 9pt or 0.125in "
                                         f"(at most {MAX_BLEED_MM:.0f} mm)")
    return value.strip()


def project_folder(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty folder name: give the project folder, or leave "
                                         "out -C for the current one")
    return Path(value)


def job_count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of worker processes (1 or "
                                         "more; leave -j out for one per core)")
    return int(value)


def port_number(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0 to 65535; 0: any "
                                         "free port)")
    return int(value)


# --- the commands, each a thin call into the library ---------------------------------------------

def run_build(project: Project, args: argparse.Namespace) -> int:
    from .commands.build import build
    from .printing import Printers

    request = request_of(args)
    updated = 0
    left: list[Left] = []  # the inputs as the update left them, not read twice
    # The first worker starts as soon as the update or the build sees something changed.
    with Printers.on_standby(args.jobs) as printers:
        if args.update:  # as `update` then `build`: what update cannot do is reported, the build runs
            from .commands.update import update

            try:
                update(project, args.languages, left, lambda _: printers.start_early())
            except PipelineError as error:
                updated = fail_on([error])
        report = build(project, request, args.jobs, printers, inputs=left[0] if left else None)
    return fail_on(report.refused) or updated


def run_check(project: Project, args: argparse.Namespace) -> int:
    from .commands.check import check

    report = check(project, args.statements, args.languages)
    for error in report.unreadable:
        for problem in error.problems:
            log.error("%s", problem)
    for warning in report.warnings + report.sources:
        log.warning("%s", warning)
    if args.json:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
        return 1 if report.failed else 0
    for entry in report.languages:
        # a statement that cannot be read is an error of its own, said once above: the lines
        # that do not count it say so, at the level of their language's own problems
        released_problem = entry.released and bool(entry.status.errors)
        (log.error if released_problem else log.info)("%s", entry.summary)
        for problem in entry.shown_problems:
            (log.error if problem.severity == "error" and entry.released
             else log.warning)("%s", problem)
    return 1 if report.failed else 0


def run_verify(project: Project, args: argparse.Namespace) -> int:
    from .commands.verify import verify

    differences = verify(project, args.jobs)
    for difference in differences:
        log.error("%s: %s", difference.name, difference.what)
    if not differences:
        log.info("every file in %s is what its inputs give, byte for byte",
                 project.relative(project.output_dir))
    return 1 if differences else 0


def run_watch(project: Project, args: argparse.Namespace) -> int:
    from .commands.watch import watch

    watch(project, request_of(args))
    return 0


def run_serve(project: Project, args: argparse.Namespace) -> int:
    from .commands.serve import serve

    serve(project, args.port)
    return 0


def run_dist(project: Project, args: argparse.Namespace) -> int:
    from .commands.dist import bundle

    bundle(project, args.statements, args.languages, jobs=args.jobs)  # names each zip it writes
    return 0


def run_preview(project: Project, args: argparse.Namespace) -> int:
    from .commands.preview import preview

    preview(project, args.into)
    return 0


def run_extract(project: Project, args: argparse.Namespace) -> int:
    from .commands.update import extract

    extract(project)
    return 0


def run_update(project: Project, args: argparse.Namespace) -> int:
    from .commands.update import update

    update(project, args.languages)
    return 0


def run_init(project: Project, args: argparse.Namespace) -> int:
    from .commands.update import init

    init(project, args.language)
    return 0


def run_signatories(project: Project, args: argparse.Namespace) -> int:
    from .commands.signatories import import_sheet

    statement = Path(args.statement).stem if args.statement.endswith(".yaml") else args.statement
    report = import_sheet(project, statement, args.sheet, dict(args.columns or ()), args.dry_run)
    return 1 if report.of("undecided") else 0


def column_option(value: str) -> tuple[str, str]:
    """``--column en="Organisation (English)"``: which column of a sheet holds which language."""
    from .identifiers import language_problem

    code, equals, header = value.partition("=")
    if not equals or not header.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not LANG=HEADER, such as "
                                         'en="Organisation name"')
    if message := language_problem(code.strip()):
        raise argparse.ArgumentTypeError(message)
    return code.strip(), header.strip()


def request_of(args: argparse.Namespace) -> Request:
    from .plan import Request

    print_shop = getattr(args, "print_shop", False)
    if print_shop and args.draft:
        raise PipelineError("a draft is not for a print shop: print the draft without "
                            "--print-shop, or the release without --draft")
    bleed = getattr(args, "bleed", None) or ("3mm" if print_shop else None)
    return Request(tuple(getattr(args, "statements", None) or ()),
                   tuple(args.languages or ()), args.draft, getattr(args, "force", False),
                   PrintOptions(getattr(args, "paper", "A4"), bleed,
                                getattr(args, "archival", False), print_shop))


def fail_on(refused: list[PipelineError]) -> int:
    for error in refused:
        for problem in error.problems:
            log.error("%s", problem)
    return 1 if refused else 0


# --- the parser ----------------------------------------------------------------------------------

def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m pipeline", description=(
        "Publish multilingual statements as print-ready PDF and HTML editions."))
    # The common options go before or after the command: the top parser holds their defaults and
    # each command's copy leaves them unset (SUPPRESS), so `-C DIR build` and `build -C DIR` agree.
    def common_options(parser: argparse.ArgumentParser, default: Callable[[object], object]) -> None:
        parser.add_argument("-C", "--project", type=project_folder, default=default(Path.cwd()),
                            help="the project folder (default: the current folder)")
        loudness = parser.add_mutually_exclusive_group()  # one before the command and one
        loudness.add_argument("-q", "--quiet", action="store_true", default=default(False),
                              help="report only errors")  # after it: main() refuses them too
        loudness.add_argument("-v", "--verbose", action="store_true", default=default(False),
                              help="say more, and show where each error was raised")

    common_options(top, lambda value: value)
    common = argparse.ArgumentParser(add_help=False)
    common_options(common, lambda value: argparse.SUPPRESS)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, func: Callable[[Project, argparse.Namespace], int]
                ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[common])
        sub.set_defaults(func=func)
        return sub

    def statements(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("statements", nargs="*", metavar="STATEMENT",
                         help="statement identifiers (default: every file in sources/)")

    def languages(sub: argparse.ArgumentParser, what: str) -> None:
        sub.add_argument("--lang", action="append", dest="languages", metavar="LANG",
                         help=f"only this language (repeatable; default: {what})")

    def jobs(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("-j", "--jobs", type=job_count, default=None,
                         help="worker processes (default: one per core)")

    def draft(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--draft", action="store_true", help=(
            "also print languages in progress and incomplete translations, as drafts in "
            "output/drafts/"))

    build = command("build", "print the PDF and HTML editions into output/", run_build)
    statements(build)
    languages(build, "every released language")
    draft(build)
    build.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    build.add_argument("--update", action="store_true", help=(
        "first bring the catalogs up to date, as `update` does (what `make` runs: one process "
        "for both); the build runs even if the update fails, and the status says it failed"))
    jobs(build)
    build.add_argument("--paper", type=paper_size, default="A4",
                       help="A4 (default), A5, A3, letter or legal")
    build.add_argument("--bleed", type=bleed_length, default=None, metavar="LENGTH",
                       help="bleed around each page, with crop marks, for a print shop: 3mm")
    variant = build.add_mutually_exclusive_group()
    variant.add_argument("--archival", action="store_true",
                         help="PDF/A-3a for archives, tagged and accessible (default: PDF/UA-1)")
    variant.add_argument("--print-shop", action="store_true", help=(
        "PDF/X-1a for a print shop: text on the black plate only, crop marks in registration "
        "colour, 3 mm bleed unless --bleed says otherwise"))

    check = command("check", "report how complete and sound each translation is", run_check)
    statements(check)
    languages(check, "every catalog")
    check.add_argument("--json", action="store_true", help="print the report as JSON")

    verify = command("verify", "rebuild into a temporary folder and compare with output/",
                     run_verify)
    jobs(verify)

    watch = command("watch", "update and rebuild whenever a file is saved (Ctrl-C stops)",
                    run_watch)
    languages(watch, "every released language")
    draft(watch)

    serve = command("serve", "a live preview: build with drafts, serve output/ on 127.0.0.1 and "
                             "reload the open page on every save (Ctrl-C stops)", run_serve)
    serve.add_argument("--port", type=port_number, default=8000,
                       help="the port to listen on (default: 8000)")

    dist = command("dist", "build the released languages and zip each statement's editions "
                           "into dist/", run_dist)
    statements(dist)
    languages(dist, "every released language")
    jobs(dist)

    preview = command("preview", "PNG pictures of the first page of every PDF", run_preview)
    preview.add_argument("--into", type=Path, default=None,
                         help="the folder for the pictures (default: beside each PDF)")

    signatories = command("signatories", "add the new organisations of a sign-on sheet (CSV) "
                                         "to a statement's signatories", run_signatories)
    signatories.add_argument("statement", metavar="STATEMENT", help="the statement's identifier")
    signatories.add_argument("sheet", type=Path, metavar="FILE.csv", help=(
        "the sheet: a header row, a column per language headed by its code (en, ar)"))
    signatories.add_argument("--column", action="append", dest="columns", type=column_option,
                             metavar="LANG=HEADER", help=(
                                 'the column holding the names in LANG, by its header: '
                                 'en="Organisation name" (repeatable)'))
    signatories.add_argument("--dry-run", action="store_true",
                             help="say what would be added, write nothing")

    command("extract", "write the message template locales/statements.pot", run_extract)
    update = command("update", "extract, then merge the template into every catalog", run_update)
    languages(update, "every catalog")
    init = command("init", "create the catalog of a new language", run_init)
    init.add_argument("language", metavar="LANG", help="a language code such as fa or fr")
    return top


# --- running -------------------------------------------------------------------------------------

def _terminate(signum: int, frame: FrameType | None) -> None:
    STOPS.append(signum)
    raise Terminated(signum)


def _signal_again(previous: Callable[[Any], object], unraisable: Any) -> None:
    """A stop that landed while Python ran a finalizer (a ``__del__``, a weakref callback) is
    ignored there, with a traceback, and the run would go on: the signal is given again instead,
    a moment later, from a bare thread (``threading`` takes locks a finalizer may interrupt), to
    stop the run where it is then."""
    stop = unraisable.exc_value
    if not isinstance(stop, Terminated | KeyboardInterrupt):
        previous(unraisable)
        return
    _thread.start_new_thread(_signal_later, (
        stop.signum if isinstance(stop, Terminated) else signal.SIGINT,))


def _signal_later(signum: int) -> None:
    time.sleep(0.01)  # the finalizer is over
    signal.pthread_kill(threading.main_thread().ident or 0, signum)  # wakes it if it waits


@contextmanager
def handled_signals() -> Iterator[None]:
    saved = {}
    hook = sys.unraisablehook
    try:  # a stop may land as soon as a handler is set: every one set is then restored
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                saved[signum] = signal.getsignal(signum)
                signal.signal(signum, _terminate)
            except ValueError:  # not the main thread: leave signals alone
                saved.pop(signum, None)
        if saved:
            sys.unraisablehook = functools.partial(_signal_again, hook)
        yield
    finally:
        sys.unraisablehook = hook
        for signum, handler in saved.items():
            if handler is not None:  # None: set outside Python, which cannot be set back
                signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    if args.quiet and args.verbose:  # one before the command, the other after it
        top.error("argument -v/--verbose: not allowed with argument -q/--quiet")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = log.handlers[:], log.level, log.propagate
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO)
    log.propagate = False
    STOPS.clear()
    try:
        with handled_signals():
            status = run(args)
            stop_if_stopped()  # a stop that did not come through (see STOPS): the run ends stopped
            return status
    # a stop is caught here, not in run(): one may land while the handlers are being set
    except KeyboardInterrupt:
        log.error("interrupted: the files written so far are complete, the rest untouched")
        return 130
    except Terminated as stop:
        log.error("stopped by signal %d: the files written so far are complete, the rest "
                  "untouched", stop.signum)
        return 128 + stop.signum
    finally:  # the library's logger as it was: main() may be called again, from tests
        log.handlers[:], log.level, log.propagate = saved


def run(args: argparse.Namespace) -> int:
    try:
        project = Project.at(args.project)
        return int(args.func(project, args))
    except PipelineError as error:
        if args.verbose:
            log.debug("raised here:", exc_info=True)
        for problem in error.problems:
            log.error("%s", problem)
        return 1

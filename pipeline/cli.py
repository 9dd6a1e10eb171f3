"""The command line: a thin layer over the library. ``main(argv) -> exit code``."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

from . import log
from .errors import PipelineError
from .pdf import PrintOptions
from .project import Project

PAPER_SIZES = {"a3": "A3", "a4": "A4", "a5": "A5", "letter": "letter", "legal": "legal"}


def paper_size(value: str) -> str:
    if value.lower() not in PAPER_SIZES:
        raise argparse.ArgumentTypeError(f"unknown paper size {value!r}: use one of "
                                         f"{', '.join(PAPER_SIZES.values())}")
    return PAPER_SIZES[value.lower()]


def bleed_length(value: str) -> str:
    if not re.fullmatch(r"(?:\d{1,2}(?:\.\d{1,2})?)(?:mm|pt|in)", value.strip()):
        raise argparse.ArgumentTypeError(f"{value!r} is not a bleed such as 3mm, 9pt or 0.125in")
    return value.strip()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m pipeline", description=(
        "Publish multilingual statements as print-ready PDF and HTML editions."))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--project", type=Path, default=Path.cwd(),
                        help="the project folder (default: the current folder)")
    common.add_argument("-q", "--quiet", action="store_true", help="report only errors")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help, parents=[common])

    build = command("build", "print the PDF and HTML editions into output/")
    build.add_argument("statements", nargs="*", metavar="STATEMENT",
                       help="statement identifiers (default: every file in sources/)")
    build.add_argument("--lang", action="append", dest="languages", metavar="LANG",
                       help="only this language (repeatable; default: every catalog)")
    build.add_argument("--draft", action="store_true",
                       help="print incomplete translations too, marked as drafts")
    build.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    build.add_argument("-j", "--jobs", type=int, default=None,
                       help="worker processes (default: one per core)")
    build.add_argument("--paper", type=paper_size, default="A4",
                       help="A4 (default), A5, A3, letter or legal")
    build.add_argument("--bleed", type=bleed_length, default=None, metavar="LENGTH",
                       help="bleed around each page, with crop marks, for a print shop: 3mm")
    build.add_argument("--archival", action="store_true",
                       help="PDF/A-3b for archives (default: tagged, accessible PDF/UA-1)")

    check = command("check", "report how complete and sound each translation is")
    check.add_argument("statements", nargs="*", metavar="STATEMENT",
                       help="statement identifiers (default: every file in sources/)")
    check.add_argument("--lang", action="append", dest="languages", metavar="LANG",
                       help="only this language (repeatable; default: every catalog)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")

    verify = command("verify", "rebuild into a temporary folder and compare with output/")
    verify.add_argument("-j", "--jobs", type=int, default=None)
    watch = command("watch", "rebuild the affected editions whenever a file is saved")
    watch.add_argument("--lang", action="append", dest="languages", metavar="LANG")
    watch.add_argument("--draft", action="store_true",
                       help="print incomplete translations too, marked as drafts")

    dist = command("dist", "build for release and zip each statement's editions into dist/")
    dist.add_argument("statements", nargs="*", metavar="STATEMENT")
    dist.add_argument("-j", "--jobs", type=int, default=None)
    preview = command("preview", "PNG pictures of the first page of every PDF")
    preview.add_argument("--into", type=Path, default=None,
                         help="the folder for the pictures (default: beside each PDF)")

    command("extract", "write the message template locales/statements.pot")
    update = command("update", "extract, then merge the template into every catalog")
    update.add_argument("--lang", action="append", dest="languages", metavar="LANG",
                        help="only this language (repeatable; default: every catalog)")
    init = command("init", "create the catalog of a new language")
    init.add_argument("language", metavar="LANG", help="a language code such as fa or fr")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = log.handlers[:], log.level, log.propagate
    log.handlers[:] = [handler]
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    log.propagate = False
    try:
        return run(args)
    finally:  # the library's logger as it was: main() may be called again, from tests
        log.handlers[:], log.level, log.propagate = saved


def run(args: argparse.Namespace) -> int:
    try:
        project = Project.at(args.project)
        if args.command == "build" and not args.force:
            from .freshness import nothing_to_do  # the fast path imports nothing heavy

            options = PrintOptions(args.paper, args.bleed, args.archival)
            fresh = nothing_to_do(project, args.statements, args.languages, args.draft, options)
            if fresh is not None:
                for target in fresh:
                    log.info("%s", project.relative(target.paths(project.output_dir)["pdf"]))
                return 0
        from . import build as recipes

        if args.command == "build":
            report = recipes.build(project, args.statements, args.languages, draft=args.draft,
                                   force=args.force, jobs=args.jobs, options=PrintOptions(
                                       args.paper, args.bleed, args.archival))
            for error in report.refused:
                for problem in error.problems:
                    log.error("%s", problem)
            for pdf in report.pdfs:
                log.info("%s", project.relative(pdf))
            return 1 if report.refused else 0
        if args.command == "check":
            return report_check(recipes.check(project, args.statements, args.languages),
                                args.json)
        if args.command == "verify":
            differences = recipes.verify(project, args.jobs)
            for name in differences:
                log.error("%s: differs from a fresh build of the same inputs", name)
            if not differences:
                log.info("every edition in %s is what its inputs give, byte for byte",
                         project.relative(project.output_dir))
            return 1 if differences else 0
        if args.command == "watch":
            from .watch import watch

            watch(project, args.languages, args.draft)
            return 0
        if args.command == "dist":
            from .distribute import bundle

            for path in bundle(project, args.statements, jobs=args.jobs):
                log.info("%s", project.relative(path))
            return 0
        if args.command == "preview":
            from .distribute import preview

            preview(project, args.into)
            return 0
        if args.command == "extract":
            recipes.extract(project)
        elif args.command == "update":
            recipes.update(project, args.languages)
        elif args.command == "init":
            recipes.init(project, args.language)
        return 0
    except PipelineError as error:
        for problem in error.problems:
            log.error("%s", problem)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted: the files written so far are complete, the rest untouched")
        return 130


def report_check(results: list, as_json: bool) -> int:
    failed = any(result.status.errors for result in results)
    if as_json:
        sys.stdout.write(json.dumps([{
            "statement": r.statement, "language": r.status.code, "catalog": r.status.file,
            "translated": r.status.translated, "fuzzy": r.status.fuzzy,
            "untranslated": r.status.untranslated, "percent": round(r.status.percent, 1),
            "releasable": r.status.releasable,
            "findings": [{"severity": f.severity, "file": f.file, "line": f.line,
                          "message": f.message} for f in r.status.findings],
        } for r in results], ensure_ascii=False, indent=2) + "\n")
        return 1 if failed else 0
    for result in results:
        status = result.status
        log.info("%s %s: %d messages, %d translated (%.0f%%), %d fuzzy, %d untranslated%s",
                 result.statement, status.code, status.total, status.translated, status.percent,
                 status.fuzzy, status.untranslated, "" if status.releasable else " - not releasable")
        for finding in status.findings:
            (log.error if finding.severity == "error" else log.warning)("%s", finding)
    return 1 if failed else 0

"""``watch``: what ``make`` does (bring the catalogs up to date, then build) on every save of a
statement, catalog or template, until Ctrl-C.

One long-lived process: each rebuild prints only the editions whose inputs changed, in a pool of
worker processes kept warm between saves (WeasyPrint, the fonts and the stylesheet loaded before
the next save comes). An error in one save is reported and the watcher keeps running; the
catalogs the update itself writes do not start another round.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from .. import log
from ..errors import PipelineError, Problem
from ..files import is_scratch, list_files, read_published
from ..plan import DEFAULT_REQUEST, Request
from ..printing import STOPPING, Printers, Warmth, cores
from ..project import ASSETS, Project
from ..snapshot import digest
from .build import build
from .update import Left, update

Done = Callable[[list[Problem]], None]
"""Told after each round of work what went wrong in it (nothing: every edition is current)."""


def relevant(project: Project, path: Path) -> bool:
    """A saved statement, catalog or template file; not an editor's or our own temporary file."""
    if is_scratch(path.name):
        return False
    if path.is_relative_to(project.sources_dir):
        return path.name.endswith(".yaml")
    if path.is_relative_to(project.locales_dir):
        return path.name.endswith((".po", ".pot"))
    return path.is_relative_to(project.templates_dir)


def report(error: PipelineError, problems: list[Problem]) -> None:
    for problem in error.problems:
        log.error("%s", problem)
    problems += error.problems


def round_of_work(project: Project, request: Request, printers: Printers | None = None
                  ) -> tuple[dict[Path, str], list[Problem]]:
    """Update, then build (printing with ``printers``, kept warm, when given): the catalogs and
    template as the update left them (their hashes), so that their own change does not start
    another round, and the problems the round reported."""
    problems: list[Problem] = []
    left: list[Left] = []  # the inputs as the update left them, not read twice
    try:
        update(project, left=left)
    except PipelineError as error:
        report(error, problems)
    written = {}
    try:  # each language's catalog (list_files matches one name, never a path's folders)
        catalogs = [project.catalog_path(folder.name)
                    for folder in list_files(project.locales_dir, project.root) if folder.is_dir()]
    except PipelineError:
        catalogs = []
    for path in [project.template_path, *catalogs]:
        if (data := read_published(path)) is not None:
            written[path.resolve()] = digest(data)
    try:
        result = build(project, request, jobs=1, printers=printers, inputs=left[0] if left else None)
        for refusal in result.refused:
            report(refusal, problems)
    except PipelineError as error:
        report(error, problems)
    return written, problems


def warm_printers(project: Project) -> Printers:
    """A pool of one worker per core but one (left to the watcher, which updates and renders
    meanwhile), at least one, loading the templates' fonts and stylesheet as they are now. (On two
    cores, two workers print a translation's edition and the bilingual one side by side, and the
    first comes out 60 % later than alone: measured, 2.90 s against 1.78 s.)"""
    from ..fetcher import folder_url
    from ..site import asset_files
    from ..snapshot import take

    try:
        assets = asset_files(take(project, None, []))
    except PipelineError:  # the build will say what is wrong; the workers warm up without it
        assets = {}
    workers = max(1, cores() - 1)
    warmth: Warmth = (folder_url(project.output_dir / ASSETS), assets)
    return Printers(workers, warmth if assets else None)


def watch(project: Project, request: Request = DEFAULT_REQUEST, debounce_ms: int = 50,
          stop: threading.Event | None = None, done: Done | None = None) -> None:
    """Update and build now and at every save, until ``stop`` is set (or Ctrl-C); ``done`` is
    told the problems of each round."""
    with warm_printers(project) as printers:
        _watch(project, request, debounce_ms, stop, done, printers)


def _watch(project: Project, request: Request, debounce_ms: int, stop: threading.Event | None,
           done: Done | None, printers: Printers) -> None:
    from watchfiles import watch as changes

    # (watchfiles' own logger says "KeyboardInterrupt caught" at any stopping signal, a SIGTERM
    # too: the command says itself why it stops)
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    folders = [p for p in (project.sources_dir, project.locales_dir, project.templates_dir)
               if p.is_dir()]
    batches = changes(*folders, debounce=debounce_ms, step=20, stop_event=stop,
                      watch_filter=lambda _, path: relevant(project, Path(path).resolve()),
                      raise_interrupt=False, yield_on_timeout=True, rust_timeout=100)
    # The watcher runs from here on (no save is missed), in threads of its own that start with
    # the signals that stop the command blocked: a Ctrl-C always reaches the main thread.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        pending = next(batches, None)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    written, problems = round_of_work(project, request, printers)
    if done is not None:
        done(problems)
    log.info("watching %s; stop with Ctrl-C", ", ".join(project.relative(f) for f in folders))
    for batch in batches:
        paths = {Path(path).resolve() for _, path in (batch or set()) | (pending or set())}
        pending = None
        saved = sorted(project.relative(path) for path in paths if not _ours(path, written))
        if not saved:
            continue
        log.info("changed: %s", ", ".join(saved))
        written, problems = round_of_work(project, request, printers)
        if done is not None:
            done(problems)


def _ours(path: Path, written: dict[Path, str]) -> bool:
    """A catalog or template whose bytes are what our own update wrote."""
    if path not in written:
        return False
    return digest(read_published(path) or b"") == written[path]

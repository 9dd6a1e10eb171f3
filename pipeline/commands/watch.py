"""``watch``: what ``make`` does (bring the catalogs up to date, then build) on every save of a
statement, catalog or template, until Ctrl-C.

One long-lived process: WeasyPrint is imported once, and each rebuild prints only the editions
whose inputs changed. An error in one save is reported and the watcher keeps running; the
catalogs the update itself writes do not start another round.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .. import log
from ..errors import PipelineError
from ..files import is_scratch, list_files, read_published
from ..plan import DEFAULT_REQUEST, Request
from ..project import Project
from ..snapshot import digest
from .build import build
from .update import update


def relevant(project: Project, path: Path) -> bool:
    """A saved statement, catalog or template file; not an editor's or our own temporary file."""
    if is_scratch(path.name):
        return False
    if path.is_relative_to(project.sources_dir):
        return path.name.endswith(".yaml")
    if path.is_relative_to(project.locales_dir):
        return path.name.endswith((".po", ".pot"))
    return path.is_relative_to(project.templates_dir)


def report(error: PipelineError) -> None:
    for problem in error.problems:
        log.error("%s", problem)


def round_of_work(project: Project, request: Request) -> dict[Path, str]:
    """Update, then build; the catalogs and template as the update left them (their hashes),
    so that their own change does not start another round."""
    try:
        update(project)
    except PipelineError as error:
        report(error)
    written = {}
    for path in [project.template_path, *list_files(project.locales_dir, project.root,
                                                    "*/LC_MESSAGES/*.po")]:
        if (data := read_published(path)) is not None:
            written[path.resolve()] = digest(data)
    try:
        result = build(project, request, jobs=1)
        for refusal in result.refused:
            report(refusal)
    except PipelineError as error:
        report(error)
    return written


def watch(project: Project, request: Request = DEFAULT_REQUEST, debounce_ms: int = 50,
          stop: threading.Event | None = None) -> None:
    from ..pdf import load_weasyprint

    load_weasyprint()  # once, here, rather than on the first edit
    from watchfiles import watch as changes

    folders = [p for p in (project.sources_dir, project.locales_dir, project.templates_dir)
               if p.is_dir()]
    batches = changes(*folders, debounce=debounce_ms, step=20, stop_event=stop,
                      watch_filter=lambda _, path: relevant(project, Path(path).resolve()),
                      raise_interrupt=False, yield_on_timeout=True, rust_timeout=100)
    pending = next(batches, None)  # the watcher runs from here on: no save is missed
    written = round_of_work(project, request)
    log.info("watching %s; stop with Ctrl-C", ", ".join(project.relative(f) for f in folders))
    for batch in batches:
        paths = {Path(path).resolve() for _, path in (batch or set()) | (pending or set())}
        pending = None
        saved = sorted(project.relative(path) for path in paths if not _ours(path, written))
        if not saved:
            continue
        log.info("changed: %s", ", ".join(saved))
        written = round_of_work(project, request)


def _ours(path: Path, written: dict[Path, str]) -> bool:
    """A catalog or template whose bytes are what our own update wrote."""
    if path not in written:
        return False
    return digest(read_published(path) or b"") == written[path]

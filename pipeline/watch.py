"""Rebuild what an edit affects, as soon as a source, catalog or template is saved.

One long-lived process: WeasyPrint is imported once, and each rebuild prints only the editions
whose fingerprints changed. An error in one save is reported and the watcher keeps running.
"""

from __future__ import annotations

import threading
from pathlib import Path

from . import log
from .build import build
from .errors import PipelineError
from .project import Project


def relevant(project: Project, path: Path) -> bool:
    """A saved statement, catalog or template file; not an editor's or our own temporary file."""
    name = path.name
    if name.startswith(".") or name.endswith(("~", ".tmp", ".swp")):
        return False
    if path.is_relative_to(project.sources_dir):
        return name.endswith(".yaml")
    if path.is_relative_to(project.locales_dir):
        return name.endswith(".po")
    return path.is_relative_to(project.templates_dir)


def rebuild(project: Project, languages: list[str] | None, draft: bool) -> bool:
    try:
        report = build(project, languages=languages, draft=draft, jobs=1)
    except PipelineError as error:
        for problem in error.problems:
            log.error("%s", problem)
        return False
    except Exception:  # a bug: show it, and keep watching for the next save
        log.exception("the rebuild failed unexpectedly; still watching")
        return False
    for error in report.refused:
        for problem in error.problems:
            log.error("%s", problem)
    return not report.refused


def watch(project: Project, languages: list[str] | None = None, draft: bool = False,
          debounce_ms: int = 50, stop: threading.Event | None = None) -> None:
    import weasyprint  # noqa: F401  (once, here, rather than on the first edit)
    from watchfiles import watch as changes

    folders = [p for p in (project.sources_dir, project.locales_dir, project.templates_dir)
               if p.is_dir()]
    batches = changes(*folders, debounce=debounce_ms, step=20, stop_event=stop,
                      watch_filter=lambda _, path: relevant(project, Path(path).resolve()),
                      raise_interrupt=False, yield_on_timeout=True, rust_timeout=100)
    pending = next(batches, None)  # the watcher runs from here on: no save is missed
    rebuild(project, languages, draft)
    log.info("watching %s; stop with Ctrl-C", ", ".join(project.relative(f) for f in folders))
    for batch in batches:
        if not batch and not pending:
            continue
        names = sorted({project.relative(Path(path)) for _, path in (batch or set()) | (
            pending or set())})
        pending = None
        log.info("changed: %s", ", ".join(names))
        rebuild(project, languages, draft)

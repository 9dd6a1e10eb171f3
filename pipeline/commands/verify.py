"""``verify``: is ``output/`` exactly what its inputs give? Everything is built afresh into a
temporary folder, with the options each edition was printed with, and every file is compared:
one that differs, one the inputs no longer give, and one that is missing are each named."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import log
from ..errors import PipelineError
from ..files import MAX_FONT, files_below, read_published, write_atomic
from ..model import BILINGUAL, PrintOptions
from ..plan import Request
from ..project import DRAFTS, Project
from ..site import SITE_STATE
from ..state import read_states
from .build import build


@dataclass(frozen=True)
class Difference:
    name: str  # project-relative
    what: str


def published_files(output: Path) -> dict[str, Path]:
    """The files of an output folder a reader sees (not states, the lock or temporary files)."""
    return {path.relative_to(output).as_posix(): path for path in files_below(output)
            if not any(part.startswith(".") for part in path.relative_to(output).parts)
            and path.name != SITE_STATE}


@contextmanager
def quiet() -> Iterator[None]:
    """The fresh builds say nothing of their own (unless -v asks for detail)."""
    level = log.level
    if level <= logging.INFO and level != logging.DEBUG:
        log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


def _kept_while_refused(project: Project, name: str) -> bool:
    """Whether an edition file no fresh build gives still has its statement and languages (so a
    build refused it and kept it, rather than forgot to remove it)."""
    parts = name.split("/")
    if len(parts) != 2 or not parts[1].startswith(f"{parts[0]}."):
        return False
    variant = parts[1][len(parts[0]) + 1:].rsplit(".", 1)[0]
    languages = project.settings.bilingual if variant == BILINGUAL else (variant,)
    return project.source_path(parts[0]).is_file() and all(
        project.catalog_path(code).is_file() for code in languages)


def seed(project: Project, twin: Project, states: list, root: Path) -> None:
    """The twin starts with the editions ``output/`` holds: a fresh build (``--force``) prints
    again every edition its inputs give, and keeps, as the real build did, the last good one
    of a language or statement refused now; so its pages link what the real ones link."""
    for state in states:
        target = state.target
        files = {**target.paths(project.output_dir),
                 "state": target.state_path(project.output_dir)}
        for kind, path in files.items():
            data = read_published(path, MAX_FONT)
            if data is not None:
                destination = (target.paths(twin.output_dir)[kind] if kind != "state"
                               else target.state_path(twin.output_dir))
                write_atomic(destination, data, root)


def verify(project: Project, jobs: int | None = None) -> list[Difference]:
    recorded = read_states(project.output_dir, project.output_dir / DRAFTS)
    if not recorded:
        raise PipelineError("nothing to verify: build first", project.relative(project.output_dir))
    groups: dict[tuple, list] = {}
    for state in recorded.values():
        groups.setdefault((dataclasses.astuple(state.options)), []).append(state)
    # One group builds everything (the default options' if any edition has them, else the
    # largest): its build also gives the site's files and finds what is missing. Each other
    # group's build (of its statements only) gives its own editions' files and nothing else:
    # an edition printed with other options (`build X --print-shop`) is compared with a fresh
    # build with those options, and the others never with one.
    default = dataclasses.astuple(PrintOptions())
    ordered = sorted(groups.items(), key=lambda item: (item[0] != default, -len(item[1])))
    claimed: dict[str, int] = {}
    for number, (_, states) in enumerate(ordered[1:], 1):
        for state in states:
            for path in state.target.paths(project.output_dir).values():
                claimed[path.relative_to(project.output_dir).as_posix()] = number
    shipped = published_files(project.output_dir)
    fresh: dict[str, bytes] = {}
    kept: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="verify-") as folder, quiet():
        for number, (_, states) in enumerate(ordered):
            twin = dataclasses.replace(project, output=Path(folder) / f"output-{number}")
            seed(project, twin, states, Path(folder))
            options = states[0].options
            # (a statement whose source is gone is built by nobody: its files are named below)
            ids = () if number == 0 else tuple(sorted(
                {s.statement for s in states if project.source_path(s.statement).is_file()}))
            printed = set()
            if number == 0 or ids:
                report = build(twin, Request(statement_ids=ids, draft=any(s.draft for s in states),
                                             force=True, options=options), jobs)
                printed = {p.target for p in report.printed}
            for state in states:  # what the fresh build kept as it was: the last good editions
                if state.target not in printed:
                    kept |= {path.relative_to(project.output_dir).as_posix()
                             for path in state.target.paths(project.output_dir).values()}
            for name, path in published_files(twin.output_dir).items():
                if name not in kept and claimed.get(name, 0) == number:
                    fresh.setdefault(name, read_published(path, MAX_FONT) or b"")
    differences = []
    for name in sorted(shipped.keys() | fresh.keys()):
        shown = project.relative(project.output_dir / name)
        if name not in fresh and _kept_while_refused(project, name):
            differences.append(Difference(shown, "is the last good edition, kept while its "
                                                 "statement or translation is refused: `python -m "
                                                 "pipeline check` says why"))
        elif name not in fresh:
            differences.append(Difference(shown, "is not given by the inputs (left from a removed "
                                                 "statement or language?): `python -m pipeline "
                                                 "build` removes it"))
        elif name not in shipped:
            differences.append(Difference(shown, "is missing: `python -m pipeline build` prints it"))
        elif read_published(shipped[name], MAX_FONT) != fresh[name]:
            differences.append(Difference(shown, "differs from a fresh build of the same inputs"))
    return differences

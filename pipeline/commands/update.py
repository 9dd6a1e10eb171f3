"""``extract``, ``update`` and ``init``: the message template and the catalogs, brought up to
date with the sources and templates under the catalogs' lock.

A statement that cannot be read keeps its messages as the previous template had them, so its
translations are not made obsolete while it is being fixed; the command still reports it and
exits 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import log
from ..catalogs.merge import MergeReport, merge, new_catalog
from ..catalogs.pofile import PoCatalog, PoEntry, read_catalog, serialise, template_header
from ..errors import PipelineError, raise_if_any
from ..files import MAX_INPUT, exclusive, read_input, write_atomic
from ..identifiers import check_language_code
from ..language import language
from ..messages import build_template, extraction
from ..parse import Parsed, parse
from ..project import Project
from ..snapshot import take


@contextmanager
def catalogs_lock(project: Project) -> Iterator[None]:
    with exclusive(project.locales_dir, project.root,
                   "waiting for another run to finish with the catalogs"):
        yield


@dataclass
class Extraction:
    template: PoCatalog
    problems: list[PipelineError] = field(default_factory=list)  # statements that cannot be read


def extract_template(project: Project, parsed: Parsed) -> Extraction:
    """The message template from every statement and template, and the problems of the
    statements that cannot be read (whose messages are carried over from the previous one)."""
    snapshot = parsed.snapshot
    statements = parsed.statements
    broken = {project.relative(project.source_path(i)) for i in snapshot.unreadable_sources}
    broken |= {item.name for i, item in snapshot.sources.items() if i not in statements}
    problems = [error for error in parsed.problems
                if error.problems and error.problems[0].file in broken]
    carried: list[PoEntry] = []
    if broken:
        previous = read_previous_template(project)
        if previous is not None:
            carried = [entry for entry in previous.entries if any(
                reference.rsplit(":", 1)[0] in broken for reference in entry.references)]
    return Extraction(build_template(extraction(snapshot, statements), carried), problems)


def read_previous_template(project: Project) -> PoCatalog | None:
    data = read_input(project.template_path, project.root, MAX_INPUT, "message template")
    if data is None:
        return None
    try:
        return read_catalog(data, project.relative(project.template_path))
    except PipelineError:
        return None  # a damaged template is simply written anew


def write_template(project: Project, template: PoCatalog) -> None:
    """Write the template; its creation date changes only when a message does (no
    timestamp-only churn in the repository)."""
    path = project.template_path
    previous = read_previous_template(project)
    if previous is not None and previous.entries == template.entries and previous.header:
        template.header = template_header(previous.header_field("POT-Creation-Date"))
    if write_atomic(path, serialise(template), project.root):
        log.info("%s: %d messages", project.relative(path), len(template.entries))


def extract(project: Project) -> PoCatalog:
    """Write the message template (POT) from every statement and template."""
    with catalogs_lock(project):
        result = extract_template(project, parse(take(project, languages=[])))
        write_template(project, result.template)
    raise_if_any(result.problems)
    return result.template


def update(project: Project, languages: list[str] | None = None) -> dict[str, MergeReport]:
    """Re-extract, then merge the template into every language's catalog (msgmerge semantics),
    saying for each how many messages are new, fuzzy and obsolete."""
    with catalogs_lock(project):
        parsed = parse(take(project, languages=languages))
        result = extract_template(project, parsed)
        write_template(project, result.template)
        reports = {}
        catalog_problems = [error for error in parsed.problems if error not in result.problems]
        for code, catalog in parsed.catalogs.items():
            item = parsed.snapshot.catalogs[code]
            report = merge(catalog, result.template)
            path = project.catalog_path(code)
            written = write_atomic(path, serialise(catalog), project.root, expected=item.data)
            reports[code] = report
            if written or report.new or report.fuzzy or report.obsolete:
                log.info("%s: %d new, %d fuzzy, %d obsolete%s%s", item.name, report.new,
                         report.fuzzy, report.obsolete,
                         f", {report.returned} returned" if report.returned else "",
                         "" if written else " (unchanged)")
    raise_if_any(result.problems + catalog_problems)
    return reports


def init(project: Project, code: str) -> None:
    """Create the catalog of a new language, with CLDR's plural forms."""
    check_language_code(code)
    with catalogs_lock(project):
        path = project.catalog_path(code)
        if path.exists() or path.is_symlink():
            raise PipelineError(f"the catalog for {code!r} exists already: use `python -m "
                                "pipeline update` to bring it up to date", project.relative(path))
        result = extract_template(project, parse(take(project, languages=[])))
        write_template(project, result.template)
        write_atomic(path, serialise(new_catalog(code, result.template)), project.root)
        new = language(code)
        log.info("%s: created for %s (%s)", project.relative(path), new.name, new.direction)
        if not project.settings.is_released(code):
            log.info("%s is a language in progress: `python -m pipeline build --draft --lang %s` "
                     "prints a draft; add it to [tool.pipeline] released in pyproject.toml when "
                     "its translation is ready", code, code)
    raise_if_any(result.problems)

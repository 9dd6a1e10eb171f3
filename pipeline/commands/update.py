"""``extract``, ``update`` and ``init``: the message template and the catalogs, brought up to
date with the sources and templates under the catalogs' lock.

A statement that cannot be read keeps its messages as the previous template had them, so its
translations are not made obsolete while it is being fixed; the command still reports it and
exits 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import log
from ..errors import PipelineError, raise_if_any
from ..files import MAX_INPUT, exclusive, read_input, read_published, write_atomic
from ..identifiers import check_language_code
from ..project import TEMPLATE_LANGUAGE, Project
from ..snapshot import Snapshot, digest, short_hash, take

if TYPE_CHECKING:  # parsing, extracting and merging are imported where they are used: an
    # update with nothing to do decides so from bytes alone and loads none of them
    from ..catalogs.merge import MergeReport
    from ..catalogs.pofile import Key, PoCatalog, PoEntry
    from ..parse import Parsed


@contextmanager
def catalogs_lock(project: Project) -> Iterator[None]:
    with exclusive(project.locales_dir, project.root,
                   "waiting for another run to finish with the catalogs"):
        yield


@dataclass
class Extraction:
    template: PoCatalog
    problems: list[PipelineError] = field(default_factory=list)  # statements that cannot be read
    sources: dict[Key, str] = field(default_factory=dict)  # each message's source language


def extract_template(project: Project, parsed: Parsed) -> Extraction:
    """The message template from every statement and template, and the problems of the
    statements that cannot be read (whose messages are carried over from the previous one)."""
    from ..messages import build_template, extraction

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
    found = extraction(snapshot, statements)
    languages = {s.file: s.language for s in statements.values()}
    sources: dict[Key, str] = {}
    for message in found:
        sources.setdefault(message.key, languages.get(message.file, TEMPLATE_LANGUAGE))
    return Extraction(build_template(found, carried), problems, sources)


def pivot_notes(pivot: str, name: str, code: str, template: PoCatalog, catalog: PoCatalog | None,
                sources: dict[Key, str]) -> dict[Key, str]:
    """The comments the catalog of ``code`` gets from the ``pivot`` language's ``catalog``, named
    ``name``: its released (reviewed, complete) translation of each message written in another
    language (``sources``: each message's language). None in the pivot's own catalog, on a
    message written in ``code``, or on one written in the pivot language (its msgid is the pivot
    text already)."""
    from ..catalogs.lookup import usable

    translations = catalog.index() if catalog is not None else {}
    notes = {}
    for entry in template.entries if code != pivot else ():
        source, found = sources.get(entry.key), translations.get(entry.key)
        strings = found.strings if found is not None and usable(found) else []
        if source not in (None, code, pivot) and strings:
            notes[entry.key] = f"{name}: " + " | ".join(strings).replace("\n", "\\n")  # one line
    return notes


def pivot_of(project: Project, parsed: Parsed, result: Extraction) -> Callable[[str], dict[Key, str]]:
    """The comments each language's catalog gets from the pivot language (``pivot`` in the
    settings; none without it), its catalog brought up to date in memory (read here when the run
    reads only other languages' catalogs)."""
    import copy

    from ..catalogs.merge import merge
    from ..catalogs.pofile import read_catalog
    from ..language import language

    code = project.settings.pivot
    if code is None:
        return lambda _: {}
    catalog = copy.deepcopy(parsed.catalogs.get(code))
    path = project.catalog_path(code)
    data = read_input(path, project.root, MAX_INPUT, "catalog") \
        if catalog is None and code not in parsed.snapshot.catalogs else None
    try:
        catalog = read_catalog(data, project.relative(path), code) if data is not None else catalog
    except PipelineError:
        pass  # a pivot catalog that cannot be read gives no comments (its own update says why)
    if catalog is not None:
        merge(catalog, result.template)
    name = language(code).name
    return lambda target: pivot_notes(code, name, target, result.template, catalog, result.sources)


def read_previous_template(project: Project) -> PoCatalog | None:
    from ..catalogs.pofile import read_catalog

    data = read_input(project.template_path, project.root, MAX_INPUT, "message template")
    if data is None:
        return None
    try:
        return read_catalog(data, project.relative(project.template_path))
    except PipelineError:
        return None  # a damaged template is simply written anew


def write_template(project: Project, template: PoCatalog) -> bytes:
    """Write the template; its creation date changes only when a message does (no
    timestamp-only churn in the repository). Returns the bytes it holds."""
    from ..catalogs.pofile import serialise, template_header

    path = project.template_path
    previous = read_previous_template(project)
    if previous is not None and previous.entries == template.entries and previous.header:
        template.header = template_header(previous.header_field("POT-Creation-Date"))
    data = serialise(template)
    if write_atomic(path, data, project.root):
        log.info("%s: %d messages", project.relative(path), len(template.entries))
    return data


def extract(project: Project) -> PoCatalog:
    """Write the message template (POT) from every statement and template."""
    from ..parse import parse

    with catalogs_lock(project):
        result = extract_template(project, parse(take(project, languages=[])))
        write_template(project, result.template)
    raise_if_any(result.problems)
    return result.template


def update(project: Project, languages: list[str] | None = None) -> dict[str, MergeReport]:
    """Re-extract, then merge the template into every language's catalog (msgmerge semantics),
    saying for each how many messages are new, fuzzy and obsolete. Returns each merged catalog's
    report: none when no source, template or catalog changed since the last complete update
    (decided from the bytes alone: nothing is parsed)."""
    with catalogs_lock(project):
        snapshot = take(project, languages=languages)
        template = read_input(project.template_path, project.root, MAX_INPUT, "message template")
        catalogs = {code: item.data for code, item in snapshot.catalogs.items()}
        if read_published(project.locales_dir / UPDATE_STAMP) == stamp(project, snapshot,
                                                                       catalogs, template):
            log.debug("the catalogs are up to date: no source, template or catalog changed")
            return {}
        reports, problems = merge_catalogs(project, snapshot, catalogs)
    raise_if_any(problems)
    return reports


def merge_catalogs(project: Project, snapshot: Snapshot, catalogs: dict[str, bytes]
                   ) -> tuple[dict[str, MergeReport], list[PipelineError]]:
    """Extract the template from the snapshot, write it, merge it into each catalog (``catalogs``:
    their bytes, updated to those written), and stamp the bytes left when all went well."""
    from ..catalogs.merge import merge
    from ..catalogs.pofile import serialise
    from ..parse import parse

    parsed = parse(snapshot)
    result = extract_template(project, parsed)
    template = write_template(project, result.template)
    reports = {}
    catalog_problems = [error for error in parsed.problems if error not in result.problems]
    notes = pivot_of(project, parsed, result)
    for code, catalog in parsed.catalogs.items():
        item = parsed.snapshot.catalogs[code]
        report = merge(catalog, result.template, notes(code))
        path = project.catalog_path(code)
        try:
            catalogs[code] = serialise(catalog)
            written = write_atomic(path, catalogs[code], project.root, expected=item.data)
        except PipelineError as error:  # saved while update ran: the save is kept
            catalog_problems.append(error)
            continue
        reports[code] = report
        if written or report.new or report.fuzzy or report.obsolete:
            log.info("%s: %d new, %d fuzzy, %d obsolete%s%s", item.name, report.new,
                     report.fuzzy, report.obsolete,
                     f", {report.returned} returned" if report.returned else "",
                     "" if written else " (unchanged)")
    if not result.problems and not catalog_problems:  # the bytes this update left
        write_atomic(project.locales_dir / UPDATE_STAMP,
                     stamp(project, snapshot, catalogs, template), project.root)
    return reports, result.problems + catalog_problems


UPDATE_STAMP = ".update.json"
"""In ``locales/``: the hash of every byte the last complete ``update`` left (sources, templates,
extraction mapping, settings, catalogs, message template). While they are the same, the next
``update`` has nothing to do and decides so from the bytes alone, parsing nothing."""


def stamp(project: Project, snapshot: Snapshot, catalogs: dict[str, bytes],
          template: bytes | None) -> bytes:
    """The stamp of the inputs a run read and of the catalogs and template as it left them (never
    read back: a translator's save after the write is not taken as merged)."""
    return json.dumps({"inputs": short_hash(
        sorted((i, item.digest) for i, item in snapshot.sources.items()),
        sorted(snapshot.unreadable_sources), snapshot.templates_digest,
        snapshot.mapping.digest if snapshot.mapping else "", repr(project.settings),
        sorted((code, digest(data)) for code, data in catalogs.items()),
        digest(template) if template is not None else "", snapshot.toolchain)}).encode()


def init(project: Project, code: str) -> None:
    """Create the catalog of a new language, with CLDR's plural forms."""
    from ..catalogs.merge import new_catalog
    from ..catalogs.pofile import serialise
    from ..language import language
    from ..parse import parse

    check_language_code(code)
    with catalogs_lock(project):
        path = project.catalog_path(code)
        if path.exists() or path.is_symlink():
            raise PipelineError(f"the catalog for {code!r} exists already: use `python -m "
                                "pipeline update` to bring it up to date", project.relative(path))
        parsed = parse(take(project, languages=[]))
        result = extract_template(project, parsed)
        write_template(project, result.template)
        catalog = new_catalog(code, result.template, pivot_of(project, parsed, result)(code))
        write_atomic(path, serialise(catalog), project.root)
        new = language(code)
        log.info("%s: created for %s (%s)", project.relative(path), new.name, new.direction)
        if not project.settings.is_released(code):
            log.info("%s is a language in progress: `python -m pipeline build --draft --lang %s` "
                     "prints a draft; add it to [tool.pipeline] released in pyproject.toml when "
                     "its translation is ready", code, code)
    raise_if_any(result.problems)

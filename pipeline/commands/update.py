"""``extract``, ``update`` and ``init``: the message template and the catalogs, brought up to
date with the sources and templates under the catalogs' lock.

A statement that cannot be read keeps its messages as the previous template had them, so its
translations are not made obsolete while it is being fixed; the command still reports it and
exits 1.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import log
from ..errors import PipelineError, raise_if_any
from ..files import MAX_INPUT, exclusive, read_input, read_published, write_atomic
from ..identifiers import check_language_code
from ..project import TEMPLATE_LANGUAGE, Project
from ..snapshot import Input, Snapshot, digest, short_hash, take

if TYPE_CHECKING:  # parsing, extracting and merging are imported where they are used: an
    # update with nothing to do decides so from bytes alone and loads none of them
    from ..catalogs.merge import MergeReport
    from ..catalogs.pofile import Key, PoCatalog, PoEntry
    from ..messages import SourceMessage
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


def extract_template(project: Project, parsed: Parsed, cached: Cached | None = None) -> Extraction:
    """The message template from every statement and template, and the problems of the
    statements that cannot be read (whose messages are carried over from the previous one).
    ``cached``: the messages of the statements not parsed (their bytes unchanged since the
    last update extracted them)."""
    from ..messages import build_template, extraction

    snapshot = parsed.snapshot
    statements = parsed.statements
    cached = cached or Cached()
    broken = {project.relative(project.source_path(i)) for i in snapshot.unreadable_sources}
    broken |= {item.name for i, item in snapshot.sources.items()
               if i not in statements and i not in cached.ids}
    problems = [error for error in parsed.problems
                if error.problems and error.problems[0].file in broken]
    carried: list[PoEntry] = []
    if broken:
        previous = read_previous_template(project)
        if previous is not None:
            carried = [entry for entry in previous.entries if any(
                reference.rsplit(":", 1)[0] in broken for reference in entry.references)]
    found = extraction(snapshot, statements, cached.messages)
    languages = {s.file: s.language for s in statements.values()} | cached.languages
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


def write_template(project: Project, template: PoCatalog, written: str = "") -> bytes:
    """Write the template; its creation date changes only when a message does (no
    timestamp-only churn in the repository). Returns the bytes it holds. ``written``: the hash of
    the template the last complete update wrote; while the file holds those bytes, it is
    compared as bytes, not read."""
    from ..catalogs.pofile import PoCatalog, serialise, template_header

    path = project.template_path
    if written:
        data = read_input(path, project.root, MAX_INPUT, "message template")
        created = re.search(rb'^"POT-Creation-Date: ([^"\\]*)\\n"$', data or b"", re.M)
        if data is not None and created and digest(data) == written:
            body = serialise(PoCatalog(entries=template.entries, obsolete=template.obsolete))

            def with_header(header: PoEntry) -> bytes:  # as ``serialise`` joins them
                return b"\n".join(filter(None, (serialise(PoCatalog(header)), body)))

            template.header = template_header(created.group(1).decode())
            if with_header(template.header) != data:  # a message changed: a new creation date
                template.header = template_header()
            data = with_header(template.header)
            if write_atomic(path, data, project.root):
                log.info("%s: %d messages", project.relative(path), len(template.entries))
            return data
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


@dataclass(frozen=True)
class Left:
    """The inputs as an update left them: its snapshot, each catalog holding the bytes it wrote,
    and the catalogs it merged that are what reading those bytes gives (by their hash)."""

    snapshot: Snapshot
    catalogs: dict[str, PoCatalog] = field(default_factory=dict)


def update(project: Project, languages: list[str] | None = None,
           left: list[Left] | None = None, changed: Callable[[Snapshot], object] | None = None
           ) -> dict[str, MergeReport]:
    """Re-extract, then merge the template into every language's catalog (msgmerge semantics),
    saying for each how many messages are new, fuzzy and obsolete. Returns each merged catalog's
    report: none when no source, template or catalog changed since the last complete update
    (decided from the bytes alone: nothing is parsed).

    ``left``: given, it receives the inputs as this update left them (``Left``), when every
    catalog was written as merged; a build in the same process (``build --update``) then takes
    them from there instead of reading and parsing them again. ``changed``: told the snapshot as
    soon as the bytes show that something changed, before anything is parsed (``build --update``
    starts loading WeasyPrint then)."""
    with catalogs_lock(project):
        snapshot = take(project, languages=languages)
        template = read_input(project.template_path, project.root, MAX_INPUT, "message template")
        catalogs = {code: item.data for code, item in snapshot.catalogs.items()}
        stamped = read_published(project.locales_dir / UPDATE_STAMP, MAX_STAMP) or b""
        inputs, _, extracted = stamped.partition(b"\n")
        if inputs == stamp(project, snapshot, catalogs, template):
            log.debug("the catalogs are up to date: no source, template or catalog changed")
            if left is not None:
                left.append(Left(snapshot))
            return {}
        if changed is not None:
            changed(snapshot)
        read: dict[str, PoCatalog] = {}
        reports, problems = merge_catalogs(project, snapshot, catalogs, extracted, read)
        if left is not None and not problems:
            left.append(Left(dataclasses.replace(snapshot, catalogs={
                code: item if catalogs[code] == item.data else Input.of(item.name, catalogs[code])
                for code, item in snapshot.catalogs.items()}), read))
    raise_if_any(problems)
    return reports


def merge_catalogs(project: Project, snapshot: Snapshot, catalogs: dict[str, bytes],
                   extracted: bytes = b"", read: dict[str, PoCatalog] | None = None
                   ) -> tuple[dict[str, MergeReport], list[PipelineError]]:
    """Extract the template from the snapshot, write it, merge it into each catalog (``catalogs``:
    their bytes, updated to those written), and stamp the bytes left when all went well.
    ``extracted``: the messages the last complete update extracted (see ``Cached``); only the
    statements whose bytes changed since are parsed. ``read``: given, it receives each merged
    catalog that is what reading the bytes written gives, by their hash (``written_as_read``)."""
    from ..catalogs.merge import merge
    from ..catalogs.pofile import written_as_read
    from ..parse import parse

    cached = Cached.load(extracted, snapshot)
    parsed = parse(snapshot, only={i for i in snapshot.sources if i not in cached.ids})
    result = extract_template(project, parsed, cached)
    template = write_template(project, result.template, cached.template)
    reports = {}
    catalog_problems = [error for error in parsed.problems if error not in result.problems]
    notes = pivot_of(project, parsed, result)
    for code, catalog in parsed.catalogs.items():
        item = parsed.snapshot.catalogs[code]
        report = merge(catalog, result.template, notes(code))
        path = project.catalog_path(code)
        try:
            catalogs[code], as_read = written_as_read(catalog, code)
            if as_read is not None and read is not None:
                read[digest(catalogs[code])] = as_read
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
                     stamp(project, snapshot, catalogs, template) + b"\n"
                     + Cached.dump(snapshot, parsed.statements, cached, template), project.root)
    return reports, result.problems + catalog_problems


UPDATE_STAMP = ".update.json"
"""In ``locales/``: on its first line, the hash of every byte the last complete ``update`` left
(sources, templates, extraction mapping, settings, catalogs, message template). While they are
the same, the next ``update`` has nothing to do and decides so from the bytes alone, parsing
nothing. On its second line, the messages it extracted from each statement (see ``Cached``)."""
MAX_STAMP = 64 * 1024 * 1024


@dataclass
class Cached:
    """The messages of the statements whose bytes are those the last complete update extracted
    them from, by statement: the second line of the stamp. Only statements that could be parsed
    are in it, each under its file's name and hash, all under the pipeline's version (the hash of
    its code) and settings: a line that cannot be read, or of another version, gives nothing."""

    ids: set[str] = field(default_factory=set)
    messages: dict[str, list[SourceMessage]] = field(default_factory=dict)  # by file name
    languages: dict[str, str] = field(default_factory=dict)  # by file name
    records: dict[str, dict] = field(default_factory=dict)  # by file name, as stored
    template: str = ""  # the hash of the message template as the update left it

    @classmethod
    def load(cls, data: bytes, snapshot: Snapshot) -> Cached:
        from ..messages import SourceMessage

        cached = cls()
        try:
            stored = json.loads(data) if data else {}
            if not isinstance(stored, dict) or stored.get("version") != cls.version(snapshot):
                return cached
            comments, files = stored["comments"], stored["statements"]
            if isinstance(stored["template"], str):
                cached.template = stored["template"]
            for statement_id, item in snapshot.sources.items():
                record = files.get(item.name)
                if record is None or record["digest"] != item.digest:
                    continue
                messages = [SourceMessage(context, text, item.name, line,
                                          tuple(comments[i] for i in notes))
                            for context, text, line, notes in record["messages"]]
                if not all(isinstance(m.context, str) and isinstance(m.id, str) and
                           type(m.line) is int and all(isinstance(c, str) for c in m.comments)
                           for m in messages) or not isinstance(record["language"], str):
                    return cls()
                cached.ids.add(statement_id)
                cached.messages[item.name] = messages
                cached.languages[item.name] = record["language"]
                cached.records[item.name] = record
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return cls()  # damaged: every statement is parsed again
        return cached

    @staticmethod
    def version(snapshot: Snapshot) -> str:
        return short_hash(snapshot.toolchain, repr(snapshot.project.settings))

    @classmethod
    def dump(cls, snapshot: Snapshot, statements: dict, cached: Cached, template: bytes) -> bytes:
        """The line that stores the messages of every statement parsed or taken from ``cached``."""
        from ..messages import statement_messages

        comments: dict[str, int] = {}
        files = {}
        for statement_id, statement in statements.items():
            item = snapshot.sources[statement_id]
            files[item.name] = {
                "digest": item.digest, "language": statement.language,
                "messages": [[m.context, m.id, m.line,
                              [comments.setdefault(c, len(comments)) for c in m.comments]]
                             for m in statement_messages(statement)]}
        for name, messages in cached.messages.items():
            files[name] = {
                "digest": cached.records[name]["digest"], "language": cached.languages[name],
                "messages": [[m.context, m.id, m.line,
                              [comments.setdefault(c, len(comments)) for c in m.comments]]
                             for m in messages]}
        return json.dumps({"version": cls.version(snapshot), "template": digest(template),
                           "comments": list(comments),
                           "statements": files}, ensure_ascii=False,
                          separators=(",", ":")).encode()


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

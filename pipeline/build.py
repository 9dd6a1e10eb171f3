"""The recipe: load the statements, read the catalogs, decide what is out of date, render each
edition's HTML, print its PDF, and write every file atomically.

A target is one statement in one language (its HTML and its PDF). Its fingerprint covers all it
depends on: the statement's messages, that language's translations of them, the templates and
assets, the pipeline's and WeasyPrint's versions and the options; a target whose fingerprint and
files are unchanged is skipped without importing WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog

from . import log
from .catalogs import (
    Key,
    Lookup,
    Status,
    check_messages,
    key_of,
    merge,
    new_catalog,
    read_catalog,
    serialise,
    write_catalog,
)
from .errors import PipelineError, PipelineErrors, raise_if_any
from .files import exclusive, write_atomic
from .freshness import (
    Target,
    inputs_hash,
    quick_fingerprints,
    read_bytes,
    recorded_states,
    remember_quick,
    short_hash,
    template_files,
    up_to_date,
    versions,
)
from .language import Language, language
from .messages import extract_template, statement_messages
from .pdf import DEFAULT_OPTIONS, PrintOptions
from .project import TEMPLATE_LANGUAGE, Project, check_language_code
from .render import (
    Alternate,
    Provenance,
    Side,
    render_bilingual,
    render_edition,
    render_index,
)
from .source import Statement, load_statements

ASSETS_DIR = "_assets"


@dataclass
class Result:
    target: str
    pdf: Path | None = None
    pages: int = 0
    size: int = 0
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class Report:
    built: list[Result] = field(default_factory=list)
    refused: list[PipelineError] = field(default_factory=list)

    @property
    def pdfs(self) -> list[Path]:
        return [r.pdf for r in self.built if r.pdf]


@dataclass(frozen=True)
class PrintJob:
    """What a worker process needs to print one edition: plain data only."""

    name: str
    html: str
    base_dir: Path
    assets_url: Path
    assets_source: Path
    where: str
    variant: str


def print_job(job: PrintJob):
    from .pdf import print_pdf

    started = time.perf_counter()
    printed = print_pdf(job.html, job.base_dir, job.assets_url, job.assets_source, job.where,
                        job.name, job.variant)
    return printed.data, printed.pages, time.perf_counter() - started


def needed_messages(statement: Statement, template: Catalog) -> list[tuple[Key, str, str]]:
    """The messages one statement's editions use, with their source language and a reference."""
    needed = []
    for message in template:
        if not message.id:
            continue
        files = [file for file, _ in message.locations]
        if statement.file in files:
            line = message.locations[files.index(statement.file)][1]
            needed.append((key_of(message), statement.language, f"{statement.file}:{line}"))
        elif any(file.startswith("templates/") for file in files):
            file, line = message.locations[0]
            needed.append((key_of(message), TEMPLATE_LANGUAGE, f"{file}:{line}"))
    return needed


def edition_status(project: Project, statement: Statement, edition_language: Language,
                   catalog: Catalog, needed: list[tuple[Key, str, str]]) -> Status:
    code = edition_language.code
    return check_messages(Status(code, project.relative(project.catalog_path(code))), catalog,
                          needed, edition_language.script)


def read_catalogs(project: Project, codes: list[str], data: dict[str, bytes] | None = None
                  ) -> dict[str, Catalog]:
    """Every language's catalog, all read before any problem is reported. Given the bytes
    already read (a build, which only reads catalogs), a catalog is parsed once per content for
    the life of the process; without them (update, which changes catalogs), afresh."""
    catalogs, problems = {}, []
    for code in codes:
        path = project.catalog_path(code)
        try:
            if data is None or not data[code]:
                catalogs[code] = read_catalog(path, project.relative(path), code)
            else:
                catalogs[code] = _parse_catalog(path, project.relative(path), code, data[code])
        except PipelineError as error:
            problems.append(error)
    raise_if_any(problems)
    return catalogs


@functools.lru_cache(maxsize=16)
def _parse_catalog(path: Path, display: str, code: str, data: bytes) -> Catalog:
    return read_catalog(path, display, code, data)


def _translations_used(catalog: Catalog, needed: list[tuple[Key, str, str]]) -> list:
    messages = {key_of(m): m for m in catalog if m.id}
    used = []
    for key, _, _ in needed:
        message = messages.get(key)
        used.append([key, None if message is None else
                     [message.string, sorted(message.flags & {"fuzzy"})]])
    return used


def copy_assets(project: Project) -> Path:
    """The stylesheet, fonts and their licence beside the HTML editions, in ``output/_assets``,
    and nothing else there."""
    target = project.output_dir / ASSETS_DIR
    wanted = {p.relative_to(project.templates_dir): p for p in template_files(project)
              if p.suffix != ".j2"}
    for relative, path in wanted.items():
        write_atomic(target / relative, path.read_bytes(), project.output_dir)
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(target) not in wanted and not path.name.startswith("."):
            path.unlink()
    return target


def build(project: Project, statement_ids: list[str] | None = None,
          languages: list[str] | None = None, *, draft: bool = False, force: bool = False,
          jobs: int | None = None, options: PrintOptions = DEFAULT_OPTIONS) -> Report:
    """Build every edition asked for; refuse (and report) incomplete languages unless ``draft``."""
    started = time.perf_counter()
    statements = load_statements(project, statement_ids)  # bad input: stop before writing
    codes = project.select_languages(languages)
    check_output_dir(project, [s.id for s in statements])
    report = Report()
    with exclusive(project.output_dir, "waiting for another build to finish"):
        # Read again under the lock (the parse is kept): what is checked is what gets printed.
        statements = load_statements(project, statement_ids)
        catalog_bytes = {code: read_bytes(project.catalog_path(code)) for code in codes}
        look = inputs_hash(project)
        quick = quick_fingerprints(project, look, {s.id: s.digest for s in statements},
                                   catalog_bytes, draft, options)
        if not force and all(up_to_date(project, t, q, "quick") for t, q in quick.items()):
            for target in quick:  # nothing changed, byte for byte: nothing to read or render
                report.built.append(Result(target.name, target.paths(project.output_dir)["pdf"],
                                           skipped=True))
                log.info("%s: up to date", target.name)
            log.info("nothing to do, in %.2f s", time.perf_counter() - started)
            return report
        stale = [t for t, q in quick.items() if force or not up_to_date(project, t, q, "quick")]
        with Printers(min(jobs or os.cpu_count() or 1, len(stale))) as printers:
            catalogs = read_catalogs(project, codes, catalog_bytes)
            template = extract_template(project)
            pending = plan(project, statements, codes, catalogs, template, draft, force, options,
                           report, quick, look)
            failed = False
            for target, state, job, outcome in printers.run(pending):
                if isinstance(outcome, PipelineError):
                    report.refused.append(outcome)
                    failed = True
                else:
                    report.built.append(write_edition(project, target, state, job, *outcome))
        if not failed:  # the stylesheet and fonts every edition printed with, published
            copy_assets(project)
        if pending or not (project.output_dir / "index.html").exists():
            write_index(project)
    printed = [r for r in report.built if not r.skipped]
    log.info("%d printed (%d pages, %.0f KB), %d up to date, %d refused, in %.2f s",
             len(printed), sum(r.pages for r in printed), sum(r.size for r in printed) / 1024,
             len(report.built) - len(printed), len(report.refused), time.perf_counter() - started)
    return report


def plan(project: Project, statements: list[Statement], codes: list[str],
         catalogs: dict[str, Catalog], template: Catalog, draft: bool, force: bool,
         options: PrintOptions, report: Report, quick: dict[Target, str],
         look: str) -> list[tuple[Target, dict, PrintJob]]:
    """Decide what is out of date and render its HTML; what is refused goes into the report.
    ``look`` is the fingerprint of the templates, stylesheet, fonts and code."""
    common = [look, versions(), draft, options]
    recorded = recorded_states(project.output_dir)
    pending: list[tuple[Target, dict, PrintJob]] = []

    def schedule(target: Target, render, state: dict) -> None:
        state.update(statement=target.statement_id, variant=target.variant, draft=draft,
                     options=dataclasses.asdict(options))
        state["fingerprint"] = short_hash(common, state)
        state["quick"] = quick.get(target, "")
        paths = target.paths(project.output_dir)
        if not force and up_to_date(project, target, state["fingerprint"]):
            remember_quick(project, target, state["quick"])
            report.built.append(Result(target.name, paths["pdf"], skipped=True))
            log.info("%s: up to date", target.name)
            return
        edition = render()
        state["fallbacks"] = edition.fallbacks
        pending.append((target, state, PrintJob(
            target.name, edition.html, paths["pdf"].parent, project.output_dir / ASSETS_DIR,
            project.templates_dir, project.relative(paths["pdf"]), options.pdf_variant)))

    for statement in statements:
        needed = needed_messages(statement, template)
        source_version = short_hash(statement.id, statement.language, statement.date,
                                    [(m.context, m.id) for m in statement_messages(statement)])
        editions: dict[str, tuple[Language, str]] = {}
        for code in codes:
            edition_language = language(code, project.formatting_locale(code))
            status = edition_status(project, statement, edition_language, catalogs[code], needed)
            if status.errors and not draft:
                report.refused.append(_refusal(f"{statement.id}.{code}", statement, status))
                continue
            editions[code] = (edition_language, short_hash(catalogs[code].plural_expr,
                                                           _translations_used(catalogs[code], needed)))
        published = {state["variant"]: state.get("locale") for state in recorded
                     if state.get("statement") == statement.id and "language" in state
                     and state["variant"] in project.languages()
                     and Target(statement.id, state["variant"]).paths(project.output_dir)["html"]
                     .is_file()}
        languages_shown = {**published, **{code: str(lang.locale) for code, (lang, _)
                                           in editions.items()}}
        alternates = tuple(Alternate(code, lang.tag, lang.name, f"{statement.id}.{code}.html")
                           for code in sorted(languages_shown)
                           for lang in [language(code, languages_shown[code])])
        for code, (edition_language, catalog_version) in editions.items():
            current = tuple(dataclasses.replace(a, current=a.code == code) for a in alternates)
            provenance = Provenance(source_version, catalog_version)
            schedule(Target(statement.id, code), functools.partial(
                render_edition, project, statement, edition_language, Lookup(code, catalogs[code]),
                provenance, draft, options, current if len(current) > 1 else ()), {
                "language": code, "locale": str(edition_language.locale),
                "source_version": source_version, "catalog_version": catalog_version,
                "alternates": [dataclasses.asdict(a) for a in current]})
        pair = bilingual_pair(project, statement, editions)
        wanted = [code for code in project.bilingual if code in codes]
        if not pair and len(wanted) >= 2:
            log.info("%s.bilingual: not printed while %s is not", statement.id,
                     " and ".join(code for code in wanted if code not in editions))
        if pair:
            (left, left_version), (right, right_version) = (editions[c] for c in pair)
            provenance = Provenance(source_version, short_hash(left_version, right_version))
            schedule(Target(statement.id, "bilingual"), lambda left=left, right=right,
                     provenance=provenance, statement=statement: render_bilingual(
                         project, statement,
                         Side(statement, left, Lookup(left.code, catalogs[left.code])),
                         Side(statement, right, Lookup(right.code, catalogs[right.code])),
                         provenance, draft, options), {
                "languages": list(pair), "source_version": source_version,
                "catalog_version": provenance.catalog_version})
    return pending


def bilingual_pair(project: Project, statement: Statement,
                   editions: dict[str, tuple[Language, str]]) -> tuple[str, str] | None:
    """The two languages of the bilingual edition, left then right: the first two set in
    ``[tool.pipeline] bilingual`` that are printed in this build (a right-to-left language goes
    on the right)."""
    wanted = [code for code in project.bilingual if code in editions]
    if len(wanted) < 2:
        return None
    first, second = wanted[:2]
    if editions[first][0].direction == "rtl" and editions[second][0].direction == "ltr":
        first, second = second, first
    return first, second


LISTED = 12
"""How many of a refused language's problems a build lists; `check` lists them all."""


def _refusal(name: str, statement: Statement, status: Status) -> PipelineErrors:
    errors = status.errors
    more = [PipelineError(f"... and {len(errors) - LISTED} more: `python -m pipeline check --lang "
                          f"{status.code}` lists them all", status.file)] if len(errors) > LISTED else []
    return PipelineErrors(
        [PipelineError(f"{name} is not printed: {status.untranslated} untranslated, "
                       f"{status.fuzzy} fuzzy, {len(errors)} problem(s) in its catalog "
                       "(listed below); print a draft with --draft", statement.file)]
        + [PipelineError(f.message, f.file, f.line) for f in errors[:LISTED]] + more)


def write_edition(project: Project, target: Target, state: dict, job: PrintJob, data: bytes,
                  pages: int, seconds: float) -> Result:
    """HTML, then PDF, then the state that vouches for both: each written atomically."""
    paths = target.paths(project.output_dir)
    write_atomic(paths["html"], job.html.encode("utf-8"), project.output_dir)
    write_atomic(paths["pdf"], data, project.output_dir)
    state.update(pages=pages, title=_html_title(job.html),
                 files={kind: hashlib.sha256(p.read_bytes()).hexdigest()
                        for kind, p in paths.items()})
    write_atomic(target.state_path(project.output_dir), json.dumps(
        state, indent=1, ensure_ascii=False).encode(), project.output_dir)
    log.info("%s: %d pages, %.0f KB, %.2f s%s", project.relative(paths["pdf"]), pages,
             len(data) / 1024, seconds, " (draft)" if state["draft"] else "")
    return Result(target.name, paths["pdf"], pages, len(data), seconds)


def _html_title(html: str) -> str:
    start = html.find("<title>") + len("<title>")
    return unescape(html[start:html.find("</title>", start)]).replace("\u2068", "").replace(
        "\u2069", "")


def write_index(project: Project) -> None:
    """``output/index.html``: every statement and edition now in the output folder."""
    english = Locale.parse("en")
    statements: dict[str, dict] = {}
    for state in recorded_states(project.output_dir):
        statement_id = state.get("statement")
        if not statement_id or "variant" not in state:
            continue
        entry = statements.setdefault(statement_id, {"id": statement_id, "editions": [],
                                                     "bilingual": None, "bilingual_names": ""})
        name = f"{statement_id}/{statement_id}.{state['variant']}"
        if state["variant"] == "bilingual":
            entry["bilingual"] = f"{name}.pdf"
            entry["bilingual_names"] = " + ".join(english.languages.get(code, code)
                                                  for code in state.get("languages", []))
            continue
        edition_language = language(state["language"], state.get("locale"))
        entry["editions"].append({
            "code": edition_language.code, "tag": edition_language.tag,
            "direction": edition_language.direction, "native_name": edition_language.name,
            "title": state.get("title") or name, "html": f"{name}.html", "pdf": f"{name}.pdf",
            "draft": state.get("draft", False), "date": state.get("date", "")})
    listing = []
    for statement_id, entry in sorted(statements.items()):
        if not entry["editions"]:
            continue
        try:
            source = load_statements(project, [statement_id])[0]
            first = next((e for e in entry["editions"] if e["code"] == source.language),
                         entry["editions"][0])
            date, date_text = source.date.isoformat(), language("en", "en_GB").format_date(
                source.date)
        except PipelineError:  # a statement removed from sources/ since it was built
            first, date, date_text = entry["editions"][0], "", ""
        entry["editions"].sort(key=lambda e: (e is not first, e["code"]))
        listing.append({**entry, "title": first["title"], "tag": first["tag"],
                        "direction": first["direction"], "date": date, "date_text": date_text})
    write_atomic(project.output_dir / "index.html",
                 render_index(project, listing).encode("utf-8"), project.output_dir)


def check_output_dir(project: Project, statement_ids: list[str]) -> None:
    """Nothing is written through a symbolic link that leads out of ``output/`` (nor out of the
    project, for ``output/`` itself unless the caller chose another place)."""
    if project.output is None:
        resolved = project.output_dir.resolve()
        if not resolved.is_relative_to(project.root):
            raise PipelineError(f"output/ leads outside the project (to {resolved}): make it a "
                                "plain folder", "output")
    problems = []
    for name in [ASSETS_DIR, *statement_ids]:
        folder = project.output_dir / name
        if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(
                project.output_dir.resolve())):
            problems.append(PipelineError(
                f"is a symbolic link to {folder.resolve()}, outside the project's output folder: "
                "the pipeline does not write through it; remove the link (a plain folder is "
                "made in its place)",
                project.relative(folder) if project.output is None else str(folder)))
    raise_if_any(problems)


def verify(project: Project, jobs: int | None = None) -> list[str]:
    """Rebuild every edition in ``output/`` into a temporary folder; name each file that differs."""
    import tempfile

    recorded = recorded_states(project.output_dir)
    if not recorded:
        raise PipelineError("nothing to verify: build first", project.relative(project.output_dir))
    differences = []
    with tempfile.TemporaryDirectory(prefix="verify-") as folder:
        twin = dataclasses.replace(project, output=Path(folder))
        groups: dict[str, list[dict]] = {}
        for state in recorded:
            groups.setdefault(json.dumps([state["draft"], state["options"]]), []).append(state)
        for key, states in groups.items():
            draft, options = json.loads(key)
            codes = sorted({c for s in states for c in ([s["language"]] if "language" in s
                                                        else s["languages"])})
            build(twin, sorted({s["statement"] for s in states}), codes, draft=draft,
                  force=True, jobs=jobs, options=PrintOptions(**options))
        for state in recorded:
            target = Target(state["statement"], state["variant"])
            for kind, shipped in target.paths(project.output_dir).items():
                built = target.paths(twin.output_dir)[kind]
                if not built.is_file() or shipped.read_bytes() != built.read_bytes():
                    differences.append(project.relative(shipped))
    return differences


class Printers:
    """Where editions are printed: in this process, or in worker processes started (and
    importing WeasyPrint, its costliest step) while this one still reads catalogs and renders
    HTML. The longest editions start first; results come back in the planned order, so the log
    reads the same whatever finishes first."""

    def __init__(self, workers: int):
        self.pool = None
        if workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=workers, initializer=_import_weasyprint,
                                            mp_context=multiprocessing.get_context("spawn"))
            for _ in range(workers):
                self.pool.submit(_import_weasyprint)  # start them now, not on the first job

    def __enter__(self) -> Printers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, pending: list[tuple[Target, dict, PrintJob]]):
        if self.pool is None or len(pending) < 2:
            for target, state, job in pending:
                yield target, state, job, _outcome(job, lambda job=job: print_job(job))
            return
        longest_first = sorted(range(len(pending)), key=lambda i: -len(pending[i][2].html))
        futures = {i: self.pool.submit(print_job, pending[i][2]) for i in longest_first}
        for i, (target, state, job) in enumerate(pending):
            yield target, state, job, _outcome(job, futures[i].result)


def _outcome(job: PrintJob, result):
    """What printing one edition gave: its PDF, or an error that names it (a crashed worker,
    WeasyPrint failing on something it should have refused, ...), never a traceback."""
    try:
        return result()
    except PipelineError as error:
        return error
    except Exception as error:
        log.debug("printing %s failed", job.where, exc_info=True)
        return PipelineError(f"printing failed: {type(error).__name__}: {error}", job.where)


def _import_weasyprint() -> None:
    import weasyprint  # noqa: F401


# --- the catalog recipes ------------------------------------------------------------------------

CREATION_DATE = re.compile(rb'"POT-Creation-Date: [^"]*"')


def catalogs_lock(project: Project):
    return exclusive(project.locales_dir, "waiting for another run to finish with the catalogs")


def extract(project: Project) -> Catalog:
    """Write the message template (POT) from every statement and template."""
    with catalogs_lock(project):
        return _extract(project)


def _extract(project: Project) -> Catalog:
    load_statements(project)  # report every problem in the sources, with lines, first
    template = extract_template(project)
    path = project.template_path
    data = serialise(template)
    old = read_bytes(path)
    if dated := CREATION_DATE.search(old):  # no timestamp-only churn: a real change is dated
        data = CREATION_DATE.sub(lambda _: dated.group(), data, count=1)
    if write_atomic(path, data, project.root):
        log.info("%s: %d messages", project.relative(path), len([m for m in template if m.id]))
    return template


def update(project: Project, languages: list[str] | None = None) -> None:
    """Re-extract, then merge the template into every language's catalog (msgmerge semantics)."""
    codes = project.select_languages(languages)
    with catalogs_lock(project):
        _update(project, codes)


def _update(project: Project, codes: list[str]) -> None:
    template = _extract(project)
    originals = {code: project.catalog_path(code).read_bytes() for code in codes}
    catalogs = read_catalogs(project, codes)
    for code, catalog in catalogs.items():
        path = project.catalog_path(code)
        if write_catalog(project, path, merge(catalog, template), expected=originals[code]):
            fuzzy = sum(1 for m in catalog if m.id and m.fuzzy)
            log.info("%s: updated (%d fuzzy, %d obsolete)", project.relative(path), fuzzy,
                     len(catalog.obsolete))


@dataclass(frozen=True)
class EditionStatus:
    statement: str
    status: Status


def check(project: Project, statement_ids: list[str] | None = None,
          languages: list[str] | None = None) -> list[EditionStatus]:
    """How complete and how sound each language's translation of each statement is."""
    statements = load_statements(project, statement_ids)
    codes = project.select_languages(languages)
    catalogs = read_catalogs(project, codes)
    template = extract_template(project)
    results = []
    for statement in statements:
        needed = needed_messages(statement, template)
        for code in codes:
            edition_language = language(code, project.formatting_locale(code))
            results.append(EditionStatus(statement.id, edition_status(
                project, statement, edition_language, catalogs[code], needed)))
    return results


def init(project: Project, code: str) -> Path:
    """Create the catalog of a new language, with CLDR's plural forms."""
    check_language_code(code)
    with catalogs_lock(project):
        return _init(project, code)


def _init(project: Project, code: str) -> Path:
    path = project.catalog_path(code)
    if path.exists():
        raise PipelineError(f"the catalog for {code!r} exists already: use `python -m pipeline "
                            "update` to bring it up to date", project.relative(path))
    template = _extract(project)
    write_catalog(project, path, new_catalog(code, template))
    log.info("%s: created for %s (%s)", project.relative(path), language(code).name,
             language(code).direction)
    return path



"""``build``: the recipe. Read every input once, decide what is out of date, render each stale
edition's HTML, print its PDF, publish both with their state; then remove what no input gives
any more and write the index and assets.

A statement that cannot be read and a language that is not ready are reported and refused; the
other editions are still printed, and the exit status says something was refused.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import log
from ..catalogs.checks import Status
from ..catalogs.lookup import Lookup
from ..catalogs.pofile import PoCatalog
from ..errors import PipelineError, Problem
from ..files import MAX_INPUT, display, exclusive, publish, read_input, remove, write_atomic
from ..language import language
from ..model import BILINGUAL, Target
from ..pdf import (
    MissingGlyphs,
    PrintJob,
    check_font_families,
    check_glyphs,
    check_stylesheet_urls,
    folder_url,
)
from ..plan import (
    DEFAULT_REQUEST,
    EditionPlan,
    Plan,
    Request,
    expected_targets,
    kept_by_name,
    make_plan,
    quick_hash,
    quick_inputs,
    read_inputs,
    requested_languages,
)
from ..printing import Printed, Printers
from ..project import ASSETS, DRAFTS, STYLESHEET, Project
from ..render import Rendered, Side, render_bilingual, render_edition
from ..site import (
    asset_files,
    check_not_linked_out,
    edition_entry,
    make_site,
    publish_site,
    site_is_current,
    site_quick,
)
from ..snapshot import Snapshot, catalog_languages, digest, take
from ..source import StatementDate
from ..state import EditionState, read_states


@dataclass(frozen=True)
class PrintedEdition:
    target: Target
    pdf: Path
    pages: int
    size: int
    seconds: float


@dataclass
class Report:
    printed: list[PrintedEdition] = field(default_factory=list)
    up_to_date: list[Target] = field(default_factory=list)
    refused: list[PipelineError] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    """How complete each (statement, language) is, when the build had to look."""
    assets: dict[str, bytes] = field(default_factory=dict)
    """The stylesheet, fonts and licence the editions were printed with, below ``_assets``."""

    @property
    def problems(self) -> list[Problem]:
        return [p for error in self.refused for p in error.problems]


def build(project: Project, request: Request = DEFAULT_REQUEST, jobs: int | None = None) -> Report:
    """Build every edition the request gives; refuse (and report) what is not ready."""
    started = time.perf_counter()
    with exclusive(project.output_dir, project.root if project.output is None
                   else project.output_dir.parent, "waiting for another build to finish"):
        report = _build(project, request, jobs)
    printed = report.printed
    log.info("%d printed (%d pages, %.0f KB), %d up to date, %d refused%s, in %.2f s",
             len(printed), sum(p.pages for p in printed), sum(p.size for p in printed) / 1024,
             len(report.up_to_date), len(report.refused),
             f", {len(report.removed)} removed" if report.removed else "",
             time.perf_counter() - started)
    return report


def _build(project: Project, request: Request, jobs: int | None) -> Report:
    check_not_linked_out(project, [ASSETS, DRAFTS, *request.statement_ids])
    settings = project.settings
    available = tuple(catalog_languages(project))
    codes, problems = requested_languages(settings, available, request)
    if problems:
        raise PipelineError.of(problems)
    snapshot = take(project, list(request.statement_ids) or None, codes)
    recorded = read_states(project.output_dir, project.output_dir / DRAFTS)
    intact = {target for target, state in recorded.items() if files_intact(project, state)}
    stale = quick_stale(snapshot, available, codes, request, recorded, intact)
    assets = asset_files(snapshot)
    if not request.force and not stale:
        report = Report(up_to_date=sorted(recorded_up_to_date(snapshot, codes, request, recorded)),
                        assets=assets)
        for target in report.up_to_date:
            log.info("%s: up to date", target.name)
        return report
    report = Report(assets=assets)
    check_stylesheet(snapshot)
    inputs, unreadable = read_inputs(snapshot, available)
    report.refused += unreadable
    catalogs = inputs.catalogs
    plan = make_plan(inputs, request, recorded, intact)
    report.refused += plan.refused
    report.statuses = plan.statuses
    for note in plan.notes:
        log.info("%s", note)
    # Workers only when there is something to print; they load WeasyPrint while this renders.
    workers = max(1, min(jobs or os.cpu_count() or 1, len(plan.stale)))
    with Printers(workers if plan.stale else 1) as printers:
        rendered = render_stale(snapshot, plan, catalogs, report)
        print_jobs = [print_job(project, snapshot, edition, result.html)
                      for edition, result in rendered]
        for (edition, result), (_, outcome) in zip(rendered, printers.run(print_jobs),
                                                   strict=True):
            if isinstance(outcome, PipelineError):
                if details := getattr(outcome, "details", None):
                    log.debug("%s", details)
                report.refused.append(outcome)
                continue
            report.printed.append(publish_edition(project, edition, result, outcome))
    for edition in plan.editions:
        if edition.up_to_date:
            report.up_to_date.append(edition.target)
            log.info("%s: up to date", edition.target.name)
            refresh_state(project, recorded[edition.target], edition.state)
    if request.everything:
        report.removed += remove_obsolete(project, plan.obsolete)
        write_site(project, snapshot, report)
    return report


# --- the fast path ------------------------------------------------------------------------------

def files_intact(project: Project, state: EditionState) -> bool:
    """Whether an edition's files still hold the bytes its state records."""
    try:
        return all(digest(path.read_bytes()) == state.files.get(kind)
                   for kind, path in state.target.paths(project.output_dir).items()
                   if not path.is_symlink())
    except OSError:
        return False


def quick_stale(snapshot: Snapshot, available: tuple[str, ...], codes: list[str],
                request: Request, recorded: dict[Target, EditionState],
                intact: set[Target]) -> list[tuple[Target, ...]]:
    """The editions whose inputs' bytes changed since they were printed (by hashes alone,
    nothing parsed), and a marker when anything else is to do (a file to remove, the index)."""
    settings = snapshot.project.settings
    if snapshot.unreadable_sources:
        return [()]
    stale = []
    for choices in expected_targets(settings, list(snapshot.sources), codes, request.draft):
        target = choices[0]
        languages = settings.bilingual if target.variant == BILINGUAL else (target.variant,)
        inputs = quick_inputs(snapshot, available, target.statement_id, tuple(
            code for code in languages))
        if not any(choice in intact and recorded[choice].quick == quick_hash(
                inputs, choice, request.options) for choice in choices):
            stale.append(choices)
    if request.everything and not stale:
        expected = {t for choices in expected_targets(settings, list(snapshot.sources), codes,
                                                      request.draft) for t in choices}
        if any(target not in expected and not kept_by_name(target, set(snapshot.sources),
                                                            available, settings)
               for target in recorded):
            return [()]
        states = [recorded[t] for t in sorted(recorded) if not t.draft]
        if not site_is_current(snapshot.project, site_quick(snapshot, states)):
            return [()]
    return stale


def recorded_up_to_date(snapshot: Snapshot, codes: list[str], request: Request,
                        recorded: dict[Target, EditionState]) -> list[Target]:
    found = []
    for choices in expected_targets(snapshot.project.settings, list(snapshot.sources), codes,
                                    request.draft):
        found.append(next((c for c in choices if c in recorded), choices[0]))
    return found


# --- reading ------------------------------------------------------------------------------------

def check_stylesheet(snapshot: Snapshot) -> None:
    """The stylesheet names only its own fonts: checked once, before anything prints."""
    item = snapshot.templates.get(STYLESHEET)
    if item is None:
        raise PipelineError("the stylesheet is missing: restore it from the repository",
                            f"templates/{STYLESHEET}")
    try:
        css = item.data.decode("utf-8")
    except UnicodeDecodeError:
        raise PipelineError("the stylesheet is not UTF-8 text: save it as UTF-8", item.name
                            ) from None
    check_font_families(css, item.name)
    check_stylesheet_urls(css, item.name, asset_files(snapshot))


# --- rendering and printing ---------------------------------------------------------------------

def sides(edition: EditionPlan, catalogs: dict[str, PoCatalog]) -> list[Side]:
    return [Side(edition.statement, lang, Lookup(lang.code, catalogs[lang.code]),
                 list(edition.messages)) for lang in edition.languages]


def render(snapshot: Snapshot, edition: EditionPlan, catalogs: dict[str, PoCatalog]) -> Rendered:
    parts = sides(edition, catalogs)
    if len(parts) == 2:
        return render_bilingual(snapshot, parts[0], parts[1], edition.provenance, edition.draft,
                                edition.options, edition.target.assets_url)
    return render_edition(snapshot, parts[0], edition.provenance, edition.draft, edition.options,
                          edition.alternates, edition.target.assets_url)


def render_stale(snapshot: Snapshot, plan: Plan, catalogs: dict[str, PoCatalog],
                 report: Report) -> list[tuple[EditionPlan, Rendered]]:
    """The HTML of every edition to print. A release in which any message fell back to its
    source text (a word a template uses that the catalog lacks) is refused."""
    rendered = []
    seen: set[str] = set()
    for edition in plan.stale:
        try:
            result = render(snapshot, edition, catalogs)
        except PipelineError as error:
            if str(error) not in seen:  # one template error, reported once
                seen.add(str(error))
                report.refused.append(error)
            continue
        if result.fallbacks and not edition.draft:
            report.refused.append(fallback_refusal(edition, result))
            continue
        try:
            check_glyphs(result.html, asset_files(snapshot), snapshot.project.relative(
                edition.target.paths(snapshot.project.output_dir)["pdf"]))
        except MissingGlyphs as error:
            report.refused.append(located(error, snapshot, edition))
            continue
        rendered.append((edition, result))
    return rendered


def located(error: MissingGlyphs, snapshot: Snapshot, edition: EditionPlan) -> PipelineError:
    """A character no font can draw, named where it was written: the statement, one of the
    edition's catalogs, or a template."""
    char = error.characters[0]
    inputs = [snapshot.sources.get(edition.statement.id),
              *(snapshot.catalogs.get(lang.code) for lang in edition.languages),
              *snapshot.templates.values()]
    for item in inputs:
        if item is None or not item.name.endswith((".yaml", ".po", ".j2")):
            continue
        text = item.data.decode("utf-8", "replace")
        if (position := text.find(char)) >= 0:
            return PipelineError(error.message, item.name, text.count("\n", 0, position) + 1)
    return error


def fallback_refusal(edition: EditionPlan, result: Rendered) -> PipelineError:
    shown = ", ".join(f"{context} {msgid!r}" if context else repr(msgid)
                      for context, msgid in list(dict.fromkeys(result.fallbacks))[:5])
    return PipelineError(
        f"{edition.target.name} is not printed: {len(set(result.fallbacks))} message(s) it shows "
        f"have no translation ({shown}): run `python -m pipeline update`, translate them, and "
        "build again", edition.statement.file)


def print_job(project: Project, snapshot: Snapshot, edition: EditionPlan, html: str) -> PrintJob:
    paths = edition.target.paths(project.output_dir)
    return PrintJob(
        name=edition.target.name, where=project.relative(paths["pdf"]), html=html,
        base_url=folder_url(paths["pdf"].parent),
        assets_url=folder_url(project.output_dir / ASSETS),
        assets=asset_files(snapshot), options=edition.options)


def publish_edition(project: Project, edition: EditionPlan, rendered: Rendered,
                    printed: Printed) -> PrintedEdition:
    """HTML, PDF and the state that vouches for both, published together."""
    paths = edition.target.paths(project.output_dir)
    html_bytes = rendered.html.encode("utf-8")
    state = replace(edition.state, pages=printed.pdf.pages, title=rendered.title,
                    files={"html": digest(html_bytes), "pdf": digest(printed.pdf.data)})
    root = project.root if project.output is None else project.output_dir.parent
    publish({paths["html"]: html_bytes, paths["pdf"]: printed.pdf.data,
             edition.target.state_path(project.output_dir): state.to_bytes()},
            root, project.output_dir)
    log.info("%s: %d pages, %.0f KB, %.2f s%s", project.relative(paths["pdf"]), printed.pdf.pages,
             len(printed.pdf.data) / 1024, printed.seconds, " (draft)" if edition.draft else "")
    return PrintedEdition(edition.target, paths["pdf"], printed.pdf.pages, len(printed.pdf.data),
                          printed.seconds)


def refresh_state(project: Project, previous: EditionState, current: EditionState) -> None:
    """An edition found up to date keeps its state, with the hashes of the new inputs' bytes."""
    if previous.quick != current.quick or previous.inputs != current.inputs:
        state = replace(current, pages=previous.pages, title=previous.title, files=previous.files)
        root = project.root if project.output is None else project.output_dir.parent
        write_atomic(current.target.state_path(project.output_dir), state.to_bytes(), root)


def remove_obsolete(project: Project, targets: list[Target]) -> list[str]:
    """The files of editions no input gives any more (a statement or a language removed)."""
    removed = []
    for target in targets:
        for path in [*target.paths(project.output_dir).values(),
                     target.state_path(project.output_dir)]:
            if remove(path, project.output_dir):
                removed.append(display(path, project.root))
        folder = target.folder(project.output_dir)
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
        log.info("%s: removed (no input gives it any more)", target.name)
    return removed


def write_site(project: Project, snapshot: Snapshot, report: Report) -> None:
    """The index of every released edition in ``output/`` (printed now, up to date, or kept while
    its language or statement is refused), described by the states they were published with;
    and the assets, when every one of them was printed with the current templates (a kept edition
    printed with an older stylesheet keeps it until it is printed again)."""
    states = [s for t, s in sorted(read_states(project.output_dir,
                                               project.output_dir / DRAFTS).items()) if not t.draft]
    editions = [edition_entry(s.statement, s.variant, s.title, s.languages, s.locales)
                for s in states]
    english = language("en", "en_GB")
    sources: dict[str, tuple[str, tuple[str, str]]] = {}
    for state in states:
        date = StatementDate.parse(state.date)
        sources.setdefault(state.statement, (state.source_language, (
            state.date, english.format_date(date.first_day(), date.precision) if date else "")))
    current = all(s.inputs.get("templates") == snapshot.look for s in states)
    pages = []
    root = project.root if project.output is None else project.output_dir.parent  # verify's twin
    for state in states:
        data = read_input(state.target.paths(project.output_dir)["html"], root,
                          MAX_INPUT, "edition")
        if data is not None:
            pages.append(data.decode("utf-8", "replace"))
    site = make_site(snapshot, editions, sources, site_quick(snapshot, states), pages,
                     with_assets=current)
    report.removed += publish_site(project, site)

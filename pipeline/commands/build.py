"""``build``: the recipe. Read every input once, decide what is out of date, render each stale
edition's HTML, print its PDF, publish both with their state; then remove what no input gives
any more and write the index and assets.

A statement that cannot be read and a language that is not ready are reported and refused; the
other editions are still printed, and the exit status says something was refused.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import log
from ..errors import PipelineError, Problem
from ..files import (
    PublishedDigests,
    display,
    exclusive,
    publish,
    read_published,
    remove,
    remove_folder_if_empty,
    write_atomic,
)
from ..model import BILINGUAL, Target
from ..plan import (
    DEFAULT_REQUEST,
    EditionPlan,
    Plan,
    Removal,
    Request,
    editions_by_name,
    make_plan,
    plan_key,
    quick_check,
    records_refusals,
    refusals_of,
    replayed_plan,
    requested_languages,
    translations_of,
    up_to_date_by_name,
)
from ..project import ASSETS, BILINGUAL_TEMPLATE, DRAFTS, EDITION_TEMPLATE, Project
from ..site import (
    asset_files,
    check_not_linked_out,
    edition_entry,
    linkable_assets,
    make_site,
    publish_site,
    site_inputs_hash,
    site_is_current,
    unpublished_links,
    unpublished_refusal,
)
from ..snapshot import Snapshot, catalog_languages, digest, no_statement, short_hash, take
from ..state import (
    CATALOGS_STATE,
    REFUSALS_STATE,
    EditionState,
    Published,
    Refusals,
    Translations,
    read_published_editions,
    read_refusals,
    read_translations,
    translations_bytes,
)

if TYPE_CHECKING:  # what parsing, rendering and printing need is imported where it is used:
    # phase one decides from bytes alone and loads none of it (nor WeasyPrint)
    from ..catalogs.checks import Status
    from ..catalogs.pofile import PoCatalog
    from ..fonts import MissingGlyphs
    from ..parse import Parsed
    from ..pdf import PrintJob
    from ..printing import Printed, Printers
    from ..render import Rendered, Side
    from ..share import CardSide
    from .update import Left


@dataclass(frozen=True)
class PrintedEdition:
    target: Target
    pdf: Path
    pages: int
    size: int
    seconds: float
    state: EditionState
    files: dict[str, bytes]  # the bytes published, by kind (``html``, ``pdf``)


@dataclass
class Report:
    printed: list[PrintedEdition] = field(default_factory=list)
    up_to_date: list[Target] = field(default_factory=list)
    refused: list[PipelineError] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """The files of the editions removed (the summary's "removed"), never a replaced asset."""
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    """How complete each (statement, language) is, when the build had to look."""
    assets: dict[str, bytes] = field(default_factory=dict)
    """The stylesheet, fonts and licence the editions were printed with, below ``_assets``."""
    plan: Plan | None = None
    """The full plan, when the build had to make one."""

    @property
    def problems(self) -> list[Problem]:
        return [p for error in self.refused for p in error.problems]


def build(project: Project, request: Request = DEFAULT_REQUEST, jobs: int | None = None,
          printers: Printers | None = None, inputs: Left | None = None) -> Report:
    """Build every edition the request gives; refuse (and report) what is not ready. ``printers``:
    a pool kept warm between builds (``watch``, ``serve``) prints instead of one of the build's
    own. ``inputs``: the inputs as an update in this process just left them (``update``'s
    ``left``), taken instead of reading the files, for a build of everything."""
    started = time.perf_counter()
    with exclusive(project.output_dir, project.root if project.output is None
                   else project.output_dir.parent, "waiting for another build to finish"):
        report = _build(project, request, jobs, printers, inputs)
    printed = report.printed
    kept = len(report.plan.kept) if report.plan is not None else 0
    # (a refusal is a language or statement held back: each of its editions is kept as printed
    # before, or is missing; the count of those kept says how many the reader still gets old)
    log.info("%d printed (%s, %.0f KB), %d up to date, %s%d refused%s, in %.2f s",
             len(printed), page_count(sum(p.pages for p in printed)),
             sum(p.size for p in printed) / 1024, len(report.up_to_date),
             f"{kept} kept as printed before, " if kept else "", len(report.refused),
             f", {len(report.removed)} removed" if report.removed else "",
             time.perf_counter() - started)
    return report


def page_count(count: int) -> str:
    """``1 page``, ``3 pages``: as the build's messages count them."""
    return f"{count} page" if count == 1 else f"{count} pages"


MAX_ROUNDS = 3
"""How often a build plans again when an edition could not be printed after all (a character
no font draws, a template word missing): the pages that would link it are printed again without
the link, so that no page links a file that is not there."""


def _build(project: Project, request: Request, jobs: int | None,
           warm: Printers | None = None, inputs: Left | None = None) -> Report:
    # 1. Read every input once, and what output/ holds.
    check_not_linked_out(project, [ASSETS, DRAFTS, *request.statement_ids])
    available = tuple(catalog_languages(project))
    codes, problems = requested_languages(project.settings, available, request)
    if problems:
        raise PipelineError.of(problems)
    left = inputs.snapshot if inputs is not None else None
    if left is not None and request.everything and all(c in left.catalogs for c in codes):
        snapshot = replace(left, catalogs={code: left.catalogs[code] for code in codes})
    else:
        snapshot = take(project, list(request.statement_ids) or None, codes, request.everything)
    # the catalogs phase one and parse take as read: those the update made of these very bytes
    read: dict[str, PoCatalog] = {code: inputs.catalogs[item.digest] for code, item in
                                  snapshot.catalogs.items()
                                  if inputs is not None and item.digest in inputs.catalogs}
    published = read_published_editions(project.output_dir, project.output_dir / DRAFTS)
    report = Report(assets=asset_files(snapshot))
    # 2. Phase one of the freshness rule: from bytes alone, no statement parsed (a catalog only
    # when its bytes changed, to see whose translations did).
    digests = published.digests
    translations = catalog_translations(project, snapshot, read)  # read: those it had to read
    quick = quick_check(snapshot, available, codes, request, published,
                        lambda: site_is_current(project, site_inputs_hash(snapshot, [
                            s for t, s in sorted(published.states.items())
                            if not t.draft and t in published.intact]), digests),
                        translations, read_refusals(project.output_dir)
                        if records_refusals(request) else None)
    fresh = up_to_date_by_name(snapshot, codes, request, published)
    if quick.up_to_date and not snapshot.sources and not snapshot.unreadable_sources:
        raise no_statement(project)
    if quick.up_to_date or quick.replayed is not None:
        # (refused again: what the last full plan refused from these very inputs, said again)
        replayed = replayed_plan(quick.replayed, fresh, request) if quick.replayed else None
        if replayed is not None:
            log.debug("refused again, as the last build refused it from these very inputs: %s",
                      "; ".join(quick.reasons))
            for note in replayed.notes:
                log.info("%s", note)
        report.up_to_date = sorted(fresh) if replayed is None else replayed.unchanged
        for target in report.up_to_date:
            log.info("%s: up to date", target.name)
        if replayed is not None:
            for target in replayed.kept:
                log.info("%s: the edition printed earlier is kept while it is refused",
                         target.name)
            report.refused += replayed.refused
            report.plan = replayed
        record_digests(project, digests)
        return report
    log.debug("planning in full: %s", "; ".join(quick.reasons))
    # A pool on standby starts its first worker now (``Printers``): unless no edition is stale
    # by its bytes (the index alone is to write: ``build --lang en`` after ``build``), or a
    # full plan of these very inputs and request was made, and nothing printed since: what it
    # left stale (refused) it would leave again (with --force, it prints everything again).
    # Recorded by full plans only: a build up to date by the bytes leaves the record as it was.
    key = plan_key(snapshot, available, request)
    if warm is not None and quick.statements != set() and (
            digests is None or not digests.planned(key) or request.force):
        warm.start_early()
    if digests is not None:
        digests.inputs_now = key
    from ..parse import parse

    # 3. Parse what changed, then plan; carry the plan out; plan again if an edition failed
    # after all. A statement whose editions are all up to date by their bytes is not parsed.
    check_stylesheet(snapshot)
    parsed = parse(snapshot, available, quick.statements, read)
    unchanged = frozenset() if quick.statements is None else frozenset(
        t for t in fresh if t.statement_id not in quick.statements)
    report.refused += parsed.problems
    states, intact = dict(published.states), set(published.intact)
    failed: frozenset[Target] = frozenset()
    plan = Plan()
    for _ in range(MAX_ROUNDS):
        plan = make_plan(parsed, request, Published(states, frozenset(intact)), failed, unchanged,
                         translations)
        newly_failed = carry_out(project, snapshot, parsed, plan, jobs, report, warm)
        for done in report.printed:
            states[done.target] = done.state
            intact.add(done.target)
        if not newly_failed:
            break
        failed |= newly_failed
    report.refused += plan.refused
    report.statuses = plan.statuses
    for note in plan.notes:
        log.info("%s", note)
    printed = {p.target for p in report.printed}
    report.up_to_date += plan.unchanged
    for target in plan.unchanged:
        log.info("%s: up to date", target.name)
    for edition in plan.editions:
        if edition.up_to_date and edition.target not in printed:
            report.up_to_date.append(edition.target)
            log.info("%s: up to date", edition.target.name)
            states[edition.target] = refresh_state(project, states[edition.target], edition.state)
    drafts = {e.target for e in plan.editions if e.target.draft}
    for target in plan.kept:  # refused, or (with --draft) printed as a draft, not both
        if Target(target.statement_id, target.variant, draft=True) in drafts:
            log.info("%s: not ready for release: the edition released earlier is kept, and the "
                     "draft shows the translation as it is", target.name)
        else:
            log.info("%s: the edition printed earlier is kept while it is refused", target.name)
    # 4. What no input gives any more goes; the site is made from the plan's result.
    if plan.complete:
        report.removed += remove_obsolete(project, plan.removals)
    listed = set(plan.present())
    if not request.everything:  # the editions the request was not about stay listed as they are
        listed |= {t for t in states if not t.draft and t in intact}
    write_site(project, snapshot, [states[t] for t in sorted(listed)], set(plan.behind), report,
               parsed.catalogs, partial=not request.everything, digests=digests)
    report.plan = plan
    if records_refusals(request):  # what the next build of the same inputs says again
        keep_refusals(project, refusals_of(
            plan, key,
            [choices[0] for choices in editions_by_name(project.settings, list(snapshot.sources),
                                                        codes, request.draft)],
            Published(states, frozenset(intact))) if report.refused == plan.refused else None)
    record_digests(project, digests, report)
    if not snapshot.sources and not snapshot.unreadable_sources:  # its editions are removed now
        report.refused.append(no_statement(project))
    return report


def keep_refusals(project: Project, refusals: Refusals | None) -> None:
    """Record what the plan refused for the next build (``REFUSALS_STATE``), or that there is
    nothing to say again (``None``: the plan withheld nothing, or the build refused more than it)."""
    path = project.output_dir / REFUSALS_STATE
    root = project.root if project.output is None else project.output_dir.parent
    if refusals is None:
        remove(path, root)
    else:
        write_atomic(path, refusals.to_bytes(), root)


def record_digests(project: Project, digests: PublishedDigests | None,
                   report: Report | None = None) -> None:
    """The digests of the files published, by their stat, for the next run (``PublishedDigests``):
    those this run hashed, and those of the editions it printed."""
    if digests is None:
        return
    digests.printed = report is not None and bool(report.printed)
    for done in report.printed if report is not None else ():
        paths = done.target.paths(project.output_dir)
        for kind, sha in done.state.files.items():
            digests.written(paths[kind], sha)
    digests.save(project.root if project.output is None else project.output_dir.parent)


def carry_out(project: Project, snapshot: Snapshot, parsed: Parsed, plan: Plan,
              jobs: int | None, report: Report, warm: Printers | None = None
              ) -> frozenset[Target]:
    """Render, print and publish the plan's stale editions; returns those that failed."""
    from ..printing import Printers, cores

    stale = plan.stale
    for edition in stale:
        log.debug("%s: printed because %s", edition.target.name, edition.reason)
    failed: set[Target] = set()
    workers = max(1, min(jobs or cores(), len(stale)))
    # Workers only when there is something to print; they load WeasyPrint while this renders.
    if warm is not None and stale:
        warm.grow(workers)
    own = Printers(workers if stale else 1) if warm is None else nullcontext(warm)
    with own as printers:
        rendered = render_stale(snapshot, plan, parsed.catalogs, report, failed)
        print_jobs = [print_job(project, snapshot, edition, result.html, result.card,
                                result.subject)
                      for edition, result in rendered]
        drawn = drawn_cards(project, [edition for edition, _ in rendered], print_jobs)
        for (edition, result), (job, outcome) in zip(rendered, printers.run(print_jobs, drawn),
                                                     strict=True):
            if isinstance(outcome, PipelineError):
                if details := getattr(outcome, "details", None):
                    log.debug("%s", details)
                report.refused.append(outcome)
                failed.add(edition.target)
                continue
            report.printed.append(publish_edition(project, edition, result, outcome,
                                                  job.card_key))
    return frozenset(failed)


def drawn_cards(project: Project, editions: list[EditionPlan], jobs: list[PrintJob]
                ) -> dict[str, tuple[str, bytes]]:
    """The share cards ``output/`` holds that the jobs would draw again, by edition (their key
    and image, for ``Printers.run``): an image is taken when its edition's state says it was
    drawn from the job's ``card_key``, and its bytes are as that state records."""
    found: dict[str, tuple[str, bytes]] = {}
    for edition, job in zip(editions, jobs, strict=True):
        printed = edition.printed
        if not job.card or printed is None or printed.card != job.card_key \
                or "png" not in printed.files:
            continue
        data = read_published(edition.target.paths(project.output_dir)["png"])
        if data is not None and digest(data) == printed.files["png"]:
            found[job.name] = (job.card_key, data)
    return found


# --- reading ------------------------------------------------------------------------------------

def catalog_translations(project: Project, snapshot: Snapshot,
                         catalogs: dict[str, PoCatalog] | None = None
                         ) -> dict[str, Translations | None]:
    """Each catalog's entries as phase one compares them with an edition's (``None``: it cannot
    be read): as the last build recorded them while the catalog's bytes are the same, else read
    now (into ``catalogs``, so that parsing them is not done twice; one there already, read from
    the snapshot's bytes, is taken as it is), and recorded for the next build."""
    recorded = read_translations(project.output_dir, snapshot.toolchain)
    found: dict[str, Translations | None] = {}
    for code, item in snapshot.catalogs.items():
        known = recorded.get(code)
        if known is not None and known.digest == item.digest:
            found[code] = known
            continue
        from ..catalogs.pofile import read_catalog

        try:
            catalog = catalogs[code] if catalogs is not None and code in catalogs \
                else read_catalog(item.data, item.name, code)
            found[code] = translations_of(catalog, item.digest)
            if catalogs is not None:
                catalogs[code] = catalog
        except PipelineError:  # the full plan says what is wrong with it
            found[code] = None
    read = {code: entries for code, entries in found.items() if entries is not None}
    if any(recorded.get(code) != entries for code, entries in read.items()):
        write_atomic(project.output_dir / CATALOGS_STATE,
                     translations_bytes({**recorded, **read}, snapshot.toolchain),
                     project.root if project.output is None else project.output_dir.parent)
    return found


def check_stylesheet(snapshot: Snapshot) -> None:
    """The stylesheet names only its own fonts: checked once, before anything prints."""
    from ..fonts import fonts_of

    fonts_of(asset_files(snapshot))


# --- rendering and printing ---------------------------------------------------------------------

def sides(edition: EditionPlan, catalogs: dict[str, PoCatalog]) -> list[Side]:
    from ..catalogs.lookup import Lookup
    from ..render import Side

    return [Side(edition.statement, lang, Lookup(lang.code, catalogs[lang.code]),
                 list(edition.messages)) for lang in edition.languages]


def render(snapshot: Snapshot, edition: EditionPlan, catalogs: dict[str, PoCatalog]) -> Rendered:
    from ..render import Web, render_bilingual, render_edition

    parts = sides(edition, catalogs)
    target = edition.target
    web = Web(page=target.page,
              site_url=None if target.draft else snapshot.project.settings.site_url,
              pdf=edition.pdf or f"{target.name}.pdf", bilingual=edition.bilingual,
              index=edition.index,
              image=f"{target.name}.png")
    if len(parts) == 2:
        return render_bilingual(snapshot, parts[0], parts[1], edition.provenance, edition.draft,
                                edition.options, target.assets_url, edition.alternates, web)
    return render_edition(snapshot, parts[0], edition.provenance, edition.draft, edition.options,
                          edition.alternates, target.assets_url, web)


def render_stale(snapshot: Snapshot, plan: Plan, catalogs: dict[str, PoCatalog],
                 report: Report, failed: set[Target]) -> list[tuple[EditionPlan, Rendered]]:
    """The HTML of every edition to print. A release in which any message fell back to its
    source text (a word a template uses that the catalog lacks) is refused."""
    from ..fonts import MissingGlyphs, check_glyphs

    rendered = []
    seen: set[str] = set()
    linkable = linkable_assets(snapshot) if plan.stale else frozenset()  # output/_assets's
    for edition in plan.stale:
        try:
            result = render(snapshot, edition, catalogs)
        except PipelineError as error:
            if str(error) not in seen:  # one template error, reported once
                seen.add(str(error))
                report.refused.append(error)
            failed.add(edition.target)
            continue
        if result.fallbacks and not edition.draft:
            report.refused.append(fallback_refusal(edition, result))
            failed.add(edition.target)
            continue
        if unpublished := unpublished_links(result.html, edition.target.page, linkable,
                                            snapshot.project.settings.site_url):
            report.refused.append(unpublished_refusal(
                snapshot, f"{edition.target.name} is not printed", unpublished,
                edition.statement.file,
                BILINGUAL_TEMPLATE if edition.target.variant == BILINGUAL else EDITION_TEMPLATE))
            failed.add(edition.target)
            continue
        try:
            check_glyphs(result.html, asset_files(snapshot), snapshot.project.relative(
                edition.target.paths(snapshot.project.output_dir)["pdf"]))
        except MissingGlyphs as error:
            report.refused.append(located(error, snapshot, edition))
            failed.add(edition.target)
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


def print_job(project: Project, snapshot: Snapshot, edition: EditionPlan, html: str,
              card: tuple[CardSide, ...] = (), subject: str | None = None) -> PrintJob:
    from ..fetcher import folder_url
    from ..fonts import fonts_of
    from ..pdf import PrintJob
    from ..share import card_html, drawing_tools

    paths = edition.target.paths(project.output_dir)
    drawing = card_html(list(card), folder_url(project.output_dir / ASSETS)) if card else ""
    return PrintJob(
        name=edition.target.name, where=project.relative(paths["pdf"]), html=html,
        base_url=folder_url(paths["pdf"].parent),
        assets_url=folder_url(project.output_dir / ASSETS),
        assets=asset_files(snapshot), fonts=fonts_of(asset_files(snapshot)),
        options=edition.options, card=drawing, card_key=short_hash(
            [asdict(side) for side in card], snapshot.templates_digest, snapshot.toolchain,
            drawing_tools())
        if card else "", subject=subject)  # (its words: the HTML names the folder it is in)


def publish_edition(project: Project, edition: EditionPlan, rendered: Rendered,
                    printed: Printed, card: str = "") -> PrintedEdition:
    """HTML, PDF and the state that vouches for both, published together."""
    from ..fonts import page_text

    paths = edition.target.paths(project.output_dir)
    html_bytes = rendered.html.encode("utf-8")
    files = {"html": html_bytes, "pdf": printed.pdf.data,
             **({"png": printed.image} if printed.image is not None else {})}
    state = replace(edition.state, pages=printed.pdf.pages, title=rendered.title,
                    files={kind: digest(data) for kind, data in files.items()},
                    shown="".join(sorted(set(page_text(rendered.html).shown))),
                    card=card if printed.image is not None else "")
    root = project.root if project.output is None else project.output_dir.parent
    publish({**{paths[kind]: data for kind, data in files.items()},
             edition.target.state_path(project.output_dir): state.to_bytes()},
            root, project.output_dir)
    log.info("%s: %s, %.0f KB, %.2f s%s", project.relative(paths["pdf"]), page_count(printed.pdf.pages),
             len(printed.pdf.data) / 1024, printed.seconds, " (draft)" if edition.draft else "")
    return PrintedEdition(edition.target, paths["pdf"], printed.pdf.pages, len(printed.pdf.data),
                          printed.seconds, state, files)


def refresh_state(project: Project, previous: EditionState, current: EditionState) -> EditionState:
    """An edition found up to date keeps its state, with the hashes of the new inputs' bytes."""
    if previous.inputs_hash == current.inputs_hash and previous.inputs == current.inputs:
        return previous
    state = replace(current, pages=previous.pages, title=previous.title, files=previous.files,
                    shown=previous.shown)
    root = project.root if project.output is None else project.output_dir.parent
    write_atomic(current.target.state_path(project.output_dir), state.to_bytes(), root)
    return state


def remove_obsolete(project: Project, removals: list[Removal]) -> list[str]:
    """The files of editions no input gives any more (a statement or a language removed)."""
    removed = []
    for removal in removals:
        target = removal.target
        for path in [*target.paths(project.output_dir).values(),
                     target.state_path(project.output_dir)]:
            if remove(path, project.output_dir):
                removed.append(display(path, project.root))
        remove_folder_if_empty(target.folder(project.output_dir))
        log.info("%s%s: removed: %s", target.name, " (draft)" if target.draft else "",
                 removal.reason)
    return removed


def write_site(project: Project, snapshot: Snapshot, states: list[EditionState],
               behind: set[Target], report: Report, catalogs: dict[str, PoCatalog],
               partial: bool = False, digests: PublishedDigests | None = None) -> None:
    """The index of every released edition ``output/`` holds once the build is done (printed
    now, up to date, or kept while its language or statement is refused), from the states they
    were published with; and the assets, when every one of them was printed with the current
    templates (a kept edition printed with an older stylesheet keeps it until it is printed
    again)."""
    from ..language import language
    from ..source import StatementDate

    english = language("en", "en_GB")

    def in_words(iso: str) -> str:
        date = StatementDate.parse(iso)
        return english.format_date(date.first_day(), date.precision) if date else iso

    editions = [edition_entry(s.statement, s.variant, s.title, s.languages, s.locales,
                              s.target in behind, s.source_version, in_words(s.updated or s.date))
                for s in states]
    sources: dict[str, tuple[str, tuple[str, str]]] = {}
    for state in states:
        date = StatementDate.parse(state.date)
        sources.setdefault(state.statement, (state.source_language, (
            state.date, english.format_date(date.first_day(), date.precision) if date else "")))
    updates: dict[str, tuple[str, str] | None] = {}  # as the source language's edition says
    for state in sorted(states, key=lambda s: s.variant != s.source_language):
        when = StatementDate.parse(state.updated)
        if state.statement not in updates:
            updates[state.statement] = (state.updated, english.format_date(
                when.first_day(), when.precision)) if when else None
    current = all(s.inputs.get("templates") == snapshot.templates_digest for s in states)
    # A build of some statements or languages reads only their catalogs: its index is recorded
    # as partial, so that the next build of everything makes it again.
    inputs_hash = ("partial " if partial else "") + site_inputs_hash(snapshot, states)
    try:
        site = make_site(snapshot, editions, sources, inputs_hash, [s.shown for s in states],
                         catalogs, with_assets=current, updates=updates)
    except PipelineError as error:  # its template links a file the site does not publish
        report.refused.append(error)
        return
    for name in publish_site(project, site, digests):  # an asset replaced (a web font cut anew): no edition
        log.debug("%s: removed: no page uses it any more", name)

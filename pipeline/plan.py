"""Deciding what a build does, without doing any of it: which editions each statement gets, in
which languages, released or as drafts, which are refused and why, which are already what their
inputs give, and which files in ``output/`` no input gives any more.

Everything here is a pure function of the run's inputs (the snapshot, what was parsed from it,
the request) and of the states recorded in ``output/``; it writes nothing and renders nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from .catalogs.checks import Needed, Status, check_edition
from .catalogs.pofile import PoCatalog, read_catalog
from .errors import PipelineError, Problem
from .identifiers import language_problem
from .language import Language, language
from .messages import (
    EditionMessage,
    SourceMessage,
    edition_messages,
    statement_messages,
    template_messages,
)
from .model import BILINGUAL, Alternate, PrintOptions, Provenance, Target
from .project import BILINGUAL_TEMPLATE, EDITION_TEMPLATE
from .render import templates_used
from .settings import Settings
from .snapshot import Snapshot, short_hash, toolchain
from .source import Statement, parse_statement
from .state import EditionState

LISTED = 12
"""How many of a refused language's problems a build lists; `check` lists them all."""


@dataclass(frozen=True)
class Request:
    """What a build was asked for."""

    statement_ids: tuple[str, ...] = ()  # none: every statement
    languages: tuple[str, ...] = ()  # none: every released language (and, for drafts, the rest)
    draft: bool = False
    force: bool = False
    options: PrintOptions = PrintOptions()

    @property
    def everything(self) -> bool:
        """A build of every statement in every language: it also decides what output/ holds."""
        return not self.statement_ids and not self.languages


DEFAULT_REQUEST = Request()
"""Every statement, every released language, released editions only."""


@dataclass(frozen=True)
class EditionPlan:
    """One edition to print (or found up to date): everything rendering and printing need."""

    target: Target
    statement: Statement
    languages: tuple[Language, ...]  # the edition's language, or the bilingual left and right
    messages: tuple[EditionMessage, ...]
    provenance: Provenance
    alternates: tuple[Alternate, ...]
    options: PrintOptions
    state: EditionState  # what will be recorded once it is printed (pages and files filled in)
    up_to_date: bool

    @property
    def draft(self) -> bool:
        return self.target.draft


@dataclass
class Plan:
    editions: list[EditionPlan] = field(default_factory=list)
    refused: list[PipelineError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    obsolete: list[Target] = field(default_factory=list)
    """Editions in ``output/`` that no input gives any more (a statement or a language removed)."""

    @property
    def stale(self) -> list[EditionPlan]:
        return [e for e in self.editions if not e.up_to_date]


def source_version(statement: Statement) -> str:
    """A short code for the statement's text, printed in every edition's colophon."""
    messages: list[list[object]] = [[m.context, m.id] for m in statement_messages(statement)]
    messages += [["given", s.value, code, name] for s in statement.signatories
                 for code, name in s.given]
    return short_hash(statement.id, statement.language, statement.date, messages)


def translations_used(catalog: PoCatalog, messages: list[EditionMessage], code: str) -> list:
    """The translations one edition shows (context, id, translation, fuzzy flag): nothing else
    of the catalog, so another statement's translations or a moved reference change nothing."""
    by_key = catalog.index()
    used = []
    for message in messages:
        written = message.as_written_in(code)
        if written is not None:
            used.append([list(message.key), ["as written", written]])
            continue
        found = by_key.get(message.key)
        used.append([list(message.key), None if found is None else
                     [found.msgstr_plural if found.is_plural else found.msgstr,
                      sorted(found.flags & {"fuzzy"})]])
    return used


def translation_version(catalog: PoCatalog, own: list[EditionMessage], code: str) -> str:
    """The translation version a colophon prints: the translations of the statement's ``own``
    texts (not the templates' words), so that a language's edition and its side of the
    bilingual edition name the same translation by the same code."""
    return short_hash(catalog.plural_expr, translations_used(catalog, own, code))


def needed(messages: list[EditionMessage], code: str) -> list[Needed]:
    return [Needed(m.key, m.source_language, m.reference, m.as_written_in(code) is not None)
            for m in messages]


def refusal(target: Target, statement: Statement, status: Status) -> PipelineError:
    errors = status.errors
    more = [Problem(f"... and {len(errors) - LISTED} more: `python -m pipeline check --lang "
                    f"{status.language}` lists them all", status.file)] if len(errors) > LISTED else []
    return PipelineError.of(
        [Problem(f"{target.name} is not printed: {status.untranslated} untranslated, "
                 f"{status.fuzzy} fuzzy, {len(errors)} problem(s) in its catalog (listed below); "
                 "print a draft with --draft", statement.file)] + errors[:LISTED] + more)


@dataclass(frozen=True)
class Inputs:
    """What the planner reads: the snapshot and what was parsed from it."""

    snapshot: Snapshot
    statements: dict[str, Statement]
    catalogs: dict[str, PoCatalog]
    words: list[SourceMessage]  # the templates' messages
    catalog_languages: tuple[str, ...]  # every language with a catalog, read or not

    @property
    def settings(self) -> Settings:
        return self.snapshot.project.settings

    def words_of(self, page: str) -> list[SourceMessage]:
        """The words of one page template and of the templates it imports or includes."""
        used = templates_used(self.snapshot, page)
        return [word for word in self.words if word.file in used]


def read_inputs(snapshot: Snapshot, catalog_languages: tuple[str, ...]
                ) -> tuple[Inputs, list[PipelineError]]:
    """Everything the snapshot's bytes hold, parsed: every statement and catalog that can be
    read, and the problems of each that cannot (they do not stop the others)."""
    problems: list[PipelineError] = list(snapshot.unreadable_sources.values())
    statements: dict[str, Statement] = {}
    for statement_id, item in snapshot.sources.items():
        try:
            statements[statement_id] = parse_statement(item.data, item.name, statement_id)
        except PipelineError as error:
            problems.append(error)
    catalogs: dict[str, PoCatalog] = {}
    for code, item in snapshot.catalogs.items():
        try:
            catalogs[code] = read_catalog(item.data, item.name, code)
        except PipelineError as error:
            problems.append(error)
    return Inputs(snapshot, statements, catalogs, template_messages(snapshot),
                  catalog_languages), problems


def requested_languages(settings: Settings, available: tuple[str, ...],
                        request: Request) -> tuple[list[str], list[Problem]]:
    """The languages a build prints: those asked for, or every released one (every one, for a
    draft build). An in-progress language asked for without --draft is an error."""
    problems = []
    if request.languages:
        codes = list(dict.fromkeys(request.languages))
        for code in codes:
            if message := language_problem(code):  # never a path such as ../x
                problems.append(Problem(message))
            elif code not in available:
                problems.append(Problem(f"there is no catalog for {code!r}: create it with "
                                        f"`python -m pipeline init {code}`"))
            elif not settings.is_released(code) and not request.draft:
                problems.append(Problem(
                    f"{code} is a language in progress: print a draft with `python -m pipeline "
                    f"build --draft --lang {code}`, or release it by adding it to "
                    "[tool.pipeline] released in pyproject.toml"))
        return codes, problems
    if request.draft:
        return list(available), problems
    return [code for code in available if settings.is_released(code)], problems


def quick_inputs(snapshot: Snapshot, catalog_languages: tuple[str, ...], statement_id: str,
                 codes: tuple[str, ...]) -> dict[str, str]:
    """The hashes of the bytes one edition is printed from: its source, its languages'
    catalogs, the templates, the settings that concern it, the code."""
    settings = snapshot.project.settings
    return {
        "source": snapshot.sources[statement_id].digest,
        **{f"catalog {code}": snapshot.catalogs[code].digest for code in codes},
        "templates": snapshot.look,
        "mapping": snapshot.mapping.digest if snapshot.mapping else "",
        "settings": short_hash([settings.formatting_locale(c) for c in codes], settings.bilingual,
                               alternates_languages(settings, catalog_languages)),
        "toolchain": toolchain(),
    }


def alternates_languages(settings: Settings, available: tuple[str, ...]) -> list[str]:
    """The languages a released edition links to: every released language with a catalog."""
    return [code for code in sorted(available) if settings.is_released(code)]


def quick_hash(state_inputs: dict[str, str], target: Target, options: PrintOptions) -> str:
    return short_hash(state_inputs, target.variant, target.draft, dataclasses.asdict(options))


def alternates_for(statement: Statement, codes: list[str], current: str, settings: Settings,
                   draft: bool = False) -> tuple[Alternate, ...]:
    found = []
    for code in sorted(codes):
        edition_language = language(code, settings.formatting_locale(code))
        href = f"{statement.id}.{code}.html"
        if draft and code != current:  # from drafts/<id>/ to the released editions in <id>/
            href = f"../../{statement.id}/{href}"
        found.append(Alternate(code, edition_language.tag, edition_language.name, href,
                               current=code == current))
    return tuple(found) if len(found) > 1 else ()


def make_plan(inputs: Inputs, request: Request, recorded: dict[Target, EditionState],
              intact: set[Target]) -> Plan:
    """Every edition the request gives, and what to do with each. ``recorded`` are the states in
    ``output/``; ``intact`` the editions whose files still have the bytes their state records."""
    return _Planner(inputs, request, recorded, intact).plan()


Printed = dict[str, tuple[Language, str, bool]]
"""The languages a statement is printed in: code -> language, catalog version, draft."""


class _Planner:
    """``make_plan``'s working state: one pass over the statements, nothing written."""

    def __init__(self, inputs: Inputs, request: Request, recorded: dict[Target, EditionState],
                 intact: set[Target]):
        self.inputs, self.request, self.recorded, self.intact = inputs, request, recorded, intact
        self.settings = inputs.settings
        self.result = Plan()
        self.released_links = alternates_languages(self.settings, inputs.catalog_languages)
        self.common = [inputs.snapshot.look, toolchain(), dataclasses.asdict(request.options)]
        self.words = {page: inputs.words_of(page) for page in (EDITION_TEMPLATE, BILINGUAL_TEMPLATE)}

    def plan(self) -> Plan:
        codes, problems = requested_languages(self.settings, self.inputs.catalog_languages,
                                              self.request)
        if problems:
            raise PipelineError.of(problems)
        for statement in self.inputs.statements.values():
            self.plan_statement(statement, codes)
        if self.request.everything:
            given = {e.target for e in self.result.editions}
            self.result.obsolete = sorted(target for target in self.recorded if target not in given
                                          and not _kept(target, self.inputs, self.settings))
        return self.result

    def plan_statement(self, statement: Statement, codes: list[str]) -> None:
        """A statement's editions: each language's, then the bilingual one."""
        messages = edition_messages(statement, self.words[EDITION_TEMPLATE])
        version = source_version(statement)
        own = edition_messages(statement, [])  # what the colophon's translation version covers
        printed = self.languages_of(statement, messages, own, codes)
        for code, (edition_language, catalog_version, draft) in printed.items():
            links = self.released_links if not draft else sorted({*self.released_links, code})
            self.schedule(Target(statement.id, code, draft), statement, (edition_language,),
                          messages, Provenance(version, catalog_version),
                          alternates_for(statement, links, code, self.settings, draft))
        pair = bilingual_pair(self.settings, printed)
        wanted = [code for code in self.settings.bilingual if code in codes]
        if pair is None and len(wanted) == 2:
            if missing := [code for code in wanted if code not in printed]:
                self.result.notes.append(f"{statement.id}.{BILINGUAL}: not printed while "
                                         f"{' and '.join(missing)} is not")
        if pair is not None:
            self.plan_bilingual(statement, pair, printed, version)

    def plan_bilingual(self, statement: Statement, pair: tuple[str, str], printed: Printed,
                       version: str) -> None:
        """The bilingual edition, from its own template's words: a word only it shows must be
        translated for it to be released, and never stops the single-language editions."""
        messages = edition_messages(statement, self.words[BILINGUAL_TEMPLATE])
        versions, draft = [], False
        for code in pair:
            edition_language, _, side_draft = printed[code]
            catalog = self.inputs.catalogs[code]
            status = check_edition(catalog, self.inputs.snapshot.catalogs[code].name, code,
                                   edition_language.script, needed(messages, code))
            if not side_draft and not status.releasable:
                if not self.request.draft:
                    self.result.refused.append(refusal(Target(statement.id, BILINGUAL),
                                                       statement, status))
                    return
                side_draft = True
            draft = draft or side_draft
            versions.append(printed[code][1])
        self.schedule(Target(statement.id, BILINGUAL, draft), statement,
                      tuple(printed[code][0] for code in pair), messages,
                      Provenance(version, short_hash(*versions), tuple(versions)), ())

    def languages_of(self, statement: Statement, messages: list[EditionMessage],
                     own: list[EditionMessage], codes: list[str]) -> Printed:
        """The languages the statement is printed in (released, or drafts when asked); a
        released language that is not ready is refused, with its problems."""
        printed: Printed = {}
        for code in codes:
            catalog = self.inputs.catalogs.get(code)
            if catalog is None:
                continue  # its catalog could not be read: reported once, with its problems
            edition_language = language(code, self.settings.formatting_locale(code))
            status = check_edition(catalog, self.inputs.snapshot.catalogs[code].name, code,
                                   edition_language.script, needed(messages, code))
            self.result.statuses[(statement.id, code)] = status
            catalog_version = translation_version(catalog, own, code)
            if self.settings.is_released(code) and status.releasable:
                printed[code] = (edition_language, catalog_version, False)
            elif self.request.draft:
                printed[code] = (edition_language, catalog_version, True)
            else:
                self.result.refused.append(refusal(Target(statement.id, code), statement, status))
        return printed

    def schedule(self, target: Target, statement: Statement, langs: tuple[Language, ...],
                 messages: list[EditionMessage], provenance: Provenance,
                 alternates: tuple[Alternate, ...]) -> None:
        """One edition: its fingerprint, the state it will be recorded with, and whether the
        one in ``output/`` already is what it would print."""
        request = self.request
        state_inputs = quick_inputs(self.inputs.snapshot, self.inputs.catalog_languages,
                                    statement.id, tuple(lang.code for lang in langs))
        used = [translations_used(self.inputs.catalogs[lang.code], messages, lang.code)
                for lang in langs]  # the templates' words too, which the colophon's code omits
        fingerprint = short_hash(self.common, target.variant, target.draft,
                                 [str(lang.locale) for lang in langs], provenance, used,
                                 [dataclasses.asdict(a) for a in alternates],
                                 self.settings.bilingual)
        state = EditionState(
            statement=statement.id, variant=target.variant, draft=target.draft,
            options=request.options, languages=tuple(lang.code for lang in langs),
            locales=tuple(str(lang.locale) for lang in langs), inputs=state_inputs,
            quick=quick_hash(state_inputs, target, request.options), fingerprint=fingerprint,
            source_version=provenance.source_version,
            catalog_version=provenance.catalog_version, pages=0,
            date=statement.date.isoformat(), source_language=statement.language)
        previous = self.recorded.get(target)
        fresh = (not request.force and previous is not None and target in self.intact
                 and previous.fingerprint == fingerprint)
        self.result.editions.append(EditionPlan(target, statement, langs, tuple(messages),
                                                provenance, alternates, request.options, state,
                                                fresh))


def _kept(target: Target, inputs: Inputs, settings: Settings) -> bool:
    """A previous edition stays while its language is refused (the last good one) or its
    statement or catalog cannot be read, and a draft stays while its language is still not
    released; what no input gives any more goes."""
    snapshot = inputs.snapshot
    if target.statement_id in snapshot.unreadable_sources or (
            target.statement_id in snapshot.sources and target.statement_id not in inputs.statements):
        return True  # it cannot be read now: its editions are kept until it can
    languages = settings.bilingual if target.variant == BILINGUAL else (target.variant,)
    if target.statement_id in snapshot.sources and all(
            code in inputs.catalog_languages for code in languages) and any(
            code not in inputs.catalogs for code in languages):
        return True  # a catalog cannot be read now
    return kept_by_name(target, set(snapshot.sources), inputs.catalog_languages, settings)


def kept_by_name(target: Target, statement_ids: set[str], catalog_languages: tuple[str, ...],
                 settings: Settings) -> bool:
    """Whether the inputs still give an edition that a build does not print now, judged by names
    alone: its statement and catalogs exist, and it is a released language's edition (kept while
    refused) or an in-progress language's draft."""
    languages = settings.bilingual if target.variant == BILINGUAL else (target.variant,)
    if target.statement_id not in statement_ids or not languages \
            or any(code not in catalog_languages for code in languages):
        return False
    if target.draft:
        return any(not settings.is_released(code) for code in languages)
    return all(settings.is_released(code) for code in languages)


def expected_targets(settings: Settings, statement_ids: list[str], codes: list[str],
                     draft: bool) -> list[tuple[Target, ...]]:
    """The editions a build gives, by names alone, for the check that decides nothing changed:
    each is a choice of targets (a release, or with --draft its draft) one of which must be up
    to date."""
    expected: list[tuple[Target, ...]] = []
    for statement_id in statement_ids:
        for code in codes:
            release = Target(statement_id, code)
            if settings.is_released(code):
                expected.append((release, Target(statement_id, code, True)) if draft else (release,))
            elif draft:
                expected.append((Target(statement_id, code, True),))
        if len(settings.bilingual) == 2 and all(code in codes for code in settings.bilingual):
            release = Target(statement_id, BILINGUAL)
            if all(settings.is_released(code) for code in settings.bilingual):
                expected.append((release, Target(statement_id, BILINGUAL, True)) if draft
                                else (release,))
            elif draft:
                expected.append((Target(statement_id, BILINGUAL, True),))
    return expected


def bilingual_pair(settings: Settings, printed: dict[str, tuple[Language, str, bool]]
                   ) -> tuple[str, str] | None:
    """The two languages of the bilingual edition, left then right, when both are printed (a
    right-to-left language goes on the right)."""
    if len(settings.bilingual) != 2 or not all(code in printed for code in settings.bilingual):
        return None
    first, second = settings.bilingual
    if printed[first][0].direction == "rtl" and printed[second][0].direction == "ltr":
        first, second = second, first
    return first, second

"""Deciding what a build does, without doing any of it: which editions each statement gets, in
which languages, released or as drafts, which are refused and why, which are already what their
inputs give, and which files in ``output/`` no input gives any more.

Everything here is a pure function of the run's inputs (the snapshot, what was parsed from it,
the request) and of the states recorded in ``output/``; it writes nothing and renders nothing.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from .errors import PipelineError, Problem
from .identifiers import language_problem
from .model import BILINGUAL, Alternate, PrintOptions, Provenance, Target
from .project import BILINGUAL_TEMPLATE, EDITION_TEMPLATE
from .settings import Settings
from .snapshot import Snapshot, short_hash
from .state import NOTHING_PUBLISHED, EditionState, Published, Refusals, Translations

if TYPE_CHECKING:  # phase two's vocabulary: imported where it is used, so that phase one, which
    # decides from bytes alone, loads no parser (YAML, Markdown, CLDR)
    from .catalogs.checks import Needed, Status
    from .catalogs.pofile import PoCatalog
    from .language import Language
    from .messages import EditionMessage
    from .parse import Parsed
    from .source import Statement

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
    self_contained: bool = False
    """The editions go into a bundle of their own: they link only the editions it holds."""

    @property
    def everything(self) -> bool:
        """A build of every statement in every language: it also decides what output/ holds."""
        return not self.statement_ids and not self.languages


DEFAULT_REQUEST = Request()
"""Every statement, every released language, released editions only."""


@dataclass(frozen=True)
class EditionPlan:
    """One edition the request gives: everything rendering and printing need, whether the one in
    ``output/`` already is what it would print, and why it is printed when it is not."""

    target: Target
    statement: Statement
    languages: tuple[Language, ...]  # the edition's language, or the bilingual left and right
    messages: tuple[EditionMessage, ...]
    provenance: Provenance
    alternates: tuple[Alternate, ...]
    options: PrintOptions
    state: EditionState  # what will be recorded once it is printed (pages and files filled in)
    up_to_date: bool
    reason: str = ""  # why it is printed: "first print", "its source changed", ...
    index: str | None = None
    """The index's address from this edition's folder (none in a bundle of its own)."""
    pdf: str = ""
    """Its own PDF's address from its HTML: beside it, or in a bundle of its own (the PDFs at the
    top, the HTML below ``html/<id>/``) two folders up."""
    bilingual: str | None = None
    """The bilingual edition's address from this one's folder, when ``output/`` holds it once
    the build is done (a single-language edition links it); ``None`` otherwise."""
    printed: EditionState | None = None
    """Its state as ``output/`` holds it, its files as recorded (none with ``--force``): a
    reprint takes its share image from there when it would draw the same (``EditionState.card``)."""

    @property
    def draft(self) -> bool:
        return self.target.draft


@dataclass(frozen=True)
class Removal:
    """Files of an edition that no input gives any more, and why."""

    target: Target
    reason: str


@dataclass
class Plan:
    """What a build does, decided before anything is done: the editions to print (with their
    reasons) or found up to date, those refused, those kept from an earlier build while they
    are refused, the files to remove, and whether the site is written."""

    editions: list[EditionPlan] = field(default_factory=list)
    refused: list[PipelineError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statuses: dict[tuple[str, str], Status] = field(default_factory=dict)
    kept: list[Target] = field(default_factory=list)
    """Released editions in ``output/`` kept as they are while their language or statement is
    refused (the last good one); listed and linked, and shown as behind."""
    removals: list[Removal] = field(default_factory=list)
    complete: bool = False  # a build of everything: it also removes what no input gives
    unchanged: list[Target] = field(default_factory=list)
    """Editions found up to date from bytes alone, of statements not parsed in this run."""
    behind: list[Target] = field(default_factory=list)
    """The kept editions whose translation is behind the statement's text (not those kept
    because an input cannot be read, or an edition could not be printed)."""

    @property
    def stale(self) -> list[EditionPlan]:
        return [e for e in self.editions if not e.up_to_date]

    @property
    def obsolete(self) -> list[Target]:
        return [removal.target for removal in self.removals]

    def present(self) -> list[Target]:
        """The released editions ``output/`` holds once the plan is carried out, sorted."""
        return sorted({*(e.target for e in self.editions if not e.draft), *self.kept,
                       *(t for t in self.unchanged if not t.draft)})


def source_version(statement: Statement) -> str:
    """A short code for the statement's text, printed in every edition's colophon."""
    from .messages import statement_messages

    messages: list[list[object]] = [[m.context, m.id] for m in statement_messages(statement)]
    messages += [["given", s.value, code, name] for s in statement.signatories
                 for code, name in s.given]
    updated = [statement.updated] if statement.updated else []  # none: the codes as they were
    return short_hash(statement.id, statement.language, statement.date, messages, *updated)


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
        strings = [] if found is None else found.msgstr_plural if found.is_plural else [found.msgstr]
        # an empty entry (as ``update`` adds one) is no translation, as a missing one is
        used.append([list(message.key), None if not any(strings) or found is None else
                     [found.msgstr_plural if found.is_plural else found.msgstr,
                      sorted(found.flags & {"fuzzy"})]])
    return used


def translation_version(catalog: PoCatalog, own: list[EditionMessage], code: str) -> str:
    """The translation version a colophon prints: the translations of the statement's ``own``
    texts (not the templates' words), so that a language's edition and its side of the
    bilingual edition name the same translation by the same code."""
    return short_hash(catalog.plural_expr, translations_used(catalog, own, code))


def needed(messages: list[EditionMessage], code: str) -> list[Needed]:
    from .catalogs.checks import Needed

    return [Needed(m.key, m.source_language, m.reference, m.as_written_in(code) is not None)
            for m in messages]


def refusal(target: Target, statement: Statement, status: Status) -> PipelineError:
    errors = status.errors
    more = [Problem(f"... and {len(errors) - LISTED} more: `python -m pipeline check --lang "
                    f"{status.language}` lists them all", status.file)] if len(errors) > LISTED else []
    return PipelineError.of(
        [Problem(f"{target.name} is not printed: {status.untranslated} untranslated, "
                 f"{status.fuzzy} fuzzy, {len(errors)} problem(s) in its catalog (listed below); "
                 "print a draft with `python -m pipeline build --draft`", statement.file)]
        + errors[:LISTED] + more)


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


# --- the one list of editions ---------------------------------------------------------------------

def languages_of_variant(settings: Settings, variant: str) -> tuple[str, ...]:
    return settings.bilingual if variant == BILINGUAL else (variant,)


def editions_by_name(settings: Settings, statement_ids: list[str], codes: list[str],
                     draft: bool) -> list[tuple[Target, ...]]:
    """The editions a request gives, by names alone: each is a choice of targets (a release, or
    with --draft its draft) one of which it prints. Both phases of the freshness rule read it."""
    expected: list[tuple[Target, ...]] = []
    for statement_id in statement_ids:
        variants = [*codes]
        if len(settings.bilingual) == 2 and all(code in codes for code in settings.bilingual):
            variants.append(BILINGUAL)
        for variant in variants:
            release = Target(statement_id, variant)
            if all(settings.is_released(c) for c in languages_of_variant(settings, variant)):
                expected.append((release, Target(statement_id, variant, True)) if draft
                                else (release,))
            elif draft:
                expected.append((Target(statement_id, variant, True),))
    return expected


expected_targets = editions_by_name


# --- the freshness rule, phase one: by bytes alone --------------------------------------------------

def key_digest(key: tuple[str | None, str]) -> str:
    return short_hash(list(key))


def translations_of(catalog: PoCatalog, digest: str) -> Translations:
    """What a plan reads of a catalog (``digest``: its bytes' hash), entry by entry: each active
    entry's texts and flags, not its comments or lines."""
    return Translations(digest, catalog.plural_expr, {
        key_digest(entry.key): short_hash(entry.msgid_plural, entry.msgstr, entry.msgstr_plural,
                                          sorted(entry.flags)) for entry in catalog.entries})


def translations_digest(translations: Translations | None, keys: tuple[str, ...]) -> str:
    """One hash of the entries of ``keys`` (an edition's messages) in a catalog: equal means the
    edition's translations, their state and their problems are the same (wherever the entries
    moved in the file, whatever else changed in it). Empty for a catalog that cannot be read."""
    if translations is None:
        return ""
    return short_hash(translations.plural, [translations.entries.get(key) for key in keys])


def input_digests(snapshot: Snapshot, catalog_languages: tuple[str, ...], statement_id: str,
                 codes: tuple[str, ...], translations: dict[str, str],
                 settings_digests: dict[tuple[str, ...], str] | None = None) -> dict[str, str]:
    """The hashes of the bytes one edition is printed from: its source, its languages'
    catalogs, the templates, the settings that concern it, the code; and of the translations it
    shows (``translations``, by language: see ``translations_digest``). ``settings_digests``:
    the settings' hash by languages, as a run of many editions found it (filled in here)."""
    settings = snapshot.project.settings
    found = settings_digests.get(codes) if settings_digests is not None else None
    if found is None:
        found = short_hash([settings.formatting_locale(c) for c in codes], settings.bilingual,
                           alternates_languages(settings, catalog_languages),
                           *([settings.site_url] if settings.site_url else []))
        if settings_digests is not None:
            settings_digests[codes] = found
    return {
        "source": snapshot.sources[statement_id].digest,
        **{f"catalog {code}": snapshot.catalogs[code].digest for code in codes},
        **{f"translations {code}": translations[code] for code in codes},
        "templates": snapshot.templates_digest,
        "mapping": snapshot.mapping.digest if snapshot.mapping else "",
        "settings": found,
        "toolchain": snapshot.toolchain,
    }


def inputs_hash(state_inputs: dict[str, str], target: Target, options: PrintOptions) -> str:
    """The inputs but the catalogs' bytes (an edition depends on its own translations, not on
    the rest of the file), with the request."""
    return short_hash({name: value for name, value in state_inputs.items()
                       if not name.startswith("catalog ")},
                      target.variant, target.draft, options_record(options))


@functools.lru_cache(maxsize=16)
def options_record(options: PrintOptions) -> dict[str, object]:
    """The options as a state records them (asked once per edition: made once; never changed)."""
    return dataclasses.asdict(options)


@dataclass(frozen=True)
class QuickCheck:
    """What phase one found: why a full plan is needed (nothing: every edition is up to date),
    and which statements it must parse and plan (None: every one); or, when what it found stale
    is only what the last full plan refused from these very inputs, that plan's refusals, to be
    said again (``replayed``: then nothing is parsed, planned or written)."""

    reasons: list[str]
    statements: set[str] | None
    replayed: Refusals | None = None

    @property
    def up_to_date(self) -> bool:
        return not self.reasons


def quick_check(snapshot: Snapshot, available: tuple[str, ...], codes: list[str],
                request: Request, published: Published, site_current: Callable[[], bool],
                translations: dict[str, Translations | None],
                refusals: Refusals | None = None) -> QuickCheck:
    """Phase one of the freshness rule, from the inputs' bytes and ``output/``'s alone, no
    statement parsed: every edition the request gives is in ``output/``, intact and printed from
    these very bytes and translations (``translations``: each catalog's entries, see
    ``translations_of``), nothing is to remove, and the site is current; or else why not, and
    which statements the full plan must look at. ``refusals``: what the last full plan refused
    (``refusals_of``), replayed when it was made from these very inputs and request and
    ``output/`` holds what it left (``replays``)."""
    settings = snapshot.project.settings
    if request.force:
        return QuickCheck(["--force"], None)
    if snapshot.unreadable_sources:
        return QuickCheck(["a statement cannot be read"], None)
    reasons, stale = [], set()
    stale_targets, matched = set(), set()
    settings_digests: dict[tuple[str, ...], str] = {}
    for choices in editions_by_name(settings, list(snapshot.sources), codes, request.draft):
        target = choices[0]
        if any(code not in snapshot.catalogs
               for code in languages_of_variant(settings, target.variant)):
            return QuickCheck([f"{target.name}: a catalog cannot be read"], None)
        languages = languages_of_variant(settings, target.variant)
        found = next((choice for choice in choices
                      if (state := published.fresh(choice)) is not None
                      and state.inputs_hash == inputs_hash(input_digests(
                          snapshot, available, target.statement_id, languages,
                          {code: translations_digest(translations.get(code), state.keys)
                           for code in languages}, settings_digests), choice, request.options)),
                     None)
        if found is None:
            reasons.append(f"{target.name}: its inputs changed or its files are not as printed")
            stale.add(target.statement_id)
            stale_targets.add(target)
        else:
            matched.add(found)
    given_up = False
    if request.everything:
        expected = {t for choices in editions_by_name(settings, list(snapshot.sources), codes,
                                                      request.draft) for t in choices}
        given_up = any(target not in expected and not kept_by_name(target, set(snapshot.sources),
                                                                   available, settings)
                       for target in published.states)
    if (reasons or given_up) and refusals is not None \
            and replays(refusals, plan_key(snapshot, available, request), stale_targets,
                        matched, published) and site_current():
        return QuickCheck([*reasons, *(["an edition in output/ is no longer given"]
                                       if given_up else [])], set(), refusals)
    if given_up:
        return QuickCheck([*reasons, "an edition in output/ is no longer given"], None)
    if not reasons and not site_current():
        reasons.append("the index or assets are not current")
    return QuickCheck(reasons, stale)


def plan_key(snapshot: Snapshot, available: tuple[str, ...], request: Request) -> str:
    """One hash of everything a full plan reads but ``output/``: every input's bytes (the
    toolchain's too), the languages with a catalog, and the request (``--force`` aside: it
    reprints, it decides nothing else). Whether a plan of these very inputs was made is asked
    with it: to say its refusals again (``Refusals.key``), and to start no worker early
    (``PublishedDigests.plans``)."""
    return short_hash(snapshot.inputs_digest, sorted(available),
                      repr(dataclasses.replace(request, force=False)))


def refusals_of(plan: Plan, key: str, expected: list[Target],
                published: Published) -> Refusals | None:
    """What the next build needs to say this plan's refusals again without planning (see
    ``Refusals``); ``expected``: the editions the request gives by name (phase one's list),
    ``published``: what ``output/`` holds once the plan is carried out. None when it withheld
    nothing."""
    given = {e.target for e in plan.editions} | set(plan.unchanged)
    withheld = tuple(t for t in expected if t not in given)
    if not withheld and not plan.refused:
        return None
    removed = set(plan.obsolete)
    return Refusals(key, withheld, tuple(tuple(error.problems) for error in plan.refused),
                    tuple(plan.notes), tuple(plan.kept), tuple(plan.behind),
                    {t: (state.content_hash, t in published.intact)
                     for t, state in sorted(published.states.items())
                     if t not in given and t not in removed})


def records_refusals(request: Request) -> bool:
    """Whether a build of this request records its plan's refusals, and replays them: a build of
    everything in the released languages (``make``, ``watch``); never a draft build (it prints
    drafts instead of refusing), one of some statements or languages, or a bundle's (``dist``:
    printed afresh in a folder of its own)."""
    return request.everything and not request.draft and not request.self_contained


def replayed_plan(refusals: Refusals, expected: list[Target], request: Request) -> Plan:
    """The plan phase one says again (``QuickCheck.replayed``): the editions it found up to date
    (``expected`` but those the last full plan withheld), and that plan's refusals, notes, kept
    editions and those behind. It holds no statuses: nothing was checked again."""
    withheld = set(refusals.withheld)
    return Plan(refused=[PipelineError.of(list(problems)) for problems in refusals.refused],
                notes=list(refusals.notes), kept=list(refusals.kept),
                complete=request.everything, behind=list(refusals.behind),
                unchanged=sorted(t for t in expected if t not in withheld))


def replays(refusals: Refusals, key: str, stale: set[Target], matched: set[Target],
            published: Published) -> bool:
    """Whether a full plan now would decide what ``refusals`` records: it was made from these
    very inputs and request (``key``), what phase one finds stale (``stale``) is exactly what
    it withheld, and ``output/`` holds, besides the editions phase one finds up to date
    (``matched``), exactly what it left there (each edition's state and whether its files are
    intact: a kept edition damaged or removed since is planned in full)."""
    return (refusals.key == key and stale == set(refusals.withheld)
            and not matched & set(refusals.left)
            and all(t in matched or refusals.left.get(t) == (state.content_hash,
                                                                 t in published.intact)
                    for t, state in published.states.items())
            and all(t in published.states for t in refusals.left))


def up_to_date_by_name(snapshot: Snapshot, codes: list[str], request: Request,
                       published: Published) -> list[Target]:
    """The editions the quick check found up to date."""
    found = []
    for choices in editions_by_name(snapshot.project.settings, list(snapshot.sources), codes,
                                    request.draft):
        found.append(next((c for c in choices if published.fresh(c) is not None), choices[0]))
    return found


# --- the freshness rule, phase two: in full ---------------------------------------------------------

def alternates_languages(settings: Settings, available: tuple[str, ...]) -> list[str]:
    """The languages a released edition may link to: every released language with a catalog."""
    return [code for code in sorted(available) if settings.is_released(code)]


def alternates_for(statement: Statement, codes: list[str], current: str,
                   languages: dict[str, Language], draft: bool = False) -> tuple[Alternate, ...]:
    found = []
    for code in sorted(codes):
        edition_language = languages[code]
        href = f"{statement.id}.{code}.html"
        if draft and code != current:  # from drafts/<id>/ to the released editions in <id>/
            href = f"../../{statement.id}/{href}"
        found.append(Alternate(code, edition_language.tag, edition_language.name, href,
                               current=code == current))
    return tuple(found) if len(found) > 1 else ()


def make_plan(parsed: Parsed, request: Request, published: Published = NOTHING_PUBLISHED,
              failed: frozenset[Target] = frozenset(),
              unchanged: frozenset[Target] = frozenset(),
              translations: dict[str, Translations | None] | None = None) -> Plan:
    """Every edition the request gives, and what to do with each. ``published`` is what
    ``output/`` holds; ``failed`` the editions this run could not print (a page links only
    what is there once the build is done); ``unchanged`` the editions phase one found up to
    date, of statements that were not parsed; ``translations`` the catalogs' entries as phase
    one read them (``translations_of``; one whose digest is not the parsed catalog's bytes' is
    read again). Pure: it opens no file and changes no state."""
    return _Planner(parsed, request, published, failed, unchanged, translations or {}).plan()


Chosen: TypeAlias = "dict[str, tuple[Language, str, bool]]"
"""The languages a statement is printed in (chosen by the plan): code -> language, catalog
version, draft."""


class _Planner:
    """``make_plan``'s working state: one pass over the statements, nothing written."""

    def __init__(self, parsed: Parsed, request: Request, published: Published,
                 failed: frozenset[Target], unchanged: frozenset[Target],
                 translations: dict[str, Translations | None]):
        self.parsed, self.request, self.published, self.failed = parsed, request, published, failed
        self.unchanged = unchanged
        self.untranslated: set[Target] = set()  # released editions refused for their translation
        self.settings = parsed.settings
        self.result = Plan(complete=request.everything)
        self.common = [parsed.snapshot.templates_digest, parsed.snapshot.toolchain,
                       dataclasses.asdict(request.options)]
        self.settings_digests: dict[tuple[str, ...], str] = {}
        self.catalog_entries: dict[str, Translations] = {
            code: found for code, found in translations.items() if found is not None
            and code in parsed.snapshot.catalogs
            and found.digest == parsed.snapshot.catalogs[code].digest}

    def plan(self) -> Plan:
        codes, problems = requested_languages(self.settings, self.parsed.catalog_languages,
                                              self.request)
        if problems:
            raise PipelineError.of(problems)
        for statement in self.parsed.statements.values():
            self.plan_statement(statement, codes)
        if self.settings.site_url is None and any(not e.target.draft for e in self.result.editions):
            self.result.notes.append(
                "pyproject.toml: no site-url in [tool.pipeline]: the web pages name no canonical "
                "address, language alternates or share image, which other sites read only as "
                "absolute addresses; set site-url to where output/ is published to give them")
        self.result.unchanged = sorted(self.unchanged)
        self.result.kept = sorted(
            target for target, state in self.published.states.items()
            if not target.draft and target in self.published.intact
            and target not in {e.target for e in self.result.editions}
            and target not in self.unchanged and self.in_scope(target, codes)
            and self.kept(target))
        self.result.behind = [t for t in self.result.kept if t in self.untranslated]
        if self.request.everything:
            given = {e.target for e in self.result.editions} | self.unchanged
            for target in sorted(self.published.states):
                if target not in given and not self.kept(target):
                    self.result.removals.append(Removal(target, self.why_removed(target)))
        return self.result

    def plan_statement(self, statement: Statement, codes: list[str]) -> None:
        """A statement's editions: each language's, then the bilingual one."""
        from .messages import edition_messages

        messages = edition_messages(statement, list(self.parsed.words[EDITION_TEMPLATE]))
        version = source_version(statement)
        own = edition_messages(statement, [])  # what the colophon's translation version covers
        printed = self.languages_of(statement, messages, own, codes)
        linked = self.linked_languages(statement, printed)
        pair = bilingual_pair(self.settings, printed)
        bilingual = self.bilingual_choice(statement, pair, printed) if pair is not None else None
        has_bilingual = self.bilingual_linked(statement, bilingual)
        for code, (edition_language, catalog_version, draft) in printed.items():
            links = linked if not draft else sorted({*linked, code})
            href = f"{statement.id}.{BILINGUAL}.html"
            self.schedule(Target(statement.id, code, draft), statement, (edition_language,),
                          messages, Provenance(version, catalog_version),
                          alternates_for(statement, links, code, self.parsed.languages, draft),
                          (f"../../{statement.id}/{href}" if draft else href)
                          if has_bilingual else None)
        wanted = [code for code in self.settings.bilingual if code in codes]
        if pair is None and len(wanted) == 2:
            if missing := [code for code in wanted if code not in printed]:
                if any(Target(statement.id, code) in self.untranslated for code in missing):
                    self.untranslated.add(Target(statement.id, BILINGUAL))
                self.result.notes.append(f"{statement.id}.{BILINGUAL}: not printed while "
                                         f"{' and '.join(missing)} is not")
        if pair is not None and bilingual is not None:
            bilingual_messages, draft = bilingual
            versions = [printed[code][1] for code in pair]
            sides = []  # each side's own edition, where output/ holds it once the build is done
            for code in pair:
                edition_language, _, side_draft = printed[code]
                href = f"{statement.id}.{code}.html"
                if draft and not side_draft:  # from drafts/<id>/ to the released edition in <id>/
                    href = f"../../{statement.id}/{href}"
                if side_draft or code in linked:
                    sides.append(Alternate(code, edition_language.tag, edition_language.name, href))
            self.schedule(Target(statement.id, BILINGUAL, draft), statement,
                          tuple(printed[code][0] for code in pair), bilingual_messages,
                          Provenance(version, short_hash(*versions), tuple(versions)), tuple(sides))

    def linked_languages(self, statement: Statement, printed: Chosen) -> list[str]:
        """The languages whose released edition of the statement is in ``output/`` once the
        build is done: printed now, or kept from an earlier build while it is refused."""
        linked = []
        for code in alternates_languages(self.settings, self.parsed.catalog_languages):
            if self.request.self_contained and self.request.languages \
                    and code not in self.request.languages:
                continue
            target = Target(statement.id, code)
            if target in self.failed:
                if self.published.fresh(target) is not None:
                    linked.append(code)  # the last good edition stays
                continue
            if (code in printed and not printed[code][2]) or (
                    self.published.fresh(target) is not None and self.kept(target)):
                linked.append(code)
        return linked

    def bilingual_linked(self, statement: Statement,
                         chosen: tuple[list[EditionMessage], bool] | None) -> bool:
        """Whether the released bilingual edition is in ``output/`` once the build is done (as
        ``linked_languages`` decides for the languages): printed now, or kept from an earlier
        build while it is refused; in a bundle of its own, only when it is printed now."""
        target = Target(statement.id, BILINGUAL)
        if chosen is not None and not chosen[1] and target not in self.failed:
            return True
        if self.request.self_contained:
            return False
        if target in self.failed:
            return self.published.fresh(target) is not None
        return self.published.fresh(target) is not None and self.kept(target)

    def bilingual_choice(self, statement: Statement, pair: tuple[str, str], printed: Chosen
                         ) -> tuple[list[EditionMessage], bool] | None:
        """The bilingual edition's messages, from its own template's words, and whether it is a
        draft; ``None`` when it is refused: a word only it shows must be translated for it to be
        released, and never stops the single-language editions."""
        from .catalogs.checks import check_edition
        from .messages import edition_messages

        messages = edition_messages(statement, list(self.parsed.words[BILINGUAL_TEMPLATE]))
        draft = False
        for code in pair:
            edition_language, _, side_draft = printed[code]
            catalog = self.parsed.catalogs[code]
            status = check_edition(catalog, self.parsed.catalog_name(code), code,
                                   edition_language.script, needed(messages, code))
            if not side_draft and not status.releasable:
                self.untranslated.add(Target(statement.id, BILINGUAL))
                if not self.request.draft:
                    self.result.refused.append(refusal(Target(statement.id, BILINGUAL),
                                                       statement, status))
                    return None
                side_draft = True  # the released bilingual edition, if kept, is behind
            draft = draft or side_draft
        return messages, draft

    def languages_of(self, statement: Statement, messages: list[EditionMessage],
                     own: list[EditionMessage], codes: list[str]) -> Chosen:
        """The languages the statement is printed in (released, or drafts when asked); a
        released language that is not ready is refused, with its problems."""
        from .catalogs.checks import check_edition

        printed: Chosen = {}
        for code in codes:
            catalog = self.parsed.catalogs.get(code)
            if catalog is None:
                continue  # its catalog could not be read: reported once, with its problems
            edition_language = self.parsed.languages[code]
            status = check_edition(catalog, self.parsed.catalog_name(code), code,
                                   edition_language.script, needed(messages, code))
            self.result.statuses[(statement.id, code)] = status
            catalog_version = translation_version(catalog, own, code)
            if self.settings.is_released(code) and status.releasable:
                printed[code] = (edition_language, catalog_version, False)
            elif self.request.draft:
                printed[code] = (edition_language, catalog_version, True)
                if self.settings.is_released(code):  # its released edition, if kept, is behind
                    self.untranslated.add(Target(statement.id, code))
            else:
                self.result.refused.append(refusal(Target(statement.id, code), statement, status))
                self.untranslated.add(Target(statement.id, code))
        return printed

    def schedule(self, target: Target, statement: Statement, langs: tuple[Language, ...],
                 messages: list[EditionMessage], provenance: Provenance,
                 alternates: tuple[Alternate, ...], bilingual: str | None = None) -> None:
        """One edition: its content_hash, the state it will be recorded with, and whether the
        one in ``output/`` already is what it would print (and if not, why not)."""
        if target in self.failed:
            return  # it could not be printed in this run: its last good edition stays
        request = self.request
        keys = tuple(key_digest(message.key) for message in messages)
        state_inputs = input_digests(self.parsed.snapshot, self.parsed.catalog_languages,
                                    statement.id, tuple(lang.code for lang in langs),
                                    {lang.code: translations_digest(self.translations(lang.code),
                                                                    keys) for lang in langs},
                                    self.settings_digests)
        used = [translations_used(self.parsed.catalogs[lang.code], messages, lang.code)
                for lang in langs]  # the templates' words too, which the colophon's code omits
        content_hash = short_hash(self.common, target.variant, target.draft,
                                 [str(lang.locale) for lang in langs], provenance, used,
                                 [dataclasses.asdict(a) for a in alternates],
                                 self.settings.bilingual,
                                 *([bilingual, self.settings.site_url]
                                   if bilingual or self.settings.site_url else []))
        state = EditionState(
            statement=statement.id, variant=target.variant, draft=target.draft,
            options=request.options, languages=tuple(lang.code for lang in langs),
            locales=tuple(str(lang.locale) for lang in langs), inputs=state_inputs,
            inputs_hash=inputs_hash(state_inputs, target, request.options), content_hash=content_hash,
            source_version=provenance.source_version,
            catalog_version=provenance.catalog_version, pages=0,
            date=statement.date.isoformat(), source_language=statement.language,
            updated=statement.updated.isoformat() if statement.updated else "", keys=keys)
        reason = self.why_printed(target, state)
        self.result.editions.append(EditionPlan(target, statement, langs, tuple(messages),
                                                provenance, alternates, request.options, state,
                                                not reason, reason,
                                                None if request.self_contained else
                                                "../../index.html" if target.draft
                                                else "../index.html",
                                                f"../../{target.name}.pdf"
                                                if request.self_contained
                                                else f"{target.name}.pdf", bilingual,
                                                None if request.force
                                                else self.published.fresh(target)))

    def translations(self, code: str) -> Translations:
        """The entries of a parsed catalog as ``translations_digest`` reads them (once each)."""
        if code not in self.catalog_entries:
            self.catalog_entries[code] = translations_of(self.parsed.catalogs[code],
                                                         self.parsed.snapshot.catalogs[code].digest)
        return self.catalog_entries[code]

    def why_printed(self, target: Target, state: EditionState) -> str:
        """Why the edition is printed; empty when ``output/`` holds it as it would print."""
        previous = self.published.states.get(target)
        if self.request.force:
            return "--force"
        if previous is None:
            return "first print"
        if target not in self.published.intact:
            return "its files in output/ are not as printed (changed, removed or replaced)"
        if previous.content_hash == state.content_hash:
            return ""
        changed = [name for name, value in state.inputs.items()
                   if previous.inputs.get(name) != value]
        if previous.source_version != state.source_version:
            return "its statement's text changed"
        if previous.catalog_version != state.catalog_version:
            return "its translation changed"
        if previous.options != state.options:
            return (f"it was printed as {describe_options(previous.options)}, "
                    f"now as {describe_options(state.options)}")
        if changed:
            return f"its inputs changed ({', '.join(changed)})"
        return "what it shows changed (links to other editions, or a template word)"

    def in_scope(self, target: Target, codes: list[str]) -> bool:
        """Whether the request is about this edition (its statement and its languages)."""
        return (not self.request.statement_ids or target.statement_id in self.request.statement_ids
                ) and all(code in codes for code in languages_of_variant(self.settings,
                                                                         target.variant))

    def kept(self, target: Target) -> bool:
        """A previous edition stays while its language is refused (the last good one) or its
        statement or catalog cannot be read, and a draft stays while its language is in progress
        or its release is not printed; what no input gives any more goes."""
        snapshot = self.parsed.snapshot
        if target.statement_id in snapshot.unreadable_sources or (
                target.statement_id in snapshot.sources
                and target.statement_id not in self.parsed.statements):
            return True  # it cannot be read now: its editions are kept until it can
        languages = languages_of_variant(self.settings, target.variant)
        if target.statement_id in snapshot.sources and all(
                code in self.parsed.catalog_languages for code in languages) and any(
                code in snapshot.catalogs and code not in self.parsed.catalogs
                for code in languages):
            return True  # a catalog cannot be read now
        if target.draft and target.statement_id in snapshot.sources and all(
                code in self.parsed.catalog_languages for code in languages):
            release = Target(target.statement_id, target.variant)
            if not any(e.target == release for e in self.result.editions):
                return True  # a draft of a release that is not printed stays
        return kept_by_name(target, set(snapshot.sources), self.parsed.catalog_languages,
                            self.settings)

    def why_removed(self, target: Target) -> str:
        languages = languages_of_variant(self.settings, target.variant)
        if target.statement_id not in self.parsed.snapshot.sources:
            return "its statement was removed from sources/"
        if missing := [c for c in languages if c not in self.parsed.catalog_languages]:
            return f"there is no catalog for {', '.join(missing)} any more"
        if target.draft:
            return "its released edition is printed now"
        if not languages or any(not self.settings.is_released(c) for c in languages):
            return "its language is not released any more"
        return "no input gives it any more"


def kept_by_name(target: Target, statement_ids: set[str], catalog_languages: tuple[str, ...],
                 settings: Settings) -> bool:
    """Whether the inputs still give an edition that a build does not print now, judged by names
    alone: its statement and catalogs exist, and it is a released language's edition (kept while
    refused) or an in-progress language's draft."""
    languages = languages_of_variant(settings, target.variant)
    if target.statement_id not in statement_ids or not languages \
            or any(code not in catalog_languages for code in languages):
        return False
    if target.draft:
        return any(not settings.is_released(code) for code in languages)
    return all(settings.is_released(code) for code in languages)


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


def describe_options(options: PrintOptions) -> str:
    """How a reason names the way an edition is printed: "PDF/X-1a, A4, 5mm bleed"."""
    family, part = options.pdf_variant.removeprefix("pdf/").split("-")  # "x-1a": PDF/X-1a
    bleed = f", {options.bleed} bleed" if options.bleed else ""
    return f"PDF/{family.upper()}-{part}, {options.paper}{bleed}"

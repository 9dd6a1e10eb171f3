"""``check``: how complete and how sound each language's translation is, with every problem said
once, and what in the statements prints literally although it looks like Markdown.

A released language with a problem fails the check; a language in progress (a catalog not in
``released``) is reported as such, with how far it has come, and never fails it: its untranslated
and fuzzy messages are what being in progress means, so they are listed only when the language is
asked for (``--lang fr``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .. import markup
from ..catalogs.checks import Needed, Status, check_edition, unread_entries
from ..catalogs.pofile import Key
from ..errors import PipelineError, Problem
from ..language import Language, language
from ..messages import edition_messages, statement_messages
from ..parse import parse
from ..plan import needed
from ..project import EDITION_TEMPLATE, Project
from ..snapshot import catalog_languages, take
from ..snapshot import statement_ids as all_statements
from ..source import Statement, Text
from ..text import language_problems

BLOCK_CONTEXTS = ("paragraph", "heading")
"""The messages that are body items (block Markdown); the others are inline (titles, names)."""


@dataclass(frozen=True)
class EditionStatus:
    statement: str
    status: Status
    released: bool


@dataclass(frozen=True)
class LanguageStatus:
    """One language over every statement checked: each message counted and each problem listed
    once (a word of the page, an issuer or a name shared by several statements too)."""

    status: Status
    released: bool
    editions: tuple[EditionStatus, ...]
    asked: bool = False  # named with --lang: a language in progress lists all its problems
    unread: tuple[str, ...] = ()  # statements that cannot be read: not counted, not releasable

    @property
    def code(self) -> str:
        return self.status.language

    @property
    def releasable(self) -> bool:
        """Every statement asked for was read, and its translation has no problem: a statement
        that cannot be read has no edition to release, whatever the counts of the others say."""
        return self.status.releasable and not self.unread

    @property
    def failed(self) -> bool:
        return self.released and (bool(self.status.errors) or bool(self.unread))

    @property
    def shown_problems(self) -> list[Problem]:
        """What the report lists: everything for a released language or one asked for; for a
        language in progress, only the problems of the messages already translated."""
        if self.released or self.asked:
            return self.status.problems
        unfinished = set(self.status.unfinished)
        return [p for p in self.status.problems if p not in unfinished]

    @property
    def summary(self) -> str:
        status = self.status
        text = (f"{self.code}: {'released' if self.released else 'in progress'}, "
                f"{status.translated} of {status.total} translated")
        if status.fuzzy or status.untranslated:
            text += f", {status.fuzzy} fuzzy, {status.untranslated} untranslated"
        if self.unread:
            text += f", not counting {', '.join(map(repr, self.unread))}, which cannot be read"
        if self.released and not self.releasable:
            text += " - not releasable"
        elif not self.released and status.unfinished and not self.asked:
            text += f" (`python -m pipeline check --lang {self.code}` lists them)"
        return text


@dataclass
class CheckReport:
    editions: list[EditionStatus]
    unreadable: list[PipelineError]  # statements and catalogs that cannot be read at all
    warnings: list[Problem] = field(default_factory=list)  # what msgfmt only warns about
    languages: list[LanguageStatus] = field(default_factory=list)
    sources: list[Problem] = field(default_factory=list)  # what prints literally, as warnings
    in_progress_files: frozenset[str] = frozenset()  # catalogs of languages in progress

    @property
    def failed(self) -> bool:
        """A statement or a released language's catalog that cannot be read, or a released
        language with a problem; a language in progress never fails the check."""
        unreadable = any(p.file not in self.in_progress_files
                         for error in self.unreadable for p in error.problems)
        return unreadable or any(entry.failed for entry in self.languages)

    def as_json(self) -> dict[str, object]:
        """``check --json``: each language once, with its problems (each once) and its count for
        each statement; the warnings about the statements' literal Markdown."""
        return {
            "languages": [{
                "language": entry.code, "catalog": entry.status.file,
                "released": entry.released, **_counts(entry.status),
                "releasable": entry.releasable, "unread": list(entry.unread),
                "problems": _problems(entry.status.problems),
                "statements": [{"statement": e.statement, **_counts(e.status)}
                               for e in entry.editions],
            } for entry in self.languages],
            "sources": _problems(self.sources),
        }


def _problems(found: list[Problem]) -> list[dict[str, object]]:
    return [{"severity": p.severity, "file": p.file, "line": p.line, "message": p.message}
            for p in found]


def _counts(status: Status) -> dict[str, object]:
    return {"translated": status.translated, "fuzzy": status.fuzzy,
            "untranslated": status.untranslated, "total": status.total,
            "percent": round(status.percent, 1), "releasable": status.releasable}


def check(project: Project, statement_ids: list[str] | None = None,
          languages: list[str] | None = None) -> CheckReport:
    """Each language's status over the statements' editions (the words of its page included),
    in progress or released, and per statement; and the statements' literal Markdown."""
    available = tuple(catalog_languages(project))
    codes = languages or list(available)
    snapshot = take(project, statement_ids, codes)
    parsed = parse(snapshot, available)
    warnings = [replace(p, severity="warning") for c in parsed.catalogs.values()
                for p in c.warnings]
    words = list(parsed.words[EDITION_TEMPLATE])
    settings = project.settings
    messages = {statement_id: edition_messages(statement, words)
                for statement_id, statement in parsed.statements.items()}
    unread = tuple(sorted({*snapshot.sources, *snapshot.unreadable_sources}
                          - set(parsed.statements)))
    # (the statements this check does not look at, which may read an entry these do not)
    others = frozenset() if statement_ids is None else frozenset(
        project.relative(project.source_path(s)) for s in all_statements(project)
        if s not in parsed.statements)
    results: list[EditionStatus] = []
    by_language: list[LanguageStatus] = []
    for code, catalog in parsed.catalogs.items():
        script, digits = parsed.languages[code].script, parsed.languages[code].digits
        file = parsed.catalog_name(code)
        released = settings.is_released(code)
        editions = tuple(EditionStatus(statement_id, check_edition(
            catalog, file, code, script, needed(found, code), digits), released)
            for statement_id, found in messages.items())
        uses: dict[Key, list[Needed]] = {}
        for found in messages.values():
            for item in needed(found, code):
                uses.setdefault(item.key, []).append(item)
        # each message counted once, as the edition that reads its entry needs it, if any
        every = [next((i for i in items if not i.as_written), items[0]) for items in uses.values()]
        overall = check_edition(catalog, file, code, script, every, digits)
        overall.problems.extend(unread_entries(catalog, file, code, uses, others))
        by_language.append(LanguageStatus(overall, released, editions,
                                          asked=languages is not None and code in languages,
                                          unread=unread))
        results += editions
    results.sort(key=lambda e: (e.statement, e.status.language))  # by statement, as before
    in_progress = frozenset(item.name for code, item in snapshot.catalogs.items()
                            if not settings.is_released(code))
    sources = [problem for statement in parsed.statements.values()
               for problem in literal_markdown(
                   statement, snapshot.sources[statement.id].data,
                   parsed.languages.get(statement.language)
                   or language(statement.language, settings.formatting_locale(statement.language)))]
    sources += [problem for statement in parsed.statements.values()
                for problem in signatories_listed_twice(statement)]
    return CheckReport(results, list(parsed.problems), warnings, by_language, sources,
                       in_progress)


def signatories_listed_twice(statement: Statement) -> list[Problem]:
    """A warning at each signatory whose name is one listed before it as a sign-on sheet
    matches names (``signon.match_keys``: case, diacritics, punctuation, Arabic spelling
    variants and "&" for "and" set aside): the editions would print the organisation twice."""
    from ..signon import match_keys

    first: dict[str, Text] = {}
    problems = []
    for signatory in statement.signatories:
        keys = match_keys(signatory.value, [statement.language])
        earlier = next((first[key] for key in sorted(keys) if key in first), None)
        if earlier is not None:
            problems.append(Problem(
                f"the signatory {signatory.value!r} is the one listed as {earlier.value!r} "
                f"(line {earlier.line}): the editions would print it twice: keep one",
                statement.file, signatory.name.line, "warning"))
            continue
        for key in keys:
            first.setdefault(key, signatory.name)
    return problems


def literal_markdown(statement: Statement, data: bytes, written_in: Language) -> list[Problem]:
    """A warning, at its line in the source, for each Markdown-like thing that prints literally
    (``markup.literal_markdown``), and for what the rules of the language it is ``written_in``
    say of its running text (``text.language_problems``), as a translation into it is told."""
    lines = data.decode("utf-8", "replace").splitlines()
    flat = [" ".join(line.split()) for line in lines]
    problems = []
    for message in statement_messages(statement):
        assert isinstance(message.id, str)
        start = message.line
        for found in markup.literal_markdown(
                message.id, inline_only=message.context not in BLOCK_CONTEXTS):
            line = next((n + 1 for n in range(start - 1, min(len(flat), start + 200))
                         if found.found in flat[n]), message.line)
            start = line
            problems.append(Problem(found.message, statement.file, line, "warning"))
        for needle, text in language_problems(message.id, message.context,
                                              digits=written_in.digits, script=written_in.script):
            line = next((n + 1 for n in range(message.line - 1, min(len(flat), message.line + 200))
                         if needle in flat[n]), message.line)
            problems.append(Problem(f"{message.context} {text}", statement.file, line, "warning"))
    return problems

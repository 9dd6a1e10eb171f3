"""The parse stage: a snapshot's bytes in, typed statements, catalogs, template words and
languages out, with every problem located (file and line). It is the only place where an input's
bytes become objects; build, check, update, verify, dist and watch all read through it, and the
planner reads what it returns.

A statement or catalog that cannot be read is a problem of its own and does not stop the others.
What the planner needs besides (CLDR's data, ``catalogs.checks``) is loaded here too: planning what
parse returns opens no file, not even a module's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalogs import checks  # noqa: F401 - the plan's checks, loaded with the parsers
from .catalogs.pofile import PoCatalog, read_catalog
from .errors import PipelineError
from .language import Language, language
from .messages import SourceMessage, template_messages
from .project import BILINGUAL_TEMPLATE, EDITION_TEMPLATE
from .settings import Settings
from .snapshot import Snapshot
from .source import Statement, parse_statement
from .templating import templates_used

PAGES = (EDITION_TEMPLATE, BILINGUAL_TEMPLATE)


@dataclass(frozen=True)
class Parsed:
    """Everything a run's inputs hold, as objects."""

    snapshot: Snapshot
    statements: dict[str, Statement]
    catalogs: dict[str, PoCatalog]
    words: dict[str, tuple[SourceMessage, ...]]
    """The template words each page shows (its own and those of the templates it includes)."""
    languages: dict[str, Language]
    """Every language with a catalog, with the locale its editions are formatted in."""
    catalog_languages: tuple[str, ...]
    """Every language with a catalog in ``locales/``, read in this run or not."""
    problems: tuple[PipelineError, ...]
    """The statements and catalogs that cannot be read, each with its problems."""

    @property
    def settings(self) -> Settings:
        return self.snapshot.project.settings

    def catalog_name(self, code: str) -> str:
        return self.snapshot.catalogs[code].name


def parse(snapshot: Snapshot, catalog_languages: tuple[str, ...] | None = None,
          only: set[str] | None = None, read: dict[str, PoCatalog] | None = None) -> Parsed:
    """Parse the statements of the snapshot (``only`` those, when given), every catalog (those
    in ``read`` were read from the snapshot's bytes already), and the words of the page
    templates."""
    problems: list[PipelineError] = list(snapshot.unreadable_sources.values())
    statements: dict[str, Statement] = {}
    for statement_id, item in snapshot.sources.items():
        if only is not None and statement_id not in only:
            continue
        try:
            statements[statement_id] = parse_statement(item.data, item.name, statement_id)
        except PipelineError as error:
            problems.append(error)
    catalogs: dict[str, PoCatalog] = {}
    for code, item in snapshot.catalogs.items():
        if read is not None and code in read:
            catalogs[code] = read[code]
            continue
        try:
            catalogs[code] = read_catalog(item.data, item.name, code)
        except PipelineError as error:
            problems.append(error)
    available = tuple(catalog_languages if catalog_languages is not None else snapshot.catalogs)
    return Parsed(snapshot, statements, catalogs, page_words(snapshot),
                  languages_of(snapshot.project.settings, tuple({*available, *snapshot.catalogs})),
                  available, tuple(problems))


def page_words(snapshot: Snapshot) -> dict[str, tuple[SourceMessage, ...]]:
    words = template_messages(snapshot)
    found = {}
    for page in PAGES:
        used = templates_used(snapshot, page)
        found[page] = tuple(word for word in words if word.file in used)
    return found


def languages_of(settings: Settings, codes: tuple[str, ...]) -> dict[str, Language]:
    """Each language as its editions are printed; CLDR's data for it is loaded here, so that
    planning reads no file."""
    found = {}
    for code in codes:
        found[code] = edition_language = language(code, settings.formatting_locale(code))
        _ = edition_language.direction, edition_language.script, edition_language.name
    return found

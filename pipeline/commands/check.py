"""``check``: how complete and how sound each language's translation of each statement is, with
every problem; in progress or released, every catalog is checked."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..catalogs.checks import Status, check_edition
from ..catalogs.pofile import read_catalog
from ..errors import PipelineError, Problem
from ..language import language
from ..messages import edition_messages, template_messages
from ..plan import needed
from ..project import Project
from ..snapshot import catalog_languages, take
from ..source import parse_statement


@dataclass(frozen=True)
class EditionStatus:
    statement: str
    status: Status
    released: bool


@dataclass
class CheckReport:
    editions: list[EditionStatus]
    unreadable: list[PipelineError]  # statements and catalogs that cannot be read at all
    warnings: list[Problem] = field(default_factory=list)  # what msgfmt only warns about

    @property
    def failed(self) -> bool:
        return bool(self.unreadable) or any(e.status.errors for e in self.editions)


def check(project: Project, statement_ids: list[str] | None = None,
          languages: list[str] | None = None) -> CheckReport:
    codes = languages or catalog_languages(project)
    snapshot = take(project, statement_ids, codes)
    unreadable: list[PipelineError] = list(snapshot.unreadable_sources.values())
    catalogs = {}
    for code, item in snapshot.catalogs.items():
        try:
            catalogs[code] = read_catalog(item.data, item.name, code)
        except PipelineError as error:
            unreadable.append(error)
    warnings = [replace(p, severity="warning") for c in catalogs.values() for p in c.warnings]
    words = template_messages(snapshot)
    results = []
    for statement_id, item in snapshot.sources.items():
        try:
            statement = parse_statement(item.data, item.name, statement_id)
        except PipelineError as error:
            unreadable.append(error)
            continue
        messages = edition_messages(statement, words)
        for code, catalog in catalogs.items():
            edition_language = language(code, project.settings.formatting_locale(code))
            status = check_edition(catalog, snapshot.catalogs[code].name, code,
                                   edition_language.script, needed(messages, code))
            results.append(EditionStatus(statement_id, status,
                                         project.settings.is_released(code)))
    return CheckReport(results, unreadable, warnings)

"""``check``: how complete and how sound each language's translation of each statement is, with
every problem; in progress or released, every catalog is checked."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..catalogs.checks import Status, check_edition
from ..errors import PipelineError, Problem
from ..messages import edition_messages
from ..parse import parse
from ..plan import needed
from ..project import EDITION_TEMPLATE, Project
from ..snapshot import catalog_languages, take


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
    """Each language's status for each statement's editions (the words of its page included),
    in progress or released."""
    available = tuple(catalog_languages(project))
    codes = languages or list(available)
    snapshot = take(project, statement_ids, codes)
    parsed = parse(snapshot, available)
    warnings = [replace(p, severity="warning") for c in parsed.catalogs.values()
                for p in c.warnings]
    words = list(parsed.words[EDITION_TEMPLATE])
    results = []
    for statement_id, statement in parsed.statements.items():
        messages = edition_messages(statement, words)
        for code, catalog in parsed.catalogs.items():
            edition_language = parsed.languages[code]
            status = check_edition(catalog, parsed.catalog_name(code), code,
                                   edition_language.script, needed(messages, code))
            results.append(EditionStatus(statement_id, status,
                                         project.settings.is_released(code)))
    return CheckReport(results, list(parsed.problems), warnings)

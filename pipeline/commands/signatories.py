"""``signatories``: the new organisations of a sign-on sheet added to a statement's list.

The statement's file changes only by the lines of the names added (written after its last
signatory, as the file writes its list), atomically, and only if no editor saved it meanwhile;
with a sheet that cannot be read, nothing is written.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .. import log
from ..errors import PipelineError
from ..files import MAX_INPUT, describe_os_error, read_bounded, read_input, write_atomic
from ..identifiers import check_statement_id
from ..project import Project
from ..signon import Decision, decide, insert_signatories, read_sheet, same_signatories
from ..snapshot import catalog_languages
from ..source import MAX_SIGNATORIES, parse_statement


@dataclass
class Report:
    decisions: list[Decision] = field(default_factory=list)
    written: bool = False

    def of(self, outcome: str) -> list[Decision]:
        return [d for d in self.decisions if d.outcome == outcome]


def import_sheet(project: Project, statement_id: str, sheet_path: Path,
                 headers: dict[str, str] | None = None, dry_run: bool = False) -> Report:
    """Add the organisations of ``sheet_path`` that the statement does not list yet; log what
    was added, skipped and left undecided, a line each, then a summary."""
    check_statement_id(statement_id)
    path = project.source_path(statement_id)
    name = project.relative(path)
    data = read_input(path, project.root, what="statement")
    if data is None:
        raise PipelineError(f"there is no statement {statement_id!r}: the identifier is the name "
                            "of a file in sources/, without .yaml", name)
    statement = parse_statement(data, name, statement_id)
    known = list(dict.fromkeys([statement.language, *catalog_languages(project),
                                *project.settings.bilingual]))
    sheet = read_sheet(read_sheet_file(sheet_path), str(sheet_path), known, headers)
    report = Report(decide(statement, sheet))
    additions = [d.names for d in report.of("added")]
    if len(statement.signatories) + len(additions) > MAX_SIGNATORIES:
        raise PipelineError(f"adding its {len(additions):,} new names would give the statement "
                            f"{len(statement.signatories) + len(additions):,} signatories; a "
                            f"statement may have at most {MAX_SIGNATORIES:,}: split the sheet or "
                            "the statement; nothing was written", str(sheet_path))
    text = data.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    new = (bom + insert_signatories(text.removeprefix(bom), additions, name)).encode("utf-8")
    try:
        after = parse_statement(new, name, statement_id)
    except PipelineError as error:
        raise PipelineError.of([PipelineError(
            "the names could not be added without breaking the statement (a bug: please report "
            "it); nothing was written", name), error]) from None
    if not same_signatories(statement.signatories, after.signatories, additions):
        raise PipelineError("the names could not be added without changing the signatories "
                            "already listed (a bug: please report it); nothing was written", name)
    for decision in report.decisions:
        (log.warning if decision.outcome == "undecided" else log.info)(
            "%s:%d: %s", sheet.file, decision.row.line, decision.message)
    if additions and not dry_run:
        report.written = write_atomic(path, new, project.root, expected=data)
    counts = [f"{len(report.of('added'))} added", f"{len(report.of('skipped'))} skipped",
              f"{len(report.of('undecided'))} could not be decided"]
    what = ("written" if report.written else "nothing written (--dry-run)" if dry_run and additions
            else "nothing to write")
    log.info("%s: %s; %s", name, ", ".join(counts), what)
    return report


def read_sheet_file(path: Path) -> bytes:
    """A sheet's bytes, wherever it is (a download folder): a regular file of bounded size."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise PipelineError("there is no such file: give the path of the CSV file that the form or "
                            "spreadsheet exported", name) from None
    except OSError as error:
        raise PipelineError(describe_os_error(error, "read the sheet"), name) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PipelineError("is not a regular file: give the CSV file that the form or "
                                "spreadsheet exported", name)
        return read_bounded(fd, MAX_INPUT, name, "sheet")
    except OSError as error:
        raise PipelineError(describe_os_error(error, "read the sheet"), name) from None
    finally:
        os.close(fd)

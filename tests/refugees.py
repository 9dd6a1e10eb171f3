"""A project of the fixture statements plus the statement written in Arabic by a new user
(tests/fixtures/arabic-source-refugees-2026, its README says what it shows), set up as that
README reproduces it: the YAML copied into ``sources/``, the catalogs brought up to date
(``update``), the English translations of its PO file filled into ``locales/en``. It releases
English and Arabic only (the statement has no French or Persian translation).

``python -m tests.refugees FOLDER [STATEMENT...]`` makes the project in FOLDER/project and
builds it (for measuring: ``python -m tests.extraction FOLDER/project/output -v``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.project import Project

from .conftest import FIXTURES, STATEMENTS, build_or_fail, keep_languages, make_project

REFUGEES = FIXTURES / "arabic-source-refugees-2026"
STATEMENT = "refugees-2026"


def make_refugees_project(destination: Path, statements: tuple[str, ...] = STATEMENTS,
                          edits: tuple[tuple[str, str], ...] = ()) -> Project:
    """The fixture project of English and Arabic with ``statements`` and the refugees
    statement, its English translation merged into the English catalog; ``edits``: each
    (old, new) replaced in the statement's text (and in the source texts its PO translates)."""
    from pipeline.catalogs.pofile import read_catalog, serialise
    from pipeline.commands.update import update

    project = keep_languages(make_project(destination, statements), "en", "ar")
    source = (REFUGEES / f"{STATEMENT}.yaml").read_text("utf-8")
    po = (REFUGEES / f"{STATEMENT}.en.po").read_text("utf-8")
    for old, new in edits:
        assert old in source, f"{STATEMENT}.yaml no longer contains {old!r}"
        source, po = source.replace(old, new), po.replace(old, new)
    (project.root / "sources" / f"{STATEMENT}.yaml").write_text(source, "utf-8")
    update(project, None)
    given = read_catalog(po.encode(), "refugees-2026.en.po", "en")
    path = project.locales_dir / "en" / "LC_MESSAGES" / "statements.po"
    catalog = read_catalog(path.read_bytes(), str(path), "en")
    entries = catalog.index()
    for entry in given:
        if entry.msgid and entry.key in entries:
            target = entries[entry.key]
            target.msgstr, target.msgstr_plural = entry.msgstr, list(entry.msgstr_plural)
            target.flags = set(entry.flags)
    path.write_bytes(serialise(catalog))
    return Project.at(project.root)


def main(argv: list[str]) -> int:
    folder = Path(argv[0])
    statements = tuple(argv[1:]) or STATEMENTS
    build_or_fail(make_refugees_project(folder / "project", statements))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

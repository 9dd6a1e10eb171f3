"""Every input of a run, read once: the bytes of each source, catalog, template, stylesheet and
font, with their hashes. Every later step of the run uses these bytes and never the files again,
so a file saved while a build runs cannot make one edition's parts disagree; each edition's state
records the hashes it was printed from.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError, Problem, raise_if_any
from .files import (
    MAX_FONT,
    MAX_INPUT,
    MAX_SOURCE,
    describe_os_error,
    is_scratch,
    list_files,
    list_folder,
    read_input,
    read_own,
    walk_inputs,
)
from .identifiers import language_problem, statement_id_problem
from .project import DOMAIN, FONTS, MAPPING, Project


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode
"""``json.dumps(part, ensure_ascii=False, sort_keys=True, default=str)``, its encoder made once
(a build of many statements hashes thousands of values)."""


def short_hash(*parts: object) -> str:
    """A short, stable hash of JSON-able values (a version code printed in an edition)."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else _JSON(part).encode())
        hashed.update(b"\0")
    return hashed.hexdigest()[:12]


@dataclass(frozen=True)
class Input:
    """One input file: its project-relative name, its bytes and their hash."""

    name: str
    data: bytes
    digest: str

    @classmethod
    def of(cls, name: str, data: bytes) -> Input:
        return cls(name, data, digest(data))


@dataclass(frozen=True)
class Snapshot:
    """The inputs of one run. ``sources`` and ``catalogs`` hold what was asked for; ``problems``
    what could not be read (a statement that cannot be read does not stop the others)."""

    project: Project
    mapping: Input | None
    sources: dict[str, Input]
    catalogs: dict[str, Input]
    templates: dict[str, Input]  # by path below templates/, such as "fonts/NotoSerif-Regular.ttf"
    unreadable_sources: dict[str, PipelineError] = field(default_factory=dict)
    toolchain: str = ""
    """One hash of the pipeline's own code and its libraries' versions (see ``toolchain``)."""

    @functools.cached_property
    def templates_digest(self) -> str:
        """One hash of the templates, stylesheet and fonts: what every edition depends on."""
        return digest("\n".join(f"{name} {item.digest}" for name, item in
                                sorted(self.templates.items())).encode())

    @functools.cached_property
    def inputs_digest(self) -> str:
        """One hash of every byte the run read: statements (and those it could not read),
        catalogs, templates, extraction mapping, settings and toolchain."""
        return short_hash(sorted((name, item.digest) for name, item in self.sources.items()),
                          sorted(self.unreadable_sources),
                          sorted((code, item.digest) for code, item in self.catalogs.items()),
                          self.templates_digest, self.mapping.digest if self.mapping else "",
                          repr(self.project.settings), self.toolchain)


def statement_ids(project: Project) -> list[str]:
    """The identifiers of the statements in ``sources/`` (file names, unchecked)."""
    return [p.stem for p in list_files(project.sources_dir, project.root, "*.yaml")]


def catalog_languages(project: Project) -> list[str]:
    """Every language with a catalog, in a stable order. A folder that is not a language code
    is an error; so is a language folder or catalog that cannot be looked at (unreadable, a
    loop of links, a file where a folder should be), never a language that is not there; and
    so is a released or bilingual language with no catalog (its editions would silently go)."""
    problems: list[Problem | PipelineError] = []
    codes = []
    for name in list_folder(project.locales_dir, project.root):
        folder = project.locales_dir / name
        if is_scratch(name) or (not folder.is_dir() and language_problem(name) is not None):
            continue  # the template, a README: not a language
        catalog = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        try:
            os.stat(catalog)
        except FileNotFoundError:
            if folder.is_symlink() and not folder.exists():
                problems.append(Problem("is a symbolic link that leads nowhere: restore the "
                                        "folder or remove the link", project.relative(folder)))
            continue  # a folder without a catalog: no language
        except OSError as error:
            problems.append(Problem(
                "leads to itself through symbolic links: replace the loop with the folder"
                if error.errno == errno.ELOOP else describe_os_error(error, "read the catalog"),
                project.relative(folder if error.errno == errno.ELOOP else catalog)))
            continue
        if message := language_problem(name):
            problems.append(Problem(message + ": rename the folder", project.relative(folder)))
        else:
            codes.append(name)
    if not problems:
        problems.extend(project.settings.missing_catalogs(codes))
    raise_if_any(problems)
    return codes


def no_statement(project: Project) -> PipelineError:
    return PipelineError("there is no statement to build: add one as sources/<identifier>.yaml",
                         project.relative(project.sources_dir))


def read_sources(project: Project, ids: list[str] | None, empty_ok: bool = False
                 ) -> tuple[dict[str, Input], dict[str, PipelineError]]:
    """The statements named (every one in ``sources/`` when none is): their bytes, and for each
    that cannot be read, why. An identifier that names no file is an error for the whole run."""
    known = statement_ids(project)
    if ids:
        problems = []
        for statement_id in ids:
            if message := statement_id_problem(statement_id):
                problems.append(Problem(message))
            elif statement_id not in known:
                problems.append(Problem(
                    f"no statement {statement_id!r}: there is no "
                    f"{project.relative(project.source_path(statement_id))} "
                    f"(statements: {', '.join(known) or 'none'})"))
        raise_if_any(problems)
        wanted = list(dict.fromkeys(ids))
    else:
        wanted = known
        if not wanted and not empty_ok:
            raise no_statement(project)
    sources, unreadable = {}, {}
    real_folder = os.path.realpath(project.sources_dir)  # once, not once a statement
    for statement_id in wanted:
        path = project.source_path(statement_id)
        name = project.relative(path)
        try:
            if message := statement_id_problem(statement_id):
                raise PipelineError(message + ": rename the file",
                                    name if name.isprintable() else repr(name))  # no forged line
            data = read_input(path, project.root, MAX_SOURCE, "statement",
                              real_folder if path.parent == project.sources_dir else None)
            if data is None:
                raise PipelineError("the file has gone: it was removed while the run started", name)
            sources[statement_id] = Input.of(name, data)
        except PipelineError as error:
            unreadable[statement_id] = error
    return sources, unreadable


def read_catalogs(project: Project, codes: list[str]) -> dict[str, Input]:
    catalogs, problems = {}, []
    for code in codes:
        if message := language_problem(code):  # never a path such as ../../x
            problems.append(PipelineError(message))
            continue
        path = project.catalog_path(code)
        try:
            data = read_input(path, project.root, MAX_INPUT, "catalog")
            if data is None:
                raise PipelineError(f"there is no catalog for {code!r}: create it with "
                                    f"`python -m pipeline init {code}`", project.relative(path))
            catalogs[code] = Input.of(project.relative(path), data)
        except PipelineError as error:
            problems.append(error)
    raise_if_any(problems)
    return catalogs


def read_templates(project: Project) -> dict[str, Input]:
    """Every file below ``templates/`` (not following links to folders), editors' backup and
    swap files left out."""
    folder = project.templates_dir
    list_folder(folder, project.root)  # a loop or an unreadable folder is named as such
    if not folder.is_dir():
        raise PipelineError("there is no templates folder: restore it from the repository",
                            project.relative(folder))
    templates, problems = {}, []
    for path in walk_inputs(folder, project.root):
        relative = path.relative_to(folder).as_posix()
        if any(unicodedata.category(char) == "Cc" for char in relative):
            problems.append(PipelineError(
                f"the name {relative!r} holds a control character (a line break, a tab?): it "
                "would be published and listed in SHA256SUMS; rename the file",
                project.relative(folder)))
            continue
        limit = MAX_FONT if relative.startswith(f"{FONTS}/") else MAX_INPUT
        try:
            data = read_input(path, project.root, limit, "template file")
            if data is not None:
                templates[relative] = Input.of(project.relative(path), data)
        except PipelineError as error:
            problems.append(error)
    raise_if_any(problems)
    return templates


def take(project: Project, ids: list[str] | None = None,
         languages: list[str] | None = None, empty_ok: bool = False) -> Snapshot:
    """Read every input a run needs, once (``empty_ok``: ``sources/`` may hold no statement)."""
    sources, unreadable = read_sources(project, ids, empty_ok)
    mapping = read_input(project.root / MAPPING, project.root, MAX_INPUT, "extraction mapping")
    return Snapshot(
        project=project,
        mapping=Input.of(MAPPING, mapping) if mapping is not None else None,
        sources=sources,
        catalogs=read_catalogs(project, languages if languages is not None
                               else catalog_languages(project)),
        templates=read_templates(project),
        unreadable_sources=unreadable,
        toolchain=toolchain())


def library_digest(package: str, file: str | None = None) -> str:
    """The digest of the file of an installed library that changes with its version: ``file``
    in its package's folder, else its module's own file; the package's name when it has none."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if file is None:
        path = Path(spec.origin) if spec and spec.origin else None
    else:
        folders = list(spec.submodule_search_locations or []) if spec else []
        path = Path(folders[0]) / file if folders else None
    data = read_own(path) if path else None
    return digest(data) if data is not None else package


_TOOLCHAIN: list[str] = []


def toolchain() -> str:
    """One hash of the pipeline's own code (with the print shop's ICC profiles) and its
    libraries' versions (from the files that declare them: cheaper than package metadata, and
    any upgrade changes them)."""
    if not _TOOLCHAIN:

        from . import __version__

        parts = [__version__]
        code = Path(__file__).parent
        for path in walk_inputs(code, code):
            if path.suffix in (".py", ".icc"):  # the code, and the print shop's ICC profiles
                parts.append(f"{path.relative_to(code).as_posix()} {digest(read_own(path) or b'')}")
        parts += [library_digest(name) for name in (
            "weasyprint", "pydyf", "pyphen", "fontTools", "babel", "jinja2", "yaml", "markdown_it")]
        _TOOLCHAIN.append(digest("\n".join(parts).encode()))
    return _TOOLCHAIN[0]

"""Where a project keeps its statements, catalogs, templates and output: the one place that knows
the layout of a project folder and the names of its files."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError
from .files import describe_os_error, display, read_input
from .settings import SETTINGS_FILE, Settings, parse_settings

DOMAIN = "statements"
"""The gettext domain: one catalog per language holds every statement's messages and the
templates' own words, so a signatory shared by two statements is translated once."""

TEMPLATE_LANGUAGE = "en"
"""The language the templates' own words (headings, page furniture) are written in."""

STYLESHEET = "statement.css"
"""The stylesheet every edition links, in ``templates/``; it declares the fonts."""
FONTS = "fonts"
"""The folder of ``templates/`` holding the fonts (and their licence): the only fonts used."""
EDITION_TEMPLATE = "statement.html.j2"
BILINGUAL_TEMPLATE = "bilingual.html.j2"
INDEX_TEMPLATE = "index.html.j2"
ASSETS = "_assets"
"""The folder of ``output/`` where the HTML editions find the stylesheet and fonts."""
DRAFTS = "drafts"
"""The folder of ``output/`` where drafts go: never linked, never bundled."""
MAPPING = "babel.cfg"
"""Which extractor reads which files (``pybabel extract -F babel.cfg`` reads it too)."""


def project_folder(given: str | Path) -> Path:
    """The project folder ``-C`` names, resolved; one line saying why it cannot be one (no
    such folder, a file, a loop of links, a folder that cannot be listed)."""
    try:
        root = Path(os.path.realpath(given, strict=True))
    except OSError as error:
        name = os.path.abspath(given)
        if error.errno == errno.ELOOP:
            raise PipelineError("is not a project folder: it leads to itself through symbolic "
                                "links (a loop); give the project folder itself", name) from None
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            raise PipelineError("is not a project folder: there is no such folder", name) from None
        raise PipelineError(describe_os_error(error, "open the project folder"), name) from None
    if not root.is_dir():
        raise PipelineError("is not a project folder: it is a file; give the folder that holds "
                            "sources/, locales/ and templates/", str(root))
    try:
        os.listdir(root)
    except OSError as error:
        raise PipelineError(describe_os_error(error, "read the project folder"),
                            str(root)) from None
    return root


@dataclass(frozen=True)
class Project:
    """A project folder: ``sources/``, ``locales/``, ``templates/`` and ``output/`` below it."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    output: Path | None = None  # where editions go; ``root/output`` unless told otherwise

    @classmethod
    def at(cls, root: str | Path, output: Path | None = None) -> Project:
        root = project_folder(root)
        data = read_input(root / SETTINGS_FILE, root, what="settings file")
        return cls(root, parse_settings(data), output)

    @property
    def sources_dir(self) -> Path:
        return self.root / "sources"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.root / "output"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def template_path(self) -> Path:
        """The message template (POT) every language's catalog is updated from."""
        return self.locales_dir / f"{DOMAIN}.pot"

    def catalog_path(self, language: str) -> Path:
        return self.locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"

    def source_path(self, statement_id: str) -> Path:
        return self.sources_dir / f"{statement_id}.yaml"

    def relative(self, path: Path) -> str:
        """How a file is named in messages: relative to the project, with forward slashes (or
        to the output folder's own parent when output is elsewhere)."""
        if self.output is not None and Path(path).is_relative_to(self.output):
            return display(path, self.output.parent)
        return display(path, self.root)

"""Where a project keeps its statements, catalogs, templates and output, and its few settings."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PipelineError, raise_if_any

DOMAIN = "statements"
"""The gettext domain: one catalog per language holds every statement's messages and the
templates' own words, so a signatory shared by two statements is translated once."""

TEMPLATE_LANGUAGE = "en"
"""The language the templates' own words (headings, page furniture) are written in."""

STATEMENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:_[A-Z][a-z]{3})?(?:_(?:[A-Z]{2}|[0-9]{3}))?")


def check_statement_id(statement_id: str, file: str | None = None, line: int | None = None) -> str:
    if not STATEMENT_ID.fullmatch(statement_id):
        raise PipelineError(
            f"{statement_id!r} is not a valid statement identifier: use lower-case letters, "
            "digits and single hyphens, such as 'sochi-2018'", file, line)
    return statement_id


def check_language_code(code: str, file: str | None = None, line: int | None = None) -> str:
    """A language code as gettext folders name them (``ar``, ``pt_BR``), known to CLDR."""
    from babel import localedata

    if not LANGUAGE_CODE.fullmatch(code) or not localedata.exists(code):
        raise PipelineError(
            f"{code!r} is not a language code known to CLDR: use a code such as 'ar', 'fa', "
            "'fr' or 'pt_BR'", file, line)
    return code


@dataclass(frozen=True)
class Project:
    """A project folder: ``sources/``, ``locales/``, ``templates/`` and ``output/`` below it."""

    root: Path
    formatting_locales: dict[str, str] = field(default_factory=dict)
    output: Path | None = None  # where editions go; ``root/output`` unless told otherwise
    bilingual: tuple[str, ...] = ()  # the languages of the bilingual edition

    @classmethod
    def at(cls, root: str | Path) -> Project:
        root = Path(root).resolve()
        settings: dict = {}
        pyproject = root / "pyproject.toml"
        if pyproject.is_file():
            try:
                settings = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get(
                    "pipeline", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise PipelineError(f"cannot read the settings: {error}", "pyproject.toml") from None
        known = {"formatting-locales": dict, "bilingual": list}
        for key, value in settings.items():
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                raise PipelineError(f"unknown setting [tool.pipeline] {key}: "
                                    + (f"did you mean '{hint[0]}'?" if hint else
                                       f"known settings: {', '.join(known)}"), "pyproject.toml")
            if not isinstance(value, known[key]) or not all(
                    isinstance(v, str) for v in (value.values() if isinstance(value, dict)
                                                 else value)):
                raise PipelineError(f"[tool.pipeline] {key} must be "
                                    + ("a table of language = locale strings" if known[key] is dict
                                       else "a list of language codes"), "pyproject.toml")
        locales = settings.get("formatting-locales", {})
        for language, locale in locales.items():
            check_language_code(language, "pyproject.toml")
            check_language_code(locale, "pyproject.toml")
        bilingual = settings.get("bilingual", [])
        for code in bilingual:
            check_language_code(code, "pyproject.toml")
        return cls(root, dict(locales), bilingual=tuple(bilingual))

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
    def template_path(self) -> Path:
        """The message template (POT) every language's catalog is updated from."""
        return self.locales_dir / f"{DOMAIN}.pot"

    def catalog_path(self, language: str) -> Path:
        return self.locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"

    def relative(self, path: Path) -> str:
        """How a file is named in messages: relative to the project, with forward slashes."""
        try:  # not resolved: a symbolic link is named where it is, not where it leads
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def source_paths(self) -> list[Path]:
        return sorted(self.sources_dir.glob("*.yaml")) if self.sources_dir.is_dir() else []

    def source_path(self, statement_id: str) -> Path:
        check_statement_id(statement_id)
        path = self.sources_dir / f"{statement_id}.yaml"
        if not path.is_file():
            known = ", ".join(p.stem for p in self.source_paths()) or "none"
            raise PipelineError(
                f"no statement {statement_id!r}: there is no {self.relative(path)} "
                f"(statements: {known})")
        return path

    def languages(self) -> list[str]:
        """Every language with a catalog, in a stable order."""
        if not self.locales_dir.is_dir():
            return []
        codes = sorted(p.parent.parent.name for p in self.locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        for code in codes:
            check_language_code(code, self.relative(self.locales_dir / code))
        return codes

    def formatting_locale(self, language: str) -> str:
        return self.formatting_locales.get(language, language)

    def select_languages(self, languages: list[str] | None) -> list[str]:
        """The languages asked for, each with a catalog; every one there is when none is asked."""
        known = self.languages()
        if not languages:
            if not known:
                raise PipelineError("there is no catalog: create one with `python -m pipeline init "
                                    "LANG`", self.relative(self.locales_dir))
            return known
        problems = []
        for code in languages:
            try:
                check_language_code(code)
                if code not in known:
                    raise PipelineError(f"there is no catalog for {code!r}: create it with "
                                        f"`python -m pipeline init {code}`",
                                        self.relative(self.catalog_path(code)))
            except PipelineError as error:
                problems.append(error)
        raise_if_any(problems)
        return list(dict.fromkeys(languages))

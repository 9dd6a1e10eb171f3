"""The project's few settings, ``[tool.pipeline]`` in ``pyproject.toml``: read once, every problem
reported at once."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field

from .errors import PipelineError, Problem, raise_if_any
from .identifiers import language_problem

SETTINGS_FILE = "pyproject.toml"


@dataclass(frozen=True)
class Settings:
    """What ``[tool.pipeline]`` says; every field has the default a project without it gets."""

    formatting_locales: dict[str, str] = field(default_factory=dict)
    """The locale each language's edition is formatted with, where it is not the language code
    itself: ``ar = "ar_SY"`` gives Levantine month names and Arabic-Indic digits."""
    bilingual: tuple[str, ...] = ()
    """The two languages of the bilingual edition (a right-to-left one goes on the right)."""
    released: tuple[str, ...] | None = None
    """The languages whose editions are released: printed by a build, bundled, linked from the
    index. Every other catalog is a language in progress, printed only as a draft on request.
    ``None`` (the setting is absent): every language with a catalog is released."""
    pivot: str | None = None
    """The language third-language translators read beside the source: ``update`` puts its
    reviewed translation of each message (or the source text, where it is the statement's source
    language) into every other language's catalog as a comment ``#. English: …``."""

    def formatting_locale(self, language: str) -> str:
        return self.formatting_locales.get(language, language)

    def is_released(self, language: str) -> bool:
        return self.released is None or language in self.released


KNOWN = {
    "formatting-locales": "a table of language = locale strings, such as { ar = \"ar_SY\" }",
    "bilingual": "a list of two language codes, such as [\"en\", \"ar\"]",
    "released": "a list of language codes, such as [\"en\", \"ar\"]",
    "pivot": "a language code, such as \"en\"",
}


def parse_settings(data: bytes | None) -> Settings:
    """The settings in a ``pyproject.toml``'s bytes (``None``: there is no such file)."""
    if data is None:
        return Settings()
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PipelineError("the file is not UTF-8 text: save it with the UTF-8 encoding",
                            SETTINGS_FILE) from None
    except tomllib.TOMLDecodeError as error:
        line = _line_of_toml_error(str(error))
        raise PipelineError(f"cannot read the settings: {str(error).split(' (at line')[0]}",
                            SETTINGS_FILE, line) from None
    table = document.get("tool", {}).get("pipeline", {})
    if not isinstance(table, dict):
        raise PipelineError("[tool.pipeline] must be a table", SETTINGS_FILE)
    lines = _key_lines(data.decode("utf-8"))
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(message, SETTINGS_FILE, lines.get(key)))

    values: dict[str, object] = {}
    for key, value in table.items():
        if key not in KNOWN:
            hint = difflib.get_close_matches(key, KNOWN, n=1)
            problem(key, f"unknown setting [tool.pipeline] {key}: "
                    + (f"did you mean '{hint[0]}'?" if hint else f"known settings: {', '.join(KNOWN)}"))
            continue
        if key == "pivot":
            if not isinstance(value, str) or language_problem(value):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}")
                continue
        elif key == "formatting-locales":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}")
                continue
            for code, locale in value.items():
                for text in (code, locale):
                    if message := language_problem(text):
                        problem(key, f"[tool.pipeline] {key}: {message}")
        else:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}")
                continue
            for code in value:
                if message := language_problem(code):
                    problem(key, f"[tool.pipeline] {key}: {message}")
            if len(set(value)) != len(value):
                problem(key, f"[tool.pipeline] {key} names a language twice: name each once")
            if key == "bilingual" and len(value) not in (0, 2):
                problem(key, f"[tool.pipeline] {key} must name two languages, not {len(value)}")
        values[key] = value
    raise_if_any(problems)
    released = values.get("released")
    return Settings(
        formatting_locales=dict(values.get("formatting-locales", {})),  # type: ignore[call-overload]
        bilingual=tuple(values.get("bilingual", ())),  # type: ignore[arg-type]
        released=tuple(released) if isinstance(released, list) else None,
        pivot=values.get("pivot"))  # type: ignore[arg-type]


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key under [tool.pipeline], for messages (TOML parsers forget lines)."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.startswith("[tool.pipeline")
            continue
        if inside and "=" in stripped and not stripped.startswith("#"):
            lines.setdefault(stripped.split("=", 1)[0].strip().strip('"'), number)
    return lines


def _line_of_toml_error(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        number = message.split(marker, 1)[1].split(",", 1)[0]
        return int(number) if number.isdigit() else None
    return None

"""The project's few settings, ``[tool.pipeline]`` in ``pyproject.toml``: read once, every problem
reported at once."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

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
    site_url: str | None = None
    """Where ``output/`` is published (``https://example.org/statements/``, always ending in
    ``/``): pages then name their canonical address and share image absolutely. ``None``: no
    canonical link, and relative addresses only."""
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    """The line of each setting in ``pyproject.toml``, for messages."""

    def formatting_locale(self, language: str) -> str:
        return self.formatting_locales.get(language, language)

    def is_released(self, language: str) -> bool:
        return self.released is None or language in self.released

    def missing_catalogs(self, available: list[str] | tuple[str, ...]) -> list[Problem]:
        """A released or bilingual language with no catalog: its editions would silently go
        (and a release ship without it), so it is an error naming the setting's line."""
        problems = []
        for key, codes in (("released", self.released or ()), ("bilingual", self.bilingual)):
            for code in codes:
                if code not in available:
                    problems.append(Problem(
                        f"[tool.pipeline] {key} names {code!r}, which has no catalog "
                        f"(locales/{code}/LC_MESSAGES/statements.po): create it with `python -m "
                        f"pipeline init {code}`, restore it, or take {code!r} out of {key}",
                        SETTINGS_FILE, self.lines.get(key)))
        return problems


KNOWN = {
    "formatting-locales": "a table of language = locale strings, such as { ar = \"ar_SY\" }",
    "bilingual": "a list of two language codes, such as [\"en\", \"ar\"]",
    "released": "a list of language codes, such as [\"en\", \"ar\"]",
    "pivot": "a language code, such as \"en\"",
    "site-url": "an http:// or https:// address without a query, such as "
                "\"https://example.org/statements/\"",
}


def parse_settings(data: bytes | None) -> Settings:
    """The settings in a ``pyproject.toml``'s bytes (``None``: there is no such file)."""
    if data is None:
        return Settings()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PipelineError("the file is not UTF-8 text: save it with the UTF-8 encoding",
                            SETTINGS_FILE) from None
    if (deep := _too_deep(text)) is not None:
        raise PipelineError(f"cannot read the settings: keys, tables or lists nested more than "
                            f"{MAX_DEPTH} deep: no setting needs that; simplify the line",
                            SETTINGS_FILE, deep)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = _line_of_toml_error(str(error))
        raise PipelineError(f"cannot read the settings: {str(error).split(' (at line')[0]}",
                            SETTINGS_FILE, line) from None
    except RecursionError:
        raise PipelineError("cannot read the settings: nested too deeply: simplify the file",
                            SETTINGS_FILE) from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise PipelineError(f"'tool' must be a table (such as [tool.pipeline]), not "
                            f"{_kind(tool)}", SETTINGS_FILE, _line_of(text, "tool"))
    table = tool.get("pipeline", {})
    if not isinstance(table, dict):
        raise PipelineError(f"[tool.pipeline] must be a table of settings, not {_kind(table)}",
                            SETTINGS_FILE, _line_of(text, "pipeline"))
    lines = _key_lines(text)
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
        if key == "site-url":
            if not isinstance(value, str) or site_url_problem(value):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}"
                        + (f" ({site_url_problem(value)})" if isinstance(value, str) else ""))
                continue
        elif key == "pivot":
            if not isinstance(value, str) or language_problem(value):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}")
                continue
        elif key == "formatting-locales":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                problem(key, f"[tool.pipeline] {key} must be {KNOWN[key]}")
                continue
            for code, locale in value.items():
                found = [message for item in (code, locale) if (message := language_problem(item))]
                for message in found:
                    problem(key, f"[tool.pipeline] {key}: {message}")
                if not found and (message := _foreign_locale(code, locale)):
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
            if key == "released" and not value:
                problem(key, f"[tool.pipeline] {key} names no language: nothing would be "
                        "printed or bundled; name the languages to release, such as [\"en\"]")
        values[key] = value
    raise_if_any(problems)
    released = values.get("released")
    return Settings(
        formatting_locales=dict(values.get("formatting-locales", {})),  # type: ignore[call-overload]
        bilingual=tuple(values.get("bilingual", ())),  # type: ignore[arg-type]
        released=tuple(released) if isinstance(released, list) else None,
        pivot=values.get("pivot"),  # type: ignore[arg-type]
        site_url=_with_slash(values["site-url"]) if "site-url" in values else None,
        lines={key: lines[key] for key in KNOWN if key in lines})


MAX_DEPTH = 32
"""How deep keys, tables and lists may nest in ``pyproject.toml`` (a setting needs two): the
TOML reader recurses on nesting and holds every prefix of a dotted key, so a 100,000-part key
would take gigabytes and a 100,000-deep list end in a RecursionError."""


def _too_deep(text: str) -> int | None:
    """The first line where lists or inline tables nest, or a key has dots, past MAX_DEPTH (a
    lexical count outside strings and comments: cheap, before the TOML reader sees it)."""
    depth = 0
    quote = ""
    for number, line in enumerate(text.splitlines(), 1):
        dots = 0
        index = 0
        while index < len(line):
            char = line[index]
            if quote:
                if char == "\\" and quote == '"':
                    index += 1
                elif line.startswith(quote, index):
                    index += len(quote) - 1
                    quote = ""
            elif char in "\"'":
                quote = char * 3 if line.startswith(char * 3, index) else char
                index += len(quote) - 1
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(depth - 1, 0)
            elif char == "." and not (0 < index < len(line) - 1 and line[index - 1].isdigit()
                                      and line[index + 1].isdigit()):
                dots += 1
            if depth > MAX_DEPTH or dots > MAX_DEPTH:
                return number
            index += 1
        if len(quote) == 1:
            quote = ""  # a one-line string ends with its line (or is a syntax error)
    return None


def _foreign_locale(code: str, locale: str) -> str | None:
    """Why ``locale`` cannot format ``code``'s editions (it is another language's), or None."""
    if locale == code or locale.startswith(f"{code}_"):
        return None
    from babel import Locale

    return (f"{code} = {locale!r}: {locale!r} is a locale of {Locale.parse(locale).english_name}, "
            f"not of {Locale.parse(code).english_name} ({code!r}): it would print the {code} "
            f"edition in another language's direction, digits and dates; use {code!r} or one "
            f"of its regions{_region_example(code)}")


def _region_example(code: str) -> str:
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(code, ""))
    territory = likely.rsplit("_", 1)[-1] if likely.count("_") >= 1 else ""
    return f", such as '{code}_{territory}'" if territory.isupper() and territory.isalpha() else ""


def _kind(value: object) -> str:
    return {bool: "true or false", int: "a number", float: "a number", str: "a string",
            list: "a list"}.get(type(value), type(value).__name__)


def _line_of(text: str, key: str) -> int | None:
    """The line where ``key`` is set or opens a table (for a value of the wrong kind)."""
    pattern = re.compile(rf"^\s*(?:\[\[?\s*(?:tool\s*\.\s*)?{key}\b|(?:tool\s*\.\s*)?{key}\s*[=.])")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def site_url_problem(value: str) -> str:
    """What is wrong with a ``site-url`` (empty: nothing)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "it does not start with https:// or http:// and a host"
    if parts.query or parts.fragment or "?" in value or "#" in value:
        return "it has a query or a fragment"
    if any(c.isspace() or c in '"<>\\' or ord(c) < 32 for c in value):
        return "it has a space, a quote or an angle bracket"
    return ""


def _with_slash(value: object) -> str:
    text = str(value)
    return text if text.endswith("/") else text + "/"


def _key_lines(text: str) -> dict[str, int]:
    """The line of each key under [tool.pipeline], for messages (TOML parsers forget lines)."""
    lines: dict[str, int] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[] ").replace(" ", "")
            inside = header == "tool.pipeline"
            if header.startswith("tool.pipeline."):  # a setting given as a table of its own
                lines.setdefault(header.removeprefix("tool.pipeline.").strip('"'), number)
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

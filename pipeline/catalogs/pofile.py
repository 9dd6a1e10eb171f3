"""What only this project knows of its catalogs and template: the plural forms a language has in
CLDR, the header of a new catalog or template; with the strict reader and the writer."""

from __future__ import annotations

import datetime

from ..language import language as get_language
from ..language import plural_forms
from ..project import DOMAIN
from .model import Key, PoCatalog, PoEntry
from .read import read_po
from .validate import wants_python_format
from .write import serialise

__all__ = ["Key", "PoCatalog", "PoEntry", "new_header", "read_catalog", "serialise",
           "template_header", "wants_python_format"]


def read_catalog(data: bytes, display: str, code: str | None = None) -> PoCatalog:
    """A catalog (``code`` its language) or, without ``code``, the message template, read
    strictly; the plural forms must be those CLDR gives the language."""
    return read_po(data, display, language=code, template=code is None,
                   plurals=plural_forms(code) if code is not None else None)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000")


_UTF8 = "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n"


def template_header(created: str | None = None) -> PoEntry:
    """The header of the message template."""
    return PoEntry(msgid="", msgstr=f"Project-Id-Version: {DOMAIN}\nPOT-Creation-Date: {created or _now()}\n"
                   f"{_UTF8}X-Generator: statement pipeline\n", translator_comments=[
                       "Messages of the statements (sources/*.yaml) and of the templates' own words.",
                       "Made by `python -m pipeline extract`; translate in locales/<lang>/LC_MESSAGES/."])


def new_header(code: str, template: PoCatalog) -> PoEntry:
    """The header of a new language's catalog, with CLDR's plural forms."""
    count, expression = plural_forms(code)
    created = template.header_field("POT-Creation-Date") or _now()
    name = get_language(code).name
    return PoEntry(msgid="", msgstr=(
        f"Project-Id-Version: {DOMAIN}\nPOT-Creation-Date: {created}\nPO-Revision-Date: {created}\n"
        f"Last-Translator: \nLanguage-Team: {name}\nLanguage: {code}\n{_UTF8}"
        f"Plural-Forms: nplurals={count}; plural={expression};\n"), translator_comments=[
        f"{name} translations of the statements and of the templates' words."])

"""Reading and writing the project's catalogs and template: the strict PO reader and writer of
``po`` (as strict as ``msgfmt --check``, written as msgmerge writes), with what only this project
knows: the plural forms a language has in CLDR, the header of a new catalog or template."""

from __future__ import annotations

import datetime
import re

from ..errors import PipelineError
from ..language import language as get_language
from ..language import plural_forms
from ..project import DOMAIN
from .po import PoCatalog, PoEntry, read_po, serialise, wants_python_format

__all__ = ["Key", "PoCatalog", "PoEntry", "new_header", "read_catalog", "serialise",
           "template_header", "wants_python_format"]

Key = tuple[str | None, str]  # (context, singular msgid)


def read_catalog(data: bytes, display: str, code: str | None = None) -> PoCatalog:
    """A catalog (``code`` its language) or, without ``code``, the message template, read
    strictly; the plural forms must be those CLDR gives the language."""
    if code is not None:
        _check_plural_count(data, display, code)
    catalog = read_po(data, display, language=code, template=code is None)
    if code is not None:
        expected, expression = plural_forms(code)
        if catalog.nplurals is not None and catalog.nplurals != expected:
            line = catalog.header.msgstr_line if catalog.header else None
            raise PipelineError(
                f"the Plural-Forms header gives {catalog.nplurals} plural forms, but {code} has "
                f"{expected} in CLDR: set it to 'nplurals={expected}; plural={expression};'",
                display, line)
    return catalog


def _check_plural_count(data: bytes, display: str, code: str) -> None:
    """A header whose count of plural forms is not CLDR's is the thing to fix, before any entry:
    the entries' plural forms follow the header, so they would be blamed instead."""
    declared = re.search(  # the field's text may go on over several quoted strings
        rb'"Plural-Forms:(?:[^"]|"\s*")*?nplurals\s*=\s*(?:"\s*")?(\d+)', data)
    expected, expression = plural_forms(code)
    if declared and int(declared.group(1)) != expected:
        raise PipelineError(
            f"the Plural-Forms header gives {int(declared.group(1))} plural forms, but {code} has "
            f"{expected} in CLDR: set it to 'nplurals={expected}; plural={expression};'",
            display, data[: declared.start()].count(b"\n") + 1)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M+0000")


def template_header(created: str | None = None) -> PoEntry:
    """The header of the message template."""
    return PoEntry(msgid="", msgstr=(
        f"Project-Id-Version: {DOMAIN}\n"
        f"POT-Creation-Date: {created or _now()}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "X-Generator: statement pipeline\n"), translator_comments=[
        "Messages of the statements (sources/*.yaml) and of the templates' own words.",
        "Made by `python -m pipeline extract`; translate in locales/<lang>/LC_MESSAGES/."])


def new_header(code: str, template: PoCatalog) -> PoEntry:
    """The header of a new language's catalog, with CLDR's plural forms."""
    count, expression = plural_forms(code)
    created = template.header_field("POT-Creation-Date") or _now()
    name = get_language(code).name
    return PoEntry(msgid="", msgstr=(
        f"Project-Id-Version: {DOMAIN}\n"
        f"POT-Creation-Date: {created}\n"
        f"PO-Revision-Date: {created}\n"
        "Last-Translator: \n"
        f"Language-Team: {name}\n"
        f"Language: {code}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: nplurals={count}; plural={expression};\n"), translator_comments=[
        f"{name} translations of the statements and of the templates' words."])

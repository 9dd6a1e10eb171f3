"""What only this project knows of its catalogs and template: the plural forms a language has in
CLDR, the header of a new catalog or template; with the strict reader and the writer."""

from __future__ import annotations

import datetime

from ..language import language as get_language
from ..language import plural_forms
from ..project import DOMAIN
from .model import Key, PoCatalog, PoEntry
from .read import read_po
from .validate import check_catalog, wants_python_format
from .write import serialise, serialise_placed

__all__ = ["Key", "PoCatalog", "PoEntry", "new_header", "read_catalog", "serialise",
           "template_header", "wants_python_format"]


def read_catalog(data: bytes, display: str, code: str | None = None) -> PoCatalog:
    """A catalog (``code`` its language) or, without ``code``, the message template, read
    strictly; the plural forms must be those CLDR gives the language."""
    return read_po(data, display, language=code, template=code is None,
                   plurals=plural_forms(code) if code is not None else None)


def written_as_read(catalog: PoCatalog, code: str) -> tuple[bytes, PoCatalog | None]:
    """The bytes of a catalog made in memory (merged), and the catalog itself when it is what
    ``read_catalog`` gives for those bytes: every entry in the shape the reader makes, each on
    the lines it is written on, with the warnings the reader finds. ``None`` when it may not be
    (a text the reader splits or refuses): only a read of the bytes says then."""
    data = serialise_placed(catalog)
    header = catalog.header
    if header is None or header.key != (None, "") or header.obsolete or b"\0" in data \
            or b"\r" in data or not _as_read(header):
        return data, None
    keys: set[Key] = {header.key}
    for entries, obsolete in ((catalog.entries, False), (catalog.obsolete, True)):
        for entry in entries:
            if entry.key in keys or entry.obsolete != obsolete or not _as_read(entry) or (
                    not obsolete and entry.msgid == ""):
                return data, None
            keys.add(entry.key)
    errors, warnings = check_catalog(catalog, data.decode("utf-8").split("\n"), code, False,
                                     plural_forms(code))
    if errors:
        return data, None
    catalog.warnings, catalog.line_ending = warnings, "\n"
    return data, catalog


def _as_read(entry: PoEntry) -> bool:
    """Whether the reader gives back this entry from its serialised text, field by field."""
    return (not any("\n" in c or "\r" in c
                    for c in (*entry.translator_comments, *entry.extracted_comments))
            and all(r.split() == [r] and "\u2068" not in r for r in entry.references)
            and len(set(entry.references)) == len(entry.references)
            and all(f and f == f.strip() and "," not in f for f in entry.flags)
            and (entry.msgid_plural is None) == (not entry.msgstr_plural)
            and (entry.msgid_plural is None or entry.msgstr == ""))


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

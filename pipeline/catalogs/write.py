"""Writing a catalog byte for byte as ``msgcat --no-wrap`` writes it: one line per string (split after each
line break), so a changed message is a one-line change in git. Unlike msgcat it keeps flags gettext does not
know (``ignore-same``), the fuzzy flag of untranslated entries, and obsolete entries without a translation."""

from __future__ import annotations

import re

from .model import PoCatalog, PoEntry

PAGE_WIDTH = 79  # where msgcat breaks the lines of file positions (#:), even with --no-wrap

FORMAT_LANGUAGES = ("c objc python python-brace java java-printf csharp javascript scheme lisp elisp librep "
                    "ruby sh awk lua pascal smalltalk qt qt-plural kde kde-kuit boost tcl perl perl-brace "
                    "php gcc-internal gfc-internal ycp").split()  # gettext's order of format flags

_ESCAPES = str.maketrans({"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b",
                          "\f": "\\f", "\v": "\\v", "\\": "\\\\", '"': '\\"'})
_SPECIAL = re.compile('[\n\t\r\a\b\f\v\\\\"]')  # what _ESCAPES escapes


def _escaped(text: str) -> str:
    """``text`` escaped (translating only a text that needs it: most need nothing)."""
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def serialise(catalog: PoCatalog) -> bytes:
    """The catalog as PO text (UTF-8, LF): header, entries, then obsolete entries."""
    entries = ([catalog.header] if catalog.header else []) + catalog.entries + catalog.obsolete
    return "\n".join(_entry_text(entry) for entry in entries).encode("utf-8")


def serialise_placed(catalog: PoCatalog) -> bytes:
    """``serialise``, each entry given the lines it is written on, as the reader gives them
    (its first line, and those of its msgid, msgid_plural and msgstr or msgstr[0])."""
    entries = ([catalog.header] if catalog.header else []) + catalog.entries + catalog.obsolete
    texts, line = [], 1
    for entry in entries:
        out = _entry_lines(entry)
        entry.line, entry.msgid_line = line, None
        entry.msgid_plural_line = entry.msgstr_line = None
        for number, text in enumerate(out, line):
            keyword = text.removeprefix("#~ ").split(" ", 1)[0]
            if keyword == "msgid":
                entry.msgid_line = number
            elif keyword == "msgid_plural":
                entry.msgid_plural_line = number
            elif keyword in ("msgstr", "msgstr[0]"):
                entry.msgstr_line = number
        texts.append("\n".join(out) + "\n")
        line += len(out) + 1
    return "\n".join(texts).encode("utf-8")


def _flag_order(flags: set[str]) -> list[str]:
    ordered = ["fuzzy"] if "fuzzy" in flags else []
    ordered += [flag for lang in FORMAT_LANGUAGES for flag in (
        f"{lang}-format", f"possible-{lang}-format", f"no-{lang}-format") if flag in flags]
    ordered += sorted(f for f in flags if f.startswith("range:"))
    ordered += [f for f in ("no-wrap", "wrap") if f in flags]
    return ordered + sorted(f for f in flags if f not in ordered)


def _string(prefix: str, keyword: str, value: str) -> list[str]:
    """A keyword and its string, split after each line break but the last (gettext's wrap())."""
    if "\n" not in value[:-1]:
        return [f'{prefix}{keyword} "{_escaped(value)}"']
    portions = value.split("\n")
    lines = [f"{portion}\n" for portion in portions[:-1]] + ([portions[-1]] if portions[-1] else [])
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{_escaped(line)}"'
                                         for line in lines]


def _entry_text(entry: PoEntry) -> str:
    return "\n".join(_entry_lines(entry)) + "\n"


def _entry_lines(entry: PoEntry) -> list[str]:
    out = [f"# {c}" if c else "#" for c in entry.translator_comments]
    out += [f"#. {c}" if c else "#." for c in entry.extracted_comments]
    if entry.references:
        line = "#:"
        for reference in dict.fromkeys(entry.references):
            if len(line) > 2 and len(line) + len(reference) + 1 > PAGE_WIDTH:
                out.append(line)
                line = "#:"
            line += " " + reference
        out.append(line)
    if entry.flags:
        out.append("#, " + ", ".join(_flag_order(entry.flags)))
    previous = "#~| " if entry.obsolete else "#| "
    prefix = "#~ " if entry.obsolete else ""
    for keyword, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                           ("msgid_plural", entry.previous_msgid_plural)):
        if value is not None:
            out += _string(previous, keyword, value)
    if entry.msgctxt is not None:
        out += _string(prefix, "msgctxt", entry.msgctxt)
    out += _string(prefix, "msgid", entry.msgid)
    if entry.msgid_plural is not None:
        out += _string(prefix, "msgid_plural", entry.msgid_plural)
        for i, string in enumerate(entry.msgstr_plural):
            out += _string(prefix, f"msgstr[{i}]", string)
    else:
        out += _string(prefix, "msgstr", entry.msgstr)
    return out

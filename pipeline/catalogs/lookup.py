"""Serving one catalog's translations while an edition is rendered, remembering every fallback."""

from __future__ import annotations

from dataclasses import dataclass, field

from .pofile import Key, PoCatalog, PoEntry


def usable(entry: PoEntry | None) -> bool:
    """A translation an edition may print: present, reviewed (not fuzzy), every form filled."""
    return entry is not None and not entry.fuzzy and bool(entry.strings) and all(entry.strings)


@dataclass
class Lookup:
    """Translations of one catalog for rendering one edition, remembering every fallback."""

    code: str
    catalog: PoCatalog
    entries: dict[Key, PoEntry] = field(init=False)
    fallbacks: list[Key] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries = self.catalog.index()

    def translate(self, context: str | None, msgid: str, source_language: str) -> tuple[str, bool]:
        """The translation and whether it fell back to the source text. A text in this
        catalog's own language is printed as written, whatever its entry says (as
        ``EditionMessage.as_written_in`` decides for an edition's messages): here for the
        templates' words, which the pages ask for directly."""
        if source_language == self.code:
            return msgid, False
        entry = self.entries.get((context, msgid))
        if entry is not None and usable(entry):
            return entry.msgstr, False
        self.fallbacks.append((context, msgid))
        return msgid, True

    def translate_plural(self, context: str | None, singular: str, plural: str, n: int,
                         source_language: str) -> tuple[str, bool]:
        if source_language == self.code:
            return (singular if n == 1 else plural), False
        entry = self.entries.get((context, singular))
        if entry is not None and usable(entry) and entry.is_plural:
            index = self.catalog.plural_index(n)
            if 0 <= index < len(entry.msgstr_plural):
                return entry.msgstr_plural[index], False
        self.fallbacks.append((context, singular))
        return (singular if n == 1 else plural), True

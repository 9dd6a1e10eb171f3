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
        """The translation and whether it fell back to the source text."""
        entry = self.entries.get((context, msgid))
        if entry is not None and usable(entry):
            return entry.msgstr, False
        if source_language != self.code:
            self.fallbacks.append((context, msgid))
        return msgid, source_language != self.code

    def translate_plural(self, context: str | None, singular: str, plural: str, n: int,
                         source_language: str) -> tuple[str, bool]:
        entry = self.entries.get((context, singular))
        if entry is not None and usable(entry) and entry.is_plural:
            index = self.catalog.plural_index(n)
            if 0 <= index < len(entry.msgstr_plural):
                return entry.msgstr_plural[index], False
        if source_language != self.code:
            self.fallbacks.append((context, singular))
        return (singular if n == 1 else plural), source_language != self.code

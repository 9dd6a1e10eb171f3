"""Serving one catalog's translations while an edition is rendered, remembering every message
that had to fall back to its source text."""

from __future__ import annotations

import gettext
from dataclasses import dataclass, field

from babel.messages.catalog import Catalog, Message

from .pofile import Key, is_complete, key_of, strings


@dataclass
class Lookup:
    """Translations of one catalog for rendering one edition, remembering every fallback."""

    code: str
    catalog: Catalog
    messages: dict[Key, Message] = field(init=False)
    fallbacks: list[Key] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.messages = messages_by_key(self.catalog)
        self._plural = gettext.c2py(self.catalog.plural_expr)

    def _usable(self, message: Message | None) -> bool:
        return message is not None and not message.fuzzy and is_complete(message)

    def translate(self, context: str | None, msgid: str, source_language: str) -> tuple[str, bool]:
        """The translation and whether it fell back to the source text."""
        message = self.messages.get((context, msgid))
        if message is not None and self._usable(message):
            return str(message.string), False
        if source_language != self.code:
            self.fallbacks.append((context, msgid))
        return msgid, source_language != self.code

    def translate_plural(self, context: str | None, singular: str, plural: str, n: int,
                         source_language: str) -> tuple[str, bool]:
        message = self.messages.get((context, singular))
        if message is not None and self._usable(message):
            return strings(message.string)[self._plural(n)], False
        if source_language != self.code:
            self.fallbacks.append((context, singular))
        english = gettext.NullTranslations().ngettext(singular, plural, n)
        return english, source_language != self.code


def messages_by_key(catalog: Catalog) -> dict[Key, Message]:
    """The catalog's messages (not its header) by context and msgid."""
    return {key_of(m): m for m in catalog if m.id}

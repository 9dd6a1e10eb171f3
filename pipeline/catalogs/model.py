"""The PO model: an entry, a catalog, its header fields and its plural forms (compiled by
``gettext.c2py``: C's grammar without unary minus, anything else refused, never run; checked over
n = 0..1000 as msgfmt checks them)."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import Problem

Key = tuple[str | None, str]  # (context, singular msgid)

SAME = "ignore-same"
"""An entry whose translation is the source text on purpose (a name or a code kept in Latin
letters): the flag ``#, ignore-same`` (Weblate's), or a translator comment line that is exactly
``# ignore-same``,
which msgcat, and Poedit saving through it, keep where they drop a flag gettext does not know."""


@dataclass(slots=True)
class PoEntry:
    """One PO entry. ``msgstr_plural`` holds msgstr[0..] when ``msgid_plural`` is set (then
    ``msgstr`` is unused and empty). Line numbers are where the entry was read (None when built in
    code) and take no part in comparisons."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int | None = field(default=None, compare=False)  # its first comment or keyword
    msgid_line: int | None = field(default=None, compare=False)
    msgid_plural_line: int | None = field(default=None, compare=False)
    msgstr_line: int | None = field(default=None, compare=False)  # of msgstr, or of msgstr[0]

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def meant_same(self) -> bool:
        """The translation is the source text on purpose: the flag or the comment ``SAME``."""
        return SAME in self.flags or self.same_comment

    @property
    def same_comment(self) -> bool:
        """A translator comment line that is exactly ``SAME`` (spaces aside): a comment that
        only mentions it (``ignore-same: please translate!``) marks nothing."""
        return any(line.strip() == SAME for c in self.translator_comments
                   for line in c.splitlines())

    @property
    def is_plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def strings(self) -> list[str]:
        """The translations: ``[msgstr]``, or ``msgstr[0..]``."""
        return list(self.msgstr_plural) if self.is_plural else [self.msgstr]

    @property
    def translated(self) -> bool:
        """Has some translation (msgfmt's test for checking an entry), fuzzy or not."""
        return any(self.strings)


@dataclass
class PoCatalog:
    """A catalog: the header entry, the active entries in file order, then the obsolete ones.
    ``line_ending`` is what the file used ("\\n" or "\\r\\n"); ``serialise`` always writes "\\n"."""

    header: PoEntry | None = None
    entries: list[PoEntry] = field(default_factory=list)
    obsolete: list[PoEntry] = field(default_factory=list)
    file: str | None = field(default=None, compare=False)
    warnings: list[Problem] = field(default_factory=list, compare=False)
    line_ending: str = field(default="\n", compare=False)

    def __iter__(self) -> Iterator[PoEntry]:
        return iter(self.entries)

    def get(self, msgid: str, msgctxt: str | None = None) -> PoEntry | None:
        return self.index().get((msgctxt, msgid))

    def index(self) -> dict[Key, PoEntry]:
        """The active entries by (msgctxt, msgid)."""
        return {entry.key: entry for entry in self.entries}

    def header_field(self, name: str) -> str | None:
        fields = header_fields(self.header.msgstr if self.header else "")
        return next((v for k, v in fields if k.lower() == name.lower()), None)

    def set_header_field(self, name: str, value: str) -> None:
        """Replace a header field's value (in place) or append the field."""
        header = self.header = self.header or PoEntry(msgid="")
        lines = header.msgstr.split("\n")
        at = next((i for i, line in enumerate(lines) if line.partition(":")[0].strip().lower()
                   == name.lower()), None)
        if at is None:
            lines[-1:] = [line for line in lines[-1:] if line] + [f"{name}: {value}", ""]
        else:
            lines[at] = f"{name}: {value}"
        header.msgstr = "\n".join(lines)

    @property
    def nplurals(self) -> int | None:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header_field("Plural-Forms") or "")
        return int(match.group(1)) if match else None

    @property
    def plural_expr(self) -> str | None:
        match = re.search(r"plural\s*=\s*([^;]*)", self.header_field("Plural-Forms") or "")
        return match.group(1).strip() if match else None

    def plural_index(self, n: int) -> int:
        """The msgstr index for the count ``n`` (Germanic n != 1 when there is no Plural-Forms)."""
        return parse_plural(self.plural_expr or "n != 1")(n)


def header_fields(header: str) -> list[tuple[str, str]]:
    parts = [line.partition(":") for line in header.split("\n")]
    return [(name.strip(), value.strip()) for name, colon, value in parts
            if colon and name.strip() and " " not in name.strip()]


class PluralError(ValueError):
    """An invalid plural expression, or one that cannot be evaluated for some n."""


@lru_cache(maxsize=64)
def parse_plural(expression: str) -> Callable[[int], int]:
    """A C plural expression (the ``plural=`` part, with or without a final ';') as a function
    of n, by ``gettext.c2py``. Raises ``PluralError`` for anything outside gettext's grammar."""
    try:
        return gettext.c2py(expression.strip().removesuffix(";"))
    except ValueError as error:
        raise PluralError(str(error)) from None


@lru_cache(maxsize=64)  # every read of a catalog asks, and the answer takes 1001 evaluations
def plural_problem(expression: str, nplurals: int) -> str | None:
    """What msgfmt would refuse in a plural expression, checked for n = 0..1000: invalid syntax,
    division by zero, a negative index, an index >= nplurals. None when it is fine."""
    try:
        function = parse_plural(expression)
    except PluralError as error:
        return f"the plural expression is invalid ({error})"
    for n in range(1001):
        try:
            value = function(n)
        except ZeroDivisionError:
            return f"the plural expression divides by zero (for n = {n})"
        if value < 0:
            return f"the plural expression gives a negative index (for n = {n})"
        if value >= nplurals:
            return (f"the plural expression gives index {value} for n = {n}, but nplurals = "
                    f"{nplurals} allows only 0..{nplurals - 1}")
    return None


@lru_cache(maxsize=64)
def plural_distribution(expression: str, nplurals: int) -> frozenset[int]:
    """The forms used for more than 5 values of n in 0..1000 (gettext's 'often'), of an
    expression ``plural_problem`` accepts; a form used for few values may leave out the number's
    placeholder."""
    counts = Counter(parse_plural(expression)(n) for n in range(1001))
    return frozenset(index for index, count in counts.items() if count > 5 and index < nplurals)

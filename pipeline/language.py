"""What CLDR (through Babel) says about a language: direction, script, dates, digits, plurals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache

from babel import Locale, dates
from babel.core import get_global
from babel.messages.plurals import get_plural

from .errors import PipelineError

# The first digit (zero) of each numeric numbering system that CLDR names as some locale's
# default; the other nine follow it in Unicode. Babel knows a locale's numbering system but not
# its digits. A test checks this covers every default system in Babel's data.
NUMBERING_SYSTEM_ZERO = {
    "adlm": 0x1E950, "arab": 0x0660, "arabext": 0x06F0, "beng": 0x09E6, "cakm": 0x11136,
    "deva": 0x0966, "hmnp": 0x1E140, "latn": 0x0030, "mtei": 0xABF0, "mymr": 0x1040,
    "nkoo": 0x07C0, "olck": 0x1C50, "tibt": 0x0F20,
}


@dataclass(frozen=True)
class Language:
    """A language as an edition is printed in it: ``code`` names the catalog, ``locale`` (such as
    ``ar_SY``) the conventions its dates and digits follow."""

    code: str
    locale: Locale

    @property
    def tag(self) -> str:
        """The BCP 47 tag for ``lang`` attributes and the PDF: ``ar-SY``."""
        return str(self.locale).replace("_", "-")

    @property
    def direction(self) -> str:
        return self.locale.text_direction

    @property
    def script(self) -> str:
        """The ISO 15924 script the language is written in (``Arab``, ``Latn``)."""
        if self.locale.script:
            return self.locale.script
        likely = get_global("likely_subtags").get(self.locale.language, "")
        parts = likely.split("_")
        return next((p for p in parts[1:] if len(p) == 4), "Latn")

    @property
    def name(self) -> str:
        """The language's own name for itself, as a language switcher shows it."""
        return Locale.parse(self.code).get_display_name(Locale.parse(self.code)) or self.code

    @property
    def digits(self) -> str:
        system = self.locale.default_numbering_system
        if system not in NUMBERING_SYSTEM_ZERO:
            raise PipelineError(f"the numbering system {system!r} of {self.locale} is not "
                                "supported: add its digits to NUMBERING_SYSTEM_ZERO")
        zero = NUMBERING_SYSTEM_ZERO[system]
        return "".join(chr(zero + n) for n in range(10))

    def localise_digits(self, text: str) -> str:
        """Western digits written as the locale writes them (Babel formats with 0-9)."""
        return text.translate(str.maketrans("0123456789", self.digits))

    def format_date(self, date: datetime.date, precision: str = "day") -> str:
        """A day, a month or a year as the locale writes it in running text: ``3 January 2018``,
        ``August 2017``, ``آب ٢٠١٧``."""
        if precision == "day":
            text = dates.format_date(date, "long", locale=self.locale)
        else:
            skeleton = "yMMMM" if precision == "month" else "y"
            text = dates.format_skeleton(skeleton, date, locale=self.locale)
        return self.localise_digits(text)

    def format_number(self, number: int) -> str:
        from babel.numbers import format_decimal

        return self.localise_digits(format_decimal(number, locale=self.locale,
                                                   numbering_system="default"))

    @property
    def plural_forms(self) -> tuple[int, str]:
        """How many plural forms gettext needs and the C expression choosing one."""
        plural = get_plural(self.locale)
        return plural.num_plurals, plural.plural_expr


@cache
def language(code: str, locale: str | None = None) -> Language:
    return Language(code, Locale.parse(locale or code))


def likely_language(script: str) -> str:
    """The language CLDR finds most likely for text in a script: ``Arab`` -> ``ar``."""
    likely = get_global("likely_subtags").get(f"und_{script}", "")
    return likely.split("_")[0] or "und"


def plural_forms(code: str) -> tuple[int, str]:
    """How many plural forms a language has in gettext, and the C expression choosing one."""
    return language(code).plural_forms

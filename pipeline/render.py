"""Merging a statement and a catalog into one language's HTML edition (Jinja2).

Nothing from a statement or a catalog becomes markup: the environment autoescapes, and the
gettext callables escape translations before Jinja marks them safe. Dates, counts and list and
page numbers follow the edition's locale; in a right-to-left edition each run of Latin text is
wrapped in Unicode isolates so the bidi algorithm cannot move the punctuation around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from markupsafe import Markup, escape

from .catalogs import Lookup
from .errors import PipelineError
from .language import Language, language
from .pdf import DEFAULT_OPTIONS, PrintOptions
from .project import TEMPLATE_LANGUAGE, Project
from .source import Statement

TEMPLATE = "statement.html.j2"
BILINGUAL_TEMPLATE = "bilingual.html.j2"
INDEX_TEMPLATE = "index.html.j2"
ASSETS = "../_assets"
"""Where an edition's HTML finds the stylesheet and fonts, relative to its own folder."""

PAGE, PAGES = "\ue000", "\ue001"
"""Stand-ins for the page counters inside translated page furniture; see ``css_content``."""

_LETTERS = "A-Za-z\u00c0-\u024f"
_WORD = rf"[0-9]*[{_LETTERS}][{_LETTERS}0-9]*"  # a Latin word (Help4Syria, 2nd)
_GROUP = rf"\({_WORD}(?:[ '’.,&/+-]+(?:{_WORD}|[0-9]+))*\)"  # a bracketed one: (SNHR)
LATIN_RUN = re.compile(rf"(?:{_WORD}|{_GROUP})(?:[ '’.,&/+-]+(?:{_WORD}|{_GROUP}|[0-9]+(?![0-9])))*"
                       rf"(?<![ '’.,&/+-])")
"""A phrase in Latin letters: words with the spaces, punctuation, numbers and balanced
brackets between them, isolated as one, so "Syrian Network for Human Rights (SNHR)" or
"Group 2011" keep their order inside an Arabic line."""
FSI, PDI = "\u2068", "\u2069"
_ISOLATABLE = re.compile(r"(%\([^)]*\)[a-z])|(" + LATIN_RUN.pattern + ")")


def isolate_latin(text: str) -> str:
    """Wrap each run of Latin words in first-strong isolates, leaving placeholders alone."""
    return _ISOLATABLE.sub(lambda m: m.group() if m.group(1) else f"{FSI}{m.group()}{PDI}", text)


@dataclass(frozen=True)
class Localised:
    """A piece of text in the edition's language, or the source text it fell back to."""

    text: str
    fallback: bool = False
    language: str | None = None  # a fallback's BCP 47 tag and direction, for its attributes
    direction: str | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Provenance:
    """Which source text and which translations an edition was printed from."""

    source_version: str
    catalog_version: str


@dataclass(frozen=True)
class Edition:
    html: str
    fallbacks: int


@cache
def environment(templates_dir: Path):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # only when rendering

    env = Environment(
        loader=FileSystemLoader(templates_dir), autoescape=True, undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters["css_string"] = css_string
    env.filters["css_content"] = css_content
    return env


def css_string(value) -> Markup:
    """A CSS string literal that no text can break out of (quotes, backslashes, ``</style>``)."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    out = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup('"' + "".join(out) + '"')


def css_content(value, counter_style: str) -> Markup:
    """Translated furniture such as 'Page %(page)s of %(pages)s' as a CSS ``content`` value, its
    placeholders replaced by page counters in the edition's digits."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    parts = []
    for piece in re.split(f"([{PAGE}{PAGES}])", text):
        if piece == PAGE:
            parts.append(f"counter(page, {counter_style})")
        elif piece == PAGES:
            parts.append(f"counter(pages, {counter_style})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


@dataclass(frozen=True)
class Alternate:
    """Another language's edition of the same statement, for the language switcher."""

    code: str
    tag: str
    name: str
    href: str
    current: bool = False


class Side:
    """A statement as one language shows it: its texts, its template words, its digits."""

    def __init__(self, statement: Statement, language: Language, lookup: Lookup):
        self.statement = statement
        self.language = language
        self.lookup = lookup
        self._isolate = language.direction == "rtl"
        self._source_tag = statement.language.replace("_", "-")
        self._source_direction = Locale.parse(statement.language).text_direction
        self.title = self.localise("title", statement.title.value)
        self.subtitle = (self.localise("subtitle", statement.subtitle.value)
                         if statement.subtitle else None)
        self.issuer = self.localise("issuer", statement.issuer.value)
        self.body = [self.localise("paragraph", p.value) for p in statement.body]
        self.signatories = [self.localise("signatory", s.value) for s in statement.signatories]
        self.date = language.format_date(statement.date)
        self.digits = list(language.digits)
        self.start = "right" if language.direction == "rtl" else "left"
        self.end = "left" if language.direction == "rtl" else "right"

    def localise(self, context: str, text: str) -> Localised:
        value, fallback = self.lookup.translate(context, text, self.statement.language)
        if fallback:
            return Localised(value, True, self._source_tag, self._source_direction)
        return Localised(isolate_latin(value) if self._isolate else value)

    def number(self, value: int) -> str:
        return self.language.format_number(value)

    def _word(self, context, singular, plural=None, n=None) -> Markup:
        if plural is None:
            value, fallback = self.lookup.translate(context, singular, TEMPLATE_LANGUAGE)
        else:
            value, fallback = self.lookup.translate_plural(context, singular, plural, n,
                                                           TEMPLATE_LANGUAGE)
        if fallback and language(TEMPLATE_LANGUAGE).direction != self.language.direction:
            return escape(f"{FSI}{value}{PDI}")  # a whole phrase of the source, kept in order
        return escape(isolate_latin(value) if self._isolate else value)

    # The template's gettext functions (Jinja's newstyle i18n calls them, then formats).
    def gettext(self, message: str, **variables) -> Markup:
        return self._word(None, message) % variables if variables else self._word(None, message)

    def pgettext(self, context: str, message: str) -> Markup:
        return self._word(context, message)

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> Markup:
        return self._word(context, singular, plural, n)


def _render(project: Project, template: str, side: Side | None, context: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    env = environment(project.templates_dir)
    if side is not None:
        env.install_gettext_callables(
            lambda message: side._word(None, message),
            lambda singular, plural, n: side._word(None, singular, plural, n),
            newstyle=True, pgettext=side.pgettext, npgettext=side.npgettext)
    context = {"assets": ASSETS, "PAGE": PAGE, "PAGES": PAGES, **context}
    try:
        return env.get_template(template).render(context)
    except TemplateSyntaxError as error:
        raise PipelineError(f"template error: {error.message}",
                            project.relative(Path(error.filename)) if error.filename
                            else f"templates/{template}", error.lineno) from None
    except PipelineError:
        raise
    except Exception as error:  # whatever a template's expression raised, where it did
        file, line = _template_frame(error, project, template)
        if isinstance(error, TemplateNotFound):
            problem = f"template error: no template {error.name!r} in templates/"
        elif isinstance(error, TemplateError):
            problem = f"template error: {error}"
        else:
            problem = f"template error: {type(error).__name__}: {error}"
            if side is not None and isinstance(error, (KeyError, ValueError, TypeError)):
                problem += (" (if it comes from a translation's placeholders, run "
                            f"`python -m pipeline check --lang {side.language.code}`)")
        raise PipelineError(problem, file, line) from None


def _template_frame(error: BaseException, project: Project, template: str) -> tuple[str, int | None]:
    """The innermost template line in a traceback (Jinja maps template frames to their lines)."""
    file, line = f"templates/{template}", None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            file, line = project.relative(Path(name)), tb.tb_lineno
        tb = tb.tb_next
    return file, line


def render_edition(project: Project, statement: Statement, language: Language, lookup: Lookup,
                   provenance: Provenance, draft: bool = False,
                   options: PrintOptions = DEFAULT_OPTIONS,
                   alternates: tuple[Alternate, ...] = ()) -> Edition:
    """One language's edition of a statement, as HTML for print and screen."""
    side = Side(statement, language, lookup)
    html = _render(project, TEMPLATE, side, {
        "statement": statement, "side": side, "language": language,
        "title": side.title, "subtitle": side.subtitle, "issuer": side.issuer, "body": side.body,
        "signatories": side.signatories, "date": side.date, "digits": side.digits,
        "number": side.number, "draft": draft, "provenance": provenance, "options": options,
        "alternates": alternates})
    return Edition(html, len(lookup.fallbacks))


def render_bilingual(project: Project, statement: Statement, left: Side, right: Side,
                     provenance: Provenance, draft: bool = False,
                     options: PrintOptions = DEFAULT_OPTIONS) -> Edition:
    """Two languages side by side, paragraph by paragraph, each in its own direction."""
    html = _render(project, BILINGUAL_TEMPLATE, None, {
        "statement": statement, "left": left, "right": right, "draft": draft,
        "provenance": provenance, "options": options,
        "rows": list(zip(left.body, right.body, strict=True)),
        "names": list(zip(left.signatories, right.signatories, strict=True))})
    return Edition(html, len(left.lookup.fallbacks) + len(right.lookup.fallbacks))


def render_index(project: Project, editions: list[dict]) -> str:
    """``output/index.html``: every statement and the languages it is published in."""
    return _render(project, INDEX_TEMPLATE, None, {"editions": editions})

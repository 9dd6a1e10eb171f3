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
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup, escape

from .catalogs import Lookup
from .errors import PipelineError
from .language import Language
from .project import TEMPLATE_LANGUAGE, Project
from .source import Statement

TEMPLATE = "statement.html.j2"
ASSETS = "../_assets"
"""Where an edition's HTML finds the stylesheet and fonts, relative to its own folder."""

PAGE, PAGES = "\ue000", "\ue001"
"""Stand-ins for the page counters inside translated page furniture; see ``css_content``."""

LATIN_RUN = re.compile(r"[0-9]*[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9]*"
                       r"(?:[ '’.&/+-]+[0-9]*[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9]*)*")
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
def environment(templates_dir: Path) -> Environment:
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


def render_edition(project: Project, statement: Statement, language: Language, lookup: Lookup,
                   provenance: Provenance, draft: bool = False) -> Edition:
    isolate = language.direction == "rtl"
    source_tag = statement.language.replace("_", "-")
    source_direction = Locale.parse(statement.language).text_direction

    def localise(context: str, text: str) -> Localised:
        value, fallback = lookup.translate(context, text, statement.language)
        if fallback:
            return Localised(value, True, source_tag, source_direction)
        return Localised(isolate_latin(value) if isolate else value)

    def lookup_template(context, singular, plural=None, n=None) -> Markup:
        if plural is None:
            value, _ = lookup.translate(context, singular, TEMPLATE_LANGUAGE)
        else:
            value, _ = lookup.translate_plural(context, singular, plural, n, TEMPLATE_LANGUAGE)
        if isolate:
            value = isolate_latin(value)
        return escape(value)

    env = environment(project.templates_dir)
    env.install_gettext_callables(
        lambda message: lookup_template(None, message),
        lambda singular, plural, n: lookup_template(None, singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: lookup_template(context, message),
        npgettext=lambda context, singular, plural, n: lookup_template(context, singular,
                                                                        plural, n))
    context = {
        "statement": statement,
        "title": localise("title", statement.title.value),
        "subtitle": localise("subtitle", statement.subtitle.value) if statement.subtitle else None,
        "issuer": localise("issuer", statement.issuer.value),
        "body": [localise("paragraph", p.value) for p in statement.body],
        "signatories": [localise("signatory", s.value) for s in statement.signatories],
        "date": language.format_date(statement.date),
        "language": language,
        "digits": list(language.digits),
        "draft": draft,
        "provenance": provenance,
        "assets": ASSETS,
        "PAGE": PAGE,
        "PAGES": PAGES,
        "number": language.format_number,
    }
    try:
        html = env.get_template(TEMPLATE).render(context)
    except TemplateSyntaxError as error:
        raise PipelineError(f"template error: {error.message}",
                            project.relative(Path(error.filename)) if error.filename else TEMPLATE,
                            error.lineno) from None
    except TemplateError as error:
        raise PipelineError(f"template error: {error}", f"templates/{TEMPLATE}") from None
    except (KeyError, ValueError, TypeError) as error:
        raise PipelineError(f"a translation does not fit its placeholders ({error!r}): run "
                            f"`python -m pipeline check --lang {language.code}`",
                            project.relative(project.catalog_path(language.code))) from None
    return Edition(html, len(lookup.fallbacks))

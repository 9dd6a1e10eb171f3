"""Merging a statement and a catalog into one language's HTML edition (Jinja2, sandboxed).

Templates come from the run's snapshot (never from the disk again) and run in Jinja's immutable
sandbox: they can format what they are given and nothing more — no attribute of Python's
internals, no file, no network. Nothing from a statement or a catalog becomes markup: the
environment autoescapes, and the gettext callables escape translations before Jinja marks them
safe. The callables are passed with each render; nothing is installed on the shared environment.
Dates, counts and list and page numbers follow the edition's locale; in a right-to-left edition
each run of Latin text is wrapped in Unicode isolates so the bidi algorithm cannot move the
punctuation around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from babel import Locale
from markupsafe import Markup, escape

from . import markup
from .catalogs.lookup import Lookup
from .catalogs.pofile import Key
from .errors import PipelineError
from .language import Language, language, likely_language
from .language import language as get_language
from .messages import EditionMessage, body_context
from .model import Alternate, PrintOptions, Provenance
from .project import BILINGUAL_TEMPLATE, EDITION_TEMPLATE, INDEX_TEMPLATE, TEMPLATE_LANGUAGE
from .share import CardSide
from .share import plain as card_text
from .snapshot import Snapshot
from .source import Statement
from .templating import PAGE, PAGES, environment
from .text import FSI, PDI, bind_short_words, isolate_latin, script_of

RUNNING_TITLE_LENGTH = 60
"""The most characters of a title the running header shows (a short title is better)."""

ISOLATED = re.compile(f"{FSI}[^{FSI}{PDI}<>]*{PDI}")



@dataclass(frozen=True)
class Localised:
    """A piece of text in the edition's language, or the source text it fell back to: Markdown
    (see ``markup``), shown as block HTML (a paragraph, ``.html``), inline HTML (a title or a
    name, ``.inline``) or plain text (``str()``: the page title, a running header, metadata)."""

    text: str
    fallback: bool = False
    language: str | None = None  # a fallback's BCP 47 tag and direction, for its attributes
    direction: str | None = None
    isolate: bool = False  # Latin runs isolated: a right-to-left edition's own text
    block: bool = False  # a paragraph, which may hold lists
    latin: str = "en"  # the language a Latin run in a right-to-left text is tagged with
    heading: bool = False  # a title: short words bound to the next, no line ends on one
    section: bool = False  # a section heading (``## …``): printed as its words, in an h2

    @property
    def _filter(self) -> Callable[[str], str] | None:
        if self.heading:
            return (lambda text: isolate_latin(bind_short_words(text))) if self.isolate \
                else bind_short_words
        return isolate_latin if self.isolate else None

    def _tagged(self, html: Markup) -> Markup:
        """Each isolated Latin run of the text as ``<span lang class="latin">``: read in its own
        language's voice, and set at a size that matches the Naskh around it. (Isolates are only
        ever in text, already escaped, never in an attribute.)"""
        if not self.isolate:
            return html
        return Markup(ISOLATED.sub(lambda m: f'<span lang="{self.latin}" class="latin">'
                                             f"{m.group()}</span>", str(html)))

    @property
    def html(self) -> Markup:
        return self._tagged(markup.to_html(self.text, text_filter=self._filter,
                                           inline_only=not self.block,
                                           keep_last_words=self.block))

    @property
    def _words(self) -> str:
        """The text to show: a section heading's words without its ``## `` (a translation that
        lost it, refused by ``check``, shows as written in a draft)."""
        if self.section:
            return markup.section_heading(self.text) or self.text
        return self.text

    @property
    def inline(self) -> Markup:
        return self._tagged(markup.to_html(self._words, text_filter=self._filter,
                                           inline_only=True, keep_last_words=self.heading))

    def __str__(self) -> str:
        filtered = isolate_latin if self.isolate else None  # plain text: no binding needed
        return markup.plain_text(self._words, text_filter=filtered, inline_only=not self.block)


@dataclass(frozen=True)
class Rendered:
    """An edition's HTML, and the messages that fell back to their source text."""

    html: str
    fallbacks: tuple[Key, ...]
    title: str = ""  # plain text, as the index lists it
    card: tuple[CardSide, ...] = ()  # the share image's words (see ``share``)
    subject: str | None = None  # the PDF's subject: the subtitle (the page has a description)


DESCRIPTION_LENGTH = 160
"""About how many characters a page's description has: its first paragraph, cut at a word."""


def description(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """Plain text on one line, cut at a word boundary near ``length`` characters (with …)."""
    words = " ".join(text.replace(FSI, "").replace(PDI, "").split())
    if len(words) <= length:
        return words
    cut = words[: length - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:،؛-–—.") + "…"


@dataclass(frozen=True)
class Web:
    """What a page says about itself beyond its text: where it is, and what it links to besides
    its other languages (the plan decides which of those exist once the build is done)."""

    page: str = ""  # its path below output/ (``sochi-2018/sochi-2018.en.html``; "": the index)
    site_url: str | None = None  # the ``site-url`` setting: addresses are absolute with it
    pdf: str | None = None  # its own PDF
    bilingual: str | None = None  # the bilingual edition, when there is one
    index: str | None = None  # the index of every statement (none in a bundle of its own)
    image: str | None = None  # the share image

    @property
    def canonical(self) -> str | None:
        """The page's own address, absolute: only with ``site-url`` (a relative canonical
        address means nothing)."""
        return urljoin(self.site_url, self.page) if self.site_url else None

    def absolute(self, href: str) -> str:
        """``href`` (relative to the page) as the page gives it to others: absolute with
        ``site-url``, as it is without."""
        return urljoin(self.canonical, href) if self.canonical else href


def first_paragraph(body: list[Localised]) -> str:
    return next((str(text) for text in body if not text.section), "")


# --- one language's view of a statement ----------------------------------------------------------

class Side:
    """A statement as one language shows it: its texts, its template words, its digits; and the
    gettext callables its templates call (``_``, ``ngettext``, ``pgettext``, ``npgettext``)."""

    def __init__(self, statement: Statement, language: Language, lookup: Lookup,
                 messages: list[EditionMessage]):
        self.statement = statement
        self.language = language
        self.lookup = lookup
        self._isolate = language.direction == "rtl"
        self._source_tag = statement.language.replace("_", "-")
        self._source_direction = Locale.parse(statement.language).text_direction
        self._as_written = {m.key: text for m in messages
                            if (text := m.as_written_in(language.code)) is not None}
        self._given = {m.key: dict(m.given) for m in messages if m.given}
        self._latin = self._source_tag if get_language(statement.language).script == "Latn" \
            else "en"
        self.title = self.localise("title", statement.title.value)
        self.short_title = (self.localise("short-title", statement.short_title.value)
                            if statement.short_title else None)
        self.subtitle = (self.localise("subtitle", statement.subtitle.value)
                         if statement.subtitle else None)
        self.issuer = self.localise("issuer", statement.issuer.value)
        self.body = [self.localise(body_context(p.value), p.value) for p in statement.body]
        self.signatories = [self.localise("signatory", s.value) for s in statement.signatories]
        self.date = language.format_date(statement.date.first_day(), statement.date.precision)
        self.updated = (language.format_date(statement.updated.first_day(),
                                             statement.updated.precision)
                        if statement.updated else None)
        self.digits = list(language.digits)
        self.is_source = language.code == statement.language
        """The edition in the statement's own language: printed from no translation."""
        self.start = "right" if language.direction == "rtl" else "left"
        self.end = "left" if language.direction == "rtl" else "right"

    def localise(self, context: str, text: str) -> Localised:
        block = context == "paragraph"
        heading = context in ("title", "subtitle", "heading")
        section = context == "heading"
        written = self._as_written.get((context, text))
        if written is not None:
            value, fallback = written, False
        else:
            value, fallback = self.lookup.translate(context, text, self.statement.language)
        if fallback:
            return Localised(value, True, self._source_tag, self._source_direction, block=block,
                             heading=heading, section=section)
        code = self._foreign_language(context, text, value)
        if code is not None:
            return Localised(value, False, code.replace("_", "-"), get_language(code).direction,
                             block=block, heading=heading, section=section)
        return Localised(value, isolate=self._isolate, latin=self._latin, block=block,
                         heading=heading, section=section)

    def _foreign_language(self, context: str, text: str, shown: str) -> str | None:
        """The language of a text shown in an edition of another script (a name written in
        Arabic in the English edition): the language the organisation gave it in, or the most
        likely one of its script. (Latin phrases in a right-to-left edition are tagged one by one,
        see ``Localised.latin``.)"""
        script = script_of(shown)
        if script is None or script == self.language.script or (self._isolate and script == "Latn"):
            return None
        given = self._given.get((context, text), {})
        return next((code for code, name in given.items() if name == shown), None) \
            or likely_language(script)

    @property
    def running_title(self) -> str:
        """The title at the top of every page: the short title, or the title cut at a word
        boundary when it is too long for one line of the header."""
        text = str(self.short_title if self.short_title is not None else self.title)
        if len(text) <= RUNNING_TITLE_LENGTH:
            return text
        cut = text[: RUNNING_TITLE_LENGTH - 1]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        return cut.rstrip(" ,;:،؛-–—") + "…"

    def number(self, value: int) -> str:
        return self.language.format_number(value)

    def code(self, value: str) -> Markup:
        """A version code (``6518447507aa``) in the colophon: in a text of another script, a run
        of Latin in one font, its digits and letters alike, kept left to right."""
        if self.language.script == "Latn":
            return escape(value)
        return Markup('<span lang="en" class="latin" dir="ltr">{}</span>').format(value)

    def _word(self, context: str | None, singular: str, plural: str | None = None,
              n: int = 1) -> Markup:
        if plural is None:
            value, fallback = self.lookup.translate(context, singular, TEMPLATE_LANGUAGE)
        else:
            value, fallback = self.lookup.translate_plural(context, singular, plural, n,
                                                           TEMPLATE_LANGUAGE)
        if fallback and language(TEMPLATE_LANGUAGE).direction != self.language.direction:
            return escape(f"{FSI}{value}{PDI}")  # a whole phrase of the source, kept in order
        return escape(isolate_latin(value) if self._isolate else value)

    # The templates' gettext callables, newstyle: they escape, then format with the variables.
    def gettext(self, message: str, **variables: object) -> Markup:
        word = self._word(None, message)
        return word % variables if variables else word

    def ngettext(self, singular: str, plural: str, n: int, **variables: object) -> Markup:
        return self._word(None, singular, plural, n) % {"num": n, **variables}

    def pgettext(self, context: str, message: str, **variables: object) -> Markup:
        word = self._word(context, message)
        return word % variables if variables else word

    def npgettext(self, context: str, singular: str, plural: str, n: int,
                  **variables: object) -> Markup:
        return self._word(context, singular, plural, n) % {"num": n, **variables}

    def callables(self) -> dict[str, Callable[..., Markup]]:
        return {"gettext": self.gettext, "_": self.gettext, "ngettext": self.ngettext,
                "pgettext": self.pgettext, "npgettext": self.npgettext}


# --- rendering -----------------------------------------------------------------------------------

def _render(snapshot: Snapshot, template: str, context: dict[str, object],
            language_code: str | None = None) -> str:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    env = environment(snapshot)
    where = f"templates/{template}"
    # Besides Jinja's own errors, a template expression or a translation's placeholders can raise
    # a lookup, value, type or arithmetic error, or recurse without end; anything else is a bug
    # and keeps its traceback.
    try:
        return env.get_template(template).render(context)
    except TemplateSyntaxError as error:
        raise PipelineError(f"template error: {error.message}", error.filename or where,
                            error.lineno) from None
    except (TemplateError, LookupError, ValueError, TypeError, ArithmeticError,
            RecursionError) as error:
        file, line = _template_frame(error, where)
        if isinstance(error, TemplateNotFound):
            problem = f"template error: no template {error.name!r} in templates/"
        elif isinstance(error, TemplateError):
            problem = f"template error: {error}"
        else:
            problem = f"template error: {type(error).__name__}: {error}"
            if language_code is not None:
                problem += (" (if it comes from a translation's placeholders, run "
                            f"`python -m pipeline check --lang {language_code}`)")
        raise PipelineError(problem, file, line) from None


def _template_frame(error: BaseException, where: str) -> tuple[str, int | None]:
    """The innermost template line in a traceback (Jinja maps template frames to their lines)."""
    file, line = where, None
    tb = error.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith("templates/"):
            file, line = name, tb.tb_lineno
        tb = tb.tb_next
    return file, line


def card_side(side: Side) -> CardSide:
    return CardSide(card_text(side.title), side.date, card_text(side.issuer), side.language.tag,
                    side.language.direction, side.language.script)


def render_edition(snapshot: Snapshot, side: Side, provenance: Provenance, draft: bool,
                   options: PrintOptions, alternates: tuple[Alternate, ...],
                   assets: str, web: Web = Web()) -> Rendered:
    """One language's edition of a statement, as HTML for print and screen."""
    html = _render(snapshot, EDITION_TEMPLATE, {
        "web": web, "description": description(first_paragraph(side.body)),
        "og_locale": str(side.language.locale),
        **side.callables(), "statement": side.statement, "side": side, "language": side.language,
        "title": side.title, "subtitle": side.subtitle, "issuer": side.issuer, "body": side.body,
        "signatories": side.signatories, "date": side.date, "digits": side.digits,
        "number": side.number, "draft": draft, "provenance": provenance, "options": options,
        "alternates": alternates, "assets": assets, "PAGE": PAGE, "PAGES": PAGES},
        side.language.code)
    return Rendered(html, tuple(side.lookup.fallbacks), plain(side.title), (card_side(side),),
                    str(side.subtitle) if side.subtitle else None)


def render_bilingual(snapshot: Snapshot, left: Side, right: Side, provenance: Provenance,
                     draft: bool, options: PrintOptions, assets: str,
                     alternates: tuple[Alternate, ...] = (), web: Web = Web()) -> Rendered:
    """Two languages side by side, paragraph by paragraph, each in its own direction;
    ``alternates`` are the sides' own editions it links (the plan says which exist)."""
    html = _render(snapshot, BILINGUAL_TEMPLATE, {
        "web": web, "description": description(first_paragraph(left.body)),
        "og_locale": str(left.language.locale),
        "statement": left.statement, "left": left, "right": right, "draft": draft,
        "alternates": alternates,
        "provenance": provenance, "options": options, "assets": assets,
        "PAGE": PAGE, "PAGES": PAGES,
        "rows": list(zip(left.body, right.body, strict=True)),
        "names": list(zip(left.signatories, right.signatories, strict=True))})
    return Rendered(html, tuple(left.lookup.fallbacks) + tuple(right.lookup.fallbacks),
                    plain(left.title), (card_side(left), card_side(right)),
                    str(left.subtitle) if left.subtitle else None)


def plain(text: Localised) -> str:
    """A text without markup or bidi isolates: as a list of titles shows it."""
    return str(text).replace(FSI, "").replace(PDI, "")


class Words:
    """The templates' own words in one language, for the index (which shows each of its words
    in every released language): a word the catalog does not translate is left out (empty)."""

    def __init__(self, language: Language, lookup: Lookup):
        self.language = language
        self.lookup = lookup

    @property
    def tag(self) -> str:
        return self.language.tag

    @property
    def direction(self) -> str:
        return self.language.direction

    def gettext(self, message: str, **variables: object) -> Markup:
        value, fallback = self.lookup.translate(None, message, TEMPLATE_LANGUAGE)
        if fallback:
            return Markup("")
        word = escape(isolate_latin(value) if self.direction == "rtl" else value)
        return word % variables if variables else word


def render_index(snapshot: Snapshot, listing: list[dict[str, object]],
                 words: list[Words] | None = None) -> str:
    """``output/index.html``: every statement and the languages it is published in, its own
    words in each language of ``words`` (the released ones), side by side."""
    return _render(snapshot, INDEX_TEMPLATE, {
        "editions": listing, "assets": "_assets", "languages": words or [],
        "web": Web("", snapshot.project.settings.site_url)})

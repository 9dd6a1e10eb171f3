"""Printing an edition's HTML to PDF with WeasyPrint, fenced in and checked.

The fetcher serves the edition's assets (stylesheet and fonts) from the bytes the run read, and
nothing else: no network, no file elsewhere. Every character must be covered by the fonts the
stylesheet declares: a missing glyph stops the build with its name instead of printing a box or
borrowing a font from whatever machine runs the build. WeasyPrint is imported only here, and only
when printing.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import PipelineError
from .model import PrintOptions
from .project import FONTS, STYLESHEET

FONT_URL = re.compile(r"url\(\s*['\"]?([^'\")]+\.(?:ttf|otf|woff2?))['\"]?\s*\)")


@dataclass(frozen=True)
class PrintJob:
    """What printing one edition needs, as plain data (it crosses into a worker process)."""

    name: str  # the edition, such as sochi-2018.ar: the PDF's identifier
    where: str  # the PDF's project-relative path, for messages
    html: str
    base_url: str  # the edition's folder, as a file URL: where its relative links start
    assets_url: str  # the folder the HTML finds its assets in, as a file URL
    assets: dict[str, bytes]  # the files below templates/ (fonts, stylesheet) by relative path
    options: PrintOptions


@dataclass(frozen=True)
class PrintedPdf:
    data: bytes
    pages: int


class _ShownText(HTMLParser):
    """Every character an HTML document shows, and the PDF's properties (title, author,
    description) from its ``meta`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chars: set[str] = set()

    def handle_data(self, data: str) -> None:
        self.chars.update(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self.chars.update("".join(value or "" for name, value in attrs if name == "content"))


def shown_characters(html: str) -> set[str]:
    parser = _ShownText()
    parser.feed(html)
    parser.close()
    return parser.chars


@cache
def _coverage(font: bytes) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(font), lazy=True) as parsed:
        return frozenset(parsed.getBestCmap())


GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui",
                    "ui-serif", "ui-sans-serif", "ui-monospace", "math", "emoji", "fangsong"}
KEYWORDS = {"inherit", "initial", "unset", "revert", "revert-layer"}


def _declarations(rules: list[Any]) -> list[Any]:
    """Every declaration of a stylesheet's rules, inside @media and @page blocks too."""
    import tinycss2

    found = []
    for rule in rules:
        if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            found += _declarations(tinycss2.parse_rule_list(rule.content, True, True))
            continue
        items = tinycss2.parse_blocks_contents(rule.content, True, True)
        found += [item for item in items if item.type == "declaration"]
        found += _declarations([item for item in items if item.type in ("at-rule",
                                                                          "qualified-rule")])
    return found


def _families(tokens: list[Any]) -> list[str]:
    """The family names of a ``font-family`` value: quoted, or identifiers joined by spaces."""
    names: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            names.append(" ".join(current))
            current = []
        elif token.type == "string":
            current.append(token.value)
        elif token.type == "ident":
            current.append(token.value)
    names.append(" ".join(current))
    return [name for name in names if name]


def _font_faces(rules: list[Any]) -> list[Any]:
    """The @font-face rules of a stylesheet, inside @media and @supports blocks too (the full
    fonts are declared in ``@media print``: screens load subsets of them)."""
    import tinycss2

    found = []
    for rule in rules:
        if rule.type != "at-rule" or rule.content is None:
            continue
        if rule.lower_at_keyword == "font-face":
            found.append(rule)
        elif rule.lower_at_keyword in ("media", "supports"):
            found += _font_faces(tinycss2.parse_rule_list(rule.content, True, True))
    return found


def check_font_families(css: str, file: str, declared: set[str] | None = None) -> set[str]:
    """The families ``@font-face`` declares; fails naming any ``font-family`` that is not one of
    them (a font of the machine, or a generic family that would pick one)."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    faces = set(declared or ())
    for rule in _font_faces(rules):
        for item in tinycss2.parse_blocks_contents(rule.content, True, True):
            if item.type == "declaration" and item.lower_name == "font-family":
                faces.update(_families(item.value))
    for item in _declarations(rules):
        if item.lower_name != "font-family":
            continue
        for family in _families(item.value):
            if family.lower() in KEYWORDS or family in faces:
                continue
            raise PipelineError(
                f"font-family names {family!r}, which is not a font of templates/{FONTS}: an "
                "edition uses only the fonts its stylesheet declares with @font-face (declared: "
                f"{', '.join(sorted(faces)) or 'none'}); name one of them", file, item.source_line)
    return faces


def check_stylesheet_urls(css: str, file: str, assets: dict[str, bytes]) -> None:
    """Every address the stylesheet names is one of its own files (a font below templates/):
    an @import or a url() of anything else is refused here, once, with its line."""
    import tinycss2

    def walk(tokens: list[Any]) -> None:
        for token in tokens:
            if token.type == "at-rule" and token.lower_at_keyword == "import":
                raise PipelineError("an @import is not allowed: an edition uses only this "
                                    "stylesheet and the fonts in templates/; copy the rules here",
                                    file, token.source_line)
            url = token.value if token.type == "url" else (
                token.arguments[0].value if token.type == "function" and token.lower_name == "url"
                and token.arguments and token.arguments[0].type == "string" else None)
            if url is not None and (url not in assets or url.endswith(".j2")):
                if FONT_URL.fullmatch(f"url({url})") and ":" not in url \
                        and ".." not in url.split("/") and not url.startswith("/"):
                    raise PipelineError(f"the font {url} cannot be read (there is no such file): "
                                        "put the font file there or correct the url()", file,
                                        token.source_line)
                raise PipelineError(f"url({url}) is not a file of templates/: an edition may "
                                    "only use the stylesheet and the fonts in templates/",
                                    file, token.source_line)
            for attribute in ("prelude", "content", "arguments", "value"):
                nested = getattr(token, attribute, None)
                if isinstance(nested, list):
                    walk(nested)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def check_glyphs(html: str, assets: dict[str, bytes], where: str) -> None:
    """Fail naming every character that none of the stylesheet's fonts can draw, and every font
    family that is not one of the stylesheet's own fonts."""
    stylesheet = f"templates/{STYLESHEET}"
    try:
        css = assets[STYLESHEET].decode("utf-8")
    except KeyError:
        raise PipelineError("the stylesheet is missing: restore it from the repository",
                            stylesheet) from None
    except UnicodeDecodeError:
        raise PipelineError("the stylesheet is not UTF-8 text: save it as UTF-8", stylesheet
                            ) from None
    faces = check_font_families(css, stylesheet)
    for block in STYLE_BLOCK.findall(html):
        check_font_families(block, where, faces)
    covered: frozenset[int] = frozenset()
    for url in FONT_URL.findall(css):
        line = css[: css.find(url)].count("\n") + 1
        font = assets.get(url)
        if font is None:
            raise PipelineError(f"the font {url} cannot be read (there is no such file): put the "
                                "font file there or correct the url()", stylesheet, line)
        try:
            covered |= _coverage(font)
        except Exception as error:  # fontTools raises many kinds on a file that is not a font
            raise PipelineError(f"the font {url} cannot be read ({type(error).__name__}): put a "
                                "font file there or correct the url()", stylesheet, line) from None
    missing = sorted(
        char for char in shown_characters(html)
        if ord(char) not in covered and not char.isspace()
        and unicodedata.category(char) not in ("Cc", "Cf"))  # controls and isolates draw nothing
    if missing:
        names = ", ".join(f"'{c}' U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
                          for c in missing[:10])
        missing_glyphs = MissingGlyphs(
            f"no font of the edition can draw {len(missing)} character(s): {names}; replace "
            f"them in the text or add a font that has them to {STYLESHEET}", where)
        missing_glyphs.characters = missing
        raise missing_glyphs


class MissingGlyphs(PipelineError):
    """Characters no font of the edition can draw (``characters``)."""

    characters: list[str]


def _fetcher(assets_url: str, assets: dict[str, bytes]):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    base = unquote(urlsplit(assets_url).path).rstrip("/") + "/"

    class FencedFetcher(URLFetcher):
        """Serves the edition's assets and nothing else, loudly: a URL under the assets folder
        (where the HTML finds them, ``output/_assets``) is served from the bytes the run read
        from ``templates/``, so a stylesheet saved meanwhile never mixes into this edition."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = unquote(parts.path) if parts.scheme == "file" else ""
            relative = path[len(base):] if path.startswith(base) else None
            data = assets.get(relative) if relative and ".." not in relative.split("/") \
                and not relative.endswith(".j2") else None
            if data is None:
                raise FatalURLFetchingError(
                    f"refused to load {url!r}, which a template or stylesheet asks for: an "
                    "edition may only use the stylesheet and fonts in templates/")
            content_type = mimetypes.guess_type(relative or "")[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, headers={"Content-Type": content_type})

    return FencedFetcher(allowed_protocols=("file",))


class _ProblemCatcher(logging.Handler):
    """WeasyPrint only logs what it could not do (a stylesheet it ignored, a .notdef glyph, an
    unsupported property): each of those is a defect in the printed edition."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_weasyprint() -> None:
    """Import WeasyPrint, its costliest step (about half a second): a worker or a watcher does it
    once, before its first edition."""
    import weasyprint  # noqa: F401


def print_pdf(job: PrintJob) -> PrintedPdf:
    """Print the job's HTML; its assets are served from the job's bytes, nothing else is read."""
    check_glyphs(job.html, job.assets, job.where)
    load_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    from . import printshop, tagging

    catcher = _ProblemCatcher()
    LOGGER.addHandler(catcher)
    options: dict[str, Any] = {}
    finishers: tuple[tagging.Finisher, ...] = ()
    if job.options.print_shop:
        stylesheet = job.assets.get(printshop.PRINT_SHOP_STYLESHEET)
        if stylesheet is None:
            raise PipelineError("the print-shop stylesheet is missing: restore it from the "
                                "repository", f"templates/{printshop.PRINT_SHOP_STYLESHEET}")
        options = printshop.render_options(stylesheet.decode("utf-8", "replace"))
        finishers = (printshop.finisher(printshop.FOGRA39),)
    fonts: list[str] = []
    finishers += (lambda document, pdf: fonts.extend(embedded_fonts(pdf)),)
    try:
        def render(*extra: CSS):
            return HTML(string=job.html, base_url=job.base_url,
                        url_fetcher=_fetcher(job.assets_url, job.assets)).render(
                font_config=FontConfiguration(), custom_metadata=True,
                **{**options, "stylesheets": [*options.get("stylesheets", ()), *extra]})

        # A second look at the layout, which costs a second one when it finds something: a
        # paragraph whose justification would open holes is set ragged, and a list that would
        # start with a few names at the foot of a page starts on the next one. (Both are read
        # from the first: WeasyPrint breaks lines before it justifies them, so setting a
        # paragraph ragged moves no line and no page break.)
        document = render()
        adjustments = []
        if ragged := stretched_paragraphs(document):
            adjustments.append(CSS(string=", ".join(
                f'[data-paragraph="{n}"] p, [data-paragraph="{n}"] li' for n in ragged)
                + " { text-align: start !important; }"))
        if starts_too_short(document):
            adjustments.append(CSS(string=OWN_PAGE))
        if adjustments:
            document = render(*adjustments)
        realign_shifted_lines(document)
        # Custom properties carry the provenance; the viewport is for screens, not for the PDF.
        document.metadata.custom.pop("viewport", None)
        data = tagging.write_pdf(
            document, pdf_identifier=hashlib.sha256(job.name.encode()).hexdigest()[:32].encode(),
            custom_metadata=True, pdf_variant=job.options.pdf_variant,
            claim_pdfua=job.options.archival, finishers=finishers)
    except FatalURLFetchingError as error:
        raise PipelineError(str(error), job.where) from None
    except printshop.PrintShopError as error:
        raise PipelineError(str(error), f"templates/{printshop.PRINT_SHOP_STYLESHEET}") from None
    finally:
        LOGGER.removeHandler(catcher)
    if catcher.messages:
        raise PipelineError("WeasyPrint could not print the edition as written: "
                            + "; ".join(dict.fromkeys(catcher.messages)), job.where)
    families = {name.replace(" ", "-") for name in declared_families(job.assets)}
    if strangers := sorted({f for f in fonts if not any(f == family or f.startswith(f"{family}-")
                                                        for family in families)}):
        raise PipelineError(f"the edition used the font(s) {', '.join(strangers)}, which are not "
                            f"fonts of templates/{FONTS}: a font of this machine was used "
                            "where the stylesheet's own fonts should be; name only the "
                            "stylesheet's @font-face families", job.where)
    return PrintedPdf(data, len(document.pages))


OWN_PAGE = "[data-keep] { break-before: page; margin-top: 0; }"
"""For a list that would start with too few of its items at the foot of a page."""


def starts_too_short(document: Any) -> bool:
    """Whether an element marked ``data-keep="N"`` (the signatory list) starts on a page that
    holds fewer than N of its items (``li`` or ``tr``) although it goes on to the next page:
    then it reads better starting on a page of its own."""
    started = None
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or element.get("data-keep") is None:
                continue
            items = [e for e in element.iter() if e.tag in ("li", "tr")]
            shown = {id(b.element) for b in box.descendants()
                     if getattr(b, "element", None) is not None and b.element.tag in ("li", "tr")}
            started = (int(element.get("data-keep")), len(items), len(shown))
            break
        if started is not None:
            keep, total, on_first_page = started
            return on_first_page < min(keep, total)
    return False


def embedded_fonts(pdf: Any) -> list[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (``ABCDEF+``)."""
    names = []
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Font" and "BaseFont" in obj:
            value = obj["BaseFont"]
            name = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).lstrip("/")
            names.append(name.split("+", 1)[-1])
    return names


def declared_families(assets: dict[str, bytes]) -> set[str]:
    try:
        css = assets[STYLESHEET].decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return set()
    return check_font_families(css, f"templates/{STYLESHEET}")


MAX_GAP = 1.6
"""The widest a justified line may stretch the space between its words, against the median of
its paragraph: a wider gap is a hole the eye falls into (Arabic has no hyphenation to avoid it)."""
MAX_STRETCH = 2.5
"""The widest a justified line may stretch the space between its words, against a plain space:
a paragraph of two lines has one justified line, which is its own median."""
SPACE = 0.25
"""A space's width, in ems, near enough for the fonts of the editions (Noto Serif, Noto Naskh)."""


def stretched_paragraphs(document: Any) -> list[str]:
    """The paragraphs (``data-paragraph``) whose justified lines would open holes between their
    words: a line's word gap wider than ``MAX_GAP`` times the paragraph's median, or than
    ``MAX_STRETCH`` plain spaces. Such a paragraph reads better ragged than justified."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    gaps: dict[str, list[float]] = {}  # each justified line's word gap, in plain spaces

    def walk(box: Any, paragraph: str | None) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.get("data-paragraph") is not None \
                and getattr(box, "element_tag", None) == "div":
            paragraph = element.get("data-paragraph")
        lines = [child for child in getattr(box, "children", ()) if isinstance(child, LineBox)]
        if paragraph is not None and box.style["text_align_all"] == "justify":
            for line in lines[:-1]:  # the last line of a block is never stretched
                spacing = max((t.justification_spacing for t in line.descendants()
                               if isinstance(t, TextBox)), default=0)
                space = SPACE * line.style["font_size"]
                gaps.setdefault(paragraph, []).append((space + spacing) / space)
        for child in getattr(box, "children", ()):
            if not isinstance(child, LineBox):
                walk(child, paragraph)

    for page in document.pages:
        walk(page._page_box, None)
    stretched = []
    for paragraph, found in gaps.items():
        usual = sorted(found)[len(found) // 2]
        if max(found) > min(MAX_GAP * usual, MAX_STRETCH):
            stretched.append(paragraph)
    return sorted(set(stretched), key=int)


def realign_shifted_lines(document: Any) -> None:
    """Put back a justified right-to-left line that WeasyPrint 70 leaves a space's width past
    the left margin: when such a line ends with a space just before an inline element
    (``…النفاد، <em>ويموت…``), WeasyPrint strips the space and moves the line's boxes left by its
    width, for a text layout that still draws it; justifying then lays the text out again
    without the space, and the move stays. A line whose boxes overhang its start as far as they
    fall short of its end is moved back by that much."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    for page in document.pages:
        for line in page._page_box.descendants():
            if not isinstance(line, LineBox) or line.style["direction"] != "rtl" \
                    or not any(isinstance(box, TextBox) and box.justification_spacing
                               for box in line.descendants()):
                continue
            children = [child for child in line.children if child.is_in_normal_flow()]
            if not children:
                continue
            shift = line.position_x - min(child.position_x for child in children)
            short = line.position_x + line.width - max(child.position_x + child.margin_width()
                                                       for child in children)
            if shift > 0.01 and abs(short - shift) < 0.01:
                for child in children:
                    child.translate(dx=shift, ignore_floats=True)


def folder_url(path: Path) -> str:
    """A folder as the file URL relative links resolve from."""
    import os

    return Path(os.path.abspath(path)).as_uri() + "/"

"""The editions' fonts and what their pages show: one model, read once, for the PDF's glyph check
and for the web fonts.

* ``FontSet``: the print stylesheet's fonts. Its ``@font-face`` rules (at any depth of
  ``@media`` and ``@supports``), in order, each face with its font's bytes and the characters it
  maps, and the families they declare. It is read once per stylesheet and fonts (``fonts_of``
  keeps it by their bytes), and holds the policy: an edition names only these families, loads
  only files of ``templates/``, and shows only characters these fonts can draw; a missing glyph
  stops the build with its name instead of printing a box or borrowing a font from whatever
  machine runs the build.
* ``PageText``: what a page shows, read once from its HTML: the text of its body (and the
  attribute values a browser may draw) which screens and print both draw, and the page
  furniture its own ``<style>`` draws in print only (running title, page numbers, draft mark).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any

from .errors import PipelineError
from .project import FONTS, STYLESHEET

FONT_URL = re.compile(r"url\(\s*['\"]?([^'\")]+\.(?:ttf|otf|woff2?))['\"]?\s*\)")
KEYWORDS = {"inherit", "initial", "unset", "revert", "revert-layer"}
NOT_DRAWN = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Categories of characters nothing is drawn for (controls, bidi isolates, joiners): no font
needs to have them."""
DRAWN_VALUES = frozenset({"content", "symbols", "additive-symbols", "prefix", "suffix",
                          "negative", "pad"})
"""The declarations whose strings a page's own ``<style>`` draws: generated content (the page
margin boxes) and the symbols of a ``@counter-style`` (the edition's digits)."""


def drawn(text: str) -> frozenset[int]:
    """The code points of ``text`` that need a glyph (not white space, controls or isolates)."""
    return frozenset(ord(c) for c in text
                     if not c.isspace() and unicodedata.category(c) not in NOT_DRAWN)


@lru_cache(maxsize=32)
def cmap(font: bytes) -> frozenset[int]:
    """The characters a font (TrueType, OpenType or WOFF2) maps; fontTools' errors pass through."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(font), lazy=True) as opened:
        return frozenset(opened.getBestCmap())


# --- What a page shows -------------------------------------------------------------------------


@dataclass(frozen=True)
class PageText:
    """What one page shows."""

    shown: str
    """The text of its ``<body>``, entities resolved, without scripts and styles, and the
    attribute values a browser may draw (a missing image's alt text, a button's value): what a
    screen and the print both draw."""
    furniture: str
    """The strings its own ``<style>`` draws in print only: the page margin boxes' ``content``
    and the symbols of its ``@counter-style`` rules."""
    families: tuple[tuple[str, int], ...]
    """Each family its own ``<style>`` names in a ``font-family``, with its line in the page."""

    @property
    def printed(self) -> str:
        return self.shown + self.furniture


class _PageReader(HTMLParser):
    SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.styles: list[tuple[int, str]] = []  # each <style>'s line and text
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # the head is over, whether or not its end tag was written
            self._skipping.clear()
        elif tag in self.SKIPPED:
            self._skipping.append(tag)
            if tag == "style":
                self.styles.append((self.getpos()[0], ""))
        elif not self._skipping:
            self.parts.extend(value for name, value in attrs
                              if value and name in ("alt", "value", "placeholder"))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
        elif self._skipping[-1] == "style":
            line, css = self.styles[-1]
            self.styles[-1] = (line, css + data)


@lru_cache(maxsize=128)
def page_text(html: str) -> PageText:
    """What the page ``html`` shows (read once: the build's glyph check and the web fonts share
    it)."""
    import tinycss2

    reader = _PageReader()
    reader.feed(html)
    reader.close()
    furniture: list[str] = []
    families: list[tuple[str, int]] = []
    for line, css in reader.styles:
        rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        for item in _declarations(rules):
            if item.lower_name == "font-family":
                families += [(family, line + item.source_line - 1)
                             for family in _families(item.value)]
            elif item.lower_name in DRAWN_VALUES:
                furniture += [token.value for token in item.value if token.type == "string"]
    return PageText("".join(reader.parts), "".join(furniture), tuple(families))


# --- The stylesheet's fonts --------------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` of the print stylesheet: a family, a weight, a style and the font."""

    family: str
    weight: str
    style: str
    url: str
    """As the stylesheet names the file (``fonts/NotoSerif-Regular.ttf``)."""
    data: bytes = field(repr=False)
    where: str = field(default=f"templates/{STYLESHEET}", compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def stem(self) -> str:
        return PurePosixPath(self.url).stem

    @property
    def cmap(self) -> frozenset[int]:
        """The characters the font maps; a file that is not a font is named with its line."""
        try:
            return cmap(self.data)
        except Exception as error:  # fontTools raises many kinds on a file that is not a font
            raise PipelineError(f"the font {self.url} cannot be read ({type(error).__name__}): "
                                "put a font file there or correct the url()", self.where,
                                self.line) from None


class MissingGlyphs(PipelineError):
    """Characters no font of the edition can draw (``characters``)."""

    characters: list[str]


@dataclass(frozen=True)
class FontSet:
    """The print stylesheet's fonts (``fonts_of``): its faces in order and their families."""

    faces: tuple[Face, ...]
    families: frozenset[str]

    @cached_property
    def coverage(self) -> frozenset[int]:
        """Every character some face draws (the fonts are read the first time it is asked)."""
        return frozenset().union(*(face.cmap for face in self.faces))

    def check_page(self, page: PageText, where: str) -> None:
        """Fail naming every character of the printed page that none of the fonts can draw,
        and every font family the page's own ``<style>`` names that is not one of them."""
        for family, line in page.families:
            self._check_family(family, where, line)
        missing = sorted(chr(point) for point in drawn(page.printed) - self.coverage)
        if missing:
            names = ", ".join(f"'{c}' U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
                              for c in missing[:10])
            error = MissingGlyphs(
                f"no font of the edition can draw {len(missing)} character(s): {names}; replace "
                f"them in the text or add a font that has them to {STYLESHEET}", where)
            error.characters = missing
            raise error

    def check_embedded(self, names: Iterable[str], where: str) -> None:
        """Fail when a PDF embeds a font (named without its subset prefix) that is none of
        these families: a font of the machine was used."""
        families = {name.replace(" ", "-") for name in self.families}
        if strangers := sorted({name for name in names if not any(
                name == family or name.startswith(f"{family}-") for family in families)}):
            raise PipelineError(f"the edition used the font(s) {', '.join(strangers)}, which are "
                                f"not fonts of templates/{FONTS}: a font of this machine was "
                                "used where the stylesheet's own fonts should be; name only the "
                                "stylesheet's @font-face families", where)

    def _check_family(self, family: str, where: str, line: int | None) -> None:
        if family.lower() not in KEYWORDS and family not in self.families:
            raise PipelineError(
                f"font-family names {family!r}, which is not a font of templates/{FONTS}: an "
                "edition uses only the fonts its stylesheet declares with @font-face (declared: "
                f"{', '.join(sorted(self.families)) or 'none'}); name one of them", where, line)


def fonts_of(assets: Mapping[str, bytes]) -> FontSet:
    """The fonts of the print stylesheet of ``assets`` (the files below ``templates/`` by
    relative path), checked: it names only its own families and files. Read once per
    stylesheet and fonts: the result is kept by their bytes."""
    return _read_fonts(tuple(sorted(assets.items())))


@lru_cache(maxsize=4)
def _read_fonts(assets: tuple[tuple[str, bytes], ...]) -> FontSet:
    import tinycss2

    files = dict(assets)
    where = f"templates/{STYLESHEET}"
    try:
        css = files[STYLESHEET].decode("utf-8")
    except KeyError:
        raise PipelineError("the stylesheet is missing: restore it from the repository",
                            where) from None
    except UnicodeDecodeError:
        raise PipelineError("the stylesheet is not UTF-8 text: save it as UTF-8", where) from None
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    declared = [_face_rule(rule, where) for rule in _font_faces(rules)]
    fonts = FontSet((), frozenset(family for family, *_ in declared))
    for item in _declarations(rules):
        if item.lower_name == "font-family":
            for family in _families(item.value):
                fonts._check_family(family, where, item.source_line)
    _check_urls(rules, where, files)
    return replace(fonts, faces=tuple(Face(family, weight, style, url, files[url], where, line)
                                      for family, weight, style, url, line in declared))


def _check_urls(rules: list[Any], where: str, assets: Mapping[str, bytes]) -> None:
    """Every address the stylesheet names is one of its own files (a font below templates/):
    an @import or a url() of anything else is refused, with its line."""
    for token in every_token(rules):
        if token.type == "at-rule" and token.lower_at_keyword == "import":
            raise PipelineError("an @import is not allowed: an edition uses only this "
                                "stylesheet and the fonts in templates/; copy the rules here",
                                where, token.source_line)
        url = _url(token)
        if url is not None and (url not in assets or url.endswith(".j2")):
            if FONT_URL.fullmatch(f"url({url})") and ":" not in url \
                    and ".." not in url.split("/") and not url.startswith("/"):
                raise PipelineError(f"the font {url} cannot be read (there is no such file): "
                                    "put the font file there or correct the url()", where,
                                    token.source_line)
            raise PipelineError(f"url({url}) is not a file of templates/: an edition may "
                                "only use the stylesheet and the fonts in templates/",
                                where, token.source_line)


def every_token(tokens: Iterable[Any]) -> Iterator[Any]:
    """Each of a stylesheet's ``tokens`` (tinycss2's), then those inside it, at any depth."""
    for token in tokens:
        yield token
        for attribute in ("prelude", "content", "arguments", "value"):
            nested = getattr(token, attribute, None)
            if isinstance(nested, list):
                yield from every_token(nested)


def urls_of(css: str) -> set[str]:
    """The addresses of every ``url()`` of ``css``, quoted or not, wherever it stands."""
    import tinycss2

    return set(urls_in(tinycss2.parse_stylesheet(css)))


def urls_in(tokens: Iterable[Any], strings: bool = False) -> Iterator[str]:
    """The address of each ``url()`` among tinycss2's ``tokens``, at any depth; with
    ``strings``, each string too (``@import "x.css"``, ``image-set("x.png" 1x)`` name one)."""
    for token in every_token(tokens):
        if (url := _url(token)) is not None:
            yield url
        elif strings and token.type == "string":
            yield str(token.value)


def _url(token: Any) -> str | None:
    """The address of a ``url(...)`` token, quoted or not."""
    if token.type == "url":
        return str(token.value)
    if token.type == "function" and token.lower_name == "url" and token.arguments \
            and token.arguments[0].type == "string":
        return str(token.arguments[0].value)
    return None


def _face_rule(rule: Any, where: str) -> tuple[str, str, str, str, int]:
    """An ``@font-face`` rule's family, weight, style, font and the font's line: the first
    ``url()`` of its ``src`` is its font."""
    import tinycss2

    descriptors: dict[str, Any] = {}
    url, line = None, rule.source_line
    for item in tinycss2.parse_blocks_contents(rule.content, True, True):
        if item.type != "declaration":
            continue
        descriptors[item.lower_name] = item.value
        if item.lower_name == "src" and url is None:
            url, line = next(((_url(token), token.source_line) for token in item.value
                              if _url(token) is not None), (None, line))
    family = _families(descriptors.get("font-family", []))
    if not family or url is None:
        raise PipelineError("an @font-face without a font-family or a url() in its src: give "
                            "both", where, rule.source_line)

    def descriptor(name: str, default: str) -> str:
        return tinycss2.serialize(descriptors[name]).strip() if name in descriptors else default

    return family[0], descriptor("font-weight", "400"), descriptor("font-style", "normal"), \
        url, line


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
        elif token.type in ("string", "ident"):
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


def check_glyphs(html: str, assets: Mapping[str, bytes], where: str) -> None:
    """Fail naming every character of the page ``html`` that none of the stylesheet's fonts
    can draw, and every font family it names that is not one of them."""
    fonts_of(assets).check_page(page_text(html), where)

"""Web fonts for the HTML editions: each face of the stylesheet cut down to the characters the
pages show, as WOFF2, with the ``@font-face`` rules that load them.

The print stylesheet declares the full TrueType fonts (WeasyPrint embeds its own subsets of
them in the PDFs). A browser would download each whole file, about 1.4 MB for a page; the
subsets here are a few tens of kilobytes. They keep every OpenType layout feature (Arabic
joining forms, ligatures, mark positioning, kerning) and the hinting, so a page shapes and
renders exactly as with the full fonts, and each face's ``unicode-range`` is exactly the
characters it has, so the browser picks the same face for every character as before and never
downloads a face a page does not use.

Output is a function of the input only: the same fonts and text give the same bytes (the
fonts' own ``head.modified`` is kept, nothing depends on the clock or on hash order); a file
name carries a digest of its content, so it can be cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any

from . import log
from .errors import PipelineError

ALWAYS = frozenset(" \u00a0-\u2010")
"""Characters every subset keeps when its font has them: the spaces, and the hyphens a browser
draws where ``hyphens: auto`` breaks a word (U+2010 if the font has it, else U+002D)."""

MIRRORED = dict(zip("()[]{}<>«»‹›⁅⁆⁽⁾₍₎≤≥", ")(][}{><»«›‹⁆⁅⁾⁽₎₍≥≤", strict=True))
"""Bidi mirroring pairs (Unicode's BidiMirroring.txt, the ones in these fonts' reach): in a
right-to-left line the browser draws '(' with the glyph of ')'."""

NOT_DRAWN = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Categories of characters nothing is drawn for (controls, bidi isolates, joiners): a subset
keeps them if its font maps them, but no font needs to."""


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` of the print stylesheet: a family, a weight, a style and the font."""

    family: str
    weight: str
    style: str
    url: str
    """As the stylesheet names the file (``fonts/NotoSerif-Regular.ttf``)."""
    data: bytes = field(repr=False)

    @property
    def stem(self) -> str:
        return PurePosixPath(self.url).stem


@dataclass(frozen=True)
class Subset:
    """One face cut down to some characters, as WOFF2."""

    face: Face
    woff2: bytes
    codepoints: frozenset[int]
    """The subset's cmap: the characters it draws (its ``unicode-range``)."""

    @property
    def filename(self) -> str:
        """``NotoSerif-Regular.1a2b3c4d5e.woff2``: the font's name and a digest of the bytes."""
        return f"{self.face.stem}.{hashlib.sha256(self.woff2).hexdigest()[:10]}.woff2"


# --- What a page shows -----------------------------------------------------------------------


class _ShownText(HTMLParser):
    """The text of a document's ``<body>``, entities resolved, without scripts and styles."""

    SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # the head is over, whether or not its end tag was written
            self._skipping.clear()
        elif tag in self.SKIPPED:
            self._skipping.append(tag)
        elif not self._skipping:
            # Attribute values a browser may draw: a missing image's alt text, a button's value.
            self.parts.extend(value for name, value in attrs
                              if value and name in ("alt", "value", "placeholder"))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def shown_text(html: str) -> str:
    """Every character a page can draw: its body's text and drawable attribute values."""
    parser = _ShownText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def characters(texts: Iterable[str]) -> frozenset[int]:
    """The code points to keep for ``texts``: their characters, each letter's other case (for
    ``text-transform`` and synthesised small capitals), the mirror image of each bracket (for
    right-to-left lines) and ``ALWAYS``."""
    wanted: set[str] = set(ALWAYS)
    for text in texts:
        wanted.update(text)
    for char in list(wanted):
        for other in (char.upper(), char.lower(), MIRRORED.get(char, char)):
            if len(other) == 1:
                wanted.add(other)
    return frozenset(ord(c) for c in wanted)


def drawn(text: str) -> frozenset[int]:
    """The code points of ``text`` that need a glyph (not white space, controls or isolates)."""
    return frozenset(ord(c) for c in text
                     if not c.isspace() and unicodedata.category(c) not in NOT_DRAWN)


# --- The faces -------------------------------------------------------------------------------


def faces(css: str, read: Callable[[str], bytes], where: str = "statement.css") -> list[Face]:
    """The ``@font-face`` rules of a stylesheet (at any depth of ``@media``), in their order,
    each font read with ``read(url)``. A rule without a family or a ``url()``, or whose font
    cannot be read, is an error naming ``where`` and the line."""
    import tinycss2  # WeasyPrint's CSS parser, so already installed wherever the pipeline is

    found: list[Face] = []

    def visit(rules: list[Any]) -> None:
        for rule in rules:
            if rule.type != "at-rule":
                continue
            if rule.lower_at_keyword == "media" and rule.content is not None:
                visit(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                               skip_whitespace=True))
            elif rule.lower_at_keyword == "font-face":
                found.append(_face(rule, read, where))

    visit(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return found


def _face(rule: Any, read: Callable[[str], bytes], where: str) -> Face:
    import tinycss2

    descriptors: dict[str, str] = {}
    url = None
    for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                               skip_whitespace=True):
        if item.type != "declaration":
            continue
        descriptors[item.lower_name] = tinycss2.serialize(item.value).strip()
        if item.lower_name == "src" and url is None:
            for token in item.value:
                if token.type == "url":
                    url = token.value
                elif token.type == "function" and token.lower_name == "url":
                    url = next((a.value for a in token.arguments if a.type == "string"), None)
                if url is not None:
                    break
    if "font-family" not in descriptors or url is None:
        raise PipelineError("an @font-face without a font-family or a url() in its src: give "
                            "both", where, rule.source_line)
    try:
        data = read(url)
    except (OSError, KeyError):
        raise PipelineError(f"there is no font file {url}: put it there or correct the url()",
                            where, rule.source_line) from None
    return Face(descriptors["font-family"].strip("\"'"), descriptors.get("font-weight", "400"),
                descriptors.get("font-style", "normal"), url, data)


# --- Subsetting -------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def cmap(font: bytes) -> frozenset[int]:
    """The characters a font maps."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(font), lazy=True) as opened:
        return frozenset(opened.getBestCmap())


def subset(face: Face, codepoints: Iterable[int]) -> Subset | None:
    """``face`` cut down to those of ``codepoints`` its font has, as WOFF2; ``None`` when it
    has none of them (the page never uses the face)."""
    from fontTools import subset as fontsubset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        keep = sorted(frozenset(codepoints) & cmap(face.data))
        if not keep:
            return None
        options = fontsubset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]  # every feature: Arabic joining, marks, kerning, ligatures
        options.name_IDs = ["*"]  # the copyright and licence strings travel with the font
        options.notdef_outline = True  # a missing character shows a box, not nothing
        options.recalc_timestamp = False  # head.modified stays the original font's
        options.drop_tables = [*options.drop_tables, "DSIG"]
        # fontTools serialises GSUB and GPOS with HarfBuzz's repacker when uharfbuzz happens to
        # be installed, and with its own code otherwise: other bytes. Always its own, so the
        # bytes depend on the fonts, the text and fontTools and Brotli's versions only.
        options.harfbuzz_repacker = False
        with TTFont(io.BytesIO(face.data), recalcTimestamp=False) as font:
            subsetter = fontsubset.Subsetter(options)
            subsetter.populate(unicodes=keep)
            subsetter.subset(font)
            kept = frozenset(font.getBestCmap())
            out = io.BytesIO()
            fontsubset.save_font(font, out, options)  # as pyftsubset saves: flavour, repacker
    except (OSError, TTLibError) as error:
        raise PipelineError(f"the font cannot be cut down for the web: {error}",
                            f"templates/{face.url}") from None
    log.debug("%s: %d characters, %d bytes", face.url, len(kept), out.tell())
    return Subset(face, out.getvalue(), kept)


def subsets(stylesheet_faces: Sequence[Face], texts: Iterable[str]) -> list[Subset]:
    """Every face that draws some of ``texts``, cut down to what it draws, in the faces' order."""
    wanted = characters(texts)
    return [s for s in (subset(face, wanted) for face in stylesheet_faces) if s is not None]


def unicode_range(codepoints: Iterable[int]) -> str:
    """A ``unicode-range`` value: ``U+20-7E, U+A0, U+600-6FF``, in ascending order."""
    ranges: list[list[int]] = []
    for point in sorted(set(codepoints)):
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in ranges)


def parse_unicode_range(text: str) -> frozenset[int]:
    """The characters of a ``unicode-range`` value ``unicode_range`` wrote."""
    points: set[int] = set()
    for part in text.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        if first:
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


def font_face_css(fonts: Sequence[Subset], url_prefix: str = "fonts/") -> str:
    """The ``@font-face`` rules for ``fonts``, each file at ``url_prefix + filename``."""
    rules = []
    for font in fonts:
        family = font.face.family.replace("\\", "\\\\").replace('"', '\\"')
        rules.append(
            "@font-face {\n"
            f'  font-family: "{family}";\n'
            f'  src: url("{url_prefix}{font.filename}") format("woff2");\n'
            f"  font-weight: {font.face.weight};\n"
            f"  font-style: {font.face.style};\n"
            "  font-display: swap;\n"
            f"  unicode-range: {unicode_range(font.codepoints)};\n"
            "}\n")
    return "".join(rules)


def asset_files(fonts: Sequence[Subset], css_name: str = "webfonts.css",
                fonts_dir: str = "fonts") -> dict[str, bytes]:
    """The files to publish beside the stylesheet, by their path below it: the WOFF2 fonts in
    ``fonts_dir`` and their ``@font-face`` rules in ``css_name``."""
    files = {f"{fonts_dir}/{font.filename}": font.woff2 for font in fonts}
    files[css_name] = font_face_css(fonts, f"{fonts_dir}/").encode("utf-8")
    return files

"""Web fonts for the HTML editions: each face of the stylesheet cut down to the characters the
pages show, as WOFF2, with the ``@font-face`` rules that load them. The faces and the text of
the pages are read by ``fonts`` (``fonts_of``, ``page_text``), as the PDF's glyph check reads them.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import log
from .errors import PipelineError
from .fonts import Face, fonts_of, urls_of

ALWAYS = frozenset(" \u00a0-\u2010")
"""Characters every subset keeps when its font has them: the spaces, and the hyphens a browser
draws where ``hyphens: auto`` breaks a word (U+2010 if the font has it, else U+002D)."""

MIRRORED = dict(zip("()[]{}<>«»‹›⁅⁆⁽⁾₍₎≤≥", ")(][}{><»«›‹⁆⁅⁾⁽₎₍≥≤", strict=True))
"""Bidi mirroring pairs (Unicode's BidiMirroring.txt, the ones in these fonts' reach): in a
right-to-left line the browser draws '(' with the glyph of ')'."""


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


# --- What a page needs ----------------------------------------------------------------------


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


# --- Subsetting -------------------------------------------------------------------------------


def subset(face: Face, codepoints: Iterable[int]) -> Subset | None:
    """``face`` cut down to those of ``codepoints`` its font has, as WOFF2; ``None`` when it
    has none of them (the page never uses the face)."""
    from fontTools import subset as fontsubset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        keep = sorted(frozenset(codepoints) & face.cmap)
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


def for_browsers(assets: dict[str, bytes], stylesheet: str = "statement.css") -> dict[str, bytes]:
    """The assets as a browser gets them: the stylesheet without its ``@font-face`` rules (the
    full fonts, which only WeasyPrint prints with), and without the files only printing reads:
    those rules' fonts, the print-shop stylesheet and colour profiles. A browser, on screen or
    printing a page, then knows only the subsets of ``webfonts.css``: were the full fonts
    declared for print, it would download one to look for a character the subset of the same
    family lacks (a Latin letter in an Arabic page), 0.4 MB or more.

    The rules are found as ``fonts_of`` and browsers find them, by CSS's grammar (``@FONT-FACE``
    and ``@font\\-face`` are one too, a brace in a comment is no end of rule), and a file the
    stylesheet left for browsers still names (a rule that shows a full font, the print-shop
    stylesheet or a profile on screen too) is published with it: the page never links what
    ``output/_assets`` does not hold."""
    from .printshop import PRINT_SHOP_STYLESHEET

    css = assets.get(stylesheet)
    if css is None:
        return dict(assets)
    screen, named = _for_screen(css)
    printed = {face.url for face in fonts_of(assets).faces}
    kept = {name: data for name, data in assets.items() if name in named or (
        name not in printed and name != PRINT_SHOP_STYLESHEET
        and not name.lower().endswith((".icc", ".icm")))}
    return {**kept, stylesheet: screen.encode("utf-8")}


@lru_cache(maxsize=4)
def _for_screen(css: bytes) -> tuple[str, frozenset[str]]:
    """The stylesheet a browser gets and the addresses it names, by the stylesheet's bytes (a
    ``watch`` round asks twice, for the site and for what its pages may link)."""
    screen = without_font_faces(css.decode("utf-8"))
    return screen, frozenset(urls_of(screen))


def without_font_faces(css: str) -> str:
    """``css`` without its ``@font-face`` rules, at its top level and inside ``@media`` and
    ``@supports`` blocks (with the white space after each); the rest as written."""
    import tinycss2

    def drop(nodes: list[Any]) -> list[Any]:
        kept: list[Any] = []
        after_face = False
        for node in nodes:
            if node.type == "at-rule" and node.lower_at_keyword == "font-face":
                after_face = True
                continue
            if node.type == "error" or (after_face and node.type == "whitespace"):
                after_face = False  # a parse error is ignored by browsers, and cannot be written
                continue
            after_face = False
            if node.type == "at-rule" and node.content is not None \
                    and node.lower_at_keyword in ("media", "supports"):
                node.content = drop(tinycss2.parse_rule_list(node.content))
            kept.append(node)
        return kept

    return str(tinycss2.serialize(drop(tinycss2.parse_stylesheet(css))))


def asset_files(fonts: Sequence[Subset], css_name: str = "webfonts.css",
                fonts_dir: str = "fonts") -> dict[str, bytes]:
    """The files to publish beside the stylesheet, by their path below it: the WOFF2 fonts in
    ``fonts_dir`` and their ``@font-face`` rules in ``css_name``."""
    files = {f"{fonts_dir}/{font.filename}": font.woff2 for font in fonts}
    files[css_name] = font_face_css(fonts, f"{fonts_dir}/").encode("utf-8")
    return files

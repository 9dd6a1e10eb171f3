"""The text a reader copies out of a PDF: each line's glyphs redrawn, while WeasyPrint 70 draws
them, so that PDF viewers rebuild the statement's own text (PROTOTYPE)."""

from __future__ import annotations

import os
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

_ACTIVE: ContextVar[bool] = ContextVar("textlayer_active", default=False)
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+(?:e-?[0-9]+)?)")
RLM, LRM, SOFT_HYPHEN = "\u200f", "\u200e", "\u00ad"
# What poppler's text output takes for a number (it sets them left to right): digits and the
# separators its own table classes with them.
_POPPLER_NUMBER = set("0123456789.,-+#$%") | {chr(c) for c in range(0x660, 0x66d)} | {"\u060c"}


@dataclass
class Cluster:
    text: str
    rtl: bool
    inserted: bool = False  # the hyphen WeasyPrint adds at a hyphenated line's end


@dataclass
class Glyph:
    gid: int
    cluster: int
    font: str = ""
    size: float = 0.0
    rise: float = 0.0
    x: float = 0.0      # the pen position where it is drawn, in text space
    width: float = 0.0  # its advance, in text space


@dataclass
class Unit:
    """Glyphs drawn together, with the text they stand for when it is not their ToUnicode."""
    glyphs: list[int]
    text: str | None = None
    order: list[int] = field(default_factory=list)


def install() -> None:
    import weasyprint.draw.text as draw_text

    original = draw_text.draw_first_line
    if getattr(original, "textlayer", False):
        return

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        start, current = len(stream.stream), stream._current_font
        result = original(stream, textbox, *args)
        if _ACTIVE.get() and os.environ.get("TEXTLAYER") != "off":
            rewrite(stream, start, textbox, current)
        return result

    draw_first_line.textlayer = True  # type: ignore[attr-defined]
    draw_text.draw_first_line = draw_first_line


def recording() -> Any:
    class _Context:
        def __enter__(self) -> None:
            install()
            self.token = _ACTIVE.set(True)

        def __exit__(self, *exc: Any) -> None:
            _ACTIVE.reset(self.token)

    return _Context()


def line_glyphs(textbox: Any) -> tuple[list[Glyph], list[Cluster]]:
    """The glyphs WeasyPrint draws for ``textbox`` (in drawing order) and their clusters."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    layout_text = textbox.pango_layout.text
    utf8 = layout_text.encode()
    hyphen = textbox.style["hyphenate_character"]
    own = len(textbox.text.encode()) if layout_text == textbox.text + hyphen else len(utf8)
    glyphs: list[Glyph] = []
    clusters: list[Cluster] = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        string = glyph_item.glyphs
        count = string.num_glyphs
        offset = glyph_item.item.offset
        length = glyph_item.item.length
        rtl = bool(glyph_item.item.analysis.level % 2)
        starts = [string.log_clusters[i] for i in range(count)]
        bounds = sorted(set(starts)) + [length]
        index: dict[int, int] = {}
        for i in range(count):
            start = starts[i]
            if start not in index:
                end = bounds[bounds.index(start) + 1]
                index[start] = len(clusters)
                clusters.append(Cluster(utf8[offset + start:offset + end].decode(), rtl,
                                        offset + start >= own))
            gid = string.glyphs[i].glyph
            if gid == pango.PANGO_GLYPH_EMPTY:
                continue
            glyphs.append(Glyph(gid, index[start]))
    return glyphs, clusters


def _utf16(text: str) -> bytes:
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


def _number(value: float) -> bytes:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return b"0" if text in ("", "-0") else text.encode()


def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) in ("Mn", "Me") for c in text)


def _strong_rtl(c: str) -> bool:
    return unicodedata.bidirectional(c) in ("R", "AL")


def _fence(text: str) -> str:
    """The text of a right-to-left unit in visual order, with the marks that keep the three
    viewers' bidi reordering from moving or mirroring what is not a strong right-to-left
    letter: a mirrored character (« ( ) gets an LRM on its right so that PDFium does not mirror
    it, and what poppler or PDFium take for a number or a weak character ( . ، and the marks
    of a letter ) gets an RLM on each side."""
    out: list[str] = []
    for c in text:
        if _strong_rtl(c) or c.isspace():
            out.append(c)
        elif unicodedata.mirrored(c):
            out += [RLM, c, LRM]
        else:
            out += [RLM, c, RLM]
    fenced = "".join(out)
    while RLM + RLM in fenced:
        fenced = fenced.replace(RLM + RLM, RLM)
    return fenced


def rewrite(stream: Any, start: int, textbox: Any, current: tuple[str, float] | None) -> None:
    """Redraw the glyphs ``draw_first_line`` just drew for ``textbox`` (the stream's items from
    ``start``; ``current`` is the font and size set before)."""
    glyphs, clusters = line_glyphs(textbox)
    items = stream.stream[start:]
    fonts = {font.hash: font for font in stream._fonts.values()}
    head: list[Any] = []
    font, size = current if current else ("", 0.0)
    rise, x = 0.0, 0.0
    drawn = 0
    for item in items:
        if not isinstance(item, bytes):
            return
        if item.endswith(b" Tm") and drawn == 0:
            head.append(item)
        elif item.endswith(b" Tf"):
            name, value, _ = item.split()
            font, size = name[1:].decode(), float(value)
            if font not in fonts:
                return
        elif item.endswith(b" Ts"):
            rise = float(item.split()[0])
        elif item.startswith(b"[") and item.endswith(b"] TJ"):
            for match in _TOKEN.finditer(item[1:-4]):
                if match.group(1) is not None:
                    hexes = match.group(1)
                    for k in range(0, len(hexes), 4):
                        gid = int(hexes[k:k + 4], 16)
                        if drawn >= len(glyphs) or glyphs[drawn].gid != gid or not font:
                            return
                        width = fonts[font].widths.get(gid, 0) * size / 1000
                        g = glyphs[drawn]
                        g.font, g.size, g.rise, g.x, g.width = font, size, rise, x, width
                        x += width
                        drawn += 1
                else:
                    x -= float(match.group(2)) * size / 1000
        else:
            return  # an operator this module does not know: leave the line as WeasyPrint drew it
    if drawn != len(glyphs) or not glyphs:
        return
    units = plan(glyphs, clusters, fonts)
    stream.stream[start:] = head + emit(glyphs, units, current, stream._current_font)


def plan(glyphs: list[Glyph], clusters: list[Cluster], fonts: dict[str, Any]) -> list[Unit]:
    """The units of a line in drawing order."""
    rtl_line = any(c.rtl for c in clusters)
    units: list[Unit] = []
    pending_marks: list[int] = []  # marks of a right-to-left letter, drawn before it
    previous_cluster = None
    for index, glyph in enumerate(glyphs):
        cluster = clusters[glyph.cluster]
        if glyph.cluster == previous_cluster and units:
            units[-1].glyphs.append(index)
            continue
        previous_cluster = glyph.cluster
        if cluster.rtl and _is_mark(cluster.text) and index + 1 < len(glyphs):
            pending_marks.append(index)
            continue
        unit = Unit([index] + pending_marks)
        pending_marks = []
        units.append(unit)
    if pending_marks:
        units.append(Unit(pending_marks))
    for unit in units:
        texts = []
        seen = []
        for i in unit.glyphs:
            if glyphs[i].cluster not in seen:
                seen.append(glyphs[i].cluster)
        for c in seen:
            texts.append(clusters[c])
        rtl = texts[0].rtl
        logical = "".join(c.text for c in texts)
        if texts[0].inserted:
            unit.text = SOFT_HYPHEN
            continue
        if rtl:
            visual = "".join(c.text[::-1] for c in reversed(texts))
            fenced = _fence(visual)
        else:
            fenced = logical
        mapped = "".join(fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "")
                         for i in unit.glyphs)
        if (fenced != mapped and not (fenced.isspace() and mapped.isspace())) \
                or len(unit.glyphs) > 1:
            unit.text = fenced
    if rtl_line:
        # a left-to-right run (digits, Latin) in a right-to-left line: fenced with RLMs, so that
        # poppler's reordering does not take the spaces and punctuation around it into the run
        for k, unit in enumerate(units):
            if clusters[glyphs[unit.glyphs[0]].cluster].rtl:
                continue
            text = unit.text if unit.text is not None else "".join(
                fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "") for i in unit.glyphs)
            before = k == 0 or clusters[glyphs[units[k - 1].glyphs[0]].cluster].rtl
            after = k + 1 == len(units) or clusters[glyphs[units[k + 1].glyphs[0]].cluster].rtl
            if before:
                text = RLM + text
            if after:
                text = text + RLM
            if before or after:
                unit.text = text
    return units


def emit(glyphs: list[Glyph], units: list[Unit], current: tuple[str, float] | None,
         final: tuple[str, float] | None) -> list[bytes]:
    out: list[bytes] = []
    font, size = current if current else ("", 0.0)
    rise, pen = 0.0, 0.0
    piece: list[bytes] = []

    def flush() -> None:
        if piece:
            out.append(b"[" + b" ".join(piece) + b"] TJ")
            piece.clear()

    for unit in units:
        if unit.text is not None:
            flush()
            out.append(b"/Span <</ActualText " + _utf16(unit.text) + b">> BDC")
        for i in unit.glyphs:
            g = glyphs[i]
            if (g.font, g.size) != (font, size):
                flush()
                out.append(b"/" + g.font.encode() + b" " + _number(g.size) + b" Tf")
                font, size = g.font, g.size
            if g.rise != rise:
                flush()
                out.append(_number(g.rise) + b" Ts")
                rise = g.rise
            move = (pen - g.x) * 1000 / size
            if abs(move) > 1e-4:
                piece.append(_number(move))
            piece.append(b"<%04x>" % g.gid)
            pen = g.x + g.width
        if unit.text is not None:
            flush()
            out.append(b"EMC")
    flush()
    if rise:
        out.append(b"0 Ts")
    if final and (font, size) != tuple(final):
        out.append(b"/" + final[0].encode() + b" " + _number(final[1]) + b" Tf")
    return out

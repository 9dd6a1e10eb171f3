"""The text a reader copies out of a PDF (issue 20): each line WeasyPrint 70 draws is drawn
again, the same glyphs at the same places, with the marked content that lets PDF viewers
rebuild the statement's text.

WeasyPrint draws a right-to-left line in visual order, each glyph mapped to its character by the
font's ToUnicode (Pango's clusters are one character each here: lam-alef is two glyphs).
Viewers rebuild the logical order each with its own simplified bidi algorithm (measured with
tests/extraction.py, and read in their sources):

* poppler (``pdftotext``, Evince) reverses, in a line it sorts by position, every stretch that
  holds no left-to-right letter and no "number"; its table counts ``. , ، -`` as numbers, a
  number's stretch takes the spaces and brackets next to it, an ActualText's characters are
  spread left to right over its glyphs, and a mark drawn with a text rise (a tanwin above an
  alef) makes a line of its own. On a page with more Latin than Arabic letters it leaves the
  stretches of a line in visual order (the Arabic colophon of a bilingual edition). A glyph
  with an empty ActualText drawn over the glyphs of the span before it starts a new word there
  (one drawn before them does not). It groups two lines into one block only when their
  baselines are at most 1.5 times the block's font size apart, and gives an ActualText's
  characters the font size set when its span ends (at the next string shown).
* PDFium (Chrome) sorts a line's text objects by where they start, reverses right-to-left
  segments and mirrors the neutrals among them (« becomes »), keeps weak characters next to
  each other in one forward segment (، and a tanwin, a no-break space and a tanwin), and
  writes an ActualText of a right-to-left object in reverse (one of format characters alone
  too). It copies the ActualText of an object's innermost marked content that has properties
  (none if that one has no ActualText: it then copies nothing of the object), and its glyphs'
  own text for an empty one (poppler and MuPDF copy nothing). It reads the text objects on one
  baseline as one line while each is within half a character's advance of the one before it
  (a mark has none: a mark raised by a text rise starts a line of its own), a bilingual row's
  two columns too, which it then orders by counting the line's left-to-right and right-to-left
  segments (a no-break space is a weak left-to-right one); it adds a space of its own (a
  neutral one) at a gap between two objects, and reverses the order of the segments of a Latin
  word in Arabic (FREE-Syria).
* MuPDF reverses runs of right-to-left characters in place: Arabic-Indic digits count as
  right-to-left (٢٢٥٤ comes out ٤٥٢٢) and a Latin word stays where it is drawn. Drawing a
  number from its last digit would fix the first, but MuPDF starts a new line at such a jump.
  It takes a glyph's direction from the first character of its ToUnicode (not from the
  ActualText), a neutral one's from the glyph drawn before it in the same text object, and
  left to right at the start of one (``BT``): a period or comma drawn first on a line (at its
  left end) is left out of the line's right-to-left run and comes out at its start. It keeps
  the glyphs of a line in the order they are drawn, and starts a new line at a jump of more
  than 0.8 em unless the direction changes there. It writes an ActualText's first character
  with its glyph's advance and the rest with none, and drops a character that repeats the one
  before it (fake bold): a FENCE starting a span right after one ending another.

What this module does, per text box, in ``draw_first_line`` (wrapped):

* the glyphs are read back from WeasyPrint's TJ operators with their pen positions (font
  widths, TJ adjustments, text rise) and drawn again from those positions (6 decimals: the
  pages stay pixel-identical, tests/test_textcopy.py, but for the raised marks below);
* a right-to-left unit whose text is not a plain strong letter gets an /ActualText in visual
  order: a FENCE on each side of what poppler or PDFium would move (``. ، ,``, marks), a FENCE
  left and an LRM right of a mirrored character; a left-to-right run in a right-to-left line
  gets a FENCE at each end (and an LRM inside it when it holds letters; and first as many
  more FENCEs as it has letters, and two: poppler then counts the run right to left when it
  takes a page's direction from its letters, and reads the Persian list of Latin names, and
  the colophon after it, right to left; a version code drawn on a page whose letters lean
  left to right so far starts with as many as tip it right to left, ``_tip_page``);
* the spans of a list item whose lines are further apart than 1.5 times its font size (an
  Arabic list) end with a ``Tf`` of the size whose 1.5 times is that pitch and an empty
  ``TJ``, so that poppler makes each column of the list one block (``_poppler_size``);
* a mark is drawn after its letter, in one span whose text is in visual order; the span ends
  with the font's space glyph drawn again (no ink) at the letter's end, so that poppler spreads
  the text over the whole letter. A mark at a word's end (before a space or punctuation)
  joins that space's or punctuation's span instead, which is on the baseline;
* a mark GPOS raises (a text rise: a tanwin over an alef, a shadda inside a word, a Persian
  hamza above) is drawn not as text but as its glyph's outline (``glyph_outline``, fontTools),
  filled after the line's text object (``ET q cm path f Q BT``), so that no viewer sees a raised
  text object; poppler renders it as the glyph but for antialiasing. The span that writes it
  (its letter's, or the space's that carries it) is hidden from PDFium (an inner span with no
  ActualText), which copies instead a shadow drawn just before it, invisible (``3 Tr``) with an
  empty ActualText: the marks and the letter, or the marks alone where the letter starts, for
  a space (``_shadow``), or the mark and the marks, for a semicolon or a question mark (؛ ؟,
  letters for the viewers); a neutral one («دائماً!», «حقاً…») has one of itself alone, and
  its letter one of the marks and the letter (``_lend_marks``). Another punctuation mark
  carrying a raised mark has no shadow: its ActualText holds the marks inside its closing
  fence (``FENCE ، ً FENCE``), which poppler and MuPDF copy in order and PDFium, reversing
  it, as the weak run «ً،», or, a closing quote or bracket, after an RLM
  (``RLM FENCE » LRM ً``, ``plan``);
* a neutral glyph (``. ، :``, and a terminator, ``٪``, which MuPDF counts left to right) drawn
  only in right-to-left units with an ActualText maps to an RLM before its character in the
  ToUnicode (MuPDF then counts it right-to-left; the others copy the ActualText; mirrored
  characters are left alone: PDFium would mirror them), and an
  Arabic-Indic digit of a right-to-left line to an LRM before it (MuPDF then counts it left
  to right); the digits of a number are one span whose ActualText is the number, and a
  terminator after it («٣٢٪»: the terminator's own is a FENCE, ``_percent``) (one a digit
  copied in MuPDF each digit twice, unless a WORD JOINER followed it, which no viewer's
  search then looked past);
* a right-to-left line drawn after a left-to-right one on its baseline, more than an em to its
  right (the Arabic cell of a bilingual row), a Latin span in right-to-left text (a version
  code) and the line after it are preceded by a glyph drawn off the page whose text is a ZERO
  WIDTH SPACE: PDFium then reads them as lines of their own (poppler and MuPDF leave out what
  is off the page, and nothing prints), with nothing between them; a list number before such
  a span («٢٥.Help4Syria») is followed, on its baseline left of the page, by a glyph whose
  text is an RLM, which makes PDFium end the number's line with a space (``_pdfium_space``);
  a line of a right-to-left paragraph that PDFium would
  take for left to right (more Latin segments than Arabic ones) is preceded, on its baseline
  left of the page, by a glyph whose text is RLM ZWSP repeated (``_pdfium_primer``), and a
  bracket starting the line after a Latin span gets an RLM (``_pdfium_lead``). (A document
  whose /ViewerPreferences say /Direction
  /R2L makes PDFium take every line for right to left, a code's too, whose letters and digits
  it then reverses: pipeline/tagging.py sets none);
* a right-to-left line is drawn, for MuPDF, stretch by stretch from its right end: each
  left-to-right run (a Latin word, a number) and each stretch between two, from its left end
  (the direction changes at each jump, where MuPDF then keeps the line); a stretch whose first
  glyph MuPDF would not count in its direction is primed with a glyph of that direction drawn
  a thousandth of a point high with an empty ActualText (``mupdf_order``);
* a line drawn a gap away from the one before it on its baseline (a list item after its
  number), where MuPDF would change direction and so join the two without a space, starts
  with a primer whose ActualText is a line break (``_line_break``); a box of a right-to-left
  line drawn right after the box on its right, no space between them (a bold word's comma),
  where MuPDF would keep the direction, see a jump and start a new line, starts with one
  whose ActualText is a WORD JOINER (``_box_join``); a mirrored character's or a number's
  unit drawn right after a unit ending with a FENCE gets an RLM first, or loses its first
  FENCE (``_mupdf_twins``). Such a primer is a glyph MuPDF counts
  left to right: a neutral or left-to-right one of the line, else the font's space glyph (a
  line of one Arabic word);
* the hyphen WeasyPrint adds at a hyphenated line's end maps to U+00AD (soft hyphen); a
  hyphen ending a box gets a ZWJ after it, so that PDFium does not take it for a soft one.

A line of a right-to-left box is taken as right-to-left even when it holds no right-to-left
character (a date of digits only), and a left-to-right span inside right-to-left text too.

The tag tree is not touched (the spans carry no MCID, inside WeasyPrint's). A line whose
operators are not those expected (another WeasyPrint, a bitmap font) is left as it was drawn.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

_ACTIVE: ContextVar[bool] = ContextVar("textlayer_active", default=False)
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+(?:e-?[0-9]+)?)")
# The fence: RIGHT-TO-LEFT EMBEDDING, a right-to-left character for poppler's table (an RLM
# would do for poppler, but PDFium misplaces the letters next to an RLM written in an
# ActualText) and a neutral one for PDFium. Copied text holds these invisible marks.
FENCE, LRM, RLM, ZWJ, SOFT_HYPHEN = "\u202b", "\u200e", "\u200f", "\u200d", "\u00ad"
ZWSP = "\u200b"
JOINER = "\u2060"


@dataclass
class Cluster:
    text: str
    rtl: bool
    inserted: bool = False  # the hyphen WeasyPrint adds at a hyphenated line's end


@dataclass(frozen=True)
class Outline:
    """A glyph's outline: PDF path operators in font units."""
    units_per_em: float
    path: bytes


@dataclass
class Glyph:
    gid: int
    cluster: int
    font: str = ""
    size: float = 0.0
    rise: float = 0.0
    x: float = 0.0      # the pen position where it is drawn, in text space
    width: float = 0.0  # its advance, in text space
    outline: Outline | None = None  # drawn as this path (a raised mark), not as text


@dataclass
class Unit:
    """Glyphs drawn together, with the text they stand for when it is not their ToUnicode."""
    glyphs: list[int]
    text: str | None = None
    carries: str = ""  # the marks of the letter on its right, written here (see plan)
    carried: int = 0  # the glyphs drawing them (a font may draw «ّ َ» as one: «إنَّ ب»)
    primer: float | None = None  # drawn PRIMER_SIZE high with an empty ActualText: its advance
    shadow: list[int] | None = None  # glyphs drawn before it for PDFium alone (_shadow)
    reach: int | None = None  # its space glyph (no ink) drawn instead, where its letter starts


def install() -> None:
    import weasyprint.draw.text as draw_text

    original = draw_text.draw_first_line
    if getattr(original, "textlayer", False):
        return

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        start, current = len(stream.stream), stream._current_font
        result = original(stream, textbox, *args)
        if _ACTIVE.get():
            rewrite(stream, start, textbox, current)
        return result

    draw_first_line.textlayer = True  # type: ignore[attr-defined]
    draw_text.draw_first_line = draw_first_line


@contextmanager
def recording() -> Iterator[None]:
    """Within this block, WeasyPrint's lines are redrawn as this module says."""
    install()
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def line_glyphs(textbox: Any) -> tuple[list[Glyph], list[Cluster]]:
    """The glyphs WeasyPrint draws for ``textbox`` (in drawing order) and their clusters."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    layout_text = textbox.pango_layout.text
    utf8 = layout_text.encode()
    own = len(utf8) - len(textbox.style["hyphenate_character"].encode()) \
        if hyphenated(textbox) else len(utf8)
    glyphs: list[Glyph] = []
    clusters: list[Cluster] = []
    run = first_line.runs[0]
    empty = pango.PANGO_GLYPH_EMPTY
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        string = glyph_item.glyphs
        count = string.num_glyphs
        offset = glyph_item.item.offset
        length = glyph_item.item.length
        rtl = bool(glyph_item.item.analysis.level % 2)
        log_clusters, infos = string.log_clusters, string.glyphs
        starts = ffi.unpack(log_clusters, count)
        bounds = sorted(set(starts)) + [length]
        ends = dict(pairwise(bounds))
        index: dict[int, int] = {}
        for i in range(count):
            start = starts[i]
            if start not in index:
                index[start] = len(clusters)
                clusters.append(Cluster(utf8[offset + start:offset + ends[start]].decode(), rtl,
                                        offset + start >= own))
            gid = infos[i].glyph
            if gid == empty:
                continue
            glyphs.append(Glyph(gid, index[start]))
    return glyphs, clusters


def _split_marks(glyphs: list[Glyph], clusters: list[Cluster], fonts: dict[str, Any]) -> None:
    """A right-to-left cluster of a letter and its marks drawn as a glyph each (HarfBuzz
    merges «أُ», «إِ» into one cluster): each mark glyph becomes a cluster of its own mark, the
    letter's keeps the letter, and the font's ToUnicode maps each glyph to its own character.
    (WeasyPrint maps the first glyph of a cluster to the whole cluster, the damma to «أُ»,
    which every viewer then copies for every damma of the document, «تُأعدّ»; and the other to
    nothing.) A mark glyph is the one the font's cmap gives the mark; a cluster whose glyphs
    are not one letter and one glyph per mark is left as it is."""
    members: dict[int, list[int]] = {}
    for i, glyph in enumerate(glyphs):
        members.setdefault(glyph.cluster, []).append(i)
    for index, drawn in members.items():
        cluster = clusters[index]
        text = cluster.text
        if not cluster.rtl or len(text) < 2 or len(drawn) != len(text) or _is_mark(text[0]) \
                or not _is_mark(text[1:]):
            continue
        font = fonts[glyphs[drawn[0]].font]
        marks = {_nominal(font, mark): mark for mark in text[1:]}
        letters = [i for i in drawn if glyphs[i].gid not in marks]
        if len(marks) != len(text) - 1 or len(letters) != 1 \
                or any(glyphs[i].font != glyphs[drawn[0]].font for i in drawn):
            continue
        cluster.text = text[0]
        for i in drawn:
            glyph = glyphs[i]
            own = marks.get(glyph.gid, text[0])
            if font.to_unicode.get(glyph.gid) in (None, "", text):
                font.to_unicode[glyph.gid] = own
            if i not in letters:
                glyph.cluster = len(clusters)
                clusters.append(Cluster(own, True))


def hyphenated(textbox: Any) -> bool:
    """Whether the line ends with the hyphen WeasyPrint adds where it hyphenates a word (its
    text box holds it; the HTML does not)."""
    hyphen = textbox.style["hyphenate_character"]
    text = textbox.pango_layout.text
    if not hyphen or not text.endswith(hyphen) or len(text) <= len(hyphen) \
            or not text[-len(hyphen) - 1].isalpha() or textbox.element is None:
        return False
    tail = " ".join(text.split()[-1:])
    return tail not in " ".join("".join(textbox.element.itertext()).split())


def _utf16(text: str) -> bytes:
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


def _number(value: float) -> bytes:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return b"0" if text in ("", "-0") else text.encode()


@lru_cache(maxsize=4096)
def _is_mark(text: str) -> bool:
    return bool(text) and all(unicodedata.category(c) in ("Mn", "Me") for c in text)


@lru_cache(maxsize=4096)
def _shown(text: str) -> str:
    """``text`` without its format characters (category Cf: isolates, marks of direction)."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _strong_rtl(c: str) -> bool:
    return unicodedata.bidirectional(c) in ("R", "AL")


@lru_cache(maxsize=4096)
def _fence(text: str) -> str:
    """The text of a right-to-left unit (in visual order) with the marks that keep poppler's and
    PDFium's reordering from moving or mirroring what is not a strong right-to-left letter: a
    mirrored character (« ( ) gets a FENCE on its left and an LRM on its right (PDFium then
    does not mirror it); anything else (. ، , a mark) a FENCE on each side."""
    out: list[str] = []
    for c in text:
        if _strong_rtl(c) or c.isspace():
            out.append(c)
        elif unicodedata.mirrored(c):
            out += [FENCE, c, LRM]
        else:
            out += [FENCE, c, FENCE]
    fenced = "".join(out)
    while FENCE + FENCE in fenced:
        fenced = fenced.replace(FENCE + FENCE, FENCE)
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
    drawn, count = 0, len(glyphs)
    widths: dict[int, float] = {}
    widths_of: str | None = None  # the font whose widths ``widths`` holds
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
            for hexes, number in _TOKEN.findall(item[1:-4]):
                if number:
                    x -= float(number) * size / 1000
                    continue
                for k in range(0, len(hexes), 4):
                    gid = int(hexes[k:k + 4], 16)
                    if drawn >= count or glyphs[drawn].gid != gid or not font:
                        return
                    if font != widths_of:
                        widths, widths_of = fonts[font].widths, font
                    width = widths.get(gid, 0) * size / 1000
                    g = glyphs[drawn]
                    g.font, g.size, g.rise, g.x, g.width = font, size, rise, x, width
                    x += width
                    drawn += 1
        else:
            return  # an operator this module does not know: leave the line as WeasyPrint drew it
    if drawn != len(glyphs) or not glyphs:
        return
    _split_marks(glyphs, clusters, fonts)
    latin = _ltr_in_rtl(textbox)
    embedded = latin or textbox.style["direction"] == "rtl"
    units = plan(glyphs, clusters, fonts, embedded=embedded)
    rtl = embedded or any(c.rtl for c in clusters)
    previous = getattr(stream, "textlayer_last", None)
    separator: list[bytes] = []
    if rtl and not _list_number(textbox):
        # (a list number stays in drawing order: poppler would make two words of "١." else)
        units = mupdf_order(glyphs, clusters, units, fonts)
    first, last = _mupdf_ends(glyphs, units, fonts)
    if head:
        x, y = (float(n) for n in head[-1].split()[4:6])
        left = x + min(g.x for g in glyphs)
        right = x + max(g.x + g.width for g in glyphs)
        # (right after a list number too, "٢٥.Help4Syria", which PDFium would join to the
        # number: the number's line ends with a space for PDFium, ``_pdfium_space``)
        numbered = previous is not None and abs(previous[2] - y) < glyphs[0].size \
            and getattr(stream, "textlayer_number", False)
        own_line = latin or _pdfium_own_line(textbox, clusters, numbered)
        # (nor a primer there: PDFium would reverse "Help4Syria", which it reads left to right)
        primer = [] if own_line or numbered or textbox.style["direction"] != "rtl" else \
            _pdfium_primer(glyphs, units, fonts, head[-1], -1000 - left)
        stream.textlayer_last = (left, right, y, rtl, last, own_line, bool(primer))
        size = glyphs[0].size
        if previous is not None and abs(previous[2] - y) < size:
            if (rtl and not previous[3] and previous[1] + size < left) or own_line \
                    or previous[5] or (previous[6] and not rtl):
                # a bilingual row's Arabic cell; a Latin span in Arabic text, and what follows
                # it; a left-to-right line after a primed one (PDFium would take it for right
                # to left)
                glyph = next((g for g in glyphs if _mupdf_level(g, fonts) == first), glyphs[0])
                separator = _separator(glyph, head[-1])
                if numbered and own_line:
                    separator = _pdfium_space(glyph, head[-1], y, -1000 - left) + separator
                current = (glyph.font, glyph.size)
                if previous[4] != first and max(left - previous[1], previous[0] - right) > size:
                    # (a list number an em or more left of a Latin name ending the item on
                    # its right, «(UOSSM)» then «٢٥.»: MuPDF joined the two, as below)
                    units = _line_break(glyphs, units, fonts)
            elif previous[4] != first and max(left - previous[1], previous[0] - right) > size / 4:
                units = _line_break(glyphs, units, fonts)
            elif rtl and previous[3] and previous[4] == first == 1 \
                    and abs(previous[0] - right) < size / 4 \
                    and not getattr(stream, "textlayer_spaced", True) \
                    and not textbox.pango_layout.text[:1].isspace():
                # (with a space between them, MuPDF's line break copies as one: left alone)
                units = _box_join(glyphs, units, fonts)
        if previous is not None and previous[5] and not own_line and not latin:
            _pdfium_lead(glyphs, clusters, units)
        if primer:
            separator += primer
            current = (glyphs[0].font, glyphs[0].size)
    else:
        stream.textlayer_last = None
    logical = "".join(c for c in getattr(textbox, "text", "") if unicodedata.category(c) != "Cf")
    stream.textlayer_spaced = not logical or logical[-1].isspace()
    stream.textlayer_number = _list_number(textbox) and not stream.textlayer_spaced
    # (not a list number's: its digits drawn without a span keep their own size, and poppler
    # would make two words of «۱۰۰.»; the block takes its size from a line's leftmost word)
    block = None if _list_number(textbox) else _poppler_size(textbox)
    _mupdf_twins(units)
    _tip_page(stream, glyphs, units, fonts, latin)
    stream.stream[start:] = separator + head + emit(glyphs, units, current,
                                                    stream._current_font,
                                                    head[-1] if head else None, block)


PRIMER_SIZE = 0.001


def _is_number(text: str) -> bool:
    shown = _shown(text)
    return bool(shown) and all(unicodedata.bidirectional(c) in ("AN", "EN") for c in shown)


def _mupdf_twins(units: list[Unit]) -> None:
    """Units drawn right after one whose ActualText ends with a FENCE, their own starting with
    one. MuPDF, which writes a span's first character with its glyph's advance and the rest
    of the ActualText after it with none, drops a character that repeats the one before it
    (it takes it for fake bold): it dropped the second FENCE, and with it its glyph's advance,
    then wrote a space at the gap that left before the next glyph: «ومستدامة »،» (the comma,
    then the guillemet on its right), a list number «.١ ٠» (its period, then its digits),
    which no search found. A mirrored character's unit gets an RLM first, as ``_pdfium_lead``
    gives one (a format character, strong right to left as the FENCE is for poppler); a
    number's loses its first FENCE (with an RLM, PDFium no longer found the number; the
    FENCE before it still parts it from the period for poppler and PDFium). Another unit is
    left alone (an RLM before a comma's FENCE, PDFium copied «النفاد،» reversed)."""
    before: str | None = None
    for unit in units:
        if unit.primer is not None or not unit.glyphs:
            continue
        if before is not None and before.endswith(FENCE) and unit.text is not None \
                and unit.text.startswith(FENCE):
            if unicodedata.mirrored(unit.text[1:2] or " "):
                unit.text = RLM + unit.text
            elif _is_number(unit.text) and not any(c.isascii() for c in _shown(unit.text)):
                # (digits 0-9, a Latin run's «{{7*7}}», keep it: poppler moved the brace)
                unit.text = unit.text[1:]
        before = unit.text


def _tip_page(stream: Any, glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any],
              latin: bool) -> None:
    """Poppler reads a page left to right when its text has as many left-to-right letters as
    right-to-left ones (its table: a FENCE, an RLM count right to left, an LRM left to right)
    and then writes the stretches of a right-to-left line in the order they are printed: the
    Arabic colophon of the bilingual one-voice page, whose English column has more letters,
    came out «للترجمة ... abf0f4b87f22 هذه النسخة». The letters of the page's lines are counted
    as they are drawn (``stream.textlayer_balance``: left-to-right ones less right-to-left
    ones); a version code (``latin``) drawn while they lean left to right starts with as many
    more FENCEs as tip the page right to left (the rest of its right-to-left line follows).
    Poppler then reads that page's columns from the right one, and each English line but for
    a bracket or a quote ending it (none in the fixtures); PDFium and MuPDF copy the FENCEs,
    format characters a reader does not see."""
    texts = "".join(u.text if u.text is not None else "".join(
        fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "") for i in u.glyphs)
        for u in units if u.primer is None)
    kinds = [unicodedata.bidirectional(c) for c in texts]
    balance = getattr(stream, "textlayer_balance", 0) \
        + sum(k in ("L", "LRE", "LRO") for k in kinds) \
        - sum(k in ("R", "AL", "RLE", "RLO") for k in kinds)
    drawn = [u for u in units if u.primer is None and u.glyphs]
    if latin and balance >= 0 and drawn:
        unit = min(drawn, key=lambda u: min(glyphs[i].x for i in u.glyphs))
        text = unit.text if unit.text is not None else "".join(
            fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "") for i in unit.glyphs)
        unit.text = FENCE * (balance + 1) + text
        balance = -1
    stream.textlayer_balance = balance


def _mupdf_level(glyph: Glyph, fonts: dict[str, Any]) -> int | None:
    """The direction MuPDF gives ``glyph``: that of the first character of its ToUnicode (1:
    right to left), None for a neutral one (it takes that of the glyph drawn before)."""
    return _text_level(fonts[glyph.font].to_unicode.get(glyph.gid, ""))


@lru_cache(maxsize=4096)
def _text_level(text: str) -> int | None:
    kind = unicodedata.bidirectional(text[0]) if text else ""
    return 0 if kind in ("L", "EN", "ES", "ET") else 1 if kind in ("R", "AL", "AN") else None


def mupdf_order(glyphs: list[Glyph], clusters: list[Cluster], units: list[Unit],
                fonts: dict[str, Any]) -> list[Unit]:
    """The units of a right-to-left line in the order they are drawn for MuPDF, which reverses
    each run of right-to-left glyphs in place and starts a new line at a jump unless the
    direction changes there: the left-to-right runs (Latin words, numbers) and the stretches
    between them drawn from the right one to the left one, each from its left end; a stretch
    whose first glyph MuPDF would not count in its direction is primed with a glyph of that
    direction drawn a thousandth of a point high with an empty ActualText (no viewer copies it,
    PDFium leaves out a text object so narrow, nothing prints)."""
    def ltr(unit: Unit) -> bool:
        return not clusters[glyphs[unit.glyphs[0]].cluster].rtl

    stretches: list[list[Unit]] = []
    for unit in units:
        if unit.primer is None and stretches and ltr(stretches[-1][0]) == ltr(unit):
            stretches[-1].append(unit)
        else:
            stretches.append([unit])
    ordered: list[Unit] = []
    level: int | None = 0  # MuPDF starts each text object left to right
    for stretch in reversed(stretches):
        wanted = 0 if ltr(stretch[0]) else 1
        first = _mupdf_level(glyphs[stretch[0].glyphs[0]], fonts)
        if (first if first is not None else level) != wanted:
            primer = _primer(glyphs, fonts, wanted)
            if primer is not None:
                ordered.append(primer)
        ordered += stretch
        for unit in stretch:
            for i in unit.glyphs:
                found = _mupdf_level(glyphs[i], fonts)
                level = found if found is not None else level
        level = wanted if level is None else level
    return ordered


def _mupdf_ends(glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any]
                ) -> tuple[int, int]:
    """The direction MuPDF gives the first and the last glyph it copies of these units, drawn
    in this order at the start of a text object."""
    level, first = 0, None
    for unit in units:
        if unit.primer is not None:
            level = 0 if _mupdf_level(glyphs[unit.glyphs[0]], fonts) == 0 else 1
            continue
        for i in unit.glyphs:
            found = _mupdf_level(glyphs[i], fonts)
            level = found if found is not None else level
            first = level if first is None else first
    return (first if first is not None else 0), level


def _line_break(glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any]) -> list[Unit]:
    """The units of a line drawn a gap away from the one before it on its baseline (a list
    item after its number), where MuPDF changes direction and so joins the two without a
    space: they start with a primer that writes a line break, MuPDF copies it (a neutral glyph
    drawn first in a text object, or a left-to-right one: MuPDF keeps it where it is drawn);
    poppler takes it for a space between words, PDFium leaves the primer out."""
    primer = _neutral_primer(glyphs, fonts, "\n")
    return units if primer is None else [primer] + units


def _box_join(glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any]) -> list[Unit]:
    """The units of a box of a right-to-left line drawn right after the box on its right, no
    space between them (a comma after a bold word), both copied right to left by MuPDF: MuPDF,
    which keeps the
    direction but sees a jump between the two (each is drawn from its left end), would start a
    new line, and so write a line break between the word and its comma. They start with a
    primer whose ActualText is a WORD JOINER, which MuPDF counts left to right (a neutral glyph
    drawn first in a text object): at a change of direction MuPDF ignores the jump, keeps the
    line, and reverses the two boxes' runs each on its own. The joiner is a format character
    (no reader sees it); poppler and PDFium leave it out or copy it with no space. (pypdf,
    which reads the primer's own glyph, a no-break space, splits the run there: with a space
    between the boxes the primer is left out, MuPDF's line break then copying as that space.)"""
    primer = _neutral_primer(glyphs, fonts, JOINER)
    return units if primer is None else [primer] + units


def _neutral_primer(glyphs: list[Glyph], fonts: dict[str, Any], text: str) -> Unit | None:
    """A primer writing ``text`` that MuPDF counts left to right, drawn first in a text object:
    a glyph of the line that is neutral or left to right, else the font's space glyph (a line
    of one Arabic word has none of its own), appended to ``glyphs``."""
    for i, glyph in enumerate(glyphs):
        if not _mupdf_level(glyph, fonts):  # neutral (left to right at a text object's start)
            width = fonts[glyph.font].widths.get(glyph.gid, 0) * PRIMER_SIZE / 1000
            return Unit([i], text=text, primer=width)
    font = fonts[glyphs[0].font]
    # a no-break space drawn only in spans would map to an RLM first (_rtl_neutral): not that one
    plain: set[int] = getattr(font, "textlayer_plain", set())
    spaces = sorted(gid for gid, mapped in font.to_unicode.items()
                    if mapped == " " or (mapped == "\xa0" and gid in plain))
    if not spaces:
        return None
    glyphs.append(Glyph(spaces[0], glyphs[0].cluster, glyphs[0].font, glyphs[0].size))
    return Unit([len(glyphs) - 1], text=text,
                primer=font.widths.get(spaces[0], 0) * PRIMER_SIZE / 1000)


def _primer(glyphs: list[Glyph], fonts: dict[str, Any], level: int) -> Unit | None:
    """A glyph MuPDF counts in direction ``level``: one of the line, else one the document
    draws in another font, appended to ``glyphs`` (a line of Latin letters and the brackets
    a wrapped name starts and ends with, "(LDSPS)", whose brackets are right to left, has no
    right-to-left glyph of its own: MuPDF broke it into three lines)."""
    kinds = ("L",) if level == 0 else ("R", "AL")
    for i, glyph in enumerate(glyphs):
        text = fonts[glyph.font].to_unicode.get(glyph.gid, "")
        if text and unicodedata.bidirectional(text[0]) in kinds:
            return Unit([i], primer=fonts[glyph.font].widths.get(glyph.gid, 0) * PRIMER_SIZE / 1000)
    # (one that writes no letter first, a period mapped to an RLM first or «؛»: the primer is
    # drawn in the line's marked content, whose language is the line's)
    found = sorted((any(c.isalpha() for c in text), name, gid)
                   for name, font in fonts.items() for gid, text in font.to_unicode.items()
                   if text and unicodedata.bidirectional(text[0]) in kinds)
    if not found:
        return None
    _, name, gid = found[0]
    glyphs.append(Glyph(gid, glyphs[0].cluster, name, glyphs[0].size, 0.0, glyphs[0].x))
    return Unit([len(glyphs) - 1], primer=fonts[name].widths.get(gid, 0) * PRIMER_SIZE / 1000)


def _separator(glyph: Glyph, matrix: bytes) -> list[bytes]:
    """A glyph drawn above the page, its text a ZERO WIDTH SPACE: PDFium, which reads the text
    objects on one baseline as one line (the two columns of a bilingual row), starts a new line
    before a right-to-left line drawn after a left-to-right one on its baseline. Nothing
    prints (it is off the page), and poppler and MuPDF leave out what is off the page."""
    a, b, c, d, _, _ = matrix.split()[:6]
    return [b" ".join([a, b, c, d, b"0 -1000 Tm"]),
            b"/" + glyph.font.encode() + b" " + _number(glyph.size) + b" Tf",
            b"/Span <</ActualText " + _utf16("\u200b") + b">> BDC",
            b"[<%04x>] TJ" % glyph.gid, b"EMC"]


def _pdfium_space(glyph: Glyph, matrix: bytes, y: float, x: float) -> list[bytes]:
    """For a list number followed by a Latin name drawn as a line of its own for PDFium
    («٢٥.Help4Syria»): a glyph drawn off the page on the number's baseline (at ``x``, left of
    the page), its text an RLM, drawn after the number. PDFium, which copies lines on one
    baseline with nothing between them, reads it first on the number's line, adds a space of
    its own at the gap between it and the number, and, taking the line for right to left
    (the RLM), copies the number, then that space; of a region, the space and not the RLM,
    which is off the page (poppler and MuPDF leave out what is off the page)."""
    a, b, c, d, _, _ = matrix.split()[:6]
    return [b" ".join([a, b, c, d, _number(x), _number(y), b"Tm"]),
            b"/" + glyph.font.encode() + b" " + _number(glyph.size) + b" Tf",
            b"/Span <</ActualText " + _utf16(RLM) + b">> BDC",
            b"[<%04x>] TJ" % glyph.gid, b"EMC"]


def _pdfium_lead(glyphs: list[Glyph], clusters: list[Cluster], units: list[Unit]) -> None:
    """The brackets and quotes that start (at its right end) the line after a Latin span drawn
    as a line of its own (``» و«``, ``]) وراسلونا``): each gets an RLM before its FENCE. PDFium
    copies such a line's segments from its right end, and without one it would copy the
    neutral run of the space and the bracket on its left after the bracket's LRM, left to
    right (`` »و«``); the RLM ends that run."""
    for unit in sorted((u for u in units if u.primer is None and u.glyphs),
                       key=lambda u: -max(glyphs[i].x for i in u.glyphs)):
        text = "".join(clusters[c].text for c in dict.fromkeys(glyphs[i].cluster
                                                               for i in unit.glyphs))
        shown = "".join(c for c in text if unicodedata.category(c) != "Cf")
        if not shown or shown.isspace():
            continue
        if not all(unicodedata.mirrored(c) for c in shown) or unit.text is None \
                or not unit.text.startswith(FENCE):
            return
        unit.text = RLM + unit.text


def _pdfium_segments(text: str) -> tuple[int, int]:
    """How many left-to-right and right-to-left segments PDFium's simple bidi cuts ``text``
    into (each run of one ``_pdfium_class`` is a segment)."""
    classes = [_pdfium_class(c) for c in text]
    runs = [kind for k, kind in enumerate(classes) if k == 0 or kind != classes[k - 1]]
    return runs.count("L"), runs.count("R")


def _pdfium_primer(glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any],
                   matrix: bytes, x: float) -> list[bytes]:
    """For a line of a right-to-left paragraph that PDFium would take for left to right (it
    does when the line has more left-to-right segments than right-to-left ones: Latin names,
    the LRMs of the fences), a glyph drawn off the page on the line's baseline (at ``x``, left
    of the page: PDFium, which sorts a line's text objects by where they start, reads it
    first), its text RLM ZWSP repeated, as many right-to-left segments as the line lacks, plus
    one (two boxes of one line may join a segment): PDFium then takes the line for right to
    left. Format characters only, which a reader's copy does not show; poppler and MuPDF leave
    out what is off the page. The line's first glyph (PDFium leaves out a text object with no
    ink), then the font's space glyph: PDFium, which adds a space between two text objects a
    gap apart unless the first ends with a space, then adds none. Nothing if the line needs
    none."""
    pieces = sorted((min(glyphs[i].x for i in unit.glyphs), unit.text if unit.text is not None
                     else "".join(fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "")
                                  for i in unit.glyphs))
                    for unit in units if unit.primer is None and unit.glyphs)
    ltr, rtl = _pdfium_segments("".join(text for _, text in pieces))
    if not ltr or rtl > ltr:
        return []
    first = glyphs[0]
    space = _space_after(first, fonts)
    a, b, c, d, _, y = matrix.split()[:6]
    return [b" ".join([a, b, c, d, _number(x), y, b"Tm"]),
            b"/" + first.font.encode() + b" " + _number(first.size) + b" Tf",
            b"/Span <</ActualText " + _utf16((RLM + ZWSP) * (ltr - rtl + 1)) + b">> BDC",
            b"[<%04x>%s] TJ" % (first.gid, b"" if space is None else b"<%04x>" % space.gid),
            b"EMC"]


@lru_cache(maxsize=4096)
def _pdfium_class(c: str) -> str:
    """The direction PDFium's simple bidi (CFX_BidiChar) gives ``c``: L, W (weak: numbers,
    marks, separators, a no-break space), R, or N (neutral: spaces, brackets, controls)."""
    kind = unicodedata.bidirectional(c)
    return "L" if kind == "L" else "R" if kind in ("R", "AL") else \
        "W" if kind in ("AN", "EN", "NSM", "CS", "ES", "ET", "BN") else "N"


def _pdfium_own_line(textbox: Any, clusters: list[Cluster], numbered: bool = False) -> bool:
    """Whether ``textbox`` is a left-to-right span of right-to-left text (a Latin name,
    ``<span class="latin">``) that PDFium would cut into segments of several directions
    ("FREE-Syria", "(SAC)", "Help4Syria"): on a line it takes for right to left, PDFium
    reverses the order of those segments (Syria-FREE, )SAC(); on a line of its own (a
    ``_separator`` before it and before what follows it), which holds no right-to-left
    letter, it keeps them in order. Copying a region, PDFium writes nothing between two lines
    on one baseline, so a span glued to what precedes it (و«FREE-Syria», info@example.org)
    stays glued; right after a list number, which the span's item does not hold
    ("٢٥.Help4Syria"), the number's line ends with a space for PDFium (``_pdfium_space``).
    Right after a list number (``numbered``) a plain Latin word is one too: PDFium, reading it
    on the number's line, copied «٢٢.FSCSO» as «FSCSO .٢٢»."""
    shown = [c for c in clusters if _shown(c.text)]
    text = "".join(_shown(c.text) for c in shown)
    if textbox.style["direction"] != "rtl" or any(c.rtl for c in shown) or not text.strip():
        return False  # (the isolates around a span are clusters of the right-to-left text)
    classes = {_pdfium_class(c) for c in text.strip()}
    return "L" in classes and (len(classes) > 1 or numbered)


def _poppler_size(textbox: Any) -> float | None:
    """The size poppler is to give the text of the spans of ``textbox``, a line of a list item
    whose lines are further apart than 1.5 times its font size (an Arabic list: 1.55), else
    None. Poppler groups two lines into one block only when their baselines are at most 1.5
    times the block's font size apart (the size of the block's first word, leftmost; a line's
    words within 5 % of it): it made each line of the two-column Persian list a block of its
    own, and ordered the blocks of both columns among each other, a wrapped name's second line
    away from its first. Poppler gives an ActualText's characters the size set when its span
    ends: a ``Tf`` there (then ``[] TJ``, drawing nothing, without which poppler does not take
    it) gives every span of the list the size whose 1.5 times is the lines' pitch, and a
    twentieth more: a Latin name's first letter (the fence of its run) is its line's leftmost
    word, and each line has one. Nothing prints; PDFium and MuPDF take a size from the glyphs
    they draw. (A line of Arabic letters alone has no span at its left end, and one given
    there, PDFium reversed the word: such a list is left to poppler's order of lines, which
    keeps a wrapped Arabic name whole in the fixtures.)"""
    style = textbox.style
    for _ in range(4):
        if style is None:
            return None
        if "list-item" in style["display"]:
            break
        style = getattr(style, "parent_style", None)
    else:
        return None
    size, height = style["font_size"], style["line_height"]
    pitch = height * size if isinstance(height, (int, float)) else \
        getattr(height, "value", 0) if getattr(height, "unit", None) == "px" else 0
    return pitch / 1.5 * 1.05 if pitch > 1.5 * size else None


def _list_number(textbox: Any) -> bool:
    """Whether ``textbox`` is a list item's number (``<span class="number">``)."""
    element = getattr(textbox, "element", None)
    return element is not None and "number" in (element.get("class") or "").split()


def _ltr_in_rtl(textbox: Any) -> bool:
    """Whether ``textbox`` is the text of an element marked ``dir="ltr"`` (a version code's
    ``<span class="latin">``) inside a right-to-left one: WeasyPrint draws it as a line of its
    own, whose run is fenced as a left-to-right run of a right-to-left line is."""
    element = getattr(textbox, "element", None)
    if element is None or element.get("dir") != "ltr":
        return False
    style = getattr(textbox.style, "parent_style", None)
    while style is not None:
        if style["direction"] == "rtl":
            return True
        style = getattr(style, "parent_style", None)
    return False


def plan(glyphs: list[Glyph], clusters: list[Cluster], fonts: dict[str, Any],
         embedded: bool = False) -> list[Unit]:
    """The units of a line in drawing order (``embedded``: a left-to-right line drawn inside a
    right-to-left one)."""
    rtl_line = embedded or any(c.rtl for c in clusters)
    units: list[Unit] = []
    numbers: set[int] = set()
    pending_marks: list[int] = []  # marks of a right-to-left letter, drawn before it
    previous_cluster = None
    carrying = False  # the last glyph was a mark the unit on its left carries
    drawn = len(glyphs)  # the glyphs WeasyPrint drew: the space glyphs appended below are not
    for index, glyph in enumerate(glyphs[:drawn]):  # units of their own (they were copied twice)
        cluster = clusters[glyph.cluster]
        if glyph.cluster == previous_cluster and units:
            units[-1].glyphs.append(index)
            units[-1].carried += carrying
            continue
        previous_cluster = glyph.cluster
        carrying = False
        if cluster.rtl and _is_mark(cluster.text) and index + 1 < drawn:
            if glyph.rise:  # (raised by GPOS: drawn as a path, emit)
                glyph.outline = _outline(fonts[glyph.font], glyph.gid)
            left = units[-1] if units and not pending_marks else None
            if left is not None and _carrier(clusters, glyphs, left):
                # a mark at a word's end (a tanwin before a space or a comma) joins the unit on
                # its left, which no viewer reverses and which is on the baseline: that unit's
                # text ends with it (PDFium sorts the pair by where the mark's TJ starts: at
                # the letter's left edge, before the letter)
                left.carries += cluster.text
                left.glyphs.append(index)
                left.carried += 1
                carrying = True
                continue
            pending_marks.append(index)
            continue
        unit = Unit([index] + pending_marks)
        if pending_marks and (space := _space_after(glyph, fonts)) is not None:
            # a mark inside a word: the unit ends with the font's space glyph drawn again (no
            # ink) at the letter's end, so that poppler spreads the unit's text over the whole
            # letter (it ends an ActualText where its last glyph ends) and sees no gap
            glyphs.append(space)
            unit.glyphs.append(len(glyphs) - 1)
        pending_marks = []
        units.append(unit)
    if pending_marks:
        units.append(Unit(pending_marks))
    for unit in units:
        _shadow(glyphs, unit, fonts, drawn, clusters)
    lent = _lend_marks(glyphs, units, fonts, drawn, clusters)
    for unit in units:
        own = unit.glyphs[:len(unit.glyphs) - unit.carried]  # (not the marks it carries)
        if len(own) == 1:  # (most units: one glyph)
            texts = [clusters[glyphs[own[0]].cluster]]
            logical = texts[0].text
        else:
            texts = [clusters[c] for c in dict.fromkeys(glyphs[i].cluster for i in own)]
            logical = "".join(c.text for c in texts)
        rtl = texts[0].rtl
        if texts[0].inserted:
            _soft_hyphen(fonts, [glyphs[i] for i in unit.glyphs])
            continue
        for i in unit.glyphs:
            _real_text(fonts, glyphs[i], clusters[glyphs[i].cluster].text)
        if rtl:
            visual = "".join(c.text[::-1] for c in reversed(texts))
            fenced = _fence(visual)
        elif logical == "-" and unit is units[-1]:
            fenced = "-" + ZWJ  # PDFium takes a hyphen ending a line for a soft one and drops it
        else:
            fenced = logical
        if len(own) == 1:
            mapped = fonts[glyphs[own[0]].font].to_unicode.get(glyphs[own[0]].gid, "")
        else:
            mapped = "".join(fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "") for i in own)
        if unit.carries:
            # a WORD JOINER last: MuPDF, which finds the mark's own text at the end, would copy
            # the mark twice (as the end of the ActualText, and again as the mark's ToUnicode);
            # none after marks drawn as outlines, which have no text of their own (a joiner
            # inside «أولاً» is one a reader's search in MuPDF or poppler does not type)
            outlined = all(glyphs[i].outline is not None for i in unit.glyphs[len(own):])
            if outlined and fenced.endswith(FENCE) and not fenced.isspace() \
                    and not any(unicodedata.bidirectional(c) in ("ES", "ET") for c in logical):
                # a punctuation mark («محايداً،»): the marks inside its closing fence (not a
                # hyphen or a percent sign, European separators and terminators: PDFium
                # copied «حقا-ً», «حقا%ً»; after the fence it copies them in order). PDFium
                # writes the ActualText of this right-to-left object reversed (FENCE ً ، FENCE)
                # and copies the weak run «ً،» forward, the fence keeping the no-break space on
                # its left out of that run (after it, it copied «، ً»); poppler and MuPDF copy
                # the text in order (with the marks after the fence, they did too)
                unit.text = fenced[:-1] + unit.carries[::-1] + FENCE
            elif outlined and fenced.startswith(FENCE) and fenced.endswith(LRM):
                # a mirrored one («حقاً» اتفاقاً, (رسمياً) أيضاً): an RLM first, as
                # _pdfium_lead gives one; else PDFium, which the LRM turns left to right,
                # copies the space after the bracket before it (poppler and MuPDF copy the
                # text in order; MuPDF then also keeps «عادلاً». in order)
                unit.text = RLM + fenced + unit.carries[::-1]
            else:
                unit.text = (mapped if fenced.isspace() else fenced) + unit.carries[::-1] \
                    + ("" if outlined else JOINER)
        elif (fenced != mapped and not (fenced.isspace() and mapped.isspace())) \
                or len(unit.glyphs) > 1:
            unit.text = fenced
        number = rtl_line and not rtl and bool(logical) \
            and all(unicodedata.bidirectional(c) == "AN" for c in logical)
        if number:
            unit.text = unit.text if unit.text is not None else logical
            numbers.add(id(unit))
        spanned = (rtl or number) and unit.text is not None
        for i in unit.glyphs:
            text = clusters[glyphs[i].cluster].text
            # (a terminator carrying the tanwin of the word on its right, «حقاً%», is left
            # alone: with an RLM first, PDFium copied «حقا%ً»)
            _rtl_neutral(fonts, glyphs[i], text, spanned and not (
                unit.carries and unicodedata.bidirectional(text[:1] or " ") == "ET"))
    for letter in lent:  # (hidden from PDFium, which copies its shadow: _lend_marks)
        if letter.text is None:
            letter.text = "".join(clusters[glyphs[i].cluster].text for i in letter.glyphs)
    if numbers:
        # the digits of a number are one unit, its ActualText the number: with one ActualText
        # a digit, MuPDF copied a digit's twice (the ActualText's, and again the ToUnicode's
        # after its LRM) unless a WORD JOINER followed each, which then kept every viewer's
        # search from finding the number
        joined: list[Unit] = []
        for unit in units:
            if joined and id(unit) in numbers and id(joined[-1]) in numbers:
                joined[-1].glyphs += unit.glyphs
                joined[-1].text = (joined[-1].text or "") + (unit.text or "")
            else:
                joined.append(unit)
        units = joined
        _percent(glyphs, clusters, units, numbers)
    if rtl_line:
        # a left-to-right run (digits, Latin) in a right-to-left line: fenced with RLEs, so that
        # poppler's reordering does not take the spaces and punctuation around it into the run;
        # a run with letters also gets an LRM inside each fence, so that the brackets at its
        # ends stay in it (poppler starts a left-to-right stretch at a letter or a digit only)
        def ltr(unit: Unit) -> bool:
            return not clusters[glyphs[unit.glyphs[0]].cluster].rtl

        k = 0
        while k < len(units):
            if not ltr(units[k]):
                k += 1
                continue
            end = k
            while end + 1 < len(units) and ltr(units[end + 1]):
                end += 1
            run = units[k:end + 1]
            count = sum(unicodedata.bidirectional(c) == "L" for c in "".join(
                clusters[c].text for c in dict.fromkeys(glyphs[i].cluster
                                                         for unit in run for i in unit.glyphs)))
            letters = count > 0
            # (as many more FENCEs first as the run has letters, and two: poppler, which reads
            # a page whose letters are mostly Latin left to right, counts each run right to left)
            for unit, edge, fence in ((run[0], 0, FENCE * (1 + (count + 2) * letters)
                                       + LRM * letters),
                                      (run[-1], 1, LRM * letters + FENCE)):
                text = unit.text if unit.text is not None else "".join(
                    fonts[glyphs[i].font].to_unicode.get(glyphs[i].gid, "") for i in unit.glyphs)
                unit.text = fence + text if edge == 0 else text + fence
            k = end + 1
    return units


def _percent(glyphs: list[Glyph], clusters: list[Cluster], units: list[Unit],
             numbers: set[int]) -> None:
    """A terminator after a number of a right-to-left line («٣٢٪», drawn on the number's
    left): the number's ActualText ends with it, and its own is a FENCE alone. Each viewer
    copied the FENCEs of both units between the two, so that no search found «٣٢٪»; the FENCE
    left keeps the terminator's span writing something (PDFium copies a glyph's own text for
    an empty ActualText) that no reader sees. Not a terminator carrying marks (``plan``)."""
    for left, unit in pairwise(units):
        if id(unit) not in numbers or left.text is None or left.carries \
                or len({glyphs[i].cluster for i in left.glyphs}) != 1:
            continue
        text = clusters[glyphs[left.glyphs[0]].cluster].text
        if len(text) == 1 and unicodedata.bidirectional(text) == "ET" \
                and left.text == _fence(text):
            left.text, unit.text = FENCE, (unit.text or "") + text


def _space_after(letter: Glyph, fonts: dict[str, Any]) -> Glyph | None:
    """The font's space glyph, drawn to end where ``letter`` ends (None: the font has none)."""
    font = fonts[letter.font]
    spaces = sorted(gid for gid, text in font.to_unicode.items() if _shown(text) in (" ", "\xa0"))
    if not spaces:
        return None
    width = font.widths.get(spaces[0], 0) * letter.size / 1000
    return Glyph(spaces[0], letter.cluster, letter.font, letter.size, 0.0,
                 letter.x + letter.width - width, width)


def _shadow(glyphs: list[Glyph], unit: Unit, fonts: dict[str, Any], drawn: int,
            clusters: list[Cluster]) -> None:
    """The glyphs PDFium copies for a unit that holds a raised mark (drawn as a path, which
    no viewer copies), appended to ``glyphs``: the unit itself is hidden from PDFium, which
    would break its line at a raised text object and writes a right-to-left object's
    ActualText reversed. Of a letter: its marks, then the letter; of a space carrying the
    marks of the letter on its right: those marks, where the letter starts (PDFium then adds
    a space of its own at the gap the hidden space leaves, a neutral one: the font's space
    glyph may map to a no-break space, which PDFium keeps on the mark's side). Each shadow starts
    a hundredth of an em before the unit (PDFium orders the text objects of a line by where
    each starts; the next one may start a rounding error early). Of a punctuation mark that
    is a right-to-left letter for the viewers (؛ ؟) carrying the marks of the letter on its
    right: the mark, then those marks where the letter starts («مؤقتاً؛»: PDFium reverses the
    ActualText of a right-to-left object: it copied «؛اتقؤمً»); this shadow starts a
    hundredth of an em after the unit, its marks end where the letter starts (PDFium adds a
    space at a gap between two text objects, the hidden unit's included: «مؤقتا ً؛»). Not of
    another punctuation mark (، . :): its ActualText says it for all three (``plan``; a
    neutral one, ! … ? ”, lends them to its letter: ``_lend_marks``)."""
    raised = [i for i in unit.glyphs if glyphs[i].outline is not None]
    base = [i for i in unit.glyphs if glyphs[i].outline is None and i < drawn]
    punctuation = bool(unit.carries) and not all(
        clusters[glyphs[i].cluster].text.isspace() for i in base)
    if not raised or not base or punctuation and not all(
            _strong_rtl(clusters[glyphs[i].cluster].text) for i in base):
        return
    last = glyphs[base[-1]]
    start = glyphs[base[0]].x
    if unit.carries:  # where the letter on its right starts: past the space's own width in a
        # justified line, by the stretch, where poppler's and PDFium's word would part; the
        # space glyph (no ink) is then drawn there instead (``reach``): poppler ends the span
        # where its last glyph ends, and MuPDF, which writes an ActualText at its span's first
        # glyph, wrote a space of its own at the gap after that glyph («همه ٔ»)
        after = max(i for i in unit.glyphs if i < drawn) + 1
        start = glyphs[after].x if after < drawn else last.x + last.width
        if start - (last.x + last.width) > last.size / 1000 and not punctuation:
            glyphs.append(Glyph(last.gid, last.cluster, last.font, last.size, 0.0,
                                start - last.width, last.width))
            unit.reach = len(glyphs) - 1
    unit.shadow = []
    order = base + raised if punctuation else raised + ([] if unit.carries else base)
    for i in order:
        g = glyphs[i]
        x = start - g.size / 100 if i in raised else g.x + g.size / 100 * punctuation
        glyphs.append(Glyph(g.gid, g.cluster, g.font, g.size, 0.0, x,
                            fonts[g.font].widths.get(g.gid, 0) * g.size / 1000))
        unit.shadow.append(len(glyphs) - 1)


def _lend_marks(glyphs: list[Glyph], units: list[Unit], fonts: dict[str, Any], drawn: int,
                clusters: list[Cluster]) -> list[Unit]:
    """A neutral punctuation mark (bidi class ON, not mirrored: ! … ? ; " ' ” ’) carrying the
    raised marks of the letter on its right («دائماً!», «حقاً…»): PDFium copied the marks after
    it («دائما!ً») from its ActualText in either order, and, from a shadow of the mark and
    then the marks (``_shadow``'s for ؛ ؟), no tanwin at all when the two are of two fonts (a
    Latin «…»: a text object of a zero-width mark alone). The shadows lend the marks to the
    letter instead: the punctuation's is itself alone, the letter's the marks (a hundredth of
    an em before it) then the letter, in one font, as a letter's inside a word; the letter
    gets an ActualText of itself so that it is hidden from PDFium too (``emit``). The
    punctuation's ActualText keeps the marks inside its closing fence for poppler and MuPDF,
    which copy it in order. The letters lent to (their ActualText is set by ``plan``)."""
    lent = []
    for k, unit in enumerate(units[:-1]):
        raised = [i for i in unit.glyphs if glyphs[i].outline is not None]
        base = [i for i in unit.glyphs if glyphs[i].outline is None and i < drawn]
        if not unit.carries or not raised or len(base) != 1 or unit.shadow is not None:
            continue
        text = clusters[glyphs[base[0]].cluster].text
        if not (len(text) == 1 and unicodedata.bidirectional(text) == "ON"
                and not unicodedata.mirrored(text)):
            continue
        letter = units[k + 1]
        if letter.shadow is not None or len(letter.glyphs) != 1 \
                or not _strong_rtl(clusters[glyphs[letter.glyphs[0]].cluster].text):
            continue
        g = glyphs[base[0]]
        glyphs.append(Glyph(g.gid, g.cluster, g.font, g.size, 0.0, g.x + g.size / 100, g.width))
        unit.shadow = [len(glyphs) - 1]
        a = glyphs[letter.glyphs[0]]
        letter.shadow = []
        for i in raised + letter.glyphs:
            m = glyphs[i]
            x = a.x - m.size / 100 if i in raised else a.x
            glyphs.append(Glyph(m.gid, m.cluster, m.font, m.size, 0.0, x,
                                fonts[m.font].widths.get(m.gid, 0) * m.size / 1000))
            letter.shadow.append(len(glyphs) - 1)
        lent.append(letter)
    return lent


def _carrier(clusters: list[Cluster], glyphs: list[Glyph], unit: Unit) -> bool:
    """A unit that can write the marks of the letter on its right: one space or punctuation."""
    texts = {clusters[glyphs[i].cluster].text for i in unit.glyphs}
    if len(texts) != 1:
        return False
    (text,) = texts
    return len(text) == 1 and (text.isspace() or unicodedata.category(text)[0] == "P")


def _soft_hyphen(fonts: dict[str, Any], hyphen: list[Glyph]) -> None:
    """The hyphen of a hyphenated line maps to U+00AD, unless its glyph also prints text."""
    for glyph in hyphen:
        font = fonts[glyph.font]
        if glyph.gid not in getattr(font, "textlayer_text", ()):
            font.to_unicode[glyph.gid] = SOFT_HYPHEN


def _rtl_neutral(fonts: dict[str, Any], glyph: Glyph, text: str, spanned: bool) -> None:
    """MuPDF gives a glyph the direction of the first character its ToUnicode maps it to (a
    neutral one: that of the glyph drawn before it in the text object, left to right at its
    start, so that a period starting a line is taken out of its right-to-left run); a neutral
    glyph drawn in a right-to-left unit that has an ActualText (``spanned``; the viewers copy
    that text) maps to an RLM first, unless the document draws it elsewhere without one, or it
    is mirrored (PDFium would mirror it in a text object it takes for right-to-left). So does a
    terminator (``٪``), which MuPDF counts left to right: «٣٢٪» came out with its percent sign
    at its line's end (not one a unit carrying marks draws: ``plan``)."""
    font = fonts[glyph.font]
    if not hasattr(font, "textlayer_plain"):
        font.textlayer_plain, font.textlayer_rlm = set(), {}
    if not spanned:
        font.textlayer_plain.add(glyph.gid)
        if glyph.gid in font.textlayer_rlm:
            font.to_unicode[glyph.gid] = font.textlayer_rlm.pop(glyph.gid)
        return
    kind = unicodedata.bidirectional(text) if len(text) == 1 else ""
    if kind not in ("ON", "CS", "AN", "ET") or unicodedata.mirrored(text) \
            or glyph.gid in font.textlayer_plain or font.to_unicode.get(glyph.gid) != text:
        return
    font.textlayer_rlm[glyph.gid] = text
    font.to_unicode[glyph.gid] = (LRM if kind == "AN" else RLM) + text


def _real_text(fonts: dict[str, Any], glyph: Glyph, text: str) -> None:
    font = fonts[glyph.font]
    if not hasattr(font, "textlayer_text"):
        font.textlayer_text = set()
    font.textlayer_text.add(glyph.gid)
    if font.to_unicode.get(glyph.gid) == SOFT_HYPHEN:
        font.to_unicode[glyph.gid] = text


def emit(glyphs: list[Glyph], units: list[Unit], current: tuple[str, float] | None,
         final: tuple[str, float] | None, matrix: bytes | None = None,
         block: float | None = None) -> list[bytes]:
    """The operators that draw ``units``; ``block``: the size poppler is to give the text of
    each span (``_poppler_size``), set before its end."""
    out: list[bytes] = []
    paths: list[Glyph] = []
    font, size = current if current else ("", 0.0)
    rise, pen = 0.0, 0.0
    piece: list[bytes] = []

    def flush() -> None:
        if piece:
            out.append(b"[" + b" ".join(piece) + b"] TJ")
            piece.clear()

    def draw(indices: list[int]) -> None:
        nonlocal font, size, rise, pen
        for i in indices:
            g = glyphs[i]
            if g.outline is not None and matrix is not None:
                paths.append(g)
                continue
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

    for unit in units:
        if unit.primer is not None:
            flush()
            g = glyphs[unit.glyphs[0]]
            font, size = g.font, PRIMER_SIZE
            out += [b"/" + font.encode() + b" " + _number(size) + b" Tf",
                    b"/Span <</ActualText " + (_utf16(unit.text) if unit.text else b"()")
                    + b">> BDC", b"[<%04x>] TJ" % g.gid, b"EMC"]
            pen += unit.primer
            continue
        shadowed = unit.shadow is not None and matrix is not None and unit.text is not None
        if shadowed:
            # drawn invisibly with an empty ActualText: PDFium copies the glyphs' own text,
            # poppler and MuPDF nothing
            assert unit.shadow is not None
            flush()
            out.append(b"3 Tr /Span <</ActualText ()>> BDC")
            draw(unit.shadow)
            flush()
            out += [b"EMC", b"0 Tr"]
        if unit.text is not None:
            flush()
            out.append(b"/Span <</ActualText " + _utf16(unit.text) + b">> BDC")
            if shadowed:  # (PDFium copies the ActualText of the innermost: none)
                out.append(b"/Span <<>> BDC")
        if shadowed and unit.reach is not None:  # (the space moved: _shadow)
            draw([i for i in unit.glyphs if glyphs[i].outline is not None] + [unit.reach])
        else:
            draw(unit.glyphs)
        if unit.text is not None:
            flush()
            if block is not None and font:  # (poppler takes a size at the next string shown)
                out.append(b"/" + font.encode() + b" " + _number(block) + b" Tf [] TJ")
                size = block
            out.append(b"EMC")
            if shadowed:
                out.append(b"EMC")
    flush()
    if rise:
        out.append(b"0 Ts")
    if final and (font, size) != tuple(final):
        out.append(b"/" + final[0].encode() + b" " + _number(final[1]) + b" Tf")
    if paths and matrix is not None:
        out += _paths(paths, matrix)
    return out


def _paths(marks: list[Glyph], matrix: bytes) -> list[bytes]:
    """The raised marks of a line drawn as their glyphs' outlines (filled with the text's
    colour), after the line's text object: ``ET``, each in ``q``/``Q``, then ``BT`` again
    (WeasyPrint ends the text object after the line)."""
    a, b, c, d, e, f = matrix.split()[:6]
    out = [b"ET"]
    for g in marks:
        assert g.outline is not None
        scale = _number(g.size / g.outline.units_per_em)
        out.append(b" ".join([b"q", a, b, c, d, e, f, b"cm 1 0 0 1", _number(g.x), _number(g.rise),
                              b"cm", scale, b"0 0", scale, b"0 0 cm", g.outline.path, b"f Q"]))
    out.append(b"BT")
    return out


def _outline(font: Any, gid: int) -> Outline | None:
    """The outline of glyph ``gid`` of WeasyPrint's ``font`` (None: a glyph with no outline,
    a font fontTools cannot read, a variable one), read once."""
    cache: dict[int, Outline | None] | None = getattr(font, "textlayer_outlines", None)
    if cache is None:
        cache = font.textlayer_outlines = {}
    if gid not in cache:
        cache[gid] = glyph_outline(font, gid)
    return cache[gid]


def _ttfont(font: Any) -> Any:
    """``font`` (WeasyPrint's: its ``file_content`` and ``index``) read lazily by fontTools,
    once; None for a font fontTools cannot read."""
    import io

    from fontTools.ttLib import TTFont

    ttfont = getattr(font, "textlayer_ttfont", None)
    if ttfont is None:
        try:
            ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
        except Exception:  # noqa: BLE001 (a font fontTools cannot read: drawn as text)
            return None
        font.textlayer_ttfont = ttfont
    return ttfont


def _nominal(font: Any, char: str) -> int | None:
    """The glyph ``font``'s cmap gives ``char`` (None: none, or a font fontTools cannot read)."""
    cmap: dict[int, int] | None = getattr(font, "textlayer_cmap", None)
    if cmap is None:
        ttfont = _ttfont(font)
        try:
            best = ttfont.getBestCmap() if ttfont is not None else None
            cmap = {code: ttfont.getGlyphID(name) for code, name in (best or {}).items()}
        except Exception:  # noqa: BLE001 (a table fontTools cannot read: no glyph known)
            cmap = {}
        font.textlayer_cmap = cmap
    return cmap.get(ord(char))


def glyph_outline(font: Any, gid: int) -> Outline | None:
    """The outline of glyph ``gid`` of ``font`` (its ``file_content`` and ``index``, as
    WeasyPrint's fonts have them), read with fontTools; quadratic curves become cubic ones."""
    from fontTools.pens.basePen import BasePen

    ttfont = _ttfont(font)
    if ttfont is None or "fvar" in ttfont:
        return None  # (a variable font: its default outline is not the instance drawn)
    order = ttfont.getGlyphOrder()
    if gid >= len(order):
        return None
    ops: list[bytes] = []

    class Pen(BasePen):
        def _moveTo(self, pt: tuple[float, float]) -> None:
            ops.append(b"%s %s m" % (_number(pt[0]), _number(pt[1])))

        def _lineTo(self, pt: tuple[float, float]) -> None:
            ops.append(b"%s %s l" % (_number(pt[0]), _number(pt[1])))

        def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float],
                        p3: tuple[float, float]) -> None:
            ops.append(b" ".join(_number(v) for v in (*p1, *p2, *p3)) + b" c")

        def _closePath(self) -> None:
            ops.append(b"h")

    glyph_set = ttfont.getGlyphSet()
    glyph_set[order[gid]].draw(Pen(glyph_set))
    if not ops:
        return None
    return Outline(float(ttfont["head"].unitsPerEm), b" ".join(ops))

"""The share image of an edition: a 1200×630 title card (the size Open Graph and Twitter cards
show), in the edition's language and direction: its title, date and issuer, set in the
repository's fonts. The bilingual edition's card shows both languages side by side.

The card is a small HTML page, printed by WeasyPrint like the editions (same fonts, fenced
fetcher, Arabic shaped and set right to left by Pango and HarfBuzz), then rasterised with
PDFium (``pypdfium2``). It is drawn in the print worker, after the edition's PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

WIDTH, HEIGHT = 1200, 630
"""The card's size in pixels: 1200×630, the size social networks show a large card at."""

SCALE = 96 / 72
"""Pixels per point: the card's page is 1200×630 CSS px, 900×472.5 pt."""


@dataclass(frozen=True)
class CardSide:
    """One language's words on the card (plain text)."""

    title: str
    date: str
    issuer: str
    tag: str  # BCP 47
    direction: str  # ltr or rtl
    script: str  # Latn, Arab


CARD_CSS = """
@page { size: 1200px 630px; margin: 0; }
html { font-family: "Edition Serif", "Edition Naskh"; color: #111; }
html, body { margin: 0; padding: 0; }
body { width: 1200px; height: 630px; background: #f4f4f1; overflow: hidden; }
.card { display: flex; height: 630px; box-sizing: border-box; border-top: 18px solid #1a4d8f; }
.side { flex: 1 1 0; position: relative; overflow: hidden; }
.side + .side { border-left: 2px solid #c8c8c2; }
[data-script="Arab"] { font-family: "Edition Naskh", "Edition Serif"; }
/* Laid out as blocks, the date held at the foot: in a flex column, WeasyPrint gave an issuer
   that wraps the height of one line, and the title ran into its second. */
.head { position: absolute; top: 56px; left: 72px; right: 72px; bottom: 120px;
        overflow: hidden; }
/* An issuer is cut after two lines (its third not laid out: cut at a height, the tops of its
   tall Arabic letters showed under the second; line-clamp's ellipsis cut an Arabic line's
   start), and a word wider than its side (a hashtag, an address) is broken at the edge. */
.issuer { margin: 0 0 28px; font-size: 26px; color: #444; line-height: 1.3; max-lines: 2;
          continue: discard; overflow: hidden; }
h1 { margin: 0; line-height: 1.2; font-weight: 700; }
.issuer, h1, .date { overflow-wrap: anywhere; }
[data-script="Arab"] h1 { line-height: 1.45; }
.date { position: absolute; left: 72px; right: 72px; bottom: 48px; margin: 0; font-size: 28px;
        line-height: 1.3; color: #333; }
"""


def title_size(title: str, columns: int) -> tuple[int, str]:
    """The title's size in pixels, and the title (cut at a word, with …, when even the smallest
    size cannot hold it): a long title is set smaller, so that it fits the card's title area
    (about 1056 by 380 pixels, or 456 by 380 in each of two columns)."""
    largest, smallest = (64, 34) if columns == 1 else (44, 26)
    area = (1056 if columns == 1 else 456) * 380
    # A bold glyph is about 0.55 em wide on average, a line 1.25-1.45 em high; 0.8 for the
    # words that do not fill their lines.
    def holds(size: float) -> int:
        return int(0.8 * area / (0.55 * size * 1.45 * size))
    size = largest
    while size > smallest and holds(size) < len(title):
        size -= 2
    if holds(size) < len(title):
        cut = title[: holds(size) - 1]
        title = (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:،؛-–—") + "…"
    return size, title


HEAD = HEIGHT - 18 - 56 - 120
"""The height of a side's issuer and title (``.head``: the card less its top border, the space
above and the date's below)."""


def title_lines(side: CardSide, size: int) -> int:
    """The lines of its title a side holds below an issuer of two lines (or none): those laid
    out, so that a title that still overflows ends at a whole line (``.head`` cut the one
    beyond through its letters)."""
    issuer = 28 + (2 * 26 * 1.3 if side.issuer else 0)
    return max(1, int((HEAD - issuer) / (size * (1.45 if side.script == "Arab" else 1.2))))


def card_html(sides: list[CardSide], assets_url: str) -> str:
    """The card's page: one side, or the bilingual edition's two (left, right)."""
    faces = Markup("".join(
        f'@font-face {{ font-family: "{family}"; src: url({assets_url}fonts/{file}); '
        f"font-weight: {weight}; }}\n"
        for family, file, weight in (
            ("Edition Serif", "NotoSerif-Regular.ttf", 400),
            ("Edition Serif", "NotoSerif-Bold.ttf", 700),
            ("Edition Naskh", "NotoNaskhArabic-Regular.ttf", 400),
            ("Edition Naskh", "NotoNaskhArabic-Bold.ttf", 700))))
    parts = []
    for side in sides:
        size, title = title_size(side.title, len(sides))
        parts.append(Markup('<div class="side" lang="{}" dir="{}" data-script="{}">'
                            '<div class="head"><p class="issuer">{}</p>'
                            '<h1 style="font-size: {}px; max-lines: {}">{}</h1></div>'
                            '<p class="date">{}</p></div>').format(
            side.tag, side.direction, side.script, side.issuer, size,
            title_lines(side, size), title, side.date))
    first = sides[0]
    return str(Markup('<!DOCTYPE html><html lang="{}" dir="{}"><head><meta charset="utf-8">'
                      "<title>{}</title><style>{}{}</style></head><body>"
                      '<div class="card{}">{}</div></body></html>').format(
        first.tag, first.direction, first.title, faces, Markup(CARD_CSS),
        " two" if len(sides) > 1 else "", Markup("").join(parts)))


@lru_cache(maxsize=1)
def drawing_tools() -> str:
    """One hash of the versions of what turns a card's PDF into its PNG (PDFium and pypdfium2,
    Pillow), from the files that declare them: part of a card's key, not of the toolchain's (an
    upgrade of them draws the cards again, and reprints no PDF)."""
    from .snapshot import digest, library_digest

    return digest("\n".join(library_digest(package, file) for package, file in (
        ("pypdfium2", "version.json"), ("pypdfium2_raw", "version.json"),
        ("PIL", "_version.py"))).encode())


def rasterise(pdf: bytes) -> bytes:
    """The first page of a card's PDF as a 1200×630 PNG (the same bytes for the same PDF)."""
    import pypdfium2  # type: ignore[import-untyped]
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=SCALE)
        image = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    if image.size != (WIDTH, HEIGHT):  # a pixel's rounding
        image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG")  # (zlib's default level: 4 % larger than optimize=True, 3x faster)
    return out.getvalue()


def plain(text: object) -> str:
    """Text for the card, on one line, without bidi isolates (each side of the card has its own
    direction; a Latin run in an Arabic title keeps its order by the bidi algorithm alone)."""
    return " ".join(str(text).replace("\u2068", "").replace("\u2069", "").split())


__all__ = ["CardSide", "card_html", "escape", "plain", "rasterise"]

"""Copying text out of the printed editions, as readers do: each paragraph, title and name of an
edition's HTML (the catalog's text) looked for in what six PDF text extractors give back.

Three rebuild the reading order of a page from the glyphs' positions and apply the Unicode bidi
algorithm to each line, as PDF viewers do when a reader selects and copies: poppler's
``pdftotext`` (Evince, Okular), PDFium (Chrome's viewer, through ``pypdfium2``) and MuPDF (through
``pymupdf``). Three keep the content stream's order: pdfminer.six, pypdf and ``pdftotext -raw``;
their figures are reported (``python -m tests.extraction PDF...``), not required. So is
``pdftotext page``: poppler given each page whole rather than the unit's column (the column
regions the viewers are measured in let poppler read a bilingual page's Arabic column in its own
direction; a reader selecting a whole page in Evince gets the page's).

A unit of text is compared with its whitespace normalised, format characters (bidi controls,
isolates) left out, and a soft hyphen at the end of a line joined to the next line: a reader
searching for a hyphenated word finds it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

A4 = (595.28, 841.89)
TOP, BOTTOM = 62.4, 68.0  # the page margins (22 mm, 24 mm) that hold the running furniture
Region = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y down from the top

_UNITS = {"p", "h1", "h2", "li", "td", "th"}
_HTML = "{http://www.w3.org/1999/xhtml}"


def normalise(text: str) -> str:
    """One space for any run of white space, no format characters (bidi marks and isolates),
    a soft hyphen (PDFium's U+0002 at a line's end) and the line break after it joined, a
    hyphen at a line's end joined to the next line."""
    text = re.sub(r"[\u00ad\x02]\s*", "", text)  # PDFium writes U+0002 for a soft hyphen
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = re.sub(r"-[\r\n]\s*", "-", text)  # a hyphen at a line's end: "UN-" / "led"
    return " ".join(text.split())


@dataclass(frozen=True)
class Unit:
    text: str
    column: str  # "page" in a one-language edition; "left" or "right" in the bilingual one
    kind: str    # the HTML element it comes from (p, h1, li, td ...)


def units(html: Path) -> list[Unit]:
    """Every paragraph, title, list item and name of an HTML edition: the innermost block
    elements of its article, each with the column it is printed in (a list number left out)."""
    import tinyhtml5

    root = tinyhtml5.parse(html.read_bytes())
    body = next(el for el in root.iter() if el.tag in (f"{_HTML}body", "body"))
    found: list[Unit] = []

    def tag(element: ElementTree.Element) -> str:
        return element.tag.removeprefix(_HTML) if isinstance(element.tag, str) else ""

    def text(element: ElementTree.Element) -> str:
        parts = [element.text or ""]
        for child in element:
            if "number" not in (child.get("class") or "").split():
                parts.append(text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def walk(element: ElementTree.Element, column: str) -> None:
        if element.get("dir") in ("ltr", "rtl") and (tag(element) in ("td", "th") or "cell" in (
                element.get("class") or "").split()):
            column = "left" if element.get("dir") == "ltr" else "right"
        inner = [el for el in element.iter() if el is not element and tag(el) in _UNITS]
        if tag(element) in _UNITS and not inner:
            content = normalise(text(element))
            if content:
                found.append(Unit(content, column, tag(element)))
            return
        for child in element:
            walk(child, column)

    for child in body:
        if tag(child) != "nav":
            walk(child, "page")
    return found


def regions(column: str, size: tuple[float, float] = A4) -> Region:
    width, height = size
    x0, x1 = {"page": (0, width), "left": (0, width / 2), "right": (width / 2, width)}[column]
    return (x0, TOP, x1, height - BOTTOM)


# The extractors: each gives the text inside a region of each page.

def pdftotext(path: Path, region: Region, raw: bool = False) -> list[str]:
    x0, y0, x1, y1 = region
    pages = _page_count(path)
    return [subprocess.run(
        ["pdftotext", *(["-raw"] if raw else []), "-f", str(n), "-l", str(n), "-r", "72",
         "-x", str(int(x0)), "-y", str(int(y0)), "-W", str(int(x1 - x0)),
         "-H", str(int(y1 - y0)), str(path), "-"],
        check=True, capture_output=True, text=True).stdout for n in range(1, pages + 1)]


def pdftotext_raw(path: Path, region: Region) -> list[str]:
    return pdftotext(path, region, raw=True)


def pdftotext_page(path: Path, region: Region) -> list[str]:
    """The whole text area of each page, whatever the column, as a reader who selects a whole
    page in Evince gets it: poppler then takes the page's direction from all its letters, not
    the column's (a bilingual page with more Latin than Arabic letters is read left to right)."""
    return pdftotext(path, regions("page"))


def pdfium(path: Path, region: Region) -> list[str]:
    import pypdfium2

    x0, y0, x1, y1 = region
    document = pypdfium2.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            height = page.get_height()
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded(x0, height - y1, x1, height - y0))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def mupdf(path: Path, region: Region) -> list[str]:
    import pymupdf

    with pymupdf.open(str(path)) as document:
        return [page.get_text("text", clip=pymupdf.Rect(*region)) for page in document]


def pdfminer(path: Path, region: Region) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    x0, y0, x1, y1 = region
    texts = []
    for page in extract_pages(str(path)):
        height = page.height
        texts.append("\n".join(
            element.get_text() for element in page
            if isinstance(element, LTTextContainer)
            and x0 <= (element.x0 + element.x1) / 2 <= x1
            and y0 <= height - (element.y0 + element.y1) / 2 <= y1))
    return texts


def pypdf(path: Path, region: Region) -> list[str]:
    """The whole page (pypdf has no clip): the running furniture and both columns included."""
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(path).pages]


def _page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


EXTRACTORS: dict[str, Callable[[Path, Region], list[str]]] = {
    "pdftotext": pdftotext, "pdfium": pdfium, "mupdf": mupdf,
    "pdfminer": pdfminer, "pypdf": pypdf, "pdftotext -raw": pdftotext_raw,
    "pdftotext page": pdftotext_page,
}
VIEWERS = ("pdftotext", "pdfium", "mupdf")  # the extractors that apply the bidi algorithm


def extracted(extractor: str, pdf: Path, column: str) -> str:
    """The normalised text of a column of the whole edition, page after page."""
    return normalise(" ".join(EXTRACTORS[extractor](pdf, regions(column))))


def missing(extractor: str, pdf: Path, html: Path) -> tuple[list[Unit], int]:
    """The units of ``html`` not found whole, between word boundaries, in what ``extractor``
    gives of ``pdf``; and how many units there are."""
    all_units = units(html)
    texts = {column: f" {extracted(extractor, pdf, column)} "
             for column in {unit.column for unit in all_units}}
    return [unit for unit in all_units if f" {unit.text} " not in texts[unit.column]], \
        len(all_units)


def editions(folder: Path) -> Iterator[tuple[Path, Path]]:
    for pdf in sorted(folder.rglob("*.pdf")):
        html = pdf.with_suffix(".html")
        if html.is_file():
            yield pdf, html


def divergence(expected: str, text: str, context: int = 30) -> str:
    """Where ``expected`` stops matching ``text``: the longest start of it found there, and what
    follows in each (for a failure message)."""
    low, high = 0, len(expected)
    while low < high:  # the longest prefix of expected found in text
        middle = (low + high + 1) // 2
        if expected[:middle] in text:
            low = middle
        else:
            high = middle - 1
    if low == 0:
        return f"nothing of {expected[:context]!r} found"
    at = text.index(expected[:low]) + low
    return (f"after {expected[max(0, low - context):low]!r}: expected "
            f"{expected[low:low + context]!r}, extracted {text[at:at + context]!r}")


def main(argv: list[str]) -> int:
    """``python -m tests.extraction OUTPUT_DIR [-v]``: exact units / total per extractor."""
    import logging

    logging.disable(logging.WARNING)  # pypdf's complaints about the files it reads
    folder = Path(argv[0])
    verbose = "-v" in argv
    only = argv[argv.index("-k") + 1] if "-k" in argv else ""
    print(f"{'':36}" + "".join(f"{name:>16}" for name in EXTRACTORS))
    sums = dict.fromkeys(EXTRACTORS, 0)
    count = 0
    for pdf, html in editions(folder):
        if only not in pdf.name:
            continue
        row, lost_units = [], {}
        for name in EXTRACTORS:
            lost, total = missing(name, pdf, html)
            sums[name] += total - len(lost)
            row.append(f"{total - len(lost)}/{total}")
            lost_units[name] = lost
        count += total
        print(f"{str(pdf.relative_to(folder)):36}" + "".join(f"{cell:>16}" for cell in row))
        if verbose:
            for name in VIEWERS:
                text = {c: extracted(name, pdf, c) for c in {u.column for u in lost_units[name]}}
                for unit in lost_units[name]:
                    print(f"    {name} [{unit.column} {unit.kind}] "
                          f"{divergence(unit.text, text[unit.column])}")
    print(f"{'all':36}" + "".join(f"{f'{sums[name]}/{count}':>16}" for name in EXTRACTORS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


"""The bleed and the crop marks of every edition printed with a bleed (``--bleed``, and
``--print-shop``, which asks for 3 mm by default), whatever its PDF variant: the one place that
decides where the bleed ends and where the marks go.

WeasyPrint's own ``marks: crop`` are drawn inside the bleed: its MediaBox is the bleed's edge
and its BleedBox the same (at most 10 pt from the trim), so the marks print on the bleed of a
page that has one and a print shop cuts into them; and it strokes them in DeviceRGB
(``stroke="black"`` hard-coded in ``draw/__init__.py``, ``draw_background``) inside a
transparency group. The templates do not ask for them. Instead:

* ``stylesheet(bleed)`` widens the CSS bleed by a slug of ``MARK_OFFSET + MARK_LENGTH``: the
  MediaBox is the slug's outer edge, the TrimBox (WeasyPrint's) the page;
* ``finisher(bleed, registration)`` sets each page's BleedBox to the bleed asked for and draws
  eight marks on the trim lines, from ``MARK_OFFSET`` beyond the BleedBox to the MediaBox's
  edge: outside the bleed, inside the media. They are page artifacts (``/Artifact <</Type
  /Page>>``), as PDF/UA asks of content that is not the document's, and are stroked
  ``MARK_WIDTH`` wide in

  - registration colour, ``[/Separation /All /DeviceCMYK {C0 [0 0 0 0] C1 [1 1 1 1]}]``, in
    the print-shop edition (PDF/X-1a allows Separation spaces whose alternate is DeviceCMYK;
    /All, every separation, is what registration means);
  - DeviceGray black (``0 G``) in the others: PDF/UA-1 asks nothing of colour, and PDF/A-3
    (``--archival``) allows DeviceGray under its output intent (ISO 19005-3 6.2.4.3), which
    WeasyPrint always writes for PDF/A, where DeviceCMYK would need a CMYK output intent and a
    Separation's DeviceCMYK alternate too. A gray black prints on the black plate only.

Checked with the WeasyPrint version ``weasyfixes.WEASYPRINT`` names (its page dictionaries and
page streams; the printer imports ``weasyfixes`` first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pydyf

from .tagging import Finisher, _get

if TYPE_CHECKING:
    from weasyprint.document import Document

MARK_OFFSET = 2 * 72 / 25.4  # pt: 2 mm between the bleed's edge and a crop mark
MARK_LENGTH = 5 * 72 / 25.4  # pt: 5 mm, and the media ends there
MARK_WIDTH = 0.25  # pt, a hairline as in most imposition software
REGISTRATION = "Registration"  # the resource name of the /Separation /All colour space
POINTS = {"mm": 72 / 25.4, "pt": 1.0, "in": 72.0}


def points(length: str) -> float:
    """A bleed as the command line takes it (``3mm``, ``9pt``, ``0.125in``), in points."""
    return float(length[:-2]) * POINTS[length[-2:]]


def stylesheet(bleed: str) -> str:
    """The user stylesheet (its declarations ``!important``) of an edition with ``bleed``: the
    CSS bleed is the bleed asked for and the slug beyond it, where the crop marks go."""
    slug = points(bleed) + MARK_OFFSET + MARK_LENGTH
    return f"@page {{ bleed: {slug:.3f}pt !important; marks: none !important; }}"


def finisher(bleed: str, registration: bool = False) -> Finisher:
    """``bleed``, as given to ``stylesheet``: each page's BleedBox, and crop marks beyond it, in
    registration colour (the print-shop edition) or in DeviceGray black."""

    def finish_crop_marks(document: Document, pdf: pydyf.PDF) -> None:
        if registration:
            page = pdf.objects[pdf.pages["Kids"][0]]
            spaces = _get(pdf, _get(pdf, page["Resources"])["ColorSpace"])
            spaces[REGISTRATION] = pydyf.Array(["/Separation", "/All", "/DeviceCMYK",
                                                pydyf.Dictionary({
                                                    "FunctionType": 2,
                                                    "Domain": pydyf.Array([0, 1]), "N": 1,
                                                    "C0": pydyf.Array([0, 0, 0, 0]),
                                                    "C1": pydyf.Array([1, 1, 1, 1])})])
        ink = f"/{REGISTRATION} CS 1 SCN" if registration else "0 G"
        for number in pdf.pages["Kids"][::3]:
            _draw(pdf, pdf.objects[number], points(bleed), ink)

    return finish_crop_marks


def _draw(pdf: pydyf.PDF, page: pydyf.Dictionary, bleed: float, ink: str) -> None:
    """The BleedBox ``bleed`` beyond the TrimBox, and eight marks at the trim lines, from
    ``MARK_OFFSET`` beyond the BleedBox to the MediaBox's edge, stroked in ``ink``."""
    x0, y0, x1, y1 = (float(value) for value in page["MediaBox"])
    t0, u0, t1, u1 = (float(value) for value in page["TrimBox"])
    b0, v0, b1, v1 = t0 - bleed, u0 - bleed, t1 + bleed, u1 + bleed
    page["BleedBox"] = pydyf.Array([b0, v0, b1, v1])
    lines = []
    for x in (t0, t1):
        lines += [(x, y0, x, v0 - MARK_OFFSET), (x, v1 + MARK_OFFSET, x, y1)]
    for y in (u0, u1):
        lines += [(x0, y, b0 - MARK_OFFSET, y), (b1 + MARK_OFFSET, y, x1, y)]
    content = _get(pdf, page["Contents"])
    content.stream.insert(0, b"q")  # WeasyPrint's page content ends in a flipped space
    content.stream += [b"Q", b"/Artifact <</Type /Page>> BDC", b"q",
                       f"{ink} {MARK_WIDTH} w 0 J [] 0 d".encode()]
    content.stream += [f"{_n(a)} {_n(b)} m {_n(c)} {_n(d)} l".encode() for a, b, c, d in lines]
    content.stream += [b"S", b"Q", b"EMC"]


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")

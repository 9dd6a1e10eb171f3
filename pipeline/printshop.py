"""The print-shop edition: PDF/X-1a, tagged, text and rules on the black plate, registration crop
marks.

How to print it (pipeline/pdf.py; checked with the WeasyPrint ``weasyfixes.WEASYPRINT`` names):

    options = printshop.render_options(css)  # with cropmarks.stylesheet("3mm") added
    document = HTML(string=html, ...).render(font_config=..., custom_metadata=True, **options)
    data = tagging.write_pdf(document, pdf_identifier=..., custom_metadata=True,
                             pdf_variant=printshop.PDF_VARIANT, pdf_tags=True,
                             finishers=(printshop.finisher(printshop.FOGRA39),
                                        cropmarks.finisher("3mm", registration=True)))

* Colour: ``templates/print-shop.css`` (a user stylesheet whose declarations are ``!important``, so it beats
  the author styles without touching them) gives every colour of statement.css and of the
  templates' page furniture as ``device-cmyk()``: near-black text and rules ``0 0 0 1`` (K only),
  the greys K-only tints. WeasyPrint writes them as ``/DeviceCMYK cs 0 0 0 1 scn``; the finisher
  rewrites that to the equivalent, conventional ``0 0 0 1 k``, then refuses (PrintShopError) a
  PDF that still paints anything in RGB, Lab or ICC colour, with transparency, or with an RGB
  image: a colour added to statement.css later breaks this build instead of printing
  four-colour grey.
* Crop marks: ``cropmarks`` draws them beyond the bleed, as in every edition with a bleed,
  here in registration colour ``[/Separation /All /DeviceCMYK ...]`` (PDF/X-1a allows
  Separation spaces whose alternate is DeviceCMYK), as a ``/Artifact <</Type /Page>>``; it sets
  the BleedBox to the bleed asked for, inside a MediaBox widened by a slug for the marks.
* Tags: the edition is tagged as the others are (``pdf_tags=True``, then ``tagging``), and
  declares PDF/UA-1 in its XMP: it passes the same PDF/UA-1 rules. PDF/X-1a:2003 does not forbid
  it: the structure tree, marked content, /MarkInfo and /Lang are PDF 1.3 and 1.4 features, and
  PDF/X-1a restricts colour, transparency, fonts, annotations and actions, not structure. Two
  keys of the tag tree come from later PDF versions, which a PDF 1.4 reader ignores and PDF/X-1a
  does not mention: a header cell's /Scope (PDF 1.5) and a page furniture artifact's /Subtype
  (PDF 1.7). What PDF/X-1a does forbid is an annotation inside the BleedBox: the links'
  annotations are removed (their text stays), and their /Link elements become /Span (PDF/UA
  asks a Link element to hold its annotation), with the pages' /Tabs (the annotations' order).
* PDF/X: ``pdf/x-1a`` (PDF/X-1a:2003, PDF 1.4): CMYK and spot only, no transparency, which this
  edition meets, and the PDF/X most print shops take. WeasyPrint writes GTS_PDFXVersion, Trapped,
  the XMP and the TrimBox (the A4 page) of every page (the BleedBox and crop marks: above), but
  writes an OutputIntent only when the document has an ICC profile (``@color-profile``): the
  finisher adds the GTS_PDFX OutputIntent of a condition registered with the ICC (FOGRA39 by
  default) and embeds its output profile as /DestOutputProfile, as a preflight asks:
  ``pipeline/profiles/FOGRA39L_coated.icc``, an ICC v2 CMYK output profile made from Fogra's
  characterization data and dedicated to the public domain (CC0; ``profiles/README.md`` says
  where it comes from and how it was made). ``pdf/x-4`` is not
  deterministic in WeasyPrint 70 (it writes ``xmpMM:DocumentID`` from ``uuid4()``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydyf

if TYPE_CHECKING:
    from weasyprint.document import Document

from .errors import PipelineError
from .tagging import Finisher, _get

PDF_VARIANT = "pdf/x-1a"
PRINT_SHOP_STYLESHEET = "print-shop.css"
"""The colours of the print-shop edition, in ``templates/``: a user stylesheet of ``!important``
declarations giving every colour of ``statement.css`` as ``device-cmyk()``."""


def render_options(stylesheet: str, url_fetcher: Any = None) -> dict[str, Any]:
    """The extra ``HTML.render`` options of the print-shop edition (``stylesheet``: the text of
    ``templates/print-shop.css``). A stylesheet given to WeasyPrint loads what it imports or
    names with its own fetcher, not the document's: give it the edition's (``url_fetcher``),
    or its ``@import`` reads any file or address."""
    from weasyprint import CSS

    fenced = {"url_fetcher": url_fetcher} if url_fetcher is not None else {}
    return {"stylesheets": [CSS(string=stylesheet, **fenced)], "output_intent": "device-cmyk"}


@dataclass(frozen=True)
class OutputCondition:
    """The printing condition the file is made for (the print shop says which)."""

    identifier: str  # as the ICC's registry of characterization data names it
    condition: str  # the condition in words
    profile: str  # the ICC output profile embedded for it, in pipeline/profiles/
    registry: str = "http://www.color.org"

    @property
    def info(self) -> str:
        return f"{self.condition}; profile {self.profile}"

    def profile_bytes(self) -> bytes:
        path = PROFILES / self.profile
        try:
            return path.read_bytes()
        except OSError as error:
            raise PipelineError(f"cannot read the ICC profile of {self.identifier}: "
                                f"{error.strerror}; restore it from the repository",
                                f"pipeline/profiles/{self.profile}") from None


PROFILES = Path(__file__).parent / "profiles"
"""The ICC output profiles, in the repository with their licence (``profiles/README.md``):
nothing is downloaded, and the toolchain's hash covers them."""
FOGRA39 = OutputCondition(
    "FOGRA39", "Offset printing on coated paper (paper type 1 or 2), ISO 12647-2:2004/Amd 1",
    "FOGRA39L_coated.icc")


class PrintShopError(RuntimeError):
    """The PDF would not be a PDF/X-1a file with K-only text."""


def finisher(condition: OutputCondition = FOGRA39) -> Finisher:
    """PDF/X-1a: K-only operators, nothing but CMYK, no links, the output intent of
    ``condition`` with its profile (the crop marks: ``cropmarks.finisher``)."""

    def finish_printshop(document: Document, pdf: pydyf.PDF) -> None:
        from weasyprint.pdf.stream import Stream

        streams = [obj for obj in pdf.objects if isinstance(obj, Stream)]
        for stream in streams:
            _use_cmyk_operators(stream.stream)
        _refuse_non_cmyk(pdf, streams)
        color_spaces = _resources_color_spaces(pdf)
        for unused in ("lab-d50", "lab-d65"):
            color_spaces.pop(unused, None)
        _unlink(pdf)
        profile = pydyf.Stream([condition.profile_bytes()], pydyf.Dictionary({"N": 4}),
                               compress=True)
        pdf.add_object(profile)
        pdf.catalog["OutputIntents"] = pydyf.Array([pydyf.Dictionary({
            "Type": "/OutputIntent", "S": "/GTS_PDFX",
            "OutputConditionIdentifier": pydyf.String(condition.identifier),
            "OutputCondition": pydyf.String(condition.condition),
            "RegistryName": pydyf.String(condition.registry),
            "Info": pydyf.String(condition.info),
            "DestOutputProfile": profile.reference})])

    return finish_printshop


def _unlink(pdf: pydyf.PDF) -> None:
    """PDF/X allows no annotation inside the BleedBox, so the links' annotations go; their
    /Link structure elements become /Span (the text stays, it is no longer a link: PDF/UA asks
    a Link element to hold its annotation), and their ParentTree entries go too. pydyf cannot
    drop an object: the annotations and their object references are written as ``<<>>``."""
    pages = pdf.pages["Kids"][::3]
    for number in pages:
        page = pdf.objects[number]
        for reference in page.pop("Annots", ()):
            _get(pdf, reference).clear()
        page.pop("Tabs", None)  # the tab order of annotations (PDF 1.5): there are none
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/StructElem" and obj.get("S") == "/Link":
            obj["S"] = "/Span"
            kept = pydyf.Array()
            for kid in obj.get("K", ()):
                if isinstance(value := _get(pdf, kid), dict) and value.get("Type") == "/OBJR":
                    value.clear()
                else:
                    kept.append(kid)
            obj["K"] = kept
    if "StructTreeRoot" in pdf.catalog:
        tree = _get(pdf, _get(pdf, pdf.catalog["StructTreeRoot"])["ParentTree"])
        nums = tree["Nums"]  # the pages' entries (0 to pages - 1), then the annotations'
        tree["Nums"] = pydyf.Array(nums[:2 * len(pages)])


def _use_cmyk_operators(items: list[Any]) -> None:
    """``/DeviceCMYK cs c m y k scn`` -> ``c m y k k`` (and CS/SCN -> K), in place."""
    i = 0
    while i < len(items) - 1:
        item = items[i]
        if item in (b"/DeviceCMYK cs", b"/DeviceCMYK CS") and isinstance(items[i + 1], bytes):
            operator = b" scn" if item.endswith(b"cs") else b" SCN"
            if items[i + 1].endswith(operator) and len(items[i + 1].split()) == 5:
                items[i:i + 2] = [items[i + 1][:-len(operator)] + (
                    b" k" if operator == b" scn" else b" K")]
        i += 1


def _refuse_non_cmyk(pdf: pydyf.PDF, streams: list[Any]) -> None:
    problems = []
    for stream in streams:
        for item in stream.stream:
            if isinstance(item, bytes) and (item.endswith((b" rg", b" RG"))
                                            or (item.endswith((b" cs", b" CS"))
                                                and item != b"/Pattern cs")):
                problems.append(item.decode("latin-1"))
        group = stream.extra.get("Group")
        if isinstance(group, dict) and group.get("S") == "/Transparency":
            problems.append("a transparency group")
    for obj in pdf.objects:
        states = obj.get("ExtGState", {}) if isinstance(obj, dict) else {}
        for state in (state for state in states.values() if isinstance(state, dict)):
            if state.get("ca", 1) != 1 or state.get("CA", 1) != 1 or "SMask" in state \
                    or state.get("BM", "/Normal") not in ("/Normal", "/Compatible"):
                problems.append(f"transparency (ExtGState {dict(state)})")
        if isinstance(obj, pydyf.Stream) and obj.extra.get("Subtype") == "/Image" \
                and obj.extra.get("ColorSpace") not in ("/DeviceCMYK", "/DeviceGray"):
            problems.append(f"an image in {obj.extra.get('ColorSpace')}")
    if problems:
        raise PrintShopError("not printable as PDF/X-1a with K-only black: "
                             + ", ".join(sorted(set(problems))[:10])
                             + "; give the colour as device-cmyk() in templates/print-shop.css")


def _resources_color_spaces(pdf: pydyf.PDF) -> pydyf.Dictionary:
    """The ColorSpace dictionary of the resources WeasyPrint shares between all pages."""
    page = pdf.objects[pdf.pages["Kids"][0]]
    resources = pdf.objects[int(page["Resources"].split()[0])]
    return pdf.objects[int(resources["ColorSpace"].split()[0])]

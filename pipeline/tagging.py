"""What WeasyPrint 70's PDF tagging leaves out, added while the PDF is written (a PDF/UA-1 that
outside validators accept; a tested, version-pinned extension of WeasyPrint's own tagging: the
version ``weasyfixes.WEASYPRINT`` names, which the printer checks before it uses this module).

WeasyPrint tags a PDF from its box tree (``weasyprint/pdf/tags.py``) but

1. keeps only the root element's ``lang`` (the catalog's /Lang): a cell, paragraph or span in
   another language is read with the document's voice;
2. gives the page margin boxes (running title, page numbers) marked content with an MCID whose
   structure elements are never put in the tree: that content is neither real content reachable
   from the StructTreeRoot nor an artifact;
3. (not fixed, on purpose) never sets /ViewerPreferences /Direction /R2L: PDFium (Chrome's
   viewer) then takes every line of the document for right-to-left and reverses the order of the
   words of a Latin line (a Persian edition's English names) and the letters and digits of a
   version code when a reader copies them (issue 20, tests/test_textcopy.py); two-page views
   show the pages left to right;
5. tags every HTML table as a Table: a layout table (the bilingual edition's parallel text) is
   announced as a data table without headers, and TH cells get no /Scope;
6. gives header cells an /ID (their TDs' /Headers name it) but writes no /IDTree.

``write_pdf(document, ...)`` writes the PDF with WeasyPrint's public ``finisher`` hook, which edits
WeasyPrint's own (pydyf) objects before they are serialised: no second parse, same bytes for the
same input. The finisher needs one thing WeasyPrint does not keep: which box each MCID marks.
``_install_recorder`` wraps ``weasyprint.pdf.add_tags`` (the one function that reads the page
streams' MCID-to-box tables before emptying them) to copy that table; the wrapper records only
inside ``write_pdf`` (a context variable), otherwise it passes straight through.

How the PDF maps back to the HTML:

* a box's computed CSS ``lang`` is its HTML element's language (the nearest ``lang``
  attribute). The ParentTree gives each MCID's structure element, and the recorded box of that
  MCID its text box; WeasyPrint makes the text's structure element a kid of the element of the
  text box's parent box (line boxes skipped), so that element's language is the parent box's;
  cells are known through ``box.mark`` (below). Other elements (rows, lists) get the language of
  their text when it is one language. /Lang is written only where it differs from the parent
  element's: an Arabic cell gets /Lang ar-SY, a Latin name in it /Lang en on its span;
* an MCID's box inside a page margin box is page furniture: its ``/Span <</MCID n>> BDC`` becomes
  ``/Artifact <</Type /Pagination /Subtype /Header|/Footer ...>> BDC``, its ParentTree entry is
  emptied and its unreachable structure elements are blanked;
* table cells are found through ``box.mark``, which WeasyPrint itself sets on every TD/TH box to
  its structure element.

Issue 4 (archival) needs no code here: ``pdf/a-3a`` is tagged by WeasyPrint (pdf_tags=True), and
this finisher then applies the same fixes. ``claim_pdfua=True`` also declares PDF/UA-1 in the
XMP of such a PDF/A file (with the PDF/A extension schema that PDF/A asks for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pydyf

from . import textlayer

if TYPE_CHECKING:
    from weasyprint.document import Document

Boxes = dict[tuple[int, int], Any]  # (page index, MCID) -> the box drawn in that marked content
Finisher = Callable[["Document", pydyf.PDF], None]

_RECORDING: ContextVar[Boxes | None] = ContextVar("finish_recording", default=None)
_SIDES = {"@top": ("/Header", "/Top"), "@bottom": ("/Footer", "/Bottom"),
          "@left": (None, "/Left"), "@right": (None, "/Right")}
_PDFUA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfuaid:part>1</pdfuaid:part>\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>\
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name>\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed\
</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag>\
</pdfaExtension:schemas></rdf:Description>"""


class FinishError(RuntimeError):
    """The PDF WeasyPrint wrote is not shaped as this module expects (another version?)."""


def write_pdf(document: Document, *, pdf_identifier: bytes, pdf_variant: str | None,
              claim_pdfua: bool = False, finishers: tuple[Finisher, ...] = (),
              **options: Any) -> bytes:
    """``document.write_pdf`` with the fixes above; ``finishers`` run after them (print shop)."""
    _install_recorder()
    boxes: Boxes = {}

    def finisher(document: Document, pdf: pydyf.PDF) -> None:
        finish(document, pdf, boxes, claim_pdfua=claim_pdfua)
        for extra in finishers:
            extra(document, pdf)

    token = _RECORDING.set(boxes)
    try:
        with textlayer.recording():
            return document.write_pdf(pdf_identifier=pdf_identifier, pdf_variant=pdf_variant,
                                      finisher=finisher, **options)
    finally:
        _RECORDING.reset(token)


def finish(document: Document, pdf: pydyf.PDF, boxes: Boxes, claim_pdfua: bool = False) -> None:
    """Fix issues 1, 2, 5 and 6 in WeasyPrint's objects, before they are written."""
    if "StructTreeRoot" not in pdf.catalog:
        return  # an untagged variant (pdf/a-3b, pdf/x-*): nothing more to fix
    tree = _get(pdf, pdf.catalog["StructTreeRoot"])
    nums = _get(pdf, tree["ParentTree"])["Nums"]
    owners = {(page, mcid): _get(pdf, ref) for page in range(len(document.pages))
              for mcid, ref in enumerate(nums[2 * page + 1])}
    if set(boxes) != set(owners):
        raise FinishError("the recorded MCIDs are not those of the ParentTree")
    _artifact_margin_boxes(document, pdf, boxes, nums)
    (top,) = [_get(pdf, ref) for ref in tree["K"]]
    _set_languages(document, pdf, top, boxes, owners,
                   getattr(pdf.catalog.get("Lang"), "string", ""))
    _fix_tables(document, pdf)
    _blank_unreachable(pdf, tree)
    _add_id_tree(pdf, tree)
    if claim_pdfua and "Metadata" in pdf.catalog:
        metadata = _get(pdf, pdf.catalog["Metadata"])
        content = b"".join(metadata.stream)
        metadata.stream = [content.replace(b"</rdf:RDF>", _PDFUA_XMP + b"</rdf:RDF>", 1)]


def _install_recorder() -> None:
    """Wrap ``weasyprint.pdf.add_tags`` (once) to copy each page's MCID -> box table."""
    import weasyprint.pdf as weasyprint_pdf

    original = weasyprint_pdf.add_tags
    if getattr(original, "records_boxes", False):
        return

    def add_tags(pdf: pydyf.PDF, document: Document, pdf_version: Any,
                 page_streams: list[Any]) -> None:
        boxes = _RECORDING.get()
        if boxes is not None:
            for page, stream in enumerate(page_streams):
                for box, kid in stream._tags.items():
                    boxes[page, kid["mcid"]] = box
        original(pdf, document, pdf_version, page_streams)

    add_tags.records_boxes = True  # type: ignore[attr-defined]
    weasyprint_pdf.add_tags = add_tags


def _get(pdf: pydyf.PDF, value: Any) -> Any:
    """The object a pydyf reference (b'12 0 R') points to; other values as they are."""
    if isinstance(value, bytes) and value.endswith(b" 0 R"):
        return pdf.objects[int(value.split()[0])]
    return value


def _kids(pdf: pydyf.PDF, element: pydyf.Dictionary) -> Iterator[Any]:
    """A structure element's kids: MCIDs (int) and structure elements (dictionaries)."""
    for kid in element.get("K", ()):
        kid = _get(pdf, kid)
        if isinstance(kid, int) or (isinstance(kid, dict) and kid.get("Type") == "/StructElem"):
            yield kid


def _artifact_margin_boxes(document: Document, pdf: pydyf.PDF, boxes: Boxes,
                           nums: pydyf.Array) -> None:
    from weasyprint.formatting_structure.boxes import MarginBox

    for page_index, page in enumerate(document.pages):
        sides = {id(box): _SIDES[margin.at_keyword.split("-")[0]]
                 for margin in page._page_box.children if isinstance(margin, MarginBox)
                 for box in margin.descendants()}
        furniture = {mcid: sides[id(box)] for (index, mcid), box in boxes.items()
                     if index == page_index and id(box) in sides}
        if not furniture:
            continue
        page_dict = pdf.objects[pdf.pages["Kids"][3 * page_index]]
        stream = _get(pdf, page_dict["Contents"]).stream
        found = 0
        for i, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in furniture \
                    and stream[i - 1] == "/Span" and stream[i + 1] == b"BDC":
                subtype, attached = furniture[item["MCID"]]
                artifact = pydyf.Dictionary({"Type": "/Pagination",
                                             "Attached": pydyf.Array([attached])})
                if subtype:
                    artifact["Subtype"] = subtype
                stream[i - 1:i + 1] = ["/Artifact", artifact]
                found += 1
        if found != len(furniture):
            raise FinishError(f"page {page_index + 1}: {len(furniture) - found} margin-box "
                              "MCID(s) not found in the page's content stream")
        page_nums = nums[2 * page_index + 1]
        for mcid in furniture:
            page_nums[mcid] = "null"
        while page_nums and page_nums[-1] == "null":
            page_nums.pop()


def _set_languages(document: Document, pdf: pydyf.PDF, top: pydyf.Dictionary, boxes: Boxes,
                   owners: dict[tuple[int, int], pydyf.Dictionary], document_lang: str) -> None:
    """/Lang from the HTML: an element whose box is known (a table cell through ``box.mark``,
    an element holding text through the recorded text box's parent) gets its box's language;
    one whose box is unknown (a list, a row) gets the language of its text if that is one
    language. /Lang is written only where it differs from the parent element's."""
    from weasyprint.formatting_structure.boxes import LineBox, TableCellBox, TextBox

    known: dict[int, str | None] = {}
    parents: dict[int, Any] = {}
    for page in document.pages:
        for box in page._page_box.descendants(placeholders=True):
            for child in getattr(box, "children", ()):
                parents[id(child)] = box
            if isinstance(box, TableCellBox) and getattr(box, "mark", None) is not None:
                known[id(box.mark)] = box.style["lang"]
    texts: dict[int, set[str]] = {}
    for key, box in boxes.items():
        owner = owners[key]
        if box.style["lang"]:
            texts.setdefault(id(owner), set()).add(box.style["lang"])
        if isinstance(box, TextBox):
            holder = owner if owner["S"] == "/Link" else _get(pdf, owner["P"])
            parent = parents.get(id(box))
            if isinstance(parent, LineBox):
                parent = parents.get(id(parent))
            if parent is not None:
                known[id(holder)] = parent.style["lang"]
        else:
            known[id(owner)] = box.style["lang"]

    def collect(element: pydyf.Dictionary) -> set[str]:
        found = set(texts.get(id(element), ()))
        for kid in _kids(pdf, element):
            if not isinstance(kid, int):
                found |= collect(kid)
        texts[id(element)] = found
        return found

    def assign(element: pydyf.Dictionary, inherited: str) -> None:
        found = texts[id(element)]
        lang = known.get(id(element)) or (next(iter(found)) if len(found) == 1 else None)
        if lang and lang != inherited:
            element["Lang"] = pydyf.String(lang)
        for kid in _kids(pdf, element):
            if not isinstance(kid, int):
                assign(kid, lang or inherited)

    collect(top)
    assign(top, document_lang)


def _fix_tables(document: Document, pdf: pydyf.PDF) -> None:
    """A table without header cells (or with role=presentation) lays text out: its structure
    becomes Div (rows and cells too, row groups dissolved). A data table's TH get a /Scope."""
    from weasyprint.formatting_structure.boxes import TableBox, TableCellBox

    for page in document.pages:
        for table in page._page_box.descendants():
            if not isinstance(table, TableBox) or table.element is None:
                continue
            layout = table.element.get("role") in ("presentation", "none") or \
                next(table.element.iter("th"), None) is None
            cells = [cell for group in table.children for row in group.children
                     for cell in row.children
                     if isinstance(cell, TableCellBox) and getattr(cell, "mark", None) is not None]
            if not layout:
                for cell in cells:
                    if cell.element_tag == "th":
                        scope = cell.element.get("scope") == "row"
                        cell.mark["A"]["Scope"] = "/Row" if scope else "/Column"
                continue
            rows = {}
            for cell in cells:
                cell.mark["S"] = "/Div"
                cell.mark.pop("A", None)
                row = _get(pdf, cell.mark["P"])
                rows[id(row)] = row
            for row in rows.values():
                row["S"] = "/Div"
                group = _get(pdf, row["P"])
                if group["S"] in ("/THead", "/TBody", "/TFoot"):
                    parent = _get(pdf, group["P"])
                    position = parent["K"].index(group.reference)
                    parent["K"][position:position + 1] = list(group["K"])
                    for ref in group["K"]:
                        _get(pdf, ref)["P"] = parent.reference
                    group.clear()
                    parent["S"] = "/Div"
                else:
                    group["S"] = "/Div"


def _add_id_tree(pdf: pydyf.PDF, tree: pydyf.Dictionary) -> None:
    """The StructTreeRoot's /IDTree, which ISO 32000-1 (14.7.2) requires once a structure
    element has an /ID: WeasyPrint gives each data table's TH one (for the TDs' /Headers) but
    writes no tree, so a reader cannot find a header from its ID. A name tree of one node, its
    keys sorted as bytes."""
    ids = {}
    stack = [_get(pdf, ref) for ref in tree["K"]]
    while stack:
        element = stack.pop()
        if "ID" in element:
            ids[element["ID"].string.encode("utf-8")] = (element["ID"], element.reference)
        stack.extend(kid for kid in _kids(pdf, element) if not isinstance(kid, int))
    if ids:
        names = pydyf.Dictionary({"Names": pydyf.Array(
            item for key in sorted(ids) for item in ids[key])})
        pdf.add_object(names)
        tree["IDTree"] = names.reference


def _blank_unreachable(pdf: pydyf.PDF, tree: pydyf.Dictionary) -> None:
    """Empty the structure elements nothing leads to (those WeasyPrint made for margin boxes,
    dissolved row groups): pydyf cannot drop an object, so each is written as ``<<>>``."""
    reachable: set[int] = set()
    stack = [_get(pdf, ref) for ref in tree["K"]]
    while stack:
        element = stack.pop()
        reachable.add(id(element))
        stack.extend(kid for kid in _kids(pdf, element) if not isinstance(kid, int))
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" \
                and id(obj) not in reachable:
            obj.clear()

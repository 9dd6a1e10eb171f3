"""The PDF/UA-1 rules that matter for the statements, checked with pikepdf.

Each rule is named as veraPDF names it ("ISO 14289-1:2014 7.1-3": specification, clause, test
number of veraPDF's PDF_UA/PDFUA-1.xml) and described in veraPDF's words. Two differences from
veraPDF, both stricter:

* 7.1-3: veraPDF calls content "tagged" when the structure element its MCID points to (through
  the ParentTree) has a /P chain up to the StructTreeRoot. WeasyPrint's page headers and footers
  pass that test although no structure element leads to them (they are built with a /P but never
  put in a parent's /K). Here the element must also be reachable from the StructTreeRoot through
  /K, and list that MCID among its kids.
* "ISO 32000-1:2008 14.7.2" is not a veraPDF rule of PDF/UA-1 but PDF's own: a structure
  element's /ID (a table header's, which the TDs' /Headers name) needs the StructTreeRoot's
  /IDTree to be found.
* "project lang-script" is not a veraPDF rule: veraPDF accepts any text once the catalog has a
  /Lang (7.2-34), so an Arabic paragraph in an English document passes. This rule asks that text
  written in a script be tagged (marked content /Lang, the /Lang of a structure element it
  belongs to, or the catalog's) with that script's language, so that a screen reader picks the
  right voice.

Counting: a 7.1-3 failure per marked-content sequence (MCID) or per kind of bare content on a
page, where veraPDF counts every text-showing or painting operator; a 7.5 failure for the first
TD of a table without a header, as veraPDF stops there; the lang-script rule once per MCID.

``check(path)`` returns the failures; ``python pdfua_rules.py FILE...`` prints them, with a count
per rule, and exits 1 if any rule fails.
"""

from __future__ import annotations

import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

PdfObject = Any  # a pikepdf object: dictionaries, arrays, streams are typed dynamically

UA = "ISO 14289-1:2014"
RULES: dict[str, str] = {
    f"{UA} 5-1": "The PDF/UA version and conformance level of a file shall be specified using "
                 "the PDF/UA Identification extension schema",
    f"{UA} 5-2": 'The value of "pdfuaid:part" shall be the part number of the International '
                 "Standard to which the file conforms",
    f"{UA} 6.2-1": "The document catalog dictionary shall include a MarkInfo dictionary "
                   "containing an entry, Marked, whose value shall be true",
    f"{UA} 7.1-1": "Content marked as Artifact should not be present inside tagged content",
    f"{UA} 7.1-2": "Tagged content should not be present inside content marked as Artifact",
    f"{UA} 7.1-3": "Content shall be marked as Artifact or tagged as real content",
    f"{UA} 7.1-4": "Files shall have a Suspects value of false (ISO 32000-1:2008, Table 321)",
    f"{UA} 7.1-5": "All non-standard structure types shall be mapped to the nearest functionally "
                   "equivalent standard type, as defined in ISO 32000-1:2008, 14.8.4, in the "
                   "role map dictionary of the structure tree root",
    f"{UA} 7.1-8": "The Catalog dictionary of a conforming file shall contain the Metadata key "
                   "whose value is a metadata stream as defined in ISO 32000-1:2008, 14.3.2",
    f"{UA} 7.1-9": "The Metadata stream in the document's catalog dictionary shall contain a "
                   "dc:title entry",
    f"{UA} 7.1-10": "The document catalog dictionary shall include a ViewerPreferences "
                    "dictionary containing a DisplayDocTitle key, whose value shall be true",
    f"{UA} 7.1-11": "The logical structure of the conforming file shall be described by a "
                    "structure hierarchy rooted in the StructTreeRoot entry of the document "
                    "catalog dictionary",
    f"{UA} 7.1-12": "A structure element dictionary shall contain the P (parent) entry",
    f"{UA} 7.2-2": "Natural language in the Outline entries shall be determined",
    f"{UA} 7.2-3": "Table element may contain only TR, THead, TBody, TFoot and Caption elements",
    f"{UA} 7.2-4": "TR element should be contained in Table, THead, TBody or TFoot element",
    f"{UA} 7.2-8": "TH element should be contained in TR element",
    f"{UA} 7.2-9": "TD element should be contained in TR element",
    f"{UA} 7.2-10": "TR element may contain only TH and TD elements",
    f"{UA} 7.2-17": "LI element should be contained in L element",
    f"{UA} 7.2-18": "LBody element should be contained in LI element",
    f"{UA} 7.2-19": "L element may contain only L, LI and Caption elements",
    f"{UA} 7.2-20": "LI element may contain only Lbl and LBody elements",
    f"{UA} 7.2-29": "If the Lang entry is present in the document's Catalog dictionary or in a "
                    "structure element dictionary or property list, its value shall be a "
                    "language identifier",
    f"{UA} 7.2-34": "Natural language for text in page content shall be determined",
    f"{UA} 7.3-1": "Figure tags shall include an alternative representation or replacement text",
    f"{UA} 7.4.2-1": "If any heading tags are used, H1 shall be the first; a descending "
                     "sequence of headings shall not skip an intervening heading level",
    f"{UA} 7.5-1": "If the table's structure is not determinable via Headers and IDs, then "
                   "structure elements of type TH shall have a Scope attribute",
    f"{UA} 7.5-2": "If the table's structure is not determinable via Headers and IDs, then "
                   "structure elements of type TH shall have a Scope attribute (TD references "
                   "undefined headers)",
    f"{UA} 7.18.3-1": "Every page on which there is an annotation shall contain in its page "
                      "dictionary the key Tabs, and its value shall be S",
    f"{UA} 7.21.4.1-1": "The font programs for all fonts used for rendering within a "
                        "conforming file shall be embedded within that file",
    f"{UA} 7.21.7-1": "The Font dictionary of all fonts shall define the map of all used "
                      "character codes to Unicode values (ToUnicode)",
    "ISO 32000-1:2008 14.7.2": "The structure tree root's IDTree is required if any structure "
                               "elements have element identifiers (ID), and maps each ID to "
                               "its element",
    "project lang-script": "Text in a script is tagged with a language of that script (Arabic "
                           "text with Arabic, Latin text with English), through marked content, "
                           "a structure element or the catalog (ISO 32000-1 14.9.2)",
}

STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 "
    "H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference "
    "BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form".split())
LANG_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# The language (primary subtag) expected for the letters of each script.
DEFAULT_SCRIPTS: Mapping[str, str] = {"ARABIC": "ar", "LATIN": "en"}
EDITION_SCRIPTS: Mapping[str, Mapping[str, str]] = {
    "fa": {"ARABIC": "fa", "LATIN": "en"}, "fr": {"ARABIC": "ar", "LATIN": "fr"}}
"""Where an edition's language is neither: the Persian edition's Arabic-script text is Persian
(its names in Latin letters English), the French edition's Latin text French."""
PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
DC_NS = "http://purl.org/dc/elements/1.1/"
WORD = re.compile(r"\w+")
CODE = re.compile(r"(?=.*\d)[0-9a-fA-F]{6,}")  # a version hash: letters, but no language
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh"}


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str
    page: int | None = None  # 1-based; None for the document as a whole

    def __str__(self) -> str:
        where = f"page {self.page}: " if self.page else ""
        return f"{self.rule}: {where}{self.message}"


@dataclass
class _Elem:
    obj: PdfObject
    type: str  # standard type after role mapping
    lang: str | None  # effective language (own or inherited)
    parent: _Elem | None
    page: int | None
    kids: list[_Elem] = field(default_factory=list)


class _Checker:
    def __init__(self, pdf: pikepdf.Pdf, scripts: Mapping[str, str]):
        self.pdf = pdf
        self.scripts = scripts
        self.failures: list[Failure] = []
        self.page_numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
        self.elems: dict[tuple[int, int], _Elem] = {}
        self.owner: dict[tuple[tuple[int, int], int], _Elem] = {}  # (page objgen, MCID) -> element
        self.catalog_lang = _text(pdf.Root.get("/Lang"))
        root: PdfObject = pdf.Root
        self.role_map: PdfObject = root.get("/StructTreeRoot", {}).get("/RoleMap", {})
        self.unicode_maps: dict[tuple[int, int], dict[bytes, str]] = {}

    def fail(self, rule: str, message: str, page: int | None = None) -> None:
        self.failures.append(Failure(rule, message, page))

    # Document-level rules.
    def document(self) -> None:
        root: PdfObject = self.pdf.Root
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            self.fail(f"{UA} 6.2-1", "MarkInfo /Marked is not true")
        if bool(root.get("/MarkInfo", {}).get("/Suspects", False)):
            self.fail(f"{UA} 7.1-4", "MarkInfo /Suspects is true")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            self.fail(f"{UA} 7.1-10", "ViewerPreferences /DisplayDocTitle is not true")
        if "/StructTreeRoot" not in root:
            self.fail(f"{UA} 7.1-11", "the catalog has no StructTreeRoot")
        if "/Lang" in root and not LANG_TAG.match(self.catalog_lang or ""):
            self.fail(f"{UA} 7.2-29", f"catalog /Lang {self.catalog_lang!r} is not a language tag")
        if "/Outlines" in root and not self.catalog_lang:
            self.fail(f"{UA} 7.2-2", "outline entries have no language (no catalog /Lang)")
        metadata = root.get("/Metadata")
        if not isinstance(metadata, pikepdf.Stream) or metadata.get("/Type") != "/Metadata" \
                or metadata.get("/Subtype") != "/XML":
            self.fail(f"{UA} 7.1-8", "the catalog has no /Metadata stream of /Type /Metadata "
                                     "and /Subtype /XML")
            self.fail(f"{UA} 5-1", "no XMP metadata, so no PDF/UA identification")
            return
        try:
            xmp = ET.fromstring(metadata.read_bytes())
        except ET.ParseError as error:
            self.fail(f"{UA} 5-1", f"the XMP metadata cannot be parsed: {error}")
            return
        parts = [element.text for element in xmp.iter(f"{{{PDFUA_NS}}}part")]
        parts += [element.get(f"{{{PDFUA_NS}}}part") for element in xmp.iter()
                  if element.get(f"{{{PDFUA_NS}}}part") is not None]
        if not parts:
            self.fail(f"{UA} 5-1", "the XMP metadata has no pdfuaid:part")
        elif any((part or "").strip() != "1" for part in parts):
            self.fail(f"{UA} 5-2", f"pdfuaid:part is {parts} instead of 1")
        if not any("".join(title.itertext()).strip() for title in xmp.iter(f"{{{DC_NS}}}title")):
            self.fail(f"{UA} 7.1-9", "the XMP metadata has no dc:title")

    # The structure tree, from the root down.
    def structure(self) -> None:
        root = self.pdf.Root.get("/StructTreeRoot")
        if root is None:
            return
        for kid in _kids(root):
            if isinstance(kid, pikepdf.Dictionary):
                self._element(kid, None, self.catalog_lang, None)
        self._id_tree(root)
        headings = [e for e in self._walk() if re.fullmatch(r"H[1-6]", e.type)]
        level = 0
        for heading in headings:
            new = int(heading.type[1])
            if new > level + 1:
                self.fail(f"{UA} 7.4.2-1", f"{heading.type} follows "
                          f"{'no heading' if not level else f'H{level}'}", heading.page)
            level = new

    def _id_tree(self, root: PdfObject) -> None:
        """ISO 32000-1 14.7.2: elements with an /ID need the root's /IDTree, mapping each."""
        with_ids = [e for e in self._walk() if "/ID" in e.obj]
        if not with_ids:
            return
        rule = "ISO 32000-1:2008 14.7.2"
        if "/IDTree" not in root:
            self.fail(rule, f"{len(with_ids)} structure element(s) have an /ID, and the "
                            "StructTreeRoot has no /IDTree")
            return
        tree = _name_tree(root.IDTree)
        for elem in with_ids:
            key = bytes(elem.obj.ID)
            if key not in tree or tree[key].objgen != elem.obj.objgen:
                self.fail(rule, f"/ID {key.decode('latin-1')!r} of a {elem.type} is not "
                                "mapped to it in the /IDTree", elem.page)

    def _walk(self) -> Iterator[_Elem]:
        stack = [e for e in self.elems.values() if e.parent is None][::-1]
        while stack:
            elem = stack.pop()
            yield elem
            stack.extend(reversed(elem.kids))

    def _element(self, obj: PdfObject, parent: _Elem | None, lang: str | None,
                 page: int | None) -> None:
        if obj.objgen in self.elems or obj.get("/Type") in ("/OBJR", "/MCR"):
            return
        kind = str(obj.get("/S", "/"))[1:]
        seen: set[str] = set()
        while kind not in STANDARD_TYPES and f"/{kind}" in self.role_map and kind not in seen:
            seen.add(kind)
            kind = str(self.role_map[f"/{kind}"])[1:]
        if "/Pg" in obj:
            page = self.page_numbers.get(obj.Pg.objgen, page)
        if kind not in STANDARD_TYPES:
            self.fail(f"{UA} 7.1-5", f"structure type /{kind} is not mapped to a standard type",
                      page)
        if "/P" not in obj:
            self.fail(f"{UA} 7.1-12", f"/{kind} has no /P entry", page)
        if "/Lang" in obj:
            own = _text(obj.Lang)
            if not LANG_TAG.match(own or ""):
                self.fail(f"{UA} 7.2-29", f"/{kind} /Lang {own!r} is not a language tag", page)
            lang = own or lang
        if kind == "Figure" and not _text(obj.get("/Alt")) and "/ActualText" not in obj:
            self.fail(f"{UA} 7.3-1", "Figure without /Alt or /ActualText", page)
        elem = _Elem(obj, kind, lang, parent, page)
        self.elems[obj.objgen] = elem
        if parent is not None:
            parent.kids.append(elem)
        for kid in _kids(obj):
            if isinstance(kid, int):
                if page is not None:
                    self.owner[self.pdf.pages[page - 1].obj.objgen, kid] = elem
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                pg = kid.get("/Pg", obj.get("/Pg"))
                if pg is not None:
                    self.owner[pg.objgen, int(kid.MCID)] = elem
            elif isinstance(kid, pikepdf.Dictionary):
                self._element(kid, elem, lang, page)

    def grouping(self) -> None:
        """Where tables and lists may appear, and what they may hold (7.2)."""
        parents = {"TR": (("Table", "THead", "TBody", "TFoot"), "7.2-4"),
                   "TH": (("TR",), "7.2-8"), "TD": (("TR",), "7.2-9"),
                   "LI": (("L",), "7.2-17"), "LBody": (("LI",), "7.2-18")}
        children = {"Table": (("TR", "THead", "TBody", "TFoot", "Caption"), "7.2-3"),
                    "TR": (("TH", "TD"), "7.2-10"), "L": (("L", "LI", "Caption"), "7.2-19"),
                    "LI": (("Lbl", "LBody"), "7.2-20")}
        for elem in self._walk():
            if elem.type in parents:
                allowed, test = parents[elem.type]
                found = elem.parent.type if elem.parent else "StructTreeRoot"
                if found not in allowed:
                    self.fail(f"{UA} {test}", f"{elem.type} element contained in {found}",
                              elem.page)
            if elem.type in children:
                allowed, test = children[elem.type]
                wrong = sorted({kid.type for kid in elem.kids} - set(allowed))
                if wrong:
                    self.fail(f"{UA} {test}", f"{elem.type} element contains "
                              f"{', '.join(wrong)}", elem.page)
            if elem.type == "Table":
                self._table_headers(elem)

    def _table_headers(self, table: _Elem) -> None:
        """veraPDF's GFSETable for PDF/UA-1: every TH has a Scope, or each TD names known TH
        IDs in /Headers, or has a TH with a fitting Scope above it or before it (no default
        scope in PDF/UA-1); veraPDF stops at the first TD that fails."""
        rows = [row for kid in table.kids
                for row in ([kid] if kid.type == "TR" else kid.kids
                            if kid.type in ("THead", "TBody", "TFoot") else [])
                if row.type == "TR"]
        grid: dict[tuple[int, int], _Elem] = {}
        for r, row in enumerate(rows):
            c = 0
            for cell in (kid for kid in row.kids if kid.type in ("TH", "TD")):
                while (r, c) in grid:
                    c += 1
                for dr in range(_attribute(cell.obj, "/RowSpan", 1)):
                    for dc in range(_attribute(cell.obj, "/ColSpan", 1)):
                        grid[r + dr, c + dc] = cell
                c += _attribute(cell.obj, "/ColSpan", 1)
        headers = [cell for cell in grid.values() if cell.type == "TH"]
        if headers and all(_attribute(cell.obj, "/Scope", None) for cell in headers):
            return
        ids = {_text(cell.obj.get("/ID")) for cell in headers} - {None}
        done: set[tuple[int, int]] = set()
        for (r, c), cell in sorted(grid.items()):
            if cell.type != "TD" or cell.obj.objgen in done:
                continue
            done.add(cell.obj.objgen)
            named = [_text(h) for h in _attribute(cell.obj, "/Headers", None) or []]
            if named and all(name in ids for name in named):
                continue
            if any(_scope(grid.get((rr, c)), "/Column") for rr in range(r)) or \
                    any(_scope(grid.get((r, cc)), "/Row") for cc in range(c)):
                continue
            unknown = [name for name in named if name not in ids]
            if unknown:
                self.fail(f"{UA} 7.5-2", f"TD (row {r + 1}, column {c + 1}) references "
                          f"undefined headers {unknown}", cell.page)
            else:
                missing = " (the table has no TH)" if not headers else ""
                self.fail(f"{UA} 7.5-1", f"TD (row {r + 1}, column {c + 1}) has no /Headers "
                          f"and no TH with a Scope{missing}", cell.page)
            return

    # Page content.
    def content(self) -> None:
        root: PdfObject = self.pdf.Root
        parent_tree = _number_tree(root.get("/StructTreeRoot", {}).get("/ParentTree"))
        for number, page in enumerate(self.pdf.pages, 1):
            annotations: PdfObject = page.obj.get("/Annots", [])
            if len(annotations) and page.obj.get("/Tabs") != "/S":
                self.fail(f"{UA} 7.18.3-1", "page with annotations has no /Tabs /S", number)
            struct_parents = page.obj.get("/StructParents")
            mapped = parent_tree.get(int(struct_parents)) if struct_parents is not None else None
            state = _PageState(number, page.obj.objgen, mapped)
            self._stream(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), [], state,
                         set())
            self.languages(state)
            for (mcid, reason), text in state.untagged.items():
                self.fail(f"{UA} 7.1-3", f"MCID {mcid} ({_shown(text)!r}) is neither an artifact "
                          f"nor tagged: {reason}" if mcid is not None else
                          f"{text} outside any marked content", number)

    def _stream(self, stream: PdfObject, resources: PdfObject,
                stack: list[tuple[str, int | None, str | None]], state: _PageState,
                forms: set[tuple[int, int]]) -> None:
        font: PdfObject = None
        for instruction in pikepdf.parse_content_stream(stream):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self._item(stack, state, "inline image", "")
                continue
            operands, operator = instruction.operands, str(instruction.operator)
            if operator in ("BMC", "BDC"):
                tag = str(operands[0])[1:]
                props = operands[1] if operator == "BDC" else None
                if isinstance(props, pikepdf.Name):
                    props = resources.get("/Properties", {}).get(props)
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and \
                    "/MCID" in props else None
                lang = _text(props.get("/Lang")) if isinstance(props, pikepdf.Dictionary) \
                    else None
                if isinstance(props, pikepdf.Dictionary) and "/Lang" in props \
                        and not LANG_TAG.match(lang or ""):
                    self.fail(f"{UA} 7.2-29", f"marked content /Lang {lang!r} is not a "
                                              "language tag", state.number)
                artifact = any(entry[0] == "Artifact" for entry in stack)
                tagged = any(entry[1] is not None for entry in stack)
                if tag == "Artifact" and tagged:
                    self.fail(f"{UA} 7.1-1", "Artifact inside tagged content", state.number)
                if mcid is not None and artifact:
                    self.fail(f"{UA} 7.1-2", f"MCID {mcid} inside an Artifact", state.number)
                stack.append((tag, mcid, lang))
            elif operator == "EMC":
                if stack:
                    stack.pop()
            elif operator == "Tf":
                font = resources.get("/Font", {}).get(operands[0])
            elif operator in TEXT_SHOWING:
                strings = operands[-1] if operator != "TJ" else \
                    [item for item in operands[0] if isinstance(item, pikepdf.String)]
                if isinstance(strings, pikepdf.String):
                    strings = [strings]
                text = "".join(self._decode(font, bytes(s), state.number) for s in strings)
                self._item(stack, state, "text", text)
            elif operator in PAINTING:
                self._item(stack, state, f"path ({operator})", "")
            elif operator == "Do":
                xobject = resources.get("/XObject", {}).get(operands[0])
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Form" and xobject.objgen not in forms:
                    self._stream(xobject, xobject.get("/Resources", resources), list(stack),
                                 state, forms | {xobject.objgen})
                elif xobject.get("/Subtype") == "/Image":
                    self._item(stack, state, "image", "")

    def _item(self, stack: list[tuple[str, int | None, str | None]], state: _PageState,
              kind: str, text: str) -> None:
        if any(entry[0] == "Artifact" for entry in stack):
            return
        mcid = next((entry[1] for entry in reversed(stack) if entry[1] is not None), None)
        if mcid is None:
            state.untagged.setdefault((None, kind), kind)
            return
        elem = self.owner.get((state.objgen, mcid))
        if elem is None:
            mapped = state.parent_tree[mcid] if state.parent_tree is not None and \
                mcid < len(state.parent_tree) else None
            if not isinstance(mapped, pikepdf.Dictionary):
                reason = "no structure element owns it"
            elif _reaches_root(mapped):
                reason = ("its structure element is not reachable from the StructTreeRoot "
                          "(only its /P chain reaches the root, which veraPDF accepts)")
            else:
                reason = "its structure element is not in the structure tree"
            previous = state.untagged.get((mcid, reason), "")
            state.untagged[mcid, reason] = previous + text
            return
        lang = next((entry[2] for entry in reversed(stack) if entry[2]), None) or elem.lang
        key = (mcid, lang, elem.type)
        state.texts[key] = state.texts.get(key, "") + text

    def languages(self, state: _PageState) -> None:
        """7.2-34 and the project's lang-script rule, for each marked-content sequence."""
        for (mcid, lang, kind), text in state.texts.items():
            if not text.strip():
                continue
            if not lang:
                self.fail(f"{UA} 7.2-34", f"no language for {_shown(text)!r}", state.number)
                continue
            primary = lang.split("-")[0].lower()
            for script, expected in self.scripts.items():
                words = [word for word in WORD.findall(text) if not CODE.fullmatch(word)
                         and any(unicodedata.name(char, "").startswith(script)
                                 for char in word if char.isalpha())]
                if words and primary != expected:
                    self.fail("project lang-script", f"{script.title()} text "
                              f"{_shown(' '.join(words))!r} in {kind} (MCID {mcid}) is tagged "
                              f"{lang!r}, expected {expected!r}", state.number)

    def _decode(self, font: PdfObject, data: bytes, page: int) -> str:
        if font is None:
            return ""
        if font.objgen not in self.unicode_maps:
            self.unicode_maps[font.objgen] = self._font(font, page)
        mapping = self.unicode_maps[font.objgen]
        width = 2 if font.get("/Subtype") == "/Type0" else 1
        return "".join(mapping.get(data[i:i + width], "\ufffd")
                       for i in range(0, len(data), width))

    def _font(self, font: PdfObject, page: int) -> dict[bytes, str]:
        name = str(font.get("/BaseFont", "?"))
        descriptor_owner = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
        descriptor = descriptor_owner.get("/FontDescriptor")
        if font.get("/Subtype") != "/Type3" and not (descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))):
            self.fail(f"{UA} 7.21.4.1-1", f"font {name} is not embedded", page)
        if "/ToUnicode" not in font:
            self.fail(f"{UA} 7.21.7-1", f"font {name} has no ToUnicode map", page)
            return {}
        return _parse_to_unicode(font.ToUnicode.read_bytes())


@dataclass
class _PageState:
    number: int
    objgen: tuple[int, int]
    parent_tree: PdfObject
    untagged: dict[tuple[int | None, str], str] = field(default_factory=dict)
    texts: dict[tuple[int, str | None, str], str] = field(default_factory=dict)


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _kids(obj: PdfObject) -> list[object]:
    kids = obj.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _attribute(obj: PdfObject, key: str, default: Any) -> Any:
    attributes = obj.get("/A")
    for owner in ([attributes] if isinstance(attributes, pikepdf.Dictionary) else
                  list(attributes or [])):
        if isinstance(owner, pikepdf.Dictionary) and key in owner:
            value = owner[key]
            return int(value) if isinstance(value, int) else value
    return default


def _scope(cell: _Elem | None, wanted: str) -> bool:
    if cell is None or cell.type != "TH":
        return False
    scope = _attribute(cell.obj, "/Scope", None)
    return scope is not None and str(scope) in (wanted, "/Both")


def _shown(text: str) -> str:
    """Text as drawn (glyph order is visual) made readable: right-to-left text reversed."""
    rtl = sum(unicodedata.bidirectional(char) in ("R", "AL") for char in text)
    text = text[::-1] if rtl > len(text) / 3 else text
    return text[:40]


def _reaches_root(obj: PdfObject) -> bool:
    """veraPDF's isTaggedContent: the /P chain ends at the StructTreeRoot."""
    seen: set[tuple[int, int]] = set()
    while isinstance(obj, pikepdf.Dictionary) and obj.objgen not in seen:
        if obj.get("/Type") == "/StructTreeRoot":
            return True
        seen.add(obj.objgen)
        obj = obj.get("/P")
    return False


def _name_tree(node: PdfObject) -> dict[bytes, PdfObject]:
    result: dict[bytes, PdfObject] = {}
    names = node.get("/Names")
    if names is not None:
        for i in range(0, len(names) - 1, 2):
            result[bytes(names[i])] = names[i + 1]
    for kid in node.get("/Kids", []):
        result.update(_name_tree(kid))
    return result


def _number_tree(node: PdfObject) -> dict[int, PdfObject]:
    result: dict[int, PdfObject] = {}
    if node is None:
        return result
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums) - 1, 2):
            result[int(nums[i])] = nums[i + 1]
    for kid in node.get("/Kids", []):
        result.update(_number_tree(kid))
    return result


def _parse_to_unicode(data: bytes) -> dict[bytes, str]:
    mapping: dict[bytes, str] = {}

    def utf16(hexa: bytes) -> str:
        return bytes.fromhex(hexa.decode()).decode("utf-16-be", "replace")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[bytes.fromhex(src.decode())] = utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
                rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])", block):
            start, end, width = int(lo, 16), int(hi, 16), len(lo) // 2
            targets = re.findall(rb"<([0-9a-fA-F]*)>", dst)
            for offset, code in enumerate(range(start, end + 1)):
                key = code.to_bytes(width, "big")
                if dst.startswith(b"["):
                    if offset < len(targets):
                        mapping[key] = utf16(targets[offset])
                elif targets:
                    first = utf16(targets[0])
                    mapping[key] = first[:-1] + chr(ord(first[-1]) + offset) if first else ""
    return mapping


def check(path: str | Path, scripts: Mapping[str, str] = DEFAULT_SCRIPTS) -> list[Failure]:
    """The failures of the PDF at ``path`` against the rules in RULES."""
    with pikepdf.open(path) as pdf:
        checker = _Checker(pdf, scripts)
        checker.document()
        checker.structure()
        checker.grouping()
        checker.content()
        return checker.failures


def summary(failures: list[Failure]) -> Counter[str]:
    return Counter(failure.rule for failure in failures)


def main(argv: list[str]) -> int:
    worst = 0
    for path in argv:
        failures = check(path)
        print(f"{path}: {len(failures)} failure(s)")
        for rule, count in sorted(summary(failures).items()):
            print(f"  {count:4d}  {rule}  {RULES.get(rule, '')[:90]}")
        for failure in failures:
            print(f"        {failure}")
        worst = worst or (1 if failures else 0)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

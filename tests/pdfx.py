"""A structural PDF/X-1a:2003 check (ISO 15930-4) with pikepdf: no validator runs offline here,
so this reads the rules a preflight applies to these documents (not a full validator)."""
from __future__ import annotations

import sys

import pikepdf

ALLOWED_SPACES = {"/DeviceCMYK", "/DeviceGray", "/Pattern"}
TRANSPARENT = {"/SMask"}


def problems(path: str) -> list[str]:
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        if pdf.is_encrypted:
            found.append("encrypted")
        if pdf.pdf_version > "1.4":
            found.append(f"PDF {pdf.pdf_version} (PDF/X-1a:2003 is PDF 1.4)")
        if not pdf.trailer.get("/ID"):
            found.append("no /ID in the trailer")
        info = pdf.docinfo
        if not str(info.get("/GTS_PDFXVersion", "")).startswith("PDF/X-1"):
            found.append("Info /GTS_PDFXVersion is not PDF/X-1a")
        if str(info.get("/GTS_PDFXConformance", "")) not in ("PDF/X-1a:2001", "PDF/X-1a:2003"):
            found.append("Info /GTS_PDFXConformance is not PDF/X-1a")
        if info.get("/Trapped") not in (pikepdf.Name("/True"), pikepdf.Name("/False")):
            found.append("Info /Trapped is not /True or /False")
        for key in ("/Title", "/CreationDate", "/ModDate"):
            if key not in info:
                found.append(f"Info has no {key}")
        intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
        if len(intents) != 1:
            found.append(f"{len(intents)} GTS_PDFX OutputIntents instead of 1")
        for intent in intents:
            if not str(intent.get("/OutputConditionIdentifier", "")):
                found.append("OutputIntent has no OutputConditionIdentifier")
            if "/DestOutputProfile" not in intent and not str(intent.get("/RegistryName", "")):
                found.append("OutputIntent has neither DestOutputProfile nor RegistryName")
            if "/DestOutputProfile" in intent:
                profile = intent.DestOutputProfile.read_bytes()
                if int(intent.DestOutputProfile.get("/N", 0)) != 4 or profile[16:20] != b"CMYK":
                    found.append("DestOutputProfile is not a CMYK profile")
                if profile[12:16] != b"prtr":
                    found.append(f"DestOutputProfile is a {profile[12:16]!r} profile, not an "
                                 "output ('prtr') profile")
                if profile[8] > 2:  # PDF 1.4 reads ICC profiles of version 2
                    found.append(f"DestOutputProfile is an ICC version {profile[8]} profile")
        for number, page in enumerate(pdf.pages, 1):
            obj = page.obj
            if ("/TrimBox" in obj) == ("/ArtBox" in obj):
                found.append(f"page {number}: needs a TrimBox or an ArtBox, not both")
            media = [float(v) for v in obj.MediaBox]
            bleed = [float(v) for v in obj.get("/BleedBox", obj.MediaBox)]
            trim = [float(v) for v in obj.get("/TrimBox", obj.get("/ArtBox", obj.MediaBox))]
            if not (_inside(trim, bleed) and _inside(bleed, media)):
                found.append(f"page {number}: boxes not nested (trim {trim}, bleed {bleed}, "
                             f"media {media})")
            if "/Group" in obj:
                found.append(f"page {number}: transparency group")
            found += [f"page {number}: {p}" for p in _content(obj, obj.get("/Resources", {}))]
            for annot in obj.get("/Annots", []):
                if annot.get("/Subtype") != "/TrapNet":
                    found.append(f"page {number}: annotation {annot.get('/Subtype')}")
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font":
                fonts = [obj] if obj.get("/Subtype") != "/Type0" else list(obj.DescendantFonts)
                for font in fonts:
                    descriptor = font.get("/FontDescriptor")
                    if obj.get("/Subtype") != "/Type3" and not (descriptor is not None and any(
                            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))):
                        found.append(f"font {obj.get('/BaseFont')} not embedded")
    return sorted(set(found))


def _inside(inner: list[float], outer: list[float]) -> bool:
    return inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01 and \
        inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01


def _space_ok(space: pikepdf.Object, resources: pikepdf.Dictionary) -> bool:
    if isinstance(space, pikepdf.Name) and str(space) in ALLOWED_SPACES:
        return True
    if isinstance(space, pikepdf.Name):
        space = resources.get("/ColorSpace", {}).get(space)
    if isinstance(space, pikepdf.Array) and str(space[0]) in ("/Separation", "/DeviceN"):
        return str(space[2]) in ("/DeviceCMYK", "/DeviceGray")
    return isinstance(space, pikepdf.Name) and str(space) in ALLOWED_SPACES


def _content(stream: pikepdf.Object, resources: pikepdf.Dictionary) -> list[str]:
    found = []
    for state in resources.get("/ExtGState", {}).values():
        if float(state.get("/ca", 1)) != 1 or float(state.get("/CA", 1)) != 1 \
                or "/SMask" in state and state.SMask != "/None" \
                or str(state.get("/BM", "/Normal")) not in ("/Normal", "/Compatible"):
            found.append(f"transparency in ExtGState {dict(state)}")
        if "/TR" in state or "/TR2" in state:
            found.append("transfer function")
    for operands, operator in ((i.operands, str(i.operator)) for i in
                               pikepdf.parse_content_stream(stream)
                               if not isinstance(i, pikepdf.ContentStreamInlineImage)):
        if operator in ("rg", "RG"):
            found.append(f"DeviceRGB colour ({' '.join(map(str, operands))} {operator})")
        elif operator in ("cs", "CS") and not _space_ok(operands[0], resources):
            found.append(f"colour space {operands[0]}")
        elif operator == "Do":
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Image" and not _space_ok(
                    xobject.get("/ColorSpace", pikepdf.Name("/DeviceGray")), resources):
                found.append(f"image in {xobject.get('/ColorSpace')}")
            if xobject.get("/Subtype") == "/Form":
                if "/Group" in xobject:
                    found.append("form XObject with a transparency group")
                found += _content(xobject, xobject.get("/Resources", resources))
    return found


if __name__ == "__main__":
    status = 0
    for path in sys.argv[1:]:
        result = problems(path)
        print(f"{path}: {'PDF/X-1a structure OK' if not result else ''}")
        for problem in result:
            print("   ", problem)
        status = status or bool(result)
    sys.exit(status)

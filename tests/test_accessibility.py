"""Accessible PDFs, checked with pikepdf as veraPDF's PDF/UA-1 rules state them (tests/pdfua.py
names each rule: specification, clause and test number of veraPDF's PDFUA-1 profile), on every
edition of every fixture statement, and on a small document that has each feature the rules
touch."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from . import pdfua
from .conftest import LANGUAGES, ROOT, STATEMENTS

pytestmark = pytest.mark.slow
UA = pdfua.UA
EDITIONS = [(s, v) for s in STATEMENTS for v in (*LANGUAGES, "bilingual")]


def pdf_of(built, statement_id: str, variant: str) -> Path:
    return built.output_dir / statement_id / f"{statement_id}.{variant}.pdf"


def elements(pdf: pikepdf.Pdf):
    """(structure element, its effective /Lang), depth first."""
    def walk(element, lang):
        lang = str(element.get("/Lang", lang))
        yield element, lang
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                yield from walk(kid, lang)
    yield from walk(pdf.Root.StructTreeRoot.K[0], str(pdf.Root.Lang))


def artifacts(pdf: pikepdf.Pdf) -> list[dict[str, str]]:
    found = []
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and operands[0] == "/Artifact":
                found.append({str(k): str(v) for k, v in operands[1].items()})
    return found


@pytest.mark.parametrize(("statement_id", "variant"), EDITIONS)
def test_every_edition_passes_the_pdfua_rules(built, statement_id, variant):
    assert pdfua.check(pdf_of(built, statement_id, variant),
                       pdfua.EDITION_SCRIPTS.get(variant, pdfua.DEFAULT_SCRIPTS)) == []


def test_7_2_languages_per_element_in_the_bilingual_edition(built):
    """ISO 14289-1:2014 7.2 (and the project's lang-script rule): the Arabic column of the
    bilingual edition is read with an Arabic voice."""
    with pikepdf.open(pdf_of(built, "sochi-2018", "bilingual")) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        arabic = [e for e, _ in elements(pdf) if str(e.get("/Lang", "")) == "ar-SY"]
        assert len(arabic) >= 7  # the masthead and the six paragraphs at least


@pytest.mark.parametrize(("variant", "latin"), [("ar", 8), ("fa", 130)])
def test_7_2_latin_names_in_a_right_to_left_edition_have_their_language(built, variant, latin):
    """In Arabic: Help4Syria, (SAC), (LDSPS), Scotland4Syria, ...; in Persian, every name the
    organisations write only in Latin letters, kept as written."""
    with pikepdf.open(pdf_of(built, "sochi-2018", variant)) as pdf:
        spans = [e for e, _ in elements(pdf) if e.S == "/Span" and str(e.get("/Lang")) == "en"]
        assert len(spans) >= latin


def test_7_2_a_name_written_in_arabic_in_the_english_edition_is_arabic(built):
    with pikepdf.open(pdf_of(built, "ghouta-2017", "en")) as pdf:
        assert [str(e.Lang) for e, _ in elements(pdf) if "/Lang" in e] == ["ar"]


def test_7_1_3_page_furniture_is_pagination_artifacts(built):
    """ISO 14289-1:2014 7.1-3: content is tagged or an artifact; headers and footers are
    /Artifact <</Type /Pagination>>."""
    with pikepdf.open(pdf_of(built, "sochi-2018", "ar")) as pdf:
        pagination = [a for a in artifacts(pdf) if a.get("/Type") == "/Pagination"]
        pages = len(pdf.pages)
    subtypes = sorted(a["/Subtype"] for a in pagination)
    # every page: a footer on each side; every page but the first: the running title
    assert subtypes.count("/Footer") == 2 * pages and subtypes.count("/Header") == pages - 1


@pytest.mark.parametrize("variant", ["ar", "fa", "en", "fr", "bilingual"])
def test_no_edition_sets_a_reading_direction_for_two_page_views(built, variant):
    """/Direction /R2L would make PDFium (Chrome) take every line for right to left and copy a
    Latin line's words, a version code's letters and digits, in reverse (tests/test_textcopy.py):
    correct copying comes before the order of pages side by side."""
    with pikepdf.open(pdf_of(built, "sochi-2018", variant)) as pdf:
        preferences = pdf.Root.ViewerPreferences
        assert preferences.DisplayDocTitle  # ISO 14289-1:2014 7.1-10
        assert "/Direction" not in preferences


def test_7_5_the_parallel_text_is_no_table_and_the_names_table_has_header_scopes(built):
    """ISO 14289-1:2014 7.5-1: a table has header cells; the parallel text is a layout table,
    so it reads as pairs of paragraphs, not as a data table."""
    with pikepdf.open(pdf_of(built, "sochi-2018", "bilingual")) as pdf:
        kinds = [str(e.S) for e, _ in elements(pdf)]
        headers = [e for e, _ in elements(pdf) if e.S == "/TH"]
    # the names only, one table per page it runs over, each page with its two header cells
    assert kinds.count("/Table") >= 1 and len(headers) == 2 * kinds.count("/Table")
    assert all(h.A.Scope == "/Column" for h in headers)
    assert kinds.count("/TD") == 2 * 133  # the names, two per row; no paragraph is a cell


def test_the_header_cells_ids_are_in_the_id_tree(built, tmp_path):
    """ISO 32000-1 14.7.2: the names table's TH carry an /ID, which the TDs' /Headers name;
    the StructTreeRoot's /IDTree maps each ID to its TH. Without it, the rule fails."""
    path = pdf_of(built, "sochi-2018", "bilingual")
    with pikepdf.open(path) as pdf:
        names = list(pdf.Root.StructTreeRoot.IDTree.Names)
        tree = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        headers = [e for e, _ in elements(pdf) if e.S == "/TH"]
        cells = [e for e, _ in elements(pdf) if e.S == "/TD"]
        assert headers and set(tree) == {bytes(h.ID) for h in headers} and len(tree) == len(
            headers)
        assert list(tree) == sorted(tree)  # a name tree's keys are in order
        assert all(tree[bytes(h.ID)].objgen == h.objgen for h in headers)
        assert all(bytes(key) in tree for cell in cells for key in cell.A.Headers)
        del pdf.Root.StructTreeRoot.IDTree
        pdf.save(tmp_path / "no-id-tree.pdf")
    assert pdfua.summary(pdfua.check(tmp_path / "no-id-tree.pdf")) == {
        "ISO 32000-1:2008 14.7.2": 1}


@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_archival_editions_are_pdfa3a_and_still_accessible(small, tmp_path, variant):
    from pipeline.commands.build import build
    from pipeline.model import PrintOptions
    from pipeline.plan import Request

    report = build(small, Request(("ghouta-2017",), ("en", "ar") if variant == "bilingual" else ("ar",),
                                  options=PrintOptions(archival=True)),
                   jobs=1)
    assert not report.refused
    path = small.output_dir / "ghouta-2017" / f"ghouta-2017.{variant}.pdf"
    with pikepdf.open(path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes()
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="A"' in xmp
    assert b"<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert pdfua.check(path) == []


def test_the_checker_sees_document_level_failures(built, tmp_path):
    """The rules can fail: a PDF stripped of what PDF/UA asks for breaks each of them."""
    with pikepdf.open(pdf_of(built, "ghouta-2017", "en")) as pdf:
        del pdf.Root.MarkInfo
        del pdf.Root.ViewerPreferences
        del pdf.Root.Lang
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            del xmp["dc:title"]
            del xmp["pdfuaid:part"]
        pdf.save(tmp_path / "broken.pdf")
    rules = pdfua.summary(pdfua.check(tmp_path / "broken.pdf"))
    for test in ("6.2-1", "7.1-10", "7.1-9", "5-1", "7.2-34"):
        assert rules[f"{UA} {test}"], test


def test_the_fonts_come_from_the_repository_only(built):
    names = set()
    for statement_id, variant in EDITIONS:
        with pikepdf.open(pdf_of(built, statement_id, variant)) as pdf:
            for page in pdf.pages:
                for font in (page.Resources.get("/Font") or {}).values():
                    names.add(str(font.BaseFont).split("+", 1)[-1])
    # WeasyPrint names an embedded font after the stylesheet's family (templates/statement.css)
    declared = {"Edition-Serif", "Edition-Serif-Bold", "Edition-Serif-Italic",
                "Edition-Serif-BoldItalic", "Edition-Naskh", "Edition-Naskh-Bold"}
    assert names and names <= declared, names
    assert (ROOT / "templates" / "fonts" / "OFL.txt").is_file()

"""Copying and searching the Arabic a new user writes (issue 20): the statement written in Arabic
of tests/fixtures/arabic-source-refugees-2026 (tests/refugees.py sets up its project), whose
marks over a hamza-alef («أُعيد») and Arabic-Indic numbers («٢٠١١», «١٬٢٠٠») the suite's own
fixtures did not show, copied and searched in the three viewers (poppler's pdftotext, PDFium,
MuPDF: tests/extraction.py says how); and the text layer (pipeline/textlayer.py) that makes it
so."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from pipeline import textlayer
from pipeline.project import Project

from . import extraction
from .conftest import build_or_fail, made_once
from .refugees import STATEMENT, make_refugees_project

_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None,
                              reason="poppler's pdftotext is missing: run tools/system-packages test")


# A kasra under a hamza-alef (HarfBuzz's cluster «إِ»: the kasra glyph mapped to «إِ», «قِإيل»)
# and a kasra elsewhere, added to the statement as its writer might have vocalised it.
KASRA = (("إن العودة التي", "إِنّ العودة التي"), ("ذكّرت المفوضية", "ذكّرت المفوضية، كما قِيل،"))


@pytest.fixture(scope="session")
def refugees(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The refugees statement (and no other) built in English and Arabic, with ``KASRA``: read
    it, never change it."""
    return made_once(tmp_path_factory, "refugees", lambda folder: build_or_fail(
        make_refugees_project(folder / "project", (), edits=KASRA)))


def pdf_of(project: Project, variant: str, statement: str = STATEMENT) -> Path:
    return project.output_dir / statement / f"{statement}.{variant}.pdf"


def found(pdf: Path, word: str) -> dict[str, bool]:
    """Whether each viewer's search finds ``word`` in ``pdf``: poppler's text as Evince's
    search reads it (``pdftotext``), PDFium's ``FPDFText_FindStart``, MuPDF's ``search_for``."""
    import pymupdf
    import pypdfium2

    copied = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout
    with pymupdf.open(str(pdf)) as document:
        mupdf = any(page.search_for(word) for page in document)
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pdfium = False
        for page in document:
            textpage = page.get_textpage()
            pdfium = pdfium or textpage.search(word).get_next() is not None
            textpage.close()
            page.close()
    finally:
        document.close()
    return {"pdftotext": word in copied, "pdfium": pdfium, "mupdf": mupdf}


def to_unicode(pdf: Path) -> list[str]:
    """Every text the ToUnicode maps of ``pdf``'s fonts map a glyph to."""
    from pypdf import PdfReader

    from .pdfua import _parse_to_unicode

    texts: list[str] = []
    for page in PdfReader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            if "/ToUnicode" in font:
                texts += _parse_to_unicode(font["/ToUnicode"].get_object().get_data()).values()
    return texts


# How many units each viewer copies exactly (a ratchet, as tests/test_textcopy.py's EXACT).
# MuPDF 36 -> 38 (ar), 74 -> 75 (bilingual): the percent sign of «٣٢٪» maps to an RLM first
# (it came out at its line's end), and a list number left of a Latin name ending the item on
# its right starts with a line break («(UOSSM).٢ ٥» before). PDFium copies every unit: a
# tanwin before a period or a comma inside the punctuation's fence (main's textlayer), and no
# damma with an alef («تُأعدّ»).
# MuPDF 38 -> 39 (ar), 75 -> 76 (bilingual): no space inside «»،» (textlayer._mupdf_twins).
# Poppler reads the colophon of the bilingual edition (more Latin than Arabic letters on its
# page) right to left since textlayer._tip_page.
EXACT = {  # variant: (units, pdftotext, pdfium, mupdf)
    "en": (39, 39, 39, 39),
    "ar": (39, 39, 39, 39),
    "bilingual": (76, 76, 76, 76),
}


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("viewer", extraction.VIEWERS)
@pytest.mark.parametrize("variant", sorted(EXACT))
def test_the_refugees_editions_copy_no_worse_than_measured(refugees, variant, viewer):
    pdf = pdf_of(refugees, variant)
    missing, units = extraction.missing(viewer, pdf, pdf.with_suffix(".html"))
    total, *floors = EXACT[variant]
    floor = floors[extraction.VIEWERS.index(viewer)]
    assert units == total
    assert units - len(missing) >= floor, [unit.text[:40] for unit in missing]


# (a mark over or under a hamza-alef, and the marks of the words after it, which copied with
# an alef)
MARKED = ("أُعيد", "تُعدّ", "يُلزم", "يُموَّل", "إِنّ", "قِيل")
NUMBERS = ("٢٠١١", "٢٠٢٦", "١٬٢٠٠", "٢٠")


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_a_mark_over_a_hamza_alef_copies_as_written_in_every_viewer(refugees, variant):
    """HarfBuzz draws «أُ» as one cluster of two glyphs: each maps to its own character in the
    font's ToUnicode (WeasyPrint mapped the damma to «أُ», and every damma of the document then
    copied with an alef: «تُأعدّ»), and the words copy as written in the three viewers."""
    pdf = pdf_of(refugees, variant)
    column = "right" if variant == "bilingual" else "page"
    mapped = to_unicode(pdf)
    assert {"\u064f", "\u0650", "أ", "إ"} <= set(mapped)
    assert not [text for text in mapped if len(text) > 1 and not textlayer._is_mark(text[0])
                and textlayer._is_mark(text[1:])]
    for viewer in extraction.VIEWERS:
        copied = f" {extraction.extracted(viewer, pdf, column)} "
        for word in MARKED:
            assert re.search(f" {word}[ ،.]", copied), (
                viewer, extraction.divergence(f" {word}", copied))
        assert "أأ" not in copied and "ُأ" not in copied, viewer


@pytest.mark.slow
@_POPPLER
def test_mupdf_keeps_a_percent_sign_after_its_number_and_a_list_number_on_its_line(refugees):
    copied = f" {extraction.extracted('mupdf', pdf_of(refugees, 'ar'), 'page')} "
    assert " سوى ٣٢٪ من خطة الاستجابة الإقليمية " in copied
    assert " (UOSSM) " in copied and "(UOSSM)." not in copied


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_mupdf_copies_a_guillemet_after_a_comma_and_a_list_number_whole(refugees, variant):
    """A unit whose ActualText starts with a FENCE drawn right after one ending with a FENCE
    (a comma then a closing guillemet, a list number's period then its digits): MuPDF dropped
    the second FENCE with its glyph's advance and wrote a space there («ومستدامة »،»,
    «.١ ٠»), so that no search found a list number of two digits (textlayer._mupdf_twins)."""
    pdf = pdf_of(refugees, variant)
    column = "right" if variant == "bilingual" else "page"
    copied = extraction.extracted("mupdf", pdf, column)
    assert " ومستدامة»، وهو " in copied, extraction.divergence(" ومستدامة»،", copied)
    import pymupdf

    with pymupdf.open(str(pdf)) as document:
        lines = {extraction.normalise(line) for page in document
                 for line in page.get_text().splitlines()}
    numbers = [f"{n}." for n in ("١٠", "١٥", "٢٠", "٢٥")]
    assert {f".{n[:-1]}" for n in numbers} <= lines, sorted(lines)[:40]
    assert found(pdf, "٢٥") == {"pdftotext": True, "pdfium": True, "mupdf": True}
    assert found(pdf, "١٧") == {"pdftotext": True, "pdfium": True, "mupdf": True}


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_pdfium_finds_the_words_with_a_mark_inside(refugees, variant):
    """(Not yet poppler and MuPDF: the ActualText of a letter with a mark keeps the fences
    they need to copy it in order, which a search does not look past.)"""
    pdf = pdf_of(refugees, variant)
    for word in MARKED:
        assert found(pdf, word)["pdfium"], word


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_every_viewer_finds_an_arabic_indic_number(refugees, variant):
    """The digits of a number are one span: no WORD JOINER between them (there was one after
    each digit, so no search found a number of two digits or more)."""
    pdf = pdf_of(refugees, variant)
    for number in NUMBERS:
        assert found(pdf, number) == {"pdftotext": True, "pdfium": True, "mupdf": True}, number
    assert found(pdf_of(refugees, "en"), "2011") == {"pdftotext": True, "pdfium": True,
                                                     "mupdf": True}


@pytest.mark.slow
@_POPPLER
def test_every_viewer_finds_the_numbers_of_the_fixture_statements(built):
    for statement, numbers in (("sochi-2018", ("٢٢٥٤", "٢٠١٨")), ("ghouta-2017", ("٢٠١٣", "٤٠٠"))):
        for variant in ("ar", "bilingual"):
            pdf = pdf_of(built, variant, statement)
            for number in numbers:
                assert all(found(pdf, number).values()), (statement, variant, number)


def test_a_letter_and_its_mark_in_one_cluster_are_split_each_to_its_own_text():
    """«أُ» drawn (right to left) as the damma then the alef, one cluster: the damma becomes a
    cluster of its own, and each glyph maps to its own character, whatever WeasyPrint mapped
    it to first (the whole cluster, or nothing); the damma drawn elsewhere keeps its map. A
    cluster whose glyphs the cmap does not tell apart is left as it is."""
    class Font:
        to_unicode = {20: "أُ", 7: ""}
        textlayer_cmap = {0x623: 7, 0x64F: 20, 0x650: 21}

    fonts = {"F": Font()}
    glyphs = [textlayer.Glyph(20, 0, "F"), textlayer.Glyph(7, 0, "F"), textlayer.Glyph(9, 1, "F")]
    clusters = [textlayer.Cluster("أُ", True), textlayer.Cluster("ع", True)]
    textlayer._split_marks(glyphs, clusters, fonts)
    assert [clusters[g.cluster].text for g in glyphs] == ["\u064f", "أ", "ع"]
    assert Font.to_unicode == {20: "\u064f", 7: "أ"}
    assert all(c.rtl for c in clusters) and len(clusters) == 3
    # a glyph the cmap does not give the mark (a ligature of the mark with its letter)
    glyphs = [textlayer.Glyph(30, 0, "F"), textlayer.Glyph(7, 0, "F")]
    clusters = [textlayer.Cluster("إِ", True)]
    textlayer._split_marks(glyphs, clusters, fonts)
    assert [g.cluster for g in glyphs] == [0, 0] and clusters[0].text == "إِ"
    # a lam-alef (two letters) and a left-to-right cluster are not marks on a letter
    glyphs = [textlayer.Glyph(40, 0, "F"), textlayer.Glyph(41, 0, "F")]
    for cluster in (textlayer.Cluster("لا", True), textlayer.Cluster("e\u0301", False)):
        textlayer._split_marks(glyphs, [cluster], fonts)
        assert len(cluster.text) == 2


def test_the_digits_of_a_number_in_a_right_to_left_line_are_one_span():
    """Drawn left to right in a right-to-left line, «٢٠١١» is one unit whose ActualText is the
    number between fences, no joiner inside; each digit maps to an LRM first (MuPDF then counts
    it left to right)."""
    class Font:
        to_unicode = {1: "٢", 2: "٠", 3: "١", 4: " ", 5: "م"}
        widths = {1: 500, 2: 500, 3: 500, 4: 250, 5: 500}

    fonts = {"F": Font()}
    glyphs = [textlayer.Glyph(gid, k, "F", 10.0, 0.0, 5.0 * k, 5.0)
              for k, gid in enumerate((1, 2, 3, 3, 4, 5))]
    clusters = [textlayer.Cluster(c, rtl) for c, rtl in
                (("٢", False), ("٠", False), ("١", False), ("١", False), (" ", True), ("م", True))]
    units = textlayer.plan(glyphs, clusters, fonts)
    assert units[0].glyphs == [0, 1, 2, 3]
    assert units[0].text == textlayer.FENCE + "٢٠١١" + textlayer.FENCE
    assert all(unicodedata.category(c) != "Cf" for c in (units[0].text or "")[1:-1])
    assert Font.to_unicode[1] == textlayer.LRM + "٢"


def test_a_unit_drawn_after_a_fence_does_not_start_with_one_for_mupdf():
    """After a unit whose ActualText ends with a FENCE: a mirrored character's unit starts with
    an RLM (PDFium keeps it as ``_pdfium_lead``'s), a number's loses its first FENCE (an RLM
    there, PDFium no longer found the number); others, and a unit after one with no ActualText,
    are left alone."""
    F, L, R = textlayer.FENCE, textlayer.LRM, textlayer.RLM
    comma = textlayer.Unit([0], text=F + "،" + F)
    quote = textlayer.Unit([1], text=F + "»" + L)
    period = textlayer.Unit([2], text=F + "." + F)
    number = textlayer.Unit([3], text=F + "١٠" + F)
    letter = textlayer.Unit([4], text=F + "ً" + F)
    plain = textlayer.Unit([5])
    primer = textlayer.Unit([6], primer=0.1)
    bracket = textlayer.Unit([7], text=F + "(" + L)
    textlayer._mupdf_twins([comma, quote, period, number, plain, letter, period, primer, letter,
                            plain, bracket])
    assert quote.text == R + F + "»" + L
    assert number.text == "١٠" + F
    assert letter.text == F + "ً" + F
    assert bracket.text == F + "(" + L


def test_a_percent_sign_after_a_number_is_copied_with_it():
    """«٣٢٪» drawn right to left (the percent sign on the number's left): the number's
    ActualText ends with the sign, whose own ActualText is a FENCE alone (the FENCEs of both
    units were copied between the two, and no search found «٣٢٪»); a percent sign carrying
    marks, or one not next to a number, keeps its own text."""
    F = textlayer.FENCE

    class Font:
        to_unicode = {1: "٣", 2: "٢", 3: "٪", 4: " ", 5: "م"}
        widths = {1: 500, 2: 500, 3: 600, 4: 250, 5: 500}

    fonts = {"F": Font()}

    def planned(order: list[tuple[int, str, bool]]) -> list[str | None]:
        glyphs = [textlayer.Glyph(gid, k, "F", 10.0, 0.0, 5.0 * k, 5.0)
                  for k, (gid, _, _) in enumerate(order)]
        clusters = [textlayer.Cluster(text, rtl) for _, text, rtl in order]
        return [unit.text for unit in textlayer.plan(glyphs, clusters, fonts)]

    texts = planned([(3, "٪", True), (1, "٣", False), (2, "٢", False), (4, " ", True),
                     (5, "م", True)])
    assert texts[:2] == [F, F + "٣٢٪" + F]
    # (a space between them: the sign is not the number's)
    texts = planned([(3, "٪", True), (4, " ", True), (1, "٣", False), (2, "٢", False),
                     (5, "م", True)])
    assert texts[0] == F + "٪" + F and texts[2] == F + "٣٢" + F


@pytest.mark.slow
@_POPPLER
@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_every_viewer_finds_a_number_with_its_percent_sign(refugees, variant):
    assert found(pdf_of(refugees, variant), "٣٢٪") == {"pdftotext": True, "pdfium": True,
                                                      "mupdf": True}

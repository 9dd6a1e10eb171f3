"""The printed editions themselves, read back with real PDF tools (pypdf, poppler's pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.catalogs import read_catalog

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None,
                       reason="poppler's pdftotext is missing: run tools/system-packages test"),
]

A4 = (595.28, 841.89)
TOP, BOTTOM = 62.4, 68.0  # the page margins (22 mm, 24 mm) that hold the page furniture


def pdf_path(project, code: str) -> Path:
    return project.output_dir / "sochi-2018" / f"sochi-2018.{code}.pdf"


def body_text(path: Path) -> str:
    """The text inside the page margins, page after page, without the running furniture."""
    pages = len(PdfReader(path).pages)
    chunks = []
    for page in range(1, pages + 1):
        chunks.append(subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-r", "72", "-x", "0",
             "-y", str(int(TOP)), "-W", str(int(A4[0])), "-H", str(int(A4[1] - TOP - BOTTOM)),
             str(path), "-"], check=True, capture_output=True, text=True).stdout)
    return "\n".join(chunks)


def squash(text: str, punctuation: bool = True) -> str:
    """Text without white space, hyphens (hyphenation adds some), format characters (bidi
    marks, isolates) and, if asked, punctuation and marks (text extraction misplaces the
    punctuation between a right-to-left run and a number, and drops the shadda, although both
    are printed right)."""
    return "".join(c for c in text if not c.isspace() and c not in "-\u2010\u00ad"
                   and unicodedata.category(c) != "Cf"
                   and (punctuation or unicodedata.category(c)[0] not in "PM"))


def words(path: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMin, text) of each word on a page."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [(float(a), float(c), float(b), unescape(t)) for a, b, c, t in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out)]


def test_english_pdf_holds_the_seed_word_for_word(built, seed):
    text = squash(body_text(pdf_path(built, "en")))
    for part in [seed["title"], seed["subtitle"], seed["date"], *seed["paragraphs"]]:
        assert squash(part) in text, part
    for number, name in enumerate(seed["signatories"], 1):
        assert squash(f"{number}.{name}") in text, name


def test_arabic_pdf_holds_the_arabic_text(built):
    catalog = read_catalog(built.catalog_path("ar"), "ar.po", "ar")
    text = squash(body_text(pdf_path(built, "ar")), punctuation=False)
    translations = {(m.context, m.id): m.string for m in catalog if m.id}
    paragraphs = [s for (context, _), s in translations.items() if context == "paragraph"]
    assert len(paragraphs) == 6
    for paragraph in paragraphs:
        assert squash(paragraph, punctuation=False) in text, paragraph[:40]
    names = [s for (context, _), s in translations.items() if context == "signatory"]
    for name in names:
        for run in re.split(r"[A-Za-z0-9(),.، -]+", name):  # the Arabic runs of mixed names
            assert squash(run, punctuation=False) in text, name
    assert "٣كانونالثاني٢٠١٨" in text
    assert "وقعت١٣٣" in text and "منظمةعلىهذاالبيان" in text
    before_colophon = text.split("هذهالنسخةمطبوعة")[0]  # whose version codes are Latin
    assert not re.search("[0-9]", before_colophon.replace("Help4Syria", "").replace(
        "Scotland4Syria", ""))


def test_arabic_list_reads_from_the_right(built):
    path = pdf_path(built, "ar")
    marker = re.compile(r"^(?:\.([٠-٩]{1,3})|([٠-٩]{1,3})\.)$")
    middle = A4[0] / 2
    numbers = []
    for page in range(1, len(PdfReader(path).pages) + 1):
        page_words = words(path, page)
        markers = [(x0, x1, y, int("".join(str(unicodedata.decimal(d)) for d in m.group(1) or m.group(2))))
                   for x0, x1, y, t in page_words if (m := marker.match(t))]
        items = [(x0, x1, y, n) for x0, x1, y, n in markers if TOP - 10 < y < A4[1] - BOTTOM]
        for x0, x1, y, number in items:
            same_line = [w for w in page_words if abs(w[2] - y) < 1 and (w[0] > middle) == (
                x0 > middle)]
            assert x1 == max(w[1] for w in same_line), f"the number {number} is not at the right"
            numbers.append(number)
        right = [n for x0, _, _, n in items if x0 > middle]
        left = [n for x0, _, _, n in items if x0 < middle]
        if right and left:
            assert max(right) < min(left), "the first column must be the rightmost"
    assert sorted(numbers) == list(range(1, 134))


def test_arabic_page_furniture_uses_arabic_indic_digits(built):
    path = pdf_path(built, "ar")
    pages = len(PdfReader(path).pages)
    footer = [t for x0, x1, y, t in words(path, pages) if y > A4[1] - BOTTOM]
    digits = "٠١٢٣٤٥٦٧٨٩"
    assert digits[pages] in "".join(footer) and "الصفحة" in "".join(footer)[::-1] + "".join(footer)
    assert not re.search("[0-9]", "".join(footer))


def test_fonts_are_embedded_and_subset(built):
    for code in ("en", "ar"):
        reader = PdfReader(pdf_path(built, code))
        fonts = {}
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                    if "/DescendantFonts" in font else font["/FontDescriptor"]
                fonts[str(font["/BaseFont"])] = descriptor.get_object()
        assert fonts, code
        for name, descriptor in fonts.items():
            assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert not any("DejaVu" in name for name in fonts), fonts


def test_metadata(built):
    english = PdfReader(pdf_path(built, "en"))
    assert english.metadata.title == "Sochi Conference Threatens Syria Peace Process"
    assert english.metadata.author == "Syrian Civil Society"
    assert english.trailer["/Root"]["/Lang"] == "en-GB"
    arabic = PdfReader(pdf_path(built, "ar"))
    assert arabic.metadata.title == "مؤتمر سوتشي يهدد عملية السلام في سوريا"
    assert arabic.trailer["/Root"]["/Lang"] == "ar-SY"
    assert arabic.metadata["/CreationDate"] == "D:20180103"
    assert re.fullmatch(r"[0-9a-f]{12}", arabic.metadata["/sourceversion"])
    assert english.metadata["/sourceversion"] == arabic.metadata["/sourceversion"]


def test_html_editions_are_written_beside_the_pdfs(built):
    folder = built.output_dir / "sochi-2018"
    assert (folder / "sochi-2018.ar.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert (built.output_dir / "_assets" / "statement.css").is_file()
    assert (built.output_dir / "_assets" / "fonts" / "OFL.txt").is_file()

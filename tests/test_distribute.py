"""Distribution: the bilingual edition, accessible and archival PDFs, print-shop options, the
release bundle and the previews."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from pipeline.build import build
from pipeline.distribute import bundle, preview
from pipeline.errors import PipelineError

pytestmark = pytest.mark.slow


def outline(reader: PdfReader) -> list:
    def titles(items):
        return [titles(item) if isinstance(item, list) else item.title for item in items]
    return titles(reader.outline)


def test_the_bilingual_edition_sets_both_languages_side_by_side(built):
    path = built.output_dir / "sochi-2018" / "sochi-2018.bilingual.pdf"
    reader = PdfReader(path)
    assert outline(reader) == ["Sochi Conference Threatens Syria Peace Process / "
                               "مؤتمر سوتشي يهدد عملية السلام في سوريا",
                               ["Signatories / الموقعون"]]
    html = path.with_suffix(".html").read_text("utf-8")
    assert '<td lang="en-GB" dir="ltr" data-script="Latn" class="name">113. Syrian Civil ' \
           'Defence (The White Helmets)</td>' in html
    assert '<td lang="ar-SY" dir="rtl" data-script="Arab" class="name">١١٣. الدفاع المدني ' \
           'السوري (الخوذ البيضاء)</td>' in html
    # each paragraph row holds the English on the left and the Arabic on the right
    page = reader.pages[0]
    parts = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: parts.append((tm[4], text))
                      if text.strip() else None)
    english_x = [x for x, t in parts if t.startswith("Russia has announced")]
    arabic_x = [x for x, t in parts if "روسيا" in t]
    assert english_x and arabic_x and max(english_x) < min(arabic_x)


def test_pdfs_are_tagged_for_accessibility(built):
    for name in ("sochi-2018.ar.pdf", "sochi-2018.en.pdf", "sochi-2018.bilingual.pdf"):
        root = PdfReader(built.output_dir / "sochi-2018" / name).trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        assert root["/Lang"] in ("ar-SY", "en-GB")


def test_archival_bleed_and_paper_options(project):
    from pipeline.pdf import PrintOptions

    build(project, languages=["en"], jobs=1, options=PrintOptions("letter", "3mm", True))
    reader = PdfReader(project.output_dir / "sochi-2018" / "sochi-2018.en.pdf")
    page = reader.pages[0]
    bleed = 3 / 25.4 * 72
    assert abs(float(page.trimbox.width) - 612) < 0.5  # US letter, 8.5 in
    assert abs(float(page.mediabox.width) - (612 + 2 * bleed)) < 1 or \
        float(page.mediabox.width) > 612 + 2 * bleed  # bleed and crop-mark margins
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", metadata), metadata[:400]


def test_the_bundle_verifies_and_is_reproducible(project, tmp_path):
    [path] = bundle(project, jobs=1)
    first = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        folder = names[0].split("/")[0]
        assert folder == path.stem
        files = {name.split("/", 1)[1]: archive.read(name) for name in names}
    for expected in ("sochi-2018.en.pdf", "sochi-2018.ar.pdf", "sochi-2018.bilingual.pdf",
                     "html/sochi-2018/sochi-2018.ar.html", "html/_assets/statement.css",
                     "html/_assets/fonts/OFL.txt", "manifest.json", "SHA256SUMS"):
        assert expected in files
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    manifest = json.loads(files["manifest.json"])
    assert manifest["translations"]["ar"]["percent"] == 100.0
    assert manifest["editions"]["ar"]["pages"] == 3
    assert set(manifest["libraries"]) >= {"weasyprint", "babel", "jinja2"}
    path.unlink()
    [again] = bundle(project, jobs=1)
    assert again.read_bytes() == first


def test_no_bundle_while_a_language_is_incomplete(project):
    path = project.catalog_path("ar")
    path.write_text(path.read_text("utf-8").replace('msgstr "الموقعون"', 'msgstr ""'), "utf-8")
    with pytest.raises(PipelineError, match="every language must be complete"):
        bundle(project, jobs=1)
    assert not (project.root / "dist").exists()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is missing")
def test_previews_picture_each_first_page(built, tmp_path):
    pictures = preview(built, tmp_path)
    assert sorted(p.name for p in pictures) == ["sochi-2018.ar.png", "sochi-2018.bilingual.png",
                                                "sochi-2018.en.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pictures)

"""Distribution: the bilingual edition, accessible and archival PDFs, print-shop options, the
release bundle and the previews."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from pipeline.commands.dist import bundle
from pipeline.commands.preview import preview
from pipeline.errors import PipelineError
from pipeline.project import Project

from . import cropmarks, pdfua
from .conftest import LANGUAGES, SMALL, _shared_build
from .helpers import cli, edit, pdf_words, squash

pytestmark = pytest.mark.slow

A4_WIDTH = 595.28


def outline(reader: PdfReader) -> list:
    def titles(items):
        return [titles(item) if isinstance(item, list) else item.title for item in items]
    return titles(reader.outline)


def contents(path: Path) -> dict[str, bytes]:
    """A bundle's files by their name inside its one folder (named after the zip)."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert {name.split("/", 1)[0] for name in names} == {path.stem}
        return {name.split("/", 1)[1]: archive.read(name) for name in names}


def test_the_bilingual_edition_sets_both_languages_side_by_side(built):
    path = built.output_dir / "sochi-2018" / "sochi-2018.bilingual.pdf"
    reader = PdfReader(path)
    assert outline(reader) == ["Sochi Conference Threatens Syria Peace Process / "
                               "مؤتمر سوتشي يهدد عملية السلام في سوريا",
                               ["Signatories / الجهات الموقّعة"]]
    html = path.with_suffix(".html").read_text("utf-8")
    rows = re.findall(r'<td lang="en-GB" dir="ltr"[^>]*class="name">(.*?)</td>\s*'
                      r'<td lang="ar-SY" dir="rtl"[^>]*class="name">(.*?)</td>', html, re.S)
    assert len(rows) == 133
    assert [squash(re.sub("<[^>]+>", "", cell)) for cell in rows[112]] == [
        squash("113. Syrian Civil Defence (The White Helmets)"),
        squash("١١٣. الدفاع المدني السوري (الخوذ البيضاء)")]
    # each paragraph row holds the English on the left and the Arabic on the right
    words = pdf_words(path, 1)
    english = [w for w in words if w[4] in ("Russia", "announced")]
    arabic = [w for w in words if w[4] == "روسيا"[::-1] or w[4] == "أعلنت"[::-1]]
    assert english and arabic
    assert max(w[2] for w in english) < A4_WIDTH / 2 < min(w[0] for w in arabic)
    # the names: the English list on the left, the Arabic on the right, row by row
    last = pdf_words(path, len(reader.pages))
    numbers = [w for w in last if re.fullmatch(r"\d+\.", w[4])]
    arabic_numbers = [w for w in last if re.fullmatch(r"\.?[٠-٩]+\.?", w[4])]
    assert numbers and arabic_numbers
    assert max(w[2] for w in numbers) < A4_WIDTH / 2 < min(w[0] for w in arabic_numbers)


def test_pdfs_are_tagged_for_accessibility(built):
    pdfs = sorted(built.output_dir.glob("*/*.pdf"))
    assert len(pdfs) == 3 * (len(LANGUAGES) + 1)
    tags = {"ar": "ar-SY", "fa": "fa-IR", "fr": "fr-FR"}  # the bilingual edition's is English's
    for path in pdfs:
        root = PdfReader(path).trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], path.name
        expected = tags.get(path.name.split(".")[-2], "en-GB")
        assert root["/Lang"] == expected, path.name


def test_archival_bleed_and_paper_options(small, capsys):
    status, errors = cli(capsys, small, "build", "one-voice-2019", "--lang", "en", "-j1",
                         "--paper", "letter", "--bleed", "3mm", "--archival")
    assert status == 0, errors
    reader = PdfReader(small.output_dir / "one-voice-2019" / "one-voice-2019.en.pdf")
    page = reader.pages[0]
    bleed = 3 / 25.4 * 72
    assert abs(float(page.trimbox.width) - 612) < 0.5  # US letter, 8.5 in
    assert abs(float(page.trimbox.height) - 792) < 0.5
    assert float(page.mediabox.width) >= 612 + 2 * bleed - 0.5  # bleed (and crop-mark margins)
    # the BleedBox is the bleed asked for; the crop marks, in black, lie beyond it, in the slug
    path = small.output_dir / "one-voice-2019" / "one-voice-2019.en.pdf"
    assert [float(v) for v in page.bleedbox] == pytest.approx(
        [-bleed, -bleed, 612 + bleed, 792 + bleed], abs=0.01)
    with pikepdf.open(path) as pdf:
        inks, segments = cropmarks.marks(pdf.pages[0])
    assert inks == ["0 G"] and len(segments) == 8
    dark = cropmarks.dark_pixels(path, 300)
    assert dark["bleed"] == 0 and dark["slug"] >= 8 * 50, dark
    assert pdfua.check(path) == []
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb"pdfaid:part[^0-9]{0,3}3", metadata), metadata[:400]
    state = json.loads((small.output_dir / "one-voice-2019" / ".one-voice-2019.en.state.json"
                        ).read_text("utf-8"))
    assert state["options"]["paper"] == "letter" and state["options"]["bleed"] == "3mm"


def test_the_bundle_verifies_and_is_reproducible(good):
    bundles = bundle(good, ["sochi-2018"], jobs=1)
    [path] = bundles
    assert path.name.startswith("sochi-2018-")
    first = {p.name: p.read_bytes() for p in bundles}
    files = contents(path)
    for expected in ("sochi-2018.en.pdf", "sochi-2018.ar.pdf", "sochi-2018.bilingual.pdf",
                     "sochi-2018.fa.pdf", "sochi-2018.fr.pdf", "html/sochi-2018/sochi-2018.fa.html",
                     "html/sochi-2018/sochi-2018.ar.html", "html/sochi-2018/sochi-2018.en.html",
                     "html/_assets/statement.css", "html/_assets/fonts/OFL.txt", "manifest.json",
                     "SHA256SUMS"):
        assert expected in files, expected
    assert not [name for name in files if name.split("/")[-1].startswith(".")], "no hidden file"
    assert not [name for name in files if name.endswith((".ttf", "print-shop.css"))], \
        "only what a browser reads"
    listed = {}
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
        listed[name] = digest
    assert set(listed) == set(files) - {"SHA256SUMS"}
    for name in ("sochi-2018.en.pdf", "sochi-2018.ar.pdf"):
        assert files[name] == (good.output_dir / "sochi-2018" / name).read_bytes()
    manifest = json.loads(files["manifest.json"])
    assert manifest["statement"] == "sochi-2018" and manifest["date"] == "2018-01-03"
    assert all(manifest["translations"][code]["percent"] == 100.0 for code in LANGUAGES)
    assert manifest["editions"]["ar"]["pages"] == 3
    assert manifest["editions"]["bilingual"]["languages"] == ["en", "ar"]
    assert set(manifest["libraries"]) >= {"weasyprint", "babel", "jinja2"}
    shutil.rmtree(good.dist_dir)
    again = bundle(good, ["sochi-2018"], jobs=1)
    assert {p.name: p.read_bytes() for p in again} == first


def short_built(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Project:
    """A private copy of a build of the two short statements, made once per session."""
    shared = _shared_build(tmp_path_factory, "+".join(SMALL), SMALL)
    shutil.copytree(shared.root, tmp_path / "project", symlinks=True)
    return Project.at(tmp_path / "project")


def test_a_bundle_is_the_same_whether_its_editions_were_just_printed_or_up_to_date(
        tmp_path_factory, tmp_path):
    project = short_built(tmp_path_factory, tmp_path)
    (project.output_dir / "one-voice-2019" / "one-voice-2019.en.pdf").unlink()
    [printed] = bundle(project, ["one-voice-2019"], jobs=1)  # prints the edition, then bundles
    first, manifest = printed.read_bytes(), json.loads(contents(printed)["manifest.json"])
    assert set(manifest["translations"]) == set(LANGUAGES)
    printed.unlink()
    [again] = bundle(project, ["one-voice-2019"], jobs=1)  # up to date, decided from bytes alone
    assert again.name == printed.name
    assert json.loads(contents(again)["manifest.json"]) == manifest
    assert again.read_bytes() == first


def test_dist_names_what_it_prints_and_each_bundle_once(tmp_path_factory, tmp_path, capsys):
    """The editions dist prints for its bundles are not output/'s: its messages never say they
    are, and each zip is named once, with its size."""
    project = short_built(tmp_path_factory, tmp_path)
    before = {p: p.read_bytes() for p in (project.output_dir / "one-voice-2019").iterdir()}
    status, lines = cli(capsys, project, "dist", "one-voice-2019", "-j1")
    assert status == 0, lines
    assert lines[0] == "printing the released editions afresh for dist/ (output/ is left as it is)"
    printed = [line for line in lines if ".pdf: " in line]
    assert printed and all(line.startswith("bundle/one-voice-2019/") for line in printed), lines
    [zipped] = [line for line in lines if ".zip" in line]
    assert re.fullmatch(r"dist/one-voice-2019-[0-9a-f]{10}\.zip: \d+ files, \d+ KB", zipped)
    assert {p: p.read_bytes() for p in (project.output_dir / "one-voice-2019").iterdir()} == before


def test_no_bundle_while_a_released_language_is_incomplete(good, capsys):
    """Baytna Syria signed Ghouta and Sochi: without its Arabic name neither is bundled; the
    statement it did not sign still is, and dist fails naming the others."""
    edit(good, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "بيتنا سوريا"', 'msgstr ""')
    with pytest.raises(PipelineError, match="every released language must be complete") as raised:
        bundle(good, jobs=1)
    assert any("ghouta-2017.ar is not printed" in p.message for p in raised.value.problems)
    assert raised.value.problems[0].message == (
        "no bundle for ghouta-2017, sochi-2018: every released language must be complete for a "
        "release (see below)")
    assert [p.name.split("-")[0:2] for p in good.dist_dir.glob("*.zip")] == [["one", "voice"]]
    status, errors = cli(capsys, good, "dist", "-j1", "-q")
    assert status == 1
    assert errors[0] == raised.value.problems[0].message


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is missing")
def test_previews_picture_each_first_page(tmp_path_factory, tmp_path):
    project = short_built(tmp_path_factory, tmp_path)
    pictures = preview(project, project.root / "previews")
    assert sorted(p.name for p in pictures) == [f"{statement_id}.{variant}.png"
                                                for statement_id in SMALL
                                                for variant in sorted((*LANGUAGES, "bilingual"))]
    assert all(p.parent == project.root / "previews" for p in pictures)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pictures)
    assert len({p.read_bytes() for p in pictures}) == len(pictures)

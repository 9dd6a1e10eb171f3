"""The print-shop edition (`build --print-shop`): PDF/X-1a, text and rules on the black plate
only, crop marks in registration colour, the trim and bleed boxes right. And every edition with
a bleed (`build --bleed 3mm`, `--archival --bleed 3mm`): the same boxes and the same crop marks
beyond the bleed, in black."""

from __future__ import annotations

import hashlib
import re

import pikepdf
import pytest

from pipeline import cropmarks, printshop
from pipeline.commands.build import build
from pipeline.model import PrintOptions
from pipeline.plan import Request
from pipeline.printshop import PROFILES

from . import pdfua, pdfx
from .conftest import LANGUAGES, make_project
from .cropmarks import dark_pixels, marks
from .helpers import cli

pytestmark = pytest.mark.slow
A4 = (595.276, 841.89)
BLEED = 3 / 25.4 * 72  # 3 mm in points
SHOP = PrintOptions(bleed="3mm", print_shop=True)
BLED = {"print-shop": SHOP, "regular": PrintOptions(bleed="3mm"),
        "archival": PrintOptions(bleed="3mm", archival=True)}
"""Every PDF variant, printed with a 3 mm bleed."""


@pytest.fixture(scope="module")
def shop_project(tmp_path_factory):
    """Every edition of the short statement with a list and a link, for the print shop."""
    from .conftest import SMALL

    project = make_project(tmp_path_factory.mktemp("shop") / "project", SMALL)
    report = build(project, Request(("ghouta-2017",), options=SHOP), jobs=1)
    assert not report.refused, [str(e) for e in report.refused]
    return project


@pytest.fixture(scope="module")
def shop(shop_project):
    """The bilingual edition, for the print shop."""
    return shop_project.output_dir / "ghouta-2017" / "ghouta-2017.bilingual.pdf"


@pytest.fixture(scope="module")
def bled_projects(request, tmp_path_factory):
    """The project of each variant printed with a 3 mm bleed (a name of ``BLED``), made when a
    test first asks for it: the print shop's above; for the others, the English, Arabic and
    bilingual editions of the same statement, as PDF/UA-1 (regular) or PDF/A-3a (archival)."""
    made = {}

    def project(variant: str):
        if variant == "print-shop":
            return request.getfixturevalue("shop_project")
        if variant not in made:
            made[variant] = make_project(tmp_path_factory.mktemp(variant) / "project",
                                         ("ghouta-2017",))
            report = build(made[variant], Request(("ghouta-2017",), ("en", "ar"),
                                                  options=BLED[variant]), jobs=1)
            assert not report.refused, [str(e) for e in report.refused]
        return made[variant]

    return project


@pytest.fixture(params=list(BLED))
def bled(request, bled_projects):
    """The bilingual edition of each variant printed with a 3 mm bleed."""
    return bled_projects(request.param).output_dir / "ghouta-2017" / "ghouta-2017.bilingual.pdf"


@pytest.mark.parametrize("variant", [*LANGUAGES, "bilingual"])
def test_every_print_shop_edition_is_tagged_and_passes_the_pdfua_rules(shop_project, variant):
    path = shop_project.output_dir / "ghouta-2017" / f"ghouta-2017.{variant}.pdf"
    assert pdfua.check(path, pdfua.EDITION_SCRIPTS.get(variant, pdfua.DEFAULT_SCRIPTS)) == []
    assert pdfx.problems(str(path)) == []
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf.Root.Metadata.read_bytes()


def test_links_are_text_in_the_print_shop_edition(shop_project):
    """PDF/X allows no annotation on the page: the link's text stays, tagged /Span, and
    nothing refers to the removed annotation (no /Link, no /OBJR, no ParentTree entry)."""
    regular = shop_project.output_dir / "ghouta-2017" / "ghouta-2017.en.html"
    assert 'href="https://undocs.org/' in regular.read_text("utf-8")  # the statement has a link
    with pikepdf.open(shop_project.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf") as pdf:
        kinds = [str(obj.get("/S")) for obj in pdf.objects
                 if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"]
        types = {str(obj.get("/Type")) for obj in pdf.objects
                 if isinstance(obj, pikepdf.Dictionary)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        assert "/Span" in kinds and "/Link" not in kinds
        assert not types & {"/Annot", "/OBJR"}
        assert [int(nums[i]) for i in range(0, len(nums), 2)] == list(range(len(pdf.pages)))
        assert all("/Annots" not in page.obj and "/Tabs" not in page.obj for page in pdf.pages)


def test_colours_are_cmyk_with_k_only_black(shop):
    with pikepdf.open(shop) as pdf:
        for page in pdf.pages:
            operators = [(" ".join(map(str, operands)), str(operator)) for operands, operator
                         in pikepdf.parse_content_stream(page)]
            assert not [o for o in operators if o[1] in ("rg", "RG", "sc", "scn")]
            colours = {o for o in operators if o[1] in ("k", "K")}
            assert ("0 0 0 1", "k") in colours  # the text
            assert all(re.fullmatch(r"0 0 0 [\d.]+", values) for values, _ in colours)


@pytest.mark.parametrize("variant", [name for name in BLED if name != "print-shop"])
@pytest.mark.parametrize("edition", ["en", "ar", "bilingual"])
def test_every_edition_with_a_bleed_passes_the_pdfua_rules(bled_projects, variant, edition):
    """The crop marks are page artifacts: PDF/UA-1 and PDF/A-3a editions stay accessible."""
    path = bled_projects(variant).output_dir / "ghouta-2017" / f"ghouta-2017.{edition}.pdf"
    assert pdfua.check(path, pdfua.EDITION_SCRIPTS.get(edition, pdfua.DEFAULT_SCRIPTS)) == []


def test_crop_marks_are_in_registration_colour(shop):
    with pikepdf.open(shop) as pdf:
        space = pdf.pages[0].Resources.ColorSpace[f"/{cropmarks.REGISTRATION}"]
        assert [str(space[0]), str(space[1]), str(space[2])] == [
            "/Separation", "/All", "/DeviceCMYK"]
        assert list(space[3].C1) == [1, 1, 1, 1] and list(space[3].C0) == [0, 0, 0, 0]
        for page in pdf.pages:
            inks, segments = marks(page)
            assert inks == [f"/{cropmarks.REGISTRATION} CS", "1 SCN"] and len(segments) == 8


@pytest.mark.parametrize("variant", [name for name in BLED if name != "print-shop"])
def test_crop_marks_are_black_on_the_black_plate_without_the_print_shop(bled_projects, variant):
    """DeviceGray black: PDF/A-3 allows it under its output intent (sRGB, which WeasyPrint
    writes), where a /Separation or DeviceCMYK would need a CMYK one."""
    path = bled_projects(variant).output_dir / "ghouta-2017" / "ghouta-2017.bilingual.pdf"
    with pikepdf.open(path) as pdf:
        assert f"/{cropmarks.REGISTRATION}" not in pdf.pages[0].Resources.ColorSpace
        intents = [str(intent.S) for intent in pdf.Root.get("/OutputIntents", [])]
        assert intents == (["/GTS_PDFA1"] if variant == "archival" else [])
        for page in pdf.pages:
            inks, segments = marks(page)
            assert inks == ["0 G"] and len(segments) == 8


def test_boxes_are_a4_with_3mm_bleed_and_a_slug_for_the_marks(bled):
    media_edge = BLEED + cropmarks.MARK_OFFSET + cropmarks.MARK_LENGTH
    with pikepdf.open(bled) as pdf:
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim == pytest.approx([0, 0, *A4], abs=0.01)
            assert bleed == pytest.approx([-BLEED, -BLEED, A4[0] + BLEED, A4[1] + BLEED],
                                          abs=0.01)
            assert media == pytest.approx(
                [-media_edge, -media_edge, A4[0] + media_edge, A4[1] + media_edge], abs=0.01)


def test_crop_marks_are_outside_the_bleed_inside_the_media(bled):
    with pikepdf.open(bled) as pdf:
        for page in pdf.pages:
            b0, v0, b1, v1 = (float(v) for v in page.BleedBox)
            m0, w0, m1, w1 = (float(v) for v in page.MediaBox)
            t0, u0, t1, u1 = (float(v) for v in page.TrimBox)
            _, found = marks(page)
            assert len(found) == 8
            for x0, y0, x1, y1 in found:
                assert all(m0 - 0.01 <= x <= m1 + 0.01 for x in (x0, x1))
                assert all(w0 - 0.01 <= y <= w1 + 0.01 for y in (y0, y1))
                # each mark lies along a trim line and wholly beyond the BleedBox
                if x0 == x1:
                    assert min(abs(x0 - t0), abs(x0 - t1)) < 0.01
                    assert max(y0, y1) <= v0 - 5 or min(y0, y1) >= v1 + 5
                else:
                    assert y0 == y1 and min(abs(y0 - u0), abs(y0 - u1)) < 0.01
                    assert max(x0, x1) <= b0 - 5 or min(x0, x1) >= b1 + 5


def test_rasterised_the_bleed_holds_no_mark(bled):
    """At 300 dpi, the whole MediaBox as poppler draws it: the eight marks in the slug (each
    5 mm of hairline, over 50 pixels), nothing in the bleed, the statement in the trim."""
    dark = dark_pixels(bled, 300)
    assert dark["bleed"] == 0 and dark["slug"] >= 8 * 50 and dark["trim"] > 0, dark


def test_the_rasterised_check_sees_a_mark_in_the_bleed(bled_projects, tmp_path):
    """The check above can fail: a mark drawn as WeasyPrint's ``marks: crop`` draws it, from
    the MediaBox's edge into the bleed, is counted there."""
    path = bled_projects("regular").output_dir / "ghouta-2017" / "ghouta-2017.en.pdf"
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        b0, v0, _, _ = (float(v) for v in page.BleedBox)
        page.contents_add(pdf.make_stream(
            f"/Artifact <</Type /Page>> BDC q 0 G 0.5 w {b0 - 10} 0 m {b0 + 4} 0 l S Q EMC"
            .encode()))
        pdf.save(tmp_path / "mark-in-the-bleed.pdf")
    dark = dark_pixels(tmp_path / "mark-in-the-bleed.pdf", 300)
    assert dark["bleed"] > 0, dark


def test_it_is_pdfx1a_for_fogra39_with_its_profile_embedded(shop):
    assert pdfx.problems(str(shop)) == []
    with pikepdf.open(shop) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.OutputConditionIdentifier == "FOGRA39"
        assert intent.RegistryName == "http://www.color.org"
        assert "ISO 12647-2" in str(intent.OutputCondition)
        assert "FOGRA39L_coated.icc" in str(intent.Info)
        profile = intent.DestOutputProfile.read_bytes()
        assert int(intent.DestOutputProfile.N) == 4
        assert pdf.docinfo.GTS_PDFXVersion == "PDF/X-1a:2003" and pdf.pdf_version == "1.4"
    assert profile == (PROFILES / "FOGRA39L_coated.icc").read_bytes()


def test_the_profile_is_an_open_licensed_cmyk_output_profile_for_fogra39():
    """Unit check of the repository's profile: what a preflight reads in its header and
    description, and the licence beside it."""
    data = (PROFILES / printshop.FOGRA39.profile).read_bytes()
    assert int.from_bytes(data[:4], "big") == len(data) and data[36:40] == b"acsp"
    assert (data[8], data[12:16], data[16:20], data[20:24]) == (2, b"prtr", b"CMYK", b"Lab ")
    tags = {data[132 + 12 * i:136 + 12 * i]: int.from_bytes(data[136 + 12 * i:140 + 12 * i], "big")
            for i in range(int.from_bytes(data[128:132], "big"))}
    assert {b"A2B0", b"B2A0", b"B2A1", b"B2A2", b"gamt", b"wtpt"} <= set(tags)
    assert b"FOGRA39L Coated" in data[tags[b"desc"]:tags[b"desc"] + 40]
    assert b"CC0 1.0" in data[tags[b"cprt"]:tags[b"cprt"] + 40]
    assert "CC0 1.0 Universal" in (PROFILES / "LICENSE").read_text("utf-8")
    assert "FOGRA39L_coated.icc" in (PROFILES / "README.md").read_text("utf-8")


def test_a_colour_the_print_shop_stylesheet_does_not_know_fails_the_build(small, capsys):
    css = small.templates_dir / "statement.css"
    css.write_text(css.read_text("utf-8") + "\n.date { color: #0055aa; }\n", "utf-8")
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--lang", "en", "--print-shop",
                        "-j1")
    assert status == 1
    assert any(line.startswith("templates/print-shop.css: not printable as PDF/X-1a with K-only "
                               "black: ") and " rg" in line for line in lines), lines


def test_a_draft_is_not_for_a_print_shop(small, capsys):
    status, lines = cli(capsys, small, "build", "--draft", "--print-shop")
    assert status == 1 and lines == ["a draft is not for a print shop: print the draft without "
                                     "--print-shop, or the release without --draft"]


def subsets(path) -> dict[str, set[str]]:
    """Each embedded font's /BaseFont (subset tag and name) with the SHA-256 of its font file."""
    found: dict[str, set[str]] = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                stream = next(obj[key] for key in ("/FontFile", "/FontFile2", "/FontFile3")
                              if key in obj)
                found.setdefault(str(obj.FontName), set()).add(
                    hashlib.sha256(stream.read_bytes()).hexdigest())
    return found


def test_no_two_different_font_subsets_share_a_name_across_the_editions(built, shop_project):
    """A print shop merging editions (or a RIP caching fonts by name) takes two subsets of one
    name for the same font: every regular and print-shop PDF of the fixture project, each
    subset's name stands for one content."""
    names: dict[str, set[str]] = {}
    paths = sorted(built.output_dir.glob("*/*.pdf")) + sorted(
        shop_project.output_dir.glob("*/*.pdf"))
    assert len(paths) >= 20
    for path in paths:
        for name, digests in subsets(path).items():
            names.setdefault(name, set()).update(digests)
    assert {name: d for name, d in names.items() if len(d) > 1} == {}
    # the test means something: one font has many subsets, so many names
    serif = [name for name in names if name.endswith("+Edition-Serif")]
    assert len(serif) >= 5 and all(re.fullmatch(r"/[A-Z]{6}\+Edition-Serif", n) for n in serif)

"""What a page says to the sites it is shared on and to search engines: its description,
canonical address (with the ``site-url`` setting), language alternates, Open Graph and Twitter
cards, the share image the build draws for each edition (1200×630, in the edition's language
and direction), and the links to its PDF, the bilingual edition (when the plan says it is there)
and the index."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.commands.build import build, render
from pipeline.errors import PipelineError
from pipeline.model import BILINGUAL, Target
from pipeline.parse import parse
from pipeline.plan import DEFAULT_REQUEST, Request, make_plan
from pipeline.project import Project
from pipeline.render import Web, description
from pipeline.settings import parse_settings
from pipeline.snapshot import catalog_languages, take
from pipeline.state import read_published_editions

from .helpers import edit


class Head(HTMLParser):
    """A page's ``<meta>`` and ``<link>`` elements, and the links of its language switcher."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.nav: list[str] = []
        self.title = ""
        self._in_nav = self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("name" in found or "property" in found):
            self.meta[found.get("name") or found["property"]] = found.get("content", "")
        elif tag == "link":
            self.links.append(found)
        elif tag == "nav":
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.nav.append(found.get("href", ""))
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def rel(self, rel: str) -> list[dict[str, str]]:
        return [link for link in self.links if link.get("rel") == rel]


def head_of(html: str) -> Head:
    parsed = Head()
    parsed.feed(html)
    return parsed


# --- the setting ---------------------------------------------------------------------------------

def test_site_url_is_optional_and_always_ends_with_a_slash():
    assert parse_settings(b"[tool.pipeline]\n").site_url is None
    settings = parse_settings(b'[tool.pipeline]\nsite-url = "https://example.org/statements"\n')
    assert settings.site_url == "https://example.org/statements/"


@pytest.mark.parametrize("value, why", [
    ('"ftp://example.org/"', "does not start with https:// or http://"),
    ('"example.org/statements"', "does not start with https:// or http://"),
    ('"https://example.org/?page=1"', "a query or a fragment"),
    ('"https://example.org/#top"', "a query or a fragment"),
    ('"https://example.org/a b"', "a space"),
    ("42", "must be an http:// or https:// address"),
])
def test_a_bad_site_url_is_one_clear_line(value, why):
    with pytest.raises(PipelineError) as caught:
        parse_settings(f"[tool.pipeline]\nsite-url = {value}\n".encode())
    message = str(caught.value)
    assert message.startswith("pyproject.toml:2: [tool.pipeline] site-url must be") and why in message
    assert "\n" not in message


# --- descriptions and addresses -----------------------------------------------------------------

def test_a_description_is_the_first_paragraph_cut_at_a_word():
    text = "Word " * 60
    cut = description(text)
    assert len(cut) <= 160 and cut.endswith("Word…") and "  " not in cut
    assert description("Short.\n  Two  lines.") == "Short. Two lines."
    arabic = "\u2068LDSPS\u2069 " + "كلمة " * 50
    assert "\u2068" not in description(arabic) and description(arabic).endswith("كلمة…")


def test_addresses_are_absolute_with_a_site_url_and_as_written_without():
    web = Web("sochi-2018/sochi-2018.en.html", "https://example.org/s/", image="sochi-2018.en.png")
    assert web.canonical == "https://example.org/s/sochi-2018/sochi-2018.en.html"
    assert web.absolute("sochi-2018.ar.html") == "https://example.org/s/sochi-2018/sochi-2018.ar.html"
    assert web.absolute("../index.html") == "https://example.org/s/index.html"
    bare = Web("sochi-2018/sochi-2018.en.html")
    assert bare.canonical is None and bare.absolute("sochi-2018.ar.html") == "sochi-2018.ar.html"


# --- the planner decides the bilingual link -----------------------------------------------------

def plan_of(project: Project, request: Request = DEFAULT_REQUEST):
    parsed = parse(take(project), tuple(catalog_languages(project)))
    published = read_published_editions(project.output_dir, project.output_dir / "drafts")
    return parsed, make_plan(parsed, request, published)


def test_a_page_links_the_bilingual_edition_only_when_it_is_there(small):
    _, plan = plan_of(small)
    singles = [e for e in plan.editions if e.target.variant != BILINGUAL]
    assert singles and all(e.bilingual == f"{e.target.statement_id}.bilingual.html"
                           for e in singles)
    assert all(e.index == "../index.html" for e in plan.editions)
    # English alone, nothing in output/: no bilingual edition once the build is done.
    _, plan = plan_of(small, Request(languages=("en",)))
    assert plan.editions and all(e.bilingual is None for e in plan.editions)
    # A bundle of its own links no index (it holds none).
    _, plan = plan_of(small, Request(self_contained=True))
    assert all(e.index is None and e.pdf == f"../../{e.target.name}.pdf" for e in plan.editions)
    # No bilingual edition in the settings: none linked.
    edit(small, "pyproject.toml", 'bilingual = ["en", "ar"]\n', "")
    _, plan = plan_of(Project.at(small.root))
    assert plan.editions and all(e.bilingual is None for e in plan.editions)


SITE_URL = "https://example.org/statements/"
"""The fixture project's ``site-url``."""


def test_the_rendered_page_carries_the_planners_links_and_absolute_addresses(small):
    parsed, plan = plan_of(small)
    edition = next(e for e in plan.editions if e.target == Target("ghouta-2017", "ar"))
    head = head_of(render(parsed.snapshot, edition, parsed.catalogs).html)
    page = f"{SITE_URL}ghouta-2017/ghouta-2017.ar.html"
    assert head.rel("canonical") == [{"rel": "canonical", "href": page}]
    assert head.meta["og:url"] == page
    assert head.meta["og:image"] == "https://example.org/statements/ghouta-2017/ghouta-2017.ar.png"
    assert {(a["hreflang"], a["href"]) for a in head.rel("alternate")} == {
        ("ar-SY", page), ("en-GB", page.replace(".ar.", ".en.")),
        ("fa-IR", page.replace(".ar.", ".fa.")), ("fr-FR", page.replace(".ar.", ".fr."))}
    assert head.meta["og:locale"] == "ar_SY"
    assert head.nav[-3:] == ["ghouta-2017.bilingual.html", "ghouta-2017.ar.pdf", "../index.html"]


def test_without_a_site_url_a_page_names_no_address_for_other_sites_and_the_build_says_so(small):
    edit(small, "pyproject.toml", f'site-url = "{SITE_URL}"', "")
    parsed, plan = plan_of(Project.at(small.root))
    edition = next(e for e in plan.editions if e.target == Target("ghouta-2017", "ar"))
    head = head_of(render(parsed.snapshot, edition, parsed.catalogs).html)
    assert head.rel("canonical") == [] and "og:url" not in head.meta
    assert "og:image" not in head.meta and "twitter:image" not in head.meta
    assert head.meta["twitter:card"] == "summary"
    assert head.rel("alternate") == []
    assert "ghouta-2017.en.html" in head.nav, "the reader's links stay, relative"
    assert any("no site-url" in note for note in plan.notes)


# --- what the build publishes -------------------------------------------------------------------

def pages_of(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "drafts" not in p.parts)


@pytest.mark.slow
def test_every_page_carries_its_title_description_alternates_and_cards(built):
    pages = pages_of(built.output_dir)
    assert len(pages) == 3 * 5 + 1  # three statements in four languages and bilingual, the index
    for page in pages:
        name = page.relative_to(built.output_dir).as_posix()
        head = head_of(page.read_text("utf-8"))
        assert head.title.strip() and head.meta["og:title"] == head.title.strip(), name
        assert 40 <= len(head.meta["description"]) <= 161, name
        assert head.meta["og:description"] == head.meta["description"], name
        assert head.meta["og:locale"] and head.meta["og:type"] in ("article", "website"), name
        address = SITE_URL + ("" if name == "index.html" else name)
        assert head.rel("canonical") == [{"rel": "canonical", "href": address}], name
        assert head.meta["og:url"] == address, name
        assert [link["href"] for link in head.rel("icon")] == [
            "_assets/favicon.svg" if name == "index.html" else "../_assets/favicon.svg"], name
        if name == "index.html":
            assert head.meta["twitter:card"] == "summary"
            continue
        statement_id, variant = page.stem.split(".")
        assert head.meta["og:type"] == "article"
        assert head.meta["twitter:card"] == "summary_large_image", name
        folder = f"{SITE_URL}{statement_id}/"
        assert head.meta["og:image"] == f"{folder}{statement_id}.{variant}.png", name
        assert (page.parent / head.meta["og:image"].removeprefix(folder)).is_file(), name
        alternates = {a["hreflang"]: a["href"] for a in head.rel("alternate")}
        tags = ("en-GB", "ar-SY") if variant == BILINGUAL else ("en-GB", "ar-SY", "fa-IR", "fr-FR")
        assert alternates == {tag: f"{folder}{statement_id}.{tag[:2]}.html" for tag in tags}, name
        for href in head.nav:
            assert (page.parent / href).is_file(), f"{name} links {href}, which is not there"
        assert f"{statement_id}.{variant}.pdf" in head.nav and "../index.html" in head.nav, name
        if variant != BILINGUAL:
            assert f"{statement_id}.bilingual.html" in head.nav, name


def lines_of_ink(png: bytes) -> list[tuple[int, int]]:
    """Each line of text on a card (a band of rows with dark pixels, below the top band): its
    first and last columns with ink."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (1200, 630)
    pixels = image.load()
    lines: list[tuple[int, int]] = []
    inside = False
    for y in range(30, 630):
        ink = [x for x in range(1200) if pixels[x, y] < 110]
        if ink and not inside:
            lines.append((ink[0], ink[-1]))
        elif ink:
            lines[-1] = (min(lines[-1][0], ink[0]), max(lines[-1][1], ink[-1]))
        inside = bool(ink)
    return [(first, last) for first, last in lines if last - first > 120]  # not a lone dot


@pytest.mark.slow
def test_the_share_image_is_1200_by_630_in_the_editions_direction(built):
    folder = built.output_dir / "sochi-2018"
    english = lines_of_ink((folder / "sochi-2018.en.png").read_bytes())
    arabic = lines_of_ink((folder / "sochi-2018.ar.png").read_bytes())
    assert len(english) >= 3 and len(arabic) >= 3  # the issuer, the title, the date
    # Left to right, every line starts at the left margin; right to left, at the right one,
    # and the short lines (the issuer, the date) end far from the other side.
    assert all(60 <= first <= 85 for first, _ in english), english
    assert all(1115 <= last <= 1140 for _, last in arabic), arabic
    assert max(last for _, last in english[-1:]) < 600 and min(arabic[-1][0], arabic[0][0]) > 600
    both = lines_of_ink((folder / "sochi-2018.bilingual.png").read_bytes())
    assert min(first for first, _ in both) < 85 and max(last for _, last in both) > 1115


@pytest.mark.slow
def test_the_share_image_is_published_with_its_edition(built):
    published = read_published_editions(built.output_dir, built.output_dir / "drafts")
    for target, state in published.states.items():
        path = target.paths(built.output_dir)["png"]
        assert path.is_file() and re.fullmatch(r"[0-9a-f]{64}", state.files["png"]), target
        assert target in published.intact


def test_a_long_title_is_set_smaller_and_a_very_long_one_cut_at_a_word():
    from pipeline.share import title_size

    assert title_size("Sochi Conference Threatens Syria Peace Process", 1) == (
        64, "Sochi Conference Threatens Syria Peace Process")
    long = "Open Letter to the Members of the Security Council " * 4
    size, shown = title_size(long, 2)
    assert size < 44 and shown == long
    size, shown = title_size(long * 3, 2)
    assert size == 26 and shown.endswith("…") and len(shown) < len(long * 3)
    assert (long * 3).startswith(shown[:-1]) and not shown[:-1].endswith(" ")


@pytest.mark.slow
def test_a_reprint_takes_the_share_image_it_would_draw_again(small, monkeypatch):
    """An edit the card does not show (a paragraph) reprints the PDF and takes the image as it
    is; an edit it shows (the title), or an image that is not as recorded, draws it anew."""
    import pipeline.pdf

    from .conftest import build_or_fail

    build_or_fail(small, jobs=1)
    drawn: list[str] = []
    draw = pipeline.pdf.print_card  # (what printing calls, here: one job, no worker)
    monkeypatch.setattr(pipeline.pdf, "print_card",
                        lambda job: drawn.append(job.name) or draw(job))
    folder = small.output_dir / "ghouta-2017"
    image = (folder / "ghouta-2017.en.png").read_bytes()
    edit(small, "sources/ghouta-2017.yaml", "running out", "running low")
    report = build(small, Request(statement_ids=("ghouta-2017",), languages=("en",)), jobs=1)
    assert [p.target.name for p in report.printed] == ["ghouta-2017.en"] and drawn == []
    assert (folder / "ghouta-2017.en.png").read_bytes() == image
    states = read_published_editions(small.output_dir, small.output_dir / "drafts").states
    assert states[Target("ghouta-2017", "en")].card  # the next reprint can take it again

    (folder / "ghouta-2017.en.png").write_bytes(image[:-8])  # not as recorded: drawn anew
    edit(small, "sources/ghouta-2017.yaml", "running low", "running out")
    build(small, Request(statement_ids=("ghouta-2017",), languages=("en",)), jobs=1)
    assert drawn == ["ghouta-2017.en"] and (folder / "ghouta-2017.en.png").read_bytes() == image

    edit(small, "sources/ghouta-2017.yaml", "End the Siege", "Lift the Siege")
    build(small, Request(statement_ids=("ghouta-2017",), languages=("en",)), jobs=1)
    assert drawn == ["ghouta-2017.en"] * 2
    assert (folder / "ghouta-2017.en.png").read_bytes() != image


def rows_of_ink(png: bytes, left: int, right: int) -> list[tuple[int, int]]:
    """The blocks of ink between columns ``left`` and ``right``, below the top band: each one's
    first and last row (rows up to 10 apart, the lines of a paragraph, are one block)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    pixels = image.load()
    bands: list[tuple[int, int]] = []
    for y in range(30, image.size[1]):
        if any(pixels[x, y] < 160 for x in range(left, right)):
            if bands and bands[-1][1] >= y - 10:
                bands[-1] = (bands[-1][0], y)
            else:
                bands.append((y, y))
    return bands


@pytest.mark.slow
def test_an_issuer_that_wraps_keeps_its_distance_from_the_title():
    """On the bilingual card an issuer of two lines ran into the title (WeasyPrint's flex
    column gave it the height of one line): its lines, the title's and the date's stay apart."""
    from weasyprint import HTML

    from pipeline.fetcher import folder_url
    from pipeline.share import CardSide, card_html, rasterise

    from .conftest import ROOT

    assets = folder_url(ROOT / "templates")
    sides = [CardSide("Stop the Forced Return of Syrian Refugees", "20 June 2026",
                      "Coalition of Syrian Civil Society Organisations", "en", "ltr", "Latn"),
             CardSide("أوقفوا الإعادة القسرية للاجئين السوريين", "٢٠ حزيران ٢٠٢٦",
                      "ائتلاف منظمات المجتمع المدني السوري في المهجر والداخل السوري", "ar", "rtl",
                      "Arab")]
    png = rasterise(HTML(string=card_html(sides, assets), base_url=assets).write_pdf())
    for left, right in ((60, 580), (620, 1140)):
        bands = rows_of_ink(png, left, right)
        issuer, title, date = bands[0], bands[1:-1], bands[-1]
        assert 45 < issuer[1] - issuer[0] < 75, bands  # two lines of 26 px, 34 px apart (alone)
        assert title and title[0][0] - issuer[1] >= 24, bands
        assert date[0] - title[-1][1] >= 24 and date[1] < 600, bands


def drawn_card(sides: list) -> bytes:
    from weasyprint import HTML

    from pipeline.fetcher import folder_url
    from pipeline.share import card_html, rasterise

    from .conftest import ROOT

    assets = folder_url(ROOT / "templates")
    return rasterise(HTML(string=card_html(sides, assets), base_url=assets).write_pdf())


@pytest.mark.slow
def test_an_issuer_cut_after_two_lines_shows_nothing_of_its_third():
    """An Arabic issuer of three lines shows two, and not a speck of the third: the tops of its
    tall letters (alef, lam, hamza) reach above its line, into the two shown (cut at a height,
    a row of pixels of them showed under the second line)."""
    from pipeline.share import CardSide

    english = CardSide("Stop", "20 June 2026", "Coalition", "en", "ltr", "Latn")
    two = ("الهيئة السورية المستقلة لمتابعة أوضاع اللاجئين والنازحين داخلياً والعائدين قسراً من "
           "دول الجوار")

    def card(issuer: str) -> bytes:
        return drawn_card([english, CardSide("أوقفوا", "٢٠ حزيران ٢٠٢٦", issuer, "ar", "rtl",
                                             "Arab")])

    assert card(f"{two} ألف إلى لأجل أوروبا") == card(two)


@pytest.mark.slow
def test_a_title_of_one_enormous_word_wraps_within_its_side():
    """A title (or issuer) of one word longer than its side's width (a hashtag, an address) is
    broken where it reaches the edge, in either direction, not cut off there."""
    from pipeline.share import CardSide

    word = "#StopTheForcedReturnOfSyrianRefugeesToUnsafeAreasNow"
    png = drawn_card([CardSide(word * 2, "20 June 2026", "", "en", "ltr", "Latn"),
                      CardSide("ا" * 120, "٢٠ حزيران ٢٠٢٦", "", "ar", "rtl", "Arab")])
    for left, right in ((60, 580), (620, 1140)):
        title = rows_of_ink(png, left, right)[:-1]  # (the date last; no issuer)
        assert title[-1][1] - title[0][0] > 100, (left, title)  # three lines or more, not one


@pytest.mark.slow
def test_a_title_too_long_for_its_side_ends_at_a_whole_line(monkeypatch):
    """A title that still overflows its side once set smaller (capitals are wider than the
    estimate) ends at its last whole line: the side's head, which hides what overflows it,
    cut the next line through its letters (the bilingual card's «RETURN», its foot cut off,
    above the date)."""
    from pipeline import share
    from pipeline.share import CardSide

    words = "STOP THE FORCED RETURN OF SYRIAN REFUGEES AND FREE ALL DETAINEES NOW".split() * 3
    sides = [CardSide(" ".join(words[:16]), "20 June 2026", "Coalition of Syrian Civil Society "
                      "Organisations in Exile and at Home", "en", "ltr", "Latn"),
             CardSide("أوقفوا", "٢٠ حزيران ٢٠٢٦", "ائتلاف", "ar", "rtl", "Arab")]
    hidden = drawn_card(sides)
    shown = share.CARD_CSS.replace("bottom: 120px;\n        overflow: hidden;",
                                   "bottom: 120px;\n        overflow: visible;")
    assert shown != share.CARD_CSS
    monkeypatch.setattr(share, "CARD_CSS", shown)
    assert drawn_card(sides) == hidden  # nothing the head hides


def test_a_card_is_drawn_again_when_the_libraries_that_rasterise_it_change(tmp_path, monkeypatch):
    """PDFium (pypdfium2) and Pillow draw the PNG, not the PDF: their versions are part of a
    card's key (``drawing_tools``), not of the toolchain's, which would reprint every PDF."""
    import importlib.machinery
    import importlib.util

    from pipeline import share

    folders = {name: tmp_path / name for name in ("pypdfium2", "pypdfium2_raw", "PIL")}
    for folder in folders.values():
        folder.mkdir()
    (folders["pypdfium2"] / "version.json").write_text('{"major": 5}')
    (folders["pypdfium2_raw"] / "version.json").write_text('{"build": 7000}')
    (folders["PIL"] / "_version.py").write_text('__version__ = "11.0.0"')

    def find_spec(name):
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(folders[name])]
        return spec

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    share.drawing_tools.cache_clear()
    try:
        before = share.drawing_tools()
        (folders["PIL"] / "_version.py").write_text('__version__ = "12.0.0"')
        share.drawing_tools.cache_clear()
        assert share.drawing_tools() != before
        (folders["PIL"] / "_version.py").write_text('__version__ = "11.0.0"')
        share.drawing_tools.cache_clear()
        assert share.drawing_tools() == before
    finally:
        share.drawing_tools.cache_clear()

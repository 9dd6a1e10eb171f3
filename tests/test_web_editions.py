"""The web editions as a reviewer checks them, on the session's shared build served as a web
server would serve ``output/``: valid HTML and CSS (the Nu HTML Checker), no axe-core violation
(WCAG 2.0 and 2.1, A and AA, and axe's best practices) at a phone's, a tablet's and a desktop's
width, no sideways scrolling at 320 px (WCAG 1.4.10), a type scale of the screen's own, and
fonts that weigh what a web page should; and, on every page of the fixture project (the index
and each statement's editions in every language and bilingual), no pa11y error (WCAG 2 AA) and
Lighthouse's 100 in accessibility, best practices and SEO.

The pages: the index and every edition of Sochi (a long list of names) and of Ghouta (a link, a
list, emphasis, a name written in Arabic): English, Arabic, Persian, French and bilingual. One
Chromium for the module (per pytest-xdist worker), one tab taken from page to page, one run of the
Nu HTML Checker for every page. The
tools come from ``make test`` (``npm ci`` and ``tools/system-packages browser``); without them
these tests skip, naming what to install (and fail where ``WEBCHECK_REQUIRED`` is set, as in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import webcheck
from .conftest import LANGUAGES, STATEMENTS
from .webcheck import Tab

pytestmark = pytest.mark.slow

EDITIONS = [f"{statement}/{statement}.{variant}.html"
            for statement in ("sochi-2018", "ghouta-2017")
            for variant in (*LANGUAGES, "bilingual")]
PAGES = ["index.html", *EDITIONS]
FONT_BUDGET = 150_000
"""Bytes of web fonts a first visit to a page may download (the full fonts were 1.4 MB)."""
SMALLEST_TEXT = 14
"""CSS pixels: no text on screen is smaller (the colophon is 0.875rem of 17 px, 14.9 px)."""


@pytest.fixture(scope="module")
def site(built) -> Iterator[str]:
    """The shared build's output folder on a loopback port."""
    with webcheck.serve(built.output_dir) as base:
        yield base


@pytest.fixture(scope="module")
def tab() -> Iterator[Tab]:
    webcheck.need("chromium")
    with webcheck.chromium() as browser:
        opened = Tab(browser)
        yield opened
        opened.close()


def published_pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "drafts" not in p.relative_to(output).parts)


def test_the_nu_html_checker_finds_no_error_and_no_warning(built):
    """Every published page and both stylesheets the pages link, in one run of vnu. Only the
    paged-media properties vnu does not know (``bookmark-*``, in the stylesheet) are set aside,
    by their exact messages; the pages themselves hold nothing vnu does not know."""
    webcheck.need("java", "vnu")
    pages = published_pages(built.output_dir)
    assert {p.relative_to(built.output_dir).as_posix() for p in pages} >= set(PAGES)
    assets = built.output_dir / "_assets"
    report = webcheck.vnu([*pages, assets / "statement.css", assets / "webfonts.css"])
    assert not report.errors, "\n".join(webcheck.describe_vnu(m) for m in report.errors)
    assert not report.warnings, "\n".join(webcheck.describe_vnu(m) for m in report.warnings)


@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violation_at_any_width(tab, site, page):
    webcheck.need("axe")
    opened = tab.visit(f"{site}/{page}", webcheck.WIDTHS[-1])
    found = webcheck.axe(opened, webcheck.WIDTHS[::-1])
    assert not any(found.values()), "\n".join(
        f"{width} px: {webcheck.describe_axe(v)}" for width, violations in found.items()
        for v in violations)


@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_at_320_px(tab, site, page):
    opened = tab.visit(f"{site}/{page}", 320)
    assert not webcheck.scrolls_sideways(opened), webcheck.overflowing(opened)[:5]


@pytest.mark.parametrize("width", [1280, 768])
def test_the_index_table_fits_its_page_and_gives_each_title_room(tab, site, width):
    """At a desktop's and a tablet's width the editions table stays inside the page and no title
    is squeezed to a few letters a line (the label of the bilingual row, in every language, once
    took the whole width and ran under the next cell)."""
    opened = tab.visit(f"{site}/index.html", width)
    boxes = opened.evaluate("""() => {
      const main = document.querySelector('main').getBoundingClientRect();
      return [...document.querySelectorAll('.editions')].map(table => {
        const box = table.getBoundingClientRect();
        const titles = [...table.querySelectorAll('td:not(.files)')]
          .map(cell => cell.getBoundingClientRect().width);
        return [box.left >= main.left && box.right <= main.right, Math.min(...titles)]; }); }""")
    assert boxes and all(inside for inside, _ in boxes), boxes
    assert min(narrowest for _, narrowest in boxes) > 200, boxes


# What each kind of page sets in its running text and its second-level headings.
BODY = {"index": ".editions td", "edition": ".body p", "bilingual": ".paragraph .cell p"}
HEADING = {"index": "h2", "edition": "h2", "bilingual": "th [role=heading]"}  # no h2 in a th


@pytest.mark.parametrize("page", PAGES)
def test_the_screen_has_a_type_scale_of_its_own(tab, site, page):
    """The print sizes (pt) never reach the screen: the title is larger than the headings, the
    headings than the running text, and no text is smaller than 14 px, at a desktop's width and
    at a phone's."""
    kind = ("index" if page == "index.html" else
            "bilingual" if page.endswith(".bilingual.html") else "edition")
    for width in (1280, 320):
        opened = tab.visit(f"{site}/{page}", width)
        sizes = webcheck.computed_sizes(opened, ["h1", HEADING[kind], BODY[kind]])
        assert sizes["h1"] > sizes[HEADING[kind]] > sizes[BODY[kind]], (width, sizes)
        smallest, text = webcheck.smallest_text(opened)
        assert smallest >= SMALLEST_TEXT, f"{width} px: {smallest} px for {text!r}"


def test_arabic_is_set_a_step_larger_than_latin(tab, site):
    """Naskh looks smaller than Noto Serif at the same size: the editions in the Arabic script
    (Arabic, Persian) and the Arabic column of the bilingual one are set larger."""
    sizes = {}
    for code in LANGUAGES:
        opened = tab.visit(f"{site}/sochi-2018/sochi-2018.{code}.html", 1280)
        sizes[code] = webcheck.computed_sizes(opened, [".body p", "h2", ".signatories li"])
    for arabic_script in ("ar", "fa"):
        for latin in ("en", "fr"):
            assert all(sizes[arabic_script][key] > sizes[latin][key] for key in sizes[latin]), sizes
    opened = tab.visit(f"{site}/sochi-2018/sochi-2018.bilingual.html", 1280)
    both = webcheck.computed_sizes(opened, [".paragraph .cell[data-script=Latn] p",
                                            ".paragraph .cell[data-script=Arab] p"])
    assert both[".paragraph .cell[data-script=Arab] p"] > both[".paragraph .cell[data-script=Latn] p"]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_downloads_only_small_web_fonts(tab, site, page):
    """The bytes Chromium downloads for a first visit: WOFF2 subsets under the budget, never the
    full TrueType fonts the print stylesheet names."""
    downloaded = webcheck.downloads(tab.visit(f"{site}/{page}", 1280))
    assert downloaded.of([".ttf", ".otf"]) == 0, downloaded.sizes
    assert 0 < downloaded.of([".woff2"]) < FONT_BUDGET, downloaded.sizes


@pytest.mark.parametrize("page", PAGES)
def test_printing_a_page_in_the_browser_downloads_the_same_subsets(tab, site, page):
    """A browser printing a page uses the WOFF2 subsets it shows on screen: the published
    stylesheet declares no full font, not even for print."""
    tab.page.emulate_media(media="print")
    try:
        downloaded = webcheck.downloads(tab.visit(f"{site}/{page}", 1280))
    finally:
        tab.page.emulate_media(media="screen")
    assert downloaded.of([".ttf", ".otf"]) == 0, downloaded.sizes
    assert 0 < downloaded.of([".woff2"]) < FONT_BUDGET, downloaded.sizes


@pytest.mark.parametrize("statement", ["sochi-2018", "ghouta-2017"])
def test_the_bilingual_edition_links_each_language_and_the_index_links_it(tab, site, statement):
    opened = tab.visit(f"{site}/{statement}/{statement}.bilingual.html", 1280)
    links = opened.evaluate("[...document.querySelectorAll('nav.languages a')]"
                            ".map(a => [a.getAttribute('href'), a.getAttribute('aria-current')])")
    assert links == [[f"{statement}.en.html", None], [f"{statement}.ar.html", None],
                     [f"{statement}.bilingual.html", "page"], [f"{statement}.bilingual.pdf", None],
                     ["../index.html", None]]
    opened = tab.visit(f"{site}/index.html", 1280)
    hrefs = opened.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    assert f"{statement}/{statement}.bilingual.html" in hrefs


# --- pa11y and Lighthouse, on every page of the fixture project ---------------------------------

EVERY_PAGE = ["index.html", *(f"{statement}/{statement}.{variant}.html"
                              for statement in STATEMENTS for variant in (*LANGUAGES, "bilingual"))]


def every_page(built, site: str) -> list[str]:
    """The address of every published page, which must be exactly ``EVERY_PAGE``: a page the
    build adds is audited too, or this fails and says which."""
    published = [p.relative_to(built.output_dir).as_posix()
                 for p in published_pages(built.output_dir)]
    assert sorted(published) == sorted(EVERY_PAGE)
    return [f"{site}/{page}" for page in EVERY_PAGE]


def test_pa11y_finds_no_error_on_any_page(built, site):
    """pa11y's WCAG 2 AA, with both its runners (HTML_CodeSniffer and axe, whose "needs review"
    results pa11y counts as errors too), in one Chromium for every page."""
    webcheck.need("pa11y")
    report = webcheck.audit(every_page(built, site), site, lighthouse=False)
    assert not report.outside, report.outside
    found = [f"{url.removeprefix(site)}: {webcheck.describe_pa11y(issue)}"
             for url, page in report.pages.items() for issue in page.pa11y]
    assert not found, "\n".join(found)
    assert len(report.pages) == len(EVERY_PAGE)


def test_the_audit_reports_what_pa11y_finds_and_what_a_page_asks_of_other_hosts(tmp_path):
    """The harness itself, on a page with two faults: pa11y's errors come back, from both
    runners, and a request to another host is refused and reported (nothing leaves the machine)."""
    webcheck.need("pa11y")
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title></head><body>'
        '<img src="https://example.com/a.png"></body></html>', "utf-8")
    with webcheck.serve(tmp_path) as base:
        report = webcheck.audit([f"{base}/bad.html"], base, lighthouse=False)
    issues = report.pages[f"{base}/bad.html"].pa11y
    assert {issue["runner"] for issue in issues} == {"htmlcs", "axe"}, issues
    assert any("H37" in issue["code"] for issue in issues)  # HTML_CodeSniffer: img without alt
    assert any(issue["code"] == "image-alt" for issue in issues)
    assert report.outside == ["https://example.com/a.png"]


def test_lighthouse_scores_100_in_accessibility_best_practices_and_seo_on_every_page(built, site):
    """Lighthouse as a phone loads each page (its default), over HTTP as a web server serves it
    (the SEO audits need HTTP), the fixture's site-url giving absolute canonical and alternate
    addresses. Every scored audit of the three categories passes, so each scores 1."""
    webcheck.need("lighthouse")
    report = webcheck.audit(every_page(built, site), site, pa11y=False)
    assert not report.outside, report.outside
    found = [f"{url.removeprefix(site)}: {webcheck.describe_lighthouse(failed)}"
             for url, page in report.pages.items() for failed in page.failed]
    assert not found, "\n".join(found)
    for url, page in report.pages.items():
        assert page.scores == dict.fromkeys(webcheck.LIGHTHOUSE_CATEGORIES, 1), url
        assert page.requests and all(r.startswith(f"{site}/") for r in page.requests), url
    assert len(report.pages) == len(EVERY_PAGE)

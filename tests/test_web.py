"""The web editions in a real browser (Debian's Chromium driven by Playwright), served from the
session's shared build as a web server would serve `output/`: direction, no horizontal overflow
on a phone or a desktop, the repository's fonts actually used, the links between editions.

Never `playwright install`: the system's Chromium is used, or the tests are skipped.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.is_file(), reason="no Chromium at /usr/bin/chromium: "
                                 "install Debian's chromium (tools/system-packages browser)")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built):
    """The output folder served on the loopback address."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built.output_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400
            else None)
    page.goto(url, wait_until="load")
    assert page.evaluate("document.fonts.ready.then(fonts => fonts.status)") == "loaded"
    assert not failed, f"{url} could not load {failed}"
    return page


PAGES = ["sochi-2018/sochi-2018.ar.html", "sochi-2018/sochi-2018.en.html",
         "sochi-2018/sochi-2018.fa.html", "sochi-2018/sochi-2018.fr.html",
         "ghouta-2017/ghouta-2017.ar.html", "ghouta-2017/ghouta-2017.fa.html",
         "one-voice-2019/one-voice-2019.ar.html", "one-voice-2019/one-voice-2019.fa.html",
         "one-voice-2019/one-voice-2019.fr.html", "index.html"]


@pytest.mark.parametrize("width", [1280])  # 320 px: test_web_editions.py, on every page
def test_nothing_overflows_horizontally(browser, site, width):
    overflowing = {}
    for name in PAGES:
        page = open_page(browser, f"{site}/{name}", width)
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll_width > inner_width:
            overflowing[name] = page.evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                " > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(-3)")
        page.close()
    assert not overflowing, f"wider than a {width} px window: {overflowing}"


@pytest.mark.parametrize("code", ["ar", "fa"])
def test_a_right_to_left_page_is_right_to_left_in_the_repositorys_fonts(browser, site, code):
    page = open_page(browser, f"{site}/sochi-2018/sochi-2018.{code}.html", 360)
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replaceAll('\"', ''))")
    assert "Edition Naskh" in loaded
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Edition Naskh"')
    heading = page.locator("h1").bounding_box()
    page_width = page.evaluate("window.innerWidth")
    assert heading["x"] + heading["width"] > page_width * 0.8, "the title starts at the right"
    page.close()


def test_each_language_page_links_to_the_others(browser, site):
    page = open_page(browser, f"{site}/sochi-2018/sochi-2018.en.html", 1280)
    links = page.evaluate("[...document.querySelectorAll('nav.languages a')]"
                          ".map(a => [a.getAttribute('hreflang'), a.getAttribute('href')])")
    assert links == [["ar-SY", "sochi-2018.ar.html"], ["en-GB", "sochi-2018.en.html"],
                     ["fa-IR", "sochi-2018.fa.html"], ["fr-FR", "sochi-2018.fr.html"],
                     [None, "sochi-2018.bilingual.html"], [None, "sochi-2018.en.pdf"],
                     [None, "../index.html"]]
    alternates = page.evaluate("[...document.querySelectorAll('link[rel=alternate]')]"
                               ".map(l => l.hreflang)")
    assert alternates == ["ar-SY", "en-GB", "fa-IR", "fr-FR"]
    page.click("nav.languages a[hreflang=fa-IR]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "fa-IR"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    page.close()


def test_a_link_in_a_paragraph_is_a_link_in_the_browser(browser, site):
    page = open_page(browser, f"{site}/ghouta-2017/ghouta-2017.en.html", 1280)
    links = page.evaluate("[...document.querySelectorAll('.body a')]"
                          ".map(a => [a.href, a.textContent])")
    assert links == [["https://undocs.org/S/RES/2139(2014)", "Security Council resolution 2139"]]
    items = page.evaluate("[...document.querySelectorAll('.body ul li')].length")
    assert items == 3
    page.close()


def test_the_index_lists_every_edition(browser, site):
    page = open_page(browser, f"{site}/index.html", 1280)
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    for statement_id in ("sochi-2018", "ghouta-2017", "one-voice-2019"):
        for suffix in ("ar.html", "en.html", "fa.html", "fr.html", "ar.pdf", "en.pdf", "fa.pdf",
                       "fr.pdf", "bilingual.pdf"):
            assert f"{statement_id}/{statement_id}.{suffix}" in hrefs
    assert not [href for href in hrefs if "drafts" in href]
    page.close()

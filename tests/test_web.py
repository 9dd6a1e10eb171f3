"""The web edition in a real browser (Debian's Chromium driven by Playwright): direction,
no horizontal overflow on a phone or a desktop, the repository's fonts actually used."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine: "
                                 "install Debian's chromium (tools/system-packages browser)")]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built):
    """The output folder served on the loopback address, as a web server would serve it."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(built.output_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    return page


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", ["sochi-2018/sochi-2018.ar.html", "sochi-2018/sochi-2018.en.html",
                                  "index.html"])
def test_nothing_overflows_horizontally(browser, site, tmp_path, name, width):
    page = open_page(browser, f"{site}/{name}", width)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    page.screenshot(path=str(tmp_path / f"{name.replace('/', '_')}-{width}.png"), full_page=True)
    page.close()
    assert scroll_width <= inner_width


def test_the_arabic_page_is_right_to_left_in_the_repository_fonts(browser, site, tmp_path):
    page = open_page(browser, f"{site}/sochi-2018/sochi-2018.ar.html", 360)
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).direction") == "rtl"
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replaceAll('\"', ''))")
    assert "Edition Naskh" in loaded
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Edition Naskh"')
    heading = page.locator("h1").bounding_box()
    page_width = page.evaluate("window.innerWidth")
    assert heading["x"] + heading["width"] > page_width * 0.8, "the title starts at the right"
    page.screenshot(path=str(tmp_path / "arabic.png"))
    page.close()


def test_each_language_page_links_to_the_others(browser, site):
    page = open_page(browser, f"{site}/sochi-2018/sochi-2018.en.html", 1280)
    links = page.evaluate("[...document.querySelectorAll('nav.languages a')]"
                          ".map(a => [a.getAttribute('hreflang'), a.getAttribute('href')])")
    assert links == [["ar-SY", "sochi-2018.ar.html"], ["en-GB", "sochi-2018.en.html"]]
    alternate = page.evaluate("document.querySelector('link[rel=alternate]').hreflang")
    assert alternate == "ar-SY"
    page.click("nav.languages a[hreflang=ar-SY]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "ar-SY"
    page.close()


def test_the_index_lists_every_edition(browser, site):
    page = open_page(browser, f"{site}/index.html", 1280)
    hrefs = page.evaluate("[...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    for expected in ("sochi-2018/sochi-2018.ar.html", "sochi-2018/sochi-2018.en.pdf",
                     "sochi-2018/sochi-2018.bilingual.pdf"):
        assert expected in hrefs
    page.close()

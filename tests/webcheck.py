"""The web editions in the tools a reviewer would use: the Nu HTML Checker (vnu.jar), axe-core in
Debian's Chromium (driven by Playwright), pa11y and Lighthouse (driven by ``webaudit.mjs``, in
Node.js), reflow at a phone's width, the font sizes the browser computes, and the bytes of the
fonts a page downloads.

Everything runs offline. ``npm ci --no-audit --no-fund --ignore-scripts`` (``make test`` runs it
when ``node_modules`` is missing or older than ``package-lock.json``) puts the pinned ``vnu-jar``,
``axe-core``, ``pa11y`` and ``lighthouse`` in ``node_modules`` at the repository's root; Chromium
and Java are Debian's (``tools/system-packages browser``). Never ``playwright install``, and no
browser of Puppeteer's own (``--ignore-scripts``): Playwright, pa11y and Lighthouse all drive
``/usr/bin/chromium``. Nothing here prints: progress goes to the ``webcheck`` logger, problems
come back as values, and a check that cannot run raises ``WebCheckError``.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

LOG = logging.getLogger("webcheck")

NODE_MODULES = ROOT / "node_modules"
"""Where ``npm ci`` puts the validators ``package-lock.json`` pins."""
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
PA11Y = NODE_MODULES / "pa11y" / "package.json"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "package.json"
WEBAUDIT = Path(__file__).with_name("webaudit.mjs")
"""The Node.js script that runs pa11y and Lighthouse on a list of pages in one Chromium."""
CHROMIUM = Path("/usr/bin/chromium")
JAVA_OPTIONS: tuple[str, ...] = ("-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
"""For one short run: the quick compiler only and one collector thread (half the CPU time of the
defaults); the checker's schema needs a deep stack (vnu asks for at least 512k)."""

NPM_CI = "npm ci --no-audit --no-fund --ignore-scripts"
"""``--ignore-scripts``: vnu-jar's install script would download a Java runtime."""
SYSTEM_PACKAGES = "tools/system-packages browser"
REQUIRED = "WEBCHECK_REQUIRED"
"""Set (to anything but empty) where the browser and validator tests must run, as in CI: a
missing tool then fails them instead of skipping them."""

CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync")

AXE_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
"""The rule sets axe runs: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices."""

WIDTHS: tuple[int, ...] = (320, 768, 1280)
"""A phone (1280 px at 400 % zoom, WCAG 1.4.10), a tablet, a desktop."""

PAGED_MEDIA_FALSE_POSITIVES: tuple[str, ...] = (
    r"^CSS: “(bookmark-label|bookmark-level)”: Property “\1” doesn't exist\.$",
)
"""vnu's CSS checker does not know CSS Generated Content for Paged Media's ``bookmark-*``, with
which WeasyPrint makes the PDF bookmarks. Exactly these messages are set aside (kept in
``VnuReport.ignored``); the running titles are plain strings, which vnu knows."""


class WebCheckError(Exception):
    """A check could not run (a tool missing, a page that does not load): not a finding."""


# --- What this machine has ---------------------------------------------------------------------


def missing(*tools: str) -> list[str]:
    """Which of ``tools`` ("chromium", "java", "vnu", "axe", "pa11y", "lighthouse") this machine
    lacks, each named with the command that installs it; empty when every one is there."""
    lacking = []
    if "chromium" in tools:
        if not CHROMIUM.is_file():
            lacking.append(f"Chromium ({CHROMIUM}): run `{SYSTEM_PACKAGES}`")
        if importlib.util.find_spec("playwright") is None:
            lacking.append("the playwright Python package: run `make` (installs the test extras)")
    if "java" in tools and shutil.which("java") is None:
        lacking.append(f"Java (openjdk-17-jre-headless): run `{SYSTEM_PACKAGES}`")
    if "vnu" in tools and not VNU_JAR.is_file():
        lacking.append(f"{VNU_JAR.relative_to(ROOT)}: run `{NPM_CI}`")
    if "axe" in tools and not AXE_JS.is_file():
        lacking.append(f"{AXE_JS.relative_to(ROOT)}: run `{NPM_CI}`")
    if {"pa11y", "lighthouse"} & set(tools):
        if not CHROMIUM.is_file() and "chromium" not in tools:
            lacking.append(f"Chromium ({CHROMIUM}): run `{SYSTEM_PACKAGES}`")
        if node_major() < NODE_MAJOR:
            lacking.append(f"Node.js {NODE_MAJOR} or newer (node): install it with npm"
                           + (f" (this one is {node_major()})" if node_major() else ""))
    for name, marker in (("pa11y", PA11Y), ("lighthouse", LIGHTHOUSE)):
        if name in tools and not marker.is_file():
            lacking.append(f"{marker.parent.relative_to(ROOT)}: run `{NPM_CI}`")
    return lacking


NODE_MAJOR = 20
"""The oldest Node.js pa11y 9 and Lighthouse 12 run on."""


@functools.cache
def node_major() -> int:
    """The major version of the ``node`` on the PATH (0: none)."""
    if shutil.which("node") is None:
        return 0
    done = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    match = re.match(r"v(\d+)\.", done.stdout)
    return int(match.group(1)) if match else 0


def required() -> bool:
    """Whether a missing tool is a failure here (``WEBCHECK_REQUIRED`` set) rather than a skip."""
    return bool(os.environ.get(REQUIRED))


def need(*tools: str) -> None:
    """Skip the calling test, naming what to install, when this machine lacks one of ``tools``
    (see ``missing``); fail it instead where ``WEBCHECK_REQUIRED`` is set."""
    lacking = missing(*tools)
    if lacking:
        reason = "this machine lacks " + "; ".join(lacking)
        if required():
            pytest.fail(f"{reason} ({REQUIRED} is set: the web checks must run)", pytrace=False)
        pytest.skip(reason)


# --- The Nu HTML Checker -----------------------------------------------------------------------


@dataclass(frozen=True)
class VnuReport:
    """vnu's messages, as its JSON gives them (``url``, ``lastLine``, ``message``, ``extract``...)."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    """Errors and warnings an ``ignore`` pattern matches: known false positives, kept visible."""


def vnu(paths: Iterable[Path], *, ignore: Sequence[str] = PAGED_MEDIA_FALSE_POSITIVES,
        timeout: float = 300) -> VnuReport:
    """Check HTML files (and ``.css`` files, as CSS) with the Nu HTML Checker, in one Java run.

    Info messages that are not warnings are dropped; a message that is neither an error nor a
    warning about a document (a file that cannot be read) raises ``WebCheckError``."""
    files = sorted(str(path) for path in paths)
    if not files:
        raise WebCheckError("vnu: no file to check")
    lacking = missing("java", "vnu")
    if lacking:
        raise WebCheckError("; ".join(lacking))
    command = ["java", *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--format", "json", "--stdout",
               "--exit-zero-always"]
    if any(name.endswith(".css") for name in files):
        command.append("--also-check-css")
    LOG.info("vnu: checking %d files", len(files))
    done = subprocess.run([*command, *files], capture_output=True, text=True, encoding="utf-8",
                          timeout=timeout, check=False)
    try:
        messages = json.loads(done.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        raise WebCheckError(f"vnu gave no JSON report (exit {done.returncode}): "
                            f"{done.stderr.strip() or done.stdout.strip()}") from error
    patterns = [re.compile(pattern) for pattern in ignore]
    report = VnuReport()
    for message in messages:
        kind = message.get("type")
        if kind == "non-document-error":
            raise WebCheckError(f"vnu: {message.get('url', '')}: {message.get('message')}")
        if kind == "error":
            bucket = report.errors
        elif kind == "info" and message.get("subType") == "warning":
            bucket = report.warnings
        else:
            continue
        if any(pattern.search(message.get("message", "")) for pattern in patterns):
            bucket = report.ignored
        bucket.append(message)
    return report


def describe_vnu(message: dict[str, Any]) -> str:
    """One line for an assertion message: ``file:line: message``."""
    where = str(message.get("url", "")).removeprefix("file:")
    return f"{where}:{message.get('lastLine', '?')}: {message.get('message')}"


# --- The browser -------------------------------------------------------------------------------


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, with nothing that reaches out to the network by itself."""
    lacking = missing("chromium")
    if lacking:
        raise WebCheckError("; ".join(lacking))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("serve: " + format, *args)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on a free loopback port, as a web server would serve it; yields the
    base URL (no trailing slash). Chromium loads no web font from a file URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class Tab:
    """One browser tab, taken from page to page: a visit costs a tenth of a new tab. Its HTTP
    cache is off, so every visit downloads what the page needs, as a first visit does."""

    def __init__(self, browser: Browser, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self._devtools = self.context.new_cdp_session(self.page)
        self._devtools.send("Network.enable")
        self._devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.failed: list[str] = []
        # A request the previous page left when the tab moved on is aborted: not this page's.
        self.page.on("requestfailed", lambda request: None if request.failure == "net::ERR_ABORTED"
                     else self.failed.append(f"{request.url}: {request.failure}"))
        self.page.on("response", lambda response: self.failed.append(
            f"{response.url}: HTTP {response.status}") if response.status >= 400 else None)

    def visit(self, url: str, width: int) -> Page:
        """The tab, ``width`` CSS pixels wide, showing ``url`` once it has loaded and its web
        fonts are in (``document.fonts.ready``; waiting for "networkidle" would add half a second
        to every visit). A page or any file it asks for that does not load is a
        ``WebCheckError``."""
        resize(self.page, width)
        self.failed.clear()
        self.page.goto(url, wait_until="load")
        status = self.page.evaluate("document.fonts.ready.then(fonts => fonts.status)")
        if self.failed or status != "loaded":
            raise WebCheckError(f"{url} did not load: {self.failed or status}")
        return self.page

    def close(self) -> None:
        self.context.close()


def resize(page: Page, width: int) -> None:
    """The page laid out again at ``width`` CSS pixels (as when a reader narrows the window)."""
    height = page.viewport_size["height"] if page.viewport_size else 900
    page.set_viewport_size({"width": width, "height": height})


# --- axe-core ----------------------------------------------------------------------------------


def axe_run(page: Page, tags: Sequence[str] | None = AXE_TAGS) -> dict[str, Any]:
    """axe-core's result on an open page (``violations`` and ``incomplete``). ``tags=None`` runs
    axe's default set: every rule that is not experimental."""
    lacking = missing("axe")
    if lacking:
        raise WebCheckError("; ".join(lacking))
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    options: dict[str, Any] = {"resultTypes": ["violations", "incomplete"]}
    if tags is not None:
        options["runOnly"] = {"type": "tag", "values": list(tags)}
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", options)
    return results


def axe(page: Page, widths: Sequence[int] = WIDTHS,
        tags: Sequence[str] | None = AXE_TAGS) -> dict[int, list[dict[str, Any]]]:
    """axe-core's violations on an open page laid out at each of ``widths``, by width: each with
    its rule ``id``, ``impact``, ``help`` and the offending ``nodes``. The page stays open (one
    load for every width) and is left at the last width."""
    found = {}
    for width in widths:
        resize(page, width)
        LOG.info("axe: %s at %d px", page.url, width)
        found[width] = axe_run(page, tags)["violations"]
    return found


def describe_axe(violation: dict[str, Any]) -> str:
    """One line for an assertion message: the rule, its impact and the first offending nodes."""
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"


# --- Layout ------------------------------------------------------------------------------------


def scrolls_sideways(page: Page) -> bool:
    """Whether the page, at its present width, scrolls horizontally (WCAG 1.4.10 asks for no
    such scrolling at 320 px)."""
    return bool(page.evaluate(
        "(() => { const s = document.scrollingElement; return s.scrollWidth > s.clientWidth; })()"))


def overflowing(page: Page) -> list[str]:
    """The elements whose box reaches past the viewport's right or left edge, as short CSS paths:
    what to fix when ``scrolls_sideways`` is true."""
    found: list[str] = page.evaluate("""() => {
      const width = document.scrollingElement.clientWidth, found = [];
      const path = e => { const parts = [];
        for (; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement)
          parts.unshift(e.localName + (e.className && typeof e.className === 'string'
                        ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
        return parts.join(' > '); };
      for (const e of document.body.querySelectorAll('*')) {
        const box = e.getBoundingClientRect();
        if (box.width && (box.right > width + 0.5 || box.left < -0.5)) found.push(path(e));
      }
      return found; }""")
    return found


def computed_sizes(page: Page, selectors: Iterable[str]) -> dict[str, float]:
    """The computed ``font-size``, in CSS pixels, of the first element each selector matches. A
    selector that matches nothing raises ``WebCheckError`` rather than passing silently."""
    sizes: dict[str, float] = {}
    for selector in selectors:
        size = page.evaluate(
            "s => { const e = document.querySelector(s);"
            " return e ? parseFloat(getComputedStyle(e).fontSize) : null; }", selector)
        if size is None:
            raise WebCheckError(f"{page.url}: no element matches {selector!r}")
        sizes[selector] = float(size)
    return sizes


def smallest_text(page: Page) -> tuple[float, str]:
    """The smallest computed font size of any visible text, and a sample of that text: the floor
    of the page's type scale."""
    size, text = page.evaluate("""() => {
      let best = [Infinity, ''];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const e = n.parentElement, text = n.data.trim();
        if (!text || !e || !e.getClientRects().length) continue;
        const px = parseFloat(getComputedStyle(e).fontSize);
        if (px < best[0]) best = [px, text.slice(0, 40)];
      }
      return best; }""")
    return float(size), str(text)


# --- Page weight -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Downloads:
    """What a page fetched after its HTML, as Chromium counted it (Resource Timing's
    ``transferSize``: the bytes that came over the network, headers included), by URL."""

    sizes: dict[str, int]

    def of(self, suffixes: Sequence[str]) -> int:
        """The bytes of the files whose URL path ends with one of ``suffixes``."""
        return sum(size for url, size in self.sizes.items()
                   if url.split("?")[0].endswith(tuple(suffixes)))


def downloads(page: Page) -> Downloads:
    """The files a page downloaded after its HTML (all of them in a ``Tab``: no cache)."""
    sizes: dict[str, int] = page.evaluate(
        "Object.fromEntries(performance.getEntriesByType('resource')"
        ".map(e => [e.name, e.transferSize]))")
    return Downloads(sizes)


# --- pa11y and Lighthouse ----------------------------------------------------------------------

PA11Y_OPTIONS: dict[str, Any] = {
    "standard": "WCAG2AA", "runners": ["htmlcs", "axe"], "includeWarnings": False,
    "includeNotices": False, "timeout": 120_000}
"""pa11y's WCAG 2 AA with both its runners (HTML_CodeSniffer and axe): errors only."""
LIGHTHOUSE_CATEGORIES: tuple[str, ...] = ("accessibility", "best-practices", "seo")
LIGHTHOUSE_FLAGS: dict[str, Any] = {
    "onlyCategories": list(LIGHTHOUSE_CATEGORIES), "onlyAudits": ["network-requests"],
    "disableFullPageScreenshot": True, "maxWaitForLoad": 60_000,
    "pauseAfterFcpMs": 250, "pauseAfterLoadMs": 250, "networkQuietThresholdMs": 250,
    "cpuQuietThresholdMs": 250}
"""Lighthouse's default device (a phone) and throttling (simulated: the page loads at full
speed). No category scored here measures speed, and the pages are static files without
scripts: a quarter of a second of quiet after the load is enough (the defaults wait 1 s four
times; throttling "provided" would make it 5.25 s). ``network-requests`` (in no category)
lists what each page loaded."""


@dataclass(frozen=True)
class PageAudit:
    """What pa11y and Lighthouse found on one page."""

    url: str
    pa11y: list[dict[str, Any]]
    """pa11y's errors (``code``, ``message``, ``selector``, ``runner``)."""
    scores: dict[str, float | None]
    """Lighthouse's score of each category, 0 to 1."""
    failed: list[dict[str, Any]]
    """The Lighthouse audits of those categories that did not pass (``id``, ``title``,
    ``score``, ``explanation``, the first ``items``)."""
    requests: list[str]
    """Every URL Lighthouse saw the page request."""


@dataclass(frozen=True)
class AuditReport:
    pages: dict[str, PageAudit]
    outside: list[str]
    """Requests to anything but the served folder (refused: Chromium resolves no other host)."""


def audit(urls: Sequence[str], origin: str, *, pa11y: bool = True, lighthouse: bool = True,
          timeout: float | None = None) -> AuditReport:
    """pa11y and Lighthouse on every page of ``urls`` (all under ``origin``, as ``serve`` yields
    it), in one Chromium that ``webaudit.mjs`` starts and asks to resolve no other host."""
    import tempfile

    tools = [name for name, wanted in (("pa11y", pa11y), ("lighthouse", lighthouse)) if wanted]
    lacking = missing(*tools)
    if lacking:
        raise WebCheckError("; ".join(lacking))
    request = {"chromium": str(CHROMIUM), "args": list(CHROMIUM_ARGS), "urls": list(urls),
               "origin": origin, "pa11y": PA11Y_OPTIONS if pa11y else None,
               "lighthouse": LIGHTHOUSE_FLAGS if lighthouse else None}
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as file:
        json.dump(request, file)
        file.flush()
        LOG.info("webaudit: %s on %d pages", " and ".join(tools), len(urls))
        done = subprocess.run(["node", str(WEBAUDIT), file.name], capture_output=True, text=True,
                              encoding="utf-8", cwd=ROOT, check=False,
                              timeout=timeout or 120 + 60 * len(urls))
    for line in done.stderr.splitlines():
        LOG.info("%s", line)
    if done.returncode:
        raise WebCheckError(f"webaudit.mjs failed (exit {done.returncode}): "
                            f"{done.stderr.strip()[-2000:]}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise WebCheckError(f"webaudit.mjs gave no JSON report: {done.stdout[-500:]}") from error
    pages = {}
    for url, found in report["pages"].items():
        lh = found.get("lighthouse") or {}
        pages[url] = PageAudit(url, found.get("pa11y") or [], lh.get("scores", {}),
                               lh.get("failed", []), lh.get("requests", []))
    return AuditReport(pages, sorted(set(report["outside"])))


def describe_pa11y(issue: dict[str, Any]) -> str:
    """One line for an assertion message: the runner, the rule and the element."""
    return f"{issue.get('runner')}: {issue.get('code')}: {issue.get('message')} [{issue.get('selector')}]"


def describe_lighthouse(failed: dict[str, Any]) -> str:
    """One line for an assertion message: the audit, its score and what it names."""
    return (f"{failed['id']} ({failed['score']}): {failed['title']}"
            + (f": {failed['explanation']}" if failed.get("explanation") else "")
            + (f" {failed['items']}" if failed.get("items") else ""))

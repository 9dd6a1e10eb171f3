"""Printing an edition's HTML to PDF with WeasyPrint, fenced in and checked.

The fetcher serves the edition's assets (stylesheet and fonts) from the bytes the run read, and
nothing else: no network, no file elsewhere. Every character must be covered by the fonts the
stylesheet declares: a missing glyph stops the build with its name instead of printing a box or
borrowing a font from whatever machine runs the build. WeasyPrint is imported only here, and only
when printing.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import PipelineError
from .project import STYLESHEET

FONT_URL = re.compile(r"url\(\s*['\"]?([^'\")]+\.(?:ttf|otf|woff2?))['\"]?\s*\)")


@dataclass(frozen=True)
class PrintJob:
    """What printing one edition needs, as plain data (it crosses into a worker process)."""

    name: str  # the edition, such as sochi-2018.ar: the PDF's identifier
    where: str  # the PDF's project-relative path, for messages
    html: str
    base_url: str  # the edition's folder, as a file URL: where its relative links start
    assets_url: str  # the folder the HTML finds its assets in, as a file URL
    assets: dict[str, bytes]  # the files below templates/ (fonts, stylesheet) by relative path
    variant: str | None


@dataclass(frozen=True)
class PrintedPdf:
    data: bytes
    pages: int


class _ShownText(HTMLParser):
    """Every character an HTML document shows, and the PDF's properties (title, author,
    description) from its ``meta`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chars: set[str] = set()

    def handle_data(self, data: str) -> None:
        self.chars.update(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self.chars.update("".join(value or "" for name, value in attrs if name == "content"))


def shown_characters(html: str) -> set[str]:
    parser = _ShownText()
    parser.feed(html)
    parser.close()
    return parser.chars


@cache
def _coverage(font: bytes) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(font), lazy=True) as parsed:
        return frozenset(parsed.getBestCmap())


def check_glyphs(html: str, assets: dict[str, bytes], where: str) -> None:
    """Fail naming every character that none of the stylesheet's fonts can draw."""
    stylesheet = f"templates/{STYLESHEET}"
    try:
        css = assets[STYLESHEET].decode("utf-8")
    except KeyError:
        raise PipelineError("the stylesheet is missing: restore it from the repository",
                            stylesheet) from None
    except UnicodeDecodeError:
        raise PipelineError("the stylesheet is not UTF-8 text: save it as UTF-8", stylesheet
                            ) from None
    covered: frozenset[int] = frozenset()
    for url in FONT_URL.findall(css):
        line = css[: css.find(url)].count("\n") + 1
        font = assets.get(url)
        if font is None:
            raise PipelineError(f"the font {url} cannot be read (there is no such file): put the "
                                "font file there or correct the url()", stylesheet, line)
        try:
            covered |= _coverage(font)
        except Exception as error:  # fontTools raises many kinds on a file that is not a font
            raise PipelineError(f"the font {url} cannot be read ({type(error).__name__}): put a "
                                "font file there or correct the url()", stylesheet, line) from None
    missing = sorted(
        char for char in shown_characters(html)
        if ord(char) not in covered and not char.isspace()
        and unicodedata.category(char) not in ("Cc", "Cf"))  # controls and isolates draw nothing
    if missing:
        names = ", ".join(f"'{c}' U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
                          for c in missing[:10])
        raise PipelineError(f"no font of the edition can draw {len(missing)} character(s): "
                            f"{names}; replace them in the text or add a font that has them "
                            f"to {STYLESHEET}", where)


def _fetcher(assets_url: str, assets: dict[str, bytes]):
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    base = unquote(urlsplit(assets_url).path).rstrip("/") + "/"

    class FencedFetcher(URLFetcher):
        """Serves the edition's assets and nothing else, loudly: a URL under the assets folder
        (where the HTML finds them, ``output/_assets``) is served from the bytes the run read
        from ``templates/``, so a stylesheet saved meanwhile never mixes into this edition."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = unquote(parts.path) if parts.scheme == "file" else ""
            relative = path[len(base):] if path.startswith(base) else None
            data = assets.get(relative) if relative and ".." not in relative.split("/") \
                and not relative.endswith(".j2") else None
            if data is None:
                raise FatalURLFetchingError(
                    f"refused to load {url!r}, which a template or stylesheet asks for: an "
                    "edition may only use the stylesheet and fonts in templates/")
            content_type = mimetypes.guess_type(relative or "")[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, headers={"Content-Type": content_type})

    return FencedFetcher(allowed_protocols=("file",))


class _ProblemCatcher(logging.Handler):
    """WeasyPrint only logs what it could not do (a stylesheet it ignored, a .notdef glyph, an
    unsupported property): each of those is a defect in the printed edition."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def print_pdf(job: PrintJob) -> PrintedPdf:
    """Print the job's HTML; its assets are served from the job's bytes, nothing else is read."""
    check_glyphs(job.html, job.assets, job.where)
    from weasyprint import HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    catcher = _ProblemCatcher()
    LOGGER.addHandler(catcher)
    try:
        document = HTML(string=job.html, base_url=job.base_url,
                        url_fetcher=_fetcher(job.assets_url, job.assets)).render(
            font_config=FontConfiguration(), custom_metadata=True)
        # Custom properties carry the provenance; the viewport is for screens, not for the PDF.
        document.metadata.custom.pop("viewport", None)
        data = document.write_pdf(
            pdf_identifier=hashlib.sha256(job.name.encode()).hexdigest()[:32].encode(),
            custom_metadata=True, pdf_variant=job.variant)
    except FatalURLFetchingError as error:
        raise PipelineError(str(error), job.where) from None
    finally:
        LOGGER.removeHandler(catcher)
    if catcher.messages:
        raise PipelineError("WeasyPrint could not print the edition as written: "
                            + "; ".join(dict.fromkeys(catcher.messages)), job.where)
    return PrintedPdf(data, len(document.pages))


def folder_url(path: Path) -> str:
    """A folder as the file URL relative links resolve from."""
    import os

    return Path(os.path.abspath(path)).as_uri() + "/"

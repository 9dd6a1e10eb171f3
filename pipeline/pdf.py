"""Printing an edition's HTML to PDF with WeasyPrint, fenced in and checked.

The fetcher reads only the edition's assets (stylesheet and fonts) and nothing else: no network,
no file elsewhere. Every character must be covered by the fonts the stylesheet declares: a
missing glyph stops the build with its name instead of printing a box or borrowing a font from
whatever machine runs the build. WeasyPrint is imported only here, and only when printing.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import PipelineError

FONT_URL = re.compile(r"url\(\s*['\"]?([^'\")]+\.(?:ttf|otf|woff2?))['\"]?\s*\)")


@dataclass(frozen=True)
class PrintOptions:
    """How an edition is printed: paper size, bleed with crop marks, PDF variant."""

    paper: str = "A4"
    bleed: str | None = None
    archival: bool = False

    @property
    def pdf_variant(self) -> str:
        return "pdf/a-3b" if self.archival else "pdf/ua-1"


DEFAULT_OPTIONS = PrintOptions()


@dataclass(frozen=True)
class PrintedPdf:
    data: bytes
    pages: int


def _shown_characters(html: str) -> set[str]:
    """Every character an HTML document shows, its stylesheet's strings and the PDF's
    properties (title, author, description) included."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.chars: set[str] = set()

        def handle_data(self, data):
            self.chars.update(data)

        def handle_starttag(self, tag, attrs):
            if tag == "meta":
                self.chars.update("".join(value or "" for name, value in attrs if name == "content"))

    parser = Text()
    parser.feed(html)
    parser.close()
    return parser.chars


@cache
def _coverage(font_file: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font_file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def check_glyphs(html: str, stylesheet: Path, where: str) -> None:
    """Fail naming every character that none of the stylesheet's fonts can draw."""
    try:
        css = stylesheet.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PipelineError(f"cannot read the stylesheet: {error}", f"templates/{stylesheet.name}"
                            ) from None
    covered: frozenset[int] = frozenset()
    for url in FONT_URL.findall(css):
        try:
            covered |= _coverage(stylesheet.parent / url)
        except Exception as error:  # missing, or not a font fontTools can read
            line = css[: css.find(url)].count("\n") + 1
            raise PipelineError(f"the font {url} cannot be read ({error}): put the font file "
                                "there or correct the url()", f"templates/{stylesheet.name}",
                                line) from None
    missing = sorted(
        char for char in _shown_characters(html)
        if ord(char) not in covered and not char.isspace()
        and unicodedata.category(char) not in ("Cc", "Cf"))  # controls and isolates draw nothing
    if missing:
        names = ", ".join(f"'{c}' U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()
                          for c in missing[:10])
        raise PipelineError(f"no font of the edition can draw {len(missing)} character(s): "
                            f"{names}; replace them in the text or add a font that has them "
                            f"to {stylesheet.name}", where)


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class FencedFetcher(URLFetcher):
        """Serves the edition's assets and nothing else, loudly: a URL under ``url_dir`` (where
        the HTML finds them, ``output/_assets``) is read from ``source`` (the templates folder,
        so a broken stylesheet never replaces the published one before it has printed)."""

        def __init__(self, url_dir: Path, source: Path):
            super().__init__(allowed_protocols=("file",))
            self.url_dir = Path(os.path.abspath(url_dir))
            self.source = source.resolve()

        def fetch(self, url, headers=None):
            from urllib.parse import unquote, urlsplit

            parts = urlsplit(url)
            wanted = Path(os.path.normpath(unquote(parts.path))) if parts.scheme == "file" else None
            path = None
            if wanted is not None and wanted.is_relative_to(self.url_dir):
                path = (self.source / wanted.relative_to(self.url_dir)).resolve()
            if path is None or not path.is_relative_to(self.source) or not path.is_file() \
                    or path.suffix == ".j2":
                raise FatalURLFetchingError(
                    f"refused to load {url!r}, which a template or stylesheet asks for: an "
                    "edition may only use the stylesheet and fonts in templates/")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(),
                                      headers={"Content-Type": content_type})

    return FencedFetcher


class _ProblemCatcher(logging.Handler):
    """WeasyPrint only logs what it could not do (a stylesheet it ignored, a .notdef glyph, an
    unsupported property): each of those is a defect in the printed edition."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def print_pdf(html: str, base_dir: Path, assets_url: Path, assets_source: Path, where: str,
              identifier: str, variant: str | None = "pdf/ua-1") -> PrintedPdf:
    """Print HTML whose relative links resolve from ``base_dir``; the assets it links to under
    ``assets_url`` are read from ``assets_source``, and nothing else is read at all."""
    check_glyphs(html, assets_source / "statement.css", where)
    from weasyprint import HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    catcher = _ProblemCatcher()
    LOGGER.addHandler(catcher)
    try:
        document = HTML(string=html, base_url=Path(os.path.abspath(base_dir)).as_uri() + "/",
                        url_fetcher=_fetcher_class()(assets_url, assets_source)).render(
            font_config=FontConfiguration(), custom_metadata=True)
        # Custom properties carry the provenance; the viewport is for screens, not for the PDF.
        document.metadata.custom.pop("viewport", None)
        data = document.write_pdf(
            pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
            custom_metadata=True, pdf_variant=variant)
    except FatalURLFetchingError as error:
        raise PipelineError(str(error), where) from None
    finally:
        LOGGER.removeHandler(catcher)
    if catcher.messages:
        raise PipelineError("WeasyPrint could not print the edition as written: "
                            + "; ".join(dict.fromkeys(catcher.messages)), where)
    return PrintedPdf(data, len(document.pages))

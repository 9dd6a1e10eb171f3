"""The URL fetcher WeasyPrint prints an edition with: it serves the edition's assets (stylesheet
and fonts) from the bytes the run read, and nothing else: no network, no file elsewhere."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def folder_url(path: Path) -> str:
    """A folder as the file URL relative links resolve from."""
    return Path(os.path.abspath(path)).as_uri() + "/"


WEB_FONTS = "webfonts.css"
"""The WOFF2 subsets' ``@font-face`` rules a page links for browsers, on screen and in print
(``webfonts``): WeasyPrint gets an empty stylesheet in their place and prints with the full fonts
the stylesheet declares for print."""


def fenced_fetcher(assets_url: str, assets: dict[str, bytes]) -> Any:
    """A WeasyPrint URL fetcher that serves ``assets`` (by their path below ``assets_url``, a
    ``folder_url``) and refuses everything else."""
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
            if relative == WEB_FONTS:
                data = b""  # for browsers, screen and print: WeasyPrint embeds the full fonts
            if data is None:
                raise FatalURLFetchingError(
                    f"refused to load {url!r}, which a template or stylesheet asks for: an "
                    "edition may only use the stylesheet and fonts in templates/")
            content_type = mimetypes.guess_type(relative or "")[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, headers={"Content-Type": content_type})

    return FencedFetcher(allowed_protocols=("file",))

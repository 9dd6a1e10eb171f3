"""Printing an edition's HTML to PDF with WeasyPrint, fenced in and checked.

The job carries everything: the HTML, the assets' bytes (served by ``fetcher``, nothing else is
read) and the stylesheet's fonts (``fonts``: the build checked every character of the page
against them before printing). WeasyPrint is imported only here, and only when printing; with
it come the layout fixes of ``weasyfixes``, which check that it is the supported version.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .errors import PipelineError
from .fonts import FontSet
from .model import PrintOptions


@dataclass(frozen=True)
class PrintJob:
    """What printing one edition needs, as plain data (it crosses into a worker process)."""

    name: str  # the edition, such as sochi-2018.ar: the PDF's identifier
    where: str  # the PDF's project-relative path, for messages
    html: str
    base_url: str  # the edition's folder, as a file URL: where its relative links start
    assets_url: str  # the folder the HTML finds its assets in, as a file URL
    assets: dict[str, bytes]  # the files below templates/ (fonts, stylesheet) by relative path
    fonts: FontSet  # the stylesheet's fonts, read from those assets
    options: PrintOptions
    card: str = ""  # the share image's HTML (see ``share``); empty: no image
    card_key: str = ""
    """What the card is drawn from (its words, the templates and fonts, the toolchain, and the
    libraries that rasterise it, ``share.drawing_tools``): an image
    drawn from the same key is the same image (``Printers.run`` takes it instead of drawing)."""
    subject: str | None = None  # the PDF's subject (its subtitle), not the page's description


@dataclass(frozen=True)
class PrintedPdf:
    data: bytes
    pages: int


class _ProblemCatcher(logging.Handler):
    """WeasyPrint only logs what it could not do (a stylesheet it ignored, a .notdef glyph, an
    unsupported property): each of those is a defect in the printed edition."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_weasyprint() -> None:
    """Import WeasyPrint, its costliest step (about half a second): a worker or a watcher does it
    once, before its first edition. With it come the layout fixes (``weasyfixes``), checked
    against its version: every page and card is laid out with them."""
    with _libraries_found_by_the_loader_cache():  # (loaded already: ldconfig is not run)
        from . import weasyfixes  # noqa: F401


@contextmanager
def _libraries_found_by_the_loader_cache() -> Iterator[None]:
    """While WeasyPrint loads, ``ctypes.util.find_library`` answers from one reading of the
    loader's cache (``ldconfig -p``), as its first step does, instead of running ldconfig again
    for each name and, for each name it does not know, gcc and ld. WeasyPrint tries several
    names for each of its seven libraries (``libgobject-2.0-0``, ``gobject-2.0-0``,
    ``gobject-2.0``, ...) and most are unknown on Linux: 0.18 s of each start of a printing
    process went there. A name the cache does not list is looked up as before when
    ``LD_LIBRARY_PATH`` is set (where ld would look); on another system, or without ldconfig,
    nothing changes."""
    import ctypes.util

    if not sys.platform.startswith("linux") or not os.path.isfile(LDCONFIG):
        yield
        return
    original = ctypes.util.find_library
    listing: list[bytes] = []

    def find_library(name: str) -> str | None:
        if not listing:
            listing.append(_loader_cache())
        if not listing[0]:  # (ldconfig said nothing: as before)
            return original(name)
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(os.fsencode(name)),
                                                        _abi_type()), listing[0])
        if found:
            return os.fsdecode(found.group(1))
        return original(name) if os.environ.get("LD_LIBRARY_PATH") else None

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


LDCONFIG = "/sbin/ldconfig"


def _loader_cache() -> bytes:
    """``ldconfig -p``, as ``ctypes.util`` runs it; empty when it cannot be run."""
    import subprocess

    try:
        return subprocess.run([LDCONFIG, "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"},
                              check=False, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return b""


def _abi_type() -> bytes:
    """The ABI ``ctypes.util`` looks for in the cache's lines, for this machine."""
    import struct

    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    return {"x86_64-64": b"libc6,x86-64", "ppc64-64": b"libc6,64bit", "sparc64-64": b"libc6,64bit",
            "s390x-64": b"libc6,64bit", "ia64-64": b"libc6,IA-64"}.get(machine, b"libc6")


WARM_UP = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warm</title>'
           '<link rel="stylesheet" href="{stylesheet}"></head><body><h1>Warm up</h1>'
           '<p>Warm <em>up</em> <strong>the</strong> <strong><em>fonts</em></strong> 1</p>'
           '<p lang="ar" dir="rtl">تحمية <strong>الخطوط</strong> ١</p></body></html>')


def warm_up(assets_url: str, assets: dict[str, bytes]) -> None:
    """Print a few words in every font of the stylesheet, and forget them: WeasyPrint, with
    Fontconfig, Pango and HarfBuzz set up, the fonts and the stylesheet's code paths, are then
    loaded before an edition needs them. (Each edition still registers its fonts with a font
    configuration of its own: one kept from edition to edition saves no time.)"""
    from .fonts import fonts_of
    from .project import STYLESHEET

    print_pdf(PrintJob(name="warm-up", where="warm-up", html=WARM_UP.format(
        stylesheet=assets_url + STYLESHEET), base_url=assets_url, assets_url=assets_url,
        assets=assets, fonts=fonts_of(assets), options=PrintOptions()))


def print_pdf(job: PrintJob) -> PrintedPdf:
    """Print the job's HTML; its assets are served from the job's bytes, nothing else is read."""
    load_weasyprint()
    from weasyprint import CSS, HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    from . import cropmarks, printshop, tagging, weasyfixes
    from .fetcher import fenced_fetcher

    options: dict[str, Any] = {}
    finishers: tuple[tagging.Finisher, ...] = ()
    if job.options.print_shop:
        stylesheet = job.assets.get(printshop.PRINT_SHOP_STYLESHEET)
        if stylesheet is None:
            raise PipelineError("the print-shop stylesheet is missing: restore it from the "
                                "repository", f"templates/{printshop.PRINT_SHOP_STYLESHEET}")
        try:  # its @import is loaded now, through the edition's fetcher
            options = printshop.render_options(stylesheet.decode("utf-8", "replace"),
                                               fenced_fetcher(job.assets_url, job.assets))
        except FatalURLFetchingError as error:
            raise PipelineError(str(error), job.where) from None
        finishers = (printshop.finisher(printshop.FOGRA39),)
    if job.options.bleed is not None:  # the slug, the BleedBox and the crop marks, in any variant
        options["stylesheets"] = [*options.get("stylesheets", ()),
                                  CSS(string=cropmarks.stylesheet(job.options.bleed))]
        finishers += (cropmarks.finisher(job.options.bleed, registration=job.options.print_shop),)
    fonts: list[str] = []
    finishers += (weasyfixes.name_subsets_by_content,
                  lambda document, pdf: fonts.extend(embedded_fonts(pdf)))
    catcher = _ProblemCatcher()
    LOGGER.addHandler(catcher)
    try:
        def render(*extra: CSS):
            return HTML(string=job.html, base_url=job.base_url,
                        url_fetcher=fenced_fetcher(job.assets_url, job.assets)).render(
                font_config=FontConfiguration(), custom_metadata=True,
                **{**options, "stylesheets": [*options.get("stylesheets", ()), *extra]})

        # A second look at the layout, which costs more only when it finds something.
        with weasyfixes.remembering_lines():  # (the same lines are broken again and again)
            document = weasyfixes.laid_out(lambda *css: render(*(CSS(string=c) for c in css)))
        weasyfixes.realign_shifted_lines(document)
        # Custom properties carry the provenance; the viewport is for screens, not for the PDF.
        # The page's description and cards are for the web: the PDF's subject is its subtitle.
        document.metadata.custom.pop("viewport", None)
        for name in [name for name in document.metadata.custom if name.startswith("twitter:")]:
            del document.metadata.custom[name]
        document.metadata.description = job.subject
        # Every variant is tagged: PDF/UA-1 itself, PDF/A-3a, and PDF/X-1a, which WeasyPrint
        # leaves untagged unless asked (``printshop`` says why PDF/X-1a allows the tags).
        data = tagging.write_pdf(
            document, pdf_identifier=hashlib.sha256(job.name.encode()).hexdigest()[:32].encode(),
            custom_metadata=True, pdf_variant=job.options.pdf_variant, pdf_tags=True,
            claim_pdfua=job.options.archival or job.options.print_shop, finishers=finishers)
    except FatalURLFetchingError as error:
        raise PipelineError(str(error), job.where) from None
    except weasyfixes.TemplateMarkError as error:
        raise PipelineError(str(error), job.where) from None
    except printshop.PrintShopError as error:
        raise PipelineError(str(error), f"templates/{printshop.PRINT_SHOP_STYLESHEET}") from None
    finally:
        LOGGER.removeHandler(catcher)
    if catcher.messages:
        raise PipelineError("WeasyPrint could not print the edition as written: "
                            + "; ".join(dict.fromkeys(catcher.messages)), job.where)
    job.fonts.check_embedded(fonts, job.where)
    return PrintedPdf(data, len(document.pages))


def print_card(job: PrintJob) -> bytes:
    """The job's share card (``share.card_html``) as a 1200×630 PNG, printed with the job's
    fonts, fenced in like the edition."""
    load_weasyprint()
    from weasyprint import HTML
    from weasyprint.logger import LOGGER
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    from . import share
    from .fetcher import fenced_fetcher

    catcher = _ProblemCatcher()
    LOGGER.addHandler(catcher)
    try:
        pdf = HTML(string=job.card, base_url=job.assets_url,
                   url_fetcher=fenced_fetcher(job.assets_url, job.assets)).write_pdf(
            font_config=FontConfiguration())
    except FatalURLFetchingError as error:
        raise PipelineError(str(error), job.where) from None
    finally:
        LOGGER.removeHandler(catcher)
    if catcher.messages:
        raise PipelineError("WeasyPrint could not draw the share image: "
                            + "; ".join(dict.fromkeys(catcher.messages)), job.where)
    return share.rasterise(pdf)


def embedded_fonts(pdf: Any) -> list[str]:
    """The names of the fonts a PDF embeds, without their subset prefix (``ABCDEF+``)."""
    names = []
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Font" and "BaseFont" in obj:
            value = obj["BaseFont"]
            name = (value.decode("latin-1") if isinstance(value, bytes) else str(value)).lstrip("/")
            names.append(name.split("+", 1)[-1])
    return names

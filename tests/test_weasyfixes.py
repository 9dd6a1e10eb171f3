"""The WeasyPrint the pipeline prints with: its layout fixes (pipeline/weasyfixes.py), its
tagging and its print-shop finishing reach into WeasyPrint's internals, so they are tied to the
version they were checked with. ``pyproject.toml`` pins that range; another version is refused
before anything prints, saying what to do."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib
from pathlib import Path

import pytest
import weasyprint
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from pipeline.errors import PipelineError

from .conftest import ROOT


def weasyfixes():
    """The fix module, imported as the printer imports it: this is what fails on another
    version, with the message a user would read."""
    return importlib.import_module("pipeline.weasyfixes")


def test_the_installed_weasyprint_is_the_supported_one():
    supported = weasyfixes().SUPPORTED
    assert weasyprint.__version__ in SpecifierSet(supported), (
        f"WeasyPrint {weasyprint.__version__} is installed; the pipeline supports "
        f"weasyprint{supported} only: run `make` to install it")


def test_pyproject_pins_the_range_the_fixes_were_checked_with():
    fixes = weasyfixes()
    with (ROOT / "pyproject.toml").open("rb") as file:
        dependencies = [Requirement(d) for d in tomllib.load(file)["project"]["dependencies"]]
    (pinned,) = [d.specifier for d in dependencies if d.name == "weasyprint"]
    assert pinned == SpecifierSet(fixes.SUPPORTED)
    assert fixes.WEASYPRINT in pinned


@pytest.mark.parametrize("version", ["66.0", "69.2", "70.0", "70.1", "70.2.1", "71.0", "100.0"])
def test_a_version_is_accepted_exactly_when_the_pinned_range_allows_it(version):
    fixes = weasyfixes()
    if version in SpecifierSet(fixes.SUPPORTED):
        fixes.check_version(version)
    else:
        with pytest.raises(PipelineError, match=rf"^WeasyPrint {version} is installed, but .* "
                           rf"written for weasyprint{fixes.SUPPORTED} \(checked with "
                           rf"{fixes.WEASYPRINT}\): install that version \(`pip install "):
            fixes.check_version(version)


def test_the_fixes_refuse_to_load_under_another_weasyprint(monkeypatch):
    supported = weasyfixes().SUPPORTED
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    monkeypatch.delitem(sys.modules, "pipeline.weasyfixes")
    with pytest.raises(PipelineError, match=rf"^WeasyPrint 71\.0 is installed, .*weasyprint"
                       rf"{re.escape(supported)} "):
        weasyfixes()



FIRST_LINES = """<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><style>
@font-face {{ font-family: F; src: url({fonts}/{regular}); }}
@font-face {{ font-family: F; src: url({fonts}/{bold}); font-weight: 700; }}
@page {{ size: 300mm 3000mm; margin: 0 }}
body {{ margin: 0; font: {size} F; }} p {{ margin: 0; break-inside: avoid; }}
</style></head><body>{paragraphs}</body></html>"""


def first_lines(paragraph: str, widths: list[float], lang: str) -> list[str]:
    """The words of the first line of ``paragraph`` laid out by WeasyPrint, with the pipeline's
    fixes and the project's fonts, in a column of each of the ``widths`` (points)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import BlockBox, LineBox, TextBox

    weasyfixes()
    rtl = lang == "ar"
    html = FIRST_LINES.format(
        lang=lang, dir="rtl" if rtl else "ltr", fonts=(ROOT / "templates" / "fonts").as_uri(),
        regular="NotoNaskhArabic-Regular.ttf" if rtl else "NotoSerif-Regular.ttf",
        bold="NotoNaskhArabic-Bold.ttf" if rtl else "NotoSerif-Bold.ttf",
        size="11.5pt" if rtl else "12pt",
        paragraphs="".join(f'<p style="width: {w:.2f}pt">{paragraph}</p>' for w in widths))
    lines = {}
    for page in HTML(string=html).render().pages:
        for box in page._page_box.descendants():
            if isinstance(box, BlockBox) and getattr(box, "element_tag", None) == "p":
                line = next(child for child in box.children if isinstance(child, LineBox))
                lines.setdefault(box.element, " ".join("".join(
                    t.text for t in line.descendants() if isinstance(t, TextBox)).split()))
    assert len(lines) == len(widths)
    return list(lines.values())


@pytest.mark.slow  # lays out 350 paragraphs
@pytest.mark.parametrize(("lang", "paragraph"), [
    ("en", 'Some <b>bold words</b>, then a few more <a href="#">and a link</a> at the end.'),
    # ghouta-2017's second paragraph in Arabic, as it was written when its first line broke
    # 74 pt early in the Arabic edition
    ("ar", "تدعو المنظمات الموقعة أدناه جميع الأطراف إلى السماح بوصول إنساني <strong>فوري وغير "
           "مشروط ومستدام</strong>، وفقاً لما يطالب به <a href=\"#\">قرار مجلس الأمن الدولي "
           "٢١٣٩</a>."),
])
def test_a_wider_column_never_holds_fewer_words_on_a_line(lang, paragraph):
    """WeasyPrint 70 keeps only the first word of a run of text that fits on a line but for its
    trailing space (the run between ``</b>`` and ``<a>``): in a window of widths as wide as a
    space, the first line lost the words the narrower columns held (weasyfixes.
    keep_fitting_text_on_its_line). Scanned in steps of a point across the widths
    where the run starts to fit (a window some 3.5 pt wide)."""
    widths = [150.0 + step for step in range(350)]
    counts = [len(line.split()) for line in first_lines(paragraph, widths, lang)]
    shrinking = [(widths[i], counts[i - 1], counts[i]) for i in range(1, len(counts))
                 if counts[i] < counts[i - 1]]
    assert shrinking == []


KEPT_LIST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@font-face {{ font-family: F; src: url({fonts}/NotoSerif-Regular.ttf); }}
@page {{ size: 100mm 100mm; margin: 10mm; @bottom-center {{ content: counter(page) " / "
  counter(pages); font: 8pt F; }} }}
body {{ margin: 0; font: 10pt/1.4 F; }} p {{ margin: 0 0 2mm; }}
section {{ margin-top: 4mm; }} ol {{ columns: 2; margin: 0; }} li {{ break-inside: avoid; }}
</style></head><body><div data-paragraph="1"><p>{text}</p></div>
<div style="height: {spacer}mm"></div>
<section data-keep="6"><h2>Signatories</h2><ol>{items}</ol></section>
<p>Issued by the coalition.</p></body></html>"""


@pytest.mark.slow  # prints small PDFs
@pytest.mark.parametrize(("spacer", "own_page"), [(20, False), (48, True)])
def test_one_layout_gives_the_document_a_second_one_would(spacer, own_page):
    """The first layout stops after the page where the list marked data-keep starts (all that
    decides whether it starts on a page of its own), then goes on from there: the same PDF as
    a layout from the start, with ``OWN_PAGE`` when the list would start with fewer than six of
    its names at the foot of a page, and one rendering either way, never a second."""
    from weasyprint import CSS, HTML

    fixes = weasyfixes()
    html = KEPT_LIST.format(
        fonts=(ROOT / "templates" / "fonts").as_uri(), spacer=spacer,
        text="The organisations signing this statement ask for the release of every detainee "
             "and for safe passage for the people who are still besieged today. " * 2,
        items="".join(f"<li>Organisation number {n} of the coalition</li>" for n in range(60)))
    renderings: list[tuple[str, ...]] = []

    def render(*css: str):
        renderings.append(css)
        return HTML(string=html).render(stylesheets=[CSS(string=c) for c in css])

    document = fixes.laid_out(render)
    expected = render(*((fixes.OWN_PAGE,) if own_page else ()))
    assert renderings[:-1] == [()], "one rendering, laid out further, not a second"
    assert fixes.starts_too_short(render()) is own_page  # the case this parameter is about
    assert len(document.pages) == len(expected.pages) >= 3
    assert document.write_pdf(pdf_identifier=b"kept") == expected.write_pdf(pdf_identifier=b"kept")


@pytest.mark.slow  # prints small PDFs
def test_lines_broken_again_are_answered_from_memory_with_the_same_pages():
    """Balancing a two-column list lays its names out at one height after another: within
    ``remembering_lines`` a line WeasyPrint broke before (the same text, style, layout context,
    width and spacing) is answered from memory, and the PDF is the same, byte for byte, as
    without it; outside the block nothing is remembered."""
    from weasyprint import HTML
    from weasyprint.layout import inline

    fixes = weasyfixes()
    html = KEPT_LIST.format(
        fonts=(ROOT / "templates" / "fonts").as_uri(), spacer=20,
        text="مرحبا بالعالم، هذا نص عربي قصير للتجربة. " * 6,
        items="".join(f"<li>المنظمة رقم {n} في الائتلاف</li>" for n in range(60)))
    plain = HTML(string=html).render().write_pdf(pdf_identifier=b"memo")
    installed, asked = inline.split_first_line, []

    def counting(*args, **kwargs):
        asked.append(args[0])
        return installed(*args, **kwargs)

    inline.split_first_line = counting
    try:
        with fixes.remembering_lines():
            document = HTML(string=html).render()
            memo = fixes._LINE_MEMO.get()
            assert memo is not None
            key, (answer, style, context) = next(iter(memo.items()))
            assert installed(key[0], style, context, *key[3:]) is answer
    finally:
        inline.split_first_line = installed
    assert fixes._LINE_MEMO.get() is None
    assert len(asked) > 2 * len(memo) > 0  # the columns' lines were broken again and again
    assert document.write_pdf(pdf_identifier=b"memo") == plain


@pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/sbin/ldconfig").is_file(),
                    reason="the loader's cache is read on Linux, with ldconfig, only")
def test_loading_weasyprint_finds_its_libraries_in_one_reading_of_the_loader_cache(monkeypatch):
    """While WeasyPrint loads, ``find_library`` answers as the standard one does (the names
    WeasyPrint tries, those that exist and those that do not), from one run of ldconfig, where
    the standard one ran ldconfig, gcc and ld for each name (215 processes for one import)."""
    import ctypes.util
    import subprocess

    from pipeline import pdf

    monkeypatch.delenv("LD_LIBRARY_PATH", raising=False)
    names = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "pango-1.0", "harfbuzz",
             "harfbuzz-subset", "harfbuzz-vector", "fontconfig", "pangoft2-1.0", "c", "m",
             "no-such-library-at-all"]
    standard = {name: ctypes.util.find_library(name) for name in names}
    assert standard["gobject-2.0"] and standard["no-such-library-at-all"] is None
    started: list[object] = []
    popen = subprocess.Popen

    class Counted(popen):  # type: ignore[misc, valid-type]
        def __init__(self, args, *rest, **options):
            started.append(args)
            super().__init__(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", Counted)
    with pdf._libraries_found_by_the_loader_cache():
        quick = {name: ctypes.util.find_library(name) for name in names}
    assert quick == standard
    assert started == [[pdf.LDCONFIG, "-p"]], started
    assert ctypes.util.find_library.__module__ == "ctypes.util", "put back as it was"

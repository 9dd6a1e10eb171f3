"""Fonts: only the repository's, and a character none of them can draw stops the build with its
name and the line it was written on, before anything prints (no box, no font borrowed from the
machine that runs the build)."""

from __future__ import annotations

import shutil

import pytest
import tinycss2

from pipeline import fonts as fonts_module
from pipeline.errors import PipelineError
from pipeline.fonts import FontSet, MissingGlyphs, fonts_of, page_text
from pipeline.project import STYLESHEET
from pipeline.site import asset_files
from pipeline.snapshot import take

from .conftest import LANGUAGES, SMALL
from .helpers import cli, edit, is_complete_pdf, line_of, temp_files

G = "sources/ghouta-2017.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
CSS = "templates/statement.css"
BOLD = "templates/fonts/NotoSerif-Bold.ttf"
WHAT_TO_DO = "replace them in the text or add a font that has them to statement.css"


def build(capsys, project, language: str = "en") -> tuple[int, list[str]]:
    return cli(capsys, project, "build", "ghouta-2017", "--lang", language, "-j1", "-q")


def assert_nothing_printed(project) -> None:
    assert not list(project.output_dir.rglob("*.pdf")), "an edition was printed anyway"
    assert temp_files(project) == []


def test_a_character_no_font_can_draw_fails_the_build_naming_it(small, capsys):
    edit(small, G, "  - Women Now for Development", "  - Women Now for Development 中文 \U0001F600")
    line = line_of(small, G, "中文")
    assert build(capsys, small) == (1, [
        f"{G}:{line}: no font of the edition can draw 3 character(s): "
        "'中' U+4E2D CJK UNIFIED IDEOGRAPH-4E2D, '文' U+6587 CJK UNIFIED IDEOGRAPH-6587, "
        f"'😀' U+1F600 GRINNING FACE; {WHAT_TO_DO}"])
    assert_nothing_printed(small)


def test_a_symbol_only_a_font_of_the_machine_has_is_refused(small, capsys):
    """DejaVu, installed on most machines, has a check mark; the edition's fonts do not. It must
    not be borrowed."""
    edit(small, G, "issuer: Syrian Civil Society Coalition", "issuer: Syrian Civil Society Coalition ✓")
    line = line_of(small, G, "✓")
    assert build(capsys, small) == (1, [
        f"{G}:{line}: no font of the edition can draw 1 character(s): "
        f"'✓' U+2713 CHECK MARK; {WHAT_TO_DO}"])
    assert_nothing_printed(small)


def test_a_character_of_a_translation_no_font_can_draw_refuses_that_language(small, capsys):
    edit(small, AR, 'msgstr "النساء الآن من أجل التنمية"', 'msgstr "النساء الآن من أجل التنمية 中"')
    line = line_of(small, AR, "中")
    assert build(capsys, small, "ar") == (1, [
        f"{AR}:{line}: no font of the edition can draw 1 character(s): "
        f"'中' U+4E2D CJK UNIFIED IDEOGRAPH-4E2D; {WHAT_TO_DO}"])
    assert_nothing_printed(small)


def test_more_than_ten_missing_characters_are_counted_and_ten_named(small, capsys):
    cjk = "".join(chr(0x4E00 + n) for n in range(12))
    edit(small, G, "  - Women Now for Development", f"  - Women Now for Development {cjk}")
    line = line_of(small, G, cjk)
    status, lines = build(capsys, small)
    assert status == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{G}:{line}: no font of the edition can draw 12 character(s): "
                               "'一' U+4E00 CJK UNIFIED IDEOGRAPH-4E00, ")
    assert lines[0].count("CJK UNIFIED IDEOGRAPH") == 10 and lines[0].endswith(WHAT_TO_DO)


def test_a_missing_font_file_is_named_with_its_line(small, capsys):
    (small.root / BOLD).unlink()
    line = line_of(small, CSS, "NotoSerif-Bold.ttf")
    assert build(capsys, small) == (1, [
        f"{CSS}:{line}: the font fonts/NotoSerif-Bold.ttf cannot be read (there is no such file): "
        "put the font file there or correct the url()"])
    assert_nothing_printed(small)


def test_a_font_file_that_is_not_a_font_is_named_with_its_line(small, capsys):
    (small.root / BOLD).write_bytes(b"<html>a web page saved as a font</html>")
    line = line_of(small, CSS, "NotoSerif-Bold.ttf")
    assert build(capsys, small) == (1, [
        f"{CSS}:{line}: the font fonts/NotoSerif-Bold.ttf cannot be read (TTLibError): put a font "
        "file there or correct the url()"])
    assert_nothing_printed(small)


def test_a_font_linked_from_the_machine_is_refused_unread(small, capsys, tmp_path):
    """A link to a font outside the project would make the edition depend on that machine."""
    outside = tmp_path / "MachineSerif-Bold.ttf"
    shutil.copy(small.root / BOLD, outside)
    (small.root / BOLD).unlink()
    (small.root / BOLD).symlink_to(outside)
    assert build(capsys, small) == (1, [
        f"{BOLD}: is a symbolic link to {outside.resolve()}, outside the project: the pipeline "
        "reads only the project's own files; copy the template file here instead"])
    assert_nothing_printed(small)


def test_a_font_family_of_the_machine_in_the_stylesheet_is_refused(small, capsys):
    css = small.root / CSS
    css.write_text(css.read_text("utf-8") + '\nh1 { font-family: "DejaVu Sans"; }\n', "utf-8")
    line = line_of(small, CSS, '"DejaVu Sans"')
    status, lines = build(capsys, small)
    assert status == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"{CSS}:{line}: font-family names 'DejaVu Sans', which is not a "
                               "font of templates/fonts"), lines
    assert_nothing_printed(small)


@pytest.mark.slow
def test_a_stylesheet_weasyprint_cannot_honour_fails_the_build(small, capsys):
    css = small.root / CSS
    css.write_text(css.read_text("utf-8") + "\nh1 { text-shadow: 1px 1px red; }\n", "utf-8")
    line = line_of(small, CSS, "text-shadow")
    assert build(capsys, small) == (1, [
        "output/ghouta-2017/ghouta-2017.en.pdf: WeasyPrint could not print the edition as written: "
        f"Ignored `text-shadow: 1px 1px red` at {line}:6, unknown property."])
    assert_nothing_printed(small)


@pytest.mark.slow
def test_every_character_of_the_statement_is_drawn_by_the_repositorys_fonts(small, capsys):
    """The control: the same statement with the characters the fonts have prints."""
    edit(small, G, "  - Women Now for Development", "  - Women Now for Development — «Ωμέγα» café")
    assert build(capsys, small) == (0, [])
    assert is_complete_pdf((small.output_dir / "ghouta-2017" / "ghouta-2017.en.pdf").read_bytes())


# --- The model: what a page shows, and the stylesheet's fonts, read once ---------------------

PAGE = """<!DOCTYPE html><html><head><title>Qq</title>
<meta name="author" content="Ww">
<style>
@counter-style d { system: numeric; symbols: "٠" "١"; suffix: "؛"; }
@page { @top-left { content: "Rn\\2713"; } @bottom-right { content: counter(page, d) " Pg"; } }
h1 { font-family: "Edition Serif", serif; }
</style></head>
<body><h1>Body &amp; text</h1><img alt="Alt"><script>Jj</script></body></html>"""


def test_a_page_shows_its_body_and_prints_its_own_page_furniture_too():
    """Screens draw the body (and a missing image's alt text); print draws the page margin boxes
    and counter symbols of the page's own style as well. Neither the title, the metadata, the
    scripts nor the CSS itself is drawn."""
    page = page_text(PAGE)
    assert page.shown == "\nBody & textAlt"  # from the end of the head
    assert page.furniture == "٠١؛Rn✓ Pg"
    assert page.printed == page.shown + page.furniture
    assert not set("QqWwJj{}:") & set(page.printed)
    assert page.families == (("Edition Serif", 6), ("serif", 6))


def test_a_character_only_the_page_furniture_prints_is_checked(small):
    """The running title's check mark: no font has it, though the body never shows it."""
    fonts = fonts_of(asset_files(take(small)))
    with pytest.raises(MissingGlyphs, match=r"^e\.pdf: no font of the edition can draw 1 "
                       r"character\(s\): '✓' U\+2713 CHECK MARK; ") as raised:
        fonts.check_page(page_text(PAGE.replace(' serif;', ';')), "e.pdf")
    assert raised.value.characters == ["✓"]


def test_a_family_the_page_names_that_the_stylesheet_does_not_declare_is_named_with_its_line(
        small):
    fonts = fonts_of(asset_files(take(small)))
    with pytest.raises(PipelineError, match=r"^e\.pdf:6: font-family names 'serif', which is "
                       "not a font of templates/fonts"):
        fonts.check_page(page_text(PAGE.replace("\\2713", "")), "e.pdf")
    fonts.check_page(page_text(PAGE.replace("\\2713", "").replace(" serif;", ";")), "e.pdf")


def test_the_stylesheet_and_fonts_are_read_once(small, monkeypatch):
    """The build's checks, the glyph check of each edition, the printer and the web fonts share
    one reading of the stylesheet, kept by its bytes and the fonts'; changed bytes are read
    again."""
    assets = asset_files(take(small))
    readings = []
    real = tinycss2.parse_stylesheet
    monkeypatch.setattr(tinycss2, "parse_stylesheet",
                        lambda *args, **kwargs: readings.append(1) or real(*args, **kwargs))
    fonts_module._read_fonts.cache_clear()
    first = fonts_of(assets)
    assert fonts_of(dict(assets)) is first and fonts_of(asset_files(take(small))) is first
    assert len(readings) == 1
    changed = {**assets, STYLESHEET: assets[STYLESHEET] + b"\n/* saved again */\n"}
    assert fonts_of(changed) is not first and len(readings) == 2
    assert fonts_of(changed).families == first.families == {"Edition Serif", "Edition Naskh"}


def test_a_font_the_pdf_embeds_that_the_stylesheet_does_not_declare_is_refused(small):
    fonts = fonts_of(asset_files(take(small)))
    fonts.check_embedded(["Edition-Serif-Bold", "Edition-Naskh"], "e.pdf")
    with pytest.raises(PipelineError, match=r"^e\.pdf: the edition used the font\(s\) DejaVuSans, "
                       "which are not fonts of templates/fonts"):
        fonts.check_embedded(["Edition-Serif", "DejaVuSans"], "e.pdf")


@pytest.mark.slow
def test_a_build_reads_the_stylesheet_once_and_each_page_once(small, capsys, monkeypatch):
    """One reading of the stylesheet and its fonts serves the checks, every edition's glyph
    check, the printer and the web fonts; each page's text is read once, for its glyph check
    and for the web fonts, and each edition is checked once."""
    checked = []
    real = FontSet.check_page
    monkeypatch.setattr(FontSet, "check_page", lambda fonts, page, where: (
        checked.append(where), real(fonts, page, where))[1])
    fonts_module._read_fonts.cache_clear()
    fonts_module.page_text.cache_clear()
    assert cli(capsys, small, "build", "-j1", "-q") == (0, [])
    pdfs = sorted(small.relative(p) for p in small.output_dir.rglob("*.pdf"))
    assert len(pdfs) == len(SMALL) * (len(LANGUAGES) + 1) and sorted(checked) == pdfs
    assert fonts_module._read_fonts.cache_info().misses == 1
    assert fonts_module.page_text.cache_info().misses == len(pdfs) + 1  # and the index

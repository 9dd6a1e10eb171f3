"""Fonts: only the repository's, and a character none of them can draw stops the build."""

import pytest

from pipeline.cli import main

pytestmark = pytest.mark.slow


def test_a_character_no_font_can_draw_fails_the_build_naming_it(project, capsys):
    source = project.sources_dir / "sochi-2018.yaml"
    source.write_text(source.read_text("utf-8").replace(
        "  - Zaiton Magazine", "  - Zaiton Magazine 中文 \U0001F600"), "utf-8")
    assert main(["build", "-C", str(project.root), "--lang", "en", "-j1"]) == 1
    errors = capsys.readouterr().err
    assert ("output/sochi-2018/sochi-2018.en.pdf: no font of the edition can draw 3 character(s): "
            "'中' U+4E2D CJK UNIFIED IDEOGRAPH-4E2D, '文' U+6587 CJK UNIFIED IDEOGRAPH-6587, "
            "'😀' U+1F600 GRINNING FACE") in errors
    assert not (project.output_dir / "sochi-2018" / "sochi-2018.en.pdf").exists()


def test_a_stylesheet_weasyprint_cannot_honour_fails_the_build(project, capsys):
    css = project.templates_dir / "statement.css"
    css.write_text(css.read_text("utf-8") + "\nh1 { text-shadow: 1px 1px red; }\n", "utf-8")
    assert main(["build", "-C", str(project.root), "--lang", "en", "-j1"]) == 1
    assert "WeasyPrint could not print the edition as written: Ignored `text-shadow: 1px 1px red`" \
        in capsys.readouterr().err


def test_a_missing_font_file_is_named_with_its_line(project, capsys):
    (project.templates_dir / "fonts" / "NotoSerif-Bold.ttf").unlink()
    assert main(["build", "-C", str(project.root), "--lang", "en", "-j1"]) == 1
    err = capsys.readouterr().err
    assert "templates/statement.css:5: the font fonts/NotoSerif-Bold.ttf cannot be read" in err

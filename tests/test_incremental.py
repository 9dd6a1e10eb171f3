"""Fast and reproducible regeneration: incremental, byte-identical, verifiable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.build import build
from pipeline.cli import main

from .conftest import copy_project

pytestmark = pytest.mark.slow


def outputs(project) -> dict[str, tuple[int, int]]:
    """Each edition file with its inode and modification time: a rewrite changes both."""
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in sorted((project.output_dir / "sochi-2018").glob("sochi-2018.*.*"))}


def run_cli(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "-C", str(project.root)],
                          capture_output=True, text=True)


def test_a_build_with_nothing_to_do_rewrites_nothing_and_never_imports_weasyprint(project):
    build(project, jobs=1)
    before = outputs(project)
    code = ("import sys; from pipeline.cli import main; status = main(['build', '-C', sys.argv[1]]); "
            "print('weasyprint' in sys.modules); sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", code, str(project.root)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert "sochi-2018.ar: up to date" in result.stderr
    assert outputs(project) == before


def test_editing_the_arabic_catalog_rebuilds_only_what_shows_arabic(project):
    build(project, jobs=1)
    before = outputs(project)
    path = project.catalog_path("ar")
    path.write_text(path.read_text("utf-8").replace('msgstr "الموقعون"',
                                                    'msgstr "المنظمات الموقّعة"'), "utf-8")
    report = build(project, jobs=1)
    assert [r.target for r in report.built if not r.skipped] == ["sochi-2018.ar",
                                                                 "sochi-2018.bilingual"]
    after = outputs(project)
    assert after["sochi-2018.en.pdf"] == before["sochi-2018.en.pdf"]
    assert after["sochi-2018.en.html"] == before["sochi-2018.en.html"]
    assert after["sochi-2018.ar.pdf"] != before["sochi-2018.ar.pdf"]


def test_a_template_change_rebuilds_every_language_and_force_rebuilds_all(project):
    build(project, jobs=1)
    css = project.templates_dir / "statement.css"
    css.write_text(css.read_text("utf-8").replace("color: #111;", "color: #000;"), "utf-8")
    assert len([r for r in build(project, jobs=1).built if not r.skipped]) == 3
    assert len([r for r in build(project, jobs=1).built if not r.skipped]) == 0
    assert len([r for r in build(project, force=True, jobs=1).built if not r.skipped]) == 3


def test_a_damaged_output_file_is_rebuilt(project):
    build(project, jobs=1)
    pdf = project.output_dir / "sochi-2018" / "sochi-2018.en.pdf"
    pdf.write_bytes(pdf.read_bytes()[:100])
    assert [r.target for r in build(project, jobs=1).built if not r.skipped] == ["sochi-2018.en"]


def test_separate_processes_in_separate_folders_give_identical_bytes(tmp_path):
    first = copy_project(tmp_path / "first")
    second = copy_project(tmp_path / "second" / "elsewhere")
    assert run_cli(first, "build", "-j", "1").returncode == 0
    assert run_cli(second, "build", "-j", "2").returncode == 0
    for name in ("sochi-2018.en.pdf", "sochi-2018.ar.pdf", "sochi-2018.en.html",
                 "sochi-2018.ar.html"):
        a = (first.output_dir / "sochi-2018" / name).read_bytes()
        b = (second.output_dir / "sochi-2018" / name).read_bytes()
        assert a == b, name
        assert str(tmp_path).encode() not in a, f"{name} records the folder it was built in"


def test_verify_names_a_file_that_differs(project, capsys):
    build(project, jobs=1)
    assert main(["verify", "-C", str(project.root)]) == 0
    html = project.output_dir / "sochi-2018" / "sochi-2018.ar.html"
    html.write_text(html.read_text("utf-8").replace("الموقعون", "الموقعين"), "utf-8")
    assert main(["verify", "-C", str(project.root)]) == 1
    assert "output/sochi-2018/sochi-2018.ar.html: differs from a fresh build" in capsys.readouterr().err


def test_reordering_signatories_reprints(project):
    build(project, jobs=1)
    source = project.sources_dir / "sochi-2018.yaml"
    text = source.read_text("utf-8")
    source.write_text(text.replace("  - Zaiton Magazine\n  - Zenobia, Syrian Women's Association\n",
                                   "  - Zenobia, Syrian Women's Association\n  - Zaiton Magazine\n"),
                      "utf-8")
    printed = [r.target for r in build(project, jobs=1).built if not r.skipped]
    assert printed == ["sochi-2018.ar", "sochi-2018.en", "sochi-2018.bilingual"]


def test_building_one_language_keeps_the_links_to_the_others(project):
    build(project, jobs=1)
    path = project.catalog_path("en")
    path.write_text(path.read_text("utf-8").replace('msgid "Signatories"\nmsgstr ""',
                                                    'msgid "Signatories"\nmsgstr "Signed by"'),
                    "utf-8")
    build(project, languages=["en"], jobs=1)
    html = (project.output_dir / "sochi-2018" / "sochi-2018.en.html").read_text("utf-8")
    assert "Signed by" in html and 'hreflang="ar-SY" href="sochi-2018.ar.html"' in html


def test_an_editor_swap_file_in_templates_changes_nothing(project):
    build(project, jobs=1)
    (project.templates_dir / ".statement.css.swp").write_bytes(b"vim swap")
    (project.templates_dir / "statement.css~").write_bytes(b"backup")
    assert not [r for r in build(project, jobs=1).built if not r.skipped]
    assert not list((project.output_dir / "_assets").glob("*~"))

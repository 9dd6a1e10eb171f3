"""``make``, as an editor runs it: a statement with a mistake is reported, with its file and line,
while every other statement is brought up to date and printed; and ``make`` fails at the end."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, make_project


@pytest.mark.slow
def test_make_prints_every_statement_it_can_and_fails_naming_the_mistake(tmp_path):
    project = make_project(tmp_path / "p", ("sochi-2018",))
    shutil.copy2(ROOT / "Makefile", project.root / "Makefile")
    (project.root / "sources/broken-2020.yaml").write_text(
        "id: broken-2020\ntitle: [unclosed\ndate: 2020\n", "utf-8")
    run = subprocess.run(["make", "-o", ".venv/.installed", "build", f"PY={sys.executable}"],
                         cwd=project.root, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "sources/broken-2020.yaml:3: YAML syntax error" in run.stderr, run.stderr
    for variant in ("en", "ar", "fa", "fr", "bilingual"):
        assert (project.output_dir / f"sochi-2018/sochi-2018.{variant}.pdf").is_file()
    template = (project.root / "locales/statements.pot").read_text("utf-8")
    # the update ran, though it failed: the template is this project's (the fixture's names
    # three statements), and the build after it printed
    assert "sochi-2018" in template and "ghouta-2017" not in template

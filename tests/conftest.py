"""Shared fixtures: copies of the real project (so tests never touch the repository's files),
and one build of every edition for the tests that read the PDFs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.project import Project

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
PROJECT_FILES = ("sources", "locales", "templates", "babel.cfg", "pyproject.toml")


def copy_project(destination: Path) -> Project:
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy2(source, destination / name)
    return Project.at(destination)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A private copy of the repository's project, free to edit."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Project:
    """The real project built once, every statement in every language."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    report = build(project, jobs=2)
    assert not report.refused, [str(e) for e in report.refused]
    return project


@pytest.fixture(scope="session")
def seed() -> dict:
    """The statement's original text: title, subtitle, date, paragraphs and signatories."""
    lines = [line.strip() for line in (DATA / "sochi-2018.seed.txt").read_text("utf-8").splitlines()]
    lines = [line for line in lines if line]
    heading = lines.index("Signatories:")
    return {
        "title": lines[0], "subtitle": lines[1], "date": lines[2],
        "paragraphs": lines[3:heading],
        "signatories": [re.sub(r"^\d+\.\s+", "", line) for line in lines[heading + 1:]],
    }

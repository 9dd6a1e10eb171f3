"""The WeasyPrint the pipeline prints with: its layout fixes (pipeline/weasyfixes.py), its
tagging and its print-shop finishing reach into WeasyPrint's internals, so they are tied to the
version they were checked with. ``pyproject.toml`` pins that range; another version is refused
before anything prints, saying what to do."""

from __future__ import annotations

import importlib
import re
import sys
import tomllib

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

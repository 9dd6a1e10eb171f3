"""The desk's everyday work, as the README tells a new user to do it, with a statement of another
shape than the fixture's: drafted in Arabic (English the translation), a section heading, a
numbered list of demands, strong and emphasis, a link to an 89-character OHCHR address, and
signatories given in both languages, in Arabic only and in Latin letters only."""

from __future__ import annotations

import shutil
import unicodedata

import pytest

from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.build import build
from pipeline.commands.update import update
from pipeline.model import Target
from pipeline.plan import Request

from .conftest import FIXTURES, keep_languages, make_project
from .test_planner import broken_links, output_files
from .test_sections import structure_types

STATEMENT = "detainees-2021"
LINK = "https://www.ohchr.org/en/hr-bodies/hrc/iici-syria/independent-international-commission"
ENGLISH = {  # a distinctive part of each Arabic text -> its English translation
    "أوقفوا الإخفاء": "Stop Enforced Disappearances in Syria",
    "في اليوم الدولي": (
        "On the International Day of the Victims of Enforced Disappearances, the undersigned "
        "organisations recall that **more than one hundred thousand people** are still missing "
        "in Syria, and that their families *have waited for years* for news of their fate."),
    "## مطالبنا": "## Our demands",
    "تطالب المنظمات": (
        "The undersigned organisations call on all parties to the conflict to:\n"
        "1. disclose the fate of the disappeared and where they are held;\n"
        "2. allow independent monitors into every place of detention without restriction;\n"
        "3. release at once everyone who is arbitrarily detained."),
    "وتدعو المنظمات": (
        "The organisations call on member states to support the work of the "
        f"[Independent International Commission of Inquiry on Syria]({LINK}) and to establish "
        "an independent international mechanism for the missing."),
    "رابطة معتقلي": "Association of Detainees and the Missing in Sednaya Prison",
    "ائتلاف منظمات": "Coalition of Syrian Civil Society Organisations",
}


def translate_english(project) -> int:
    path = project.root / "locales/en/LC_MESSAGES/statements.po"
    catalog = read_catalog(path.read_bytes(), path.name, "en")
    done = 0
    for entry in catalog.entries:
        for key, english in ENGLISH.items():
            if not entry.obsolete and key in entry.msgid:
                entry.msgstr, done = english, done + 1
                entry.flags.discard("fuzzy")
    path.write_bytes(serialise(catalog))
    return done


@pytest.mark.slow
def test_a_statement_drafted_in_arabic_with_a_long_link_and_a_heading(tmp_path):
    project = keep_languages(make_project(tmp_path / "p", ("ghouta-2017",)), "en", "ar")
    shutil.copy2(FIXTURES / "desk" / f"{STATEMENT}.yaml", project.root / "sources")
    update(project)
    report = build(project)
    printed = {p.target for p in report.printed}
    # The Arabic edition prints at once; English and bilingual wait for the translation.
    assert Target(STATEMENT, "ar") in printed
    assert Target(STATEMENT, "en") not in printed and Target(STATEMENT, "bilingual") not in printed
    refused = "\n".join(str(p) for e in report.refused for p in e.problems)
    assert f"{STATEMENT}.en is not printed" in refused
    assert "locales/en/LC_MESSAGES/statements.po:" in refused  # with the catalog's line
    folder = project.output_dir / STATEMENT
    arabic = (folder / f"{STATEMENT}.ar.html").read_text("utf-8")
    assert f'href="{LINK}"' in arabic and "<h2" in arabic and "مطالبنا" in arabic
    assert f"{STATEMENT}.en.html" not in arabic, "never a link to an edition that is not there"
    assert broken_links(output_files(project)) == []

    assert translate_english(project) == len(ENGLISH)
    update(project)
    report = build(project)
    assert report.refused == []
    assert {Target(STATEMENT, "en"), Target(STATEMENT, "bilingual")} <= {
        p.target for p in report.printed}
    english = (folder / f"{STATEMENT}.en.html").read_text("utf-8")
    # (a heading's last two words are bound by a no-break space, as a title's are)
    assert f'href="{LINK}"' in english and "Our\u00a0demands</h2>" in english
    assert f"{STATEMENT}.en.html" in (folder / f"{STATEMENT}.ar.html").read_text("utf-8")
    for variant in ("ar", "en"):
        assert structure_types(folder / f"{STATEMENT}.{variant}.pdf").count("/H2") == 2
    assert broken_links(output_files(project)) == []


@pytest.mark.slow
def test_the_colophon_never_stands_alone_on_a_page(tmp_path):
    """A new user's Arabic statement with 23 signatories filled page 1 exactly, and page 2 held
    only the colophon's version line."""
    import pypdf

    project = make_project(tmp_path / "p", ())
    shutil.copy2(FIXTURES / "desk" / "earthquake-2023.yaml", project.root / "sources")
    update(project)
    build(project, Request(languages=("ar",)))
    pdf = pypdf.PdfReader(project.output_dir / "earthquake-2023/earthquake-2023.ar.pdf")
    last = " ".join("".join(c for c in pdf.pages[-1].extract_text()  # the text layer's marks
                            if unicodedata.category(c) != "Cf").split())
    assert "٢٣" in last or "23" in last, f"the last page holds no signatory: {last[:200]}"

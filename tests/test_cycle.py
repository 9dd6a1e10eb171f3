"""The edit and translation cycle: update with fuzzy tracking, checks, release and draft builds,
new languages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from pipeline.build import build, check, init, update
from pipeline.catalogs import read_catalog
from pipeline.cli import main
from pipeline.errors import PipelineError

PARAGRAPH_3 = "Russia’s military intervention in Syria and its repeated use of the veto"


def edit_source(project, old: str, new: str) -> None:
    path = project.sources_dir / "sochi-2018.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def arabic(project):
    return read_catalog(project.catalog_path("ar"), "ar.po", "ar")


def fuzzy_of(catalog):
    return [m for m in catalog if m.id and m.fuzzy]


def test_a_one_word_edit_keeps_the_translation_as_fuzzy(project):
    old = {(m.context, m.id): m.string for m in arabic(project) if m.id}
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    [changed] = fuzzy_of(arabic(project))
    assert changed.context == "paragraph" and "repeated abuse of the veto" in changed.id
    assert changed.previous_id and "repeated use of the veto" in changed.previous_id[0]
    assert changed.string == old[("paragraph", changed.previous_id[0])]
    text = project.catalog_path("ar").read_text("utf-8")
    assert '#| msgid ""\n#| "Russia’s military intervention' in text
    # every other translation untouched
    for message in arabic(project):
        if message.id and not message.fuzzy:
            assert message.string == old[(message.context, message.id)]
    # the English catalog gets the new message too, empty as in the source
    english = read_catalog(project.catalog_path("en"), "en.po", "en")
    assert not [m for m in english if m.id and m.fuzzy]


@pytest.mark.parametrize("n", range(6))
def test_every_real_paragraph_keeps_its_translation_through_a_one_word_edit(project, n):
    catalog = arabic(project)
    paragraph = [m for m in catalog if m.context == "paragraph"][n]
    words = paragraph.id.split()
    middle = len(words) // 2
    edited = " ".join(words[:middle] + ["EDITED"] + words[middle + 1:])
    source = project.sources_dir / "sochi-2018.yaml"
    text = source.read_text("utf-8")
    import yaml
    data = yaml.safe_load(text)
    data["body"][n] = edited
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    update(project)
    [changed] = fuzzy_of(arabic(project))
    assert changed.id == edited and changed.string == paragraph.string


def test_a_previous_msgid_survives_another_update(project):
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    update(project)
    [changed] = fuzzy_of(arabic(project))
    assert "repeated use of the veto" in changed.previous_id[0]


def test_a_new_signatory_never_inherits_a_neighbours_translation(project):
    edit_source(project, "  - Local Council of Namir\n",
                "  - Local Council of Namir\n  - Local Council of Namira\n")
    update(project)
    catalog = arabic(project)
    new = catalog.get("Local Council of Namira", context="signatory")
    assert new is not None and new.string == "" and not new.fuzzy
    assert not fuzzy_of(catalog)


def test_a_removed_message_becomes_obsolete_not_lost(project):
    edit_source(project, "  - Zaiton Magazine\n", "")
    update(project)
    text = project.catalog_path("ar").read_text("utf-8")
    assert '#~ msgctxt "signatory"\n#~ msgid "Zaiton Magazine"\n#~ msgstr "مجلة زيتون"' in text


def test_update_rewrites_nothing_when_nothing_changed(project):
    update(project)
    stamps = {p: p.stat().st_mtime_ns for p in project.locales_dir.rglob("*.po*")}
    update(project)
    assert {p: p.stat().st_mtime_ns for p in project.locales_dir.rglob("*.po*")} == stamps


def test_the_whole_edit_cycle(project, capsys):
    # edit a paragraph -> update -> exactly one fuzzy Arabic entry that kept its old translation
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    [changed] = fuzzy_of(arabic(project))
    # build refuses Arabic, lists the message with file:line, and still builds English
    assert main(["build", "-C", str(project.root)]) == 1
    assert (project.output_dir / "sochi-2018" / "sochi-2018.en.pdf").is_file()
    assert not (project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf").exists()
    errors = capsys.readouterr().err.splitlines()
    assert any(e.startswith("sources/sochi-2018.yaml: sochi-2018.ar is not printed: 0 "
                            "untranslated, 1 fuzzy") for e in errors)
    assert any(e.startswith(f"locales/ar/LC_MESSAGES/statements.po:{changed.lineno}: paragraph "
                            "'Russia’s military intervention") and "is fuzzy" in e for e in errors)
    # the translator revises the translation -> build passes
    path = project.catalog_path("ar")
    path.write_text(path.read_text("utf-8").replace("#, fuzzy\n", "", 1), "utf-8")
    assert main(["build", "-C", str(project.root)]) == 0
    assert (project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf").is_file()


def test_a_draft_marks_every_page_and_every_fallback(project):
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    report = build(project, languages=["ar"], draft=True, jobs=1)
    assert not report.refused
    html = (project.output_dir / "sochi-2018" / "sochi-2018.ar.html").read_text("utf-8")
    assert '<p lang="en" dir="ltr" class="fallback">Russia’s military intervention' in html
    reader = PdfReader(project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf")
    for page in reader.pages:
        assert "مسودة" in page.extract_text()


def test_provenance_names_the_source_and_catalog_versions(project):
    build(project, jobs=1)
    arabic_pdf = PdfReader(project.output_dir / "sochi-2018" / "sochi-2018.ar.pdf")
    english_pdf = PdfReader(project.output_dir / "sochi-2018" / "sochi-2018.en.pdf")
    source_version = arabic_pdf.metadata["/sourceversion"]
    assert english_pdf.metadata["/sourceversion"] == source_version
    assert arabic_pdf.metadata["/catalogversion"] != english_pdf.metadata["/catalogversion"]
    assert source_version in arabic_pdf.pages[-1].extract_text()
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    build(project, languages=["en"], jobs=1)
    edited = PdfReader(project.output_dir / "sochi-2018" / "sochi-2018.en.pdf")
    assert edited.metadata["/sourceversion"] != source_version


def test_init_a_new_language_builds_a_right_to_left_draft(project):
    path = init(project, "fa")
    text = path.read_text("utf-8")
    assert '"Language: fa\\n"' in text and "nplurals=2" in text
    report = build(project, languages=["fa"], jobs=1)
    assert report.refused and not report.built  # untranslated: no release
    report = build(project, languages=["fa"], draft=True, jobs=1)
    assert not report.refused
    html = (project.output_dir / "sochi-2018" / "sochi-2018.fa.html").read_text("utf-8")
    assert '<html lang="fa" dir="rtl" data-script="Arab">' in html
    assert "۲۰۱۸" in html  # Persian digits in the date


def test_init_left_to_right_language(project):
    init(project, "fr")
    build(project, languages=["fr"], draft=True, jobs=1)
    html = (project.output_dir / "sochi-2018" / "sochi-2018.fr.html").read_text("utf-8")
    assert '<html lang="fr" dir="ltr" data-script="Latn">' in html and "janvier 2018" in html


@pytest.mark.parametrize("code", ["../x", "xx", "ar/../../etc", "", "EN"])
def test_init_refuses_bad_codes_and_creates_nothing(project, code):
    before = sorted(p for p in project.root.rglob("*"))
    with pytest.raises(PipelineError, match="is not a language code known to CLDR"):
        init(project, code)
    assert sorted(p for p in project.root.rglob("*")) == before


def test_init_refuses_an_existing_language(project):
    with pytest.raises(PipelineError, match="exists already"):
        init(project, "ar")


def test_check_reports_counts_and_problems_with_lines(project, capsys):
    path = project.catalog_path("ar")
    text = path.read_text("utf-8")
    text = text.replace('msgstr "الموقعون"', 'msgstr "الموقعون\u202e"')
    text = text.replace("%(page)s من %(pages)s", "%(page)s من %(total)s")
    text = text.replace('msgstr "المجلس المحلي في نوى"', 'msgstr "<b>المجلس المحلي في نوى</b>"')
    text = text.replace('msgstr "مجلة زيتون"', 'msgstr "Zaiton Magazine"')
    text = text.replace('msgstr "كش ملك"', 'msgstr " كش ملك"')
    path.write_text(text, "utf-8")
    [result] = check(project, languages=["ar"])
    messages = [str(f) for f in result.status.findings]
    assert any("error: 'Signatories': contains the invisible or control character U+202E" in m
               for m in messages)
    assert any("error: 'Page %(page)s of %(pages)s': the placeholders" in m for m in messages)
    assert any("signatory 'Local Council of Nawa': the markup differs" in m for m in messages)
    assert any("warning: signatory 'Zaiton Magazine': likely a copy" in m for m in messages)
    assert any("signatory 'Kesh Malek': leading or trailing white space" in m for m in messages)
    assert all(m.startswith("locales/ar/LC_MESSAGES/statements.po:") for m in messages)
    assert main(["check", "-C", str(project.root), "--lang", "ar", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report[0]["language"] == "ar" and not report[0]["releasable"]
    assert main(["check", "-C", str(project.root), "--lang", "en"]) == 0


def test_the_shipped_catalogs_pass_check(project):
    results = check(project)
    assert [r.status.findings for r in results] == [[], []]
    assert all(r.status.percent == 100 for r in results)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is missing")
def test_updated_catalogs_stay_standard(project, tmp_path):
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    for code in ("ar", "en"):
        po = project.catalog_path(code)
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-i", str(po),
                        "-o", str(tmp_path / f"{code}.mo"), "-l", code], check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i",
                        str(project.template_path), "-o", str(tmp_path / f"{code}.po"), "-l",
                        code, "--init-missing"], check=True, capture_output=True)


def test_an_untranslated_entry_leaves_no_obsolete_trace(project):
    """The source language's catalog holds empty entries ("as in the source"): an edited
    paragraph leaves nothing behind there, while a translated one is kept as obsolete."""
    edit_source(project, "repeated use of the veto", "repeated abuse of the veto")
    update(project)
    assert "#~" not in project.catalog_path("en").read_text("utf-8")
    assert "#~" not in project.catalog_path("ar").read_text("utf-8")  # it became fuzzy instead


def test_a_refused_language_lists_a_dozen_problems_then_points_to_check(project, capsys):
    init(project, "fa")
    assert main(["build", "-C", str(project.root), "--lang", "fa", "-q"]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("sources/sochi-2018.yaml: sochi-2018.fa is not printed: "
                                "147 untranslated, 0 fuzzy, 147 problem(s)")
    assert len(errors) == 1 + 12 + 1
    assert errors[-1] == ("locales/fa/LC_MESSAGES/statements.po: ... and 135 more: "
                          "`python -m pipeline check --lang fa` lists them all")


def test_a_signatory_that_leaves_and_returns_gets_its_translation_back(project):
    edit_source(project, "  - Zenobia, Syrian Women's Association\n", "")
    update(project)
    edit_source(project, "  - Zaiton Magazine\n",
                "  - Zaiton Magazine\n  - Zenobia, Syrian Women's Association\n")
    update(project)
    catalog = arabic(project)
    returned = catalog.get("Zenobia, Syrian Women's Association", context="signatory")
    assert returned.string == "زنوبيا، جمعية النساء السوريات" and not returned.fuzzy
    assert not catalog.obsolete


def test_a_catalog_saved_by_msgmerge_previous_is_accepted(project):
    path = project.catalog_path("ar")
    path.write_text(path.read_text("utf-8") + '\n#, fuzzy\n#~| msgid "Old text"\n'
                    '#~ msgid "Newer text"\n#~ msgstr "نص"\n', "utf-8")
    assert check(project, languages=["ar"])[0].status.releasable


def test_persian_joiners_are_spelling_not_trojan_characters(project):
    init(project, "fa")
    path = project.catalog_path("fa")
    path.write_text(path.read_text("utf-8").replace(
        'msgid "Signatories"\nmsgstr ""', 'msgid "Signatories"\nmsgstr "امضا\u200cکنندگان"'),
        "utf-8")
    [result] = check(project, languages=["fa"])
    assert not [f for f in result.status.findings if "Signatories" in f.message]

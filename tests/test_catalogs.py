"""The shipped catalogs, and keeping catalogs in step with the sources."""

import shutil
import subprocess

import pytest

from pipeline.build import update
from pipeline.catalogs import read_catalog


def test_the_arabic_catalog_is_complete_with_six_plural_forms(project):
    catalog = read_catalog(project.catalog_path("ar"), "ar.po", "ar")
    assert catalog.num_plurals == 6
    messages = [m for m in catalog if m.id]
    assert len(messages) == 147
    assert not [m.id for m in messages if m.fuzzy]
    for message in messages:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) in (1, 6) and all(strings), message.id
    assert not catalog.obsolete


def test_arabic_uses_arabic_punctuation(project):
    catalog = read_catalog(project.catalog_path("ar"), "ar.po", "ar")
    text = " ".join(m.string for m in catalog if m.id and m.context == "paragraph")
    assert "،" in text and "«" in text and "»" in text
    assert not any(mark in text for mark in (",", "“", "”", ";", "?"))


def test_names_are_written_in_arabic_except_latin_brands(project):
    catalog = read_catalog(project.catalog_path("ar"), "ar.po", "ar")
    names = {m.id: m.string for m in catalog if m.context == "signatory"}
    assert names["Syrian Civil Defence (The White Helmets)"] == "الدفاع المدني السوري (الخوذ البيضاء)"
    assert names["Local Council of Nawa"] == "المجلس المحلي في نوى"
    assert names["Scotland4Syria"] == "Scotland4Syria"
    assert "Help4Syria" in names["Help4Syria, UK"] and "المملكة المتحدة" in names["Help4Syria, UK"]
    assert len(set(names.values())) == 133, "two organisations share an Arabic name"


def test_the_repository_catalogs_are_up_to_date(project):
    """`update` on a fresh checkout changes nothing: no timestamp-only churn, nothing stale."""
    files = [project.template_path] + [project.catalog_path(code) for code in ("ar", "en")]
    before = [path.read_bytes() for path in files]
    update(project)
    assert [path.read_bytes() for path in files] == before


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is missing: run "
                    "tools/system-packages test")
def test_gnu_msgfmt_accepts_the_catalogs(project):
    for code in ("ar", "en"):
        subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(project.catalog_path(code))],
                       check=True, capture_output=True)

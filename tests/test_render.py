"""Rendering: language, direction, dates, digits, plurals, escaping and bidi isolation."""

import re

import pytest
from babel import Locale
from babel.core import get_global

from pipeline.build import needed_messages
from pipeline.catalogs import Lookup, read_catalog
from pipeline.language import NUMBERING_SYSTEM_ZERO, language
from pipeline.messages import extract_template
from pipeline.render import FSI, PDI, Provenance, css_string, render_edition
from pipeline.source import load_statements

PROVENANCE = Provenance("source123456", "catalog12345")


def render(project, code, draft=False):
    [statement] = load_statements(project)
    catalog = read_catalog(project.catalog_path(code), "test.po", code)
    edition_language = language(code, project.formatting_locale(code))
    return render_edition(project, statement, edition_language, Lookup(code, catalog), PROVENANCE,
                          draft=draft).html


def test_english_edition(project):
    html = render(project, "en")
    assert '<html lang="en-GB" dir="ltr" data-script="Latn">' in html
    assert '<time datetime="2018-01-03">3 January 2018</time>' in html
    assert "133 organisations signed this statement." in html
    assert "Syrians for Truth and Justice - STJ" in html


def test_arabic_edition_is_right_to_left_with_syrian_conventions(project):
    html = render(project, "ar")
    assert '<html lang="ar-SY" dir="rtl" data-script="Arab">' in html
    assert '<time datetime="2018-01-03">٣ كانون الثاني ٢٠١٨</time>' in html
    # 133 takes CLDR's "many" form: a singular accusative noun after the number.
    assert "وقّعت ١٣٣ منظمةً على هذا البيان." in html
    assert "الدفاع المدني السوري (الخوذ البيضاء)" in html
    assert 'symbols: "٠" "١" "٢" "٣" "٤" "٥" "٦" "٧" "٨" "٩"' in html
    assert 'counter(page, edition-digits)' in html


def test_latin_runs_in_arabic_are_isolated(project):
    html = render(project, "ar")
    assert f"{FSI}Help4Syria{PDI}، المملكة المتحدة" in html
    assert f"{FSI}(SAC){PDI}" in html
    assert FSI not in render(project, "en")


def test_latin_phrases_are_isolated_whole():
    from pipeline.render import isolate_latin

    assert isolate_latin("Syrian Network for Human Rights (SNHR)") == \
        f"{FSI}Syrian Network for Human Rights (SNHR){PDI}"
    assert isolate_latin("Group 2011") == f"{FSI}Group 2011{PDI}"
    assert isolate_latin("مؤسسة FREE-Syria") == f"مؤسسة {FSI}FREE-Syria{PDI}"
    assert isolate_latin("وقّعت %(num)s منظمات") == "وقّعت %(num)s منظمات"


def test_numbers_use_the_locales_digits_and_separators():
    assert language("ar", "ar_SY").format_number(1234) == "١٬٢٣٤"
    assert language("en", "en_GB").format_number(1234) == "1,234"


def test_page_furniture_is_mirrored(project):
    arabic, english = render(project, "ar"), render(project, "en")
    assert "@top-right { content: string(running-title); }" in arabic
    assert "@top-left { content: string(running-title); }" in english
    assert "@bottom-left {" in arabic and "@bottom-right {" in english


def test_statement_text_never_becomes_markup(project):
    path = project.sources_dir / "sochi-2018.yaml"
    hostile = ("<script>alert(1)</script> <img src=file:///etc/passwd> {{ 7*7 }} "
               "</style> url(file:///etc/passwd)")
    text = path.read_text("utf-8").replace(
        "title: Sochi Conference Threatens Syria Peace Process", f"title: '{hostile}'")
    path.write_text(text, "utf-8")
    html = render(project, "en")
    assert "<script>" not in html and "<img src" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("<title>")[1].split("</title>")[0]


def test_a_translation_never_becomes_markup(project):
    path = project.catalog_path("ar")
    text = path.read_text("utf-8").replace('msgstr "الموقعون"',
                                           'msgstr "<b onclick=x>الموقعون</b>"')
    path.write_text(text, "utf-8")
    html = render(project, "ar").replace(FSI, "").replace(PDI, "")
    assert "&lt;b onclick=x&gt;الموقعون&lt;/b&gt;" in html


def test_css_strings_cannot_be_broken_out_of():
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'


def test_every_default_numbering_system_has_digits():
    systems = {Locale.parse(code).default_numbering_system
               for code in ("ar_SY", "fa", "bn", "hi_IN", "my", "dz", "en")}
    assert systems <= set(NUMBERING_SYSTEM_ZERO)
    import unicodedata
    for system, zero in NUMBERING_SYSTEM_ZERO.items():
        assert [unicodedata.decimal(chr(zero + n)) for n in range(10)] == list(range(10)), system
    assert get_global("likely_subtags")  # the data direction and script come from


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("ckb", "rtl"),
                                                 ("he", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_direction_comes_from_cldr(code, direction):
    assert language(code).direction == direction


def test_the_arabic_catalog_serves_every_message_the_edition_needs(project):
    [statement] = load_statements(project)
    needed = needed_messages(statement, extract_template(project))
    lookup = Lookup("ar", read_catalog(project.catalog_path("ar"), "ar.po", "ar"))
    for key, source_language, _ in needed:
        lookup.translate(key[0], key[1], source_language)
    assert lookup.fallbacks == []
    assert not re.search(r"[A-Za-z]{4,}", lookup.translate("paragraph",
                                                          statement.body[0].value, "en")[0])

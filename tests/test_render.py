"""Rendering HTML (no PDF): language, direction, dates, digits, plurals, formatting, escaping,
bidi isolation, and the sandbox the templates run in."""

from __future__ import annotations

import re
import unicodedata

import pytest
from babel import Locale

from pipeline.commands.build import render
from pipeline.errors import PipelineError
from pipeline.language import NUMBERING_SYSTEM_ZERO, language
from pipeline.model import BILINGUAL, Target
from pipeline.parse import parse
from pipeline.plan import Request, make_plan
from pipeline.project import Project
from pipeline.snapshot import catalog_languages, take
from pipeline.templating import css_string
from pipeline.text import FSI, PDI, isolate_latin

from .helpers import add_arabic_statement, add_entry, edit


def html_of(project: Project, statement_id: str, variant: str, draft: bool = False,
            spaces: bool = True) -> str:
    """The HTML an edition would have, rendered from the project's files (nothing printed);
    with ``spaces``, its no-break spaces read as spaces (see the test of where they go)."""
    available = tuple(catalog_languages(project))
    snapshot = take(project, [statement_id], list(available))
    parsed = parse(snapshot, available)
    catalogs = parsed.catalogs
    plan = make_plan(parsed, Request(draft=draft))
    [edition] = [e for e in plan.editions if e.target == Target(statement_id, variant, draft)] or \
        [e for e in plan.editions if e.target.statement_id == statement_id
         and e.target.variant == variant]
    html = render(snapshot, edition, catalogs).html
    return html.replace("\xa0", " ") if spaces else html


def test_english_edition(project):
    html = html_of(project, "sochi-2018", "en")
    assert '<html lang="en-GB" dir="ltr" data-script="Latn">' in html
    assert '<time datetime="2018-01-03">3 January 2018</time>' in html
    assert "133 organisations signed this statement." in html
    assert "Syrians for Truth and Justice - STJ" in html


def test_arabic_edition_is_right_to_left_with_syrian_conventions(project):
    html = html_of(project, "sochi-2018", "ar")
    assert '<html lang="ar-SY" dir="rtl" data-script="Arab">' in html
    assert '<time datetime="2018-01-03">٣ كانون الثاني ٢٠١٨</time>' in html
    assert "وقّعت ١٣٣ منظمةً على هذا البيان." in html  # CLDR's "many": a singular accusative
    assert 'symbols: "٠" "١" "٢" "٣" "٤" "٥" "٦" "٧" "٨" "٩"' in html
    assert "counter(page, edition-digits)" in html


@pytest.mark.parametrize(("statement_id", "code", "expected"), [
    ("ghouta-2017", "en", '<time datetime="2017-11">November 2017</time>'),
    ("ghouta-2017", "ar", '<time datetime="2017-11">تشرين الثاني ٢٠١٧</time>'),
    ("one-voice-2019", "en", '<time datetime="2019">2019</time>'),
    ("one-voice-2019", "ar", '<time datetime="2019">٢٠١٩</time>'),
])
def test_a_month_or_a_year_is_written_as_the_locale_writes_it(project, statement_id, code,
                                                              expected):
    assert expected in html_of(project, statement_id, code)


def test_a_statement_without_signatories_has_no_signatories_section(project):
    for code, heading in (("en", "Signatories"), ("ar", "الجهات الموقّعة")):
        html = html_of(project, "one-voice-2019", code)
        assert heading not in html and 'class="signatories' not in html
        assert 'class="count"' not in html


def test_formatted_paragraphs_print_formatted_in_both_languages(project):
    english = html_of(project, "ghouta-2017", "en")
    assert "<em>children are dying of malnutrition</em>" in english
    assert "<strong>immediate, unconditional and sustained</strong>" in english
    assert '<a href="https://undocs.org/S/RES/2139(2014)">Security Council resolution 2139</a>' \
        in english
    body = english.split('<div class="body">')[1].split('<section class="signatories')[0]
    assert body.count("<ul>") == 1 and body.count("<li>") == 3
    arabic = html_of(project, "ghouta-2017", "ar")
    assert '<a href="https://undocs.org/S/RES/2139(2014)">قرار مجلس الأمن الدولي ٢١٣٩</a>' in arabic
    assert "<strong>فوري وغير مشروط ومستدام</strong>" in arabic
    assert "<ul>\n<li>المطالبة برفع كل حصار في سوريا؛</li>" in arabic
    for html in (english, arabic):
        body = html.split('<div class="body">')[1].split("</div>\n</div>")[0]
        assert "*" not in body and "](" not in body


def test_names_given_in_the_source_or_written_in_arabic_are_used_as_they_are(project):
    arabic = html_of(project, "ghouta-2017", "ar")
    assert '<span class="number">٢.</span>الشبكة السورية لحقوق الإنسان</li>' in arabic
    assert '<span class="number">٤.</span>تجمع المحامين السوريين الأحرار</li>' in arabic
    english = html_of(project, "ghouta-2017", "en")
    assert '<span class="number">2.</span>Syrian Network for Human Rights</li>' in english
    # read with an Arabic voice, right to left, in the English edition
    assert ('<span class="number">4.</span><span lang="ar" dir="rtl">تجمع المحامين السوريين '
            "الأحرار</span></li>") in english


def test_latin_runs_in_arabic_are_isolated_but_never_inside_a_link(project):
    html = html_of(project, "sochi-2018", "ar")
    assert f'<span lang="en" class="latin">{FSI}Help4Syria{PDI}</span>، المملكة المتحدة' in html
    assert f'<span lang="en" class="latin">{FSI}(SAC){PDI}</span>' in html
    assert FSI not in html_of(project, "sochi-2018", "en")
    ghouta = html_of(project, "ghouta-2017", "ar")
    assert 'href="https://undocs.org/S/RES/2139(2014)"' in ghouta


def test_no_paragraph_ends_on_a_line_of_one_word_and_no_title_line_on_a_preposition(project):
    english = html_of(project, "ghouta-2017", "en", spaces=False)
    assert "from the\xa0capital." in english  # the last two words of a paragraph
    assert "a method of\xa0war.</li>" in english  # and of a list item
    assert "End the\xa0Siege of\xa0Eastern\xa0Ghouta</h1>" in english
    arabic = html_of(project, "one-voice-2019", "ar", spaces=False)
    title = arabic.split("<h1")[1].split("</h1>")[0]
    assert "إلى\xa0أعضاء" in title and "عن\xa0المعتقلين" in title and "في\xa0شمال" in title
    # a name is not split across lines, even where the last two words are bound already
    assert "مجلس\xa0الأمن\xa0الدولي" in title and "الجمهورية\xa0العربية\xa0السورية" in title
    assert "نحو\xa0الحدود." in arabic


def test_latin_phrases_are_isolated_whole():
    assert isolate_latin("Syrian Network for Human Rights (SNHR)") == \
        f"{FSI}Syrian Network for Human Rights (SNHR){PDI}"
    assert isolate_latin("Group 2011") == f"{FSI}Group 2011{PDI}"
    assert isolate_latin("مؤسسة FREE-Syria") == f"مؤسسة {FSI}FREE-Syria{PDI}"
    assert isolate_latin("وقّعت %(num)s منظمات") == "وقّعت %(num)s منظمات"
    assert isolate_latin("1" * 20000 + "a") == f"{FSI}{'1' * 20000}a{PDI}"


def test_numbers_use_the_locales_digits_and_separators():
    assert language("ar", "ar_SY").format_number(1234) == "١٬٢٣٤"
    assert language("en", "en_GB").format_number(1234) == "1,234"


def test_page_furniture_is_mirrored(project):
    arabic, english = html_of(project, "sochi-2018", "ar"), html_of(project, "sochi-2018", "en")
    assert '@top-right { content: "مؤتمر سوتشي يهدد عملية السلام في سوريا"; }' in arabic
    assert '@top-left { content: "Sochi Conference Threatens Syria Peace Process"; }' in english
    assert "@bottom-left {" in arabic and "@bottom-right {" in english


def test_statement_text_never_becomes_markup(small):
    hostile = ("<script>alert(1)</script> <img src=file:///etc/passwd> {{ 7*7 }} "
               "</style> url(file:///etc/passwd) [x](javascript:alert(1))")
    edit(small, "sources/ghouta-2017.yaml", "title: End the Siege of Eastern Ghouta",
         f"title: '{hostile}'")
    html = html_of(small, "ghouta-2017", "en", draft=True)
    assert "<script>" not in html and "<img src" not in html and "javascript:" not in \
        html.split("<h1")[1].split("</h1>")[0].replace("[x](javascript:alert(1))", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("<title>")[1].split("</title>")[0]


def test_a_translation_never_becomes_markup(small):
    edit(small, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "الجهات الموقّعة"',
         'msgstr "<b onclick=x>الجهات الموقّعة</b>"')
    html = html_of(small, "ghouta-2017", "ar", draft=True).replace(FSI, "").replace(PDI, "")
    # (a long word that changes script gets break opportunities, zero-width spaces)
    assert "&lt;b onclick=x&gt;الجهات الموقّعة&lt;/b&gt;" in html.replace("\u200b", "")


def test_css_strings_cannot_be_broken_out_of():
    assert css_string('a"b\\c</style>') == '"a\\22 b\\5c c\\3c /style\\3e "'


def test_every_default_numbering_system_has_digits():
    systems = {Locale.parse(code).default_numbering_system
               for code in ("ar_SY", "fa", "bn", "hi_IN", "my", "dz", "en")}
    assert systems <= set(NUMBERING_SYSTEM_ZERO)
    for system, zero in NUMBERING_SYSTEM_ZERO.items():
        assert [unicodedata.decimal(chr(zero + n)) for n in range(10)] == list(range(10)), system


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("ckb", "rtl"),
                                                 ("he", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_direction_comes_from_cldr(code, direction):
    assert language(code).direction == direction


def test_editions_rendered_in_turn_never_share_their_words(project):
    """Each render gets its own gettext: nothing is installed on the shared environment."""
    first_arabic = html_of(project, "ghouta-2017", "ar")
    english = html_of(project, "ghouta-2017", "en")
    assert "الجهات الموقّعة" not in english and "Signatories" in english
    assert html_of(project, "ghouta-2017", "ar") == first_arabic


def test_the_bilingual_edition_takes_each_sides_words_from_its_own_catalog(project):
    html = html_of(project, "ghouta-2017", BILINGUAL)
    assert '<span class="left-heading" role="heading" aria-level="2"' in html
    assert ">Signatories</span></th>" in html and ">الجهات الموقّعة</span></th>" in html
    assert "الصفحة" in html and "Page" in html


def test_the_bilingual_colophon_names_each_sides_translation_as_its_own_edition_does(project):
    """The bilingual edition's colophon: a line in each language, each naming the versions its
    own language's edition prints: the source language's only the source's, the translation's
    the source's and its own."""
    def colophon(variant: str) -> str:
        html = html_of(project, "ghouta-2017", variant)
        return html[html.index('<footer class="colophon">'):]

    def codes(text: str) -> list[str]:
        return re.findall(r"\b[0-9a-f]{12}\b", text)

    english, arabic = colophon("en"), colophon("ar")
    assert "Printed from source version" in english and "مطبوعة" in arabic
    lines = re.findall(r'<p lang="([^"]+)" dir="(ltr|rtl)"[^>]*>(.*?)</p>', colophon(BILINGUAL))
    assert [(tag, direction) for tag, direction, _ in lines] == [("en-GB", "ltr"), ("ar-SY", "rtl")]
    assert lines[0][2].startswith("Printed from source version") and "مطبوعة" in lines[1][2]
    assert codes(lines[0][2]) == codes(english) and codes(lines[1][2]) == codes(arabic)
    assert len(codes(english)) == 1 and len(codes(arabic)) == 2
    assert codes(english)[0] == codes(arabic)[0], "one source version"


def test_the_source_languages_colophon_names_no_translation_and_codes_are_latin(project):
    """An edition in the statement's own language was printed from no translation: its colophon
    names the source version only. In an Arabic line each code is one Latin run, in one font
    (the Naskh has digits of its own, the Latin letters would come from Noto Serif)."""
    english = html_of(project, "sochi-2018", "en")
    assert re.search(r"<p>Printed from source version [0-9a-f]{12}\.</p>", english)
    assert "translation version" not in english and 'class="latin"' not in english
    arabic = html_of(project, "sochi-2018", "ar")
    colophon = arabic[arabic.index('<footer class="colophon">'):]
    spans = re.findall(r'<span lang="en" class="latin" dir="ltr">([0-9a-f]{12})</span>', colophon)
    assert len(spans) == 2 and spans[0] != spans[1]
    assert re.sub(r"<span[^>]*>[0-9a-f]{12}</span>", "", colophon).count("للترجمة") == 1
    assert not re.search(r"[0-9a-f]{12}", re.sub(r"<span[^>]*>[0-9a-f]{12}</span>", "", colophon))


@pytest.mark.parametrize("attack", [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(side) }}",
    "{{ side | attr('__init__') | attr('__globals__') }}",
    "{{ side.lookup.catalog.__class__.__init__.__globals__ }}",
    "{% set x = namespace() %}{{ x.__class__.__base__.__subclasses__() }}",
])
def test_templates_are_sandboxed(small, attack):
    path = small.templates_dir / "statement.html.j2"
    path.write_text(path.read_text("utf-8").replace("<body>", "<body>" + attack, 1), "utf-8")
    with pytest.raises(PipelineError) as caught:
        html_of(small, "ghouta-2017", "en")
    [problem] = caught.value.problems
    assert problem.file == "templates/statement.html.j2"
    assert problem.message.startswith("template error:")
    assert "uid=" not in str(caught.value) and "<class" not in str(caught.value)


def test_a_template_syntax_error_names_its_file_and_line(small):
    path = small.templates_dir / "statement.html.j2"
    lines = path.read_text("utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if "<body>" in line)
    lines.insert(index + 1, "{% iff draft %}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(PipelineError) as caught:
        html_of(small, "ghouta-2017", "en")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("templates/statement.html.j2", index + 2)
    assert "iff" in problem.message


def test_a_statement_written_in_arabic_prints_as_written_in_its_arabic_edition(project):
    """The edition in a statement's own language prints the source, never a catalog entry: not
    an Arabic entry someone filled for its Arabic title, nor the Arabic catalog's translation of
    a Latin name it writes ("Baytna Syria", translated for the English statements)."""
    add_arabic_statement(project)
    add_entry(project, "ar", "title", "نداء من أجل المعتقلين", "نداء آخر")
    html = html_of(project, "nidaa-2020", "ar")
    assert "نداء من أجل المعتقلين" in html and "نداء آخر" not in html
    assert "Baytna Syria" in html and "بيتنا سوريا" not in html
    assert "بيتنا سوريا" in html_of(project, "ghouta-2017", "ar"), "translated for English sources"
    english = html_of(project, "ghouta-2017", "en")
    assert "End the Siege of Eastern Ghouta" in english


def test_an_english_entry_never_changes_what_the_english_edition_prints(project):
    """The English catalog translates statements written in other languages: an English entry
    for a template's word ("Signatories") or for an English statement's title is never read by
    an English edition, which prints its templates and its source as written."""
    edit(project, "locales/en/LC_MESSAGES/statements.po", 'msgid "Signatories"\nmsgstr ""',
         'msgid "Signatories"\nmsgstr "Signed by"')
    edit(project, "locales/en/LC_MESSAGES/statements.po",
         'msgid "End the Siege of Eastern Ghouta"\nmsgstr ""',
         'msgid "End the Siege of Eastern Ghouta"\nmsgstr "Lift the Siege"')
    html = html_of(project, "ghouta-2017", "en")
    assert "Signatories" in html and "Signed by" not in html
    assert "End the Siege of Eastern Ghouta" in html and "Lift the Siege" not in html

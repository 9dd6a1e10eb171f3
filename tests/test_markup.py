"""The Markdown subset of paragraphs: parsing, safe HTML, plain text and translation checks."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from pipeline import markup
from pipeline.markup import Issue, compare, normalise, parse, plain_text, signature, to_html
from pipeline.text import FSI, PDI, isolate_latin

FIXTURES = Path(__file__).parent / "fixtures" / "project"
DOCS = Path(__file__).resolve().parent.parent / "docs"



class Elements(HTMLParser):
    """Every start tag with its attributes, and whether the tags nest properly."""

    VOID = frozenset({"br"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.stack: list[str] = []
        self.balanced = True
        self.data: list[str] = []
        self.feed(html)
        self.close()
        self.balanced = self.balanced and not self.stack

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.balanced = False  # we never write <x/>

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.balanced = False

    def handle_data(self, data):
        self.data.append(data)

    def handle_comment(self, data):
        self.tags.append(("!--", []))

    def handle_decl(self, decl):
        self.tags.append(("!", []))

    def handle_pi(self, data):
        self.tags.append(("?", []))

    def unknown_decl(self, data):
        self.tags.append(("!", []))

    @property
    def text(self) -> str:
        return "".join(self.data)


def hrefs(html: str) -> list[str]:
    return [value or "" for tag, attrs in Elements(html).tags for name, value in attrs
            if name == "href"]


# --- normalise ----------------------------------------------------------------------------------

def old_normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.mark.parametrize("text, expected", [
    ("  Russia  has\tannounced ", "Russia has announced"),
    ("a\n  b  \n\n\n\n c", "a\nb\n\nc"),
    ("\n\n a \n\n", "a"),
    ("Intro:\n  -   one\n  1.  two", "Intro:\n- one\n1. two"),
    ("line one\r\nline two\rline three", "line one\nline two\nline three"),
    ("Cafe\u0301 \u2028 x", "Café x"),  # NFC; U+2028 is white space, not a line break
    ("", ""),
    (" \n \t\n", ""),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


@given(st.text(alphabet=st.characters(blacklist_characters="\n\r")))
@example("Sochi  Conference\t Threatens\u00a0Syria\u2029Peace\x0bProcess\x85 ")
def test_normalise_keeps_the_old_identity_of_single_line_text(text):
    assert normalise(text) == old_normalise(text)


@given(st.text())
@example(" \u0301\n\u0301 ")
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(alphabet=" \t\n\r-*1.ab"))
def test_normalise_lines_are_clean(text):
    lines = normalise(text).split("\n")
    assert all(line == line.strip() and "  " not in line for line in lines)
    assert "" not in (lines[0], lines[-1]) or lines == [""]
    assert all(lines[i] or lines[i + 1] for i in range(len(lines) - 1))


# --- the subset ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, html", [
    ("plain text", "<p>plain text</p>"),
    ("*em* and _em_", "<p><em>em</em> and <em>em</em></p>"),
    ("**strong** and __strong__", "<p><strong>strong</strong> and <strong>strong</strong></p>"),
    ("***both***", "<p><em><strong>both</strong></em></p>"),
    ("[the UN](https://www.un.org/en/)", '<p><a href="https://www.un.org/en/">the UN</a></p>'),
    ("[site](http://example.org)", '<p><a href="http://example.org">site</a></p>'),
    ("[write](mailto:office@example.org)",
     '<p><a href="mailto:office@example.org">write</a></p>'),
    ("[*em* link](https://example.org)",
     '<p><a href="https://example.org"><em>em</em> link</a></p>'),
    ("[Sochi](https://example.org/سوتشي)",
     '<p><a href="https://example.org/%D8%B3%D9%88%D8%AA%D8%B4%D9%8A">Sochi</a></p>'),
    ("[x](https://example.org \"a title\")", '<p><a href="https://example.org">x</a></p>'),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("* one\n+ two", "<ul>\n<li>one</li>\n</ul>\n<ul>\n<li>two</li>\n</ul>"),
    ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
    ("3) three\n4) four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("We demand:\n- *one*\n- two\n\nAfter.",
     "<p>We demand:</p>\n<ul>\n<li><em>one</em></li>\n<li>two</li>\n</ul>\n<p>After.</p>"),
    ("- loose\n\n- list", "<ul>\n<li>loose</li>\n<li>list</li>\n</ul>"),
    ("line one\nline two", "<p>line one<br>line two</p>"),
    ("line one\\\nline two", "<p>line one<br>line two</p>"),
    ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
    ("a literal \\* and \\_ and \\[x\\]", "<p>a literal * and _ and [x]</p>"),
    ("7 * 7 = 49", "<p>7 * 7 = 49</p>"),
    ("2011\\. A year", "<p>2011. A year</p>"),
])
def test_constructs(text, html):
    assert to_html(text) == Markup(html)


def test_a_single_paragraph_is_one_p():
    assert to_html("One paragraph.") == "<p>One paragraph.</p>"
    assert isinstance(to_html("x"), Markup)


@pytest.mark.parametrize("text", [
    "# Heading", "## Heading ##", "> a quote", "`code`", "```\ncode\n```", "~~~\ncode\n~~~",
    "---", "***", "___", "Setext\n===", "Setext\n---",
    "| a | b |\n|---|---|\n| 1 | 2 |", "![an image](https://example.org/i.png)",
    "<https://example.org>", "<mailto:office@example.org>", "<office@example.org>",
    "https://example.org www.example.org", "[ref]\n\n[ref]: https://example.org",
    "[text][ref]", "[text][]", "~~struck~~", "\"quotes\" -- (c) ...", "&amp; &copy; &#x202E; &#42;",
    "<b>bold</b>", "<!-- comment -->", "<div>\nblock\n</div>", "trailing \\",
    "[no target]()", "[space]( )", "[rel](/relative/path)", "[frag](#part)",
    "[proto-relative](//evil.example)", "[js](javascript:alert(1))",
])
def test_disabled_constructs_print_literally(text):
    html = to_html(text)
    tags = {tag for tag, _ in Elements(html).tags}
    assert tags <= {"p", "br", "ul", "li"}
    # Every character of the source is printed (line breaks as <br>), none is interpreted.
    assert Elements(html).text.replace("\n", "") == normalise(text).replace("\n", "")


@pytest.mark.parametrize("text", ["- - nested", "- 1. nested", "1. - nested", "* * *",
                                  "- a\n  - b\n    - c"])
def test_nested_lists_flatten(text):
    html = to_html(text)
    assert html.count("<ul>") + html.count("<ol>") <= 2
    assert "<li><ul>" not in html and "<li><ol>" not in html
    assert to_html("- - nested") == "<ul>\n<li>- nested</li>\n</ul>"
    assert to_html("- a\n  - b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"


def test_a_line_after_a_list_continues_its_last_item():
    """Documented in SUBSET.md: a blank line ends a list."""
    assert to_html("- a\n- b\nmore") == "<ul>\n<li>a</li>\n<li>b<br>more</li>\n</ul>"


def test_an_ordered_list_interrupts_a_paragraph_only_from_1():
    assert to_html("Text\n2. not a list") == "<p>Text<br>2. not a list</p>"
    assert to_html("Text\n1. a list") == "<p>Text</p>\n<ol>\n<li>a list</li>\n</ol>"


@pytest.mark.parametrize("text, html", [
    ("- not a list", "- not a list"),
    ("1. not a list", "1. not a list"),
    ("*Sochi* Conference", "<em>Sochi</em> Conference"),
    ("# not a heading **x**", "# not a heading <strong>x</strong>"),
    ("Name\nsecond line", "Name<br>second line"),
    ("[UN](https://un.org)", '<a href="https://un.org">UN</a>'),
])
def test_inline_only(text, html):
    assert to_html(text, inline_only=True) == html


def test_a_document_keeps_its_mode():
    doc = parse("- a", inline_only=True)
    assert to_html(doc, inline_only=True) == "- a"
    with pytest.raises(ValueError):
        to_html(doc)
    assert to_html(parse("- a")) == "<ul>\n<li>a</li>\n</ul>"


def test_parse_normalises():
    assert parse("  a \n\n\n b ").source == "a\n\nb"
    assert to_html("  a  \n  b") == to_html("a\nb")


def test_only_the_subsets_rules_run():
    assert markup._parser().get_active_rules() == {
        "core": ["normalize", "block", "inline"],
        "block": ["list", "paragraph"],
        "inline": ["text", "newline", "escape", "emphasis", "image_as_text",
                   "empty_link_as_text", "link"],
        "inline2": ["balance_pairs", "emphasis", "fragments_join"],
    }


def test_deterministic():
    text = "A *b* [c](https://x.org)\n- d\n- e"
    assert len({to_html(text) for _ in range(5)}) == 1
    assert parse(text) is not parse(text) and to_html(parse(text)) == to_html(text)


# --- safety -------------------------------------------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", "<b>bold</b>", "&amp;", "{{ 7*7 }}", "</style>",
            "</p><p>", "'\"", "<img src=x onerror=alert(1)>", "&lt;b&gt;"]
POSITIONS = ["{}", "*{}*", "**{}**", "[{}](https://example.org)", "- {}", "1. {}",
             "x\n{}", "[a](https://example.org/{})", "[a](https://example.org/?q={})",
             "[a](<https://example.org/{}>)"]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("position", POSITIONS)
def test_raw_html_prints_literally(payload, position):
    text = position.format(payload)
    html = to_html(text)
    elements = Elements(html)
    assert {tag for tag, _ in elements.tags} <= markup.ALLOWED_TAGS
    assert "script" not in {tag for tag, _ in elements.tags}
    assert "<script" not in html and "</style" not in html and "<b>" not in html
    assert elements.balanced
    if "](" not in position and not ("*" in position and "*" in payload):
        assert payload.strip() in elements.text  # as typed, nothing interpreted
    assert all(name in markup.ALLOWED_ATTRIBUTES for _, attrs in elements.tags
               for name, _ in attrs)


def test_entities_and_template_syntax_print_as_typed():
    assert to_html("AT&T &amp; &copy; {{ 7*7 }}") == \
        "<p>AT&amp;T &amp;amp; &amp;copy; {{ 7*7 }}</p>"
    assert plain_text("&amp; &#42; <b>x</b>") == "&amp; &#42; <b>x</b>"
    assert Elements(to_html("&#x202E;")).text == "&#x202E;"  # no bidi override smuggled in


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
    "javascript&#58;alert(1)", "&#106;avascript:alert(1)", "java\\script:alert(1)",
    "<javascript:alert(1)>", "vbscript:msgbox", "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png;base64,iVBORw0KGgo=", "file:///etc/passwd", "ftp://example.org",
    "/relative", "relative.html", "#fragment", "//evil.example", "https:evil.example",
    "https:///path", "mailto:", "", "<>", "http://", "tel:+123",
])
def test_only_http_https_mailto_are_links(target):
    text = f"[click]({target})"
    html = to_html(text)
    assert "<a" not in html
    assert hrefs(html) == []
    assert Elements(html).text.startswith("[click](")
    assert signature(text).links == ()


@pytest.mark.parametrize("text", [
    '[x](https://example.org/"onmouseover="alert(1))',
    '[x](<https://example.org/" onmouseover="alert(1)>)',
    "[x](https://example.org/'onmouseover='alert(1))",
    "[x](https://example.org/&quot;onmouseover=&quot;alert(1))",
    "[x](https://example.org/&#34;&#62;&#60;script&#62;)",
    '[x](https://example.org/\\"onmouseover=\\"alert(1))',
    "[x](https://example.org/%22onmouseover%3D%22alert(1))",
    '[x](https://example.org/> "t\\" onclick=\\"y")',
])
def test_no_attribute_injection(text):
    html = to_html(text)
    elements = Elements(html)
    anchors = [attrs for tag, attrs in elements.tags if tag == "a"]
    assert anchors, html
    for attrs in anchors:
        assert [name for name, _ in attrs] == ["href"]
        assert '"' not in attrs[0][1] and "<" not in attrs[0][1] and ">" not in attrs[0][1]
    assert "onmouseover=" not in html.replace("onmouseover%3D", "") or 'href="' in html
    assert re.fullmatch(r'<p><a href="[^"<>]*">x</a></p>', str(html)), html


def test_text_filter_sees_text_not_urls():
    seen: list[str] = []

    def spy(text: str) -> str:
        seen.append(text)
        return text.upper()

    text = ("See *the* [report on Syria](https://example.org/syria-report?lang=en) and "
            "[write](mailto:office@example.org).\n- one [x](https://example.net/path)")
    html = to_html(text, text_filter=spy)
    assert all("example" not in run and "://" not in run and "mailto" not in run for run in seen)
    assert "REPORT ON SYRIA" in html and "WRITE" in html
    assert hrefs(html) == ["https://example.org/syria-report?lang=en",
                           "mailto:office@example.org", "https://example.net/path"]


def test_text_filter_output_is_escaped_even_if_markup():
    assert to_html("x", text_filter=lambda s: Markup("<b>") + s) == "<p>&lt;b&gt;x</p>"


def test_text_filter_runs_join_escapes():
    seen: list[str] = []
    to_html("Human Rights \\* Watch (HRW)", text_filter=lambda s: seen.append(s) or s)
    assert seen == ["Human Rights * Watch (HRW)"]


def test_arabic_edition_isolates_latin_runs_but_not_urls():
    text = ("أصدرت *الشبكة السورية لحقوق الإنسان* (SNHR) [تقريرا](https://snhr.org/Report-2018) "
            "عن Sochi.")
    html = to_html(text, text_filter=isolate_latin)
    assert f"{FSI}(SNHR){PDI}" in html and f"{FSI}Sochi{PDI}" in html
    assert hrefs(html) == ["https://snhr.org/Report-2018"]
    assert FSI not in "".join(hrefs(html))


def test_plain_text():
    text = "The *undersigned* **demand** [a UN-led](https://un.org) process:\n- one\n- two\n\n3. x"
    assert plain_text(text) == "The undersigned demand a UN-led process: - one - two 3. x"
    assert plain_text("- not a list *x*", inline_only=True) == "- not a list x"
    assert plain_text("a\\*b <i>c</i>") == "a*b <i>c</i>"
    assert plain_text("Sochi *Conference*", text_filter=isolate_latin) == \
        f"{FSI}Sochi Conference{PDI}"


# --- hypothesis: whatever the text, only the allowed HTML ---------------------------------------

FRAGMENTS = ["*", "**", "_", "__", "[", "]", "(", ")", "](", "![", "\\", "\n", "\n\n", " ", "- ",
             "1. ", "3) ", "+ ", "# ", "> ", "`", "```", "<", ">", "&", "&amp;", "&#34;", '"',
             "'", "https://example.org", "mailto:a@b.org", "javascript:alert(1)", "<b>",
             "<script>", "</style>", "{{ 7*7 }}", "word", "Syria", "سوريا", "الأمم المتحدة", ":",
             "=", "onclick=", "\t", "    ", "~~", "|", "---", "\u2028", "\x00"]
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)),
                       max_size=40).map("".join)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.booleans())
def test_html_uses_only_allowed_tags_and_attributes(text, inline_only):
    html = to_html(text, inline_only=inline_only, text_filter=isolate_latin)
    elements = Elements(html)
    assert elements.balanced, html
    for tag, attrs in elements.tags:
        assert tag in markup.ALLOWED_TAGS, html
        for name, value in attrs:
            assert name in markup.ALLOWED_ATTRIBUTES, html
            if name == "href":
                assert tag == "a" and value and value.lower().startswith(markup.LINK_SCHEMES)
                assert not any(c in value for c in '"<> \n\u2068\u2069')
            else:
                assert tag == "ol" and value and value.isdigit() and value != "1"
    if inline_only:
        assert not {tag for tag, _ in elements.tags} & {"p", "ul", "ol", "li"}


@settings(max_examples=300)
@given(st.lists(st.tuples(st.text(alphabet=st.characters(blacklist_characters="[]\\\n\r:/"),
                                  min_size=1, max_size=10),
                          st.sampled_from(["https://example.org/", "http://example.net/a?b=",
                                           "mailto:someone@"]),
                          st.text(alphabet="abcxyz0123456789-._~/?=&%", max_size=12)),
                min_size=1, max_size=4))
def test_text_filter_never_sees_a_url(links):
    text = " and ".join(f"[{label}]({base}{tail})" for label, base, tail in links)
    seen: list[str] = []
    to_html(text, text_filter=lambda s: seen.append(s) or s)
    for run in seen:
        assert "example.org/" not in run and "example.net/a" not in run and "mailto:" not in run


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Zs")),
               max_size=80))
def test_text_without_markup_is_one_escaped_paragraph(text):
    words = normalise(text)
    assert to_html(text) == (Markup("<p>") + words + Markup("</p>") if words else "")
    assert plain_text(text) == words


@settings(max_examples=300)
@given(markdownish)
def test_plain_text_has_no_tags_and_one_line(text):
    result = plain_text(text)
    assert "\n" not in result and result == result.strip() and "  " not in result


# --- compare ------------------------------------------------------------------------------------

SOURCE = ("The undersigned call on the **UN Security Council** to uphold "
          "[resolution 2254](https://undocs.org/S/RES/2254(2015)) and demand:\n"
          "1. an *immediate* end to indiscriminate attacks;\n"
          "2. the release of detainees, as documented by [SNHR](https://snhr.org/).\n"
          "\n"
          "Write to [the coalition](mailto:office@example.org).")
ARABIC = ("تدعو المنظمات الموقعة أدناه **مجلس الأمن الدولي** إلى التمسك "
          "[بالقرار 2254](https://undocs.org/S/RES/2254(2015)) وتطالب بما يلي:\n"
          "1. وقف *فوري* للهجمات العشوائية؛\n"
          "2. الإفراج عن المعتقلين، كما وثقته [الشبكة السورية لحقوق الإنسان](https://snhr.org/).\n"
          "\n"
          "راسلوا [التحالف](mailto:office@example.org).")


def errors(issues: list[Issue]) -> list[str]:
    return [i.message for i in issues if i.severity == "error"]


def warnings(issues: list[Issue]) -> list[str]:
    return [i.message for i in issues if i.severity == "warning"]


def test_a_correct_arabic_translation_passes():
    assert compare(SOURCE, ARABIC) == []
    html = to_html(ARABIC, text_filter=isolate_latin)
    assert html.count("<li>") == 2 and html.count("<a ") == 3
    assert "<strong>مجلس الأمن الدولي</strong>" in html and "<em>فوري</em>" in html


def test_links_may_be_reordered():
    source = "[a](https://a.org) and [b](https://b.org) and [a again](https://a.org)"
    assert compare(source, "[ب](https://b.org) [أ](https://a.org) [أ](https://a.org)") == []


def test_dropped_link():
    found = errors(compare(SOURCE, ARABIC.replace("[التحالف](mailto:office@example.org)",
                                                  "التحالف")))
    assert len(found) == 1 and "drops the link to mailto:office@example.org" in found[0]


def test_changed_link_target():
    found = errors(compare(SOURCE, ARABIC.replace("https://snhr.org/", "https://snhr.org/ar/")))
    assert found == ["changes the link target https://snhr.org/ to https://snhr.org/ar/: keep the"
                     " source's target"]


def test_added_link():
    found = errors(compare(SOURCE, ARABIC + " [هنا](https://evil.example)"))
    assert len(found) == 1 and "adds a link to https://evil.example" in found[0]


def test_equivalent_targets_are_the_same_link():
    assert compare("[x](https://example.org/سوتشي)",
                   "[س](https://example.org/%D8%B3%D9%88%D8%AA%D8%B4%D9%8A)") == []


def test_a_link_that_no_longer_parses():
    broken = ARABIC.replace("[التحالف](mailto:", "[التحالف] (mailto:")
    found = errors(compare(SOURCE, broken))
    assert any("drops the link" in m for m in found)
    assert any("'[' would print literally" in m for m in found)
    found = errors(compare(SOURCE, ARABIC.replace("[التحالف](", "[التحالف(")))
    assert any("'[' would print literally" in m for m in found)


def test_a_javascript_link_in_a_translation_is_an_error():
    found = errors(compare(SOURCE, ARABIC.replace("mailto:office@example.org",
                                                  "javascript:alert(1)")))
    assert any("drops the link to mailto:office@example.org" in m for m in found)


def test_unbalanced_strong():
    found = errors(compare(SOURCE, ARABIC.replace("**مجلس الأمن الدولي**", "**مجلس الأمن الدولي")))
    assert any("'*' would print literally" in m for m in found)
    assert any("drops the strong emphasis" in m for m in found)


def test_space_inside_emphasis_marks():
    found = errors(compare("an *immediate* end", "وقف * فوري * للهجمات"))
    assert any("'*' would print literally" in m for m in found)


def test_escaped_asterisk_is_not_broken_markup():
    assert compare("*a* b", "*أ* ب \\*") == []


def test_literal_characters_the_source_has_too_are_fine():
    assert compare("*a* 7 * 7", "*أ* 7 * 7") == []
    assert compare("plain", "نص * و [ و _") == []  # no markup in the source: nothing to break


@pytest.mark.parametrize("translation, expected", [
    ("1. أ\n2. ب\n3. ج", "has 3 items where the source has 2"),
    ("1. أ", "has 1 item where the source has 2"),
    ("- أ\n- ب", "is a bullet list where the source has a ordered list"),
    ("٢. أ\n٣. ب", "has 0 lists where the source has 1"),
    ("أ\nب", "has 0 lists where the source has 1"),
    ("2. أ\n3. ب", "starts at 2 where the source's starts at 1"),
    ("1. أ\n\nنص\n\n1. ب", "has 2 lists where the source has 1"),
])
def test_list_differences(translation, expected):
    found = errors(compare("1. a\n2. b", translation))
    assert any(expected in m for m in found), found


def test_digits_hint():
    found = errors(compare("1. a\n2. b", "١. أ\n٢. ب"))
    assert "digits 0-9" in found[0]


def test_emphasis_counts():
    assert errors(compare("*a* and *b*", "أ وب")) == [
        "drops the emphasis (*words*): keep the marks around the words that correspond; every "
        "edition prints them in its own style"]
    issues = compare("*a* and *b*", "*أ وب*")
    assert errors(issues) == [] and warnings(issues) == [
        "has 1 emphasis where the source has 2: check that the same words are marked *words*"]
    assert warnings(compare("a **b**", "**أ** **ب**"))
    assert errors(compare("a", "*أ*")) == [] and warnings(compare("a", "*أ*"))


def test_hard_breaks_warn():
    issues = compare("first line\nsecond line", "السطر الأول والثاني")
    assert errors(issues) == [] and "line break" in warnings(issues)[0]


def test_paragraphs_warn():
    issues = compare("one\n\ntwo", "واحد\nاثنان")
    assert errors(issues) == [] and any("paragraph" in m for m in warnings(issues))


def test_inline_only_compare():
    assert compare("- *Name*", "- *اسم*", inline_only=True) == []
    assert errors(compare("*Name*", "اسم", inline_only=True))


def test_issue_messages_say_what_to_do():
    for source, translation in [(SOURCE, "ترجمة بلا روابط"), ("*a*", "*أ"), ("1. a", "أ")]:
        for issue in compare(source, translation):
            assert issue.severity in ("error", "warning") and ":" in issue.message


# --- the Sochi statement's messages, written before Markdown: they print as they did -------

def _catalog_messages():
    from babel.messages.pofile import read_po

    for path in sorted(FIXTURES.glob("locales/*/LC_MESSAGES/statements.po")):
        with path.open("rb") as fileobj:
            catalog = read_po(fileobj)
        for message in catalog:
            if message.id and message.context in ("title", "subtitle", "issuer", "paragraph",
                                                  "signatory") and message.string and any(
                    file == "sources/sochi-2018.yaml" for file, _ in message.locations):
                yield message.context, message.id, message.string


def test_existing_messages_render_as_before():
    count = 0
    for context, msgid, msgstr in _catalog_messages():
        count += 1
        assert normalise(msgid) == msgid
        inline = context != "paragraph"
        expected = Markup.escape(msgid)
        assert to_html(msgid, inline_only=inline) == (expected if inline else
                                                       Markup("<p>") + expected + Markup("</p>"))
        assert plain_text(msgid, inline_only=inline) == msgid
        assert compare(msgid, msgstr, inline_only=inline) == []
        assert to_html(msgstr, inline_only=inline).count("<") == (0 if inline else 2)
    assert count > 100


# --- PDF: links are clickable ------------------------------------------------------------------

@pytest.mark.slow
def test_links_are_clickable_in_pdf():
    weasyprint = pytest.importorskip("weasyprint")
    body = to_html("See [the resolution](https://undocs.org/S/RES/2254(2015)).\n- *one*\n- two")
    pdf = weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf(
        uncompressed_pdf=True)
    assert b"/Subtype /Link" in pdf
    assert b"/S /URI/URI (https://undocs.org/S/RES/2254\\(2015\\))" in pdf


# --- SUBSET.md: its examples hold ------------------------------------------------------------

def _subset_examples() -> tuple[str, str]:
    text = (DOCS / "formatting.md").read_text(encoding="utf-8")
    blocks = text.split("```")[1::2]
    yaml_block = next(b for b in blocks if b.startswith("yaml"))
    english = "\n".join(line[4:] for line in yaml_block.splitlines()[3:])
    arabic = next(b for b in blocks if "المنظمات" in b)
    return english, arabic


def test_the_documented_example_and_its_translation():
    english, arabic = _subset_examples()
    assert english.startswith("The undersigned") and "2. end the" in english
    assert compare(english, arabic) == []
    html = to_html(english)
    assert html.count("<li>") == 2 and html.count("<a href=") == 2 and html.count("<p>") == 2
    assert signature(english) == signature(arabic)


@pytest.mark.parametrize("text, html", [
    ("7 \\* 7", "<p>7 * 7</p>"),
    ("a \\\\ b", "<p>a \\ b</p>"),
    ("\\!\\[x](https://x.org)", "<p>![x](https://x.org)</p>"),
    ("\\![x](https://x.org)", '<p>!<a href="https://x.org">x</a></p>'),
    ("* word * here", "<ul>\n<li>word * here</li>\n</ul>"),
    ("a * word * here", "<p>a * word * here</p>"),
])
def test_documented_pitfalls(text, html):
    assert to_html(text) == html


def test_safety_net_for_refused_links():
    """Links with a refused target never come out of parse; were one there, it prints as text."""
    from markdown_it.token import Token

    doc = parse("[x](https://x.org)")
    link = next(c for c in doc.tokens[1].children if c.type == "link_open")
    link.attrSet("href", "javascript:alert(1)")
    assert to_html(doc) == "<p>[x]()</p>"
    children = [Token("link_open", "a", 1, attrs={"href": "javascript:x"}),
                Token("text", "", 0, content="x"), Token("link_close", "a", -1)]
    assert [c.content for c in markup._unlink(children)] == ["[", "x", "]()"]


@settings(max_examples=300)
@given(markdownish)
def test_a_text_compared_with_itself_has_no_issue(text):
    assert compare(text, text) == []
    assert compare(text, text, inline_only=True) == []

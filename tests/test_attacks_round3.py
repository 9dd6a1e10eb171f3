"""The standing adversarial suite, round three: what a hostile user broke in the print-shop
editions, the crop marks, the font subsets, the layout fixes (the justified paragraphs' nudges)
and the web assets published for browsers (``webfonts.for_browsers``).

Tried and held (no test needed beyond the suites that own them): --print-shop, --archival and
plain editions with --bleed 0mm, 0.125in and 10mm on A5, letter and legal, in four languages
and the bilingual edition (tests/pdfua.py passes, the eight crop marks of every page lie beyond
the BleedBox and inside the MediaBox, no two subsets of different bytes share a name); an
80-character word, 19,000 spaces, a paragraph of no-break spaces (refused as empty), 4,000
letters bound by no-break spaces (wrapped inside the text area), bidi-heavy mixed text (the
override and isolate controls refused with their line), an Arabic statement of stretched
paragraphs on A5 with a 10 mm bleed; -C/-q/-v before and after the command; dist's
``updated``; a url() or @import of a file outside templates/ in either stylesheet.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pipeline import webfonts

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def templates() -> dict[str, bytes]:
    return {path.relative_to(TEMPLATES).as_posix(): path.read_bytes()
            for path in TEMPLATES.rglob("*") if path.is_file() and path.suffix != ".j2"}


def urls(css: bytes) -> set[str]:
    return set(re.findall(r"url\(\s*['\"]?([^'\")]+)", css.decode("utf-8")))


def browsers_with(old: str, new: str, count: int = 1) -> dict[str, bytes]:
    """``for_browsers`` of the repository's templates, with ``old`` in the stylesheet replaced."""
    assets = templates()
    css = assets["statement.css"].decode("utf-8")
    assert old in css, f"statement.css no longer contains {old!r}: update the test"
    assets["statement.css"] = css.replace(old, new, count).encode("utf-8")
    return webfonts.for_browsers(assets)


# --- the browsers' stylesheet names only files published beside it -------------------------------

@pytest.mark.parametrize("old, new", [
    ("@font-face", "@FONT-FACE"),  # at-keywords are case-insensitive (CSS Syntax 3)
    ("@font-face", "@Font-Face"),
    ("@font-face", "@font\\-face"),  # an escaped hyphen is still the same keyword
], ids=["upper-case", "mixed-case", "escaped"])
def test_every_font_face_spelling_is_removed_for_browsers(old, new):
    """An @font-face WeasyPrint reads (and ``fonts_of`` reads as one) is a rule a browser reads
    too: left in, it names a full font the published assets no longer hold (a broken link, and
    the page falls back to another font where the subset lacks a character)."""
    browsers = browsers_with(old, new)
    missing = {url for url in urls(browsers["statement.css"]) if url not in browsers}
    assert not missing, f"the browsers' statement.css names files not published: {missing}"


def test_a_brace_in_a_comment_of_a_font_face_leaves_the_rest_of_the_stylesheet_whole():
    """A ``}`` inside a comment of an @font-face: the rule ends at the real brace, and nothing of
    it is left behind (a stray ``*/ … }`` closed the @media block early and swallowed the next
    rule, the @page, in a browser's print)."""
    browsers = browsers_with("src: url(fonts/NotoSerif-Regular.ttf);",
                             "src: url(fonts/NotoSerif-Regular.ttf); /* } { */")
    css = browsers["statement.css"].decode("utf-8")
    assert "*/ font-weight" not in css and "font-weight: 400; }\n}" not in css
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    assert [r.lower_at_keyword for r in rules if r.type == "at-rule"].count("page") >= 1
    assert not [r for r in rules if r.type == "error"]
    assert all(r.type != "qualified-rule" or "}" not in tinycss2.serialize(r.prelude)
               for r in rules)


@pytest.mark.parametrize("url", ["print-shop.css", "fonts/NotoSerif-Bold.ttf", "cmyk.icc"])
def test_a_print_only_file_the_browsers_stylesheet_names_is_published(url):
    """A rule of statement.css (for screen as well as print) that names the print-shop
    stylesheet, a full font or a colour profile: the build accepts it (each is a file of
    templates/), and the page that uses the stylesheet must find it in output/_assets."""
    assets = templates()
    assets["cmyk.icc"] = b"profile"
    assets["statement.css"] += f"\n.nothing {{ background-image: url({url}); }}\n".encode()
    browsers = webfonts.for_browsers(assets)
    assert url in urls(browsers["statement.css"])
    assert browsers.get(url) == assets[url]


def test_what_only_printing_reads_is_still_left_out():
    """The fix above keeps what the browsers' stylesheet names, and nothing more."""
    assets = templates()
    assets["cmyk.icc"] = b"profile"
    browsers = webfonts.for_browsers(assets)
    assert sorted(browsers) == ["favicon.svg", "fonts/OFL.txt", "statement.css"]


# --- the justified paragraphs' nudges stay within a bounded number of layouts ----------------------

@pytest.mark.slow
def test_a_paragraph_no_nudge_can_help_is_not_laid_out_a_dozen_times():
    """A document whose every paragraph stays stretched whatever its spacing: the trials stop
    at weasyfixes.TRIAL_BUDGET (four layouts of its text), not after every nudge (ten)."""
    from weasyprint import CSS, HTML

    from pipeline import weasyfixes

    words = " ".join(["i", "M" * 18] * 12)
    html = "<style>@page { size: A5; } p { text-align: justify; font-size: 12pt; }</style>" + "".join(
        f'<div data-paragraph="{n}"><p>{words}</p></div>' for n in range(1, 4))
    renders = []

    def render(*css: str):
        renders.append(time.monotonic())
        return HTML(string=html).render(stylesheets=[CSS(string=c) for c in css])

    assert weasyfixes.stretched_paragraphs(render()) == ["1", "2", "3"]
    renders.clear()
    weasyfixes.laid_out(render)
    assert len(renders) <= 1 + weasyfixes.TRIAL_BUDGET + 1, f"{len(renders)} layouts of one document"



# --- a page that links a print-only file --------------------------------------------------------

@pytest.mark.parametrize("target", ["print-shop.css", "fonts/NotoSerif-Regular.ttf"])
def test_a_page_never_links_an_asset_that_is_not_published(small, capsys, target):
    """A template may link any file of templates/ (the printer's fetcher serves them all: the
    full fonts must be served for print), but output/_assets holds only what
    webfonts.for_browsers keeps: a page that links a file only printing reads is refused, at
    the template's line, and nothing of it is published."""
    from .helpers import cli, edit, line_of

    template = "templates/statement.html.j2"
    edit(small, template,
         '<link rel="stylesheet" href="{{ assets }}/statement.css">',
         '<link rel="stylesheet" href="{{ assets }}/statement.css">\n'
         f'<link rel="stylesheet" href="{{{{ assets }}}}/{target}">')
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--lang", "en", "-j1")
    assert status == 1
    assert f"{template}:{line_of(small, template, target)}: ghouta-2017.en is not printed: its " \
           f"page links _assets/{target}, which only printing reads" in "\n".join(lines), lines
    assert not (small.output_dir / "ghouta-2017" / "ghouta-2017.en.html").exists()
    assert not (small.output_dir / "_assets" / target).exists()


def test_the_assets_a_page_may_link_are_those_the_site_publishes(small):
    from pipeline.site import linkable_assets, unpublished_links
    from pipeline.snapshot import take

    linkable = linkable_assets(take(small, ["ghouta-2017"], ["en"]))
    assert {"statement.css", "webfonts.css", "favicon.svg"} <= linkable
    assert "print-shop.css" not in linkable
    html = ('<link href="../_assets/statement.css"><link href="../_assets/print-shop.css?v=1">'
            '<img src="../_assets/fonts/NotoSerif-Regular.ttf"><a href="../_assets/print-shop.css">'
            '<a href="https://example.org/_assets/x.ttf">')
    assert unpublished_links(html, "x/x.en.html", linkable) == [
        ("print-shop.css", "../_assets/print-shop.css?v=1"),
        ("fonts/NotoSerif-Regular.ttf", "../_assets/fonts/NotoSerif-Regular.ttf")]


@pytest.mark.parametrize("page", [
    '<link rel="stylesheet" href="./../_assets/print-shop.css">',
    '<link rel="stylesheet" href=" ../_assets/print-shop.css">',
    '<link rel="stylesheet" href="../_assets/print-\tshop.css\n">',
    '<link rel="stylesheet" href="..\\_assets\\print-shop.css">',
    '<link rel="stylesheet" href="../x/../_assets/print-shop.css">',
    '<link rel="stylesheet" href="../_assets/%70rint-shop.css">',
    '<link rel="stylesheet" href="../_assets/fonts/../print-shop.css">',
    '<link rel="stylesheet" href="https://example.org/statements/_assets/print-shop.css">',
    '<base href="../_assets/"><link rel="stylesheet" href="print-shop.css">',
    '<style>@import url("../_assets/print-shop.css");</style>',
    '<style>@import "../_assets/print-shop.css";</style>',
    '<style>p { background: url(../_assets/print-shop.css) }</style>',
    '<p style="background: url(&quot;../_assets/print-shop.css&quot;)">x</p>',
    '<img srcset="../_assets/statement.css 2x, ../_assets/print-shop.css 1x">',
    '<video poster="../_assets/print-shop.css"></video>',
    '<object data="../_assets/print-shop.css"></object>',
])
def test_every_way_a_page_may_link_an_unpublished_asset_is_seen(small, page):
    """A browser strips the spaces around an address and the tabs and line breaks in it, reads a
    backslash as a slash, decodes escapes, resolves . and .. against the page's folder or its
    <base>, and fetches what srcset, poster, data, url() and @import name: so does the check."""
    from pipeline.site import linkable_assets, unpublished_links
    from pipeline.snapshot import take

    linkable = linkable_assets(take(small, ["ghouta-2017"], ["en"]))
    found = unpublished_links(f"<head>{page}</head>", "ghouta-2017/ghouta-2017.en.html", linkable,
                              "https://example.org/statements/")
    assert [file for file, _ in found] == ["print-shop.css"]
    ok = page
    for name in ("print-shop.css", "%70rint-shop.css", "print-\tshop.css"):
        ok = ok.replace(name, "statement.css")
    assert unpublished_links(ok, "ghouta-2017/ghouta-2017.en.html", linkable,
                             "https://example.org/statements/") == []


def test_a_draft_and_the_index_resolve_links_from_their_own_folder(small):
    from pipeline.site import linkable_assets, unpublished_links
    from pipeline.snapshot import take

    linkable = linkable_assets(take(small, ["ghouta-2017"], ["en"]))
    link = '<link href="{}/print-shop.css">'
    assert unpublished_links(link.format("../../_assets"), "drafts/x/x.en.html", linkable)
    assert not unpublished_links(link.format("../_assets"), "drafts/x/x.en.html", linkable)
    assert unpublished_links(link.format("_assets"), "index.html", linkable)
    assert not unpublished_links(link.format("../_assets"), "index.html", linkable)


@pytest.mark.parametrize(("template", "anchor", "added", "needle", "refusal", "unwritten"), [
    # an escaped link in an edition's page: the edition is refused, with the template's line
    ("templates/statement.html.j2", '<link rel="stylesheet" href="{{ assets }}/statement.css">',
     '<link rel="stylesheet" href="./{{ assets }}/%70rint-shop.css">', "%70rint",
     "ghouta-2017.en is not printed: its page links _assets/print-shop.css, which only printing "
     "reads", "ghouta-2017/ghouta-2017.en.html"),
    # an index that links an unpublished asset is refused too
    ("templates/index.html.j2", '<link rel="stylesheet" href="_assets/webfonts.css">',
     '<style>@import url("_assets/print-shop.css");</style>', "print-shop.css",
     "index.html is not published: its page links _assets/print-shop.css", "index.html"),
])
def test_a_page_that_links_an_unpublished_asset_is_refused_at_its_templates_line(
        small, capsys, template, anchor, added, needle, refusal, unwritten):
    from .helpers import cli, edit, line_of

    edit(small, template, anchor, f"{anchor}\n{added}")
    status, lines = cli(capsys, small, "build", "ghouta-2017", "--lang", "en", "-j1")
    assert status == 1
    assert f"{template}:{line_of(small, template, needle)}: {refusal}" in "\n".join(lines), lines
    assert not (small.output_dir / unwritten).exists()


# --- a project without a bilingual edition is bundled ---------------------------------------------

@pytest.mark.slow
def test_dist_bundles_a_project_that_has_no_bilingual_edition(small, capsys):
    """``bilingual`` is optional (a project of one language has none): ``dist`` took the empty
    pair for a subset of every statement's languages, waited for a bilingual edition never
    planned, and left each statement unbundled, saying nothing and exiting 0."""
    from .conftest import keep_languages
    from .helpers import cli

    project = keep_languages(small, "en")
    settings = project.root / "pyproject.toml"
    text = settings.read_text("utf-8")
    assert re.search(r"^bilingual = .*$", text, re.M), "the fixture changed: update the test"
    settings.write_text(re.sub(r"^bilingual = .*\n", "", text, flags=re.M), "utf-8")
    status, errors = cli(capsys, project, "dist", "one-voice-2019")
    assert status == 0, errors
    assert [p.name for p in (project.root / "dist").glob("*.zip")] != [], \
        "dist exited 0 and wrote no bundle"


# --- a template's own paragraph markers ---------------------------------------------------------

@pytest.mark.parametrize("marker", ["p1", 'one"] body { display: none } [x="', "\u0661"])
def test_a_template_may_name_its_paragraphs_as_it_likes(marker):
    """Templates are inputs: a ``data-paragraph`` that is not a number (``p1``, a quote, an
    Arabic-Indic digit) crashed the nudges (``int()``: "printing failed unexpectedly ... this is
    a bug") or, with a quote, would have written its text into the nudges' stylesheet."""
    import tinycss2
    from weasyprint import CSS, HTML

    from pipeline import weasyfixes

    words = " ".join(["i", "M" * 18] * 12)
    html = ("<style>@page { size: A5; } p { text-align: justify; font-size: 12pt; }</style>"
            f'<div data-paragraph="{marker.replace(chr(34), "&quot;")}"><p>{words}</p></div>')

    def render(*css: str):
        return HTML(string=html).render(stylesheets=[CSS(string=c) for c in css])

    assert weasyfixes.stretched_paragraphs(render()) == [marker]
    document = weasyfixes.laid_out(render)
    assert document.pages, "nothing laid out"
    spacing = weasyfixes.word_spacing({marker: 0.01, "10": 0.02, "2": 0.01})
    rules = [rule.type for rule in tinycss2.parse_stylesheet(spacing, True, True)]
    assert rules == ["qualified-rule"] * 3 and spacing.index('"2"') < spacing.index('"10"')


@pytest.mark.parametrize("keep", ["many", "", "-5"])
def test_a_data_keep_that_is_not_a_number_is_an_error_not_a_crash(keep):
    """``data-keep`` (the fewest names a list may start a page with) read with ``int()``: a
    template's ``data-keep="many"`` ended the print with "printing failed unexpectedly ... this
    is a bug". It is the template's mistake, said as such."""
    from weasyprint import HTML

    from pipeline import weasyfixes

    names = "".join(f"<li>Organisation {n}</li>" for n in range(200))
    html = f'<p>Text</p><section data-keep="{keep}"><ul>{names}</ul></section>'
    with pytest.raises(weasyfixes.TemplateMarkError, match=r'data-keep="[^"]*" is not a number'):
        weasyfixes.laid_out(lambda *css: HTML(string=html).render())


# --- the print-shop stylesheet reads nothing outside the project ----------------------------------

@pytest.mark.slow
def test_the_print_shop_stylesheet_cannot_import_a_file_from_outside_the_project(small, capsys,
                                                                                  tmp_path):
    """``templates/print-shop.css`` was given to WeasyPrint as a stylesheet of its own, with
    WeasyPrint's default fetcher: its ``@import`` read any file (or address) and applied it, here
    one hiding every paragraph, while statement.css and the templates are fenced in."""
    from .helpers import cli, pdf_text

    outside = tmp_path / "outside.css"
    outside.write_text("p, h1 { display: none !important; }", "utf-8")
    sheet = small.root / "templates/print-shop.css"
    sheet.write_text(f"@import url({outside.as_uri()});\n" + sheet.read_text("utf-8"), "utf-8")
    status, errors = cli(capsys, small, "build", "one-voice-2019", "--lang", "en", "--print-shop")
    pdf = small.output_dir / "one-voice-2019/one-voice-2019.en.pdf"
    if status == 0:  # printed: then without the outside file's rules
        assert "Security Council" in pdf_text(pdf), "the outside stylesheet was applied"
    else:
        assert any(f"refused to load {outside.as_uri()!r}" in line for line in errors), errors
        assert not pdf.exists()

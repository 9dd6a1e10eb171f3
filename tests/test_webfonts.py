"""The web fonts (pipeline/webfonts.py): the build publishes, beside the stylesheet, each face
cut down to the characters the site shows, as WOFF2. The same input gives the same bytes (in any
process), every character a page shows is in a subset, the subsets keep the layout features and
shape and draw text exactly as the full fonts do, and a build cuts them again only when the
characters change.

The unit tests read the repository's stylesheet and fonts; the others the session's shared build
(``built``) or a private copy of it (``good``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from pipeline import webfonts
from pipeline.commands.build import build
from pipeline.commands.update import update
from pipeline.errors import PipelineError
from pipeline.fonts import Face, cmap, drawn, fonts_of, page_text
from pipeline.plan import Request
from pipeline.project import ASSETS, STYLESHEET, Project
from pipeline.site import CACHED_CUTS, SITE_STATE, WEBFONT_CACHE, asset_files
from pipeline.snapshot import take

from . import webcheck
from .conftest import ROOT
from .helpers import edit

TEMPLATES = ROOT / "templates"


def stylesheet_faces(templates: Path) -> tuple[Face, ...]:
    """The faces of a templates folder's stylesheet, as the build reads them."""
    return fonts_of({p.relative_to(templates).as_posix(): p.read_bytes()
                     for p in templates.rglob("*") if p.is_file() and p.suffix != ".j2"}).faces


def published_pages(output: Path) -> list[Path]:
    return sorted(p for p in output.rglob("*.html") if "drafts" not in p.relative_to(output).parts)


def published_fonts(output: Path) -> dict[str, bytes]:
    """The web font files below ``_assets``: their stylesheet and the WOFF2 subsets."""
    assets = output / ASSETS
    return {p.relative_to(assets).as_posix(): p.read_bytes() for p in sorted(assets.rglob("*"))
            if p.name == "webfonts.css" or p.suffix == ".woff2"}


@pytest.fixture(scope="module")
def repository_faces() -> tuple[Face, ...]:
    return stylesheet_faces(TEMPLATES)


# --- Units: the repository's stylesheet and fonts, small texts ---------------------------------


def test_the_stylesheet_faces_are_found_inside_media_rules_too(repository_faces):
    """statement.css declares the full fonts inside ``@media print``: every face is found."""
    assert {(f.family, f.weight, f.style, f.url) for f in repository_faces} >= {
        ("Edition Serif", "400", "normal", "fonts/NotoSerif-Regular.ttf"),
        ("Edition Serif", "700", "normal", "fonts/NotoSerif-Bold.ttf"),
        ("Edition Serif", "400", "italic", "fonts/NotoSerif-Italic.ttf"),
        ("Edition Naskh", "400", "normal", "fonts/NotoNaskhArabic-Regular.ttf"),
        ("Edition Naskh", "700", "normal", "fonts/NotoNaskhArabic-Bold.ttf")}
    assert len(repository_faces) == (TEMPLATES / STYLESHEET).read_text("utf-8").count("@font-face")
    assert all(f.data == (TEMPLATES / f.url).read_bytes() for f in repository_faces)


def test_a_browser_gets_neither_the_print_fonts_nor_the_print_shop_stylesheet():
    assets = {path.relative_to(TEMPLATES).as_posix(): path.read_bytes()
              for path in TEMPLATES.rglob("*") if path.is_file() and path.suffix != ".j2"}
    assets["cmyk.icc"] = b"profile"
    browsers = webfonts.for_browsers(assets)
    assert sorted(browsers) == ["favicon.svg", "fonts/OFL.txt", "statement.css"]
    assert b"@font-face" not in browsers["statement.css"] and b".ttf" not in browsers["statement.css"]
    assert browsers["favicon.svg"] == assets["favicon.svg"]


def test_a_face_whose_file_is_missing_is_an_error_naming_the_stylesheet_line():
    css = '\n@media print {\n@font-face { font-family: "X"; src: url(fonts/none.ttf); }\n}\n'
    with pytest.raises(PipelineError, match=r"^templates/statement\.css:3: the font "
                       r"fonts/none\.ttf cannot be read \(there is no such file\)"):
        fonts_of({STYLESHEET: css.encode()})


def test_a_face_without_a_family_or_a_url_is_an_error():
    for rule in ("@font-face { src: url(a.ttf); }", '@font-face { font-family: "X"; src: local(X); }'):
        with pytest.raises(PipelineError, match=r"^templates/statement\.css:1: an @font-face "
                           "without a font-family"):
            fonts_of({STYLESHEET: rule.encode(), "a.ttf": b""})


def test_a_face_that_draws_none_of_the_text_gives_no_subset(repository_faces):
    naskh = next(f for f in repository_faces if f.family == "Edition Naskh")
    assert webfonts.subset(naskh, [ord("A"), ord("b")]) is None
    # Of a Latin word, Naskh has only the spaces and hyphens every subset keeps.
    spaces = webfonts.subset(naskh, webfonts.characters(["Sochi"]))
    assert spaces is not None and spaces.codepoints <= {ord(c) for c in webfonts.ALWAYS}


def test_unicode_range_joins_neighbours_and_reads_back():
    assert webfonts.unicode_range([0x41, 0x20, 0x42, 0x43, 0x600]) == "U+20, U+41-43, U+600"
    points = frozenset({0x20, 0x41, 0x42, 0x43, 0x600, 0x10FFFF} | set(range(0x621, 0x63B)))
    assert webfonts.parse_unicode_range(webfonts.unicode_range(points)) == points


def test_the_characters_kept_include_the_other_case_and_the_mirror_images():
    """``text-transform`` and synthesised small capitals draw the other case; a right-to-left
    line draws '(' with the glyph of ')'. Spaces and the hyphens a browser adds are always kept."""
    kept = webfonts.characters(["a(«"])
    assert {ord(c) for c in "aA()«»"} <= kept
    assert {ord(c) for c in webfonts.ALWAYS} <= kept
    assert ord("b") not in kept


def test_shown_text_leaves_out_the_head_styles_and_scripts():
    html = ("<html><head><title>T</title><style>p{}</style></head><body><p>a&amp;b</p>"
            "<script>x</script><img alt='c'></body></html>")
    assert page_text(html).shown == "a&bc"
    assert page_text("<title>T</title><meta charset=utf-8><body>x").shown == "x"  # no </head>


# --- The shared build: what the site shows -----------------------------------------------------


@pytest.fixture(scope="module")
def faces(built: Project) -> tuple[Face, ...]:
    """The faces as the build reads them: from the project's snapshot."""
    return fonts_of(asset_files(take(built))).faces


@pytest.fixture(scope="module")
def texts(built: Project) -> dict[str, str]:
    """What every published page shows, by its path below ``output/``."""
    return {p.relative_to(built.output_dir).as_posix(): page_text(p.read_text("utf-8")).shown
            for p in published_pages(built.output_dir)}


@pytest.fixture(scope="module")
def subsets(built: Project, faces) -> list[webfonts.Subset]:
    """The web fonts the build published, in the stylesheet's order: each face that draws some
    of the site's text, with the characters its subset maps."""
    fonts = []
    for face in faces:
        found = sorted((built.output_dir / ASSETS / "fonts").glob(f"{face.stem}.*.woff2"))
        assert len(found) <= 1, found
        for path in found:
            with TTFont(path) as font:
                fonts.append(webfonts.Subset(face, path.read_bytes(), frozenset(font.getBestCmap())))
    return fonts


CUT_IN_ANOTHER_PROCESS = """
import hashlib, json, sys
from pathlib import Path
sys.modules["uharfbuzz"] = None  # fontTools cannot import it
from pipeline import webfonts
from pipeline.fonts import fonts_of, page_text
templates, output = Path(sys.argv[1]) / "templates", Path(sys.argv[1]) / "output"
faces = fonts_of({p.relative_to(templates).as_posix(): p.read_bytes()
                  for p in templates.rglob("*") if p.is_file() and p.suffix != ".j2"}).faces
pages = sorted(p for p in output.rglob("*.html") if "drafts" not in p.relative_to(output).parts)
fonts = webfonts.subsets(faces, [page_text(p.read_text("utf-8")).shown for p in reversed(pages)])
json.dump({name: hashlib.sha256(data).hexdigest()
           for name, data in webfonts.asset_files(fonts).items()}, sys.stdout)
"""


@pytest.mark.slow
def test_the_build_publishes_what_any_process_cuts_from_the_pages_text(built, texts):
    """``_assets`` holds exactly the fonts cut to the text of every edition and the index, and
    their ``@font-face`` rules, which every page links for screens. The output depends on the
    input only: a fresh interpreter with another hash seed, given the pages in another order and
    unable to import uharfbuzz (fontTools would pack GSUB and GPOS with it), cuts the same bytes
    as the build did."""
    assert {"index.html", "ghouta-2017/ghouta-2017.bilingual.html"} <= set(texts)
    done = subprocess.run([sys.executable, "-c", CUT_IN_ANOTHER_PROCESS, str(built.root)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
                          env={**os.environ, "PYTHONHASHSEED": "4242"})
    assert done.returncode == 0, done.stderr
    published = {name: hashlib.sha256(data).hexdigest()
                 for name, data in published_fonts(built.output_dir).items()}
    assert published == json.loads(done.stdout)
    for name in texts:
        html = (built.output_dir / name).read_text("utf-8")
        assert 'webfonts.css">' in html, name


@pytest.mark.slow
def test_the_fonts_keep_their_own_timestamp(subsets):
    for font in subsets:
        with TTFont(io.BytesIO(font.face.data)) as original, TTFont(io.BytesIO(font.woff2)) as cut:
            assert cut.flavor == "woff2"
            assert cut["head"].modified == original["head"].modified
            assert cut["head"].created == original["head"].created


@pytest.mark.slow
def test_every_character_a_page_shows_is_in_a_subset(subsets, texts):
    drawn_by_subsets = frozenset().union(*(f.codepoints for f in subsets))
    for name, text in texts.items():
        missing = drawn(text) - drawn_by_subsets
        assert not missing, f"{name}: {sorted(f'U+{c:04X}' for c in missing)}"


@pytest.mark.slow
def test_each_subset_has_exactly_what_its_full_font_has_of_the_pages(subsets, texts):
    """The same characters fall back from one family to the next as with the full fonts."""
    wanted = webfonts.characters(texts.values())
    for font in subsets:
        assert font.codepoints == wanted & cmap(font.face.data), font.face.url
        with TTFont(io.BytesIO(font.woff2)) as cut:
            assert frozenset(cut.getBestCmap()) == font.codepoints


@pytest.mark.slow
def test_the_layout_features_that_shape_the_text_are_kept(subsets):
    """The Arabic faces keep every feature (joining forms, ligatures, marks); a feature of the
    Latin faces goes only when it concerns none of the kept glyphs (combining marks, say), which
    the HarfBuzz test below shows changes nothing."""
    def tags(font: TTFont, table: str) -> set[str]:
        return {r.FeatureTag for r in font[table].table.FeatureList.FeatureRecord}

    assert {f.face.family for f in subsets} == {"Edition Serif", "Edition Naskh"}
    for font in subsets:
        with TTFont(io.BytesIO(font.face.data)) as original, TTFont(io.BytesIO(font.woff2)) as cut:
            for table in ("GSUB", "GPOS"):
                if font.face.family == "Edition Naskh":
                    assert tags(cut, table) == tags(original, table), font.face.url
                assert {"liga", "kern"} & tags(original, table) <= tags(cut, table)
            if font.face.family == "Edition Naskh":
                kept = tags(cut, "GSUB") | tags(cut, "GPOS")
                assert {"init", "medi", "fina", "rlig", "mark", "mkmk", "ccmp"} <= kept


class Shaper:
    """HarfBuzz (as Chromium uses it) over one font, giving each glyph as its drawing: glyph ids
    and names differ between a font and its subset, drawings do not."""

    def __init__(self, hb, data: bytes) -> None:
        self.hb = hb
        self.font = hb.Font(hb.Face(data))
        self.tt = TTFont(io.BytesIO(data))
        self.outlines: dict[int, tuple] = {}

    def outline(self, glyph_id: int) -> tuple:
        if glyph_id not in self.outlines:
            glyf = self.tt["glyf"]
            coordinates, ends, flags = glyf[self.tt.getGlyphName(glyph_id)].getCoordinates(glyf)
            self.outlines[glyph_id] = (tuple(coordinates), tuple(ends), tuple(f & 1 for f in flags))
        return self.outlines[glyph_id]

    def shape(self, text: str) -> list[tuple]:
        buffer = self.hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        self.hb.shape(self.font, buffer)
        return [(self.outline(info.codepoint), info.cluster, pos.x_advance, pos.y_advance,
                 pos.x_offset, pos.y_offset)
                for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)]


@pytest.mark.slow
def test_harfbuzz_shapes_every_line_the_same_with_a_subset(subsets, texts):
    """Each line of the pages, shaped by HarfBuzz with the full font and with its subset: the
    same glyph drawings at the same positions, Arabic joining and marks included."""
    hb = pytest.importorskip("uharfbuzz", reason="uharfbuzz (HarfBuzz for Python) is not installed")
    lines: dict[str, str] = {}  # each line once, with the first page that shows it
    for name, text in texts.items():
        for line in filter(None, (line.strip() for line in text.splitlines())):
            lines.setdefault(line, name)
    for font in subsets:
        with TTFont(io.BytesIO(font.woff2)) as cut:
            cut.flavor = None  # HarfBuzz reads TrueType, not WOFF2
            buffer = io.BytesIO()
            cut.save(buffer)
        full, subset = Shaper(hb, font.face.data), Shaper(hb, buffer.getvalue())
        for line, name in lines.items():
            if drawn(line) & font.codepoints:  # some of the line is drawn with this face
                assert subset.shape(line) == full.shape(line), (font.face.url, name, line)


@pytest.mark.slow
def test_the_css_loads_each_subset_for_exactly_its_characters(subsets):
    rules = webfonts.font_face_css(subsets, "fonts/").split("@font-face")[1:]
    assert len(rules) == len(subsets)
    for font, rule in zip(subsets, rules, strict=True):
        assert f'src: url("fonts/{font.filename}") format("woff2");' in rule
        assert f'font-family: "{font.face.family}";' in rule
        assert f"font-weight: {font.face.weight};" in rule
        assert f"font-style: {font.face.style};" in rule
        assert f"unicode-range: {webfonts.unicode_range(font.codepoints)};" in rule


@pytest.mark.slow
def test_chromium_draws_a_page_the_same_with_the_subsets(tmp_path, subsets, texts):
    """The Arabic and the English page's text drawn by Chromium in the full TrueType fonts and
    in the WOFF2 subsets: the same pixels."""
    webcheck.need("chromium")
    for name, data in webfonts.asset_files(subsets, "subsets.css").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    for font in subsets:
        (tmp_path / font.face.url).write_bytes(font.face.data)
    (tmp_path / "full.css").write_text("".join(
        f'@font-face {{ font-family: "{f.face.family}"; font-weight: {f.face.weight}; '
        f'font-style: {f.face.style}; src: url("{f.face.url}"); }}\n' for f in subsets))
    body = "".join(f"<section><p>{t}</p><p><b>{t}</b></p><p><i>{t[:300]}</i></p></section>"
                   for t in (texts["sochi-2018/sochi-2018.ar.html"][:1500],
                             texts["sochi-2018/sochi-2018.en.html"][:800]))
    for css in ("full", "subsets"):
        (tmp_path / f"{css}.html").write_text(
            f'<!DOCTYPE html><html lang="ar" dir="rtl"><meta charset="utf-8">'
            f'<link rel="stylesheet" href="{css}.css"><style>body {{ font: 19px/1.7 "Edition Naskh",'
            f' "Edition Serif"; margin: 8px; }} section + section {{ direction: ltr; '
            f'font-family: "Edition Serif", "Edition Naskh"; }}</style><body>{body}</body></html>',
            "utf-8")
    shots, loaded = {}, {}
    with webcheck.serve(tmp_path) as base, webcheck.chromium() as browser:
        tab = webcheck.Tab(browser)
        for css in ("full", "subsets"):
            page = tab.visit(f"{base}/{css}.html", 800)
            loaded[css] = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                                        ".map(f => [f.family, f.weight, f.style]).sort()")
            shots[css] = page.screenshot(full_page=True)
        tab.close()
    assert len(loaded["full"]) >= 4 and loaded["subsets"] == loaded["full"]
    assert shots["subsets"] == shots["full"]


# --- Builds: when the fonts are cut again ------------------------------------------------------


def site_state(project: Project) -> dict:
    return json.loads((project.output_dir / SITE_STATE).read_bytes())


def file_identities(project: Project) -> dict[str, tuple[int, int]]:
    """Each web font file's inode and modification time: a file written again changes them."""
    assets = project.output_dir / ASSETS
    return {name: ((assets / name).stat().st_ino, (assets / name).stat().st_mtime_ns)
            for name in published_fonts(project.output_dir)}


@pytest.fixture
def cut(monkeypatch) -> list[str]:
    """The faces (by their font's file name) the builds cut again, in order."""
    faces: list[str] = []
    real = webfonts.subset

    def counted(face: Face, codepoints: Iterable[int]) -> webfonts.Subset | None:
        faces.append(face.stem)
        return real(face, codepoints)

    monkeypatch.setattr(webfonts, "subset", counted)
    return faces


@pytest.fixture
def looked(monkeypatch) -> list[int]:
    """One item for each time a build looked at the characters the site shows."""
    calls: list[int] = []
    real = webfonts.characters

    def counted(texts: Iterable[str]) -> frozenset[int]:
        calls.append(1)
        return real(texts)

    monkeypatch.setattr(webfonts, "characters", counted)
    return calls


SERIF = ["NotoSerif-Bold", "NotoSerif-BoldItalic", "NotoSerif-Italic", "NotoSerif-Regular"]


@pytest.mark.slow
def test_a_full_build_whose_pages_show_the_same_characters_cuts_and_rewrites_no_font(
        good, cut, looked):
    """A catalog whose references moved: the build looks at every edition (the catalog's bytes
    changed), prints none, writes the site again, and keeps every web font as it is: the site
    state's ``webfonts`` record (each face's characters, file and range) is the same."""
    edit(good, "locales/ar/LC_MESSAGES/statements.po", "#: sources/ghouta-2017.yaml:5\n",
         "#: sources/ghouta-2017.yaml:6\n")
    before, identities = site_state(good), file_identities(good)
    report = build(good, Request(), jobs=1)
    assert not report.printed and not report.refused
    assert looked, "the build did not write the site: the test shows nothing"
    assert cut == []
    assert site_state(good)["webfonts"] == before["webfonts"]
    assert file_identities(good) == identities
    assert site_state(good)["files"] == before["files"]


@pytest.mark.slow
def test_a_new_character_in_a_statement_makes_new_subsets_of_the_faces_that_have_it(
        good, cut, repository_faces):
    """'€' in an English paragraph: the faces that have it (Noto Serif's four) are cut again
    with it, under new names, and their old files go; the Naskh faces, which lack it, are not
    cut again and keep their files. (The Arabic editions, whose catalog lacks the new paragraph,
    are refused.)"""
    before, record = published_fonts(good.output_dir), site_state(good)["webfonts"]
    assert not any("€" in page_text(p.read_text("utf-8")).shown
                   for p in published_pages(good.output_dir))
    has_euro = {face.stem for face in repository_faces if ord("€") in cmap(face.data)}
    assert sorted(has_euro) == SERIF
    edit(good, "sources/one-voice-2019.yaml", "Hospitals, schools and markets have been struck",
         "Hospitals, schools and markets worth €40 million have been struck")
    report = build(good, Request(), jobs=1)
    assert [p.target.name for p in report.printed] == ["one-voice-2019.en"]
    assert report.removed == [], "a replaced web font is no edition removed (the summary's count)"
    assert sorted(cut) == SERIF
    after = published_fonts(good.output_dir)
    for name in before.keys() - {"webfonts.css"}:
        assert (name in after) is (stem_of(name) not in has_euro), name
    new = sorted(after.keys() - before.keys())
    assert [stem_of(name) for name in new] == SERIF
    for name in new:
        with TTFont(io.BytesIO(after[name])) as font:
            assert ord("€") in font.getBestCmap(), name
        assert f'url("{name}")' in after["webfonts.css"].decode("utf-8")
    now = site_state(good)["webfonts"]
    assert {url for url in now if now[url] != record[url]} == {f"fonts/{s}.ttf" for s in SERIF}


@pytest.mark.slow
def test_a_web_font_damaged_in_the_output_is_cut_again(good, cut):
    """A subset whose bytes no longer match its name is not published again as it is: it is
    taken from the cache of earlier cuts while the copy there is intact, and cut again when it
    is not."""
    damaged = next(n for n in published_fonts(good.output_dir) if "NotoNaskhArabic-Bold" in n)
    good_bytes = (good.output_dir / ASSETS / damaged).read_bytes()
    cached = good.output_dir / WEBFONT_CACHE / damaged.removeprefix("fonts/")
    assert cached.read_bytes() == good_bytes
    (good.output_dir / ASSETS / damaged).write_bytes(good_bytes[:100])
    report = build(good, Request(), jobs=1)
    assert not report.printed and not report.refused
    assert cut == []
    assert (good.output_dir / ASSETS / damaged).read_bytes() == good_bytes
    (good.output_dir / ASSETS / damaged).write_bytes(good_bytes[:100])
    cached.write_bytes(good_bytes[:100])
    report = build(good, Request(), jobs=1)
    assert cut == ["NotoNaskhArabic-Bold"]
    assert (good.output_dir / ASSETS / damaged).read_bytes() == good_bytes
    assert cached.read_bytes() == good_bytes


@pytest.mark.slow
def test_characters_that_come_and_go_take_the_fonts_cut_for_them_before(good, cut):
    """'€' in an English paragraph (the Arabic editions are refused and kept, behind): the faces
    that have it are cut again; the edit undone, then made again, the site takes each set of
    characters' fonts from the cache of earlier cuts and cuts nothing. The cache keeps each
    face's latest cuts only, and the files the site state names."""
    source = "sources/one-voice-2019.yaml"
    original = (good.root / source).read_text("utf-8")
    first = site_state(good)["webfonts"]

    def euro() -> None:
        edit(good, source, "Hospitals, schools and markets have been struck",
             "Hospitals, schools and markets worth €40 million have been struck")
        update(good)
        build(good, Request(), jobs=1)

    euro()
    assert set(SERIF) <= set(cut)
    second = site_state(good)["webfonts"]
    assert second != first
    cut.clear()
    (good.root / source).write_text(original, "utf-8")
    update(good)
    build(good, Request(), jobs=1)
    assert site_state(good)["webfonts"] == first
    euro()
    assert site_state(good)["webfonts"] == second
    assert cut == []
    cached = site_state(good)["cached"]
    names = {cut[1] for cuts in cached.values() for cut in cuts}
    assert {p.name for p in (good.output_dir / WEBFONT_CACHE).iterdir()} == names
    assert all(2 <= len(cuts) <= CACHED_CUTS for url, cuts in cached.items() if "Serif" in url)


def stem_of(name: str) -> str:
    """``NotoSerif-Bold`` for ``fonts/NotoSerif-Bold.1a2b3c4d5e.woff2``."""
    return name.rsplit("/", 1)[-1].split(".")[0]

"""The printed editions themselves, read back with real PDF tools (pypdf, poppler's pdftotext)
from the session's shared build of the fixture project (read-only): the Sochi statement word for
word in English and Arabic, right-to-left lists and page furniture (Arabic and Persian, each with
its own digits), fonts and metadata, and the other shapes of statement (a month or a year for a
date, no signatories, formatted paragraphs, names given or written in Arabic) in every language's
edition: English, Arabic, Persian and French.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from pipeline.catalogs.pofile import read_catalog
from pipeline.project import Project
from pipeline.source import parse_statement

from .helpers import pdf_blocks, pdf_text, pdf_words, word_key

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None,
                       reason="poppler's pdftotext is missing: run tools/system-packages test"),
]

A4 = (595.28, 841.89)
MIDDLE = A4[0] / 2
TOP, BOTTOM = 62.4, 68.0  # the page margins (22 mm, 24 mm) that hold the page furniture
LINK = "https://undocs.org/S/RES/2139(2014)"
GIVEN_ARABIC = "الشبكة السورية لحقوق الإنسان"  # the Arabic name Syrian Network for Human Rights gives
WRITTEN_IN_ARABIC = "تجمع المحامين السوريين الأحرار"  # a name written only in Arabic in the source
LIST_ITEMS = {
    "en": ["demand that every siege in Syria be lifted;",
           "ensure the safe evacuation of the sick and the wounded;",
           "hold to account those who starve civilians as a method of war."],
    "ar": ["المطالبة برفع كل حصار في سوريا؛", "ضمان الإجلاء الآمن للمرضى والجرحى؛",
           "محاسبة من يستخدمون تجويع المدنيين أسلوباً من أساليب الحرب."],
    "fa": ["خواستار رفع هرگونه محاصره در سوریه شوند؛", "تخلیهٔ امن بیماران و زخمیان را تضمین کنند؛",
           "کسانی را که از گرسنگی دادن به غیرنظامیان همچون روشی جنگی استفاده می‌کنند، به "
           "پاسخ‌گویی وادارند."],
    "fr": ["d’exiger la levée de tous les sièges en Syrie ;",  # (a narrow no-break space)
           "d’assurer l’évacuation en toute sécurité des malades et des blessés ;",
           "de demander des comptes à ceux qui affament les civils comme méthode de guerre."],
}
STRONG = {"en": "immediate, unconditional and sustained", "ar": "فوري وغير مشروط ومستدام",
          "fa": "فوری، بی‌قیدوشرط و مستمر", "fr": "immédiat, inconditionnel et durable"}
PLAIN = {"en": "humanitarian access", "ar": "تدعو المنظمات", "fa": "بیانیه",
         "fr": "humanitaire"}
RIGHT_TO_LEFT = {"ar": ("٠١٢٣٤٥٦٧٨٩", "الصفحة"), "fa": ("۰۱۲۳۴۵۶۷۸۹", "صفحه")}
"""The right-to-left languages of the fixture: their digits, and the first word of the footer."""


def edition(project: Project, statement_id: str, variant: str, kind: str = "pdf") -> Path:
    return project.output_dir / statement_id / f"{statement_id}.{variant}.{kind}"


def squash(text: str, punctuation: bool = True) -> str:
    """Text without white space, hyphens (hyphenation adds some), format characters (bidi
    marks, isolates) and, if asked, punctuation and marks (text extraction misplaces the
    punctuation between a right-to-left run and a number, and drops the shadda, although both
    are printed right)."""
    return "".join(c for c in text if not c.isspace() and c not in "-\u2010\u00ad"
                   and unicodedata.category(c) != "Cf"
                   and (punctuation or unicodedata.category(c)[0] not in "PM"))


def body_text(path: Path) -> str:
    """The text inside the page margins, page after page, without the running furniture."""
    pages = len(PdfReader(path).pages)
    chunks = []
    for page in range(1, pages + 1):
        chunks.append(subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-r", "72", "-x", "0",
             "-y", str(int(TOP)), "-W", str(int(A4[0])), "-H", str(int(A4[1] - TOP - BOTTOM)),
             str(path), "-"], check=True, capture_output=True, text=True).stdout)
    return "\n".join(chunks)


def lines(path: Path) -> list[str]:
    return [line.strip() for line in pdf_text(path).splitlines() if line.strip()]


def spans(path: Path, page: int = 0) -> list[tuple[str, str]]:
    """(font name without its subset tag, text) of each piece of text pypdf finds on a page,
    without the invisible direction marks the text layer maps some glyphs to (an RLM before a
    comma: pipeline/textlayer.py)."""
    found: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        if text.strip() and font is not None:
            found.append((str(font.get("/BaseFont", "")).split("+", 1)[-1], text))

    PdfReader(path).pages[page].extract_text(visitor_text=visit)
    return found


def link_rects(path: Path, page: int = 0) -> list[tuple[str, tuple[float, float, float, float]]]:
    """The URI links of a page: target, and rectangle in pdftotext's coordinates (y down)."""
    reader = PdfReader(path)
    height = float(reader.pages[page].mediabox.height)
    links = []
    for annotation in reader.pages[page].get("/Annots") or []:
        annotation = annotation.get_object()
        action = annotation.get("/A")
        if annotation.get("/Subtype") == "/Link" and action and action.get("/S") == "/URI":
            x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
            links.append((str(action["/URI"]), (min(x0, x1), height - max(y0, y1),
                                                max(x0, x1), height - min(y0, y1))))
    return links


def parts(word: str) -> list[str]:
    """The words poppler gives as one, without the marks it sets apart: after a Persian ezafe
    (U+0654, drawn above the letter) it may join two words into one with a space."""
    return "".join(c for c in word if unicodedata.category(c) != "Mn").split()


def visual(word: str) -> str:
    """A word as pdftotext -bbox writes it: Arabic letters in visual order (reversed)."""
    return word[::-1]


class Html(HTMLParser):
    """What an HTML edition shows: its links, its bulleted lists (outside the language
    switcher), its headings and its text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.lists: list[list[str]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self.classes: list[str] = []
        self._anchor: list[str] | None = None
        self._href = ""
        self._item: list[str] | None = None
        self._heading: list[str] | None = None
        self._skip = 0
        self._open: list[str] = []  # the lists open around the current point
        self._nav = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.classes += (attributes.get("class") or "").split()
        if tag in ("style", "title", "head"):
            self._skip += 1
        elif tag == "a":
            self._anchor, self._href = [], attributes.get("href") or ""
        elif tag in ("ul", "ol"):
            self._open.append(tag)
            if tag == "ul" and not self._nav:
                self.lists.append([])
        elif tag == "li" and self._open[-1:] == ["ul"] and not self._nav:
            self._item = []
        elif tag == "nav":
            self._nav += 1
        elif tag in ("h1", "h2"):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("style", "title", "head"):
            self._skip -= 1
        elif tag == "a" and self._anchor is not None:
            self.links.append((self._href, "".join(self._anchor)))
            self._anchor = None
        elif tag in ("ul", "ol") and self._open:
            self._open.pop()
        elif tag == "nav":
            self._nav -= 1
        elif tag == "li" and self._item is not None and self.lists:
            self.lists[-1].append("".join(self._item))
            self._item = None
        elif tag in ("h1", "h2") and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        for part in (self._anchor, self._item, self._heading):
            if part is not None:
                part.append(data)


def html_of(project: Project, statement_id: str, variant: str) -> Html:
    return Html(edition(project, statement_id, variant, "html").read_text("utf-8"))


def names_shown(project: Project, statement_id: str, variant: str) -> list[str]:
    """The list of signatories as an HTML edition shows it: number and name, without tags and
    white space."""
    html = edition(project, statement_id, variant, "html").read_text("utf-8")
    return [squash(unescape(re.sub(r"<[^>]+>", "", item)))
            for item in re.findall(r"<li value=[^>]*>(.*?)</li>", html, re.S)]


def sochi_arabic(project: Project) -> dict[tuple[str, str], str]:
    """The Arabic translations of the Sochi statement's paragraphs and names."""
    statement = parse_statement(project.source_path("sochi-2018").read_bytes(), "sochi-2018.yaml",
                                "sochi-2018")
    path = project.catalog_path("ar")
    catalog = read_catalog(path.read_bytes(), "ar.po", "ar")
    found = {}
    for context, texts in (("paragraph", [t.value for t in statement.body]),
                           ("signatory", [s.value for s in statement.signatories])):
        for text in texts:
            found[(context, text)] = catalog.get(text, context).msgstr
    return found


# --- Sochi, the seed ------------------------------------------------------------------------------

def test_english_pdf_holds_the_seed_word_for_word(built, seed):
    text = squash(body_text(edition(built, "sochi-2018", "en")))
    for part in [seed["title"], seed["subtitle"], seed["date"], *seed["paragraphs"]]:
        assert squash(part) in text, part
    assert len(seed["signatories"]) == 133
    position = text.find(squash(seed["paragraphs"][-1]))
    for number, name in enumerate(seed["signatories"], 1):
        found = text.find(squash(f"{number}.{name}"), position)
        assert found > position, f"{number}. {name} is missing or out of order"
        position = found


def test_arabic_pdf_holds_the_arabic_text(built):
    """Every word of every paragraph (as a multiset of its letters: poppler reads a tanwin drawn
    above a line as a line of its own, and gives a lam-alef's letters in drawing order, so the
    order of words and letters it reads is not the text's), then the names in full."""
    pdf = edition(built, "sochi-2018", "ar")
    printed = Counter(word_key(part) for block in pdf_blocks(pdf) for line in block
                      for w in line for part in w[4].split() if word_key(part))
    translations = sochi_arabic(built)
    paragraphs = [s for (context, _), s in translations.items() if context == "paragraph"]
    assert len(paragraphs) == 6
    for paragraph in paragraphs:
        wanted = Counter(word_key(w) for w in paragraph.split() if word_key(w))
        assert not wanted - printed, (paragraph[:40], wanted - printed)
    text = squash(body_text(pdf), punctuation=False)
    names = [s for (context, _), s in translations.items() if context == "signatory"]
    assert len(names) == 133
    for name in names:
        for run in re.split(r"[A-Za-z0-9(),.، -]+", name):  # the Arabic runs of mixed names
            assert squash(run, punctuation=False) in text, name
    assert "٣كانونالثاني٢٠١٨" in text
    assert "وقعت١٣٣" in text and "منظمةعلىهذاالبيان" in text
    before_colophon = text.split("هذهالنسخةمطبوعة")[0]  # whose version codes are Latin
    assert not re.search("[0-9]", before_colophon.replace("Help4Syria", "").replace(
        "Scotland4Syria", ""))


@pytest.mark.parametrize("code", sorted(RIGHT_TO_LEFT))
def test_the_right_to_left_list_reads_from_the_right(built, code):
    """Each number, in the language's digits, stands at the right of its name (an Arabic or a
    Latin one), and the first column is the rightmost."""
    path = edition(built, "sochi-2018", code)
    digits = RIGHT_TO_LEFT[code][0]
    marker = re.compile(rf"^(?:\.([{digits}]{{1,3}})|([{digits}]{{1,3}})\.)$")
    numbers = []
    for page in range(1, len(PdfReader(path).pages) + 1):
        page_words = pdf_words(path, page)
        items = []
        for x0, y0, x1, _, word in page_words:
            if (match := marker.match(word)) and TOP - 10 < y0 < A4[1] - BOTTOM:
                digits = match.group(1) or match.group(2)
                items.append((x0, x1, y0, int("".join(str(unicodedata.decimal(d)) for d in digits))))
        for x0, x1, y0, number in items:
            same_line = [w for w in page_words
                         if abs(w[1] - y0) < 1 and (w[0] > MIDDLE) == (x0 > MIDDLE)]
            assert x1 == max(w[2] for w in same_line), f"the number {number} is not at the right"
            numbers.append(number)
        right = [n for x0, _, _, n in items if x0 > MIDDLE]
        left = [n for x0, _, _, n in items if x0 < MIDDLE]
        if right and left:
            assert max(right) < min(left), "the first column must be the rightmost"
    assert sorted(numbers) == list(range(1, 134))


@pytest.mark.parametrize("code", sorted(RIGHT_TO_LEFT))
def test_right_to_left_page_furniture_uses_the_languages_digits(built, code):
    path = edition(built, "sochi-2018", code)
    pages = len(PdfReader(path).pages)
    assert pages > 1
    digits, page_word = RIGHT_TO_LEFT[code]
    for page in range(1, pages + 1):
        footer = [part for w in pdf_words(path, page) if w[1] > A4[1] - BOTTOM
                  for part in parts(w[4])]
        assert visual(page_word) in footer, footer
        assert digits[page] in footer and digits[pages] in footer, footer
        assert not re.search("[0-9]", "".join(footer)), footer


def font_names(path: Path) -> dict[str, str]:
    """Each font a PDF uses: its name in the PDF, and the PostScript name of the embedded font
    program (which a subset keeps); fails on a font that is not embedded."""
    reader = PdfReader(path)
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                          if "/DescendantFonts" in font else font["/FontDescriptor"]).get_object()
            program = next((descriptor[key] for key in ("/FontFile2", "/FontFile3", "/FontFile")
                            if key in descriptor), None)
            assert program is not None, f"{path.name}: {font['/BaseFont']} is not embedded"
            with TTFont(io.BytesIO(program.get_object().get_data())) as embedded:
                found[str(font["/BaseFont"])] = embedded["name"].getDebugName(6)
    return found


def test_fonts_are_embedded_subset_and_only_the_repositorys(built):
    repository = set()
    for path in (built.templates_dir / "fonts").glob("*.ttf"):
        with TTFont(path) as font:
            repository.add(font["name"].getDebugName(6))
    pdfs = sorted(built.output_dir.glob("*/*.pdf"))
    assert len(pdfs) == 3 * 5  # three statements, each in four languages and the bilingual
    for path in pdfs:
        fonts = font_names(path)
        assert fonts, path.name
        for name, program in fonts.items():
            assert re.match(r"/[A-Z]{6}\+", name), f"{path.name}: {name} is not a subset"
            assert program in repository, f"{path.name}: {name} is {program}, not a font of templates/"


def test_metadata(built):
    expected = {  # language: title, author, /Lang
        "en": ("Sochi Conference Threatens Syria Peace Process", "Syrian Civil Society", "en-GB"),
        "ar": ("مؤتمر سوتشي يهدد عملية السلام في سوريا", "المجتمع المدني السوري", "ar-SY"),
        "fa": ("کنفرانس سوچی روند صلح سوریه را تهدید می‌کند", "جامعهٔ مدنی سوریه", "fa-IR"),
        "fr": ("La conférence de Sotchi menace le processus de paix en Syrie",
               "Société civile syrienne", "fr-FR"),
    }
    readers = {code: PdfReader(edition(built, "sochi-2018", code)) for code in expected}
    for code, (title, author, lang) in expected.items():
        reader = readers[code]
        assert (reader.metadata.title, reader.metadata.author) == (title, author), code
        assert reader.trailer["/Root"]["/Lang"] == lang, code
        assert reader.metadata["/CreationDate"] == "D:20180103", code
        assert re.fullmatch(r"[0-9a-f]{12}", reader.metadata["/sourceversion"]), code
        assert re.fullmatch(r"[0-9a-f]{12}", reader.metadata["/catalogversion"]), code
    assert readers["en"].metadata.subject == "Joint Statement by Syrian Civil Society"
    assert len({reader.metadata["/sourceversion"] for reader in readers.values()}) == 1
    assert len({reader.metadata["/catalogversion"] for reader in readers.values()}) == 4
    for statement_id, date in (("ghouta-2017", "D:201711"), ("one-voice-2019", "D:2019")):
        for code in ("en", "ar", "fa", "fr"):
            metadata = PdfReader(edition(built, statement_id, code)).metadata
            assert metadata["/CreationDate"] == date, (statement_id, code)
    assert PdfReader(edition(built, "ghouta-2017", "ar")).metadata.title == "أنهوا حصار الغوطة الشرقية"


def test_html_editions_are_written_beside_the_pdfs(built):
    for pdf in sorted(built.output_dir.glob("*/*.pdf")):
        html = pdf.with_suffix(".html")
        assert html.read_text("utf-8").startswith("<!DOCTYPE html>"), html.name
    assert len(list(built.output_dir.glob("*/*.html"))) == 3 * 5
    assert (built.output_dir / "_assets" / "statement.css").is_file()
    assert (built.output_dir / "_assets" / "fonts" / "OFL.txt").is_file()


# --- the other shapes: a month or a year for a date, no signatories ------------------------------

@pytest.mark.parametrize(("statement_id", "english", "arabic", "iso", "others"), [
    ("ghouta-2017", "November 2017", "تشرين الثاني ٢٠١٧", "2017-11",
     {"fa": "نوامبر ۲۰۱۷", "fr": "novembre 2017"}),
    ("one-voice-2019", "2019", "٢٠١٩", "2019", {"fa": "۲۰۱۹", "fr": "2019"}),
])
def test_a_date_prints_as_precisely_as_it_is_known(built, statement_id, english, arabic, iso,
                                                   others):
    """In each language's calendar words and digits: Persian as Iranian readers of international
    statements read them, the Gregorian month by its Persian name, in Persian digits."""
    assert english in lines(edition(built, statement_id, "en"))
    for code, shown in {"ar": arabic, **others}.items():
        assert squash(shown) in [squash(line) for line in lines(edition(built, statement_id, code))]
    for code, shown in {"en": english, "ar": arabic, **others}.items():
        html = edition(built, statement_id, code, "html").read_text("utf-8")
        assert f'<time datetime="{iso}">{shown}</time>' in html
    bilingual = edition(built, statement_id, "bilingual", "html").read_text("utf-8")
    assert f'<time datetime="{iso}">{english}</time>' in bilingual
    assert f'<time datetime="{iso}">{arabic}</time>' in bilingual
    assert not re.search(r"\b(?:1|01) (?:November|January) ", pdf_text(edition(built, statement_id, "en")))


def test_a_statement_without_signatories_has_no_signatories_section(built):
    for code, heading, count in (("en", "Signatories", "organisation"), ("ar", "الجهات الموقّعة", "وقّعت"),
                                 ("fa", "امضاکنندگان", "امضاکرده"), ("fr", "Signataires", "organisation")):
        text = squash(pdf_text(edition(built, "one-voice-2019", code)))
        assert squash(heading) not in text and count not in text, code
        html = html_of(built, "one-voice-2019", code)
        assert "signatories" not in html.classes and "count" not in html.classes
        assert len(html.headings) == 1, html.headings  # the title alone
    bilingual = html_of(built, "one-voice-2019", "bilingual")
    assert "names" not in bilingual.classes and "Signatories" not in "".join(bilingual.text)
    assert "Signatories" not in pdf_text(edition(built, "one-voice-2019", "bilingual"))
    # the statement that has signatories says so
    assert "Signatories" in lines(edition(built, "ghouta-2017", "en"))
    assert "4 organisations signed this statement." in lines(edition(built, "ghouta-2017", "en"))


# --- formatted paragraphs ------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["en", "ar", "fa", "fr"])
def test_a_link_in_a_paragraph_is_clickable_in_the_pdf_and_the_html(built, code):
    path = edition(built, "ghouta-2017", code)
    links = link_rects(path)
    assert links and {target for target, _ in links} == {LINK}
    word = {"en": "resolution", "ar": visual("قرار"), "fa": "۲۱۳۹", "fr": "résolution"}[code]
    [box] = [w for w in pdf_words(path) if word in parts(w[4])]
    middle = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    assert any(x0 <= middle[0] <= x1 and y0 <= middle[1] <= y1 for _, (x0, y0, x1, y1) in links), \
        f"the link does not cover the words it links: {links} / {box}"
    html = html_of(built, "ghouta-2017", code)
    anchors = [" ".join(text.split()) for href, text in html.links if href == LINK]
    assert anchors == [{"en": "Security Council resolution 2139",
                        "ar": "قرار مجلس الأمن الدولي ٢١٣٩",
                        "fa": "قطعنامهٔ ۲۱۳۹ شورای امنیت",
                        "fr": "résolution 2139 du Conseil de sécurité"}[code]]


def test_the_bilingual_edition_links_both_languages(built):
    path = edition(built, "ghouta-2017", "bilingual")
    links = link_rects(path)
    assert {target for target, _ in links} == {LINK}
    assert any(rect[2] < MIDDLE for _, rect in links) and any(rect[0] > MIDDLE for _, rect in links)
    external = [href for href, _ in html_of(built, "ghouta-2017", "bilingual").links if "//" in href]
    assert external == [LINK, LINK]


@pytest.mark.parametrize("code", ["en", "ar", "fa", "fr"])
def test_a_list_in_a_paragraph_prints_as_a_bulleted_list(built, code):
    html = html_of(built, "ghouta-2017", code)
    assert [[" ".join(item.split()) for item in items] for items in html.lists] == [LIST_ITEMS[code]]
    path = edition(built, "ghouta-2017", code)
    words = pdf_words(path)
    bullets = sorted((w for w in words if w[4] == "•"), key=lambda w: w[1])
    assert len(bullets) == 3 and len({round(w[0]) for w in bullets}) == 1, "one bullet per item, aligned"
    for item, bullet in zip(LIST_ITEMS[code], bullets, strict=True):
        # the item's first word on the bullet's line (poppler reads a mark drawn above, such as
        # Persian's hamza of the ezafe, as a word of its own, and right-to-left words reversed)
        first = "".join(c for c in item.split()[0] if unicodedata.category(c) != "Mn")
        same_line = [part for w in words if abs(w[1] - bullet[1]) < 3  # a line is 18 pt
                     for part in parts(w[4])]
        assert (visual(first) if code in RIGHT_TO_LEFT else first) in same_line, (item, same_line)
    assert all((w[0] > MIDDLE) == (code in RIGHT_TO_LEFT) for w in bullets), \
        "the bullets stand where lines start"


@pytest.mark.parametrize("code", ["en", "ar", "fa", "fr"])
def test_strong_text_prints_in_a_bold_font(built, code):
    pieces = spans(edition(built, "ghouta-2017", code))
    strong = [font for font, text in pieces if STRONG[code].split()[0] in text]
    plain = [font for font, text in pieces if PLAIN[code] in text]
    assert strong and all(font.endswith("-Bold") for font in strong), pieces
    assert plain and not any(font.endswith("-Bold") for font in plain), pieces
    html = edition(built, "ghouta-2017", code, "html").read_text("utf-8")
    assert f"<strong>{STRONG[code]}</strong>" in html


def tinted_rects(path: Path, grey: float, page: int = 0) -> list[tuple[float, float, float, float]]:
    """The rectangles a page fills in one grey (``grey rg``), in pdftotext's coordinates (points,
    y down): the content stream read with its transformation matrices."""
    import pikepdf

    pdf = pikepdf.open(path)
    height = float(pdf.pages[page].mediabox[3])
    matrix, stack, colour, rects, found = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), [], None, [], []
    for operands, operator in pikepdf.parse_content_stream(pdf.pages[page]):
        op = str(operator)
        values = [float(v) for v in operands] if op in ("cm", "rg", "re") else []
        if op == "q":
            stack.append((matrix, colour))
        elif op == "Q":
            matrix, colour = stack.pop()
        elif op == "cm":
            a, b, c, d, e, f = values
            m = matrix
            matrix = (a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2],
                      c * m[1] + d * m[3], e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5])
        elif op == "rg":
            colour = values
        elif op == "re":
            x, y, w, h = values
            xs = [matrix[0] * px + matrix[2] * py + matrix[4] for px, py in ((x, y), (x + w, y + h))]
            ys = [matrix[1] * px + matrix[3] * py + matrix[5] for px, py in ((x, y), (x + w, y + h))]
            rects.append((min(xs), height - max(ys), max(xs), height - min(ys)))
        elif op in ("f", "f*"):
            if colour is not None and all(abs(v - grey) < 0.005 for v in colour):
                found.extend(rects)
            rects = []
        elif op in ("n", "S", "B", "b"):
            rects = []
    return found


@pytest.mark.parametrize("variant", ["ar", "bilingual"])
def test_arabic_emphasis_is_shaded_not_bold(built, variant):
    """Naskh has no italic and bold is strong emphasis: Arabic emphasis prints in the regular
    face on a light tint (#e6e6e6) behind its words, and nothing else on the page is tinted so."""
    path = edition(built, "ghouta-2017", variant)
    emphasis = "ويموت الأطفال من سوء التغذية"
    fonts = [font for font, text in spans(path) if "التغذية" in text or "الأطفال" in text]
    assert fonts and not any(font.endswith("-Bold") for font in fonts), fonts
    assert all("Naskh" in font for font in fonts), fonts
    tints = tinted_rects(path, 230 / 255)
    assert tints, "no tint behind the emphasis"
    keys = {word_key(w) for w in emphasis.split() if w != "من"}  # "من" is on every line
    words = [w for w in pdf_words(path) if word_key(w[4]) in keys and w[0] > MIDDLE]
    assert len(words) >= len(keys), words
    for x0, y0, x1, y1, word in words:
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        assert any(r[0] <= x <= r[2] and r[1] <= y <= r[3] for r in tints), (word, tints)
    plain = [w for w in pdf_words(path) if word_key(w[4]) == word_key("العاصمة.")]
    assert plain and not any(r[0] <= (w[0] + w[2]) / 2 <= r[2] and r[1] <= (w[1] + w[3]) / 2 <= r[3]
                             for w in plain for r in tints), "a plain word is tinted"
    html = edition(built, "ghouta-2017", variant, "html").read_text("utf-8")
    assert f"<em>{emphasis}</em>" in html


@pytest.mark.parametrize("variant", ["en", "ar", "fa", "fr", "bilingual"])
def test_no_markdown_is_left_in_the_text(built, variant):
    printed = pdf_text(edition(built, "ghouta-2017", variant))
    shown = "".join(html_of(built, "ghouta-2017", variant).text)
    for text in (printed, shown):
        assert "*" not in text and "[" not in text and "](" not in text and "https://" not in text


# --- names given in Arabic, and written in Arabic ------------------------------------------------

def test_a_name_given_in_arabic_prints_as_given_in_the_arabic_edition(built):
    arabic = [squash(line) for line in lines(edition(built, "ghouta-2017", "ar"))]
    assert any(squash(GIVEN_ARABIC) in line for line in arabic)
    assert names_shown(built, "ghouta-2017", "ar")[1] == squash(f"٢.{GIVEN_ARABIC}")
    english = pdf_text(edition(built, "ghouta-2017", "en"))
    assert "2. Syrian Network for Human Rights" in english and GIVEN_ARABIC not in english
    # the other languages print the name as their catalog has it, not the Arabic one
    assert names_shown(built, "ghouta-2017", "fa")[1] == squash("۲.شبکه سوری حقوق بشر")
    assert names_shown(built, "ghouta-2017", "fr")[1] == squash("2.Syrian Network for Human Rights")


def test_a_name_written_in_arabic_prints_as_written_in_both_editions(built):
    for code, number in (("en", "4."), ("ar", "٤."), ("fa", "۴."), ("fr", "4.")):
        text = squash(pdf_text(edition(built, "ghouta-2017", code)))
        assert squash(WRITTEN_IN_ARABIC) in text, code
        assert names_shown(built, "ghouta-2017", code)[3] == squash(f"{number}{WRITTEN_IN_ARABIC}")
    bilingual = edition(built, "ghouta-2017", "bilingual", "html").read_text("utf-8")
    assert bilingual.count(WRITTEN_IN_ARABIC) == 2


# --- the bilingual edition -----------------------------------------------------------------------

def test_the_bilingual_numbers_stand_in_one_column_whatever_the_name(built):
    """A name left in Arabic in the English column keeps its number where the others stand: the
    cell is in its column's language and direction, the name alone in Arabic."""
    path = edition(built, "ghouta-2017", "bilingual")
    words = pdf_words(path)
    heading = min(w[1] for w in words if w[4] == "Signatories")
    numbers = [w for w in words if w[1] > heading and re.fullmatch(r"[0-9٠-٩]+\.|\.[0-9٠-٩]+", w[4])]
    latin = [w for w in numbers if re.search("[0-9]", w[4])]
    arabic = [w for w in numbers if re.search("[٠-٩]", w[4])]
    assert len(latin) == len(arabic) == 4, numbers
    assert all(w[2] < MIDDLE for w in latin) and all(w[0] > MIDDLE for w in arabic)
    assert max(w[0] for w in latin) - min(w[0] for w in latin) < 0.5, latin  # flush left
    assert max(w[2] for w in arabic) - min(w[2] for w in arabic) < 0.5, arabic  # flush right
    html = path.with_suffix(".html").read_text("utf-8")
    assert (f'<td lang="en-GB" dir="ltr" data-script="Latn" class="name"><span class="number">'
            f'4.</span><span lang="ar" dir="rtl">{WRITTEN_IN_ARABIC}</span></td>') in html


def test_the_bilingual_edition_sets_english_on_the_left_and_arabic_on_the_right(built):
    path = edition(built, "ghouta-2017", "bilingual")
    words = pdf_words(path)
    heading = min(w[1] for w in words if w[4] == "Signatories")
    body = [w for w in words if TOP < w[1] < heading]
    latin = [w for w in body if re.search("[A-Za-z]", w[4])]
    arabic = [w for w in body if re.search("[\u0621-\u064a]", w[4])]
    assert len(latin) > 50 and len(arabic) > 50
    assert all(w[2] < MIDDLE for w in latin), [w for w in latin if w[2] >= MIDDLE]
    assert all(w[0] > MIDDLE for w in arabic), [w for w in arabic if w[0] <= MIDDLE]
    html = edition(built, "ghouta-2017", "bilingual", "html").read_text("utf-8")
    rows = re.findall(r'<div class="row paragraph">(.*?)\n  </div>', html, re.S)
    assert rows
    for row in rows:
        cells = re.findall(r'<div lang="([^"]+)" dir="([^"]+)"', row)
        assert cells == [("en-GB", "ltr"), ("ar-SY", "rtl")]

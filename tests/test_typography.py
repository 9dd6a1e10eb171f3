"""Typography measured on the printed page, not guessed: word positions read back from the PDFs
(poppler's pdftotext -bbox-layout) of every fixture edition.

- A justified line never stretches a word gap beyond 1.6 times its paragraph's median gap, nor
  beyond 2.5 times the unstretched gaps of the paragraph's last line.
- Every paragraph of a justified edition is set justified: each of its lines but the last reaches
  both edges of the text area (weasyfixes.laid_out sets a paragraph ragged only when no nudge of
  its word spacing keeps its gaps within those bounds; the few where that happens are listed
  with the reason).
- Every word stands inside the page's text area (the stylesheet's page margins), and a list
  starts at the text's start edge: right to left, at the right margin.
- No paragraph (or list item) ends on a line of one word.
- No title line ends on a preposition or an article.
- The names of the signatory list all start at the same place: their numbers sit in boxes of
  one width.
"""

from __future__ import annotations

import re
import statistics
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.commands.build import build
from pipeline.plan import Request

from .conftest import LANGUAGES, STATEMENTS, make_project
from .helpers import edit, pdf_blocks, word_key

pytestmark = pytest.mark.slow
EDITIONS = [(s, v) for s in STATEMENTS for v in (*LANGUAGES, "bilingual")]
RIGHT_TO_LEFT = ("ar", "fa")
MAX_GAP = 1.6
MAX_STRETCH = 2.5
PREPOSITIONS = {"of", "in", "on", "to", "for", "at", "by", "with", "from", "the", "a", "an", "and",
                "في", "من", "إلى", "على", "عن", "مع", "بشأن", "حول", "نحو", "منذ", "لدى", "عند",
                "از", "به", "در", "با", "برای", "تا", "بر", "دربارهٔ", "و",
                "de", "du", "des", "la", "le", "les", "à", "au", "aux", "en", "sur", "pour", "par",
                "et", "dans", "avec"}


class Texts(HTMLParser):
    """The words of each paragraph (and list item) and of each title of an edition's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = []
        self.where: list[tuple[str, str]] = []  # each paragraph's tag (p, li) and data-paragraph
        self.titles: list[list[str]] = []
        self._open: list[str] = []
        self._number = ""
        self._into: list[list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if (number := dict(attrs).get("data-paragraph")) is not None:
            self._number = number
        if tag in ("p", "li") and any(c in self._open for c in ("paragraph", "parallel")):
            self.paragraphs.append([])
            self.where.append((tag, self._number))
            self._into = self.paragraphs
        elif tag == "h1":
            self.titles.append([])
            self._into = self.titles
        self._open.append(classes.split()[0] if classes else tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()
        if tag in ("p", "li", "h1"):
            self._into = None

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._into[-1].extend(data.split())


def texts(html_path: Path) -> Texts:
    parser = Texts()
    parser.feed(html_path.read_text("utf-8"))
    return parser


def matching_blocks(blocks, texts_words: list[list[str]]):
    """The blocks of the PDF that are one of the given texts: nearly all their words in it."""
    keys = [{word_key(w) for w in words} for words in texts_words]
    for block in blocks:
        words = [word_key(w[4]) for line in block for w in line]
        for index, wanted in enumerate(keys):
            if words and sum(w in wanted for w in words) >= 0.9 * len(words):
                yield index, block
                break


def edition(built, statement_id: str, variant: str) -> tuple[Path, Path]:
    folder = built.output_dir / statement_id
    return folder / f"{statement_id}.{variant}.pdf", folder / f"{statement_id}.{variant}.html"


UNMEASURED = pytest.mark.xfail(strict=True, reason=(
    "poppler gives a Persian word that ends in the ezafe's hamza (U+0654) joined to the next one "
    "(the text layer writes the mark with the space before it), so its gaps cannot be measured"))
# sochi-2018-fr's fifth paragraph opened a gap of 1.61 times its median: weasyfixes now measures
# the median as this test does (each space counted) and nudges its word spacing (strictly
# xfailed, it passed).
# sochi-2018-fa is measured (and opens no hole) since the text layer stopped copying a letter twice
# when a mark sits inside a word: strictly xfailed, it passed.
JUSTIFIED = [pytest.param(s, v, marks=UNMEASURED) if v == "fa" and s not in ("one-voice-2019", "sochi-2018")
             else (s, v) for s, v in EDITIONS]


def holes(block) -> list[str]:
    """The lines of a paragraph (a block of pdf_blocks) whose widest word gap is wider than
    ``MAX_GAP`` times the paragraph's median gap and ``MAX_STRETCH`` times a plain gap (its last
    line's, never stretched)."""
    gaps = [[b[0] - a[2] for a, b in zip(line, line[1:], strict=False)] for line in block[:-1]]
    flat = [gap for line in gaps for gap in line]
    if len(flat) < 4:
        return []
    median = statistics.median(flat)
    last = [b[0] - a[2] for a, b in zip(block[-1], block[-1][1:], strict=False)]
    plain = statistics.median(last) if len(last) >= 2 else float("inf")  # never stretched
    return [f"{max(line_gaps) / median:.2f}x the median, {max(line_gaps) / plain:.2f}x a plain "
            f"gap: {' '.join(w[4] for w in line)}"
            for line, line_gaps in zip(block, gaps, strict=False)
            if line_gaps and max(line_gaps) > min(MAX_GAP * median, MAX_STRETCH * plain)]


def short_of_the_margin(block, left: float, right: float) -> tuple[float, int]:
    """How far, in points, the line of a paragraph (but its last) that stops furthest from
    either edge of the text area (or runs furthest past it) stops from it, and which line it
    is."""
    short = [max(abs(right - max(w[2] for w in line)), abs(min(w[0] for w in line) - left))
             for line in block[:-1]]
    return max(short), short.index(max(short))


@pytest.mark.parametrize(("statement_id", "variant"), JUSTIFIED)
def test_justified_lines_open_no_holes(built, statement_id, variant):
    pdf, html = edition(built, statement_id, variant)
    found = [line for _, block in matching_blocks(pdf_blocks(pdf), texts(html).paragraphs)
             for line in holes(block)]
    assert found == []


RAGGED = {
    ("sochi-2018", "fr", "6"): "its first line ends before «conduit» (seven letters, which the "
                               "hyphenation limits, hyphenate-limit-chars: 8 4 4, keep whole): "
                               "justified, its gaps open to 1.92 times the median and 2.66 plain "
                               "spaces, and no nudge of the word spacing up to ±0.05 em "
                               "(weasyfixes.NUDGES) moves that break without opening another",
}
"""The paragraphs of a justified edition set ragged, each with the reason it could not be
justified (weasyfixes.laid_out decides it, on the layout; this list is the reader's check)."""
EDGE = 1.0
"""How far, in points, a justified line's first or last word may stand from the text area's
edge (poppler's word boxes are the glyphs' advance widths, not their ink)."""


@pytest.mark.parametrize(("statement_id", "variant"),
                         [(s, v) for s, v in EDITIONS if v != "bilingual"])
def test_every_paragraph_of_a_justified_edition_is_justified(built, statement_id, variant):
    """The single-language editions are justified (their list items and the bilingual
    edition's narrow columns are set ragged by the stylesheet): a paragraph whose lines stop
    short of the margin on such a page is a hole in the page's texture, unless it is listed in
    ``RAGGED`` with the reason it could not be avoided."""
    pdf, html = edition(built, statement_id, variant)
    left, right = text_area(built, pdf)
    found = texts(html)
    ragged, justified = [], set()
    for index, block in matching_blocks(pdf_blocks(pdf), found.paragraphs):
        tag, number = found.where[index]
        if tag != "p" or len(block) < 2:
            continue
        short, line = short_of_the_margin(block, left, right)
        if short <= EDGE:
            justified.add(number)
        elif (statement_id, variant, number) not in RAGGED:
            ragged.append(f"¶{number}: a line {short:.1f} pt short of the margin: "
                          + " ".join(w[4] for w in block[line]))
    assert ragged == []
    listed = {n for s, v, n in RAGGED if (s, v) == (statement_id, variant)}
    assert not listed & justified, f"RAGGED lists ¶{sorted(listed & justified)}, now justified"


def test_a_paragraph_whose_justification_opens_holes_is_nudged_not_set_ragged(tmp_path):
    """Sochi's fourth paragraph in Arabic as worded before the Arabic editor's fourth reading
    («أولوية» where it now reads «مرجعية»): as first laid out, its sixth line stretched its gaps to
    twice the paragraph's median (its last two words bound, «الأمم المتحدة.», took the line's last
    word down), and it was set ragged on a justified page (issue 20). A nudge of its word spacing
    (weasyfixes.NUDGES) moves its breaks: justified, no gap over 1.6 times its median."""
    project = make_project(tmp_path / "project", ("sochi-2018",))
    catalog = "locales/ar/LC_MESSAGES/statements.po"
    edit(project, catalog, "إعادة تأكيد مرجعية قرار", "إعادة تأكيد أولوية قرار")
    edit(project, catalog, "يقوض مرجعية قرار", "يقوض أولوية قرار")
    report = build(project, Request(("sochi-2018",), ("ar",)), jobs=1)
    assert not report.refused, [str(e) for e in report.refused]
    pdf, html = edition(project, "sochi-2018", "ar")
    left, right = text_area(project, pdf)
    found = texts(html)
    block = max((block for index, block in matching_blocks(pdf_blocks(pdf), found.paragraphs)
                 if found.where[index] == ("p", "4")), key=len)  # not a line of a few of its words
    assert "أولوية" in " ".join(found.paragraphs[found.where.index(("p", "4"))])
    short, line = short_of_the_margin(block, left, right)
    assert short <= EDGE, " ".join(w[4] for w in block[line])
    assert holes(block) == []


def test_a_line_keeps_the_words_that_fit_on_it(tmp_path):
    """Ghouta's second paragraph in Arabic as worded before the Arabic editor's fourth reading:
    its first line broke after «ومستدام،», at the end of the bold text, sending to the next line
    74 pt of words («وفقاً لما يطالب به») that fitted before the link (a WeasyPrint 70 bug,
    weasyfixes.keep_fitting_text_on_its_line, whose own test is in test_weasyfixes.py: here a
    nudge of the word spacing would also move the break out of the bug's reach); the paragraph
    was then set ragged. Its first line is full and inside the text area, the comma against the
    bold word it follows (weasyfixes.realign_shifted_lines: kept whole, the run ends the line
    with its trailing space, which WeasyPrint strips leaving a space's gap before it)."""
    project = make_project(tmp_path / "project", ("ghouta-2017",))
    edit(project, "locales/ar/LC_MESSAGES/statements.po",
         "السماح بإيصال المساعدات الإنسانية على نحو **فوري", "السماح بوصول إنساني **فوري")
    report = build(project, Request(("ghouta-2017",), ("ar",)), jobs=1)
    assert not report.refused, [str(e) for e in report.refused]
    pdf, html = edition(project, "ghouta-2017", "ar")
    left, right = text_area(project, pdf)
    found = texts(html)
    block = max((block for index, block in matching_blocks(pdf_blocks(pdf), found.paragraphs)
                 if found.where[index] == ("p", "2")), key=len)
    first = sorted(block[0], key=lambda w: w[0])
    assert "يطالب" in " ".join(w[4][::-1] for w in first)
    short, _ = short_of_the_margin(block, left, right)
    assert short <= EDGE, " ".join(w[4] for w in first)
    # the comma against the bold word (poppler reads them as one word), not a space away
    assert "،" not in [w[4] for w in first], [w[4] for w in first]


@pytest.mark.parametrize(("statement_id", "variant"), EDITIONS)
def test_no_paragraph_ends_on_a_line_of_one_word(built, statement_id, variant):
    pdf, html = edition(built, statement_id, variant)
    paragraphs = texts(html).paragraphs
    found = list(matching_blocks(pdf_blocks(pdf), paragraphs))
    assert found, "no paragraph of the HTML was found in the PDF"
    lonely = [block[-1][0][4] for index, block in found
              if len(block) > 1 and len(block[-1]) == 1 and len(paragraphs[index]) > 2]
    assert lonely == []


@pytest.mark.parametrize(("statement_id", "variant"), EDITIONS)
def test_no_title_line_ends_on_a_preposition(built, statement_id, variant):
    pdf, html = edition(built, statement_id, variant)
    bound = {word_key(w) for w in PREPOSITIONS}
    ends = []
    for _, block in matching_blocks(pdf_blocks(pdf), texts(html).titles):
        for line in block[:-1]:
            rtl = any("\u0600" <= c <= "\u06ff" for w in line for c in w[4])
            last = line[0] if rtl else line[-1]  # the end of a line is its left in Arabic
            if word_key(last[4]) in bound:
                ends.append(last[4])
    assert ends == []


@pytest.mark.parametrize("variant", LANGUAGES)
def test_every_signatory_name_starts_at_the_same_place(built, variant):
    pdf, _ = edition(built, "sochi-2018", variant)
    starts: dict[int, list[float]] = {}
    rtl = variant in RIGHT_TO_LEFT
    for block in pdf_blocks(pdf):
        for line in block:
            for number, name in numbered_names(line, rtl):
                column = 0 if (number[0] < 300) != rtl else 1
                starts.setdefault(column, []).append(name)
    assert len(starts) == 2 and all(len(xs) > 20 for xs in starts.values())
    for xs in starts.values():
        assert max(xs) - min(xs) < 0.5, (min(xs), max(xs))


def numbered_names(line, rtl: bool):
    """(number word, where its name starts) for each 'N. name' on a line (two columns)."""
    number = re.compile(r"^[0-9٠-٩۰-۹]+\.$|^\.[0-9٠-٩۰-۹]+$")
    words = sorted(line, key=lambda w: -w[0]) if rtl else line
    for index, word in enumerate(words[:-1]):
        if number.match(word[4]):
            following = words[index + 1]
            yield word, (following[2] if rtl else following[0])


def text_area(built, pdf: Path) -> tuple[float, float]:
    """The left and right edges, in points, of the page's text area: the page's width less the
    margins of the stylesheet's first ``@page`` rule (``margin: top right bottom left``, mm)."""
    css = (built.templates_dir / "statement.css").read_text("utf-8")
    margins = re.search(r"@page\s*{[^}]*?margin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm\s+"
                        r"([\d.]+)mm", css)
    assert margins, "the stylesheet's @page rule gives no margins in mm"
    width = float(re.search(r'<page width="([\d.]+)"',
                            subprocess.run(["pdftotext", "-bbox", "-l", "1", str(pdf), "-"],
                                           capture_output=True, text=True, check=True).stdout)[1])
    right, left = (float(margins[n]) * 72 / 25.4 for n in (2, 4))
    return left, width - right


@pytest.mark.parametrize(("statement_id", "variant"), EDITIONS)
def test_every_word_stands_inside_the_text_area(built, statement_id, variant):
    """No line is pushed into the margin: not a long name in a narrow column, not a justified
    right-to-left line."""
    pdf, _ = edition(built, statement_id, variant)
    left, right = text_area(built, pdf)
    outside = [f"{w[4]} ({w[0]:.1f}-{w[2]:.1f} pt)" for block in pdf_blocks(pdf)
               for line in block for w in line if w[0] < left - 0.5 or w[2] > right + 0.5]
    assert outside == [], f"the text area is {left:.1f}-{right:.1f} pt"


@pytest.mark.parametrize("variant", LANGUAGES)
def test_the_signatory_list_starts_at_the_texts_start_edge(built, variant):
    """The first column's numbers stand against the margin the text starts from, as far from it
    as their box leaves them (under 1 em): the left margin in English, the right in Arabic."""
    pdf, _ = edition(built, "sochi-2018", variant)
    left, right = text_area(built, pdf)
    numbers = [number for block in pdf_blocks(pdf) for line in block
               for number, _ in numbered_names(line, variant in RIGHT_TO_LEFT)]
    assert len(numbers) > 100
    inset = min(right - n[2] for n in numbers) if variant in RIGHT_TO_LEFT else \
        min(n[0] - left for n in numbers)
    assert 0 <= inset < 10.5, f"the list starts {inset:.1f} pt from the margin"

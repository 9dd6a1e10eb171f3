"""What many tests do: run the command line, edit a project file, read a PDF back."""

from __future__ import annotations

import io
import signal
import subprocess
import traceback
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.cli import main
from pipeline.project import Project

PASSWD = Path("/etc/passwd")


def ctrl_c_as_at_a_terminal() -> None:
    """A ``preexec_fn`` for a command a test stops with Ctrl-C (SIGINT): the command takes it as
    it does started at a terminal. A test run started in the background by a shell without job
    control (``make test &`` in a script) ignores SIGINT, a process inherits what its parent
    ignores, and Python then leaves SIGINT ignored: the command would never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli(capsys: pytest.CaptureFixture[str], project: Project, *args: str) -> tuple[int, list[str]]:
    """Run the command line; its exit status and the lines it wrote to stderr. An exception
    escaping ``main`` fails the test with the traceback, as the user would see it."""
    capsys.readouterr()
    try:
        status = main([*args, "-C", str(project.root)])
    except Exception:  # the standard: never a traceback
        seen = capsys.readouterr().err
        pytest.fail(f"`python -m pipeline {' '.join(args)}` crashed instead of reporting an "
                    f"error:\n{seen}{traceback.format_exc(limit=-3)}", pytrace=False)
    return status, [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text("utf-8")
    assert old in text, f"{name} no longer contains {old!r}: update the test"
    path.write_text(text.replace(old, new, 1), "utf-8")


def edit_bytes(project: Project, name: str, old: bytes, new: bytes) -> None:
    path = project.root / name
    data = path.read_bytes()
    assert old in data, f"{name} no longer contains {old!r}: update the test"
    path.write_bytes(data.replace(old, new, 1))


def line_of(project: Project, name: str, needle: str) -> int:
    """The first line of a project file that contains ``needle`` (1-based)."""
    text = (project.root / name).read_bytes().decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {name}")


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The files whose bytes differ, but for the published files' stat record (output/
    .files.state.json): inodes and times of this disk, as git's index, not an output."""
    from pipeline.files import DIGESTS

    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name) and name.rpartition("/")[2] != DIGESTS)


def temp_files(project: Project) -> list[str]:
    return sorted(project.relative(p) for folder in (project.output_dir, project.locales_dir)
                  if folder.is_dir() for p in folder.rglob("*.tmp"))


def is_complete_pdf(data: bytes) -> bool:
    if not (data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")):
        return False
    try:
        return len(PdfReader(io.BytesIO(data)).pages) > 0
    except Exception:  # pypdf raises many kinds on a damaged file
        return False


def pdf_text(path: Path) -> str:
    """The text of a PDF as poppler's pdftotext reads it, in reading order."""
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    return result.stdout


def pdf_words(path: Path, page: int = 1) -> list[tuple[float, float, float, float, str]]:
    """The words of one page with their boxes (x0, y0, x1, y1), as pdftotext -bbox gives them."""
    import html
    import re

    result = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path),
                             "-"], capture_output=True, text=True, check=True)
    words = []
    for match in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)</word>', result.stdout):
        x0, y0, x1, y1 = (float(match.group(i)) for i in range(1, 5))
        words += bbox_words(x0, y0, x1, y1, html.unescape(match.group(5)))
    return words


def bbox_words(x0: float, y0: float, x1: float, y1: float, text: str) -> list[Word]:
    """A word of pdftotext -bbox without the invisible direction marks the text layer writes
    (pipeline/textlayer.py). It may hold a space: a tanwin at a word's end is written with the
    space before it, which poppler keeps in one word with the words on both sides."""
    import unicodedata

    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return [(x0, y0, x1, y1, text)] if text.strip() else []


def squash(text: str) -> str:
    """Text without white space, hyphenation hyphens and format characters (bidi isolates and
    marks, the text layer's direction marks), for comparisons."""
    import unicodedata

    return "".join(c for c in text if not c.isspace() and c != "\u2010"
                   and unicodedata.category(c) != "Cf")


def assert_no_attachment(data: bytes, where: str) -> None:
    """No embedded file, no file attachment or launch action, nothing of /etc/passwd."""
    reader = PdfReader(io.BytesIO(data))
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object(), where
    assert not reader.attachments, f"{where} has attachments: {list(reader.attachments)}"
    assert b"/EmbeddedFile" not in data and b"/Launch" not in data, where
    for page in reader.pages:
        for annotation in page.get("/Annots", None) or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment", where
    if PASSWD.is_file():
        secret = PASSWD.read_bytes().splitlines()[0]
        streams = [data]
        for number in range(1, reader.trailer.get("/Size", 0)):
            try:
                obj = reader.get_object(number)
                if hasattr(obj, "get_data"):
                    streams.append(obj.get_data())
            except Exception:  # an object pypdf cannot read is no stream of ours
                continue
        assert not any(secret in stream for stream in streams), f"{where} holds /etc/passwd"


Word = tuple[float, float, float, float, str]  # x0, y0, x1, y1, text


def pdf_blocks(path: Path) -> list[list[list[Word]]]:
    """The paragraphs of every page as lines of words with their boxes (a word as drawn: an
    Arabic word's letters come in visual order).

    Poppler's own blocks and lines are a start, but it takes a tanwin or a shadda, drawn above
    its letter, for a line of its own and breaks the line there; so marks are set aside, the
    blocks of one column are put together, words are gathered into lines by their baseline, and
    a paragraph ends where the space between two lines is wider than the column's closest one."""
    import html
    import re
    import statistics
    import unicodedata

    result = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"([^<]*)</word>")
    paragraphs: list[list[list[Word]]] = []
    for page in re.finditer(r"<page [^>]*>(.*?)</page>", result.stdout, re.S):
        columns: list[tuple[float, float, list[Word]]] = []  # x0, x1, words
        for block in re.finditer(r"<block [^>]*>(.*?)</block>", page.group(1), re.S):
            words: list[Word] = [
                piece for m in word.finditer(block.group(1))
                for piece in bbox_words(float(m.group(1)), float(m.group(2)), float(m.group(3)),
                                        float(m.group(4)), html.unescape(m.group(5)))]
            # a lone mark (a tanwin poppler splits off its letter) is no word
            words = [w for w in words if any(unicodedata.category(c)[0] != "M" for c in w[4])]
            if not words:
                continue
            x0, x1 = min(w[0] for w in words), max(w[2] for w in words)
            for index, (c0, c1, found) in enumerate(columns):
                overlap = min(x1, c1) - max(x0, c0)
                if overlap > 0.5 * min(x1 - x0, c1 - c0):
                    columns[index] = (min(x0, c0), max(x1, c1), found + words)
                    break
            else:
                columns.append((x0, x1, words))
        for _, _, words in columns:
            lines: list[list[Word]] = []
            height = statistics.median(w[3] - w[1] for w in words)
            for w in sorted(words, key=lambda w: (w[3], w[0])):
                if lines and w[3] - lines[-1][0][3] < 0.5 * height:
                    lines[-1].append(w)
                else:
                    lines.append([w])
            lines = [_joined(sorted(line)) for line in lines]
            steps = [b[0][3] - a[0][3] for a, b in zip(lines, lines[1:], strict=False)]
            usual = min(steps) if steps else 0  # a line's height: paragraphs add to it
            paragraph = [lines[0]]
            for step, line in zip(steps, lines[1:], strict=True):
                if step > 1.35 * usual:
                    paragraphs.append(paragraph)
                    paragraph = []
                paragraph.append(line)
            paragraphs.append(paragraph)
    return paragraphs


def _joined(line: list[Word]) -> list[Word]:
    """Pieces poppler gives of one word (a comma drawn against it, the halves of a lam-alef)
    joined again: what touches is one word."""
    words: list[Word] = []
    for piece in line:
        if words and piece[0] - words[-1][2] < 0.8:
            last = words[-1]
            words[-1] = (last[0], min(last[1], piece[1]), piece[2], max(last[3], piece[3]),
                         last[4] + piece[4])
        else:
            words.append(piece)
    return words


def word_key(word: str) -> str:
    """A word's letters and digits in sorted order: the same whether poppler gives a word in
    logical or in visual order, with or without its punctuation and marks."""
    import unicodedata

    return "".join(sorted(c for c in unicodedata.normalize("NFKD", word)
                          if unicodedata.category(c)[0] in "LN"))


ARABIC_SOURCE = """\
id: nidaa-2020
title: نداء من أجل المعتقلين
date: 2020-05
language: ar
issuer: تحالف المجتمع المدني السوري
body:
  - نطالب بالإفراج الفوري عن جميع المعتقلين تعسفياً في سوريا.
signatories:
  - Baytna Syria
  - رابطة عائلات قيصر
"""
"""A statement written in Arabic: its Arabic edition prints it as written. ``Baytna Syria``
also signs the fixture's English statements, whose Arabic catalog translates it."""


def add_arabic_statement(project: Project, text: str = ARABIC_SOURCE) -> str:
    """Write ``text`` as the statement ``nidaa-2020`` (written in Arabic); its file's name."""
    name = "sources/nidaa-2020.yaml"
    (project.root / name).write_text(text, "utf-8")
    return name


def add_entry(project: Project, code: str, context: str, msgid: str, msgstr: str) -> int:
    """Append an entry to a catalog; its msgstr's line."""
    path = project.catalog_path(code)
    text = path.read_text("utf-8").rstrip("\n") + "\n"
    entry = f'\nmsgctxt "{context}"\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n'
    path.write_text(text + entry, "utf-8")
    return len((text + entry).splitlines())

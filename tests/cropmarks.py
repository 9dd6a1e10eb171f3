"""Reading the crop marks of a PDF with a bleed, as a print shop meets them: from the content
stream (where each mark is, in which colour, marked as what) and rasterised (what prints in the
trim, the bleed and the slug beyond it)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pikepdf

Segment = tuple[float, float, float, float]


def marks(page: pikepdf.Page) -> tuple[list[str], list[Segment]]:
    """The page artifacts' stroke colour operators (``0 G``, ``/Registration CS 1 SCN``) and
    the segments (x0, y0, x1, y1) they stroke: the crop marks, from the page's content stream."""
    inks: list[str] = []
    segments: list[Segment] = []
    points: list[list[float]] = []
    depth = 0  # inside a /Artifact <</Type /Page>> marked-content sequence: its nesting depth
    nesting = 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            nesting += 1
            if not depth and op == "BDC" and str(operands[0]) == "/Artifact" \
                    and isinstance(operands[1], pikepdf.Dictionary) \
                    and operands[1].get("/Type") == "/Page":
                depth = nesting
        elif op == "EMC":
            if nesting == depth:
                depth = 0
            nesting -= 1
        elif depth and op in ("G", "K", "CS", "SCN", "RG"):
            inks.append(" ".join([*(str(o) for o in operands), op]))
        elif depth and op in ("m", "l"):
            points.append([float(v) for v in operands])
    for i in range(0, len(points) - 1, 2):
        segments.append((points[i][0], points[i][1], points[i + 1][0], points[i + 1][1]))
    return inks, segments


def dark_pixels(path: Path, dpi: int = 300, page: int = 1) -> dict[str, int]:
    """Page ``page`` as a RIP sees it (poppler, in grey, the whole MediaBox, a registration
    colour black on every plate): how many dark pixels (under 50 %) fall in the trim, in the
    bleed (between the TrimBox and the BleedBox) and in the slug beyond it."""
    with pikepdf.open(path) as pdf:
        box = pdf.pages[page - 1]
        m0, _, _, w1 = (float(v) for v in box.MediaBox)
        b0, v0, b1, v1 = (float(v) for v in box.BleedBox)
        t0, u0, t1, u1 = (float(v) for v in box.TrimBox)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        str(path), f"{folder}/page"], check=True)
        (image,) = Path(folder).glob("page*.pgm")
        width, height, pixels = read_pgm(image.read_bytes())
    scale = dpi / 72

    def column(x: float) -> int:  # the first column whose centre is at x or beyond
        return max(0, min(width, round((x - m0) * scale)))

    dark = bytes(1 if value < 128 else 0 for value in range(256))
    count = {"trim": 0, "bleed": 0, "slug": 0}
    for row in range(height):
        line = pixels[row * width:(row + 1) * width].translate(dark)
        y = w1 - (row + 0.5) / scale
        total = line.count(1)
        if v0 <= y <= v1:
            bleed = line[column(b0):column(b1)].count(1)
            trim = line[column(t0):column(t1)].count(1) if u0 <= y <= u1 else 0
        else:
            bleed = trim = 0
        count["trim"] += trim
        count["bleed"] += bleed - trim
        count["slug"] += total - bleed
    return count


def read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5, 8 bits) as pdftoppm writes it: width, height, pixels row by row."""
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P5" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][-width * height:]

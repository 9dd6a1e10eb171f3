"""The text a reader copies out of a PDF: what each glyph cluster stands for, written while
WeasyPrint 70 draws the line (PROTOTYPE)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_ACTIVE: ContextVar[bool] = ContextVar("textlayer_active", default=False)
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(-?[0-9.]+(?:e-?[0-9]+)?)")


@dataclass
class Glyph:
    gid: int
    cluster: int  # index of its cluster in the line's list of clusters


@dataclass
class Cluster:
    text: str
    rtl: bool


def install() -> None:
    import weasyprint.draw.text as draw_text

    original = draw_text.draw_first_line
    if getattr(original, "textlayer", False):
        return

    def draw_first_line(stream: Any, textbox: Any, *args: Any) -> Any:
        start = len(stream.stream)
        result = original(stream, textbox, *args)
        if _ACTIVE.get():
            rewrite(stream, start, textbox)
        return result

    draw_first_line.textlayer = True  # type: ignore[attr-defined]
    draw_text.draw_first_line = draw_first_line


def recording() -> Any:
    class _Context:
        def __enter__(self) -> None:
            install()
            self.token = _ACTIVE.set(True)

        def __exit__(self, *exc: Any) -> None:
            _ACTIVE.reset(self.token)

    return _Context()


def line_glyphs(textbox: Any) -> tuple[list[Glyph], list[Cluster]]:
    """The glyphs WeasyPrint draws for ``textbox`` (in drawing order) and their clusters."""
    from weasyprint.text.ffi import ffi, pango

    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    glyphs: list[Glyph] = []
    clusters: list[Cluster] = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        string = glyph_item.glyphs
        count = string.num_glyphs
        offset = glyph_item.item.offset
        length = glyph_item.item.length
        rtl = bool(glyph_item.item.analysis.level % 2)
        starts = [string.log_clusters[i] for i in range(count)]
        bounds = sorted(set(starts)) + [length]
        index: dict[int, int] = {}
        for i in range(count):
            start = starts[i]
            if start not in index:
                end = bounds[bounds.index(start) + 1]
                index[start] = len(clusters)
                clusters.append(Cluster(utf8[offset + start:offset + end].decode(), rtl))
            gid = string.glyphs[i].glyph
            if gid == pango.PANGO_GLYPH_EMPTY:
                continue
            glyphs.append(Glyph(gid, index[start]))
    return glyphs, clusters


def _utf16(text: str) -> bytes:
    return b"<feff" + text.encode("utf-16-be").hex().encode() + b">"


def actual_text(cluster: Cluster) -> str:
    return cluster.text[::-1] if cluster.rtl else cluster.text


def rewrite(stream: Any, start: int, textbox: Any) -> None:
    glyphs, clusters = line_glyphs(textbox)
    items = stream.stream[start:]
    parsed: list[tuple[int, list[tuple[str, Any]]]] = []  # (item index, tokens)
    gids: list[int] = []
    for i, item in enumerate(items):
        if isinstance(item, bytes) and item.startswith(b"[") and item.endswith(b"] TJ"):
            tokens: list[tuple[str, Any]] = []
            for match in _TOKEN.finditer(item[1:-4]):
                if match.group(1) is not None:
                    hexes = match.group(1)
                    for k in range(0, len(hexes), 4):
                        gid = int(hexes[k:k + 4], 16)
                        tokens.append(("g", gid))
                        gids.append(gid)
                else:
                    tokens.append(("n", match.group(2)))
            parsed.append((i, tokens))
    if gids != [g.gid for g in glyphs]:
        return  # not the glyphs we expected (a bitmap font, a .notdef): leave the line as it is
    out: list[Any] = []
    position = 0
    current: int | None = None
    by_item = dict(parsed)
    for i, item in enumerate(items):
        if i not in by_item:
            out.append(item)
            continue
        piece: list[bytes] = []

        def flush() -> None:
            if piece:
                out.append(b"[" + b" ".join(piece) + b"] TJ")
                piece.clear()

        for kind, value in by_item[i]:
            if kind == "n":
                piece.append(value.encode() if isinstance(value, str) else value)
                continue
            cluster = glyphs[position].cluster
            position += 1
            if cluster != current:
                flush()
                if current is not None:
                    out.append(b"EMC")
                out.append(b"/Span <</ActualText " + _utf16(actual_text(clusters[cluster]))
                           + b">> BDC")
                current = cluster
            piece.append(b"<%04x>" % value)
        flush()
    if current is not None:
        # close after the last TJ holding a glyph (the items after it set state only)
        last = max(k for k, item in enumerate(out) if isinstance(item, bytes)
                   and item.endswith(b"] TJ"))
        out.insert(last + 1, b"EMC")
    stream.stream[start:] = out


def _unused() -> Iterator[None]:  # pragma: no cover
    yield None

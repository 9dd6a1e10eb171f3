"""The Markdown subset of a statement's paragraphs (to be completed: parsing and rendering)."""

from __future__ import annotations

import unicodedata


def normalise_block(text: str) -> str:
    """The identity of a body item: NFC; within each line, runs of white space become one space;
    runs of blank lines become one; text on one line normalises as any one-line text does."""
    lines = [" ".join(line.split()) for line in unicodedata.normalize("NFC", text).split("\n")]
    blocks: list[str] = []
    for line in lines:
        if line or (blocks and blocks[-1]):
            blocks.append(line)
    while blocks and not blocks[-1]:
        blocks.pop()
    return "\n".join(blocks)

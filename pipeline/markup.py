"""A small Markdown subset for statement texts: parsing, HTML, plain text and translation checks.

The subset (documented for editors and translators in ``docs/formatting.md``):

* paragraphs (a blank line between them),
* ``*emphasis*`` / ``_emphasis_`` and ``**strong**`` / ``__strong__``,
* inline links ``[text](https://…)`` to ``http``, ``https`` and ``mailto`` targets,
* bullet lists (``- ``, ``* ``, ``+ ``) and numbered lists (``1. `` or ``1) ``), one level,
* hard line breaks: every line break the text still contains (``breaks=True``),
* backslash escapes (``\\*`` prints an asterisk).

Everything else prints literally, exactly as typed: raw HTML (``<b>``), entities (``&amp;``),
headings, block quotes, code, rules, tables, images, autolinks (``<https://…>``), reference-style
links, and links to any other kind of target (``javascript:``, ``file:``, ``data:``, relative).

Parsing is markdown-it-py's CommonMark parser with only the rules of the subset enabled; HTML is
written by the small renderer below from the token stream, never by markdown-it's own renderer:
it writes only the tags ``p ul ol li em strong a br`` and the attributes ``href`` and ``start``,
and escapes every text and every attribute value.

Decisions, with their reasons:

* Entities are off: ``&amp;`` is HTML, and HTML prints literally; and an entity such as
  ``&#x202E;`` would smuggle in a character the pipeline refuses when typed (bidi overrides,
  invisible characters).
* Autolinks are off: the visible text of ``<https://…>`` is the URL itself, which ``text_filter``
  must never see and which this renderer could not isolate for a right-to-left edition;
  ``[text](url)`` covers the need and gives ``compare`` one form to check.
* Nested lists are not in the subset: ``normalise`` strips every line, so indentation is
  ignored (an indented item is an item of the same list); a marker following another marker on
  the same line (``- - item``) prints literally inside the outer item.
* Image syntax ``![alt](src)`` prints literally (a rule of this module reads ``![`` as text,
  where markdown-it without its image rule would make a ``!`` and a link).
* Link titles (``[text](url "title")``) are accepted but not printed (only ``href`` is written).
* ``inline_only`` (titles, names): only inline rules run, so ``- `` or ``1. `` at the start prints
  literally; line breaks are still ``<br>``.
* Emphasis counts: see ``compare``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, list_block
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

__all__ = [
    "Document", "Issue", "ListShape", "Signature", "TextFilter", "compare", "normalise",
    "parse", "plain_text", "signature", "to_html",
    "LiteralMarkup", "SECTION_MARK", "literal_markdown", "section_heading",
]

TextFilter = Callable[[str], str]
"""Applied to each run of text before it is escaped (never to a URL); e.g. Latin isolation."""

ALLOWED_TAGS = frozenset({"p", "ul", "ol", "li", "em", "strong", "a", "br"})
ALLOWED_ATTRIBUTES = frozenset({"href", "start"})
LINK_SCHEMES = ("http://", "https://", "mailto:")

_KEEP = {
    "core": ("normalize", "block", "inline"),
    "block": ("list", "paragraph"),
    "inline": ("text", "newline", "escape", "emphasis", "image_as_text", "empty_link_as_text",
               "link"),
    "inline2": ("balance_pairs", "emphasis", "fragments_join"),
}
"""The only markdown-it rules that run. ``text_join`` (core) is off so that backslash escapes
stay ``text_special`` tokens: ``compare`` must tell an escaped ``\\*`` from a stray ``*``."""

_MARKUP_CHARACTERS = ("*", "_", "[", "]")
"""Characters that are emphasis or link markup when paired; counted where they print literally."""


# --- normalisation -----------------------------------------------------------------------------

def normalise(text: str) -> str:
    """The identity of one text (a message id): NFC; each line's runs of white space become one
    space and the line is stripped; runs of blank lines become one; leading and trailing blank
    lines go.

    Line breaks are ``\\n``, ``\\r\\n`` and ``\\r``; every other white space character (tab,
    form feed, U+2028...) is a space, as before. So a text without a line break gets exactly
    its old identity, ``" ".join(unicodedata.normalize("NFC", text).split())``. Stripping the
    lines keeps list markers at the start of a line and drops indentation (no nested lists,
    no indented code).
    """
    text = unicodedata.normalize("NFC", text)
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = line.split()
        if words:
            lines.append(" ".join(words))
        elif lines and lines[-1]:
            lines.append("")
    if lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


# --- parsing ------------------------------------------------------------------------------------

def _allowed_url(url: str) -> bool:
    """Whether a (normalised) link target may be a link: ``http(s)://`` with a host, or
    ``mailto:`` with an address. Anything else (``javascript:``, ``file:``, ``data:``, relative
    paths, fragments, empty) is not a link, and its source prints as text."""
    lowered = url.lower()
    if lowered.startswith(("http://", "https://")):
        host = lowered.split("://", 1)[1]
        return bool(host) and host[0] not in "/?#"
    if lowered.startswith("mailto:"):
        return len(lowered) > len("mailto:")
    return False


class _Parser(MarkdownIt):
    def validateLink(self, url: str) -> bool:  # markdown-it's name
        return _allowed_url(url)


def _single_level_list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it's list rule, refused inside a list item: a nested marker prints literally.

    (As a look-ahead, ``silent``, it still answers as usual, so that a line starting with a
    marker ends the item before it; after ``normalise`` such a line is never indented, so it
    starts the next item of the outer list.)"""
    if state.level > 0 and not silent:
        return False
    return list_block(state, start_line, end_line, silent)


def _image_as_text(state: StateInline, silent: bool) -> bool:
    """``![`` is text: image syntax, ``![alt](src)``, then prints literally instead of turning
    into a ``!`` and a link. (A link right after a ``!`` needs ``\\!``.)"""
    if silent or not state.src.startswith("![", state.pos):
        return False  # silent: while a link's text is measured, its "[" counts as a bracket
    state.pending += "!["
    state.pos += 2
    return True


def _empty_link_as_text(state: StateInline, silent: bool) -> bool:
    """``[text]()`` is text: markdown-it makes it a link to "" whatever ``validateLink`` says.
    Its ``[`` is taken as text here, so the whole of it prints as typed."""
    if silent or state.src[state.pos] != "[":
        return False
    end = state.md.helpers.parseLinkLabel(state, state.pos, True)
    if end < 0 or not state.src.startswith("(", end + 1):
        return False
    pos = end + 2
    while pos < state.posMax and state.src[pos] in " \t\n":
        pos += 1
    if not state.src.startswith(")", pos):
        return False
    state.pending += "["
    state.pos += 1
    return True


@cache
def _parser() -> MarkdownIt:
    md = _Parser("commonmark", {"html": False, "breaks": True, "linkify": False,
                                "typographer": False})
    every = md.get_all_rules()
    keep = {name for names in _KEEP.values() for name in names}
    md.disable(sorted({name for names in every.values() for name in names} - keep))
    md.inline.ruler.before("link", "image_as_text", _image_as_text)
    md.inline.ruler.before("link", "empty_link_as_text", _empty_link_as_text)
    md.block.ruler.at("list", _single_level_list, {"alt": ["paragraph", "reference",
                                                           "blockquote"]})
    active = md.get_active_rules()
    if {chain: tuple(names) for chain, names in active.items()} != _KEEP:
        raise RuntimeError(f"unexpected markdown-it rules: {active}")  # a changed markdown-it
    return md


@dataclass(frozen=True)
class Document:
    """A parsed text: its normalised source and markdown-it's tokens (``inline`` tokens carry
    their ``children``). Treat the tokens as read-only."""

    source: str
    tokens: tuple[Token, ...]
    inline_only: bool = False


def parse(text: str, *, inline_only: bool = False) -> Document:
    """Parse a text (normalised first) into the subset's tokens.

    ``inline_only`` parses no blocks at all (no paragraphs, no lists): for a title or a name.
    """
    source = normalise(text)
    md = _parser()
    tokens = md.parseInline(source, {}) if inline_only else md.parse(source, {})
    for token in tokens:
        if token.children:
            token.children = _unlink(token.children)
    return Document(source, tuple(tokens), inline_only)


def _unlink(children: list[Token]) -> list[Token]:
    """Turn a link whose target is not allowed back into text. A safety net only: markdown-it
    refuses such links (``validateLink``), and ``[text]()`` never reaches its link rule."""
    result: list[Token] = []
    refused: list[bool] = []
    for child in children:
        if child.type == "link_open":
            href = child.attrGet("href")
            allowed = isinstance(href, str) and _allowed_url(href)
            refused.append(not allowed)
            result.append(child if allowed else Token("text", "", 0, content="["))
        elif child.type == "link_close":
            result.append(Token("text", "", 0, content="]()") if refused.pop() else child)
        else:
            result.append(child)
    return result


def _document(doc_or_text: Document | str, inline_only: bool) -> Document:
    if isinstance(doc_or_text, Document):
        if doc_or_text.inline_only != inline_only:
            raise ValueError(f"the document was parsed with inline_only={doc_or_text.inline_only}"
                             f", not {inline_only}: parse it again")
        return doc_or_text
    return parse(doc_or_text, inline_only=inline_only)


# --- HTML ---------------------------------------------------------------------------------------

def _start(token: Token) -> int:
    value = token.attrGet("start")
    return int(value) if value is not None else 1


class _Writer:
    """Collects HTML; text is gathered into runs, filtered, then escaped."""

    def __init__(self, text_filter: TextFilter | None):
        self.parts: list[str] = []
        self.pending: list[str] = []
        self.text_filter = text_filter

    def text(self, value: str) -> None:
        self.pending.append(value)

    def tag(self, html: str) -> None:
        self.flush()
        self.parts.append(html)

    def flush(self) -> None:
        if self.pending:
            run = "".join(self.pending)
            self.pending.clear()
            if self.text_filter is not None:
                run = self.text_filter(run)
            # str() first: a filter returning Markup must not slip markup through.
            self.parts.append(str(escape(str(run))))

    def html(self) -> str:
        self.flush()
        return "".join(self.parts)


NBSP = "\u00a0"


MAX_BOUND_WIDTH = 13.0
"""The widest, in ems, that two words bound together may be when their letters join (Arabic):
a pair too wide for a column would be broken inside a word, where joined letters change shape
and no longer fit (``text.joined_width``)."""


def _last_space(children: Sequence[Token]) -> tuple[int, int] | None:
    """Where the last space of the last line of an inline is (child, offset): binding the last
    two words there keeps a paragraph from ending on a line of one word, unless the two could
    not be broken where a column needs it: Arabic words too wide together, or a long pair that
    an emphasis, a link or a change of script (which an edition isolates in an element of its
    own) divides, which WeasyPrint cannot break (see ``MAX_MARKED_WORD``)."""
    from .text import joined_width, scripts

    for index in range(len(children) - 1, -1, -1):
        child = children[index]
        if child.type in ("softbreak", "hardbreak"):
            return None
        if child.type in ("text", "text_special") and " " in child.content.rstrip():
            offset = child.content.rstrip().rindex(" ")
            before = child.content[:offset].rsplit(" ", 1)[-1]
            after = child.content[offset + 1:] + "".join(c.content for c in children[index + 1:])
            pair = f"{before} {after}".strip()
            divided = len(scripts(pair)) > 1 or any(c.type in _BOUNDARIES
                                                    for c in children[index + 1:]) or (
                before == child.content[:offset] and index > 0
                and children[index - 1].type in _BOUNDARIES)
            if joined_width(pair) > MAX_BOUND_WIDTH or (divided
                                                         and len(pair) > MAX_MARKED_WORD + 1):
                return None
            return index, offset
    return None


ZWSP = "\u200b"
MAX_MARKED_WORD = 15
"""A word marked only in part (``*un*done``, ``**2254**(2015)``) longer than this gets a break
opportunity (a zero-width space) where its emphasis or link starts or ends inside it: WeasyPrint
breaks no part of such a word (its issue 2900), so a long one would run out of its column.
Words in a script whose letters join are left whole: the text rules keep them short enough to
fit (``text.MAX_JOINED_WORD``)."""
_BOUNDARIES = ("em_open", "em_close", "strong_open", "strong_close", "link_open", "link_close")


def _breaks_in_marked_words(children: Sequence[Token]) -> set[int]:
    """The emphasis and link tokens inside a long word marked only in part."""
    from .text import joined_width

    text, where = [], []  # the printed text, with \x00 for each boundary; their tokens
    for index, child in enumerate(children):
        if child.type in _BOUNDARIES:
            text.append("\x00")
            where.append(index)
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
        elif child.type in ("text", "text_special"):
            text.append(child.content.replace("\x00", ""))
    printed, found = "".join(text), set()
    marks = [position for position, char in enumerate(printed) if char == "\x00"]
    for word in re.finditer(r"\S+", printed):
        start, end = word.span()
        while start < end and printed[start] == "\x00":
            start += 1
        while end > start and printed[end - 1] == "\x00":
            end -= 1
        inner = printed[start:end]
        if "\x00" in inner and len(inner) - inner.count("\x00") > MAX_MARKED_WORD \
                and not joined_width(inner):
            first = bisect.bisect_left(marks, start)
            found.update(where[first:bisect.bisect_left(marks, end)])
    return found


MAX_EMPHASIS_DEPTH = 8
"""Emphasis nested deeper is written as its text alone: a safety net under the text rules
(``text.MAX_NESTING``), which refuse such a text, so that a draft printed anyway never nests
elements deep enough to exhaust the printer's recursion."""


def _write_inline(children: Sequence[Token], out: _Writer, keep_last: bool = False) -> None:
    open_links: list[bool] = []
    written: list[bool] = []  # for each open emphasis, whether its tag was written
    bind = _last_space(children) if keep_last else None
    breaks = _breaks_in_marked_words(children)
    for index, child in enumerate(children):
        kind = child.type
        if index in breaks:
            out.text(ZWSP)
        if bind is not None and index == bind[0]:
            out.text(child.content[: bind[1]] + NBSP + child.content[bind[1] + 1:])
        elif kind in ("text", "text_special"):
            out.text(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.tag("<br>")
        elif kind in ("em_open", "strong_open"):
            written.append(sum(written) < MAX_EMPHASIS_DEPTH)
            if written[-1]:
                out.tag("<em>" if kind == "em_open" else "<strong>")
        elif kind in ("em_close", "strong_close"):
            if written.pop() if written else False:
                out.tag("</em>" if kind == "em_close" else "</strong>")
        elif kind == "link_open":
            href = child.attrGet("href")
            if isinstance(href, str) and _allowed_url(href):  # always so after _unlink
                out.tag(f'<a href="{escape(href)}">')
                open_links.append(True)
            else:
                out.text("[")
                open_links.append(False)
        elif kind == "link_close":
            if open_links.pop():
                out.tag("</a>")
            else:
                out.text("]()")
        elif child.content:  # no other token type is produced by the rules enabled
            out.text(child.content)


def to_html(doc_or_text: Document | str, *, text_filter: TextFilter | None = None,
            inline_only: bool = False, keep_last_words: bool = False) -> Markup:
    """The text as safe HTML: ``<p>``, ``<ul>``/``<ol start>``/``<li>``, ``<em>``,
    ``<strong>``, ``<a href>`` and ``<br>`` only; a single paragraph is ``<p>…</p>``.

    ``text_filter`` is applied to each run of text (never to a link target) before escaping.
    ``inline_only`` renders no block element: for a title or a name inside an element.
    ``keep_last_words`` joins the last two words of each paragraph and list item with a no-break
    space, so that none ends on a line of one word.
    """
    doc = _document(doc_or_text, inline_only)
    out = _Writer(text_filter)
    in_item = item_has_content = False
    for token in doc.tokens:
        kind = token.type
        if kind == "inline":
            _write_inline(token.children or (), out, keep_last_words)
            item_has_content = True
        elif kind == "paragraph_open":
            if not in_item:
                out.tag("<p>")
            elif item_has_content:  # not produced after normalise; kept apart all the same
                out.tag("<br>")
        elif kind == "paragraph_close":
            if not in_item:
                out.tag("</p>\n")
        elif kind == "bullet_list_open":
            out.tag("<ul>\n")
        elif kind == "ordered_list_open":
            start = _start(token)
            out.tag(f'<ol start="{start}">\n' if start != 1 else "<ol>\n")
        elif kind == "bullet_list_close":
            out.tag("</ul>\n")
        elif kind == "ordered_list_close":
            out.tag("</ol>\n")
        elif kind == "list_item_open":
            out.tag("<li>")
            in_item, item_has_content = True, False
        elif kind == "list_item_close":
            out.tag("</li>\n")
            in_item = False
    return Markup(out.html().rstrip("\n"))


# --- plain text ---------------------------------------------------------------------------------

def plain_text(doc_or_text: Document | str, *, text_filter: TextFilter | None = None,
               inline_only: bool = False) -> str:
    """The text without markup, on one line: for running headers, bookmarks, PDF metadata and
    ``<title>``. Emphasis and link markup go (a link keeps its text, not its target); line
    breaks, paragraphs and list items become spaces; list items keep their marker as written
    (``- ``, ``3. ``); escapes print their character. ``text_filter`` is applied once, to the
    whole result."""
    doc = _document(doc_or_text, inline_only)
    pieces: list[str] = []
    for token in doc.tokens:
        if token.type == "list_item_open":
            pieces.append(f" {token.info}{token.markup} " if token.info else f" {token.markup} ")
        elif token.type in ("paragraph_open", "paragraph_close"):
            pieces.append(" ")
        elif token.type == "inline":
            for child in token.children or ():
                if child.type in ("softbreak", "hardbreak"):
                    pieces.append(" ")
                elif child.type not in ("link_open", "link_close", "em_open", "em_close",
                                        "strong_open", "strong_close"):
                    pieces.append(child.content)
    text = " ".join("".join(pieces).split())
    return text_filter(text) if text_filter is not None else text


# --- signatures and translation checks ----------------------------------------------------------

@dataclass(frozen=True)
class ListShape:
    kind: Literal["bullet", "ordered"]
    start: int
    items: int


@dataclass(frozen=True)
class Signature:
    """What a translation must keep of its source's markup."""

    links: tuple[str, ...]  # normalised targets, in reading order
    lists: tuple[ListShape, ...]
    paragraphs: int  # outside lists
    emphasis: int
    strong: int
    hard_breaks: int
    literal: tuple[tuple[str, int], ...]  # unescaped *, _, [, ] printed as text, by character

    def literal_count(self, character: str) -> int:
        return dict(self.literal).get(character, 0)


@dataclass
class _OpenList:
    kind: Literal["bullet", "ordered"]
    start: int
    items: int = 0


def signature(doc_or_text: Document | str, *, inline_only: bool = False) -> Signature:
    doc = _document(doc_or_text, inline_only)
    links: list[str] = []
    lists: list[_OpenList] = []
    open_lists: list[_OpenList] = []
    paragraphs = emphasis = strong = breaks = 0
    literal: Counter[str] = Counter()
    for token in doc.tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            shape = _OpenList("bullet" if kind == "bullet_list_open" else "ordered",
                              _start(token))
            lists.append(shape)
            open_lists.append(shape)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            open_lists.pop()
        elif kind == "list_item_open":
            open_lists[-1].items += 1
        elif kind == "paragraph_open" and not open_lists:
            paragraphs += 1
        elif kind == "inline":
            for child in token.children or ():
                if child.type == "text":
                    for character in _MARKUP_CHARACTERS:
                        literal[character] += child.content.count(character)
                elif child.type == "em_open":
                    emphasis += 1
                elif child.type == "strong_open":
                    strong += 1
                elif child.type in ("softbreak", "hardbreak"):
                    breaks += 1
                elif child.type == "link_open":
                    links.append(str(child.attrGet("href")))
    return Signature(
        links=tuple(links),
        lists=tuple(ListShape(shape.kind, shape.start, shape.items) for shape in lists),
        paragraphs=paragraphs, emphasis=emphasis, strong=strong, hard_breaks=breaks,
        literal=tuple((c, literal[c]) for c in _MARKUP_CHARACTERS if literal[c]))


@dataclass(frozen=True)
class Issue:
    severity: Literal["error", "warning"]
    message: str


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def compare(source: str, translation: str, *, inline_only: bool = False) -> list[Issue]:
    """What a translation breaks of its source's markup; errors keep it from being printed.

    Errors: a link dropped, its target changed, or a link added (targets are compared as a
    multiset: languages reorder); a different number, kind, start or length of lists; markup
    characters left printing literally where the source used them as markup (an unpaired
    ``*``/``_``, or ``[``/``]`` of a link that no longer parses); emphasis or strong emphasis
    that the source has and the translation lost altogether.

    Warnings: a different count of emphasis or strong emphasis when the translation still has
    some, a different number of hard line breaks or of paragraphs.

    Why emphasis counts only warn: word order may split one emphasised phrase in two or join
    two, so a different count is often right and must not block an edition. Losing every
    emphasis is an error: it is never a matter of word order, and it is the likely slip of a
    translator into a script without italics (Arabic). Each edition prints emphasis in its own
    style, so the ``*…*`` stays in every translation.
    """
    src, tra = signature(source, inline_only=inline_only), signature(translation,
                                                                      inline_only=inline_only)
    issues: list[Issue] = []

    def error(message: str) -> None:
        issues.append(Issue("error", message))

    def warning(message: str) -> None:
        issues.append(Issue("warning", message))

    # Links, as a multiset of targets.
    missing = list((Counter(src.links) - Counter(tra.links)).elements())
    extra = list((Counter(tra.links) - Counter(src.links)).elements())
    missing.sort(key=src.links.index)
    extra.sort(key=tra.links.index)
    for old, new in zip(missing, extra, strict=False):
        error(f"changes the link target {old} to {new}: keep the source's target")
    for old in missing[len(extra):]:
        error(f"drops the link to {old}: write [words](target) around the words that "
              f"translate the link's text, with the target {old}")
    for new in extra[len(missing):]:
        error(f"adds a link to {new}, which the source does not have: remove it (the source "
              "text is the one to change)")

    # Lists.
    if len(src.lists) != len(tra.lists):
        hint = ""
        ordered = sum(1 for shape in src.lists if shape.kind == "ordered")
        if ordered > sum(1 for shape in tra.lists if shape.kind == "ordered"):
            hint = (" (number list items with the digits 0-9 and a full stop and a space, "
                    "as in the source: '1. '; the edition prints the numbers in its own digits)")
        error(f"has {_count(len(tra.lists), 'list')} where the source has {len(src.lists)}: "
              f"start each list item on its own line with '- ' or '1. ' as the source does{hint}")
    else:
        for number, (a, b) in enumerate(zip(src.lists, tra.lists, strict=True), 1):
            where = f"list {number}" if len(src.lists) > 1 else "the list"
            if a.kind != b.kind:
                error(f"{where} is a {b.kind} list where the source has a {a.kind} list: use "
                      f"the source's markers ({'1. ' if a.kind == 'ordered' else '- '})")
            elif a.start != b.start:
                error(f"{where} starts at {b.start} where the source's starts at {a.start}: "
                      "number it as the source does")
            if a.items != b.items:
                error(f"{where} has {_count(b.items, 'item')} where the source has {a.items}: "
                      "translate each item on its own line, keeping its marker; leave a blank "
                      "line after the list before the next paragraph")

    # Markup that no longer parses.
    if src.emphasis or src.strong:
        for character in ("*", "_"):
            if tra.literal_count(character) > src.literal_count(character):
                error(f"'{character}' would print literally: an emphasis mark has no partner. "
                      f"Write *words* or **words**, with no space just inside the marks; for a "
                      f"literal '{character}' write \\{character}")
    if src.links:
        for character in ("[", "]"):
            if tra.literal_count(character) > src.literal_count(character):
                error(f"'{character}' would print literally: a link is broken. Write "
                      "[words](target), with no space between ']' and '('; for a literal "
                      f"'{character}' write \\{character}")

    # Emphasis.
    for name, marks, had, has in (("emphasis", "*words*", src.emphasis, tra.emphasis),
                                  ("strong emphasis", "**words**", src.strong, tra.strong)):
        if had and not has:
            error(f"drops the {name} ({marks}): keep the marks around the words that "
                  "correspond; every edition prints them in its own style")
        elif had != has:
            warning(f"has {has} {name} where the source has {had}: check that the same words "
                    f"are marked {marks}")

    if src.lists != tra.lists:  # already an error; the counts below would only repeat it
        return issues
    if src.hard_breaks != tra.hard_breaks:
        warning(f"has {_count(tra.hard_breaks, 'line break')} where the source has "
                f"{src.hard_breaks}: each line break of a message prints as one; break the "
                "lines where the source does")
    if src.paragraphs != tra.paragraphs:
        warning(f"has {_count(tra.paragraphs, 'paragraph')} where the source has "
                f"{src.paragraphs}: a blank line starts a new paragraph")
    return issues


# --- section headings and what prints literally ------------------------------------------------

SECTION_MARK = "## "
"""A body item of one line starting with this is a section heading (``<h2>``). One level is
enough for a statement: ``#`` would be another title, and ``###`` a section of a section."""

# Each pattern stops at the character that would start another match ("[", "(", "<"): a line
# of thousands of openings is read in one pass, never once per opening.
_HEADING_LINE = re.compile(r"(#{1,6})(?: |$)")
_RULE_LINE = re.compile(r"([-*_=])(?: ?\1){2,}")
_FENCE = re.compile(r"(`{3,}|~{3,})")
_TABLE_LINE = re.compile(r"\|.*\|")
_IMAGE = re.compile(r"(?<!\\)!\[[^\[\]\n]*\]\([^()\n]*\)")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^<>\s]*>", re.IGNORECASE)
_HTML = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def section_heading(text: str) -> str | None:
    """The words of a section heading, when the text is one: a single line that starts with
    ``## `` (``## Our demands`` gives ``Our demands``); None for any other text."""
    source = normalise(text)
    if "\n" in source or not source.startswith(SECTION_MARK):
        return None
    return source[len(SECTION_MARK):].strip() or None


@dataclass(frozen=True)
class LiteralMarkup:
    """Markdown-like writing that is not in the subset and prints exactly as typed: which line
    of the (normalised) text, what was found, and what to do about it."""

    line: int  # 0 for the text's first line
    found: str
    advice: str

    @property
    def message(self) -> str:
        shown = self.found if len(self.found) <= 40 else self.found[:37] + "..."
        return f"{self.advice} (prints literally: {shown!r})"


def literal_markdown(text: str, *, inline_only: bool = False) -> list[LiteralMarkup]:
    """What in a text looks like Markdown outside the subset (a heading other than a section
    heading of its own, a quote, a rule, a table, a code fence, an image, HTML, an entity, an
    address in angle brackets): it prints literally, which is rarely what the writer meant.
    Escaped forms (``\\#``, ``\\>``, ``\\!``) are what a writer who means them literally writes,
    and are not reported. A text that is a section heading is not reported as one."""
    source = normalise(text)
    if not inline_only and section_heading(source) is not None:
        lines = [source[len(SECTION_MARK):]]  # its words may still hold HTML and the like
        starts = False
    else:
        lines = source.split("\n")
        starts = True
    found: list[LiteralMarkup] = []
    for number, line in enumerate(lines):
        if starts and (heading := _HEADING_LINE.match(line)):
            marks = heading.group(1)
            if marks == "##" and inline_only:
                advice = "a heading is not possible here: only a body item can be a section heading"
            elif marks == "##":
                advice = ("a section heading must be a body item of its own, on one line: "
                          "give it its own '- ' item in quotes ('## Our demands')")
            else:
                advice = (f"'{marks} ' is not a heading: a section heading starts with '## ' "
                          f"(one level only); write '\\{marks}' if the '{marks}' is meant")
            found.append(LiteralMarkup(number, line, advice))
        elif starts and line.startswith(">"):
            found.append(LiteralMarkup(number, line, "quotes ('> ') are not in the subset: write the "
                                               "quotation in «…» or “…”, or write '\\>'"))
        elif starts and _RULE_LINE.fullmatch(line):
            found.append(LiteralMarkup(number, line, "rules and underlined headings are not in the "
                                               "subset: start a new body item instead"))
        elif starts and _FENCE.match(line):
            found.append(LiteralMarkup(number, line, "code blocks are not in the subset: remove the "
                                               "fence"))
        elif starts and _TABLE_LINE.fullmatch(line):
            found.append(LiteralMarkup(number, line, "tables are not in the subset: write the cells "
                                               "as a list"))
        for pattern, advice in (
                (_IMAGE, "images are not in the subset: remove it, or write '\\!' before a link"),
                (_AUTOLINK, "an address in angle brackets is not a link: write [words](address)"),
                (_HTML, "HTML is not in the subset: use *emphasis*, **strong** or [words](link)"),
                (_ENTITY, "HTML entities are not in the subset: type the character itself")):
            match = next((m for m in pattern.finditer(line) if pattern is not _HTML
                          or not _AUTOLINK.match(line, m.start())), None)
            if match is not None:  # the first of each kind on a line says enough
                found.append(LiteralMarkup(number, match.group(), advice))
    return found

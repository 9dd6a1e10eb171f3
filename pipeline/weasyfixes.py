"""Layout fixes reaching into WeasyPrint's private box tree (``page._page_box``, line and text
boxes, ``justification_spacing``) and its line breaking (``layout.inline.split_first_line``,
replaced when this module is imported), and one fix of the fonts it writes
(``name_subsets_by_content``, on its pydyf objects), written against and checked with one
WeasyPrint version.

Importing this module checks the installed WeasyPrint (``weasyprint.__version__``) against the
supported range, which ``pyproject.toml`` pins too: another version may lay the boxes out
differently or rename what is read here, and would print wrong editions without a word. The
other modules that depend on WeasyPrint's internals were checked with the same version:
``tagging`` (its tag tree, the MCID tables of its page streams), ``printshop`` and
``cropmarks`` (its page dictionaries and streams); the printer imports this module before any of
them is used.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import weasyprint

from .errors import PipelineError

WEASYPRINT = "70.0"
"""The WeasyPrint version these fixes (and ``tagging``, ``printshop``, ``cropmarks``) were written
against and checked with."""
SUPPORTED = ">=70,<71"
"""The versions accepted, as ``pyproject.toml`` pins them: the releases of that one major
version (WeasyPrint's minor releases fix bugs)."""


class TemplateMarkError(ValueError):
    """A template's mark for these fixes (``data-keep``) that they cannot read; the printer
    reports it with the edition it was printing."""


def check_version(version: str) -> None:
    """Fail, saying what to do, unless ``version`` is in the ``SUPPORTED`` range."""
    if version.split(".")[0] != WEASYPRINT.split(".")[0]:
        raise PipelineError(
            f"WeasyPrint {version} is installed, but the pipeline reaches into WeasyPrint's "
            f"internals and is written for weasyprint{SUPPORTED} (checked with {WEASYPRINT}): "
            f"install that version (`pip install 'weasyprint{SUPPORTED}'`, or `make`, which "
            "installs what pyproject.toml pins), or check these fixes against the new version "
            "and update the range in pipeline/weasyfixes.py and pyproject.toml")


check_version(weasyprint.__version__)


def keep_fitting_text_on_its_line() -> None:
    """Make WeasyPrint 70 keep on a line a run of text that fits there but for its trailing
    space. Its ``split_first_line`` compares the run's width *with* that space (which a line
    drops at its end) to the room left, and when only the space overflows it keeps the run's
    first word and sends the rest to the next line: with text between two elements (``…</strong>،
    وفقاً لما يطالب به <a>…``) a line broke some 74 pt early (the report for WeasyPrint is
    docs/upstream/weasyprint-trailing-space.md). Such a run is now laid out whole; the element
    after it finds no room and goes to the next line, as it should. Installed when this module
    is imported, once, for the inline layout only (the measure of preferred widths imports the
    function under its own name and is left as it is)."""
    from weasyprint.layout import inline

    original = inline.split_first_line
    if getattr(original, "keeps_fitting_text", False):
        return

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        memo = _LINE_MEMO.get()
        if memo is None:
            return fitting(text, style, context, max_width, justification_spacing,
                           is_line_start, minimum)
        key = (text, id(style), id(context), max_width, justification_spacing, is_line_start,
               minimum)
        found = memo.get(key)
        if found is None:
            result = fitting(text, style, context, max_width, justification_spacing,
                             is_line_start, minimum)
            memo[key] = found = (result, style, context)  # (held: their ids stay theirs)
        return found[0]

    def fitting(text: str, style: Any, context: Any, max_width: float | None,
                justification_spacing: float, is_line_start: bool, minimum: bool) -> Any:
        result = original(text, style, context, max_width, justification_spacing,
                          is_line_start, minimum)
        if result[2] is not None and max_width is not None and text.endswith(" ") \
                and style["white_space"] == "normal" and "\n" not in text:
            bare = original(text.rstrip(" "), style, context, max_width, justification_spacing,
                            is_line_start, minimum)
            if bare[2] is None and bare[3] <= max_width:
                return original(text, style, context, None, justification_spacing,
                                is_line_start, minimum)
        return result

    split_first_line.keeps_fitting_text = True  # type: ignore[attr-defined]
    inline.split_first_line = split_first_line


_LINE_MEMO: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("line_memo", default=None)
"""The lines ``split_first_line`` broke in this context, by their text, style, layout context,
width and spacing, while ``remembering_lines`` holds: WeasyPrint lays the same text out at the
same width again and again (balancing the columns of a list tries one height after another;
Sochi's Arabic edition breaks 464 lines in 3,082 calls), and its answer depends on nothing
else. What it returns is a deactivated Pango layout, which only drawing turns into a live one
again (each time from its text and style): one may stand for several boxes."""


@contextmanager
def remembering_lines() -> Iterator[None]:
    """Within this block, ``split_first_line`` answers a line it broke before from memory."""
    token = _LINE_MEMO.set({})
    try:
        yield
    finally:
        _LINE_MEMO.reset(token)


keep_fitting_text_on_its_line()


@dataclass
class _Layout:
    """What WeasyPrint's ``layout_document`` was given for one rendering (its HTML, box tree and
    layout context, which ``Document`` does not keep), and each page box as pagination left it,
    before the margin boxes were added: enough to lay the document out further, or again from
    one page on (``_resume``)."""

    html: Any
    root_box: Any
    context: Any
    footnotes: int  # the footnotes the box tree had (a document with some is laid out anew)
    unfinished: dict[int, tuple[Any, tuple[Any, ...], list[Any]]] = field(default_factory=dict)
    stopped: bool = False  # laid out only up to the page where the ``data-keep`` element starts


_LAST_LAYOUT: ContextVar[_Layout | None] = ContextVar("last_layout", default=None)
"""The ``_Layout`` of the last document rendered in this context."""
_RESUMING: ContextVar[list[Any] | None] = ContextVar("resuming", default=None)
"""The pages a ``layout_document`` call starts from (up-to-date pages are kept), when set."""
_RECORDING_PAGES: ContextVar[_Layout | None] = ContextVar("recording_pages", default=None)
"""The ``_Layout`` whose pages ``make_all_pages`` records, while ``layout_document`` runs."""
_STOP_AT_KEEP: ContextVar[bool] = ContextVar("stop_at_keep", default=False)
"""Whether pagination stops after the page where the ``data-keep`` element starts (when no
``data-paragraph`` follows it): all ``laid_out`` needs to decide, before the rest is laid out."""


def record_layouts() -> None:
    """Wrap WeasyPrint 70's ``layout_document`` (as ``document`` imported it) to keep each
    rendering's ``_Layout``, and its ``initialize_page_maker`` and ``make_all_pages`` (as
    ``layout`` imported them) to stop after the page where the ``data-keep`` element starts
    (``_STOP_AT_KEEP``), and to start again from pages laid out before (``_RESUMING``): then
    the pagination states of the first layout are kept, and only pages marked as changed, and
    those after them whose start moved, are laid out, as WeasyPrint itself does when a
    page-based counter changes. Installed once, when this module is imported; outside those
    uses they pass straight through."""
    from weasyprint import document as weasy_document
    from weasyprint import layout as weasy_layout

    original = weasy_document.layout_document
    if getattr(original, "records_layouts", False):
        return
    initialize, make_all = weasy_layout.initialize_page_maker, weasy_layout.make_all_pages

    def layout_document(html: Any, root_box: Any, context: Any, max_loops: int = 8) -> Any:
        layout = _Layout(html, root_box, context, len(context.footnotes))
        token = _RECORDING_PAGES.set(layout)
        try:
            pages = list(original(html, root_box, context, max_loops))
        finally:
            _RECORDING_PAGES.reset(token)
        _LAST_LAYOUT.set(layout)
        return pages

    def initialize_page_maker(context: Any, root_box: Any) -> None:
        if _RESUMING.get() is None:
            initialize(context, root_box)

    def make_all_pages(context: Any, root_box: Any, html: Any, pages: list[Any]
                       ) -> Iterator[Any]:
        resumed = _RESUMING.get()
        if resumed is not None and not pages:
            pages = resumed
        layout = _RECORDING_PAGES.get()
        keep = _stop_at(html, layout) if _STOP_AT_KEEP.get() else None
        for index, page in enumerate(make_all(context, root_box, html, pages)):
            if layout is not None:  # each page as pagination leaves it
                root = page.children[0]
                layout.unfinished[id(page)] = (page, page.children, list(root.children))
            yield page
            if keep is not None and layout is not None and index + 1 < len(context.page_maker) \
                    and context.page_maker[index + 1][0] is not None \
                    and any(getattr(box, "element", None) is keep for box in page.descendants()):
                # The rest waits for ``_resume``; ``layout_document`` sees nothing to lay out.
                layout.stopped = True
                context.page_maker[index + 1][-1]["content_changed"] = False
                return

    layout_document.records_layouts = True  # type: ignore[attr-defined]
    weasy_document.layout_document = layout_document
    weasy_layout.initialize_page_maker = initialize_page_maker
    weasy_layout.make_all_pages = make_all_pages


def _stop_at(html: Any, layout: _Layout | None) -> Any:
    """The element marked ``data-keep`` whose first page ends a first layout: the first one,
    when no justified paragraph (``data-paragraph``) follows it and no footnote is laid out."""
    if layout is None or layout.footnotes:
        return None
    keep = None
    for element in html.etree_element.iter():
        if keep is None and element.get("data-keep") is not None:
            keep = element
        elif keep is not None and element.get("data-paragraph") is not None:
            return None
    return keep


record_layouts()


def _resume(document: Any, layout: _Layout | None, keep_on_own_page: bool) -> Any:
    """``document``, laid out only up to the page where the ``data-keep`` element starts
    (``_Layout.stopped``) or in full, laid out to its end, as with ``OWN_PAGE`` when
    ``keep_on_own_page`` (that element starting a page): the pages before it are kept as they
    are, with no second cascade or box tree. ``None`` when that cannot be done here (then the
    caller lays the document out anew)."""
    from math import inf

    from weasyprint.css import declaration_precedence
    from weasyprint.document import Document, Page

    if layout is None or layout.footnotes:
        return None
    pages = [page._page_box for page in document.pages]
    if not pages or any(id(page) not in layout.unfinished for page in pages):
        return None
    context = layout.context
    if keep_on_own_page:
        element: Any = None
        start = None
        for index, page in enumerate(pages):
            for box in page.descendants():
                if getattr(box, "element", None) is not None \
                        and box.element.get("data-keep") is not None:
                    element, start = box.element, index
                    break
            if element is not None:
                break
        if element is None or start is None:
            return None
        tag: str = element.tag
        boxes = [box for box in layout.root_box.descendants()
                 if getattr(box, "element", None) is element and box.element_tag == tag]
        if len(boxes) != 1:
            return None
        # The cascade of ``OWN_PAGE``, a user stylesheet (``[data-keep]``, one attribute
        # selector): each of its declarations applies where none of more weight does.
        user = (declaration_precedence("user", None), inf, (0, 1, 0))
        cascaded = getattr(boxes[0].style, "cascaded", None)
        if cascaded is None:
            return None

        def applies(*names: str) -> bool:
            return all(name not in cascaded or cascaded[name][1] <= user for name in names)

        if applies("margin_top", "margin_block_start"):  # a top margin of 0 is not emulated
            return None
        if applies("break_before"):
            style = boxes[0].style.copy()  # an element's computed style may be another's too
            style["break_before"] = "page"
            boxes[0].style = style
        changed = [start, start + 1]
    elif layout.stopped:
        changed = [len(pages)]
    else:
        return document
    for page in pages:  # as pagination left them: the margin boxes are laid out again
        _, children, root_children = layout.unfinished[id(page)]
        page.children = children
        page.children[0].children = root_children
    for index in changed:
        if index < len(context.page_maker):
            context.page_maker[index][-1]["content_changed"] = True
    context.string_set = defaultdict(lambda: defaultdict(list))
    token = _RESUMING.set(pages)
    try:
        from weasyprint import document as weasy_document

        laid = weasy_document.layout_document(layout.html, layout.root_box, context)
    finally:
        _RESUMING.reset(token)
    resumed = Document([Page(box) for box in laid], document.metadata, document.url_fetcher,
                       document.font_config, document.color_profiles, document.output_intent)
    resumed._html = layout.html
    return resumed


def laid_out(render: Callable[..., Any]) -> Any:
    """The document ``render`` lays out (it takes extra stylesheets, as text), after a second
    look at its first layout, which costs more renderings only when it finds something:

    - a justified paragraph whose lines would open holes between their words
      (``stretched_paragraphs``) is set again with its word spacing nudged by one of
      ``NUDGES``: a slightly different measure of the words moves its line breaks, and the first
      nudge that opens no hole is kept. Only a paragraph that no nudge helps is set ragged.
      (Dropping the no-break space that binds its last two words is no remedy: it changes the
      breaks only when the last word then stands alone on the last line.)
    - a list that would start with a few names at the foot of a page starts on the next one
      (``starts_too_short``), read from the layout with the paragraphs' final line breaks.
      (Setting a paragraph ragged moves no line: WeasyPrint breaks lines before it justifies
      them.)

    The first layout stops after the page where that list starts (``_STOP_AT_KEEP``): it
    holds every justified paragraph, and the list's first page. When nothing needs adjusting it
    is then laid out to its end, and a list that starts too short is moved to the next page by
    laying out again from the page where it started (``_resume``): one layout either way, where
    a second one from the start gave the same pages."""
    token = _STOP_AT_KEEP.set(True)  # the first layout waits for the decision below
    try:
        rendered: dict[tuple[str, ...], Any] = {(): render()}
    finally:
        _STOP_AT_KEEP.reset(token)
    layouts: dict[tuple[str, ...], _Layout | None] = {(): _LAST_LAYOUT.get()}

    def layout(*css: str) -> Any:
        if css not in rendered:
            rendered[css] = render(*css)
            layouts[css] = _LAST_LAYOUT.get()
        return rendered[css]

    gaps = justified_gaps(rendered[()])
    stretched = _stretched(gaps)
    spacing: dict[str, float] = {}
    budget = TRIAL_BUDGET * sum(len(found) for found in gaps.values())
    for nudge in NUDGES if stretched else ():
        cost = sum(len(gaps[n]) for n in stretched)  # the trial lays out these paragraphs only
        if cost > budget:
            break
        budget -= cost
        # Each trial lays out only the paragraphs tried: the rest moves none of their lines.
        hidden = "".join(f":not([data-paragraph={_quoted(n)}])" for n in stretched)
        still = set(stretched_paragraphs(render(
            word_spacing({n: nudge for n in stretched}),
            f"[data-keep], [data-paragraph]{hidden} {{ display: none; }}")))
        spacing.update({n: nudge for n in stretched if n not in still})
        stretched = [n for n in stretched if n in still]
        if not stretched:
            break
    css: tuple[str, ...] = (word_spacing(spacing),) if spacing else ()
    if stretched:
        css += (", ".join(f"[data-paragraph={_quoted(n)}] p, [data-paragraph={_quoted(n)}] li"
                          for n in stretched) + " { text-align: start !important; }",)
    try:
        own_page = starts_too_short(layout(*css) if spacing else rendered[()])  # final breaks
        if css in rendered:  # laid out as it prints, but maybe not to its end, or for OWN_PAGE
            resumed = _resume(rendered[css], layouts[css], own_page)
            if resumed is not None:
                return resumed
            if css == ():
                rendered.pop(css)  # not laid out to its end: it is laid out anew
        return layout(*css, *((OWN_PAGE,) if own_page else ()))
    finally:
        _LAST_LAYOUT.set(None)  # nor its box tree and layout context kept after it


TRIAL_BUDGET = 4
"""How much the trials of ``NUDGES`` may lay out, in times the justified text of the document
(counted in word gaps): a paragraph or two try every nudge, a document whose every paragraph
stays stretched whatever its spacing is set ragged after four trials, not ten (Sochi's French
paragraph 5 needs the fifth nudge while two others are tried with it)."""

NUDGES = (0.01, -0.01, 0.02, -0.02, 0.03, -0.03, 0.04, -0.04, 0.05, -0.05)
"""The word spacings (em) tried in turn, the smallest first, on a paragraph whose justification
would open holes. A space is about 0.25 em: a hundredth of an em on each is not seen, yet moves
a line's last word when the paragraph's lines end near the margin, and the justification then
spreads the lines anew; the widest, a fifth of a space, stays inside the range a typesetter's
justification allows the spaces of a line (80 to 133 % of a space, as InDesign's defaults)."""


def word_spacing(spacing: dict[str, float]) -> str:
    """The stylesheet that sets the word spacing of each paragraph (``data-paragraph``) given."""
    return " ".join(f"[data-paragraph={_quoted(n)}] p {{ word-spacing: {em}em; }}"
                    for n, em in sorted(spacing.items(), key=lambda item: _order(item[0])))


def _quoted(value: str) -> str:
    """``value`` (a template's ``data-paragraph``) as a CSS string no text can break out of."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\\n\r\f' else c for c in value) + '"'


def _order(paragraph: str) -> tuple[int, int, str]:
    """The order of ``data-paragraph`` values: numbers as numbers (2 before 10), then the
    other values a template may give, as text."""
    return (0, int(paragraph), "") if paragraph.isdecimal() else (1, 0, paragraph)


OWN_PAGE = "[data-keep] { break-before: page; margin-top: 0; }"
"""For a list that would start with too few of its items at the foot of a page."""


def starts_too_short(document: Any) -> bool:
    """Whether an element marked ``data-keep="N"`` (the signatory list) starts on a page that
    holds fewer than N of its items (``li`` or ``tr``) although it goes on to the next page:
    then it reads better starting on a page of its own."""
    started = None
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or element.get("data-keep") is None:
                continue
            items = [e for e in element.iter() if e.tag in ("li", "tr")]
            shown = {id(b.element) for b in box.descendants()
                     if getattr(b, "element", None) is not None and b.element.tag in ("li", "tr")}
            keep = element.get("data-keep").strip()
            if not keep.isdecimal():  # templates are inputs: say what is wrong, not crash
                raise TemplateMarkError(f"a template's data-keep=\"{keep}\" is not a number of "
                                    "items: write a whole number, such as data-keep=\"10\"")
            started = (int(keep), len(items), len(shown))
            break
        if started is not None:
            keep, total, on_first_page = started
            return on_first_page < min(keep, total)
    return False


MAX_GAP = 1.6
"""The widest a justified line may stretch the space between its words, against the median of
its paragraph: a wider gap is a hole the eye falls into (Arabic has no hyphenation to avoid it)."""
MAX_STRETCH = 2.5
"""The widest a justified line may stretch the space between its words, against a plain space:
a paragraph of two lines has one justified line, which is its own median."""
SPACE = 0.25
"""A space's width, in ems, near enough for the fonts of the editions (Noto Serif, Noto Naskh)."""


def stretched_paragraphs(document: Any) -> list[str]:
    """The paragraphs (``data-paragraph``) whose justified lines would open holes between their
    words: a line's word gap wider than ``MAX_GAP`` times the paragraph's median gap, or than
    ``MAX_STRETCH`` plain spaces. The median is that of the word gaps, each line's gap counted
    once for each of its spaces, as a reader (and tests/test_typography.py) measures the page:
    a short line weighs less than a full one."""
    return _stretched(justified_gaps(document))


def _stretched(gaps: dict[str, list[float]]) -> list[str]:
    stretched = []
    for paragraph, found in gaps.items():
        usual = statistics.median(found)
        if max(found) > min(MAX_GAP * usual, MAX_STRETCH):
            stretched.append(paragraph)
    return sorted(set(stretched), key=_order)


def justified_gaps(document: Any) -> dict[str, list[float]]:
    """Each justified paragraph's word gaps (in plain spaces), its last line's left out; a
    line's gap once for each of its spaces."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    gaps: dict[str, list[float]] = {}  # each word gap of the justified lines, in plain spaces

    def walk(box: Any, paragraph: str | None) -> None:
        element = getattr(box, "element", None)
        if element is not None and element.get("data-paragraph") is not None \
                and getattr(box, "element_tag", None) == "div":
            paragraph = element.get("data-paragraph")
        lines = [child for child in getattr(box, "children", ()) if isinstance(child, LineBox)]
        if paragraph is not None and box.style["text_align_all"] == "justify":
            for line in lines[:-1]:  # the last line of a block is never stretched
                texts = [t for t in line.descendants() if isinstance(t, TextBox)]
                spacing = max((t.justification_spacing for t in texts), default=0)
                space = SPACE * line.style["font_size"]
                spaces = sum(t.text.count(" ") + t.text.count("\u00a0") for t in texts)
                gaps.setdefault(paragraph, []).extend(
                    [(space + line.style["word_spacing"] + spacing) / space] * max(spaces, 1))
        for child in getattr(box, "children", ()):
            if not isinstance(child, LineBox):
                walk(child, paragraph)

    for page in document.pages:
        walk(page._page_box, None)
    return gaps


def realign_shifted_lines(document: Any) -> None:
    """Put back a justified right-to-left line that WeasyPrint 70 leaves a space's width past
    the left margin: when such a line ends with a space just before an inline element
    (``…النفاد، <em>ويموت…``), WeasyPrint strips the space (at the left of the line's last box)
    and moves all the line's boxes left by its width, for a text layout that still draws it;
    justifying then lays the text out again without the space, and the move stays. A line whose
    boxes overhang its start as far as they fall short of its end is moved back by that much.
    When the line holds other boxes before that last one (``…</strong>، وفقاً لما يطالب به``
    and a link that went to the next line), the stripped box alone was left a space's width
    short of its neighbour, the gap as wide as the overhang: that box alone is moved back."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    for page in document.pages:
        for line in page._page_box.descendants():
            if not isinstance(line, LineBox) or line.style["direction"] != "rtl" \
                    or not any(isinstance(box, TextBox) and box.justification_spacing
                               for box in line.descendants()):
                continue
            children = [child for child in line.children if child.is_in_normal_flow()]
            if not children:
                continue
            shift = line.position_x - min(child.position_x for child in children)
            short = line.position_x + line.width - max(child.position_x + child.margin_width()
                                                       for child in children)
            if shift <= 0.01:
                continue
            if abs(short - shift) < 0.01:
                for child in children:
                    child.translate(dx=shift, ignore_floats=True)
                continue
            last = min(children, key=lambda child: child.position_x)
            end = last.position_x + last.margin_width()
            if any(abs(child.position_x - end - shift) < 0.01 for child in children):
                last.translate(dx=shift, ignore_floats=True)


def name_subsets_by_content(document: Any, pdf: Any) -> None:
    """A finisher (``tagging.write_pdf``) giving each embedded font subset a tag made from its
    bytes. WeasyPrint 70 tags a subset (the six letters before ``+`` in /BaseFont and
    /FontName) with a hash of the font's description (``pdf/fonts.py``, ``Font.hash``): the
    same in every edition, whichever glyphs its subset holds. A print shop's RIP or an
    imposition tool that merges two editions takes two subsets of the same name for one font,
    and prints one edition's text with the other's glyphs. A tag derived from the subset's
    bytes differs wherever the subsets differ, and stays the same for the same bytes, so the
    same inputs still give the same PDF."""
    import hashlib

    renamed: dict[bytes, bytes] = {}
    for obj in pdf.objects:
        if not isinstance(obj, dict) or obj.get("Type") != "/FontDescriptor":
            continue
        reference = next((obj[key] for key in ("FontFile", "FontFile2", "FontFile3")
                          if key in obj), None)
        if reference is None:
            continue
        stream = pdf.objects[int(reference.split()[0])]
        digest = hashlib.sha256(b"".join(stream.stream)).digest()
        tag = "".join(chr(65 + byte % 26) for byte in digest[:6]).encode()
        name = obj["FontName"]
        renamed[name] = b"/" + tag + b"+" + name.split(b"+", 1)[-1]
        obj["FontName"] = renamed[name]
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Font" and obj.get("BaseFont") in renamed:
            obj["BaseFont"] = renamed[obj["BaseFont"]]

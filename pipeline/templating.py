"""The templates' Jinja environment, shared by the parse stage (which words each page shows) and
rendering: sandboxed, autoescaping, strict about undefined names; made once per set of templates.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from .errors import PipelineError
from .snapshot import Snapshot

PAGE, PAGES = "\ue000", "\ue001"
"""Stand-ins for the page counters inside translated page furniture; see ``css_content``."""

# --- the environment ------------------------------------------------------------------------------

_environments: dict[str, Any] = {}


def environment(snapshot: Snapshot):
    """The sandboxed environment of a snapshot's templates (kept while they do not change)."""
    from jinja2 import FunctionLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    key = snapshot.templates_digest
    if key not in _environments:
        sources = {}
        for name, item in snapshot.templates.items():
            if name.endswith(".j2"):
                try:
                    sources[name] = item.data.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise PipelineError("the template is not UTF-8 text: save it as UTF-8",
                                        item.name, item.data[: error.start].count(b"\n") + 1
                                        ) from None
        env = ImmutableSandboxedEnvironment(
            loader=FunctionLoader(lambda name: (sources[name], f"templates/{name}", lambda: True)
                                  if name in sources else None), autoescape=True, undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        env.filters["css_string"] = css_string
        env.filters["css_content"] = css_content
        _environments.clear()
        _environments[key] = env
    return _environments[key]


_references: dict[str, tuple[str | None, ...]] = {}
"""The templates a template's bytes (by their digest) import or include (None: one chosen at run
time); kept by content, so an edited template is parsed again and an unchanged one never is."""


def templates_used(snapshot: Snapshot, name: str) -> set[str]:
    """The templates a page template is made of: itself and every template it imports or
    includes, however deep, as ``templates/<name>`` (all of them if one is chosen at run time)."""
    from jinja2 import TemplateSyntaxError, meta

    env = environment(snapshot)
    found: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        item = snapshot.templates.get(current)
        if item is None:
            continue
        if item.digest not in _references:  # parsed once per template bytes: watch asks each save
            if len(_references) > 256:
                _references.clear()
            try:
                _references[item.digest] = tuple(meta.find_referenced_templates(env.parse(
                    item.data.decode("utf-8", "replace"))))
            except TemplateSyntaxError:
                _references[item.digest] = ()  # reported, with its line, when the page is rendered
        references = _references[item.digest]
        if any(reference is None for reference in references):
            return {f"templates/{n}" for n in snapshot.templates if n.endswith(".j2")}
        pending += [r for r in references if r is not None]
    return {f"templates/{n}" for n in found}


def css_string(value: object) -> Markup:
    """A CSS string literal that no text can break out of (quotes, backslashes, ``</style>``)."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    out = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup('"' + "".join(out) + '"')


def css_content(value: object, counter_style: str) -> Markup:
    """Translated furniture such as 'Page %(page)s of %(pages)s' as a CSS ``content`` value, its
    placeholders replaced by page counters in the edition's digits."""
    text = value.unescape() if isinstance(value, Markup) else str(value)
    parts = []
    for piece in re.split(f"([{PAGE}{PAGES}])", text):
        if piece == PAGE:
            parts.append(f"counter(page, {counter_style})")
        elif piece == PAGES:
            parts.append(f"counter(pages, {counter_style})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))



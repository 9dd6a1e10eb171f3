"""Reading and writing PO files and templates: strictly, with every problem's line, and in the
form msgmerge writes (previous msgids of fuzzy entries kept)."""

from __future__ import annotations

import gettext
import io
import re

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po

from ..errors import PipelineError
from ..language import plural_forms
from ..project import DOMAIN

PO_WIDTH = 76

Key = tuple[str | None, str]  # (context, singular msgid)


def key_of(message: Message) -> Key:
    return (message.context, strings(message.id)[0])


def strings(value) -> list[str]:
    """A message's ids or translations as a list, whether it has plural forms or not."""
    return list(value) if isinstance(value, (tuple, list)) else [value]


def has_translation(message: Message) -> bool:
    return any(strings(message.string))


def is_complete(message: Message) -> bool:
    values = strings(message.string)
    return bool(values) and all(values)


def read_catalog(data: bytes, display: str, code: str | None = None) -> Catalog:
    """Read a PO file or template from its bytes strictly: syntax, charset and plural forms are
    checked. ``display`` names it in messages; ``code`` is its language (None for a template)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PipelineError("the catalog is not UTF-8: save it as UTF-8 and declare "
                            "'charset=UTF-8' in its Content-Type header", display,
                            data[: error.start].count(b"\n") + 1) from None
    charset = re.search(rb'"Content-Type:[^"]*charset=([^\\"\s]+)', data)
    if charset and charset.group(1).decode("ascii", "replace").lower().replace("_", "-") != "utf-8":
        line = data[: charset.start()].count(b"\n") + 1
        raise PipelineError(f"the catalog declares charset {charset.group(1).decode('ascii', 'replace')}:"
                            " save it as UTF-8 and declare 'charset=UTF-8'", display, line)
    check_po_syntax(data.decode("utf-8"), display)
    if code:
        expected, expression = plural_forms(code)
        declared = re.search(rb"nplurals\s*=\s*(\d+)", data)
        if declared and int(declared.group(1)) != expected:
            raise PipelineError(
                f"the Plural-Forms header gives {int(declared.group(1))} plural forms, but "
                f"{code} has {expected} in CLDR: set it to "
                f"'nplurals={expected}; plural={expression};'",
                display, _line_of(data, b"Plural-Forms"))
    try:  # Babel cannot read msgmerge's previous msgids of obsolete entries (#~|): as #| then
        readable = re.sub(rb"(?m)^#~\|", b"#|", data)
        catalog = read_po(io.BytesIO(readable), locale=code, domain=DOMAIN, charset="utf-8",
                          abort_invalid=True)
    except PoFileError as error:
        message = str(error).rsplit(" on ", 1)[0]
        raise PipelineError(f"PO syntax error: {message}: {error.line.strip()!r}", display,
                            error.lineno + 1) from None
    except (ValueError, TypeError) as error:
        raise PipelineError(f"cannot read the catalog: {error}", display) from None
    try:
        gettext.c2py(catalog.plural_expr)
    except (ValueError, RecursionError):
        raise PipelineError(f"the Plural-Forms header has an invalid plural expression "
                            f"{catalog.plural_expr!r}: copy the one `python -m pipeline init` "
                            "writes for this language", display,
                            _line_of(data, b"Plural-Forms")) from None
    _restore_previous(catalog)
    return catalog


PO_STRING = r'"(?:[^"\\]|\\.)*"'
PO_LINE = re.compile(rf"(?:(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{PO_STRING}\s*")


def _allowed_after(keyword: str, previous: str | None) -> bool:
    """The order of keywords in a PO entry: [msgctxt] msgid [msgid_plural] msgstr..."""
    starts_entry = previous is None or previous.startswith("msgstr")
    if keyword == "msgctxt":
        return starts_entry
    if keyword == "msgid":
        return starts_entry or previous == "msgctxt"
    if keyword == "msgid_plural" or keyword == "msgstr":
        return previous == "msgid"
    return previous == "msgid_plural" or (previous or "").startswith("msgstr[")  # msgstr[n]


def check_po_syntax(text: str, display: str) -> None:
    """What msgfmt refuses and Babel's lenient reader would silently misread (junk after a
    keyword, an unterminated string, a second msgstr): refused here with its line."""
    previous = None  # the last keyword of the entry being read
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
        if not line or line.startswith(("#", "|")):  # comments, and #~| previous msgids
            continue
        match = PO_LINE.fullmatch(line)
        if not match:
            raise PipelineError(f"PO syntax error: {raw.strip()!r} is not a keyword (msgctxt, "
                                "msgid, msgid_plural, msgstr) followed by one quoted string, nor "
                                "a quoted string continuing the previous one", display, number)
        keyword = match.group(1)
        if keyword is None:
            if previous is None:
                raise PipelineError("PO syntax error: a quoted string with no keyword before it",
                                    display, number)
            continue
        if not _allowed_after(keyword, previous):
            raise PipelineError(f"PO syntax error: {keyword} cannot follow "
                                f"{previous or 'nothing'} in an entry (a second translation, or "
                                "a keyword out of place)", display, number)
        previous = keyword


def _line_of(data: bytes, needle: bytes) -> int | None:
    index = data.find(needle)
    return data[:index].count(b"\n") + 1 if index >= 0 else None


def serialise(catalog: Catalog) -> bytes:
    """The catalog as PO text. Babel's writer mangles a long previous msgid (``#|``) and its
    reader keeps it only as a comment, so both directions of it are done here: previous ids are
    written, wrapped like msgids, for fuzzy messages only (as msgmerge does)."""
    stash: dict[str, str] = {}
    saved: list[tuple[Message, list[str]]] = []
    for message in catalog:
        if not message.id or not message.previous_id:
            continue
        saved.append((message, list(message.previous_id)))
        if not message.fuzzy:
            message.previous_id = []
            continue
        tokens = []
        for n, text in enumerate(message.previous_id[:2]):
            token = f"@@previous-{len(stash)}@@"
            stash[token] = ("msgid " if n == 0 else "msgid_plural ") + text
            tokens.append(token)
        message.previous_id = tokens
    # Babel writes no flag nor previous msgid for an obsolete entry: a fuzzy one would come
    # back as reviewed. A comment token marks where msgmerge writes them (#, fuzzy and #~|).
    obsolete_blocks: dict[str, str] = {}
    commented: list[tuple[Message, list[str]]] = []
    for message in catalog.obsolete.values():
        if message.fuzzy:
            token = f"@@obsolete-{len(obsolete_blocks)}@@"
            lines = ["#, fuzzy"]
            for keyword, text in zip(("msgid", "msgid_plural"), message.previous_id, strict=False):
                wrapped = normalize(text, width=PO_WIDTH - 4).splitlines()
                lines += [f"#~| {keyword} {wrapped[0]}"] + [f"#~| {line}" for line in wrapped[1:]]
            obsolete_blocks[token] = "\n".join(lines)
            commented.append((message, message.user_comments))
            message.user_comments = [*message.user_comments, token]
    out = io.BytesIO()
    try:
        write_po(out, catalog, width=PO_WIDTH, include_previous=True, ignore_obsolete=False)
    finally:
        for message, ids in saved:
            message.previous_id = ids
        for message, comments in commented:
            message.user_comments = comments
    text = out.getvalue().decode("utf-8")
    for token, block in obsolete_blocks.items():
        text = text.replace(f"# {token}\n", f"{block}\n")
    for token, stashed in stash.items():
        keyword, _, value = stashed.partition(" ")
        lines = normalize(value, width=PO_WIDTH - 3).splitlines()
        block = "\n".join([f"#| {keyword} {lines[0]}"] + [f"#| {line}" for line in lines[1:]])
        text = text.replace(f'#| {keyword} "{token}"', block)
    return text.encode("utf-8")


def _restore_previous(catalog: Catalog) -> None:
    """Turn the ``#|`` lines Babel read as translator comments back into previous msgids."""
    for message in list(catalog) + list(catalog.obsolete.values()):
        lines = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
        if not lines:
            continue
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
        fields: dict[str, str] = {}
        keyword = None
        for line in lines:
            if not line.startswith('"'):
                keyword, _, line = line.partition(" ")
                fields[keyword] = ""
            if keyword and line.startswith('"'):
                fields[keyword] += unescape(line)
        previous = [fields[k] for k in ("msgid", "msgid_plural") if k in fields]
        message.previous_id = previous

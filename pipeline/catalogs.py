"""The gettext catalogs: reading them strictly, updating them from the template, creating one
for a new language, checking translations, and looking translations up while rendering."""

from __future__ import annotations

import copy
import gettext
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, normalize, read_po, unescape, write_po

from .errors import PipelineError
from .files import write_atomic
from .language import language as get_language
from .project import DOMAIN, Project
from .source import BIDI_MARK, FORBIDDEN

PO_WIDTH = 76
NEVER_FUZZY = {"signatory"}
"""Contexts whose new messages never inherit a similar old translation. Two organisations with
similar names are different organisations (this list has both 'Namar' and 'Namir'), so a new
signatory starts untranslated rather than carrying a neighbour's name marked fuzzy."""
FUZZY_CUTOFF = 0.6

Key = tuple[str | None, str]  # (context, singular msgid)


def key_of(message: Message) -> Key:
    return (message.context, _strings(message.id)[0])


# --- reading and writing ------------------------------------------------------------------------

def read_catalog(path: Path, display: str, code: str | None = None,
                 data: bytes | None = None) -> Catalog:
    """Read a PO file or template (or the bytes already read from it) strictly: syntax, charset
    and plural forms are checked."""
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise PipelineError("the catalog is missing: create it with `python -m pipeline init "
                            f"{code}`" if code else "the file is missing: run "
                            "`python -m pipeline extract`", display) from None
    except OSError as error:
        raise PipelineError(f"cannot read the catalog: {error.strerror}", display) from None
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
        expected, expression = get_language(code).plural_forms
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
    saved = []
    for message in catalog:
        if not message.id or not message.previous_id:
            continue
        saved.append((message, message.previous_id))
        if not message.fuzzy:
            message.previous_id = []
            continue
        tokens = []
        for n, previous in enumerate(message.previous_id[:2]):
            token = f"@@previous-{len(stash)}@@"
            stash[token] = ("msgid " if n == 0 else "msgid_plural ") + previous
            tokens.append(token)
        message.previous_id = tokens
    out = io.BytesIO()
    try:
        write_po(out, catalog, width=PO_WIDTH, include_previous=True, ignore_obsolete=False)
    finally:
        for message, previous in saved:
            message.previous_id = previous
    text = out.getvalue().decode("utf-8")
    for token, previous in stash.items():
        keyword, _, value = previous.partition(" ")
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


def write_catalog(project: Project, path: Path, catalog: Catalog,
                  expected: bytes | None = None) -> bool:
    """Write only when the content changed, so git shows only real changes; with ``expected``,
    only if the file still holds what was read (no translator's save is overwritten)."""
    return write_atomic(path, serialise(catalog), project.root, expected)


# --- update and init -----------------------------------------------------------------------------

def merge(catalog: Catalog, template: Catalog) -> Catalog:
    """msgmerge semantics: translations kept, changed messages fuzzy with their previous msgid,
    new ones empty, removed ones obsolete. Fuzzy matching is ours: within one context only,
    never for signatories, each old translation given to at most one new message."""
    before = {key_of(m): m for m in catalog if m.id}
    template = copy.deepcopy(template)  # Babel inserts new messages without cloning them
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False,
                   update_creation_date=False)
    for message in catalog:
        old = before.get(key_of(message))
        if message.id and old is not None and message.fuzzy and old.previous_id \
                and not message.previous_id:
            message.previous_id = list(old.previous_id)  # Babel drops it on every update
    for message in catalog:  # a message that comes back gets its old translation back as it was
        if not message.id or _has_translation(message):
            continue
        context, msgid = key_of(message)
        obsolete_key = msgid if context is None else (msgid, context)  # Babel's key
        returning = catalog.obsolete.get(obsolete_key)
        if returning is not None and _has_translation(returning):
            message.string = returning.string
            message.flags = set(message.flags) | (set(returning.flags) & {"fuzzy", "ignore-same"})
            message.user_comments = list(returning.user_comments)
            message.previous_id = list(returning.previous_id) if message.fuzzy else []
            del catalog.obsolete[obsolete_key]
    for key, obsolete in list(catalog.obsolete.items()):
        if not _has_translation(obsolete) and not obsolete.user_comments:
            del catalog.obsolete[key]  # nothing to keep: an empty entry, often the source's own
    new = [m for m in catalog if m.id and not _has_translation(m)
           and m.context not in NEVER_FUZZY]
    removed = [m for m in catalog.obsolete.values() if _has_translation(m)]
    candidates = []
    for message in new:
        for old in removed:
            if old.context != message.context or isinstance(old.id, tuple) != isinstance(
                    message.id, tuple):
                continue
            matcher = SequenceMatcher(None, key_of(old)[1], key_of(message)[1], autojunk=False)
            if matcher.real_quick_ratio() >= FUZZY_CUTOFF and matcher.quick_ratio() >= FUZZY_CUTOFF:
                ratio = matcher.ratio()
                if ratio >= FUZZY_CUTOFF:
                    candidates.append((-ratio, key_of(message), key_of(old), message, old))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    taken_new, taken_old = set(), set()
    for _, new_key, old_key, message, old in candidates:
        if new_key in taken_new or old_key in taken_old:
            continue
        taken_new.add(new_key)
        taken_old.add(old_key)
        message.string = old.string
        message.flags.add("fuzzy")
        message.previous_id = list(old.id) if isinstance(old.id, tuple) else [old.id]
        for obsolete_key, obsolete in list(catalog.obsolete.items()):
            if obsolete is old:
                del catalog.obsolete[obsolete_key]
    return catalog


def _strings(value) -> list[str]:
    """A message's ids or translations as a list, whether it has plural forms or not."""
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _has_translation(message: Message) -> bool:
    return any(_strings(message.string))


def new_catalog(code: str, template: Catalog) -> Catalog:
    catalog = Catalog(locale=code, domain=DOMAIN, project=template.project,
                      copyright_holder=template.copyright_holder, charset="utf-8", fuzzy=False)
    catalog.creation_date = template.creation_date
    catalog.language_team = f"{get_language(code).name} <>"
    return merge(catalog, template)


# --- lookup while rendering ---------------------------------------------------------------------

@dataclass
class Lookup:
    """Translations of one catalog for rendering one edition, remembering every fallback."""

    code: str
    catalog: Catalog
    messages: dict[Key, Message] = field(init=False)
    fallbacks: list[Key] = field(default_factory=list)

    def __post_init__(self):
        self.messages = {key_of(m): m for m in self.catalog if m.id}
        self._plural = gettext.c2py(self.catalog.plural_expr)

    def _usable(self, message: Message | None) -> bool:
        return message is not None and not message.fuzzy and _complete(message)

    def translate(self, context: str | None, msgid: str, source_language: str) -> tuple[str, bool]:
        """The translation and whether it fell back to the source text."""
        message = self.messages.get((context, msgid))
        if self._usable(message):
            return message.string, False
        if source_language != self.code:
            self.fallbacks.append((context, msgid))
        return msgid, source_language != self.code

    def translate_plural(self, context: str | None, singular: str, plural: str, n: int,
                         source_language: str) -> tuple[str, bool]:
        message = self.messages.get((context, singular))
        if self._usable(message):
            return message.string[self._plural(n)], False
        if source_language != self.code:
            self.fallbacks.append((context, singular))
        english = gettext.NullTranslations().ngettext(singular, plural, n)
        return english, source_language != self.code


def _complete(message: Message) -> bool:
    strings = _strings(message.string)
    return bool(strings) and all(strings)


# --- checks -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Status:
    """How far one language's catalog serves the messages one edition needs."""

    code: str
    file: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def releasable(self) -> bool:
        return not self.errors


PYTHON_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
MARKUP = re.compile(r"</?[A-Za-z][^>]*>")
SCRIPT_LETTER = re.compile(r"[^\W\d_]")


def check_messages(status: Status, catalog: Catalog, needed: Iterable[tuple[Key, str, str]],
                   script: str) -> Status:
    """Count and check the messages an edition needs: ``(key, source language, reference)``."""
    messages = {key_of(m): m for m in catalog if m.id}
    for key, source_language, reference in needed:
        message = messages.get(key)
        label = _label(key)
        source_side = source_language == status.code
        if message is None and source_side:
            status.translated += 1  # as in the source
            continue
        if message is None:
            status.untranslated += 1
            status.findings.append(Finding(
                "error", status.file, None,
                f"{label} ({reference}) is not in the catalog: run `python -m pipeline update`"))
            continue
        line = message.lineno
        if message.fuzzy and _has_translation(message) and not source_side:
            status.fuzzy += 1
            status.findings.append(Finding("error", status.file, line,
                                           f"{label} is fuzzy: review the translation against "
                                           "the changed source text, then remove the fuzzy flag"))
            continue
        if not _complete(message) and not source_side:
            status.untranslated += 1
            what = "some plural forms are empty" if _has_translation(message) else "untranslated"
            status.findings.append(Finding("error", status.file, line, f"{label} is {what}"))
            continue
        status.translated += 1
        if _has_translation(message) and not message.fuzzy:
            for problem in _translation_problems(message, script):
                severity = "warning" if problem.startswith("likely") else "error"
                status.findings.append(Finding(severity, status.file, line,
                                               f"{label}: {problem}"))
    return status


def _label(key: Key) -> str:
    context, msgid = key
    text = msgid if len(msgid) <= 60 else msgid[:57] + "..."
    return f"{context} {text!r}" if context else repr(text)


def _translation_problems(message: Message, script: str) -> list[str]:
    ids, strings = _strings(message.id), _strings(message.string)
    problems = []
    id_placeholders = {p for i in ids for p in PYTHON_PLACEHOLDER.findall(i)}
    for string in strings:
        placeholders = set(PYTHON_PLACEHOLDER.findall(string))
        if "python-format" in message.flags and not placeholders <= id_placeholders:
            problems.append(f"the placeholders {sorted(placeholders - id_placeholders)} are "
                            f"not in the source text (which has {sorted(id_placeholders)})")
        if "python-format" in message.flags and len(strings) == 1 and placeholders != id_placeholders:
            problems.append(f"the placeholders differ: the source has {sorted(id_placeholders)}, "
                            f"the translation {sorted(placeholders)}")
        if sorted(MARKUP.findall(string)) != sorted(m for i in ids[:1] for m in MARKUP.findall(i)):
            problems.append("the markup differs from the source text")
        if match := FORBIDDEN.search(string):
            problems.append(f"contains the invisible or control character U+{ord(match.group()):04X}"
                            ": delete it (it can make the printed text differ from what "
                            "reviewers see)")
        elif match := BIDI_MARK.search(string):
            problems.append(f"likely unneeded: the direction mark U+{ord(match.group()):04X}; the "
                            "pipeline isolates Latin names itself, so it can usually go")
        if (string[:1].isspace(), string[-1:].isspace()) != (ids[0][:1].isspace(),
                                                              ids[0][-1:].isspace()):
            problems.append("leading or trailing white space differs from the source text")
    if script != "Latn" and "ignore-same" not in message.flags and all(
            s == ids[min(i, len(ids) - 1)] for i, s in enumerate(strings)) \
            and SCRIPT_LETTER.search(ids[0]):
        problems.append("likely a copy: identical to the source text although the language is "
                        f"written in another script ({script}); add the flag 'ignore-same' if "
                        "it is meant to stay as it is")
    return list(dict.fromkeys(problems))

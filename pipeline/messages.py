"""What is to be translated: every statement's texts and the templates' own words.

A message is identified by its whitespace-normalised text and a context naming its role
(``title``, ``paragraph``, ``signatory``...), so re-wrapping the YAML changes nothing and an
organisation's name never collides with a sentence. ``extract_statement`` is the Babel extractor
for statement files (entry point ``statement``), so ``pybabel extract -F babel.cfg`` and
``python -m pipeline extract`` find the same messages; the pipeline itself extracts from the bytes
of its snapshot, with the extractors ``babel.cfg`` maps to each file.
"""

from __future__ import annotations

import configparser
import functools
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.util import pathmatch

from . import markup
from .catalogs.pofile import Key, PoCatalog, PoEntry, template_header, wants_python_format
from .errors import PipelineError
from .language import language
from .project import EDITION_TEMPLATE, MAPPING, TEMPLATE_LANGUAGE
from .snapshot import Input, Snapshot
from .source import Statement, parse_statement
from .text import written_in

COMMENT_TAGS = ("Translators:",)
"""Comments in templates starting with this tag reach the translator (``pybabel extract -c``)."""

MessageId = str | tuple[str, ...]


@dataclass(frozen=True)
class SourceMessage:
    """A message as extracted: its context, id (a tuple for plural forms), where it is, and the
    comment the translator sees."""

    context: str | None
    id: MessageId
    file: str
    line: int
    comments: tuple[str, ...]

    @property
    def key(self) -> Key:
        return (self.context, self.id if isinstance(self.id, str) else self.id[0])


def statement_messages(statement: Statement) -> list[SourceMessage]:
    """The statement's translatable texts, each with the comment the translator sees."""
    def message(context: str, text: str, line: int, comment: str) -> SourceMessage:
        return SourceMessage(context, text, statement.file, line, (comment,))

    messages = [message("title", statement.title.value, statement.title.line,
                        "The statement's title, also printed at the top of every page."
                        if statement.short_title is None else "The statement's title.")]
    if statement.short_title:
        messages.append(message("short-title", statement.short_title.value,
                                statement.short_title.line,
                                "A short form of the title, printed at the top of every page."))
    if statement.subtitle:
        messages.append(message("subtitle", statement.subtitle.value, statement.subtitle.line,
                                "The line printed above the title."))
    messages.append(message(
        "issuer", statement.issuer.value, statement.issuer.line,
        "Who issues the statement: printed at the foot of every page and recorded as the PDF's author."))
    contexts = [body_context(text.value) for text in statement.body]
    totals = {context: contexts.count(context) for context in contexts}
    numbers = dict.fromkeys(totals, 0)
    for text, context in zip(statement.body, contexts, strict=True):
        numbers[context] += 1
        if context == "heading":
            comment = (f"Section heading {numbers[context]} of {totals[context]}, over the "
                       "paragraphs that follow it. Keep the '## ' at the start: it makes the "
                       "line a heading.")
        else:
            comment = f"Paragraph {numbers[context]} of {totals[context]}."
        messages.append(message(context, text.value, text.line, comment))
    # No position and no count: one signatory more or less changes its own entry's lines only,
    # not every other signatory's comment in every catalog.
    for signatory in statement.signatories:
        comment = (f"Signatory of {statement.id}: the name of an organisation. Write it as the "
                   "organisation itself writes it in your language; a name written only in Latin "
                   "letters stays as it is.")
        if signatory.given:
            comment += (" The organisation gives its name itself in "
                        + ", ".join(f"{code} ({name})" for code, name in signatory.given)
                        + ": the editions in those languages print it as given.")
        messages.append(message("signatory", signatory.value, signatory.line, comment))
    return messages


def body_context(text: str) -> str:
    """A body item's role: ``heading`` for a section heading (one line starting with ``## ``),
    ``paragraph`` for everything else."""
    return "heading" if markup.section_heading(text) is not None else "paragraph"


def extract_statement(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor for ``sources/*.yaml``: yields ``(line, 'pgettext', (context, id), comments)``."""
    name = getattr(fileobj, "name", "statement.yaml")
    statement = parse_statement(fileobj.read(), str(name), Path(str(name)).stem)
    for message in statement_messages(statement):
        yield message.line, "pgettext", (message.context, message.id), list(message.comments)


# --- the extraction mapping ----------------------------------------------------------------------

@dataclass(frozen=True)
class Mapping:
    """``babel.cfg``: which extractor reads which files, with its options."""

    methods: tuple[tuple[str, str], ...]  # (pattern, method), in the file's order
    options: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # pattern -> options

    def method_for(self, path: str) -> tuple[str, dict[str, str]] | None:
        for pattern, method in self.methods:
            if pathmatch(pattern, path):
                return None if method == "ignore" else (method, dict(dict(self.options).get(
                    pattern, ())))
        return None


@functools.lru_cache(maxsize=8)
def parse_mapping(data: bytes) -> Mapping:
    from babel.messages.frontend import parse_mapping_cfg

    try:
        methods, options = parse_mapping_cfg(io.StringIO(data.decode("utf-8")), filename=MAPPING)
    except (configparser.Error, ValueError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", None)
        text = getattr(error, "message", None) or str(error)
        raise PipelineError(f"the extraction mapping is not valid: {text.splitlines()[0]}",
                            MAPPING, line) from None
    return Mapping(tuple(methods), tuple((pattern, tuple(sorted(values.items())))
                                         for pattern, values in options.items()))


def mapping_of(snapshot: Snapshot) -> Mapping:
    if snapshot.mapping is None:
        raise PipelineError("there is no extraction mapping: restore babel.cfg from the repository",
                            MAPPING)
    return parse_mapping(snapshot.mapping.data)


def _walk_order(path: str) -> tuple:
    """The order ``pybabel extract`` reads files in: a folder's files before its subfolders."""
    parts = path.split("/")
    return tuple((1, part) for part in parts[:-1]) + ((0, parts[-1]),)


# --- the templates' words ------------------------------------------------------------------------

def template_messages(snapshot: Snapshot) -> list[SourceMessage]:
    """Every word of every template, with the extractor ``babel.cfg`` maps to it."""
    mapping = mapping_of(snapshot)
    files = sorted(((item.name, item) for item in snapshot.templates.values()
                    if (found := mapping.method_for(item.name)) and found[0] != "statement"),
                   key=lambda pair: _walk_order(pair[0]))
    key = (mapping, tuple((name, item.digest) for name, item in files))
    if key not in _extracted:  # kept while no template changes: a watcher renders on every save
        _extracted.clear()
        _extracted[key] = _extract_templates(mapping, [item for _, item in files])
    return _extracted[key]


_extracted: dict[tuple, list[SourceMessage]] = {}


def _extract_templates(mapping: Mapping, files: list[Input]) -> list[SourceMessage]:
    from jinja2 import TemplateError

    messages = []
    for item in files:
        found = mapping.method_for(item.name)
        assert found is not None
        method, options = found
        try:
            results = list(extract(method, io.BytesIO(item.data), keywords=DEFAULT_KEYWORDS,
                                   comment_tags=COMMENT_TAGS, options=options,
                                   strip_comment_tags=True))
        except (TemplateError, ValueError, SyntaxError) as error:  # one it cannot parse
            text = getattr(error, "message", None) or str(error)
            raise PipelineError(f"template error: {text}", item.name,
                                getattr(error, "lineno", None)) from None
        for line, message_id, comments, context in results:
            messages.append(SourceMessage(context, message_id if isinstance(message_id, str)
                                          else tuple(message_id), item.name, line,
                                          tuple(comments)))
    return messages


# --- the message template (POT) ------------------------------------------------------------------

def build_template(messages: Iterable[SourceMessage], carried: Iterable[PoEntry] = ()
                   ) -> PoCatalog:
    """The message template: every message once, with all its references and comments, in the
    order they were found. ``carried`` are entries kept from the previous template (those of a
    statement that cannot be read now, so its translations are not made obsolete)."""
    entries: dict[Key, PoEntry] = {}
    for found in messages:
        reference = f"{found.file}:{found.line}"
        singular, plural = ((found.id, None) if isinstance(found.id, str)
                            else (found.id[0], found.id[1] if len(found.id) > 1 else None))
        entry = entries.get(found.key)
        if entry is None:
            entry = entries[found.key] = PoEntry(msgid=singular, msgctxt=found.context,
                                                 msgid_plural=plural)
        elif plural is not None and entry.msgid_plural is None:
            entry.msgid_plural = plural
        if reference not in entry.references:
            entry.references.append(reference)
        for comment in found.comments:
            if comment not in entry.extracted_comments:
                entry.extracted_comments.append(comment)
    for kept in carried:
        if kept.key not in entries:
            entries[kept.key] = PoEntry(msgid=kept.msgid, msgctxt=kept.msgctxt,
                                        msgid_plural=kept.msgid_plural,
                                        references=list(kept.references),
                                        extracted_comments=list(kept.extracted_comments))
    for entry in entries.values():
        if entry.msgid_plural is not None:
            entry.msgstr_plural = ["", ""]
        if ("%" in entry.msgid or "%" in (entry.msgid_plural or "")) and wants_python_format(
                entry.msgid, entry.msgid_plural):  # "50% of" has no placeholder
            entry.flags.add("python-format")
    return PoCatalog(header=template_header(), entries=list(entries.values()))


def ordered_source_files(snapshot: Snapshot, statements: dict[str, Statement]) -> list[str]:
    """The statement files ``babel.cfg`` maps to the statement extractor, in walk order."""
    return _ordered(snapshot, [s.file for s in statements.values()])


def _ordered(snapshot: Snapshot, names: Iterable[str]) -> list[str]:
    mapping = mapping_of(snapshot)
    return sorted((name for name in names if (found := mapping.method_for(name))
                   and found[0] == "statement"), key=_walk_order)


def extraction(snapshot: Snapshot, statements: dict[str, Statement],
               extracted: dict[str, list[SourceMessage]] | None = None) -> list[SourceMessage]:
    """Every message of the statements and templates, in the order ``pybabel extract`` finds
    them (statement files sort before templates). ``extracted``: the messages of statement
    files extracted before (by file name), for statements not parsed in this run."""
    by_file = {s.file: statement_messages(s) for s in statements.values()}
    by_file.update(extracted or {})
    found: list[SourceMessage] = []
    for name in _ordered(snapshot, by_file):
        found += by_file[name]
    found += template_messages(snapshot)
    return found


# --- what one edition needs ----------------------------------------------------------------------

@dataclass(frozen=True)
class EditionMessage:
    """A message one statement's editions use, with the language its text is written in."""

    key: Key
    source_language: str
    reference: str
    given: tuple[tuple[str, str], ...] = ()  # names given in other languages (signatories)

    def as_written_in(self, code: str) -> str | None:
        """The text this edition prints without a translation, if any: the source itself in the
        language it is written in (that catalog's entry is never printed), a name the
        organisation gives in that language, or writes in that language's script. Rendering,
        ``check`` and the freshness digests all ask here."""
        if code == self.source_language:
            return self.key[1]
        given = next((name for language_code, name in self.given if language_code == code), None)
        if given is not None:
            return given
        context, text = self.key
        if context == "signatory":
            script = language(code).script
            if script != language(self.source_language).script and written_in(text, script):
                return text
        return None


def edition_messages(statement: Statement, words: list[SourceMessage]) -> list[EditionMessage]:
    """The messages one statement's editions use: its own, then the templates' words. They
    depend on nothing else, so another statement never changes this one's editions."""
    given: dict[Key, tuple[tuple[str, str], ...]] = {
        ("signatory", s.value): s.given for s in statement.signatories if s.given}
    needed: dict[Key, EditionMessage] = {}
    for message in statement_messages(statement):
        needed.setdefault(message.key, EditionMessage(
            message.key, statement.language, f"{message.file}:{message.line}",
            given.get(message.key, ())))
    edition_template = f"templates/{EDITION_TEMPLATE}"
    for word in sorted(words, key=lambda w: w.file != edition_template):  # as the edition uses them
        needed.setdefault(word.key, EditionMessage(word.key, TEMPLATE_LANGUAGE,
                                                   f"{word.file}:{word.line}"))
    return list(needed.values())

"""How far a catalog serves one edition, and what is wrong with its translations: each checker yields the
problems of one translated message; the edition check counts translated, fuzzy and untranslated messages
and gathers every problem, so `check` can list them all and a build can refuse a language not ready."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .. import markup
from ..errors import Problem
from ..text import (
    WESTERN_DIGITS,
    describe,
    direction_mark,
    forbidden_character,
    language_problems,
    normalise,
    text_problems,
)
from .pofile import Key, PoCatalog, PoEntry
from .validate import find_placeholders


@dataclass(frozen=True)
class Needed:
    """A message an edition needs: its key, the language its text is written in, where it comes
    from (``file:line``), and whether this edition prints it as written (a name the organisation
    gives in this language, or writes in this language's script), needing no translation."""

    key: Key
    source_language: str
    reference: str
    as_written: bool = False


@dataclass
class Status:
    """How far one language's catalog serves the messages one edition needs."""

    language: str
    file: str
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    problems: list[Problem] = field(default_factory=list)
    unfinished: list[Problem] = field(default_factory=list)
    """The problems that only say a message is not translated yet (untranslated, fuzzy, not in
    the catalog): also in ``problems``; what a language in progress is expected to have."""

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def releasable(self) -> bool:
        return not self.errors


MARKUP = re.compile(r"</?[A-Za-z][^>]*>")
LETTER = re.compile(r"[^\W\d_]")

@dataclass(frozen=True)
class Where:
    """Where a translated entry is, for the problems a checker finds in it."""

    file: str
    line: int | None
    label: str  # the message, as problems name it: paragraph 'Russia has announced...'

    def error(self, text: str) -> Problem:
        return Problem(f"{self.label}: {text}", self.file, self.line)

    def warning(self, text: str) -> Problem:
        return Problem(f"{self.label}: {text}", self.file, self.line, "warning")


Checker = Callable[[PoEntry, str, Where], Iterator[Problem]]  # an entry, its language's script: problems


def source_texts(entry: PoEntry) -> list[str]:
    """An entry's source texts: its msgid, and its plural msgid if it has one."""
    return [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])


def check_placeholders(message: PoEntry, script: str, where: Where) -> Iterator[Problem]:
    """Each translation has the source's placeholders; a plural form may leave the number out
    ("one organisation"), but none may add one."""
    ids = source_texts(message)
    expected = set(find_placeholders(ids[-1]))  # such as %(num)s; a % before anything else is text
    for string in message.strings:
        found = set(find_placeholders(string))
        if found - expected or (len(ids) == 1 and found != expected):
            shown = ", ".join(sorted(expected)) or "none"
            yield where.error(f"the placeholders differ from the source text (which has "
                              f"{shown}): keep each placeholder exactly as it is")
            return
    if expected or len(ids) > 1:  # printed through `text % values`, every value a text
        for string in message.strings:
            try:
                string % defaultdict(str)
            except (TypeError, ValueError):
                yield where.error("the translation cannot be formatted: write each placeholder "
                                  "exactly as the source does (such as %(num)s), and a percent "
                                  "sign as %%")
                return


def check_markup(message: PoEntry, script: str, where: Where) -> Iterator[Problem]:
    """The translation keeps the source's Markdown: its links and their targets, its lists, its
    emphasis (see ``markup.compare``); and adds no HTML the source lacks (it would print as
    text)."""
    source = source_texts(message)[0]
    if any(sorted(MARKUP.findall(string)) != sorted(MARKUP.findall(source))
           for string in message.strings):
        yield where.error("the markup differs from the source text")
        return
    inline = message.msgctxt != "paragraph"
    for string in message.strings:
        if message.msgctxt == "heading":  # a section heading: it stays one, and its words are
            heading = markup.section_heading(string)  # checked as a title's
            if heading is None:
                yield where.error("the translation is no longer a section heading: write it on "
                                  "one line, starting with '## ' as the source does")
                continue
            string, compared = heading, markup.section_heading(source) or source
        else:
            compared = source
            if markup.section_heading(string) is not None \
                    and markup.section_heading(source) is None:
                yield where.error("adds a section heading ('## ' at the start), which the "
                                  "source does not have: translate it as the source is written")
                continue
        for issue in markup.compare(compared, string, inline_only=inline):
            yield where.error(issue.message) if issue.severity == "error" \
                else where.warning(issue.message)
        known = {found.advice for found in markup.literal_markdown(compared, inline_only=inline)}
        for found in markup.literal_markdown(string, inline_only=inline):
            if found.advice not in known:
                known.add(found.advice)
                yield where.warning(f"the source does not have this: {found.message}")


def check_characters(message: PoEntry, script: str, where: Where) -> Iterator[Problem]:
    """No control or invisible character, likely no direction mark; white space at either end as
    the source has it."""
    if found := next((f for string in message.strings if (f := forbidden_character(string))), None):
        yield where.error(f"contains the invisible or control character {describe(found[1])}: "
                          "delete it (it can make the printed text differ from what reviewers see)")
    elif mark := next((m for string in message.strings if (m := direction_mark(string))), None):
        yield where.warning(f"likely unneeded: the direction mark {describe(mark)}; the pipeline "
                            "isolates Latin names itself, so it can usually go")

    def edges(text: str) -> tuple[bool, bool]:
        return text[:1].isspace(), text[-1:].isspace()

    if any(edges(string) != edges(message.msgid) for string in message.strings):
        yield where.error("leading or trailing white space differs from the source text")


# The texts a copy of the source leaves untranslated (names may stay as the source writes them).
COPY_REFUSED = frozenset({"paragraph", "heading", "title", "short-title", "subtitle"})


# Where a translator writes the flag: a PO editor shows no field for it.
FLAG_LINE = "(a line '#, ignore-same' right above the entry's msgctxt)"
# What marks it too, which update writes beside the flag and brings the flag back from.
COMMENT_TOO = ("; update adds the comment line '# ignore-same', which marks it too: to unmark "
               "an entry, remove both")


def check_copy(message: PoEntry, script: str, where: Where) -> Iterator[Problem]:
    ids, values = source_texts(message), message.strings
    if script != "Latn" and not message.meant_same and all(
            normalise(value) == normalise(ids[min(i, len(ids) - 1)])
            for i, value in enumerate(values)) and LETTER.search(ids[0]):
        if message.msgctxt in COPY_REFUSED:
            yield where.error("untranslated: identical to the source text although the language "
                              f"is written in another script ({script}); translate it, or add "
                              f"the flag 'ignore-same' {FLAG_LINE} if it is meant to stay as it is"
                              f"{COMMENT_TOO}")
        else:
            yield where.warning("likely a copy: identical to the source text although the "
                                f"language is written in another script ({script}); add the "
                                f"flag 'ignore-same' {FLAG_LINE} if it is meant to stay as it is"
                                f"{COMMENT_TOO}")


def check_text(message: PoEntry, script: str, where: Where) -> Iterator[Problem]:
    """The rules every printed text follows, as a source's texts do (``text.text_problems``)."""
    for string in message.strings:
        if not forbidden_character(string):  # if it has one, check_characters says so
            if problems := text_problems(string, block=message.msgctxt in ("paragraph", "heading")):
                yield from (where.error(problem) for problem in problems)
                return


CHECKERS: tuple[Checker, ...] = (check_placeholders, check_markup, check_characters, check_text,
                                 check_copy)


def label(key: Key) -> str:
    context, msgid = key
    text = msgid if len(msgid) <= 60 else msgid[:57] + "..."
    return f"{context} {text!r}" if context else repr(text)


def check_edition(catalog: PoCatalog, file: str, language: str, script: str,
                  needed: Iterable[Needed], digits: str = WESTERN_DIGITS) -> Status:
    """Count and check the messages an edition needs; ``digits``, those the language writes
    (its formatting locale's), for the rules of its running text (``text.language_problems``)."""
    status = Status(language, file)
    messages = catalog.index()

    def unfinished(text: str, line: int | None = None) -> None:
        status.unfinished.append(Problem(text, file, line))
        status.problems.append(status.unfinished[-1])

    for item in needed:
        message, name = messages.get(item.key), label(item.key)
        if item.source_language == language or item.as_written:
            status.translated += 1  # printed as written: its entry, if any, is never read
        elif message is None:
            status.untranslated += 1
            unfinished(f"{name} ({item.reference}) is not in the catalog: run `python -m pipeline "
                       "update`")
        elif message.fuzzy and message.translated:
            status.fuzzy += 1
            unfinished(f"{name} is fuzzy: review the translation against the changed source "
                       "text, then remove the fuzzy flag", message.msgstr_line or message.line)
        elif not (message.strings and all(message.strings)):
            status.untranslated += 1
            what = "some plural forms are empty" if message.translated else "untranslated"
            unfinished(f"{name} is {what}", message.msgstr_line or message.line)
        else:
            status.translated += 1
            if message.translated and not message.fuzzy:
                status.problems.extend(translation_problems(message, script, name, file,
                                                            digits))
    return status


def _user(reference: str) -> str:
    """Who uses a message, for the warnings: ``X (sources/X.yaml:4)``, or a template's line."""
    file = reference.split(":")[0]
    if file.startswith("sources/") and file.endswith(".yaml"):
        return f"{file.removeprefix('sources/').removesuffix('.yaml')} ({reference})"
    return reference


def unread_entries(catalog: PoCatalog, file: str, language: str,
                   needed: dict[Key, list[Needed]],
                   others: frozenset[str] = frozenset()) -> list[Problem]:
    """A warning for each entry that translates a message into the language every statement
    using it is written in: that edition prints the source, so nobody ever reads the entry.
    ``others``: the files of the project's statements ``needed`` does not cover (a check of
    some statements): an entry whose references name one is left alone, as that one may read
    it (not one naming a statement no longer there, which nobody reads)."""
    from babel import Locale

    name = Locale.parse(language).get_display_name("en") or language
    messages = catalog.index()
    problems = []
    for key, items in needed.items():
        message = messages.get(key)
        if message is None or not any(message.strings) \
                or any(item.source_language != language for item in items):
            continue
        if any(reference.rsplit(":", 1)[0] in others for reference in message.references):
            continue
        uses = ", ".join(dict.fromkeys(_user(item.reference) for item in items))
        problems.append(Problem(
            f"this message is the {name} source of {uses}: the {name} edition prints the "
            "source; change the source instead", file, message.msgstr_line or message.line,
            "warning"))
    return problems


def translation_problems(message: PoEntry, script: str, name: str, file: str,
                         digits: str = WESTERN_DIGITS) -> list[Problem]:
    """Every checker's problems with one translated entry, each said once; then the rules of
    the language's running text, as a statement written in it is checked."""
    where = Where(file, message.msgstr_line or message.line, name)
    found = [problem for checker in CHECKERS for problem in checker(message, script, where)]
    found += [where.warning(text) for string in message.strings
              for _, text in language_problems(string, message.msgctxt, digits=digits, script=script)]
    return list(dict.fromkeys(found))

"""Reading a statement's YAML source into a typed, validated ``Statement``.

Every problem in a file is collected with its line, then reported at once. Only plain YAML is
read: no tags, no anchors, no duplicate keys (PyYAML would silently keep the last), no tabs.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import yaml

from . import markup
from .errors import PipelineError, Problem, raise_if_any
from .identifiers import language_problem, statement_id_problem
from .text import MAX_WORD, forbidden_character, forbidden_message, normalise, text_problems

__all__ = ["MAX_BODY_CHARACTERS", "MAX_PARAGRAPHS", "MAX_SIGNATORIES", "MAX_WORD", "Signatory",
           "Statement", "StatementDate", "Text", "parse_statement"]

MAX_PARAGRAPHS = 500
"""The most paragraphs a statement may have."""
MAX_SIGNATORIES = 5_000
"""The most signatories a statement may list (a long sign-on list runs to a few thousand)."""
MAX_BODY_CHARACTERS = 200_000
"""The most characters the paragraphs of a statement may hold in all: about sixty pages, so
that every accepted statement prints in bounded time and memory."""


@dataclass(frozen=True)
class Text:
    """A piece of statement text, whitespace-normalised, with the line it starts on."""

    value: str
    line: int

    def __str__(self) -> str:
        return self.value


Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class StatementDate:
    """The date of a statement as precisely as it is known: a day, a month or a year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        """``2018-01-03``, ``2017-08`` or ``2017``."""
        parts = [f"{self.year:04d}"] + [f"{n:02d}" for n in (self.month, self.day) if n]
        return "-".join(parts)

    @classmethod
    def parse(cls, text: str) -> StatementDate | None:
        """A date as ``isoformat`` writes it, or None."""
        match = DATE.fullmatch(text)
        if not match:
            return None
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            return cls(year, month, day) if year else None
        except ValueError:
            return None

    def first_day(self) -> datetime.date:
        """The first day the date covers, for the PDF's creation date."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> datetime.date:
        """The last day the date covers."""
        month = self.month or 12
        return datetime.date(self.year, month,
                             self.day or calendar.monthrange(self.year, month)[1])

    def __str__(self) -> str:
        return self.isoformat()


@dataclass(frozen=True)
class Signatory:
    """An organisation that signed: its name in the statement's language (what translators
    see), and the names it gives itself in other languages, used as given."""

    name: Text
    given: tuple[tuple[str, str], ...] = ()  # (language, name)

    @property
    def value(self) -> str:
        return self.name.value

    @property
    def line(self) -> int:
        return self.name.line

    def given_in(self, language: str) -> str | None:
        return next((name for code, name in self.given if code == language), None)


@dataclass(frozen=True)
class Statement:
    id: str
    file: str  # relative to the project, for messages and references
    title: Text
    short_title: Text | None
    subtitle: Text | None
    date: StatementDate
    language: str
    issuer: Text
    body: tuple[Text, ...]
    signatories: tuple[Signatory, ...]
    updated: StatementDate | None = None  # when signatories joined or the text changed after


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    help: str


FIELDS = {f.name: f for f in (
    Field("id", True, "the statement's identifier, the same as its file name"),
    Field("title", True, "the headline"),
    Field("short-title", False, "a shorter title for the running header of every page"),
    Field("subtitle", False, "a line over the title, such as 'Joint Statement by ...'"),
    Field("date", True, "the date of the statement: a day (2018-01-03), a month (2017-08) or a "
                        "year (2017)"),
    Field("updated", False, "when the statement was last updated, in the same forms as 'date', "
                            "not before it"),
    Field("language", True, "the language the source is written in, such as 'en'"),
    Field("issuer", True, "who issues it, printed at the foot of each page"),
    Field("body", True, "the paragraphs, one list item each"),
    Field("signatories", False, "the signatory organisations, one list item each"),
)}

YAML_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {YAML_TAG + name for name in ("str", "int", "float", "bool", "timestamp")}
"""Plain scalars YAML would read as numbers, yes/no or dates are taken as written: an
organisation called NO or 2011 is text, not false or a number."""
KNOWN_TAGS = SCALAR_TAGS | {YAML_TAG + name for name in ("null", "seq", "map")}
DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class _Reader:
    """Turns one YAML document into a Statement, collecting every problem on the way."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, message: str, node_or_line: yaml.Node | int) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        self.problems.append(Problem(message, self.file, line))

    def tag_allowed(self, name: str, node: yaml.Node) -> bool:
        if node.tag in KNOWN_TAGS:
            return True
        shown = node.tag.replace(YAML_TAG, "!!")
        self.problem(f"'{name}' carries the YAML tag {shown}: tags are not allowed in a "
                     "statement; write plain text", node)
        return False

    def text(self, name: str, node: yaml.Node, normalised: Callable[[str], str] = normalise,
             block: bool = False) -> Text | None:
        if not self.tag_allowed(name, node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(f"'{name}' must be text, not {_describe(node)}", node)
            return None
        if found := forbidden_character(node.value):
            self.problem(f"'{name}': {forbidden_message(found[1])}", node)
            return None
        value = normalised(node.value) if node.tag in SCALAR_TAGS else ""
        if not value:
            self.problem(f"'{name}' is empty: write the text, or remove the field if it is "
                         "optional", node)
            return None
        if refused := text_problems(value, block=block):  # the first: the rest may follow
            self.problem(f"'{name}' {refused[0]}", node)
            return None
        return Text(value, node.start_mark.line + 1)

    def items(self, name: str, node: yaml.Node, required: bool, limit: int, what: str
              ) -> list[yaml.Node]:
        if not self.tag_allowed(name, node):
            return []
        if not required and isinstance(node, yaml.ScalarNode) and node.tag == YAML_TAG + "null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(f"'{name}' must be a list, one item per line starting with '- '", node)
            return []
        if not node.value and required:
            self.problem(f"'{name}' is an empty list: give at least one item", node)
        if len(node.value) > limit:
            self.problem(f"'{name}' has {len(node.value):,} items; a statement may have at most "
                         f"{limit:,} {what} (item {limit + 1:,} is on this line)",
                         node.value[limit])
            return []
        return list(node.value)

    def paragraphs(self, node: yaml.Node) -> tuple[Text, ...]:
        items = []
        for i, item in enumerate(self.items("body", node, True, MAX_PARAGRAPHS, "paragraphs"), 1):
            if isinstance(item, yaml.ScalarNode) and item.tag == YAML_TAG + "null" \
                    and not item.value:  # `- ## Our demands`: YAML reads a comment
                self.problem(f"'body item {i}' is empty: write the text; a section heading "
                             "goes in quotes, - '## Our demands' (after '- ', a '#' starts a "
                             "YAML comment)", item)
                continue
            items.append(self.text(f"body item {i}", item, markup.normalise, block=True))
        paragraphs = tuple(item for item in items if item is not None)
        if (total := sum(len(text.value) for text in paragraphs)) > MAX_BODY_CHARACTERS:
            self.problem(f"'body' holds {total:,} characters; the paragraphs of a statement may "
                         f"hold at most {MAX_BODY_CHARACTERS:,} in all (about sixty pages): "
                         "shorten them, or publish the text in parts", node)
        return paragraphs

    def signatories(self, node: yaml.Node) -> list[Text | list[tuple[str, Text]]]:
        """Each signatory as its name, or as the names it gives itself in several languages."""
        signatories: list[Text | list[tuple[str, Text]]] = []
        found = self.items("signatories", node, False, MAX_SIGNATORIES, "signatories")
        for i, item in enumerate(found, 1):
            label = f"signatories item {i}"
            if isinstance(item, yaml.MappingNode):
                if self.tag_allowed(label, item) and (names := self.names(label, item)):
                    signatories.append(names)
            elif text := self.text(label, item):
                signatories.append(text)
        return signatories

    def names(self, label: str, node: yaml.MappingNode) -> list[tuple[str, Text]]:
        """``{en: Baytna Syria, ar: بيتنا سوريا}``: the names an organisation gives itself."""
        names: list[tuple[str, Text]] = []
        for key_node, value_node in node.value:
            code = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else ""
            if message := language_problem(code):
                self.problem(f"{label}: {message}", key_node)
            elif any(code == known for known, _ in names):
                self.problem(f"{label}: the name in {code!r} is given twice: keep one", key_node)
            elif text := self.text(f"{label} ({code})", value_node):
                names.append((code, text))
        if not node.value:
            self.problem(f"{label} is empty: give the organisation's name", node)
        return names

    def date(self, node: yaml.Node, name: str = "date") -> StatementDate | None:
        if not self.tag_allowed(name, node):
            return None
        value = node.value.strip() if isinstance(node, yaml.ScalarNode) else None
        match = DATE.fullmatch(value or "")
        if not match:
            self.problem(f"'{name}' must be a day such as 2018-01-03, a month such as 2017-08 or "
                         f"a year such as 2017, not {_describe(node)}", node)
            return None
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        if not 1 <= year <= 9999:
            self.problem(f"'{name}' {value}: there is no year {year}; years go from 0001 to 9999",
                         node)
            return None
        if month is not None and not 1 <= month <= 12:
            self.problem(f"'{name}' {value}: there is no month {month}; months go from 01 to 12",
                         node)
            return None
        if month is not None and day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                self.problem(f"'{name}' {value}: that day does not exist: "
                             f"{calendar.month_name[month]} {year} has {last} days", node)
                return None
        date = StatementDate(year, month, day)
        if problem := _unformattable(date):
            self.problem(f"'{name}' {value}: {problem}", node)
            return None
        return date

    def checked(self, check: Callable[[str], str | None], name: str, node: yaml.Node) -> str | None:
        text = self.text(name, node)
        if text is None:
            return None
        if message := check(text.value):
            self.problem(message, node)
            return None
        return text.value

    def statement(self, root: yaml.Node, expected_id: str) -> Statement | None:
        if not isinstance(root, yaml.MappingNode):
            self.problem(f"a statement must be a mapping of fields ({', '.join(FIELDS)}), "
                         f"not {_describe(root)}", root)
            return None
        values: dict = {}
        seen: dict[str, int] = {}
        for key_node, value_node in root.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if key in seen:
                self.problem(f"'{key}' is given twice (first on line {seen[key]}); YAML would keep "
                             "only the last one: merge them into one", line)
                continue
            if key not in FIELDS:
                hint = difflib.get_close_matches(str(key), FIELDS, n=1)
                advice = f"did you mean '{hint[0]}'?" if hint else f"known fields: {', '.join(FIELDS)}"
                self.problem(f"unknown field '{key}': {advice}", line)
                continue
            seen[key] = line
            if key == "id":
                values[key] = self.checked(statement_id_problem, key, value_node)
                if values[key] and values[key] != expected_id:
                    self.problem(f"'id' is {values[key]!r} but the file is named "
                                 f"{expected_id}.yaml: make them the same", value_node)
            elif key == "language":
                values[key] = self.checked(language_problem, key, value_node)
            elif key in ("date", "updated"):
                values[key] = self.date(value_node, key)
            elif key == "body":
                values[key] = self.paragraphs(value_node)
            elif key == "signatories":
                values[key] = self.signatories(value_node)
            else:
                values[key] = self.text(key, value_node)
        for name, spec in FIELDS.items():
            if spec.required and name not in seen:
                self.problem(f"the field '{name}' is missing: add {spec.help}", 1)
        if values.get("date") and values.get("updated") and \
                values["updated"].last_day() < values["date"].first_day():
            self.problem(f"'updated' {values['updated']} is before 'date' {values['date']}: an "
                         "update comes after the statement; correct one of the two",
                         seen["updated"])
        values["signatories"] = self.resolve_signatories(values.get("signatories", []),
                                                         values.get("language"))
        if self.problems:
            return None
        return Statement(
            id=values["id"], file=self.file, title=values["title"],
            short_title=values.get("short-title"), subtitle=values.get("subtitle"),
            date=values["date"], language=values["language"], issuer=values["issuer"],
            body=values["body"], signatories=values["signatories"],
            updated=values.get("updated"))

    def resolve_signatories(self, items: list[Text | list[tuple[str, Text]]],
                            language: str | None) -> tuple[Signatory, ...]:
        """A name given in several languages must be given in the statement's own language too:
        that one is the message translators see; the others are used as given."""
        signatories = []
        given: dict[tuple[str, str], Text] = {}  # (name in the statement's language, code)
        for item in items:
            if isinstance(item, Text):
                signatories.append(Signatory(item))
                continue
            own = next((text for code, text in item if code == language), None)
            if own is None:
                if language:
                    self.problem(f"the signatory {item[0][1].value!r} is given in "
                                 f"{', '.join(code for code, _ in item)} but not in {language}, "
                                 f"the statement's language: add '{language}: ...'", item[0][1].line)
                continue
            signatories.append(Signatory(own, tuple((code, text.value) for code, text in item
                                                    if code != language)))
            for code, text in item:
                first = given.setdefault((own.value, code), text)
                if code != language and first.value != text.value:
                    self.problem(f"the signatory {own.value!r} is listed twice with two names in "
                                 f"{code}: {first.value!r} (line {first.line}) and {text.value!r} "
                                 f"(line {text.line}); an edition can print only one: keep one "
                                 "of the two entries", text.line)
        return tuple(signatories)


def _unformattable(date: StatementDate) -> str | None:
    """Why the editions could not print a date, if they could not: each is formatted through
    Babel (``Language.format_date``), in the source's language and in the others."""
    from babel import dates

    try:
        day = date.first_day()
        dates.format_date(day, "long", locale="en")
        dates.format_skeleton("yMMMM" if date.month else "y", day, locale="en")
    except (ValueError, OverflowError, KeyError, TypeError) as error:
        return f"no edition can print this date ({error}): check it"
    return None


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return f"{node.value!r}"


def parse_statement(data: bytes, file: str, expected_id: str) -> Statement:
    """Parse and validate a statement from its bytes; ``file`` names it in messages."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8")
        line = _line_at(before, len(before))
        raise PipelineError("the file is not UTF-8 text: save it with the UTF-8 encoding",
                            file, line) from None
    try:
        statement = _parse_text(text.removeprefix("\ufeff"), expected_id)
    except PipelineError as error:
        raise PipelineError.of(p.at(file) for p in error.problems) from None
    return replace(statement, file=file)


def _line_at(text: str, position: int) -> int:
    """The line of a position as YAML and editors count lines: after \\n, \\r\\n or a lone \\r."""
    before = text[:position]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


@functools.lru_cache(maxsize=64)
def _parse_text(text: str, expected_id: str) -> Statement:
    """Parsed once per process although a long-lived watcher reads the file on every save of
    another (the file name is filled in by the caller)."""
    if found := forbidden_character(text):
        position, char = found
        raise PipelineError(forbidden_message(char), "", _line_at(text, position))
    documents = None
    if _FAST_LOADER is not None:
        try:
            documents = list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except (yaml.YAMLError, RecursionError):
            documents = None  # the pure-Python parser below explains the problem better
    if documents is None:
        documents = _compose_explained(text)
    documents = [d for d in documents if d is not None]
    if not documents:
        raise PipelineError("the file is empty: a statement needs the fields "
                            f"{', '.join(name for name, f in FIELDS.items() if f.required)}", "", 1)
    if len(documents) > 1:
        start = documents[1].start_mark.line
        lines = text.splitlines()
        marker = next((n for n in range(min(start, len(lines) - 1), -1, -1)
                       if lines[n].startswith("---")), start)
        raise PipelineError("the file holds more than one YAML document ('---'): keep one "
                            "statement per file", "", marker + 1)
    if anchor := _first_alias(documents[0]):
        raise PipelineError("anchors and aliases (&name, *name) are not allowed in a statement: "
                            "write the text out", "", anchor)
    reader = _Reader("")
    statement = reader.statement(documents[0], expected_id)
    raise_if_any(reader.problems)
    assert statement is not None
    return statement


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: 25 times faster, same marks


def _first_alias(root: yaml.Node) -> int | None:
    """The line of the first node used twice (an alias): YAML's way to a billion laughs."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node.start_mark.line + 1
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return None


def _compose_explained(text: str) -> list:
    try:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not accept at all
        line = text[: error.position].count("\n") + 1
        char = chr(error.character) if isinstance(error.character, int) else str(error.character)
        raise PipelineError(forbidden_message(char), "", line) from None
    except RecursionError:
        raise PipelineError("lists or mappings are nested too deeply: a statement needs a "
                            "mapping of fields and lists of texts", "", 1) from None


def _syntax_error(error: yaml.MarkedYAMLError, text: str) -> PipelineError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    source_line = lines[line - 1] if line and line <= len(lines) else ""
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or (
            "'\\t'" in str(error.problem)):
        return PipelineError("a tab is used for indentation: YAML needs spaces, so replace the "
                             "tabs with spaces", "", line)
    problem = error.problem or "invalid YAML"
    if error.context:
        problem = f"{error.context}, {problem}"
    return PipelineError(f"YAML syntax error: {problem}; check the indentation and quoting "
                         "on this line and the one before", "", line)

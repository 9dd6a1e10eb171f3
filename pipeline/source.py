"""Reading a statement's YAML source into a typed, validated ``Statement``.

Every problem in a file is collected with its line, then reported at once. Only plain YAML is
read: no tags, no duplicate keys (PyYAML would silently keep the last), no tabs.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import PipelineError, PipelineErrors, raise_if_any
from .project import Project, check_language_code, check_statement_id


@dataclass(frozen=True)
class Text:
    """A piece of statement text, whitespace-normalised, with the line it starts on."""

    value: str
    line: int

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Statement:
    id: str
    file: str  # relative to the project, for messages and references
    title: Text
    subtitle: Text | None
    date: datetime.date
    language: str
    issuer: Text
    body: tuple[Text, ...]
    signatories: tuple[Text, ...]
    digest: str = ""  # of the bytes it was read from, for the build's cheap check


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text", "date", "language", "identifier", "text list"
    required: bool
    help: str


FIELDS = {
    f.name: f
    for f in (
        Field("id", "identifier", True, "the statement's identifier, the same as its file name"),
        Field("title", "text", True, "the headline"),
        Field("subtitle", "text", False, "a line under the title, such as 'Joint Statement by ...'"),
        Field("date", "date", True, "the date of the statement, as an ISO date: 2018-01-03"),
        Field("language", "language", True, "the language the source is written in, such as 'en'"),
        Field("issuer", "text", True, "who issues it, printed at the foot of each page"),
        Field("body", "text list", True, "the paragraphs, one list item each"),
        Field("signatories", "text list", True, "the signatory organisations, one list item each"),
    )
}

# Characters that have no business in a statement or a translation: C0/C1 controls (other than
# white space), bidirectional embeddings, overrides and isolates, and invisible characters that
# can make printed text differ from what a reviewer sees (Trojan Source). The zero-width
# (non-)joiner stays allowed: Persian and Kurdish spelling needs it.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e"
                       "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")
BIDI_MARK = re.compile("[\u200e\u200f\u061c]")
"""Left-to-right, right-to-left and Arabic letter marks: harmless, usually unneeded."""

YAML_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = {YAML_TAG + name for name in ("str", "int", "float", "bool", "timestamp")}
"""Plain scalars YAML would read as numbers, yes/no or dates are taken as written: an
organisation called NO or 2011 is text, not false or a number."""
KNOWN_TAGS = SCALAR_TAGS | {YAML_TAG + name for name in ("null", "seq", "map")}


def normalise(text: str) -> str:
    """The identity of a piece of text: NFC, with every run of white space one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class _Reader:
    """Turns one YAML document into a Statement, collecting every problem on the way."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[PipelineError] = []

    def problem(self, message: str, node_or_line) -> None:
        line = node_or_line if isinstance(node_or_line, int) else node_or_line.start_mark.line + 1
        self.problems.append(PipelineError(message, self.file, line))

    def tag_allowed(self, name: str, node: yaml.Node) -> bool:
        if node.tag in KNOWN_TAGS:
            return True
        shown = node.tag.replace(YAML_TAG, "!!")
        self.problem(f"'{name}' carries the YAML tag {shown}: tags are not allowed in a "
                     "statement; write plain text", node)
        return False

    def text(self, name: str, node: yaml.Node) -> Text | None:
        if not self.tag_allowed(name, node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(f"'{name}' must be text, not {_describe(node)}", node)
            return None
        value = normalise(node.value) if node.tag in SCALAR_TAGS else ""
        if not value:
            self.problem(f"'{name}' is empty: write the text, or remove the field if it is "
                         "optional", node)
            return None
        if match := FORBIDDEN.search(node.value):
            self.problem(f"'{name}' contains the invisible or control character "
                         f"U+{ord(match.group()):04X} ({unicodedata.name(match.group(), 'control')}):"
                         " delete it", node)
            return None
        return Text(value, node.start_mark.line + 1)

    def texts(self, name: str, node: yaml.Node) -> tuple[Text, ...]:
        if not self.tag_allowed(name, node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(f"'{name}' must be a list, one item per line starting with '- '", node)
            return ()
        items = [self.text(f"{name} item {i}", item) for i, item in enumerate(node.value, 1)]
        if not node.value:
            self.problem(f"'{name}' is an empty list: give at least one item", node)
        return tuple(item for item in items if item is not None)

    def date(self, node: yaml.Node) -> datetime.date | None:
        if not self.tag_allowed("date", node):
            return None
        value = node.value if isinstance(node, yaml.ScalarNode) else None
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(f"'date' must be an ISO date such as 2018-01-03, not {_describe(node)}",
                         node)
            return None

    def checked(self, check, name: str, node: yaml.Node) -> str | None:
        text = self.text(name, node)
        if text is None:
            return None
        try:
            return check(text.value, self.file, text.line)
        except PipelineError as error:
            self.problems.append(error)
            return None

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
            kind = FIELDS[key].kind
            if kind == "text":
                values[key] = self.text(key, value_node)
            elif kind == "text list":
                values[key] = self.texts(key, value_node)
            elif kind == "date":
                values[key] = self.date(value_node)
            elif kind == "language":
                values[key] = self.checked(check_language_code, key, value_node)
            elif kind == "identifier":
                values[key] = self.checked(check_statement_id, key, value_node)
                if values[key] and values[key] != expected_id:
                    self.problem(f"'id' is {values[key]!r} but the file is named "
                                 f"{expected_id}.yaml: make them the same", value_node)
        for name, spec in FIELDS.items():
            if spec.required and name not in seen:
                self.problem(f"the field '{name}' is missing: add {spec.help}", 1)
        if self.problems:
            return None
        return Statement(
            id=values["id"], file=self.file, title=values["title"],
            subtitle=values.get("subtitle"), date=values["date"], language=values["language"],
            issuer=values["issuer"], body=values["body"], signatories=values["signatories"])


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
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError("the file is not UTF-8 text: save it with the UTF-8 encoding",
                            file, line) from None
    text = text.removeprefix("\ufeff")
    try:
        statement = _parse_text(text, expected_id)
    except PipelineError as error:
        problems = [PipelineError(p.message, file, p.line) for p in error.problems]
        raise (problems[0] if len(problems) == 1 else PipelineErrors(problems)) from None
    return dataclasses.replace(statement, file=file)


@functools.lru_cache(maxsize=64)
def _parse_text(text: str, expected_id: str) -> Statement:
    """Parsed once per process although loading, extraction and the index all read the file
    (the file name is filled in by the caller)."""
    file = ""
    documents = None
    if _FAST_LOADER is not None:
        try:
            documents = list(yaml.compose_all(text, Loader=_FAST_LOADER))
        except (yaml.YAMLError, RecursionError):
            documents = None  # the pure-Python parser below explains the problem better
    if documents is None:
        documents = _compose_explained(text, file)
    documents = [d for d in documents if d is not None]
    if not documents:
        raise PipelineError("the file is empty: a statement needs the fields "
                            f"{', '.join(name for name, f in FIELDS.items() if f.required)}", file, 1)
    if len(documents) > 1:
        raise PipelineError("the file holds more than one YAML document ('---'): keep one "
                            "statement per file", file, documents[1].start_mark.line + 1)
    reader = _Reader(file)
    statement = reader.statement(documents[0], expected_id)
    raise_if_any(reader.problems)
    assert statement is not None
    return statement


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # libyaml: 25 times faster, same marks


def _compose_explained(text: str, file: str) -> list:
    try:
        return list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, text, file) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not accept at all
        line = text[: error.position].count("\n") + 1
        char = chr(error.character) if isinstance(error.character, int) else str(error.character)
        raise PipelineError(f"the control character U+{ord(char):04X} "
                            f"({unicodedata.name(char, 'control')}) is not allowed: delete it",
                            file, line) from None
    except RecursionError:
        raise PipelineError("lists or mappings are nested too deeply: a statement needs a "
                            "mapping of fields and lists of texts", file, 1) from None


def _syntax_error(error: yaml.MarkedYAMLError, text: str, file: str) -> PipelineError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    source_line = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or (
            "'\\t'" in str(error.problem)):
        return PipelineError("a tab is used for indentation: YAML needs spaces, so replace the "
                             "tabs with spaces", file, line)
    problem = error.problem or "invalid YAML"
    if error.context:
        problem = f"{error.context}, {problem}"
    return PipelineError(f"YAML syntax error: {problem}; check the indentation and quoting "
                         "on this line and the one before", file, line)


def load_statement(project: Project, path: Path) -> Statement:
    file = project.relative(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PipelineError(f"cannot read the file: {error.strerror}", file) from None
    statement = parse_statement(data, file, path.stem)
    return dataclasses.replace(statement, digest=hashlib.sha256(data).hexdigest())


def load_statements(project: Project, ids: list[str] | None = None) -> list[Statement]:
    """The named statements (every one in ``sources/`` if none is named), all checked at once."""
    problems: list[PipelineError] = []
    paths: list[Path] = []
    if ids:
        for statement_id in ids:
            try:
                paths.append(project.source_path(statement_id))
            except PipelineError as error:
                problems.append(error)
    else:
        paths = project.source_paths()
        if not paths:
            problems.append(PipelineError(
                "there is no statement to build: add one as sources/<identifier>.yaml",
                project.relative(project.sources_dir)))
    statements = []
    for path in paths:
        try:
            check_statement_id(path.stem, project.relative(path))
            statements.append(load_statement(project, path))
        except PipelineError as error:
            problems.append(error)
    raise_if_any(problems)
    return statements

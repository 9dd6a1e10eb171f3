"""Strict reading and msgmerge-style writing of gettext PO catalogs.

``read_po(data, file)`` refuses everything ``msgfmt --check`` refuses (and a few things more, each
named below), reporting every error at once as ``file:line: what is wrong and what to do``; what
msgfmt only warns about comes back in ``catalog.warnings``. ``serialise(catalog)`` writes the text
GNU msgmerge/msgcat would write for the same catalog (page width 79, the same line breaking), but
loses nothing they would drop (flags such as ``ignore-same``, untranslated obsolete entries).

Decisions, with GNU gettext 0.21 as the reference:

* Bytes must be UTF-8 without a byte-order mark; UTF-16/32, a BOM and undecodable bytes are errors
  (msgfmt refuses them too, except undecodable bytes in comments, which it skips).
* CRLF line ends are read as line ends (as msgfmt does); ``serialise`` writes LF, as msgcat does.
  A CR that is not followed by LF is an error: GNU gettext does not see it as a line end, so a
  CR-only file is one long line to it and everything after its first comment is silently lost.
* Stricter than msgfmt: a second header (an entry with an empty msgid and a msgctxt), a charset
  other than UTF-8, a missing Content-Type, a ``Language:`` other than the one expected, a NUL
  or invalid UTF-8 produced by an escape.
* Fuzzy, obsolete and untranslated entries are not checked against nplurals or for format
  strings, exactly as msgfmt (they are not compiled); their syntax is checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import PipelineError, Problem

__all__ = [
    "PoEntry", "PoCatalog", "read_po", "serialise", "plural_index", "parse_plural",
    "plural_problem", "find_placeholders", "wants_python_format", "PAGE_WIDTH",
]

PAGE_WIDTH = 79
"""msgmerge's and msgcat's default page width (and Poedit's and Weblate's)."""

FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript",
    "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "pascal", "smalltalk", "qt",
    "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace", "php", "gcc-internal",
    "gfc-internal", "ycp",
)
"""gettext's order of format flags on a ``#,`` line."""

REQUIRED_HEADER_FIELDS = (
    ("Project-Id-Version", "PACKAGE VERSION"), ("PO-Revision-Date", "YEAR-MO-DA"),
    ("Last-Translator", "FULL NAME"), ("Language-Team", "LANGUAGE"), ("MIME-Version", None),
    ("Content-Type", "text/plain; charset=CHARSET"), ("Content-Transfer-Encoding", "ENCODING"),
    ("Language", ""),
)
"""The header fields msgfmt warns about when missing, with their initial (template) values."""


# --- the model -----------------------------------------------------------------------------------

@dataclass(slots=True)
class PoEntry:
    """One PO entry. ``msgstr_plural`` holds msgstr[0..] when ``msgid_plural`` is set (then
    ``msgstr`` is unused and empty). Line numbers are where the entry was read (None when built in
    code) and take no part in comparisons."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    line: int | None = field(default=None, compare=False)
    """The entry's first line (its first comment, or its first keyword)."""
    msgid_line: int | None = field(default=None, compare=False)
    msgid_plural_line: int | None = field(default=None, compare=False)
    msgstr_line: int | None = field(default=None, compare=False)
    """The line of ``msgstr`` or of ``msgstr[0]``."""

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def is_plural(self) -> bool:
        return self.msgid_plural is not None

    @property
    def strings(self) -> list[str]:
        """The translations: ``[msgstr]``, or ``msgstr[0..]``."""
        return list(self.msgstr_plural) if self.is_plural else [self.msgstr]

    @property
    def translated(self) -> bool:
        """Has some translation (msgfmt's test for checking an entry), fuzzy or not."""
        return any(self.strings)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None and not self.obsolete


@dataclass
class PoCatalog:
    """A catalog: the header entry, the active entries in file order, then the obsolete ones."""

    header: PoEntry | None = None
    entries: list[PoEntry] = field(default_factory=list)
    obsolete: list[PoEntry] = field(default_factory=list)
    file: str | None = field(default=None, compare=False)
    warnings: list[Problem] = field(default_factory=list, compare=False)
    line_ending: str = field(default="\n", compare=False)
    """What the file used ("\\n" or "\\r\\n"); ``serialise`` always writes "\\n"."""

    def __iter__(self) -> Iterator[PoEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, msgid: str, msgctxt: str | None = None) -> PoEntry | None:
        for entry in self.entries:
            if entry.msgid == msgid and entry.msgctxt == msgctxt:
                return entry
        return None

    def index(self) -> dict[tuple[str | None, str], PoEntry]:
        """The active entries by (msgctxt, msgid)."""
        return {entry.key: entry for entry in self.entries}

    # header fields
    def header_fields(self) -> list[tuple[str, str]]:
        return _header_fields(self.header.msgstr if self.header else "")

    def header_field(self, name: str) -> str | None:
        for key, value in self.header_fields():
            if key.lower() == name.lower():
                return value
        return None

    def set_header_field(self, name: str, value: str) -> None:
        """Replace a header field's value (in place) or append the field."""
        if self.header is None:
            self.header = PoEntry(msgid="")
        lines = self.header.msgstr.split("\n")
        for i, line in enumerate(lines):
            if line.partition(":")[0].strip().lower() == name.lower():
                lines[i] = f"{name}: {value}"
                self.header.msgstr = "\n".join(lines)
                return
        text = self.header.msgstr
        if text and not text.endswith("\n"):
            text += "\n"
        self.header.msgstr = f"{text}{name}: {value}\n"

    @property
    def language(self) -> str | None:
        return self.header_field("Language")

    @property
    def charset(self) -> str | None:
        content_type = self.header_field("Content-Type")
        match = re.search(r"charset=([^\s;]+)", content_type or "")
        return match.group(1) if match else None

    @property
    def nplurals(self) -> int | None:
        return _plural_forms(self.header.msgstr if self.header else "")[0]

    @property
    def plural_expr(self) -> str | None:
        return _plural_forms(self.header.msgstr if self.header else "")[1]

    def plural_index(self, n: int) -> int:
        """The msgstr index for the count ``n`` (Germanic n != 1 when there is no Plural-Forms)."""
        return plural_index(self.plural_expr or "n != 1", n)


# --- plural expressions --------------------------------------------------------------------------

_PLURAL_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")
_BINARY = {  # operator: precedence (C's)
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}
_LONG = 1 << 64


class PluralError(ValueError):
    """An invalid plural expression, or one that cannot be evaluated for some n."""


def _wrap_long(value: int) -> int:
    value %= _LONG
    return value - _LONG if value >= _LONG // 2 else value


def _c_div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _c_mod(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError
    return a - b * _c_div(a, b)


_OPERATIONS: dict[str, Callable[[int, int], int]] = {
    "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b), "<": lambda a, b: int(a < b),
    ">": lambda a, b: int(a > b), "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
    "+": lambda a, b: _wrap_long(a + b), "-": lambda a, b: _wrap_long(a - b),
    "*": lambda a, b: _wrap_long(a * b), "/": _c_div, "%": _c_mod,
}

Node = Callable[[int], int]


class _PluralParser:
    """gettext's plural grammar (C syntax): ?: || && == != < > <= >= + - * / % ! ( ) n numbers.
    No unary minus, no other names: anything else is refused, so nothing is ever evaluated."""

    def __init__(self, text: str):
        self.tokens: list[str] = []
        position = 0
        stripped = text.rstrip()
        while position < len(stripped):
            match = _PLURAL_TOKEN.match(stripped, position)
            if not match:
                raise PluralError(f"unexpected {stripped[position:].strip()[:10]!r}")
            self.tokens.append(match.group(match.lastindex or 0))
            position = match.end()
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise PluralError("the expression ends too early")
        self.position += 1
        return token

    def parse(self) -> Node:
        node = self.conditional()
        if self.peek() is not None:
            raise PluralError(f"unexpected {self.peek()!r}")
        return node

    def conditional(self) -> Node:
        condition = self.binary(1)
        if self.peek() != "?":
            return condition
        self.take()
        then = self.conditional()
        if self.take() != ":":
            raise PluralError("'?' without ':'")
        otherwise = self.conditional()
        return lambda n: then(n) if condition(n) else otherwise(n)

    def binary(self, level: int) -> Node:
        left = self.unary()
        while True:
            operator = self.peek()
            precedence = _BINARY.get(operator or "")
            if precedence is None or precedence < level:
                return left
            self.take()
            right = self.binary(precedence + 1)
            left = self._combine(operator or "", left, right)

    @staticmethod
    def _combine(operator: str, left: Node, right: Node) -> Node:
        if operator == "||":
            return lambda n: int(bool(left(n)) or bool(right(n)))
        if operator == "&&":
            return lambda n: int(bool(left(n)) and bool(right(n)))
        operation = _OPERATIONS[operator]
        return lambda n: operation(left(n), right(n))

    def unary(self) -> Node:
        token = self.take()
        if token == "!":
            operand = self.unary()
            return lambda n: int(not operand(n))
        if token == "(":
            inner = self.conditional()
            if self.take() != ")":
                raise PluralError("'(' without ')'")
            return inner
        if token == "n":
            return lambda n: n
        if token.isdigit():
            value = _wrap_long(int(token))
            return lambda n: value
        raise PluralError(f"unexpected {token!r}")


@lru_cache(maxsize=64)
def parse_plural(expression: str) -> Node:
    """Compile a C plural expression (the ``plural=`` part, with or without a final ';') into a
    function of n. Raises ``PluralError`` for anything outside gettext's grammar."""
    text = expression.strip()
    if text.endswith(";"):
        text = text[:-1]
    if not text.strip():
        raise PluralError("the expression is empty")
    return _PluralParser(text).parse()


def plural_index(expression: str, n: int) -> int:
    """The plural form index the expression gives for ``n``. Raises ``PluralError`` if the
    expression is invalid or divides by zero for this n."""
    try:
        return parse_plural(expression)(n)
    except ZeroDivisionError:
        raise PluralError(f"the expression divides by zero for n = {n}") from None


@lru_cache(maxsize=64)  # every read of a catalog asks, and the answer takes 1001 evaluations
def plural_problem(expression: str, nplurals: int) -> str | None:
    """What msgfmt would refuse in a plural expression, checked for n = 0..1000: invalid syntax,
    division by zero, a negative index, an index >= nplurals. None when it is fine."""
    try:
        function = parse_plural(expression)
    except PluralError as error:
        return f"the plural expression is invalid ({error})"
    except RecursionError:
        return "the plural expression is invalid (nested too deeply)"
    for n in range(1001):
        try:
            value = function(n)
        except ZeroDivisionError:
            return f"the plural expression divides by zero (for n = {n})"
        if value < 0:
            return f"the plural expression gives a negative index (for n = {n})"
        if value >= nplurals:
            return (f"the plural expression gives index {value} for n = {n}, but nplurals = "
                    f"{nplurals} allows only 0..{nplurals - 1}")
    return None


@lru_cache(maxsize=64)
def plural_distribution(expression: str, nplurals: int) -> frozenset[int] | None:
    """The forms used for more than 5 values of n in 0..1000 (gettext's 'often'); a form used for
    few values may leave out the number's placeholder. (A set, not a list of nplurals flags: a
    header may claim 10**12 forms.)"""
    try:
        function = parse_plural(expression)
        counts = Counter(function(n) for n in range(1001))
    except (PluralError, ZeroDivisionError, RecursionError):
        return None
    return frozenset(index for index, count in counts.items() if count > 5 and 0 <= index < nplurals)


def _plural_forms(header: str) -> tuple[int | None, str | None]:
    """(nplurals, plural expression) from a header's Plural-Forms field, as msgfmt finds them."""
    value = None
    for name, field_value in _header_fields(header):
        if name.lower() == "plural-forms":
            value = field_value
            break
    if value is None:
        return None, None
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", value)
    plural = re.search(r"plural\s*=\s*([^;]*)", value)
    count = int(nplurals.group(1)) if nplurals else None
    return count, plural.group(1).strip() if plural else None


# --- placeholders and format strings --------------------------------------------------------------

_NAMED_PLACEHOLDER = re.compile(
    r"%%|%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def find_placeholders(text: str) -> list[str]:
    """The real python-format placeholders in ``text``: named ones like ``%(num)s``, in order
    (``%%`` is a literal percent sign and not returned). A ``%`` followed by anything else is text:
    "50% of voters" has none."""
    return [m.group() for m in _NAMED_PLACEHOLDER.finditer(text) if m.group("name")]


def wants_python_format(msgid: str, msgid_plural: str | None = None) -> bool:
    """Whether a message should carry the python-format flag: only when it has a real named
    placeholder. (Babel sets the flag for any text its regex takes for a directive, such as the
    '% o' in '50% of'; the pipeline must recompute the flag with this before writing.)"""
    return bool(find_placeholders(msgid) or (msgid_plural and find_placeholders(msgid_plural)))


@dataclass
class _FormatSpec:
    named: dict[str, str]
    unnamed: list[str]
    spans: list[tuple[int, int]]  # (start, end) of each directive, for line breaking
    texts: dict[str, str] = field(default_factory=dict)  # a named placeholder as written


def _parse_python_format(text: str) -> tuple[_FormatSpec | None, list[tuple[int, int]]]:
    """gettext's python-format parser: the spec, or None if the string is not a valid format
    string; and the spans of the directives read before any error."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    spans: list[tuple[int, int]] = []
    texts: dict[str, str] = {}
    i, length = 0, len(text)
    while i < length:
        if text[i] != "%":
            i += 1
            continue
        start = i
        i += 1
        name = None
        zero_precision = False
        if i < length and text[i] == "(":
            depth, j = 0, i + 1
            while j < length:
                if text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    if depth == 0:
                        break
                    depth -= 1
                j += 1
            if j >= length:
                return None, spans
            name = text[i + 1:j]
            i = j + 1
        while i < length and text[i] in "-+ #0":
            i += 1
        if i < length and text[i] == "*":
            if named:
                return None, spans
            unnamed.append("i")
            i += 1
        else:
            while i < length and text[i].isdigit() and text[i].isascii():
                i += 1
        if i < length and text[i] == ".":
            i += 1
            if i < length and text[i] == "*":
                if named:
                    return None, spans
                unnamed.append("i")
                i += 1
            elif i < length and text[i].isascii() and text[i].isdigit():
                zero_precision = True
                while i < length and text[i].isascii() and text[i].isdigit():
                    if text[i] != "0":
                        zero_precision = False
                    i += 1
        if i < length and text[i] in "hlL":
            i += 1
        if i >= length:
            return None, spans
        conversion = text[i]
        if conversion == "%":
            kind = "none"
        elif conversion == "c":
            kind = "c"
        elif conversion in "sr":
            kind = "any" if zero_precision else "s"
        elif conversion in "iduoxX":
            kind = "i"
        elif conversion in "eEfgG":
            kind = "f"
        else:
            return None, spans
        if name is not None:
            if unnamed:
                return None, spans
            if name in named and named[name] != kind and "any" not in (named[name], kind):
                return None, spans
            named[name] = kind if named.get(name, "any") == "any" else named[name]
        elif conversion != "%":
            if named:
                return None, spans
            unnamed.append(kind)
        spans.append((start, i + 1))
        if name is not None:
            texts.setdefault(name, text[start:i + 1])
        i += 1
    return _FormatSpec(named, unnamed, spans, texts), spans


_C_DIRECTIVE = re.compile(
    r"%(?:(?P<pos>[1-9]\d*)\$)?(?P<flags>[-+ #0'I]*)(?P<width>\*(?:[1-9]\d*\$)?|\d+)?"
    r"(?:\.(?P<prec>\*(?:[1-9]\d*\$)?|\d*))?(?P<size>hh|h|ll|l|L|q|j|z|Z|t)?"
    r"(?P<conv>[diouxXeEfFgGaAcspn%])")


def _parse_c_format(text: str) -> tuple[_FormatSpec | None, list[tuple[int, int]]]:
    """A C format string's arguments by position (simplified from gettext's format-c.c)."""
    args: dict[int, str] = {}
    spans: list[tuple[int, int]] = []
    next_arg = 1
    i = 0
    while True:
        i = text.find("%", i)
        if i < 0:
            break
        match = _C_DIRECTIVE.match(text, i)
        if not match:
            return None, spans
        spans.append((i, match.end()))
        i = match.end()
        if match.group("conv") == "%":
            continue
        for star in (match.group("width"), match.group("prec")):
            if star and star.startswith("*"):
                args[next_arg] = "int"
                next_arg += 1
        conversion, size = match.group("conv"), match.group("size") or ""
        kind = {"c": "char", "s": "string", "p": "pointer", "n": "count"}.get(
            conversion, "float" if conversion in "eEfFgGaA" else "int")
        kind = f"{size}{kind}" if kind in ("int", "float", "char", "string") else kind
        position = int(match.group("pos")) if match.group("pos") else next_arg
        if position in args and args[position] != kind:
            return None, spans
        args[position] = kind
        next_arg = position + 1
    if args and sorted(args) != list(range(1, max(args) + 1)):
        return None, spans
    return _FormatSpec({}, [args[k] for k in sorted(args)], spans), spans


_FORMAT_PARSERS: dict[str, Callable[[str], tuple[_FormatSpec | None, list[tuple[int, int]]]]] = {
    "python": _parse_python_format,
    "c": _parse_c_format,
}


def _format_languages(flags: set[str]) -> list[str]:
    return [lang for lang in _FORMAT_PARSERS if f"{lang}-format" in flags
            or f"possible-{lang}-format" in flags]


def _format_mismatch(source: _FormatSpec, translation: _FormatSpec, strict: bool) -> str | None:
    """gettext's format_check: what differs between msgid's and msgstr's directives."""
    if source.named and translation.unnamed:
        return "the source text uses %(name)s placeholders, the translation unnamed ones (%s)"
    if source.unnamed and translation.named:
        return "the source text uses unnamed placeholders (%s), the translation %(name)s ones"
    for name in sorted(translation.named):
        if name not in source.named:
            return (f"the translation has the placeholder {translation.texts.get(name, name)}, "
                    "which the source text has not")
    if strict:
        for name in sorted(source.named):
            if name not in translation.named:
                return (f"the translation lacks the placeholder {source.texts.get(name, name)} "
                        "of the source text")
    for name in sorted(translation.named):
        a, b = source.named[name], translation.named[name]
        if a != b and (strict or "any" not in (a, b)):
            return (f"the translation writes the placeholder {source.texts.get(name, name)} as "
                    f"{translation.texts.get(name, name)}")
    if source.unnamed or translation.unnamed:
        if len(source.unnamed) != len(translation.unnamed):
            return (f"the source text has {len(source.unnamed)} unnamed placeholder(s), the "
                    f"translation {len(translation.unnamed)}")
        for number, (a, b) in enumerate(zip(source.unnamed, translation.unnamed, strict=True), 1):
            if a != b and (strict or "any" not in (a, b)):
                return f"placeholder {number} has another conversion than in the source text"
    return None


# --- reading -----------------------------------------------------------------------------------

_KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr", "domain")
_SIMPLE_STRING = re.compile(r'"([^"\\]*)"[ \t]*')
_SIMPLE_LINE = re.compile(
    r'(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)[ \t]*"([^"\\]*)"[ \t]*')
_TOKEN = re.compile(r'[ \t\f\v]*(?:(")|([A-Za-z_][A-Za-z0-9_]*(?:\[[ \t]*\d+[ \t]*\])?)|(\S))')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "\\": "\\", '"': '"'}
_PREVIOUS_HINT = "previous (#|) lines"


@dataclass
class _Token:
    kind: str  # "keyword", "string", "comment"
    value: str
    line: int
    index: int | None = None  # msgstr[n]
    obsolete: bool = False
    previous: bool = False
    comment_kind: str = ""  # "#", "#.", "#:", "#,"


class _Reader:
    def __init__(self, file: str, lines: list[str]):
        self.file = file
        self.lines = lines
        self.errors: list[Problem] = []

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(Problem(message, self.file, line))

    # strings
    def unescape(self, raw: str, line: int) -> str:
        if "\\" not in raw:
            return raw
        out: list[str] = []
        pending: bytearray = bytearray()
        i, length = 0, len(raw)

        def flush() -> None:
            if pending:
                try:
                    out.append(pending.decode("utf-8"))
                except UnicodeDecodeError:
                    self.error(line, "an octal or hex escape here makes bytes that are not UTF-8: "
                               "write the character itself instead of its escape")
                pending.clear()

        while i < length:
            char = raw[i]
            if char != "\\":
                flush()
                out.append(char)
                i += 1
                continue
            following = raw[i + 1] if i + 1 < length else ""
            if following in _ESCAPES:
                flush()
                out.append(_ESCAPES[following])
                i += 2
            elif following in "01234567" and following:
                j = i + 1
                while j < length and j < i + 4 and raw[j] in "01234567":
                    j += 1
                value = int(raw[i + 1:j], 8) & 0xFF
                if value == 0:
                    self.error(line, "the escape \\0 puts a NUL character in the text, where "
                               "gettext cuts the text off: delete it")
                else:
                    pending.append(value)
                i = j
            elif following == "x" and i + 2 < length and raw[i + 2] in "0123456789abcdefABCDEF":
                j = i + 2
                while j < length and raw[j] in "0123456789abcdefABCDEF":
                    j += 1
                value = int(raw[i + 2:j], 16) & 0xFF
                if value == 0:
                    self.error(line, "the escape \\x0 puts a NUL character in the text, where "
                               "gettext cuts the text off: delete it")
                else:
                    pending.append(value)
                i = j
            else:
                flush()
                shown = "\\" + following if following else "a lone \\ at the end"
                self.error(line, f"invalid escape {shown!r} in a string: a backslash must be "
                           'followed by n, t, r, a, b, f, v, \\, ", an octal or a \\x hex code; '
                           "write \\\\ for a backslash")
                out.append(following)
                i += 2
        flush()
        return "".join(out)

    def line_tokens_of(self, text: str, number: int) -> Iterator[_Token]:
        """The tokens of one line (a comment is one token)."""
        if text[0] == "#":
            second = text[1:2]
            if second == "~":
                rest = text[2:]
                if rest.startswith("|"):
                    yield from self.line_tokens(rest[1:], number, obsolete=True, previous=True)
                else:
                    yield from self.line_tokens(rest, number, obsolete=True)
            elif second == "|":
                yield from self.line_tokens(text[2:], number, previous=True)
            else:
                kind = "#" + second if second in (".", ":", ",") else "#"
                body = text[len(kind):]
                yield _Token("comment", body[1:] if body.startswith(" ") else body, number,
                             comment_kind=kind)
            return
        yield from self.line_tokens(text, number)

    def line_tokens(self, text: str, number: int, *, obsolete: bool = False,
                    previous: bool = False) -> Iterator[_Token]:
        position, length = 0, len(text)
        while position < length:
            match = _TOKEN.match(text, position)
            if match is None:  # only white space is left
                return
            if match.group(1):  # a string
                start = match.end()
                j = start
                while j < length and text[j] != '"':
                    j += 2 if text[j] == "\\" else 1
                if j >= length:
                    last = number == len(self.lines) or (
                        number == len(self.lines) - 1 and self.lines[-1] == "")
                    where = "end of the file" if last else "end of the line"
                    self.error(number, f"a string is not closed before the {where}: add the "
                               'closing " (a " inside a text is written \\")')
                    yield _Token("string", self.unescape(text[start:], number), number,
                                 obsolete=obsolete, previous=previous)
                    return
                yield _Token("string", self.unescape(text[start:j], number), number,
                             obsolete=obsolete, previous=previous)
                position = j + 1
            elif match.group(2):
                word = match.group(2)
                keyword = re.sub(r"\s", "", word)
                if keyword.startswith("msgstr["):
                    yield _Token("keyword", "msgstr[]", number, index=int(keyword[7:-1]),
                                 obsolete=obsolete, previous=previous)
                elif keyword in _KEYWORDS:
                    yield _Token("keyword", keyword, number, obsolete=obsolete, previous=previous)
                else:
                    yield _Token("bad", f"unknown keyword {word!r}: the keywords are msgctxt, "
                                 "msgid, msgid_plural, msgstr and msgstr[N]", number,
                                 obsolete=obsolete, previous=previous)
                    return
                position = match.end()
            else:
                rest = text[match.start(3):].strip()
                yield _Token("bad", f"unexpected {rest[:20]!r}: a line holds a keyword and a "
                             'quoted string ("...") or a quoted string continuing the one above',
                             number, obsolete=obsolete, previous=previous)
                return


class _EntryBuilder:
    """Puts tokens together into entries, with gettext's grammar and error recovery."""

    def __init__(self, reader: _Reader):
        self.reader = reader
        self.done: list[PoEntry] = []
        self.entry: PoEntry | None = None
        self.last: str | None = None  # the last keyword of the entry being read
        self.index = -1  # the last msgstr[n] index
        self.skipping = False  # after a syntax error, until the next entry starts
        self.translator: list[str] = []
        self.extracted: list[str] = []
        self.references: list[str] = []
        self.flag_lines: list[str] = []
        self.previous: dict[str, str] = {}
        self.previous_last: str | None = None
        self.previous_obsolete = False
        self.first_line: int | None = None
        self.pending: _Token | None = None  # a keyword still waiting for its string

    def error(self, line: int, message: str) -> None:
        self.reader.error(line, message)

    # entry boundaries
    def finish(self) -> None:
        entry = self.entry
        if entry is not None:
            if self.last is None:
                pass
            elif self.last in ("msgid", "msgid_plural", "msgctxt"):
                if self.last == "msgctxt":
                    self.error(entry.line or 0, "msgctxt is not followed by msgid: every entry "
                               "needs msgid and msgstr")
                else:
                    self.error(entry.msgid_line or 0, "this entry has no msgstr: add msgstr \"\" "
                               "after the msgid (msgstr[0], msgstr[1], … for plural forms)")
            else:
                self.done.append(entry)
        self.entry = None
        self.last = None
        self.index = -1

    def start(self, line: int, obsolete: bool) -> PoEntry:
        references: list[str] = []
        for raw in self.references:
            references += _split_references(raw) if "\u2068" in raw else raw.split()
        if len(references) > 1:
            references = list(dict.fromkeys(references))  # gettext drops repeated positions
        flags: set[str] = set()
        for raw in self.flag_lines:
            flags.update(f.strip() for f in raw.split(",") if f.strip())
        previous = self.previous
        entry = PoEntry("", "", None, None, [], flags, self.translator, self.extracted,
                        references, previous.get("msgctxt"), previous.get("msgid"),
                        previous.get("msgid_plural"), obsolete,
                        self.first_line if self.first_line is not None else line)
        self.translator = []
        self.extracted = []
        if self.references:
            self.references = []
        if self.flag_lines:
            self.flag_lines = []
        if previous:
            self.previous = {}
        self.previous_last = None
        self.first_line = None
        self.entry = entry
        self.skipping = False
        return entry

    def run(self) -> None:
        """Read every line: the usual lines directly, the others through the tokenizer."""
        reader = self.reader
        simple_line = _SIMPLE_LINE.fullmatch
        simple_string = _SIMPLE_STRING.fullmatch
        for number, text in enumerate(reader.lines, 1):
            if not text:
                continue
            first = text[0]
            if first == "#":
                second = text[1:2]
                if second not in ("~", "|") and self.pending is None:
                    if self.entry is not None:
                        self.finish()
                    self.skipping = False
                    if self.first_line is None:
                        self.first_line = number
                    self.add_comment(second, text)
                    continue
            elif first == '"':
                entry = self.entry
                if (self.pending is None and not self.skipping and entry is not None
                        and self.last is not None and not entry.obsolete):
                    match = simple_string(text)
                    if match:
                        self.append_value(match.group(1))
                        continue
            elif first == "m" and self.pending is None:
                match = simple_line(text)
                if match and self.simple(match.group(1), match.group(2), number,
                                         match.group(3)):
                    continue
            for token in reader.line_tokens_of(text, number):
                self.feed(token)
        self.end()

    def add_comment(self, second: str, text: str) -> None:
        if second in (".", ":", ","):
            body = text[2:]
            if body[:1] == " ":
                body = body[1:]
            if second == ".":
                self.extracted.append(body)
            elif second == ":":
                self.references.append(body)
            else:
                self.flag_lines.append(body)
        else:
            body = text[1:]
            self.translator.append(body[1:] if body[:1] == " " else body)

    def simple(self, keyword: str, index: str | None, number: int, value: str) -> bool:
        """A usual keyword line in a usual place; False to leave it to the general path."""
        if self.skipping:
            return False
        entry, last = self.entry, self.last
        if keyword in ("msgid", "msgctxt"):
            if keyword == "msgid" and last == "msgctxt" and entry is not None:
                if entry.obsolete:
                    return False
                entry.msgid = value
                entry.msgid_line = number
                self.last = "msgid"
                return True
            if entry is not None:
                if last is None or not last.startswith("msgstr"):
                    return False
                self.done.append(entry)
                self.index = -1
            if self.first_line is None:
                self.first_line = number
            entry = self.start(number, False)
            if keyword == "msgid":
                entry.msgid = value
                entry.msgid_line = number
            else:
                entry.msgctxt = value
            self.last = keyword
            return True
        if entry is None or entry.obsolete:
            return False
        if keyword == "msgstr":
            if last != "msgid":
                return False
            entry.msgstr = value
            entry.msgstr_line = number
            self.last = "msgstr"
            return True
        if keyword == "msgid_plural":
            if last != "msgid":
                return False
            entry.msgid_plural = value
            entry.msgid_plural_line = number
            self.last = keyword
            return True
        if index is None or last not in ("msgid_plural", "msgstr[]") or \
                int(index) != self.index + 1:
            return False
        if self.index == -1:
            entry.msgstr_line = number
        entry.msgstr_plural.append(value)
        self.index += 1
        self.last = "msgstr[]"
        return True

    def append_value(self, value: str) -> None:
        entry = self.entry
        assert entry is not None
        last = self.last
        if last == "msgstr":
            entry.msgstr += value
        elif last == "msgid":
            entry.msgid += value
        elif last == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif last == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            entry.msgstr_plural[-1] += value

    def note_start(self, line: int) -> None:
        if self.first_line is None:
            self.first_line = line

    def feed(self, token: _Token) -> None:
        pending = self.pending
        if pending is not None:
            self.pending = None
            if token.kind != "string" or token.previous != pending.previous:
                name = self.name(pending)
                self.error(pending.line, f'{name} is not followed by a quoted string: write '
                           f'{name} "…" (an empty text is "")')
                if pending.previous:
                    self.previous.pop(pending.value, None)
                    self.previous_last = None
                else:
                    self.fail()
        if token.kind == "keyword":
            self.pending = token
        if token.kind == "comment":
            if self.entry is not None:
                self.finish()
            self.skipping = False
            self.note_start(token.line)
            self.add_comment(token.comment_kind[1:], token.comment_kind + " " + token.value)
            return
        if token.previous:
            self.feed_previous(token)
            return
        if token.kind == "bad":
            self.error(token.line, token.value)
            self.fail()
            return
        if token.kind == "string":
            if self.skipping:
                return
            if self.entry is None or self.last is None:
                self.error(token.line, "a quoted string with no keyword before it: start the "
                           "entry with msgid (or msgctxt), or join it to the string above")
                self.fail()
                return
            self.append(token)
            return
        self.keyword(token)

    def fail(self) -> None:
        """After a syntax error: drop the entry being read and skip to the next one."""
        if self.entry is not None and self.last is not None and self.last.startswith("msgstr"):
            self.finish()
        self.entry = None
        self.last = None
        self.index = -1
        self.skipping = True
        self.translator, self.extracted, self.references, self.flag_lines = [], [], [], []
        self.previous = {}
        self.first_line = None

    def keyword(self, token: _Token) -> None:
        keyword = token.value
        entry = self.entry
        if keyword == "domain":
            self.error(token.line, "'domain' directives are not supported (msgfmt ignores them "
                       "and fails): delete the line")
            self.fail()
            return
        if keyword in ("msgctxt", "msgid"):
            if keyword == "msgid" and self.last == "msgctxt" and entry is not None:
                pass  # continues the entry
            else:
                if entry is not None:
                    self.finish()
                self.note_start(token.line)
                entry = self.start(token.line, token.obsolete)
            if entry.obsolete != token.obsolete:
                self.mixed(token)
                return
            if keyword == "msgctxt":
                entry.msgctxt = ""
            else:
                entry.msgid_line = token.line
            self.last = keyword
            return
        if self.skipping:
            return
        if entry is None or self.last is None:
            self.error(token.line, f"{self.name(token)} without a msgid before it: an entry is "
                       "[msgctxt] msgid [msgid_plural] msgstr…")
            self.fail()
            return
        if entry.obsolete != token.obsolete:
            self.mixed(token)
            return
        if keyword == "msgid_plural":
            if self.last != "msgid":
                self.error(token.line, f"msgid_plural cannot follow {self.last}: it comes right "
                           "after the msgid")
                self.fail()
                return
            entry.msgid_plural = ""
            entry.msgid_plural_line = token.line
            self.last = keyword
        elif keyword == "msgstr":
            if self.last != "msgid":
                if self.last == "msgid_plural":
                    message = ("an entry with msgid_plural needs msgstr[0], msgstr[1], … "
                               "instead of msgstr")
                elif self.last.startswith("msgstr"):
                    message = ("a second msgstr in one entry: keep one translation and delete "
                               "the other (or start a new entry with msgid)")
                else:
                    message = f"msgstr cannot follow {self.last}"
                self.error(token.line, message)
                self.fail()
                return
            entry.msgstr_line = token.line
            self.last = keyword
        else:  # msgstr[n]
            index = token.index if token.index is not None else -1
            if self.last == "msgid":
                self.error(entry.msgid_line or token.line, "msgstr[N] needs a msgid_plural: use "
                           "msgstr for a message without plural forms, or add msgid_plural")
                self.fail()
                return
            if self.last not in ("msgid_plural", "msgstr[]"):
                self.error(token.line, f"msgstr[{index}] cannot follow {self.last}")
                self.fail()
                return
            expected = self.index + 1
            if index != expected:
                what = ("the first plural form must be msgstr[0]" if expected == 0 else
                        f"msgstr[{index}] comes where msgstr[{expected}] should: number the plural "
                        "forms 0, 1, 2, … without gaps")
                self.error(token.line, what)
            if self.index == -1:
                entry.msgstr_line = token.line
            entry.msgstr_plural.append("")
            self.index = index if index > self.index else self.index + 1
            self.last = "msgstr[]"

    def mixed(self, token: _Token) -> None:
        self.error(token.line, "an entry mixes obsolete (#~) and active lines: make all its "
                   "lines obsolete or none")
        self.fail()

    @staticmethod
    def name(token: _Token) -> str:
        return f"msgstr[{token.index}]" if token.value == "msgstr[]" else token.value

    def append(self, token: _Token) -> None:
        entry = self.entry
        assert entry is not None
        if entry.obsolete != token.obsolete:
            self.mixed(token)
            return
        self.append_value(token.value)

    def feed_previous(self, token: _Token) -> None:
        if self.entry is not None:
            self.finish()
        self.skipping = False
        self.note_start(token.line)
        if token.kind == "bad":
            self.error(token.line, f"in the {_PREVIOUS_HINT}: {token.value}")
            return
        if token.kind == "keyword":
            if token.value not in ("msgctxt", "msgid", "msgid_plural"):
                self.error(token.line, f"{self.name(token)} cannot be in the {_PREVIOUS_HINT}, "
                           "which hold only msgctxt, msgid and msgid_plural")
                self.previous_last = None
                return
            if token.value in self.previous:
                self.error(token.line, f"a second previous {token.value} (#|) for one entry: "
                           "keep one")
            self.previous[token.value] = ""
            self.previous_last = token.value
            return
        if self.previous_last is None:
            self.error(token.line, f"a quoted string in the {_PREVIOUS_HINT} with no keyword "
                       "before it")
            return
        self.previous[self.previous_last] += token.value

    def end(self) -> None:
        if self.pending is not None:
            name = self.name(self.pending)
            self.error(self.pending.line, f'{name} is not followed by a quoted string: write '
                       f'{name} "…"')
            self.pending = None
            self.fail()
        if self.entry is not None:
            self.finish()
        if self.previous:
            line = self.first_line or len(self.reader.lines)
            self.error(line, "previous (#|) lines at the end of the file with no entry after "
                       "them: delete them")


def _split_references(text: str) -> list[str]:
    """The file positions of a ``#:`` line (names with spaces are wrapped in U+2068…U+2069)."""
    out: list[str] = []
    for match in re.finditer(r"\u2068[^\u2069]*\u2069(?::\d+)?|[^ \t]+", text):
        out.append(match.group())
    return out


def _header_fields(header: str) -> list[tuple[str, str]]:
    out = []
    for line in header.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name.strip() and " " not in name.strip():
            out.append((name.strip(), value.strip()))
    return out


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem], str]:
    """The text, or the encoding problems (each with its line)."""
    problems: list[Problem] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
            len(data) >= 2 and (data[0] == 0 or data[1] == 0)):
        problems.append(Problem("the file is UTF-16 (or UTF-32), which gettext cannot read: save "
                                "it as UTF-8 (without BOM)", file, 1))
        return None, problems, "\n"
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem("the file starts with a byte-order mark (BOM), which msgfmt "
                                "refuses: save it as UTF-8 without BOM", file, 1))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
        for number, line in enumerate(text.split("\n"), 1):
            if re.search("[\udc80-\udcff]", line):
                problems.append(Problem("bytes that are not UTF-8 on this line (the file was "
                                        "saved in another encoding, e.g. Latin-1): save the file "
                                        "as UTF-8", file, number))
        return None, problems, "\n"
    line_ending = "\n"
    if "\r" in text:
        lone = [n for n, line in enumerate(text.split("\n"), 1)
                if "\r" in (line[:-1] if line.endswith("\r") else line)]
        if lone:
            whole = "\n" not in text
            problems.append(Problem(
                "the file ends its lines with CR only (old Mac style); GNU gettext does not see "
                "those as line ends (to msgfmt the file is one line, and everything after its "
                "first comment is lost): save it with LF (Unix) line ends" if whole else
                "a CR character that does not end a line (a CRLF file must not hold a lone CR): "
                "save the file with LF (Unix) line ends", file, 1 if whole else lone[0]))
            return None, problems, "\r"
        line_ending = "\r\n"
        text = text.replace("\r\n", "\n")
    if "\0" in text:
        number = text[: text.index("\0")].count("\n") + 1
        problems.append(Problem("a NUL byte in the file: it is not a PO text file; save it as "
                                "UTF-8 text", file, number))
        return None, problems, line_ending
    return (text if not problems else None), problems, line_ending


def read_po(data: bytes, file: str, *, language: str | None = None,
            template: bool = False) -> PoCatalog:
    """Read a PO file (or, with ``template=True``, a POT template) strictly.

    Raises ``PipelineError`` with every error found; the returned catalog's ``warnings`` hold
    what msgfmt only warns about. ``language`` is the code the catalog must declare in its
    ``Language:`` header (not checked for templates)."""
    text, problems, line_ending = _decode(data, file)
    if text is None:
        raise PipelineError.of(problems)
    lines = text.split("\n")
    reader = _Reader(file, lines)
    builder = _EntryBuilder(reader)
    builder.run()
    catalog = PoCatalog(file=file, line_ending=line_ending)
    warnings: list[Problem] = []
    _assemble(catalog, builder.done, reader)
    if not reader.errors:
        _check(catalog, reader, warnings, language=language, template=template)
    if reader.errors:
        raise PipelineError.of(sorted(reader.errors, key=lambda p: p.line or 0))
    catalog.warnings = warnings
    return catalog


def _assemble(catalog: PoCatalog, entries: list[PoEntry], reader: _Reader) -> None:
    seen: dict[tuple[str | None, str], PoEntry] = {}
    for entry in entries:
        key = entry.key
        first = seen.get(key)
        if first is not None:
            if entry.msgid == "" and entry.msgctxt is None:
                reader.error(entry.msgid_line or entry.line,
                             f"a second header entry (msgid \"\"); the first is at line "
                             f"{first.msgid_line}: merge the two and delete this one")
            else:
                label = _label(entry)
                where = "an obsolete (#~) one" if first.obsolete else "an active one"
                reader.error(entry.msgid_line or entry.line,
                             f"{label} is defined twice (the first, {where}, is at line "
                             f"{first.msgid_line}); a second translation would be silently lost: "
                             "keep one entry and delete the other")
            continue
        seen[key] = entry
        if entry.obsolete:
            catalog.obsolete.append(entry)
        elif entry.is_header:
            catalog.header = entry
        else:
            if entry.msgid == "":
                reader.error(entry.msgid_line or entry.line,
                             f"an entry with an empty msgid and msgctxt {entry.msgctxt!r} is a "
                             "second header (tools read its fields, e.g. Plural-Forms, as the "
                             "catalog's): delete it; the header is the one entry with msgid \"\" "
                             "and no msgctxt")
            catalog.entries.append(entry)


def _label(entry: PoEntry) -> str:
    text = entry.msgid if len(entry.msgid) <= 50 else entry.msgid[:47] + "..."
    return f"msgctxt {entry.msgctxt!r} msgid {text!r}" if entry.msgctxt is not None \
        else f"msgid {text!r}"


def _check(catalog: PoCatalog, reader: _Reader, warnings: list[Problem], *,
           language: str | None, template: bool) -> None:
    file = reader.file
    header = catalog.header
    if header is None:
        reader.error(None, "the catalog has no header entry (msgid \"\" with msgstr "
                     "\"Content-Type: text/plain; charset=UTF-8\\n\" …): add one (`msginit` or "
                     "`python -m pipeline init` writes it)")
        return
    hline = header.msgstr_line
    fields = {name.lower(): (name, value)
              for name, value in reversed(_header_fields(header.msgstr))}

    def field_line(name: str) -> int | None:
        """The line the header field starts on in the file (a field such as Plural-Forms may
        be written over several lines, so counting the fields is not enough)."""
        if not hline:
            return hline
        for number in range(hline, len(reader.lines) + 1):
            text = reader.lines[number - 1].strip()
            if number > hline and not text.startswith('"'):
                break  # the header's strings end here
            text = text.removeprefix("msgstr").strip().removeprefix('"')
            if text.partition(":")[0].strip().lower() == name.lower():
                return number
        return hline

    # msgfmt's header warnings
    for name, initial in REQUIRED_HEADER_FIELDS:
        found = fields.get(name.lower())
        if found is None:
            if name == "Content-Type":
                continue  # an error, below
            warnings.append(Problem(f"header field '{name}' missing in header: add it (Poedit: "
                                    "Catalog > Properties)", file, hline, "warning"))
        elif initial is not None and (found[1] == "" if initial == "" else
                                      found[1].startswith(initial)):
            if name == "Content-Type" and not template:
                continue  # an error, below
            warnings.append(Problem(f"header field '{name}' still has the initial default value "
                                    f"{found[1]!r} (line {field_line(name)}): fill it in", file,
                                    hline, "warning"))
    if header.fuzzy and not template:
        warnings.append(Problem("the header is marked fuzzy, and msgfmt ignores a fuzzy header "
                                "when compiling (its Plural-Forms would not apply): remove "
                                "'#, fuzzy' above the header", file, header.line, "warning"))
    content_type = fields.get("content-type")
    if content_type is None:
        reader.error(hline, "the header has no Content-Type field: add "
                     "\"Content-Type: text/plain; charset=UTF-8\\n\"")
    else:
        charset = re.search(r"charset=([^\s;]+)", content_type[1])
        charset_name = charset.group(1) if charset else None
        if charset_name is None:
            reader.error(field_line("Content-Type"), "the Content-Type header declares no "
                         "charset: write \"Content-Type: text/plain; charset=UTF-8\\n\"")
        elif charset_name.upper() == "CHARSET" and template:
            warnings.append(Problem('charset "CHARSET" is not a portable encoding name: declare '
                                    "charset=UTF-8", file, hline, "warning"))
        elif charset_name.lower().replace("_", "-") not in ("utf-8", "utf8"):
            reader.error(field_line("Content-Type"), f"the catalog declares charset "
                         f"{charset_name}: the pipeline reads UTF-8 only; save the file as "
                         "UTF-8 and declare 'charset=UTF-8' in the Content-Type header")
    declared = fields.get("language")
    if language and not template and declared is not None and declared[1] and \
            _norm_language(declared[1]) != _norm_language(language):
        reader.error(field_line("Language"), f"the header says 'Language: {declared[1]}', but "
                     f"this is the catalog for {language!r}: set 'Language: {language}' (or put "
                     "the file in the right language's folder)")
    nplurals, expression = catalog.nplurals, catalog.plural_expr
    plural_forms = fields.get("plural-forms")
    distribution: frozenset[int] | None = None
    plural_ok = False
    if plural_forms is not None and (nplurals is not None or expression is not None):
        where = f" (Plural-Forms, line {field_line('Plural-Forms')})"
        if nplurals is None:
            reader.error(hline, f"the Plural-Forms header has no nplurals=N{where}: write "
                         "'nplurals=N; plural=EXPRESSION;'")
        elif expression is None:
            reader.error(hline, f"the Plural-Forms header has no plural=EXPRESSION{where}: "
                         "write 'nplurals=N; plural=EXPRESSION;'")
        else:
            problem = plural_problem(expression, nplurals)
            if problem is not None:
                reader.error(hline, f"{problem}{where}: use the Plural-Forms line for the "
                             "language from `python -m pipeline init` (the CLDR rule)")
            else:
                plural_ok = True
                distribution = plural_distribution(expression, nplurals)
    plural_translated = [e for e in catalog.entries if e.is_plural and e.translated
                         and not e.fuzzy]
    if plural_translated and not plural_ok and (nplurals is None or expression is None):
        first = plural_translated[0]
        reader.error(first.msgstr_line or first.msgid_line,
                     "this message has plural translations, but the header has no valid "
                     "Plural-Forms: add \"Plural-Forms: nplurals=N; plural=EXPRESSION;\\n\" for "
                     "the language")
    elif plural_forms is None and not template and any(e.is_plural for e in catalog.entries):
        warnings.append(Problem("the catalog has plural messages but no Plural-Forms header: "
                                "add one for the language", file, hline, "warning"))
    checked_nplurals = nplurals if plural_ok else None
    for entry in catalog.entries:
        if "fuzzy" in entry.flags:
            continue
        if not (entry.msgstr or (entry.msgid_plural is not None and any(entry.msgstr_plural))):
            continue
        _check_entry(entry, reader, checked_nplurals, distribution)


def _norm_language(code: str) -> str:
    return code.strip().replace("-", "_").lower()


def _has_newline(text: str, where: str) -> bool:
    return (text[:1] if where == "begin" else text[-1:]) == "\n"


def _check_entry(entry: PoEntry, reader: _Reader, nplurals: int | None,
                 distribution: frozenset[int] | None) -> None:
    line = entry.msgstr_line or entry.msgid_line
    plural = entry.msgid_plural is not None
    strings = entry.msgstr_plural if plural else [entry.msgstr]
    if plural and nplurals is not None and len(strings) != nplurals:
        reader.error(line, f"{_label(entry)} has {len(strings)} plural forms but the header says "
                     f"nplurals={nplurals}: give exactly msgstr[0]…msgstr[{nplurals - 1}]")
    # line breaks at the start and end, as msgfmt checks them
    msgid = entry.msgid
    starts, ends = msgid[:1] == "\n", msgid[-1:] == "\n"
    others = ([entry.msgid_plural or ""] if plural else []) + strings
    if any((o[:1] == "\n") != starts or (o[-1:] == "\n") != ends for o in others):
        names = (["msgid_plural"] if plural else []) + (
            [f"msgstr[{i}]" for i in range(len(strings))] if plural else ["msgstr"])
        for which in ("begin", "end"):
            for other_name, other in zip(names, others, strict=True):
                if _has_newline(other, which) != _has_newline(msgid, which):
                    reader.error(line, f"{_label(entry)}: 'msgid' and '{other_name}' do not both "
                                 f"{which} with a line break (\\n): make them match")
                    break
    if not entry.flags:
        return
    label = _label(entry)
    names = [f"msgstr[{i}]" for i in range(len(strings))] if plural else ["msgstr"]
    for lang in _format_languages(entry.flags):
        parser = _FORMAT_PARSERS[lang]
        source_text = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        source, _ = parser(source_text)
        if source is None:
            continue  # msgfmt checks nothing when the source is no valid format string
        for i, (name, string) in enumerate(zip(names, strings, strict=True)):
            strict = (not entry.is_plural or len(strings) < 2 or
                      (distribution is not None and i in distribution))
            translation, _ = parser(string)
            if translation is None:
                reader.error(line, f"{label}: '{name}' is not a valid {lang}-format string (the "
                             f"source text is): check every % in it; write %% for a percent sign")
                continue
            mismatch = _format_mismatch(source, translation, strict)
            if mismatch is None:
                continue
            if lang == "python" and not source.named and source.unnamed and \
                    not find_placeholders(source_text):
                texts = sorted({source_text[a:b] for a, b in source.spans if b - a > 1})
                reader.error(line, f"{label} is flagged python-format, so msgfmt reads "
                             f"{', '.join(repr(t) for t in texts)} in it as placeholder(s) and "
                             "refuses the translation; but it has no %(name)s placeholder: remove "
                             "the python-format flag (the pipeline sets it only for messages "
                             "with %(name)s placeholders)")
                break
            reader.error(line, f"{label}: {mismatch} ({name}, {lang}-format): make the "
                         "placeholders of the translation match the source text")


# --- writing -----------------------------------------------------------------------------------

def serialise(catalog: PoCatalog) -> bytes:
    """The catalog as PO text, as msgmerge/msgcat write it (UTF-8, LF, width 79): header, entries,
    then obsolete entries. Unlike them it keeps flags gettext does not know (``ignore-same``), the
    fuzzy flag of untranslated entries, and obsolete entries without translation."""
    blocks: list[str] = []
    if catalog.header is not None:
        blocks.append(_entry_text(catalog.header))
    blocks.extend(_entry_text(entry) for entry in catalog.entries)
    blocks.extend(_entry_text(entry) for entry in catalog.obsolete)
    return "\n".join(blocks).encode("utf-8")


def _flag_order(flags: set[str]) -> list[str]:
    ordered: list[str] = []
    if "fuzzy" in flags:
        ordered.append("fuzzy")
    for lang in FORMAT_LANGUAGES:
        for flag in (f"{lang}-format", f"possible-{lang}-format", f"no-{lang}-format"):
            if flag in flags:
                ordered.append(flag)
    ordered.extend(sorted(f for f in flags if f.startswith("range:")))
    ordered.extend(f for f in ("no-wrap", "wrap") if f in flags)
    ordered.extend(sorted(f for f in flags if f not in ordered))
    return ordered


def _entry_text(entry: PoEntry) -> str:
    out: list[str] = []
    for comment in entry.translator_comments:
        out.append(f"# {comment}" if comment else "#")
    for comment in entry.extracted_comments:
        out.append(f"#. {comment}" if comment else "#.")
    if entry.references:
        line, column = "#:", 2
        for reference in dict.fromkeys(entry.references):
            width = len(reference) + 1
            if column > 2 and column + width > PAGE_WIDTH:
                out.append(line)
                line, column = "#:", 2
            line += " " + reference
            column += width
        out.append(line)
    if entry.flags:
        out.append("#, " + ", ".join(_flag_order(entry.flags)))
    wrap = "no-wrap" not in entry.flags
    spans = _directive_spans(entry)
    prefix_previous = "#~| " if entry.obsolete else "#| "
    prefix = "#~ " if entry.obsolete else ""
    for keyword, value in (("msgctxt", entry.previous_msgctxt), ("msgid", entry.previous_msgid),
                           ("msgid_plural", entry.previous_msgid_plural)):
        if value is not None:
            out.extend(_wrap_string(prefix_previous, keyword, value, wrap, spans(value)))
    if entry.msgctxt is not None:
        out.extend(_wrap_string(prefix, "msgctxt", entry.msgctxt, wrap, spans(entry.msgctxt)))
    out.extend(_wrap_string(prefix, "msgid", entry.msgid, wrap, spans(entry.msgid)))
    if entry.msgid_plural is not None:
        out.extend(_wrap_string(prefix, "msgid_plural", entry.msgid_plural, wrap,
                                spans(entry.msgid_plural)))
        for i, string in enumerate(entry.msgstr_plural):
            out.extend(_wrap_string(prefix, f"msgstr[{i}]", string, wrap, spans(string)))
    else:
        out.extend(_wrap_string(prefix, "msgstr", entry.msgstr, wrap, spans(entry.msgstr)))
    return "\n".join(out) + "\n"


def _directive_spans(entry: PoEntry) -> Callable[[str], list[tuple[int, int]]]:
    languages = _format_languages(entry.flags)
    if not languages:
        return lambda text: []
    parser = _FORMAT_PARSERS[languages[0]]
    return lambda text: parser(text)[1] if "%" in text else []


_ESCAPE_OUT = {"\n": "n", "\t": "t", "\r": "r", "\a": "a", "\b": "b", "\f": "f", "\v": "v",
               "\\": "\\", '"': '"'}
_ESCAPE_TABLE = {ord(c): "\\" + e for c, e in _ESCAPE_OUT.items()}
_NEEDS_ESCAPE = re.compile('[\n\t\r\a\b\f\v\\\\"]')
_ASCII_PLAIN = re.compile(r"[ -~]*")

PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2


def _wrap_string(prefix: str, keyword: str, value: str, wrap: bool,
                 spans: list[tuple[int, int]]) -> list[str]:
    """GNU gettext's wrap() (write-po.c): a keyword and its string as PO lines."""
    if "\n" not in value[:-1]:  # one portion: most often it fits on the keyword's line
        escaped = value.translate(_ESCAPE_TABLE) if _NEEDS_ESCAPE.search(value) else value
        room = PAGE_WIDTH - 2 - len(prefix) - len(keyword) - 1 if wrap else 1 << 30
        if len(escaped) <= room and (escaped.isascii() or max(escaped) < "\u1100"
                                     or _text_width(escaped) <= room):
            return [f'{prefix}{keyword} "{escaped}"']
    lines: list[str] = []
    after_break = len(prefix) + 1
    width = (PAGE_WIDTH if wrap else 1 << 30) - 1 - after_break
    # the '\n'-ended portions
    portions: list[tuple[int, int]] = []
    start = 0
    while True:
        end = value.find("\n", start)
        if end < 0:
            portions.append((start, len(value)))
            break
        portions.append((start, end + 1))
        start = end + 1
        if start == len(value):
            break
    first_line = True
    inside = _inside_directive(spans)
    for number, (start, end) in enumerate(portions):
        chunk = value[start:end]
        more = number < len(portions) - 1
        if not _NEEDS_ESCAPE.search(chunk):
            escaped = chunk
        else:
            escaped = "".join("\\" + _ESCAPE_OUT[c] if c in _ESCAPE_OUT else c for c in chunk)
        startcol_first = len(prefix) + len(keyword) + 1 + 1 - after_break
        startcol_next = len(prefix) + 1 - after_break
        # fast path: no break needed
        simple = _ASCII_PLAIN.fullmatch(escaped) is not None
        total = len(escaped) if simple else _text_width(escaped)
        if first_line:
            fits = not more and startcol_first <= width and startcol_first + total <= width
            if fits:
                lines.append(f'{prefix}{keyword} "{escaped}"')
                first_line = False
                continue
            if not escaped:
                lines.append(f'{prefix}{keyword} ""')
                first_line = False
                continue
            breaks = _break_portion(chunk, start, inside, width, startcol_first)
            if more or startcol_first > width or any(breaks):
                lines.append(f'{prefix}{keyword} ""')
                first_line = False
            else:
                lines.append(f'{prefix}{keyword} "{escaped}"')
                first_line = False
                continue
        if startcol_next + total <= width:
            lines.append(f'{prefix}"{escaped}"')
            continue
        breaks = _break_portion(chunk, start, inside, width, startcol_next)
        pieces: list[str] = []
        current: list[str] = []
        for char, brk in zip(_escaped_chars(chunk), breaks, strict=True):
            if brk and current:
                pieces.append("".join(current))
                current = []
            current.append(char)
        pieces.append("".join(current))
        lines.extend(f'{prefix}"{piece}"' for piece in pieces)
    return lines


def _inside_directive(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    inner = {i for a, b in spans for i in range(a + 1, b)}
    return inner.__contains__


def _escaped_chars(chunk: str) -> list[str]:
    return ["\\" + _ESCAPE_OUT[c] if c in _ESCAPE_OUT else c for c in chunk]


def _break_portion(chunk: str, offset: int, inside: Callable[[int], bool], width: int,
                   start_column: int) -> list[bool]:
    """Where gettext breaks one portion (per escaped character: break before it)."""
    chars: list[str] = []
    overrides: list[int | None] = []
    for i, c in enumerate(chunk):
        brk = PROHIBITED if inside(offset + i) else None
        if c in _ESCAPE_OUT:
            chars.extend(("\\", _ESCAPE_OUT[c]))
            overrides.extend((brk, PROHIBITED))
        else:
            chars.append(c)
            overrides.append(brk)
    if chunk.endswith("\n"):
        overrides[-2] = PROHIBITED
    # join escape pairs back into the units the caller prints
    marks = _width_linebreaks(chars, overrides, width, start_column)
    out: list[bool] = []
    i = 0
    for c in chunk:
        out.append(marks[i])
        i += 2 if c in _ESCAPE_OUT else 1
    return out


# Unicode line breaking (UAX #14) as libunistring 1.0 does it, for gettext's wrapping.
_CLASSES = ("WJ GL B2 BA BB HY CL CP EX IN NS OP QU IS NU PO PR SY AL H2 H3 ID JL JV JT HL RI ZWJ "
            "EB EM").split()
_C = {name: i for i, name in enumerate(_CLASSES)}
BK, CR, LF, NL, SP, ZW, CM = 100, 101, 102, 103, 104, 105, 106
_PAIRS = (  # rows: the class before, columns: after; probed from libunistring 1.0
    "PIIIIIPPPIIIIPIIIPIIIIIIIIIIII", "PIIIIIPPPIIIIPIIIPIIIIIIIIIIII",
    "PIPIDIPPPIIDIPDDDPDDDDDDDDDIDD", "PDDIDIPPPIIDIPDDDPDDDDDDDDDIDD",
    "PIIIIIPPPIIIIPIIIPIIIIIIIIIIII", "PDDIDIPPPIIDIPIDDPDDDDDDDDDIDD",
    "PIDIDIPPPIPDIPDIIPDDDDDDDDDIDD", "PIDIDIPPPIIDIPIIIPIDDDDDDIDIDD",
    "PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD", "PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD",
    "PIDIDIPPPIIDIPDDDPDDDDDDDDDIDD", "PPPPPPPPPPPPPPPPPPPPPPPPPPPIPP",
    "PIIIIIPPPIIPIPIIIPIIIIIIIIIIII", "PIDIDIPPPIIDIPIDDPDDDDDDDDDIDD",
    "PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD", "PIDIDIPPPIIIIPIDDPIDDDDDDIDIDD",
    "PIDIDIPPPIIIIPIDDPIIIIIIIIDIII", "PIDIDIPPPIIDIPIDDPDDDDDDDIDIDD",
    "PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD", "PIDIDIPPPIIDIPDIDPDDDDDIIDDIDD",
    "PIDIDIPPPIIDIPDIDPDDDDDDIDDIDD", "PIDIDIPPPIIDIPDIDPDDDDDDDDDIDD",
    "PIDIDIPPPIIDIPDIDPDIIDIIDDDIDD", "PIDIDIPPPIIDIPDIDPDDDDDIIDDIDD",
    "PIDIDIPPPIIDIPDIDPDDDDDDIDDIDD", "PIDIDIPPPIIIIPIIIPIDDDDDDIDIDD",
    "PIDIDIPPPIIDIPDDDPDDDDDDDDIIDD", "PIDIDIPPPDIDIPDDDPDDDIDDIDIIII",
    "PIDIDIPPPIIDIPDIDPDDDDDDDDDIDI", "PIDIDIPPPIIDIPDIDPDDDDDDDDDIDD",
)


def _ranges(spec: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for item in spec.split():
        span, _, name = item.partition("=")
        low, _, high = span.partition("-")
        for cp in range(int(low, 16), int(high or low, 16) + 1):
            out[cp] = name
    return out


_EXPLICIT = _ranges(
    # ASCII and Latin-1
    "09=BA 0A=LF 0B-0C=BK 0D=CR 20=SP 21=EX 22=QU 23=AL 24=PR 25=PO 26=AL 27=QU 28=OP 29=CP 2A=AL "
    "2B=PR 2C=IS 2D=HY 2E=IS 2F=SY 30-39=NU 3A-3B=IS 3C-3E=AL 3F=EX 40=AL 5B=OP 5C=PR 5D=CP "
    "5E-60=AL 7B=OP 7C=BA 7D=CL 7E=AL 85=NL A0=GL A1=OP A2=PO A3-A5=PR AB=QU AD=BA B0=PO B1=PR "
    "B4=BB BB=QU BF=OP "
    "2C8=BB 2CC=BB 2DF=BB 34F=GL 35C-362=GL 37E=IS 589=IS 58A=BA "
    # Arabic
    "600-605=AL 6DD=AL 609-60B=PO 60C-60D=IS 61B=EX 61D-61F=EX 66A=PO 66B-66C=NU 6D4=EX "
    # Hebrew punctuation
    "5BE=BA 5C6=EX "
    # General Punctuation
    "2000-2006=BA 2007=GL 2008-200A=BA 200B=ZW 200C=CM 200D=ZWJ 200E-200F=CM 2010=BA 2011=GL "
    "2012-2013=BA 2014=B2 2015-2016=AL 2018-2019=QU 201A=OP 201B-201D=QU 201E=OP 201F=QU "
    "2024-2026=IN 2027=BA 2028-2029=BK 202A-202E=CM 202F=GL 2030-2037=PO 2039-203A=QU "
    "203C-203D=NS 2044=IS 2045=OP 2046=CL 2047-2049=NS 2056=BA 2058-205B=BA 205D-205F=BA "
    "2060=WJ 2061-2064=AL 2066-206F=CM 20A7=PO 20B6=PO 20BB=PO 20BE=PO 20C0=PO 2329=OP 232A=CL "
    "231A-231B=ID 23F0-23F3=ID 2600-2603=ID 2614-2615=ID 2618=ID 261A-261F=ID 2639-263B=ID "
    "2668=ID 267F=ID 26BD-26C8=ID 26CD=ID 26CF-26D1=ID 26D3-26D4=ID 26D8-26D9=ID 26DC=ID "
    "26DF-26E1=ID 26EA=ID 26F1-26F5=ID 26F7-26FA=ID 26FD-2704=ID 2708-270D=ID 275B-2760=QU "
    "2762-2763=EX 2764=ID 3035=CM 303F=ID 2103=PO 2109=PO 2116=PR 2212-2213=PR 22EF=IN "
    # CJK punctuation and forms
    "3000=BA 3001-3002=CL 3005=NS 301C=NS 303B-303C=NS 309B-309E=NS 30A0=NS 30FB=NS 30FD-30FE=NS "
    "FE10=IS FE11-FE12=CL FE13-FE14=IS FE15-FE16=EX FE19=IN FE50=CL FE52=CL FE54-FE55=NS "
    "FE56-FE57=EX FE69=PR FE6A=PO FEFF=WJ FF01=EX FF04=PR FF05=PO FF0C=CL FF0E=CL FF1A-FF1B=NS "
    "FF1F=EX FF61=CL FF64=CL FF65=NS FF9E-FF9F=NS FFE0=PO FFE1=PR FFE5-FFE6=PR "
    # emoji modifiers and regional indicators
    "1F1E6-1F1FF=RI 1F3FB-1F3FF=EM"
)
_EXPLICIT_CLASS = {cp: (_C[name] if name in _C else
                        {"BK": BK, "CR": CR, "LF": LF, "NL": NL, "SP": SP, "ZW": ZW,
                         "CM": CM}[name]) for cp, name in _EXPLICIT.items()}


_OP = _C["OP"]
_AL_HL_NU = (_C["AL"], _C["HL"], _C["NU"])
_HY_BA = (_C["HY"], _C["BA"])


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F", "H")


@lru_cache(maxsize=4096)
def _line_class(char: str) -> int:
    cp = ord(char)
    explicit = _EXPLICIT_CLASS.get(cp)
    if explicit is not None:
        return explicit
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me", "Cc", "Cf"):
        return CM
    if 0x05D0 <= cp <= 0x05F2 or 0xFB1D <= cp <= 0xFB4F:
        return _C["HL"]
    if 0xAC00 <= cp <= 0xD7A3:
        return _C["H2"] if (cp - 0xAC00) % 28 == 0 else _C["H3"]
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return _C["JL"]
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return _C["JV"]
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return _C["JT"]
    wide = unicodedata.east_asian_width(char) in ("W", "F")
    if category == "Ps":
        return _C["OP"]
    if category == "Pe":
        return _C["CL"]
    if category in ("Pi", "Pf"):
        return _C["QU"]
    if category == "Zs":
        return _C["BA"]
    if category == "Nd" and not wide:
        return _C["NU"]
    if category == "Sc":
        return _C["PR"]
    if (wide and cp >= 0x2E80) or 0x1F000 <= cp <= 0x1FAFF:
        return _C["ID"]
    return _C["AL"]


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    """libunistring's uc_width for UTF-8: 0 for non-spacing marks and format characters, 2 for
    East Asian wide, -1 (not counted) for control characters, else 1."""
    cp = ord(char)
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return -1
    category = unicodedata.category(char)
    if (category in ("Mn", "Me") or (category == "Cf" and cp != 0x00AD)
            or 0x1160 <= cp <= 0x11FF or cp == 0x200B):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def _text_width(text: str) -> int:
    return sum(max(_char_width(c), 0) for c in text)


def _possible_linebreaks(chars: list[str]) -> list[int]:
    """libunistring's u8_possible_linebreaks (UAX #14): POSSIBLE/MANDATORY before a char."""
    count = len(chars)
    marks = [PROHIBITED] * count
    prev_class, last_class, seen_space = BK, BK, False
    hebrew_hyphen = False  # LB21a: the two characters before are a Hebrew letter and HY or BA
    for i, char in enumerate(chars):
        cls = _line_class(char)
        if cls in (BK, CR, LF, NL):
            marks[i] = MANDATORY
            prev_class, last_class, seen_space = cls, BK, False
            continue
        if cls == SP:
            seen_space = True
        elif cls == ZW:
            last_class, seen_space = ZW, False
        elif cls in (CM, _C["ZWJ"]):
            if last_class == BK:
                last_class, seen_space = _C["AL"], False
            elif last_class == ZW or seen_space:
                marks[i] = POSSIBLE
                last_class, seen_space = _C["AL"], False
        else:
            if last_class == BK:
                pass
            elif last_class == ZW:
                marks[i] = POSSIBLE
            elif prev_class == _C["ZWJ"]:
                pass
            else:
                rule = _PAIRS[last_class][cls]
                if cls == _OP and last_class in _AL_HL_NU and _is_wide(char):
                    rule = "D"  # LB30: East Asian wide opening brackets break after letters
                if hebrew_hyphen:
                    rule = "P"  # LB21a: no break after a Hebrew letter and a hyphen
                if rule == "D" or (rule == "I" and seen_space):
                    marks[i] = POSSIBLE
            last_class, seen_space = cls, False
        hebrew_hyphen = cls in _HY_BA and prev_class == _C["HL"]
        prev_class = cls
    return marks


def _width_linebreaks(chars: list[str], overrides: list[int | None], width: int,
                      start_column: int) -> list[bool]:
    """libunistring's u8_width_linebreaks: True where a line break goes (before that char)."""
    count = len(chars)
    marks = _possible_linebreaks(chars)
    result = [False] * count
    last_p: int | None = None
    last_column = start_column
    piece_width = 0
    for i, char in enumerate(chars):
        mark = marks[i]
        override = overrides[i]
        if override is not None:
            mark = override
        if mark in (POSSIBLE, MANDATORY):
            if last_p is not None and last_column + piece_width > width:
                result[last_p] = True
                last_column = 0
        if mark == MANDATORY:
            last_p, last_column, piece_width = None, 0, 0
            continue
        if mark == POSSIBLE:
            last_p = i
            last_column += piece_width
            piece_width = 0
        w = _char_width(char)
        if w >= 0:
            piece_width += w
    if last_p is not None and last_column + piece_width > width:
        result[last_p] = True
    return result

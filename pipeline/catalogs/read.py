"""Reading a PO file as strictly as ``msgfmt --check`` (GNU gettext 0.21): ``read_po`` refuses all msgfmt
refuses (and more: see ``validate``), every error at once as ``file:line: what is wrong and what to do``;
what msgfmt only warns about comes back in ``catalog.warnings``. Bytes are UTF-8 without a byte-order mark.
CRLF ends lines, as for msgfmt; a lone CR is an error (to GNU gettext a CR-only file is one line, lost after
its first comment), and so is an escape that makes a NUL or bytes that are not UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import PipelineError, Problem
from .model import PoCatalog, PoEntry
from .validate import check_catalog, label

_KEYWORDS = ("msgctxt", "msgid", "msgid_plural", "msgstr", "domain")
_TOKEN = re.compile(  # a string, and whether it is closed; a keyword; or anything else
    r'[ \t\f\v]*(?:"([^"\\]*(?:\\.?[^"\\]*)*)("?)|([A-Za-z_][A-Za-z0-9_]*(?:\[[ \t]*\d+[ \t]*\])?)|(\S))')
_ESCAPE = re.compile(r'\\(?:([ntrabfv\\"])|([0-7]{1,3})|x([0-9a-fA-F]+)|(.?))', re.DOTALL)
_ESCAPES = dict(zip('ntrabfv\\"', '\n\t\r\a\b\f\v\\"', strict=True))
_PREVIOUS = "previous (#|) lines"
_MIXED = "an entry mixes obsolete (#~) and active lines: make all its lines obsolete or none"


@dataclass
class _Token:
    kind: str  # "keyword", "string", "comment" (the whole line), "bad" (the error)
    value: str  # a keyword as written: msgid, msgstr[2]
    line: int
    obsolete: bool = False
    previous: bool = False


class _Parser:
    """Lines in, entries out, with gettext's grammar and its recovery after an error."""

    def __init__(self, file: str, lines: list[str]):
        self.file, self.lines = file, lines
        self.errors: list[Problem] = []
        self.done: list[PoEntry] = []
        self.entry: PoEntry | None = None
        self.last: str | None = None  # the entry's last keyword (msgstr[] for any msgstr[n])
        self.index = -1  # its last msgstr[n]
        self.skipping = False  # after a syntax error, until the next entry starts
        self.comments: dict[str, list[str]] = {"#": [], "#.": [], "#:": [], "#,": []}
        self.previous: dict[str, str] = {}
        self.previous_last: str | None = None
        self.first_line: int | None = None
        self.pending: _Token | None = None  # a keyword still waiting for its string

    def error(self, line: int | None, message: str) -> None:
        self.errors.append(Problem(message, self.file, line))

    def fail(self, line: int | None, message: str) -> None:
        """A syntax error: report it, drop the entry being read and skip to the next one."""
        self.error(line, message)
        if self.entry is not None and self.last is not None and self.last.startswith("msgstr"):
            self.finish()
        self.entry, self.last, self.index, self.skipping = None, None, -1, True
        self.comments = {kind: [] for kind in self.comments}
        self.previous, self.previous_last, self.first_line = {}, None, None

    def unescape(self, raw: str, line: int) -> str:
        if "\\" not in raw:
            return raw
        out, position = bytearray(), 0
        for match in _ESCAPE.finditer(raw):
            out += raw[position:match.start()].encode()
            simple, octal, hexadecimal, other = match.groups()
            value = int(octal or hexadecimal, 8 if octal else 16) & 0xFF if octal or hexadecimal else None
            if simple is not None:
                out += _ESCAPES[simple].encode()
            elif value == 0:
                self.error(line, f"the escape \\{'0' if octal else 'x0'} puts a NUL character in the text, "
                           "where gettext cuts the text off: delete it")
            elif value is not None:
                out.append(value)
            else:
                shown = "\\" + other if other else "a lone \\ at the end"
                self.error(line, f"invalid escape {shown!r} in a string: a backslash must be followed by n, "
                           't, r, a, b, f, v, \\, ", an octal or a \\x hex code; write \\\\ for a backslash')
                out += other.encode()
            position = match.end()
        out += raw[position:].encode()
        try:
            return out.decode("utf-8")
        except UnicodeDecodeError:
            self.error(line, "an octal or hex escape here makes bytes that are not UTF-8: write the "
                       "character itself instead of its escape")
            return ""

    def tokens(self, text: str, number: int) -> Iterator[_Token]:
        """The tokens of one line (a comment is one token)."""
        obsolete = text[:2] == "#~"
        text = text[2:] if obsolete else text
        previous = text[:1] == "|" if obsolete else text[:2] == "#|"
        if previous or obsolete:
            text = text[1 if obsolete and previous else 2 if previous else 0:]
        elif text[:1] == "#":
            yield _Token("comment", text, number)
            return
        position, length = 0, len(text)
        while position < length and (match := _TOKEN.match(text, position)):
            if match.group(1) is not None:  # a string
                if not match.group(2):
                    last = number == len(self.lines) or (number == len(self.lines) - 1
                                                         and self.lines[-1] == "")
                    self.error(number, f"a string is not closed before the end of the "
                               f"{'file' if last else 'line'}: add the closing \" (a \" inside a text "
                               'is written \\")')
                yield _Token("string", self.unescape(match.group(1), number), number, obsolete, previous)
            elif (keyword := word if (word := match.group(3) or "") in _KEYWORDS  # the usual
                  else re.sub(r"\s", "", word)) in _KEYWORDS or \
                    keyword.startswith("msgstr["):
                yield _Token("keyword", keyword, number, obsolete, previous)
            else:
                yield _Token("bad", f"unknown keyword {word!r}: the keywords are msgctxt, msgid, "
                             "msgid_plural, msgstr and msgstr[N]" if word else
                             f"unexpected {text[match.start(4):].strip()[:20]!r}: a line holds a keyword and "
                             'a quoted string ("...") or a quoted string continuing the one above',
                             number, obsolete, previous)
                return
            position = match.end()

    def run(self) -> list[PoEntry]:
        for number, text in enumerate(self.lines, 1):
            for token in self.tokens(text, number) if text else ():
                self.feed(token)
        self.feed(_Token("end", "", len(self.lines)))
        self.finish()
        if self.previous:
            self.error(self.first_line or len(self.lines), "previous (#|) lines at the end of the file "
                       "with no entry after them: delete them")
        return self.done

    def finish(self) -> None:
        entry, last = self.entry, self.last
        if entry is not None and last in ("msgid", "msgid_plural"):
            self.error(entry.msgid_line or 0, "this entry has no msgstr: add msgstr \"\" after the msgid "
                       "(msgstr[0], msgstr[1], … for plural forms)")
        elif entry is not None and last == "msgctxt":
            self.error(entry.line or 0, "msgctxt is not followed by msgid: every entry needs msgid and "
                       "msgstr")
        elif entry is not None and last is not None:
            self.done.append(entry)
        self.entry, self.last, self.index = None, None, -1

    def start(self, line: int, obsolete: bool) -> PoEntry:
        references: list[str] = []
        for raw in self.comments["#:"]:  # names with spaces are wrapped in U+2068…U+2069
            references += re.findall(r"\u2068[^\u2069]*\u2069(?::\d+)?|[^ \t]+", raw) \
                if "\u2068" in raw else raw.split()
        flags = {f.strip() for raw in self.comments["#,"] for f in raw.split(",") if f.strip()}
        previous = self.previous
        self.entry = PoEntry(
            "", "", None, None, [], flags, self.comments["#"], self.comments["#."],
            list(dict.fromkeys(references)),  # gettext drops repeated positions
            previous.get("msgctxt"), previous.get("msgid"), previous.get("msgid_plural"), obsolete,
            self.first_line if self.first_line is not None else line)
        self.comments = {kind: [] for kind in self.comments}
        self.previous, self.previous_last, self.first_line, self.skipping = {}, None, None, False
        return self.entry

    def feed(self, token: _Token) -> None:
        pending, self.pending = self.pending, token if token.kind == "keyword" else None
        if pending is not None and (token.kind != "string" or token.previous != pending.previous):
            end = "" if token.kind == "end" else ' (an empty text is "")'  # the end of the file
            message = f'{pending.value} is not followed by a quoted string: write {pending.value} "…"{end}'
            if pending.previous and end:
                self.error(pending.line, message)
                self.previous.pop(pending.value, None)
                self.previous_last = None
            else:
                self.fail(pending.line, message)
        entry = self.entry
        if token.kind == "comment" or token.previous:  # the entry being read is over
            self.finish()
            self.skipping = False
            self.first_line = token.line if self.first_line is None else self.first_line
        if token.kind == "comment":
            kind = token.value[:2] if token.value[1:2] in (".", ":", ",") else "#"
            body = token.value[len(kind):]
            self.comments[kind].append(body[1:] if body[:1] == " " else body)
        elif token.previous and token.kind == "bad":
            self.error(token.line, f"in the {_PREVIOUS}: {token.value}")
        elif token.previous and token.kind == "keyword" and token.value not in _KEYWORDS[:3]:
            self.error(token.line, f"{token.value} cannot be in the {_PREVIOUS}, which hold only msgctxt, "
                       "msgid and msgid_plural")
            self.previous_last = None
        elif token.previous and token.kind == "keyword":
            if token.value in self.previous:
                self.error(token.line, f"a second previous {token.value} (#|) for one entry: keep one")
            self.previous[token.value] = ""
            self.previous_last = token.value
        elif token.previous and self.previous_last is not None:
            self.previous[self.previous_last] += token.value
        elif token.previous:
            self.error(token.line, f"a quoted string in the {_PREVIOUS} with no keyword before it")
        elif token.kind == "bad":
            self.fail(token.line, token.value)
        elif token.kind == "string" and not self.skipping:
            if entry is None or self.last is None:
                self.fail(token.line, "a quoted string with no keyword before it: start the entry with "
                          "msgid (or msgctxt), or join it to the string above")
            elif entry.obsolete != token.obsolete:
                self.fail(token.line, _MIXED)
            elif self.last == "msgstr[]":
                entry.msgstr_plural[-1] += token.value
            else:
                setattr(entry, self.last, (getattr(entry, self.last) or "") + token.value)
        elif token.kind == "keyword":
            self.keyword(token)

    def keyword(self, token: _Token) -> None:
        keyword, entry, last, line = token.value, self.entry, self.last, token.line
        if keyword == "domain":
            return self.fail(line, "'domain' directives are not supported (msgfmt ignores them and "
                             "fails): delete the line")
        if keyword in ("msgctxt", "msgid"):
            if not (keyword == "msgid" and last == "msgctxt" and entry is not None):
                self.finish()
                entry = self.start(line, token.obsolete)
            if entry.obsolete != token.obsolete:
                return self.fail(token.line, _MIXED)
            if keyword == "msgctxt":
                entry.msgctxt = ""
            else:
                entry.msgid_line = line
            self.last = keyword
            return None
        if self.skipping:
            return None
        if entry is None or last is None:
            return self.fail(line, f"{keyword} without a msgid before it: an entry is [msgctxt] msgid "
                             "[msgid_plural] msgstr…")
        if entry.obsolete != token.obsolete:
            return self.fail(token.line, _MIXED)
        if keyword == "msgid_plural" and last != "msgid":
            return self.fail(line, f"msgid_plural cannot follow {last}: it comes right after the msgid")
        if keyword == "msgid_plural":
            entry.msgid_plural, entry.msgid_plural_line = "", line
        elif keyword == "msgstr" and last != "msgid":
            return self.fail(line, "an entry with msgid_plural needs msgstr[0], msgstr[1], … instead of "
                             "msgstr" if last == "msgid_plural" else "a second msgstr in one entry: keep "
                             "one translation and delete the other (or start a new entry with msgid)"
                             if last.startswith("msgstr") else f"msgstr cannot follow {last}")
        elif keyword == "msgstr":
            entry.msgstr_line = line
        else:  # msgstr[n]
            index = int(keyword[7:-1])
            if last == "msgid":
                return self.fail(entry.msgid_line or line, "msgstr[N] needs a msgid_plural: use msgstr "
                                 "for a message without plural forms, or add msgid_plural")
            if last not in ("msgid_plural", "msgstr[]"):
                return self.fail(line, f"msgstr[{index}] cannot follow {last}")
            expected = self.index + 1
            if index != expected:
                self.error(line, "the first plural form must be msgstr[0]" if expected == 0 else
                           f"msgstr[{index}] comes where msgstr[{expected}] should: number the plural "
                           "forms 0, 1, 2, … without gaps")
            if self.index == -1:
                entry.msgstr_line = line
            entry.msgstr_plural.append("")
            self.index = max(index, self.index + 1)
            keyword = "msgstr[]"
        self.last = keyword
        return None



def _decode(data: bytes, file: str) -> tuple[str, str]:
    """The text and its line ending; the encoding problems (each with its line) raised."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) >= 2 and 0 in (data[0], data[1])):
        raise PipelineError("the file is UTF-16 (or UTF-32), which gettext cannot read: save it as UTF-8 "
                            "(without BOM)", file, 1)
    bom = data.startswith(b"\xef\xbb\xbf")
    problems = [Problem("the file starts with a byte-order mark (BOM), which msgfmt refuses: save it as "
                        "UTF-8 without BOM", file, 1)] if bom else []
    text = data[3 if bom else 0:].decode("utf-8", errors="surrogateescape")
    lines = text.split("\n")
    problems += [Problem("bytes that are not UTF-8 on this line (the file was saved in another encoding, "
                         "e.g. Latin-1): save the file as UTF-8", file, number)
                 for number, line in enumerate(lines, 1) if re.search("[\udc80-\udcff]", line)] \
        if re.search("[\udc80-\udcff]", text) else []  # each line looked at only when one has them
    lone = [n for n, line in enumerate(lines, 1) if "\r" in line.removesuffix("\r")] \
        if "\r" in text else []
    if len(problems) > bom:  # undecodable bytes: nothing more to say
        pass
    elif lone:
        problems.append(Problem(
            "the file ends its lines with CR only (old Mac style); GNU gettext does not see those as line "
            "ends (to msgfmt the file is one line, and everything after its first comment is lost): save it "
            "with LF (Unix) line ends" if len(lines) == 1 else "a CR character that does not end a line (a "
            "CRLF file must not hold a lone CR): save the file with LF (Unix) line ends", file, lone[0]))
    elif "\0" in text:
        problems.append(Problem("a NUL byte in the file: it is not a PO text file; save it as UTF-8 text",
                                file, text[: text.index("\0")].count("\n") + 1))
    if problems:
        raise PipelineError.of(problems)
    return text.replace("\r\n", "\n"), "\r\n" if "\r" in text else "\n"


def read_po(data: bytes, file: str, *, language: str | None = None, template: bool = False,
            plurals: tuple[int, str] | None = None) -> PoCatalog:
    """Read a PO file (or, with ``template=True``, a POT template) strictly.

    Raises ``PipelineError`` with every error found; the returned catalog's ``warnings`` hold what
    msgfmt only warns about. ``language`` is the code the catalog must declare in its ``Language:``
    header (not checked for templates), ``plurals`` its (nplurals, expression) in CLDR."""
    text, line_ending = _decode(data, file)
    lines = text.split("\n")
    parser = _Parser(file, lines)
    catalog = PoCatalog(file=file, line_ending=line_ending)
    seen: dict[tuple[str | None, str], PoEntry] = {}
    for entry in parser.run():
        first = seen.setdefault(entry.key, entry)
        line = entry.msgid_line or entry.line
        if first is not entry and entry.msgid == "" and entry.msgctxt is None:
            parser.error(line, f"a second header entry (msgid \"\"); the first is at line "
                         f"{first.msgid_line}: merge the two and delete this one")
        elif first is not entry:
            parser.error(line, f"{label(entry)} is defined twice (the first, an "
                         f"{'obsolete (#~)' if first.obsolete else 'active'} one, is at line "
                         f"{first.msgid_line}); a second translation would be silently lost: keep one entry "
                         "and delete the other")
        elif entry.obsolete:
            catalog.obsolete.append(entry)
        elif entry.msgid == "" and entry.msgctxt is None:
            catalog.header = entry
        else:
            if entry.msgid == "":
                parser.error(line, f"an entry with an empty msgid and msgctxt {entry.msgctxt!r} is a "
                             "second header (tools read its fields, e.g. Plural-Forms, as the catalog's): "
                             "delete it; the header is the one entry with msgid \"\" and no msgctxt")
            catalog.entries.append(entry)
    errors = parser.errors
    if not errors:
        errors, catalog.warnings = check_catalog(catalog, lines, language, template, plurals)
    if errors:
        raise PipelineError.of(sorted(errors, key=lambda p: p.line or 0))
    return catalog

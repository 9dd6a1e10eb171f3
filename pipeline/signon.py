"""Sign-on sheets: the CSV a form or a spreadsheet exports, turned into new signatories.

Three steps, each pure: ``read_sheet`` reads the sheet (UTF-8 with or without a byte-order mark,
comma, semicolon or tab separated, a header row naming a column per language) with the line of
each row; ``decide`` compares each row with the statement's signatories and the rows before it,
and adds, skips (already listed, in whatever spelling) or leaves undecided (the same organisation
under another name) each one; ``insert_signatories`` writes the new names into the statement's
own text after its last signatory, so that a diff shows only the new lines.

Two names are the same when they are equal once case, spaces, punctuation, diacritics, the
tatweel and the spellings Arabic writers mix (ى/ي, ة/ه, the hamza forms of alef, waw and yeh)
are set aside, and an ampersand is the "and" of any of the languages in play (the same text is
the same name in every column; a name of only "&" is none).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

import yaml

from .errors import PipelineError, Problem, raise_if_any
from .identifiers import language_problem
from .language import language, likely_language
from .source import MAX_WORD, Signatory, Statement
from .text import forbidden_character, forbidden_message, normalise, script_of

DELIMITERS = ",;\t"
"""What spreadsheets separate cells with: a comma, a semicolon where the comma is the decimal
separator, a tab."""

Names = tuple[tuple[str, str], ...]
"""An organisation's names: (language, name) pairs, each language once."""


# --- reading the sheet ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One organisation of the sheet: the line its row starts on, and its names."""

    line: int
    names: Names


@dataclass(frozen=True)
class Sheet:
    file: str
    columns: tuple[tuple[str, str], ...]  # (language, header) of each name column, in order
    rows: tuple[Row, ...]


def read_sheet(data: bytes, file: str, known: Sequence[str],
               headers: dict[str, str] | None = None) -> Sheet:
    """The rows of a sign-on sheet. A name column is the one ``headers`` names for a language
    (``{"en": "Organisation (English)"}``), or else one headed by a language code of ``known``;
    every other column (a timestamp, an email address) is ignored. Every problem is reported at
    once, with its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PipelineError("the sheet is not UTF-8 text: export it as 'CSV UTF-8' (in a "
                            "spreadsheet: Save as, CSV UTF-8)", file, line) from None
    text = text.removeprefix("\ufeff")
    problems: list[Problem] = []
    records = list(_records(text, _delimiter(text), file, problems))
    records = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        problems.append(Problem("the sheet is empty: it needs a header row naming its columns, "
                                "then a row per organisation", file, 1))
        raise_if_any(problems)
    header_line, header = records[0]
    columns = _name_columns(header, header_line, file, known, headers or {}, problems)
    rows = []
    for line, cells in records[1:]:
        names: list[tuple[str, str]] = []
        for index, code in columns:
            cell = cells[index] if index < len(cells) else ""
            name = normalise(cell)
            if not name:
                continue
            if found := forbidden_character(cell.replace("\n", " ").replace("\r", " ")):
                problems.append(Problem(f"column {header[index].strip()!r}: "
                                        f"{forbidden_message(found[1])}", file, line))
            elif long := next((w for w in name.split() if len(w) > MAX_WORD), None):
                problems.append(Problem(
                    f"column {header[index].strip()!r} has a word of {len(long)} characters "
                    f"({long[:20]}...), too long to fit a line: break it with spaces", file, line))
            else:
                names.append((code, name))
        rows.append(Row(line, tuple(names)))
    raise_if_any(problems)
    return Sheet(file, tuple((code, header[index].strip()) for index, code in columns),
                 tuple(rows))


def _delimiter(text: str) -> str:
    """The separator of the header row (the one found most often outside quotes): a comma
    unless it holds more semicolons or tabs."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str, delimiter: str, file: str,
             problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV text (RFC 4180: a quote opens a field, a doubled quote inside is one
    quote) with the line each starts on. A quote anywhere else, text after a closing quote or a
    quote never closed is a problem of its line: a spreadsheet never writes one, a hand does."""
    position, line, end = 0, 1, len(text)
    while position < end:
        start, cells = line, []
        while True:  # one cell after another
            cell: list[str] = []
            if position < end and text[position] == '"':
                opened = line
                position += 1
                while True:
                    if position >= end:
                        problems.append(Problem(
                            "a quote (\") opens a cell here and is never closed: the rest of the "
                            "sheet would be one name; close it, or remove the quote", file, opened))
                        return
                    char = text[position]
                    if char == '"':
                        if text.startswith('""', position):
                            cell.append('"')
                            position += 2
                            continue
                        position += 1
                        break
                    line += char == "\n"
                    cell.append(char)
                    position += 1
                stray = position
                while position < end and text[position] not in delimiter + "\r\n":
                    position += 1
                if position > stray:
                    problems.append(Problem(
                        f"text after a closing quote ({text[stray:position][:20]!r}): a quote "
                        "inside a quoted cell is written twice (\"\")", file, line))
            else:
                begin = position
                while position < end and text[position] not in delimiter + "\r\n":
                    position += 1
                cell.append(text[begin:position])
                if '"' in cell[0]:
                    problems.append(Problem(
                        f"a stray quote (\") in {cell[0][:40]!r}: a cell that holds a quote is "
                        "written in quotes, the quote doubled (\"a \"\"b\"\"\")", file, line))
            cells.append("".join(cell))
            if position < end and text[position] == delimiter:
                position += 1
                continue
            break
        if text.startswith("\r\n", position):
            position += 2
        elif position < end:
            position += 1
        line += 1
        yield start, cells


def _name_columns(header: list[str], line: int, file: str, known: Sequence[str],
                  headers: dict[str, str], problems: list[Problem]) -> list[tuple[int, str]]:
    """The name columns, as (index, language), in the sheet's order."""
    def key(text: str) -> str:
        return normalise(text).casefold()

    columns: dict[str, int] = {}
    codes = {code.casefold(): code for code in known if code not in headers}
    for index, cell in enumerate(header):
        code = codes.get(key(cell))
        if code is None:
            continue
        if code in columns:
            problems.append(Problem(f"two columns are headed {code!r}: rename one, or say "
                                    "which to read with --column", file, line))
        columns[code] = index
    for code, wanted in headers.items():
        found = [i for i, cell in enumerate(header) if key(cell) == key(wanted)]
        if not found:
            problems.append(Problem(
                f"no column is headed {wanted!r} (for {code}); the columns are "
                f"{', '.join(repr(c.strip()) for c in header)}", file, line))
        elif len(found) > 1:
            problems.append(Problem(f"two columns are headed {wanted!r}: rename one",
                                    file, line))
        else:
            columns[code] = found[0]
    if not columns and not problems:
        problems.append(Problem(
            "no column of the header row (the first) is headed by a language code "
            f"({', '.join(known)}): head the name columns so, or name them with --column, "
            f"such as --column {known[0] if known else 'en'}=\"Organisation name\"; the "
            f"columns are {', '.join(repr(c.strip()) for c in header)}", file, line))
    return sorted((index, code) for code, index in columns.items())


# --- deciding ------------------------------------------------------------------------------------

ARABIC_VARIANTS = str.maketrans({
    "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك", "ٱ": "ا", "ـ": None,
})
"""Arabic letters writers interchange (alef maksura and yeh, teh marbuta and heh, Persian forms,
alef wasla) and the tatweel; the hamza forms of alef, waw and yeh lose their hamza with the
other marks."""


@cache
def conjunction(code: str) -> str:
    """The word for "and" in a language, as CLDR joins two items of a list ("{0} and {1}",
    "{0} et {1}", "{0} و{1}"); empty when its pattern has none."""
    try:
        pattern = language(code).locale.list_patterns["standard"]["2"]
    except (KeyError, ValueError):
        return ""
    return pattern.replace("{0}", "").replace("{1}", "").strip(" ,")


def match_key(name: str, code: str | None = None) -> str:
    """A name with what does not tell organisations apart set aside: letters and digits only,
    case folded, without diacritics, Arabic spelling variants made one; in a name in language
    ``code``, an ampersand is that language's "and" (Lawyers & Doctors, Lawyers and Doctors)."""
    if code is not None and "&" in name:
        name = name.replace("&", f" {conjunction(code)} ")
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(ARABIC_VARIANTS))
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] in "LN":
            kept.append(str(unicodedata.digit(char)) if category == "Nd" else char)
    return unicodedata.normalize("NFC", "".join(kept)).translate(ARABIC_VARIANTS)


def match_keys(name: str, codes: Sequence[str]) -> frozenset[str]:
    """The keys a name matches under, whatever column or language it came from: its
    ``match_key`` with an ampersand read as the "and" of each language of ``codes`` (the same
    text gives the same keys in every column; "Lawyers & Doctors" meets "Lawyers and Doctors"
    and "Avocats et Médecins"). None for a name without a letter or digit as written ("&"
    alone is no name)."""
    if not match_key(name):
        return frozenset()
    if "&" not in name:
        return frozenset({match_key(name)})
    return frozenset(match_key(name, code) for code in codes)


@dataclass(frozen=True)
class Organisation:
    """A signatory already listed, or added from an earlier row: its names by language, and
    where it is (``sources/x.yaml:12``, ``sheet.csv:4``)."""

    names: dict[str, str]
    where: str


@dataclass(frozen=True)
class Decision:
    row: Row
    outcome: Literal["added", "skipped", "undecided"]
    message: str
    names: Names = ()  # what is written, the statement's language first (added only)



def by_script(names: Names, statement_language: str) -> dict[str, str]:
    """An organisation's names by the language their letters say (a name written in Arabic in
    the English column is its Arabic name); the same name twice counts once."""
    found: dict[str, str] = {}
    for code, name in names:
        script = script_of(name)
        if script is not None and script != language(code).script:
            code = (statement_language if script == language(statement_language).script
                    else likely_language(script))
            if language_problem(code):  # a script CLDR gives no language: as given
                code = next(c for c, n in names if n == name)
        if code in found and match_key(found[code], code) != match_key(name, code):
            code = next(c for c, n in names if n == name)  # two names, one script: as given
        found.setdefault(code, name)
    return found


def listed(statement: Statement) -> list[Organisation]:
    """The statement's signatories as organisations."""
    organisations = []
    for signatory in statement.signatories:
        names = ((statement.language, signatory.value), *signatory.given)
        organisations.append(Organisation(by_script(names, statement.language),
                                          f"{statement.file}:{signatory.line}"))
    return organisations


def shown(names: dict[str, str] | Names) -> str:
    pairs = names.items() if isinstance(names, dict) else names
    return " / ".join(repr(name) for _, name in pairs)


def decide(statement: Statement, sheet: Sheet) -> list[Decision]:
    """What to do with each row of the sheet, in order."""
    known = listed(statement)
    # the languages whose "and" an ampersand may be: one set for every name, so that the same
    # text has the same keys in whichever column or field it is written
    codes = tuple(dict.fromkeys([statement.language, *(code for code, _ in sheet.columns),
                                 *(code for o in known for code in o.names)]))
    index: dict[str, list[int]] = {}  # each name's match keys: the organisations listed under it

    def keys_of(name: str) -> frozenset[str]:
        return match_keys(name, codes)

    def register(position: int, organisation: Organisation) -> None:
        for name in organisation.names.values():
            for key in keys_of(name):
                index.setdefault(key, []).append(position)

    def merged(position: int, new: dict[str, str], row: Row) -> Decision:
        """A later row's names in other languages given to the organisation an earlier row
        adds (the same organisation is one entry), or, when they cannot be written with it
        (no name in the statement's language), the row undecided."""
        earlier = known[position]
        names = {**earlier.names, **new}
        first = decisions[added_at[position]]
        written = _written(names, statement.language)
        if written is None:
            return Decision(row, "undecided", (
                f"could not decide: {shown(row.names)} is {shown(earlier.names)} ({earlier.where}), "
                f"and neither gives a name in {statement.language}, the statement's language: "
                "add it by hand"))
        known[position] = Organisation(names, earlier.where)
        register(position, Organisation(new, earlier.where))
        decisions[added_at[position]] = replace(
            first, names=written, message=f"added {shown(written)} (its {' and '.join(new)} "
                                          f"name from line {row.line})")
        return Decision(row, "skipped", (
            f"skipped: {shown(row.names)} is {shown(earlier.names)} ({earlier.where}), added once, "
            f"with its {' and '.join(new)} name from this line"))

    for position, organisation in enumerate(known):
        register(position, organisation)
    decisions: list[Decision] = []
    added_at: dict[int, int] = {}  # an organisation added from the sheet: its decision
    for row in sheet.rows:
        if not row.names:
            decisions.append(Decision(row, "skipped", "skipped: no organisation name in the columns "
                                      f"{', '.join(h for _, h in sheet.columns)}: row ignored"))
            continue
        names = by_script(row.names, statement.language)
        named = [keys_of(name) for name in names.values()]
        if not all(named):
            decisions.append(Decision(row, "undecided", (
                f"could not decide: {shown(row.names)} has no letter or digit: correct the "
                "sheet, or add the name by hand")))
            continue
        positions = sorted({i for keys in named for key in keys for i in index.get(key, ())})
        matches = [known[i] for i in positions]
        if len(matches) > 1:
            decisions.append(Decision(row, "undecided", (
                f"could not decide: {shown(row.names)} names two organisations: {shown(matches[0].names)} "
                f"({matches[0].where}) and {shown(matches[1].names)} ({matches[1].where}); "
                "correct the sheet or the statement, then run again")))
            continue
        if matches:
            match = matches[0]
            other = next((code for code, name in names.items() if code in match.names
                          and not keys_of(match.names[code]) & keys_of(name)), None)
            listed_keys = frozenset().union(*map(keys_of, match.names.values()))
            new = {code: name for code, name in names.items() if code not in match.names
                   and not keys_of(name) & listed_keys}  # the same name in another column: not new
            if other is not None:
                decisions.append(Decision(row, "undecided", (
                    f"could not decide: {shown(row.names)} is {shown(match.names)} "
                    f"({match.where}) under another name in {other}: is it the same "
                    "organisation? Correct the sheet or the statement, then run again")))
            elif new and positions[0] in added_at:  # added from an earlier row: one entry, with both
                decisions.append(merged(positions[0], new, row))
            elif new:  # listed in the statement, whose lines are never changed
                decisions.append(Decision(row, "undecided", (
                    f"could not decide: {shown(row.names)} is {shown(match.names)} "
                    f"({match.where}), which gives no name in {' or '.join(new)}: to print "
                    f"{shown(new)}, add it there by hand "
                    f"({', '.join(f'{code}: {name}' for code, name in new.items())}), or remove "
                    "the row from the sheet; then run again")))
            else:
                decisions.append(Decision(row, "skipped", (
                    f"skipped: {shown(row.names)} is already listed as {shown(match.names)} "
                    f"({match.where})")))
            continue
        written = _written(names, statement.language)
        if written is None:
            decisions.append(Decision(row, "undecided", (
                f"could not decide: {shown(row.names)} has names in {' and '.join(names)} but none in "
                f"{statement.language}, the statement's language: add it by hand")))
            continue
        known.append(Organisation(names, f"{sheet.file}:{row.line}"))
        register(len(known) - 1, known[-1])
        added_at[len(known) - 1] = len(decisions)
        decisions.append(Decision(row, "added", f"added {shown(written)}", written))
    return decisions


def _written(names: dict[str, str], statement_language: str) -> Names | None:
    """The names an added signatory is written with: one name as a plain item, several with the
    statement's language first (a name given in several languages needs that one)."""
    if len(names) == 1:
        return tuple(names.items())
    if statement_language not in names:
        return None
    return ((statement_language, names[statement_language]),
            *((code, name) for code, name in names.items() if code != statement_language))


# --- writing -------------------------------------------------------------------------------------

def scalar(value: str) -> str:
    """A name as a YAML scalar that reads back as the same text: plain when YAML allows it,
    quoted when it would be read as something else (``a: b``, ``- x``, ``#``, ``{{ }}``, a tag,
    a number, yes/no, null)."""
    dumped = yaml.safe_dump([value], allow_unicode=True, width=float("inf"),
                            default_flow_style=False)
    text = dumped.removeprefix("- ").rstrip("\n")
    if "\n" in text or yaml.safe_load(f"- {text}\n") != [value]:
        raise PipelineError(f"the name {value!r} cannot be written on one YAML line: add it "
                            "by hand")
    return text


def insert_signatories(text: str, additions: Sequence[Names], file: str) -> str:
    """The statement's text with ``additions`` after its last signatory (or a new
    ``signatories:`` at its end), written as the file writes its list: the same indentation,
    line ends and item forms. Nothing else in the text changes."""
    if not additions:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert isinstance(root, yaml.MappingNode)  # the statement was read before
    fields = {key.value: (key, value) for key, value in root.value
              if isinstance(key, yaml.ScalarNode)}
    if "signatories" not in fields:
        dash, offset = _indentation(text, fields.get("body", (None, None))[1])
        tail = "" if not text or text.endswith(("\n", "\r")) else newline
        return (text + tail + "signatories:" + newline
                + _items(additions, dash, offset, newline))
    key, node = fields["signatories"]
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        raise PipelineError("'signatories' is written as a list in brackets ([...]): write one "
                            "item per line ('  - name'), then run again", file,
                            node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):  # 'signatories:' and nothing after it
        if node.end_mark.index > node.start_mark.index:
            raise PipelineError(f"'signatories' is {node.value!r}: leave it empty or remove the "
                                "line, then run again", file, node.start_mark.line + 1)
        dash, offset = _indentation(text, fields.get("body", (None, None))[1])
        at = _line_end(text, key.end_mark.index)
    else:
        last = node.value[-1]
        dash, offset = _indentation(text, node)
        at = last.end_mark.index if last.end_mark.column == 0 else _line_end(
            text, last.end_mark.index)
    before = text[:at]
    if before and not before.endswith(("\n", "\r")):
        before += newline
    return before + _items(additions, dash, offset, newline) + text[at:]


def _line_end(text: str, index: int) -> int:
    """Where the line holding ``index`` ends (after its line break)."""
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _indentation(text: str, sequence: yaml.Node | None) -> tuple[int, int]:
    """Where a block list puts its dashes, and how far after the dash its items start: those of
    its last item, or two and two."""
    if not isinstance(sequence, yaml.SequenceNode) or sequence.flow_style or not sequence.value:
        return 2, 2
    item = sequence.value[-1].start_mark
    dash = item.index - 1
    while dash >= 0 and text[dash] in " \t\r\n":
        dash -= 1
    if dash < 0 or text[dash] != "-":
        return 2, 2
    line_start = max(text.rfind("\n", 0, dash), text.rfind("\r", 0, dash)) + 1
    column = dash - line_start
    same_line = "\n" not in text[dash:item.index]
    return column, (item.column - column if same_line and item.column > column else 2)


def _items(additions: Sequence[Names], dash: int, offset: int, newline: str) -> str:
    lines = []
    for names in additions:
        if len(names) == 1:
            lines.append(f"{' ' * dash}-{' ' * (offset - 1)}{scalar(names[0][1])}")
            continue
        for number, (code, name) in enumerate(names):
            lead = f"{' ' * dash}-{' ' * (offset - 1)}" if number == 0 else " " * (dash + offset)
            lines.append(f"{lead}{code}: {scalar(name)}")
    return "".join(line + newline for line in lines)


def same_signatories(before: tuple[Signatory, ...], after: tuple[Signatory, ...],
                     additions: Sequence[Names]) -> bool:
    """Whether the statement read back holds its signatories as they were, then the additions in
    order: nothing moved, nothing changed."""
    def plain(signatory: Signatory) -> tuple[str, tuple[tuple[str, str], ...]]:
        return signatory.value, signatory.given

    wanted = [plain(s) for s in before] + [(names[0][1], tuple(names[1:])) for names in additions]
    return [plain(s) for s in after] == wanted

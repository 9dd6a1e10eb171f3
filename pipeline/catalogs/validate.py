"""What ``msgfmt --check`` refuses in a catalog that reads, and what it warns about. Stricter than msgfmt: a
second header (an empty msgid with a msgctxt), a charset other than UTF-8, no Content-Type, another
``Language:`` than expected, plural forms other than CLDR's, a format flag other than python-format on a
translation (the project has no other). Fuzzy, obsolete and untranslated entries are not checked against
nplurals or for format strings, exactly as msgfmt (they are not compiled)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem
from .model import PoCatalog, PoEntry, header_fields, plural_distribution, plural_problem

REQUIRED_HEADER_FIELDS = {  # msgfmt warns when they are missing or keep their initial (template) value
    "Project-Id-Version": "PACKAGE VERSION", "PO-Revision-Date": "YEAR-MO-DA", "Last-Translator": "FULL NAME",
    "Language-Team": "LANGUAGE", "MIME-Version": None, "Content-Type": "text/plain; charset=CHARSET",
    "Content-Transfer-Encoding": "ENCODING", "Language": ""}

_NAMED_PLACEHOLDER = re.compile(
    r"%%|%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_DIRECTIVE = re.compile(r"[-+ #0]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?[hlL]?(.?)", re.DOTALL)
_KINDS = {"%": "none", "c": "c", "s": "s", "r": "s", **dict.fromkeys("iduoxX", "i"),
          **dict.fromkeys("eEfgG", "f")}


def find_placeholders(text: str) -> list[str]:
    """The real python-format placeholders in ``text``: named ones like ``%(num)s``, in order (not ``%%``). A
    ``%`` followed by anything else is text: "50% of voters" has none."""
    return [m.group() for m in _NAMED_PLACEHOLDER.finditer(text) if m.group("name")]


def wants_python_format(msgid: str, msgid_plural: str | None = None) -> bool:
    """Whether a message should carry the python-format flag: only with a real named placeholder (Babel sets
    it for any text its regex takes for a directive, such as the '% o' in '50% of')."""
    return bool(find_placeholders(msgid) or (msgid_plural and find_placeholders(msgid_plural)))


@dataclass
class _FormatSpec:
    named: dict[str, str]  # the kind of each named directive
    unnamed: list[str]  # the kinds of the unnamed ones
    spans: list[tuple[int, int]]  # (start, end) of each directive
    texts: dict[str, str]  # a named directive as written


def _python_format(text: str) -> _FormatSpec | None:
    """gettext's python-format parser: the directives, or None for no valid format string."""
    spec = _FormatSpec({}, [], [], {})
    named, unnamed = spec.named, spec.unnamed
    start = text.find("%")
    while start >= 0:
        name, i = None, start + 1
        if text[i:i + 1] == "(":
            depth, j = 0, i + 1
            while j < len(text) and (text[j] != ")" or depth):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            if j >= len(text):
                return None
            name, i = text[i + 1:j], j + 1
        match = _DIRECTIVE.match(text, i)
        assert match is not None  # every part may be empty
        width, precision, conversion = match.groups()
        stars = [part for part in (width, precision) if part == "*"]
        zero = conversion in ("s", "r") and precision and not precision.strip("0")
        kind = "any" if zero else _KINDS.get(conversion)
        if (stars and named) or kind is None:
            return None
        unnamed += ["i"] * len(stars)
        if name is not None:
            if unnamed or (name in named and "any" not in (named[name], kind) and named[name] != kind):
                return None
            named[name] = kind if named.get(name, "any") == "any" else named[name]
            spec.texts.setdefault(name, text[start:match.end()])
        elif conversion != "%":
            if named:
                return None
            unnamed.append(kind)
        spec.spans.append((start, match.end()))
        start = text.find("%", match.end())
    return spec


def _format_mismatch(source: _FormatSpec, translation: _FormatSpec, strict: bool) -> str | None:
    """gettext's format_check: what differs between msgid's and msgstr's directives (a source with unnamed
    ones gets other advice, whatever the difference)."""
    def differ(a: str, b: str) -> bool:
        return a != b and (strict or "any" not in (a, b))

    extra = sorted(set(translation.named) - set(source.named))
    lacking = sorted(set(source.named) - set(translation.named)) if strict else []
    changed = [name for name in sorted(translation.named) if name in source.named
               and differ(source.named[name], translation.named[name])]
    if source.named and translation.unnamed:
        return "the source text uses %(name)s placeholders, the translation unnamed ones (%s)"
    if extra:
        return (f"the translation has the placeholder {translation.texts[extra[0]]}, which the source text "
                "has not")
    if lacking:
        return f"the translation lacks the placeholder {source.texts[lacking[0]]} of the source text"
    if changed:
        return (f"the translation writes the placeholder {source.texts[changed[0]]} as "
                f"{translation.texts[changed[0]]}")
    if len(source.unnamed) != len(translation.unnamed) or any(
            differ(a, b) for a, b in zip(source.unnamed, translation.unnamed, strict=True)):
        return (f"the source text has {len(source.unnamed)} unnamed placeholder(s), the translation "
                f"{len(translation.unnamed)}")
    return None


def label(entry: PoEntry) -> str:
    text = entry.msgid if len(entry.msgid) <= 50 else entry.msgid[:47] + "..."
    return f"msgctxt {entry.msgctxt!r} msgid {text!r}" if entry.msgctxt is not None else f"msgid {text!r}"


def check_catalog(catalog: PoCatalog, lines: list[str], language: str | None, template: bool,
                  plurals: tuple[int, str] | None) -> tuple[list[Problem], list[Problem]]:
    """The errors and the warnings of a catalog read from ``lines``; with ``plurals`` (its language's
    nplurals and expression in CLDR), a header that gives another count is the one error (the entries'
    plural forms follow the header, so they would be blamed instead)."""
    file, header = catalog.file, catalog.header
    errors, warnings = list[Problem](), list[Problem]()

    def error(line: int | None, message: str) -> None:
        errors.append(Problem(message, file, line))

    def warn(line: int | None, message: str) -> None:
        warnings.append(Problem(message, file, line, "warning"))

    if header is None:
        error(None, "the catalog has no header entry (msgid \"\" with msgstr \"Content-Type: text/plain; "
              "charset=UTF-8\\n\" …): add one (`msginit` or `python -m pipeline init` writes it)")
        return errors, warnings
    hline = header.msgstr_line
    fields = {name.lower(): (name, value) for name, value in reversed(header_fields(header.msgstr))}

    starts: dict[str, int] = {}  # the line each header field starts on (it may go on over several)
    for number in range(hline or len(lines) + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if number > (hline or 0) and not text.startswith('"'):
            break  # the header's strings end here
        starts.setdefault(text.removeprefix("msgstr").strip().removeprefix('"').partition(":")[0].strip().lower(),
                          number)

    nplurals, expression = catalog.nplurals, catalog.plural_expr
    if plurals and nplurals is not None and nplurals != plurals[0]:
        count, expression = plurals
        error(starts.get("plural-forms", hline), f"the Plural-Forms header gives {nplurals} plural forms, "
              f"but {language} has {count} in CLDR: set it to 'nplurals={count}; plural={expression};'")
        return errors, warnings
    for name, initial in REQUIRED_HEADER_FIELDS.items():
        found = fields.get(name.lower())
        if found is None and name != "Content-Type":  # (its absence is an error, below)
            warn(hline, f"header field '{name}' missing in header: add it (Poedit: Catalog > Properties)")
        elif found is not None and initial is not None and (name != "Content-Type" or template) and (
                found[1] == "" if initial == "" else found[1].startswith(initial)):
            warn(hline, f"header field '{name}' still has the initial default value {found[1]!r} (line "
                 f"{starts.get(name.lower(), hline)}): fill it in")
    if header.fuzzy and not template:
        warn(header.line, "the header is marked fuzzy, and msgfmt ignores a fuzzy header when compiling "
             "(its Plural-Forms would not apply): remove '#, fuzzy' above the header")
    content_type = fields.get("content-type")
    charset = re.search(r"charset=([^\s;]+)", content_type[1]) if content_type else None
    if content_type is None:
        error(hline, "the header has no Content-Type field: add \"Content-Type: text/plain; "
              "charset=UTF-8\\n\"")
    elif charset is None:
        error(starts.get("content-type", hline), "the Content-Type header declares no charset: write "
              "\"Content-Type: text/plain; charset=UTF-8\\n\"")
    elif charset.group(1).upper() == "CHARSET" and template:
        warn(hline, 'charset "CHARSET" is not a portable encoding name: declare charset=UTF-8')
    elif charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        error(starts.get("content-type", hline), f"the catalog declares charset {charset.group(1)}: the "
              "pipeline reads UTF-8 only; save the file as UTF-8 and declare 'charset=UTF-8' in the "
              "Content-Type header")
    declared = fields.get("language", ("", ""))[1]
    if language and not template and declared and \
            declared.strip().replace("-", "_").lower() != language.strip().replace("-", "_").lower():
        error(starts.get("language", hline), f"the header says 'Language: {declared}', but this is the "
              f"catalog for {language!r}: set 'Language: {language}' (or put the file in the right "
              "language's folder)")
    distribution: frozenset[int] | None = None
    where = f" (Plural-Forms, line {starts.get('plural-forms', hline)})"
    if "plural-forms" not in fields or (nplurals is None and expression is None):
        pass
    elif nplurals is None or expression is None:
        missing = "nplurals=N" if nplurals is None else "plural=EXPRESSION"
        error(hline, f"the Plural-Forms header has no {missing}{where}: write 'nplurals=N; "
              "plural=EXPRESSION;'")
    elif (problem := plural_problem(expression, nplurals)) is not None:
        error(hline, f"{problem}{where}: use the Plural-Forms line for the language from `python -m "
              "pipeline init` (the CLDR rule)")
    else:
        distribution = plural_distribution(expression, nplurals)
    translated = [e for e in catalog.entries if e.is_plural and e.translated and not e.fuzzy]
    if translated and distribution is None and (nplurals is None or expression is None):
        error(translated[0].msgstr_line or translated[0].msgid_line, "this message has plural translations, "
              "but the header has no valid Plural-Forms: add \"Plural-Forms: nplurals=N; "
              "plural=EXPRESSION;\\n\" for the language")
    elif "plural-forms" not in fields and not template and any(e.is_plural for e in catalog.entries):
        warn(hline, "the catalog has plural messages but no Plural-Forms header: add one for the language")
    for entry in catalog.entries:
        if not entry.fuzzy and entry.translated:
            errors += _check_entry(entry, nplurals if distribution is not None else None, distribution, file)
    return errors, warnings


def _check_entry(entry: PoEntry, nplurals: int | None, distribution: frozenset[int] | None,
                 file: str | None) -> list[Problem]:
    name, strings, plural = label(entry), entry.strings, entry.msgid_plural is not None
    messages = []
    if plural and nplurals is not None and len(strings) != nplurals:
        messages.append(f"{name} has {len(strings)} plural forms but the header says nplurals={nplurals}: "
                        f"give exactly msgstr[0]…msgstr[{nplurals - 1}]")
    names = ["msgid_plural"] + [f"msgstr[{i}]" for i in range(len(strings))] if plural else ["msgstr"]
    others = ([entry.msgid_plural or ""] if plural else []) + strings
    for which, side in (("begin", 0), ("end", -1)):  # line breaks at the ends, as msgfmt checks
        wanted = entry.msgid[side:][:1] == "\n"
        other = next((n for n, o in zip(names, others, strict=True) if (o[side:][:1] == "\n") != wanted),
                     None)
        if other is not None:
            messages.append(f"{name}: 'msgid' and '{other}' do not both {which} with a line break (\\n): "
                            "make them match")
    messages += [f"{name}: the flag {flag} asks msgfmt to check format strings this project does not use: "
                 "remove it" for flag in sorted(entry.flags) if flag.endswith("-format")
                 and not flag.startswith("no-") and flag.removeprefix("possible-") != "python-format"]
    source_text = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
    source = _python_format(source_text) if entry.flags & {"python-format", "possible-python-format"} \
        else None
    for i, (form, string) in enumerate(zip(names[-len(strings):], strings, strict=True)):
        if source is None:
            break  # msgfmt checks nothing when the source is no valid format string
        strict = not plural or len(strings) < 2 or (distribution is not None and i in distribution)
        translation = _python_format(string)
        mismatch = translation and _format_mismatch(source, translation, strict)
        if translation is None:
            messages.append(f"{name}: '{form}' is not a valid python-format string (the source text is): "
                            "check every % in it; write %% for a percent sign")
        elif mismatch and source.unnamed:  # then it has no %(name)s placeholder
            texts = sorted({source_text[a:b] for a, b in source.spans if b - a > 1})
            messages.append(f"{name} is flagged python-format, so msgfmt reads "
                            f"{', '.join(repr(t) for t in texts)} in it as placeholder(s) and refuses the "
                            "translation; but it has no %(name)s placeholder: remove the python-format flag "
                            "(the pipeline sets it only for messages with %(name)s placeholders)")
            break
        elif mismatch:
            messages.append(f"{name}: {mismatch} ({form}, python-format): make the placeholders of the "
                            "translation match the source text")
    return [Problem(message, file, entry.msgstr_line or entry.msgid_line) for message in messages]

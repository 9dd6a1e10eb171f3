"""Every catalog of the corpus (tests/fixtures/po_corpus/: broken and odd catalogs) through
`msgfmt --check` and through ``read_po``: the verdicts must agree (msgfmt error <=> PipelineError,
msgfmt warning => a warning), and so must the lines, except where the table below says why the
reader is deliberately stricter or reports another line. GNU gettext is required (`make test`
installs it with `tools/system-packages test`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.catalogs.read import read_po
from pipeline.catalogs.write import serialise
from pipeline.errors import PipelineError

CORPUS = Path(__file__).parent / "fixtures" / "po_corpus"
MSGFMT = shutil.which("msgfmt") or "msgfmt: GNU gettext is missing, run tools/system-packages test"

# name: (msgfmt's verdict, ours, why they differ or what the case shows)
# verdicts: "ok", "warning", "error". A note starting with "stricter:" explains a different verdict;
# "line:" explains a different line.
CASES: dict[str, tuple[str, str, str]] = {
    "valid.po": ("ok", "ok", "a complete catalog"),
    "header_only.po": ("ok", "ok", "a header and no messages"),
    "empty_file.po": ("error", "error", "no header: both refuse (msgfmt gives no line)"),
    "header_not_first.po": ("ok", "ok", "the header need not be first (serialise writes it first)"),
    "second_header.po": ("error", "error", "two entries with msgid \"\""),
    "second_header_msgctxt.po": ("ok", "error", "stricter: msgctxt+msgid \"\" with Plural-Forms is a "
                                 "second header to Babel/pipeline readers (the reported bug)"),
    "duplicate_msgid.po": ("error", "error", "same msgid twice with different translations"),
    "duplicate_ctxt_msgid.po": ("error", "error", "same msgctxt+msgid twice"),
    "same_msgid_other_ctxt.po": ("ok", "ok", "same msgid, different msgctxt: two messages"),
    "obsolete_duplicate_of_active.po": ("error", "error", "#~ entry with the msgid of an active one"),
    "obsolete_duplicate.po": ("error", "error", "two obsolete entries with one msgid"),
    "obsolete_untranslated.po": ("ok", "ok", "kept by serialise (msgcat drops it)"),
    "obsolete_syntax_error.po": ("error", "error", "junk in a #~ line"),
    "mixed_obsolete_active.po": ("error", "error", "#~ msgid followed by an active msgstr"),
    "cr_only.po": ("ok", "error", "stricter: CR-only line ends; gettext treats CR as a space, so "
                   "this one happens to parse, but see cr_only_with_comment.po"),
    "cr_only_with_comment.po": ("ok", "error", "stricter: msgfmt reads 0 messages (the first "
                                "comment runs to the end of the file) and says nothing"),
    "lone_cr_in_string.po": ("ok", "error", "stricter: a raw CR inside a string; write \\r"),
    "crlf.po": ("ok", "ok", "CRLF is read as line ends; serialise writes LF"),
    "crlf_mixed.po": ("ok", "ok", "one CRLF line among LF lines"),
    "bad_escape_q.po": ("error", "error", "\\q is no escape"),
    "escape_u_invalid.po": ("error", "error", "\\u is no escape in PO"),
    "valid_escapes.po": ("ok", "ok", "\\t \\\" \\\\ octal and hex escapes"),
    "escape_hex_not_utf8.po": ("ok", "error", "stricter: \\xff makes a byte that is not UTF-8"),
    "escape_nul.po": ("ok", "error", "stricter: \\0 cuts the text off in gettext"),
    "unterminated.po": ("error", "error", "line: the string starts on line 13; msgfmt reports "
                        "line 14 (its lexer has passed the line end)"),
    "unterminated_eof.po": ("error", "error", "string open at the end of the file"),
    "junk_after_keyword.po": ("error", "error", 'msgstr "x" junk'),
    "junk_line.po": ("error", "error", "a line of text that is no keyword"),
    "unknown_keyword.po": ("error", "error", "msgidd"),
    "keyword_without_string.po": ("error", "error", "line: msgid with no string on line 13; "
                                  "msgfmt reports the next token (line 14)"),
    "keyword_no_space.po": ("ok", "ok", 'msgid"x" is valid PO'),
    "nbsp_separator.po": ("error", "error", "a no-break space between keyword and string"),
    "domain_directive.po": ("error", "error", "domain directives"),
    "missing_msgstr.po": ("error", "error", "msgid followed by the next msgid"),
    "missing_msgstr_eof.po": ("error", "error", "msgid at the end of the file"),
    "msgstr_before_msgid.po": ("error", "error", "msgstr first, then msgid without msgstr"),
    "second_msgstr.po": ("error", "error", "two msgstr in one entry"),
    "msgctxt_without_msgid.po": ("error", "error", "msgctxt then msgstr"),
    "string_without_keyword.po": ("ok", "ok", "a string after a blank line continues the header "
                                  "(PO ignores white space); msgfmt agrees"),
    "comment_inside_entry.po": ("error", "error", "a comment between msgid and msgstr"),
    "previous_between_keywords.po": ("error", "error", "#| between msgid and msgstr"),
    "multiline_strings.po": ("ok", "ok", "strings split over lines, trailing white space"),
    "plural_without_msgstr_n.po": ("error", "error", "msgid_plural then msgstr"),
    "msgstr_n_without_plural.po": ("error", "error", "msgstr[0] without msgid_plural"),
    "msgstr_index_gap.po": ("error", "error", "msgstr[0], msgstr[2]"),
    "msgstr_index_order.po": ("error", "error", "msgstr[1] before msgstr[0]"),
    "nplurals_too_many.po": ("error", "error", "3 forms, nplurals=2"),
    "nplurals_too_few.po": ("error", "error", "1 form, nplurals=2"),
    "msgid_plural_empty_msgstr.po": ("ok", "ok", "untranslated plural entry"),
    "ar_plural_valid.po": ("ok", "ok", "Arabic, 6 forms; forms 0-2 (one n each) may drop %(num)s"),
    "ar_plural_other_without_placeholder.po": ("error", "error", "form 5 is used for many n: it "
                                               "must keep %(num)s"),
    "ar_plural_two_forms.po": ("error", "error", "2 forms (one empty) with nplurals=6"),
    "plural_div_zero.po": ("error", "error", "plural=n/0"),
    "plural_mod_zero.po": ("error", "error", "plural=(n%(n-n)) != 0"),
    "plural_out_of_range.po": ("error", "error", "nplurals=2; plural=n"),
    "plural_negative.po": ("error", "error", "plural=n-1 gives -1 for n=0"),
    "plural_unary_minus.po": ("error", "error", "no unary minus in gettext's grammar"),
    "plural_invalid_syntax.po": ("error", "error", "plural=(n !=;"),
    "plural_python_code.po": ("error", "error", "plural=__import__('os')...: refused, never run"),
    "nplurals_zero.po": ("error", "error", "nplurals=0"),
    "plural_forms_missing.po": ("error", "error", "plural translations, no Plural-Forms"),
    "plural_forms_without_nplurals.po": ("error", "error", "Plural-Forms without nplurals"),
    "header_missing_content_type.po": ("warning", "error", "stricter: without a charset gettext "
                                       "takes the file as ASCII"),
    "charset_iso8859_1.po": ("ok", "error", "stricter: the pipeline reads and writes UTF-8 only"),
    "charset_placeholder.po": ("warning", "error", "stricter: charset=CHARSET in a .po"),
    "invalid_utf8.po": ("error", "error", "Latin-1 bytes in strings"),
    "invalid_utf8_comment.po": ("ok", "error", "stricter: Latin-1 bytes in a comment (msgfmt "
                                "skips comments; msgmerge would copy them)"),
    "utf16_bom.po": ("error", "error", "line: UTF-16 with BOM: one clear error at line 1 instead "
                      "of msgfmt's dozens of syntax errors"),
    "bom_utf8.po": ("error", "error", "UTF-8 with BOM"),
    "fuzzy_header.po": ("ok", "warning", "stricter: a fuzzy header is ignored when compiling"),
    "header_initial_values.po": ("warning", "warning", "Last-Translator: FULL NAME ..."),
    "header_missing_language.po": ("warning", "warning", "no Language field"),
    "language_other.po": ("ok", "error", "stricter: Language: fr in the en catalog"),
    "python_format_missing.po": ("error", "error", "translation lacks %(pages)s"),
    "python_format_extra.po": ("error", "error", "translation adds %(x)s"),
    "python_format_ok.po": ("ok", "ok", "placeholders reordered"),
    "python_format_unnamed_count.po": ("error", "error", "%s %d against %s"),
    "python_format_mixed_invalid_source.po": ("ok", "ok", "msgid is no valid python-format "
                                              "string, so msgfmt checks nothing"),
    "python_format_fuzzy_mismatch.po": ("ok", "ok", "fuzzy entries are not checked"),
    "percent_text_flagged.po": ("error", "error", "'50% of' flagged python-format: refused, with "
                                "the advice to drop the flag"),
    "percent_text_unflagged.po": ("ok", "ok", "the same message without the flag: «٥٠٪» accepted"),
    "c_format_mismatch.po": ("error", "error", "%s/%d swapped in a c-format entry: refused for its "
                             "flag (only python-format is checked)"),
    "newline_start_mismatch.po": ("error", "error", "msgid begins with \\n, msgstr not"),
    "newline_end_mismatch.po": ("error", "error", "msgstr ends with \\n, msgid not"),
    "previous_msgctxt.po": ("ok", "ok", "#| msgctxt and #| msgid on a fuzzy entry"),
    "previous_obsolete.po": ("ok", "ok", "#~| msgid on an obsolete entry"),
    "fuzzy_entry.po": ("ok", "ok", "a fuzzy translation"),
}


def language_of(name: str) -> str:
    return "ar" if name.startswith("ar_") else "en"


def msgfmt(path: Path) -> tuple[str, list[tuple[str, list[int]]]]:
    """msgfmt's verdict and its problems as (severity, lines) groups."""
    result = subprocess.run([MSGFMT, "--check", "-o", "/dev/null", path.name], cwd=path.parent,
                            capture_output=True, text=True, check=False)
    groups: list[tuple[str, list[int]]] = []
    for line in result.stderr.splitlines():
        match = re.match(rf"{re.escape(path.name)}:(\d+):(?:\d+:)? (.*)", line)
        if not match:
            continue
        number, message = int(match.group(1)), match.group(2)
        if message.startswith("...") and groups:
            groups[-1][1].append(number)
        else:
            groups.append(("warning" if message.startswith("warning") else "error", [number]))
    verdict = "error" if result.returncode else ("warning" if "warning" in result.stderr else "ok")
    return verdict, groups


def ours(path: Path) -> tuple[str, list[int], list[int]]:
    """Our verdict, error lines and warning lines."""
    try:
        catalog = read_po(path.read_bytes(), path.name, language=language_of(path.name))
    except PipelineError as error:
        assert all(p.file == path.name and p.message for p in error.problems)
        return "error", [p.line or 0 for p in error.problems], []
    lines = [p.line or 0 for p in catalog.warnings]
    return ("warning" if catalog.warnings else "ok"), [], lines


def readme_table() -> dict[str, tuple[str, str]]:
    """The README's rows: file -> (msgfmt's verdict, read_po's)."""
    rows = {}
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([^`]+)` \| (\w+) \| (\w+) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_the_corpus_the_table_and_the_readme_agree():
    files = {p.name for p in CORPUS.glob("*.po")}
    assert files == set(CASES), files ^ set(CASES)
    assert len(files) >= 80
    assert readme_table() == {name: (theirs, mine) for name, (theirs, mine, _) in CASES.items()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_read_po_gives_the_verdict_of_the_table(name):
    """The reader's side of the table."""
    expected_msgfmt, expected_ours, note = CASES[name]
    assert ours(CORPUS / name)[0] == expected_ours
    if expected_msgfmt != expected_ours:
        assert note.startswith("stricter:"), "a different verdict needs a reason"
        assert (expected_msgfmt, expected_ours) in {("ok", "error"), ("ok", "warning"),
                                                    ("warning", "error")}, "only ever stricter"


@pytest.mark.parametrize("name", sorted(CASES))
def test_verdicts_and_lines_agree_with_msgfmt(name):
    path = CORPUS / name
    expected_msgfmt, _, note = CASES[name]
    verdict, groups = msgfmt(path)
    assert verdict == expected_msgfmt, "msgfmt's verdict changed: update the table"
    our_verdict, error_lines, warning_lines = ours(path)
    if verdict != our_verdict or note.startswith("line:"):
        return  # stricter (checked above), or another line for the reason given
    for severity, lines in groups:
        mine = error_lines if severity == "error" else warning_lines
        assert set(lines) & set(mine), f"msgfmt reports {severity} at {lines}, we at {mine}"


@pytest.mark.parametrize("name", sorted(n for n, (_, v, _) in CASES.items() if v != "error"))
def test_an_accepted_catalog_round_trips(name):
    catalog = read_po((CORPUS / name).read_bytes(), name, language=language_of(name))
    again = read_po(serialise(catalog), name, language=language_of(name))
    assert again == catalog
    assert serialise(again) == serialise(catalog)


def big_catalog(count: int) -> bytes:
    head = (CORPUS / "header_only.po").read_text(encoding="utf-8")
    parts = [head]
    for i in range(count):
        parts.append(f"\n#. Signatory {i} of {count}: the name of an organisation.\n"
                     f"#: sources/big.yaml:{i + 1}\nmsgctxt \"signatory\"\n"
                     f"msgid \"Organisation number {i} for the freedom of expression in Syria\"\n"
                     f"msgstr \"المنظمة رقم {i} من أجل حرية التعبير في سوريا\"\n")
    return "".join(parts).encode("utf-8")


BIG = 5_000
"""Entries of the large catalog: many more than a real catalog, few enough to stay quick."""


def test_a_large_catalog_is_read_and_written_back_byte_for_byte(tmp_path):
    data = big_catalog(BIG)
    catalog = read_po(data, "big.po", language="en")
    assert len(catalog.entries) == BIG
    assert catalog.entries[-1].msgid_line == data.count(b"\n") - 1
    assert serialise(catalog) == data
    path = tmp_path / "big.po"
    path.write_bytes(data)
    assert msgfmt(path)[0] == "ok"


def test_a_duplicate_at_the_end_of_a_large_catalog_is_refused_with_both_lines():
    data = big_catalog(BIG)
    first = data.decode().splitlines().index(
        'msgid "Organisation number 7 for the freedom of expression in Syria"') + 1
    data += (b'\nmsgctxt "signatory"\nmsgid "Organisation number 7 for the freedom of expression '
             b'in Syria"\nmsgstr "x"\n')
    with pytest.raises(PipelineError) as caught:
        read_po(data, "big.po", language="en")
    [problem] = caught.value.problems
    assert problem.line == data.count(b"\n") - 1
    assert "defined twice" in problem.message and f"line {first}" in problem.message

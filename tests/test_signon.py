"""Sign-on sheets: ``python -m pipeline signatories STATEMENT FILE.csv`` adds the new
organisations after the last signatory, skips the ones already listed in whatever spelling,
reports the same organisation under two names with both lines, and changes the statement's file
by the new lines only."""

from __future__ import annotations

import difflib

import pytest

from pipeline.errors import PipelineError
from pipeline.signon import insert_signatories, match_key, match_keys, read_sheet, scalar
from pipeline.source import parse_statement

from .helpers import cli, edit, line_of

G = "sources/ghouta-2017.yaml"
ONE = "sources/one-voice-2019.yaml"


def names_of(project, name=G):
    """Each signatory as the statement reads it: its name, and the names it gives itself."""
    statement_id = name.rsplit("/", 1)[1].removesuffix(".yaml")
    statement = parse_statement((project.root / name).read_bytes(), name, statement_id)
    return [(s.value, dict(s.given)) for s in statement.signatories]


def diff(before: bytes, after: bytes) -> list[str]:
    """The lines a unified diff adds or removes (without its headers)."""
    return [line for line in difflib.unified_diff(
        before.decode("utf-8").splitlines(), after.decode("utf-8").splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def sheet(tmp_path, text: str | bytes, name: str = "sheet.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


GHOUTA = ["Baytna Syria", "Syrian Network for Human Rights", "Women Now for Development",
          "تجمع المحامين السوريين الأحرار"]


def test_new_names_are_added_a_known_one_skipped_and_a_conflict_reported(small, capsys, tmp_path):
    csv = sheet(tmp_path, (
        "Timestamp,Email address,en,ar\n"
        "2024-03-01 09:12,info@syriarelief.org,Syria Relief,سوريا للإغاثة\n"
        "2024-03-01 09:40,contact@baytna.org,  baytna   SYRIA. ,\n"
        "2024-03-01 10:02,office@snhr.org,Syrian Network for Human Rights,"
        "الشبكة السوريه لحقوق الانسان\n"
        "2024-03-01 10:30,a@b.org,Syrian Network for Human Rights,شبكة حقوق الإنسان في سوريا\n"
        "2024-03-01 11:00,c@d.org,Dawlaty,دولتي\n"))
    before = (small.root / G).read_bytes()
    line = line_of(small, G, "en: Syrian Network for Human Rights")
    baytna = line_of(small, G, "- Baytna Syria")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1  # something could not be decided
    network = ("'Syrian Network for Human Rights' / 'الشبكة السورية لحقوق الإنسان' "
               f"({G}:{line})")
    assert lines == [
        f"{csv}:2: added 'Syria Relief' / 'سوريا للإغاثة'",
        f"{csv}:3: skipped: 'baytna SYRIA.' is already listed as 'Baytna Syria' ({G}:{baytna})",
        f"{csv}:4: skipped: 'Syrian Network for Human Rights' / 'الشبكة السوريه لحقوق الانسان' "
        f"is already listed as {network}",
        f"{csv}:5: could not decide: 'Syrian Network for Human Rights' / "
        f"'شبكة حقوق الإنسان في سوريا' is {network} under another name in ar: is it the same "
        "organisation? Correct the sheet or the statement, then run again",
        f"{csv}:6: added 'Dawlaty' / 'دولتي'",
        f"{G}: 2 added, 2 skipped, 1 could not be decided; written",
    ]
    after = (small.root / G).read_bytes()
    assert diff(before, after) == [
        "+  - en: Syria Relief", "+    ar: سوريا للإغاثة",
        "+  - en: Dawlaty", "+    ar: دولتي"]
    assert after.startswith(before)  # the signatories end the file: the new lines follow them
    assert names_of(small) == [(GHOUTA[0], {}), (GHOUTA[1], {"ar": "الشبكة السورية لحقوق الإنسان"}),
                               (GHOUTA[2], {}), (GHOUTA[3], {}),
                               ("Syria Relief", {"ar": "سوريا للإغاثة"}),
                               ("Dawlaty", {"ar": "دولتي"})]
    # run again: everything is known now, nothing is written
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert (small.root / G).read_bytes() == after
    assert lines[-1] == f"{G}: 0 added, 4 skipped, 1 could not be decided; nothing to write"


def test_names_go_after_the_last_signatory_whatever_follows(small, capsys, tmp_path):
    """A statement whose signatories come before its body: the new names join the list, with a
    comment on the last line kept on it."""
    path = small.root / G
    text = path.read_text("utf-8")
    head, signatories = text.split("\nsignatories:\n")
    body_at = head.index("body:")
    path.write_text(head[:body_at] + "signatories:\n" + signatories.rstrip("\n")
                    + "   # the last one\n\n" + head[body_at:] + "\n", "utf-8")
    before = path.read_bytes()
    csv = sheet(tmp_path, "en\nLawyers for Justice in Libya\n")
    assert cli(capsys, small, "signatories", "ghouta-2017", csv)[0] == 0
    after = path.read_text("utf-8")
    assert diff(before, after.encode()) == ["+  - Lawyers for Justice in Libya"]
    assert "الأحرار   # the last one\n  - Lawyers for Justice in Libya\n\nbody:" in after
    assert [name for name, _ in names_of(small)] == [*GHOUTA, "Lawyers for Justice in Libya"]


def test_a_statement_without_signatories_gets_the_key(small, capsys, tmp_path):
    before = (small.root / ONE).read_bytes()
    csv = sheet(tmp_path, "ar,en\nمنظمة العدالة,Justice Organisation\n,Impunity Watch\n")
    assert cli(capsys, small, "signatories", "one-voice-2019", csv)[0] == 0
    after = (small.root / ONE).read_bytes()
    assert diff(before, after) == ["+signatories:", "+  - en: Justice Organisation",
                                   "+    ar: منظمة العدالة", "+  - Impunity Watch"]
    assert names_of(small, ONE) == [("Justice Organisation", {"ar": "منظمة العدالة"}),
                                    ("Impunity Watch", {})]


def test_bom_semicolons_crlf_and_rows_in_one_language(small, capsys, tmp_path):
    """As a spreadsheet in a comma-decimal locale exports: a byte-order mark, semicolons,
    CRLF line ends, a quoted cell holding the separator and a doubled quote."""
    csv = sheet(tmp_path, "\ufeffen;ar;Email\r\n"
                          "Kesh Malek;;k@m.org\r\n"
                          ";رابطة الصحفيين السوريين;r@s.org\r\n"
                          '"Hurras Network; Child Protection";;h@n.org\r\n'
                          '"The ""Day After"" Association";;d@a.org\r\n'
                          "\r\n"
                          "Impunity Watch;Impunity Watch;i@w.org\r\n".encode("utf-8"))
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 0, lines
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [f"{csv}:{n}" for n in (2, 3, 4, 5, 7)]
    assert diff(before, (small.root / G).read_bytes()) == [
        "+  - Kesh Malek", "+  - رابطة الصحفيين السوريين", "+  - Hurras Network; Child Protection",
        "+  - The \"Day After\" Association", "+  - Impunity Watch"]
    assert [name for name, _ in names_of(small)][4:] == [
        "Kesh Malek", "رابطة الصحفيين السوريين", "Hurras Network; Child Protection",
        'The "Day After" Association', "Impunity Watch"]


def test_the_same_organisation_twice_in_the_sheet(small, capsys, tmp_path):
    csv = sheet(tmp_path, "en,ar\n"
                          "Syria Relief,سوريا للإغاثة\n"
                          "SYRIA-RELIEF,سوريا للاغاثه\n"
                          "Syria Relief,الإغاثة السورية\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1
    assert lines[1] == (f"{csv}:3: skipped: 'SYRIA-RELIEF' / 'سوريا للاغاثه' is already listed as "
                        f"'Syria Relief' / 'سوريا للإغاثة' ({csv}:2)")
    assert lines[2].startswith(f"{csv}:4: could not decide: 'Syria Relief' / 'الإغاثة السورية' "
                               f"is 'Syria Relief' / 'سوريا للإغاثة' ({csv}:2) under another name")
    assert [name for name, _ in names_of(small)] == [*GHOUTA, "Syria Relief"]


def test_a_later_row_adds_its_other_name_to_the_organisation_an_earlier_row_adds(
        small, capsys, tmp_path):
    """The same organisation twice in the sheet, its Arabic name only in the second row: one
    entry, with both names, and both lines say so."""
    csv = sheet(tmp_path, "en,ar\n"
                          "Kesh Malek,\n"
                          "Dawlaty,دولتي\n"
                          "KESH MALEK,كش ملك\n")
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 0, lines
    assert lines == [
        f"{csv}:2: added 'Kesh Malek' / 'كش ملك' (its ar name from line 4)",
        f"{csv}:3: added 'Dawlaty' / 'دولتي'",
        f"{csv}:4: skipped: 'KESH MALEK' / 'كش ملك' is 'Kesh Malek' ({csv}:2), added once, "
        "with its ar name from this line",
        f"{G}: 2 added, 1 skipped, 0 could not be decided; written"]
    assert diff(before, (small.root / G).read_bytes()) == [
        "+  - en: Kesh Malek", "+    ar: كش ملك", "+  - en: Dawlaty", "+    ar: دولتي"]


def test_a_name_the_statement_lacks_is_never_dropped_without_a_word(small, capsys, tmp_path):
    """An Arabic name for an organisation the statement lists in English only: the statement's
    lines are not changed, so the row is left to the coordinator, with both lines."""
    csv = sheet(tmp_path, "en,ar\nBaytna Syria,بيتنا سوريا\n")
    before = (small.root / G).read_bytes()
    baytna = line_of(small, G, "- Baytna Syria")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1
    assert lines[0] == (
        f"{csv}:2: could not decide: 'Baytna Syria' / 'بيتنا سوريا' is 'Baytna Syria' "
        f"({G}:{baytna}), which gives no name in ar: to print 'بيتنا سوريا', add it there by "
        "hand (ar: بيتنا سوريا), or remove the row from the sheet; then run again")
    assert (small.root / G).read_bytes() == before


@pytest.mark.parametrize(("listed", "given"), [
    ("Lawyers & Doctors for Human Rights", "Lawyers and Doctors for Human Rights"),
    ("Lawyers and Doctors for Human Rights", "LAWYERS&DOCTORS FOR HUMAN RIGHTS"),
])
def test_an_ampersand_is_the_languages_and(small, capsys, tmp_path, listed, given):
    edit(small, G, "  - Baytna Syria\n", f"  - {listed}\n")
    csv = sheet(tmp_path, f"en\n{given}\n")
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 0, lines
    assert lines[0].startswith(f"{csv}:2: skipped: {given!r} is already listed as {listed!r}")
    assert (small.root / G).read_bytes() == before


def test_a_row_naming_two_listed_organisations_is_not_decided(small, capsys, tmp_path):
    csv = sheet(tmp_path, "en,ar\nBaytna Syria,الشبكة السورية لحقوق الإنسان\n")
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1
    assert "names two organisations: 'Baytna Syria' (" in lines[0]
    assert (small.root / G).read_bytes() == before


@pytest.mark.parametrize(("listed", "given"), [
    ("مؤسسة الأمل", "مؤسسه الامل"),  # teh marbuta and heh, hamza on alef
    ("جمعية إنسان", "جمعيه انسان"),  # hamza below
    ("منظمة آفاق", "منظمه افاق"),  # madda
    ("مستشفى الهدى", "مستشفي الهدي"),  # alef maksura and yeh
    ("رابطة الكتّاب", "رابطة الكتاب"),  # shadda
    ("مُنظّمة", "منظمة"),  # diacritics
    ("منظـــمة النور", "منظمة النور"),  # tatweel
    ("مجموعة ٢٠١١", "مجموعة 2011"),  # Arabic-Indic digits
    ("Société Civile", "societe civile"),  # case and accents
    ("Al-Shabaka", "Al Shabaka"),  # punctuation and spaces
    ("Zenobia, Syrian Women's Association", "Zenobia Syrian Womens Association"),
])
def test_spellings_of_one_name_match(listed, given):
    assert match_key(listed) == match_key(given)


@pytest.mark.parametrize(("code", "listed", "given"), [
    ("en", "Lawyers & Doctors", "Lawyers and Doctors"),
    ("fr", "Avocats & Médecins", "avocats et medecins"),
    ("ar", "أطباء & محامون", "أطباء ومحامون"),
])
def test_an_ampersand_matches_the_word_for_and_in_the_names_language(code, listed, given):
    assert match_key(listed, code) == match_key(given, code)


@pytest.mark.parametrize(("statement_language", "column"), [("fr", "en"), ("en", "fr")])
def test_the_same_name_with_an_ampersand_matches_itself_in_any_column(
        small, capsys, tmp_path, statement_language, column):
    """The same text is the same organisation whichever column gives it: its "&" is not read as
    the column's "and" only (it was "et" in one and "and" in the other: added twice)."""
    edit(small, G, "language: en", f"language: {statement_language}")
    edit(small, G, "  - en: Syrian", f"  - {statement_language}: Syrian")
    edit(small, G, "  - Baytna Syria\n", "  - Lawyers & Doctors for Syria\n")
    csv = sheet(tmp_path, f"{column}\nLawyers & Doctors for Syria\n")
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 0, lines
    assert lines[0].startswith(f"{csv}:2: skipped: 'Lawyers & Doctors for Syria' is already "
                               "listed as 'Lawyers & Doctors for Syria'"), lines
    assert (small.root / G).read_bytes() == before


@pytest.mark.parametrize(("one", "other"), [
    ("Lawyers & Doctors", "Lawyers & Doctors"),
    ("Lawyers & Doctors", "Lawyers and Doctors"),
    ("Avocats & Médecins", "avocats et medecins"),
    ("منظمة & الأمل", "منظمة والأمل"),
])
def test_an_ampersand_has_the_same_keys_in_every_column(one, other):
    languages = ("en", "fr", "ar")
    for codes in (languages, languages[::-1]):
        assert match_keys(one, codes) & match_keys(other, codes)
    assert match_keys(one, ("fr", "en")) == match_keys(one, ("en", "fr"))


@pytest.mark.parametrize(("one", "other"), [
    ("Syria Relief", "Syria Relief Fund"), ("منظمة النور", "منظمة النوى"),
    ("Group 2011", "Group 2012"),
])
def test_different_names_do_not_match(one, other):
    assert match_key(one) != match_key(other)


HOSTILE = ["{{ 7*7 }}", "<script>alert(1)</script>", "!!python/object/apply:os.system ['ls']",
           "&anchor Org", "*alias", "- dash", "# hash", "'single'", '"double"', "a: b", "2011",
           "null", "yes", "@at", "`tick`", "% percent", "key: value # comment", "[list]",
           "{map: x}", "? question", "| pipe", "> fold", "end:", "Trailing #"]


def test_hostile_names_stay_text(small, capsys, tmp_path):
    rows = "".join('"' + name.replace('"', '""') + '"\n' for name in HOSTILE)
    csv = sheet(tmp_path, "en\n" + rows)
    before = (small.root / G).read_bytes()
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 0, lines
    assert [name for name, _ in names_of(small)] == [*GHOUTA, *HOSTILE]
    added = diff(before, (small.root / G).read_bytes())
    assert len(added) == len(HOSTILE) and all(line.startswith("+  - ") for line in added)


@pytest.mark.parametrize("name", HOSTILE + ["Baytna Syria", "تجمع المحامين", "x:y", "1e3", "~"])
def test_a_scalar_reads_back_as_written(name):
    import yaml

    assert yaml.safe_load(f"- {scalar(name)}\n") == [name]
    assert yaml.safe_load(f"a: {scalar(name)}\n") == {"a": name}


def test_names_in_the_statements_own_indentation_and_line_ends(small, capsys, tmp_path):
    path = small.root / G
    text = path.read_text("utf-8")
    head = text.split("\nsignatories:\n")[0]
    path.write_bytes((head + "\nsignatories:\n- Baytna Syria\n- en: Syrian Network for Human "
                      "Rights\n  ar: الشبكة السورية لحقوق الإنسان\n").replace("\n", "\r\n")
                     .encode("utf-8"))
    before = path.read_bytes()
    csv = sheet(tmp_path, "en,ar\nKesh Malek,كش ملك\nWomen Now,\n")
    assert cli(capsys, small, "signatories", "ghouta-2017", csv)[0] == 0
    after = path.read_bytes()
    assert after == before + "- en: Kesh Malek\r\n  ar: كش ملك\r\n- Women Now\r\n".encode()


def test_a_file_without_a_final_line_break(small, capsys, tmp_path):
    path = small.root / G
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    csv = sheet(tmp_path, "en\nKesh Malek\n")
    assert cli(capsys, small, "signatories", "ghouta-2017", csv)[0] == 0
    assert path.read_text("utf-8").endswith("الأحرار\n  - Kesh Malek\n")


def test_a_column_named_by_the_option(small, capsys, tmp_path):
    csv = sheet(tmp_path, "Horodateur,Organisation (English),اسم المنظمة\n"
                          "2024,Kesh Malek,كش ملك\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv,
                        "--column", "en=Organisation (English)", "--column", "ar=اسم المنظمة")
    assert status == 0, lines
    assert names_of(small)[-1] == ("Kesh Malek", {"ar": "كش ملك"})


def test_a_dry_run_writes_nothing(small, capsys, tmp_path):
    before = (small.root / G).read_bytes()
    csv = sheet(tmp_path, "en\nKesh Malek\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv, "--dry-run")
    assert status == 0
    assert lines == [f"{csv}:2: added 'Kesh Malek'",
                     f"{G}: 1 added, 0 skipped, 0 could not be decided; nothing written (--dry-run)"]
    assert (small.root / G).read_bytes() == before


@pytest.mark.parametrize(("data", "line", "message"), [
    ("en,ar\nGood Org,\nLatin-1 Soci\xe9t\xe9,\n".encode("latin-1"), 3,
     "the sheet is not UTF-8 text: export it as 'CSV UTF-8' (in a spreadsheet: Save as, CSV "
     "UTF-8)"),
    (b"", 1, "the sheet is empty: it needs a header row naming its columns, then a row per "
             "organisation"),
    (b"Baytna Syria,info@baytna.org\nKesh Malek,k@m.org\n", 1,
     "no column of the header row (the first) is headed by a language code (en, ar, fa, fr): head "
     "the name columns so, or name them with --column, such as --column en=\"Organisation name\"; "
     "the columns are 'Baytna Syria', 'info@baytna.org'"),
    (b"en,ar\nGood Org,\nBad \"quoted\" Org,\n", 3,
     "a stray quote (\") in 'Bad \"quoted\" Org': a cell that holds a quote is written in "
     "quotes, the quote doubled (\"a \"\"b\"\"\")"),
    (b"en,ar\n\"Good\"x,\n", 2,
     "text after a closing quote ('x'): a quote inside a quoted cell is written twice (\"\")"),
    (b"en,ar\nGood Org,\n\"Never closed,\nOther Org,\n", 3,
     "a quote (\") opens a cell here and is never closed: the rest of the sheet would be one "
     "name; close it, or remove the quote"),
    (b"en,en\nA,B\n", 1, "two columns are headed 'en': rename one, or say which to read with "
                         "--column"),
    ("en\nA\u202eB\n".encode(), 2,
     "column 'en': the invisible or control character U+202E (RIGHT-TO-LEFT OVERRIDE) is not "
     "allowed: delete it"),
])
def test_a_bad_sheet_is_reported_on_its_line_and_nothing_is_written(small, capsys, tmp_path,
                                                                    data, line, message):
    csv = sheet(tmp_path, data)
    before = (small.root / G).read_bytes()
    assert cli(capsys, small, "signatories", "ghouta-2017", csv) == (1, [f"{csv}:{line}: {message}"])
    assert (small.root / G).read_bytes() == before


def test_every_problem_of_a_sheet_at_once(tmp_path):
    with pytest.raises(PipelineError) as raised:
        read_sheet(b'en\n"a"b\nc"d\nGood\n' + b"x" * 81 + b"\n", "s.csv", ["en"])
    assert [(p.line, p.message.split(" ")[0]) for p in raised.value.problems] == [
        (2, "text"), (3, "a"), (5, "column")]


def test_a_missing_sheet_or_statement(small, capsys, tmp_path):
    missing = str(tmp_path / "nothing.csv")
    assert cli(capsys, small, "signatories", "ghouta-2017", missing) == (1, [
        f"{missing}: there is no such file: give the path of the CSV file that the form or "
        "spreadsheet exported"])
    csv = sheet(tmp_path, "en\nA\n")
    assert cli(capsys, small, "signatories", "nowhere-2020", csv) == (1, [
        "sources/nowhere-2020.yaml: there is no statement 'nowhere-2020': the identifier is the "
        "name of a file in sources/, without .yaml"])


def test_a_statement_with_a_mistake_is_reported_and_left_alone(small, capsys, tmp_path):
    edit(small, G, "date: 2017-11", "date: 2017-13")
    before = (small.root / G).read_bytes()
    csv = sheet(tmp_path, "en\nKesh Malek\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1 and lines[0].startswith(f"{G}:")
    assert (small.root / G).read_bytes() == before


def test_a_list_in_brackets_is_refused():
    text = "id: x\nsignatories: [A, B]\n"
    with pytest.raises(PipelineError, match=r"written as a list in brackets"):
        insert_signatories(text, [(("en", "C"),)], "x.yaml")


def test_a_name_without_letters_is_not_decided(small, capsys, tmp_path):
    csv = sheet(tmp_path, "en\n~\n--\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1
    assert lines[:2] == [f"{csv}:2: could not decide: '~' has no letter or digit: correct the "
                         "sheet, or add the name by hand",
                         f"{csv}:3: could not decide: '--' has no letter or digit: correct the "
                         "sheet, or add the name by hand"]


def test_an_ampersand_alone_is_no_name(small, capsys, tmp_path):
    """"&" has no letter or digit as written: it is not the word "and" made a signatory, and
    a real organisation named AND is not taken for it."""
    csv = sheet(tmp_path, "en\n&\n&&\n& \nAND\n")
    before = names_of(small)
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv)
    assert status == 1
    assert lines[:4] == [f"{csv}:{n}: could not decide: {name!r} has no letter or digit: "
                         "correct the sheet, or add the name by hand"
                         for n, name in ((2, "&"), (3, "&&"), (4, "&"))] + [
                         f"{csv}:5: added 'AND'"]
    assert names_of(small) == [*before, ("AND", {})]


def test_a_row_without_a_name_or_without_the_statements_language(small, capsys, tmp_path):
    csv = sheet(tmp_path, "Timestamp,en,ar,Nom\n"
                          "2024-03-01,,,\n"
                          "2024-03-02,,منظمة النور,Organisation Lumière\n")
    status, lines = cli(capsys, small, "signatories", "ghouta-2017", csv, "--column", "fr=Nom")
    assert status == 1
    assert lines[:2] == [
        f"{csv}:2: skipped: no organisation name in the columns en, ar, Nom: row ignored",
        f"{csv}:3: could not decide: 'منظمة النور' / 'Organisation Lumière' has names in ar and "
        "fr but none in en, the statement's language: add it by hand"]


def test_check_warns_at_a_signatory_listed_twice_as_a_sheet_would_match_it(small, capsys):
    """The same organisation typed twice in the statement (another case, "&" for "and", an
    Arabic spelling variant) would print twice: `check` says where, as a warning."""
    edit(small, "sources/ghouta-2017.yaml", "  - Women Now for Development\n",
         "  - Women Now for Development\n  - BAYTNA  syria\n  - Women Now & Development\n"
         "  - Women Now and Development\n  - تجمع المحامين السوريين الاحرار\n")
    status, lines = cli(capsys, small, "check", "--lang", "en")
    twice = [line for line in lines if "would print it twice" in line]
    assert twice == [
        "sources/ghouta-2017.yaml:30: warning: the signatory 'BAYTNA syria' is the one listed as "
        "'Baytna Syria' (line 26): the editions would print it twice: keep one",
        "sources/ghouta-2017.yaml:32: warning: the signatory 'Women Now and Development' is the "
        "one listed as 'Women Now & Development' (line 31): the editions would print it twice: "
        "keep one",
        "sources/ghouta-2017.yaml:34: warning: the signatory 'تجمع المحامين السوريين الأحرار' is "
        "the one listed as 'تجمع المحامين السوريين الاحرار' (line 33): the editions would print it "
        "twice: keep one"], lines
    assert status == 0, "a warning: the statement still prints"

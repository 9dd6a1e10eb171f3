"""Reading statements: the real one faithfully, broken ones with every problem located."""

import datetime

import pytest

from pipeline.errors import PipelineError
from pipeline.source import load_statements, normalise, parse_statement

VALID = b"""id: demo
title: A title
date: 2020-05-01
language: en
issuer: Someone
body:
  - First paragraph.
signatories:
  - An organisation
"""


def problems(data: bytes, name: str = "demo") -> list[str]:
    with pytest.raises(PipelineError) as caught:
        parse_statement(data, f"sources/{name}.yaml", name)
    return [str(p) for p in caught.value.problems]


def test_the_sochi_statement_is_the_seed_word_for_word(project, seed):
    [statement] = load_statements(project)
    assert statement.id == "sochi-2018"
    assert statement.title.value == seed["title"]
    assert statement.subtitle.value == seed["subtitle"]
    assert statement.date == datetime.date(2018, 1, 3)
    assert statement.language == "en"
    assert [p.value for p in statement.body] == seed["paragraphs"]
    assert [s.value for s in statement.signatories] == seed["signatories"]
    assert len(statement.signatories) == 133


def test_lines_are_remembered_for_references():
    statement = parse_statement(VALID, "sources/demo.yaml", "demo")
    assert statement.title.line == 2
    assert statement.body[0].line == 7
    assert statement.signatories[0].line == 9


def test_whitespace_is_normalised():
    assert normalise("  two\n   lines\tand  spaces ") == "two lines and spaces"
    rewrapped = VALID.replace(b"  - First paragraph.", b"  - >-\n    First\n    paragraph.")
    assert parse_statement(rewrapped, "s.yaml", "demo").body[0].value == "First paragraph."


def test_every_problem_of_a_file_is_reported_at_once():
    data = VALID.replace(b"title: A title", b"titel: A title").replace(
        b"date: 2020-05-01", b"date: first of May").replace(b"language: en", b"language: xx")
    found = problems(data)
    assert "sources/demo.yaml:2: unknown field 'titel': did you mean 'title'?" in found
    assert any(p.startswith("sources/demo.yaml:3: 'date' must be an ISO date") for p in found)
    assert any(p.startswith("sources/demo.yaml:4: 'xx' is not a language code") for p in found)
    assert any("the field 'title' is missing" in p for p in found)


def test_a_duplicate_key_is_an_error_not_a_silent_loss():
    data = VALID + b"body:\n  - Pasted again.\n"
    [problem] = problems(data)
    assert problem.startswith("sources/demo.yaml:10: 'body' is given twice (first on line 6)")


def test_tabs_in_indentation_get_a_clear_message():
    data = VALID.replace(b"  - First paragraph.", b"\t- First paragraph.")
    [problem] = problems(data)
    assert problem.startswith("sources/demo.yaml:7: a tab is used for indentation")


def test_a_file_that_is_not_utf8_is_named_with_its_line():
    data = VALID.replace(b"Someone", "Société".encode("latin-1"))
    [problem] = problems(data)
    assert problem == "sources/demo.yaml:5: the file is not UTF-8 text: save it with the UTF-8 encoding"


def test_wrong_types_and_empty_texts():
    data = VALID.replace(b"title: A title", b"title: [a, list]").replace(
        b"  - An organisation", b"  - ''")
    found = problems(data)
    assert any(p.startswith("sources/demo.yaml:2: 'title' must be text") for p in found)
    assert any(p.startswith("sources/demo.yaml:9: 'signatories item 1' is empty") for p in found)


def test_the_identifier_must_match_the_file_name():
    [problem] = problems(VALID, name="other")
    assert "'id' is 'demo' but the file is named other.yaml" in problem


def test_yaml_tags_are_not_executed():
    data = VALID.replace(b"title: A title", b"title: !!python/object/apply:os.system [echo hi]")
    found = problems(data)
    assert found and all("sources/demo.yaml" in p for p in found)


def test_invisible_characters_are_refused():
    data = VALID.replace(b"A title", "A \u202etitle".encode())
    [problem] = problems(data)
    assert "U+202E" in problem and problem.startswith("sources/demo.yaml:2:")

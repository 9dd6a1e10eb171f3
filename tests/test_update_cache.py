"""``update`` after one statement changed parses that statement only (the others' messages come
from the stamp's second line, by file hash), and leaves exactly the bytes a full update leaves;
a stored line that is damaged or of another version is never trusted."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pytest

import pipeline.parse
from pipeline.commands.update import UPDATE_STAMP, update
from pipeline.project import Project

from .helpers import edit, files_of

G = "sources/ghouta-2017.yaml"
NOW = re.compile(rb"(POT-Creation-Date|PO-Revision-Date): [^\\]*")


def catalogs(project: Project) -> dict[str, bytes]:
    """The template and catalogs, their dates of writing left out (a full update on a copy
    may run in the next minute)."""
    return {name: NOW.sub(rb"\1: -", data) for name, data in files_of(project.locales_dir).items()
            if name.endswith((".po", ".pot"))}


@pytest.fixture
def parsed_statements(monkeypatch) -> list[str]:
    """The file of every statement ``parse`` reads in the test."""
    names: list[str] = []
    original = pipeline.parse.parse_statement

    def counting(data, name, statement_id):
        names.append(name)
        return original(data, name, statement_id)

    monkeypatch.setattr(pipeline.parse, "parse_statement", counting)
    return names


def from_scratch(project: Project, tmp_path) -> dict[str, bytes]:
    """The catalogs a full update of a copy of the project leaves (no stamp: every statement
    parsed)."""
    copy = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}"
    shutil.copytree(project.root, copy)
    (copy / "locales" / UPDATE_STAMP).unlink(missing_ok=True)
    update(Project.at(copy))
    return catalogs(Project.at(copy))


def test_one_statement_edited_parses_it_alone_and_writes_what_a_full_update_does(
        project, tmp_path, parsed_statements):
    update(project)
    edit(project, G, "Food, medicine", "Food, water, medicine")
    parsed_statements.clear()
    reports = update(project)
    assert parsed_statements == [G]
    assert reports["ar"].fuzzy == 1  # the edited paragraph's translation, to review
    assert catalogs(project) == from_scratch(project, tmp_path)
    # and once more, from the line this update stored (its own statement's messages included)
    parsed_statements.clear()
    edit(project, G, "Food, water, medicine", "Food, medicine")
    update(project)
    assert parsed_statements == [G]
    assert catalogs(project) == from_scratch(project, tmp_path)


def test_a_statement_removed_or_added_is_merged_as_a_full_update_does(project, tmp_path,
                                                                       parsed_statements):
    update(project)
    removed = (project.root / G).read_bytes()
    (project.root / G).unlink()
    parsed_statements.clear()
    update(project)
    assert parsed_statements == []
    assert catalogs(project) == from_scratch(project, tmp_path)
    (project.root / G).write_bytes(removed)
    parsed_statements.clear()
    update(project)
    assert parsed_statements == [G]
    assert catalogs(project) == from_scratch(project, tmp_path)


def _messages_line(project: Project) -> dict:
    return json.loads((project.locales_dir / UPDATE_STAMP).read_bytes().split(b"\n", 1)[1])


def _forged(project: Project, damage: str) -> bytes:
    """The stamp's second line damaged: each statement's messages replaced by forged ones where
    the line still reads, so that trusting it would show in the catalogs."""
    stored = _messages_line(project)
    for record in stored["statements"].values():
        for message in record["messages"]:
            message[1] = "FORGED " + message[1]
    unchanged = stored["statements"]["sources/one-voice-2019.yaml"]
    if damage == "another version":
        stored["version"] = "0" * 12
    elif damage == "a wrong type":
        unchanged["messages"][0][2] = "one"
    elif damage == "a missing field":
        del unchanged["language"]
    data = json.dumps(stored).encode()
    return data[:len(data) // 2] if damage == "cut short" else data


@pytest.mark.parametrize("damage", ["cut short", "another version", "a wrong type",
                                    "a missing field", "not json"])
def test_a_damaged_or_foreign_messages_line_is_ignored(project, tmp_path, parsed_statements,
                                                       damage):
    update(project)
    stamp = project.locales_dir / UPDATE_STAMP
    first = stamp.read_bytes().split(b"\n", 1)[0]
    forged = b"\x00\xff{[" if damage == "not json" else _forged(project, damage)
    stamp.write_bytes(first + b"\n" + forged)
    edit(project, G, "Food, medicine", "Food, water, medicine")
    parsed_statements.clear()
    update(project)
    assert sorted(parsed_statements) == sorted(
        f"sources/{path.name}" for path in (project.root / "sources").glob("*.yaml"))
    result = catalogs(project)
    assert not any(b"FORGED" in data for data in result.values())
    assert result == from_scratch(project, tmp_path)
    assert "FORGED" not in json.dumps(_messages_line(project))  # written anew


def test_an_untouched_update_still_decides_from_the_first_line_alone(project, parsed_statements):
    update(project)
    parsed_statements.clear()
    assert update(project) == {}
    assert parsed_statements == []


def test_an_edit_that_changes_no_message_keeps_the_template_as_it_was(project, parsed_statements):
    update(project)
    template = project.template_path
    dated = template.read_bytes().replace(b"POT-Creation-Date: ", b"POT-Creation-Date: 1999-")
    template.write_bytes(dated)  # as the last update left it, but a day long past
    stamp = project.locales_dir / UPDATE_STAMP
    stored = _messages_line(project)
    stored["template"] = hashlib.sha256(dated).hexdigest()
    stamp.write_bytes(stamp.read_bytes().split(b"\n", 1)[0] + b"\n" + json.dumps(stored).encode())
    edit(project, G, "\nbody:\n", "\nbody:  # a comment changes no message\n")
    parsed_statements.clear()
    update(project)
    assert parsed_statements == [G]
    assert template.read_bytes() == dated  # not even its creation date
    edit(project, G, "Food, medicine", "Food, water, medicine")
    update(project)
    assert b"POT-Creation-Date: 1999-" not in template.read_bytes()  # a message changed

"""The state beside each edition: what it was printed from, read back to decide whether it is
still what its inputs give. A state file that cannot be trusted is no state (the edition is
printed again), never an exception."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from pipeline.model import PrintOptions, Target
from pipeline.state import STATE_VERSION, EditionState, read_states

STATE = EditionState(
    statement="sochi-2018", variant="ar", draft=False, options=PrintOptions("A5", "3mm", True),
    languages=("ar",), locales=("ar_SY",),
    inputs={"source": "5" * 64, "catalog ar": "a" * 64, "templates": "7" * 64},
    inputs_hash="0123456789ab", content_hash="ba9876543210", source_version="c0ffee000001",
    catalog_version="c0ffee000002", pages=3, files={"html": "1" * 64, "pdf": "2" * 64})
BILINGUAL = dataclasses.replace(STATE, variant="bilingual", languages=("en", "ar"),
                                locales=("en_GB", "ar_SY"), draft=True, options=PrintOptions())


def raw(state: EditionState = STATE) -> dict:
    return json.loads(state.to_bytes())


def encoded(data: dict) -> bytes:
    return json.dumps(data).encode()


@pytest.mark.parametrize("state", [STATE, BILINGUAL], ids=["arabic", "bilingual-draft"])
def test_a_state_reads_back_as_it_was_written(state):
    data = state.to_bytes()
    assert EditionState.from_bytes(data) == state
    assert json.loads(data)["version"] == STATE_VERSION
    assert state.to_bytes() == data, "the same state gives the same bytes"


def test_the_state_names_its_edition():
    assert STATE.target == Target("sochi-2018", "ar")
    assert BILINGUAL.target == Target("sochi-2018", "bilingual", True)


@pytest.mark.parametrize("data", [
    b"", b"{", b"null", b"[]", b"42", b'"text"', b"\xff\xfe\x00", b"{\"version\": 2}",
    b'{"version": 2, "options": ' + b"[" * 100_000, STATE.to_bytes()[:-7], STATE.to_bytes() + b"junk",
], ids=lambda data: repr(data[:12]))
def test_a_damaged_state_is_no_state(data):
    assert EditionState.from_bytes(data) is None


@pytest.mark.parametrize("version", [None, 1, STATE_VERSION + 1, str(STATE_VERSION), True, 2.5])
def test_a_state_of_another_version_is_no_state(version):
    data = raw()
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    assert EditionState.from_bytes(encoded(data)) is None


@pytest.mark.parametrize("key", [f.name for f in dataclasses.fields(EditionState)])
def test_a_state_without_one_of_its_fields_is_no_state(key):
    data = raw()
    del data[key]
    assert EditionState.from_bytes(encoded(data)) is None


def test_a_state_with_a_field_it_does_not_know_is_no_state():
    assert EditionState.from_bytes(encoded({**raw(), "printer": "HP"})) is None
    assert EditionState.from_bytes(encoded({**raw(), "options": {
        **raw()["options"], "colour": "cmyk"}})) is None


@pytest.mark.parametrize(("key", "value"), [
    ("statement", 5), ("variant", None), ("draft", "no"), ("draft", 0),
    ("languages", "ar"), ("languages", [1]), ("languages", []), ("languages", {"ar": 1}),
    ("locales", "ar_SY"), ("locales", [None]), ("locales", ["ar_SY", "en_GB"]),
    ("inputs", []), ("inputs", {"source": 5}), ("files", "x"), ("files", {"pdf": ["x"]}),
    ("options", "A4"), ("options", None), ("options", {"paper": "A4", "bleed": [1], "archival": False}),
    ("options", {"paper": "A4", "bleed": None, "archival": "no"}),
    ("inputs_hash", None), ("content_hash", 5), ("source_version", ["x"]), ("catalog_version", {}),
    ("pages", "3"), ("pages", None), ("pages", 2.5), ("pages", True),
])
def test_a_state_with_a_field_of_the_wrong_type_is_no_state(key, value):
    assert EditionState.from_bytes(encoded({**raw(), key: value})) is None


@pytest.mark.parametrize("locale", ["zz_QQ", "../../etc", "", "ar-SY", "x" * 200])
def test_a_state_with_an_unknown_locale_is_no_state(locale):
    """The index formats a kept edition with its state's locale: one CLDR does not know would
    stop the build with a traceback."""
    assert EditionState.from_bytes(encoded({**raw(), "locales": [locale]})) is None


# --- read_states --------------------------------------------------------------------------------

def write_state(output: Path, state: EditionState, path: Path | None = None) -> Path:
    path = path or state.target.state_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(state.to_bytes())
    return path


def test_read_states_reads_every_edition_and_draft_by_its_target(tmp_path):
    output = tmp_path / "output"
    states = [STATE, dataclasses.replace(STATE, variant="en", languages=("en",),
                                         locales=("en_GB",)),
              BILINGUAL, dataclasses.replace(STATE, statement="ghouta-2017")]
    for state in states:
        write_state(output, state)
    found = read_states(output, output / "drafts")
    assert found == {state.target: state for state in states}
    assert BILINGUAL.target.state_path(output) == output / "drafts" / "sochi-2018" / (
        ".sochi-2018.bilingual.state.json")


def test_read_states_ignores_a_state_whose_name_and_content_disagree(tmp_path):
    output = tmp_path / "output"
    write_state(output, STATE, output / "sochi-2018" / ".sochi-2018.en.state.json")  # another variant
    write_state(output, STATE, output / "ghouta-2017" / ".ghouta-2017.ar.state.json")  # another folder
    write_state(output, STATE, output / "drafts" / "sochi-2018" / ".sochi-2018.ar.state.json")
    write_state(output, BILINGUAL, output / "sochi-2018" / ".sochi-2018.bilingual.state.json")
    assert read_states(output, output / "drafts") == {}


def test_read_states_ignores_damaged_states_and_links(tmp_path):
    output = tmp_path / "output"
    good = write_state(output, STATE)
    (output / "sochi-2018" / ".sochi-2018.en.state.json").write_bytes(b"{damaged")
    elsewhere = write_state(tmp_path / "elsewhere", dataclasses.replace(STATE, statement="ghouta-2017"))
    (output / "ghouta-2017").mkdir()
    os.symlink(elsewhere, output / "ghouta-2017" / ".ghouta-2017.ar.state.json")
    os.symlink(output / "no-such-file", output / "sochi-2018" / ".sochi-2018.bilingual.state.json")
    (output / "sochi-2018" / ".sochi-2018.fr.state.json").mkdir()  # a folder of that name
    assert read_states(output, output / "drafts") == {STATE.target: STATE}
    assert good.is_file()


def test_read_states_of_a_missing_or_linked_output_folder_is_empty(tmp_path):
    assert read_states(tmp_path / "none", tmp_path / "none" / "drafts") == {}
    real = tmp_path / "real"
    write_state(real, STATE)
    os.symlink(real, tmp_path / "linked")
    assert read_states(tmp_path / "linked", tmp_path / "linked" / "drafts") == {}

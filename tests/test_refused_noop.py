"""A build with nothing new to do while a language is in progress (issue 19): the last full plan
refused a released language's editions (a fuzzy or untranslated entry) and kept the ones printed
before. A build of the very same inputs says that refusal again from the record the full plan
left (``output/.refusals.state.json``) without parsing or planning: the same messages, the same
problems (as many as the full plan lists), exit status 1, nothing in ``output/`` written. Any
change it depended on (the catalog, a damaged record, a kept edition damaged, a draft asked
for) is planned in full.

The shared project: the two short statements in English and Arabic, printed, then edited so
that Arabic is not ready for either: a changed paragraph of ghouta-2017 (fuzzy) and thirteen new
signatories of one-voice-2019 (untranslated: more than a refusal lists)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import pipeline.commands.build
from pipeline.cli import main
from pipeline.commands.build import build
from pipeline.errors import Problem
from pipeline.files import DIGESTS
from pipeline.model import Target
from pipeline.plan import LISTED, Request
from pipeline.project import Project
from pipeline.state import REFUSALS_STATE, Refusals

from .conftest import SMALL, keep_languages, made_once, make_project
from .helpers import cli, edit

G, V = "sources/ghouta-2017.yaml", "sources/one-voice-2019.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
NEW_SIGNATORIES = LISTED + 1
"""One more than a refusal lists: the list ends with "... and 1 more"."""


def _refuse(folder: Path) -> None:
    project = keep_languages(make_project(folder / "project", SMALL), "en", "ar")
    root = str(project.root)
    assert main(["--project", root, "build", "--update", "-q", "-j2"]) == 0
    edit(project, G, "Food, medicine", "Food, water, medicine")
    edit(project, V, "agreement.\n", "agreement.\n\nsignatories:\n" + "".join(
        f"  - Organisation Number {n}\n" for n in range(1, NEW_SIGNATORIES + 1)))
    assert main(["--project", root, "build", "--update", "-q", "-j2"]) == 1, "Arabic refused"


@pytest.fixture
def refused(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, capsys) -> Project:
    """A private copy of the project whose Arabic editions the last build refused, after one
    build of it as it is (a copy's files have new inodes: their digests are taken again)."""
    shared = made_once(tmp_path_factory, "refused-noop", _refuse)
    shutil.copytree(shared.root, tmp_path / "refused", symlinks=True)
    project = Project.at(tmp_path / "refused")
    assert cli(capsys, project, "build", "--update")[0] == 1
    return project


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[Request]:
    """The request of every full plan a build makes (``make_plan``)."""
    calls: list[Request] = []
    make_plan = pipeline.commands.build.make_plan

    def counting(parsed, request, *args, **kwargs):
        calls.append(request)
        return make_plan(parsed, request, *args, **kwargs)

    monkeypatch.setattr(pipeline.commands.build, "make_plan", counting)
    return calls


def said(capsys, project: Project, *args: str) -> tuple[int, list[str]]:
    """A command's exit status and what it said, its duration aside."""
    status, lines = cli(capsys, project, *args)
    return status, [re.sub(r", in \d+\.\d\d s$", "", line) for line in lines]


def summary(lines: list[str]) -> str:
    return next(line for line in lines if re.match(r"\d+ printed \(", line))


def errors(lines: list[str]) -> list[str]:
    """What the command line says after the summary: the problems of every refusal."""
    return lines[lines.index(summary(lines)) + 1:]


def output_files(project: Project) -> dict[str, tuple[bytes, int]]:
    """Every file of ``output/`` with its bytes and modification time, but the record of the
    published files' stat (this disk's inodes and times)."""
    return {p.relative_to(project.output_dir).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(project.output_dir.rglob("*"))
            if p.is_file() and p.name != DIGESTS}


@pytest.mark.slow  # the shared project is printed once
def test_the_same_inputs_refused_again_say_what_the_full_plan_says_without_planning(
        refused: Project, capsys, planned: list[Request]):
    before = output_files(refused)
    status, again = said(capsys, refused, "build", "--update")
    assert status == 1 and planned == [], "the same inputs: the refusal said again, not planned"
    assert output_files(refused) == before, "nothing in output/ is written"
    report = build(refused, Request())
    assert planned == [] and report.plan is not None and report.statuses == {}
    replayed = [str(p) for p in report.problems]

    (refused.output_dir / REFUSALS_STATE).unlink()
    status, full = said(capsys, refused, "build", "--update")
    assert status == 1 and len(planned) == 1, "no record: a full plan"
    assert again == full, "the replay says what the full plan says, in its order"
    assert (refused.output_dir / REFUSALS_STATE).is_file(), "the full plan records it again"
    report = build(refused, Request())
    assert len(planned) == 1 and report.plan is not None and report.statuses == {}
    assert replayed == [str(p) for p in report.problems]
    report = build(refused, Request(force=True))  # (what the plan says is not printed, reprinted)
    assert len(planned) == 2 and [str(p) for p in report.problems] == replayed
    assert ("sources/ghouta-2017.yaml: ghouta-2017.ar is not printed: 0 untranslated, 1 fuzzy, "
            "1 problem(s) in its catalog (listed below); print a draft with `python -m pipeline "
            "build --draft`") in full
    assert any(re.match(rf"{AR}:\d+: paragraph 'Nearly 400,000 people .*' is fuzzy", line)
               for line in full), full
    assert sum(line.startswith(f"{AR}:") for line in full) == 1 + LISTED + 1, "1 fuzzy, 12 of 13"
    assert f"{AR}: ... and 1 more: `python -m pipeline check --lang ar` lists them all" in full
    assert "ghouta-2017.bilingual: not printed while ar is not" in full
    for target in ("ghouta-2017.ar", "ghouta-2017.bilingual", "one-voice-2019.ar",
                   "one-voice-2019.bilingual"):
        assert f"{target}: the edition printed earlier is kept while it is refused" in full
    assert summary(full) == "0 printed (0 pages, 0 KB), 2 up to date, 4 kept as printed before, " \
        "2 refused", full


@pytest.mark.slow  # the shared project is printed once
@pytest.mark.parametrize("damage", ["garbage", "truncated", "other-version", "wrong-types",
                                    "other-inputs"])
def test_a_damaged_record_is_planned_in_full_with_the_same_result(refused: Project, capsys,
                                                                 planned: list[Request], damage):
    record = refused.output_dir / REFUSALS_STATE
    status, expected = said(capsys, refused, "build")
    assert status == 1 and planned == []
    sound = record.read_bytes()
    raw = json.loads(sound)
    record.write_bytes({
        "garbage": b"\x00\xff not json",
        "truncated": sound[: len(sound) // 2],
        "other-version": json.dumps({**raw, "version": 1000}).encode(),
        "wrong-types": json.dumps({**raw, "refused": [[{"message": 5}]]}).encode(),
        "other-inputs": json.dumps({**raw, "key": "0" * 12, "refused": [[{
            "message": "planted", "file": None, "line": None, "severity": "error"}]]}).encode(),
    }[damage])
    status, lines = said(capsys, refused, "build")
    assert status == 1 and len(planned) == 1, "a record that cannot be trusted: a full plan"
    assert lines == expected
    assert Refusals.from_bytes(record.read_bytes()) is not None, "recorded anew"
    assert said(capsys, refused, "build") == (1, expected) and len(planned) == 1


@pytest.mark.slow  # the shared project is printed once
@pytest.mark.parametrize("how", ["changed", "removed", "state-removed"])
def test_a_kept_edition_damaged_since_is_planned_in_full(refused: Project, capsys,
                                                         planned: list[Request], how):
    kept = refused.output_dir / "ghouta-2017"
    if how == "changed":
        (kept / "ghouta-2017.ar.html").write_text("<p>not as printed</p>", "utf-8")
    elif how == "removed":
        (kept / "ghouta-2017.ar.pdf").unlink()
    else:
        (kept / ".ghouta-2017.ar.state.json").unlink()
    status, lines = said(capsys, refused, "build")
    assert status == 1 and len(planned) == 1, "what was kept is not there as it was: planned"
    assert "ghouta-2017.ar: the edition printed earlier is kept while it is refused" not in lines
    assert [line.split(":")[0] for line in lines if line.startswith("output/")] == [
        "output/ghouta-2017/ghouta-2017.en.pdf"], "printed again, without its link to Arabic"
    assert summary(lines).startswith("1 printed (1 page, ") and summary(lines).endswith(
        "1 up to date, 3 kept as printed before, 2 refused"), lines
    index = (refused.output_dir / "index.html").read_text("utf-8")
    assert "ghouta-2017.ar.html" not in index, "the index no longer lists what is not there"
    status, again = said(capsys, refused, "build")
    assert status == 1 and len(planned) == 1, "then said again"
    assert summary(again) == "0 printed (0 pages, 0 KB), 2 up to date, 3 kept as printed before, " \
        "2 refused"
    assert errors(again) == errors(lines) and set(again) - set(lines) == {
        summary(again), "ghouta-2017.en: up to date"}


@pytest.mark.slow  # the shared project is printed once
def test_a_damaged_index_is_planned_in_full_and_made_again(refused: Project, capsys,
                                                           planned: list[Request]):
    index = refused.output_dir / "index.html"
    sound = index.read_bytes()
    status, expected = said(capsys, refused, "build")
    index.write_bytes(b"<p>not as published</p>")
    assert said(capsys, refused, "build") == (status, expected) and len(planned) == 1
    assert index.read_bytes() == sound


@pytest.mark.slow  # the shared project is printed once
def test_the_translator_done_prints_the_edition_and_the_rest_is_refused_again(
        refused: Project, capsys, planned: list[Request]):
    catalog = (refused.root / AR).read_text("utf-8")
    assert catalog.count("#, fuzzy") == 1, "the fixture changed: update the test"
    edit(refused, AR, "#, fuzzy\n", "")  # reviewed: the translation stands
    status, lines = said(capsys, refused, "build", "--update")
    assert status == 1 and len(planned) == 1
    printed = [line for line in lines if line.startswith("output/")]
    assert [line.split(":")[0] for line in printed] == [
        "output/ghouta-2017/ghouta-2017.ar.pdf", "output/ghouta-2017/ghouta-2017.bilingual.pdf"]
    assert not any("ghouta-2017.ar is not printed" in line for line in lines)
    assert any("one-voice-2019.ar is not printed" in line for line in lines)
    status, again = said(capsys, refused, "build", "--update")
    assert status == 1 and len(planned) == 1, "one-voice-2019's refusal, said again"
    assert errors(again) == errors(lines) and len(errors(again)) == 1 + LISTED + 1
    assert summary(again) == "0 printed (0 pages, 0 KB), 4 up to date, 2 kept as printed before, " \
        "1 refused", again


@pytest.mark.slow  # the shared project is printed once
def test_a_draft_build_prints_the_drafts_and_is_never_a_replay(refused: Project, capsys,
                                                               planned: list[Request]):
    drafts = refused.output_dir / "drafts"
    status, lines = said(capsys, refused, "build", "--draft")
    assert status == 0 and [r.draft for r in planned] == [True]
    assert (drafts / "ghouta-2017" / "ghouta-2017.ar.pdf").is_file()
    assert (drafts / "one-voice-2019" / "one-voice-2019.bilingual.pdf").is_file()
    status, lines = said(capsys, refused, "build")
    assert status == 1 and [r.draft for r in planned] == [True, False], \
        "output/ holds drafts the record does not know: planned in full"
    status, again = said(capsys, refused, "build")
    assert (status, again) == (1, lines) and len(planned) == 2, "then said again"
    assert (drafts / "ghouta-2017" / "ghouta-2017.ar.pdf").is_file(), "the drafts stay"
    before = (drafts / "ghouta-2017" / "ghouta-2017.ar.pdf").stat().st_mtime_ns
    status, _ = said(capsys, refused, "build", "--draft")
    assert status == 0 and len(planned) == 2, "the drafts are up to date"
    assert (drafts / "ghouta-2017" / "ghouta-2017.ar.pdf").stat().st_mtime_ns == before


RECORD = Refusals(
    "0123456789ab", (Target("s", "ar"), Target("s", "bilingual")),
    ((Problem("s.ar is not printed", "sources/s.yaml"), Problem("fuzzy", AR, 62)),),
    ("s.bilingual: not printed while ar is not",), (Target("s", "ar"),), (Target("s", "ar"),),
    {Target("s", "ar"): ("content", True), Target("s", "ar", True): ("draft", False)})


def test_a_record_reads_back_as_written_and_an_odd_one_is_none():
    assert Refusals.from_bytes(RECORD.to_bytes()) == RECORD
    raw = json.loads(RECORD.to_bytes())
    for odd in [b"", b"[]", b"{", json.dumps({**raw, "version": 0}),
                json.dumps({**raw, "key": 5}), json.dumps({**raw, "notes": "text"}),
                json.dumps({**raw, "refused": [[]]}), json.dumps({**raw, "refused": ["text"]}),
                json.dumps({**raw, "refused": [[{**raw["refused"][0][0], "line": "62"}]]}),
                json.dumps({**raw, "withheld": [["s", "ar"]]}),
                json.dumps({**raw, "left": [["s", "ar", False, "content", "yes"]]}),
                json.dumps({k: v for k, v in raw.items() if k != "kept"})]:
        assert Refusals.from_bytes(odd if isinstance(odd, bytes) else odd.encode()) is None, odd

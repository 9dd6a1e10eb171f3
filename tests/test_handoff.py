"""``build --update`` in one process reads each input once: the update hands the build its
snapshot, each catalog holding the bytes it wrote, and the merged catalogs that are what reading
those bytes gives (lines and warnings included); and only when every catalog was written as
merged (a translator's save during the update is read from the disk, never overwritten in
memory). The planner takes the catalogs' entries phase one read instead of reading them again."""

from __future__ import annotations

import copy

import pytest

import pipeline.catalogs.merge
import pipeline.commands.build
from pipeline.catalogs.merge import merge
from pipeline.catalogs.pofile import PoCatalog, read_catalog, serialise, written_as_read
from pipeline.commands.build import build, catalog_translations
from pipeline.commands.update import Left, update
from pipeline.errors import PipelineError
from pipeline.parse import parse
from pipeline.plan import DEFAULT_REQUEST, make_plan, quick_check
from pipeline.project import Project
from pipeline.snapshot import Snapshot, catalog_languages, take

from .helpers import edit
from .test_planner import _published

G = "sources/ghouta-2017.yaml"


def same_inputs(left: Snapshot, taken: Snapshot) -> None:
    """Every input of ``left`` holds the bytes the files hold now."""
    for kind in ("sources", "catalogs", "templates"):
        assert {name: item.data for name, item in getattr(left, kind).items()} == {
            name: item.data for name, item in getattr(taken, kind).items()}, kind
    assert left.mapping == taken.mapping and left.toolchain == taken.toolchain


def test_the_update_hands_over_the_bytes_it_wrote(project: Project):
    left: list[Left] = []
    update(project, left=left)
    same_inputs(left[0].snapshot, take(project))
    edit(project, G, "Food, medicine", "Food, water, medicine")
    before = {code: item.data for code, item in take(project).catalogs.items()}
    left.clear()
    assert update(project, left=left), "the edit was merged"
    after = take(project)
    assert all(after.catalogs[code].data != before[code] for code in before), \
        "every catalog was written (a new message)"
    same_inputs(left[0].snapshot, after)
    for code, item in after.catalogs.items():
        assert_as_read(left[0].catalogs[item.digest], read_catalog(item.data, item.name, code))
    left.clear()
    assert update(project, left=left) == {}, "nothing to do"
    same_inputs(left[0].snapshot, take(project))


def assert_as_read(handed: PoCatalog, read: PoCatalog) -> None:
    """``handed`` is what reading gives: entries, lines, warnings, file name."""
    assert handed == read and handed.warnings == read.warnings and handed.file == read.file
    for mine, theirs in zip([handed.header, *handed.entries, *handed.obsolete],
                            [read.header, *read.entries, *read.obsolete], strict=True):
        assert mine is not None and theirs is not None
        assert (mine.line, mine.msgid_line, mine.msgid_plural_line, mine.msgstr_line) == (
            theirs.line, theirs.msgid_line, theirs.msgid_plural_line, theirs.msgstr_line), mine


def test_a_merged_catalog_is_handed_over_only_as_the_reader_reads_it(project: Project):
    """Merged catalogs (every language of the fixture, with fuzzy, obsolete and plural entries)
    are what the reader gives for their bytes; one the reader would read otherwise (a comment of
    two lines, a reference with a space, a flag with a comma) is not handed over."""
    template = read_catalog(project.template_path.read_bytes(), "template")
    for code in ("en", "ar", "fa", "fr"):
        name = project.relative(project.catalog_path(code))
        catalog = read_catalog(project.catalog_path(code).read_bytes(), name, code)
        catalog.entries[3].msgid += " (changed)"  # a fuzzy entry, an obsolete one
        merge(catalog, template)
        data, handed = written_as_read(catalog, code)
        assert data == serialise(catalog) and handed is catalog
        assert_as_read(handed, read_catalog(data, name, code))
        for spoil in (lambda e: e.extracted_comments.append("two\nlines"),
                      lambda e: e.references.append("a file.yaml:3"),
                      lambda e: e.flags.add("fuzzy, python-format")):
            spoilt = copy.deepcopy(catalog)
            spoil(spoilt.entries[0])
            assert written_as_read(spoilt, code)[1] is None


def test_a_save_during_the_update_is_read_from_the_disk(project: Project, monkeypatch):
    """A translator saves the Arabic catalog while the update merges: the update keeps the save
    (and says so), hands over nothing, and the build reads the catalog as saved."""
    update(project)
    edit(project, G, "Food, medicine", "Food, water, medicine")
    path = project.catalog_path("ar")
    saved = path.read_bytes() + b"\n# saved by a translator\n"
    original = pipeline.catalogs.merge.merge

    def merge_while_saving(catalog, *args, **kwargs):
        if catalog.file and catalog.file.endswith("ar/LC_MESSAGES/statements.po"):
            path.write_bytes(saved)
        return original(catalog, *args, **kwargs)

    monkeypatch.setattr(pipeline.catalogs.merge, "merge", merge_while_saving)
    left: list[Left] = []
    with pytest.raises(PipelineError):
        update(project, left=left)
    assert left == [] and path.read_bytes() == saved


def test_a_build_given_the_inputs_reads_none_again(small: Project, monkeypatch):
    """The build given the update's inputs takes no snapshot of its own, and finds what a build
    reading the files finds."""
    _published(small)
    left: list[Left] = []
    update(small, left=left)
    real_take = pipeline.commands.build.take

    def no_take(*args, **kwargs):
        raise AssertionError("the build read its inputs again")

    monkeypatch.setattr(pipeline.commands.build, "take", no_take)
    report = build(small, inputs=left[0])
    assert report.printed == [] and not report.refused
    assert len(report.up_to_date) == 10  # 2 statements: en, ar, fa, fr and bilingual
    monkeypatch.setattr(pipeline.commands.build, "take", real_take)
    again = build(small)
    assert again.printed == [] and sorted(again.up_to_date) == sorted(report.up_to_date)


def test_a_translators_save_reprints_exactly_its_statements_editions(small: Project):
    """A translation of one statement changed, merged by the update: given the update's inputs,
    phase one and the plan find exactly that statement's Arabic and bilingual editions stale,
    and the planner given phase one's entries decides as it does reading them itself."""
    published, _ = _published(small)
    update(small)
    path = small.catalog_path("ar")
    catalog = read_catalog(path.read_bytes(), "ar", "ar")
    [changed] = [entry for entry in catalog.entries if entry.msgctxt == "title"
                 and any("one-voice-2019" in reference for reference in entry.references)]
    changed.msgstr += " (مراجعة)"
    path.write_bytes(serialise(catalog))
    left: list[Left] = []
    update(small, left=left)
    same_inputs(left[0].snapshot, take(small))
    snapshot = left[0].snapshot
    available = tuple(catalog_languages(small))
    translations = catalog_translations(small, snapshot)
    quick = quick_check(snapshot, available, ["en", "ar"], DEFAULT_REQUEST, published,
                        lambda: True, translations)
    assert quick.statements == {"one-voice-2019"}
    plan = make_plan(parse(snapshot, available), DEFAULT_REQUEST, published,
                     translations=translations)
    assert {e.target.name for e in plan.stale} == {"one-voice-2019.ar",
                                                   "one-voice-2019.bilingual"}
    again = make_plan(parse(snapshot, available), DEFAULT_REQUEST, published)
    assert [e.state for e in again.editions] == [e.state for e in plan.editions]

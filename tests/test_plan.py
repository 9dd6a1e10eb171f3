"""Planning a build, without doing any of it: which editions each statement gets, released or as
drafts, which are refused and why, which are up to date, and which files no input gives any
more. The planner is a pure function of in-memory inputs: these tests never print."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from pipeline.catalogs.pofile import read_catalog, serialise
from pipeline.commands.update import init, update
from pipeline.errors import PipelineError
from pipeline.model import BILINGUAL, PrintOptions, Target
from pipeline.parse import Parsed, parse
from pipeline.plan import DEFAULT_REQUEST, Plan, Request, expected_targets, kept_by_name, make_plan
from pipeline.project import Project
from pipeline.settings import Settings
from pipeline.snapshot import catalog_languages, take
from pipeline.state import EditionState, Published

from .conftest import FIXTURE_PROJECT, LANGUAGES, STATEMENTS, keep_languages, make_project
from .helpers import add_arabic_statement, add_entry, edit, line_of

SOCHI_PARAGRAPH = "Russia has announced that it will host"


def inputs_of(project: Project) -> Parsed:
    """What a build reads and parses, every statement and catalog (those that can be read)."""
    return parse(take(project), tuple(catalog_languages(project)))


def plan_of(project: Project, request: Request = DEFAULT_REQUEST,
            recorded: dict[Target, EditionState] | None = None,
            intact: set[Target] | None = None) -> Plan:
    recorded = recorded or {}
    return make_plan(inputs_of(project), request,
                     Published(recorded, frozenset(set(recorded) if intact is None else intact)))


EVERY = (*LANGUAGES, BILINGUAL)
"""The editions of each statement of the fixture project: its four languages, the bilingual."""


def targets(plan: Plan) -> set[Target]:
    return {edition.target for edition in plan.editions}


def editions(statement_ids, variants=("en", "ar", BILINGUAL), draft=False) -> set[Target]:
    return {Target(s, v, draft) for s in statement_ids for v in variants}


def states(plan: Plan) -> dict[Target, EditionState]:
    """The states a build of the plan records."""
    return {e.target: dataclasses.replace(e.state, pages=1) for e in plan.editions}


def release(project: Project, *codes: str) -> Project:
    """The project with ``codes`` released too."""
    edit(project, "pyproject.toml", 'released = ["en", "ar"]',
         f"released = {['en', 'ar', *codes]!r}".replace("'", '"'))
    return Project.at(project.root)


def fuzzy_sochi(project: Project) -> None:
    """Edit one Sochi paragraph and update: its Arabic translation becomes fuzzy."""
    edit(project, "sources/sochi-2018.yaml", SOCHI_PARAGRAPH, "Russia has declared that it will host")
    update(project)


def everything_in(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file and folder below ``folder``, with its bytes and modification time."""
    found = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(top) / name
            info = path.lstat()
            found[path.relative_to(folder).as_posix()] = (
                path.read_bytes() if path.is_file() and not path.is_symlink() else None,
                info.st_mtime_ns)
    return found


# --- released and in-progress languages ---------------------------------------------------------

def test_a_build_plans_every_released_edition_of_every_statement(project):
    plan = plan_of(project)
    assert targets(plan) == editions(STATEMENTS, EVERY)
    assert plan.refused == [] and plan.notes == [] and plan.obsolete == []
    assert set(plan.statuses) == {(s, code) for s in STATEMENTS for code in LANGUAGES}
    assert all(status.releasable for status in plan.statuses.values())
    assert not any(edition.up_to_date for edition in plan.editions), "nothing was printed yet"
    sochi_bilingual = next(e for e in plan.editions if e.target == Target("sochi-2018", BILINGUAL))
    assert [lang.code for lang in sochi_bilingual.languages] == ["en", "ar"]
    assert sochi_bilingual.state.locales == ("en_GB", "ar_SY")
    persian = next(e for e in plan.editions if e.target == Target("sochi-2018", "fa"))
    assert persian.state.locales == ("fa_IR",)


def test_a_language_in_progress_is_printed_only_as_a_draft_on_request(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    assert targets(plan_of(small)) == editions(("ghouta-2017", "one-voice-2019"))

    plan = plan_of(small, Request(draft=True))
    assert targets(plan) == editions(("ghouta-2017", "one-voice-2019")) | editions(
        ("ghouta-2017", "one-voice-2019"), ("fr",), draft=True)
    assert plan.refused == []
    draft = next(e for e in plan.editions if e.target.variant == "fr")
    output = small.output_dir
    assert draft.draft and draft.target.paths(output)["pdf"] == (
        output / "drafts" / draft.target.statement_id / f"{draft.target.statement_id}.fr.pdf")
    assert plan.statuses[(draft.target.statement_id, "fr")].untranslated > 0


def test_build_lang_fr_without_draft_is_refused_with_the_fix(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    with pytest.raises(PipelineError) as caught:
        plan_of(small, Request(languages=("fr",)))
    message = str(caught.value)
    assert "fr is a language in progress" in message
    assert "python -m pipeline build --draft --lang fr" in message
    assert "released in pyproject.toml" in message


def test_build_lang_without_a_catalog_names_the_command_that_creates_it(small):
    with pytest.raises(PipelineError) as caught:
        plan_of(small, Request(languages=("de",)))
    assert "there is no catalog for 'de'" in str(caught.value)
    assert "python -m pipeline init de" in str(caught.value)


def test_build_lang_fr_with_draft_plans_only_the_french_drafts(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    plan = plan_of(small, Request(languages=("fr",), draft=True))
    assert targets(plan) == editions(("ghouta-2017", "one-voice-2019"), ("fr",), draft=True)
    assert plan.notes == [] and plan.refused == []


def test_a_released_language_that_is_incomplete_is_refused_for_that_statement_only(project):
    fuzzy_sochi(project)
    plan = plan_of(project)
    # The edit makes every translation of the paragraph fuzzy: Arabic, Persian and French.
    assert targets(plan) == editions(STATEMENTS, EVERY) - editions(
        ("sochi-2018",), ("ar", "fa", "fr", BILINGUAL))
    assert sorted(r.problems[0].message.split(" ")[0] for r in plan.refused) == [
        "sochi-2018.ar", "sochi-2018.fa", "sochi-2018.fr"]
    refusal = next(r for r in plan.refused if r.problems[0].message.startswith("sochi-2018.ar "))
    first = refusal.problems[0]
    assert first.file == "sources/sochi-2018.yaml"
    assert first.message.startswith("sochi-2018.ar is not printed: 0 untranslated, 1 fuzzy")
    assert "--draft" in first.message
    fuzzy = refusal.problems[1]
    catalog = project.catalog_path("ar")
    assert fuzzy.file == project.relative(catalog) and "is fuzzy" in fuzzy.message
    text = catalog.read_text("utf-8").splitlines()
    edited = next(n for n, line in enumerate(text, 1) if '"Russia has declared that' in line)
    translation = next(n for n, line in enumerate(text, 1) if n > edited and line.startswith("msgs"))
    assert fuzzy.line == translation, "the line of the translation to review"
    flags = next(line for line in reversed(text[:edited]) if line.startswith("#,"))
    assert text[fuzzy.line - 1].startswith('msgstr "') and flags == "#, fuzzy"
    assert plan.statuses[("sochi-2018", "ar")].fuzzy == 1
    assert plan.notes == ["sochi-2018.bilingual: not printed while ar is not"]


def test_a_refused_language_prints_as_a_draft_when_drafts_are_asked_for(project):
    fuzzy_sochi(project)
    plan = plan_of(project, Request(draft=True))
    assert Target("sochi-2018", "ar", True) in targets(plan)
    assert Target("sochi-2018", BILINGUAL, True) in targets(plan)
    assert Target("ghouta-2017", "ar") in targets(plan)
    assert plan.refused == []


def test_a_released_language_with_no_translation_yet_is_refused_for_every_statement(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    small = release(small, "fr")
    plan = plan_of(small)
    assert targets(plan) == editions(("ghouta-2017", "one-voice-2019"))
    assert sorted(error.problems[0].message.split(" ")[0] for error in plan.refused) == [
        "ghouta-2017.fr", "one-voice-2019.fr"]


# --- the bilingual edition ----------------------------------------------------------------------

def test_the_bilingual_edition_is_planned_only_when_both_its_languages_print(small):
    only_english = plan_of(small, Request(languages=("en",)))
    assert targets(only_english) == editions(("ghouta-2017", "one-voice-2019"), ("en",))
    assert only_english.notes == []
    both = plan_of(small, Request(languages=("en", "ar")))
    assert targets(both) == editions(("ghouta-2017", "one-voice-2019"))


def test_the_right_to_left_language_is_on_the_right_whatever_the_settings_order(small):
    edit(small, "pyproject.toml", 'bilingual = ["en", "ar"]', 'bilingual = ["ar", "en"]')
    plan = plan_of(Project.at(small.root))
    bilingual = next(e for e in plan.editions if e.target.variant == BILINGUAL)
    assert [lang.code for lang in bilingual.languages] == ["en", "ar"]
    assert bilingual.state.languages == ("en", "ar")


# --- links between editions ---------------------------------------------------------------------

def test_alternates_of_a_released_edition_never_name_a_language_in_progress(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    plan = plan_of(small, Request(draft=True))
    for edition in plan.editions:
        codes = [a.code for a in edition.alternates]
        if edition.target.variant == BILINGUAL:
            assert codes == ["en", "ar"]  # its two sides' own editions, left then right
        elif edition.draft:
            assert codes == ["ar", "en", "fr"]
        else:
            assert codes == ["ar", "en"], edition.target
            assert [a.current for a in edition.alternates] == [
                code == edition.target.variant for code in codes]


def test_a_drafts_links_to_released_editions_lead_to_them(small):
    """A draft is in output/drafts/<id>/, the released editions in output/<id>/: the draft's
    language switcher must reach them there."""
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    plan = plan_of(small, Request(draft=True))
    output = small.output_dir
    for edition in plan.editions:
        folder = edition.target.folder(output)
        for alternate in edition.alternates:
            linked = Target(edition.target.statement_id, alternate.code,
                            edition.draft and alternate.current)
            assert os.path.normpath(folder / alternate.href) == str(
                linked.paths(output)["html"]), (edition.target, alternate)


# --- output/ ------------------------------------------------------------------------------------

def test_obsolete_lists_what_no_input_gives_and_keeps_what_is_refused_or_unreadable(project):
    project = keep_languages(project, "en", "ar")
    recorded = states(plan_of(project))
    recorded[Target("sochi-2018", "de")] = dataclasses.replace(
        recorded[Target("sochi-2018", "en")], variant="de", languages=("de",), locales=("de",))
    recorded[Target("sochi-2018", "fr", True)] = dataclasses.replace(
        recorded[Target("sochi-2018", "en")], variant="fr", draft=True, languages=("fr",),
        locales=("fr",))
    (project.sources_dir / "one-voice-2019.yaml").unlink()  # removed
    fuzzy_sochi(project)  # sochi-2018.ar refused
    edit(project, "sources/ghouta-2017.yaml", "date: 2017-11", "date: [2017")  # cannot be read

    plan = plan_of(project, recorded=recorded)
    assert plan.obsolete == sorted([
        Target("one-voice-2019", "en"), Target("one-voice-2019", "ar"),
        Target("one-voice-2019", BILINGUAL),
        Target("sochi-2018", "de"),  # no catalog for de
        Target("sochi-2018", "fr", True)])  # nor for fr
    assert Target("sochi-2018", "ar") in recorded and Target("sochi-2018", BILINGUAL) in recorded
    assert targets(plan) == {Target("sochi-2018", "en")}

    assert plan_of(project, Request(languages=("en",)), recorded).obsolete == [], (
        "only a build of everything decides what output/ holds")


def test_a_draft_is_kept_until_its_released_edition_is_printed(small):
    small = keep_languages(small, "en", "ar")
    init(small, "fr")
    recorded = states(plan_of(small, Request(draft=True)))
    drafts = editions(("ghouta-2017", "one-voice-2019"), ("fr",), draft=True)
    assert drafts <= set(recorded)
    assert plan_of(small, recorded=recorded).obsolete == []
    # Released but not translated: the release is refused, so the drafts are all there is.
    released = release(small, "fr")
    plan = plan_of(released, recorded=recorded)
    assert plan.obsolete == [] and any("ghouta-2017.fr is not printed" in str(e)
                                       for e in plan.refused)
    # Translated: the released editions are printed, and the drafts go, saying why.
    for entry in (catalog := read_catalog((small.root / "locales/fr/LC_MESSAGES/statements.po")
                                          .read_bytes(), "fr.po", "fr")).entries:
        if entry.msgid_plural is not None:
            entry.msgstr_plural = [entry.msgid_plural] * len(entry.msgstr_plural)
        else:
            entry.msgstr = "x" + entry.msgid
    (small.root / "locales/fr/LC_MESSAGES/statements.po").write_bytes(serialise(catalog))
    plan = plan_of(Project.at(small.root), recorded=recorded)
    assert {r.target for r in plan.removals} == drafts
    assert {r.reason for r in plan.removals} == {"its released edition is printed now"}


# --- up to date ---------------------------------------------------------------------------------

def test_up_to_date_comes_from_recorded_states_and_intact_files(project):
    recorded = states(plan_of(project))
    plan = plan_of(project, recorded=recorded)
    assert all(edition.up_to_date for edition in plan.editions) and plan.stale == []

    damaged = Target("ghouta-2017", "ar")
    plan = plan_of(project, recorded=recorded, intact=set(recorded) - {damaged})
    assert [e.target for e in plan.stale] == [damaged]

    changed = {**recorded, damaged: dataclasses.replace(recorded[damaged], content_hash="0" * 12)}
    assert [e.target for e in plan_of(project, recorded=changed).stale] == [damaged]

    forced = plan_of(project, Request(force=True), recorded)
    assert len(forced.stale) == len(forced.editions) == len(STATEMENTS) * (len(LANGUAGES) + 1)


def test_a_changed_translation_makes_only_its_language_and_the_bilingual_stale(project):
    recorded = states(plan_of(project))
    edit(project, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "بيتنا سوريا"',
         'msgstr "بيتنا، سوريا"')  # Baytna Syria signed Sochi and Ghouta
    plan = plan_of(project, recorded=recorded)
    assert {e.target for e in plan.stale} == {
        Target("sochi-2018", "ar"), Target("sochi-2018", BILINGUAL),
        Target("ghouta-2017", "ar"), Target("ghouta-2017", BILINGUAL)}


def test_an_entry_of_the_statements_own_language_never_reprints_its_edition(small):
    """The Arabic edition of a statement written in Arabic reads no Arabic entry: filling one
    for its title, or changing the Arabic translation of a Latin name it writes (for the
    English statements that name it too), leaves it up to date; those statements print again."""
    add_arabic_statement(small)
    recorded = states(plan_of(small))
    assert Target("nidaa-2020", "ar") in recorded
    add_entry(small, "ar", "title", "نداء من أجل المعتقلين", "نداء آخر")
    edit(small, "locales/ar/LC_MESSAGES/statements.po", 'msgstr "بيتنا سوريا"',
         'msgstr "بيتنا، سوريا"')
    stale = {e.target for e in plan_of(small, recorded=recorded).stale}
    assert Target("nidaa-2020", "ar") not in stale
    assert Target("ghouta-2017", "ar") in stale


def test_an_edition_printed_with_other_options_says_so_when_printed_again(project):
    """After `build --print-shop`, the next build prints the regular editions again, and -v
    says why in those words (not "links to other editions, or a template word")."""
    shop = Request(options=PrintOptions(bleed="5mm", print_shop=True))
    recorded = states(plan_of(project, shop))
    plan = plan_of(project, recorded=recorded)
    assert len(plan.stale) == len(plan.editions)
    assert {e.reason for e in plan.stale} == {"it was printed as PDF/X-1a, A4, 5mm bleed, "
                                              "now as PDF/UA-1, A4"}


def test_planning_writes_nothing(project):
    project = keep_languages(project, "en", "ar")
    init(project, "fr")
    recorded = states(plan_of(project))
    fuzzy_sochi(project)
    before = everything_in(project.root)
    for request in (Request(), Request(draft=True), Request(languages=("en",)),
                    Request(force=True)):
        plan_of(project, request, recorded)
    assert everything_in(project.root) == before


# --- independence -------------------------------------------------------------------------------

def sochi_versions(project: Project) -> dict[Target, tuple[str, str, str]]:
    return {e.target: (e.state.content_hash, e.state.source_version, e.state.catalog_version)
            for e in plan_of(project).editions if e.target.statement_id == "sochi-2018"}


def test_sochi_editions_do_not_depend_on_other_statements_or_on_references(tmp_path):
    """Sochi alone, or with two other statements whose lines move the catalogs' `#:` references
    of the messages they share with Sochi: every Sochi edition has the same content_hash and
    versions, so adding or editing another statement never reprints it."""
    alone = make_project(tmp_path / "alone", ("sochi-2018",))
    update(alone)
    together = make_project(tmp_path / "together")
    edit(together, "sources/ghouta-2017.yaml", "id: ghouta-2017",
         "# A comment that moves every line below.\n\nid: ghouta-2017")
    update(together)
    catalog = "locales/ar/LC_MESSAGES/statements.po"
    assert (alone.root / catalog).read_bytes() != (together.root / catalog).read_bytes()
    ghouta, sochi = "sources/ghouta-2017.yaml", "sources/sochi-2018.yaml"
    moved = (f"#: {ghouta}:{line_of(together, ghouta, '- Baytna Syria')} "
             f"{sochi}:{line_of(together, sochi, '- Baytna Syria')}\n")
    assert moved in (together.root / catalog).read_text("utf-8"), "the shared name's references"
    assert moved not in (FIXTURE_PROJECT / catalog).read_text("utf-8"), "moved"

    versions = sochi_versions(alone)
    assert set(versions) == editions(("sochi-2018",), EVERY)
    assert sochi_versions(together) == versions


# --- by names alone -----------------------------------------------------------------------------

SETTINGS = Settings(bilingual=("en", "ar"), released=("en", "ar"))


def test_expected_targets_of_a_release_build():
    assert expected_targets(SETTINGS, ["ghouta-2017"], ["en", "ar", "fr"], False) == [
        (Target("ghouta-2017", "en"),), (Target("ghouta-2017", "ar"),),
        (Target("ghouta-2017", BILINGUAL),)]
    assert expected_targets(SETTINGS, ["ghouta-2017"], ["en"], False) == [
        (Target("ghouta-2017", "en"),)]


def test_expected_targets_of_a_draft_build_accept_a_release_or_its_draft():
    assert expected_targets(SETTINGS, ["ghouta-2017"], ["en", "ar", "fr"], True) == [
        (Target("ghouta-2017", "en"), Target("ghouta-2017", "en", True)),
        (Target("ghouta-2017", "ar"), Target("ghouta-2017", "ar", True)),
        (Target("ghouta-2017", "fr", True),),
        (Target("ghouta-2017", BILINGUAL), Target("ghouta-2017", BILINGUAL, True))]
    in_progress = Settings(bilingual=("en", "fr"), released=("en",))
    assert expected_targets(in_progress, ["a"], ["en", "fr"], True)[-1] == (
        Target("a", BILINGUAL, True),)
    assert expected_targets(in_progress, ["a"], ["en", "fr"], False) == [(Target("a", "en"),)]


def test_expected_targets_without_released_setting_release_every_language():
    every = Settings(bilingual=("en", "ar"))
    assert expected_targets(every, ["a"], ["en", "ar", "fr"], False) == [
        (Target("a", "en"),), (Target("a", "ar"),), (Target("a", "fr"),),
        (Target("a", BILINGUAL),)]


@pytest.mark.parametrize(("target", "kept"), [
    (Target("sochi-2018", "ar"), True),  # a released language's edition, while refused
    (Target("sochi-2018", BILINGUAL), True),
    (Target("sochi-2018", "fr", True), True),  # a draft of a language in progress
    (Target("sochi-2018", "ar", True), False),  # a released language's draft
    (Target("sochi-2018", "fr"), False),  # a release of a language in progress
    (Target("sochi-2018", "de"), False),  # no catalog
    (Target("one-voice-2019", "en"), False),  # no statement
])
def test_kept_by_name(target, kept):
    assert kept_by_name(target, {"sochi-2018", "ghouta-2017"}, ("ar", "en", "fr"),
                        SETTINGS) is kept


def test_kept_by_name_of_a_bilingual_edition_without_bilingual_setting():
    assert not kept_by_name(Target("a", BILINGUAL), {"a"}, ("ar", "en"),
                            Settings(released=("en", "ar")))


# --- the versions a colophon prints ---------------------------------------------------------------

def printed_versions(project: Project) -> dict[Target, tuple[str, str, tuple[str, ...]]]:
    return {e.target: (e.state.content_hash, e.provenance.catalog_version, e.provenance.sides)
            for e in plan_of(project).editions if e.target.statement_id == "ghouta-2017"}


def test_each_language_names_its_translation_by_one_code_in_every_edition(project):
    """The Arabic edition and the Arabic column of the bilingual edition print the same
    translation version (as do the English ones), so a reader can tell they carry the same
    translation; the two languages' codes differ."""
    versions = printed_versions(project)
    _, english, _ = versions[Target("ghouta-2017", "en")]
    _, arabic, _ = versions[Target("ghouta-2017", "ar")]
    assert versions[Target("ghouta-2017", BILINGUAL)][2] == (english, arabic)
    assert english != arabic


def test_a_statement_text_changes_the_printed_version_and_a_template_word_only_the_print(project):
    """A new translation of the statement's own text changes the Arabic version code (in the
    Arabic edition and the bilingual one alike); a new translation of a template's word
    ("Signatories") reprints the editions that show it but names the same translation: the
    templates' words are part of the page, like the stylesheet, not of the statement."""
    catalog = "locales/ar/LC_MESSAGES/statements.po"
    before = printed_versions(project)
    edit(project, catalog, 'msgstr "الجهات الموقّعة"', 'msgstr "الجهات الموقعة"')
    after_word = printed_versions(project)
    for target in (Target("ghouta-2017", "ar"), Target("ghouta-2017", BILINGUAL)):
        assert after_word[target][0] != before[target][0], f"{target.name} is not printed again"
        assert after_word[target][1:] == before[target][1:], f"{target.name} names another version"
    assert after_word[Target("ghouta-2017", "en")] == before[Target("ghouta-2017", "en")]

    edit(project, catalog, 'msgstr "أنهوا حصار الغوطة الشرقية"',
         'msgstr "أنهوا الحصار عن الغوطة الشرقية"')  # ghouta's title
    after_text = printed_versions(project)
    _, arabic, _ = after_text[Target("ghouta-2017", "ar")]
    assert arabic != after_word[Target("ghouta-2017", "ar")][1]
    assert after_text[Target("ghouta-2017", BILINGUAL)][2][1] == arabic

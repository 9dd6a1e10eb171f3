"""`update`'s merge, with msgmerge's semantics, on small in-memory catalogs.

A catalog is merged with the template the statements give now: translations are kept, a changed
message keeps its translation as fuzzy with the text it translated as the previous msgctxt and
msgid (``#| msgctxt``, ``#| msgid``, as ``msgmerge --previous`` writes them), a removed one becomes
obsolete with its translation and gets it back when it returns. Unlike msgmerge, a reviewed
translation lent to a changed message stays obsolete too, so that undoing the edit brings the
message back as it was rather than fuzzy. Fuzzy matching is ours: within one
context, a signatory only for a small edit of its own name, each old translation given once, and
at a cost in proportion to the changed messages. The files `update` writes are what msgmerge and
msgcat write, and pass `msgfmt --check`.
"""

from __future__ import annotations

import gettext
import itertools
import random
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.catalogs import merge as merging
from pipeline.catalogs.merge import CANDIDATES, MergeReport, merge, new_catalog, small_edit
from pipeline.catalogs.pofile import Key, PoCatalog, PoEntry, read_catalog, serialise, template_header
from pipeline.commands.update import pivot_notes, update
from pipeline.language import plural_forms
from pipeline.messages import SourceMessage, build_template

from .conftest import keep_languages
from .helpers import cli, edit

SOURCE = "sources/sochi-2018.yaml"
CATALOG = "locales/ar/LC_MESSAGES/statements.po"

P1 = ("Russia has announced that it will host a Syrian Congress on National Dialogue in Sochi. "
      "The undersigned organizations believe that such a Conference would not allow meaningful "
      "representation and participation for all Syrians.")
P2 = P1.replace("has announced", "has declared")
P3 = P2.replace("meaningful", "genuine")
OTHER = ("Any successful peace process must first begin by gaining the trust of the Syrian "
         "people.")
COUNT = ("%(num)s organisation signed this statement.",
         "%(num)s organisations signed this statement.")


def template(*messages: tuple[str | None, str | tuple[str, ...]]) -> PoCatalog:
    """A message template of (context, text) pairs, as `update` builds it."""
    return build_template(SourceMessage(context, text, SOURCE, line, (f"Message {line}.",))
                          for line, (context, text) in enumerate(messages, 1))


def arabic(text: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """A recognisable stand-in for the translation of a text (six forms for a plural)."""
    if isinstance(text, tuple):
        return tuple(f"ترجمة {n}: {text[0]}" for n in range(6))
    return f"ترجمة: {text}"


def translate(entry: PoEntry) -> None:
    """Give an entry the stand-in translation of its text (every plural form)."""
    if entry.is_plural:
        entry.msgstr_plural = list(arabic((entry.msgid, entry.msgid_plural or "")))[
            :len(entry.msgstr_plural)]
    else:
        entry.msgstr = str(arabic(entry.msgid))


def translated(source: PoCatalog, code: str = "ar") -> PoCatalog:
    """A catalog in which every message of ``source`` is translated."""
    catalog = new_catalog(code, source)
    for entry in catalog:
        translate(entry)
    return catalog


def translation_of(entry: PoEntry) -> str | tuple[str, ...]:
    """An entry's translation, as ``arabic`` gives it: a text, or a tuple of plural forms."""
    return tuple(entry.msgstr_plural) if entry.is_plural else entry.msgstr


def previous(entry: PoEntry) -> tuple[str | None, str | None, str | None]:
    """What ``#| msgctxt``, ``#| msgid`` and ``#| msgid_plural`` say."""
    return entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural


def entries(catalog: PoCatalog) -> dict[Key, PoEntry]:
    return catalog.index()


def obsolete(catalog: PoCatalog) -> dict[Key, PoEntry]:
    return {entry.key: entry for entry in catalog.obsolete}


def saved(catalog: PoCatalog, code: str = "ar") -> PoCatalog:
    """The catalog as the next run reads it: written as `update` writes it, then read back."""
    return read_catalog(serialise(catalog), CATALOG, code)


# --- translations kept, changed messages fuzzy ------------------------------------------------

def test_an_unchanged_template_keeps_every_translation_and_reports_nothing():
    source = template(("title", "Sochi Conference Threatens Syria Peace Process"),
                      ("paragraph", P1), ("signatory", "Baytna Syria"), (None, COUNT))
    catalog = saved(translated(source))
    report = merge(catalog, source)
    assert report == MergeReport(new=0, fuzzy=0, obsolete=0, returned=0)
    assert {key: translation_of(m) for key, m in entries(catalog).items()} == {
        ("title", "Sochi Conference Threatens Syria Peace Process"):
            arabic("Sochi Conference Threatens Syria Peace Process"),
        ("paragraph", P1): arabic(P1),
        ("signatory", "Baytna Syria"): arabic("Baytna Syria"),
        (None, COUNT[0]): arabic(COUNT)}
    assert not any(m.fuzzy for m in entries(catalog).values())
    assert not catalog.obsolete


def test_a_one_word_edit_of_a_paragraph_keeps_its_translation_as_fuzzy_with_the_old_text():
    catalog = saved(translated(template(("paragraph", P1), ("paragraph", OTHER))))
    report = merge(catalog, template(("paragraph", P2), ("paragraph", OTHER)))
    edited = entries(catalog)[("paragraph", P2)]
    assert edited.msgstr == arabic(P1)
    assert edited.fuzzy
    assert previous(edited) == ("paragraph", P1, None)
    assert not entries(catalog)[("paragraph", OTHER)].fuzzy
    assert set(obsolete(catalog)) == {("paragraph", P1)}, "the reviewed translation is kept too"
    assert report == MergeReport(new=0, fuzzy=1, obsolete=0, returned=0)


@pytest.mark.parametrize("through_files", [False, True], ids=["in-memory", "saved-and-read"])
def test_an_edit_undone_brings_the_message_back_translated_not_fuzzy(through_files):
    """An editor changes a paragraph twice (a watcher runs `update` on each save) and then puts
    the original back: the translator has nothing to review."""
    step = saved if through_files else (lambda catalog: catalog)
    catalog = step(translated(template(("paragraph", P1), ("paragraph", OTHER))))
    for text in (P2, P3, P1):
        report = merge(catalog, template(("paragraph", text), ("paragraph", OTHER)))
        catalog = step(catalog)
    back = entries(catalog)[("paragraph", P1)]
    assert (back.msgstr, back.fuzzy, previous(back)) == (arabic(P1), False, (None, None, None))
    assert report == MergeReport(new=0, fuzzy=0, obsolete=0, returned=1)
    assert not catalog.obsolete, "the intermediate texts, never translated, leave nothing"


@pytest.mark.parametrize("through_files", [False, True], ids=["in-memory", "saved-and-read"])
def test_two_successive_edits_keep_the_originally_translated_text_as_previous_msgid(through_files):
    """As `msgmerge --previous`: the previous msgid is the last text a translator translated,
    not the intermediate text nobody translated."""
    step = saved if through_files else (lambda catalog: catalog)
    catalog = step(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    catalog = step(catalog)
    report = merge(catalog, template(("paragraph", P3)))
    edited = entries(catalog)[("paragraph", P3)]
    assert (edited.msgstr, edited.fuzzy, previous(edited)) == (arabic(P1), True,
                                                                ("paragraph", P1, None))
    assert report.fuzzy == 1 and set(obsolete(catalog)) == {("paragraph", P1)}


def test_an_edit_after_the_translator_reviewed_the_fuzzy_message_shows_the_reviewed_text():
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    reviewed = entries(catalog)[("paragraph", P2)]
    reviewed.msgstr = str(arabic(P2))
    reviewed.previous_msgctxt = reviewed.previous_msgid = None  # as Poedit does on review
    reviewed.flags.discard("fuzzy")
    catalog = saved(catalog)
    merge(catalog, template(("paragraph", P3)))
    edited = entries(catalog)[("paragraph", P3)]
    assert (edited.msgstr, edited.fuzzy, previous(edited)) == (arabic(P2), True,
                                                                ("paragraph", P2, None))


def test_a_fuzzy_message_keeps_its_previous_msgid_through_later_updates():
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    for _ in range(2):
        catalog = saved(catalog)
        assert merge(catalog, template(("paragraph", P2))).fuzzy == 0
        message = entries(catalog)[("paragraph", P2)]
        assert (message.fuzzy, previous(message), message.msgstr) == (
            True, ("paragraph", P1, None), arabic(P1))


def test_a_changed_plural_message_keeps_its_forms_as_fuzzy():
    edited = ("%(num)s organisation has signed this statement.",
              "%(num)s organisations have signed this statement.")
    catalog = saved(translated(template((None, COUNT))))
    report = merge(catalog, template((None, edited)))
    message = entries(catalog)[(None, edited[0])]
    assert translation_of(message) == arabic(COUNT)
    assert (message.fuzzy, previous(message)) == (True, (None, *COUNT))
    assert report.fuzzy == 1


# --- signatories: names are not sentences -----------------------------------------------------

def test_a_new_signatory_never_inherits_the_translation_of_a_similar_neighbour():
    """Namar and Namir are two villages: a new council whose name is one letter away from a
    signatory still in the list is another organisation, even when some other signatory was
    removed at the same time (so there are old translations to hand out)."""
    names = ["Local Council of Namar", "Local Council of Namir", "Baytna Syria"]
    catalog = saved(translated(template(*(("signatory", name) for name in names))))
    report = merge(catalog, template(("signatory", "Local Council of Namar"),
                                     ("signatory", "Local Council of Namir"),
                                     ("signatory", "Local Council of Namur")))
    found = entries(catalog)
    assert not found[("signatory", "Local Council of Namur")].msgstr
    assert not found[("signatory", "Local Council of Namur")].fuzzy
    assert previous(found[("signatory", "Local Council of Namur")]) == (None, None, None)
    for name in names[:2]:
        assert (found[("signatory", name)].msgstr, found[("signatory", name)].fuzzy) == (
            arabic(name), False)
    assert set(obsolete(catalog)) == {("signatory", "Baytna Syria")}
    assert report == MergeReport(new=1, fuzzy=0, obsolete=1, returned=0)


@pytest.mark.parametrize(("old", "new"), [
    ("Detainees' Voice Team", "Detainees Voice Team"),  # punctuation
    ("Women Now For Development", "Women Now for Development"),  # case
    ("Syrian Network for Human Rigths", "Syrian Network for Human Rights"),  # a few letters
    ("Kesh Malek", "Kesh-Malek"),  # spacing and punctuation in a short name
])
def test_a_small_edit_of_a_signatory_name_keeps_its_translation_as_fuzzy(old, new):
    catalog = saved(translated(template(("signatory", old), ("signatory", "Baytna Syria"))))
    report = merge(catalog, template(("signatory", new), ("signatory", "Baytna Syria")))
    message = entries(catalog)[("signatory", new)]
    assert (message.msgstr, message.fuzzy, previous(message)) == (
        arabic(old), True, ("signatory", old, None))
    assert report == MergeReport(new=0, fuzzy=1, obsolete=0, returned=0)


def test_another_organisation_in_place_of_a_removed_one_starts_untranslated():
    catalog = saved(translated(template(("signatory", "Local Council of Daraa"))))
    report = merge(catalog, template(("signatory", "Local Council of Idlib")))
    assert not entries(catalog)[("signatory", "Local Council of Idlib")].msgstr
    assert obsolete(catalog)[("signatory", "Local Council of Daraa")].msgstr == arabic(
        "Local Council of Daraa")
    assert report == MergeReport(new=1, fuzzy=0, obsolete=1, returned=0)


# --- obsolete messages --------------------------------------------------------------------------

def test_a_removed_message_becomes_obsolete_and_gets_its_translation_back_when_it_returns():
    full = template(("paragraph", P1), ("signatory", "Baytna Syria"))
    catalog = saved(translated(full))
    report = merge(catalog, template(("paragraph", P1)))
    assert report == MergeReport(new=0, fuzzy=0, obsolete=1, returned=0)
    catalog = saved(catalog)  # written with its obsolete entry (#~), read back
    assert obsolete(catalog)[("signatory", "Baytna Syria")].msgstr == arabic("Baytna Syria")
    assert ("signatory", "Baytna Syria") not in entries(catalog)

    report = merge(catalog, full)
    back = entries(catalog)[("signatory", "Baytna Syria")]
    assert (back.msgstr, back.fuzzy, previous(back)) == (arabic("Baytna Syria"), False,
                                                         (None, None, None))
    assert back.references == ["sources/sochi-2018.yaml:2"], "the template's, not the old ones"
    assert not catalog.obsolete
    assert report == MergeReport(new=0, fuzzy=0, obsolete=0, returned=1)


def test_an_obsolete_fuzzy_entry_keeps_its_flag_and_previous_msgid_in_the_file():
    """msgmerge writes ``#, fuzzy``, ``#~| msgctxt`` and ``#~| msgid`` for an obsolete fuzzy
    entry: its translation is of the previous text, not of the obsolete msgid."""
    catalog = saved(translated(template(("paragraph", P1), ("paragraph", OTHER))))
    merge(catalog, template(("paragraph", P2), ("paragraph", OTHER)))
    started = str(arabic(P2))  # the translator started on it, not yet reviewed: still fuzzy
    entries(catalog)[("paragraph", P2)].msgstr = started
    merge(catalog, template(("paragraph", OTHER)))  # the fuzzy paragraph is removed
    data = serialise(catalog)
    assert b'#, fuzzy\n#~| msgctxt "paragraph"\n#~| msgid "Russia has announced' in data
    again = obsolete(read_catalog(data, CATALOG, "ar"))[("paragraph", P2)]
    assert again.msgstr == started
    assert again.fuzzy, f"the obsolete entry lost its fuzzy flag:\n{data.decode()[-900:]}"
    assert previous(again) == ("paragraph", P1, None)


def test_a_fuzzy_message_that_is_removed_then_restored_comes_back_fuzzy():
    """Otherwise a translation of the old text would print as if it had been reviewed."""
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    catalog = saved(catalog)
    merge(catalog, template(("paragraph", OTHER)))  # removed (and something else added)
    catalog = saved(catalog)
    report = merge(catalog, template(("paragraph", P2)))  # an editor undoes the removal
    back = entries(catalog)[("paragraph", P2)]
    assert back.msgstr == arabic(P1)
    assert back.fuzzy, "a translation nobody reviewed came back as reviewed"
    assert previous(back) == ("paragraph", P1, None)
    # The fuzzy copy of P1's translation was dropped when P2 was removed (P1's obsolete entry
    # holds it): P2 inherits it again from P1, as fuzzy, and P1's reviewed entry stays.
    assert (report.returned, report.fuzzy) == (0, 1)
    assert set(obsolete(catalog)) == {("paragraph", P1)}


def every_translation(catalog: PoCatalog) -> set[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Each translation a catalog holds, current or obsolete, with its translator comments."""
    return {(e.msgstr, tuple(e.msgstr_plural), tuple(e.translator_comments))
            for e in [*catalog.entries, *catalog.obsolete] if e.translated}


def test_successive_edits_leave_one_obsolete_copy_and_lose_no_translation():
    """Each save under `watch` runs `update`: three quick edits of one paragraph, each nearer
    the translated text than the one before, left an obsolete fuzzy copy of the same stale
    translation each. A fuzzy obsolete entry whose translation another entry holds is dropped;
    one the translator touched (fuzzy still) is kept; no translation text is ever lost."""
    edits = [P1.replace("has announced", "has declared"), P1.replace("Sochi", "Sotchi"),
             P1.replace("meaningful", "genuine")]
    catalog = saved(translated(template(("paragraph", P1), ("paragraph", OTHER))))
    for text in edits:
        before = every_translation(catalog)
        merge(catalog, template(("paragraph", text), ("paragraph", OTHER)))
        catalog = saved(catalog)
        assert before <= every_translation(catalog), "a translation was lost"
    assert [(e.msgid, e.fuzzy) for e in catalog.obsolete] == [(P1, False)]
    assert (entries(catalog)[("paragraph", edits[-1])].msgstr, previous(
        entries(catalog)[("paragraph", edits[-1])])) == (arabic(P1), ("paragraph", P1, None))

    # The translator starts on the fuzzy paragraph (not reviewed) and the editor edits again:
    # the copy with the translator's words is kept, though fuzzy.
    started = entries(catalog)[("paragraph", edits[-1])]
    started.msgstr = str(arabic(P1)) + " مسودة"
    started.translator_comments = ["to check with the editor"]
    for text in (P1.replace("Syrians", "Syrian people"), P1.replace("Russia", "The Russian government")):
        before = every_translation(catalog)
        merge(catalog, template(("paragraph", text), ("paragraph", OTHER)))
        catalog = saved(catalog)
        assert before <= every_translation(catalog), "a translation was lost"
    assert sorted((e.msgid == P1, e.fuzzy) for e in catalog.obsolete) in (
        [(False, True), (True, False)], [(True, False)])
    assert str(arabic(P1)) + " مسودة" in {e.msgstr for e in [*catalog.entries, *catalog.obsolete]}


def test_empty_obsolete_entries_are_dropped():
    source = template(("paragraph", P1), ("signatory", "Baytna Syria"))
    catalog = new_catalog("ar", source)  # nothing translated
    catalog = saved(catalog)
    report = merge(catalog, template(("paragraph", OTHER)))
    assert not catalog.obsolete
    assert report == MergeReport(new=1, fuzzy=0, obsolete=0, returned=0)
    assert b"#~" not in serialise(catalog)


def test_each_old_translation_is_given_to_at_most_one_new_message():
    """A paragraph split in two edited halves: the closer one inherits the translation, the
    other starts untranslated (msgmerge would hand the same translation to both)."""
    closer = P1.replace("has announced", "announced")
    farther = P1.replace("has announced", "announced").replace("meaningful", "real")
    catalog = saved(translated(template(("paragraph", P1))))
    report = merge(catalog, template(("paragraph", farther), ("paragraph", closer)))
    found = entries(catalog)
    assert (found[("paragraph", closer)].msgstr, found[("paragraph", closer)].fuzzy) == (
        arabic(P1), True)
    assert not found[("paragraph", farther)].msgstr
    assert report == MergeReport(new=1, fuzzy=1, obsolete=0, returned=0)


def test_contexts_never_cross():
    """The issuer's text, removed, is not a translation for a signatory of the same name, nor a
    removed title for a paragraph of almost the same words."""
    catalog = saved(translated(template(("issuer", "Syrian Civil Society"), ("title", P1))))
    report = merge(catalog, template(("signatory", "Syrian Civil Society"), ("paragraph", P2)))
    found = entries(catalog)
    assert not found[("signatory", "Syrian Civil Society")].msgstr
    assert not found[("paragraph", P2)].msgstr
    assert set(obsolete(catalog)) == {("issuer", "Syrian Civil Society"), ("title", P1)}
    assert report == MergeReport(new=2, fuzzy=0, obsolete=2, returned=0)


def test_the_report_counts_new_fuzzy_obsolete_and_returned_messages():
    catalog = saved(translated(template(
        ("paragraph", P1), ("paragraph", OTHER), ("signatory", "Baytna Syria"),
        ("signatory", "Detainees' Voice Team"), ("signatory", "Local Council of Daraa"))))
    merge(catalog, template(("paragraph", P1), ("paragraph", OTHER),
                            ("signatory", "Detainees' Voice Team"),
                            ("signatory", "Local Council of Daraa")))  # Baytna Syria leaves
    catalog = saved(catalog)
    report = merge(catalog, template(
        ("paragraph", P2),  # edited: fuzzy
        ("signatory", "Baytna Syria"),  # back: returned
        ("signatory", "Detainees Voice Team"),  # touched up: fuzzy
        ("signatory", "Kesh Malek"), ("title", "A new title")))  # new, new
    # OTHER and Local Council of Daraa are removed: obsolete
    assert report == MergeReport(new=2, fuzzy=2, obsolete=2, returned=1)
    assert set(obsolete(catalog)) == {("paragraph", OTHER), ("signatory", "Local Council of Daraa"),
                                      # the reviewed translations the fuzzy messages inherited
                                      ("paragraph", P1), ("signatory", "Detainees' Voice Team")}


# --- small_edit ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new"), [
    ("Detainees' Voice Team", "Detainees Voice Team"),
    ("Baytna Syria", "BAYTNA SYRIA"),
    ("Baytna Syria", "Baytna-Syria"),
    ("Baytna Syria", "BaytnaSyria."),
    ("Société Civile Syrienne", "Societe Civile Syrienne"),
    ("Syrian Network for Human Rigths", "Syrian Network for Human Rights"),
    ("Syrian Network for Human Rights", "Syrian Network for Human Right"),
    ("الشبكة السورية لحقوق الإنسان", "الشبكة السورية لحقوق الانسان"),
])
def test_a_small_edit_is_punctuation_case_spacing_or_a_few_letters(old, new):
    assert small_edit(old, new)
    assert small_edit(new, old)


@pytest.mark.parametrize(("old", "new"), [
    ("SNHR", "SNHA"),  # a short name: every letter matters
    ("Baytna Syria", "Baytna Iraq"),
    ("Local Council of Daraa", "Local Council of Idlib"),
    ("Local Council of Nawa", "Local Council of Namir"),
    ("Women Now for Development", "Women for Development Now Foundation"),
    ("Baytna Syria", "Women Now for Development"),
])
def test_another_name_is_not_a_small_edit(old, new):
    assert not small_edit(old, new)
    assert not small_edit(new, old)


# --- a new language -----------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "forms"), [("ar", 6), ("en", 2), ("fr", 3), ("ja", 1)])
def test_a_new_catalog_has_cldr_plural_forms_and_every_message_untranslated(code, forms):
    source = template(("paragraph", P1), ("signatory", "Baytna Syria"), (None, COUNT))
    catalog = new_catalog(code, source)
    assert catalog.nplurals == forms
    assert f"nplurals={forms};".encode() in serialise(catalog)
    assert set(entries(catalog)) == set(entries(source))
    assert not any(m.translated or m.fuzzy for m in entries(catalog).values())
    assert len(entries(catalog)[(None, COUNT[0])].msgstr_plural) == max(forms, 2)
    again = read_catalog(serialise(catalog), CATALOG, code)
    assert (again.nplurals, again.header_field("Language")) == (forms, code)


def test_the_arabic_plural_forms_choose_as_cldr_says():
    catalog = new_catalog("ar", template((None, COUNT)))
    choose = gettext.c2py(catalog.plural_expr)
    counts = (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)
    assert [choose(n) for n in counts] == [0, 1, 2, 3, 3, 4, 4, 5, 5, 3, 4]
    assert [catalog.plural_index(n) for n in counts] == [choose(n) for n in counts]


# --- cost ---------------------------------------------------------------------------------------

def paragraphs(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct short paragraphs of 8 words: pseudo-words, and the common words every
    paragraph of a statement shares (short, so that the comparisons counted stay quick)."""
    syllables = ["ba", "ri", "tu", "ko", "me", "sa", "li", "do", "ne", "fa", "zu", "hi", "po"]
    vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
                         for _ in range(4000)})
    common = ["the", "of", "and", "Syria", "Security", "Council", "resolution", "to", "in"]
    texts: set[str] = set()
    while len(texts) < count:
        texts.add(" ".join(rng.choice(common) if rng.random() < 0.3 else rng.choice(vocabulary)
                           for _ in range(8)) + ".")
    return sorted(texts)


REAL_SIMILARITY = merging.similarity


def comparisons_for(changed: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many texts merge compares when ``changed`` paragraphs of ``changed + 20`` have one
    word replaced; each must inherit the translation of the paragraph it was edited from."""
    rng = random.Random(changed)
    texts = paragraphs(changed + 20, rng)
    catalog = translated(template(*(("paragraph", text) for text in texts)))
    edited = {}
    for text in texts[:changed]:
        words = text.split()
        words[rng.randrange(1, 7)] = "changed"
        edited[" ".join(words)] = text
    calls = 0

    def counting(old: str, new: str) -> float:
        nonlocal calls
        calls += 1
        return REAL_SIMILARITY(old, new)

    monkeypatch.setattr(merging, "similarity", counting)
    report = merge(catalog, template(*(("paragraph", text) for text in [*edited, *texts[changed:]])))
    assert report == MergeReport(new=0, fuzzy=changed, obsolete=0, returned=0)
    found = entries(catalog)
    assert all(previous(found[("paragraph", new)]) == ("paragraph", old, None)
               for new, old in edited.items())
    return calls


def test_merge_compares_in_proportion_to_the_changed_messages_not_their_square(monkeypatch):
    """Each changed paragraph is compared with at most a few removed ones (those sharing its
    rarest words): at most a constant number of comparisons per changed message, whether 50 or
    500 changed, where comparing every new text with every removed one would make 2,500 and
    250,000."""
    few = comparisons_for(50, monkeypatch)
    many = comparisons_for(500, monkeypatch)
    assert 50 <= few <= CANDIDATES * 50
    assert 500 <= many <= CANDIDATES * 500, f"{many} comparisons for 500 changed paragraphs"


# --- the pivot language: its text beside each message of a third-language catalog ------------------

DEMAND = "نطالب بالإفراج الفوري عن جميع المعتقلين."
NAME = "رابطة عائلات قيصر"
WORD = "Signatories"


def pivot_comments(catalog: PoCatalog) -> dict[Key, list[str]]:
    return {key: [c for c in entry.extracted_comments if c.startswith("English: ")]
            for key, entry in entries(catalog).items()}


def test_a_third_language_catalog_gets_the_released_pivot_translation_as_a_comment():
    """An Arabic statement, English the pivot: the French catalog shows the reviewed English
    translation of each Arabic message; nothing for a fuzzy or missing English translation, nor
    on a message written in English (its msgid is the English already, as the templates' words
    are); nothing in the English or the Arabic catalog (the source language's) on the Arabic
    messages; and each update keeps the comment current."""
    source = template(("paragraph", DEMAND), ("signatory", NAME), ("title", "عنوان"), (None, WORD))
    sources = {("paragraph", DEMAND): "ar", ("signatory", NAME): "ar", ("title", "عنوان"): "ar",
               (None, WORD): "en"}
    english = new_catalog("en", source)
    english.get(DEMAND, "paragraph").msgstr = "We demand the release of all detainees."
    english.get(NAME, "signatory").msgstr = "Caesar Families Association"
    english.get(NAME, "signatory").flags.add("fuzzy")  # not released: no comment
    def notes(code: str) -> dict[Key, str]:
        return pivot_notes("en", "English", code, source, english, sources)

    french, arabic_catalog = new_catalog("fr", source, notes("fr")), saved(new_catalog("ar", source,
                                                                                       notes("ar")))
    merge(english, source, notes("en"))
    expected = {("paragraph", DEMAND): ["English: We demand the release of all detainees."],
                ("signatory", NAME): [], ("title", "عنوان"): [], (None, WORD): []}
    assert pivot_comments(french) == expected
    assert pivot_comments(saved(french, "fr")) == expected, "written and read back"
    assert pivot_comments(english) == dict.fromkeys(expected, [])
    assert pivot_comments(arabic_catalog) == dict.fromkeys(expected, [])
    assert entries(french)[("paragraph", DEMAND)].extracted_comments[0] == "Message 1.", "kept first"

    english.get(DEMAND, "paragraph").msgstr = "We demand the immediate release of all detainees."
    english.get(NAME, "signatory").flags.discard("fuzzy")
    merge(french, source, notes("fr"))
    assert pivot_comments(french) == {
        **expected, ("paragraph", DEMAND): ["English: We demand the immediate release of all detainees."],
        ("signatory", NAME): ["English: Caesar Families Association"]}
    english.get(DEMAND, "paragraph").flags.add("fuzzy")
    merge(french, source, notes("fr"))
    assert pivot_comments(french)[("paragraph", DEMAND)] == [], "a fuzzy pivot translation: no comment"


ARABIC_STATEMENT = f"""id: detainees-2021
title: نداء من أجل المعتقلين
date: 2021-03-15
language: ar
issuer: تحالف المجتمع المدني السوري
body:
  - {DEMAND}
"""


def test_update_with_a_pivot_setting_writes_and_refreshes_the_comments(small, capsys):
    """`pivot = "en"` in [tool.pipeline]: `update` writes the English beside each message of an
    Arabic statement in the French catalog, refreshes it when the English changes, and leaves the
    English and Arabic catalogs' messages of that statement without one."""
    settings = small.root / "pyproject.toml"
    settings.write_text(settings.read_text("utf-8") + 'pivot = "en"\n', "utf-8")
    (small.root / "sources" / "detainees-2021.yaml").write_text(ARABIC_STATEMENT, "utf-8")
    small = keep_languages(small, "en", "ar")  # then French, from scratch
    assert cli(capsys, small, "init", "fr")[0] == 0
    assert cli(capsys, small, "update")[0] == 0
    english_path = small.catalog_path("en")
    english = english_path.read_text("utf-8")
    assert f'msgctxt "paragraph"\nmsgid "{DEMAND}"\nmsgstr ""\n' in english
    english_path.write_text(english.replace(f'msgid "{DEMAND}"\nmsgstr ""', f'msgid "{DEMAND}"\n'
                                            'msgstr "We demand the release of all detainees."'), "utf-8")
    assert cli(capsys, small, "update")[0] == 0
    french = small.catalog_path("fr").read_text("utf-8")
    assert ('#. English: We demand the release of all detainees.\n#: sources/detainees-2021.yaml:7\n'
            f'msgctxt "paragraph"\nmsgid "{DEMAND}"\n') in french
    assert "#. English: Signatories\n" not in french, "an English word is its own pivot text"
    for code in ("en", "ar"):
        assert "English: We demand" not in small.catalog_path(code).read_text("utf-8")
    english_path.write_text(english_path.read_text("utf-8").replace("the release", "the immediate release"),
                            "utf-8")
    assert cli(capsys, small, "update", "--lang", "fr")[0] == 0
    french = small.catalog_path("fr").read_text("utf-8")
    assert "#. English: We demand the immediate release of all detainees.\n" in french
    assert "English: We demand the release" not in french


# --- the file -----------------------------------------------------------------------------------

def msgfmt_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)


def msgcat(data: bytes) -> bytes:
    """What `msgcat --no-wrap` writes (GNU gettext is required: `make test` installs it)."""
    return subprocess.run(["msgcat", "--no-wrap", "-"], input=data, capture_output=True,
                          check=True).stdout


def written(tmp_path: Path, data: bytes, name: str = "statements.po") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_fuzzy_entry_keeps_its_previous_msgid_through_the_file_and_msgfmt_accepts_it(tmp_path):
    edited_count = ("%(num)s organisation has signed this statement.",
                    "%(num)s organisations have signed this statement.")
    catalog = saved(translated(template(("paragraph", P1), (None, COUNT),
                                        ("signatory", "Baytna Syria"))))
    merge(catalog, template(("paragraph", P2), (None, edited_count)))
    data = serialise(catalog)
    assert b'#, fuzzy\n#| msgctxt "paragraph"\n#| msgid "Russia has announced' in data, (
        "a long previous msgid is on one line, after its msgctxt")
    assert (b'#, fuzzy, python-format\n#| msgid "%(num)s organisation signed this statement."\n'
            b'#| msgid_plural "%(num)s organisations signed this statement."\n') in data
    again = entries(read_catalog(data, CATALOG, "ar"))
    assert (again[("paragraph", P2)].fuzzy, previous(again[("paragraph", P2)])) == (
        True, ("paragraph", P1, None))
    assert previous(again[(None, edited_count[0])]) == (None, *COUNT)
    result = msgfmt_check(written(tmp_path, data))
    assert result.returncode == 0, result.stderr
    assert msgcat(data) == data, "written as msgcat --no-wrap writes"
    assert serialise(read_catalog(data, CATALOG, "ar")) == data, "reading and writing is stable"


def test_successive_merges_write_what_msgmerge_previous_writes(tmp_path):
    """The same catalog brought through four template changes by `merge` and by
    `msgmerge --previous`: a paragraph edited twice, a plural message edited, a signatory
    removed and returned, a title added and edited, a paragraph replaced. Where our fuzzy
    matching and msgmerge's agree (here), the files are the same, byte for byte, but for the
    reviewed translations of changed messages that we keep obsolete and msgmerge drops, and the
    fuzzy obsolete copies of a translation another entry holds, which we drop and msgmerge
    keeps."""
    dates = iter(f"2026-11-2{day} 18:20+0000" for day in range(1, 10))

    def pot(*messages: tuple[str | None, str | tuple[str, ...]]) -> PoCatalog:
        """A template made on a day of its own: the catalog takes its date, as msgmerge does."""
        catalog = template(*messages)
        catalog.header = template_header(next(dates))
        return catalog

    edited_count = ("%(num)s organisation has signed this statement.",
                    "%(num)s organisations have signed this statement.")
    catalog = saved(translated(pot(("paragraph", P1), (None, COUNT), ("signatory", "Baytna Syria"),
                                   ("signatory", "Kesh Malek"))))
    theirs = serialise(catalog)
    for step, source in enumerate([
            pot(("paragraph", P2), (None, edited_count), ("signatory", "Kesh Malek"),
                ("title", "A new title")),
            pot(("title", "A new title"), ("paragraph", P3), (None, edited_count),
                ("signatory", "Kesh Malek"), ("signatory", "Baytna Syria")),
            pot(("title", "A new title"), ("paragraph", OTHER), ("signatory", "Baytna Syria")),
            pot(("title", "A newer title"), ("paragraph", P3), ("signatory", "Baytna Syria"))]):
        theirs = subprocess.run(
            ["msgmerge", "--quiet", "--no-wrap", "--previous", "-o", "-",
             str(written(tmp_path, serialise(catalog), "old.po")),
             str(written(tmp_path, serialise(source), "new.pot"))],
            capture_output=True, check=True).stdout
        merge(catalog, source)
        catalog = saved(catalog)
        pending = {(e.previous_msgctxt, e.previous_msgid) for e in catalog if e.fuzzy}
        theirs_obsolete = set(obsolete(read_catalog(theirs, CATALOG, "ar")))
        extra = [e for e in catalog.obsolete if e.key not in theirs_obsolete]
        assert all(not e.fuzzy and e.key in pending for e in extra), \
            f"after update {step + 1}: only reviewed translations of changed messages are extra"
        ours = {(e.msgstr, tuple(e.msgstr_plural)) for e in [*catalog.entries, *catalog.obsolete]}
        read_theirs = read_catalog(theirs, CATALOG, "ar")
        dropped = [e for e in read_theirs.obsolete if e.key not in obsolete(catalog)]
        assert all(e.fuzzy and (e.msgstr, tuple(e.msgstr_plural)) in ours for e in dropped), \
            f"after update {step + 1}: only fuzzy copies of a translation we hold are dropped"
        read_theirs.obsolete = [e for e in read_theirs.obsolete if e not in dropped]
        compared = saved(catalog)
        compared.obsolete = [e for e in compared.obsolete if e.key in theirs_obsolete]
        assert serialise(compared).decode() == serialise(read_theirs).decode(), \
            f"after update {step + 1}"
    # what the last file shows: a returned fuzzy paragraph; of the plural message, the reviewed
    # translation only (its edited text's fuzzy copy is dropped: the reviewed entry holds it)
    assert b'#, fuzzy\n#| msgctxt "paragraph"\n#| msgid "Russia has announced' in theirs
    assert [(e.msgid, e.fuzzy) for e in catalog.obsolete if e.is_plural] == [(COUNT[0], False)]


def test_a_percent_sign_that_is_no_placeholder_never_makes_a_python_format_entry(tmp_path):
    """"50% of voters" has no placeholder: flagged python-format, msgfmt --check (and Poedit)
    would refuse its translation «٥٠٪ من الناخبين», which has no format directive either."""
    text = "Only 50% of voters took part, and 30% of them were displaced."
    source = template(("paragraph", text), (None, "Page %(page)s of %(pages)s"))
    catalog = new_catalog("ar", source)
    for entry in catalog:
        if entry.msgid == text:
            entry.msgstr = "شارك ٥٠٪ فقط من الناخبين، و٣٠٪ منهم نازحون."
        else:
            entry.msgstr = "صفحة %(page)s من %(pages)s"
    catalog = saved(catalog)  # as every update reads it
    merge(catalog, source)
    flags = {key: m.flags for key, m in entries(catalog).items()}
    assert "python-format" not in flags[("paragraph", text)]
    assert "python-format" in flags[(None, "Page %(page)s of %(pages)s")]
    result = msgfmt_check(written(tmp_path, serialise(catalog)))
    assert result.returncode == 0, result.stderr


def test_a_python_format_flag_left_on_a_percent_sign_is_dropped_by_the_merge():
    """A catalog Babel wrote flagged "50% of voters" python-format; while the entry is fuzzy
    or untranslated the reader accepts it (msgfmt checks only translations), and the merge
    takes the format flags from the text itself, so a translator's «٥٠٪» is accepted after."""
    text = "Only 50% of voters took part."
    flagged = "\n".join([
        'msgid ""', 'msgstr ""', '"Language: ar\\n"', '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Plural-Forms: nplurals=6; plural={plural_forms("ar")[1]};\\n"', "",
        "#, fuzzy, python-format", 'msgctxt "paragraph"', f'msgid "{text}"',
        'msgstr "لم يشارك سوى ٥٠٪ من الناخبين."', "",
        "#, python-format", 'msgctxt "paragraph"', 'msgid "Aid reached 5% of the besieged."',
        'msgstr ""', ""]).encode()
    catalog = read_catalog(flagged, CATALOG, "ar")
    merge(catalog, template(("paragraph", text), ("paragraph", "Aid reached 5% of the besieged.")))
    assert [entry.flags for entry in catalog] == [{"fuzzy"}, set()]
    for entry in catalog:
        entry.flags.discard("fuzzy")
        entry.msgstr = entry.msgstr or "وصلت المساعدات إلى ٥٪ من المحاصرين."
    # read back strictly: a translation «٥٠٪» of an entry still flagged would be refused
    assert [e.msgstr for e in saved(catalog)] == [e.msgstr for e in catalog]


# --- update: the command, on the fixture project ------------------------------------------------

def test_the_catalogs_update_writes_pass_msgfmt_check_and_are_as_msgcat_writes(project):
    """After edits that make every kind of entry (fuzzy with a previous msgctxt and msgid,
    obsolete, new), each catalog and the template `update` writes passes `msgfmt --check` and
    is what msgcat writes (but for the 'ignore-same' flag msgcat drops)."""
    sochi = "sources/sochi-2018.yaml"
    edit(project, sochi, "Russia has announced that", "Russia has declared that")
    edit(project, sochi, "  - Daraa Bar Association\n", "")
    edit(project, sochi, "  - Decostamine Initiative\n", "  - Decostamine Initiative.\n"
         "  - A New Organisation for Syria\n")
    reports = update(project)
    assert reports["ar"] == MergeReport(new=1, fuzzy=2, obsolete=1, returned=0)
    for path in (project.catalog_path("ar"), project.catalog_path("en"), project.template_path):
        result = msgfmt_check(path)
        assert result.returncode == 0, f"{project.relative(path)}:\n{result.stderr}"
        data = path.read_bytes()
        assert msgcat(data) == data.replace(b"#, ignore-same\n", b""), project.relative(path)
    arabic_file = project.catalog_path("ar").read_text("utf-8")
    assert '#, fuzzy\n#| msgctxt "paragraph"\n#| msgid "Russia has announced' in arabic_file
    assert '#| msgctxt "signatory"\n#| msgid "Decostamine Initiative"\n' in arabic_file
    assert '#~ msgctxt "signatory"\n#~ msgid "Daraa Bar Association"\n' in arabic_file


def test_update_compares_only_the_changed_messages(project, monkeypatch):
    """`update` compares each changed text with at most a few removed ones, and never with an
    unchanged one: no comparison when nothing changed, at most CANDIDATES per changed message
    (a paragraph, a signatory's name), however many messages the catalog has."""
    calls: list[tuple[str, str]] = []

    def counted(function):
        def counting(old: str, new: str):
            calls.append((old, new))
            return function(old, new)
        return counting

    monkeypatch.setattr(merging, "similarity", counted(merging.similarity))
    monkeypatch.setattr(merging, "small_edit", counted(merging.small_edit))
    update(project)
    assert calls == [], "nothing changed: nothing compared"

    path = project.source_path("sochi-2018")
    number = itertools.count(1)
    sochi = re.sub(r"  - >-\n    ", lambda m: f"{m.group()}Edit {next(number)}: ",
                   path.read_text("utf-8"))
    names = ["Daraa Bar Association", "Decostamine Initiative", "Al-Gouta Youth Volunteering Team",
             "Alkawakibi Organization for Human Rights"]  # Sochi's alone
    for name in names:
        sochi = sochi.replace(f"  - {name}\n", f"  - {name}.\n")
    path.write_text(sochi, "utf-8")
    changed = next(number) - 1 + len(names)
    assert changed == 10

    reports = update(project)
    assert reports["ar"] == MergeReport(new=0, fuzzy=changed, obsolete=0, returned=0)
    assert changed <= len(calls) <= CANDIDATES * changed, len(calls)
    current = {entry.msgid for entry in read_catalog(project.template_path.read_bytes(), "pot")}
    assert not [old for old, _ in calls if old in current], "an unchanged message was compared"

"""`update`'s merge, with msgmerge's semantics, on small in-memory catalogs.

A catalog is merged with the template the statements give now: translations are kept, a changed
message keeps its translation as fuzzy with the text it translated as the previous msgid, a
removed one becomes obsolete with its translation and gets it back when it returns. Fuzzy matching
is ours: within one context, a signatory only for a small edit of its own name, each old
translation given once, and at a cost in proportion to the changed messages.
"""

from __future__ import annotations

import gettext
import random
import shutil
import subprocess

import pytest
from babel.messages.catalog import Catalog, Message

from pipeline.catalogs import merge as merging
from pipeline.catalogs.lookup import messages_by_key
from pipeline.catalogs.merge import CANDIDATES, MergeReport, merge, new_catalog, small_edit
from pipeline.catalogs.pofile import Key, read_catalog, serialise
from pipeline.messages import SourceMessage, build_template

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


def template(*messages: tuple[str | None, str | tuple[str, ...]]) -> Catalog:
    """A message template of (context, text) pairs, as `update` builds it."""
    return build_template(SourceMessage(context, text, SOURCE, line, (f"Message {line}.",))
                          for line, (context, text) in enumerate(messages, 1))


def arabic(text: str | tuple[str, ...]) -> str | tuple[str, ...]:
    """A recognisable stand-in for the translation of a text (six forms for a plural)."""
    if isinstance(text, tuple):
        return tuple(f"ترجمة {n}: {text[0]}" for n in range(6))
    return f"ترجمة: {text}"


def translated(source: Catalog, code: str = "ar") -> Catalog:
    """A catalog in which every message of ``source`` is translated."""
    catalog = new_catalog(code, source)
    for message in catalog:
        if message.id:
            message.string = arabic(message.id)
    return catalog


def entries(catalog: Catalog) -> dict[Key, Message]:
    return messages_by_key(catalog)


def obsolete(catalog: Catalog) -> dict[Key, Message]:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
            for m in catalog.obsolete.values()}


def saved(catalog: Catalog, code: str = "ar") -> Catalog:
    """The catalog as the next run reads it: written as `update` writes it, then read back."""
    return read_catalog(serialise(catalog), CATALOG, code)


# --- translations kept, changed messages fuzzy ------------------------------------------------

def test_an_unchanged_template_keeps_every_translation_and_reports_nothing():
    source = template(("title", "Sochi Conference Threatens Syria Peace Process"),
                      ("paragraph", P1), ("signatory", "Baytna Syria"), (None, COUNT))
    catalog = saved(translated(source))
    report = merge(catalog, source)
    assert report == MergeReport(new=0, fuzzy=0, obsolete=0, returned=0)
    assert {key: m.string for key, m in entries(catalog).items()} == {
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
    assert edited.string == arabic(P1)
    assert edited.fuzzy
    assert edited.previous_id == [P1]
    assert not entries(catalog)[("paragraph", OTHER)].fuzzy
    assert not catalog.obsolete, "the old text's translation moved to the new text"
    assert report == MergeReport(new=0, fuzzy=1, obsolete=0, returned=0)


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
    assert (edited.string, edited.fuzzy, edited.previous_id) == (arabic(P1), True, [P1])
    assert report.fuzzy == 1 and not catalog.obsolete


def test_an_edit_after_the_translator_reviewed_the_fuzzy_message_shows_the_reviewed_text():
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    reviewed = entries(catalog)[("paragraph", P2)]
    reviewed.string, reviewed.previous_id = arabic(P2), []
    reviewed.flags.discard("fuzzy")
    catalog = saved(catalog)
    merge(catalog, template(("paragraph", P3)))
    edited = entries(catalog)[("paragraph", P3)]
    assert (edited.string, edited.fuzzy, edited.previous_id) == (arabic(P2), True, [P2])


def test_a_fuzzy_message_keeps_its_previous_msgid_through_later_updates():
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    for _ in range(2):
        catalog = saved(catalog)
        assert merge(catalog, template(("paragraph", P2))).fuzzy == 0
        message = entries(catalog)[("paragraph", P2)]
        assert (message.fuzzy, message.previous_id, message.string) == (True, [P1], arabic(P1))


def test_a_changed_plural_message_keeps_its_forms_as_fuzzy():
    edited = ("%(num)s organisation has signed this statement.",
              "%(num)s organisations have signed this statement.")
    catalog = saved(translated(template((None, COUNT))))
    report = merge(catalog, template((None, edited)))
    message = entries(catalog)[(None, edited[0])]
    assert message.string == arabic(COUNT)
    assert (message.fuzzy, message.previous_id) == (True, list(COUNT))
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
    assert not found[("signatory", "Local Council of Namur")].string
    assert not found[("signatory", "Local Council of Namur")].fuzzy
    for name in names[:2]:
        assert (found[("signatory", name)].string, found[("signatory", name)].fuzzy) == (
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
    assert (message.string, message.fuzzy, message.previous_id) == (arabic(old), True, [old])
    assert report == MergeReport(new=0, fuzzy=1, obsolete=0, returned=0)


def test_another_organisation_in_place_of_a_removed_one_starts_untranslated():
    catalog = saved(translated(template(("signatory", "Local Council of Daraa"))))
    report = merge(catalog, template(("signatory", "Local Council of Idlib")))
    assert not entries(catalog)[("signatory", "Local Council of Idlib")].string
    assert obsolete(catalog)[("signatory", "Local Council of Daraa")].string == arabic(
        "Local Council of Daraa")
    assert report == MergeReport(new=1, fuzzy=0, obsolete=1, returned=0)


# --- obsolete messages --------------------------------------------------------------------------

def test_a_removed_message_becomes_obsolete_and_gets_its_translation_back_when_it_returns():
    full = template(("paragraph", P1), ("signatory", "Baytna Syria"))
    catalog = saved(translated(full))
    report = merge(catalog, template(("paragraph", P1)))
    assert report == MergeReport(new=0, fuzzy=0, obsolete=1, returned=0)
    catalog = saved(catalog)  # written with its obsolete entry (#~), read back
    assert obsolete(catalog)[("signatory", "Baytna Syria")].string == arabic("Baytna Syria")
    assert ("signatory", "Baytna Syria") not in entries(catalog)

    report = merge(catalog, full)
    back = entries(catalog)[("signatory", "Baytna Syria")]
    assert (back.string, back.fuzzy) == (arabic("Baytna Syria"), False)
    assert not catalog.obsolete
    assert report == MergeReport(new=0, fuzzy=0, obsolete=0, returned=1)


def test_an_obsolete_fuzzy_entry_keeps_its_flag_and_previous_msgid_in_the_file():
    """msgmerge writes ``#, fuzzy`` and ``#~| msgid`` for an obsolete fuzzy entry: its
    translation is of the previous text, not of the obsolete msgid."""
    catalog = saved(translated(template(("paragraph", P1), ("paragraph", OTHER))))
    merge(catalog, template(("paragraph", P2), ("paragraph", OTHER)))
    merge(catalog, template(("paragraph", OTHER)))  # the fuzzy paragraph is removed
    data = serialise(catalog)
    again = obsolete(read_catalog(data, CATALOG, "ar"))[("paragraph", P2)]
    assert again.string == arabic(P1)
    assert again.fuzzy, f"the obsolete entry lost its fuzzy flag:\n{data.decode()[-900:]}"
    assert again.previous_id == [P1]


def test_a_fuzzy_message_that_is_removed_then_restored_comes_back_fuzzy():
    """Otherwise a translation of the old text would print as if it had been reviewed."""
    catalog = saved(translated(template(("paragraph", P1))))
    merge(catalog, template(("paragraph", P2)))
    catalog = saved(catalog)
    merge(catalog, template(("paragraph", OTHER)))  # removed (and something else added)
    catalog = saved(catalog)
    report = merge(catalog, template(("paragraph", P2)))  # an editor undoes the removal
    back = entries(catalog)[("paragraph", P2)]
    assert back.string == arabic(P1)
    assert back.fuzzy, "a translation nobody reviewed came back as reviewed"
    assert back.previous_id == [P1]
    assert report.returned == 1


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
    assert (found[("paragraph", closer)].string, found[("paragraph", closer)].fuzzy) == (
        arabic(P1), True)
    assert not found[("paragraph", farther)].string
    assert report == MergeReport(new=1, fuzzy=1, obsolete=0, returned=0)


def test_contexts_never_cross():
    """The issuer's text, removed, is not a translation for a signatory of the same name, nor a
    removed title for a paragraph of almost the same words."""
    catalog = saved(translated(template(("issuer", "Syrian Civil Society"), ("title", P1))))
    report = merge(catalog, template(("signatory", "Syrian Civil Society"), ("paragraph", P2)))
    found = entries(catalog)
    assert not found[("signatory", "Syrian Civil Society")].string
    assert not found[("paragraph", P2)].string
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
    assert set(obsolete(catalog)) == {("paragraph", OTHER), ("signatory", "Local Council of Daraa")}


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
    assert catalog.num_plurals == forms
    assert f"nplurals={forms};".encode() in serialise(catalog)
    assert set(entries(catalog)) == set(entries(source))
    assert not any(any(m.string if isinstance(m.string, tuple) else [m.string])
                   for m in entries(catalog).values())
    assert read_catalog(serialise(catalog), CATALOG, code).num_plurals == forms


def test_the_arabic_plural_forms_choose_as_cldr_says():
    choose = gettext.c2py(new_catalog("ar", template((None, COUNT))).plural_expr)
    assert [choose(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)] == [
        0, 1, 2, 3, 3, 4, 4, 5, 5, 3, 4]


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
    assert all(found[("paragraph", new)].previous_id == [old] for new, old in edited.items())
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


# --- the file -----------------------------------------------------------------------------------

def msgfmt_check(tmp_path, data: bytes) -> subprocess.CompletedProcess:
    path = tmp_path / "statements.po"
    path.write_bytes(data)
    return subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)],
                          capture_output=True, text=True)


needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None,
                                  reason="GNU gettext is missing: run tools/system-packages test")


@needs_msgfmt
def test_a_fuzzy_entry_keeps_its_previous_msgid_through_the_file_and_msgfmt_accepts_it(tmp_path):
    edited_count = ("%(num)s organisation has signed this statement.",
                    "%(num)s organisations have signed this statement.")
    catalog = saved(translated(template(("paragraph", P1), (None, COUNT),
                                        ("signatory", "Baytna Syria"))))
    merge(catalog, template(("paragraph", P2), (None, edited_count)))
    data = serialise(catalog)
    assert b'#| msgid ""\n#| "Russia has announced' in data, "a long previous msgid is wrapped"
    again = entries(read_catalog(data, CATALOG, "ar"))
    assert (again[("paragraph", P2)].fuzzy, again[("paragraph", P2)].previous_id) == (True, [P1])
    assert again[(None, edited_count[0])].previous_id == list(COUNT)
    result = msgfmt_check(tmp_path, data)
    assert result.returncode == 0, result.stderr
    assert serialise(read_catalog(data, CATALOG, "ar")) == data, "reading and writing is stable"


@needs_msgfmt
def test_a_percent_sign_that_is_no_placeholder_never_makes_a_python_format_entry(tmp_path):
    """"50% of voters" has no placeholder: flagged python-format, msgfmt --check (and Poedit)
    would refuse its translation «٥٠٪ من الناخبين», which has no format directive either."""
    text = "Only 50% of voters took part, and 30% of them were displaced."
    source = template(("paragraph", text), (None, "Page %(page)s of %(pages)s"))
    catalog = new_catalog("ar", source)
    for message in catalog:
        if message.id == text:
            message.string = "شارك ٥٠٪ فقط من الناخبين، و٣٠٪ منهم نازحون."
        elif message.id:
            message.string = "صفحة %(page)s من %(pages)s"
    catalog = saved(catalog)  # as every update reads it
    merge(catalog, source)
    flags = {key: m.flags for key, m in entries(catalog).items()}
    assert "python-format" not in flags[("paragraph", text)]
    assert "python-format" in flags[(None, "Page %(page)s of %(pages)s")]
    result = msgfmt_check(tmp_path, serialise(catalog))
    assert result.returncode == 0, result.stderr

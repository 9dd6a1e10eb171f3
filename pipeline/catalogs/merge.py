"""Bringing a catalog up to date with the template (and creating a new language's), as msgmerge does: a
changed message keeps its old translation, fuzzy, with the text it translated as ``#| msgid``; a removed one
becomes obsolete (and comes back with its translation). Unlike msgmerge, a reviewed translation that a changed
message inherits stays obsolete too, so an edit undone costs the translator nothing. Fuzzy matching is ours:
within one context; a signatory only for a small edit of its name (two organisations with similar names are
two); each old translation given once; at a cost in proportion to the changed messages, not their square."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from .model import SAME
from .pofile import Key, PoCatalog, PoEntry, new_header, wants_python_format

FUZZY_CUTOFF = 0.6  # how similar a changed text must be to the old one to inherit its translation as fuzzy
NAME_CONTEXTS = {"signatory"}
"""Contexts whose messages are names: a new one inherits an old translation only when it is the same name
after a small edit (see ``small_edit``)."""
MAX_NAME_EDITS = 3
CANDIDATES = 3  # how many removed messages sharing the rarest words with a new one are compared with it
_UNREAD: dict = dict.fromkeys(("line", "msgid_line", "msgid_plural_line", "msgstr_line"))  # built, not read
KEPT_FLAGS = {"fuzzy", "ignore-same", "no-wrap", "wrap"}  # a translator's (format flags: the template's)


@dataclass(frozen=True)
class MergeReport:
    new: int  # messages new to the catalog, untranslated
    fuzzy: int  # messages that inherited a translation to review
    obsolete: int  # translated messages no statement or template uses any more
    returned: int  # messages that came back with their old translation


def _has_percent(entry: PoEntry) -> bool:
    """Whether a placeholder may be in the entry's texts (a quick look before the parse)."""
    return "%" in entry.msgid or "%" in (entry.msgid_plural or "")


def _blank(template: PoEntry, nplurals: int) -> PoEntry:
    """A template entry as a catalog's untranslated entry."""
    flags = {f for f in template.flags if f.endswith("-format") and f != "python-format"} | (
        {"python-format"} if _has_percent(template)
        and wants_python_format(template.msgid, template.msgid_plural) else set())
    forms = [""] * max(nplurals, 2) if template.is_plural else []
    # Built, not copied (a quarter of the time of ``replace``): every other field is left empty
    return PoEntry(msgid=template.msgid, msgctxt=template.msgctxt, msgid_plural=template.msgid_plural,
                   msgstr_plural=forms, flags=flags, extracted_comments=list(template.extracted_comments),
                   references=list(template.references))


def _carry(entry: PoEntry, old: PoEntry, nplurals: int) -> None:
    """Give a template entry an old entry's translation, comments and flags."""
    entry.translator_comments = list(old.translator_comments)
    entry.flags |= old.flags & KEPT_FLAGS
    if entry.is_plural == old.is_plural:
        entry.msgstr, entry.msgstr_plural = old.msgstr, list(old.msgstr_plural)
    elif entry.is_plural:  # the message gained plural forms: each starts from the old text
        entry.msgstr_plural = [old.msgstr] * max(nplurals, 2)
    else:
        entry.msgstr = old.msgstr_plural[0] if old.msgstr_plural else ""
    if entry.is_plural != old.is_plural:
        entry.flags.add("fuzzy")
    if entry.fuzzy:
        entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural = (
            old.previous_msgctxt, old.previous_msgid, old.previous_msgid_plural)


def merge(catalog: PoCatalog, template: PoCatalog, notes: dict[Key, str] | None = None) -> MergeReport:
    """Bring ``catalog`` up to date with ``template``, in place, its ``POT-Creation-Date`` too;
    ``notes`` gives messages one more extracted comment (the pivot language's text, see ``update``)."""
    nplurals = catalog.nplurals or 2
    active = catalog.index()
    obsolete = {entry.key: entry for entry in catalog.obsolete}
    entries, new, returned = [], 0, 0
    for model in template.entries:
        entry = _blank(model, nplurals)
        old = active.get(model.key)
        if old is not None:
            _carry(entry, old, nplurals)
        elif (back := obsolete.get(model.key)) is not None and back.translated:
            _carry(entry, back, nplurals)  # a message that comes back, with its translation
            del obsolete[model.key]
            returned += 1
        else:
            new += 1
        entries.append(entry)
        if notes and model.key in notes:
            entry.extracted_comments.append(notes[model.key])
    kept = {entry.key: entry for entry in entries}
    leaving = [_obsolete(old) for key, old in active.items()
               if key not in kept and (old.translated or old.translator_comments)
               and not _restated(old, kept)]
    # nothing to keep of an empty entry (often the source language's own); in the order of the old
    # file, as msgmerge keeps them: its active messages came first
    pool = leaving + [e for e in obsolete.values() if e.translated or e.translator_comments]
    catalog.entries = entries
    matched = _match_changed(entries, pool)
    for entry in entries:
        _mark_same(entry)
    # A reviewed translation lent to a changed message stays obsolete too (msgmerge drops it):
    # an edit that is undone then brings the message back exactly as it was, not fuzzy.
    catalog.obsolete = _without_copies([e for e in pool if id(e) not in matched or not e.fuzzy],
                                       entries)
    created = template.header_field("POT-Creation-Date")
    if created is not None and catalog.header is not None:  # as msgmerge: the template's date
        catalog.set_header_field("POT-Creation-Date", created)
    return MergeReport(new=new - len(matched), fuzzy=len(matched),
                       obsolete=sum(1 for e in leaving if id(e) not in matched
                                    and any(e is kept for kept in catalog.obsolete)),
                       returned=returned)


def _mark_same(entry: PoEntry) -> None:
    """An entry meant to stay as the source writes it gets both marks, the flag (which Weblate
    reads) and the translator comment (which msgcat, and Poedit through it, keep): a tool that
    drops the one leaves the other, and the next update brings the first back."""
    if entry.meant_same:
        entry.flags.add(SAME)
        if not entry.same_comment:
            entry.translator_comments.append(SAME)


def _restated(old: PoEntry, entries: dict[Key, PoEntry]) -> bool:
    """Whether a fuzzy message says nothing the catalog does not: its text went back to the one it was
    translated from, here again with the same translation and notes (an edit undone)."""
    if not old.fuzzy or old.previous_msgid is None:
        return False
    back = entries.get((old.previous_msgctxt, old.previous_msgid))
    return (back is not None and not back.fuzzy and back.msgstr == old.msgstr
            and back.msgstr_plural == old.msgstr_plural
            and back.translator_comments == old.translator_comments)


def _without_copies(obsolete: list[PoEntry], entries: list[PoEntry]) -> list[PoEntry]:
    """The obsolete entries but a fuzzy one whose translation (and translator comments) another
    entry, current or obsolete, still holds: its translation was carried from another message
    and never reviewed for its msgid, so dropping it loses nothing. Each save under `watch` of a
    paragraph being edited left one more such copy. An obsolete entry already in the file is
    kept before one leaving now, and of two equal copies one is always kept."""
    def text(entry: PoEntry) -> tuple[str, tuple[str, ...]]:
        return entry.msgstr, tuple(entry.msgstr_plural)

    held: dict[tuple[str, tuple[str, ...]], list[set[str]]] = defaultdict(list)
    for entry in [*entries, *(e for e in obsolete if not e.fuzzy)]:
        held[text(entry)].append(set(entry.translator_comments))
    kept_ids = set()
    fuzzy = [e for e in obsolete if e.fuzzy]
    for entry in fuzzy[::-1]:  # the file's own obsolete entries come last in the pool
        if any(set(entry.translator_comments) <= notes for notes in held.get(text(entry), ())):
            continue
        kept_ids.add(id(entry))
        held[text(entry)].append(set(entry.translator_comments))
    return [e for e in obsolete if not e.fuzzy or id(e) in kept_ids]


def _obsolete(entry: PoEntry) -> PoEntry:  # without references and notes, as msgmerge: they described its use
    return replace(entry, obsolete=True, references=[], extracted_comments=[], flags=set(entry.flags),
                   msgstr_plural=list(entry.msgstr_plural),
                   translator_comments=list(entry.translator_comments), **_UNREAD)


def _loose(text: str) -> str:
    """A name without case, punctuation or spacing: what a small edit leaves unchanged."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in folded if c.isalnum())


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def small_edit(old: str, new: str) -> bool:
    """Whether a name was only touched up: the same letters and digits once case, punctuation
    and spacing are set aside, or at most a few of them changed in a long enough name."""
    a, b = _loose(old), _loose(new)
    if a == b:
        return True
    limit = min(MAX_NAME_EDITS, max(len(a), len(b)) // 8)
    return limit > 0 and _distance(a, b, limit) <= limit


def similarity(old: str, new: str) -> float:
    """How alike two texts are, 0 to 1: word by word when they are long (cheap), letter by letter if short."""
    long = len(old) > 120 and len(new) > 120
    matcher = SequenceMatcher(None, old.split() if long else old, new.split() if long else new,
                              autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
        return 0.0
    return matcher.ratio()


def _words(text: str) -> set[str]:
    return {word for word in (w.strip(".,;:!?()«»“”\"'’") for w in text.casefold().split()) if word}


def _match_changed(entries: list[PoEntry], pool: list[PoEntry]) -> set[int]:
    """Give each new, untranslated entry the translation of the most similar old one of its context (fuzzy,
    the old text its previous msgid); the old ones used (ids). Candidates come from an index of words."""
    by_context: dict[str | None, list[PoEntry]] = defaultdict(list)
    for old in pool:
        if old.translated:
            by_context[old.msgctxt].append(old)
    indexes = {context: _WordIndex(olds) for context, olds in by_context.items()}
    candidates = []
    for entry in entries:
        if entry.translated or entry.msgctxt not in indexes:
            continue
        for old in indexes[entry.msgctxt].nearest(entry.msgid):
            if old.is_plural != entry.is_plural:
                continue
            if entry.msgctxt in NAME_CONTEXTS:  # only a touched-up name, ranked by likeness
                score = (SequenceMatcher(None, old.msgid, entry.msgid, autojunk=False).ratio()
                         or 0.01) if small_edit(old.msgid, entry.msgid) else 0.0
            else:
                score = similarity(old.msgid, entry.msgid)
            if score > 0 if entry.msgctxt in NAME_CONTEXTS else score >= FUZZY_CUTOFF:
                candidates.append((-score, entry.key, old.key, entry, old))
    candidates.sort(key=lambda c: (c[0], c[1][0] or "", c[1][1], c[2][0] or "", c[2][1]))
    taken_new: set[Key] = set()
    taken_old: set[int] = set()
    for _, new_key, _, entry, old in candidates:
        if new_key in taken_new or id(old) in taken_old:
            continue
        taken_new.add(new_key)
        taken_old.add(id(old))
        entry.msgstr, entry.msgstr_plural = old.msgstr, list(old.msgstr_plural)
        entry.translator_comments = list(old.translator_comments)
        entry.flags |= (old.flags & KEPT_FLAGS) | {"fuzzy"}
        # The previous msgid is the last text that was translated: an old message that was
        # itself fuzzy passes on its own previous msgid, as msgmerge does.
        entry.previous_msgctxt, entry.previous_msgid, entry.previous_msgid_plural = (
            (old.previous_msgctxt, old.previous_msgid, old.previous_msgid_plural)
            if old.fuzzy and old.previous_msgid is not None else (old.msgctxt, old.msgid, old.msgid_plural))
    return taken_old


class _WordIndex:
    """The old entries of one context, found by the rarest words they share with a text."""

    def __init__(self, entries: list[PoEntry]):
        self.entries = entries
        self.postings: dict[str, list[int]] = defaultdict(list)
        for number, entry in enumerate(entries):
            for word in _words(entry.msgid):
                self.postings[word].append(number)

    def nearest(self, text: str) -> list[PoEntry]:
        if len(self.entries) <= CANDIDATES:
            return self.entries
        words = sorted(_words(text), key=lambda w: (len(self.postings.get(w, ())), w))
        shared: Counter[int] = Counter()
        for word in words[:8]:
            posting = self.postings.get(word, [])
            if len(posting) > 64:  # a word most entries share says nothing
                break
            shared.update(posting)
        return [self.entries[n] for n, _ in sorted(shared.items(), key=lambda i: (-i[1], i[0]))[:CANDIDATES]]


def new_catalog(code: str, template: PoCatalog, notes: dict[Key, str] | None = None) -> PoCatalog:
    """The catalog of a new language: every message of the template, untranslated, CLDR's plural forms."""
    catalog = PoCatalog(header=new_header(code, template))
    merge(catalog, template, notes)
    return catalog

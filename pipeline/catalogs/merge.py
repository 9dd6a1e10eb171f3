"""Bringing a catalog up to date with the template, with msgmerge's semantics, and creating the
catalog of a new language.

Translations are kept; a changed message keeps its old translation marked fuzzy, with the text
it translated as the previous msgid; a new message starts empty; a removed one becomes obsolete
(and gets its translation back if it returns). Fuzzy matching is ours: within one context only;
a signatory only for a small edit of its name (punctuation, case, a few letters), since two
organisations with similar names are different organisations; each old translation given once.
It costs time in proportion to the changed messages, not their square.
"""

from __future__ import annotations

import copy
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from babel.messages.catalog import Catalog, Message

from ..language import language as get_language
from ..project import DOMAIN
from .pofile import Key, has_translation, key_of

FUZZY_CUTOFF = 0.6
"""How similar a changed text must be to the old one to inherit its translation as fuzzy."""
NAME_CONTEXTS = {"signatory"}
"""Contexts whose messages are names: a new one inherits an old translation only when it is the
same name after a small edit (see ``small_edit``)."""
MAX_NAME_EDITS = 3
CANDIDATES = 3
"""How many removed messages sharing the rarest words with a new one are compared with it."""


@dataclass(frozen=True)
class MergeReport:
    new: int  # messages new to the catalog, untranslated
    fuzzy: int  # messages that inherited a translation to review
    obsolete: int  # translated messages no statement or template uses any more
    returned: int  # messages that came back with their old translation


def merge(catalog: Catalog, template: Catalog) -> MergeReport:
    """Bring ``catalog`` up to date with ``template``, in place."""
    before = {key_of(m): m for m in catalog if m.id}
    previous_ids = {key: list(m.previous_id) for key, m in before.items() if m.previous_id}
    obsolete_before = set(catalog.obsolete)
    template = copy.deepcopy(template)  # Babel inserts new messages without cloning them
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False,
                   update_creation_date=False)
    formatted = {key_of(m) for m in template if m.id and "python-format" in m.flags}
    for message in catalog:
        key = key_of(message)
        if message.id and message.fuzzy and key in previous_ids and not message.previous_id:
            message.previous_id = previous_ids[key]  # Babel drops it on every update
        if message.id and key not in formatted:  # Babel's reader flags "50% of voters" too
            message.flags.discard("python-format")
    returned = _restore_returning(catalog)
    for obsolete_key, entry in list(catalog.obsolete.items()):
        if not has_translation(entry) and not entry.user_comments:
            del catalog.obsolete[obsolete_key]  # nothing to keep: an empty entry, often the source's
    fuzzy = _match_changed(catalog)
    new = sum(1 for m in catalog if m.id and key_of(m) not in before and not has_translation(m))
    obsolete = sum(1 for k in catalog.obsolete if k not in obsolete_before)
    return MergeReport(new, fuzzy, obsolete, returned)


def _obsolete_key(key: Key) -> str | tuple[str, str]:
    context, msgid = key
    return msgid if context is None else (msgid, context)  # how Babel keys obsolete messages


def _restore_returning(catalog: Catalog) -> int:
    """A message that comes back gets its old translation back as it was."""
    returned = 0
    for message in catalog:
        if not message.id or has_translation(message):
            continue
        obsolete_key = _obsolete_key(key_of(message))
        returning = catalog.obsolete.get(obsolete_key)
        if returning is not None and has_translation(returning):
            message.string = returning.string
            message.flags = set(message.flags) | (set(returning.flags) & {"fuzzy", "ignore-same"})
            message.user_comments = list(returning.user_comments)
            message.previous_id = list(returning.previous_id) if message.fuzzy else []
            del catalog.obsolete[obsolete_key]
            returned += 1
    return returned


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
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
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
    """How alike two texts are, 0 to 1: compared word by word when they are long (a paragraph
    of 900 characters is 150 words: the comparison stays cheap), letter by letter when short."""
    if len(old) > 120 and len(new) > 120:
        old_items: list[str] | str = old.split()
        new_items: list[str] | str = new.split()
    else:
        old_items, new_items = old, new
    matcher = SequenceMatcher(None, old_items, new_items, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_CUTOFF or matcher.quick_ratio() < FUZZY_CUTOFF:
        return 0.0
    return matcher.ratio()


def _words(text: str) -> set[str]:
    return {word for word in (w.strip(".,;:!?()«»“”\"'’") for w in text.casefold().split()) if word}


def _match_changed(catalog: Catalog) -> int:
    """Give each new, untranslated message the translation of the most similar removed one of
    its context (fuzzy, with the old text as its previous msgid). Candidates come from an index
    of the removed messages' words, so the cost grows with the changed messages, not their square."""
    removed_by_context: dict[str | None, list[Message]] = defaultdict(list)
    for old in catalog.obsolete.values():
        if has_translation(old):
            removed_by_context[old.context].append(old)
    if not removed_by_context:
        return 0
    indexes = {context: _WordIndex(olds) for context, olds in removed_by_context.items()}
    candidates = []
    for message in catalog:
        if not message.id or has_translation(message) or message.context not in indexes:
            continue
        new_text = key_of(message)[1]
        for old in indexes[message.context].nearest(new_text):
            if isinstance(old.id, tuple) != isinstance(message.id, tuple):
                continue
            old_text = key_of(old)[1]
            if message.context in NAME_CONTEXTS:  # only a touched-up name, ranked by likeness
                score = (SequenceMatcher(None, old_text, new_text, autojunk=False).ratio() or 0.01
                         ) if small_edit(old_text, new_text) else 0.0
                qualifies = score > 0
            else:
                score = similarity(old_text, new_text)
                qualifies = score >= FUZZY_CUTOFF
            if qualifies:
                candidates.append((-score, key_of(message), key_of(old), message, old))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    taken_new, taken_old = set(), set()
    for _, new_key, old_key, message, old in candidates:
        if new_key in taken_new or old_key in taken_old:
            continue
        taken_new.add(new_key)
        taken_old.add(old_key)
        message.string = old.string
        message.flags.add("fuzzy")
        # The previous msgid is the last text that was translated: an old message that was
        # itself fuzzy passes on its own previous msgid, as msgmerge does.
        if old.fuzzy and old.previous_id:
            message.previous_id = list(old.previous_id)
        else:
            message.previous_id = list(old.id) if isinstance(old.id, (tuple, list)) else [old.id]
        del catalog.obsolete[_obsolete_key(old_key)]
    return len(taken_new)


class _WordIndex:
    """The removed messages of one context, found by the rarest words they share with a text."""

    def __init__(self, messages: list[Message]):
        self.messages = messages
        self.postings: dict[str, list[int]] = defaultdict(list)
        for number, message in enumerate(messages):
            for word in _words(key_of(message)[1]):
                self.postings[word].append(number)

    def nearest(self, text: str) -> list[Message]:
        if len(self.messages) <= CANDIDATES:
            return self.messages
        words = sorted(_words(text), key=lambda w: (len(self.postings.get(w, ())), w))
        shared: Counter[int] = Counter()
        for word in words[:8]:
            posting = self.postings.get(word, [])
            if len(posting) > 64:  # a word most messages share says nothing
                break
            shared.update(posting)
        best = [number for number, _ in sorted(shared.items(), key=lambda i: (-i[1], i[0]))]
        return [self.messages[number] for number in best[:CANDIDATES]]


def new_catalog(code: str, template: Catalog) -> Catalog:
    """The catalog of a new language: every message of the template, untranslated, with CLDR's
    plural forms."""
    catalog = Catalog(locale=code, domain=DOMAIN, project=template.project,
                      copyright_holder=template.copyright_holder, charset="utf-8", fuzzy=False)
    catalog.creation_date = template.creation_date
    catalog.language_team = f"{get_language(code).name} <>"
    merge(catalog, template)
    return catalog

"""Rules for text, wherever it comes from (a statement, a catalog, a template): its identity,
the characters it may not hold, its script, and how Latin phrases keep their order inside a
right-to-left line."""

from __future__ import annotations

import re
import unicodedata

ALLOWED_FORMAT = {"\u00ad", "\u200c", "\u200d"}
"""Invisible characters that are spelling, not tricks: the soft hyphen, and the zero-width
(non-)joiner that Persian and Kurdish spelling needs."""
DIRECTION_MARKS = {"\u200e", "\u200f", "\u061c"}
"""Left-to-right, right-to-left and Arabic letter marks: harmless, usually unneeded (a warning)."""
LINE_SEPARATORS = {"\u2028", "\u2029", "\x85"}
"""Characters YAML reads as line breaks although no editor shows one."""
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
"""Controls, invisible format characters (embeddings, overrides, isolates, zero-width spaces,
tag characters...), surrogates, private-use and unassigned code points: they can make printed
text differ from what a reviewer sees (Trojan Source), or collide with the pipeline's markers."""
WHITE_SPACE_CONTROLS = {"\t", "\n", "\r"}


def normalise(text: str) -> str:
    """The identity of a one-line text: NFC, with every run of white space one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The first character ``text`` may not hold, and its position; warnings excluded."""
    found = [char for char in set(text)
             if (unicodedata.category(char) in FORBIDDEN_CATEGORIES or char in LINE_SEPARATORS)
             and char not in ALLOWED_FORMAT and char not in DIRECTION_MARKS
             and char not in WHITE_SPACE_CONTROLS]
    if not found:
        return None
    position = min(text.index(char) for char in found)
    return position, text[position]


def direction_mark(text: str) -> str | None:
    return next((char for char in text if char in DIRECTION_MARKS), None)


def describe(char: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``, for messages."""
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = {"Cc": "control", "Cs": "surrogate", "Co": "private use",
                "Cn": "unassigned"}.get(category, category)
    return f"U+{ord(char):04X} ({name})"


def forbidden_message(char: str) -> str:
    if char in LINE_SEPARATORS:
        return (f"the line separator {describe(char)} is not allowed: replace it with an ordinary "
                "line break or a space")
    return f"the invisible or control character {describe(char)} is not allowed: delete it"


LETTER = re.compile(r"[^\W\d_]")


def scripts(text: str) -> set[str]:
    """The scripts of the letters in ``text``, by the first word of their Unicode names
    (``LATIN``, ``ARABIC``): enough to tell a name written in Arabic from one in Latin letters."""
    found = set()
    for char in set(text):
        if LETTER.match(char):
            found.add(unicodedata.name(char, "UNKNOWN").split(" ")[0])
    return found


SCRIPT_NAMES = {"Latn": "LATIN", "Arab": "ARABIC", "Cyrl": "CYRILLIC", "Grek": "GREEK",
                "Hebr": "HEBREW", "Deva": "DEVANAGARI", "Hans": "CJK", "Hant": "CJK"}
"""ISO 15924 codes as CLDR gives them, and the first word of their letters' Unicode names."""


def script_of(text: str) -> str | None:
    """The ISO 15924 code of the one script ``text``'s letters are written in, if it is one this
    module knows (``Arab``, ``Latn``...)."""
    found = scripts(text)
    if len(found) != 1:
        return None
    name = next(iter(found))
    return next((code for code, unicode_name in SCRIPT_NAMES.items() if unicode_name == name), None)


def written_in(text: str, script: str) -> bool:
    """Whether every letter of ``text`` belongs to ``script`` (an ISO 15924 code)."""
    found = scripts(text)
    return bool(found) and found == {SCRIPT_NAMES.get(script, script.upper())}


# --- Latin phrases inside right-to-left text ----------------------------------------------------

_LETTERS = "A-Za-z\u00c0-\u024f"
_WORD = rf"[0-9]*[{_LETTERS}][{_LETTERS}0-9]*"  # a Latin word (Help4Syria, 2nd)
_BETWEEN = " \u00a0'’.,;:!?&/+@_-"  # what may stand between the words of one Latin phrase
_GROUP = rf"\({_WORD}(?:[{_BETWEEN}]+(?:{_WORD}|[0-9]+))*\)"  # a bracketed one: (SNHR)
LATIN_RUN = re.compile(rf"(?<![{_LETTERS}0-9])(?:{_WORD}|{_GROUP})"
                       rf"(?:[{_BETWEEN}]+(?:{_WORD}|{_GROUP}|[0-9]+(?![0-9])))*(?<![{_BETWEEN}])")
"""A phrase in Latin letters: words with the spaces, punctuation, numbers and balanced
brackets between them, isolated as one, so "Syrian Network for Human Rights (SNHR)" or
"Group 2011" keep their order inside an Arabic line. A phrase starts only where a run of
letters and digits starts, so a long run of digits is scanned once."""
FSI, PDI = "\u2068", "\u2069"
_ISOLATABLE = re.compile(r"(%\([^)]*\)[a-z])|(" + LATIN_RUN.pattern + ")")


BOUND_WORDS = {
    "a", "an", "the", "of", "in", "on", "to", "at", "by", "for", "from", "with", "into", "upon",
    "over", "than", "as", "via",
    "في", "من", "إلى", "على", "عن", "مع", "بشأن", "حول", "نحو", "منذ", "حتى", "عند", "لدى", "تجاه",
    "بحسب", "ضد", "عبر", "دون", "بين",
}
"""Articles and prepositions, which belong with the word after them (as does any word of one or
two letters, in any language): a title line never ends on one."""
_SHORT = re.compile(r"(?<!\S)(\w{1,2}|" + "|".join(sorted(BOUND_WORDS, key=len, reverse=True))
                    + r") (?=\S)", re.IGNORECASE)


BOUND_NAMES = ("مجلس الأمن الدولي", "الأمم المتحدة", "الجمهورية العربية السورية")
"""Names of a few words that a title line never splits (the Arabic «مجلس الأمن / الدولي» broke
the Security Council's name in two)."""
_NAMES = re.compile("|".join(name.replace(" ", "[ \u00a0]") for name in BOUND_NAMES))


def bind_short_words(text: str) -> str:
    """Join each short word (a preposition, an article) to the next with a no-break space, and
    the words of each of the ``BOUND_NAMES``."""
    text = _NAMES.sub(lambda m: m.group().replace(" ", "\u00a0"), text)
    return _SHORT.sub(lambda m: m.group(1) + "\u00a0", text)


def isolate_latin(text: str) -> str:
    """Wrap each run of Latin words in first-strong isolates, leaving placeholders alone. A run
    glued to other letters in a long word (``xننننyyyy…``) also gets a break opportunity (a
    zero-width space) on the glued side: the edition sets the run in an element of its own, and
    WeasyPrint cannot break a word that an element divides (``markup.MAX_MARKED_WORD``)."""
    from .markup import MAX_MARKED_WORD, ZWSP

    def isolated(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group()
        start, end = match.span()
        before = start > 0 and not text[start - 1].isspace()
        after = end < len(text) and not text[end].isspace()
        if before or after:
            first, last = start, end
            while first > 0 and not text[first - 1].isspace():
                first -= 1
            while last < len(text) and not text[last].isspace():
                last += 1
            if last - first <= MAX_MARKED_WORD:
                before = after = False
        return (ZWSP if before else "") + f"{FSI}{match.group()}{PDI}" + (ZWSP if after else "")

    return _ISOLATABLE.sub(isolated, text)


# --- the rules every printed text follows ---------------------------------------------------------

MAX_WORD = 80
"""The longest word (a run of characters with no breaking space) a text may print: a longer one
cannot fit a column. Counted on what is printed: a link's text, never its target."""
MAX_JOINED_WORD = 16
"""The most letters a word written in a script that joins its letters (Arabic) may hold. A word
too wide for its column is broken inside, and where Arabic letters are broken apart they change
shape and width, so the line no longer fits: such a word must fit the narrowest column whole
(16 of the widest letters do, in the bilingual edition's title). Real words are shorter."""
WIDE_JOINED = set("صضڝڞۻڪسشښڛڜۺݜݭݰݽݾطظڟࢣۍےجحخځڂڃڄڅچڇڿݗݘݮݯݲݼھۿࢢࢩࢬ")
"""Joined letters wider than half an em in the middle of a word (Noto Naskh Arabic Bold: up to
0.94 em); the others are at most 0.53 em, and a word's last letter at most 1.19 em."""
JOINING_SCRIPTS = ("ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "MANDAIC", "ADLAM", "HANIFI")
"""Scripts whose letters join, by the first word of their Unicode names."""
MAX_TEXT_CHARACTERS = 20_000
"""The most characters one text (a paragraph with its lists, a title, a name) may hold: about six
printed pages."""
MAX_LIST_ITEMS = 500
"""The most items one list may hold."""
MAX_NESTING = 8
"""The most emphasis, strong emphasis and links one word may stand inside: deeper nesting is
never meant, and would exhaust the printer's recursion."""

INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
"""Letters and symbols that print as nothing (the Hangul fillers, the blank Braille pattern)."""
_ADDRESS = re.compile(r"://|^(?:www\.|mailto:)|^[^@\s]+@[^@\s]+\.[^@\s]+$|\.[a-z]{2,}/", re.I)


def visible(char: str) -> bool:
    """Whether a character prints something: not a space, a control, a format character
    (direction marks, joiners, the soft hyphen), a combining mark alone or a filler."""
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Mn", "Me", "Zs")
                or char in INVISIBLE_LETTERS)


def printed_words(text: str) -> list[str]:
    """The words a printed text shows. Every white space is a place to break a line: a text's
    identity (``normalise``) makes even a no-break space a space."""
    return text.split()


def _shown(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "..."


def text_problems(value: str, *, block: bool = False) -> list[str]:
    """What keeps a text from printing well, each said as the end of a sentence that starts with
    the text's name ("'title' " in a source, "paragraph '...': " in a catalog); empty if nothing.

    The same rules hold for every text of a statement and of a translation: it prints something
    visible; it holds at most ``MAX_TEXT_CHARACTERS``, its lists at most ``MAX_LIST_ITEMS``
    items, its emphasis and links nest at most ``MAX_NESTING`` deep; no printed word is longer
    than ``MAX_WORD`` (a link counts by its text, never its target), nor an Arabic one than
    ``MAX_JOINED_WORD`` letters. ``block`` is for a paragraph,
    which may hold lists; a title or a name is one line of inline text.

    Characters refused anywhere (``forbidden_character``) are checked before, by the caller."""
    from . import markup

    if block and (heading := re.match(r"##[ \t]+", value)):  # a section heading: its words
        value = value[heading.end():]
        if not value.strip():
            return ["is an empty section heading: write its words after '## '"]
    if len(value) > MAX_TEXT_CHARACTERS:
        what = "paragraph" if block else "text"
        return [f"has {len(value):,} characters; a {what} may hold at most "
                f"{MAX_TEXT_CHARACTERS:,}: split it"]
    doc = markup.parse(value, inline_only=not block)
    problems: list[str] = []
    shown = [_printed(token) for token in doc.tokens if token.type == "inline"]
    hidden = [text for text in shown if text and not any(visible(char) for char in text)]
    if not shown and doc.source and not any(visible(char) for char in doc.source):
        hidden = [doc.source]  # only white space and marks: markdown-it makes nothing of it
    if hidden:
        chars = sorted({char for text in hidden for char in text if not char.isspace()})
        names = ", ".join(describe(char) for char in chars[:3]) + (", ..." if len(chars) > 3
                                                                     else "")
        problems.append(f"holds only invisible characters ({names}), which print nothing: "
                        "write the text")
    items = _longest_list(doc)
    if items > MAX_LIST_ITEMS:
        problems.append(f"has a list of {items:,} items; a list may hold at most "
                        f"{MAX_LIST_ITEMS:,}: split it into several lists or paragraphs")
    depth = _nesting(doc)
    if depth > MAX_NESTING:
        problems.append(f"nests emphasis or links {depth:,} deep; at most {MAX_NESTING} levels "
                        "are allowed: remove the extra '*', '_' or '[...](...)' marks")
    words = [word for text in shown for word in printed_words(text)]
    if joined := next((word for word in words if _joined_letters(word) > MAX_JOINED_WORD), None):
        problems.append(f"has a word of {_joined_letters(joined)} Arabic letters "
                        f"({_shown(joined)}), too long to fit a column: Arabic letters change "
                        f"shape where a word is broken, so a word may hold at most "
                        f"{MAX_JOINED_WORD}; check for a missing space")
    elif long := next((word for word in words if len(word) > MAX_WORD), None):
        if _ADDRESS.search(long):
            problems.append(f"prints an address of {len(long)} characters ({_shown(long)}), too "
                            "long to fit a line: make it a link with words for its text, "
                            "[words](address); a link's address is never printed")
        else:
            problems.append(f"has a word of {len(long)} characters ({long[:20]}...), too long to "
                            "fit a line: break it with spaces")
    return problems


def _printed(inline) -> str:
    """The text one paragraph, list item or title prints: its text without the marks of
    emphasis and links (a link prints its text, never its target)."""
    return "".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                   for child in inline.children or ()
                   if child.type in ("text", "text_special", "softbreak", "hardbreak"))


def joined_width(text: str) -> float:
    """An upper bound of the width, in ems, of the letters of ``text`` that join (Arabic),
    each word's last letter counted at its widest: enough to tell whether two words bound
    together still fit the narrowest column."""
    width = 0.0
    for word in text.split():
        letters = [char for char in unicodedata.normalize("NFKD", word)
                   if unicodedata.category(char)[0] == "L"
                   and unicodedata.name(char, "").startswith(JOINING_SCRIPTS)]
        if letters:
            width += sum(0.95 if char in WIDE_JOINED else 0.55 for char in letters) + 0.7
    return width


def _joined_letters(word: str) -> int:
    """How many letters of a joining script a word holds (a ligature counts its letters)."""
    if word.isascii():
        return 0
    return sum(1 for char in unicodedata.normalize("NFKD", word)
               if unicodedata.category(char)[0] == "L"
               and unicodedata.name(char, "").startswith(JOINING_SCRIPTS))


def _longest_list(doc) -> int:
    longest, open_items = 0, []
    for token in doc.tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            open_items.append(0)
        elif token.type == "list_item_open" and open_items:
            open_items[-1] += 1
        elif token.type in ("bullet_list_close", "ordered_list_close") and open_items:
            longest = max(longest, open_items.pop())
    return max([longest, *open_items])


def _nesting(doc) -> int:
    deepest = 0
    for token in doc.tokens:
        depth = 0
        for child in token.children or ():
            if child.type in ("em_open", "strong_open", "link_open"):
                depth += 1
                deepest = max(deepest, depth)
            elif child.type in ("em_close", "strong_close", "link_close"):
                depth -= 1
    return deepest


# --- the rules of one language's running text -----------------------------------------------------

RUNNING_TEXT = frozenset({"paragraph", "heading", "title", "short-title", "subtitle"})
"""The texts written as sentences, where a language's own digits and punctuation are expected;
not names (an organisation writes its name as it likes) nor the templates' words."""
PUNCTUATION = {"Arab": {",": "،", ";": "؛", "?": "؟"}}
"""Per script, the Latin marks its writers replace after a word: Arabic's comma, semicolon and
question mark."""
WESTERN_DIGITS = "0123456789"
_DIGITS = re.compile(r"[0-9]+")
_AFTER_WORD = re.compile(r"(?<=[^\W\d_]|[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED])"
                         r"[,;?](?=\s|$)")  # after a letter, or its marks (a tanwin: معتقلاً,)


def language_problems(value: str, context: str | None, *, digits: str,
                      script: str) -> list[tuple[str, str]]:
    """What was found, and the warning, for a text of running prose (``RUNNING_TEXT``) in a
    language that writes digits other than 0-9 (``digits``, as its formatting locale gives them)
    or a script with punctuation of its own (``PUNCTUATION``): the one table of which rule applies to which
    language and text, for a statement's source and a translation alike. Digits inside a phrase
    in Latin letters ("COVID-19"), list numbers and links' targets are not checked: the pipeline
    prints the list numbers itself, and a target is never printed."""
    if context not in RUNNING_TEXT:
        return []
    from . import markup

    doc = markup.parse(value, inline_only=context != "paragraph")
    shown = " ".join(_printed(token) for token in doc.tokens if token.type == "inline")
    problems = []
    if digits != WESTERN_DIGITS:
        running = LATIN_RUN.sub(" ", shown)
        if found := _DIGITS.search(running):
            number = found.group()
            written = number.translate(str.maketrans(WESTERN_DIGITS, digits))
            problems.append((number, f"writes the number {number} in the digits 0-9: write it "
                                     f"as the language writes its digits, {written}"))
    marks = PUNCTUATION.get(script, {})
    if marks and (mark := next((m for m in _AFTER_WORD.findall(shown) if m in marks), None)):
        problems.append((mark, f"writes the Latin mark '{mark}' after a word: write "
                               f"'{marks[mark]}'"))
    return problems

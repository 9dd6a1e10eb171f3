"""What each edition in ``output/`` was printed from: a small versioned JSON file beside it
(``.<statement>.<variant>.state.json``), written with the edition and read to decide whether it
is still what its inputs give. A state that cannot be read is no state: the edition is printed
again, never a traceback."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .files import MAX_FONT, PublishedDigests, list_published, read_published
from .identifiers import cldr_has
from .model import PrintOptions, Target

STATE_VERSION = 6


@dataclass(frozen=True)
class EditionState:
    statement: str
    variant: str
    draft: bool
    options: PrintOptions
    languages: tuple[str, ...]
    """The edition's language, or the bilingual edition's two, left then right."""
    locales: tuple[str, ...]
    inputs: dict[str, str]
    """The hashes of the bytes it was printed from: source, catalogs, templates, settings, code;
    and of the translations it shows (``translations <code>``: its messages' entries in that
    catalog, see ``plan.translations_digest``)."""
    inputs_hash: str
    """One hash of ``inputs`` but the catalogs' bytes, and the request: equal means nothing it
    shows can have changed (another statement's translations may have)."""
    content_hash: str
    """One hash of everything the edition shows: equal means the same bytes would be printed."""
    source_version: str
    catalog_version: str
    pages: int
    title: str = ""
    """The edition's title, as the index lists it (plain text, in the edition's language)."""
    date: str = ""
    """The statement's date (ISO: a day, a month or a year), as the index lists it."""
    source_language: str = ""
    """The language the statement is written in: the index lists its edition first."""
    updated: str = ""
    """The statement's ``updated`` date (ISO), as the index lists it; empty when it has none."""
    files: dict[str, str] = field(default_factory=dict)
    """The SHA-256 of each published file (``html``, ``pdf``)."""
    shown: str = ""
    """Every character the HTML edition shows, once each, sorted: the site's web fonts are cut
    to the characters of the editions it holds without reading them back."""
    keys: tuple[str, ...] = ()
    """The digest of each message's key (context, msgid) the edition shows, in its order: what
    it uses of the catalogs, so that a catalog's change elsewhere is found not to concern it
    without parsing its statement (``plan.quick_check``)."""
    card: str = ""
    """What its share image (``files["png"]``) was drawn from: the card's words, the templates
    and fonts, the toolchain and the libraries that rasterise it (``PrintJob.card_key``). A
    reprint whose card would be drawn from the same takes that image as it is, without drawing
    it again."""

    @property
    def target(self) -> Target:
        return Target(self.statement, self.variant, self.draft)

    def to_bytes(self) -> bytes:
        data = dataclasses.asdict(self)
        data["version"] = STATE_VERSION
        return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> EditionState | None:
        """The state in a file's bytes; None when it is damaged, of another version, or odd."""
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.pop("version", None) != STATE_VERSION \
                    or not _well_formed(raw):
                return None
            raw["options"] = PrintOptions(**raw["options"])
            raw["languages"] = tuple(raw["languages"])
            raw["locales"] = tuple(raw["locales"])
            raw["keys"] = tuple(raw["keys"])
            state = cls(**raw)
            if not (isinstance(state.files, dict) and isinstance(state.inputs, dict)
                    and isinstance(state.statement, str) and isinstance(state.variant, str)
                    and isinstance(state.draft, bool)):
                return None
            return state
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None


STATE_FIELDS = frozenset(f.name for f in dataclasses.fields(EditionState))
OPTION_FIELDS = frozenset(f.name for f in dataclasses.fields(PrintOptions))
TEXT_FIELDS = ("statement", "variant", "inputs_hash", "content_hash", "source_version", "catalog_version",
               "title", "date", "source_language", "shown", "updated", "card")


def _well_formed(raw: dict) -> bool:
    """Every field there with its type, and locales CLDR knows (a kept edition's locale formats
    the index): a state that is odd in any way is no state."""
    options = raw.get("options")
    if not (raw.keys() == STATE_FIELDS
            and _all_text(raw[name] for name in TEXT_FIELDS)
            and isinstance(raw["draft"], bool) and type(raw["pages"]) is int
            and all(isinstance(raw[name], dict) and _all_text(raw[name].values())
                    for name in ("inputs", "files"))
            and isinstance(raw["languages"], list) and isinstance(raw["locales"], list)
            and isinstance(raw["keys"], list) and _all_text(raw["keys"])
            and 0 < len(raw["languages"]) == len(raw["locales"])
            and _all_text(raw["languages"] + raw["locales"])
            and isinstance(options, dict)
            and options.keys() == OPTION_FIELDS
            and isinstance(options["paper"], str) and isinstance(options["archival"], bool)
            and isinstance(options["print_shop"], bool)
            and (options["bleed"] is None or isinstance(options["bleed"], str))):
        return False
    return all(known_locale(locale) for locale in raw["locales"])


def _all_text(values: Iterable[object]) -> bool:
    """Whether every value is a string (as JSON reads them: ``str`` itself, never a subclass)."""
    return set(map(type, values)) <= {str}


LOCALE = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_(?:[A-Z]{2}|[0-9]{3}))?")


@functools.lru_cache(maxsize=64)
def known_locale(identifier: str) -> bool:
    """Whether CLDR, as Babel holds it, has the locale ``identifier`` written as Babel writes
    one (``ar_SY``): an identifier written otherwise is not one the build recorded. Asked
    without loading Babel (a build with nothing to do loads none of it)."""
    return bool(LOCALE.fullmatch(identifier)) and cldr_has(identifier)


def read_states(output_dir: Path, drafts_dir: Path) -> dict[Target, EditionState]:
    """Every edition state in an output folder, by target (a state whose name and content
    disagree, that is damaged, or that is not a regular file is no state)."""
    states = {}
    for folder in (output_dir, drafts_dir):
        for path in list_published(folder, "*/.*.state.json"):
            data = read_published(path)
            state = EditionState.from_bytes(data) if data is not None else None
            if state is not None and state.target.state_path(output_dir) == path:
                states[state.target] = state
    return states


@dataclass(frozen=True)
class Published:
    """What ``output/`` holds, as the plan needs it: each edition's recorded state, and whether
    its files are still, byte for byte, what that state records (``digests``: how the build
    knows, hashing only the files whose stat changed since they were last hashed)."""

    states: dict[Target, EditionState]
    intact: frozenset[Target]
    digests: PublishedDigests | None = field(default=None, compare=False)

    def fresh(self, target: Target) -> EditionState | None:
        """The state of an edition whose files are there as recorded; None otherwise."""
        return self.states.get(target) if target in self.intact else None


NOTHING_PUBLISHED = Published({}, frozenset())


def read_published_editions(output_dir: Path, drafts_dir: Path,
                            digests: PublishedDigests | None = None) -> Published:
    """Every state in ``output/``, and which editions' files are regular files holding the bytes
    their state records (a link, a folder or a FIFO in an edition's place is never intact, and
    is never followed or waited on). A file whose stat is as ``digests`` recorded it when it was
    hashed is not read again (see ``files.PublishedDigests``)."""
    digests = digests if digests is not None else PublishedDigests(output_dir)
    states = read_states(output_dir, drafts_dir)
    intact = set()
    for target, state in states.items():
        if all(digests.digest(path) == state.files.get(kind)
               for kind, path in target.paths(output_dir).items()):
            intact.add(target)
    return Published(states, frozenset(intact), digests)


CATALOGS_STATE = ".catalogs.state.json"
"""In ``output/``: for each catalog the last build read, its bytes' hash and the digest of each of
its entries by key (``plan.Translations``), so that phase one reads a changed catalog once."""


@dataclass(frozen=True)
class Translations:
    """What an edition's plan reads of one catalog, entry by entry, without where it is written
    (its lines): the catalog bytes' hash, its plural expression, and each active entry's digest
    by its key's digest. ``None`` for a catalog that cannot be read."""

    digest: str
    plural: str | None
    entries: dict[str, str]


def read_translations(output_dir: Path, toolchain: str = "") -> dict[str, Translations]:
    """The record of ``CATALOGS_STATE``, by language; empty when there is none or it is odd, or
    was made by another pipeline (``toolchain``: the hash of its code, see ``snapshot.toolchain``)."""
    data = read_published(output_dir / CATALOGS_STATE, MAX_FONT)
    try:
        raw = json.loads(data) if data is not None else None
    except (ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION \
            or raw.get("toolchain", "") != toolchain:
        return {}
    found = {}
    for code, item in raw.get("catalogs", {}).items() if isinstance(raw.get("catalogs"), dict) \
            else ():
        if isinstance(item, dict) and isinstance(item.get("digest"), str) and (
                item.get("plural") is None or isinstance(item.get("plural"), str)) and isinstance(
                entries := item.get("entries"), dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in entries.items()):
            found[code] = Translations(item["digest"], item["plural"], entries)
    return found


def translations_bytes(catalogs: dict[str, Translations], toolchain: str = "") -> bytes:
    return json.dumps({"version": STATE_VERSION, "toolchain": toolchain, "catalogs": {
        code: dataclasses.asdict(item) for code, item in sorted(catalogs.items())}},
        ensure_ascii=False, sort_keys=True).encode()


REFUSALS_STATE = ".refusals.state.json"
"""In ``output/``: what the last full plan of a build of everything refused, and from which
inputs (``Refusals``), so that a build of the very same inputs replays it without parsing."""


@dataclass(frozen=True)
class Refusals:
    """What a full plan (``plan.make_plan``) decided not to print, as the next build needs it to
    say the same without planning again (``plan.quick_check``): the hash of every input it read
    and of the request (``key``); the editions it did not give (``withheld``: refused, or not
    printed while a language they need is refused); the refusals it made, each with its
    problems, as logged (``refused``); its notes; the editions it kept and those shown as behind;
    and what ``output/`` held besides the editions it gave (``left``: by edition, its state's
    content hash and whether its files were intact)."""

    key: str
    withheld: tuple[Target, ...]
    refused: tuple[tuple[Problem, ...], ...]
    notes: tuple[str, ...]
    kept: tuple[Target, ...]
    behind: tuple[Target, ...]
    left: dict[Target, tuple[str, bool]]

    def to_bytes(self) -> bytes:
        return json.dumps({
            "version": STATE_VERSION, "key": self.key,
            "withheld": [_target(t) for t in self.withheld],
            "refused": [[dataclasses.asdict(p) for p in error] for error in self.refused],
            "notes": list(self.notes), "kept": [_target(t) for t in self.kept],
            "behind": [_target(t) for t in self.behind],
            "left": [[*_target(t), content_hash, intact]
                     for t, (content_hash, intact) in sorted(self.left.items())],
        }, ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Refusals | None:
        """The record in a file's bytes; None when it is damaged, of another version, or odd
        in any way (the build then plans in full)."""
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION \
                    or not isinstance(raw.get("key"), str) \
                    or not isinstance(raw["notes"], list) or not _all_text(raw["notes"]):
                return None
            left = {}
            for item in raw["left"]:
                if not (isinstance(item, list) and len(item) == 5 and isinstance(item[3], str)
                        and isinstance(item[4], bool)):
                    return None
                left[_from_target(item[:3])] = (item[3], item[4])
            refused = tuple(tuple(_problem(p) for p in error) for error in raw["refused"])
            if any(not error for error in refused):
                return None
            return cls(raw["key"], tuple(map(_from_target, raw["withheld"])), refused,
                       tuple(raw["notes"]), tuple(map(_from_target, raw["kept"])),
                       tuple(map(_from_target, raw["behind"])), left)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None


def _target(target: Target) -> list[object]:
    return [target.statement_id, target.variant, target.draft]


def _from_target(raw: object) -> Target:
    if not (isinstance(raw, list) and len(raw) == 3 and _all_text(raw[:2])
            and isinstance(raw[2], bool)):
        raise ValueError(f"not an edition: {raw!r}")
    return Target(raw[0], raw[1], raw[2])


def _problem(raw: object) -> Problem:
    if not (isinstance(raw, dict) and raw.keys() == {"message", "file", "line", "severity"}
            and isinstance(raw["message"], str) and (raw["file"] is None or isinstance(raw["file"], str))
            and (raw["line"] is None or type(raw["line"]) is int)
            and raw["severity"] in ("error", "warning")):
        raise ValueError(f"not a problem: {raw!r}")
    return Problem(raw["message"], raw["file"], raw["line"], raw["severity"])


def read_refusals(output_dir: Path) -> Refusals | None:
    """The record of ``REFUSALS_STATE``; None when there is none or it is odd."""
    data = read_published(output_dir / REFUSALS_STATE)
    return Refusals.from_bytes(data) if data is not None else None

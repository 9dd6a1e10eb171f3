"""The standing adversarial suite, round two (issue 17): the classes the second hostile pass broke
that are not about text, each with more cases than the issue showed.

1. Data lost: a translator's save aimed at ``update``'s write window, 200 times by a test hook
   and 200 times by inotify from another thread, is never overwritten.
3. Settings that change the meaning (a locale of another language, a released language with no
   catalog, wrong types, deep nesting) are one line naming ``pyproject.toml`` and its line.
5. Statement identifiers that name what the build owns in ``output/`` are refused.
7, 8, 10. Inputs that cannot be read (a catalog folder unreadable, a folder or a FIFO in place of
   a catalog, a symbolic-link loop), an output folder or statement folder that is a link, a
   corrupt web-font cache, an enormous file in ``output/``, a folder in place of an edition, a
   project folder given to ``-C`` that cannot be one: each is a clear error, or is printed
   correctly, and never deletes a released edition, ships part of a release, or reads a huge
   file whole.

Every hostile case runs ``python -m pipeline`` as a process under a memory and CPU limit and a
timeout (``run_bounded``); its outcome is classified as the issue's table counts them.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import logging
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import files
from pipeline.commands.dist import bundle
from pipeline.commands.update import update
from pipeline.errors import PipelineError
from pipeline.project import Project

from .conftest import FIXTURE_PROJECT, SMALL, build_or_fail, keep_languages, made_once, make_project

G = "sources/ghouta-2017.yaml"
AR = "locales/ar/LC_MESSAGES/statements.po"
SOURCE_A = (FIXTURE_PROJECT / G).read_bytes()
SOURCE_B = SOURCE_A.replace(b"Nearly 400,000 people", b"Almost 400,000 people")
assert SOURCE_A != SOURCE_B
SAVES = 200


def save(path: Path, data: bytes, in_place: bool = False) -> None:
    """Save as an editor does: the whole file renamed into place, or (``in_place``) written
    over the old one."""
    if in_place:
        with open(path, "r+b") as handle:
            handle.truncate(0)
            handle.write(data)
        return
    temp = path.with_name(f".{path.name}.saving")
    temp.write_bytes(data)
    os.replace(temp, path)


def translator_save(current: bytes, number: int) -> bytes:
    """The catalog as a translator saves it: a new name in its header, the rest as it was."""
    changed, count = re.subn(rb'"Last-Translator: [^"\\]*', b'"Last-Translator: translator '
                             + str(number).encode(), current)
    assert count == 1, "the fixture catalog has no Last-Translator line: update the test"
    return changed


# --- 1. a translator's save is never lost --------------------------------------------------------

@pytest.mark.slow  # 200 updates, some 40 ms each
def test_a_save_landing_just_before_update_swaps_the_catalog_in_is_kept(small, monkeypatch):
    """The test hook fires between the merge and the swap: every save there is kept, the update
    says the catalog was saved while it ran, and no temporary file is left."""
    catalog = small.root / AR
    source = small.root / G
    saved: list[bytes] = []

    def hook(target: Path) -> None:
        if target == catalog:
            data = translator_save(catalog.read_bytes(), len(saved))
            save(catalog, data, in_place=len(saved) % 2 == 1)
            saved.append(data)

    update(small)
    source.write_bytes(SOURCE_B)  # every update has a changed paragraph to write
    monkeypatch.setattr(files, "before_exchange", hook)
    refused = 0
    for number in range(SAVES):
        try:
            update(small)
        except PipelineError as error:
            assert f"{AR}: " in str(error) and "saved while update ran" in str(error), error
            refused += 1
        assert len(saved) == number + 1, "the update wrote no catalog: nothing was aimed at"
        assert catalog.read_bytes() == saved[-1], f"save {number} was lost"
    assert refused == SAVES
    assert [p.name for p in catalog.parent.iterdir()] == ["statements.po"]


IN_ATTRIB, IN_CREATE, IN_CLOSE_WRITE = 0x4, 0x100, 0x8


class Inotify:
    """Linux's inotify through ctypes: the names created or changed in one folder."""

    def __init__(self, folder: Path, mask: int) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0 or self.libc.inotify_add_watch(self.fd, os.fsencode(folder), mask) < 0:
            pytest.skip(f"no inotify here: {os.strerror(ctypes.get_errno())}")

    def events(self, timeout: float) -> list[tuple[int, str]]:
        if not select.select([self.fd], [], [], timeout)[0]:
            return []
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return []
        found, offset = [], 0
        while offset < len(data):
            _, mask, _, length = struct.unpack_from("iIII", data, offset)
            name = data[offset + 16:offset + 16 + length].rstrip(b"\0").decode()
            found.append((mask, name))
            offset += 16 + length
        return found

    def close(self) -> None:
        os.close(self.fd)


@pytest.mark.slow  # 200 updates
def test_saves_aimed_by_inotify_at_the_write_window_are_never_lost(small):
    """Another thread watches the catalog's folder and saves the catalog the instant ``update``'s
    temporary file appears, is closed, or has its mode set (the last step before the swap): the
    catalog always ends as the translator's save, whether it landed before the swap (the update
    is refused) or after it (the save replaces the update)."""
    catalog = small.root / AR
    source = small.root / G
    update(small)
    source.write_bytes(SOURCE_B)  # the catalog stays as saved: every update has something to write
    watcher = Inotify(catalog.parent, IN_CREATE | IN_CLOSE_WRITE | IN_ATTRIB)
    masks = [IN_CREATE, IN_CLOSE_WRITE, IN_ATTRIB]
    aim: dict[str, object] = {}
    fired = threading.Event()
    stop = threading.Event()

    def translator() -> None:
        created: set[str] = set()  # this run's temporary files (not a late event of the last)
        run = None
        while not stop.is_set():
            for mask, name in watcher.events(0.05):
                wanted = aim.get("mask")
                if wanted is None or not (name.startswith(".statements.po.")
                                          and name.endswith(".tmp")):
                    continue
                if aim["run"] != run:
                    created.clear()
                    run = aim["run"]
                if mask & IN_CREATE:
                    created.add(name)
                if name in created and mask & int(wanted) and not fired.is_set():  # type: ignore[call-overload]
                    save(catalog, aim["data"])  # type: ignore[arg-type]
                    fired.set()

    thread = threading.Thread(target=translator, daemon=True)
    thread.start()
    outcomes = {"refused": 0, "after": 0}
    try:
        for number in range(SAVES):
            fired.clear()
            aim.update(data=translator_save(catalog.read_bytes(), number), run=number,
                       mask=masks[number % len(masks)])
            try:
                update(small)
                outcomes["after"] += 1
            except PipelineError as error:
                assert "saved while update ran" in str(error), error
                outcomes["refused"] += 1
            assert fired.wait(5), f"run {number}: the update wrote no temporary file"
            aim["mask"] = None
            assert catalog.read_bytes() == aim["data"], f"save {number} was lost ({outcomes})"
    finally:
        stop.set()
        thread.join(5)
        watcher.close()
    assert sum(outcomes.values()) == SAVES
    assert not [p.name for p in catalog.parent.iterdir() if p.name != "statements.po"]


def test_a_save_between_the_two_swaps_wins_over_the_one_before(tmp_path, monkeypatch):
    """The newest save is the one kept: a save landing while the first save is being swapped
    back is put in place, and the update's own file never is."""
    path = tmp_path / "statements.po"
    path.write_bytes(b"read by update")
    exchange = files._exchanger()
    if exchange is None:
        pytest.skip("no renameat2 here")
    calls = []

    def exchanging(a: Path, b: Path) -> None:
        exchange(a, b)
        calls.append(b.read_bytes())
        if len(calls) == 1:
            save(b, b"second save")  # lands between the swap-in and the swap-back

    monkeypatch.setattr(files, "before_exchange", lambda target: save(target, b"first save"))
    monkeypatch.setattr(files, "_exchange_function", [exchanging])
    with pytest.raises(PipelineError, match="saved while update ran"):
        files.write_atomic(path, b"merged", tmp_path, expected=b"read by update")
    assert path.read_bytes() == b"second save"
    assert [p.name for p in tmp_path.iterdir()] == ["statements.po"]


def test_without_renameat2_the_catalog_is_still_compared_before_it_is_replaced(tmp_path,
                                                                               monkeypatch, caplog):
    path = tmp_path / "statements.po"
    path.write_bytes(b"read by update")

    def unsupported(a: Path, b: Path) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(files, "_exchange_function", [unsupported])
    caplog.set_level(logging.INFO, logger="pipeline")
    assert files.write_atomic(path, b"merged", tmp_path, expected=b"read by update")
    assert path.read_bytes() == b"merged"
    assert "cannot swap two files atomically" in caplog.text
    path.write_bytes(b"saved")
    with pytest.raises(PipelineError, match="saved while update ran"):
        files.write_atomic(path, b"merged again", tmp_path, expected=b"merged")
    assert path.read_bytes() == b"saved"


# --- the hostile cases, each a process under limits ---------------------------------------------

GIGABYTE = 1 << 30
MEMORY = 3 * GIGABYTE
"""Address space for a command and each of its workers (WeasyPrint maps fonts and libraries): an
8 GB file read whole, or a settings file whose reading explodes, ends in MemoryError."""
SECONDS = 240
"""Wall-clock bound of one case (a build of two short statements takes some ten seconds on a
busy machine; a hang is anything longer)."""

DENY = r"""
import errno, os, sys

denied = os.path.abspath(sys.argv[1])


def blocked(path, whole):
    try:
        name = os.path.abspath(os.fsdecode(path))
    except TypeError:  # a file descriptor
        return False
    return name.startswith(denied + os.sep) or (whole and name == denied)


def wrap(function, whole):
    def wrapped(path=".", *args, **kwargs):
        if isinstance(path, (str, bytes, os.PathLike)) and blocked(path, whole):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))
        return function(path, *args, **kwargs)
    return wrapped


# As `chmod 000` makes a folder for another user: what is in it cannot be looked at, the folder
# cannot be listed, a file cannot be opened (root ignores permissions: this is how it is tried).
for name, whole in (("stat", False), ("lstat", False), ("open", True), ("listdir", True),
                    ("scandir", True)):
    setattr(os, name, wrap(getattr(os, name), whole))
from pipeline.cli import main

sys.exit(main(sys.argv[2:]))
"""


def limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def run_bounded(args: list[str], deny: Path | None = None) -> tuple[str, int | None, str]:
    """``python -m pipeline ARGS`` in its own process group, under the limits; how it ended:
    ("ended", status, stderr) or ("hang", None, stderr so far) once killed at the deadline."""
    command = ([sys.executable, "-c", DENY, str(deny), *args] if deny is not None
               else [sys.executable, "-m", "pipeline", *args])
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=limits, cwd=Path(__file__).resolve().parent.parent)
    try:
        _, errors = process.communicate(timeout=SECONDS)
        return "ended", process.returncode, errors
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, errors = process.communicate()
        return "hang", None, errors


def outcome(how: str, status: int | None, errors: str, file: str | None, says: str | None) -> str:
    """The issue's classes of outcome: "clear error" (status 1, every line ``FILE: ...`` (or
    ``FILE...`` for a folder ending in a slash),
    saying what was expected), "printed" (status 0, no error line), "traceback", "hang", or
    "silently wrong" (anything else: the wrong status, the wrong file, an unexpected message)."""
    if how == "hang":
        return "hang"
    if any(word in errors for word in ("Traceback", "MemoryError", "RecursionError",
                                       "this is a bug")):
        return "traceback"
    lines = [line for line in errors.splitlines() if line.strip()]
    if says is None:
        return "printed" if status == 0 and not any("error" in line.lower() for line in lines) \
            else "silently wrong"
    if status == 1 and lines and all(
            file is None or line.startswith(file if file.endswith("/") else f"{file}:")
            for line in lines) and any(
            says in line for line in lines):
        return "clear error"
    return "silently wrong"


@dataclass(frozen=True)
class Case:
    """One hostile case: what is done to a copy of the built project (``setup``), the command,
    what it must say (``file``: the line's file, ``says``: some of its words; ``says`` None: it
    must succeed), and what must hold afterwards (``holds``, given the project and the copy as it
    was before the command)."""

    name: str
    kind: int  # the class
    setup: Callable[[Path], object]
    args: tuple[str, ...]
    file: str | None = None
    says: str | None = None
    holds: Callable[[Path, dict[str, str]], None] | None = None
    deny: str | None = None  # a project path made unreadable (as chmod 000 makes it)


def replace(name: str, data: bytes) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        path = root / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return do


def settings(text: str) -> Callable[[Path], None]:
    return replace("pyproject.toml", text.encode())


def en_ar(*steps: Callable[[Path], object]) -> Callable[[Path], None]:
    """``steps`` on a project of English and Arabic only (the fixture's French and Persian
    catalogs and settings removed), the settings these cases were written for: without it a
    released catalog (Persian, French) would make some bad settings valid."""
    return each(lambda root: keep_languages(Project.at(root), "en", "ar"), *steps)


def edit_settings(old: str, new: str) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        path = root / "pyproject.toml"
        text = path.read_text("utf-8")
        assert old in text, f"the fixture's settings no longer hold {old!r}: update the test"
        path.write_text(text.replace(old, new, 1), "utf-8")
    return do


def statement_named(new_id: str, file_name: str | None = None) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        text = (root / G).read_bytes().replace(b"id: ghouta-2017", f"id: {new_id}".encode())
        (root / "sources" / f"{file_name or new_id}.yaml").write_bytes(text)
    return do


def made(kind: str, name: str, target: str = "") -> Callable[[Path], None]:
    """Put something odd where ``name`` is: a "fifo", an empty "folder", a "full folder", a
    "link" to ``target``, a "huge" (8 GB, sparse) file, "garbage", an "empty" file."""
    def do(root: Path) -> None:
        path = root / name
        if kind == "huge":
            with open(path, "ab") as handle:
                handle.truncate(8 * GIGABYTE)
            return
        if kind == "garbage":
            path.write_bytes(b"\x00\xffnot a font" * 10)
            return
        if kind == "empty":
            path.write_bytes(b"")
            return
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "full folder":
            path.mkdir()
            (path / "keep.txt").write_text("someone's file\n", "utf-8")
        elif kind == "link":
            path.symlink_to(target)
        else:
            raise AssertionError(kind)
    return do


def each(*steps: Callable[[Path], object]) -> Callable[[Path], None]:
    def do(root: Path) -> None:
        for step in steps:
            step(root)
    return do


def moved(old: str, new: str, link: str | None = None) -> Callable[[Path], None]:
    """Move ``old`` to ``new``, and put a link to ``link`` (relative) where it was."""
    def do(root: Path) -> None:
        os.replace(root / old, root / new)
        if link is not None:
            (root / old).symlink_to(link)
    return do


def first_web_font(root: Path, folder: str) -> str:
    return sorted(p.relative_to(root).as_posix() for p in (root / folder).glob("*.woff2"))[0]


def on_web_fonts(folder: str, kind: str, target: str = "") -> Callable[[Path], None]:
    def do(root: Path) -> None:
        for path in sorted((root / folder).glob("*.woff2")):
            made(kind, path.relative_to(root).as_posix(), target)(root)
    return do


# --- what must hold afterwards ------------------------------------------------------------------

def hashes(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        if path.stat().st_size > 64 << 20:  # a planted 8 GB file: not read here either
            found[name] = f"size {path.stat().st_size}"
            continue
        found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def arabic_kept(root: Path, before: dict[str, str]) -> None:
    """Every released Arabic and bilingual edition (its HTML and PDF) is still there, as it was
    (its record may be refreshed by a build that goes on with the other statements)."""
    kept = [name for name in before if name.startswith("output/") and (
        ".ar." in name or ".bilingual." in name) and name.endswith((".pdf", ".html"))]
    assert len(kept) == 8, kept
    now = hashes(root)
    assert [name for name in kept if now.get(name) != before[name]] == []


def no_new_bundle(root: Path, before: dict[str, str]) -> None:
    """Nothing was bundled: dist/ holds what it held."""
    now = {name: sha for name, sha in hashes(root).items() if name.startswith("dist/")}
    assert now == {name: sha for name, sha in before.items() if name.startswith("dist/")}


def nothing_left(root: Path) -> None:
    """No temporary file or journal left anywhere."""
    left = [p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.name.endswith(".tmp") or p.name == ".publish.json"]
    assert left == []


def nothing_left_in(output: str) -> Callable[[Path, dict], None]:
    """The output folder (moved to ``output``) as it was: no temporary file, no web font (nor
    anything else) deleted."""
    def holds(root: Path, before: dict[str, str]) -> None:
        nothing_left(root)
        now = hashes(root / output)
        was = {name.removeprefix(f"{output}/"): sha for name, sha in before.items()
               if name.startswith(f"{output}/") and not name.endswith(".lock")}
        assert any(name.startswith("_assets/fonts/") for name in was)
        assert {n: sha for n, sha in now.items() if not n.endswith(".lock")} == was
    return holds


def unchanged_everywhere(root: Path, before: dict[str, str]) -> None:
    """No file of the project changed, none was added or deleted (web fonts included)."""
    nothing_left(root)
    now = hashes(root)
    assert {n: s for n, s in now.items() if not n.endswith(".lock")} == {
        n: s for n, s in before.items() if not n.endswith(".lock")}


def nothing_left_and_arabic_elsewhere(root: Path, before: dict[str, str]) -> None:
    """Nothing written through the link, no temporary file; the other statement's editions
    as they were."""
    nothing_left(root)
    assert not (root / "output" / "nowhere").exists()
    now = hashes(root)
    assert [n for n in before if n.startswith("output/one-voice-2019/")
            and now.get(n) != before[n]] == []


def index_is_a_file(root: Path, before: dict[str, str]) -> None:
    """A link planted for a file is replaced by the file, never written through."""
    index = root / "output" / "index.html"
    assert index.is_file() and not index.is_symlink()
    assert hashes(root)["ix"] == before["ix"], "written through the link"


def web_fonts_intact(root: Path, before: dict[str, str]) -> None:
    """Every web font of output/ is a regular file whose bytes give the digest in its name."""
    fonts = sorted((root / "output" / "_assets" / "fonts").glob("*.woff2"))
    assert fonts
    for path in fonts:
        assert path.is_file() and not path.is_symlink(), path
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:10] == path.name.split(".")[-2]


def sums_check(root: Path, before: dict[str, str]) -> None:
    """Every bundle's SHA256SUMS passes ``sha256sum -c``, its odd names included."""
    zips = sorted((root / "dist").glob("*.zip"))
    new = [z for z in zips if f"dist/{z.name}" not in before]
    assert new, "no new bundle was made"
    for made_zip in new:
        folder = root / "unzipped" / made_zip.stem
        with zipfile.ZipFile(made_zip) as archive:
            archive.extractall(folder)
        [inner] = list(folder.iterdir())
        result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=inner,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "c\\d.txt: OK" in result.stdout


def second_run_says_the_same(args: tuple[str, ...], file: str) -> Callable[[Path, dict], None]:
    """The next run names the same file again: never a journal that fails every later run."""
    def holds(root: Path, before: dict[str, str]) -> None:
        how, status, errors = run_bounded([*args, "-C", str(root)])
        lines = [line for line in errors.splitlines() if line.strip()]
        assert (how, status) == ("ended", 1) and lines and all(
            line.startswith(f"{file}:") for line in lines), errors
    return holds


def both(*checks: Callable[[Path, dict], None]) -> Callable[[Path, dict], None]:
    def holds(root: Path, before: dict[str, str]) -> None:
        for check in checks:
            check(root, before)
    return holds


# --- the cases ----------------------------------------------------------------------------------

SETTINGS_HEAD = "[tool.pipeline]\n"
CHECK = ("check", "-q")
BUILD = ("build", "-j1", "-q")
DIST = ("dist", "-j1", "-q")
PY = "pyproject.toml"
PO = AR
EN_PDF = "output/ghouta-2017/ghouta-2017.en.pdf"
AR_PDF = "output/ghouta-2017/ghouta-2017.ar.pdf"
AR_HTML = "output/ghouta-2017/ghouta-2017.ar.html"
AR_STATE = "output/ghouta-2017/.ghouta-2017.ar.state.json"

CASES = [
    # 3. settings that change the meaning
    Case("locale-en-is-arabic", 3, en_ar(edit_settings('en = "en_GB"', 'en = "ar_SY"')), CHECK,
         f"{PY}:6", "a locale of Arabic (Syria), not of English"),
    Case("locale-ar-is-persian", 3, en_ar(edit_settings('ar = "ar_SY"', 'ar = "fa"')), CHECK,
         f"{PY}:6", "a locale of Persian, not of Arabic"),
    Case("locale-ar-is-english", 3, en_ar(edit_settings('ar = "ar_SY"', 'ar = "en_GB"')), CHECK,
         f"{PY}:6", "not of Arabic"),
    Case("locale-en-is-hebrew", 3, en_ar(edit_settings('en = "en_GB"', 'en = "he"')), CHECK,
         f"{PY}:6", "a locale of Hebrew"),
    Case("locale-region-of-its-own", 3, edit_settings('ar = "ar_SY"', 'ar = "ar_EG"'), CHECK),
    Case("locale-table-as-subtable", 3, en_ar(each(
        edit_settings('formatting-locales = { ar = "ar_SY", en = "en_GB" }\n', ""),
        lambda root: (root / PY).write_text((root / PY).read_text("utf-8")
                                            + '[tool.pipeline.formatting-locales]\nen = "fr"\n',
                                            "utf-8"))),
         CHECK, f"{PY}:9", "a locale of French"),  # after the fixture's last line, site-url
    Case("locale-not-a-string", 3, en_ar(edit_settings('ar = "ar_SY"', "ar = 3")), CHECK, f"{PY}:6",
         "must be a table of language = locale"),
    Case("locale-nested-table", 3, en_ar(edit_settings('ar = "ar_SY"', 'ar = { x = "y" }')), CHECK,
         f"{PY}:6", "must be a table of language = locale"),
    Case("locales-as-a-list", 3, en_ar(edit_settings('{ ar = "ar_SY", en = "en_GB" }', '["ar_SY"]')),
         CHECK, f"{PY}:6", "must be a table of language = locale"),
    Case("released-without-catalog", 3, en_ar(edit_settings('released = ["en", "ar"]',
                                                            'released = ["en", "ar", "de"]')),
         CHECK, f"{PY}:8", "released names 'de', which has no catalog"),
    Case("bilingual-without-catalog", 3, en_ar(edit_settings('bilingual = ["en", "ar"]',
                                                             'bilingual = ["en", "fr"]')),
         CHECK, f"{PY}:7", "bilingual names 'fr', which has no catalog"),
    Case("bilingual-twice", 3, en_ar(edit_settings('bilingual = ["en", "ar"]', 'bilingual = ["ar", "ar"]')),
         CHECK, f"{PY}:7", "names a language twice"),
    Case("bilingual-one", 3, en_ar(edit_settings('bilingual = ["en", "ar"]', 'bilingual = ["en"]')),
         CHECK, f"{PY}:7", "must name two languages"),
    Case("bilingual-unknown-code", 3, en_ar(edit_settings('bilingual = ["en", "ar"]',
                                                          'bilingual = ["en", "xx"]')),
         CHECK, f"{PY}:7", "not a language code known to CLDR"),
    Case("released-empty", 3, en_ar(edit_settings('released = ["en", "ar"]', "released = []")), CHECK,
         f"{PY}:8", "names no language"),
    Case("released-a-string", 3, en_ar(edit_settings('released = ["en", "ar"]', 'released = "en"')),
         CHECK, f"{PY}:8", "must be a list of language codes"),
    Case("released-numbers", 3, en_ar(edit_settings('released = ["en", "ar"]', "released = [1, 2]")),
         CHECK, f"{PY}:8", "must be a list of language codes"),
    Case("released-twice", 3, en_ar(edit_settings('released = ["en", "ar"]',
                                                  'released = ["en", "ar"]\nreleased = ["en"]')),
         CHECK, f"{PY}:9", "cannot read the settings"),
    Case("tool-a-number", 3, settings("tool = 1\n"), CHECK, f"{PY}:1",
         "'tool' must be a table"),
    Case("tool-a-string", 3, settings('tool = "pipeline"\n\n[project]\nname = "x"\n'), CHECK,
         f"{PY}:1", "'tool' must be a table"),
    Case("tool-in-project-is-not-ours", 3, settings('[project]\nname = "x"\ntool = "y"\n'),
         CHECK),
    Case("tool-a-list", 3, settings("tool = [1]\n"), CHECK, f"{PY}:1", "not a list"),
    Case("pipeline-a-number", 3, settings("[tool]\npipeline = 3\n"), CHECK, f"{PY}:2",
         "[tool.pipeline] must be a table of settings, not a number"),
    Case("pipeline-an-array-of-tables", 3, settings('[[tool.pipeline]]\nreleased = ["en"]\n'),
         CHECK, f"{PY}:1", "not a list"),
    Case("pipeline-dotted-a-string", 3, settings('tool.pipeline = "en"\n'), CHECK, f"{PY}:1",
         "not a string"),
    Case("deep-list-100k", 3, settings("x = " + "[" * 100_000 + "]" * 100_000 + "\n"), CHECK,
         f"{PY}:1", "nested more than"),
    Case("deep-inline-tables-5k", 3, settings("x = " + "{a=" * 5000 + "1" + "}" * 5000 + "\n"),
         CHECK, f"{PY}:1", "nested more than"),
    Case("dotted-key-100k", 3, settings("x" + ".x" * 100_000 + " = 1\n"), CHECK, f"{PY}:1",
         "nested more than"),
    Case("deep-table-header", 3, settings("[" + ".".join(["t"] * 5000) + "]\n"), CHECK,
         f"{PY}:1", "nested more than"),
    Case("deep-in-another-tool", 3, settings("[tool.other]\nx = " + "[" * 3000 + "]" * 3000
                                             + "\n" + SETTINGS_HEAD + 'released = ["en"]\n'),
         CHECK, f"{PY}:2", "nested more than"),
    Case("brackets-in-strings-are-text", 3, settings(
        '[tool.other]\nx = "' + "[" * 200 + '"\ny = """\n' + "{" * 200 + '\n"""\n'
        + SETTINGS_HEAD + 'released = ["en", "ar"]\n'), CHECK),
    Case("settings-a-fifo", 3, made("fifo", PY), CHECK, PY, "not a regular file"),
    Case("settings-a-folder", 3, made("folder", PY), CHECK, PY, "is a folder"),
    Case("settings-17-megabytes", 3, settings("# " + "x" * (17 << 20) + "\n"), CHECK, PY,
         "more than the 16 MB"),
    Case("settings-binary", 3, replace(PY, b"\xff\xfe\x00garbage"), CHECK, PY, "not UTF-8"),

    # 5. names the build owns in output/
    Case("id-drafts", 5, statement_named("drafts"), CHECK, "sources/drafts.yaml",
         "a name the build keeps for itself"),
    Case("id-index", 5, statement_named("index"), CHECK, "sources/index.yaml",
         "a name the build keeps for itself"),
    Case("id-assets", 5, statement_named("assets"), CHECK, "sources/assets.yaml",
         "a name the build keeps for itself"),
    Case("id-_assets", 5, statement_named("_assets"), CHECK, "sources/_assets.yaml",
         "not a valid statement identifier"),
    Case("id-Drafts", 5, statement_named("Drafts"), CHECK, "sources/Drafts.yaml",
         "not a valid statement identifier"),
    Case("id-index.html", 5, statement_named("index.html"), CHECK, "sources/index.html.yaml",
         "not a valid statement identifier"),
    Case("id-in-file-drafts", 5, statement_named("drafts", "ghouta-2017"), CHECK, G,
         "a name the build keeps for itself"),
    Case("build-drafts-named", 5, statement_named("drafts"), ("build", "-q", "drafts"),
         None, "a name the build keeps for itself"),
    Case("id-drafts-2024", 5, statement_named("drafts-2024"), CHECK),

    # 7. internal errors: web-font caches, huge files in output/
    Case("output-font-garbage", 7, on_web_fonts("output/_assets/fonts", "garbage"), BUILD,
         holds=web_fonts_intact),
    Case("output-font-empty", 7, on_web_fonts("output/_assets/fonts", "empty"), BUILD,
         holds=web_fonts_intact),
    Case("output-font-fifo", 7, on_web_fonts("output/_assets/fonts", "fifo"), BUILD,
         holds=web_fonts_intact),
    Case("output-font-8gb", 7, on_web_fonts("output/_assets/fonts", "huge"), BUILD,
         holds=web_fonts_intact),
    Case("output-font-link", 7, on_web_fonts("output/_assets/fonts", "link", "/etc/passwd"),
         BUILD, holds=web_fonts_intact),
    Case("8gb-index", 7, made("huge", "output/index.html"), BUILD),
    Case("8gb-pdf", 7, made("huge", EN_PDF), BUILD),
    Case("8gb-state", 7, made("huge", AR_STATE), BUILD),
    Case("8gb-site-state", 7, made("huge", "output/.site.state.json"), BUILD),
    Case("8gb-journal", 7, made("huge", "output/.publish.json"), BUILD),
    Case("8gb-pdf-dist", 7, made("huge", EN_PDF), DIST),
    Case("8gb-html-verify", 7, made("huge", AR_HTML), ("verify", "-j1", "-q"), AR_HTML,
         "differs from a fresh build"),

    # 8. failures reported as success; inputs that cannot be read
    Case("unreadable-ar-build", 8, lambda root: None, BUILD, PO,
         "permission denied", arabic_kept, deny="locales/ar"),
    Case("unreadable-ar-dist", 8, lambda root: None, DIST, PO,
         "permission denied", both(arabic_kept, no_new_bundle), deny="locales/ar"),
    Case("unreadable-ar-check", 8, lambda root: None, CHECK, PO,
         "permission denied", deny="locales/ar"),
    Case("unreadable-ar-update", 8, lambda root: None, ("update", "-q"), PO,
         "permission denied", deny="locales/ar"),
    Case("unreadable-ar-catalog", 8, lambda root: None, BUILD, PO, "permission denied",
         arabic_kept, deny=PO),
    Case("unreadable-locales", 8, lambda root: None, BUILD, "locales", "permission denied",
         arabic_kept, deny="locales"),
    Case("unreadable-sources", 8, lambda root: None, BUILD, "sources", "permission denied",
         arabic_kept, deny="sources"),
    Case("unreadable-fonts", 8, lambda root: None, BUILD, "templates/fonts", "permission denied",
         arabic_kept, deny="templates/fonts"),
    Case("unreadable-statement-folder", 8, lambda root: None, BUILD, "output/ghouta-2017/",
         "permission denied", arabic_kept, deny="output/ghouta-2017"),
    Case("unreadable-web-fonts", 8, lambda root: None, BUILD, "output/_assets/fonts/",
         "permission denied", arabic_kept, deny="output/_assets/fonts"),
    Case("unreadable-output", 8, lambda root: None, BUILD, "output/.lock", "permission denied",
         arabic_kept, deny="output"),
    Case("unreadable-dist", 8, lambda root: None, DIST, "dist/", "permission denied",
         both(arabic_kept, no_new_bundle), deny="dist"),
    Case("unreadable-settings", 8, lambda root: None, CHECK, PY, "permission denied",
         deny=PY),
    Case("unreadable-statement", 8, lambda root: None, BUILD, G, "permission denied",
         arabic_kept, deny=G),
    Case("unreadable-templates", 8, lambda root: None, BUILD, "templates", "permission denied",
         arabic_kept, deny="templates"),
    Case("catalog-a-fifo-build", 8, made("fifo", PO), BUILD, PO, "not a regular file",
         arabic_kept),
    Case("catalog-a-fifo-dist", 8, made("fifo", PO), DIST, PO, "not a regular file",
         both(arabic_kept, no_new_bundle)),
    Case("catalog-a-folder", 8, made("full folder", PO), BUILD, PO, "is a folder", arabic_kept),
    Case("lc-messages-a-file", 8, replace("locales/ar/LC_MESSAGES", b"x"), BUILD, PO,
         "a file is where a folder should be", arabic_kept),
    Case("ar-a-file", 8, replace("locales/ar", b"x"), BUILD, PO,
         "a file is where a folder should be", arabic_kept),
    Case("ar-a-loop", 8, made("link", "locales/ar", "ar"), BUILD, "locales/ar",
         "leads to itself", arabic_kept),
    Case("ar-two-links-in-a-loop", 8, each(made("link", "locales/ar", "fa"),
                                           made("link", "locales/fa", "ar")), BUILD,
         "locales/", "leads to itself", arabic_kept),  # locales/ar or locales/fa first
    Case("ar-a-dangling-link", 8, made("link", "locales/ar", "nowhere"), BUILD, "locales/ar",
         "leads nowhere", arabic_kept),
    Case("ar-catalog-removed", 8, lambda root: shutil.rmtree(root / "locales" / "ar"), BUILD,
         PY, "which has no catalog", arabic_kept),
    Case("ar-catalog-removed-dist", 8, lambda root: shutil.rmtree(root / "locales" / "ar"),
         DIST, PY, "which has no catalog", both(arabic_kept, no_new_bundle)),
    Case("locales-a-loop", 8, each(lambda root: shutil.rmtree(root / "locales"),
                                   made("link", "locales", "locales")), BUILD, "locales",
         "leads to itself", arabic_kept),
    Case("sources-a-loop", 8, each(lambda root: shutil.rmtree(root / "sources"),
                                   made("link", "sources", "sources")), BUILD, "sources",
         "leads to itself", arabic_kept),
    Case("templates-a-loop", 8, each(lambda root: shutil.rmtree(root / "templates"),
                                     made("link", "templates", "templates")), BUILD, "templates",
         "leads to itself", arabic_kept),
    Case("output-linked-inside", 8, moved("output", "out2", "out2"), BUILD, "output",
         "is a symbolic link", nothing_left_in("out2")),
    Case("output-linked-to-templates", 8, each(lambda root: shutil.rmtree(root / "output"),
                                               made("link", "output", "templates")), BUILD,
         "output", "is a symbolic link", unchanged_everywhere),
    Case("output-linked-inside-dist", 8, moved("output", "out2", "out2"), DIST,
         holds=nothing_left_in("out2")),  # dist prints in a folder of its own: output/ untouched
    Case("statement-folder-linked-inside-project", 8, moved("output/ghouta-2017", "gh",
                                                            "../gh"), BUILD,
         "output/ghouta-2017", "is a symbolic link", unchanged_everywhere),
    Case("statement-folder-linked-inside-output", 8, moved("output/ghouta-2017", "output/gh",
                                                           "gh"), BUILD,
         "output/ghouta-2017", "is a symbolic link", unchanged_everywhere),
    Case("statement-folder-linked-forced", 8, moved("output/ghouta-2017", "gh", "../gh"),
         ("build", "-j1", "-q", "--force"), "output/ghouta-2017", "is a symbolic link",
         unchanged_everywhere),
    Case("assets-linked-inside", 8, moved("output/_assets", "as", "../as"), BUILD,
         "output/_assets", "is a symbolic link", unchanged_everywhere),
    Case("drafts-linked-inside", 8, each(lambda root: (root / "dr").mkdir(),
                                         made("link", "output/drafts", "../dr")),
         ("build", "-j1", "-q", "--draft"), "output/drafts", "is a symbolic link",
         unchanged_everywhere),
    Case("output-a-loop", 8, each(lambda root: shutil.rmtree(root / "output"),
                                  made("link", "output", "output")), BUILD, "output/.lock",
         "a link that leads nowhere or to itself"),
    Case("statement-folder-a-loop", 8, made("link", "output/ghouta-2017", "ghouta-2017"), BUILD,
         "output/ghouta-2017", "is a symbolic link", nothing_left_and_arabic_elsewhere),
    Case("statement-folder-dangling", 8, made("link", "output/ghouta-2017", "nowhere"), BUILD,
         "output/ghouta-2017", "is a symbolic link", nothing_left_and_arabic_elsewhere),
    Case("assets-a-loop", 8, made("link", "output/_assets", "_assets"),
         ("build", "-j1", "-q", "--force"), "output/_assets", "is a symbolic link"),
    Case("index-linked-inside", 8, moved("output/index.html", "ix", "../ix"),
         ("build", "-j1", "-q", "--force"), holds=index_is_a_file),
    Case("sums-backslash-name", 8, replace("templates/c\\d.txt", b"y\n"), DIST, holds=sums_check),
    Case("sums-newline-name", 8, replace("templates/fonts/a\nb.txt", b"x\n"), DIST, "templates",
         "control character", no_new_bundle),
    Case("sums-cr-name", 8, replace("templates/a\rb.txt", b"x\n"), DIST, "templates",
         "control character", no_new_bundle),
    Case("sums-tab-name", 8, replace("templates/a\tb.txt", b"x\n"), DIST, "templates",
         "control character", no_new_bundle),

    # 10. messages that say the wrong thing: a folder where an edition file is
    Case("pdf-an-empty-folder", 10, made("folder", AR_PDF), BUILD),
    Case("pdf-a-full-folder", 10, made("full folder", AR_PDF), BUILD, AR_PDF, "is a folder",
         second_run_says_the_same(BUILD, AR_PDF)),
    Case("html-a-full-folder", 10, made("full folder", AR_HTML), BUILD, AR_HTML, "is a folder",
         second_run_says_the_same(BUILD, AR_HTML)),
    Case("state-a-full-folder", 10, made("full folder", AR_STATE), BUILD, AR_STATE, "is a folder",
         second_run_says_the_same(BUILD, AR_STATE)),
    Case("index-a-full-folder", 10, made("full folder", "output/index.html"), BUILD,
         "output/index.html", "is a folder",
         second_run_says_the_same(BUILD, "output/index.html")),
    Case("web-font-a-full-folder", 10, lambda root: made(
        "full folder", first_web_font(root, "output/_assets/fonts"))(root),
         ("build", "-j1", "-q", "--force"), "output/_assets/fonts/", "is a folder"),
    Case("web-font-an-empty-folder", 10, lambda root: made(
        "folder", first_web_font(root, "output/_assets/fonts"))(root),
         ("build", "-j1", "-q", "--force"), holds=web_fonts_intact),
]


def stale_journal_naming_a_folder(root: Path) -> None:
    """A killed run's journal names a temporary file for an edition that is now a folder."""
    made("full folder", AR_PDF)(root)
    temp = root / "output" / "ghouta-2017" / ".ghouta-2017.ar.pdf.killed.tmp"
    temp.write_bytes(b"%PDF-1.7 half")
    (root / "output" / ".publish.json").write_text(
        '[["ghouta-2017/.ghouta-2017.ar.pdf.killed.tmp", "ghouta-2017/ghouta-2017.ar.pdf"]]')


CASES.append(Case("journal-naming-a-full-folder", 10, stale_journal_naming_a_folder, BUILD,
                  AR_PDF, "is a folder", second_run_says_the_same(BUILD, AR_PDF)))
CASES.append(Case("journal-an-empty-folder", 10, made("folder", "output/.publish.json"),
                  ("build", "-j1", "-q", "--force")))
CASES.append(Case("journal-a-full-folder", 10, made("full folder", "output/.publish.json"),
                  ("build", "-j1", "-q", "--force"), "output/.publish.json", "is a folder",
                  second_run_says_the_same(("build", "-j1", "-q", "--force"),
                                           "output/.publish.json")))
CASES.append(Case("site-state-a-full-folder", 10, made("full folder", "output/.site.state.json"),
                  BUILD, "output/.site.state.json", "is a folder"))
CASES.append(Case("lock-a-folder", 10, made("full folder", "output/.lock"), BUILD,
                  "output/.lock", "a folder is where a file should be"))


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The small project built in every language and bundled, once per session (never changed:
    each case works on a copy)."""
    def make(folder: Path) -> None:
        project = make_project(folder / "project", SMALL)
        build_or_fail(project, jobs=1)
        bundle(project, jobs=1)
    return made_once(tmp_path_factory, "attacks-round2", make)


@pytest.mark.slow  # a process each, under limits; some print
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_case_is_a_clear_error_or_printed_correctly(bundled, tmp_path, case):
    root = tmp_path / "project"
    shutil.copytree(bundled.root, root, symlinks=True)
    case.setup(root)
    before = hashes(root)
    how, status, errors = run_bounded([*case.args, "-C", str(root)],
                                      deny=root / case.deny if case.deny else None)
    found = outcome(how, status, errors, case.file, case.says)
    assert found == ("clear error" if case.says else "printed"), (how, status, errors)
    if case.holds is not None:
        case.holds(root, before)


def project_loop(tmp_path: Path) -> Path:
    (tmp_path / "loop").symlink_to("loop")
    return tmp_path / "loop"


def two_links(tmp_path: Path) -> Path:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    return tmp_path / "a"


def under_a_loop(tmp_path: Path) -> Path:
    return project_loop(tmp_path) / "project"


def a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x", "utf-8")
    return tmp_path / "file"


def a_fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "fifo")
    return tmp_path / "fifo"


def under_a_file(tmp_path: Path) -> Path:
    return a_file(tmp_path) / "project"


PROJECT_FOLDERS = [
    # name, how the folder given to -C is made, what the one line says, the folder made
    # unreadable (as chmod 000 makes it)
    ("a-loop", project_loop, "leads to itself through symbolic links", None),
    ("two-links-in-a-loop", two_links, "leads to itself through symbolic links", None),
    ("below-a-loop", under_a_loop, "leads to itself through symbolic links", None),
    ("a-file", a_file, "it is a file", None),
    ("a-fifo", a_fifo, "it is a file", None),
    ("below-a-file", under_a_file, "there is no such folder", None),
    ("nowhere", lambda tmp_path: tmp_path / "nowhere", "there is no such folder", None),
    ("unreadable", lambda tmp_path: tmp_path, "permission denied", "."),
]


@pytest.mark.slow  # a process each
@pytest.mark.parametrize(("name", "folder", "says", "deny"), PROJECT_FOLDERS,
                         ids=[case[0] for case in PROJECT_FOLDERS])
def test_a_project_folder_that_cannot_be_one_is_one_line(tmp_path, name, folder, says, deny):
    given = folder(tmp_path)
    for command in (CHECK, BUILD):
        how, status, errors = run_bounded([*command, "-C", str(given)],
                                          deny=given if deny else None)
        assert outcome(how, status, errors, os.path.abspath(given) if deny is None
                       else str(given), says) == "clear error", (how, status, errors)


@pytest.mark.slow  # reads a build
def test_every_name_the_build_keeps_in_output_is_refused_as_a_statement_identifier(bundled):
    from pipeline.identifiers import statement_id_problem
    from pipeline.project import ASSETS, DRAFTS

    names = {path.name.split(".")[0] or path.name for path in bundled.output_dir.iterdir()}
    ours = names - set(SMALL)
    assert {"index", ASSETS} <= ours
    for name in ours | {DRAFTS, ASSETS.lstrip("_")}:
        assert statement_id_problem(name) is not None, name

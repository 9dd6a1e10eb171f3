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
import logging
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline import files
from pipeline.commands.update import update
from pipeline.errors import PipelineError
from pipeline.project import Project

from .conftest import FIXTURE_PROJECT

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

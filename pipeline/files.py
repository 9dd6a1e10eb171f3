"""Writing files so that nothing is ever half-written: temp file, fsync, atomic rename."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import PipelineError


def write_atomic(path: Path, data: bytes, root: Path, expected: bytes | None = None) -> bool:
    """Put ``data`` at ``path`` atomically; return False (and touch nothing) if it is unchanged.

    ``path`` must lie inside ``root`` once its folders are resolved, so a folder that is a
    symbolic link out of the project is refused; a file that is a symbolic link is replaced by a
    regular file, never written through. With ``expected``, the file must still hold those bytes
    when it is replaced (a translator may have saved it meanwhile): otherwise nothing is written.
    """
    path = Path(path)
    parent = path.parent.resolve()
    if not parent.is_relative_to(root.resolve()):
        raise PipelineError(f"refusing to write outside the project: the folder leads to "
                            f"{parent} (a symbolic link?); remove the link", path)
    target = parent / path.name
    if not target.is_symlink() and target.is_file():
        try:
            if target.stat().st_size == len(data) and target.read_bytes() == data:
                return False
        except OSError:
            pass
    parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        if expected is not None and _current(target) != expected:
            raise PipelineError("the file changed while it was being updated (saved by an "
                                "editor?): nothing was written; run the command again", path)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
_held: set[Path] = set()


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a killed run left behind (``.name.XXXXXXXX.tmp``): only ever called while
    holding the folder's lock, so no running write can own them."""
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            if TEMPORARY.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


@contextlib.contextmanager
def exclusive(folder: Path, waiting_message: str) -> Iterator[None]:
    """Hold the folder's lock for a while, so a second run (a watcher and a manual build) waits
    for the first instead of interleaving its writes; then clear what killed runs left there."""
    from . import log

    lock_file = folder / ".lock"
    if lock_file in _held:  # already ours: an update that extracts
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s", waiting_message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _held.add(lock_file)
        try:
            remove_stale_temporaries(folder)
            yield
        finally:
            _held.discard(lock_file)
            fcntl.flock(handle, fcntl.LOCK_UN)

"""The one place that reads and writes the file system: reading inputs safely, reading back what
the build published without trusting it, writing outputs so that nothing is ever half-written,
and the lock two runs share. (Other modules only ask whether a path is a folder or a link, to
name it in a message.)

- An input is a regular file inside the project, of a bounded size: a symbolic link out of the
  project, a device, a FIFO or a folder is refused before a byte is read.
- An output is written to a temporary file beside it, flushed, renamed into place, and the folder
  flushed too; nothing is ever written through a symbolic link.
- Files that belong together (an edition's HTML, PDF and state) are published together: a
  journal names them before the first rename, and a run that was killed half-way is completed
  by the next one, under the lock, before anything else.
- Every operating-system failure (permission, read-only or full disk, a folder where a file
  should be) becomes a one-line ``PipelineError`` naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import fnmatch
import functools
import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from . import log
from .errors import PipelineError

MAX_SOURCE = 2 * 1024 * 1024
"""The largest statement read: some thousand signatories fit in a tenth of it; far more would
only make a build lay out pages for minutes."""
MAX_INPUT = 16 * 1024 * 1024
"""The largest catalog, template or settings file read."""
MAX_FONT = 32 * 1024 * 1024

JOURNAL = ".publish.json"
TEMPORARY_SUFFIX = ".tmp"


def describe_os_error(error: OSError, doing: str) -> str:
    """What an operating-system error means for the user, and what to do about it."""
    code = error.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"cannot {doing}: permission denied; check the permissions of the file and its folder"
    if code == errno.EROFS:
        return f"cannot {doing}: the file system is read-only; build on a writable disk"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot {doing}: the disk is full; free some space, then run again"
    if code == errno.EISDIR:
        return f"cannot {doing}: a folder is where a file should be; remove or rename the folder"
    if code == errno.EEXIST:
        return (f"cannot {doing}: something that is not a folder (a file, or a link that leads "
                "nowhere or to itself) is where a folder should be; remove it")
    if code == errno.ENOTDIR:
        return f"cannot {doing}: a file is where a folder should be; remove or rename the file"
    if code == errno.ELOOP:
        return f"cannot {doing}: it is a symbolic link; replace it with a regular file"
    if code == errno.ENOENT:
        return f"cannot {doing}: it does not exist"
    return f"cannot {doing}: {error.strerror or error}"


def display(path: Path, root: Path) -> str:
    """How a file is named in messages: relative to the project root, with forward slashes."""
    try:
        return Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- reading -------------------------------------------------------------------------------------

def inside(path: Path, root: Path) -> bool:
    return _resolved_inside(os.path.realpath(path), root)


def _resolved_inside(real: str, root: Path) -> bool:
    """Whether ``real`` (a resolved path) is inside ``root``: against the real path
    ``real_root`` remembers, asked again before saying no (a project moved while ``watch``
    runs, a link left at its old place: the remembered one is stale)."""
    if Path(real).is_relative_to(real_root(root)):
        return True
    real_root.cache_clear()
    return Path(real).is_relative_to(real_root(root))


@functools.lru_cache(maxsize=16)
def real_root(root: Path) -> str:
    """Where the project's folder ``root`` really is (its links resolved), asked once a run: a
    build reads hundreds of files and checks each against it."""
    return os.path.realpath(root)


def read_input(path: Path, root: Path, limit: int = MAX_INPUT, what: str = "file",
               real_folder: str | None = None) -> bytes | None:
    """The bytes of an input file, or None when there is none. Refused before reading: a link
    leading out of the project, anything but a regular file, more than ``limit`` bytes.
    ``real_folder``: where the file's folder really is (``os.path.realpath``), resolved once by a
    caller reading many files of one folder."""
    def name() -> str:  # made only for a message
        return display(path, root)

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PipelineError(describe_os_error(error, f"read the {what}"), name()) from None
    real = os.path.join(real_folder, path.name) if real_folder is not None and not stat.S_ISLNK(
        info.st_mode) and path.name not in ("", ".", "..") else os.path.realpath(path)
    if stat.S_ISLNK(info.st_mode):
        target = Path(real)
        if not _resolved_inside(real, root):
            raise PipelineError(f"is a symbolic link to {target}, outside the project: the pipeline "
                                f"reads only the project's own files; copy the {what} here "
                                "instead", name())
        if not target.exists():
            raise PipelineError(f"is a symbolic link to {target}, which does not exist", name())
    elif not _resolved_inside(real, root):  # a folder on its way leads out
        raise PipelineError(f"leads to {real} through a symbolic link, outside the project: the "
                            f"pipeline reads only the project's own files; copy the {what} here "
                            "instead", name())
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise PipelineError(describe_os_error(error, f"read the {what}"), name()) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PipelineError(f"is a folder, not a {what}: remove or rename it", name())
        if not stat.S_ISREG(info.st_mode):
            raise PipelineError(f"is not a regular file (a device, a FIFO or a socket): the "
                                f"pipeline reads only regular files; replace it with the {what}", name())
        if info.st_size > limit:
            raise PipelineError(f"is {info.st_size / 1024 / 1024:.1f} MB, more than the "
                                f"{limit / 1024 / 1024:.0f} MB a {what} may have: is it the right "
                                "file?", name())
        return read_bounded(fd, limit, name, what)
    except OSError as error:
        raise PipelineError(describe_os_error(error, f"read the {what}"), name()) from None
    finally:
        os.close(fd)


def read_bounded(fd: int, limit: int, name: str | Callable[[], str], what: str) -> bytes:
    """The bytes of an open file, refused once they pass ``limit`` (a file may grow while read).
    ``name``: the file's name in the message, or how to make it."""
    chunks, size = [], 0
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise PipelineError(f"is more than the {limit / 1024 / 1024:.0f} MB a {what} may "
                                "have: is it the right file?", name if isinstance(name, str) else name())
    return b"".join(chunks)


def read_published(path: Path, limit: int = MAX_INPUT) -> bytes | None:
    """The bytes of a file the build published, or None when it is not there as the build left
    it: missing, a link, a folder, a FIFO, a device, or larger than ``limit``. Never follows a
    link, never blocks on a FIFO, never reads more than ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def list_published(folder: Path, pattern: str) -> list[Path]:
    """The files matching ``pattern`` below an output folder that is a plain folder (never
    through a link), sorted."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if not p.parent.is_symlink())


def published_digest(path: Path, limit: int = MAX_FONT) -> str:
    """The SHA-256 of a published file's bytes; empty when it is not there as a regular file."""
    data = read_published(path, limit)
    return "" if data is None else hashlib.sha256(data).hexdigest()


def files_below(folder: Path) -> list[Path]:
    """Every file, link or other non-folder below an output folder, sorted (never through a
    linked folder)."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not (Path(top) / d).is_symlink())
        found += [Path(top) / name for name in names]
        found += [Path(top) / d for d in os.listdir(top) if (Path(top) / d).is_symlink()
                  and (Path(top) / d).is_dir()]
    return sorted(set(found))


def walk_inputs(folder: Path, root: Path) -> list[Path]:
    """Every file below an input folder, sorted, not following links to folders, editors'
    backup and swap files left out. A folder below that cannot be listed is an error naming
    it, never an empty one."""

    def unreadable(error: OSError) -> None:
        raise PipelineError(describe_os_error(error, "list the folder"),
                            display(Path(error.filename or folder), root))

    found = []
    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not is_scratch(d))
        found += [Path(top) / name for name in sorted(names) if not is_scratch(name)]
    return found


def read_own(path: Path) -> bytes | None:
    """The bytes of one of the pipeline's own files (its code, a library's), for the toolchain's
    hash; None when it is not a regular file."""
    return read_published(path, MAX_FONT)


def list_files(folder: Path, root: Path, pattern: str = "*") -> list[Path]:
    """The files matching ``pattern`` (one name, no folder) in a folder of the project, sorted;
    hidden files, editor backups and temporary files are not inputs. A folder, FIFO or device of
    such a name is listed too, so that reading it names it instead of the input silently
    vanishing; a folder that cannot be listed is an error, never an empty one."""
    names = list_folder(folder, root)
    return [folder / name for name in names if fnmatch.fnmatchcase(name, pattern)
            and not is_scratch(name)]


def list_folder(folder: Path, root: Path) -> list[str]:
    """The names in a folder, sorted; none if there is no such folder. A folder that exists but
    cannot be listed (permission, a link loop, a file where the folder should be) is an error
    naming it: an input that cannot be read is never taken for an absent one."""
    try:
        return sorted(os.listdir(folder))
    except FileNotFoundError:
        if folder.is_symlink():
            raise PipelineError(f"is a symbolic link to {os.readlink(folder)}, which does not "
                                "exist: restore the folder or remove the link",
                                display(folder, root)) from None
        return []
    except OSError as error:
        raise PipelineError("leads to itself through symbolic links (a loop): replace the link "
                            "with the folder" if error.errno == errno.ELOOP
                            else describe_os_error(error, "list the folder"),
                            display(folder, root)) from None


def is_scratch(name: str) -> bool:
    """An editor's swap or backup file, or a temporary file of ours: never an input."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak",
                                                               ".orig", ".rej"))


# --- writing -------------------------------------------------------------------------------------

def _checked_folder(path: Path, root: Path) -> Path:
    """The folder ``path`` is written into, which must lead nowhere outside ``root``."""
    parent = Path(os.path.realpath(path.parent))
    if not parent.is_relative_to(os.path.realpath(root)):
        raise PipelineError(f"refusing to write outside the project: the folder leads to {parent} "
                            "(a symbolic link?); remove the link", display(path, root))
    return parent


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temporary(target: Path, data: bytes) -> Path:
    """``data`` in a flushed temporary file beside ``target``."""
    import tempfile  # here: a build with nothing to do writes nothing

    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMPORARY_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp)


def unchanged(path: Path, data: bytes) -> bool:
    try:
        return (not path.is_symlink() and path.is_file() and path.stat().st_size == len(data)
                and path.read_bytes() == data)
    except OSError:
        return False


def write_atomic(path: Path, data: bytes, root: Path, expected: bytes | None = None) -> bool:
    """Put ``data`` at ``path`` atomically; return False (and touch nothing) if it is unchanged.

    A file that is a symbolic link is replaced by a regular file, never written through. With
    ``expected``, the file must still hold those bytes when it is replaced (a translator may have
    saved it meanwhile): otherwise nothing is written.
    """
    name = display(path, root)
    try:
        folder = _checked_folder(path, root)
        target = folder / path.name
        if unchanged(target, data):
            return False
        folder.mkdir(parents=True, exist_ok=True)
        temp = _temporary(target, data)
        try:
            if expected is None:
                os.replace(temp, target)
            elif not _replace_if_unchanged(temp, target, data, expected):
                raise PipelineError(CHANGED_MEANWHILE, name)
        finally:
            temp.unlink(missing_ok=True)
        _sync_folder(folder)
    except OSError as error:
        raise PipelineError(describe_os_error(error, "write the file"), name) from None
    return True


CHANGED_MEANWHILE = ("the file changed while it was being updated (saved while update ran?): "
                     "nothing was written and the saved file is kept; run update again")

RENAME_EXCHANGE = 2
"""``renameat2``'s flag that swaps two names atomically (Linux 3.15)."""
AT_FDCWD = -100

_exchange_function: list[Callable[[Path, Path], None] | None] = []

before_exchange: Callable[[Path], None] | None = None
"""A test hook: called with the file just before ``write_atomic(expected=...)`` swaps it, the
moment a translator's save would otherwise be lost."""


def _exchanger() -> Callable[[Path, Path], None] | None:
    """``exchange(a, b)``: the two names swapped in one atomic step, or None where the C
    library has no ``renameat2``."""
    if not _exchange_function:
        import ctypes  # here: a build with nothing to do publishes nothing

        function = None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            renameat2 = libc.renameat2
        except (OSError, AttributeError):
            renameat2 = None
        if renameat2 is not None:
            renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                  ctypes.c_uint]
            renameat2.restype = ctypes.c_int

            def function(a: Path, b: Path) -> None:
                if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b),
                             RENAME_EXCHANGE) != 0:
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code), str(b))
        _exchange_function.append(function)
    return _exchange_function[0]


def _replace_if_unchanged(temp: Path, target: Path, data: bytes, expected: bytes) -> bool:
    """Put ``temp`` at ``target`` if ``target`` still holds ``expected``; False (and the file as
    it is) otherwise.

    Comparing, then renaming, leaves a window in which a save is overwritten. With
    ``renameat2(RENAME_EXCHANGE)`` there is none: the new file is swapped in, what was swapped
    out (now at ``temp``) is compared, and if it is not what was read (a save landed before the
    swap), it is swapped back. A save landing between the two swaps is newer than the one
    swapped out: it is put back instead. ``temp`` holds, in the end, only what may go.
    """
    exchange = _exchanger()
    if before_exchange is not None:
        before_exchange(target)
    if exchange is not None:
        try:
            exchange(temp, target)
        except FileNotFoundError:
            return False  # the file was removed meanwhile: nothing is written in its place
        except OSError as error:
            if error.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                raise
            log.info("%s: this file system cannot swap two files atomically; a save landing in "
                     "the instant before the update is written could be overwritten", target)
            exchange = None
    if exchange is None:
        if not _holds(target, expected):
            return False
        os.replace(temp, target)
        return True
    kept = False
    try:
        kept = _holds(temp, expected)
    finally:
        if not kept:
            exchange(temp, target)  # the save is back in place
            if not _holds(temp, data):
                exchange(temp, target)  # a newer save arrived between the swaps: it wins
    return kept


def _holds(path: Path, data: bytes) -> bool:
    """Whether a file (or the file a link inside the project leads to: a catalog may be one)
    holds ``data``, read no further than that."""
    return read_published(Path(os.path.realpath(path)), len(data)) == data


def publish(files: dict[Path, bytes], root: Path, journal_folder: Path) -> None:
    """Write files that belong together so that a reader finds all of them old or all new.

    Each is written to a flushed temporary file first; a journal then names every rename; the
    renames follow and the journal goes. A run killed between two renames leaves the journal,
    and the next run (``recover``) finishes the renames before it does anything else.
    """
    names = {path: display(path, root) for path in files}
    temps: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            folder = _checked_folder(path, root)
            folder.mkdir(parents=True, exist_ok=True)
            _clear_folder_in_the_way(folder / path.name, names[path])
            temps[folder / path.name] = _temporary(folder / path.name, data)
        journal = journal_folder / JOURNAL
        entries = [[os.path.relpath(temp, journal_folder), os.path.relpath(target, journal_folder)]
                   for target, temp in temps.items()]
        _clear_folder_in_the_way(journal, display(journal, root))
        write_atomic(journal, json.dumps(entries).encode(), root)
    except (OSError, PipelineError) as error:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        if isinstance(error, PipelineError):
            raise
        raise PipelineError(describe_os_error(error, "write the edition"),
                            next(iter(names.values()), None)) from None
    _finish(journal, root)


def _clear_folder_in_the_way(target: Path, name: str) -> None:
    """A folder where a file is to be published: removed if empty, otherwise named (never
    deleted with what it holds), before the journal names it."""
    if target.is_dir() and not target.is_symlink():
        try:
            target.rmdir()
        except OSError:
            raise PipelineError("is a folder where the build writes a file, and it is not "
                                "empty: move it away (the build never deletes what it did not "
                                "write), then run again", name) from None


def recover(journal_folder: Path, root: Path) -> None:
    """Finish the publication a killed run began (called under the lock, before anything else)."""
    journal = journal_folder / JOURNAL
    if journal.is_file() and not journal.is_symlink():
        log.info("%s: finishing the publication an interrupted run began", display(journal, root))
        _finish(journal, root)


def _finish(journal: Path, root: Path) -> None:
    try:
        entries = json.loads(read_published(journal) or b"[]")
    except ValueError:
        entries = []  # a damaged journal: its temporary files are cleared as stale ones
    if not isinstance(entries, list) or not all(
            isinstance(e, list) and len(e) == 2 and all(isinstance(p, str) for p in e)
            for e in entries):
        entries = []
    folders = set()
    try:
        for temp, target in entries:
            temp_path, target_path = journal.parent / temp, journal.parent / target
            # The folder must be inside, not the target: a link planted there is replaced. Inside
            # the journal's own folder: a journal planted in output/ renames nothing elsewhere.
            if not (inside(target_path.parent, journal.parent)
                    and inside(temp_path.parent, journal.parent)
                    and temp_path.name.endswith(TEMPORARY_SUFFIX)):
                continue
            if temp_path.is_file() and not temp_path.is_symlink():
                if target_path.is_symlink():
                    target_path.unlink()
                if target_path.is_dir():  # put there since: left to the next publish to name
                    log.warning("%s: a folder is where the build writes a file; the file was "
                                "not put there", display(target_path, root))
                    continue
                os.replace(temp_path, target_path)
                folders.add(target_path.parent)
        for folder in sorted(folders):
            _sync_folder(folder)
        journal.unlink(missing_ok=True)
        _sync_folder(journal.parent)
    except OSError as error:
        raise PipelineError(describe_os_error(error, "publish the edition"),
                            display(journal, root)) from None


def remove(path: Path, root: Path) -> bool:
    """Delete an output file (never through a link out of ``root``); True if it was there."""
    try:
        if not path.is_symlink() and not path.exists():
            return False
        _checked_folder(path, root)
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as error:
        raise PipelineError(describe_os_error(error, "remove the file"), display(path, root)) from None


def remove_folder_if_empty(folder: Path) -> None:
    """Remove an output folder left empty (never a link)."""
    with contextlib.suppress(OSError):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def remove_unlisted(folder: Path, wanted: set[Path], root: Path) -> list[Path]:
    """Remove every file below an output folder that is not ``wanted`` (hidden files and links
    included), and the folders left empty. Returns the files removed."""
    removed: list[Path] = []
    if folder.is_symlink() or not folder.is_dir():
        return removed
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_symlink() or not path.is_dir():
            if path not in wanted and remove(path, root):
                removed.append(path)
        else:
            remove_folder_if_empty(path)
    return removed


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files a killed run left behind (``.name.XXXXXXXX.tmp``): only ever called while
    holding the folder's lock, so no running write can own them."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for path in folder.rglob(f".*{TEMPORARY_SUFFIX}"):
        if path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                path.unlink()


# --- the lock ------------------------------------------------------------------------------------

_thread_locks: dict[str, threading.RLock] = {}
_thread_locks_guard = threading.Lock()
_depth = threading.local()


@contextlib.contextmanager
def exclusive(folder: Path, root: Path, waiting_message: str) -> Iterator[None]:
    """Hold the folder's lock, so a second run (a watcher and a manual build, two threads of one
    process, two processes) waits for the first instead of interleaving its writes; then finish
    what a killed run began and clear its temporary files.

    The lock file is opened without following links (a planted ``.lock`` link is refused, never
    truncated through); within one thread the lock may be taken again (a build that updates).
    """
    folder_name = os.path.realpath(folder)
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(folder_name, threading.RLock())
    if not thread_lock.acquire(blocking=False):
        log.info("%s", waiting_message)
        thread_lock.acquire()
    depths = _depth.__dict__.setdefault("folders", {})
    try:
        if depths.get(folder_name):
            depths[folder_name] += 1
            try:
                yield
            finally:
                depths[folder_name] -= 1
            return
        lock_file = folder / ".lock"
        try:
            _checked_folder(lock_file, root)
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise PipelineError(describe_os_error(error, "take the lock"),
                                display(lock_file, root)) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("%s", waiting_message)
                fcntl.flock(fd, fcntl.LOCK_EX)
            depths[folder_name] = 1
            try:
                recover(folder, root)
                remove_stale_temporaries(folder)
                yield
            finally:
                depths[folder_name] = 0
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        thread_lock.release()


# --- what the build published, known by its stat -------------------------------------------------

DIGESTS = ".files.state.json"
"""In ``output/``: the SHA-256 of each published file with the stat it had when it was hashed, so
that the next run hashes only the files whose stat changed (``PublishedDigests``)."""
DIGESTS_VERSION = 1
MAX_PLANS = 16
"""The full plans ``PublishedDigests`` keeps (requests in turn on the same inputs)."""

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class PublishedDigests:
    """The SHA-256 of the files the build published, as git's index knows a file's content: by
    its size, modification and change times and inode, recorded in ``DIGESTS`` when it was last
    hashed. A file whose stat is as recorded is not read again; any other is hashed. A file
    changed in the same clock tick as its record was written could keep the stat recorded (the
    "racy" case): a file whose times are not older than the record file's is hashed, as git does.
    ``changed`` says whether the record should be written again (``save``).

    It also keeps the hash of the inputs each full plan read and what it was asked (``plans``),
    of the plans made since the last that printed something (that one included): a build that
    finds its own there finds stale only what that plan could not print (a language in
    progress, refused) or what was damaged since, and starts no worker early for it
    (``Printers.start_early``). Several, so that builds of different requests in turn (``build
    --lang en``, ``build``) each find theirs; reset when a plan prints, since what it printed
    may be what another plan's inputs found fresh (an edit undone). The record decides nothing
    else: what is printed is the plan's to say."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.prefix = os.path.join(output_dir, "")  # a file's name below it: what follows
        self.recorded: dict[str, tuple[Stat, str]] = {}
        self.found: dict[str, tuple[Stat, str]] = {}
        self.since = 0  # the record file's mtime_ns: only times before it are trusted
        self.plans: list[str] = []  # the full plans made since one printed, as recorded
        self.inputs_now: str | None = None  # this build's inputs and request (set by it)
        self.printed = False  # whether this build printed an edition (set by it)
        path = output_dir / DIGESTS
        try:
            info = os.lstat(path)
            data = read_published(path) if stat.S_ISREG(info.st_mode) else None
            raw = json.loads(data) if data is not None else None
        except (OSError, ValueError, RecursionError):
            raw = None
        if isinstance(raw, dict) and raw.get("version") == DIGESTS_VERSION \
                and isinstance(raw.get("files"), dict):
            self.since = info.st_mtime_ns
            plans = raw.get("plans")
            if isinstance(plans, list) and all(isinstance(plan, str) for plan in plans):
                self.plans = plans[-MAX_PLANS:]
            for name, item in raw["files"].items():
                if (isinstance(item, list) and len(item) == 5
                        and all(type(v) is int for v in item[:4]) and isinstance(item[4], str)):
                    self.recorded[name] = ((item[0], item[1], item[2], item[3]), item[4])

    def digest(self, path: Path, limit: int = MAX_FONT) -> str | None:
        """The SHA-256 of a published file's bytes; None when it is not there as a regular file
        (a link, a folder, a FIFO, larger than ``limit``), as ``read_published`` reads it."""
        name = self.name(path)
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        now: Stat = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        known = self.recorded.get(name)
        if known is not None and known[0] == now and max(now[1], now[2]) < self.since:
            self.found[name] = known
            return known[1]
        data = read_published(path, limit)  # the stat taken before reading: a later change shows
        if data is None:
            return None
        sha = hashlib.sha256(data).hexdigest()
        self.found[name] = (now, sha)
        return sha

    def name(self, path: Path) -> str:
        """The file's name below the output folder, as the record keys it."""
        text = os.fspath(path)
        if text.startswith(self.prefix) and all(
                part not in ("", ".", "..") for part in text[len(self.prefix):].split("/")):
            return text[len(self.prefix):]  # as relpath gives it, without its two abspaths
        return os.path.relpath(path, self.output_dir)

    def written(self, path: Path, sha: str) -> None:
        """A file this run published with bytes of hash ``sha``: its stat is recorded now."""
        try:
            info = os.lstat(path)
        except OSError:
            return
        if stat.S_ISREG(info.st_mode):
            self.found[self.name(path)] = (
                (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino), sha)

    def planned(self, inputs: str) -> bool:
        """Whether a full plan of these very inputs and request (``inputs``) was made, and none
        printed anything since (``plans``)."""
        return inputs in self.plans

    def _plans_now(self) -> list[str]:
        if self.printed and self.inputs_now is not None:
            return [self.inputs_now]
        if self.inputs_now is None or self.inputs_now in self.plans:
            return self.plans
        return [*self.plans, self.inputs_now][-MAX_PLANS:]

    @property
    def changed(self) -> bool:
        return any(self.recorded.get(name) != found for name, found in self.found.items()) \
            or self._plans_now() != self.plans

    def save(self, root: Path) -> None:
        """Record the digests found in this run, with those recorded before of files it did not
        look at that are still there, when they differ from the record read."""
        if not self.changed:
            return
        kept = {name: item for name, item in self.recorded.items() if name not in self.found
                and os.path.lexists(self.output_dir / name)}
        found = {**kept, **self.found}
        files = {name: [*item[0], item[1]] for name, item in sorted(found.items())}
        plans = self._plans_now()
        write_atomic(self.output_dir / DIGESTS, json.dumps(
            {"version": DIGESTS_VERSION, "plans": plans, "files": files},
            separators=(",", ":")).encode(), root)
        self.recorded, self.plans = found, plans

"""The file system, touched in one module: inputs read safely, outputs written whole, files
published together, and the lock two runs share."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline import files
from pipeline.errors import PipelineError
from pipeline.files import (
    DIGESTS,
    JOURNAL,
    PublishedDigests,
    exclusive,
    publish,
    read_input,
    recover,
    remove_stale_temporaries,
    write_atomic,
)

WAITING = "waiting for another run to finish"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project folder, with a file outside it that nothing may read or write."""
    folder = tmp_path / "project"
    folder.mkdir()
    (tmp_path / "secret.txt").write_bytes(b"outside the project")
    return folder


def outside(root: Path) -> Path:
    return root.parent / "secret.txt"


def one_line(error: PipelineError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text, text
    return text


# --- write_atomic -------------------------------------------------------------------------------

def test_write_atomic_writes_a_new_file_and_its_folders(root):
    path = root / "output" / "sochi-2018" / "sochi-2018.en.html"
    assert write_atomic(path, b"<html>", root) is True
    assert path.read_bytes() == b"<html>"
    assert [p.name for p in path.parent.iterdir()] == [path.name], "no temporary file left"


def test_write_atomic_leaves_an_unchanged_file_untouched(root):
    path = root / "statements.pot"
    path.write_bytes(b"same")
    before = path.stat()
    assert write_atomic(path, b"same", root) is False
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_write_atomic_replaces_a_changed_file_by_a_new_one(root):
    path = root / "statements.pot"
    path.write_bytes(b"old")
    inode = path.stat().st_ino
    assert write_atomic(path, b"new", root) is True
    assert path.read_bytes() == b"new"
    assert path.stat().st_ino != inode, "renamed into place, never rewritten in place"


def test_write_atomic_replaces_a_symbolic_link_by_a_file_never_writing_through_it(root):
    path = root / "index.html"
    os.symlink(outside(root), path)
    assert write_atomic(path, b"<html>", root) is True
    assert not path.is_symlink() and path.read_bytes() == b"<html>"
    assert outside(root).read_bytes() == b"outside the project"


def test_write_atomic_replaces_a_link_that_holds_the_same_bytes(root):
    """A link whose target happens to hold the bytes is still a link: it is replaced."""
    path = root / "index.html"
    outside(root).write_bytes(b"<html>")
    os.symlink(outside(root), path)
    assert write_atomic(path, b"<html>", root) is True
    assert not path.is_symlink()


def test_write_atomic_refuses_a_folder_that_leads_outside_the_root(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "output")
    with pytest.raises(PipelineError) as caught:
        write_atomic(root / "output" / "index.html", b"<html>", root)
    assert "outside the project" in one_line(caught.value)
    assert caught.value.file == "output/index.html"
    assert list(elsewhere.iterdir()) == []


def test_write_atomic_with_expected_bytes_writes_only_over_those(root):
    """`update` read the catalog; a translator saved it meanwhile: nothing is overwritten."""
    path = root / "statements.po"
    path.write_bytes(b"read by update")
    assert write_atomic(path, b"merged", root, expected=b"read by update") is True
    assert path.read_bytes() == b"merged"

    path.write_bytes(b"saved by the translator")
    with pytest.raises(PipelineError) as caught:
        write_atomic(path, b"merged again", root, expected=b"merged")
    assert "saved while update ran" in one_line(caught.value)
    assert path.read_bytes() == b"saved by the translator"
    assert [p.name for p in root.iterdir()] == ["statements.po"], "no temporary file left"


def test_write_atomic_with_expected_bytes_refuses_a_file_that_appeared(root):
    path = root / "statements.po"
    path.write_bytes(b"created meanwhile")
    with pytest.raises(PipelineError):
        write_atomic(path, b"new catalog", root, expected=b"")
    assert path.read_bytes() == b"created meanwhile"


def test_a_folder_where_a_file_should_be_is_one_line_naming_the_file(root):
    (root / "output" / "index.html").mkdir(parents=True)
    with pytest.raises(PipelineError) as caught:
        write_atomic(root / "output" / "index.html", b"<html>", root)
    assert "a folder is where a file should be" in one_line(caught.value)
    assert caught.value.file == "output/index.html"
    assert [p.name for p in (root / "output").iterdir()] == ["index.html"]


def test_a_file_where_a_folder_should_be_is_one_line_naming_the_file(root):
    (root / "output").write_bytes(b"not a folder")
    with pytest.raises(PipelineError) as caught:
        write_atomic(root / "output" / "index.html", b"<html>", root)
    assert caught.value.file == "output/index.html"
    one_line(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_folder_without_write_permission_is_one_line_naming_the_file(root):
    folder = root / "output"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PipelineError) as caught:
            write_atomic(folder / "index.html", b"<html>", root)
    finally:
        folder.chmod(0o700)
    assert "permission denied" in one_line(caught.value)
    assert caught.value.file == "output/index.html"


# --- publish and recover ------------------------------------------------------------------------

def edition_files(root: Path, version: bytes) -> dict[Path, bytes]:
    folder = root / "output" / "sochi-2018"
    return {folder / "sochi-2018.en.html": b"<html>" + version,
            folder / "sochi-2018.en.pdf": b"%PDF-" + version,
            folder / ".sochi-2018.en.state.json": b"{}" + version}


def test_publish_writes_every_file_and_leaves_no_journal(root):
    files = edition_files(root, b"1")
    publish(files, root, root / "output")
    assert {path: path.read_bytes() for path in files} == files
    assert not (root / "output" / JOURNAL).exists()
    assert sorted(p.name for p in (root / "output" / "sochi-2018").iterdir()) == sorted(
        p.name for p in files)


def test_publish_replaces_a_symbolic_link_among_its_files_never_writing_through_it(root):
    files = edition_files(root, b"2")
    html = next(iter(files))
    html.parent.mkdir(parents=True)
    os.symlink(outside(root), html)
    publish(files, root, root / "output")
    assert not html.is_symlink(), "the edition was not published"
    assert {path: path.read_bytes() for path in files} == files
    assert outside(root).read_bytes() == b"outside the project"
    assert not list(html.parent.glob("*.tmp"))


def test_publish_refuses_a_folder_that_leads_outside_and_writes_nothing(root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "output").mkdir()
    os.symlink(elsewhere, root / "output" / "sochi-2018")
    with pytest.raises(PipelineError) as caught:
        publish(edition_files(root, b"1"), root, root / "output")
    assert "outside the project" in one_line(caught.value)
    assert list(elsewhere.iterdir()) == []
    assert not (root / "output" / JOURNAL).exists()


def interrupted(root: Path, old: bytes, new: bytes, renamed: int) -> dict[Path, bytes]:
    """The files of an edition as a run killed during publication leaves them: the new bytes in
    temporary files beside their targets, the journal naming the renames, and the first
    ``renamed`` renames done."""
    journal_folder = root / "output"
    for path, data in edition_files(root, old).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    entries = []
    for n, (path, data) in enumerate(edition_files(root, new).items()):
        temp = path.parent / f".{path.name}.k1ll3d{n}.tmp"
        temp.write_bytes(data)
        entries.append([os.path.relpath(temp, journal_folder), os.path.relpath(path, journal_folder)])
        if n < renamed:
            os.replace(temp, path)
    (journal_folder / JOURNAL).write_text(json.dumps(entries))
    return edition_files(root, new)


@pytest.mark.parametrize("renamed", [0, 1, 2])
def test_recover_completes_a_publication_a_killed_run_began(root, renamed):
    expected = interrupted(root, b"old", b"new", renamed)
    recover(root / "output", root)
    assert {path: path.read_bytes() for path in expected} == expected
    assert not (root / "output" / JOURNAL).exists()
    assert not list((root / "output").rglob("*.tmp"))


def test_taking_the_lock_completes_a_killed_publication_first(root):
    expected = interrupted(root, b"old", b"new", 1)
    with exclusive(root / "output", root, WAITING):
        assert {path: path.read_bytes() for path in expected} == expected
    assert not (root / "output" / JOURNAL).exists()


def test_recover_never_follows_a_journal_out_of_the_project(root):
    """A journal is an input too: an entry naming a file outside the project, or a temporary
    file that is a link, is skipped."""
    journal_folder = root / "output"
    journal_folder.mkdir()
    temp = journal_folder / ".x.abc.tmp"
    temp.write_bytes(b"planted")
    os.symlink(outside(root), journal_folder / ".y.abc.tmp")
    (journal_folder / JOURNAL).write_text(json.dumps([
        [temp.name, os.path.relpath(outside(root), journal_folder)],
        [".y.abc.tmp", "index.html"]]))
    recover(journal_folder, root)
    assert outside(root).read_bytes() == b"outside the project"
    assert not (journal_folder / "index.html").exists()
    assert not (journal_folder / JOURNAL).exists()


@pytest.mark.parametrize("journal", [b"{damaged", b"[[1, 2]]", b'{"a": "b"}', b"[]"])
def test_a_damaged_journal_is_dropped_without_an_exception(root, journal):
    (root / "output").mkdir()
    (root / "output" / JOURNAL).write_bytes(journal)
    recover(root / "output", root)
    assert not (root / "output" / JOURNAL).exists()
    assert list((root / "output").iterdir()) == []


# --- read_input ---------------------------------------------------------------------------------

def test_read_input_reads_a_file_and_a_link_inside_the_project(root):
    (root / "sources").mkdir()
    (root / "sources" / "a.yaml").write_bytes(b"id: a\n")
    os.symlink("a.yaml", root / "sources" / "b.yaml")
    assert read_input(root / "sources" / "a.yaml", root) == b"id: a\n"
    assert read_input(root / "sources" / "b.yaml", root) == b"id: a\n"
    assert read_input(root / "sources" / "none.yaml", root) is None


def refusal(path: Path, root: Path, **kwargs) -> str:
    with pytest.raises(PipelineError) as caught:
        read_input(path, root, **kwargs)
    return one_line(caught.value)


def test_read_input_refuses_a_link_out_of_the_project(root):
    os.symlink(outside(root), root / "pyproject.toml")
    message = refusal(root / "pyproject.toml", root, what="settings file")
    assert "outside the project" in message and message.startswith("pyproject.toml: ")


def test_read_input_refuses_a_file_reached_through_a_folder_link_out_of_the_project(root, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "sochi-2018.yaml").write_bytes(b"id: sochi-2018\n")
    os.symlink(tmp_path / "elsewhere", root / "sources")
    assert "outside the project" in refusal(root / "sources" / "sochi-2018.yaml", root)


def test_read_input_reads_a_project_moved_behind_a_link_while_the_process_runs(tmp_path):
    """``watch`` and ``serve`` keep their process: a project moved to another disk with a link
    left at its old place is read as before, not refused as leading out of itself (the real
    path of its folder, remembered from the first read, is asked again before refusing)."""
    root = tmp_path / "home" / "statements"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "a.yaml").write_bytes(b"id: a\n")
    assert read_input(root / "sources" / "a.yaml", root) == b"id: a\n"
    (tmp_path / "disk").mkdir()
    os.rename(root, tmp_path / "disk" / "statements")
    os.symlink(tmp_path / "disk" / "statements", root)
    assert read_input(root / "sources" / "a.yaml", root) == b"id: a\n"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.yaml").write_bytes(b"id: b\n")
    os.symlink(tmp_path / "elsewhere" / "b.yaml", root / "sources" / "b.yaml")
    assert "outside the project" in refusal(root / "sources" / "b.yaml", root)


def test_read_input_refuses_a_dangling_link(root):
    os.symlink(root / "gone.yaml", root / "a.yaml")
    assert "does not exist" in refusal(root / "a.yaml", root)


def test_read_input_refuses_a_fifo_without_waiting_for_a_writer(root):
    fifo = root / "statement.yaml"
    os.mkfifo(fifo)
    outcome: list[object] = []

    def read() -> None:
        try:
            outcome.append(read_input(fifo, root))
        except PipelineError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("read_input blocked on a FIFO, waiting for a writer")
    assert isinstance(outcome[0], PipelineError)
    assert "not a regular file" in one_line(outcome[0])


def test_read_input_refuses_a_folder(root):
    (root / "sources" / "sochi-2018.yaml").mkdir(parents=True)
    assert "is a folder" in refusal(root / "sources" / "sochi-2018.yaml", root, what="statement")


def test_read_input_refuses_dev_zero_through_a_link(root):
    os.symlink("/dev/zero", root / "statement.yaml")
    refusal(root / "statement.yaml", root)


def test_read_input_refuses_a_device(root):
    """/dev/zero would never end: it is refused before a byte is read."""
    assert "not a regular file" in refusal(Path("/dev/zero"), Path("/dev"))


def test_read_input_refuses_a_file_over_its_limit(root):
    (root / "big.po").write_bytes(b"x" * 1001)
    assert "more than" in refusal(root / "big.po", root, limit=1000, what="catalog")
    (root / "fits.po").write_bytes(b"x" * 1000)
    assert read_input(root / "fits.po", root, limit=1000) == b"x" * 1000


def test_read_input_where_a_file_is_in_place_of_a_folder_is_one_line(root):
    (root / "sources").write_bytes(b"a file")
    message = refusal(root / "sources" / "sochi-2018.yaml", root)
    assert "a file is where a folder should be" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_input_of_an_unreadable_file_is_one_line(root):
    path = root / "pyproject.toml"
    path.write_bytes(b"[tool.pipeline]\n")
    path.chmod(0o000)
    try:
        message = refusal(path, root)
    finally:
        path.chmod(0o644)
    assert "permission denied" in message and message.startswith("pyproject.toml: ")


# --- the lock -----------------------------------------------------------------------------------

class Signal(logging.Handler):
    """Sets an event when the pipeline logs the waiting message."""

    def __init__(self, message: str):
        super().__init__(logging.INFO)
        self.message = message
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == self.message:
            self.seen.set()


@pytest.fixture
def waiting():
    logger = logging.getLogger("pipeline")
    signal = Signal(WAITING)
    level = logger.level
    logger.addHandler(signal)
    logger.setLevel(logging.INFO)
    yield signal.seen
    logger.removeHandler(signal)
    logger.setLevel(level)


def test_a_second_thread_waits_while_the_first_holds_the_lock(root, waiting):
    folder = root / "output"
    order: list[str] = []
    first_in, first_may_leave, second_in = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with exclusive(folder, root, WAITING):
            order.append("first in")
            first_in.set()
            first_may_leave.wait(timeout=60)
            order.append("first out")

    def second() -> None:
        first_in.wait(timeout=60)
        with exclusive(folder, root, WAITING):
            order.append("second in")
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert waiting.wait(timeout=60), "the second thread never said it was waiting"
    assert not second_in.is_set(), "the second thread entered while the first held the lock"
    first_may_leave.set()
    for thread in threads:
        thread.join(timeout=60)
    assert order == ["first in", "first out", "second in"]


def test_the_lock_may_be_taken_again_by_the_thread_that_holds_it(root):
    with exclusive(root / "locales", root, WAITING), exclusive(root / "locales", root, WAITING):
        write_atomic(root / "locales" / "statements.pot", b"pot", root)
    assert (root / "locales" / "statements.pot").read_bytes() == b"pot"


HOLDER = """
import sys
from pathlib import Path
from pipeline.files import exclusive
root = Path(sys.argv[1])
with exclusive(root / "output", root, "holder waiting"):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_a_second_process_waits_while_the_first_holds_the_lock(root, waiting):
    with subprocess.Popen([sys.executable, "-c", HOLDER, str(root)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline() == "holding\n"
            entered = threading.Event()

            def take() -> None:
                with exclusive(root / "output", root, WAITING):
                    entered.set()

            taker = threading.Thread(target=take)
            taker.start()
            assert waiting.wait(timeout=60), "this process never said it was waiting"
            assert not entered.is_set(), "the lock was taken while another process held it"
            holder.stdin.write("done\n")
            holder.stdin.flush()
            taker.join(timeout=60)
            assert entered.is_set()
        finally:
            holder.kill()


@pytest.mark.parametrize("existing", [True, False], ids=["to-a-file", "dangling"])
def test_a_planted_lock_link_is_refused_without_touching_its_target(root, existing):
    folder = root / "output"
    folder.mkdir()
    target = outside(root) if existing else root.parent / "created-through-the-link"
    os.symlink(target, folder / ".lock")
    with pytest.raises(PipelineError) as caught, exclusive(folder, root, WAITING):
        pytest.fail("the lock was taken through a link")
    assert "symbolic link" in one_line(caught.value)
    if existing:
        assert target.read_bytes() == b"outside the project"
    else:
        assert not target.exists()


def test_taking_the_lock_removes_the_temporary_files_a_killed_run_left(root):
    folder = root / "output"
    (folder / "sochi-2018").mkdir(parents=True)
    stale = [folder / ".index.html.x1y2z3.tmp", folder / "sochi-2018" / ".sochi-2018.en.pdf.abc.tmp"]
    kept = [folder / "sochi-2018" / "sochi-2018.en.pdf", folder / "notes.tmp"]
    for path in stale + kept:
        path.write_bytes(b"x")
    os.symlink(outside(root), folder / ".linked.tmp")
    with exclusive(folder, root, WAITING):
        assert not any(path.exists() for path in stale)
        assert all(path.exists() for path in kept)
    assert outside(root).read_bytes() == b"outside the project"


def test_remove_stale_temporaries_of_a_missing_or_linked_folder_does_nothing(root, tmp_path):
    remove_stale_temporaries(root / "none")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / ".a.tmp").write_bytes(b"x")
    os.symlink(tmp_path / "elsewhere", root / "output")
    remove_stale_temporaries(root / "output")
    assert (tmp_path / "elsewhere" / ".a.tmp").exists()


# --- published files known by their stat ------------------------------------------------------

def hashed(output: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the published files a ``PublishedDigests`` reads (to hash them)."""
    read: list[str] = []
    real = files.read_published

    def counted(path: Path, limit: int = files.MAX_INPUT) -> bytes | None:
        if path.name != DIGESTS:
            read.append(path.name)
        return real(path, limit)

    monkeypatch.setattr(files, "read_published", counted)
    return read


def recorded(output: Path, root: Path, *names: str) -> None:
    """The digests of ``names`` hashed and recorded, the record written a tick later than them."""
    digests = PublishedDigests(output)
    for name in names:
        digests.digest(output / name)
    digests.save(root)
    later = max((output / name).stat().st_ctime_ns for name in names) + 10_000_000
    os.utime(output / DIGESTS, ns=(later, later))


def sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def output(root: Path) -> Path:
    folder = root / "output"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF first")
    (folder / "b.html").write_bytes(b"<p>second</p>")
    return folder


def test_a_file_whose_stat_is_as_recorded_is_not_read_again(output, root, monkeypatch):
    recorded(output, root, "a.pdf", "b.html")
    read = hashed(output, monkeypatch)
    digests = PublishedDigests(output)
    assert digests.digest(output / "a.pdf") == sha(b"%PDF first")
    assert digests.digest(output / "b.html") == sha(b"<p>second</p>")
    assert read == [] and not digests.changed


def test_a_touched_file_is_hashed_again_and_recorded_anew(output, root, monkeypatch):
    recorded(output, root, "a.pdf")
    os.utime(output / "a.pdf", ns=(1, 2_000_000_000))  # touched: same bytes, another time
    read = hashed(output, monkeypatch)
    digests = PublishedDigests(output)
    assert digests.digest(output / "a.pdf") == sha(b"%PDF first")
    assert read == ["a.pdf"] and digests.changed
    digests.save(root)
    assert json.loads((output / DIGESTS).read_bytes())["files"]["a.pdf"][1] == 2_000_000_000


def test_a_file_changed_with_its_size_and_mtime_kept_is_hashed(output, root):
    """Same size, its modification time put back (as ``cp -p`` or ``rsync -t`` leave it): its
    change time differs from the record, so its bytes are read."""
    recorded(output, root, "a.pdf")
    before = (output / "a.pdf").stat()
    (output / "a.pdf").write_bytes(b"%PDF other")  # as many bytes
    os.utime(output / "a.pdf", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert PublishedDigests(output).digest(output / "a.pdf") == sha(b"%PDF other")


def test_a_file_as_recent_as_the_record_is_hashed_as_git_hashes_a_racy_file(output, root):
    """A file changed in the same clock tick as it was hashed keeps the stat recorded: a file
    whose times are not older than the record file is never taken on its stat."""
    recorded(output, root, "a.pdf")
    record = json.loads((output / DIGESTS).read_bytes())
    record["files"]["a.pdf"][4] = sha(b"what was there when it was hashed")
    (output / DIGESTS).write_text(json.dumps(record))
    info = (output / "a.pdf").stat()
    racy = max(info.st_mtime_ns, info.st_ctime_ns)
    os.utime(output / DIGESTS, ns=(racy, racy))  # written in the same tick as the file
    assert PublishedDigests(output).digest(output / "a.pdf") == sha(b"%PDF first")
    os.utime(output / DIGESTS, ns=(racy + 1, racy + 1))  # a tick later: the stat is trusted
    assert PublishedDigests(output).digest(output / "a.pdf") == sha(b"what was there when it was hashed")


def test_a_link_or_a_folder_in_a_published_files_place_has_no_digest(output, root):
    recorded(output, root, "a.pdf", "b.html")
    (output / "a.pdf").unlink()
    (output / "a.pdf").symlink_to(output / "b.html")
    (output / "b.html").unlink()
    (output / "b.html").mkdir()
    digests = PublishedDigests(output)
    assert digests.digest(output / "a.pdf") is None
    assert digests.digest(output / "b.html") is None


def test_a_damaged_record_is_no_record(output, root, monkeypatch):
    recorded(output, root, "a.pdf")
    (output / DIGESTS).write_text('{"version": 1, "files": {"a.pdf": [1, "x"]}}')
    read = hashed(output, monkeypatch)
    assert PublishedDigests(output).digest(output / "a.pdf") == sha(b"%PDF first")
    assert read == ["a.pdf"]

"""Writing files so that nothing is ever half-written: temp file, fsync, atomic rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import PipelineError


def write_atomic(path: Path, data: bytes, root: Path) -> bool:
    """Put ``data`` at ``path`` atomically; return False (and touch nothing) if it is unchanged.

    ``path`` must lie inside ``root`` once its folders are resolved, so a folder that is a
    symbolic link out of the project is refused; a file that is a symbolic link is replaced by a
    regular file, never written through.
    """
    path = Path(path)
    parent = path.parent.resolve()
    if not parent.is_relative_to(root.resolve()):
        raise PipelineError(f"refusing to write outside the project: {path.parent} leads to "
                            f"{parent}", path)
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
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True

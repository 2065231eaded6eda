"""Files written so that nobody ever sees them half-written.

Content goes to a temporary file beside its target (named after it, with the
writer's process id, so that a later build can remove what a killed one left),
is synced, and only then renamed over the target.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def temporary_beside(path: Path, write: Callable, sync: bool = True) -> Path:
    """What `write(binary_file)` writes, synced to a temporary file beside `path`; the caller
    renames it into place (or deletes it). `sync=False` skips the sync to disk, for files
    whose loss only costs time (the page cache, whose entries are checked when read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            if sync:
                os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_text(path: Path, text: str) -> None:
    """`text` (UTF-8) in `path`, replaced in one rename."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, content: bytes, sync: bool = True) -> None:
    """`content` in `path`, replaced in one rename."""
    os.replace(temporary_beside(path, lambda file: file.write(content), sync), path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Content keys: what a part, a file or an output is made of, as a SHA-256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FORMAT = 4
"""Bumped when what a part's record holds changes (booklet's code is part of every key anyway)."""


def digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def part_key(html: str, setup: str, steps: tuple = (), variant: str | None = None,
             date: str | None = None, labels: tuple = ()) -> str:
    """The key of a part: its HTML (for a fiche, before the copyfit step is chosen), the
    copyfit steps tried, the renderer's setup (`render.setup.setup_key`: versions, paper, print,
    layout files and fonts), the PDF variant, its date and its page labels."""
    return digest(json.dumps([FORMAT, html, setup, [repr(step) for step in steps], variant, date,
                              [repr(label) for label in labels]], ensure_ascii=False))


_digests: dict[tuple, str] = {}


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a file's content (None if it is gone), hashed again only when the
    file's size, time or inode changed."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _digests:
        with path.open("rb") as file:
            _digests[key] = hashlib.file_digest(file, "sha256").hexdigest()
    return _digests[key]

"""What a build can reuse from the previous build of the same edition (--watch, serve).

A laid-out document is reused only when its HTML is the same and every file
it read (images, stylesheets, fonts) still has the same content; a PDF on disk
is left alone only when it is the very file written for the same pages. So a
change to a fiche lays out that fiche again, a change to the layout or the
fonts lays out everything, and a stale page is never reused. Only what the
last build used is kept, so memory does not grow from build to build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_digests: dict[tuple, str] = {}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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


def files_key(inputs) -> tuple:
    """(path, content digest) pairs as a comparable value."""
    return tuple(sorted((str(path), digest) for path, digest in inputs))


def unchanged(inputs: tuple) -> bool:
    """Whether every file still has the content it had when it was read."""
    return all(file_digest(Path(path)) == digest for path, digest in inputs)


@dataclass
class _Entry:
    value: object
    inputs: tuple  # files_key of the files read to make it, as they were read


@dataclass
class LayoutCache:
    """The laid-out documents of one edition's last build, and the PDFs it wrote."""

    renderer: object | None = None
    renderer_key: tuple = ()
    entries: dict[str, _Entry] = field(default_factory=dict)
    used: dict[str, _Entry] = field(default_factory=dict)
    written: dict[Path, tuple[str, tuple]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    laid_out: int = 0
    reused: int = 0

    def start(self) -> None:
        """Begin a build: reset the counts."""
        self.used, self.laid_out, self.reused = {}, 0, 0

    def finish(self) -> None:
        """End a build: keep only what it used."""
        self.entries, self.used = self.used, {}

    def document(self, html: str, make: Callable[[], object],
                 inputs: Callable[[object], frozenset]) -> tuple[object, str]:
        """The result of `make()` for this HTML, reused when it and the files it read are
        unchanged; and a key for that result: the HTML, and the content of those files (as
        they were read) and of the renderer's stylesheets and fonts."""
        key = digest(html)
        entry = self.entries.get(key) or self.used.get(key)
        if entry is not None and unchanged(entry.inputs):
            self.reused += 1
        else:
            value = make()
            entry = _Entry(value, files_key(inputs(value)))
            self.laid_out += 1
        self.used[key] = entry
        return entry.value, digest(f"{key}\n{entry.inputs}\n{self.renderer_key}")

    def renderer_for(self, key: tuple, make: Callable[[], object]) -> object:
        """The last build's renderer while `key` and its files (`.inputs`) are unchanged;
        else a new one, and nothing laid out by the old one is reused."""
        if self.renderer_key and self.renderer_key[0] == key and unchanged(self.renderer_key[1]):
            return self.renderer
        self.renderer, self.entries = make(), {}
        self.renderer_key = (key, files_key(self.renderer.inputs))
        return self.renderer

    def changed_sources(self, sources: dict[str, str]) -> set[str]:
        """The ids whose source text differs from the last build's (all of them at first)."""
        changed = {name for name, text in sources.items() if self.sources.get(name) != digest(text)}
        self.sources = {name: digest(text) for name, text in sources.items()}
        return changed

    def is_written(self, path: Path, key: str) -> bool:
        """Whether `path` is still the file this cache wrote for `key`."""
        return self.written.get(path) == (key, _identity(path))

    def record_written(self, path: Path, key: str, temporary: Path) -> None:
        """`temporary` holds the PDF for `key` and will be renamed to `path` (keeping its identity)."""
        self.written[path] = (key, _identity(temporary))


def _identity(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def output_key(parts) -> str:
    """A key for an output file made of the documents with these keys (and options)."""
    return digest("\n".join(str(part) for part in parts))


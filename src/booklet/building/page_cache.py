"""The page cache: every part of a booklet rendered once, kept on disk by content key.

A part (the cover and contents, one fiche's page, the index) is rendered into
a small PDF. Its key names everything that reaches the page (`part_key`); the
files it read while rendering (images) are recorded with their content digest
and checked again before an entry is reused. Entries live in
`<project>/.booklet/cache/`: `<key>.pdf` (the part, for the booklets),
`<key>.fonts.json` (its glyphs, for the font merge), for a fiche
`<key>.own.pdf` (the collectivité's own PDF), and `<key>.json`, the record,
which is written last and holds the other files' sizes and SHA-256, so a
truncated or damaged entry is noticed and rendered again. Both are written to
a temporary file and renamed into place: two builds of one project at once
may both write an entry, never half of one. Deleting the folder only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from booklet.atomic import write_bytes
from booklet.keys import file_digest
from booklet.records import FinishedPart, PartRecord

CACHE_DIR = Path(".booklet") / "cache"
KEEP_UNUSED = 2.0
"""Pruning keeps, besides the entries of the last build, this many times as many others
(the most recently used): enough to undo an edit or switch paper without rendering again."""
RECENT_SECONDS = 600
"""Entries used this recently are never pruned: another build of the project may be using them."""
NOTES_SECONDS = 30 * 24 * 3600
"""Notes of a setup not used for this long (a layout since changed) are pruned."""


class PageCache:
    """Parts by key in one folder. `get` returns only whole, still valid entries.

    A `read_only` cache (for `booklet check`, which writes nothing) stores nothing:
    its parts are rendered without their PDF."""

    def __init__(self, folder: Path, read_only: bool = False):
        self.folder = folder
        self.read_only = read_only
        self.used: set[str] = set()

    def pdf_path(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def get(self, key: str) -> PartRecord | None:
        """The entry for `key`, or None when there is none, it is damaged, or a file it read
        has changed since. An entry this process checked before is not read again while its
        files are the same (--watch, serve)."""
        path = self.folder / f"{key}.json"
        files = (path, self.pdf_path(key), self.pdf_path(key).with_suffix(".fonts.json"),
                 self.pdf_path(key).with_suffix(".own.pdf"))
        known = _checked.get(path)
        if known is not None and known[0] == tuple(map(_identity, files)) and not self.read_only:
            record = known[1]
        else:
            record = self._read(key)
        if record is None or any(file_digest(Path(p)) != sha for p, sha in record.inputs):
            return None
        self.used.add(key)
        _touch(path)  # in use: a concurrent build's pruning keeps it
        if not self.read_only:  # a read-only look does not check the glyph facts
            if len(_checked) > MEMO_SIZE:
                _checked.clear()
            _checked[path] = (tuple(map(_identity, files)), record)
        return record

    def _read(self, key: str) -> PartRecord | None:
        """The entry for `key` read from disk and checked whole, or None."""
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            record = PartRecord(**{**data, "pdf": self.folder / data["pdf"],
                                   "inputs": [tuple(item) for item in data["inputs"]]})
            with record.pdf.open("rb") as file:
                content = file.read()
            fonts = record.fonts_path.read_bytes() if not self.read_only else b""
            own = record.own_pdf.read_bytes() if record.own_pdf and not self.read_only else b""
        except (OSError, ValueError, TypeError, KeyError):
            return None
        if (record.key != key or len(content) != record.size
                or hashlib.sha256(content).hexdigest() != record.sha256
                or (not self.read_only and (
                    hashlib.sha256(fonts).hexdigest() != record.fonts_sha256
                    or (record.own_pdf and (len(own) != record.own_size
                                            or hashlib.sha256(own).hexdigest() != record.own_sha256))))):
            return None
        return record

    def put(self, record: PartRecord, finished: FinishedPart | None) -> PartRecord:
        """Store the part's PDFs and glyph facts (`finished`) and its record; returns the
        record as stored."""
        if self.read_only or finished is None:
            return record
        self.folder.mkdir(parents=True, exist_ok=True)
        record.pdf, record.size = self.pdf_path(record.key), len(finished.content)
        record.sha256 = hashlib.sha256(finished.content).hexdigest()
        facts = json.dumps(finished.fonts, ensure_ascii=False).encode("utf-8")
        record.fonts_sha256 = hashlib.sha256(facts).hexdigest()
        write_bytes(record.pdf, finished.content, sync=False)
        write_bytes(record.fonts_path, facts, sync=False)
        if finished.own is not None:
            record.own_sha256 = hashlib.sha256(finished.own).hexdigest()
            record.own_size = len(finished.own)
            write_bytes(record.own_pdf, finished.own, sync=False)
        write_bytes(self.folder / f"{record.key}.json", record.to_json().encode("utf-8"),
                    sync=False)
        self.used.add(record.key)
        return record

    def put_own(self, record: PartRecord, content: bytes) -> PartRecord:
        """Add the collectivité's own PDF to the entry of `record`; the record as stored."""
        record.own_sha256 = hashlib.sha256(content).hexdigest()
        record.own_size = len(content)
        write_bytes(record.own_pdf, content, sync=False)
        write_bytes(self.folder / f"{record.key}.json", record.to_json().encode("utf-8"),
                    sync=False)
        return record

    def read_note(self, name: str):
        """A note kept beside the parts (what WeasyPrint said of a setup's stylesheets, the
        length of an edition's front matter), or None."""
        try:
            return json.loads((self.folder / f"note-{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_note(self, name: str, value) -> None:
        if self.read_only:
            return
        path = self.folder / f"note-{name}.json"
        if self.read_note(name) != value:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes(path, json.dumps(value, ensure_ascii=False).encode("utf-8"), sync=False)
        _touch(path)

    def prune(self) -> None:
        """Keep the entries this cache used, and the most recently used others up to
        KEEP_UNUSED times as many; remove the rest and leftovers of interrupted writes."""
        now = time.time()
        try:
            entries = [(path.stat().st_mtime, path) for path in self.folder.glob("*.json")
                       if not path.name.endswith(".fonts.json")]
            leftovers = [path for path in self.folder.glob(".*.part")
                         if now - path.stat().st_mtime > 3600]
            leftovers += [path for path in self.folder.glob("note-*.json")
                          if now - path.stat().st_mtime > NOTES_SECONDS]
        except OSError:
            return
        others = sorted((entry for entry in entries if entry[1].stem not in self.used
                         and not entry[1].name.startswith("note-")), reverse=True)
        for modified, path in others[int(len(self.used) * KEEP_UNUSED) + 50:]:
            if now - modified < RECENT_SECONDS:  # perhaps in use by another build
                continue
            path.unlink(missing_ok=True)
            path.with_suffix(".pdf").unlink(missing_ok=True)
            path.with_suffix(".fonts.json").unlink(missing_ok=True)
            path.with_suffix(".own.pdf").unlink(missing_ok=True)
        for path in leftovers:
            path.unlink(missing_ok=True)


_checked: dict[Path, tuple[tuple, PartRecord]] = {}
"""Entries this process read and checked whole, with the identity of their files then."""
MEMO_SIZE = 20_000


def _identity(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def temporary_cache(root: Path) -> Path:
    """A folder for one build's parts when the cache is bypassed (--no-cache), inside the
    project; the caller removes it with `remove_folder`."""
    parent = root / ".booklet"
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="no-cache-", dir=parent))


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def opened(root: Path, use_cache: bool = True, read_only: bool = False) -> Iterator[PageCache]:
    """The project's page cache, pruned after a build that succeeded; with `use_cache` False,
    a temporary folder, removed afterwards; `read_only`: the project's cache, only read (and
    with `use_cache` False, none at all)."""
    if read_only:
        yield PageCache(root / CACHE_DIR if use_cache else root / CACHE_DIR / "none", True)
        return
    cache = PageCache(root / CACHE_DIR if use_cache else temporary_cache(root))
    try:
        yield cache
    except BaseException:
        if not use_cache:
            remove_folder(cache.folder)
        raise
    if use_cache:
        cache.prune()
    else:
        remove_folder(cache.folder)

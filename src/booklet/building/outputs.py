"""Where a build's files go, and how they get there without anyone seeing half a file.

Every file is first written to a temporary file beside its target (`atomic`);
only when the whole build succeeded are they renamed into place, so dist/
always holds the last good build. A file already in place is left alone when
it is still the very file written for the same content key: `WrittenFiles`
remembers, between runs, each output's key and identity (inode, size, time).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from booklet.atomic import temporary_beside
from booklet.errors import display_path

DIST = "dist"
STATE = Path(".booklet") / "written.json"
INPUTS = Path(".booklet") / "inputs.json"
"""The files the last build's pages read besides the fiches and booklet.yaml (images, files a
layout refers to): what `build --watch` and `serve` watch besides those."""


def dist_dir(root: Path) -> Path:
    return root / DIST


def booklet_name(edition: str, for_print: bool = False) -> str:
    """A booklet's path inside dist/."""
    return f"booklet-{edition}{'-print' if for_print else ''}.pdf"


def fiche_name(fiche_id: str, edition: str) -> str:
    """A collectivité's own PDF's path inside dist/."""
    return f"fiches/{fiche_id}-{edition}.pdf"


def booklet_path(root: Path, edition: str, for_print: bool = False) -> Path:
    return dist_dir(root) / booklet_name(edition, for_print)


def fiches_dir(root: Path) -> Path:
    return dist_dir(root) / "fiches"


def fiche_path(root: Path, fiche_id: str, edition: str) -> Path:
    return dist_dir(root) / fiche_name(fiche_id, edition)


def saddle_path(booklet: Path) -> Path:
    """The booklet imposed for saddle stitching, beside it."""
    return booklet.with_name(f"{booklet.stem}-saddle.pdf")


def download_page_path(root: Path) -> Path:
    return dist_dir(root) / "index.html"


@dataclass(frozen=True)
class Output:
    """One file of a build: its place, the temporary file holding it, its pages.

    `temporary` is None when the file is already in place: unchanged since the
    last build (`changed` False), or put in place as soon as it was made."""

    path: Path
    temporary: Path | None
    pages: int
    single_fiche: bool
    changed: bool = True
    note: str | None = None


class WrittenFiles:
    """The key each output was last written for, and the identity of the file written."""

    def __init__(self, root: Path):
        self.path = root / STATE
        try:
            self.entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}

    def unchanged(self, target: Path, key: str) -> bool:
        """Whether `target` is still the file written for `key`."""
        return self.entries.get(str(target)) == [key, *_identity(target)]

    def record(self, target: Path, key: str, written: Path) -> None:
        """`written` holds `target`'s content for `key`, and will be renamed to it."""
        self.entries[str(target)] = [key, *_identity(written)]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary_beside(self.path, lambda file: file.write(
            json.dumps(self.entries, sort_keys=True).encode())), self.path)


def _identity(path: Path) -> list:
    try:
        stat = path.stat()
    except OSError:
        return [None]
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def reserve_temporary(target: Path) -> Path:
    """An empty temporary file beside `target`, for a writer to fill (then synced)."""
    return temporary_beside(target, lambda file: None)


def copy_to_temporary(source: Path, target: Path) -> Path:
    """A copy of `source`, in a temporary file beside `target`."""
    def write(file) -> None:
        with source.open("rb") as content:
            shutil.copyfileobj(content, file)
    return temporary_beside(target, write)


def place(outputs: list[Output]) -> None:
    """Rename every temporary file into place."""
    for file in outputs:
        if file.temporary:
            os.replace(file.temporary, file.path)


def discard(outputs: list[Output]) -> None:
    for file in outputs:
        if file.temporary:
            file.temporary.unlink(missing_ok=True)


def remove_orphans(dist: Path) -> None:
    """Temporary files left by a build that was killed (their writer's process is gone)."""
    for part in dist.glob("**/.*.part"):
        pid = part.name.rsplit(".", 3)[-3] if part.name.count(".") >= 4 else ""
        if pid.isdigit() and not _alive(int(pid)):
            part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path, written: list[Output], editions: list[str]) -> None:
    """Per-collectivité PDFs of fiches that no longer exist (renamed or removed)."""
    kept = {file.path.name for file in written}
    for path in folder.glob("*.pdf"):
        if path.name not in kept and path.stem.rsplit("-", 1)[-1] in editions:
            path.unlink()


def imposed(booklet: Output, sheet: str | None) -> Output:
    """The booklet imposed for saddle stitching, beside it."""
    from booklet.pdf.impose import impose, page_width_mm

    source = booklet.temporary or booklet.path
    sheet = sheet or ("A3" if page_width_mm(source) > 160 else "A4")
    target = saddle_path(booklet.path)
    result = []
    temporary = temporary_beside(target, lambda file: result.append(impose(source, file, sheet)))
    imposition = result[0]
    note = (f"{imposition.sides // 2} {sheet} sheets printed on both sides, folded in the middle"
            + (f"; pages reduced to {imposition.scale:.0%}" if imposition.scale < 0.99 else "")
            + (f"; {imposition.blanks} blank pages added" if imposition.blanks else ""))
    return Output(target, temporary, imposition.sides, False, note=note)


def describe_written(written: list[Output]) -> list[str]:
    """One line per booklet written; per-collectivité PDFs summed up."""
    lines = [f"{'wrote' if o.changed else 'unchanged:'} {display_path(o.path)} ({o.pages} "
             f"{'sheet sides' if o.note else 'pages'}{'; ' + o.note if o.note else ''})"
             for o in written if not o.single_fiche]
    singles = [o for o in written if o.single_fiche]
    if singles:
        changed = sum(o.changed for o in singles)
        unchanged = f" ({len(singles) - changed} unchanged)" if changed < len(singles) else ""
        lines.append(f"wrote {changed} per-collectivité PDFs in "
                     f"{display_path(singles[0].path.parent)}{unchanged}")
        root = singles[0].path.parent.parent.parent
        lines.append(f"wrote {display_path(download_page_path(root))} "
                     f"(a page with every download, to publish with dist/)")
    return lines


def save_inputs(root: Path, paths: set[str]) -> None:
    """Note the files the pages of a build read (`INPUTS`), when they changed."""
    listed = json.dumps(sorted(paths), ensure_ascii=False)
    if read_inputs(root) != sorted(paths):
        path = root / INPUTS
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary_beside(path, lambda file: file.write(listed.encode())), path)


def read_inputs(root: Path) -> list[str]:
    """The files the pages of the last build read, as `save_inputs` noted them."""
    try:
        listed = json.loads((root / INPUTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [path for path in listed if isinstance(path, str)] if isinstance(listed, list) else []

"""Building again whenever a file the build reads changes (`build --watch`, `serve`).

A kept `Builder` lays out again only what changed. A build that fails (errors
in a fiche, a broken layout) is reported and waited out: the last good PDFs
stay in dist/, and the next save builds again.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from booklet.building.builder import Builder, Outcome
from booklet.building.outputs import describe_written, read_inputs
from booklet.errors import DataError, Finding, sort_findings
from booklet.project.glyph_coverage import IMAGE_FIELDS
from booklet.project.loading import CONFIG_FILE, FICHES_DIR, load_project

STEP_MS = 30  # a batch of changes ends when nothing changed for this long
READY_TIMEOUT_MS = 300
TEMPORARY = ("~", ".part", ".tmp", ".swp")  # editors' files beside the one saved


def interrupt_on_sigterm() -> None:
    """Have SIGTERM (`kill`, a service manager stopping the command) end a watching command
    as Ctrl-C does: KeyboardInterrupt in the main thread, wherever it is, on which the
    builder stops its worker processes on the way out (Python's own default for SIGTERM
    ends the process at once: its workers' semaphores leak, and Python warns of them).
    Call it in the main thread."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@dataclass
class Attempt:
    """One build of a watched project: what it found and wrote, or why it failed."""

    findings: list[Finding] = field(default_factory=list)
    outcome: Outcome | None = None
    message: str | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.outcome is None


def attempt(builder: Builder, **options) -> Attempt:
    """Build once; whatever goes wrong comes back as findings or a message, never raised."""
    start = time.perf_counter()
    result = Attempt()
    try:
        result.outcome = builder.build(**options)
        result.findings = result.outcome.findings
    except DataError as error:
        result.findings = sort_findings(error.findings)
    except Exception as error:  # a watcher outlives any one build
        if hasattr(error, "format_message"):
            result.message = error.format_message()
        else:
            traceback.print_exc(file=sys.stderr)
            result.message = f"booklet failed unexpectedly ({type(error).__name__}: {error})"
    result.seconds = time.perf_counter() - start
    return result


class ProjectFiles:
    """The files of a project that a build reads: booklet.yaml, the fiches (fiches/*.yaml),
    the project's layouts/ folder, the images its fiches name (logo, photo) as of the
    last `refresh`, and the other files the last build's pages read (what a layout refers
    to). Nothing else: not dist/ or .booklet/ (the build's own output and page cache), not
    a log the command writes into the folder, not an editor's temporary file."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.fiches = self.root / FICHES_DIR
        self.layouts = {self.root / "layouts", (self.root / "layouts").resolve()}
        self.images: frozenset[Path] = frozenset()
        self.read: frozenset[Path] = frozenset()
        """Files the last build's pages read (`outputs.INPUTS`): what a layout refers to."""
        self.refresh()

    def refresh(self) -> None:
        """Read the project again for the images its fiches name now. When it cannot be read
        (booklet.yaml broken, no fiches), the images of the last read stay watched: the
        build says what is wrong, and the save that mends it is watched anyway."""
        self.read = frozenset(path for name in read_inputs(self.root)
                              for path in _image_paths(self.root, name))
        try:
            project = load_project(self.root)
        except Exception:  # whatever it is, the build reports it
            return
        self.images = frozenset(path for entry in project.fiches for name in IMAGE_FIELDS
                                for path in _image_paths(self.root, getattr(entry.fiche, name)))

    def __contains__(self, path: Path) -> bool:
        """Whether a change at `path` (absolute, as the watcher reports it) can change
        what the build makes."""
        if path in (self.root / CONFIG_FILE, self.fiches) or path in self.images or path in self.read:
            return True
        if path.parent == self.fiches:
            return path.suffix in (".yaml", ".yml") and not path.name.startswith(".")
        if path != self.root and any(image.is_relative_to(path) for image in self.images):
            return True  # a folder of images moved or removed
        return any(_in_layouts(path, layouts) for layouts in self.layouts)


def _image_paths(root: Path, value: str | None) -> set[Path]:
    """Where an image a fiche names is, as the watcher may report it (through a link
    or not); none for a value that names no file."""
    try:
        return {Path(os.path.normpath(root / value)), (root / value).resolve()} if value else set()
    except (ValueError, OSError):  # a NUL character, a name too long
        return set()


def _in_layouts(path: Path, layouts: Path) -> bool:
    """The layouts/ folder, or a file or folder in it other than a hidden one or an editor's
    backup or temporary file. (Vim's test file, 4913, counts: a save of the file beside it
    rebuilds anyway. A folder counts: the files of one made or moved in at once may come
    before the watcher watches it.)"""
    if not path.is_relative_to(layouts):
        return False
    return not (any(part.startswith(".") for part in path.relative_to(layouts).parts)
                or path.name.endswith(TEMPORARY))


def changes(root: Path, stop: threading.Event | None = None) -> Iterator[set[Path]]:
    """Each batch of changed files that the build reads (`ProjectFiles`) under `root`,
    until `stop` is set. The first batch is empty and comes as soon as the watcher runs:
    building then catches what was saved before watching began (during the first build).
    After each batch (once it is built), the project is read again for the images it
    names, so that an image a fiche names from now on is watched too."""
    import logging

    from watchfiles import watch

    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    files = ProjectFiles(root)
    ready = False
    for batch in watch(files.root, watch_filter=None, stop_event=stop, step=STEP_MS,
                       debounce=1600, raise_interrupt=False, yield_on_timeout=True,
                       rust_timeout=READY_TIMEOUT_MS):
        changed = {Path(path) for _, path in batch if Path(path) in files}
        if changed or not ready:
            ready = True
            yield changed
            files.refresh()


def describe(result: Attempt, quiet: bool) -> list[str]:
    """What a user wants to read after one build of a watched project."""
    shown = ("error",) if quiet else ("error", "warning")
    lines = [str(f) for f in result.findings if f.severity in shown]
    if result.message:
        lines.append(result.message)
    if result.failed:
        lines.append("Not built: the booklets in dist/ are still those of the last good build. "
                     "Fix the lines above and save.")
        return lines
    if not quiet:
        changed = [line for line in describe_written(result.outcome.written)
                   if not line.startswith(("unchanged", "wrote 0 ")) and "index.html" not in line]
        lines += changed
        outcome = result.outcome
        lines.append(f"built in {result.seconds:.1f} s: {outcome.laid_out} pages laid out, "
                     f"{outcome.reused} reused")
    return lines

"""Building again whenever a file of the project changes (`build --watch`, `serve`).

A kept `Builder` lays out again only what changed. A build that fails (errors
in a fiche, a broken layout) is reported and waited out: the last good PDFs
stay in dist/, and the next save builds again.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from booklet.build.builder import Builder, Outcome
from booklet.errors import DataError, Finding, sort_findings
from booklet.build.outputs import describe_written, dist_dir

STEP_MS = 30  # a batch of changes ends when nothing changed for this long
READY_TIMEOUT_MS = 300


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


def _project_filter(root: Path):
    from watchfiles import DefaultFilter

    class ProjectFilter(DefaultFilter):
        """Files of the project, without dist/ and .booklet/ (the build's own output and page
        cache), hidden folders and temporary files."""

        def __call__(self, change, path: str) -> bool:
            name = Path(path).name
            inside = Path(path).relative_to(root).parts if Path(path).is_relative_to(root) else ()
            return (super().__call__(change, path)
                    and not Path(path).is_relative_to(dist_dir(root))
                    and not any(part.startswith(".") for part in inside)
                    and "." in name  # editors' temporary files
                    and not name.endswith(("~", ".part", ".tmp", ".swp", ".pdf")))

    return ProjectFilter()


def changes(root: Path, stop: threading.Event | None = None) -> Iterator[set[Path]]:
    """Each batch of changed files under `root`, until `stop` is set. The first batch is
    empty and comes as soon as the watcher runs: building then catches what was saved
    before watching began (during the first build)."""
    import logging

    from watchfiles import watch

    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    root = root.resolve()
    ready = False
    for batch in watch(root, watch_filter=_project_filter(root), stop_event=stop, step=STEP_MS,
                       debounce=1600, raise_interrupt=False, yield_on_timeout=True,
                       rust_timeout=READY_TIMEOUT_MS):
        if batch or not ready:
            ready = True
            yield {Path(path) for _, path in batch}


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

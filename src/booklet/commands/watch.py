"""`booklet build --watch`: build, then build again each time a file the build reads is saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from booklet.building.builder import Builder
from booklet.building.rebuilding import attempt, changes, describe, interrupt_on_sigterm
from booklet.errors import display_path


def watch_build(root: Path, edition: str | None, output: Path | None, quiet: bool,
                accept_missing_glyphs: bool, echo: Callable[[str], None], **print_options) -> None:
    """Build, then wait for changes and build again, until interrupted (Ctrl-C or SIGTERM),
    which ends it normally whenever it comes, also in the middle of a build (outputs are only
    ever renamed into place)."""
    interrupt_on_sigterm()
    try:
        _watch(root, edition, output, quiet, accept_missing_glyphs, echo, **print_options)
    except KeyboardInterrupt:
        pass


def _watch(root: Path, edition: str | None, output: Path | None, quiet: bool,
           accept_missing_glyphs: bool, echo: Callable[[str], None], **print_options) -> None:
    with Builder(root, accept_missing_glyphs, publish_early=True) as builder:
        for line in describe(attempt(builder, edition=edition, output=output, **print_options), quiet):
            echo(line)
        for changed in changes(root):
            result = attempt(builder, edition=edition, output=output, **print_options)
            if not changed:  # the watcher is ready; this build caught up with earlier saves
                echo(f"Watching {display_path(root.resolve())} for changes; press Ctrl-C to stop.")
                if not result.failed and not result.outcome.laid_out:
                    continue
            elif not quiet:
                echo("changed: " + ", ".join(display_path(path) for path in sorted(changed)))
            for line in describe(result, quiet):
                echo(line)

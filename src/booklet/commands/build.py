"""`booklet build` and `booklet check`: check everything, lay out every edition, then write.

Nothing is written until every edition is laid out without error, and every
file is written to a temporary name and renamed into place, so an existing
booklet in dist/ is never lost or left half-written.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..editions import EditionLayout, lay_out_edition
from ..errors import DataError, Finding, SourceLocation, UsageError, display_path, sort_findings
from ..layouts import load_layout
from ..preflight import preflight
from ..project import Project, load_project
from ..render import Renderer, write_pdf


@dataclass(frozen=True)
class Output:
    """One PDF to write: where, how many pages, and the function that writes it."""

    path: Path
    pages: int
    single_fiche: bool
    write: Callable[[BinaryIO], None]


@dataclass
class Outcome:
    """What a build or check found, and what it wrote."""

    findings: list[Finding]
    written: list[Output]


def lay_out(project: Project, editions: list[str] | None = None, progress=None,
            accept_missing_glyphs: bool = False):
    """Preflight, then lay out `editions` (all of booklet.yaml's by default) of a validated project.

    Raises DataError when anything is wrong; returns the layouts and all findings otherwise.
    """
    findings = [*project.findings, *preflight(project, accept_missing_glyphs)]
    if project.config.paper != "A4":
        findings.append(Finding(project.config_source.location(("paper",)),
            f"paper {project.config.paper} is not available yet: the booklet is printed on A4",
            "warning"))
    if any(f.is_error for f in findings):
        raise DataError(findings)
    wanted = editions or project.config.editions
    layout = load_layout(project.root)
    renderer = Renderer(layout, project.root)
    if progress:
        progress.start(len(wanted) * len(project.fiches))
    results = [lay_out_edition(project, layout, renderer, edition,
                               progress.advance if progress else lambda: None,
                               accept_missing_glyphs=accept_missing_glyphs)
               for edition in wanted]
    findings += [*_stylesheet_findings(layout, renderer), *(f for r in results for f in r.findings)]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return results, sort_findings(findings)


def _stylesheet_findings(layout, renderer) -> list[Finding]:
    """What WeasyPrint dropped from the layout's stylesheet, at its line and column."""
    findings = []
    for message in renderer.stylesheet_messages:
        position = re.search(r" at (\d+):(\d+)", message)
        line, column = (int(position[1]), int(position[2])) if position else (1, 1)
        location = SourceLocation(display_path(layout.stylesheet), line, column)
        findings.append(Finding(location, message,
                                "error" if "refused to read" in message else "warning"))
    return findings


def check(root: Path, progress=None, accept_missing_glyphs: bool = False) -> Outcome:
    """Validate, preflight and lay out everything; write nothing."""
    _, findings = lay_out(load_project(root), progress=progress,
                          accept_missing_glyphs=accept_missing_glyphs)
    return Outcome(findings, [])


def build(root: Path, edition: str | None = None, output: Path | None = None,
          progress=None, accept_missing_glyphs: bool = False) -> Outcome:
    """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition."""
    project = load_project(root)
    if edition and edition not in project.config.editions:
        raise UsageError(f"edition '{edition}' is not in booklet.yaml (editions: "
                         f"{', '.join(project.config.editions)})")
    if output and not edition and len(project.config.editions) > 1:
        raise UsageError("-o writes one PDF: choose its edition with --edition "
                         + " or --edition ".join(project.config.editions))
    results, findings = lay_out(project, [edition] if edition else None, progress,
                                accept_missing_glyphs)
    files = _outputs(project.root, results, output)
    for file in files:
        _write_atomically(file.path, file.write)
    if not output:
        _remove_stale(project.root / "dist" / "fiches", files, [r.edition for r in results])
    return Outcome(findings, files)


def _remove_stale(folder: Path, written: list[Output], editions: list[str]) -> None:
    """Per-collectivité PDFs of fiches that no longer exist (renamed or removed)."""
    kept = {file.path.name for file in written}
    for path in folder.glob("*.pdf"):
        if path.name not in kept and path.stem.rsplit("-", 1)[-1] in editions:
            path.unlink()


def _outputs(root: Path, results: list[EditionLayout], output: Path | None) -> list[Output]:
    """Every file to write: the booklet of each edition and each fiche's own PDF."""
    if output:
        result = results[0]
        return [Output(output, result.page_count, False, lambda f: write_pdf(result.documents(), f))]
    dist = root / "dist"
    files = []
    for result in results:
        files.append(Output(dist / f"booklet-{result.edition}.pdf", result.page_count, False,
                            lambda f, r=result: write_pdf(r.documents(), f)))
        for page, rendered in result.fiches:
            files.append(Output(dist / "fiches" / f"{page.id}-{result.edition}.pdf", 1, True,
                                lambda f, d=rendered.document: write_pdf([d], f)))
    return files


def _write_atomically(path: Path, make) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            make(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def describe_written(outcome: Outcome) -> list[str]:
    """One line per booklet written; per-collectivité PDFs summed up."""
    lines = [f"wrote {display_path(o.path)} ({o.pages} pages)"
             for o in outcome.written if not o.single_fiche]
    singles = [o.path for o in outcome.written if o.single_fiche]
    if singles:
        lines.append(f"wrote {len(singles)} per-collectivité PDFs in {display_path(singles[0].parent)}")
    return lines

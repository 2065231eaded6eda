"""`booklet build` and `booklet check`: check everything, lay out every edition, then write.

Each edition is laid out by one job, in a worker process of its own when
there are several editions (one per core), since editions share nothing but
the validated data. Jobs write their PDFs to temporary files beside the
targets; only when every job has finished without error are they renamed
into place, so an existing booklet in dist/ is never lost or left half-written.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from ..editions import lay_out_edition
from ..errors import DataError, Finding, SourceLocation, UsageError, display_path, sort_findings
from ..layouts import load_layout
from ..preflight import preflight
from ..project import Project, load_project
from ..render import Renderer, write_pdf

PARALLEL_MIN_FICHES = 8  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Output:
    """One PDF written by a job: its place, the temporary file holding it, its pages."""

    path: Path
    temporary: Path
    pages: int
    single_fiche: bool


@dataclass
class JobResult:
    """What laying out (and writing) one edition found and produced."""

    edition: str
    findings: list[Finding]
    outputs: list[Output] = field(default_factory=list)


@dataclass
class Outcome:
    """What a build or check found, and what it wrote."""

    findings: list[Finding]
    written: list[Output]


def edition_job(root: Path, edition: str, accept_missing_glyphs: bool, write: bool,
                output: Path | None = None, date: str | None = None) -> JobResult:
    """Lay out one edition of the (already checked) project; with `write`, write its PDFs
    to temporary files, unless it has errors. Runs in a worker process: takes and returns
    plain data only."""
    project = load_project(root)
    layout = load_layout(project.root)
    renderer = Renderer(layout, project.root)
    result = lay_out_edition(project, layout, renderer, edition,
                             accept_missing_glyphs=accept_missing_glyphs)
    findings = [*_stylesheet_findings(layout, renderer), *result.findings]
    job = JobResult(edition, findings)
    if not write or any(f.is_error for f in findings):
        return job
    dist = project.root / "dist"
    files = [(output or dist / f"booklet-{edition}.pdf", result.documents(), False)]
    if output is None:
        files += [(dist / "fiches" / f"{page.id}-{edition}.pdf", [rendered.document], True)
                  for page, rendered in result.fiches]
    try:
        for target, documents, single in files:
            pages = sum(len(document.pages) for document in documents)
            job.outputs.append(Output(target, _write_temporary(target, documents, date), pages,
                                      single))
    except BaseException:
        _discard(job.outputs)
        raise
    return job


def source_date() -> str | None:
    """The date of the PDFs from SOURCE_DATE_EPOCH (the reproducible-builds convention)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH is '{value}': set it to a number of seconds since "
                         f"1970-01-01 (for example {int(time.time())}), or unset it")
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def _checked(project: Project, accept_missing_glyphs: bool) -> list[Finding]:
    """Loading and preflight findings; DataError when there are errors (nothing laid out).

    Also reads the layout once here, so that its errors stop the build before any job."""
    load_layout(project.root)
    findings = [*project.findings, *preflight(project, accept_missing_glyphs)]
    if project.config.paper != "A4":
        findings.append(Finding(project.config_source.location(("paper",)),
            f"paper {project.config.paper} is not available yet: the booklet is printed on A4",
            "warning"))
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return findings


def _run_jobs(project: Project, editions: list[str], accept_missing_glyphs: bool, write: bool,
              output: Path | None, progress, date: str | None = None) -> list[JobResult]:
    """One job per edition: in this process for one edition, else one worker process each."""
    arguments = [(project.root, edition, accept_missing_glyphs, write, output, date)
                 for edition in editions]
    if progress:
        progress.start(len(editions))
    workers = min(len(editions), os.cpu_count() or 1)
    if workers == 1 or len(project.fiches) < PARALLEL_MIN_FICHES:
        results = []
        for args in arguments:
            results.append(edition_job(*args))
            progress and progress.advance()
        return results
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(edition_job, *args) for args in arguments]
        results = []
        for future in futures:
            results.append(future.result())
            progress and progress.advance()
        return results


def check(root: Path, progress=None, accept_missing_glyphs: bool = False) -> Outcome:
    """Validate, preflight and lay out everything; write nothing."""
    project = load_project(root)
    findings = _checked(project, accept_missing_glyphs)
    jobs = _run_jobs(project, project.config.editions, accept_missing_glyphs, False, None, progress)
    findings += [f for job in jobs for f in job.findings]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return Outcome(sort_findings(findings), [])


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
    editions = [edition] if edition else project.config.editions
    date = source_date()
    findings = _checked(project, accept_missing_glyphs)
    jobs = _run_jobs(project, editions, accept_missing_glyphs, True,
                     output.resolve() if output else None, progress, date)
    findings += [f for job in jobs for f in job.findings]
    outputs = [o for job in jobs for o in job.outputs]
    if any(f.is_error for f in findings):
        _discard(outputs)
        raise DataError(findings)
    for file in outputs:
        os.replace(file.temporary, file.path)
    if not output:
        _remove_stale(project.root / "dist" / "fiches", outputs, editions)
    return Outcome(sort_findings(findings), outputs)


def _write_temporary(path: Path, documents, date: str | None) -> Path:
    """The PDF of `documents`, written and synced to a temporary file beside `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            write_pdf(documents, file, date)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _discard(outputs: list[Output]) -> None:
    for file in outputs:
        file.temporary.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale(folder: Path, written: list[Output], editions: list[str]) -> None:
    """Per-collectivité PDFs of fiches that no longer exist (renamed or removed)."""
    kept = {file.path.name for file in written}
    for path in folder.glob("*.pdf"):
        if path.name not in kept and path.stem.rsplit("-", 1)[-1] in editions:
            path.unlink()


def describe_written(outcome: Outcome) -> list[str]:
    """One line per booklet written; per-collectivité PDFs summed up."""
    lines = [f"wrote {display_path(o.path)} ({o.pages} pages)"
             for o in outcome.written if not o.single_fiche]
    singles = [o.path for o in outcome.written if o.single_fiche]
    if singles:
        lines.append(f"wrote {len(singles)} per-collectivité PDFs in {display_path(singles[0].parent)}")
    return lines

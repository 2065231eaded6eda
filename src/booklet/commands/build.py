"""`booklet build` and `booklet check`: check everything, lay out every edition, then write.

Each edition is laid out by one job, in a worker process of its own when
there are several editions (one per core), since editions share nothing but
the validated data. Jobs write their PDFs to temporary files beside the
targets; only when every job has finished without error are they renamed
into place, so an existing booklet in dist/ is never lost or left half-written.
A `Builder` kept between builds (--watch, serve) reuses every page whose
content did not change, and leaves alone the PDFs that would come out the same.
"""

from __future__ import annotations

import os
import queue
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context, parent_process
from pathlib import Path

from ..atomic import temporary_beside
from ..cache import LayoutCache, output_key
from ..editions import lay_out_edition
from ..errors import (
    BookletError,
    DataError,
    Finding,
    SourceLocation,
    UsageError,
    display_path,
    sort_findings,
)
from ..impose import impose
from ..layouts import load_layout
from ..preflight import preflight
from ..project import Project, load_project
from ..render import PRINT_VARIANT, SCREEN_VARIANT, Renderer, write_pdf
from ..site import write_static_page

PARALLEL_MIN_FICHES = 8  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class Output:
    """One PDF of a build: its place, the temporary file holding it, its pages.

    `temporary` is None when the file is already in place: unchanged since the
    last build (`changed` False), or put in place as soon as it was laid out."""

    path: Path
    temporary: Path | None
    pages: int
    single_fiche: bool
    changed: bool = True
    note: str | None = None


@dataclass
class JobResult:
    """What laying out (and writing) one edition found and produced."""

    edition: str
    findings: list[Finding]
    outputs: list[Output] = field(default_factory=list)
    laid_out: int = 0
    reused: int = 0


@dataclass
class Outcome:
    """What a build or check found, and what it wrote."""

    findings: list[Finding]
    written: list[Output]
    laid_out: int = 0
    reused: int = 0


@dataclass(frozen=True)
class JobOptions:
    """What an edition job does besides laying out: plain data, sent to worker processes."""

    accept_missing_glyphs: bool = False
    write: bool = True
    output: Path | None = None
    date: str | None = None
    publish_early: bool = False
    """Put the PDF of a just-edited fiche in place as soon as it is laid out without error
    (--watch and serve), before the rest of the booklet."""
    paper: str = "A4"
    for_print: bool = False
    """A print-shop PDF (bleed, crop marks, PDF/X-4) instead of the screen PDFs."""
    impose: bool = False
    """Also write the booklet imposed for saddle stitching, on `sheet` sheets."""
    sheet: str | None = None


def edition_job(root: Path, edition: str, options: JobOptions, cache: LayoutCache,
                notify: Callable[[str], None] | None = None) -> JobResult:
    """Lay out one edition of the (already checked) project, reusing what `cache` holds;
    with `options.write`, write its PDFs to temporary files, unless it has errors.
    `notify(edition)` is called after each fiche."""
    project = load_project(root)
    layout = load_layout(project.root)
    renderer = cache.renderer_for(
        (str(project.root), layout.dirs, str(layout.stylesheet),
         tuple(map(str, layout.paper_stylesheets(options.paper))), options.paper, options.for_print),
        lambda: Renderer(layout, project.root, options.paper, options.for_print))
    changed = cache.changed_sources({f.id: f.source.text for f in project.fiches})
    first = changed if len(changed) < len(project.fiches) else set()
    fiches_dir = project.root / "dist" / "fiches"
    singles = options.write and options.output is None and not options.for_print
    variant = PRINT_VARIANT if options.for_print else SCREEN_VARIANT
    cover = layout.labels[edition].get("cover", "Cover")
    job = JobResult(edition, [])

    def fiche_done(page, rendered, key, findings) -> None:
        if notify:
            notify(edition)
        if (singles and options.publish_early and page.id in first
                and not any(f.is_error for f in findings)):
            written = _write(cache, fiches_dir / f"{page.id}-{edition}.pdf", [rendered.document],
                             output_key([key, options.date, variant, _single_labels(page)]),
                             True, PdfOptions(options.date, variant, _single_labels(page)))
            if written.temporary:
                os.replace(written.temporary, written.path)
            job.outputs.append(Output(written.path, None, 1, True, written.changed))

    try:
        result = lay_out_edition(project, layout, renderer, edition,
                                 accept_missing_glyphs=options.accept_missing_glyphs,
                                 cache=cache, first=first, on_fiche=fiche_done,
                                 paper=options.paper)
        job.laid_out, job.reused = cache.laid_out, cache.reused
        job.findings = [*_stylesheet_findings(layout, renderer), *result.findings]
        if not options.write or any(f.is_error for f in job.findings):
            return job
        suffix = "-print" if options.for_print else ""
        booklet = options.output or project.root / "dist" / f"booklet-{edition}{suffix}.pdf"
        labels = [(0, {"P": cover}), (1, {"S": "D", "St": 2})]
        files = [(booklet, result.documents(),
                  output_key([*result.keys, options.date, variant, labels]), False,
                  PdfOptions(options.date, variant, labels))]
        if singles:
            files += [(fiches_dir / f"{page.id}-{edition}.pdf", [rendered.document],
                       output_key([key, options.date, variant, _single_labels(page)]), True,
                       PdfOptions(options.date, variant, _single_labels(page)))
                      for (page, rendered), key in zip(result.fiches, result.keys[1:-1], strict=True)]
        done = {output.path for output in job.outputs}
        for target, documents, key, single, pdf in files:
            if target not in done:
                job.outputs.append(_write(cache, target, documents, key, single, pdf))
        if options.impose:
            job.outputs.append(_imposed(next(o for o in job.outputs if o.path == booklet),
                                        options.sheet))
    except BaseException:
        _discard(job.outputs)
        raise
    return job


@dataclass(frozen=True)
class PdfOptions:
    """How one PDF is written: its date, WeasyPrint variant and page labels."""

    date: str | None
    variant: str | None
    labels: list[tuple[int, dict]]


def _single_labels(page) -> list[tuple[int, dict]]:
    """A collectivité's own PDF shows its page number in the booklet."""
    return [(0, {"S": "D", "St": page.page})]


def _write(cache: LayoutCache, target: Path, documents, key: str, single: bool,
           pdf: PdfOptions) -> Output:
    """The PDF of `documents` for `target`, in a temporary file; nothing when `target` is
    still the file written for the same key."""
    pages = sum(len(document.pages) for document in documents)
    if cache.is_written(target, key):
        return Output(target, None, pages, single, changed=False)
    temporary = temporary_beside(target, lambda file: write_pdf(
        documents, file, pdf.date, pdf.variant, pdf.labels))
    cache.record_written(target, key, temporary)
    return Output(target, temporary, pages, single)


def _imposed(booklet: Output, sheet: str | None) -> Output:
    """The booklet imposed for saddle stitching, beside it: <booklet>-saddle.pdf."""
    source = booklet.temporary or booklet.path
    sheet = sheet or ("A3" if _page_width_mm(source) > 160 else "A4")
    target = booklet.path.with_name(f"{booklet.path.stem}-saddle.pdf")
    result = []
    temporary = temporary_beside(target, lambda file: result.append(impose(source, file, sheet)))
    imposition = result[0]
    note = (f"{imposition.sides // 2} {sheet} sheets printed on both sides, folded in the middle"
            + (f"; pages reduced to {imposition.scale:.0%}" if imposition.scale < 0.99 else "")
            + (f"; {imposition.blanks} blank pages added" if imposition.blanks else ""))
    return Output(target, temporary, imposition.sides, False, note=note)


def _page_width_mm(pdf: Path) -> float:
    from pypdf import PdfReader

    return float(PdfReader(pdf).pages[0].trimbox.width) * 25.4 / 72


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
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return findings


_worker_cache: LayoutCache | None = None
_worker_events = None


def _start_worker(events) -> None:
    """In a worker process: the cache of the one edition it lays out, build after build.
    The worker ends with its parent, even when the parent was killed."""
    global _worker_cache, _worker_events
    _worker_cache, _worker_events = LayoutCache(), events
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    parent = parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _worker_job(root: Path, edition: str, options: JobOptions) -> JobResult:
    return edition_job(root, edition, options, _worker_cache, _worker_events.put)


class Builder:
    """Builds one project again and again, each edition reusing what it laid out before.

    With several editions and enough fiches, each edition has a worker process
    of its own (one per core) that keeps its cache between builds; otherwise
    the editions are laid out in this process. `booklet build` uses a builder
    once; `--watch` and `serve` keep one, so a rebuild after an edit lays out
    only what changed."""

    def __init__(self, root: Path, accept_missing_glyphs: bool = False, progress=None,
                 publish_early: bool = False):
        self.root = root
        self.accept_missing_glyphs = accept_missing_glyphs
        self.progress = progress
        self.publish_early = publish_early
        self.caches: dict[str, LayoutCache] = {}
        self.pools: dict[str, ProcessPoolExecutor] = {}
        self.events = None

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for pool in self.pools.values():
            pool.shutdown(cancel_futures=True)
        self.pools, self.events = {}, None  # a new queue with the next workers

    def check(self, paper: str | None = None) -> Outcome:
        """Validate, preflight and lay out everything (on `paper`, else booklet.yaml's); write
        nothing."""
        project = load_project(self.root)
        findings = _checked(project, self.accept_missing_glyphs)
        jobs = self._run(project, project.config.editions,
                         JobOptions(self.accept_missing_glyphs, write=False,
                                    paper=paper or project.config.paper))
        return _outcome(findings, jobs)

    def build(self, edition: str | None = None, output: Path | None = None, paper: str | None = None,
              for_print: bool = False, impose: str | None = None, sheet: str | None = None
              ) -> Outcome:
        """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition.

        `paper` overrides booklet.yaml's; `for_print` makes print-shop PDFs instead;
        `impose="saddle"` also writes each booklet imposed on `sheet` sheets."""
        project = load_project(self.root)
        if for_print and impose:
            raise UsageError("--print makes the PDF for a print shop, which imposes it itself; "
                             "--impose makes sheets for an office printer: use one or the other")
        if edition and edition not in project.config.editions:
            raise UsageError(f"edition '{edition}' is not in booklet.yaml (editions: "
                             f"{', '.join(project.config.editions)})")
        if output and not edition and len(project.config.editions) > 1:
            raise UsageError("-o writes one PDF: choose its edition with --edition "
                             + " or --edition ".join(project.config.editions))
        editions = [edition] if edition else project.config.editions
        _remove_orphans(project.root / "dist")
        options = JobOptions(self.accept_missing_glyphs, True, output.resolve() if output else None,
                             source_date(), self.publish_early and not output,
                             paper or project.config.paper, for_print, impose == "saddle", sheet)
        findings = _checked(project, self.accept_missing_glyphs)
        jobs = self._run(project, editions, options)
        outputs = [o for job in jobs for o in job.outputs]
        try:
            outcome = _outcome(findings, jobs)
        except DataError:
            _discard(outputs)
            raise
        for file in outputs:
            if file.temporary:
                os.replace(file.temporary, file.path)
        if not output and not for_print:
            _remove_stale(project.root / "dist" / "fiches", outputs, editions)
            write_static_page(project, outcome.findings)
        return Outcome(outcome.findings, outputs, outcome.laid_out, outcome.reused)

    def _run(self, project: Project, editions: list[str], options: JobOptions) -> list[JobResult]:
        """One job per edition: in worker processes when it pays, else here."""
        if self.progress:
            self.progress.start(len(editions) * len(project.fiches))
        parallel = (len(editions) > 1 and len(project.fiches) >= PARALLEL_MIN_FICHES
                    and (os.cpu_count() or 1) > 1)
        if not parallel:
            notify = self.progress and (lambda _: self.progress.advance())
            return [edition_job(project.root, edition, options,
                                self.caches.setdefault(edition, LayoutCache()), notify)
                    for edition in editions]
        futures = [self._pool(edition).submit(_worker_job, project.root, edition, options)
                   for edition in editions]
        try:
            while not all(future.done() for future in futures):
                wait(futures, timeout=0.1)
                self._drain_events()
            failed = next((f.exception() for f in futures if f.exception() is not None), None)
            if failed is not None:  # the editions that did finish leave no temporary file
                _discard([o for f in futures if f.exception() is None for o in f.result().outputs])
                raise failed
            return [future.result() for future in futures]
        except BrokenProcessPool:
            self.close()
            raise BookletError("a worker process stopped unexpectedly (out of memory?); "
                               "nothing was written: run the command again") from None
        finally:
            self._drain_events()

    def _pool(self, edition: str) -> ProcessPoolExecutor:
        if edition not in self.pools:
            context = get_context("spawn")
            self.events = self.events or context.Queue()
            self.pools[edition] = ProcessPoolExecutor(1, mp_context=context,
                                                      initializer=_start_worker,
                                                      initargs=(self.events,))
        return self.pools[edition]

    def _drain_events(self) -> None:
        while self.events is not None:
            try:
                self.events.get_nowait()
            except queue.Empty:
                return
            if self.progress:
                self.progress.advance()


def _outcome(findings: list[Finding], jobs: list[JobResult]) -> Outcome:
    """All findings of a build; DataError when there are errors."""
    findings = [*findings, *(f for job in jobs for f in job.findings)]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return Outcome(sort_findings(findings), [], sum(job.laid_out for job in jobs),
                   sum(job.reused for job in jobs))


def check(root: Path, progress=None, accept_missing_glyphs: bool = False,
          paper: str | None = None) -> Outcome:
    """Validate, preflight and lay out everything; write nothing."""
    with Builder(root, accept_missing_glyphs, progress) as builder:
        return builder.check(paper)


def build(root: Path, edition: str | None = None, output: Path | None = None,
          progress=None, accept_missing_glyphs: bool = False, **print_options) -> Outcome:
    """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition."""
    with Builder(root, accept_missing_glyphs, progress) as builder:
        return builder.build(edition, output, **print_options)


def _remove_orphans(dist: Path) -> None:
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


def _discard(outputs: list[Output]) -> None:
    for file in outputs:
        if file.temporary:
            file.temporary.unlink(missing_ok=True)


def _remove_stale(folder: Path, written: list[Output], editions: list[str]) -> None:
    """Per-collectivité PDFs of fiches that no longer exist (renamed or removed)."""
    kept = {file.path.name for file in written}
    for path in folder.glob("*.pdf"):
        if path.name not in kept and path.stem.rsplit("-", 1)[-1] in editions:
            path.unlink()


def describe_written(outcome: Outcome) -> list[str]:
    """One line per booklet written; per-collectivité PDFs summed up."""
    lines = [f"{'wrote' if o.changed else 'unchanged:'} {display_path(o.path)} ({o.pages} "
             f"{'sheet sides' if o.note else 'pages'}{'; ' + o.note if o.note else ''})"
             for o in outcome.written if not o.single_fiche]
    singles = [o for o in outcome.written if o.single_fiche]
    if singles:
        changed = sum(o.changed for o in singles)
        unchanged = f" ({len(singles) - changed} unchanged)" if changed < len(singles) else ""
        lines.append(f"wrote {changed} per-collectivité PDFs in "
                     f"{display_path(singles[0].path.parent)}{unchanged}")
        lines.append(f"wrote {display_path(singles[0].path.parent.parent / 'index.html')} "
                     f"(a page with every download, to publish with dist/)")
    return lines

"""The build engine: check, plan every part, render what the cache lacks, assemble, write.

Used by `booklet build` and `check` once, and kept by `--watch` and `serve`
between builds. The pipeline:

1. load and check every fiche (nothing is laid out when one is wrong);
2. plan each edition's parts (`editions.plan_parts`): their HTML and keys;
3. take from the page cache every part rendered before, and render the others
   (`parts.render_part`), spread over all cores when there are enough;
4. turn what rendering found into findings; stop on errors (nothing written);
5. assemble each booklet from its parts' PDFs (`pdf_assembly`), copy each
   collectivité's part PDF to dist/fiches/, impose, write the download page.

Outputs whose content key did not change since they were written are left
alone; new ones are renamed into place only once everything succeeded.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context, parent_process
from pathlib import Path

from . import outputs
from .atomic import temporary_beside
from .editions import EditionParts, booklet_labels, edition_findings, plan_parts
from .errors import (
    BookletError,
    DataError,
    Finding,
    SourceLocation,
    UsageError,
    display_path,
    sort_findings,
)
from .layouts import FONTS_DIR, Layout, load_layout
from .outputs import Output, WrittenFiles
from .page_cache import CACHE_DIR, PageCache, PartRecord, digest, remove_folder, temporary_cache
from .parts import PartJob
from .pdf_assembly import assemble
from .preflight import preflight
from .project import Project, load_project
from .render import RenderSetup

POOL_MIN_PARTS = 6
"""Fewer parts to render than this are rendered here: starting worker processes costs more."""
MAX_FRONT_LAYOUTS = 4


@dataclass
class Outcome:
    """What a build or check found, and what it wrote."""

    findings: list[Finding]
    written: list[Output] = field(default_factory=list)
    laid_out: int = 0
    """Parts rendered by this build."""
    reused: int = 0
    """Parts taken from the page cache."""


def source_date() -> str | None:
    """The date of the PDFs from SOURCE_DATE_EPOCH (the reproducible-builds convention)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH is '{value}': set it to a number of seconds since "
                         f"1970-01-01 (for example {int(time.time())}), or unset it")
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Builder:
    """Builds one project again and again; every part rendered is kept in the page cache.

    `use_cache=False` (--no-cache) neither reads nor keeps the cache: the parts of
    one build live in a temporary folder. `workers` caps the worker processes
    (default: one per core)."""

    def __init__(self, root: Path, accept_missing_glyphs: bool = False, progress=None,
                 publish_early: bool = False, use_cache: bool = True, workers: int | None = None,
                 copyfit: bool = True):
        self.root = root
        self.accept_missing_glyphs = accept_missing_glyphs
        self.progress = progress
        self.publish_early = publish_early
        """Put the PDF of a just-edited fiche in place as soon as it is rendered without
        error (--watch and serve), before the booklets."""
        self.use_cache = use_cache
        self.copyfit = copyfit
        """False sets every fiche at full size (benchmarks/copyfit.py measures what fitting costs)."""
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.renderers: dict[tuple, object] = {}
        self.sources: dict[str, str] = {}
        self.last_changed: set[str] = set()

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def check(self, paper: str | None = None) -> Outcome:
        """Validate, preflight and lay out everything (on `paper`, else booklet.yaml's); write
        nothing in dist/."""
        project = load_project(self.root)
        findings = _checked(project, self.accept_missing_glyphs)
        setup = RenderSetup(project.root.resolve(), paper or project.config.paper)
        with _CacheScope(project.root, self.use_cache, read_only=True) as cache:
            laid_out = self._lay_out(project, setup, project.config.editions, cache)
        findings = sort_findings([*findings, *laid_out.findings(project, self)])
        if any(f.is_error for f in findings):
            raise DataError(findings)
        return Outcome(findings, [], laid_out.rendered, laid_out.reused)

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
        root = project.root
        outputs.remove_orphans(outputs.dist_dir(root))
        findings = _checked(project, self.accept_missing_glyphs)
        setup = RenderSetup(root.resolve(), paper or project.config.paper, for_print, source_date())
        singles = output is None and not for_print
        written = WrittenFiles(root)
        early: list[Output] = []
        with _CacheScope(project.root, self.use_cache) as cache:
            publish = (self._publisher(project, written, early)
                       if singles and self.publish_early else None)
            laid_out = self._lay_out(project, setup, editions, cache, publish)
            findings = sort_findings([*findings, *laid_out.findings(project, self)])
            if any(f.is_error for f in findings):
                outputs.discard(early)
                raise DataError(findings)
            files = list(early)
            try:
                for parts in laid_out.editions:
                    booklet = (output.resolve() if output
                               else outputs.booklet_path(root, parts.edition, for_print))
                    files.append(self._booklet(parts, laid_out, booklet, written))
                    if singles:
                        done = {file.path for file in files}
                        files += [self._single(page.id, parts.edition, laid_out.records[job.key],
                                               written)
                                  for page, job in parts.fiches
                                  if outputs.fiche_path(root, page.id, parts.edition) not in done]
                    if impose == "saddle":
                        files.append(_imposed(_find(files, booklet), sheet))
            except BaseException:
                outputs.discard(files)
                raise
        outputs.place(files)
        written.save()
        if singles:
            outputs.remove_stale(outputs.fiches_dir(root), files, editions)
            from .download_page import write_download_page

            write_download_page(project, findings)
        return Outcome(findings, files, laid_out.rendered, laid_out.reused)

    # The stages

    def _lay_out(self, project: Project, setup: RenderSetup, editions: list[str],
                 cache: PageCache, publish: Callable | None = None) -> _LaidOut:
        """Every part of `editions`, from the cache or rendered; the editions' parts in order."""
        layout = load_layout(project.root)
        setup_key = setup.key(layout)
        changed = self._changed_sources(project)
        result = _LaidOut(layout, setup, setup_key)
        fronts = dict.fromkeys(editions, 2)
        planned = {}
        for _ in range(MAX_FRONT_LAYOUTS):  # numbers in the contents can change its length
            planned = {edition: plan_parts(project, layout, setup, setup_key, edition,
                                           fronts[edition], self.copyfit)
                       for edition in editions}
            missing = self._look_up([job for parts in planned.values() for job in parts.jobs],
                                    cache, result)
            self._render([parts.front for parts in planned.values()], cache, result, setup,
                         setup_key, expected=missing)
            moved = {edition: result.records[parts.front.key].pages
                     for edition, parts in planned.items()
                     if result.records[parts.front.key].pages != fronts[edition]}
            if not moved:
                break
            fronts.update(moved)
        jobs = [job for parts in planned.values() for job in parts.jobs[1:]]
        jobs.sort(key=lambda job: job.name not in changed)  # just-edited fiches first
        self._render(jobs, cache, result, setup, setup_key, publish=publish)
        result.editions = [planned[edition] for edition in editions]
        if result.stylesheet_messages is None:
            result.stylesheet_messages = cache.get_messages(setup_key)
            if result.stylesheet_messages is None:
                result.stylesheet_messages = self._renderer(setup, setup_key).stylesheet_messages
        cache.put_messages(setup_key, result.stylesheet_messages)
        return result

    def _look_up(self, jobs: list[PartJob], cache: PageCache, result: _LaidOut) -> int:
        """Records for `jobs` from the cache, in `result`; returns how many are missing."""
        missing = set()
        for job in jobs:
            if job.key in result.records or job.key in missing:
                continue
            record = cache.get(job.key)
            if record is None:
                missing.add(job.key)
            else:
                result.records[job.key] = record
                result.reused += 1
        return len(missing)

    def _render(self, jobs: list[PartJob], cache: PageCache, result: _LaidOut, setup: RenderSetup,
                setup_key: str, expected: int = 0, publish: Callable | None = None) -> None:
        """Records for `jobs` in `result`: from the cache, else rendered (here, or in worker
        processes when there are at least POOL_MIN_PARTS to render, or `expected` says
        that many will come)."""
        self._look_up(jobs, cache, result)
        missing = list({job.key: job for job in jobs if job.key not in result.records}.values())
        if not missing:
            return
        if self.progress:
            self.progress.start(len(missing))

        def done(job: PartJob, record: PartRecord, messages: list[str] | None) -> None:
            result.records[job.key] = record
            result.rendered += 1
            if messages is not None and result.stylesheet_messages is None:
                result.stylesheet_messages = messages
            if self.progress:
                self.progress.advance()
            if publish and job.kind == "fiche":
                publish(job, record)

        use_pool = (self.pool is not None or max(len(missing), expected) >= POOL_MIN_PARTS) \
            and self.workers > 1
        if not use_pool:
            renderer = self._renderer(setup, setup_key)
            from .parts import render_part

            for job in missing:
                done(job, render_part(job, renderer, cache), renderer.stylesheet_messages)
            return
        pool = self._pool()
        futures: dict[Future, PartJob] = {
            pool.submit(_render_in_worker, job, setup, setup_key, cache.folder, cache.read_only): job
            for job in missing}
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    record, messages = future.result()
                    cache.used.add(record.key)
                    done(futures[future], record, messages)
        except BrokenProcessPool:
            self.close()
            raise BookletError("a worker process stopped unexpectedly (out of memory?); "
                               "nothing was written: run the command again") from None
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def _booklet(self, parts: EditionParts, laid_out: _LaidOut, target: Path,
                 written: WrittenFiles) -> Output:
        """The booklet of an edition, assembled from its parts' PDFs into a temporary file."""
        labels = booklet_labels(laid_out.layout, parts.edition)
        records = [laid_out.records[job.key] for job in parts.jobs]
        key = digest("\n".join([*(record.sha256 for record in records), repr(labels)]))
        pages = sum(record.pages for record in records)
        if written.unchanged(target, key):
            return Output(target, None, pages, False, changed=False)
        font_dirs = (*laid_out.layout.dirs, FONTS_DIR)
        temporary = temporary_beside(target, lambda file: assemble(records, file, labels,
                                                                   font_dirs))
        written.record(target, key, temporary)
        return Output(target, temporary, pages, False)

    def _single(self, fiche_id: str, edition: str, record: PartRecord,
                written: WrittenFiles) -> Output:
        """A collectivité's own PDF: its part's PDF, copied to a temporary file."""
        target = outputs.fiche_path(self.root.resolve(), fiche_id, edition)
        if written.unchanged(target, record.sha256):
            return Output(target, None, record.pages, True, changed=False)
        temporary = outputs.copy_to_temporary(record.pdf, target)
        written.record(target, record.sha256, temporary)
        return Output(target, temporary, record.pages, True)

    def _publisher(self, project: Project, written: WrittenFiles, early: list[Output]) -> Callable:
        """Puts the PDF of a just-edited fiche in place as soon as its part is rendered
        without error (its page's findings are checked first)."""
        from .render import classify

        def publish(job: PartJob, record: PartRecord) -> None:
            if job.name not in self.last_changed:
                return
            if record.fit is None or record.fit["step"] is None or any(
                    classify(message) != "other" for message in record.messages):
                return
            single = self._single(job.name, job.edition, record, written)
            outputs.place([single])
            early.append(Output(single.path, None, single.pages, True, single.changed))

        return publish

    # Process-level helpers

    def _changed_sources(self, project: Project) -> set[str]:
        """Fiches whose text changed since this builder's last build (all at first)."""
        sources = {entry.id: digest(entry.source.text) for entry in project.fiches}
        changed = {name for name, text in sources.items() if self.sources.get(name) != text}
        self.sources = sources
        self.last_changed = changed if len(changed) < len(sources) else set()
        return self.last_changed

    def _renderer(self, setup: RenderSetup, setup_key: str):
        key = (setup, setup_key)
        if key not in self.renderers:
            from .render import Renderer

            self.renderers = {key: Renderer(load_layout(setup.project_root), setup)}
        return self.renderers[key]

    def _pool(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                            initializer=_start_worker)
        return self.pool


class _CacheScope:
    """The project's page cache, pruned after use; with use_cache=False a temporary
    folder, removed after use; `read_only`: the project's cache, only read (or nothing)."""

    def __init__(self, root: Path, use_cache: bool, read_only: bool = False):
        self.root, self.use_cache, self.read_only = root, use_cache, read_only

    def __enter__(self) -> PageCache:
        if self.read_only:
            folder = self.root / CACHE_DIR if self.use_cache else self.root / CACHE_DIR / "none"
        else:
            folder = self.root / CACHE_DIR if self.use_cache else temporary_cache(self.root)
        self.cache = PageCache(folder, self.read_only)
        return self.cache

    def __exit__(self, kind, *exc) -> None:
        if self.read_only:
            return
        if not self.use_cache:
            remove_folder(self.cache.folder)
        elif kind is None:
            self.cache.prune()


@dataclass
class _LaidOut:
    """Every part of a build's editions, and how many were rendered or reused."""

    layout: Layout
    setup: RenderSetup
    setup_key: str
    records: dict[str, PartRecord] = field(default_factory=dict)
    editions: list[EditionParts] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    stylesheet_messages: list[str] | None = None

    def findings(self, project: Project, builder: Builder) -> list[Finding]:
        findings = _stylesheet_findings(self.layout, self.stylesheet_messages or [])
        for parts in self.editions:
            findings += edition_findings(project, parts, self.records,
                                         builder.accept_missing_glyphs, self.setup.paper)
        return findings


def _stylesheet_findings(layout: Layout, messages: list[str]) -> list[Finding]:
    """What WeasyPrint dropped from the layout's stylesheet, at its line and column."""
    import re

    from .render import classify

    findings = []
    for message in messages:
        position = re.search(r" at (\d+):(\d+)", message)
        line, column = (int(position[1]), int(position[2])) if position else (1, 1)
        location = SourceLocation(display_path(layout.stylesheet), line, column)
        findings.append(Finding(location, message,
                                "error" if classify(message) == "refused" else "warning"))
    return findings


def _checked(project: Project, accept_missing_glyphs: bool) -> list[Finding]:
    """Loading and preflight findings; DataError when there are errors (nothing laid out).

    Also reads the layout once here, so that its errors stop the build before any part."""
    load_layout(project.root)
    findings = [*project.findings, *preflight(project, accept_missing_glyphs)]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return findings


def _find(files: list[Output], path: Path) -> Output:
    return next(file for file in files if file.path == path)


def _imposed(booklet: Output, sheet: str | None) -> Output:
    """The booklet imposed for saddle stitching, beside it."""
    from .impose import impose, page_width_mm

    source = booklet.temporary or booklet.path
    sheet = sheet or ("A3" if page_width_mm(source) > 160 else "A4")
    target = outputs.saddle_path(booklet.path)
    result = []
    temporary = temporary_beside(target, lambda file: result.append(impose(source, file, sheet)))
    imposition = result[0]
    note = (f"{imposition.sides // 2} {sheet} sheets printed on both sides, folded in the middle"
            + (f"; pages reduced to {imposition.scale:.0%}" if imposition.scale < 0.99 else "")
            + (f"; {imposition.blanks} blank pages added" if imposition.blanks else ""))
    return Output(target, temporary, imposition.sides, False, note=note)


# Worker processes

_renderers: dict[tuple, object] = {}


def _start_worker() -> None:
    """In a worker process: end with the parent, even when the parent was killed."""
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    parent = parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _render_in_worker(job: PartJob, setup: RenderSetup, setup_key: str, cache_folder: Path,
                      read_only: bool) -> tuple[PartRecord, list[str]]:
    """Render one part in a worker process (each keeps one renderer per setup)."""
    from .parts import render_part
    from .render import Renderer

    key = (setup, setup_key)
    if key not in _renderers:
        _renderers.clear()
        _renderers[key] = Renderer(load_layout(setup.project_root), setup)
    renderer = _renderers[key]
    return (render_part(job, renderer, PageCache(cache_folder, read_only)),
            renderer.stylesheet_messages)

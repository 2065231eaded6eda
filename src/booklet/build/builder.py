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
import time
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from booklet.build import outputs, workers
from booklet.compose.order import order_fiches, order_inputs
from booklet.compose.editions import EditionParts, booklet_labels, edition_findings, plan_parts
from booklet.errors import (
    BookletError,
    DataError,
    Finding,
    SourceLocation,
    UsageError,
    display_path,
    sort_findings,
)
from booklet.build.outputs import Output, WrittenFiles
from booklet.build.page_cache import CACHE_DIR, PageCache, opened
from booklet.records import PartRecord
from booklet.keys import digest
from booklet.records import PartJob
from booklet.project.preflight import preflight
from booklet.pdf.print_finish import PrintFinish
from booklet.project.loading import FicheSource, Project, load_project
from booklet.records import RenderSetup
from booklet.errors import classify
from booklet.compose.templating import Layout, load_layout
from booklet.render.setup import setup_key as render_setup_key
from booklet.weasyprint_patches import registry

MAX_FRONT_LAYOUTS = 4
CONTENTS_ROWS_A_PAGE = 35
"""About how many fiches a page of the default layout's contents lists: the first guess at
the front matter's length, for which it and the fiches' pages are rendered at once (a wrong
guess costs the front matter and the fiches' pages rendered meanwhile)."""
ASSEMBLERS_LEAD = 8
"""A one-shot build that renders at most this many parts starts its assembling processes
(one for each booklet after the first, which the building process assembles itself) with
them, as they take a fifth of a second to start; one that renders more starts them with
its last parts, so that they are ready when the rendering processes end."""
HEAVY = 1.5
"""A part whose weight is this many times the median's goes to the workers before the
others (`dispatch_order`)."""
COPYING_THREADS = 8
"""Threads that copy the collectivités' own PDFs into dist/ (each copy waits on the disk)."""
WORKER_LOST = ("a worker process stopped unexpectedly (out of memory?); nothing was written: "
               "run the command again")


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
    (default: one per core this process may use; one renders here, without workers);
    a `pool` already started (`workers.start_pool`) is used instead, and closed with
    the builder. A `one_shot` builder (`booklet build`: one build, then the command ends)
    stops its rendering processes once every part is rendered, and assembles one booklet
    itself and the others in new processes that never load WeasyPrint: the memory of the
    rendering goes back before the assembly takes its own."""

    def __init__(self, root: Path, accept_missing_glyphs: bool = False, progress=None,
                 publish_early: bool = False, use_cache: bool = True, workers: int | None = None,
                 copyfit: bool = True, pool: ProcessPoolExecutor | None = None,
                 one_shot: bool = False):
        self.root = root
        self.accept_missing_glyphs = accept_missing_glyphs
        self.progress = progress
        self.publish_early = publish_early
        """Put the PDF of a just-edited fiche in place as soon as it is rendered without
        error (--watch and serve), before the booklets."""
        self.use_cache = use_cache
        self.copyfit = copyfit
        """False sets every fiche at full size (benchmarks/copyfit.py measures what fitting costs)."""
        self.workers = workers
        self.pool = pool
        self.one_shot = one_shot
        self.assemblers: ProcessPoolExecutor | None = None
        self.sources: dict[str, str] = {}
        self.last_changed: set[str] = set()
        self.last_plan: tuple[tuple, dict[str, EditionParts]] | None = None
        """What the last build planned from (setup key, booklet.yaml), and its parts."""
        self.in_flight: dict[str, Future] = {}
        self.last_setup: RenderSetup | None = None

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes: what is queued is dropped, each ends once its current
        part is done, and releases its renderer (and WeasyPrint's temporary font copies).
        A one-shot builder does not wait for forked ones to end (a tenth of a second): its
        command ends at once, every file written and in place (started ones are waited for:
        their semaphores must be given back, or Python warns at the end)."""
        for pool in (self.pool, self.assemblers):
            if pool is not None:
                pool.shutdown(wait=not (self.one_shot and getattr(pool, "forked", False)),
                              cancel_futures=True)
        self.pool = self.assemblers = None

    def check(self, paper: str | None = None, for_print: bool = False,
              marks: str | None = None) -> Outcome:
        """Validate, preflight and lay out everything (on `paper`, else booklet.yaml's); write
        nothing in dist/. `for_print`: also make each edition's print PDF (with `marks`) in a
        temporary folder and preflight it page by page (`print_preflight`)."""
        self._start_workers()
        project = load_project(self.root)
        finish = _print_finish(project, for_print, marks)
        findings = _checked(project, self.accept_missing_glyphs)
        setup = RenderSetup(project.root.resolve(), paper or project.config.paper, for_print,
                            source_date())
        with opened(project.root, self.use_cache, read_only=not for_print) as cache:
            laid_out = self._lay_out(project, setup, project.config.editions, cache)
            findings = sort_findings([*findings, *laid_out.findings(project, self)])
            if any(f.is_error for f in findings):
                raise DataError(findings)
            if finish is not None:
                findings = sort_findings([*findings, *self._print_findings(laid_out, finish)])
        return Outcome(findings, [], laid_out.rendered, laid_out.reused)

    def _print_findings(self, laid_out: _LaidOut, finish: PrintFinish) -> list[Finding]:
        """Each edition's print PDF, made in a temporary folder, preflighted page by page."""
        import tempfile

        from booklet.pdf.print_preflight import print_findings, print_problems

        findings = []
        with tempfile.TemporaryDirectory(prefix="booklet-print-") as folder:
            targets = [(parts, Path(folder) / outputs.booklet_name(parts.edition, True))
                       for parts in laid_out.editions]
            made = self._booklets(laid_out, targets, WrittenFiles(Path(folder)), finish)
            try:  # the editions side by side, in the worker processes when there are any
                calls = {index: (print_problems, booklet.temporary)
                         for index, booklet in enumerate(made)}
                if self.pool is None:
                    problems = {index: call[0](*call[1:]) for index, call in calls.items()}
                else:
                    futures = self._submit(calls)
                    problems = {futures[future]: found for future, found in self._results(futures)}
                for index, (parts, _) in enumerate(targets):
                    findings += print_findings(problems[index], parts, laid_out.records,
                                               laid_out.layout.stylesheet)
            finally:
                outputs.discard(made)
        return findings

    def build(self, edition: str | None = None, output: Path | None = None, paper: str | None = None,
              for_print: bool = False, impose: str | None = None, sheet: str | None = None,
              marks: str | None = None) -> Outcome:
        """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition.

        `paper` overrides booklet.yaml's; `for_print` makes print-shop PDFs instead (with
        `marks`, else booklet.yaml's); `impose="saddle"` also writes each booklet imposed on
        `sheet` sheets."""
        self._start_workers()
        project = load_project(self.root)
        if for_print and impose:
            raise UsageError("--print makes the PDF for a print shop, which imposes it itself; "
                             "--impose makes sheets for an office printer: use one or the other")
        finish = _print_finish(project, for_print, marks)
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
        files: list[Output] = []
        laid_out = None
        with opened(project.root, self.use_cache) as cache:
            publish = (self._publisher(written, files)
                       if singles and self.publish_early else None)
            try:
                laid_out = self._lay_out(project, setup, editions, cache, publish, own=singles,
                                         one_booklet=len(editions) == 1)
                findings = sort_findings([*findings, *laid_out.findings(project, self)])
                if any(f.is_error for f in findings):
                    raise DataError(findings)
                if singles:
                    self._own_pdfs(laid_out, cache)
                targets = [(parts, output.resolve() if output
                            else outputs.booklet_path(root, parts.edition, for_print))
                           for parts in laid_out.editions]
                early = {file.path for file in files}
                with ThreadPoolExecutor(COPYING_THREADS) as copying:  # while booklets assemble
                    copies = [copying.submit(self._single, page.id, parts.edition,
                                             laid_out.records[job.key], written)
                              for parts in laid_out.editions for page, job in parts.fiches
                              if singles
                              and outputs.fiche_path(root, page.id, parts.edition) not in early]
                    try:
                        booklets = self._booklets(laid_out, targets, written, finish)
                        files += booklets
                    finally:
                        wait(copies)
                        files += [copy.result() for copy in copies if copy.exception() is None]
                for copy in copies:
                    if copy.exception() is not None:
                        raise copy.exception()
                if impose == "saddle":
                    files += [outputs.imposed(booklet, sheet) for booklet in booklets]
            except BaseException:
                outputs.discard(files)
                if laid_out is not None and laid_out.early is not None:
                    laid_out.early.close()
                raise
        outputs.place(files)
        written.save()
        if singles:
            outputs.remove_stale(outputs.fiches_dir(root), files, editions)
            from booklet.web.download_page import write_download_page

            write_download_page(project, findings, laid_out.order)
        return Outcome(findings, files, laid_out.rendered, laid_out.reused)

    # The stages

    def _lay_out(self, project: Project, setup: RenderSetup, editions: list[str],
                 cache: PageCache, publish: Callable | None = None, own: bool = False,
                 one_booklet: bool = False) -> _LaidOut:
        """Every part of `editions`, from the cache or rendered (`own`: each fiche's part
        rendered here comes with its collectivité's own PDF); the editions' parts in order.
        `one_booklet`: the build then assembles the one edition's booklet, which a one-shot
        build with workers assembles while its parts come (`_EarlyAssembly`)."""
        layout = load_layout(project.root)
        setup_key = render_setup_key(setup, layout)
        self._warm(setup, setup_key, page=not self.one_shot)  # while this process plans
        changed = self._changed_sources(project)
        result = _LaidOut(layout, setup, setup_key, own)
        self._start_edited(project, changed, setup_key, cache, result, publish)
        result.order = self._order(project, cache)
        known = cache.read_note(f"front-pages-{setup_key}") or {}  # as the last build found
        guess = 1 + -(-len(result.order) // CONTENTS_ROWS_A_PAGE)  # the cover, the contents
        fronts = {edition: known.get(edition, guess) for edition in editions}
        learned = all(edition in known for edition in editions)
        planned: dict[str, EditionParts] = {}
        for _ in range(MAX_FRONT_LAYOUTS):  # numbers in the contents can change its length
            planned = {edition: plan_parts(project, layout, setup, setup_key, edition,
                                           fronts[edition], self.copyfit, result.order)
                       for edition in editions}
            if learned:  # every part at once, the front matter's length checked afterwards
                jobs = [job for parts in planned.values() for job in parts.jobs]
                if one_booklet and self.one_shot and self.pool is not None:
                    result.early = _EarlyAssembly([job.key for job in jobs], layout.font_dirs)
                self._render([job for job in jobs if job.name in changed], cache, result,
                             publish, then=[job for job in jobs if job.name not in changed],
                             complete=lambda job, plan=planned: plan[job.edition].complete(job),
                             booklets=len(editions))
                lengths = {edition: result.records[parts.front.key].pages
                           for edition, parts in planned.items()}
            else:  # the front matter's length first (`_front_lengths`): it sets every page number
                lengths = self._front_lengths(planned, fronts, result, cache)
            moved = {edition: pages for edition, pages in lengths.items()
                     if pages != fronts[edition]}
            if learned and not moved:
                break
            if result.early is not None:  # its parts were numbered for another front matter
                result.early.close()
                result.early = None
            fronts.update(moved)
            learned = True
        cache.write_note(f"front-pages-{setup_key}", {**known, **fronts})
        result.editions = [planned[edition] for edition in editions]
        self.last_plan = ((setup_key, project.config_source.text), planned)
        self.last_setup = setup
        self.in_flight.clear()  # pages of a plan that no longer holds: never published
        if result.stylesheet_messages is None:
            result.stylesheet_messages = cache.read_note(f"setup-{setup_key}")
            if result.stylesheet_messages is None:
                result.stylesheet_messages = workers.renderer(setup, setup_key).stylesheet_messages
        cache.write_note(f"setup-{setup_key}", result.stylesheet_messages)
        return result

    def _front_lengths(self, planned: dict[str, EditionParts], guessed: dict[str, int],
                       result: _LaidOut, cache: PageCache) -> dict[str, int]:
        """How many pages each edition's front matter takes. In worker processes, the front
        matter is rendered as planned, for the `guessed` length, and the fiches' pages, numbered
        for that length, go to the workers left free: `_render` takes them all over if the
        guess holds; the fiches' pages are dropped if not. Without workers, it is laid out only."""
        fronts = {edition: parts.complete(parts.front) for edition, parts in planned.items()}
        if self.pool is None:
            return {edition: workers.page_count(job, result.setup, result.setup_key)
                    for edition, job in fronts.items()}
        self._look_up(list(fronts.values()), cache, result)
        for job in fronts.values():
            if job.key not in result.records and job.key not in self.in_flight:
                (self.in_flight[job.key],) = self._submit({job.key: (
                    workers.render, job, result.setup, result.setup_key, cache.folder,
                    cache.read_only, result.own)})
        sent = self._speculate(planned, result, cache)
        waiting = {self.in_flight[job.key]: edition for edition, job in fronts.items()
                   if job.key not in result.records}
        lengths = {edition: result.records[job.key].pages for edition, job in fronts.items()
                   if job.key in result.records}
        lengths.update({waiting[future]: record.pages
                        for future, (record, _) in self._results(waiting)})
        if lengths != {edition: guessed[edition] for edition in planned}:
            for key in sent:
                self.in_flight.pop(key).cancel()
        return lengths

    def _speculate(self, planned: dict[str, EditionParts], result: _LaidOut,
                   cache: PageCache) -> list[str]:
        """Send the fiches' parts and the index of `planned` to the workers in `dispatch_order`,
        as `_render` would (the index, several pages long, among the first), and put them in
        flight for it (those the cache has go into `result`): the keys sent."""
        jobs = [job for parts in planned.values()
                for job in (*(job for _, job in parts.fiches), parts.index)]
        self._look_up(jobs, cache, result)
        jobs = {job.key: job for job in jobs
                if job.key not in self.in_flight and job.key not in result.records}
        sent = []
        for job in dispatch_order(list(jobs.values())):
            call = (workers.render, planned[job.edition].complete(job), result.setup,
                    result.setup_key, cache.folder, cache.read_only, result.own)
            (self.in_flight[job.key],) = self._submit({job.key: call})
            sent.append(job.key)
        return sent

    def _start_edited(self, project: Project, changed: set[str], setup_key: str,
                      cache: PageCache, result: _LaidOut, publish: Callable | None) -> None:
        """Send the pages of the just-edited fiches to the workers before anything is planned,
        when the last build's plan still holds for them (same setup, same fiches, an edit
        that moves no page): their own PDFs are then put in place within a moment of the
        save (`publish`), while this process plans the rest."""
        if (self.pool is None or self.last_plan is None
                or self.last_plan[0] != (setup_key, project.config_source.text)):
            return
        entries = {entry.id: entry for entry in project.fiches}
        planned = self.last_plan[1]
        if any({page.id for page, _ in parts.fiches} != set(entries) for parts in planned.values()):
            return
        jobs = [job for parts in planned.values() for name in sorted(changed)
                if (job := parts.edited(entries[name])) is not None]
        for job in jobs:
            if job.key in self.in_flight or cache.get(job.key) is not None:
                continue
            future = self.pool.submit(workers.render, job, result.setup, setup_key,
                                      cache.folder, cache.read_only, result.own)
            self.in_flight[job.key] = future
            if publish:  # unless this build took the page over (it then publishes it itself)
                future.add_done_callback(lambda done, job=job: (
                    self.in_flight.get(job.key) is done and done.exception() is None
                    and publish(job, done.result()[0])))

    def _order(self, project: Project, cache: PageCache) -> list[FicheSource]:
        """The fiches in booklet order, as `order_fiches` gives it; remembered in the cache, as
        loading the collation table costs a quarter of a second."""
        note = f"order-{digest(order_inputs(project))}"
        ids = cache.read_note(note)
        by_id = {entry.id: entry for entry in project.fiches}
        if ids is None or any(name not in by_id for name in ids):
            ids = [entry.id for entry in order_fiches(project)]
            cache.write_note(note, ids)
        return [by_id[name] for name in ids]

    def _look_up(self, jobs: list[PartJob], cache: PageCache, result: _LaidOut) -> None:
        """Records for `jobs` from the cache, in `result`; not for those in flight (their
        workers write them into the cache: they count as rendered)."""
        for job in jobs:
            if job.key not in result.records and job.key not in self.in_flight:
                record = cache.get(job.key)
                if record is not None:
                    result.records[job.key] = record
                    result.reused += 1

    def _render(self, jobs: list[PartJob], cache: PageCache, result: _LaidOut,
                publish: Callable | None = None, then: list[PartJob] = (),
                complete: Callable[[PartJob], PartJob] = lambda job: job,
                booklets: int = 0) -> None:
        """Records for `jobs`, then for `then`: from the cache, else rendered (`complete` gives
        a job its HTML) in worker processes when there are any, else here. The parts of `jobs`
        (the just-edited fiches) are on their way to the workers before `then` is looked up.
        Each record goes into `result` as soon as it is made. `booklets`: the build renders
        nothing after these, and then assembles that many booklets (a one-shot build
        prepares their assembly meanwhile)."""
        futures: dict[Future, PartJob] = {}
        missing: list[PartJob] = []
        for group in (jobs, then):
            self._look_up(group, cache, result)
            new = dispatch_order(list({job.key: job for job in group
                                       if job.key not in result.records}.values()))
            for job in new:  # each goes as soon as its HTML is made: the workers start at once
                if self.pool is not None and job.key in self.in_flight:
                    futures[self.in_flight.pop(job.key)] = job
                    missing.append(job)
                    continue
                job = complete(job)
                missing.append(job)
                if self.pool is not None:
                    futures.update(self._submit({job: (workers.render, job, result.setup,
                                                       result.setup_key, cache.folder,
                                                       cache.read_only, result.own)}))
        if not missing:
            return
        if self.progress:
            self.progress.start(len(missing))
        if booklets and self.pool is not None and self.one_shot:
            if len(missing) <= ASSEMBLERS_LEAD:
                self._start_assemblers(booklets - 1)
            workers.prepare_assembly()  # while the workers render: this process assembles too

        if result.early is not None:
            result.early.offer(result.records)

        def done(job: PartJob, record: PartRecord, messages: list[str]) -> None:
            result.records[job.key] = record
            if result.early is not None:
                result.early.offer(result.records)
            result.rendered += 1
            if result.stylesheet_messages is None:
                result.stylesheet_messages = messages
            if self.progress:
                self.progress.advance()
            if publish and job.kind == "fiche":
                publish(job, record)

        if self.pool is None:
            for job in missing:
                done(job, *workers.render(job, result.setup, result.setup_key, cache.folder,
                                          cache.read_only, result.own))
            return
        left = len(futures)
        for future, (record, messages) in self._results(futures):
            cache.used.add(record.key)
            done(futures[future], record, messages)
            left -= 1
            if booklets and left == len(os.sched_getaffinity(0)):  # the last parts are on their way
                self._start_assemblers(booklets - 1)

    def preview(self, entry: FicheSource, edition: str) -> tuple[PartRecord, PartJob] | None:
        """The page of `entry` (a fiche as edited, not saved) in `edition`, rendered with the
        last build's plan into the page cache (saving it then costs nothing); None when the
        edit changes what the plan depends on (names, partners: the page then needs a build)."""
        if self.last_plan is None or self.last_setup is None:
            return None
        parts = self.last_plan[1].get(edition)
        job = parts.edited(entry) if parts is not None else None
        if job is None:
            return None
        cache = PageCache(self.root / CACHE_DIR)  # no pruning: the last build's entries stay
        record = cache.get(job.key)
        if record is None or record.own_pdf is None:
            call = (workers.render, job, self.last_setup, self.last_plan[0][0], cache.folder,
                    False, True)
            record = (self.pool.submit(*call).result()[0] if self.pool is not None
                      else call[0](*call[1:])[0])
        return record, job

    def _own_pdfs(self, laid_out: _LaidOut, cache: PageCache) -> None:
        """Make the collectivités' own PDFs that the cache lacks (parts last rendered for a
        build that wrote no such PDF: `-o`, `--print`)."""
        calls = {job.key: (workers.own_pdf, laid_out.records[job.key], laid_out.layout.font_dirs,
                           cache.folder)
                 for parts in laid_out.editions for _, job in parts.fiches
                 if laid_out.records[job.key].own_pdf is None}
        if self.pool is None:
            results = [(None, call[0](*call[1:])) for call in calls.values()]
        else:
            results = self._results(self._submit(calls))
        for _, record in results:
            laid_out.records[record.key] = record

    def _start_assemblers(self, count: int = 1) -> None:
        """A one-shot build's assembling processes (`ASSEMBLERS_LEAD`): `count`, for the
        booklets beyond the one this process assembles."""
        if self.one_shot and self.assemblers is None and count > 0:
            self.assemblers = workers.start_assemblers(count)

    def _submit(self, calls: dict, pool: ProcessPoolExecutor | None = None
                ) -> dict[Future, object]:
        """Each call (function, arguments…) to the worker processes (or `pool`): {future:
        what it is for}."""
        try:
            return {(pool or self.pool).submit(*call): what for what, call in calls.items()}
        except BrokenProcessPool:
            self.close()
            raise BookletError(WORKER_LOST) from None

    def _results(self, futures: dict[Future, object]):
        """(future, result) as each finishes; a worker's error is raised here."""
        try:
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future, future.result()
        except BrokenProcessPool:
            self.close()
            raise BookletError(WORKER_LOST) from None
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def _booklets(self, laid_out: _LaidOut, targets: list[tuple[EditionParts, Path]],
                  written: WrittenFiles, for_print: PrintFinish | None = None) -> list[Output]:
        """Each edition's booklet, assembled from its parts' PDFs into a temporary file
        (in worker processes, side by side), unless the file in place is still right
        (`for_print`: finished for a print shop)."""
        font_dirs = laid_out.layout.font_dirs
        booklets, calls, made = [], {}, []
        try:
            for parts, target in targets:
                labels = booklet_labels(laid_out.layout, parts.edition)
                records = [laid_out.records[job.key] for job in parts.jobs]
                key = digest("\n".join([*(record.sha256 for record in records), repr(labels),
                                         repr(for_print)]))
                pages = sum(record.pages for record in records)
                if written.unchanged(target, key):
                    booklets.append(Output(target, None, pages, False, changed=False))
                    continue
                temporary = outputs.reserve_temporary(target)
                booklets.append(Output(target, temporary, pages, False))
                made.append((target, key, temporary))
                early = laid_out.early
                if early is not None and early.complete and early.keys == [
                        job.key for job in parts.jobs]:
                    early.assembly.write_file(temporary, labels, for_print)
                    continue
                calls[target] = (workers.assemble, records, temporary, labels, font_dirs, for_print)
            here = list(calls.values())  # assembled in this process, the others in `pool`
            pool = self.pool
            if self.one_shot and self.pool is not None and calls:
                self.pool.shutdown(wait=True)  # the rendering's memory goes back first
                self.pool = None
                self._start_assemblers(len(calls) - 1)
                pool = self.assemblers
            if pool is not None:
                here = here[:1] if self.one_shot else []
            futures = self._submit(dict(list(calls.items())[len(here):]), pool) if pool else {}
            try:
                for call in here:
                    call[0](*call[1:])
            finally:
                for _ in self._results(futures):
                    pass
            if futures and not self.one_shot:  # the assembling workers gave their renderer back:
                self._warm(laid_out.setup, laid_out.setup_key, page=True)  # ready for the next save
        except BaseException:
            outputs.discard(booklets)
            raise
        finally:
            if laid_out.early is not None:
                laid_out.early.close()
        for target, key, temporary in made:
            written.record(target, key, temporary)
        return booklets

    def _single(self, fiche_id: str, edition: str, record: PartRecord,
                written: WrittenFiles) -> Output:
        """A collectivité's own PDF, made with its part, copied to a temporary file."""
        target = outputs.fiche_path(self.root.resolve(), fiche_id, edition)
        if written.unchanged(target, record.own_sha256):
            return Output(target, None, record.pages, True, changed=False)
        temporary = outputs.copy_to_temporary(record.own_pdf, target)
        written.record(target, record.own_sha256, temporary)
        return Output(target, temporary, record.pages, True)

    def _publisher(self, written: WrittenFiles, early: list[Output]) -> Callable:
        """Puts the PDF of a just-edited fiche in place as soon as its part is rendered
        without error (once), and notes it in `early`."""
        published = set()

        def publish(job: PartJob, record: PartRecord) -> None:
            if job.name not in self.last_changed or record.key in published:
                return
            published.add(record.key)
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

    def _warm(self, setup: RenderSetup, setup_key: str, page: bool = False) -> None:
        """Have each worker make its renderer for `setup` now, if it has none, rather than
        when the next part comes (`page`: and lay out a first page with it, `workers.warm`)."""
        for _ in range(len(os.sched_getaffinity(0)) if self.pool else 0):
            self.pool.submit(workers.warm, setup, setup_key, page)

    def _start_workers(self) -> None:
        """Start the worker processes if they are not running yet: they import WeasyPrint
        while this process reads the project."""
        if self.pool is None:
            self.pool = workers.start_pool(self.workers)


@dataclass
class _LaidOut:
    """Every part of a build's editions, and how many were rendered or reused."""

    layout: Layout
    setup: RenderSetup
    setup_key: str
    own: bool = False
    """Fiches' parts rendered come with their collectivité's own PDF."""
    records: dict[str, PartRecord] = field(default_factory=dict)
    editions: list[EditionParts] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    stylesheet_messages: list[str] | None = None
    order: list[FicheSource] = field(default_factory=list)
    early: _EarlyAssembly | None = None
    """The booklet, assembled while its parts come (a one-shot build of one booklet)."""

    def findings(self, project: Project, builder: Builder) -> list[Finding]:
        findings = _stylesheet_findings(self.layout, self.stylesheet_messages or [])
        for parts in self.editions:
            findings += edition_findings(project, parts, self.records,
                                         builder.accept_missing_glyphs, self.setup.paper)
        return findings


class _EarlyAssembly:
    """A booklet assembled while its parts are rendered: each part is added as soon as it
    and every part before it in the booklet are (`offer`), so that little is left to do
    once the last one comes. The same bytes as an assembly of the finished parts."""

    def __init__(self, keys: list[str], font_dirs: tuple[Path, ...]):
        from booklet.pdf.assembly import Assembly

        self.keys = keys
        self.assembly = Assembly(font_dirs)

    @property
    def complete(self) -> bool:
        return self.assembly.added == len(self.keys)

    def offer(self, records: dict[str, PartRecord]) -> None:
        """Add the parts of `records` that come next in the booklet."""
        while not self.complete and self.keys[self.assembly.added] in records:
            self.assembly.add(records[self.keys[self.assembly.added]])

    def close(self) -> None:
        self.assembly.close()


def dispatch_order(jobs: list[PartJob]) -> list[PartJob]:
    """The order in which parts go to the workers: the heavy ones (`HEAVY` times the median
    weight: the index, long fiches that copyfitting sets again) first, the longest first,
    so that none is the last a worker is left with; the others as they come (in booklet
    order, which `_EarlyAssembly` follows)."""
    if not jobs:
        return jobs
    heavy = HEAVY * sorted(job.weight for job in jobs)[len(jobs) // 2]
    return (sorted((job for job in jobs if job.weight >= heavy), key=lambda job: -job.weight)
            + [job for job in jobs if job.weight < heavy])


def _stylesheet_findings(layout: Layout, messages: list[str]) -> list[Finding]:
    """What WeasyPrint dropped from the layout's stylesheet, at its line and column."""
    import re

    findings = []
    for message in messages:
        position = re.search(r" at (\d+):(\d+)", message)
        line, column = (int(position[1]), int(position[2])) if position else (1, 1)
        location = SourceLocation(display_path(layout.stylesheet), line, column)
        findings.append(Finding(location, message,
                                "error" if classify(message) == "refused" else "warning"))
    return findings


def _print_finish(project: Project, for_print: bool, marks: str | None) -> PrintFinish | None:
    """How the print PDFs are finished: `marks`, else booklet.yaml's, and its printing
    condition (None: not a print build, which takes no marks)."""
    if not for_print:
        if marks:
            raise UsageError("--marks are the print shop's: add --print")
        return None
    return PrintFinish(marks or project.config.print.marks, project.config.print.output_intent)


def _checked(project: Project, accept_missing_glyphs: bool) -> list[Finding]:
    """Loading and preflight findings; DataError when there are errors (nothing laid out).

    Also reads the layout once here, so that its errors stop the build before any part."""
    load_layout(project.root)
    findings = [*project.findings, *preflight(project, accept_missing_glyphs),
                *_lost_feature_findings(project)]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return findings


def _lost_feature_findings(project: Project) -> list[Finding]:
    """A warning for each typesetting feature of booklet's WeasyPrint patches that does not
    apply here: what the printed pages lose, and why."""
    where = SourceLocation(project.config_source.path)
    return [Finding(where, f"{patch.feature} will not be printed: {reason}. {patch.loses}; "
                           f"to print them, {remedy}", "warning")
            for patch, reason, remedy in registry.lost_features()]

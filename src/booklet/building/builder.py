"""The build engine: check, plan every part, render what the cache lacks, assemble, write.

Used by `booklet build` and `check` once, and kept by `--watch` and `serve`
between builds. The pipeline:

1. load and check every fiche (nothing is laid out when one is wrong);
2. plan each edition's parts (`compose.editions.plan_parts`): their HTML and keys;
3. take from the page cache every part rendered before, and render the others
   (`render.part.render_part`), spread over all cores when there are enough;
4. turn what rendering found into findings; stop on errors (nothing written);
5. assemble each booklet from its parts' PDFs (`pdf.assembly`), copy each
   collectivité's part PDF to dist/fiches/, impose, write the download page.

Outputs whose content key did not change since they were written are left
alone; new ones are renamed into place only once everything succeeded.
"""

from __future__ import annotations

from concurrent.futures import (
    Future,
    ProcessPoolExecutor,
)
from dataclasses import dataclass, field
from pathlib import Path

from booklet.building import outputs, workers
from booklet.building.checks import checked, chosen_editions, print_finish_for, source_date
from booklet.building.front_matter import FrontMatter
from booklet.building.outputs import Output, WrittenFiles
from booklet.building.page_cache import CACHE_DIR, PageCache, opened
from booklet.building.publishing import Publishing
from booklet.building.scheduling import Scheduling
from booklet.compose.editions import EditionParts
from booklet.errors import (
    DataError,
    Finding,
    sort_findings,
)
from booklet.project.loading import FicheSource, load_project
from booklet.records import PartJob, PartRecord, RenderSetup


@dataclass
class Outcome:
    """What a build or check found, and what it wrote."""

    findings: list[Finding]
    written: list[Output] = field(default_factory=list)
    laid_out: int = 0
    """Parts rendered by this build."""
    reused: int = 0
    """Parts taken from the page cache."""


class Builder(Scheduling, FrontMatter, Publishing):
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

    def check(self, paper: str | None = None, for_print: bool = False,
              marks: str | None = None) -> Outcome:
        """Validate, preflight and lay out everything (on `paper`, else booklet.yaml's); write
        nothing in dist/. `for_print`: also make each edition's print PDF (with `marks`) in a
        temporary folder and preflight it page by page (`print_preflight`)."""
        self._start_workers()
        project = load_project(self.root)
        finish = print_finish_for(project, for_print, marks)
        findings = checked(project, self.accept_missing_glyphs)
        setup = RenderSetup(project.root.resolve(), paper or project.config.paper, for_print,
                            source_date())
        with opened(project.root, self.use_cache, read_only=not for_print) as cache:
            laid_out = self._lay_out(project, setup, project.config.editions, cache)
            findings = sort_findings([*findings, *laid_out.findings(
                project, self.accept_missing_glyphs)])
            if any(f.is_error for f in findings):
                raise DataError(findings)
            if finish is not None:
                findings = sort_findings([*findings, *self._print_findings(laid_out, finish)])
        return Outcome(findings, [], laid_out.rendered, laid_out.reused)

    def build(self, edition: str | None = None, output: Path | None = None, paper: str | None = None,
              for_print: bool = False, impose: str | None = None, sheet: str | None = None,
              marks: str | None = None) -> Outcome:
        """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition.

        `paper` overrides booklet.yaml's; `for_print` makes print-shop PDFs instead (with
        `marks`, else booklet.yaml's); `impose="saddle"` also writes each booklet imposed on
        `sheet` sheets."""
        self._start_workers()
        project = load_project(self.root)
        editions = chosen_editions(project, edition, output, for_print, impose)
        finish = print_finish_for(project, for_print, marks)
        root = project.root
        outputs.remove_orphans(outputs.dist_dir(root))
        findings = checked(project, self.accept_missing_glyphs)
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
                findings = sort_findings([*findings, *laid_out.findings(
                    project, self.accept_missing_glyphs)])
                if any(f.is_error for f in findings):
                    raise DataError(findings)
                if singles:
                    self._own_pdfs(laid_out, cache)
                targets = [(parts, output.resolve() if output
                            else outputs.booklet_path(root, parts.edition, for_print))
                           for parts in laid_out.editions]
                booklets = self._write(laid_out, targets, written, finish, singles, files)
                if impose == "saddle":
                    files += [outputs.imposed(booklet, sheet) for booklet in booklets]
            except BaseException:
                outputs.discard(files)
                if laid_out is not None and laid_out.early is not None:
                    laid_out.early.close()
                raise
        outputs.place(files)
        written.save()
        outputs.save_inputs(root, {path for record in laid_out.records.values()
                                   for path, _ in record.inputs})
        if singles:
            outputs.remove_stale(outputs.fiches_dir(root), files, editions)
            from booklet.building.download_page import write_download_page

            write_download_page(project, findings, laid_out.order)
        return Outcome(findings, files, laid_out.rendered, laid_out.reused)

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



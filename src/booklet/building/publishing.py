"""What a build writes: booklets assembled, collectivités' own PDFs copied, early publishing.

Every file goes to a temporary file beside its target (`outputs`); files whose content
key did not change are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from booklet.building import outputs, workers
from booklet.building.laid_out import LaidOut
from booklet.building.outputs import Output, WrittenFiles
from booklet.building.page_cache import PageCache
from booklet.compose.editions import EditionParts, booklet_labels
from booklet.errors import Finding, classify
from booklet.keys import digest
from booklet.pdf.print_finish import PrintFinish
from booklet.records import PartJob, PartRecord

COPYING_THREADS = 8
"""Threads that copy the collectivités' own PDFs into dist/ (each copy waits on the disk)."""


class Publishing:
    """The `Builder`'s part that writes what a build made (see `Builder` for the state)."""

    def _print_findings(self, laid_out: LaidOut, finish: PrintFinish) -> list[Finding]:
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

    def _write(self, laid_out: LaidOut, targets: list[tuple[EditionParts, Path]],
               written: WrittenFiles, finish: PrintFinish | None, singles: bool,
               files: list[Output]) -> list[Output]:
        """The booklets, assembled into temporary files, while the collectivités' own PDFs
        (`singles`) not already published are copied beside their targets; all added to
        `files`. Returns the booklets."""
        root = self.root.resolve()
        early = {file.path for file in files}
        with ThreadPoolExecutor(COPYING_THREADS) as copying:  # while booklets assemble
            copies = [copying.submit(self._single, page.id, parts.edition,
                                     laid_out.records[job.key], written)
                      for parts in laid_out.editions for page, job in parts.fiches
                      if singles and outputs.fiche_path(root, page.id, parts.edition) not in early]
            try:
                booklets = self._booklets(laid_out, targets, written, finish)
                files += booklets
            finally:
                wait(copies)
                files += [copy.result() for copy in copies if copy.exception() is None]
        for copy in copies:
            if copy.exception() is not None:
                raise copy.exception()
        return booklets

    def _own_pdfs(self, laid_out: LaidOut, cache: PageCache) -> None:
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

    def _booklets(self, laid_out: LaidOut, targets: list[tuple[EditionParts, Path]],
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

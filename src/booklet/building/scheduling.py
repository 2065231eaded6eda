"""The worker processes of a build: parts sent in a good order, results as they come.

A part goes to the rendering processes (`workers`) as soon as its HTML is made; the
just-edited fiches first, then the heavy parts, then the rest in booklet order. One-shot
builds start assembling processes near the end of the rendering.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from booklet.building import workers
from booklet.building.page_cache import PageCache
from booklet.errors import BookletError
from booklet.project.loading import Project
from booklet.records import PartJob, PartRecord, RenderSetup

if TYPE_CHECKING:
    from booklet.building.laid_out import LaidOut

ASSEMBLERS_LEAD = 8
"""A one-shot build that renders at most this many parts starts its assembling processes
(one for each booklet after the first, which the building process assembles itself) with
them, as they take a fifth of a second to start; one that renders more starts them with
its last parts, so that they are ready when the rendering processes end."""


HEAVY = 1.5
"""A part whose weight is this many times the median's goes to the workers before the
others (`dispatch_order`)."""


WORKER_LOST = ("a worker process stopped unexpectedly (out of memory?); nothing was written: "
               "run the command again")


class Scheduling:
    """The `Builder`'s part that runs its worker processes (see `Builder` for the state)."""

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

    def _start_workers(self) -> None:
        """Start the worker processes if they are not running yet: they import WeasyPrint
        while this process reads the project."""
        if self.pool is None:
            self.pool = workers.start_pool(self.workers)

    def _start_assemblers(self, count: int = 1) -> None:
        """A one-shot build's assembling processes (`ASSEMBLERS_LEAD`): `count`, for the
        booklets beyond the one this process assembles."""
        if self.one_shot and self.assemblers is None and count > 0:
            self.assemblers = workers.start_assemblers(count)

    def _warm(self, setup: RenderSetup, setup_key: str, page: bool = False) -> None:
        """Have each worker make its renderer for `setup` now, if it has none, rather than
        when the next part comes (`page`: and lay out a first page with it, `workers.warm`)."""
        for _ in range(len(os.sched_getaffinity(0)) if self.pool else 0):
            self.pool.submit(workers.warm, setup, setup_key, page)

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

    def _look_up(self, jobs: list[PartJob], cache: PageCache, result: LaidOut) -> None:
        """Records for `jobs` from the cache, in `result`; not for those in flight (their
        workers write them into the cache: they count as rendered)."""
        for job in jobs:
            if job.key not in result.records and job.key not in self.in_flight:
                record = cache.get(job.key)
                if record is not None:
                    result.records[job.key] = record
                    result.reused += 1

    def _start_edited(self, project: Project, changed: set[str], setup_key: str,
                      cache: PageCache, result: LaidOut, publish: Callable | None) -> None:
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

    def _send(self, groups: tuple[list[PartJob], ...], cache: PageCache, result: LaidOut,
              complete: Callable[[PartJob], PartJob]) -> tuple[dict[Future, PartJob], list[PartJob]]:
        """The parts of `groups`, in turn, that `result` has no record for after a look in the
        cache: each sent to the workers (if any) as soon as its HTML is made, or taken over
        from those in flight. Returns {future: job} and the jobs to be rendered."""
        futures: dict[Future, PartJob] = {}
        missing: list[PartJob] = []
        for group in groups:
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
        return futures, missing

    def _render(self, jobs: list[PartJob], cache: PageCache, result: LaidOut,
                publish: Callable | None = None, then: list[PartJob] = (),
                complete: Callable[[PartJob], PartJob] = lambda job: job,
                booklets: int = 0) -> None:
        """Records for `jobs`, then for `then`: from the cache, else rendered (`complete` gives
        a job its HTML) in worker processes when there are any, else here. The parts of `jobs`
        (the just-edited fiches) are on their way to the workers before `then` is looked up.
        Each record goes into `result` as soon as it is made. `booklets`: the build renders
        nothing after these, and then assembles that many booklets (a one-shot build
        prepares their assembly meanwhile)."""
        futures, missing = self._send((jobs, then), cache, result, complete)
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


def dispatch_order(jobs: list[PartJob]) -> list[PartJob]:
    """The order in which parts go to the workers: the heavy ones (`HEAVY` times the median
    weight: the index, long fiches that copyfitting sets again) first, the longest first,
    so that none is the last a worker is left with; the others as they come (in booklet
    order, which `EarlyAssembly` follows)."""
    if not jobs:
        return jobs
    heavy = HEAVY * sorted(job.weight for job in jobs)[len(jobs) // 2]
    return (sorted((job for job in jobs if job.weight >= heavy), key=lambda job: -job.weight)
            + [job for job in jobs if job.weight < heavy])

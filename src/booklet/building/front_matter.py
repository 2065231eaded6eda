"""A build's layout: every part planned and rendered, with the front matter's length right.

The contents' length sets every page number, so the parts are planned for the length the
last build found (or a guess) and planned again, up to `MAX_FRONT_LAYOUTS` times, when the
front matter comes out longer or shorter.
"""

from __future__ import annotations

from collections.abc import Callable

from booklet.building import workers
from booklet.building.laid_out import EarlyAssembly, LaidOut
from booklet.building.page_cache import PageCache
from booklet.building.scheduling import dispatch_order
from booklet.compose.editions import EditionParts, plan_parts
from booklet.compose.order import order_fiches, order_inputs
from booklet.compose.templating import load_layout
from booklet.keys import digest
from booklet.project.loading import FicheSource, Project
from booklet.records import RenderSetup
from booklet.render.setup import setup_key as render_setup_key

MAX_FRONT_LAYOUTS = 4


CONTENTS_ROWS_A_PAGE = 35
"""About how many fiches a page of the default layout's contents lists: the first guess at
the front matter's length, for which it and the fiches' pages are rendered at once (a wrong
guess costs the front matter and the fiches' pages rendered meanwhile)."""


class FrontMatter:
    """The `Builder`'s part that lays out a build (see `Builder` for the state)."""

    def _lay_out(self, project: Project, setup: RenderSetup, editions: list[str],
                 cache: PageCache, publish: Callable | None = None, own: bool = False,
                 one_booklet: bool = False) -> LaidOut:
        """Every part of `editions`, from the cache or rendered (`own`: each fiche's part
        rendered here comes with its collectivité's own PDF); the editions' parts in order.
        `one_booklet`: the build then assembles the one edition's booklet, which a one-shot
        build with workers assembles while its parts come (`EarlyAssembly`)."""
        layout = load_layout(project.root)
        setup_key = render_setup_key(setup, layout)
        self._warm(setup, setup_key, page=not self.one_shot)  # while this process plans
        changed = self._changed_sources(project)
        result = LaidOut(layout, setup, setup_key, own)
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
                    result.early = EarlyAssembly([job.key for job in jobs], layout.font_dirs)
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
                       result: LaidOut, cache: PageCache) -> dict[str, int]:
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

    def _speculate(self, planned: dict[str, EditionParts], result: LaidOut,
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

    def _changed_sources(self, project: Project) -> set[str]:
        """Fiches whose text changed since this builder's last build (all at first)."""
        sources = {entry.id: digest(entry.source.text) for entry in project.fiches}
        changed = {name for name, text in sources.items() if self.sources.get(name) != text}
        self.sources = sources
        self.last_changed = changed if len(changed) < len(sources) else set()
        return self.last_changed

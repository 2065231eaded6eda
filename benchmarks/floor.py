"""The floor of booklet's own pages: one layout and one paint of each page, divided by the cores.

For a project built once (its page cache knows the copyfit step of every
fiche), lays out each part of each edition exactly once, at the step it was
set at, then paints all the pages of the edition into one tagged PDF (fonts
subset once), with one renderer (fonts and stylesheets loaded once, not
counted). What is left out is what a perfect build would not do: imports,
copyfit's extra layouts, a PDF per page (fonts subset for each), finishing
each part's PDF, assembling the booklets, the per-collectivité PDFs. The sum,
divided by the cores, is what no WeasyPrint-based build of these pages can beat.

    python benchmarks/floor.py PROJECT     # prints the seconds for French alone and for both,
                                           # and the bytes per page of WeasyPrint's own PDF
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from booklet import workers
from booklet.editions import plan_parts
from booklet.layouts import load_layout
from booklet.page_cache import CACHE_DIR, PageCache
from booklet.parts import at_step, with_borrowed_anchors
from booklet.project import load_project
from booklet.render_setup import RenderSetup


def seconds_per_edition(root: Path) -> dict[str, float]:
    project = load_project(root)
    layout = load_layout(root)
    setup = RenderSetup(root.resolve(), project.config.paper)
    key = setup.key(layout)
    cache = PageCache(root / CACHE_DIR, read_only=True)
    renderer = workers.renderer(setup, key)
    spent, sizes = {}, {}
    for edition in project.config.editions:
        front_pages = 2
        for _ in range(4):
            parts = plan_parts(project, layout, setup, key, edition, front_pages)
            record = cache.get(parts.front.key)
            if record is None:
                raise SystemExit(f"build {root} first: its page cache has no front matter")
            if record.pages == front_pages:
                break
            front_pages = record.pages
        spent[edition], documents = 0.0, []
        for job in parts.jobs:
            html, _ = with_borrowed_anchors(parts.complete(job).html)
            if job.kind == "fiche":
                step = cache.get(job.key).fit["step"]
                html = at_step(html, job.steps[step])
            start = time.perf_counter()
            documents.append(renderer.render(html).document)
            spent[edition] += time.perf_counter() - start
        start = time.perf_counter()
        pages = [page for document in documents for page in document.pages]
        pdf = documents[0].copy(pages).write_pdf(pdf_variant=setup.variant)
        spent[edition] += time.perf_counter() - start
        sizes[edition] = len(pdf) / len(pages)
    return spent, sizes


if __name__ == "__main__":
    spent, sizes = seconds_per_edition(Path(sys.argv[1]))
    cores = len(os.sched_getaffinity(0))
    print(f"floor seconds: fr {spent['fr'] / cores:.2f} both {sum(spent.values()) / cores:.2f} "
          f"(one layout and one paint of each page: fr {spent['fr']:.2f} s, "
          f"both {sum(spent.values()):.2f} s, over {cores} cores)")
    print(f"WeasyPrint's own PDF of these pages, bytes per page: fr {sizes['fr']:.0f}")

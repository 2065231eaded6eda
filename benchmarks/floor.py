"""The floor of booklet's own pages: one layout and one paint of each page, divided by the cores.

For a project built once (its page cache knows the copyfit step of every
fiche), lays out each part of each edition exactly once, at the step it was
set at, then paints all the pages of the edition into one tagged PDF (fonts
subset once), with one renderer (fonts and stylesheets loaded once, not
counted). What is left out is what a perfect build would not do: imports,
copyfit's extra layouts, a PDF per page (fonts subset for each), finishing
each part's PDF, assembling the booklets, the per-collectivité PDFs. The sum,
divided by the cores, is what no WeasyPrint-based build of these pages can beat.

It also measures what a build from the command line cannot avoid on top of
that floor, whatever its design:

- start-up: a new process importing WeasyPrint and booklet's rendering and
  making its renderer (fonts and stylesheets), before its first page;
- copyfitting's proof: a fiche set below full size was also laid out one step
  larger, where it did not fit (one layout, with a perfect guess of the step);
- the per-collectivité PDFs (both editions): each page's faces subset with
  HarfBuzz, the least a PDF that stands on its own needs.

    python benchmarks/floor.py PROJECT     # prints the seconds for French alone and for both,
                                           # what cannot be avoided on top of them,
                                           # and the bytes per page of WeasyPrint's own PDF
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from booklet.building import workers
from booklet.building.page_cache import CACHE_DIR, PageCache
from booklet.compose.copyfit import at_step
from booklet.compose.editions import plan_parts
from booklet.compose.templating import load_layout
from booklet.pdf.font_merge import cid_subset, font_files
from booklet.project.loading import load_project
from booklet.records import RenderSetup
from booklet.render.part import with_borrowed_anchors
from booklet.render.setup import setup_key


def seconds_per_edition(root: Path) -> dict[str, float]:
    project = load_project(root)
    layout = load_layout(root)
    setup = RenderSetup(root.resolve(), project.config.paper)
    key = setup_key(setup, layout)
    cache = PageCache(root / CACHE_DIR, read_only=True)
    renderer = workers.renderer(setup, key)
    spent, sizes, proofs, singles = {}, {}, {}, 0.0
    files = font_files(layout.font_dirs)
    fronts = cache.read_note(f"front-pages-{key}") or {}  # as the build found them
    for edition in project.config.editions:
        if edition not in fronts:
            raise SystemExit(f"build {root} first: its page cache has no front matter")
        parts = plan_parts(project, layout, setup, key, edition, fronts[edition])
        spent[edition], proofs[edition], documents = 0.0, 0.0, []
        for job in parts.jobs:
            html, _ = with_borrowed_anchors(parts.complete(job).html)
            if job.kind == "fiche":
                record = cache.get(job.key)
                step = record.fit["step"]
                if step:
                    start = time.perf_counter()
                    renderer.render(at_step(html, job.steps[step - 1]))
                    proofs[edition] += time.perf_counter() - start
                start = time.perf_counter()
                for facts in record.font_facts().values():
                    if "source" in facts:
                        cid_subset(files[facts["source"]], sorted(
                            {0, *facts["widths"], *facts.get("text", {})}))
                singles += time.perf_counter() - start
                html = at_step(html, job.steps[step])
            start = time.perf_counter()
            documents.append(renderer.render(html).document)
            spent[edition] += time.perf_counter() - start
        start = time.perf_counter()
        pages = [page for document in documents for page in document.pages]
        pdf = documents[0].copy(pages).write_pdf(pdf_variant=setup.variant)
        spent[edition] += time.perf_counter() - start
        sizes[edition] = len(pdf) / len(pages)
    return spent, sizes, proofs, singles


def start_up(root: Path) -> float:
    """Seconds for a new process to import what renders pages and make its renderer."""
    code = ("import sys, time; start = time.perf_counter(); from pathlib import Path; "
            "from booklet.building import workers; from booklet.compose.templating import load_layout; "
            "from booklet.project.loading import load_project; "
            "from booklet.records import RenderSetup; from booklet.render.setup import setup_key; "
            "root = Path(sys.argv[1]); "
            "setup = RenderSetup(root.resolve(), load_project(root).config.paper); "
            "workers.renderer(setup, setup_key(setup, load_layout(root))); "
            "print(time.perf_counter() - start)")
    return min(float(subprocess.run([sys.executable, "-c", code, str(root)], check=True,
                                    capture_output=True, text=True).stdout) for _ in range(3))


if __name__ == "__main__":
    root = Path(sys.argv[1])
    spent, sizes, proofs, singles = seconds_per_edition(root)
    cores = len(os.sched_getaffinity(0))
    both = sum(spent.values())
    print(f"floor seconds: fr {spent['fr'] / cores:.2f} both {both / cores:.2f} "
          f"(one layout and one paint of each page: fr {spent['fr']:.2f} s, "
          f"both {both:.2f} s, over {cores} cores)")
    ready = start_up(root)
    print(f"unavoidable seconds: fr {ready + proofs['fr'] / cores:.2f} "
          f"both {ready + (sum(proofs.values()) + singles) / cores:.2f} "
          f"(start-up {ready:.2f} s; copyfitting's proof layouts: fr {proofs['fr']:.2f} s, "
          f"both {sum(proofs.values()):.2f} s; per-collectivité PDFs' subsets {singles:.2f} s; "
          f"layouts and subsets over {cores} cores)")
    print(f"WeasyPrint's own PDF of these pages, bytes per page: fr {sizes['fr']:.0f}")

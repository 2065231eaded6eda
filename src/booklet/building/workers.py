"""What worker processes run: rendering parts and assembling booklets.

Worker processes are started with the build (`builder.Builder`) and import
WeasyPrint while the build reads the project; this module itself imports
nothing heavy, so that a new worker starts at once. Each process keeps one
`Renderer` (fonts and parsed stylesheets) per setup. The same functions run in
the building process itself when there is a single core.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context, parent_process
from multiprocessing.util import Finalize
from pathlib import Path

_renderers: dict[tuple, object] = {}
atexit.register(_renderers.clear)  # WeasyPrint's fonts go before Python's own tear-down


def start_pool(count: int | None = None, fork: bool = False) -> ProcessPoolExecutor | None:
    """`count` worker processes (default: one per core this process may use), already
    importing WeasyPrint; None with a single one (the build then renders in its own process).

    `fork` (for the command line, before it starts any thread) forks this process instead
    of starting new interpreters: a tenth of a second sooner. A process that runs other
    threads is never forked (a lock held by one of them would stay held in the workers)."""
    count = count or len(os.sched_getaffinity(0))
    if count < 2:
        return None
    method = "fork" if fork and threading.active_count() == 1 else "spawn"
    pool = ProcessPoolExecutor(count, mp_context=get_context(method), initializer=start)
    pool.forked = method == "fork"  # a forked worker ends by itself once the build is gone
    return _started(pool, prepare, count)


def start_assemblers(count: int = 2) -> ProcessPoolExecutor:
    """`count` new processes (not forks: they hold nothing of this one) that import only
    what assembling booklets needs (pikepdf, HarfBuzz), never WeasyPrint. Like the
    rendering processes (`start`), they end with the build, even when it is killed."""
    pool = ProcessPoolExecutor(count, mp_context=get_context("spawn"), initializer=start)
    return _started(pool, prepare_assembly, count)


def _started(pool: ProcessPoolExecutor, prepare, count: int) -> ProcessPoolExecutor:
    """`pool` with its `count` processes started, each running `prepare`. Interrupted while
    they start (Ctrl-C, or SIGTERM in `build --watch` and `serve`), the pool is shut down
    before the interruption goes on: no caller holds it yet to do so, and a pool never shut
    down leaves its processes running and its semaphores behind (Python warns of them)."""
    try:
        for _ in range(count):
            pool.submit(prepare)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool


def prepare_assembly() -> None:
    from booklet.pdf import assembly  # noqa: F401


def start() -> None:
    """In a new worker process: end with the parent, even when the parent is killed, and
    release the renderers whenever it ends. Ctrl-C is the parent's to handle (it stops the
    workers): a worker ignores it, instead of printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Finalize(None, release, exitpriority=10)
    threading.Thread(target=_exit_with_parent, daemon=True).start()


def _exit_with_parent() -> None:
    parent = parent_process()
    if parent is not None:
        parent.join()
        release()
        os._exit(1)


def release() -> None:
    """Drop this process's renderers: WeasyPrint then removes the copies of the fonts it
    keeps in a temporary folder (tens of megabytes per renderer)."""
    if _renderers:
        _renderers.clear()
        gc.collect()


def prepare() -> None:
    """Import what rendering and assembly need (WeasyPrint: half a second), and leave what
    they made out of garbage collection, which then has less to look through."""
    import gc

    from booklet.pdf import assembly  # noqa: F401
    from booklet.render import part, part_finish, renderer  # noqa: F401

    gc.freeze()


WARM_UP_PAGE = (
    '<html lang="fr"><body><article class="fiche"><header class="fiche-header">'
    '<h1 class="fiche-name">Aa 日本</h1></header><aside class="facts"><dl><dt>Aa</dt>'
    '<dd>Bb 日本</dd></dl></aside><div class="sections"><section class="section">'
    '<h2>1. Aa 日本</h2><div class="section-text" lang="fr"><p>Aa <strong>Bb</strong></p>'
    '</div><div class="section-text" lang="ja"><p>日本語の文章、「括弧」。</p></div>'
    '</section></div></article></body></html>')
"""A small page in the default layout's fonts and classes, French and Japanese."""


def warm(setup, setup_key: str, page: bool = False) -> None:
    """Make this process's renderer for `setup` now, before the first part comes; with
    `page`, also lay out and write a small page with a new renderer: the first page a
    renderer makes loads its fonts, and takes twice as long as the next ones."""
    new = (setup, setup_key) not in _renderers
    made = renderer(setup, setup_key)
    if page and new:
        made.write_pdf(made.render(WARM_UP_PAGE).document)


def renderer(setup, setup_key: str):
    """This process's renderer for `setup` (made once)."""
    from booklet.compose.templating import load_layout
    from booklet.render.renderer import Renderer

    key = (setup, setup_key)
    if key not in _renderers:
        _renderers.clear()
        _renderers[key] = Renderer(load_layout(setup.project_root), setup)
    return _renderers[key]


def render(job, setup, setup_key: str, cache_folder: Path, read_only: bool, own: bool) -> tuple:
    """Render one part into the page cache (`own`: a fiche's with its collectivité's own PDF):
    its record, and what WeasyPrint said of the layout's stylesheets."""
    from booklet.building.page_cache import PageCache
    from booklet.render.part import render_part

    made = renderer(setup, setup_key)
    record, finished = render_part(job, made, not read_only, own)
    return (PageCache(cache_folder, read_only).put(record, finished),
            made.stylesheet_messages)


def page_count(job, setup, setup_key: str) -> int:
    """How many pages a part takes, laid out only (`part.page_count`)."""
    from booklet.render.part import page_count as count

    return count(job, renderer(setup, setup_key))


def own_pdf(record, font_dirs: tuple[Path, ...], cache_folder: Path):
    """Make the collectivité's own PDF of a fiche's part in the cache; its record then."""
    from booklet.building.page_cache import PageCache
    from booklet.render.part_finish import own_copy

    content = own_copy(record.pdf.read_bytes(), record.font_facts(), font_dirs)
    return PageCache(cache_folder).put_own(record, content)


def assemble(records: list, path: Path, labels: list, font_dirs: tuple[Path, ...],
             for_print=None) -> int:
    """Assemble one booklet into `path` (`assembly.assemble_file`). Every part is rendered
    by then: a rendering process's renderer gives its memory back to the system first."""
    from booklet.pdf.assembly import assemble_file

    if _renderers:
        release()
        _return_free_memory()
    return assemble_file(records, path, labels, font_dirs, for_print)


def _return_free_memory() -> None:
    """Hand the memory freed by this process back to the system (glibc keeps it otherwise)."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass

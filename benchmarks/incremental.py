"""Benchmark the rebuild after editing one fiche, against a cold build of the same booklet.

For each N (default 50, 200, 500 fiches, half French, half Japanese): a cold
`booklet build` (both editions and the per-collectivité PDFs), then
`booklet build --watch`; once it watches, one French fiche is edited three
times, and each time we measure how long after the save its new PDF is on disk
(`dist/fiches/<id>-fr.pdf` replaced) and how long until both booklets are.
Writes a Markdown table to stdout (medians of the three edits).

    cd benchmarks && ../.venv/bin/python incremental.py [N ...]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from generate import generate
from run import machine, measure, run_sizes

BOOKLET = [sys.executable, "-m", "booklet"]
EDITS = 3


def _identity(path: Path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _until_changed(paths: list[Path], before: dict, start: float, timeout: float = 600) -> float:
    """Seconds from `start` until every one of `paths` is a new file."""
    while time.perf_counter() - start < timeout:
        if all(_identity(path) != before[path] for path in paths):
            return time.perf_counter() - start
        time.sleep(0.002)
    raise SystemExit(f"no new {', '.join(p.name for p in paths)} after {timeout} s")


def run(count: int, folder: Path) -> dict:
    project = generate(count, folder / f"n{count}")
    cold, _, _ = measure([*BOOKLET, "build", str(project), "-q"])
    watcher = subprocess.Popen([*BOOKLET, "build", str(project), "--watch"],
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    ready = threading.Event()

    def read():
        for line in watcher.stderr:
            if "Watching" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout=900):
        raise SystemExit("booklet build --watch did not start")
    time.sleep(1)
    fiche = sorted((project / "fiches").glob("fr-*.yaml"))[1]
    dist = project / "dist"
    single = dist / "fiches" / f"{fiche.stem}-fr.pdf"
    booklets = [dist / "booklet-fr.pdf", dist / "booklet-ja.pdf"]
    singles, fulls = [], []
    try:
        for number in range(EDITS):
            before = {path: _identity(path) for path in [single, *booklets]}
            text = fiche.read_text(encoding="utf-8")
            start = time.perf_counter()
            fiche.write_text(text.replace("sections:\n", f"# edit {number}\nsections:\n", 1)
                             .replace("commune", f"commune ({number})", 1), encoding="utf-8")
            singles.append(_until_changed([single], before, start))
            fulls.append(_until_changed(booklets, before, start))
            time.sleep(2)  # let the rebuild finish its per-collectivité PDFs
    finally:
        watcher.terminate()
        watcher.wait(timeout=60)
    return {"cold": cold, "single": statistics.median(singles), "full": statistics.median(fulls)}


def main() -> None:
    rows = run_sizes(run)
    print(f"Machine: {machine()}\n")
    print("| N | cold build (2 editions + per-fiche PDFs) | edited fiche's PDF on disk after "
          "| both booklets on disk after | booklets / cold |")
    print("|---|---|---|---|---|")
    for count, row in rows.items():
        print(f"| {count} | {row['cold']:.1f} s | {row['single']:.2f} s | {row['full']:.1f} s "
              f"| {row['full'] / row['cold']:.2f} |")


if __name__ == "__main__":
    main()

"""Benchmark booklet against the naive baseline on generated projects, in one run.

For each N (default 50, 200, 500 fiches, half French, half Japanese, 5% long):
cold build of one edition (the booklet only, as the baseline makes it, and
with the per-collectivité PDFs), of both editions, the rebuild after editing
one fiche, peak memory (RSS of the whole process tree), PDF size, bytes per
page and pages per second; the same for benchmarks/baseline.py; and the
ratios. Writes a Markdown table to stdout.

    cd benchmarks && ../.venv/bin/python run.py [N ...]
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from generate import generate
from pypdf import PdfReader

HERE = Path(__file__).resolve().parent
BOOKLET = [sys.executable, "-m", "booklet"]
BASELINE = [sys.executable, str(HERE / "baseline.py")]


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS:"))) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(command: list[str]) -> tuple[float, int, str]:
    """Wall time, peak RSS and standard output of `command` (which must succeed)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0

    def watch():
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    output, errors = process.communicate()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors.decode()}")
    return time.perf_counter() - start, peak, output.decode()


def weasyprint_seconds(output: str) -> float:
    """The time the baseline spent inside WeasyPrint (lay out and write), from its output."""
    return float(output.split("weasyprint seconds: ")[1].split()[0])


def pdf_figures(path: Path) -> tuple[int, int]:
    return path.stat().st_size, len(PdfReader(path).pages)


def edit_one_fiche(project: Path) -> None:
    fiche = sorted((project / "fiches").glob("fr-*.yaml"))[0]
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("commune", "ville", 1),
                     encoding="utf-8")


def run(count: int, folder: Path) -> dict:
    project = generate(count, folder / f"n{count}")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    figures = {}
    figures["base_fr"] = measure([*BASELINE, str(project), "fr", str(out / "base-fr.pdf")])
    base_ja = measure([*BASELINE, str(project), "ja", str(out / "base-ja.pdf")])
    figures["base_both"] = (figures["base_fr"][0] + base_ja[0], max(figures["base_fr"][1], base_ja[1]))
    # The floor: WeasyPrint laying out and writing the baseline's pages once, on both cores
    # if it could split them perfectly. No WeasyPrint-based tool makes these pages faster.
    figures["floor_fr"] = weasyprint_seconds(figures["base_fr"][2]) / 2
    figures["floor_both"] = (weasyprint_seconds(figures["base_fr"][2])
                             + weasyprint_seconds(base_ja[2])) / 2
    figures["ours_fr"] = measure([*BOOKLET, "build", str(project), "-q", "--edition", "fr",
                                  "-o", str(out / "ours-fr.pdf")])
    figures["ours_fr_all"] = measure([*BOOKLET, "build", str(project), "-q", "--edition", "fr"])
    figures["ours_both"] = measure([*BOOKLET, "build", str(project), "-q"])
    edit_one_fiche(project)
    figures["ours_rebuild"] = measure([*BOOKLET, "build", str(project), "-q"])
    figures["base_pdf"] = pdf_figures(out / "base-fr.pdf")
    figures["ours_pdf"] = pdf_figures(out / "ours-fr.pdf")
    return figures


def run_sizes(run) -> dict:
    """`run(count, folder)` for each N given on the command line (default 50, 200, 500)."""
    counts = [int(n) for n in sys.argv[1:]] or [50, 200, 500]
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            rows[count] = run(count, Path(folder))
            print(f"N={count} done", file=sys.stderr)
    return rows


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    import weasyprint

    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}")


def main() -> None:
    rows = run_sizes(run)
    print(f"Machine: {machine()}\n")
    print("| N | booklet, 1 edition | baseline, 1 edition | ratio | booklet, 1 edition + per-fiche PDFs "
          "| booklet, 2 editions + per-fiche PDFs | baseline, 2 editions | ratio | rebuild after "
          "one edit (2 editions) | peak RSS booklet / baseline | bytes/page booklet / baseline "
          "| pages/s booklet / baseline | floor, 1 edition / 2 editions (÷ baseline) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for count, f in rows.items():
        (ours_size, ours_pages), (base_size, base_pages) = f["ours_pdf"], f["base_pdf"]
        print(f"| {count} | {f['ours_fr'][0]:.1f} s | {f['base_fr'][0]:.1f} s "
              f"| {f['ours_fr'][0] / f['base_fr'][0]:.2f} | {f['ours_fr_all'][0]:.1f} s "
              f"| {f['ours_both'][0]:.1f} s | {f['base_both'][0]:.1f} s "
              f"| {f['ours_both'][0] / f['base_both'][0]:.2f} | {f['ours_rebuild'][0]:.1f} s "
              f"| {f['ours_both'][1] / 2**20:.0f} / {f['base_fr'][1] / 2**20:.0f} MiB "
              f"| {ours_size / ours_pages:,.0f} / {base_size / base_pages:,.0f} "
              f"| {ours_pages / f['ours_fr'][0]:.1f} / {base_pages / f['base_fr'][0]:.1f} "
              f"| {f['floor_fr']:.1f} s ({f['floor_fr'] / f['base_fr'][0]:.2f}) / "
              f"{f['floor_both']:.1f} s ({f['floor_both'] / f['base_both'][0]:.2f}) |")
    if 200 in rows and 500 in rows:
        print(f"\nTime at 500 / time at 200 (one edition): "
              f"{rows[500]['ours_fr'][0] / rows[200]['ours_fr'][0]:.2f}")


if __name__ == "__main__":
    main()

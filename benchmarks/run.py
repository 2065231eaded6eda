"""Benchmark booklet against the naive baseline and Typst on generated projects, in one run.

For each N (default 50, 200, 500 fiches, half French, half Japanese, 5% long),
all measured one after the other in the same run:

- benchmarks/baseline.py (one WeasyPrint document per edition) and
  benchmarks/typst_booklet.py (both editions with Typst), cold;
- booklet, cold (no page cache, no dist/): one edition (`-o`, the booklet only, as
  the baseline makes it), and both editions with every per-collectivité PDF and
  the download page; the same pinned to one core (taskset -c 0);
- the floor of booklet's own pages (benchmarks/floor.py);
- `booklet build` after editing one fiche, three times (different fiches);
- peak memory (RSS of the whole process tree) and bytes per page.

Writes a Markdown table to stdout.

    cd benchmarks && ../.venv/bin/python run.py [N ...]
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
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
TYPST = [sys.executable, str(HERE / "typst_booklet.py")]
FLOOR = [sys.executable, str(HERE / "floor.py")]
EDITS = 3


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


def cold(project: Path, *arguments: str, cores: str | None = None) -> tuple[float, int, str]:
    """A first build: no page cache, no dist/ (`cores`: run on these cores only, taskset)."""
    shutil.rmtree(project / ".booklet", ignore_errors=True)
    shutil.rmtree(project / "dist", ignore_errors=True)
    pinned = ["taskset", "-c", cores] if cores else []
    return measure([*pinned, *BOOKLET, "build", str(project), "-q", *arguments])


def rebuilds_after_edits(project: Path, edits: int = EDITS) -> list[float]:
    """`booklet build` after editing one French fiche (a different word each time)."""
    seconds = []
    for number, fiche in enumerate(sorted((project / "fiches").glob("fr-*.yaml"))[:edits]):
        fiche.write_text(fiche.read_text(encoding="utf-8").replace(
            "commune", f"commune ({number})", 1), encoding="utf-8")
        seconds.append(measure([*BOOKLET, "build", str(project), "-q"])[0])
    return seconds


def run(count: int, folder: Path) -> dict:
    project = generate(count, folder / f"n{count}")
    out = folder / "out"
    out.mkdir(exist_ok=True)
    f = {}
    f["base_fr"] = measure([*BASELINE, str(project), "fr", str(out / "base-fr.pdf")])
    base_ja = measure([*BASELINE, str(project), "ja", str(out / "base-ja.pdf")])
    f["base_both"] = (f["base_fr"][0] + base_ja[0], max(f["base_fr"][1], base_ja[1]))
    f["base_weasyprint"] = (weasyprint_seconds(f["base_fr"][2]),
                            weasyprint_seconds(f["base_fr"][2]) + weasyprint_seconds(base_ja[2]))
    f["typst"] = measure([*TYPST, str(project), str(out / "typst")])
    f["ours_fr"] = cold(project, "--edition", "fr", "-o", str(out / "ours-fr.pdf"))
    f["ours_fr_1core"] = cold(project, "--edition", "fr", "-o", str(out / "ours-fr.pdf"), cores="0")
    f["ours_both_1core"] = cold(project, cores="0")
    f["ours_both"] = cold(project)
    floor_output = measure([*FLOOR, str(project)])[2]
    f["floor"] = floor_seconds(floor_output)
    f["unavoidable"] = floor_seconds(floor_output, "unavoidable seconds: ")
    f["weasyprint_bytes"] = float(floor_output.split("bytes per page: fr ")[1].split()[0])
    f["rebuilds"] = rebuilds_after_edits(project)
    f["base_pdf"] = pdf_figures(out / "base-fr.pdf")
    f["ours_pdf"] = pdf_figures(out / "ours-fr.pdf")
    return f


def floor_seconds(output: str, line: str = "floor seconds: ") -> tuple[float, float]:
    """booklet's own floor (benchmarks/floor.py), or what a build cannot avoid on top of it:
    French alone, and both editions."""
    words = output.split(line)[1].split()
    return float(words[1]), float(words[3])


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
    print("| N | booklet, 1 edition, cold | baseline, 1 edition | ratio | booklet's floor, 1 edition "
          "| booklet / floor | booklet, 2 editions + per-fiche PDFs, cold | baseline, 2 editions "
          "| ratio | 1 core: 1 edition / 2 editions | Typst, 2 editions | `booklet build` after "
          "one edit (median of 3) | edit / cold | edit / Typst | peak RSS booklet / baseline "
          "| bytes/page booklet / baseline | bytes/page, WeasyPrint's own tagged PDF of booklet's "
          "pages | lowest any build could reach / baseline: 1 edition, 2 editions |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for count, f in rows.items():
        (ours_size, ours_pages), (base_size, base_pages) = f["ours_pdf"], f["base_pdf"]
        floor_fr, floor_both = f["floor"]
        lowest_fr, lowest_both = (floor + more for floor, more
                                  in zip(f["floor"], f["unavoidable"], strict=True))
        edit = statistics.median(f["rebuilds"])
        print(f"| {count} | {f['ours_fr'][0]:.1f} s | {f['base_fr'][0]:.1f} s "
              f"| {f['ours_fr'][0] / f['base_fr'][0]:.2f} | {floor_fr:.1f} s "
              f"| {f['ours_fr'][0] / floor_fr:.2f} | {f['ours_both'][0]:.1f} s "
              f"| {f['base_both'][0]:.1f} s | {f['ours_both'][0] / f['base_both'][0]:.2f} "
              f"| {f['ours_fr_1core'][0]:.1f} s / {f['ours_both_1core'][0]:.1f} s "
              f"| {f['typst'][0]:.2f} s | {edit:.2f} s "
              f"({', '.join(f'{s:.2f}' for s in f['rebuilds'])}) "
              f"| {edit / f['ours_both'][0]:.3f} | {edit / f['typst'][0]:.2f} "
              f"| {f['ours_both'][1] / 2**20:.0f} / {f['base_fr'][1] / 2**20:.0f} MiB "
              f"| {ours_size / ours_pages:,.0f} / {base_size / base_pages:,.0f} "
              f"({ours_size / ours_pages / (base_size / base_pages):.2f}) "
              f"| {f['weasyprint_bytes']:,.0f} "
              f"| {lowest_fr:.1f} s = {lowest_fr / f['base_fr'][0]:.2f}, "
              f"{lowest_both:.1f} s = {lowest_both / f['base_both'][0]:.2f} |")
    print("\nFloor: benchmarks/floor.py, one layout and one paint of each of booklet's own pages, "
          "divided by the cores. Lowest any build could reach: that floor, plus what no design avoids "
          "(start-up, copyfitting's proof layouts, and for 2 editions the per-collectivité PDFs' "
          "font subsets; floor.py). The baseline's own WeasyPrint time, for comparison: "
          + ", ".join(f"N = {count}: {f['base_weasyprint'][0]:.1f} s / {f['base_weasyprint'][1]:.1f} s"
                      for count, f in rows.items()) + " (one core, one edition / both).")


if __name__ == "__main__":
    main()

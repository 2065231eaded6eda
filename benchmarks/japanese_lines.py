"""Japanese lines (issue 15): how many are justified, and what it costs a cold build.

For a generated project of N fiches (half Japanese, benchmarks/generate.py):

- builds it cold with booklet as it is, and cold with the Japanese line hooks
  left out (`japanese_lines.install` replaced before anything renders; the
  worker processes are forked from that process), in turn, ROUNDS times, and
  prints the median wall times and their ratio;
- reads the built per-collectivité PDFs of the Japanese fiches back with
  poppler (`pdftotext -bbox-layout`) and counts, in both editions, the lines of
  the text column that are not a paragraph's last and end within 1 pt of the
  column's right edge.

    python benchmarks/japanese_lines.py 200
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
ROUNDS = 3
WITHOUT_HOOKS = ("import sys, booklet.weasyprint_patches.japanese_lines as lines; "
                 "lines.install = lambda: False; "
                 "from booklet.cli import main; sys.argv[0] = 'booklet'; main()")


def cold(project: Path, hooks: bool) -> float:
    shutil.rmtree(project / ".booklet", ignore_errors=True)
    shutil.rmtree(project / "dist", ignore_errors=True)
    command = ([str(Path(sys.executable).parent / "booklet")] if hooks
               else [sys.executable, "-c", WITHOUT_HOOKS])
    start = time.perf_counter()
    subprocess.run([*command, "build", str(project), "-q"], check=True)
    return time.perf_counter() - start


def lines(pdf: Path) -> list[tuple[float, float, float, str]]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    root = ElementTree.fromstring(re.sub(r' xmlns="[^"]+"', "", xml, count=1))
    return [(float(line.get("xMin")), float(line.get("xMax")), float(line.get("yMin")),
             "".join(word.text or "" for word in line.iter("word")))
            for line in root.iter("line")]


def justified(pdfs: list[Path]) -> tuple[int, int]:
    """(flush, all) lines of the text column that are not a paragraph's last."""
    flush = total = 0
    for pdf in pdfs:
        column = [line for line in lines(pdf) if line[0] > 150 and line[2] < 780
                  and not re.match(r"^\d\.", line[3])]
        if not column:
            continue
        edge = max(right for _, right, _, _ in column)
        for line, following in zip(column, column[1:], strict=False):
            if following[0] <= line[0] + 3 and following[2] - line[2] < 30:  # not a last line
                total += 1
                flush += line[1] >= edge - 1
    return flush, total


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / f"n{count}"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(count), str(project)],
                       check=True, capture_output=True)
        times = {True: [], False: []}
        for _ in range(ROUNDS):
            for hooks in (True, False):
                times[hooks].append(cold(project, hooks))
        cold(project, True)
        fiches = project / "dist" / "fiches"
        for edition in ("ja", "fr"):
            flush, total = justified(sorted(fiches.glob(f"jp-*-{edition}.pdf")))
            print(f"{edition} edition, Japanese fiches: {flush} of {total} lines that are not a "
                  f"paragraph's last end within 1 pt of the column's edge ({flush / total:.1%})")
    with_hooks, without = statistics.median(times[True]), statistics.median(times[False])
    print(f"cold build, both editions, N = {count}: {with_hooks:.1f} s with the Japanese line "
          f"hooks, {without:.1f} s without (median of {ROUNDS}): {with_hooks / without:.3f} x")


if __name__ == "__main__":
    main()

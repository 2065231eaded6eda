"""Cost of copyfitting on a booklet where every fiche fits at full size.

Builds one edition of the same generated project with and without the fit
search, alternating the two several times in one run, and prints the
fastest and median times and their ratios (target: at most 1.10). The
fastest of several runs is the least disturbed by other work on a shared
machine. Also reports the cost on
the default project with 5% long fiches, which do need the search.

    python benchmarks/copyfit.py [FICHES] [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

from booklet.building.builder import Builder
from booklet.errors import DataError


def build_once(root: Path, copyfit: bool) -> float:
    """Seconds to check, lay out and write the French booklet, without the page cache, in one
    process (long fiches left overflowing without copyfit)."""
    start = time.perf_counter()
    with Builder(root, use_cache=False, workers=1, copyfit=copyfit) as builder:
        try:
            builder.build("fr", root / "fr.pdf")
        except DataError:
            assert not copyfit
    return time.perf_counter() - start


def compare(root: Path, rounds: int) -> tuple[list[float], list[float]]:
    with_fit, without = [], []
    for _ in range(rounds):
        without.append(build_once(root, copyfit=False))
        with_fit.append(build_once(root, copyfit=True))
    return with_fit, without


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as folder:
        fitting = generate(count, Path(folder) / "fit", long_share=0)
        with_fit, without = compare(fitting, rounds)
        print(f"{count} fiches, all fit at full size, French edition, {rounds} rounds:")
        print("                       fastest   median")
        for label, times in (("with copyfitting", with_fit), ("without copyfitting", without)):
            print(f"  {label:20} {min(times):6.2f} s {statistics.median(times):6.2f} s")
        print(f"  ratio                {min(with_fit) / min(without):6.3f}   "
              f"{statistics.median(with_fit) / statistics.median(without):6.3f}   (target <= 1.10)")
        mixed = generate(count, Path(folder) / "mixed")
        with_fit, without = compare(mixed, 1)
        print(f"{count} fiches, 5% long (need shrinking), one round:")
        print(f"  with copyfitting     {with_fit[0]:6.2f} s  ({with_fit[0] / without[0]:.2f} × "
              f"laying every fiche out once, long ones left overflowing)")


if __name__ == "__main__":
    main()

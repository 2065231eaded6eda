"""The fiche editor's live view (issue 16): how long `booklet serve` takes to show an edited,
unsaved fiche's page, its fit and its findings, after the last keystroke reaches it.

Builds a generated project of N fiches once (as `booklet serve` does when it starts), then
previews four successive edits of one Japanese fiche's first section, in the Japanese
edition, and prints each time (the server's part: merging and checking the form's data,
rendering the page, drawing it as a PNG).

    python benchmarks/preview.py 200
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EDITS = 4


def main() -> None:
    from booklet.building import Builder
    from booklet.commands.serve import Site
    from booklet.fiche_edits import read_for_edit

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / f"n{count}"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(count), str(root)],
                       check=True, capture_output=True)
        site = Site(root)
        with Builder(root, publish_early=True) as builder:
            builder.build()
            site.builder = builder
            form = read_for_edit(root, "jp-0003")
            seconds = []
            for number in range(EDITS):
                form.data["sections"]["geography"] += f"追加の文{number}。"
                start = time.perf_counter()
                result = site.preview("jp-0003", form.data, "ja")
                seconds.append(time.perf_counter() - start)
                assert "image" in result, result
    print(f"preview of an edited fiche, N = {count}: "
          + ", ".join(f"{s:.2f} s" for s in seconds) + " (target: within 1.0 s)")


if __name__ == "__main__":
    main()

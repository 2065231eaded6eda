"""What `build --watch` and `serve` rebuild for: the files the build reads (booklet.yaml, the
fiches, layouts/, the images the fiches name), never another file of the project folder,
such as the log the command itself writes there (`booklet serve . > serve.log`)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from booklet.building.rebuilding import changes
from conftest import copy_sample, edit, hears_ctrl_c

ISSY = "fiches/issy-les-moulineaux.yaml"
ICHIKAWA = "fiches/ichikawa.yaml"
QUIET = 0.4  # seconds: a batch of changes comes well within this (STEP_MS of quiet)


class Watching:
    """`changes(root)` run in a thread, as `serve` runs it; its batches in a queue."""

    def __init__(self, root: Path):
        self.batches: queue.Queue[set[Path]] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(root,), daemon=True)
        self.thread.start()
        assert self.next() == set()  # the watcher runs

    def _run(self, root: Path) -> None:
        for batch in changes(root, self.stop):
            self.batches.put(batch)

    def next(self) -> set[Path]:
        """The files of the next batches, together until none comes for a while (a file
        written in two steps may come in two batches)."""
        changed = self.batches.get(timeout=10)
        while True:
            try:
                changed |= self.batches.get(timeout=QUIET)
            except queue.Empty:
                return changed

    def nothing(self) -> bool:
        try:
            batch = self.batches.get(timeout=QUIET)
        except queue.Empty:
            return True
        raise AssertionError(f"unexpected change: {batch}")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()


def _unrelated_writes(project: Path) -> None:
    """What a project folder sees besides its sources: a log, notes, the build's output."""
    with (project / "serve.log").open("a") as log:
        log.write("built in 0.4 s\n")
    (project / "notes.txt").touch()
    (project / "images").mkdir(exist_ok=True)
    (project / "images" / "unused.png").write_bytes(b"not named by any fiche")
    (project / "dist").mkdir(exist_ok=True)
    (project / "dist" / "booklet-fr.pdf").write_bytes(b"%PDF")
    (project / ".booklet").mkdir(exist_ok=True)
    (project / ".booklet" / "part.pdf").write_bytes(b"%PDF")
    (project / "fiches" / ".issy-les-moulineaux.yaml.swp").write_bytes(b"vim")
    (project / "fiches" / "notes.txt").write_text("not a fiche")


def test_only_what_the_build_reads_is_a_change(tmp_path):
    project = copy_sample(tmp_path / "project")
    (project / "images").mkdir()
    logo = project / "images" / "logo.png"
    logo.write_bytes(b"a logo")
    edit(project, ICHIKAWA, "reading:", "logo: images/logo.png\nreading:")
    (project / "layouts").mkdir()  # made while watching, a file at once in it may be missed
    watching = Watching(project)
    try:
        _unrelated_writes(project)
        assert watching.nothing()

        edit(project, ISSY, "population: ", "population: 1")
        assert watching.next() == {project.resolve() / ISSY}
        (project / "booklet.yaml").touch()
        assert watching.next() == {project.resolve() / "booklet.yaml"}
        logo.write_bytes(b"another logo")
        assert watching.next() == {logo.resolve()}

        # a photo named from now on is watched once the fiche naming it is read
        edit(project, ISSY, "sections:", "photo: ./images/../images/fort.jpg\nsections:")
        assert watching.next() == {project.resolve() / ISSY}
        (project / "images" / "fort.jpg").write_bytes(b"a photo")
        assert watching.next() == {(project / "images" / "fort.jpg").resolve()}

        (project / "layouts" / "booklet.css").write_text("h1 { color: red }")
        (project / "layouts" / ".booklet.css.swp").write_text("vim")
        (project / "layouts" / "booklet.css~").write_text("emacs")
        assert watching.next() == {project.resolve() / "layouts" / "booklet.css"}
        (project / "layouts" / "fonts").mkdir()
        assert watching.next() == {project.resolve() / "layouts" / "fonts"}

        _unrelated_writes(project)
        assert watching.nothing()
    finally:
        watching.close()


def test_build_watch_writing_its_log_into_the_project_does_not_rebuild(tmp_path):
    """`booklet build . --watch > watch.log`: the command's own log, another log written
    over and over, a file touched: no rebuild. A fiche saved: one rebuild, exactly."""
    project = copy_sample(tmp_path / "project")
    log = project / "watch.log"
    with log.open("w") as output:
        process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                                   args=[sys.executable, "-m", "booklet", "build", str(project),
                                    "--watch"], stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 90
        while "Watching" not in log.read_text(encoding="utf-8"):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)

        def busy_folder(seconds: float) -> None:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                with (project / "other.log").open("a") as other:
                    other.write("a line\n")
                (project / "notes.txt").touch()
                time.sleep(0.05)

        busy_folder(2.5)
        assert "changed:" not in log.read_text(encoding="utf-8")

        edit(project, ISSY, "population: ", "population: 1")
        while not _rebuilt(log.read_text(encoding="utf-8")):
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            busy_folder(0.1)
        busy_folder(2.5)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text(encoding="utf-8")
    rebuilds = [line for line in text.splitlines() if line.startswith("changed:")]
    assert len(rebuilds) == 1, text
    assert rebuilds[0].endswith("issy-les-moulineaux.yaml"), text
    assert text.split("Watching")[1].count("built in") == 1, text
    assert process.returncode == 0 and "Traceback" not in text, text


def _rebuilt(text: str) -> bool:
    return "changed:" in text and "built in" in text.split("changed:")[-1]


@pytest.mark.slow  # a build
def test_a_file_the_layout_refers_to_is_watched_once_a_build_read_it(tmp_path):
    """A band image the project's stylesheet draws (art/band.png, outside layouts/): the
    pages read it, the build notes it, and a change of it is a change."""
    from booklet.building.builder import Builder
    from booklet.building.rebuilding import ProjectFiles
    from booklet.resources import DEFAULT_LAYOUT_DIR

    project = copy_sample(tmp_path / "project")
    (project / "art").mkdir()
    band = project / "art" / "band.png"
    band.write_bytes(_png())
    (project / "layouts").mkdir()
    stylesheet = (DEFAULT_LAYOUT_DIR / "booklet.css").read_text(encoding="utf-8")
    (project / "layouts" / "booklet.css").write_text(
        stylesheet + "\n.fiche-header { background-image: url(../art/band.png) }\n",
        encoding="utf-8")
    (project / "art" / "unused.png").write_bytes(_png())
    assert band.resolve() not in ProjectFiles(project)
    with Builder(project, workers=1) as builder:
        builder.build()
    files = ProjectFiles(project)
    assert band.resolve() in files
    assert (project / "art" / "unused.png").resolve() not in files


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()

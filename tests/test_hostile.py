"""Hostile and broken input: every bad file of the corpus is reported at its place and changes
nothing; fiche text is printed literally; nothing outside the project is read, nothing from the
network; a build killed in the middle leaves no broken PDF."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO, flat, hears_ctrl_c, page_texts, reader, run

HOSTILE = Path(__file__).resolve().parent / "hostile"
EXPECTED = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """The sample project built once, with the corpus' images and a link out of the project."""
    from conftest import copy_sample

    project = copy_sample(tmp_path_factory.mktemp("hostile") / "project")
    shutil.copytree(HOSTILE / "images", project / "images")
    (project / "images" / "outside.png").symlink_to("/etc/passwd")
    assert run("build", project, "--quiet").exit_code == 0
    return project


def test_the_corpus_lists_every_file():
    assert sorted(EXPECTED) == sorted(p.name for p in HOSTILE.glob("*.yaml") if p.name != "expected.yaml")


@pytest.mark.slow  # a build for each file of the corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_fiche_is_reported_at_its_place_and_changes_nothing(built_once, tmp_path, name):
    project = tmp_path / "project"
    shutil.copytree(built_once, project, symlinks=True)
    fiche = project / "fiches" / name
    shutil.copy(HOSTILE / name, fiche)
    before = _digest(project / "dist")
    started = time.monotonic()
    result = run("build", project)
    assert time.monotonic() - started < 30  # fails fast, whatever the input
    assert result.exit_code == 1
    assert f"{fiche}:{EXPECTED[name]}" in result.output, result.output
    assert "Traceback" not in result.output
    assert _digest(project / "dist") == before


def test_a_file_far_too_big_for_a_fiche(sample):
    fiche = sample / "fiches" / "huge.yaml"
    fiche.write_text("lang: fr\ncountry: FR\nname: X\nsections:\n  history: " + "x" * 2_000_000)
    result = run("check", sample)
    assert result.exit_code == 1
    assert f"{fiche}:1:1: error: the file is 2.0 MB, far more than a fiche" in result.output


MARKUP = [
    "<script>alert(1)</script>", "{{ 7 * 7 }}", "{% for x in y %}", "<img src=x onerror=1>",
    "</style><style>* { display: none }</style>", "<link rel=attachment href=file:///etc/hostname>",
    "url(http://example.com/x.png)", "&lt;b&gt;", "${HOME}",
]


def test_markup_in_every_text_field_is_printed_as_typed(sample):
    text = " ".join(MARKUP)
    short = dict(zip(("kind", "region", "department", "partner", "name", "address", "phone"),
                     MARKUP, strict=False))
    fiche = {
        "lang": "fr", "country": "FR", "name": f"Marquage {text}", "kind": short["kind"],
        "region": short["region"], "department": short["department"], "area_km2": 12.5,
        "population": 1200, "partners": [short["partner"]],
        "contact": {key: short[key] for key in ("name", "address", "phone")},
        "sections": {key: text for key in ("geography", "history", "highlights", "economy",
                                          "exchanges", "good_practices")},
    }
    (sample / "fiches" / "marquage.yaml").write_text(
        yaml.safe_dump(fiche, allow_unicode=True), encoding="utf-8")
    result = run("build", sample)
    assert result.exit_code == 0, result.output
    pages = page_texts(sample / "dist" / "booklet-fr.pdf")
    page = flat(next(page for page in pages if page.startswith("Marquage")))
    for piece in MARKUP:
        assert page.count(flat(piece)) >= 7, piece  # the name and the six texts
    for piece in short.values():
        assert page.count(flat(piece)) >= 8, piece  # and once more in the sidebar
    assert flat("7 * 7") in page and "49" not in page
    assert len(reader(sample / "dist" / "booklet-fr.pdf").pages) == 6  # no page from markup


_opened: list[tuple[str, str]] | None = None


def _audit(event, args):
    if _opened is None:
        return
    if event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(("open", os.fsdecode(args[0])))
    elif event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
        _opened.append((event, repr(args)[:200]))


sys.addaudithook(_audit)


@pytest.mark.slow  # two builds
def test_a_build_reads_nothing_outside_the_project_and_never_the_network(sample):
    """Whatever the fiches say (markup, URLs, paths, attachments), a build opens only files of
    the project, of the package (layouts, fonts) and of Python itself, and no socket."""
    global _opened
    test_markup_in_every_text_field_is_printed_as_typed(sample)  # builds once: imports done
    (sample / "fiches" / "liens.yaml").write_text(yaml.safe_dump({
        "lang": "fr", "country": "FR", "name": "Liens",
        "sections": {"history": "![x](file:///etc/passwd) [y](http://example.com) "
                                "<iframe src=http://example.com></iframe>",
                     "economy": "<object data=/etc/passwd></object> @import url(/etc/passwd);"},
    }, allow_unicode=True), encoding="utf-8")
    _opened = []
    try:
        result = run("build", sample)
    finally:
        opened, _opened = _opened, None
    assert result.exit_code == 0, result.output
    allowed = [Path(p).resolve() for p in (sample, REPO / "src", REPO / "layouts", REPO / "fonts",
                                          sys.prefix, sys.base_prefix)]
    fonts_cache = os.path.join(tempfile.gettempdir(), "weasyprint-")  # its copies of our fonts
    outside = [(event, target) for event, target in opened if event == "open"
               and not target.startswith(("/dev/", "/proc/", fonts_cache))
               and not any(Path(target).resolve().is_relative_to(root) for root in allowed)]
    assert outside == []
    assert [entry for entry in opened if entry[0] != "open"] == []
    assert any(Path(target).resolve().is_relative_to(sample.resolve() / "dist")
               for event, target in opened)  # the hook did see the build's own files


def _many_fiches(project: Path, count: int) -> None:
    issy = (project / "fiches" / "issy-les-moulineaux.yaml").read_text(encoding="utf-8")
    for number in range(count):
        (project / "fiches" / f"ville-{number:02d}.yaml").write_text(
            issy.replace("name: Issy-les-Moulineaux", f"name: Ville {number:02d}")
                .replace("  - ichikawa\n", "  - Ichikawa\n"), encoding="utf-8")


@pytest.mark.slow  # a build's processes, killed
def test_processes_that_assemble_end_when_the_build_is_killed():
    """A build killed while its assembling processes wait for work leaves none behind
    (orphaned, they would wait forever and hold the terminal's pipes open)."""
    script = ("import time\nfrom booklet.building import workers\npool = workers.start_assemblers()\n"
              "pool.submit(workers.prepare_assembly).result()\nprint('ready', flush=True)\n"
              "time.sleep(120)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    children = [int(pid) for task in Path(f"/proc/{process.pid}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    assert len(children) >= 2
    process.kill()
    process.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
        time.sleep(0.2)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()
                and "zombie" not in Path(f"/proc/{pid}/status").read_text()]


def _written(folder: Path) -> dict:
    """{PDF: (inode, modification time)} of `folder` (a file replaced gets a new inode)."""
    found = {}
    for path in folder.rglob("*.pdf"):
        try:
            found[path] = (path.stat().st_ino, path.stat().st_mtime_ns)
        except FileNotFoundError:  # removed as it was listed
            pass
    return found


def _signalled_while_running(sample: Path, signal_number: int, running) -> str:
    """A build of `sample`, sent `signal_number` as soon as `running()` says it is under way;
    its error output. Fails if the build ended before: it must have been interrupted."""
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "build", str(sample)],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not running():
        assert process.poll() is None, "the build ended before it was seen at work"
        assert time.monotonic() < deadline, "the build was never seen at work"
        time.sleep(0.005)
    assert process.poll() is None  # still running when signalled…
    process.send_signal(signal_number)
    errors = process.communicate(timeout=60)[1]
    assert process.returncode != 0, errors  # …and it did not finish: it was interrupted
    if signal_number == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
    return errors


@pytest.mark.slow
def test_an_interrupted_build_leaves_only_whole_pdfs(sample):
    """A build killed (SIGKILL) while it renders, or interrupted (Ctrl-C) while it writes
    dist/, leaves every PDF of dist/ whole, old or new; the next build cleans up and writes
    everything."""
    _many_fiches(sample, 8)
    assert run("build", sample, "--quiet").exit_code == 0
    before = _digest(sample / "dist")
    booklet_pages = len(reader(sample / "dist" / "booklet-fr.pdf").pages)
    cache, dist = sample / ".booklet" / "cache", sample / "dist"

    def rendering():  # a part of this build is in the page cache
        count = len(list(cache.glob("*.pdf")))
        return lambda: len(list(cache.glob("*.pdf"))) > count

    def writing():  # a PDF of dist/ is replaced
        written = _written(dist)
        return lambda: any(_written(dist).get(path) != stamp for path, stamp in written.items())

    for number, (signal_number, under_way) in enumerate([(signal.SIGKILL, rendering),
                                                          (signal.SIGINT, writing)]):
        for fiche in sorted((sample / "fiches").glob("ville-*.yaml")):  # every page anew
            fiche.write_text(fiche.read_text(encoding="utf-8").replace(
                "  history: >\n", f"  history: >\n    Une phrase nouvelle ({number}).\n"),
                encoding="utf-8")
        running = under_way()
        errors = _signalled_while_running(sample, signal_number, running)
        assert "Traceback" not in errors
        time.sleep(1)  # worker processes end once their parent is gone
        for path in dist.rglob("*.pdf"):  # every PDF in dist/ is whole
            assert len(reader(path).pages) == (1 if path.parent.name == "fiches" else booklet_pages)
        assert set(before) <= set(_digest(dist))  # nothing was lost
    assert run("build", sample, "--quiet").exit_code == 0
    assert not list((sample / "dist").rglob("*.part"))
    assert flat("Une phrase nouvelle (1).") in flat(
        page_texts(sample / "dist" / "fiches" / "ville-03-fr.pdf")[0])

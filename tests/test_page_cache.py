"""The page cache: kept between runs, safe against damage, concurrent builds and growth."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pypdf
import pytest

from booklet.building.builder import Builder
from booklet.building.page_cache import CACHE_DIR, RECENT_SECONDS
from conftest import REPO, edit, page_texts, run


def _pdfs(project) -> dict:
    return {path.relative_to(project): path.read_bytes()
            for path in sorted((project / "dist").rglob("*.pdf"))}


def _entries(project) -> list:
    """The parts' PDFs in the cache (not the collectivités' own)."""
    return sorted(path for path in (project / CACHE_DIR).glob("*.pdf")
                  if not path.name.endswith(".own.pdf"))


def _cold(project) -> dict:
    shutil.rmtree(project / "dist")
    assert run("build", project, "-q", "--no-cache").exit_code == 0
    return _pdfs(project)


@pytest.mark.slow
def test_a_damaged_entry_is_rendered_again(sample):
    assert run("build", sample, "-q").exit_code == 0
    good = _pdfs(sample)
    truncated, flipped = _entries(sample)[:2]
    truncated.write_bytes(truncated.read_bytes()[:1000])
    content = bytearray(flipped.read_bytes())
    content[len(content) // 2] ^= 0xFF  # same size, one byte changed
    flipped.write_bytes(bytes(content))
    (sample / CACHE_DIR / f"{_entries(sample)[2].stem}.json").write_text("{not json")
    own = next(path.with_suffix(".own.pdf") for path in _entries(sample)[3:]
               if path.with_suffix(".own.pdf").exists())
    own.write_bytes(own.read_bytes()[:-10])  # a collectivité's own PDF, truncated
    shutil.rmtree(sample / "dist")
    with Builder(sample) as builder:
        again = builder.build()
    assert (again.laid_out, again.reused) == (4, 4)
    assert _pdfs(sample) == good
    with Builder(sample) as builder:
        assert builder.build().laid_out == 0  # the damaged entries were replaced


@pytest.mark.slow
def test_no_cache_reads_and_keeps_nothing(sample):
    assert run("build", sample, "-q", "--no-cache").exit_code == 0
    assert not (sample / CACHE_DIR).exists() or not _entries(sample)
    assert [p.name for p in (sample / ".booklet").iterdir() if p.name != "written.json"] == []
    assert run("build", sample, "-q").exit_code == 0
    with Builder(sample, use_cache=False) as builder:
        assert builder.build().laid_out == 8  # the cache is there, but bypassed


@pytest.mark.slow
def test_check_reads_the_cache_and_writes_nothing(sample):
    result = run("check", sample)
    assert result.exit_code == 0
    assert not (sample / ".booklet").exists()
    assert run("build", sample, "-q").exit_code == 0
    entries = {path: path.stat().st_mtime_ns for path in _entries(sample)}
    with Builder(sample) as builder:
        checked = builder.check()
    assert (checked.laid_out, checked.reused) == (0, 8)
    assert {path: path.stat().st_mtime_ns for path in _entries(sample)} == entries


AT_ONCE = """
import json, os, sys, time
from pathlib import Path
from booklet.cli import main

ready, project, builder = Path(sys.argv[1]), sys.argv[2], os.getpid()
exit_now = os._exit


def ended(code):  # `main` ends the process with os._exit once the build is done
    if os.getpid() == builder:  # not a worker process it forked
        print(json.dumps({"started": started, "ended": time.monotonic(), "code": code}))
        sys.stdout.flush()
    exit_now(code)


os._exit = ended
ready.touch()
while len(list(ready.parent.iterdir())) < 2:  # both builds start together
    time.sleep(0.001)
started = time.monotonic()
sys.argv = ["booklet", "build", project, "-q"]
main()
"""
"""`booklet build -q` of a project, once another such process is ready too; prints when
its build started and ended (the system's monotonic clock, the same in every process)."""


@pytest.mark.slow
def test_two_builds_at_once_leave_whole_pdfs(sample, tmp_path):
    edit(sample, "fiches/issy-les-moulineaux.yaml", "  history: >\n",
         "  history: >\n    Deux constructions en même temps.\n")
    (tmp_path / "ready").mkdir()
    builds = [subprocess.Popen([sys.executable, "-c", AT_ONCE, str(tmp_path / "ready" / str(number)),
                                str(sample)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for number in range(2)]
    times = []
    for build in builds:
        output, errors = build.communicate(timeout=300)
        assert build.returncode == 0, errors
        times.append(json.loads(output.splitlines()[-1]))
    assert [build["code"] for build in times] == [0, 0]
    first, second = sorted(times, key=lambda build: build["started"])
    assert second["started"] < first["ended"]  # the two builds overlapped
    for path in (sample / "dist").rglob("*.pdf"):
        pypdf.PdfReader(path, strict=True)
        subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    assert not list((sample / "dist").rglob("*.part"))
    assert not list((sample / CACHE_DIR).glob(".*.part"))
    built = _pdfs(sample)
    assert "Deuxconstructions" in page_texts(sample / "dist" / "booklet-fr.pdf")[2].replace(" ", "")
    assert built == _cold(sample)


@pytest.mark.slow
def test_the_cache_is_pruned(sample):
    assert run("build", sample, "-q").exit_code == 0
    cache = sample / CACHE_DIR
    used = len(_entries(sample))
    old = time.time() - 2 * RECENT_SECONDS
    for number in range(200):  # entries of builds long gone
        for suffix in (".pdf", ".json", ".fonts.json"):
            stale = cache / f"{number:064x}{suffix}"
            stale.write_text("{}")
            os.utime(stale, (old - number, old - number))
    assert run("build", sample, "-q").exit_code == 0
    kept = _entries(sample)
    assert used < len(kept) <= used * 3 + 50
    assert len(list(cache.glob("*.json"))) == 2 * len(kept) + len(list(cache.glob("note-*")))


def test_the_sample_project_ignores_the_cache_in_git():
    assert ".booklet/" in (REPO / ".gitignore").read_text().splitlines()


def test_a_new_project_ignores_dist_and_the_cache(tmp_path):
    assert run("new", tmp_path / "rencontres").exit_code == 0
    ignored = (tmp_path / "rencontres" / ".gitignore").read_text().splitlines()
    assert "dist/" in ignored and ".booklet/" in ignored


@pytest.mark.slow
def test_a_build_leaves_no_temporary_files_behind(sample, tmp_path):
    """WeasyPrint copies the fonts of each renderer to a temporary folder; every process
    that rendered (the command's workers, or the command itself) removes them."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary)}
    command = [sys.executable, "-m", "booklet", "build", str(sample), "-q"]
    subprocess.run(command, check=True, env=environment)
    edit(sample, "fiches/ichikawa.yaml", "市川市", "市川市 ")
    subprocess.run([*command, "--no-cache"], check=True, env=environment)
    subprocess.run(["taskset", "-c", "0", *command], check=True, env=environment)  # no workers
    assert list(temporary.iterdir()) == []


@pytest.mark.slow
def test_collectivite_pdfs_made_later_from_cached_parts_are_the_same(sample, tmp_path):
    """`-o` renders the parts without the collectivités' own PDFs; the next full build
    makes them from the cached parts, byte-identical to those of a cold build."""
    assert run("build", sample, "-q", "--no-cache").exit_code == 0
    cold = _pdfs(sample)
    shutil.rmtree(sample / "dist")
    assert run("build", sample, "-q", "--edition", "fr", "-o", str(tmp_path / "fr.pdf")).exit_code == 0
    assert not list((sample / CACHE_DIR).glob("*.own.pdf"))
    with Builder(sample) as builder:
        later = builder.build()
    assert later.laid_out == 4  # the Japanese edition's parts; the French ones are reused
    assert _pdfs(sample) == cold

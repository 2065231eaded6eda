"""The command line: check writes nothing, new makes a project that builds, help is documented."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from booklet.building.builder import Builder
from booklet.cli import cli
from conftest import REPO, page_texts, reader, run, without_lost_features


def test_check_reports_and_writes_nothing(sample):
    result = run("check", sample)
    assert result.exit_code == 0, result.output
    lines = without_lost_features(result.output).splitlines()
    assert lines[-1] == "No errors: the booklet can be built."
    assert re.fullmatch(rf"{sample}/fiches/ichikawa\.yaml:4:1: info: French page: full size "
                        r"\(9 pt\), \d\d% of the page used", lines[0])
    assert sorted(p.name for p in sample.iterdir()) == ["booklet.yaml", "fiches"]


def test_new_project_builds_as_it_is(tmp_path):
    project = tmp_path / "rencontres"
    result = run("new", project)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "fiches").iterdir()) == [
        "exemple-commune.yaml", "exemple-shi.yaml"]
    assert (project / "schemas" / "fiche.schema.json").is_file()
    first_line = (project / "fiches" / "exemple-shi.yaml").read_text().splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../schemas/fiche.schema.json"

    result = run("build", project)
    assert result.exit_code == 0, result.output
    assert without_lost_features(result.output).splitlines()[0] == (
        f"wrote {project}/dist/booklet-fr.pdf (5 pages)")
    pages = page_texts(project / "dist" / "booklet-ja.pdf")
    assert len(pages) == 5
    assert "例市" in pages[3] and "Exemple-sur-Loire" in pages[2]
    assert reader(project / "dist" / "fiches" / "exemple-shi-ja.pdf").metadata.title == "例市"


def test_new_refuses_a_folder_that_is_not_empty(sample):
    before = sorted(p.name for p in sample.iterdir())
    result = run("new", sample)
    assert result.exit_code == 1
    assert "already exists and is not empty" in result.output
    assert sorted(p.name for p in sample.iterdir()) == before


def test_build_prints_what_it_wrote(sample):
    result = run("build", sample)
    assert result.exit_code == 0
    assert without_lost_features(result.output).splitlines() == [
        f"wrote {sample}/dist/booklet-fr.pdf (5 pages)",
        f"wrote {sample}/dist/booklet-ja.pdf (5 pages)",
        f"wrote 4 per-collectivité PDFs in {sample}/dist/fiches",
        f"wrote {sample}/dist/index.html (a page with every download, to publish with dist/)",
    ]


def test_quiet_build_prints_nothing(sample):
    result = run("build", sample, "--quiet", "--edition", "ja")
    assert result.exit_code == 0
    assert result.output == ""
    assert sorted(p.name for p in (sample / "dist").iterdir()) == [
        "booklet-ja.pdf", "fiches", "index.html"]


def test_unknown_edition_is_a_usage_error(sample):
    result = run("build", sample, "--edition", "de")
    assert result.exit_code == 2


def test_every_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"booklet {name}" in readme, f"README does not show `booklet {name}`"
        assert "Example" in command.help


def test_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "booklet", "--help"], capture_output=True,
                            text=True, check=True)
    assert re.search(r"^\s+build\s", result.stdout, re.M)


@pytest.mark.slow  # four builds
def test_pdf_dates_come_from_source_date_epoch_only(sample, tmp_path, monkeypatch):
    fr = ("build", sample, "-q", "--edition", "fr", "-o")
    assert run(*fr, tmp_path / "undated.pdf").exit_code == 0
    assert reader(tmp_path / "undated.pdf").metadata.creation_date is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for name in ("a.pdf", "b.pdf"):
        assert run(*fr, tmp_path / name).exit_code == 0
    metadata = reader(tmp_path / "a.pdf").metadata
    assert metadata.creation_date == metadata.modification_date == datetime(
        2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run(*fr, tmp_path / "c.pdf")
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH is 'yesterday': set it to a number of seconds" in result.output
    assert not (tmp_path / "c.pdf").exists()


@pytest.mark.slow  # two builds
def test_parallel_and_sequential_builds_are_byte_identical(sample, tmp_path):
    # Both editions over the worker processes; one edition, from nothing, in this process.
    assert run("build", sample, "-q").exit_code == 0
    with Builder(sample, use_cache=False, workers=1) as builder:
        builder.build("fr", tmp_path / "fr.pdf")
    assert builder.pool is None
    assert (sample / "dist" / "booklet-fr.pdf").read_bytes() == (tmp_path / "fr.pdf").read_bytes()
    leftovers = [p.name for p in (sample / "dist").rglob("*.part")]
    assert leftovers == []


def test_build_writes_a_download_page_for_any_web_host(built):
    page = (built / "dist" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    assert sorted(links) == sorted([
        "booklet-fr.pdf", "booklet-ja.pdf",
        "fiches/issy-les-moulineaux-fr.pdf", "fiches/issy-les-moulineaux-ja.pdf",
        "fiches/ichikawa-fr.pdf", "fiches/ichikawa-ja.pdf"])
    assert all((built / "dist" / link).is_file() for link in links)
    assert "<script" not in page and "/thumbs/" not in page  # a static page, no server needed
    assert page.index("Issy-les-Moulineaux") < page.index("市川市")  # booklet order


def test_the_progress_bar_shows_only_on_a_terminal_after_a_second():
    import io

    from rich.console import Console

    from booklet.cli import _Progress

    now = [0.0]
    for terminal, quiet, shown in ((True, False, True), (False, False, False), (True, True, False)):
        output = io.StringIO()
        progress = _Progress(quiet, Console(file=output, force_terminal=terminal), lambda: now[0])
        now[0] = 0.0
        progress.start(4)
        progress.advance()  # within the first second: nothing
        assert progress.bar is None and output.getvalue() == ""
        now[0] = 1.5
        progress.advance()
        progress.stop()
        assert (progress.bar is not None) == shown
        assert ("Laying out pages" in output.getvalue()) == shown

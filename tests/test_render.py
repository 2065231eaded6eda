"""Rendering reads only files of the project and the package: nothing else, no network."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from booklet.compose.templating import load_layout
from booklet.records import RenderSetup
from booklet.render.renderer import RefusedURL, Renderer
from conftest import run


@pytest.fixture
def renderer(sample):
    return Renderer(load_layout(sample), RenderSetup(sample))


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.png",
    "https://example.org/logo.png",
    "ftp://example.org/x",
])
def test_fetcher_refuses_everything_outside(renderer, url):
    with pytest.raises(RefusedURL):
        renderer.fetcher.fetch(url)


def test_fetcher_refuses_a_symlink_that_leaves_the_project(renderer, sample):
    os.symlink("/etc/passwd", sample / "escape.png")
    with pytest.raises(RefusedURL):
        renderer.fetcher.fetch((sample / "escape.png").as_uri())


def test_fetcher_serves_project_files(renderer, sample):
    response = renderer.fetcher.fetch((sample / "booklet.yaml").as_uri())
    assert response.read().startswith(b"# yaml-language-server")


def test_a_layout_asking_for_an_outside_file_fails_the_build(sample):
    (sample / "layouts").mkdir()
    (sample / "layouts" / "index.html").write_text(
        '{% extends "base.html" %}{% block body %}<img src="file:///etc/hostname">'
        '<h1>Index</h1>{% endblock %}', encoding="utf-8")
    result = run("build", sample)
    assert result.exit_code == 1
    assert "refused to read file:///etc/hostname" in result.output
    assert not (sample / "dist").exists()


def test_an_image_symlinked_outside_the_project_is_refused(sample):
    (sample / "images").mkdir()
    os.symlink("/etc/passwd", sample / "images" / "logo.png")
    fiche = sample / "fiches" / "issy-les-moulineaux.yaml"
    fiche.write_text(fiche.read_text() + "logo: images/logo.png\n", encoding="utf-8")
    result = run("check", sample)
    assert result.exit_code == 1
    assert "logo 'images/logo.png' is outside the project folder" in result.output


def test_project_layout_overrides_the_builtin_one(sample):
    (sample / "layouts").mkdir()
    labels = (load_layout(sample).dirs[-1] / "labels.yaml").read_text(encoding="utf-8")
    (sample / "layouts" / "labels.yaml").write_text(
        labels.replace("contents: Sommaire", "contents: Table des collectivités"),
        encoding="utf-8")
    result = run("build", sample, "--edition", "fr")
    assert result.exit_code == 0, result.output
    from conftest import page_texts

    assert page_texts(sample / "dist" / "booklet-fr.pdf")[1].startswith("Table des collectivités")


def test_css_the_renderer_drops_is_reported(sample):
    (sample / "layouts").mkdir()
    css = (load_layout(sample).dirs[-1] / "booklet.css").read_text(encoding="utf-8")
    (sample / "layouts" / "booklet.css").write_text(css + "\nh1 { colour: red; }\n", encoding="utf-8")
    result = run("check", sample)
    assert result.exit_code == 0
    line = len(css.splitlines()) + 2
    assert f"{sample}/layouts/booklet.css:{line}:6: warning: Ignored `colour: red`" in result.output


def test_weasyprint_is_imported_without_searching_for_libraries():
    """No `ldconfig` or compiler runs while WeasyPrint loads; every library it needs is
    loaded all the same (HarfBuzz's subsetter too), and `find_library` is given back."""
    code = """
import ctypes.util, subprocess
find_library = ctypes.util.find_library
started = []
class Recorded(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        started.append(args)
        super().__init__(args, *rest, **options)
subprocess.Popen = Recorded
import booklet.render.renderer
from weasyprint.text import ffi
assert started == [], started
assert ffi.harfbuzz_subset is not None
assert ctypes.util.find_library is find_library
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_worker_warmed_with_a_page_has_its_fonts_loaded(sample, monkeypatch):
    """`workers.warm(page=True)` (a watched build, after its workers assembled the booklets)
    makes the renderer and lays out and writes a first page with it, once."""
    from booklet.building import workers
    from booklet.render.renderer import Renderer

    monkeypatch.setattr(workers, "_renderers", {})
    pages = []
    render = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, html: (pages.append(html),
                                                                render(self, html))[1])
    setup = RenderSetup(sample)
    workers.warm(setup, "key", page=True)
    workers.warm(setup, "key", page=True)  # the renderer is there: nothing more
    workers.warm(RenderSetup(sample, paper="A5"), "other")  # a new one, without a page
    assert pages == [workers.WARM_UP_PAGE]
    assert list(workers._renderers) == [(RenderSetup(sample, paper="A5"), "other")]

"""Rebuilding after an edit: only what changed is laid out again (the page cache keeps every
rendered part, between runs too), and the result is the same PDF a cold build makes."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from booklet.building.builder import Builder
from booklet.errors import DataError
from booklet.resources import DEFAULT_LAYOUT_DIR
from conftest import edit, flat, page_texts, run

ISSY = "fiches/issy-les-moulineaux.yaml"
ICHIKAWA = "fiches/ichikawa.yaml"
SENTENCE = "Une phrase ajoutée à la dernière minute par les organisateurs."
pytestmark = pytest.mark.slow  # every test builds, edits and builds again


def _add_sentence(project):
    edit(project, ISSY, "  history: >\n", f"  history: >\n    {SENTENCE}\n")


def _pdfs(project) -> dict:
    return {path.relative_to(project): path.read_bytes()
            for path in sorted((project / "dist").rglob("*.pdf"))}


def _identities(project) -> dict:
    return {path.name: path.stat().st_ino for path in (project / "dist").rglob("*.pdf")}


def _cold_build(project):
    """The PDFs that a build from nothing makes of the project as it is now: dist/ emptied, the
    page cache bypassed (the PDFs name images by their place, so the folder must be the same)."""
    shutil.rmtree(project / "dist")
    with Builder(project, use_cache=False) as builder:
        builder.build()
    return _pdfs(project)


def test_an_edited_fiche_is_the_only_page_laid_out_again(sample):
    with Builder(sample) as builder:
        first = builder.build()
        assert (first.laid_out, first.reused) == (8, 0)  # 2 editions × (front, 2 fiches, index)
        before = _identities(sample)
        again = builder.build()
        assert (again.laid_out, again.reused) == (0, 8)
        assert _identities(sample) == before  # nothing rewritten
        assert not any(output.changed for output in again.written)

        _add_sentence(sample)
        edited = builder.build()
    assert (edited.laid_out, edited.reused) == (2, 6)  # Issy, in each edition
    after = _identities(sample)
    assert sorted(name for name in after if after[name] != before[name]) == [
        "booklet-fr.pdf", "booklet-ja.pdf", "issy-les-moulineaux-fr.pdf",
        "issy-les-moulineaux-ja.pdf"]
    assert flat(SENTENCE) in flat(page_texts(sample / "dist" / "booklet-fr.pdf")[2])
    assert _pdfs(sample) == _cold_build(sample)


def test_page_numbers_that_move_lay_out_the_pages_that_print_them(sample):
    with Builder(sample) as builder:
        builder.build()
        # A new fiche sorted first moves both others one page on: every page prints
        # a changed number (folio, contents, partner references), so all are laid out.
        shutil.copy(sample / ICHIKAWA, sample / "fiches" / "abiko.yaml")
        edit(sample, "fiches/abiko.yaml", "市川市", "我孫子市")
        edit(sample, "fiches/abiko.yaml", "Ichikawa", "Abiko")
        edit(sample, "fiches/abiko.yaml", "いちかわし", "あびこし")
        moved = builder.build()
        assert moved.laid_out == 10 and moved.reused == 0
        assert _pdfs(sample) == _cold_build(sample)
        # Removing it again brings back the pages of the first build, from the cache.
        (sample / "fiches" / "abiko.yaml").unlink()
        back = builder.build()
        assert (back.laid_out, back.reused) == (0, 8)
        assert not (sample / "dist" / "fiches" / "abiko-fr.pdf").exists()
        assert _pdfs(sample) == _cold_build(sample)


def test_a_changed_image_lays_out_its_fiche_again(sample):
    (sample / "images").mkdir()
    Image.new("RGB", (1600, 1200), (31, 58, 104)).save(sample / "images" / "photo.png")
    edit(sample, ISSY, "lang: fr\n", "lang: fr\nphoto: images/photo.png\n")
    with Builder(sample) as builder:
        builder.build()
        Image.new("RGB", (1600, 1200), (183, 40, 46)).save(sample / "images" / "photo.png")
        changed = builder.build()
    assert (changed.laid_out, changed.reused) == (2, 6)
    assert _pdfs(sample) == _cold_build(sample)


def test_a_changed_stylesheet_lays_out_everything(sample):
    with Builder(sample) as builder:
        builder.build()
        (sample / "layouts").mkdir()
        css = (DEFAULT_LAYOUT_DIR / "booklet.css").read_text(encoding="utf-8")
        (sample / "layouts" / "booklet.css").write_text(
            css.replace("--accent: #1f3a68;", "--accent: #2a5d3c;"), encoding="utf-8")
        restyled = builder.build()
    assert (restyled.laid_out, restyled.reused) == (8, 0)
    assert _pdfs(sample) == _cold_build(sample)


def test_changed_labels_lay_out_everything(sample):
    with Builder(sample) as builder:
        builder.build()
        (sample / "layouts").mkdir()
        labels = (DEFAULT_LAYOUT_DIR / "labels.yaml").read_text(encoding="utf-8")
        assert "Sommaire" in labels
        (sample / "layouts" / "labels.yaml").write_text(labels.replace("Sommaire", "Table"),
                                                        encoding="utf-8")
        relabelled = builder.build()
    assert (relabelled.laid_out, relabelled.reused) == (8, 0)
    assert "Table" in page_texts(sample / "dist" / "booklet-fr.pdf")[1]
    assert _pdfs(sample) == _cold_build(sample)


def test_worker_processes_render_the_parts_and_give_the_same_pdfs(sample):
    with Builder(sample, workers=2) as builder:
        builder.build()
        assert builder.pool is not None
        _add_sentence(sample)
        edited = builder.build()
    assert (edited.laid_out, edited.reused) == (2, 6)
    in_workers = _pdfs(sample)
    with Builder(sample, use_cache=False, workers=1) as builder:  # one process, no cache
        builder.build()
    assert builder.pool is None
    assert _pdfs(sample) == in_workers == _cold_build(sample)


@pytest.mark.parametrize("rows", [35, 1], ids=["right guess", "wrong guess"])
def test_pages_rendered_on_a_guessed_front_matter_length_give_the_same_pdfs(sample, monkeypatch,
                                                                            rows):
    """A cold build renders the front matter and the fiches' pages at once, numbered as if
    the front matter took the guessed length: used if the guess holds (the sample's front
    matter takes 2 pages, as guessed with 35 rows a page), dropped if not (1 row a page
    guesses 3)."""
    import booklet.building.front_matter

    with Builder(sample, use_cache=False, workers=1) as builder:
        builder.build()
    alone = _pdfs(sample)
    shutil.rmtree(sample / "dist")
    monkeypatch.setattr(booklet.building.front_matter, "CONTENTS_ROWS_A_PAGE", rows)
    with Builder(sample, workers=2) as builder:
        cold = builder.build()
    assert cold.laid_out == 8
    assert _pdfs(sample) == alone


@pytest.mark.parametrize("rows", [35, 1], ids=["right guess", "wrong guess"])
def test_a_booklet_assembled_while_its_parts_come_is_the_same(sample, monkeypatch, tmp_path,
                                                              rows):
    """`booklet build --edition fr -o` assembles its one booklet part by part while the workers
    render (after the pages rendered on a wrong guess of the front matter's length are
    dropped): the same bytes as the booklet assembled afterwards from the same parts."""
    import booklet.building.front_matter
    import booklet.building.workers
    from booklet.pdf.assembly import Assembly

    with Builder(sample, use_cache=False, workers=1) as builder:
        builder.build()
    afterwards = (sample / "dist" / "booklet-fr.pdf").read_bytes()
    added = []
    monkeypatch.setattr(Assembly, "add", lambda self, part, add=Assembly.add: (
        added.append(part.key), add(self, part)))
    monkeypatch.setattr(booklet.building.front_matter, "CONTENTS_ROWS_A_PAGE", rows)
    monkeypatch.setattr(booklet.building.workers, "assemble", None)  # not afterwards
    with Builder(sample, use_cache=False, workers=2, one_shot=True) as builder:
        builder.build(edition="fr", output=tmp_path / "fr.pdf")
    assert (tmp_path / "fr.pdf").read_bytes() == afterwards
    assert len(added) == 4  # cover and contents, two fiches, the index: added once each


def test_the_cache_outlives_the_builder_like_a_second_booklet_build(sample):
    assert run("build", sample, "-q").exit_code == 0
    with Builder(sample) as builder:
        again = builder.build()
    assert (again.laid_out, again.reused) == (0, 8)
    _add_sentence(sample)
    with Builder(sample) as builder:
        edited = builder.build()
    assert (edited.laid_out, edited.reused) == (2, 6)
    assert _pdfs(sample) == _cold_build(sample)


def test_a_broken_edit_keeps_the_last_good_pdfs_and_the_next_fix_builds(sample):
    with Builder(sample) as builder:
        builder.build()
        before = _pdfs(sample)
        edit(sample, ISSY, "population: ", "population: beaucoup ")
        with pytest.raises(DataError):
            builder.build()
        assert _pdfs(sample) == before
        edit(sample, ISSY, "population: beaucoup ", "population: ")
        _add_sentence(sample)
        fixed = builder.build()
    assert fixed.laid_out == 2
    assert flat(SENTENCE) in flat(page_texts(sample / "dist" / "booklet-ja.pdf")[2])


def test_watching_renders_an_edited_fiche_before_planning_and_only_once(sample):
    with Builder(sample, publish_early=True, workers=2) as builder:
        builder.build()
        _add_sentence(sample)
        edited = builder.build()
        assert (edited.laid_out, edited.reused) == (2, 6)  # taken over, not rendered twice
        assert flat(SENTENCE) in flat(page_texts(
            sample / "dist" / "fiches" / "issy-les-moulineaux-fr.pdf")[0])
        # a new name moves nothing but is printed elsewhere: the last plan no longer holds
        edit(sample, ISSY, "name: Issy-les-Moulineaux", "name: Issy")
        renamed = builder.build()
        assert renamed.laid_out == 8  # both fiches print it (partner), contents and index too
        assert not builder.in_flight
    assert _pdfs(sample) == _cold_build(sample)

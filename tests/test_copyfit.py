"""Exactly one page per collectivité: fiches that fit, that are set smaller, that cannot fit."""

from __future__ import annotations

import collections

import pypdfium2
import pypdfium2.raw as pdfium
import pytest

from booklet.compose.copyfit import describe_sections, fit_steps
from booklet.compose.templating import load_layout
from booklet.render.fitting import fit
from booklet.resources import DEFAULT_LAYOUT_DIR
from conftest import REPO, page_texts, reader, run

ISSY = "fiches/issy-les-moulineaux.yaml"
PX_TO_PT = 0.75  # WeasyPrint writes font sizes in CSS pixels, scaled to points by the page


def body_size_pt(pdf, page_index) -> float:
    """The most common font size on a page: the body text's."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        text = document[page_index].get_textpage()
        sizes = collections.Counter(round(pdfium.FPDFText_GetFontSize(text.raw, i) * PX_TO_PT, 2)
                                    for i in range(text.count_chars()))
        return sizes.most_common(1)[0][0]
    finally:
        document.close()


def _add_text(project, section, sentence, times):
    path = project / ISSY
    text = path.read_text(encoding="utf-8")
    marker = f"  {section}: >\n"
    path.write_text(text.replace(marker, f"{marker}    {' '.join([sentence] * times)}\n"),
                    encoding="utf-8")


def _steps():
    return fit_steps(load_layout(REPO).settings["copyfit"])


def test_steps_go_from_full_size_to_the_minimum():
    steps = _steps()
    assert steps[0].body_size_pt == 9 and steps[-1].body_size_pt == 7.5
    sizes = [s.body_size_pt for s in steps]
    assert sizes == sorted(sizes, reverse=True)
    # body size first, then leading, then photo
    assert steps[1].leading == steps[0].leading and steps[-1].leading < steps[0].leading
    assert steps[-1].photo_height_mm < steps[0].photo_height_mm


def test_fiches_that_fit_are_set_at_full_size(built):
    pdf = built / "dist" / "booklet-fr.pdf"
    assert body_size_pt(pdf, 2) == 9


@pytest.mark.slow  # checks and builds
def test_a_long_fiche_is_set_smaller_and_stays_on_one_page(sample):
    _add_text(sample, "highlights", "Issy-les-Moulineaux développe aussi des projets "
              "culturels et numériques avec ses partenaires.", 12)
    result = run("check", sample)
    assert result.exit_code == 0, result.output
    assert (f"{sample}/{ISSY}:4:1: info: French page: shrunk to fit, body ") in result.output
    result = run("build", sample)
    assert result.exit_code == 0, result.output
    for edition in ("fr", "ja"):
        pdf = sample / "dist" / f"booklet-{edition}.pdf"
        pages = page_texts(pdf)
        assert len(pages) == 5  # still cover + contents + 2 fiches + index
        assert pages[2].startswith("Issy-les-Moulineaux")
        assert pages[3].startswith("Ichikawa" if edition == "fr" else "市川市")
        size = body_size_pt(pdf, 2)
        assert 7.5 <= size < 9
        assert len(reader(sample / "dist" / "fiches" / f"issy-les-moulineaux-{edition}.pdf")
                   .pages) == 1
    # the size used is the one reported, and the largest that fits: a layout whose only
    # step is the next size up cannot fit the fiche
    used = body_size_pt(sample / "dist" / "booklet-fr.pdf", 2)
    assert f"French page: shrunk to fit, body {used:g} pt" in run("check", sample).output
    sizes = _steps()
    larger = [s.body_size_pt for s in sizes if s.body_size_pt > used][-1]
    (sample / "layouts").mkdir()
    (sample / "layouts" / "layout.yaml").write_text(
        f"copyfit:\n  body_size_pt: [{larger}]\n  leading: [{sizes[0].leading}]\n"
        f"  photo_height_mm: [{sizes[0].photo_height_mm}]\n", encoding="utf-8")
    result = run("check", sample)
    assert result.exit_code == 1
    assert "the French text of Issy-les-Moulineaux is about " in result.output


@pytest.mark.slow  # two builds
def test_a_fiche_that_cannot_fit_says_how_much_to_cut(sample):
    before = run("build", sample, "--quiet")
    assert before.exit_code == 0
    booklet = (sample / "dist" / "booklet-fr.pdf").read_bytes()
    _add_text(sample, "history", "Un texte beaucoup trop long pour une seule page.", 80)
    result = run("build", sample)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"{sample}/{ISSY}:4:1: error: the French text of Issy-les-Moulineaux "
                            "is about ")
    assert "characters too long for one page even at the smallest size (7.5 pt); shorten section" in (
        first)
    cut = int(first.split("is about ")[1].split(" characters")[0].replace(",", ""))
    assert 100 <= cut <= 4000
    assert (sample / "dist" / "booklet-fr.pdf").read_bytes() == booklet


def test_check_reports_the_fit_of_every_fiche_and_edition(sample):
    result = run("check", sample)
    info = [line for line in result.output.splitlines() if ": info: " in line and "page:" in line]
    assert len(info) == 4  # 2 fiches × 2 editions
    assert f"{sample}/{ISSY}:4:1: info: Japanese page: full size (9 pt)" in result.output


def test_project_layout_sets_its_own_minimum(sample):
    (sample / "layouts").mkdir()
    settings = (DEFAULT_LAYOUT_DIR / "layout.yaml").read_text(encoding="utf-8")
    (sample / "layouts" / "layout.yaml").write_text(
        settings.replace("body_size_pt: [9.0,", "body_size_pt: [14, 13, 12, 9.0,"), encoding="utf-8")
    result = run("check", sample)
    assert f"{sample}/{ISSY}:4:1: info: French page: shrunk to fit, body 9 pt (full size 14 pt)" \
        in result.output
    assert f"{sample}/fiches/ichikawa.yaml:4:1: info: French page: full size (14 pt)" in result.output


@pytest.mark.parametrize("numbers, text", [([6], "section 6"), ([5, 6], "sections 5 and 6"),
                                           ([4, 5, 6], "sections 4 to 6"),
                                           ([1, 3, 6], "sections 1, 3 and 6")])
def test_describe_sections(numbers, text):
    assert describe_sections(numbers) == text


@pytest.mark.slow  # the page laid out at every step of copyfitting
def test_a_sidebar_too_tall_for_the_page_is_an_error(sample):
    partners = "".join(f"  - Ville partenaire numéro {n} en Europe\n" for n in range(70))
    _edit_partners = (sample / ISSY).read_text(encoding="utf-8").replace(
        "partners:\n  - ichikawa\n", f"partners:\n  - ichikawa\n{partners}")
    (sample / ISSY).write_text(_edit_partners, encoding="utf-8")
    result = run("check", sample)
    assert result.exit_code == 1
    assert (f"{sample}/{ISSY}:4:1: error: the French page of Issy-les-Moulineaux: the key "
            "figures, partners, contact and photo do not fit beside the texts") in result.output


@pytest.mark.parametrize("guess", [None, 1, 2, 3, 4, 9])
@pytest.mark.parametrize("first_fitting", range(6))  # 5: no step fits
def test_the_search_finds_the_largest_fitting_step(guess, first_fitting):
    """The search alone, over five steps: a stand-in says which steps fit."""
    tried = []

    def render_at(step):
        tried.append(step)
        return step

    result = fit(render_at, 5, estimate=lambda _, step: guess if step == 0 else None,
                 fits=lambda step: step >= first_fitting)
    assert result.step == (first_fitting if first_fitting < 5 else None)
    assert result.rendered == min(first_fitting, 4)  # the smallest size when nothing fits
    assert len(tried) == len(set(tried))
    if guess == first_fitting:
        assert len(tried) <= 3


def test_a_weasyprint_whose_pages_keep_no_boxes_stops_the_build_with_what_to_do():
    """Copyfitting measures WeasyPrint's laid-out boxes (`page._page_box`, WeasyPrint 70's):
    without them, the build says which WeasyPrint to install, rather than a traceback."""
    from booklet.errors import BookletError
    from booklet.render.fitting import page_box

    class PageOfAnotherWeasyPrint:
        pass

    with pytest.raises(BookletError, match=r"install the WeasyPrint booklet was written for"):
        page_box(PageOfAnotherWeasyPrint())

"""Booklets assembled from the parts' PDFs: one font per face, one structure tree, links,
outline, and pages that look exactly like the parts they were made from."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from conftest import page_texts, pdf_fonts

EDITIONS = ("fr", "ja")


def _booklet(built, edition):
    return built / "dist" / f"booklet-{edition}.pdf"


def _spaced(text: str) -> str:
    """Text with every kind of space as a plain space: a glyph drawn for several characters
    extracts as one of them (WeasyPrint draws a no-break space with the space glyph)."""
    return re.sub(r"[^\S\n]", " ", text)


def _pixels(pdf, page: int, tmp_path) -> bytes:
    """Page `page` (1-based) rendered by poppler, as raw pixels."""
    out = tmp_path / f"{pdf.name.replace('.', '-')}-{page}"
    subprocess.run(["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(out)], check=True)
    return (out.with_suffix(".ppm")).read_bytes()


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_font_face_is_embedded_once(built, edition):
    fonts = pdf_fonts(_booklet(built, edition))
    names = [font["name"] for font in fonts]
    assert len(names) == len(set(names)) >= 3
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts)
    with pikepdf.open(_booklet(built, edition)) as pdf:
        programs = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/Subtype") == "/OpenType"]
    assert len(programs) == len(names)


@pytest.mark.parametrize("edition", EDITIONS)
def test_fiche_pages_are_their_parts_pixel_for_pixel_and_extract_the_same(built, edition,
                                                                          tmp_path):
    booklet = _booklet(built, edition)
    texts = page_texts(booklet)
    for page, fiche in ((3, "issy-les-moulineaux"), (4, "ichikawa")):
        single = built / "dist" / "fiches" / f"{fiche}-{edition}.pdf"
        assert _pixels(booklet, page, tmp_path) == _pixels(single, 1, tmp_path)
        assert _spaced(texts[page - 1]) == _spaced(page_texts(single)[0])
    assert "市川市" in texts[3] and "千葉県" in texts[3]
    assert "Issy-les-Moulineaux" in texts[2]


@pytest.mark.parametrize("edition", EDITIONS)
def test_one_structure_tree_for_the_whole_booklet(built, edition):
    with pikepdf.open(_booklet(built, edition)) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        document = root.K[0]
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        nums = root.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert int(root.ParentTreeNextKey) == len(tree)
        for page in pdf.pages:  # every marked content belongs to an element of its page
            marks = tree[int(page.obj.StructParents)]
            content = page.obj.Contents.read_bytes()
            assert content.count(b"/MCID") == len(marks) > 0
            assert all(element.Pg.objgen == page.obj.objgen for element in marks
                       if "/Pg" in element)
            for annotation in page.obj.get("/Annots", []):
                element = tree[int(annotation.StructParent)]
                assert element.S == "/Link"
                assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                           and kid.Obj.objgen == annotation.objgen for kid in element.K)


@pytest.mark.parametrize("edition", EDITIONS)
def test_links_and_outline_lead_to_the_right_pages(built, edition):
    texts = page_texts(_booklet(built, edition))
    with pikepdf.open(_booklet(built, edition)) as pdf:
        pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        names = pdf.Root.Names.Dests.Names
        dests = {str(names[i]): pages[names[i + 1][0].objgen] for i in range(0, len(names), 2)}
        assert dests == {"fiche-issy-les-moulineaux": 2, "fiche-ichikawa": 3,
                         "partnership-index": 4}
        targets = [(number, dests[str(annotation.Dest)])
                   for number, page in enumerate(pdf.pages)
                   for annotation in page.obj.get("/Annots", []) if "/Dest" in annotation]
        assert {target for _, target in targets} == {2, 3}
        assert {number for number, _ in targets} == {1, 2, 3, 4}  # contents, fiches, index
        with pdf.open_outline() as outline:
            items = [(item.title, pages[item.destination[0].objgen]) for item in outline.root]
    assert [number for _, number in items] == [1, 2, 3, 4]
    for title, number in items:
        assert title.split()[0] in texts[number]


def test_a_collectivite_pdf_has_no_link_pointing_nowhere(built):
    for path in sorted((built / "dist" / "fiches").glob("*.pdf")):
        with pikepdf.open(path) as pdf:
            names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
            anchors = {str(names[i]) for i in range(0, len(names), 2)}
            for annotation in pdf.pages[0].obj.get("/Annots", []):
                assert str(annotation.get("/Dest")) in anchors, path.name
            elements = [pdf.Root.StructTreeRoot.K[0]]
            while elements:  # a detached link reads as plain text, not as a link
                element = elements.pop()
                assert element.get("/S") != "/Link" or any(
                    isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
                    for kid in element.K)
                elements += [kid for kid in element.get("/K", [])
                             if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def test_every_pdf_passes_qpdf_check(built):
    pdfs = sorted((built / "dist").rglob("*.pdf"))
    assert len(pdfs) == 6
    for pdf in pdfs:
        subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_finished_part_prints_and_reads_as_weasyprint_wrote_it(built, edition, tmp_path):
    """The finishing of a part's PDF (compact text arrays, merged /Span elements, fonts of its
    own, renumbered) changes how the collectivité's PDF is written, not what it shows:
    WeasyPrint's own PDF of the same page is compared."""
    from booklet.editions import plan_parts
    from booklet.layouts import load_layout
    from booklet.page_cache import CACHE_DIR, PageCache
    from booklet.parts import at_step, with_borrowed_anchors
    from booklet.project import load_project
    from booklet.render import Renderer
    from booklet.render_setup import RenderSetup

    project, layout = load_project(built), load_layout(built)
    setup = RenderSetup(built.resolve(), project.config.paper)
    parts = plan_parts(project, layout, setup, setup.key(layout), edition, 2)
    page, job = parts.fiches[1]  # Ichikawa: Japanese text and Latin names, justified French
    record = PageCache(built / CACHE_DIR).get(job.key)
    html, _ = with_borrowed_anchors(parts.complete(job).html)
    original = tmp_path / "weasyprint.pdf"
    original.write_bytes(Renderer(layout, setup).render(
        at_step(html, job.steps[record.fit["step"]])).document.write_pdf(pdf_variant=setup.variant))
    assert _pixels(original, 1, tmp_path) == _pixels(record.own_pdf, 1, tmp_path)
    assert page_texts(original) == page_texts(record.own_pdf)
    assert record.own_size < original.stat().st_size / 2


def test_renumbering_changes_glyph_codes_only():
    """Marked-content properties and literal strings keep their bytes; the codes shown with
    a renumbered font change, those of other fonts do not."""
    from booklet.own_fonts import renumber

    content = (b"/Span <</ActualText <FEFF0041> /MCID 0>> BDC BT /F1 9 Tf [<00220023>-2<0022>] TJ"
               b" /F2 9 Tf <0022> Tj ET EMC (a <0022> b) Tj")
    table = {b"0022": b"0001", b"0023": b"0002"}
    assert renumber(content, {b"F1": table}) == (
        b"/Span <</ActualText <FEFF0041> /MCID 0>> BDC BT /F1 9 Tf [<00010002>-2<0001>] TJ"
        b" /F2 9 Tf <0022> Tj ET EMC (a <0022> b) Tj")

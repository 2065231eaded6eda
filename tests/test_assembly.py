"""Booklets assembled from the parts' PDFs: one font per face, one structure tree, links,
outline, and pages that look exactly like the parts they were made from.

The font merge and the joined marked-content sequences read each part's objects as pydyf
writes them (`weasyprint_patches.pydyf_writer`): with BOOKLET_WEASYPRINT_PATCHES=0 (no
placeholder fonts either), each part keeps the fonts and the sequences WeasyPrint wrote,
and the pages look the same."""

from __future__ import annotations

import io
import re
import subprocess

import pikepdf
import pytest

from conftest import PATCHES, page_texts, pdf_fonts

EDITIONS = ("fr", "ja")
FINISHED = PATCHES["pydyf_writer"]
"""Whether parts are finished on pydyf's objects: fonts noted for the merge, text compacted,
a paragraph's lines joined in one marked-content sequence."""


def _booklet(built, edition):
    return built / "dist" / f"booklet-{edition}.pdf"


def _kids(element) -> list:
    """An element's /K as a list: PDF lets a single kid stand alone."""
    kids = element.get("/K", [])
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(kid) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and "/S" in kid


def _elements(element) -> list:
    """The structure elements under `element`, depth first."""
    kids = [kid for kid in _kids(element) if _is_element(kid)]
    return [found for kid in kids for found in (kid, *_elements(kid))]


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


def _pdfium_difference(first, second) -> int:
    """The largest difference of one colour channel between the first pages of two PDFs
    rendered by pdfium (Chromium's PDF viewer), out of 255."""
    import pypdfium2
    from PIL import ImageChops

    images = [pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil() for pdf in (first, second)]
    return max(high for _, high in ImageChops.difference(*images).getextrema())


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_font_face_is_embedded_once(built, edition):
    fonts = pdf_fonts(_booklet(built, edition))
    names = [font["name"] for font in fonts]
    if FINISHED:
        assert len(names) == len(set(names)) >= 3
    else:  # not merged: each part's own subsets, as WeasyPrint embedded them
        assert len(names) > len(set(names)) >= 3
    assert all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts)
    with pikepdf.open(_booklet(built, edition)) as pdf:
        programs = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/Subtype") in ("/OpenType", "/CIDFontType0C")]
    assert len(programs) == len(names)


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_face_holds_only_the_glyphs_the_booklet_shows(built, edition):
    """The bundled faces are embedded as compact CID-keyed CFF: one glyph for each glyph id
    the pages show, reached by its id as CID, and no empty slot for the ids in between."""
    from fontTools.cffLib import CFFFontSet

    from booklet.pdf.font_merge import parse_to_unicode, parse_widths

    with pikepdf.open(_booklet(built, edition)) as pdf:
        fonts = {font.objgen: font for page in pdf.pages
                 for font in page.obj.Resources.Font.values()}
        for font in fonts.values():
            descendant = font.DescendantFonts[0]
            program = descendant.FontDescriptor.FontFile3
            if not FINISHED:  # WeasyPrint's own subsets
                assert program.Subtype == "/OpenType"
                continue
            assert program.Subtype == "/CIDFontType0C" and "/CIDToGIDMap" not in descendant
            shown = set(parse_widths(descendant.W)) | set(parse_to_unicode(
                font.ToUnicode.read_bytes()))
            cff = CFFFontSet()
            cff.decompile(io.BytesIO(program.read_bytes()), None)
            charset = cff.topDictIndex[0].charset
            assert charset == [".notdef"] + [f"cid{glyph:05d}" for glyph in sorted(shown - {0})]


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
        elements = _elements(document)
        assert {"/Art", "/H1", "/H2", "/P", "/L", "/LI", "/Link"} <= {e.S for e in elements}
        for element in elements:  # each kid knows its parent; only wrapping boxes are gone
            kids = _kids(element)
            assert all(kid.P.objgen == element.objgen for kid in kids if _is_element(kid))
            assert not (element.S in ("/Div", "/NonStruct") and all(map(_is_element, kids)))
            if any(isinstance(kid, int) for kid in kids):
                assert "/Pg" in element
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
    """The finishing of a part's PDF (compact text arrays, merged /Span elements, compact fonts
    of its own) changes how the collectivité's PDF is written, not what it shows:
    WeasyPrint's own PDF of the same page is compared."""
    from booklet.building.page_cache import CACHE_DIR, PageCache
    from booklet.compose.copyfit import at_step
    from booklet.compose.editions import plan_parts
    from booklet.compose.templating import load_layout
    from booklet.project.loading import load_project
    from booklet.records import RenderSetup
    from booklet.render.part import with_borrowed_anchors
    from booklet.render.renderer import Renderer
    from booklet.render.setup import setup_key

    project, layout = load_project(built), load_layout(built)
    setup = RenderSetup(built.resolve(), project.config.paper)
    parts = plan_parts(project, layout, setup, setup_key(setup, layout), edition, 2)
    page, job = parts.fiches[1]  # Ichikawa: Japanese text and Latin names, justified French
    record = PageCache(built / CACHE_DIR).get(job.key)
    html, _ = with_borrowed_anchors(parts.complete(job).html)
    original = tmp_path / "weasyprint.pdf"
    original.write_bytes(Renderer(layout, setup).render(
        at_step(html, job.steps[record.fit["step"]])).document.write_pdf(pdf_variant=setup.variant))
    assert _pixels(original, 1, tmp_path) == _pixels(record.own_pdf, 1, tmp_path)
    # pdfium smooths a bare CFF a shade differently (19 of 255 at most); a wrong glyph is ~255
    assert _pdfium_difference(original, record.own_pdf) <= 48
    assert page_texts(original) == page_texts(record.own_pdf)
    if FINISHED and PATCHES["placeholder_fonts"]:
        assert record.own_size < original.stat().st_size / 2
    else:  # WeasyPrint's text and fonts, written again by pikepdf
        assert abs(record.own_size - original.stat().st_size) < original.stat().st_size / 20


@pytest.mark.parametrize("edition", EDITIONS)
def test_each_paragraph_of_a_fiche_is_one_marked_content_sequence(built, edition):
    """Every MCID a page draws is in the parent tree, once, and in the /K of the element the
    tree names for it; on a fiche page the lines of each paragraph share one sequence."""
    with pikepdf.open(_booklet(built, edition)) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        trees = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages):
            drawn = [int(m) for m in re.findall(rb"/MCID (\d+)", page.obj.Contents.read_bytes())]
            marks = trees[int(page.obj.StructParents)]
            assert sorted(drawn) == list(range(len(marks)))
            assert all(mcid in list(marks[mcid].K) for mcid in drawn)
            if number in (2, 3):  # the two fiche pages
                paragraphs = {mark.objgen: mark for mark in marks if mark.S == "/P"}.values()
                assert paragraphs
                sequences = [sum(isinstance(kid, int) for kid in paragraph.K)
                             for paragraph in paragraphs]
                if FINISHED:
                    assert all(count == 1 for count in sequences), sequences
                else:  # WeasyPrint's own: one sequence a line
                    assert all(count >= 1 for count in sequences) and max(sequences) > 1

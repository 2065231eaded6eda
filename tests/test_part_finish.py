"""A part finished on WeasyPrint's own objects (`render.part_finish`): the links to other parts taken
out and described, the glyphs of each face noted, nothing left over in the written file."""

from __future__ import annotations

import io

import pikepdf
import pytest

from booklet.compose.templating import load_layout
from booklet.records import LINK_ID, RenderSetup
from booklet.render.part import with_borrowed_anchors
from booklet.render.renderer import Renderer
from conftest import PATCHES

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head>
<body><div><section><h2><span>1.</span> <span>Titre</span></h2>
<p>Jumelée avec <a href="#jp-0001">Ichikawa 市川市</a> <span>p. 7</span> et
<a href="#ici">ici</a>, une phrase assez longue pour tenir sur deux lignes.</p>
<p id="ici" lang="ja">日本語の段落です。</p></section></div></body></html>"""


@pytest.fixture
def finished(sample):
    renderer = Renderer(load_layout(sample), RenderSetup(sample))
    html, borrowed = with_borrowed_anchors(HTML)
    assert borrowed == ["jp-0001"]
    return renderer.write_pdf(renderer.render(html).document, borrowed=frozenset(borrowed))


def test_a_link_to_another_part_is_taken_out_and_described(finished):
    (link,) = finished.links
    assert link["page"] == 0 and link["target"] == "jp-0001" and link["id"] == f"{LINK_ID}0"
    assert len(link["rect"]) == 4 and link["rect"][0] < link["rect"][2]
    with pikepdf.open(io.BytesIO(finished.content)) as pdf:
        annotations = pdf.pages[0].obj.get("/Annots", [])
        assert [str(a.Dest) for a in annotations] == ["ici"]  # the link inside the part stays
        names = [str(name) for name in pdf.Root.Names.Dests.Names[::2]]
        assert "jp-0001" not in names and "ici" in names
        spans = [element for element in _elements(pdf.Root.StructTreeRoot)
                 if str(element.get("/ID", "")) == link["id"]]
        assert len(spans) == 1 and spans[0].S == "/Span"
        assert link["mcid"] in [int(kid) for kid in spans[0].K if isinstance(kid, int)]
        assert spans[0].objgen in {element.objgen for element in pdf.Root.StructTreeRoot
                                   .ParentTree.Nums[1]}


def test_the_glyphs_of_each_face_are_noted(finished):
    """Read from the font dictionaries as pydyf writes them (`pydyf_writer`); where that
    patch does not apply, nothing is noted, and the part keeps WeasyPrint's own subsets
    (as long as `placeholder_fonts` does not apply either)."""
    faces = finished.fonts
    if not PATCHES["pydyf_writer"]:
        assert faces == {}
        with pikepdf.open(io.BytesIO(finished.content)) as pdf:
            programs = [(str(program.Subtype), len(program.read_bytes())) for program in (
                font.DescendantFonts[0].FontDescriptor.FontFile3
                for font in pdf.pages[0].obj.Resources.Font.values())]
        assert programs and all(kind == "/OpenType" and size > 1000 for kind, size in programs)
        return
    assert faces
    if PATCHES["placeholder_fonts"]:
        assert all(face["source"].startswith("Noto") for face in faces.values())
    texts = "".join(text for face in faces.values() for _, text in face["text"])
    for character in "Jumelée市川日本語":
        assert character in texts
    for face in faces.values():
        assert {glyph for glyph, _ in face["widths"]} >= {glyph for glyph, _ in face["text"]}


def test_nothing_is_left_over_in_the_written_part(finished):
    """Compressed in object streams, and every structure element the file holds is in its
    structure tree, or holds marked content (the merged spans, flattened groups, stand-in
    anchors and detached links are emptied)."""
    assert b"/ObjStm" in finished.content
    with pikepdf.open(io.BytesIO(finished.content)) as pdf:
        held = {item.objgen for item in pdf.objects
                if isinstance(item, pikepdf.Dictionary) and "/S" in item}
        tree = pdf.Root.StructTreeRoot
        reachable = {element.objgen for element in _elements(tree)}
        for element in tree.ParentTree.Nums[1]:  # WeasyPrint leaves some out of the tree
            while isinstance(element, pikepdf.Dictionary) and "/S" in element:
                reachable.add(element.objgen)
                element = element.get("/P")
        assert held == reachable
        assert not [item for item in pdf.objects if isinstance(item, pikepdf.Dictionary)
                    and item.get("/Subtype") == "/Link" and item.get("/Type") == "/Annot"
                    and str(item.get("/Dest", "")) == "jp-0001"]


def _elements(element):
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)

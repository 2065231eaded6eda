"""A part's structure tree is made lean while WeasyPrint writes it: no plain spans, no
wrapping groups, every marked content still found from the parent tree, the text as typed."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf
import pytest

from booklet.compose.templating import load_layout
from booklet.records import RenderSetup
from booklet.render.renderer import Renderer
from conftest import PATCHES

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head>
<body><div><div><section><h2><span>1.</span> <span><span>Titre</span></span></h2>
<div><p>Premier paragraphe, assez long pour tenir sur plusieurs lignes de la page, avec
<em>un mot</em> et <a href="#cible">un lien</a>. Encore une phrase pour la deuxième ligne
et une troisième, qui continue encore un peu.</p></div>
<p lang="ja" id="cible">日本語の段落です。「括弧」と、句読点。</p></section></div></div>
<dl><dt>Région</dt><dd>Île-de-France</dd></dl></body></html>"""


def _elements(element):
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


@pytest.fixture
def written(sample):
    renderer = Renderer(load_layout(sample), RenderSetup(sample))
    document = renderer.render(HTML).document
    return renderer.write_pdf(document).content, document.write_pdf(pdf_variant="pdf/ua-1")


def test_no_plain_span_and_no_wrapping_group_is_left(written):
    lean, _ = written
    with pikepdf.open(io.BytesIO(lean)) as pdf:
        elements = list(_elements(pdf.Root.StructTreeRoot.K[0]))
        kinds = [str(element.S) for element in elements]
        assert {"/H2", "/P", "/Link", "/L"} <= set(kinds)
        for element in elements:
            kids = list(element.get("/K", []))
            plain = set(element.keys()) <= {"/S", "/K", "/P", "/Pg"}
            assert not (element.S in ("/Span", "/NonStruct") and plain and kids
                        and all(isinstance(kid, int) for kid in kids)), kinds
            assert not (element.S in ("/Div", "/NonStruct") and plain and kids
                        and all(isinstance(kid, pikepdf.Dictionary) and "/S" in kid
                                for kid in kids)), kinds
            assert "/Type" not in element
            assert ("/Pg" in element) == any(isinstance(kid, int) for kid in kids)
            for kid in kids:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    assert kid.P.objgen == element.objgen


def test_every_marked_content_is_found_from_the_parent_tree(written):
    """Each MCID the page draws is in the parent tree once and in its element's /K; the
    lines of a paragraph share one sequence, so there are fewer than WeasyPrint made (where
    the content can be read as pydyf writes it, `pydyf_writer`; else it is left as it is)."""
    lean, plain = written
    with pikepdf.open(io.BytesIO(lean)) as pdf, pikepdf.open(io.BytesIO(plain)) as original:
        marks = pdf.Root.StructTreeRoot.ParentTree.Nums[1]
        drawn = [int(m) for m in re.findall(rb"/MCID (\d+)", pdf.pages[0].Contents.read_bytes())]
        assert sorted(drawn) == list(range(len(marks)))
        for mcid, element in enumerate(marks):
            assert mcid in list(element.K)
        assert len({element.objgen for element in marks if element.S == "/P"}) == 2
        if PATCHES["pydyf_writer"]:
            assert len(marks) < len(original.Root.StructTreeRoot.ParentTree.Nums[1])
        else:
            assert len(marks) == len(original.Root.StructTreeRoot.ParentTree.Nums[1])
        count = len(list(_elements(pdf.Root.StructTreeRoot.K[0])))
        assert count < len(list(_elements(original.Root.StructTreeRoot.K[0]))) / 2
    assert page_texts_of(lean) == page_texts_of(plain)


def page_texts_of(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_glyph_codes_that_read_as_operators_are_left_alone():
    """Literal strings hold glyph codes, any bytes: "EMC" or "<</MCID 1>>" in them are text."""
    import pydyf

    from booklet.pdf.marked_content import join_sequences

    element = pydyf.Dictionary({"K": pydyf.Array([0, 1])})
    content = (b"/P <</MCID 0>> BDC BT [(EMC /P <</MCID 1>> BDC)] TJ ET EMC\n"
               b"/P <</MCID 1>> BDC BT [(\\(<</MCID 1>>)] TJ ET EMC")
    joined, marks = join_sequences(content, [b"5 0 R", b"5 0 R"],
                                   lambda value: element if value == b"5 0 R" else value)
    assert joined == (b"/P <</MCID 0>> BDC BT [(EMC /P <</MCID 1>> BDC)] TJ ET \n"
                      b" BT [(\\(<</MCID 1>>)] TJ ET EMC")
    assert list(marks) == [b"5 0 R"] and list(element["K"]) == [0]

"""Pages whose margin boxes are all empty are laid out without them (`empty_margins`); a
page with something in a margin keeps it. Where the patch does not apply (another
WeasyPrint, or BOOKLET_WEASYPRINT_PATCHES=0), WeasyPrint's own function makes every page's
margin boxes, and the pages are the same."""

from __future__ import annotations

import io

import pypdf
from weasyprint import HTML, layout
from weasyprint.layout import page

from booklet.weasyprint_patches.empty_margins import skipping
from conftest import PATCHES

PAGES = """<style>
@page { size: A6; @bottom-right { content: "folio " counter(page); } }
@page plain { @bottom-right { content: none; } }
.plain { page: plain; }
</style><p>Une page avec un folio.</p><p class="plain">Une page sans rien dans ses marges.</p>"""

OWN = page.make_margin_boxes
"""WeasyPrint's own function."""


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_the_hook_is_in_place_only_where_the_patch_applies():
    hook = layout.make_margin_boxes
    if PATCHES["empty_margins"]:
        assert hook.booklet and hook.original is OWN
    else:
        assert hook is OWN


def test_only_pages_with_something_in_their_margins_get_margin_boxes(monkeypatch):
    asked = []

    def counted(context, page, state):
        asked.append(page.page_type.name)
        return OWN(context, page, state)

    monkeypatch.setattr(layout, "make_margin_boxes",
                        skipping(counted) if PATCHES["empty_margins"] else counted)
    pages = _texts(HTML(string=PAGES).write_pdf())
    assert "folio 1" in pages[0] and "folio" not in pages[1]
    if PATCHES["empty_margins"]:
        assert asked == [""]  # the first page (no page name) only
    else:  # WeasyPrint's own: every page's margin boxes are made
        assert asked == ["", "plain"]


def test_a_page_is_the_same_without_its_empty_margin_boxes(monkeypatch):
    plain = PAGES.replace("@page {", "@page unused {")  # no margin content anywhere
    monkeypatch.setattr(layout, "make_margin_boxes", skipping(OWN))
    ours = HTML(string=plain).write_pdf(pdf_identifier=b"t")
    monkeypatch.setattr(layout, "make_margin_boxes", OWN)
    assert ours == HTML(string=plain).write_pdf(pdf_identifier=b"t")

"""Pages whose margin boxes are all empty are laid out without them (`empty_margins`); a
page with something in a margin keeps it."""

from __future__ import annotations

import io

import pypdf
from weasyprint import HTML, layout

from booklet.weasyprint_patches.empty_margins import skipping

PAGES = """<style>
@page { size: A6; @bottom-right { content: "folio " counter(page); } }
@page plain { @bottom-right { content: none; } }
.plain { page: plain; }
</style><p>Une page avec un folio.</p><p class="plain">Une page sans rien dans ses marges.</p>"""


def test_only_pages_with_something_in_their_margins_get_margin_boxes(monkeypatch):
    hook = layout.make_margin_boxes
    assert getattr(hook, "booklet", False)
    asked = []

    def original(context, page, state):
        asked.append(page.page_type.name)
        return hook.original(context, page, state)

    monkeypatch.setattr(layout, "make_margin_boxes", skipping(original))
    pdf = HTML(string=PAGES).write_pdf()
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert "folio 1" in pages[0] and "folio" not in pages[1]
    assert asked == [""]  # the first page (no page name) only


def test_a_page_is_the_same_without_its_empty_margin_boxes(monkeypatch):
    plain = PAGES.replace("@page {", "@page unused {")  # no margin content anywhere
    ours = HTML(string=plain).write_pdf(pdf_identifier=b"t")
    monkeypatch.setattr(layout, "make_margin_boxes", layout.make_margin_boxes.original)
    assert ours == HTML(string=plain).write_pdf(pdf_identifier=b"t")

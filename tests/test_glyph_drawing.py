"""Lines drawn by booklet's copy of WeasyPrint's `draw_first_line` (`glyph_drawing`): a
part's PDF is the same bytes as with WeasyPrint's own function followed by `compact_text`,
and the copy draws every line it can."""

from __future__ import annotations

import io

import pypdf
import pytest
from weasyprint.draw import text

from booklet.compose.templating import load_layout
from booklet.records import RenderSetup
from booklet.render.renderer import Renderer
from booklet.weasyprint_patches import glyph_drawing

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>t</title></head>
<body><h1>AVANT-PROPOS · Wagon · Tôt</h1>
<p style="text-align: justify; width: 60mm">Les services municipaux ont développé, avec la
<strong>ville partenaire</strong>, des échanges\u00a0scolaires et culturels : 12 000 élèves,
«\u202fguillemets\u202f» et co\u00adopération. AV Wa Te Yo, « ﬁn » et ligatures.</p>
<p lang="ja" style="text-align: justify; width: 50mm">日本語の段落です。「括弧」と、句読点。全角の
ＡＢＣ１２３と\u3000全角スペース、そしてLatin textも含みます。ゼロ幅\u200bの文字。</p>
</body></html>"""
MISSING = "\U0001F9A9"
"""A character no font of the layout has."""


@pytest.fixture
def renderer(sample):
    return Renderer(load_layout(sample), RenderSetup(sample, date="2026-01-01T00:00:00Z"))


def _part(renderer, html: str = HTML) -> bytes:
    return renderer.write_pdf(renderer.render(html).document, identity="t").content


def _drawn_by_copy(monkeypatch) -> list[str]:
    """Lines are drawn by a fresh copy; returns the list of the lines it leaves to
    WeasyPrint's own function."""
    copy, fallen_back = text.draw_first_line, []
    assert getattr(copy, "booklet", False)  # installed by booklet.render.renderer

    def original(*args):
        fallen_back.append(args[1].text)
        return copy.original(*args)

    monkeypatch.setattr(text, "draw_first_line", glyph_drawing._drawer(original))
    return fallen_back


def test_a_part_is_the_same_bytes_as_drawn_by_weasyprint(renderer, monkeypatch):
    original = text.draw_first_line.original
    fallen_back = _drawn_by_copy(monkeypatch)
    ours = _part(renderer)
    assert fallen_back == []
    monkeypatch.setattr(text, "draw_first_line", original)
    assert ours == _part(renderer)


def test_a_line_with_a_character_no_font_has_is_drawn_by_weasyprint(renderer, monkeypatch,
                                                                    caplog):
    fallen_back = _drawn_by_copy(monkeypatch)
    html = HTML.replace("</body>", f"<p>Un caractère qu'aucune police n'a : {MISSING}.</p></body>")
    renderer.write_pdf(renderer.render(html).document)
    assert [MISSING in line for line in fallen_back] == [True]
    assert ".notdef glyph rendered" in caplog.text  # what WeasyPrint reports


def test_the_text_reads_as_typed(renderer):
    reader = pypdf.PdfReader(io.BytesIO(_part(renderer)))
    extracted = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for words in ("AVANT-PROPOS", "ville partenaire", "12 000 élèves", "日本語の段落です。",
                  "全角スペース", "Latin"):
        assert words.replace(" ", "") in extracted.replace(" ", "")


def test_lines_the_compaction_never_reached_look_the_same(renderer, monkeypatch):
    """Text in a transparency group, and a face that got a character it has not: the copy
    writes their TJ operators compactly where `compact_text` left WeasyPrint's; the page
    looks the same, pixel for pixel."""
    import pypdfium2
    from PIL import ImageChops

    from booklet.render.part_finish import own_copy

    html = HTML.replace("<h1>", '<p style="opacity: 0.5">Un texte à demi transparent : AV Wa.</p>'
                        f"<p>Un caractère qu'aucune police n'a : {MISSING}.</p><h1>")

    def page_image():
        finished = renderer.write_pdf(renderer.render(html).document, identity="t")
        own = own_copy(finished.content, finished.fonts, renderer.font_dirs)
        return finished.content, pypdfium2.PdfDocument(own)[0].render(scale=2).to_pil()

    ours, our_image = page_image()
    monkeypatch.setattr(text, "draw_first_line", text.draw_first_line.original)
    theirs, their_image = page_image()
    assert ours != theirs  # the bytes differ there, as glyph_drawing's docstring says
    difference = ImageChops.difference(our_image.convert("RGB"), their_image.convert("RGB"))
    assert difference.getbbox() is None

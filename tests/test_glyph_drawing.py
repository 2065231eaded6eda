"""Lines drawn by booklet's copy of WeasyPrint's `draw_first_line` (`glyph_drawing`): a
part's PDF is the same bytes as with WeasyPrint's own function followed by `compact_text`,
and the copy draws every line it can. The renderer installs the copy; with
BOOKLET_WEASYPRINT_PATCHES=0 WeasyPrint's own function stays, nothing compacts its TJ
operators, and a fresh copy's part is then the same page in other bytes."""

from __future__ import annotations

import io

import pypdf
import pytest
from weasyprint.draw import text

from booklet.compose.templating import load_layout
from booklet.records import RenderSetup
from booklet.render.renderer import Renderer
from booklet.weasyprint_patches import glyph_drawing
from conftest import PATCHES

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
    return _written(renderer, html).content


def _written(renderer, html: str = HTML):
    return renderer.write_pdf(renderer.render(html).document, identity="t")


def _images(renderer, finished) -> list:
    """The pages of a written part, as images (its fonts its own: `own_copy`)."""
    import pypdfium2

    from booklet.render.part_finish import own_copy

    own = own_copy(finished.content, finished.fonts, renderer.font_dirs)
    return [page.render(scale=2).to_pil().convert("RGB") for page in pypdfium2.PdfDocument(own)]


def _same_pixels(images: list, others: list) -> bool:
    from PIL import ImageChops

    return len(images) == len(others) and all(
        ImageChops.difference(image, other).getbbox() is None
        for image, other in zip(images, others, strict=True))


def _weasyprints():
    """WeasyPrint's own `draw_first_line`, after checking what the renderer put in place: the
    copy, over WeasyPrint's function; or, when the patch is not installed
    (BOOKLET_WEASYPRINT_PATCHES=0), WeasyPrint's function itself."""
    installed = text.draw_first_line
    if PATCHES["glyph_drawing"]:
        assert getattr(installed, "booklet", False)  # installed by booklet.render.renderer
        return installed.original
    assert not hasattr(installed, "booklet")
    assert installed.__code__.co_filename == text.__file__  # WeasyPrint's own
    return installed


def _drawn_by_copy(monkeypatch) -> list[str]:
    """Lines are drawn by a fresh copy; returns the list of the lines it leaves to
    WeasyPrint's own function."""
    weasyprints, fallen_back = _weasyprints(), []

    def original(*args):
        fallen_back.append(args[1].text)
        return weasyprints(*args)

    monkeypatch.setattr(text, "draw_first_line", glyph_drawing._drawer(original))
    return fallen_back


def test_a_part_is_the_same_bytes_as_drawn_by_weasyprint(renderer, monkeypatch):
    """With BOOKLET_WEASYPRINT_PATCHES=0 WeasyPrint's own function is in place and nothing
    compacts its TJ operators (pydyf's writer is not read): the copy's compact ones differ
    from them in bytes, not on the page."""
    original = _weasyprints()
    fallen_back = _drawn_by_copy(monkeypatch)
    ours = _written(renderer)
    assert fallen_back == []
    monkeypatch.setattr(text, "draw_first_line", original)
    theirs = _written(renderer)
    if PATCHES["glyph_drawing"]:
        assert ours.content == theirs.content
    else:
        assert ours.content != theirs.content
        assert _same_pixels(_images(renderer, ours), _images(renderer, theirs))


def test_a_line_with_a_character_no_font_has_is_drawn_by_weasyprint(renderer, monkeypatch,
                                                                    caplog):
    fallen_back = _drawn_by_copy(monkeypatch)
    html = HTML.replace("</body>", f"<p>Un caractère qu'aucune police n'a : {MISSING}.</p></body>")
    renderer.write_pdf(renderer.render(html).document)
    assert [MISSING in line for line in fallen_back] == [True]
    assert ".notdef glyph rendered" in caplog.text  # what WeasyPrint reports


def test_the_text_reads_as_typed(renderer):
    _weasyprints()  # the copy in place, or WeasyPrint's own function when it is not installed
    reader = pypdf.PdfReader(io.BytesIO(_part(renderer)))
    extracted = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    for words in ("AVANT-PROPOS", "ville partenaire", "12 000 élèves", "日本語の段落です。",
                  "全角スペース", "Latin"):
        assert words.replace(" ", "") in extracted.replace(" ", "")


def test_lines_the_compaction_never_reached_look_the_same(renderer, monkeypatch):
    """Text in a transparency group, and a face that got a character it has not: the copy
    writes their TJ operators compactly where `compact_text` left WeasyPrint's; the page
    looks the same, pixel for pixel."""
    html = HTML.replace("<h1>", '<p style="opacity: 0.5">Un texte à demi transparent : AV Wa.</p>'
                        f"<p>Un caractère qu'aucune police n'a : {MISSING}.</p><h1>")
    original = _weasyprints()
    _drawn_by_copy(monkeypatch)
    ours = _written(renderer, html)
    monkeypatch.setattr(text, "draw_first_line", original)
    theirs = _written(renderer, html)
    assert ours.content != theirs.content  # the bytes differ there, as glyph_drawing's docstring says
    assert _same_pixels(_images(renderer, ours), _images(renderer, theirs))

"""Japanese lines broken with WeasyPrint's guess sized for Japanese (`first_line_guess`): the
same lines as WeasyPrint's own guess breaks, at every width, with less text shaped."""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TextBox
from weasyprint.layout import inline
from weasyprint.text import line_break

from booklet.resources import FONTS_DIR
from booklet.weasyprint_patches.first_line_guess import JAPANESE_RATIO, with_ratio
from conftest import PATCHES, SENTENCES

FONTS = (FONTS_DIR / "fonts.css").as_uri()
TEXTS = [
    "".join(SENTENCES),
    "".join(SENTENCES[3:] + SENTENCES[:3]),
    "Issy-les-Moulineaux市とLes Rencontres franco-japonaises de la coopération décentralisée"
    "（日仏自治体交流会議）は2008年から隔年で開催されています。" * 2,
    "ＡＢＣ１２３　全角の英数字と、全角スペース　を含む文章です。" * 3,
    "https://www.city.example.jp/kokusai/exchange/2024/rencontres/index.html を参照。" * 2,
]


@pytest.fixture(scope="module")
def styles():
    """The computed styles of a Japanese paragraph's text, in the sans and the serif face."""
    html = (f'<link rel="stylesheet" href="{FONTS}"><body lang="ja">'
            '<p style="font-family: \'Noto Serif CJK JP Booklet\'; font-size: 9pt">あ</p>'
            '<p style="font-family: \'Noto Sans CJK JP Booklet\'; font-size: 12pt">い</p>')
    page = HTML(string=html, base_url=str(FONTS_DIR)).render().pages[0]
    return [box.style for box in page._page_box.descendants() if isinstance(box, TextBox)]


def broken(split, text, style, width):
    """The lines `split` breaks `text` into at `width`: (length, resume index, width) each."""
    lines, rest = [], text
    while rest:
        _, length, resume, line_width, _, _ = split(rest, style, None, width, 0)
        lines.append((length, resume, round(line_width, 3)))
        if resume is None:
            break
        rest = rest.encode()[resume:].decode()
    return lines


@pytest.mark.parametrize("text", TEXTS)
def test_japanese_lines_break_where_weasyprints_own_guess_breaks_them(styles, text):
    guessed = with_ratio(line_break.split_first_line, JAPANESE_RATIO)
    for style in styles:
        em = style["font_size"]
        for width in (em * 0.8, em * 1.6, em * 3.2, em * 7.5, em * 20.3, em * 31, em * 64):
            assert broken(guessed, text, style, width) == broken(
                line_break.split_first_line, text, style, width), (text[:20], em, width)


def test_japanese_lines_are_broken_with_the_smaller_guess(styles, monkeypatch):
    shaped = []
    create = line_break.create_layout
    monkeypatch.setattr(line_break, "create_layout", lambda text, *args: (
        shaped.append(len(text)), create(text, *args))[1])
    style = styles[0]
    inline.split_first_line(TEXTS[0], style, None, style["font_size"] * 30, 0)
    if PATCHES["first_line_guess"]:
        assert shaped[0] == int(30 * JAPANESE_RATIO)
    else:  # WeasyPrint's own guess: 4 × 30 characters
        assert shaped[0] == 4 * 30
        if not PATCHES["japanese_lines"]:  # which wraps the function too
            assert inline.split_first_line is line_break.split_first_line


def test_another_function_is_left_alone():
    def split_first_line(text, style):
        ratio = 3
        return text[:ratio]

    assert with_ratio(split_first_line, JAPANESE_RATIO) is None

"""Saddle-stitch imposition: printed double-sided, stacked and folded, the sheets read in order."""

from __future__ import annotations

import re
import subprocess

import pypdfium2
import pytest
from weasyprint import HTML

from booklet.pdf.impose import impose

MM = 72 / 25.4


def _numbered_pages(path, count, size="A5"):
    """A PDF whose page k shows 'PAGE k' (WeasyPrint, bundled-font-free: plain ASCII)."""
    pages = "".join(f'<section style="break-after: page">PAGE {k}</section>'
                    for k in range(1, count + 1))
    HTML(string=f"<style>@page {{ size: {size}; margin: 20mm }} body {{ font-size: 30pt }}"
                f"</style>{pages}").write_pdf(path)


def _halves(pdf):
    """For each sheet side: the page number printed on its left half and on its right half
    (None for a blank half)."""
    document = pypdfium2.PdfDocument(pdf)
    sides = []
    try:
        for page in document:
            width, height = page.get_size()
            text = page.get_textpage()
            halves = []
            for left, right in ((0, width / 2), (width / 2, width)):
                found = re.findall(r"PAGE (\d+)", text.get_text_bounded(left, 0, right, height))
                assert len(found) <= 1
                halves.append(int(found[0]) if found else None)
            sides.append(tuple(halves))
    finally:
        document.close()
    return sides


def _reading_order(sides):
    """What a reader sees after printing the sides double-sided (sheet k = sides 2k and 2k+1),
    stacking the sheets in order and folding the stack in the middle: the right halves of the
    fronts and left halves of the backs from the outside in, then back out."""
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]
    first_half = []
    for front, back in sheets:
        first_half += [front[1], back[0]]
    second_half = []
    for front, back in reversed(sheets):
        second_half += [back[1], front[0]]
    return first_half + second_half


@pytest.mark.parametrize("count, expected", [
    (1, [1, None, None, None]),
    (2, [1, 2, None, None]),
    (3, [1, 2, 3, None]),
    (4, [1, 2, 3, 4]),
    (5, [1, 2, 3, 4, 5, None, None, None]),
    (8, [1, 2, 3, 4, 5, 6, 7, 8]),
    (13, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, None, None, None]),
])
def test_folded_sheets_read_in_order(tmp_path, count, expected):
    source, imposed = tmp_path / "pages.pdf", tmp_path / "imposed.pdf"
    _numbered_pages(source, count)
    result = impose(source, imposed, sheet="A4")
    sides = _halves(imposed)
    assert len(sides) == len(expected) // 2 == result.sides
    assert _reading_order(sides) == expected
    assert result.blanks == expected.count(None)
    subprocess.run(["qpdf", "--check", str(imposed)], check=True, capture_output=True)


def test_sheet_sizes_and_scale(tmp_path):
    from pypdf import PdfReader

    _numbered_pages(tmp_path / "a5.pdf", 4, "A5")
    _numbered_pages(tmp_path / "a4.pdf", 4, "A4")
    a5_on_a4 = impose(tmp_path / "a5.pdf", tmp_path / "1.pdf", sheet="A4")
    a4_on_a3 = impose(tmp_path / "a4.pdf", tmp_path / "2.pdf", sheet="A3")
    a4_on_a4 = impose(tmp_path / "a4.pdf", tmp_path / "3.pdf", sheet="A4")
    for name, (width, height) in (("1.pdf", (297, 210)), ("2.pdf", (420, 297)),
                                  ("3.pdf", (297, 210))):
        box = PdfReader(tmp_path / name).pages[0].mediabox
        assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (width, height)
    assert a5_on_a4.scale == pytest.approx(1.0) and a4_on_a3.scale == pytest.approx(1.0)
    assert a4_on_a4.scale == pytest.approx(0.707, abs=0.002)  # A4 reduced to A5


def test_blank_pages_go_before_a_back_cover():
    from booklet.pdf.impose import padded

    assert padded(6, back_cover=True) == [1, 2, 3, 4, 5, None, None, 6]

"""Saddle-stitch imposition: a booklet's pages two per sheet side, to print double-sided and fold.

Pages are padded with blank pages to a multiple of four, at the end (or
before the back cover, when there is one), so that every page stays on the
side, left or right, it has in the screen PDF. Sheet i (from the outside)
carries, on its front, the last unplaced page on the left and the first on
the right, and on its back the next two the other way round; stacked and
folded, the sheets read in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter, Transformation

MM = 72 / 25.4  # PDF points per millimetre
SHEETS = {"A3": (420, 297), "A4": (297, 210)}  # landscape, in mm
PAGE_FOR_SHEET = {"A3": "A4", "A4": "A5"}


@dataclass(frozen=True)
class Imposition:
    """How the pages were placed: the sheet, the scale and the blank pages added."""

    sheet: str
    scale: float
    sides: int
    blanks: int


def padded(count: int, back_cover: bool = False) -> list[int | None]:
    """Page numbers 1..count with blank pages (None) up to a multiple of four, at the end
    (before the back cover when there is one): every page keeps its side, left or right,
    as in the screen PDF."""
    pages: list[int | None] = list(range(1, count + 1))
    end = count - 1 if back_cover and count > 2 else count
    pages[end:end] = [None] * (-count % 4)
    return pages


def saddle_sides(pages: list[int | None]) -> list[tuple[int | None, int | None]]:
    """(left, right) of each sheet side, in printing order: sheet 1 front, sheet 1 back, …"""
    sides, low, high = [], 0, len(pages) - 1
    while low < high:
        sides.append((pages[high], pages[low]))          # front: last on the left, first right
        sides.append((pages[low + 1], pages[high - 1]))  # back: the next two the other way
        low, high = low + 2, high - 2
    return sides


def impose(source, target, sheet: str = "A4", back_cover: bool = False) -> Imposition:
    """Write the saddle-stitch imposition of the PDF `source` on `sheet` (A3 or A4) sheets."""
    reader = PdfReader(source)
    sheet_width, sheet_height = (side * MM for side in SHEETS[sheet])
    slot_width = sheet_width / 2
    first = reader.pages[0]
    page_width, page_height = float(first.trimbox.width), float(first.trimbox.height)
    scale = min(slot_width / page_width, sheet_height / page_height, 1.0)
    pages = padded(len(reader.pages), back_cover)
    writer = PdfWriter()
    for left, right in saddle_sides(pages):
        side = PageObject.create_blank_page(width=sheet_width, height=sheet_height)
        for slot, number in ((0, left), (1, right)):
            if number is None:
                continue
            page = reader.pages[number - 1]
            box = page.trimbox
            x = slot * slot_width + (slot_width - page_width * scale) / 2
            y = (sheet_height - page_height * scale) / 2
            side.merge_transformed_page(page, Transformation()
                                        .translate(-float(box.left), -float(box.bottom))
                                        .scale(scale).translate(x, y))
        writer.add_page(side)
    writer.add_metadata({key: value for key, value in (reader.metadata or {}).items()
                         if isinstance(value, str)})
    writer.write(target)
    return Imposition(sheet, scale, len(pages) // 2, pages.count(None))


def page_width_mm(pdf: Path) -> float:
    """The trimmed width of a PDF's first page, in millimetres."""
    return float(PdfReader(pdf).pages[0].trimbox.width) * 25.4 / 72

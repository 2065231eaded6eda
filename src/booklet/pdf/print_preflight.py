"""`booklet check --print`: what a print shop's preflight would flag, page by page.

Reads a print PDF as built (pypdfium2 for what each page draws, pikepdf for its
fonts) and lists, per page:

- images below 300 dpi at the size they print;
- text smaller than 6 pt;
- hairlines: strokes, or filled rules, thinner than 0.25 pt;
- fonts not embedded;
- colour that crosses a trim edge without reaching the bleed edge (once cut,
  a white sliver may show).

Only what is drawn on the page and its bleed is looked at: the marks, in the
slug around the BleedBox, are the print shop's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

MIN_PRINT_DPI = 300
MIN_TEXT_PT = 6.0
MIN_LINE_PT = 0.25
EDGE_TOLERANCE_PT = 0.5


@dataclass(frozen=True)
class PageProblem:
    """Something on page `page` (1-based) a print shop would refuse or question."""

    page: int
    kind: str
    """'image', 'text', 'hairline', 'font' or 'bleed'."""
    message: str
    pixels: tuple[int, int] | None = None
    """An image's size in pixels (to tell which of the page's images it is)."""


def print_problems(path: Path) -> list[PageProblem]:
    """Every problem of the print PDF at `path`, page by page."""
    import pypdfium2

    problems = _unembedded_fonts(path)
    document = pypdfium2.PdfDocument(path)
    try:
        for index in range(len(document)):
            page = document[index]
            problems += _page_problems(page, index + 1)
            page.close()
    finally:
        document.close()
    return sorted(problems, key=lambda problem: problem.page)


def _page_problems(page, number: int) -> list[PageProblem]:
    import pypdfium2.raw as pdfium

    trim = _box(page, "trim")
    bleed = _box(page, "bleed")
    problems, small_text, thin = [], {}, []
    for item, to_page in _drawn(page):
        left, bottom, right, top = to_page.on_rect(*item.get_bounds())
        if _is_mark(item) and (left < bleed[0] or bottom < bleed[1] or right > bleed[2]
                               or top > bleed[3]):
            continue  # the print shop's marks, in the slug
        matrix = _matrix(item).multiply(to_page)
        scale = _scale(matrix)
        if item.type == pdfium.FPDF_PAGEOBJ_IMAGE:
            width, height = item.get_px_size()
            a, b, c, d, _, _ = matrix.get()  # the unit square the image fills, on the page
            printed_width, printed_height = math.hypot(a, b) / 72, math.hypot(c, d) / 72  # inches
            dpi = min(width / printed_width, height / printed_height) if printed_width and \
                printed_height else 0
            if 0 < dpi < MIN_PRINT_DPI:
                printed = (f"{(right - left) / 72 * 25.4:.0f} × {(top - bottom) / 72 * 25.4:.0f} mm")
                problems.append(PageProblem(number, "image", (
                    f"an image of {width} × {height} pixels prints at {dpi:.0f} dpi ({printed}); "
                    f"print shops ask for {MIN_PRINT_DPI} dpi: use one of at least "
                    f"{math.ceil(width * MIN_PRINT_DPI / dpi)} pixels wide"), (width, height)))
        elif item.type == pdfium.FPDF_PAGEOBJ_TEXT:
            size = _font_size(item) * scale
            if 0 < size < MIN_TEXT_PT - 0.01:
                small_text[round(size, 1)] = small_text.get(round(size, 1), 0) + 1
        elif item.type == pdfium.FPDF_PAGEOBJ_PATH:
            thin += _thin_lines(item, scale, _visible((left, bottom, right, top), item))
    for size, count in sorted(small_text.items()):
        problems.append(PageProblem(number, "text", (
            f"{count} piece{'s' if count > 1 else ''} of text at {size:g} pt; print shops ask for "
            f"{MIN_TEXT_PT:g} pt at least: set it larger in the layout's stylesheet")))
    if thin:
        problems.append(PageProblem(number, "hairline", (
            f"{len(thin)} line{'s' if len(thin) > 1 else ''} thinner than {MIN_LINE_PT:g} pt "
            f"(the thinnest {min(thin):.2f} pt), which may not print: make rules and borders "
            f"at least {MIN_LINE_PT:g} pt in the layout's stylesheet")))
    sides = _short_of_bleed(page, trim, bleed)
    if sides:
        problems.append(PageProblem(number, "bleed", (
            f"colour goes past the trim on the {' and '.join(sides)} side{'s' if len(sides) > 1 else ''}"
            f" but stops before the bleed edge: once cut, a white sliver may show; in the "
            f"layout's stylesheet, make it run 3 mm past the page's edge, or stop inside the page")))
    return problems


def _is_mark(item) -> bool:
    """Whether a page object is marked as an artifact (as the print marks are)."""
    import ctypes

    import pypdfium2.raw as pdfium

    for index in range(pdfium.FPDFPageObj_CountMarks(item.raw)):
        mark = pdfium.FPDFPageObj_GetMark(item.raw, index)
        buffer, length = (ctypes.c_ushort * 32)(), ctypes.c_ulong()
        if (pdfium.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), length)
                and bytes(buffer)[:max(length.value - 2, 0)].decode("utf-16-le") == "Artifact"):
            return True
    return False


def _visible(bounds: tuple, item) -> tuple:
    """The part of a path's bounds inside its clipping path's (a border is drawn as a frame
    clipped to one side: what shows is the clip's width)."""
    import ctypes

    import pypdfium2.raw as pdfium

    clip = pdfium.FPDFPageObj_GetClipPath(item.raw)
    left, bottom, right, top = bounds
    if not clip:
        return bounds
    for path in range(pdfium.FPDFClipPath_CountPaths(clip)):
        points = []
        for index in range(pdfium.FPDFClipPath_CountPathSegments(clip, path)):
            x, y = ctypes.c_float(), ctypes.c_float()
            if pdfium.FPDFPathSegment_GetPoint(
                    pdfium.FPDFClipPath_GetPathSegment(clip, path, index), x, y):
                points.append((x.value, y.value))
        if points:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            inside = (max(left, min(xs)), max(bottom, min(ys)), min(right, max(xs)),
                      min(top, max(ys)))
            if inside[0] <= inside[2] and inside[1] <= inside[3]:  # else another space
                left, bottom, right, top = inside
    return left, bottom, right, top


def _drawn(page, form=None, to_page=None):
    """What `page` (or a form object on it) draws: (object, the matrix from the space its
    bounds are in to the page's), forms opened."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    to_page = to_page or pypdfium2.PdfMatrix()
    for item in page.get_objects(max_depth=0, form=form):
        if item.type == pdfium.FPDF_PAGEOBJ_FORM:
            yield from _drawn(page, item, _matrix(item).multiply(to_page))
        else:
            yield item, to_page


def _matrix(item):
    """An object's matrix (identity when pdfium has none for it)."""
    import pypdfium2

    try:
        return item.get_matrix()
    except pypdfium2.PdfiumError:
        return pypdfium2.PdfMatrix()


def _thin_lines(item, scale: float, bounds: tuple) -> list[float]:
    """The widths of `item`'s lines thinner than MIN_LINE_PT: its stroke, or the path itself
    when it is a filled rule (a border drawn as a thin rectangle)."""
    import ctypes

    import pypdfium2.raw as pdfium

    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium.FPDFPath_GetDrawMode(item.raw, fill, stroke):
        return []
    widths = []
    if stroke.value:
        width = ctypes.c_float()
        if pdfium.FPDFPageObj_GetStrokeWidth(item.raw, width):
            line = width.value * scale
            if line < MIN_LINE_PT - 0.001:
                widths.append(line)
    if fill.value:
        left, bottom, right, top = bounds
        narrow = min(right - left, top - bottom)
        if 0 < narrow < MIN_LINE_PT - 0.001 and max(right - left, top - bottom) > 2:
            widths.append(narrow)
    return widths


def _short_of_bleed(page, trim: tuple, bleed: tuple) -> list[str]:
    """The sides where colour crosses the trim but does not reach the bleed's edge, found on
    the page drawn at 100 dpi (whatever draws it: fills, gradients, images): in the band
    between trim and bleed, a row or column coloured at the trim and white at the edge."""
    scale = 100 / 72
    media = tuple(float(value) for value in page.get_mediabox())
    image = page.render(scale=scale, crop=(bleed[0] - media[0], bleed[1] - media[1],
                                           media[2] - bleed[2], media[3] - bleed[3])
                        ).to_pil().convert("RGB")
    band = round((trim[0] - bleed[0]) * scale)
    width, height = image.size
    across, along = range(band + 2, height - band - 2, 2), range(band + 2, width - band - 2, 2)
    lines = {"left": [((band - 1, y), (0, y)) for y in across],
             "right": [((width - band, y), (width - 1, y)) for y in across],
             "top": [((x, band - 1), (x, 0)) for x in along],
             "bottom": [((x, height - band), (x, height - 1)) for x in along]}
    return [side for side, pairs in lines.items()
            if sum(1 for at_trim, at_edge in pairs
                   if not _white(image.getpixel(at_trim)) and _white(image.getpixel(at_edge))) > 2]


def _white(pixel: tuple) -> bool:
    return min(pixel) >= 245


def _unembedded_fonts(path: Path) -> list[PageProblem]:
    """Fonts a page uses without their program in the file."""
    import pikepdf

    problems = []
    with pikepdf.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            names = set()
            for font in _fonts(page.obj.get("/Resources")):
                subtype = font.get("/Subtype")
                if subtype == "/Type3":
                    continue
                descriptor = (font.DescendantFonts[0].get("/FontDescriptor")
                              if subtype == "/Type0" else font.get("/FontDescriptor"))
                if descriptor is None or not any(key in descriptor for key in
                                                  ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(font.get("/BaseFont", "?"))[1:])
            problems += [PageProblem(number, "font", (
                f"the font {name} is not embedded: print shops need every font in the file; "
                f"use the fonts of the layout's fonts/ folder")) for name in sorted(names)]
    return problems


def _fonts(resources, seen=None):
    """Every font of `resources` and of the forms it draws."""
    seen = set() if seen is None else seen
    if resources is None:
        return
    for font in resources.get("/Font", {}).values():
        if font.objgen not in seen:
            seen.add(font.objgen)
            yield font
    for item in resources.get("/XObject", {}).values():
        if item.get("/Subtype") == "/Form" and item.objgen not in seen:
            seen.add(item.objgen)
            yield from _fonts(item.get("/Resources"), seen)


def _font_size(item) -> float:
    """The size a text object's font is set at, before the object's matrix."""
    import ctypes

    import pypdfium2.raw as pdfium

    size = ctypes.c_float()
    return size.value if pdfium.FPDFTextObj_GetFontSize(item.raw, size) else 0.0


def _box(page, kind: str) -> tuple[float, float, float, float]:
    box = page.get_trimbox() if kind == "trim" else page.get_bleedbox()
    return tuple(float(value) for value in box)


def _scale(matrix) -> float:
    """How much a PDF matrix enlarges lengths (the square root of its determinant)."""
    a, b, c, d, _, _ = matrix.get()
    return math.sqrt(abs(a * d - b * c))


def print_findings(problems: list[PageProblem], parts, records: dict, stylesheet: Path) -> list:
    """The `problems` of an edition's print PDF (`print_problems`; the edition's `parts`,
    rendered as `records`), each at the place to change: an image at its fiche's field, the
    rest (sizes, lines, colour, fonts) at the layout's `stylesheet`, naming the page and its
    collectivité."""
    from booklet.errors import Finding, SourceLocation, display_path

    owners, first = {}, 1
    for job in parts.jobs:
        record = records[job.key]
        owner = next((page for page, fiche_job in parts.fiches if fiche_job is job), None)
        for number in range(first, first + record.pages):
            owners[number] = (owner, record)
        first += record.pages
    layout = SourceLocation(display_path(stylesheet))
    findings = []
    for problem in problems:
        page, record = owners.get(problem.page, (None, None))
        where = f"print PDF ({parts.edition}), page {problem.page}"
        what = page.name.text if page is not None else "cover, contents or index"
        location, message = layout, f"{where} ({what}): {problem.message}"
        image = next((image for image in (record.images if page is not None else [])
                      if tuple(image["pixels"]) == problem.pixels), None)
        if image is not None:
            location = page.source.source.location((image["field"],))
            message = (f"{where}: {image['field']} '{image['value']}' "
                       f"{problem.message.removeprefix('an image ')}")
        severity = "error" if problem.kind == "font" else "warning"
        findings.append(Finding(location, message, severity))
    return findings

"""What the printer and the readers get: page labels, tagged screen PDFs, print-shop PDFs with
bleed and crop marks, A5 booklets, saddle-stitch imposition; each checked with qpdf and pypdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2
import pytest

import booklet
from conftest import PATCHES, reader, run

MM = 72 / 25.4
A4, A5 = (210, 297), (148, 210)


def _qpdf_check(pdf):
    result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


def _mm(box) -> tuple[float, float, float, float]:
    return tuple(round(float(v) / MM, 1) for v in (box.left, box.bottom, box.right, box.top))


def _size(box) -> tuple[int, int]:
    return round(float(box.width) / MM), round(float(box.height) / MM)


def _printed_numbers(pdf) -> list[str | None]:
    """The number printed at the foot of each page (None when there is none)."""
    document = pypdfium2.PdfDocument(pdf)
    numbers = []
    try:
        for page in document:
            width, _ = page.get_size()
            foot = page.get_textpage().get_text_bounded(0, 0, width, 20 * MM)
            found = re.findall(r"\b(\d{1,3})\s*$", foot.strip())
            numbers.append(found[-1] if found else None)
    finally:
        document.close()
    return numbers


def test_page_labels_are_the_printed_page_numbers(built):
    for edition, cover in (("fr", "Couverture"), ("ja", "表紙")):
        pdf = built / "dist" / f"booklet-{edition}.pdf"
        labels = reader(pdf).page_labels
        printed = _printed_numbers(pdf)
        assert labels[0] == cover and printed[0] is None  # the cover carries no number
        assert printed[1:] == labels[1:] == ["2", "3", "4", "5"]
    single = built / "dist" / "fiches" / "ichikawa-ja.pdf"
    assert reader(single).page_labels == ["4"] == _printed_numbers(single)


def test_the_screen_pdf_is_tagged_with_bookmarks_and_metadata(built):
    pdf = built / "dist" / "booklet-fr.pdf"
    _qpdf_check(pdf)
    document = reader(pdf)
    catalog = document.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "fr"
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    assert [item.title for item in document.outline][:2] == ["Sommaire", "Issy-les-Moulineaux"]
    assert document.metadata.title.startswith("4e Rencontres franco-japonaises")
    page = document.pages[2]
    assert _size(page.mediabox) == A4 and _mm(page.trimbox) == _mm(page.mediabox)
    _qpdf_check(built / "dist" / "fiches" / "issy-les-moulineaux-fr.pdf")


def test_the_print_pdf_has_its_boxes_marks_outside_the_bleed_and_pdfx(sample):
    result = run("build", sample, "--print")
    assert result.exit_code == 0, result.output
    pdf = sample / "dist" / "booklet-fr-print.pdf"
    assert f"wrote {pdf} (5 pages)" in result.output
    assert not (sample / "dist" / "fiches").exists()  # per-collectivité PDFs are for screens
    _qpdf_check(pdf)
    document = reader(pdf)
    for page in document.pages:
        trim = _mm(page.trimbox)
        assert _size(page.trimbox) == A4
        assert _mm(page.bleedbox) == (trim[0] - 3, trim[1] - 3, trim[2] + 3, trim[3] + 3)
        assert _mm(page.mediabox) == (trim[0] - 13, trim[1] - 13, trim[2] + 13, trim[3] + 13)
        assert "/ArtBox" not in page  # PDF/X: a TrimBox or an ArtBox, not both
        assert "/Annots" not in page  # PDF/X: no annotation over the page (links are for screens)
    catalog = document.trailer["/Root"]
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "sRGB IEC61966-2.1"
    assert b"pdfxid:GTS_PDFXVersion>PDF/X-4" in catalog["/Metadata"].get_object().get_data()
    assert document.page_labels[1:] == ["2", "3", "4", "5"]
    # The cover's band is printed into the bleed: the bleed's top-left corner is ink.
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=0.5, crop=(10 * MM, 10 * MM, 10 * MM, 10 * MM)).to_pil().convert("RGB")
    corner = image.getpixel((image.width // 2, 1))
    assert all(abs(a - b) <= 3 for a, b in zip(corner, (31, 58, 103), strict=True))  # indigo


def _mark_segments(pdf_path, page_index=0):
    """The segments the print marks draw (the artifact after the page's content), with the
    line width: [((x0, y0), (x1, y1))], width."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[page_index]
        operations = pikepdf.parse_content_stream(page)
        start = max(i for i, op in enumerate(operations)
                    if op.operator == pikepdf.Operator("BMC") and op.operands[0] == "/Artifact")
        segments, width, point = [], None, None
        for operands, operator in operations[start:]:
            name = str(operator)
            if name == "w":
                width = float(operands[0])
            elif name == "m":
                point = (float(operands[0]), float(operands[1]))
            elif name == "l":
                following = (float(operands[0]), float(operands[1]))
                segments.append((point, following))
                point = following
            elif name == "re":
                raise AssertionError("marks are lines")
        return segments, width, [float(v) for v in page.BleedBox]


def _overlaps_bleed(segment, width, bleed) -> bool:
    """Whether the stroked segment (butt caps) covers any area inside the BleedBox."""
    (x0, y0), (x1, y1) = segment
    half = width / 2
    if x0 == x1:  # vertical
        left, right, bottom, top = x0 - half, x0 + half, min(y0, y1), max(y0, y1)
    else:
        assert y0 == y1, "marks are horizontal or vertical"
        left, right, bottom, top = min(x0, x1), max(x0, x1), y0 - half, y0 + half
    return min(right, bleed[2]) - max(left, bleed[0]) > 1e-6 and \
        min(top, bleed[3]) - max(bottom, bleed[1]) > 1e-6


@pytest.mark.slow  # two print builds each
@pytest.mark.parametrize("marks, segments", [("crop", 8), ("japanese", 24), ("none", 0)])
def test_marks_are_drawn_outside_the_bleed_only(sample, tmp_path, marks, segments):
    """Read back from the content stream, and seen on the cover's corner: the bleed is the
    same pixels with any marks as without; the slug has marks only when asked."""
    from PIL import ImageChops

    pdf = tmp_path / f"{marks}.pdf"
    bare = tmp_path / "none.pdf"
    for path, choice in ((pdf, marks), (bare, "none")):
        if not path.exists():
            result = run("build", sample, "--print", "--marks", choice, "--edition", "fr",
                         "-o", path)
            assert result.exit_code == 0, result.output
    _qpdf_check(pdf)
    page = reader(pdf).pages[0]
    slug = 10 if marks != "none" else 0
    assert round(float(page.mediabox.width) / MM) == A4[0] + 6 + 2 * slug
    if marks != "none":
        found, width, bleed = _mark_segments(pdf)
        assert len(found) == segments and width >= 0.25
        assert not [segment for segment in found if _overlaps_bleed(segment, width, bleed)]
    # pixels at 127 dpi (5 px a millimetre): 25 mm of the bleed's top-left corner, with and
    # without marks
    scale = 127 / 72

    def bleed_corner(path, slug_mm):
        document = pypdfium2.PdfDocument(path)
        image = document[0].render(scale=scale).to_pil().convert("RGB")
        document.close()
        return image.crop((slug_mm * 5, slug_mm * 5, slug_mm * 5 + 125, slug_mm * 5 + 125))

    if marks == "none":  # no slug, nothing drawn outside the page and its bleed
        assert "/Registration" not in page["/Resources"].get("/ColorSpace", {})
        return
    marked, plain = bleed_corner(pdf, slug), bleed_corner(bare, 0)
    difference = max(high for _, high in ImageChops.difference(marked, plain).getextrema())
    assert difference <= 12, difference  # anti-aliasing of the band's edges; a mark is ~100
    if marks != "none":  # and the marks are there, in the slug above the corner
        document = pypdfium2.PdfDocument(pdf)
        image = document[0].render(scale=scale).to_pil().convert("L")
        document.close()
        assert image.crop((0, 0, 150, 50)).getextrema()[0] < 200  # a thin dark line: a mark


@pytest.mark.parametrize("condition, identifier, description, components", [
    ("srgb", "sRGB IEC61966-2.1", "sRGB2014", 3),
    pytest.param("fogra39", "FOGRA39", "ISO Coated v2 300% (basICColor)", 4,
                 marks=pytest.mark.slow),  # a build each: the RGB one is enough for a quick run
    pytest.param("japan-color-2011-coated", "JCS2011", "Japan Color 2011 Coated", 4,
                 marks=pytest.mark.slow),
])
def test_the_output_intent_names_the_printing_condition_with_its_profile(
        sample, condition, identifier, description, components):
    import io

    import pikepdf
    from PIL import ImageCms

    config = sample / "booklet.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + f"print:\n  output_intent: {condition}\n", encoding="utf-8")
    result = run("build", sample, "--print", "--edition", "ja")
    assert result.exit_code == 0, result.output
    pdf_path = sample / "dist" / "booklet-ja-print.pdf"
    _qpdf_check(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and str(intent.OutputConditionIdentifier) == identifier
        profile = ImageCms.getOpenProfile(io.BytesIO(intent.DestOutputProfile.read_bytes()))
        assert ImageCms.getProfileDescription(profile).strip() == description
        assert int(intent.DestOutputProfile.N) == components
        # the RGB content stays RGB, declared sRGB for the shop wherever RGB is drawn
        drawing = [page.obj for page in pdf.pages] + [
            item for item in pdf.objects if isinstance(item, pikepdf.Stream)
            and item.get("/Subtype") == "/Form" and "/Resources" in item]
        for item in drawing:
            content = (b"".join(part.read_bytes() for part in item.Contents)
                       if "/Type" in item and item.Type == "/Page" and isinstance(
                           item.Contents, pikepdf.Array)
                       else item.Contents.read_bytes() if "/Type" in item and item.Type == "/Page"
                       else item.read_bytes())
            if re.search(rb"\b(rg|RG)\b", content):
                spaces = item.Resources.get("/ColorSpace", {})
                assert ("/DefaultRGB" in spaces) == (components == 4)


def test_print_options_in_booklet_yaml_are_checked(sample):
    for command in ("build", "check"):  # marks are the print shop's
        result = run(command, sample, "--marks", "crop")
        assert result.exit_code == 2 and "add --print" in result.output
    config = sample / "booklet.yaml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "print:\n  output_intent: fogra51\n", encoding="utf-8")
    result = run("build", sample, "--print")
    assert result.exit_code == 1
    assert "booklet.yaml:" in result.output and "fogra39" in result.output


def test_check_print_lists_what_a_print_shop_would_refuse_page_by_page(sample):
    from PIL import Image

    layouts = sample / "layouts"
    layouts.mkdir(exist_ok=True)
    stylesheet = (Path(booklet.__file__).parent / "layouts" / "booklet.css").read_text(
        encoding="utf-8")
    (layouts / "booklet.css").write_text(stylesheet + """
.fiche-kind { font-size: 5pt; }
.fiche-header { border-bottom: 0.1pt solid #b7282e; }
.cover::before { content: ""; position: fixed; left: -1.5mm; top: 40mm; width: 30mm;
                 height: 20mm; background: #b7282e; }
""", encoding="utf-8")
    (sample / "images").mkdir(exist_ok=True)
    Image.new("RGB", (120, 120), (200, 30, 40)).save(sample / "images" / "petit.png")
    fiche = sample / "fiches" / "issy-les-moulineaux.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace(
        "population: 66171", "population: 66171\nlogo: images/petit.png"), encoding="utf-8")
    result = run("check", sample, "--print")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def said(*words):
        return [line for line in lines if all(word in line for word in words)]

    assert said("fiches/issy-les-moulineaux.yaml:", "print PDF (fr), page 3", "logo",
                "images/petit.png", "152 dpi", "300 dpi")
    assert said("layouts/booklet.css:", "page 3 (Issy-les-Moulineaux)", "text at 5 pt")
    assert said("layouts/booklet.css:", "page 4 (Ichikawa)", "thinner than 0.25 pt", "0.10 pt")
    assert said("layouts/booklet.css:", "page 1 (cover", "left side", "stops before the bleed")
    assert not said("page 2 ")  # the contents page has none of these
    assert not (sample / "dist").exists()  # check writes nothing


@pytest.mark.slow  # a print build: the quick run has one (test_the_print_pdf_has_its_boxes…)
def test_the_sample_passes_the_print_preflight(sample):
    result = run("check", sample, "--print", "--marks", "japanese")
    assert result.exit_code == 0, result.output
    assert "print PDF" not in result.output


def test_a_font_not_embedded_is_an_error_of_the_print_preflight(tmp_path):
    import pikepdf

    from booklet.pdf.print_preflight import print_problems

    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    page.obj.TrimBox = pikepdf.Array([0, 0, 595, 842])
    page.obj.BleedBox = pikepdf.Array([-8.5, -8.5, 603.5, 850.5])
    page.obj.MediaBox = pikepdf.Array([-8.5, -8.5, 603.5, 850.5])
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(b"BT /F1 10 Tf 100 700 Td (Bonjour) Tj ET")
    pdf.save(tmp_path / "bare.pdf")
    [problem] = print_problems(tmp_path / "bare.pdf")
    assert problem.kind == "font" and problem.page == 1 and "Helvetica" in problem.message


@pytest.mark.slow  # a check and a build
def test_a5_booklets_use_the_a5_layout_and_say_when_a_fiche_is_too_long(sample):
    result = run("check", sample, "--paper", "A5")
    assert result.exit_code == 1
    assert ("the French text of Issy-les-Moulineaux is about" in result.output
            and "(7.5 pt on A5 paper); shorten section 6, or print the booklet on A4" in result.output)
    assert f"{sample}/fiches/ichikawa.yaml:4:1: info: French page: full size (8.5 pt)" in (
        result.output)
    (sample / "fiches" / "issy-les-moulineaux.yaml").unlink()
    (sample / "booklet.yaml").write_text((sample / "booklet.yaml").read_text(
        encoding="utf-8").replace("paper: A4", "paper: A5"), encoding="utf-8")
    result = run("build", sample)
    assert result.exit_code == 0, result.output
    for pdf in (sample / "dist" / "booklet-ja.pdf", sample / "dist" / "fiches" / "ichikawa-fr.pdf"):
        assert {_size(page.mediabox) for page in reader(pdf).pages} == {A5}
        _qpdf_check(pdf)


@pytest.mark.slow  # two builds
def test_impose_saddle_from_the_command_line(sample):
    result = run("build", sample, "--edition", "fr", "--impose", "saddle")
    assert result.exit_code == 0, result.output
    imposed = sample / "dist" / "booklet-fr-saddle.pdf"
    assert (f"wrote {imposed} (4 sheet sides; 2 A3 sheets printed on both sides, folded in the "
            "middle; 3 blank pages added)") in result.output
    _qpdf_check(imposed)
    assert {_size(page.mediabox) for page in reader(imposed).pages} == {(420, 297)}
    result = run("build", sample, "--edition", "fr", "--impose", "saddle", "--sheet", "A4")
    assert "2 A4 sheets printed on both sides, folded in the middle; pages reduced to 71%" in (
        result.output)
    assert {_size(page.mediabox) for page in reader(imposed).pages} == {(297, 210)}


@pytest.mark.parametrize("arguments, message", [
    (["--print", "--impose", "saddle"], "use one or the other"),
    (["--sheet", "A4"], "--sheet is the sheet size of --impose"),
])
def test_print_options_that_do_not_go_together(sample, arguments, message):
    result = run("build", sample, *arguments)
    assert result.exit_code == 2 and message in result.output
    assert not (sample / "dist").exists()


def test_a_print_part_is_the_same_bytes_every_time_it_is_written(sample):
    """A PDF/X part written first or later by a renderer, and again by another: the same
    bytes (the output intent's profile as LittleCMS writes it, the DocumentID from the
    part's key, where WeasyPrint draws a random one, which it still does where the
    `document_id` patch does not apply)."""
    from booklet.compose.templating import load_layout
    from booklet.records import RenderSetup
    from booklet.render.renderer import Renderer

    html = "<html lang=fr><title>t</title><p style='color: rgb(10, 20, 30)'>Issy</p>"
    setup = RenderSetup(sample, "A4", True, "2026-01-01T00:00:00Z")
    written = []
    for _ in range(2):
        renderer = Renderer(load_layout(sample), setup)
        written += [renderer.write_pdf(renderer.render(html).document, identity="key").content
                    for _ in range(2)]
    if not PATCHES["document_id"]:  # WeasyPrint's own: a random DocumentID (and the file
        # identifier WeasyPrint derives from the file), nothing else differs
        identifiers = rb"xmp\.did:[0-9a-f-]+|/ID \[\([0-9a-f]+\) \([0-9a-f]+\)\]"
        assert len({re.sub(identifiers, b"", content) for content in written}) == 1
        assert len({tuple(re.findall(rb"xmp\.did:[0-9a-f-]+", content)) for content in written}) == 4
        return
    assert len(set(written)) == 1
    other = Renderer(load_layout(sample), setup)
    again = other.write_pdf(other.render(html).document, identity="another key").content
    assert re.findall(rb"xmp\.did:[0-9a-f-]+", again) != re.findall(rb"xmp\.did:[0-9a-f-]+",
                                                                    written[0])

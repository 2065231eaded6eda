"""What the printer and the readers get: page labels, tagged screen PDFs, print-shop PDFs with
bleed and crop marks, A5 booklets, saddle-stitch imposition; each checked with qpdf and pypdf."""

from __future__ import annotations

import re
import subprocess

import pypdfium2
import pytest

from conftest import reader, run

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


def test_the_print_pdf_has_bleed_crop_marks_and_pdfx(sample):
    result = run("build", sample, "--print")
    assert result.exit_code == 0, result.output
    pdf = sample / "dist" / "booklet-fr-print.pdf"
    assert f"wrote {pdf} (5 pages)" in result.output
    assert not (sample / "dist" / "fiches").exists()  # per-collectivité PDFs are for screens
    _qpdf_check(pdf)
    document = reader(pdf)
    for page in document.pages:
        left, bottom, right, top = _mm(page.mediabox)
        assert _size(page.mediabox) == (A4[0] + 6, A4[1] + 6)
        assert _mm(page.bleedbox) == _mm(page.mediabox)
        assert _mm(page.trimbox) == (left + 3, bottom + 3, right - 3, top - 3)
    catalog = document.trailer["/Root"]
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert b"pdfxid:GTS_PDFXVersion>PDF/X-4" in catalog["/Metadata"].get_object().get_data()
    assert document.page_labels[1:] == ["2", "3", "4", "5"]
    # The cover's band is printed into the bleed: the top-left corner of the sheet is ink.
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("RGB")
    corner = image.getpixel((image.width // 2, 1))
    assert all(abs(a - b) <= 3 for a, b in zip(corner, (31, 58, 104), strict=True))  # indigo


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

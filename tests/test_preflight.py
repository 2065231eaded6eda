"""Preflight: glyph coverage, images, data an editor would question; text and JSON output."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from conftest import edit, page_texts, pdf_fonts, run, without_lost_features

ISSY = "fiches/issy-les-moulineaux.yaml"
ICHIKAWA = "fiches/ichikawa.yaml"


def test_kanji_of_the_extended_sets_print_with_the_bundled_fonts(sample):
    # 髙 (U+9AD9) and 﨑 (U+FA11) are Windows-31J / JIS X 0213 forms found in names.
    edit(sample, ICHIKAWA, "  geography: >-\n", "  geography: >-\n    髙橋さんと山﨑さんが担当します。\n")
    result = run("build", sample, "--edition", "ja")
    assert result.exit_code == 0, result.output
    pdf = sample / "dist" / "booklet-ja.pdf"
    assert "髙橋さんと山﨑さんが担当します。" in "".join(page_texts(pdf)[3].split())
    assert all("Booklet" in font["name"] for font in pdf_fonts(pdf))


@pytest.mark.slow  # two builds
def test_missing_glyph_fails_unless_accepted(sample):
    edit(sample, ICHIKAWA, "江戸川を", "𠮷野と江戸川を")
    refused = run("build", sample)
    assert refused.exit_code == 1
    assert f"{sample}/{ICHIKAWA}:21:21: error: sections.geography: 𠮷 (U+20BB7)" in refused.output
    assert not (sample / "dist").exists()

    accepted = run("build", sample, "--accept-missing-glyphs")
    assert accepted.exit_code == 0, accepted.output
    assert (f"{sample}/{ICHIKAWA}:21:21: warning: sections.geography: 𠮷 (U+20BB7) is in no "
            "bundled font; it falls back to a system font or prints as an empty box") in (
        accepted.output)
    assert (sample / "dist" / "booklet-ja.pdf").exists()


def test_characters_of_booklet_yaml_are_checked_too(sample):
    edit(sample, "booklet.yaml", "ja: 第4回日仏自治体交流会議", "ja: 第4回日仏自治体交流会議𠮷")
    result = run("check", sample)
    assert result.exit_code == 1
    assert f"{sample}/booklet.yaml:6:19: error: title.ja: 𠮷 (U+20BB7)" in result.output


def _png(path, width, height):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (31, 58, 104)).save(path)


@pytest.mark.slow  # a check and a build
def test_a_good_photo_is_printed_without_warning(sample):
    _png(sample / "images" / "fort.png", 2400, 1600)
    edit(sample, ISSY, "lang: fr\n", "lang: fr\nphoto: images/fort.png\nphoto_caption: Le Fort\n")
    result = run("check", sample)
    assert result.exit_code == 0, result.output
    assert "warning" not in without_lost_features(result.output)
    assert run("build", sample, "--edition", "fr").exit_code == 0
    import pypdf

    page = pypdf.PdfReader(sample / "dist" / "booklet-fr.pdf").pages[2]
    assert len(page.images) == 1
    assert "Le Fort" in page_texts(sample / "dist" / "booklet-fr.pdf")[2]


def test_a_low_resolution_image_is_named_with_its_dpi(sample):
    _png(sample / "images" / "logo.png", 60, 40)
    edit(sample, ISSY, "lang: fr\n", "lang: fr\nlogo: images/logo.png\n")
    result = run("check", sample)
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if "warning: logo" in line)
    assert warning.startswith(f"{sample}/{ISSY}:5:7: warning: logo 'images/logo.png' prints at ")
    dpi = int(warning.split("prints at ")[1].split(" dpi")[0])
    assert 40 <= dpi < 200  # 60 px over the 20 mm high logo box at most: about 51 dpi
    assert "(60 × 40 pixels for " in warning


@pytest.mark.parametrize("name, content, message", [
    ("logo.png", b"not an image at all", "logo 'images/logo.png' is not a readable image"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" '
                 b'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="/etc/x.png"/></svg>',
     "logo 'images/logo.svg' refers to another file (/etc/x.png)"),
    ("logo.svg", b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
     "logo 'images/logo.svg' declares a DOCTYPE or entities"),
    ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "logo 'images/logo.gif' is not a readable"),
])
def test_unusable_images_are_errors(sample, name, content, message):
    (sample / "images").mkdir()
    (sample / "images" / name).write_bytes(content)
    edit(sample, ISSY, "lang: fr\n", f"lang: fr\nlogo: images/{name}\n")
    result = run("check", sample)
    assert result.exit_code == 1
    assert f"{sample}/{ISSY}:5:7: error: {message}" in result.output


def test_a_self_contained_svg_logo_is_fine(sample):
    (sample / "images").mkdir()
    (sample / "images" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#b7282e"/></svg>', encoding="utf-8")
    edit(sample, ISSY, "lang: fr\n", "lang: fr\nlogo: images/logo.svg\n")
    result = run("build", sample, "--edition", "fr")
    assert result.exit_code == 0, result.output
    assert "warning" not in without_lost_features(result.output)


@pytest.mark.parametrize("path, old, new, expected", [
    (ISSY, "population: 66171", "population: 66171000",
     "{p}/" + ISSY + ":11:13: warning: population 66,171,000 is more than any région or prefecture"),
    (ISSY, "area_km2: 4.3", "area_km2: 0.5",
     "{p}/" + ISSY + ":10:11: warning: 66171 inhabitants on 0.5 km² makes 132,342 per km²"),
    (ISSY, "morgane.millon@ville-issy.fr", "morgane.millon(at)ville-issy.fr",
     "{p}/" + ISSY + ":20:10: warning: 'morgane.millon(at)ville-issy.fr' does not look like an "
     "e-mail address"),
    (ISSY, "  - ichikawa", "  - ichikawa\n  - Lahr",
     "{p}/" + ISSY + ":14:5: info: partner 'Lahr' has no fiche in this booklet"),
    (ICHIKAWA, "reading: いちかわし\n", "",
     "{p}/" + ICHIKAWA + ":7:3: warning: no reading: add 'reading:' with the name in kana"),
])
def test_data_an_editor_would_question(sample, path, old, new, expected):
    edit(sample, path, old, new)
    result = run("check", sample)
    assert result.exit_code == 0, result.output
    assert expected.format(p=sample) in result.output


def test_two_fiches_with_the_same_name(sample):
    (sample / "fiches" / "issy.yaml").write_text(
        (sample / ISSY).read_text(encoding="utf-8"), encoding="utf-8")
    result = run("check", sample)
    assert f"{sample}/fiches/issy.yaml:6:7: warning: {sample}/{ISSY} has the same name" in (
        result.output)


def test_empty_section_is_a_warning_and_is_not_printed(sample):
    edit(sample, ISSY, "  highlights: >\n    Issy-les-Moulineaux est pionnière",
          "  highlights:\n  x_removed: >\n    Issy-les-Moulineaux est pionnière")
    # x_removed is an unknown field: make it a comment instead, keeping the file valid
    edit(sample, ISSY, "  x_removed: >\n", "  # removed: >\n")
    text = (sample / ISSY).read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("  # removed: >")
    while start + 1 < len(lines) and lines[start + 1].startswith("    "):
        lines[start + 1] = "  #" + lines[start + 1]
        start += 1
    (sample / ISSY).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("build", sample, "--edition", "fr")
    assert result.exit_code == 0, result.output
    assert (f"{sample}/{ISSY}:34:14: warning: section 3 (highlights) is empty and will not be "
            "printed: write the text or remove the line") in result.output
    page = page_texts(sample / "dist" / "booklet-fr.pdf")[2]
    assert "Particularités" not in page and "Bref historique" in page


def test_errors_come_first_and_json_lists_every_finding(sample):
    edit(sample, ISSY, "population: 66171", "population: beaucoup")
    edit(sample, ICHIKAWA, "reading: いちかわし\n", "")
    text = run("check", sample)
    assert text.exit_code == 1
    lines = text.output.splitlines()
    assert ": error: population must be a whole number" in lines[0]
    result = run("check", sample, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["findings"][0] == {
        "path": f"{sample}/{ISSY}", "line": 11, "column": 13, "severity": "error",
        "message": 'population must be a whole number, got "beaucoup"; write it without spaces '
                   "or dots, e.g. 66171"}
    assert any(f["severity"] == "warning" and "no reading" in f["message"]
               for f in report["findings"])


def test_warnings_only_exit_zero_and_json_includes_fit(sample):
    edit(sample, ICHIKAWA, "reading: いちかわし\n", "")
    result = run("check", sample, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert sum("page: full size" in f["message"] for f in report["findings"]) == 4


def test_image_names_with_url_characters_work(sample):
    _png(sample / "images" / "logo #1?.png", 900, 450)
    edit(sample, ISSY, "lang: fr\n", 'lang: fr\nlogo: "images/logo #1?.png"\n')
    result = run("build", sample, "--edition", "fr")
    assert result.exit_code == 0, result.output
    import pypdf

    assert len(pypdf.PdfReader(sample / "dist" / "booklet-fr.pdf").pages[2].images) == 1


def test_huge_and_nul_image_paths_are_clear_errors(sample):
    Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS  # Pillow's own bomb limit applies
    (sample / "images").mkdir()
    Image.new("1", (20000, 12000)).save(sample / "images" / "bomb.png")
    edit(sample, ISSY, "lang: fr\n", 'lang: fr\nlogo: images/bomb.png\nphoto: "images/a\\0b.png"\n')
    result = run("check", sample)
    assert result.exit_code == 1
    assert "logo 'images/bomb.png' has far too many pixels" in result.output
    assert "photo contains a NUL character" in result.output

"""Japanese pages set as in Japan: justified lines (両端揃え), punctuation spacing (約物), and
e-mails and URLs that break only between their labels. Read back from the built PDFs:
line edges with poppler (`pdftotext -bbox-layout`), glyph boxes with pypdfium2.

Where the `japanese_lines` patch does not apply (another WeasyPrint, or
BOOKLET_WEASYPRINT_PATCHES=0), the pages are WeasyPrint's own: ragged right, every
punctuation mark a full em, nothing hanging whatever layout.yaml says."""

from __future__ import annotations

import re
import subprocess
from xml.etree import ElementTree

import pypdfium2 as pdfium
import pytest
import yaml

from conftest import PATCHES, REPO, SENTENCES, run

EMAIL = "kokusai@city.kumamoto.example.jp"
EM = 9.0
"""The body text's size in PDF points (9 pt, or a little less once copyfitted)."""
SET_IN_JAPAN = PATCHES["japanese_lines"]
"""Whether Japanese lines are justified and their punctuation spaced (`japanese_lines`)."""


def _paragraph(start: int, count: int) -> str:
    return "".join(SENTENCES[(start + i) % len(SENTENCES)] for i in range(count))


@pytest.fixture(scope="module")
def japanese(tmp_path_factory):
    """Two Japanese fiches, built in both editions."""
    return _built(tmp_path_factory.mktemp("japanese"))


@pytest.fixture(scope="module")
def hanging(tmp_path_factory):
    """The same, with a layout that lets 。 and 、 hang (layout.yaml)."""
    root = tmp_path_factory.mktemp("hanging")
    (root / "layouts").mkdir()
    settings = (REPO / "layouts" / "layout.yaml").read_text(encoding="utf-8")
    (root / "layouts" / "layout.yaml").write_text(
        settings.replace("hanging_punctuation: false", "hanging_punctuation: true"),
        encoding="utf-8")
    return _built(root)


def _built(root):
    (root / "fiches").mkdir()
    (root / "booklet.yaml").write_text(yaml.safe_dump({
        "title": {"fr": "Rencontres", "ja": "日仏自治体交流会議"}, "editions": ["fr", "ja"]},
        allow_unicode=True), encoding="utf-8")
    for number, (fiche_id, name) in enumerate((("kumamoto", "熊本市"), ("sendai", "仙台市"))):
        sections = {key: "\n\n".join(_paragraph(number + i + k, 2 + (i + k) % 3)
                                     for k in range(2))
                    for i, key in enumerate(("geography", "history", "highlights", "economy"))}
        sections["exchanges"] = "「交流」を大切にしています。" + _paragraph(number, 3)
        (root / "fiches" / f"{fiche_id}.yaml").write_text(yaml.safe_dump({
            "lang": "ja", "country": "JP", "name": {"ja": name, "fr": fiche_id.capitalize()},
            "reading": "くまもとし" if fiche_id == "kumamoto" else "せんだいし",
            "contact": {"name": "山田太郎", "email": EMAIL}, "sections": sections},
            allow_unicode=True), encoding="utf-8")
    result = run("build", root)
    assert result.exit_code == 0, result.output
    return root


def _lines(pdf) -> list[tuple[float, float, float, str]]:
    """(left, right, top, text) of every line poppler finds."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    root = ElementTree.fromstring(re.sub(r' xmlns="[^"]+"', "", xml, count=1))
    return [(float(line.get("xMin")), float(line.get("xMax")), float(line.get("yMin")),
             "".join(word.text or "" for word in line.iter("word")))
            for line in root.iter("line")]


def _body_lines(pdf) -> list[tuple[float, float, float, str]]:
    """The lines of the text column (right of the sidebar, above the footer), headings left
    out: every one is Japanese text here, mixed with Latin names, numbers and addresses."""
    lines = [line for line in _lines(pdf) if line[0] > 150 and line[2] < 780]
    return [line for line in lines if not re.match(r"^\d\.", line[3])]


@pytest.mark.parametrize("edition", ["fr", "ja"])
def test_japanese_body_lines_are_justified(japanese, edition):
    """Every line that is not a paragraph's last ends within 1 pt of the column's edge (a
    paragraph's last line is followed by an indented line, a heading, or nothing). Set by
    WeasyPrint alone, which stretches only spaces, the lines are ragged."""
    for pdf in sorted((japanese / "dist" / "fiches").glob(f"*-{edition}.pdf")):
        lines = _body_lines(pdf)
        edge = max(right for _, right, _, _ in lines)
        inner = [line for line, following in zip(lines, lines[1:], strict=False)
                 if following[0] <= line[0] + 3 and following[2] - line[2] < 30]
        assert len(inner) > 10
        flush = [line for line in inner if line[1] >= edge - 1]
        if not SET_IN_JAPAN:
            assert len(flush) < 0.9 * len(inner), [line[3] for line in flush]
            continue
        assert len(flush) >= 0.95 * len(inner), [line[3] for line in inner if line not in flush]
        last_lines = [line for line in lines if line not in inner]
        assert any(line[1] < edge - 5 for line in last_lines)  # last lines stay flush left


def _origins(pdf) -> list[tuple[str, float, float]]:
    """(character, x of its glyph's origin, y of its baseline area) of every character of a
    fiche's page: pdfium's loose box starts where the glyph is placed."""
    text = pdfium.PdfDocument(str(pdf))[0].get_textpage()
    characters = []
    for i in range(text.count_chars()):
        left, bottom, _, _ = text.get_charbox(i, loose=True)
        characters.append((text.get_text_range(i, 1), left, bottom))
    return characters


def test_consecutive_brackets_are_set_half_width(japanese):
    """」「 and 」（: the blank halves between the two marks go (JLReq 3.1.4): the second mark
    is placed half an em after the first, where two kanji are an em apart."""
    characters = _origins(japanese / "dist" / "fiches" / "kumamoto-ja.pdf")
    pairs = list(zip(characters, characters[1:], strict=False))
    brackets = [b[1] - a[1] for a, b in pairs if a[0] == "」" and b[0] in "「（" and a[2] == b[2]]
    kanji = [b[1] - a[1] for a, b in pairs if a[0] == "市" and b[0] == "民" and a[2] == b[2]]
    assert brackets and kanji
    if not SET_IN_JAPAN:  # WeasyPrint's own: each mark a full em, like a kanji
        assert all(0.98 * EM < step < 1.2 * EM for step in brackets), brackets
    else:
        assert all(0.45 * EM < step < 0.62 * EM for step in brackets), brackets
    assert all(0.98 * EM < step < 1.2 * EM for step in kanji), kanji


def test_an_opening_bracket_starting_a_line_is_set_half_width(japanese):
    """「交流」 starts section 5: the bracket is placed half an em before the column's edge, so
    that its ink (its right half) starts at the edge (JLReq 3.1.5)."""
    characters = [c for c in _origins(japanese / "dist" / "fiches" / "kumamoto-ja.pdf")
                  if c[0].strip()]
    starts = [current for previous, current in zip(characters, characters[1:], strict=False)
              if abs(current[2] - previous[2]) > 5 and current[1] > 150]  # first of a line
    column = [left for char, left, _ in starts if "\u4e00" <= char <= "\u9fff"]
    brackets = [left for char, left, _ in starts if char == "「"]
    assert brackets and column
    indent = EM / 2 if SET_IN_JAPAN else 0  # WeasyPrint's own: at the edge, a full em wide
    assert all(abs(left - (min(column) - indent)) < 0.1 * EM for left in brackets), (
        brackets, min(column))


def test_an_email_breaks_only_between_its_labels(japanese):
    """In the narrow sidebar, the address breaks after @ or a dot, never inside a label."""
    pdf = japanese / "dist" / "fiches" / "kumamoto-ja.pdf"
    pieces = [text for left, _, _, text in _lines(pdf) if left < 150 and text and text in EMAIL]
    assert "".join(pieces) == EMAIL, pieces
    assert len(pieces) > 1 and all(piece.endswith(("@", ".")) for piece in pieces[:-1]), pieces


def _overhang(root) -> list[tuple[float, str]]:
    """How far past the text column's edge each line of the fiches' pages ends (points)."""
    found = []
    for pdf in sorted((root / "dist" / "fiches").glob("*-ja.pdf")):
        lines = _body_lines(pdf)
        edge = sorted(right for _, right, _, _ in lines)[len(lines) // 2]  # most lines end there
        found += [(right - edge, text) for _, right, _, text in lines]
    return found


def test_punctuation_does_not_hang_by_default(japanese):
    if SET_IN_JAPAN:
        assert all(past < 1 for past, _ in _overhang(japanese))
        return
    for pdf in sorted((japanese / "dist" / "fiches").glob("*-ja.pdf")):  # ragged lines
        lines = _body_lines(pdf)
        edge = max(right for _, right, _, text in lines if text[-1:] not in "。、．，")
        assert all(right < edge + 1 for _, right, _, _ in lines), (edge, lines)


def test_with_hanging_punctuation_a_full_stop_or_comma_may_hang(hanging, japanese):
    """ぶら下げ, when the layout asks for it: a line may end with 。 or 、 one em past the
    column's edge, and no other line passes it. Set by WeasyPrint alone, the lines are the
    same as without it."""
    if not SET_IN_JAPAN:
        assert [_lines(pdf) for pdf in sorted((hanging / "dist" / "fiches").glob("*-ja.pdf"))] == [
            _lines(pdf) for pdf in sorted((japanese / "dist" / "fiches").glob("*-ja.pdf"))]
        return
    past = _overhang(hanging)
    hung = [(amount, text) for amount, text in past if amount > 1]
    assert hung, past
    assert all(text[-1] in "。、" and abs(amount - EM) < 0.2 * EM for amount, text in hung), hung

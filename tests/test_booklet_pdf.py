"""The sample booklet as a reader gets it: pages, text, order, numbers, fonts, links."""

from __future__ import annotations

import re

import pypdf
import pytest

from conftest import DATA, flat, page_texts, pdf_fonts, reader, run

TITLE_FR = "4e Rencontres franco-japonaises de la coopération décentralisée"
TITLE_JA = "第4回日仏自治体交流会議"


def fr(built):
    return built / "dist" / "booklet-fr.pdf"


def ja(built):
    return built / "dist" / "booklet-ja.pdf"


def test_one_page_per_part_in_both_editions(built):
    # cover + contents + one page per fiche (2) + partnership index
    for pdf in (fr(built), ja(built)):
        assert len(reader(pdf).pages) == 5


def test_every_fiche_is_on_its_page_in_booklet_order(built):
    pages = page_texts(fr(built))
    assert "Issy-les-Moulineaux" in pages[2].splitlines()[0]
    assert "Ichikawa" in pages[3].splitlines()[0]
    assert "市川市" in pages[3]
    assert "Situation et aspects géographiques" in pages[2]


def test_contents_numbers_are_the_pages_of_the_fiches(built):
    pages = page_texts(fr(built))
    contents = pages[1]
    entries = dict(re.findall(r"^(Issy-les-Moulineaux|Ichikawa)\b.*?(\d+)\s*$", contents, re.M))
    assert entries == {"Issy-les-Moulineaux": "3", "Ichikawa": "4"}
    for name, number in entries.items():
        assert pages[int(number) - 1].splitlines()[0].startswith(name)


def _link_targets(pdf, page_index):
    """Page numbers (1-based) that the links of a page jump to."""
    document = reader(pdf)
    page_of = {page.indirect_reference.idnum: i + 1 for i, page in enumerate(document.pages)}
    named = document.named_destinations
    targets = []
    for annotation in document.pages[page_index].get("/Annots", []):
        annotation = annotation.get_object()
        destination = annotation.get("/Dest")
        if destination is None and "/A" in annotation:
            destination = annotation["/A"].get("/D")
        if isinstance(destination, str):
            destination = named[destination].page
        elif isinstance(destination, pypdf.generic.ArrayObject):
            destination = destination[0]
        targets.append(page_of[destination.get_object().indirect_reference.idnum])
    return targets


def test_contents_entries_are_links_to_the_fiches(built):
    assert sorted(set(_link_targets(fr(built), 1))) == [3, 4]


def test_partner_is_a_link_to_its_page(built):
    assert _link_targets(fr(built), 2) == [4]


def test_seed_text_is_printed_word_for_word(built):
    seed = (DATA / "seed-issy-les-moulineaux.txt").read_text(encoding="utf-8")
    seed = re.sub(r"<[^>]+>|\*\*", "", re.sub(r"</?p>", "\n", seed))
    sections = re.findall(r"^\s*\d\. [^()]*\([^)]*\)\s*(.+?)(?=^\s*\d\. |^\s*\*Fiche|\Z)",
                          seed, re.S | re.M)
    assert len(sections) == 6
    page = flat(page_texts(fr(built))[2])
    for section in sections:
        assert flat(section) in page


def test_japanese_text_extracts_as_japanese(built):
    for pdf in (fr(built), ja(built)):
        page = "".join(page_texts(pdf)[3].split())  # lines break anywhere in Japanese
        assert "市川市は千葉県の北西部に位置し、江戸川を挟んで東京都と接しています。" in page


def test_numbers_follow_the_edition_locale(built):
    # The PDF maps the narrow no-break space of "66 171" to a space glyph.
    issy_fr = " ".join(page_texts(fr(built))[2].split())
    assert "SUPERFICIE 4,3 km² POPULATION 66 171 hab." in issy_fr
    assert "57,45 km²" in page_texts(fr(built))[3]
    assert "57.45 km²" in page_texts(ja(built))[3]
    assert "66,171人" in page_texts(ja(built))[2]


def test_fonts_are_the_bundled_ones_embedded_and_subset(built):
    for pdf in (fr(built), ja(built)):
        fonts = pdf_fonts(pdf)
        assert {re.sub(r"^[A-Z]{6}\+", "", f["name"]) for f in fonts} == {
            "Noto-Sans-CJK-JP-Booklet", "Noto-Sans-CJK-JP-Booklet-Bold",
            "Noto-Serif-CJK-JP-Booklet", "Noto-Serif-CJK-JP-Booklet-Bold"}
        assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)


def test_running_footer_has_page_number_and_title(built):
    pages = page_texts(fr(built))
    for number, text in enumerate(pages[1:], start=2):
        assert text.splitlines()[-1].strip() == f"{TITLE_FR} {number}"
    assert page_texts(ja(built))[2].splitlines()[-1].strip() == f"{TITLE_JA} 3"


def test_cover_has_titles_and_no_page_number(built):
    cover = page_texts(fr(built))[0]
    assert TITLE_FR in " ".join(cover.split())
    assert TITLE_JA in cover
    assert not re.search(r"^\s*\d+\s*$", cover, re.M)


def test_bookmarks_name_every_collectivite(built):
    assert [o.title for o in reader(fr(built)).outline] == [
        "Sommaire", "Issy-les-Moulineaux", "Ichikawa", "Index des partenariats"]
    assert [o.title for o in reader(ja(built)).outline] == [
        "目次", "Issy-les-Moulineaux", "市川市", "姉妹都市・友好都市一覧"]


def test_title_and_language_metadata(built):
    document = reader(fr(built))
    assert document.metadata.title == TITLE_FR
    assert document.trailer["/Root"]["/Lang"] == "fr"
    assert reader(ja(built)).trailer["/Root"]["/Lang"] == "ja"


def test_partnership_index_gives_both_pages(built):
    index = " ".join(page_texts(fr(built))[4].split())
    assert "Issy-les-Moulineaux 3 — Ichikawa 4" in index


def test_per_collectivite_pdfs(built):
    single = built / "dist" / "fiches"
    assert sorted(p.name for p in single.iterdir()) == [
        "ichikawa-fr.pdf", "ichikawa-ja.pdf",
        "issy-les-moulineaux-fr.pdf", "issy-les-moulineaux-ja.pdf"]
    text = page_texts(single / "issy-les-moulineaux-fr.pdf")
    assert len(text) == 1
    assert text[0].startswith("Issy-les-Moulineaux")
    assert reader(single / "ichikawa-ja.pdf").metadata.title == "市川市"


def test_output_option_writes_exactly_that_file(sample, tmp_path):
    target = tmp_path / "out" / "livret.pdf"
    result = run("build", sample, "--edition", "fr", "-o", target)
    assert result.exit_code == 0, result.output
    assert len(reader(target).pages) == 5
    assert sorted(p.name for p in target.parent.iterdir()) == ["livret.pdf"]
    assert not (sample / "dist").exists()


@pytest.mark.parametrize("edition, label", [("fr", "texte original en japonais"),
                                            ("ja", "原文（フランス語）")])
def test_untranslated_text_is_marked(built, edition, label):
    pages = page_texts(built / "dist" / f"booklet-{edition}.pdf")
    other = 3 if edition == "fr" else 2  # the fiche written in the other language
    assert label in pages[other]

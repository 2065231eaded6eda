"""Two editions from one source: labels, order, numbers, languages, Japanese line breaking."""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml
from weasyprint import HTML

from booklet.compose.editions import _common_context
from booklet.compose.order import fiche_context, plan_edition
from booklet.compose.templating import load_layout
from booklet.project.loading import load_project
from conftest import page_texts, pdf_fonts, run

FRENCH = [("le-havre", "Le Havre"), ("evreux", "Évreux"), ("angers", "Angers"),
          ("dijon", "Dijon"), ("elbeuf", "elbeuf")]
JAPANESE = [("sendai", "仙台市", "せんだいし"), ("aomori", "青森市", "あおもりし"),
            ("kyoto", "京都市", "きょうとし"), ("ichikawa", "市川市", "いちかわし")]
# Words full of characters that must not start a line (small kana, ー, closing
# punctuation) or end one (opening brackets), mixed with Latin names and numbers.
JAPANESE_TEXT = (
    "ちょっとしたキャンペーンやパーティー、ショッピングのイベントを「国際交流」として"
    "毎年開催しています。フランスのIssy-les-Moulineaux市とは2009年から交流を続け、"
    "面積は57.45 km²です。（仮称）センターでのフェスティバルには、ニュースでも"
    "取り上げられたジョッキやコーヒーのサービスがあり、チェックインの後にぎゅうにゅうを"
    "配りました。")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A booklet of five French and four Japanese fiches, built in both editions."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "fiches").mkdir()
    (root / "booklet.yaml").write_text(yaml.safe_dump({
        "title": {"fr": "Rencontres", "ja": "日仏自治体交流会議"}, "editions": ["fr", "ja"],
        "order": ["FR", "JP"]}, allow_unicode=True), encoding="utf-8")
    for fiche_id, name in FRENCH:
        (root / "fiches" / f"{fiche_id}.yaml").write_text(yaml.safe_dump({
            "lang": "fr", "country": "FR", "name": name, "population": 66171, "area_km2": 4.3,
            "sections": {"history": f"{name} est une ville. " * 20}}, allow_unicode=True),
            encoding="utf-8")
    for fiche_id, name, reading in JAPANESE:
        (root / "fiches" / f"{fiche_id}.yaml").write_text(yaml.safe_dump({
            "lang": "ja", "country": "JP", "name": {"ja": name, "fr": fiche_id.capitalize()},
            "reading": reading, "population": 491000, "area_km2": 57.45,
            "sections": {"geography": JAPANESE_TEXT * 3, "exchanges": JAPANESE_TEXT * 2}},
            allow_unicode=True), encoding="utf-8")
    result = run("build", root)
    assert result.exit_code == 0, result.output
    return root


def _pdf(root, edition):
    return root / "dist" / f"booklet-{edition}.pdf"


def test_order_french_collation_then_kana(mixed):
    expected_fr = ["Angers", "Dijon", "elbeuf", "Évreux", "Le Havre",
                   "Aomori", "Ichikawa", "Kyoto", "Sendai"]
    expected_ja = ["Angers", "Dijon", "elbeuf", "Évreux", "Le Havre",
                   "青森市", "市川市", "京都市", "仙台市"]
    for edition, expected in (("fr", expected_fr), ("ja", expected_ja)):
        pages = page_texts(_pdf(mixed, edition))
        assert [p.splitlines()[0] for p in pages[2:11]] == expected
        contents = [line.split()[0] for line in pages[1].splitlines()[2:]
                    if re.search(r"\d$", line) and not line.startswith(("Rencontres", "日仏"))]
        assert contents == [name.split()[0] for name in expected]


def test_labels_follow_the_edition(mixed):
    ja = page_texts(_pdf(mixed, "ja"))
    assert ja[1].startswith("目次")
    for label in ("面積", "人口", "1. 位置・地理的特徴", "5. フランスとの交流・活動"):
        assert label in ja[7]
    assert "2. 沿革" in ja[2]
    assert ja[-1].startswith("姉妹都市・友好都市一覧")
    assert ja[2].splitlines()[-1].strip() == "日仏自治体交流会議 3"
    fr = page_texts(_pdf(mixed, "fr"))
    for label in ("SUPERFICIE", "POPULATION", "1. Situation et aspects géographiques",
                  "5. Manifestations et activités avec la France"):
        assert label in fr[7]


def test_numbers_follow_the_edition_locale(mixed):
    fr = " ".join(page_texts(_pdf(mixed, "fr"))[7].split())
    ja = " ".join(page_texts(_pdf(mixed, "ja"))[7].split())
    assert "SUPERFICIE 57,45 km² POPULATION 491 000 hab." in fr
    assert "面積 57.45 km² 人口 491,000人" in ja
    assert "66,171人" in page_texts(_pdf(mixed, "ja"))[2]


def test_cover_has_both_titles_edition_language_first(mixed):
    fr = page_texts(_pdf(mixed, "fr"))[0].split()
    ja = page_texts(_pdf(mixed, "ja"))[0].split()
    assert fr.index("Rencontres") < fr.index("日仏自治体交流会議")
    assert ja.index("日仏自治体交流会議") < ja.index("Rencontres")


def test_both_names_where_known(mixed):
    ja = page_texts(_pdf(mixed, "ja"))[7].splitlines()
    fr = page_texts(_pdf(mixed, "fr"))[7].splitlines()
    assert ja[:2] == ["青森市", "Aomori"]
    assert fr[:2] == ["Aomori", "青森市"]


def test_untranslated_text_is_marked_in_the_other_edition(mixed):
    assert "texte original en japonais" in page_texts(_pdf(mixed, "fr"))[7]
    assert "原文（フランス語）" in page_texts(_pdf(mixed, "ja"))[2]
    assert "原文" not in page_texts(_pdf(mixed, "ja"))[7]


def test_japanese_is_set_in_the_bundled_japanese_faces(mixed):
    names = {re.sub(r"^[A-Z]{6}\+", "", f["name"]) for f in pdf_fonts(_pdf(mixed, "ja"))}
    assert names <= {"Noto-Sans-CJK-JP-Booklet", "Noto-Sans-CJK-JP-Booklet-Bold",
                     "Noto-Serif-CJK-JP-Booklet", "Noto-Serif-CJK-JP-Booklet-Bold"}


def _japanese(text: str) -> bool:
    return any(unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA")) for c in text)


@pytest.mark.parametrize("edition", ["fr", "ja"])
def test_every_japanese_text_carries_lang_ja(mixed, edition):
    """lang="ja" reaches every element that prints Japanese (for Japanese glyph forms)."""
    project = load_project(mixed)
    layout = load_layout(mixed)
    plan = plan_edition(project, edition, 2)
    common = _common_context(project, layout, edition)
    from booklet.compose.copyfit import fit_steps

    fit = fit_steps(layout.settings["copyfit"])[0]
    documents = [layout.render("front.html", plan=plan, first_page=1, **common),
                 layout.render("index.html", plan=plan, first_page=20, **common)]
    documents += [layout.render("fiche.html", fit=fit, first_page=page.page,
                                **fiche_context(plan, page), **common) for page in plan.fiches]
    checked = 0
    for html in documents:
        root = HTML(string=html).etree_element
        parents = {child: parent for parent in root.iter() for child in parent}
        for element in root.iter():
            texts = [element.text or "", *(child.tail or "" for child in element)]
            if not any(_japanese(t) for t in texts) or element.tag in ("title", "meta"):
                continue
            node = element
            while node is not None and node.get("lang") is None:
                node = parents.get(node)
            assert node is not None and node.get("lang") == "ja", (element.tag, texts)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("edition", ["fr", "ja"])
def test_no_japanese_line_starts_or_ends_with_a_forbidden_character(mixed, edition):
    never_first = set("。、」）ーゃゅょっぁぃぅぇぉャュョッァィゥェォ，．・：；！？")
    never_last = set("「（")
    lines = [line.strip() for page in page_texts(_pdf(mixed, edition))[7:11]
             for line in page.splitlines()]
    japanese = [line for line in lines if _japanese(line)]
    assert len(japanese) > 40
    for line in japanese:
        assert line[0] not in never_first, line
        assert line[-1] not in never_last, line

"""The pure stages on small inputs: reading YAML with positions, validation, order, text."""

from __future__ import annotations

import pytest

from booklet.compose.order import order_fiches, plan_edition, resolve_partners
from booklet.compose.text import to_html, typeset
from booklet.errors import SourceLocation
from booklet.project.loading import FicheSource, Project
from booklet.project.localized import localize
from booklet.project.model import BookletConfig, Fiche
from booklet.project.sources import SourceDocument, YamlError, parse_yaml


def test_positions_of_values_and_keys():
    document = parse_yaml(b"lang: fr\ncontact:\n  email: x@y.fr\npartners:\n  - a\n  - b\n", "f")
    assert document.location(("contact", "email")) == SourceLocation("f", 3, 10)
    assert document.key_location(("contact", "email")) == SourceLocation("f", 3, 3)
    assert document.location(("partners", 1)) == SourceLocation("f", 6, 5)
    assert document.key_location(("contact",)) == SourceLocation("f", 2, 1)
    assert document.key_location(()) == SourceLocation("f", 1, 1)


def test_duplicate_keys_are_refused():
    with pytest.raises(YamlError) as error:
        parse_yaml(b"name: a\nname: b\n", "f")
    assert str(error.value.findings[0]) == (
        "f:2:1: error: 'name' is given twice (first on line 1); keep only one")


def test_aliases_are_refused_without_expanding_them():
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n'
    with pytest.raises(YamlError) as error:
        parse_yaml(bomb, "f")
    assert "aliases (*name) are not supported" in error.value.findings[0].message


def _fiche(fiche_id, country, name, reading=None, partners=()):
    fiche = Fiche(lang="fr" if country == "FR" else "ja", country=country, name=name,
                  reading=reading, partners=list(partners), sections={"history": "x"})
    return FicheSource(fiche_id, SourceDocument(f"fiches/{fiche_id}.yaml", {}), fiche)


def _project(fiches, order=("FR", "JP")):
    config = BookletConfig(title="T", order=list(order))
    return Project(None, config, SourceDocument("booklet.yaml", {}), tuple(fiches))


def test_french_collation_and_kana_order():
    fiches = [
        _fiche("le-havre", "FR", "Le Havre"), _fiche("evreux", "FR", "Évreux"),
        _fiche("fontainebleau", "FR", "Fontainebleau"), _fiche("dijon", "FR", "Dijon"),
        _fiche("elancourt", "FR", "élancourt"), _fiche("lyon", "FR", "Lyon"),
        _fiche("kyoto", "JP", "京都市", "きょうとし"), _fiche("aomori", "JP", "青森県", "あおもりけん"),
        _fiche("sendai", "JP", "仙台市", "せんだいし"), _fiche("ichikawa", "JP", "市川市", "いちかわし"),
    ]
    assert [f.id for f in order_fiches(_project(fiches))] == [
        "dijon", "elancourt", "evreux", "fontainebleau", "le-havre", "lyon",
        "aomori", "ichikawa", "kyoto", "sendai"]
    assert [f.id for f in order_fiches(_project(fiches, ["JP", "FR"]))][0] == "aomori"


def test_the_collation_table_cut_to_the_names_gives_pyucas_keys():
    """Contractions (l·l), decomposed accents, ligatures, voiced and half-width kana and the
    prolonged sound mark: the same keys as pyuca's whole table."""
    import unicodedata

    from pyuca import Collator

    from booklet.compose.order import _collator

    names = ["Œuvre", "œil", "Ærø", "L'Haÿ-les-Roses", "Saint-Étienne", "Saint-Etienne",
             "Ḁ̈", "l·l", "ŀl", "ĳssel", "Straße", "ﬁnale", "がっこう", "ガッコウ", "ｶﾞｯｺｳ",
             "かあさん", "カーサン", "ヴァイオリン", "ゔ", "ゝゞヽヾ", "㍻", "①", "さーびす", "ｻｰﾋﾞｽ",
             "京都市", "𠮷野家"]
    cut = _collator(frozenset(unicodedata.normalize("NFD", "".join(names))))
    whole = Collator()
    assert [cut.sort_key(name) for name in names] == [whole.sort_key(name) for name in names]
    assert len(cut.table.root.children) < len(whole.table.root.children) / 10


def test_explicit_order_of_ids():
    fiches = [_fiche("a", "FR", "A"), _fiche("b", "JP", "B", "び"), _fiche("c", "FR", "C")]
    assert [f.id for f in order_fiches(_project(fiches, ["b", "c", "a"]))] == ["b", "c", "a"]


def test_page_numbers_and_partners_by_id_or_name():
    fiches = [_fiche("issy", "FR", "Issy-les-Moulineaux", partners=["Ichikawa", "Lahr"]),
              _fiche("ichikawa", "JP", {"ja": "市川市", "fr": "Ichikawa"}, "いちかわし",
                     partners=["issy"])]
    plan = plan_edition(_project(fiches), "fr", front_pages=2)
    assert [(p.id, p.page) for p in plan.fiches] == [("issy", 3), ("ichikawa", 4)]
    partners = resolve_partners(plan.fiches[0], plan)
    assert [(p.name.text, p.target and p.target.page) for p in partners] == [
        ("Ichikawa", 4), ("Lahr", None)]
    # each pair once, even though both fiches name each other
    assert [(a.id, b.name.text) for a, b in plan.partnerships] == [
        ("issy", "Ichikawa"), ("issy", "Lahr")]
    assert plan.index_page == 5


def test_localize_prefers_the_edition_and_marks_gaps():
    assert localize({"ja": "市川市", "fr": "Ichikawa"}, "ja", "fr").text == "Ichikawa"
    shown = localize("市川市は…", "ja", "fr")
    assert (shown.lang, shown.untranslated) == ("ja", True)


def test_markup_subset_escapes_everything_else():
    html = to_html("**gras** *it* <script>x</script> [lien](http://x)\n\n- un\n- deux", "fr")
    assert "<strong>gras</strong>" in html and "<em>it</em>" in html
    assert "&lt;script&gt;" in html and "<a" not in html
    assert "<ul>" in html


def test_typography():
    assert typeset("la « petite couronne » : l'eau", "fr") == (
        "la «\u202fpetite couronne\u202f»\u202f: l\u2019eau")
    assert typeset("東京都と\n接して います。Issy les", "ja") == "東京都と接しています。Issy les"

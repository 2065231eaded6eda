"""`booklet import`: returned questionnaires (text and Word, French and Japanese) become fiches
that build, nothing of the form is lost, and broken files get a clear message."""

from __future__ import annotations

import re

import docx
import pytest
import yaml

from conftest import DATA, flat, page_texts, run

SEED = DATA / "seed-issy-les-moulineaux.txt"


def _fiche(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _seed_sections() -> list[str]:
    seed = SEED.read_text(encoding="utf-8")
    seed = re.sub(r"<[^>]+>|\*\*", "", re.sub(r"</?p>", "\n", seed))
    return re.findall(r"^\s*\d\. [^()]*\([^)]*\)\s*(.+?)(?=^\s*\d\. |^\s*\*Fiche|\Z)",
                      seed, re.S | re.M)


def test_the_seed_imports_to_a_fiche_whose_page_prints_the_form_word_for_word(sample):
    (sample / "fiches" / "issy-les-moulineaux.yaml").unlink()
    result = run("import", SEED, "--to", sample / "fiches")
    assert result.exit_code == 0, result.output
    fiche = sample / "fiches" / "issy-les-moulineaux.yaml"
    assert f"→ {fiche}" in result.output and "passes booklet check" in result.output
    data = _fiche(fiche)
    assert data["lang"] == "fr" and data["country"] == "FR"
    assert data["name"] == "Issy-les-Moulineaux"
    assert (data["region"], data["department"]) == ("Ile-de-France", "Hauts de Seine")
    assert (data["area_km2"], data["population"]) == (4.3, 66171)
    assert data["partners"] == ["Ichikawa"]
    assert data["contact"] == {"name": "Morgane MILLON",
                               "address": "62 rue du Général Leclerc\n92130 Issy-les-Moulineaux",
                               "phone": "01 41 23 88 37", "email": "morgane.millon@ville-issy.fr"}
    text = fiche.read_text(encoding="utf-8")
    assert "env. 4 lignes" not in text and "Fiche de présentation" not in text
    assert "  geography: >" in text  # long texts as blocks a person can edit

    built = run("build", sample)
    assert built.exit_code == 0, built.output
    page = flat(page_texts(sample / "dist" / "booklet-fr.pdf")[2])
    sections = _seed_sections()
    assert len(sections) == 6
    for section in sections:
        assert flat(section) in page
    assert flat("l'éco-quartier du Fort") in page and "**" not in page


def _form_document(rows, questions, table=True, title="Issy-les-Moulineaux"):
    document = docx.Document()
    document.add_paragraph("Fiche de présentation des collectivités participantes aux "
                           "4e Rencontres franco-japonaises de la coopération décentralisée")
    if title:
        document.add_heading(title, level=2)
    if table:
        grid = document.add_table(rows=0, cols=2)
        for label, value in rows:
            cells = grid.add_row().cells
            cells[0].text, cells[1].text = label, value
    else:
        for label, value in rows:
            document.add_paragraph(f"{label}：{value}")
    for heading, answer in questions:
        if answer.startswith("LIST:"):
            document.add_paragraph(answer[5:], style="List Bullet")
            continue
        document.add_paragraph(heading)
        paragraph = document.add_paragraph()
        for part in re.split(r"(\*\*[^*]+\*\*)", answer):
            run_ = paragraph.add_run(part.strip("*"))
            run_.bold = part.startswith("**")
    return document


FRENCH_ROWS = [("Région", "Normandie"), ("Département", "Manche"), ("Superficie", "12,5 km²"),
               ("Population", "18 000 hab."), ("Jumelage/ Partenariat avec...", "Ville de Mikawa"),
               ("Personne - Contact : (Adresse - Tel - E-mail)",
                "Jean DUPONT Hôtel de ville 1 place de la Mairie 50100 Cherbourg "
                "02 33 00 00 00 jean.dupont@ville.fr"),
               ("Site internet", "www.exemple.fr")]
FRENCH_QUESTIONS = [
    ("1. Situation et aspects géographiques de la collectivité (env. 4 lignes)",
     "Une ville au bord de la mer, **face aux îles**."),
    ("2. Bref historique de la collectivité (env. 4 lignes)", "Un port ancien."),
    ("3. Particularités (env. 4 lignes)", "Des marées parmi les plus hautes d'Europe."),
    ("", "LIST:Le port de plaisance"), ("", "LIST:La cité de la mer"),
    ("4. Principaux secteurs d'activité ; spécialités et/ou produits locaux (env. 4 lignes)",
     "La pêche et le tourisme."),
    ("5. Manifestations et activités avec le Japon ou promotion de la collectivité "
     "(env. 4 lignes)", "Un festival du film japonais."),
    ("6. Quels exemples de bonnes pratiques souhaitez-vous partager avec les collectivités "
     "françaises et japonaises ? (un thème, un projet, une expérience...)",
     "La gestion du littoral (dunes, digues)."),
]


def test_a_french_word_form_with_a_header_table(tmp_path):
    path = tmp_path / "cherbourg.docx"
    _form_document(FRENCH_ROWS, FRENCH_QUESTIONS).save(path)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 0, result.output
    fiche = tmp_path / "fiches" / "issy-les-moulineaux.yaml"
    data = _fiche(fiche)
    assert data["region"] == "Normandie" and data["area_km2"] == 12.5
    assert data["population"] == 18000 and data["partners"] == ["Mikawa"]
    assert data["contact"] == {"name": "Jean DUPONT",
                               "address": "Hôtel de ville 1 place de la Mairie\n50100 Cherbourg",
                               "phone": "02 33 00 00 00", "email": "jean.dupont@ville.fr"}
    assert data["sections"]["geography"] == "Une ville au bord de la mer, **face aux îles**."
    assert data["sections"]["good_practices"] == "La gestion du littoral (dunes, digues)."
    assert data["sections"]["highlights"] == ("Des marées parmi les plus hautes d'Europe.\n\n"
                                              "- Le port de plaisance\n- La cité de la mer")
    # The row no field holds is kept in the fiche and named in the report.
    assert "Site internet | www.exemple.fr" in fiche.read_text(encoding="utf-8")
    assert "not mapped (kept as a comment): table row 7: Site internet | www.exemple.fr" in (
        result.output)
    assert "passes booklet check" in result.output


JAPANESE_ROWS = [("自治体名", "三川市"), ("都道府県", "愛知県"), ("面積", "123.45㎢"),
                 ("人口", "約4.5万人"), ("姉妹都市・友好都市", "シェルブール市（フランス）"),
                 ("担当者", "国際交流課 山田花子 〒444-0000 愛知県三川市本町1-1 0564-00-0000 "
                          "kokusai@city.mikawa.example.jp")]
JAPANESE_QUESTIONS = [
    ("1. 位置・地理的特徴（4行程度）", "三河湾に面した港町です。"),
    ("2. 沿革（4行程度）", "古くから港として栄えました。"),
    ("3. 特色（4行程度）", "**花火大会**が有名です。"),
    ("4. 主な産業・特産品（4行程度）", "漁業と観光。"),
    ("5. フランスとの交流・活動（4行程度）", "シェルブールと交流しています。"),
    ("6. 日仏の自治体と共有したい優良事例", "海岸の保全。"),
]


def test_a_japanese_word_form_with_paragraphs_only(tmp_path):
    path = tmp_path / "三川市.docx"
    _form_document(JAPANESE_ROWS, JAPANESE_QUESTIONS, table=False, title=None).save(path)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "fiches").glob("*.yaml"))
    assert [path.name for path in written] == ["mikawa.yaml"]  # 三川 romanized, without 市
    data = _fiche(written[0])
    assert (data["lang"], data["country"], data["name"]) == ("ja", "JP", "三川市")
    assert data["region"] == "愛知県" and data["area_km2"] == 123.45
    assert data["population"] == 45000
    assert data["contact"]["phone"] == "0564-00-0000"
    assert data["contact"]["address"] == "〒444-0000 愛知県三川市本町1-1"
    assert data["sections"]["highlights"] == "**花火大会**が有名です。"
    assert data["sections"]["good_practices"] == "海岸の保全。"
    assert data["reading"] == "みかわし"
    assert "paragraph 5: population '約4.5万人' given in 万: check the exact figure" in result.output
    assert "reading 'みかわし' (the kana that sorts the Japanese fiches) is guessed" in result.output


def test_the_id_is_stable_and_ascii(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace("Issy-les-Moulineaux</h2>",
                                                             "Saint-Étienne-du-Rouvray</h2>"),
                    encoding="utf-8")
    for _ in range(2):
        assert run("import", path, "--to", tmp_path / "fiches", "--force").exit_code == 0
    assert [p.name for p in (tmp_path / "fiches").iterdir()] == ["saint-etienne-du-rouvray.yaml"]


def test_a_form_with_questions_missing_is_imported_with_a_note(tmp_path):
    path = tmp_path / "short.docx"
    _form_document(FRENCH_ROWS, FRENCH_QUESTIONS[:5]).save(path)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 0
    assert "no answer found for questions 4, 5, 6" in result.output
    assert set(_fiche(tmp_path / "fiches" / "issy-les-moulineaux.yaml")["sections"]) == {
        "geography", "history", "highlights"}


def test_an_existing_fiche_is_replaced_only_with_force(sample):
    fiche = sample / "fiches" / "issy-les-moulineaux.yaml"
    before = fiche.read_bytes()
    result = run("import", SEED, "--to", sample / "fiches")
    assert result.exit_code == 1
    assert "issy-les-moulineaux.yaml already exists: nothing was written; use --force" in (
        result.output)
    assert fiche.read_bytes() == before
    assert run("import", SEED, "--to", sample / "fiches", "--force").exit_code == 0
    assert fiche.read_bytes() != before


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "the file is empty"),
    ("empty.docx", b"", "the file is empty"),
    ("broken.docx", b"PK\x03\x04 not really a zip file", "not a Word document that can be read"),
    ("binary.txt", bytes(range(256)) * 4, "nor UTF-8 text"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Word file (.doc)"),
    ("letter.txt", "Bonjour,\nvoici notre fiche en pièce jointe.\n".encode(),
     "does not look like the presentation form"),
])
def test_broken_inputs_get_a_clear_message(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: error: ") and message in result.output
    assert not (tmp_path / "fiches").exists() or not any((tmp_path / "fiches").iterdir())


def test_a_word_file_that_is_not_the_form(tmp_path):
    document = docx.Document()
    document.add_heading("Compte rendu de réunion", level=1)
    document.add_paragraph("Présents : le maire, les adjoints.")
    document.save(tmp_path / "reunion.docx")
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes((tmp_path / "reunion.docx").read_bytes()[:900])
    result = run("import", tmp_path / "reunion.docx", truncated, SEED, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{tmp_path}/reunion.docx: error: this does not look like the "
                               "presentation form")
    assert lines[1].startswith(f"{truncated}: error: this is not a Word document that can be read")
    assert [p.name for p in (tmp_path / "fiches").iterdir()] == ["issy-les-moulineaux.yaml"]


def test_a_zip_bomb_disguised_as_a_word_file_is_refused(tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w") as entry:
            for _ in range(210):
                entry.write(b"\0" * 1_000_000)
    assert bomb.stat().st_size < 1_000_000
    result = run("import", bomb, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    assert "unpacks to 210 MB, far more than a questionnaire" in result.output


def test_line_breaks_inside_values_stay_comments_and_values(tmp_path):
    rows = [("Superficie", "430 ha\nsource: mairie"), ("Population", "INSEE 2021 : 66 171")]
    path = tmp_path / "lignes.docx"
    _form_document(rows, FRENCH_QUESTIONS).save(path)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 0, result.output
    data = _fiche(tmp_path / "fiches" / "issy-les-moulineaux.yaml")
    assert "source" not in data  # the note about the area did not become a field
    assert (data["area_km2"], data["population"]) == (4.3, 66171)
    assert "holds several numbers: the largest, 66171, was taken" in result.output

"""`booklet import` over every format collectivités send back (issue 14).

Each questionnaire here is made with the real library a collectivité's software
would use (python-docx, odfpy, openpyxl, the csv module as Excel writes it,
pypdf's objects for a fillable PDF form, WeasyPrint for a printed PDF), imported
with the real command line, and its fiche compared word for word with what the
collectivité typed. The imported fiches are then built into the booklet and
their answers looked for in its pages. A folder of questionnaires ends with a
summary table; files that cannot be read, or that are hostile, are refused with
a message that says what to do; the readers are fuzzed with Hypothesis.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import copy_sample, flat, page_texts, run

SECTIONS = ("geography", "history", "highlights", "economy", "exchanges", "good_practices")

FORM_TITLE_FR = ("Fiche de présentation des collectivités participantes aux "
                 "4e Rencontres franco-japonaises de la coopération décentralisée")
FORM_TITLE_JA = "第4回日仏自治体交流会議　参加自治体紹介"

FR_QUESTIONS = [
    "1. Situation et aspects géographiques de la collectivité (env. 4 lignes)",
    "2. Bref historique de la collectivité (env. 4 lignes)",
    "3. Particularités (env. 4 lignes)",
    "4. Principaux secteurs d'activité ; spécialités et/ou produits locaux (env. 4 lignes)",
    "5. Manifestations et activités avec le Japon ou promotion de la collectivité (env. 4 lignes)",
    "6. Quels exemples de bonnes pratiques souhaitez-vous partager avec les collectivités "
    "françaises et japonaises ? (un thème, un projet, une expérience...)",
]
# As an online form titles its columns: the questions without their hints.
FR_QUESTION_COLUMNS = [re.sub(r"\s*\((env\.|un thème).*\)$", "", q) for q in FR_QUESTIONS]
JA_QUESTIONS = [
    "1. 位置・地理的特徴（4行程度）",
    "2. 沿革（4行程度）",
    "3. 特色（4行程度）",
    "4. 主な産業・特産品（4行程度）",
    "5. フランスとの交流・活動（4行程度）",
    "6. 日仏の自治体と共有したい優良事例（テーマ、プロジェクト、経験など）",
]
HINTS = ["env. 4 lignes", "un thème, un projet", "4行程度", "４行程度", "テーマ、プロジェクト、経験など"]


# --- The collectivités: what each typed into its questionnaire, and what its fiche must hold ---

@dataclass
class Collectivite:
    """One collectivité's answers: `header` as typed (by field: region, department, area,
    population, partners, contact), `fields` as the fiche must hold them, and the six answers
    (paragraphs separated by a blank line) as the fiche's sections must hold them."""

    name: str
    lang: str
    header: dict[str, str]
    fields: dict[str, object]
    sections: dict[str, str]
    cells: dict[str, object] = field(default_factory=dict)  # typed as numbers in a spreadsheet

    def answers(self) -> list[str]:
        return [self.sections[key] for key in SECTIONS]


SAINT_JEAN = Collectivite(
    "Saint-Jean-de-Braye", "fr",
    header={"region": "Centre-Val de Loire", "department": "Loiret", "area": "16,85 km²",
            "population": "38 534 hab.", "partners": "Ville de Kōfu",
            "contact": "Claire MARTIN - Hôtel de ville 43 rue du Général de Gaulle 45800 "
                       "Saint-Jean-de-Braye - 02 38 52 40 40 - claire.martin@ville-sjb.example.fr"},
    fields={"region": "Centre-Val de Loire", "department": "Loiret", "area_km2": 16.85,
            "population": 38534, "partners": ["Kōfu"],
            "contact": {"name": "Claire MARTIN",
                        "address": "Hôtel de ville 43 rue du Général de Gaulle\n"
                                   "45800 Saint-Jean-de-Braye",
                        "phone": "02 38 52 40 40", "email": "claire.martin@ville-sjb.example.fr"}},
    sections={
        "geography": "Saint-Jean-de-Braye borde la Loire à l'est d'Orléans, entre le fleuve et "
                     "la forêt.",
        "history": "Ancien village de vignerons, Saint-Jean-de-Braye a grandi avec Orléans.\n\n"
                   "La commune garde des maisons de vignerons du XVIIIe siècle.",
        "highlights": "Saint-Jean-de-Braye compte un parc de 40 hectares au bord de la Loire.",
        "economy": "À Saint-Jean-de-Braye, la cosmétique et la pharmacie emploient 4 000 personnes.",
        "exchanges": "Saint-Jean-de-Braye accueille chaque année une semaine japonaise avec Kōfu.",
        "good_practices": "Saint-Jean-de-Braye partage sa gestion des berges inondables.",
    })

TAKASAKI = Collectivite(
    "高崎市", "ja",
    header={"region": "群馬県", "area": "459.16㎢", "population": "３６９，７２９人",
            "partners": "ロリアン、ナント",
            "contact": "国際課 高崎花子\n〒370-8501 群馬県高崎市高松町35-1\n027-321-1111\n"
                       "kokusai@city.takasaki.example.jp"},
    fields={"region": "群馬県", "area_km2": 459.16, "population": 369729,
            "partners": ["ロリアン", "ナント"],
            "contact": {"name": "国際課 高崎花子", "address": "〒370-8501 群馬県高崎市高松町35-1",
                        "phone": "027-321-1111", "email": "kokusai@city.takasaki.example.jp"}},
    sections={
        "geography": "高崎市は群馬県の南西部に位置し、烏川が市街地を流れています。",
        "history": "高崎市は中山道の宿場町として栄えました。\n\n明治時代には鉄道の分岐点となりました。",
        "highlights": "高崎市はだるまの産地として知られています。",
        "economy": "高崎市では商業と物流が盛んです。",
        "exchanges": "高崎市はロリアンとの音楽交流を続けています。",
        "good_practices": "高崎市の中心市街地の再生を共有したいと考えています。",
    })

MATSUE = Collectivite(
    "松江市", "ja",
    header={"region": "島根県", "area": "572.99㎢", "population": "約20.3万人", "partners": "ブレスト",
            "contact": "観光振興課 松江太郎 〒690-8540 島根県松江市末次町86 0852-55-5555 "
                       "kanko@city.matsue.example.jp"},
    fields={"region": "島根県", "area_km2": 572.99, "population": 203000, "partners": ["ブレスト"],
            "contact": {"name": "観光振興課 松江太郎", "address": "〒690-8540 島根県松江市末次町86",
                        "phone": "0852-55-5555", "email": "kanko@city.matsue.example.jp"}},
    sections={
        "geography": "松江市は宍道湖と中海に挟まれた水の都です。",
        "history": "松江市は松江城の城下町として発展しました。",
        "highlights": "松江市には国宝の天守が残っています。",
        "economy": "松江市では観光と宍道湖のしじみ漁が盛んです。",
        "exchanges": "松江市はブレストと港町どうしの交流を行っています。",
        "good_practices": "松江市の堀川の水質改善を共有したいです。",
    })
# Matsue's questions, reworded and unnumbered, as headings.
MATSUE_HEADINGS = ["地理的な特徴", "歴史", "特色", "産業と特産品", "フランスとの交流", "共有したい優良事例"]

HONFLEUR = Collectivite(
    "Honfleur", "fr",
    header={"region": "Normandie", "department": "Calvados", "area": "15,01 km²",
            "population": "7 825 hab.", "partners": "Hakodate",
            "contact": "Julie ROUX - Mairie Place Arthur Boudin 14600 Honfleur - 02 31 81 88 00 - "
                       "julie.roux@ville-honfleur.example.fr"},
    fields={"region": "Normandie", "department": "Calvados", "area_km2": 15.01, "population": 7825,
            "partners": ["Hakodate"],
            "contact": {"name": "Julie ROUX", "address": "Mairie Place Arthur Boudin\n14600 Honfleur",
                        "phone": "02 31 81 88 00", "email": "julie.roux@ville-honfleur.example.fr"}},
    sections={
        "geography": "Honfleur se situe sur l'estuaire de la Seine, face au Havre.",
        "history": "Honfleur fut un port d'où partirent les explorateurs du Canada.",
        "highlights": "Honfleur garde l'église Sainte-Catherine, toute en bois.",
        "economy": "Honfleur vit du tourisme, de la pêche et de la logistique portuaire.",
        "exchanges": "Honfleur a accueilli une exposition d'estampes japonaises.",
        "good_practices": "Honfleur partage sa protection du Vieux Bassin.",
    })

ROCHEFORT = Collectivite(
    "Rochefort", "fr",
    header={"region": "Nouvelle-Aquitaine", "department": "Charente-Maritime", "area": "21,95 km²",
            "population": "23 583 hab.", "partners": "Ville de Hagi",
            "contact": "Paul DURAND\nHôtel de ville 83 rue Pierre Loti\n17300 Rochefort\n"
                       "05 46 82 65 00\npaul.durand@ville-rochefort.example.fr"},
    fields={"region": "Nouvelle-Aquitaine", "department": "Charente-Maritime", "area_km2": 21.95,
            "population": 23583, "partners": ["Hagi"],
            "contact": {"name": "Paul DURAND",
                        "address": "Hôtel de ville 83 rue Pierre Loti\n17300 Rochefort",
                        "phone": "05 46 82 65 00", "email": "paul.durand@ville-rochefort.example.fr"}},
    sections={
        "geography": "Rochefort est située sur la Charente, à 15 km de l'océan.",
        "history": "Rochefort naît en 1666 comme arsenal de la marine royale.\n\n"
                   "La corderie royale date de cette époque.",
        "highlights": "Rochefort abrite la réplique de la frégate Hermione.",
        "economy": "Rochefort vit de l'aéronautique, du thermalisme et du tourisme.",
        "exchanges": "Rochefort reçoit chaque été des élèves de Hagi.",
        "good_practices": "Rochefort partage la reconversion de son arsenal en quartier vivant.",
    })

QUIMPER = Collectivite(
    "Quimper", "fr",
    header={"region": "Bretagne", "area": "84,45 km²", "population": "63 283 hab.",
            "partners": "Ville de Nagasaki",
            "contact": "Anne LE GALL\nHôtel de ville 44 place Saint-Corentin\n29000 Quimper\n"
                       "02 98 98 89 89\nanne.legall@quimper.example.fr"},
    fields={"region": "Bretagne", "area_km2": 84.45, "population": 63283, "partners": ["Nagasaki"],
            "contact": {"name": "Anne LE GALL",
                        "address": "Hôtel de ville 44 place Saint-Corentin\n29000 Quimper",
                        "phone": "02 98 98 89 89", "email": "anne.legall@quimper.example.fr"}},
    sections={
        "geography": "Quimper se trouve au confluent de l'Odet et du Steir.",
        "history": "Quimper est la capitale historique de la Cornouaille.\n\n"
                   "Sa cathédrale Saint-Corentin domine la vieille ville.",
        "highlights": "Quimper fête la culture bretonne chaque été au Festival de Cornouaille.",
        "economy": "Quimper vit de l'agroalimentaire, de la faïence et des services.",
        "exchanges": "Quimper a présenté ses faïences à Nagasaki en 2023.",
        "good_practices": "Quimper partage son plan de mobilité à vélo.",
    })

COLMAR = Collectivite(
    "Colmar", "fr",
    header={"region": "Grand Est", "area": "66,57", "population": "67 730",
            "partners": "Ville de Hikone",
            "contact": "Marc WEBER - Mairie 1 place de la Mairie 68000 Colmar - 03 89 20 68 68 - "
                       "marc.weber@colmar.example.fr"},
    fields={"region": "Grand Est", "area_km2": 66.57, "population": 67730, "partners": ["Hikone"],
            "contact": {"name": "Marc WEBER", "address": "Mairie 1 place de la Mairie\n68000 Colmar",
                        "phone": "03 89 20 68 68", "email": "marc.weber@colmar.example.fr"}},
    sections={
        "geography": "Colmar s'étend entre les Vosges et le Rhin, au cœur de l'Alsace.",
        "history": "Colmar fut une ville libre du Saint-Empire.",
        "highlights": "Colmar est connue pour la Petite Venise et le musée Unterlinden.",
        "economy": "À Colmar, le vin d’Alsace et le tourisme font vivre la ville.",
        "exchanges": "Colmar a organisé un marché de Noël avec Hikone.",
        "good_practices": "Colmar partage la rénovation de ses maisons à colombages.\n\n"
                          "Les propriétaires y sont aidés par la ville.",
    },
    cells={"area": 66.57, "population": 67730})  # Excel keeps these as numbers

OKAYAMA = Collectivite(
    "岡山市", "ja",
    header={"region": "岡山県", "area": "789.95㎢", "population": "734,474人", "partners": "ヴェルサイユ",
            "contact": "国際課 岡山一郎\n〒700-8544 岡山県岡山市北区大供1-1-1\n086-803-1000\n"
                       "kokusai@city.okayama.example.jp"},
    fields={"region": "岡山県", "area_km2": 789.95, "population": 734474, "partners": ["ヴェルサイユ"],
            "contact": {"name": "国際課 岡山一郎", "address": "〒700-8544 岡山県岡山市北区大供1-1-1",
                        "phone": "086-803-1000", "email": "kokusai@city.okayama.example.jp"}},
    sections={
        "geography": "岡山市は岡山県の南部に位置し、瀬戸内海に面しています。",
        "history": "岡山市は岡山城の城下町として発展しました。\n\n戦後は県庁所在地として復興しました。",
        "highlights": "岡山市には日本三名園の後楽園があります。",
        "economy": "岡山市では桃やぶどうの栽培が盛んです。",
        "exchanges": "岡山市はヴェルサイユと美術の交流を続けています。",
        "good_practices": "岡山市の持続可能な開発のための教育を共有したいです。",
    })

KANAZAWA = Collectivite(
    "金沢市", "ja",
    header={"region": "石川県", "area": "468.79㎢", "population": "447,514人", "partners": "ナンシー",
            "contact": "国際交流課 金沢次郎\n〒920-8577 石川県金沢市広坂1-1-1\n076-220-2075\n"
                       "kokusai@city.kanazawa.example.jp"},
    fields={"region": "石川県", "area_km2": 468.79, "population": 447514, "partners": ["ナンシー"],
            "contact": {"name": "国際交流課 金沢次郎", "address": "〒920-8577 石川県金沢市広坂1-1-1",
                        "phone": "076-220-2075", "email": "kokusai@city.kanazawa.example.jp"}},
    sections={
        "geography": "金沢市は石川県の中央に位置し、犀川と浅野川が流れています。",
        "history": "金沢市は加賀藩の城下町として栄えました。",
        "highlights": "金沢市には兼六園と茶屋街があります。",
        "economy": "金沢市では金箔と九谷焼が作られています。\n\n観光も主な産業です。",
        "exchanges": "金沢市はナンシーと姉妹都市提携を結んでいます。",
        "good_practices": "金沢市の伝統工芸の継承を共有したいです。",
    })

ANNECY = Collectivite(
    "Annecy", "fr",
    header={"region": "Auvergne-Rhône-Alpes", "department": "Haute-Savoie", "area": "66,93 km²",
            "population": "130 721 hab.", "partners": "Hitachi",
            "contact": "Sophie BLANC\nHôtel de ville 1 place de l'Hôtel de Ville\n74000 Annecy\n"
                       "04 50 33 88 88\nsophie.blanc@annecy.example.fr"},
    fields={"region": "Auvergne-Rhône-Alpes", "department": "Haute-Savoie", "area_km2": 66.93,
            "population": 130721, "partners": ["Hitachi"],
            "contact": {"name": "Sophie BLANC",
                        "address": "Hôtel de ville 1 place de l'Hôtel de Ville\n74000 Annecy",
                        "phone": "04 50 33 88 88", "email": "sophie.blanc@annecy.example.fr"}},
    sections={
        "geography": "Annecy s'étend au bord du lac d'Annecy, au pied des Alpes.",
        "history": "Annecy fut la capitale des comtes de Genève.\n\nElle devient française en 1860.",
        "highlights": "Annecy accueille chaque année le festival du film d'animation.",
        "economy": "Annecy vit de l'industrie du sport, de la mécanique et du tourisme.",
        "exchanges": "Annecy reçoit des studios d'animation japonais pendant le festival.",
        "good_practices": "Annecy partage son plan de protection de la qualité du lac.",
    })

HIMEJI = Collectivite(
    "姫路市", "ja",
    header={"region": "兵庫県", "area": "534.56㎢", "population": "530,495人", "partners": "アルビ",
            "contact": "国際交流課 姫路三郎\n〒670-8501 兵庫県姫路市安田4-1\n079-221-2111\n"
                       "kokusai@city.himeji.example.jp"},
    fields={"region": "兵庫県", "area_km2": 534.56, "population": 530495, "partners": ["アルビ"],
            "contact": {"name": "国際交流課 姫路三郎", "address": "〒670-8501 兵庫県姫路市安田4-1",
                        "phone": "079-221-2111", "email": "kokusai@city.himeji.example.jp"}},
    sections={
        "geography": "姫路市は兵庫県の南西部に位置し、播磨灘に面しています。",
        "history": "姫路市は姫路城の城下町として発展しました。",
        "highlights": "姫路市の姫路城は世界遺産に登録されています。",
        "economy": "姫路市では鉄鋼と化学工業が盛んです。",
        "exchanges": "姫路市はアルビと城をテーマにした交流をしています。",
        "good_practices": "姫路市の文化財の防災を共有したいです。\n\n消防団との訓練も紹介します。",
    })

SAUMUR = Collectivite(
    "Saumur", "fr",
    header={"region": "Pays de la Loire", "department": "Maine-et-Loire", "area": "66,25 km²",
            "population": "26 734 hab.", "partners": "Ville de Hiraizumi",
            "contact": "Luc MOREAU - Hôtel de ville Rue Molière 49400 Saumur - 02 41 83 30 00 - "
                       "luc.moreau@ville-saumur.example.fr"},
    fields={"region": "Pays de la Loire", "department": "Maine-et-Loire", "area_km2": 66.25,
            "population": 26734, "partners": ["Hiraizumi"],
            "contact": {"name": "Luc MOREAU", "address": "Hôtel de ville Rue Molière\n49400 Saumur",
                        "phone": "02 41 83 30 00", "email": "luc.moreau@ville-saumur.example.fr"}},
    sections={
        "geography": "Saumur s'étend sur les deux rives de la Loire, entre Angers et Tours.",
        "history": "Saumur fut une place forte protestante au XVIe siècle.",
        "highlights": "Saumur abrite le Cadre noir et l'École nationale d'équitation.\n\n"
                      "Son château domine la Loire.",
        "economy": "Saumur vit de la viticulture, des champignons et du tourisme.",
        "exchanges": "Saumur a présenté ses vins lors d'une foire à Hiraizumi.",
        "good_practices": "Saumur partage sa mise en valeur des caves troglodytiques.",
    })


# --- The documents, made with the libraries that collectivités' software uses ---

FR_LABELS = {"region": "Région", "department": "Département", "area": "Superficie",
             "population": "Population", "partners": "Jumelage", "contact": "Contact"}
FORM_FR_LABELS = {**FR_LABELS, "partners": "Jumelage / Partenariat avec...",
                  "contact": "Personne - Contact : (Adresse - Tel - E-mail)"}


def _paragraphs(answer: str) -> list[str]:
    return answer.split("\n\n")


def word_with_tabs(path: Path, c: Collectivite) -> None:
    """The French form typed in Word: `Région<TAB>…` lines under the collectivité's name; one
    question reworded (still numbered), one answered on the question's own line."""
    document = docx.Document()
    document.add_paragraph(FORM_TITLE_FR)
    document.add_heading(c.name, level=2)
    for key, label in FR_LABELS.items():
        if key in c.header:
            document.add_paragraph(f"{label}\t{c.header[key]}")
    questions = list(FR_QUESTIONS)
    questions[3] = "4. Économie : secteurs et produits locaux (env. 4 lignes)"
    for number, (question, answer) in enumerate(zip(questions, c.answers(), strict=True), 1):
        if number == 3:
            document.add_paragraph(f"{question} {answer}")
            continue
        document.add_paragraph(question)
        for paragraph in _paragraphs(answer):
            document.add_paragraph(paragraph)
    document.save(path)


JA_TABLE_LABELS = {"region": "都道府県", "area": "総面積", "population": "総人口", "partners": "交流都市",
                   "contact": "担当者（住所・電話・メール）"}
JA_TABLE_QUESTIONS = [
    "1. 自治体の位置・地理的特徴（4行程度）",
    "2. 沿革（4行程度）",
    "３．本市の特色（４行程度）",
    "4. 主な産業・特産品（4行程度）",
    "5. フランスとの交流・活動（4行程度）",
    "6. 日仏の自治体と共有したいグッドプラクティス（テーマ、プロジェクト、経験など）",
]


def word_with_table(path: Path, c: Collectivite) -> None:
    """The Japanese form in Word: the header in a two-column table worded differently from
    the form, the contact cell on several lines, the answers under the questions."""
    document = docx.Document()
    document.add_paragraph(FORM_TITLE_JA)
    table = document.add_table(rows=0, cols=2)
    for label, value in [("自治体名", c.name),
                         *((JA_TABLE_LABELS[k], v) for k, v in c.header.items())]:
        cells = table.add_row().cells
        cells[0].text = label
        first, *more = value.split("\n")
        cells[1].text = first
        for line in more:
            cells[1].add_paragraph(line)
    for question, answer in zip(JA_TABLE_QUESTIONS, c.answers(), strict=True):
        document.add_paragraph(question)
        for paragraph in _paragraphs(answer):
            document.add_paragraph(paragraph)
    document.save(path)


JA_COLON_LABELS = {"region": "都道府県", "area": "面積", "population": "人口", "partners": "友好都市",
                   "contact": "連絡先"}


def word_with_unnumbered_headings(path: Path, c: Collectivite) -> None:
    """A Japanese questionnaire rewritten by the collectivité: `label：value` lines and its own
    headings, without numbers, instead of the six questions."""
    document = docx.Document()
    document.add_heading(c.name, level=1)
    for key, value in c.header.items():
        document.add_paragraph(f"{JA_COLON_LABELS[key]}：{value}")
    for heading, answer in zip(MATSUE_HEADINGS, c.answers(), strict=True):
        document.add_heading(heading, level=2)
        for paragraph in _paragraphs(answer):
            document.add_paragraph(paragraph)
    document.save(path)


def word_with_bold_labels(path: Path, c: Collectivite) -> None:
    """A French Word form whose labels are bold runs, or followed by ` - ` or ` : `; the
    questions in bold."""
    h = c.header
    document = docx.Document()
    document.add_heading(c.name, level=2)
    for label, separator, value in [("Région", " ", h["region"]),
                                    ("Département", " - ", h["department"]),
                                    ("Superficie", " : ", h["area"]),
                                    ("Population", " ", h["population"]),
                                    ("Ville partenaire", " : ", h["partners"]),
                                    ("Personne à contacter", " - ", h["contact"])]:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = label in ("Région", "Population", "Ville partenaire")
        paragraph.add_run(f"{separator}{value}")
    for question, answer in zip(FR_QUESTIONS, c.answers(), strict=True):
        document.add_paragraph().add_run(question).bold = True
        for paragraph in _paragraphs(answer):
            document.add_paragraph(paragraph)
    document.save(path)


def odt_with_table(path: Path, c: Collectivite) -> None:
    """The French form saved by LibreOffice: the header in a table of two cells a row (the
    contact cell on several lines), numbered questions and answers as paragraphs."""
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text=FORM_TITLE_FR))
    table = Table(name="Collectivite")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for label, value in [("Nom de la collectivité", c.name),
                         *((FORM_FR_LABELS[k], v) for k, v in c.header.items())]:
        row = TableRow()
        for text in (label, value):
            cell = TableCell(valuetype="string")
            for line in text.split("\n"):
                cell.addElement(P(text=line))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    for question, answer in zip(FR_QUESTIONS, c.answers(), strict=True):
        document.text.addElement(P(text=question))
        for paragraph in _paragraphs(answer):
            document.text.addElement(P(text=paragraph))
    document.save(str(path))


SHEET_LABELS = {"region": "Région", "area": "Superficie", "population": "Population",
                "partners": "Jumelage", "contact": "Contact"}
RESPONDENT = "secretariat@reponses.example.fr"
ANSWERED_AT = datetime(2025, 3, 14, 10, 22, 5)


def _sheet_rows(collectivites, *, labels=SHEET_LABELS, name_label="Nom de la collectivité",
                stamp="Horodateur", email="Adresse e-mail", questions=FR_QUESTION_COLUMNS,
                excel_types=False, extra=True) -> list[list]:
    """The rows an online form's spreadsheet has: a header row of labels and questions, then
    one row per collectivité (line breaks inside the answers), after the time of the answer and
    the respondent's e-mail. `excel_types`: the time and the numbers as Excel keeps them (a date,
    numbers), not as text."""
    header = [stamp, email, name_label, *labels.values(), *questions]
    if extra:
        header.append("Site internet")
    rows = [header]
    for number, c in enumerate(collectivites):
        values = {**c.header, **(c.cells if excel_types else {})}
        row = [ANSWERED_AT if excel_types else ANSWERED_AT.strftime("%d/%m/%Y %H:%M:%S"), RESPONDENT,
               c.name, *(values.get(key, "") for key in labels),
               *(answer.replace("\n\n", "\n") for answer in c.answers())]
        if extra:
            row.append(f"www.{c.name.lower()}.example.fr" if number == 0 else "")
        rows.append(row)
    return rows


def xlsx_of(collectivites) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        """The spreadsheet of an online form, downloaded as .xlsx."""
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Réponses au formulaire 1"
        for row in _sheet_rows(collectivites, excel_types=True):
            sheet.append(row)
        workbook.save(path)
    return make


def _write_csv(path: Path, rows, delimiter: str, encoding: str) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def french_excel_csv(encoding: str, collectivites) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        """The same spreadsheet saved as CSV by a French Excel: `;` between cells, questions
        with their hints, in Windows-1252 or UTF-8 with a BOM."""
        _write_csv(path, _sheet_rows(collectivites, questions=FR_QUESTIONS), ";", encoding)
    return make


JA_SHEET_LABELS = {"region": "都道府県", "area": "面積", "population": "人口", "partners": "姉妹都市",
                   "contact": "担当者（住所・電話・メール）"}


def japanese_google_csv(path: Path) -> None:
    """A Japanese Google Forms answer sheet downloaded as CSV: commas, UTF-8 without BOM."""
    rows = _sheet_rows([KANAZAWA], labels=JA_SHEET_LABELS, name_label="自治体名",
                       stamp="タイムスタンプ", email="メールアドレス", questions=JA_QUESTIONS,
                       extra=False)
    _write_csv(path, rows, ",", "utf-8")


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def fillable_pdf(path: Path, fields: list[tuple[str, str | None, str]],
                 printed: list[str] = ()) -> None:
    """A PDF form filled in a PDF reader: one text field per (name, tooltip, value), and the
    form's labels and questions printed on the page when `printed` is given."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    if printed:
        content = b"BT /F1 8 Tf 40 810 Td 11 TL " + b" ".join(
            _pdf_string(line) + b" Tj T* T*" for line in printed) + b" ET"
        stream = StreamObject()
        stream.set_data(content)
        page[NameObject("/Contents")] = writer._add_object(stream)
        font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                 NameObject("/Subtype"): NameObject("/Type1"),
                                 NameObject("/BaseFont"): NameObject("/Helvetica"),
                                 NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
            {NameObject("/F1"): font})})
    widgets = ArrayObject()
    for number, (name, tooltip, value) in enumerate(fields):
        top = 800 - 22 * number
        widget = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(name),
            NameObject("/V"): TextStringObject(value), NameObject("/Ff"): NumberObject(4096),
            NameObject("/Rect"): ArrayObject([FloatObject(300), FloatObject(top - 11),
                                              FloatObject(560), FloatObject(top)]),
            NameObject("/P"): page.indirect_reference})
        if tooltip:
            widget[NameObject("/TU")] = TextStringObject(tooltip)
        widgets.append(writer._add_object(widget))
    page[NameObject("/Annots")] = widgets
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): widgets, NameObject("/NeedAppearances"): BooleanObject(True),
        NameObject("/DA"): TextStringObject("/Helv 0 Tf 0 g")})
    with open(path, "wb") as file:
        writer.write(file)


def french_fillable_pdf(path: Path, c: Collectivite = ANNECY) -> None:
    """The French form as a fillable PDF: header fields named by their label, the six answer
    fields named Texte1… with the question as their tooltip; the labels and questions are
    printed on the page too. A reader such as Acrobat ends lines with a carriage return."""
    fields = [("Nom de la collectivité", None, c.name),
              *((FR_LABELS[key], None, value) for key, value in c.header.items()),
              *((f"Texte{n}", question, answer.replace("\n\n", "\r"))
                for n, (question, answer) in enumerate(zip(FR_QUESTIONS, c.answers(), strict=True), 1))]
    printed = [FORM_TITLE_FR, "Nom de la collectivité", *(FR_LABELS[k] for k in c.header),
               *FR_QUESTIONS]
    fillable_pdf(path, fields, printed)


def japanese_fillable_pdf(path: Path, c: Collectivite = HIMEJI) -> None:
    """The Japanese form as a fillable PDF without printed text: each field is named by its
    label or by its question (numbered with full-width digits)."""
    labels = {"region": "都道府県", "area": "面積", "population": "人口", "partners": "姉妹都市",
              "contact": "問い合わせ先"}
    questions = [re.sub(r"^(\d)\. ", lambda m: chr(ord(m[1]) + 0xFEE0) + "．", q)
                 for q in JA_QUESTIONS]
    fields = [("自治体名", None, c.name),
              *((labels[key], None, value) for key, value in c.header.items()),
              *((question, None, answer)
                for question, answer in zip(questions, c.answers(), strict=True))]
    fillable_pdf(path, fields)


def printed_pdf(path: Path, c: Collectivite = SAUMUR) -> None:
    """The French form printed to PDF (a text layer, no fields): `Label : value` lines, each
    question followed by its answer, in the bundled fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from booklet.resources import FONTS_DIR

    lines = [f"<p>{html.escape(FORM_TITLE_FR)}</p>",
             f"<p>Nom de la collectivité : {html.escape(c.name)}</p>",
             *(f"<p>{FR_LABELS[key]} : {html.escape(value)}</p>" for key, value in c.header.items())]
    for question, answer in zip(FR_QUESTIONS, c.answers(), strict=True):
        lines.append(f"<p><b>{html.escape(question)}</b></p>")
        lines += [f"<p>{html.escape(paragraph)}</p>" for paragraph in _paragraphs(answer)]
    fonts = FontConfiguration()
    stylesheets = [CSS(filename=str(FONTS_DIR / "fonts.css"), font_config=fonts),
                   CSS(string="@page { size: A3 landscape; margin: 15mm } "
                              "body { font: 10pt 'Noto Sans CJK JP Booklet' }", font_config=fonts)]
    HTML(string=f"<html lang=fr><body>{''.join(lines)}</body></html>").write_pdf(
        path, stylesheets=stylesheets, font_config=fonts)


@dataclass(frozen=True)
class Form:
    """One questionnaire file of the corpus and the collectivités it holds."""

    id: str
    file_name: str
    make: Callable[[Path], None]
    collectivites: tuple[Collectivite, ...]
    loose_lines: bool = False  # a printed PDF: where a paragraph ends is not in the text layer

    def made(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.file_name
        self.make(path)
        return path


FORMS = [
    Form("word-fr-tabs", "saint-jean-de-braye.docx",
         lambda p: word_with_tabs(p, SAINT_JEAN), (SAINT_JEAN,)),
    Form("word-ja-table", "高崎市.docx", lambda p: word_with_table(p, TAKASAKI), (TAKASAKI,)),
    Form("word-ja-unnumbered", "matsue.docx",
         lambda p: word_with_unnumbered_headings(p, MATSUE), (MATSUE,)),
    Form("word-fr-bold-labels", "honfleur.docx",
         lambda p: word_with_bold_labels(p, HONFLEUR), (HONFLEUR,)),
    Form("odt-fr-table", "rochefort.odt", lambda p: odt_with_table(p, ROCHEFORT), (ROCHEFORT,)),
    Form("xlsx-three-rows", "reponses.xlsx", xlsx_of([QUIMPER, COLMAR, OKAYAMA]),
         (QUIMPER, COLMAR, OKAYAMA)),
    Form("csv-semicolon-cp1252", "reponses-excel.csv",
         french_excel_csv("cp1252", [QUIMPER, COLMAR]), (QUIMPER, COLMAR)),
    Form("csv-semicolon-utf8-bom", "reponses-excel-utf8.csv",
         french_excel_csv("utf-8-sig", [QUIMPER, COLMAR]), (QUIMPER, COLMAR)),
    Form("csv-google-forms-ja", "回答.csv", japanese_google_csv, (KANAZAWA,)),
    Form("pdf-fillable-fr", "annecy.pdf", french_fillable_pdf, (ANNECY,)),
    Form("pdf-fillable-ja", "himeji.pdf", japanese_fillable_pdf, (HIMEJI,)),
    Form("pdf-printed-fr", "saumur.pdf", printed_pdf, (SAUMUR,), loose_lines=True),
]
FORM = {form.id: form for form in FORMS}
# The forms built together into one booklet: their collectivités' ids must differ.
BUILT = ["word-fr-tabs", "word-ja-table", "word-ja-unnumbered", "word-fr-bold-labels",
         "odt-fr-table", "xlsx-three-rows", "pdf-fillable-fr", "pdf-fillable-ja", "pdf-printed-fr"]


# --- Reading fiches back ---

def _fiches(folder: Path) -> dict[str, dict]:
    """Every fiche of `folder`, by the collectivité's name as written in its own language."""
    fiches = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = data.get("name")
        if isinstance(name, dict):
            name = name.get(data.get("lang")) or next(iter(name.values()))
        fiches[name] = data
    return fiches


def _words(value) -> object:
    """A contact with each part on one line: where an address is cut into lines is the
    importer's choice, its words are not."""
    if isinstance(value, dict):
        return {key: " ".join(str(part).split()) for key, part in value.items()}
    return value


def _loose(sections: dict) -> dict:
    return {key: " ".join(str(text).split()) for key, text in sections.items()}


def _assert_fiche_holds(fiche: dict, c: Collectivite, loose_lines: bool = False) -> None:
    assert (fiche["lang"], fiche["country"]) == (c.lang, "FR" if c.lang == "fr" else "JP")
    for key, expected in c.fields.items():
        if key == "contact":
            assert _words(fiche.get("contact")) == _words(expected), f"{c.name}: contact"
        else:
            assert fiche.get(key) == expected, f"{c.name}: {key}"
    if loose_lines:
        assert _loose(fiche.get("sections", {})) == _loose(c.sections), c.name
    else:
        assert fiche.get("sections") == c.sections, c.name


def _imported(path: Path, to: Path, *more: str):
    result = run("import", path, "--to", to, *more)
    assert result.exit_code == 0, result.output
    return result


# --- Every format, word for word ---

def test_the_corpus_documents_open_in_the_libraries_that_made_them(tmp_path):
    """The corpus itself: what a collectivité's software would show of each file."""
    import odf.opendocument
    import odf.teletype
    import openpyxl
    import pypdf

    paths = {form.id: form.made(tmp_path) for form in FORMS}
    paragraphs = [p.text for p in docx.Document(paths["word-fr-tabs"]).paragraphs]
    assert "Région\tCentre-Val de Loire" in paragraphs
    cell = docx.Document(paths["word-ja-table"]).tables[0].rows[5].cells[1]
    assert [p.text for p in cell.paragraphs][-1] == "kokusai@city.takasaki.example.jp"
    odt = odf.opendocument.load(str(paths["odt-fr-table"]))
    assert "Nouvelle-Aquitaine" in odf.teletype.extractText(odt.text)
    sheet = openpyxl.load_workbook(paths["xlsx-three-rows"]).active
    assert sheet.max_row == 4 and sheet.cell(3, 5).value == 66.57
    assert sheet.cell(4, 8).value.startswith("国際課 岡山一郎\n")
    text = paths["csv-semicolon-cp1252"].read_bytes().decode("cp1252")
    assert "cœur" in text and "d’Alsace" in text and text.startswith("Horodateur;")
    assert paths["csv-semicolon-utf8-bom"].read_bytes().startswith("\ufeffHorodateur;".encode())
    fields = pypdf.PdfReader(paths["pdf-fillable-fr"]).get_fields()
    assert fields["Région"]["/V"] == "Auvergne-Rhône-Alpes"
    assert fields["Texte6"]["/TU"] == FR_QUESTIONS[5]
    assert pypdf.PdfReader(paths["pdf-fillable-ja"]).get_fields()["自治体名"]["/V"] == "姫路市"
    printed = pypdf.PdfReader(paths["pdf-printed-fr"]).pages[0].extract_text()
    assert "Superficie : 66,25 km²" in printed and "troglodytiques" in printed


@pytest.mark.parametrize("form", FORMS, ids=[form.id for form in FORMS])
def test_each_format_gives_fiches_holding_the_header_and_the_six_answers_word_for_word(
        tmp_path, form):
    path = form.made(tmp_path / "forms")
    result = _imported(path, tmp_path / "fiches")
    fiches = _fiches(tmp_path / "fiches")
    assert sorted(fiches) == sorted(c.name for c in form.collectivites), result.output
    for c in form.collectivites:
        _assert_fiche_holds(fiches[c.name], c, form.loose_lines)


@pytest.fixture(scope="module")
def booklet_of_imports(tmp_path_factory):
    """The sample project with the collectivités of BUILT imported into its fiches/, built
    once: (the import outputs by form, the build's result, each edition's text, flat)."""
    root = tmp_path_factory.mktemp("formats")
    project = copy_sample(root / "project")
    outputs = {}
    for form_id in BUILT:
        result = run("import", FORM[form_id].made(root / "forms"), "--to", project / "fiches")
        outputs[form_id] = result
    built = run("build", project)
    texts = {}
    for lang in ("fr", "ja"):
        pdf = project / "dist" / f"booklet-{lang}.pdf"
        texts[lang] = flat("".join(page_texts(pdf))) if pdf.exists() else ""
    return outputs, built, texts


@pytest.mark.parametrize("form_id", BUILT)
def test_imported_answers_are_printed_in_the_booklet(booklet_of_imports, form_id):
    outputs, built, texts = booklet_of_imports
    assert outputs[form_id].exit_code == 0, outputs[form_id].output
    assert built.exit_code == 0, built.output
    for c in FORM[form_id].collectivites:
        for answer in c.answers():
            assert flat(answer) in texts[c.lang], f"{c.name}: {answer}"


# --- Header labels ---

JA_CONTACT = ("国際交流課 金沢次郎 〒920-8577 石川県金沢市広坂1-1-1 076-220-2075 "
              "kokusai@city.kanazawa.example.jp")
FR_CONTACT = SAUMUR.header["contact"]


def _text_form(name: str, lines: list[str], c: Collectivite | None = None) -> str:
    """A questionnaire pasted from an e-mail: the name, `lines`, and the six questions of the
    form (in the language of `c`, French by default) each followed by its answer."""
    c = c or SAUMUR
    questions = FR_QUESTIONS if c.lang == "fr" else JA_QUESTIONS
    name_label = "Nom de la collectivité" if c.lang == "fr" else "自治体名"
    body = [f"{name_label}\t{name}", *lines]
    for question, answer in zip(questions, c.answers(), strict=True):
        body += [question, *_paragraphs(answer)]
    return "\n".join(body) + "\n"


@pytest.mark.parametrize("label, value, key, expected", [
    ("担当者", JA_CONTACT, "contact", KANAZAWA.fields["contact"]),
    ("連絡先", JA_CONTACT, "contact", KANAZAWA.fields["contact"]),
    ("問い合わせ先", JA_CONTACT, "contact", KANAZAWA.fields["contact"]),
    ("担当者（住所・電話・メール）", JA_CONTACT, "contact", KANAZAWA.fields["contact"]),
    ("人口", "447,514人", "population", 447514),
    ("総人口", "447,514人", "population", 447514),
    ("面積", "468.79㎢", "area_km2", 468.79),
    ("総面積", "468.79㎢", "area_km2", 468.79),
    ("姉妹都市", "ナンシー", "partners", ["ナンシー"]),
    ("友好都市", "ナンシー", "partners", ["ナンシー"]),
    ("交流都市", "ナンシー", "partners", ["ナンシー"]),
    ("Jumelage", "Ville de Hiraizumi", "partners", ["Hiraizumi"]),
    ("Partenariat", "Ville de Hiraizumi", "partners", ["Hiraizumi"]),
    ("Ville partenaire", "Ville de Hiraizumi", "partners", ["Hiraizumi"]),
    ("Contact", FR_CONTACT, "contact", SAUMUR.fields["contact"]),
    ("Personne à contacter", FR_CONTACT, "contact", SAUMUR.fields["contact"]),
    ("Personne à contacter (adresse, téléphone, e-mail)", FR_CONTACT, "contact",
     SAUMUR.fields["contact"]),
])
def test_header_labels_are_recognised_in_their_variants(tmp_path, label, value, key, expected):
    c = KANAZAWA if re.search(r"[\u3000-\u9fff]", label) else SAUMUR
    path = tmp_path / "form.txt"
    path.write_text(_text_form(c.name, [f"{label}\t{value}"], c), encoding="utf-8")
    result = _imported(path, tmp_path / "fiches")
    fiche = _fiches(tmp_path / "fiches")[c.name]
    assert _words(fiche.get(key)) == _words(expected), result.output


@pytest.mark.parametrize("separator", ["\t", " : ", ": ", "：", " - ", "**"])
def test_header_labels_are_found_however_they_are_separated_from_the_value(tmp_path, separator):
    lines = [f"**{FR_LABELS[key]}** {value}" if separator == "**" else
             f"{FR_LABELS[key]}{separator}{value}" for key, value in SAUMUR.header.items()]
    path = tmp_path / "form.txt"
    path.write_text(_text_form(SAUMUR.name, lines), encoding="utf-8")
    _imported(path, tmp_path / "fiches")
    _assert_fiche_holds(_fiches(tmp_path / "fiches")["Saumur"], SAUMUR)


@pytest.mark.parametrize("label, value, key, expected", [
    ("Superficie", "15,01 km²", "area_km2", 15.01),
    ("Superficie", "186,08", "area_km2", 186.08),
    ("Population", "104 885 hab.", "population", 104885),
    ("人口", "734,474人", "population", 734474),
    ("人口", "447,514人", "population", 447514),
    ("人口", "約4.5万人", "population", 45000),
    ("人口", "１２３，４５６人", "population", 123456),
    ("面積", "１２３㎢", "area_km2", 123),
])
def test_numbers_are_read_as_collectivites_write_them(tmp_path, label, value, key, expected):
    c = KANAZAWA if re.search(r"[\u3000-\u9fff]", label) else SAUMUR
    path = tmp_path / "form.txt"
    path.write_text(_text_form(c.name, [f"{label}\t{value}"], c), encoding="utf-8")
    result = _imported(path, tmp_path / "fiches")
    assert _fiches(tmp_path / "fiches")[c.name].get(key) == expected, result.output
    if "約" in value:  # a rounded figure: the report asks for the exact one
        assert any(value in line and "check" in line for line in result.output.splitlines())


# --- The six questions ---

@pytest.mark.parametrize("c, questions", [
    (SAUMUR, ["1. Où sommes-nous ?", "2. Notre histoire en quelques mots",
              "3. Ce qui nous distingue", "4. Économie locale", "5. Nos liens avec le Japon",
              "6. Ce que nous aimerions partager"]),
    (KANAZAWA, ["１．地理", "２．歴史と文化", "３．まちの魅力", "４．経済", "５．国際交流",
                "６．共有したいこと"]),
], ids=["french", "japanese-full-width"])
def test_numbered_questions_map_by_their_number_whatever_their_wording(tmp_path, c, questions):
    lines = []
    for question, answer in zip(questions, c.answers(), strict=True):
        lines += [question, *_paragraphs(answer)]
    path = tmp_path / "form.txt"
    name_label = "Nom de la collectivité" if c.lang == "fr" else "自治体名"
    path.write_text("\n".join([f"{name_label}\t{c.name}", *lines]) + "\n", encoding="utf-8")
    result = _imported(path, tmp_path / "fiches")
    # each answer alone in its section: no question heading inside the section before it
    assert _fiches(tmp_path / "fiches")[c.name]["sections"] == c.sections, result.output


def test_unnumbered_reworded_headings_are_mapped_with_a_note_to_check(tmp_path):
    path = FORM["word-ja-unnumbered"].made(tmp_path)
    result = _imported(path, tmp_path / "fiches")
    assert _fiches(tmp_path / "fiches")["松江市"]["sections"] == MATSUE.sections
    notes = [line for line in result.output.splitlines() if "check" in line]
    for number, heading in enumerate(MATSUE_HEADINGS, 1):
        assert any(heading in line or f"question {number}" in line for line in notes), (
            f"no note to check '{heading}':\n{result.output}")


@pytest.mark.parametrize("form_id", ["word-fr-tabs", "word-ja-table", "odt-fr-table",
                                     "csv-semicolon-cp1252", "csv-google-forms-ja"])
def test_question_hints_are_not_kept_in_the_fiche(tmp_path, form_id):
    _imported(FORM[form_id].made(tmp_path), tmp_path / "fiches")
    for fiche in (tmp_path / "fiches").glob("*.yaml"):
        sections = json.dumps(yaml.safe_load(fiche.read_text(encoding="utf-8"))["sections"],
                              ensure_ascii=False)
        assert not [hint for hint in HINTS if hint in sections], fiche.name


# Question 4 as offices word it, longer than the form's known wordings after " ; " or "・": the
# rest of the question is not the start of the answer.
LONGER_QUESTIONS = {
    "semicolon-hint": (SAUMUR, "4. Principaux secteurs d'activité ; spécialités et produits locaux "
                               "(env. 4 lignes)"),
    "semicolon-no-hint": (SAUMUR, "4. Principaux secteurs d'activité ; spécialités et produits "
                                  "locaux"),
    "semicolon-answer-on-its-line": (SAUMUR, "4. Principaux secteurs d'activité ; spécialités et "
                                             "produits locaux (env. 4 lignes) {answer}"),
    "japanese-middle-dot": (KANAZAWA, "4. 主な産業・特産品・観光（4行程度）"),
}


def _questions_with(c: Collectivite, question4: str) -> list[tuple[str, list[str]]]:
    """The six questions of `c`'s form with question 4 worded `question4`, each with its
    answer's paragraphs (on the question's line when `question4` has "{answer}")."""
    questions = list(FR_QUESTIONS if c.lang == "fr" else JA_QUESTIONS)
    questions[3] = question4
    pairs = []
    for question, answer in zip(questions, c.answers(), strict=True):
        paragraphs = _paragraphs(answer)
        if "{answer}" in question:
            question, paragraphs = question.format(answer=paragraphs[0]), paragraphs[1:]
        pairs.append((question, paragraphs))
    return pairs


def _odt_form(path: Path, c: Collectivite, questions) -> None:
    """An .odt questionnaire as LibreOffice saves it: a paragraph a line."""
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    name_label = "Nom de la collectivité" if c.lang == "fr" else "自治体名"
    document.text.addElement(P(text=f"{name_label} : {c.name}"))
    for question, paragraphs in questions:
        for text in (question, *paragraphs):
            document.text.addElement(P(text=text))
    document.save(str(path))


def _docx_form(path: Path, c: Collectivite, questions) -> None:
    """A .docx questionnaire as Word saves it: a paragraph a line."""
    document = docx.Document()
    name_label = "Nom de la collectivité" if c.lang == "fr" else "自治体名"
    document.add_paragraph(f"{name_label} : {c.name}")
    for question, paragraphs in questions:
        for text in (question, *paragraphs):
            document.add_paragraph(text)
    document.save(path)


def _text_of(path: Path, c: Collectivite, questions) -> None:
    name_label = "Nom de la collectivité" if c.lang == "fr" else "自治体名"
    lines = [f"{name_label}\t{c.name}"]
    for question, paragraphs in questions:
        lines += [question, *paragraphs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("suffix, make", [(".odt", _odt_form), (".docx", _docx_form),
                                          (".txt", _text_of)], ids=["odt", "docx", "text"])
@pytest.mark.parametrize("wording", list(LONGER_QUESTIONS))
def test_a_question_worded_longer_than_the_form_is_not_left_in_its_answer(
        tmp_path, wording, suffix, make):
    c, question4 = LONGER_QUESTIONS[wording]
    path = tmp_path / f"questionnaire{suffix}"
    make(path, c, _questions_with(c, question4))
    result = _imported(path, tmp_path / "fiches")
    sections = _fiches(tmp_path / "fiches")[c.name]["sections"]
    assert sections["economy"] == c.sections["economy"], result.output
    assert sections == c.sections, result.output


@pytest.mark.parametrize("suffix, make", [(".odt", _odt_form), (".docx", _docx_form),
                                          (".txt", _text_of)], ids=["odt", "docx", "text"])
@pytest.mark.parametrize("question", ["4. 主な産業・特産品（4行程度）：・{answer}",
                                      "4. 主な産業・特産品：・{answer}"], ids=["hint", "no-hint"])
def test_an_answer_that_starts_with_a_bullet_after_the_question_is_kept_whole(
        tmp_path, question, suffix, make):
    """"4. 主な産業・特産品（4行程度）：・みかん栽培…": the question ended at its colon; the "・"
    starts the answer's first bullet, it does not continue the question's wording."""
    c = KANAZAWA
    questions = _questions_with(c, question)
    path = tmp_path / f"questionnaire{suffix}"
    make(path, c, questions)
    result = _imported(path, tmp_path / "fiches")
    economy = _fiches(tmp_path / "fiches")[c.name]["sections"]["economy"]
    assert economy.startswith("・" + _paragraphs(c.answers()[3])[0]), result.output


# --- Spreadsheets ---

def test_a_spreadsheet_gives_one_fiche_per_row_without_its_timestamp_or_respondent(tmp_path):
    result = _imported(FORM["xlsx-three-rows"].made(tmp_path), tmp_path / "fiches")
    fiches = _fiches(tmp_path / "fiches")
    assert sorted(fiches) == sorted(["Quimper", "Colmar", "岡山市"])
    for fiche in fiches.values():
        values = json.dumps(fiche, ensure_ascii=False, default=str)
        assert RESPONDENT not in values and "10:22" not in values
    assert re.search(r"\brow \d", result.output), result.output


def test_a_spreadsheet_column_no_field_holds_is_kept_as_a_comment_and_reported(tmp_path):
    result = _imported(FORM["xlsx-three-rows"].made(tmp_path), tmp_path / "fiches")
    site = "www.quimper.example.fr"
    fiche = next(path for path in (tmp_path / "fiches").glob("*.yaml")
                 if "Quimper" in path.read_text(encoding="utf-8"))
    assert any(line.startswith("#") and site in line
               for line in fiche.read_text(encoding="utf-8").splitlines())
    assert any("not mapped" in line and site in line for line in result.output.splitlines())


def test_spreadsheet_rows_replace_existing_fiches_only_with_force(tmp_path):
    path = FORM["xlsx-three-rows"].made(tmp_path)
    _imported(path, tmp_path / "fiches")
    before = {p.name: p.read_bytes() for p in (tmp_path / "fiches").iterdir()}
    for fiche in (tmp_path / "fiches").iterdir():
        fiche.write_text(fiche.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    edited = {p.name: p.read_bytes() for p in (tmp_path / "fiches").iterdir()}
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    assert result.output.count("already exists") == 3 and "--force" in result.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "fiches").iterdir()} == edited
    _imported(path, tmp_path / "fiches", "--force")
    assert sorted(p.name for p in (tmp_path / "fiches").iterdir()) == sorted(before)
    assert not any("edited by hand" in p.read_text(encoding="utf-8")
                   for p in (tmp_path / "fiches").iterdir())


def test_the_reader_gives_one_questionnaire_per_spreadsheet_row(tmp_path):
    from booklet.importing.blocks import Block
    from booklet.importing.readers import read_questionnaires

    spreadsheet = read_questionnaires(FORM["xlsx-three-rows"].made(tmp_path))
    assert len(spreadsheet) == 3
    labels = [q.label for q in spreadsheet]
    assert all(label.startswith("row ") for label in labels) and len(set(labels)) == 3
    assert all(q.blocks and all(isinstance(b, Block) for b in q.blocks) for q in spreadsheet)
    [word] = read_questionnaires(FORM["word-fr-tabs"].made(tmp_path))
    assert word.label == "" and any("Centre-Val de Loire" in b.text + " ".join(b.cells)
                                    for b in word.blocks)


# --- Refusals ---

def _blank_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with open(path, "wb") as file:
        writer.write(file)


@pytest.mark.parametrize("name, make, advice", [
    ("ancien.doc", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000),
     r"\.docx"),
    ("scan.pdf", _blank_pdf, r"scan|no text"),
], ids=["old-word-doc", "pdf-without-text"])
def test_files_that_cannot_be_read_are_refused_with_what_to_do(tmp_path, name, make, advice):
    path = tmp_path / name
    make(path)
    result = run("import", path, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: error: ")
    assert re.search(advice, result.output.splitlines()[0], re.IGNORECASE), result.output
    assert not (tmp_path / "fiches").exists() or not any((tmp_path / "fiches").iterdir())


def test_an_old_word_file_is_converted_when_libreoffice_is_there(tmp_path, monkeypatch):
    """booklet calls `soffice --headless --convert-to docx` and reads what it wrote; here a
    stand-in for LibreOffice (not installed on every machine) writes the .docx."""
    docx_form = FORM["word-fr-tabs"].made(tmp_path / "made")
    office = tmp_path / "bin" / "soffice"
    office.parent.mkdir()
    office.write_text('#!/bin/sh\n# soffice --headless --convert-to docx --outdir DIR FILE\n'
                      f'cp "{docx_form}" "$5/$(basename "$6" .doc).docx"\n')
    office.chmod(0o755)
    monkeypatch.setenv("PATH", f"{office.parent}:/usr/bin:/bin")
    old = tmp_path / "ancien.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    result = run("import", old, "--to", tmp_path / "fiches")
    assert result.exit_code == 0, result.output
    assert "converted from .doc to .docx with LibreOffice" in result.output
    [fiche] = (tmp_path / "fiches").glob("*.yaml")
    assert yaml.safe_load(fiche.read_text(encoding="utf-8"))["region"] == "Centre-Val de Loire"


@pytest.mark.parametrize("name, members", [
    ("bomb.xlsx", ["[Content_Types].xml", "xl/worksheets/sheet1.xml"]),
    ("bomb.odt", ["mimetype", "content.xml"]),
])
def test_zip_bombs_disguised_as_spreadsheets_or_odt_are_refused(tmp_path, name, members):
    bomb = tmp_path / name
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(members[0], "application/vnd.oasis.opendocument.text"
                         if members[0] == "mimetype" else "<Types/>")
        with archive.open(members[1], "w", force_zip64=True) as entry:
            for _ in range(300):
                entry.write(b"\0" * 1_000_000)
    assert bomb.stat().st_size < 2_000_000
    result = run("import", bomb, "--to", tmp_path / "fiches")
    assert result.exit_code == 1
    assert "unpacks to" in result.output


# --- A folder ---

def test_importing_a_folder_imports_each_questionnaire_in_it_and_ends_with_a_summary(tmp_path):
    folder = tmp_path / "reponses"
    FORM["word-fr-tabs"].made(folder)
    FORM["xlsx-three-rows"].made(folder)
    FORM["pdf-fillable-fr"].made(folder)
    no_population = [line for line in (f"{FR_LABELS[k]}\t{v}" for k, v in SAUMUR.header.items())
                     if not line.startswith("Population")]
    (folder / "lisieux.txt").write_text(_text_form("Lisieux", no_population), encoding="utf-8")
    (folder / "bayeux.txt").write_text("Nom de la collectivité\tBayeux\nRégion\tNormandie\n"
                                       "Superficie\t7,1 km²\nPopulation\t12 800 hab.\n",
                                       encoding="utf-8")
    FORM["odt-fr-table"].made(folder / "archives")  # not in the folder itself: left alone

    result = run("import", folder, "--to", tmp_path / "fiches")
    assert result.exit_code == 0, result.output
    expected = [("saint-jean-de-braye.docx", "Saint-Jean-de-Braye"), ("reponses.xlsx", "Quimper"),
                ("reponses.xlsx", "Colmar"), ("reponses.xlsx", "岡山市"), ("annecy.pdf", "Annecy"),
                ("lisieux.txt", "Lisieux"), ("bayeux.txt", "Bayeux")]
    assert sorted(_fiches(tmp_path / "fiches")) == sorted(name for _, name in expected)

    output = result.output
    start = output.lower().rfind("summary")
    assert start > output.find("→") >= 0, output
    table = output[start:].splitlines()[1:]

    def line_of(source: str, name: str) -> str:
        lines = [line for line in table if source in line and name in line]
        assert len(lines) == 1, f"{source} {name}:\n{output}"
        return lines[0]

    for source, name in expected:
        line = line_of(source, name)
        assert "pass" in line
        assert "row" in line or not source.endswith(".xlsx"), line
    assert "does not pass" in line_of("bayeux.txt", "Bayeux")  # no answer: no section
    assert "does not pass" not in line_of("saint-jean-de-braye.docx", "Saint-Jean-de-Braye")
    assert "population" in line_of("lisieux.txt", "Lisieux")
    assert "population" not in line_of("annecy.pdf", "Annecy")


# --- Fuzzing the readers ---

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,  # the same cases on every run
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SUFFIXES = [".xlsx", ".odt", ".csv", ".pdf", ".docx"]


@functools.cache
def _valid_documents() -> dict[str, bytes]:
    """One good document of each fuzzed kind, to damage."""
    with tempfile.TemporaryDirectory(prefix="booklet-fuzz-") as folder:
        return {suffix: FORM[form_id].made(Path(folder)).read_bytes() for suffix, form_id in [
            (".xlsx", "xlsx-three-rows"), (".odt", "odt-fr-table"),
            (".csv", "csv-semicolon-cp1252"), (".pdf", "pdf-fillable-fr"),
            (".docx", "word-fr-tabs")]}


def _read_or_refuse(path: Path) -> None:
    """What the readers promise: questionnaires, or a FormError for a person; nothing else."""
    from booklet.importing.blocks import Block, FormError
    from booklet.importing.readers import read_questionnaires

    try:
        questionnaires = read_questionnaires(path)
    except FormError as error:
        assert str(error)
        return
    assert isinstance(questionnaires, list)
    for questionnaire in questionnaires:
        assert isinstance(questionnaire.label, str)
        assert all(isinstance(block, Block) for block in questionnaire.blocks)


random_files = st.tuples(
    st.sampled_from(SUFFIXES),
    st.sampled_from([b"", b"PK\x03\x04", b"%PDF-1.7\n", b"\xef\xbb\xbf"]),
    st.binary(max_size=3000))
damaged_files = st.tuples(
    st.sampled_from(SUFFIXES), st.integers(min_value=0), st.binary(min_size=1, max_size=64),
    st.sampled_from(["overwrite", "truncate", "insert", "zip-directory"]))


def _damaged(suffix: str, position: int, patch: bytes, how: str) -> bytes:
    """A good document damaged at `position`; "zip-directory" overwrites a field of an entry
    of a zip archive's directory (`position` // 64: which entry, % 64: where in it)."""
    good = _valid_documents()[suffix]
    at = position % len(good)
    if how == "zip-directory":
        entries = [m.start() for m in re.finditer(rb"PK\x01\x02", good)] or [0]
        at = min(entries[position // 64 % len(entries)] + position % 64, len(good) - 1)
    if how == "truncate":
        return good[:at]
    if how == "insert":
        return good[:at] + patch + good[at:]
    return good[:at] + patch + good[at + len(patch):]


@FUZZ
@given(random_files)
def test_random_bytes_give_questionnaires_or_a_form_error(case):
    suffix, head, body = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"questionnaire{suffix}"
        path.write_bytes(head + body)
        _read_or_refuse(path)


@FUZZ
@given(damaged_files)
@example((".xlsx", 6, b"\x40", "zip-directory"))  # "needs unzip version 6.4"
@example((".odt", 6, b"\x40", "zip-directory"))
@example((".docx", 6, b"\x40", "zip-directory"))
def test_damaged_documents_give_questionnaires_or_a_form_error(case):
    suffix, *damage = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"questionnaire{suffix}"
        path.write_bytes(_damaged(suffix, *damage))
        _read_or_refuse(path)


# Texts a spreadsheet cell can hold (openpyxl refuses control characters but line breaks).
cell_texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\n"),
                     max_size=60)
random_sheets = st.tuples(
    st.sampled_from([".xlsx", ".csv"]),
    st.lists(st.one_of(st.sampled_from(_sheet_rows([QUIMPER])[0]), cell_texts),
             min_size=1, max_size=16),
    st.lists(st.lists(cell_texts | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                      | st.none(), max_size=16), max_size=4),
    st.sampled_from([(";", "cp1252"), (",", "utf-8"), (";", "utf-8-sig")]))


def _sheet_file(folder: Path, case) -> Path:
    suffix, header, rows, (delimiter, encoding) = case
    path = folder / f"reponses{suffix}"
    if suffix == ".xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        for row in [header, *rows]:
            workbook.active.append(row)
        workbook.save(path)
    else:
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=delimiter).writerows([header, *rows])
        path.write_bytes(text.getvalue().encode(encoding, errors="replace"))
    return path


@FUZZ
@given(random_sheets)
def test_random_cell_texts_in_a_spreadsheet_give_questionnaires_or_a_form_error(case):
    with tempfile.TemporaryDirectory() as folder:
        _read_or_refuse(_sheet_file(Path(folder), case))


@FUZZ
@given(st.one_of(random_sheets, random_files, damaged_files))
@example((".xlsx", 6, b"\x40", "zip-directory"))
def test_importing_random_files_never_shows_a_traceback(case):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        if len(case) == 4 and isinstance(case[1], list):
            path = _sheet_file(folder, case)
        else:
            path = folder / f"questionnaire{case[0]}"
            path.write_bytes(case[1] + case[2] if len(case) == 3 else _damaged(*case))
        result = run("import", path, "--to", folder / "fiches")  # run() fails on a traceback
        assert result.exit_code in (0, 1), result.output
        assert result.exit_code == 0 or "error:" in result.output

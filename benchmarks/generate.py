"""Deterministic booklet projects of N fiches for benchmarks.

Half French, half Japanese, with realistic text lengths (the seed fiche has
about 3,000 characters of text), French/Japanese partner pairs, and 5% long
fiches that need copyfitting but still fit at the smallest size.

    python benchmarks/generate.py 200 /tmp/bench-200
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

FRENCH_SENTENCES = [
    "La commune se situe au bord de la Loire, à une heure de la capitale régionale.",
    "Elle compte plusieurs quartiers historiques et un centre-ville entièrement piéton.",
    "Son patrimoine comprend une cathédrale gothique, un château et des halles du XIXe siècle.",
    "Le tissu économique repose sur l'agroalimentaire, le tourisme et les services numériques.",
    "Un pôle universitaire accueille près de dix mille étudiants chaque année.",
    "La ville a noué des liens d'amitié avec sa partenaire japonaise depuis plus de dix ans.",
    "Des échanges scolaires et culturels ont lieu chaque printemps entre les deux collectivités.",
    "Le festival des lumières attire des visiteurs de toute l'Europe au mois de décembre.",
    "La collectivité mène une politique ambitieuse de transition énergétique et de mobilité douce.",
    "Les producteurs locaux sont réputés pour leurs fromages, leurs vins et leurs fruits.",
    "Un jardin japonais a été inauguré en présence d'une délégation de la ville partenaire.",
    "Les services municipaux ont développé une plateforme de démarches administratives en ligne.",
    "Le port de plaisance et les sentiers de randonnée font vivre le territoire toute l'année.",
    "La coopération porte aussi sur la prévention des risques naturels et la gestion de l'eau.",
    "Des artisans d'art perpétuent des savoir-faire anciens, de la céramique à la tapisserie.",
    "Le conseil municipal des jeunes a reçu une délégation de lycéens japonais l'an dernier.",
]
JAPANESE_SENTENCES = [
    "本市は県の北西部に位置し、豊かな自然と歴史ある街並みに恵まれています。",
    "市内には江戸時代から続く城下町の面影が残り、多くの観光客が訪れます。",
    "主な産業は農業と精密機械工業で、特に梨とぶどうは全国的に知られています。",
    "二〇〇九年からフランスの姉妹都市と学生交流や文化交流を続けています。",
    "毎年春には桜まつりが開かれ、フランスからの訪問団も参加しています。",
    "市では再生可能エネルギーの導入を進め、環境に配慮したまちづくりに取り組んでいます。",
    "伝統工芸の陶器や和紙づくりは、若い世代の職人によって受け継がれています。",
    "駅周辺の再開発により、新しい図書館と子育て支援施設が開設されました。",
    "地域の高校生がフランスを訪問し、ホームステイを通じて交流を深めました。",
    "防災分野では、地震や水害に備えた地域ぐるみの訓練を定期的に実施しています。",
    "市民ボランティアによる多言語の観光案内が、海外からの来訪者に好評です。",
    "地元の酒蔵やワイナリーでは、フランスの技術を取り入れた商品開発も行われています。",
    "高齢化に対応するため、医療と介護の連携を強化する取り組みを進めています。",
    "市立美術館ではフランスの作家による企画展を開催し、多くの来場者を集めました。",
    "山と川に囲まれた自然環境を生かし、エコツーリズムの推進に力を入れています。",
    "デジタル技術を活用した行政サービスの向上にも積極的に取り組んでいます。",
]
FRENCH_PLACES = ["Saint-Aubin", "Beaulieu", "Villeneuve", "Montréal-sur-Loire", "Écully",
                 "Le Pré-Saint-Gervais", "Annecy-le-Vieux", "Évian", "Rochefort", "Dinan"]
REGIONS = [("Centre-Val de Loire", "Indre-et-Loire"), ("Bretagne", "Côtes-d'Armor"),
           ("Auvergne-Rhône-Alpes", "Haute-Savoie"), ("Occitanie", "Hérault"),
           ("Nouvelle-Aquitaine", "Gironde"), ("Grand Est", "Bas-Rhin")]
JAPANESE_PLACES = [("青葉", "あおば"), ("桜川", "さくらがわ"), ("高田", "たかだ"),
                   ("緑ヶ丘", "みどりがおか"), ("東山", "ひがしやま"), ("若松", "わかまつ"),
                   ("千歳", "ちとせ"), ("美浜", "みはま"), ("大和", "やまと"), ("白石", "しろいし")]
PREFECTURES = ["千葉県", "愛知県", "新潟県", "福岡県", "宮城県", "長野県", "静岡県", "岡山県"]
SECTIONS = ("geography", "history", "highlights", "economy", "exchanges", "good_practices")
SECTION_CHARS = {"fr": 420, "ja": 180}  # about the seed fiche's length at full size


def _text(rng: random.Random, pool: list[str], chars: int, joiner: str) -> str:
    sentences = []
    while sum(map(len, sentences)) < chars:
        sentences.append(rng.choice(pool))
    return joiner.join(sentences)


def _sections(rng, lang, scale):
    pool, joiner = (FRENCH_SENTENCES, " ") if lang == "fr" else (JAPANESE_SENTENCES, "")
    return {key: _text(rng, pool, int(SECTION_CHARS[lang] * scale * rng.uniform(0.8, 1.1)), joiner)
            for key in SECTIONS}


def french_fiche(rng, index, scale):
    region, department = rng.choice(REGIONS)
    return {
        "lang": "fr", "country": "FR",
        "name": f"{rng.choice(FRENCH_PLACES)} {index}",
        "kind": "commune", "region": region, "department": department,
        "area_km2": (area := round(rng.uniform(3, 150), 1)),
        "population": rng.randint(2_000, min(250_000, int(area * 10_000))),
        "partners": [f"jp-{index:04d}"],
        "contact": {"name": "Camille MARTIN", "address": "1 place de la Mairie\n37000 Ville",
                    "phone": "02 47 00 00 00", "email": f"contact{index}@ville.fr"},
        "sections": _sections(rng, "fr", scale),
    }


def japanese_fiche(rng, index, scale):
    kanji, kana = rng.choice(JAPANESE_PLACES)
    return {
        "lang": "ja", "country": "JP",
        "name": {"ja": f"{kanji}{index}市", "fr": f"Ville {index}"},
        "reading": f"{kana}{index}し",
        "kind": {"ja": "市", "fr": "ville"}, "region": rng.choice(PREFECTURES),
        "area_km2": round(rng.uniform(20, 800), 2), "population": rng.randint(20_000, 900_000),
        "partners": [f"fr-{index:04d}"],
        "contact": {"name": "山田 太郎", "address": "〒100-0000\n本町1-1-1",
                    "phone": "03-0000-0000", "email": f"kokusai{index}@city.example.jp"},
        "sections": _sections(rng, "ja", scale),
    }


def generate(count: int, target: Path, seed: int = 2024, long_share: float = 0.05) -> Path:
    """Write a project of `count` fiches into `target` (replaced if it exists)."""
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / "fiches").mkdir(parents=True)
    config = {
        "title": {"fr": "Rencontres franco-japonaises de la coopération décentralisée",
                  "ja": "日仏自治体交流会議"},
        "subtitle": {"fr": "Fiches de présentation", "ja": "参加自治体紹介"},
        "editions": ["fr", "ja"], "paper": "A4", "order": ["FR", "JP"],
    }
    (target / "booklet.yaml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                         encoding="utf-8")
    long_every = round(1 / long_share) if long_share else 0
    for number in range(count):
        index = number // 2  # fr-N and jp-N are partners; every long_every-th pair is long
        scale = 1.6 if long_every and index % long_every == long_every - 1 else 1.0
        make, prefix = (french_fiche, "fr") if number % 2 == 0 else (japanese_fiche, "jp")
        fiche = make(rng, index, scale)
        (target / "fiches" / f"{prefix}-{index:04d}.yaml").write_text(
            yaml.safe_dump(fiche, allow_unicode=True, sort_keys=False, width=88),
            encoding="utf-8")
    return target


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {sys.argv[1]} fiches into {sys.argv[2]}")

"""The presentation form read from its blocks: the header fields and the six numbered texts.

The form exists in French and in Japanese with the same fields and the same
six questions. Labels are recognised in both languages; each question's
heading and hint ("(env. 4 lignes)") are stripped from its text. Whatever is
not recognised is kept, with its place, for the import report and the
fiche's comments: nothing of the form is lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import SECTION_KEYS
from .blocks import Block, FormError

# Labels of the header table, by field; compared without accents, case and punctuation.
LABELS = {
    "name": ["nom de la collectivite", "collectivite", "nom", "自治体名", "自治体", "団体名"],
    "region": ["region", "prefecture", "都道府県", "都道府県名", "県"],
    "department": ["departement"],
    "area": ["superficie", "surface", "面積"],
    "population": ["population", "nombre d habitants", "人口"],
    "partners": ["jumelage partenariat avec", "jumelage partenariat", "jumelage", "partenariat",
                 "姉妹都市 友好都市", "姉妹都市", "友好都市", "姉妹 友好都市", "提携先"],
    "contact": ["personne contact adresse tel e mail", "personne contact", "contact",
                "担当者 住所 電話 e mail", "担当者 連絡先", "担当者", "連絡先"],
}

# The six questions as the French and Japanese forms word them, and the first words by which
# a reworded question is still recognised.
QUESTIONS = {
    "geography": (["Situation et aspects géographiques de la collectivité",
                   "Situation et aspects géographiques", "位置・地理的特徴"],
                  ["situation", "位置"]),
    "history": (["Bref historique de la collectivité", "Bref historique", "自治体の沿革", "沿革"],
                ["bref historique", "historique", "沿革", "歴史"]),
    "highlights": (["Particularités", "特色"], ["particularites", "特色", "特徴"]),
    "economy": (["Principaux secteurs d'activité ; spécialités et/ou produits locaux",
                 "Principaux secteurs d'activité", "主な産業・特産品", "主な産業"],
                ["principaux secteurs", "secteurs d activite", "主な産業", "産業"]),
    "exchanges": (["Manifestations et activités avec le Japon ou promotion de la collectivité",
                   "Manifestations et activités avec la France ou promotion de la collectivité",
                   "Manifestations et activités avec le Japon", "Manifestations et activités avec la France",
                   "日本との交流・活動", "フランスとの交流・活動"],
                  ["manifestations", "日本との", "フランスとの", "交流"]),
    "good_practices": (["Quels exemples de bonnes pratiques souhaitez-vous partager avec les "
                        "collectivités françaises et japonaises ?",
                        "日仏の自治体と共有したい優良事例", "共有したい優良事例"],
                       ["quels exemples", "bonnes pratiques", "共有したい", "優良事例"]),
}
HINT_WORDS = re.compile(r"ligne|行|thème|テーマ|例", re.IGNORECASE)

FORM_HEADER = re.compile(
    r"^\**\s*(fiche de pr[ée]sentation des collectivit[ée]s participantes|\d+e rencontres "
    r"franco-japonaises|第\s*\d+\s*回\s*日仏自治体交流会議|参加自治体紹介)", re.IGNORECASE)
QUESTION = re.compile(r"^\s*(?:\*\*)?\s*([1-6１-６])\s*[.．、)）]\s*(.*)$")
HINT = re.compile(r"^\s*[(（][^()（）]{0,80}[)）]\s*")  # (env. 4 lignes), （４行程度）, (un thème, ...)


def comparable(label: str) -> str:
    """A label without accents, case, punctuation and spacing differences."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text.replace("・", " ")).split())


@dataclass
class Unmapped:
    """Something of the form that no fiche field holds."""

    where: str
    text: str


@dataclass
class Form:
    """What a questionnaire says, field by field, before conversion to a fiche."""

    name: str | None = None
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (value, where)
    sections: dict[str, list[str]] = field(default_factory=dict)  # key -> paragraphs
    section_lines: dict[str, str] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    reworded: list[str] = field(default_factory=list)  # questions not worded as in the form
    headers_removed: int = 0


def _label_field(label: str) -> str | None:
    key = comparable(label)
    for name, labels in LABELS.items():
        if any(key == comparable(known) for known in labels):
            return name
    for name, labels in LABELS.items():  # longer labels: "Jumelage/ Partenariat avec..."
        if any(key.startswith(comparable(known)) for known in labels if len(comparable(known)) > 3):
            return name
    return None


def _question(text: str) -> tuple[str, str, bool] | None:
    """(section key, the answer after the question and its hint, whether the question was
    worded as in the form) when `text` starts one of the six questions."""
    match = QUESTION.match(text)
    if not match:
        return None
    key = SECTION_KEYS[int(unicodedata.normalize("NFKC", match[1])) - 1]
    rest = match[2].strip().lstrip("*").strip()
    titles, starts = QUESTIONS[key]
    for title in sorted(titles, key=len, reverse=True):
        end = _prefix_end(rest, title)
        if end is not None:
            answer = rest[end:].lstrip("*?？:： ")
            hint = HINT.match(answer)
            if hint and HINT_WORDS.search(hint[0]):  # "(env. 4 lignes)", not the answer's own
                answer = answer[hint.end():]
            return key, answer.strip(), True
    if not any(comparable(rest).startswith(comparable(start)) for start in starts):
        return None
    hint = next((h for h in re.finditer(r"[(（][^()（）]{0,80}[)）]", rest[:200])
                 if HINT_WORDS.search(h[0])), None)
    return key, (rest[hint.end():].strip() if hint else rest), False


def _prefix_end(text: str, title: str) -> int | None:
    """Where `title` ends at the start of `text`, compared loosely; None if it is not there."""
    wanted = comparable(title)
    for end in range(1, min(len(text), len(title) + 20) + 1):
        if comparable(text[:end]) == wanted and (end == len(text) or not text[end].isalnum()):
            return end
    return None


def read_form(blocks: list[Block]) -> Form:
    """The fields and texts of a questionnaire; FormError when it is not one."""
    form = Form()
    current = None
    for block in blocks:
        text = block.text
        if block.kind != "row" and FORM_HEADER.match(text.strip("* ")):
            form.headers_removed += 1
            continue
        if block.kind == "heading" and form.name is None and not _question(text):
            form.name = text.strip("* ")
            continue
        if block.kind == "row":
            name = _label_field(block.cells[0]) if len(block.cells) > 1 else None
            if name and name not in form.fields:
                form.fields[name] = (" ".join(block.cells[1:]), block.where)
            elif any(block.cells):
                form.unmapped.append(Unmapped(block.where, " | ".join(block.cells)))
            continue
        labelled = re.match(r"^([^:：]{1,60}?)\s*[:：]\s*(.+)$", text) if not current else None
        if labelled and _label_field(labelled[1]) and _label_field(labelled[1]) not in form.fields:
            value = HINT.sub("", labelled[2], count=1).strip()
            form.fields[_label_field(labelled[1])] = (value, block.where)
            continue
        question = _question(text)
        if question:
            current, answer, as_in_form = question
            if not as_in_form:
                form.reworded.append(current)
            form.section_lines.setdefault(current, block.where)
            form.sections.setdefault(current, [])
            if answer:
                form.sections[current].append(answer)
            continue
        if current:
            form.sections[current].append(text)
        else:
            form.unmapped.append(Unmapped(block.where, text))
    if not form.sections and not form.fields:
        raise FormError("this does not look like the presentation form: none of its labels "
                        "(Région, Superficie, Population… / 都道府県, 面積, 人口…) and none of its six "
                        "numbered questions were found")
    if "name" in form.fields and form.name is None:
        form.name = form.fields.pop("name")[0]
    return form

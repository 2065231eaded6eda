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

from booklet.importing.blocks import Block, FormError
from booklet.project.model import SECTION_KEYS

# Labels of the header table, by field, with the variants offices use; compared without
# accents, case, punctuation and a parenthesised hint ("担当者（住所・電話・メール）").
LABELS = {
    "name": ["nom de la collectivite", "nom de la collectivite territoriale", "collectivite",
             "nom de la ville", "nom de la commune", "nom", "自治体名", "自治体名称", "自治体",
             "団体名", "市町村名"],
    "region": ["region", "prefecture", "都道府県", "都道府県名", "所在都道府県", "県", "県名"],
    "department": ["departement"],
    "area": ["superficie", "superficie totale", "surface", "面積", "総面積"],
    "population": ["population", "population totale", "nombre d habitants", "habitants", "人口",
                   "総人口"],
    "partners": ["jumelage partenariat avec", "jumelage partenariat", "jumelage", "jumelages",
                 "partenariat", "partenariats", "ville partenaire", "villes partenaires",
                 "collectivite partenaire", "collectivites partenaires", "姉妹都市 友好都市",
                 "姉妹都市", "友好都市", "交流都市", "姉妹 友好都市", "提携都市", "提携先", "交流先"],
    "contact": ["personne contact adresse tel e mail", "personne contact", "personne a contacter",
                "contact", "interlocuteur", "担当者 住所 電話 e mail", "担当者 連絡先", "担当者",
                "連絡先", "問い合わせ先", "お問い合わせ先", "担当部署"],
}

# The six questions as the French and Japanese forms word them, and shorter wordings by which
# a reworded or unnumbered question is still recognised.
QUESTIONS = {
    "geography": (["Situation et aspects géographiques de la collectivité",
                   "Situation et aspects géographiques", "自治体の位置・地理的特徴",
                   "位置・地理的特徴"],
                  ["situation", "situation geographique", "geographie", "位置", "地理的特徴",
                   "地理"]),
    "history": (["Bref historique de la collectivité", "Bref historique", "自治体の沿革", "沿革"],
                ["bref historique", "historique", "histoire", "沿革", "歴史"]),
    "highlights": (["Particularités", "特色"], ["particularites", "specificites", "特色", "特徴"]),
    "economy": (["Principaux secteurs d'activité ; spécialités et/ou produits locaux",
                 "Principaux secteurs d'activité", "主な産業・特産品", "主な産業"],
                ["principaux secteurs", "secteurs d activite", "economie", "主な産業", "産業",
                 "特産品", "産業と特産品"]),
    "exchanges": (["Manifestations et activités avec le Japon ou promotion de la collectivité",
                   "Manifestations et activités avec la France ou promotion de la collectivité",
                   "Manifestations et activités avec le Japon", "Manifestations et activités avec la France",
                   "日本との交流・活動", "フランスとの交流・活動"],
                  ["manifestations", "activites avec le japon", "日本との", "フランスとの", "交流",
                   "日仏交流"]),
    "good_practices": (["Quels exemples de bonnes pratiques souhaitez-vous partager avec les "
                        "collectivités françaises et japonaises ?",
                        "日仏の自治体と共有したい優良事例", "共有したい優良事例"],
                       ["quels exemples", "bonnes pratiques", "共有したい", "優良事例",
                        "グッドプラクティス"]),
}
FUZZY_SCORE = 80
"""How close (rapidfuzz ratio, 0–100) an unnumbered heading must be to a known wording."""
HINT_WORDS = re.compile(r"ligne|行|thème|テーマ|例", re.IGNORECASE)

FORM_HEADER = re.compile(
    r"^\**\s*(fiche de pr[ée]sentation des collectivit[ée]s participantes|\d+e rencontres "
    r"franco-japonaises|第\s*\d+\s*回\s*日仏自治体交流会議|参加自治体紹介)", re.IGNORECASE)
QUESTION = re.compile(r"^\s*(?:\*\*)?\s*(?:Q|問)?\s*([1-6１-６])\s*[.．、)）:：]\s*(.*)$", re.S)
HINTS = re.compile(r"[(（][^()（）]{0,80}[)）]")
HINT = re.compile(r"^\s*[(（][^()（）]{0,80}[)）]\s*")  # (env. 4 lignes), （４行程度）, (un thème, ...)
CONTINUED = re.compile(r"^(?:[;；,，、/・&＆]|(?:et|ou|and)\s)", re.IGNORECASE)
"""How the rest of a question's wording goes on after a shorter known wording: "; spécialités
et produits locaux", "・観光" (an answer starts with a word, not with these)."""


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
    reworded: dict[str, str] = field(default_factory=dict)
    """Questions not worded as in the form: where, and how they were written."""
    headers_removed: int = 0


def _label_field(label: str) -> str | None:
    """The header field a label names, if any (its hint in parentheses aside)."""
    key = comparable(HINTS.sub(" ", label)) or comparable(label)
    if not key or len(key) > 80:
        return None
    for name, labels in LABELS.items():
        if any(key == comparable(known) for known in labels):
            return name
    for name, labels in LABELS.items():  # longer labels: "Jumelage/ Partenariat avec..."
        if any(key.startswith(comparable(known) + " ") or (key.startswith(comparable(known))
                                                            and len(comparable(known)) > 3)
               for known in labels if len(comparable(known)) > 1):
            return name
    return None


def is_form_label(text: str) -> bool:
    """Whether `text` is one of the form's labels or questions (a spreadsheet's header cell)."""
    return _label_field(text) is not None or _question_label(text) is not None


def _known_title(rest: str, key: str) -> int | None:
    """Where the form's own wording of question `key` ends at the start of `rest`."""
    for title in sorted(QUESTIONS[key][0], key=len, reverse=True):
        end = _prefix_end(rest, title)
        if end is not None:
            return end
    return None


def _closest_question(text: str) -> str | None:
    """The question whose known wordings `text` is closest to, if close enough (rapidfuzz)."""
    from rapidfuzz import fuzz, process

    query = comparable(HINTS.sub(" ", text))
    if not query or len(query) > 120:
        return None
    choices = {comparable(wording): key for key, (titles, starts) in QUESTIONS.items()
               for wording in (*titles, *starts)}
    best = process.extractOne(query, list(choices), scorer=fuzz.ratio,
                              score_cutoff=FUZZY_SCORE)
    return choices[best[0]] if best else None


def _question_label(label: str) -> tuple[str, bool] | None:
    """(section key, worded as in the form) for a label that is one of the six questions (a
    spreadsheet's column, a PDF form's field): by its number, else by its wording."""
    match = QUESTION.match(label)
    if match:
        key = SECTION_KEYS[int(unicodedata.normalize("NFKC", match[1])) - 1]
        return key, _known_title(match[2].strip().lstrip("*").strip(), key) is not None
    key = _closest_question(label) if len(label) <= 200 else None
    return (key, False) if key else None


def _split_question(rest: str, key: str) -> tuple[str, bool]:
    """The answer on a question's own line (after its wording and hint), and whether the
    question is worded as in the form."""
    end = _known_title(rest, key)
    if end is not None:
        after = rest[end:].lstrip("* ")
        if CONTINUED.match(after):  # a known wording was only the question's start
            return _after_continued_question(after), True
        answer = after.lstrip("*?？:： ")  # the question ended: "：・みかん" is an answer
        hint = HINT.match(answer)
        if hint and HINT_WORDS.search(hint[0]):  # "(env. 4 lignes)", not the answer's own
            answer = answer[hint.end():].lstrip("?？:： ")  # "（4行程度）：…"
        return answer.strip(), True
    answer = _after_question_end(rest)
    return ("" if answer is None else answer), False  # None: the whole line is the question


def _after_question_end(rest: str) -> str | None:
    """What follows the end of a question worded otherwise than the form: its hint ("（4行程度）",
    "(thèmes, projets…)"), else its "?" or ":"; None when neither ends it."""
    hint = next((h for h in HINTS.finditer(rest[:300]) if HINT_WORDS.search(h[0])
                 or h.end() >= len(rest.rstrip())), None)
    if hint:
        return rest[hint.end():].lstrip("*?？:： ").strip()
    end = re.search(r"[?？:：]\s*(\*\*)?", rest[:300])
    return rest[end.end():].strip() if end else None


def _after_continued_question(text: str) -> str:
    """The answer after a question whose wording goes on past a known one ("Principaux
    secteurs d'activité" then "; spécialités et produits locaux (env. 4 lignes)"): what follows
    the question's hint, "?" or ":"; nothing when the rest is short and not a sentence (the
    question's end, the answer on the next lines); else `text`, kept as the answer."""
    answer = _after_question_end(text)
    if answer is not None:
        return answer
    stripped = text.strip()
    if len(stripped) <= 120 and not re.search(r"[.。!！](\s|$)", stripped):
        return ""
    return stripped.lstrip(";；,，、/・&＆ ")


def _question(block: Block, after: int) -> tuple[str, str, bool] | None:
    """(section key, the answer after the question and its hint, whether the question was
    worded as in the form) when `block` starts one of the six questions; `after`: the number
    of the question before it (a list "1. … 2. …" inside an answer is not a question)."""
    text, tail = block.text, ""
    bold = re.match(r"^\s*\*\*(?P<question>[^*]+)\*\*(?P<tail>.*)$", text, re.S)
    if bold and QUESTION.match(bold["question"]):  # "**3. Particularités** answer"
        text, tail = bold["question"], bold["tail"].strip()
    match = QUESTION.match(text)
    if match:
        number = int(unicodedata.normalize("NFKC", match[1]))
        key = SECTION_KEYS[number - 1]
        rest = match[2].strip().lstrip("*").strip()
        if number <= after:
            return None
        if (_known_title(rest, key) is None and not bold and not _heading_like(block, rest)
                and not (number == after + 1 and _next_question_like(rest, key))):
            return None
        answer, as_in_form = _split_question(rest, key)
        return key, " ".join(part for part in (answer, tail) if part), as_in_form
    if not _heading_like(block, text) or len(text) > 120:
        return None
    key = _closest_question(text.strip("* "))
    if key is None or SECTION_KEYS.index(key) + 1 <= after:
        return None
    return key, "", False


def _next_question_like(rest: str, key: str) -> bool:
    """Whether the line after the next question's number reads as a question, however worded:
    close to a known wording, or short and not a sentence (a numbered list inside an answer
    has sentences)."""
    stripped = rest.strip()
    return _closest_question(stripped) == key or (
        0 < len(stripped) <= 60 and not stripped.endswith(("。", ".", "!", "！", ";", "；")))


def _heading_like(block: Block, text: str) -> bool:
    """A heading, a bold line, or a short line ending with a hint, "?" or ":"."""
    stripped = text.strip()
    return (block.kind == "heading" or (stripped.startswith("**") and stripped.endswith("**"))
            or (len(stripped) <= 160 and bool(re.search(r"([)）?？:：]|\*\*)$", stripped))))


def _prefix_end(text: str, title: str) -> int | None:
    """Where `title` ends at the start of `text`, compared loosely; None if it is not there."""
    wanted = comparable(title)
    for end in range(1, min(len(text), len(title) + 20) + 1):
        if comparable(text[:end]) == wanted and (end == len(text) or not text[end].isalnum()):
            return end
    return None


_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*]{1,60})\*\*\s*[:：\-–—]?\s*(?P<value>.+)$", re.S)
_COLON_LABEL = re.compile(r"^(?P<label>[^:：]{1,60}?)\s*[:：]\s*(?P<value>.+)$", re.S)
_DASH_LABEL = re.compile(r"^(?P<label>[^:：]{1,60}?)\s+[-–—]\s+(?P<value>.+)$", re.S)


def _labelled(text: str) -> tuple[str, str] | None:
    """(field, value) for a header line: a label then its value, after a colon, a dash, a bold
    label, or the label alone ("Population 38 534 hab.")."""
    for pattern in (_BOLD_LABEL, _COLON_LABEL, _DASH_LABEL):
        match = pattern.match(text)
        if match and _label_field(match["label"]):
            return _label_field(match["label"]), match["value"]
    for name, labels in LABELS.items():
        for label in sorted(labels, key=len, reverse=True):
            end = _prefix_end(text, label)
            if end is not None and end < len(text) and len(comparable(label)) > 1:
                value = HINTS.sub("", text[end:], count=1) if HINTS.match(text[end:].strip()) \
                    else text[end:]
                value = value.strip(" :：-–—\t")
                if value:
                    return name, value
    return None


def _answer(value: str) -> list[str]:
    """A cell's answer as paragraphs: its lines (a spreadsheet cell, a form field)."""
    return [line.strip() for line in value.split("\n") if line.strip()]


def read_form(blocks: list[Block]) -> Form:
    """The fields and texts of a questionnaire; FormError when it is not one."""
    form = Form()
    current, number = None, 0
    for block in blocks:
        text = block.text
        if block.kind != "row" and FORM_HEADER.match(text.strip("* ")):
            form.headers_removed += 1
            continue
        if block.kind == "row":
            _read_row(form, block)
            continue
        if (block.kind == "heading" and form.name is None and not form.sections
                and not QUESTION.match(text) and _closest_question(text.strip("* ")) is None):
            form.name = text.strip("* ")
            continue
        question = _question(block, number)
        if question:
            current, answer, as_in_form = question
            number = SECTION_KEYS.index(current) + 1
            if not as_in_form:
                form.reworded[current] = f"{block.where}: '{_short(text)}'"
            form.section_lines.setdefault(current, block.where)
            form.sections.setdefault(current, [])
            if answer:
                form.sections[current].append(answer)
            continue
        if current:
            form.sections[current].append(text)
            continue
        labelled = _labelled(text)
        if labelled and labelled[0] not in form.fields:
            form.fields[labelled[0]] = (HINT.sub("", labelled[1], count=1).strip(), block.where)
            continue
        form.unmapped.append(Unmapped(block.where, text))
    if not form.sections and not form.fields:
        raise FormError("this does not look like the presentation form: none of its labels "
                        "(Région, Superficie, Population… / 都道府県, 面積, 人口…) and none of its six "
                        "questions were found")
    if "name" in form.fields and form.name is None:
        form.name = form.fields.pop("name")[0]
    return form


def _read_row(form: Form, block: Block) -> None:
    """A row of cells: a header field, a question with its answer, or something kept aside."""
    label, value = block.cells[0], "\n".join(block.cells[1:])
    name = _label_field(label) if len(block.cells) > 1 else None
    if name and name not in form.fields:
        form.fields[name] = (value, block.where)
        return
    question = _question_label(label) if len(block.cells) > 1 else None
    if question and question[0] not in form.sections:
        key, as_in_form = question
        form.sections[key] = _answer(value)
        form.section_lines[key] = block.where
        if not as_in_form and not QUESTION.match(label):  # a number says which question it is
            form.reworded[key] = f"{block.where}: '{_short(label)}'"
        return
    if any(block.cells):
        form.unmapped.append(Unmapped(block.where, " | ".join(block.cells)))


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 70 else flat[:67] + "…"

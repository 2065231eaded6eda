"""A read form as a fiche: its data, the YAML a person can edit, and what needs a human look."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from booklet.importing import values
from booklet.importing.form import Form
from booklet.project.model import SECTION_KEYS

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/fiche.schema.json"


FIELDS = ("name", "region", "department", "area", "population", "partners", "contact",
          *(f"section {number}" for number in range(1, 7)))
"""What an import looks for, as the report names it."""


@dataclass
class Imported:
    """The fiche made from one questionnaire."""

    id: str
    data: dict
    name: str = ""
    recognised: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


JAPANESE_SUFFIXES = "市町村区県府都道"  # 市川市 → ichikawa, as ids and file names say it


def fiche_id(name: str) -> str:
    """An ASCII id from a name: 'Issy-les-Moulineaux' → 'issy-les-moulineaux',
    '市川市' → 'ichikawa' (romanized with pykakasi, without the 市/県 suffix)."""
    if any(ord(c) >= 0x3000 for c in name):
        if len(name) > 2 and name[-1] in JAPANESE_SUFFIXES:
            name = name[:-1]
        name = "".join(part["hepburn"] for part in _kakasi().convert(name))
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def reading(name: str) -> str:
    """The kana reading pykakasi gives for a Japanese name; a guess a person must check."""
    return "".join(part["hira"] for part in _kakasi().convert(name))


@functools.cache
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def _paragraphs(texts: list[str]) -> str:
    """Paragraphs separated by a blank line; consecutive list items stay one list."""
    result = ""
    for text in (" ".join(text.split()) for text in texts if text.strip()):
        joint = "\n" if text.startswith("- ") and result.split("\n")[-1].startswith("- ") else "\n\n"
        result = f"{result}{joint}{text}" if result else text
    return result


def to_fiche(form: Form, fallback_id: str) -> Imported:
    """The fiche's data from the form, with notes on what was recognised and what to check."""
    lang = values.language([text for texts in form.sections.values() for text in texts]
                           + [form.name or ""])
    identifier = fiche_id(form.name or "") or fiche_id(fallback_id) or "fiche"
    data: dict = {"lang": lang, "country": "FR" if lang == "fr" else "JP"}
    result = Imported(identifier, data, form.name or "")
    _add_name(result, form.name, lang, fallback_id)
    _add_header(result, form.fields, lang)
    _add_sections(result, form)
    _add_form_notes(result, form)
    return result


def _add_name(result: Imported, name: str | None, lang: str, fallback_id: str) -> None:
    """The fiche's name (the file's when the form has none) and, in Japanese, its guessed
    kana reading."""
    data = result.data
    if name:
        data["name"] = name
        result.recognised.append("name")
    else:
        data["name"] = fallback_id
        result.to_check.append(f"no name found: the file name '{fallback_id}' is used; "
                               f"write the collectivité's name in 'name'")
    if lang == "ja" and name:
        data["reading"] = reading(name)
        result.to_check.append(f"reading '{data['reading']}' (the kana that sorts the Japanese "
                               f"fiches) is guessed from the kanji: check it; add the name in "
                               f"French too (name: {{ja: {name}, fr: …}})")


def _add_header(result: Imported, fields: dict[str, tuple[str, str]], lang: str) -> None:
    """The header's fields as fiche values (region, department, area, population, partners,
    contact), with the notes of what was dropped or guessed, by where it was in the form."""
    data = result.data
    for key in ("region", "department"):
        if key in fields:
            data[key] = fields[key][0]
    readers = {"area": ("area_km2", lambda text: _as_notes(*values.area_km2(text, lang))),
               "population": ("population",
                              lambda text: _as_notes(*values.population(text, lang))),
               "partners": ("partners", values.partners),
               "contact": ("contact", values.contact)}
    for key, (target, read) in readers.items():
        if key in fields:
            text, where = fields[key]
            value, notes = read(text)
            if value not in (None, [], {}):  # nothing readable: left out, the note says so
                data[target] = value
            result.to_check += [f"{where}: {note}" for note in notes]
    result.recognised += [key for key in ("region", "department", "area", "population",
                                          "partners", "contact") if key in fields]


def _as_notes(value: object, note: str | None) -> tuple[object, list[str]]:
    """A number reader's (value, note or None) as (value, notes), as the other readers give."""
    return value, [note] if note else []


def _add_sections(result: Imported, form: Form) -> None:
    """The six answers as the fiche's sections, and a note naming the questions unanswered."""
    sections = {key: _paragraphs(form.sections[key]) for key in SECTION_KEYS
                if _paragraphs(form.sections.get(key, []))}
    result.data["sections"] = sections
    result.recognised += [f"section {SECTION_KEYS.index(key) + 1}" for key in sections]
    missing = [str(SECTION_KEYS.index(key) + 1) for key in SECTION_KEYS if key not in sections]
    if missing:
        result.to_check.append(f"no answer found for question{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)}")


def _add_form_notes(result: Imported, form: Form) -> None:
    """Notes on the questions worded otherwise than the form, and what no field holds (kept
    as comments)."""
    for key, where in form.reworded.items():
        result.to_check.append(f"{where} was read as question {SECTION_KEYS.index(key) + 1}, "
                               f"which the form words differently: check that it is, and that "
                               f"the question's own words are not left in the text")
    result.unmapped = [f"{item.where}: {item.text}" for item in form.unmapped]
    if result.unmapped:
        result.to_check.append(f"{len(result.unmapped)} piece(s) of the form match no field: "
                               f"they are kept as comments at the end of the fiche")


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks, multi-line texts as literal blocks, keys in fiche order."""


def _text(dumper: yaml.SafeDumper, value: str):
    if "\n" in value and not value.startswith(" ") and all(
            line == line.rstrip() for line in value.split("\n")):
        style = ">" if "\n\n" in value or len(value) > 70 and "\n" not in value.strip() else "|"
        if style == ">" and any(line.startswith((" ", "-", "*")) for line in value.split("\n")):
            style = "|"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    if len(value) > 70 and not value.startswith(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def to_yaml(imported: Imported, source: str) -> str:
    """The fiche as YAML a person can read and edit, with what was not mapped as comments."""
    body = yaml.dump(imported.data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=88, default_flow_style=False)
    lines = [SCHEMA_LINE, f"# Imported by `booklet import` from {source}."]
    if imported.to_check:
        lines.append("# To check:")
        for note in imported.to_check:
            first, *rest = note.splitlines() or [""]
            lines += [f"#   - {first}", *(f"#     {line}" for line in rest)]
    lines.append(body.rstrip("\n"))
    if imported.unmapped:
        lines.append("")
        lines.append("# Not mapped to any field (kept from the form, for a person to place):")
        for item in imported.unmapped:
            lines += [f"#   {line}" for line in item.splitlines()]
    return "\n".join(lines) + "\n"

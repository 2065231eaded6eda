"""The fiche and booklet.yaml schema, declared once.

Each field's docstring is its documentation and goes into the JSON Schema that
editors use to complete and check fiches. No I/O here: `validate_fiche` and
`validate_config` take plain data and return a model or messages keyed by the
path of the offending value.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from booklet.languages import CODES

Lang = Literal["fr", "ja"]
Country = Literal["FR", "JP"]
COUNTRIES: tuple[str, ...] = ("FR", "JP")
SECTION_KEYS = ("geography", "history", "highlights", "economy", "exchanges", "good_practices")


def _text_value(value: Any) -> Any:
    """Accept text, or a mapping of languages to text; reject anything else with a clear message."""
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("empty_text", "is empty: write the text or remove the line")
        return value
    if isinstance(value, dict):
        for lang, text in value.items():
            if lang not in CODES:
                raise PydanticCustomError(
                    "text_lang", "has a translation in '{lang}': use fr or ja", {"lang": lang})
            if not isinstance(text, str) or not text.strip():
                raise PydanticCustomError(
                    "text_lang_value", "has no text for '{lang}'", {"lang": lang})
        if not value:
            raise PydanticCustomError("empty_text", "is empty: write the text or remove the line")
        return value
    raise PydanticCustomError(
        "text_type",
        "must be text, or translations under fr: and ja:; got {got}",
        {"got": _describe_input(value)},
    )


def _describe_input(value: Any, hint: bool = True) -> str:
    """A value as the user typed it, with how to make it text when `hint`."""
    if isinstance(value, bool):
        return f"{str(value).lower()}" + (" (a yes/no value): put the text in quotes" if hint else "")
    if isinstance(value, int | float):
        return f"the number {value}" + (": put it in quotes" if hint else "")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    if value is None:
        return "nothing"
    return f'"{value}"'


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


Text = Annotated[str | dict[Lang, str], BeforeValidator(_text_value)]
"""A text in the fiche's language, or translations: {fr: ..., ja: ...}."""
ImagePath = Annotated[str, Field(json_schema_extra={"format": "image-path"})]
"""A logo or photo: a file inside the project folder (the editor offers an upload for it)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Contact(_Strict):
    """Personne - Contact : who answers questions about this collectivité."""

    name: str | None = None
    """Name of the contact person, e.g. Morgane MILLON."""
    address: str | None = None
    """Postal address; line breaks are kept."""
    phone: str | None = None
    """Telephone number as it should be printed, e.g. 01 41 23 88 37."""
    email: str | None = None
    """E-mail address."""


class Sections(_Strict):
    """The six texts of the fiche. Plain text with **bold**, *italic* and - lists."""

    geography: Text | None = None
    """1. Situation et aspects géographiques de la collectivité (about 4 lines)."""
    history: Text | None = None
    """2. Bref historique de la collectivité (about 4 lines)."""
    highlights: Text | None = None
    """3. Particularités (about 4 lines)."""
    economy: Text | None = None
    """4. Principaux secteurs d'activité ; spécialités et/ou produits locaux (about 4 lines)."""
    exchanges: Text | None = None
    """5. Manifestations et activités avec le Japon (Japanese fiches: avec la France)."""
    good_practices: Text | None = None
    """6. Bonnes pratiques à partager avec les collectivités françaises et japonaises."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        """A section left empty is not printed (preflight warns about it)."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items()
                    if not (key in SECTION_KEYS and _blank(value))}
        return data

    @model_validator(mode="after")
    def _at_least_one(self) -> Sections:
        if all(getattr(self, key) is None for key in SECTION_KEYS):
            raise PydanticCustomError(
                "no_section", "has no text: write at least one of " + ", ".join(SECTION_KEYS))
        return self


class Fiche(_Strict):
    """One collectivité taking part in the Rencontres: one page of the booklet."""

    lang: Lang
    """Language the fiche was written in: fr or ja."""
    country: Country
    """FR or JP."""
    name: Text
    """Name of the collectivité; give both names as {ja: 市川市, fr: Ichikawa} where known."""
    kind: Text | None = None
    """Free text: commune, département, région, 市, 県 ..."""
    region: Text | None = None
    """French fiches: the région. Japanese fiches: the prefecture (e.g. 千葉県)."""
    department: Text | None = None
    """French fiches only: the département."""
    area_km2: Annotated[float, Field(gt=0, le=10_000_000, allow_inf_nan=False)] | None = None
    """Superficie in km², with a dot for decimals: 4.3."""
    population: Annotated[int, Field(gt=0, le=2_000_000_000)] | None = None
    """Number of inhabitants, digits only: 66171."""
    partners: list[Text] = []
    """Jumelage / Partenariat avec...: fiche ids or names; a partner with a fiche gets a link."""
    contact: Contact | None = None
    """Personne - Contact."""
    sections: Sections
    """The six texts of the fiche; at least one."""
    logo: ImagePath | None = None
    """Logo image, relative to the project folder (images/issy.png)."""
    photo: ImagePath | None = None
    """Photo, relative to the project folder (images/fort.jpg)."""
    photo_caption: Text | None = None
    """Caption printed under the photo."""
    reading: str | None = None
    """Japanese fiches: kana reading of the name (いちかわし), used for sorting."""


class PrintConfig(_Strict):
    """How `booklet build --print` makes the print shop's PDF."""

    output_intent: Literal["srgb", "fogra39", "japan-color-2011-coated"] = "srgb"
    """The printing condition: srgb (the shop converts), fogra39 (offset on coated paper in
    Europe) or japan-color-2011-coated (offset on coated paper in Japan)."""
    marks: Literal["crop", "japanese", "none"] = "crop"
    """Marks outside the bleed: crop, japanese (日本式トンボ) or none (a bare file with bleed)."""


class BookletConfig(_Strict):
    """booklet.yaml: the event and how its booklet is made."""

    title: Text
    """Title of the event, in both languages: {fr: ..., ja: ...}."""
    subtitle: Text | None = None
    """Subtitle printed on the cover."""
    editions: list[Lang] = Field(default=["fr", "ja"], min_length=1)
    """One PDF per edition language, e.g. [fr, ja]."""
    paper: Literal["A4", "A5"] = "A4"
    """Paper size: A4 or A5."""
    order: list[str] = Field(default=["FR", "JP"], min_length=1)
    """Country groups in order ([FR, JP]), or every fiche id in the order wanted."""
    print: PrintConfig = PrintConfig()
    """For the print shop (`booklet build --print`): printing condition and marks."""

    @property
    def order_by_country(self) -> bool:
        """True when `order` lists country groups rather than fiche ids."""
        return all(item in COUNTRIES for item in self.order)

    @field_validator("editions", "order")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise PydanticCustomError("repeated", "lists {items} more than once: keep each once",
                                      {"items": ", ".join(repeated)})
        return values

    @field_validator("order")
    @classmethod
    def _countries_or_ids(cls, values: list[str]) -> list[str]:
        countries = [v for v in values if v.upper() in COUNTRIES]
        if countries and len(countries) != len(values):
            raise PydanticCustomError(
                "order_mixed", "mixes countries and fiche ids: write either the countries "
                "([FR, JP]) or every fiche id in the order wanted")
        if any(v != v.upper() for v in countries):
            raise PydanticCustomError("order_case", "countries are written in capitals: FR, JP")
        return values


def json_schema(model: type[BaseModel]) -> str:
    """The JSON Schema of `model`, as shipped in booklet/schemas/."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


Keys = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A validation error: the path of the value, whether it is a key, and the message."""

    keys: Keys
    message: str
    at_key: bool = False  # unknown or missing fields are shown at a key, not a value


def validate(model: type[BaseModel], data: Any) -> tuple[BaseModel | None, list[Problem]]:
    """Validate `data`; return the model, or the problems found."""
    if not isinstance(data, dict):
        return None, [Problem((), f"the file must hold fields written as 'name: value', one per "
                                  f"line; it holds {_describe_input(data, hint=False)}")]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = []
        for e in error.errors():
            keys = tuple(e["loc"])
            if e["type"] == "missing":
                problems.append(Problem(keys[:-1], describe(model, e), at_key=True))
            else:
                problems.append(Problem(keys, describe(model, e), e["type"] == "extra_forbidden"))
        return None, problems


def _label(keys: Keys) -> str:
    label = ""
    for key in keys:
        label += f" (item {key + 1})" if isinstance(key, int) else (f".{key}" if label else key)
    return label or "the file"


def _fields_at(model: type[BaseModel], keys: Keys) -> list[str]:
    """Field names allowed where `keys` points (for "did you mean")."""
    for key in keys[:-1]:
        if isinstance(key, int):
            continue
        annotation = model.model_fields[key].annotation if key in model.model_fields else None
        candidates = [a for a in getattr(annotation, "__args__", (annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return []
        model = candidates[0]
    return list(model.model_fields)


def describe(model: type[BaseModel], error: dict) -> str:
    """A pydantic error in words an event organizer understands."""
    keys = tuple(error["loc"])
    field, kind, value = _label(keys), error["type"], error.get("input")
    shown, plain = _describe_input(value), _describe_input(value, hint=False)
    if kind == "missing":
        return f"{field} is missing: add a line '{keys[-1]}: ...'"
    if kind == "extra_forbidden":
        known = _fields_at(model, keys)
        close = difflib.get_close_matches(str(keys[-1]), known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(known)
        return f"unknown field '{keys[-1]}': {hint}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field} must be a whole number, got {plain}" + (
            "; write it without spaces or dots, e.g. 66171" if isinstance(value, str) else "")
    if kind in ("float_parsing", "float_type"):
        return f"{field} must be a number, got {plain}" + (
            "; use a dot for decimals, e.g. 4.3" if isinstance(value, str) else "")
    if kind in ("greater_than", "greater_than_equal"):
        return f"{field} must be more than 0, got {value}"
    if kind in ("less_than", "less_than_equal", "finite_number"):
        return f"{field} {plain} is far too large: check the number"
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", "")
        return f"{field} must be {expected}, got {plain}"
    if kind == "string_type":
        return f"{field} must be text, got {shown}"
    if kind == "list_type":
        return f"{field} must be a list, one '- item' per line"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{field} must be a group of fields (name: value) indented under it"
    if kind == "too_short":
        return f"{field} must not be empty"
    if kind == "bool_type":
        return f"{field} must be yes or no"
    if error["msg"] and kind in ("empty_text", "text_lang", "text_lang_value", "text_type",
                                 "no_section", "repeated", "order_mixed", "order_case"):
        return f"{field} {error['msg']}"
    return f"{field}: {error['msg']}"

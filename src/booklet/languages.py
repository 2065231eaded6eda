"""The two languages of booklet: each fiche is written in one, and each is an edition.

Every table that differs between French and Japanese starts here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    english: str
    """Its name in messages: "the French page of …"."""
    locale: str
    """The locale numbers are written in (babel)."""
    download: str
    """How the download page names its edition, in both languages."""
    country: str
    """The country whose fiches are written in it."""


LANGUAGES = {
    "fr": Language("fr", "French", "fr_FR", "français · フランス語版", "FR"),
    "ja": Language("ja", "Japanese", "ja_JP", "japonais · 日本語版", "JP"),
}
CODES: tuple[str, ...] = tuple(LANGUAGES)


def english_name(code: str) -> str:
    return LANGUAGES[code].english


def other_language_of(code: str) -> str:
    """The other language: ja for fr, fr for ja."""
    return next(other for other in CODES if other != code)


def of_country(country: str) -> str:
    """The language of a country's fiches: fr for FR, ja for JP."""
    return next(language.code for language in LANGUAGES.values() if language.country == country)

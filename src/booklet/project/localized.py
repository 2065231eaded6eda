"""A fiche's text as one edition shows it: a value is one string in the fiche's language, or
one per language ({fr: …, ja: …})."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Localized:
    """A text chosen for an edition: its language, and whether it is a translation gap."""

    text: str
    lang: str
    untranslated: bool = False


def localize(value: str | dict[str, str], original_lang: str, edition: str) -> Localized:
    """The edition's text where there is one, else the original, marked untranslated."""
    if isinstance(value, str):
        return Localized(value, original_lang, original_lang != edition)
    if edition in value:
        return Localized(value[edition], edition)
    lang = original_lang if original_lang in value else next(iter(value))
    return Localized(value[lang], lang, True)


def other_language(value: str | dict[str, str], shown: Localized) -> Localized | None:
    """The name in the other language, where the fiche gives it (市川市 / Ichikawa)."""
    if isinstance(value, dict):
        for lang, text in value.items():
            if lang != shown.lang:
                return Localized(text, lang)
    return None

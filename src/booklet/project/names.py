"""Fiches found by name: a partner written as a fiche's id, or as one of its names with
accents, case and hyphens as the writer had them."""

from __future__ import annotations

import unicodedata


def name_index(items, entry=lambda item: item) -> dict:
    """Items by fiche id and by every name of their fiche (accents, case, hyphens ignored)."""
    index = {}
    for item in items:
        source = entry(item)
        value = source.fiche.name
        for text in value.values() if isinstance(value, dict) else [value]:
            index.setdefault(comparable(text), item)
    for item in items:
        index[entry(item).id] = item
    return index


def find_fiche(value: str | dict[str, str], index: dict):
    """The item of `index` that a partner value names (by id or name), or None."""
    texts = list(value.values()) if isinstance(value, dict) else [value]
    return next((index[k] for t in texts for k in (t, comparable(t)) if k in index), None)


def comparable(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("-", " ").replace("'", " ").split())

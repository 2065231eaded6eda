"""Glyph coverage: which characters the bundled fonts can print.

Checked before layout, with fontTools, so that a character no font has is
reported at its place in the fiche instead of being printed as an empty box
(or, worse, silently taken from whatever font the machine happens to have).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from fontTools.ttLib import TTFont

from .layouts import FONTS_DIR

IMAGE_FIELDS = ("logo", "photo")  # file paths, not printed text


@cache
def printable() -> frozenset[int]:
    """Code points that the bundled fonts have a glyph for.

    The Regular faces are enough: scripts/make_fonts.py cuts every face to the
    same characters, and reading a cmap costs about a tenth of a second."""
    code_points: set[int] = set()
    for path in sorted(FONTS_DIR.glob("*-Regular.otf")):
        font = TTFont(path, lazy=True)
        code_points.update(font.getBestCmap())
        font.close()
    return frozenset(code_points)


def missing(text: str) -> list[str]:
    """Characters of `text` that no bundled font has, in order, each once."""
    have = printable()
    found = [c for c in text if ord(c) not in have and not c.isspace()]
    return list(dict.fromkeys(found))


def strings(data, keys: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every text value of a YAML document with its path, except file paths."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not (keys == () and key in IMAGE_FIELDS):
                yield from strings(value, (*keys, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, (*keys, index))
    elif isinstance(data, str):
        yield keys, data

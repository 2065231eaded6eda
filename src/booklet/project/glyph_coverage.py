"""Glyph coverage: which characters the bundled fonts can print.

Checked before layout, with HarfBuzz, so that a character no font has is
reported at its place in the fiche instead of being printed as an empty box
(or, worse, silently taken from whatever font the machine happens to have).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from booklet.resources import FONTS_DIR

IMAGE_FIELDS = ("logo", "photo")  # file paths, not printed text


@cache
def printable() -> frozenset[int]:
    """Code points that the bundled fonts have a glyph for.

    The Regular faces are enough: scripts/make_fonts.py cuts every face to the
    same characters. HarfBuzz reads a cmap in milliseconds (fontTools: 0.2 s)."""
    import uharfbuzz

    code_points: set[int] = set()
    for path in sorted(FONTS_DIR.glob("*-Regular.otf")):
        code_points.update(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path))).unicodes)
    return frozenset(code_points)


def missing(text: str) -> list[str]:
    """Characters of `text` that no bundled font has, in order, each once."""
    have = printable()
    return [c for c in dict.fromkeys(text) if ord(c) not in have and not c.isspace()]


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

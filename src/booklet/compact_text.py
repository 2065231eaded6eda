"""Text-showing operators of a content stream written compactly: the same glyphs at the
same places, in fewer bytes.

WeasyPrint positions every glyph that does not sit at its natural advance with a number
in the TJ array. Justified Japanese lines space every character alike, so their arrays
hold a number after each glyph; here that common spacing becomes the character spacing
(Tc) of the one operator, and only the glyphs that differ from it keep a number (a
tenth of the page content of a Japanese booklet). Besides, glyphs with no adjustment between them
share one string, written as a literal string rather than in hex; adjustments are
rounded to 1/100 of a thousandth of an em, and other numbers to three decimals (a
thousandth of a CSS pixel; a colour still gives the same 8-bit value).
"""

from __future__ import annotations

import re
from binascii import unhexlify
from collections import Counter
from functools import lru_cache

_TOKEN = re.compile(
    rb"(?P<skip><<(?:[^<>]|<[0-9a-fA-F]*>)*>>|\((?:\\.|[^\\()])*\))"  # left alone
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+(?P<size>[-+\d.]+)\s+Tf\b"  # the font from here on
    rb"|/[^\s/\[\]()<>{}%]*"  # other names: left alone
    rb"|\[(?P<array>[^\]()]*)\]\s*TJ"  # WeasyPrint's, in hex
    rb"|(?P<long>-?\d*\.\d{4,})", re.S)  # WeasyPrint's six decimals
_ITEM = re.compile(rb"<([0-9a-fA-F]*)>|(-?[\d.]+)")
_ESCAPES = re.compile(rb"[\\()\r]")
_ESCAPED = {b"\\": b"\\", b"(": b"(", b")": b")", b"\r": b"r"}
MIN_GLYPHS = 4
"""Fewer glyphs than this are not worth a character spacing."""


def compact_text(content: bytes, two_byte_fonts: set[bytes]) -> bytes:
    """`content` with its TJ operators written compactly. `two_byte_fonts`: the resource
    names of the fonts whose codes are two bytes (Type 0, Identity-H), the only ones whose
    arrays get a character spacing."""
    font, size = None, 0.0

    def replace(match: re.Match) -> bytes:
        nonlocal font, size
        if match["font"] is not None:
            font, size = match["font"], float(match["size"])
        elif match["array"] is not None:
            return _compact_array(match["array"], size if font in two_byte_fonts else None)
        elif match["long"] is not None:
            return _number(float(match["long"]), 3)
        return match[0]

    return _TOKEN.sub(replace, content)


def _compact_array(array: bytes, size: float | None) -> bytes:
    """A TJ operator showing `array`; with a character spacing when `size` (the font size
    of two-byte codes) is given and most glyphs are followed by the same adjustment."""
    array = array.replace(b">0<", b"")  # WeasyPrint writes a 0 between most glyphs
    items = [(codes, float(number) if number else None)
             for codes, number in _ITEM.findall(array) if codes or number]  # not <>
    spacing = _common_spacing(items) if size is not None else 0.0
    shown, run, after = [], b"", 0.0  # `after`: the adjustment after the run's last glyph
    for codes, number in items:
        if number is not None:
            after += number
            continue
        if run and round(after - spacing, 2):
            shown += [_string(run), _number(after - spacing)]
            run = b""
        elif not run and after:  # before the first glyph
            shown.append(_number(after))
        if spacing and len(codes) > 4:  # glyphs inside one string, now spaced apart
            inside = _number(-spacing)
            for start in range(0, len(codes) - 4, 4):
                shown += [_string(run + codes[start:start + 4]), inside]
                run = b""
            codes = codes[-4:]
        run, after = run + codes, 0.0
    if run:
        shown.append(_string(run))
        if round(after - spacing, 2):
            shown.append(_number(after - spacing))
    operator = b"[" + b"".join(shown) + b"] TJ"
    if not spacing:
        return operator
    return b"%s Tc %s 0 Tc" % (_number(-spacing / 1000 * size, 6), operator)


def _common_spacing(items: list[tuple[bytes, float | None]]) -> float:
    """The adjustment that follows most glyphs of a TJ array of two-byte codes, if it is
    not 0 and follows more than half of them (at least MIN_GLYPHS); else 0."""
    numbers = sum(number is not None for _, number in items)
    if numbers * 2 < MIN_GLYPHS:
        return 0.0
    glyphs = len(b"".join(codes for codes, _ in items)) // 4
    if numbers * 2 <= glyphs:
        return 0.0
    counts, after = Counter({0.0: glyphs - (len(items) - numbers)}), None
    for _, number in items:
        if number is None:
            if after is not None:
                counts[round(after, 2)] += 1
            after = 0.0
        elif after is not None:
            after += number
    counts[round(after or 0.0, 2)] += 1
    common, count = counts.most_common(1)[0]
    return common if common and count * 2 > glyphs else 0.0


def _string(hex_codes: bytes) -> bytes:
    """Glyph codes as a literal string: half the bytes of hex."""
    codes = unhexlify(hex_codes + b"0" * (len(hex_codes) % 2))
    if _ESCAPES.search(codes):
        codes = _ESCAPES.sub(lambda match: b"\\" + _ESCAPED[match[0]], codes)
    return b"(" + codes + b")"


@lru_cache(maxsize=4096)  # adjustments repeat; a long-running serve stays small
def _number(value: float, digits: int = 2) -> bytes:
    return (b"%.*f" % (digits, value)).rstrip(b"0").rstrip(b".") or b"0"

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

Text objects that follow one another with nothing between them become one, and within
one text object a line's matrix is written as a move from the line before (`Td`: a
paragraph's lines then all read "0 -16.8 Td"). Pango justifies a line by widening its
spaces, half of it as an offset before each space glyph: a space draws nothing, so that
offset is moved after it, where it joins the other half (one number a space instead of
two; every other glyph stays where it was).

`glyph_drawing` draws most lines with these rules already applied (`tj_operator`):
operators written compactly, with literal strings, are left as they are here.
"""

from __future__ import annotations

import re
from binascii import unhexlify
from collections import Counter
from collections.abc import Collection, Mapping
from functools import lru_cache
from itertools import repeat

_TOKEN = re.compile(
    rb"(?P<skip><<(?:[^<>]|<[0-9a-fA-F]*>)*>>|\([^\\()]*(?:\\.[^\\()]*)*\)|-?[\d.]+\s+Tc\b)"  # left alone
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+(?P<size>[-+\d.]+)\s+Tf\b"  # the font from here on
    rb"|/[^\s/\[\]()<>{}%]*"  # other names: left alone
    rb"|\[(?P<array>[^\]()]*)\]\s*TJ"  # WeasyPrint's, in hex
    rb"|\[(?:[^\\()\]]|\([^\\()]*(?:\\.[^\\()]*)*\))*\]\s*TJ"  # written compactly: left alone
    rb"|(?P<joint>\s*\bET\s+BT\b)|(?P<begin>\bBT\b)"  # one text object ends, the next begins
    rb"|(?P<matrix>(?:-?[\d.]+\s+){6})Tm\b"  # a line's matrix
    rb"|(?P<long>-?\d*\.\d{4,})", re.S)  # WeasyPrint's six decimals
_ITEM = re.compile(rb"<([0-9a-fA-F]*)>|(-?[\d.]+)")
_WEASYPRINT_ARRAY = re.compile(rb"(?:-?[\d.]+)?(?:<[0-9a-fA-F]*>(?:-?[\d.]+)?)*")
"""A TJ array as WeasyPrint writes it: hex strings, each followed by at most one number."""
_WEASYPRINT_ITEM = re.compile(rb"<([0-9a-fA-F]*)>([-\d.]*)")
_ESCAPES = re.compile(rb"[\\()\r]")
_ESCAPED = {b"\\": b"\\", b"(": b"(", b")": b")", b"\r": b"r"}
BLANKS = {" ", "\u00a0", "\u202f", "\u3000"}
"""The characters of glyphs that draw nothing (spaces), whose offsets may move."""
MIN_GLYPHS = 4
"""Fewer glyphs than this are not worth a character spacing."""


def compact_text(content: bytes, two_byte_fonts: Collection[bytes],
                 blank_glyphs: Mapping[bytes, Collection[bytes]] | None = None) -> bytes:
    """`content` with its text operators written compactly. `two_byte_fonts`: the resource
    names of the fonts whose codes are two bytes (Type 0, Identity-H), the only ones whose
    arrays get a character spacing; `blank_glyphs`: of some of them, the codes (four hex
    digits) of glyphs that draw nothing (spaces), whose offsets may move."""
    font, size = None, 0.0
    line: tuple[bytes, int, int] | None = None  # the line matrix: a b c d, e and f in 1/1000

    def replace(match: re.Match) -> bytes:
        nonlocal font, size, line
        if match["font"] is not None:
            font, size = match["font"], float(match["size"])
        elif match["array"] is not None:
            two_byte = font in two_byte_fonts
            blanks = _blanks_pattern(frozenset((blank_glyphs or {}).get(font, ())) if two_byte else None)
            return _compact_array(match["array"], size if two_byte else None, blanks)
        elif match["begin"] is not None:
            line = None
        elif match["matrix"] is not None:
            line, written = _line_move(match["matrix"].split(), line)
            return written
        elif match["long"] is not None:
            return _number(float(match["long"]), 3)
        elif match["joint"] is not None:
            return b""
        return match[0]

    return _TOKEN.sub(replace, content)


def _line_move(numbers: list[bytes], line: tuple[bytes, int, int] | None
               ) -> tuple[tuple[bytes, int, int], bytes]:
    """A line matrix (its six `numbers`) as `Td` from the line before when both are
    upright or flipped (1 0 0 ±1), to a thousandth; else as `Tm`. Returns the new line
    matrix and what to write."""
    scale = b" ".join(_number(float(number), 3) for number in numbers[:4])
    e, f = (round(float(number) * 1000) for number in numbers[4:])
    if line is None or line[0] != scale or scale not in _UPRIGHT:
        return (scale, e, f), b"%s %s %s Tm" % (scale, _milli(e), _milli(f))
    d = _UPRIGHT[scale]
    return (scale, e, f), b"%s %s Td" % (_milli(e - line[1]), _milli((f - line[2]) * d))


_UPRIGHT = {b"1 0 0 1": 1, b"1 0 0 -1": -1}
"""Line matrices whose moves `Td` writes exactly: their d (a move's y is multiplied by it)."""


def _milli(value: int) -> bytes:
    return _number(value / 1000, 3)


@lru_cache(maxsize=64)
def _blanks_pattern(codes: frozenset[bytes] | None) -> re.Pattern | None:
    """An offset before one of the blank glyphs `codes`, in a hex TJ array."""
    if not codes:
        return None
    return re.compile(rb">(-?[\d.]+)<(" + b"|".join(sorted(codes)) + rb")")


def _compact_array(array: bytes, size: float | None, blanks: re.Pattern | None = None) -> bytes:
    """A TJ operator showing `array` (`tj_operator`), the offsets before `blanks` moved
    after them."""
    array = array.replace(b">0<", b"")  # WeasyPrint writes a 0 between most glyphs
    if blanks is not None:
        array = blanks.sub(rb"\2>\1<", array)
    return tj_operator(*_runs(array), size)


def tj_operator(lead: float, strings: list[bytes], afters: list[float], numbers: int,
                size: float | None) -> bytes:
    """A TJ operator showing the glyph `strings` (their codes' bytes), each followed by its
    adjustment in `afters`, after the adjustment `lead` (`numbers`: how many adjustments
    were written); with a character spacing when `size` (the font size of two-byte codes)
    is given and most glyphs are followed by the same adjustment."""
    spacing = (_common_spacing(afters, numbers, sum(map(len, strings)) // 2)
               if size is not None else 0.0)
    shown, run, after = [], b"", lead  # `after`: the adjustment after the run's last glyph
    for codes, next_after in zip(strings, afters, strict=True):
        if run and after != spacing and round(after - spacing, 2):
            shown += [_string(run), _number(after - spacing)]
            run = b""
        elif not run and after:  # before the first glyph
            shown.append(_number(after))
        if spacing and len(codes) > 2:  # glyphs inside one string, now spaced apart
            inside = _number(-spacing)
            for start in range(0, len(codes) - 2, 2):
                shown += [_string(run + codes[start:start + 2]), inside]
                run = b""
            codes = codes[-2:]
        run, after = run + codes, next_after
    if run:
        shown.append(_string(run))
        if round(after - spacing, 2):
            shown.append(_number(after - spacing))
    operator = b"[" + b"".join(shown) + b"] TJ"
    if not spacing:
        return operator
    return b"%s Tc %s 0 Tc" % (_number(-spacing / 1000 * size, 6), operator)


def _runs(array: bytes) -> tuple[float, list[bytes], list[float], int]:
    """The glyph strings of a TJ array (their codes' bytes; an empty one left out), each with the sum of the
    adjustments that follow it; the sum of those before the first; and how many
    adjustments the array holds. An array as WeasyPrint writes it is split apart; anything
    else is read item by item."""
    if _WEASYPRINT_ARRAY.fullmatch(array):
        first = array.find(b"<")
        items = _WEASYPRINT_ITEM.findall(array)
        if first:
            items.insert(0, (b"", array[:first] if first > 0 else array))
    else:
        items = _ITEM.findall(array)
    lead, strings, afters, numbers = 0.0, [], [], 0
    for codes, number in items:
        if codes:
            strings.append(unhexlify(codes + b"0" * (len(codes) % 2)))
            afters.append(0.0)
        if number:
            numbers += 1
            if afters:
                afters[-1] += float(number)
            else:
                lead += float(number)
    return lead, strings, afters, numbers


def _common_spacing(afters: list[float], numbers: int, glyphs: int) -> float:
    """The adjustment that follows most glyphs of a TJ array of two-byte codes (`afters`:
    the adjustment after each of its strings; `numbers` adjustments and `glyphs` glyphs in
    all), if it is not 0 and follows more than half of them (at least MIN_GLYPHS); else 0."""
    if numbers * 2 < MIN_GLYPHS or numbers * 2 <= glyphs:
        return 0.0
    counts = Counter(map(round, afters, repeat(2)))
    counts[0.0] += glyphs - len(afters)  # glyphs followed by another in the same string
    common, count = counts.most_common(1)[0]
    return common if common and count * 2 > glyphs else 0.0


def _string(codes: bytes) -> bytes:
    """Glyph codes as a literal string: half the bytes of hex."""
    if _ESCAPES.search(codes):
        codes = _ESCAPES.sub(lambda match: b"\\" + _ESCAPED[match[0]], codes)
    return b"(" + codes + b")"


@lru_cache(maxsize=4096)  # adjustments repeat; a long-running serve stays small
def _number(value: float, digits: int = 2) -> bytes:
    return (b"%.*f" % (digits, value)).rstrip(b"0").rstrip(b".") or b"0"

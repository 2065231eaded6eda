"""Lines of text drawn as WeasyPrint draws them, their TJ operators written compactly at once.

To draw a line, WeasyPrint 70 (`draw.text.draw_first_line`) reads each glyph's id,
advance and offset from Pango through cffi, one field at a time, and writes its TJ array
in hex with a number after nearly every glyph; `compact_text` then read those arrays
back and rewrote them. `install` puts a copy of that function in its place that reads
each run's glyphs at once (`struct`, from Pango's array) and hands them, with their
adjustments, straight to `text_operators.tj_operator`: the part is the same bytes
(tests compare both ways), and a fiche page takes 2–3 % less time. A line that needs
what the copy leaves out (an ellipsis; a bitmap, SVG, PNG or COLR font; a glyph raised
or lowered; a character no font has, which WeasyPrint reports) is drawn by WeasyPrint's
own function, and compacted afterwards as before.

`_line_runs` reads a line's runs and their fonts, and tells the lines the copy leaves
out; `_write_line` draws the others, a TJ operator (`_Array`) for each font; `_Array.add_run`
adds a run's glyphs to it, in the loop every glyph of a page goes through, which calls a
function of this module only for a glyph its font has not shown yet.

The copy assumes two-byte codes, as WeasyPrint writes for every font but bitmap ones,
and compacts every line it draws. Two cases then differ in bytes, not on the page, from
WeasyPrint's drawing followed by `compact_text`: a face that gets a character it has not
(a .notdef glyph, which the build reports as an error) is written with WeasyPrint's own
encoding, which `compact_text` leaves alone, while the copy's lines in it are compact; and
text WeasyPrint draws into a form (a transparency group, for `opacity`), which
`compact_text` never reached, now has compact TJ operators, its other operators as
WeasyPrint wrote them. Both render the same (checked pixel for pixel).
"""

from __future__ import annotations

import struct
import sys
from array import array

from booklet.pdf.pydyf_objects import written_number
from booklet.pdf.text_operators import BLANKS, tj_operator

_GLYPH = struct.Struct("=Iiii4x")
"""A PangoGlyphInfo: glyph, advance, x and y offsets (Pango units), then its attributes."""


def install() -> bool:
    """Draw lines with the copy; False (nothing done) on a WeasyPrint or Pango whose
    function or glyph records are not the ones described. Idempotent."""
    from weasyprint.draw import text
    from weasyprint.text.ffi import ffi

    if getattr(text.draw_first_line, "booklet", False):
        return True
    if ffi.sizeof("PangoGlyphInfo") != _GLYPH.size:
        return False
    text.draw_first_line = _drawer(text.draw_first_line)
    return True


def _drawer(original):
    """`draw_first_line` for the lines the copy draws, `original` for the others."""
    pango = _Pango()

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if text_overflow == "ellipsis" or block_ellipsis != "none":
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []
        runs = _line_runs(stream, textbox, pango)
        if runs is None:
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        _write_line(stream, textbox, runs, matrix, pango)
        return []

    draw_first_line.booklet = True
    draw_first_line.original = original
    return draw_first_line


class _Pango:
    """What the copy reads of Pango, through WeasyPrint's bindings."""

    def __init__(self):
        from weasyprint.text.ffi import FROM_UNITS, ffi, pango

        self.ffi, self.lib, self.from_units = ffi, pango, FROM_UNITS
        self.empty, self.unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
        self.own_size = pango.pango_version() < 14802  # WeasyPrint's workaround for Pango #530


def _line_runs(stream, textbox, pango: _Pango) -> list[tuple] | None:
    """The runs of a line's glyphs, each as (glyph item, its glyphs' `_GLYPH` records, font,
    font size, whether the font changes there), the fonts added to `stream`; None for a line
    WeasyPrint's own function must draw (a bitmap, SVG, PNG or COLR font, a character no
    font has, a glyph raised or lowered)."""
    ffi, unknown = pango.ffi, pango.unknown
    pango.lib.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    runs, previous, font, font_size = [], None, None, 0
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        pango_font = glyph_item.item.analysis.font
        new_font = pango_font != previous
        if new_font:
            previous = pango_font
            font, font_size = stream.add_font(pango_font)
            if font.bitmap or font.svg or font.png or font.colr:
                return None
            if pango.own_size:
                font_size = textbox.style["font_size"]
        infos = list(_GLYPH.iter_unpack(
            ffi.buffer(glyphs.glyphs, glyphs.num_glyphs * _GLYPH.size)))
        if any(glyph & unknown or rise for glyph, _, _, rise in infos):
            return None
        runs.append((glyph_item, infos, font, font_size, new_font))
    return runs


def _write_line(stream, textbox, runs: list[tuple], matrix, pango: _Pango) -> None:
    """Draw a line's `runs` (`_line_runs`) at `matrix`: one TJ operator for each font, after
    the operator that sets it."""
    stream.set_text_matrix(*matrix.values)
    tj = None
    for glyph_item, infos, font, font_size, new_font in runs:
        if new_font:
            if tj is not None and tj.written:
                stream.stream.append(tj.operator())
            tj = _Array(written_number(font_size))
            stream.set_font_size(font.hash, font_size)
        tj.add_run(glyph_item, infos, font, font_size, stream, textbox, pango)
    stream.stream.append(tj.operator() if tj is not None else b"[] TJ")


def _glyph_width(stream, glyph_item, glyph: int, font_size: float, pango: _Pango) -> int:
    """A glyph's advance in thousandths of the font size, as WeasyPrint measures it (Pango's
    logical extents, rounded)."""
    pango.lib.pango_font_get_glyph_extents(
        glyph_item.item.analysis.font, glyph, stream.ink_rect, stream.logical_rect)
    return round(stream.logical_rect.width * 1000 * pango.from_units / font_size)


def _text_of(glyph_item, index: int, count: int, utf8_text: bytes) -> str:
    """The characters glyph `index` of a run of `count` glyphs stands for, as WeasyPrint
    maps them (from the run's clusters)."""
    clusters = glyph_item.glyphs.log_clusters
    offset = glyph_item.item.offset
    start = clusters[index]
    if glyph_item.item.analysis.level % 2:  # right to left
        end = glyph_item.item.length if index == 0 else clusters[index - 1]
    else:
        end = glyph_item.item.length if index == count - 1 else clusters[index + 1]
    return utf8_text[offset + start:offset + end].decode()


class _Array:
    """One TJ operator of a line as `compact_text` would rewrite WeasyPrint's: glyphs with
    no adjustment between them share a string, a kerning of 0 between two glyphs is left
    out (not one after the last glyph), and an adjustment written just before a blank glyph
    moves after it. `add_run` adds the glyphs and adjustments, a run at a time."""

    def __init__(self, size: float):
        self.size = size
        """The font size as the stream writes it."""
        self.lead, self.strings, self.afters, self.numbers = 0.0, [], [], 0
        self.group: list[int] | None = None
        """The glyphs of the last string, while the next glyph may join them."""
        self.pending: float | None = None
        """The last adjustment, not yet placed: it may move after a blank glyph."""
        self.zero = False
        """Whether the last thing written was a kerning of 0."""
        self.written = False

    def add_run(self, glyph_item, infos: list[tuple], font, font_size: float, stream, textbox,
                pango: _Pango) -> None:
        """Add a run's glyphs (`infos`: their `_GLYPH` records) in `font` at `font_size`,
        each with its adjustments: an offset before it, a kerning after it."""
        if not infos:
            return
        empty, from_units = pango.empty, pango.from_units
        widths, to_unicode, utf8_text = font.widths, font.to_unicode, None
        # the array's state, held in locals: this loop runs for every glyph of the page
        lead, strings, afters, numbers = self.lead, self.strings, self.afters, self.numbers
        group, pending, zero = self.group, self.pending, self.zero
        for i, (glyph, width, x_offset, _) in enumerate(infos):
            if glyph == empty:  # a zero-width empty glyph: an adjustment only
                offset, number = 0.0, -width / font_size
            else:
                offset = x_offset / font_size
                number = -offset if offset else None
            if number is not None:  # an adjustment before the glyph: the last one placed
                if pending is not None:
                    numbers, group = numbers + 1, None
                    if afters:
                        afters[-1] += pending
                    else:
                        lead += pending
                pending = number
            zero = False
            if glyph == empty:
                continue
            if glyph not in to_unicode:
                utf8_text = utf8_text or textbox.pango_layout.text.encode()
                to_unicode[glyph] = _text_of(glyph_item, i, len(infos), utf8_text)
            if pending is not None and to_unicode[glyph] not in BLANKS:
                numbers, group = numbers + 1, None
                if afters:
                    afters[-1] += pending
                else:
                    lead += pending
                pending = None
            if group is None:
                group = [glyph]
                strings.append(group)
                afters.append(0.0)
            else:
                group.append(glyph)
            if pending is not None:  # the offset before a blank glyph goes after it
                numbers, group = numbers + 1, None
                afters[-1] += pending
                pending = None
            if glyph in widths:
                logical_width = widths[glyph]
            else:
                logical_width = widths[glyph] = _glyph_width(stream, glyph_item, glyph, font_size, pango)
            kerning = logical_width + offset - width * 1000 * from_units / font_size
            if kerning:
                if int(kerning):
                    pending = float(int(kerning))
                else:
                    zero = True
        self.lead, self.numbers, self.group = lead, numbers, group
        self.pending, self.zero, self.written = pending, zero, True

    def operator(self) -> bytes:
        """The TJ operator (`text_operators.tj_operator`)."""
        for value in (self.pending, 0.0 if self.zero else None):
            if value is not None:
                self.numbers += 1
                if self.afters:
                    self.afters[-1] += value
                else:
                    self.lead += value
        codes = array("H", [glyph for glyphs in self.strings for glyph in glyphs])
        if sys.byteorder == "little":
            codes.byteswap()
        codes, strings, start = codes.tobytes(), [], 0
        for glyphs in self.strings:  # each string's two-byte codes, big-endian
            end = start + 2 * len(glyphs)
            strings.append(codes[start:end])
            start = end
        return tj_operator(self.lead, strings, self.afters, self.numbers, self.size)

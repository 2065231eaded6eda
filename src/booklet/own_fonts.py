"""A collectivité's own PDF: each face reduced to the glyphs of its page, numbered anew.

WeasyPrint writes a part with placeholders instead of font programs for the
faces of the layout's and booklet's font folders (`render.Renderer.write_pdf`):
a booklet gets one subset per face when it is assembled (`font_merge`). A
collectivité's own PDF, read on its own, gets its own subsets here: the
source font reduced to the page's glyphs and numbered from 0 (HarfBuzz,
without retained ids: tens of kilobytes, where a subset keeping the source's
ids holds an empty slot for every glyph below the highest used), with the
glyph codes of its content streams, its widths and its Unicode map numbered
to match.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pikepdf

from .font_merge import (
    compact_subset,
    compressed,
    embed_program,
    parse_to_unicode,
    parse_widths,
    to_unicode_cmap,
    widths_array,
)

_TOKEN = re.compile(
    rb"(?P<dict><<(?:[^<>]|<[0-9a-fA-F]*>)*>>)"  # marked-content properties: left alone
    rb"|\((?:\\.|[^\\()])*\)"  # literal strings: left alone
    rb"|/(?P<font>[^\s/\[\]()<>{}%]+)\s+[-+\d.]+\s+Tf\b"  # the font in use from here on
    rb"|<(?P<codes>[0-9a-fA-F]*)>", re.S)  # glyph codes shown with that font


def give_own_fonts(pdf: pikepdf.Pdf, sources: dict[str, Path]) -> None:
    """Replace each placeholder font of `pdf` ({BaseFont: its source font file}) by a subset
    of its source holding the glyphs used, and renumber what refers to them."""
    tables: dict[tuple[int, int], dict[bytes, bytes]] = {}
    streams = list(_content_streams(pdf))
    for _, resources in streams:
        for font in _fonts(resources).values():
            face = str(font.get("/BaseFont", ""))
            if face in sources and font.objgen not in tables:
                tables[font.objgen] = _own_subset(pdf, font, sources[face])
    for stream, resources in streams:
        names = {str(name)[1:].encode(): tables[font.objgen]
                 for name, font in _fonts(resources).items() if font.objgen in tables}
        if names:
            stream.write(zlib.compress(renumber(stream.read_bytes(), names)),
                         filter=pikepdf.Name.FlateDecode)


def renumber(content: bytes, tables: dict[bytes, dict[bytes, bytes]]) -> bytes:
    """`content` with the glyph codes shown in each font of `tables` (by resource name:
    {old code: new code}, four hex digits) replaced."""
    table = None

    def replace(match: re.Match) -> bytes:
        nonlocal table
        if match["font"] is not None:
            table = tables.get(match["font"])
        elif match["codes"] is not None and table is not None:
            codes = match["codes"].lower()
            return b"<" + b"".join(table[codes[i:i + 4]] for i in range(0, len(codes), 4)) + b">"
        return match[0]

    return _TOKEN.sub(replace, content)


def _own_subset(pdf: pikepdf.Pdf, font: pikepdf.Dictionary, source: Path) -> dict[bytes, bytes]:
    """Give `font` its subset of `source`, widths and Unicode map; {old code: new code}."""
    descendant = font.DescendantFonts[0]
    widths = parse_widths(descendant.W)
    text = parse_to_unicode(font.ToUnicode.read_bytes())
    if text is None:
        raise ValueError(f"{font.BaseFont}: a Unicode map with ranges, which WeasyPrint never writes")
    glyphs = sorted({0} | set(widths) | set(text))
    number = {glyph: new for new, glyph in enumerate(glyphs)}
    embed_program(pdf, descendant.FontDescriptor, compact_subset(source, glyphs))
    descendant.W = widths_array({number[glyph]: width for glyph, width in widths.items()})
    font.ToUnicode = compressed(pdf, to_unicode_cmap(
        {number[glyph]: value for glyph, value in text.items()}))
    return {b"%04x" % glyph: b"%04x" % new for glyph, new in number.items()}


def _fonts(resources) -> dict:
    fonts = resources.get("/Font") if resources is not None else None
    return dict(fonts.items()) if fonts is not None else {}


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[tuple[pikepdf.Stream, pikepdf.Dictionary]]:
    """Every content stream of `pdf` (pages, the forms and patterns they use), with the
    resources its names refer to. A page's content in several streams is joined in one."""
    seen = set()

    def inner(resources) -> Iterator[tuple[pikepdf.Stream, pikepdf.Dictionary]]:
        for kind in ("/XObject", "/Pattern"):
            for item in (resources.get(kind, {}) if resources is not None else {}).values():
                if (isinstance(item, pikepdf.Stream) and item.objgen not in seen
                        and (kind == "/Pattern" or item.get("/Subtype") == "/Form")):
                    seen.add(item.objgen)
                    own = item.get("/Resources", resources)
                    yield item, own
                    yield from inner(own)

    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array):
            joined = b"\n".join(part.read_bytes() for part in contents)
            page.obj.Contents = contents = pikepdf.Stream(pdf, joined)
        if contents is not None:
            yield contents, page.obj.get("/Resources")
        yield from inner(page.obj.get("/Resources"))

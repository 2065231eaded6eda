"""One embedded subset per font face in a booklet assembled from separately written parts.

WeasyPrint subsets every font keeping the glyph ids of the source font
(HarfBuzz's RETAIN_GIDS), and names a face the same way in every PDF (its
resource name and BaseFont come from the font's description, not from the
glyphs used). So the content streams of all parts speak the same glyph ids,
and one subset of the source font holding the union of the glyphs used, with
the union of the widths (/W) and Unicode maps (/ToUnicode), serves every page.
The source font is the file of the layout or the bundled fonts whose
PostScript name the part's facts give (for a face WeasyPrint embedded as a
placeholder, `renderer.Renderer.write_pdf`) or the embedded subset carries; a
face whose source is not found (or whose parts use a non-identity encoding,
as with missing glyphs) keeps its per-part subsets: bigger, never wrong.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zlib
from functools import cache
from math import ceil
from pathlib import Path

import pikepdf

DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                  b"LTSH", b"PCLT", b"SVG ")
"""The tables WeasyPrint drops from the fonts it embeds (weasyprint/pdf/fonts.py)."""
FONT_SUFFIXES = {".otf", ".ttf"}
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


class FontMerger:
    """Gives each face of a booklet one font object holding the union of its parts' glyphs.

    Before a part's pages are copied, `detach` puts a placeholder (the face's name) where
    its resources name a face that can be merged, so its per-part fonts are never copied;
    `attach` puts the booklet's font there once the pages are copied; `merge` fills each
    booklet font with its subset, widths and Unicode map."""

    def __init__(self, pdf: pikepdf.Pdf, font_dirs: tuple[Path, ...]):
        self.pdf = pdf
        self.font_dirs = font_dirs
        self.fonts: dict[str, pikepdf.Dictionary] = {}
        self.sources: dict[str, Path | None] = {}
        self.widths: dict[str, dict[int, float]] = {}
        self.text: dict[str, dict[int, str]] = {}

    def detach(self, part: pikepdf.Pdf, facts: dict[str, dict]) -> None:
        """Replace the fonts of `part` that can be merged by placeholders, and note the
        glyphs they use (`facts`: the part's `part_finish.font_facts`)."""
        seen = set()
        for page in part.pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if resources is not None else None
            if fonts is None or fonts.objgen in seen:
                continue
            seen.add(fonts.objgen)
            for name, font in list(fonts.items()):
                face = str(font.get("/BaseFont", ""))
                if (face in facts and _mergeable(font)
                        and self._source(face, font, facts[face].get("source")) is not None):
                    if face not in self.fonts:
                        self.fonts[face] = self.pdf.copy_foreign(font)
                    self.widths.setdefault(face, {}).update(facts[face]["widths"])
                    _add_text(self.text.setdefault(face, {}), facts[face]["text"])
                    fonts[name] = pikepdf.Name(face)

    def attach(self, pages: list[pikepdf.Page]) -> None:
        """Put the booklet's fonts where copied pages have placeholders."""
        for page in pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if resources is not None else None
            for name, value in (fonts.items() if fonts is not None else []):
                if isinstance(value, pikepdf.Name) and str(value) in self.fonts:
                    fonts[name] = self.fonts[str(value)]

    def merge(self) -> None:
        """Give each booklet font the subset of its source with every glyph its parts use."""
        for face, font in self.fonts.items():
            widths, to_unicode = self.widths[face], self.text[face]
            descendant = font.DescendantFonts[0]
            embed_subset(self.pdf, descendant, self.sources[face],
                         sorted({0} | set(widths) | set(to_unicode)))
            descriptor = descendant.FontDescriptor
            bbox = [float(v) for v in descriptor.FontBBox]
            descriptor.FontBBox = pikepdf.Array([bbox[0], bbox[1],
                                                 max(widths.values(), default=0), bbox[3]])
            descendant.W = widths_array(widths)
            font.ToUnicode = compressed(self.pdf, to_unicode_cmap(to_unicode))

    def _source(self, face: str, font: pikepdf.Dictionary, name: str | None) -> Path | None:
        """The source font of `face`: the one named `name` (a placeholder's), else the one
        its embedded subset was made from."""
        if face not in self.sources:
            if name is None:
                descriptor = font.DescendantFonts[0].FontDescriptor
                program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
                name = postscript_name(program.read_bytes())
            self.sources[face] = font_files(self.font_dirs).get(name)
        return self.sources[face]


def embed_subset(pdf: pikepdf.Pdf, descendant: pikepdf.Dictionary, source: Path,
                 glyphs: list[int]) -> None:
    """Embed in the CID font `descendant` the subset of `source` holding `glyphs` (glyph ids,
    as the content streams, widths and Unicode map speak them): compact when the source
    allows it (`cid_subset`), else keeping the source's glyph ids."""
    descriptor = descendant.FontDescriptor
    program = cid_subset(source, glyphs) if "/FontFile3" in descriptor else None
    if program is not None:
        font_file = compressed(pdf, program)
        font_file.Subtype = pikepdf.Name.CIDFontType0C
        descriptor.FontFile3 = font_file
        if "/CIDToGIDMap" in descendant:  # defined for TrueType outlines only
            del descendant["/CIDToGIDMap"]
        return
    program = subset(source, glyphs)
    key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
    font_file = compressed(pdf, program)
    if key == "/FontFile3":
        font_file.Subtype = descriptor[key].Subtype
    else:
        font_file.Length1 = len(program)
    descriptor[key] = font_file


def compressed(pdf: pikepdf.Pdf, data: bytes, level: int = 6) -> pikepdf.Stream:
    """A stream of `pdf` holding `data`, Flate-compressed."""
    stream = pikepdf.Stream(pdf, zlib.compress(data, level))
    stream.Filter = pikepdf.Name.FlateDecode
    return stream


def _add_text(mapping: dict[int, str], more: dict[int, str]) -> None:
    """Add a part's Unicode map to a face's. A glyph drawn for several characters (the
    space glyph, for a space and a no-break space) maps to the first seen, unless another
    is the plain form of it (a space rather than a no-break space): text copied from the
    booklet then reads as typed."""
    for glyph, text in more.items():
        known = mapping.get(glyph)
        if known is None or (known != text and unicodedata.normalize("NFKC", known) == text):
            mapping[glyph] = text


def mergeable(subtype: str, encoding: str | None, cid_to_gid: str, has_program: bool) -> bool:
    """Whether a face can be merged (names as "/Type0"): a Type 0 font of two-byte identity
    codes whose glyph ids are its CIDs, with its font program embedded."""
    return (subtype == "/Type0" and encoding == "/Identity-H" and cid_to_gid == "/Identity"
            and has_program)


def _mergeable(font: pikepdf.Dictionary) -> bool:
    try:
        descendant = font.DescendantFonts[0]
        return mergeable(str(font.Subtype), str(font.get("/Encoding", "")),
                         str(descendant.get("/CIDToGIDMap", "/Identity")),
                         "/FontFile3" in descendant.FontDescriptor
                         or "/FontFile2" in descendant.FontDescriptor)
    except (AttributeError, KeyError, IndexError, TypeError):
        return False


def parse_widths(array) -> dict[int, float]:
    """A /W array ([first [w1 w2 …]] or [first last w], pikepdf's or pydyf's) as {glyph id:
    width}."""
    items, widths, i = list(array), {}, 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array | list):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = float(width)
            i += 2
        else:
            for glyph in range(first, int(items[i + 1]) + 1):
                widths[glyph] = float(items[i + 2])
            i += 3
    return widths


def widths_array(widths: dict[int, float]) -> pikepdf.Array:
    """{glyph id: width} as a /W array of runs of consecutive ids, as WeasyPrint writes it."""
    array, run = [], None
    for glyph in sorted(widths):
        if run is None or glyph - 1 not in widths:
            run = []
            array += [glyph, run]
        width = widths[glyph]
        run.append(int(width) if width == int(width) else width)
    return pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item
                          for item in array])


def parse_to_unicode(cmap: bytes) -> dict[int, str] | None:
    """The bfchar entries of a ToUnicode CMap; None for maps with ranges (not merged)."""
    if b"beginbfrange" in cmap:
        return None
    mapping = {}
    for block in _BFCHAR.findall(cmap):
        for glyph, text in _PAIR.findall(block):
            mapping[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    return mapping


def to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes it: bfchar blocks of at most 100 entries."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, ceil(len(items) / 100) * 100, 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{glyph:04x}> <{text.encode('utf-16-be').hex()}>".encode()
                  for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


@cache
def font_files(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """The font files of `dirs` by PostScript name (the first folder's file wins)."""
    files = {}
    for folder in reversed(dirs):
        for path in sorted(folder.glob("*"), reverse=True):
            if path.suffix.lower() in FONT_SUFFIXES:
                name = _file_postscript_name(path)
                if name is not None:
                    files[name] = path
    return files


@cache
def _file_postscript_name(path: Path) -> str | None:
    with path.open("rb") as file:
        return postscript_name(file)


def name_table_postscript_name(table: bytes) -> str | None:
    """The PostScript name in a font's name table."""
    from fontTools.ttLib import newTable

    try:
        names = newTable("name")
        names.decompile(table, None)
        return names.getDebugName(6)
    except (AssertionError, ValueError, IndexError, KeyError, struct.error):
        return None


def outline_font_head(path: Path) -> bytes | None:
    """The first four bytes of a font file with CFF or TrueType outlines and no bitmaps or
    variations (what WeasyPrint subsets plainly), else None."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with path.open("rb") as file:
            font = TTFont(file, lazy=True)
            tables = set(font.keys())
            file.seek(0)
            head = file.read(4)
    except (TTLibError, OSError, AssertionError, ValueError):
        return None
    plain = ({"CFF ", "glyf"} & tables and not {"EBDT", "CBDT", "sbix", "SVG ", "COLR", "fvar"}
             & tables)
    return head if plain else None


def postscript_name(program: bytes | io.BufferedIOBase) -> str | None:
    """The PostScript name of a font program (its bytes, or an open file)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        source = io.BytesIO(program) if isinstance(program, bytes) else program
        return TTFont(source, lazy=True)["name"].getDebugName(6)
    except (TTLibError, KeyError, AssertionError, ValueError, OSError):
        return None


@cache
def _face(path: Path):
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path)))


def subset(path: Path, glyphs: list[int]) -> bytes:
    """The font of `path` reduced to `glyphs`, glyph ids kept, as WeasyPrint subsets (HarfBuzz,
    same flags and dropped tables, empty glyphs after the last one used removed)."""
    import uharfbuzz as hb

    first = hb.SubsetInput()
    first.glyph_set.update(glyphs)
    first.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                   | hb.SubsetFlags.DESUBROUTINIZE)
    first.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(
        int.from_bytes(tag, "big") for tag in DROPPED_TABLES)
    reduced = hb.subset(_face(path), first)
    second = hb.SubsetInput()
    second.glyph_set.update(range(max(glyphs, default=0) + 1))
    second.flags = (hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
                    | hb.SubsetFlags.NO_HINTING)
    return hb.subset(reduced, second).blob.data


def cid_subset(path: Path, glyphs: list[int]) -> bytes | None:
    """The bare CFF of a compact subset of `path` holding `glyphs` (with 0, .notdef), each
    glyph keeping its source glyph id as CID, or None when the source is not a CID-keyed
    CFF font whose CIDs are its glyph ids (the bundled fonts are, `scripts/make_fonts.py`).

    Embedded as CIDFontType0C, the glyph codes of the content streams are CIDs that the
    charset maps to the subset's own glyphs: no code changes, and no empty slot for every
    glyph below the highest used (a tenth of the size for a CJK face)."""
    import uharfbuzz as hb
    from fontTools.cffLib import CFFFontSet

    wanted = hb.SubsetInput()
    wanted.glyph_set.update(glyphs)
    wanted.flags = (hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
                    | hb.SubsetFlags.NO_HINTING)  # as WeasyPrint's subsets
    wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG).update(
        int.from_bytes(tag, "big") for tag in DROPPED_TABLES)
    program = hb.subset(_face(path), wanted).reference_table("CFF ").data
    if not program:
        return None
    fonts = CFFFontSet()
    try:
        fonts.decompile(io.BytesIO(program), None)
        top = fonts.topDictIndex[0]
        keyed = hasattr(top, "ROS") and top.charset == [
            ".notdef", *(f"cid{glyph:05d}" for glyph in glyphs if glyph)]
    except (AssertionError, ValueError, IndexError, KeyError, struct.error):
        return None
    return program if keyed else None

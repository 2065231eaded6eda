"""Make the bundled fonts in fonts/ from Debian's fonts-noto-cjk package.

Takes the Japanese face of Noto Sans CJK and Noto Serif CJK (Regular and
Bold) and keeps what French and Japanese text needs: every non-Han character
the font has (Latin, punctuation, symbols, kana) and the kanji of JIS X 0208,
JIS X 0212, JIS X 0213 and Windows-31J. Hangul and the other kanji are
dropped. OpenType layout features are kept, so `locl`, `palt` and vertical
forms still work. The fonts are renamed ("... Booklet") so that a PDF shows
whether the bundled subset or a system font was used. Their CIDs are made
equal to their glyph ids, so that a PDF can embed a compact subset of a face
(glyphs numbered anew) that the page's glyph ids still reach through its
charset (`booklet.pdf.font_merge.cid_subset`).

Run as root on Debian:  apt-get install fonts-noto-cjk && python scripts/make_fonts.py
"""

import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
TARGET_DIR = Path(__file__).resolve().parent.parent / "fonts"
JAPANESE_FACE = 0  # index of the JP face in Debian's .ttc collections
SOURCES = {
    "NotoSansCJKjpBooklet-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK JP Booklet", "Regular"),
    "NotoSansCJKjpBooklet-Bold.otf": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK JP Booklet", "Bold"),
    "NotoSerifCJKjpBooklet-Regular.otf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK JP Booklet", "Regular"),
    "NotoSerifCJKjpBooklet-Bold.otf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK JP Booklet", "Bold"),
}
JAPANESE_CODECS = ("euc_jp", "iso2022_jp_1", "euc_jis_2004", "cp932")
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))


def in_ranges(code_point, ranges):
    return any(low <= code_point <= high for low, high in ranges)


def japanese_charset():
    """Code points encodable in JIS X 0208/0212/0213 or Windows-31J."""
    found = set()
    for code_point in range(0x80, 0x30000):
        if 0xD800 <= code_point < 0xE000:
            continue
        for codec in JAPANESE_CODECS:
            try:
                chr(code_point).encode(codec)
            except UnicodeEncodeError:
                continue
            found.add(code_point)
            break
    return found


def wanted(code_points, japanese):
    return {
        cp for cp in code_points
        if not in_ranges(cp, HANGUL_RANGES)
        and (not in_ranges(cp, HAN_RANGES) or cp in japanese)
    }


def rename(font, family, style):
    postscript = family.replace(" ", "").replace("CJKJP", "CJKjp") + "-" + style
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    full = f"{family} {style}" if style != "Regular" else family
    for name_id, value in ((1, family), (2, style), (3, f"booklet;{postscript}"),
                           (4, full), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    font["CFF "].cff.fontNames = [postscript]


def cids_as_glyph_ids(path):
    """Give each glyph of the CID-keyed font at `path` its glyph id as CID. Only the CFF
    table changes: the other tables refer to glyphs by id and are copied as they are."""
    font = TTFont(io.BytesIO(path.read_bytes()))  # read whole: the file is written over
    font.recalcTimestamp = False
    top = font["CFF "].cff.topDictIndex[0]
    names = [".notdef"] + [f"cid{glyph:05d}" for glyph in range(1, len(top.charset))]
    strings = top.CharStrings.charStrings
    top.CharStrings.charStrings = {new: strings[old] for old, new in
                                   zip(top.charset, names, strict=True)}
    top.charset = names
    font.setGlyphOrder(names)
    font.save(path)


def make(target, source, family, style, japanese):
    font = TTFont(SOURCE_DIR / source, fontNumber=JAPANESE_FACE)
    keep = wanted(font.getBestCmap().keys(), japanese)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_bounds = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    rename(font, family, style)
    font.save(TARGET_DIR / target)
    cids_as_glyph_ids(TARGET_DIR / target)
    print(f"{target}: {len(keep)} characters, {(TARGET_DIR / target).stat().st_size // 1024} KiB")


def main():
    if not SOURCE_DIR.is_dir():
        sys.exit(f"{SOURCE_DIR} not found: run `apt-get install fonts-noto-cjk` first")
    japanese = japanese_charset()
    for target, (source, family, style) in SOURCES.items():
        make(target, source, family, style, japanese)


if __name__ == "__main__":
    main()

"""Fonts of booklet's font folders written as 4-byte placeholders while WeasyPrint writes a part.

WeasyPrint 70 subsets every face it embeds (`pdf.fonts.Font.clean`) and copies the
whole font file into memory first (`text.fonts.get_hb_object_data`): 16 MB for each
CJK face, a fifth of the time a page took. A part's faces are subset once for the
whole booklet when it is assembled (`pdf.font_merge`), or for a collectivité's own
PDF (`pdf.own_fonts`), so while a part is written those faces get a placeholder:
the first four bytes of the font file (the kind of its outlines). A face that needs
what a placeholder cannot give (no Unicode map, a missing glyph, forms, bitmap or
colour glyphs, variations) is subset by WeasyPrint as usual.
"""

from __future__ import annotations

from contextlib import contextmanager

from booklet.pdf.font_merge import font_files, name_table_postscript_name, outline_font_head


class PlaceholderFonts:
    """The faces of `font_dirs` that can get a placeholder, and the context in which they do."""

    def __init__(self, font_dirs):
        self.heads = {name: head for name, path in font_files(font_dirs).items()
                      if (head := outline_font_head(path)) is not None}
        """The first four bytes of each font file that can get a placeholder, by PostScript name."""
        self.names: dict[bytes, str | None] = {}
        """PostScript names by name table."""

    @contextmanager
    def while_writing(self):
        """While WeasyPrint writes a PDF: the faces of the font folders that WeasyPrint would
        subset are embedded as placeholders, and their files are not copied into memory for
        it; yields {BaseFont: source PostScript name}."""
        from weasyprint.pdf import fonts

        placeholders: dict[str, str] = {}
        subset, whole_file = fonts.Font.clean, fonts.get_hb_object_data

        def font_file(hb_object, *args, **kwargs):
            name = None if args or kwargs else self.face_name(hb_object)
            return self.heads[name] if name in self.heads else whole_file(
                hb_object, *args, **kwargs)

        def clean(font, to_unicode, hinting):
            name = self.face_name(font.hb_face)
            if (name not in self.heads or not to_unicode or font.missing
                    or font.used_in_forms or font.png or font.svg or font.colr
                    or "fvar" in font.tables):
                if name in self.heads:
                    font.file_content = whole_file(font.hb_face)
                return subset(font, to_unicode, hinting)
            placeholders[font.name.decode()] = name

        fonts.Font.clean, fonts.get_hb_object_data = clean, font_file
        try:
            yield placeholders
        finally:
            fonts.Font.clean, fonts.get_hb_object_data = subset, whole_file

    def face_name(self, hb_face) -> str | None:
        """The PostScript name of a HarfBuzz face, from its name table."""
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"name", -1))
        try:
            with ffi.new("unsigned int *") as length:
                data = harfbuzz.hb_blob_get_data(blob, length)
                table = b"" if data == ffi.NULL else ffi.unpack(data, int(length[0]))
        finally:
            harfbuzz.hb_blob_destroy(blob)
        if table not in self.names:
            self.names[table] = name_table_postscript_name(table)
        return self.names[table]

"""A collectivité's own PDF: each face reduced to the glyphs of its page.

WeasyPrint writes a part with placeholders instead of font programs for the
faces of the layout's and booklet's font folders (`renderer.Renderer.write_pdf`):
a booklet gets one subset per face when it is assembled (`font_merge`). A
collectivité's own PDF, read on its own, gets its own subsets here, made the
same way (`font_merge.embed_subset`): for the bundled fonts, a compact CFF
that the page's glyph codes reach through its charset, so nothing else in the
PDF changes.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from booklet.pdf.font_merge import embed_subset, parse_to_unicode, parse_widths


def give_own_fonts(pdf: pikepdf.Pdf, sources: dict[str, Path]) -> None:
    """Give each placeholder font of `pdf` ({BaseFont: its source font file}), wherever it
    is used, a subset of its source holding the glyphs its widths and Unicode map name."""
    for font in [item for item in pdf.objects if isinstance(item, pikepdf.Dictionary)
                 and item.get("/Subtype") == "/Type0"
                 and str(item.get("/BaseFont", "")) in sources]:
        descendant = font.DescendantFonts[0]
        glyphs = set(parse_widths(descendant.W))
        glyphs |= set(parse_to_unicode(font.ToUnicode.read_bytes()) or {})
        embed_subset(pdf, descendant, sources[str(font.BaseFont)], sorted({0} | glyphs))

"""How booklet's PDFs are compressed when pikepdf (qpdf) writes them."""

from __future__ import annotations

import pikepdf

FLATE_LEVEL = 9
"""zlib's level for the streams qpdf compresses (parts' streams, object streams): its
highest, 35 bytes a booklet page less than its default, for no time a build shows."""


def set_for_writing() -> None:
    """Set qpdf's compression level (a setting of the whole process) before a PDF is saved."""
    pikepdf.settings.set_flate_compression_level(FLATE_LEVEL)

"""pydyf's private `_to_bytes`, read to know how it will write a value (`pdf.pydyf_objects`):
a part's text is compacted, and a link's rectangle noted, exactly as the PDF holds them.
Without it, the text is left as WeasyPrint wrote it."""

from __future__ import annotations


def install() -> bool:
    import pydyf

    from booklet.pdf import pydyf_objects

    pydyf_objects.to_bytes = pydyf._to_bytes
    return True

"""A PDF/X's XMP DocumentID derived from what the part is, where WeasyPrint 70 draws a
random one (`uuid4` in `pdf.metadata.DocumentMetadata.generate_rdf_metadata`): the same
part, and the print booklet made of it, are then the same bytes at every build."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager


@contextmanager
def derived_from(identity: str):
    """While WeasyPrint writes a PDF: its XMP DocumentID derived from `identity`."""
    from weasyprint.pdf import metadata

    random = metadata.uuid4
    derived = uuid.UUID(bytes=hashlib.sha256(identity.encode()).digest()[:16], version=4)
    metadata.uuid4 = lambda: derived
    try:
        yield
    finally:
        metadata.uuid4 = random

"""PDF questionnaires, read with pypdf: fillable forms (AcroForm fields) and PDFs with text.

A field's tooltip, else its name, is its label; its value the answer. A PDF
without fields is read through its text layer, line by line, as a text form.
A PDF with neither (a scan) cannot be read without OCR: the message says so.
"""

from __future__ import annotations

import logging
from pathlib import Path

from booklet.importing.blocks import Block, FormError, text_blocks

MAX_PAGES = 50


def pdf_blocks(path: Path) -> list[Block]:
    """The blocks of a PDF form: its filled fields, else its text, line by line. What pypdf
    logs of a damaged file is not shown (the message says the PDF cannot be read)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return _pdf_blocks(path)
    finally:
        logger.setLevel(level)


def _pdf_blocks(path: Path) -> list[Block]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FormError("this PDF is protected by a password: ask for an unprotected copy")
        if len(reader.pages) > MAX_PAGES:
            raise FormError(f"this PDF has {len(reader.pages)} pages, far more than a "
                            f"questionnaire: check that it is the right file")
        fields = _field_blocks(reader)
        if fields:
            return fields
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except FormError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, NotImplementedError) as error:
        raise FormError(f"this PDF cannot be read: it may be damaged ({type(error).__name__})"
                        ) from None
    if not text.strip():
        raise FormError("this PDF has no text, only images (a scan?): ask for the Word or PDF "
                        "form as filled in on a computer, or type the answers into the text form")
    return text_blocks(text)


def _field_blocks(reader) -> list[Block]:
    blocks = []
    for number, (name, field) in enumerate((reader.get_fields() or {}).items(), start=1):
        value = field.get("/V")
        if field.get("/FT") != "/Tx" or value is None or not str(value).strip():
            continue
        label = str(field.get("/TU") or name).strip()
        blocks.append(Block("row", cells=(label, str(value).replace("\r", "\n").strip()),
                            where=f"field {number} ({name})"))
    return blocks

"""Which reader reads a questionnaire file, and the limits every file must keep.

Word (.docx) and LibreOffice (.odt) documents, text forms, PDF forms give one
questionnaire each; a spreadsheet (.xlsx, .csv) one per row of answers. An
old Word file (.doc) is converted with LibreOffice when it is installed.
Whatever cannot be read gives a FormError that says, for a person, what to do.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from booklet.importing.blocks import (
    MAX_FORM_BYTES,
    FormError,
    Questionnaire,
    docx_blocks,
    odt_blocks,
    text_blocks,
)
from booklet.importing.pdf_forms import pdf_blocks
from booklet.importing.spreadsheets import csv_questionnaires, xlsx_questionnaires

SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".docx", ".odt", ".xlsx", ".csv", ".pdf",
            ".doc"}
"""The files `booklet import DIR` takes from a folder."""
CONVERT_SECONDS = 120


def read_questionnaires(path: Path) -> list[Questionnaire]:
    """The questionnaires in a file; FormError when it cannot be read as any."""
    try:
        size = path.stat().st_size
        if size > MAX_FORM_BYTES:
            raise FormError(f"the file is {size / 1e6:.0f} MB, far more than a questionnaire: "
                            f"check that it is the right file (photos are not imported)")
        with path.open("rb") as file:
            head = file.read(8)
    except OSError as error:
        raise FormError(f"cannot read the file: {error.strerror}") from None
    if size == 0 or (size < 100_000 and not path.read_bytes().strip()):
        raise FormError("the file is empty")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return xlsx_questionnaires(path)
    if suffix == ".csv":
        return csv_questionnaires(path.read_bytes())
    if suffix == ".odt":
        return [Questionnaire(odt_blocks(path))]
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        return [Questionnaire(pdf_blocks(path))]
    if suffix == ".doc" or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _converted_doc(path)
    if suffix == ".docx" or head.startswith(b"PK\x03\x04"):
        return [Questionnaire(docx_blocks(path))]
    return [Questionnaire(text_blocks(_text(path.read_bytes())))]


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError("the file is neither a document booklet reads (.docx, .odt, .xlsx, .csv, "
                        ".pdf) nor UTF-8 text: save it as .docx, or as text in UTF-8") from None
    if "\x00" in text:
        raise FormError("the file is not text (it holds binary data): import the .docx instead")
    return text


def _converted_doc(path: Path) -> list[Questionnaire]:
    """An old Word file, converted to .docx by LibreOffice (`soffice`) when it is installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise FormError("this is an old Word file (.doc): open it in Word or LibreOffice and save "
                        "it as .docx (with LibreOffice installed, booklet converts it itself)")
    with tempfile.TemporaryDirectory(prefix="booklet-doc-") as folder:
        try:
            subprocess.run([office, "--headless", "--convert-to", "docx", "--outdir", folder,
                            str(path)], check=True, capture_output=True, timeout=CONVERT_SECONDS,
                           env={"HOME": folder, "PATH": "/usr/bin:/bin"})
        except (subprocess.SubprocessError, OSError):
            raise FormError("this old Word file (.doc) could not be converted by LibreOffice: "
                            "open it in Word or LibreOffice and save it as .docx") from None
        converted = Path(folder) / f"{path.stem}.docx"
        if not converted.exists():
            raise FormError("LibreOffice did not convert this old Word file (.doc): open it "
                            "and save it as .docx")
        return [Questionnaire(docx_blocks(converted),
                              notes=["converted from .doc to .docx with LibreOffice: check the "
                                     "text against the original"])]

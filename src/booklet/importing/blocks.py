"""Questionnaires as a list of blocks: headings, label/value rows and paragraphs.

Both kinds of input come down to the same blocks: the text form (pasted from
an e-mail, with tab-separated label/value lines and HTML fragments such as
<h2> and <p>) and the Word form (.docx, read with python-docx, tables
included). The form reader (`form.py`) then only deals with blocks.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path


class FormError(ValueError):
    """The file cannot be read as a questionnaire; the message says why, for a person."""


@dataclass(frozen=True)
class Block:
    """One piece of a form: a heading, a row of cells (label and value), or a paragraph."""

    kind: str  # "heading" | "row" | "paragraph"
    text: str = ""
    cells: tuple[str, ...] = ()
    where: str = ""  # "line 12" in a text form, "paragraph 5" or "table row 3" in a Word form


MAX_FORM_BYTES = 20_000_000
MAX_UNPACKED_BYTES = 200_000_000  # a zip bomb disguised as .docx stops here
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "table", "ul", "ol"}
_HEADING_TAGS = {"h1", "h2", "h3", "h4"}


class _Fragments(HTMLParser):
    """Splits one line of the text form at its HTML tags: headings and paragraphs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = [("paragraph", "")]

    def handle_starttag(self, tag, attrs):
        if tag in _HEADING_TAGS:
            self.parts.append(("heading", ""))
        elif tag in ("strong", "b"):
            self._add("**")
        elif tag in ("em", "i"):
            self._add("*")
        elif tag in _BLOCK_TAGS:
            self.parts.append(("paragraph", ""))

    def handle_endtag(self, tag):
        if tag in ("strong", "b"):
            self._add("**")
        elif tag in ("em", "i"):
            self._add("*")
        elif tag in _HEADING_TAGS or tag in _BLOCK_TAGS:
            self.parts.append(("paragraph", ""))

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append(("paragraph", ""))

    def handle_data(self, data):
        self._add(data)

    def _add(self, text):
        kind, current = self.parts[-1]
        self.parts[-1] = (kind, current + text)


def _clean(text: str) -> str:
    return re.sub(r"[ \u00a0\u3000]+", lambda m: "\u3000" if m[0] == "\u3000" else " ",
                  text.replace("\t", " ")).strip()


def text_blocks(text: str) -> list[Block]:
    """The blocks of a text form. A line with tabs is a row; HTML tags split paragraphs."""
    blocks = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" in line.strip() and "<" not in line.split("\t", 1)[0]:
            cells = tuple(_clean(cell) for cell in line.split("\t"))
            blocks.append(Block("row", cells=tuple(c for c in cells if c) or ("",),
                                where=f"line {number}"))
            continue
        parser = _Fragments()
        parser.feed(line)
        parser.close()
        for kind, part in parser.parts:
            if _clean(part):
                blocks.append(Block(kind, _clean(part), where=f"line {number}"))
    return blocks


def docx_blocks(path: Path) -> list[Block]:
    """The blocks of a Word form: paragraphs (bold and italic kept as Markdown), headings and
    table rows, in document order."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError) as error:
        raise FormError("this is not a Word document that can be read (.docx): it may be damaged, "
                        f"or an old .doc file; open it in Word and save it as .docx ({error})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FormError(f"this Word file unpacks to {unpacked / 1e6:.0f} MB, far more than a "
                        f"questionnaire: it cannot be imported")
    try:
        return _word_blocks(docx.Document(str(path)), Paragraph, Table)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError,
            RuntimeError, AttributeError, TypeError) as error:  # whatever python-docx meets
        raise FormError("this is not a Word document that can be read (.docx): it may be damaged, "
                        f"protected, or an old .doc file; open it in Word and save it as .docx "
                        f"({type(error).__name__}: {error})") from None


def _word_blocks(document, Paragraph, Table) -> list[Block]:  # noqa: N803 (python-docx classes)
    blocks = []
    for number, item in enumerate(document.iter_inner_content(), start=1):
        if isinstance(item, Paragraph):
            text = _clean(_runs_as_markdown(item))
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            kind = "heading" if re.match(r"(Heading|Titre|見出し)\s*[1-4]", style) or style == "Title" \
                else "paragraph"
            if style.startswith(("List", "Liste", "箇条書き")) and not re.match(r"[-•・]", text):
                text = f"- {text}"  # a Word bullet list as the fiche's Markdown list
            blocks.append(Block(kind, text, where=f"paragraph {number}"))
        elif isinstance(item, Table):
            for row_number, row in enumerate(item.rows, start=1):
                cells = []
                for cell in row.cells:
                    text = _clean(" ".join(_runs_as_markdown(p) for p in cell.paragraphs))
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                if cells:
                    blocks.append(Block("row", cells=tuple(cells),
                                        where=f"table row {row_number}"))
    return blocks


def _runs_as_markdown(paragraph) -> str:
    parts = []
    for run in paragraph.runs:
        text = run.text
        if not text.strip():
            parts.append(text)
            continue
        if run.bold:
            text = f"**{text.strip()}**" + (" " if text.endswith(" ") else "")
        elif run.italic:
            text = f"*{text.strip()}*" + (" " if text.endswith(" ") else "")
        parts.append(text)
    return re.sub(r"\*\*\s*\*\*", "", "".join(parts))  # bold runs split by Word


def read_blocks(path: Path) -> list[Block]:
    """The blocks of a questionnaire file (.docx, or text in UTF-8)."""
    try:
        size = path.stat().st_size
        if size > MAX_FORM_BYTES:
            raise FormError(f"the file is {size / 1e6:.0f} MB, far more than a questionnaire: "
                            f"check that it is the right file (photos are not imported)")
        raw = path.read_bytes()
    except OSError as error:
        raise FormError(f"cannot read the file: {error.strerror}") from None
    if not raw.strip():
        raise FormError("the file is empty")
    if path.suffix.lower() == ".docx" or raw.startswith(b"PK\x03\x04"):
        return docx_blocks(path)
    if path.suffix.lower() == ".doc" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormError("this is an old Word file (.doc): open it in Word and save it as .docx")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormError("the file is neither a .docx Word document nor UTF-8 text: save it as "
                        ".docx, or as text in UTF-8") from None
    if "\x00" in text:
        raise FormError("the file is not text (it holds binary data): import the .docx instead")
    return text_blocks(text)

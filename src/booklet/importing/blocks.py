"""Questionnaires as a list of blocks: headings, label/value rows and paragraphs.

Every kind of input comes down to the same blocks: the text form (pasted from
an e-mail, with tab-separated label/value lines and HTML fragments such as
<h2> and <p>), word-processor forms (.docx read with python-docx, .odt with
odfpy, tables included), and what `spreadsheets.py` and `pdf_forms.py` read.
The form reader (`form.py`) then only deals with blocks. `readers.py` picks
the reader for a file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
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


@dataclass
class Questionnaire:
    """The blocks of one questionnaire, and where it is in its file ("" for a whole file,
    "row 3" in a spreadsheet); notes for the import report."""

    blocks: list[Block]
    label: str = ""
    notes: list[str] = field(default_factory=list)


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


def check_archive(path: Path, kind: str) -> None:
    """FormError unless `path` is a zip archive (.docx, .odt, .xlsx) of a sane unpacked size;
    `kind`: what it should be, for the message ("Word document")."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError) as error:
        raise FormError(f"this is not a {kind} that can be read ({path.suffix.lower()}): it may "
                        f"be damaged, or saved in an older format; open it and save it again "
                        f"({error})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FormError(f"this file unpacks to {unpacked / 1e6:.0f} MB, far more than a "
                        f"questionnaire: it cannot be imported")


def docx_blocks(path: Path) -> list[Block]:
    """The blocks of a Word form: paragraphs (bold and italic kept as Markdown), headings and
    table rows, in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_archive(path, "Word document")
    try:
        return _word_blocks(docx.Document(str(path)), Paragraph, Table)
    except Exception as error:  # noqa: BLE001 (python-docx, zipfile and zlib raise whatever they meet)
        raise FormError("this is not a Word document that can be read (.docx): it may be damaged, "
                        f"protected, or an old .doc file; open it in Word and save it as .docx "
                        f"({type(error).__name__}: {error})") from None


def _word_blocks(document, Paragraph, Table) -> list[Block]:  # noqa: N803 (python-docx classes)
    blocks = []
    for number, item in enumerate(document.iter_inner_content(), start=1):
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            block = paragraph_block(_runs_as_markdown(item), f"paragraph {number}", style)
            if block is not None:
                blocks.append(block)
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


def paragraph_block(text: str, where: str, style: str = "") -> Block | None:
    """A paragraph of a word-processor form as a block: a row when tabs separate a label from
    its value, a heading in a heading style, a list item in a list style."""
    if "\t" in text.strip():
        cells = tuple(cell for cell in (_clean(part) for part in text.split("\t")) if cell)
        return Block("row", cells=cells, where=where) if cells else None
    text = _clean(text)
    if not text:
        return None
    heading = re.match(r"(Heading|Titre|見出し)\s*[1-4]", style) or style == "Title"
    if style.startswith(("List", "Liste", "箇条書き")) and not re.match(r"[-•・]", text):
        text = f"- {text}"  # a bullet list as the fiche's Markdown list
    return Block("heading" if heading else "paragraph", text, where=where)


def odt_blocks(path: Path) -> list[Block]:
    """The blocks of an OpenDocument text form (.odt, LibreOffice), read with odfpy: paragraphs
    (bold kept as Markdown), headings, list items and table rows, in document order."""
    from odf.opendocument import load

    check_archive(path, "LibreOffice document")
    try:
        document = load(str(path))
        bold = _odt_bold_styles(document)
        blocks: list[Block] = []
        for number, node in enumerate(document.text.childNodes, start=1):
            _odt_node_blocks(node, f"paragraph {number}", bold, blocks)
    except Exception as error:  # noqa: BLE001 (odfpy raises whatever its XML parser meets)
        raise FormError("this is not a LibreOffice text document that can be read (.odt): it "
                        f"may be damaged; open it and save it again ({type(error).__name__})"
                        ) from None
    return blocks


def _odt_node_blocks(node, where: str, bold: set[str], blocks: list[Block]) -> None:
    kind = node.qname[1] if node.nodeType == node.ELEMENT_NODE else ""
    if kind in ("p", "h"):
        block = paragraph_block(_odt_text(node, bold), where, "Heading 1" if kind == "h" else "")
        if block is not None:
            blocks.append(block)
    elif kind == "list":
        for item in _odt_descendants(node, "p"):
            block = paragraph_block(_odt_text(item, bold), where, "List")
            if block is not None:
                blocks.append(block)
    elif kind == "table":
        for row_number, row in enumerate(_odt_descendants(node, "table-row"), start=1):
            cells = []
            for cell in (child for child in row.childNodes if child.qname[1] == "table-cell"):
                text = _clean(" ".join(_odt_text(p, bold) for p in _odt_descendants(cell, "p")))
                if text and (not cells or cells[-1] != text):
                    cells.append(text)
            if cells:
                blocks.append(Block("row", cells=tuple(cells), where=f"table row {row_number}"))
    elif kind == "section":
        for child in node.childNodes:
            _odt_node_blocks(child, where, bold, blocks)


def _odt_descendants(node, name: str) -> list:
    found = []
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            if child.qname[1] == name:
                found.append(child)
            else:
                found += _odt_descendants(child, name)
    return found


def _odt_text(node, bold: set[str]) -> str:
    """A paragraph's text: tabs kept (label/value rows), bold spans as **Markdown**."""
    parts = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            parts.append(str(child.data))
            continue
        name = child.qname[1]
        if name == "tab":
            parts.append("\t")
        elif name == "s":
            parts.append(" " * int(child.getAttribute("c") or 1))
        elif name == "line-break":
            parts.append(" ")
        elif name in ("span", "a"):
            text = _odt_text(child, bold)
            style = child.getAttribute("stylename") if name == "span" else None
            parts.append(f"**{text.strip()}** " if style in bold and text.strip() else text)
    return "".join(parts)


def _odt_bold_styles(document) -> set[str]:
    from odf.style import Style, TextProperties

    names = set()
    for style in document.automaticstyles.getElementsByType(Style):
        for properties in style.getElementsByType(TextProperties):
            if (properties.getAttribute("fontweight") or "") in ("bold", "700", "800", "900"):
                names.add(style.getAttribute("name"))
    return names


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

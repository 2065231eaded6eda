"""Spreadsheets of answers (.xlsx with openpyxl, .csv): one questionnaire per collectivité.

An online form (Google Forms, Microsoft Forms) exports one row per answer
under a header row of its questions, with a timestamp and the respondent's
e-mail in columns of their own: those two are left out. Each other cell
becomes a label/value row of blocks, which the form reader maps like the
header table of a Word form (`form.py` also maps a question as a label). A
sheet filled in the other way round (labels down the first column, values
beside them) is one questionnaire.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from booklet.importing.blocks import Block, FormError, Questionnaire, check_archive
from booklet.importing.form import comparable, is_form_label

IGNORED_COLUMNS = {comparable(label) for label in (
    "Horodateur", "Horodatage", "Timestamp", "Date de soumission", "Heure de début",
    "Heure de fin", "Start time", "Completion time", "タイムスタンプ", "Adresse e-mail",
    "Adresse électronique", "Adresse de messagerie", "Email Address", "Email", "メールアドレス")}
"""What an online form adds to the answers: when and by whom (not the collectivité's contact)."""
MAX_CELLS = 200_000


def xlsx_questionnaires(path: Path) -> list[Questionnaire]:
    """The questionnaires of the first sheet of an Excel workbook that holds any."""
    check_archive(path, "spreadsheet")
    try:
        sheets = _xlsx_rows(path)
    except FormError:
        raise
    except Exception as error:  # noqa: BLE001 (openpyxl raises whatever its parsers meet)
        raise FormError("this is not an Excel workbook that can be read (.xlsx): it may be "
                        f"damaged; open it and save it again ({type(error).__name__})") from None
    for rows in sheets:
        found = table_questionnaires(rows)
        if found:
            return found
    raise FormError("the workbook holds no questionnaire: no sheet has the form's labels "
                    "(Région, Population… / 都道府県, 人口…) or questions in its first row or column")


def _xlsx_rows(path: Path) -> list[list[list[str]]]:
    """The cells of each sheet, as text."""
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets, cells = [], 0
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                cells += len(row)
                if cells > MAX_CELLS:
                    raise FormError("this workbook has far more cells than a table of answers: "
                                    "check that it is the right file")
                rows.append([_cell_text(value) for value in row])
            sheets.append(rows)
        return sheets
    finally:
        workbook.close()


def csv_questionnaires(raw: bytes) -> list[Questionnaire]:
    """The questionnaires of a CSV file: UTF-8 (with or without BOM), or the encoding a French
    or Japanese Excel writes (cp1252, Shift_JIS); `;`, `,` or tab between cells."""
    text = _decoded(raw)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        first = sample.split("\n", 1)[0]

        class dialect(csv.excel):  # noqa: N801
            delimiter = max(";,\t", key=first.count)
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as error:
        raise FormError(f"this CSV file cannot be read: {error}") from None
    if sum(len(row) for row in rows) > MAX_CELLS:
        raise FormError("this CSV file has far more cells than a table of answers: check that "
                        "it is the right file")
    found = table_questionnaires([[cell.strip() for cell in row] for row in rows])
    if not found:
        raise FormError("this CSV file holds no questionnaire: its first row has none of the "
                        "form's labels (Région, Population… / 都道府県, 人口…) or questions")
    return found


def table_questionnaires(rows: list[list[str]]) -> list[Questionnaire]:
    """One questionnaire per row under a header row of labels, or one for a sheet with its
    labels down the first column; none when neither has the form's labels."""
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    header_index = next((i for i, row in enumerate(rows[:10]) if _labels(row) >= 2), None)
    down = sum(1 for row in rows if row and is_form_label(row[0]))
    if header_index is None and down < 2:
        return []
    if header_index is None or down > _labels(rows[header_index]):
        blocks = [Block("row", cells=tuple(cell for cell in row if cell), where=f"row {number}")
                  for number, row in enumerate(rows, start=1) if len(row) > 1 and row[0]]
        return [Questionnaire(blocks)]
    header = rows[header_index]
    questionnaires = []
    for number, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        blocks = []
        for column, (label, value) in enumerate(zip(header, row, strict=False)):
            if value and comparable(label) not in IGNORED_COLUMNS:
                blocks.append(Block("row", cells=(label or f"column {column + 1}", value),
                                    where=f"row {number}, column {_column_name(column)}"))
        if blocks:
            questionnaires.append(Questionnaire(blocks, f"row {number}"))
    return questionnaires


def _labels(row: list[str]) -> int:
    return sum(1 for cell in row if cell and is_form_label(cell))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _decoded(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1252", "cp932", "shift_jis", "euc_jp", "latin_1"]).best()
    if best is None:
        raise FormError("this CSV file is in an encoding I cannot recognise: save it again as "
                        "CSV UTF-8 (Excel: File › Save As › CSV UTF-8)")
    return re.sub("\r\n?", "\n", str(best))

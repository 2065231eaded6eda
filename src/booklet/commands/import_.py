"""`booklet import`: questionnaires as returned by collectivités, to fiche YAML.

Each questionnaire (a document, or a row of a spreadsheet of answers) gives
one `fiches/<id>.yaml`, written atomically and never over an existing fiche
without --force. A folder stands for the questionnaires in it. The report
says, per questionnaire, what was recognised, what needs a human look, and
whether the fiche passes the checks of `booklet check` (the layout aside);
a summary table ends it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from booklet.atomic import write_text
from booklet.errors import Finding, display_path, sort_findings
from booklet.importing.blocks import FormError
from booklet.importing.fiche import FIELDS, to_fiche, to_yaml
from booklet.importing.form import read_form
from booklet.importing.readers import SUFFIXES, read_questionnaires
from booklet.project.loading import load_fiche
from booklet.project.preflight import fiche_findings


@dataclass
class ImportReport:
    """What importing one questionnaire (or a file that holds none) did."""

    source: Path
    part: str = ""
    """Where the questionnaire is in its file ("row 3" in a spreadsheet)."""
    name: str = ""
    lang: str = "fr"
    target: Path | None = None
    error: str | None = None
    recognised: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def where(self) -> str:
        return display_path(self.source) + (f" ({self.part})" if self.part else "")

    def lines(self) -> list[str]:
        if self.error:
            return [f"{self.where}: error: {self.error}"]
        lines = [f"{self.where} → {display_path(self.target)}",
                 f"  recognised: {', '.join(self.recognised) or 'nothing'}"]
        lines += [f"  to check: {note}" for note in self.to_check]
        lines += [f"  not mapped (kept as a comment): {item}" for item in self.unmapped]
        if self.passes is False:
            lines.append("  does not pass booklet check yet:")
        elif self.findings:
            lines.append("  passes booklet check, with remarks:")
        else:
            lines.append("  passes booklet check")
        lines += [f"    {finding}" for finding in sort_findings(self.findings)
                  if finding.severity != "info"]
        return lines

    @property
    def passes(self) -> bool | None:
        return None if self.error else not any(f.is_error for f in self.findings)


def questionnaire_files(sources: list[Path]) -> list[Path]:
    """The files named, and in each folder named the questionnaires it holds (by name)."""
    files = []
    for source in sources:
        if source.is_dir():
            files += sorted(path for path in source.iterdir() if path.is_file()
                            and path.suffix.lower() in SUFFIXES and not path.name.startswith((".", "~$")))
        else:
            files.append(source)
    return files


def import_files(sources: list[Path], to: Path, force: bool = False) -> list[ImportReport]:
    """Import every questionnaire of `sources` (files and folders) into the folder `to`; one
    report per questionnaire, in order."""
    reports, taken = [], set()
    files = questionnaire_files(sources)
    if not files:
        return [ImportReport(source, error="no questionnaire here (.docx, .odt, .txt, .pdf, "
                                           ".xlsx, .csv)") for source in sources]
    for source in files:
        try:
            questionnaires = read_questionnaires(source)
        except FormError as error:
            reports.append(ImportReport(source, error=str(error)))
            continue
        for questionnaire in questionnaires:
            report = ImportReport(source, questionnaire.label)
            reports.append(report)
            _import(questionnaire, report, to, force, taken)
    return reports


def _import(questionnaire, report: ImportReport, to: Path, force: bool, taken: set[str]) -> None:
    source = report.source
    fallback = source.stem + (f"-{questionnaire.label.replace(' ', '-')}"
                              if questionnaire.label else "")
    try:
        imported = to_fiche(read_form(questionnaire.blocks), fallback)
    except FormError as error:
        report.error = str(error)
        return
    report.name, report.lang = imported.name, imported.data["lang"]
    target = to / f"{imported.id}.yaml"
    if imported.id in taken:
        report.error = (f"another questionnaire of this import is also the fiche "
                        f"'{imported.id}': import them one at a time, or rename one of the "
                        f"collectivités")
        return
    if (target.exists() or target.with_suffix(".yml").exists()) and not force:
        report.error = (f"{display_path(target)} already exists: nothing was written; "
                        f"use --force to replace it")
        return
    try:
        write_text(target, to_yaml(imported, source.name + (
            f", {questionnaire.label}" if questionnaire.label else "")))
    except OSError as error:
        report.error = f"cannot write {display_path(target)}: {error.strerror}"
        return
    taken.add(imported.id)
    entry, findings = load_fiche(target)
    report.target, report.recognised = target, imported.recognised
    report.to_check = questionnaire.notes + imported.to_check
    report.unmapped = imported.unmapped
    report.findings = findings + (fiche_findings(entry) if entry else [])


def summary(reports: list[ImportReport]) -> list[str]:
    """A table of the import: per questionnaire, its source, the collectivité, how many of the
    fields were found and which are missing, and whether the fiche passes `booklet check`."""
    if len(reports) < 2:
        return []
    rows = [("source", "collectivité", "found", "missing", "booklet check")]
    for report in reports:
        wanted = [name for name in FIELDS if report.lang == "fr" or name != "department"]
        missing = [name for name in wanted if name not in report.recognised]
        rows.append((report.where, report.name or "—",
                     "—" if report.error else f"{len(wanted) - len(missing)} of {len(wanted)}",
                     "—" if report.error else (", ".join(missing) or "nothing"),
                     "not imported" if report.error else
                     ("passes" if report.passes else "does not pass")))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    imported = sum(1 for report in reports if not report.error)
    lines = ["", f"Summary: {imported} fiche(s) written from {len(reports)} questionnaire(s)"]
    lines += ["  " + "  ".join(cell + " " * (width - _width(cell))
                               for cell, width in zip(row, widths, strict=False)) + "  " + row[4]
              for row in rows]
    return lines


def _width(text: str) -> int:
    """Columns on a terminal: two for a kanji or kana."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

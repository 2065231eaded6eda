"""`booklet import`: questionnaires (.txt, .docx) as returned by collectivités, to fiche YAML.

Each file gives one `fiches/<id>.yaml`, written atomically and never over an
existing fiche without --force. The report says, per file, what was
recognised, what needs a human look, and whether the fiche passes the checks
of `booklet check` (the layout aside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_text
from ..errors import Finding, display_path, sort_findings
from ..importing.blocks import FormError, read_blocks
from ..importing.fiche import to_fiche, to_yaml
from ..importing.form import read_form
from ..preflight import fiche_findings
from ..project import load_fiche


@dataclass
class ImportReport:
    """What importing one file did."""

    source: Path
    target: Path | None = None
    error: str | None = None
    recognised: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def lines(self) -> list[str]:
        source = display_path(self.source)
        if self.error:
            return [f"{source}: error: {self.error}"]
        lines = [f"{source} → {display_path(self.target)}",
                 f"  recognised: {', '.join(self.recognised) or 'nothing'}"]
        lines += [f"  to check: {note}" for note in self.to_check]
        lines += [f"  not mapped (kept as a comment): {item}" for item in self.unmapped]
        if any(f.is_error for f in self.findings):
            lines.append("  does not pass booklet check yet:")
        elif self.findings:
            lines.append("  passes booklet check, with remarks:")
        else:
            lines.append("  passes booklet check")
        lines += [f"    {finding}" for finding in sort_findings(self.findings)
                  if finding.severity != "info"]
        return lines


def import_files(files: list[Path], to: Path, force: bool = False) -> list[ImportReport]:
    """Import each questionnaire into the folder `to`; one report per file, in order."""
    reports, taken = [], set()
    for source in files:
        report = ImportReport(source)
        reports.append(report)
        try:
            imported = to_fiche(read_form(read_blocks(source)), source.stem)
        except FormError as error:
            report.error = str(error)
            continue
        target = to / f"{imported.id}.yaml"
        if imported.id in taken:
            report.error = (f"another file of this import is also the fiche '{imported.id}': "
                            f"import them one at a time, or rename one of the collectivités")
            continue
        if (target.exists() or target.with_suffix(".yml").exists()) and not force:
            report.error = (f"{display_path(target)} already exists: nothing was written; "
                            f"use --force to replace it")
            continue
        try:
            write_text(target, to_yaml(imported, source.name))
        except OSError as error:
            report.error = f"cannot write {display_path(target)}: {error.strerror}"
            continue
        taken.add(imported.id)
        entry, findings = load_fiche(target)
        report.target, report.recognised = target, imported.recognised
        report.to_check, report.unmapped = imported.to_check, imported.unmapped
        report.findings = findings + (fiche_findings(entry) if entry else [])
    return reports

"""What a build checks before anything is laid out: options, data, the WeasyPrint patches,
and what WeasyPrint said of the layout's stylesheet."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from booklet.compose.templating import Layout, load_layout
from booklet.errors import DataError, Finding, SourceLocation, UsageError, classify, display_path
from booklet.pdf.print_finish import PrintFinish
from booklet.project.loading import Project
from booklet.project.preflight import preflight
from booklet.weasyprint_patches import registry


def source_date() -> str | None:
    """The date of the PDFs from SOURCE_DATE_EPOCH (the reproducible-builds convention)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH is '{value}': set it to a number of seconds since "
                         f"1970-01-01 (for example {int(time.time())}), or unset it")
    return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def print_finish_for(project: Project, for_print: bool, marks: str | None) -> PrintFinish | None:
    """How the print PDFs are finished: `marks`, else booklet.yaml's, and its printing
    condition (None: not a print build, which takes no marks)."""
    if not for_print:
        if marks:
            raise UsageError("--marks are the print shop's: add --print")
        return None
    return PrintFinish(marks or project.config.print.marks, project.config.print.output_intent)


def checked(project: Project, accept_missing_glyphs: bool) -> list[Finding]:
    """Loading and preflight findings; DataError when there are errors (nothing laid out).

    Also reads the layout once here, so that its errors stop the build before any part."""
    load_layout(project.root)
    findings = [*project.findings, *preflight(project, accept_missing_glyphs),
                *lost_feature_findings(project)]
    if any(f.is_error for f in findings):
        raise DataError(findings)
    return findings


def lost_feature_findings(project: Project) -> list[Finding]:
    """A warning for each typesetting feature of booklet's WeasyPrint patches that does not
    apply here: what the printed pages lose, and why."""
    where = SourceLocation(project.config_source.path)
    return [Finding(where, f"{patch.feature} will not be printed: {reason}. {patch.loses}; "
                           f"to print them, {remedy}", "warning")
            for patch, reason, remedy in registry.lost_features()]


def stylesheet_findings(layout: Layout, messages: list[str]) -> list[Finding]:
    """What WeasyPrint dropped from the layout's stylesheet, at its line and column."""
    import re

    findings = []
    for message in messages:
        position = re.search(r" at (\d+):(\d+)", message)
        line, column = (int(position[1]), int(position[2])) if position else (1, 1)
        location = SourceLocation(display_path(layout.stylesheet), line, column)
        findings.append(Finding(location, message,
                                "error" if classify(message) == "refused" else "warning"))
    return findings


def chosen_editions(project: Project, edition: str | None, output: Path | None, for_print: bool,
                    impose: str | None) -> list[str]:
    """The editions a build makes; UsageError for options that do not go together."""
    if for_print and impose:
        raise UsageError("--print makes the PDF for a print shop, which imposes it itself; "
                         "--impose makes sheets for an office printer: use one or the other")
    if edition and edition not in project.config.editions:
        raise UsageError(f"edition '{edition}' is not in booklet.yaml (editions: "
                         f"{', '.join(project.config.editions)})")
    if output and not edition and len(project.config.editions) > 1:
        raise UsageError("-o writes one PDF: choose its edition with --edition "
                         + " or --edition ".join(project.config.editions))
    return [edition] if edition else project.config.editions

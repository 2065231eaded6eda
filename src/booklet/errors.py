"""What goes wrong, and where: findings with a file position, and the exceptions users see."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a source file, 1-based as editors show it."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    """One thing a person should know about the data: an error blocks the build."""

    location: SourceLocation
    message: str
    severity: str = "error"  # one of SEVERITIES

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def as_json(self) -> dict:
        return {"path": self.location.path, "line": self.location.line,
                "column": self.location.column, "severity": self.severity, "message": self.message}


SEVERITIES = ("error", "warning", "info")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then information; by file position within each; each once."""
    return sorted(dict.fromkeys(findings), key=lambda f: (SEVERITIES.index(f.severity), f.location))


class BookletError(click.ClickException):
    """A problem the user can fix; shown as a message, never as a traceback."""

    exit_code = 1


class UsageError(click.UsageError):
    """Wrong use of the command line (exit status 2)."""


class DataError(BookletError):
    """The fiches or booklet.yaml have errors: nothing was written."""

    def __init__(self, findings: list[Finding]):
        self.findings = sort_findings(findings)
        errors = sum(f.is_error for f in self.findings)
        summary = f"{errors} error{'s' if errors != 1 else ''}: nothing was written."
        super().__init__("\n".join([*map(str, self.findings), summary]))

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)


def display_path(path: Path) -> str:
    """The path as the user typed it: relative to the current folder when inside it."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def classify(message: str) -> str:
    """What a WeasyPrint message is about: 'missing-glyph', 'refused' (a file outside the
    project was asked for) or 'other'."""
    if ".notdef glyph" in message:
        return "missing-glyph"
    if "refused to read" in message:
        return "refused"
    return "other"

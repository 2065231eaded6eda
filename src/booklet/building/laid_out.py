"""What a build's layout produced: every part's record, the editions' parts in order, and
the booklet assembled while its parts come."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from booklet.building.checks import stylesheet_findings
from booklet.compose.editions import EditionParts, edition_findings
from booklet.compose.templating import Layout
from booklet.errors import Finding
from booklet.project.loading import FicheSource, Project
from booklet.records import PartRecord, RenderSetup


@dataclass
class LaidOut:
    """Every part of a build's editions, and how many were rendered or reused."""

    layout: Layout
    setup: RenderSetup
    setup_key: str
    own: bool = False
    """Fiches' parts rendered come with their collectivité's own PDF."""
    records: dict[str, PartRecord] = field(default_factory=dict)
    editions: list[EditionParts] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    stylesheet_messages: list[str] | None = None
    order: list[FicheSource] = field(default_factory=list)
    early: EarlyAssembly | None = None
    """The booklet, assembled while its parts come (a one-shot build of one booklet)."""

    def findings(self, project: Project, accept_missing_glyphs: bool) -> list[Finding]:
        findings = stylesheet_findings(self.layout, self.stylesheet_messages or [])
        for parts in self.editions:
            findings += edition_findings(project, parts, self.records,
                                         accept_missing_glyphs, self.setup.paper)
        return findings


class EarlyAssembly:
    """A booklet assembled while its parts are rendered: each part is added as soon as it
    and every part before it in the booklet are (`offer`), so that little is left to do
    once the last one comes. The same bytes as an assembly of the finished parts."""

    def __init__(self, keys: list[str], font_dirs: tuple[Path, ...]):
        from booklet.pdf.assembly import Assembly

        self.keys = keys
        self.assembly = Assembly(font_dirs)

    @property
    def complete(self) -> bool:
        return self.assembly.added == len(self.keys)

    def offer(self, records: dict[str, PartRecord]) -> None:
        """Add the parts of `records` that come next in the booklet."""
        while not self.complete and self.keys[self.assembly.added] in records:
            self.assembly.add(records[self.keys[self.assembly.added]])

    def close(self) -> None:
        self.assembly.close()

"""The records that cross the stages: plain data, no WeasyPrint, no booklet module.

A build plans each part as a `PartJob` (compose), renders it into a `FinishedPart`
(render), keeps what it found as a `PartRecord` (build's page cache), and assembles
the booklet from the records with their `Label`s (pdf). `RenderSetup` says what every
part of a build is rendered with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

SCREEN_VARIANT = "pdf/ua-1"  # tagged for screen readers, with bookmarks and metadata
PRINT_VARIANT = "pdf/x-4"  # keeps RGB colours and transparency, unlike PDF/X-1a (see docs)

LINK_ID = "booklet-link-"
"""Prefix of the /ID that `part_finish.detach_links` gives the structure element of a link it takes
out of a part's PDF."""


@dataclass(frozen=True)
class FitStep:
    """One size at which a fiche can be set."""

    body_size_pt: float
    leading: float
    photo_height_mm: float

    def css(self) -> str:
        """The step as CSS custom properties, for the fiche's style attribute."""
        return (f"--body-size: {self.body_size_pt:g}pt; --body-leading: {self.leading:g}; "
                f"--photo-height: {self.photo_height_mm:g}mm")


@dataclass(frozen=True)
class Label:
    """A page label range: from page `index` (0-based), decimal numbers from `start`,
    or a fixed `prefix` (such as "Couverture")."""

    index: int
    start: int | None = None
    prefix: str | None = None


@dataclass(frozen=True)
class PartJob:
    """One part to render: plain data, sent to worker processes."""

    key: str
    kind: str
    """'front', 'fiche' or 'index'."""
    name: str
    """The fiche's id, or the kind."""
    edition: str
    html: str
    steps: tuple[FitStep, ...] = ()
    """A fiche's copyfit steps, from full size (its HTML holds a `FitMarker`)."""
    labels: tuple[Label, ...] = ()
    """The page labels of the part's own PDF."""
    images: tuple[tuple[str, str], ...] = ()
    """A fiche's images: (value as written in the fiche, field)."""
    weight: int = 0
    """Roughly how long it takes to render: the length of what it is made from."""
    identity: str = ""
    """What the part is, whatever its content: the event (booklet.yaml's title), the edition,
    the kind and the name. A PDF/X's XMP DocumentID is derived from it."""


@dataclass(frozen=True)
class RenderSetup:
    """What every part of a build is rendered with, as plain data a worker process can rebuild
    its renderer from: the project (its layout and images), the paper, and the PDF kind."""

    project_root: Path
    paper: str = "A4"
    for_print: bool = False
    date: str | None = None
    """The PDFs' creation date (from SOURCE_DATE_EPOCH); None: no date, reproducible bytes."""

    @property
    def variant(self) -> str:
        return PRINT_VARIANT if self.for_print else SCREEN_VARIANT


@dataclass
class FinishedPart:
    """A part's PDF for the booklet's assembly, and what goes with it."""

    content: bytes
    links: list[dict]
    """The links taken out of it (`detach_links`)."""
    fonts: dict
    """Its `font_facts`."""
    own: bytes | None = None
    """For a fiche, when asked: the collectivité's own PDF (`own_copy`)."""


@dataclass
class PartFacts:
    """What `finish` took out of a part and noted: its links and its font facts."""

    links: list[dict]
    fonts: dict


@dataclass
class PartRecord:
    """One rendered part: its PDF and what rendering it found. Plain data (JSON)."""

    key: str
    pdf: Path
    pages: int
    messages: list[str] = field(default_factory=list)
    """What WeasyPrint logged while rendering it."""
    fit: dict | None = None
    """Fiches: the copyfit step used (None: does not fit), the share of the page filled,
    the characters and sections beyond the page, whether the sidebar was cut."""
    images: list[dict] = field(default_factory=list)
    """Fiches: each raster image with its pixels and printed size."""
    links: list[dict] = field(default_factory=list)
    """Links to other parts, taken out of this PDF: page, target anchor, rectangle,
    and the marked content that identifies their structure element."""
    inputs: list[tuple[str, str]] = field(default_factory=list)
    """The files read while rendering, with the SHA-256 of what was read."""
    sha256: str = ""
    size: int = 0
    fonts_sha256: str = ""
    """Of the glyphs each embedded face uses, with their widths and text
    (`render.part_finish.font_facts`), kept beside the PDF: only the assembly reads them."""
    own_sha256: str = ""
    """Of the collectivité's own PDF (fiches only; `FinishedPart.own`)."""
    own_size: int = 0

    @property
    def fonts_path(self) -> Path:
        return self.pdf.with_suffix(".fonts.json")

    @property
    def own_pdf(self) -> Path | None:
        """The collectivité's own PDF (None for the front matter and the index)."""
        return self.pdf.with_suffix(".own.pdf") if self.own_sha256 else None

    def font_facts(self) -> dict[str, dict]:
        """The glyph facts of the part, as `font_merge.FontMerger.detach` takes them."""
        faces = json.loads(self.fonts_path.read_text(encoding="utf-8"))
        return {name: {key: values if key == "source" else dict(values)
                       for key, values in face.items()}
                for name, face in faces.items()}

    def to_json(self) -> str:
        data = asdict(self)
        data["pdf"] = self.pdf.name
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

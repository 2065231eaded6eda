"""Stage 5 for one part: its HTML in, a small PDF and what was found out.

This module is what the build knows of a part (its job, its HTML); WeasyPrint
itself is imported only where a part is rendered.

A part is the cover and contents, one fiche's page, or the partnership index.
Each is laid out by WeasyPrint as a document of its own (a fiche at the
largest copyfit step that keeps it on one page) and written as its own PDF.
Links to other parts can point nowhere in that PDF: they are taken out, so a
collectivité's own PDF (which is its part's PDF) has no dead link, and
described in the record, for the booklet's assembly to put them back.
Everything the build needs later (fit, images, WeasyPrint's messages) goes
into the `PartRecord` as plain data; no WeasyPrint object leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from markupsafe import Markup, escape

from .copyfit import FitStep, estimate_step, fit, overflow, page_box, page_filled, positioned_overflow
from .page_cache import PageCache, PartRecord
from .pdf_assembly import Label

if TYPE_CHECKING:
    from .render import Rendered, Renderer

class FitMarker:
    """Stands for the copyfit step while a fiche's HTML is made: the step's CSS replaces
    `CSS` afterwards. Fiche text is escaped, so it can never produce the marker."""

    CSS = "<booklet-fit/>"

    def css(self) -> Markup:
        return Markup(self.CSS)


_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')
_BODY = re.compile(r"<body\b[^>]*>")


def with_borrowed_anchors(html: str) -> tuple[str, list[str]]:
    """The HTML with an empty anchor for each link target it does not hold, and their names.

    WeasyPrint writes no annotation, and no structure, for a link whose anchor is not
    in the document; these stand-ins make it write both. `part_pdf.finish` takes them
    out of the PDF again."""
    borrowed = sorted(set(_HREF.findall(html)) - set(_ID.findall(html)))
    body = _BODY.search(html)
    if not borrowed or body is None:
        return html, []
    anchors = "".join(f'<span id="{name}" style="position: absolute"></span>' for name in borrowed)
    return html[:body.end()] + anchors + html[body.end():], borrowed


def at_step(html: str, step: FitStep) -> str:
    """A fiche's HTML set at `step`."""
    return html.replace(FitMarker.CSS, str(escape(step.css())))


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


def render_part(job: PartJob, renderer: Renderer, cache: PageCache, own: bool = False
                ) -> PartRecord:
    """Lay out and write one part (`own`: a fiche's with its collectivité's own PDF); the
    record is stored in `cache` and returned (a read-only cache gets no PDF: `booklet check`
    needs only what the layout found)."""
    fit_facts, images = None, []
    html, borrowed = with_borrowed_anchors(job.html)
    if job.kind == "fiche":
        result = fit(lambda step: renderer.render(at_step(html, job.steps[step])),
                     len(job.steps),
                     estimate=lambda rendered, step: estimate_step(rendered, step, list(job.steps)))
        rendered = result.rendered
        fit_facts = _fit_facts(result.step, rendered)
        if result.fits:
            images = _image_facts(rendered, dict(job.images), renderer.setup.project_root)
    else:
        rendered = renderer.render(html)
    finished = None
    if not cache.read_only:
        finished = renderer.write_pdf(rendered.document, job.labels, frozenset(borrowed),
                                      identity=job.key)
        if own and job.kind == "fiche":
            from .part_pdf import own_copy

            finished.own = own_copy(finished.content, finished.fonts, renderer.font_dirs)
    record = PartRecord(job.key, Path(), len(rendered.document.pages), rendered.messages,
                        fit_facts, images, finished.links if finished else [],
                        sorted((str(path), sha) for path, sha in rendered.inputs))
    return cache.put(record, finished)


def page_count(job: PartJob, renderer: Renderer) -> int:
    """How many pages a part (not a fiche: it has no copyfit) takes, laid out only: the
    front matter's length, before the page numbers it sets are known."""
    return len(renderer.render(with_borrowed_anchors(job.html)[0]).document.pages)


def _fit_facts(step: int | None, rendered: Rendered) -> dict:
    characters, sections = overflow(rendered) if step is None else (0, [])
    return {"step": step, "filled": page_filled(rendered), "overflow_characters": characters,
            "overflow_sections": sections,
            "sidebar_cut": step is None and positioned_overflow(rendered)}


def _image_facts(rendered: Rendered, images: dict[str, str], root: Path) -> list[dict]:
    """Each raster image of the page: its pixels and the size the layout gives it (CSS px)."""
    from PIL import Image
    from weasyprint.formatting_structure.boxes import ReplacedBox

    facts = []
    for box in page_box(rendered.document.pages[0]).descendants():
        if not isinstance(box, ReplacedBox) or box.element is None:
            continue
        value = unquote(box.element.get("src") or "")
        if value not in images or value.lower().endswith(".svg") or not box.width:
            continue
        with Image.open(root / value) as image:
            width, height = image.size
        facts.append({"field": images[value], "value": value, "pixels": [width, height],
                      "box": [box.width, box.height]})
    return facts

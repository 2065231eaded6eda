"""One part rendered: its HTML in, a small PDF and what was found out.

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
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from booklet.compose.copyfit import at_step
from booklet.records import FinishedPart, PartJob, PartRecord
from booklet.render.fitting import estimate_step, fit, overflow, page_box, page_filled, positioned_overflow

if TYPE_CHECKING:
    from booklet.render.renderer import Rendered, Renderer

_HREF = re.compile(r'href="#([^"]+)"')
_ID = re.compile(r'\bid="([^"]+)"')
_BODY = re.compile(r"<body\b[^>]*>")


def with_borrowed_anchors(html: str) -> tuple[str, list[str]]:
    """The HTML with an empty anchor for each link target it does not hold, and their names.

    WeasyPrint writes no annotation, and no structure, for a link whose anchor is not
    in the document; these stand-ins make it write both. `part_finish.finish` takes them
    out of the PDF again."""
    borrowed = sorted(set(_HREF.findall(html)) - set(_ID.findall(html)))
    body = _BODY.search(html)
    if not borrowed or body is None:
        return html, []
    anchors = "".join(f'<span id="{name}" style="position: absolute"></span>' for name in borrowed)
    return html[:body.end()] + anchors + html[body.end():], borrowed


def render_part(job: PartJob, renderer: Renderer, write: bool = True, own: bool = False
                ) -> tuple[PartRecord, FinishedPart | None]:
    """Lay out one part, and write it unless `write` is False (`booklet check` needs only
    what the layout found; `own`: a fiche's with its collectivité's own PDF): its record,
    and the PDF written, for the page cache to keep."""
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
    if write:
        finished = renderer.write_pdf(rendered.document, job.labels, frozenset(borrowed),
                                      identity=job.identity)
        if own and job.kind == "fiche":
            from booklet.render.part_finish import own_copy

            finished.own = own_copy(finished.content, finished.fonts, renderer.font_dirs)
    record = PartRecord(job.key, Path(), len(rendered.document.pages), rendered.messages,
                        fit_facts, images, finished.links if finished else [],
                        sorted((str(path), sha) for path, sha in rendered.inputs))
    return record, finished


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

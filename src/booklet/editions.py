"""Stages 3–5 for one edition: plan the pages, fill the templates, lay out every page.

Each part of the booklet is its own WeasyPrint document: the front matter
(cover and contents), one document per fiche, the partnership index. Page
numbers are known before layout, so no repagination pass is needed, each
fiche's single page doubles as its own PDF, and a fiche that does not fit on
one page is caught by counting its pages, then copyfitted (`copyfit`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from urllib.parse import unquote

from weasyprint.formatting_structure.boxes import ReplacedBox

from .assemble import FichePage, Plan, fiche_context, plan_edition
from .cache import LayoutCache
from .copyfit import (
    Fit,
    describe_sections,
    estimate_step,
    fit,
    fit_steps,
    overflow,
    page_filled,
    positioned_overflow,
)
from .errors import Finding, SourceLocation
from .layouts import Layout
from .project import Project
from .render import Rendered, Renderer
from .text import localize, other_language

LANGUAGE_NAMES = {"fr": "French", "ja": "Japanese"}
MIN_DPI = 200
MAX_FRONT_LAYOUTS = 4
CSS_PX_PER_INCH = 96
MM_PER_INCH = 25.4


@dataclass
class EditionLayout:
    """The laid-out pages of one edition and what was found while making them."""

    edition: str
    plan: Plan
    front: Rendered
    fiches: list[tuple[FichePage, Rendered]]
    index: Rendered
    findings: list[Finding] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    """One key per document, in order: what its pages are made of."""

    def documents(self):
        return [self.front.document, *(r.document for _, r in self.fiches), self.index.document]


def _common_context(project: Project, layout: Layout, edition: str) -> dict:
    config = project.config
    context = {"edition": edition, "labels": layout.labels[edition]}
    for key in ("title", "subtitle"):
        value = getattr(config, key)
        shown = localize(value, edition, edition) if value is not None else None
        context[key] = shown
        context[f"other_{key}"] = other_language(value, shown) if shown else None
    return context


def _log_findings(rendered: Rendered, where: SourceLocation, what: str, edition: str,
                  accept_missing_glyphs: bool) -> list[Finding]:
    """WeasyPrint's messages as findings: missing glyphs and refused files are errors."""
    findings = []
    language = LANGUAGE_NAMES[edition]
    for message in rendered.messages:
        if ".notdef glyph" in message:
            findings.append(Finding(where,
                f"{what} ({language} edition) has a character that no font can print; "
                f"it shows as an empty box ({message})",
                "warning" if accept_missing_glyphs else "error"))
        elif "refused to read" in message:
            findings.append(Finding(where, f"{what}: {message}"))
        else:
            findings.append(Finding(where, f"{what}: {message}", "warning"))
    return findings


def _fit_findings(result: Fit, steps, page: FichePage, edition: str,
                  paper: str = "A4") -> list[Finding]:
    """Whether the fiche fits and at what size (information), or how much to cut (error)."""
    where = page.source.source.location(())
    language = LANGUAGE_NAMES[edition]
    if not result.fits and positioned_overflow(result.rendered):
        return [Finding(where,
            f"the {language} page of {page.name.text}: the key figures, partners, contact and "
            f"photo do not fit beside the texts even at the smallest size: shorten the partners "
            f"or the contact, or remove the photo")]
    if not result.fits:
        characters, sections = overflow(result.rendered)
        about = max(50, math.ceil(characters / 50) * 50)
        return [Finding(where,
            f"the {language} text of {page.name.text} is about {about:,} characters too long for "
            f"one page even at the smallest size ({steps[-1].body_size_pt:g} pt"
            + (f" on {paper} paper" if paper != "A4" else "")
            + f"); shorten {describe_sections(sections)}"
            + (", or print the booklet on A4 (paper: A4), where long fiches fit"
               if paper != "A4" else ""))]
    step, full = steps[result.step], steps[0]
    if result.step == 0:
        used = round(page_filled(result.rendered) * 100)
        message = f"{language} page: full size ({step.body_size_pt:g} pt), {used}% of the page used"
    else:
        message = (f"{language} page: shrunk to fit, body {step.body_size_pt:g} pt "
                   f"(full size {full.body_size_pt:g} pt)")
        if step.leading != full.leading:
            message += f", leading {step.leading:g} (full {full.leading:g})"
        if step.photo_height_mm != full.photo_height_mm and page.source.fiche.photo:
            message += f", photo {step.photo_height_mm:g} mm high (full {full.photo_height_mm:g} mm)"
    return [Finding(where, message, "info")]


def _resolution_findings(project: Project, rendered: Rendered, page: FichePage) -> list[Finding]:
    """Raster images printed below MIN_DPI at the size the layout gives them."""
    from PIL import Image

    fiche, source = page.source.fiche, page.source.source
    images = {getattr(fiche, name): name for name in ("logo", "photo") if getattr(fiche, name)}
    if not images:
        return []
    findings = []
    for box in rendered.document.pages[0]._page_box.descendants():
        if not isinstance(box, ReplacedBox) or box.element is None:
            continue
        value = unquote(box.element.get("src") or "")
        if value not in images or value.lower().endswith(".svg") or not box.width:
            continue
        with Image.open(project.root / value) as image:
            width, height = image.size
        scale = min(box.width / width, box.height / height)  # CSS px per image pixel
        dpi = CSS_PX_PER_INCH / scale
        if dpi < MIN_DPI:
            printed = f"{width * scale / CSS_PX_PER_INCH * MM_PER_INCH:.0f} × " \
                      f"{height * scale / CSS_PX_PER_INCH * MM_PER_INCH:.0f} mm"
            findings.append(Finding(source.location((images[value],)),
                f"{images[value]} '{value}' prints at {dpi:.0f} dpi ({width} × {height} pixels "
                f"for {printed}); for print, use an image of at least "
                f"{math.ceil(width * MIN_DPI / dpi)} pixels wide", "warning"))
    return findings


def lay_out_edition(project: Project, layout: Layout, renderer: Renderer, edition: str,
                    copyfit: bool = True, accept_missing_glyphs: bool = False,
                    cache: LayoutCache | None = None, first: Collection[str] = (),
                    paper: str = "A4",
                    on_fiche: Callable[[FichePage, Rendered, str, list[Finding]], None] | None = None,
                    ) -> EditionLayout:
    """Lay out every page of `edition`; the result carries findings instead of raising.

    With a `cache`, documents whose HTML and files did not change since its last
    build are reused. The fiches with ids in `first` are laid out before the
    others (the ones just edited), and `on_fiche` hears of each fiche as soon
    as it is laid out: its page, its document's key and its findings."""
    cache = cache or LayoutCache()
    cache.start()

    def render(html: str) -> tuple[Rendered, str]:
        return cache.document(html, lambda: renderer.render(html), lambda r: r.inputs)

    common = _common_context(project, layout, edition)
    config_location = SourceLocation(project.config_source.path)
    front_pages, plan, front = 2, None, None
    for _ in range(MAX_FRONT_LAYOUTS):  # numbers in the contents can change its length
        plan = plan_edition(project, edition, front_pages)
        front, front_key = render(layout.render("front.html", plan=plan, first_page=1, **common))
        if len(front.document.pages) == front_pages:
            break
        front_pages = len(front.document.pages)
    findings = _log_findings(front, config_location, "the cover or contents", edition,
                             accept_missing_glyphs)
    steps = fit_steps(layout.copyfit_settings(paper))
    laid_out = {}
    for page in sorted(plan.fiches, key=lambda page: page.id not in first):
        context = {**fiche_context(plan, page), **common, "first_page": page.page}
        full_size = layout.render("fiche.html", fit=steps[0], **context)

        def render_at(step: int, context=context, full_size=full_size) -> Rendered:
            return renderer.render(
                full_size if step == 0 else layout.render("fiche.html", fit=steps[step], **context))

        result, key = cache.document(
            f"copyfit: {copyfit} {steps}\n{full_size}",
            lambda: fit(render_at, len(steps) if copyfit else 1,
                        estimate=lambda first: estimate_step(first, steps)),
            lambda result: result.rendered.inputs)
        where = page.source.source.location(())
        page_findings = _log_findings(result.rendered, where, f"the fiche {page.name.text}",
                                      edition, accept_missing_glyphs)
        page_findings += _fit_findings(result, steps if copyfit else steps[:1], page, edition,
                                       paper)
        if result.fits:
            page_findings += _resolution_findings(project, result.rendered, page)
        if on_fiche:
            on_fiche(page, result.rendered, key, page_findings)
        laid_out[page.id] = (page, result.rendered, key, page_findings)

    index, index_key = render(layout.render("index.html", plan=plan, first_page=plan.index_page,
                                            **common))
    cache.finish()
    fiches = [laid_out[page.id] for page in plan.fiches]
    findings += [f for *_, page_findings in fiches for f in page_findings]
    findings += _log_findings(index, config_location, "the partnership index", edition,
                              accept_missing_glyphs)
    return EditionLayout(edition, plan, front, [(page, rendered) for page, rendered, *_ in fiches],
                         index, findings, [front_key, *(fiche[2] for fiche in fiches), index_key])

"""Stages 3–5 for one edition: plan the pages, fill the templates, lay out every page.

Each part of the booklet is its own WeasyPrint document: the front matter
(cover and contents), one document per fiche, the partnership index. Page
numbers are known before layout, so no repagination pass is needed, each
fiche's single page doubles as its own PDF, and a fiche that does not fit on
one page is caught by counting its pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .assemble import FichePage, Plan, fiche_context, plan_edition
from .errors import Finding, SourceLocation
from .layouts import Layout
from .project import Project
from .render import Rendered, Renderer
from .text import localize, other_language

LANGUAGE_NAMES = {"fr": "French", "ja": "Japanese"}


@dataclass
class EditionLayout:
    """The laid-out pages of one edition and what was found while making them."""

    edition: str
    plan: Plan
    front: Rendered
    fiches: list[tuple[FichePage, Rendered]]
    index: Rendered
    findings: list[Finding] = field(default_factory=list)

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


def _findings(rendered: Rendered, where: SourceLocation, what: str, edition: str) -> list[Finding]:
    """WeasyPrint's messages as findings: missing glyphs and refused files are errors."""
    findings = []
    language = LANGUAGE_NAMES[edition]
    for message in rendered.messages:
        if ".notdef glyph" in message:
            findings.append(Finding(where,
                f"{what} ({language} edition) has a character that no bundled font can print; "
                f"it would show as an empty box ({message})"))
        elif "refused to read" in message:
            findings.append(Finding(where, f"{what}: {message}"))
        else:
            findings.append(Finding(where, f"{what}: {message}", "warning"))
    return findings


def lay_out_edition(project: Project, layout: Layout, renderer: Renderer, edition: str,
                    progress: Callable[[], None] = lambda: None) -> EditionLayout:
    """Lay out every page of `edition`; the result carries findings instead of raising."""
    common = _common_context(project, layout, edition)
    config_location = SourceLocation(project.config_source.path)
    front_pages, plan, front = 2, None, None
    while front is None or len(front.document.pages) != front_pages:
        if front is not None:
            front_pages = len(front.document.pages)
        plan = plan_edition(project, edition, front_pages)
        front = renderer.render(layout.render("front.html", plan=plan, first_page=1, **common))
    findings = _findings(front, config_location, "the cover or contents", edition)

    fiches = []
    for page in plan.fiches:
        html = layout.render("fiche.html", first_page=page.page, **fiche_context(plan, page),
                             **common)
        rendered = renderer.render(html)
        where = page.source.source.location(())
        findings += _findings(rendered, where, f"the fiche {page.name.text}", edition)
        if len(rendered.document.pages) != 1:
            findings.append(Finding(where,
                f"the {LANGUAGE_NAMES[edition]} page of {page.name.text} takes "
                f"{len(rendered.document.pages)} pages, but a fiche must fit on one page: "
                f"shorten its sections"))
        fiches.append((page, rendered))
        progress()

    index = renderer.render(layout.render("index.html", plan=plan, first_page=plan.index_page,
                                          **common))
    findings += _findings(index, config_location, "the partnership index", edition)
    return EditionLayout(edition, plan, front, fiches, index, findings)

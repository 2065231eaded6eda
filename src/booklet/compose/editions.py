"""One edition planned: its parts, and what rendering them found read back.

Each part of an edition is its own WeasyPrint document: the front matter
(cover and contents), one page per fiche, the partnership index. Page numbers
are known before layout (one page per fiche), so every part's HTML, and with it
its cache key, is known before anything is laid out. What rendering found comes
back as plain data in each part's record (`records.PartRecord`) and becomes
findings here, at the fiche's or the configuration's place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from booklet.compose.copyfit import FitMarker, describe_sections, fit_steps
from booklet.compose.order import FichePage, Plan, fiche_context, plan_edition, resolve_partners
from booklet.compose.templating import Layout
from booklet.errors import Finding, SourceLocation, classify
from booklet.keys import part_key
from booklet.languages import english_name
from booklet.project.loading import FicheSource, Project
from booklet.project.localized import localize, other_language
from booklet.records import FitStep, Label, PartJob, PartRecord, RenderSetup

MIN_DPI = 200
CSS_PX_PER_INCH = 96
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class EditionParts:
    """The parts of one edition, in booklet order, with the plan they were made from.

    A fiche's job is keyed by everything its page is made of, without making its HTML:
    `complete(job)` makes it, only for the parts the cache does not have."""

    edition: str
    plan: Plan
    front: PartJob
    fiches: tuple[tuple[FichePage, PartJob], ...]
    index: PartJob
    html: dict[str, Callable[[], str]] = field(repr=False, compare=False)
    fiche_job: Callable[[FichePage], PartJob] = field(repr=False, compare=False)
    """The job of a fiche's page in this plan (its HTML made by `complete`)."""

    @property
    def jobs(self) -> list[PartJob]:
        return [self.front, *(job for _, job in self.fiches), self.index]

    def edited(self, entry: FicheSource) -> PartJob | None:
        """The job of `entry`, an edited fiche, in this plan: when the edit changes nothing
        the plan depends on (name, reading, country, language, partners), the new page needs
        nothing else to be planned again."""
        page = next((page for page, _ in self.fiches if page.id == entry.id), None)
        if page is None or _plan_facts(page.source.fiche) != _plan_facts(entry.fiche):
            return None
        return self.complete(self.fiche_job(replace(page, source=entry)))

    def complete(self, job: PartJob) -> PartJob:
        """The job with its HTML."""
        return job if job.html else replace(job, html=self.html[job.key]())


def plan_parts(project: Project, layout: Layout, setup: RenderSetup, setup_key: str,
               edition: str, front_pages: int, copyfit: bool = True,
               order: list | None = None) -> EditionParts:
    """Every part of `edition` as a job, its key included, given the front matter's length
    (and the fiches in booklet order, if known)."""
    common = _common_context(project, layout, edition)
    plan = plan_edition(project, edition, front_pages, order)
    steps = tuple(fit_steps(layout.copyfit_settings(setup.paper)))
    steps = steps if copyfit else steps[:1]
    makers = {}

    def job(kind: str, name: str, content: str, steps: tuple[FitStep, ...] = (),
            labels: tuple[Label, ...] = (), images: tuple = (), html: str = "") -> PartJob:
        key = part_key(content, setup_key, steps, setup.variant, setup.date, labels)
        return PartJob(key, kind, name, edition, html, steps, labels, images, len(content),
                       json.dumps([project.config.title, edition, kind, name], ensure_ascii=False))

    front_html = layout.render("front.html", plan=plan, first_page=1, **common)
    front = job("front", "front", front_html, html=front_html)

    def fiche_job(page: FichePage) -> PartJob:
        fiche = page.source.fiche
        images = tuple((getattr(fiche, name), name) for name in ("logo", "photo")
                       if getattr(fiche, name))
        made = job("fiche", page.id, _fiche_inputs(plan, page, common), steps,
                   (Label(0, start=page.page),), images)
        makers[made.key] = partial(_fiche_html, layout, plan, page, common)
        return made

    fiches = tuple((page, fiche_job(page)) for page in plan.fiches)
    index_html = layout.render("index.html", plan=plan, first_page=plan.index_page, **common)
    index = job("index", "index", index_html, html=index_html)
    return EditionParts(edition, plan, front, fiches, index, makers, fiche_job)


def _plan_facts(fiche) -> tuple:
    """What of a fiche the plan of the booklet depends on."""
    return (fiche.name, fiche.reading, fiche.country, fiche.lang, fiche.partners)


def _fiche_html(layout: Layout, plan: Plan, page: FichePage, common: dict) -> str:
    return layout.render("fiche.html", fit=FitMarker(), **fiche_context(plan, page), **common,
                         first_page=page.page)


def _fiche_inputs(plan: Plan, page: FichePage, common: dict) -> str:
    """Everything the fiche template is given (`fiche_context`, `common`), as text: the
    fiche's file as written, where it lands, and what it prints of its partners. The
    template itself is a layout file, part of the setup's key."""
    partners = [(repr(ref.name), ref.target and (ref.target.id, ref.target.anchor, ref.target.page))
                for ref in resolve_partners(page, plan)]
    return json.dumps(["fiche.html", page.source.id, page.source.source.text, page.page,
                       page.anchor, repr(page.name), repr(page.other_name), partners,
                       {key: repr(value) for key, value in common.items() if key != "labels"},
                       plan.edition], ensure_ascii=False)


def booklet_labels(layout: Layout, edition: str) -> list[Label]:
    """The page labels of a booklet: the cover's name, then the printed numbers from 2."""
    return [Label(0, prefix=layout.labels[edition].get("cover", "Cover")), Label(1, start=2)]


def edition_findings(project: Project, parts: EditionParts, records: dict[str, PartRecord],
                     accept_missing_glyphs: bool, paper: str) -> list[Finding]:
    """What rendering an edition's parts found, at the place of what caused it."""
    edition = parts.edition
    config = SourceLocation(project.config_source.path)
    findings = _log_findings(records[parts.front.key].messages, config, "the cover or contents",
                             edition, accept_missing_glyphs)
    for page, job in parts.fiches:
        record = records[job.key]
        where = page.source.source.location(())
        findings += _log_findings(record.messages, where, f"the fiche {page.name.text}", edition,
                                  accept_missing_glyphs)
        findings += _fit_findings(record.fit, job.steps, page, edition, paper)
        findings += _resolution_findings(record.images, page)
    findings += _log_findings(records[parts.index.key].messages, config,
                              "the partnership index", edition, accept_missing_glyphs)
    return findings


def _common_context(project: Project, layout: Layout, edition: str) -> dict:
    config = project.config
    context = {"edition": edition, "labels": layout.labels[edition]}
    for key in ("title", "subtitle"):
        value = getattr(config, key)
        shown = localize(value, edition, edition) if value is not None else None
        context[key] = shown
        context[f"other_{key}"] = other_language(value, shown) if shown else None
    return context


def _log_findings(messages: list[str], where: SourceLocation, what: str, edition: str,
                  accept_missing_glyphs: bool) -> list[Finding]:
    """WeasyPrint's messages as findings: missing glyphs and refused files are errors."""
    findings = []
    language = english_name(edition)
    for message in messages:
        kind = classify(message)
        if kind == "missing-glyph":
            findings.append(Finding(where,
                f"{what} ({language} edition) has a character that no font can print; "
                f"it shows as an empty box ({message})",
                "warning" if accept_missing_glyphs else "error"))
        elif kind == "refused":
            findings.append(Finding(where, f"{what}: {message}"))
        else:
            findings.append(Finding(where, f"{what}: {message}", "warning"))
    return findings


def _fit_findings(fit: dict, steps: tuple[FitStep, ...], page: FichePage, edition: str,
                  paper: str) -> list[Finding]:
    """Whether the fiche fits and at what size (information), or how much to cut (error)."""
    where = page.source.source.location(())
    language = english_name(edition)
    if fit["step"] is None and fit["sidebar_cut"]:
        return [Finding(where,
            f"the {language} page of {page.name.text}: the key figures, partners, contact and "
            f"photo do not fit beside the texts even at the smallest size: shorten the partners "
            f"or the contact, or remove the photo")]
    if fit["step"] is None:
        about = max(50, math.ceil(fit["overflow_characters"] / 50) * 50)
        return [Finding(where,
            f"the {language} text of {page.name.text} is about {about:,} characters too long for "
            f"one page even at the smallest size ({steps[-1].body_size_pt:g} pt"
            + (f" on {paper} paper" if paper != "A4" else "")
            + f"); shorten {describe_sections(fit['overflow_sections'])}"
            + (", or print the booklet on A4 (paper: A4), where long fiches fit"
               if paper != "A4" else ""))]
    step, full = steps[fit["step"]], steps[0]
    if fit["step"] == 0:
        used = round(fit["filled"] * 100)
        message = f"{language} page: full size ({step.body_size_pt:g} pt), {used}% of the page used"
    else:
        message = (f"{language} page: shrunk to fit, body {step.body_size_pt:g} pt "
                   f"(full size {full.body_size_pt:g} pt)")
        if step.leading != full.leading:
            message += f", leading {step.leading:g} (full {full.leading:g})"
        if step.photo_height_mm != full.photo_height_mm and page.source.fiche.photo:
            message += f", photo {step.photo_height_mm:g} mm high (full {full.photo_height_mm:g} mm)"
    return [Finding(where, message, "info")]


def _resolution_findings(images: list[dict], page: FichePage) -> list[Finding]:
    """Raster images printed below MIN_DPI at the size the layout gives them."""
    return [Finding(page.source.source.location((field,)), message, "warning")
            for field, message in low_resolution(images)]


def low_resolution(images: list[dict]) -> list[tuple[str, str]]:
    """(field, what to do) for each raster image of a part's record (`PartRecord.images`)
    printed below MIN_DPI at the size the layout gives it."""
    problems = []
    for image in images:
        (width, height), (box_width, box_height) = image["pixels"], image["box"]
        scale = min(box_width / width, box_height / height)  # CSS px per image pixel
        dpi = CSS_PX_PER_INCH / scale
        if dpi < MIN_DPI:
            printed = f"{width * scale / CSS_PX_PER_INCH * MM_PER_INCH:.0f} × " \
                      f"{height * scale / CSS_PX_PER_INCH * MM_PER_INCH:.0f} mm"
            problems.append((image["field"],
                f"{image['field']} '{image['value']}' prints at {dpi:.0f} dpi ({width} × {height} "
                f"pixels for {printed}); for print, use an image of at least "
                f"{math.ceil(width * MIN_DPI / dpi)} pixels wide"))
    return problems

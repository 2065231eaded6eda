"""The download page: every booklet and every collectivité's own PDF, with what the checks said.

One template serves both `dist/index.html`, written by every build so that
dist/ can be published on any web host as it is, and the live page of
`booklet serve`, which adds thumbnails and reloads itself after each rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from booklet.atomic import write_text
from booklet.building.outputs import booklet_name, dist_dir, download_page_path, fiche_name
from booklet.compose.order import order_fiches
from booklet.errors import Finding
from booklet.languages import LANGUAGES, other_language_of
from booklet.project.loading import Project
from booklet.project.localized import localize
from booklet.resources import SITE_DIR

TEMPLATES = SITE_DIR
COUNTRY_NAMES = {"FR": "France · フランス", "JP": "Japon · 日本"}


@dataclass(frozen=True)
class Download:
    label: str
    href: str


@dataclass(frozen=True)
class Entry:
    """One collectivité on the page."""

    id: str
    name: str
    lang: str
    other_name: str | None
    country: str
    downloads: tuple[Download, ...]
    thumbnail: str | None
    fit: tuple[str, ...]
    findings: tuple[Finding, ...]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)


def entries(project: Project, findings: list[Finding], dist: Path, base: str,
            order: list | None = None) -> list[Entry]:
    """The collectivités in booklet order, with the PDFs of theirs that are in `dist`."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.location.path, []).append(finding)
    result = []
    for entry in order or order_fiches(project):
        fiche = entry.fiche
        name = localize(fiche.name, fiche.lang, fiche.lang).text
        other = localize(fiche.name, fiche.lang, other_language_of(fiche.lang))
        mine = by_path.get(entry.source.path, [])
        editions = [edition for edition in project.config.editions
                    if (dist / fiche_name(entry.id, edition)).is_file()]
        result.append(Entry(
            entry.id, name, fiche.lang,
            None if other.untranslated or other.text == name else other.text, fiche.country,
            tuple(Download(LANGUAGES[edition].download, base + fiche_name(entry.id, edition))
                  for edition in editions),
            f"/thumbs/{entry.id}-{editions[0]}.png" if editions else None,
            tuple(f.message for f in mine if f.severity == "info" and " page: " in f.message),
            tuple(f for f in mine if f.severity != "info")))
    return result


def render_page(project: Project | None, findings: list[Finding], dist: Path, *,
                live: bool = False, generation: int = 0, failed: bool = False,
                message: str | None = None, building: bool = False,
                order: list | None = None) -> str:
    """The page's HTML. Links are relative to dist/ (static page) or under /dist/ (live)."""
    base = "/dist/" if live else ""
    title = project and localize(project.config.title, "fr", "fr").text
    other_title = project and localize(project.config.title, "fr", "ja").text
    booklets = [Download(LANGUAGES[edition].download, base + booklet_name(edition))
                for edition in (project.config.editions if project else [])
                if (dist / booklet_name(edition)).is_file()]
    listed = entries(project, findings, dist, base, order) if project else []
    fiche_paths = {entry.source.path for entry in project.fiches} if project else set()
    general = [f for f in findings if f.location.path not in fiche_paths and f.severity != "info"]
    return _environment().get_template("index.html").render(
        title=title or "booklet", other_title=other_title if other_title != title else None,
        booklets=booklets, groups=_by_country(listed), general=general, live=live,
        generation=generation, failed=failed, message=message, building=building,
        errors=sum(f.is_error for f in findings))


def _by_country(listed: list[Entry]) -> list[tuple[str, list[Entry]]]:
    groups: list[tuple[str, list[Entry]]] = []
    for entry in listed:
        if not groups or groups[-1][0] != COUNTRY_NAMES.get(entry.country, entry.country):
            groups.append((COUNTRY_NAMES.get(entry.country, entry.country), []))
        groups[-1][1].append(entry)
    return groups


def write_download_page(project: Project, findings: list[Finding],
                        order: list | None = None) -> Path:
    """dist/index.html, written atomically."""
    target = download_page_path(project.root)
    html = render_page(project, findings, dist_dir(project.root), order=order)
    write_text(target, html)
    return target


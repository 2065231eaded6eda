"""The booklet's order and page plan and the data each template gets.

Pure functions, no I/O. The one-page-per-fiche rule makes every page number
known before layout: cover and table of contents first, then one page per
fiche in order, then the partnership index.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markupsafe import Markup

from booklet.compose.text import inline, to_html
from booklet.languages import of_country
from booklet.project.loading import FicheSource, Project
from booklet.project.localized import Localized, localize, other_language
from booklet.project.model import SECTION_KEYS, Fiche
from booklet.project.names import find_fiche, name_index


@lru_cache(maxsize=8)  # a watched project's names change now and then
def _collator(characters: frozenset[str]):
    """A Unicode collator for strings of `characters` (in NFD): pyuca's, its table holding
    only the entries made of them (a longer entry with any other character never matches
    such a string, so every key is the same), read in a fifth of the time the whole table
    takes (a quarter of a second at each cold build)."""
    from pyuca import Collator
    from pyuca.collator import COLL_ELEMENT_PATTERN
    from pyuca.utils import hexstrings2int

    class Collation(Collator):
        def load(self, filename):  # pyuca's reading of the table, less what cannot match
            with open(filename, encoding="utf-8") as keys:
                for line in keys:
                    line = line.split("#", 1)[0].rstrip()
                    if not line or line.startswith("@version"):
                        continue
                    if line.startswith("@implicitweights"):
                        codes, base = line[len("@implicitweights"):].split(";")
                        first, last = codes.split("..")
                        self.implicit_weights.append([int(first, 16), int(last, 16), int(base, 16)])
                        continue
                    entry, weights = line.split(";", 1)
                    codes = entry.split()
                    if all(chr(int(code, 16)) in characters for code in codes):
                        self.table.add(hexstrings2int(codes), [
                            hexstrings2int(element.groups())
                            for element in COLL_ELEMENT_PATTERN.finditer(weights.strip())])

    return Collation()


def _sort_text(entry: FicheSource) -> str:
    """French names by Unicode collation (accents and case second); Japanese by kana reading."""
    fiche = entry.fiche
    if fiche.country == "JP" and fiche.reading:
        return fiche.reading
    return localize(fiche.name, fiche.lang, of_country(fiche.country)).text


def order_fiches(project: Project) -> list[FicheSource]:
    """Fiches in booklet order: by country group then name, or as listed in `order`."""
    order = project.config.order
    by_id = {f.id: f for f in project.fiches}
    if not project.config.order_by_country:
        return [by_id[item] for item in order if item in by_id]
    texts = {entry.id: _sort_text(entry) for entry in project.fiches}
    collator = _collator(frozenset(unicodedata.normalize("NFD", "".join(texts.values()))))
    keys = {name: (collator.sort_key(text), name) for name, text in texts.items()}
    return [f for country in order
            for f in sorted((f for f in project.fiches if f.fiche.country == country),
                            key=lambda f: keys[f.id])]


def order_inputs(project: Project) -> str:
    """Everything `order_fiches` depends on, as text (to remember its answer by)."""
    import json

    return json.dumps([project.config.order, project.config.order_by_country,
                       [(entry.id, entry.fiche.country, entry.fiche.reading,
                         entry.fiche.name, entry.fiche.lang) for entry in project.fiches]],
                      ensure_ascii=False)


@dataclass(frozen=True)
class FichePage:
    """Where a fiche lands in an edition, and its name there."""

    id: str
    anchor: str
    page: int
    country: str
    name: Localized
    other_name: Localized | None
    source: FicheSource


@dataclass(frozen=True)
class PartnerRef:
    """A partner as printed: its name, and its page where it has a fiche."""

    name: Localized
    target: FichePage | None


@dataclass
class Plan:
    """One edition: every page number and every cross-reference, before layout."""

    edition: str
    front_pages: int
    fiches: tuple[FichePage, ...]
    index: dict[str, FichePage] = field(default_factory=dict, repr=False)

    @cached_property
    def partnerships(self) -> tuple[tuple[FichePage, PartnerRef], ...]:
        return _partnerships(self)

    @property
    def index_page(self) -> int:
        return self.front_pages + len(self.fiches) + 1

    def groups(self) -> list[tuple[str, list[FichePage]]]:
        """Consecutive fiches of one country, for the table of contents."""
        groups: list[tuple[str, list[FichePage]]] = []
        for page in self.fiches:
            if not groups or groups[-1][0] != page.country:
                groups.append((page.country, []))
            groups[-1][1].append(page)
        return groups


def plan_edition(project: Project, edition: str, front_pages: int,
                 order: list[FicheSource] | None = None) -> Plan:
    """Number the pages of `edition`, given how many pages the cover and contents take
    (and the fiches in booklet order, when `order_fiches` was already asked)."""
    pages = []
    for number, entry in enumerate(order or order_fiches(project), start=front_pages + 1):
        fiche = entry.fiche
        name = localize(fiche.name, fiche.lang, edition)
        pages.append(FichePage(entry.id, f"fiche-{entry.id}", number, fiche.country, name,
                               other_language(fiche.name, name), entry))
    return Plan(edition, front_pages, tuple(pages), name_index(pages, lambda page: page.source))


def resolve_partners(page: FichePage, plan: Plan) -> list[PartnerRef]:
    """Each partner of a fiche, linked to its page when it names a fiche."""
    fiche = page.source.fiche
    refs = []
    for partner in fiche.partners:
        target = find_fiche(partner, plan.index)
        name = target.name if target else localize(partner, fiche.lang, plan.edition)
        refs.append(PartnerRef(name, target))
    return refs


def _partnerships(plan: Plan) -> tuple[tuple[FichePage, PartnerRef], ...]:
    """Every twinning pair once, listed under the partner that comes first in the booklet."""
    pairs, seen = [], set()
    for page in plan.fiches:
        for ref in resolve_partners(page, plan):
            key = frozenset((page.id, ref.target.id)) if ref.target else (page.id, ref.name.text)
            if key not in seen:
                seen.add(key)
                pairs.append((page, ref))
    return tuple(pairs)


@dataclass(frozen=True)
class Section:
    """One numbered text of a fiche, ready to print."""

    key: str
    number: int
    html: Markup
    lang: str
    untranslated: bool


def _value(value, fiche: Fiche, edition: str) -> Localized | None:
    if value is None:
        return None
    shown = localize(value, fiche.lang, edition)
    return Localized(inline(shown.text, shown.lang), shown.lang, shown.untranslated)


def fiche_context(plan: Plan, page: FichePage) -> dict:
    """What the fiche template gets: the fiche's values in the edition's language."""
    fiche, edition = page.source.fiche, plan.edition
    sections = []
    for number, key in enumerate(SECTION_KEYS, start=1):
        value = getattr(fiche.sections, key)
        if value is not None:
            shown = localize(value, fiche.lang, edition)
            sections.append(Section(key, number, to_html(shown.text, shown.lang), shown.lang,
                                    shown.untranslated))
    return {
        "page": page,
        "fiche": fiche,
        "kind": _value(fiche.kind, fiche, edition),
        "region": _value(fiche.region, fiche, edition),
        "department": _value(fiche.department, fiche, edition),
        "partners": resolve_partners(page, plan),
        "contact": fiche.contact,
        "sections": sections,
        "photo_caption": _value(fiche.photo_caption, fiche, edition),
    }

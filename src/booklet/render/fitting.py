"""Copyfitting: the largest type that keeps a fiche on one page.

The layout lists the steps (layouts/layout.yaml): body size first, then
leading, then photo height. A fiche that fits at full size is rendered once
and never changed; one that does not is searched by bisection over the steps,
so a booklet where everything fits costs nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booklet.records import FitStep
    from booklet.render.renderer import Rendered


CAPACITY_EXPONENT = 1.55
"""A fiche's page holds about (demand₀ / demand)^1.55 times the text it holds at demand₀:
measured on the default layout's long fiches (A4, French and Japanese), where it predicts
the step of most in one try."""


@dataclass
class Fit:
    """The outcome of fitting one fiche: the step used (None: does not fit) and its pages."""

    step: int | None
    rendered: Rendered

    @property
    def fits(self) -> bool:
        return self.step is not None


def page_box(page):
    """The laid-out box tree of a WeasyPrint page (WeasyPrint 70 has no public name for it);
    BookletError on a WeasyPrint that keeps none: copyfitting cannot measure a page without
    it, and the build stops rather than print pages it could not fit."""
    try:
        return page._page_box
    except AttributeError:
        from importlib.metadata import version

        from booklet.errors import BookletError

        raise BookletError(
            f"WeasyPrint {version('weasyprint')} keeps no laid-out boxes on its pages, which "
            "booklet measures to fit each fiche on its page: install the WeasyPrint booklet "
            "was written for (pip install 'weasyprint==70.0')") from None


def _fiche_boxes(rendered: Rendered):
    """The page box of the first page and the boxes directly inside the fiche's <article>."""
    box = page_box(rendered.document.pages[0])
    return box, _article_boxes(box)


def _article_boxes(page_box) -> list:
    """The boxes of a page directly inside the fiche's <article>, and the article's."""
    boxes, found = list(page_box.children), []
    while boxes:  # down the block tree only: html, body, article
        box = boxes.pop()
        if box.element_tag == "article":
            found += [box, *getattr(box, "children", [])]
        elif box.element_tag in ("html", "body"):
            boxes.extend(getattr(box, "children", []))
    return found


def _section_characters(page) -> int:
    """How many characters of the six texts a page holds."""
    from weasyprint.formatting_structure.boxes import TextBox
    return sum(len(inner.text) for box in _article_boxes(page_box(page))
               if box.element is not None and "sections" in (box.element.get("class") or "").split()
               for inner in box.descendants() if isinstance(inner, TextBox))


def positioned_overflow(rendered: Rendered) -> bool:
    """Whether a positioned block of the fiche (the sidebar) was cut at the page's bottom.

    Positioned blocks do not push content to a next page: WeasyPrint cuts them
    at the page's end, so the page count alone would not show it. A block is
    whole when the last element it contains was laid out."""
    _, boxes = _fiche_boxes(rendered)
    for box in boxes:
        if box.style["position"] != "absolute" or box.element is None:
            continue
        last = list(box.element.iter())[-1]
        if not any(inner.element is last for inner in box.descendants()):
            return True
    return False


def fits(rendered: Rendered) -> bool:
    return len(rendered.document.pages) == 1 and not positioned_overflow(rendered)


def fit(render_at: Callable[[int], Rendered], steps: int,
        estimate: Callable[[Rendered, int], int | None] | None = None,
        fits: Callable[[Rendered], bool] = fits) -> Fit:
    """The first (largest) step at which `render_at(step)` fits on one page.

    Steps are ordered, so a search suffices. A rendering too long for its page predicts
    where the answer lies (`estimate(rendering, its step)`); the next step tried is that
    prediction when it is still open, else the step above the smallest that fits (the
    answer when the prediction was right), further up at each miss, else the first step
    that may fit, further down at each miss, else the middle of what is left. A good
    prediction costs three renderings in all (full size, the answer, and the step above
    it, which must not fit), whatever the number of steps."""
    first = render_at(0)
    if fits(first) or steps == 1:
        return Fit(0 if fits(first) else None, first)
    too_big, fitting, best, rendered, step, stride = 0, None, None, first, 0, 1
    while True:
        predicted = estimate(rendered, step) if estimate else None
        ceiling = steps if fitting is None else fitting  # the open range: too_big < step < ceiling
        if predicted is not None and too_big < predicted < ceiling:
            step = predicted
        elif fitting is None:  # nothing fits yet: further down, faster and faster
            step, stride = min(steps - 1, too_big + stride), stride * 2
        elif too_big == 0:  # nothing known too big but full size: back up, faster and faster
            step, stride = max(1, fitting - stride), stride * 2
        else:
            step = (too_big + fitting) // 2
        rendered = render_at(step)
        if fits(rendered):
            fitting, best = step, rendered
        else:
            too_big = step
        if fitting is not None and fitting - too_big == 1:
            return Fit(fitting, best)
        if fitting is None and too_big == steps - 1:
            return Fit(None, rendered)


def estimate_step(rendered: Rendered, step: int, steps: list[FitStep]) -> int | None:
    """The step at which the texts should just fit, from `rendered`, the fiche set at `step`
    and too long for its page (None for a page that fits, or whose texts fit and only the
    sidebar is too tall).

    Text in a column of fixed width takes a height proportional to size² × leading, its
    demand; the share of the texts a page holds grows faster than the demand shrinks
    (headings and the spaces between paragraphs do not shrink with it): as the demand's
    power `CAPACITY_EXPONENT`, measured on the default layout."""
    if len(rendered.document.pages) < 2:
        return None
    counts = [_section_characters(page) for page in rendered.document.pages]
    on_first, total = counts[0], sum(counts)
    if total == on_first:
        return None
    demand = [each.body_size_pt ** 2 * each.leading for each in steps]
    allowed = demand[step] * (on_first / total) ** (1 / CAPACITY_EXPONENT)
    return next((index for index, value in enumerate(demand) if value <= allowed),
                len(steps) - 1)


def overflow(rendered: Rendered) -> tuple[int, list[int]]:
    """Characters beyond the first page, and the numbers of the sections they belong to."""
    from weasyprint.formatting_structure.boxes import MarginBox, TextBox

    from booklet.project.model import SECTION_KEYS  # here: the worker processes never import pydantic else
    characters, sections = 0, set()
    for page in rendered.document.pages[1:]:
        content = [child for child in page_box(page).children if not isinstance(child, MarginBox)]
        for box in (box for child in content for box in child.descendants()):
            if isinstance(box, TextBox):
                characters += len(box.text.strip())
            classes = (box.element.get("class") or "").split() if box.element is not None else []
            for key in SECTION_KEYS:
                if f"section-{key}" in classes:
                    sections.add(SECTION_KEYS.index(key) + 1)
    return characters, sorted(sections)


def page_filled(rendered: Rendered) -> float:
    """How much of the first page's height the content uses (0 to 1)."""
    page_box, boxes = _fiche_boxes(rendered)
    top, height = page_box.content_box_y(), page_box.height
    bottom = max((box.position_y + box.margin_height() for box in boxes
                  if box.style["position"] != "fixed"), default=top)
    return (bottom - top) / height if height else 0.0

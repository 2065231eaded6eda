"""Copyfitting's plan: the sizes a fiche can be set at, and how its HTML says which.

The layout lists the steps (layouts/layout.yaml): body size first, then leading,
then photo height. A fiche's HTML is made once with a `FitMarker` where the step's
CSS goes; `at_step` sets it at one step. The search for the largest step that fits
is the renderer's (`render.fitting`).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from booklet.records import FitStep


def fit_steps(settings: dict) -> list[FitStep]:
    """From full size to the readable minimum: body size, then leading, then photo height."""
    sizes, leadings, photos = (
        [float(v) for v in settings[key]] for key in ("body_size_pt", "leading", "photo_height_mm"))
    steps = [FitStep(size, leadings[0], photos[0]) for size in sizes]
    steps += [FitStep(sizes[-1], leading, photos[0]) for leading in leadings[1:]]
    steps += [FitStep(sizes[-1], leadings[-1], photo) for photo in photos[1:]]
    return steps


class FitMarker:
    """Stands for the copyfit step while a fiche's HTML is made: the step's CSS replaces
    `CSS` afterwards. Fiche text is escaped, so it can never produce the marker."""

    CSS = "<booklet-fit/>"

    def css(self) -> Markup:
        return Markup(self.CSS)


def at_step(html: str, step: FitStep) -> str:
    """A fiche's HTML set at `step`."""
    return html.replace(FitMarker.CSS, str(escape(step.css())))


def describe_sections(numbers: list[int]) -> str:
    """'section 6', 'sections 5 and 6', 'sections 4 to 6'."""
    if not numbers:
        return "its sections"
    if len(numbers) == 1:
        return f"section {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"sections {numbers[0]} to {numbers[-1]}"
    return "sections " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"

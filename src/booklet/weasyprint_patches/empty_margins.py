"""Pages with nothing in their margins laid out without margin boxes.

For every page, WeasyPrint 70 (`layout.page.make_margin_boxes`) makes its sixteen
margin boxes, resolves their sizes and keeps those with content. A fiche page has none:
its footer is part of the page (`.folio` in booklet.css), so its margin boxes are all
`content: none` or `normal`; making them was 1.5 % of the time a fiche page takes.
`install` has a page whose margin boxes would all be empty skip them; any other page
gets WeasyPrint's own function.
"""

from __future__ import annotations

KEYWORDS = tuple(f"@{side}-{place}" for side, places in (
    ("top", ("left", "center", "right")), ("bottom", ("left", "center", "right")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom")))
    for place in places) + ("@top-left-corner", "@top-right-corner", "@bottom-left-corner",
                            "@bottom-right-corner")
"""The sixteen margin boxes of a page."""
EMPTY = ("normal", "inhibit", "none")
"""The values of `content` for which WeasyPrint generates no margin box."""


def install() -> bool:
    """Skip empty margins; False (nothing done) on another WeasyPrint. Idempotent."""
    from weasyprint import layout

    if getattr(layout.make_margin_boxes, "booklet", False):
        return True
    layout.make_margin_boxes = skipping(layout.make_margin_boxes)
    return True


def skipping(original):
    """`make_margin_boxes` that calls `original` only for a page with something in a margin."""

    def make_margin_boxes(context, page, state):
        styles = getattr(context.style_for, "_computed_styles", None)
        if styles is None:  # another WeasyPrint
            return original(context, page, state)
        for keyword in KEYWORDS:
            style = styles.get((page.page_type, keyword))  # what `style_for` looks up
            if style is not None and style["content"] not in EMPTY:
                return original(context, page, state)
        return iter(())

    make_margin_boxes.booklet = True
    make_margin_boxes.original = original
    return make_margin_boxes

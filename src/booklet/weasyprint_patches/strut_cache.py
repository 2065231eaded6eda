"""A style's strut (its line height and baseline) worked out once, not for every line.

WeasyPrint 70 (`text.line_break.strut`) caches struts by a key it builds from fourteen
font properties of the style, formatted as a string, at every call: twice a line, and
1.7 % of the time a fiche page takes. The strut depends only on the style's computed
values, which do not change once computed (WeasyPrint changes a style by copying it
first), so `install` keeps each style's strut on the style itself.
"""

from __future__ import annotations

_STRUT = "_booklet_strut"
"""The attribute a style keeps its strut in."""
MODULES = ("weasyprint.text.line_break", "weasyprint.layout.inline", "weasyprint.css.units",
           "weasyprint.css.computed_values")
"""WeasyPrint's modules that call `strut` by the name they import."""


def install() -> bool:
    """Keep struts; False (nothing done) on another WeasyPrint. Idempotent."""
    from weasyprint.text import line_break

    if getattr(line_break.strut, "booklet", False):
        return True
    replace(line_break.strut, keeping(line_break.strut))
    return True


def keeping(original):
    """`strut` that asks `original` once for each style."""

    def strut(style):
        kept = style.__dict__.get(_STRUT)
        if kept is None:
            kept = style.__dict__[_STRUT] = original(style)
        return kept

    strut.booklet = True
    strut.original = original
    return strut


def replace(old, new) -> None:
    """Have WeasyPrint's modules call `new` where they called `old`."""
    import importlib

    for name in MODULES:
        module = importlib.import_module(name)
        if getattr(module, "strut", None) is old:
            module.strut = new

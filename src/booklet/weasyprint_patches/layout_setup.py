"""Pango's set-up for a style made once, not for every line laid out or drawn.

WeasyPrint 70 makes a Pango layout (`text.line_break.Layout.setup`) each time it
shapes text: several times for each line while breaking lines, and again to draw
it. Each time it also makes what depends on the style alone: a Pango context with
the text's language and direction, a font description, and the OpenType features:
3 % of the time a fiche page takes. `install` replaces that method with a copy that
keeps those on the style (whose computed values do not change: WeasyPrint changes a
style by copying it first) and makes only the layout itself, and its attribute list,
which WeasyPrint changes afterwards, anew. A context is shared by the layouts of one
style, as Pango allows; nothing changes it after it is made.
"""

from __future__ import annotations

_PREPARED = "_booklet_pango"
"""The attribute a style keeps its Pango set-up in."""


def install() -> bool:
    """Set up layouts from what their style keeps; False (nothing done) on another
    WeasyPrint. Idempotent."""
    from weasyprint.text import line_break

    if getattr(line_break.Layout.setup, "booklet", False):
        return True
    setup.original = line_break.Layout.setup
    line_break.Layout.setup = setup
    return True


def setup(self, style) -> None:
    """`Layout.setup`: the Pango layout of `self`, for `style`."""
    from weasyprint.text.ffi import ffi, gobject, pango

    self.style = style
    self.first_line_direction = 0
    prepared = style.__dict__.get(_PREPARED)
    if prepared is None:
        prepared = style.__dict__[_PREPARED] = _prepare(style)
    context, self.language, font_description, decoration, features = prepared
    self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, font_description)
    (self.ascent, self.underline_position, self.strikethrough_position,
     self.underline_thickness, self.strikethrough_thickness) = decoration
    if features:
        cache = style.font_config.font_features  # WeasyPrint's, shared with its own layouts
        attribute = cache.get(features)
        if attribute is None:
            attribute = cache[features] = pango.pango_attr_font_features_new(features)
        attributes = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attributes, attribute)
        pango.pango_layout_set_attributes(self.layout, attributes)


setup.booklet = True


def _prepare(style) -> tuple:
    """What a layout for `style` needs that depends on the style alone, as WeasyPrint 70's
    `Layout.setup` makes it: the Pango context, the language, the font description, the
    decoration metrics (ascent, underline and strikethrough position and thickness, or
    Nones) and the OpenType features (bytes, or None)."""
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features, get_font_description

    context = ffi.gc(pango.pango_font_map_create_context(style.font_config.font_map),
                     gobject.g_object_unref)
    pango.pango_context_set_round_glyph_positions(context, False)
    pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
    override = style["font_language_override"]
    lang = (LST_TO_ISO.get(override.lower(), override) if override != "normal"
            else style["lang"] or None)
    if lang:
        language_p, _ = unicode_to_char_p(lang)
        language = pango.pango_language_from_string(language_p)
        pango.pango_context_set_language(context, language)
    else:
        language = pango.pango_language_get_default()
    font_description = get_font_description(style)
    decoration = (None, None, None, None, None)
    if style["text_decoration_line"] != "none":
        metrics = ffi.gc(pango.pango_context_get_metrics(context, font_description, language),
                         pango.pango_font_metrics_unref)
        decoration = tuple(FROM_UNITS * getter(metrics) for getter in (
            pango.pango_font_metrics_get_ascent, pango.pango_font_metrics_get_underline_position,
            pango.pango_font_metrics_get_strikethrough_position,
            pango.pango_font_metrics_get_underline_thickness,
            pango.pango_font_metrics_get_strikethrough_thickness))
    features = font_features(
        style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
        style["font_variant_caps"], style["font_variant_numeric"],
        style["font_variant_alternates"], style["font_variant_east_asian"],
        style["font_feature_settings"])
    features = (",".join(f"{key} {value}" for key, value in features.items()).encode()
                if features else None)
    return context, language, font_description, decoration, features

"""Stage 1, the project: fiches and booklet.yaml read with their positions, validated, preflighted.

`sources` reads YAML keeping every value's line and column; `model` is the schema;
`loading` reads a whole project; `names` finds a fiche by name, `localized` picks a
value's text for an edition; `preflight` and `glyph_coverage` find what would print wrong
before anything is laid out. Nothing here knows about pages.
"""

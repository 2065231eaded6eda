"""Stage 3, rendering: one part's HTML laid out by WeasyPrint into a small PDF of its own.

`renderer` runs WeasyPrint with booklet's fonts, a fetcher that reads only the project's
files, and the patches of `weasyprint_patches`; `part` renders a part (a fiche at the
largest size that fits, `fitting`); `lean_structure` and `part_finish` finish its PDF
on WeasyPrint's own objects; `setup` keys what every part is rendered with.
"""

"""booklet: fiches of French and Japanese collectivités in, the Rencontres brochure out.

The packages are the stages, each importing only those before it:

    project → compose → render (with weasyprint_patches) → pdf → building → web, commands, cli

`records` holds the plain data that crosses them (a part's job, record and labels);
`errors`, `keys`, `atomic`, `languages` and `resources` serve them all; `importing` turns
questionnaires into fiches.
"""

__version__ = "0.1.0"

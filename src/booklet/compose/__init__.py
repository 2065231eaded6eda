"""Stage 2, composition: the booklet's order, each edition's parts as HTML, and their keys.

`order` sorts the fiches and numbers their pages; `text` and `templating` make each
part's HTML with the layout; `copyfit` lists the sizes a fiche can be set at;
`editions` plans every part of an edition as a `records.PartJob` and reads back what
rendering found as findings. Nothing here imports WeasyPrint.
"""

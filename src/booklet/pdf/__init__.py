"""Stage 4, PDF: the booklet assembled from its parts' PDFs, fonts merged, finished for print.

`assembly` copies the parts' pages, structure, links and outline into one booklet
(pikepdf); `font_merge` and `own_fonts` subset each face once; `print_finish` and
`print_preflight` make and check the print shop's PDF/X; `impose` lays pages out on
sheets; `compression` sets how qpdf compresses; `text_operators`, `marked_content` and
`pydyf_objects` read and rewrite PDF content. Nothing here imports WeasyPrint.
"""

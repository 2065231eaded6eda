"""The browser side: `booklet serve`'s page, the fiche editor's API, uploads.

`server` serves dist/ and rebuilds on change; `editor_api`, `fiche_edits` and `uploads`
read and write fiches and images for the editor. The static pages are in `site/`.
"""

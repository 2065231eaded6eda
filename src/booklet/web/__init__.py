"""The browser side: `booklet serve`'s page, the fiche editor's API, uploads, the download page.

`server` serves dist/ and rebuilds on change; `editor_api`, `fiche_edits` and `uploads`
read and write fiches and images for the editor; `download_page` is the page of
every PDF. The static pages are in `site/`.
"""

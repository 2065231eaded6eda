"""Stage 5, the build: every stage run in order, on worker processes, with a page cache.

`builder` is the engine (`Builder`), made of `checks`, `scheduling`, `front_matter` and
`publishing`, with what a build produced in `laid_out`; `workers` is what the worker
processes run; `page_cache` keeps every part rendered; `outputs` puts files in place
atomically; `download_page` writes dist/index.html, the page of every PDF; `rebuilding`
builds again on change (`--watch`, `serve`).
"""

"""The key of a build's setup: everything besides a part's own content that reaches its page.

Computed by the building process, which never imports WeasyPrint: the setup key is
part of every part's key (`keys.part_key`).
"""

from __future__ import annotations

import json
from importlib.metadata import version

from booklet import __version__
from booklet.compose.templating import Layout
from booklet.keys import digest, file_digest
from booklet.records import RenderSetup
from booklet.resources import FONTS_DIR, PACKAGE_DIR
from booklet.weasyprint_patches import registry


def setup_key(setup: RenderSetup, layout: Layout) -> str:
    """Everything about `setup` that reaches a page: the versions of booklet (and its code,
    every module of the package: a changed module renders every part again) and of
    WeasyPrint, pikepdf and HarfBuzz, which of booklet's WeasyPrint patches apply, the paper
    and PDF kind, and the content of every layout file and font."""
    files = sorted({path for folder in (*layout.dirs, FONTS_DIR)
                    for path in folder.rglob("*") if path.is_file()})
    code = sorted(PACKAGE_DIR.rglob("*.py"))
    return digest(json.dumps([
        __version__, [version(name) for name in ("weasyprint", "pikepdf", "uharfbuzz")],
        registry.state(), setup.paper, setup.for_print,
        [(str(path), file_digest(path)) for path in files],
        [(str(path.relative_to(PACKAGE_DIR)), file_digest(path)) for path in code]]))

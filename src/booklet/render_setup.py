"""What every part of a build is rendered with, and what WeasyPrint's messages are about.

Plain data, shared by the build (which keys parts by it) and the worker
processes (which make their renderer from it); nothing here imports WeasyPrint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from . import __version__
from .page_cache import digest, file_digest
from .templating import FONTS_DIR, PACKAGE_DIR, Layout

SCREEN_VARIANT = "pdf/ua-1"  # tagged for screen readers, with bookmarks and metadata
PRINT_VARIANT = "pdf/x-4"  # keeps RGB colours and transparency, unlike PDF/X-1a (see docs)


@dataclass(frozen=True)
class RenderSetup:
    """What every part of a build is rendered with, as plain data a worker process can rebuild
    its `Renderer` from: the project (its layout and images), the paper, and the PDF kind."""

    project_root: Path
    paper: str = "A4"
    for_print: bool = False
    date: str | None = None
    """The PDFs' creation date (from SOURCE_DATE_EPOCH); None: no date, reproducible bytes."""

    @property
    def variant(self) -> str:
        return PRINT_VARIANT if self.for_print else SCREEN_VARIANT

    def key(self, layout: Layout) -> str:
        """Everything about the setup that reaches a page: the versions of booklet (and its
        code: a changed module renders every part again) and of WeasyPrint, pikepdf and
        HarfBuzz, the paper and PDF kind, and the content of every layout file and font."""
        files = sorted({path for folder in (*layout.dirs, FONTS_DIR)
                        for path in folder.rglob("*") if path.is_file()})
        code = sorted(PACKAGE_DIR.glob("*.py"))
        return digest(json.dumps([
            __version__, [version(name) for name in ("weasyprint", "pikepdf", "uharfbuzz")],
            self.paper, self.for_print,
            [(str(path), file_digest(path)) for path in files],
            [(path.name, file_digest(path)) for path in code]]))


def classify(message: str) -> str:
    """What a WeasyPrint message is about: 'missing-glyph', 'refused' (a file outside the
    project was asked for) or 'other'."""
    if ".notdef glyph" in message:
        return "missing-glyph"
    if "refused to read" in message:
        return "refused"
    return "other"

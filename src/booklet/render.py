"""Stage 5, render: HTML to laid-out pages with WeasyPrint, reading only allowed files.

One FontConfiguration and one parse of each stylesheet serve every document of
a build. WeasyPrint's log is part of the result: what it says while a
document is rendered comes back with that document, so the caller can turn
missing glyphs or refused files into findings.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import mimetypes
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .cache import file_digest
from .layouts import DEFAULT_LAYOUT_DIR, FONTS_DIR, Layout

FONTS_STYLESHEET = FONTS_DIR / "fonts.css"
# For the print shop: bleed, crop marks, and the colour space of the PDF/X output intent
# (sRGB2014.icc, the ICC's freely redistributable sRGB profile, in the layout folder).
PRINT_STYLESHEET = ("@page { bleed: 3mm; marks: crop; } "
                    "@color-profile --output-intent { src: url(sRGB2014.icc); "
                    "components: r, g, b; }")
OUTPUT_INTENT = "--output-intent"
SCREEN_VARIANT = "pdf/ua-1"  # tagged for screen readers, with bookmarks and metadata
PRINT_VARIANT = "pdf/x-4"  # keeps RGB colours and transparency, unlike PDF/X-1a (see docs)


class RefusedURL(ValueError):
    """A document asked for something outside the project and the package."""


class SafeFetcher(URLFetcher):
    """Serves `data:` URLs and files under the allowed folders; refuses everything else."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed = [path.resolve() for path in allowed]
        self.reads: dict[Path, str] = {}
        """The files served since this was last emptied, with the SHA-256 of what was served."""

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed) and path.is_file():
                content = path.read_bytes()
                self.reads[path] = hashlib.sha256(content).hexdigest()
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, content, {"Content-Type": content_type})
        raise RefusedURL(f"refused to read {url}: only files inside the project folder are used")


@dataclass
class Rendered:
    """A laid-out document, what WeasyPrint reported while making it, and the files it read."""

    document: Document
    messages: list[str]
    inputs: frozenset[tuple[Path, str]] = frozenset()
    """The files it read, with the SHA-256 of the content it used."""


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _captured_log():
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate


class Renderer:
    """Renders HTML strings of one project with its layout; reuse it for every document."""

    def __init__(self, layout: Layout, project_root: Path, paper: str = "A4",
                 for_print: bool = False):
        self.base_url = project_root.resolve().as_uri() + "/"
        self.fetcher = SafeFetcher([project_root, *layout.dirs, FONTS_DIR])
        self.font_config = FontConfiguration()
        files = [FONTS_STYLESHEET, layout.stylesheet, *layout.paper_stylesheets(paper)]
        stylesheets = {path: file_digest(path) for path in files}  # before they are read
        with _captured_log() as messages:
            self.stylesheets = [
                CSS(filename=path, font_config=self.font_config, url_fetcher=self.fetcher)
                for path in files
            ]
            self.color_profiles: dict = {}
            if for_print:
                self.stylesheets.append(CSS(
                    string=PRINT_STYLESHEET, base_url=DEFAULT_LAYOUT_DIR.as_uri() + "/",
                    font_config=self.font_config, url_fetcher=self.fetcher,
                    color_profiles=self.color_profiles))
        self.output_intent = OUTPUT_INTENT if for_print else None
        self.stylesheet_messages = messages
        self.inputs = frozenset({**stylesheets, **self.fetcher.reads}.items())
        """The files the stylesheets are made of (with the fonts they load)."""

    def render(self, html: str) -> Rendered:
        self.fetcher.reads = {}
        with _captured_log() as messages:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets,
                color_profiles=self.color_profiles, output_intent=self.output_intent)
        return Rendered(document, messages, frozenset(self.fetcher.reads.items()))


def write_pdf(documents: list[Document], target, date: str | None = None,
              variant: str | None = None, labels: list[tuple[int, dict]] | None = None) -> None:
    """All pages of `documents`, in order, as one PDF; metadata from the first document.

    `date` (W3C format) becomes the PDF's creation and modification date; without
    it the PDF has none, so that the same input always gives the same bytes.
    `variant` is a WeasyPrint PDF variant; `labels` are the page labels a PDF
    viewer shows, as (first page index, {"S": "D", "St": 2} or {"P": "Cover"})."""
    pages = [page for document in documents for page in document.pages]
    combined = documents[0].copy(pages)
    if date:
        combined.metadata = copy.copy(combined.metadata)
        combined.metadata.created = combined.metadata.modified = date
    combined.write_pdf(target, pdf_variant=variant,
                       finisher=_page_labels(labels) if labels else None)


def _page_labels(labels: list[tuple[int, dict]]):
    """A WeasyPrint finisher that sets the catalog's /PageLabels."""
    import pydyf

    def finish(document, pdf) -> None:
        numbers = pydyf.Array()
        for index, label in labels:
            entry = pydyf.Dictionary()
            if "S" in label:
                entry["S"] = f"/{label['S']}"
                entry["St"] = label.get("St", 1)
            if "P" in label:
                entry["P"] = pydyf.String(label["P"])
            numbers.extend([index, entry])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})

    return finish

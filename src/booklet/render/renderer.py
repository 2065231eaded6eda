"""HTML to laid-out pages and PDFs with WeasyPrint, reading only allowed files.

One FontConfiguration and one parse of each stylesheet serve every document
a process renders. WeasyPrint's log is part of the result: what it says while a
document is rendered comes back with that document, so the caller can turn
missing glyphs or refused files into findings.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import mimetypes
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from booklet.weasyprint_patches import fast_import  # noqa: F401 (first: WeasyPrint found fast)

# isort: split
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from booklet.compose.templating import Layout
from booklet.records import FinishedPart, Label, PartFacts, RenderSetup
from booklet.render import lean_structure, part_finish
from booklet.resources import DEFAULT_LAYOUT_DIR, FONTS_DIR
from booklet.weasyprint_patches import document_id, japanese_lines, registry
from booklet.weasyprint_patches.placeholder_fonts import PlaceholderFonts

FONTS_STYLESHEET = FONTS_DIR / "fonts.css"
# For the print shop: bleed, and the colour space of the PDF/X output intent (sRGB2014.icc,
# the ICC's freely redistributable sRGB profile, in the layout folder). The marks are drawn
# outside the bleed when the booklet is assembled (`print_finish`), which also sets the
# printing condition's output intent.
PRINT_STYLESHEET = ("@page { bleed: 3mm; marks: none; } "
                    "@color-profile --output-intent { src: url(sRGB2014.icc); "
                    "components: r, g, b; }")
OUTPUT_INTENT = "--output-intent"


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

    def __init__(self, layout: Layout, setup: RenderSetup):
        project_root, paper, for_print = setup.project_root, setup.paper, setup.for_print
        self.setup = setup
        self.patches = registry.install()
        """Which entries of `weasyprint_patches.registry` are in use."""
        self.base_url = project_root.resolve().as_uri() + "/"
        self.fetcher = SafeFetcher([project_root, *layout.dirs, FONTS_DIR])
        self.font_config = FontConfiguration()
        files = [FONTS_STYLESHEET, layout.stylesheet, *layout.paper_stylesheets(paper)]
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
        for profile in self.color_profiles.values():
            profile.name  # noqa: B018 (LittleCMS encodes a profile anew once its name is read:
            # read it now, so that every document embeds the same bytes, the first one too)
        self.output_intent = OUTPUT_INTENT if for_print else None
        self.stylesheet_messages = messages
        self.placeholders = (PlaceholderFonts(layout.font_dirs)
                             if self.patches["placeholder_fonts"] else None)
        self.font_dirs = layout.font_dirs
        self.hanging_punctuation = layout.hanging_punctuation

    def render(self, html: str) -> Rendered:
        self.fetcher.reads = {}
        if self.patches["japanese_lines"]:
            japanese_lines.options.hanging_punctuation = self.hanging_punctuation
        with _captured_log() as messages:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets,
                color_profiles=self.color_profiles, output_intent=self.output_intent)
        return Rendered(document, messages, frozenset(self.fetcher.reads.items()))

    def write_pdf(self, document: Document, labels: tuple[Label, ...] = (),
                  borrowed: frozenset[str] = frozenset(), identity: str = "") -> FinishedPart:
        """The pages of `document` as a finished part (`part_finish`): a PDF of the setup's
        kind (tagged for screens, or PDF/X-4), dated as the setup says, with `labels` as its
        page labels and the links to the `borrowed` anchors taken out. `identity` (what the
        part is: the event, its edition, kind and name) gives a PDF/X its XMP DocumentID, where WeasyPrint
        draws a random one (`weasyprint_patches.document_id`): the same part, and the booklet
        made of it, are then the same bytes at every build, and a new version of a page keeps
        its document's identity.

        The faces of the layout's and booklet's font folders get a placeholder instead of
        their subset (`weasyprint_patches.placeholder_fonts`; the assembly, or `own_fonts`,
        gives them one). The part is finished on WeasyPrint's own objects (`lean_structure`,
        `part_finish.finish`), then written compressed, once."""
        if self.setup.date:
            document.metadata = copy.copy(document.metadata)
            document.metadata.created = document.metadata.modified = self.setup.date
        facts: list[PartFacts] = []
        placeholders = (self.placeholders.while_writing() if self.placeholders is not None
                        else nullcontext({}))
        identified = (document_id.derived_from(identity) if self.patches["document_id"]
                      else nullcontext())
        with placeholders as placeholder_faces, identified:
            content = document.write_pdf(pdf_variant=self.setup.variant, finisher=_finisher(
                labels, borrowed, placeholder_faces, facts.append))
        return FinishedPart(content, facts[0].links, facts[0].fonts)

def _finisher(labels: tuple[Label, ...], borrowed: frozenset[str], placeholders: dict[str, str],
              noted: Callable[[PartFacts], None]) -> Callable:
    """A WeasyPrint finisher: the structure tree made lean (`lean_structure`), the part
    finished (`part_finish.finish`: the `borrowed` anchors' links out, what it took out and
    its fonts `noted`), and the catalog's /PageLabels set to `labels`, if any."""
    label = page_labels(labels) if labels else None

    def finish(document, pdf) -> None:
        lean_structure.make_lean(pdf)
        noted(part_finish.finish(pdf, set(borrowed), placeholders))
        if label is not None:
            label(document, pdf)

    return finish


def page_labels(labels: tuple[Label, ...]) -> Callable:
    """A WeasyPrint finisher that sets the catalog's /PageLabels."""
    import pydyf

    def finish(document, pdf) -> None:
        numbers = pydyf.Array()
        for label in labels:
            entry = pydyf.Dictionary()
            if label.start is not None:
                entry["S"], entry["St"] = "/D", label.start
            if label.prefix is not None:
                entry["P"] = pydyf.String(label.prefix)
            numbers.extend([label.index, entry])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": numbers})

    return finish

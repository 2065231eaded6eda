"""Stage 5, render: HTML to laid-out pages and PDFs with WeasyPrint, reading only allowed files.

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
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import weasyprint_import  # noqa: F401 (first: WeasyPrint's libraries found fast)

# isort: split
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import (
    empty_margins,
    first_line_guess,
    glyph_drawing,
    html_parser_cache,
    japanese_lines,
    layout_setup,
    lean_structure,
    part_pdf,
    strut_cache,
)
from .font_merge import font_files, name_table_postscript_name, outline_font_head
from .part_pdf import FinishedPart, PartFacts
from .pdf_assembly import Label
from .render_setup import RenderSetup
from .templating import DEFAULT_LAYOUT_DIR, FONTS_DIR, Layout

FONTS_STYLESHEET = FONTS_DIR / "fonts.css"
# For the print shop: bleed, and the colour space of the PDF/X output intent (sRGB2014.icc,
# the ICC's freely redistributable sRGB profile, in the layout folder). The marks are drawn
# outside the bleed when the booklet is assembled (`print_finish`), which also sets the
# printing condition's output intent.
PRINT_STYLESHEET = ("@page { bleed: 3mm; marks: none; } "
                    "@color-profile --output-intent { src: url(sRGB2014.icc); "
                    "components: r, g, b; }")
OUTPUT_INTENT = "--output-intent"
first_line_guess.install()  # before japanese_lines, which wraps it: less text shaped a Japanese line
JAPANESE_LINES = japanese_lines.install()
"""Japanese lines justified between characters, punctuation spaced (False: not this WeasyPrint)."""
html_parser_cache.install()  # tinyhtml5 compiles its expressions once: half of a page's parse
glyph_drawing.install()  # lines drawn from Pango's glyphs read at once, their TJ arrays compact
empty_margins.install()  # a fiche page's sixteen empty margin boxes are not made
strut_cache.install()  # each style's line height worked out once, not twice a line
layout_setup.install()  # each style's Pango context, font and features made once


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
        self.font_heads = {name: head for name, path in font_files(layout.font_dirs).items()
                           if (head := outline_font_head(path)) is not None}
        """The first four bytes (the kind of outlines) of each font file of the font folders
        that can get a placeholder, by PostScript name."""
        self.font_names: dict[bytes, str | None] = {}
        """PostScript names by name table."""
        self.font_dirs = layout.font_dirs
        self.hanging_punctuation = layout.hanging_punctuation

    def render(self, html: str) -> Rendered:
        self.fetcher.reads = {}
        japanese_lines.options.hanging_punctuation = self.hanging_punctuation
        with _captured_log() as messages:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=self.stylesheets,
                color_profiles=self.color_profiles, output_intent=self.output_intent)
        return Rendered(document, messages, frozenset(self.fetcher.reads.items()))

    def write_pdf(self, document: Document, labels: tuple[Label, ...] = (),
                  borrowed: frozenset[str] = frozenset(), identity: str = "") -> FinishedPart:
        """The pages of `document` as a finished part (`part_pdf`): a PDF of the setup's kind
        (tagged for screens, or PDF/X-4), dated as the setup says, with `labels` as its page
        labels and the links to the `borrowed` anchors taken out. `identity` (the part's
        cache key) gives a PDF/X its XMP DocumentID, where WeasyPrint draws a random one: the
        same part, and the booklet made of it, are then the same bytes at every build.

        The faces of the layout's and booklet's font folders get a placeholder instead of
        their subset (the assembly, or `own_fonts`, gives them one): subsetting a CJK face
        for each part was a fifth of the time a page took. The part is finished on
        WeasyPrint's own objects (`lean_structure`, `part_pdf.finish`), then written
        compressed, once."""
        if self.setup.date:
            document.metadata = copy.copy(document.metadata)
            document.metadata.created = document.metadata.modified = self.setup.date
        facts: list[PartFacts] = []
        with self._placeholder_fonts() as placeholders, _document_id(identity):
            content = document.write_pdf(pdf_variant=self.setup.variant, finisher=_finisher(
                labels, borrowed, placeholders, facts.append))
        return FinishedPart(content, facts[0].links, facts[0].fonts)

    @contextmanager
    def _placeholder_fonts(self):
        """While WeasyPrint writes a PDF: the faces of the font folders that WeasyPrint would
        subset are embedded as 4-byte placeholders, and their files are not copied into
        memory for it (16 MB for each CJK face); yields {BaseFont: source PostScript name}."""
        from weasyprint.pdf import fonts

        placeholders: dict[str, str] = {}
        subset, whole_file = fonts.Font.clean, fonts.get_hb_object_data

        def font_file(hb_object, *args, **kwargs):
            name = None if args or kwargs else self._face_name(hb_object)
            return self.font_heads[name] if name in self.font_heads else whole_file(
                hb_object, *args, **kwargs)

        def clean(font, to_unicode, hinting):
            name = self._face_name(font.hb_face)
            if (name not in self.font_heads or not to_unicode or font.missing
                    or font.used_in_forms or font.png or font.svg or font.colr
                    or "fvar" in font.tables):
                if name in self.font_heads:
                    font.file_content = whole_file(font.hb_face)
                return subset(font, to_unicode, hinting)
            placeholders[font.name.decode()] = name

        fonts.Font.clean, fonts.get_hb_object_data = clean, font_file
        try:
            yield placeholders
        finally:
            fonts.Font.clean, fonts.get_hb_object_data = subset, whole_file

    def _face_name(self, hb_face) -> str | None:
        """The PostScript name of a HarfBuzz face, from its name table."""
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"name", -1))
        try:
            with ffi.new("unsigned int *") as length:
                data = harfbuzz.hb_blob_get_data(blob, length)
                table = b"" if data == ffi.NULL else ffi.unpack(data, int(length[0]))
        finally:
            harfbuzz.hb_blob_destroy(blob)
        if table not in self.font_names:
            self.font_names[table] = name_table_postscript_name(table)
        return self.font_names[table]


@contextmanager
def _document_id(identity: str):
    """While WeasyPrint writes a PDF/X: its XMP DocumentID derived from `identity`."""
    from weasyprint.pdf import metadata

    random = getattr(metadata, "uuid4", None)
    if random is None:  # another WeasyPrint: its own DocumentID
        yield
        return
    derived = uuid.UUID(bytes=hashlib.sha256(identity.encode()).digest()[:16], version=4)
    metadata.uuid4 = lambda: derived
    try:
        yield
    finally:
        metadata.uuid4 = random


def _finisher(labels: tuple[Label, ...], borrowed: frozenset[str], placeholders: dict[str, str],
              noted: Callable[[PartFacts], None]) -> Callable:
    """A WeasyPrint finisher: the structure tree made lean (`lean_structure`), the part
    finished (`part_pdf.finish`: the `borrowed` anchors' links out, what it took out and
    its fonts `noted`), and the catalog's /PageLabels set to `labels`, if any."""
    label = page_labels(labels) if labels else None

    def finish(document, pdf) -> None:
        lean_structure.make_lean(pdf)
        noted(part_pdf.finish(pdf, set(borrowed), placeholders))
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

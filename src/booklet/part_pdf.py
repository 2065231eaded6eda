"""A part's PDF as WeasyPrint wrote it, finished: what the booklet and its reader need.

In one pass with pikepdf, on a PDF whose structure tree WeasyPrint's finisher already
made lean (`lean_structure`: no plain spans, no wrapping groups, a paragraph's lines in
one marked-content sequence):

- the links to other parts come out (a collectivité's own PDF has no dead
  link) and are described for the assembly, which puts them back;
- text-showing operators are written compactly (`compact_text`);
- the glyphs each font face uses are noted, for the booklet's font merge;
- a fiche's part also gets its collectivité's own PDF: the same, with fonts
  of its own (`own_fonts`) where the part has placeholders.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

from .compact_text import compact_text
from .font_merge import font_facts, font_files
from .own_fonts import give_own_fonts
from .pdf_assembly import LINK_ID

if TYPE_CHECKING:
    from .render import WrittenPart

BLANKS = {" ", "\u00a0", "\u202f", "\u3000"}
"""The spaces (their glyphs draw nothing) whose offsets `compact_text` may move."""


@dataclass
class FinishedPart:
    """A part's PDF for the booklet's assembly, and what goes with it."""

    content: bytes
    links: list[dict]
    """The links taken out of it (`_detach_links`)."""
    fonts: dict
    """Its `font_merge.font_facts`."""
    own: bytes | None
    """For a fiche, when asked: the collectivité's own PDF (`own_copy`)."""


def finish(written: WrittenPart, borrowed: list[str], font_dirs: tuple[Path, ...],
           own: bool = False) -> FinishedPart:
    """The finished part of a PDF as WeasyPrint wrote it, with its collectivité's own PDF
    when `own`."""
    pdf = pikepdf.open(io.BytesIO(written.content))
    links = _detach_links(pdf, set(borrowed)) if borrowed else []
    fonts = font_facts(pdf, written.placeholders)
    blanks = {face: [b"%04x" % glyph for glyph, text in facts["text"] if text in BLANKS]
              for face, facts in fonts.items()}
    for page in pdf.pages:
        _compact_text(page, blanks)
    content = _saved(pdf)
    return FinishedPart(content, links, fonts, own_copy(content, fonts, font_dirs) if own else None)


def own_copy(part: bytes, fonts: dict, font_dirs: tuple[Path, ...]) -> bytes:
    """The collectivité's own PDF made from its finished part (`fonts`: the part's
    `font_merge.font_facts`): the placeholder fonts replaced by subsets of their own. Made
    from the part's file, so the same whether the part was just rendered or cached."""
    files = font_files(font_dirs)
    with pikepdf.open(io.BytesIO(part)) as pdf:
        give_own_fonts(pdf, {face: files[facts["source"]] for face, facts in fonts.items()
                             if "source" in facts})
        return _saved(pdf)


def _saved(pdf: pikepdf.Pdf) -> bytes:
    """`pdf` written compactly: its objects in compressed object streams, and every stream
    left uncompressed (WeasyPrint writes parts so) compressed."""
    output = io.BytesIO()
    pdf.save(output, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return output.getvalue()


def _detach_links(pdf: pikepdf.Pdf, borrowed: set[str]) -> list[dict]:
    """Remove the `borrowed` anchors, and the links to them: each link's structure element
    becomes a /Span marked with an /ID, for the assembly to make it a /Link again."""
    dests = pdf.Root.Names.Dests
    names = dests.Names
    dests.Names = pikepdf.Array([item for i in range(0, len(names), 2)
                                 if str(names[i]) not in borrowed
                                 for item in (names[i], names[i + 1])])
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:  # the stand-in anchors' empty elements
        for document in tree.K:
            document.K = pikepdf.Array([kid for kid in document.K if len(kid.get("/K", [1]))])
    links = []
    for number, page in enumerate(pdf.pages):
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            target = annotation.get("/Dest")
            if not isinstance(target, pikepdf.String) or str(target) not in borrowed:
                kept.append(annotation)
                continue
            link = {"page": number, "target": str(target),
                    "rect": [float(v) for v in annotation.Rect]}
            if tree is not None and "/StructParent" in annotation:
                link.update(_untag(tree, annotation, f"{LINK_ID}{len(links)}"))
            links.append(link)
        if len(kept) != len(annotations):
            if kept:
                page.obj.Annots = kept
            else:
                del page.obj["/Annots"]
    return links


def _untag(tree: pikepdf.Dictionary, annotation: pikepdf.Dictionary, link_id: str) -> dict:
    """Detach `annotation` from its /Link structure element, which becomes a /Span with
    `link_id`; and remove its entry from the parent tree."""
    number = int(annotation.StructParent)
    nums = tree.ParentTree.Nums
    for i in range(0, len(nums), 2):
        if int(nums[i]) == number:
            element = nums[i + 1]
            del nums[i:i + 2]
            break
    else:
        return {}
    element.K = pikepdf.Array([kid for kid in element.K if not (
        isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"
        and kid.Obj.objgen == annotation.objgen)])
    element.S = pikepdf.Name.Span
    element.ID = pikepdf.String(link_id)
    return {"id": link_id, "mcid": _first_mcid(element)}


def _first_mcid(element) -> int | None:
    """A marked-content id inside a structure element: the parent tree leads from it back
    up to the element."""
    for kid in element.get("/K", []):
        if isinstance(kid, int):
            return int(kid)
        if isinstance(kid, pikepdf.Dictionary):
            found = int(kid.MCID) if "/MCID" in kid else _first_mcid(kid)
            if found is not None:
                return found
    return None


def _compact_text(page: pikepdf.Page, blanks: dict[str, list[bytes]]) -> None:
    """Write the page's text operators compactly (`compact_text`; `blanks`: the codes of
    each face's spaces, by BaseFont)."""
    contents = page.obj.get("/Contents")
    if not isinstance(contents, pikepdf.Stream):
        return
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if resources is not None else None
    two_byte = {str(name)[1:].encode() for name, font in (fonts.items() if fonts else [])
                if font.get("/Subtype") == "/Type0" and font.get("/Encoding") == "/Identity-H"}
    spaces = {str(name)[1:].encode(): blanks.get(str(font.get("/BaseFont")), [])
              for name, font in (fonts.items() if fonts else [])}
    data = contents.read_bytes()
    compact = compact_text(data, two_byte, spaces)
    if compact != data:
        contents.write(zlib.compress(compact, 9), filter=pikepdf.Name.FlateDecode)

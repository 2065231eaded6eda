"""A part's PDF finished while WeasyPrint still holds it as pydyf objects: what the booklet
and its reader need.

In `Renderer.write_pdf`'s finisher, after `lean_structure` (no plain spans, no
wrapping groups, a paragraph's lines in one marked-content sequence), before
WeasyPrint writes the part compressed:

- the links to other parts come out (a collectivité's own PDF has no dead
  link) and are described for the assembly, which puts them back;
- the glyphs each font face uses are noted, for the booklet's font merge;
- text-showing operators are written compactly (`compact_text`).

Done with pikepdf on the written part, opening and saving it again took 8.0 ms a
French fiche page; here it costs what editing dictionaries costs. A fiche's part also
gets its collectivité's own PDF (`own_copy`): the same, with fonts of its own
(`own_fonts`) where the part has placeholders.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pydyf

from booklet.pdf import compression
from booklet.pdf.font_merge import font_files, mergeable, parse_to_unicode, parse_widths
from booklet.pdf.own_fonts import give_own_fonts
from booklet.pdf.pydyf_objects import drop, pages, resolver, stream_content, written_number
from booklet.pdf.text_operators import BLANKS, compact_text
from booklet.records import LINK_ID, PartFacts

"""The spaces (their glyphs draw nothing) whose offsets `compact_text` may move."""


def finish(pdf: pydyf.PDF, borrowed: set[str], placeholders: dict[str, str]) -> PartFacts:
    """Finish the part `pdf` (WeasyPrint's, before it is written): the links to the
    `borrowed` anchors detached, its text compacted; with its `font_facts`
    (`placeholders`: {BaseFont: PostScript name of its source})."""
    resolve = resolver(pdf)
    links = detach_links(pdf, borrowed, resolve) if borrowed else []
    page_list = pages(pdf)
    fonts = font_facts(page_list, placeholders, resolve)
    blanks = {face: [b"%04x" % glyph for glyph, text in facts["text"] if text in BLANKS]
              for face, facts in fonts.items()}
    for page in page_list:
        _compact_text(page, blanks, resolve)
    return PartFacts(links, fonts)


def own_copy(part: bytes, fonts: dict, font_dirs: tuple[Path, ...]) -> bytes:
    """The collectivité's own PDF made from its finished part (`fonts`: the part's
    `font_facts`): the placeholder fonts replaced by subsets of their own. Made from the
    part's file, so the same whether the part was just rendered or cached."""
    files = font_files(font_dirs)
    with pikepdf.open(io.BytesIO(part)) as pdf:
        give_own_fonts(pdf, {face: files[facts["source"]] for face, facts in fonts.items()
                             if "source" in facts})
        output = io.BytesIO()
        compression.set_for_writing()
        pdf.save(output, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return output.getvalue()


def font_facts(page_list: list[pydyf.Dictionary], placeholders: dict[str, str],
               resolve: Callable) -> dict[str, dict]:
    """What the merge needs of each face the pages of `page_list` use, read once when their part is
    rendered: {BaseFont: {"widths": [[glyph, width], …], "text": [[glyph, text], …]}}, and
    for a face embedded as a placeholder (`placeholders`) "source": the PostScript name of
    its source."""
    facts = {}
    for font in (resolve(reference) for page in page_list
                 for reference in _fonts(page, resolve).values()):
        descendant = resolve(font["DescendantFonts"][0]) if "DescendantFonts" in font else None
        if descendant is None or not mergeable(
                font.get("Subtype"), font.get("Encoding"),
                descendant.get("CIDToGIDMap", "/Identity"),
                bool({"FontFile2", "FontFile3"} & resolve(descendant["FontDescriptor"]).keys())):
            continue
        cmap = stream_content(resolve(font["ToUnicode"]))
        mapping = parse_to_unicode(cmap) if cmap is not None else None
        if mapping is not None:
            face = facts.setdefault(_name(font["BaseFont"]), {"widths": {}, "text": {}})
            face["widths"].update(parse_widths(descendant["W"]))
            face["text"].update(mapping)
    facts = {name: {key: sorted(values.items()) for key, values in face.items()}
             for name, face in sorted(facts.items())}
    for name, source in placeholders.items():
        if name in facts:
            facts[name]["source"] = source
    return facts


def detach_links(pdf: pydyf.PDF, borrowed: set[str], resolve: Callable) -> list[dict]:
    """Remove the `borrowed` anchors, and the links to them: each link's structure element
    becomes a /Span marked with an /ID, for the assembly to make it a /Link again."""
    dests = pdf.catalog["Names"]["Dests"]
    names = dests["Names"]
    dests["Names"] = pydyf.Array([item for i in range(0, len(names), 2)
                                  if names[i].string not in borrowed
                                  for item in (names[i], names[i + 1])])
    tree = resolve(pdf.catalog.get("StructTreeRoot"))
    if tree is not None:  # the stand-in anchors' empty elements
        for document in (resolve(kid) for kid in tree["K"]):
            kept = pydyf.Array()
            for kid in document["K"]:
                element = resolve(kid)
                if len(element.get("K", [1])):
                    kept.append(kid)
                else:
                    drop(element)
            document["K"] = kept
    links = []
    for index, page in enumerate(pages(pdf)):
        if "Annots" not in page:
            continue
        kept = pydyf.Array()
        for annotation_reference in page["Annots"]:
            annotation = resolve(annotation_reference)
            target = annotation.get("Dest")
            if not isinstance(target, pydyf.String) or target.string not in borrowed:
                kept.append(annotation_reference)
                continue
            link = {"page": index, "target": target.string,
                    "rect": [written_number(value) for value in annotation["Rect"]]}
            if tree is not None and "StructParent" in annotation:
                link.update(_untag(tree, annotation, f"{LINK_ID}{len(links)}", resolve))
            links.append(link)
            drop(annotation)
        if len(kept) != len(page["Annots"]):
            if kept:
                page["Annots"] = kept
            else:
                del page["Annots"]
    return links


def _untag(tree: pydyf.Dictionary, annotation: pydyf.Dictionary, link_id: str,
           resolve: Callable) -> dict:
    """Detach `annotation` from its /Link structure element, which becomes a /Span with
    `link_id`; and remove its entry from the parent tree."""
    nums = resolve(resolve(tree["ParentTree"])["Nums"])
    for i in range(0, len(nums), 2):
        if nums[i] == annotation["StructParent"]:
            element = resolve(nums[i + 1])
            del nums[i:i + 2]
            break
    else:
        return {}
    kept = []
    for kid in element["K"]:
        marked = resolve(kid)
        if (isinstance(marked, dict) and marked.get("Type") == "/OBJR"
                and marked.get("Obj") == annotation.reference):
            drop(marked)
        else:
            kept.append(kid)
    element["K"] = pydyf.Array(kept)
    element["S"] = "/Span"
    element["ID"] = pydyf.String(link_id)
    return {"id": link_id, "mcid": _first_mcid(element, resolve)}


def _first_mcid(element: pydyf.Dictionary, resolve: Callable) -> int | None:
    """A marked-content id inside a structure element: the parent tree leads from it back
    up to the element."""
    for kid in element.get("K", []):
        if isinstance(kid, int):
            return kid
        kid = resolve(kid)
        if isinstance(kid, dict):
            found = kid["MCID"] if "MCID" in kid else _first_mcid(kid, resolve)
            if found is not None:
                return found
    return None


def _compact_text(page: pydyf.Dictionary, blanks: dict[str, list[bytes]],
                  resolve: Callable) -> None:
    """Write the page's text operators compactly (`compact_text`; `blanks`: the codes of
    each face's spaces, by BaseFont)."""
    contents = resolve(page.get("Contents"))
    content = stream_content(contents) if isinstance(contents, pydyf.Stream) else None
    if content is None:
        return
    fonts = {name.encode(): resolve(reference)
             for name, reference in _fonts(page, resolve).items()}
    two_byte = {name for name, font in fonts.items()
                if font.get("Subtype") == "/Type0" and font.get("Encoding") == "/Identity-H"}
    spaces = {name: blanks.get(_name(font.get("BaseFont", b"")), [])
              for name, font in fonts.items()}
    compact = compact_text(content, two_byte, spaces)
    if compact != content:
        contents.stream = [compact]


def _fonts(page: pydyf.Dictionary, resolve: Callable) -> dict[str, bytes]:
    """The font resources of a page: {resource name: reference}."""
    resources = resolve(page.get("Resources")) or {}
    return resolve(resources.get("Font")) or {}


def _name(value: bytes | str) -> str:
    """A name as pikepdf gives it ("/ABCDEF+Name"), from pydyf's bytes or string."""
    return value.decode() if isinstance(value, bytes) else str(value)

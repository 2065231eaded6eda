"""A booklet PDF from the PDFs of its parts, without laying anything out.

The parts (cover and contents, one page per fiche, the index) were each
written by WeasyPrint. Here their pages are copied in order with pikepdf
(qpdf), and what WeasyPrint would have made once for the whole booklet is
rebuilt:

- one font object per face (`font_merge`): each face embedded once;
- one structure tree (the booklet stays tagged, PDF/UA): the parts' structure
  elements under one /Document, with their parent tree renumbered;
- the links between parts, taken out of the parts' PDFs (`part_finish.detach_links`),
  put back as annotations in their /Link structure elements;
- the named destinations, the outline, the page labels, and the catalog of the
  first part (language, XMP metadata, viewer preferences); for a print shop,
  the page boxes, marks and output intent (`print_finish`).

The result depends only on the parts' PDFs and the labels: the same parts give
the same bytes, whichever process rendered them and whether they came from the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf

from booklet.pdf import compression
from booklet.pdf.font_merge import FontMerger
from booklet.pdf.print_finish import PrintFinish, finish
from booklet.records import LINK_ID, Label, PartRecord

CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents")


def assemble_file(parts: list[PartRecord], path: Path, labels: list[Label],
                  font_dirs: tuple[Path, ...], for_print: PrintFinish | None = None) -> int:
    """`assemble` into the file at `path`, synced to disk; returns the number of pages."""
    with Assembly(font_dirs) as assembly:
        for part in parts:
            assembly.add(part)
        return assembly.write_file(path, labels, for_print)


def assemble(parts: list[PartRecord], target, labels: list[Label],
             font_dirs: tuple[Path, ...], for_print: PrintFinish | None = None) -> int:
    """Write the booklet made of `parts` (in order) to `target` (a path or binary file);
    returns its number of pages. `for_print`: a print shop's PDF, finished so
    (`print_finish`: page boxes, marks, output intent)."""
    with Assembly(font_dirs) as assembly:
        for part in parts:
            assembly.add(part)
        return assembly.write(target, labels, for_print)


class Assembly:
    """A booklet assembled from its parts' PDFs one after the other, in booklet order
    (`add`), then written (`write`): a build can add each part as soon as it and those
    before it are rendered. The bytes written depend only on the parts added and what
    `write` is given."""

    def __init__(self, font_dirs: tuple[Path, ...]):
        self.font_dirs = font_dirs
        self.booklet = pikepdf.new()
        self.first: pikepdf.Pdf | None = None
        """The first part's PDF, open until the booklet is written (the booklet refers to it)."""
        self.version = ""
        self.added = 0
        self.destinations: list[tuple[str, pikepdf.Object]] = []
        self.outline: list[pikepdf.Dictionary] = []

    def __enter__(self) -> Assembly:
        return self

    def __exit__(self, *exception) -> None:
        self.close()

    def close(self) -> None:
        if self.first is not None:
            self.first.close()
            self.first = None

    def add(self, part: PartRecord) -> None:
        """Copy the next part's pages, structure, links, destinations and outline."""
        booklet = self.booklet
        source = pikepdf.open(part.pdf)
        if self.first is None:
            self.first, self.version = source, str(source.pdf_version)
            _copy_catalog(source, booklet)
            self.structure = _Structure(booklet)
            self.fonts = FontMerger(booklet, self.font_dirs)
        self.version = max(self.version, str(source.pdf_version))
        self.fonts.detach(source, part.font_facts())
        if source is not self.first:
            _take_data(source.pages)
        pages = []
        for page in source.pages:
            booklet.pages.append(page)
            pages.append(booklet.pages[-1])
        self.structure.add(source, pages)
        for link in part.links:
            self.structure.add_link(pages[link["page"]], link)
        self.destinations += [(name, _foreign(booklet, source, array))
                              for name, array in _destinations(source)]
        self.outline += [_copy_outline(booklet, source, item) for item in _outline_items(source)]
        self.fonts.attach(pages)
        if source is not self.first:
            source.close()
        self.added += 1

    def write_file(self, path: Path, labels: list[Label], for_print: PrintFinish | None = None
                   ) -> int:
        """`write` into the file at `path`, synced to disk."""
        with path.open("wb") as file:
            pages = self.write(file, labels, for_print)
            file.flush()
            os.fsync(file.fileno())
        return pages

    def write(self, target, labels: list[Label], for_print: PrintFinish | None = None) -> int:
        """Write the booklet of the parts added to `target` (a path or binary file), with
        `labels` as its page labels; returns its number of pages."""
        booklet = self.booklet
        self.fonts.merge()
        self.structure.finish()
        if self.destinations:
            booklet.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array(
                [item for name, array in sorted(self.destinations, key=lambda d: d[0])
                 for item in (pikepdf.String(name), array)])))
        _set_outline(booklet, self.outline)
        booklet.Root.PageLabels = _page_labels(labels)
        if for_print is not None:
            finish(booklet, for_print)
        pages = len(booklet.pages)
        compression.set_for_writing()
        booklet.save(target, deterministic_id=True, linearize=False,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none,
                     object_stream_mode=pikepdf.ObjectStreamMode.generate,
                     min_version=self.version)
        return pages


def _take_data(pages) -> None:
    """Read the data of every stream the part's `pages` use into memory: qpdf then copies
    it with the stream, and the booklet keeps nothing of the part's file once it is closed
    (one part open at a time, where keeping them all open took 0.5 MB per part)."""
    pending: list = [page.obj for page in pages]
    seen = set()
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            if item.is_indirect:
                if item.objgen in seen:
                    continue
                seen.add(item.objgen)
            if isinstance(item, pikepdf.Stream):
                item.write(item.read_raw_bytes(), filter=item.get("/Filter"),
                           decode_parms=item.get("/DecodeParms"))
            pending += [value for key, value in item.items() if key not in _UPWARD]
        elif isinstance(item, pikepdf.Array):
            pending += list(item)


_UPWARD = {"/Parent", "/P", "/Pg", "/StructParent", "/StructParents"}
"""Keys that lead up (page tree, structure tree) or to numbers, not to a page's content."""


def _copy_catalog(source: pikepdf.Pdf, booklet: pikepdf.Pdf) -> None:
    for key in CATALOG_KEYS:
        if key in source.Root:
            booklet.Root[key] = _foreign(booklet, source, source.Root[key])
    booklet.docinfo = _foreign(booklet, source, source.docinfo)


def _foreign(booklet: pikepdf.Pdf, source: pikepdf.Pdf, value):
    """`value` of `source`, copied into the booklet (with what it refers to)."""
    if not isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
        return value
    if not value.is_indirect:
        value = source.make_indirect(value)
    return booklet.copy_foreign(value)


class _Structure:
    """The booklet's structure tree, built from the parts' trees."""

    def __init__(self, booklet: pikepdf.Pdf):
        self.booklet = booklet
        self.root = booklet.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.document = booklet.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=self.root, K=pikepdf.Array()))
        self.root.K = pikepdf.Array([self.document])
        self.nums: list = []
        self.tagged = False
        self.page_maps: dict[tuple[int, int], pikepdf.Array] = {}

    def add(self, source: pikepdf.Pdf, pages: list[pikepdf.Page]) -> None:
        """The structure of a part whose pages were just copied as `pages`."""
        if "/StructTreeRoot" not in source.Root:
            return
        self.tagged = True
        tree = self.booklet.copy_foreign(source.Root.StructTreeRoot)
        for element in tree.K:
            for kid in element.K:
                kid.P = self.document
                self.document.K.append(kid)
        old = tree.ParentTree.Nums
        renumbered = {}
        for i in range(0, len(old), 2):
            renumbered[int(old[i])] = len(self.nums) // 2
            self.nums += [len(self.nums) // 2, old[i + 1]]
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = renumbered[int(page.obj.StructParents)]
                self.page_maps[page.obj.objgen] = self.nums[2 * int(page.obj.StructParents) + 1]
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = renumbered[int(annotation.StructParent)]

    def add_link(self, page: pikepdf.Page, link: dict) -> None:
        """A link to another part, as WeasyPrint writes links, in its structure element."""
        annotation = self.booklet.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array(link["rect"]), BS=pikepdf.Dictionary(W=0),
            Dest=pikepdf.String(link["target"])))
        if "/Annots" not in page.obj:
            page.obj.Annots = pikepdf.Array()
        page.obj.Annots.append(annotation)
        element = self._link_element(page, link)
        if element is None:
            return
        annotation.Contents = pikepdf.String(link["target"])
        element.S = pikepdf.Name.Link
        del element["/ID"]
        element.K.append(self.booklet.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page.obj)))
        annotation.StructParent = len(self.nums) // 2
        self.nums += [len(self.nums) // 2, element]

    def _link_element(self, page: pikepdf.Page, link: dict):
        """The element `part_finish.detach_links` marked: up from its marked content."""
        marks = self.page_maps.get(page.obj.objgen)
        if marks is None or link.get("mcid") is None or not str(link.get("id", "")).startswith(LINK_ID):
            return None
        element = marks[link["mcid"]]
        while isinstance(element, pikepdf.Dictionary) and "/S" in element:
            if str(element.get("/ID", "")) == link["id"]:
                return element
            element = element.get("/P")
        return None

    def finish(self) -> None:
        if not self.tagged:
            return
        self.root.ParentTree = self.booklet.make_indirect(
            pikepdf.Dictionary(Nums=pikepdf.Array(self.nums)))
        self.root.ParentTreeNextKey = len(self.nums) // 2
        self.booklet.Root.StructTreeRoot = self.root


def _destinations(source: pikepdf.Pdf) -> list[tuple[str, pikepdf.Object]]:
    names = source.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return [(str(names[i]), names[i + 1]) for i in range(0, len(names), 2)]


def _outline_items(source: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    outlines = source.Root.get("/Outlines")
    return _siblings(outlines.get("/First")) if outlines is not None else []


def _siblings(item) -> list[pikepdf.Dictionary]:
    items = []
    while item is not None:
        items.append(item)
        item = item.get("/Next")
    return items


def _copy_outline(booklet: pikepdf.Pdf, source: pikepdf.Pdf,
                  item: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """An outline item and its children, with its destination in the booklet."""
    copied = booklet.make_indirect(pikepdf.Dictionary(
        Title=item.Title, Dest=_foreign(booklet, source, item.Dest)))
    if "/Count" in item:
        copied.Count = item.Count
    _link_outline(copied, [_copy_outline(booklet, source, child)
                           for child in _siblings(item.get("/First"))])
    return copied


def _link_outline(parent: pikepdf.Dictionary, children: list[pikepdf.Dictionary]) -> None:
    for i, child in enumerate(children):
        child.Parent = parent
        if i:
            child.Prev = children[i - 1]
            children[i - 1].Next = child
    if children:
        parent.First, parent.Last = children[0], children[-1]


def _set_outline(booklet: pikepdf.Pdf, items: list[pikepdf.Dictionary]) -> None:
    if not items:
        return
    outlines = booklet.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    _link_outline(outlines, items)
    outlines.Count = len(items) + sum(max(0, int(item.get("/Count", 0))) for item in items)
    booklet.Root.Outlines = outlines


def _page_labels(labels: list[Label]) -> pikepdf.Dictionary:
    numbers = []
    for label in labels:
        entry = pikepdf.Dictionary()
        if label.start is not None:
            entry.S, entry.St = pikepdf.Name.D, label.start
        if label.prefix is not None:
            entry.P = pikepdf.String(label.prefix)
        numbers += [label.index, entry]
    return pikepdf.Dictionary(Nums=pikepdf.Array(numbers))

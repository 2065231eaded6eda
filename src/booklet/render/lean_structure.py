"""The structure tree of a part made lean on WeasyPrint's own objects, before it is written.

WeasyPrint makes a structure element for every piece of text it marks, and one for
every box that wraps others: half the objects of a tagged page, and nothing a screen
reader needs. In `Renderer.write_pdf`'s finisher, while the PDF is still WeasyPrint's
pydyf objects (Python dictionaries and lists), before it is serialized:

- a plain /Span or /NonStruct element (nothing but marked-content ids, on its
  parent's page) gives its marked content to its parent, and the parent tree follows;
  children first, so a /Span around a /Span is plain once its child is merged;
- a /Div or /NonStruct element that only groups other elements gives them to its
  parent;
- every element loses /Type (optional) and, where it marks no content itself, /Pg
  (only its marked-content ids need it);
- on a part of one page, the consecutive lines of an element share one marked-content
  sequence (`marked_content`).

The same edits made with pikepdf on the written PDF took 5.3 ms a French fiche page,
each entry read crossing into qpdf (here: 1.9 ms). The elements left out are emptied
(`pydyf_objects.drop`): pydyf writes every object it holds.
"""

from __future__ import annotations

import pydyf

from booklet.pdf.marked_content import join_sequences
from booklet.pdf.pydyf_objects import drop, pages, resolver, stream_content

PLAIN_KEYS = {"Type", "S", "K", "P", "Pg"}
"""The entries of an element that make it no more than a wrapper."""


def make_lean(pdf: pydyf.PDF) -> None:
    """Merge the plain spans, flatten the plain groups and, on a one-page part, join each
    element's consecutive lines, in `pdf`'s structure tree, if it has one."""
    root = pdf.catalog.get("StructTreeRoot")
    if root is None:
        return
    resolve = resolver(pdf)
    root = resolve(root)
    documents = [resolve(element) for element in root.get("K", [])]
    nums = resolve(resolve(root["ParentTree"])["Nums"])
    _merge_spans(documents, nums, resolve)
    for document in documents:
        _flatten_groups(document, resolve)
    page_list = pages(pdf)
    if len(page_list) == 1:
        _join_lines(page_list[0], nums, resolve)


def _merge_spans(documents: list, nums: list, resolve) -> None:
    """Give the marked content of each plain span to its parent, in `documents` and in the
    parent tree's `nums`, children first."""
    pages = {}  # page reference: its parent tree array (element reference by MCID)
    for array in nums[1::2]:
        for item in (array if isinstance(array, list) else []):
            element = resolve(item)
            if isinstance(element, dict) and "Pg" in element:
                pages[element["Pg"]] = array
                break

    def merge(element: pydyf.Dictionary) -> None:
        kids = element.get("K")
        if not isinstance(kids, list):
            return
        page = element.get("Pg")
        merged, changed = [], False
        for kid in kids:
            child = resolve(kid)
            if isinstance(child, dict) and child.get("Type") not in ("/OBJR", "/MCR"):
                merge(child)
            array = pages.get(page) if page is not None and _plain_span(child, page) else None
            if array is None:
                merged.append(kid)
                continue
            for mcid in child["K"]:
                merged.append(mcid)
                array[mcid] = element.reference
            drop(child)
            changed = True
        if changed:
            element["K"] = pydyf.Array(merged)

    for document in documents:
        merge(document)


def _plain_span(element, page: bytes) -> bool:
    """A /Span or /NonStruct of nothing but marked content on `page`."""
    if not isinstance(element, dict) or element.get("S") not in ("/Span", "/NonStruct"):
        return False
    marks = element.get("K")
    return (element.keys() <= PLAIN_KEYS and element.get("Pg") == page
            and isinstance(marks, list) and len(marks) > 0
            and all(isinstance(mark, int) for mark in marks))


def _flatten_groups(element: pydyf.Dictionary, resolve) -> None:
    """Give the kids of each plain group below `element` to the group's parent; drop /Type,
    and /Pg where an element marks no content itself."""
    element.pop("Type", None)
    kids = element.get("K")
    if not isinstance(kids, list):
        return
    flat, changed = [], False
    for kid in kids:
        child = resolve(kid)
        if not _is_element(child):
            flat.append(kid)
            continue
        _flatten_groups(child, resolve)
        if _plain_group(child, resolve):
            for grandchild in child["K"]:
                resolve(grandchild)["P"] = element.reference
                flat.append(grandchild)
            drop(child)
            changed = True
        else:
            flat.append(kid)
    if changed:
        element["K"] = pydyf.Array(flat)
    if "Pg" in element and not any(isinstance(kid, int) for kid in element["K"]):
        del element["Pg"]


def _join_lines(page: pydyf.Dictionary, nums: list, resolve) -> None:
    """One marked-content sequence for the consecutive lines of an element on the page
    (`marked_content`), in its content stream and its parent-tree array."""
    if "StructParents" not in page:
        return
    for i in range(0, len(nums), 2):
        if nums[i] == page["StructParents"]:
            stream = resolve(page["Contents"])
            content = stream_content(stream)
            if content is None:  # another pydyf: the lines stay apart, the PDF as correct
                return
            joined = join_sequences(content, nums[i + 1], resolve)
            if joined is not None:
                stream.stream, nums[i + 1] = [joined[0]], joined[1]
            return


def _is_element(value) -> bool:
    return isinstance(value, dict) and "S" in value


def _plain_group(element: pydyf.Dictionary, resolve) -> bool:
    kids = element.get("K")
    return (element["S"] in ("/Div", "/NonStruct") and element.keys() <= PLAIN_KEYS
            and isinstance(kids, list) and len(kids) > 0
            and all(_is_element(resolve(kid)) for kid in kids))

"""The lines of one paragraph in one marked-content sequence.

WeasyPrint marks each text box (each line of a paragraph) as a sequence of its own,
with its own marked-content id (MCID) and its own entry in the parent tree: a
fiche page holds about 77. Where one sequence ends and the next begins at once
and both belong to the same structure element, they become one sequence here
(about 32 a page), and the page's MCIDs are numbered anew from 0: the parent
tree's array, the structure elements' /K and the content stream are changed
together. Reading order and structure stay the same; only the markup shrinks.

It works on WeasyPrint's own objects (pydyf), before the PDF is written
(`lean_structure`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pydyf

_STRING = rb"\([^\\()]*(?:\\.[^\\()]*)*\)"
"""A literal string (glyph codes, any bytes): its content is not operators."""
_MARK = re.compile(
    rb"(?P<string>" + _STRING + rb")"
    rb"|EMC(?P<joined>\s*/[^\s/<>\[\]()]+\s*<</MCID (?P<next>\d+)>>\s*BDC)?"  # an end (and next)
    rb"|<</MCID (?P<mcid>\d+)>>\s*BDC"  # a sequence with an MCID
    rb"|\bBDC\b|\bBMC\b", re.S)  # other sequences (artifacts)
_MCID = re.compile(rb"<</MCID (\d+)>>|" + _STRING, re.S)


def join_sequences(content: bytes, marks: list, resolve: Callable
                   ) -> tuple[bytes, pydyf.Array] | None:
    """Join the consecutive sequences of one structure element in `content` (a page's
    content stream, as WeasyPrint writes it; `marks`: its parent-tree array, the reference
    of the element of each MCID; `resolve`: the object a reference refers to). Returns the
    new content and parent-tree array, the elements' /K renumbered; None when nothing
    changes."""
    if not marks:
        return None
    owner = [mark if isinstance(resolve(mark), dict) else None for mark in marks]
    survivor: dict[int, int] = {}  # each MCID: the one whose sequence now holds it
    open_ids: list[int | None] = []

    def same_element(first: int | None, second: int) -> bool:
        return (first is not None and max(first, second) < len(owner)
                and owner[second] is not None and owner[second] == owner[first])

    def mark(match: re.Match) -> bytes:
        if match["string"] is not None:
            return match[0]
        if match["mcid"] is not None:
            open_ids.append(survivor.setdefault(int(match["mcid"]), int(match["mcid"])))
        elif not match[0].startswith(b"EMC"):
            open_ids.append(None)
        else:
            closed = open_ids.pop() if open_ids else None
            if match["joined"] is None:
                return match[0]
            following = int(match["next"])
            if same_element(closed, following):
                survivor[following] = closed
                open_ids.append(closed)
                return b"\n"
            open_ids.append(survivor.setdefault(following, following))
        return match[0]

    joined = _MARK.sub(mark, content)
    elements = {reference: resolve(reference) for reference in owner if reference is not None}
    kids = [kid for element in elements.values() for kid in _kids(element)]
    if (open_ids or len(set(survivor.values())) == len(survivor)
            or any(isinstance(kid, int) and kid not in survivor for kid in kids)
            or any(isinstance(resolve(kid), dict) and "MCID" in resolve(kid) for kid in kids)):
        return None  # nothing to join, or marks unlike WeasyPrint's: left as they are
    kept = sorted(set(survivor.values()))
    number = {old: new for new, old in enumerate(kept)}
    renumbered = {old: number[kept_id] for old, kept_id in survivor.items()}
    for element in elements.values():
        element["K"] = pydyf.Array([number[kid] if isinstance(kid, int) else kid
                                    for kid in _kids(element)
                                    if not isinstance(kid, int) or survivor[kid] == kid])
    content = _MCID.sub(lambda match: match[0] if match[1] is None
                        else b"<</MCID %d>>" % renumbered[int(match[1])], joined)
    return content, pydyf.Array([marks[old] for old in kept])


def _kids(element: dict) -> list:
    kids = element.get("K")
    return list(kids) if isinstance(kids, list) else [] if kids is None else [kids]

"""WeasyPrint's PDF while it is still pydyf objects, in a `write_pdf` finisher: references
followed, a stream's content as pydyf will write it, objects left out emptied.

pydyf keeps a PDF as a list of Python objects (dictionaries, lists, streams of
operations) that refer to one another by reference (b"12 0 R"), and serializes them
only when WeasyPrint writes the file: edits made here cost what editing a dictionary
costs (`lean_structure`, `part_finish`).
"""

from __future__ import annotations

from collections.abc import Callable

import pydyf

to_bytes = None
"""How pydyf writes each value: its private `_to_bytes`, once the renderer has checked it is
the one booklet reads (`weasyprint_patches.pydyf_writer`); until then None: streams are left
as they are, and numbers are read as Python holds them."""


def resolver(pdf: pydyf.PDF) -> Callable[[object], object]:
    """A function giving the object an indirect reference (b"12 0 R") of `pdf` refers to,
    and any other value itself."""
    objects = pdf.objects

    def resolve(value):
        if isinstance(value, bytes) and value.endswith(b" R"):
            return objects[int(value[:value.index(b" ")])]
        return value

    return resolve


def pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    """The page dictionaries of `pdf`, in order."""
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]  # each: number 0 R


def stream_content(stream: pydyf.Stream) -> bytes | None:
    """The content of `stream` exactly as pydyf will write it (before compression); None
    if this pydyf cannot say."""
    if to_bytes is None:
        return None
    return b"\n".join(to_bytes(item) for item in stream.stream)


def written_number(value) -> float:
    """A number as the written PDF holds it (pydyf writes six decimals)."""
    return float(to_bytes(value)) if to_bytes is not None else float(value)


def drop(value: pydyf.Dictionary) -> None:
    """Empty an object that nothing refers to any more: pydyf writes every object it holds,
    this one then as `<<>>`."""
    value.clear()

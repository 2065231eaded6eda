"""Every place booklet replaces or reads WeasyPrint's internals, in one table.

Each entry names the functions it relies on, with the fingerprint of their source
as written in the release it was made for (`fingerprints`): a release whose function
differs, even a 70.x, disables the entry, and so does `BOOKLET_WEASYPRINT_PATCHES=0`.
A speed patch that does not apply falls back silently to WeasyPrint's own function:
the pages look the same, the build is slower, and the files may be larger (each part's
fonts embedded in full when `placeholder_fonts` does not apply, text not compacted
without `pydyf_writer`) or differ at each build (a PDF/X's DocumentID without
`document_id`). A typesetting feature that does not apply
changes what prints: `lost_features` says what, and `check` and `build` report it.

Nothing is installed when a module is imported: the renderer calls `install`. The
building process, which never imports WeasyPrint, reads which entries apply from
the installed source files (`applicable`), and keys every page with it (`state`).
"""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass

from booklet.weasyprint_patches.fingerprints import fingerprint

SWITCH = "BOOKLET_WEASYPRINT_PATCHES"
"""Set to 0: WeasyPrint runs as it is released, without any entry of this table."""
SPEED, TYPESETTING = "speed", "typesetting"
WRITTEN_FOR = "WeasyPrint 70.0"


@dataclass(frozen=True)
class Relied:
    """A function (or `Class.method`) an entry replaces or reads, and the fingerprint of
    the source it was written for."""

    module: str
    name: str
    fingerprint: str


@dataclass(frozen=True)
class Patch:
    name: str
    """The module of this package that holds it (its `install`, if it has one)."""
    kind: str
    """SPEED (same pages, sooner) or TYPESETTING (what prints)."""
    relies_on: tuple[Relied, ...]
    feature: str = ""
    """TYPESETTING: what it adds to the printed pages."""
    loses: str = ""
    """TYPESETTING: what the printed pages are like without it."""
    installs: bool = True
    """False: nothing to install; the renderer uses it where it is needed."""
    requires: tuple[str, ...] = ()
    """Entries it cannot do without: where one of them does not apply, neither does this."""


def _relied(module: str, *names_and_prints: str) -> tuple[Relied, ...]:
    pairs = zip(names_and_prints[::2], names_and_prints[1::2], strict=True)
    return tuple(Relied(module, name, print_) for name, print_ in pairs)


LINE_BREAK, INLINE = "weasyprint.text.line_break", "weasyprint.layout.inline"
PATCHES: tuple[Patch, ...] = (  # in the order they are installed: an entry after those it requires
    Patch("pydyf_writer", SPEED, _relied("pydyf", "_to_bytes", "1cefd02c285d3aee")),
    Patch("html_parser_cache", SPEED, _relied(
        "tinyhtml5.inputstream", "HTMLUnicodeInputStream.chars_until", "dfe353323dff1fdc")),
    Patch("first_line_guess", SPEED, _relied(  # before japanese_lines, which wraps it
        LINE_BREAK, "split_first_line", "39ad1016863ca34d")),
    Patch("japanese_lines", TYPESETTING,
          _relied(INLINE, "text_align", "e953d41b87ccfc30")
          + _relied(LINE_BREAK, "split_first_line", "39ad1016863ca34d",
                    "Layout.reactivate", "0b89ee097104b713"),
          feature="Japanese justification (両端揃え), punctuation spacing (約物) and "
                  "hanging punctuation (ぶら下げ)",
          loses="Japanese paragraphs print ragged at the right edge, with the full blank "
                "half of every punctuation mark, and hanging_punctuation in layout.yaml "
                "has no effect"),
    Patch("glyph_drawing", SPEED, _relied(
        "weasyprint.draw.text", "draw_first_line", "1bb8eae6d88e71b1")),
    Patch("empty_margins", SPEED, _relied(
        "weasyprint.layout.page", "make_margin_boxes", "4a2d2e301eb3bc47")),
    Patch("strut_cache", SPEED, _relied(LINE_BREAK, "strut", "b57885b70dd08efe")),
    Patch("layout_setup", SPEED, _relied(LINE_BREAK, "Layout.setup", "fb227a55094f41d4")),
    Patch("placeholder_fonts", SPEED,
          _relied("weasyprint.pdf.fonts", "Font.clean", "794f0211f18453f1")
          + _relied("weasyprint.text.fonts", "get_hb_object_data", "03040a623df04c2b"),
          installs=False, requires=("pydyf_writer",)),  # a placeholder's glyphs are read with it
    Patch("document_id", SPEED, _relied(
        "weasyprint.pdf.metadata", "DocumentMetadata.generate_rdf_metadata", "bc3e78ab24f1a809"),
        installs=False),
)
BY_NAME = {patch.name: patch for patch in PATCHES}


def switched_on() -> bool:
    return os.environ.get(SWITCH, "").strip() != "0"


def why_not(patch: Patch) -> str | None:
    """Why `patch` does not apply here, or None when it does."""
    if not switched_on():
        return f"{SWITCH}=0 is set"
    for name in patch.requires:
        reason = why_not(BY_NAME[name])
        if reason is not None:
            return f"it needs {name}, which does not apply: {reason}"
    for relied in patch.relies_on:
        found = fingerprint(relied.module, relied.name)
        if found != relied.fingerprint:
            installed = "is missing" if found is None else "differs"
            return (f"{relied.module}.{relied.name} {installed} in the installed version: "
                    f"this part of booklet was written for {WRITTEN_FOR}")
    return None


def applicable() -> dict[str, str | None]:
    """{name: why it does not apply, or None} for every entry, in order."""
    return {patch.name: why_not(patch) for patch in PATCHES}


def state() -> list[str]:
    """The entries that apply: part of every page's key."""
    return [name for name, reason in applicable().items() if reason is None]


def lost_features() -> list[tuple[Patch, str, str]]:
    """The typesetting features that do not apply: (entry, why, what to do)."""
    remedy = (f"unset {SWITCH}" if not switched_on() else
              f"install {WRITTEN_FOR} (pip install 'weasyprint==70.0')")
    return [(BY_NAME[name], reason, remedy) for name, reason in applicable().items()
            if reason is not None and BY_NAME[name].kind == TYPESETTING]


class PatchesChanged(RuntimeError):
    """What applies changed since this process installed the patches (BOOKLET_WEASYPRINT_PATCHES
    set or unset, or WeasyPrint upgraded under a running server): its pages would be keyed for
    other patches than it renders with."""


_lock = threading.Lock()
_installed: tuple[dict[str, str | None], dict[str, bool]] | None = None
"""What applied when this process installed the patches, and which are in use."""


def install() -> dict[str, bool]:
    """Install every entry that applies, in order, once a process: {name: whether it is in
    use}. An entry's own `install` may still decline (a Pango, or a Python, other than it
    reads): WeasyPrint's function then stays, and so do those of the entries that require it.
    PatchesChanged when what applies is no longer what was installed."""
    global _installed
    with _lock:
        basis = applicable()
        if _installed is None:
            active: dict[str, bool] = {}
            for name, reason in basis.items():
                patch = BY_NAME[name]
                if reason is not None or not all(active[other] for other in patch.requires):
                    active[name] = False
                elif patch.installs:
                    module = importlib.import_module(f"booklet.weasyprint_patches.{name}")
                    active[name] = bool(module.install())
                else:
                    active[name] = True
            _installed = basis, active
        elif _installed[0] != basis:
            raise PatchesChanged(
                "which of booklet's WeasyPrint patches apply changed while booklet was running "
                f"({SWITCH} set or unset, or WeasyPrint changed): start booklet again")
        return dict(_installed[1])

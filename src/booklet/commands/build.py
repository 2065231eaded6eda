"""`booklet build` and `booklet check`: one `Builder` run, and what to tell the user."""

from __future__ import annotations

from pathlib import Path

from ..building import Builder, Outcome
from ..errors import display_path
from ..outputs import download_page_path


def check(root: Path, progress=None, accept_missing_glyphs: bool = False,
          paper: str | None = None, use_cache: bool = True, pool=None) -> Outcome:
    """Validate, preflight and lay out everything; write nothing in dist/."""
    with Builder(root, accept_missing_glyphs, progress, use_cache=use_cache,
                 pool=pool) as builder:
        return builder.check(paper)


def build(root: Path, edition: str | None = None, output: Path | None = None,
          progress=None, accept_missing_glyphs: bool = False, use_cache: bool = True,
          pool=None, **print_options) -> Outcome:
    """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition.
    `pool`: worker processes already started (`workers.start_pool`)."""
    with Builder(root, accept_missing_glyphs, progress, use_cache=use_cache,
                 pool=pool) as builder:
        return builder.build(edition, output, **print_options)


def describe_written(outcome: Outcome) -> list[str]:
    """One line per booklet written; per-collectivité PDFs summed up."""
    lines = [f"{'wrote' if o.changed else 'unchanged:'} {display_path(o.path)} ({o.pages} "
             f"{'sheet sides' if o.note else 'pages'}{'; ' + o.note if o.note else ''})"
             for o in outcome.written if not o.single_fiche]
    singles = [o for o in outcome.written if o.single_fiche]
    if singles:
        changed = sum(o.changed for o in singles)
        unchanged = f" ({len(singles) - changed} unchanged)" if changed < len(singles) else ""
        lines.append(f"wrote {changed} per-collectivité PDFs in "
                     f"{display_path(singles[0].path.parent)}{unchanged}")
        root = singles[0].path.parent.parent.parent
        lines.append(f"wrote {display_path(download_page_path(root))} "
                     f"(a page with every download, to publish with dist/)")
    return lines

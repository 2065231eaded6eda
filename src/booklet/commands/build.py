"""`booklet build` and `booklet check`: one `Builder` run, and what to tell the user."""

from __future__ import annotations

from pathlib import Path

from booklet.building.builder import Builder, Outcome
from booklet.building.outputs import describe_written

__all__ = ["build", "check", "describe_written"]


def check(root: Path, progress=None, accept_missing_glyphs: bool = False,
          paper: str | None = None, use_cache: bool = True, pool=None, for_print: bool = False,
          marks: str | None = None) -> Outcome:
    """Validate, preflight and lay out everything; write nothing in dist/ (`for_print`: also
    preflight the print PDFs, made in a temporary folder)."""
    with Builder(root, accept_missing_glyphs, progress, use_cache=use_cache,
                 pool=pool) as builder:
        return builder.check(paper, for_print, marks)


def build(root: Path, edition: str | None = None, output: Path | None = None,
          progress=None, accept_missing_glyphs: bool = False, use_cache: bool = True,
          pool=None, **print_options) -> Outcome:
    """Build the booklets (and per-collectivité PDFs), or exactly `output` for one edition.
    `pool`: worker processes already started (`workers.start_pool`)."""
    with Builder(root, accept_missing_glyphs, progress, use_cache=use_cache,
                 pool=pool, one_shot=True) as builder:
        return builder.build(edition, output, **print_options)

"""Each style's strut is worked out once (`strut_cache`): the same pages, fewer calls. Where
the patch does not apply, WeasyPrint's own `strut` is called, again and again."""

from __future__ import annotations

import importlib

from weasyprint import HTML
from weasyprint.text import line_break

from booklet.weasyprint_patches.strut_cache import MODULES, keeping
from conftest import PATCHES

PAGE = """<style>p { line-height: 1.4; } .tall { line-height: 2; vertical-align: 20%; }</style>
<p>Une ligne, puis une autre ligne encore, assez longue pour passer à la ligne suivante,
avec <span class="tall">un mot plus haut</span> et d'autres mots encore après lui.</p>
<p lang="ja">日本語の段落です。「括弧」と、句読点。行の高さは一度だけ計算されます。</p>"""

HOOK = line_break.strut
OWN = HOOK.original if PATCHES["strut_cache"] else HOOK
"""WeasyPrint's own `strut`."""


def _use(monkeypatch, strut) -> None:
    for name in MODULES:
        monkeypatch.setattr(importlib.import_module(name), "strut", strut)


def _counting(calls: list):
    def strut(style):
        calls.append(style)  # kept alive: ids stay distinct
        return OWN(style)

    return strut


def test_every_module_calls_the_hook_only_where_the_patch_applies():
    assert getattr(HOOK, "booklet", False) == PATCHES["strut_cache"]
    assert OWN.__module__ == "weasyprint.text.line_break" and not hasattr(OWN, "booklet")
    for name in MODULES:
        assert importlib.import_module(name).strut is HOOK


def test_each_style_asks_once_and_the_pages_are_the_same(monkeypatch):
    HTML(string=PAGE).write_pdf()  # what a process's first document sets up, out of the count
    kept = []
    _use(monkeypatch, keeping(_counting(kept)))
    ours = HTML(string=PAGE).write_pdf(pdf_identifier=b"t")
    assert kept and len(kept) == len({id(style) for style in kept})
    asked = []
    _use(monkeypatch, _counting(asked))
    assert ours == HTML(string=PAGE).write_pdf(pdf_identifier=b"t")
    assert len(asked) > 2 * len({id(style) for style in asked})  # WeasyPrint's own asks again and again

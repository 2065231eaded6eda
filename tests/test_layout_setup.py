"""Each style's Pango set-up is made once (`layout_setup`): the same pages as WeasyPrint's
own set-up, with text decorations, features and languages. Where the patch does not apply,
WeasyPrint's own `Layout.setup` stays."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.text import line_break

from booklet.weasyprint_patches import layout_setup
from conftest import PATCHES

PAGE = """<style>h1 { font-feature-settings: "palt"; } u { text-decoration: underline; }
s { text-decoration: line-through; } .ko { font-language-override: "KOR"; }</style>
<h1 lang="ja">日仏自治体交流会議「括弧」</h1>
<p>Une ligne <u>soulignée</u>, une <s>barrée</s>, et du texte justifié qui passe à la
ligne suivante plusieurs fois de suite pour que chaque style serve à plusieurs lignes.</p>
<p lang="ja">日本語の段落です。<span class="ko">言語の上書き</span>と、句読点。</p>"""

OWN = layout_setup.setup.original if PATCHES["layout_setup"] else line_break.Layout.setup
"""WeasyPrint's own `Layout.setup`."""


def test_the_method_is_replaced_only_where_the_patch_applies():
    assert (line_break.Layout.setup is layout_setup.setup) == PATCHES["layout_setup"]
    assert OWN.__qualname__ == "Layout.setup" and OWN.__module__ == "weasyprint.text.line_break"


def test_pages_are_the_same_and_each_style_is_set_up_once(monkeypatch):
    prepared = []
    prepare = layout_setup._prepare
    monkeypatch.setattr(layout_setup, "_prepare",
                        lambda style: (prepared.append(style), prepare(style))[1])
    monkeypatch.setattr(line_break.Layout, "setup", layout_setup.setup)
    ours = HTML(string=PAGE).write_pdf(pdf_identifier=b"t")
    assert prepared and len(prepared) == len({id(style) for style in prepared})
    monkeypatch.setattr(line_break.Layout, "setup", OWN)
    assert ours == HTML(string=PAGE).write_pdf(pdf_identifier=b"t")

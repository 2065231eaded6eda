"""tinyhtml5 with booklet's cache of its expressions: the same trees, no expression compiled twice."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import tinyhtml5
from tinyhtml5 import inputstream

from booklet.weasyprint_patches.html_parser_cache import StopCharacters
from conftest import PATCHES

TRICKY = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>a &amp; b</title>
<style>p { color: red } /* ]]> -- */</style></head>
<body class=edition-fr data-x='it&apos;s "quoted"' data-y="<&>">
<!-- a comment -- with - dashes --><p>Fiche &lt;b&gt; 5 &lt; 6 &amp;&amp; "guillemets" ’ \u0000 NUL</p>
<svg><![CDATA[ x ]] y ]]></svg><textarea>  <b>not a tag</b>
</textarea><pre>
  spaces	tabs
</pre><p lang=ja>日本語の文章です。「括弧」と、句読点。</p><br/><img alt=x src=a.png>
<a href="#fiche-fr-0001">Issy</a> <span class="page-ref">p. 3</span>
</body></html>"""


def parsed(html: str, cache: dict) -> bytes:
    previous = inputstream.characters_until_regex
    inputstream.characters_until_regex = cache
    try:
        return ElementTree.tostring(tinyhtml5.parse(html))
    finally:
        inputstream.characters_until_regex = previous


def test_the_cache_parses_exactly_as_tinyhtml5_does():
    sample = (TRICKY + "\n" + "<p>Le conseil municipal des jeunes a reçu une délégation.</p>" * 30)
    assert parsed(sample, StopCharacters()) == parsed(sample, {})  # {}: tinyhtml5's own way


def test_a_second_parse_compiles_no_expression(monkeypatch):
    """Where the patch does not apply, tinyhtml5's own cache stays, and its fault with it:
    every parse compiles its expressions again."""
    cache = inputstream.characters_until_regex
    assert isinstance(cache, StopCharacters) == PATCHES["html_parser_cache"]
    if not PATCHES["html_parser_cache"]:
        assert type(cache) is dict
    tinyhtml5.parse(TRICKY)
    compiled = []
    original = re.compile
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args) or original(*args))
    tinyhtml5.parse(TRICKY)
    if PATCHES["html_parser_cache"]:
        assert compiled == []
    else:
        assert compiled

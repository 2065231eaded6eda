"""Text of a fiche as an edition prints it: language choice, typography, markup.

Fiche text is untrusted. It is never interpreted as HTML or as a template:
markdown-it-py runs with HTML disabled and only the rules of the documented
subset (paragraphs, **bold**, *italic*, lists); everything else is escaped
and printed as typed.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_MARKDOWN = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "list"])

# Characters of Japanese text between which a space or line break is an artefact
# of YAML line folding, never intended (Japanese does not separate words).
_CJK = r"\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])[ \t]*\n?[ \t]*(?=[{_CJK}])")
# French: a narrow no-break space before ; : ! ? » and after «, so they never
# start or end a line alone; the typographic apostrophe (l’éco-quartier).
_FRENCH_BEFORE = re.compile(r"[ \u00a0]+(?=[;:!?»])")
_FRENCH_AFTER = re.compile(r"(?<=«)[ \u00a0]+")
_FRENCH_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# Both languages: a number stays with its unit (57.45 km², 66 171 hab.) and its
# thousands (3 500 âmes).
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=(?:km²|km2|m²|ha|hab\.|%|€|\d{3}\b))")
# Japanese: a quarter-em space between kana or kanji and Latin letters or digits
# (和欧間のアキ), as Japanese typesetting does; none next to Japanese punctuation.
_KANA_KANJI = r"\u3041-\u309f\u30a1-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_JAPANESE_LATIN = re.compile(rf"(?<=[{_KANA_KANJI}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%²])(?=[{_KANA_KANJI}])")

# E-mail addresses and URLs break only after @ . / - (a zero-width space there), never
# inside a label: kokusai@city. / kumamoto.example.jp, not kokusai@city.kumamoto.e / xample.jp.
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)[^\s<>\u3000-\u30ff]+")
_ADDRESS_BREAK = re.compile(r"(?<=[@./-])(?=[^@./-])")


def typeset(text: str, lang: str) -> str:
    """Apply the spacing rules of `lang` to plain text."""
    text = breakable_addresses(_NUMBER_UNIT.sub("\u00a0", text))
    if lang == "fr":
        text = _FRENCH_AFTER.sub("\u202f", _FRENCH_BEFORE.sub("\u202f", text))
        text = _FRENCH_APOSTROPHE.sub("\u2019", text)
    elif lang == "ja":
        text = _JAPANESE_LATIN.sub("\u2005", _CJK_GAP.sub("", text))
    return text


def breakable_addresses(text: str) -> str:
    """`text` with a break opportunity after each @ . / - of its e-mail addresses and URLs."""
    return _ADDRESS.sub(lambda match: _ADDRESS_BREAK.sub("\u200b", match[0]), text)


def to_html(text: str, lang: str) -> Markup:
    """Section text (Markdown subset) as escaped HTML paragraphs and lists."""
    return Markup(_MARKDOWN.render(typeset(text.strip(), lang)))


def inline(text: str, lang: str) -> str:
    """A short value (name, region, caption): typography only; Jinja escapes it."""
    return typeset(" ".join(text.split()), lang)

"""Preflight: what a printer or an editor would catch, found before layout.

Glyph coverage (every printed character is in the bundled fonts), images
(inside the project, readable, SVG without external references) and data a
human editor would question. Layout-dependent checks — fit and image
resolution — are in `editions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

from booklet.errors import Finding
from booklet.project.glyph_coverage import IMAGE_FIELDS, missing, strings
from booklet.project.loading import FicheSource, Project
from booklet.project.localized import localize
from booklet.project.model import SECTION_KEYS
from booklet.project.names import find_fiche, name_index
from booklet.project.sources import SourceDocument

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MAX_POPULATION = 20_000_000  # larger than any French région or Japanese prefecture
MAX_AREA_KM2 = 100_000
MIN_AREA_KM2 = 0.01
MAX_DENSITY = 40_000  # inhabitants per km²; Paris has about 20,000
RASTER_FORMATS = {"PNG", "JPEG"}
MAX_IMAGE_PIXELS = 60_000_000
"""More than a photo printed across an A3 sheet at 300 dpi needs (17 million pixels)."""


def preflight(project: Project, accept_missing_glyphs: bool = False) -> list[Finding]:
    """Every finding about the project's data, before layout."""
    findings = _glyph_findings(project.config_source, accept_missing_glyphs)
    fiches_by_name = name_index(project.fiches)
    all_fiches_valid = not any(f.is_error for f in project.findings)
    for entry in project.fiches:
        findings += _glyph_findings(entry.source, accept_missing_glyphs)
        findings += _image_findings(project.root, entry)
        findings += _sanity_findings(entry)
        if all_fiches_valid:  # a partner whose fiche has errors is not "without a fiche"
            findings += _partner_findings(entry, fiches_by_name)
    findings += _duplicate_names(project)
    return findings


def fiche_findings(entry: FicheSource) -> list[Finding]:
    """What the preflight finds in one fiche on its own (no images, no other fiches)."""
    return [*_glyph_findings(entry.source, False), *_sanity_findings(entry)]


def preflight_findings(root: Path, entry: FicheSource) -> list[Finding]:
    """What the preflight finds in one fiche of the project at `root`, its images included
    (the fiche editor's live view)."""
    return [*fiche_findings(entry), *_image_findings(root, entry)]


def _glyph_findings(source: SourceDocument, accept: bool) -> list[Finding]:
    """A character no bundled font has: an error, or with `accept` a warning that it falls back."""
    key = (source.path, source.text, accept)
    if key not in _glyph_memo:
        if len(_glyph_memo) > MEMO_SIZE:
            _glyph_memo.clear()
        _glyph_memo[key] = _text_problems(source, accept)
    return list(_glyph_memo[key])


_glyph_memo: dict[tuple, list[Finding]] = {}  # a rebuild checks again only the changed files
MEMO_SIZE = 4096


# Characters that print nothing but can hide or reorder text: controls, and the bidi
# embeddings, overrides and isolates ("Trojan Source"). The soft hyphen stays allowed.
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                    "\u2066\u2067\u2068\u2069")
MAX_TEXT = {"sections": 12_000}  # characters; a page holds about 6,000 at the smallest size
MAX_OTHER_TEXT = 1_000


# Ranges known to hold no control or format character: only the characters outside them
# are looked up one by one (a fiche is thousands of characters, almost all in these).
_MAYBE_INVISIBLE = re.compile(
    "[^\n\t\x20-\x7e\xa0-\xac\xae-\u05ff\u0e00-\u17ff\u1e00-\u200a\u2010-\u2029"
    "\u202f-\u205f\u2070-\ufefe\uff00-\ufff8]")


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return char in BIDI_CONTROLS or (category == "Cc" and char not in "\n\t") or (
        category == "Cf" and char not in "\u00ad\u200b\u200c\u200d")


def _text_problems(source: SourceDocument, accept: bool) -> list[Finding]:
    findings = []
    for keys, text in strings(source.data):
        field = ".".join(str(k) for k in keys)
        limit = MAX_TEXT.get(str(keys[0]), MAX_OTHER_TEXT) if keys else MAX_OTHER_TEXT
        if len(text) > limit:
            findings.append(Finding(source.location(keys),
                f"{field} is {len(text):,} characters long, more than the {limit:,} a page can "
                f"hold: shorten it (was the wrong file pasted here?)"))
            continue
        hidden = list(dict.fromkeys(c for c in _MAYBE_INVISIBLE.findall(text) if _invisible(c)))
        for char in hidden:
            name = unicodedata.name(char, "a control character")
            kind = "a bidirectional override" if char in BIDI_CONTROLS else "an invisible character"
            findings.append(Finding(source.char_location(keys, char),
                f"{field}: {kind}, U+{ord(char):04X} ({name}), which can hide or reorder text: "
                f"remove it (retype the text around it if needed)"))
        for char in missing(text):
            if char in hidden:
                continue
            name = f"{char} (U+{ord(char):04X})"
            if accept:
                message = (f"{field}: {name} is in no bundled font; it falls back to a system font "
                           f"or prints as an empty box")
            else:
                message = (f"{field}: {name} is in no bundled font and would print as an empty box; "
                           f"use a common form of the character, or build with --accept-missing-glyphs")
            findings.append(Finding(source.char_location(keys, char), message,
                                    "warning" if accept else "error"))
    return findings


def _image_findings(root: Path, entry: FicheSource) -> list[Finding]:
    """Images must be readable files inside the project folder."""
    findings = []
    for name in IMAGE_FIELDS:
        value = getattr(entry.fiche, name)
        if value is None:
            continue
        location = entry.source.location((name,))
        problem = image_problem(root, value)
        if problem:
            findings.append(Finding(location, f"{name} {problem}"))
    return findings


def image_problem(root: Path, value: str) -> str | None:
    """Why the image at `value` (relative to `root`) cannot be printed, or None."""
    if "\0" in value:
        return "contains a NUL character: retype the file name"
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or value.startswith(("/", "\\")):
        return f"must be a file inside the project folder, like images/logo.png; got '{value}'"
    path = (root / value).resolve()
    if not path.is_relative_to(root):
        return f"'{value}' is outside the project folder: copy the image into images/"
    if not path.is_file():
        return f"'{value}' not found: put the file there or correct the path"
    return image_file_problem(path, value)


def image_file_problem(path: Path, value: str, svg: bool | None = None,
                       decode: bool = False) -> str | None:
    """Why the image file at `path` (named `value` in messages) cannot be printed, or None:
    a PNG or JPEG that reads (`decode`: decoded whole, as an upload is once) with at most
    MAX_IMAGE_PIXELS; an SVG (`svg`, else by its suffix) that holds everything it draws."""
    if path.suffix.lower() == ".svg" if svg is None else svg:
        return _svg_problem(path, value)
    import warnings

    from PIL import Image, UnidentifiedImageError

    too_many = (f"'{value}' has far too many pixels to be a logo or a photo (more than "
                f"{MAX_IMAGE_PIXELS // 1_000_000} million): save a smaller copy")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height) = image.format, image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return too_many
                image.verify()
            if decode:
                _decode_whole(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return too_many
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return f"'{value}' is not a readable image, or is cut short: save it as PNG or JPEG"
    if kind not in RASTER_FORMATS:
        return f"'{value}' is a {kind} image: save it as PNG or JPEG"
    return None


def _decode_whole(path: Path) -> None:
    """Decode the image at `path`, an OSError if it is cut short (WeasyPrint, once imported,
    tells Pillow to accept truncated images: not here)."""
    from PIL import Image, ImageFile

    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as image:
            image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting


def _svg_problem(path: Path, value: str) -> str | None:
    data = path.read_bytes()
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return f"'{value}' declares a DOCTYPE or entities, which are not allowed in SVG images"
    try:
        tree = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        return f"'{value}' is not a readable SVG image ({error})"
    if tree.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return f"'{value}' is not an SVG image (its root is not <svg>): save it as SVG, PNG or JPEG"
    for element in tree.iter():
        for attribute, link in element.attrib.items():
            external = attribute.endswith("href") and not link.startswith(("#", "data:"))
            if external or re.search(r"url\(\s*['\"]?(?!#|data:)", link):
                return f"'{value}' refers to another file ({link}): SVG images must be self-contained"
        if element.tag.endswith("style") and re.search(r"@import|url\(\s*['\"]?(?!#|data:)",
                                                         element.text or ""):
            return f"'{value}' loads styles or files from elsewhere: SVG images must be self-contained"
    return None


def _sanity_findings(entry: FicheSource) -> list[Finding]:
    """Values that are valid but that an editor would question."""
    fiche, source, findings = entry.fiche, entry.source, []

    def warn(keys, message):
        findings.append(Finding(source.location(keys), message, "warning"))

    if fiche.population and fiche.population > MAX_POPULATION:
        warn(("population",), f"population {fiche.population:,} is more than any région or "
                              f"prefecture: check the number")
    if fiche.area_km2 and not MIN_AREA_KM2 <= fiche.area_km2 <= MAX_AREA_KM2:
        warn(("area_km2",), f"area_km2 {fiche.area_km2} km² is implausible: check the number "
                            f"and that it is in km²")
    elif fiche.area_km2 and fiche.population and fiche.population / fiche.area_km2 > MAX_DENSITY:
        density = round(fiche.population / fiche.area_km2)
        warn(("area_km2",), f"{fiche.population} inhabitants on {fiche.area_km2} km² makes "
                            f"{density:,} per km²: check population and area (in km²)")
    if fiche.contact and fiche.contact.email and not EMAIL.match(fiche.contact.email):
        warn(("contact", "email"), f"'{fiche.contact.email}' does not look like an e-mail address")
    sections = source.data.get("sections")
    if isinstance(sections, dict):
        for key in SECTION_KEYS:
            value = sections.get(key, "absent")
            if value is None or (isinstance(value, str) and not value.strip()):
                number = SECTION_KEYS.index(key) + 1
                warn(("sections", key), f"section {number} ({key}) is empty and will not be "
                                        f"printed: write the text or remove the line")
    if fiche.country == "JP" and not fiche.reading:
        warn(("name",), "no reading: add 'reading:' with the name in kana (e.g. いちかわし) "
                        "so that the fiche is sorted in あいうえお order; sorted by its name meanwhile")
    return findings


def _partner_findings(entry: FicheSource, fiches_by_name: dict) -> list[Finding]:
    """Partners without a fiche are printed as text; list them so an editor can check spelling."""
    findings = []
    for index, partner in enumerate(entry.fiche.partners):
        if find_fiche(partner, fiches_by_name) is None:
            name = localize(partner, entry.fiche.lang, entry.fiche.lang).text
            findings.append(Finding(entry.source.location(("partners", index)),
                f"partner '{name}' has no fiche in this booklet: printed as text, without a page",
                "info"))
    return findings


def _duplicate_names(project: Project) -> list[Finding]:
    by_name: dict[str, list[FicheSource]] = defaultdict(list)
    for entry in project.fiches:
        name = entry.fiche.name
        for text in set(name.values() if isinstance(name, dict) else [name]):
            by_name[" ".join(text.casefold().split())].append(entry)
    findings = []
    for entries in by_name.values():
        for entry in entries[1:]:
            findings.append(Finding(entry.source.location(("name",)),
                f"{entries[0].source.path} has the same name: is this collectivité in the "
                f"booklet twice?", "warning"))
    return findings

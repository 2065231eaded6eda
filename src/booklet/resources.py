"""The files booklet ships beside its code: the default layout, the fonts, the ICC profiles,
the JSON Schemas and the pages of the web editor."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_LAYOUT_DIR = (PACKAGE_DIR / "layouts").resolve()
FONTS_DIR = (PACKAGE_DIR / "fonts").resolve()
PROFILES_DIR = PACKAGE_DIR / "profiles"
SCHEMAS_DIR = PACKAGE_DIR / "schemas"
SITE_DIR = PACKAGE_DIR / "web" / "site"

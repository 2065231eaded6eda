"""Stage 4, lay out: the layout search path, the Jinja2 environment and the labels.

A project overrides any file of the built-in layout by putting a file of the
same name in its own `layouts/` folder: the project folder is searched first,
then the package's default layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml
from babel.numbers import format_decimal

from .errors import BookletError, display_path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_LAYOUT_DIR = (PACKAGE_DIR / "layouts").resolve()
FONTS_DIR = (PACKAGE_DIR / "fonts").resolve()
STYLESHEET = "booklet.css"
LABELS = "labels.yaml"
SETTINGS = "layout.yaml"
LOCALES = {"fr": "fr_FR", "ja": "ja_JP"}


def number(value: float | int, edition: str) -> str:
    """A number in the edition's locale: 66 171 and 4,3 in French; 66,171 and 4.3 in Japanese."""
    return format_decimal(value, locale=LOCALES[edition])


@dataclass(frozen=True)
class Layout:
    """Templates, stylesheet and labels, found along the search path."""

    dirs: tuple[Path, ...]
    env: jinja2.Environment
    labels: dict
    settings: dict
    stylesheet: Path

    def render(self, template: str, **context) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateError as error:
            where = getattr(error, "filename", None) or template
            line = getattr(error, "lineno", None)
            position = f"{display_path(Path(where))}:{line}" if line else where
            raise BookletError(f"{position}: the layout template has an error: {error.message}") from None


def _find(dirs: tuple[Path, ...], name: str) -> Path:
    return next(d / name for d in dirs if (d / name).is_file())


def load_layout(project_root: Path) -> Layout:
    """The layout of the project: its own `layouts/` first, then the built-in one."""
    project_layouts = (project_root / "layouts").resolve()
    dirs = tuple(dict.fromkeys(
        d for d in (project_layouts, DEFAULT_LAYOUT_DIR) if d.is_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    labels, settings = (_read_yaml(_find(dirs, name)) for name in (LABELS, SETTINGS))
    return Layout(dirs, env, labels, settings, _find(dirs, STYLESHEET))


def _read_yaml(path: Path) -> dict:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as error:
        raise BookletError(f"{display_path(path)}: the layout file cannot be read: {error}") from None

"""The layout search path, the Jinja2 environment and the labels.

Templates run in Jinja2's sandbox, so a layout shared between organizers
cannot run code; they get fiche values as data, autoescaped.

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
from jinja2.sandbox import SandboxedEnvironment

from booklet.compose.text import breakable_addresses
from booklet.errors import BookletError, display_path
from booklet.languages import CODES, LANGUAGES
from booklet.resources import DEFAULT_LAYOUT_DIR, FONTS_DIR

STYLESHEET = "booklet.css"
LABELS = "labels.yaml"
SETTINGS = "layout.yaml"


def number(value: float | int, edition: str) -> str:
    """A number in the edition's locale: 66 171 and 4,3 in French; 66,171 and 4.3 in Japanese."""
    return format_decimal(value, locale=LANGUAGES[edition].locale)


@dataclass(frozen=True)
class Layout:
    """Templates, stylesheet and labels, found along the search path."""

    dirs: tuple[Path, ...]
    env: jinja2.Environment
    labels: dict
    settings: dict
    stylesheet: Path

    @property
    def hanging_punctuation(self) -> bool:
        """Whether Japanese full stops and commas may hang past a line's end (layout.yaml)."""
        return self.settings.get("hanging_punctuation", False) is True

    @property
    def font_dirs(self) -> tuple[Path, ...]:
        """Where the fonts a booklet embeds come from: the layout's folders, then booklet's."""
        return (*self.dirs, FONTS_DIR)

    def paper_stylesheets(self, paper: str) -> list[Path]:
        """The stylesheets loaded after booklet.css for `paper` (none for A4)."""
        name = ((self.settings.get("papers") or {}).get(paper) or {}).get("stylesheet")
        return [_find(self.dirs, name)] if name else []

    def copyfit_settings(self, paper: str) -> dict:
        """The copyfit steps for `paper`: its own, else the layout's."""
        return ((self.settings.get("papers") or {}).get(paper) or {}).get("copyfit") \
            or self.settings["copyfit"]

    def render(self, template: str, **context) -> str:
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateError as error:
            where = getattr(error, "filename", None) or template
            line = getattr(error, "lineno", None)
            position = f"{display_path(Path(where))}:{line}" if line else where
            raise BookletError(f"{position}: the layout template has an error: {error.message}") from None
        except (KeyError, IndexError, ValueError) as error:
            raise BookletError(f"{template}: the layout refers to something labels.yaml or the "
                               f"fiche does not have: {error}") from None


def _find(dirs: tuple[Path, ...], name: str) -> Path:
    return next(d / name for d in dirs if (d / name).is_file())


def load_layout(project_root: Path) -> Layout:
    """The layout of the project: its own `layouts/` first, then the built-in one."""
    project_layouts = (project_root / "layouts").resolve()
    if project_layouts.is_dir() and not project_layouts.is_relative_to(project_root.resolve()):
        raise BookletError(f"{display_path(project_root / 'layouts')} points outside the project "
                           f"folder: copy the layout files into the project instead of linking them")
    dirs = tuple(dict.fromkeys(
        d for d in (project_layouts, DEFAULT_LAYOUT_DIR) if d.is_dir()))
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    env.filters["breakable"] = breakable_addresses
    labels_path, settings_path = _find(dirs, LABELS), _find(dirs, SETTINGS)
    labels, settings = _read_yaml(labels_path), _read_yaml(settings_path)
    _check_labels(labels, labels_path)
    _check_settings(settings, settings_path, dirs)
    return Layout(dirs, env, labels, settings, _find(dirs, STYLESHEET))


def _check_labels(labels, path: Path) -> None:
    missing = [lang for lang in CODES if not isinstance((labels or {}).get(lang), dict)]
    if missing:
        raise BookletError(f"{display_path(path)}: the labels of {', '.join(missing)} are missing: "
                           f"copy them from the built-in labels.yaml")


def _check_settings(settings, path: Path, dirs: tuple[Path, ...]) -> None:
    settings = settings if isinstance(settings, dict) else {}
    papers = settings.get("papers") or {}
    copyfits = [("copyfit", settings.get("copyfit"))] + [
        (f"papers: {name}: copyfit", paper.get("copyfit")) for name, paper in
        (papers.items() if isinstance(papers, dict) else []) if isinstance(paper, dict)
        and "copyfit" in paper]
    keys = ("body_size_pt", "leading", "photo_height_mm")
    for where, copyfit in copyfits:
        valid = isinstance(copyfit, dict) and all(
            isinstance(copyfit.get(key), list) and copyfit[key]
            and all(isinstance(v, int | float) and v > 0 for v in copyfit[key]) for key in keys)
        if not valid:
            raise BookletError(f"{display_path(path)}: {where} needs {', '.join(keys)}, each a "
                               f"list of positive numbers from full size to the smallest: see the "
                               f"built-in layout.yaml")
    if not isinstance(settings.get("hanging_punctuation", False), bool):
        raise BookletError(f"{display_path(path)}: hanging_punctuation is true or false (whether "
                           f"Japanese 。 and 、 may hang past a line's end); got "
                           f"{settings['hanging_punctuation']!r}")
    if not isinstance(papers, dict) or any(not isinstance(p, dict) for p in papers.values()):
        raise BookletError(f"{display_path(path)}: papers must map a paper (A5) to its "
                           f"stylesheet and copyfit: see the built-in layout.yaml")
    for name, paper in papers.items():
        sheet = paper.get("stylesheet")
        if sheet is not None and (not isinstance(sheet, str) or Path(sheet).name != sheet
                                  or sheet.startswith(".")):
            raise BookletError(f"{display_path(path)}: the stylesheet of paper {name} must be a "
                               f"file name of the layout folder, like paper-A5.css; got {sheet!r}")
        if sheet is not None and not any((d / str(sheet)).is_file() for d in dirs):
            raise BookletError(f"{display_path(path)}: the stylesheet '{sheet}' of paper {name} "
                               f"is in no layout folder")


def _read_yaml(path: Path) -> dict:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except (OSError, yaml.YAMLError) as error:
        raise BookletError(f"{display_path(path)}: the layout file cannot be read: {error}") from None

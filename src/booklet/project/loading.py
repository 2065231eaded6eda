"""A whole booklet project (booklet.yaml + fiches/) read and validated.

Everything is read and checked before anything is laid out: all findings of
all files come back in one DataError, each with its file position.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from booklet.errors import BookletError, DataError, Finding, SourceLocation, display_path
from booklet.project.model import BookletConfig, Fiche, validate
from booklet.project.sources import SourceDocument, YamlError, parse_yaml

CONFIG_FILE = "booklet.yaml"
FICHES_DIR = "fiches"
FICHE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class FicheSource:
    """A validated fiche with its id (the file stem) and its YAML positions."""

    id: str
    source: SourceDocument
    fiche: Fiche


@dataclass(frozen=True)
class Project:
    """A booklet project, fully read and validated."""

    root: Path
    config: BookletConfig
    config_source: SourceDocument
    fiches: tuple[FicheSource, ...]
    findings: tuple[Finding, ...] = field(default=())
    """What loading found, errors included: fiches with errors are left out of `fiches`."""


def load_project(root: Path) -> Project:
    """Read and validate the project in `root`.

    Raises BookletError when there is no project, DataError when booklet.yaml is
    unusable; otherwise returns the valid fiches and every finding, so that the
    preflight can still look at the valid ones and all problems come in one run.
    """
    root = root.resolve()
    config_path = root / CONFIG_FILE
    if not config_path.is_file():
        raise BookletError(
            f"{display_path(root)} is not a booklet project: {CONFIG_FILE} not found there. "
            f"Run the command in the project folder, or create one with `booklet new FOLDER`.")
    findings: list[Finding] = []
    config_source, config = _load(config_path, BookletConfig, findings)
    fiche_paths = sorted(path for pattern in ("*.yaml", "*.yml")
                         for path in (root / FICHES_DIR).glob(pattern)
                         if not path.name.startswith(".")) if (root / FICHES_DIR).is_dir() else []
    if not fiche_paths:
        raise BookletError(
            f"{display_path(root / FICHES_DIR)}: no fiches found. "
            f"Put one .yaml file per collectivité in this folder.")
    fiches, ids = [], []
    for path in fiche_paths:
        if path.stem in ids:
            findings.append(Finding(SourceLocation(display_path(path)),
                f"two files for the fiche '{path.stem}' ({path.stem}.yaml and {path.stem}.yml): "
                f"keep only one"))
            continue
        ids.append(path.stem)
        source, fiche = _load(path, Fiche, findings)
        if not FICHE_ID.fullmatch(path.stem):
            findings.append(Finding(source.location(()) if source else SourceLocation(display_path(path)),
                f"the file name '{path.name}' is also the fiche id, used in links and file names: "
                f"use only lowercase a-z, 0-9, - and _, e.g. 'ichikawa.yaml'"))
        elif fiche is not None:
            fiches.append(FicheSource(path.stem, source, fiche))
    if config is None:
        raise DataError(findings)
    findings += _check_order(config, config_source, fiches, ids)
    return Project(root, config, config_source, tuple(fiches), tuple(findings))


def load_fiche(path: Path) -> tuple[FicheSource | None, list[Finding]]:
    """One fiche file, read and validated on its own (as `load_project` reads each fiche)."""
    findings: list[Finding] = []
    source, fiche = _load(path, Fiche, findings)
    return (FicheSource(path.stem, source, fiche) if fiche is not None else None), findings


def _load(path: Path, model, findings: list[Finding]):
    display = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            findings.append(Finding(SourceLocation(display),
                f"the file is {size / 1e6:.1f} MB, far more than a fiche (a few kB): check that "
                f"it is the right file"))
            return None, None
        raw = path.read_bytes()
    except OSError as error:
        findings.append(Finding(SourceLocation(display), f"cannot read the file: {error.strerror}"))
        return None, None
    source, value, found = _parse(raw, display, model)
    findings += found
    return source, value


@functools.lru_cache(maxsize=4096)
def _parse(raw: bytes, display: str, model) -> tuple[SourceDocument | None, object, tuple]:
    """A file's document, its validated value and findings; remembered by content, so that
    a rebuild reads again only the files that changed."""
    try:
        source = parse_yaml(raw, display)
    except YamlError as error:
        return None, None, tuple(error.findings)
    value, problems = validate(model, source.data)
    findings = tuple(Finding((source.key_location if problem.at_key else source.location)(
        problem.keys), problem.message) for problem in problems)
    return source, value, findings


def _check_order(config: BookletConfig, source: SourceDocument,
                 fiches: list[FicheSource], ids: list[str]) -> list[Finding]:
    """`order` is either country groups or every fiche id exactly once."""
    findings = []
    if config.order_by_country:
        for country in sorted({f.fiche.country for f in fiches} - set(config.order)):
            findings.append(Finding(source.location(("order",)),
                f"order has no {country}, but some fiches are from {country}: add it"))
        return findings
    seen = set()
    for index, item in enumerate(config.order):
        location = source.location(("order", index))
        if item in seen:
            findings.append(Finding(location, f"'{item}' is listed twice in order"))
        elif item not in ids:
            close = difflib.get_close_matches(item, ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "use the file names of fiches/ without .yaml"
            findings.append(Finding(location, f"order lists '{item}', which is no fiche: {hint}"))
        seen.add(item)
    for fiche_id in ids:
        if fiche_id not in seen:
            findings.append(Finding(source.location(("order",)),
                f"fiche '{fiche_id}' is missing from order: add it where it should be printed"))
    return findings

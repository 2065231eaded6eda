"""Editing a fiche from a form: read it as data, save the form's data back as people wrote it.

The form (in `booklet serve`) gets a fiche as plain data with its version (the
SHA-256 of the file as read). Saving merges the form's data into the file with
ruamel.yaml's round trip, so that comments, key order, block styles and quotes
stay as they were; the result is checked with the same loader and model as
`booklet check` before anything is written, and written atomically. A save
based on an older version of the file (another tab, another editor) is refused
with both versions: nothing is lost.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from booklet.atomic import write_text
from booklet.project.loading import FICHES_DIR, FicheSource
from booklet.project.model import Fiche, validate
from booklet.project.sources import YamlError, parse_yaml

FICHE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


class EditError(ValueError):
    """A request the editor cannot carry out; the message says why, for a person."""


@dataclass
class FicheForm:
    """A fiche as the form edits it."""

    id: str
    data: dict
    version: str
    """The SHA-256 of the file the data was read from."""


@dataclass
class FieldFinding:
    """A finding on the form's data: the field (keys from the fiche's top), where it lands in
    the file, and what to do."""

    keys: tuple
    location: str
    message: str


@dataclass
class SaveResult:
    """What a save did: written (with the new version), refused for findings, or refused
    because the file changed since the form read it."""

    saved: bool
    version: str = ""
    findings: list[FieldFinding] = field(default_factory=list)
    theirs: FicheForm | None = None
    """The file as it is now, when it changed since the form read it."""


def fiche_path(root: Path, fiche_id: str) -> Path:
    """The file of fiche `fiche_id`, which must be a fiche id (no path, no '..')."""
    if not FICHE_ID.fullmatch(fiche_id):
        raise EditError(f"'{fiche_id}' is not a fiche id (lowercase letters, digits and -)")
    return root / FICHES_DIR / f"{fiche_id}.yaml"


DELETED_DIR = ".deleted"
"""Where a deleted fiche goes, inside fiches/ (a hidden folder the build does not read)."""


def create(root: Path, fiche_id: str, lang: str, name: str, geography: str) -> FicheForm:
    """A new fiche `fiche_id` with its language, country, name and first text (a fiche has at
    least one); refused if it exists."""
    path = fiche_path(root, fiche_id)
    if lang not in ("fr", "ja"):
        raise EditError("the language of a fiche is fr or ja")
    if not name.strip():
        raise EditError("a new fiche needs the collectivité's name")
    if path.exists() or path.with_suffix(".yml").exists():
        raise EditError(f"there is already a fiche {path.name}: choose another id")
    data = {"lang": lang, "country": "FR" if lang == "fr" else "JP", "name": name.strip(),
            "sections": {"geography": geography.strip()}}
    findings = check(merged("", data), f"{FICHES_DIR}/{path.name}")
    if findings:
        raise EditError("; ".join(finding.message for finding in findings))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, "# Created in booklet serve.\n" + merged("", data))
    return read_for_edit(root, fiche_id)


def delete(root: Path, fiche_id: str, version: str) -> Path:
    """Move fiche `fiche_id` aside, into fiches/.deleted/ (nothing is lost); refused when the
    file changed since `version`. Returns where it went."""
    path, raw = _read(root, fiche_id)
    if _version(raw) != version:
        raise EditError("the fiche changed since this form opened it: open it again before "
                        "deleting it")
    aside = path.parent / DELETED_DIR / f"{fiche_id}-{_version(raw)[:12]}.yaml"
    aside.parent.mkdir(exist_ok=True)
    path.replace(aside)
    return aside


def read_for_edit(root: Path, fiche_id: str) -> FicheForm:
    """Fiche `fiche_id` as data for the form, with its version."""
    path, raw = _read(root, fiche_id)
    return FicheForm(fiche_id, _plain(_round_trip().load(raw.decode("utf-8"))) or {},
                     _version(raw))


def save(root: Path, fiche_id: str, data: dict, version: str) -> SaveResult:
    """Write `data` into fiche `fiche_id`, keeping what the file holds besides the values; refused
    (nothing written) when the file changed since `version` or when the result has errors."""
    path, raw = _read(root, fiche_id)
    if _version(raw) != version:
        return SaveResult(False, theirs=read_for_edit(root, fiche_id))
    if not isinstance(data, dict):
        raise EditError("the form sent no fiche")
    text = merged(raw.decode("utf-8"), data)
    findings = check(text, f"{FICHES_DIR}/{path.name}")
    if findings:
        return SaveResult(False, findings=findings)
    write_text(path, text)
    return SaveResult(True, _version(text.encode("utf-8")))


def edited_entry(root: Path, fiche_id: str, data: dict) -> tuple[FicheSource | None,
                                                                 list[FieldFinding]]:
    """The fiche as the form has it, not saved: as the build would read it, or its findings."""
    path = fiche_path(root, fiche_id)
    try:
        original = path.read_text(encoding="utf-8")
    except OSError:
        raise EditError(f"there is no fiche {path.name} in fiches/") from None
    text = merged(original, data if isinstance(data, dict) else {})
    findings = check(text, f"{FICHES_DIR}/{path.name}")
    if findings:
        return None, findings
    source = parse_yaml(text.encode("utf-8"), f"{FICHES_DIR}/{path.name}")
    fiche, _ = validate(Fiche, source.data)
    return FicheSource(fiche_id, source, fiche), []


def check(text: str, display: str) -> list[FieldFinding]:
    """What the fiche model finds wrong in a fiche's YAML, field by field (as `booklet check`
    reads a fiche)."""
    try:
        source = parse_yaml(text.encode("utf-8"), display)
    except YamlError as error:
        return [FieldFinding((), str(finding.location), finding.message)
                for finding in error.findings]
    _, problems = validate(Fiche, source.data)
    return [FieldFinding(tuple(problem.keys), str((source.key_location if problem.at_key
                                                   else source.location)(problem.keys)),
                         problem.message) for problem in problems]


def merged(original: str, data: dict) -> str:
    """`original` (a fiche's YAML) with the values of `data`: keys, comments and styles of what
    did not change stay as they were; a changed multi-line text keeps its block style."""
    yaml = _round_trip()
    document = yaml.load(original) if original.strip() else None
    if not isinstance(document, dict):
        document = data
    else:
        _update(document, data)
    output = io.StringIO()
    yaml.dump(document, output)
    return output.getvalue()


def _update(target, values: dict) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    for key in [key for key in target if key not in values]:
        del target[key]
    for key, value in values.items():
        old = target.get(key)
        if isinstance(value, dict) and isinstance(old, CommentedMap):
            _update(old, value)
        elif isinstance(value, list) and isinstance(old, CommentedSeq):
            old[:] = [_styled(old[i] if i < len(old) else None, item)
                      for i, item in enumerate(value)]
        elif _plain(old) != value:
            target[key] = _styled(old, value)


def _styled(old, value):
    """`value` in the style of the value it replaces (a block scalar stays one)."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if isinstance(value, str) and isinstance(old, LiteralScalarString | FoldedScalarString):
        return type(old)(value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _plain(value):
    """ruamel's round-trip objects as plain JSON data."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _round_trip():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 88
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _read(root: Path, fiche_id: str) -> tuple[Path, bytes]:
    """The file of fiche `fiche_id` and its bytes."""
    path = fiche_path(root, fiche_id)
    try:
        return path, path.read_bytes()
    except OSError:
        raise EditError(f"there is no fiche {path.name} in fiches/") from None


def _version(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()

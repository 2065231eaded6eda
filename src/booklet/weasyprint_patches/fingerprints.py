"""What a patched function of WeasyPrint (or of a library it uses) says, read from its
installed source file without importing it: the building process, which never imports
WeasyPrint, can tell which patches apply as cheaply as a worker can."""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path


def fingerprint(module: str, name: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of the source of `name` (a function, or a
    `Class.method`) in `module` as installed; None when there is no such definition."""
    source = source_of(module, name)
    return hashlib.sha256(source.encode()).hexdigest()[:16] if source is not None else None


def source_of(module: str, name: str) -> str | None:
    """The lines of the definition of `name` in `module`'s file, from its `def` (or `class`)
    line to the last line indented under it."""
    path = module_file(module)
    if path is None:
        return None
    lines = _lines(path, path.stat().st_mtime_ns)
    start, indent = 0, ""
    for part in name.split("."):
        start = _definition(lines, part, indent, start)
        if start is None:
            return None
        indent += "    "
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith(indent)):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    return "".join(lines[start:end])


def module_file(module: str) -> Path | None:
    """The source file of `module`, found from its top-level package (no import of it)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(spec.submodule_search_locations[0])
    for candidate in (folder.joinpath(*rest).with_suffix(".py"), folder.joinpath(*rest, "__init__.py")):
        if rest and candidate.is_file():
            return candidate
    return folder / "__init__.py" if not rest else None


@cache
def _lines(path: Path, modified: int) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _definition(lines: list[str], name: str, indent: str, start: int) -> int | None:
    """The line of `def name` or `class name` at `indent`, from line `start` on."""
    heads = (f"{indent}def {name}(", f"{indent}class {name}(", f"{indent}class {name}:")
    return next((index for index in range(start, len(lines)) if lines[index].startswith(heads)),
                None)

"""What a patched function of WeasyPrint (or of a library it uses) says, read from its
installed source file without importing it: the building process, which never imports
WeasyPrint, can tell which patches apply as cheaply as a worker can."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
from functools import cache
from pathlib import Path


def fingerprint(module: str, name: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of the source of `name` (a function, or a
    `Class.method`) in `module` as installed; None when there is no such definition."""
    source = source_of(module, name)
    return hashlib.sha256(source.encode()).hexdigest()[:16] if source is not None else None


def source_of(module: str, name: str) -> str | None:
    """The lines of the definition of `name` in `module`'s file, from its first decorator to
    its last line, as Python's tokenizer reads the block (`inspect.getblock`, what
    `inspect.getsource` uses): a comment or a string at the first column inside it does not
    end it, and a method is looked for in its class's block only."""
    path = module_file(module)
    if path is None:
        return None
    return _source(path, path.stat().st_mtime_ns, name)


@cache
def _source(path: Path, modified: int, name: str) -> str | None:
    lines = _lines(path, modified)
    start, end, indent = 0, len(lines), ""
    *classes, function = name.split(".")
    for part in classes:  # a class's lines: up to the next statement as little indented
        start = _definition(lines, part, indent, start, end)
        if start is None:
            return None
        end = next((index for index in range(start + 1, end) if lines[index][:1].strip()
                    and not lines[index].startswith((indent + " ", indent + "#"))), end)
        indent += "    "
    start = _definition(lines, function, indent, start, end)
    if start is None:
        return None
    end = start + len(inspect.getblock(lines[start:end]))
    first = start
    while first > 0 and lines[first - 1].startswith(indent + "@"):
        first -= 1
    return "".join(lines[first:end])


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


def _definition(lines: list[str], name: str, indent: str, start: int, end: int) -> int | None:
    """The line of `def name` or `class name` at `indent`, between lines `start` and `end`."""
    heads = (f"{indent}def {name}(", f"{indent}async def {name}(", f"{indent}class {name}(",
             f"{indent}class {name}:")
    return next((index for index in range(start, end) if lines[index].startswith(heads)), None)

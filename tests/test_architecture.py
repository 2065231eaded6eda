"""The package's structure, read from its code: the stages import only those before them,
no import cycle, no module over 400 lines, no function over 60."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "booklet"
LAYERS = ["records", "errors", "keys", "atomic", "languages", "resources", "project", "compose",
          "pdf", "weasyprint_patches", "render", "building", "importing", "web", "commands", "cli",
          "__main__"]
"""booklet's top-level modules and packages, each importing only those before it."""


def modules() -> dict[str, Path]:
    return {".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(
        ".__init__"): path for path in SOURCE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """The booklet modules `path` imports, wherever the import stands (functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("booklet"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("booklet"))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {other for other in imports(path) if other in known and other != name}
            for name, path in known.items()}


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 else -1


def test_no_import_cycle():
    try:
        tuple(TopologicalSorter(graph()).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_each_stage_imports_only_those_before_it():
    upward = sorted(f"{module} -> {other}" for module, others in graph().items()
                    for other in others if layer(other) > layer(module))
    assert upward == []


def test_every_module_is_in_a_layer():
    assert {name.split(".")[1] for name in modules() if "." in name} <= set(LAYERS)


def test_no_module_over_400_lines_and_no_function_over_60():
    long = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 400:
            long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []

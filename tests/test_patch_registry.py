"""The registry of booklet's WeasyPrint patches (`weasyprint_patches.registry`): each entry's
fingerprints are those of the installed WeasyPrint's source; an entry whose fingerprint
differs leaves WeasyPrint's function in place; BOOKLET_WEASYPRINT_PATCHES=0 turns every
entry off, says so at booklet.yaml and changes every page's key; importing booklet installs
nothing.

The processes started here run without BOOKLET_WEASYPRINT_PATCHES, whatever this run has."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from booklet.compose.templating import load_layout
from booklet.records import RenderSetup
from booklet.render.setup import setup_key
from booklet.weasyprint_patches import registry
from booklet.weasyprint_patches.fingerprints import fingerprint, module_file, source_of

RELIED = [(patch.name, relied) for patch in registry.PATCHES for relied in patch.relies_on]

OWN = """
import importlib, uuid
from tinyhtml5 import inputstream
from weasyprint import layout
from weasyprint.draw import text as draw_text
from weasyprint.layout import inline, page
from weasyprint.pdf import fonts as pdf_fonts, metadata
from weasyprint.text import fonts as text_fonts, line_break
from booklet.pdf import pydyf_objects
from booklet.weasyprint_patches.strut_cache import MODULES


def weasyprints(function, module):
    return function.__module__ == module and not hasattr(function, "booklet")


def wrapped(function):  # the function, and those of its name it calls from its closure
    found = [function]
    for cell in function.__closure__ or ():
        inner = cell.cell_contents
        if callable(inner) and getattr(inner, "__name__", None) == function.__name__:
            found += wrapped(inner)
    return found


def own():
    '''{entry: whether what it replaces is still WeasyPrint's (tinyhtml5's, pydyf's) own}'''
    return {
        "html_parser_cache": type(inputstream.characters_until_regex) is dict,
        "first_line_guess": not any(hasattr(function, "booklet_guess")
                                    for function in wrapped(inline.split_first_line)),
        "japanese_lines": weasyprints(inline.text_align, "weasyprint.layout.inline")
            and weasyprints(line_break.Layout.reactivate, "weasyprint.text.line_break"),
        "glyph_drawing": weasyprints(draw_text.draw_first_line, "weasyprint.draw.text"),
        "empty_margins": layout.make_margin_boxes is page.make_margin_boxes,
        "strut_cache": weasyprints(line_break.strut, "weasyprint.text.line_break") and all(
            importlib.import_module(name).strut is line_break.strut for name in MODULES),
        "layout_setup": weasyprints(line_break.Layout.setup, "weasyprint.text.line_break"),
        "placeholder_fonts": weasyprints(pdf_fonts.Font.clean, "weasyprint.pdf.fonts")
            and weasyprints(text_fonts.get_hb_object_data, "weasyprint.text.fonts"),
        "document_id": metadata.uuid4 is uuid.uuid4,
        "pydyf_writer": pydyf_objects.to_bytes is None,
    }
"""
"""Python that tells, in a process of its own, which of WeasyPrint's functions are its own."""


def _python(script: str) -> dict:
    """What `script` (run after `OWN`, in a new process, without BOOKLET_WEASYPRINT_PATCHES)
    prints as JSON on its last line."""
    environment = {key: value for key, value in os.environ.items() if key != registry.SWITCH}
    result = subprocess.run([sys.executable, "-c", OWN + script], capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_registry_is_written_for_the_installed_weasyprint():
    assert registry.WRITTEN_FOR == f"WeasyPrint {version('weasyprint')}" == "WeasyPrint 70.0"


@pytest.mark.parametrize("name, relied", RELIED,
                         ids=[f"{name}:{relied.module}.{relied.name}" for name, relied in RELIED])
def test_every_fingerprint_is_that_of_the_installed_source(name, relied):
    """A stale fingerprint (the entry edited, or a fingerprint copied wrong) is caught here,
    before it silently turns an entry off."""
    assert fingerprint(relied.module, relied.name) == relied.fingerprint, (
        f"{name}: {relied.module}.{relied.name} is "
        f"{fingerprint(relied.module, relied.name)} in the installed version")


@pytest.mark.parametrize("name, relied", RELIED,
                         ids=[f"{name}:{relied.module}.{relied.name}" for name, relied in RELIED])
def test_a_fingerprint_is_taken_of_the_whole_definition(name, relied):
    """What is fingerprinted is the definition Python reads: from its `def` to its last line."""
    path = module_file(relied.module)
    text = path.read_text(encoding="utf-8")
    node = ast.parse(text)
    for part in relied.name.split("."):
        node = next(child for child in node.body if getattr(child, "name", None) == part
                    and isinstance(child, ast.FunctionDef | ast.ClassDef))
    lines = text.splitlines(keepends=True)
    assert source_of(relied.module, relied.name) == "".join(lines[node.lineno - 1:node.end_lineno])


def test_an_entry_whose_source_differs_does_not_apply_and_weasyprint_keeps_its_function():
    """Two entries given a fingerprint no WeasyPrint has, as if the installed functions had
    changed: they stay out, WeasyPrint's functions stay, the others apply."""
    found = _python("""
import dataclasses, json
from booklet.weasyprint_patches import registry

def changed(patch):
    return dataclasses.replace(patch, relies_on=tuple(
        dataclasses.replace(relied, fingerprint="0" * 16) for relied in patch.relies_on))

names = {"empty_margins", "japanese_lines"}
registry.PATCHES = tuple(changed(p) if p.name in names else p for p in registry.PATCHES)
registry.BY_NAME = {patch.name: patch for patch in registry.PATCHES}
active = registry.install()
print(json.dumps({"active": active, "own": own(),
                  "why": {name: registry.why_not(registry.BY_NAME[name]) for name in names},
                  "lost": [patch.name for patch, _, _ in registry.lost_features()]}))
""")
    assert found["active"] == {patch.name: patch.name not in ("empty_margins", "japanese_lines")
                               for patch in registry.PATCHES}
    assert found["own"]["empty_margins"] and found["own"]["japanese_lines"]
    assert not found["own"]["strut_cache"] and not found["own"]["first_line_guess"]
    assert found["why"]["empty_margins"] == (
        "weasyprint.layout.page.make_margin_boxes differs in the installed version: this part "
        "of booklet was written for WeasyPrint 70.0")
    assert "differs in the installed version" in found["why"]["japanese_lines"]
    assert found["lost"] == ["japanese_lines"]  # the typesetting one; a speed one is silent


@pytest.mark.slow  # a build in a process of its own
def test_fonts_are_given_placeholders_only_where_their_glyphs_can_be_read(sample):
    """`placeholder_fonts` needs `pydyf_writer` (a placeholder's glyphs are read from the
    written streams): with pydyf's writer changed, neither applies, and the booklet's fonts
    are WeasyPrint's own subsets, whole, that poppler renders without a complaint."""
    found = _python(f"""
import dataclasses, json
from pathlib import Path
from booklet.building.builder import Builder
from booklet.weasyprint_patches import registry

registry.PATCHES = tuple(dataclasses.replace(patch, relies_on=tuple(
    dataclasses.replace(relied, fingerprint="0" * 16) for relied in patch.relies_on))
    if patch.name == "pydyf_writer" else patch for patch in registry.PATCHES)
registry.BY_NAME = {{patch.name: patch for patch in registry.PATCHES}}
with Builder(Path({str(sample)!r}), workers=1) as builder:
    builder.build()
print(json.dumps({{"active": registry.install(),
                  "why": registry.why_not(registry.BY_NAME["placeholder_fonts"])}}))
""")
    assert not found["active"]["pydyf_writer"] and not found["active"]["placeholder_fonts"]
    assert found["why"].startswith("it needs pydyf_writer, which does not apply: pydyf._to_bytes")
    for pdf in (sample / "dist/booklet-ja.pdf", sample / "dist/fiches/ichikawa-ja.pdf"):
        drawn = subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(pdf.with_suffix(""))],
                               capture_output=True, text=True, check=True)
        assert drawn.stderr == ""
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout
        assert "CJK" in fonts and "no " not in fonts.split("\n", 2)[2]


def test_importing_every_module_of_booklet_installs_nothing():
    found = _python("""
import json, pkgutil
import booklet

imported = []
for module in pkgutil.walk_packages(booklet.__path__, "booklet."):
    if module.name != "booklet.__main__":  # runs the command line
        importlib.import_module(module.name)
        imported.append(module.name)
from booklet.weasyprint_patches import registry

before, installed = own(), registry._installed
active = registry.install()
print(json.dumps({"imported": imported, "before": before, "installed": installed,
                  "active": active, "after": own()}))
""")
    assert len(found["imported"]) > 50 and "booklet.web.server" in found["imported"]
    assert found["installed"] is None
    assert found["before"] == {patch.name: True for patch in registry.PATCHES}
    # the checks do see an entry installed: those that install are no longer WeasyPrint's own
    assert all(found["active"].values())
    assert found["after"] == {patch.name: not patch.installs for patch in registry.PATCHES}


@pytest.mark.slow  # two runs of booklet check, each in a process of its own
def test_check_warns_at_booklet_yaml_when_the_patches_are_off(sample, monkeypatch):
    warning = (f"{sample}/booklet.yaml:1:1: warning: Japanese justification (両端揃え), "
               "punctuation spacing (約物) and hanging punctuation (ぶら下げ) will not be printed: "
               "BOOKLET_WEASYPRINT_PATCHES=0 is set.")
    def check(switch: str | None) -> str:  # a process of its own, as a user runs it
        environment = {key: value for key, value in os.environ.items() if key != registry.SWITCH}
        environment.update({registry.SWITCH: switch} if switch is not None else {})
        result = subprocess.run([sys.executable, "-m", "booklet", "check", str(sample)],
                                capture_output=True, text=True, env=environment, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout + result.stderr

    output = check("0")
    assert warning in output
    assert "to print them, unset BOOKLET_WEASYPRINT_PATCHES" in output
    output = check(None)
    assert "Japanese justification" not in output and "booklet.yaml:1:1" not in output


def test_a_process_whose_patches_no_longer_apply_refuses_to_render(monkeypatch):
    """Pages are keyed by what applies (`state`): a process that installed other patches
    than now apply (the switch set under a running server) must not render them."""
    registry.install()
    monkeypatch.setenv(registry.SWITCH, "0" if registry.switched_on() else "1")
    with pytest.raises(registry.PatchesChanged, match="start booklet again"):
        registry.install()


def test_the_switch_changes_every_pages_key(sample, monkeypatch):
    setup, layout = RenderSetup(sample), load_layout(sample)
    monkeypatch.delenv(registry.SWITCH, raising=False)
    on = setup_key(setup, layout)
    assert registry.state() == [patch.name for patch in registry.PATCHES]
    monkeypatch.setenv(registry.SWITCH, "0")
    off = setup_key(setup, layout)
    assert registry.state() == []
    assert on != off
    monkeypatch.setenv(registry.SWITCH, "1")
    assert setup_key(setup, layout) == on


def test_a_definition_is_read_whole_however_it_is_written(tmp_path, monkeypatch):
    """Its decorators belong to it, a string or comment at the first column inside it does not
    end it, and a method is found in its own class only."""
    package = tmp_path / "written"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import functools\n\n\n"
        "@functools.lru_cache\ndef cached(x):\n    return x\n\n\n"
        "def with_string(x):\n    text = \"\"\"\nat the first column\n\"\"\"\n"
        "# a comment at the first column\n    return text + x\n\n\n"
        "class A:\n    x = 1\n\n\nclass B:\n    def only_in_b(self):\n        return 2\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert source_of("written", "cached") == "@functools.lru_cache\ndef cached(x):\n    return x\n"
    assert source_of("written", "with_string").endswith("    return text + x\n")
    assert source_of("written", "A.only_in_b") is None
    assert source_of("written", "B.only_in_b") == "    def only_in_b(self):\n        return 2\n"

"""What a non-editable install of booklet holds: every module of every package, and the
files the code reads beside it (layouts, fonts, profiles, schemas, the editor's pages)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "src"

pytestmark = pytest.mark.slow


def test_the_wheel_holds_every_module_and_every_file_the_code_reads(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("booklet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(path.relative_to(SOURCE)) for path in (SOURCE / "booklet").rglob("*.py")}
    assert modules - names == set()
    for shipped in ("booklet/web/site/edit.html", "booklet/web/site/index.html",
                    "booklet/layouts/booklet.css", "booklet/layouts/sRGB2014.icc",
                    "booklet/schemas/fiche.schema.json", "booklet/fonts/fonts.css",
                    "booklet/profiles/JapanColor2011Coated.icc"):
        assert shipped in names
    assert any(name.endswith("dist-info/licenses/LICENSE") for name in names)

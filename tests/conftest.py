"""Shared fixtures: sample projects copied to temporary folders, and PDF readers.

Every PDF here is made by the real WeasyPrint with the bundled fonts and read
back with pypdf, pypdfium2 or poppler; nothing is mocked.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from click.testing import CliRunner

from booklet.cli import cli
from booklet.weasyprint_patches import registry

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PATCHES = registry.install()
"""The WeasyPrint patches in use, installed as every renderer installs them (none with
BOOKLET_WEASYPRINT_PATCHES=0): the tests of a patch expect WeasyPrint's own function then."""


def copy_sample(target: Path) -> Path:
    """The repository's sample project (booklet.yaml + fiches/) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "booklet.yaml", target / "booklet.yaml")
    shutil.copytree(REPO / "fiches", target / "fiches")
    return target


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_sample(tmp_path / "project")


def run(*args: str | Path):
    """The real command line, in-process; returns click's Result (exit_code, output)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The sample project, built once for the whole session (both editions)."""
    project = copy_sample(tmp_path_factory.mktemp("built") / "project")
    result = run("build", project)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output  # WeasyPrint said nothing either
    return project


def edit(project: Path, path: str, old: str, new: str) -> None:
    """Replace the first `old` by `new` in a file of `project` (which must contain `old`)."""
    file = project / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def page_texts(pdf: Path) -> list[str]:
    """Text of each page, as a PDF reader extracts it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def flat(text: str) -> str:
    """Text reduced to its letters, for word-for-word comparison across line breaks:
    compatibility forms folded, typographic apostrophes and spaces unified, hyphens
    and whitespace removed (lines may be hyphenated anywhere)."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return "".join(c for c in text if not c.isspace() and c not in "-\u00ad\ufffe\uffff")


def pdf_fonts(pdf: Path) -> list[dict]:
    """poppler's pdffonts table: one dict per font (name, type, emb, sub)."""
    output = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    fonts = []
    for line in output:
        parts = line.split()
        # name type... encoding emb sub uni object-id gen
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def reader(pdf: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(pdf)

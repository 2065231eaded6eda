"""`booklet new`: a project folder that builds as it is."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

from booklet.errors import BookletError, display_path

SCAFFOLD = files("booklet") / "scaffold"
SCHEMAS = files("booklet") / "schemas"
GITIGNORE = "# What booklet makes: the PDFs, and the pages it keeps to build again fast\ndist/\n.booklet/\n"


def new(directory: Path) -> list[str]:
    """Copy the example project (booklet.yaml, two fiches, the JSON Schemas) into `directory`."""
    if directory.exists() and any(directory.iterdir()):
        raise BookletError(
            f"{display_path(directory)} already exists and is not empty: "
            f"choose a new folder name, nothing was changed")
    try:
        with as_file(SCAFFOLD) as scaffold, as_file(SCHEMAS) as schemas:
            shutil.copytree(scaffold, directory, dirs_exist_ok=True)
            shutil.copytree(schemas, directory / "schemas", dirs_exist_ok=True)
        (directory / "images").mkdir(exist_ok=True)
        (directory / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    except OSError as error:
        raise BookletError(f"cannot create {display_path(directory)}: {error.strerror}") from None
    shown = display_path(directory)
    return [
        f"created {shown}: booklet.yaml, fiches/, images/, schemas/",
        f"next: edit the fiches in {shown}/fiches/, then run: booklet build {shown}",
    ]

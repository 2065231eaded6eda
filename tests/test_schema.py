"""The JSON Schemas shipped for editors are the model's, and the fiches point at them."""

from __future__ import annotations

import json

import pytest

from booklet.project.model import BookletConfig, Fiche, json_schema
from booklet.resources import PACKAGE_DIR
from conftest import REPO

SCHEMAS = PACKAGE_DIR / "schemas"


@pytest.mark.parametrize("name, model", [("fiche", Fiche), ("booklet", BookletConfig)])
def test_shipped_schema_is_generated_from_the_model(name, model):
    shipped = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == json_schema(model), "run `make schemas` after changing model.py"


def test_schema_documents_every_field():
    schema = json.loads((SCHEMAS / "fiche.schema.json").read_text(encoding="utf-8"))
    assert set(schema["required"]) == {"lang", "country", "name", "sections"}
    assert schema["additionalProperties"] is False
    for name, field in schema["properties"].items():
        assert field.get("description"), f"{name} has no description"
    assert "population" in schema["properties"]


@pytest.mark.parametrize("path", sorted((REPO / "fiches").glob("*.yaml")) + [
    REPO / "booklet.yaml"], ids=lambda p: p.name)
def test_sample_files_reference_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    assert (path.parent / first.removeprefix(prefix)).resolve().is_file()

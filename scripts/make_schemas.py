"""Write the JSON Schemas shipped in src/booklet/schemas/ from the model.

Run after changing booklet/project/model.py:  python scripts/make_schemas.py
(tests/test_schema.py fails while the shipped files differ from the model).
"""

from pathlib import Path

from booklet.project.model import BookletConfig, Fiche, json_schema

TARGET = Path(__file__).resolve().parent.parent / "src" / "booklet" / "schemas"

for name, model in (("fiche", Fiche), ("booklet", BookletConfig)):
    (TARGET / f"{name}.schema.json").write_text(json_schema(model), encoding="utf-8")
    print(f"wrote {TARGET / name}.schema.json")

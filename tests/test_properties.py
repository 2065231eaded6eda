"""Property-based tests and fuzzing (hypothesis): whatever the input, booklet answers with a
PDF or with findings, never with a crash.

The fuzzing budget is bounded so that CI stays fast; raise it for a longer run with
BOOKLET_FUZZ_EXAMPLES=5000 pytest tests/test_properties.py."""

from __future__ import annotations

import os
import string
import tempfile
from pathlib import Path

import pypdf
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booklet.errors import Finding
from booklet.importing.blocks import FormError, text_blocks
from booklet.importing.form import read_form
from booklet.importing.readers import read_questionnaires
from booklet.project.sources import SourceDocument, YamlError, parse_yaml
from conftest import REPO

FUZZ = int(os.environ.get("BOOKLET_FUZZ_EXAMPLES", "300"))
YAMLISH = st.text(alphabet=string.ascii_letters + string.digits + ":-?[]{},&*!|>'\"#%@`\n\t "
                  "éà日本語。「」\u202e\x00\x07\ufeff", max_size=300)


@settings(max_examples=FUZZ, deadline=None)
@given(st.one_of(st.binary(max_size=400), YAMLISH.map(str.encode)))
def test_the_yaml_loader_accepts_or_reports(raw):
    try:
        document = parse_yaml(raw, "fuzz.yaml")
    except YamlError as error:
        assert error.findings and all(isinstance(f, Finding) for f in error.findings)
        assert all(f.location.line >= 1 and f.location.column >= 1 for f in error.findings)
    else:
        assert isinstance(document, SourceDocument)


FORMISH = st.lists(st.one_of(
    st.sampled_from(["Région\tNormandie", "Population\t12 000 hab.", "Superficie\t4,3 km²",
                     "<h2>Ville</h2>", "<p>1. Situation et aspects géographiques (env. 4 lignes) "
                     "Texte</p>", "6. Quels exemples ?", "人口\t約4万人", "*Fiche de présentation*",
                     "Personne - Contact : x@y.fr", "</p><p>", "<b>", "\t\t"]),
    st.text(max_size=80)), max_size=30).map("\n".join)


@settings(max_examples=FUZZ, deadline=None)
@given(FORMISH)
def test_the_importer_reads_a_form_or_says_why_not(text):
    try:
        form = read_form(text_blocks(text))
    except FormError as error:
        assert str(error)
    else:
        assert form.sections or form.fields


@settings(max_examples=max(20, FUZZ // 10), deadline=None)
@given(st.binary(max_size=2000))
def test_the_importer_refuses_broken_word_files_cleanly(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "form.docx"
        path.write_bytes(b"PK\x03\x04" + raw)
        try:
            for questionnaire in read_questionnaires(path):
                read_form(questionnaire.blocks)
        except FormError as error:
            assert str(error)


TEXT = st.one_of(  # text the fonts can print, and any text at all
    st.text(alphabet=string.ascii_letters + " .,'éèàçœÉ«»-–" + "あいうえおかきくけこアイウ市川日本語。、",
            min_size=1, max_size=120),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=120))
FICHES = st.fixed_dictionaries({
    "lang": st.sampled_from(["fr", "ja"]),
    "country": st.sampled_from(["FR", "JP"]),
    "name": TEXT,
    "sections": st.dictionaries(st.sampled_from(["geography", "history", "highlights", "economy",
                                                 "exchanges", "good_practices"]),
                                TEXT, min_size=1),
}, optional={
    "kind": TEXT, "region": TEXT, "reading": TEXT,
    "area_km2": st.floats(allow_nan=True, allow_infinity=True),
    "population": st.integers(min_value=-10, max_value=10**12),
    "partners": st.lists(TEXT, max_size=3),
    "contact": st.fixed_dictionaries({}, optional={"name": TEXT, "email": TEXT, "phone": TEXT}),
})


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("BOOKLET_FICHE_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(FICHES)
def test_any_fiche_builds_a_pdf_or_gets_findings(fiche):
    from booklet.building.builder import Builder
    from booklet.errors import BookletError, DataError
    from booklet.project.loading import load_project
    from booklet.project.preflight import preflight

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "booklet.yaml").write_bytes((REPO / "booklet.yaml").read_bytes())
        (root / "fiches").mkdir()
        (root / "fiches" / "fiche.yaml").write_text(yaml.safe_dump(fiche, allow_unicode=True),
                                                    encoding="utf-8")
        try:
            project = load_project(root)
        except BookletError:
            return
        findings = [*project.findings, *preflight(project)]
        if any(f.is_error for f in findings) or not project.fiches:
            assert all(f.location.path for f in findings)
            return
        try:
            with Builder(root, use_cache=False) as builder:
                builder.build("fr", root / "fr.pdf")
        except DataError:
            return
        assert len(pypdf.PdfReader(root / "fr.pdf").pages) == 4  # cover, contents, fiche, index

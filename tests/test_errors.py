"""Bad input: a message with file, line and column, exit status 1, dist/ left as it was."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from conftest import copy_sample, page_texts, run


def _digest(folder):
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """The sample project, built once for the module."""
    project = copy_sample(tmp_path_factory.mktemp("errors") / "project")
    assert run("build", project, "--quiet").exit_code == 0
    return project


@pytest.fixture
def built_sample(built_once, tmp_path):
    """The sample project with a booklet already in dist/ (and its page cache): a copy of
    the one built once, for each test to break as it likes."""
    project = tmp_path / "project"
    shutil.copytree(built_once, project, symlinks=True)
    return project


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ISSY = "fiches/issy-les-moulineaux.yaml"


@pytest.mark.parametrize("old, new, message", [
    ("population: 66171", "population: beaucoup",
     '{f}:11:13: error: population must be a whole number, got "beaucoup"; '
     "write it without spaces or dots, e.g. 66171"),
    ("population: 66171", "population: 66 171",
     '{f}:11:13: error: population must be a whole number, got "66 171"; '
     "write it without spaces or dots, e.g. 66171"),
    ("area_km2: 4.3", "area_km2: 4,3",
     '{f}:10:11: error: area_km2 must be a number, got "4,3"; use a dot for decimals, e.g. 4.3'),
    ("population: 66171", "populaton: 66171",
     "{f}:11:1: error: unknown field 'populaton': did you mean 'population'?"),
    ("country: FR", "country: France", '{f}:5:10: error: country must be FR or JP, got "France"'),
    ("lang: fr\n", "", "{f}:1:1: error: lang is missing: add a line 'lang: ...'"),
    ("name: Issy-les-Moulineaux", "name: 1789",
     "{f}:6:7: error: name must be text, or translations under fr: and ja:; "
     "got the number 1789: put it in quotes"),
    ("  email: morgane", "  emial: morgane", "{f}:20:3: error: unknown field 'emial': did you mean 'email'?"),
    ("  - ichikawa", "  ichikawa", "{f}:13:3: error: partners must be a list, one '- item' per line"),
    ("area_km2: 4.3", "area_km2: -4.3", "{f}:10:11: error: area_km2 must be more than 0, got -4.3"),
    ("population: 66171", "population: 66171\npopulation: 3",
     "{f}:12:1: error: 'population' is given twice (first on line 11); keep only one"),
    ("country: FR", "country: FR\n\tkind: x",
     "{f}:6:1: error: a tab character is not allowed here: indent with spaces"),
    ("kind: commune", "kind: commune: ville",
     "{f}:7:14: error: a colon followed by a space starts a new field here; "
     "put the whole text in quotes or use a block (|)"),
    ("logo", "logo", None),
])
def test_bad_fiche_is_reported_and_nothing_is_written(built_sample, old, new, message):
    if message is None:  # an image path that escapes the project folder
        _replace(built_sample / ISSY, "population: 66171",
                 "population: 66171\nlogo: ../../etc/passwd")
        message = ("{f}:12:7: error: logo '../../etc/passwd' is outside the project folder: "
                   "copy the image into images/")
    else:
        _replace(built_sample / ISSY, old, new)
    before = _digest(built_sample / "dist")
    result = run("build", built_sample)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(message.format(f=f"{built_sample}/{ISSY}")), result.output
    assert lines[-1].endswith("nothing was written.")
    assert _digest(built_sample / "dist") == before


def test_positions_are_relative_to_the_current_folder(sample, monkeypatch):
    _replace(sample / ISSY, "population: 66171", "population: beaucoup")
    monkeypatch.chdir(sample)
    result = run("check")
    assert result.exit_code == 1
    assert result.output.startswith(f"{ISSY}:11:13: error: population must be a whole number")


def test_all_errors_of_all_files_in_one_run(sample):
    _replace(sample / ISSY, "population: 66171", "population: beaucoup")
    _replace(sample / "fiches/ichikawa.yaml", "country: JP", "country: Japon")
    _replace(sample / "booklet.yaml", "paper: A4", "paper: A3")
    result = run("check", sample)
    assert result.exit_code == 1
    assert "3 errors: nothing was written." in result.output
    assert "booklet.yaml:11:8: error: paper must be A4 or A5" in result.output


@pytest.mark.parametrize("content, message", [
    (b"", "{f}:1:1: error: the file is empty"),
    (b"lang: fr\nname: Caf\xe9\n", "{f}:2:10: error: the file is not UTF-8 text: save it as UTF-8"),
    (b"- a\n- b\n", "{f}:1:1: error: the file must hold fields written as 'name: value', one "
                  "per line; it holds a list"),
    (b"a: &x [1]\nb: *x\n", "{f}:1:4: error: aliases (*name) are not supported in fiches"),
])
def test_unreadable_fiche(sample, content, message):
    (sample / "fiches" / "bad.yaml").write_bytes(content)
    result = run("check", sample)
    assert result.exit_code == 1
    assert message.format(f=f"{sample}/fiches/bad.yaml") in result.output


def test_fiche_text_is_never_interpreted(sample):
    hostile = ('<b>gras</b> {{ 7*7 }} {% raw %} <link rel="attachment" '
               'href="file:///etc/hostname"> <img src="file:///etc/passwd">')
    _replace(sample / ISSY, "  geography: >\n", f"  geography: >\n    {hostile}\n")
    result = run("build", sample, "--edition", "fr")
    assert result.exit_code == 0, result.output
    from conftest import flat, page_texts, reader

    pdf = sample / "dist" / "booklet-fr.pdf"
    text = " ".join(page_texts(pdf)[2].split())
    assert flat('<b>gras</b> {{ 7*7 }} {% raw %} <link rel="attachment" href="file:///etc/hostname">'
                ' <img src="file:///etc/passwd">') in flat(text)
    assert "/EmbeddedFiles" not in reader(pdf).trailer["/Root"].get("/Names", {})


@pytest.mark.slow  # the page laid out at every step of copyfitting
def test_a_fiche_too_long_for_one_page_is_an_error(sample):
    long_text = " ".join(["Un texte beaucoup trop long pour une seule page."] * 160)
    _replace(sample / ISSY, "  geography: >\n", f"  geography: >\n    {long_text}\n")
    result = run("build", sample)
    assert result.exit_code == 1
    assert (f"{sample}/{ISSY}:4:1: error: the French text of Issy-les-Moulineaux is about "
            in result.output)
    assert "too long for one page even at the smallest size (7.5 pt); shorten section" in (
        result.output)
    assert not (sample / "dist").exists()


def test_not_a_project(tmp_path):
    result = run("build", tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path} is not a booklet project: booklet.yaml not found there. "
        "Run the command in the project folder, or create one with `booklet new FOLDER`.\n")


def test_output_needs_an_edition_when_there_are_two(sample, tmp_path):
    result = run("build", sample, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "-o writes one PDF: choose its edition with --edition fr or --edition ja" in (
        result.output)
    assert not (tmp_path / "x.pdf").exists()


def test_order_must_name_existing_fiches(sample):
    _replace(sample / "booklet.yaml", "order: [FR, JP]", "order: [ichikawa, issy-les-moulinaux]")
    result = run("check", sample)
    assert result.exit_code == 1
    assert ("booklet.yaml:12:19: error: order lists 'issy-les-moulinaux', which is no fiche: "
            "did you mean 'issy-les-moulineaux'?") in result.output
    assert "fiche 'issy-les-moulineaux' is missing from order" in result.output


PRINTED = pytest.mark.slow  # a check and a build: the value printed as typed


@pytest.mark.parametrize("old, new, message", [
    pytest.param("population: 66171", "population: 066171", None,  # decimal, not YAML 1.1 octal
                 marks=PRINTED),
    ("population: 66171", "population: 1:30",
     '{f}:11:13: error: population must be a whole number, got "1:30"'),
    ("population: 66171", "population: " + "1" * 40,
     '{f}:11:13: error: population "1111111111111111111111111111111111111111" is far too large'),
    ("name: Issy-les-Moulineaux", "name: !custom Issy",
     "{f}:6:7: error: YAML tags (a value starting with !) are not supported in fiches"),
    pytest.param("name: Issy-les-Moulineaux", "name: 2024-13-01", None, marks=PRINTED),
    pytest.param("kind: commune", "kind: no", None, marks=PRINTED),
    ("area_km2: 4.3", 'area_km2: "4,3 km² (source: INSEE)"',
     '{f}:10:11: error: area_km2 must be a number, got "4,3 km² (source: INSEE)"; use a dot'),
])
def test_yaml_values_mean_what_they_show(sample, old, new, message):
    _replace(sample / ISSY, old, new)
    result = run("check", sample)
    if message is None:  # as typed: a date-like name, the word "no", 066171 = 66171
        assert result.exit_code == 0, result.output
        assert run("build", sample, "--edition", "fr", "-q").exit_code == 0
        text = " ".join(page_texts(sample / "dist" / "booklet-fr.pdf")[2].split())
        assert "66 171 hab." in text and new.split(": ", 1)[1].replace("066171", "") in text
        return
    assert result.exit_code == 1
    assert message.format(f=f"{sample}/{ISSY}") in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("old, new, message", [
    ("order: [FR, JP]", "order: [FR, JP, FR]",
     "booklet.yaml:12:8: error: order lists FR more than once: keep each once"),
    ("editions: [fr, ja]", "editions: [fr, fr]",
     "booklet.yaml:10:11: error: editions lists fr more than once: keep each once"),
    ("order: [FR, JP]", "order: [FR, ichikawa, issy-les-moulineaux]",
     "booklet.yaml:12:8: error: order mixes countries and fiche ids"),
    ("order: [FR, JP]", "order: [fr, jp]",
     "booklet.yaml:12:8: error: order countries are written in capitals: FR, JP"),
])
def test_booklet_yaml_mistakes(sample, old, new, message):
    _replace(sample / "booklet.yaml", old, new)
    result = run("check", sample)
    assert result.exit_code == 1
    assert f"{sample}/{message}" in result.output


def test_two_files_for_one_fiche_id(sample):
    (sample / "fiches" / "ichikawa.yml").write_bytes((sample / "fiches" / "ichikawa.yaml").read_bytes())
    (sample / "fiches" / "._ichikawa.yaml").write_bytes(b"\x00\x05\x16\x07 mac resource fork")
    result = run("check", sample)
    assert result.exit_code == 1
    assert (f"{sample}/fiches/ichikawa.yml:1:1: error: two files for the fiche 'ichikawa' "
            "(ichikawa.yaml and ichikawa.yml): keep only one") in result.output
    assert "._ichikawa" not in result.output


@pytest.mark.slow  # two builds
def test_stale_per_collectivite_pdfs_are_removed(sample):
    assert run("build", sample, "-q").exit_code == 0
    (sample / "fiches" / "ichikawa.yaml").rename(sample / "fiches" / "ichikawa-shi.yaml")
    _replace(sample / ISSY, "  - ichikawa", "  - ichikawa-shi")
    assert run("build", sample, "-q").exit_code == 0
    assert sorted(p.name for p in (sample / "dist" / "fiches").iterdir()) == [
        "ichikawa-shi-fr.pdf", "ichikawa-shi-ja.pdf",
        "issy-les-moulineaux-fr.pdf", "issy-les-moulineaux-ja.pdf"]

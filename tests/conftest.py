"""Shared fixtures: sample projects copied to temporary folders, and PDF readers.

Every PDF here is made by the real WeasyPrint with the bundled fonts and read
back with pypdf, pypdfium2 or poppler; nothing is mocked.
"""

from __future__ import annotations

import shutil
import signal
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

SLOW_ELSEWHERE = {
    "test_serve.py": None,
    "test_rebuilding.py": {"test_build_watch_writing_its_log_into_the_project_does_not_rebuild",
                           "test_only_what_the_build_reads_is_a_change"},
    "test_import_formats.py": {"test_imported_answers_are_printed_in_the_booklet"},
    "test_fiche_edits.py": {"test_a_new_fiche_is_created_and_a_deleted_one_is_kept_aside",
                            "test_the_preview_shows_the_page_as_edited_with_its_fit"},
}
"""The slow tests of files whose own marks are not set here: {file: the names of its slow
tests, or None for all of them}: `booklet serve` and `build --watch` run as real commands,
driven by a browser (Chromium, through Playwright) or by rebuilds; a booklet of every
imported form built; fiches edited through the editor's API and built, or previewed, again
and again."""


# Japanese sentences of different lengths: kanji, kana, small kana and long vowels, Latin
# names, numbers with units, e-mails, URLs and consecutive punctuation.
SENTENCES = [
    "ちょっとしたキャンペーンやパーティーを「国際交流」として毎年開催しています。",
    "フランスのIssy-les-Moulineaux市とは2009年から交流を続けています。",
    "面積は57.45 km²、人口は約48万人です。",
    "詳しくは https://www.city.example.jp/kokusai/ をご覧ください。",
    "問い合わせは kokusai@city.kumamoto.example.jp まで。",
    "「市民まつり」「花火大会」（いずれも夏）、多くの人が訪れます。",
    "ジョッキやコーヒーのサービスがあり、チェックインの後にぎゅうにゅうを配りました。",
    "伝統工芸の陶器や和紙づくりは、若い世代の職人によって受け継がれています。",
]


def pytest_collection_modifyitems(config, items):
    """`slow` for the tests of `SLOW_ELSEWHERE` (`make test-fast` runs `pytest -m "not slow"`)."""
    for item in items:
        names = SLOW_ELSEWHERE.get(item.path.name, ())
        if names is None or item.originalname in names:
            item.add_marker(pytest.mark.slow)


def copy_sample(target: Path) -> Path:
    """The repository's sample project (booklet.yaml + fiches/) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "booklet.yaml", target / "booklet.yaml")
    shutil.copytree(REPO / "fiches", target / "fiches")
    return target


@pytest.fixture
def sample(tmp_path) -> Path:
    return copy_sample(tmp_path / "project")


def without_lost_features(output: str) -> str:
    """The output of `check` or `build` without the warnings that a typesetting feature of
    booklet's WeasyPrint patches will not be printed (booklet.yaml:1:1), after checking that
    there is one for each feature that does not apply here (none unless
    BOOKLET_WEASYPRINT_PATCHES=0 is set, or another WeasyPrint is installed)."""
    lines = output.splitlines(keepends=True)
    for patch, _, _ in registry.lost_features():
        warning = f"booklet.yaml:1:1: warning: {patch.feature} will not be printed: "
        found = [line for line in lines if warning in line]
        assert len(found) == 1, output
        lines.remove(found[0])
    features = [patch.feature for patch in registry.PATCHES if patch.feature]
    assert not [line for line in lines if any(feature in line for feature in features)], output
    return "".join(lines)


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
    assert "warning" not in without_lost_features(result.output)  # WeasyPrint said nothing either
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


def hears_ctrl_c() -> None:
    """For a booklet process a test stops with Ctrl-C (SIGINT): started as a shell starts a
    command in the foreground, which hears it, even when the tests themselves run with SIGINT
    ignored (a background job of a shell, as some CI runners start them)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

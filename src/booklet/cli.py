"""The command line: parses arguments and calls one function of `commands` per command."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from booklet import __version__
from booklet.languages import CODES

PROJECT_DIR = click.Path(file_okay=False, path_type=Path)


class _Progress:
    """A progress bar of the pages laid out, on the terminal's error stream.

    It appears only once a build has taken more than DELAY seconds, and never
    when the output is not a terminal or with --quiet."""

    DELAY = 1.0

    def __init__(self, quiet: bool, console=None, clock=time.monotonic):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self.enabled = not quiet and self.console.is_terminal
        self.clock = clock
        self.bar = None
        self.done = 0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        if self.bar:
            self.bar.update(self.task, total=total, completed=0)
        else:
            self.started = self.clock()

    def advance(self) -> None:
        self.done += 1
        if self.bar is None and self.enabled and self.clock() - self.started > self.DELAY:
            from rich.progress import Progress

            self.bar = Progress(console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Laying out pages", total=self.total)
        if self.bar:
            self.bar.update(self.task, completed=self.done)

    def stop(self) -> None:
        if self.bar:
            self.bar.stop()


def _report(findings, shown: tuple[str, ...]) -> None:
    for finding in findings:
        if finding.severity in shown:
            click.echo(str(finding), err=True)


ACCEPT_MISSING_GLYPHS = click.option(
    "--accept-missing-glyphs", is_flag=True,
    help="Build even when a character is in no bundled font (it falls back to a system font "
         "or prints as an empty box); the characters are listed.")
NO_CACHE = click.option(
    "--no-cache", is_flag=True,
    help="Render every page anew, without reading or filling the page cache (.booklet/cache/).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="booklet")
def cli():
    """Make the brochure of the Rencontres franco-japonaises from a folder of fiches.

    \b
    Example:
      booklet new rencontres-2026     # start a project
      booklet check rencontres-2026   # find problems in the fiches
      booklet build rencontres-2026   # write the PDFs into rencontres-2026/dist/
    """


@cli.command()
@click.argument("directory", default=".", type=PROJECT_DIR)
@click.option("--edition", type=click.Choice(CODES), help="Build only this edition.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write exactly this PDF (one edition) instead of dist/.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--paper", type=click.Choice(["A4", "A5"]),
              help="Page size, instead of the paper of booklet.yaml.")
@click.option("--print", "for_print", is_flag=True,
              help="Make the PDF for a print shop: PDF/X-4 with a 3 mm bleed, marks outside "
                   "it, and the printing condition of booklet.yaml's print: output_intent "
                   "(dist/booklet-<edition>-print.pdf).")
@click.option("--marks", type=click.Choice(["crop", "japanese", "none"]),
              help="With --print: crop marks, Japanese marks (日本式トンボ: double corner and "
                   "centre marks) or none (a bare file with bleed); drawn outside the bleed. "
                   "Default: print: marks: of booklet.yaml, else crop.")
@click.option("--impose", type=click.Choice(["saddle"]),
              help="Also write each booklet imposed for saddle stitching: two pages per sheet "
                   "side, to print on both sides and fold (dist/booklet-<edition>-saddle.pdf).")
@click.option("--sheet", type=click.Choice(["A3", "A4"]),
              help="Sheet size for --impose: by default A3 for A4 pages and A4 for A5 pages; "
                   "A4 with A4 pages reduces them to fit an office printer.")
@click.option("--watch", is_flag=True,
              help="Keep running: build again each time a file of the project is saved, "
                   "laying out only what changed.")
@ACCEPT_MISSING_GLYPHS
@NO_CACHE
def build(directory: Path, edition: str | None, output: Path | None, paper: str | None,
          for_print: bool, marks: str | None, impose: str | None, sheet: str | None, quiet: bool,
          watch: bool, accept_missing_glyphs: bool, no_cache: bool):
    """Check the fiches and write the booklet PDFs.

    Writes DIRECTORY/dist/booklet-<edition>.pdf for every edition of
    booklet.yaml, and one PDF per collectivité in DIRECTORY/dist/fiches/.
    When anything is wrong, nothing is written. A fiche too long for one
    page is set smaller, down to the minimum size of the layout.

    \b
    Examples:
      booklet build
      booklet build rencontres-2026 --edition ja
      booklet build --edition fr -o livret.pdf
      booklet build --print                 # for the print shop
      booklet build --print --marks japanese   # for a Japanese print shop (日本式トンボ)
      booklet build --paper A5 --impose saddle   # A5 booklets from A4 sheets
      booklet build --watch
    """
    if sheet and not impose:
        raise click.UsageError("--sheet is the sheet size of --impose: add --impose saddle")
    print_options = {"paper": paper, "for_print": for_print, "impose": impose, "sheet": sheet,
                     "marks": marks}
    if watch:
        from booklet.commands.watch import watch_build

        return watch_build(directory, edition, output, quiet, accept_missing_glyphs,
                           lambda line: click.echo(line, err=True), **print_options)
    from booklet.building.workers import start_pool

    pool = start_pool(fork=True)  # first: the workers import WeasyPrint while booklet loads
    from booklet.commands.build import build as run
    from booklet.commands.build import describe_written

    progress = _Progress(quiet)
    try:
        outcome = run(directory, edition, output, progress, accept_missing_glyphs,
                      use_cache=not no_cache, pool=pool, **print_options)
    finally:
        progress.stop()
    _report(outcome.findings, ("error",) if quiet else ("error", "warning"))
    if not quiet:
        for line in describe_written(outcome.written):
            click.echo(line, err=True)


@cli.command()
@click.argument("directory", default=".", type=PROJECT_DIR)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and warnings.")
@click.option("--paper", type=click.Choice(["A4", "A5"]),
              help="Check the fit on this page size instead of the paper of booklet.yaml.")
@click.option("--print", "for_print", is_flag=True,
              help="Also make the print shop's PDFs (in a temporary folder) and check them page "
                   "by page: images below 300 dpi, text under 6 pt, lines under 0.25 pt, fonts "
                   "not embedded, colour short of the bleed.")
@click.option("--marks", type=click.Choice(["crop", "japanese", "none"]),
              help="With --print: the marks of the PDFs checked (default: booklet.yaml's).")
@ACCEPT_MISSING_GLYPHS
@NO_CACHE
def check(directory: Path, as_json: bool, quiet: bool, paper: str | None, for_print: bool,
          marks: str | None, accept_missing_glyphs: bool, no_cache: bool):
    """Check every fiche and lay out every page, writing nothing in dist/.

    Prints one line per finding, errors first: file:line:column: severity: message.
    The information lines say, for every fiche and edition, whether it fits
    on its page at full size or was set smaller. Exit status 1 when there
    are errors, 0 with warnings only.

    \b
    Examples:
      booklet check rencontres-2026
      booklet check rencontres-2026 --json > findings.json
      booklet check --print       # also what a print shop's preflight would flag
    """
    from booklet.building.workers import start_pool

    pool = start_pool(fork=True)  # first: the workers import WeasyPrint while booklet loads
    from booklet.commands.build import check as run
    from booklet.errors import DataError

    progress = _Progress(quiet or as_json)
    try:
        findings, failed = run(directory, progress, accept_missing_glyphs, paper,
                               use_cache=not no_cache, pool=pool, for_print=for_print,
                               marks=marks).findings, False
    except DataError as error:
        if not as_json:
            raise
        findings, failed = error.findings, True
    finally:
        progress.stop()
    if as_json:
        import json

        click.echo(json.dumps({"ok": not failed, "findings": [f.as_json() for f in findings]},
                              ensure_ascii=False, indent=2))
        raise SystemExit(1 if failed else 0)
    _report(findings, ("error", "warning") if quiet else ("error", "warning", "info"))
    if not quiet:
        click.echo("No errors: the booklet can be built.", err=True)


@cli.command()
@click.argument("directory", default=".", type=PROJECT_DIR)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default is reachable from this computer only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@ACCEPT_MISSING_GLYPHS
def serve(directory: Path, host: str, port: int, accept_missing_glyphs: bool):
    """Preview the booklet in a web browser, and rebuild it each time a file is saved.

    Builds the project, then serves a page listing every collectivité with a
    thumbnail of its page, whether it fits, what the checks found, and links
    to download each booklet and each collectivité's own PDF. The page
    updates by itself after each rebuild; when a change breaks a fiche it
    shows the error, and the last good PDFs stay downloadable.

    \b
    Example:
      booklet serve rencontres-2026       # then open http://127.0.0.1:8000/
    """
    from booklet.web.server import serve as run

    run(directory, host, port, accept_missing_glyphs, lambda line: click.echo(line, err=True))


@cli.command("import")
@click.argument("sources", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--to", "to", default="fiches", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the fiches into (the project's fiches/).")
@click.option("--force", is_flag=True, help="Replace fiches that already exist.")
def import_(sources: tuple[Path, ...], to: Path, force: bool):
    """Turn returned questionnaires into fiches.

    Reads the « Fiche de présentation des collectivités participantes » (or
    the Japanese form) as sent back by each collectivité: Word (.docx) or
    LibreOffice (.odt) files, text pasted from an e-mail, PDF forms, and the
    spreadsheets of an online form (.xlsx, .csv: one collectivité per row).
    A folder imports every questionnaire in it. Writes one fiche per
    collectivité into fiches/<id>.yaml and prints, for each, what was
    recognised, what needs a human look, and whether the fiche passes the
    checks; then a summary table. Whatever matches no field is kept as
    comments at the end of the fiche. An existing fiche is never replaced
    without --force.

    \b
    Examples:
      booklet import reponses/                  # every questionnaire in the folder
      booklet import reponses/issy.docx reponses/ichikawa.txt
      booklet import reponses.xlsx --to rencontres-2026/fiches
    """
    from booklet.commands.import_ import import_files, summary

    reports = import_files(list(sources), to, force)
    for report in reports:
        for line in report.lines():
            click.echo(line, err=True)
    for line in summary(reports):
        click.echo(line, err=True)
    if any(report.error for report in reports):
        raise SystemExit(1)


@cli.command()
@click.argument("directory", type=PROJECT_DIR)
def new(directory: Path):
    """Create a new booklet project with one French and one Japanese example fiche.

    \b
    Example:
      booklet new rencontres-2026
    """
    from booklet.commands.new import new as run

    for line in run(directory):
        click.echo(line, err=True)


def main() -> None:
    """The `booklet` command. When the command is done, every file it wrote is closed and in
    place: the process ends there, without Python's tear-down of the build's objects (a
    tenth of a second after a large build)."""
    try:
        cli(prog_name="booklet")
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (1 if done.code else 0)
    else:
        code = 0
    if "booklet.building.workers" in sys.modules:  # a build rendered here: WeasyPrint's font copies go
        sys.modules["booklet.building.workers"].release()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

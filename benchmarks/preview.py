"""The fiche editor's live view (issue 16): from the last keystroke to the page shown, in a browser.

Generates a project of N fiches, starts `booklet serve` on it (which builds it), opens the
editor of French and Japanese fiches in Chromium (Debian's, as the tests use), types a
sentence into a section as a person would (a key every 60 ms), and measures the time from
the last keystroke to the new page drawn in the editor, with its fit gauge: the form's
pause before asking (debounce), the server merging and checking the data and rendering
the page, and the browser decoding the image.

    python benchmarks/preview.py 200        # N fiches (default 200)
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
EDITS = [("fr-0003", "fr", "geography", " Une phrase de plus."),
         ("jp-0003", "ja", "geography", "追加の文です。"),
         ("fr-0010", "fr", "history", " Encore une phrase."),
         ("jp-0010", "ja", "history", "もう一文を加えました。"),
         ("fr-0021", "fr", "highlights", " Et une autre."),
         ("jp-0021", "ja", "highlights", "さらに一文。")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_up_to_date(url: str, process: subprocess.Popen) -> None:
    while process.poll() is None:
        try:
            if "Up to date" in httpx.get(url, timeout=2).text:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("booklet serve stopped:\n" + process.stdout.read())


def measure(url: str) -> list[float]:
    """Seconds from the last keystroke to the edited page shown, for each of EDITS."""
    from playwright.sync_api import sync_playwright

    seconds = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for fiche, lang, section, sentence in EDITS:
            page = browser.new_page(locale="ja-JP" if lang == "ja" else "fr-FR")
            page.goto(f"{url}edit/{fiche}?edition={lang}")
            image = page.locator("#page")
            image.wait_for(state="visible", timeout=120_000)
            page.wait_for_function("document.getElementById('page').dataset.generation === '1'")
            field = page.locator(f'[id="sections.{section}.{lang}"]')
            field.press("End")
            field.press_sequentially(sentence, delay=60)
            start = page.evaluate("performance.now()")
            page.wait_for_function(
                "document.getElementById('page').dataset.generation === '2' "
                "&& document.getElementById('page').complete", timeout=30_000)
            seconds.append((page.evaluate("performance.now()") - start) / 1000)
            page.close()
        browser.close()
    return seconds


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / f"n{count}"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(count), str(root)],
                       check=True, capture_output=True)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        process = subprocess.Popen([sys.executable, "-m", "booklet", "serve", str(root),
                                    "--port", str(port)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            _wait_up_to_date(url, process)
            seconds = measure(url)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"last keystroke to the edited page shown, N = {count}: "
          + ", ".join(f"{s:.2f} s" for s in seconds)
          + f"; median {statistics.median(seconds):.2f} s, slowest {max(seconds):.2f} s "
          f"(target: within 1.0 s; the form waits 0.4 s after the last key before asking)")


if __name__ == "__main__":
    main()

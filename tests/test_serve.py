"""`booklet serve` and `booklet build --watch`, run as real commands: a browser downloads and
follows edits, many clients download while fiches are rebuilt, nothing outside dist/ is served."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pypdf
import pytest

from conftest import edit, flat, hears_ctrl_c, page_texts, reader

CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make test`; never a downloaded browser
ISSY = "fiches/issy-les-moulineaux.yaml"
SENTENCE = "Une phrase ajoutée pendant que le livret se télécharge."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person stops `booklet serve`; killed if it does not end."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _up_to_date(url) -> bool:
    try:
        return "Up to date" in httpx.get(url, timeout=2).text
    except httpx.HTTPError:
        return False


@pytest.fixture
def server(sample):
    """`booklet serve` on a free port of 127.0.0.1, once its first build is done."""
    port = _free_port()
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "serve", str(sample),
                                "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(lambda: _up_to_date(url) or process.poll() is not None, what="booklet serve")
        assert process.poll() is None, process.stdout.read()
        yield url
    finally:
        _stop(process)
    assert "Traceback" not in process.stdout.read()


def test_a_browser_downloads_pdfs_and_sees_edits_and_errors(server, sample, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True)
        page.goto(server)
        issy = page.locator("#issy-les-moulineaux")
        expect(issy.locator("h3")).to_have_text("Issy-les-Moulineaux")
        expect(page.locator("#ichikawa h3")).to_have_text("市川市")
        expect(issy).to_contain_text("French page: full size (9 pt)")
        assert issy.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0

        with page.expect_download() as download:
            issy.get_by_text("PDF français").click()
        first = tmp_path / "issy-fr.pdf"
        download.value.save_as(first)
        assert len(reader(first).pages) == 1
        assert page_texts(first)[0].startswith("Issy-les-Moulineaux")

        generation = page.locator("body").get_attribute("data-generation")
        edit(sample, ISSY, "  history: >\n", f"  history: >\n    {SENTENCE}\n")
        expect(page.locator("body")).to_have_attribute(
            "data-generation", str(int(generation) + 1), timeout=60_000)
        with page.expect_download() as download:
            page.locator("#issy-les-moulineaux").get_by_text("PDF français").click()
        edited = tmp_path / "issy-fr-edited.pdf"
        download.value.save_as(edited)
        assert flat(SENTENCE) in flat(page_texts(edited)[0])

        edit(sample, ISSY, "population: ", "population: beaucoup ")
        expect(page.locator("#status")).to_have_class("status failed", timeout=60_000)
        expect(page.locator("#issy-les-moulineaux")).to_contain_text(
            "error: population must be a whole number")
        with page.expect_download() as download:  # the last good booklet is still there
            page.get_by_text("Livret français").click()
        booklet = tmp_path / "booklet-fr.pdf"
        download.value.save_as(booklet)
        assert flat(SENTENCE) in flat(page_texts(booklet)[2])
        browser.close()


def test_concurrent_downloads_during_rebuilds_are_all_whole_pdfs(server, sample):
    files = {"dist/booklet-fr.pdf": 5, "dist/booklet-ja.pdf": 5,
             "dist/fiches/issy-les-moulineaux-fr.pdf": 1, "dist/fiches/ichikawa-ja.pdf": 1}
    stop = threading.Event()

    def keep_editing():
        for number in range(1, 100):
            if stop.is_set():
                return
            edit(sample, ISSY, "  history: >\n", f"  history: >\n    Version {number}.\n")
            time.sleep(0.7)

    async def download_many():
        limits = httpx.Limits(max_connections=24)
        async with httpx.AsyncClient(base_url=server, limits=limits, timeout=60) as client:
            async def one(index):
                name = list(files)[index % len(files)]
                response = await client.get(name)
                return name, response
            return await asyncio.gather(*(one(i) for i in range(240)))

    editor = threading.Thread(target=keep_editing)
    editor.start()
    try:
        started = time.monotonic()
        responses = asyncio.run(download_many())
        while time.monotonic() - started < 4:  # let rebuilds overlap more downloads
            responses += asyncio.run(download_many())
    finally:
        stop.set()
        editor.join()
    versions = set()
    for name, response in responses:
        assert response.status_code == 200, (name, response.status_code)
        assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
        pdf = pypdf.PdfReader(io.BytesIO(response.content), strict=True)
        assert len(pdf.pages) == files[name]
        versions.add(response.content)
    assert len(versions) > len(files)  # the files did change while being downloaded


def test_nothing_outside_dist_is_served(server, sample):
    for path in ["dist/../booklet.yaml", "dist/%2e%2e/booklet.yaml",
                 "dist/fiches/..%2f..%2ffiches/ichikawa.yaml", "dist/..%2f..%2f..%2fetc/passwd",
                 "dist//etc/passwd", "dist/fiches/.x.pdf", "thumbs/..%2fbooklet-fr.png",
                 "fonts/..%2f..%2fcli.py", "fonts/fonts.css", "dist/%00", "dist/a%00.pdf"]:
        response = httpx.get(server + path)
        assert response.status_code == 404, path
        assert b"name:" not in response.content and b"root:" not in response.content
    assert httpx.get(server + "dist/index.html").status_code == 200
    # a page of another site, whose name now points to 127.0.0.1 (DNS rebinding), gets nothing
    rebound = httpx.get(server + "dist/booklet-fr.pdf", headers={"Host": "evil.example:8000"})
    assert rebound.status_code == 400 and not rebound.content.startswith(b"%PDF")


def test_build_watch_rebuilds_only_the_edited_fiche(sample):
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "build", str(sample), "--watch"],
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    reader_thread = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader_thread.start()
    try:
        _wait(lambda: any("Watching" in line for line in lines), what="the first build")
        single = Path(sample / "dist" / "fiches" / "issy-les-moulineaux-fr.pdf")
        edit(sample, ISSY, "  history: >\n", f"  history: >\n    {SENTENCE}\n")
        _wait(lambda: flat(SENTENCE) in flat(page_texts(single)[0]), what="the new PDF")
        _wait(lambda: any("2 pages laid out, 6 reused" in line for line in lines),
              what="the rebuild's report")
        assert flat(SENTENCE) in flat(page_texts(sample / "dist" / "booklet-ja.pdf")[2])
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    reader_thread.join(timeout=5)
    assert process.returncode == 0, "".join(lines)
    assert not any("Traceback" in line for line in lines)


def test_a_fiche_is_edited_in_the_browser_with_its_page_alive(server, sample):
    """The editor: the form built from the schema, the page as it will print and its fit
    gauge after each change, Save writing the file with its comments kept."""
    from playwright.sync_api import expect, sync_playwright

    fiche = sample / "fiches" / "ichikawa.yaml"
    before = fiche.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.startswith("#")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="fr-FR")
        page.goto(server)
        page.locator("#ichikawa").get_by_text("Modifier / 編集").click()
        image, gauge = page.locator("#page"), page.locator("#gauge")
        expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"),
                                        timeout=60_000)
        expect(gauge).to_contain_text("Tient en taille normale")
        # partners are chosen among the booklet's other fiches (or typed)
        expect(page.locator("#partners-choice")).to_contain_text("Issy-les-Moulineaux")
        history = page.locator('[id="sections.history.ja"]')
        expect(page.locator('label[for="sections.history.ja"]')).to_have_count(1)
        history.fill("市川市の歴史は古く、" * 400)
        expect(gauge).to_contain_text("caractères de trop", timeout=60_000)
        expect(gauge).to_contain_text("section 2")
        history.fill("市川市は古くから下総国の中心でした。")
        expect(gauge).to_contain_text("Tient en taille normale", timeout=60_000)
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator("#status")).to_contain_text("Enregistré", timeout=30_000)
        browser.close()
    # the normal rebuild follows: the text is in both booklets and the collectivité's PDFs
    dist = sample / "dist"
    for pdf in ["fiches/ichikawa-ja.pdf", "fiches/ichikawa-fr.pdf", "booklet-ja.pdf",
                "booklet-fr.pdf"]:
        _wait(lambda pdf=pdf: any(flat("市川市は古くから下総国の中心でした。") in flat(text)
                                  for text in page_texts(dist / pdf)), what=pdf)
    text = fiche.read_text(encoding="utf-8")
    assert all(line in text for line in comments)
    import yaml

    saved, original = yaml.safe_load(text), yaml.safe_load(before)
    assert saved["sections"].pop("history") == "市川市は古くから下総国の中心でした。"
    assert saved == original  # the form wrote back everything else as it was


def _red_share(data_url: str) -> float:
    """How much of a PNG given as a data: URL is pure red (the uploaded test logo)."""
    import base64

    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")
    colors = image.getcolors(image.width * image.height)
    return sum(count for count, (r, g, b) in colors
               if r > 220 and g < 40 and b < 40) / (image.width * image.height)


def test_the_editor_uploads_a_logo_and_shows_invalid_values_at_their_field(server, sample,
                                                                           tmp_path):
    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    logo = tmp_path / "logo-rouge.png"
    Image.new("RGB", (600, 600), (255, 0, 0)).save(logo)
    fiche = sample / "fiches" / "ichikawa.yaml"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(locale="ja-JP")
        page.goto(server + "edit/ichikawa")
        image = page.locator("#page")
        expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"),
                                        timeout=60_000)
        assert _red_share(image.get_attribute("src")) == 0
        expect(page.locator('label[for="upload-logo"]')).to_contain_text("画像を選ぶ")
        shown = image.get_attribute("data-generation")
        page.locator("#upload-logo").set_input_files(logo)
        expect(page.locator('[id="logo"]')).to_have_value(re.compile(r"^images/ichikawa-logo-"))
        expect(image).not_to_have_attribute("data-generation", shown, timeout=60_000)
        assert _red_share(image.get_attribute("src")) > 0.005  # the logo is on the page

        page.locator('[id="upload-photo"]').set_input_files(
            {"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image"})
        expect(page.locator('[data-for="photo"]')).to_contain_text("is not a PNG, JPEG or SVG")

        before = fiche.read_bytes()
        page.locator('[id="population"]').fill("-12")
        expect(page.locator('[data-for="population"]')).to_contain_text("more than 0",
                                                                        timeout=60_000)
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#status")).to_contain_text("エラー")
        expect(page.locator('[data-for="population"]')).to_contain_text("more than 0")
        assert fiche.read_bytes() == before

        page.locator('[id="population"]').fill("496676")
        page.get_by_role("button", name="保存").click()
        expect(page.locator("#status")).to_contain_text("保存しました", timeout=30_000)

        # what booklet check finds in the tab not shown: the tab says so
        page.locator('[id="tab-sections.history.fr"]').click()
        page.locator('[id="sections.history.fr"]').fill("Histoire \u0378")
        page.locator('[id="tab-sections.history.ja"]').click()
        expect(page.locator('[id="tab-sections.history.fr"]')).to_have_class(
            re.compile("has-findings"), timeout=60_000)
        expect(page.locator('[id="tab-sections.history.ja"]')).not_to_have_class(
            re.compile("has-findings"))
        browser.close()
    saved = fiche.read_text(encoding="utf-8")
    value = re.search(r"^logo: (images/ichikawa-logo-\w+\.png)$", saved, re.M)[1]
    assert (sample / value).read_bytes() == logo.read_bytes()
    single = sample / "dist" / "fiches" / "ichikawa-ja.pdf"
    _wait(lambda: any(len(page.images) for page in reader(single).pages), what="the logo's PDF")


def test_two_tabs_editing_one_fiche_the_later_save_is_refused_and_nothing_is_lost(server, sample):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="fr-FR")
        first, second = context.new_page(), context.new_page()
        for tab in (first, second):
            tab.goto(server + "edit/issy-les-moulineaux")
            expect(tab.locator("#gauge")).not_to_be_empty(timeout=60_000)
        first.locator('[id="sections.history.fr"]').fill("Texte du premier onglet.")
        first.get_by_role("button", name="Enregistrer").click()
        expect(first.locator("#status")).to_contain_text("Enregistré", timeout=30_000)
        second.locator('[id="sections.history.fr"]').fill("Texte du second onglet.")
        second.get_by_role("button", name="Enregistrer").click()
        conflict = second.locator("#conflict")
        expect(conflict).to_be_visible(timeout=30_000)
        expect(conflict).to_contain_text("Texte du second onglet.")
        expect(conflict).to_contain_text("Texte du premier onglet.")
        expect(second.locator('[id="sections.history.fr"]')).to_have_value(
            "Texte du second onglet.")
        browser.close()
    text = (sample / ISSY).read_text(encoding="utf-8")
    assert "Texte du premier onglet." in text and "second onglet" not in text


def test_on_another_address_changes_need_the_printed_token(sample):
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "serve", str(sample),
                                "--host", "0.0.0.0", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    fiche = sample / ISSY
    try:
        _wait(lambda: _up_to_date(url) or process.poll() is not None, what="booklet serve")
        [address] = [re.search(r"open (\S+#token=[\w-]+)", line)[1] for line in lines
                     if "#token=" in line]
        token = address.split("#token=")[1]
        assert address == f"http://{socket.gethostname()}:{port}/#token={token}"  # not 0.0.0.0
        before = fiche.read_bytes()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(locale="fr-FR")
            page.goto(url + "edit/issy-les-moulineaux")  # no token: no preview either
            expect(page.locator("#status")).to_contain_text("token", timeout=60_000)
            page.locator('[id="sections.history.fr"]').fill("Sans le jeton.")
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.locator("#status")).to_contain_text("token", timeout=30_000)
            assert fiche.read_bytes() == before

            page = browser.new_page(locale="fr-FR")
            page.goto(url + "#token=" + token)  # the address printed, then the editor
            page.locator("#issy-les-moulineaux").get_by_text("Modifier / 編集").click()
            expect(page.locator("#gauge")).not_to_be_empty(timeout=60_000)
            page.locator('[id="sections.history.fr"]').fill("Avec le jeton.")
            page.get_by_role("button", name="Enregistrer").click()
            expect(page.locator("#status")).to_contain_text("Enregistré", timeout=30_000)
            browser.close()
        assert "Avec le jeton." in fiche.read_text(encoding="utf-8")
    finally:
        _stop(process)
    assert not any("Traceback" in line for line in lines)


def test_ctrl_c_stops_build_watch_quietly(sample):
    """Ctrl-C in a terminal reaches every process of the command (its worker processes too):
    the watch ends with status 0, without a traceback from any of them."""
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "build", str(sample), "--watch"],
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    reader_thread = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader_thread.start()
    try:
        _wait(lambda: any("Watching" in line for line in lines), what="the first build")
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    reader_thread.join(timeout=5)
    assert process.returncode == 0, "".join(lines)
    assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)


@pytest.mark.parametrize("when", ["built", "building"])
def test_sigterm_stops_serve_cleanly(sample, when):
    """SIGTERM (`kill`, a service manager) stops `booklet serve` as Ctrl-C does, once built or
    in the middle of a build: status 0, no traceback, the worker processes stopped and their
    semaphores given back (else Python's resource tracker warns of leaked ones)."""
    port = _free_port()
    process = subprocess.Popen(preexec_fn=hears_ctrl_c,
                               args=[sys.executable, "-m", "booklet", "serve", str(sample),
                                "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    reader_thread = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader_thread.start()
    try:
        if when == "built":
            _wait(lambda: _up_to_date(f"http://127.0.0.1:{port}/") or process.poll() is not None,
                  what="booklet serve")
        else:
            # signalled as soon as its first page is in the page cache: the build is under way
            _wait(lambda: any((sample / ".booklet" / "cache").glob("*.json"))
                  or process.poll() is not None, what="the first build's first page")
        assert process.poll() is None, "".join(lines)
        children = _children(process.pid)
        assert children
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    reader_thread.join(timeout=10)  # the end of stderr: the children that shared it are gone
    output = "".join(lines)
    assert process.returncode == 0, output
    assert "leaked semaphore" not in output and "Traceback" not in output, output
    if when == "building":
        assert "built in" not in output  # stopped in the middle of the build
    _wait(lambda: not any(_running(child) for child in children), timeout=10,
          what="the worker processes to end")


def _children(pid: int) -> list[int]:
    """The processes `pid` started and that are still there: its worker processes, and
    Python's resource tracker."""
    return [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
            if _stat(stat.parent.name)[1:2] == [str(pid)]]


def _running(pid: int) -> bool:
    return _stat(str(pid))[:1] not in ([], ["Z"])  # a zombie has ended


def _stat(pid: str) -> list[str]:
    """A process's state and parent (and the rest of /proc/PID/stat); [] once it is gone."""
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []

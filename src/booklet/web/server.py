"""`booklet serve`: a local page to follow the booklet and download it, rebuilt on every save.

The page lists every collectivité by country with a thumbnail of its page,
its fit and its findings, and links to every PDF. The main thread builds the
project, then builds again each time a file the build reads changes (only what
changed is laid out again), while the web server answers in a thread of its
own; the page hears of each finished build through server-sent events and
reloads. When an edit breaks a fiche, the page shows the error and the last
good PDFs stay downloadable: PDFs are only ever renamed into place, and a
download sends one whole file, read from a single open.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from booklet.building.builder import Builder
from booklet.building.download_page import render_page
from booklet.building.outputs import fiche_name
from booklet.building.rebuilding import attempt, changes, describe, interrupt_on_sigterm
from booklet.errors import Finding, display_path
from booklet.languages import CODES
from booklet.project.loading import Project, load_project
from booklet.resources import FONTS_DIR
from booklet.web.editor_api import editor_routes

THUMBNAIL_WIDTH = 180  # pixels
PREVIEW_WIDTH = 620  # pixels: the editor's view of the page
THUMBNAIL_NAME = re.compile(rf"^([a-z0-9][a-z0-9_-]*)-({'|'.join(CODES)})\.png$")
SERVED_TYPES = {".pdf", ".html", ".png"}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SERVED_FONTS = {"NotoSansCJKjpBooklet-Regular.otf", "NotoSansCJKjpBooklet-Bold.otf"}


@dataclass
class SiteState:
    """What the page shows: the last build's findings, or why it failed."""

    generation: int = 0
    building: bool = True
    failed: bool = False
    message: str | None = "Building the booklet for the first time…"
    findings: list[Finding] = field(default_factory=list)
    project: Project | None = None


class Site:
    """The watched project and its state, shared by the build thread and the web server."""

    def __init__(self, root: Path, accept_missing_glyphs: bool = False, echo=None):
        self.root = root.resolve()
        self.dist = self.root / "dist"
        self.accept_missing_glyphs = accept_missing_glyphs
        self.echo = echo or (lambda line: None)
        self.state = SiteState()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thumbnails: dict[tuple, bytes] = {}
        self.pdfium_lock = threading.Lock()  # pdfium is not thread-safe
        self.builder: Builder | None = None

    def last_project(self) -> Project | None:
        """The project as the last build read it (None before, or when it did not load)."""
        with self.lock:
            return self.state.project

    def preview(self, fiche_id: str, data: dict, edition: str) -> dict:
        """A fiche as the form has it: its page as a PNG (base64), its fit and its findings."""
        import base64

        from booklet.compose.editions import low_resolution
        from booklet.project.preflight import preflight_findings
        from booklet.web.fiche_edits import edited_entry

        entry, findings = edited_entry(self.root, fiche_id, data)
        result: dict = {"findings": [{"keys": list(f.keys), "location": f.location,
                                      "message": f.message} for f in findings]}
        if entry is None:
            return result
        result["findings"] += [  # what `booklet check` finds besides the model: characters no
            {"keys": list(entry.source.keys_at(f.location)),  # font has, doubtful figures,
             "location": str(f.location), "message": f.message}  # images that do not print
            for f in preflight_findings(self.root, entry)]
        if self.builder is None:
            return result
        previewed = self.builder.preview(entry, edition)
        if previewed is None:
            result["message"] = "this change shows once it is saved (it moves pages or links)"
            return result
        record, job = previewed
        result["fit"] = record.fit
        if record.fit and record.fit["step"] is not None:
            result["step_size"] = job.steps[record.fit["step"]].body_size_pt
        result["messages"] = record.messages
        result["findings"] += [{"keys": [field], "location": "", "message": message}
                               for field, message in low_resolution(record.images)]
        image = self._render_thumbnail(record.own_pdf.read_bytes(), PREVIEW_WIDTH)
        result["image"] = "data:image/png;base64," + base64.b64encode(image).decode()
        return result

    def build_forever(self) -> None:
        """Build, then build again after every change, until `stop` is set (or Ctrl-C)."""
        with Builder(self.root, self.accept_missing_glyphs, publish_early=True) as builder:
            self.builder = builder
            self._build(builder)
            try:
                for changed in changes(self.root, self.stop):
                    if changed:
                        self.echo("changed: " + ", ".join(display_path(p) for p in sorted(changed)))
                    self._build(builder, catching_up=not changed)
            except Exception as error:  # e.g. the system's limit on watched folders
                message = (f"booklet stopped watching the folder ({error}): saved changes are no "
                           f"longer built; restart booklet serve")
                self.echo(message)
                with self.lock:
                    self.state.message = message
                    self.state.generation += 1

    def _build(self, builder: Builder, catching_up: bool = False) -> None:
        """Build and publish the result; a catching-up build that changed nothing (saves made
        before the watcher started) leaves the page as it is."""
        if not catching_up:
            with self.lock:
                self.state.building = True
        result = attempt(builder)
        if catching_up and not result.failed and not result.outcome.laid_out:
            return
        for line in describe(result, quiet=False):
            self.echo(line)
        project = self.state.project  # after a failed build, list what the PDFs are made of
        if not result.failed or project is None:
            try:
                project = load_project(self.root)
            except Exception:  # no usable booklet.yaml: nothing to list
                project = None
        with self.lock:
            self.state = SiteState(self.state.generation + 1, False, result.failed, result.message,
                                   result.findings, project)

    def page(self) -> str:
        with self.lock:
            state = self.state
        return render_page(state.project, state.findings, self.dist, live=True,
                           generation=state.generation, failed=state.failed,
                           message=state.message, building=state.building)

    def file(self, relative: str) -> tuple[bytes, str] | None:
        """A file under dist/, whole, or None when it is not one we serve."""
        try:
            path = (self.dist / relative).resolve()
        except (ValueError, OSError):  # a NUL byte, a name too long
            return None
        if (not path.is_relative_to(self.dist.resolve()) or path.suffix not in SERVED_TYPES
                or any(part.startswith(".") for part in path.relative_to(self.dist.resolve()).parts)):
            return None
        try:
            with path.open("rb") as file:  # the file as it was when opened, even if replaced
                return file.read(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        except OSError:
            return None

    def thumbnail(self, name: str) -> bytes | None:
        """A PNG of a collectivité's page, made from its PDF once per version of the PDF."""
        match = THUMBNAIL_NAME.match(name)
        if not match:
            return None
        content = self.file(fiche_name(match[1], match[2]))
        if content is None:
            return None
        key = (name, hash(content[0]))
        if key not in self.thumbnails:
            if len(self.thumbnails) > 2000:
                self.thumbnails.clear()
            self.thumbnails[key] = self._render_thumbnail(content[0])
        return self.thumbnails[key]

    def _render_thumbnail(self, pdf: bytes, width: int = THUMBNAIL_WIDTH) -> bytes:
        import io

        import pypdfium2

        with self.pdfium_lock:
            document = pypdfium2.PdfDocument(pdf)
            try:
                page = document[0]
                image = page.render(scale=width / page.get_width()).to_pil()
            finally:
                document.close()
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue()


def create_app(site: Site, hosts: list[str] | None = None, token: str | None = None
               ) -> Starlette:
    """The web application: the page, its events, downloads from dist/ and thumbnails, and
    the fiche editor's API. With `hosts`, requests naming another host are refused (against
    DNS rebinding). A change must come from the page itself (JSON, same origin) and, with
    `token` (a server reachable from other machines), carry it."""
    from sse_starlette.sse import EventSourceResponse
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    async def page(request: Request) -> Response:
        return HTMLResponse(await run_in_threadpool(site.page),
                            headers={"Cache-Control": "no-store"})

    async def events(request: Request) -> Response:
        async def stream():
            last = None
            while not site.stop.is_set():
                with site.lock:
                    now = (site.state.generation, site.state.building)
                if now != last:
                    last = now
                    yield {"event": "state",
                           "data": json.dumps({"generation": now[0], "building": now[1]})}
                await asyncio.sleep(0.1)
        return EventSourceResponse(stream())

    async def download(request: Request) -> Response:
        found = await run_in_threadpool(site.file, request.path_params["path"])
        if found is None:
            return Response("Not found: only the files of dist/ are served.", 404)
        content, media_type = found
        return Response(content, media_type=media_type, headers={"Cache-Control": "no-store"})

    async def thumbnail(request: Request) -> Response:
        image = await run_in_threadpool(site.thumbnail, request.path_params["name"])
        if image is None:
            return Response("No such page.", 404)
        return Response(image, media_type="image/png", headers={"Cache-Control": "no-store"})

    async def font(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SERVED_FONTS:
            return Response("No such font.", 404)
        return FileResponse(FONTS_DIR / name, media_type="font/otf")

    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)] if hosts else []
    return Starlette(middleware=middleware, routes=[
        *editor_routes(site, token),
        Route("/", page),
        Route("/fonts/{name}", font),
        Route("/events", events),
        Route("/dist/{path:path}", download),
        Route("/thumbs/{name}", thumbnail),
    ])


def serve(root: Path, host: str, port: int, accept_missing_glyphs: bool, echo) -> None:
    """Build and watch `root`, and serve its page at http://host:port/ until Ctrl-C or
    SIGTERM, which end it normally whenever they come, also in the middle of a build. As
    in `build --watch`, the builds run in the main thread, where Python raises
    KeyboardInterrupt for either: the builder stops its worker processes on the way out
    (none is left, nor their semaphores). The web server runs in a thread of its own."""
    import uvicorn

    load_project(root)  # no project: say so now rather than in the page
    site = Site(root, accept_missing_glyphs, echo)
    token = None if host in LOOPBACK else secrets.token_urlsafe(16)
    hosts = sorted(LOOPBACK | {host}) if host in LOOPBACK else None  # a web page elsewhere
    server = uvicorn.Server(uvicorn.Config(create_app(site, hosts, token), host=host, port=port,
                                           log_level="warning", timeout_graceful_shutdown=2))
    web = threading.Thread(target=server.run, name="booklet-web", daemon=True)
    interrupt_on_sigterm()
    try:
        web.start()
        while not server.started:
            if not web.is_alive():  # uvicorn said why (the port is taken…)
                raise SystemExit(1)
            time.sleep(0.01)
        _announce(site, host, port, token, echo)
        site.build_forever()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop.set()  # the page's event streams end
        server.should_exit = True
        web.join(timeout=10)


def _announce(site: Site, host: str, port: int, token: str | None, echo) -> None:
    """Where the page is; on a server other machines can reach, the token to edit fiches."""
    address = f"http://{_url_host(host)}:{port}/"
    if token is not None:
        reachable = address
        if host in ("0.0.0.0", "::"):  # every address of this machine: name one
            import socket

            reachable = f"http://{socket.gethostname()}:{port}/"
        echo(f"Warning: serving on {host}: anyone who can reach this machine can read the "
             f"fiches and the booklet. Editing a fiche needs this token: {token}. To edit, open "
             f"{reachable}#token={token} (this computer's name; its IP address works too), "
             f"and give that address only to the people who edit.")
    echo(f"Serving {display_path(site.root)} at {address} — press Ctrl-C to stop.")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host

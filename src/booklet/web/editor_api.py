"""The fiche editor of `booklet serve`: its page and the API behind it.

- `GET /edit/{id}`: the editor (site/edit.html), a form built from the fiche's
  JSON Schema (`/api/schema`) with the layout's labels (`/api/labels`) and the
  upload limit (`/api/limits`);
- `GET|PUT /api/fiches/{id}`: a fiche as data with its version, and saving it
  (`fiche_edits`); `GET|POST /api/fiches`: the fiches, and a new one;
  `POST /api/fiches/{id}/delete`;
- `POST /api/fiches/{id}/preview?edition=`: the page as the form has it (not
  saved), its fit and its findings;
- `POST /api/fiches/{id}/images`: a logo or photo uploaded (`uploads`).

Every request that changes something is refused unless it is JSON sent by the
page itself (`refused_change`), within a size limit, and, on a server other
machines can reach, carries the token printed when it started.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from functools import partial
from pathlib import Path
from typing import Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from booklet.errors import BookletError, display_path
from booklet.languages import CODES
from booklet.project.loading import Project
from booklet.resources import SCHEMAS_DIR, SITE_DIR
from booklet.web.fiche_edits import EditError
from booklet.web.uploads import MAX_UPLOAD_BYTES

MAX_REQUEST_BYTES = 2 * 2**20
"""A fiche as JSON: a hundred times the longest one."""
MAX_UPLOAD_REQUEST_BYTES = MAX_UPLOAD_BYTES * 4 // 3 + 2**16  # base64, and the rest of the JSON


class TooLarge(Exception):
    """A request body over its limit."""


class EditedSite(Protocol):
    """What the editor needs of the project `booklet serve` watches (`server.Site`)."""

    root: Path

    def last_project(self) -> Project | None:
        """The project as the last build read it (None before, or when it did not load)."""

    def preview(self, fiche_id: str, data: dict, edition: str) -> dict:
        """A fiche as the form has it: its page as a PNG, its fit and its findings."""


def editor_routes(site: EditedSite, token: str | None) -> list[Route]:
    """The editor's routes, for `server.create_app`."""
    api = EditorApi(site, token)
    return [
        Route("/edit/{id}", editor),
        Route("/api/schema", schema),
        Route("/api/labels", api.labels),
        Route("/api/limits", limits),
        Route("/api/fiches", api.fiches, methods=["GET", "POST"]),
        Route("/api/fiches/{id}/delete", api.delete_fiche, methods=["POST"]),
        Route("/api/fiches/{id}", api.fiche, methods=["GET", "PUT"]),
        Route("/api/fiches/{id}/preview", api.preview, methods=["POST"]),
        Route("/api/fiches/{id}/images", api.upload, methods=["POST"]),
    ]


class EditorApi:
    """The handlers of the editor's API for one site; `token`: the one a change must carry
    (a server other machines can reach), else None."""

    def __init__(self, site: EditedSite, token: str | None):
        self.site = site
        self.token = token

    async def changing(self, request: Request, call, limit: int = MAX_REQUEST_BYTES
                       ) -> Response:
        """`call(body)` for a request that changes something, once it passed every check; an
        EditError becomes a 400 with its message."""
        refused = refused_change(request, self.token)
        if refused:
            return JSONResponse({"error": refused}, 403)
        try:
            body = await _json_body(request, limit)
        except TooLarge:
            what = (f"images up to {MAX_UPLOAD_BYTES // 2**20} MB are accepted"
                    if limit == MAX_UPLOAD_REQUEST_BYTES else "a fiche is far smaller")
            return JSONResponse({"error": f"the request is too large ({what}): nothing was "
                                          f"changed"}, 413)
        except (ValueError, ClientDisconnect):
            return JSONResponse({"error": "the request is not JSON"}, 400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the request is not an object"}, 400)
        try:
            return await call(body)
        except EditError as error:
            return JSONResponse({"error": str(error)}, 400)

    async def fiche(self, request: Request) -> Response:
        """GET: a fiche as data with its version; PUT: saving it."""
        from booklet.web.fiche_edits import read_for_edit

        fiche_id = request.path_params["id"]
        if request.method != "GET":
            return await self.changing(request, partial(self._save, fiche_id))
        try:
            form = await run_in_threadpool(read_for_edit, self.site.root, fiche_id)
        except EditError as error:
            return JSONResponse({"error": str(error)}, 400)
        return JSONResponse({"id": form.id, "data": form.data, "version": form.version},
                            headers=NO_STORE)

    async def _save(self, fiche_id: str, body: dict) -> Response:
        from booklet.web.fiche_edits import save

        result = await run_in_threadpool(save, self.site.root, fiche_id, body.get("data"),
                                         str(body.get("version", "")))
        if result.theirs is not None:
            return JSONResponse({"error": "the fiche changed since this form opened it: "
                                          "both versions are here, nothing was written",
                                 "mine": body.get("data"),
                                 "theirs": {"data": result.theirs.data,
                                            "version": result.theirs.version}}, 409)
        if not result.saved:
            return JSONResponse({"error": "the fiche has errors: nothing was written",
                                 "findings": [_finding(f) for f in result.findings]}, 422)
        return JSONResponse({"saved": True, "version": result.version})

    async def fiches(self, request: Request) -> Response:
        """GET: the fiches (a partner can be chosen among them); POST: a new one."""
        if request.method != "GET":
            return await self.changing(request, self._create)
        project = self.site.last_project()
        return JSONResponse([{"id": entry.id, "name": entry.fiche.name}
                             for entry in (project.fiches if project else [])],
                            headers=NO_STORE)

    async def _create(self, body: dict) -> Response:
        from booklet.web.fiche_edits import create

        form = await run_in_threadpool(create, self.site.root, str(body.get("id", "")),
                                       str(body.get("lang", "")), str(body.get("name", "")),
                                       str(body.get("geography", "")))
        return JSONResponse({"id": form.id, "version": form.version}, 201)

    async def delete_fiche(self, request: Request) -> Response:
        """A fiche moved aside (`fiche_edits.delete`)."""
        from booklet.web.fiche_edits import delete

        async def move_aside(body: dict) -> Response:
            aside = await run_in_threadpool(delete, self.site.root, request.path_params["id"],
                                            str(body.get("version", "")))
            return JSONResponse({"deleted": True, "kept_at": display_path(aside)})

        return await self.changing(request, move_aside)

    async def preview(self, request: Request) -> Response:
        """The page as the form has it, not saved, in `?edition=`."""
        edition = request.query_params.get("edition", "")
        if edition not in CODES:
            return JSONResponse({"error": f"edition is one of {', '.join(CODES)}"}, 400)

        async def show(body: dict) -> Response:  # a change: it writes the page cache
            return JSONResponse(await run_in_threadpool(
                self.site.preview, request.path_params["id"], body.get("data"), edition),
                headers=NO_STORE)

        return await self.changing(request, show)

    async def upload(self, request: Request) -> Response:
        """A logo or photo, base64 in JSON, stored under images/ (`uploads.store_image`)."""
        return await self.changing(request, partial(self._store_image, request.path_params["id"]),
                                   MAX_UPLOAD_REQUEST_BYTES)

    async def _store_image(self, fiche_id: str, body: dict) -> Response:
        from booklet.web.uploads import store_image

        try:
            content = base64.b64decode(str(body.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            raise EditError("the image did not arrive whole: choose it again") from None
        value = await run_in_threadpool(store_image, self.site.root, fiche_id,
                                        str(body.get("field", "")), str(body.get("name", "")),
                                        content)
        return JSONResponse({"value": value}, 201)

    async def labels(self, request: Request) -> Response:
        """The layout's labels, for the form's."""
        from booklet.compose.templating import load_layout

        try:
            layout = await run_in_threadpool(load_layout, self.site.root)
        except BookletError as error:
            return JSONResponse({"error": str(error)}, 500)
        return JSONResponse(layout.labels, headers=NO_STORE)


async def editor(request: Request) -> Response:
    return FileResponse(SITE_DIR / "edit.html", media_type="text/html", headers=NO_STORE)


async def schema(request: Request) -> Response:
    return FileResponse(SCHEMAS_DIR / "fiche.schema.json", media_type="application/json")


async def limits(request: Request) -> Response:
    return JSONResponse({"max_upload_bytes": MAX_UPLOAD_BYTES})


NO_STORE = {"Cache-Control": "no-store"}


def refused_change(request: Request, token: str | None) -> str | None:
    """Why a request that changes something is refused, if it is: not JSON (a form of another
    site can post anything but JSON without asking), sent by a page of another site, or,
    on a server other machines can reach, without the token printed when it started."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return "changes are sent as JSON by the page of booklet serve"
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        return "changes come only from the page of booklet serve itself"
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return "changes come only from the page of booklet serve itself"
    if token is not None and not secrets.compare_digest(
            request.headers.get("x-booklet-token", ""), token):
        return ("this server is reachable from other machines, so changes need its token: "
                "open the address booklet serve printed when it started, the one ending in "
                "#token=… (ask the person who started it)")
    return None


async def _json_body(request: Request, limit: int):
    """The request's JSON, read up to `limit` bytes (TooLarge beyond, whatever the
    Content-Length says)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return json.loads(b"".join(chunks))


def _finding(finding) -> dict:
    return {"keys": list(finding.keys), "location": finding.location, "message": finding.message}

"""The Tornado side of the HTTP API (its operations: :mod:`jobdash.api`): one handler per
path of the operation table, behind a
token (or the page's login), answering JSON, workbooks, or RFC 9457 problem details.

- Every call needs ``Authorization: Bearer <token>`` (the server's API token) or, when the
  page has a login, ``Authorization: Basic`` with its user and password. Cookies are never
  enough, so a page on another site cannot make a logged-in browser call the API.
- A request whose ``Origin`` is another site's is refused; no CORS headers are sent.
- Service calls run on worker threads, so the pages' event loop never waits for DuckDB.
- A Gen Image Factory file is sent as the body of ``POST /api/imports/gif`` (up to 4 GiB,
  streamed to a temporary file: :class:`UploadHandler`), never named by a path to open.
- Typed errors become problems with the error's message (404 NotFound, 409 Conflict, 422
  ValidationError with its ``field``, 503 StoreLocked / StoreClosed); anything else is a 500
  whose detail says to see the server log, where its traceback goes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import hmac
import json
import logging
import mimetypes
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from tornado.http1connection import HTTP1Connection
from tornado.iostream import StreamClosedError
from tornado.web import RequestHandler, stream_request_body

from .. import __version__, wire
from ..api import openapi
from ..api.openapi import IMAGE_TYPES
from ..api.routes import (
    OPERATIONS,
    UPLOAD_LIMIT,
    Binary,
    ImageFile,
    Operation,
    Request,
    Workbook,
    only,
    sequence,
)
from ..contract import JobBackend
from ..errors import Conflict, JobdashError, NotFound, StoreClosed, StoreLocked, ValidationError
from ..events import Change
from ..ui import assets
from .access import Credentials
from .handlers import cross_origin

log = logging.getLogger(__name__)

STATUS = {NotFound: 404, Conflict: 409, ValidationError: 422, StoreLocked: 503, StoreClosed: 503}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
BODY_LIMIT = 1 << 20  # JSON bodies up to 1 MiB


class Problem(Exception):
    """An HTTP error answered as problem details."""

    def __init__(self, status: int, detail: str, field: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.field = status, detail, field


class ApiHandler(RequestHandler):
    """All operations of one path (their methods), made by :func:`api_routes`."""

    operations: dict[str, Operation]

    def initialize(
        self,
        history: Callable[[], JobBackend],
        token: str,
        credentials: Credentials | None,
        origins: list[str],
    ) -> None:
        self.history = history
        self.token = token
        self.credentials = credentials
        self.origins = origins

    def check_xsrf_cookie(self) -> None:  # authorisation is by header, never by cookie
        pass

    async def get(self, **path: str) -> None:
        await self._answer(path)

    async def post(self, **path: str) -> None:
        await self._answer(path)

    async def patch(self, **path: str) -> None:
        await self._answer(path)

    async def put(self, **path: str) -> None:
        await self._answer(path)

    async def delete(self, **path: str) -> None:
        await self._answer(path)

    async def _answer(self, path: dict[str, str]) -> None:
        try:
            operation = self._operation()
            self._authorise()
            request = Request(path=path, query=self._query(), body=self._body(operation))
            result = await asyncio.to_thread(operation.call, self.history(), request)
            self._respond(operation, result)
        except (Problem, JobdashError) as refused:
            self._refuse(refused)
        except Exception:
            log.exception("API %s %s failed", self.request.method, self.request.path)
            self._problem(500, "The server could not answer this request; see its log.")

    def _refuse(self, refused: Problem | JobdashError) -> None:
        """Answer a refusal: a Problem as it is, a typed error with its status and field."""
        if isinstance(refused, Problem):
            self._problem(refused.status, refused.detail, refused.field)
            return
        status = next((s for kind, s in STATUS.items() if isinstance(refused, kind)), 400)
        self._problem(status, str(refused), getattr(refused, "field", None))

    def _operation(self) -> Operation:
        """The operation of the request's method here (405 when there is none)."""
        operation = self.operations.get(self.request.method or "")
        if operation is None:
            allowed = ", ".join(sorted(self.operations))
            self.set_header("Allow", allowed)
            raise Problem(405, f"{self.request.method} is not allowed here (only {allowed})")
        return operation

    def _authorise(self) -> None:
        if cross_origin(self, self.origins):
            raise Problem(403, "Requests from other sites are refused.")
        scheme, _, value = self.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), self.token.encode()):
            return
        if scheme.lower() == "basic" and self.credentials is not None:
            try:
                user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                user = password = ""
            expected = self.credentials
            if hmac.compare_digest(user.encode(), expected.user.encode()) & hmac.compare_digest(
                password.encode(), expected.password.encode()
            ):
                return
        self.set_header("WWW-Authenticate", 'Bearer realm="jobdash"')
        raise Problem(401, "Give the server's API token: Authorization: Bearer <token>.")

    def _query(self) -> dict[str, list[str]]:
        try:
            return {
                k: [v.decode("utf-8") for v in values]
                for k, values in self.request.query_arguments.items()
            }
        except UnicodeDecodeError:
            raise Problem(422, "query: not UTF-8 text", "query") from None

    def _body(self, operation: Operation) -> Any:
        raw = self.request.body
        if operation.body is None:
            if raw:
                raise Problem(422, "body: this call takes no body", "body")
            return None
        if len(raw) > BODY_LIMIT:
            raise Problem(422, f"body: larger than {BODY_LIMIT} bytes", "body")
        try:
            return json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Problem(422, "body: not valid JSON", "body") from None

    def _respond(self, operation: Operation, result: Any) -> None:
        self.set_status(operation.status)
        if isinstance(result, Workbook):
            self.set_header(
                "Content-Type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            self.set_header("Content-Disposition", f'attachment; filename="{result.filename}"')
            try:
                self.write(result.path.read_bytes())
            finally:
                shutil.rmtree(result.path.parent, ignore_errors=True)
            return
        if isinstance(result, Binary):
            self.set_header("Content-Type", result.media_type)
            self.write(result.data)
            return
        if isinstance(result, ImageFile):
            kind = mimetypes.guess_type(result.path.name)[0]
            self.set_header(
                "Content-Type", kind if kind in IMAGE_TYPES else "application/octet-stream"
            )
            self.write(result.path.read_bytes())
            return
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(result, allow_nan=False))

    def _problem(self, status: int, detail: str, field: str | None = None) -> None:
        self.clear_header("Content-Disposition")
        self.set_status(status)
        self.set_header("Content-Type", "application/problem+json")
        problem = {
            "type": "about:blank",
            "title": TITLES.get(status, "Error"),
            "status": status,
            "detail": detail,
            "field": field,
        }
        self.finish(json.dumps(problem))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Tornado's own errors (a malformed request, a method it does not know): problem
        # details, never a traceback.
        if status_code == 405:
            self.set_header("Allow", ", ".join(sorted(getattr(self, "operations", {"GET": 0}))))
        self._problem(status_code, self._reason or TITLES.get(status_code, "Error"))


@stream_request_body
class UploadHandler(ApiHandler):
    """A path whose operation takes a file as its body. The checks every call gets (method,
    origin, token) and the size its ``Content-Length`` gives are made on the headers,
    before any of the body is read, so a refused upload is not received (413 over
    :data:`UPLOAD_LIMIT`; a chunked body is cut off there). The body is written, off the
    event loop, to a file in a new temporary folder (SQLite may add its own files beside
    it), which the operation gets as its path; the folder is removed when the call ends or
    the client leaves, whatever happened."""

    FILE = "upload.db"
    folder: Path | None = None
    received: BinaryIO | None = None
    calling = False

    async def prepare(self) -> None:
        try:
            self._operation()
            self._authorise()
            length = self.request.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > UPLOAD_LIMIT:
                raise Problem(413, f"body: larger than {UPLOAD_LIMIT >> 30} GiB", "body")
        except Problem as problem:
            self._refuse(problem)
            return
        if isinstance(self.request.connection, HTTP1Connection):  # always, on HTTP/1.1
            self.request.connection.set_max_body_size(UPLOAD_LIMIT)
        self.folder = Path(tempfile.mkdtemp(prefix="jobdash-upload-"))
        self.received = (self.folder / self.FILE).open("wb")

    async def data_received(self, chunk: bytes) -> None:
        if self.received is not None:
            await asyncio.to_thread(self.received.write, chunk)

    def _body(self, operation: Operation) -> Any:
        assert self.received is not None and self.folder is not None
        self.received.close()
        return self.folder / self.FILE

    async def post(self, **path: str) -> None:
        self.calling = True
        try:
            await self._answer(path)
        finally:
            self._discard()

    def on_connection_close(self) -> None:
        if not self.calling:  # a call going on removes the file when it ends
            self._discard()
        super().on_connection_close()

    def _discard(self) -> None:
        if self.received is not None:
            self.received.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def api_routes(
    history: Callable[[], JobBackend],
    token: str,
    credentials: Credentials | None,
    origins: list[str],
) -> list[tuple[str, type[ApiHandler], dict[str, Any]]]:
    """Tornado routes of every operation: literal paths before those with parameters."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in OPERATIONS:
        by_path.setdefault(operation.pattern, {})[operation.method] = operation
    settings = {"history": history, "token": token, "credentials": credentials, "origins": origins}
    ordered = sorted(by_path, key=lambda p: ("(?P<" in p, p))
    uploads = {o.pattern for o in OPERATIONS if o.upload}
    return [
        (
            r"/api/openapi.json",
            type("Described", (DescriptionHandler,), {"page": "openapi"}),
            settings,
        ),
        (r"/api/docs/?", type("Described", (DescriptionHandler,), {"page": "docs"}), settings),
        (r"/api/events/?", EventsHandler, settings),
    ] + [
        (
            pattern + "/?",
            type(
                "ApiHandler",
                (UploadHandler if pattern in uploads else ApiHandler,),
                {"operations": by_path[pattern]},
            ),
            settings,
        )
        for pattern in ordered
    ]


class EventsHandler(ApiHandler):
    """``/api/events``: the change feed as Server-Sent Events, from the change after
    ``since`` (or the ``Last-Event-ID`` a reconnecting browser sends; default: from now).
    Each event's id is its sequence number, so a client that reconnects with the last one
    misses nothing; one that fell too far behind, or whose server restarted, gets a
    ``resync`` event first and should reload what it shows."""

    POLL_S = 0.05
    KEEPALIVE_S = 15.0

    async def get(self, **path: str) -> None:
        try:
            self._authorise()
            request = Request(path=path, query=self._query())
            only(request, "since")
            backend = self.history()
            last = self.request.headers.get("Last-Event-ID", "")
            given = request.query.get("since", [last])[-1]
            seq = sequence(given) if given else backend.version
        except (Problem, JobdashError) as refused:
            self._refuse(refused)
            return
        self.set_header("Content-Type", "text/event-stream")
        self.set_header("Cache-Control", "no-cache")
        quiet = 0.0
        while True:
            version = backend.version
            if seq > version:  # the server restarted since the client's last event
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                self.write(_event(Change(version, "resync", (), now)))
                seq = version
            for change in backend.changes_since(seq) if version > seq else []:
                self.write(_event(change))
                seq = max(seq, change.seq)
                quiet = 0.0
            if quiet >= self.KEEPALIVE_S:
                self.write(": still here\n\n")
                quiet = 0.0
            try:
                await self.flush()
                await asyncio.sleep(self.POLL_S)
            except (StreamClosedError, asyncio.CancelledError):  # the client left, or the
                return  # server is stopping: nothing more to send, nothing to report
            quiet += self.POLL_S


def _event(change: Change) -> str:
    data = json.dumps(wire.change_to_json(change))
    return f"id: {change.seq}\nevent: {change.kind}\ndata: {data}\n\n"


class DescriptionHandler(ApiHandler):
    """``/api/openapi.json`` and ``/api/docs``: the API's description, for a script (with
    the token), or for a browser (with the page's login, or none when the page has none)."""

    page: str  # "openapi" or "docs"

    async def get(self, **path: str) -> None:
        try:
            if self.credentials is not None and not self.get_secure_cookie("user"):
                self._authorise()
            elif cross_origin(self, self.origins):
                raise Problem(403, "Requests from other sites are refused.")
        except Problem as problem:
            self._refuse(problem)
            return
        spec = openapi.document(__version__)
        if self.page == "openapi":
            self.set_header("Content-Type", "application/json")
            self.write(json.dumps(spec))
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.write(assets.render("api-docs", spec=spec))

"""The served app's own Tornado handlers: the login form (credentials compared in constant
time, posted only from the app's own origins) and the image files the history names.

Both sit behind Panel's auth provider like its pages: a request without a valid login never
reaches a file or the database."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from panel.auth import BasicAuthProvider, BasicLoginHandler
from panel.io.server import AuthenticatedStaticFileHandler
from tornado.web import HTTPError, RequestHandler, authenticated

from ..errors import NotFound, ValidationError
from ..service import JobService
from .access import Credentials, origin_host

log = logging.getLogger(__name__)


def cross_origin(handler: RequestHandler, origins: list[str]) -> bool:
    """Whether a request comes from a page outside ``origins``: its ``Origin`` header (sent
    by browsers with every POST and websocket) names another ``host:port``. Requests without
    one (scripts, curl) are not a browser acting for a user on another site's behalf."""
    origin = handler.request.headers.get("Origin")
    if origin is None:
        return False
    try:
        return origin_host(origin) not in origins
    except ValueError:  # "null" (a sandboxed frame, a file: page) or garbage
        return True


class LoginHandler(BasicLoginHandler):
    """Panel's login form, checking one user's credentials and refusing posts from other
    sites (a login CSRF would sign the user in to an attacker's session)."""

    credentials: ClassVar[Credentials]
    origins: ClassVar[list[str]]

    def _validate(self, username: str, password: str) -> bool:
        expected = self.credentials
        user_ok = hmac.compare_digest(username.encode(), expected.user.encode())
        password_ok = hmac.compare_digest(password.encode(), expected.password.encode())
        return user_ok and password_ok

    def post(self) -> None:
        if cross_origin(self, self.origins):
            raise HTTPError(403, "cross-origin login refused")
        super().post()


class AuthProvider(BasicAuthProvider):
    """Panel's basic auth provider with :class:`LoginHandler` for one user."""

    def __init__(self, credentials: Credentials, origins: list[str], login_template: str):
        self._handler: Any = type(
            "JobdashLoginHandler",
            (LoginHandler,),
            {"credentials": credentials, "origins": origins},
        )
        super().__init__(login_template=login_template)  # Bokeh reads login_handler here

    @property
    def login_handler(self) -> Any:
        handler: Any = super().login_handler  # Panel sets the endpoint and template on it
        self._handler._login_endpoint = handler._login_endpoint
        self._handler._login_template = handler._login_template
        return self._handler


class ImageHandler(AuthenticatedStaticFileHandler):
    """``/images/<path>``: a file under the image root that an image row of the history
    names (as its file or its thumbnail); anything else is 404, whether it exists or not."""

    def initialize(  # type: ignore[override]
        self, history: Callable[[], JobService], **kwargs: Any
    ) -> None:
        self.service = history()
        super().initialize(path=str(self.service.image_root), **kwargs)
        self.image: Path | None = None

    def find(self, path: str) -> Path:
        """The file that answers ``path`` (NotFound: 404)."""
        return self.service.image_file(path)

    # Tornado types authenticated() loosely: mypy sees neither the signature nor the await.
    @authenticated
    async def get(self, path: str, include_body: bool = True) -> None:  # type: ignore[override]
        try:
            self.image = await asyncio.to_thread(self.find, path)
        except (NotFound, ValidationError):
            raise HTTPError(404) from None
        await super().get(path, include_body)  # type: ignore[misc]

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        # The service has resolved and checked the file; serve exactly that one.
        assert self.image is not None
        return str(self.image)


class ImageByIdHandler(ImageHandler):
    """``/images/by-id/<image id>/file`` (or ``/thumbnail``): an image's file as its row
    stores it, checked as ``/images/<path>`` is (:meth:`JobService.image_of`); how pages
    reach the files an import kept where they were, outside the image root."""

    def find(self, path: str) -> Path:
        image_id, kind = path.split("/")
        return self.service.image_of(int(image_id), thumbnail=kind == "thumbnail")

"""Who may reach a served history, and from which pages: the bound address, the credentials
and the origins a browser may come from.

Served on loopback, jobdash needs no password (only this machine reaches it). Bound anywhere
else it refuses to start without credentials, unless told ``insecure`` (then it logs a
warning). Credentials come from the environment or a file, never from the command line,
where every user of the machine could read them in ``ps``.

Origins are the ``host:port`` forms a browser sends in its ``Origin`` header. A websocket or
a state-changing request whose Origin is not one of them is refused: a page on another site
must not drive a user's open session (Delete, Rerun) on their behalf.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ValidationError

PASSWORD_ENV = "JOBDASH_PASSWORD"
USER_ENV = "JOBDASH_USER"
COOKIE_SECRET_ENV = "JOBDASH_COOKIE_SECRET"
TOKEN_ENV = "JOBDASH_TOKEN"
DEFAULT_USER = "jobdash"

LOOPBACK_NAMES = ("localhost", "127.0.0.1")  # Bokeh's allowlist takes no IPv6 literal


@dataclass(frozen=True)
class Credentials:
    """One user name and its password (the page's login and the API's basic auth)."""

    user: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.user or ":" in self.user or not self.user.isprintable():
            raise ValidationError(
                "user: a non-empty name without ':' or control characters", "user"
            )
        if len(self.password) < 8:
            raise ValidationError("password: at least 8 characters", "password")

    @classmethod
    def from_environment(
        cls, user: str | None = None, password_file: str | os.PathLike | None = None
    ) -> Credentials | None:
        """Credentials from ``password_file`` (its first line) or ``$JOBDASH_PASSWORD``, for
        ``user`` (default ``$JOBDASH_USER`` or ``jobdash``); None when neither gives a
        password. A file that cannot be read raises ValidationError naming it."""
        name = user or os.environ.get(USER_ENV) or DEFAULT_USER
        if password_file is not None:
            path = Path(password_file)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
                raise ValidationError(
                    f"password file {path}: cannot be read ({reason})", "password_file"
                ) from None
            lines = text.splitlines()
            return cls(name, lines[0] if lines else "")
        password = os.environ.get(PASSWORD_ENV)
        return cls(name, password) if password else None


@dataclass(frozen=True)
class Access:
    """Where a server listens and who may use it.

    ``allow_origins`` adds origins beyond the bound address (``https://jobs.example.com``
    behind a proxy, or ``host:port``); ``insecure`` lets a non-loopback address serve
    without credentials (logged loudly). ``token`` is what the HTTP API asks of a client
    (``$JOBDASH_TOKEN``, else new at each start; clients find it in the discovery file)."""

    address: str = "127.0.0.1"
    port: int = 5006
    credentials: Credentials | None = None
    allow_origins: tuple[str, ...] = ()
    insecure: bool = False
    token: str = field(default_factory=lambda: _api_token(), repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValidationError(f"port: {self.port} is not a TCP port (1-65535)", "port")
        for origin in self.allow_origins:  # refused now, not at the first request
            if origin_host(origin).startswith("["):
                raise ValidationError(
                    f"allow_origin: {origin!r}: IPv6 literals are not supported, use a name",
                    "allow_origin",
                )

    @property
    def loopback(self) -> bool:
        """Whether only this machine can reach the address."""
        return is_loopback(self.address)

    def check(self) -> None:
        """Refuse a server others can reach that nobody has to log in to."""
        if self.loopback or self.credentials is not None or self.insecure:
            return
        raise ValidationError(
            f"address: {self.address} is reachable from other machines, so jobdash serve "
            f"needs a password: set {PASSWORD_ENV} (and {USER_ENV}) in the environment or "
            "pass --password-file FILE; --insecure serves without one",
            "address",
        )

    def origins(self) -> list[str]:
        """The ``host:port`` origins a browser may open a session or send a change from."""
        hosts = list(LOOPBACK_NAMES) if self.loopback else _names_of(self.address)
        found = [f"{host}:{self.port}" for host in hosts]
        found += [origin_host(origin) for origin in self.allow_origins]
        return list(dict.fromkeys(found))


def _api_token() -> str:
    """``$JOBDASH_TOKEN``, or a new random token."""
    return os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(32)


def is_loopback(address: str) -> bool:
    """Whether ``address`` (a name or an IP) is this machine's loopback."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def origin_host(origin: str) -> str:
    """``host:port`` of an origin given as a URL (``https://a.example``) or as ``host:port``;
    a URL without a port takes its scheme's."""
    text = origin.strip()
    parts = urlsplit(text if "//" in text else f"//{text}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise ValidationError(
            f"allow_origin: {origin!r} is not an origin like https://host or host:port",
            "allow_origin",
        )
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}"


def _names_of(address: str) -> list[str]:
    """The names and addresses a server bound to ``address`` is reached as: the address
    itself, or for a wildcard (0.0.0.0, ::) this machine's names and addresses."""
    if address not in ("0.0.0.0", "::", ""):
        return [address]
    names = {*LOOPBACK_NAMES, socket.gethostname(), socket.getfqdn()}
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        infos = []
    names.update(str(info[4][0]) for info in infos if info[0] == socket.AF_INET)
    return sorted(names)

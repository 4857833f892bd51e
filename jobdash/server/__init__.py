"""The served app: pages, image files, login and (soon) the HTTP API on one Panel server.

from jobdash.server import Access, Credentials, serve
serve("data/jobs.duckdb", Access(port=5006))
"""

from __future__ import annotations

from .access import Access, Credentials
from .run import serve, start_server

__all__ = ["Access", "Credentials", "serve", "start_server"]

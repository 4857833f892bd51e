"""Typed errors of the backend contract. Every message says what went wrong and what to do."""

from __future__ import annotations


class JobdashError(Exception):
    """Base class of every error jobdash raises on purpose."""


class ValidationError(JobdashError, ValueError):
    """Input was refused; ``field`` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(JobdashError, LookupError):
    """A job, configuration or preset does not exist."""


class Conflict(JobdashError):
    """The operation is not allowed in the current state (e.g. deleting a running job)."""


class StoreLocked(JobdashError):
    """Another process holds the DuckDB file read-write."""


class StoreClosed(JobdashError):
    """The history was closed (e.g. a page still polling after its server stopped)."""


class SchemaTooNew(JobdashError):
    """The file was written by a newer jobdash than the one opening it."""

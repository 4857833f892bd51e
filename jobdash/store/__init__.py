"""The DuckDB history: schema, migrations and the JobStore that holds every SQL statement."""

from .store import JobStore, utcnow

__all__ = ["JobStore", "utcnow"]

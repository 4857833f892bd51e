"""The DuckDB history: schema, migrations and the JobStore that holds every SQL statement."""

from .store import JobStore, Transaction, utcnow

__all__ = ["JobStore", "Transaction", "utcnow"]

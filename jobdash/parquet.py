"""Parquet files of DataFrames, for large SQL answers over HTTP (a tenth of JSON's bytes,
with their column types), written and read by an in-memory DuckDB: no extra dependency.

The one DuckDB outside :mod:`jobdash.store`: it never opens a history's file, only a
temporary Parquet file of its own (tests/test_store.py names this exception)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

PARQUET = "application/vnd.apache.parquet"


def frame_to_parquet(frame: pd.DataFrame) -> bytes:
    """A DataFrame as a Parquet file's bytes (for large answers: compressed, typed)."""
    with tempfile.TemporaryDirectory(prefix="jobdash-") as folder:
        path = Path(folder) / "answer.parquet"
        with duckdb.connect() as con:
            con.register("answer", frame)
            con.execute(f"COPY answer TO '{path}' (FORMAT parquet)")
        return path.read_bytes()


def frame_from_parquet(data: bytes) -> pd.DataFrame:
    """The DataFrame :func:`frame_to_parquet` wrote."""
    with tempfile.TemporaryDirectory(prefix="jobdash-") as folder:
        path = Path(folder) / "answer.parquet"
        path.write_bytes(data)
        with duckdb.connect() as con:
            return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()

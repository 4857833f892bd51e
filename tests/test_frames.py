"""Small results built as frames from their rows match DuckDB's own conversion."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from jobdash.store.frames import frame

COLUMNS = "SELECT * FROM (VALUES {rows}) t(big, small, real, stamp, text, other)"
ROW = "(1::BIGINT, 2::INTEGER, 0.5::DOUBLE, TIMESTAMP '2026-11-28 12:00:00.123456', 'ünï', [1])"
NULLS = "(NULL::BIGINT, NULL::INTEGER, NULL::DOUBLE, NULL::TIMESTAMP, NULL::VARCHAR, NULL)"


@pytest.mark.parametrize(
    "rows",
    [ROW, f"{ROW}, {NULLS}", f"{NULLS}, {ROW}"],
    ids=["values", "values then NULLs", "NULLs then values"],
)
def test_a_frame_equals_duckdbs_conversion(rows):
    con = duckdb.connect()
    sql = COLUMNS.format(rows=rows)
    expected = con.execute(sql).df()
    cur = con.execute(sql)
    built = frame(cur, cur.fetchall())
    pd.testing.assert_frame_equal(built.drop(columns="other"), expected.drop(columns="other"))
    # Other types (here a list) come as the Python values DuckDB fetched.
    assert list(built["other"]) == [row[-1] for row in con.execute(sql).fetchall()]


def test_an_empty_result_keeps_its_columns_and_types():
    con = duckdb.connect()
    cur = con.execute(COLUMNS.format(rows=ROW) + " WHERE FALSE")
    built = frame(cur, cur.fetchall())
    assert list(built.columns) == ["big", "small", "real", "stamp", "text", "other"]
    assert built.empty
    assert [str(t) for t in built.dtypes[:4]] == ["int64", "int32", "float64", "datetime64[us]"]

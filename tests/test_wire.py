"""The JSON form of frames: what DuckDB answers comes back from JSON text with the same
values and column types (the HTTP client's DataFrames are the service's)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from jobdash import wire

STATEMENTS = {
    "numbers, booleans, missing ones": "SELECT * FROM (VALUES (1::INT, NULL::INT, 2.5, TRUE, "
    "NULL::BOOLEAN, 1::TINYINT, 2::UBIGINT, 1.5::FLOAT), (2, 3, NULL, FALSE, TRUE, 3, 4, NULL)) "
    "t(i, ni, f, b, nb, tiny, ubig, f32)",
    "text and times": "SELECT * FROM (VALUES ('x', TIMESTAMP '2026-01-02 03:04:05.123456', "
    "DATE '2026-01-02'), (NULL, NULL, NULL), ('é😀', TIMESTAMP '1999-12-31 23:59:59', NULL)) "
    "t(s, ts, d)",
    "zoned times, decimals, lists, structs, intervals": "SELECT TIMESTAMPTZ '2026-01-02 "
    "03:04:05+02' AS tz, 1.25::DECIMAL(10, 2) AS dec, [1, 2] AS lst, {'a': 1} AS st, "
    "INTERVAL 3 HOUR AS iv FROM range(2)",
    "lists of one length": "SELECT * FROM (VALUES ([1, 2], 'a'), ([3, 4], NULL)) t(l, s)",
    "no rows": "SELECT 'x' AS s, TIMESTAMP '2026-01-01' AS t, 1 AS i WHERE false",
    "only missing values": "SELECT NULL AS n, NULL::TIMESTAMP AS t, NULL::DOUBLE AS f",
}


def through_json(frame: pd.DataFrame) -> pd.DataFrame:
    text = json.dumps(wire.frame_to_json(frame), allow_nan=False)
    return wire.frame_from_json(json.loads(text))


@pytest.mark.parametrize("statement", STATEMENTS.values(), ids=STATEMENTS.keys())
def test_a_frame_comes_back_from_json_as_it_was(statement):
    frame = duckdb.sql(statement).df()
    pd.testing.assert_frame_equal(through_json(frame), frame)


def test_what_json_cannot_hold_comes_back_missing():
    frame = duckdb.sql(
        "SELECT 'inf'::DOUBLE AS inf, 'nan'::DOUBLE AS nan, "
        "TIMESTAMP_NS '2026-01-01 00:00:00.123456789' AS ns"
    ).df()
    back = through_json(frame)
    assert np.isnan(back.loc[0, "inf"]) and np.isnan(back.loc[0, "nan"])
    assert back.dtypes.tolist() == frame.dtypes.tolist()
    assert back.loc[0, "ns"] == pd.Timestamp("2026-01-01 00:00:00.123456")  # to microseconds

"""JobQuery: pure state, round trips and hostile input."""

from __future__ import annotations

import datetime as dt

import pytest

from jobdash import JobQuery, ValidationError


def test_defaults_match_the_public_contract():
    q = JobQuery()
    assert q.statuses == [] and q.date_from is None and q.date_to is None
    assert q.configuration_ids == [] and q.search == "" and q.image_qc is None
    assert (q.sort, q.descending, q.page, q.page_size) == ("started_at", True, 1, 25)
    assert q.active_filters == 0


def test_round_trip_is_exact():
    q = JobQuery(
        statuses=["failed", "stopped"],
        date_from="2026-01-02",
        date_to=dt.date(2026, 2, 3),
        configuration_ids=[3, 4],
        search="  Hero <b>",
        image_qc="qc_failed",
        sort="duration",
        descending=False,
        page=7,
        page_size=100,
    )
    data = q.to_dict()
    assert data["date_from"] == "2026-01-02" and data["date_to"] == "2026-02-03"
    again = JobQuery.from_dict(data)
    assert again.to_dict() == data
    assert again.date_from == dt.date(2026, 1, 2)
    assert q.active_filters == 6


def test_url_style_strings_are_coerced():
    q = JobQuery.from_dict({"page": "3", "page_size": "50", "descending": "false", "image_qc": ""})
    assert (q.page, q.page_size, q.descending, q.image_qc) == (3, 50, False, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statuses", ["finished"]),
        ("statuses", ["'; DROP TABLE job_executions; --"]),
        ("date_from", "2026-13-45"),
        ("date_to", "yesterday"),
        ("sort", "id; DROP TABLE x"),
        ("page", 0),
        ("page", "two"),
        ("page_size", 30),
        ("image_qc", "great"),
        ("configuration_ids", ["a"]),
        ("search", "x" * 501),
        ("colour", "red"),
    ],
)
def test_bad_values_name_the_field(field, value):
    with pytest.raises(ValidationError) as err:
        JobQuery(**{field: value})
    assert err.value.field == field
    assert field in str(err.value)


def test_from_after_to_is_refused():
    with pytest.raises(ValidationError, match="date_from") as err:
        JobQuery(date_from="2026-03-02", date_to="2026-03-01")
    assert err.value.field == "date_from"


def test_one_sided_dates_are_allowed():
    assert JobQuery(date_from="2026-03-02").date_to is None
    assert JobQuery(date_to="2026-03-02").date_from is None


def test_copy_changes_only_what_is_asked():
    q = JobQuery(statuses=["failed"], page=4)
    r = q.copy(page=1)
    assert r.page == 1 and r.statuses == ["failed"] and q.page == 4


def test_filters_leave_out_sort_and_page():
    q = JobQuery(search="x", sort="id", page=2)
    assert set(q.filters()) == {
        "statuses",
        "date_from",
        "date_to",
        "configuration_ids",
        "search",
        "image_qc",
        "error_signature",
    }

"""UI state without a browser: Selection, the feed cursor, JobListing and DashboardState over
a real DuckDB history."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import T0, add_config, add_job

from jobdash import JobQuery, ValidationError
from jobdash.events import ChangeFeed
from jobdash.ui.dashboard.state import DashboardState
from jobdash.ui.page.state import JobListing, Selection
from jobdash.ui.shared.feed import FeedCursor, finished_jobs, runner_status


@pytest.fixture
def history(service):
    """30 jobs: ids 1-30, started an hour apart (newest = 30), every third one failed,
    job 29 running and job 30 pending."""
    config = add_config(service, "Hero banners")
    for i in range(1, 31):
        status = (
            "pending"
            if i == 30
            else "running"
            if i == 29
            else "failed"
            if i % 3 == 0
            else "completed"
        )
        add_job(
            service,
            status=status,
            label=f"Lake {i}",
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
            error_message="timeout" if status == "failed" else None,
        )
    return service


# -- Selection -------------------------------------------------------------------------------


def test_selection_keeps_ids_of_other_pages():
    selection = Selection()
    selection.sync_page([1, 2, 3], [1, 3])
    selection.sync_page([4, 5, 6], [5])
    assert selection.ids == [1, 3, 5]
    selection.sync_page([1, 2, 3], [3])  # unchecking 1 on its page keeps 5
    assert selection.ids == [3, 5]
    assert selection.on_page([5, 4, 3]) == [0, 2]
    assert selection.count(total=100) == 2


def test_selection_toggle_select_deselect_clear():
    selection = Selection()
    selection.select([4, 2, 4])
    assert selection.ids == [4, 2]
    selection.toggle(2)
    selection.toggle(7)
    assert selection.ids == [4, 7]
    selection.deselect([4])
    assert selection.ids == [7]
    selection.clear()
    assert selection.ids == [] and not selection.all_matching


def test_selection_all_matching_targets_the_query_across_pages():
    selection = Selection()
    selection.select_all_matching()
    query = JobQuery(statuses=["failed"], page=3)
    target = selection.target(query)
    assert isinstance(target, JobQuery) and target.statuses == ["failed"] and target.page == 1
    assert selection.count(total=42) == 42
    assert selection.on_page([9, 8]) == [0, 1]
    selection.sync_page([9, 8], [9])  # unchecking one row leaves "all matching"
    assert not selection.all_matching
    assert selection.target(query) == [9]


@pytest.mark.parametrize("bad", ["a", None, 1.5, True, "-3"])
def test_selection_refuses_what_is_not_a_job_id(bad):
    selection = Selection(ids=[1])
    with pytest.raises(ValidationError, match="not a job id"):
        selection.select([2, bad])
    assert selection.ids == [1]


# -- change feed -----------------------------------------------------------------------------


def test_feed_cursor_costs_nothing_when_nothing_changed(history, monkeypatch):
    cursor = FeedCursor(history)
    calls = []
    monkeypatch.setattr(history, "changes_since", lambda seq: calls.append(seq) or [])
    assert cursor.changes() == []
    assert calls == []  # only service.version was read


def test_feed_cursor_returns_each_change_once(history):
    cursor = FeedCursor(history)
    history.rename(3, "Renamed")
    history.cancel(30)
    kinds = [c.kind for c in cursor.changes()]
    assert kinds == ["renamed", "status-update"]
    assert cursor.changes() == []


def test_feed_cursor_resyncs_when_the_feed_is_another_one(history):
    """A history opened again (a restarted server) counts in a new feed: even when its
    version happens to equal the cursor's, the reader is told to reload."""
    cursor = FeedCursor(history)
    history.rename(3, "Renamed")
    assert [c.kind for c in cursor.changes()] == ["renamed"]
    reopened = ChangeFeed()
    reopened.publish("renamed", 4)  # the same version, counted in another feed
    history.feed = reopened
    assert [c.kind for c in cursor.changes()] == ["resync"]
    assert cursor.changes() == []


def test_finished_jobs_reports_completed_and_failed_only(history):
    cursor = FeedCursor(history)
    history.finish(29, "failed", message="boom", error_message="boom")
    job = history.claim_next()
    history.finish(job["id"], "stopped", message="stopped")
    assert finished_jobs(cursor.changes()) == [(29, "failed")]


# -- JobListing ------------------------------------------------------------------------------


def test_listing_loads_one_page_with_totals_and_stats(history):
    listing = JobListing(history, JobQuery(page_size=25))
    assert listing.page_ids == list(range(30, 5, -1))
    assert (listing.total, listing.pages) == (30, 2)
    assert listing.stats.total == 30 and listing.stats.by_status["failed"] == 9
    assert listing.runner.state == "running" and listing.runner.job["id"] == 29
    assert listing.runner.queued == 1


def test_listing_follows_the_query_and_filters_reset_the_page(history, monkeypatch):
    listing = JobListing(history)

    def no_statistics(*args):
        raise AssertionError("the statistics cover the whole history: no re-query")

    monkeypatch.setattr(history, "statistics", no_statistics)
    listing.query.page = 2
    assert listing.page_ids == list(range(5, 0, -1))
    listing.query.statuses = ["failed"]
    assert listing.query.page == 1
    assert listing.page_ids == [27, 24, 21, 18, 15, 12, 9, 6, 3]
    listing.query.param.update(sort="id", descending=False)
    assert listing.page_ids == [3, 6, 9, 12, 15, 18, 21, 24, 27]
    assert listing.total == 9 and listing.pages == 1


def test_listing_clamps_a_page_past_the_end(history):
    listing = JobListing(history, JobQuery(page=2))
    listing.query.search = "Lake 1"  # 11 matches: 1 page
    assert listing.query.page == 1 and listing.total == 11


def test_listing_reports_a_refused_query_and_keeps_its_rows(history):
    listing = JobListing(history)
    before = listing.page_ids
    listing.query.param.update(date_from=dt.date(2026, 12, 2), date_to=dt.date(2026, 12, 1))
    assert "date_from" in listing.error
    assert listing.page_ids == before and listing.reachable


def test_listing_poll_patches_visible_rows_for_progress_and_renames(history, monkeypatch):
    listing = JobListing(history)
    history.rename(28, "Sunset harbour")
    history.record(29, progress=40, step="generate")

    def no_requery(*args):
        raise AssertionError("a patch must not re-run the page query or the statistics")

    monkeypatch.setattr(history, "statistics", no_requery)
    changes = listing.poll()
    assert [c.kind for c in changes] == ["renamed", "progress-update"]
    rows = listing.rows.set_index("id")
    assert rows.at[28, "label"] == "Sunset harbour" and rows.at[29, "progress"] == 40
    assert listing.runner.job["progress"] == 40


def test_listing_poll_requeries_on_status_changes(history):
    listing = JobListing(history, JobQuery(statuses=["pending"]))
    assert listing.page_ids == [30]
    job = history.claim_next()
    assert listing.poll()[0].kind == "status-update"
    assert listing.page_ids == [] and listing.total == 0
    assert listing.stats.running == 2 and listing.stats.pending == 0
    assert job["id"] == 30


def test_statistics_are_read_once_per_change_for_every_session(history, monkeypatch):
    calls = []
    real = history.statistics
    monkeypatch.setattr(history, "statistics", lambda *a: calls.append(1) or real(*a))
    pages = [JobListing(history) for _ in range(5)]
    assert len(calls) == 1 and all(p.stats is pages[0].stats for p in pages)
    history.cancel(30)
    for listing in pages:
        listing.poll()
    assert len(calls) == 2 and all(p.stats.pending == 0 for p in pages)


def test_listing_poll_without_changes_does_nothing(history):
    listing = JobListing(history)
    rows = listing.rows
    assert listing.poll() == []
    assert listing.rows is rows


def test_listing_labels_from_page_or_service(history):
    listing = JobListing(history, JobQuery(page_size=25))
    assert listing.labels([30, 1]) == {30: "Lake 30", 1: "Lake 1"}


def test_runner_status_off_without_a_runner(service):
    add_job(service, status="pending", label="q")
    status = runner_status(service, service.statistics())
    assert (status.state, status.queued) == ("off", 1)
    assert status.text == "Runner off · 1 queued"


# -- DashboardState --------------------------------------------------------------------------


def test_dashboard_state_shows_recent_jobs_current_job_and_configurations(history):
    state = DashboardState(history, recent_count=5)
    assert list(state.recent["id"]) == [30, 29, 28, 27, 26]
    assert state.runner.job["id"] == 29
    assert list(state.configurations["name"]) == ["Hero banners"]
    history.start("Hero banners")
    assert [c.kind for c in state.poll()] == ["created"]
    assert state.stats.pending == 2
    assert state.poll() == []

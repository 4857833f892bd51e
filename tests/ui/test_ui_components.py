"""Components and formatting without a browser: each Viewer driven through its Python API
over a real history, and the pure helpers they are built from."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from factories import T0, add_config, add_job

import jobdash
from jobdash import JobQuery
from jobdash.ui.dashboard.view import DashboardPage, current_html, recent_html
from jobdash.ui.page.actions import JobActions
from jobdash.ui.page.filters import (
    ANY,
    FilterBar,
    configuration_options,
    filters_summary,
)
from jobdash.ui.page.header import help_html
from jobdash.ui.page.pager import Pager, page_window
from jobdash.ui.page.state import JobListing
from jobdash.ui.page.stats import StatsBar
from jobdash.ui.page.table import JobTable, changed_cells, display_frame
from jobdash.ui.shared import format as fmt
from jobdash.ui.shared.cards import card_texts, static_cards_html, trend_text
from jobdash.ui.shared.live import Ticker
from jobdash.ui.shared.notify import Toaster
from jobdash.ui.shared.runner_status import runner_html

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def history(service):
    """12 jobs over two configurations; job 5 has a hostile label, job 12 is pending."""
    hero = add_config(service, "Hero banners")
    pets = add_config(service, "Pet portraits")
    for i in range(1, 13):
        status = "pending" if i == 12 else "failed" if i % 4 == 0 else "completed"
        add_job(
            service,
            status=status,
            label=HOSTILE if i == 5 else f"Lake {i}",
            config_id=hero if i % 2 else pets,
            started_at=T0 + dt.timedelta(hours=i),
            error_message="timeout" if status == "failed" else None,
            images=[{"qc_status": "approved"}, {"qc_status": "qc_failed"}],
        )
    return SimpleNamespace(svc=service, hero=hero, pets=pets)


# -- formatting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, text",
    [
        (None, "—"),
        (float("nan"), "—"),
        (-1, "—"),
        (0, "0s"),
        (45.9, "45s"),
        (65, "1m 5s"),
        (3600, "1h 0m"),
        (8100, "2h 15m"),
        (90000, "1d 1h"),
    ],
)
def test_duration_text(seconds, text):
    assert fmt.duration_text(seconds) == text


def test_highlight_escapes_first_then_marks():
    assert fmt.highlight(HOSTILE, "img") == "&lt;<mark>img</mark> src=x onerror=alert(1)&gt;"
    assert fmt.highlight("Lake lake", "LAKE") == "<mark>Lake</mark> <mark>lake</mark>"
    assert fmt.highlight("a<b", "<") == "a<mark>&lt;</mark>b"
    assert fmt.highlight("x", "<script>") == "x"
    assert fmt.highlight(None, "") == ""


def test_labels_badges_and_images_are_escaped_html():
    assert fmt.label_html(HOSTILE, "") == (
        '<span class="jd-label" title="&lt;img src=x onerror=alert(1)&gt;">'
        "&lt;img src=x onerror=alert(1)&gt;</span>"
    )
    assert 'title="say &quot;hi&quot;"' in fmt.label_html('say "hi"', "")
    assert "Untitled" in fmt.label_html(None, "x") and "Untitled" in fmt.label_html("  ", "")
    assert fmt.status_badge("running", 40) == (
        '<span class="jd-badge jd-badge-running">Running · 40%</span>'
    )
    assert "&lt;b&gt;" in fmt.status_badge("<b>")
    assert fmt.images_html(6, 0, 0) == "<span>6</span>"
    hint = fmt.images_html(6, 3, 1)
    assert "· 3 failed" in hint and 'title="1 failed QC, 2 failed processing"' in hint
    assert fmt.actions_html(7) == (
        '<button type="button" class="jd-more" aria-haspopup="menu" aria-expanded="false" '
        'data-job="7" aria-label="Actions for JOB-000007">⋮</button>'
    )


@pytest.mark.parametrize(
    "current, pages, expected",
    [
        (1, 1, [1]),
        (3, 7, [1, 2, 3, 4, 5, 6, 7]),
        (1, 40, [1, 2, 3, 4, 5, None, 40]),
        (4, 40, [1, 2, 3, 4, 5, None, 40]),
        (5, 40, [1, None, 4, 5, 6, None, 40]),
        (37, 40, [1, None, 36, 37, 38, 39, 40]),
        (40, 40, [1, None, 36, 37, 38, 39, 40]),
        (99, 40, [1, None, 36, 37, 38, 39, 40]),
    ],
)
def test_page_window(current, pages, expected):
    assert page_window(current, pages) == expected


def test_card_texts_and_trend(history):
    texts = card_texts(history.svc.statistics())
    assert texts["total"][0] == "12"
    assert texts["failed"] == ("2", "18.2% failure rate")
    assert texts["completed"] == ("9", "81.8% success rate")
    assert texts["pending"] == ("1", "waiting in the queue")
    assert card_texts(None)["running"] == ("—", "")
    assert trend_text({"last_7d": 3, "previous_7d": 0, "change": None}) == "3 in the last 7 days"
    assert trend_text({"change": 0.25}) == "▲ 25% vs prior week"
    assert trend_text({"change": -0.5}) == "▼ 50% vs prior week"
    assert 'aria-label="Failed"' in static_cards_html(history.svc.statistics())


def test_display_frame_and_patches(history):
    listing = JobListing(history.svc)
    frame = display_frame(listing.rows, "lake")
    assert list(frame["id"]) == list(range(12, 0, -1))
    hostile = frame.set_index("id").at[5, "label_html"]
    assert "<img" not in hostile and "&lt;img src=x onerror=alert(1)&gt;" in hostile
    assert frame.set_index("id").at[7, "label_html"] == (
        '<span class="jd-label" title="Lake 7"><mark>Lake</mark> 7</span>'
    )
    assert changed_cells(frame, frame) == {}
    changed = frame.copy()
    changed.loc[2, "status"] = "X"
    assert changed_cells(frame, changed) == {"status": [(2, "X")]}
    assert changed_cells(frame, frame.iloc[::-1].reset_index(drop=True)) is None
    assert changed_cells(None, frame) is None


def test_dashboard_html_escapes_user_text(history):
    history.svc.rename(5, "Tom & Jerry <b>")
    rows = history.svc.get_all(JobQuery()).rows
    recent = recent_html(rows, "/jobs")
    assert "Tom &amp; Jerry &lt;b&gt;" in recent and 'href="/jobs"' in recent
    assert '<a class="jd-job" href="/jobs?job=JOB-000005">JOB-000005</a>' in recent
    assert "JOB-000005" in recent_html(rows, None) and "jd-job" not in recent_html(rows, None)
    assert "No jobs yet" in recent_html(rows.iloc[:0], None)
    assert "Nothing is running" in current_html(None)


def test_runner_html_and_help():
    assert "Job history unreachable" in runner_html(None, reachable=False)
    assert 'data-state="off"' in runner_html(None)
    text = help_html()
    for key in ("/", "r", "?"):
        assert f"<kbd>{key}</kbd>" in text.replace("&#x27;", "'")


# -- components ------------------------------------------------------------------------------


def test_stats_bar_filters_by_status_and_total_clears(history):
    listing = JobListing(history.svc)
    bar = StatsBar(listing=listing)
    bar._cards.chosen = "failed"  # a click in the browser
    assert listing.query.statuses == ["failed"] and listing.total == 2
    assert bar._cards.chosen == ""
    cards = {c["key"]: c for c in bar._cards.cards}
    assert cards["failed"]["active"] and not cards["total"]["active"]
    bar.choose("total")
    cards = {c["key"]: c for c in bar._cards.cards}
    assert listing.query.statuses == [] and cards["total"]["active"]
    assert (cards["completed"]["title"], cards["completed"]["value"]) == ("Completed", "9")


def test_filter_bar_writes_the_query_and_clears(history):
    listing = JobListing(history.svc)
    bar = FilterBar(listing=listing, toaster=Toaster())
    assert configuration_options(listing.configurations()) == {
        "All configurations": ANY,
        "Hero banners v1": history.hero,
        "Pet portraits v1": history.pets,
    }
    bar._status.value = ["failed", "pending"]
    bar._config.value = history.pets
    bar._from.value = "2026-11-01"
    assert listing.query.statuses == ["failed", "pending"]
    assert listing.query.configuration_ids == [history.pets]
    assert listing.query.date_from == dt.date(2026, 11, 1)
    assert listing.page_ids == [12, 8, 4]
    assert bar._summary.object.count("3 filters active") == 1 and not bar._clear.disabled
    bar.search_text = "lake 1"
    bar.apply_search()  # what the debounce calls
    assert listing.query.search == "lake 1" and listing.page_ids == [12]
    bar.clear()
    q = listing.query
    assert (q.statuses, q.configuration_ids, q.date_from, q.search) == ([], [], None, "")
    assert bar._search.value == "" and bar._config.value == ANY and bar._clear.disabled
    listing.query.param.update(statuses=["failed"], search="lake")  # a preset, at once
    assert bar._search.value == "lake" and bar.search_text == "lake"  # no stale "" pending
    assert filters_summary(0) == "No filters active" and filters_summary(1) == "1 filter active"


def test_filter_bar_refuses_an_inverted_date_range(history):
    listing = JobListing(history.svc)
    bar = FilterBar(listing=listing, toaster=Toaster())
    bar._to.value = "2026-11-01"
    bar._from.value = "2026-11-05"
    assert listing.query.date_from is None and bar._from.value == ""
    assert listing.error == "From date must be on or before To date."


def test_pager_moves_between_pages_and_sizes(history):
    for i in range(40):
        add_job(history.svc, label=f"extra {i}")
    listing = JobListing(history.svc)
    pager = Pager(listing=listing)
    assert listing.pages == 3 and pager._previous.disabled and not pager._next.disabled
    pager._next.clicks += 1
    assert listing.query.page == 2 and pager._jump.value == "2"
    assert pager._numbers.numbers == [1, 2, 3] and pager._numbers.current == 2
    pager._numbers.requested = 3
    assert listing.query.page == 3 and pager._next.disabled and pager._numbers.requested == 0
    pager._jump.value = "99"
    assert listing.query.page == 3 and pager._jump.value == "3"
    pager._jump.value = "two"
    assert listing.query.page == 3 and pager._jump.value == "3"
    pager._previous.clicks += 1
    assert listing.query.page == 2
    pager._size.value = 100
    assert listing.query.page == 1 and listing.pages == 1 and len(listing.rows) == 52
    assert "Total: 52 jobs" in pager._total.object


def test_table_header_sort_goes_to_the_server_and_row_clicks_act(history):
    listing = JobListing(history.svc)
    acted = []
    table = JobTable(listing=listing, on_action=lambda a, i: acted.append((a, i)))
    assert table._table.sorters == [{"field": "date", "dir": "desc"}]
    table._table.sorters = [{"field": "job", "dir": "asc"}]  # a header click
    assert (listing.query.sort, listing.query.descending) == ("id", False)
    assert list(table._table.value["id"]) == list(range(1, 13))
    listing.query.sort = "label"
    assert table._table.sorters == [{"field": "label", "dir": "asc"}]
    table._clicked(SimpleNamespace(column="job", row=2))
    table._clicked(SimpleNamespace(column="actions", row=0))  # opens the menu only
    table._clicked(SimpleNamespace(column="label", row=0))
    first = int(listing.rows["id"][0])
    table.menu.chosen = ["delete", first]  # chosen in the row's menu
    table.menu.chosen = ["drop", first]  # not an action: ignored
    table.menu.chosen = ["view", 10**6]  # not a job on the page: ignored
    assert acted == [("view", int(listing.rows["id"][2])), ("delete", first)]
    assert table.menu.chosen == []


def test_table_patches_in_place_and_keeps_the_selection(history):
    listing = JobListing(history.svc)
    table = JobTable(listing=listing)
    table._table.selection = [0, 2]
    assert listing.selection.ids == [12, 10]
    value = table._table.value
    history.svc.rename(10, "Renamed")
    listing.poll()
    assert table._table.value is value  # patched, not replaced
    assert "Renamed" in table._table.value.at[2, "label"]
    listing.query.page_size = 50
    assert table._table.selection == [0, 2]


def test_manager_polls_toasts_finished_jobs_and_opens_jobs(history):
    manager = jobdash.JobManager(history.svc, refresh_ms=0)
    job = history.svc.claim_next()  # queued before the page opened: finishes quietly
    manager.poll()
    assert manager.listing.stats.running == 1
    history.svc.finish(job["id"], "completed", message="done")
    manager.poll()
    assert manager.toaster.message == "" and manager.listing.stats.running == 0
    history.svc.bulk_rerun([12])  # queued while the page is open: its end is news
    job = history.svc.claim_next()
    history.svc.finish(job["id"], "failed", message="boom", error_message="boom")
    manager.poll()
    assert manager.toaster.message == "JOB-000013 “Lake 12 (Rerun)” failed"
    assert manager.toaster.kind == "error"
    assert manager._detail is None and manager.detail_dialog.objects == []  # built on demand
    assert manager.header.help.objects == []
    manager.table.on_action("view", 3)
    assert manager.detail.job_id == 3 and manager.detail_dialog.open
    assert manager.detail_dialog.objects == [manager.detail]
    assert "JOB-000003" in manager.detail_dialog.title
    manager.detail_dialog.open = False
    assert manager.listing.open_job is None


def test_jobs_finishing_one_after_another_are_one_toast(history):
    history.svc.finish(history.svc.claim_next()["id"], "completed", message="done")  # job 12
    manager = jobdash.JobManager(history.svc, refresh_ms=0)
    history.svc.bulk_rerun([1, 2, 3])  # enough queued jobs to run
    for status in ("completed", "failed", "completed"):
        job = history.svc.claim_next()
        history.svc.finish(job["id"], status, message=status)
        manager.poll()
    assert manager.toaster.message.endswith(
        "completed · 3 jobs finished just now: 2 completed, 1 failed"
    )
    assert manager.toaster.message.startswith(f"JOB-{job['id']:06d}")
    assert manager.toaster.kind == "error"  # one of them failed


def test_manager_without_a_dashboard_hides_back_and_shows_it_when_served(history):
    assert "Breadcrumb" not in jobdash.JobManager(history.svc).header._title.object
    served = jobdash.JobManager(history.svc, dashboard_url="/dashboard")
    assert 'href="/dashboard"' in served.header._title.object


def test_row_actions_rerun_and_confirmed_delete(history):
    toaster = Toaster()
    listing = JobListing(history.svc)
    actions = JobActions(listing=listing, toaster=toaster)
    actions.run("rerun", 4)
    assert toaster.message == "Queued JOB-000013 as a rerun of JOB-000004 (position 2 in the queue)"
    actions.run("delete", 3)
    assert actions.pending_delete == 3 and history.svc.jobs([3]).shape[0] == 1  # only asked
    actions.confirm_delete()
    assert history.svc.jobs([3]).empty and toaster.message == "Deleted JOB-000003"
    actions.run("rerun", 999)
    assert toaster.kind == "error" and "JOB-000999" in toaster.message


def test_toaster_escapes_in_its_live_region():
    toaster = Toaster()
    toaster.show("info", HOSTILE)
    assert "<img" not in toaster._live.object and "&lt;img" in toaster._live.object


def test_ticker_periods():
    ticks = []
    ticker = Ticker(lambda: ticks.append(1), 0)
    ticker.start()
    assert not ticker.running  # period 0: stays off
    ticker.set_period(50)
    assert ticker.running
    ticker.set_period(0)
    assert not ticker.running
    ticker.set_period(20)
    assert ticker.running
    ticker.stop()
    ticker.set_period(30)
    assert not ticker.running


def test_dashboard_starts_jobs(history):
    page = DashboardPage(history.svc, refresh_ms=0)
    assert page._config.value == history.hero and not page._start.disabled
    page._start.clicks += 1
    assert page.toaster.message.startswith("Queued JOB-000013")
    assert page.state.stats.pending == 2
    page._stop.clicks += 1  # nothing runs: nothing happens
    assert page._stop.disabled


def test_display_frame_of_an_empty_page():
    empty = pd.DataFrame(
        columns=[
            "id",
            "label",
            "status",
            "progress",
            "started_at",
            "queued_at",
            "duration_s",
            "total_images",
            "failed_images",
            "qc_failed_images",
        ]
    )
    assert display_frame(empty, "").empty


def test_a_jobs_page_that_cannot_be_built_says_so(tmp_path):
    from jobdash.ui.app import jobs_page

    svc = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    svc.close()  # every read now raises StoreClosed
    (root,) = jobs_page(svc).main.objects
    (landmark,) = root.objects  # the page's <main>
    (alert,) = landmark.content.objects
    assert alert.alert_type == "danger"
    assert "Job Management could not load" in alert.object and "is closed" in alert.object

"""The Failures panel without a browser: signatures listed with trends, "Show jobs" sets the
shared query, "Rerun" asks first and then queues the signature's jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import add_config, add_job

from jobdash import JobQuery
from jobdash.analysis import signature_text
from jobdash.store import utcnow
from jobdash.ui.failures.state import FailuresState
from jobdash.ui.failures.view import (
    FailuresPanel,
    signature_rows,
    sparkline_points,
    trend_label,
)

TIMEOUT = "Generation timed out after <n>s"
RATE = "HTTP <n> rate limit, retry after <n> s"
HOSTILE = "Bad prompt <str> for <path>"


@pytest.fixture
def history(service):
    """Failed jobs with three signatures (one of them old), two configurations, and
    completed jobs that must never be listed."""
    now = utcnow().replace(microsecond=0)
    today = now.replace(hour=0, minute=0, second=0)
    hero = add_config(service, "Hero banners")
    shots = add_config(service, "Product shots")
    jobs = {
        "t1": dict(
            config_id=hero,
            started_at=today - dt.timedelta(days=2),
            error_message="Generation timed out after 60s",
        ),
        "t2": dict(
            config_id=hero,
            started_at=today - dt.timedelta(days=2, hours=-1),
            error_message="Generation timed out after 45s",
        ),
        "t3": dict(
            config_id=shots, started_at=today, error_message="Generation timed out after 120s"
        ),
        "r1": dict(
            config_id=shots,
            started_at=today - dt.timedelta(days=1),
            error_message="HTTP 429 rate limit, retry after 3 s",
        ),
        "r2": dict(
            config_id=shots,
            started_at=today - dt.timedelta(days=90),
            error_message="HTTP 429 rate limit, retry after 12 s",
        ),
        "x1": dict(
            config_id=hero,
            started_at=today - dt.timedelta(days=3),
            error_message="Bad prompt '<script>alert(1)</script>' for /tmp/a.png",
        ),
    }
    ids = {key: add_job(service, status="failed", label=key, **spec) for key, spec in jobs.items()}
    for n in range(3):
        add_job(
            service,
            status="completed",
            label=f"ok{n}",
            config_id=hero,
            started_at=today - dt.timedelta(days=n),
        )
    return {"ids": ids, "hero": hero, "shots": shots, "today": today.date()}


def test_signatures_listed_with_counts_configurations_and_trends(service, history):
    state = FailuresState(service, JobQuery(), days=7)
    sigs = state.signatures
    assert list(sigs["signature"]) == [TIMEOUT, RATE, HOSTILE]
    assert list(sigs["jobs"]) == [3, 2, 1]
    rows = signature_rows(sigs, state.trends, active="")
    timeout, rate, hostile = rows
    assert timeout["jobs_text"] == "3"
    assert timeout["configurations"] == "Hero banners v1, Product shots v1"
    assert timeout["share"] == "50.0% of failures"
    assert timeout["steps"] == "at generation"
    # A week of daily counts: two timeouts two days ago, one today.
    assert timeout["trend"] == (
        f"Failures per day over the last 7 days: 3 in all, at most 2 on "
        f"{history['today'] - dt.timedelta(days=2)}"
    )
    assert len(timeout["points"].split()) == 7
    # The 90-day-old rate limit counts in the total but not in the week's trend.
    yesterday = history["today"] - dt.timedelta(days=1)
    assert rate["jobs"] == 2
    assert rate["trend"].endswith(f"1 in all, at most 1 on {yesterday}")
    assert not any(r["active"] for r in rows)
    # User text stays text: the row holds it raw (the browser sets it with textContent).
    assert hostile["signature"] == HOSTILE


def test_scope_follows_page_filters_but_not_status_or_signature(service, history):
    query = JobQuery(statuses=["completed"])
    state = FailuresState(service, query)
    assert list(state.signatures["jobs"]) == [3, 2, 1]  # failed jobs, whatever the table shows
    query.configuration_ids = [history["shots"]]
    assert list(state.signatures["signature"]) == [RATE, TIMEOUT]
    assert list(state.signatures["jobs"]) == [2, 1]
    query.error_signature = RATE
    assert list(state.signatures["signature"]) == [RATE, TIMEOUT]


def test_show_jobs_sets_the_shared_query_and_marks_the_row(service, history):
    query = JobQuery(page=3, search="", sort="label")
    panel = FailuresPanel(service, query)
    shown = []
    panel.state.param.watch(lambda e: shown.append(e), "shown")
    panel.list.show_request = TIMEOUT  # what the row's "Show jobs" button sends
    assert (query.statuses, query.error_signature, query.page) == (["failed"], TIMEOUT, 1)
    assert query.sort == "label"  # the rest of the page's state is kept
    assert panel.list.show_request == ""  # handled, so the same click works again
    assert len(shown) == 1
    listed = service.get_all(query)
    assert sorted(listed.rows["label"]) == ["t1", "t2", "t3"]
    assert [r["active"] for r in panel.list.rows] == [True, False, False]
    assert panel.list.active == [signature_text(TIMEOUT)]  # the "table shows ..." line
    panel.list.clear_clicks += 1  # what "Show all jobs" sends
    assert query.error_signature == "" and query.statuses == ["failed"]
    assert not any(r["active"] for r in panel.list.rows) and panel.list.active == []


def test_rerun_asks_first_then_queues_the_signature_jobs(service, history):
    panel = FailuresPanel(service, JobQuery())
    panel.list.rerun_request = TIMEOUT
    assert panel.dialog.open and panel.state.pending_rerun == TIMEOUT
    assert "Rerun 3 failed jobs?" in panel._question.object
    assert panel._confirm.label == "Rerun 3 failed jobs"
    panel._cancel.clicks += 1
    assert not panel.dialog.open and panel.state.pending_rerun == ""
    assert service.queue() == []

    panel.list.rerun_request = TIMEOUT
    panel._confirm.clicks += 1
    queued = service.queue()
    assert len(queued) == 3 and panel.state.rerun_ids == queued
    rerun_of = {service.get_by_id(i).job["rerun_of"] for i in queued}
    assert rerun_of == {history["ids"][k] for k in ("t1", "t2", "t3")}
    assert panel.toaster.message == (
        "Queued 3 reruns of jobs failing with: Generation timed out after …s"
    )
    assert not panel.dialog.open


def test_rerun_stays_within_the_page_filters(service, history):
    query = JobQuery(configuration_ids=[history["hero"]])
    state = FailuresState(service, query)
    state.ask_rerun(TIMEOUT)
    new = state.confirm_rerun()
    assert {service.get_by_id(i).job["rerun_of"] for i in new} == {
        history["ids"]["t1"],
        history["ids"]["t2"],
    }


def test_rerun_of_a_vanished_signature_is_refused_and_queues_nothing(service, history):
    panel = FailuresPanel(service, JobQuery())
    panel.ask_rerun("<b>bold</b> <n>")
    assert "&lt;b&gt;bold&lt;/b&gt; …" in panel._question.object  # escaped in the dialog
    panel.cancel_rerun()
    panel.ask_rerun(HOSTILE)
    assert "Bad prompt “…” for …" in panel._question.object  # read as a sentence
    service.bulk_delete([history["ids"]["x1"]])
    assert panel.confirm_rerun() == []
    assert service.queue() == []
    assert panel.toaster.kind == "error"
    assert panel.toaster.message == f"No failed jobs with: {HOSTILE} (nothing was queued)"


def test_poll_rereads_only_when_a_job_failed_or_was_deleted(service, history):
    state = FailuresState(service, JobQuery())
    assert state.poll() is False  # nothing changed
    service.rename(history["ids"]["t1"], "renamed")
    assert state.poll() is False  # renames do not change the failures
    job = add_job(service, status="running", label="live", started_at=utcnow())
    service.finish(
        job,
        "failed",
        message="Job failed",
        error_message="Generation timed out after 30s",
        error_step="generation",
    )
    assert state.poll() is True
    assert state.jobs_of(TIMEOUT) == 4
    service.bulk_delete([history["ids"]["r1"], history["ids"]["r2"]])
    assert state.poll() is True
    assert RATE not in set(state.signatures["signature"])


def test_empty_history_lists_nothing(service):
    panel = FailuresPanel(service, JobQuery())
    assert panel.list.rows == [] and len(panel.state.signatures) == 0
    assert panel.state.trends is None


def test_sparkline_and_its_words():
    assert sparkline_points([0, 2, 1], width=23, height=13, pad=3) == "3.0,10.0 11.5,3.0 20.0,6.5"
    assert sparkline_points([0, 0]) == "3.0,25.0 117.0,25.0"  # zeros on the baseline
    assert sparkline_points([]) == ""
    day = dt.date(2026, 11, 1)
    assert trend_label([0, 0], day) == "Failures per day over the last 2 days: none"
    assert trend_label([1, 4, 4], day) == (
        "Failures per day over the last 3 days: 9 in all, at most 4 on 2026-11-02"
    )


def test_job_manager_builds_the_failures_tab_on_first_open(service, history):
    from jobdash.ui.page.manager import JobManager

    manager = JobManager(service, refresh_ms=0)
    assert manager.failures is None and len(manager.tabs) == 2
    assert manager.tabs[1].objects == []
    manager.tabs.active = 1
    panel = manager.failures
    assert isinstance(panel, FailuresPanel) and len(manager.tabs[1].objects) == 1
    panel.state.show(TIMEOUT)
    assert manager.tabs.active == 0
    assert manager.query.error_signature == TIMEOUT and manager.query.statuses == ["failed"]
    assert sorted(manager.listing.rows["label"]) == ["t1", "t2", "t3"]


def test_signatures_read_as_sentences_and_stay_the_keys_of_their_actions(service, history):
    state = FailuresState(service, JobQuery(), days=7)
    rows = signature_rows(state.signatures, state.trends, active="")
    timeout, rate, hostile = rows
    assert timeout["text"] == "Generation timed out after …s"
    assert timeout["example"] in {  # the latest message as written
        f"e.g. Generation timed out after {n}s" for n in (60, 45, 120)
    }
    assert hostile["text"] == "Bad prompt “…” for …"
    assert (timeout["rerun"], rate["rerun"], hostile["rerun"]) == (
        "Rerun 3 jobs",
        "Rerun 2 jobs",
        "Rerun 1 job",
    )
    assert timeout["signature"] == TIMEOUT  # the key "Show jobs" and "Rerun" send back
    assert signature_text(
        "processing_failed:save_final: could not write <path>: [Errno <n>] No space left"
    ) == (
        "Image processing failed at saving the final image: could not write …: "
        "[Errno …] No space left"
    )
    assert signature_text("processing_failed:new_stage: odd") == (
        "Image processing failed at new stage: odd"
    )
    assert signature_text("interrupted: the process stopped (request <hex>, task <uuid>)") == (
        "Interrupted: the process stopped (request …, task …)"
    )


def test_the_failed_card_and_a_link_bring_the_failures_view_forward(service, history):
    from jobdash.ui.failures.link import asks_for_failures, failures_href
    from jobdash.ui.page.manager import JobManager

    manager = JobManager(service, refresh_ms=0)
    failed = next(c for c in manager.stats.cards() if c["key"] == "failed")
    assert failed["link"] == "Causes"
    assert all(not c["link"] for c in manager.stats.cards() if c["key"] != "failed")
    manager.stats._cards.chosen = "causes"  # what the card's link sends
    assert manager.tabs.active == 1 and isinstance(manager.failures, FailuresPanel)
    assert manager.query.statuses == []  # the link filters nothing
    assert failures_href("/jobs") == "/jobs?view=failures"
    assert failures_href("?page=jobs") == "?page=jobs&view=failures"
    assert asks_for_failures({"view": "failures"}) and not asks_for_failures({"view": "x"})

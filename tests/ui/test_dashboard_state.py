"""The Dashboard's state over a real history: what it shows, and its two actions (start a
job, stop the running one), which are the page's only calls to the backend."""

from __future__ import annotations

import pytest
from factories import add_config, add_job

from jobdash.errors import Conflict
from jobdash.ui.dashboard.state import DashboardState


def test_dashboard_state_starts_a_job_and_shows_it_at_once(service):
    config = add_config(service)
    add_job(service, config_id=config)
    state = DashboardState(service)
    assert state.stop_running() is None  # nothing runs: nothing to stop
    job = state.start(config)
    assert state.stats.pending == 1  # shown at once, before any poll
    assert state.recent["id"].iloc[0] == job["id"]


def test_dashboard_state_asks_the_backend_to_stop_the_running_job(service):
    running = add_job(service, status="running")
    state = DashboardState(service)
    assert state.runner.job["id"] == running
    with pytest.raises(Conflict, match="No runner"):  # this history has no runner to ask
        state.stop_running()

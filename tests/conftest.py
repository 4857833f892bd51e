"""Shared fixtures: a fresh history on disk per test, with the runner off unless asked."""

from __future__ import annotations

import pytest

import jobdash


@pytest.fixture
def service(tmp_path):
    """A JobService over a new DuckDB file in a temporary folder (no runner)."""
    svc = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium: Playwright cannot download browsers here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }

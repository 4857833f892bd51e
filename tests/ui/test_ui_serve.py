"""Serving: ``panel serve jobdash/ui/app.py``, basic auth, one service per process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from factories import add_job
from playwright.sync_api import Page, expect
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.server import Access, Credentials, start_server
from jobdash.ui import app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
def test_panel_serve_runs_the_app_module(page: Page, tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        add_job(svc, label="Served by panel serve")
    port = free_port()
    env = {**os.environ, "JOBDASH_DB": str(db)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "panel",
            "serve",
            str(ROOT / "jobdash" / "ui" / "app.py"),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: listening(port) or process.poll() is not None, timeout=60)
        assert process.poll() is None, process.stdout.read().decode()
        page.goto(f"http://127.0.0.1:{port}/app")
        expect(page.get_by_role("heading", name="Job Management", level=1)).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_text("Served by panel serve")).to_be_visible()
        crumbs = page.get_by_role("navigation", name="Breadcrumb")
        crumbs.get_by_role("link").click()  # stays inside the app
        expect(page).to_have_url(f"http://127.0.0.1:{port}/app?page=dashboard")
        expect(page.get_by_role("heading", name="Start a job")).to_be_visible()
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """The app served with basic auth switched on."""
    svc = jobdash.open(tmp_path_factory.mktemp("auth") / "jobs.duckdb", runner=False)
    add_job(svc, label="Behind the login")
    port = free_port()
    access = Access(port=port, credentials=Credentials("operator", "s3cret-pass"))
    server = start_server(svc, access=access, threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_serving(server, svc)


@pytest.mark.browser
def test_the_login_asks_for_the_user_and_the_password(page: Page, guarded):
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if r.url.startswith("http") and not r.url.startswith(guarded)
            else None
        ),
    )
    page.goto(guarded + "/jobs")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    for user, password in (("operator", "wrong-pass"), ("intruder", "s3cret-pass")):
        page.get_by_label("User name").fill(user)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("Invalid username or password")
        expect(page.get_by_text("Behind the login")).to_have_count(0)
    page.get_by_label("User name").fill("operator")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()
    page.goto(guarded + "/jobs")
    expect(page.get_by_text("Behind the login")).to_be_visible(timeout=20_000)
    assert outside == []  # the login page and the app load nothing from elsewhere


def test_one_service_per_history_and_process(tmp_path):
    db = tmp_path / "jobs.duckdb"
    first = app.shared_service(db, runner=False)
    try:
        assert app.shared_service(tmp_path / "." / "jobs.duckdb", runner=False) is first
    finally:
        first.close()
        app._services.clear()

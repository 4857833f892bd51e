"""The Single Job View inline in a real JupyterLab: a notebook shows ``jobdash.JobManager`` over
a small history, a click on a Job ID opens the job's view in the notebook's output.

JupyterLab runs on a free loopback port with a token and its own config, data-less runtime,
settings and workspace folders (nothing of the user's is read or written); Chromium drives it.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import free_port, listening, wait_until

import jobdash

pytestmark = pytest.mark.browser


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving ``tmp_path`` (holding ``detail.ipynb`` over a three-job history):
    ``(url of the notebook with its token, folder)``."""
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Hero banners")
        for i in range(3):
            add_job(svc, label=f"Notebook lake {i}", config_id=config)
    cells = [
        "import panel as pn, jobdash\npn.extension('tabulator', notifications=True, inline=True)",
        f"svc = jobdash.open({str(db)!r}, runner=False)\njobdash.JobManager(svc)",
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata={"kernelspec": kernel}
        ),
        tmp_path / "detail.ipynb",
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    log = (tmp_path / "lab.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--allow-root",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: listening(port) or server.poll() is not None, timeout=40)
        assert server.poll() is None, (tmp_path / "lab.log").read_text()
        yield f"http://127.0.0.1:{port}/lab/tree/detail.ipynb?token={token}", str(tmp_path)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_job_id_opens_the_job_view_inline_in_jupyterlab_and_its_actions_say_what_they_did(
    page: Page, lab
):
    url, _ = lab
    page.goto(url)
    first = page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").first
    expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(2, timeout=40_000)
    idle = page.locator("#jp-main-statusbar").get_by_text(re.compile("Idle"))
    expect(idle).to_be_visible(timeout=40_000)  # the kernel is up
    first.click()
    page.keyboard.press("Shift+Enter")  # runs each cell in turn
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-OutputArea-output")
    job_id = output.get_by_role("button", name="JOB-000002", exact=True)
    expect(job_id).to_be_visible(timeout=40_000)
    # The page is drawn before the cell has finished running; clicked then, the click once
    # went unanswered in a full run (the kernel idle afterwards, no dialog). Click once the
    # cell is done, as its [2] shows.
    expect(page.locator(".jp-Cell .jp-InputPrompt").get_by_text("[2]:")).to_be_visible(
        timeout=40_000
    )
    expect(idle).to_be_visible(timeout=40_000)
    job_id.click()
    dialog = output.get_by_role("dialog", name="Job JOB-000002 details")
    expect(dialog.get_by_role("heading", name="Job JOB-000002 — Notebook lake 1")).to_be_visible()
    expect(dialog.get_by_text("Hero banners v1")).to_be_visible()
    # What an action did is said in the notebook too (Notyf, behind Panel's toasts, is not
    # defined inline in JupyterLab): the toaster's own line under the manager, not only for
    # screen readers.
    dialog.get_by_role("button", name="Rerun", exact=True).click()
    said = output.get_by_role("status").filter(has_text="Queued JOB-000004 as a rerun of")
    expect(said).to_be_visible()
    expect(said).not_to_have_class(re.compile(r"\bjd-sr\b"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.locator(".jp-OutputArea-output[data-mime-type*=error]").count() == 0

"""The Single Job View inline in a real JupyterLab: a notebook shows ``jobdash.JobManager`` over
a small history, a click on a Job ID opens the job's view in the notebook's output.

JupyterLab runs as ``ui_util.jupyterlab`` starts it (its own folders, a token, a free loopback
port); Chromium drives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import jupyterlab

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
    with jupyterlab(tmp_path, "detail.ipynb") as url:
        yield url, str(tmp_path)


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

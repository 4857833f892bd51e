"""``jobdash.JobManager(service)`` in a real Jupyter kernel, executed with nbclient, and in a
real JupyterLab driven by Chromium (one JupyterLab for the module): toasts show, filters set
from code agree with their summary, a history closed under the page says so, and no
request leaves the machine."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from factories import add_config, add_job
from nbclient import NotebookClient
from playwright.sync_api import Page, expect
from ui_util import Traffic, jupyterlab

import jobdash


def test_job_manager_renders_inline_in_a_notebook(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Hero banners")
        for i in range(3):
            add_job(svc, label=f"Notebook lake {i}", config_id=config)
    cells = [
        "import panel as pn, jobdash\npn.extension('tabulator', notifications=True)",
        f"svc = jobdash.open({str(db)!r}, runner=False)\n"
        "manager = jobdash.JobManager(svc)\nmanager",
        "print(manager.listing.total, manager.ticker.running)",
        "svc.rename(1, 'Renamed in the kernel')\nmanager.poll()\n"
        "print(manager.listing.rows.set_index('id').at[1, 'label'])",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    outputs = [o for cell in notebook.cells for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    bundle = next(o.data for o in notebook.cells[1].outputs if o.output_type == "execute_result")
    assert "application/vnd.holoviews_exec.v0+json" in bundle  # a live Panel output
    page = bundle["text/html"]
    assert "Job Management" in page and "Notebook lake 2" in page
    assert "Breadcrumb" not in page  # no breadcrumb to a dashboard in a notebook
    assert notebook.cells[2].outputs[0].text.strip() == "3 True"  # live updates are on
    assert notebook.cells[3].outputs[0].text.strip() == "Renamed in the kernel"


def _notebook(folder: Path, cells: list[str]) -> None:
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in cells], metadata={"kernelspec": kernel}
        ),
        folder / "manager.ipynb",
    )


@pytest.mark.browser
def test_in_jupyterlab_toasts_show_filters_agree_and_a_closed_history_says_so(
    page: Page, tmp_path: Path
):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Hero banners")
        for i in range(3):
            add_job(
                svc, label=f"Lab lake {i}", config_id=config, status="failed" if i else "completed"
            )
    _notebook(
        tmp_path,
        [
            "import panel as pn, jobdash\n"
            "pn.extension('tabulator', notifications=True, inline=True)",
            f"svc = jobdash.open({str(db)!r}, runner=False)\n"
            "manager = jobdash.JobManager(svc, refresh_ms=300)\nmanager",
            # a job queued while the page is open ends: the page announces it
            "rerun = svc.bulk_rerun([1])\njob = svc.claim_next()\n"
            "svc.finish(job['id'], 'completed', message='done')",
            "manager.query.statuses = ['failed']",
            "svc.close()",
        ],
    )
    with jupyterlab(tmp_path, "manager.ipynb") as url:
        parts = urlsplit(url)
        traffic = Traffic(page, f"{parts.scheme}://{parts.netloc}")  # other hosts blocked
        page.goto(url)
        cells = page.locator(".jp-Notebook .jp-Cell")
        expect(cells).to_have_count(5, timeout=40_000)
        idle = page.locator("#jp-main-statusbar").get_by_text(re.compile("Idle"))
        expect(idle).to_be_visible(timeout=40_000)

        def run(index: int) -> None:
            cells.nth(index).locator(".jp-InputArea-editor").click()
            page.keyboard.press("Shift+Enter")
            prompt = cells.nth(index).locator(".jp-InputPrompt")
            expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=40_000)
            expect(idle).to_be_visible(timeout=40_000)

        run(0)
        run(1)
        output = cells.nth(1).locator(".jp-OutputArea-output")
        expect(output.get_by_text("Lab lake 2")).to_be_visible(timeout=40_000)
        expect(output.get_by_text("No filters active")).to_be_visible()

        run(2)  # Notyf is not defined inline: the toaster's own line says it, visibly
        said = output.get_by_role("status").filter(has_text="JOB-000004 “Lab lake 0 (Rerun)”")
        expect(said).to_be_visible(timeout=10_000)
        expect(said).not_to_have_class(re.compile(r"\bjd-sr\b"))
        box = said.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 10

        run(3)  # a filter set from code shows in the filter bar and its summary
        expect(output.get_by_text("1 filter active")).to_be_visible()
        expect(output.get_by_text("No filters active")).to_have_count(0)

        search = output.get_by_role("textbox", name="Search jobs")
        expect(search).to_be_enabled()
        run(4)  # closed under the page: it says so and its controls are disabled
        closed = output.get_by_role("status").filter(has_text="is closed: open it again")
        expect(closed).to_be_visible(timeout=10_000)
        expect(output.get_by_text("Job history unreachable")).to_be_visible()
        expect(search).to_be_disabled()
        expect(output.get_by_role("button", name="Clear filters")).to_be_disabled()
        more = output.get_by_role("button", name=re.compile(r"^Actions for JOB-")).first
        expect(more).to_have_attribute("aria-disabled", "true")  # the row menus are off too
        more.click(force=True)  # a click anyway opens nothing
        page.wait_for_timeout(300)
        expect(page.get_by_role("menu")).to_have_count(0)

        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type*=error],"
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        assert errors.count() == 0
        assert traffic.blocked == []  # inline=True: nothing of the page comes from a CDN

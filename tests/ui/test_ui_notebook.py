"""``jobdash.JobManager(service)`` in a real Jupyter kernel, executed with nbclient."""

from __future__ import annotations

import nbformat
from factories import add_config, add_job
from nbclient import NotebookClient

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
    assert "Back to Dashboard" not in page  # no dashboard in a notebook
    assert notebook.cells[2].outputs[0].text.strip() == "3 True"  # live updates are on
    assert notebook.cells[3].outputs[0].text.strip() == "Renamed in the kernel"

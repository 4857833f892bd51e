"""The notebooks run top to bottom on a fresh demo history, in a kernel of this interpreter.

Each notebook gets its own empty folder as ``JOBDASH_DB``'s home, so it builds its demo
history itself (as it does for a new user), and its effects are checked afterwards in that
history; the one that works beside a server finds a ``jobdash serve`` of that history running.
The committed notebooks carry no outputs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from ui.ui_util import serving

import jobdash
from jobdash import analysis
from jobdash.demo import build_demo

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = (
    "01_explore_job_history",
    "02_failure_analysis",
    "03_live_dashboard",
    "04_working_beside_the_server",
)
KERNEL = "jobdash-test-python"
CLOSE = "svc.close()"
"""What the notebooks' Done section tells the user to run once finished: they keep the
history open while their page is on screen, and the tests then open it themselves."""


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """Only one kernelspec, whose argv starts with this interpreter (the venv's python), so no
    ``python3`` spec elsewhere on the machine can pick another interpreter."""
    root = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(root / KERNEL)
    return KernelSpecManager(kernel_dirs=[str(root)])


def run_notebook(
    name: str, db: Path, specs: KernelSpecManager, then: str | None = None
) -> nbformat.NotebookNode:
    """Execute a notebook (from the notebooks folder, as Jupyter does) with JOBDASH_DB set,
    and ``then`` in a last cell of its own; raises CellExecutionError on the first failing
    cell."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    if then is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(then))
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = NotebookClient(
        notebook, km=manager, timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    try:
        client.execute(env={**os.environ, "JOBDASH_DB": str(db)})
    finally:  # nbclient shuts down only kernels it started itself
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return notebook


def outputs(notebook: nbformat.NotebookNode, code: str) -> list[nbformat.NotebookNode]:
    """The outputs of the first code cell whose source contains ``code``."""
    return next(c.outputs for c in notebook.cells if c.cell_type == "code" and code in c.source)


def printed(outputs: list[nbformat.NotebookNode]) -> str:
    """What a cell printed and its plain-text result."""
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


def complaints(notebook: nbformat.NotebookNode) -> list[str]:
    """Errors and warnings the cells printed (a warning such as "may not render" means a
    missing extension, which no exception reports)."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"{output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                found.append(output.text)
    return found


def test_kernel_spec_runs_this_interpreter(kernel_specs):
    assert kernel_specs.get_kernel_spec(KERNEL).argv[0] == sys.executable


def test_01_explore_builds_a_demo_and_only_reads(tmp_path, kernel_specs):
    db = tmp_path / "jobs.duckdb"
    notebook = run_notebook("01_explore_job_history", db, kernel_specs, then=CLOSE)
    assert complaints(notebook) == []
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "No history yet; built a demo one" in printed
    with jobdash.open(db, runner=False) as svc:
        assert svc.statistics().total == 500
        assert (
            svc.store.sql(
                "SELECT count(*) AS n FROM job_executions WHERE rerun_of IS NOT "
                "NULL AND status = 'pending'"
            )["n"][0]
            == 4
        )  # the demo's own


def test_02_failure_analysis_queues_reruns_of_the_top_signature(tmp_path, kernel_specs):
    db = tmp_path / "jobs.duckdb"
    notebook = run_notebook("02_failure_analysis", db, kernel_specs, then=CLOSE)
    assert complaints(notebook) == []
    with jobdash.open(db, runner=False) as svc:
        top = analysis.error_signatures(svc)["signature"].iloc[0]
        failed = set(svc.get_all(analysis.signature_query(top)).rows["id"])
        reruns = svc.jobs(svc.queue())
        assert set(reruns.loc[reruns["id"] > 500, "rerun_of"]) == failed
        assert len(reruns) == 4 + len(failed)


def test_03_live_dashboard_runs_jobs_to_the_end(tmp_path, kernel_specs):
    db = tmp_path / "jobs.duckdb"
    notebook = run_notebook("03_live_dashboard", db, kernel_specs, then=CLOSE)
    assert complaints(notebook) == []
    with jobdash.open(db, runner=False) as svc:
        configs = [
            svc.configuration(name)["id"]
            for name in ("Notebook postcards", "Notebook postcards (flaky model)")
        ]
        ran = svc.get_all(jobdash.JobQuery(configuration_ids=configs)).rows.set_index("label")
        assert ran["status"].to_dict() == {
            "Postcards 1": "completed",
            "Postcards (flaky)": "failed",
            "Postcards 2": "completed",
        }
        assert ran.loc["Postcards 1", "approved_images"] == 4
        assert svc.queue() == []  # the demo's queued reruns were cancelled, ours all ran


def test_04_beside_a_running_server_shows_the_page_queries_and_follows_a_rerun(
    tmp_path, kernel_specs
):
    db = tmp_path / "jobs.duckdb"
    build_demo(db, jobs=500, images_on_disk=20)
    with jobdash.open(db, runner=False) as svc:
        for job_id in svc.queue():  # the demo's reruns: the server's runner takes ours at once
            svc.cancel(job_id)
    with serving(db) as client:
        notebook = run_notebook("04_working_beside_the_server", db, kernel_specs)
        completed = client.get_all(jobdash.JobQuery(statuses=["completed"], sort="id")).rows
        most_failed = client.sql(
            "SELECT c.name FROM job_executions j JOIN configurations c "
            "ON c.id = j.configuration_id WHERE j.status = 'failed' "
            "GROUP BY c.name ORDER BY count(*) DESC, c.name LIMIT 1"
        )["name"][0]
    assert complaints(notebook) == []
    page = next(
        o.data for o in outputs(notebook, "JobManager(client)") if o.output_type == "execute_result"
    )
    assert "application/vnd.holoviews_exec.v0+json" in page  # a live Panel output
    assert "Job Management" in page["text/html"]
    assert "Breadcrumb" not in page["text/html"]  # no breadcrumb to a dashboard
    assert most_failed in printed(outputs(notebook, "failed_pct"))  # client.sql ran
    rerun = completed.iloc[0]  # newest first: the notebook's rerun, run by the server
    assert rerun["id"] == 501 and rerun["rerun_of"] > 0 and rerun["label"].endswith("(Rerun)")
    followed = printed(outputs(notebook, "def follow")).splitlines()
    assert [line.split()[1] for line in followed[:3]] == [
        "created",
        "status-update",
        "completion",
    ]
    assert followed[-1] == "JOB-000501 → completed"
    shown = printed(outputs(notebook, "manager.listing.rows"))
    assert "JOB-000501" in shown and "completed" in shown  # the page's own polls followed it


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebooks_have_no_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert notebook.metadata.kernelspec.name == "python3"

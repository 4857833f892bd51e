"""The notebooks run top to bottom on a fresh demo history, in a kernel of this interpreter.

Each notebook gets its own empty folder as ``JOBDASH_DB``'s home, so it builds its demo
history itself (as it does for a new user), and its effects are checked afterwards in that
history. The committed notebooks carry no outputs.
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

import jobdash
from jobdash import analysis

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ("01_explore_job_history", "02_failure_analysis", "03_live_dashboard")
KERNEL = "jobdash-test-python"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """Only one kernelspec, whose argv starts with this interpreter (the venv's python), so no
    ``python3`` spec elsewhere on the machine can pick another interpreter."""
    root = tmp_path_factory.mktemp("kernels")
    write_kernel_spec(root / KERNEL)
    return KernelSpecManager(kernel_dirs=[str(root)])


def run_notebook(name: str, db: Path, specs: KernelSpecManager) -> nbformat.NotebookNode:
    """Execute a notebook (from the notebooks folder, as Jupyter does) with JOBDASH_DB set;
    raises CellExecutionError on the first failing cell."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
    client = NotebookClient(
        notebook, km=manager, timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute(env={**os.environ, "JOBDASH_DB": str(db)})
    return notebook


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
    notebook = run_notebook("01_explore_job_history", db, kernel_specs)
    assert complaints(notebook) == []
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "No history yet; built a demo one" in printed
    with jobdash.open(db, runner=False) as svc:  # the notebook closed the history
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
    notebook = run_notebook("02_failure_analysis", db, kernel_specs)
    assert complaints(notebook) == []
    with jobdash.open(db, runner=False) as svc:
        top = analysis.error_signatures(svc)["signature"].iloc[0]
        failed = set(svc.get_all(analysis.signature_query(top)).rows["id"])
        reruns = svc.jobs(svc.queue())
        assert set(reruns.loc[reruns["id"] > 500, "rerun_of"]) == failed
        assert len(reruns) == 4 + len(failed)


def test_03_live_dashboard_runs_jobs_to_the_end(tmp_path, kernel_specs):
    db = tmp_path / "jobs.duckdb"
    notebook = run_notebook("03_live_dashboard", db, kernel_specs)
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


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebooks_have_no_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert notebook.metadata.kernelspec.name == "python3"

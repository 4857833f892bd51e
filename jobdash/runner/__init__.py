"""The runner: job queue, pipeline stages, image generators, post-processing and QC.

``jobdash.open(path)`` starts one :class:`Runner` per owning process; it executes the
pending jobs strictly one at a time, in queue order. :func:`run_job` queues a job and waits
for it (``jobdash run``)."""

from .executors import DaskExecutor, ThreadExecutor, make_executor
from .pipeline import Outcome, Pipeline
from .queue import Runner, run_job
from .stop import StopRequest

__all__ = [
    "DaskExecutor",
    "Outcome",
    "Pipeline",
    "Runner",
    "StopRequest",
    "ThreadExecutor",
    "make_executor",
    "run_job",
]

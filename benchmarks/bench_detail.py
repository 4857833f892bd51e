"""First render of the Single Job View for a big job: 500 images and 5,000 events.

    .venv/bin/python -m benchmarks.bench_detail [--jobs 1000000] [--repeat 15] [--json out.json]

It copies the cached demo history of ``--jobs`` jobs (``benchmarks.bench_contract``; 0 starts
from an empty history), adds one completed job with 500 image rows (real thumbnail and image
files on disk) and 5,000 events, and times, state-level (no browser):

* ``get_by_id``: reading the job, its images and its events;
* ``first screen``: opening the job in a fresh ``JobDetailSlot`` (read, header, information
  with the settings diff; the other tabs fill when first shown);
* ``+ images/timeline/log tab``: the first screen plus that tab (gallery items with file
  checks and URLs; timeline steps and HTML; the log's newest lines).

Target: the first screen within 300 ms. Reported as median, minimum and p95 of ``--repeat``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

import jobdash
from benchmarks.bench_contract import history
from jobdash.service import JobService
from jobdash.store.store import utcnow
from jobdash.ui.job.detail import JobDetailSlot
from jobdash.ui.job.state import timeline_steps

TARGET_MS = 300.0
IMAGES = 500
EVENTS = 5_000
STEPS = ("generate", "process", "save", "metadata", "qc")
QC = ("approved", "approved", "approved", "needs_review", "qc_failed", "processing_failed")


def add_big_job(svc: JobService) -> int:
    """One completed job, the newest (first in the default order) and a rerun of job 1 when
    there is one, with ``IMAGES`` images (an image and a thumbnail file of its own on disk
    each) and ``EVENTS`` events."""
    t0 = utcnow().replace(microsecond=0) - dt.timedelta(minutes=17)
    parent = 1 if not svc.jobs([1]).empty else None
    config = svc.add_configuration(
        "Benchmark detail", {"prompt_template": "A {k}", "width": 64, "qc": {"min": 0.5}}
    )
    store = svc.store
    with store.transaction() as cur:
        job = store.insert_job(
            cur,
            label="Big job",
            status="completed",
            configuration_id=config,
            snapshot={"prompt_template": "A {k}", "width": 32, "qc": {"min": 0.5}},
            rerun_of=parent,
            queued_at=t0,
        )
        root = svc.settings.image_root / f"bench{job}"
        (root / "thumbs").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 64), "steelblue").save(root / "image.png")
        Image.new("RGB", (16, 16), "steelblue").save(root / "thumb.png")
        for i in range(IMAGES):
            name, thumb = f"bench{job}/img{i}.png", f"bench{job}/thumbs/img{i}.png"
            shutil.copyfile(root / "image.png", svc.settings.image_root / name)
            shutil.copyfile(root / "thumb.png", svc.settings.image_root / thumb)
            store.add_image(
                cur,
                job,
                prompt=f"A lake {i}",
                qc_status=QC[i % len(QC)],
                file_path=name,
                thumbnail_path=thumb,
                quality_score=(i % 10) / 10,
                created_at=t0 + dt.timedelta(seconds=i),
                metadata={"title": f"Lake {i}", "tags": ["lake"]},
            )
        per_image = EVENTS // IMAGES
        for n in range(EVENTS):
            image = n // per_image + 1
            store.add_event(
                cur,
                job,
                level="error" if n % 97 == 0 else "info",
                step=STEPS[n % per_image % len(STEPS)],
                message=f"Image {image}: event {n}",
                data={"index": image},
                at=t0 + dt.timedelta(milliseconds=200 * n),
            )
        store.update_job(
            cur,
            job,
            started_at=t0,
            completed_at=t0 + dt.timedelta(minutes=17),
            total_images=IMAGES,
            successful_images=IMAGES,
            approved_images=250,
        )
    return job


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    """Median, minimum and p95 in milliseconds of ``repeat`` calls."""
    ms = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - start) * 1000)
    ms.sort()
    return {
        "median_ms": round(statistics.median(ms), 1),
        "min_ms": round(ms[0], 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
    }


def open_tab(svc: JobService, job: int, index: int) -> JobDetailSlot:
    """Open the job, then one of its tabs (first screen plus that tab)."""
    slot = JobDetailSlot(service=svc, job_id=job)
    slot._tabs.active = index
    return slot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "jobs.duckdb"
        if args.jobs:
            source, _ = history(args.jobs, rebuild=False)
            shutil.copyfile(source, path)
        svc = jobdash.open(path, runner=False)
        try:
            job = add_big_job(svc)
            events = svc.get_by_id(job).events
            results = {
                "get_by_id": timed(lambda: svc.get_by_id(job), args.repeat),
                "timeline_steps": timed(lambda: timeline_steps(events), args.repeat),
                "first screen": timed(lambda: JobDetailSlot(service=svc, job_id=job), args.repeat),
                **{
                    f"+ {name} tab": timed(lambda i=index: open_tab(svc, job, i), args.repeat)
                    for index, name in ((1, "images"), (2, "timeline"), (3, "log"))
                },
            }
        finally:
            svc.close()
    report = {
        "jobs": args.jobs,
        "images": IMAGES,
        "events": EVENTS,
        "target_ms": TARGET_MS,
        "load_average": os.getloadavg(),
        "results": results,
    }
    for name, r in results.items():
        print(
            f"{name:<18} median {r['median_ms']:7.1f} ms   min {r['min_ms']:7.1f} ms   "
            f"p95 {r['p95_ms']:7.1f} ms"
        )
    first = results["first screen"]["median_ms"]
    print(
        f"first screen {'within' if first <= TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target"
        f" (load average {os.getloadavg()[0]:.1f})"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

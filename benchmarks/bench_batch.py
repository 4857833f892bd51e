"""Batch actions on 10,000 jobs: Excel export and delete, as "Select all N matching" runs them
(the service resolves the query when the action runs).

    .venv/bin/python -m benchmarks.bench_batch [--jobs 10000] [--files 10000] [--json out.json]

Builds a fresh demo history of ``--jobs`` jobs (image files on disk for the newest
``--files``) in a temporary folder, then times, once each on that history:

* ``bulk_export(query, path)`` of every job that is not running, with the Images sheet.
  Target: 10 s or less.
* ``bulk_delete(query)`` of the same jobs: rows, image rows, events and image files.
  Target: 2 s or less. The call returns once the rows are gone and the files' paths are
  in the deletion journal; the files are removed in the background, reported separately
  (``files_not_yet_removed`` when the call returned, ``files_removed_s`` from the start
  of the call until the last one is gone).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import jobdash
from jobdash.demo import build_demo
from jobdash.query import JobQuery
from jobdash.vocab import JOB_STATUSES

TARGET_EXPORT_S = 10.0
TARGET_DELETE_S = 2.0


def run(jobs: int, files: int) -> dict[str, float | int]:
    """Build the history, export then delete every job that is not running; the timings."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "jobs.duckdb"
        counts = build_demo(path, jobs=jobs, images_on_disk=files)
        svc = jobdash.open(path, runner=False)
        try:
            target = JobQuery(statuses=[s for s in JOB_STATUSES if s != "running"])
            selected = svc.get_all(target).total
            start = time.perf_counter()
            workbook = svc.bulk_export(target, Path(tmp) / "all.xlsx", include_images=True)
            export_s = time.perf_counter() - start
            start = time.perf_counter()
            result = svc.bulk_delete(target)
            delete_s = time.perf_counter() - start
            in_place = sum(1 for p in svc.settings.image_root.rglob("*") if p.is_file())
            svc.trash.wait()
            removed_s = time.perf_counter() - start
            left = sum(1 for p in svc.settings.image_root.rglob("*") if p.is_file())
        finally:
            svc.close()
        return {
            "jobs": jobs,
            "selected": selected,
            "images": counts["images"],
            "image_files": counts["image_files"],
            "workbook_mb": round(os.path.getsize(workbook) / 2**20, 1),
            "export_s": round(export_s, 2),
            "deleted": len(result),
            "delete_s": round(delete_s, 2),
            "files_removed_s": round(removed_s, 2),
            "files_left": left,
            "files_not_yet_removed": in_place,
            "cpus": os.cpu_count() or 0,
            "load_1m": round(os.getloadavg()[0], 2),
        }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the results (and write them as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    results = run(args.jobs, args.files)
    for key, value in results.items():
        print(f"{key:>12}: {value}")
    ok = results["export_s"] <= TARGET_EXPORT_S and results["delete_s"] <= TARGET_DELETE_S
    print(
        f"targets (export ≤ {TARGET_EXPORT_S:g} s, delete ≤ {TARGET_DELETE_S:g} s): "
        f"{'met' if ok else 'MISSED'}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

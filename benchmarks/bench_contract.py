"""Latency of the backend contract on large demo histories, against the same SQL run raw.

    .venv/bin/python -m benchmarks.bench_contract [--jobs 100000 1000000] [--repeat 30]
                                                  [--json out.json] [--rebuild]

For each size it builds (or reuses, from ``benchmarks/results/``) a demo history without
image files, opens it with ``jobdash.open(path, runner=False)`` and times every contract
method: the first page, a deep page (read through the checkpoints of its listing, and the
same read of a listing with none yet, by run date, label, duration and image count: its
first read in the process, which starts building them and places the page by the sample of
the history), each sort key both ways, filters + search + total, statistics with and without
a query, and get_by_id. "Raw" replays exactly the statements the store ran for that call
(recorded once from its cursors) straight on DuckDB with ``fetchall()``, so the ratio is the
cost of the contract itself: pandas frames, dataclasses, formatting. Results are printed as
a table and optionally written as JSON. The machine's load average is reported with them: on
a shared machine medians move with it, minimums much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

import jobdash
from jobdash import JobQuery
from jobdash.demo import build_demo
from jobdash.service import JobService
from jobdash.vocab import SORT_KEYS

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS_MS = {"page": 20.0, "filter": 60.0, "statistics": 30.0, "get_by_id": 15.0}
MAX_OVERHEAD = 2.0
TARGET_JOBS = 1_000_000
"""The targets apply at this size; smaller histories are reported against them too."""


@dataclass(frozen=True)
class Case:
    """One measured call: its name, its kind (which target applies) and the call itself."""

    name: str
    kind: str
    call: Callable[[JobService], Any]
    setup: Callable[[JobService], Any] | None = None
    """Run before each timed call, untimed."""


@dataclass
class Result:
    """Latencies of one case in milliseconds."""

    name: str
    kind: str
    median_ms: float
    p95_ms: float
    min_ms: float
    raw_median_ms: float
    raw_p95_ms: float
    raw_min_ms: float
    statements: int
    target_ms: float
    overhead: float
    ok: bool


class _RecordingCursor:
    """A DuckDB cursor that notes every statement it executes (for the raw replay)."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, log: list[tuple[str, Any]]):
        self._cursor, self._log = cursor, log

    def execute(self, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
        self._log.append((sql, params))
        return self._cursor.execute(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def record(svc: JobService, call: Callable[[JobService], Any]) -> list[tuple[str, Any]]:
    """The SQL statements (with parameters) the store runs for ``call(svc)``."""
    log: list[tuple[str, Any]] = []
    store, real = svc.store, svc.store._cursor

    @contextmanager
    def recording() -> Iterator[_RecordingCursor]:
        with real() as cur:
            yield _RecordingCursor(cur, log)

    store._cursor = recording
    try:
        call(svc)
    finally:
        del store._cursor
    return log


def replay(svc: JobService, statements: list[tuple[str, Any]]) -> None:
    """Run recorded statements on a cursor of the store and fetch every row."""
    with svc.store._cursor() as cur:
        for sql, params in statements:
            cur.execute(sql, params).fetchall()


def timed(
    fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None
) -> list[float]:
    """Milliseconds of ``repeat`` calls after two warm-up calls (``setup()`` untimed before
    each)."""
    for _ in range(2):
        fn()
    out = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(values: list[float]) -> float:
    """95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def cases(svc: JobService) -> list[Case]:
    """Every measured call for the history behind ``svc``."""
    total = svc.get_all(JobQuery()).total
    middle_page = max(1, total // 25 // 2)
    last_page = max(1, -(-total // 25))
    ids = svc.store.matching_ids(JobQuery(sort="id"), limit=1)
    newest = ids[0]
    out = [
        Case("first page (started_at desc)", "page", lambda s: s.get_all(JobQuery())),
        Case(
            f"deep page {middle_page:,} of {max(1, -(-total // 25)):,}",
            "page",
            lambda s: s.get_all(JobQuery(page=middle_page)),
        ),
        Case(
            "same, listing not read before (no checkpoints)",
            "page",
            lambda s: s.get_all(JobQuery(page=middle_page)),
            setup=lambda s: s.store._deep.clear(),
        ),
        Case(
            "last page, listing not read before (from the end)",
            "page",
            lambda s: s.get_all(JobQuery(page=last_page)),
            setup=lambda s: s.store._deep.clear(),
        ),
    ]
    out += [
        Case(
            f"deep page sorted by {key}, listing not read before",
            "page",
            lambda s, q=query: s.get_all(q),
            setup=lambda s: s.store._deep.clear(),
        )
        for key in ("label", "duration", "images")
        for query in [JobQuery(sort=key, page=middle_page)]
    ]
    for key in SORT_KEYS:
        for descending in (False, True):
            query = JobQuery(sort=key, descending=descending)
            out.append(
                Case(
                    f"sort {key} {'desc' if descending else 'asc'}",
                    "page",
                    lambda s, q=query: s.get_all(q),
                )
            )
    month_ago = dt.date.today() - dt.timedelta(days=30)
    filtered = JobQuery(statuses=["failed", "stopped"], date_from=month_ago, search="timed out")
    out += [
        Case(
            "filter: failed+stopped, last 30 days, search 'timed out'",
            "filter",
            lambda s: s.get_all(filtered),
        ),
        Case(
            "search label 'hero banners'",
            "filter",
            lambda s: s.get_all(JobQuery(search="hero banners")),
        ),
        Case(
            "search job id JOB-000042", "filter", lambda s: s.get_all(JobQuery(search="JOB-000042"))
        ),
        Case(
            "filter: configurations + completed, sort duration",
            "filter",
            lambda s: s.get_all(
                JobQuery(configuration_ids=[1, 2, 3], statuses=["completed"], sort="duration")
            ),
        ),
        Case(
            "filter: images needing review",
            "filter",
            lambda s: s.get_all(JobQuery(image_qc="needs_review")),
        ),
        Case("statistics (all jobs)", "statistics", lambda s: s.statistics()),
        Case("statistics (filtered query)", "statistics", lambda s: s.statistics(filtered)),
        Case("get_by_id (middle job)", "get_by_id", lambda s: s.get_by_id(newest // 2)),
        Case("get_by_id (newest job)", "get_by_id", lambda s: s.get_by_id(newest)),
    ]
    return out


def measure(svc: JobService, case: Case, repeat: int) -> Result:
    """Time the contract call and the raw replay of its SQL (recorded after one call, so a
    cache the call fills is filled as when timed)."""
    setup = (lambda: case.setup(svc)) if case.setup is not None else None
    case.call(svc)
    svc.store._deep.wait()  # checkpoints a first read starts are built before timing
    if setup is not None:
        setup()
    statements = record(svc, case.call)
    contract = timed(lambda: case.call(svc), repeat, setup)
    raw = timed(lambda: replay(svc, statements), repeat, setup)
    median, raw_median = statistics.median(contract), statistics.median(raw)
    target = TARGETS_MS[case.kind]
    overhead = median / raw_median if raw_median else float("inf")
    return Result(
        case.name,
        case.kind,
        round(median, 2),
        round(p95(contract), 2),
        round(min(contract), 2),
        round(raw_median, 2),
        round(p95(raw), 2),
        round(min(raw), 2),
        len(statements),
        target,
        round(overhead, 2),
        median <= target and overhead <= MAX_OVERHEAD,
    )


def history(jobs: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The cached history of ``jobs`` jobs and how it was built (built now if missing)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"history_{jobs}.duckdb"
    info_path = path.with_suffix(".json")
    if rebuild:
        for stale in (path, Path(f"{path}.wal"), info_path):
            stale.unlink(missing_ok=True)
    if path.exists() and info_path.exists():
        return path, {**json.loads(info_path.read_text()), "cached": True}
    path.unlink(missing_ok=True)
    print(f"building a demo history of {jobs:,} jobs in {path} ...", flush=True)
    start = time.perf_counter()
    counts = build_demo(path, jobs=jobs, images_on_disk=0)
    info = {
        "jobs": jobs,
        "build_s": round(time.perf_counter() - start, 1),
        "counts": counts,
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }
    info_path.write_text(json.dumps(info, indent=2))
    return path, {**info, "cached": False}


def print_table(jobs: int, info: dict[str, Any], results: list[Result]) -> None:
    """The results of one history as a text table."""
    counts = info["counts"]
    print(
        f"\n{jobs:,} jobs, {counts['images']:,} images, {counts['events']:,} events "
        f"({info['file_mb']} MB); built in {info['build_s']} s"
        + (" (cached)" if info["cached"] else "")
        + f"; load average {info['load'][0]:.1f} before, {info['load'][1]:.1f} after"
    )
    head = (
        f"{'case (milliseconds)':<58} {'median':>7} {'p95':>7} {'min':>7} {'raw':>7} "
        f"{'raw p95':>7} {'raw min':>7} {'x raw':>6} {'target':>6}  ok"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r.name:<58} {r.median_ms:>7.1f} {r.p95_ms:>7.1f} {r.min_ms:>7.1f} "
            f"{r.raw_median_ms:>7.1f} {r.raw_p95_ms:>7.1f} {r.raw_min_ms:>7.1f} "
            f"{r.overhead:>6.2f} {r.target_ms:>6.0f}  {'yes' if r.ok else 'NO'}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a target is missed at 1M jobs."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_contract", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="history sizes (default: 100000 1000000)",
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per case")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the histories again instead of reusing them"
    )
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "targets_ms": TARGETS_MS,
        "max_overhead": MAX_OVERHEAD,
        "histories": [],
    }
    missed = False
    for jobs in args.jobs:
        path, info = history(jobs, args.rebuild)
        before = os.getloadavg()[0]
        with jobdash.open(path, runner=False) as svc:
            results = [measure(svc, case, args.repeat) for case in cases(svc)]
        info["load"] = [round(before, 2), round(os.getloadavg()[0], 2)]
        print_table(jobs, info, results)
        missed |= jobs >= TARGET_JOBS and not all(r.ok for r in results)
        report["histories"].append({**info, "results": [asdict(r) for r in results]})
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

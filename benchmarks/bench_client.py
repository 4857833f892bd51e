"""The backend contract through the HTTP client, against the same calls in process.

    .venv/bin/python -m benchmarks.bench_client [--jobs 1000000] [--repeat 30]
                                                [--event-jobs 5] [--json out.json]

It reuses (or builds) the demo history of ``benchmarks.bench_contract``, copies it (so no
other process holds its lock), takes the demo's few pending jobs off the queue and adds a
quick configuration, then serves the copy from a second process, with its runner, through
``start_server`` as ``jobdash serve`` does. The server process also answers the benchmark's
requests over a pipe, so both sides of each comparison run in the process that holds the
history, on the same service, its caches warmed alike:

* contract calls (a page: the default listing, a filtered + sorted one, a deep page;
  statistics; get_by_id) and the SQL endpoint (a group-by over all jobs; a 10,000-row
  result): each timed call in process (in the server process, while its HTTP server
  idles) alternates with the same call through ``jobdash.connect(url, token)`` from this
  process, so both see the same machine load. Target: client ≤ 2 × in process + 5 ms.
  Where the client's time goes: the server's handler (Tornado's request time: the call on
  a worker thread, the JSON answer written), the part of it that encodes the answer
  (``jobdash.wire`` and ``json.dumps``, timed apart on the same result), the HTTP round
  trip outside the handler, and the client's decoding back into the service's types.
* event latency: a client follows ``events()`` while the server's runner runs a few quick
  jobs; each change's latency is the time it arrived here minus its ``at`` (stamped when
  the runner's write committed and the server published it; both processes read the same
  clock). Target: p95 ≤ 100 ms.

Medians, p95 and minimums are printed as a table (and JSON with ``--json``) with the load
average (``uptime``) before and after: on a shared machine medians move with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from benchmarks.bench_contract import history, p95

TARGET_RATIO = 2.0
TARGET_PLUS_MS = 5.0
TARGET_EVENT_P95_MS = 100.0
TOKEN = "bench-client-token"
QUICK = "Bench quick"
QUICK_SETTINGS = {
    "prompt_template": "A {keyword} at dawn",
    "keywords": ["red lake", "blue forest", "grey city"],
    "count": 4,
    "variations": 1,
    "width": 128,
    "height": 128,
    "format": "png",
    "generator": {"name": "procedural", "delay_s": 0.05},
}
GROUP_BY = (
    "SELECT j.status, c.name AS configuration, count(*) AS jobs FROM job_executions j "
    "LEFT JOIN configurations c ON c.id = j.configuration_id GROUP BY ALL ORDER BY ALL"
)
MANY_ROWS = "SELECT id, label, status, run_at FROM job_executions ORDER BY id DESC LIMIT 10000"


@dataclass(frozen=True)
class Case:
    """One compared call: ``method(*args)`` of the service, and of the client."""

    name: str
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    target: bool = True
    """Whether the client target applies (not to the 10,000-row result: its size is the
    point)."""

    def call(self, backend: Any) -> Any:
        return getattr(backend, self.method)(*self.args, **self.kwargs)


def cases(total: int, newest: int) -> list[Case]:
    """The compared calls on a history of ``total`` jobs whose newest id is ``newest`` (the
    server process and this one make the same list)."""
    from jobdash import JobQuery

    middle_page = max(1, total // 25 // 2)
    filtered = JobQuery(statuses=["failed", "stopped"], configuration_ids=[1, 2, 3], sort="label")
    sql = {"max_rows": 10_000, "timeout_s": 30.0}
    return [
        Case("first page (run date, newest first)", "get_all", (JobQuery(),), {}),
        Case("filtered + sorted: failed/stopped, 3 configurations, by label", "get_all",
             (filtered,), {}),
        Case(f"deep page {middle_page:,} of {-(-total // 25):,}", "get_all",
             (JobQuery(page=middle_page),), {}),
        Case("statistics (all jobs)", "statistics", (), {}),
        Case("statistics (the filtered query)", "statistics", (filtered,), {}),
        Case("get_by_id (middle job)", "get_by_id", (newest // 2,), {}),
        Case("sql: jobs by status x configuration", "sql", (GROUP_BY,), sql),
        Case("sql: 10,000 rows (id, label, status, run_at)", "sql", (MANY_ROWS,), sql,
             target=False),
    ]  # fmt: skip


@dataclass
class Result:
    """One case's latencies in milliseconds (medians unless named)."""

    name: str
    in_process_ms: float
    in_process_p95_ms: float
    in_process_min_ms: float
    client_ms: float
    client_p95_ms: float
    client_min_ms: float
    handler_ms: float
    encode_ms: float
    transport_ms: float
    decode_ms: float
    answer_kb: float
    target_ms: float | None
    ok: bool | None


# -- the server process ----------------------------------------------------------------------


def _encoders() -> dict[str, Callable[[Any], Any]]:
    from jobdash import wire

    return {
        "get_all": wire.page_to_json,
        "statistics": wire.statistics_to_json,
        "get_by_id": wire.detail_to_json,
        "sql": wire.frame_to_json,
    }


def server_process(db: str, port: int, pipe: Connection) -> None:
    """Serve ``db`` with its runner on ``port`` and answer the benchmark's requests on
    ``pipe``: ("call", i) times case i in process, ("encode", i) its answer's encoding,
    ("handled",) returns (and forgets) the handler times of the API calls since the last
    ask, ("stop",) ends."""
    from jobdash import JobQuery
    from jobdash.opening import open_service
    from jobdash.server import Access, api, start_server

    handled: list[float] = []

    def on_finish(self: api.ApiHandler) -> None:
        handled.append(self.request.request_time() * 1000)

    api.ApiHandler.on_finish = on_finish  # type: ignore[method-assign,assignment]
    svc = open_service(db)  # with its runner, as jobdash serve
    svc.store._deep.wait()
    server = start_server(svc, access=Access(port=port, token=TOKEN), threaded=True, dedicated=True)
    total = svc.get_all(JobQuery()).total
    newest = svc.store.matching_ids(JobQuery(sort="id"), limit=1)[0]
    compared = cases(total, newest)
    encoders = _encoders()
    pipe.send(("ready", total, newest))
    try:
        while True:
            request = pipe.recv()
            if request[0] == "stop":
                break
            if request[0] == "handled":
                pipe.send(list(handled))
                handled.clear()
                continue
            case = compared[request[1]]
            if request[0] == "call":
                start = time.perf_counter()
                case.call(svc)
                pipe.send((time.perf_counter() - start) * 1000)
            else:  # "encode"
                answer = case.call(svc)
                start = time.perf_counter()
                body = json.dumps(encoders[case.method](answer), allow_nan=False)
                pipe.send(((time.perf_counter() - start) * 1000, len(body) / 1024))
    finally:
        server.stop()
        server.join(timeout=10)
        svc.close()


# -- this process ----------------------------------------------------------------------------


def prepare(source: Path, workdir: Path) -> Path:
    """A copy of ``source`` with an empty queue (the demo's pending jobs cancelled, so the
    server's runner idles while calls are timed) and the quick configuration."""
    from jobdash.opening import open_service

    db = workdir / "jobs.duckdb"
    shutil.copy(source, db)
    with open_service(db, runner=False) as svc:
        for job_id in svc.queue():
            svc.cancel(job_id)
        svc.add_configuration(QUICK, QUICK_SETTINGS)
    return db


class _TimedTransport:
    """Wraps a client's HTTP exchange (``_call``) and keeps its last duration."""

    def __init__(self, client: Any):
        self.last_ms = 0.0
        self._call = client._call
        client._call = self

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        start = time.perf_counter()
        try:
            return self._call(*args, **kwargs)
        finally:
            self.last_ms = (time.perf_counter() - start) * 1000


def compare(pipe: Connection, client: Any, index: int, case: Case, repeat: int) -> Result:
    """Time case ``index`` in the server process and through the client, call by call in
    turn (two untimed of each first), then its encoding; ``repeat`` of each."""
    transport = _TimedTransport(client)
    for _ in range(2):
        pipe.send(("call", index))
        pipe.recv()
        case.call(client)
    pipe.send(("handled",))
    pipe.recv()
    inside, through, exchange = [], [], []
    for _ in range(repeat):
        pipe.send(("call", index))
        inside.append(pipe.recv())
        start = time.perf_counter()
        case.call(client)
        through.append((time.perf_counter() - start) * 1000)
        exchange.append(transport.last_ms)
    pipe.send(("handled",))
    handler = pipe.recv()
    encode, size = [], 0.0
    for _ in range(repeat):
        pipe.send(("encode", index))
        ms, size = pipe.recv()
        encode.append(ms)
    client._call = transport._call
    in_median, client_median = statistics.median(inside), statistics.median(through)
    handler_median = statistics.median(handler)
    target = TARGET_RATIO * in_median + TARGET_PLUS_MS if case.target else None
    return Result(
        case.name,
        round(in_median, 2),
        round(p95(inside), 2),
        round(min(inside), 2),
        round(client_median, 2),
        round(p95(through), 2),
        round(min(through), 2),
        round(handler_median, 2),
        round(statistics.median(encode), 2),
        round(statistics.median(exchange) - handler_median, 2),
        round(statistics.median(t - e for t, e in zip(through, exchange, strict=True)), 2),
        round(size, 1),
        None if target is None else round(target, 2),
        None if target is None else client_median <= target,
    )


def event_latencies(client: Any, jobs: int) -> dict[str, Any]:
    """Follow the server's events while its runner runs ``jobs`` quick jobs one after the
    other; each change's latency (arrival here minus its ``at``) by kind."""
    seen: list[tuple[str, float, int]] = []
    finished = threading.Semaphore(0)
    since = client.version

    def follow() -> None:
        completions = 0
        stream = client.events(since)
        try:
            for change in stream:
                arrived = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                latency = (arrived - change.at).total_seconds() * 1000
                seen.append((change.kind, latency, change.seq))
                if change.kind == "completion":
                    finished.release()
                    completions += 1
                    if completions == jobs:
                        return
        finally:
            stream.close()  # the connection with it

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    for _ in range(jobs):
        client.start(QUICK, label="Event latency")
        if not finished.acquire(timeout=120):
            raise RuntimeError("a quick job did not complete within 2 minutes")
    follower.join(timeout=10)
    time.sleep(0.2)  # the server notices the closed stream (it polls every 50 ms)
    latencies = [ms for _, ms, _ in seen]
    by_kind = {
        kind: _summary([ms for k, ms, _ in seen if k == kind])
        for kind in sorted({k for k, _, _ in seen})
    }
    overall = _summary(latencies)
    return {
        "jobs": jobs,
        "changes": len(seen),
        "in_order": [s for _, _, s in seen] == sorted(s for _, _, s in seen),
        "all_ms": overall,
        "by_kind_ms": by_kind,
        "target_p95_ms": TARGET_EVENT_P95_MS,
        "ok": overall["p95"] <= TARGET_EVENT_P95_MS,
    }


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "median": round(statistics.median(values), 1),
        "p95": round(p95(values), 1) if len(values) > 1 else round(values[0], 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run(jobs: int, repeat: int, event_jobs: int) -> dict[str, Any]:
    """Measure one history size; returns the numbers with their targets."""
    import jobdash

    source, info = history(jobs, rebuild=False)
    workdir = Path(tempfile.mkdtemp(prefix="jobdash-bench-client-"))
    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    server = None
    try:
        db = prepare(source, workdir)
        port = _free_port()
        uptime_before = _uptime()
        server = spawn.Process(target=server_process, args=(str(db), port, theirs), daemon=True)
        server.start()
        deadline = time.monotonic() + 300
        while not ours.poll(1):
            if not server.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server process ended or did not start in 5 minutes")
        _, total, newest = ours.recv()
        client = jobdash.connect(f"http://127.0.0.1:{port}", TOKEN)
        results = [
            compare(ours, client, i, case, repeat) for i, case in enumerate(cases(total, newest))
        ]
        events = event_latencies(client, event_jobs)
        uptime_after = _uptime()
        ours.send(("stop",))
        server.join(timeout=60)
    finally:
        if server is not None and server.is_alive():
            server.terminate()
            server.join(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "jobs": jobs,
        "history": {k: info[k] for k in ("counts", "file_mb")},
        "uptime": {"before": uptime_before, "after": uptime_after},
        "load_average": {"before": _load(uptime_before), "after": _load(uptime_after)},
        "repeat": repeat,
        "target": f"client <= {TARGET_RATIO:g} x in process + {TARGET_PLUS_MS:g} ms",
        "calls": [asdict(r) for r in results],
        "events": events,
    }
    report["ok"] = events["ok"] and all(r.ok is not False for r in results)
    return report


def _load(uptime: str) -> list[float]:
    return [float(v) for v in uptime.rsplit("load average:", 1)[-1].split(",")]


def print_report(report: dict[str, Any]) -> None:
    """The results as text tables."""
    counts = report["history"]["counts"]
    print(
        f"\n{report['jobs']:,} jobs, {counts['images']:,} images, {counts['events']:,} events "
        f"({report['history']['file_mb']} MB); {report['repeat']} calls each\n"
        f"before: {report['uptime']['before']}\nafter:  {report['uptime']['after']}\n"
    )
    head = (
        f"{'call (milliseconds, medians)':<62} {'in proc':>7} {'client':>7} {'p95':>6} "
        f"{'min':>6} {'target':>6} {'ok':>3} | {'handler':>7} {'encode':>6} {'http':>5} "
        f"{'decode':>6} {'KB':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in report["calls"]:
        target = "-" if r["target_ms"] is None else f"{r['target_ms']:.1f}"
        ok = "-" if r["ok"] is None else ("yes" if r["ok"] else "NO")
        print(
            f"{r['name']:<62} {r['in_process_ms']:>7.1f} {r['client_ms']:>7.1f} "
            f"{r['client_p95_ms']:>6.1f} {r['client_min_ms']:>6.1f} {target:>6} {ok:>3} | "
            f"{r['handler_ms']:>7.1f} {r['encode_ms']:>6.1f} {r['transport_ms']:>5.1f} "
            f"{r['decode_ms']:>6.1f} {r['answer_kb']:>6.1f}"
        )
    events = report["events"]
    print(
        f"\nevent latency, runner write to client ({events['jobs']} jobs, "
        f"{events['changes']} changes, in order: {events['in_order']}): target p95 <= "
        f"{events['target_p95_ms']:.0f} ms: {'yes' if events['ok'] else 'NO'}"
    )
    for kind, s in [("all", events["all_ms"]), *events["by_kind_ms"].items()]:
        print(
            f"  {kind:<16} n={s['n']:<4} median {s['median']:>6.1f}  p95 {s['p95']:>6.1f}  "
            f"min {s['min']:>6.1f}  max {s['max']:>6.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit code 1 when a target is missed."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_client", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--jobs", type=int, default=1_000_000, help="history size")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per case and side")
    parser.add_argument("--event-jobs", type=int, default=5, help="quick jobs run for events")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    report = run(args.jobs, args.repeat, args.event_jobs)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

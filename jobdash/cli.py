"""Command line: ``jobdash demo | serve | run | import-gif | export | status``
(also ``python -m jobdash``). While ``jobdash serve`` holds a history, ``run``, ``export``,
``import-gif`` and ``status`` go through it (found by its discovery file)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import default_db_path
from .errors import JobdashError, ValidationError
from .query import JobQuery
from .vocab import JOB_STATUSES, format_job_id, parse_job_id


def _db(args: argparse.Namespace) -> Path:
    """The history's file (``--db``, ``$JOBDASH_DB`` or ``data/jobs.duckdb``); refused when
    it is a folder or lies under a file."""
    db = Path(args.db) if args.db else default_db_path()
    if db.is_dir():
        raise ValidationError(f"db: {db} is a folder; give the history's file", "db")
    for folder in db.resolve().parents:
        if folder.exists():
            if not folder.is_dir():
                raise ValidationError(f"db: {folder} is a file, not a folder", "db")
            break
    return db


def _history(args: argparse.Namespace) -> Path:
    """The file of a history the command reads: refused when there is none (opening it
    would write an empty one)."""
    db = _db(args)
    if not db.is_file():
        raise ValidationError(
            f"db: there is no job history at {db} (jobdash demo and jobdash import-gif "
            "write one; --db or $JOBDASH_DB name the file)",
            "db",
        )
    return db


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    counts = build_demo(
        _db(args), jobs=args.jobs, seed=args.seed, images_on_disk=args.images_on_disk
    )
    print(
        f"Demo history written to {_db(args)}: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import Access, Credentials, serve

    access = Access(
        address=args.address,
        port=args.port,
        credentials=Credentials.from_environment(args.user, args.password_file),
        allow_origins=tuple(args.allow_origin or ()),
        insecure=args.insecure,
    )
    serve(_db(args), access, show=args.show)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .client import for_history
    from .opening import open_service

    db = _history(args)
    served = for_history(db)
    if served is not None:  # the server holding the history queues and runs it
        job = served.start(args.config, label=args.label)
        if not args.no_wait:
            served.wait(job["id"])
            job = served.get_by_id(job["id"]).job
        return _ran(job)
    # Queued with no runner, so a refused configuration or label changes nothing (a runner
    # takes the queue's next job as soon as it opens the history); then run, unless
    # --no-wait (a runner started for that would stop the job again on exit).
    with open_service(db, runner=False) as svc:
        job = svc.start(args.config, label=args.label)
    if not args.no_wait:
        with open_service(db) as svc:
            if svc.runner is not None:  # opened with its runner
                svc.runner.wait(job["id"])
            job = svc.get_by_id(job["id"]).job
    return _ran(job)


def _ran(job: dict) -> int:
    print(
        f"{job['job_id']} {job['status']}: {job.get('successful_images', 0)} images "
        f"produced, {job.get('failed_images', 0)} failed"
    )
    return 0 if job["status"] in ("completed", "pending", "running") else 1


def cmd_export(args: argparse.Namespace) -> int:
    from .client import for_history
    from .export import export_target
    from .opening import open_service

    # What the command line asks for is checked before the history is opened.
    out = export_target(args.out)
    jobs = _export_selection(args)
    images = False if args.no_images else None  # None: as the history's settings say
    db = _history(args)
    served = for_history(db)
    if served is not None:  # the server holding the history writes it; it lands here
        path = served.bulk_export(jobs, out, include_images=images)
    else:
        with open_service(db, runner=False) as svc:
            path = svc.bulk_export(jobs, out, include_images=images)
    print(f"Wrote {path}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from .client import for_history
    from .opening import open_service

    db = _history(args)
    served = for_history(db)
    if served is not None:
        status = served.status()
        running = ", ".join(format_job_id(i) for i in status["running"]) or "none"
        print(
            f"{db}: served at {served.url} "
            f"({'running its queue' if status['has_runner'] else 'queue not run'}); "
            f"running: {running}; queued: {len(status['queue'])}"
        )
        return 0
    with open_service(db, runner=False) as svc:
        stats = svc.statistics()
        print(
            f"{db}: not served; jobs: {stats.total:,}, queued: {stats.pending:,} "
            "(jobdash serve runs the queue and shares the history)"
        )
    return 0


def _export_selection(args: argparse.Namespace) -> list[int] | JobQuery:
    """The jobs ``export`` is asked for: the ``--ids`` list, or those matching the filters.
    An ``--ids`` naming no job, or given with filters, is refused."""
    filters = {
        "statuses": args.status or [],
        "search": args.search or "",
        "date_from": args.date_from,
        "date_to": args.date_to,
    }
    if args.ids is None:
        return JobQuery(**filters)
    if any(filters.values()):
        raise ValidationError(
            "ids: give --ids or filters (--status, --search, --date-from, --date-to), not both",
            "ids",
        )
    tokens = [token.strip() for token in args.ids.split(",") if token.strip()]
    if not tokens:
        raise ValidationError(
            f"ids: {args.ids!r} names no job; give ids like 12,JOB-000013 "
            "(or leave --ids out to export the jobs matching the filters)",
            "ids",
        )
    ids = []
    for token in tokens:
        job_id = parse_job_id(token)
        if job_id is None:
            raise ValidationError(f"ids: {token!r} is not a job id (12 or JOB-000012)", "ids")
        ids.append(job_id)
    return ids


def cmd_import_gif(args: argparse.Namespace) -> int:
    from .client import for_history
    from .importers.gif import GifSource, import_gif
    from .importers.report import ProgressBar
    from .opening import open_service

    db = _db(args)
    progress = ProgressBar(sys.stderr)
    served = for_history(db)
    if served is not None:  # the file is sent to the server holding the history
        report = served.import_gif(args.source, copy_images=args.copy_images, progress=progress)
    else:
        # A file that is not one (damaged, locked) is refused before the history is
        # opened, so a refused import creates and changes nothing.
        with GifSource(args.source) as source, open_service(db, runner=False) as svc:
            report = import_gif(svc, source, copy_images=args.copy_images, progress=progress)
    print(report.summary(into=str(db)))
    return 0


def parser() -> argparse.ArgumentParser:
    """The ``jobdash`` argument parser."""
    top = argparse.ArgumentParser(prog="jobdash", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="DuckDB file (default: $JOBDASH_DB or data/jobs.duckdb)")
        p.set_defaults(func=func)
        return p

    p = command("demo", "Write a realistic demo history into a new database.", cmd_demo)
    p.add_argument("--jobs", type=int, default=2000, help="number of jobs (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument(
        "--images-on-disk",
        type=int,
        default=100,
        help="newest jobs that get real image files (default 100)",
    )

    p = command("serve", "Serve the Dashboard and Job Management pages.", cmd_serve)
    p.add_argument("--port", type=int, default=5006, help="port (default 5006)")
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; any other needs a password or --insecure)",
    )
    p.add_argument(
        "--user",
        help="user name of the login (default $JOBDASH_USER or 'jobdash')",
    )
    p.add_argument(
        "--password-file",
        metavar="FILE",
        help="switch on the login with the password on this file's first line "
        "(or set $JOBDASH_PASSWORD; never give a password on the command line)",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        metavar="ORIGIN",
        help="another origin pages may come from, e.g. https://jobs.example.com behind a "
        "proxy (repeatable)",
    )
    p.add_argument(
        "--insecure",
        action="store_true",
        help="serve a non-loopback address without a login (anyone reaching it can delete jobs)",
    )
    p.add_argument("--show", action="store_true", help="open a browser tab")

    p = command("run", "Queue a job of a configuration (name or id) and run it.", cmd_run)
    p.add_argument("config", help="configuration name or id")
    p.add_argument("--label", help="label of the new job")
    p.add_argument("--no-wait", action="store_true", help="queue only; return at once")

    p = command(
        "import-gif",
        "Import a Gen Image Factory history (gen-image-factory.db); again to add what is new.",
        cmd_import_gif,
    )
    p.add_argument("source", help="path of the desktop app's SQLite file")
    p.add_argument(
        "--copy-images",
        action="store_true",
        help="copy the image files into the history's image folder (they then belong to "
        "jobdash); by default they are used where they are and never modified or deleted",
    )

    command(
        "status", "Say whether a server holds the history, what runs and what waits.", cmd_status
    )

    p = command("export", "Export jobs to an Excel workbook.", cmd_export)
    p.add_argument("out", help="path of the .xlsx file to write")
    p.add_argument("--ids", help="comma-separated job ids (123, JOB-000123)")
    p.add_argument(
        "--status",
        action="append",
        choices=JOB_STATUSES,
        help="only jobs with this status (repeatable)",
    )
    p.add_argument("--search", help="search text")
    p.add_argument("--date-from", help="first day, YYYY-MM-DD")
    p.add_argument("--date-to", help="last day, YYYY-MM-DD")
    p.add_argument(
        "--no-images",
        action="store_true",
        help="leave the Images sheet out (default: as settings.json's export.include_images)",
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; typed jobdash errors become one readable line and exit code 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except JobdashError as exc:
        print(f"jobdash {args.command}: {exc}", file=sys.stderr)
        return 2

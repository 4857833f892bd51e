"""The HTTP API's operations, one per contract method: what each reads from the request,
which service method it calls, what it answers. The Tornado handler (``handler.py``) and the
OpenAPI document (``openapi.py``) are both made from this one table."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import parquet, wire
from ..contract import JobBackend
from ..errors import ValidationError
from ..query import JobQuery
from ..vocab import format_job_id, parse_job_id
from . import bodies
from .schemas import SCHEMAS

UPLOAD_LIMIT = 4 << 30
"""The largest file an upload takes, in bytes (4 GiB: ten times the 405 MB of a
million-image Gen Image Factory history)."""
GIF_TYPES = ("application/vnd.sqlite3", "application/octet-stream")
"""The media types of a Gen Image Factory file sent as a body."""


@dataclass(frozen=True)
class Request:
    """What an operation gets: path parameters, query parameters (each a list of values,
    as repeated in the URL) and the parsed JSON body, or for an upload the file it was
    received into (removed after the call)."""

    path: dict[str, str]
    query: dict[str, list[str]]
    body: Any = None


@dataclass(frozen=True)
class Workbook:
    """An answer that is an Excel file (sent as the response body, then removed)."""

    path: Path
    filename: str


@dataclass(frozen=True)
class Binary:
    """An answer that is a file's bytes of a given media type."""

    data: bytes
    media_type: str


@dataclass(frozen=True)
class ImageFile:
    """An answer that is one of the history's image files (sent as it is)."""

    path: Path


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form: /api/jobs/{job_id}
    operation_id: str
    summary: str
    call: Callable[[JobBackend, Request], Any]
    response: str  # a key of schemas.SCHEMAS, "xlsx", "image" or "sql" (Frame or Parquet)
    query: tuple[str, ...] = ()  # JobQuery fields it reads ("*": all of them)
    body: type[bodies.Body] | None = None
    upload: tuple[str, ...] = ()  # its body is a file of these media types (not JSON)
    status: int = 200
    tags: tuple[str, ...] = field(default=("jobs",))

    @property
    def pattern(self) -> str:
        """The Tornado route of :attr:`path`."""
        return re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)

    def parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)


# -- reading the request -------------------------------------------------------------------

QUERY_FIELDS = [p for p in JobQuery.param if p != "name"]
LISTS = {"statuses", "configuration_ids"}


def job_query(request: Request) -> JobQuery:
    """The JobQuery of the query string; repeated or comma-separated values for lists. An
    unknown parameter or a bad value raises ValidationError naming it."""
    values: dict[str, Any] = {}
    for name, given in request.query.items():
        if name not in QUERY_FIELDS:
            raise ValidationError(f"{name}: not a query parameter of this call", name)
        if name in LISTS:
            values[name] = [v for item in given for v in item.split(",") if v != ""]
        elif name == "descending":
            values[name] = _boolean(name, _single(name, given))
        else:
            values[name] = _single(name, given)
    return JobQuery(**values)


def _single(name: str, given: list[str]) -> str:
    """The one value of a query parameter that takes one."""
    if len(given) > 1:
        raise ValidationError(f"{name}: given {len(given)} times", name)
    return given[0]


def _boolean(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValidationError(f"{name}: {text!r} is not true or false", name)


def job_id(request: Request) -> Any:
    """The job id of the path (123 or JOB-000123) as a number; any other text is handed on
    as it is, for the service to refuse as it refuses it in-process."""
    text = request.path["job_id"]
    parsed = parse_job_id(text)
    return parsed if parsed is not None else text


def only(request: Request, *allowed: str) -> None:
    """Refuse a query parameter other than ``allowed`` (naming the first, alphabetically)."""
    unknown = sorted(set(request.query) - set(allowed))
    if unknown:
        raise ValidationError(f"{unknown[0]}: not a query parameter of this call", unknown[0])


def no_query(request: Request) -> None:
    only(request)


def body(request: Request, kind: type[bodies.Body]) -> Any:
    return kind.parse(request.body)


# -- the operations ------------------------------------------------------------------------


def _get_all(b: JobBackend, r: Request) -> Any:
    return wire.page_to_json(b.get_all(job_query(r)))


DETAIL_PAGING = ("images_offset", "images_limit", "events_after", "events_limit")


def _get_by_id(b: JobBackend, r: Request) -> Any:
    paging = {name: _count(r, name) for name in DETAIL_PAGING}
    detail = b.get_by_id(job_id(r))
    images, events = detail.images, detail.events
    answer = wire.detail_to_json(detail)
    answer["images_total"], answer["events_total"] = len(images), len(events)
    if paging["images_offset"] is not None or paging["images_limit"] is not None:
        start = paging["images_offset"] or 0
        end = None if paging["images_limit"] is None else start + paging["images_limit"]
        answer["images"] = wire.frame_to_json(images.iloc[start:end])
    if paging["events_after"] is not None or paging["events_limit"] is not None:
        later = events[events["id"] > (paging["events_after"] or 0)]
        answer["events"] = wire.frame_to_json(later.head(paging["events_limit"] or len(later)))
    return answer


def _count(r: Request, name: str) -> int | None:
    """A whole-number query parameter of a paged read (0 or more; limits 1 or more)."""
    only(r, *DETAIL_PAGING)
    given = r.query.get(name)
    if given is None:
        return None
    low = 1 if name.endswith("_limit") else 0
    if len(given) > 1 or not given[0].isdigit() or int(given[0]) < low:
        raise ValidationError(f"{name}: give one whole number from {low} up", name)
    return int(given[0])


def _jobs(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.frame_to_json(b.jobs(body(r, bodies.Rows).ids))


def _statistics(b: JobBackend, r: Request) -> Any:
    return wire.statistics_to_json(b.statistics(job_query(r)))


def _configurations(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.frame_to_json(b.configurations())


def _rename(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.plain(b.rename(job_id(r), body(r, bodies.Rename).label))


def _bulk_delete(b: JobBackend, r: Request) -> Any:
    no_query(r)
    result = b.bulk_delete(body(r, bodies.Target).target())
    return {str(k): v for k, v in result.items()}


def _bulk_rerun(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.frame_to_json(b.bulk_rerun(body(r, bodies.Target).target()))


def _workbook(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix="jobdash-export-")) / name


def _bulk_export(b: JobBackend, r: Request) -> Any:
    no_query(r)
    asked = body(r, bodies.Export)
    path = b.bulk_export(asked.target(), _workbook("jobs.xlsx"), asked.include_images)
    return Workbook(path, "jobs.xlsx")


def _export(b: JobBackend, r: Request) -> Any:
    no_query(r)
    found = job_id(r)
    name = f"{format_job_id(found) if isinstance(found, int) else 'job'}.xlsx"
    return Workbook(b.export(found, _workbook(name)), name)


def _start(b: JobBackend, r: Request) -> Any:
    no_query(r)
    run = body(r, bodies.Run)
    return wire.plain(b.start(run.configuration, run.label))


def _stop(b: JobBackend, r: Request) -> Any:
    no_query(r)
    b.stop(job_id(r), "api", body(r, bodies.Stop).reason)
    return {"ok": True}


def _cancel(b: JobBackend, r: Request) -> Any:
    no_query(r)
    b.cancel(job_id(r))
    return {"ok": True}


def _queue(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return b.queue()


def _presets(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.plain(b.presets())


def _save_preset(b: JobBackend, r: Request) -> Any:
    no_query(r)
    query = JobQuery.from_dict(body(r, bodies.Preset).query)
    b.save_preset(r.path["name"], query)
    return {"ok": True}


def _delete_preset(b: JobBackend, r: Request) -> Any:
    no_query(r)
    b.delete_preset(r.path["name"])
    return {"ok": True}


def _sql(b: Any, r: Request) -> Any:
    no_query(r)
    query = body(r, bodies.Sql)
    if query.format not in ("json", "parquet"):
        raise ValidationError(f"format: {query.format!r} is not json or parquet", "format")
    frame = b.sql(query.statement, query.params, max_rows=query.max_rows, timeout_s=query.timeout_s)
    if query.format == "parquet":
        return Binary(parquet.frame_to_parquet(frame), parquet.PARQUET)
    return wire.frame_to_json(frame)


def _image(b: Any, r: Request) -> Any:
    kinds = r.query.get("kind", ["file"])
    if set(r.query) - {"kind"} or len(kinds) > 1 or kinds[0] not in ("file", "thumbnail"):
        name = next(iter(sorted(set(r.query) - {"kind"})), "kind")
        raise ValidationError(f"{name}: give kind=file or kind=thumbnail, once", name)
    return ImageFile(b.image_of(r.path["image_id"], thumbnail=kinds[0] == "thumbnail"))


def _signature_of(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return {"signature": b.signature_of(body(r, bodies.SignatureOf).message)}


def _error_signatures(b: JobBackend, r: Request) -> Any:
    no_query(r)
    a = body(r, bodies.ErrorSignatures)
    return wire.frame_to_json(b.error_signatures(a.scope(), limit=a.limit, examples=a.examples))


def _signature_daily_counts(b: JobBackend, r: Request) -> Any:
    no_query(r)
    a = body(r, bodies.SignatureDailyCounts)
    end = a.end_date()
    frame = b.signature_daily_counts(a.signatures, days=a.days, end=end, top=a.top, query=a.scope())
    return wire.frame_to_json(frame)


def _failure_rate(b: JobBackend, r: Request) -> Any:
    no_query(r)
    a = body(r, bodies.FailureRate)
    return wire.frame_to_json(b.failure_rate(a.bucket, a.by, a.scope()))


def _qc_rejection_rate(b: JobBackend, r: Request) -> Any:
    no_query(r)
    a = body(r, bodies.QcRejectionRate)
    return wire.frame_to_json(b.qc_rejection_rate(a.bucket, a.by, a.scope()))


def _duration_percentiles(b: JobBackend, r: Request) -> Any:
    no_query(r)
    a = body(r, bodies.Percentiles)
    return wire.frame_to_json(b.duration_percentiles(a.by, a.scope()))


def _qc_reasons(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return wire.frame_to_json(b.qc_reasons(body(r, bodies.Scoped).scope()))


def _import_gif(b: Any, r: Request) -> Any:
    from ..importers.gif import GifSource, import_gif

    only(r, "path", "copy_images")
    named, copy = _once(r, "path"), _once(r, "copy_images")
    if named is None:
        raise ValidationError(
            "path: required: the path the file was read from (its name as a source)", "path"
        )
    copy_images = copy is not None and _boolean("copy_images", copy)
    with GifSource(r.body, known_as=named) as source:
        return import_gif(b, source, copy_images=copy_images).to_json()


def _once(r: Request, name: str) -> str | None:
    """A query parameter given at most once (None when not given)."""
    given = r.query.get(name)
    return None if given is None else _single(name, given)


def _status(b: JobBackend, r: Request) -> Any:
    no_query(r)
    running = b.get_all(JobQuery(statuses=["running"], page_size=100)).rows["id"]
    return {
        "version": b.version,
        "has_runner": b.has_runner,
        "image_root": str(b.image_root),
        "export_dir": str(b.export_dir),
        "running": [int(i) for i in running],
        "queue": b.queue(),
    }


def _version(b: JobBackend, r: Request) -> Any:
    no_query(r)
    return {"version": b.version, "feed_id": b.feed_id}


def sequence(text: str) -> int:
    """A change's sequence number (``since``, or an event stream's ``Last-Event-ID``)."""
    try:
        seq = int(text)
    except ValueError:
        raise ValidationError(f"since: {text!r} is not a whole number", "since") from None
    if seq < 0:
        raise ValidationError("since: must be 0 or more", "since")
    return seq


def _changes(b: JobBackend, r: Request) -> Any:
    only(r, "since")
    seq = sequence(r.query.get("since", ["0"])[-1])
    return {
        "version": b.version,
        "feed_id": b.feed_id,
        "changes": [wire.change_to_json(c) for c in b.changes_since(seq)],
    }


OPERATIONS: list[Operation] = [
    Operation("GET", "/api/jobs", "get_all", "A page of jobs", _get_all, "Page", query=("*",)),
    Operation("GET", "/api/jobs/{job_id}", "get_by_id", "One job", _get_by_id, "JobDetail"),
    Operation("PATCH", "/api/jobs/{job_id}", "rename", "Rename a job", _rename, "Record",
              body=bodies.Rename),
    Operation("GET", "/api/jobs/{job_id}/export", "export", "One job as a workbook", _export,
              "xlsx"),
    Operation("POST", "/api/jobs/{job_id}/stop", "stop", "Stop a running job", _stop, "Ok",
              body=bodies.Stop, tags=("runs",)),
    Operation("POST", "/api/jobs/{job_id}/cancel", "cancel", "Cancel a pending job", _cancel,
              "Ok", tags=("runs",)),
    Operation("POST", "/api/jobs/rows", "jobs", "Rows of the given jobs", _jobs, "Frame",
              body=bodies.Rows),
    Operation("POST", "/api/jobs/delete", "bulk_delete", "Delete jobs", _bulk_delete,
              "Deleted", body=bodies.Target),
    Operation("POST", "/api/jobs/rerun", "bulk_rerun", "Queue reruns of jobs", _bulk_rerun,
              "Frame", body=bodies.Target),
    Operation("POST", "/api/jobs/export", "bulk_export", "Jobs as a workbook", _bulk_export,
              "xlsx", body=bodies.Export),
    Operation("GET", "/api/statistics", "statistics", "Statistics of matching jobs",
              _statistics, "Statistics", query=("*",)),
    Operation("GET", "/api/configurations", "configurations", "Configurations",
              _configurations, "Frame", tags=("runs",)),
    Operation("POST", "/api/runs", "start", "Queue a run of a configuration", _start,
              "Record", body=bodies.Run, status=201, tags=("runs",)),
    Operation("GET", "/api/queue", "queue", "Pending job ids in queue order", _queue, "Ids",
              tags=("runs",)),
    Operation("GET", "/api/presets", "presets", "Filter presets", _presets, "Presets",
              tags=("presets",)),
    Operation("PUT", "/api/presets/{name}", "save_preset", "Save a filter preset",
              _save_preset, "Ok", body=bodies.Preset, tags=("presets",)),
    Operation("DELETE", "/api/presets/{name}", "delete_preset", "Delete a filter preset",
              _delete_preset, "Ok", tags=("presets",)),
    Operation("POST", "/api/sql", "sql", "A read-only query of your own", _sql, "sql",
              body=bodies.Sql, tags=("analysis",)),
    Operation("POST", "/api/analysis/signature-of", "signature_of",
              "The signature of an error message", _signature_of, "Signature",
              body=bodies.SignatureOf, tags=("analysis",)),
    Operation("POST", "/api/analysis/error-signatures", "error_signatures",
              "Failed jobs grouped by error signature", _error_signatures, "Frame",
              body=bodies.ErrorSignatures, tags=("analysis",)),
    Operation("POST", "/api/analysis/signature-daily-counts", "signature_daily_counts",
              "Jobs per signature per day", _signature_daily_counts, "Frame",
              body=bodies.SignatureDailyCounts, tags=("analysis",)),
    Operation("POST", "/api/analysis/failure-rate", "failure_rate",
              "Failed share of finished jobs per time bucket", _failure_rate, "Frame",
              body=bodies.FailureRate, tags=("analysis",)),
    Operation("POST", "/api/analysis/qc-rejection-rate", "qc_rejection_rate",
              "Rejected share of judged images per time bucket", _qc_rejection_rate, "Frame",
              body=bodies.QcRejectionRate, tags=("analysis",)),
    Operation("POST", "/api/analysis/duration-percentiles", "duration_percentiles",
              "Run time percentiles", _duration_percentiles, "Frame",
              body=bodies.Percentiles, tags=("analysis",)),
    Operation("POST", "/api/analysis/qc-reasons", "qc_reasons",
              "Lost and held images by cause", _qc_reasons, "Frame",
              body=bodies.Scoped, tags=("analysis",)),
    Operation("GET", "/api/images/{image_id}", "image_of", "An image's file or thumbnail",
              _image, "image", tags=("jobs",)),
    Operation("POST", "/api/imports/gif", "import_gif",
              "Import a Gen Image Factory history (the file as the body)", _import_gif,
              "ImportReport", upload=GIF_TYPES, tags=("imports",)),
    Operation("GET", "/api/status", "status", "The server's history: runner, running, queue",
              _status, "Status", tags=("runs",)),
    Operation("GET", "/api/version", "version", "The change counter and the feed it counts",
              _version, "Version", tags=("events",)),
    Operation("GET", "/api/changes", "changes_since", "Changes after a sequence number",
              _changes, "Changes", tags=("events",)),
]  # fmt: skip

assert all(op.response in SCHEMAS or op.response in ("xlsx", "image", "sql") for op in OPERATIONS)

"""A job history held by a running ``jobdash serve``, used from Python as if it were here.

    client = jobdash.connect("http://127.0.0.1:5006", token="...")
    page = client.get_all(jobdash.JobQuery(statuses=["failed"]))   # a Page, rows a DataFrame

:class:`JobClient` has the service's methods, arguments and return types (Page, JobDetail,
Statistics, DataFrames with the service's column types) and raises its typed errors
(NotFound, ValidationError with the field, Conflict, StoreLocked), over the server's HTTP API
(``/api/docs`` lists it). It needs only the standard library.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import parquet, wire
from .api.routes import GIF_TYPES, UPLOAD_LIMIT
from .errors import Conflict, JobdashError, NotFound, StoreClosed, StoreLocked, ValidationError
from .events import Change
from .importers.report import ImportReport, Progress
from .query import JobQuery
from .records import IdsOrQuery, JobDetail, Page, Statistics

ERRORS: dict[int, type[JobdashError]] = {
    404: NotFound,
    409: Conflict,
    413: ValidationError,
    422: ValidationError,
    503: StoreLocked,
}


# How long the server's folders and whether it runs the queue are taken as known: they do not
# change while a server runs and the UI reads them often (each gallery view, each runner
# status), so a read is not a request each time; a restarted server's are seen within this.
FACTS_TTL_S = 5.0
# How long an upload may wait for its answer: the server imports before it answers (40-60 s
# for a million images on a 2-core machine).
UPLOAD_TIMEOUT_S = 3600.0


class RemoteError(JobdashError):
    """The server refused or failed a call for a reason the contract has no type for (no or a
    wrong token, a server error); the message is the server's."""


class JobClient:
    """The backend contract over HTTP (see the module's docstring)."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 60.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(f"url: {url!r} is not an http(s) URL", "url")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._facts: tuple[float, dict[str, Any]] | None = None  # (when read, status)
        self._feed_id: str | None = None
        self.history: Path | None = None  # the history whose server this is (for_history)

    def __repr__(self) -> str:
        return f"JobClient({self.url!r})"

    def close(self) -> None:
        """Nothing to release (each call is its own request); the server keeps running."""

    def __enter__(self) -> JobClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        upload: _Upload | None = None,
    ) -> bytes:
        try:
            return self._send(method, path, query, body, upload)
        except (RemoteError, StoreClosed):
            if not self._found_again():
                raise
            return self._send(method, path, query, body, upload)

    def _found_again(self) -> bool:
        """For a client of a history's server (:func:`for_history`): whether that history is
        now served at another address or with another token (a restarted server), which
        the client then takes."""
        from .discovery import find

        served = find(self.history) if self.history is not None else None
        if served is None or (served.url, served.token) == (self.url, self.token):
            return False
        self.url, self.token = served.url.rstrip("/"), served.token
        return True

    def _send(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None,
        body: Any,
        upload: _Upload | None = None,
    ) -> bytes:
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        headers = {"Accept": "application/json", **self._auth()}
        data: Any = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if upload is not None:
            data = upload
            headers["Content-Type"] = GIF_TYPES[0]
            headers["Content-Length"] = str(upload.size)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        timeout = self.timeout if upload is None else UPLOAD_TIMEOUT_S
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise _error(exc) from None
        except urllib.error.URLError as exc:
            raise StoreClosed(f"No jobdash server answers at {self.url} ({exc.reason}).") from None

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return json.loads(self._call(method, path, **kwargs))

    # -- change feed -------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """The server's change counter (see :meth:`changes_since`)."""
        answer = self._json("GET", "/api/version")
        self._feed_id = str(answer["feed_id"])
        return int(answer["version"])

    @property
    def feed_id(self) -> str:
        """Which change feed the server's ``version`` counts in (as of the last version
        read: reading ``version`` then ``feed_id`` is one request)."""
        if self._feed_id is None:
            return str(self._json("GET", "/api/version")["feed_id"])
        return self._feed_id

    def changes_since(self, seq: int) -> list[Change]:
        """Changes after sequence number ``seq``."""
        answer = self._json("GET", "/api/changes", query={"since": seq})
        return [wire.change_from_json(c) for c in answer["changes"]]

    def events(self, since: int | None = None, *, reconnects: int = 5) -> Iterator[Change]:
        """The server's changes as they happen (status, progress, completion, edits), from
        the one after ``since`` (default: from now). A dropped connection is resumed from
        the last change seen, so none is missed (up to ``reconnects`` times in a row); a
        ``resync`` change means some were lost: reload what you show."""
        seq = self.version if since is None else since
        failures = 0
        while True:
            try:
                for change in self._stream(seq):
                    failures = 0
                    seq = change.seq if change.kind == "resync" else max(seq, change.seq)
                    yield change
            except (OSError, http.client.HTTPException, RemoteError) as exc:
                if self._found_again():  # its server restarted: its feed is another one
                    failures = 0
                    continue
                if isinstance(exc, RemoteError):
                    raise
                failures += 1
                if failures > reconnects:
                    raise StoreClosed(f"The event stream of {self.url} keeps dropping.") from None
                time.sleep(min(0.1 * 2**failures, 5.0))

    def wait(self, job_id: int, timeout: float | None = None) -> str:
        """Wait until a job is no longer pending or running (following the event stream);
        returns its status then, or the current one after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        since = self.version
        status = str(self.get_by_id(job_id).job["status"])
        if status not in ("pending", "running"):
            return status
        for change in self.events(since):
            if change.kind == "resync" or job_id in change.job_ids:
                status = str(self.get_by_id(job_id).job["status"])
                if status not in ("pending", "running"):
                    return status
            if deadline is not None and time.monotonic() > deadline:
                break
        return status

    def _stream(self, seq: int) -> Iterator[Change]:
        request = urllib.request.Request(
            f"{self.url}/api/events?since={seq}",
            headers={"Accept": "text/event-stream", **self._auth()},
        )
        try:
            response = urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise _error(exc) from None
        with response:
            data: list[str] = []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("data:"):
                    data.append(line[5:].strip())
                elif not line and data:
                    yield wire.change_from_json(json.loads("".join(data)))
                    data = []
        raise ConnectionResetError("the server closed the event stream")

    # -- reading -----------------------------------------------------------------------------

    def get_all(self, query: JobQuery | None = None) -> Page:
        """One page of jobs matching ``query``."""
        return wire.page_from_json(self._json("GET", "/api/jobs", query=_params(query)))

    def get_by_id(self, job_id: int) -> JobDetail:
        """Everything about one job."""
        return wire.detail_from_json(self._json("GET", f"/api/jobs/{_segment(job_id)}"))

    def jobs(self, ids: Sequence[int]) -> pd.DataFrame:
        """Rows of the given jobs."""
        return wire.frame_from_json(self._json("POST", "/api/jobs/rows", body={"ids": list(ids)}))

    def statistics(self, query: JobQuery | None = None) -> Statistics:
        """Aggregates over the jobs matching ``query``."""
        answer = self._json("GET", "/api/statistics", query=_params(query))
        return wire.statistics_from_json(answer)

    def configurations(self) -> pd.DataFrame:
        """Every configuration."""
        return wire.frame_from_json(self._json("GET", "/api/configurations"))

    def queue(self) -> list[int]:
        """Pending job ids in the order they will run."""
        return list(self._json("GET", "/api/queue"))

    def image(self, image_id: int, thumbnail: bool = False) -> bytes:
        """The bytes of one image's file (or its thumbnail), as the server has them."""
        kind = "thumbnail" if thumbnail else "file"
        return self._call("GET", f"/api/images/{_segment(image_id)}", query={"kind": kind})

    # -- editing -----------------------------------------------------------------------------

    def rename(self, job_id: int, label: str) -> dict[str, Any]:
        """Give a job a new label; returns the job."""
        answer = self._json("PATCH", f"/api/jobs/{_segment(job_id)}", body={"label": label})
        return wire.record_from_json(answer)

    def bulk_delete(self, target: IdsOrQuery) -> dict[int, str]:
        """Delete jobs; ``{id: "deleted" | "not_found"}``."""
        answer = self._json("POST", "/api/jobs/delete", body=_target(target))
        return {int(k): v for k, v in answer.items()}

    def bulk_rerun(self, target: IdsOrQuery) -> pd.DataFrame:
        """Queue reruns; the new jobs' rows."""
        return wire.frame_from_json(self._json("POST", "/api/jobs/rerun", body=_target(target)))

    def bulk_export(
        self, target: IdsOrQuery, path: str | os.PathLike, include_images: bool | None = None
    ) -> Path:
        """Write the jobs to an Excel workbook at ``path`` (here); returns its path."""
        from .export import export_target

        out = export_target(path)
        asked = _target(target)
        if include_images is not None:
            asked["include_images"] = include_images
        return _write(out, self._call("POST", "/api/jobs/export", body=asked))

    def export(self, job_id: int, path: str | os.PathLike) -> Path:
        """Write one job with its images to an Excel workbook at ``path`` (here)."""
        from .export import export_target

        out = export_target(path)
        return _write(out, self._call("GET", f"/api/jobs/{_segment(job_id)}/export"))

    # -- imports -----------------------------------------------------------------------------

    def import_gif(
        self,
        source: str | os.PathLike,
        *,
        copy_images: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import a Gen Image Factory file (here) into the server's history, as
        :func:`jobdash.importers.gif.import_gif` does in-process: the file is checked here
        (refused as there: nothing is sent), a consistent copy of it is sent (never its
        path to open), and the path it lies at here names it, so importing it again, either
        way, updates what it brought. Relative image paths in it are taken from its folder
        on the server's machine (on another machine: images not found there come as
        missing). ``progress(stage, done, total)`` follows the upload."""
        from .importers.gif_source import GifSource

        with tempfile.TemporaryDirectory(prefix="jobdash-upload-") as folder:
            copy = Path(folder) / "gen-image-factory.db"
            with GifSource(source) as opened:
                opened.snapshot(copy)
                named = str(opened.path)
            upload = _Upload(copy, progress)
            if upload.size > UPLOAD_LIMIT:
                raise ValidationError(
                    f"path: {named} is larger than the {UPLOAD_LIMIT >> 30} GiB a server "
                    "takes; import it on the server's machine with the server stopped",
                    "path",
                )
            query = {"path": named, "copy_images": "true" if copy_images else "false"}
            answer = self._call("POST", "/api/imports/gif", query=query, upload=upload)
        return ImportReport.from_json(json.loads(answer))

    # -- runs --------------------------------------------------------------------------------

    def start(self, configuration_id: int | str, label: str | None = None) -> dict[str, Any]:
        """Queue a run of a configuration (name or id); returns the new job."""
        answer = self._json(
            "POST", "/api/runs", body={"configuration": str(configuration_id), "label": label}
        )
        return wire.record_from_json(answer)

    def stop(self, job_id: int, by: str = "user", reason: str | None = None) -> None:
        """Ask a running job to stop at its next checkpoint."""
        self._json("POST", f"/api/jobs/{_segment(job_id)}/stop", body={"reason": reason})

    def cancel(self, job_id: int) -> None:
        """Take a pending job off the queue."""
        self._json("POST", f"/api/jobs/{_segment(job_id)}/cancel")

    # -- where files live and who runs the queue (the server's) -------------------------------

    def status(self) -> dict[str, Any]:
        """The server's history now: version, has_runner, image_root, export_dir, the
        running job ids and the queue."""
        status = dict(self._json("GET", "/api/status"))
        self._facts = (time.monotonic(), dict(status))
        return status

    def _known(self, key: str) -> Any:
        """One of the server's settled facts, from a status at most FACTS_TTL_S old."""
        facts = self._facts
        if facts is None or time.monotonic() - facts[0] > FACTS_TTL_S:
            return self.status()[key]
        return facts[1][key]

    @property
    def image_root(self) -> Path:
        """The server's image folder (a client on the same machine reads its files)."""
        return Path(self._known("image_root"))

    @property
    def export_dir(self) -> Path:
        """The server's default folder for workbooks."""
        return Path(self._known("export_dir"))

    @property
    def has_runner(self) -> bool:
        """Whether the server runs the queue."""
        return bool(self._known("has_runner"))

    # -- analysis ----------------------------------------------------------------------------

    def _frame(self, name: str, **arguments: Any) -> pd.DataFrame:
        query = arguments.get("query")
        if isinstance(query, JobQuery):
            arguments["query"] = query.to_dict()
        elif query is not None:
            raise ValidationError("query: give a JobQuery", "query")
        return wire.frame_from_json(self._json("POST", f"/api/analysis/{name}", body=arguments))

    def signature_of(self, message: str | None) -> str:
        """The signature of one error message."""
        answer = self._json("POST", "/api/analysis/signature-of", body={"message": message})
        return str(answer["signature"])

    def error_signatures(
        self, query: JobQuery | None = None, *, limit: int = 50, examples: int = 3
    ) -> pd.DataFrame:
        """Jobs grouped by the signature of their error message, most frequent first."""
        return self._frame("error-signatures", query=query, limit=limit, examples=examples)

    def signature_daily_counts(
        self,
        signatures: list[str] | None = None,
        *,
        days: int = 30,
        end: dt.date | None = None,
        top: int = 10,
        query: JobQuery | None = None,
    ) -> pd.DataFrame:
        """Jobs per signature per day, zeros included."""
        return self._frame(
            "signature-daily-counts",
            signatures=signatures,
            days=days,
            end=end.isoformat() if end else None,
            top=top,
            query=query,
        )

    def failure_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Failed share of finished jobs per time bucket."""
        return self._frame("failure-rate", bucket=bucket, by=by, query=query)

    def qc_rejection_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Rejected share of judged images per time bucket."""
        return self._frame("qc-rejection-rate", bucket=bucket, by=by, query=query)

    def duration_percentiles(
        self, by: str | None = "configuration", query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Run time percentiles per status and configuration."""
        return self._frame("duration-percentiles", by=by, query=query)

    def qc_reasons(self, query: JobQuery | None = None) -> pd.DataFrame:
        """Lost and held images by cause."""
        return self._frame("qc-reasons", query=query)

    def sql(
        self,
        statement: str,
        params: Iterable[Any] = (),
        *,
        max_rows: int = 10_000,
        timeout_s: float = 30.0,
        format: str = "json",
    ) -> pd.DataFrame:
        """Your own read-only query over the server's history, as a DataFrame (one SELECT;
        more than ``max_rows`` rows or longer than ``timeout_s`` is a ValidationError).
        ``format="parquet"`` brings large answers as a Parquet file (a tenth of the bytes)."""
        body = {
            "statement": statement,
            "params": list(params),
            "max_rows": max_rows,
            "timeout_s": timeout_s,
            "format": format,
        }
        answer = self._call("POST", "/api/sql", body=body)
        if format == "parquet":
            return parquet.frame_from_parquet(answer)
        return wire.frame_from_json(json.loads(answer))

    # -- presets -----------------------------------------------------------------------------

    def presets(self) -> list[dict[str, Any]]:
        """Saved filter presets."""
        return [wire.record_from_json(p) for p in self._json("GET", "/api/presets")]

    def save_preset(self, name: str, query: JobQuery) -> None:
        """Save the filters of ``query`` under ``name``."""
        self._json("PUT", f"/api/presets/{_segment(name)}", body={"query": query.filters()})

    def apply_preset(self, name: str, base: JobQuery | None = None) -> JobQuery:
        """A query with the preset's filters (sort and page size kept from ``base``)."""
        found = next((p for p in self.presets() if p["name"] == name), None)
        if found is None:
            raise NotFound(f"No preset named {name!r}.")
        keep = (
            {}
            if base is None
            else {"sort": base.sort, "descending": base.descending, "page_size": base.page_size}
        )
        return JobQuery.from_dict({**keep, **found["query"], "page": 1})

    def delete_preset(self, name: str) -> None:
        """Delete a preset."""
        self._json("DELETE", f"/api/presets/{_segment(name)}")


def connect(url: str, token: str | None = None) -> JobClient:
    """A client of the jobdash server at ``url`` (its API token from the server's discovery
    file, or ``$JOBDASH_TOKEN``)."""
    return JobClient(url, token or os.environ.get("JOBDASH_TOKEN"))


def _params(query: JobQuery | None) -> dict[str, Any]:
    if query is None:
        return {}
    default = JobQuery().to_dict()
    out: dict[str, Any] = {}
    for name, value in query.to_dict().items():
        if value == default[name]:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[name] = value
    return out


def _target(target: IdsOrQuery) -> dict[str, Any]:
    if isinstance(target, JobQuery):
        return {"query": target.to_dict()}
    if isinstance(target, str | bytes | dict) or not isinstance(target, Iterable):
        raise ValidationError("ids: give a list of job ids or a JobQuery", "ids")
    return {"ids": list(target)}


def _segment(value: Any) -> str:
    return urllib.parse.quote(str(value), safe="")


def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(content)
    partial.replace(path)
    return path


def _error(exc: urllib.error.HTTPError) -> JobdashError:
    try:
        problem = json.loads(exc.read())
        detail, field = problem["detail"], problem.get("field")
    except (ValueError, KeyError, TypeError):
        detail, field = f"HTTP {exc.code} {exc.reason}", None
    kind = ERRORS.get(exc.code)
    if kind is ValidationError:
        return ValidationError(detail, field)
    return kind(detail) if kind is not None else RemoteError(f"HTTP {exc.code}: {detail}")


class _Upload:
    """A file sent as a request's body, read a block at a time each time it is sent (a
    retry sends it again), with ``progress("upload", sent, size)``."""

    BLOCK = 1 << 20

    def __init__(self, path: Path, progress: Progress | None):
        self.path = path
        self.size = path.stat().st_size
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        sent = 0
        with self.path.open("rb") as file:
            while block := file.read(self.BLOCK):
                yield block
                sent += len(block)
                if self.progress is not None:
                    self.progress("upload", sent, self.size)


def for_history(db_path: str | os.PathLike) -> JobClient | None:
    """The client of the ``jobdash serve`` holding the history at ``db_path`` (found by its
    discovery file), or None when no server holds it. When that server restarts (another
    port or token), the client finds it again at its next call."""
    from .discovery import find

    served = find(db_path)
    if served is None:
        return None
    client = JobClient(served.url, served.token, timeout=5.0)
    try:
        client.status()  # it answers, and takes this token (not another program on a reused pid)
    except JobdashError:
        return None
    client.timeout = 60.0
    client.history = Path(db_path)  # a restarted server is found again
    return client

"""Gen Image Factory's values in jobdash's terms: timestamps, job statuses, image QC,
labels, tags, settings, and the end of a job the desktop app never closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

JOB_STATUS = {
    "completed": "completed",
    "failed": "failed",
    "stopped": "stopped",
    "aborted": "stopped",  # a stop the engine noticed
}
INTERRUPTED = "interrupted: still running when imported"
"""The error of a job left ``running`` there (a crash of the desktop app): nothing runs it
here, so it failed."""

APPROVED = frozenset({"approved", "passed"})
QC_FAILED = frozenset({"qc_failed", "failed"})
PROCESSING_CODE = "processing_failed:"
"""How their ``qc_reason`` codes a technical failure: ``processing_failed:<stage>``."""

_EPOCH = dt.datetime(1970, 1, 1)
_MS_FROM = 10**11
"""Epoch numbers this large are milliseconds (10**11 seconds is the year 5138)."""


def parse_timestamp(value: Any) -> dt.datetime | None:
    """Epoch milliseconds (or seconds), ISO 8601 (``Z`` or an offset; none is UTC) or SQLite
    ``YYYY-MM-DD HH:MM:SS`` (UTC) -> naive UTC; None for nothing or what is none of these."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            value = int(text)
        else:
            try:
                parsed = dt.datetime.fromisoformat(text)
            except ValueError:
                return None
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
            return parsed
    if not isinstance(value, int | float):
        return None
    try:
        if abs(value) >= _MS_FROM:
            return _EPOCH + dt.timedelta(milliseconds=value)
        return _EPOCH + dt.timedelta(seconds=value)
    except (OverflowError, ValueError):
        return None


def job_status(raw: Any) -> tuple[str, str | None]:
    """Our status of one of their job statuses, and the error it adds: :data:`INTERRUPTED`
    for a job still running, a note for a status they never wrote (both fail)."""
    text = str(raw or "").strip().lower()
    if text in JOB_STATUS:
        return JOB_STATUS[text], None
    if text == "running":
        return "failed", INTERRUPTED
    return "failed", f"unknown status {raw!r} in Gen Image Factory"


def image_qc(raw: Any, reason: Any) -> str:
    """Our QC status of one of theirs (current and legacy) with its reason: approved, a
    technical failure (``retry_failed``, or a failure coded ``processing_failed:<stage>``),
    a QC failure, or, for what is still undecided (processing, retry_pending, pending...),
    needs_review."""
    text = str(raw or "").strip().lower()
    if text in APPROVED:
        return "approved"
    if text == "retry_failed":
        return "processing_failed"
    if text in QC_FAILED:
        coded = isinstance(reason, str) and reason.startswith(PROCESSING_CODE)
        return "processing_failed" if coded else "qc_failed"
    return "needs_review"


def label_of(label: Any, configuration_name: str | None, original_id: int) -> str:
    """The label the desktop app shows: its own, else its configuration's name, else
    ``Job <id>``."""
    if isinstance(label, str) and label.strip():
        return label.strip()
    return configuration_name or f"Job {original_id}"


def tag_list(tags: Any) -> Any:
    """Their tags (one comma-joined string) as a list; other values as they are."""
    if isinstance(tags, str):
        return [t.strip() for t in tags.split(",") if t.strip()]
    return tags


def parsed_json(text: Any) -> Any:
    """A JSON column's value parsed; text that is no JSON as ``{"unparsed": text}`` (kept,
    not lost); NULL as None."""
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return {"unparsed": text}


def to_settings(gif: Any) -> dict[str, Any]:
    """Our settings shape from their settings (keys already stripped): the original whole
    under ``gif``, and the fields jobdash reads (count, variations, format, model, width,
    height)."""
    gif = gif if isinstance(gif, dict) else {"value": gif}
    params = gif.get("parameters")
    params = params if isinstance(params, dict) else {}
    out: dict[str, Any] = {"source": "gen-image-factory", "gif": gif}
    for ours, theirs in (
        ("count", "count"),
        ("variations", "variations"),
        ("format", "runwareFormat"),
        ("model", "runwareModel"),
    ):
        if params.get(theirs) is not None:
            out[ours] = params[theirs]
    size = str(params.get("runwareDimensionsCsv") or "").split(",")[0].lower().split("x")
    if len(size) == 2 and all(s.strip().isdigit() for s in size):
        out["width"], out["height"] = int(size[0]), int(size[1])
    return out


def end_of(
    started: dt.datetime | None, completed: dt.datetime | None, last: dt.datetime | None
) -> dt.datetime | None:
    """When a finished job ended: its own end, else the time of its last image (``last``)
    if not before its start, else None (no duration: never one counted up to now)."""
    if completed is not None:
        return completed
    if last is None or (started is not None and last < started):
        return None
    return last


def digest(values: Iterable[Any]) -> int:
    """A stable 64-bit digest of values (to tell a changed row from an unchanged one)."""
    text = repr(tuple(values)).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


def as_json(value: Any) -> str | None:
    """JSON text of a value (None stays NULL)."""
    return None if value is None else _ENCODE(value)

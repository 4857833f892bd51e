"""JSON Schemas of the API's answers (the forms ``jobdash.wire`` writes) and of its errors
(RFC 9457 problem details)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..importers.report import ImportReport
from ..query import SEARCH_MAX, JobQuery
from ..records import Statistics

# A label or a name (the service's _clean_text): no control characters, not only spaces.
# (Half of a surrogate pair is refused too, which JSON Schema's regex cannot say.)
_PLAIN = "[^\\x00-\\x1f\\x7f-\\x9f]"
CLEAN_TEXT = f"^{_PLAIN}*[^\\s\\x00-\\x1f\\x7f-\\x9f]{_PLAIN}*$"
# A job id as the service reads it: 123 or JOB-000123, from 1 up.
JOB_ID: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 2**62},
        {"type": "string", "pattern": "^([Jj][Oo][Bb]-)?0*[1-9][0-9]{0,17}$"},
    ]
}


def text(max_length: int) -> dict[str, Any]:
    """A label or name of at most ``max_length`` characters (after trimming)."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": CLEAN_TEXT}


def from_param(schema: dict[str, Any]) -> dict[str, Any]:
    """A Parameter's JSON Schema (``param.schema()``) said plainly: a choice as an ``enum``
    (None among the values when allowed), an optional value as ``anyOf`` with null."""
    clean = {k: v for k, v in schema.items() if k not in ("title", "description")}
    if "enum" in clean:
        return {"enum": clean["enum"]}
    if "anyOf" in clean:
        options = [from_param(o) for o in clean["anyOf"]]
        enums = [o for o in options if "enum" in o]
        if enums:
            return {"enum": list(dict.fromkeys([*enums[0]["enum"], None]))}
        return {"anyOf": options}
    return clean


def job_query() -> dict[str, Any]:
    """JSON Schema of a JobQuery's fields (GET /api/jobs takes the same as parameters)."""
    raw = JobQuery.param.schema()
    properties = {name: from_param(raw[name]) for name in raw if name != "name"}
    for name in ("date_from", "date_to"):  # "" is no bound, as an empty form field sends
        properties[name] = {
            "anyOf": [{"type": "string", "format": "date"}, {"const": ""}, {"type": "null"}]
        }
    for name in ("search", "error_signature"):
        properties[name] = {"type": "string", "maxLength": SEARCH_MAX}
    return {"type": "object", "properties": properties, "additionalProperties": False}


FRAME: dict[str, Any] = {
    "type": "object",
    "description": "A table: column names, their pandas dtypes, and the rows.",
    "required": ["columns", "dtypes", "data"],
    "properties": {
        "columns": {"type": "array", "items": {"type": "string"}},
        "dtypes": {"type": "object", "additionalProperties": {"type": "string"}},
        "data": {"type": "array", "items": {"type": "array"}},
    },
}
RECORD: dict[str, Any] = {
    "type": "object",
    "description": "One row as an object; *_at values are ISO 8601 times.",
}
NULLABLE_RECORD: dict[str, Any] = {"anyOf": [RECORD, {"type": "null"}]}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}
COUNTS: dict[str, Any] = {
    "type": "object",
    "description": "Rows new here, rewritten because they changed there, left as they were.",
    "required": ["imported", "updated", "unchanged"],
    "properties": {"imported": COUNT, "updated": COUNT, "unchanged": COUNT},
}
FILE_COUNTS = [f.name for f in fields(ImportReport) if f.type == "int"]
"""The report's single counts (its type names as written: annotations are not evaluated)."""

SCHEMAS: dict[str, dict[str, Any]] = {
    "Frame": FRAME,
    "Record": RECORD,
    "Page": {
        "type": "object",
        "required": ["rows", "total", "page", "page_size", "pages"],
        "properties": {
            "rows": FRAME,
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "page_size": {"type": "integer"},
            "pages": {"type": "integer", "minimum": 1},
        },
    },
    "JobDetail": {
        "type": "object",
        "required": ["job", "configuration", "snapshot", "images", "events"],
        "properties": {
            "job": RECORD,
            "configuration": NULLABLE_RECORD,
            "snapshot": NULLABLE_RECORD,
            "images": FRAME,
            "events": FRAME,
            "images_total": {"type": "integer", "minimum": 0},
            "events_total": {"type": "integer", "minimum": 0},
        },
    },
    "Statistics": {
        "type": "object",
        "required": [f.name for f in fields(Statistics)],
    },
    "Deleted": {
        "type": "object",
        "description": "Each given id: deleted or not_found.",
        "additionalProperties": {"enum": ["deleted", "not_found"]},
    },
    "Ids": {"type": "array", "items": {"type": "integer"}},
    "ImportReport": {
        "type": "object",
        "description": "What an import did (jobdash import-gif prints it as its summary).",
        "required": [f.name for f in fields(ImportReport)],
        "properties": {
            "source": {"type": "string", "description": "The path the file was read from."},
            "configurations": COUNTS,
            "jobs": COUNTS,
            "images": COUNTS,
            **{name: COUNT for name in FILE_COUNTS},
            "job_ids": {
                "type": "object",
                "description": "Their job id -> ours, for every job of the file here.",
                "additionalProperties": {"type": "integer"},
            },
        },
    },
    "Status": {
        "type": "object",
        "required": ["version", "has_runner", "image_root", "export_dir", "running", "queue"],
        "properties": {
            "version": {"type": "integer"},
            "has_runner": {"type": "boolean"},
            "image_root": {"type": "string"},
            "export_dir": {"type": "string"},
            "running": {"type": "array", "items": {"type": "integer"}},
            "queue": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "Signature": {
        "type": "object",
        "required": ["signature"],
        "properties": {"signature": {"type": "string"}},
    },
    "Presets": {"type": "array", "items": RECORD},
    "Ok": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}},
    "Version": {
        "type": "object",
        "required": ["version", "feed_id"],
        "properties": {"version": {"type": "integer"}, "feed_id": {"type": "string"}},
    },
    "Changes": {
        "type": "object",
        "required": ["version", "feed_id", "changes"],
        "properties": {
            "version": {"type": "integer"},
            "feed_id": {"type": "string"},
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["seq", "kind", "job_ids", "at", "data"],
                    "properties": {
                        "seq": {"type": "integer"},
                        "kind": {"type": "string"},
                        "job_ids": {"type": "array", "items": {"type": "integer"}},
                        "at": {"type": "string", "description": "ISO 8601, UTC"},
                        "data": {"type": "object"},
                    },
                },
            },
        },
    },
}

PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; field names the offending input.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": ["string", "null"]},
    },
}

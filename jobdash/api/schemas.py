"""JSON Schemas of the API's answers (the forms ``jobdash.wire`` writes) and of its errors
(RFC 9457 problem details)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from ..records import Statistics

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
    "Changes": {
        "type": "object",
        "required": ["version", "changes"],
        "properties": {
            "version": {"type": "integer"},
            "changes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["seq", "kind", "job_ids", "at", "data"],
                    "properties": {
                        "seq": {"type": "integer"},
                        "kind": {"type": "string"},
                        "job_ids": {"type": "array", "items": {"type": "integer"}},
                        "at": {"type": "string", "format": "date-time"},
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

"""The OpenAPI 3.1 document of the HTTP API, made from the operation table: JobQuery's and the
bodies' Parameters give the request schemas (the same classes validate the requests), the
answers' schemas come from ``schemas``."""

from __future__ import annotations

from typing import Any

from ..importers.gif_source import PATH_MAX
from ..parquet import PARQUET
from ..query import JobQuery
from .routes import LISTS, OPERATIONS, QUERY_FIELDS, UPLOAD_LIMIT, Operation
from .schemas import JOB_ID, PROBLEM, SCHEMAS, job_query, text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PATH_PARAMETERS = {
    "job_id": ("A job id: 123 or JOB-000123", JOB_ID["anyOf"][1]),
    "name": ("A filter preset's name", text(100)),
    "image_id": ("An image's id", {"type": "string", "pattern": "^0*[1-9][0-9]{0,17}$"}),
}
DETAIL_PAGING = {
    "images_offset": "Skip this many images (oldest first).",
    "images_limit": "At most this many images (default: all; images_total says how many).",
    "events_after": "Only events after this event id (to follow a running job's timeline).",
    "events_limit": "At most this many events (default: all; events_total says how many).",
}
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp")
KIND = {
    "name": "kind",
    "in": "query",
    "required": False,
    "description": "file (default) or thumbnail.",
    "schema": {"enum": ["file", "thumbnail"]},
}
SINCE = {
    "name": "since",
    "in": "query",
    "required": False,
    "description": "Sequence number of the last change already seen.",
    "schema": {"type": "integer", "minimum": 0},
}
IMPORT_PARAMETERS = [
    {
        "name": "path",
        "in": "query",
        "required": True,
        "description": "The absolute path the file was read from: its name as a source "
        "(importing it again, sent or read where it lies, updates what it brought) and the "
        "folder its relative image paths are taken from, on the server's machine. The "
        "server never opens it.",
        "schema": {"type": "string", "minLength": 1, "maxLength": PATH_MAX},
    },
    {
        "name": "copy_images",
        "in": "query",
        "required": False,
        "description": "Copy the image files that exist into the image folder (default: "
        "use them where they are).",
        "schema": {"type": "boolean"},
    },
]
ERRORS = {
    "401": "No or a wrong token",
    "403": "A request from another site",
    "404": "No such job, configuration or preset",
    "409": "Not allowed in the job's state",
    "422": "A parameter or body field was refused; field names it",
}
TOO_LARGE = {"413": f"A file over {UPLOAD_LIMIT >> 30} GiB (uploads only)"}


def _query_parameters(operation: Operation) -> list[dict[str, Any]]:
    if "*" in operation.query:
        fields = job_query()["properties"]
        docs = JobQuery.param
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": " ".join((docs[name].doc or "").split()),
                "schema": _optional(fields[name]),
                **({"style": "form", "explode": True} if name in LISTS else {}),
            }
            for name in QUERY_FIELDS
        ]
    if operation.operation_id == "changes_since":
        return [SINCE]
    if operation.operation_id == "import_gif":
        return IMPORT_PARAMETERS
    if operation.operation_id == "image_of":
        return [KIND]
    if operation.operation_id == "get_by_id":
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "integer", "minimum": 1 if name.endswith("limit") else 0},
            }
            for name, text in DETAIL_PAGING.items()
        ]
    return []


def _optional(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: absent stands for null, so null is not a value."""
    if "enum" in schema:
        return {"enum": [v for v in schema["enum"] if v is not None]}
    if "anyOf" in schema:
        kept = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return kept[0] if len(kept) == 1 else {"anyOf": kept}
    return schema


def _operation(operation: Operation) -> dict[str, Any]:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": PATH_PARAMETERS[name][0],
            "schema": PATH_PARAMETERS[name][1],
        }
        for name in operation.parameters()
    ] + _query_parameters(operation)
    if operation.response == "xlsx":
        content = {XLSX: {"schema": {"type": "string", "format": "binary"}}}
    elif operation.response == "sql":
        content = {
            "application/json": {"schema": {"$ref": "#/components/schemas/Frame"}},
            PARQUET: {"schema": {"type": "string", "format": "binary"}},
        }
    elif operation.response == "image":
        binary = {"schema": {"type": "string", "format": "binary"}}
        content = {kind: binary for kind in IMAGE_TYPES}
    else:
        content = {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{operation.response}"}}
        }
    spec: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": list(operation.tags),
        "parameters": parameters,
        "responses": {
            str(operation.status): {"description": "Done", "content": content},
            **{
                code: {
                    "description": text,
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }
                    },
                }
                for code, text in {**ERRORS, **(TOO_LARGE if operation.upload else {})}.items()
            },
        },
    }
    if operation.upload:
        binary = {"schema": {"type": "string", "format": "binary"}}
        spec["requestBody"] = {
            "required": True,
            "description": f"The file itself, up to {UPLOAD_LIMIT >> 30} GiB.",
            "content": {kind: binary for kind in operation.upload},
        }
    if operation.body is not None:
        spec["requestBody"] = {
            "required": bool(operation.body.required or operation.body.one_of),
            "content": {"application/json": {"schema": operation.body.schema()}},
        }
    return spec


EVENTS: dict[str, Any] = {
    "operationId": "events",
    "summary": "The change feed as Server-Sent Events (id: sequence number; event: kind)",
    "tags": ["events"],
    "parameters": [
        {
            **SINCE,
            "description": "Start after this sequence number (default: now; a "
            "reconnecting browser's Last-Event-ID works too).",
        }
    ],
    "responses": {
        "200": {
            "description": "An endless stream; a resync event means changes were lost",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        "401": {"description": ERRORS["401"]},
        "422": {"description": ERRORS["422"]},
    },
}


def document(version: str) -> dict[str, Any]:
    """The OpenAPI document of this jobdash's API."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation)
    paths["/api/events"] = {"get": EVENTS}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jobdash",
            "version": version,
            "description": "The job history a jobdash server holds: list, inspect, rename, "
            "delete, rerun, export and run jobs; import Gen Image Factory histories. Every "
            "call needs Authorization: Bearer <token> (the token in the server's discovery "
            "file) or the page's login.",
        },
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, "Problem": PROBLEM, "JobQuery": job_query()},
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer"},
                "login": {"type": "http", "scheme": "basic"},
            },
        },
        "security": [{"token": []}, {"login": []}],
    }

"""The request bodies of the HTTP API as Parameterized classes: they validate a request (a
bad value is a ValidationError naming the field) and their Parameters are the request's
schema in the OpenAPI document (``schema()``), so the two never drift apart.

What a Parameter cannot say — a text's allowed characters, a field that must be given, one
of two fields — each class says in ``required``, ``one_of`` and ``constraints``; the
service enforces the same rules (``schemas`` holds the shared text patterns)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import param

from ..errors import ValidationError
from ..query import JobQuery
from ..vocab import BUCKETS, LABEL_MAX
from . import schemas


class Body(param.Parameterized):
    """Base of a JSON request body: unknown fields, missing required ones and wrong types
    are refused."""

    required: ClassVar[tuple[str, ...]] = ()
    one_of: ClassVar[tuple[str, ...]] = ()  # exactly one of these must be given
    constraints: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    def parse(cls, data: Any) -> Body:
        if not isinstance(data, dict):
            raise ValidationError("body: give a JSON object", "body")
        unknown = sorted(set(data) - set(cls.fields()))
        if unknown:
            raise ValidationError(f"{unknown[0]}: not a field of this request", unknown[0])
        missing = [f for f in cls.required if f not in data]
        if missing:
            raise ValidationError(f"{missing[0]}: required", missing[0])
        if cls.one_of and sum(data.get(f) is not None for f in cls.one_of) != 1:
            raise ValidationError(
                f"{cls.one_of[0]}: give exactly one of {', '.join(cls.one_of)}", cls.one_of[0]
            )
        integers = {n for n in cls.fields() if isinstance(cls.param[n], param.Integer)}
        data = {  # JSON's 2.0 is the whole number 2
            k: int(v) if k in integers and isinstance(v, float) and v.is_integer() else v
            for k, v in data.items()
        }
        try:
            return cls(**data)
        except ValueError as exc:  # param's own type and bounds checks
            field = next((f for f in data if f"{cls.__name__}.{f}" in str(exc)), "body")
            raise ValidationError(f"{field}: {exc}", field) from None

    @classmethod
    def fields(cls) -> list[str]:
        return [p for p in cls.param if p != "name"]

    @classmethod
    def schema(cls) -> dict[str, Any]:
        """JSON Schema of the body."""
        raw = cls.param.schema()
        properties = {
            name: {
                **schemas.from_param(raw[name]),
                **cls.constraints.get(name, {}),
                "description": cls.param[name].doc or "",
            }
            for name in cls.fields()
        }
        out: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
        }
        if cls.required:
            out["required"] = list(cls.required)
        if cls.one_of:
            out["oneOf"] = [{"required": [f]} for f in cls.one_of]
        return out


QUERY = {"$ref": "#/components/schemas/JobQuery"}


class Rename(Body):
    label = param.String(default="", doc="The job's new label (trimmed; 1-200 characters).")

    required = ("label",)
    constraints = {"label": schemas.text(LABEL_MAX)}


class Target(Body):
    """The jobs a bulk action applies to: ``ids``, or every job matching ``query``."""

    ids = param.List(default=None, allow_None=True, doc="Job ids (123 or JOB-000123).")
    query = param.Dict(
        default=None,
        allow_None=True,
        doc="A JobQuery's fields (as in GET /api/jobs): every job matching it.",
    )

    one_of = ("ids", "query")
    constraints = {
        "ids": {"type": "array", "minItems": 1, "items": schemas.JOB_ID},
        "query": QUERY,
    }

    def target(self) -> list[int] | JobQuery:
        return self.ids if self.ids is not None else JobQuery.from_dict(self.query or {})


class Export(Target):
    """The jobs to export, and whether the workbook has an Images sheet."""

    include_images = param.Boolean(
        default=None,
        allow_None=True,
        doc="Add the Images sheet; left out or null: as the server's export.include_images.",
    )


class Rows(Body):
    ids = param.List(default=[], doc="Job ids (123 or JOB-000123).")

    required = ("ids",)
    constraints = {"ids": {"type": "array", "items": schemas.JOB_ID}}


class Run(Body):
    configuration = param.String(default="", doc="Configuration name or id.")
    label = param.String(default=None, allow_None=True, doc="Label of the new job.")

    required = ("configuration",)
    constraints = {
        "configuration": schemas.text(LABEL_MAX),
        "label": {"anyOf": [schemas.text(LABEL_MAX), {"type": "null"}]},
    }


class Stop(Body):
    reason = param.String(default=None, allow_None=True, doc="Why (kept in the timeline).")

    constraints = {"reason": {"anyOf": [schemas.text(500), {"type": "null"}]}}


class Preset(Body):
    query = param.Dict(default={}, doc="The filters to keep (a JobQuery's fields).")

    required = ("query",)
    constraints = {"query": QUERY}


class Sql(Body):
    statement = param.String(default="", doc="One read-only query (a SELECT).")
    params = param.List(default=[], doc="Values of the query's ? placeholders.")
    max_rows = param.Integer(
        default=10_000, bounds=(1, 1_000_000), doc="More rows than this is refused."
    )
    timeout_s = param.Number(
        default=30.0, bounds=(0.1, 300.0), doc="A query running longer is stopped."
    )
    format = param.String(
        default="json", doc="json (a table object) or parquet (a Parquet file: large answers)."
    )

    required = ("statement",)
    constraints = {
        "statement": {"type": "string", "minLength": 1},
        "format": {"enum": ["json", "parquet"]},
        "params": {
            "type": "array",
            "items": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "number"},
                    {"type": "boolean"},
                    {"type": "null"},
                ]
            },
        },
    }


class Scoped(Body):
    """An analysis read over the jobs matching ``query`` (its filters; default: the
    method's own scope)."""

    query = param.Dict(default=None, allow_None=True, doc="A JobQuery's fields.")

    constraints = {"query": {"anyOf": [QUERY, {"type": "null"}]}}

    def scope(self) -> JobQuery | None:
        return None if self.query is None else JobQuery.from_dict(self.query)


class SignatureOf(Body):
    message = param.String(default=None, allow_None=True, doc="An error message.")

    required = ("message",)
    constraints = {"message": {"anyOf": [{"type": "string"}, {"type": "null"}]}}


class ErrorSignatures(Scoped):
    limit = param.Integer(default=50, doc="At most this many signatures (1-10,000).")
    examples = param.Integer(default=3, doc="Example job ids per signature (1-100).")

    constraints = {
        **Scoped.constraints,
        "limit": {"type": "integer", "minimum": 1, "maximum": 10_000},
        "examples": {"type": "integer", "minimum": 1, "maximum": 100},
    }


class SignatureDailyCounts(Scoped):
    signatures = param.List(default=None, allow_None=True, doc="These signatures, in order.")
    days = param.Integer(default=30, doc="How many days, up to ``end`` (1-366).")
    end = param.String(default=None, allow_None=True, doc="Last day, YYYY-MM-DD (default today).")
    top = param.Integer(default=10, doc="Without signatures: the most frequent (1-1,000).")

    constraints = {
        **Scoped.constraints,
        "signatures": {
            "anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "null"},
            ]
        },
        "days": {"type": "integer", "minimum": 1, "maximum": 366},
        "end": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        "top": {"type": "integer", "minimum": 1, "maximum": 1000},
    }

    def end_date(self) -> dt.date | None:
        if self.end is None:
            return None
        try:
            return dt.date.fromisoformat(self.end)
        except ValueError:
            raise ValidationError(f"end: {self.end!r} is not a date (YYYY-MM-DD)", "end") from None


class Grouped(Scoped):
    """A read grouped by ``by`` (the service checks the choices ``groups`` lists)."""

    by = param.String(default=None, allow_None=True, doc="How to group the rows.")

    groups: ClassVar[list[str | None]] = []

    @classmethod
    def schema(cls) -> dict[str, Any]:
        out = super().schema()
        out["properties"]["by"] = {"enum": cls.groups, "description": cls.param["by"].doc}
        return out


class FailureRate(Grouped):
    bucket = param.String(default="day", doc="Time bucket: hour, day or week.")

    groups = [None, "configuration", "version", "step"]
    constraints = {**Scoped.constraints, "bucket": {"enum": list(BUCKETS)}}


class QcRejectionRate(Grouped):
    bucket = param.String(default="day", doc="Time bucket: hour, day or week.")

    groups = [None, "configuration", "version", "stage"]
    constraints = {**Scoped.constraints, "bucket": {"enum": list(BUCKETS)}}


class Percentiles(Grouped):
    by = param.String(default="configuration", allow_None=True, doc="How to group the rows.")

    groups = ["configuration", "version", None]

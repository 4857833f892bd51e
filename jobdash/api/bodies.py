"""The request bodies of the HTTP API as Parameterized classes: they validate a request (a
bad value is a ValidationError naming the field) and their ``param.schema()`` is the
request's schema in the OpenAPI document, so the two never drift apart."""

from __future__ import annotations

from typing import Any

import param

from ..errors import ValidationError
from ..query import JobQuery


class Body(param.Parameterized):
    """Base of a JSON request body: unknown fields and wrong types are refused."""

    @classmethod
    def parse(cls, data: Any) -> Body:
        if not isinstance(data, dict):
            raise ValidationError("body: give a JSON object", "body")
        unknown = sorted(set(data) - set(cls.fields()))
        if unknown:
            raise ValidationError(f"{unknown[0]}: not a field of this request", unknown[0])
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
        properties = {k: v for k, v in cls.param.schema().items() if k in cls.fields()}
        for spec in properties.values():
            spec.pop("title", None)
        return {"type": "object", "properties": properties, "additionalProperties": False}


class Rename(Body):
    label = param.String(default="", doc="The job's new label (1-200 characters).")


class Target(Body):
    """The jobs a bulk action applies to: ``ids``, or every job matching ``query``."""

    ids = param.List(default=None, allow_None=True, doc="Job ids (123 or JOB-000123).")
    query = param.Dict(
        default=None,
        allow_None=True,
        doc="A JobQuery's fields (as in GET /api/jobs): every job matching it.",
    )

    def target(self) -> list[int] | JobQuery:
        if (self.ids is None) == (self.query is None):
            raise ValidationError("ids: give either ids or query", "ids")
        return self.ids if self.ids is not None else JobQuery.from_dict(self.query or {})


class Run(Body):
    configuration = param.String(default="", doc="Configuration name or id.")
    label = param.String(default=None, allow_None=True, doc="Label of the new job.")


class Stop(Body):
    reason = param.String(default=None, allow_None=True, doc="Why (kept in the timeline).")


class Preset(Body):
    query = param.Dict(default={}, doc="The filters to keep (a JobQuery's fields).")


class Sql(Body):
    statement = param.String(default="", doc="One read-only query (a SELECT).")
    params = param.List(default=[], doc="Values of the query's ? placeholders.")
    max_rows = param.Integer(
        default=10_000, bounds=(1, 1_000_000), doc="More rows than this is refused."
    )
    timeout_s = param.Number(
        default=30.0, bounds=(0.1, 300.0), doc="A query running longer is stopped."
    )


def _scope(data: dict[str, Any] | None) -> JobQuery | None:
    return None if data is None else JobQuery.from_dict(data)


class Scoped(Body):
    """An analysis read over the jobs matching ``query`` (its filters; default: the
    method's own scope)."""

    query = param.Dict(default=None, allow_None=True, doc="A JobQuery's fields.")

    def scope(self) -> JobQuery | None:
        return _scope(self.query)


class SignatureOf(Body):
    message = param.String(default=None, allow_None=True, doc="An error message.")


class ErrorSignatures(Scoped):
    limit = param.Integer(default=50, doc="At most this many signatures (1-10,000).")
    examples = param.Integer(default=3, doc="Example job ids per signature.")


class SignatureDailyCounts(Scoped):
    signatures = param.List(default=None, allow_None=True, doc="These signatures, in order.")
    days = param.Integer(default=30, doc="How many days, up to ``end``.")
    end = param.String(default=None, allow_None=True, doc="Last day (YYYY-MM-DD; default today).")
    top = param.Integer(default=10, doc="Without signatures: the most frequent ones.")


class Rate(Scoped):
    bucket = param.String(default="day", doc="hour, day or week.")
    by = param.String(default=None, allow_None=True, doc="Group by: configuration, version...")


class Percentiles(Scoped):
    by = param.String(default="configuration", allow_None=True, doc="configuration, version.")

"""JobQuery: the filter / sort / page state of a job listing, as pure Parameterized state."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import param

from .errors import ValidationError
from .text import storable
from .vocab import JOB_STATUSES, PAGE_SIZES, QC_STATUSES, SORT_KEYS

SEARCH_MAX = 500
DESCENDING_WORDS = ("1", "true", "yes", "desc")
ASCENDING_WORDS = ("0", "false", "no", "asc")
"""How ``descending`` may be given as text (a URL, a form); any other word is refused."""
FILTER_FIELDS = (
    "statuses",
    "date_from",
    "date_to",
    "configuration_ids",
    "search",
    "image_qc",
    "error_signature",
)


def _to_date(field: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            pass
    raise ValidationError(f"{field}: {value!r} is not a date (use YYYY-MM-DD)", field)


class JobQuery(param.Parameterized):
    """Which jobs to list and how: filters, sort and page. Holds no widgets and no SQL."""

    statuses = param.ListSelector(
        default=[],
        objects=list(JOB_STATUSES),
        doc="""
        Job statuses to include; empty means every status.""",
    )

    date_from = param.CalendarDate(
        default=None,
        allow_None=True,
        doc="""
        First day (inclusive) of the run date; empty means no lower bound.""",
    )

    date_to = param.CalendarDate(
        default=None,
        allow_None=True,
        doc="""
        Last day (inclusive) of the run date; empty means up to now.""",
    )

    configuration_ids = param.List(
        default=[],
        item_type=int,
        doc="""
        Configuration ids to include; empty means every configuration.""",
    )

    search = param.String(
        default="",
        doc="""
        Case-insensitive text matched literally against the job id (123, JOB-000123,
        job-123), label, configuration name and error message.""",
    )

    image_qc: param.Selector[str | None] = param.Selector(
        default=None,
        objects=[None, *QC_STATUSES],
        allow_None=True,
        doc="""
        Only jobs having at least one image with this QC status.""",
    )

    error_signature = param.String(
        default="",
        doc="""
        Only jobs whose error message normalises to this signature (numbers, ids, paths,
        URLs, times and quoted values replaced by placeholders, as listed by
        ``jobdash.analysis.error_signatures``); empty means any.""",
    )

    sort: param.Selector[str] = param.Selector(
        default="started_at",
        objects=list(SORT_KEYS),
        doc="""
        Column the listing is sorted by.""",
    )

    descending = param.Boolean(
        default=True,
        doc="""
        Sort from the largest value down.""",
    )

    page = param.Integer(
        default=1,
        bounds=(1, None),
        doc="""
        One-based page number.""",
    )

    page_size: param.Selector[int] = param.Selector(
        default=25,
        objects=list(PAGE_SIZES),
        doc="""
        Rows per page.""",
    )

    def __init__(self, **params: Any):
        unknown = sorted(set(params) - set(self.param) - {"name"})
        if unknown:
            raise ValidationError(f"{unknown[0]}: not a JobQuery field", unknown[0])
        params = {k: self._coerce(k, v) for k, v in params.items()}
        try:
            super().__init__(**params)
        except ValueError as exc:
            field = _field_in(str(exc))
            raise ValidationError(f"{field}: {exc}" if field else str(exc), field) from exc
        self.validate()

    @staticmethod
    def _coerce(field: str, value: Any) -> Any:
        if field in ("date_from", "date_to"):
            return _to_date(field, value)
        if field == "statuses" and isinstance(value, str):
            return [value]
        if field == "configuration_ids":
            if isinstance(value, str | bytes | dict) or not isinstance(value, list | tuple):
                raise ValidationError(f"configuration_ids: {value!r} is not a list of ids", field)
            return [_whole(field, v) for v in value]
        if field in ("page", "page_size"):
            return _whole(field, value)
        if field == "descending" and isinstance(value, str):
            word = value.strip().lower()
            if word not in DESCENDING_WORDS + ASCENDING_WORDS:
                raise ValidationError(
                    f"descending: {value!r} is not one of "
                    + ", ".join(DESCENDING_WORDS + ASCENDING_WORDS),
                    field,
                )
            return word in DESCENDING_WORDS
        if field == "image_qc" and value == "":
            return None
        return value

    def validate(self) -> None:
        """Check constraints across fields; raises ValidationError naming the field."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError(
                f"date_from: {self.date_from} is after date_to {self.date_to}", "date_from"
            )
        for field in ("search", "error_signature"):
            if len(getattr(self, field)) > SEARCH_MAX:
                raise ValidationError(f"{field}: longer than {SEARCH_MAX} characters", field)
            storable(field, getattr(self, field))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict of every field (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for name in self.param:
            if name == "name":
                continue
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = list(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobQuery:
        """Inverse of :meth:`to_dict`; bad values raise ValidationError naming the field."""
        return cls(**dict(data))

    def copy(self, **changes: Any) -> JobQuery:
        """A new query with some fields changed."""
        return self.from_dict({**self.to_dict(), **changes})

    @property
    def active_filters(self) -> int:
        """How many filters (not sort or page) differ from their defaults."""
        return sum(1 for f in FILTER_FIELDS if getattr(self, f) not in (None, "", []))

    def filters(self) -> dict[str, Any]:
        """Only the filter fields (what presets keep)."""
        return {k: v for k, v in self.to_dict().items() if k in FILTER_FIELDS}


def _whole(field: str, value: Any) -> int:
    """A whole number given as one, as an integral float (JSON's 2.0) or as digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValidationError(f"{field}: {value!r} is not a whole number", field)


def _field_in(message: str) -> str | None:
    match = re.search(r"JobQuery\.(\w+)", message)
    return match.group(1) if match else None

"""State of the Single Job View, testable without a browser: the job shown (:class:`JobView`,
the view's only reader of the backend), the settings diff, the gallery's QC filter and sort,
the timeline's steps and the log's filter and text."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import param

from jobdash.contract import JobBackend
from jobdash.errors import NotFound
from jobdash.records import JobDetail

# Gallery filter choices: label -> the QC statuses it shows (None: every image).
QC_FILTERS: dict[str, tuple[str, ...] | None] = {
    "All": None,
    "Approved": ("approved",),
    "Needs review": ("needs_review",),
    "QC failed": ("qc_failed",),
    "Processing failed": ("processing_failed",),
}

# Gallery sort choices: label -> (column, descending).
IMAGE_SORTS: dict[str, tuple[str, bool]] = {
    "Newest first": ("created_at", True),
    "Oldest first": ("created_at", False),
    "Best quality first": ("quality_score", True),
    "Lowest quality first": ("quality_score", False),
}

LOG_LEVELS: tuple[str, ...] = ("info", "warn", "error", "debug")
_LEVEL_RANK = {"debug": 0, "info": 1, "warn": 2, "error": 3}


@dataclass(frozen=True)
class SettingDiff:
    """One setting as run beside its current value in the configuration."""

    key: str
    as_run: Any
    current: Any

    @property
    def changed(self) -> bool:
        """Whether the configuration changed this setting since the run."""
        return self.as_run != self.current


@dataclass(frozen=True)
class Step:
    """One step of the timeline: consecutive events of one step (and one image)."""

    step: str
    image: int | None
    start: dt.datetime
    duration_s: float
    level: str
    events: int
    error: str | None


def flatten(settings: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """``{"qc": {"min_score": 0.5}}`` -> ``{"qc.min_score": 0.5}``; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in (settings or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def settings_diff(
    as_run: dict[str, Any] | None, current: dict[str, Any] | None
) -> list[SettingDiff]:
    """Every setting of either side, sorted by key; a missing side is None."""
    run, now = flatten(as_run), flatten(current)
    return [SettingDiff(key, run.get(key), now.get(key)) for key in sorted(run.keys() | now.keys())]


def setting_text(value: Any) -> str:
    """A setting as short text: ``—`` when absent, lists comma-joined, JSON otherwise."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "[]"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def gallery_images(
    images: pd.DataFrame, qc_filter: str = "All", sort: str = "Newest first"
) -> pd.DataFrame:
    """The job's images shown under a QC filter and a sort (images without a quality
    score go last); ties keep image order."""
    if qc_filter not in QC_FILTERS:
        raise ValueError(f"unknown QC filter {qc_filter!r}")
    if sort not in IMAGE_SORTS:
        raise ValueError(f"unknown image sort {sort!r}")
    statuses = QC_FILTERS[qc_filter]
    shown = images if statuses is None else images[images["qc_status"].isin(statuses)]
    column, descending = IMAGE_SORTS[sort]
    return shown.sort_values(
        [column, "id"], ascending=[not descending, True], na_position="last", kind="stable"
    )


def qc_counts(images: pd.DataFrame) -> dict[str, int]:
    """How many images each gallery filter shows."""
    status = images["qc_status"]
    return {
        label: len(images) if statuses is None else int(status.isin(statuses).sum())
        for label, statuses in QC_FILTERS.items()
    }


def image_metadata(value: Any) -> dict[str, Any]:
    """An image's metadata column (JSON text or dict) as a dict."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return {}
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(value)


def _event_image(data: Any) -> int | None:
    """The image index an event's data names (``{"index": 3, ...}``), or None."""
    if not isinstance(data, str) or '"index"' not in data:
        return None
    index = json.loads(data).get("index") if data.startswith("{") else None
    return int(index) if isinstance(index, int | float) else None


def timeline_steps(events: pd.DataFrame, now: dt.datetime | None = None) -> list[Step]:
    """Consecutive events of the same step and image form one step; a step lasts until the
    next one starts (the last one until ``now`` when given, else until its last event).
    A step's level is its worst event's level; its error is that error's message."""
    steps: list[Step] = []
    columns = (
        events["at"].dt.to_pydatetime().tolist(),
        events["level"].tolist(),
        events["step"].tolist(),
        events["message"].tolist(),
        [_event_image(d) for d in events["data"].tolist()],
    )
    current: dict[str, Any] | None = None

    def close(end: dt.datetime) -> None:
        steps.append(
            Step(
                current["step"],
                current["image"],
                current["start"],
                max((end - current["start"]).total_seconds(), 0.0),
                current["level"],
                current["events"],
                current["error"],
            )
        )

    for at, level, step, message, image in zip(*columns, strict=True):
        key = (step if isinstance(step, str) else "job", image)
        if current is None or key != (current["step"], current["image"]):
            if current is not None:
                close(at)
            current = {
                "step": key[0],
                "image": image,
                "start": at,
                "level": level,
                "events": 0,
                "error": None,
                "last": at,
            }
        current["events"] += 1
        current["last"] = at
        if _LEVEL_RANK.get(level, 1) > _LEVEL_RANK.get(current["level"], 1):
            current["level"] = level
        if level == "error" and current["error"] is None:
            current["error"] = message
    if current is not None:
        close(now if now is not None else current["last"])
    return steps


def filter_log(
    events: pd.DataFrame, levels: list[str] | tuple[str, ...] = LOG_LEVELS, search: str = ""
) -> pd.DataFrame:
    """Events at the given levels whose message or step contains ``search`` (any case)."""
    shown = events[events["level"].isin(list(levels))]
    term = search.strip().lower()
    if term:
        text = shown["message"].str.lower() + " " + shown["step"].fillna("").str.lower()
        shown = shown[text.str.contains(term, regex=False)]
    return shown


def log_line(at: Any, level: str, step: Any, sub_step: Any, message: str) -> str:
    """``2026-11-01 09:00:01.250 INFO  generate/prompt  Image 1/4: ...``"""
    where = "/".join(str(s) for s in (step, sub_step) if s is not None and not pd.isna(s))
    stamp = pd.Timestamp(at).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return f"{stamp} {level.upper():<5} {where or '-'}  {message}"


def shown_paths(text: str, root: Path) -> str:
    """``text`` with every absolute path under the image root shown from the root's folder
    (``/srv/jobdash/images/12/a.png`` -> ``images/12/a.png``): the server's own layout
    is not the reader's concern."""
    base = str(root).rstrip("/\\")
    if not base or not root.name:
        return text
    return re.sub(re.escape(base) + r"(?![\w.-])", lambda _: root.name, text)


def log_text(events: pd.DataFrame) -> str:
    """The log as plain text, one line per event."""
    rows = events[["at", "level", "step", "sub_step", "message"]].itertuples(index=False)
    return "".join(log_line(*row) + "\n" for row in rows)


class JobView(param.Parameterized):
    """The job the Single Job View shows, read through the backend: the only part of the view
    that calls it."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        Where the job is read from (a :class:`jobdash.contract.JobBackend`).""",
    )

    job_id = param.Integer(
        default=None,
        allow_None=True,
        constant=True,
        doc="""
        The job last loaded, or None (set by :meth:`load`).""",
    )

    detail = param.ClassSelector(
        class_=JobDetail,
        default=None,
        allow_None=True,
        constant=True,
        doc="""
        What was read of the job (None when nothing is shown or the job is gone).""",
    )

    parent_known = param.Boolean(
        default=False,
        constant=True,
        doc="""
        Whether the job is a rerun whose parent still exists (it can be opened).""",
    )

    missing = param.String(
        default="",
        constant=True,
        doc="""
        Why the job cannot be shown (it does not exist); empty otherwise.""",
    )

    def __init__(self, service: JobBackend, **params: Any):
        super().__init__(service=service, **params)

    @property
    def image_root(self) -> Path:
        """Folder the job's image paths are relative to."""
        return self.service.image_root

    def load(self, job_id: int | None) -> None:
        """Read ``job_id`` (again, when it is already loaded); None shows nothing."""
        detail, known, missing = None, False, ""
        if job_id is not None:
            try:
                detail = self.service.get_by_id(job_id)
            except NotFound as exc:
                missing = str(exc)
            else:
                parent = detail.job.get("rerun_of")
                known = parent is not None and not self.service.jobs([parent]).empty
        with param.edit_constant(self):
            self.param.update(job_id=job_id, detail=detail, parent_known=known, missing=missing)

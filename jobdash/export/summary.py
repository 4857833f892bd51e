"""The Summary sheet of an export, as a manager would forward it.

:class:`Summary` is what the writer lays out: a title, a line under it and sections of
lines (label, value, and a share or a note beside the value). :func:`job_summary` fills it
for an export of job history: where it came from and when (UTC), the selection in words,
jobs per status with their shares, the success and failure rates of finished jobs, the
image totals and the run times. Every figure is read from the exported rows themselves, so
the Summary always agrees with the Jobs sheet.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jobdash.vocab import JOB_STATUS_LABELS, JOB_STATUSES, QC_STATUS_LABELS, format_job_id

from .formats import COUNT_FORMAT, DURATION_FORMAT, PERCENT_FORMAT, UTC_DATETIME_FORMAT

IDS_SHOWN = 50  # a selection of more jobs names the first ones and counts the rest
FINISHED = ("completed", "failed", "stopped")


@dataclass(frozen=True)
class Line:
    """One row of a section: ``label``, ``value`` (shown with ``number_format`` when given),
    ``share`` (a fraction, shown as a percentage) and a ``note`` after them. A text value
    runs on over the cells beside it, so a line with a text value has no share or note."""

    label: str
    value: Any = None
    number_format: str | None = None
    share: float | None = None
    note: str = ""
    strong: bool = False


@dataclass(frozen=True)
class Section:
    """A titled group of lines; with ``columns``, a small table headed by them."""

    title: str
    lines: tuple[Line, ...]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """What the Summary sheet shows: a title, a line under it, then the sections."""

    title: str
    sections: tuple[Section, ...]
    subtitle: str = ""

    @classmethod
    def of(cls, items: Mapping[str, Any], title: str = "jobdash export") -> Summary:
        """Plain label → value pairs, as one untitled section."""
        return cls(title, (Section("", tuple(Line(str(k), v) for k, v in items.items())),))


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _either(words: Sequence[str]) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _configuration_names(configurations: pd.DataFrame | None) -> dict[int, str]:
    """Configuration id → "Hero banners v3", from rows of id, name and version."""
    if configurations is None:
        return {}
    rows = configurations.loc[:, ["id", "name", "version"]]
    return {int(cid): f"{name} v{version}" for cid, name, version in rows.itertuples(index=False)}


def selection_lines(
    selection: Mapping[str, Any] | Sequence[int], configurations: Mapping[int, str]
) -> tuple[Line, ...]:
    """The jobs asked for, in words: a list of job ids, or one line per active filter of a
    ``JobQuery.filters()`` dict (configurations named from ``configurations``)."""
    if not isinstance(selection, Mapping):
        ids = [format_job_id(i) for i in selection]
        shown = ", ".join(ids[:IDS_SHOWN])
        more = len(ids) - IDS_SHOWN
        return (Line("Chosen jobs", shown + (f" and {more:,} more" if more > 0 else "")),)
    lines = []
    statuses = selection.get("statuses") or []
    if statuses:
        lines.append(Line("Status", _either([JOB_STATUS_LABELS.get(s, s) for s in statuses])))
    first, last = selection.get("date_from"), selection.get("date_to")
    if first or last:
        if first and last:
            days = f"{first} to {last}, both days included"
        else:
            days = f"{first} or later" if first else f"{last} or earlier"
        lines.append(Line("Run date", f"{days} (UTC)"))
    config_ids = selection.get("configuration_ids") or []
    if config_ids:
        names = [configurations.get(i, f"configuration {i}") for i in config_ids]
        lines.append(Line("Configuration", _either(names)))
    if selection.get("search"):
        lines.append(
            Line(
                "Search",
                f"“{selection['search']}” in the job id, label, configuration or error message",
            )
        )
    qc = selection.get("image_qc")
    if qc:
        lines.append(Line("Images", f"At least one image “{QC_STATUS_LABELS.get(qc, qc)}”"))
    if selection.get("error_signature"):
        lines.append(
            Line(
                "Error",
                f"Like “{selection['error_signature']}” (numbers, ids, paths and quoted "
                "values may differ)",
            )
        )
    return tuple(lines) or (Line("Jobs", "All jobs (no filters)"),)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _status_section(counts: Mapping[str, int], total: int) -> Section:
    lines = [
        Line(JOB_STATUS_LABELS[s], counts.get(s, 0), COUNT_FORMAT, _rate(counts.get(s, 0), total))
        for s in JOB_STATUSES
    ]
    lines.append(Line("Total", total, COUNT_FORMAT, 1.0 if total else None, strong=True))
    return Section("Jobs by status", tuple(lines), ("Status", "Jobs", "Share"))


def _rates_section(counts: Mapping[str, int]) -> Section:
    finished = sum(counts.get(s, 0) for s in FINISHED)
    if not finished:
        return Section("Finished jobs", (Line("Success rate", note="no finished jobs"),))

    def rate(label: str, status: str, verb: str) -> Line:
        n = counts.get(status, 0)
        return Line(
            label,
            n / finished,
            PERCENT_FORMAT,
            note=f"{n:,} of {_count(finished, 'finished job')} {verb}",
        )

    return Section(
        "Finished jobs",
        (
            rate("Success rate", "completed", "completed"),
            rate("Failure rate", "failed", "failed"),
            rate("Stopped", "stopped", "stopped"),
        ),
    )


def _sum(jobs: pd.DataFrame, column: str) -> int:
    return int(jobs[column].fillna(0).sum()) if column in jobs else 0


def _images_section(jobs: pd.DataFrame) -> Section:
    """Image totals as the page's statistics count them: processing failures are the
    failed images that QC did not reject."""
    total = _sum(jobs, "total_images")
    approved = _sum(jobs, "approved_images")
    qc_failed = _sum(jobs, "qc_failed_images")
    processing = _sum(jobs, "failed_images") - qc_failed
    parts = (
        ("approved", approved),
        ("qc_failed", qc_failed),
        ("processing_failed", processing),
    )
    lines = [Line("Produced", total, COUNT_FORMAT, 1.0 if total else None, strong=True)]
    lines += [Line(QC_STATUS_LABELS[code], n, COUNT_FORMAT, _rate(n, total)) for code, n in parts]
    rest = total - approved - qc_failed - processing
    if rest:
        lines.append(Line("Needs review or pending", rest, COUNT_FORMAT, _rate(rest, total)))
    return Section("Images", tuple(lines), ("Outcome", "Images", "Share"))


def _run_time_section(jobs: pd.DataFrame) -> Section:
    seconds = jobs["duration_s"].dropna() if "duration_s" in jobs else pd.Series([], dtype=float)
    if seconds.empty:
        return Section("Run time", (Line("Total", note="no job has a run time"),))

    def span(value: float) -> dt.timedelta:
        return dt.timedelta(seconds=math.floor(value))

    longest = seconds.idxmax()
    longest_id = jobs.loc[longest, "id"] if "id" in jobs else None
    return Section(
        "Run time",
        (
            Line(
                "Total",
                span(seconds.sum()),
                DURATION_FORMAT,
                note=f"of {_count(len(seconds), 'job')} with a run time",
            ),
            Line("Average", span(seconds.mean()), DURATION_FORMAT),
            Line(
                "Longest",
                span(seconds.max()),
                DURATION_FORMAT,
                note=format_job_id(longest_id) if longest_id is not None else "",
            ),
        ),
    )


def job_summary(
    jobs: pd.DataFrame,
    selection: Mapping[str, Any] | Sequence[int],
    *,
    history: str | Path,
    exported_at: dt.datetime,
    images: pd.DataFrame | None,
    configurations: pd.DataFrame | None = None,
) -> Summary:
    """The Summary of an export of ``jobs`` (listing rows, ``JobService.jobs``), chosen by
    ``selection`` (job ids, or a ``JobQuery.filters()`` dict) from the history at
    ``history``, exported at ``exported_at`` (UTC), with the Images sheet when ``images``
    is given. ``configurations`` (id, name, version: ``JobService.configurations``) names
    the configurations a filter chose."""
    total = len(jobs)
    counts = (
        {str(k): int(v) for k, v in jobs["status"].value_counts().items()}
        if "status" in jobs
        else {}
    )
    history = Path(history)
    when = exported_at.astimezone(dt.UTC) if exported_at.tzinfo else exported_at
    when = when.replace(tzinfo=None, microsecond=0)
    sheets = (
        f"Summary, Jobs and Images ({_count(len(images), 'image')})"
        if images is not None
        else "Summary and Jobs (images left out)"
    )
    about = Section(
        "Export",
        (
            Line("Exported at", when, UTC_DATETIME_FORMAT),
            Line("History", str(history)),
            Line("Jobs", total, COUNT_FORMAT),
            Line("Sheets", sheets),
            Line("Times", "All dates and times are UTC"),
        ),
    )
    return Summary(
        "Job history export",
        (
            about,
            Section("Selection", selection_lines(selection, _configuration_names(configurations))),
            _status_section(counts, total),
            _rates_section(counts),
            _images_section(jobs),
            _run_time_section(jobs),
        ),
        subtitle=(
            f"{_count(total, 'job')} from {history.name}, exported {when:%Y-%m-%d %H:%M} UTC"
        ),
    )

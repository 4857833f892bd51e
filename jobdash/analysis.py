"""Failure analysis for notebooks and the page: why jobs and images fail, and since when.

Functions over a backend (:class:`jobdash.contract.JobBackend`: the JobService, or a client
of a served history). Every aggregation is one of the backend's analysis reads, run in
DuckDB and returned as a small pandas DataFrame; this module adds the queries that select
the jobs behind a row and Bokeh figures drawn from the tables.

    from jobdash import analysis
    sigs = analysis.error_signatures(svc)                      # failed jobs by cause
    svc.bulk_rerun(analysis.signature_query(sigs.signature[0]))  # rerun one cause's jobs
    analysis.failure_rate(svc, bucket="week", by="configuration")

The scope of each function is a JobQuery's filters (sort and page are ignored). Signature
functions default to the failed jobs; the others to every job.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, NumeralTickFormatter
from bokeh.plotting import figure

from .contract import JobBackend
from .errors import ValidationError
from .query import JobQuery
from .scope import failed_jobs, scope, whole_number
from .tokens import COLORS, FONT
from .vocab import BUCKETS, QC_VERDICT, TECHNICAL, check_bucket

__all__ = [
    "BUCKETS",
    "QC_VERDICT",
    "TECHNICAL",
    "bucket_query",
    "duration_percentiles",
    "error_signatures",
    "failure_rate",
    "failure_trend_figure",
    "qc_reasons",
    "qc_reasons_figure",
    "qc_rejection_rate",
    "signature_bar_figure",
    "signature_daily_counts",
    "signature_of",
    "signature_query",
    "signature_text",
    "signature_trend_figure",
    "styled",
]

PRIMARY, SUCCESS, WARNING, ERROR, NEUTRAL, ACCENT = (
    COLORS[k] for k in ("primary", "success", "warning", "error", "neutral", "accent")
)
PALETTE = (PRIMARY, ERROR, WARNING, SUCCESS, ACCENT, NEUTRAL)
# How the QC reasons chart names and colours each status.
QC_STYLE = {
    "processing_failed": ("Processing failed", WARNING),
    "qc_failed": ("QC failed", ERROR),
    "needs_review": ("Needs review", NEUTRAL),
}
DASHES = ("solid", "dashed", "dotted")
LABEL_CHARS = 60


# -- the backend's analysis reads -----------------------------------------------------------
# Each is the backend method of the same name (same arguments, same defaults: a test holds
# them equal); its docstring there says what the table holds.


def signature_of(service: JobBackend, message: str | None) -> str:
    """The signature of one error message (:meth:`JobService.signature_of`)."""
    return service.signature_of(message)


# How a signature reads: each placeholder of jobdash.store.signature's rules, and the stage
# of a ``processing_failed:<stage>:`` code (the runner's qc_reason), in words.
PLACEHOLDER = re.compile(r"<(?:n|hex|uuid|id|time|path|url|email)>")
QUOTED_PLACEHOLDER = "<str>"
PROCESSING_CODE = re.compile(r"^processing_failed:(\w+):\s*")
STAGE_WORDS = {
    "generate": "generation",
    "download": "download",
    "remove_bg": "background removal",
    "trim": "trimming",
    "enhance": "enhancement",
    "convert": "conversion",
    "save_final": "saving the final image",
    "metadata": "metadata",
}


def signature_text(signature: str) -> str:
    """A signature as a sentence for people: placeholders read ``…`` (a quoted one
    ``“…”``) and the runner's ``processing_failed:<stage>:`` code reads ``Image processing
    failed at <stage>:``. The signature itself stays the key of queries
    (:func:`signature_query`); this is only how it is shown.

    >>> signature_text("processing_failed:save_final: could not write <path>: [Errno <n>]")
    'Image processing failed at saving the final image: could not write …: [Errno …]'
    """
    text = PLACEHOLDER.sub("…", signature.replace(QUOTED_PLACEHOLDER, "“…”"))
    code = PROCESSING_CODE.match(text)
    if code:
        stage = STAGE_WORDS.get(code[1], code[1].replace("_", " "))
        text = f"Image processing failed at {stage}: {text[code.end() :]}"
    return text[:1].upper() + text[1:]


def error_signatures(
    service: JobBackend, query: JobQuery | None = None, *, limit: int = 50, examples: int = 3
) -> pd.DataFrame:
    """Jobs grouped by error signature, most frequent first (:meth:`JobService.error_signatures`).
    Turn a row into the jobs behind it with :func:`signature_query`."""
    return service.error_signatures(query, limit=limit, examples=examples)


def signature_daily_counts(
    service: JobBackend,
    signatures: list[str] | None = None,
    *,
    days: int = 30,
    end: dt.date | None = None,
    top: int = 10,
    query: JobQuery | None = None,
) -> pd.DataFrame:
    """Jobs per signature per day, zeros included (:meth:`JobService.signature_daily_counts`);
    draw it with :func:`signature_trend_figure`."""
    return service.signature_daily_counts(signatures, days=days, end=end, top=top, query=query)


def failure_rate(
    service: JobBackend, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
) -> pd.DataFrame:
    """Failed share of finished jobs per time bucket (:meth:`JobService.failure_rate`); draw
    it with :func:`failure_trend_figure`, select a bucket's jobs with :func:`bucket_query`."""
    return service.failure_rate(bucket, by, query)


def qc_rejection_rate(
    service: JobBackend, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
) -> pd.DataFrame:
    """Rejected share of judged images per time bucket (:meth:`JobService.qc_rejection_rate`);
    draw it with :func:`failure_trend_figure`."""
    return service.qc_rejection_rate(bucket, by, query)


def duration_percentiles(
    service: JobBackend, by: str | None = "configuration", query: JobQuery | None = None
) -> pd.DataFrame:
    """Run time percentiles per status and configuration
    (:meth:`JobService.duration_percentiles`)."""
    return service.duration_percentiles(by, query)


def qc_reasons(service: JobBackend, query: JobQuery | None = None) -> pd.DataFrame:
    """Lost and held images by cause (:meth:`JobService.qc_reasons`); draw it with
    :func:`qc_reasons_figure`."""
    return service.qc_reasons(query)


# -- the jobs behind a row ------------------------------------------------------------------


def signature_query(signature: str, base: JobQuery | None = None) -> JobQuery:
    """The jobs of one signature within ``base`` (default: failed jobs), from page 1.

    ``service.bulk_rerun(signature_query(sig))`` reruns everything that failed that way."""
    if not isinstance(signature, str) or not signature.strip():
        raise ValidationError(
            "error_signature: give a signature from error_signatures()", "error_signature"
        )
    return scope(base, failed_jobs()).copy(error_signature=signature, page=1)


def bucket_query(start: Any, bucket: str = "day", base: JobQuery | None = None) -> JobQuery:
    """The jobs run in the day or ISO week (Monday to Sunday) holding ``start``, within
    ``base`` (default: failed jobs), from page 1.

    JobQuery filters whole days, so an ``"hour"`` bucket is refused rather than widened."""
    check_bucket(bucket)
    if bucket == "hour":
        raise ValidationError(
            "bucket: JobQuery filters whole days, so an hour cannot be "
            "selected exactly; use the day or week bucket",
            "bucket",
        )
    try:
        stamp = pd.Timestamp(start) if isinstance(start, str | dt.date | np.datetime64) else None
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise ValidationError(f"start: {start!r} is not a date or time", "start")
    day = stamp.date()
    first = day - dt.timedelta(days=day.weekday()) if bucket == "week" else day
    last = first + dt.timedelta(days=6 if bucket == "week" else 0)
    base = scope(base, failed_jobs())
    return base.copy(
        date_from=max(first, base.date_from or first),
        date_to=min(last, base.date_to or last),
        page=1,
    )


# -- figures --------------------------------------------------------------------------------


def styled(fig: figure) -> figure:
    """Design tokens on a figure: system font, white surface, quiet gray axes and grid."""
    fig.background_fill_color = fig.border_fill_color = COLORS["surface"]
    fig.outline_line_color = None
    fig.title.text_font = FONT
    fig.title.text_font_size = "16px"
    fig.title.text_font_style = "normal"
    fig.title.text_color = COLORS["text"]
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.major_label_text_font = axis.axis_label_text_font = FONT
        axis.major_label_text_font_size = "12px"
        axis.major_label_text_color = axis.axis_line_color = NEUTRAL
        axis.major_tick_line_color = NEUTRAL
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = COLORS["border"]
    fig.toolbar.logo = None
    if fig.legend:
        fig.legend.label_text_font = FONT
        fig.legend.label_text_font_size = "12px"
        fig.legend.border_line_color = None
        fig.legend.click_policy = "hide"
    return fig


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _series_label(row: pd.Series, group: str | None) -> str:
    if group is None:
        return "all"
    if group == "version":
        return (
            f"{row['configuration']} v{row['version']}"
            if pd.notna(row["version"])
            else str(row["configuration"])
        )
    return str(row[group])


def failure_trend_figure(df: pd.DataFrame, title: str | None = None, height: int = 280) -> figure:
    """A line per group of a :func:`failure_rate` or :func:`qc_rejection_rate` table: the rate
    (percent) over time buckets, with the counts in the hover."""
    rate = "failure_rate" if "failure_rate" in df else "rejection_rate"
    if rate not in df or "bucket" not in df:
        raise ValidationError(
            "df: expected a table from failure_rate() or qc_rejection_rate()", "df"
        )
    group = next((g for g in ("step", "stage", "version", "configuration") if g in df), None)
    count = (
        "failed" if rate == "failure_rate" else ("rejected" if "rejected" in df else "qc_failed")
    )
    total = "jobs" if rate == "failure_rate" else "images"
    fig = figure(
        title=title or ("Failure rate" if rate == "failure_rate" else "QC rejection rate"),
        x_axis_type="datetime",
        height=height,
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,box_zoom,reset,save",
    )
    labels = df.apply(_series_label, axis=1, group=group) if len(df) else pd.Series(dtype=str)
    for i, label in enumerate(dict.fromkeys(labels)):
        part = df[labels == label]
        source = ColumnDataSource(
            {
                "bucket": part["bucket"],
                "rate": part[rate],
                "count": part[count],
                "total": part[total],
                "series": [label] * len(part),
            }
        )
        # Past six series the colours come round again with another dash pattern.
        color = PALETTE[i % len(PALETTE)] if group else ERROR
        dash = DASHES[i // len(PALETTE) % len(DASHES)]
        legend = {"legend_label": _short(label)} if group else {}
        fig.line(
            "bucket", "rate", source=source, color=color, line_width=2, line_dash=dash, **legend
        )
        fig.scatter("bucket", "rate", source=source, color=color, size=6)
    if group:
        fig.add_layout(fig.legend[0], "right")  # beside the plot, never over the lines
    fig.yaxis.formatter = NumeralTickFormatter(format="0%")
    fig.add_tools(
        HoverTool(
            tooltips=[
                ("", "@series"),
                ("bucket", "@bucket{%F %H:%M}"),
                ("rate", "@rate{0.0%}"),
                (count, "@count"),
                (total, "@total"),
            ],
            formatters={"@bucket": "datetime"},
        )
    )
    return styled(fig)


def signature_trend_figure(
    df: pd.DataFrame, title: str | None = None, height: int | None = None
) -> figure:
    """A line per signature of a :func:`signature_daily_counts` table: failed jobs per day,
    the legend below the plot (signatures are long)."""
    if not {"signature", "day", "jobs"} <= set(df.columns):
        raise ValidationError("df: expected a table from signature_daily_counts()", "df")
    series = list(dict.fromkeys(df["signature"]))
    fig = figure(
        title=title or "Failed jobs per day, by error signature",
        x_axis_type="datetime",
        height=height or 240 + 24 * len(series),
        sizing_mode="stretch_width",
        tools="pan,wheel_zoom,box_zoom,reset,save",
    )
    for i, signature in enumerate(series):
        part = df[df["signature"] == signature]
        source = ColumnDataSource(
            {
                "day": pd.to_datetime(part["day"]),
                "jobs": part["jobs"],
                "signature": [signature] * len(part),
            }
        )
        fig.line(
            "day",
            "jobs",
            source=source,
            color=PALETTE[i % len(PALETTE)],
            line_width=2,
            line_dash=DASHES[i // len(PALETTE) % len(DASHES)],
            legend_label=_short(signature),
        )
    if series:
        fig.add_layout(fig.legend[0], "below")
    fig.y_range.start = 0
    fig.yaxis.ticker.min_interval = 1  # whole jobs
    fig.add_tools(
        HoverTool(
            tooltips=[("", "@signature"), ("day", "@day{%F}"), ("jobs", "@jobs")],
            formatters={"@day": "datetime"},
        )
    )
    return styled(fig)


def _hbar_figure(
    labels: list[str],
    values: list[float],
    colors: list[str],
    hover: dict,
    title: str,
    x_label: str,
    height: int | None,
) -> figure:
    """Horizontal bars, largest on top (shared by the signature and QC reason charts)."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:  # shortened labels may clash: number the repeats
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    source = ColumnDataSource({"label": unique, "value": values, "color": colors, **hover})
    fig = figure(
        title=title,
        y_range=FactorRange(*unique[::-1]),
        sizing_mode="stretch_width",
        height=height or max(160, 40 + 28 * len(unique)),
        tools="save",
        x_axis_label=x_label,
    )
    fig.hbar(y="label", right="value", height=0.7, color="color", source=source)
    fig.add_tools(HoverTool(tooltips=[(k, f"@{{{k}}}") for k in hover]))
    fig.x_range.start = 0
    fig.ygrid.grid_line_color = None
    return styled(fig)


def signature_bar_figure(df: pd.DataFrame, top: int = 10, height: int | None = None) -> figure:
    """Bars of jobs per signature for the ``top`` rows of :func:`error_signatures`."""
    if "signature" not in df or "jobs" not in df:
        raise ValidationError("df: expected a table from error_signatures()", "df")
    part = df.head(whole_number("top", top, 1, 100))
    labels = [_short(s) for s in part["signature"]]
    return _hbar_figure(
        labels,
        part["jobs"].tolist(),
        [ERROR] * len(part),
        {
            "signature": part["signature"].tolist(),
            "jobs": part["jobs"].tolist(),
            "last_seen": part["last_seen"].astype(str).tolist(),
        },
        "Failures by error signature",
        "jobs",
        height,
    )


def qc_reasons_figure(df: pd.DataFrame, top: int = 15, height: int | None = None) -> figure:
    """Bars of images per cause from :func:`qc_reasons`, coloured by QC status
    (processing failed amber, QC failed red, needs review gray)."""
    if "reason" not in df or "qc_status" not in df:
        raise ValidationError("df: expected a table from qc_reasons()", "df")
    top = whole_number("top", top, 1, 100)
    part = df.sort_values("images", ascending=False, kind="stable").head(top)
    labels = [
        _short(f"{QC_STYLE[s][0]}: {r}")
        for s, r in zip(part["qc_status"], part["reason"], strict=True)
    ]
    return _hbar_figure(
        labels,
        part["images"].tolist(),
        [QC_STYLE[s][1] for s in part["qc_status"]],
        {
            "reason": part["reason"].tolist(),
            "qc_status": part["qc_status"].tolist(),
            "images": part["images"].tolist(),
            "jobs": part["jobs"].tolist(),
        },
        "Lost and held images by cause",
        "images",
        height,
    )

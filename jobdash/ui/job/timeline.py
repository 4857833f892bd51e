"""Timeline and log of the Single Job View: the job's steps as bars on a time axis (Bokeh;
errors marked, the same steps as a table for screen readers), the log with a level filter,
a text search and a text download."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
import panel as pn
import param
from bokeh.models import ColumnDataSource, FixedTicker, HoverTool, Range1d
from bokeh.plotting import figure

from jobdash.analysis import styled
from jobdash.tokens import COLORS
from jobdash.ui import assets
from jobdash.ui.job.state import (
    LOG_LEVELS,
    Step,
    filter_log,
    log_line,
    log_text,
    shown_paths,
)
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import duration_text
from jobdash.ui.shared.pressed import PressedState
from jobdash.vocab import format_job_id

LOG_SHOWN = 300  # newest matching lines shown; the download holds all of them

TIMELINE_CSS = theme.HTML_CSS + assets.css("timeline")


# Bar colour of a step by its worst event's level.
LEVEL_COLORS = {"error": COLORS["error"], "warn": COLORS["warning"]}
QUEUE_STEP = "queue"  # the step of a job's wait in the queue
# The chart's height: per step, for the time axis and for the legend (when errors show).
ROW_PX, AXIS_PX, LEGEND_PX = 26, 84, 34


def step_duration(seconds: float) -> str:
    """A step's duration in the page's one format (``duration_text``); under a second
    reads ``<1s`` rather than ``0s``."""
    return "<1s" if 0 < seconds < 1 else duration_text(seconds)


def timeline_rows(steps: list[Step]) -> list[dict[str, Any]]:
    """Steps of one image folded into one row (its stages and their durations); other
    steps one row each, in order."""
    rows: list[dict[str, Any]] = []
    for step in steps:
        last = rows[-1] if rows else None
        if step.image is not None and last is not None and last["image"] == step.image:
            last["stages"].append((step.step, step.duration_s))
            last["duration_s"] += step.duration_s
            if step.level == "error" or (step.level == "warn" and last["level"] != "error"):
                last["level"] = step.level
            last["error"] = last["error"] or step.error
            continue
        rows.append(
            {
                "name": f"Image {step.image}" if step.image is not None else step.step,
                "image": step.image,
                "start": step.start,
                "duration_s": step.duration_s,
                "level": step.level,
                "error": step.error,
                "stages": [(step.step, step.duration_s)],
            }
        )
    return rows


def timeline_html(
    steps: list[Step], progress: Any = None, running: bool = False, root: Path | None = None
) -> str:
    """A progress bar while the job runs, then the steps as a table (closed under a
    summary: the chart shows them), escaped; paths under ``root`` shown from its folder."""
    pct = None
    if running:
        pct = 0 if progress is None or pd.isna(progress) else int(progress)
    rows = [
        {
            "name": row["name"],
            "level": row["level"],
            "error": _shown(row["error"], root),
            "start": row["start"].strftime("%H:%M:%S"),
            "duration": step_duration(row["duration_s"]),
            "stages": " · ".join(f"{s} {step_duration(d)}" for s, d in row["stages"])
            if row["image"] is not None
            else "",
        }
        for row in timeline_rows(steps)
    ]
    errors = sum(row["level"] == "error" for row in rows)
    return assets.render("timeline", progress=pct, rows=rows, errors=errors)


def _shown(text: str | None, root: Path | None) -> str | None:
    return shown_paths(text, root) if text and root is not None else text


def timeline_figure(steps: list[Step], root: Path | None = None) -> figure | None:
    """The steps as horizontal bars on a time axis, first on top, coloured by their worst
    level, each error marked with a cross at its step's end (hover for the step, its start,
    duration and error); None when there are no steps. The wait in the queue is left out
    (it would dwarf the run; the table lists it) and the time axis is on top, in sight
    however many steps there are."""
    rows = [row for row in timeline_rows(steps) if row["name"] != QUEUE_STEP]
    if not rows:
        return None
    starts = [row["start"] for row in rows]
    ends = [row["start"] + dt.timedelta(seconds=row["duration_s"]) for row in rows]
    data = {
        "y": list(range(len(rows))),
        "left": starts,
        "right": ends,
        "name": [row["name"] for row in rows],
        "start": [s.strftime("%H:%M:%S") for s in starts],
        "duration": [step_duration(row["duration_s"]) for row in rows],
        "error": [_shown(row["error"], root) or "" for row in rows],
        "color": [LEVEL_COLORS.get(row["level"], COLORS["primary"]) for row in rows],
    }
    span = max((max(ends) - min(starts)).total_seconds(), 1.0)
    failed = [i for i, row in enumerate(rows) if row["level"] == "error"]
    fig = figure(
        x_axis_type="datetime",
        x_axis_location="above",
        y_range=Range1d(len(rows) - 0.5, -0.5),
        x_range=Range1d(min(starts), min(starts) + dt.timedelta(seconds=span * 1.04)),
        height=AXIS_PX + ROW_PX * len(rows) + (LEGEND_PX if failed else 0),
        sizing_mode="stretch_width",
        toolbar_location=None,
        tools="",
    )
    source = ColumnDataSource(data)
    bars = fig.hbar(
        y="y",
        left="left",
        right="right",
        height=0.6,
        fill_color="color",
        line_color="color",
        line_width=2,  # a step of no measurable length still shows
        source=source,
        name="jd-timeline-bars",
    )
    if failed:
        marks = ColumnDataSource({k: [v[i] for i in failed] for k, v in data.items()})
        fig.scatter(
            x="right",
            y="y",
            marker="x",
            size=14,
            line_width=3,
            color=COLORS["error_strong"],
            source=marks,
            name="jd-timeline-errors",
            legend_label="Error",
        )
        legend = fig.legend[0]
        legend.orientation = "horizontal"
        fig.add_layout(legend, "above")  # beside the plot, never over a bar
    fig.add_tools(
        HoverTool(
            renderers=[bars],
            tooltips=[
                ("", "@name"),
                ("started", "@start"),
                ("took", "@duration"),
                ("error", "@error"),
            ],
        )
    )
    fig.yaxis.ticker = FixedTicker(ticks=data["y"])
    fig.yaxis.major_label_overrides = dict(enumerate(data["name"]))
    fig.ygrid.grid_line_color = None
    fig.xaxis.axis_label = "Time (UTC)"
    return styled(fig)


def log_html(events: pd.DataFrame, root: Path | None = None) -> str:
    """The newest ``LOG_SHOWN`` events as escaped log lines, errors highlighted; paths under
    ``root`` shown from its folder."""
    shown = events.tail(LOG_SHOWN)
    lines = [
        (level, log_line(at, level, s, sub, _shown(m, root) or ""))
        for at, level, s, sub, m in shown[
            ["at", "level", "step", "sub_step", "message"]
        ].itertuples(index=False)
    ]
    return assets.render(
        "timeline-log", lines=lines, total=len(events), more=len(events) - len(shown)
    )


class LogView(pn.viewable.Viewer):
    """The job's log: level filter, text search and a download of what is shown."""

    events = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        The job's events (every level), oldest first.""",
    )

    job_id = param.Integer(default=None, allow_None=True, doc="""The job whose log it is.""")

    levels = param.ListSelector(
        default=list(LOG_LEVELS),
        objects=list(LOG_LEVELS),
        doc="""
        Levels shown.""",
    )

    search = param.String(default="", doc="""Text the shown lines contain (any case).""")

    image_root = param.ClassSelector(
        class_=Path,
        default=None,
        allow_None=True,
        doc="""
        The history's image folder: paths under it are shown from its folder's name.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self._levels = pn.widgets.CheckButtonGroup.from_param(
            self.param.levels, label="Levels", stylesheets=css
        )
        self._search = pn.widgets.TextInput.from_param(
            self.param.search,
            label="Search the log",
            placeholder="Search the log",
            description=None,  # not the parameter's doc as a tooltip over the label
            stylesheets=css,
            width=260,
        )
        self._download = pn.widgets.FileDownload(
            callback=self._file,
            filename="log.txt",
            label="Download log",
            stylesheets=css,
            width=150,
        )
        self._lines = pn.pane.HTML("", stylesheets=[TIMELINE_CSS], sizing_mode="stretch_width")

    def shown(self) -> pd.DataFrame:
        """The events the filter shows."""
        if self.events is None:
            return pd.DataFrame(columns=["at", "level", "step", "sub_step", "message"])
        return filter_log(self.events, self.levels, self.search)

    @param.depends("events", "levels", "search", "image_root", watch=True)
    def _render(self) -> None:
        self._lines.object = log_html(self.shown(), self.image_root)

    @param.depends("job_id", watch=True)
    def _rename(self) -> None:
        name = format_job_id(self.job_id) if self.job_id is not None else "job"
        self._download.filename = f"{name}-log.txt"

    def _file(self) -> io.BytesIO:
        return io.BytesIO(log_text(self.shown()).encode("utf-8"))

    def __panel__(self) -> pn.Column:
        return pn.Column(
            pn.Row(
                PressedState(group=self._levels, label="Log levels"),
                self._search,
                self._download,
                align="end",
            ),
            self._lines,
            sizing_mode="stretch_width",
        )

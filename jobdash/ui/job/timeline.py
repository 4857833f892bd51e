"""Timeline and log of the Single Job View: the job's steps with start and duration (errors
highlighted), the log with a level filter, a text search and a text download, and the
toggle-button groups (this filter, the gallery's) that tell whether they are pressed."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import panel as pn
import param

from jobdash.ui import assets
from jobdash.ui.job.state import LOG_LEVELS, Step, filter_log, log_line, log_text
from jobdash.ui.shared import theme
from jobdash.ui.shared.pressed import PressedState
from jobdash.vocab import format_job_id

LOG_SHOWN = 300  # newest matching lines shown; the download holds all of them

TIMELINE_CSS = theme.HTML_CSS + assets.css("timeline")


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 60 else f"{int(value // 60)}m {value % 60:.0f}s"


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


def timeline_html(steps: list[Step], progress: Any = None, running: bool = False) -> str:
    """The timeline table (and a progress bar while the job runs), escaped."""
    pct = None
    if running:
        pct = 0 if progress is None or pd.isna(progress) else int(progress)
    rows = [
        {
            "name": row["name"],
            "level": row["level"],
            "error": row["error"],
            "start": row["start"].strftime("%H:%M:%S"),
            "duration": _seconds(row["duration_s"]),
            "stages": " · ".join(f"{s} {_seconds(d)}" for s, d in row["stages"])
            if row["image"] is not None
            else "",
        }
        for row in timeline_rows(steps)
    ]
    return assets.render("timeline", progress=pct, rows=rows)


def log_html(events: pd.DataFrame) -> str:
    """The newest ``LOG_SHOWN`` events as escaped log lines, errors highlighted."""
    shown = events.tail(LOG_SHOWN)
    lines = [
        (level, log_line(at, level, s, sub, m))
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

    @param.depends("events", "levels", "search", watch=True)
    def _render(self) -> None:
        self._lines.object = log_html(self.shown())

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

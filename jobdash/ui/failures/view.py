"""Failures panel: failed jobs grouped by the signature of their error, with a daily trend,
a way to show a signature's jobs in the job table and to rerun them all (after asking).

    failures = FailuresPanel(service, manager.query, toaster=manager.toaster)
    tabs = pn.Tabs(("Jobs", manager), ("Failures", failures), dynamic=True)
    failures.state.param.watch(lambda _: setattr(tabs, "active", 0), "shown")

The scope is the failed jobs matching the page's date, configuration, search and image
filters (its status and signature filters are set by this panel, so they do not narrow the
list). Two aggregate queries per load (``analysis.error_signatures`` and
``analysis.signature_daily_counts``); live updates re-read only when a job failed or was
deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd
import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.analysis import signature_text
from jobdash.contract import JobBackend
from jobdash.query import JobQuery
from jobdash.ui import assets
from jobdash.ui.failures.state import FailuresState
from jobdash.ui.shared import theme
from jobdash.ui.shared.dialog import Confirmation
from jobdash.ui.shared.format import count_text, date_text, percent_text
from jobdash.ui.shared.live import Ticker
from jobdash.ui.shared.notify import Toaster

log = logging.getLogger(__name__)

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 28, 3
MAX_CONFIGS_SHOWN = 3


# -- pure helpers ---------------------------------------------------------------------------


def sparkline_points(
    counts: Sequence[int],
    width: int = SPARK_WIDTH,
    height: int = SPARK_HEIGHT,
    pad: int = SPARK_PAD,
) -> str:
    """SVG ``points`` of a polyline through ``counts`` (oldest left), scaled to the box;
    all zeros lie on the baseline."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = (width - 2 * pad) / max(len(counts) - 1, 1)
    return " ".join(
        f"{pad + i * step:.1f},{height - pad - c / top * (height - 2 * pad):.1f}"
        for i, c in enumerate(counts)
    )


def trend_label(counts: Sequence[int], first_day: dt.date | None) -> str:
    """Words for the sparkline: ``Failures per day over the last 30 days: 12 in all, at most
    3 on 2026-11-20``."""
    head = f"Failures per day over the last {len(counts)} days: "
    total = sum(counts)
    if not total or first_day is None:
        return head + "none"
    peak = max(counts)
    day = first_day + dt.timedelta(days=list(counts).index(peak))
    return head + f"{total:,} in all, at most {peak:,} on {day.isoformat()}"


def _listed(values: Sequence[str], most: int) -> str:
    shown = ", ".join(values[:most])
    return shown + (f" and {len(values) - most} more" if len(values) > most else "")


def signature_rows(
    signatures: pd.DataFrame | None, trends: pd.DataFrame | None, active: str
) -> list[dict[str, Any]]:
    """JSON-ready rows for the list: the signature (the key of its actions) and how it reads
    (:func:`jobdash.analysis.signature_text`, with the latest message as an example), texts,
    sparkline points and whether the row is the signature the job table is filtered to.
    Plain text only (the browser never parses it as HTML)."""
    if signatures is None or not len(signatures):
        return []
    per_sig: dict[str, list[int]] = {}
    first_day = None
    if trends is not None and len(trends):
        first_day = pd.Timestamp(trends["day"].min()).date()
        for sig, part in trends.groupby("signature", sort=False):
            per_sig[sig] = [int(n) for n in part.sort_values("day")["jobs"]]
    rows = []
    for rec in signatures.itertuples(index=False):
        counts = per_sig.get(rec.signature, [])
        configs = [str(c) for c in rec.configurations]
        steps = [str(s) for s in rec.steps]
        example = getattr(rec, "example_message", None)
        rows.append(
            {
                "signature": rec.signature,
                "text": signature_text(rec.signature),
                "example": f"e.g. {example}" if isinstance(example, str) and example else "",
                "jobs": int(rec.jobs),
                "jobs_text": f"{int(rec.jobs):,}",
                "rerun": f"Rerun {count_text(int(rec.jobs), 'job')}",
                "share": f"{percent_text(float(rec.share))} of failures",
                "steps": ("at " + ", ".join(steps)) if steps else "",
                "last_seen": date_text(rec.last_seen),
                "configurations": _listed(configs, MAX_CONFIGS_SHOWN) or "(no configuration)",
                "configurations_all": ", ".join(configs),
                "points": sparkline_points(counts),
                "trend": trend_label(counts, first_day),
                "active": rec.signature == active,
            }
        )
    return rows


# -- view -----------------------------------------------------------------------------------

LIST_CSS = theme.HTML_CSS + assets.css("failures")


class SignatureList(ReactiveHTML):
    """The signatures as a table; each row has "Show jobs" and "Rerun" buttons named after
    its signature. Clicks set ``show_request`` / ``rerun_request`` (reset once handled).
    Above it, when the table is filtered to a signature, a line saying so with a
    "Show all jobs" button (counted in ``clear_clicks``)."""

    rows = param.List(
        default=[],
        item_type=dict,
        doc="""
        Rows from :func:`signature_rows`.""",
    )

    days = param.Integer(default=30, doc="""Days the trend column covers (its heading).""")

    active = param.List(
        default=[],
        item_type=str,
        doc="""
        How the signature the job table is filtered to reads, as a one-item list (empty when
        none):
        Panel sanitises string parameters as HTML on their way to the browser, which would
        eat placeholders such as ``<n>``; lists of text arrive as they are.""",
    )

    clear_clicks = param.Integer(
        default=0,
        doc="""
        How many times "Show all jobs" was clicked.""",
    )

    show_request = param.String(
        default="",
        doc="""
        The signature whose "Show jobs" was clicked last; reset to "" once handled.""",
    )

    rerun_request = param.String(
        default="",
        doc="""
        The signature whose "Rerun" was clicked last; reset to "" once handled.""",
    )

    spark = param.Dict(
        default={
            "width": SPARK_WIDTH,
            "height": SPARK_HEIGHT,
            "baseline": SPARK_HEIGHT - SPARK_PAD,
        },
        constant=True,
        doc="""
        The trend sparklines' box in pixels (width, height) and the y of their baseline, the
        box :func:`sparkline_points` scales to.""",
    )

    _template = '<div id="list" class="jd-failures"></div>'

    _scripts = assets.scripts("failures")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [LIST_CSS])
        super().__init__(**params)


class FailuresPanel(pn.viewable.Viewer):
    """Failed jobs grouped by cause, over a job history and the page's shared JobQuery (read
    and acted on through its :class:`~jobdash.ui.failures.state.FailuresState`)."""

    refresh_ms = param.Integer(
        default=2000,
        bounds=(0, None),
        doc="""
        How often (milliseconds) the panel asks whether a job failed since; 0 stops live
        updates.""",
    )

    state = param.ClassSelector(
        class_=FailuresState,
        constant=True,
        doc="""
        What the panel shows and acts on (made from the service and query given).""",
    )

    toaster = param.ClassSelector(
        class_=Toaster,
        default=None,
        allow_None=True,
        doc="""
        Where outcomes are announced; None makes (and shows) the panel's own. Pass the
        page's toaster when the page already shows one.""",
    )

    def __init__(self, service: JobBackend, query: JobQuery, **params: Any):
        state_params = {k: params.pop(k) for k in ("days", "limit") if k in params}
        own_toaster = params.get("toaster") is None
        if own_toaster:
            params["toaster"] = Toaster()
        super().__init__(state=FailuresState(service, query, **state_params), **params)
        self.list = SignatureList(days=self.state.days, sizing_mode="stretch_width")
        self._intro = pn.pane.HTML(
            assets.template("failures-intro"),
            stylesheets=[theme.HTML_CSS],
            sizing_mode="stretch_width",
            margin=(0, 0, 12, 0),
        )
        ask = Confirmation(
            "Rerun jobs", "Rerun", color="primary", confirm_width=150, question_width=480
        )
        self._question, self._confirm, self._cancel, self.dialog = (
            ask.question,
            ask.confirm,
            ask.cancel,
            ask.dialog,
        )
        self.ticker = Ticker(self.poll, self.refresh_ms)
        self._init_callbacks()
        self._layout = pn.Column(
            self._intro,
            self.list,
            self.dialog,
            *([self.toaster] if own_toaster else []),
            sizing_mode="stretch_width",
            styles=theme.CSS_VARIABLES,
        )
        self._render()

    def _init_callbacks(self) -> None:
        self.list.param.watch(self._show_clicked, "show_request")
        self.list.param.watch(self._rerun_clicked, "rerun_request")
        self.list.param.watch(lambda _: self.state.clear(), "clear_clicks")
        self._confirm.on_click(lambda _: self.confirm_rerun())
        self._cancel.on_click(lambda _: self.cancel_rerun())
        self.dialog.param.watch(self._dialog_toggled, "open")

    # -- actions ----------------------------------------------------------------------------

    def ask_rerun(self, signature: str) -> None:
        """Open the confirmation dialog for rerunning a signature's jobs."""
        self.state.ask_rerun(signature)
        jobs = count_text(self.state.jobs_of(signature), "failed job")
        self._question.object = assets.render(
            "failures-rerun", jobs=jobs, signature=signature_text(signature)
        )
        self._confirm.label = self.dialog.title = f"Rerun {jobs}"
        self.dialog.show()

    def confirm_rerun(self) -> list[int]:
        """Queue the reruns the dialog asked about and say how many were queued."""
        signature = self.state.pending_rerun
        ids = self.state.confirm_rerun()  # a refusal sets state.error: announced by _refused
        self.dialog.hide()
        if ids:
            self.toaster.show(
                "success",
                f"Queued {count_text(len(ids), 'rerun')} of jobs failing with: "
                f"{signature_text(signature)}",
            )
        return ids

    def cancel_rerun(self) -> None:
        """Close the dialog without queueing anything."""
        self.state.cancel_rerun()
        self.dialog.hide()

    # -- live updates -----------------------------------------------------------------------

    def poll(self) -> None:
        """One live-update tick (O(1) when nothing changed)."""
        try:
            self.state.poll()
        except Exception as exc:  # a failed tick is reported, polling goes on
            log.exception("failures panel: live update failed")
            self.toaster.show("error", f"Live update of the failures failed: {exc}")

    # -- callbacks --------------------------------------------------------------------------

    @param.depends("refresh_ms", watch=True)
    def _pace(self) -> None:
        self.ticker.set_period(self.refresh_ms)

    @param.depends("state.signatures", "state.trends", "state.query.error_signature", watch=True)
    def _render(self) -> None:
        active = self.state.query.error_signature
        self.list.param.update(
            rows=signature_rows(self.state.signatures, self.state.trends, active),
            active=[signature_text(active)] if active else [],
        )

    def _show_clicked(self, event: param.parameterized.Event) -> None:
        if event.new:
            self.state.show(event.new)
            self.list.show_request = ""

    def _rerun_clicked(self, event: param.parameterized.Event) -> None:
        if event.new:
            self.ask_rerun(event.new)
            self.list.rerun_request = ""

    @param.depends("state.error", watch=True)
    def _refused(self) -> None:
        if self.state.error:
            self.toaster.show("error", self.state.error)
            self.state.error = ""  # shown: the next refusal announces itself again

    def _dialog_toggled(self, event: param.parameterized.Event) -> None:
        if not event.new and self.state.pending_rerun:
            self.state.cancel_rerun()  # closed with Escape or the close button

    def __panel__(self) -> pn.Column:
        self.ticker.start()
        return self._layout

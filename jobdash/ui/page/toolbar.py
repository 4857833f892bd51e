"""Batch toolbar: "N jobs selected", "Select all N matching", "Clear selection" and the batch
actions "Rerun selected", "Export selected", "Delete selected" (disabled while an operation
runs: then a progress indicator says what runs). It shows only while jobs are selected or an
operation runs, so the table starts higher; its counter is a live region that stays in the
page (visually hidden with nothing selected), so screen readers hear "1 job selected" as the
toolbar appears. The actions
go through :class:`jobdash.ui.page.actions.JobActions`, with the selected ids or, for "all
matching", the query itself (resolved by the backend when it runs). Shift+click in the table
selects a range (:class:`jobdash.ui.shared.keys.RangeClicks`)."""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from jobdash.ui import assets
from jobdash.ui.page.actions import JobActions
from jobdash.ui.page.state import JobListing
from jobdash.ui.page.status_line import status_html
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import count_text
from jobdash.ui.shared.keys import RangeClicks, TableKeys

BUSY_CSS = theme.HTML_CSS + assets.css("toolbar-busy")
TOOLBAR_CSS = assets.css("toolbar")
UNSEEN = "jd-unseen"  # the counter's class while nothing is selected: heard, not shown


def busy_html(text: str) -> str:
    """The live region saying what runs: an indeterminate progress bar named "Batch
    operation" with ``text`` (escaped) beside it; empty (but present, so screen readers
    hear the next one) when nothing runs."""
    return assets.render("toolbar-busy", text=text)


def selection_text(count: int) -> str:
    """``No jobs selected`` / ``1 job selected`` / ``1,234 jobs selected``."""
    return f"{count_text(count, 'job')} selected" if count else "No jobs selected"


class BatchToolbar(pn.viewable.Viewer):
    """The selection counter and the batch actions over the listing's selection."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing whose selection (and query, for "all matching") the toolbar acts on.""",
    )

    actions = param.ClassSelector(
        class_=JobActions,
        doc="""
        Runs the batch actions (confirmation, toasts, download).""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self._counter = pn.pane.HTML(
            "", stylesheets=[theme.HTML_CSS, TOOLBAR_CSS], align="center", margin=(5, 10)
        )
        self._all = pn.widgets.Button(label="Select all", stylesheets=css, align="center")
        self._clear = pn.widgets.Button(label="Clear selection", stylesheets=css, align="center")
        self._rerun = pn.widgets.Button(label="Rerun selected", stylesheets=css, align="center")
        self._export = pn.widgets.Button(label="Export selected", stylesheets=css, align="center")
        self._delete = pn.widgets.Button(
            label="Delete selected", color="danger", stylesheets=css, align="center"
        )
        self._busy = pn.pane.HTML(
            busy_html(""), stylesheets=[BUSY_CSS], align="center", margin=(5, 10)
        )
        self.keys = TableKeys()
        self.clicks = RangeClicks()
        pn.bind(self._range_clicked, self.clicks.param.range, watch=True)
        self.keys.param.watch(lambda _: self.run("delete"), "delete")
        self.keys.param.watch(lambda _: self.listing.selection.clear(), "clear")
        self._all.on_click(lambda _: self.listing.selection.select_all_matching())
        self._clear.on_click(lambda _: self.listing.selection.clear())
        for button, action in (
            (self._rerun, "rerun"),
            (self._export, "export"),
            (self._delete, "delete"),
        ):
            button.on_click(lambda _, a=action: self.run(a))
        self._bar = pn.Row(
            self._all,
            self._clear,
            pn.layout.HSpacer(),
            self._busy,
            self._rerun,
            self._export,
            self._delete,
            sizing_mode="stretch_width",
            margin=0,
            styles={"flex-wrap": "wrap", "gap": "4px"},
        )
        self._layout = pn.Row(
            self._counter,
            self._bar,
            self.keys,
            self.clicks,
            sizing_mode="stretch_width",
            margin=0,
        )
        self._update()

    @property
    def count(self) -> int:
        """How many jobs are selected."""
        return self.listing.selection.count(self.listing.total)

    def run(self, action: str) -> None:
        """Run a batch action ("rerun", "export" or "delete") on the selection (not while
        another operation runs)."""
        if self.count and not self.actions.busy:
            self.actions.run(action, self.listing.selection.target(self.listing.query))

    @param.depends(
        "listing.selection.ids",
        "listing.selection.all_matching",
        "listing.rows",
        "listing.total",
        "actions.busy",
        watch=True,
    )
    def _update(self) -> None:
        selection, listing = self.listing.selection, self.listing
        count = self.count
        page = listing.page_ids
        whole_page = bool(page) and len(selection.on_page(page)) == len(page)
        self._all.param.update(
            label=f"Select all {listing.total:,} matching",
            visible=whole_page and not selection.all_matching and listing.total > len(page),
        )
        self._clear.visible = bool(count)
        for button in (self._rerun, self._export, self._delete):
            button.disabled = not count or bool(self.actions.busy)
        self._busy.object = busy_html(self.actions.busy)
        self._counter.object = status_html(selection_text(count))
        shown = bool(count) or bool(self.actions.busy)
        self._bar.visible = shown
        self._counter.param.update(
            css_classes=[] if shown else [UNSEEN], margin=(5, 10) if shown else 0
        )
        self._layout.margin = (0, 0, 8, 0) if shown else 0

    def _range_clicked(self, ends: list[int]) -> None:
        if len(ends) == 2:
            self.listing.selection.select_range(self.listing.page_ids, *ends)
            self.clicks.range = []

    def __panel__(self) -> pn.Row:
        return self._layout

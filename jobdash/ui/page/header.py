"""Page header, one compact row: the breadcrumb (the one way back to the Dashboard) over the
H1 "Job Management", then the runner status, "Refresh" and "Help" (a dialog with what the
page does and its keyboard shortcuts)."""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared import theme
from jobdash.ui.shared.dialog import Dialog
from jobdash.ui.shared.keys import SHORTCUTS
from jobdash.ui.shared.runner_status import STATUS_CSS, runner_html

HEADER_CSS = theme.HTML_CSS + assets.css("header")
HELP_CSS = theme.HTML_CSS + assets.css("header-help")


def help_html() -> str:
    """What the page does, and its keyboard shortcuts."""
    return assets.render("header-help", shortcuts=SHORTCUTS)


class Header(pn.viewable.Viewer):
    """The top of the Job Management page."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing refreshed by "Refresh" and whose runner status is shown.""",
    )

    dashboard_url = param.String(
        default=None,
        allow_None=True,
        doc="""
        Where the breadcrumb's "Dashboard" leads; None hides the breadcrumb (e.g. in a
        notebook).""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self.refresh_button = pn.widgets.Button(
            label="Refresh", width=96, align="center", stylesheets=css
        )
        self.help_button = pn.widgets.Button(
            label="Help", width=80, align="center", stylesheets=css
        )
        self.help = Dialog(
            title="Job Management help",
            factory=lambda: [
                pn.pane.HTML(help_html(), stylesheets=[HELP_CSS], width=560, margin=0)
            ],
        )
        self.refresh_button.on_click(lambda _: self.listing.load())
        self.help_button.on_click(lambda _: self.help.show())
        self._title = pn.pane.HTML(
            self._title_html(), stylesheets=[HEADER_CSS], margin=0, sizing_mode="stretch_width"
        )
        self._status = pn.pane.HTML("", stylesheets=[STATUS_CSS], margin=(0, 8), align="center")
        self._update()
        self._layout = pn.Row(
            self._title,
            self._status,
            self.refresh_button,
            self.help_button,
            self.help,
            sizing_mode="stretch_width",
            margin=0,
            styles={"align-items": "center"},
        )

    def _title_html(self) -> str:
        return assets.render("header-title", dashboard_url=self.dashboard_url)

    @param.depends("listing.runner", "listing.reachable", watch=True)
    def _update(self) -> None:
        self._status.object = runner_html(self.listing.runner, self.listing.reachable)

    def __panel__(self) -> pn.Row:
        return self._layout

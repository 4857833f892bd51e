"""Page header: "Back to Dashboard", breadcrumb, H1 "Job Management", "Refresh", "Help"
(a dialog with what the page does and its keyboard shortcuts) and the runner status."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from jobdash.ui.page.state import JobListing
from jobdash.ui.shared import theme
from jobdash.ui.shared.dialog import Dialog
from jobdash.ui.shared.keys import SHORTCUTS
from jobdash.ui.shared.runner_status import STATUS_CSS, runner_html

HEADER_CSS = theme.HTML_CSS + """
.jd-back { display: inline-flex; align-items: center; gap: 6px; font-weight: 600;
  font-size: var(--jd-body-size); text-decoration: none; color: var(--jd-primary-strong); }
.jd-back:hover { text-decoration: underline; }
nav.jd-crumbs ol { list-style: none; display: flex; gap: 6px; padding: 0; margin: 8px 0 4px 0;
  font-size: var(--jd-caption-size); color: var(--jd-text-muted); }
nav.jd-crumbs li + li::before { content: "›"; margin-right: 6px; color: var(--jd-neutral); }
nav.jd-crumbs a { color: var(--jd-primary-strong); }
p.jd-lead { margin: 4px 0 0 0; color: var(--jd-text-muted); }
"""


HELP_CSS = theme.HTML_CSS + """
table { border-collapse: collapse; margin-top: 8px; width: 100%; }
th, td { text-align: left; padding: 6px 12px 6px 0; border-bottom: 1px solid var(--jd-border); }
kbd { font-family: var(--jd-mono); font-size: 12px; padding: 2px 6px; border-radius: 4px;
  border: 1px solid var(--jd-border-strong); color: var(--jd-text);
  background: var(--jd-background); }
"""




def help_html() -> str:
    """What the page does, and its keyboard shortcuts."""
    rows = "".join(f"<tr><td><kbd>{html.escape(key)}</kbd></td><td>{html.escape(what)}</td></tr>"
                   for key, what in SHORTCUTS)
    return f"""
<h2 id="jd-help-title">Job Management help</h2>
<p>Every image-generation job ever run, newest first. Filter by status, date,
configuration or text; click a column header to sort; click a statistics card to show only
jobs of that status. Click a Job ID (or <em>View</em>) to open a job. The page updates by
itself while jobs run.</p>
<h3>Keyboard shortcuts</h3>
<table><thead><tr><th scope="col">Key</th><th scope="col">Action</th></tr></thead>
<tbody>{rows}</tbody></table>
"""


class Header(pn.viewable.Viewer):
    """The top of the Job Management page."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing refreshed by "Refresh" and whose runner status is shown.""")

    dashboard_url = param.String(default=None, allow_None=True, doc="""
        Where "Back to Dashboard" leads; None hides the link (e.g. in a notebook).""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self.refresh_button = pn.widgets.Button(label="Refresh", width=96, stylesheets=css)
        self.help_button = pn.widgets.Button(label="Help", width=80, stylesheets=css)
        self.help = Dialog(title="Job Management help", factory=lambda: [
            pn.pane.HTML(help_html(), stylesheets=[HELP_CSS], width=560, margin=0)])
        self.refresh_button.on_click(lambda _: self.listing.load())
        self.help_button.on_click(lambda _: self.help.show())
        self._title = pn.pane.HTML(self._title_html(), stylesheets=[HEADER_CSS], margin=0,
                                   sizing_mode="stretch_width")
        self._status = pn.pane.HTML("", stylesheets=[STATUS_CSS], margin=(0, 0, 8, 0),
                                    align="end")
        self.listing.param.watch(self._update, ["runner", "reachable"])
        self._update()
        self._layout = pn.Row(
            self._title,
            pn.Column(self._status, pn.Row(self.refresh_button, self.help_button, align="end"),
                      align="end", margin=0),
            self.help, sizing_mode="stretch_width", margin=(0, 0, 8, 0))

    def _title_html(self) -> str:
        back = crumbs = ""
        if self.dashboard_url is not None:
            url = html.escape(self.dashboard_url, quote=True)
            back = (f'<a class="jd-back" href="{url}"><span aria-hidden="true">←</span>'
                    "Back to Dashboard</a>")
            crumbs = (f'<nav class="jd-crumbs" aria-label="Breadcrumb"><ol><li><a href="{url}">'
                      'Dashboard</a></li><li aria-current="page">Job Management</li></ol></nav>')
        return (f"{back}{crumbs}<h1>Job Management</h1>"
                '<p class="jd-lead">Every generation run: filter, sort, inspect and act.</p>')

    def _update(self, *_: Any) -> None:
        self._status.object = runner_html(self.listing.runner, self.listing.reachable)

    def __panel__(self) -> pn.Row:
        return self._layout

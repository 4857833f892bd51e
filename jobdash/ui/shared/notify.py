"""Toasts: Panel notifications on a served page that has them, and always a polite live
region, so screen readers hear the same message. In a notebook the live region is the toast,
shown as a line under the component: Panel's notifications need Notyf, which is not defined
when Panel renders inline in JupyterLab (the toast never showed and the console said so)."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from jobdash.ui import assets
from jobdash.ui.shared import theme
from jobdash.ui.shared.live import is_served

KINDS = ("info", "success", "warning", "error")

DURATION_MS = 6000
"""How long a toast stays on screen."""

LIVE_CSS = theme.HTML_CSS + assets.css("notify")


class Toaster(pn.viewable.Viewer):
    """Shows short messages about what happened (job finished, action done, refused)."""

    message = param.String(default="", doc="""The last message shown (plain text).""")

    kind = param.Selector(
        default="info",
        objects=list(KINDS),
        doc="""
        Kind of the last message: info, success, warning or error.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._served = is_served()
        self._live = pn.pane.HTML(
            self._html(), stylesheets=[LIVE_CSS], margin=0, sizing_mode="stretch_width"
        )
        self._slots: dict[str, Any] = {}  # slot -> the toast last shown in it

    def show(self, kind: str, text: str, slot: str | None = None) -> None:
        """Announce ``text`` (escaped: it may hold labels typed by users). A toast shown in
        a ``slot`` replaces the one shown there before, if it is still on screen (a stream
        of similar news is one toast, not a stack)."""
        self.param.update(kind=kind, message=text)
        notifications = self._notifications()
        if notifications is not None:
            previous = self._slots.pop(slot, None) if slot is not None else None
            if previous is not None:
                previous.destroy()
            toast = getattr(notifications, kind)(html.escape(text), duration=DURATION_MS)
            if slot is not None:
                self._slots[slot] = toast
        self._live.object = self._html()

    def _notifications(self) -> Any:
        """Panel's notification area of this served page, or None (none, or a notebook)."""
        return pn.state.notifications if self._served else None

    def _html(self) -> str:
        hidden = self._notifications() is not None or not self.message
        return assets.render("notify", hidden=hidden, kind=self.kind, message=self.message)

    def __panel__(self) -> pn.pane.HTML:
        return self._live

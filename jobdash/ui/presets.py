"""Filter presets: save the current filters under a name, apply one, delete one (the
service's preset API; sort and page size stay as they are)."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from ..errors import JobdashError
from . import theme
from .state import JobListing

NO_PRESET = "Choose a preset"


class PresetBar(pn.viewable.Viewer):
    """"Preset" choice (applies at once), "Preset name" + "Save preset", "Delete preset"."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing whose query's filters are saved and replaced.""")

    message = param.String(default="", doc="""
        What the last preset operation did, or why it was refused (shown beside it).""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self._choice = pn.widgets.Select(label="Preset", width=200, stylesheets=css)
        self._name = pn.widgets.TextInput(label="Preset name", placeholder="e.g. Failed today",
                                          max_length=100, width=180, stylesheets=css)
        self._save = pn.widgets.Button(label="Save preset", width=110, align="end",
                                       stylesheets=css)
        self._delete = pn.widgets.Button(label="Delete preset", width=120, align="end",
                                         stylesheets=css)
        self._said = pn.pane.HTML("", stylesheets=[theme.HTML_CSS], align="end",
                                  margin=(5, 10, 12, 10))
        self.param.watch(self._show_message, "message")
        self._choice.param.watch(lambda e: self.apply(e.new), "value")
        self._save.on_click(lambda _: self.save(self._name.value_input or self._name.value))
        self._delete.on_click(lambda _: self.delete(self._choice.value))
        self._layout = pn.Row(self._choice, self._delete, self._name, self._save, self._said, margin=0,
                              styles={"flex-wrap": "wrap", "align-items": "flex-end"})
        self.refresh()

    def refresh(self) -> None:
        """Re-read the saved presets (none chosen)."""
        names = [p["name"] for p in self.listing.service.presets()]
        self._choice.param.update(options=[NO_PRESET, *names], value=NO_PRESET)
        self._delete.disabled = self._choice.value == NO_PRESET

    def save(self, name: str) -> None:
        """Save the current filters as preset ``name`` (replacing one of that name)."""
        try:
            self.listing.service.save_preset(name, self.listing.query)
        except JobdashError as exc:
            self.message = f"Preset not saved: {exc}"
            return
        self._name.param.update(value="", value_input="")
        self.refresh()
        self.message = f"Saved preset “{name.strip()}”"

    def apply(self, name: str) -> None:
        """Replace the filters with preset ``name``'s."""
        self._delete.disabled = name == NO_PRESET
        if name == NO_PRESET:
            return
        try:
            query = self.listing.service.apply_preset(name, self.listing.query)
        except JobdashError as exc:
            self.message = f"Preset not applied: {exc}"
            return
        self.listing.query.param.update(**query.filters())

    def delete(self, name: str) -> None:
        """Delete preset ``name``."""
        if name == NO_PRESET:
            return
        try:
            self.listing.service.delete_preset(name)
        except JobdashError as exc:
            self.message = f"Preset not deleted: {exc}"
            return
        self.refresh()
        self.message = f"Deleted preset “{name}”"

    def _show_message(self, event: param.parameterized.Event) -> None:
        self._said.object = (f'<p role="status" class="jd-caption" style="margin:0">'
                             f"{html.escape(event.new)}</p>")

    def __panel__(self) -> pn.Row:
        return self._layout

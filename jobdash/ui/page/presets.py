"""Filter presets: save the current filters under a name, apply one, delete one (through
the listing's :class:`jobdash.ui.page.preset_state.FilterPresets`; sort and page size stay
as they are).

Every outcome ends in a toast. A name the service refuses (empty, too long, control
characters) says why and saves nothing; saving under a name already taken asks before
replacing that preset, and deleting asks first (the page's confirmation dialog)."""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from jobdash.errors import JobdashError
from jobdash.query import FILTER_FIELDS
from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared import theme
from jobdash.ui.shared.dialog import Confirmation, Dialog
from jobdash.ui.shared.dismiss import Dismisser
from jobdash.ui.shared.notify import Toaster

NO_PRESET = "Choose a preset"
FILTERS_CSS = assets.css("filters")
MENU_CSS = assets.css("presets-menu")


class PresetBar(pn.viewable.Viewer):
    """A "Presets" toggle button on the filter bar's line opening a menu below it (over the
    page, which does not move; Escape or a press outside closes it): "Preset" choice
    (applies at once), "Delete preset", "Preset name" + "Save preset" (Enter in the name
    saves too)."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing whose query's filters are saved and replaced.""",
    )

    toaster = param.ClassSelector(
        class_=Toaster,
        doc="""
        The page's toaster, where outcomes are announced.""",
    )

    pending = param.Parameter(
        default=None,
        doc="""
        What the confirmation dialog asks about: ``("replace", name)`` or
        ``("delete", name)``; None when it asks nothing.""",
    )

    _applied: dict[str, Any] | None = None  # the chosen preset's filters, while they hold

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self._choice = pn.widgets.Select(label="Preset", width=200, stylesheets=css)
        # No max_length: the browser would cut a pasted name short without a word; the
        # service refuses one too long and the toast says so.
        self._name = pn.widgets.TextInput(
            label="Preset name", placeholder="e.g. Failed today", width=180, stylesheets=css
        )
        self._save = pn.widgets.Button(label="Save preset", width=110, align="end", stylesheets=css)
        self._delete = pn.widgets.Button(
            label="Delete preset", width=120, align="end", stylesheets=css
        )
        self._confirmation: Confirmation | None = None
        # The question and its buttons are built when the page prepares its dialogs (after
        # its first render) or when the dialog first opens, whichever comes first.
        self.dialog = Dialog(title="Delete preset", factory=lambda: self._asking().contents)
        pn.bind(self._dialog_toggled, self.dialog.param.open, watch=True)
        pn.bind(self.apply, self._choice, watch=True)
        self._save.on_click(lambda _: self.save(self._typed()))
        self._name.param.watch(lambda _: self.save(self._typed()), "enter_pressed")
        self._delete.on_click(lambda _: self.delete(self._choice.value))
        self.toggle = pn.widgets.Toggle(
            label="Presets",
            width=96,
            margin=0,
            stylesheets=[*css, FILTERS_CSS],
            css_classes=["jd-presets-toggle"],
        )
        self._menu = pn.Column(
            pn.Row(self._choice, self._delete, margin=0, styles={"align-items": "flex-end"}),
            pn.Row(self._name, self._save, margin=0, styles={"align-items": "flex-end"}),
            visible=False,
            margin=0,
            width=360,
            stylesheets=[theme.SECTION_CSS, MENU_CSS],
            css_classes=["jd-presets-menu"],
        )
        self.toggle.link(self._menu, value="visible")
        # Escape or a press outside closes it, as a menu does.
        self._dismisser = Dismisser(menu_class="jd-presets-menu", button_class="jd-presets-toggle")
        self.toggle.param.watch(lambda e: setattr(self._dismisser, "open", e.new), "value")
        self._dismisser.param.watch(lambda _: setattr(self.toggle, "value", False), "dismissed")
        self._layout = pn.Column(
            self.toggle,
            self._menu,
            self.dialog,
            self._dismisser,
            margin=0,
            styles={"position": "relative"},
        )
        self._show_presets()

    # -- API --------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the saved presets (none chosen)."""
        self.listing.presets.refresh()
        self._show_presets()

    def _show_presets(self) -> None:
        """The saved presets as choices, none chosen."""
        self._choice.param.update(options=[NO_PRESET, *self.listing.presets.names], value=NO_PRESET)
        self._delete.disabled = True

    def save(self, name: str) -> None:
        """Save the current filters as preset ``name``; asks first when that name is taken.
        A name the service refuses ends in an error toast and saves nothing."""
        if isinstance(name, str) and self.listing.presets.taken(name):
            self._ask("replace", name.strip())
            return
        self._store(name, replaced=False)

    def apply(self, name: str) -> None:
        """Replace the filters with preset ``name``'s."""
        self._delete.disabled = name == NO_PRESET
        if name == NO_PRESET:
            return
        try:
            filters = self.listing.presets.filters(name, self.listing.query)
        except JobdashError as exc:
            self.toaster.show("error", f"Preset not applied: {exc}")
            self.refresh()
            return
        self._applied = None
        self.listing.query.param.update(**filters)
        self._applied = self.listing.query.filters()

    def delete(self, name: str) -> None:
        """Ask whether to delete preset ``name`` (the dialog's "Delete" does it)."""
        if name == NO_PRESET:
            return
        self._ask("delete", name)

    def confirm(self) -> None:
        """Do what the dialog asked about (replace or delete a preset)."""
        pending, self.pending = self.pending, None
        self.dialog.hide()
        if pending is None:
            return
        action, name = pending
        if action == "replace":
            self._store(name, replaced=True)
        else:
            self._remove(name)

    def cancel(self) -> None:
        """Close the dialog; nothing changes."""
        self.pending = None
        self.dialog.hide()

    # -- helpers ----------------------------------------------------------------------------

    def _typed(self) -> str:
        return self._name.value_input or self._name.value or ""

    def _asking(self) -> Confirmation:
        """The question and its buttons, wired (built the first time they are needed)."""
        if self._confirmation is None:
            self._confirmation = Confirmation("Delete preset", "Delete", color="danger")
            self._confirmation.confirm.on_click(lambda _: self.confirm())
            self._confirmation.cancel.on_click(lambda _: self.cancel())
        return self._confirmation

    def _ask(self, action: str, name: str) -> None:
        # The dialog's name is fixed text and the preset's name (typed by a user) is only in
        # its heading, escaped: a title holding markup reaches the browser altered (Panel
        # sanitizes ReactiveHTML's text, so "<img src=x onerror=…>" was read as '<img src="x">').
        asking = self._asking()
        if action == "replace":
            title, label, color = "Replace preset", "Replace", "primary"
        else:
            title, label, color = "Delete preset", "Delete", "danger"
        asking.confirm.param.update(label=label, color=color)
        asking.question.object = assets.render("presets-question", action=action, preset=name)
        self.pending = (action, name)
        self.dialog.title = title
        self.dialog.show()

    def _store(self, name: str, *, replaced: bool) -> None:
        try:
            self.listing.presets.save(name, self.listing.query)
        except JobdashError as exc:
            self.toaster.show("error", f"Preset not saved: {exc}")
            return
        text = name.strip()
        self._name.param.update(value="", value_input="")
        self._show_presets()
        self.toaster.show("success", f"{'Replaced' if replaced else 'Saved'} preset “{text}”")

    def _remove(self, name: str) -> None:
        try:
            self.listing.presets.delete(name)
        except JobdashError as exc:
            self.toaster.show("error", f"Preset not deleted: {exc}")
            self._show_presets()
            return
        self._show_presets()
        self.toaster.show("success", f"Deleted preset “{name}”")

    @param.depends(*(f"listing.query.{field}" for field in FILTER_FIELDS), watch=True)
    def _filters_changed(self) -> None:
        """Filters changed by hand no longer show the preset they started from (choosing it
        again applies it again)."""
        if self._applied is not None and self.listing.query.filters() != self._applied:
            self._applied = None
            self._choice.value = NO_PRESET

    def _dialog_toggled(self, is_open: bool) -> None:
        if not is_open:
            self.pending = None

    def __panel__(self) -> pn.Column:
        return self._layout

"""Job table: Tabulator over one page of ``get_all`` rows, sorted on the server.

Clicking a sortable header (a real button, so the keyboard can sort too) changes the shared
``JobQuery``; the listing re-queries and the table shows the page in the server's order
(the client-side comparator keeps the row order as delivered). Live changes patch cells in
place, so the page, sort, scroll position and selection survive.

Panel's table view applies a patch, like a new value, by giving Tabulator all its rows anew
(``setData``): every row element is replaced, and whatever had keyboard focus in the table
is gone from the page. :class:`TableFocus` focuses the same place again once the rows are
drawn, and holds the redraw back while a cell's inline editor is open: ``setData`` would
close the editor and lose what was typed. It patches Panel's view for this table only (the
table carries the tag :data:`~jobdash.ui.shared.hidden.OWN`) and only with the Panel and
Bokeh versions it was written for; see ``docs/upstream/tabulator-rows-replaced-on-patch.md``.
The browser code is in ``assets/js/table-focus.js``, ``assets/js/table-formatters.js`` and
``assets/css/table.css``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import panel as pn
import param
from panel.io.model import JSCode
from panel.theme import Design

from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import (
    actions_html,
    date_text,
    duration_text,
    images_html,
    job_id_html,
    label_html,
    status_badge,
)
from jobdash.ui.shared.hidden import OWN, Patch, patch_scripts, patches
from jobdash.ui.shared.keys import TABLE_CLASS, RowMenu

# Display column -> (title, JobQuery sort key or None when the column does not sort).
COLUMNS: dict[str, tuple[str, str | None]] = {
    "job": ("Job ID", "id"),
    "label": ("Label", "label"),
    "status": ("Status", "status"),
    "date": ("Date", "started_at"),
    "duration": ("Duration", "duration"),
    "images": ("Images", "images"),
}
# A row's actions, in its ⋮ menu (the last column) and its right-click menu.
ACTIONS: tuple[str, ...] = ("view", "export", "rerun", "delete")
# On narrow screens the table hides columns in this order (larger first); 0 never hides.
HIDE_ORDER = {"duration": 3, "images": 2, "date": 1}
LABEL_MIN_WIDTH = 160
DISPLAY_COLUMNS: tuple[str, ...] = ("id", "label_html", *COLUMNS, "actions")
HIDDEN_COLUMNS: tuple[str, ...] = ("id", "label_html")
HTML_COLUMNS: tuple[str, ...] = ("job", "status", "images", "actions")
SORT_FIELD = {sort: field for field, (_, sort) in COLUMNS.items()}

# Tabulator callbacks longer than an expression (assets/js/table-formatters.js).
FORMATTERS = {name: JSCode(code) for name, code in assets.functions("table-formatters").items()}
# The label cell holds the plain label (what the inline editor edits) and shows the escaped,
# search-highlighted HTML of the hidden ``label_html`` column.
LABEL_FORMATTER = JSCode("(cell) => cell.getRow().getData().label_html")
# Hidden columns stay in the DOM (undisplayed): they render nothing, so no text is found twice.
EMPTY_FORMATTER = JSCode("() => ''")
# With its own formatter, the checkbox column no longer gets the click on the rest of the cell
# that Panel binds to "rowSelection": bound here.
TOGGLE_ROW = JSCode("(e, cell) => cell.getRow().toggleSelect()")
TABLE_CSS = theme.FOCUS_CSS + theme.BADGE_CSS + assets.css("table")


class TableFocus(Patch):
    """Keeps keyboard focus on its cell when the table's rows are drawn anew and an open inline
    editor through live updates (see ``assets/js/table-focus.js``)."""

    _template = '<div id="focus" hidden></div>'

    _scripts = patch_scripts("table-focus")


def display_frame(rows: pd.DataFrame, search: str) -> pd.DataFrame:
    """The table's columns for listing rows: text and escaped HTML, one row per job."""
    ids = [int(i) for i in rows["id"]]
    frame = pd.DataFrame(
        {
            "id": ids,
            "job": [job_id_html(i) for i in ids],
            "label_html": [label_html(v, search) for v in rows["label"]],
            "label": ["" if pd.isna(v) else str(v) for v in rows["label"]],
            "status": [
                status_badge(s, p) for s, p in zip(rows["status"], rows["progress"], strict=True)
            ],
            "date": [
                date_text(s if not pd.isna(s) else q)
                for s, q in zip(rows["started_at"], rows["queued_at"], strict=True)
            ],
            "duration": [duration_text(d) for d in rows["duration_s"]],
            "images": [
                images_html(t, f, q)
                for t, f, q in zip(
                    rows["total_images"],
                    rows["failed_images"],
                    rows["qc_failed_images"],
                    strict=True,
                )
            ],
            "actions": [actions_html(i) for i in ids],
        },
        columns=list(DISPLAY_COLUMNS),
    )
    return frame


def changed_cells(
    old: pd.DataFrame | None, new: pd.DataFrame
) -> dict[str, list[tuple[int, Any]]] | None:
    """Cell patches turning ``old`` into ``new`` when both show the same jobs in the same
    order (``{column: [(position, value), ...]}``, empty when nothing changed); None when
    the rows differ and the table must be replaced."""
    if old is None or list(old["id"]) != list(new["id"]):
        return None
    patch: dict[str, list[tuple[int, Any]]] = {}
    for column in new.columns:
        pairs = zip(old[column], new[column], strict=True)
        cells = [(pos, b) for pos, (a, b) in enumerate(pairs) if a != b]
        if cells:
            patch[column] = cells
    return patch


def _columns(spec: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for column in spec:
        out.extend(_columns(column["columns"]) if "columns" in column else [column])
    return out


class _ServerSortedTabulator(pn.widgets.Tabulator):
    """Tabulator whose header sort only reports the click: rows stay in server order.

    Per-column settings are set here on the column of their field, not passed as
    ``configuration["columns"]``: with ``selectable="checkbox"`` Panel merges those one column
    early (``docs/upstream/tabulator-checkbox-columns.md``)."""

    def _get_configuration(self, columns: list[Any]) -> dict[str, Any]:
        configuration = super()._get_configuration(columns)
        for column in _columns(configuration["columns"]):
            column["vertAlign"] = "middle"
            column["responsive"] = HIDE_ORDER.get(column.get("field"), 0)
            if column.get("field") == "actions":
                column["cssClass"] = "jd-action-cell"
            if column.get("field") == "label":
                column["minWidth"] = LABEL_MIN_WIDTH
            if column.get("formatter") == "rowSelection":
                column.update(
                    formatter=FORMATTERS["rowCheckbox"],
                    titleFormatter=FORMATTERS["headerCheckbox"],
                    cellClick=TOGGLE_ROW,
                )
            if column.get("field") and column.get("headerSort", True) is not False:
                column["sorter"] = FORMATTERS["keepServerOrder"]
        return configuration


class JobTable(pn.viewable.Viewer):
    """The page of jobs as a table: sort by header, select rows, open a job, row actions."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing shown (its query gets the sort; its selection the checked rows).""",
    )

    on_action = param.Callable(
        default=None,
        doc="""
        Called as ``on_action(action, job_id)`` for a row action chosen in its menu
        ("view", "export", "rerun", "delete"); clicking a Job ID is "view".""",
    )

    on_rename = param.Callable(
        default=None,
        doc="""
        Called as ``on_rename(job_id, label) -> bool`` when a label was edited in place;
        False (refused) puts the old label back.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._syncing = False
        self._shown = display_frame(self.listing.rows, self.listing.query.search)
        titles = {field: title for field, (title, _) in COLUMNS.items()}
        titles["actions"] = "Actions"
        self.menu = RowMenu(items=[[a, a.capitalize()] for a in ACTIONS])
        self.menu.param.watch(self._chosen, "chosen")
        self._table = _ServerSortedTabulator(
            self._shown,
            show_index=False,
            selectable="checkbox",
            hidden_columns=list(HIDDEN_COLUMNS),
            titles=titles,
            formatters={
                "label": LABEL_FORMATTER,
                "label_html": EMPTY_FORMATTER,
                **{c: "html" for c in HTML_COLUMNS},
            },
            editors={**{c: None for c in DISPLAY_COLUMNS}, "label": "input"},
            sortable={c: c in COLUMNS for c in DISPLAY_COLUMNS},
            title_formatters={c: FORMATTERS["sortButtonTitle"] for c in COLUMNS},
            widths={
                "job": 118,
                "status": 142,
                "date": 142,
                "duration": 132,
                "images": 112,
                "actions": 84,
            },
            sorters=self._sorters(),
            row_height=theme.ROW_HEIGHT,
            layout="fit_columns",
            theme="simple",
            design=Design,
            sizing_mode="stretch_width",
            margin=0,
            container_popup=False,
            configuration={
                "placeholder": "No jobs match these filters.",
                "responsiveLayout": "hide",
                "renderVertical": "basic",
                # Tabbing onto the label cell must not open its editor: a click
                # does, or Enter on the focused cell (jobdash.ui.keys.TableKeys).
                "editTriggerEvent": "click",
                # Home and End move within a row of the grid (TableKeys), not scroll it.
                "keybindings": {"scrollToStart": False, "scrollToEnd": False},
            },
            stylesheets=[TABLE_CSS],
            tags=[OWN],
            css_classes=[TABLE_CLASS],
        )
        self._table.on_click(self._clicked)
        self._table.on_edit(self._edited)
        self._init_callbacks()
        self._select_visible()

    def _init_callbacks(self) -> None:
        self.listing.param.watch(self._rows_changed, "rows")
        self.listing.query.param.watch(self._sort_changed, ["sort", "descending"])
        self.listing.selection.param.watch(
            lambda *_: self._select_visible(), ["ids", "all_matching"]
        )
        self._table.param.watch(self._header_sorted, "sorters")
        self._table.param.watch(self._rows_checked, "selection")

    def _sorters(self) -> list[dict[str, str]]:
        query = self.listing.query
        return [{"field": SORT_FIELD[query.sort], "dir": "desc" if query.descending else "asc"}]

    def _header_sorted(self, event: param.parameterized.Event) -> None:
        if not event.new or self._syncing:
            return
        sorter = event.new[0]
        sort = COLUMNS.get(sorter.get("field"), (None, None))[1]
        if sort is not None:
            self.listing.query.param.update(sort=sort, descending=sorter.get("dir") == "desc")

    def _sort_changed(self, *_: Any) -> None:
        sorters = self._sorters()
        if self._table.sorters != sorters:
            with self._guard():
                self._table.sorters = sorters

    def _rows_changed(self, *_: Any) -> None:
        new = display_frame(self.listing.rows, self.listing.query.search)
        patch = changed_cells(self._shown, new)
        self._shown = new
        if patch is None:
            with self._guard():
                self._table.value = new
            self._select_visible()
        elif patch:
            self._table.patch(patch, as_index=False)

    def _select_visible(self) -> None:
        wanted = self.listing.selection.on_page(self.listing.page_ids)
        if self._table.selection != wanted:
            with self._guard():
                self._table.selection = wanted

    def _rows_checked(self, event: param.parameterized.Event) -> None:
        if self._syncing:
            return
        ids = self.listing.page_ids
        self.listing.selection.sync_page(ids, [ids[i] for i in event.new if i < len(ids)])

    def _clicked(self, event: Any) -> None:
        ids = self.listing.page_ids
        if self.on_action is None or event.column != "job":
            return
        if event.row is None or not 0 <= event.row < len(ids):
            return
        self.on_action("view", ids[event.row])

    def _chosen(self, event: param.parameterized.Event) -> None:
        if not event.new:
            return
        action, job_id = event.new
        self.menu.chosen = []
        if self.on_action is not None and action in ACTIONS and job_id in self.listing.page_ids:
            self.on_action(action, int(job_id))

    def _edited(self, event: Any) -> None:
        ids = self.listing.page_ids
        if event.column != "label" or not 0 <= event.row < len(ids):
            return
        saved = self.on_rename is not None and self.on_rename(ids[event.row], event.value)
        if not saved:
            self._table.patch({"label": [(event.row, event.old)]}, as_index=False)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Mark updates the table makes itself, so its own watchers ignore them."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def __panel__(self) -> pn.Column:
        return pn.Column(
            self._table, self.menu, *patches(TableFocus), sizing_mode="stretch_width", margin=0
        )

"""Job table: Tabulator over one page of ``get_all`` rows, sorted on the server.

Clicking a sortable header (a real button, so the keyboard can sort too) changes the shared
``JobQuery``; the listing re-queries and the table shows the page in the server's order
(the client-side comparator keeps the row order as delivered). Live changes patch cells in
place, so the page, sort, scroll position and selection survive.

Panel's table view applies a patch, like a new value, by giving Tabulator all its rows anew
(``setData``): every row element is replaced, and whatever had keyboard focus in the table
is gone from the page. :class:`TableFocus` focuses the same place again once the rows are
drawn, and holds the redraw back while a cell's inline editor is open: ``setData`` would
close the editor and lose what was typed.
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

from jobdash.ui.page.state import JobListing
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import (
    action_html,
    date_text,
    duration_text,
    images_html,
    job_id_html,
    label_html,
    status_badge,
)
from jobdash.ui.shared.hidden import Hidden, once_per_tabulator_view

# Display column -> (title, JobQuery sort key or None when the column does not sort).
COLUMNS: dict[str, tuple[str, str | None]] = {
    "job": ("Job ID", "id"),
    "label": ("Name", "label"),
    "status": ("Status", "status"),
    "date": ("Date", "started_at"),
    "duration": ("Duration", "duration"),
    "images": ("Images", "images"),
}
ACTIONS: tuple[str, ...] = ("view", "export", "rerun", "delete")
# On narrow screens the table hides columns in this order (larger first); 0 never hides.
HIDE_ORDER = {"duration": 3, "images": 2, "date": 1}
LABEL_MIN_WIDTH = 160
DISPLAY_COLUMNS: tuple[str, ...] = ("id", "label_html", *COLUMNS, *ACTIONS)
HIDDEN_COLUMNS: tuple[str, ...] = ("id", "label_html")
HTML_COLUMNS: tuple[str, ...] = ("job", "status", "images", *ACTIONS)
SORT_FIELD = {sort: field for field, (_, sort) in COLUMNS.items()}

# Keep the server's order whatever the header's direction (Tabulator swaps the arguments
# for a descending sort, hence the direction test).
KEEP_SERVER_ORDER = JSCode(
    "(a, b, aRow, bRow, column, dir) => dir === 'desc' "
    "? bRow.getData()._index - aRow.getData()._index "
    ": aRow.getData()._index - bRow.getData()._index")
# Sortable headers hold a real button, so sorting works from the keyboard. The table's
# scroll holder is made unfocusable: it sits inside role=grid, where only rows may be, and
# the table never scrolls inside itself (the page does).
SORT_BUTTON_TITLE = JSCode(
    "(cell, params, onRendered) => { const b = document.createElement('button');"
    " b.type = 'button'; b.className = 'jd-sort'; b.textContent = cell.getValue();"
    " onRendered(() => { const holder = cell.getTable().element"
    ".querySelector('.tabulator-tableholder'); if (holder) { holder.removeAttribute('tabindex') } });"
    " return b }")
# The label cell holds the plain label (what the inline editor edits) and shows the escaped,
# search-highlighted HTML of the hidden ``label_html`` column.
LABEL_FORMATTER = JSCode("(cell) => cell.getRow().getData().label_html")
# Hidden columns stay in the DOM (undisplayed): they render nothing, so no text is found twice.
EMPTY_FORMATTER = JSCode("() => ''")
# The right-click menu of a row runs the same actions by clicking the row's action button.
ROW_MENU = [{"label": a.capitalize(), "action": JSCode(
    f"(e, row) => row.getElement().querySelector('button.jd-act-{a}').click()")}
    for a in ACTIONS]
# Tabulator's row-selection checkboxes all say "Select Row": each row's is named after its
# job as shown ("Select JOB-000042", the text of the row's Job ID button), the header's
# after what it selects. Formatters run whenever rows are drawn, so names follow the rows;
# ``this`` is Tabulator's Format module, whose own formatter still makes the checkbox (as
# the formatter is no longer the string "rowSelection", the click on the rest of the cell
# that Panel binds to it is bound here).
ROW_CHECKBOX = JSCode(
    "function (cell, params, onRendered) {"
    " const box = this.constructor.formatters.rowSelection.call(this, cell, params, onRendered);"
    " const job = document.createElement('template'); job.innerHTML = cell.getData().job;"
    " if (box instanceof Element) { box.setAttribute('aria-label',"
    " `Select ${job.content.textContent.trim()}`) } return box }")
HEADER_CHECKBOX = JSCode(
    "function (cell, params, onRendered) {"
    " const box = this.constructor.formatters.rowSelection.call(this, cell, params, onRendered);"
    " if (box instanceof Element) { box.setAttribute('aria-label', 'Select all jobs on this page') }"
    " return box }")
TOGGLE_ROW = JSCode("(e, cell) => cell.getRow().toggleSelect()")
# Action columns share one visible "Actions" header; each keeps its own name for readers.
ACTION_TITLE = JSCode(
    "(cell) => { const box = document.createElement('span'); const name = cell.getValue();"
    " if (name === 'View') { const shown = document.createElement('span');"
    " shown.textContent = 'Actions'; shown.setAttribute('aria-hidden', 'true');"
    " shown.className = 'jd-actions-title'; box.appendChild(shown) }"
    " const hidden = document.createElement('span'); hidden.className = 'jd-sr';"
    " hidden.textContent = name; box.appendChild(hidden); return box }")

# ``:host`` raises specificity above the Tabulator theme stylesheet loaded after ours.
TABLE_CSS = theme.FOCUS_CSS + theme.BADGE_CSS + """
:host { --jd-cell-pad: 10px; }
:host .tabulator { font-family: var(--jd-font); font-size: var(--jd-table-size);
  line-height: var(--jd-table-line); border: 1px solid var(--jd-border);
  border-radius: var(--jd-radius-table); background: var(--jd-surface); color: var(--jd-text); }
:host .tabulator .tabulator-header { background: var(--jd-background); border-bottom: 1px solid
  var(--jd-border); color: var(--jd-text-muted); font-weight: 600; }
:host .tabulator .tabulator-header .tabulator-col { background: var(--jd-background);
  border-right: none; }
:host .tabulator .tabulator-header .tabulator-col .tabulator-col-content { padding: 10px
  var(--jd-cell-pad); }
:host .tabulator .tabulator-col-title { font-size: 12px; text-transform: uppercase;
  letter-spacing: 0.03em; }
:host .tabulator .tabulator-tableholder .tabulator-table { background: var(--jd-surface);
  color: var(--jd-text); }
:host .tabulator .tabulator-row { border-bottom: 1px solid var(--jd-border);
  background: var(--jd-surface); color: var(--jd-text); }
:host .tabulator .tabulator-row:hover { background: var(--jd-row-hover); }
:host .tabulator .tabulator-row.tabulator-selected { background: var(--jd-primary-soft); }
:host .tabulator .tabulator-row .tabulator-cell { padding: 0 var(--jd-cell-pad);
  height: var(--jd-row-height); font-size: var(--jd-table-size); border-right: none; }
:host .tabulator .tabulator-placeholder .tabulator-placeholder-contents {
  color: var(--jd-text-muted); font-size: var(--jd-body-size); font-weight: 400; padding: 32px; }
button.jd-sort { all: unset; cursor: pointer; text-transform: inherit; letter-spacing: inherit;
  border-radius: 3px; }
.jd-actions-title { white-space: nowrap; }
:host .tabulator .tabulator-row .tabulator-cell.jd-action-cell,
:host .tabulator .tabulator-header .tabulator-col.jd-action-cell .tabulator-col-content {
  padding-left: 4px; padding-right: 4px; }
.jd-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
button.jd-jobid { all: unset; cursor: pointer; font-family: var(--jd-mono); font-size: 12.5px;
  color: var(--jd-primary-strong); text-decoration: underline; text-underline-offset: 3px;
  border-radius: 3px; }
:host .tabulator .tabulator-row:focus { outline: 3px solid var(--jd-primary);
  outline-offset: -3px; }
/* Tabulator's theme takes the outline off every cell, the one being edited too. */
:host .tabulator .tabulator-row .tabulator-cell:focus-visible,
:host .tabulator .tabulator-row .tabulator-cell.tabulator-editing:focus-within {
  outline: 3px solid var(--jd-primary); outline-offset: -3px; }
button.jd-sort:focus-visible, button.jd-jobid:focus-visible, button.jd-act:focus-visible {
  outline: 3px solid var(--jd-primary); outline-offset: 2px; }
.jd-label { display: block; min-width: 0; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.jd-muted { color: var(--jd-text-muted); font-style: italic; }
.jd-fail { color: var(--jd-error-strong); font-weight: 600; }
button.jd-act { all: unset; cursor: pointer; font-size: 12px; font-weight: 600; padding: 4px 6px;
  border-radius: var(--jd-radius-input); color: var(--jd-accent-strong); }
button.jd-act:hover { background: #EDE9FE; }
button.jd-act-delete { color: var(--jd-error-strong); }
button.jd-act-delete:hover { background: #FEE2E2; }
:host .tabulator input[type="checkbox"] { width: 16px; height: 16px; flex: none; vertical-align: middle;
  accent-color: var(--jd-primary-strong); cursor: pointer; }
"""

# Runs once per browser page (the flag lives on the view class). Tabulator replaces its rows
# between its ``dataProcessing`` and ``dataProcessed`` events, in one go; the first time
# Panel's view gives a table data (a patch or a new value) the table gets two listeners:
# before, they remember where the keyboard focus is in the table (its row's ``id``, the job
# id, or ``_index`` in a table without one; the row's position; the cell's field; which of
# the cell's focusables: -1 for the cell, or the row itself); after, if focus was there and
# has gone, they focus the same place in the new row. A row gone from the table gives way
# to the row now at its position, no rows at all to the header's first control.
FOCUS_JS = once_per_tabulator_view("_jd_focus_patched", """
  const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]';
  const key = (row) => { const data = row.getData(); return data.id ?? data._index; };
  const where = (view) => {
    const el = view.shadow_el.activeElement;
    const rowEl = el && el.closest('.tabulator-row');
    const rows = rowEl ? view.tabulator.getRows('active') : [];
    const position = rows.findIndex((row) => row.getElement() === rowEl);
    if (position < 0) { return null; }
    const cell = el.closest('.tabulator-cell');
    return {key: key(rows[position]), position,
            field: cell ? cell.getAttribute('tabulator-field') : null,
            nth: cell ? [...cell.querySelectorAll(FOCUSABLE)].indexOf(el) : -1};
  };
  const target = (view, place) => {
    const rows = view.tabulator.getRows('active');
    const row = rows.find((r) => key(r) === place.key)
      || rows[Math.min(place.position, rows.length - 1)];
    if (row == null) {
      return view.tabulator.element.querySelector('.tabulator-header :is(button, input)');
    }
    const cell = place.field == null ? null : row.getCell(place.field);
    if (cell == null) {
      const el = row.getElement();
      el.tabIndex = -1;
      return el;
    }
    const el = cell.getElement();
    return place.nth < 0 ? el : el.querySelectorAll(FOCUSABLE)[place.nth] || el;
  };
  const keepFocus = (view) => {
    const table = view.tabulator;
    if (table == null || table._jd_focus) { return; }
    table._jd_focus = true;
    let place = null;
    table.on('dataProcessing', () => { place = where(view); });
    table.on('dataProcessed', () => {
      if (place != null && view.shadow_el.activeElement == null) {
        const el = target(view, place);
        if (el != null) { el.focus({preventScroll: true}); }
      }
      place = null;
    });
  };
  for (const name of ['setData', 'updateOrAddData']) {
    const original = proto[name];
    proto[name] = function (...args) {
      keepFocus(this);
      return original.apply(this, args);
    };
  }
""")


# Runs once per browser page, after FOCUS_JS (so a held-back redraw keeps focus too). While
# a cell's inline editor is open (Panel's ``_has_active_editor``), a redraw of the table's
# rows (Panel's ``setData`` for a new value, ``updateOrAddData`` for a patch: both draw the
# model's current data) is held back and runs once the editor has closed; Tabulator clears
# the editor before it reports the edit (``cellEdited``, which Panel turns into a patch of
# the data and the edit event to Python) or its cancelling, and the redraw waits a
# microtask more so it draws the edited value. ``setData``'s promise settles after the
# held-back redraw, so Panel's work after it (the selection) applies to the rows drawn.
# Held back across a new value, the edited row may now be at another position or gone: the
# edit is reported at the job's new position (its ``id``), or not at all.
EDIT_JS = once_per_tabulator_view("_jd_edit_patched", """
  const release = (view) => {
    const held = view._jd_held;
    if (held == null || view._has_active_editor()) { return; }
    view._jd_held = null;
    if (held.waiting.length > 0) {
      const drawn = view.setData();
      held.waiting.forEach((resolve) => resolve(drawn));
    } else {
      view.updateOrAddData();
    }
  };
  const hold = (view) => {
    const edit = view.tabulator.modules.edit;
    if (!edit._jd_watched) {
      edit._jd_watched = true;
      const clearEditor = edit.clearEditor;
      edit.clearEditor = function (...args) {
        clearEditor.apply(this, args);
        queueMicrotask(() => release(view));
      };
    }
    view._jd_held ??= {waiting: []};
    return view._jd_held;
  };
  const setData = proto.setData;
  proto.setData = function (...args) {
    if (this.tabulator == null || !this._has_active_editor()) {
      return setData.apply(this, args);
    }
    const held = hold(this);
    return new Promise((resolve) => held.waiting.push(resolve));
  };
  const updateOrAddData = proto.updateOrAddData;
  proto.updateOrAddData = function (...args) {
    if (this.tabulator == null || !this._has_active_editor()) {
      return updateOrAddData.apply(this, args);
    }
    hold(this);
  };
  const cellEdited = proto.cellEdited;
  proto.cellEdited = function (cell) {
    const row = cell.getData();  // (a variable named data is taken for ReactiveHTML's own)
    const ids = this._jd_held?.waiting.length ? this.model.source.data.id : null;
    if (ids != null && row.id != null) {
      const position = [...ids].indexOf(row.id);
      if (position < 0) { return; }
      row._index = position;
    }
    return cellEdited.call(this, cell);
  };
""")


class TableFocus(Hidden):
    """Keeps keyboard focus on its cell when the table's rows are drawn anew (see FOCUS_JS)
    and an open inline editor through live updates (see EDIT_JS)."""

    _template = '<div id="focus" hidden></div>'

    # One script, each part in its own block: Panel keeps only the last of a list of scripts.
    _scripts = {"render": "".join(f"{{\n{js}}}\n" for js in (FOCUS_JS, EDIT_JS))}


def display_frame(rows: pd.DataFrame, search: str) -> pd.DataFrame:
    """The table's columns for listing rows: text and escaped HTML, one row per job."""
    ids = [int(i) for i in rows["id"]]
    frame = pd.DataFrame({
        "id": ids,
        "job": [job_id_html(i) for i in ids],
        "label_html": [label_html(v, search) for v in rows["label"]],
        "label": ["" if pd.isna(v) else str(v) for v in rows["label"]],
        "status": [status_badge(s, p) for s, p in zip(rows["status"], rows["progress"])],
        "date": [date_text(s if not pd.isna(s) else q)
                 for s, q in zip(rows["started_at"], rows["queued_at"])],
        "duration": [duration_text(d) for d in rows["duration_s"]],
        "images": [images_html(t, f, q) for t, f, q in
                   zip(rows["total_images"], rows["failed_images"], rows["qc_failed_images"])],
        **{a: [action_html(a, i) for i in ids] for a in ACTIONS},
    }, columns=list(DISPLAY_COLUMNS))
    return frame


def changed_cells(old: pd.DataFrame | None, new: pd.DataFrame
                  ) -> dict[str, list[tuple[int, Any]]] | None:
    """Cell patches turning ``old`` into ``new`` when both show the same jobs in the same
    order (``{column: [(position, value), ...]}``, empty when nothing changed); None when
    the rows differ and the table must be replaced."""
    if old is None or list(old["id"]) != list(new["id"]):
        return None
    patch: dict[str, list[tuple[int, Any]]] = {}
    for column in new.columns:
        cells = [(pos, b) for pos, (a, b) in enumerate(zip(old[column], new[column])) if a != b]
        if cells:
            patch[column] = cells
    return patch


def _columns(spec: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for column in spec:
        out.extend(_columns(column["columns"]) if "columns" in column else [column])
    return out


class _ServerSortedTabulator(pn.widgets.Tabulator):
    """Tabulator whose header sort only reports the click: rows stay in server order."""

    def _get_configuration(self, columns: list[Any]) -> dict[str, Any]:
        configuration = super()._get_configuration(columns)
        for column in _columns(configuration["columns"]):
            column["vertAlign"] = "middle"
            column["responsive"] = HIDE_ORDER.get(column.get("field"), 0)
            if column.get("field") in ACTIONS:
                column["cssClass"] = "jd-action-cell"
            if column.get("field") == "label":
                column["minWidth"] = LABEL_MIN_WIDTH
            if column.get("formatter") == "rowSelection":
                column.update(formatter=ROW_CHECKBOX, titleFormatter=HEADER_CHECKBOX,
                              cellClick=TOGGLE_ROW)
            if column.get("field") and column.get("headerSort", True) is not False:
                column["sorter"] = KEEP_SERVER_ORDER
        return configuration


class JobTable(pn.viewable.Viewer):
    """The page of jobs as a table: sort by header, select rows, open a job, row actions."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing shown (its query gets the sort; its selection the checked rows).""")

    on_action = param.Callable(default=None, doc="""
        Called as ``on_action(action, job_id)`` for a row action ("view", "export",
        "rerun", "delete"); clicking a Job ID is "view".""")

    on_rename = param.Callable(default=None, doc="""
        Called as ``on_rename(job_id, label) -> bool`` when a label was edited in place;
        False (refused) puts the old label back.""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._syncing = False
        self._shown = display_frame(self.listing.rows, self.listing.query.search)
        titles = {field: title for field, (title, _) in COLUMNS.items()}
        titles.update({a: a.capitalize() for a in ACTIONS})
        self._table = _ServerSortedTabulator(
            self._shown, show_index=False, selectable="checkbox", hidden_columns=list(HIDDEN_COLUMNS),
            titles=titles, formatters={"label": LABEL_FORMATTER, "label_html": EMPTY_FORMATTER,
                        **{c: "html" for c in HTML_COLUMNS}},
            editors={**{c: None for c in DISPLAY_COLUMNS}, "label": "input"},
            sortable={c: c in COLUMNS for c in DISPLAY_COLUMNS},
            title_formatters={**{c: SORT_BUTTON_TITLE for c in COLUMNS},
                              **{a: ACTION_TITLE for a in ACTIONS}},
            widths={"job": 118, "status": 142, "date": 142, "duration": 122, "images": 112,
                    "view": 74, "export": 64, "rerun": 60, "delete": 64},
            sorters=self._sorters(), row_height=theme.ROW_HEIGHT, layout="fit_columns",
            theme="simple", design=Design, sizing_mode="stretch_width", margin=0, container_popup=False,
            configuration={"placeholder": "No jobs match these filters.",
                           "responsiveLayout": "hide", "rowContextMenu": ROW_MENU,
                           "renderVertical": "basic",
                           # Tabbing onto the label cell must not open its editor: a click
                           # does, or Enter on the focused cell (jobdash.ui.keys.TableKeys).
                           "editTriggerEvent": "click"},
            stylesheets=[TABLE_CSS])
        self._table.on_click(self._clicked)
        self._table.on_edit(self._edited)
        self._init_callbacks()
        self._select_visible()

    def _init_callbacks(self) -> None:
        self.listing.param.watch(self._rows_changed, "rows")
        self.listing.query.param.watch(self._sort_changed, ["sort", "descending"])
        self.listing.selection.param.watch(lambda *_: self._select_visible(),
                                           ["ids", "all_matching"])
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
        column = event.column
        if self.on_action is None or column not in ("job", *ACTIONS):
            return
        ids = self.listing.page_ids
        if event.row is None or not 0 <= event.row < len(ids):
            return
        self.on_action("view" if column == "job" else column, ids[event.row])

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
        return pn.Column(self._table, TableFocus(), sizing_mode="stretch_width", margin=0)


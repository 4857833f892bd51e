// Runs once per browser page (the flags live on Panel's Tabulator view class) and only for
// jobdash's table (own, from patch.js): any other table calls straight through.
//
// Focus: Tabulator replaces its rows between its dataProcessing and dataProcessed events, in
// one go; the first time Panel's view gives the table data (a patch or a new value) the table
// gets two listeners: before, they remember where the keyboard focus is in the table (its
// row's id, the job id, or _index in a table without one; the row's position; the cell's
// field; which of the cell's focusables: -1 for the cell, or the row itself); after, if focus
// was there and has gone, they focus the same place in the new row. A row gone from the table
// gives way to the row now at its position, no rows at all to the header's first control.
//
// Editing (wrapped after the focus, so a held-back redraw keeps focus too): while a cell's
// inline editor is open (Panel's _has_active_editor), a redraw of the table's rows (Panel's
// setData for a new value, updateOrAddData for a patch: both draw the model's current data) is
// held back and runs once the editor has closed; Tabulator clears the editor before it reports
// the edit (cellEdited, which Panel turns into a patch of the data and the edit event to
// Python) or its cancelling, and the redraw waits a microtask more so it draws the edited
// value. setData's promise settles after the held-back redraw, so Panel's work after it (the
// selection) applies to the rows drawn. Held back across a new value, the edited row may now be
// at another position or gone: the edit is reported at the job's new position (its id), or not
// at all.
export function render(model, data, state, view, script, self) {
  self.setup();
  const { own, viewClass } = state;
  const View = viewClass("panel.models.tabulator.DataTabulator");
  if (View == null || View.prototype._jd_focus_patched) {
    return;
  }
  const proto = View.prototype;
  proto._jd_focus_patched = true;

  const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]";
  const key = (row) => {
    const values = row.getData();
    return values.id ?? values._index;
  };
  const where = (table) => {
    const el = table.shadow_el.activeElement;
    const rowEl = el?.closest(".tabulator-row");
    const rows = rowEl ? table.tabulator.getRows("active") : [];
    const position = rows.findIndex((row) => row.getElement() === rowEl);
    if (position < 0) {
      return null;
    }
    const cell = el.closest(".tabulator-cell");
    return {
      key: key(rows[position]),
      position,
      field: cell ? cell.getAttribute("tabulator-field") : null,
      nth: cell ? [...cell.querySelectorAll(FOCUSABLE)].indexOf(el) : -1,
    };
  };
  const target = (table, place) => {
    const rows = table.tabulator.getRows("active");
    const row =
      rows.find((r) => key(r) === place.key) || rows[Math.min(place.position, rows.length - 1)];
    if (row == null) {
      return table.tabulator.element.querySelector(".tabulator-header :is(button, input)");
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
  const keepFocus = (table) => {
    const tabulator = table.tabulator;
    if (tabulator == null || tabulator._jd_focus) {
      return;
    }
    tabulator._jd_focus = true;
    let place = null;
    tabulator.on("dataProcessing", () => {
      place = where(table);
    });
    tabulator.on("dataProcessed", () => {
      if (place != null && table.shadow_el.activeElement == null) {
        const el = target(table, place);
        if (el != null) {
          el.focus({ preventScroll: true });
        }
      }
      place = null;
    });
  };
  for (const name of ["setData", "updateOrAddData"]) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (own(this)) {
        keepFocus(this);
      }
      return original.apply(this, args);
    };
  }

  const release = (table) => {
    const held = table._jd_held;
    if (held == null || table._has_active_editor()) {
      return;
    }
    table._jd_held = null;
    if (held.waiting.length > 0) {
      const drawn = table.setData();
      for (const resolve of held.waiting) {
        resolve(drawn);
      }
    } else {
      table.updateOrAddData();
    }
  };
  const hold = (table) => {
    const edit = table.tabulator.modules.edit;
    if (!edit._jd_watched) {
      edit._jd_watched = true;
      const clearEditor = edit.clearEditor;
      edit.clearEditor = function (...args) {
        clearEditor.apply(this, args);
        queueMicrotask(() => release(table));
      };
    }
    table._jd_held ??= { waiting: [] };
    return table._jd_held;
  };
  const editing = (table) => own(table) && table.tabulator != null && table._has_active_editor();
  const setData = proto.setData;
  proto.setData = function (...args) {
    if (!editing(this)) {
      return setData.apply(this, args);
    }
    const held = hold(this);
    return new Promise((resolve) => held.waiting.push(resolve));
  };
  const updateOrAddData = proto.updateOrAddData;
  proto.updateOrAddData = function (...args) {
    if (!editing(this)) {
      return updateOrAddData.apply(this, args);
    }
    hold(this);
  };
  const cellEdited = proto.cellEdited;
  proto.cellEdited = function (cell) {
    const row = cell.getData();
    const ids = own(this) && this._jd_held?.waiting.length ? this.model.source.data.id : null;
    if (ids != null && row.id != null) {
      const position = [...ids].indexOf(row.id);
      if (position < 0) {
        return;
      }
      row._index = position;
    }
    return cellEdited.call(this, cell);
  };
}

// Keyboard use of the job table (jobdash.ui.shared.keys.TableKeys); its helpers come from keys.js
// (self.setup). Only jobdash's table (its host element has the class data.table_class) is
// driven: keys in any other table of the page are left alone.
//
// The table is one Tab stop (the ARIA grid pattern): just before the browser moves focus on
// Tab, every control and cell of the table but one (the cell last focused in it, else the
// first row's first control) leaves the Tab order; inside it, arrows move between cells (the
// cell's control, or the cell itself) and rows (the header row too), Home/End to the ends of
// a row. Up/Down from a focused row (not a cell) move between rows as before.
export function render(model, data, state, view, script, self) {
  self.setup();
  const { deepAll, typing, listen } = state;
  const ours = (el) => el.getRootNode().host?.classList.contains(data.table_class);
  const toggle = (row, on) => {
    const box = row?.querySelector("input[type=checkbox]");
    if (box && (on === undefined || box.checked !== on)) {
      box.click();
    }
  };
  const FOCUSABLE = "button, input, a[href], [tabindex]";
  const shown = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  // The grid's rows of cells: the header's columns, then each row's cells (shown ones only).
  const grid = (table) => [
    [...table.querySelectorAll(".tabulator-header .tabulator-col")].filter(shown),
    ...[...table.querySelectorAll(".tabulator-row")].map((row) =>
      [...row.querySelectorAll(".tabulator-cell")].filter(shown),
    ),
  ];
  const focusTarget = (cell) => {
    const inner = cell.querySelector("button, input, a[href]");
    if (inner) {
      return inner;
    }
    cell.tabIndex = -1;
    return cell;
  };
  const cellOf = (el) => el?.closest?.(".tabulator-cell, .tabulator-col");
  const tables = () =>
    deepAll(document, `.${data.table_class}`).flatMap((host) =>
      host.shadowRoot ? [...host.shadowRoot.querySelectorAll(".tabulator")] : [],
    );
  // Leaves one stop in each table: the cell last focused in it, else the first row's first
  // cell (the header's when there are no rows).
  const rove = () => {
    for (const table of tables()) {
      // Focus moving inside the table reaches no document listener (the event stops at the
      // shadow root): the focused element is read here, before Tab moves it.
      const active = table.getRootNode().activeElement;
      if (active && table.contains(active) && !active.closest(".jd-menu") && cellOf(active)) {
        table.jdCurrent = active;
      }
      const current = table.jdCurrent;
      const last = current?.isConnected && table.contains(current);
      const cells = grid(table);
      const first = (cells[1] ?? cells[0])?.[0];
      const keep = last ? current : first ? focusTarget(first) : null;
      for (const el of table.querySelectorAll(FOCUSABLE)) {
        if (!el.closest(".jd-menu")) {
          el.tabIndex = el === keep ? 0 : -1;
        }
      }
      if (keep) {
        keep.tabIndex = 0;
      }
    }
  };
  listen(
    "keydown",
    (event) => {
      if (event.key === "Tab") {
        rove();
      }
    },
    true,
  );
  const moveInGrid = (event, target, table) => {
    const cell = cellOf(target);
    if (cell == null || target.closest(".jd-menu")) {
      return false;
    }
    const cells = grid(table);
    const r = cells.findIndex((row) => row.includes(cell));
    if (r < 0) {
      return false;
    }
    const c = cells[r].indexOf(cell);
    const steps = {
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      Home: [r, 0],
      End: [r, cells[r].length - 1],
    };
    const to = steps[event.key];
    if (to == null) {
      return false;
    }
    event.preventDefault();
    const row = cells[Math.min(Math.max(to[0], 0), cells.length - 1)];
    const next = row[Math.min(Math.max(to[1], 0), row.length - 1)];
    if (next) {
      const el = focusTarget(next);
      el.focus();
      table.jdCurrent = el;
      if (event.shiftKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        toggle(cell.closest(".tabulator-row"), true);
        toggle(next.closest(".tabulator-row"), true);
      }
    }
    return true;
  };
  listen("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    const target = event.composedPath()[0];
    if (typing(target)) {
      return;
    }
    const table = target.closest ? target.closest(".tabulator") : null;
    if (table != null && !ours(table)) {
      return;
    }
    const current = target.closest ? target.closest(".tabulator-row") : null;
    const editing = target.closest?.(".tabulator-editing");
    if (table && !editing && moveInGrid(event, target, table)) {
      return;
    }
    if (
      (event.key === "ArrowDown" || event.key === "ArrowUp") &&
      (table || target === document.body)
    ) {
      const rows = deepAll(document, `.${data.table_class}`).flatMap((host) =>
        host.shadowRoot ? [...host.shadowRoot.querySelectorAll(".tabulator-row")] : [],
      );
      if (!rows.length) {
        return;
      }
      event.preventDefault();
      const at = rows.indexOf(current);
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = rows[at < 0 ? 0 : Math.min(Math.max(at + step, 0), rows.length - 1)];
      next.tabIndex = -1;
      next.focus();
      if (event.shiftKey) {
        toggle(current, true);
        toggle(next, true);
      }
    } else if (event.key === " " && current && !target.matches?.("button.jd-more")) {
      event.preventDefault();
      toggle(current);
    } else if (
      event.key === "Enter" &&
      target.matches?.(".tabulator-cell[tabulator-field=label]:not(.tabulator-editing)")
    ) {
      event.preventDefault();
      target.click();
    } else if (event.key === "Delete") {
      event.preventDefault();
      data.delete += 1;
    } else if (event.key === "Escape" && !deepAll(document, "dialog[open]").length) {
      data.clear += 1;
    }
  });
}

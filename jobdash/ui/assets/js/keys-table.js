// Keyboard use of the job table (jobdash.ui.shared.keys.TableKeys); its helpers come from keys.js
// (self.setup). Only jobdash's table (its host element has the class data.table_class) is
// driven: keys in any other table of the page are left alone.
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
    } else if (event.key === " " && current) {
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

// Tabulator callbacks of jobdash's job table (jobdash/ui/page/table.py), each handed to
// Tabulator as a function expression (assets.functions).

// Keep the server's order whatever the header's direction (Tabulator swaps the arguments for a
// descending sort, hence the direction test).
export function keepServerOrder(a, b, aRow, bRow, column, dir) {
  const order = aRow.getData()._index - bRow.getData()._index;
  return dir === "desc" ? -order : order;
}

// Sortable headers hold a real button, so sorting works from the keyboard. The table's scroll
// holder is made unfocusable: it sits inside role=grid, where only rows may be, and the table
// never scrolls inside itself (the page does).
export function sortButtonTitle(cell, params, onRendered) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jd-sort";
  button.textContent = cell.getValue();
  onRendered(() => {
    const holder = cell.getTable().element.querySelector(".tabulator-tableholder");
    if (holder) {
      holder.removeAttribute("tabindex");
    }
  });
  return button;
}

// Tabulator's row-selection checkboxes all say "Select Row": each row's is named after its job
// as shown ("Select JOB-000042", the text of the row's Job ID button). Formatters run whenever
// rows are drawn, so names follow the rows; ``this`` is Tabulator's Format module, whose own
// formatter still makes the checkbox.
export function rowCheckbox(cell, params, onRendered) {
  const box = this.constructor.formatters.rowSelection.call(this, cell, params, onRendered);
  const job = document.createElement("template");
  job.innerHTML = cell.getData().job;
  if (box instanceof Element) {
    box.setAttribute("aria-label", `Select ${job.content.textContent.trim()}`);
  }
  return box;
}

// The header's checkbox is named after what it selects.
export function headerCheckbox(cell, params, onRendered) {
  const box = this.constructor.formatters.rowSelection.call(this, cell, params, onRendered);
  if (box instanceof Element) {
    box.setAttribute("aria-label", "Select all jobs on this page");
  }
  return box;
}

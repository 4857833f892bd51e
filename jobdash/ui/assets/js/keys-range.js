// Shift+click in the job table (jobdash.ui.shared.keys.RangeClicks); listen comes from keys.js
// (self.setup). Listens before the page's own handlers (capture).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { listen } = state;
  // The job id of the table row an event happened in (read from its Job ID button), or null
  // when it happened outside a row or on one of the row's buttons or text fields (those keep
  // their own meaning); the row's checkbox counts as the row.
  const rowJob = (event) => {
    const target = event.composedPath()[0];
    if (!target.closest) {
      return null;
    }
    const row = target.closest(".tabulator-row");
    const own = target.closest("button, a, textarea, select, input:not([type=checkbox])");
    const button = row?.querySelector("button.jd-jobid");
    const match = button && !own ? button.textContent.match(/(\d+)\s*$/) : null;
    return match ? Number.parseInt(match[1], 10) : null;
  };
  // Shift+mousedown would extend the page's text selection: not in rows.
  listen(
    "mousedown",
    (event) => {
      if (event.shiftKey && rowJob(event) !== null) {
        event.preventDefault();
      }
    },
    true,
  );
  listen(
    "click",
    (event) => {
      const job = rowJob(event);
      if (job === null) {
        return;
      }
      if (event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        event.stopPropagation();
        data.range = [state.anchor === undefined ? job : state.anchor, job];
      }
      state.anchor = job;
    },
    true,
  );
}

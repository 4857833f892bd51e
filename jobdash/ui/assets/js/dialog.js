// Scripts of jobdash.ui.shared.dialog.Dialog (ReactiveHTML): Panel runs each function's
// body as the script of its name; `dialog` and `close` are the template's nodes.

export function render(model, data, state, view, script, self, dialog, close) {
  dialog.setAttribute("aria-label", data.title);
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) {
      dialog.close();
    }
  });
  dialog.addEventListener("close", () => {
    if (data.open) {
      data.open = false;
    }
  });
  self.open();
}

export function title(model, data, state, view, script, self, dialog) {
  dialog.setAttribute("aria-label", data.title);
}

export function open(model, data, state, view, script, self, dialog) {
  if (data.open && !dialog.open) {
    dialog.showModal();
    data.shown += 1; // see Dialog.shown: the message that names no new model
  } else if (!data.open && dialog.open) {
    dialog.close();
  }
}

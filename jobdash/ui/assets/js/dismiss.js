// jobdash.ui.shared.dismiss.Dismisser: while data.open, Escape or a pointer press outside the
// menu (class data.menu_class) and its button (class data.button_class) counts data.dismissed
// up; Escape also puts the focus on the button. Keys and presses in a dialog are the dialog's
// (a question the menu asked stays over it). Helpers from keys.js (self.setup).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { deepAll, listen } = state;
  const within = (event, cls) => event.composedPath().some((el) => el.classList?.contains(cls));
  const inDialog = (event) => event.composedPath().some((el) => el.tagName === "DIALOG");
  listen("keydown", (event) => {
    if (!data.open || event.key !== "Escape" || event.defaultPrevented || inDialog(event)) {
      return;
    }
    data.dismissed += 1;
    if (within(event, data.menu_class)) {
      const host = deepAll(document, `.${data.button_class}`)[0];
      (host?.shadowRoot ?? host)?.querySelector("button")?.focus();
    }
  });
  listen(
    "pointerdown",
    (event) => {
      const outside = !within(event, data.menu_class) && !within(event, data.button_class);
      if (data.open && outside && !inDialog(event)) {
        data.dismissed += 1;
      }
    },
    true,
  );
}

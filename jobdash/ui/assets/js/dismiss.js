// jobdash.ui.shared.dismiss.Dismisser: while data.open, Escape or a pointer press outside the
// menu (class data.menu_class) and its button (class data.button_class) counts data.dismissed
// up; Escape also puts the focus on the button. Helpers from keys.js (self.setup).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { deepAll, listen } = state;
  const within = (event, cls) => event.composedPath().some((el) => el.classList?.contains(cls));
  listen("keydown", (event) => {
    if (!data.open || event.key !== "Escape" || event.defaultPrevented) {
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
      if (data.open && !within(event, data.menu_class) && !within(event, data.button_class)) {
        data.dismissed += 1;
      }
    },
    true,
  );
}

// The page's single-key shortcuts (jobdash.ui.shared.keys.Shortcuts); its helpers come from keys.js
// (self.setup).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { deepAll, typing, listen } = state;
  listen("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) {
      return;
    }
    if (typing(event.composedPath()[0])) {
      return;
    }
    if (event.key === "/") {
      const host = deepAll(document, `.${data.search_class}`)[0];
      const box = host ? (host.shadowRoot || host).querySelector("input") : null;
      if (box) {
        event.preventDefault();
        box.focus();
      }
    } else if (event.key === "r") {
      event.preventDefault();
      data.refresh += 1;
    } else if (event.key === "?") {
      event.preventDefault();
      data.help += 1;
    }
  });
}

// Shared by the page's document listeners (jobdash/ui/shared/keys.py): a listener's render
// first calls self.setup(), which puts on its state deepAll (elements inside the page and every
// shadow root below it: Panel renders components in shadow DOM), typing (is it a field that
// takes keys: a checkbox is not) and listen(kind, handler, capture) (a document listener that
// remove takes away with the view).
export function setup(model, data, state, view, script, self) {
  const deepAll = (root, selector) => {
    const out = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) {
        out.push(...deepAll(el.shadowRoot, selector));
      }
    }
    return out;
  };
  state.deepAll = deepAll;
  state.typing = (el) =>
    el &&
    (el.isContentEditable ||
      ["TEXTAREA", "SELECT"].includes(el.tagName) ||
      (el.tagName === "INPUT" && !["checkbox", "radio"].includes(el.type)));
  state.handlers = [];
  state.listen = (kind, handler, capture = false) => {
    state.handlers.push([kind, handler, capture]);
    document.addEventListener(kind, handler, capture);
  };
}

export function remove(model, data, state, view, script, self) {
  for (const [kind, handler, capture] of state.handlers) {
    document.removeEventListener(kind, handler, capture);
  }
}

// Scripts of jobdash.ui.page.pager.SkipLink (ReactiveHTML): "Skip to pager" moves the keyboard
// focus to the first control of the pager (the element with class data.target, in the page or
// any shadow root below it) that takes it now.
export function render(model, data, state, view, script, self, link) {
  const deep = (root, selector) => {
    const out = [...root.querySelectorAll(selector)];
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) {
        out.push(...deep(el.shadowRoot, selector));
      }
    }
    return out;
  };
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const [pager] = deep(document, `.${data.target}`);
    const controls = pager
      ? deep(pager.shadowRoot ?? pager, "button, input, select, a[href]").filter(
          (el) => !el.disabled && el.getClientRects().length > 0,
        )
      : [];
    controls[0]?.focus();
  });
}

// Scripts of jobdash.ui.shared.pressed.PressedState (ReactiveHTML): `holder` is the template's
// node. The group's buttons sit in its own shadow root; Bokeh redraws them when the options
// change and toggles `bk-active` on a click, so `aria-pressed` follows that class.

export function render(model, data, state, view, script, self, holder) {
  const root = holder.firstElementChild.shadowRoot;
  const mark = () => {
    const box = root.querySelector(".bk-btn-group");
    if (box) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", data.label);
    }
    for (const b of root.querySelectorAll("button.bk-btn")) {
      b.setAttribute("aria-pressed", String(b.classList.contains("bk-active")));
    }
  };
  mark();
  new MutationObserver(mark).observe(root, {
    subtree: true,
    childList: true,
    attributeFilter: ["class"],
  });
}

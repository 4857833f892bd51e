// Runs once per browser page (the flag lives on the wrapped method): wraps Bokeh's multi-choice
// view so the combobox of each of jobdash's MultiChoice widgets (own, from patch.js), drawn now
// or later, is named by its widget's label, and its search box keeps the searchbox role of an
// <input type="search"> (Choices.js gives it role="textbox", which ARIA does not allow there)
// and its chips no aria-selected.
// Any other MultiChoice calls straight through.
export function render(model, data, state, view, script, self) {
  self.setup();
  const { own, viewClass, eachDrawn } = state;
  const View = viewClass("MultiChoice");
  if (View == null) {
    return;
  }
  // Choices.js marks each chosen item (a chip with no role) aria-selected, which ARIA allows
  // only on options, tabs, rows and cells; the chip's remove button already says what it is.
  const unselect = (list) => {
    for (const item of list.querySelectorAll("[aria-selected]")) {
      item.removeAttribute("aria-selected");
    }
  };
  const name = (choice) => {
    choice.choice_el?.input?.element?.removeAttribute("role");
    const chips = choice.choice_el?.itemList?.element;
    if (chips != null) {
      unselect(chips);
      new MutationObserver(() => unselect(chips)).observe(chips, {
        childList: true,
        subtree: true,
      });
    }
    // The visible label names the combobox, and no longer the hidden <select> (one control
    // per label).
    const box = choice.choice_el?.containerOuter;
    const label = choice.title_el;
    if (box == null || label == null || !choice.model.title) {
      return;
    }
    label.removeAttribute("for");
    label.id = "title";
    box.element.setAttribute("aria-labelledby", "title");
  };
  if (!View.prototype.render.jdNamed) {
    const render = View.prototype.render;
    View.prototype.render = function (...args) {
      const out = render.apply(this, args);
      if (own(this)) {
        name(this);
      }
      return out;
    };
    View.prototype.render.jdNamed = true;
  }
  eachDrawn(View, name);
}

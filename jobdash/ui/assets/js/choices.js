// Runs once per browser page (the flag lives on the wrapped method): wraps Bokeh's multi-choice
// view so the combobox of each of jobdash's MultiChoice widgets (its model tagged data.own),
// drawn now or later, is named by its widget's label. Any other MultiChoice calls straight
// through.
export function render(model, data, state, view, script, self) {
  let View = null;
  try {
    View = Bokeh.Models.get("MultiChoice").prototype.default_view;
  } catch {
    return;
  }
  const own = (choice) => choice.model.tags.includes(data.own);
  // The visible label names the combobox, and no longer the hidden <select> (one control per
  // label).
  const name = (choice) => {
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
  // Multi-choices drawn before this ran.
  const visit = (drawn) => {
    if (drawn instanceof View && own(drawn)) {
      name(drawn);
    }
    for (const child of drawn.children ? drawn.children() : []) {
      visit(child);
    }
  };
  for (const root of Bokeh.index.roots) {
    visit(root);
  }
}

// Runs once per browser page (the flag lives on the wrapped method): wraps Bokeh's multi-choice
// view so the combobox of each of jobdash's MultiChoice widgets (own, from patch.js), drawn now
// or later, is named by its widget's label. Any other MultiChoice calls straight through.
export function render(model, data, state, view, script, self) {
  self.setup();
  const { own, viewClass, eachDrawn } = state;
  const View = viewClass("MultiChoice");
  if (View == null) {
    return;
  }
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
  eachDrawn(View, name);
}

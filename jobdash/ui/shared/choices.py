"""Multi-choice inputs named by their label: Bokeh draws the visible label for the hidden
``<select>`` that Choices.js replaces, so the combobox a person uses had no accessible name
(assistive technology announced only its placeholder, "All statuses"). One helper per page
wraps Bokeh's multi-choice view so each combobox, drawn now or later, is named by its
widget's label. Without Bokeh's multi-choice view it does nothing."""

from __future__ import annotations

from jobdash.ui.shared.hidden import Hidden, each_drawn_view

CHOICES_JS = """
let View = null;
try { View = Bokeh.Models.get('MultiChoice').prototype.default_view; } catch (e) { return; }
// The visible label names the combobox, and no longer the hidden <select> (one control
// per label).
const name = (view) => {
  const box = view.choice_el && view.choice_el.containerOuter, label = view.title_el;
  if (box == null || label == null || !view.model.title) { return; }
  label.removeAttribute('for');
  label.id = 'title';
  box.element.setAttribute('aria-labelledby', 'title');
};
if (!View.prototype.render.jdNamed) {
  const render = View.prototype.render;
  View.prototype.render = function (...args) {
    const out = render.apply(this, args);
    name(this);
    return out;
  };
  View.prototype.render.jdNamed = true;
}
""" + each_drawn_view("View", "name")


class NamedChoices(Hidden):
    """Names the page's multi-choice comboboxes by their titles (one per page is enough)."""

    _template = '<div id="choices" hidden></div>'

    _scripts = {"render": CHOICES_JS}

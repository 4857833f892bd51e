"""Panel's tabs as ARIA tabs: ``role="tablist"``, ``"tab"`` (``aria-selected``) and
``"tabpanel"``; only the selected tab is in the Tab order, arrow keys (and Home / End) move
between tabs, Enter or Space opens the focused one, and the headers come before their
panels in the document (the Tab order), as on screen.

Bokeh draws a tab as a focusable ``<div>`` that only a click opens: a keyboard user reached
it and could do nothing, and assistive technology announced plain text. One helper per page
wraps the methods of the tab views (Bokeh's and Panel's) that draw the headers and show the
selected tab, so every Tabs of the page gets the roles and keys, those already drawn and
those drawn later (the Single Job View's). Without Bokeh's tab views it does nothing."""

from __future__ import annotations

from jobdash.ui.shared.hidden import Hidden, each_drawn_view

TABS_JS = """
const classes = ['Tabs', 'panel.models.tabs.Tabs'].map((name) => {
  try { return Bokeh.Models.get(name).prototype.default_view; } catch (e) { return null; }
}).filter((View) => View != null);
if (classes.length === 0) { return; }
const base = classes[0];
// Bokeh appends the headers after the panels and places them by CSS grid: the headers of
// tabs drawn above (or left of) their panels come first in the document too, so the Tab key
// and assistive technology meet them where the eye does.
const first = (view) => {
  const panel = view.child_views.length > 0 ? view.child_views[0].el : null;
  if (panel == null || panel.parentNode !== view.shadow_el
      || !['above', 'left'].includes(view.model.tabs_location)) { return; }
  if (view.header_el.compareDocumentPosition(panel) & Node.DOCUMENT_POSITION_PRECEDING) {
    view.shadow_el.insertBefore(view.header_el, panel);
  }
};
const aria = (view) => {
  const wrapper = view.headers_wrapper_el, tabs = view.header_els;
  if (wrapper == null || tabs == null) { return; }
  first(view);
  wrapper.setAttribute('role', 'tablist');
  const active = view.model.active;
  tabs.forEach((el, i) => {
    el.setAttribute('role', 'tab');
    el.setAttribute('aria-selected', String(i === active));
    el.tabIndex = i === active ? 0 : -1;
  });
  view.child_views.forEach((child, i) => {
    if (child != null && child.el != null) {
      child.el.setAttribute('role', 'tabpanel');
      child.el.setAttribute('aria-label', view.model.tabs[i].title);
    }
  });
  if (wrapper.jdKeys) { return; }
  wrapper.jdKeys = true;
  wrapper.addEventListener('keydown', (event) => {
    const all = view.header_els, i = all.indexOf(event.target), n = all.length;
    if (i < 0 || event.ctrlKey || event.metaKey || event.altKey) { return; }
    const moves = {ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1 + n, ArrowUp: i - 1 + n,
                   Home: 0, End: n - 1};
    if (event.key in moves) {
      event.preventDefault();
      all[moves[event.key] % n].focus();
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      view.change_active(i);
    }
  });
};
// Drawing the headers anew (Panel does when a dynamic tab's contents arrive) replaces them:
// the focused one is focused again in its new element.
const focused = (view) => (view.header_els || []).indexOf(view.shadow_el.activeElement);
for (const View of classes) {
  for (const name of ['_update_headers', 'update_active', '_after_layout']) {
    const own = Object.prototype.hasOwnProperty.call(View.prototype, name);
    if (!own || View.prototype[name].jdAria) { continue; }
    const original = View.prototype[name];
    const wrapped = function (...args) {
      const had = focused(this);
      const out = original.apply(this, args);
      aria(this);
      if (had >= 0 && focused(this) < 0 && this.header_els[had]) { this.header_els[had].focus(); }
      return out;
    };
    wrapped.jdAria = true;
    View.prototype[name] = wrapped;
  }
}
""" + each_drawn_view("base", "aria")


class AccessibleTabs(Hidden):
    """Makes the page's tabs ARIA tabs a keyboard can open (one per page is enough)."""

    _template = '<div id="tabs" hidden></div>'

    _scripts = {"render": TABS_JS}

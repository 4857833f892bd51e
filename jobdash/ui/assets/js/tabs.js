// Runs once per browser page (the flags live on the wrapped methods): wraps the methods of the
// tab views (Bokeh's and Panel's) that draw the headers and show the selected tab, so each of
// jobdash's Tabs (own, from patch.js), drawn now or later, gets ARIA roles and keys. Any other
// Tabs calls straight through.
export function render(model, data, state, view, script, self) {
  self.setup();
  const { own, viewClass, eachDrawn } = state;
  const classes = ["Tabs", "panel.models.tabs.Tabs"].map(viewClass).filter((View) => View != null);
  if (classes.length === 0) {
    return;
  }
  // Bokeh appends the headers after the panels and places them by CSS grid: the headers of
  // tabs drawn above (or left of) their panels come first in the document too, so the Tab key
  // and assistive technology meet them where the eye does.
  const first = (tabs) => {
    const panel = tabs.child_views.length > 0 ? tabs.child_views[0].el : null;
    if (
      panel == null ||
      panel.parentNode !== tabs.shadow_el ||
      !["above", "left"].includes(tabs.model.tabs_location)
    ) {
      return;
    }
    if (tabs.header_el.compareDocumentPosition(panel) & Node.DOCUMENT_POSITION_PRECEDING) {
      tabs.shadow_el.insertBefore(tabs.header_el, panel);
    }
  };
  const keys = (tabs, event) => {
    const all = tabs.header_els;
    const i = all.indexOf(event.target);
    const n = all.length;
    if (i < 0 || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const moves = {
      ArrowRight: i + 1,
      ArrowDown: i + 1,
      ArrowLeft: i - 1 + n,
      ArrowUp: i - 1 + n,
      Home: 0,
      End: n - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      all[moves[event.key] % n].focus();
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      tabs.change_active(i);
    }
  };
  const aria = (tabs) => {
    const wrapper = tabs.headers_wrapper_el;
    const headers = tabs.header_els;
    if (wrapper == null || headers == null) {
      return;
    }
    first(tabs);
    wrapper.setAttribute("role", "tablist");
    const active = tabs.model.active;
    headers.forEach((el, i) => {
      el.setAttribute("role", "tab");
      el.setAttribute("aria-selected", String(i === active));
      el.tabIndex = i === active ? 0 : -1;
    });
    // Bokeh 3.10 builds a tab's view when it is first shown, so child_views holds only the
    // tabs shown so far: a view is matched to its tab by model, not by position.
    tabs.child_views.forEach((child) => {
      const tab = child == null ? null : tabs.model.tabs.find((t) => t.child === child.model);
      if (tab != null && child.el != null) {
        child.el.setAttribute("role", "tabpanel");
        child.el.setAttribute("aria-label", tab.title);
      }
    });
    if (!wrapper.jdKeys) {
      wrapper.jdKeys = true;
      wrapper.addEventListener("keydown", (event) => keys(tabs, event));
    }
  };
  // Drawing the headers anew (Panel does when a dynamic tab's contents arrive) replaces them:
  // the focused one is focused again in its new element.
  const focused = (tabs) => (tabs.header_els || []).indexOf(tabs.shadow_el.activeElement);
  for (const View of classes) {
    for (const name of ["_update_headers", "update_active", "_after_layout"]) {
      const mine = Object.hasOwn(View.prototype, name);
      if (!mine || View.prototype[name].jdAria) {
        continue;
      }
      const original = View.prototype[name];
      const wrapped = function (...args) {
        if (!own(this)) {
          return original.apply(this, args);
        }
        const had = focused(this);
        const out = original.apply(this, args);
        aria(this);
        if (had >= 0 && focused(this) < 0 && this.header_els[had]) {
          this.header_els[had].focus();
        }
        return out;
      };
      wrapped.jdAria = true;
      View.prototype[name] = wrapped;
    }
  }
  eachDrawn(classes[0], aria);
}

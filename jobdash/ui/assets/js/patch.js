// Shared by the patches of Panel's and Bokeh's views (jobdash/ui/shared/hidden.py): a patch's
// render first calls self.setup(), which puts on its state
// - own(view): whether the view's model carries jobdash's tag (data.own); wrappers call straight
//   through to the original method for any other view;
// - viewClass(name): the view class of a registered model, or null;
// - eachDrawn(View, call): call(view) for each view of the page already drawn that is a View of
//   jobdash's (children included), for views drawn before the patch ran.
export function setup(model, data, state, view, script, self) {
  state.own = (drawn) => drawn.model.tags.includes(data.own);
  state.viewClass = (name) => {
    try {
      return Bokeh.Models.get(name).prototype.default_view;
    } catch {
      return null;
    }
  };
  state.eachDrawn = (View, call) => {
    const visit = (drawn) => {
      if (drawn instanceof View && state.own(drawn)) {
        call(drawn);
      }
      for (const child of drawn.children ? drawn.children() : []) {
        visit(child);
      }
    };
    for (const root of Bokeh.index.roots) {
      visit(root);
    }
  };
}

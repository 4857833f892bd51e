// Runs once per browser page (the flag lives on Panel's Tabulator view class): wraps the view's
// tableInit, tableBuilt and redraw so that a redraw of jobdash's table runs only when its layout
// may have changed. Any other table calls straight through (own, from patch.js).
export function render(model, data, state, view, script, self) {
  self.setup();
  const { own, viewClass } = state;
  const View = viewClass("panel.models.tabulator.DataTabulator");
  if (View == null || View.prototype._jd_redraw_patched) {
    return;
  }
  const proto = View.prototype;
  proto._jd_redraw_patched = true;
  // What a drawn table's layout depends on; ``height`` false while it is being built (its
  // height is its rows').
  const layoutKey = (table, height = true) => {
    const el = table.container;
    if (el == null || table.shadow_el == null) {
      return null;
    }
    const links = [...table.shadow_el.querySelectorAll("link")].map((l) => (l.sheet ? 1 : 0));
    let styles = 0;
    for (const style of table.shadow_el.querySelectorAll("style")) {
      styles += style.textContent.length;
    }
    return `${el.clientWidth}x${height ? el.clientHeight : ""}|${links.join("")}|${styles}`;
  };
  const tableInit = proto.tableInit;
  proto.tableInit = function (...args) {
    if (own(this)) {
      this._jd_drawn = null;
      this._jd_building = layoutKey(this, false);
    }
    return tableInit.apply(this, args);
  };
  const tableBuilt = proto.tableBuilt;
  proto.tableBuilt = function (...args) {
    if (own(this)) {
      const same = this._jd_building != null && this._jd_building === layoutKey(this, false);
      this._jd_drawn = same ? layoutKey(this) : null;
    }
    return tableBuilt.apply(this, args);
  };
  const redraw = proto.redraw;
  proto.redraw = function (...args) {
    if (!own(this)) {
      return redraw.apply(this, args);
    }
    if (
      this.tabulator != null &&
      !this._building &&
      this._jd_drawn != null &&
      this._jd_drawn === layoutKey(this)
    ) {
      return;
    }
    const result = redraw.apply(this, args);
    this._jd_drawn = this.tabulator != null && !this._building ? layoutKey(this) : null;
    return result;
  };
}

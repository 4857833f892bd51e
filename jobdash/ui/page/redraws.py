"""Keeps Panel's Tabulator from redrawing a table whose layout has not changed.

Panel's table view (panel/models/tabulator.ts, ``DataTabulatorView``) redraws a table twice
right after building it: when the stylesheets of its shadow root report loaded
(``style_redraw``) and once the page has laid out (``_request_resize_redraw`` from
``tableBuilt``). Each redraw re-renders and re-measures every row, 100-200 ms for a page of
the job table, in the middle of the page's first render, and replaces the row elements
(whatever had focus loses it). Both exist for a table built before its styles applied or at
another size than it ends up with; when neither happened they change nothing.

:class:`TableRedraws` (one per page, invisible) patches the view class once per browser
page: a table remembers what its layout depends on when it is built and after each redraw —
its width and height, which of its linked stylesheets have loaded and the length of its
inline styles — and a later redraw runs only when one of them differs. Everything else the
view does around a redraw (revealing the table, selection, scroll) is left as it is.
"""

from __future__ import annotations

from jobdash.ui.shared.hidden import Hidden, once_per_tabulator_view

# Runs once per browser page (the flag lives on the class); without Panel's Tabulator
# extension loaded there is nothing to patch.
PATCH_JS = once_per_tabulator_view("_jd_redraw_patched", """
  // What a drawn table's layout depends on; ``height`` false while it is being built (its
  // height is its rows').
  proto._jd_layout_key = function (height = true) {
    const el = this.container;
    if (el == null || this.shadow_el == null) { return null; }
    const links = [...this.shadow_el.querySelectorAll('link')].map((l) => l.sheet ? 1 : 0);
    let styles = 0;
    for (const style of this.shadow_el.querySelectorAll('style')) {
      styles += style.textContent.length;
    }
    return `${el.clientWidth}x${height ? el.clientHeight : ''}|${links.join('')}|${styles}`;
  };
  const tableInit = proto.tableInit;
  proto.tableInit = function (...args) {
    this._jd_drawn = null;
    this._jd_building = this._jd_layout_key(false);
    return tableInit.apply(this, args);
  };
  const tableBuilt = proto.tableBuilt;
  proto.tableBuilt = function (...args) {
    const same = this._jd_building != null && this._jd_building === this._jd_layout_key(false);
    this._jd_drawn = same ? this._jd_layout_key() : null;
    return tableBuilt.apply(this, args);
  };
  const redraw = proto.redraw;
  proto.redraw = function (...args) {
    if (this.tabulator != null && !this._building && this._jd_drawn != null
        && this._jd_drawn === this._jd_layout_key()) {
      return;
    }
    const result = redraw.apply(this, args);
    this._jd_drawn = this.tabulator != null && !this._building ? this._jd_layout_key() : null;
    return result;
  };
""")


class TableRedraws(Hidden):
    """Stops the redraws of Panel's Tabulator that would change nothing (see the module)."""

    _template = '<div id="redraws" hidden></div>'

    _scripts = {"render": PATCH_JS}

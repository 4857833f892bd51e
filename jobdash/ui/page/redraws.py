"""Keeps Panel's Tabulator from redrawing a table whose layout has not changed.

Panel's table view (panel/models/tabulator.ts, ``DataTabulatorView``) redraws a table twice
right after building it: when the stylesheets of its shadow root report loaded
(``style_redraw``) and once the page has laid out (``_request_resize_redraw`` from
``tableBuilt``). Each redraw re-renders and re-measures every row, 100-200 ms for a page of
the job table, in the middle of the page's first render, and replaces the row elements
(whatever had focus loses it). Both exist for a table built before its styles applied or at
another size than it ends up with; when neither happened they change nothing.

:class:`TableRedraws` (one per page, invisible) patches the view class once per browser
page (``assets/js/table-redraws.js``), for jobdash's table only (see
:mod:`jobdash.ui.shared.hidden`): the table remembers what its layout depends on when it is
built and after each redraw (its width and height, which of its linked stylesheets have
loaded and the length of its inline styles) and a later redraw runs only when one of them
differs. Everything else the view does around a redraw (revealing the table, selection,
scroll) is left as it is. The upstream bug: ``docs/upstream/tabulator-double-redraw.md``.
"""

from __future__ import annotations

from jobdash.ui.shared.hidden import Patch, patch_scripts


class TableRedraws(Patch):
    """Stops the redraws of Panel's Tabulator that would change nothing (see the module)."""

    _template = '<div id="redraws" hidden></div>'

    _scripts = patch_scripts("table-redraws")

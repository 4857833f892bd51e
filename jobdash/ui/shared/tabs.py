"""Panel's tabs as ARIA tabs: ``role="tablist"``, ``"tab"`` (``aria-selected``) and
``"tabpanel"``; only the selected tab is in the Tab order, arrow keys (and Home / End) move
between tabs, Enter or Space opens the focused one, and the headers come before their
panels in the document (the Tab order), as on screen.

Bokeh draws a tab as a focusable ``<div>`` that only a click opens: a keyboard user reached
it and could do nothing, and assistive technology announced plain text. One helper per page
wraps the methods of the tab views (Bokeh's and Panel's) that draw the headers and show the
selected tab, so each of jobdash's Tabs (tagged :data:`~jobdash.ui.shared.hidden.OWN`) gets
the roles and keys, those already drawn and those drawn later (the Single Job View's); any
other Tabs of the page draws as stock. It applies only with the Panel and Bokeh versions it
was written for. Code: ``assets/js/tabs.js``; the upstream bug:
``docs/upstream/bokeh-tabs-aria.md``. Without Bokeh's tab views it does nothing."""

from __future__ import annotations

from jobdash.ui.shared.hidden import Patch, patch_scripts


class AccessibleTabs(Patch):
    """Makes jobdash's tabs ARIA tabs a keyboard can open (one per page is enough)."""

    _template = '<div id="tabs" hidden></div>'

    _scripts = patch_scripts("tabs")

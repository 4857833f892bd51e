"""Reproduction: Bokeh's (and so Panel's) tab headers have no ARIA roles and no keyboard.

Run with ``panel serve bokeh-tabs-aria.py``: the headers are plain ``<div>`` elements with no
``role="tab"``/``"tablist"``/``"tabpanel"`` and no ``aria-selected``; Tab reaches a header but
neither Enter, Space nor the arrow keys open another tab (only a mouse click does).
"""

import panel as pn

pn.Tabs(("One", "The first panel"), ("Two", "The second panel"), css_classes=["repro"]).servable()

"""Reproduction: with ``selectable="checkbox"``, per-column ``configuration["columns"]``
settings land on the column before the one they name.

Run with ``panel serve tabulator-checkbox-columns.py``: the settings for ``size`` (a title and
right alignment) should change the "size" column; instead they replace the "fruit" column
(its field becomes "size"), so the table shows "Size (cm)" and "size", and no fruit.
``tabulator.get_root().configuration["columns"]`` shows the same without a browser.
"""

import pandas as pd
import panel as pn

frame = pd.DataFrame({"fruit": ["apple", "cherry", "banana"], "size": [3, 1, 2]})
settings = {"columns": [{"field": "size", "title": "Size (cm)", "hozAlign": "right"}]}

pn.Row(
    pn.widgets.Tabulator(frame, show_index=False, selectable="checkbox",
                         configuration=settings, css_classes=["checkbox"], width=300),
    pn.widgets.Tabulator(frame, show_index=False, selectable=True,
                         configuration=settings, css_classes=["plain"], width=300),
).servable()

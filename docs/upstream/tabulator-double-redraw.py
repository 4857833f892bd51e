"""Reproduction: Panel's Tabulator renders all its rows again after its first render.

Run with ``panel serve tabulator-double-redraw.py`` and watch the table's rows: a
MutationObserver on the rows (see reproduce.py) counts every row element replaced after the
table first showed its rows, with nothing changed in the data, the styles or the size.
"""

import pandas as pd
import panel as pn

frame = pd.DataFrame({"job": range(50), "label": [f"Job {i}" for i in range(50)]})

pn.widgets.Tabulator(frame, show_index=False, width=500, css_classes=["repro"]).servable()

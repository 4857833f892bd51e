"""Reproduction: ``Tabulator.patch`` replaces every row element in the browser, so keyboard
focus inside the table is lost, and an open inline editor is closed with what was typed.

Run with ``panel serve tabulator-rows-replaced-on-patch.py``: every second one cell of the
first row changes (``patch``). Focus the "Go" button of the second row with the keyboard, or
click a label to edit it and type: at the next patch the focus is gone (``document.activeElement``
is the body) and the editor is closed, the typed text lost.
"""

import itertools

import pandas as pd
import panel as pn

frame = pd.DataFrame({"label": ["first", "second", "third"], "progress": [0, 0, 0],
                      "go": ["<button>Go</button>"] * 3})
table = pn.widgets.Tabulator(frame, show_index=False, formatters={"go": "html"},
                             editors={"progress": None, "go": None}, css_classes=["repro"],
                             width=400)
ticks = itertools.count(1)


def advance() -> None:
    table.patch({"progress": [(0, next(ticks))]}, as_index=False)


pn.state.onload(lambda: pn.state.add_periodic_callback(advance, period=1000))
table.servable()

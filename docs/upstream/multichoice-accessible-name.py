"""Reproduction: the combobox of a MultiChoice has no accessible name.

Run with ``panel serve multichoice-accessible-name.py``: Bokeh labels the hidden ``<select>``
that Choices.js replaces (``<label for=...>``), while the control a person uses, Choices.js's
combobox and its text input, is named by nothing but its placeholder.
"""

import panel as pn

pn.widgets.MultiChoice(label="Fruit", options=["apple", "banana", "cherry"],
                       placeholder="All fruit", css_classes=["repro"]).servable()

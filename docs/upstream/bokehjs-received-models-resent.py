"""Reproduction: a model the server sends is sent back whole by the browser's next message.

Run with ``panel serve bokehjs-received-models-resent.py``, click "Add a button", then click
the button it adds ("Added"): the server prints ``BokehUserWarning: reference already known``.
BokehJS marks every model it receives in a patch as new, so the next message naming one (here
the click on "Added") carries its whole definition, which the server already has.
"""

import panel as pn

column = pn.Column(css_classes=["repro"])
added = pn.widgets.Button(label="Added")
add = pn.widgets.Button(label="Add a button")
add.on_click(lambda _: column.append(added))
added.on_click(lambda _: column.append(pn.pane.Str("clicked")))
column.append(add)
column.servable()

"""Toggle-button groups that say which buttons are pressed."""

from __future__ import annotations

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets


class PressedState(ReactiveHTML):
    """A Panel toggle-button group (RadioButtonGroup, CheckButtonGroup) as assistive
    technology should hear it: Bokeh marks the pressed buttons only with its ``bk-active``
    class, so each button's ``aria-pressed`` follows that class, and the group is named."""

    group = param.ClassSelector(
        class_=pn.widgets.Widget,
        allow_refs=False,
        doc="""
        The button group shown (not a reference to its value).""",
    )

    label = param.String(default="", doc="""The group's accessible name.""")

    _template = '<div id="holder">${group}</div>'

    _scripts = assets.scripts("pressed")

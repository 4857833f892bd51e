"""Toggle-button groups that say which buttons are pressed."""

from __future__ import annotations

import panel as pn
import param
from panel.reactive import ReactiveHTML


class PressedState(ReactiveHTML):
    """A Panel toggle-button group (RadioButtonGroup, CheckButtonGroup) as assistive
    technology should hear it: Bokeh marks the pressed buttons only with its ``bk-active``
    class, so each button's ``aria-pressed`` follows that class, and the group is named."""

    group = param.ClassSelector(class_=pn.widgets.Widget, allow_refs=False, doc="""
        The button group shown (not a reference to its value).""")

    label = param.String(default="", doc="""The group's accessible name.""")

    _template = '<div id="holder">${group}</div>'

    # The group's buttons sit in its own shadow root; Bokeh redraws them when the options
    # change and toggles ``bk-active`` on a click.
    _scripts = {
        "render": """
const root = holder.firstElementChild.shadowRoot;
const mark = () => {
  const box = root.querySelector('.bk-btn-group');
  if (box) { box.setAttribute('role', 'group'); box.setAttribute('aria-label', data.label); }
  for (const b of root.querySelectorAll('button.bk-btn')) {
    b.setAttribute('aria-pressed', String(b.classList.contains('bk-active')));
  }
};
mark();
new MutationObserver(mark).observe(root, {subtree: true, childList: true,
                                          attributeFilter: ['class']});
""",
    }

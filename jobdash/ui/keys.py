"""Page keyboard shortcuts: ``/`` focuses the search box, ``r`` refreshes, ``?`` opens Help
(Escape closes dialogs: see jobdash.ui.dialog).

Keys typed into a text field, or with Ctrl/Alt/Meta held, are left alone."""

from __future__ import annotations

from typing import Any

import param
from panel.reactive import ReactiveHTML

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("/", "Focus the search box"),
    ("r", "Refresh the page's data"),
    ("?", "Open this help"),
    ("Tab / Shift+Tab", "Move between controls; Enter or Space activates"),
    ("Escape", "Close a dialog"),
)


class Shortcuts(ReactiveHTML):
    """Listens for the page's single-key shortcuts (one listener per rendered page)."""

    search_class = param.String(default="jd-search", doc="""
        CSS class of the search widget that ``/`` focuses.""")

    refresh = param.Integer(default=0, doc="""Incremented each time ``r`` is pressed.""")

    help = param.Integer(default=0, doc="""Incremented each time ``?`` is pressed.""")
    _template = '<div id="keys" hidden></div>'

    _scripts = {
        "render": """
const typing = (el) => el && (el.isContentEditable ||
  ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
const find = (root) => {
  const host = root.querySelector('.' + data.search_class);
  if (host) { return (host.shadowRoot || host).querySelector('input'); }
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { const hit = find(el.shadowRoot); if (hit) { return hit; } }
  }
  return null;
};
state.handler = (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
  if (typing(event.composedPath()[0])) { return; }
  if (event.key === '/') {
    const box = find(document);
    if (box) { event.preventDefault(); box.focus(); }
  } else if (event.key === 'r') {
    event.preventDefault(); data.refresh += 1;
  } else if (event.key === '?') {
    event.preventDefault(); data.help += 1;
  }
};
document.addEventListener('keydown', state.handler);
""",
        "remove": "document.removeEventListener('keydown', state.handler);",
    }

    def __init__(self, **params: Any):
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)

"""Page keyboard shortcuts: ``/`` focuses the search box, ``r`` refreshes, ``?`` opens Help
(Escape closes dialogs: see jobdash.ui.dialog); in the job table arrows move between rows,
Space toggles the row's selection, Shift+arrows extend it, Delete asks to delete the
selection and Escape clears it.

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
    ("↑ / ↓", "Move between the rows of the job table"),
    ("Space", "Select or deselect the focused row"),
    ("Shift+↑ / Shift+↓", "Extend the selection to the next row"),
    ("Delete", "Delete the selected jobs (asks first)"),
    ("Escape", "Close a dialog, or clear the selection"),
)

# Finds elements inside the page and every shadow root below it (Panel renders components
# in shadow DOM).
DEEP_QUERY_JS = """
const deepAll = (root, selector) => {
  const out = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { out.push(...deepAll(el.shadowRoot, selector)); }
  }
  return out;
};
const typing = (el) => el && (el.isContentEditable ||
  ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
"""


class Shortcuts(ReactiveHTML):
    """Listens for the page's single-key shortcuts (one listener per rendered page)."""

    search_class = param.String(default="jd-search", doc="""
        CSS class of the search widget that ``/`` focuses.""")

    refresh = param.Integer(default=0, doc="""Incremented each time ``r`` is pressed.""")

    help = param.Integer(default=0, doc="""Incremented each time ``?`` is pressed.""")
    _template = '<div id="keys" hidden></div>'

    _scripts = {
        "render": DEEP_QUERY_JS + """
const find = () => {
  const host = deepAll(document, '.' + data.search_class)[0];
  return host ? (host.shadowRoot || host).querySelector('input') : null;
};
state.handler = (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
  if (typing(event.composedPath()[0])) { return; }
  if (event.key === '/') {
    const box = find();
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


class TableKeys(ReactiveHTML):
    """Keyboard use of the job table's rows and selection (one listener per rendered page):
    arrows move the focus between rows, Space toggles the focused row, Shift+arrows extend
    the selection, Delete and Escape are reported to the server."""

    delete = param.Integer(default=0, doc="""Incremented each time Delete is pressed.""")

    clear = param.Integer(default=0, doc="""
        Incremented each time Escape is pressed with no dialog open.""")

    _template = '<div id="tablekeys" hidden></div>'

    _scripts = {
        "render": DEEP_QUERY_JS + """
const toggle = (row, on) => {
  const box = row && row.querySelector('input[type=checkbox]');
  if (box && (on === undefined || box.checked !== on)) { box.click(); }
};
state.handler = (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
  const target = event.composedPath()[0];
  if (typing(target)) { return; }
  const inTable = target === document.body || (target.closest && target.closest('.tabulator'));
  const current = target.closest ? target.closest('.tabulator-row') : null;
  if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && inTable) {
    const rows = deepAll(document, '.tabulator-row');
    if (!rows.length) { return; }
    event.preventDefault();
    const at = rows.indexOf(current);
    const step = event.key === 'ArrowDown' ? 1 : -1;
    const next = rows[at < 0 ? 0 : Math.min(Math.max(at + step, 0), rows.length - 1)];
    next.tabIndex = -1;
    next.focus();
    if (event.shiftKey) { toggle(current, true); toggle(next, true); }
  } else if (event.key === ' ' && current) {
    event.preventDefault(); toggle(current);
  } else if (event.key === 'Delete') {
    event.preventDefault(); data.delete += 1;
  } else if (event.key === 'Escape' && !deepAll(document, 'dialog[open]').length) {
    data.clear += 1;
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

"""Page keyboard shortcuts: ``/`` focuses the search box, ``r`` refreshes, ``?`` opens Help
(Escape closes dialogs: see jobdash.ui.shared.dialog); in the job table arrows move between rows,
Space toggles the row's selection, Shift+arrows extend it, Shift+click selects a range,
Delete asks to delete the selection and Escape clears it. Tabs take arrows, Home/End, Enter
and Space (jobdash.ui.shared.tabs).

Keys typed into a text field, or with Ctrl/Alt/Meta held, are left alone."""

from __future__ import annotations

import param

from jobdash.ui.shared.hidden import Hidden

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("/", "Focus the search box"),
    ("r", "Refresh the page's data"),
    ("?", "Open this help"),
    ("Tab / Shift+Tab", "Move between controls; Enter activates (on a name: edits it)"),
    ("← / → on a tab", "Move between tabs; Enter or Space opens the focused one"),
    ("↑ / ↓", "Move between the rows of the job table"),
    ("Space", "Select or deselect the focused row"),
    ("Shift+↑ / ↓ / click", "Extend the selection to the next row / to the clicked row"),
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


def listening(handlers: dict[str, str], capture: bool = False) -> dict[str, str]:
    """``_scripts`` of a :class:`DocumentListener`: each ``{event type: body}`` becomes a
    document listener (``event`` in scope, with ``deepAll`` and ``typing``) added on render
    and removed with the view; ``capture`` listens before the page's own handlers."""
    adds = "".join(f"state.handlers.push(['{kind}', (event) => {{{body}}}]);\n"
                   for kind, body in handlers.items())
    flag = "true" if capture else "false"
    each = "for (const [kind, fn] of state.handlers) { document.%sEventListener(kind, fn, %s); }"
    return {"render": DEEP_QUERY_JS + "state.handlers = [];\n" + adds + each % ("add", flag),
            "remove": each % ("remove", flag)}


class DocumentListener(Hidden):
    """Base of the page's listeners on the whole document (one of each per rendered page);
    subclasses set ``_scripts = listening({...})``."""

    _template = '<div id="listener" hidden></div>'


class Shortcuts(DocumentListener):
    """Listens for the page's single-key shortcuts."""

    search_class = param.String(default="jd-search", doc="""
        CSS class of the search widget that ``/`` focuses.""")

    refresh = param.Integer(default=0, doc="""Incremented each time ``r`` is pressed.""")

    help = param.Integer(default=0, doc="""Incremented each time ``?`` is pressed.""")

    _scripts = listening({"keydown": """
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
  if (typing(event.composedPath()[0])) { return; }
  if (event.key === '/') {
    const host = deepAll(document, '.' + data.search_class)[0];
    const box = host ? (host.shadowRoot || host).querySelector('input') : null;
    if (box) { event.preventDefault(); box.focus(); }
  } else if (event.key === 'r') {
    event.preventDefault(); data.refresh += 1;
  } else if (event.key === '?') {
    event.preventDefault(); data.help += 1;
  }
"""})


class TableKeys(DocumentListener):
    """Keyboard use of the job table's rows and selection: arrows move the focus between
    rows, Space toggles the focused row, Shift+arrows extend the selection, Enter on the
    focused label cell edits it (as a click does), Delete and Escape are reported to the
    server."""

    delete = param.Integer(default=0, doc="""Incremented each time Delete is pressed.""")

    clear = param.Integer(default=0, doc="""
        Incremented each time Escape is pressed with no dialog open.""")

    _scripts = listening({"keydown": """
  const toggle = (row, on) => {
    const box = row && row.querySelector('input[type=checkbox]');
    if (box && (on === undefined || box.checked !== on)) { box.click(); }
  };
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
  } else if (event.key === 'Enter' && target.matches &&
             target.matches('.tabulator-cell[tabulator-field=label]:not(.tabulator-editing)')) {
    event.preventDefault(); target.click();
  } else if (event.key === 'Delete') {
    event.preventDefault(); data.delete += 1;
  } else if (event.key === 'Escape' && !deepAll(document, 'dialog[open]').length) {
    data.clear += 1;
  }
"""})


# The job id of the table row an event happened in (read from its Job ID button), or null
# when it happened outside a row or on one of the row's buttons or text fields (those keep
# their own meaning); the row's checkbox counts as the row.
ROW_JOB_JS = """
  const path = event.composedPath();
  const target = path[0];
  if (!target.closest) { return; }
  const row = target.closest('.tabulator-row');
  const own = target.closest('button, a, textarea, select, input:not([type=checkbox])');
  const button = row && row.querySelector('button.jd-jobid');
  const match = button && !own ? button.textContent.match(/(\\d+)\\s*$/) : null;
  const job = match ? parseInt(match[1], 10) : null;
  if (job === null) { return; }
"""


class RangeClicks(DocumentListener):
    """Shift+click in the job table: reports the job last clicked (the anchor) and the one
    Shift+clicked, so the server selects every row of the page between them. The click
    itself is stopped before the table sees it (the table would toggle that one row, or
    start editing); plain clicks pass untouched and only move the anchor."""

    range = param.List(default=[], doc="""
        ``[anchor job id, clicked job id]`` of the last Shift+click; the server empties it
        once handled (so the same range can be asked again).""")

    _scripts = listening({
        # Shift+mousedown would extend the page's text selection: not in rows.
        "mousedown": ROW_JOB_JS + "if (event.shiftKey) { event.preventDefault(); }",
        "click": ROW_JOB_JS + """
  if (event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault(); event.stopPropagation();
    data.range = [state.anchor === undefined ? job : state.anchor, job];
  }
  state.anchor = job;
"""}, capture=True)

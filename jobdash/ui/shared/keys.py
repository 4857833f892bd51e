"""Page keyboard shortcuts: ``/`` focuses the search box, ``r`` refreshes, ``?`` opens Help
(Escape closes dialogs: see jobdash.ui.shared.dialog); in the job table arrows move between rows,
Space toggles the row's selection, Shift+arrows extend it, Shift+click selects a range,
Delete asks to delete the selection and Escape clears it. Tabs take arrows, Home/End, Enter
and Space (jobdash.ui.shared.tabs).

Keys typed into a text field, or with Ctrl/Alt/Meta held, are left alone, and so are keys in
any table but jobdash's. The browser code is in ``assets/js/keys*.js``."""

from __future__ import annotations

import param

from jobdash.ui import assets
from jobdash.ui.shared.hidden import Hidden

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("/", "Focus the search box"),
    ("r", "Refresh the page's data"),
    ("?", "Open this help"),
    ("Tab / Shift+Tab", "Move between controls; Enter activates (on a name: edits it)"),
    ("← / → on a tab", "Move between tabs; Enter or Space opens the focused one"),
    ("↑ / ↓ / ← / →", "Move between the rows and cells of the job table"),
    ("Space", "Select or deselect the focused row"),
    ("Shift+↑ / ↓ / click", "Extend the selection to the next row / to the clicked row"),
    ("Tab", "The job table is one stop: arrows move between its cells and rows"),
    ("Shift+F10 / right-click", "Open a row's actions menu (as its ⋮ button does)"),
    ("Delete", "Delete the selected jobs (asks first)"),
    ("Escape", "Close a dialog, or clear the selection"),
)

# The class of the job table's element: TableKeys drives only that table (any other table of
# the page keeps its own keys).
TABLE_CLASS = "jd-table"


def listening(name: str) -> dict[str, str]:
    """``_scripts`` of a :class:`DocumentListener`: ``js/<name>.js`` (its ``render`` adds the
    listener's document listeners) with the shared ``js/keys.js`` (``setup``, ``remove``)."""
    return {**assets.scripts("keys"), **assets.scripts(name)}


class DocumentListener(Hidden):
    """Base of the page's listeners on the whole document (one of each per rendered page);
    subclasses set ``_scripts = listening("<their script file>")``."""

    _template = '<div id="listener" hidden></div>'


class Shortcuts(DocumentListener):
    """Listens for the page's single-key shortcuts."""

    search_class = param.String(
        default="jd-search",
        doc="""
        CSS class of the search widget that ``/`` focuses.""",
    )

    refresh = param.Integer(default=0, doc="""Incremented each time ``r`` is pressed.""")

    help = param.Integer(default=0, doc="""Incremented each time ``?`` is pressed.""")

    _scripts = listening("keys-shortcuts")


class TableKeys(DocumentListener):
    """Keyboard use of the job table's rows and selection: arrows move the focus between
    rows, Space toggles the focused row, Shift+arrows extend the selection, Enter on the
    focused label cell edits it (as a click does), Delete and Escape are reported to the
    server."""

    table_class = param.String(
        default=TABLE_CLASS,
        constant=True,
        doc="""
        CSS class of the job table's element: only that table's rows are driven.""",
    )

    delete = param.Integer(default=0, doc="""Incremented each time Delete is pressed.""")

    clear = param.Integer(
        default=0,
        doc="""
        Incremented each time Escape is pressed with no dialog open.""",
    )

    _scripts = listening("keys-table")


class RowMenu(DocumentListener):
    """The job table's row actions menu: its ⋮ button (click, Enter or Space), a right-click
    on the row, or the context-menu key (Shift+F10) on it opens a menu of the row's actions
    (arrows, Home/End move, Enter runs one, Escape closes it and focuses the ⋮ button again);
    the chosen action and job are reported to the server. Code: ``assets/js/row-menu.js``,
    look: ``assets/css/table.css``."""

    table_class = param.String(
        default=TABLE_CLASS,
        constant=True,
        doc="""
        CSS class of the job table's element: only that table's rows get the menu.""",
    )

    items = param.List(
        default=[],
        constant=True,
        doc="""
        The menu's items in order, ``[action, label]`` each (``["view", "View"]``).""",
    )

    chosen = param.List(
        default=[],
        doc="""
        ``[action, job id]`` of the item last chosen; the server empties it once handled.""",
    )

    disabled = param.Boolean(
        default=False,
        doc="""
        Whether the menus are off (the history cannot be reached): an open menu closes, the
        ⋮ buttons show and say they are disabled and open nothing.""",
    )

    _scripts = listening("row-menu")


class RangeClicks(DocumentListener):
    """Shift+click in the job table: reports the job last clicked (the anchor) and the one
    Shift+clicked, so the server selects every row of the page between them. The click
    itself is stopped before the table sees it (the table would toggle that one row, or
    start editing); plain clicks pass untouched and only move the anchor."""

    range = param.List(
        default=[],
        doc="""
        ``[anchor job id, clicked job id]`` of the last Shift+click; the server empties it
        once handled (so the same range can be asked again).""",
    )

    _scripts = listening("keys-range")

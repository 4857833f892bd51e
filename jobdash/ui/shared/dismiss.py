"""Menus that close the way menus do: Escape, or a click or tap outside them, closes an open
menu (Escape puts the focus back on the button that opened it). The browser code is in
``assets/js/dismiss.js``."""

from __future__ import annotations

import param

from jobdash.ui.shared.keys import DocumentListener, listening


class Dismisser(DocumentListener):
    """Reports (``dismissed``) an Escape or a pointer press outside an open menu; the menu's
    owner closes it. One per menu."""

    open = param.Boolean(default=False, doc="""Whether the menu is open (set by its owner).""")

    menu_class = param.String(
        doc="""
        CSS class of the menu's element: presses inside it leave the menu open.""",
    )

    button_class = param.String(
        doc="""
        CSS class of the element holding the button that opens the menu: presses on it are
        the button's own (it toggles the menu); Escape gives it the focus back.""",
    )

    dismissed = param.Integer(
        default=0, doc="""Incremented each time the open menu is dismissed in the browser."""
    )

    _scripts = listening("dismiss")

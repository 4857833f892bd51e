"""Base of the page's invisible helper elements (document listeners, the downloader)."""

from __future__ import annotations

from typing import Any

from panel.reactive import ReactiveHTML


class Hidden(ReactiveHTML):
    """A ReactiveHTML element that takes no room on the page; subclasses give a hidden
    ``_template`` and their ``_scripts``."""

    def __init__(self, **params: Any):
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)

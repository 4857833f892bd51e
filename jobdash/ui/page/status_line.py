"""The page's one-line live regions (pager total, selection counter, filter summary)."""

from __future__ import annotations

from jobdash.ui import assets


def status_html(text: str, *, caption: bool = False) -> str:
    """``text`` (escaped) as a polite status paragraph: bold, or as a caption."""
    return assets.render("page-status", text=text, caption=caption)

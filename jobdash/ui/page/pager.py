"""Pager: Previous / Next, page numbers, jump to page, "Jobs per page" and the total; and
"Skip to pager", the link before the job table that takes the keyboard past it."""

from __future__ import annotations

from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.page.status_line import status_html
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import count_text
from jobdash.vocab import PAGE_SIZES


def page_window(current: int, pages: int, width: int = 7) -> list[int | None]:
    """Page numbers to show, ``None`` standing for a gap: the first and last page always,
    and pages around ``current``; never more than ``width`` items."""
    if pages <= width:
        return list(range(1, pages + 1))
    current = min(max(current, 1), pages)
    if current <= width - 3:
        return [*range(1, width - 1), None, pages]
    if current >= pages - (width - 4):
        return [1, None, *range(pages - (width - 3), pages + 1)]
    half = (width - 4) // 2
    return [1, None, *range(current - half, current + half + 1), None, pages]


PAGES_CSS = theme.FOCUS_CSS + assets.css("pager")
SKIP_CSS = assets.css("pager-skip")
PAGER_CLASS = "jd-pager"  # the pager's element, where "Skip to pager" moves the focus


def _whole_number(text: str) -> int | None:
    """``" 12 "`` -> 12; anything that is not a whole number -> None."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


class PageLinks(ReactiveHTML):
    """Numbered page buttons (``Page 3``), the current one marked with aria-current."""

    numbers = param.List(
        default=[1],
        doc="""
        Page numbers shown, None for a gap (see :func:`page_window`).""",
    )

    current = param.Integer(default=1, doc="""The page being shown.""")

    requested = param.Integer(
        default=0,
        doc="""
        The page number last clicked; reset to 0 once handled.""",
    )

    _template = assets.template("pager")

    _scripts = assets.scripts("pager")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [PAGES_CSS])
        super().__init__(**params)


class SkipLink(ReactiveHTML):
    """ "Skip to pager": shown while it has the keyboard focus; Enter moves the focus to the
    pager's first control that takes it (past the job table)."""

    target = param.String(
        default=PAGER_CLASS,
        constant=True,
        doc="""
        CSS class of the pager's element.""",
    )

    _template = assets.template("pager-skip")

    _scripts = assets.scripts("pager-skip")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [SKIP_CSS])
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)


class Pager(pn.viewable.Viewer):
    """Moves the shared query between pages and sets the page size."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing paged (its query's page and page_size; its total and pages).""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        query = self.listing.query
        css = [theme.WIDGET_CSS]
        self._previous = pn.widgets.Button(label="Previous", width=96, stylesheets=css, align="end")
        self._next = pn.widgets.Button(label="Next", width=80, stylesheets=css, align="end")
        self._numbers = PageLinks(align="end", margin=(5, 8))
        self._jump = pn.widgets.TextInput(
            label="Go to page", value=str(query.page), width=96, stylesheets=css
        )
        self._size = pn.widgets.Select(
            label="Jobs per page",
            value=query.page_size,
            options=list(PAGE_SIZES),
            width=110,
            stylesheets=css,
        )
        self._total = pn.pane.HTML(
            "",
            stylesheets=[theme.HTML_CSS],
            align="end",
            margin=(5, 10, 12, 10),
            styles={"margin-right": "auto"},
        )
        self._previous.on_click(lambda _: self.go(query.page - 1))
        self._next.on_click(lambda _: self.go(query.page + 1))
        pn.bind(self._number_clicked, self._numbers.param.requested, watch=True)
        pn.bind(lambda text: self.go(_whole_number(text)), self._jump, watch=True)
        self._size.link(query, value="page_size")
        self._layout = pn.Row(
            self._total,
            self._previous,
            self._numbers,
            self._next,
            self._jump,
            self._size,
            sizing_mode="stretch_width",
            margin=(8, 0),
            styles={"flex-wrap": "wrap", "align-items": "flex-end", "gap": "4px"},
            css_classes=[PAGER_CLASS],
        )
        self.skip = SkipLink()
        self._update()

    def go(self, page: int | None) -> None:
        """Show a page (clamped to the pages there are)."""
        query = self.listing.query
        if page is None:
            self._update()  # not a number: show the real page again
            return
        target = min(max(int(page), 1), self.listing.pages)
        if target == query.page:
            self._update()  # e.g. "Go to page" 99 on the last page: show the real page again
        query.page = target

    def _number_clicked(self, page: int) -> None:
        if page:
            self.go(page)
            self._numbers.requested = 0

    @param.depends(
        "listing.total",
        "listing.pages",
        "listing.query.page",
        "listing.query.page_size",
        watch=True,
    )
    def _update(self) -> None:
        query, pages = self.listing.query, self.listing.pages
        self._previous.disabled = query.page <= 1
        self._next.disabled = query.page >= pages
        self._numbers.param.update(numbers=page_window(query.page, pages), current=query.page)
        self._jump.value = str(query.page)
        self._size.value = query.page_size
        self._total.object = status_html(f"Total: {count_text(self.listing.total, 'job')}")

    def __panel__(self) -> pn.Row:
        return self._layout

"""Filter bar, one line of controls of one height: debounced search, status, configuration,
date range (typed as the table shows dates, YYYY-MM-DD), the presets menu, a summary of how
many filters are active and "Clear filters". Every control writes the shared ``JobQuery``;
the bar never changes height (nothing chosen in it moves the page)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pandas as pd
import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.query import FILTER_FIELDS, SEARCH_MAX
from jobdash.ui import assets
from jobdash.ui.page.presets import PresetBar
from jobdash.ui.page.state import JobListing
from jobdash.ui.page.status_line import status_html
from jobdash.ui.shared import theme
from jobdash.ui.shared.hidden import OWN
from jobdash.ui.shared.notify import Toaster
from jobdash.vocab import JOB_STATUS_LABELS, JOB_STATUSES

SEARCH_DEBOUNCE_MS = 300
ALL_CONFIGURATIONS = "All configurations"
ANY = 0  # the "All configurations" choice (configuration ids start at 1)

DATE_CSS = theme.FOCUS_CSS + assets.css("filters-date")
FILTERS_CSS = assets.css("filters")


class DateField(ReactiveHTML):
    """A labelled date typed as YYYY-MM-DD (as the table shows dates, whatever the browser's
    locale), or chosen on the browser's calendar from the button in the field; empty means
    unset."""

    label = param.String(default="Date", doc="""The visible label (and accessible name).""")

    value = param.String(default="", doc="""The chosen day as YYYY-MM-DD, or empty.""")

    calendar_label = param.String(
        default="Pick a day on a calendar",
        doc="""
        The accessible name of the calendar button (other words than the label's, so that
        the label names the text field alone).""",
    )

    _template = assets.template("filters-date")

    _dom_events = {"input": ["change"]}

    _scripts = assets.scripts("filters-date")

    def __init__(self, **params: Any):
        params.setdefault("stylesheets", [DATE_CSS])
        params.setdefault("margin", 0)
        super().__init__(**params)


def configuration_options(configs: pd.DataFrame) -> dict[str, int]:
    """``{"All configurations": 0, "Hero banners v2": 7, ...}`` for the configurations
    (id, name, version) of a history, newest version first."""
    configs = configs.sort_values(["name", "version"], ascending=[True, False])
    options: dict[str, int] = {ALL_CONFIGURATIONS: ANY}
    columns = configs["id"], configs["name"], configs["version"]
    for config_id, name, version in zip(*columns, strict=True):
        options[f"{name} v{version}"] = int(config_id)
    return options


def filters_summary(active: int) -> str:
    """``No filters active`` / ``1 filter active`` / ``3 filters active``."""
    if not active:
        return "No filters active"
    return f"{active} filter{'s' if active != 1 else ''} active"


class FilterBar(pn.viewable.Viewer):
    """The filters of the Job Management page over the shared query."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing filtered (its query gets every filter).""",
    )

    toaster = param.ClassSelector(
        class_=Toaster,
        doc="""
        The page's toaster (the presets announce what they did there).""",
    )

    search_text = param.String(
        default="",
        doc="""
        What is typed in the search box; applied to the query after a short pause.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        query = self.listing.query
        css = [theme.WIDGET_CSS, FILTERS_CSS]
        self._search = pn.widgets.TextInput(
            label="Search jobs",
            placeholder="ID, label, config, error",
            value=query.search,
            max_length=SEARCH_MAX,
            css_classes=["jd-search"],
            width=186,
            margin=0,
            styles={"flex": "1 1 200px"},
            stylesheets=css,
        )
        self._status = pn.widgets.MultiChoice(
            label="Status",
            options={JOB_STATUS_LABELS[s]: s for s in JOB_STATUSES},
            value=list(query.statuses),
            placeholder="All statuses",
            width=190,
            margin=0,
            css_classes=["jd-status"],
            stylesheets=css,
            tags=[OWN],
        )
        self._config = pn.widgets.Select(
            label="Configuration", width=166, margin=0, stylesheets=css
        )
        self._from = DateField(
            label="From date", calendar_label="Pick the first day on a calendar", width=132
        )
        self._to = DateField(
            label="To date", calendar_label="Pick the last day on a calendar", width=132
        )
        self._clear = pn.widgets.Button(label="Clear filters", width=108, margin=0, stylesheets=css)
        self._summary = pn.pane.HTML(
            "", stylesheets=[theme.HTML_CSS], margin=(0, 0, 9, 0), width=104
        )
        self._debounce: Any = None
        self.presets = PresetBar(listing=self.listing, toaster=self.toaster)
        self.refresh_configurations()
        self._init_callbacks()
        self._show_query()
        # A page section of its own (white card), one line at the page's widths; the controls
        # share their bottom edge.
        self._layout = pn.FlexBox(
            self._search,
            self._status,
            self._config,
            self._from,
            self._to,
            self.presets,
            self._summary,
            self._clear,
            gap="8px",
            align_items="flex-end",
            flex_wrap="nowrap",
            stylesheets=[theme.SECTION_CSS, FILTERS_CSS],
            css_classes=["jd-filters"],
            sizing_mode="stretch_width",
            margin=(12, 0, 0, 0),
        )

    def _init_callbacks(self) -> None:
        self._search.link(self, value_input="search_text")
        self._status.link(self.listing.query, value="statuses")
        pn.bind(self._config_chosen, self._config, watch=True)
        pn.bind(self._date_chosen, "date_from", self._from.param.value, watch=True)
        pn.bind(self._date_chosen, "date_to", self._to.param.value, watch=True)
        self._clear.on_click(lambda _: self.clear())

    # -- actions ----------------------------------------------------------------------------

    def clear(self) -> None:
        """Reset every filter (sort and page size are kept)."""
        self._cancel_debounce()
        self.search_text = ""
        self._search.param.update(value="", value_input="")
        query = self.listing.query
        query.param.update(**{f: copy.copy(query.param[f].default) for f in FILTER_FIELDS})
        # Emptying the box above scheduled "apply the typed text" while the query still had
        # its search: left pending, it would fire after a preset applied within 300 ms.
        self._cancel_debounce()

    def apply_search(self) -> None:
        """Put the typed search text into the query now."""
        self._cancel_debounce()
        self.listing.query.search = self.search_text.strip()

    def refresh_configurations(self) -> None:
        """Re-read the configuration choices (after one was added)."""
        options = configuration_options(self.listing.configurations())
        chosen = self.listing.query.configuration_ids
        self._config.options = options
        single = len(chosen) == 1 and chosen[0] in options.values()
        self._config.value = chosen[0] if single else ANY

    # -- callbacks --------------------------------------------------------------------------

    @param.depends("search_text", watch=True)
    def _typed(self) -> None:
        self._cancel_debounce()
        if self.search_text.strip() == self.listing.query.search:
            return
        self._debounce = pn.state.add_periodic_callback(
            self.apply_search, period=SEARCH_DEBOUNCE_MS, count=1
        )

    def _cancel_debounce(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None

    def _config_chosen(self, config_id: int | None) -> None:
        self.listing.query.configuration_ids = [] if config_id in (None, ANY) else [int(config_id)]

    def _date_chosen(self, field: str, text: str) -> None:
        name = "From date" if field == "date_from" else "To date"
        try:
            day = dt.date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            day = None
        if text.strip() and (day is None or len(text.strip()) != len("YYYY-MM-DD")):
            self.listing.error = f"{name}: type a date as YYYY-MM-DD, e.g. 2026-03-31."
            self._show_query()
            return
        query = self.listing.query
        other = query.date_to if field == "date_from" else query.date_from
        if day and other and (day > other if field == "date_from" else day < other):
            self.listing.error = "From date must be on or before To date."
            self._show_query()
            return
        setattr(query, field, day)

    @param.depends(*(f"listing.query.{field}" for field in FILTER_FIELDS), watch=True)
    def _show_query(self) -> None:
        query = self.listing.query
        if query.search != self.search_text.strip() and self._debounce is None:
            self._search.param.update(value=query.search, value_input=query.search)
        self._status.value = list(query.statuses)
        ids = query.configuration_ids
        self._config.value = ids[0] if len(ids) == 1 and ids[0] in self._config.values else ANY
        self._from.value = query.date_from.isoformat() if query.date_from else ""
        self._to.value = query.date_to.isoformat() if query.date_to else ""
        self._clear.disabled = not query.active_filters
        self._summary.object = status_html(filters_summary(query.active_filters), caption=True)

    def __panel__(self) -> pn.FlexBox:
        return self._layout

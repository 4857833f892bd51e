"""The served Job Management view in the page URL: filters, sort, page, page size and the
open job, so a link reproduces the view, each tab keeps its own, and Back / Forward work.

    /jobs?status=failed,stopped&q=lake&sort=id&desc=0&page=3&size=50&job=42

Only values that differ from the defaults appear. A value that is not valid (``page=abc``)
is dropped on its own; the rest of the link still applies.

``?job=`` is shared with jobdash.ui.deep_link, which opens the job of a link on load and
writes ``job`` through Panel's ``pn.state.location``: this module keeps that object's
``search`` current (without a second history entry) so the two never overwrite each other,
and applies ``job`` itself on Back / Forward."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import panel as pn
import param
from panel.reactive import ReactiveHTML

from ..errors import ValidationError
from ..query import JobQuery
from ..vocab import format_job_id, parse_job_id
from .state import JobListing

# JobQuery field -> URL parameter.
URL_NAMES: dict[str, str] = {
    "statuses": "status", "date_from": "from", "date_to": "to", "configuration_ids": "config",
    "search": "q", "image_qc": "qc", "error_signature": "signature", "sort": "sort",
    "descending": "desc", "page": "page", "page_size": "size",
}
LIST_FIELDS = ("statuses", "configuration_ids")
JOB = "job"


def to_search(query: JobQuery, open_job: int | None) -> str:
    """``?status=failed&page=2`` for the fields that differ from their defaults ("" when
    none do)."""
    defaults, values = JobQuery().to_dict(), query.to_dict()
    params: dict[str, str] = {}
    for field, name in URL_NAMES.items():
        value = values[field]
        if value == defaults[field]:
            continue
        if field in LIST_FIELDS:
            params[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            params[name] = "1" if value else "0"
        else:
            params[name] = str(value)
    if open_job is not None:
        params[JOB] = format_job_id(open_job)
    return "?" + urlencode(params) if params else ""


def from_search(search: str) -> tuple[JobQuery, int | None]:
    """The query (absent fields at their defaults) and the open job of a URL query
    string; invalid values are left at their defaults."""
    given = dict(parse_qsl(search.lstrip("?")))
    fields: dict[str, Any] = {}
    for field, name in URL_NAMES.items():
        if name in given:
            text = given[name]
            fields[field] = ([v for v in text.split(",") if v] if field in LIST_FIELDS
                             else text)
    while True:
        try:
            query = JobQuery(**fields)
            break
        except ValidationError as exc:  # drop the named field (or, unnamed, any) and retry
            fields.pop(exc.field if exc.field in fields else next(iter(fields)))
    return query, parse_job_id(given.get(JOB, ""))


class UrlState(ReactiveHTML):
    """Keeps the listing's query and open job and the page URL in step: the view pushes a
    history entry when it changes; Back / Forward (and the first load) set the view."""

    url = param.String(default="", doc="""
        The query string the view wants in the address bar (pushed when it differs).""")

    location = param.String(default="", doc="""
        The query string the browser shows after Back / Forward.""")

    _template = '<div id="url" hidden></div>'

    # String data reaches the scripts HTML-escaped: "&amp;" is put back to "&".
    _scripts = {
        "render": """
state.pop = () => { data.location = window.location.search; };
window.addEventListener('popstate', state.pop);
self.url();
""",
        "url": """
const wanted = data.url.replace(/&amp;/g, '&');
if (wanted !== window.location.search) {
  window.history.pushState({}, '', window.location.pathname + wanted + window.location.hash);
}
""",
        "remove": "window.removeEventListener('popstate', state.pop);",
    }

    def __init__(self, listing: JobListing, search: str | Mapping[str, str] = "",
                 **params: Any):
        """Show ``listing`` as the page's first URL query ``search`` describes (its job is
        opened by jobdash.ui.deep_link once the page is loaded)."""
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)
        self.listing = listing
        self._applying = False
        self.apply(search, open_job=False)
        listing.param.watch(self._view_changed, ["rows", "open_job"])
        self.param.watch(self._went_back, "location")

    def apply(self, search: str | Mapping[str, str], open_job: bool = True) -> None:
        """Show the view a URL query string (or its parsed parameters) describes; with
        ``open_job`` False the open job is left as it is."""
        wanted, job = from_search(search if isinstance(search, str) else urlencode(search))
        query = self.listing.query
        changed = {k: v for k, v in wanted.param.values().items()
                   if k != "name" and getattr(query, k) != v}
        page = changed.pop("page", None)
        self._applying = True  # one history entry for the whole change, not one per step
        try:
            if changed:
                query.param.update(**changed)
            if page is not None:
                query.page = page
            if open_job:
                self.listing.open_job = job
        finally:
            self._applying = False
        self._view_changed()

    def _went_back(self, event: param.parameterized.Event) -> None:
        self._note_location(event.new)
        self.url = event.new
        self.apply(event.new)

    def _view_changed(self, *_: Any) -> None:
        if self._applying:
            return
        self.url = to_search(self.listing.query, self.listing.open_job)
        self._note_location(self.url)

    @staticmethod
    def _note_location(search: str) -> None:
        """Tell Panel's location object what the address bar shows, without it pushing a
        history entry of its own."""
        location = pn.state.location
        if location is not None and location.search != search:
            with param.discard_events(location):
                location.search = search

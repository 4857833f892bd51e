"""``/jobs?job=ID`` opens the Single Job View: served, the open job lives in the URL."""

from __future__ import annotations

import weakref
from typing import Any
from urllib.parse import urlencode

import panel as pn

from jobdash.ui.job.detail import is_served
from jobdash.ui.page.state import JobListing
from jobdash.vocab import format_job_id, parse_job_id

QUERY_KEY = "job"

# Listings whose whole URL a page keeps itself (jobdash.ui.page.urlstate): ``?job=`` is not
# written here for them, since Panel's location pushes a history entry on every write.
_url_kept_elsewhere: weakref.WeakSet[JobListing] = weakref.WeakSet()


def leave_url_to_page(listing: JobListing) -> None:
    """From now on ``listing``'s page writes ``?job=`` itself, with the rest of its view
    (one history entry per change, none on load): :func:`link_open_job` still opens the
    job of the loaded URL, but no longer writes the URL."""
    _url_kept_elsewhere.add(listing)


def link_open_job(listing: JobListing) -> None:
    """Served: open the job named by ``?job=`` now, and keep ``?job=`` in step with the
    open job (removed when it closes). Does nothing in a notebook."""
    location = pn.state.location
    if location is None or not is_served():
        return
    raw = pn.state.session_args.get(QUERY_KEY, [b""])[0].decode("utf-8", "replace")
    job_id = parse_job_id(raw)

    def write(*_: Any) -> None:
        if listing in _url_kept_elsewhere:
            return
        query = {k: v for k, v in location.query_params.items() if k != QUERY_KEY}
        if listing.open_job is not None:
            query[QUERY_KEY] = format_job_id(listing.open_job)
        location.search = f"?{urlencode(query)}" if query else ""

    listing.param.watch(write, "open_job")
    if job_id is not None:   # once the page is in the document (a dialog opens only there)
        pn.state.onload(lambda: setattr(listing, "open_job", job_id))

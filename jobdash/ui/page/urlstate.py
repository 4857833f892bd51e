"""The served Job Management view in the page URL: filters, sort, page, page size and the
open job, so a link reproduces the view, each tab keeps its own, and Back / Forward work.

    /jobs?status=failed,stopped&q=lake&sort=id&desc=0&page=3&size=50&job=42

Only values that differ from the defaults appear. A value that is not valid (``page=abc``,
``desc=maybe``, one bad status of ``status=failed,%00``) is dropped on its own, the rest of
the link still applies, and a toast names what was dropped.

History entries, as in a web app: loading a URL (a link, the address bar, a reload) adds
none (the address bar is only corrected in place, ``replaceState``, when the URL was not
in its canonical form); Back / Forward add none; each change of the view made on the page
pushes exactly one: a filter, the sort, a page, opening a job and closing it. So after
opening a job and closing it, Back re-opens it once, and the next Back goes to the view
(or page) before it; after a deep link from the Dashboard and closing the job, Back shows
the job again and then the Dashboard.

This is the page's only URL writer (a served JobManager holds one; a notebook has no URL).
Panel's ``pn.state.location`` is not used to write: it pushes an entry on every write, the
load's included, and never hears Back / Forward; it is only kept current (without an entry
of its own) for anyone reading it. The job of a loaded link (``?job=``) is opened once the
page is in the document (a dialog opens only there); it counts as open until then, so the
page's first URL write keeps it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.errors import ValidationError
from jobdash.query import JobQuery
from jobdash.ui import assets
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared.notify import Toaster
from jobdash.vocab import format_job_id, parse_job_id

# JobQuery field -> URL parameter.
URL_NAMES: dict[str, str] = {
    "statuses": "status",
    "date_from": "from",
    "date_to": "to",
    "configuration_ids": "config",
    "search": "q",
    "image_qc": "qc",
    "error_signature": "signature",
    "sort": "sort",
    "descending": "desc",
    "page": "page",
    "page_size": "size",
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


@dataclass(frozen=True)
class Link:
    """What a URL query string asks for: the view, and what of it was not valid."""

    query: JobQuery
    """The listing's query (fields the link leaves out, or gives badly, at their defaults)."""
    job: int | None
    """The job to open, if any."""
    ignored: tuple[str, ...] = ()
    """``name=value`` of each value that was dropped, in the link's order."""


def from_search(search: str) -> Link:
    """The view a URL query string describes. Each invalid value is dropped on its own (in
    a list, each invalid item) and named in :attr:`Link.ignored`; the rest applies."""
    given = dict(parse_qsl(search.lstrip("?")))
    fields: dict[str, Any] = {}
    ignored: list[str] = []
    for field, name in URL_NAMES.items():
        if name not in given:
            continue
        if field in LIST_FIELDS:
            items = [v for v in given[name].split(",") if v.strip()]
            fields[field] = [v for v in items if _valid(field, v)]
            ignored += [_shown(name, v) for v in items if v not in fields[field]]
        else:
            fields[field] = given[name]
    while True:
        try:
            query = JobQuery(**fields)
            break
        except ValidationError as exc:  # drop the named field (or, unnamed, any) and retry
            field = exc.field if exc.field in fields else next(iter(fields))
            fields.pop(field)
            ignored.append(_shown(URL_NAMES[field], given[URL_NAMES[field]]))
    job = parse_job_id(given.get(JOB, ""))
    if JOB in given and job is None:
        ignored.append(_shown(JOB, given[JOB]))
    order = [*URL_NAMES.values(), JOB]
    return Link(query, job, tuple(sorted(ignored, key=lambda i: order.index(i.split("=")[0]))))


def _valid(field: str, item: str) -> bool:
    """Whether one item of a list field is a valid value of it (as JobQuery judges)."""
    try:
        JobQuery(**{field: [item]})
    except ValidationError:
        return False
    return True


def _shown(name: str, value: str, keep: int = 40) -> str:
    """``name=value`` as a toast shows it: characters that do not print percent-encoded,
    as in the link, and a long value cut short."""
    text = "".join(ch if ch.isprintable() else quote(ch) for ch in value)
    return f"{name}={text if len(text) <= keep else text[:keep] + '…'}"


def ignored_text(ignored: Sequence[str]) -> str:
    """The toast saying what of a link was not valid."""
    return "Ignored in this link (not valid): " + ", ".join(ignored)


PUSH, REPLACE = "push", "replace"


class UrlState(ReactiveHTML):
    """Keeps the listing's query and open job and the page URL in step: a change of the
    view pushes one history entry; the first load and Back / Forward set the view (and
    only correct the address bar in place)."""

    url = param.String(
        default="",
        doc="""
        How and what the view wants in the address bar: ``push`` or ``replace`` (a new
        history entry, or the current one rewritten), a space and the query string.
        Nothing is written when the address bar already shows that query string.""",
    )

    location = param.String(
        default="",
        doc="""
        The query string the browser shows after Back / Forward, after a stamp (the time
        of the move) and a space: each move is a change, even to the query string of the
        move before (or to the default, empty one).""",
    )

    _template = assets.template("urlstate")

    _scripts = assets.scripts("urlstate")

    def __init__(
        self,
        listing: JobListing,
        search: str | Mapping[str, str] | None = None,
        toaster: Toaster | None = None,
        **params: Any,
    ):
        """Show ``listing`` as the page's first URL query ``search`` describes (by default
        the query of the session's URL); its job is opened, and what of it was not valid
        is said on ``toaster``, once the page is loaded."""
        params.setdefault("margin", 0)
        params.setdefault("height", 0)
        super().__init__(**params)
        self.listing = listing
        self.toaster = toaster
        self._applying = False
        search = session_search() if search is None else search
        # The job of the loaded URL, until the page has opened it (or the open job has
        # changed otherwise): the URL keeps it meanwhile.
        self._loading_job = from_search(_text(search)).job
        ignored = self.apply(search, open_job=False, how=REPLACE)
        listing.param.watch(self._view_changed, ["rows", "open_job"])
        if self._loading_job is not None:
            pn.state.onload(self._open_loaded_job)
        if ignored:
            pn.state.onload(lambda: self._say_ignored(ignored))

    def _open_loaded_job(self) -> None:
        """Open the job the loaded URL names (once the page is in the document)."""
        if self._loading_job is not None:
            self.listing.open_job = self._loading_job

    def apply(
        self, search: str | Mapping[str, str], open_job: bool = True, how: str = PUSH
    ) -> tuple[str, ...]:
        """Show the view a URL query string (or its parsed parameters) describes; with
        ``open_job`` False the open job is left as it is. ``how`` the address bar follows
        when it shows something else: a new history entry (``"push"``) or the current one
        rewritten (``"replace"``). Returns what of it was not valid (see
        :attr:`Link.ignored`), left out of the view and of the address bar."""
        link = from_search(_text(search))
        query = self.listing.query
        changed = {
            k: v
            for k, v in link.query.param.values().items()
            if k != "name" and getattr(query, k) != v
        }
        page = changed.pop("page", None)
        # The view follows the URL: the listing's changes on the way are not changes of the
        # view to push (one history entry, or none, for the whole change: written below).
        self._applying = True
        try:
            if changed:
                query.param.update(**changed)
            if page is not None:
                query.page = page
            if open_job:
                self._loading_job = None
                self.listing.open_job = link.job
        finally:
            self._applying = False
        self._write(how)
        return link.ignored

    def _say_ignored(self, ignored: Sequence[str]) -> None:
        if self.toaster is not None:
            self.toaster.show("warning", ignored_text(ignored))

    @param.depends("location", watch=True)
    def _went_back(self) -> None:
        search = self.location.rpartition(" ")[2]  # a query string holds no bare space
        self._note_location(search)
        self.url = f"{REPLACE} {search}"  # what the address bar shows now
        ignored = self.apply(search, how=REPLACE)  # corrected in place, if not canonical
        if ignored:
            self._say_ignored(ignored)

    def _view_changed(self, *events: param.parameterized.Event) -> None:
        if self._applying:
            return
        how = PUSH
        if self._loading_job is not None and any(e.name == "open_job" for e in events):
            if self.listing.open_job == self._loading_job:
                how = REPLACE  # the loaded URL's job, opened
            self._loading_job = None
        self._write(how)

    def _write(self, how: str) -> None:
        job = self.listing.open_job if self._loading_job is None else self._loading_job
        search = to_search(self.listing.query, job)
        self.url = f"{how} {search}"
        self._note_location(search)

    @staticmethod
    def _note_location(search: str) -> None:
        """Tell Panel's location object what the address bar shows, without it pushing a
        history entry of its own."""
        location = pn.state.location
        if location is not None and location.search != search:
            with param.discard_events(location):
                location.search = search


def session_search() -> dict[str, str]:
    """The URL query parameters of the session being built (first value of each; none
    outside a served session)."""
    return {
        k: v[0].decode("utf-8", "replace") for k, v in (pn.state.session_args or {}).items() if v
    }


def _text(search: str | Mapping[str, str]) -> str:
    """A URL query string, or parsed parameters, as a query string."""
    return search if isinstance(search, str) else urlencode(search)

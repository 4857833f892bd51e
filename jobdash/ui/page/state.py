"""The Job Management page's state as plain Parameterized objects: no widgets, testable
without a browser.

``JobQuery`` (jobdash.query) is the shared filter/sort/page state. Here live ``Selection``
(which jobs are selected) and ``JobListing`` (the page of rows, totals and statistics for a
query, kept current from the feed), which holds the page's ``JobOperations``
(jobdash.ui.page.operations) and ``FilterPresets`` (jobdash.ui.page.preset_state). They are
the only page code that calls the backend (a :class:`jobdash.contract.JobBackend`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import param

from jobdash import events
from jobdash.contract import JobBackend
from jobdash.errors import JobdashError, ValidationError
from jobdash.events import Change
from jobdash.query import FILTER_FIELDS, JobQuery
from jobdash.records import Statistics
from jobdash.ui.page.operations import JobOperations
from jobdash.ui.page.preset_state import FilterPresets
from jobdash.ui.shared.feed import FeedCursor, RunnerStatus, current_runner, overview

# Changes that can move jobs in or out of a page or change the counts: re-query.
STRUCTURAL_CHANGES = frozenset(
    {events.CREATED, events.DELETED, events.STATUS_UPDATE, events.COMPLETION, "resync"}
)


def _ids(values: Iterable[Any]) -> list[int]:
    """Job ids as ints; anything else is refused with ValidationError."""
    out = []
    for value in values:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | str)
            or not str(value).strip().isdigit()
        ):
            raise ValidationError(f"ids: {value!r} is not a job id", "ids")
        out.append(int(value))
    return out


class Selection(param.Parameterized):
    """Which jobs are selected: a set of ids kept across pages, sorting and filters, or
    "every job matching the query" (evaluated on the server when an action runs)."""

    ids = param.List(
        default=[],
        item_type=int,
        doc="""
        Ids of the selected jobs, in the order they were selected.""",
    )

    all_matching = param.Boolean(
        default=False,
        doc="""
        True when the selection is every job matching the current query, across pages.""",
    )

    def select(self, ids: Iterable[int]) -> None:
        """Add jobs to the selection."""
        self.ids = list(dict.fromkeys([*self.ids, *_ids(ids)]))

    def deselect(self, ids: Iterable[int]) -> None:
        """Remove jobs from the selection (and leave "all matching" mode)."""
        drop = set(_ids(ids))
        self.param.update(ids=[i for i in self.ids if i not in drop], all_matching=False)

    def toggle(self, job_id: int) -> None:
        """Select a job, or deselect it when it was selected."""
        if job_id in self.ids:
            self.deselect([job_id])
        else:
            self.select([job_id])

    def select_range(self, page_ids: Sequence[int], anchor: int, clicked: int) -> None:
        """Add the jobs of a page from ``anchor`` to ``clicked`` (either way round, both
        included); only ``clicked`` when ``anchor`` is not on the page, nothing when
        ``clicked`` is not."""
        page_ids = _ids(page_ids)
        anchor, clicked = _ids([anchor, clicked])
        if clicked not in page_ids:
            return
        end = page_ids.index(clicked)
        start = page_ids.index(anchor) if anchor in page_ids else end
        low, high = sorted((start, end))
        self.select(page_ids[low : high + 1])

    def sync_page(self, page_ids: Sequence[int], selected: Iterable[int]) -> None:
        """Take the checked rows of one visible page: ids on other pages are kept."""
        page_ids = _ids(page_ids)
        page, chosen = set(page_ids), set(_ids(selected))
        keep = [i for i in self.ids if i not in page or i in chosen]
        added = [i for i in page_ids if i in chosen and i not in keep]
        new = keep + added
        if new != self.ids:
            self.param.update(ids=new, all_matching=self.all_matching and not (page - chosen))

    def select_all_matching(self) -> None:
        """Select every job the query matches (resolved by the service when used)."""
        self.param.update(ids=[], all_matching=True)

    def clear(self) -> None:
        """Select nothing."""
        self.param.update(ids=[], all_matching=False)

    def count(self, total: int) -> int:
        """How many jobs are selected, given ``total`` jobs matching the query."""
        return total if self.all_matching else len(self.ids)

    def on_page(self, page_ids: Sequence[int]) -> list[int]:
        """Positions within a page of the rows that are selected."""
        chosen = set(self.ids)
        return [pos for pos, i in enumerate(page_ids) if self.all_matching or int(i) in chosen]

    def target(self, query: JobQuery) -> list[int] | JobQuery:
        """What a batch action applies to: the ids, or a copy of the query."""
        return query.copy(page=1) if self.all_matching else list(self.ids)


class JobListing(param.Parameterized):
    """One page of jobs for a query with totals and statistics, kept current from the
    change feed. Components read its parameters; only this class (with the ``operations``
    and ``presets`` it holds) calls the backend."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history this listing reads (a :class:`jobdash.contract.JobBackend`).""",
    )

    query = param.ClassSelector(
        class_=JobQuery,
        constant=True,
        instantiate=False,
        doc="""
        Filters, sort and page of the listing (shared with the filter bar, table, pager).""",
    )

    selection = param.ClassSelector(
        class_=Selection,
        constant=True,
        instantiate=False,
        doc="""
        The selected jobs (shared with the table and the batch actions).""",
    )

    rows = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        Listing rows of the current page, as returned by ``service.get_all``.""",
    )

    total = param.Integer(
        default=0,
        bounds=(0, None),
        doc="""
        How many jobs match the query.""",
    )

    pages = param.Integer(
        default=1,
        bounds=(1, None),
        doc="""
        How many pages the matching jobs fill.""",
    )

    stats = param.ClassSelector(
        class_=Statistics,
        default=None,
        allow_None=True,
        doc="""
        Statistics over the whole history (the stats cards).""",
    )

    runner = param.ClassSelector(
        class_=RunnerStatus,
        default=None,
        allow_None=True,
        doc="""
        What the runner is doing (the status indicator).""",
    )

    error = param.String(
        default="",
        doc="""
        Why the last request was refused (a message for the person; empty when none).""",
    )

    reachable = param.Boolean(
        default=True,
        doc="""
        Whether the last load could read the job history at all.""",
    )

    open_job = param.Integer(
        default=None,
        allow_None=True,
        doc="""
        Id of the job shown in the detail view, or None.""",
    )

    operations = param.ClassSelector(
        class_=JobOperations,
        constant=True,
        instantiate=False,
        doc="""
        The page's writes to the same history (export, rerun, delete, rename).""",
    )

    presets = param.ClassSelector(
        class_=FilterPresets,
        constant=True,
        instantiate=False,
        doc="""
        The saved filter presets of the same history.""",
    )

    def __init__(
        self,
        service: JobBackend,
        query: JobQuery | None = None,
        selection: Selection | None = None,
        **params: Any,
    ):
        super().__init__(
            service=service,
            query=query or JobQuery(),
            selection=selection or Selection(),
            operations=JobOperations(service),
            presets=FilterPresets(service),
            **params,
        )
        self.cursor = FeedCursor(service)
        self._init_callbacks()
        self.load()

    def _init_callbacks(self) -> None:
        fields = [p for p in self.query.param if p != "name"]
        self.query.param.watch(self._on_query, fields)

    def _on_query(self, *events: param.parameterized.Event) -> None:
        resets_page = {e.name for e in events} & {*FILTER_FIELDS, "sort", "descending", "page_size"}
        if resets_page and self.query.page != 1:
            self.query.page = 1  # watched: loads
            return
        self.load(statistics=False)  # the statistics cover the whole history: unchanged

    @property
    def page_ids(self) -> list[int]:
        """Ids of the visible rows, in order."""
        return [] if self.rows is None else [int(i) for i in self.rows["id"]]

    def load(self, statistics: bool = True) -> bool:
        """Query the page (and, unless told otherwise, the statistics and runner state);
        returns False (and sets ``error``) when the query was refused, leaving the previous
        rows in place."""
        try:
            page = self.service.get_all(self.query)
            if self.query.page > page.pages:
                self.query.page = page.pages  # watched: loads the last page
                return True
            extra = {}
            if statistics or self.stats is None:
                stats, runner = overview(self.service)
                extra = {"stats": stats, "runner": runner}
        except JobdashError as exc:
            self.error = str(exc)
            return False
        except Exception as exc:
            self.param.update(error=f"The job history could not be read: {exc}", reachable=False)
            return False
        self.param.update(
            rows=page.rows, total=page.total, pages=page.pages, reachable=True, **extra
        )
        return True

    def poll(self) -> list[Change]:
        """Apply what changed since the last poll; returns those changes. Costs one read of
        ``service.version`` when nothing changed. A feed that cannot be read (the server
        behind a client stopped) is said once (``reachable`` False, ``error`` set); once it
        answers again, everything is re-read."""
        was_lost = self.cursor.lost
        changes = self.cursor.changes()
        if self.cursor.lost:
            if not was_lost:
                self.param.update(reachable=False, error=f"Live updates paused: {self.cursor.lost}")
            return []
        if not changes:
            return []
        if {c.kind for c in changes} & STRUCTURAL_CHANGES:
            self.load()
        else:
            visible = set(self.page_ids)
            touched = [
                i for i in dict.fromkeys(j for c in changes for j in c.job_ids) if i in visible
            ]
            if touched:
                self.patch_rows(touched)
            if self.runner is not None and self.runner.job is not None:
                self.runner = current_runner(self.service, self.stats)
        return changes

    def patch_rows(self, ids: Sequence[int]) -> None:
        """Re-read some visible jobs and replace their rows (order and others untouched)."""
        fresh = self.service.jobs(ids).set_index("id")
        rows = self.rows.copy()
        for pos, job_id in enumerate(rows["id"]):
            if job_id in fresh.index:
                for column in fresh.columns:
                    rows.at[pos, column] = fresh.at[job_id, column]
        self.rows = rows

    def configurations(self) -> pd.DataFrame:
        """Every configuration of the history (id, name, version), for the filter."""
        return self.service.configurations()

    def labels(self, ids: Sequence[int]) -> dict[int, str | None]:
        """Labels of some jobs (from the page when visible, else from the service)."""
        rows = self.rows
        known = {} if rows is None else dict(zip(rows["id"], rows["label"], strict=True))
        missing = [i for i in ids if i not in known]
        if missing:
            fetched = self.service.jobs(missing)
            known.update(zip(fetched["id"], fetched["label"], strict=True))
        return {i: known.get(i) for i in ids}

"""Failures state: error signatures of the failed jobs in scope, their daily counts and
the actions on one signature. No widgets; the view is jobdash.ui.failures.view."""

from __future__ import annotations

import logging
from typing import Any

import param

from jobdash import analysis, events
from jobdash.contract import JobBackend
from jobdash.errors import JobdashError
from jobdash.query import JobQuery
from jobdash.ui.shared.feed import FeedCursor

log = logging.getLogger(__name__)

SCOPE_FIELDS = ("date_from", "date_to", "configuration_ids", "search", "image_qc")
"""Filters of the shared query that also narrow the failures listed."""


class FailuresState(param.Parameterized):
    """Error signatures of the failed jobs in scope with their daily counts, and the
    actions on one signature: show its jobs in the shared query, rerun them all."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history analysed and acted on (a :class:`jobdash.contract.JobBackend`).""",
    )

    query = param.ClassSelector(
        class_=JobQuery,
        constant=True,
        instantiate=False,
        doc="""
        The page's shared query: its filters set the scope; "show jobs" sets its status and
        signature filters.""",
    )

    days = param.Integer(
        default=30,
        bounds=(1, 366),
        doc="""
        Days (up to today, UTC) the trend sparklines cover.""",
    )

    limit = param.Integer(
        default=20,
        bounds=(1, 1000),
        doc="""
        How many signatures to list, most frequent first.""",
    )

    signatures = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        The listed signatures, as returned by ``analysis.error_signatures``.""",
    )

    trends = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        Jobs per listed signature and day (``analysis.signature_daily_counts``).""",
    )

    error = param.String(
        default="",
        doc="""
        Why the last load or action was refused (for the person); empty when none.""",
    )

    pending_rerun = param.String(
        default="",
        doc="""
        The signature whose rerun waits for confirmation; empty when none.""",
    )

    rerun_ids = param.List(
        default=[],
        item_type=int,
        doc="""
        Ids of the jobs queued by the last confirmed rerun.""",
    )

    shown = param.Event(
        doc="""
        Fires after "show jobs" has set the shared query (e.g. to switch to the table)."""
    )

    def __init__(self, service: JobBackend, query: JobQuery, **params: Any):
        super().__init__(service=service, query=query, **params)
        self.cursor = FeedCursor(service)

    def scope(self) -> JobQuery:
        """The failed jobs matching the shared query's scope filters."""
        return JobQuery(statuses=["failed"], **{f: getattr(self.query, f) for f in SCOPE_FIELDS})

    def jobs_of(self, signature: str) -> int:
        """How many listed jobs have this signature (0 when it is not listed)."""
        if self.signatures is None:
            return 0
        match = self.signatures.loc[self.signatures["signature"] == signature, "jobs"]
        return int(match.iloc[0]) if len(match) else 0

    @param.depends(*(f"query.{f}" for f in SCOPE_FIELDS), "days", "limit", watch=True, on_init=True)
    def load(self) -> bool:
        """Read the signatures and their trends; False (with ``error`` set) when refused."""
        scope = self.scope()
        try:
            sigs = analysis.error_signatures(self.service, scope, limit=self.limit)
            trends = (
                analysis.signature_daily_counts(
                    self.service, list(sigs["signature"]), days=self.days, query=scope
                )
                if len(sigs)
                else None
            )
        except JobdashError as exc:
            self.error = str(exc)
            return False
        except Exception as exc:  # a failed read is shown, not raised
            log.exception("failures panel: load failed")
            self.error = f"The failures could not be read: {exc}"
            return False
        self.param.update(signatures=sigs, trends=trends, error="")
        return True

    def poll(self) -> bool:
        """Re-read when a job failed or was deleted since the last poll (one read of
        ``service.version`` when nothing changed). Returns whether it re-read."""
        changes = self.cursor.changes()
        if any(
            c.kind in (events.DELETED, "resync")
            or (c.kind == events.COMPLETION and c.data.get("status") == "failed")
            for c in changes
        ):
            return self.load()
        return False

    def show(self, signature: str) -> None:
        """Filter the shared query to the failed jobs of ``signature``, from page 1."""
        if not signature:
            return
        self.query.param.update(statuses=["failed"], error_signature=signature, page=1)
        self.param.trigger("shown")

    def clear(self) -> None:
        """Drop the signature filter of the shared query (other filters stay)."""
        self.query.param.update(error_signature="", page=1)

    def ask_rerun(self, signature: str) -> None:
        """Ask to rerun every job of ``signature`` in scope (see :meth:`confirm_rerun`)."""
        self.pending_rerun = signature

    def cancel_rerun(self) -> None:
        """Forget the pending rerun."""
        self.pending_rerun = ""

    def confirm_rerun(self) -> list[int]:
        """Queue a rerun of each job of the pending signature in scope, in one transaction;
        returns the new job ids (empty, with ``error`` set, when refused or none match)."""
        signature, self.pending_rerun = self.pending_rerun, ""
        if not signature:
            return []
        try:
            new = self.service.bulk_rerun(analysis.signature_query(signature, self.scope()))
        except JobdashError as exc:
            self.error = str(exc)
            return []
        self.rerun_ids = [int(i) for i in new["id"]]
        if not self.rerun_ids:
            self.error = f"No failed jobs with: {signature} (nothing was queued)"
        return self.rerun_ids

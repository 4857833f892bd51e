"""Actions on jobs: View, Export, Rerun and Delete, for one row or a batch (a list of ids or
"every job matching a query", resolved by the backend when the action runs).

Delete asks first. Served, Export, Rerun and Delete run on a worker thread, awaited by a
coroutine Panel schedules on the session (the page stays responsive and ``busy`` says what
runs, for the progress indicator); one at a time. Every outcome ends in a toast; a refused
action (running jobs, missing jobs) says why and changes nothing. Served, an export also
downloads in the browser. What the actions do to the history is
:class:`jobdash.ui.page.operations.JobOperations`'s (held by the listing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import panel as pn
import param

from jobdash.errors import JobdashError
from jobdash.query import JobQuery
from jobdash.ui import assets
from jobdash.ui.page.operations import Target, target_ids
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared.dialog import Confirmation, Dialog
from jobdash.ui.shared.download import Downloader
from jobdash.ui.shared.format import count_text
from jobdash.ui.shared.live import is_served
from jobdash.ui.shared.notify import Toaster
from jobdash.vocab import format_job_id

log = logging.getLogger(__name__)


def target_text(target: Target, count: int) -> str:
    """``JOB-000042`` for one job, ``12 jobs`` for more."""
    ids = target_ids(target)
    if isinstance(ids, list) and len(ids) == 1:
        return format_job_id(ids[0])
    return count_text(count, "job")


def in_background(work: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """Call ``work()`` and hand its result (or the exception it raised) to ``done``.

    In a served session ``work`` runs on a worker thread, awaited by a coroutine that
    ``pn.state.execute`` runs on the session's event loop (which serves the page meanwhile),
    and ``done`` runs there too, with the session current; elsewhere (a notebook, a test)
    both run at once, in the caller's thread."""
    if not is_served():
        done(_outcome(work))
        return

    async def run() -> None:
        done(await asyncio.to_thread(_outcome, work))

    pn.state.execute(run)


def _outcome(work: Callable[[], Any]) -> Any:
    try:
        return work()
    except Exception as exc:  # handed to ``done``, which reports it
        return exc


class JobActions(pn.viewable.Viewer):
    """Runs actions on jobs and owns the delete confirmation dialog and the downloader."""

    listing = param.ClassSelector(
        class_=JobListing,
        doc="""
        The listing acted on (its operations; View sets its open job; reloaded after
        changes).""",
    )

    toaster = param.ClassSelector(class_=Toaster, doc="""Where outcomes are announced.""")

    pending_delete = param.Parameter(
        default=None,
        doc="""
        What the delete dialog asks about (a job id, a list of ids or a query), or None.""",
    )

    busy = param.String(
        default="",
        doc="""
        What the running operation does ("Exporting 5,000 jobs…"); empty when none runs.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._confirmation: Confirmation | None = None
        # The question and its buttons are built when the dialog first opens (or is
        # prepared): most page views never delete, and their models cost every first render.
        self.dialog = Dialog(title="Delete jobs", factory=self._dialog_contents)
        self.downloader = Downloader()
        pn.bind(self._dialog_toggled, self.dialog.param.open, watch=True)

    def _dialog_contents(self) -> list[Any]:
        """The delete question with its "Cancel" and "Delete" buttons."""
        return self._asking().contents

    def _asking(self) -> Confirmation:
        """The delete question and its buttons, wired (built the first time it is needed)."""
        if self._confirmation is None:
            self._confirmation = Confirmation("Delete jobs", "Delete", color="danger")
            self._confirmation.confirm.on_click(lambda _: self.confirm_delete())
            self._confirmation.cancel.on_click(lambda _: self.dialog.hide())
        return self._confirmation

    def run(self, action: str, target: Target) -> None:
        """Do ``action`` ("view", "export", "rerun" or "delete") on ``target``; a refusal
        becomes an error toast."""
        handler = {
            "view": self.view,
            "export": self.export,
            "rerun": self.rerun,
            "delete": self.ask_delete,
        }[action]
        try:
            handler(target)
        except JobdashError as exc:
            self.toaster.show("error", str(exc))

    def _start(self, text: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` (see :func:`in_background`) with ``busy`` set to ``text``, then
        ``done(result)``; an error becomes a toast. Refused while another one runs."""
        if self.busy:
            self.toaster.show("info", f"Please wait: {self.busy}")
            return
        self.busy = text

        def finish(outcome: Any) -> None:
            self.busy = ""
            if isinstance(outcome, JobdashError):
                self.toaster.show("error", str(outcome))
            elif isinstance(outcome, Exception):
                log.error("%s failed", text, exc_info=outcome)
                self.toaster.show("error", f"{text.rstrip('…')} failed: {outcome}")
            else:
                done(outcome)

        in_background(work, finish)

    def count(self, target: Target) -> int:
        """How many jobs ``target`` names (for a query: how many match it now)."""
        return self.listing.operations.count(target)

    def view(self, target: Target) -> None:
        """Open one job in the detail view."""
        ids = target_ids(target)
        if isinstance(ids, list) and len(ids) == 1:
            self.listing.open_job = ids[0]

    def export(self, target: Target) -> None:
        """Write the jobs' workbook into the export folder (settings file), then offer it as
        a download in the browser and say where it is."""
        text = target_text(target, self.count(target))

        def done(path: Path) -> None:
            self.downloader.send(path)
            self.toaster.show("success", f"Exported {text} to {path}")

        self._start(f"Exporting {text}…", lambda: self.listing.operations.export(target), done)

    def rerun(self, target: Target) -> None:
        """Queue a rerun of each job with its as-run settings; says where they are queued."""

        def done(result: tuple[list[int], list[int]]) -> None:
            self._queued(target_ids(target), *result)
            self.listing.load()

        self._start(
            f"Queuing reruns of {target_text(target, self.count(target))}…",
            lambda: self.listing.operations.rerun(target),
            done,
        )

    def _queued(self, old: list[int] | JobQuery, new: list[int], queue: list[int]) -> None:
        """Toast where the reruns ``new`` of ``old`` stand in ``queue``."""
        places = [queue.index(i) + 1 for i in new if i in queue]
        if len(new) == 1:
            source = format_job_id(old[0]) if isinstance(old, list) else "the job"
            where = places[0] if places else len(queue)
            self.toaster.show(
                "success",
                f"Queued {format_job_id(new[0])} as a rerun of "
                f"{source} (position {where} in the queue)",
            )
        elif new:
            where = f" (positions {min(places)}–{max(places)} in the queue)" if places else ""
            self.toaster.show(
                "success",
                f"Queued {count_text(len(new), 'rerun')}: "
                f"{format_job_id(new[0])}–{format_job_id(new[-1])}"
                f"{where}",
            )
        else:
            self.toaster.show("info", "Nothing to rerun.")

    def rename(self, job_id: int, label: str) -> bool:
        """Give one job a new label; True when saved, False (with an error toast saying
        why) when the service refused it."""
        try:
            saved = self.listing.operations.rename(job_id, label)
        except JobdashError as exc:
            self.toaster.show("error", f"{format_job_id(job_id)} was not renamed: {exc}")
            return False
        self.listing.patch_rows([job_id])
        self.toaster.show("success", f"Renamed {format_job_id(job_id)} to “{saved}”")
        return True

    def ask_delete(self, target: Target) -> None:
        """Open the confirmation dialog for deleting ``target``."""
        count = self.count(target)
        if not count:
            self.toaster.show("info", "Nothing to delete.")
            return
        self.pending_delete = target
        what = target_text(target, count)
        self._asking().question.object = assets.render("actions-delete", what=what, count=count)
        self.dialog.title = f"Delete {what}"
        self.dialog.show()

    def confirm_delete(self) -> None:
        """Delete what the dialog asked about."""
        target, self.pending_delete = self.pending_delete, None
        self.dialog.hide()
        if target is None:
            return
        self._start(
            f"Deleting {target_text(target, self.count(target))}…",
            lambda: self.listing.operations.delete(target),
            lambda result: self._deleted(target, result),
        )

    def _deleted(self, target: Target, result: dict[int, str]) -> None:
        """Toast what a delete did and show the page without the deleted jobs."""
        deleted = [i for i, outcome in result.items() if outcome == "deleted"]
        gone = [i for i, outcome in result.items() if outcome != "deleted"]
        self.listing.selection.deselect(list(result))
        text = target_text(deleted if len(deleted) == 1 else target, len(deleted))
        if gone:
            self.toaster.show(
                "warning",
                f"Deleted {count_text(len(deleted), 'job')}; "
                + ", ".join(format_job_id(i) for i in gone[:10])
                + " were already gone",
            )
        else:
            self.toaster.show("success", f"Deleted {text}")
        if self.listing.open_job in result:  # deleted from its own view: close it
            self.listing.open_job = None
        self.listing.load()

    def _dialog_toggled(self, is_open: bool) -> None:
        if not is_open:
            self.pending_delete = None

    def __panel__(self) -> pn.Column:
        return pn.Column(self.dialog, self.downloader, margin=0)

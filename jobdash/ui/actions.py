"""Row actions of the job table: View, Export, Rerun and Delete (Delete asks first).

Every outcome ends in a toast; a refused action (running job, missing job) says why and
changes nothing."""

from __future__ import annotations

from typing import Any

import panel as pn
import param

from ..errors import JobdashError
from ..vocab import format_job_id
from . import theme
from .dialog import Dialog
from .notify import Toaster
from .state import JobListing


class JobActions(pn.viewable.Viewer):
    """Runs one action on one job and owns the delete confirmation dialog."""

    listing = param.ClassSelector(class_=JobListing, doc="""
        The listing acted on (its service; View sets its open job).""")

    toaster = param.ClassSelector(class_=Toaster, doc="""Where outcomes are announced.""")

    pending_delete = param.Integer(default=None, allow_None=True, doc="""
        The job the delete dialog asks about, or None.""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self._question = pn.pane.HTML("", stylesheets=[theme.HTML_CSS], width=460)
        self._confirm = pn.widgets.Button(label="Delete", color="danger", width=96,
                                          stylesheets=css)
        self._cancel = pn.widgets.Button(label="Cancel", width=96, stylesheets=css)
        self.dialog = Dialog(
            self._question, pn.Row(pn.layout.HSpacer(), self._cancel, self._confirm),
            title="Delete job")
        self._confirm.on_click(lambda _: self.confirm_delete())
        self._cancel.on_click(lambda _: self.dialog.hide())

    def run(self, action: str, job_id: int) -> None:
        """Do ``action`` ("view", "export", "rerun" or "delete") on one job."""
        handler = {"view": self.view, "export": self.export, "rerun": self.rerun,
                   "delete": self.ask_delete}[action]
        try:
            handler(job_id)
        except JobdashError as exc:
            self.toaster.show("error", str(exc))

    def view(self, job_id: int) -> None:
        """Open the job in the detail view."""
        self.listing.open_job = job_id

    def export(self, job_id: int) -> None:
        """Write the job's workbook into the export folder."""
        service = self.listing.service
        folder = service.settings.export_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = service.export(job_id, folder / f"{format_job_id(job_id)}.xlsx")
        self.toaster.show("success", f"Exported {format_job_id(job_id)} to {path}")

    def rerun(self, job_id: int) -> None:
        """Queue a rerun of the job with its as-run settings."""
        new = self.listing.service.bulk_rerun([job_id])
        queue = self.listing.service.queue()
        new_id = int(new["id"].iloc[0])
        place = queue.index(new_id) + 1 if new_id in queue else len(queue)
        self.toaster.show("success", f"Queued {format_job_id(new_id)} as a rerun of "
                                     f"{format_job_id(job_id)} (position {place} in the queue)")

    def ask_delete(self, job_id: int) -> None:
        """Open the confirmation dialog for deleting one job."""
        self.pending_delete = job_id
        self._question.object = (
            f"<h2>Delete {format_job_id(job_id)}?</h2><p>The job, its image records, its "
            "timeline and its image files on disk will be removed. This cannot be undone.</p>")
        self.dialog.show()

    def confirm_delete(self) -> None:
        """Delete the job the dialog asked about."""
        job_id, self.pending_delete = self.pending_delete, None
        self.dialog.hide()
        if job_id is None:
            return
        try:
            result = self.listing.service.bulk_delete([job_id])
        except JobdashError as exc:
            self.toaster.show("error", str(exc))
            return
        if result.get(job_id) == "deleted":
            self.toaster.show("success", f"Deleted {format_job_id(job_id)}")
        else:
            self.toaster.show("warning", f"{format_job_id(job_id)} was already gone")

    def __panel__(self) -> Dialog:
        return self.dialog

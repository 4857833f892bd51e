"""The Single Job View: what opens from a Job ID, "View" or a ``?job=ID`` deep link.

Tabs for the job's information (with the as-run settings beside the configuration's current
ones), its image gallery (QC filter, sort, large view, export of a selection), its timeline
and its log. Nothing of a job is read until it is opened; while it runs, the page's live
update re-reads it and the open view keeps its tab, filters and open image."""

from __future__ import annotations

import html
import io
from typing import Any

import panel as pn
import param

from jobdash.records import JobDetail
from jobdash.ui.job.gallery import NO_MATCH, Gallery, gallery_items, large_view_html
from jobdash.ui.job.image_export import selection_zip
from jobdash.ui.job.info import DETAIL_CSS, JobInfo, detail_html, detail_title
from jobdash.ui.job.state import (
    IMAGE_SORTS,
    QC_FILTERS,
    JobView,
    gallery_images,
    qc_counts,
    timeline_steps,
)
from jobdash.ui.job.timeline import TIMELINE_CSS, LogView, timeline_figure, timeline_html
from jobdash.ui.shared import theme
from jobdash.ui.shared.hidden import OWN
from jobdash.ui.shared.live import is_served
from jobdash.ui.shared.pressed import PressedState
from jobdash.vocab import format_job_id

# The view's size inside the dialog (24 px padding each side, 40 px for the close button
# above, 24 px below), so the dialog is 900 x 700 px whatever the tab: a tab's contents
# scroll inside it rather than resize the dialog.
WIDTH, HEIGHT = 852, 636
HEAD_HEIGHT = 96  # the title (one line) and the action buttons
TAB_HEIGHT = HEIGHT - HEAD_HEIGHT - 40  # below the tab strip
SCROLLBAR = 16  # room a tab keeps for its scroll bar


def _panel(*objects: Any) -> pn.Column:
    """One tab's contents, its height fixed: taller contents scroll inside it."""
    return pn.Column(
        *objects, height=TAB_HEIGHT, scroll="y-auto", sizing_mode="stretch_width", margin=0
    )


class JobDetailSlot(pn.viewable.Viewer):
    """Shows one job (or nothing) inside the page's detail dialog; what it shows is read by
    its :class:`~jobdash.ui.job.state.JobView` (``state``)."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        Where the job is read from (a :class:`jobdash.contract.JobBackend`), handed to the
        view's state.""",
    )

    job_id = param.Integer(
        default=None,
        allow_None=True,
        doc="""
        The job shown, or None. Triggering it with the same id re-reads the job and keeps
        the view's tab, filters and open image.""",
    )

    on_action = param.Callable(
        default=None,
        allow_None=True,
        doc="""
        ``on_action(action, job_id)`` runs "export", "rerun" or "delete" as the table does,
        and "view" when the parent of a rerun is opened from the view; None hides the
        action buttons (the parent then opens in this view directly).""",
    )

    qc_filter = param.Selector(
        default="All",
        objects=list(QC_FILTERS),
        doc="""
        Which images the gallery shows.""",
    )

    image_sort = param.Selector(
        default="Newest first",
        objects=list(IMAGE_SORTS),
        doc="""
        The gallery's order.""",
    )

    def __init__(self, **params: Any):
        super().__init__(**params)
        css = [theme.WIDGET_CSS]
        self.state = JobView(self.service)
        self._rendered: set[int] = set()  # tabs filled from the loaded job
        self._info = JobInfo(height=TAB_HEIGHT)
        self._buttons = {
            action: pn.widgets.Button(
                label=action.title(),
                width=90,
                margin=(0, 12, 0, 0),  # the first lines up with the title
                stylesheets=css,
                color="danger" if action == "delete" else "default",
            )
            for action in ("export", "rerun", "delete")
        }
        for action, button in self._buttons.items():
            button.on_click(lambda _, a=action: self._act(a))
        self._filter = pn.widgets.RadioButtonGroup(
            options=list(QC_FILTERS), value="All", stylesheets=css, label="QC status"
        )
        self._filter.link(self, value="qc_filter", bidirectional=True)
        self._sort = pn.widgets.Select.from_param(
            self.param.image_sort,
            label="Sort images",
            description=None,  # no tooltip icon over the label
            stylesheets=css,
            width=190,
        )
        self.gallery = Gallery(margin=(4, 0))  # the full width: five cards a row
        self._export = pn.widgets.FileDownload(
            callback=self._selection_file,
            filename="images.zip",
            label="Export selected (0)",
            stylesheets=css,
            width=190,
            disabled=True,
        )
        self._timeline = pn.pane.HTML("", stylesheets=[TIMELINE_CSS], sizing_mode="stretch_width")
        self._chart = pn.pane.Bokeh(None, sizing_mode="stretch_width", margin=(0, 0, 8, 0))
        self.log = LogView()
        self._tabs = pn.Tabs(
            ("Information", self._info),  # scrolls itself (a region the keyboard reaches)
            (
                "Images",
                _panel(
                    pn.FlexBox(
                        PressedState(group=self._filter, label="QC status"),
                        self._sort,
                        self._export,
                        gap="8px",
                        align_items="flex-end",
                        min_width=WIDTH - SCROLLBAR,
                    ),
                    self.gallery,
                ),
            ),
            ("Timeline", _panel(self._chart, self._timeline)),
            ("Log", _panel(self.log)),
            width=WIDTH,
            stylesheets=css,
            tags=[OWN],
        )
        self._head = pn.pane.HTML("", stylesheets=[DETAIL_CSS], margin=0, width=WIDTH)
        self._actions = pn.Row(*self._buttons.values(), visible=False, margin=(0, 0, 8, 0))
        self._layout = pn.Column(
            pn.Column(self._head, self._actions, height=HEAD_HEIGHT, margin=0),
            self._tabs,
            width=WIDTH,
            height=HEIGHT,
            margin=0,
        )
        self._init_callbacks()
        if self.job_id is not None:
            self._show()

    def _init_callbacks(self) -> None:
        self.gallery.param.watch(self._open_image, "opened")
        self.gallery.param.watch(self._chosen, "chosen")
        self._tabs.param.watch(self._render_tab, "active")
        self._info.param.watch(self._open_requested, "requested")

    @property
    def title(self) -> str:
        """Name of the dialog showing this job."""
        if self.job_id is None:
            return "Job details"
        return f"Job {format_job_id(self.job_id)} details"

    # -- loading ----------------------------------------------------------------------------

    @property
    def detail(self) -> JobDetail | None:
        """What was read of the shown job (None when nothing is shown or it is gone)."""
        return self.state.detail

    @param.depends("job_id", watch=True)
    def _show(self) -> None:
        if self.job_id != self.state.job_id:  # a new job: the view starts over
            self.gallery.param.update(items=[], opened=None, chosen=[])
            self.param.update(qc_filter="All", image_sort="Newest first")
            self._tabs.active = 0
        self.state.load(self.job_id)
        self._render()

    def _render(self) -> None:
        detail = self.detail
        self._actions.visible = detail is not None and self.on_action is not None
        self._tabs.visible = detail is not None
        self._rendered = {0}
        if detail is None:  # nothing, or the message alone: no tabs of a job not there
            self._head.object = (
                f"<p>{html.escape(self.state.missing)}</p>" if self.state.missing else ""
            )
            self._info.content = ""
            self._tabs.active = 0
            self.gallery.items = []
            self._timeline.object = ""
            self._chart.object = None
            self.log.param.update(events=None, job_id=self.job_id)
            return
        title = html.escape(detail_title(detail.job))
        self._head.object = f'<h2 class="jd-view-title" title="{title}">{title}</h2>'
        self._info.content = detail_html(detail, self.state.parent_known, self.state.image_root)
        self._render_tab()

    def _render_tab(self, *_: Any) -> None:
        """Fill the active tab from the loaded job, once per load (the others stay empty until
        shown; the tabs are not dynamic, so hidden panes stay in the document and their
        updates keep the served stylesheet URLs)."""
        index, detail = self._tabs.active, self.detail
        if detail is None or index in self._rendered:
            return
        self._rendered.add(index)
        job = detail.job
        if index == 1:
            counts = qc_counts(detail.images)
            self._filter.options = {f"{k} ({n:,})": k for k, n in counts.items()}
            self._filter.value = self.qc_filter
            self._gallery()
            self._open_image()
            self._export.filename = f"{format_job_id(job['id'])}-images.zip"
        elif index == 2:
            steps, root = timeline_steps(detail.events), self.state.image_root
            self._chart.object = timeline_figure(steps, root)
            self._timeline.object = timeline_html(
                steps, job.get("progress"), job["status"] == "running", root
            )
        elif index == 3:
            self.log.param.update(
                events=detail.events, job_id=job["id"], image_root=self.state.image_root
            )

    def open_job(self, job_id: int) -> None:
        """Show another job (e.g. the parent of a rerun): through ``on_action("view", ...)``
        when set, so the page (its URL, the dialog's name) follows; else here directly."""
        if self.on_action is not None:
            self.on_action("view", job_id)
        else:
            self.job_id = job_id

    def _open_requested(self, event: param.parameterized.Event) -> None:
        if event.new is not None:
            self._info.requested = None
            self.open_job(event.new)

    # -- gallery ----------------------------------------------------------------------------

    @param.depends("qc_filter", "image_sort", watch=True)
    def _gallery(self) -> None:
        if self.detail is None or self.state.job_id != self.job_id:  # nothing, or a job left
            return
        shown = gallery_images(self.detail.images, self.qc_filter, self.image_sort)
        self.gallery.param.update(
            items=gallery_items(shown, self.state.image_root, is_served()),
            empty_text=("This job has no images." if self.detail.images.empty else NO_MATCH),
        )

    def _open_image(self, *_: Any) -> None:
        image_id = self.gallery.opened
        rows = (
            self.detail.images[self.detail.images["id"] == image_id]
            if self.detail is not None and image_id is not None
            else None
        )
        if rows is None or rows.empty:  # nothing opened, or the image is gone
            self.gallery.opened = None
            self.gallery.view.object = ""
            return
        self.gallery.view.object = large_view_html(
            rows.iloc[0].to_dict(), self.state.image_root, is_served()
        )

    def _chosen(self, *_: Any) -> None:
        n = len(self.gallery.chosen)
        self._export.param.update(label=f"Export selected ({n})", disabled=n == 0)

    def _selection_file(self) -> io.BytesIO:
        return io.BytesIO(
            selection_zip(self.detail, list(self.gallery.chosen), self.state.image_root)
        )

    # -- actions ----------------------------------------------------------------------------

    def _act(self, action: str) -> None:
        if self.on_action is not None and self.job_id is not None:
            self.on_action(action, self.job_id)

    def __panel__(self) -> pn.Column:
        return self._layout

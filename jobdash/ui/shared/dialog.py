"""An accessible modal dialog on the native ``<dialog>`` element.

``showModal()`` gives the dark backdrop, keeps focus inside, closes on Escape and returns
focus to where it was; the dialog is named after its title. A click on the backdrop closes
it too. Its body is a tab stop, so a keyboard scrolls contents taller than the window.
Panel components go inside as ``objects``, or come from ``factory`` on first open."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.ui import assets
from jobdash.ui.shared import theme

DIALOG_CSS = theme.FOCUS_CSS + assets.css("dialog")


class Dialog(ReactiveHTML):
    """A modal dialog holding Panel components; ``open`` shows and hides it."""

    title = param.String(default="Dialog", doc="""The dialog's accessible name.""")

    open = param.Boolean(default=False, doc="""Whether the dialog is shown.""")

    objects = param.List(default=[], doc="""The Panel components shown inside.""")

    factory = param.Callable(
        default=None,
        precedence=-1,
        doc="""
        Builds the contents (a list of components) the first time the dialog opens, so a
        page does not pay for dialogs nobody opens. (Negative precedence: stays in Python.)""",
    )

    shown = param.Integer(
        default=0,
        doc="""
        How many times the browser has shown the dialog. Counted there, so that showing
        contents the server has just sent makes the browser's next message one that names
        none of them: BokehJS 3.10 marks the models it receives as new, and the next message
        naming one (a click on a button of the new contents) sends it whole, which the server
        answers with a "reference already known" warning
        (docs/upstream/bokehjs-received-models-resent.md).""",
    )

    _template = assets.template("dialog")

    _scripts = assets.scripts("dialog")

    def __init__(self, *objects: Any, **params: Any):
        params.setdefault("stylesheets", [DIALOG_CSS])
        params.setdefault("margin", 0)
        super().__init__(objects=list(objects), **params)
        self.param.watch(self._build, "open")

    def prepare(self) -> None:
        """Build the contents now (e.g. once the page is on screen), so that opening the
        dialog later only shows it: contents rendered into an open dialog would cost the
        browser where focus returns on close."""
        if not self.objects and self.factory is not None:
            self.objects = list(self.factory())

    def _build(self, event: param.parameterized.Event) -> None:
        if event.new:
            self.prepare()

    def show(self) -> None:
        """Open the dialog (building its contents first, the first time)."""
        self.prepare()
        self.open = True

    def hide(self) -> None:
        """Close the dialog."""
        self.open = False


class Confirmation:
    """A yes/no question: ``question`` (HTML pane), ``confirm`` and ``cancel`` buttons, laid
    out as ``contents``, and a ``dialog`` holding them (built when first used, so a caller with
    a lazy Dialog of its own can take ``contents`` alone); the caller wires the buttons and
    fills the question."""

    def __init__(
        self,
        title: str,
        confirm_label: str,
        *,
        color: str,
        confirm_width: int = 96,
        question_width: int = 460,
    ):
        css = [theme.WIDGET_CSS]
        self.question = pn.pane.HTML("", stylesheets=[theme.HTML_CSS], width=question_width)
        self.confirm = pn.widgets.Button(
            label=confirm_label, color=color, width=confirm_width, stylesheets=css
        )
        self.cancel = pn.widgets.Button(label="Cancel", width=96, stylesheets=css)
        self.title = title
        self.contents = [self.question, pn.Row(pn.layout.HSpacer(), self.cancel, self.confirm)]

    @cached_property
    def dialog(self) -> Dialog:
        """The question in a dialog named after the title."""
        return Dialog(*self.contents, title=self.title)

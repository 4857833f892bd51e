"""The runner status pill shown by the page header and the Dashboard."""

from __future__ import annotations

from jobdash.ui import assets
from jobdash.ui.shared import theme
from jobdash.ui.shared.feed import RunnerStatus

STATUS_CSS = theme.HTML_CSS + assets.css("runner-status")


def runner_html(runner: RunnerStatus | None, reachable: bool = True) -> str:
    """The status pill: runner state, queue length and whether the store answers."""
    if not reachable:
        state, text = "error", "Job history unreachable"
    elif runner is None:
        state, text = "off", "Runner status unknown"
    else:
        state, text = runner.state, runner.text + " · store connected"
    return assets.render("runner-status", state=state, text=text)

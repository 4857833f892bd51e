"""The runner status pill shown by the page header and the Dashboard."""

from __future__ import annotations

import html

from jobdash.ui.shared import theme
from jobdash.ui.shared.feed import RunnerStatus

STATUS_CSS = theme.HTML_CSS + """
.jd-runner { display: inline-flex; align-items: center; gap: 8px; padding: 6px 12px;
  background: var(--jd-surface); border: 1px solid var(--jd-border);
  border-radius: var(--jd-radius-pill); font-size: var(--jd-caption-size); white-space: nowrap; }
.jd-dot { width: 10px; height: 10px; border-radius: 50%; background: var(--jd-neutral); }
.jd-runner[data-state="running"] .jd-dot { background: var(--jd-primary);
  box-shadow: 0 0 0 3px var(--jd-primary-soft); animation: jd-pulse 1.6s ease-in-out infinite; }
.jd-runner[data-state="idle"] .jd-dot { background: var(--jd-success); }
.jd-runner[data-state="error"] .jd-dot { background: var(--jd-error); }
@keyframes jd-pulse { 50% { box-shadow: 0 0 0 6px var(--jd-primary-soft); } }
@media (prefers-reduced-motion: reduce) { .jd-runner .jd-dot { animation: none; } }
"""


def runner_html(runner: RunnerStatus | None, reachable: bool = True) -> str:
    """The status pill: runner state, queue length and whether the store answers."""
    if not reachable:
        state, text = "error", "Job history unreachable"
    elif runner is None:
        state, text = "off", "Runner status unknown"
    else:
        state, text = runner.state, html.escape(runner.text) + " · store connected"
    return (f'<div class="jd-runner" data-state="{state}" role="status" '
            f'aria-label="Status: {text}"><span class="jd-dot" aria-hidden="true"></span>'
            f"<span>{text}</span></div>")
